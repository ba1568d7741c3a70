//! Explanations: from a program's conditions and one company's evaluation to the lines a
//! person reads ("Not eligible: employees 268, the limit is under 300"). The structure is
//! language-neutral; the web layer words it in Korean or English. Everything that does not
//! depend on the company (texts, structure) is prepared when the rule is compiled, so an
//! explanation borrows it and only adds outcomes and values.

use crate::ast::Cond;
use crate::catalog::FactId;
use crate::engine::{Evaluation, NodeId, Tri};
use crate::language::Language;
use crate::subject::Value;

#[derive(Debug, Clone)]
pub enum LineKind {
    /// A condition on one fact (or on the awards).
    Condition { cond: Cond, fact: Option<FactId> },
    /// A named predicate; its own conditions follow one level deeper.
    Predicate { name: String },
    /// `and`, `or`, `not` or `at_least(k)` over the lines that follow one level deeper.
    Group { op: &'static str, k: u32 },
}

#[derive(Debug, Clone)]
pub struct LineTemplate {
    pub depth: u8,
    pub node: NodeId,
    pub text: String,
    pub kind: LineKind,
}

#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub depth: u8,
    pub outcome: Tri,
    pub text: &'a str,
    pub kind: &'a LineKind,
    /// The company's value of the line's fact (`None` when missing or not a fact line).
    pub actual: Option<&'a Value>,
}

#[derive(Debug, Clone)]
pub struct RequirementExplained<'a> {
    pub text: &'a str,
    pub outcome: Tri,
    pub lines: Vec<Line<'a>>,
}

#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    pub outcome: Tri,
    pub score: i64,
    pub requirements: Vec<RequirementExplained<'a>>,
    /// Points rows: (points, condition, outcome).
    pub points: Vec<(i64, &'a Cond, Tri)>,
    /// Canonical text of the requirements that evaluated false.
    pub failing: Vec<&'a str>,
    /// Missing facts behind unknown requirements, sorted by name.
    pub missing: Vec<&'static str>,
}

impl Explanation<'_> {
    /// One requirement false and none unknown: the company is a single step away.
    pub fn one_away(&self) -> bool {
        self.outcome == Tri::False && self.failing.len() == 1 && self.requirements.iter().all(|r| r.outcome != Tri::Unknown)
    }
}

/// The lines of one condition in preorder (named predicates expanded), given the node of each
/// condition in the same order as `RuleSet` compiled them.
pub(crate) fn templates(c: &Cond, trace: &[NodeId], lang: &Language) -> Vec<LineTemplate> {
    let mut out = Vec::new();
    let mut pos = 0;
    walk(c, 0, trace, &mut pos, lang, &mut out);
    out
}

fn walk(c: &Cond, depth: u8, trace: &[NodeId], pos: &mut usize, lang: &Language, out: &mut Vec<LineTemplate>) {
    let node = trace[*pos];
    *pos += 1;
    let text = c.to_string();
    match c {
        Cond::All(items) | Cond::Any(items) | Cond::AtLeast(_, items) => {
            let (op, k) = match c {
                Cond::All(_) => ("and", 0),
                Cond::Any(_) => ("or", 0),
                Cond::AtLeast(k, _) => ("at_least", *k),
                _ => unreachable!(),
            };
            out.push(LineTemplate { depth, node, text, kind: LineKind::Group { op, k } });
            for i in items {
                walk(i, depth + 1, trace, pos, lang, out);
            }
        }
        Cond::Not(inner) => {
            out.push(LineTemplate { depth, node, text, kind: LineKind::Group { op: "not", k: 0 } });
            walk(inner, depth + 1, trace, pos, lang, out);
        }
        Cond::Ref(name) => {
            out.push(LineTemplate { depth, node, text, kind: LineKind::Predicate { name: name.clone() } });
            let def = &lang.predicate(name).expect("checked rule").cond;
            walk(def, depth + 1, trace, pos, lang, out);
        }
        leaf => {
            let mut facts = Vec::new();
            leaf.facts(&mut facts);
            let fact = facts.first().and_then(|f| lang.catalog.id(f));
            out.push(LineTemplate { depth, node, text, kind: LineKind::Condition { cond: leaf.clone(), fact } });
        }
    }
}

impl<'a> Evaluation<'a> {
    pub fn explain(&mut self, program: usize, lang: &Language) -> Explanation<'a> {
        let set = self.rule_set();
        let subject = self.subject();
        let p = set.program(program);
        let outcome = self.outcome(program);
        let score = self.score(program);
        let mut requirements = Vec::with_capacity(p.requirements.len());
        let mut failing = Vec::new();
        let mut missing: Vec<&'static str> = Vec::new();
        for r in &p.requirements {
            let out = self.outcome_of(r.node);
            let lines: Vec<Line<'a>> = r
                .lines
                .iter()
                .map(|t| {
                    let actual = match &t.kind {
                        LineKind::Condition { fact: Some(f), .. } => subject.profile.get(*f),
                        _ => None,
                    };
                    Line { depth: t.depth, outcome: self.outcome_of(t.node), text: &t.text, kind: &t.kind, actual }
                })
                .collect();
            if out == Tri::False {
                failing.push(r.text.as_str());
            }
            if out == Tri::Unknown {
                for l in &lines {
                    if let (Tri::Unknown, LineKind::Condition { fact: Some(f), .. }, None) = (l.outcome, l.kind, l.actual) {
                        missing.push(lang.catalog.get(*f).name);
                    }
                }
            }
            requirements.push(RequirementExplained { text: &r.text, outcome: out, lines });
        }
        missing.sort_unstable();
        missing.dedup();
        let points = p.points.iter().map(|(n, part)| (*n, &part.cond, self.outcome_of(part.node))).collect();
        Explanation { outcome, score, requirements, points, failing, missing }
    }
}

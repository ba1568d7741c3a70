//! Explanations: from a program's conditions and one company's evaluation to the lines a
//! person reads ("Not eligible: employees 268, the limit is under 300"). The structure is
//! language-neutral; the web layer words it in Korean or English.

use crate::ast::Cond;
use crate::catalog::FactId;
use crate::engine::{Evaluation, NodeId, Part, Tri};
use crate::language::Language;
use crate::subject::Value;

#[derive(Debug, Clone)]
pub enum LineKind {
    /// A condition on one fact (or on the awards), with the company's value.
    Condition { cond: Cond, fact: Option<FactId>, actual: Option<Value> },
    /// A named predicate; its own conditions follow one level deeper.
    Predicate { name: String },
    /// `and`, `or`, `not` or `at_least(k)` over the lines that follow one level deeper.
    Group { op: &'static str, k: u32 },
}

#[derive(Debug, Clone)]
pub struct Line {
    pub depth: u8,
    pub outcome: Tri,
    pub text: String,
    pub kind: LineKind,
}

#[derive(Debug, Clone)]
pub struct RequirementExplained {
    pub text: String,
    pub outcome: Tri,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone)]
pub struct Explanation {
    pub outcome: Tri,
    pub score: i64,
    pub requirements: Vec<RequirementExplained>,
    /// Points rows: (points, condition text, outcome).
    pub points: Vec<(i64, String, Tri)>,
    /// Canonical text of the requirements that evaluated false.
    pub failing: Vec<String>,
    /// Missing facts behind unknown requirements, sorted by name.
    pub missing: Vec<String>,
}

impl Explanation {
    /// One requirement false and none unknown: the company is a single step away.
    pub fn one_away(&self) -> bool {
        self.outcome == Tri::False && self.failing.len() == 1 && self.requirements.iter().all(|r| r.outcome != Tri::Unknown)
    }
}

impl Evaluation<'_> {
    pub fn explain(&mut self, program: usize, lang: &Language) -> Explanation {
        let set = self.rule_set();
        let p = set.program(program).clone();
        let outcome = self.outcome(program);
        let score = self.score(program);
        let mut requirements = Vec::new();
        let mut failing = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for r in &p.requirements {
            let out = self.outcome_of(r.node);
            let mut lines = Vec::new();
            let mut pos = 0;
            self.lines(r, &r.cond, 0, &mut pos, lang, &mut lines);
            if out == Tri::False {
                failing.push(r.text.clone());
            }
            if out == Tri::Unknown {
                for l in &lines {
                    if let (Tri::Unknown, LineKind::Condition { fact: Some(f), actual: None, .. }) = (l.outcome, &l.kind) {
                        missing.push(lang.catalog.get(*f).name.to_string());
                    }
                }
            }
            requirements.push(RequirementExplained { text: r.text.clone(), outcome: out, lines });
        }
        missing.sort();
        missing.dedup();
        let points = p.points.iter().map(|(n, part)| (*n, part.text.clone(), self.outcome_of(part.node))).collect();
        Explanation { outcome, score, requirements, points, failing, missing }
    }

    fn lines(&mut self, part: &Part, c: &Cond, depth: u8, pos: &mut usize, lang: &Language, out: &mut Vec<Line>) {
        let node: NodeId = part.trace[*pos];
        *pos += 1;
        let outcome = self.outcome_of(node);
        let text = c.to_string();
        match c {
            Cond::All(items) | Cond::Any(items) | Cond::AtLeast(_, items) => {
                let (op, k) = match c {
                    Cond::All(_) => ("and", 0),
                    Cond::Any(_) => ("or", 0),
                    Cond::AtLeast(k, _) => ("at_least", *k),
                    _ => unreachable!(),
                };
                out.push(Line { depth, outcome, text, kind: LineKind::Group { op, k } });
                for i in items {
                    self.lines(part, i, depth + 1, pos, lang, out);
                }
            }
            Cond::Not(inner) => {
                out.push(Line { depth, outcome, text, kind: LineKind::Group { op: "not", k: 0 } });
                self.lines(part, inner, depth + 1, pos, lang, out);
            }
            Cond::Ref(name) => {
                out.push(Line { depth, outcome, text, kind: LineKind::Predicate { name: name.clone() } });
                let def = lang.predicate(name).expect("compiled rule").cond.clone();
                self.lines(part, &def, depth + 1, pos, lang, out);
            }
            leaf => {
                let mut facts = Vec::new();
                leaf.facts(&mut facts);
                let fact = facts.first().and_then(|f| lang.catalog.id(f));
                let actual = fact.and_then(|f| self.subject().profile.get(f).cloned());
                out.push(Line { depth, outcome, text, kind: LineKind::Condition { cond: leaf.clone(), fact, actual } });
            }
        }
    }
}

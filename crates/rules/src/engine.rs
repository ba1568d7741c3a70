//! One compiled form for many programs. Conditions are hash-consed: a leaf such as
//! `size_class in ["micro", "small", "medium"]` or a whole named predicate is stored once and
//! evaluated once per company (row evaluator) or once per block of companies (columnar
//! evaluator), however many programs use it.

use crate::ast::{CmpOp, Cond, Lit, Rule};
use crate::catalog::{FactId, FactType};
use crate::language::Language;
use crate::subject::{Subject, Value, award_this_year, award_within};
use std::collections::HashMap;

/// Kleene truth value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    False = 0,
    True = 1,
    Unknown = 2,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tri::True => "eligible",
            Tri::False => "not_eligible",
            Tri::Unknown => "unknown",
        }
    }
}

pub type NodeId = u32;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Leaf {
    /// Integers, money and dates (days).
    Ord {
        fact: FactId,
        op: CmpOp,
        v: i64,
    },
    Between {
        fact: FactId,
        lo: i64,
        hi: i64,
    },
    OrdIn {
        fact: FactId,
        set: Vec<i64>,
        negated: bool,
    },
    /// Enumerations and codes: equality and membership (sorted).
    TextIn {
        fact: FactId,
        set: Vec<String>,
        negated: bool,
    },
    BoolIs {
        fact: FactId,
        v: bool,
    },
    /// A code, or any code of a set, starts with one of the prefixes.
    Prefix {
        fact: FactId,
        prefixes: Vec<String>,
    },
    Intersects {
        fact: FactId,
        set: Vec<String>,
    },
    Missing {
        fact: FactId,
    },
    Received {
        family: String,
        years: i64,
    },
    AwardsYear {
        category: String,
        op: CmpOp,
        v: i64,
    },
}

impl Leaf {
    pub(crate) fn fact(&self) -> Option<FactId> {
        match self {
            Leaf::Ord { fact, .. }
            | Leaf::Between { fact, .. }
            | Leaf::OrdIn { fact, .. }
            | Leaf::TextIn { fact, .. }
            | Leaf::BoolIs { fact, .. }
            | Leaf::Prefix { fact, .. }
            | Leaf::Intersects { fact, .. } => Some(*fact),
            Leaf::Missing { .. } | Leaf::Received { .. } | Leaf::AwardsYear { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Leaf(u32),
    All(Vec<NodeId>),
    Any(Vec<NodeId>),
    Not(NodeId),
    AtLeast(u32, Vec<NodeId>),
    /// A named predicate around its definition; evaluates as the definition.
    Ref(u32, NodeId),
}

/// A requirement or points row of a compiled program, with the source it came from.
#[derive(Debug, Clone)]
pub struct Part {
    pub node: NodeId,
    pub cond: Cond,
    pub text: String,
    /// The explanation lines of this part, worked out once when the rule is compiled; an
    /// explanation only adds each line's outcome and the company's value.
    pub lines: Vec<crate::explain::LineTemplate>,
}

#[derive(Debug, Clone)]
pub struct CompiledProgram {
    pub root: NodeId,
    pub requirements: Vec<Part>,
    pub points: Vec<(i64, Part)>,
}

/// Many programs compiled together.
#[derive(Default)]
pub struct RuleSet {
    pub(crate) leaves: Vec<Leaf>,
    pub(crate) nodes: Vec<Node>,
    leaf_ids: HashMap<Leaf, u32>,
    node_ids: HashMap<Node, NodeId>,
    pub(crate) programs: Vec<CompiledProgram>,
    /// Per predicate index (`Node::Ref`): its name.
    pub(crate) predicate_names: Vec<String>,
    /// The same programs in flat arrays (root, requirement nodes, points), so that reading
    /// every program's outcome and score for one company touches a few contiguous vectors
    /// rather than every program's explanation templates.
    roots: Vec<NodeId>,
    req_nodes: Vec<NodeId>,
    req_start: Vec<u32>,
    points: Vec<(NodeId, i64)>,
    points_start: Vec<u32>,
}

fn lit_int(l: &Lit) -> i64 {
    match l {
        Lit::Int(n) => *n,
        Lit::Date(d) => i64::from(d.to_julian_day()),
        Lit::Bool(b) => i64::from(*b),
        Lit::Str(_) => 0,
    }
}

fn lit_str(l: &Lit) -> String {
    match l {
        Lit::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

impl RuleSet {
    pub fn new() -> RuleSet {
        RuleSet::default()
    }

    /// Adds a (checked) rule; returns its program index in this set.
    pub fn add(&mut self, rule: &Rule, lang: &Language) -> usize {
        let root = self.node_of(&rule.when, lang, &mut Vec::new());
        let part = |set: &mut RuleSet, c: &Cond| {
            let mut trace = Vec::new();
            let node = set.node_of(c, lang, &mut trace);
            let lines = crate::explain::templates(c, &trace, lang);
            Part { node, cond: c.clone(), text: c.to_string(), lines }
        };
        let requirements: Vec<Part> = rule.requirements().iter().map(|c| part(self, c)).collect();
        let points: Vec<(i64, Part)> = rule.points.iter().map(|p| (p.points, part(self, &p.when))).collect();
        if self.req_start.is_empty() {
            self.req_start.push(0);
            self.points_start.push(0);
        }
        self.roots.push(root);
        self.req_nodes.extend(requirements.iter().map(|r| r.node));
        self.req_start.push(self.req_nodes.len() as u32);
        self.points.extend(points.iter().map(|(n, p)| (p.node, *n)));
        self.points_start.push(self.points.len() as u32);
        self.programs.push(CompiledProgram { root, requirements, points });
        self.programs.len() - 1
    }

    pub fn len(&self) -> usize {
        self.programs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }

    pub fn program(&self, i: usize) -> &CompiledProgram {
        &self.programs[i]
    }

    /// Distinct leaf conditions across all programs (the work per company or block).
    pub fn distinct_leaves(&self) -> usize {
        self.leaves.len()
    }

    fn intern_node(&mut self, n: Node) -> NodeId {
        if let Some(&id) = self.node_ids.get(&n) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(n.clone());
        self.node_ids.insert(n, id);
        id
    }

    fn leaf(&mut self, l: Leaf) -> NodeId {
        let lid = match self.leaf_ids.get(&l) {
            Some(&id) => id,
            None => {
                let id = self.leaves.len() as u32;
                self.leaves.push(l.clone());
                self.leaf_ids.insert(l, id);
                id
            }
        };
        self.intern_node(Node::Leaf(lid))
    }

    fn node_of(&mut self, c: &Cond, lang: &Language, trace: &mut Vec<NodeId>) -> NodeId {
        let slot = trace.len();
        trace.push(0);
        let id = self.node_of_inner(c, lang, trace);
        trace[slot] = id;
        id
    }

    fn node_of_inner(&mut self, c: &Cond, lang: &Language, trace: &mut Vec<NodeId>) -> NodeId {
        let fid = |f: &str| lang.catalog.id(f).expect("checked rule");
        match c {
            Cond::Cmp { fact, op, value } => {
                let id = fid(fact);
                match lang.catalog.get(id).ty {
                    FactType::Bool => {
                        let v = matches!(value, Lit::Bool(true));
                        self.leaf(Leaf::BoolIs { fact: id, v: if *op == CmpOp::Eq { v } else { !v } })
                    }
                    FactType::Enum | FactType::Code => {
                        self.leaf(Leaf::TextIn { fact: id, set: vec![lit_str(value)], negated: *op == CmpOp::Ne })
                    }
                    _ => self.leaf(Leaf::Ord { fact: id, op: *op, v: lit_int(value) }),
                }
            }
            Cond::Between { fact, lo, hi } => self.leaf(Leaf::Between { fact: fid(fact), lo: lit_int(lo), hi: lit_int(hi) }),
            Cond::In { fact, negated, values } => {
                let id = fid(fact);
                if lang.catalog.get(id).ty.is_ordered() {
                    self.leaf(Leaf::OrdIn { fact: id, set: sorted(values.iter().map(lit_int).collect()), negated: *negated })
                } else {
                    self.leaf(Leaf::TextIn { fact: id, set: sorted(values.iter().map(lit_str).collect()), negated: *negated })
                }
            }
            Cond::PrefixIn { fact, prefixes } => self.leaf(Leaf::Prefix { fact: fid(fact), prefixes: sorted(prefixes.clone()) }),
            Cond::Intersects { fact, values } => self.leaf(Leaf::Intersects { fact: fid(fact), set: sorted(values.clone()) }),
            Cond::Missing(f) => self.leaf(Leaf::Missing { fact: fid(f) }),
            Cond::ReceivedWithin { family, years } => self.leaf(Leaf::Received { family: family.clone(), years: *years }),
            Cond::AwardsThisYear { category, op, value } => self.leaf(Leaf::AwardsYear { category: category.clone(), op: *op, v: *value }),
            Cond::All(items) => {
                let kids = items.iter().map(|i| self.node_of(i, lang, trace)).collect();
                self.intern_node(Node::All(kids))
            }
            Cond::Any(items) => {
                let kids = items.iter().map(|i| self.node_of(i, lang, trace)).collect();
                self.intern_node(Node::Any(kids))
            }
            Cond::AtLeast(k, items) => {
                let kids = items.iter().map(|i| self.node_of(i, lang, trace)).collect();
                self.intern_node(Node::AtLeast(*k, kids))
            }
            Cond::Not(inner) => {
                let n = self.node_of(inner, lang, trace);
                self.intern_node(Node::Not(n))
            }
            Cond::Ref(name) => {
                let pred = lang.predicate(name).expect("checked rule");
                let inner = self.node_of(&pred.cond, lang, trace);
                let pidx = match self.predicate_names.iter().position(|p| p == name) {
                    Some(i) => i,
                    None => {
                        self.predicate_names.push(name.clone());
                        self.predicate_names.len() - 1
                    }
                } as u32;
                self.intern_node(Node::Ref(pidx, inner))
            }
        }
    }

    /// Evaluates every program for one company; the evaluation keeps each node's outcome
    /// (the trace) so that any program can be explained afterwards without evaluating again.
    pub fn evaluate<'a>(&'a self, subject: &'a Subject) -> Evaluation<'a> {
        // Children are always interned before their parents, so one pass in index order
        // evaluates every node after its children: no recursion, no memo checks.
        let leaves: Vec<Tri> = self.leaves.iter().map(|l| eval_leaf(l, subject)).collect();
        let mut memo: Vec<u8> = Vec::with_capacity(self.nodes.len());
        for n in &self.nodes {
            let t = combine(n, |l| leaves[l as usize], |k| memo[k as usize]);
            memo.push(t as u8);
        }
        Evaluation { set: self, subject, memo }
    }

    /// Evaluates only the given programs (the rest stay unevaluated in the trace).
    pub fn evaluate_some<'a>(&'a self, subject: &'a Subject, programs: &[usize]) -> Evaluation<'a> {
        let mut ev = Evaluation { set: self, subject, memo: vec![UNSET; self.nodes.len()] };
        for &i in programs {
            let p = &self.programs[i];
            for r in &p.requirements {
                ev.node(r.node);
            }
            ev.node(p.root);
            for (_, part) in &p.points {
                ev.node(part.node);
            }
        }
        ev
    }
}

const UNSET: u8 = 3;

/// A node's outcome from its children's (Kleene logic, docs/rules.md §5): the one definition
/// both the flat pass over all nodes and the lazy per-program path use. Children come as the
/// trace's codes (0 false, 1 true, 2 unknown), which is what the flat pass reads.
#[inline]
fn combine(node: &Node, leaf: impl FnOnce(u32) -> Tri, mut child: impl FnMut(NodeId) -> u8) -> Tri {
    match node {
        Node::Leaf(l) => leaf(*l),
        Node::All(kids) => {
            let (mut f, mut u) = (false, false);
            for &k in kids {
                let v = child(k);
                f |= v == 0;
                u |= v == 2;
            }
            if f {
                Tri::False
            } else if u {
                Tri::Unknown
            } else {
                Tri::True
            }
        }
        Node::Any(kids) => {
            let (mut t, mut u) = (false, false);
            for &k in kids {
                let v = child(k);
                t |= v == 1;
                u |= v == 2;
            }
            if t {
                Tri::True
            } else if u {
                Tri::Unknown
            } else {
                Tri::False
            }
        }
        Node::Not(k) => match child(*k) {
            0 => Tri::True,
            1 => Tri::False,
            _ => Tri::Unknown,
        },
        Node::AtLeast(k, kids) => {
            let (mut yes, mut maybe) = (0u32, 0u32);
            for &c in kids {
                match child(c) {
                    1 => yes += 1,
                    2 => maybe += 1,
                    _ => {}
                }
            }
            if yes >= *k {
                Tri::True
            } else if yes + maybe < *k {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
        Node::Ref(_, inner) => tri(child(*inner)),
    }
}

/// One company's evaluation against a rule set: every node's outcome.
pub struct Evaluation<'a> {
    set: &'a RuleSet,
    subject: &'a Subject,
    memo: Vec<u8>,
}

fn tri(b: u8) -> Tri {
    match b {
        0 => Tri::False,
        1 => Tri::True,
        _ => Tri::Unknown,
    }
}

impl<'a> Evaluation<'a> {
    /// A node's outcome: read from the trace, or evaluated (with its children) the first time.
    #[inline]
    pub fn node(&mut self, id: NodeId) -> Tri {
        let m = self.memo[id as usize];
        if m != UNSET { tri(m) } else { self.evaluate_node(id) }
    }

    #[cold]
    fn evaluate_node(&mut self, id: NodeId) -> Tri {
        let (set, subject) = (self.set, self.subject);
        // No short-circuit: every child is evaluated so the trace is complete.
        let t = combine(&set.nodes[id as usize], |l| eval_leaf(&set.leaves[l as usize], subject), |k| self.node(k) as u8);
        self.memo[id as usize] = t as u8;
        t
    }

    /// The outcome recorded for a node (evaluating it if it was not reached).
    pub fn outcome_of(&mut self, id: NodeId) -> Tri {
        self.node(id)
    }

    pub fn outcome(&mut self, program: usize) -> Tri {
        let root = self.set.roots[program];
        self.node(root)
    }

    pub fn score(&mut self, program: usize) -> i64 {
        let set = self.set;
        let range = set.points_start[program] as usize..set.points_start[program + 1] as usize;
        set.points[range].iter().filter(|(node, _)| self.node(*node) == Tri::True).map(|(_, n)| n).sum()
    }

    /// How many requirements of a program are false and how many unknown (cheap; for
    /// "one condition away" without building explanations).
    pub fn requirement_counts(&mut self, program: usize) -> (usize, usize) {
        let set = self.set;
        let range = set.req_start[program] as usize..set.req_start[program + 1] as usize;
        let (mut f, mut u) = (0, 0);
        for &node in &set.req_nodes[range] {
            match self.node(node) {
                Tri::False => f += 1,
                Tri::Unknown => u += 1,
                Tri::True => {}
            }
        }
        (f, u)
    }

    pub fn subject(&self) -> &'a Subject {
        self.subject
    }

    pub fn rule_set(&self) -> &'a RuleSet {
        self.set
    }
}

fn eval_leaf(l: &Leaf, s: &Subject) -> Tri {
    let get = |f: FactId| s.profile.get(f);
    let int = |f| match get(f) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    };
    match l {
        Leaf::Ord { fact, op, v } => int(*fact).map_or(Tri::Unknown, |x| Tri::from_bool(op.holds(x, *v))),
        Leaf::Between { fact, lo, hi } => int(*fact).map_or(Tri::Unknown, |x| Tri::from_bool(*lo <= x && x <= *hi)),
        Leaf::OrdIn { fact, set, negated } => {
            int(*fact).map_or(Tri::Unknown, |x| Tri::from_bool(set.binary_search(&x).is_ok() != *negated))
        }
        Leaf::TextIn { fact, set, negated } => match get(*fact) {
            Some(Value::Text(t)) => Tri::from_bool(set.iter().any(|s| s == t) != *negated),
            _ => Tri::Unknown,
        },
        Leaf::BoolIs { fact, v } => match get(*fact) {
            Some(Value::Bool(b)) => Tri::from_bool(b == v),
            _ => Tri::Unknown,
        },
        Leaf::Prefix { fact, prefixes } => match get(*fact) {
            Some(Value::Text(t)) => Tri::from_bool(prefixes.iter().any(|p| t.starts_with(p.as_str()))),
            Some(Value::Codes(cs)) => Tri::from_bool(cs.iter().any(|c| prefixes.iter().any(|p| c.starts_with(p.as_str())))),
            _ => Tri::Unknown,
        },
        Leaf::Intersects { fact, set } => match get(*fact) {
            Some(Value::Codes(cs)) => Tri::from_bool(cs.iter().any(|c| set.binary_search(c).is_ok())),
            _ => Tri::Unknown,
        },
        Leaf::Missing { fact } => Tri::from_bool(get(*fact).is_none()),
        Leaf::Received { family, years } => Tri::from_bool(s.awards.iter().any(|a| award_within(a, family, *years, s.as_of))),
        Leaf::AwardsYear { category, op, v } => {
            let n = s.awards.iter().filter(|a| award_this_year(a, category, s.as_of)).count() as i64;
            Tri::from_bool(op.holds(n, *v))
        }
    }
}

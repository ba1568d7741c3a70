//! The columnar evaluator: all companies at once, as bitsets.
//!
//! Facts are stored column by column (integers as `i64`, enumerations and codes as ids into a
//! dictionary, code sets as id lists). Rows are processed in blocks of `BLOCK_ROWS`; within a
//! block every distinct leaf is computed once, as two bitsets — rows where it is definitely
//! true (T) and definitely false (F); rows in neither are unknown — and program trees combine
//! those word by word with Kleene logic (`and`: T∧T, F∨F; `or`: the mirror; `not`: swap).
//! Blocks are independent and run in parallel.

use crate::catalog::{Catalog, FactType};
use crate::engine::{Leaf, Node, NodeId, RuleSet};
use crate::subject::{Subject, Value, years_before};
use rayon::prelude::*;
use std::collections::HashMap;
use time::Date;

pub const BLOCK_ROWS: usize = 16_384;
const BW: usize = BLOCK_ROWS / 64;

/// Dictionary-encoded strings; id 0 means missing.
#[derive(Default)]
struct Dict {
    values: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dict {
    fn new() -> Dict {
        Dict { values: vec![String::new()], index: HashMap::new() }
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.values.len() as u32;
        self.values.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

enum Column {
    Ord { vals: Vec<i64>, valid: Vec<u64> },
    Text { dict: Dict, ids: Vec<u32> },
    Set { dict: Dict, offsets: Vec<u32>, ids: Vec<u32>, valid: Vec<u64> },
    Bool { vals: Vec<u64>, valid: Vec<u64> },
}

fn set_bit(bits: &mut Vec<u64>, row: usize) {
    let w = row / 64;
    if bits.len() <= w {
        bits.resize(w + 1, 0);
    }
    bits[w] |= 1 << (row % 64);
}

/// Builds columns one company at a time, so that a million companies never exist as a
/// million profile objects at once.
pub struct ColumnsBuilder {
    cols: Vec<Column>,
    n: usize,
    as_of: Date,
    families: Dict,
    categories: Dict,
    award_offsets: Vec<u32>,
    /// (family id, category id, day number)
    awards: Vec<(u32, u32, i32)>,
}

pub struct Columns {
    cols: Vec<Column>,
    n: usize,
    blocks: usize,
    as_of: Date,
    families: Dict,
    categories: Dict,
    award_offsets: Vec<u32>,
    awards: Vec<(u32, u32, i32)>,
}

impl ColumnsBuilder {
    pub fn new(catalog: &Catalog, as_of: Date) -> ColumnsBuilder {
        let cols = catalog
            .facts()
            .iter()
            .map(|f| match f.ty {
                FactType::Int | FactType::Money(_) | FactType::Date => Column::Ord { vals: Vec::new(), valid: Vec::new() },
                FactType::Enum | FactType::Code => Column::Text { dict: Dict::new(), ids: Vec::new() },
                FactType::CodeSet => Column::Set { dict: Dict::new(), offsets: vec![0], ids: Vec::new(), valid: Vec::new() },
                FactType::Bool => Column::Bool { vals: Vec::new(), valid: Vec::new() },
            })
            .collect();
        ColumnsBuilder { cols, n: 0, as_of, families: Dict::new(), categories: Dict::new(), award_offsets: vec![0], awards: Vec::new() }
    }

    /// Appends a company; its row number is the number of companies pushed before it.
    /// The subject's `as_of` must be the builder's (ages are computed for that date).
    pub fn push(&mut self, s: &Subject) {
        debug_assert_eq!(s.as_of, self.as_of);
        let row = self.n;
        for (col, v) in self.cols.iter_mut().zip(&s.profile.values) {
            match col {
                Column::Ord { vals, valid } => match v {
                    Some(Value::Int(x)) => {
                        vals.push(*x);
                        set_bit(valid, row);
                    }
                    _ => vals.push(0),
                },
                Column::Text { dict, ids } => ids.push(match v {
                    Some(Value::Text(t)) => dict.id(t),
                    _ => 0,
                }),
                Column::Set { dict, offsets, ids, valid } => {
                    if let Some(Value::Codes(cs)) = v {
                        ids.extend(cs.iter().map(|c| dict.id(c)));
                        set_bit(valid, row);
                    }
                    offsets.push(ids.len() as u32);
                }
                Column::Bool { vals, valid } => {
                    if let Some(Value::Bool(b)) = v {
                        set_bit(valid, row);
                        if *b {
                            set_bit(vals, row);
                        }
                    }
                }
            }
        }
        for a in &s.awards {
            let f = self.families.id(&a.family);
            let c = self.categories.id(&a.category);
            self.awards.push((f, c, a.awarded_on.to_julian_day()));
        }
        self.award_offsets.push(self.awards.len() as u32);
        self.n += 1;
    }

    pub fn finish(mut self) -> Columns {
        let blocks = self.n.div_ceil(BLOCK_ROWS).max(1);
        let words = blocks * BW;
        for col in &mut self.cols {
            match col {
                Column::Ord { valid, .. } | Column::Set { valid, .. } => valid.resize(words, 0),
                Column::Bool { vals, valid } => {
                    vals.resize(words, 0);
                    valid.resize(words, 0);
                }
                Column::Text { .. } => {}
            }
        }
        Columns {
            cols: self.cols,
            n: self.n,
            blocks,
            as_of: self.as_of,
            families: self.families,
            categories: self.categories,
            award_offsets: self.award_offsets,
            awards: self.awards,
        }
    }
}

impl Columns {
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn as_of(&self) -> Date {
        self.as_of
    }
}

/// What a leaf needs beyond its definition, worked out once per run: for dictionary columns,
/// which dictionary entries satisfy it.
enum Prep {
    None,
    Table(Vec<bool>),
    Award(u32),
}

/// Outcomes of several programs over all rows: per block, per program, the eligible and the
/// unknown bits (rows in neither are not eligible).
pub struct Matrix {
    n: usize,
    programs: usize,
    blocks: Vec<(Vec<u64>, Vec<u64>)>,
}

impl Matrix {
    fn words(&self, block: usize, p: usize) -> (&[u64], &[u64]) {
        let (e, u) = &self.blocks[block];
        (&e[p * BW..(p + 1) * BW], &u[p * BW..(p + 1) * BW])
    }

    pub fn programs(&self) -> usize {
        self.programs
    }

    pub fn rows(&self) -> usize {
        self.n
    }

    /// (eligible, unknown) counts for the `p`-th program of the run.
    pub fn count(&self, p: usize) -> (usize, usize) {
        let (mut e, mut u) = (0, 0);
        for b in 0..self.blocks.len() {
            let (ew, uw) = self.words(b, p);
            e += ew.iter().map(|w| w.count_ones() as usize).sum::<usize>();
            u += uw.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        }
        (e, u)
    }

    pub fn is_eligible(&self, p: usize, row: usize) -> bool {
        let (e, _) = self.words(row / BLOCK_ROWS, p);
        let r = row % BLOCK_ROWS;
        e[r / 64] >> (r % 64) & 1 == 1
    }

    pub fn is_unknown(&self, p: usize, row: usize) -> bool {
        let (_, u) = self.words(row / BLOCK_ROWS, p);
        let r = row % BLOCK_ROWS;
        u[r / 64] >> (r % 64) & 1 == 1
    }

    /// Rows where program `p` is eligible, in order.
    pub fn eligible_rows(&self, p: usize) -> Vec<u32> {
        let mut out = Vec::new();
        for b in 0..self.blocks.len() {
            let (ew, _) = self.words(b, p);
            for (w, &word) in ew.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let j = bits.trailing_zeros() as usize;
                    out.push((b * BLOCK_ROWS + w * 64 + j) as u32);
                    bits &= bits - 1;
                }
            }
        }
        out
    }

    /// Bytes held by the result bitsets.
    pub fn heap_bytes(&self) -> usize {
        self.blocks.iter().map(|(e, u)| (e.len() + u.len()) * 8).sum()
    }
}

impl RuleSet {
    /// Evaluates the given programs over every row of `cols`.
    pub fn matrix(&self, cols: &Columns, programs: &[usize]) -> Matrix {
        let preps: Vec<Prep> = self.leaves.iter().map(|l| prepare(l, cols)).collect();
        let roots: Vec<NodeId> = programs.iter().map(|&p| self.programs[p].root).collect();
        let blocks = (0..cols.blocks)
            .into_par_iter()
            .map(|b| {
                let mut ctx = Ctx::new(self, cols, &preps, b);
                let mut elig = vec![0u64; roots.len() * BW];
                let mut unk = vec![0u64; roots.len() * BW];
                let mut buf = vec![0u64; 2 * BW];
                for (i, &root) in roots.iter().enumerate() {
                    ctx.eval_into(root, &mut buf);
                    let (t, f) = buf.split_at(BW);
                    for w in 0..ctx.words {
                        elig[i * BW + w] = t[w];
                        unk[i * BW + w] = !(t[w] | f[w]) & ctx.mask[w];
                    }
                }
                (elig, unk)
            })
            .collect();
        Matrix { n: cols.n, programs: roots.len(), blocks }
    }
}

fn prepare(l: &Leaf, cols: &Columns) -> Prep {
    let table = |fact: usize, f: &dyn Fn(&str) -> bool| match &cols.cols[fact] {
        Column::Text { dict, .. } | Column::Set { dict, .. } => {
            Prep::Table(dict.values.iter().enumerate().map(|(i, v)| i != 0 && f(v)).collect())
        }
        _ => Prep::None,
    };
    match l {
        Leaf::TextIn { fact, set, .. } => table(*fact, &|v| set.binary_search_by(|s| s.as_str().cmp(v)).is_ok()),
        Leaf::Prefix { fact, prefixes } => table(*fact, &|v| prefixes.iter().any(|p| v.starts_with(p.as_str()))),
        Leaf::Intersects { fact, set } => table(*fact, &|v| set.binary_search_by(|s| s.as_str().cmp(v)).is_ok()),
        Leaf::Received { family, .. } => Prep::Award(cols.families.index.get(family).copied().unwrap_or(u32::MAX)),
        Leaf::AwardsYear { category, .. } => Prep::Award(cols.categories.index.get(category).copied().unwrap_or(u32::MAX)),
        _ => Prep::None,
    }
}

struct Ctx<'a> {
    set: &'a RuleSet,
    cols: &'a Columns,
    preps: &'a [Prep],
    block: usize,
    /// First row of the block and number of 64-row words it covers.
    base: usize,
    words: usize,
    /// Ones for rows that exist (the last block may be partial).
    mask: Vec<u64>,
    /// Leaves and named predicates, each computed once per block: [T | F].
    cache: HashMap<NodeId, Vec<u64>>,
    pool: Vec<Vec<u64>>,
}

impl<'a> Ctx<'a> {
    fn new(set: &'a RuleSet, cols: &'a Columns, preps: &'a [Prep], block: usize) -> Ctx<'a> {
        let base = block * BLOCK_ROWS;
        let rows = cols.n.saturating_sub(base).min(BLOCK_ROWS);
        let words = rows.div_ceil(64);
        let mut mask = vec![0u64; BW];
        for (w, m) in mask.iter_mut().enumerate().take(words) {
            let left = rows - w * 64;
            *m = if left >= 64 { u64::MAX } else { (1u64 << left) - 1 };
        }
        Ctx { set, cols, preps, block, base, words, mask, cache: HashMap::new(), pool: Vec::new() }
    }

    fn take(&mut self) -> Vec<u64> {
        self.pool.pop().unwrap_or_else(|| vec![0u64; 2 * BW])
    }

    fn cached(&mut self, node: NodeId) -> bool {
        if self.cache.contains_key(&node) {
            return true;
        }
        let mut buf = vec![0u64; 2 * BW];
        match &self.set.nodes[node as usize] {
            Node::Leaf(l) => self.leaf(*l as usize, &mut buf),
            Node::Ref(_, inner) => self.eval_into(*inner, &mut buf),
            _ => return false,
        }
        self.cache.insert(node, buf);
        true
    }

    /// Writes the node's [T | F] bitsets for this block into `out`.
    fn eval_into(&mut self, node: NodeId, out: &mut [u64]) {
        let words = self.words;
        if self.cached(node) {
            out.copy_from_slice(&self.cache[&node]);
            return;
        }
        match &self.set.nodes[node as usize] {
            Node::All(kids) | Node::Any(kids) => {
                let all = matches!(self.set.nodes[node as usize], Node::All(_));
                let kids = kids.clone();
                self.eval_into(kids[0], out);
                let mut tmp = self.take();
                for &k in &kids[1..] {
                    let src: &[u64] = if self.cached(k) {
                        &self.cache[&k]
                    } else {
                        self.eval_into(k, &mut tmp);
                        &tmp
                    };
                    let (ot, of) = out.split_at_mut(BW);
                    let (st, sf) = src.split_at(BW);
                    let mut settled = true;
                    for w in 0..words {
                        if all {
                            ot[w] &= st[w];
                            of[w] |= sf[w];
                            settled &= of[w] == self.mask[w];
                        } else {
                            ot[w] |= st[w];
                            of[w] &= sf[w];
                            settled &= ot[w] == self.mask[w];
                        }
                    }
                    // Every row already decided (all false for `and`, all true for `or`).
                    if settled {
                        break;
                    }
                }
                self.pool.push(tmp);
            }
            Node::Not(k) => {
                let k = *k;
                self.eval_into(k, out);
                let (t, f) = out.split_at_mut(BW);
                t[..words].swap_with_slice(&mut f[..words]);
            }
            Node::AtLeast(k, kids) => {
                // Counters wide enough for the largest rule (500 conditions).
                let (k, kids) = (*k as u16, kids.clone());
                let mut yes = vec![0u16; words * 64];
                let mut maybe = vec![0u16; words * 64];
                let mut tmp = self.take();
                for &c in &kids {
                    self.eval_into(c, &mut tmp);
                    for w in 0..words {
                        let (t, f) = (tmp[w], tmp[BW + w]);
                        for j in 0..64 {
                            yes[w * 64 + j] += (t >> j & 1) as u16;
                            maybe[w * 64 + j] += (!(t | f) >> j & 1) as u16;
                        }
                    }
                }
                self.pool.push(tmp);
                for w in 0..words {
                    let (mut t, mut f) = (0u64, 0u64);
                    for j in 0..64 {
                        let (y, m) = (yes[w * 64 + j], maybe[w * 64 + j]);
                        t |= u64::from(y >= k) << j;
                        f |= u64::from(y + m < k) << j;
                    }
                    out[w] = t & self.mask[w];
                    out[BW + w] = f & self.mask[w];
                }
            }
            Node::Leaf(_) | Node::Ref(..) => unreachable!("cached above"),
        }
    }

    fn leaf(&self, l: usize, out: &mut [u64]) {
        let (words, base, wbase) = (self.words, self.base, self.block * BW);
        let n = self.cols.n;
        let leaf = &self.set.leaves[l];
        let ord = |vals: &[i64], valid: &[u64], out: &mut [u64], pred: &dyn Fn(i64) -> bool| {
            ord_kernel(vals, valid, out, base, wbase, words, n, pred);
        };
        let fact_col = leaf.fact().map(|f| &self.cols.cols[f]);
        match (leaf, fact_col) {
            (Leaf::Ord { op, v, .. }, Some(Column::Ord { vals, valid })) => {
                let v = *v;
                macro_rules! k {
                    ($pred:expr) => {
                        ord_kernel(vals, valid, out, base, wbase, words, n, $pred)
                    };
                }
                match op {
                    crate::CmpOp::Lt => k!(|x| x < v),
                    crate::CmpOp::Le => k!(|x| x <= v),
                    crate::CmpOp::Gt => k!(|x| x > v),
                    crate::CmpOp::Ge => k!(|x| x >= v),
                    crate::CmpOp::Eq => k!(|x| x == v),
                    crate::CmpOp::Ne => k!(|x| x != v),
                }
            }
            (Leaf::Between { lo, hi, .. }, Some(Column::Ord { vals, valid })) => {
                let (lo, hi) = (*lo, *hi);
                ord_kernel(vals, valid, out, base, wbase, words, n, |x| lo <= x && x <= hi)
            }
            (Leaf::OrdIn { set, negated, .. }, Some(Column::Ord { vals, valid })) => {
                let neg = *negated;
                ord(vals, valid, out, &|x| set.binary_search(&x).is_ok() != neg)
            }
            (Leaf::BoolIs { v, .. }, Some(Column::Bool { vals, valid })) => {
                for w in 0..words {
                    let (b, ok) = (vals[wbase + w], valid[wbase + w]);
                    let t = if *v { b } else { !b };
                    out[w] = t & ok;
                    out[BW + w] = !t & ok;
                }
            }
            (Leaf::TextIn { .. } | Leaf::Prefix { .. }, Some(Column::Text { ids, .. })) => {
                // The table already answers membership; `not in` flips it for present rows.
                let neg = matches!(leaf, Leaf::TextIn { negated: true, .. });
                let Prep::Table(table) = &self.preps[l] else { unreachable!() };
                for w in 0..words {
                    let s = base + w * 64;
                    let e = (s + 64).min(n);
                    let (mut bits, mut ok) = (0u64, 0u64);
                    for (j, &id) in ids[s..e].iter().enumerate() {
                        bits |= u64::from(table[id as usize] != neg) << j;
                        ok |= u64::from(id != 0) << j;
                    }
                    out[w] = bits & ok;
                    out[BW + w] = !bits & ok;
                }
            }
            (Leaf::Prefix { .. } | Leaf::Intersects { .. }, Some(Column::Set { offsets, ids, valid, .. })) => {
                let Prep::Table(table) = &self.preps[l] else { unreachable!() };
                for w in 0..words {
                    let s = base + w * 64;
                    let e = (s + 64).min(n);
                    let mut bits = 0u64;
                    for (j, row) in (s..e).enumerate() {
                        let hit = ids[offsets[row] as usize..offsets[row + 1] as usize].iter().any(|&id| table[id as usize]);
                        bits |= u64::from(hit) << j;
                    }
                    let v = valid[wbase + w];
                    out[w] = bits & v;
                    out[BW + w] = !bits & v;
                }
            }
            (Leaf::Missing { fact }, _) => {
                for w in 0..words {
                    let present = match &self.cols.cols[*fact] {
                        Column::Ord { valid, .. } | Column::Set { valid, .. } | Column::Bool { valid, .. } => valid[wbase + w],
                        Column::Text { ids, .. } => {
                            let s = base + w * 64;
                            let e = (s + 64).min(n);
                            ids[s..e].iter().enumerate().fold(0u64, |acc, (j, &id)| acc | (u64::from(id != 0) << j))
                        }
                    };
                    out[w] = !present & self.mask[w];
                    out[BW + w] = present & self.mask[w];
                }
            }
            (Leaf::Received { years, .. }, _) => {
                let Prep::Award(fam) = self.preps[l] else { unreachable!() };
                let from = years_before(self.cols.as_of, *years).to_julian_day();
                let to = self.cols.as_of.to_julian_day();
                self.award_bits(out, |list| list.iter().any(|&(f, _, d)| f == fam && d > from && d <= to));
            }
            (Leaf::AwardsYear { op, v, .. }, _) => {
                let Prep::Award(cat) = self.preps[l] else { unreachable!() };
                let year = self.cols.as_of.year();
                let (op, v) = (*op, *v);
                self.award_bits(out, |list| {
                    let n = list.iter().filter(|&&(_, c, d)| c == cat && Date::from_julian_day(d).is_ok_and(|d| d.year() == year)).count();
                    op.holds(n as i64, v)
                });
            }
            _ => unreachable!("leaf compiled against a column of another type"),
        }
    }

    /// Awards are always known (no award is an empty list): T where `pred` holds, F elsewhere.
    fn award_bits(&self, out: &mut [u64], pred: impl Fn(&[(u32, u32, i32)]) -> bool) {
        let (base, n) = (self.base, self.cols.n);
        for w in 0..self.words {
            let s = base + w * 64;
            let e = (s + 64).min(n);
            let mut bits = 0u64;
            for (j, row) in (s..e).enumerate() {
                let (a, b) = (self.cols.award_offsets[row] as usize, self.cols.award_offsets[row + 1] as usize);
                if pred(&self.cols.awards[a..b]) {
                    bits |= 1 << j;
                }
            }
            out[w] = bits & self.mask[w];
            out[BW + w] = !bits & self.mask[w];
        }
    }
}

/// Bits of `pred` over the rows of a block, 64 at a time: T where it holds on a known value,
/// F where it fails on one. Generic so that each comparison compiles to its own tight loop.
#[allow(clippy::too_many_arguments)]
#[inline]
fn ord_kernel(vals: &[i64], valid: &[u64], out: &mut [u64], base: usize, wbase: usize, words: usize, n: usize, pred: impl Fn(i64) -> bool) {
    for w in 0..words {
        let s = base + w * 64;
        let e = (s + 64).min(n);
        let mut bits = 0u64;
        for (j, x) in vals[s..e].iter().enumerate() {
            bits |= u64::from(pred(*x)) << j;
        }
        let v = valid[wbase + w];
        out[w] = bits & v;
        out[BW + w] = !bits & v;
    }
}

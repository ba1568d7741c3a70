//! The text form: a hand-written lexer and recursive-descent parser that checks each
//! condition against the language as it builds it, so errors carry a line and column.

use crate::ast::{CmpOp, Cond, Lit, PointsRow, Rule};
use crate::error::{ErrorKind, RuleError};
use crate::language::{Language, MAX_CONDITIONS, MAX_DEPTH, MAX_TEXT_BYTES};
use time::{Date, Month};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Date(Date),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Int(n) => n.to_string(),
            Tok::Date(d) => d.to_string(),
            Tok::Op(op) => format!("`{}`", op.symbol()),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Eof => "the end of the rule".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: u32,
    col: u32,
}

fn lex(text: &str) -> Result<Vec<Token>, RuleError> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let start = i;
        let tok = if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        } else if c.is_whitespace() {
            i += 1;
            col += 1;
            continue;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            number_or_date(&raw).map_err(|k| RuleError::at(k, tl, tc))?
        } else if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None | Some('\n') => return Err(RuleError::at(ErrorKind::UnterminatedString, tl, tc)),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        match chars.get(i + 1) {
                            Some('n') => s.push('\n'),
                            Some(&e @ ('"' | '\\')) => s.push(e),
                            _ => {
                                return Err(RuleError::at(
                                    ErrorKind::Expected { expected: "\\\" \\\\ or \\n".into(), found: "`\\`".into() },
                                    tl,
                                    tc,
                                ));
                            }
                        }
                        i += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            Tok::Str(s)
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (tok, len) = match (c, two.as_str()) {
                (_, "<=") => (Tok::Op(CmpOp::Le), 2),
                (_, ">=") => (Tok::Op(CmpOp::Ge), 2),
                (_, "==") => (Tok::Op(CmpOp::Eq), 2),
                (_, "!=") => (Tok::Op(CmpOp::Ne), 2),
                ('<', _) => (Tok::Op(CmpOp::Lt), 1),
                ('>', _) => (Tok::Op(CmpOp::Gt), 1),
                ('(', _) => (Tok::LParen, 1),
                (')', _) => (Tok::RParen, 1),
                ('[', _) => (Tok::LBracket, 1),
                (']', _) => (Tok::RBracket, 1),
                (',', _) => (Tok::Comma, 1),
                _ => {
                    return Err(RuleError::at(ErrorKind::Expected { expected: "a condition".into(), found: format!("`{c}`") }, tl, tc));
                }
            };
            i += len;
            tok
        };
        col += (i - start) as u32;
        out.push(Token { tok, line: tl, col: tc });
    }
    out.push(Token { tok: Tok::Eof, line, col });
    Ok(out)
}

fn number_or_date(raw: &str) -> Result<Tok, ErrorKind> {
    let b = raw.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |s: &str| s.parse::<u32>().ok();
        let parsed = (|| {
            let y = num(&raw[0..4])? as i32;
            let m = Month::try_from(num(&raw[5..7])? as u8).ok()?;
            Date::from_calendar_date(y, m, num(&raw[8..10])? as u8).ok()
        })();
        return parsed.map(Tok::Date).ok_or_else(|| ErrorKind::BadDate(raw.to_string()));
    }
    let (neg, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__");
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    // Parsed wider, then narrowed, so that i64::MIN (which the JSON form accepts) reads back.
    let value = clean.parse::<i128>().ok().map(|n| if neg { -n } else { n }).and_then(|n| i64::try_from(n).ok());
    match (well_formed, value) {
        (true, Some(n)) => Ok(Tok::Int(n)),
        _ => Err(ErrorKind::BadNumber(raw.to_string())),
    }
}

/// Words that cannot name a fact or predicate.
const KEYWORDS: [&str; 12] = ["and", "or", "not", "in", "between", "points", "eligible", "if", "true", "false", "prefix_in", "intersects"];

struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    lang: &'a Language,
    depth: usize,
}

type PResult<T> = Result<T, RuleError>;

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        &self.toks[self.pos]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn err_here<T>(&self, expected: &str) -> PResult<T> {
        let t = self.peek();
        Err(RuleError::at(ErrorKind::Expected { expected: expected.to_string(), found: t.tok.describe() }, t.line, t.col))
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s == kw)
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.is_kw(kw) {
            self.next();
            Ok(())
        } else {
            self.err_here(&format!("`{kw}`"))
        }
    }

    fn expect(&mut self, want: Tok, what: &str) -> PResult<()> {
        if self.peek().tok == want {
            self.next();
            Ok(())
        } else {
            self.err_here(what)
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(RuleError::at(ErrorKind::TooDeep { limit: MAX_DEPTH }, t.line, t.col));
        }
        Ok(())
    }

    fn rule(&mut self) -> PResult<Rule> {
        self.expect_kw("eligible")?;
        self.expect_kw("if")?;
        let when = self.expr()?;
        let mut points = Vec::new();
        if self.is_kw("points") {
            self.next();
            loop {
                let t = self.peek().clone();
                let n = match t.tok {
                    Tok::Int(n) => n,
                    _ if points.is_empty() => return self.err_here("a number of points"),
                    _ => break,
                };
                self.next();
                if !(-1000..=1000).contains(&n) {
                    return Err(RuleError::at(ErrorKind::PointsRange, t.line, t.col));
                }
                self.expect_kw("if")?;
                points.push(PointsRow { points: n, when: self.expr()? });
            }
        }
        if self.peek().tok != Tok::Eof {
            return self.err_here(if points.is_empty() {
                "`and`, `or`, `points` or the end of the rule"
            } else {
                "`and`, `or`, points or the end of the rule"
            });
        }
        let size = when.size() + points.iter().map(|p| p.when.size()).sum::<usize>();
        if size > MAX_CONDITIONS {
            return Err(RuleError::at(ErrorKind::TooManyConditions { limit: MAX_CONDITIONS }, 1, 1));
        }
        if when.depth() > MAX_DEPTH || points.iter().any(|p| p.when.depth() > MAX_DEPTH) {
            return Err(RuleError::at(ErrorKind::TooDeep { limit: MAX_DEPTH }, 1, 1));
        }
        Ok(Rule { when, points })
    }

    fn expr(&mut self) -> PResult<Cond> {
        self.enter()?;
        let start = self.peek().clone();
        let mut items = vec![self.and_expr()?];
        while self.is_kw("or") {
            self.next();
            items.push(self.and_expr()?);
        }
        self.depth -= 1;
        if items.len() == 1 { Ok(items.pop().unwrap()) } else { self.checked(Cond::Any(items), &start) }
    }

    fn and_expr(&mut self) -> PResult<Cond> {
        let start = self.peek().clone();
        let mut items = vec![self.unary()?];
        while self.is_kw("and") {
            self.next();
            items.push(self.unary()?);
        }
        if items.len() == 1 { Ok(items.pop().unwrap()) } else { self.checked(Cond::All(items), &start) }
    }

    fn unary(&mut self) -> PResult<Cond> {
        if self.is_kw("not") {
            self.next();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn checked(&self, c: Cond, at: &Token) -> PResult<Cond> {
        self.lang.check_node(&c).map_err(|k| RuleError::at(k, at.line, at.col))?;
        Ok(c)
    }

    fn string(&mut self, what: &str) -> PResult<String> {
        match self.peek().tok.clone() {
            Tok::Str(s) => {
                self.next();
                Ok(s)
            }
            _ => self.err_here(what),
        }
    }

    fn int(&mut self, what: &str) -> PResult<i64> {
        match self.peek().tok {
            Tok::Int(n) => {
                self.next();
                Ok(n)
            }
            _ => self.err_here(what),
        }
    }

    fn literal(&mut self) -> PResult<Lit> {
        let lit = match self.peek().tok.clone() {
            Tok::Int(n) => Lit::Int(n),
            Tok::Str(s) => Lit::Str(s),
            Tok::Date(d) => Lit::Date(d),
            Tok::Ident(s) if s == "true" => Lit::Bool(true),
            Tok::Ident(s) if s == "false" => Lit::Bool(false),
            _ => return self.err_here("a value (number, \"text\", date or true/false)"),
        };
        self.next();
        Ok(lit)
    }

    fn list(&mut self) -> PResult<Vec<Lit>> {
        self.expect(Tok::LBracket, "`[`")?;
        let mut items = Vec::new();
        if self.peek().tok != Tok::RBracket {
            loop {
                items.push(self.literal()?);
                if self.peek().tok == Tok::Comma {
                    self.next();
                } else {
                    break;
                }
            }
        }
        self.expect(Tok::RBracket, "`,` or `]`")?;
        Ok(items)
    }

    fn string_list(&mut self, fact: &str) -> PResult<Vec<String>> {
        let at = self.peek().clone();
        self.list()?
            .into_iter()
            .map(|l| match l {
                Lit::Str(s) => Ok(s),
                other => Err(RuleError::at(
                    ErrorKind::ValueType { fact: fact.to_string(), expected: "text", found: other.to_string() },
                    at.line,
                    at.col,
                )),
            })
            .collect()
    }

    fn primary(&mut self) -> PResult<Cond> {
        let start = self.peek().clone();
        match start.tok.clone() {
            Tok::LParen => {
                self.next();
                let c = self.expr()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(c)
            }
            Tok::Ident(name) => {
                self.next();
                match name.as_str() {
                    "missing" => {
                        self.expect(Tok::LParen, "`(`")?;
                        let fact = match self.next().tok {
                            Tok::Ident(f) => f,
                            _ => {
                                self.pos -= 1;
                                return self.err_here("a fact name");
                            }
                        };
                        self.expect(Tok::RParen, "`)`")?;
                        self.checked(Cond::Missing(fact), &start)
                    }
                    "at_least" => {
                        self.expect(Tok::LParen, "`(`")?;
                        let k = self.int("a number")?;
                        self.expect(Tok::Comma, "`,`")?;
                        self.expect(Tok::LBracket, "`[`")?;
                        let mut items = Vec::new();
                        if self.peek().tok != Tok::RBracket {
                            loop {
                                items.push(self.expr()?);
                                if self.peek().tok == Tok::Comma {
                                    self.next();
                                } else {
                                    break;
                                }
                            }
                        }
                        self.expect(Tok::RBracket, "`,` or `]`")?;
                        self.expect(Tok::RParen, "`)`")?;
                        if k < 1 || k as usize > items.len() {
                            return Err(RuleError::at(ErrorKind::AtLeast { k, n: items.len() }, start.line, start.col));
                        }
                        self.checked(Cond::AtLeast(k as u32, items), &start)
                    }
                    "received_within" => {
                        self.expect(Tok::LParen, "`(`")?;
                        let family = self.string("a program family in quotes")?;
                        self.expect(Tok::Comma, "`,`")?;
                        let years = self.int("a number of years")?;
                        self.expect(Tok::RParen, "`)`")?;
                        self.checked(Cond::ReceivedWithin { family, years }, &start)
                    }
                    "awards_this_year" => {
                        self.expect(Tok::LParen, "`(`")?;
                        let category = self.string("a program category in quotes")?;
                        self.expect(Tok::RParen, "`)`")?;
                        let op = match self.peek().tok {
                            Tok::Op(op) => op,
                            _ => return self.err_here("a comparison (`<`, `<=`, `==`, …)"),
                        };
                        self.next();
                        let value = self.int("a number")?;
                        self.checked(Cond::AwardsThisYear { category, op, value }, &start)
                    }
                    kw if KEYWORDS.contains(&kw) => Err(RuleError::at(
                        ErrorKind::Expected { expected: "a condition".into(), found: start.tok.describe() },
                        start.line,
                        start.col,
                    )),
                    _ => self.after_name(name, &start),
                }
            }
            _ => self.err_here("a condition"),
        }
    }

    fn after_name(&mut self, fact: String, start: &Token) -> PResult<Cond> {
        let cond = match self.peek().tok.clone() {
            Tok::Op(op) => {
                self.next();
                Cond::Cmp { fact, op, value: self.literal()? }
            }
            Tok::Ident(kw) if kw == "between" => {
                self.next();
                let lo = self.literal()?;
                self.expect_kw("and")?;
                let hi = self.literal()?;
                Cond::Between { fact, lo, hi }
            }
            Tok::Ident(kw) if kw == "in" => {
                self.next();
                Cond::In { fact, negated: false, values: self.list()? }
            }
            Tok::Ident(kw) if kw == "not" && matches!(&self.toks[self.pos + 1].tok, Tok::Ident(s) if s == "in") => {
                self.next();
                self.next();
                Cond::In { fact, negated: true, values: self.list()? }
            }
            Tok::Ident(kw) if kw == "prefix_in" => {
                self.next();
                let prefixes = self.string_list(&fact)?;
                Cond::PrefixIn { fact, prefixes }
            }
            Tok::Ident(kw) if kw == "intersects" => {
                self.next();
                let values = self.string_list(&fact)?;
                Cond::Intersects { fact, values }
            }
            _ => {
                let next = self.peek().clone();
                return self.lang.resolve_name(&fact).map_err(|k| match k {
                    // Point at where the comparison should have been.
                    ErrorKind::NeedsComparison { fact, fact_type, .. } => {
                        RuleError::at(ErrorKind::NeedsComparison { fact, fact_type, found: next.tok.describe() }, next.line, next.col)
                    }
                    k => RuleError::at(k, start.line, start.col),
                });
            }
        };
        self.checked(cond, start)
    }
}

/// Parses and checks a whole rule (`eligible if … [points …]`).
pub fn parse_rule(text: &str, lang: &Language) -> Result<Rule, RuleError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(RuleError::at(ErrorKind::TooLong { limit: MAX_TEXT_BYTES }, 1, 1));
    }
    let mut p = Parser { toks: lex(text)?, pos: 0, lang, depth: 0 };
    p.rule()
}

/// Parses and checks a single condition (used for the built-in predicates).
pub fn parse_condition(text: &str, lang: &Language) -> Result<Cond, RuleError> {
    let mut p = Parser { toks: lex(text)?, pos: 0, lang, depth: 0 };
    let c = p.expr()?;
    if p.peek().tok != Tok::Eof {
        return p.err_here("the end of the condition");
    }
    Ok(c)
}

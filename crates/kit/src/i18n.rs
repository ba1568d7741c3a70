//! Korean first, English everywhere: message lookup and locale-aware formatting.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "ko-KR",
        // Unicode isolation marks around arguments show up as stray characters in HTML and CSV.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ko" | "ko-kr" | "kr" => Some(Lang::Ko),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    fn id(self) -> fluent_templates::LanguageIdentifier {
        match self {
            Lang::Ko => fluent_templates::langid!("ko-KR"),
            Lang::En => fluent_templates::langid!("en-US"),
        }
    }
    /// Picks the first of our languages in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Lang::parse(primary)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A piece of a cached message pattern (see `Tr::fill`).
enum Piece {
    Text(String),
    Arg(usize),
}

/// First of the private-use characters that stand for arguments while a pattern is made.
const PLACEHOLDER: u32 = 0xF0000;

/// The translator handed to every template as `t`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }
    /// A message by id; a missing id shows itself, so a gap is visible rather than blank.
    /// Messages without arguments never change while the process runs, so each thread keeps
    /// the ones it has formatted (pages ask for the same labels thousands of times a second).
    pub fn t(&self, key: &str) -> String {
        thread_local! {
            static CACHE: std::cell::RefCell<[HashMap<String, String>; 2]> = std::cell::RefCell::new(Default::default());
        }
        let slot = usize::from(self.lang != Lang::Ko);
        CACHE.with(|c| {
            if let Some(v) = c.borrow()[slot].get(key) {
                return v.clone();
            }
            // Only messages that exist are kept: the set is bounded by the catalogue, whatever
            // keys requests make us look up.
            match LOCALES.try_lookup(&self.lang.id(), key) {
                Some(v) => {
                    c.borrow_mut()[slot].insert(key.to_string(), v.clone());
                    v
                }
                None => key.to_string(),
            }
        })
    }
    /// A message with one argument named `arg`.
    pub fn ta(&self, key: &str, arg: &str) -> String {
        self.fill(key, &[("arg", arg)])
    }
    /// A message with named arguments.
    pub fn targs(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.fill(key, &args)
    }

    /// Formats a message with string arguments. Our messages only place their arguments (no
    /// selectors, and every argument is already formatted text), so each (message, argument
    /// names) is formatted once per thread with placeholder characters and then reused as a
    /// pattern: the result is what Fluent would produce, without running Fluent per call.
    fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        thread_local! {
            static PATTERNS: std::cell::RefCell<[HashMap<String, Vec<Piece>>; 2]> = std::cell::RefCell::new(Default::default());
        }
        let slot = usize::from(self.lang != Lang::Ko);
        let mut cache_key = String::with_capacity(key.len() + 16);
        cache_key.push_str(key);
        for (name, _) in args {
            cache_key.push('\u{0}');
            cache_key.push_str(name);
        }
        PATTERNS.with(|c| {
            if !c.borrow()[slot].contains_key(&cache_key) {
                match self.pattern(key, args) {
                    Some(pattern) => c.borrow_mut()[slot].insert(cache_key.clone(), pattern),
                    // Unknown messages are not kept (see `t`).
                    None => return key.to_string(),
                };
            }
            match c.borrow()[slot].get(&cache_key) {
                None => key.to_string(),
                Some(pieces) => {
                    let mut out = String::with_capacity(64);
                    for piece in pieces {
                        match piece {
                            Piece::Text(t) => out.push_str(t),
                            Piece::Arg(i) => out.push_str(args[*i].1),
                        }
                    }
                    out
                }
            }
        })
    }

    fn pattern(&self, key: &str, args: &[(&str, &str)]) -> Option<Vec<Piece>> {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (i, (name, _)) in args.iter().enumerate() {
            let marker = char::from_u32(PLACEHOLDER + i as u32).expect("private-use character");
            map.insert(Cow::Owned(name.to_string()), FluentValue::from(marker.to_string()));
        }
        let formatted = LOCALES.try_lookup_with_args(&self.lang.id(), key, &map)?;
        let mut pieces = Vec::new();
        let mut text = String::new();
        for ch in formatted.chars() {
            let code = ch as u32;
            if (PLACEHOLDER..PLACEHOLDER + args.len() as u32).contains(&code) {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Arg((code - PLACEHOLDER) as usize));
            } else {
                text.push(ch);
            }
        }
        pieces.push(Piece::Text(text));
        Some(pieces)
    }
    /// The translated text of a field error.
    pub fn field_error(&self, e: &domain::FieldError) -> String {
        match &e.arg {
            Some(a) => self.ta(e.code, a),
            None => self.t(e.code),
        }
    }
    pub fn is_ko(&self) -> bool {
        self.lang == Lang::Ko
    }
    /// Picks the Korean or English variant of a name (English falls back to Korean when empty).
    pub fn pick<'a>(&self, ko: &'a str, en: &'a str) -> &'a str {
        if (self.lang == Lang::En && !en.is_empty()) || ko.is_empty() { en } else { ko }
    }

    /// `1234567` → `1,234,567` in both languages.
    pub fn num(&self, n: impl std::borrow::Borrow<i64>) -> String {
        group_digits(*n.borrow())
    }
    pub fn krw(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        match self.lang {
            Lang::Ko => format!("{}원", group_digits(n)),
            Lang::En => format!("KRW {}", group_digits(n)),
        }
    }
    pub fn usd(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        match self.lang {
            Lang::Ko => format!("{}달러", group_digits(n)),
            Lang::En => format!("USD {}", group_digits(n)),
        }
    }
    /// An ISO date (or the date part of an ISO timestamp) as people read it.
    pub fn date(&self, iso: &str) -> String {
        let d = iso.get(..10).unwrap_or(iso);
        let mut parts = d.split('-');
        let (Some(y), Some(m), Some(day)) = (parts.next(), parts.next(), parts.next()) else { return iso.to_string() };
        let (Ok(m), Ok(day)) = (m.parse::<usize>(), day.parse::<u32>()) else { return iso.to_string() };
        match self.lang {
            Lang::Ko => format!("{y}년 {m}월 {day}일"),
            Lang::En => {
                const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{day} {} {y}", MONTHS.get(m.wrapping_sub(1)).unwrap_or(&"?"))
            }
        }
    }
    /// An ISO timestamp as a date and minute, in Korea's time zone (UTC+9), which is where
    /// the platform's users are; the zone is stated so nobody has to guess.
    pub fn datetime(&self, iso: &str) -> String {
        let fmt = time::format_description::well_known::Rfc3339;
        match time::OffsetDateTime::parse(iso, &fmt) {
            Ok(t) => {
                let k = t.to_offset(crate::util::KST);
                format!("{} {:02}:{:02} KST", self.date(&k.date().to_string()), k.hour(), k.minute())
            }
            Err(_) => iso.to_string(),
        }
    }
}

pub fn group_digits(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_each_locale() {
        let ko = Tr::new(Lang::Ko);
        let en = Tr::new(Lang::En);
        assert_eq!(ko.krw(3_500_000_000), "3,500,000,000원");
        assert_eq!(en.krw(3_500_000_000), "KRW 3,500,000,000");
        assert_eq!(en.usd(40_000), "USD 40,000");
        assert_eq!(ko.date("2019-04-01"), "2019년 4월 1일");
        assert_eq!(en.date("2019-04-01"), "1 Apr 2019");
        assert_eq!(en.datetime("2026-11-26T20:30:00Z"), "27 Nov 2026 05:30 KST");
        assert_eq!(group_digits(-1234), "-1,234");
        assert_eq!(group_digits(999), "999");
    }

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,ko;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, ko;q=0.5, en;q=0.3"), Some(Lang::Ko));
        assert_eq!(Lang::from_accept_language("fr"), None);
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let ko = Tr::new(Lang::Ko);
        let en = Tr::new(Lang::En);
        assert_eq!(ko.t("nav-home"), "홈");
        assert_eq!(en.t("nav-home"), "Home");
        assert_eq!(en.ta("err-too-long", "200"), "At most 200 characters.");
    }
}

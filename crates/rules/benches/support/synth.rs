//! Synthetic companies and programs for the benchmarks (deterministic, no external RNG).
//! Companies are spread like the research file's set: log-normal-ish revenue, 1–599 staff,
//! 40 % non-exporters, 17 regions, a spread of KSIC divisions, 0–3 target countries, 10 % of
//! optional facts missing, 20 % with an export-voucher award in the last years.

#![allow(dead_code)]

use rules::{Award, Language, Profile, Subject, Value};
use time::{Date, Month};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

pub const REGIONS: [&str; 17] = ["11", "26", "27", "28", "29", "30", "31", "36", "41", "51", "43", "44", "52", "46", "47", "48", "50"];
pub const KSIC: [&str; 16] =
    ["C10", "C20", "C21", "C26", "C29", "C30", "G46", "G47", "J58", "J61", "J62", "J63", "M70", "M72", "F41", "H49"];
pub const COUNTRIES: [&str; 10] = ["US", "VN", "ID", "MY", "TH", "PH", "CN", "JP", "DE", "FR"];
pub const HS: [&str; 8] = ["847130", "851712", "330499", "210690", "870899", "392690", "610910", "300490"];

pub fn as_of() -> Date {
    Date::from_calendar_date(2026, Month::November, 26).unwrap()
}

pub fn company(rng: &mut Rng, lang: &Language) -> Subject {
    let c = &lang.catalog;
    let mut p = Profile::new(c);
    let employees = 1 + rng.below(599) as i64;
    // Revenue: a rough log-normal around KRW 5 bn (product of uniforms).
    let revenue = (5_000_000_000f64 * (0.05 + rng.below(1000) as f64 / 250.0) * (0.2 + rng.below(1000) as f64 / 400.0)) as i64;
    let exports = if rng.chance(40) { 0 } else { (rng.below(1000) * rng.below(1000) * 12) as i64 };
    let founded =
        Date::from_calendar_date(1980 + rng.below(46) as i32, Month::January, 1).unwrap() + time::Duration::days(rng.below(360) as i64);
    let stage = match exports {
        0 => "domestic",
        1..100_000 => "novice",
        100_000..1_000_000 => "promising",
        1_000_000..5_000_000 => "growth",
        _ => "established",
    };
    let size = if employees < 10 {
        "micro"
    } else if revenue <= 12_000_000_000 {
        "small"
    } else if revenue <= 100_000_000_000 && employees < 300 {
        "medium"
    } else {
        "above_sme"
    };
    let mut set = |n: &str, v: Value| p.set_named(c, n, v).unwrap();
    set("employees", Value::Int(employees));
    set("revenue_krw", Value::Int(revenue));
    set("exports_usd", Value::Int(exports));
    set("founded_on", Value::date(founded));
    set("region", Value::Text(rng.pick(&REGIONS).into()));
    set("ksic", Value::Text(rng.pick(&KSIC).into()));
    set("export_stage", Value::Text(stage.into()));
    set("size_class", Value::Text(size.into()));
    let n = rng.below(3) as usize;
    set("products", Value::Codes((0..=n).map(|_| rng.pick(&HS).to_string()).collect()));
    set("export_countries", Value::Codes(Vec::new()));
    let n = rng.below(4) as usize;
    set("target_countries", Value::Codes((0..n).map(|_| rng.pick(&COUNTRIES).to_string()).collect()));
    if !rng.chance(10) {
        set("venture_certified", Value::Bool(rng.chance(20)));
    }
    if !rng.chance(10) {
        set("rnd_spend_krw", Value::Int((rng.below(2000) * 1_000_000) as i64));
    }
    let awards = if rng.chance(20) {
        vec![Award {
            family: "export-voucher".into(),
            category: "export_voucher".into(),
            awarded_on: as_of() - time::Duration::days(rng.below(6 * 365) as i64),
        }]
    } else {
        Vec::new()
    };
    Subject::new(p, awards, as_of())
}

pub use rules::synthetic::programs;

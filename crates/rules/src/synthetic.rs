//! Synthetic programs for benchmarks and load tests: the 20 rule shapes of the research
//! benchmark (docs/rules.md language), varied so that thousands of programs have mostly
//! distinct conditions, as a real catalogue would. Illustrative only; never real programs.

use crate::{Language, Rule};

const REGIONS: [&str; 17] = ["11", "26", "27", "28", "29", "30", "31", "36", "41", "51", "43", "44", "52", "46", "47", "48", "50"];
const COUNTRIES: [&str; 10] = ["US", "VN", "ID", "MY", "TH", "PH", "CN", "JP", "DE", "FR"];

/// The 20 rule shapes of the research benchmark, written in GlobalDesk's language. `j` varies
/// the constants (and lists) so that 2,000 programs have mostly distinct leaves, as real
/// catalogues would.
pub fn shape(i: usize, j: u64) -> String {
    let r = |k: u64| REGIONS[((j + k) % 17) as usize];
    let cty = |n: u64| (0..n).map(|k| format!("\"{}\"", COUNTRIES[((j + k) % 10) as usize])).collect::<Vec<_>>().join(", ");
    let emp = 5 + j % 40;
    let body = match i {
        0 => format!(
            "sme and novice_exporter and region == \"{}\" and age_years >= 1 and not received_within(\"export-voucher\", {})",
            r(1),
            1 + j % 3
        ),
        1 => format!("sme and novice_exporter and target_countries intersects [{}]", cty(6)),
        2 => format!("sme and ksic prefix_in [\"C\"] and employees >= {emp}"),
        3 => format!("sme and ksic prefix_in [\"J58\", \"J61\", \"J62\", \"J63\"] and age_years <= {}", 5 + j % 5),
        4 => format!("venture_certified and rnd_spend_krw >= {}", 100_000_000 + j * 1_000_000),
        5 => format!("sme and exports_usd between {} and {}", 1_000_000 + j * 1000, 9_999_999 - j * 1000),
        6 => format!("sme and region == \"{}\" and employees >= {emp}", r(8)),
        7 => format!("sme and ksic prefix_in [\"C21\", \"M72\"] and rnd_spend_krw >= {}", 300_000_000 + j * 1_000_000),
        8 => format!("age_years <= {} and employees < {}", 2 + j % 4, 40 + j % 30),
        9 => format!("sme and region in [\"{}\", \"{}\", \"{}\"]", r(1), r(6), r(4)),
        10 => format!("sme and novice_exporter and exports_usd > {}", j * 100),
        11 => format!("sme and region not in [\"11\", \"{}\"] and age_years >= {}", r(8), 2 + j % 5),
        12 => format!("venture_certified and target_countries intersects [{}]", cty(3)),
        13 => format!("sme and revenue_krw < {} and employees >= {}", 10_000_000_000 + j * 10_000_000, 3 + j % 10),
        14 => format!("sme and manufacturer and region == \"{}\"", r(2)),
        15 => format!("sme and not received_within(\"export-voucher\", 2) and exports_usd >= {}", 100_000 + j * 500),
        16 => format!("employees < 300 and rnd_spend_krw > {}", 1_000_000_000 - j * 1_000_000),
        17 => format!("sme and age_years between 1 and {} and venture_certified", 5 + j % 5),
        18 => format!("sme and ksic prefix_in [\"J\"] and target_countries intersects [{}]", cty(4)),
        _ => format!("sme and region == \"{}\" and novice_exporter and not received_within(\"export-voucher\", 2)", r(3)),
    };
    format!("eligible if {body}\npoints\n  10 if novice_exporter\n  5 if venture_certified\n  {} if age_years >= 10\n", 1 + j % 5)
}

pub fn programs(n: usize, lang: &Language) -> Vec<Rule> {
    (0..n).map(|k| crate::parse(&shape(k % 20, (k / 20) as u64), lang).expect("synthetic rule")).collect()
}

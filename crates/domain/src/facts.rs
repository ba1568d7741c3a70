//! Facts the platform derives from a company profile: age, SME size class, export stage.
//!
//! The thresholds are data (shipped in `data/thresholds/`, stored in the database, editable),
//! because they change with policy and differ by country; this module only applies them.

use serde::{Deserialize, Serialize};
use time::Date;

/// One row of the export-stage table: a company is in the highest stage whose `min_usd` its
/// last year's exports reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportStage {
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub min_usd: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ExportStageTable {
    /// Sorted by `min_usd` ascending.
    stages: Vec<ExportStage>,
}

impl ExportStageTable {
    /// Refuses a table without a stage for zero exports or with two stages on one threshold.
    pub fn new(mut stages: Vec<ExportStage>) -> Result<Self, String> {
        stages.sort_by_key(|s| s.min_usd);
        if stages.first().map(|s| s.min_usd) != Some(0) {
            return Err("the export-stage table needs a stage starting at 0 USD".into());
        }
        if stages.windows(2).any(|w| w[0].min_usd == w[1].min_usd) {
            return Err("two export stages share one threshold".into());
        }
        Ok(Self { stages })
    }
    pub fn classify(&self, exports_usd: i64) -> &ExportStage {
        self.stages.iter().rev().find(|s| exports_usd >= s.min_usd).unwrap_or(&self.stages[0])
    }
    pub fn stages(&self) -> &[ExportStage] {
        &self.stages
    }
    pub fn get(&self, code: &str) -> Option<&ExportStage> {
        self.stages.iter().find(|s| s.code == code)
    }
}

/// Size classes, from smallest to largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// 소상공인: a small enterprise with few employees.
    Micro,
    /// 소기업
    Small,
    /// 중기업
    Medium,
    /// 중견기업 or larger: above the SME revenue ceiling.
    AboveSme,
}

impl SizeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            SizeClass::Micro => "micro",
            SizeClass::Small => "small",
            SizeClass::Medium => "medium",
            SizeClass::AboveSme => "above_sme",
        }
    }
    pub fn is_sme(self) -> bool {
        !matches!(self, SizeClass::AboveSme)
    }
}

/// Ceilings for one KSIC section (`*` is the fallback row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeRule {
    pub ksic_section: String,
    /// Fewer employees than this (and small by revenue) is micro.
    pub micro_employees_below: i64,
    pub small_max_revenue_krw: i64,
    pub medium_max_revenue_krw: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SizeClassTable {
    rules: Vec<SizeRule>,
}

impl SizeClassTable {
    pub fn new(rules: Vec<SizeRule>) -> Result<Self, String> {
        if !rules.iter().any(|r| r.ksic_section == "*") {
            return Err("the size-class table needs a fallback row for section *".into());
        }
        if let Some(r) = rules.iter().find(|r| r.small_max_revenue_krw > r.medium_max_revenue_krw) {
            return Err(format!("section {}: small ceiling above medium ceiling", r.ksic_section));
        }
        Ok(Self { rules })
    }

    pub fn classify(&self, ksic_section: &str, employees: i64, revenue_krw: i64) -> SizeClass {
        let rule = self
            .rules
            .iter()
            .find(|r| r.ksic_section == ksic_section)
            .or_else(|| self.rules.iter().find(|r| r.ksic_section == "*"))
            .expect("constructor guarantees a fallback row");
        if revenue_krw > rule.medium_max_revenue_krw {
            SizeClass::AboveSme
        } else if revenue_krw > rule.small_max_revenue_krw {
            SizeClass::Medium
        } else if employees < rule.micro_employees_below {
            SizeClass::Micro
        } else {
            SizeClass::Small
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DerivedFacts {
    /// Whole years since founding, on the given day.
    pub age_years: i64,
    pub size_class: SizeClass,
    pub export_stage: String,
}

/// Whole years between two dates (a birthday-style count: 2020-03-05 → 2021-03-04 is 0).
pub fn whole_years(from: Date, to: Date) -> i64 {
    let mut years = to.year() as i64 - from.year() as i64;
    if (to.month() as u8, to.day()) < (from.month() as u8, from.day()) {
        years -= 1;
    }
    years.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn stages() -> ExportStageTable {
        let s = |code: &str, min| ExportStage { code: code.into(), name_ko: code.into(), name_en: code.into(), min_usd: min };
        ExportStageTable::new(vec![s("growth", 1_000_000), s("domestic", 0), s("novice", 1), s("promising", 100_000)]).unwrap()
    }

    #[test]
    fn export_stage_boundaries() {
        let t = stages();
        assert_eq!(t.classify(0).code, "domestic");
        assert_eq!(t.classify(1).code, "novice");
        assert_eq!(t.classify(99_999).code, "novice");
        assert_eq!(t.classify(100_000).code, "promising");
        assert_eq!(t.classify(50_000_000).code, "growth");
    }

    #[test]
    fn export_stage_table_is_checked() {
        let s = |code: &str, min| ExportStage { code: code.into(), name_ko: code.into(), name_en: code.into(), min_usd: min };
        assert!(ExportStageTable::new(vec![s("a", 1)]).is_err());
        assert!(ExportStageTable::new(vec![s("a", 0), s("b", 0)]).is_err());
    }

    #[test]
    fn size_classes_use_the_section_row_or_fallback() {
        let t = SizeClassTable::new(vec![
            SizeRule {
                ksic_section: "C".into(),
                micro_employees_below: 10,
                small_max_revenue_krw: 12_000_000_000,
                medium_max_revenue_krw: 150_000_000_000,
            },
            SizeRule {
                ksic_section: "*".into(),
                micro_employees_below: 5,
                small_max_revenue_krw: 1_000_000_000,
                medium_max_revenue_krw: 40_000_000_000,
            },
        ])
        .unwrap();
        assert_eq!(t.classify("C", 9, 1_000_000_000), SizeClass::Micro);
        assert_eq!(t.classify("C", 10, 1_000_000_000), SizeClass::Small);
        assert_eq!(t.classify("C", 50, 20_000_000_000), SizeClass::Medium);
        assert_eq!(t.classify("C", 500, 200_000_000_000), SizeClass::AboveSme);
        assert_eq!(t.classify("J", 50, 20_000_000_000), SizeClass::Medium);
        assert_eq!(t.classify("J", 50, 50_000_000_000), SizeClass::AboveSme);
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(whole_years(date!(2020 - 03 - 05), date!(2021 - 03 - 04)), 0);
        assert_eq!(whole_years(date!(2020 - 03 - 05), date!(2021 - 03 - 05)), 1);
        assert_eq!(whole_years(date!(2020 - 03 - 05), date!(2019 - 01 - 01)), 0);
    }
}

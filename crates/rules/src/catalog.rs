//! The fact catalogue: every fact a rule may mention, with its type and, for enumerations, the
//! values it may take. Rules are checked against it when they are written, not when they run.

use std::collections::HashMap;

/// Index of a fact in the catalogue; profiles and columns are laid out by it.
pub type FactId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactType {
    Int,
    /// Money as an integer count of the currency's unit (won, dollars).
    Money(Currency),
    Date,
    /// One value out of a closed list (`region`, `export_stage`).
    Enum,
    /// A hierarchical code matched by prefix (`ksic` as "C26").
    Code,
    /// A set of hierarchical codes (`products`, `target_countries`).
    CodeSet,
    Bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Currency {
    Krw,
    Usd,
}

impl FactType {
    /// Types whose values are ordered integers underneath (dates count days).
    pub fn is_ordered(self) -> bool {
        matches!(self, FactType::Int | FactType::Money(_) | FactType::Date)
    }

    pub fn name(self) -> &'static str {
        match self {
            FactType::Int => "integer",
            FactType::Money(_) => "money",
            FactType::Date => "date",
            FactType::Enum => "enumeration",
            FactType::Code => "code",
            FactType::CodeSet => "code set",
            FactType::Bool => "boolean",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FactDef {
    pub name: &'static str,
    pub ty: FactType,
    pub label_ko: &'static str,
    pub label_en: &'static str,
    /// False for facts a company may leave out; a rule on them can come out unknown.
    pub always_known: bool,
    /// Computed from other facts and the evaluation date; not settable on a profile.
    pub derived: bool,
    /// For enumerations: the allowed values. Empty means any value (checked elsewhere).
    pub domain: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    facts: Vec<FactDef>,
    by_name: HashMap<&'static str, FactId>,
}

/// The region codes (the 17 provinces and metropolitan cities), read at compile time from the
/// reference list the platform ships, so the checker and the product agree on one list.
const REGIONS_CSV: &str = include_str!("../../../data/regions/kr-regions.csv");

/// The program categories (the kinds of help the ministry consolidates); `awards_this_year`
/// counts awards of one of these.
pub const PROGRAM_CATEGORIES: [&str; 13] = [
    "export_voucher",
    "overseas_marketing",
    "exhibitions",
    "certification",
    "legal_consulting",
    "trade_insurance",
    "finance",
    "establishment_abroad",
    "training",
    "logistics",
    "ecommerce",
    "research",
    "design_branding",
];

pub const EXPORT_STAGES: [&str; 5] = ["domestic", "novice", "promising", "growth", "established"];
pub const SIZE_CLASSES: [&str; 4] = ["micro", "small", "medium", "above_sme"];

pub mod ids {
    //! Fixed positions of the standard facts, for the code that fills profiles.
    use super::FactId;
    pub const EMPLOYEES: FactId = 0;
    pub const REVENUE_KRW: FactId = 1;
    pub const EXPORTS_USD: FactId = 2;
    pub const FOUNDED_ON: FactId = 3;
    pub const AGE_YEARS: FactId = 4;
    pub const REGION: FactId = 5;
    pub const KSIC: FactId = 6;
    pub const EXPORT_STAGE: FactId = 7;
    pub const SIZE_CLASS: FactId = 8;
    pub const PRODUCTS: FactId = 9;
    pub const EXPORT_COUNTRIES: FactId = 10;
    pub const TARGET_COUNTRIES: FactId = 11;
    pub const VENTURE_CERTIFIED: FactId = 12;
    pub const INNOBIZ_CERTIFIED: FactId = 13;
    pub const WOMEN_OWNED: FactId = 14;
    pub const RND_SPEND_KRW: FactId = 15;
    pub const EXPORT_STAFF: FactId = 16;
    pub const HAS_OVERSEAS_ENTITY: FactId = 17;
}

impl Catalog {
    pub fn standard() -> Catalog {
        let regions: Vec<String> =
            REGIONS_CSV.lines().skip(1).filter_map(|l| l.split(',').next()).filter(|c| !c.is_empty()).map(str::to_string).collect();
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let f = |name, ty, label_ko, label_en, always_known| FactDef {
            name,
            ty,
            label_ko,
            label_en,
            always_known,
            derived: false,
            domain: Vec::new(),
        };
        let mut facts = vec![
            f("employees", FactType::Int, "상시 근로자 수", "Employees", true),
            f("revenue_krw", FactType::Money(Currency::Krw), "연 매출액", "Annual revenue", true),
            f("exports_usd", FactType::Money(Currency::Usd), "전년도 수출액", "Exports last year", true),
            f("founded_on", FactType::Date, "설립일", "Founding date", true),
            FactDef { derived: true, ..f("age_years", FactType::Int, "업력(년)", "Years in business", true) },
            FactDef { domain: regions, ..f("region", FactType::Enum, "소재지", "Region", true) },
            f("ksic", FactType::Code, "업종(KSIC)", "Industry (KSIC)", true),
            FactDef { domain: list(&EXPORT_STAGES), ..f("export_stage", FactType::Enum, "수출 단계", "Export stage", true) },
            FactDef { domain: list(&SIZE_CLASSES), ..f("size_class", FactType::Enum, "기업 규모", "Size class", true) },
            f("products", FactType::CodeSet, "수출 품목(HS)", "Products (HS)", true),
            f("export_countries", FactType::CodeSet, "현재 수출국", "Countries exported to", true),
            f("target_countries", FactType::CodeSet, "목표 수출국", "Target countries", true),
            f("venture_certified", FactType::Bool, "벤처기업 인증", "Venture business certificate", false),
            f("innobiz_certified", FactType::Bool, "이노비즈 인증", "Inno-Biz certificate", false),
            f("women_owned", FactType::Bool, "여성기업 확인", "Women-owned business", false),
            f("rnd_spend_krw", FactType::Money(Currency::Krw), "연구개발비", "R&D spending", false),
            f("export_staff", FactType::Int, "수출 전담 인력", "Export staff", false),
            f("has_overseas_entity", FactType::Bool, "해외 법인·지사 보유", "Has an entity abroad", false),
        ];
        facts.shrink_to_fit();
        let by_name = facts.iter().enumerate().map(|(i, f)| (f.name, i)).collect();
        Catalog { facts, by_name }
    }

    pub fn id(&self, name: &str) -> Option<FactId> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, id: FactId) -> &FactDef {
        &self.facts[id]
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    pub fn facts(&self) -> &[FactDef] {
        &self.facts
    }

    /// Known names closest to a misspelt one, for "did you mean" hints.
    pub fn nearest(&self, name: &str) -> Vec<&'static str> {
        nearest(name, self.facts.iter().map(|f| f.name))
    }
}

/// Up to three candidates within a small edit distance (or sharing a prefix), closest first.
pub fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = edit_distance(name, c);
            let close = d <= (name.chars().count().max(3) / 3).max(2) || (name.len() >= 3 && c.starts_with(name));
            close.then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_positions_match_ids() {
        let c = Catalog::standard();
        assert_eq!(c.id("employees"), Some(ids::EMPLOYEES));
        assert_eq!(c.id("target_countries"), Some(ids::TARGET_COUNTRIES));
        assert_eq!(c.id("has_overseas_entity"), Some(ids::HAS_OVERSEAS_ENTITY));
        assert_eq!(c.get(ids::REGION).domain.len(), 17);
        assert!(c.get(ids::REGION).domain.contains(&"26".to_string()));
    }

    #[test]
    fn nearest_names() {
        let c = Catalog::standard();
        assert_eq!(c.nearest("employes"), vec!["employees"]);
        assert!(c.nearest("export_usd").contains(&"exports_usd"));
        assert!(c.nearest("zzzzzzzz").is_empty());
    }
}

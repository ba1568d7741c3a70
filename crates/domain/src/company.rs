//! A company's profile: what an SME tells the platform once and every agency reuses.

use crate::brn::Brn;
use crate::codes::{CountryCode, HsCode, KsicCode, RegionCode};
use crate::error::{FieldError, FieldErrors};
use crate::facts::{DerivedFacts, ExportStageTable, SizeClassTable, whole_years};
use crate::text;
use serde::{Deserialize, Serialize};
use time::Date;

/// The profile as typed: strings, lists of strings. Forms, JSON and CSV rows all land here.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CompanyInput {
    pub brn: String,
    pub name_ko: String,
    pub name_en: String,
    pub region: String,
    pub ksic: String,
    pub founded_on: String,
    pub employees: String,
    pub revenue_krw: String,
    pub exports_usd: String,
    pub products: Vec<String>,
    pub export_countries: Vec<String>,
    pub target_countries: Vec<String>,
}

/// Whether a well-formed code exists in the reference lists the platform ships.
pub trait ReferenceCheck {
    fn hs_exists(&self, code: &str) -> bool;
    fn country_exists(&self, alpha2: &str) -> bool;
    fn region_exists(&self, code: &str) -> bool;
    fn ksic_exists(&self, code: &str) -> bool;
}

/// A profile in which every field has been parsed and checked against the reference lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyProfile {
    pub brn: Brn,
    pub name_ko: String,
    pub name_en: Option<String>,
    pub region: RegionCode,
    pub ksic: KsicCode,
    pub founded_on: Date,
    pub employees: i64,
    pub revenue_krw: i64,
    pub exports_usd: i64,
    pub products: Vec<HsCode>,
    pub export_countries: Vec<CountryCode>,
    pub target_countries: Vec<CountryCode>,
}

pub const MAX_PRODUCTS: usize = 50;
pub const MAX_COUNTRIES: usize = 100;

impl CompanyInput {
    /// Parses every field, reporting all problems at once. `today` bounds the founding date.
    pub fn parse(&self, refs: &dyn ReferenceCheck, today: Date) -> Result<CompanyProfile, FieldErrors> {
        let mut errs = FieldErrors::default();
        let brn = errs.take(Brn::parse("brn", &self.brn));
        let name_ko = errs.take(text::required("name_ko", &self.name_ko, 200));
        let name_en = errs.take(text::optional("name_en", &self.name_en, 200));
        let region = errs.take(RegionCode::parse("region", &self.region).and_then(|r| {
            if refs.region_exists(r.as_str()) { Ok(r) } else { Err(FieldError::with_arg("region", "err-region-unknown", r.as_str())) }
        }));
        let ksic = errs.take(KsicCode::parse("ksic", &self.ksic).and_then(|k| {
            if refs.ksic_exists(k.as_str()) { Ok(k) } else { Err(FieldError::with_arg("ksic", "err-ksic-unknown", k.as_str())) }
        }));
        let founded_on = errs.take(
            parse_date("founded_on", &self.founded_on)
                .and_then(|d| if d > today { Err(FieldError::new("founded_on", "err-date-future")) } else { Ok(d) }),
        );
        let employees = errs.take(text::non_negative("employees", &self.employees));
        let revenue_krw = errs.take(text::non_negative("revenue_krw", &self.revenue_krw));
        let exports_usd = errs.take(text::non_negative("exports_usd", &self.exports_usd));

        let products = parse_list("products", &self.products, MAX_PRODUCTS, &mut errs, |f, s| {
            let code = HsCode::parse(f, s)?;
            if refs.hs_exists(code.as_str()) { Ok(code) } else { Err(FieldError::with_arg(f, "err-hs-unknown", code.as_str())) }
        });
        let country = |f: &str, s: &str| {
            let c = CountryCode::parse(f, s)?;
            if refs.country_exists(c.as_str()) { Ok(c) } else { Err(FieldError::with_arg(f, "err-country-unknown", c.as_str())) }
        };
        let export_countries = parse_list("export_countries", &self.export_countries, MAX_COUNTRIES, &mut errs, country);
        let target_countries = parse_list("target_countries", &self.target_countries, MAX_COUNTRIES, &mut errs, country);

        match (brn, name_ko, name_en, region, ksic, founded_on, employees, revenue_krw, exports_usd) {
            (
                Some(brn),
                Some(name_ko),
                Some(name_en),
                Some(region),
                Some(ksic),
                Some(founded_on),
                Some(employees),
                Some(revenue_krw),
                Some(exports_usd),
            ) if errs.is_empty() => Ok(CompanyProfile {
                brn,
                name_ko,
                name_en,
                region,
                ksic,
                founded_on,
                employees,
                revenue_krw,
                exports_usd,
                products,
                export_countries,
                target_countries,
            }),
            _ => Err(errs),
        }
    }
}

/// Parses a list, dropping blanks and duplicates (order kept); errors name the list field so
/// the page can show them next to the list input.
fn parse_list<T: PartialEq>(
    field: &str,
    items: &[String],
    max: usize,
    errs: &mut FieldErrors,
    parse: impl Fn(&str, &str) -> Result<T, FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for item in items.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        match parse(field, item) {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => errs.push(e),
        }
    }
    if out.len() > max {
        errs.push(FieldError::with_arg(field, "err-too-many", max.to_string()));
    }
    out
}

/// ISO 8601 calendar date, `YYYY-MM-DD`.
pub fn parse_date(field: &str, input: &str) -> Result<Date, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map_err(|_| FieldError::with_arg(field, "err-date", s))
}

impl CompanyProfile {
    pub fn derive(&self, today: Date, sizes: &SizeClassTable, stages: &ExportStageTable, ksic_section: &str) -> DerivedFacts {
        DerivedFacts {
            age_years: whole_years(self.founded_on, today),
            size_class: sizes.classify(ksic_section, self.employees, self.revenue_krw),
            export_stage: stages.classify(self.exports_usd).code.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    struct Refs;
    impl ReferenceCheck for Refs {
        fn hs_exists(&self, code: &str) -> bool {
            ["85", "8517", "851713", "3304"].contains(&code) || (code.len() == 6 && code.starts_with("86"))
        }
        fn country_exists(&self, a: &str) -> bool {
            ["VN", "ID", "US", "NA"].contains(&a)
        }
        fn region_exists(&self, c: &str) -> bool {
            c == "26" || c == "11"
        }
        fn ksic_exists(&self, c: &str) -> bool {
            c == "C" || c == "26"
        }
    }

    fn good() -> CompanyInput {
        CompanyInput {
            brn: "124-81-00998".into(),
            name_ko: "부산정밀".into(),
            name_en: "Busan Precision".into(),
            region: "26".into(),
            ksic: "26".into(),
            founded_on: "2019-04-01".into(),
            employees: "42".into(),
            revenue_krw: "3,500,000,000".into(),
            exports_usd: "40000".into(),
            products: vec!["8517.13".into(), "3304, 8517.13".into()],
            export_countries: vec!["vn".into()],
            target_countries: vec!["ID".into(), "US".into()],
        }
    }

    #[test]
    fn a_good_profile_parses_and_dedups() {
        let p = good().parse(&Refs, date!(2026 - 11 - 26)).unwrap();
        assert_eq!(p.products.iter().map(|h| h.as_str()).collect::<Vec<_>>(), ["851713", "3304"]);
        assert_eq!(p.revenue_krw, 3_500_000_000);
        assert_eq!(p.export_countries[0].as_str(), "VN");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut i = good();
        i.brn = "124-81-00999".into();
        i.revenue_krw = "-1".into();
        i.products = vec!["9999".into()];
        i.target_countries = vec!["XX".into()];
        i.founded_on = "2030-01-01".into();
        i.region = "99".into();
        let errs = i.parse(&Refs, date!(2026 - 11 - 26)).unwrap_err();
        let codes: Vec<_> = errs.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("brn", "err-brn-checksum"),
                ("region", "err-region-unknown"),
                ("founded_on", "err-date-future"),
                ("revenue_krw", "err-negative"),
                ("products", "err-hs-unknown"),
                ("target_countries", "err-country-unknown"),
            ]
        );
    }

    #[test]
    fn too_many_products_are_refused() {
        let mut i = good();
        // Sixty copies of one code collapse to one and pass...
        i.products = vec!["8517".into(); 60];
        assert!(i.parse(&Refs, date!(2026 - 11 - 26)).is_ok());
        // ...sixty distinct codes do not.
        i.products = (0..60).map(|n| format!("86{n:04}")).collect();
        let errs = i.parse(&Refs, date!(2026 - 11 - 26)).unwrap_err();
        assert_eq!(errs.0, [FieldError::with_arg("products", "err-too-many", "50")]);
    }
}

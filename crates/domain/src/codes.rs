//! Codes from reference lists: HS product codes, ISO 3166 countries, Korean regions, KSIC.
//!
//! The shape is checked here; whether a well-shaped code exists in the shipped lists is asked
//! of a [`crate::ReferenceCheck`], because the lists are data that admins can update.

use crate::error::FieldError;
use serde::Serialize;

/// A Harmonized System code of 2 to 10 digits (even length: chapter, heading, subheading, or a
/// national 8/10-digit line such as Korea's HSK). Dots and spaces typed by people are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct HsCode(String);

impl HsCode {
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let digits: String = input.chars().filter(|c| !matches!(c, '.' | ' ' | '-')).collect();
        if digits.is_empty() {
            return Err(FieldError::new(field, "err-required"));
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(2..=10).contains(&digits.len()) || digits.len() % 2 == 1 {
            return Err(FieldError::with_arg(field, "err-hs-format", input.trim()));
        }
        Ok(HsCode(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The chapter (first two digits), the coarsest level every code has.
    pub fn chapter(&self) -> &str {
        &self.0[..2]
    }
}

/// ISO 3166-1 alpha-2, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new(field, "err-required"));
        }
        if s.len() != 2 || !s.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(FieldError::with_arg(field, "err-country-unknown", input.trim()));
        }
        Ok(CountryCode(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Korean first-level administrative division, by its two-digit administrative code (26 = Busan).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, "err-required"));
        }
        if s.len() != 2 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::with_arg(field, "err-region-unknown", s));
        }
        Ok(RegionCode(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// KSIC (Korean Standard Industrial Classification) section letter or two-digit division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct KsicCode(String);

impl KsicCode {
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new(field, "err-required"));
        }
        let ok = (s.len() == 1 && s.chars().all(|c| c.is_ascii_uppercase())) || (s.len() == 2 && s.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(FieldError::with_arg(field, "err-ksic-unknown", input.trim()));
        }
        Ok(KsicCode(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_codes_accept_dotted_and_refuse_odd_lengths() {
        assert_eq!(HsCode::parse("p", "8517.13").unwrap().as_str(), "851713");
        assert_eq!(HsCode::parse("p", "85").unwrap().chapter(), "85");
        assert_eq!(HsCode::parse("p", "8517130000").unwrap().as_str(), "8517130000");
        assert_eq!(HsCode::parse("p", "851").unwrap_err().code, "err-hs-format");
        assert_eq!(HsCode::parse("p", "85171300001").unwrap_err().code, "err-hs-format");
        assert_eq!(HsCode::parse("p", "abcd").unwrap_err().code, "err-hs-format");
        assert_eq!(HsCode::parse("p", "").unwrap_err().code, "err-required");
    }

    #[test]
    fn countries_are_upper_cased_alpha2() {
        assert_eq!(CountryCode::parse("c", " vn ").unwrap().as_str(), "VN");
        // Namibia's code must survive: it is not a missing value.
        assert_eq!(CountryCode::parse("c", "NA").unwrap().as_str(), "NA");
        assert!(CountryCode::parse("c", "VNM").is_err());
        assert!(CountryCode::parse("c", "V1").is_err());
    }

    #[test]
    fn regions_and_ksic() {
        assert_eq!(RegionCode::parse("r", "26").unwrap().as_str(), "26");
        assert!(RegionCode::parse("r", "Busan").is_err());
        assert_eq!(KsicCode::parse("k", "c").unwrap().as_str(), "C");
        assert_eq!(KsicCode::parse("k", "26").unwrap().as_str(), "26");
        assert!(KsicCode::parse("k", "261").is_err());
    }
}

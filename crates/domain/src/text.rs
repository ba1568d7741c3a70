//! Small text rules shared by every form: trimmed, bounded, non-empty.

use crate::error::FieldError;

/// A required single-line text of at most `max` characters, trimmed.
pub fn required(field: &str, input: &str, max: usize) -> Result<String, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    bounded(field, s, max)
}

/// An optional text: empty becomes `None`.
pub fn optional(field: &str, input: &str, max: usize) -> Result<Option<String>, FieldError> {
    let s = input.trim();
    if s.is_empty() { Ok(None) } else { bounded(field, s, max).map(Some) }
}

fn bounded(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    if s.chars().count() > max {
        return Err(FieldError::with_arg(field, "err-too-long", max.to_string()));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "err-control-chars"));
    }
    Ok(s.to_string())
}

/// A plausible e-mail address: one `@`, a dot in the domain, no spaces. Deliverability is
/// proven by the confirmation link, not by a regular expression.
pub fn email(field: &str, input: &str) -> Result<String, FieldError> {
    let s = input.trim().to_lowercase();
    if s.is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    let ok = s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
        })
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(s) } else { Err(FieldError::new(field, "err-email")) }
}

/// Passwords: at least 10 characters; long passphrases welcome (NIST SP 800-63B).
pub fn new_password(field: &str, input: &str) -> Result<String, FieldError> {
    let n = input.chars().count();
    if n < 10 {
        return Err(FieldError::with_arg(field, "err-password-short", "10"));
    }
    if n > 200 {
        return Err(FieldError::with_arg(field, "err-too-long", "200"));
    }
    Ok(input.to_string())
}

/// A non-negative integer amount (money in whole units, head counts).
pub fn non_negative(field: &str, input: &str) -> Result<i64, FieldError> {
    let cleaned: String = input.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    if cleaned.is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    match cleaned.parse::<i64>() {
        Ok(v) if v < 0 => Err(FieldError::new(field, "err-negative")),
        Ok(v) => Ok(v),
        Err(_) => Err(FieldError::new(field, "err-integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_trim_and_bound() {
        assert_eq!(required("n", "  부산  ", 10).unwrap(), "부산");
        assert_eq!(required("n", "   ", 10).unwrap_err().code, "err-required");
        assert_eq!(required("n", "가나다라마바사아자차카", 10).unwrap_err().code, "err-too-long");
        assert_eq!(optional("n", "", 10).unwrap(), None);
        assert_eq!(required("n", "a\u{0}b", 10).unwrap_err().code, "err-control-chars");
    }

    #[test]
    fn emails() {
        assert_eq!(email("e", " Kim@Example.KR ").unwrap(), "kim@example.kr");
        for bad in ["kim", "kim@", "@x.kr", "kim@x", "k m@x.kr", "a@b@c.kr"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(non_negative("r", "1,200,000").unwrap(), 1_200_000);
        assert_eq!(non_negative("r", "-5").unwrap_err().code, "err-negative");
        assert_eq!(non_negative("r", "12.5").unwrap_err().code, "err-integer");
        assert_eq!(non_negative("r", "99999999999999999999").unwrap_err().code, "err-integer");
    }
}

//! Korean business registration number (사업자등록번호), `###-##-#####`.
//!
//! The tenth digit is a check digit over the first nine with weights 1,3,7,1,3,7,1,3,5, where the
//! ninth digit's product also contributes its tens (the National Tax Service's published scheme).

use crate::error::FieldError;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Brn([u8; 10]);

const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];

impl Brn {
    /// Accepts `123-45-67890`, `1234567890` or with spaces; refuses anything else.
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "err-required"));
        }
        let mut digits = [0u8; 10];
        let mut n = 0;
        for c in trimmed.chars() {
            match c {
                '0'..='9' => {
                    if n == 10 {
                        return Err(FieldError::new(field, "err-brn-format"));
                    }
                    digits[n] = c as u8 - b'0';
                    n += 1;
                }
                '-' | ' ' => {}
                _ => return Err(FieldError::new(field, "err-brn-format")),
            }
        }
        if n != 10 {
            return Err(FieldError::new(field, "err-brn-format"));
        }
        if check_digit(&digits) != digits[9] {
            return Err(FieldError::new(field, "err-brn-checksum"));
        }
        Ok(Brn(digits))
    }

    /// Digits only, as stored: `1234567890`.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The familiar display form `123-45-67890`.
    pub fn formatted(&self) -> String {
        let d = self.digits();
        format!("{}-{}-{}", &d[0..3], &d[3..5], &d[5..10])
    }

    /// Builds a valid number from nine leading digits (demo data and tests need many).
    pub fn from_prefix(prefix: [u8; 9]) -> Self {
        let mut d = [0u8; 10];
        d[..9].copy_from_slice(&prefix);
        d[9] = check_digit(&d);
        Brn(d)
    }
}

fn check_digit(d: &[u8; 10]) -> u8 {
    let mut sum: u32 = d[..9].iter().zip(WEIGHTS).map(|(&x, w)| x as u32 * w).sum();
    sum += (d[8] as u32 * 5) / 10;
    ((10 - sum % 10) % 10) as u8
}

impl std::fmt::Display for Brn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl Serialize for Brn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.formatted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_valid_numbers() {
        // Samsung Electronics' and the National Tax Service's published numbers.
        for s in ["124-81-00998", "1248100998", "220-81-62517"] {
            assert!(Brn::parse("brn", s).is_ok(), "{s} should be valid");
        }
        assert_eq!(Brn::parse("brn", "1248100998").unwrap().formatted(), "124-81-00998");
    }

    #[test]
    fn refuses_wrong_check_digit_and_bad_shapes() {
        assert_eq!(Brn::parse("brn", "124-81-00999").unwrap_err().code, "err-brn-checksum");
        assert_eq!(Brn::parse("brn", "124-81-0099").unwrap_err().code, "err-brn-format");
        assert_eq!(Brn::parse("brn", "124-81-009981").unwrap_err().code, "err-brn-format");
        assert_eq!(Brn::parse("brn", "12a-81-00998").unwrap_err().code, "err-brn-format");
        assert_eq!(Brn::parse("brn", "  ").unwrap_err().code, "err-required");
    }

    #[test]
    fn from_prefix_always_validates() {
        for seed in 0..2000u32 {
            let mut p = [0u8; 9];
            let mut x = seed.wrapping_mul(2654435761);
            for d in p.iter_mut() {
                *d = (x % 10) as u8;
                x /= 10;
                x = x.wrapping_mul(31).wrapping_add(7);
            }
            let brn = Brn::from_prefix(p);
            assert_eq!(Brn::parse("brn", &brn.formatted()), Ok(brn));
        }
    }
}

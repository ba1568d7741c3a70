//! Small helpers every room uses: the platform's day, the audit actor, dates as stored, and
//! locks that a panic elsewhere cannot poison for everyone after it.

use store::companies::Actor;
use store::users::User;
use time::{Date, UtcOffset};

/// Korea Standard Time: the platform's business day and every date a page shows.
pub const KST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+9 is a valid offset"),
};

/// Today in Korea.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().to_offset(KST).date()
}

pub fn actor(user: &User) -> Actor {
    Actor { user_id: Some(user.id), label: format!("{} <{}>", user.display_name, user.email) }
}

/// A stored date (`YYYY-MM-DD`, or the date part of a stored timestamp).
pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, fmt).ok()
}

/// The Korean calendar day of a stored RFC 3339 instant.
pub fn kst_date(iso: &str) -> Option<Date> {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339).ok().map(|t| t.to_offset(KST).date())
}

/// A country's name in the reader's language, or its code when the reference data lacks it.
pub fn country_label(kit: &crate::Kit, t: &crate::Tr, code: &str) -> String {
    kit.refs().country(code).map(|c| t.pick(&c.name_ko, &c.name_en).to_string()).unwrap_or_else(|| code.to_string())
}

/// Every country, named in the reader's language and sorted by that name, for a select box.
pub fn country_options(kit: &crate::Kit, t: &crate::Tr) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        kit.refs().countries.iter().map(|c| (c.alpha2.clone(), t.pick(&c.name_ko, &c.name_en).to_string())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

pub use store::sync::{lock, read, write};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_dates_and_instants() {
        assert_eq!(parse_date("2026-03-01"), Some(time::macros::date!(2026 - 03 - 01)));
        assert_eq!(parse_date("2026-03-01T10:00:00Z"), Some(time::macros::date!(2026 - 03 - 01)));
        assert_eq!(parse_date("2026-3-1"), None);
        // 20:00 UTC is already the next day in Korea.
        assert_eq!(kst_date("2026-03-01T20:00:00Z"), Some(time::macros::date!(2026 - 03 - 02)));
    }
}

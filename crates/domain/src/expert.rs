//! Local experts (law firms, accountants, consultants, notaries) and the consultations companies
//! book with them: the vocabularies, who may move a consultation where, and the profile's rules.
//!
//! As for cases, every move is checked against one table ([`TRANSITIONS`]) so that pages, the API
//! and the tests agree; the buttons a page offers come from [`next_states`].

use crate::error::{FieldError, FieldErrors};
use crate::text;
use serde::Deserialize;

vocabulary! {
    ExpertKind, "expert-kind-" {
        LawFirm => "law_firm",
        Accountant => "accountant",
        Consultant => "consultant",
        Notary => "notary",
    }
}

vocabulary! {
    /// What an expert helps with; the same words as the steps of a playbook need.
    Specialty, "expert-specialty-" {
        Establishment => "establishment",
        Tax => "tax",
        Accounting => "accounting",
        Labour => "labour",
        Licensing => "licensing",
        Customs => "customs",
        Ip => "ip",
        RealEstate => "real_estate",
        Visas => "visas",
    }
}

vocabulary! {
    /// Where an expert's listing stands with the agencies.
    Verification, "expert-status-" {
        /// New or edited: waits for an agency to check it; not listed.
        Submitted => "submitted",
        /// Checked by an agency; listed and bookable.
        Verified => "verified",
        /// Taken off the directory by an agency, with a reason; cannot be booked.
        Suspended => "suspended",
    }
}

vocabulary! {
    ConsultationStatus, "consultation-status-" {
        Requested => "requested",
        Accepted => "accepted",
        Declined => "declined",
        Done => "done",
        Cancelled => "cancelled",
    }
}

vocabulary! {
    /// Who is acting on a consultation.
    ConsultationActor, "consultation-actor-" {
        /// A member of the company that booked it.
        Company => "company",
        /// The expert it is addressed to.
        Expert => "expert",
    }
}

impl Verification {
    /// Moves an agency may make: verify a submitted or suspended listing, suspend a verified one.
    pub fn can_move(self, to: Verification) -> bool {
        use Verification as V;
        matches!((self, to), (V::Submitted, V::Verified) | (V::Verified, V::Suspended) | (V::Suspended, V::Verified))
    }

    /// The status after the expert edits the profile. A verified listing goes back to the queue,
    /// because the agency vouched for what it read, not for the new text; a suspension stays, so
    /// that editing is not a way out of it.
    pub fn after_edit(self) -> Verification {
        match self {
            Verification::Suspended => Verification::Suspended,
            _ => Verification::Submitted,
        }
    }

    /// Shown in the directory and bookable.
    pub fn is_listed(self) -> bool {
        self == Verification::Verified
    }
}

impl ConsultationStatus {
    /// Nothing more happens to it (except a rating once done).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Declined | Self::Done | Self::Cancelled)
    }
}

use ConsultationActor as A;
use ConsultationStatus as S;

/// Every permitted move, `(from, to, who)`. Anything not listed is refused.
pub const TRANSITIONS: &[(ConsultationStatus, ConsultationStatus, ConsultationActor)] = &[
    (S::Requested, S::Accepted, A::Expert),
    (S::Requested, S::Declined, A::Expert),
    (S::Requested, S::Cancelled, A::Company),
    (S::Accepted, S::Done, A::Expert),
    // Either side may call off an engagement that was agreed but has not happened.
    (S::Accepted, S::Cancelled, A::Company),
    (S::Accepted, S::Cancelled, A::Expert),
];

pub fn allowed(from: ConsultationStatus, to: ConsultationStatus, actor: ConsultationActor) -> bool {
    TRANSITIONS.contains(&(from, to, actor))
}

/// The states `actor` may move a consultation to from `from`, in [`ConsultationStatus::ALL`] order.
pub fn next_states(from: ConsultationStatus, actor: ConsultationActor) -> Vec<ConsultationStatus> {
    ConsultationStatus::ALL.into_iter().filter(|&to| allowed(from, to, actor)).collect()
}

/// Why a rating is refused, before its value is even looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingRefusal {
    /// Only a finished engagement can be judged.
    NotDone,
    /// One rating per consultation; it is not edited afterwards.
    AlreadyRated,
}

/// Whether a consultation in `status` (rated before or not) may be rated now.
pub fn may_rate(status: ConsultationStatus, already_rated: bool) -> Result<(), RatingRefusal> {
    if status != ConsultationStatus::Done {
        Err(RatingRefusal::NotDone)
    } else if already_rated {
        Err(RatingRefusal::AlreadyRated)
    } else {
        Ok(())
    }
}

/// A rating from 1 to 5 stars, as typed.
pub fn rating(field: &str, input: &str) -> Result<i64, FieldError> {
    match input.trim().parse::<i64>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(FieldError::new(field, "expert-err-rating")),
    }
}

pub const NAME_MAX: usize = 200;
pub const CITY_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 4000;
pub const COI_MAX: usize = 2000;
pub const MESSAGE_MAX: usize = 4000;
pub const NOTE_MAX: usize = 2000;
/// Hourly fees above this are a typing error rather than a price.
pub const FEE_MAX_USD: i64 = 100_000;
pub const LANGUAGES_MAX: usize = 12;

/// ISO 639-1: every two-letter language code.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el \
    en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj \
    kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj \
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts \
    tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

pub fn is_language(code: &str) -> bool {
    code.len() == 2 && ISO_639_1.split_whitespace().any(|c| c == code)
}

/// The profile form as typed (the web layer fills it from a form or JSON).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name_ko: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Codes separated by spaces or commas, e.g. `ko, en, id`.
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub fee_min_usd: String,
    #[serde(default)]
    pub fee_max_usd: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub description_ko: String,
    #[serde(default)]
    pub description_en: String,
    /// Conflict-of-interest declaration: ties to agencies, officials or competing clients.
    #[serde(default)]
    pub coi_declaration: String,
}

/// A checked profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub kind: ExpertKind,
    pub name_ko: String,
    pub name_en: String,
    /// Two upper-case letters; whether the country exists is the reference data's business.
    pub country: String,
    pub city: String,
    pub specialties: Vec<Specialty>,
    pub languages: Vec<String>,
    pub fee_min_usd: Option<i64>,
    pub fee_max_usd: Option<i64>,
    pub contact_email: String,
    pub description_ko: String,
    pub description_en: String,
    pub coi_declaration: String,
}

impl Profile {
    pub fn specialties_text(&self) -> String {
        self.specialties.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }
    pub fn languages_text(&self) -> String {
        self.languages.join(" ")
    }
}

fn fee(field: &str, input: &str, errs: &mut FieldErrors) -> Option<i64> {
    if input.trim().is_empty() {
        return None;
    }
    match errs.take(text::non_negative(field, input)) {
        Some(v) if v > FEE_MAX_USD => {
            errs.push(FieldError::with_arg(field, "expert-err-fee-high", FEE_MAX_USD.to_string()));
            None
        }
        v => v,
    }
}

fn optional_text(field: &str, input: &str, max: usize, errs: &mut FieldErrors) -> String {
    errs.take(text::optional(field, input, max)).flatten().unwrap_or_default()
}

/// Checks a profile, reporting every bad field at once.
pub fn validate_profile(f: &ProfileInput) -> Result<Profile, FieldErrors> {
    let mut errs = FieldErrors::default();
    let kind = match f.kind.trim() {
        "" => {
            errs.push(FieldError::new("kind", "err-required"));
            None
        }
        k => {
            let parsed = ExpertKind::parse(k);
            if parsed.is_none() {
                errs.push(FieldError::new("kind", "err-choose"));
            }
            parsed
        }
    };
    let name_ko = errs.take(text::required("name_ko", &f.name_ko, NAME_MAX));
    let name_en = errs.take(text::required("name_en", &f.name_en, NAME_MAX));
    let country = f.country.trim().to_ascii_uppercase();
    if country.is_empty() {
        errs.push(FieldError::new("country", "err-required"));
    } else if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        errs.push(FieldError::with_arg("country", "err-country-unknown", country.clone()));
    }
    let city = optional_text("city", &f.city, CITY_MAX, &mut errs);
    let mut specialties = Vec::new();
    for s in f.specialties.iter().flat_map(|s| s.split([',', ' '])).map(str::trim).filter(|s| !s.is_empty()) {
        match Specialty::parse(s) {
            Some(sp) if !specialties.contains(&sp) => specialties.push(sp),
            Some(_) => {}
            None => {
                errs.push(FieldError::with_arg("specialties", "expert-err-specialty", s));
                break;
            }
        }
    }
    if specialties.is_empty() && errs.for_field("specialties").is_none() {
        errs.push(FieldError::new("specialties", "expert-err-no-specialty"));
    }
    specialties.sort();
    let mut languages: Vec<String> = Vec::new();
    for code in f.languages.split([',', ' ', ';', '/']).map(str::trim).filter(|s| !s.is_empty()) {
        let code = code.to_ascii_lowercase();
        if !is_language(&code) {
            errs.push(FieldError::with_arg("languages", "expert-err-language", code));
            break;
        }
        if !languages.contains(&code) {
            languages.push(code);
        }
    }
    if languages.is_empty() && errs.for_field("languages").is_none() {
        errs.push(FieldError::new("languages", "err-required"));
    }
    if languages.len() > LANGUAGES_MAX {
        errs.push(FieldError::with_arg("languages", "err-too-many", LANGUAGES_MAX.to_string()));
    }
    let fee_min_usd = fee("fee_min_usd", &f.fee_min_usd, &mut errs);
    let fee_max_usd = fee("fee_max_usd", &f.fee_max_usd, &mut errs);
    if let (Some(lo), Some(hi)) = (fee_min_usd, fee_max_usd)
        && lo > hi
    {
        errs.push(FieldError::new("fee_max_usd", "expert-err-fee-order"));
    }
    let contact_email = errs.take(text::email("contact_email", &f.contact_email));
    let description_ko = optional_text("description_ko", &f.description_ko, DESCRIPTION_MAX, &mut errs);
    let description_en = optional_text("description_en", &f.description_en, DESCRIPTION_MAX, &mut errs);
    let coi_declaration = optional_text("coi_declaration", &f.coi_declaration, COI_MAX, &mut errs);
    match (kind, name_ko, name_en, contact_email) {
        (Some(kind), Some(name_ko), Some(name_en), Some(contact_email)) if errs.is_empty() => Ok(Profile {
            kind,
            name_ko,
            name_en,
            country,
            city,
            specialties,
            languages,
            fee_min_usd,
            fee_max_usd,
            contact_email,
            description_ko,
            description_en,
            coi_declaration,
        }),
        _ => Err(errs),
    }
}

/// Splits a stored space-separated list.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn input() -> ProfileInput {
        ProfileInput {
            kind: "law_firm".into(),
            name_ko: "예시 법률사무소".into(),
            name_en: "Example Law Office".into(),
            country: "id".into(),
            city: "Jakarta".into(),
            specialties: vec!["tax".into(), "establishment".into(), "tax".into()],
            languages: "KO, en id".into(),
            fee_min_usd: "100".into(),
            fee_max_usd: "250".into(),
            contact_email: "Desk@Example.test".into(),
            description_ko: "".into(),
            description_en: "".into(),
            coi_declaration: "No ties to any agency.".into(),
        }
    }

    #[test]
    fn a_good_profile_is_normalised() {
        let p = validate_profile(&input()).unwrap();
        assert_eq!(p.kind, ExpertKind::LawFirm);
        assert_eq!(p.country, "ID");
        assert_eq!(p.specialties, [Specialty::Establishment, Specialty::Tax]);
        assert_eq!(p.specialties_text(), "establishment tax");
        assert_eq!(p.languages, ["ko", "en", "id"]);
        assert_eq!(p.contact_email, "desk@example.test");
        assert_eq!((p.fee_min_usd, p.fee_max_usd), (Some(100), Some(250)));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let f = ProfileInput {
            kind: "wizard".into(),
            name_ko: " ".into(),
            name_en: "x".repeat(201),
            country: "IDN".into(),
            specialties: vec!["astrology".into()],
            languages: "ko, xx".into(),
            fee_min_usd: "-5".into(),
            fee_max_usd: "abc".into(),
            contact_email: "not-an-address".into(),
            ..Default::default()
        };
        let errs = validate_profile(&f).unwrap_err();
        let code = |field: &str| errs.for_field(field).map(|e| e.code);
        assert_eq!(code("kind"), Some("err-choose"));
        assert_eq!(code("name_ko"), Some("err-required"));
        assert_eq!(code("name_en"), Some("err-too-long"));
        assert_eq!(code("country"), Some("err-country-unknown"));
        assert_eq!(code("specialties"), Some("expert-err-specialty"));
        assert_eq!(errs.for_field("languages").unwrap().arg.as_deref(), Some("xx"));
        assert_eq!(code("fee_min_usd"), Some("err-negative"));
        assert_eq!(code("fee_max_usd"), Some("err-integer"));
        assert_eq!(code("contact_email"), Some("err-email"));
    }

    #[test]
    fn fees_must_be_in_order_and_may_be_absent() {
        let mut f = input();
        f.fee_min_usd = "300".into();
        f.fee_max_usd = "200".into();
        assert_eq!(validate_profile(&f).unwrap_err().for_field("fee_max_usd").unwrap().code, "expert-err-fee-order");
        f.fee_min_usd = "200".into();
        assert!(validate_profile(&f).is_ok(), "equal bounds are a fixed fee");
        f.fee_min_usd = "".into();
        f.fee_max_usd = "".into();
        let p = validate_profile(&f).unwrap();
        assert_eq!((p.fee_min_usd, p.fee_max_usd), (None, None));
        f.fee_max_usd = "1000000".into();
        assert_eq!(validate_profile(&f).unwrap_err().for_field("fee_max_usd").unwrap().code, "expert-err-fee-high");
    }

    #[test]
    fn specialties_and_languages_are_required() {
        let mut f = input();
        f.specialties.clear();
        f.languages = " ".into();
        let errs = validate_profile(&f).unwrap_err();
        assert_eq!(errs.for_field("specialties").unwrap().code, "expert-err-no-specialty");
        assert_eq!(errs.for_field("languages").unwrap().code, "err-required");
    }

    #[test]
    fn language_codes_are_iso_639_1() {
        for ok in ["ko", "en", "id", "vi", "zh", "ja", "hi", "th", "es", "pl", "ar"] {
            assert!(is_language(ok), "{ok}");
        }
        for bad in ["", "k", "kor", "xx", "KO", "e1"] {
            assert!(!is_language(bad), "{bad}");
        }
        assert_eq!(ISO_639_1.split_whitespace().count(), 183);
        assert_eq!(ISO_639_1.split_whitespace().collect::<HashSet<_>>().len(), 183, "no duplicates");
    }

    /// Expected moves as a grid, written independently of [`TRANSITIONS`]:
    /// row = from, column = to, both in `ConsultationStatus::ALL` order.
    ///          columns: Rq Ac De Do Ca
    const COMPANY: [&str; 5] = [
        "....x", // Requested
        "....x", // Accepted
        ".....", // Declined
        ".....", // Done
        ".....", // Cancelled
    ];
    const EXPERT: [&str; 5] = [
        ".xx..", // Requested
        "...xx", // Accepted
        ".....", // Declined
        ".....", // Done
        ".....", // Cancelled
    ];

    #[test]
    fn every_consultation_move_matches_the_grid() {
        for (actor, grid) in [(ConsultationActor::Company, COMPANY), (ConsultationActor::Expert, EXPERT)] {
            for (i, from) in ConsultationStatus::ALL.into_iter().enumerate() {
                for (j, to) in ConsultationStatus::ALL.into_iter().enumerate() {
                    assert_eq!(allowed(from, to, actor), grid[i].as_bytes()[j] == b'x', "{from:?} -> {to:?} by {actor:?}");
                }
                assert_eq!(next_states(from, actor).is_empty(), from.is_final());
            }
        }
    }

    #[test]
    fn verification_moves() {
        use Verification as V;
        let allowed: Vec<_> =
            V::ALL.into_iter().flat_map(|a| V::ALL.into_iter().map(move |b| (a, b))).filter(|(a, b)| a.can_move(*b)).collect();
        assert_eq!(allowed, [(V::Submitted, V::Verified), (V::Verified, V::Suspended), (V::Suspended, V::Verified)]);
        assert_eq!(V::Verified.after_edit(), V::Submitted);
        assert_eq!(V::Submitted.after_edit(), V::Submitted);
        assert_eq!(V::Suspended.after_edit(), V::Suspended);
        assert!(V::Verified.is_listed() && !V::Submitted.is_listed() && !V::Suspended.is_listed());
    }

    #[test]
    fn ratings_only_once_and_only_when_done() {
        assert_eq!(may_rate(ConsultationStatus::Accepted, false), Err(RatingRefusal::NotDone));
        assert_eq!(may_rate(ConsultationStatus::Done, true), Err(RatingRefusal::AlreadyRated));
        assert_eq!(may_rate(ConsultationStatus::Done, false), Ok(()));
        assert_eq!(rating("rating", " 5 ").unwrap(), 5);
        assert_eq!(rating("rating", "1").unwrap(), 1);
        for bad in ["0", "6", "-1", "4.5", "", "five"] {
            assert_eq!(rating("rating", bad).unwrap_err().code, "expert-err-rating", "{bad}");
        }
    }

    #[test]
    fn vocabularies_round_trip_with_unique_message_ids() {
        let mut keys = HashSet::new();
        for k in ExpertKind::ALL {
            assert_eq!(ExpertKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
            assert!(keys.insert(k.message_key()));
        }
        for s in Specialty::ALL {
            assert_eq!(Specialty::parse(s.as_str()), Some(s));
            assert!(keys.insert(s.message_key()));
        }
        for s in Verification::ALL {
            assert_eq!(Verification::parse(s.as_str()), Some(s));
            assert!(keys.insert(s.message_key()));
        }
        for s in ConsultationStatus::ALL {
            assert_eq!(ConsultationStatus::parse(s.as_str()), Some(s));
            assert!(keys.insert(s.message_key()));
        }
        assert_eq!(keys.len(), 4 + 9 + 3 + 5);
        assert_eq!(Specialty::RealEstate.message_key(), "expert-specialty-real_estate");
    }
}

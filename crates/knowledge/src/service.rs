//! Public summaries: drafting from a finished case, editing, submitting, and approval by a
//! second person. The rules of access to the case come from the desk's service.

use desk::DeskState;
use desk::service::{
    CaseError, ReportForm, Result, TEXT_MAX, TITLE_MAX, Viewer, access, after_change, check_note, event, validate_report, viewer,
};
use domain::case::CaseStatus;
use domain::{FieldError, FieldErrors, Role};
use store::TransactionTrait;
use store::cases;
use store::users::User;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct KbForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub hs_codes: String,
    #[serde(default)]
    pub title_ko: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub summary_ko: String,
    #[serde(default)]
    pub summary_en: String,
}

impl KbForm {
    /// The form as an entry stands (to show it, or to check it before asking for approval).
    pub fn of(e: &store::kb::Entry) -> KbForm {
        KbForm {
            category: e.category.clone(),
            country: e.country.clone(),
            hs_codes: e.hs_codes.clone(),
            title_ko: e.title_ko.clone(),
            title_en: e.title_en.clone(),
            summary_ko: e.summary_ko.clone(),
            summary_en: e.summary_en.clone(),
        }
    }
}

pub fn validate_kb(state: &DeskState, f: &KbForm, complete: bool) -> std::result::Result<store::kb::EntryFields, FieldErrors> {
    let report = ReportForm {
        category: f.category.clone(),
        country: f.country.clone(),
        hs_codes: f.hs_codes.clone(),
        title: "—————".into(),
        description: "—".repeat(20),
        ..Default::default()
    };
    let mut errs = match validate_report(state, &report, true) {
        Ok(_) => FieldErrors::default(),
        Err(e) => e,
    };
    let mut text = |name: &str, v: &str, max: usize| {
        let n = v.trim().chars().count();
        if n > max {
            errs.push(FieldError::with_arg(name, "err-too-long", max.to_string()));
        } else if complete && n == 0 {
            errs.push(FieldError::new(name, "err-required"));
        }
    };
    text("title_ko", &f.title_ko, TITLE_MAX);
    text("title_en", &f.title_en, TITLE_MAX);
    text("summary_ko", &f.summary_ko, TEXT_MAX);
    text("summary_en", &f.summary_en, TEXT_MAX);
    if !errs.is_empty() {
        return Err(errs);
    }
    let hs_codes = f
        .hs_codes
        .split([',', ' ', '\n'])
        .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|s| !s.is_empty())
        .collect();
    Ok(store::kb::EntryFields {
        category: f.category.trim().to_string(),
        country: f.country.trim().to_ascii_uppercase(),
        hs_codes,
        title_ko: f.title_ko.trim().to_string(),
        title_en: f.title_en.trim().to_string(),
        summary_ko: f.summary_ko.trim().to_string(),
        summary_en: f.summary_en.trim().to_string(),
    })
}

fn staff_agency(user: &User) -> Result<i64> {
    match viewer(user) {
        Some(Viewer::Agency { agency_id, .. }) => Ok(agency_id),
        _ => Err(CaseError::Forbidden),
    }
}

/// Starts a public summary of a finished case. It begins with the case's category, country and
/// products only: the officer writes the text, leaving out the company and any person.
pub async fn draft_kb_from_case(state: &DeskState, user: &User, case_id: i64) -> Result<i64> {
    let a = access(state, user, case_id).await?;
    let agency = staff_agency(user)?;
    if !a.works || !CaseStatus::parse(&a.case.status).is_some_and(|s| s.is_resolved()) {
        return Err(CaseError::BadMove);
    }
    let hs = cases::products(&state.store.db, case_id).await?;
    let fields =
        store::kb::EntryFields { category: a.case.category.clone(), country: a.case.country.clone(), hs_codes: hs, ..Default::default() };
    let tx = state.store.db.begin().await?;
    let id = store::kb::insert(&tx, Some(case_id), agency, user.id, &fields, false).await?;
    cases::add_event(&tx, event(case_id, "kb_drafted", user, None, Some(&id.to_string()), "", true)).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "kb.draft", &format!("kb:{id}"), "", &format!("case:{case_id}")).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

/// Staff of any agency may read drafts; the drafting agency edits them.
pub async fn kb_for_staff(state: &DeskState, user: &User, id: i64) -> Result<store::kb::Entry> {
    staff_agency(user).or_else(|_| if user.role() == Role::PlatformAdmin { Ok(0) } else { Err(CaseError::NotFound) })?;
    store::kb::get(&state.store.db, id).await?.ok_or(CaseError::NotFound)
}

pub async fn save_kb(state: &DeskState, user: &User, id: i64, version: i64, form: &KbForm) -> Result<()> {
    let e = kb_for_staff(state, user, id).await?;
    if user.agency_id != Some(e.agency_id) {
        return Err(CaseError::Forbidden);
    }
    let fields = validate_kb(state, form, false).map_err(CaseError::Invalid)?;
    let tx = state.store.db.begin().await?;
    store::kb::update(&tx, id, version, &fields).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "kb.save", &format!("kb:{id}"), "", "").await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// The drafting agency sends a complete draft for approval.
pub async fn submit_kb(state: &DeskState, user: &User, id: i64, version: i64) -> Result<()> {
    let e = kb_for_staff(state, user, id).await?;
    if user.agency_id != Some(e.agency_id) {
        return Err(CaseError::Forbidden);
    }
    validate_kb(state, &KbForm::of(&e), true).map_err(CaseError::Invalid)?;
    let tx = state.store.db.begin().await?;
    store::kb::set_status(&tx, id, version, "draft", "pending", None, "").await?;
    store::audit::record(&tx, Some(user.id), &user.email, "kb.submit", &format!("kb:{id}"), "draft", "pending").await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// Approval needs a second pair of eyes in another role: an administrator of the drafting
/// agency, or a platform administrator, who did not draft the entry.
pub fn may_review_kb(user: &User, e: &store::kb::Entry) -> bool {
    let role_ok = match user.role() {
        Role::PlatformAdmin => true,
        Role::AgencyAdmin => user.agency_id == Some(e.agency_id),
        _ => false,
    };
    role_ok && e.drafted_by != user.id
}

pub async fn review_kb(state: &DeskState, user: &User, id: i64, version: i64, approve: bool, note: &str) -> Result<()> {
    let e = kb_for_staff(state, user, id).await?;
    if !may_review_kb(user, &e) {
        return Err(CaseError::Forbidden);
    }
    check_note(note, !approve)?;
    let to = if approve { "published" } else { "draft" };
    let tx = state.store.db.begin().await?;
    store::kb::set_status(&tx, id, version, "pending", to, Some(user.id), note.trim()).await?;
    store::programs::notify(&tx, e.drafted_by, "kb_reviewed", &serde_json::json!({"kb_id": id, "title": e.title_ko, "approved": approve}))
        .await?;
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        if approve { "kb.approve" } else { "kb.return" },
        &format!("kb:{id}"),
        "pending",
        to,
    )
    .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

// ---- public search ----------------------------------------------------------------------------

/// A search of the published summaries, parsed once from the page's query string or the API's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicSearch {
    pub text: String,
    pub category: Option<domain::case::CaseCategory>,
    /// ISO 3166 alpha-2, known to the reference data.
    pub country: Option<String>,
    /// 2 to 10 digits.
    pub hs_prefix: Option<String>,
    /// From 1.
    pub page: usize,
}

impl PublicSearch {
    /// Parses the filters as typed. An unknown category or country, or an HS prefix that is not
    /// 2–10 digits, is left out of the search and named in the errors: the API refuses such a
    /// query, the page (whose filters are select boxes) searches without it.
    /// `known_country` says whether an upper-case ISO alpha-2 code is in the reference data.
    pub fn parse(
        known_country: impl Fn(&str) -> bool,
        text: &str,
        category: &str,
        country: &str,
        hs: &str,
        page: usize,
    ) -> (PublicSearch, FieldErrors) {
        let mut errs = FieldErrors::default();
        let category = match category.trim() {
            "" => None,
            c => domain::case::CaseCategory::parse(c).or_else(|| {
                errs.push(FieldError::new("category", "err-choose"));
                None
            }),
        };
        let country = match country.trim() {
            "" => None,
            c => Some(c.to_ascii_uppercase()).filter(|c| known_country(c)).or_else(|| {
                errs.push(FieldError::with_arg("country", "err-country-unknown", c));
                None
            }),
        };
        let hs = hs.trim();
        let hs_prefix = match hs {
            "" => None,
            h if (2..=10).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit()) => Some(h.to_string()),
            _ => {
                errs.push(FieldError::with_arg("hs", "err-hs-format", hs));
                None
            }
        };
        (PublicSearch { text: text.trim().to_string(), category, country, hs_prefix, page: page.max(1) }, errs)
    }
}

/// Published summaries matching `s`, in the index's order, `per_page` at a time, with the total.
pub async fn search_public(state: &DeskState, s: &PublicSearch, per_page: usize) -> Result<(Vec<store::kb::Entry>, usize)> {
    let Some(index) = state.search() else { return Ok((Vec::new(), 0)) };
    let public = ["public".to_string()];
    let hits = index
        .search(&search::Query {
            text: &s.text,
            kind: search::DocKind::Kb,
            visible_to: &public,
            category: s.category.map(|c| c.as_str()),
            country: s.country.as_deref(),
            hs_prefix: s.hs_prefix.as_deref(),
            statuses: &["published"],
            limit: per_page,
            offset: (s.page - 1) * per_page,
        })
        .map_err(|e| CaseError::Internal(format!("knowledge-base search failed: {e}")))?;
    let ids: Vec<i64> = hits.ids.iter().map(|h| h.0).collect();
    let mut entries = store::kb::get_many(&state.store.db, &ids).await?;
    // The index may be a moment behind a withdrawal; the database has the last word.
    entries.retain(|e| e.status == "published");
    // Keep the index's ranking; the database returns rows in its own order.
    entries.sort_by_key(|e| ids.iter().position(|i| *i == e.id).unwrap_or(usize::MAX));
    Ok((entries, hits.total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(code: &str) -> bool {
        code == "ID"
    }

    #[test]
    fn a_public_search_is_parsed_once_and_unknown_filters_are_named() {
        let (s, errs) = PublicSearch::parse(refs, "  수입 규제 ", "customs", "id", "3304", 0);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(s.text, "수입 규제");
        assert_eq!(s.category, domain::case::CaseCategory::parse("customs"));
        assert_eq!((s.country.as_deref(), s.hs_prefix.as_deref(), s.page), (Some("ID"), Some("3304"), 1));
        let (s, errs) = PublicSearch::parse(refs, "", "no-such", "ZZ", "3", 2);
        assert_eq!((s.category, s.country, s.hs_prefix, s.page), (None, None, None, 2));
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["category", "country", "hs"]);
    }
}

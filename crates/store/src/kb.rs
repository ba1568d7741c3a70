//! The public knowledge base: summaries of resolved cases with the company and personal details
//! removed. An officer drafts, another person approves, and only then does anyone see it.

use crate::changes::Topic;
use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Entry {
    pub id: i64,
    pub case_id: Option<i64>,
    pub category: String,
    pub country: String,
    pub hs_codes: String,
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub status: String,
    pub drafted_by: i64,
    pub agency_id: i64,
    pub reviewed_by: Option<i64>,
    pub review_note: String,
    pub illustrative: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub agency_ko: String,
    pub agency_en: String,
}

const SELECT: &str = "SELECT e.id, e.case_id, e.category, e.country, e.hs_codes, e.title_ko, e.title_en, e.summary_ko, e.summary_en, \
    e.status, e.drafted_by, e.agency_id, e.reviewed_by, e.review_note, e.illustrative, e.version, e.created_at, e.updated_at, e.published_at, \
    a.name_ko AS agency_ko, a.name_en AS agency_en FROM kb_entries e JOIN agencies a ON a.id = e.agency_id";

#[derive(Debug, Clone, Default)]
pub struct EntryFields {
    pub category: String,
    pub country: String,
    pub hs_codes: Vec<String>,
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
}

pub async fn insert(
    c: &impl ConnectionTrait,
    case_id: Option<i64>,
    agency_id: i64,
    user: i64,
    f: &EntryFields,
    illustrative: bool,
) -> Result<i64> {
    let now = now_iso();
    let id = insert_id(
        c,
        "INSERT INTO kb_entries (case_id, category, country, hs_codes, title_ko, title_en, summary_ko, summary_en, status, drafted_by, \
         agency_id, illustrative, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12, $12)",
        vec![
            case_id.into(),
            f.category.clone().into(),
            f.country.clone().into(),
            f.hs_codes.join(" ").into(),
            f.title_ko.clone().into(),
            f.title_en.clone().into(),
            f.summary_ko.clone().into(),
            f.summary_en.clone().into(),
            user.into(),
            agency_id.into(),
            illustrative.into(),
            now.into(),
        ],
    )
    .await?;
    crate::changes::publish(c, Topic::Summary, id).await?;
    if let Some(case_id) = case_id {
        crate::cases::touch(c, case_id).await?;
    }
    Ok(id)
}

/// A summary's case lists it, so the case moves on with it: its version is what nodes keep the
/// case's page by, and what tells a concurrent editor that something changed.
async fn touch_its_case(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Of {
        case_id: Option<i64>,
    }
    let of: Option<Of> = one(c, "SELECT case_id FROM kb_entries WHERE id = $1", vec![id.into()]).await?;
    match of.and_then(|o| o.case_id) {
        Some(case_id) => crate::cases::touch(c, case_id).await,
        None => Ok(()),
    }
}

/// Edits a draft (or an entry sent back) at the expected version.
pub async fn update(c: &impl ConnectionTrait, id: i64, expected_version: i64, f: &EntryFields) -> Result<()> {
    let n = exec(
        c,
        "UPDATE kb_entries SET category = $1, country = $2, hs_codes = $3, title_ko = $4, title_en = $5, summary_ko = $6, summary_en = $7, \
         version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10 AND status = 'draft'",
        vec![
            f.category.clone().into(),
            f.country.clone().into(),
            f.hs_codes.join(" ").into(),
            f.title_ko.clone().into(),
            f.title_en.clone().into(),
            f.summary_ko.clone().into(),
            f.summary_en.clone().into(),
            now_iso().into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    crate::changes::publish(c, Topic::Summary, id).await?;
    touch_its_case(c, id).await
}

/// Moves an entry from `from` to `to` at the expected version (draft → pending → published, or
/// pending → draft with a reviewer's note).
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    from: &str,
    to: &str,
    reviewer: Option<i64>,
    note: &str,
) -> Result<()> {
    let now = now_iso();
    let published_at = if to == "published" { Some(now.clone()) } else { None };
    let n = exec(
        c,
        "UPDATE kb_entries SET status = $1, reviewed_by = COALESCE($2, reviewed_by), review_note = $3, \
         published_at = COALESCE($4, published_at), version = version + 1, updated_at = $5 \
         WHERE id = $6 AND version = $7 AND status = $8",
        vec![to.into(), reviewer.into(), note.into(), published_at.into(), now.into(), id.into(), expected_version.into(), from.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    crate::changes::publish(c, Topic::Summary, id).await?;
    touch_its_case(c, id).await
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Entry>> {
    Ok(one(c, &format!("{SELECT} WHERE e.id = $1"), vec![id.into()]).await?)
}

pub async fn get_many(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list(ids);
    Ok(all(c, &format!("{SELECT} WHERE e.id IN ({list})"), vec![]).await?)
}

/// Entries in a state (for the approval queue), newest first.
pub async fn by_status(c: &impl ConnectionTrait, status: &str, limit: i64) -> Result<Vec<Entry>> {
    Ok(all(c, &format!("{SELECT} WHERE e.status = $1 ORDER BY e.updated_at DESC LIMIT {limit}"), vec![status.into()]).await?)
}

/// What a case page lists of the summaries drafted from it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CaseSummary {
    pub id: i64,
    pub case_id: i64,
    pub title_ko: String,
    pub title_en: String,
    pub status: String,
}

pub async fn summaries_of(c: &impl ConnectionTrait, set: crate::cases::CaseSet<'_>) -> Result<Vec<CaseSummary>> {
    let Some(cond) = set.condition("case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT id, case_id, title_ko, title_en, status FROM kb_entries WHERE {cond} ORDER BY case_id, id"), vec![]).await?)
}

/// Published entries, newest first.
pub async fn published(c: &impl ConnectionTrait, limit: i64, offset: i64) -> Result<(Vec<Entry>, i64)> {
    let total: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM kb_entries WHERE status = 'published'", vec![]).await?;
    let rows = all(
        c,
        &format!("{SELECT} WHERE e.status = 'published' ORDER BY e.published_at DESC, e.id DESC LIMIT {limit} OFFSET {offset}"),
        vec![],
    )
    .await?;
    Ok((rows, total.map(|t| t.n).unwrap_or(0)))
}

pub async fn all_entries_after(c: &impl ConnectionTrait, after: i64, limit: i64) -> Result<Vec<Entry>> {
    Ok(all(c, &format!("{SELECT} WHERE e.id > $1 ORDER BY e.id LIMIT {limit}"), vec![after.into()]).await?)
}

//! Country playbooks as versions. A playbook (country × entity type) belongs to the agency whose
//! officers keep it current; each change is a new version that goes draft → in review →
//! published, and publishing supersedes the version before. The body is the whole playbook as
//! JSON (`domain::playbook::Playbook`); this module stores it and does not look inside.

use crate::changes::Topic;
use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct PlaybookRow {
    pub id: i64,
    pub country: String,
    pub entity_type: String,
    pub agency_id: i64,
    pub published_version: Option<i64>,
    pub created_at: String,
}

/// A version with its playbook's identity.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct VersionRow {
    pub id: i64,
    pub playbook_id: i64,
    pub version: i64,
    pub status: String,
    pub body: String,
    pub change_note: String,
    pub review_note: String,
    pub created_by: Option<i64>,
    pub submitted_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub row_version: i64,
    pub country: String,
    pub entity_type: String,
    pub agency_id: i64,
}

const PB_COLS: &str = "id, country, entity_type, agency_id, published_version, created_at";
const V_SELECT: &str = "SELECT v.id, v.playbook_id, v.version, v.status, v.body, v.change_note, v.review_note, v.created_by, \
    v.submitted_by, v.reviewed_by, v.created_at, v.updated_at, v.published_at, v.row_version, p.country, p.entity_type, p.agency_id \
    FROM playbook_versions v JOIN playbooks p ON p.id = v.playbook_id";

pub async fn create(c: &impl ConnectionTrait, country: &str, entity_type: &str, agency_id: i64) -> Result<i64> {
    insert_id(
        c,
        "INSERT INTO playbooks (country, entity_type, agency_id, created_at) VALUES ($1, $2, $3, $4)",
        vec![country.into(), entity_type.into(), agency_id.into(), now_iso().into()],
    )
    .await
    .map_err(StoreError::unique("playbook"))
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<PlaybookRow>> {
    Ok(one(c, &format!("SELECT {PB_COLS} FROM playbooks WHERE id = $1"), vec![id.into()]).await?)
}

pub async fn by_key(c: &impl ConnectionTrait, country: &str, entity_type: &str) -> Result<Option<PlaybookRow>> {
    Ok(one(
        c,
        &format!("SELECT {PB_COLS} FROM playbooks WHERE country = $1 AND entity_type = $2"),
        vec![country.into(), entity_type.into()],
    )
    .await?)
}

pub async fn list(c: &impl ConnectionTrait) -> Result<Vec<PlaybookRow>> {
    Ok(all(c, &format!("SELECT {PB_COLS} FROM playbooks ORDER BY country, entity_type"), vec![]).await?)
}

pub async fn count(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM playbooks", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// The version of every playbook that companies see.
pub async fn published(c: &impl ConnectionTrait) -> Result<Vec<VersionRow>> {
    Ok(all(c, &format!("{V_SELECT} WHERE v.version = p.published_version ORDER BY p.country, p.entity_type"), vec![]).await?)
}

pub async fn version(c: &impl ConnectionTrait, playbook_id: i64, version: i64) -> Result<Option<VersionRow>> {
    Ok(one(c, &format!("{V_SELECT} WHERE v.playbook_id = $1 AND v.version = $2"), vec![playbook_id.into(), version.into()]).await?)
}

pub async fn version_by_id(c: &impl ConnectionTrait, id: i64) -> Result<Option<VersionRow>> {
    Ok(one(c, &format!("{V_SELECT} WHERE v.id = $1"), vec![id.into()]).await?)
}

/// Every version of a playbook, newest first.
pub async fn versions(c: &impl ConnectionTrait, playbook_id: i64) -> Result<Vec<VersionRow>> {
    Ok(all(c, &format!("{V_SELECT} WHERE v.playbook_id = $1 ORDER BY v.version DESC"), vec![playbook_id.into()]).await?)
}

/// Versions waiting in a state across playbooks (the review queue), oldest change first.
pub async fn by_status(c: &impl ConnectionTrait, status: &str) -> Result<Vec<VersionRow>> {
    Ok(all(c, &format!("{V_SELECT} WHERE v.status = $1 ORDER BY v.updated_at"), vec![status.into()]).await?)
}

/// A new version numbered after the highest one so far. Two editors starting a draft at once
/// get the same number; the unique key refuses the second (`Duplicate`).
pub async fn insert_version(
    c: &impl ConnectionTrait,
    playbook_id: i64,
    status: &str,
    body: &str,
    change_note: &str,
    user: Option<i64>,
) -> Result<(i64, i64)> {
    let next: Option<Count> =
        one(c, "SELECT COALESCE(MAX(version), 0) + 1 AS n FROM playbook_versions WHERE playbook_id = $1", vec![playbook_id.into()]).await?;
    let version = next.map(|n| n.n).unwrap_or(1);
    let now = now_iso();
    let id = insert_id(
        c,
        "INSERT INTO playbook_versions (playbook_id, version, status, body, change_note, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        vec![playbook_id.into(), version.into(), status.into(), body.into(), change_note.into(), user.into(), now.into()],
    )
    .await
    .map_err(StoreError::unique("playbook version"))?;
    Ok((id, version))
}

/// Edits a draft at the expected row version.
pub async fn update_draft(c: &impl ConnectionTrait, id: i64, row_version: i64, body: &str, change_note: &str) -> Result<()> {
    let n = exec(
        c,
        "UPDATE playbook_versions SET body = $1, change_note = $2, row_version = row_version + 1, updated_at = $3 \
         WHERE id = $4 AND row_version = $5 AND status = 'draft'",
        vec![body.into(), change_note.into(), now_iso().into(), id.into(), row_version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

/// Moves a version from `from` to `to` (draft → in_review on submission; in_review → draft when
/// a reviewer sends it back), at the expected row version.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: i64,
    row_version: i64,
    from: &str,
    to: &str,
    user: i64,
    review_note: &str,
) -> Result<()> {
    let (who, note) = if to == "in_review" { ("submitted_by", "review_note") } else { ("reviewed_by", "review_note") };
    let n = exec(
        c,
        &format!(
            "UPDATE playbook_versions SET status = $1, {who} = $2, {note} = $3, row_version = row_version + 1, updated_at = $4 \
             WHERE id = $5 AND row_version = $6 AND status = $7"
        ),
        vec![to.into(), user.into(), review_note.into(), now_iso().into(), id.into(), row_version.into(), from.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

/// Publishes a version under review: the version before is superseded and the playbook points
/// at this one. `reviewer` is None when the shipped data is loaded.
pub async fn publish(c: &impl ConnectionTrait, id: i64, row_version: i64, reviewer: Option<i64>, review_note: &str) -> Result<()> {
    let v = version_by_id(c, id).await?.ok_or(StoreError::NotFound)?;
    let now = now_iso();
    let n = exec(
        c,
        "UPDATE playbook_versions SET status = 'published', reviewed_by = $1, review_note = $2, published_at = $3, \
         row_version = row_version + 1, updated_at = $3 WHERE id = $4 AND row_version = $5 AND status IN ('in_review', 'draft')",
        vec![reviewer.into(), review_note.into(), now.clone().into(), id.into(), row_version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    exec(
        c,
        "UPDATE playbook_versions SET status = 'superseded', updated_at = $1 WHERE playbook_id = $2 AND status = 'published' AND id <> $3",
        vec![now.into(), v.playbook_id.into(), id.into()],
    )
    .await?;
    exec(c, "UPDATE playbooks SET published_version = $1 WHERE id = $2", vec![v.version.into(), v.playbook_id.into()]).await?;
    crate::changes::publish(c, Topic::Playbook, v.playbook_id).await
}

/// Changes whenever a version is published: nodes compare it to know when to reload.
pub async fn stamp(c: &impl ConnectionTrait) -> Result<String> {
    // The set of published version ids changes on every publication (timestamps could tie).
    #[derive(FromQueryResult)]
    struct S {
        n: i64,
        ids: Option<i64>,
    }
    let s: Option<S> =
        one(c, "SELECT COUNT(*) AS n, CAST(SUM(id) AS BIGINT) AS ids FROM playbook_versions WHERE status = 'published'", vec![]).await?;
    Ok(s.map(|s| format!("{}|{}", s.n, s.ids.unwrap_or_default())).unwrap_or_default())
}

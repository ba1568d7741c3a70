//! The program catalog: programs of every agency, each as immutable versions (a draft is
//! edited until it is published; a published version is never changed), the test cases an
//! officer attaches, awards, stored decisions, company facts beyond the profile, and in-app
//! notifications.

use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The program categories (shared with the rule checker).
pub const CATEGORIES: [&str; 13] = rules::catalog::PROGRAM_CATEGORIES;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ProgramVersion {
    pub id: i64,
    pub program_id: i64,
    pub version: i32,
    pub status: String,
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub benefit_krw: Option<i64>,
    pub copay_pct: Option<i32>,
    pub apply_from: Option<String>,
    pub apply_to: Option<String>,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub target_stages: String,
    pub documents_ko: String,
    pub documents_en: String,
    pub url: String,
    pub capacity: Option<i32>,
    pub illustrative: bool,
    pub rule_text: Option<String>,
    pub rule_json: Option<String>,
    pub source_json: Option<String>,
    pub content_hash: String,
    pub created_at: String,
    pub published_at: Option<String>,
    pub key: String,
    pub agency_id: i64,
    pub family: String,
    pub category: String,
    pub source: String,
    pub agency_code: String,
    pub agency_name_ko: String,
    pub agency_name_en: String,
}

const SELECT: &str = "SELECT v.id, v.program_id, v.version, v.status, v.title_ko, v.title_en, v.summary_ko, v.summary_en, \
     v.benefit_krw, v.copay_pct, v.apply_from, v.apply_to, v.effective_from, v.effective_to, v.target_stages, v.documents_ko, \
     v.documents_en, v.url, v.capacity, v.illustrative, v.rule_text, v.rule_json, v.source_json, v.content_hash, v.created_at, \
     v.published_at, p.key, p.agency_id, p.family, p.category, p.source, a.code AS agency_code, a.name_ko AS agency_name_ko, \
     a.name_en AS agency_name_en \
     FROM program_versions v JOIN programs p ON p.id = v.program_id JOIN agencies a ON a.id = p.agency_id";

impl ProgramVersion {
    pub fn documents(&self, lang_ko: bool) -> Vec<&str> {
        let d = if lang_ko { &self.documents_ko } else { &self.documents_en };
        d.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }

    pub fn stages(&self) -> Vec<&str> {
        self.target_stages.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
    }

    pub fn encoded(&self) -> bool {
        self.rule_text.is_some()
    }
}

/// What an officer (or an importer) writes for a version. Validation happens before this
/// point (web layer: fields; rules crate: the rule).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProgramFields {
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub benefit_krw: Option<i64>,
    pub copay_pct: Option<i64>,
    pub apply_from: Option<String>,
    pub apply_to: Option<String>,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub target_stages: Vec<String>,
    pub documents_ko: Vec<String>,
    pub documents_en: Vec<String>,
    pub url: String,
    pub capacity: Option<i64>,
    pub illustrative: bool,
    /// Canonical text and JSON of the rule; `None` = eligibility not yet encoded.
    pub rule_text: Option<String>,
    pub rule_json: Option<String>,
    /// An imported notice, kept exactly as received.
    pub source_json: Option<String>,
}

impl ProgramFields {
    /// SHA-256 over a canonical JSON of everything a decision depends on or shows.
    pub fn content_hash(&self, family: &str, category: &str) -> String {
        let canon = serde_json::json!({"family": family, "category": category, "fields": self});
        hex::encode(Sha256::digest(canon.to_string().as_bytes()))
    }

    fn values(&self) -> Vec<Value> {
        vec![
            self.title_ko.clone().into(),
            self.title_en.clone().into(),
            self.summary_ko.clone().into(),
            self.summary_en.clone().into(),
            self.benefit_krw.into(),
            self.copay_pct.map(|v| v as i32).into(),
            self.apply_from.clone().into(),
            self.apply_to.clone().into(),
            self.effective_from.clone().into(),
            self.effective_to.clone().into(),
            self.target_stages.join(",").into(),
            self.documents_ko.join("\n").into(),
            self.documents_en.join("\n").into(),
            self.url.clone().into(),
            self.capacity.map(|v| v as i32).into(),
            self.illustrative.into(),
            self.rule_text.clone().into(),
            self.rule_json.clone().into(),
            self.source_json.clone().into(),
        ]
    }
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Program {
    pub id: i64,
    pub key: String,
    pub agency_id: i64,
    pub family: String,
    pub category: String,
    pub source: String,
}

pub async fn create_program(
    c: &impl ConnectionTrait,
    key: &str,
    agency_id: i64,
    family: &str,
    category: &str,
    source: &str,
) -> Result<i64> {
    insert_id(
        c,
        "INSERT INTO programs (key, agency_id, family, category, source, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![key.into(), agency_id.into(), family.into(), category.into(), source.into(), now_iso().into()],
    )
    .await
    .map_err(StoreError::unique("program key"))
}

pub async fn program(c: &impl ConnectionTrait, id: i64) -> Result<Option<Program>> {
    Ok(one(c, "SELECT id, key, agency_id, family, category, source FROM programs WHERE id = $1", vec![id.into()]).await?)
}

pub async fn program_by_key(c: &impl ConnectionTrait, key: &str) -> Result<Option<Program>> {
    Ok(one(c, "SELECT id, key, agency_id, family, category, source FROM programs WHERE key = $1", vec![key.into()]).await?)
}

/// Adds a version (the next number) in `status` (`draft` or `published`).
pub async fn insert_version(c: &impl ConnectionTrait, p: &Program, status: &str, f: &ProgramFields, user: Option<i64>) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Max {
        v: Option<i32>,
    }
    let max: Option<Max> = one(c, "SELECT MAX(version) AS v FROM program_versions WHERE program_id = $1", vec![p.id.into()]).await?;
    let next = max.and_then(|m| m.v).unwrap_or(0) + 1;
    let now = now_iso();
    let mut values = vec![p.id.into(), next.into(), status.into()];
    values.extend(f.values());
    values.extend([f.content_hash(&p.family, &p.category).into(), user.into(), now.clone().into()]);
    let published_at: Option<String> = (status == "published").then_some(now);
    values.extend([published_at.into(), if status == "published" { user } else { None }.into()]);
    let id = insert_id(
        c,
        "INSERT INTO program_versions (program_id, version, status, title_ko, title_en, summary_ko, summary_en, benefit_krw, copay_pct, \
         apply_from, apply_to, effective_from, effective_to, target_stages, documents_ko, documents_en, url, capacity, illustrative, \
         rule_text, rule_json, source_json, content_hash, created_by, created_at, published_at, published_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)",
        values,
    )
    .await?;
    if status == "published" {
        bump_catalog(c).await?;
    }
    Ok(id)
}

/// Rewrites a draft. Published versions are immutable: changing one is refused.
pub async fn update_draft(c: &impl ConnectionTrait, version_id: i64, p: &Program, f: &ProgramFields) -> Result<()> {
    let mut values = f.values();
    values.push(f.content_hash(&p.family, &p.category).into());
    values.push(version_id.into());
    let n = exec(
        c,
        "UPDATE program_versions SET title_ko = $1, title_en = $2, summary_ko = $3, summary_en = $4, benefit_krw = $5, copay_pct = $6, \
         apply_from = $7, apply_to = $8, effective_from = $9, effective_to = $10, target_stages = $11, documents_ko = $12, \
         documents_en = $13, url = $14, capacity = $15, illustrative = $16, rule_text = $17, rule_json = $18, source_json = $19, \
         content_hash = $20 WHERE id = $21 AND status = 'draft'",
        values,
    )
    .await?;
    if n == 0 {
        return Err(StoreError::Invalid("only a draft can be edited".into()));
    }
    Ok(())
}

/// Publishes a draft, in the caller's transaction: the program's published version is
/// superseded. `expected_hash` is the content that was checked (tests, diff): if the draft has
/// changed since, or someone published it first, nothing happens and `StaleVersion` says so.
pub async fn publish(c: &impl ConnectionTrait, version_id: i64, expected_hash: &str, user: i64) -> Result<()> {
    let v = version(c, version_id).await?.ok_or(StoreError::NotFound)?;
    exec(c, "UPDATE program_versions SET status = 'superseded' WHERE program_id = $1 AND status = 'published'", vec![v.program_id.into()])
        .await?;
    let n = exec(
        c,
        "UPDATE program_versions SET status = 'published', published_at = $1, published_by = $2 \
         WHERE id = $3 AND status = 'draft' AND content_hash = $4",
        vec![now_iso().into(), user.into(), version_id.into(), expected_hash.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    bump_catalog(c).await?;
    Ok(())
}

/// Changes a program's family and category (program-level: they apply to every version).
pub async fn set_family_category(c: &impl ConnectionTrait, program_id: i64, family: &str, category: &str) -> Result<()> {
    exec(c, "UPDATE programs SET family = $1, category = $2 WHERE id = $3", vec![family.into(), category.into(), program_id.into()])
        .await?;
    Ok(())
}

async fn bump_catalog(c: &impl ConnectionTrait) -> Result<()> {
    exec(c, "UPDATE catalog_version SET version = version + 1 WHERE id = 1", vec![]).await?;
    crate::changes::publish(c, crate::changes::Topic::Programs, 0).await
}

pub async fn catalog_version(c: &impl ConnectionTrait) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct V {
        version: i64,
    }
    let v: Option<V> = one(c, "SELECT version FROM catalog_version WHERE id = 1", vec![]).await?;
    Ok(v.map(|v| v.version).unwrap_or(0))
}

pub async fn version(c: &impl ConnectionTrait, id: i64) -> Result<Option<ProgramVersion>> {
    Ok(one(c, &format!("{SELECT} WHERE v.id = $1"), vec![id.into()]).await?)
}

/// Every published version (the live catalog), oldest program first.
pub async fn published(c: &impl ConnectionTrait) -> Result<Vec<ProgramVersion>> {
    Ok(all(c, &format!("{SELECT} WHERE v.status = 'published' ORDER BY v.program_id"), vec![]).await?)
}

/// All versions of a program, newest first.
pub async fn versions(c: &impl ConnectionTrait, program_id: i64) -> Result<Vec<ProgramVersion>> {
    Ok(all(c, &format!("{SELECT} WHERE v.program_id = $1 ORDER BY v.version DESC"), vec![program_id.into()]).await?)
}

/// The newest version of every program of an agency (or of all agencies), for the officer
/// list, a page at a time; with the number of programs in all.
pub async fn latest_versions(
    c: &impl ConnectionTrait,
    agency_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ProgramVersion>, i64)> {
    let newest = "JOIN (SELECT program_id AS pid, MAX(version) AS mv FROM program_versions GROUP BY program_id) m \
                  ON m.pid = v.program_id AND m.mv = v.version";
    let (filter, mut values): (&str, Vec<Value>) = match agency_id {
        Some(a) => ("WHERE p.agency_id = $1", vec![a.into()]),
        None => ("", vec![]),
    };
    let total: Option<Count> = one(c, &format!("SELECT COUNT(*) AS n FROM programs p {filter}"), values.clone()).await?;
    let n = values.len();
    values.extend([limit.into(), offset.into()]);
    let rows = all(c, &format!("{SELECT} {newest} {filter} ORDER BY v.program_id LIMIT ${} OFFSET ${}", n + 1, n + 2), values).await?;
    Ok((rows, total.map(|t| t.n).unwrap_or(0)))
}

pub async fn count_programs(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM programs", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ProgramTest {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub case_json: String,
    pub created_at: String,
}

pub async fn add_test(c: &impl ConnectionTrait, program_id: i64, name: &str, case_json: &str, user: Option<i64>) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO program_tests (program_id, name, case_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![program_id.into(), name.into(), case_json.into(), user.into(), now_iso().into()],
    )
    .await?)
}

pub async fn tests_of(c: &impl ConnectionTrait, program_id: i64) -> Result<Vec<ProgramTest>> {
    Ok(all(
        c,
        "SELECT id, program_id, name, case_json, created_at FROM program_tests WHERE program_id = $1 ORDER BY id",
        vec![program_id.into()],
    )
    .await?)
}

pub async fn delete_test(c: &impl ConnectionTrait, program_id: i64, test_id: i64) -> Result<()> {
    exec(c, "DELETE FROM program_tests WHERE id = $1 AND program_id = $2", vec![test_id.into(), program_id.into()]).await?;
    Ok(())
}

#[derive(Debug, Clone, Hash, Serialize, FromQueryResult)]
pub struct AwardRow {
    pub company_id: i64,
    pub program_id: i64,
    pub family: String,
    pub category: String,
    pub awarded_on: String,
}

pub async fn awards_of(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<AwardRow>> {
    Ok(all(
        c,
        "SELECT company_id, program_id, family, category, awarded_on FROM awards WHERE company_id = $1 ORDER BY awarded_on",
        vec![company_id.into()],
    )
    .await?)
}

pub async fn all_awards(c: &impl ConnectionTrait) -> Result<Vec<AwardRow>> {
    Ok(all(c, "SELECT company_id, program_id, family, category, awarded_on FROM awards ORDER BY company_id", vec![]).await?)
}

pub async fn add_award(
    c: &impl ConnectionTrait,
    company_id: i64,
    p: &Program,
    awarded_on: &str,
    application_id: Option<i64>,
) -> Result<i64> {
    let id = insert_id(
        c,
        "INSERT INTO awards (company_id, program_id, family, category, awarded_on, application_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![company_id.into(), p.id.into(), p.family.clone().into(), p.category.clone().into(), awarded_on.into(), application_id.into(), now_iso().into()],
    )
    .await?;
    crate::changes::publish(c, crate::changes::Topic::CompanyFacts, company_id).await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Decision {
    pub id: i64,
    pub company_id: i64,
    pub version_id: i64,
    pub content_hash: String,
    pub as_of: String,
    pub outcome: String,
    pub failing: String,
    pub missing: String,
    pub facts_json: String,
    pub created_at: String,
}

pub struct NewDecision<'a> {
    pub company_id: i64,
    pub version_id: i64,
    pub content_hash: &'a str,
    pub as_of: &'a str,
    pub outcome: &'a str,
    pub failing: &'a [String],
    pub missing: &'a [String],
    pub facts_json: &'a str,
}

pub async fn record_decision(c: &impl ConnectionTrait, d: NewDecision<'_>) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO decisions (company_id, version_id, content_hash, as_of, outcome, failing, missing, facts_json, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            d.company_id.into(),
            d.version_id.into(),
            d.content_hash.into(),
            d.as_of.into(),
            d.outcome.into(),
            serde_json::to_string(d.failing).unwrap_or_default().into(),
            serde_json::to_string(d.missing).unwrap_or_default().into(),
            d.facts_json.into(),
            now_iso().into(),
        ],
    )
    .await?)
}

pub async fn decision(c: &impl ConnectionTrait, id: i64) -> Result<Option<Decision>> {
    Ok(one(
        c,
        "SELECT id, company_id, version_id, content_hash, as_of, outcome, failing, missing, facts_json, created_at FROM decisions WHERE id = $1",
        vec![id.into()],
    )
    .await?)
}

#[derive(Debug, Clone, Hash, Serialize, FromQueryResult)]
pub struct CompanyFact {
    pub company_id: i64,
    pub fact: String,
    pub value: String,
}

pub async fn facts_of(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<CompanyFact>> {
    Ok(all(c, "SELECT company_id, fact, value FROM company_facts WHERE company_id = $1 ORDER BY fact", vec![company_id.into()]).await?)
}

pub async fn all_facts(c: &impl ConnectionTrait) -> Result<Vec<CompanyFact>> {
    Ok(all(c, "SELECT company_id, fact, value FROM company_facts ORDER BY company_id", vec![]).await?)
}

/// Sets (or, with `None`, forgets) one supplementary fact.
pub async fn set_fact(c: &impl ConnectionTrait, company_id: i64, fact: &str, value: Option<&str>) -> Result<()> {
    exec(c, "DELETE FROM company_facts WHERE company_id = $1 AND fact = $2", vec![company_id.into(), fact.into()]).await?;
    if let Some(v) = value {
        exec(
            c,
            "INSERT INTO company_facts (company_id, fact, value, updated_at) VALUES ($1, $2, $3, $4)",
            vec![company_id.into(), fact.into(), v.into(), now_iso().into()],
        )
        .await?;
    }
    crate::changes::publish(c, crate::changes::Topic::CompanyFacts, company_id).await
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

pub async fn notify(c: &impl ConnectionTrait, user_id: i64, kind: &str, payload: &serde_json::Value) -> Result<()> {
    exec(
        c,
        "INSERT INTO notifications (user_id, kind, payload, created_at) VALUES ($1, $2, $3, $4)",
        vec![user_id.into(), kind.into(), payload.to_string().into(), now_iso().into()],
    )
    .await?;
    Ok(())
}

pub async fn notifications(c: &impl ConnectionTrait, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
    Ok(all(
        c,
        "SELECT id, user_id, kind, payload, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        vec![user_id.into(), limit.into()],
    )
    .await?)
}

pub async fn unread_count(c: &impl ConnectionTrait, user_id: i64) -> Result<i64> {
    let n: Option<Count> =
        one(c, "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL", vec![user_id.into()]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

pub async fn mark_read(c: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    exec(c, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL", vec![now_iso().into(), user_id.into()]).await?;
    Ok(())
}

//! The directory of vetted local experts and the consultations companies book with them on a
//! step of their plan. Listings carry their track record (completed engagements, average rating)
//! computed from the consultations, so the number can never drift from what happened.

use crate::changes::Topic;
use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Expert {
    pub id: i64,
    pub country: String,
    pub kind: String,
    pub name_ko: String,
    pub name_en: String,
    pub city: String,
    /// Space-separated specialty keys.
    pub specialties: String,
    /// Space-separated ISO 639-1 codes.
    pub languages: String,
    pub fee_min_usd: Option<i64>,
    pub fee_max_usd: Option<i64>,
    pub contact_email: String,
    pub description_ko: String,
    pub description_en: String,
    pub status: String,
    pub status_note: String,
    pub verified_by_agency: Option<i64>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<String>,
    pub endorsed_by_agency: Option<i64>,
    pub coi_declaration: String,
    pub coi_declared_at: Option<String>,
    pub user_id: Option<i64>,
    pub illustrative: bool,
    pub row_version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub verified_agency_ko: Option<String>,
    pub verified_agency_en: Option<String>,
    pub endorsed_agency_ko: Option<String>,
    pub endorsed_agency_en: Option<String>,
    /// Consultations marked done.
    pub completed: i64,
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
}

impl Expert {
    pub fn speaks(&self, code: &str) -> bool {
        self.languages.split_whitespace().any(|l| l == code)
    }
}

// AVG is cast because PostgreSQL averages integers as NUMERIC, which does not decode as f64.
const SELECT: &str = "SELECT x.id, x.country, x.kind, x.name_ko, x.name_en, x.city, x.specialties, x.languages, x.fee_min_usd, x.fee_max_usd, \
    x.contact_email, x.description_ko, x.description_en, x.status, x.status_note, x.verified_by_agency, x.verified_by, x.verified_at, \
    x.endorsed_by_agency, x.coi_declaration, x.coi_declared_at, x.user_id, x.illustrative, x.row_version, x.created_at, x.updated_at, \
    va.name_ko AS verified_agency_ko, va.name_en AS verified_agency_en, ea.name_ko AS endorsed_agency_ko, ea.name_en AS endorsed_agency_en, \
    COALESCE(s.completed, 0) AS completed, s.rating_avg, COALESCE(s.rating_count, 0) AS rating_count \
    FROM experts x \
    LEFT JOIN agencies va ON va.id = x.verified_by_agency \
    LEFT JOIN agencies ea ON ea.id = x.endorsed_by_agency \
    LEFT JOIN (SELECT expert_id, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS completed, \
        CAST(AVG(rating) AS DOUBLE PRECISION) AS rating_avg, COUNT(rating) AS rating_count \
        FROM consultations GROUP BY expert_id) s ON s.expert_id = x.id";

/// The profile columns an expert (or the seed) writes.
#[derive(Debug, Clone, Default)]
pub struct ExpertFields {
    pub country: String,
    pub kind: String,
    pub name_ko: String,
    pub name_en: String,
    pub city: String,
    pub specialties: String,
    pub languages: String,
    pub fee_min_usd: Option<i64>,
    pub fee_max_usd: Option<i64>,
    pub contact_email: String,
    pub description_ko: String,
    pub description_en: String,
    pub coi_declaration: String,
}

impl ExpertFields {
    fn values(&self) -> Vec<Value> {
        vec![
            self.country.clone().into(),
            self.kind.clone().into(),
            self.name_ko.clone().into(),
            self.name_en.clone().into(),
            self.city.clone().into(),
            self.specialties.clone().into(),
            self.languages.clone().into(),
            self.fee_min_usd.into(),
            self.fee_max_usd.into(),
            self.contact_email.clone().into(),
            self.description_ko.clone().into(),
            self.description_en.clone().into(),
            self.coi_declaration.clone().into(),
        ]
    }
}

/// Inserts a submitted listing. A non-empty conflict-of-interest declaration is dated now.
pub async fn insert(c: &impl ConnectionTrait, f: &ExpertFields, user_id: Option<i64>, illustrative: bool) -> Result<i64> {
    let now = now_iso();
    let mut values = f.values();
    let declared = (!f.coi_declaration.is_empty()).then(|| now.clone());
    values.extend([declared.into(), user_id.into(), illustrative.into(), now.into()]);
    insert_id(
        c,
        "INSERT INTO experts (country, kind, name_ko, name_en, city, specialties, languages, fee_min_usd, fee_max_usd, contact_email, \
         description_ko, description_en, coi_declaration, coi_declared_at, user_id, illustrative, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'submitted', $17, $17)",
        values,
    )
    .await
    .map_err(StoreError::unique("expert account"))
}

/// The expert edits the listing at the expected version; `status` is what the edit leaves it in
/// (see `domain::expert::Verification::after_edit`). The declaration's date moves only when its
/// text changed, so it records when the expert last said something new.
pub async fn update_profile(c: &impl ConnectionTrait, id: i64, expected_version: i64, f: &ExpertFields, status: &str) -> Result<()> {
    let now = now_iso();
    let mut values = f.values();
    values.extend([now.into(), status.into(), id.into(), expected_version.into()]);
    let n = exec(
        c,
        "UPDATE experts SET coi_declared_at = CASE WHEN coi_declaration = $13 THEN coi_declared_at WHEN $13 = '' THEN NULL ELSE $14 END, \
         country = $1, kind = $2, name_ko = $3, name_en = $4, city = $5, specialties = $6, languages = $7, fee_min_usd = $8, \
         fee_max_usd = $9, contact_email = $10, description_ko = $11, description_en = $12, coi_declaration = $13, \
         status = $15, row_version = row_version + 1, updated_at = $14 WHERE id = $16 AND row_version = $17",
        values,
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

/// An agency's verification move at the expected version and from the expected status. Verifying
/// records who and which agency vouched; suspending keeps that record and adds the reason.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    from: &str,
    to: &str,
    note: &str,
    verifier: Option<(Option<i64>, i64)>,
) -> Result<()> {
    let now = now_iso();
    let (agency, user, at) = match verifier {
        Some((agency, user)) => (agency, Some(user), Some(now.clone())),
        None => (None, None, None),
    };
    let verifying = verifier.is_some();
    let n = exec(
        c,
        "UPDATE experts SET status = $1, status_note = $2, \
         verified_by_agency = CASE WHEN $3 THEN $4 ELSE verified_by_agency END, \
         verified_by = CASE WHEN $3 THEN $5 ELSE verified_by END, verified_at = CASE WHEN $3 THEN $6 ELSE verified_at END, \
         row_version = row_version + 1, updated_at = $7 WHERE id = $8 AND row_version = $9 AND status = $10",
        vec![
            to.into(),
            note.into(),
            verifying.into(),
            agency.into(),
            user.into(),
            at.into(),
            now.into(),
            id.into(),
            expected_version.into(),
            from.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

/// An agency endorses the listing (one endorsing agency at a time; the latest stands).
pub async fn endorse(c: &impl ConnectionTrait, id: i64, expected_version: i64, agency_id: i64) -> Result<()> {
    let n = exec(
        c,
        "UPDATE experts SET endorsed_by_agency = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3 AND row_version = $4",
        vec![agency_id.into(), now_iso().into(), id.into(), expected_version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

/// Links an account (role `expert`) to a listing that has none.
pub async fn link_user(c: &impl ConnectionTrait, id: i64, user_id: i64) -> Result<()> {
    let n = exec(c, "UPDATE experts SET user_id = $1 WHERE id = $2 AND user_id IS NULL", vec![user_id.into(), id.into()])
        .await
        .map_err(StoreError::unique("expert account"))?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Expert>> {
    Ok(one(c, &format!("{SELECT} WHERE x.id = $1"), vec![id.into()]).await?)
}

/// The listing of the expert signed in as `user_id`.
pub async fn by_user(c: &impl ConnectionTrait, user_id: i64) -> Result<Option<Expert>> {
    Ok(one(c, &format!("{SELECT} WHERE x.user_id = $1"), vec![user_id.into()]).await?)
}

pub async fn count(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM experts", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// Directory filters; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub country: Option<String>,
    pub kind: Option<String>,
    pub specialty: Option<String>,
    /// Only experts who list Korean (`ko`) among their languages.
    pub korean: bool,
    pub status: Option<String>,
}

/// Listings matching the filter: the best track record first (most completed, then rating), then by name.
pub async fn list(c: &impl ConnectionTrait, f: &Filter) -> Result<Vec<Expert>> {
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut add = |cond: &str, v: Value| {
        values.push(v);
        conds.push(cond.replace('?', &format!("${}", values.len())));
    };
    if let Some(country) = &f.country {
        add("x.country = ?", country.clone().into());
    }
    if let Some(kind) = &f.kind {
        add("x.kind = ?", kind.clone().into());
    }
    if let Some(s) = &f.specialty {
        // Space-separated keys: padding both sides makes `tax` not match `taxation`.
        add("(' ' || x.specialties || ' ') LIKE ?", format!("% {s} %").into());
    }
    if f.korean {
        add("(' ' || x.languages || ' ') LIKE ?", "% ko %".to_string().into());
    }
    if let Some(s) = &f.status {
        add("x.status = ?", s.clone().into());
    }
    let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    Ok(all(c, &format!("{SELECT}{filter} ORDER BY COALESCE(s.completed, 0) DESC, COALESCE(s.rating_avg, 0) DESC, x.name_en, x.id"), values)
        .await?)
}

// ---- consultations -----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ConsultationRow {
    pub id: i64,
    pub expert_id: i64,
    pub company_id: i64,
    pub plan_id: i64,
    pub step_key: String,
    pub requested_by: Option<i64>,
    pub status: String,
    pub message: String,
    pub preferred_date: Option<String>,
    pub voucher_program_id: Option<i64>,
    pub response_note: String,
    pub rating: Option<i64>,
    pub review: String,
    pub rated_at: Option<String>,
    pub requested_at: String,
    pub accepted_at: Option<String>,
    pub done_at: Option<String>,
    pub updated_at: String,
    pub row_version: i64,
    pub expert_name_ko: String,
    pub expert_name_en: String,
    /// The expert's verification status now (submitted, verified, suspended).
    pub expert_status: String,
    pub expert_kind: String,
    pub expert_user_id: Option<i64>,
    pub expert_email: String,
    pub company_name_ko: String,
    pub company_name_en: Option<String>,
    pub plan_country: String,
    pub voucher_title_ko: Option<String>,
    pub voucher_title_en: Option<String>,
}

const CONSULTATION: &str = "SELECT k.id, k.expert_id, k.company_id, k.plan_id, k.step_key, k.requested_by, k.status, k.message, k.preferred_date, \
    k.voucher_program_id, k.response_note, k.rating, k.review, k.rated_at, k.requested_at, k.accepted_at, k.done_at, k.updated_at, k.row_version, \
    x.name_ko AS expert_name_ko, x.name_en AS expert_name_en, x.status AS expert_status, x.kind AS expert_kind, x.user_id AS expert_user_id, \
    x.contact_email AS expert_email, co.name_ko AS company_name_ko, co.name_en AS company_name_en, pl.country AS plan_country, \
    (SELECT v.title_ko FROM program_versions v WHERE v.program_id = k.voucher_program_id ORDER BY v.version DESC LIMIT 1) AS voucher_title_ko, \
    (SELECT v.title_en FROM program_versions v WHERE v.program_id = k.voucher_program_id ORDER BY v.version DESC LIMIT 1) AS voucher_title_en \
    FROM consultations k JOIN experts x ON x.id = k.expert_id JOIN companies co ON co.id = k.company_id JOIN plans pl ON pl.id = k.plan_id";

pub struct NewConsultation<'a> {
    pub expert_id: i64,
    pub company_id: i64,
    pub plan_id: i64,
    pub step_key: &'a str,
    pub requested_by: i64,
    pub message: &'a str,
    pub preferred_date: Option<&'a str>,
    pub voucher_program_id: Option<i64>,
}

pub async fn insert_consultation(c: &impl ConnectionTrait, n: &NewConsultation<'_>) -> Result<i64> {
    let now = now_iso();
    let id = insert_id(
        c,
        "INSERT INTO consultations (expert_id, company_id, plan_id, step_key, requested_by, status, message, preferred_date, \
         voucher_program_id, requested_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, $9, $9)",
        vec![
            n.expert_id.into(),
            n.company_id.into(),
            n.plan_id.into(),
            n.step_key.into(),
            n.requested_by.into(),
            n.message.into(),
            n.preferred_date.map(str::to_string).into(),
            n.voucher_program_id.into(),
            now.into(),
        ],
    )
    .await?;
    crate::changes::publish(c, Topic::Plan, n.plan_id).await?;
    Ok(id)
}

/// Plan pages show their consultations and are cached per node: a change to a consultation is
/// a change to its plan in the shared change log.
/// A consultation shows on its plan's page: the plan changed. Published through
/// `changes::publish` like every change (a row written straight into the log once skipped the
/// `NOTIFY`, and other PostgreSQL nodes showed the old status until their slower poll).
async fn plan_changed(c: &impl ConnectionTrait, consultation_id: i64) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Plan {
        plan_id: i64,
    }
    let plan: Option<Plan> = one(c, "SELECT plan_id FROM consultations WHERE id = $1", vec![consultation_id.into()]).await?;
    match plan {
        Some(p) => crate::changes::publish(c, Topic::Plan, p.plan_id).await,
        None => Ok(()),
    }
}

pub async fn consultation(c: &impl ConnectionTrait, id: i64) -> Result<Option<ConsultationRow>> {
    Ok(one(c, &format!("{CONSULTATION} WHERE k.id = $1"), vec![id.into()]).await?)
}

/// Consultations addressed to an expert, newest first.
pub async fn for_expert(c: &impl ConnectionTrait, expert_id: i64) -> Result<Vec<ConsultationRow>> {
    Ok(all(c, &format!("{CONSULTATION} WHERE k.expert_id = $1 ORDER BY k.id DESC"), vec![expert_id.into()]).await?)
}

/// A company's consultations, newest first.
pub async fn for_company(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<ConsultationRow>> {
    Ok(all(c, &format!("{CONSULTATION} WHERE k.company_id = $1 ORDER BY k.id DESC"), vec![company_id.into()]).await?)
}

/// The consultations booked on a plan's steps (with the expert's names and status and the
/// step key), oldest first. The caller has already checked the viewer may see the plan.
pub async fn for_plan(c: &impl ConnectionTrait, plan_id: i64) -> Result<Vec<ConsultationRow>> {
    Ok(all(c, &format!("{CONSULTATION} WHERE k.plan_id = $1 ORDER BY k.id"), vec![plan_id.into()]).await?)
}

/// Moves a consultation from `from` to `to` at the expected version; `note` replaces the
/// response note when given. Dates the acceptance and completion.
pub async fn move_consultation(
    c: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    from: &str,
    to: &str,
    note: Option<&str>,
) -> Result<()> {
    let now = now_iso();
    let n = exec(
        c,
        "UPDATE consultations SET status = $1, response_note = COALESCE($2, response_note), \
         accepted_at = CASE WHEN $1 = 'accepted' THEN $3 ELSE accepted_at END, done_at = CASE WHEN $1 = 'done' THEN $3 ELSE done_at END, \
         row_version = row_version + 1, updated_at = $3 WHERE id = $4 AND row_version = $5 AND status = $6",
        vec![to.into(), note.map(str::to_string).into(), now.into(), id.into(), expected_version.into(), from.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    plan_changed(c, id).await
}

/// Records the company's rating; refuses (as stale) unless the consultation is done and not yet rated.
pub async fn rate(c: &impl ConnectionTrait, id: i64, expected_version: i64, rating: i64, review: &str) -> Result<()> {
    let now = now_iso();
    let n = exec(
        c,
        "UPDATE consultations SET rating = $1, review = $2, rated_at = $3, row_version = row_version + 1, updated_at = $3 \
         WHERE id = $4 AND row_version = $5 AND status = 'done' AND rating IS NULL",
        vec![rating.into(), review.into(), now.into(), id.into(), expected_version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    plan_changed(c, id).await
}

/// Reviews of an expert's finished engagements, newest first (for the detail page).
pub async fn reviews_of(c: &impl ConnectionTrait, expert_id: i64, limit: i64) -> Result<Vec<ConsultationRow>> {
    Ok(all(
        c,
        &format!("{CONSULTATION} WHERE k.expert_id = $1 AND k.rating IS NOT NULL ORDER BY k.rated_at DESC LIMIT {limit}"),
        vec![expert_id.into()],
    )
    .await?)
}

// ---- plans, as far as a booking needs them -------------------------------------------------------

/// Whether a company may book on a step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepCheck {
    /// The company's open plan, with a live step; carries the plan's country.
    Bookable {
        country: String,
    },
    /// No such plan, or not this company's (the two are not told apart).
    NoPlan,
    PlanClosed,
    /// No such step, or it left the playbook.
    NoStep,
}

pub async fn check_step(c: &impl ConnectionTrait, company_id: i64, plan_id: i64, step_key: &str) -> Result<StepCheck> {
    #[derive(FromQueryResult)]
    struct PlanRow {
        country: String,
        status: String,
    }
    let plan: Option<PlanRow> =
        one(c, "SELECT country, status FROM plans WHERE id = $1 AND company_id = $2", vec![plan_id.into(), company_id.into()]).await?;
    let Some(plan) = plan else { return Ok(StepCheck::NoPlan) };
    if plan.status != "open" {
        return Ok(StepCheck::PlanClosed);
    }
    let n: Option<Count> = one(
        c,
        "SELECT COUNT(*) AS n FROM plan_steps WHERE plan_id = $1 AND step_key = $2 AND removed = FALSE",
        vec![plan_id.into(), step_key.into()],
    )
    .await?;
    if n.map(|n| n.n).unwrap_or(0) == 0 {
        return Ok(StepCheck::NoStep);
    }
    Ok(StepCheck::Bookable { country: plan.country })
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct OpenStep {
    pub plan_id: i64,
    pub country: String,
    pub entity_type: String,
    pub step_key: String,
}

/// The live steps of a company's open plans, for the booking form's choice.
pub async fn open_steps(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<OpenStep>> {
    Ok(all(
        c,
        "SELECT p.id AS plan_id, p.country, p.entity_type, s.step_key FROM plans p JOIN plan_steps s ON s.plan_id = p.id \
         WHERE p.company_id = $1 AND p.status = 'open' AND s.removed = FALSE ORDER BY p.id, s.step_key",
        vec![company_id.into()],
    )
    .await?)
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Voucher {
    pub program_id: i64,
    pub title_ko: String,
    pub title_en: String,
}

/// Programs the company holds an award for: what it may pay a consultation with.
pub async fn vouchers(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<Voucher>> {
    Ok(all(
        c,
        "SELECT DISTINCT a.program_id, \
         COALESCE((SELECT v.title_ko FROM program_versions v WHERE v.program_id = a.program_id ORDER BY v.version DESC LIMIT 1), '') AS title_ko, \
         COALESCE((SELECT v.title_en FROM program_versions v WHERE v.program_id = a.program_id ORDER BY v.version DESC LIMIT 1), '') AS title_en \
         FROM awards a WHERE a.company_id = $1 ORDER BY a.program_id",
        vec![company_id.into()],
    )
    .await?)
}

pub async fn holds_award(c: &impl ConnectionTrait, company_id: i64, program_id: i64) -> Result<bool> {
    let n: Option<Count> =
        one(c, "SELECT COUNT(*) AS n FROM awards WHERE company_id = $1 AND program_id = $2", vec![company_id.into(), program_id.into()])
            .await?;
    Ok(n.map(|n| n.n).unwrap_or(0) > 0)
}

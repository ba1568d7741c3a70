//! Companies: the profile every agency reuses, its products and markets, consent, and the
//! history of every change (who, when, which field, from what to what).

use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use domain::CompanyProfile;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct CompanyRow {
    pub id: i64,
    pub brn: String,
    pub name_ko: String,
    pub name_en: Option<String>,
    pub region: String,
    pub ksic: String,
    pub ksic_section: String,
    pub founded_on: String,
    pub employees: i64,
    pub revenue_krw: i64,
    pub exports_usd: i64,
    pub export_stage: String,
    pub size_class: String,
    pub consent_version: Option<String>,
    pub consent_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub(crate) const COLS: &str = "c.id, c.brn, c.name_ko, c.name_en, c.region, c.ksic, c.ksic_section, c.founded_on, c.employees, c.revenue_krw, c.exports_usd, c.export_stage, c.size_class, c.consent_version, c.consent_at, c.version, c.created_at, c.updated_at";

/// A company with its lists, as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct Company {
    #[serde(flatten)]
    pub row: CompanyRow,
    pub products: Vec<String>,
    pub export_countries: Vec<String>,
    pub target_countries: Vec<String>,
}

/// What the platform derived from the profile, stored so that searches can filter on it
/// (see `RefData::facts`).
pub struct Facts {
    pub ksic_section: String,
    pub export_stage: String,
    pub size_class: String,
}

/// Who made a change, for the history and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
}

fn profile_values(p: &CompanyProfile, d: &Facts) -> Vec<Value> {
    vec![
        p.brn.digits().into(),
        p.name_ko.clone().into(),
        p.name_en.clone().into(),
        p.region.as_str().to_string().into(),
        p.ksic.as_str().to_string().into(),
        d.ksic_section.clone().into(),
        p.founded_on.to_string().into(),
        p.employees.into(),
        p.revenue_krw.into(),
        p.exports_usd.into(),
        d.export_stage.clone().into(),
        d.size_class.clone().into(),
    ]
}

pub async fn create(c: &impl ConnectionTrait, p: &CompanyProfile, d: &Facts, actor: &Actor) -> Result<i64> {
    let now = now_iso();
    let mut values = profile_values(p, d);
    values.push(now.clone().into());
    values.push(now.into());
    let id = insert_id(
        c,
        "INSERT INTO companies (brn, name_ko, name_en, region, ksic, ksic_section, founded_on, employees, revenue_krw, exports_usd, export_stage, size_class, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        values,
    )
    .await
    .map_err(StoreError::unique("brn"))?;
    write_lists(c, id, p).await?;
    record_change(c, id, actor, "created", None, Some(p.brn.formatted())).await?;
    crate::changes::publish(c, crate::changes::Topic::Company, id).await?;
    Ok(id)
}

async fn write_lists(c: &impl ConnectionTrait, id: i64, p: &CompanyProfile) -> Result<()> {
    exec(c, "DELETE FROM company_products WHERE company_id = $1", vec![id.into()]).await?;
    exec(c, "DELETE FROM company_countries WHERE company_id = $1", vec![id.into()]).await?;
    for hs in &p.products {
        exec(c, "INSERT INTO company_products (company_id, hs_code) VALUES ($1, $2)", vec![id.into(), hs.as_str().to_string().into()])
            .await?;
    }
    for (kind, list) in [("current", &p.export_countries), ("target", &p.target_countries)] {
        for cc in list.iter() {
            exec(
                c,
                "INSERT INTO company_countries (company_id, country, kind) VALUES ($1, $2, $3)",
                vec![id.into(), cc.as_str().to_string().into(), kind.into()],
            )
            .await?;
        }
    }
    Ok(())
}

async fn record_change(
    c: &impl ConnectionTrait,
    id: i64,
    actor: &Actor,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> Result<()> {
    exec(
        c,
        "INSERT INTO company_changes (company_id, user_id, actor, at, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![id.into(), actor.user_id.into(), actor.label.clone().into(), now_iso().into(), field.into(), old.into(), new.into()],
    )
    .await?;
    Ok(())
}

/// Field-by-field comparison of the stored company and the new profile, in display form.
fn diff(old: &Company, p: &CompanyProfile) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let o = &old.row;
    let join = |v: &[String]| v.join(", ");
    let mut changes = Vec::new();
    let mut cmp = |field: &'static str, a: String, b: String| {
        if a != b {
            changes.push((field, Some(a).filter(|s| !s.is_empty()), Some(b).filter(|s| !s.is_empty())));
        }
    };
    cmp("brn", o.brn.clone(), p.brn.digits());
    cmp("name_ko", o.name_ko.clone(), p.name_ko.clone());
    cmp("name_en", o.name_en.clone().unwrap_or_default(), p.name_en.clone().unwrap_or_default());
    cmp("region", o.region.clone(), p.region.as_str().into());
    cmp("ksic", o.ksic.clone(), p.ksic.as_str().into());
    cmp("founded_on", o.founded_on.clone(), p.founded_on.to_string());
    cmp("employees", o.employees.to_string(), p.employees.to_string());
    cmp("revenue_krw", o.revenue_krw.to_string(), p.revenue_krw.to_string());
    cmp("exports_usd", o.exports_usd.to_string(), p.exports_usd.to_string());
    let strs = |v: &[domain::HsCode]| v.iter().map(|h| h.as_str().to_string()).collect::<Vec<_>>();
    let cstrs = |v: &[domain::CountryCode]| v.iter().map(|h| h.as_str().to_string()).collect::<Vec<_>>();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    cmp("products", join(&sorted(old.products.clone())), join(&sorted(strs(&p.products))));
    cmp("export_countries", join(&sorted(old.export_countries.clone())), join(&sorted(cstrs(&p.export_countries))));
    cmp("target_countries", join(&sorted(old.target_countries.clone())), join(&sorted(cstrs(&p.target_countries))));
    changes
}

/// Updates a company if nobody changed it since `expected_version` was read; returns the
/// number of fields that changed. The version check makes a silent overwrite impossible.
pub async fn update(
    c: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    p: &CompanyProfile,
    d: &Facts,
    actor: &Actor,
) -> Result<usize> {
    let old = get(c, id).await?.ok_or(StoreError::NotFound)?;
    if old.row.version != expected_version {
        return Err(StoreError::StaleVersion);
    }
    let changes = diff(&old, p);
    if changes.is_empty() {
        return Ok(0);
    }
    let mut values = profile_values(p, d);
    values.push(now_iso().into());
    values.push(id.into());
    values.push(expected_version.into());
    let n = exec(
        c,
        "UPDATE companies SET brn = $1, name_ko = $2, name_en = $3, region = $4, ksic = $5, ksic_section = $6, founded_on = $7, employees = $8, \
         revenue_krw = $9, exports_usd = $10, export_stage = $11, size_class = $12, updated_at = $13, version = version + 1 WHERE id = $14 AND version = $15",
        values,
    )
    .await
    .map_err(StoreError::unique("brn"))?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    write_lists(c, id, p).await?;
    for (field, a, b) in &changes {
        record_change(c, id, actor, field, a.clone(), b.clone()).await?;
    }
    crate::changes::publish(c, crate::changes::Topic::Company, id).await?;
    Ok(changes.len())
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Company>> {
    let row: Option<CompanyRow> = one(c, &format!("SELECT {COLS} FROM companies c WHERE c.id = $1"), vec![id.into()]).await?;
    let Some(row) = row else { return Ok(None) };
    #[derive(FromQueryResult)]
    struct Code {
        code: String,
        kind: String,
    }
    let products: Vec<Code> =
        all(c, "SELECT hs_code AS code, 'p' AS kind FROM company_products WHERE company_id = $1 ORDER BY hs_code", vec![id.into()]).await?;
    let countries: Vec<Code> =
        all(c, "SELECT country AS code, kind FROM company_countries WHERE company_id = $1 ORDER BY country", vec![id.into()]).await?;
    let pick = |k: &str| countries.iter().filter(|c| c.kind == k).map(|c| c.code.clone()).collect();
    Ok(Some(Company {
        row,
        products: products.into_iter().map(|p| p.code).collect(),
        export_countries: pick("current"),
        target_countries: pick("target"),
    }))
}

pub async fn id_by_brn(c: &impl ConnectionTrait, brn_digits: &str) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let r: Option<Id> = one(c, "SELECT id FROM companies WHERE brn = $1", vec![brn_digits.into()]).await?;
    Ok(r.map(|r| r.id))
}

/// Records a consent decision in the ledger and on the company (granted → agencies may see it).
pub async fn set_consent(
    c: &impl ConnectionTrait,
    id: i64,
    user_id: Option<i64>,
    terms_version: &str,
    granted: bool,
    actor: &Actor,
) -> Result<()> {
    let now = now_iso();
    exec(
        c,
        "INSERT INTO consents (company_id, user_id, terms_version, granted, at) VALUES ($1, $2, $3, $4, $5)",
        vec![id.into(), user_id.into(), terms_version.into(), granted.into(), now.clone().into()],
    )
    .await?;
    let (v, at) = if granted { (Some(terms_version.to_string()), Some(now)) } else { (None, None) };
    exec(
        c,
        "UPDATE companies SET consent_version = $1, consent_at = $2, version = version + 1 WHERE id = $3",
        vec![v.clone().into(), at.into(), id.into()],
    )
    .await?;
    record_change(c, id, actor, "consent", None, Some(if granted { terms_version.to_string() } else { "withdrawn".into() })).await?;
    crate::changes::publish(c, crate::changes::Topic::Company, id).await
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Change {
    pub id: i64,
    pub actor: String,
    pub at: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub async fn history(c: &impl ConnectionTrait, id: i64, limit: i64) -> Result<Vec<Change>> {
    Ok(all(
        c,
        "SELECT id, actor, at, field, old_value, new_value FROM company_changes WHERE company_id = $1 ORDER BY id DESC LIMIT $2",
        vec![id.into(), limit.into()],
    )
    .await?)
}

/// How officers search companies. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of a name (either language) or a whole BRN.
    pub q: Option<String>,
    pub region: Option<String>,
    /// KSIC section letter or division.
    pub ksic: Option<String>,
    /// Any HS prefix: `85` finds `8517130000`.
    pub hs_prefix: Option<String>,
    pub country: Option<String>,
    pub stage: Option<String>,
    /// Agencies see only companies that consented to share their profile.
    pub consented_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Founded,
    Employees,
    Exports,
    Updated,
}

impl Sort {
    /// In declaration order: `sort as usize` indexes this.
    pub const ALL: [Sort; 5] = [Sort::Name, Sort::Founded, Sort::Employees, Sort::Exports, Sort::Updated];

    pub fn parse(s: &str) -> Sort {
        match s {
            "founded" => Sort::Founded,
            "employees" => Sort::Employees,
            "exports" => Sort::Exports,
            "updated" => Sort::Updated,
            _ => Sort::Name,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Founded => "founded",
            Sort::Employees => "employees",
            Sort::Exports => "exports",
            Sort::Updated => "updated",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Sort::Name => "c.name_ko",
            Sort::Founded => "c.founded_on",
            Sort::Employees => "c.employees",
            Sort::Exports => "c.exports_usd",
            Sort::Updated => "c.updated_at",
        }
    }
}

fn where_clause(f: &Filter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let arg = |values: &mut Vec<Value>, v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    if f.consented_only {
        conds.push("c.consent_version IS NOT NULL".into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits: String = q.chars().filter(|c| *c != '-').collect();
        if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
            let p = arg(&mut values, digits.into());
            conds.push(format!("c.brn = {p}"));
        } else {
            let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let p = arg(&mut values, format!("%{escaped}%").into());
            conds.push(format!("(LOWER(c.name_ko) LIKE {p} ESCAPE '\\' OR LOWER(c.name_en) LIKE {p} ESCAPE '\\')"));
        }
    }
    if let Some(r) = f.region.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut values, r.to_string().into());
        conds.push(format!("c.region = {p}"));
    }
    if let Some(k) = f.ksic.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut values, k.to_string().into());
        conds.push(if k.len() == 1 { format!("c.ksic_section = {p}") } else { format!("c.ksic = {p}") });
    }
    if let Some(s) = f.stage.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut values, s.to_string().into());
        conds.push(format!("c.export_stage = {p}"));
    }
    if let Some(h) = f.hs_prefix.as_deref().filter(|s| !s.is_empty()) {
        // A range instead of LIKE 'prefix%' so that both engines use the (hs_code) index:
        // every code starting with the prefix sorts before prefix + ':' (':' follows '9').
        let lo = arg(&mut values, h.to_string().into());
        let hi = arg(&mut values, format!("{h}:").into());
        conds.push(format!(
            "EXISTS (SELECT 1 FROM company_products p WHERE p.company_id = c.id AND p.hs_code >= {lo} AND p.hs_code < {hi})"
        ));
    }
    if let Some(cc) = f.country.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut values, cc.to_string().into());
        conds.push(format!("EXISTS (SELECT 1 FROM company_countries k WHERE k.company_id = c.id AND k.country = {p})"));
    }
    let sql = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (sql, values)
}

/// One page of matching companies and the total count, in SQL. The pages and the API search
/// the in-memory `company_index`; this is the reference it is tested against.
pub async fn search(
    c: &impl ConnectionTrait,
    f: &Filter,
    sort: Sort,
    desc: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CompanyRow>, i64)> {
    let (wh, values) = where_clause(f);
    let total: Option<Count> = one(c, &format!("SELECT COUNT(*) AS n FROM companies c {wh}"), values.clone()).await?;
    let n = values.len();
    let mut values = values;
    values.push(limit.into());
    values.push(offset.into());
    let dir = if desc { "DESC" } else { "ASC" };
    let rows = all(
        c,
        &format!("SELECT {COLS} FROM companies c {wh} ORDER BY {} {dir}, c.id {dir} LIMIT ${} OFFSET ${}", sort.column(), n + 1, n + 2),
        values,
    )
    .await?;
    Ok((rows, total.map(|t| t.n).unwrap_or(0)))
}

pub async fn count(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM companies", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

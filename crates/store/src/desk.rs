//! The regulatory desk's configuration as data: routing rules, service-level targets, the
//! holiday calendar; plus officers' saved filters and the once-a-day SLA digest marker.

use crate::{Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct RoutingRule {
    pub id: i64,
    pub position: i64,
    pub category: Option<String>,
    pub country: Option<String>,
    pub hs_prefix: Option<String>,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_ko: String,
    pub agency_en: String,
}

pub async fn routing_rules(c: &impl ConnectionTrait) -> Result<Vec<RoutingRule>> {
    Ok(all(
        c,
        "SELECT r.id, r.position, r.category, r.country, r.hs_prefix, r.agency_id, a.code AS agency_code, a.name_ko AS agency_ko, \
         a.name_en AS agency_en FROM routing_rules r JOIN agencies a ON a.id = r.agency_id ORDER BY r.position, r.id",
        vec![],
    )
    .await?)
}

pub async fn add_routing_rule(
    c: &impl ConnectionTrait,
    position: i64,
    category: Option<&str>,
    country: Option<&str>,
    hs_prefix: Option<&str>,
    agency_id: i64,
) -> Result<i64> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    Ok(insert_id(
        c,
        "INSERT INTO routing_rules (position, category, country, hs_prefix, agency_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            position.into(),
            category.map(str::to_string).into(),
            country.map(str::to_string).into(),
            hs_prefix.map(str::to_string).into(),
            agency_id.into(),
            now_iso().into(),
        ],
    )
    .await?)
}

pub async fn delete_routing_rule(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    if exec(c, "DELETE FROM routing_rules WHERE id = $1", vec![id.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct SlaTargetRow {
    pub id: i64,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub first_response_days: i64,
    pub resolution_days: i64,
}

pub async fn sla_targets(c: &impl ConnectionTrait) -> Result<Vec<SlaTargetRow>> {
    Ok(all(
        c,
        "SELECT id, priority, category, first_response_days, resolution_days FROM sla_targets ORDER BY priority, category, id",
        vec![],
    )
    .await?)
}

/// Sets the target for (priority?, category?), replacing an existing row for the same pair.
pub async fn set_sla_target(
    c: &impl ConnectionTrait,
    priority: Option<&str>,
    category: Option<&str>,
    first_response_days: i64,
    resolution_days: i64,
) -> Result<()> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    // `IS NOT DISTINCT FROM` is spelled differently by the engines; compare through COALESCE.
    exec(
        c,
        "DELETE FROM sla_targets WHERE COALESCE(priority, '') = $1 AND COALESCE(category, '') = $2",
        vec![priority.unwrap_or("").into(), category.unwrap_or("").into()],
    )
    .await?;
    exec(
        c,
        "INSERT INTO sla_targets (priority, category, first_response_days, resolution_days) VALUES ($1, $2, $3, $4)",
        vec![priority.map(str::to_string).into(), category.map(str::to_string).into(), first_response_days.into(), resolution_days.into()],
    )
    .await?;
    Ok(())
}

pub async fn delete_sla_target(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    if exec(c, "DELETE FROM sla_targets WHERE id = $1", vec![id.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Holiday {
    pub day: String,
    pub name_ko: String,
    pub name_en: String,
}

pub async fn holidays(c: &impl ConnectionTrait) -> Result<Vec<Holiday>> {
    Ok(all(c, "SELECT day, name_ko, name_en FROM holidays ORDER BY day", vec![]).await?)
}

pub async fn add_holiday(c: &impl ConnectionTrait, day: &str, name_ko: &str, name_en: &str) -> Result<()> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    exec(c, "INSERT INTO holidays (day, name_ko, name_en) VALUES ($1, $2, $3)", vec![day.into(), name_ko.into(), name_en.into()])
        .await
        .map_err(StoreError::unique("holiday"))?;
    Ok(())
}

pub async fn delete_holiday(c: &impl ConnectionTrait, day: &str) -> Result<()> {
    // Nodes keep the configuration in memory; this tells them to read it again.
    crate::changes::publish(c, crate::changes::Topic::DeskSettings, 0).await?;
    if exec(c, "DELETE FROM holidays WHERE day = $1", vec![day.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    pub query: String,
}

pub async fn saved_filters(c: &impl ConnectionTrait, user_id: i64) -> Result<Vec<SavedFilter>> {
    Ok(all(c, "SELECT id, name, query FROM saved_filters WHERE user_id = $1 ORDER BY name, id", vec![user_id.into()]).await?)
}

pub async fn save_filter(c: &impl ConnectionTrait, user_id: i64, name: &str, query: &str) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO saved_filters (user_id, name, query, created_at) VALUES ($1, $2, $3, $4)",
        vec![user_id.into(), name.into(), query.into(), now_iso().into()],
    )
    .await?)
}

pub async fn delete_filter(c: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<()> {
    if exec(c, "DELETE FROM saved_filters WHERE id = $1 AND user_id = $2", vec![id.into(), user_id.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Claims today's SLA digest for an agency; false when another node (or an earlier run) has.
pub async fn claim_digest(c: &impl ConnectionTrait, agency_id: i64, day: &str) -> Result<bool> {
    let n = exec(c, "INSERT INTO sla_digests (agency_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING", vec![agency_id.into(), day.into()])
        .await?;
    Ok(n == 1)
}

const HOLIDAYS_CSV: &str = include_str!("../../../data/holidays/kr-public-holidays-2024-2030.csv");

/// Korean public holidays 2024–2030 (see `data/holidays/SOURCE.md`), loaded when the table is
/// empty; administrators add and remove days afterwards.
pub async fn seed_holidays(c: &impl ConnectionTrait) -> Result<usize> {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let n: Option<N> = one(c, "SELECT COUNT(*) AS n FROM holidays", vec![]).await?;
    if n.map(|n| n.n).unwrap_or(0) > 0 {
        return Ok(0);
    }
    let mut rows = 0;
    for line in HOLIDAYS_CSV.lines().skip(1) {
        let mut parts = line.splitn(3, ',');
        let (Some(day), Some(ko), Some(en)) = (parts.next(), parts.next(), parts.next()) else { continue };
        // Two holidays on one day (it happens) keep the first name.
        exec(
            c,
            "INSERT INTO holidays (day, name_ko, name_en) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            vec![day.into(), ko.into(), en.trim_matches('"').into()],
        )
        .await?;
        rows += 1;
    }
    Ok(rows)
}

/// A starting configuration for a new deployment, written only into empty tables. The targets
/// and routes are the platform's defaults, not a ministry's published service standard;
/// administrators change them on `/admin/desk`.
pub async fn seed_defaults(c: &impl ConnectionTrait) -> Result<()> {
    seed_holidays(c).await?;
    if sla_targets(c).await?.is_empty() {
        for (priority, first, resolution) in [(None, 3, 30), (Some("urgent"), 1, 10), (Some("high"), 2, 20), (Some("low"), 5, 60)] {
            set_sla_target(c, priority, None, first, resolution).await?;
        }
    }
    if routing_rules(c).await?.is_empty() {
        // Customs and origin questions go to the customs service, payment and currency trouble to
        // the export insurer, establishment abroad to the trade promotion agency, everything
        // else to the ministry's desk. Agencies that do not exist here are skipped.
        let routes: [(i64, Option<&str>, &str); 6] = [
            (10, Some("customs"), "KCS"),
            (20, Some("tariff_origin"), "KCS"),
            (30, Some("payment_currency"), "KSURE"),
            (40, Some("establishment"), "KOTRA"),
            (50, Some("technical_regulation"), "KOTRA"),
            (1000, None, "MSS"),
        ];
        for (position, category, code) in routes {
            if let Some(a) = crate::agencies::by_code(c, code).await? {
                add_routing_rule(c, position, category, None, None, a.id).await?;
            }
        }
    }
    Ok(())
}

//! Illustrative plans for the demo and for load tests: demo companies (never the demo member's
//! own, whose plans are theirs to start) planning an entity in one of the playbook markets, some
//! steps done on the dates the schedule gives, the rest to do.

use crate::demo::Rng;
use store::{Store, TransactionTrait};
use time::{Duration, OffsetDateTime};

/// Tops the plans up to `total`; returns how many there are.
pub async fn seed_plans(store: &Store, total: usize) -> Result<usize, crate::AnyError> {
    let db = &store.db;
    let have = store::plans::count(db).await? as usize;
    if have >= total {
        return Ok(have);
    }
    let own = store::users::by_email(db, "company@demo.test").await?.and_then(|u| u.company_id);
    let companies: Vec<i64> = store::cases::consented_company_ids(db).await?.into_iter().filter(|c| Some(*c) != own).collect();
    let published = store::playbooks::published(db).await?;
    if companies.is_empty() || published.is_empty() {
        return Err("seed the demo companies and the playbooks first".into());
    }
    let playbooks: Vec<(store::playbooks::VersionRow, domain::playbook::Playbook)> =
        published.into_iter().filter_map(|v| serde_json::from_str(&v.body).ok().map(|pb| (v, pb))).collect();
    let today = OffsetDateTime::now_utc().date();
    let mut rng = Rng(0x91a7_5eed + have as u64);
    // A company has one open plan per playbook (a unique index holds it); the generator draws
    // again on a pair it already used, and gives up on a pair after a few tries.
    let mut taken: std::collections::HashSet<(i64, i64)> = std::collections::HashSet::new();
    let tx = db.begin().await?;
    for _ in have..total {
        let mut pick = None;
        for _ in 0..20 {
            let company_id = *rng.pick(&companies);
            let i = rng.below(playbooks.len() as u64) as usize;
            let key = (company_id, playbooks[i].0.playbook_id);
            if store::plans::for_company(&tx, company_id).await?.iter().all(|p| p.status != "open" || p.playbook_id != key.1)
                && taken.insert(key)
            {
                pick = Some((company_id, i));
                break;
            }
        }
        let Some((company_id, i)) = pick else { continue };
        let (v, pb) = &playbooks[i];
        let start = today - Duration::days(rng.below(150) as i64);
        let schedule = domain::playbook::schedule(&pb.steps, &[], start, start)?;
        let target = start + Duration::days(schedule.total_days + rng.below(90) as i64 - 20);
        let keys: Vec<&str> = pb.steps.iter().map(|s| s.key.as_str()).collect();
        let (start_s, target_s) = (start.to_string(), target.to_string());
        let id = store::plans::insert(
            &tx,
            &store::plans::NewPlan {
                company_id,
                playbook_id: v.playbook_id,
                version: v.version,
                country: &pb.country,
                entity_type: &pb.entity_type,
                start_on: &start_s,
                target_open_on: Some(&target_s),
                created_by: None,
            },
            &keys,
        )
        .await?;
        // Steps whose planned finish is already past are done on that day; one under way.
        for &i in &schedule.order {
            let s = &schedule.steps[i];
            let (status, started, done) = if s.earliest_finish_on <= today {
                ("done", Some(s.earliest_start_on.to_string()), Some(s.earliest_finish_on.to_string()))
            } else if s.earliest_start_on <= today {
                ("in_progress", Some(s.earliest_start_on.to_string()), None)
            } else {
                continue;
            };
            let state = store::plans::StepState { status, blocked_reason: "", started_on: started.as_deref(), done_on: done.as_deref() };
            store::plans::set_step(&tx, id, &pb.steps[i].key, &state, None).await?;
        }
    }
    tx.commit().await?;
    Ok(store::plans::count(db).await? as usize)
}

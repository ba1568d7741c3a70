//! The regulatory issue desk: a company reports a barrier abroad and follows it; agencies
//! triage, refer, ask for information and resolve it against a service-level clock counted in
//! business days that pauses while the case waits on someone else.
//!
//! - [`service`]: who may see and do what with a case (one access decision for pages and API),
//!   reporting, the workflow, referrals, merges, links, follow-ups, attachments.
//! - [`runtime`]: the node's desk configuration, full-text index, case index and case details,
//!   kept fresh from the change log.
//! - [`pages`] and [`api`]: the browser's and other systems' ways in.

pub mod api;
pub mod case_details;
pub mod case_index;
pub mod pages;
pub mod runtime;
pub mod service;

use kit::Kit;

kit::room_state!(
    /// The desk's state: the kit and the desk's node-local runtime.
    DeskState => DeskShared
);

pub struct DeskShared {
    pub kit: Kit,
    pub desk: runtime::DeskRuntime,
}

impl DeskState {
    /// The desk over `kit`: declares its node-local state and follows the change log.
    pub fn new(kit: Kit) -> DeskState {
        use kit::registry::{Bound, CacheSpec, Topic};
        let r = &kit.registry;
        r.declare(CacheSpec { name: "desk_settings", room: "desk", keyed_by: "-", bound: Bound::Whole, topics: &[Topic::DeskSettings] });
        r.declare(CacheSpec {
            name: "desk_search",
            room: "desk",
            keyed_by: "case or summary id (full text, Hangul bigrams)",
            bound: Bound::EveryRow,
            topics: &[Topic::Case, Topic::Summary],
        });
        let details = r.declare(CacheSpec {
            name: "case_details",
            room: "desk",
            keyed_by: "case id and the case version it was read at",
            bound: Bound::EveryRow,
            topics: &[Topic::Case],
        });
        r.declare(CacheSpec {
            name: "agency_directory",
            room: "desk",
            keyed_by: "agency id",
            bound: Bound::Whole,
            topics: &[Topic::Staff],
        });
        let case_index = r.declare(CacheSpec {
            name: "case_index",
            room: "desk",
            keyed_by: "case id, with queues per agency and assignee",
            bound: Bound::EveryRow,
            topics: &[Topic::Case],
        });
        let state = DeskState(std::sync::Arc::new(DeskShared { kit, desk: runtime::DeskRuntime::default() }));
        state.desk.details.count_on(details);
        state.desk.case_index_stats.set(case_index).ok();
        state.kit.changes.subscribe_for("desk", runtime::TOPICS, &state.0, |shared, batch| async move {
            runtime::apply(&DeskState(shared), &batch).await
        });
        state
    }
}

/// The desk's pages: a company's cases, the agencies' queues and the desk settings.
pub fn pages(state: DeskState) -> axum::Router {
    axum::Router::new().merge(pages::cases::router()).merge(pages::queue::router()).with_state(state)
}

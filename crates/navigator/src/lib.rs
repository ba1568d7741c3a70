//! The navigator for setting up abroad: country guides from playbooks (procedures with their
//! authority, documents, days, costs and dependencies) kept as versions that one officer edits
//! and another publishes, and each company's plan with its critical-path schedule, evidence,
//! exports (iCalendar, XLSX, PDF) and a blocked step sent to the desk in one click.
//!
//! - [`service`]: plans and playbook versions, who may do what; the node's published playbooks
//!   and plans in memory.
//! - [`pdf`]: the plan as a PDF report.
//! - [`pages`] and [`api`].

pub mod api;
pub mod pages;
pub mod pdf;
pub mod service;

use desk::DeskState;

kit::room_state!(
    /// The navigator's state: the kit, the node's playbooks and plans, and the desk (a blocked
    /// step becomes a case there).
    NavState => NavShared
);

pub struct NavShared {
    pub kit: kit::Kit,
    pub nav: service::NavRuntime,
    pub desk: DeskState,
}

impl NavState {
    /// The navigator beside `desk`: declares its node-local state and follows the change log.
    pub fn new(desk: DeskState) -> NavState {
        let nav = service::NavRuntime::new(&desk.kit.registry);
        let state = NavState(std::sync::Arc::new(NavShared { kit: desk.kit.clone(), nav, desk }));
        state.kit.changes.subscribe_for("navigator", service::TOPICS, &state.0, |shared, batch| async move {
            service::apply(&NavState(shared), &batch).await
        });
        state
    }
}

/// The navigator's pages: guides, plans, playbook versions.
pub fn pages(state: NavState) -> axum::Router {
    axum::Router::new().merge(pages::guides::router()).merge(pages::plans::router()).merge(pages::playbooks::router()).with_state(state)
}

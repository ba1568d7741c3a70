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
    pub fn new(kit: Kit) -> DeskState {
        DeskState(std::sync::Arc::new(DeskShared { kit, desk: runtime::DeskRuntime::default() }))
    }
}

/// The desk's pages: a company's cases, the agencies' queues and the desk settings.
pub fn pages(state: DeskState) -> axum::Router {
    axum::Router::new().merge(pages::cases::router()).merge(pages::queue::router()).with_state(state)
}

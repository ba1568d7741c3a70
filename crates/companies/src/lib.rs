//! Companies: the profile a company keeps once and every agency reuses, its members, the
//! officers' company search and exports, and look-ups in the reference data (HS codes,
//! countries) for forms.
//!
//! [`service`] holds the rules both the pages and the API follow: who may read or change a
//! company, and saving a profile in one transaction.

pub mod api;
pub mod pages;
pub mod service;

use kit::Kit;

/// The companies pages.
pub fn pages(kit: Kit) -> axum::Router {
    axum::Router::new().merge(pages::profile::router()).merge(pages::search::router()).merge(pages::reference::router()).with_state(kit)
}

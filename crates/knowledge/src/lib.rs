//! The knowledge base: public summaries of solved cases. An officer drafts one from a finished
//! case (without the company or any person), someone else approves it, and it is searchable by
//! anyone, signed in or not, in Korean and English.
//!
//! Summaries live in the desk's full-text index and start from the desk's cases, so the room
//! runs on the desk's state and calls the desk's service for access to a case.

pub mod api;
pub mod pages;
pub mod service;

use desk::DeskState;

/// The knowledge-base pages (public list and entries; officers' drafts and approvals).
pub fn pages(state: DeskState) -> axum::Router {
    pages::router().with_state(state)
}

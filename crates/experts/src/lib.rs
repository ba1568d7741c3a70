//! Local experts: a directory of vetted firms per country, verified by agencies; consultations
//! that companies book on a step of their plan; ratings only after a finished engagement.

pub mod api;
pub mod pages;
pub mod service;

/// The experts' pages (directory, booking, an expert's inbox and profile, agencies' review).
/// Experts work on plans' steps, so the room runs on the navigator's state.
pub fn pages(state: navigator::NavState) -> axum::Router {
    pages::router().with_state(state)
}

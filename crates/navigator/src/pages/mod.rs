//! The navigator in the browser: [`guides`] (public country guides and comparison), [`plans`]
//! (a company's plans and their steps) and [`playbooks`] (officers' versions, review, publication).

pub mod guides;
pub mod plans;
pub mod playbooks;

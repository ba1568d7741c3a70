//! The pieces of the `globaldesk` binary that tests and benchmarks use too.

pub mod catalog;
pub mod demo;
pub mod desk_demo;
pub mod expert_demo;
pub mod import;
pub mod plan_demo;
pub mod playbook_seed;
pub mod site;

pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

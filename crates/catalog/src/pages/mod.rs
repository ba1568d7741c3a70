//! The catalog in the browser: [`programs`] (the public catalog, programs for you, the
//! company's facts, applications) and [`rule_editor`] (agencies' programs, rules, tests, and
//! the application review queue).

pub mod programs;
pub mod rule_editor;

//! GlobalDesk's domain: the types every other layer agrees on.
//!
//! Nothing here does I/O. Inputs arrive as strings from forms, CSV rows or JSON; they are parsed
//! once into types that cannot hold an invalid value ("parse, don't validate"), and every
//! refusal is a [`FieldError`] carrying a message key that the web layer translates.

// First, so that the modules below can use its macro.
#[macro_use]
mod vocabulary;

pub mod brn;
pub mod case;
pub mod codes;
pub mod company;
pub mod error;
pub mod expert;
pub mod facts;
pub mod playbook;
pub mod role;
pub mod sla;
pub mod text;
pub mod upload;

pub use brn::Brn;
pub use codes::{CountryCode, HsCode, KsicCode, RegionCode};
pub use company::{CompanyInput, CompanyProfile, ReferenceCheck};
pub use error::{FieldError, FieldErrors};
pub use facts::{DerivedFacts, ExportStage, ExportStageTable, SizeClass, SizeClassTable};
pub use role::Role;

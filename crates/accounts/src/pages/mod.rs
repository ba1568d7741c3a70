//! The accounts pages: [`account`] (sign-in, sign-up, language, tokens, invitations) and
//! [`admin`] (users and roles, the audit log).

pub mod account;
pub mod admin;
pub mod notifications;

//! Who a user is on the platform. Scope (which company, which agency) lives beside the role.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Staff of an SME; sees only their own company.
    CompanyMember,
    /// An agency officer; sees companies that consented to share their profile.
    Officer,
    /// Manages the users of one agency.
    AgencyAdmin,
    /// Runs the platform: agencies, users, reference data, audit log.
    PlatformAdmin,
    /// Policy analyst: aggregate figures, no personal detail.
    Analyst,
    /// A local expert (law firm, accountant, consultant, notary) listed in the directory; sees
    /// only the consultations addressed to them.
    Expert,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::CompanyMember, Role::Officer, Role::AgencyAdmin, Role::PlatformAdmin, Role::Analyst, Role::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CompanyMember => "company_member",
            Role::Officer => "officer",
            Role::AgencyAdmin => "agency_admin",
            Role::PlatformAdmin => "platform_admin",
            Role::Analyst => "analyst",
            Role::Expert => "expert",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Officers and admins work on companies' records (within the consent rule).
    pub fn can_search_companies(self) -> bool {
        matches!(self, Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin)
    }

    /// Roles that must belong to an agency.
    pub fn needs_agency(self) -> bool {
        matches!(self, Role::Officer | Role::AgencyAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_agency_staff_and_platform_admins_search_companies() {
        assert!(!Role::CompanyMember.can_search_companies());
        assert!(!Role::Analyst.can_search_companies());
        assert!(Role::Officer.can_search_companies());
        assert!(Role::PlatformAdmin.can_search_companies());
    }
}

//! Regulatory issue desk: a case's vocabulary and the workflow it moves through.
//!
//! Every state change is checked against one table ([`TRANSITIONS`]) so the web layer, the API and
//! the tests all agree on who may do what; the buttons a page offers come from [`next_states`].

vocabulary! {
    /// What kind of barrier the company reports; drives routing and SLA targets.
    CaseCategory, "case-category-" {
        TechnicalRegulation => "technical_regulation",
        Customs => "customs",
        TariffOrigin => "tariff_origin",
        Establishment => "establishment",
        Tax => "tax",
        PaymentCurrency => "payment_currency",
        /// A domestic regulation, not a foreign barrier.
        Domestic => "domestic",
        Other => "other",
    }
}

vocabulary! {
    CaseStatus, "case-status-" {
        /// Written but not yet sent; only the company sees it.
        Draft => "draft",
        Submitted => "submitted",
        Triaged => "triaged",
        InProgress => "in_progress",
        ResolvedFull => "resolved_full",
        ResolvedPartial => "resolved_partial",
        /// The desk judged it is not a trade barrier (e.g. a private dispute).
        ClosedNotBarrier => "closed_not_barrier",
        ClosedDuplicate => "closed_duplicate",
        /// The company took it back; only the company can do this, and it is final.
        ClosedWithdrawn => "closed_withdrawn",
        /// The company stopped answering the desk's questions.
        ClosedNoResponse => "closed_no_response",
    }
}

vocabulary! {
    /// Whose move it is. The SLA measures the desk, so it stops while someone else holds the ball.
    WaitingOn, "case-waiting-" {
        Desk => "desk",
        Company => "company",
        /// Another agency the case was referred to; still the public side, so the clock runs.
        Agency => "agency",
        ForeignGovernment => "foreign_government",
    }
}

vocabulary! {
    Priority, "case-priority-" {
        Urgent => "urgent",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
}

vocabulary! {
    /// Who is acting on a case.
    CaseActor, "case-actor-" {
        /// A member of the company that filed the case.
        Company => "company",
        /// An officer or admin of an agency holding the case.
        Officer => "officer",
    }
}

impl CaseStatus {
    /// Sent and not yet finished: in somebody's queue.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Triaged | Self::InProgress)
    }

    pub fn is_resolved(self) -> bool {
        matches!(self, Self::ResolvedFull | Self::ResolvedPartial)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::ClosedNotBarrier | Self::ClosedDuplicate | Self::ClosedWithdrawn | Self::ClosedNoResponse)
    }

    /// Finished, for now: only a reopen moves it again.
    pub fn is_final(self) -> bool {
        self.is_resolved() || self.is_closed()
    }

    /// Drafts are private and finished cases are history; only open cases have a running clock.
    pub fn counts_for_sla(self) -> bool {
        self.is_open()
    }
}

impl WaitingOn {
    /// The desk cannot be late while the company or a foreign government owes an answer.
    pub fn pauses_clock(self) -> bool {
        matches!(self, Self::Company | Self::ForeignGovernment)
    }
}

use CaseActor as A;
use CaseStatus as S;

/// Every permitted move, `(from, to, who)`. Anything not listed is refused.
pub const TRANSITIONS: &[(CaseStatus, CaseStatus, CaseActor)] = &[
    // The company sends its draft, may withdraw anything not yet finished, and may reopen a case
    // whose outcome it disputes or when it can answer after all.
    (S::Draft, S::Submitted, A::Company),
    (S::Draft, S::ClosedWithdrawn, A::Company),
    (S::Submitted, S::ClosedWithdrawn, A::Company),
    (S::Triaged, S::ClosedWithdrawn, A::Company),
    (S::InProgress, S::ClosedWithdrawn, A::Company),
    (S::ResolvedFull, S::InProgress, A::Company),
    (S::ResolvedPartial, S::InProgress, A::Company),
    (S::ClosedNoResponse, S::InProgress, A::Company),
    // Officers work the queue. Triage may be skipped; resolving needs at least triage, because a
    // case resolved straight from intake was never looked at.
    (S::Submitted, S::Triaged, A::Officer),
    (S::Submitted, S::InProgress, A::Officer),
    (S::Triaged, S::InProgress, A::Officer),
    (S::Triaged, S::ResolvedFull, A::Officer),
    (S::Triaged, S::ResolvedPartial, A::Officer),
    (S::InProgress, S::ResolvedFull, A::Officer),
    (S::InProgress, S::ResolvedPartial, A::Officer),
    (S::Submitted, S::ClosedNotBarrier, A::Officer),
    (S::Submitted, S::ClosedDuplicate, A::Officer),
    (S::Submitted, S::ClosedNoResponse, A::Officer),
    (S::Triaged, S::ClosedNotBarrier, A::Officer),
    (S::Triaged, S::ClosedDuplicate, A::Officer),
    (S::Triaged, S::ClosedNoResponse, A::Officer),
    (S::InProgress, S::ClosedNotBarrier, A::Officer),
    (S::InProgress, S::ClosedDuplicate, A::Officer),
    (S::InProgress, S::ClosedNoResponse, A::Officer),
    // Officers may reopen any finished case except a withdrawal: that one is the company's call.
    (S::ResolvedFull, S::InProgress, A::Officer),
    (S::ResolvedPartial, S::InProgress, A::Officer),
    (S::ClosedNotBarrier, S::InProgress, A::Officer),
    (S::ClosedDuplicate, S::InProgress, A::Officer),
    (S::ClosedNoResponse, S::InProgress, A::Officer),
];

pub fn allowed(from: CaseStatus, to: CaseStatus, actor: CaseActor) -> bool {
    TRANSITIONS.contains(&(from, to, actor))
}

/// The states `actor` may move a case to from `from`, in [`CaseStatus::ALL`] order (stable buttons).
pub fn next_states(from: CaseStatus, actor: CaseActor) -> Vec<CaseStatus> {
    CaseStatus::ALL.into_iter().filter(|&to| allowed(from, to, actor)).collect()
}

/// The number a company quotes on the phone, e.g. `RD-2026-000123` ("regulatory desk").
pub fn reference(year: i32, seq: i64) -> String {
    format!("RD-{year:04}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Expected moves written out as a grid, independently of [`TRANSITIONS`]:
    /// row = from, column = to, both in `CaseStatus::ALL` order; `x` = allowed.
    ///          columns: Dr Su Tr IP RF RP NB Du Wd NR
    const COMPANY: [&str; 10] = [
        ".x......x.", // Draft
        "........x.", // Submitted
        "........x.", // Triaged
        "........x.", // InProgress
        "...x......", // ResolvedFull
        "...x......", // ResolvedPartial
        "..........", // ClosedNotBarrier
        "..........", // ClosedDuplicate
        "..........", // ClosedWithdrawn
        "...x......", // ClosedNoResponse
    ];
    const OFFICER: [&str; 10] = [
        "..........", // Draft
        "..xx..xx.x", // Submitted
        "...xxxxx.x", // Triaged
        "....xxxx.x", // InProgress
        "...x......", // ResolvedFull
        "...x......", // ResolvedPartial
        "...x......", // ClosedNotBarrier
        "...x......", // ClosedDuplicate
        "..........", // ClosedWithdrawn
        "...x......", // ClosedNoResponse
    ];

    #[test]
    fn every_transition_matches_the_grid() {
        for (actor, grid) in [(CaseActor::Company, COMPANY), (CaseActor::Officer, OFFICER)] {
            for (i, from) in CaseStatus::ALL.into_iter().enumerate() {
                for (j, to) in CaseStatus::ALL.into_iter().enumerate() {
                    let expected = grid[i].as_bytes()[j] == b'x';
                    assert_eq!(allowed(from, to, actor), expected, "{from:?} -> {to:?} by {actor:?}");
                }
                let expected: Vec<_> =
                    CaseStatus::ALL.into_iter().enumerate().filter(|&(j, _)| grid[i].as_bytes()[j] == b'x').map(|(_, s)| s).collect();
                assert_eq!(next_states(from, actor), expected);
            }
        }
    }

    #[test]
    fn table_has_no_duplicates_and_no_self_loops() {
        let unique: HashSet<_> = TRANSITIONS.iter().collect();
        assert_eq!(unique.len(), TRANSITIONS.len());
        assert!(TRANSITIONS.iter().all(|(from, to, _)| from != to));
    }

    #[test]
    fn withdrawal_is_final_and_drafts_stay_private() {
        for actor in CaseActor::ALL {
            assert!(next_states(CaseStatus::ClosedWithdrawn, actor).is_empty());
        }
        assert!(next_states(CaseStatus::Draft, CaseActor::Officer).is_empty());
    }

    #[test]
    fn status_predicates_partition_the_states() {
        for s in CaseStatus::ALL {
            let kinds = [s == CaseStatus::Draft, s.is_open(), s.is_resolved(), s.is_closed()];
            assert_eq!(kinds.iter().filter(|&&k| k).count(), 1, "{s:?}");
            assert_eq!(s.is_final(), s.is_resolved() || s.is_closed());
            assert_eq!(s.counts_for_sla(), s.is_open());
        }
    }

    #[test]
    fn clock_pauses_only_for_outside_parties() {
        let paused: Vec<_> = WaitingOn::ALL.into_iter().filter(|w| w.pauses_clock()).collect();
        assert_eq!(paused, [WaitingOn::Company, WaitingOn::ForeignGovernment]);
    }

    /// Checks one vocabulary: text round-trips, serde agrees with `as_str`, message ids are unique.
    fn check_vocabulary<T>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
        key: fn(T) -> &'static str,
        keys: &mut HashSet<&'static str>,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        for &v in all {
            assert_eq!(parse(as_str(v)), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", as_str(v)));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
            assert!(key(v).starts_with("case-") && key(v).ends_with(as_str(v)));
            assert!(keys.insert(key(v)), "duplicate message id {}", key(v));
        }
        assert_eq!(parse(""), None);
        assert_eq!(parse("Draft"), None);
    }

    #[test]
    fn vocabularies_round_trip_and_have_unique_message_ids() {
        let mut keys = HashSet::new();
        check_vocabulary(&CaseCategory::ALL, CaseCategory::as_str, CaseCategory::parse, CaseCategory::message_key, &mut keys);
        check_vocabulary(&CaseStatus::ALL, CaseStatus::as_str, CaseStatus::parse, CaseStatus::message_key, &mut keys);
        check_vocabulary(&WaitingOn::ALL, WaitingOn::as_str, WaitingOn::parse, WaitingOn::message_key, &mut keys);
        check_vocabulary(&Priority::ALL, Priority::as_str, Priority::parse, Priority::message_key, &mut keys);
        check_vocabulary(&CaseActor::ALL, CaseActor::as_str, CaseActor::parse, CaseActor::message_key, &mut keys);
        assert_eq!(keys.len(), 8 + 10 + 4 + 4 + 2);
        assert_eq!(CaseStatus::InProgress.message_key(), "case-status-in_progress");
        assert_eq!(CaseCategory::Customs.message_key(), "case-category-customs");
        assert_eq!(WaitingOn::Company.message_key(), "case-waiting-company");
        assert_eq!(Priority::High.message_key(), "case-priority-high");
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference(2026, 123), "RD-2026-000123");
        assert_eq!(reference(2026, 1_234_567), "RD-2026-1234567");
    }
}

//! Service levels for the regulatory issue desk, counted in business days.
//!
//! Dates are Korean local dates; the caller converts timestamps to KST before asking.
//!
//! How a case's clock works:
//! - It starts on `submitted_on` and stops at `resolved_on` (resolution or closure), or runs to
//!   `today` while the case is open. A day counts once it has passed: the range is `[start, stop)`.
//! - Pauses (the case waits on the company or a foreign government) are `[start, end)` intervals,
//!   `end = None` meaning "still paused". They are clipped to the clock's range and merged, so
//!   overlapping pauses count once.
//! - Elapsed = business days in `[submitted_on, stop)` minus paused business days.
//! - Due date = [`BusinessCalendar::add_business_days`]`(submitted_on, resolution_days + paused
//!   business days)`: every paused business day moves the due date one business day later.
//! - Resolution state, first rule that applies: `Met`/`MetLate` once resolved (on or before the
//!   due date, or after); `Paused` while a pause covers today; `Breached` once today is past the due
//!   date; `AtRisk` when the remaining business days are at most [`at_risk_threshold`] of the
//!   target; otherwise `OnTrack`.
//! - First response has its own due date, `add_business_days(submitted_on, first_response_days)`,
//!   and never pauses: acknowledging a case needs nothing from anyone else. A resolution with no
//!   recorded first response counts as the first response.
//!
//! [`status`] is allocation-free and O(pauses) (pauses normally arrive sorted by start; out of
//! order they are sorted in a stack buffer), so a queue of 100,000 cases is cheap to recompute.

use crate::case::{CaseCategory, Priority};
use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

/// A case is at risk when this share of its target, rounded up, or less remains...
pub const AT_RISK_PERCENT: i64 = 20;
/// ...but never later than with this many business days left, so short targets still warn.
pub const AT_RISK_MIN_DAYS: i64 = 1;

/// Remaining business days at or below which a clock with `target_days` is [`SlaState::AtRisk`].
pub fn at_risk_threshold(target_days: i64) -> i64 {
    let share = (target_days.max(0) * AT_RISK_PERCENT + 99) / 100; // ceil for non-negative targets
    share.max(AT_RISK_MIN_DAYS)
}

/// Weekends (Sat, Sun) and the given holidays are not business days. Precomputes a prefix-sum
/// of business days over [first, last] so counting is O(1); outside the range falls back to a slow but correct loop.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    /// Sorted and deduplicated; only the slow path outside the range reads it.
    holidays: Vec<Date>,
    /// Julian day number of the range's first date; offsets below are from here.
    first_jd: i32,
    /// `prefix[i]` = business days in `[first, first + i)`; one longer than the range.
    prefix: Vec<u32>,
    /// `nth[k]` = offset of the k-th business day of the range: makes adding days O(1) too.
    nth: Vec<u32>,
}

impl BusinessCalendar {
    /// An empty range (`last < first`) is allowed: every question then takes the slow path.
    pub fn new(holidays: impl IntoIterator<Item = Date>, first: Date, last: Date) -> Self {
        let mut holidays: Vec<Date> = holidays.into_iter().collect();
        holidays.sort_unstable();
        holidays.dedup();
        let first_jd = first.to_julian_day();
        let days = (last.to_julian_day() - first_jd + 1).max(0) as u32;
        let mut cal = BusinessCalendar { holidays, first_jd, prefix: Vec::with_capacity(days as usize + 1), nth: Vec::new() };
        let mut count = 0;
        cal.prefix.push(0);
        for offset in 0..days {
            if cal.slow_is_business_day(first_jd + offset as i32) {
                cal.nth.push(offset);
                count += 1;
            }
            cal.prefix.push(count);
        }
        cal
    }

    pub fn is_business_day(&self, d: Date) -> bool {
        let jd = d.to_julian_day();
        match self.offset(jd) {
            Some(i) if i + 1 < self.prefix.len() => self.prefix[i + 1] != self.prefix[i],
            _ => self.slow_is_business_day(jd),
        }
    }

    /// Business days in the half-open range [from, to); 0 when to <= from.
    pub fn business_days_between(&self, from: Date, to: Date) -> i64 {
        let (from, to) = (from.to_julian_day(), to.to_julian_day());
        if to <= from {
            return 0;
        }
        // Split into the part before the precomputed range, the part inside, and the part after.
        let (lo, hi) = (self.first_jd, self.end_jd());
        let mut n = 0;
        if from < lo {
            n += self.slow_between(from, to.min(lo));
        }
        let (a, b) = (from.max(lo), to.min(hi));
        if a < b {
            n += i64::from(self.prefix[(b - lo) as usize] - self.prefix[(a - lo) as usize]);
        }
        if to > hi {
            n += self.slow_between(from.max(hi), to);
        }
        n
    }

    /// The date n business days after d (n=0 → d itself if a business day, else the next business day).
    /// Negative n counts as 0. In other words: the first business day x >= d with
    /// `business_days_between(d, x) == n`.
    pub fn add_business_days(&self, d: Date, n: i64) -> Date {
        let mut left = n.max(0);
        let mut jd = d.to_julian_day();
        let (lo, hi) = (self.first_jd, self.end_jd());
        loop {
            if (lo..hi).contains(&jd) {
                // The answer is the (business days before d in range + left)-th business day.
                let k = i64::from(self.prefix[(jd - lo) as usize]) + left;
                if let Some(&offset) = usize::try_from(k).ok().and_then(|k| self.nth.get(k)) {
                    return julian(lo + offset as i32);
                }
                left = k - self.nth.len() as i64;
                jd = hi;
                continue;
            }
            if self.slow_is_business_day(jd) {
                if left == 0 {
                    return julian(jd);
                }
                left -= 1;
            }
            jd += 1;
        }
    }

    /// One past the last precomputed day, as a Julian day number.
    fn end_jd(&self) -> i32 {
        self.first_jd + self.prefix.len() as i32 - 1
    }

    /// Offset of `jd` into `prefix` (including its one-past-the-end slot), if inside.
    fn offset(&self, jd: i32) -> Option<usize> {
        usize::try_from(jd - self.first_jd).ok().filter(|&i| i < self.prefix.len())
    }

    fn slow_is_business_day(&self, jd: i32) -> bool {
        let d = julian(jd);
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && self.holidays.binary_search(&d).is_err()
    }

    fn slow_between(&self, from: i32, to: i32) -> i64 {
        (from..to).filter(|&jd| self.slow_is_business_day(jd)).count() as i64
    }
}

fn julian(jd: i32) -> Date {
    Date::from_julian_day(jd).expect("date within time's supported range")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub first_response_days: i64,
    pub resolution_days: i64,
}

/// Targets as data: rows (priority?, category?, target); the most specific row wins
/// (priority+category > priority only > category only > default row with both None).
/// Among equally specific rows the first wins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlaPolicy {
    pub rows: Vec<(Option<Priority>, Option<CaseCategory>, SlaTarget)>,
}

impl SlaPolicy {
    pub fn target_for(&self, p: Priority, c: CaseCategory) -> Option<SlaTarget> {
        let mut best: Option<(u8, SlaTarget)> = None;
        for &(rp, rc, target) in &self.rows {
            if rp.is_some_and(|rp| rp != p) || rc.is_some_and(|rc| rc != c) {
                continue;
            }
            // Priority outranks category: an urgent case is urgent whatever its subject.
            let rank = 2 * u8::from(rp.is_some()) + u8::from(rc.is_some());
            if best.is_none_or(|(b, _)| rank > b) {
                best = Some((rank, target));
            }
        }
        best.map(|(_, target)| target)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct ClockInput<'a> {
    pub submitted_on: Date,
    pub first_response_on: Option<Date>,
    /// Also used for closed: the date the clock stopped for good.
    pub resolved_on: Option<Date>,
    /// [start, end) paused intervals; end None = paused now.
    pub pauses: &'a [(Date, Option<Date>)],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    OnTrack,
    AtRisk,
    Breached,
    Paused,
    Met,
    MetLate,
}

impl SlaState {
    /// The name in JSON, in message keys (`sla-…`) and in page markup.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on_track",
            SlaState::AtRisk => "at_risk",
            SlaState::Breached => "breached",
            SlaState::Paused => "paused",
            SlaState::Met => "met",
            SlaState::MetLate => "met_late",
        }
    }
}

// Dates as "2026-09-24" in JSON rather than time's default (year, ordinal) tuple.
time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SlaStatus {
    /// Resolution clock state.
    pub state: SlaState,
    /// OnTrack/AtRisk/Breached while waiting, Met/MetLate once answered.
    pub first_response_state: SlaState,
    /// Resolution due date, pushed later by paused business days.
    #[serde(with = "iso_date")]
    pub due_on: Date,
    #[serde(with = "iso_date")]
    pub first_response_due_on: Date,
    /// Excludes paused business days.
    pub elapsed_business_days: i64,
    pub paused_business_days: i64,
    pub paused_calendar_days: i64,
    /// Negative when late.
    pub remaining_business_days: i64,
}

/// The case's clocks as of `today`; see the module documentation for the rules.
pub fn status(cal: &BusinessCalendar, target: SlaTarget, input: &ClockInput, today: Date) -> SlaStatus {
    let start = input.submitted_on;
    let stop = input.resolved_on.unwrap_or(today).max(start);
    let (paused_business_days, paused_calendar_days) = paused_days(cal, input.pauses, start, stop);
    let elapsed = cal.business_days_between(start, stop) - paused_business_days;
    let remaining = target.resolution_days - elapsed;
    let due_on = cal.add_business_days(start, target.resolution_days + paused_business_days);
    let paused_now = input.pauses.iter().any(|&(s, e)| s <= today && e.is_none_or(|e| e > today));
    let state = match input.resolved_on {
        Some(done) => met(done, due_on),
        None if paused_now => SlaState::Paused,
        None => running(today, due_on, remaining, target.resolution_days),
    };

    let first_response_due_on = cal.add_business_days(start, target.first_response_days);
    let first_response_state = match input.first_response_on.or(input.resolved_on) {
        Some(answered) => met(answered, first_response_due_on),
        None => {
            let waited = cal.business_days_between(start, today);
            running(today, first_response_due_on, target.first_response_days - waited, target.first_response_days)
        }
    };

    SlaStatus {
        state,
        first_response_state,
        due_on,
        first_response_due_on,
        elapsed_business_days: elapsed,
        paused_business_days,
        paused_calendar_days,
        remaining_business_days: remaining,
    }
}

fn met(done: Date, due: Date) -> SlaState {
    if done <= due { SlaState::Met } else { SlaState::MetLate }
}

fn running(today: Date, due: Date, remaining: i64, target_days: i64) -> SlaState {
    if today > due {
        SlaState::Breached
    } else if remaining <= at_risk_threshold(target_days) {
        SlaState::AtRisk
    } else {
        SlaState::OnTrack
    }
}

/// (business, calendar) days covered by the union of `pauses` clipped to `[start, stop)`.
fn paused_days(cal: &BusinessCalendar, pauses: &[(Date, Option<Date>)], start: Date, stop: Date) -> (i64, i64) {
    if pauses.is_sorted_by_key(|p| p.0) {
        return merged_days(cal, pauses, start, stop);
    }
    // Hand-corrected data can arrive out of order. Sorting a copy on the stack keeps status()
    // allocation-free for any realistic number of pauses; only an absurd case pays for a Vec.
    const ON_STACK: usize = 16;
    if pauses.len() <= ON_STACK {
        let mut buf = [(start, None); ON_STACK];
        let buf = &mut buf[..pauses.len()];
        buf.copy_from_slice(pauses);
        buf.sort_unstable_by_key(|p| p.0);
        merged_days(cal, buf, start, stop)
    } else {
        let mut buf = pauses.to_vec();
        buf.sort_unstable_by_key(|p| p.0);
        merged_days(cal, &buf, start, stop)
    }
}

/// One sweep over pauses sorted by start: each counts only the part after everything already
/// counted, which merges overlaps without building the union.
fn merged_days(cal: &BusinessCalendar, sorted: &[(Date, Option<Date>)], start: Date, stop: Date) -> (i64, i64) {
    let (mut business, mut calendar) = (0, 0);
    let mut counted_until = start;
    for &(s, e) in sorted {
        let s = s.max(counted_until);
        let e = e.unwrap_or(stop).min(stop);
        if s < e {
            business += cal.business_days_between(s, e);
            calendar += (e - s).whole_days();
            counted_until = e;
        }
    }
    (business, calendar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sla_state_is_named_as_it_serialises() {
        for st in [SlaState::OnTrack, SlaState::AtRisk, SlaState::Breached, SlaState::Paused, SlaState::Met, SlaState::MetLate] {
            assert_eq!(serde_json::to_value(st).unwrap(), st.as_str());
        }
    }
    use time::macros::date;

    /// The shipped holiday list, read at compile time so the tests stay free of I/O.
    fn korean_holidays() -> Vec<Date> {
        let csv = include_str!("../../../data/holidays/kr-public-holidays-2024-2030.csv");
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        csv.lines().skip(1).map(|line| Date::parse(line.split(',').next().unwrap(), fmt).unwrap()).collect()
    }

    fn calendar() -> BusinessCalendar {
        BusinessCalendar::new(korean_holidays(), date!(2024 - 01 - 01), date!(2030 - 12 - 31))
    }

    const TARGET: SlaTarget = SlaTarget { first_response_days: 2, resolution_days: 10 };

    fn open(submitted_on: Date, pauses: &[(Date, Option<Date>)]) -> ClockInput<'_> {
        ClockInput { submitted_on, first_response_on: None, resolved_on: None, pauses }
    }

    #[test]
    fn chuseok_2026_and_the_foundation_day_substitute_are_not_business_days() {
        let cal = calendar();
        assert_eq!(korean_holidays().len(), 143);
        assert!(cal.is_business_day(date!(2026 - 09 - 23))); // Wednesday before Chuseok
        for d in [date!(2026 - 09 - 24), date!(2026 - 09 - 25), date!(2026 - 09 - 26), date!(2026 - 09 - 27)] {
            assert!(!cal.is_business_day(d), "{d}"); // Chuseok Thu–Sat, then Sunday
        }
        assert!(cal.is_business_day(date!(2026 - 09 - 28)));
        // 3 Oct falls on a Saturday; the substitute holiday is Monday 5 Oct. 9 Oct is Hangul Day.
        assert!(!cal.is_business_day(date!(2026 - 10 - 05)));
        assert!(!cal.is_business_day(date!(2026 - 10 - 09)));

        assert_eq!(cal.business_days_between(date!(2026 - 09 - 23), date!(2026 - 09 - 29)), 2);
        assert_eq!(cal.business_days_between(date!(2026 - 09 - 29), date!(2026 - 09 - 23)), 0);
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 24), 0), date!(2026 - 09 - 28));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), 0), date!(2026 - 09 - 23));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), 1), date!(2026 - 09 - 28));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), 5), date!(2026 - 10 - 02));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), 6), date!(2026 - 10 - 06));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), 10), date!(2026 - 10 - 13));
        assert_eq!(cal.add_business_days(date!(2026 - 09 - 23), -3), date!(2026 - 09 - 23));
    }

    #[test]
    fn add_and_between_agree_for_every_business_day() {
        let cal = calendar();
        let mut d = date!(2024 - 01 - 01);
        while d <= date!(2030 - 11 - 30) {
            for n in 0..40 {
                let x = cal.add_business_days(d, n);
                assert!(cal.is_business_day(x), "{d} + {n}");
                if cal.is_business_day(d) {
                    assert_eq!(cal.business_days_between(d, x), n, "{d} + {n} = {x}");
                }
            }
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn outside_the_precomputed_range_answers_are_the_same() {
        let full = calendar();
        let narrow = BusinessCalendar::new(korean_holidays(), date!(2026 - 09 - 01), date!(2026 - 09 - 30));
        let empty = BusinessCalendar::new(korean_holidays(), date!(2026 - 09 - 30), date!(2026 - 09 - 01));
        let days: Vec<Date> = (0..200).map(|i| date!(2026 - 07 - 01) + time::Duration::days(i)).collect();
        for cal in [&narrow, &empty] {
            for &a in days.iter().step_by(3) {
                assert_eq!(cal.is_business_day(a), full.is_business_day(a), "{a}");
                for n in [0, 1, 7, 30, 90] {
                    assert_eq!(cal.add_business_days(a, n), full.add_business_days(a, n), "{a} + {n}");
                }
                for &b in days.iter().step_by(7) {
                    assert_eq!(cal.business_days_between(a, b), full.business_days_between(a, b), "[{a}, {b})");
                }
            }
        }
    }

    #[test]
    fn at_risk_threshold_is_a_fifth_rounded_up_but_at_least_a_day() {
        assert_eq!((AT_RISK_PERCENT, AT_RISK_MIN_DAYS), (20, 1));
        for (target, threshold) in [(0, 1), (1, 1), (3, 1), (5, 1), (6, 2), (10, 2), (11, 3), (20, 4), (30, 6)] {
            assert_eq!(at_risk_threshold(target), threshold, "target {target}");
        }
    }

    #[test]
    fn the_most_specific_policy_row_wins() {
        let t = |d| SlaTarget { first_response_days: 1, resolution_days: d };
        let policy = SlaPolicy {
            rows: vec![
                (None, None, t(20)),
                (None, Some(CaseCategory::Customs), t(15)),
                (Some(Priority::Urgent), None, t(5)),
                (Some(Priority::Urgent), Some(CaseCategory::Customs), t(3)),
                (Some(Priority::Urgent), Some(CaseCategory::Customs), t(99)), // shadowed: first wins
            ],
        };
        assert_eq!(policy.target_for(Priority::Urgent, CaseCategory::Customs), Some(t(3)));
        assert_eq!(policy.target_for(Priority::Urgent, CaseCategory::Tax), Some(t(5)));
        assert_eq!(policy.target_for(Priority::Low, CaseCategory::Customs), Some(t(15)));
        assert_eq!(policy.target_for(Priority::Low, CaseCategory::Tax), Some(t(20)));
        let no_default = SlaPolicy { rows: vec![(Some(Priority::High), None, t(7))] };
        assert_eq!(no_default.target_for(Priority::Low, CaseCategory::Tax), None);
    }

    #[test]
    fn clock_across_chuseok_goes_on_track_at_risk_breached() {
        // Submitted Wed 23 Sep 2026. Business days: 23, 28, 29, 30, 1, 2, 6, 7, 8, 12, 13 Oct.
        let cal = calendar();
        let input = open(date!(2026 - 09 - 23), &[]);
        let at = |today| status(&cal, TARGET, &input, today);

        let s = at(date!(2026 - 09 - 28));
        assert_eq!((s.due_on, s.first_response_due_on), (date!(2026 - 10 - 13), date!(2026 - 09 - 29)));
        assert_eq!((s.elapsed_business_days, s.remaining_business_days), (1, 9));
        assert_eq!((s.state, s.first_response_state), (SlaState::OnTrack, SlaState::AtRisk));

        let s = at(date!(2026 - 10 - 07));
        assert_eq!((s.remaining_business_days, s.state), (3, SlaState::OnTrack));
        let s = at(date!(2026 - 10 - 08));
        assert_eq!((s.remaining_business_days, s.state), (2, SlaState::AtRisk));
        // Hangul Day and the weekend do not use up the last days.
        let s = at(date!(2026 - 10 - 13));
        assert_eq!((s.remaining_business_days, s.state), (0, SlaState::AtRisk));
        let s = at(date!(2026 - 10 - 14));
        assert_eq!((s.remaining_business_days, s.state, s.first_response_state), (-1, SlaState::Breached, SlaState::Breached));
    }

    #[test]
    fn resolution_on_the_due_date_is_met_a_day_later_is_late() {
        let cal = calendar();
        let today = date!(2026 - 11 - 02);
        let done = |resolved, answered| {
            let input =
                ClockInput { submitted_on: date!(2026 - 09 - 23), first_response_on: answered, resolved_on: Some(resolved), pauses: &[] };
            status(&cal, TARGET, &input, today)
        };
        let s = done(date!(2026 - 10 - 13), Some(date!(2026 - 09 - 29)));
        assert_eq!(
            (s.state, s.first_response_state, s.elapsed_business_days, s.remaining_business_days),
            (SlaState::Met, SlaState::Met, 10, 0)
        );
        let s = done(date!(2026 - 10 - 14), Some(date!(2026 - 09 - 30)));
        assert_eq!((s.state, s.first_response_state, s.remaining_business_days), (SlaState::MetLate, SlaState::MetLate, -1));
        // No recorded first response: the resolution answered the company.
        let s = done(date!(2026 - 09 - 28), None);
        assert_eq!((s.state, s.first_response_state), (SlaState::Met, SlaState::Met));
    }

    // June 2026: Wed 3 is election day, Sat 6 Memorial Day. From Mon 1 Jun the business days are
    // 1, 2, 4, 5, 8, 9, 10, 11, 12, 15, 16.
    const JUNE_TARGET: SlaTarget = SlaTarget { first_response_days: 1, resolution_days: 5 };

    #[test]
    fn a_pause_over_a_weekend_counts_only_its_business_days() {
        let cal = calendar();
        let pauses = [(date!(2026 - 06 - 05), Some(date!(2026 - 06 - 09)))]; // Fri..Mon inclusive
        let input = open(date!(2026 - 06 - 01), &pauses);
        let s = status(&cal, JUNE_TARGET, &input, date!(2026 - 06 - 11));
        assert_eq!((s.paused_business_days, s.paused_calendar_days), (2, 4));
        assert_eq!((s.elapsed_business_days, s.remaining_business_days), (5, 0));
        assert_eq!((s.due_on, s.state), (date!(2026 - 06 - 11), SlaState::AtRisk)); // not 9 Jun
        let s = status(&cal, JUNE_TARGET, &input, date!(2026 - 06 - 12));
        assert_eq!((s.remaining_business_days, s.state), (-1, SlaState::Breached));
    }

    #[test]
    fn overlapping_pauses_count_once_in_any_order() {
        let cal = calendar();
        let pauses = [
            (date!(2026 - 05 - 28), Some(date!(2026 - 06 - 02))), // began before submission: clipped
            (date!(2026 - 06 - 02), Some(date!(2026 - 06 - 05))),
            (date!(2026 - 06 - 04), Some(date!(2026 - 06 - 09))),
            (date!(2026 - 06 - 08), Some(date!(2026 - 06 - 09))), // inside the previous one
        ];
        // Union clipped: [1 Jun, 9 Jun) = business days 1, 2, 4, 5, 8; 8 calendar days.
        let today = date!(2026 - 06 - 12);
        let s = status(&cal, JUNE_TARGET, &open(date!(2026 - 06 - 01), &pauses), today);
        assert_eq!((s.paused_business_days, s.paused_calendar_days), (5, 8));
        assert_eq!((s.elapsed_business_days, s.due_on, s.state), (3, date!(2026 - 06 - 16), SlaState::OnTrack));
        let mut shuffled = pauses;
        shuffled.reverse();
        assert_eq!(status(&cal, JUNE_TARGET, &open(date!(2026 - 06 - 01), &shuffled), today), s);
        let many: Vec<_> = pauses.iter().cycle().take(40).copied().collect(); // past the stack buffer
        assert_eq!(status(&cal, JUNE_TARGET, &open(date!(2026 - 06 - 01), &many), today), s);
    }

    #[test]
    fn an_open_pause_stops_the_resolution_clock_but_not_the_first_response() {
        let cal = calendar();
        let pauses = [(date!(2026 - 06 - 08), None)];
        let s = status(&cal, JUNE_TARGET, &open(date!(2026 - 06 - 01), &pauses), date!(2026 - 06 - 12));
        assert_eq!((s.paused_business_days, s.paused_calendar_days), (4, 4)); // 8..11 Jun
        assert_eq!((s.elapsed_business_days, s.due_on), (4, date!(2026 - 06 - 15)));
        assert_eq!((s.state, s.first_response_state), (SlaState::Paused, SlaState::Breached));
        // Resolved while still marked paused: the pause ends with the clock, and it was on time.
        let input = ClockInput { resolved_on: Some(date!(2026 - 06 - 10)), ..open(date!(2026 - 06 - 01), &pauses) };
        let s = status(&cal, JUNE_TARGET, &input, date!(2026 - 06 - 12));
        assert_eq!((s.paused_business_days, s.elapsed_business_days, s.due_on), (2, 4, date!(2026 - 06 - 11)));
        assert_eq!(s.state, SlaState::Met);
    }

    #[test]
    fn status_serializes_dates_as_iso_text() {
        let cal = calendar();
        let s = status(&cal, TARGET, &open(date!(2026 - 09 - 23), &[]), date!(2026 - 09 - 28));
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["due_on"], "2026-10-13");
        assert_eq!(json["state"], "on_track");
    }
}

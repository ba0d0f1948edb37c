//! Resilience figures of each disruption window (timed events and each
//! down period of a random outage), from the network's daily customer
//! demand and units served from stock.
//!
//! # Definitions
//!
//! For a disruption over days `start..end` (its last day `last = end − 1`):
//! * the *pre-event level* is the fill rate (units served from stock ÷
//!   units demanded, customer demand network-wide) over the
//!   [`BASELINE_DAYS`] days before `start` (fewer when the run starts
//!   later; undefined at day 0);
//! * the *7-day fill rate* of day `d` is that ratio over days `d−6..=d`;
//!   day `d` is *below* when it is more than 1 point under the pre-event
//!   level (`< level − 0.01`), *back* otherwise (also when nothing was
//!   demanded in those 7 days);
//! * the *impact* starts on the first day `dip` in `start..=last +`
//!   [`IMPACT_HORIZON_DAYS`] that is below, however late after the event
//!   it comes (a supplier outage reaches customers one lead time later);
//!   a later dip is not the event's. `time_to_impact_days = dip − start`;
//! * the event has *recovered* on the first day `r ≥ max(dip, last)` that
//!   is back: service is back and the event is over.
//!   `recovery_days = r − dip`, measured from the impact; undefined (NaN)
//!   when service is not back by the end of the horizon;
//! * `units_short` is the shortfall against the pre-event level over the
//!   *impact window* `start..=r` (to the end of the horizon without
//!   recovery): Σ (units demanded × level − units served from stock), at
//!   least 0. At a pre-event level of 1 it is the plain count of units not
//!   served from stock.
//!
//! When service never dips within the horizon cap, the event had no
//! impact: `units_short = 0`, `recovery_days = 0`, and `time_to_impact_days`
//! is undefined (NaN). All three are undefined when the pre-event level is
//! (an event starting on day 0 or outside the run, or no demand before it).
//! Each event is measured on its own: overlapping events share the days
//! they both cover.

/// Days before an event whose fill rate is its pre-event level.
pub const BASELINE_DAYS: usize = 28;

/// How many days after an event's last day its impact may still begin.
pub const IMPACT_HORIZON_DAYS: usize = 56;

/// Days in the trailing fill rate.
const TRAILING_DAYS: usize = 7;

/// How far (as a fill-rate fraction) below the pre-event level is "below".
const TOLERANCE: f64 = 0.01;

/// What one disruption window cost the network in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventImpact {
    /// Shortfall against the pre-event level from its start to recovery.
    pub units_short: f64,
    /// Days from the start of the impact until service is back (NaN if never).
    pub recovery_days: f64,
    /// Days from its start until service first fell (NaN if it never did).
    pub time_to_impact_days: f64,
}

impl EventImpact {
    /// All figures undefined.
    pub const UNDEFINED: EventImpact =
        EventImpact { units_short: f64::NAN, recovery_days: f64::NAN, time_to_impact_days: f64::NAN };

    /// No impact: service never fell.
    pub const NONE: EventImpact = EventImpact { units_short: 0.0, recovery_days: 0.0, time_to_impact_days: f64::NAN };
}

fn ratio(days: &[(i64, i64)]) -> Option<f64> {
    let (demand, served) = days.iter().fold((0, 0), |(d, s), &(dd, ss)| (d + dd, s + ss));
    (demand > 0).then(|| served as f64 / demand as f64)
}

/// The impact of a disruption over days `start..end`, from `daily`
/// (customer demand, served from stock) per day of the run.
pub fn impact(daily: &[(i64, i64)], start: usize, end: usize) -> EventImpact {
    if daily.is_empty() || start == 0 || start >= daily.len() {
        return EventImpact::UNDEFINED;
    }
    let Some(level) = ratio(&daily[start.saturating_sub(BASELINE_DAYS)..start]) else {
        return EventImpact::UNDEFINED;
    };
    let below =
        |d: usize| ratio(&daily[(d + 1).saturating_sub(TRAILING_DAYS)..=d]).is_some_and(|r| r < level - TOLERANCE);
    let last = end.max(start + 1) - 1;
    let search_end = (last + IMPACT_HORIZON_DAYS).min(daily.len() - 1);
    let Some(dip) = (start..=search_end).find(|&d| below(d)) else { return EventImpact::NONE };
    let recovered = (dip.max(last)..daily.len()).find(|&d| !below(d));
    let until = recovered.unwrap_or(daily.len() - 1);
    let shortfall: f64 =
        daily[start..=until].iter().map(|&(demand, served)| demand as f64 * level - served as f64).sum();
    EventImpact {
        units_short: shortfall.max(0.0),
        recovery_days: recovered.map_or(f64::NAN, |r| (r - dip) as f64),
        time_to_impact_days: (dip - start) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_counted_from_the_first_impacted_day() {
        // 60 days at 10 demanded, all served; days 30–31 serve nothing, days
        // 32–33 serve 5; afterwards all again.
        let mut daily = vec![(10, 10); 60];
        daily[30] = (10, 0);
        daily[31] = (10, 0);
        daily[32] = (10, 5);
        daily[33] = (10, 5);
        let i = impact(&daily, 30, 32);
        // Day 30's window already holds 10 short of 70 (0.857 < 0.99): the
        // impact starts at once. The trailing 7 days hold a shortfall until
        // day 33 + 6 = 39; day 40 (34..=40) is clean.
        assert_eq!(i, EventImpact { units_short: 30.0, recovery_days: 10.0, time_to_impact_days: 0.0 });
    }

    /// A 4-day event on days 10–13 whose shortage reaches customers on days
    /// 15–18 (10 short each): the old rule, measured from the event's last
    /// day, saw service intact on day 13 and reported nothing.
    #[test]
    fn lagged_impact_is_counted_from_when_it_arrives() {
        let mut daily = vec![(10, 10); 60];
        for day in &mut daily[15..19] {
            day.1 = 0;
        }
        let i = impact(&daily, 10, 14);
        // Below from day 15; day 24's window (18..=24) still holds day 18;
        // day 25 (19..=25) is clean.
        assert_eq!(i, EventImpact { units_short: 40.0, recovery_days: 10.0, time_to_impact_days: 5.0 });
    }

    #[test]
    fn shortfall_is_measured_against_the_pre_event_level() {
        // Before the event 9 of 10 are served each day (level 0.9); days
        // 30–31 serve 4: 5 short beyond the usual 1 on each.
        let mut daily = vec![(10, 9); 60];
        daily[30].1 = 4;
        daily[31].1 = 4;
        let i = impact(&daily, 30, 31);
        // Window 30..=38 (day 37 = 31..=37 still holds day 31; day 38 is back):
        // Σ (10 × 0.9 − served) = 5 + 5 + 0 × 7.
        assert!((i.units_short - 10.0).abs() < 1e-9, "{i:?}");
        assert_eq!((i.recovery_days, i.time_to_impact_days), (8.0, 0.0));
    }

    #[test]
    fn an_event_without_effect_has_no_impact_and_one_never_over_is_undefined() {
        let daily = vec![(10, 10); 60];
        let none = impact(&daily, 20, 25);
        assert_eq!((none.units_short, none.recovery_days), (0.0, 0.0));
        assert!(none.time_to_impact_days.is_nan());
        let mut bad = vec![(10, 10); 60];
        bad[40..].iter_mut().for_each(|d| d.1 = 0);
        let i = impact(&bad, 40, 45);
        assert!(i.recovery_days.is_nan());
        assert_eq!((i.units_short, i.time_to_impact_days), (200.0, 0.0));
    }

    #[test]
    fn a_dip_beyond_the_horizon_cap_is_not_the_events() {
        let mut daily = vec![(10, 10); 200];
        daily[10 + IMPACT_HORIZON_DAYS + 1].1 = 0;
        assert!(impact(&daily, 10, 11).time_to_impact_days.is_nan());
        let mut daily = vec![(10, 10); 200];
        daily[10 + IMPACT_HORIZON_DAYS].1 = 0;
        assert_eq!(impact(&daily, 10, 11).time_to_impact_days, IMPACT_HORIZON_DAYS as f64);
    }
}

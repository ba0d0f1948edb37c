//! Resilience figures of each timed disruption, from the network's daily
//! customer demand and units served from stock.
//!
//! # Definitions
//!
//! For a disruption over days `start..end`:
//! * the *pre-event level* is the fill rate (units served from stock ÷
//!   units demanded, customer demand network-wide) over the 28 days before
//!   `start` (fewer when the run starts later; undefined at day 0);
//! * the *7-day fill rate* of day `d` is that ratio over days `d−6..=d`;
//! * the disruption has *recovered* on the first day `d ≥ end − 1` whose
//!   7-day fill rate is within 1 point of the pre-event level (at least
//!   level − 0.01); `recovery_days = d − (end − 1)`: 0 when service never
//!   fell, undefined (NaN) when it is not back by the end of the horizon;
//! * `units_short` is the customer demand not served from stock from
//!   `start` to the recovery day (or the end of the horizon), inclusive.

use crate::model::Model;

/// What one disruption cost the network in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventImpact {
    /// Units not served from stock from its start to recovery.
    pub units_short: f64,
    /// Days after its last day until service is back (NaN if never).
    pub recovery_days: f64,
}

const UNDEFINED: EventImpact = EventImpact { units_short: f64::NAN, recovery_days: f64::NAN };

fn ratio(days: &[(i64, i64)]) -> Option<f64> {
    let (demand, served) = days.iter().fold((0, 0), |(d, s), &(dd, ss)| (d + dd, s + ss));
    (demand > 0).then(|| served as f64 / demand as f64)
}

/// The impact of every timed disruption of `model`, from `daily`
/// (customer demand, served from stock) per day of the run.
pub fn impacts(model: &Model, daily: &[(i64, i64)]) -> Vec<EventImpact> {
    model.disruptions.iter().map(|d| impact(daily, d.start_day as usize, d.end_day as usize)).collect()
}

fn impact(daily: &[(i64, i64)], start: usize, end: usize) -> EventImpact {
    if daily.is_empty() || start == 0 || start >= daily.len() {
        return UNDEFINED;
    }
    let Some(level) = ratio(&daily[start.saturating_sub(28)..start]) else { return UNDEFINED };
    let last = end.max(start + 1) - 1;
    let recovered =
        (last..daily.len()).find(|&d| ratio(&daily[d.saturating_sub(6)..=d]).is_none_or(|r| r >= level - 0.01));
    let until = recovered.unwrap_or(daily.len() - 1);
    let units_short = daily[start..=until].iter().map(|&(demand, served)| (demand - served) as f64).sum();
    EventImpact { units_short, recovery_days: recovered.map_or(f64::NAN, |d| (d - last) as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_counted_from_the_last_disrupted_day() {
        // 40 days at 10 demanded, all served; days 30–31 serve nothing, days
        // 32–33 serve 5; afterwards all again.
        let mut daily = vec![(10, 10); 60];
        daily[30] = (10, 0);
        daily[31] = (10, 0);
        daily[32] = (10, 5);
        daily[33] = (10, 5);
        let i = impact(&daily, 30, 32);
        // Trailing 7 days must reach 0.99: the window holds a shortfall until
        // day 30 + 6 + 1 = 37 (days 31..=37 still hold day 31's 10 short);
        // day 38's window is 32..=38: 10 short of 70 = 0.857 < 0.99; day 40
        // (34..=40) is clean.
        assert_eq!(i.recovery_days, 40.0 - 31.0);
        assert_eq!(i.units_short, 30.0);
    }

    #[test]
    fn an_event_without_effect_recovers_at_once_and_one_never_over_is_undefined() {
        let daily = vec![(10, 10); 60];
        assert_eq!(impact(&daily, 20, 25), EventImpact { units_short: 0.0, recovery_days: 0.0 });
        let mut bad = vec![(10, 10); 60];
        bad[40..].iter_mut().for_each(|d| d.1 = 0);
        assert!(impact(&bad, 40, 45).recovery_days.is_nan());
        assert_eq!(impact(&bad, 40, 45).units_short, 200.0);
    }
}

//! Simulated time.
//!
//! Time is an integer count of minutes since the start of day 0 ([`Minute`]).
//! Day `t` covers the half-open interval `[1440·t, 1440·(t+1))`. Nothing in the
//! engine uses floating-point time, so event order never depends on rounding.

/// A point in simulated time, in whole minutes since the start of day 0.
pub type Minute = u64;

/// A day index: day `t` starts at minute `1440·t`.
pub type Day = u32;

/// Minutes in one simulated day.
pub const MINUTES_PER_DAY: Minute = 1440;

/// The minute at which `day` starts.
#[inline]
pub(crate) fn day_start(day: Day) -> Minute {
    Minute::from(day) * MINUTES_PER_DAY
}

/// The day whose start-of-day receipt step first sees a shipment arriving at
/// `arrival`: the first day `t` with `day_start(t) ≥ arrival` (a shipment due
/// exactly at a day start is received that morning).
#[inline]
pub(crate) fn receipt_day(arrival: Minute) -> u64 {
    arrival.div_ceil(MINUTES_PER_DAY)
}

/// Under daily-batch demand, the day whose start receives a shipment
/// arriving at `arrival`, when the earliest day start that can still
/// receive it is that of `earliest` (the first day start at or after its
/// departure whose receipts have not been taken in yet). An arrival at a
/// day start is received then. An arrival `f` minutes into a day
/// (`0 < f < 1440`) is received at the start of that day with probability
/// `1 − f/1440` and at the next day start with probability `f/1440`: the
/// next iff `draw < f`, where `draw` is uniform on `0..1440`. So the
/// receipt moment is the arrival in expectation, exactly (E[receipt
/// minute] = `arrival`), whatever the lead-time distribution — unless that
/// day is before `earliest`, which then receives it. `draw` is only
/// consulted when [`needs_receipt_draw`].
#[inline]
pub fn rounded_receipt_day(arrival: Minute, earliest: u64, draw: Minute) -> u64 {
    let (day, into) = (arrival / MINUTES_PER_DAY, arrival % MINUTES_PER_DAY);
    let day = if into > 0 && draw < into { day + 1 } else { day };
    day.max(earliest)
}

/// Does [`rounded_receipt_day`] need a draw for this shipment: does it
/// arrive mid-day, on a day not before `earliest`?
#[inline]
pub fn needs_receipt_draw(arrival: Minute, earliest: u64) -> bool {
    !arrival.is_multiple_of(MINUTES_PER_DAY) && arrival / MINUTES_PER_DAY >= earliest
}

/// Converts a duration in (possibly fractional) days to whole minutes,
/// rounding to the nearest minute. Negative or NaN inputs give 0; callers
/// validate durations before they get here.
#[inline]
pub fn days_to_minutes(days: f64) -> Minute {
    if days.is_nan() || days <= 0.0 { 0 } else { (days * MINUTES_PER_DAY as f64).round() as Minute }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_at_end_of_day_with_lead_time_l_is_received_on_day_t_plus_l_plus_1() {
        for t in 0..5u32 {
            for l in 0..4u64 {
                let release = day_start(t + 1); // end of day t
                let arrival = release + l * MINUTES_PER_DAY;
                assert_eq!(receipt_day(arrival), u64::from(t) + l + 1);
            }
        }
    }

    #[test]
    fn mid_day_arrival_is_received_next_morning() {
        assert_eq!(receipt_day(day_start(3) + 1), 4);
        assert_eq!(receipt_day(day_start(3) + 1439), 4);
    }

    #[test]
    fn receipts_on_a_day_start_keep_it_and_mid_day_receipts_round_either_way() {
        // A whole-day lead time from the end of day 3: day 7's start, no draw.
        let earliest = receipt_day(day_start(4));
        assert!(!needs_receipt_draw(day_start(7), earliest));
        assert_eq!(rounded_receipt_day(day_start(7), earliest, 0), 7);
        // 6 hours into day 7: day 7 unless the draw falls in the first 360
        // of the 1440 minutes (probability 1/4), then day 8.
        let arrival = day_start(7) + 360;
        assert!(needs_receipt_draw(arrival, earliest));
        assert_eq!(rounded_receipt_day(arrival, earliest, 359), 8);
        assert_eq!(rounded_receipt_day(arrival, earliest, 360), 7);
        assert_eq!(rounded_receipt_day(arrival, earliest, 1439), 7);
        let receipts: u64 =
            (0..MINUTES_PER_DAY).map(|d| day_start(rounded_receipt_day(arrival, earliest, d) as Day)).sum();
        assert_eq!(receipts as f64 / MINUTES_PER_DAY as f64, arrival as f64, "unbiased over the draw");
        // Day 7 already taken in (a departure during it): day 8, no draw.
        assert!(!needs_receipt_draw(arrival, 8));
        assert_eq!(rounded_receipt_day(arrival, 8, 1439), 8);
    }

    #[test]
    fn fractional_days_round_to_the_nearest_minute() {
        assert_eq!(days_to_minutes(0.25), 360);
        assert_eq!(days_to_minutes(-1.0), 0);
        assert_eq!(days_to_minutes(f64::NAN), 0);
    }
}

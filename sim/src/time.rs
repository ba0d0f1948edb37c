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
pub fn day_start(day: Day) -> Minute {
    Minute::from(day) * MINUTES_PER_DAY
}

/// The day whose start-of-day receipt step first sees a shipment arriving at
/// `arrival`: the first day `t` with `day_start(t) ≥ arrival` (a shipment due
/// exactly at a day start is received that morning).
#[inline]
pub fn receipt_day(arrival: Minute) -> u64 {
    arrival.div_ceil(MINUTES_PER_DAY)
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
    fn fractional_days_round_to_the_nearest_minute() {
        assert_eq!(days_to_minutes(0.25), 360);
        assert_eq!(days_to_minutes(-1.0), 0);
        assert_eq!(days_to_minutes(f64::NAN), 0);
    }
}

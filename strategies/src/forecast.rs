//! Demand forecasts updated once a day from observed demand.
//!
//! # Contract
//!
//! A [`Forecasts`] holds one forecast per local SKU of a node, as arrays.
//! [`Forecasts::observe`] takes the day's demand `d` of one SKU and updates
//! it by the method's recursion; [`Forecasts::daily`] is the forecast of one
//! future day's demand, [`Forecasts::over`] the forecast of the demand over
//! the next `h` days, [`Forecasts::error_sd`] the standard deviation of the
//! one-day forecast error. Every SKU starts at its scenario mean `μ` (level
//! `μ`, no trend, Croston's size `μ` every day) with error variance `μ`
//! (a Poisson guess) until errors are observed.
//!
//! **Simple exponential smoothing** (α): level `ℓ ← ℓ + α(d − ℓ)`; forecast
//! `ℓ` per day, `h·ℓ` over `h` days.
//!
//! **Holt** (α, β): `ℓ' = α·d + (1 − α)(ℓ + b)`, `b ← β(ℓ' − ℓ) + (1 − β)b`,
//! `ℓ ← ℓ'`; forecast `ℓ + b` for the next day, `h·ℓ + b·h(h + 1)/2` over `h`
//! days (never below 0).
//!
//! **Croston** (α): on a day with demand, size `z ← z + α(d − z)` and
//! interval `p ← p + α(q − p)` where `q` is the days since the last demand
//! (1 for consecutive days), then `q ← 1`; on a day without, `q ← q + 1`.
//! Forecast `z / p` per day. **SBA** (Syntetos–Boylan) multiplies it by
//! `1 − α/2`.
//!
//! **Forecast error.** Before each update the one-day error `e = d − f` is
//! taken against the forecast `f` the day before; its variance is smoothed
//! as `v ← v + ERROR_WEIGHT·(e² − v)`.

/// Weight of the newest squared error in the smoothed error variance.
pub const ERROR_WEIGHT: f64 = 0.1;

/// A forecasting method and its smoothing constants (each in (0, 1]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Simple exponential smoothing.
    Ses {
        /// Level smoothing α.
        alpha: f64,
    },
    /// Holt's linear trend.
    Holt {
        /// Level smoothing α.
        alpha: f64,
        /// Trend smoothing β.
        beta: f64,
    },
    /// Croston's method for intermittent demand; `sba` applies the
    /// Syntetos–Boylan bias correction.
    Croston {
        /// Size and interval smoothing α.
        alpha: f64,
        /// Multiply by `1 − α/2`.
        sba: bool,
    },
}

/// Forecasts of every SKU of one node.
#[derive(Debug, Clone)]
pub struct Forecasts {
    method: Method,
    /// SES/Holt level; Croston size.
    level: Vec<f64>,
    /// Holt trend; Croston interval.
    slope: Vec<f64>,
    /// Croston: days since the last demand.
    since: Vec<f64>,
    /// Smoothed squared one-day error.
    error_variance: Vec<f64>,
    /// Per SKU, [`daily`](Self::daily) as of the last observation.
    next: Vec<f64>,
}

impl Forecasts {
    /// Forecasts starting from each SKU's mean daily demand.
    pub fn new(method: Method, means: &[f64]) -> Self {
        let slope = match method {
            Method::Croston { .. } => vec![1.0; means.len()],
            _ => vec![0.0; means.len()],
        };
        let mut forecasts = Self {
            method,
            level: means.to_vec(),
            slope,
            since: vec![1.0; means.len()],
            error_variance: means.iter().map(|m| m.max(1e-9)).collect(),
            next: Vec::new(),
        };
        forecasts.next = (0..means.len()).map(|sku| forecasts.daily(sku)).collect();
        forecasts
    }

    /// Per SKU, the forecast of the next day's demand ([`daily`](Self::daily)),
    /// kept current by [`observe`](Self::observe).
    pub fn next_days(&self) -> &[f64] {
        &self.next
    }

    /// Learns SKU `sku`'s demand of one day.
    #[inline]
    pub fn observe(&mut self, sku: usize, demand: f64) {
        let error = demand - self.daily(sku);
        self.error_variance[sku] += ERROR_WEIGHT * (error * error - self.error_variance[sku]);
        let (level, slope) = (&mut self.level[sku], &mut self.slope[sku]);
        match self.method {
            Method::Ses { alpha } => *level += alpha * (demand - *level),
            Method::Holt { alpha, beta } => {
                let next = alpha * demand + (1.0 - alpha) * (*level + *slope);
                *slope = beta * (next - *level) + (1.0 - beta) * *slope;
                *level = next;
            }
            Method::Croston { alpha, .. } => {
                if demand > 0.0 {
                    *level += alpha * (demand - *level);
                    *slope += alpha * (self.since[sku] - *slope);
                    self.since[sku] = 1.0;
                } else {
                    self.since[sku] += 1.0;
                }
            }
        }
        self.next[sku] = self.daily(sku);
    }

    /// The forecast of the next day's demand of `sku`.
    #[inline]
    pub fn daily(&self, sku: usize) -> f64 {
        match self.method {
            Method::Ses { .. } => self.level[sku],
            Method::Holt { .. } => (self.level[sku] + self.slope[sku]).max(0.0),
            Method::Croston { alpha, sba } => {
                let rate = self.level[sku] / self.slope[sku];
                if sba { rate * (1.0 - alpha / 2.0) } else { rate }
            }
        }
    }

    /// The forecast of `sku`'s demand over the next `days` days.
    #[inline]
    pub fn over(&self, sku: usize, days: f64) -> f64 {
        match self.method {
            Method::Holt { .. } => (days * self.level[sku] + self.slope[sku] * days * (days + 1.0) / 2.0).max(0.0),
            _ => days * self.daily(sku),
        }
    }

    /// Standard deviation of `sku`'s one-day forecast error.
    #[inline]
    pub fn error_sd(&self, sku: usize) -> f64 {
        self.error_variance[sku].sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn ses_follows_the_hand_worked_recursion() {
        // μ = 10, α = 0.2; demands 14, 6.
        // ℓ: 10 → 10 + 0.2·4 = 10.8 → 10.8 + 0.2·(6 − 10.8) = 9.84.
        // errors: 4, −4.8; v: 10 → 10 + 0.1(16 − 10) = 10.6 → 10.6 + 0.1(23.04 − 10.6) = 11.844.
        let mut f = Forecasts::new(Method::Ses { alpha: 0.2 }, &[10.0]);
        f.observe(0, 14.0);
        f.observe(0, 6.0);
        assert!(close(f.daily(0), 9.84));
        assert!(close(f.over(0, 3.0), 29.52));
        assert!(close(f.error_sd(0), 11.844f64.sqrt()));
    }

    #[test]
    fn holt_follows_the_hand_worked_recursion() {
        // μ = 10, α = 0.5, β = 0.4; demand 14.
        // ℓ' = 0.5·14 + 0.5·(10 + 0) = 12; b = 0.4·2 + 0.6·0 = 0.8.
        // Then demand 16: ℓ' = 8 + 0.5·12.8 = 14.4; b = 0.4·2.4 + 0.6·0.8 = 1.44.
        let mut f = Forecasts::new(Method::Holt { alpha: 0.5, beta: 0.4 }, &[10.0]);
        f.observe(0, 14.0);
        assert!(close(f.daily(0), 12.8));
        f.observe(0, 16.0);
        assert!(close(f.daily(0), 15.84));
        // Over 3 days: 3·14.4 + 1.44·6 = 51.84.
        assert!(close(f.over(0, 3.0), 51.84));
    }

    #[test]
    fn croston_and_sba_follow_the_hand_worked_recursion() {
        // μ = 2, α = 0.1; demands 0, 0, 5 (interval 3), 4 (interval 1).
        // z: 2 → 2.3 → 2.47; p: 1 → 1.2 → 1.18. Forecast 2.47 / 1.18.
        let mut croston = Forecasts::new(Method::Croston { alpha: 0.1, sba: false }, &[2.0]);
        let mut sba = Forecasts::new(Method::Croston { alpha: 0.1, sba: true }, &[2.0]);
        for d in [0.0, 0.0, 5.0, 4.0] {
            croston.observe(0, d);
            sba.observe(0, d);
        }
        assert!(close(croston.daily(0), 2.47 / 1.18));
        assert!(close(sba.daily(0), 2.47 / 1.18 * 0.95));
    }

    #[test]
    fn a_days_without_demand_do_not_move_crostons_forecast() {
        let mut f = Forecasts::new(Method::Croston { alpha: 0.3, sba: false }, &[1.5]);
        let before = f.daily(0);
        f.observe(0, 0.0);
        f.observe(0, 0.0);
        assert!(close(f.daily(0), before));
    }
}

//! Replication statistics.
//!
//! # Definitions
//!
//! For the `n` defined (non-NaN) values of a metric across replications:
//! * `mean` — arithmetic mean, summed in replication order;
//! * `sd` — sample standard deviation (divisor `n − 1`);
//! * `ci95` — `mean ± t(0.975, n − 1) · sd / √n`, Student t quantile from
//!   statrs.
//!
//! With fewer than two values, `sd` and `ci95` are undefined (NaN, `null`
//! in JSON, `—` in tables): one replication says nothing about the spread,
//! so no interval is shown and no comparison is significant.
//!
//! A paired comparison of strategy B against A on one metric applies the
//! same to the per-replication differences `B_r − A_r` (common random
//! numbers make them far less noisy than the difference of two means). It is
//! *significant* when its interval excludes zero.
//!
//! Without common random numbers (e.g. a baseline recorded with another
//! seed) the difference of two means is estimated unpaired, by Welch:
//! `mean_b − mean_a ± t(0.975, ν) · √(sd_a²/n_a + sd_b²/n_b)` with the
//! Welch–Satterthwaite degrees of freedom ν.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, spread and 95% interval of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// 95% confidence interval of the mean.
    pub ci95: [f64; 2],
    /// Defined values used.
    pub n: usize,
    /// Degrees of freedom of the interval (`n − 1`, or Welch's; NaN when
    /// the interval is degenerate). Not written to outputs.
    #[serde(skip)]
    pub df: f64,
}

/// The two-sided 95% Student t quantile for `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    t_quantile(df as f64)
}

fn t_quantile(df: f64) -> f64 {
    t_quantile_at(df, 0.975)
}

/// The Student t quantile at probability `p` for `df` degrees of freedom.
pub(crate) fn t_quantile_at(df: f64, p: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(p)
}

impl Estimate {
    /// The interval widened (or narrowed) to two-sided confidence
    /// `1 − alpha`, from the same degrees of freedom.
    pub fn interval_at(&self, alpha: f64) -> [f64; 2] {
        if !self.df.is_finite() || self.df <= 0.0 {
            return self.ci95;
        }
        let half =
            (self.ci95[1] - self.ci95[0]) / 2.0 * t_quantile_at(self.df, 1.0 - alpha / 2.0) / t_quantile(self.df);
        [self.mean - half, self.mean + half]
    }
}

impl Estimate {
    /// Estimates from `values`, skipping NaN. All fields are NaN when no
    /// value is defined.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let defined: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        let n = defined.len();
        if n == 0 {
            return Self { mean: f64::NAN, sd: f64::NAN, ci95: [f64::NAN; 2], n, df: f64::NAN };
        }
        let mean = defined.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Self { mean, sd: f64::NAN, ci95: [f64::NAN; 2], n, df: f64::NAN };
        }
        let variance = defined.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = variance.sqrt();
        let half = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
        Self { mean, sd, ci95: [mean - half, mean + half], n, df: (n - 1) as f64 }
    }

    /// Paired differences `b[r] − a[r]` over replications where both are
    /// defined.
    pub fn paired(a: &[f64], b: &[f64]) -> Self {
        Self::of(a.iter().zip(b).map(|(a, b)| b - a))
    }

    /// Unpaired difference `mean(b) − mean(a)` with Welch's interval (the
    /// sd field is the standard error; `n` the smaller sample). NaN when
    /// either side has no defined value.
    pub fn welch(a: &[f64], b: &[f64]) -> Self {
        let (ea, eb) = (Self::of(a.iter().copied()), Self::of(b.iter().copied()));
        let n = ea.n.min(eb.n);
        let mean = eb.mean - ea.mean;
        if n == 0 {
            return Self { mean: f64::NAN, sd: f64::NAN, ci95: [f64::NAN; 2], n, df: f64::NAN };
        }
        let (va, vb) = (ea.sd * ea.sd / ea.n as f64, eb.sd * eb.sd / eb.n as f64);
        let se = (va + vb).sqrt();
        if ea.n < 2 || eb.n < 2 {
            return Self { mean, sd: f64::NAN, ci95: [f64::NAN; 2], n, df: f64::NAN };
        }
        if se == 0.0 {
            return Self { mean, sd: se, ci95: [mean, mean], n, df: f64::NAN };
        }
        let df = (va + vb).powi(2) / (va * va / (ea.n - 1) as f64 + vb * vb / (eb.n - 1) as f64);
        let half = t_quantile(df) * se;
        Self { mean, sd: se, ci95: [mean - half, mean + half], n, df }
    }

    /// Does the interval exclude zero? Never when it is undefined (fewer
    /// than two values).
    pub fn excludes_zero(&self) -> bool {
        self.n >= 2 && (self.ci95[0] > 0.0 || self.ci95[1] < 0.0)
    }

    /// Half the width of the 95% interval (NaN when undefined).
    pub fn half_width(&self) -> f64 {
        (self.ci95[1] - self.ci95[0]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_matches_a_hand_computed_t_interval() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd √(32/7) = 2.13809;
        // t(0.975, 7) = 2.364624; half-width = 2.364624 · 2.138090 / √8 = 1.787488.
        let e = Estimate::of([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(e.n, 8);
        assert!((e.mean - 5.0).abs() < 1e-12);
        assert!((e.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((e.ci95[0] - (5.0 - 1.787488)).abs() < 1e-5, "{:?}", e.ci95);
        assert!((e.ci95[1] - (5.0 + 1.787488)).abs() < 1e-5);
    }

    #[test]
    fn welch_interval_matches_a_hand_computation() {
        // a: mean 2, var 1 (n 3); b: mean 5, var 4 (n 3). se² = 1/3 + 4/3 = 5/3.
        // ν = (5/3)² / ((1/3)²/2 + (4/3)²/2) = (25/9) / (17/18) = 50/17.
        let d = Estimate::welch(&[1.0, 2.0, 3.0], &[3.0, 5.0, 7.0]);
        assert_eq!(d.mean, 3.0);
        let se = (5.0f64 / 3.0).sqrt();
        let half = StudentsT::new(0.0, 1.0, 50.0 / 17.0).unwrap().inverse_cdf(0.975) * se;
        assert!((d.ci95[1] - (3.0 + half)).abs() < 1e-12 && (d.ci95[0] - (3.0 - half)).abs() < 1e-12);
    }

    #[test]
    fn one_replication_has_no_interval_and_is_never_significant() {
        let e = Estimate::of([f64::NAN, 3.0]);
        assert_eq!((e.n, e.mean), (1, 3.0));
        assert!(e.sd.is_nan() && e.ci95[0].is_nan() && e.ci95[1].is_nan());
        assert!(Estimate::of([f64::NAN]).mean.is_nan());
        let d = Estimate::paired(&[1.0], &[5.0]);
        assert_eq!(d.mean, 4.0);
        assert!(!d.excludes_zero(), "a single paired difference is not significant");
        assert!(!Estimate::welch(&[1.0], &[5.0, 6.0]).excludes_zero());
    }

    #[test]
    fn paired_interval_is_narrower_than_unpaired_under_common_noise() {
        // Both strategies share a large common noise term per replication.
        let noise = [10.0, -8.0, 3.0, 12.0, -5.0, 0.5, 7.0, -11.0];
        let a: Vec<f64> = noise.iter().map(|n| 50.0 + n).collect();
        let b: Vec<f64> =
            noise.iter().zip([1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.05, 0.95]).map(|(n, d)| 50.0 + n + d).collect();
        let paired = Estimate::paired(&a, &b);
        let (ea, eb) = (Estimate::of(a.iter().copied()), Estimate::of(b.iter().copied()));
        let unpaired_half = t_quantile_975(14) * ((ea.sd.powi(2) + eb.sd.powi(2)) / 8.0).sqrt();
        assert!(paired.excludes_zero());
        assert!(paired.ci95[1] - paired.mean < unpaired_half / 10.0);
    }
}

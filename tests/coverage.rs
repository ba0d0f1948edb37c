//! Honest intervals: the 95% confidence interval Echelon reports for a
//! metric must contain the true value in about 95% of studies.
//!
//! Golden case C01 (periodic base stock S = 15, Poisson(4) demand, lead
//! time 2, backorders) has exact fill rate and mean on-hand. 400 independent
//! short studies of 10 replications each (replications 10k..10k+9 of one
//! seed: every replication has its own random streams, so the blocks are
//! independent studies) each give a Student-t interval per metric; the share
//! of intervals holding the exact value must lie within 92–98% (the binomial
//! standard error at 400 studies is 1.1 points).

mod common;

use echelon::reports::stats::Estimate;
use echelon::sim::metrics::metric_index;

const STUDIES: usize = 400;
const REPLICATIONS_PER_STUDY: usize = 10;

#[test]
fn intervals_cover_the_exact_golden_value_about_95_percent_of_the_time() {
    let text = common::single_location(
        "Poisson(mean: 4.0)",
        "Constant(days: 2.0)",
        "Backorder",
        r#"(name: "base-stock", replenishment: PeriodicReview(review_period_days: 1, order_up_to: Units(15)))"#,
        &format!(
            "(horizon_days: 120, warmup_days: 20, replications: {}, seed: 424242)",
            STUDIES * REPLICATIONS_PER_STUDY
        ),
    );
    let outcome = common::run(&common::scenario_from_text("c01-coverage.ron", &text), 2);
    for (key, exact) in [("fill_rate", 0.903162589818), ("on_hand_end_mean", 3.40194039911)] {
        let m = metric_index(key).unwrap();
        let values: Vec<f64> = outcome.records.iter().map(|r| r.network[m]).collect();
        assert_eq!(values.len(), STUDIES * REPLICATIONS_PER_STUDY);
        let covered = values
            .chunks(REPLICATIONS_PER_STUDY)
            .filter(|study| {
                let e = Estimate::of(study.iter().copied());
                e.ci95[0] <= exact && exact <= e.ci95[1]
            })
            .count();
        let share = covered as f64 / STUDIES as f64;
        assert!((0.92..=0.98).contains(&share), "{key}: {covered} of {STUDIES} intervals hold {exact} ({share:.3})");
    }
}

//! The bundled resilience scenario: the fallback decides on exactly the
//! outage and stale-data days, scarce stock goes to the top tier, and the
//! planners' queue shows in purchase-order latency.

mod common;

use echelon::sim::metrics::{CLASS_METRICS, metric_index};

#[test]
fn resilience_fallback_switches_at_every_window_serves_contracts_first_and_waits_for_approvals() {
    let outcome = common::run(&common::bundled("scenarios/resilience-fallback.ron"), 2);
    common::assert_conservation(&outcome);
    let metric = |key: &str| metric_index(key).unwrap();
    let class_metric = |key: &str| CLASS_METRICS.iter().position(|m| m.key == key).unwrap();
    let (contract, ecommerce) = (0, 1);
    for record in &outcome.records {
        let with_fallback = record.strategy == 1;
        // 5 locations × (10 + 21 forecast-outage days + 14 stale-data days),
        // one switch into each of the 3 windows per location.
        let (days, switches) = if with_fallback { (225.0, 15.0) } else { (0.0, 0.0) };
        assert_eq!(record.network[metric("fallback_days")], days, "strategy {}", record.strategy);
        assert_eq!(record.network[metric("fallback_switches")], switches);
        let fill = |class: usize| record.classes[class][class_metric("fill_rate")];
        assert!(fill(contract) > fill(ecommerce), "strict priority: {} vs {}", fill(contract), fill(ecommerce));
        assert!(record.network[metric("po_latency_max_min")] > 0.0, "some orders waited for approval");
    }
}

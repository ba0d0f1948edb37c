//! The result of one run, as reports see it.

use echelon_sim::engine::{EventImpact, WindowImpact};
use echelon_sim::metrics::{ClassValues, LaneValues, MetricValues, SkuValues};

/// Coordinates and metrics of one finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Sweep point index (0 without a sweep).
    pub point: usize,
    /// Strategy index, in scenario order.
    pub strategy: usize,
    /// Replication index.
    pub replication: u32,
    /// Network-wide metrics.
    pub network: MetricValues,
    /// Metrics per node, in model order.
    pub nodes: Vec<MetricValues>,
    /// Impact of each timed disruption, in the order of [`StudyInfo::events`].
    pub events: Vec<EventImpact>,
    /// Impact of each window of a random outage in this run (by outage, in
    /// the order of [`StudyInfo::random_outages`], then in time order).
    pub random_events: Vec<WindowImpact>,
    /// Class metrics per customer class, in the order of [`StudyInfo::classes`].
    pub classes: Vec<ClassValues>,
    /// Lane metrics per lane, in the order of [`StudyInfo::lanes`].
    pub lanes: Vec<LaneValues>,
    /// Per-SKU results, in the order of [`StudyInfo::skus`] (empty unless
    /// the scenario asks for them).
    pub skus: Vec<SkuValues>,
    /// Per ABC class (A, B, C), with per-SKU results; else empty.
    pub abc: Vec<SkuValues>,
}

/// What a results set describes, beside its runs. `Default` is the empty
/// study (no strategies, points or runs), for building one field by field.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StudyInfo {
    /// Scenario name.
    pub scenario: String,
    /// Scenario seed.
    pub seed: u64,
    /// Days per run.
    pub horizon_days: u32,
    /// Warm-up days.
    pub warmup_days: u32,
    /// Replications per (point, strategy).
    pub replications: u32,
    /// Strategy names in order.
    pub strategies: Vec<String>,
    /// Node ids in order.
    pub nodes: Vec<String>,
    /// Parameters of each sweep point (path, value), in point order.
    pub points: Vec<Vec<(String, f64)>>,
    /// Names of the timed disruptions whose impact each run reports.
    #[serde(default)]
    pub events: Vec<String>,
    /// Names of the random outages whose windows each run reports.
    #[serde(default)]
    pub random_outages: Vec<String>,
    /// Names of the customer classes each run reports on.
    #[serde(default)]
    pub classes: Vec<String>,
    /// Ids of the lanes each run reports on (`<from>-><to>`, model order).
    #[serde(default)]
    pub lanes: Vec<String>,
    /// (location id, SKU id) of every SKU-location each run reports on:
    /// empty unless the scenario asks for per-SKU results
    /// (`scorecard: (per_sku: true)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<(String, String)>,
}

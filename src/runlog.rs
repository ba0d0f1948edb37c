//! `runs.jsonl`: the durable, append-only log of finished runs.
//!
//! # Contract
//!
//! The first line is a [`Header`] naming the study (scenario, digest of the
//! scenario text, seed, replications, strategies, nodes, points, shard) and
//! what wrote it: the log format, the binary's version, the metric-set
//! version and the metric keys of every scope (`metrics`: network and
//! location; `class_metrics`; `event_metrics`: each disruption's figures;
//! a log without `event_metrics`, from before they were named, is read
//! too). Each further line is one finished run,
//! appended and flushed as soon as the run completes, so an interrupted
//! study loses only the runs in flight. When a study finishes, the log is
//! rewritten atomically in (point, strategy, replication) order, so a
//! finished log is deterministic and equals the merge of its shards. Floats
//! round-trip exactly (shortest representation); undefined values are
//! `null`.
//!
//! # Trust
//!
//! Every line, the header included, ends with `"crc":"xxxxxxxx"`: the
//! CRC-32 (IEEE, `crc32fast`) of the line's JSON without that field, so a
//! line changed by hand or by a stray writer is refused, naming its line.
//! [`read`] then checks every run against the header before anything uses
//! it: coordinates in range (and in the header's shard), one metric vector
//! per node, one impact per timed disruption, one class vector per class.
//! A run logged twice with the same values (a resume after a crash between
//! a write and its bookkeeping) is kept once; twice with different values
//! is an error naming both lines. A last line without its newline (a write
//! cut short) is ignored.
//!
//! A log is accepted only when its format and metric set equal this
//! binary's (the keys too): anything else would mix runs measured
//! differently. A different binary version with the same format and metric
//! set is accepted: the engine's results are pinned by the metric set and
//! the golden cases, not by the version string.

use echelon_reports::record::{RunRecord, StudyInfo};
use echelon_reports::summary::METRIC_SET_VERSION;
use echelon_sim::engine::{EventImpact, WindowImpact};
use echelon_sim::metrics::{
    CLASS_METRICS, ClassValues, LANE_METRICS, LaneValues, METRICS, MetricValues, SKU_METRICS, SkuValues,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Version of the log format (2: checksummed lines, versioned header).
pub const FORMAT: u32 = 2;

/// The first line of a run log: the study it belongs to, flattened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Log format version.
    pub echelon_run_log: u32,
    /// Version of the binary that started the log.
    #[serde(default)]
    pub echelon_version: String,
    /// Metric-set version of the binary that started the log.
    #[serde(default)]
    pub metric_set: u32,
    /// Network and node metric keys, in log order.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Class metric keys, in log order.
    #[serde(default)]
    pub class_metrics: Vec<String>,
    /// Figures of each disruption (timed event or random-outage window), in
    /// log order. With `metrics` (network and location scopes) and
    /// `class_metrics`, the header names every metric key of every scope
    /// of `runs.parquet` ([`crate::tidy`]).
    #[serde(default)]
    pub event_metrics: Vec<String>,
    /// Lane metric keys (the `lane` scope).
    #[serde(default)]
    pub lane_metrics: Vec<String>,
    /// SKU metric keys (the `skus` and `abc` scopes), when the study keeps
    /// per-SKU results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sku_metrics: Vec<String>,
    /// FNV-1a 64 digest of the scenario text, hex.
    pub scenario_digest: String,
    /// `i/n` when the study is a shard.
    pub shard: Option<String>,
    /// The study.
    #[serde(flatten)]
    pub study: StudyInfo,
}

impl Header {
    /// The header of `study` for a scenario text `source`.
    pub fn new(study: &StudyInfo, source: &str, shard: Option<String>) -> Self {
        Self {
            echelon_run_log: FORMAT,
            echelon_version: env!("CARGO_PKG_VERSION").to_string(),
            metric_set: METRIC_SET_VERSION,
            metrics: METRICS.iter().map(|m| m.key.to_string()).collect(),
            class_metrics: CLASS_METRICS.iter().map(|m| m.key.to_string()).collect(),
            lane_metrics: LANE_METRICS.iter().map(|m| m.key.to_string()).collect(),
            event_metrics: crate::tidy::EVENT_METRICS.iter().map(|m| m.to_string()).collect(),
            sku_metrics: if study.skus.is_empty() {
                Vec::new()
            } else {
                SKU_METRICS.iter().map(|m| m.key.to_string()).collect()
            },
            scenario_digest: digest(source),
            shard,
            study: study.clone(),
        }
    }

    /// Why this binary cannot use a log with this header, if it cannot: a
    /// different log format or metric set (a different binary version with
    /// the same ones is fine).
    pub fn incompatibility(&self) -> Option<String> {
        let this = env!("CARGO_PKG_VERSION");
        let by = if self.echelon_version.is_empty() {
            "an older Echelon".to_string()
        } else {
            format!("Echelon {}", self.echelon_version)
        };
        if self.echelon_run_log != FORMAT {
            return Some(format!(
                "written by {by} in run-log format {}; Echelon {this} reads format {FORMAT} only",
                self.echelon_run_log
            ));
        }
        let keys_match = self.metrics.iter().map(String::as_str).eq(METRICS.iter().map(|m| m.key))
            && self.class_metrics.iter().map(String::as_str).eq(CLASS_METRICS.iter().map(|m| m.key))
            && self.lane_metrics.iter().map(String::as_str).eq(LANE_METRICS.iter().map(|m| m.key))
            // Logs written before the header named them lack event keys.
            && (self.event_metrics.is_empty() || self.event_metrics.iter().map(String::as_str).eq(crate::tidy::EVENT_METRICS))
            && (self.study.skus.is_empty() || self.sku_metrics.iter().map(String::as_str).eq(SKU_METRICS.iter().map(|m| m.key)));
        if self.metric_set != METRIC_SET_VERSION || !keys_match {
            return Some(format!(
                "written by {by} with metric set {}; Echelon {this} measures metric set {METRIC_SET_VERSION}, \
                 so its runs cannot be mixed or reported with these",
                self.metric_set
            ));
        }
        None
    }

    /// The number of runs in the whole study.
    pub fn study_runs(&self) -> usize {
        let s = &self.study;
        s.points.len() * s.strategies.len() * s.replications as usize
    }

    /// The run number of a coordinate (see [`crate::study`]).
    pub fn run_index(&self, point: usize, strategy: usize, replication: u32) -> usize {
        let s = &self.study;
        (point * s.strategies.len() + strategy) * s.replications as usize + replication as usize
    }

    /// The shard `(i, n)` the header names, if any and well-formed.
    pub fn shard_slice(&self) -> Option<(usize, usize)> {
        let (i, n) = self.shard.as_deref()?.split_once('/')?;
        let (i, n) = (i.parse().ok()?, n.parse().ok()?);
        (n > 0 && i < n).then_some((i, n))
    }

    /// Do two headers describe the same study (shards aside)?
    pub fn same_study(&self, other: &Header) -> bool {
        self.difference(other).is_none()
    }

    /// What makes `other` another study than this one, in words, the first
    /// difference only (`replications 3 vs 20`); `None` for the same study
    /// (shards aside).
    pub fn difference(&self, other: &Header) -> Option<String> {
        let (a, b) = (&self.study, &other.study);
        if self.echelon_run_log != other.echelon_run_log {
            return Some(format!("run-log format {} vs {}", self.echelon_run_log, other.echelon_run_log));
        }
        if a.scenario != b.scenario || self.scenario_digest != other.scenario_digest {
            return Some(format!(
                "scenario \"{}\" (digest {}) vs \"{}\" (digest {})",
                a.scenario, self.scenario_digest, b.scenario, other.scenario_digest
            ));
        }
        let numbers = [
            ("seed", a.seed, b.seed),
            ("replications", a.replications.into(), b.replications.into()),
            ("horizon_days", a.horizon_days.into(), b.horizon_days.into()),
            ("warmup_days", a.warmup_days.into(), b.warmup_days.into()),
        ];
        if let Some((name, x, y)) = numbers.into_iter().find(|(_, x, y)| x != y) {
            return Some(format!("{name} {x} vs {y}"));
        }
        (a != b).then(|| "strategies, sweep points or the scopes reported".to_string())
    }

    /// The shard for messages: `shard 1/4`, or `the whole study`.
    pub fn shard_text(&self) -> String {
        self.shard.as_deref().map_or_else(|| "the whole study".to_string(), |s| format!("shard {s}"))
    }
}

/// `json` (an object's text) with its checksum field added.
fn sealed(json: &str) -> String {
    debug_assert!(json.ends_with('}'));
    let crc = crc32fast::hash(json.as_bytes());
    format!("{},\"crc\":\"{crc:08x}\"}}\n", &json[..json.len() - 1])
}

/// The JSON of a sealed line without its checksum field, when the
/// checksum is present and right.
fn unseal(line: &str) -> Result<String, &'static str> {
    const FIELD: &str = ",\"crc\":\"";
    let bad = "no checksum (`\"crc\"` field at the end): not a line Echelon wrote, or written by an older Echelon";
    let at = line.rfind(FIELD).ok_or(bad)?;
    let tail = &line[at + FIELD.len()..];
    let hex = tail.strip_suffix("\"}").filter(|h| h.len() == 8).ok_or(bad)?;
    let want = u32::from_str_radix(hex, 16).map_err(|_| bad)?;
    let body = format!("{}}}", &line[..at]);
    if crc32fast::hash(body.as_bytes()) != want {
        return Err("checksum mismatch: the line was changed after Echelon wrote it (or two writers interleaved)");
    }
    Ok(body)
}

/// The header as its log line (with its newline).
pub fn header_line(header: &Header) -> String {
    sealed(&serde_json::to_string(header).expect("plain data"))
}

/// FNV-1a, 64 bit, of `text`, as 16 hex digits.
pub fn digest(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

#[derive(Serialize, Deserialize)]
struct Line {
    point: usize,
    strategy: usize,
    replication: u32,
    network: Vec<Option<f64>>,
    nodes: Vec<Vec<Option<f64>>>,
    /// Per timed disruption: [units short, recovery days, time to impact
    /// days] (logs written before time to impact have two).
    #[serde(default)]
    events: Vec<Vec<Option<f64>>>,
    /// Per window of a random outage: its impact.
    #[serde(default)]
    random_events: Vec<WindowLine>,
    /// Per customer class: its class metrics.
    #[serde(default)]
    classes: Vec<Vec<Option<f64>>>,
    /// Per lane of the header's `lanes`: its lane metrics.
    #[serde(default)]
    lanes: Vec<Vec<Option<f64>>>,
    /// Per SKU-location of the header's `skus`: its SKU metrics (absent
    /// without per-SKU results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    skus: Vec<Vec<Option<f64>>>,
    /// Per ABC class A, B, C: its SKU metrics (absent without per-SKU
    /// results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    abc: Vec<Vec<Option<f64>>>,
}

/// One random-outage window of a run, as logged.
#[derive(Serialize, Deserialize)]
struct WindowLine {
    /// Index of the outage in the header's `random_outages`.
    outage: usize,
    /// Its k-th window in the run (named `<outage>#<window>`).
    window: u32,
    start_day: u32,
    end_day: u32,
    units_short: Option<f64>,
    recovery_days: Option<f64>,
    time_to_impact_days: Option<f64>,
}

fn defined(value: f64) -> Option<f64> {
    (!value.is_nan()).then_some(value)
}

fn to_option(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect()
}

/// Values of a fixed-length vector (metrics or class metrics) read back;
/// `None` when the count is wrong.
fn from_option<const N: usize>(values: &[Option<f64>]) -> Option<[f64; N]> {
    if values.len() != N {
        return None;
    }
    let mut out = [f64::NAN; N];
    for (o, v) in out.iter_mut().zip(values) {
        *o = v.unwrap_or(f64::NAN);
    }
    Some(out)
}

/// One run as a log line (with its newline).
pub fn line(record: &RunRecord) -> String {
    let line = Line {
        point: record.point,
        strategy: record.strategy,
        replication: record.replication,
        network: to_option(&record.network),
        nodes: record.nodes.iter().map(|n| to_option(n)).collect(),
        classes: record.classes.iter().map(|c| to_option(c)).collect(),
        lanes: record.lanes.iter().map(|l| to_option(l)).collect(),
        skus: record.skus.iter().map(|v| to_option(v)).collect(),
        abc: record.abc.iter().map(|v| to_option(v)).collect(),
        events: record
            .events
            .iter()
            .map(|e| vec![defined(e.units_short), defined(e.recovery_days), defined(e.time_to_impact_days)])
            .collect(),
        random_events: record
            .random_events
            .iter()
            .map(|w| WindowLine {
                outage: w.outage,
                window: w.window,
                start_day: w.start_day,
                end_day: w.end_day,
                units_short: defined(w.impact.units_short),
                recovery_days: defined(w.impact.recovery_days),
                time_to_impact_days: defined(w.impact.time_to_impact_days),
            })
            .collect(),
    };
    sealed(&serde_json::to_string(&line).expect("plain data"))
}

/// A log read back: its header and the runs whose lines are whole.
#[derive(Debug, Clone)]
pub struct Log {
    /// The study.
    pub header: Header,
    /// Finished runs, in file order.
    pub records: Vec<RunRecord>,
}

/// Reads the log at `path` and checks it (see the module's "Trust"). A
/// last line without its newline (a write cut short) is ignored; any other
/// bad line is an error naming its line.
pub fn read(path: &Path) -> Result<Log, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    let mut lines = complete.lines().enumerate();
    let (_, first) = lines.next().ok_or_else(|| {
        if text.is_empty() {
            format!("{}: empty run log (no header line)", path.display())
        } else {
            format!(
                "{}: the run log's header line is cut short (no newline after its {} bytes): \
                 the study wrote nothing usable; run it again with --force",
                path.display(),
                text.len()
            )
        }
    })?;
    let not_header = |why: &str| format!("{}:1: not an Echelon run log header: {why}", path.display());
    let header: Header = match unseal(first) {
        Ok(body) => serde_json::from_str(&body).map_err(|e| not_header(&e.to_string()))?,
        Err(why) => {
            // An older log has no checksum: say which version wrote it.
            return Err(match serde_json::from_str::<Header>(first) {
                Ok(old) => incompatible(path, &old),
                Err(_) => not_header(why),
            });
        }
    };
    if header.incompatibility().is_some() {
        return Err(incompatible(path, &header));
    }
    let shard = header.shard_slice();
    if header.shard.is_some() && shard.is_none() {
        return Err(not_header(&format!("shard {:?} is not i/n with 0 ≤ i < n", header.shard)));
    }
    let info = &header.study;
    let mut records: Vec<RunRecord> = Vec::new();
    // Where each run was first seen: its line number and its index in `records`.
    let mut seen: HashMap<(usize, usize, u32), (usize, usize)> = HashMap::new();
    for (i, text) in lines {
        let bad = |why: &str| format!("{}:{}: {why}", path.display(), i + 1);
        let body = unseal(text).map_err(bad)?;
        let line: Line = serde_json::from_str(&body).map_err(|e| bad(&format!("malformed run line: {e}")))?;
        let range = |what: &str, value: String, count: usize| {
            bad(&format!("{what} {value} is out of range: the study has {count} (the log was edited?)"))
        };
        if line.point >= info.points.len() {
            return Err(range("point", line.point.to_string(), info.points.len()));
        }
        if line.strategy >= info.strategies.len() {
            return Err(range("strategy", line.strategy.to_string(), info.strategies.len()));
        }
        if line.replication >= info.replications {
            return Err(range("replication", line.replication.to_string(), info.replications as usize));
        }
        if let Some((s, n)) = shard {
            if header.run_index(line.point, line.strategy, line.replication) % n != s {
                return Err(bad(&format!("this run does not belong to shard {s}/{n}")));
            }
        }
        let count = |what: &str, got: usize, want: usize| {
            bad(&format!("{got} {what}, the study has {want} (the log was edited or belongs elsewhere)"))
        };
        if line.nodes.len() != info.nodes.len() {
            return Err(count("node metric vectors", line.nodes.len(), info.nodes.len()));
        }
        if line.events.len() != info.events.len() {
            return Err(count("event impacts", line.events.len(), info.events.len()));
        }
        if line.classes.len() != info.classes.len() {
            return Err(count("class metric vectors", line.classes.len(), info.classes.len()));
        }
        if line.lanes.len() != info.lanes.len() {
            return Err(count("lane metric vectors", line.lanes.len(), info.lanes.len()));
        }
        if line.skus.len() != info.skus.len() {
            return Err(count("SKU metric vectors", line.skus.len(), info.skus.len()));
        }
        let abc_classes = if info.skus.is_empty() { 0 } else { 3 };
        if line.abc.len() != abc_classes {
            return Err(count("ABC class metric vectors", line.abc.len(), abc_classes));
        }
        if let Some(figures) = line.events.iter().find(|f| f.len() != 3) {
            return Err(count("figures for an event", figures.len(), 3));
        }
        if let Some(w) =
            line.random_events.iter().find(|w| w.outage >= info.random_outages.len() || w.start_day > w.end_day)
        {
            return Err(bad(&format!(
                "random outage window {} of outage {} (days {}..{}) is not one of the study's {} random outages",
                w.window,
                w.outage,
                w.start_day,
                w.end_day,
                info.random_outages.len()
            )));
        }
        let network: MetricValues = from_option(&line.network).ok_or_else(|| bad("wrong number of metrics"))?;
        let nodes = line
            .nodes
            .iter()
            .map(|n| from_option(n))
            .collect::<Option<Vec<MetricValues>>>()
            .ok_or_else(|| bad("wrong number of metrics"))?;
        let classes = line
            .classes
            .iter()
            .map(|c| from_option(c))
            .collect::<Option<Vec<ClassValues>>>()
            .ok_or_else(|| bad("wrong number of class metrics"))?;
        let lanes = line
            .lanes
            .iter()
            .map(|l| from_option(l))
            .collect::<Option<Vec<LaneValues>>>()
            .ok_or_else(|| bad("wrong number of lane metrics"))?;
        let sku_values = |lines: &[Vec<Option<f64>>]| {
            lines
                .iter()
                .map(|v| from_option(v))
                .collect::<Option<Vec<SkuValues>>>()
                .ok_or_else(|| bad("wrong number of SKU metrics"))
        };
        let (skus, abc) = (sku_values(&line.skus)?, sku_values(&line.abc)?);
        let record = RunRecord {
            point: line.point,
            strategy: line.strategy,
            replication: line.replication,
            network,
            nodes,
            events: line
                .events
                .iter()
                .map(|figures| {
                    let at = |k: usize| figures.get(k).copied().flatten().unwrap_or(f64::NAN);
                    EventImpact { units_short: at(0), recovery_days: at(1), time_to_impact_days: at(2) }
                })
                .collect(),
            random_events: line
                .random_events
                .iter()
                .map(|w| WindowImpact {
                    outage: w.outage,
                    window: w.window,
                    start_day: w.start_day,
                    end_day: w.end_day,
                    impact: EventImpact {
                        units_short: w.units_short.unwrap_or(f64::NAN),
                        recovery_days: w.recovery_days.unwrap_or(f64::NAN),
                        time_to_impact_days: w.time_to_impact_days.unwrap_or(f64::NAN),
                    },
                })
                .collect(),
            classes,
            lanes,
            skus,
            abc,
        };
        let key = (record.point, record.strategy, record.replication);
        match seen.get(&key) {
            Some(&(first_line, at)) => {
                if !same_values(&records[at], &record) {
                    return Err(bad(&format!(
                        "point {}, strategy {}, replication {} is also at line {first_line} with different values; \
                         the log was edited or two writers shared it, so neither can be trusted: \
                         rerun the study (`--force`)",
                        key.0, key.1, key.2
                    )));
                }
            }
            None => {
                seen.insert(key, (i + 1, records.len()));
                records.push(record);
            }
        }
    }
    Ok(Log { header, records })
}

fn incompatible(path: &Path, header: &Header) -> String {
    format!(
        "{}: {}; rerun the study with this Echelon (`run … --force` replaces the old results)",
        path.display(),
        header.incompatibility().unwrap_or_else(|| "an incompatible run log".into())
    )
}

/// Are two records of the same run equal, bit for bit (NaN equals NaN)?
pub fn same_values(a: &RunRecord, b: &RunRecord) -> bool {
    line(a) == line(b)
}

/// An append-only log being written during a study.
pub struct Appender {
    file: std::fs::File,
}

impl Appender {
    /// Opens `path` for appending, writing `header` first when the file is
    /// new or cutting a half-written last line when it is resumed.
    pub fn open(path: &Path, header: &Header, resume: bool) -> std::io::Result<Self> {
        // Never through a symbolic link (see `output::refuse_links`).
        let open = |options: &mut std::fs::OpenOptions| crate::output::open_no_follow(options, path);
        if resume && path.exists() {
            let text = std::fs::read(path)?;
            let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let file = open(std::fs::OpenOptions::new().write(true))?;
            file.set_len(keep as u64)?;
            drop(file);
            let file = open(std::fs::OpenOptions::new().append(true))?;
            return Ok(Self { file });
        }
        let mut file = open(std::fs::OpenOptions::new().write(true).create(true).truncate(true))?;
        file.write_all(header_line(header).as_bytes())?;
        file.sync_data()?;
        Ok(Self { file })
    }

    /// Appends one finished run and flushes it to disk.
    pub fn append(&mut self, record: &RunRecord) -> std::io::Result<()> {
        self.file.write_all(line(record).as_bytes())?;
        self.file.sync_data()
    }
}

/// The whole log text of a finished study, in coordinate order.
pub fn finished_text(header: &Header, records: &[RunRecord]) -> String {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    let mut text = header_line(header);
    for r in sorted {
        text += &line(r);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::metrics::METRIC_COUNT;

    fn record(replication: u32) -> RunRecord {
        let mut network = [0.1 * f64::from(replication) + 1.0 / 3.0; METRIC_COUNT];
        network[2] = f64::NAN;
        let events = vec![EventImpact { units_short: 12.0, recovery_days: f64::NAN, time_to_impact_days: 3.0 }];
        let random_events = vec![WindowImpact {
            outage: 0,
            window: 1,
            start_day: 4,
            end_day: 6,
            impact: EventImpact { units_short: 0.0, recovery_days: 0.0, time_to_impact_days: f64::NAN },
        }];
        let classes = vec![[0.5, f64::NAN, 2.0, 0.25, 1.0, 3.5, 0.0, 12.0, 0.75, 0.5]];
        RunRecord {
            point: 0,
            strategy: 1,
            replication,
            network,
            nodes: vec![network],
            events,
            random_events,
            classes,
            lanes: vec![[1.5, f64::NAN, 0.25]],
            skus: Vec::new(),
            abc: Vec::new(),
        }
    }

    fn header() -> Header {
        let info = StudyInfo {
            scenario: "s".into(),
            seed: 1,
            horizon_days: 10,
            warmup_days: 1,
            replications: 3,
            strategies: vec!["a".into(), "b".into()],
            nodes: vec!["n".into()],
            points: vec![vec![]],
            events: vec!["outage".into()],
            random_outages: vec!["flaky".into()],
            classes: vec!["retail".into()],
            lanes: vec!["maker->n".into()],
            skus: Vec::new(),
        };
        Header::new(&info, "text", None)
    }

    #[test]
    fn a_log_cut_mid_line_reads_back_its_whole_lines_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.jsonl");
        let mut log = Appender::open(&path, &header(), false).unwrap();
        log.append(&record(0)).unwrap();
        log.append(&record(1)).unwrap();
        drop(log);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text += &line(&record(2))[..20];
        std::fs::write(&path, &text).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.header, header());
        assert_eq!(back.records.len(), 2);
        for (got, want) in back.records.iter().zip([record(0), record(1)]) {
            assert_eq!(got.network.map(f64::to_bits), want.network.map(f64::to_bits));
            assert_eq!(line(got), line(&want), "events and random-outage windows read back");
        }
        // Resuming cuts the half line before appending.
        let mut log = Appender::open(&path, &header(), true).unwrap();
        log.append(&record(2)).unwrap();
        assert_eq!(read(&path).unwrap().records.len(), 3);
    }

    #[test]
    fn a_log_whose_header_line_is_cut_short_says_so_not_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.jsonl");
        std::fs::write(&path, &header_line(&header())[..40]).unwrap();
        let message = read(&path).unwrap_err();
        assert!(message.contains("header line is cut short") && message.contains("--force"), "{message}");
        std::fs::write(&path, "").unwrap();
        assert!(read(&path).unwrap_err().contains("empty run log"));
    }

    #[test]
    fn digests_differ_for_different_texts() {
        assert_ne!(digest("a"), digest("b"));
        assert_eq!(digest(""), "cbf29ce484222325");
    }
}

//! `runs.jsonl`: the durable, append-only log of finished runs.
//!
//! # Contract
//!
//! The first line is a [`Header`] naming the study (scenario, digest of the
//! scenario text, seed, replications, strategies, nodes, points, shard).
//! Each further line is one finished run, appended and flushed as soon as the
//! run completes, so an interrupted study loses only the runs in flight.
//! Reading tolerates a half-written last line (it is ignored). When a study
//! finishes, the log is rewritten atomically in (point, strategy,
//! replication) order, so a finished log is deterministic and equals the
//! merge of its shards. Floats round-trip exactly (shortest representation);
//! undefined values are `null`.

use echelon_reports::record::{RunRecord, StudyInfo};
use echelon_sim::engine::{EventImpact, WindowImpact};
use echelon_sim::metrics::{ClassValues, MetricValues};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Version of the log format.
pub const FORMAT: u32 = 1;

/// The first line of a run log: the study it belongs to, flattened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Log format version.
    pub echelon_run_log: u32,
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
        Self { echelon_run_log: FORMAT, scenario_digest: digest(source), shard, study: study.clone() }
    }

    /// Do two headers describe the same study (shards aside)?
    pub fn same_study(&self, other: &Header) -> bool {
        self.echelon_run_log == other.echelon_run_log
            && self.scenario_digest == other.scenario_digest
            && self.study == other.study
    }
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
    serde_json::to_string(&line).expect("plain data") + "\n"
}

/// A log read back: its header and the runs whose lines are whole.
#[derive(Debug, Clone)]
pub struct Log {
    /// The study.
    pub header: Header,
    /// Finished runs, in file order.
    pub records: Vec<RunRecord>,
}

/// Reads the log at `path`. A last line without its newline (a write cut
/// short) is ignored; any other malformed line is an error naming its line.
pub fn read(path: &Path) -> Result<Log, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    let mut lines = complete.lines().enumerate();
    let (_, first) = lines.next().ok_or_else(|| format!("{}: empty run log (no header line)", path.display()))?;
    let header: Header =
        serde_json::from_str(first).map_err(|e| format!("{}:1: not an echelon run log header: {e}", path.display()))?;
    let mut records = Vec::new();
    for (i, text) in lines {
        let bad = |why: &str| format!("{}:{}: {why}", path.display(), i + 1);
        let line: Line = serde_json::from_str(text).map_err(|e| bad(&format!("malformed run line: {e}")))?;
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
        records.push(RunRecord {
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
        });
    }
    Ok(Log { header, records })
}

/// An append-only log being written during a study.
pub struct Appender {
    file: std::fs::File,
}

impl Appender {
    /// Opens `path` for appending, writing `header` first when the file is
    /// new or cutting a half-written last line when it is resumed.
    pub fn open(path: &Path, header: &Header, resume: bool) -> std::io::Result<Self> {
        if resume && path.exists() {
            let text = std::fs::read(path)?;
            let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            file.set_len(keep as u64)?;
            drop(file);
            let file = std::fs::OpenOptions::new().append(true).open(path)?;
            return Ok(Self { file });
        }
        let mut file = std::fs::File::create(path)?;
        file.write_all((serde_json::to_string(header).expect("plain data") + "\n").as_bytes())?;
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
    let mut text = serde_json::to_string(header).expect("plain data") + "\n";
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
        let classes = vec![[0.5, f64::NAN, 2.0, 0.25, 1.0, 3.5, 0.0, 12.0]];
        RunRecord { point: 0, strategy: 1, replication, network, nodes: vec![network], events, random_events, classes }
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
    fn digests_differ_for_different_texts() {
        assert_ne!(digest("a"), digest("b"));
        assert_eq!(digest(""), "cbf29ce484222325");
    }
}

//! Result files: written atomically (temporary file in the same directory,
//! then rename), so a crash or an interrupt never leaves a half-written
//! result file.

use crate::runlog::{self, Header};
use crate::runner::Timing;
use echelon_reports::charts::Chart;
use echelon_reports::html::{self, Page};
use echelon_reports::record::RunRecord;
use echelon_reports::representative::Representative;
use echelon_reports::summary::PointStats;
use echelon_reports::{report, runs_csv, summary};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    readable(tmp.as_file())?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Results are for sharing: readable by everyone (a temporary file starts
/// private).
fn readable(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// The default output directory of a scenario: `results/<name>/`.
pub fn default_dir(scenario_name: &str) -> PathBuf {
    let safe: String =
        scenario_name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    Path::new("results").join(safe)
}

/// The rendered result files of a study.
pub struct Rendered {
    /// `runs.jsonl` text, in coordinate order.
    pub runs_jsonl: String,
    /// `summary.json` text.
    pub summary_json: String,
    /// `runs.csv` bytes.
    pub runs_csv: Vec<u8>,
    /// `timing.json` text (absent for merged results).
    pub timing_json: Option<String>,
    /// The statistics behind the summary.
    pub stats: Vec<PointStats>,
    /// `trace.json` text, when the representative runs are known.
    pub trace_json: Option<String>,
    /// The charts and their SVG text.
    pub charts: Vec<(Chart, String)>,
    /// `report.html` text.
    pub report_html: String,
}

/// Renders the result files of a finished study.
pub fn render(
    header: &Header,
    records: &[RunRecord],
    timing: Option<&Timing>,
    representative: Option<&Representative>,
) -> Rendered {
    let info = &header.study;
    let stats = summary::compute(info, records);
    let summary_json = serde_json::to_string_pretty(&summary::to_json(info, &stats)).expect("plain data") + "\n";
    let runs_csv = runs_csv::to_csv(info, records).expect("in-memory CSV");
    let timing_json = timing.map(|t| serde_json::to_string_pretty(t).expect("plain data") + "\n");
    let runs_jsonl = runlog::finished_text(header, records);
    let trace_json = representative.map(|r| serde_json::to_string(r).expect("plain data") + "\n");
    let charts: Vec<(Chart, String)> = report::charts(info, records, &stats, representative)
        .into_iter()
        .map(|c| {
            let svg = c.to_svg();
            (c, svg)
        })
        .collect();
    let note = representative.is_none().then_some(
        "No trace.json in this results directory, so the time-series and decision-latency charts are missing: \
         they draw replication 0 of each strategy, which `echelon run` saves in trace.json.",
    );
    let page = Page {
        info,
        description: representative.map_or("", |r| r.description.as_str()),
        events: representative.map_or(&[], |r| r.events.as_slice()),
        stats: &stats,
        charts: &charts,
        note,
        version: env!("CARGO_PKG_VERSION"),
    };
    let report_html = html::render(&page);
    Rendered { runs_jsonl, summary_json, runs_csv, timing_json, stats, trace_json, charts, report_html }
}

/// Writes the rendered files into `dir`, creating it.
pub fn write_all(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("summary.json"), rendered.summary_json.as_bytes())?;
    write_atomic(&dir.join("runs.csv"), &rendered.runs_csv)?;
    write_atomic(&dir.join("runs.jsonl"), rendered.runs_jsonl.as_bytes())?;
    if let Some(timing) = &rendered.timing_json {
        write_atomic(&dir.join("timing.json"), timing.as_bytes())?;
    }
    if let Some(trace) = &rendered.trace_json {
        write_atomic(&dir.join("trace.json"), trace.as_bytes())?;
    }
    write_report(dir, rendered)
}

/// Writes `report.html` and `charts/*.svg` into `dir`.
pub fn write_report(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)?;
    for (chart, svg) in &rendered.charts {
        write_atomic(&charts.join(format!("{}.svg", chart.file)), svg.as_bytes())?;
    }
    write_atomic(&dir.join("report.html"), rendered.report_html.as_bytes())
}

/// Writes `charts/*.png` into `dir` (each drawn to a temporary file, then
/// renamed).
pub fn write_pngs(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)?;
    for (chart, _) in &rendered.charts {
        let tmp = tempfile::Builder::new().suffix(".png").tempfile_in(&charts)?;
        readable(tmp.as_file())?;
        chart.write_png(tmp.path()).map_err(std::io::Error::other)?;
        tmp.persist(charts.join(format!("{}.png", chart.file))).map_err(|e| e.error)?;
    }
    Ok(())
}

//! Result files: written atomically (temporary file in the same directory,
//! then rename), so a crash or an interrupt never leaves a half-written
//! result file.
//!
//! # Contract
//!
//! * Temporary files are named `.echelon-tmp-*`; a write that fails removes
//!   its own, and one left by a killed process is removed by the next
//!   writer of the directory ([`remove_stale_temporaries`]), which holds
//!   the lock, so no live writer owns it.
//! * Result files are never written through a symbolic link: a rename
//!   replaces a link, never its target, and [`refuse_links`] refuses a
//!   results directory whose result files or `charts/` are links before
//!   anything is written.
//! * One writer per directory: [`DirLock`] holds an exclusive advisory lock
//!   (`flock`, through `fs4`) on `.echelon.lock` for the whole command and
//!   writes its PID there; a second writer is refused with that PID. The
//!   lock is released by the kernel when its holder exits, however it
//!   exits, so a lock file left by a killed process is simply taken over
//!   (and the takeover said). The file itself stays (removing it would let
//!   two writers lock two different files); a clean exit empties it.

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

/// The prefix of every temporary file Echelon writes.
pub const TEMP_PREFIX: &str = ".echelon-tmp-";

/// The lock file of a results directory.
pub const LOCK_FILE: &str = ".echelon.lock";

/// The files `run` and `merge` write at the top of a results directory.
pub const RESULT_FILES: [&str; 10] = [
    "runs.jsonl",
    "summary.json",
    "runs.csv",
    "skus.csv",
    "runs.parquet",
    "runs-long.csv",
    "timing.json",
    "trace.json",
    "report.html",
    EXTRA_CHARTS,
];

/// The charts a results directory's report holds beyond the study's own
/// (e.g. the tuner's frontier in a tune output's `comparison/`), as JSON
/// chart descriptions, so that `echelon report` redraws them too.
pub const EXTRA_CHARTS: &str = "extra-charts.json";

fn temp_in(dir: &Path, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(suffix).tempfile_in(dir)
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = temp_in(dir, "")?;
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
    /// `skus.csv` bytes, when the study keeps per-SKU results.
    pub skus_csv: Option<Vec<u8>>,
    /// `runs.parquet` bytes: the long table of [`crate::tidy`].
    pub runs_parquet: Vec<u8>,
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
    /// The extra charts' descriptions ([`EXTRA_CHARTS`]), when there are any.
    pub extra_json: Option<String>,
}

/// Renders the result files of a finished study.
pub fn render(
    header: &Header,
    records: &[RunRecord],
    timing: Option<&Timing>,
    representative: Option<&Representative>,
) -> Rendered {
    render_with(header, records, timing, representative, Vec::new())
}

/// As [`render`], with `extra` charts after the study's own (e.g. the
/// tuner's cost/service frontier), in `report.html` and `charts/`.
pub fn render_with(
    header: &Header,
    records: &[RunRecord],
    timing: Option<&Timing>,
    representative: Option<&Representative>,
    extra: Vec<Chart>,
) -> Rendered {
    let info = &header.study;
    // Every output is drawn in coordinate order, whatever order the runs
    // finished or were logged in (a resumed study logs them out of order).
    let mut sorted = records.to_vec();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    let records = sorted.as_slice();
    let stats = summary::compute(info, records);
    let summary_json = serde_json::to_string_pretty(&summary::to_json(info, &stats)).expect("plain data") + "\n";
    let runs_csv = runs_csv::to_csv(info, records).expect("in-memory CSV");
    let skus_csv = runs_csv::skus_to_csv(info, records).expect("in-memory CSV");
    let runs_parquet = crate::tidy::to_parquet(info, records).expect("in-memory Parquet");
    let timing_json = timing.map(|t| serde_json::to_string_pretty(t).expect("plain data") + "\n");
    let runs_jsonl = runlog::finished_text(header, records);
    let extra_json = (!extra.is_empty()).then(|| serde_json::to_string(&extra).expect("plain data") + "\n");
    let trace_json = representative.map(|r| serde_json::to_string(r).expect("plain data") + "\n");
    let charts: Vec<(Chart, String)> = report::charts(info, records, &stats, representative)
        .into_iter()
        .chain(extra)
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
        records,
        charts: &charts,
        note,
        version: env!("CARGO_PKG_VERSION"),
    };
    let report_html = html::render(&page);
    Rendered {
        runs_jsonl,
        summary_json,
        runs_csv,
        skus_csv,
        runs_parquet,
        timing_json,
        stats,
        trace_json,
        charts,
        report_html,
        extra_json,
    }
}

/// The result files of [`RESULT_FILES`] present in `dir`.
pub fn results_present(dir: &Path) -> Vec<&'static str> {
    RESULT_FILES.iter().copied().filter(|f| dir.join(f).exists()).collect()
}

/// Removes from `dir` the result files and the charts (`charts/*.svg`,
/// `charts/*.png`) a study wrote, so that no file of the old results sits
/// beside the new ones (a sweep's per-point charts among a single study's).
/// Other files are left alone.
pub fn remove_results(dir: &Path) -> std::io::Result<()> {
    for file in results_present(dir) {
        std::fs::remove_file(dir.join(file))?;
    }
    let charts = match std::fs::read_dir(dir.join("charts")) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in charts {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "svg" || e == "png") {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// Writes the rendered files into `dir`, creating it.
pub fn write_all(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("summary.json"), rendered.summary_json.as_bytes())?;
    write_atomic(&dir.join("runs.csv"), &rendered.runs_csv)?;
    if let Some(skus) = &rendered.skus_csv {
        write_atomic(&dir.join("skus.csv"), skus)?;
    }
    write_atomic(&dir.join("runs.parquet"), &rendered.runs_parquet)?;
    write_atomic(&dir.join("runs.jsonl"), rendered.runs_jsonl.as_bytes())?;
    if let Some(timing) = &rendered.timing_json {
        write_atomic(&dir.join("timing.json"), timing.as_bytes())?;
    }
    if let Some(trace) = &rendered.trace_json {
        write_atomic(&dir.join("trace.json"), trace.as_bytes())?;
    }
    write_report(dir, rendered)
}

/// The extra charts saved in `dir` ([`EXTRA_CHARTS`]), if any.
pub fn read_extra_charts(dir: &Path) -> Result<Vec<Chart>, String> {
    let path = dir.join(EXTRA_CHARTS);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| format!("{}: not a chart file Echelon wrote: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes `report.html`, `charts/*.svg` and the extra charts' descriptions
/// into `dir`.
pub fn write_report(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)?;
    for (chart, svg) in &rendered.charts {
        write_atomic(&charts.join(format!("{}.svg", chart.file)), svg.as_bytes())?;
    }
    if let Some(extra) = &rendered.extra_json {
        write_atomic(&dir.join(EXTRA_CHARTS), extra.as_bytes())?;
    }
    write_atomic(&dir.join("report.html"), rendered.report_html.as_bytes())
}

/// Writes `charts/*.png` into `dir` (each drawn to a temporary file, then
/// renamed).
pub fn write_pngs(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)?;
    for (chart, _) in &rendered.charts {
        let tmp = temp_in(&charts, ".png")?;
        readable(tmp.as_file())?;
        chart.write_png(tmp.path()).map_err(std::io::Error::other)?;
        tmp.persist(charts.join(format!("{}.png", chart.file))).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Removes the temporary files a killed writer left in `dir` and
/// `dir/charts`; returns how many. Call it holding the directory's lock.
pub fn remove_stale_temporaries(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for folder in [dir.to_path_buf(), dir.join("charts")] {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) && entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Refuses a results directory whose result files, `charts/` or lock file
/// are symbolic links (Echelon never writes through one).
pub fn refuse_links(dir: &Path) -> Result<(), String> {
    let names = RESULT_FILES.iter().copied().chain(["charts", LOCK_FILE]);
    for name in names {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{} is a symbolic link; Echelon never writes results through a link: \
                 remove it or choose another output directory",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Opens `path` without following a symbolic link at its last component.
pub fn open_no_follow(options: &mut std::fs::OpenOptions, path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// The exclusive lock on a results directory, held until dropped.
pub struct DirLock {
    file: std::fs::File,
}

/// Why a directory could not be locked.
#[derive(Debug)]
#[non_exhaustive]
pub enum LockError {
    /// Another process holds it (its PID, when it wrote one).
    Held(Option<u32>),
    /// The lock file could not be opened or locked.
    Io(std::io::Error),
}

impl DirLock {
    /// Takes the lock of `dir` (which must exist), without waiting. On
    /// success, also returns the PID a killed holder left in the lock file,
    /// if any.
    pub fn acquire(dir: &Path) -> Result<(Self, Option<u32>), LockError> {
        use fs4::FileExt;
        use std::io::{Read, Seek};
        let path = dir.join(LOCK_FILE);
        let mut file = open_no_follow(std::fs::OpenOptions::new().read(true).write(true).create(true), &path)
            .map_err(LockError::Io)?;
        let mut previous = String::new();
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let _ = file.read_to_string(&mut previous);
                return Err(LockError::Held(previous.trim().parse().ok()));
            }
            Err(fs4::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        file.read_to_string(&mut previous).map_err(LockError::Io)?;
        let stale = previous.trim().parse().ok().filter(|&pid| pid != std::process::id());
        file.set_len(0).map_err(LockError::Io)?;
        file.rewind().map_err(LockError::Io)?;
        file.write_all(format!("{}\n", std::process::id()).as_bytes()).map_err(LockError::Io)?;
        file.sync_data().map_err(LockError::Io)?;
        Ok((Self { file }, stale))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // A clean exit: no PID left behind (the kernel releases the lock
        // when the file closes).
        let _ = self.file.set_len(0);
    }
}

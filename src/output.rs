//! Result files: written atomically (temporary file in the same directory,
//! then rename), so a crash or an interrupt never leaves a half-written
//! result file.

use crate::runlog::{self, Header};
use crate::runner::Timing;
use echelon_reports::record::RunRecord;
use echelon_reports::summary::PointStats;
use echelon_reports::{runs_csv, summary};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
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
}

/// Renders the result files of `outcome`.
pub fn render(header: &Header, records: &[RunRecord], timing: Option<&Timing>) -> Rendered {
    let info = &header.study;
    let stats = summary::compute(info, records);
    let summary_json = serde_json::to_string_pretty(&summary::to_json(info, &stats)).expect("plain data") + "\n";
    let runs_csv = runs_csv::to_csv(info, records).expect("in-memory CSV");
    let timing_json = timing.map(|t| serde_json::to_string_pretty(t).expect("plain data") + "\n");
    let runs_jsonl = runlog::finished_text(header, records);
    Rendered { runs_jsonl, summary_json, runs_csv, timing_json, stats }
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
    Ok(())
}

//! Result files: written atomically (temporary file in the same directory,
//! then rename), so a crash or an interrupt never leaves a half-written
//! result file.

use echelon_reports::record::StudyInfo;
use echelon_reports::summary::PointStats;
use echelon_reports::{runs_csv, summary};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::runner::Outcome;

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
    /// `summary.json` text.
    pub summary_json: String,
    /// `runs.csv` bytes.
    pub runs_csv: Vec<u8>,
    /// `timing.json` text.
    pub timing_json: String,
}

/// Renders the result files of `outcome`.
pub fn render(info: &StudyInfo, stats: &[PointStats], outcome: &Outcome) -> Rendered {
    let summary_json = serde_json::to_string_pretty(&summary::to_json(info, stats)).expect("plain data") + "\n";
    let runs_csv = runs_csv::to_csv(info, &outcome.records).expect("in-memory CSV");
    let timing_json = serde_json::to_string_pretty(&outcome.timing).expect("plain data") + "\n";
    Rendered { summary_json, runs_csv, timing_json }
}

/// Writes the rendered files into `dir`, creating it.
pub fn write_all(dir: &Path, rendered: &Rendered) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("summary.json"), rendered.summary_json.as_bytes())?;
    write_atomic(&dir.join("runs.csv"), &rendered.runs_csv)?;
    write_atomic(&dir.join("timing.json"), rendered.timing_json.as_bytes())?;
    Ok(())
}

//! `echelon import`: a scenario from the tables a planner exports from an
//! ERP, as CSV files in a folder or sheets of one `.xlsx` workbook.
//!
//! # Contract
//!
//! * Tables: `items`, `locations`, `lanes`, `demand`, `policies` and an
//!   optional `history` ([`network`] names their columns; README documents
//!   them). `demand` may be left out when `history` gives the demand. Other
//!   CSV files or sheets are ignored, with a warning.
//! * Every bad cell is reported, one line each, as `file:row:column: column:
//!   what is wrong, what is valid` (`file:sheet:row:column: …` in a
//!   workbook), and nothing is written: exit 2.
//! * An item's `moq` and `case_pack` become the SKU's `min_order` and
//!   `case_pack`; a stocking location's `capacity` its storage capacity
//!   (units, all SKUs together; a supplier's `capacity` is units per day).
//!   Columns the model cannot express yet (`abc_class`) are ignored with
//!   one warning each on stderr.
//! * Written: the scenario (RON, every field spelled out), its levels table
//!   `<stem>-levels.csv` and, with a history, `<stem>-history.csv`, all in
//!   the scenario's folder. The scenario is validated exactly as `validate`
//!   would before anything is written; an existing scenario, levels or
//!   history table is replaced only with `--force`.
//! * Deterministic: the same tables give byte-identical files, from CSV
//!   files or from a workbook (the scenario's name defaults to the output
//!   file's stem, not the input's).

pub mod columns;
pub mod network;
pub mod table;

use crate::scenario::Scenario;
use crate::scenario::file::ExperimentFile;
use columns::CellError;
use network::{Built, Settings, Tables};
use std::path::{Path, PathBuf};
use table::{Table, Workbook};

/// The table names, in the order they are read.
pub const TABLES: [&str; 6] = ["items", "locations", "lanes", "demand", "policies", "history"];

/// What the command line says beside the input.
#[derive(Debug, Clone)]
pub struct Options {
    /// Input: a folder of CSV files or an `.xlsx` workbook.
    pub input: PathBuf,
    /// Scenario to write.
    pub out: PathBuf,
    /// Scenario name (default: the output file's stem).
    pub name: Option<String>,
    /// Run shape of the scenario.
    pub experiment: ExperimentFile,
    /// Replace an existing scenario.
    pub force: bool,
}

/// Why an import failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ImportError {
    /// Bad input: every bad cell (exit 2).
    Input(Vec<String>),
    /// The files could not be written (exit 3).
    Io(String),
}

/// A finished import.
#[derive(Debug)]
pub struct Imported {
    /// Files written, scenario first.
    pub written: Vec<PathBuf>,
    /// Warnings (columns not modelled yet, ignored tables).
    pub warnings: Vec<String>,
    /// SKU-locations with a policy (rows of the levels table's SKU-locations).
    pub policies: usize,
}

fn input(message: String) -> ImportError {
    ImportError::Input(vec![message])
}

/// Reads the tables of `input`; warns about the ones it does not know.
fn read_tables(input_path: &Path, warnings: &mut Vec<String>) -> Result<Tables, ImportError> {
    let mut found: Vec<Option<Table>> = vec![None; TABLES.len()];
    if input_path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(input_path)
            .map_err(|e| input(format!("{}: cannot read the folder: {e}", input_path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
            match TABLES.iter().position(|t| *t == stem).filter(|_| is_csv) {
                Some(i) => found[i] = table::read_csv(&path).map_err(input)?,
                None if is_csv => warnings.push(format!(
                    "{}: not an import table ({}): ignored",
                    path.display(),
                    TABLES.map(|t| format!("{t}.csv")).join(", ")
                )),
                None => {}
            }
        }
    } else if input_path.is_file() {
        if !input_path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
            return Err(input(format!("{}: not a folder of CSV files or an .xlsx workbook", input_path.display())));
        }
        let mut book = Workbook::open(input_path).map_err(input)?;
        for sheet in book.sheet_names() {
            let key = table::normalise(&sheet);
            match TABLES.iter().position(|t| *t == key) {
                Some(i) if found[i].is_some() => {
                    return Err(input(format!(
                        "{}:{sheet}: a second {} sheet; name each table once",
                        input_path.display(),
                        TABLES[i]
                    )));
                }
                Some(i) => found[i] = book.read(&sheet).map_err(input)?,
                None => warnings.push(format!(
                    "{}:{sheet}: not an import table ({}): ignored",
                    input_path.display(),
                    TABLES.join(", ")
                )),
            }
        }
    } else {
        return Err(input(format!("{}: no such folder or workbook", input_path.display())));
    }
    let mut missing = Vec::new();
    let mut take = |i: usize, required: bool| {
        let table = found[i].take();
        if table.is_none() && required {
            missing.push(TABLES[i]);
        }
        table
    };
    let (items, locations, lanes) = (take(0, true), take(1, true), take(2, true));
    let (demand, policies, history) = (take(3, false), take(4, true), take(5, false));
    if !missing.is_empty() {
        let form = if input_path.is_dir() { "CSV file" } else { "sheet" };
        return Err(input(format!(
            "{}: no {} {form} (or it has no header row); the import reads {} (demand may be replaced by \
             history)",
            input_path.display(),
            missing.join(", "),
            TABLES.join(", ")
        )));
    }
    let (Some(items), Some(locations), Some(lanes), Some(policies)) = (items, locations, lanes, policies) else {
        unreachable!("checked above")
    };
    Ok(Tables { items, locations, lanes, demand, policies, history })
}

/// The file names the scenario refers to, beside it.
fn side_files(out: &Path) -> (String, String) {
    let stem = out.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "scenario".into());
    (format!("{stem}-levels.csv"), format!("{stem}-history.csv"))
}

/// Reads and checks the tables; returns the built scenario, its RON text
/// and the warnings.
pub fn build(options: &Options) -> Result<(Built, String, Vec<String>), ImportError> {
    let mut warnings = Vec::new();
    let tables = read_tables(&options.input, &mut warnings)?;
    let (levels_file, history_file) = side_files(&options.out);
    let name = options.name.clone().unwrap_or_else(|| {
        options.out.file_stem().map_or_else(|| "imported".into(), |s| s.to_string_lossy().to_string())
    });
    let settings = Settings { name, experiment: options.experiment.clone(), levels_file, history_file };
    let built = network::build(&tables, &settings, &mut warnings)
        .map_err(|errors| ImportError::Input(errors.iter().map(CellError::to_string).collect()))?;
    let ron = ron::ser::to_string_pretty(&built.file, ron::ser::PrettyConfig::default().depth_limit(2))
        .map_err(|e| ImportError::Io(format!("cannot render the scenario: {e}")))?;
    let text = format!(
        "// Imported by `echelon import` from ERP tables (README: \"Importing a network\").\n\
         // The policies in force are the strategy \"in-force\"; its levels are in {}.\n{ron}\n",
        settings.levels_file
    );
    Ok((built, text, warnings))
}

/// `echelon import`: builds, validates and writes the scenario.
pub fn import(options: &Options) -> Result<Imported, ImportError> {
    let (built, text, warnings) = build(options)?;
    let dir = options.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (levels_file, history_file) = side_files(&options.out);
    let mut targets = vec![options.out.clone(), dir.join(&levels_file)];
    if built.history_csv.is_some() {
        targets.push(dir.join(&history_file));
    }
    let existing: Vec<String> = targets.iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !existing.is_empty() && !options.force {
        return Err(input(format!(
            "{} exists; pass --force to replace the scenario and its levels and history tables",
            existing.join(" and ")
        )));
    }
    let io = |e: std::io::Error| ImportError::Io(format!("{}: cannot write: {e}", dir.display()));
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut written = vec![options.out.clone(), dir.join(&levels_file)];
    crate::output::write_atomic(&dir.join(&levels_file), built.levels_csv.as_bytes()).map_err(io)?;
    if let Some(history) = &built.history_csv {
        crate::output::write_atomic(&dir.join(&history_file), history.as_bytes()).map_err(io)?;
        written.push(dir.join(&history_file));
    }
    // Validate as `validate` would, against the tables just written; the
    // scenario itself is written only when it loads.
    if let Err(e) = Scenario::from_parts(&options.out, text.clone(), built.file.clone()) {
        for path in &written[1..] {
            let _ = std::fs::remove_file(path);
        }
        if created {
            let _ = std::fs::remove_dir(dir);
        }
        let field = e.path.as_deref().unwrap_or("scenario");
        let fix = if field.starts_with("experiment") {
            "set by the command line: fix --horizon-days, --warmup-days, --replications or --seed"
        } else if field == "name" {
            "set by --name: give another"
        } else if e.message.contains(&levels_file) {
            // The levels table is written from the policies table.
            "every stocked (location, SKU) needs its row in the policies table: add the missing one"
        } else {
            "fix the table it comes from and import again"
        };
        return Err(input(format!(
            "{}: the scenario these tables make does not validate, so nothing was written: {field}: {} ({fix})",
            options.input.display(),
            e.message
        )));
    }
    crate::output::write_atomic(&options.out, text.as_bytes()).map_err(io)?;
    let policies = policy_count(&built.levels_csv);
    Ok(Imported { written, warnings, policies })
}

/// Distinct (location, SKU) pairs of a levels table.
fn policy_count(levels_csv: &str) -> usize {
    let mut reader = csv::Reader::from_reader(levels_csv.as_bytes());
    let pairs: std::collections::BTreeSet<(String, String)> =
        reader.records().filter_map(Result::ok).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    pairs.len()
}

//! `Table(file: …, parameter: …)` levels: per-(location, SKU) values read
//! from a CSV file when the scenario is loaded.
//!
//! # Format
//!
//! A header row naming `location`, `sku` and `value`, and optionally
//! `strategy` and `parameter`; other columns are ignored. When the table
//! has a `parameter` column only rows naming the level's parameter count;
//! when it has a `strategy` column and the level names a `strategy`, only
//! rows naming that strategy count. Values are whole numbers (`12` or
//! `12.0`) of at most 10¹² units. Unknown locations or SKUs and a second
//! row for the same (location, SKU) are errors naming the CSV file and the
//! line; so is a missing file (naming the scenario field). Paths are
//! relative to the scenario file. This is what `echelon tune` writes as
//! `levels.csv`, and the shape of a parameter export from an ERP.

use super::error::InputError;
use super::file::ScenarioFile;
use echelon_strategies::level::{Level, LevelTable, MAX_LEVEL};
use echelon_strategies::tunable;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A table's rows: (location, SKU, strategy, parameter, value, line).
type Rows = Vec<(String, String, Option<String>, Option<String>, i64, u64)>;

/// `file` with every `Table` level's values read, or `None` when it has no
/// `Table` level.
pub fn expand(
    scenario: &Path,
    source: &str,
    file: &ScenarioFile,
    options: super::LoadOptions,
) -> Result<Option<ScenarioFile>, InputError> {
    let mut expanded = file.clone();
    let mut any = false;
    let mut cache: BTreeMap<String, Rows> = BTreeMap::new();
    let locations: BTreeSet<&str> = file.locations.iter().map(|l| l.id.as_str()).collect();
    let mut skus: BTreeSet<String> = file.skus.iter().map(|s| s.id.clone()).collect();
    if let Ok(Some(generated)) = super::catalogue::expand(file) {
        skus.extend(generated.skus.into_iter().map(|s| s.id));
    }
    for (i, strategy) in expanded.strategies.iter_mut().enumerate() {
        let mut specs = vec![("replenishment".to_string(), &mut strategy.replenishment)];
        specs.extend(strategy.at.iter_mut().map(|(id, spec)| (format!("at.{id}"), spec)));
        for (field, spec) in specs {
            for (name, level) in tunable::levels_mut(spec) {
                let Level::Table { file: csv, parameter, strategy: wanted, values } = level else { continue };
                any = true;
                let path = format!("strategies[{i}].{field}.{name}");
                // Confined to the scenario's folder like a history file.
                let csv_path = super::history::resolve(csv, scenario, options)
                    .map_err(|message| InputError::at(scenario, source, format!("{path}.file"), message))?;
                if !cache.contains_key(csv.as_str()) {
                    if !csv_path.is_file() {
                        return Err(InputError::at(
                            scenario,
                            source,
                            path,
                            format!("{} is not a regular file", super::error::excerpt(csv, 80)),
                        ));
                    }
                    cache.insert(csv.clone(), read(&csv_path, &locations, &skus)?);
                }
                let mut table = BTreeMap::new();
                for (loc, sku, row_strategy, row_parameter, value, line) in &cache[csv.as_str()] {
                    let strategy_ok = row_strategy.is_none() || wanted.is_none() || row_strategy == wanted;
                    if row_parameter.as_ref().is_none_or(|p| p == parameter)
                        && strategy_ok
                        && table.insert((loc.clone(), sku.clone()), *value).is_some()
                    {
                        return Err(InputError {
                            file: csv_path.clone(),
                            position: Some((*line as usize, 1)),
                            path: Some(path),
                            message: format!(
                                "a second {parameter} row for location \"{loc}\", SKU \"{sku}\"{}",
                                if wanted.is_none() {
                                    " (name the strategy in the level: strategy: \"…\")"
                                } else {
                                    ""
                                }
                            ),
                        });
                    }
                }
                *values = Some(LevelTable::new(table));
            }
        }
    }
    Ok(any.then_some(expanded))
}

fn read(path: &Path, locations: &BTreeSet<&str>, skus: &BTreeSet<String>) -> Result<Rows, InputError> {
    let error = |line: u64, message: String| InputError {
        file: path.to_path_buf(),
        position: Some((line as usize, 1)),
        path: None,
        message,
    };
    let mut reader =
        csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(|e| error(1, e.to_string()))?;
    let header = reader.headers().map_err(|e| error(1, e.to_string()))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(location), Some(sku), Some(value)) = (column("location"), column("sku"), column("value")) else {
        return Err(error(
            1,
            format!(
                "bad header {:?}: needs columns location, sku and value (and optionally strategy, parameter)",
                header.iter().collect::<Vec<_>>()
            ),
        ));
    };
    let (strategy, parameter) = (column("strategy"), column("parameter"));
    let mut rows = Rows::new();
    for record in reader.records() {
        let record = record.map_err(|e| error(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        let (loc, item) = (field(location), field(sku));
        if !locations.contains(loc.as_str()) {
            return Err(error(line, format!("unknown location \"{loc}\"")));
        }
        if !skus.contains(&item) {
            return Err(error(line, format!("unknown SKU \"{item}\"")));
        }
        let text = field(value);
        let units =
            text.parse::<f64>().ok().filter(|v| v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX_LEVEL as f64);
        let units = units.ok_or_else(|| {
            error(line, format!("value \"{text}\" is not a whole number of units (|value| ≤ {MAX_LEVEL})"))
        })?;
        rows.push((loc, item, strategy.map(field), parameter.map(field), units as i64, line));
    }
    Ok(rows)
}

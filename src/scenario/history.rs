//! Demand history from a CSV file (`history:`), replayed or bootstrapped.
//!
//! # Format
//!
//! A header row naming `location`, `sku`, `quantity` and either `day` (0,
//! 1, …) or `date` (`YYYY-MM-DD`; day 0 is the earliest date in the file);
//! other columns are ignored. Each row adds `quantity` (a whole number ≥ 0)
//! to that day's demand of (location, SKU); days without a row demand 0.
//! Every (location, SKU) in the file becomes one demand stream of the
//! history's class: **Replay** demands day `t`'s recorded quantity on day
//! `t` (the history repeats past its end); **Bootstrap** draws each day one
//! recorded day at random from the stream's own random stream.
//!
//! A missing file, a bad header and every bad row are input errors naming
//! the CSV file and the line.
//!
//! # Limits and safety
//!
//! A CI gate may run scenario files from untrusted pull requests, so the
//! `history:` path cannot be used to read other files:
//!
//! * the path is relative to the scenario's folder and must stay inside it
//!   once `..` and symlinks are resolved; absolute paths and paths leading
//!   out are refused unless [`LoadOptions::allow_paths_outside`]
//!   (`--allow-paths-outside`) is given;
//! * only a regular file is read (a directory, FIFO, socket or device is
//!   refused by name), at most [`MAX_BYTES`] bytes;
//! * messages never echo the file's content beyond a short excerpt
//!   (≤ 24 characters, control characters escaped) of the offending field;
//!   a bad header names the missing columns, not the header.
//!
//! Dates are years 1 to 9999; days are 0 to 4,294,967,295; a history spans
//! at most [`MAX_DAYS`] days; a day's quantity of one (location, SKU), all
//! its rows added, is at most [`MAX_DAY_UNITS`], and a history holds at
//! most [`MAX_CELLS`] stream-days.

use super::LoadOptions;
use super::error::{InputError, excerpt};
use super::file::{DemandFile, DemandModelFile, HistoryModeFile, ScenarioFile};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most days a history may span.
pub const MAX_DAYS: u32 = 100_000;

/// The largest history file read, in bytes (256 MiB).
pub const MAX_BYTES: u64 = 256 << 20;

/// The most units one (location, SKU) may demand on one recorded day:
/// [`echelon_sim::distribution::MAX_PARAMETER`], as for any demand model.
pub const MAX_DAY_UNITS: i64 = echelon_sim::distribution::MAX_PARAMETER as i64;

/// The most stream-days ((location, SKU) streams × span) a history may
/// expand to (8 bytes each in memory).
pub const MAX_CELLS: u64 = 20_000_000;

/// Characters of a field quoted in a message.
const EXCERPT: usize = 24;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DD` (years 1 to 9999).
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d): (i64, i64, i64) =
        (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if !(1..=9999).contains(&y) {
        return None;
    }
    let days_in_month = [
        31,
        if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month[(m - 1) as usize]).then(|| days_from_civil(y, m, d))
}

/// `file` with its history's streams appended to `demand`, or `None`
/// without a history. `scenario` is the scenario file's path and `source`
/// its text (to locate errors about the `history:` entry itself).
pub fn expand(
    scenario: &Path,
    source: &str,
    file: &ScenarioFile,
    options: LoadOptions,
) -> Result<Option<ScenarioFile>, InputError> {
    let Some(history) = &file.history else { return Ok(None) };
    let csv_path = resolve(&history.file, scenario, options)
        .map_err(|message| InputError::at(scenario, source, "history.file", message))?;
    let bytes = super::parse::read_regular(&csv_path, MAX_BYTES, "a CSV history file")?;
    let rows = read(&csv_path, &bytes, &known_ids(file))?;
    let mut expanded = file.clone();
    let bootstrap = history.mode == HistoryModeFile::Bootstrap;
    for ((location, sku), values) in rows {
        expanded.demand.push(DemandFile {
            location,
            sku,
            class: history.class.clone(),
            model: DemandModelFile::History { values, bootstrap },
        });
    }
    Ok(Some(expanded))
}

/// The data file `name` (a history, a levels table) of the scenario at
/// `scenario`: relative to the scenario's folder and inside it unless
/// `options` allow otherwise.
pub(crate) fn resolve(name: &str, scenario: &Path, options: LoadOptions) -> Result<PathBuf, String> {
    let shown = excerpt(name, 80);
    if name.trim().is_empty() {
        return Err("must name a CSV file, relative to the scenario's folder".into());
    }
    let folder = match scenario.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let path = folder.join(name);
    if options.allow_paths_outside {
        if !path.exists() {
            return Err(format!("no such file: {shown} (paths are relative to the scenario's folder)"));
        }
        return Ok(path);
    }
    if Path::new(name).is_absolute() {
        return Err(format!(
            "{shown} is an absolute path; give a path relative to the scenario's folder \
             (or pass --allow-paths-outside)"
        ));
    }
    let inside = folder.canonicalize().map_err(|e| format!("the scenario's folder cannot be read: {e}"))?;
    let resolved = match path.canonicalize() {
        Ok(resolved) => resolved,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("no such file: {shown} (paths are relative to the scenario's folder)"));
        }
        Err(e) => return Err(format!("{shown} cannot be read: {e}")),
    };
    if !resolved.starts_with(&inside) {
        return Err(format!(
            "{shown} leads outside the scenario's folder (through `..` or a symlink); \
             keep the file beside the scenario, in its folder or below (or pass --allow-paths-outside)"
        ));
    }
    Ok(resolved)
}

/// Location ids and SKU ids (listed or generated by the catalogue).
fn known_ids(file: &ScenarioFile) -> (BTreeSet<String>, BTreeSet<String>) {
    let locations = file.locations.iter().map(|l| l.id.clone()).collect();
    let mut skus: BTreeSet<String> = file.skus.iter().map(|s| s.id.clone()).collect();
    if let Ok(Some(generated)) = super::catalogue::expand(file) {
        skus.extend(generated.skus.into_iter().map(|s| s.id));
    }
    (locations, skus)
}

type Streams = BTreeMap<(String, String), Vec<i64>>;

/// Reads the CSV `bytes` of `path` into per-(location, SKU) daily quantities.
fn read(
    path: &Path,
    bytes: &[u8],
    (locations, skus): &(BTreeSet<String>, BTreeSet<String>),
) -> Result<Streams, InputError> {
    let error = |line: u64, message: String| InputError {
        file: path.to_path_buf(),
        position: Some((line as usize, 1)),
        path: Some("history".into()),
        message,
    };
    let at_byte = |offset: usize, message: String| InputError {
        file: path.to_path_buf(),
        position: Some(super::parse::line_col(bytes, offset)),
        path: Some("history".into()),
        message,
    };
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(at_byte(nul, "binary data (a NUL byte here), not CSV text".into()));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(at_byte(e.valid_up_to(), "not UTF-8 text here; a history is UTF-8 CSV".into()));
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    // csv's own messages give positions and counts, never field content.
    let csv_error = |e: &csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        let what = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("a row of {len} fields where the header has {expected_len}")
            }
            _ => "not valid CSV".to_string(),
        };
        error(line, what)
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(&e))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (day, date) = (column("day"), column("date"));
    let (Some(location), Some(sku), Some(quantity), true) =
        (column("location"), column("sku"), column("quantity"), day.is_some() != date.is_some())
    else {
        let mut missing: Vec<&str> =
            ["location", "sku", "quantity"].into_iter().filter(|c| column(c).is_none()).collect();
        match (day, date) {
            (None, None) => missing.push("day or date"),
            (Some(_), Some(_)) => missing.push("only one of day and date (both are given)"),
            _ => {}
        }
        return Err(error(
            1,
            format!(
                "bad header: needs columns location, sku, quantity and one of day or date; missing {} \
                 (the header has {} columns)",
                missing.join(", "),
                header.len()
            ),
        ));
    };
    let mut rows: Vec<(i64, String, String, i64, u64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let when = match (day, date) {
            (Some(i), _) => field(i).parse::<u32>().map(i64::from).map_err(|_| {
                error(line, format!("day \"{}\" is not a whole number ≥ 0", excerpt(field(i), EXCERPT)))
            })?,
            (_, Some(i)) => parse_date(field(i)).ok_or_else(|| {
                error(
                    line,
                    format!("date \"{}\" is not a date YYYY-MM-DD (years 1 to 9999)", excerpt(field(i), EXCERPT)),
                )
            })?,
            _ => unreachable!("checked by the header"),
        };
        let (loc, item) = (field(location).to_string(), field(sku).to_string());
        if !locations.contains(&loc) {
            return Err(error(line, format!("unknown location \"{}\"", excerpt(&loc, EXCERPT))));
        }
        if !skus.contains(&item) {
            return Err(error(line, format!("unknown SKU \"{}\"", excerpt(&item, EXCERPT))));
        }
        let units = field(quantity)
            .parse::<f64>()
            .ok()
            .filter(|q| q.is_finite() && *q >= 0.0 && q.fract() == 0.0 && *q <= MAX_DAY_UNITS as f64);
        let units = units.ok_or_else(|| {
            error(
                line,
                format!(
                    "quantity \"{}\" is not a whole number from 0 to {MAX_DAY_UNITS}",
                    excerpt(field(quantity), EXCERPT)
                ),
            )
        })?;
        rows.push((when, loc, item, units as i64, line));
    }
    let Some(first) = rows.iter().map(|r| r.0).min() else {
        return Err(error(1, "the history has no rows".into()));
    };
    // Days are < 2³² and dates within years 1..=9999, so this cannot overflow.
    let span = rows.iter().map(|r| r.0).max().unwrap_or(first) - first + 1;
    if span > i64::from(MAX_DAYS) {
        return Err(error(1, format!("the history spans {span} days; at most {MAX_DAYS}")));
    }
    let stream_count = rows.iter().map(|r| (&r.1, &r.2)).collect::<BTreeSet<_>>().len() as u64;
    if stream_count * span as u64 > MAX_CELLS {
        return Err(error(
            1,
            format!(
                "{stream_count} (location, SKU) streams over {span} days are {} stream-days; at most {MAX_CELLS}",
                stream_count * span as u64
            ),
        ));
    }
    let mut streams = Streams::new();
    for (when, loc, item, units, line) in rows {
        let day = (when - first) as usize;
        let stream = streams.entry((loc, item)).or_insert_with(|| vec![0; span as usize]);
        match stream[day].checked_add(units).filter(|&sum| sum <= MAX_DAY_UNITS) {
            Some(sum) => stream[day] = sum,
            None => {
                return Err(error(
                    line,
                    format!(
                        "the rows of day {day} for this location and SKU add up to more than {MAX_DAY_UNITS} units, \
                         the most one day may demand"
                    ),
                ));
            }
        }
    }
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_exactly() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-03-01").unwrap() - parse_date("2024-02-28").unwrap(), 2);
        assert_eq!(parse_date("2023-03-01").unwrap() - parse_date("2023-02-28").unwrap(), 1);
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("24/01/01"), None);
        assert_eq!(parse_date("9223372036854775807-01-01"), None);
        assert_eq!(parse_date("0-01-01"), None);
        assert_eq!(parse_date("9999-12-31").unwrap() - parse_date("0001-01-01").unwrap(), 3_652_058);
    }
}

//! The import's raw tables: CSV files in a folder, or sheets of one `.xlsx`
//! workbook, each cell kept as trimmed text with its place.
//!
//! # Contract
//!
//! * A table is the file `<name>.csv` in the folder, or the sheet named
//!   `<name>` (case-insensitive) in the workbook. Its first non-empty row is
//!   the header; rows whose cells are all empty are skipped.
//! * Header names are normalised: trimmed, lower case, spaces and hyphens
//!   read as `_` (so `Unit Cost` is `unit_cost`).
//! * Cells are text. A workbook's numbers become their shortest decimal
//!   form (`12`, `0.25`), so a workbook and the CSV files exported from it
//!   read the same; a date cell becomes `YYYY-MM-DD`; an error cell becomes
//!   its text (`#DIV/0!`), which no number column accepts.
//! * Every cell knows its place: `file:row:column` for a CSV file (row =
//!   line, column = 1-based field number), `file:sheet:row:column` for a
//!   sheet (column as a letter, as a spreadsheet shows it).

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};

/// Where a table came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A CSV file.
    Csv(PathBuf),
    /// A sheet of a workbook.
    Sheet {
        /// The workbook.
        file: PathBuf,
        /// The sheet's name as written in the workbook.
        sheet: String,
    },
}

/// One table: header and rows of trimmed text.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it came from.
    pub source: Source,
    /// Normalised column names.
    pub header: Vec<String>,
    /// 1-based row (line) number of the header.
    pub header_row: usize,
    /// 0-based column of the first cell (a sheet's used range may start
    /// right of column A).
    pub first_column: usize,
    /// Rows after the header that are not all empty.
    pub rows: Vec<Row>,
}

/// One row.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based row (line) number.
    pub number: usize,
    /// Cells, trimmed, one per header column (a sheet's row may have more,
    /// empty under no header).
    pub cells: Vec<String>,
}

impl Table {
    /// The place of cell `column` (0-based, in the table) on row `row`
    /// (1-based, in the file).
    pub fn place(&self, row: usize, column: usize) -> String {
        let column = self.first_column + column;
        match &self.source {
            Source::Csv(file) => format!("{}:{row}:{}", file.display(), column + 1),
            Source::Sheet { file, sheet } => format!("{}:{sheet}:{row}:{}", file.display(), column_letters(column)),
        }
    }

    /// What the table was read from: its folder of CSV files, or its
    /// workbook.
    pub fn input(&self) -> String {
        match &self.source {
            Source::Csv(file) => file.parent().unwrap_or(file).display().to_string(),
            Source::Sheet { file, .. } => file.display().to_string(),
        }
    }

    /// The table's name for messages: the file, or `file:sheet`.
    pub fn name(&self) -> String {
        match &self.source {
            Source::Csv(file) => file.display().to_string(),
            Source::Sheet { file, sheet } => format!("{}:{sheet}", file.display()),
        }
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
pub fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII")
}

/// A header cell as a column name.
pub fn normalise(name: &str) -> String {
    name.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect()
}

fn table(source: Source, numbered: Vec<(usize, Vec<String>)>, first_column: usize) -> Result<Option<Table>, String> {
    let mut rows = numbered.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((header_row, header)) = rows.next() else { return Ok(None) };
    let header: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let mut table = Table { source, header, header_row, first_column, rows: Vec::new() };
    if matches!(table.source, Source::Csv(_)) && table.header.len() == 1 && table.header[0].contains(';') {
        return Err(format!(
            "{}: the header is one cell holding `;`: the file looks separated by semicolons (a spreadsheet's \
             \"CSV\" in some locales); the import reads comma-separated files: export as CSV UTF-8 \
             (comma delimited)",
            table.place(header_row, 0)
        ));
    }
    for (number, cells) in rows {
        table.check_width(number, &cells)?;
        table.rows.push(Row { number, cells });
    }
    Ok(Some(table))
}

impl Table {
    /// A CSV row has one cell per header column: a decimal comma or a
    /// separator too many or too few shifts every cell after it, so a
    /// row of another width is refused rather than read shifted. (A
    /// sheet's rows are as wide as its used range, the header's too.)
    fn check_width(&self, row: usize, cells: &[String]) -> Result<(), String> {
        let width = self.header.len();
        if !matches!(self.source, Source::Csv(_)) || cells.len() == width {
            return Ok(());
        }
        Err(format!(
            "{}: {} cells where the header has {width}: every row has one cell per header column \
             (an empty cell is nothing between two commas; a decimal comma, as in 0,25, splits a number in two)",
            self.place(row, cells.len().min(width)),
            cells.len(),
        ))
    }
}

/// Reads a CSV file (`Ok(None)` when it has no header row).
pub fn read_csv(path: &Path) -> Result<Option<Table>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut numbered = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("{}:{line}:1: not a CSV row: {e}", path.display())
        })?;
        let line = record.position().map_or(0, |p| p.line()) as usize;
        numbered.push((line, record.iter().map(str::to_string).collect()));
    }
    table(Source::Csv(path.to_path_buf()), numbered, 0)
}

/// A workbook: its sheets' names and a way to read one.
pub struct Workbook {
    path: PathBuf,
    book: Xlsx<std::io::BufReader<std::fs::File>>,
}

impl Workbook {
    /// Opens an `.xlsx` workbook.
    pub fn open(path: &Path) -> Result<Self, String> {
        let book =
            open_workbook(path).map_err(|e| format!("{}: not a readable .xlsx workbook: {e}", path.display()))?;
        Ok(Self { path: path.to_path_buf(), book })
    }

    /// Sheet names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// Reads sheet `sheet` (`Ok(None)` when it has no header row).
    pub fn read(&mut self, sheet: &str) -> Result<Option<Table>, String> {
        let range = self
            .book
            .worksheet_range(sheet)
            .map_err(|e| format!("{}:{sheet}: cannot read the sheet: {e}", self.path.display()))?;
        let (row0, col0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let numbered =
            range.rows().enumerate().map(|(i, cells)| (row0 + i + 1, cells.iter().map(cell_text).collect())).collect();
        table(Source::Sheet { file: self.path.clone(), sheet: sheet.to_string() }, numbered, col0)
    }
}

/// A workbook cell as text.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => civil_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

/// `YYYY-MM-DD` of a spreadsheet date serial (days since 1899-12-30; the
/// time of day is dropped).
fn civil_date(serial: f64) -> String {
    // Howard Hinnant's civil_from_days, from 1970-01-01 (serial 25569).
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_columns_are_lettered_like_a_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn spreadsheet_date_serials_are_calendar_dates() {
        assert_eq!(civil_date(25_569.0), "1970-01-01");
        assert_eq!(civil_date(45_292.75), "2024-01-01");
        assert_eq!(civil_date(45_351.0), "2024-02-29");
    }

    #[test]
    fn header_names_are_normalised() {
        assert_eq!(normalise(" Unit Cost "), "unit_cost");
        assert_eq!(normalise("lead-time_SD_days"), "lead_time_sd_days");
    }
}

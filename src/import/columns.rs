//! The columns a table may have, and typed reading of its cells that
//! records every bad cell instead of stopping at the first.
//!
//! A table's header must name every required column; a column the schema
//! does not know is an error at its header cell (a misspelled column is
//! never silently ignored). Columns the scenario model cannot express yet
//! are accepted and reported once as a warning when any row fills them.

use super::table::{Row, Table};

/// The columns of one table.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// Table name: `<name>.csv` or the sheet `<name>`.
    pub name: &'static str,
    /// Columns every table of this kind must have.
    pub required: &'static [&'static str],
    /// Columns it may have.
    pub optional: &'static [&'static str],
    /// Columns accepted but not modelled yet (warned about, ignored).
    pub not_modelled: &'static [&'static str],
}

impl Schema {
    fn all(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.required.iter().chain(self.optional).chain(self.not_modelled).copied()
    }
}

/// A bad cell (or header, or table): where, which column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CellError {
    /// `file:row:column` or `file:sheet:row:column` (or just the file).
    pub place: String,
    /// The column, when the error is about one.
    pub column: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "{}: {column}: {}", self.place, self.message),
            None => write!(f, "{}: {}", self.place, self.message),
        }
    }
}

/// A table checked against its schema, reading typed cells.
pub struct Cells<'a> {
    /// The table.
    pub table: &'a Table,
    schema: Schema,
    index: Vec<(&'static str, usize)>,
}

impl<'a> Cells<'a> {
    /// Checks the header of `table` against `schema`; header errors go to
    /// `errors`, warnings about columns not modelled yet to `warnings`.
    pub fn new(table: &'a Table, schema: Schema, errors: &mut Vec<CellError>, warnings: &mut Vec<String>) -> Self {
        let mut index = Vec::new();
        let valid: Vec<&str> = schema.all().collect();
        for (i, name) in table.header.iter().enumerate() {
            let place = table.place(table.header_row, i);
            match schema.all().find(|c| c == name) {
                Some(known) if index.iter().any(|(c, _)| *c == known) => errors.push(CellError {
                    place,
                    column: Some(name.clone()),
                    message: "a second column of this name".into(),
                }),
                Some(known) => index.push((known, i)),
                None => errors.push(CellError {
                    place,
                    column: None,
                    message: format!(
                        "unknown column \"{name}\"; the {} table's columns are: {}",
                        schema.name,
                        valid.join(", ")
                    ),
                }),
            }
        }
        for required in schema.required {
            if !index.iter().any(|(c, _)| c == required) {
                errors.push(CellError {
                    place: table.place(table.header_row, 0),
                    column: None,
                    message: format!(
                        "the header has no column \"{required}\"; the {} table needs: {}",
                        schema.name,
                        schema.required.join(", ")
                    ),
                });
            }
        }
        let cells = Self { table, schema, index };
        for column in schema.not_modelled {
            let filled = table.rows.iter().filter(|r| cells.text(r, column).is_some()).count();
            if filled > 0 {
                warnings.push(format!(
                    "{}: {column}: not modelled yet: ignored ({filled} row{} give a value)",
                    table.name(),
                    if filled == 1 { "" } else { "s" }
                ));
            }
        }
        cells
    }

    fn column(&self, name: &str) -> Option<usize> {
        debug_assert!(self.schema.all().any(|c| c == name), "column {name} not in the {} schema", self.schema.name);
        self.index.iter().find(|(c, _)| *c == name).map(|&(_, i)| i)
    }

    /// Does the table have this column?
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// The place of `name`'s cell on `row` (the row's first cell when the
    /// table lacks the column).
    pub fn place(&self, row: &Row, name: &str) -> String {
        self.table.place(row.number, self.column(name).unwrap_or(0))
    }

    /// An error at `name`'s cell on `row`.
    pub fn error(&self, row: &Row, name: &str, message: impl Into<String>) -> CellError {
        CellError { place: self.place(row, name), column: Some(name.to_string()), message: message.into() }
    }

    /// The cell's text, `None` when the column is absent or the cell empty.
    pub fn text<'r>(&self, row: &'r Row, name: &str) -> Option<&'r str> {
        self.column(name).map(|i| row.cells[i].as_str()).filter(|t| !t.is_empty())
    }

    /// The cell's text; an error when it is empty.
    pub fn required_text<'r>(&self, row: &'r Row, name: &str, errors: &mut Vec<CellError>) -> Option<&'r str> {
        let text = self.text(row, name);
        if text.is_none() && self.has(name) {
            errors.push(self.error(row, name, "empty; a value is required"));
        }
        text
    }

    /// The cell as a number meeting `ok` (described by `valid`); `None`
    /// when empty; an error (and `None`) when not such a number.
    pub fn number(
        &self,
        row: &Row,
        name: &str,
        ok: fn(f64) -> bool,
        valid: &str,
        errors: &mut Vec<CellError>,
    ) -> Option<f64> {
        let text = self.text(row, name)?;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && ok(v) => Some(v),
            Ok(_) => {
                errors.push(self.error(row, name, format!("{text} is out of range; valid: {valid}")));
                None
            }
            Err(_) => {
                errors.push(self.error(row, name, format!("\"{text}\" is not a number; valid: {valid}")));
                None
            }
        }
    }

    /// [`Cells::number`], with an error when the cell is empty.
    pub fn required_number(
        &self,
        row: &Row,
        name: &str,
        ok: fn(f64) -> bool,
        valid: &str,
        errors: &mut Vec<CellError>,
    ) -> Option<f64> {
        if self.text(row, name).is_none() {
            if self.has(name) {
                errors.push(self.error(row, name, format!("empty; a value is required ({valid})")));
            }
            return None;
        }
        self.number(row, name, ok, valid, errors)
    }
}

/// ≥ 0.
pub fn non_negative(v: f64) -> bool {
    v >= 0.0
}

/// > 0.
pub fn positive(v: f64) -> bool {
    v > 0.0
}

/// A whole number ≥ 0 of at most 10¹² units.
pub fn whole_units(v: f64) -> bool {
    v >= 0.0 && v.fract() == 0.0 && v <= echelon_strategies::level::MAX_LEVEL as f64
}

/// A whole number ≥ 1 of days (at most 10 000).
pub fn whole_days(v: f64) -> bool {
    v >= 1.0 && v.fract() == 0.0 && v <= 10_000.0
}

/// In (0, 1].
pub fn probability(v: f64) -> bool {
    v > 0.0 && v <= 1.0
}

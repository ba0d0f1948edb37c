//! Names and ids a scenario file sets, restricted to a safe set.
//!
//! Ids and names (the scenario's `name`, SKU, supplier and location ids,
//! class, strategy, event and random-outage names, a catalogue's `prefix`)
//! appear in every output: the terminal, `runs.csv`, SVG charts, HTML and
//! the markdown gate summary. Restricting them at load makes every output
//! safe without trusting each writer's escaping.
//!
//! # Rules
//!
//! A name is 1 to [`MAX_ID_CHARS`] characters, each a letter or digit (any
//! script: `char::is_alphanumeric`) or one of [`ID_PUNCTUATION`] (space
//! `-_.:/+@#()`); it does not start with `=`, `+`, `-`, `@` (spreadsheet
//! formulas) or a space and does not end with a space. So no control
//! character (ESC, newline), no markup (`<`, `>`, `&`, `"`, `'`, `|`, `` ` ``,
//! `*`, `[`), no comma or semicolon, no bidirectional override.
//!
//! The free-text `description` may hold any printable text, newlines and
//! tabs, up to [`MAX_DESCRIPTION_CHARS`] characters, but no other control
//! character or bidirectional control.
//!
//! A sweep `path` holds no control character and is at most
//! [`MAX_SWEEP_PATH_CHARS`] characters.

use super::build::{FieldError, fail};
use super::error::{excerpt, is_unsafe_char};
use super::file::ScenarioFile;

/// The longest id or name, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// Punctuation allowed in ids besides letters and digits.
pub const ID_PUNCTUATION: &str = " -_.:/+@#()";

/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// The longest sweep path, in characters.
pub const MAX_SWEEP_PATH_CHARS: usize = 256;

/// What a valid id looks like, for messages.
const VALID: &str = "1 to 64 letters, digits, spaces or `-_.:/+@#()`, not starting with `=+-@` or a space \
                     nor ending with a space";

/// Why `id` is not a valid id, or `None` when it is.
pub fn id_problem(id: &str) -> Option<String> {
    let chars = id.chars().count();
    if chars == 0 || id.trim().is_empty() {
        return Some("must not be empty".into());
    }
    if chars > MAX_ID_CHARS {
        return Some(format!("is {chars} characters long; at most {MAX_ID_CHARS}"));
    }
    if let Some(c) = id.chars().find(|&c| !(c.is_alphanumeric() || ID_PUNCTUATION.contains(c))) {
        let shown = if is_unsafe_char(c) || c.is_whitespace() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}` (U+{:04X})", c as u32)
        };
        return Some(format!("\"{}\" holds {shown}; an id is {VALID}", excerpt(id, 24)));
    }
    if id.starts_with(['=', '+', '-', '@', ' ']) || id.ends_with(' ') {
        return Some(format!(
            "\"{}\" starts with `=+-@` or a space or ends with a space; an id is {VALID}",
            excerpt(id, 24)
        ));
    }
    None
}

/// Checks `id` at `path`.
pub fn check_id(path: impl Into<String>, id: &str) -> Result<(), FieldError> {
    match id_problem(id) {
        Some(problem) => fail(path, problem),
        None => Ok(()),
    }
}

/// Checks every id, name, the description and the sweep paths of `file`.
pub fn check(file: &ScenarioFile) -> Result<(), FieldError> {
    check_id("name", &file.name)?;
    let description = &file.description;
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return fail("description", format!("at most {MAX_DESCRIPTION_CHARS} characters"));
    }
    if let Some(c) = description.chars().find(|&c| is_unsafe_char(c) && c != '\n' && c != '\t') {
        return fail(
            "description",
            format!("holds the control character U+{:04X}; only printable text, newlines and tabs", c as u32),
        );
    }
    for (i, s) in file.skus.iter().enumerate() {
        check_id(format!("skus[{i}].id"), &s.id)?;
    }
    for (i, c) in file.classes.iter().enumerate() {
        check_id(format!("classes[{i}].name"), &c.name)?;
    }
    for (i, s) in file.suppliers.iter().enumerate() {
        check_id(format!("suppliers[{i}].id"), &s.id)?;
    }
    for (i, l) in file.locations.iter().enumerate() {
        check_id(format!("locations[{i}].id"), &l.id)?;
    }
    for (i, s) in file.strategies.iter().enumerate() {
        check_id(format!("strategies[{i}].name"), &s.name)?;
    }
    for (i, e) in file.events.iter().enumerate() {
        if let Some(name) = &e.name {
            check_id(format!("events[{i}].name"), name)?;
        }
    }
    for (i, r) in file.random_outages.iter().enumerate() {
        check_id(format!("random_outages[{i}].name"), &r.name)?;
    }
    for (i, c) in file.catalogue.iter().enumerate() {
        check_id(format!("catalogue[{i}].prefix"), &c.prefix)?;
    }
    for (i, s) in file.sweep.iter().enumerate() {
        if s.path.chars().count() > MAX_SWEEP_PATH_CHARS || s.path.chars().any(is_unsafe_char) {
            return fail(
                format!("sweep[{i}].path"),
                format!("a parameter path of printable characters, at most {MAX_SWEEP_PATH_CHARS}"),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_at_the_edge_of_the_safe_set_are_accepted() {
        for id in ["a", "wh-north", "Zürich DC", "倉庫_1", "x@y#2 (b)", "a/b:c+d.e", &"x".repeat(MAX_ID_CHARS)] {
            assert_eq!(id_problem(id), None, "{id}");
        }
    }

    #[test]
    fn hostile_ids_are_refused() {
        for id in [
            "",
            " ",
            "=1+2",
            "+1",
            "-1",
            "@SUM(A1)",
            "a\u{1b}[31mred",
            "a\nb",
            "<script>",
            "a|b",
            "a,b",
            "a\"b",
            "a&b",
            "a\u{202e}b",
            " lead",
            "trail ",
            &"x".repeat(MAX_ID_CHARS + 1),
        ] {
            assert!(id_problem(id).is_some(), "{id:?} accepted");
        }
    }
}

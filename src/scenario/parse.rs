//! From bytes on disk to a [`ScenarioFile`], with errors people can act on.
//!
//! Before RON sees the text, the loader rejects what is not a scenario at
//! all (missing, a directory, empty, binary, JSON). RON's own errors carry a
//! line and column but no file and no field path; they get both here, and
//! unknown fields or variants get the nearest valid name and the full list.

use super::error::InputError;
use super::file::ScenarioFile;
use super::locate;
use std::path::Path;

/// Reads and parses the scenario at `path`.
pub fn read(path: &Path) -> Result<(String, ScenarioFile), InputError> {
    let source = read_text(path)?;
    let file = parse(path, &source)?;
    Ok((source, file))
}

fn read_text(path: &Path) -> Result<String, InputError> {
    if path.is_dir() {
        return Err(InputError::file(path, "is a directory; expected a scenario file (.ron)"));
    }
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(path, "no such file"),
        _ => InputError::file(path, format!("cannot be read: {e}")),
    })?;
    if bytes.contains(&0) {
        return Err(InputError::file(path, "is binary data, not a RON scenario file"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        InputError::file(
            path,
            format!(
                "is not UTF-8 text (invalid byte at offset {}); expected a RON scenario file",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(InputError::file(
            path,
            "is empty; a scenario file starts with `Scenario(` (see scenarios/quickstart.ron)",
        ));
    }
    if trimmed.starts_with('{') {
        return Err(InputError {
            position: Some((1, 1)),
            ..InputError::file(
                path,
                "looks like JSON; scenario files are RON: `Scenario(name: \"…\", …)` (see scenarios/quickstart.ron)",
            )
        });
    }
    Ok(text)
}

/// Parses RON `source` read from `path`.
pub fn parse(path: &Path, source: &str) -> Result<ScenarioFile, InputError> {
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    options.from_str::<ScenarioFile>(source).map_err(|e| {
        let position = (e.span.start.line, e.span.start.col);
        let truncated = at_end(source, position) || open_brackets(source) > 0;
        let message = if truncated { describe(&ron::Error::Eof) } else { describe(&e.code) };
        InputError {
            file: path.to_path_buf(),
            position: Some(position),
            path: locate::path_at(source, position),
            message,
        }
    })
}

/// Is `position` (1-based line, column) at the end of `source`, give or
/// take trailing whitespace? Errors there mean the text stopped early.
fn at_end(source: &str, (line, col): (usize, usize)) -> bool {
    let offset: usize = source.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>()
        + source.split_inclusive('\n').nth(line - 1).map_or(0, |l| l.chars().take(col - 1).map(char::len_utf8).sum());
    source.get(offset..).is_none_or(|rest| rest.trim().is_empty())
}

/// Opening minus closing brackets outside strings and line comments.
fn open_brackets(source: &str) -> i64 {
    let mut depth = 0;
    for line in source.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut previous = ' ';
        for c in line.chars() {
            match (in_string, c) {
                (true, '\\') if !escaped => escaped = true,
                (true, '"') if !escaped => in_string = false,
                (true, _) => escaped = false,
                (false, '"') => in_string = true,
                (false, '/') if previous == '/' => break,
                (false, '(' | '[' | '{') => depth += 1,
                (false, ')' | ']' | '}') => depth -= 1,
                _ => {}
            }
            previous = c;
        }
    }
    depth
}

fn nearest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|candidate| (strsim::levenshtein(found, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(found.len()) / 2)
        .min()
        .map(|(_, candidate)| candidate)
}

fn one_of(expected: &[&str]) -> String {
    expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
}

fn describe(code: &ron::Error) -> String {
    use ron::Error;
    let suggestion = |found: &str, expected: &[&str]| match nearest(found, expected) {
        Some(name) => format!("; did you mean `{name}`?"),
        None => String::new(),
    };
    match code {
        Error::NoSuchStructField { expected, found, outer } => format!(
            "unknown field `{found}`{}{}; valid fields: {}",
            outer.as_ref().map(|o| format!(" in `{o}`")).unwrap_or_default(),
            suggestion(found, expected),
            one_of(expected)
        ),
        Error::NoSuchEnumVariant { expected, found, outer } => {
            let what = match outer.as_deref() {
                Some("ReplenishmentSpec") => "strategy".to_string(),
                Some("AllocationSpec") => "allocation rule".to_string(),
                Some("DemandModel") => "demand distribution".to_string(),
                Some("LeadTime") => "lead-time distribution".to_string(),
                Some(o) => format!("`{o}` kind"),
                None => "variant".to_string(),
            };
            format!("unknown {what} `{found}`{}; valid: {}", suggestion(found, expected), one_of(expected))
        }
        Error::MissingStructField { field, outer } => {
            format!("missing field `{field}`{}", outer.as_ref().map(|o| format!(" in `{o}`")).unwrap_or_default())
        }
        Error::Eof => "unexpected end of file: the file is truncated or a bracket is not closed".into(),
        Error::ExpectedComma => {
            "expected a comma or a closing bracket here: a bracket too many, or a missing comma".into()
        }
        Error::ExpectedStructLikeEnd | Error::ExpectedArrayEnd | Error::ExpectedMapEnd => {
            format!("{code}: brackets are unbalanced or a comma is missing")
        }
        Error::TrailingCharacters => {
            "unexpected text after the end of the scenario: a closing bracket too many?".into()
        }
        Error::IntegerOutOfBounds => {
            "number out of range for this field (too large, or negative where only ≥ 0 is valid)".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_at_the_end_of_the_text_read_as_truncation() {
        assert!(at_end("(a: 1,\n  ", (2, 2)));
        assert!(!at_end("(a: 1,\n b)", (2, 1)));
        assert_eq!(open_brackets("(a: [1, \"(\"], // (\n"), 1);
        assert_eq!(open_brackets("(a: 1))"), -1);
        let err = parse(Path::new("t.ron"), "Scenario(name: \"x\", experiment: (horizon_days: 3").unwrap_err();
        assert!(err.message.contains("truncated"), "{}", err.message);
    }

    #[test]
    fn suggests_the_nearest_name_only_when_close() {
        assert_eq!(nearest("horizon_day", &["horizon_days", "seed"]), Some("horizon_days"));
        assert_eq!(nearest("zzz", &["horizon_days", "seed"]), None);
    }
}

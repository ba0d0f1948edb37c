//! From bytes on disk to a [`ScenarioFile`], with errors people can act on.
//!
//! Before RON sees the text, the loader rejects what is not a scenario at
//! all (missing, a directory or other non-regular file, larger than
//! [`MAX_FILE_BYTES`], empty, binary, not UTF-8, JSON, nested deeper than
//! [`MAX_NESTING`]) with the line:col of the offending byte where there is
//! one. A UTF-8 byte-order mark is skipped and CR-only line endings are read
//! as line breaks (CRLF already is). RON's own errors carry a line and
//! column but no file and no field path; they get both here, and unknown
//! fields or variants get the nearest valid name and the full list. A
//! missing field is blamed on the group that lacks it (`experiment` for a
//! top-level field), not on the last field read.

use super::error::InputError;
use super::file::ScenarioFile;
use super::locate;
use std::path::Path;

/// The largest scenario file accepted, in bytes (16 MiB; the bundled ones
/// are a few kB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The deepest nesting of brackets accepted. The bundled scenarios nest at
/// most 8 levels; RON itself stops at 128.
pub const MAX_NESTING: usize = 64;

/// Reads and parses the scenario at `path`.
pub fn read(path: &Path) -> Result<(String, ScenarioFile), InputError> {
    let source = read_text(path)?;
    let file = parse(path, &source)?;
    Ok((source, file))
}

/// Reads at most `limit` bytes of the regular file at `path`; `what` names
/// the kind of file expected in messages.
pub(super) fn read_regular(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(path, "no such file"),
        _ => InputError::file(path, format!("cannot be read: {e}")),
    })?;
    if metadata.is_dir() {
        return Err(InputError::file(path, format!("is a directory; expected {what}")));
    }
    if !metadata.is_file() {
        return Err(InputError::file(
            path,
            format!("is not a regular file (a FIFO, socket or device); expected {what}"),
        ));
    }
    if metadata.len() > limit {
        return Err(InputError::file(
            path,
            format!("is {} bytes; at most {limit} bytes are accepted for {what}", metadata.len()),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| InputError::file(path, format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(InputError::file(path, format!("grew past {limit} bytes while being read; expected {what}")));
    }
    Ok(bytes)
}

/// 1-based line and column (in characters) of byte `offset` of `bytes`,
/// counting only the valid UTF-8 before it.
pub(super) fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, col)
}

fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = read_regular(path, MAX_FILE_BYTES, "a scenario file (.ron)")?;
    decode(path, bytes)
}

/// The text of a scenario file's bytes: UTF-8 without NUL, a leading
/// byte-order mark skipped, CR-only line endings made LF.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    let at = |offset: usize, message: String| InputError {
        position: Some(line_col(&bytes, offset)),
        ..InputError::file(path, message)
    };
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(at(nul, "is binary data (a NUL byte here), not a RON scenario file".into()));
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.valid_up_to();
            return Err(at(
                offset,
                format!("is not UTF-8 text (byte 0x{:02x} here); expected a RON scenario file", bytes[offset]),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() };
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
    if source.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::file(path, format!("is larger than {MAX_FILE_BYTES} bytes")));
    }
    if let Some(position) = too_deep(source) {
        return Err(InputError {
            position: Some(position),
            ..InputError::file(
                path,
                format!("brackets nest deeper than {MAX_NESTING} levels here; a scenario nests a few levels"),
            )
        });
    }
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_recursion_limit(2 * MAX_NESTING);
    options.from_str::<ScenarioFile>(source).map_err(|e| {
        let position = (e.span.start.line, e.span.start.col);
        let truncated = at_end(source, position) || open_brackets(source) > 0;
        let message = if truncated { describe(&ron::Error::Eof) } else { describe(&e.code) };
        let path_here = match &e.code {
            // Reported at the group's closing bracket: blame the group.
            ron::Error::MissingStructField { field, .. } => Some(match locate::group_at(source, position) {
                Some(group) => format!("{group}.{field}"),
                None => field.to_string(),
            }),
            _ => locate::path_at(source, position),
        };
        let in_sweep_values = path_here.as_deref().is_some_and(|p| p.starts_with("sweep[") && p.contains("].values"));
        let message = if in_sweep_values && !truncated {
            format!(
                "sweeps are numeric ({message}): a field that takes a name (e.g. in_transit: Continue, Delay, \
                 Lose) cannot be swept; run once per name with --set (e.g. --set \
                 events[outage].kind.in_transit=Delay), or write one event or strategy per name"
            )
        } else {
            message
        };
        InputError { file: path.to_path_buf(), position: Some(position), path: path_here, message }
    })
}

/// The line:col of the first bracket nested deeper than [`MAX_NESTING`]
/// (outside strings and comments), if any.
fn too_deep(source: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1, 0);
    let mut chars = source.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        col += 1;
        if c == '\n' {
            (line, col) = (line + 1, 0);
        }
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut previous = ' ';
                for c in chars.by_ref() {
                    col += 1;
                    if c == '\n' {
                        (line, col) = (line + 1, 0);
                    }
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((line, col));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Is `position` (1-based line, column) at the end of `source`, give or
/// take trailing whitespace? Errors there mean the text stopped early.
fn at_end(source: &str, (line, col): (usize, usize)) -> bool {
    let (line, col) = (line.saturating_sub(1), col.saturating_sub(1));
    let offset: usize = source.split_inclusive('\n').take(line).map(str::len).sum::<usize>()
        + source.split_inclusive('\n').nth(line).map_or(0, |l| l.chars().take(col).map(char::len_utf8).sum());
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
        Error::ExceededRecursionLimit => format!("brackets nest deeper than {MAX_NESTING} levels"),
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

//! Input errors: what is wrong, where, and what would be valid.
//!
//! Every problem with a scenario file becomes one [`InputError`] that names
//! the file, the line and column where known, the field path, and the
//! message. The command line prints it as one line on stderr and exits 2.
//! Displaying it escapes control characters (ESC, CR, LF, …) and Unicode
//! bidirectional overrides as `\u{…}`, wherever they come from (a file
//! name, an id quoted in a message), so the line cannot move the cursor,
//! recolour the terminal or break into several lines.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with user input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputError {
    /// The file at fault.
    pub file: PathBuf,
    /// 1-based line and column, where known.
    pub position: Option<(usize, usize)>,
    /// Field path (e.g. `lanes[2].to`), where known.
    pub path: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl InputError {
    /// An error about the file as a whole.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), position: None, path: None, message: message.into() }
    }

    /// An error at a field path, located in `source` when possible.
    pub fn at(file: &Path, source: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            file: file.to_path_buf(),
            position: super::locate::find(source, &path),
            path: Some(path),
            message: message.into(),
        }
    }
}

/// `text` with control characters and bidirectional-text controls written
/// as `\u{…}`: safe to print on a terminal, one line.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            out += &format!("\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters (C0, DEL, C1), bidirectional controls and other
/// invisible format characters that can disguise text.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// A short, printable excerpt of `text` read from a file: at most `max`
/// characters (`…` marks a cut), control characters escaped.
pub fn excerpt(text: &str, max: usize) -> String {
    let cut: String = text.chars().take(max).collect();
    let more = if text.chars().nth(max).is_some() { "…" } else { "" };
    format!("{}{more}", printable(&cut))
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", printable(&self.file.display().to_string()))?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(path) = &self.path {
            write!(f, ": {}", printable(path))?;
        }
        write!(f, ": {}", printable(&self.message))
    }
}

impl std::error::Error for InputError {}

//! Input errors: what is wrong, where, and what would be valid.
//!
//! Every problem with a scenario file becomes one [`InputError`] that names
//! the file, the line and column where known, the field path, and the
//! message. The command line prints it as one line on stderr and exits 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with user input.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(path) = &self.path {
            write!(f, ": {path}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

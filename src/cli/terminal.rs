//! What the terminal can show: its width, whether to colour, a screenful.
//!
//! Width: `COLUMNS` when set (≥ 40), else the terminal's width when stdout
//! is a terminal, else [`DEFAULT_WIDTH`] (100). Colour: never under
//! `NO_COLOR` (set and not empty); always under `CLICOLOR_FORCE` (not `0`);
//! otherwise only when stdout is a terminal, `TERM` is not `dumb` and
//! `CLICOLOR` is not `0` — so never when piped.

use echelon_reports::table::DEFAULT_WIDTH;
use std::io::IsTerminal;

/// Rows of a screen when the terminal's height is unknown.
pub const DEFAULT_HEIGHT: usize = 24;

/// The terminal stdout goes to, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Columns available.
    pub width: usize,
    /// Rows of a screen.
    pub height: usize,
    /// Colour wanted.
    pub colour: bool,
}

impl Terminal {
    /// Looks at stdout and the environment.
    pub fn detect() -> Self {
        let tty = std::io::stdout().is_terminal();
        let size = if tty { console::Term::stdout().size_checked() } else { None };
        let var = |key: &str| std::env::var(key).ok();
        let columns = var("COLUMNS").and_then(|v| v.trim().parse::<usize>().ok()).filter(|w| *w >= 40);
        Self {
            width: columns.or(size.map(|(_, w)| usize::from(w))).filter(|w| *w >= 40).unwrap_or(DEFAULT_WIDTH),
            height: size.map(|(h, _)| usize::from(h)).filter(|h| *h >= 10).unwrap_or(DEFAULT_HEIGHT),
            colour: colour_wanted(tty, var),
        }
    }
}

/// The colour decision for stdout being a terminal (`tty`) and the
/// environment `var`.
fn colour_wanted(tty: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if var("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    tty && var("TERM").as_deref() != Some("dumb") && var("CLICOLOR").as_deref() != Some("0")
}

#[cfg(test)]
mod tests {
    use super::colour_wanted;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    }

    #[test]
    fn colour_only_on_a_terminal_and_never_under_no_color() {
        assert!(colour_wanted(true, env(&[])));
        assert!(!colour_wanted(false, env(&[])), "piped: no colour");
        assert!(!colour_wanted(true, env(&[("NO_COLOR", "1")])));
        assert!(!colour_wanted(true, env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])), "NO_COLOR wins");
        assert!(colour_wanted(true, env(&[("NO_COLOR", "")])), "an empty NO_COLOR is unset");
        assert!(colour_wanted(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!colour_wanted(true, env(&[("TERM", "dumb")])));
        assert!(!colour_wanted(true, env(&[("CLICOLOR", "0")])));
    }
}

//! How a gate [`Verdict`] is shown: a diff table for the terminal, JUnit
//! XML for CI systems, and markdown for a pull-request comment.
//!
//! The table and the markdown list every failing check, then the headline
//! metrics of every strategy, so a passing gate still shows where each
//! strategy stands. JUnit has one test case per (point, strategy, metric),
//! classname = the strategy, failing when the check fails.

use crate::gate::{Check, Mode, Outcome, Verdict};
use crate::table::HEADLINE;
use echelon_sim::metrics::METRICS;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

fn number(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// The rows worth showing: failures first, then the inconclusive checks,
/// then the other headline metrics.
fn shown(verdict: &Verdict) -> Vec<&Check> {
    let failing = |c: &&Check| c.outcome.fails(verdict.strict);
    let mut rows: Vec<&Check> = verdict.failures().collect();
    rows.extend(verdict.inconclusive().filter(|c| !failing(c)));
    rows.extend(
        verdict
            .checks
            .iter()
            .filter(|c| !failing(c) && c.outcome != Outcome::Inconclusive && HEADLINE.contains(&METRICS[c.metric].key)),
    );
    rows
}

/// The result column: the outcome's word, and for an inconclusive check
/// the replications that would likely resolve it.
fn result(c: &Check) -> String {
    match (c.outcome, c.resolve_at) {
        (Outcome::Inconclusive, Some(n)) => format!("inconclusive (~{n} replications would tell)"),
        (Outcome::Inconclusive, None) if c.difference.n < 2 => "inconclusive (needs ≥ 2 replications)".into(),
        (Outcome::Inconclusive, None) => "inconclusive (the difference sits on the tolerance)".into(),
        (outcome, _) => outcome.word().to_string(),
    }
}

fn cells(c: &Check) -> [String; 7] {
    let [lo, hi] = c.interval;
    let point: Vec<String> = c.params.iter().map(|(p, v)| format!("{p}={v}")).collect();
    [
        if point.is_empty() { c.strategy.clone() } else { format!("{} @ {}", c.strategy, point.join(", ")) },
        METRICS[c.metric].key.to_string(),
        number(c.baseline),
        number(c.current),
        format!("{} [{}, {}]", number(c.difference.mean), number(lo), number(hi)),
        format!("±{}", number(c.tolerance)),
        result(c),
    ]
}

const COLUMNS: [&str; 7] =
    ["strategy", "metric", "baseline", "current", "difference [interval]", "tolerance", "result"];

fn headline(verdict: &Verdict) -> String {
    let failures = verdict.failures().count();
    let mode = match verdict.mode {
        Mode::Statistical => "statistical",
        Mode::Exact => "exact",
    };
    let status = if failures == 0 { "PASS" } else { "FAIL" };
    let intervals = match verdict.mode {
        Mode::Statistical => "; intervals family-wise 95% over the gated checks",
        Mode::Exact => "",
    };
    let inconclusive = match verdict.inconclusive().count() {
        0 => String::new(),
        n if verdict.strict => format!(", {n} inconclusive (counted as failures: --fail-on-inconclusive)"),
        n => format!(", {n} inconclusive (pass unless --fail-on-inconclusive)"),
    };
    format!("{status}: {failures} of {} checks failed{inconclusive} ({mode} mode{intervals})", verdict.checks.len())
}

/// The terminal diff table and the verdict line.
pub fn table(verdict: &Verdict) -> String {
    let mut rows = vec![COLUMNS.map(String::from)];
    rows.extend(shown(verdict).into_iter().map(cells));
    let widths: Vec<usize> =
        (0..COLUMNS.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for note in &verdict.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (text, w))| if c < 2 || c == 6 { format!("{text:<w$}") } else { format!("{text:>w$}") })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
        }
    }
    let _ = writeln!(out, "{}", headline(verdict));
    out
}

/// A markdown summary for a pull-request comment.
pub fn markdown(verdict: &Verdict, scenario: &str) -> String {
    let mut out = format!("### Echelon gate — `{scenario}`: {}\n\n", headline(verdict));
    for note in &verdict.notes {
        let _ = writeln!(out, "> {note}\n");
    }
    let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(COLUMNS.len()));
    for c in shown(verdict) {
        let row = cells(c).map(|cell| cell.replace('|', "\\|"));
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

/// JUnit XML: one test case per check.
pub fn junit(verdict: &Verdict, scenario: &str) -> String {
    let mut suite = TestSuite::new(format!("echelon check {scenario}"));
    for c in &verdict.checks {
        let [_, _, base, cur, diff, tol, word] = cells(c);
        let status = if c.outcome.fails(verdict.strict) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!("{word}: {} moved from {base} to {cur}", METRICS[c.metric].key));
            status.set_description(format!("difference {diff}, tolerance {tol}; paired: {}", c.paired));
            status
        } else if c.outcome == Outcome::Inconclusive {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("{word}: difference {diff}, tolerance {tol}"));
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(c.name(), status);
        case.set_classname(c.strategy.clone());
        suite.add_test_case(case);
    }
    let mut report = Report::new("echelon");
    report.add_test_suite(suite);
    report.to_string().expect("JUnit of plain strings serialises")
}

//! A deterministic mutation fuzzer over every bundled scenario and a CSV
//! history: no mutant panics, aborts or hangs; every refused mutant gets one
//! printable line naming the file at fault (exit class 2).
//!
//! Each mutant applies one to three seeded mutations — byte flips, token
//! deletions and duplications, numbers swapped with 0, −1, 1e308, NaN, inf,
//! 2⁶⁴ and friends, deep nesting, a byte-order mark, CRLF or CR-only line
//! endings, hostile unicode and hostile names — then goes through what
//! `validate` does in-process ([`Scenario::load`], [`Study::new`]); a mutant
//! that validates is run briefly (horizon ≤ 20 days, one replication, one
//! run for each of the first two strategies at the first sweep point, and
//! every tenth mutant the representative trace), clamped by the harness so each run is tiny.
//!
//! `cargo test --test fuzz` runs [`DEFAULT_MUTANTS`]; set
//! `ECHELON_FUZZ_MUTANTS=100000` (and optionally `ECHELON_FUZZ_SEED`) for a
//! longer campaign. A failing mutant is written to
//! `target/fuzz-failures/` for reproduction.

use echelon::runner::{self, Hooks};
use echelon::scenario::Scenario;
use echelon::sim::rng::Stream;
use echelon::study::{Coordinate, Study};
use rand::{RngExt, SeedableRng};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Mutants in the default (`cargo test`) mode.
const DEFAULT_MUTANTS: u64 = 5_000;

/// A mutant that makes no progress for this long is reported as a hang
/// (the process aborts with the mutant's number; nothing else is timed).
const HANG: Duration = Duration::from_secs(120);

const HISTORY_SCENARIO: &str = r#"Scenario(
    name: "history",
    experiment: (horizon_days: 30, warmup_days: 0, replications: 1, seed: 4),
    skus: [(id: "drill", unit_cost: 50.0), (id: "bits", unit_cost: 3.0)],
    suppliers: [(id: "s")],
    locations: [(id: "wh-north"), (id: "wh-south")],
    lanes: [
        (from: "s", to: "wh-north", lead_time: Constant(days: 2.0)),
        (from: "s", to: "wh-south", lead_time: Constant(days: 2.0)),
    ],
    demand: [],
    history: (file: "history.csv", mode: Bootstrap),
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units(40)))],
)"#;

const HISTORY_CSV: &str = "date,location,sku,quantity,note\n\
2025-01-30,wh-north,drill,4,\n\
2025-01-30,wh-north,drill,2,second order\n\
2025-02-01,wh-north,drill,9,\n\
2025-01-31,wh-south,bits,30,\"quoted, with comma\"\n\
2025-02-03,wh-south,drill,0,\n";

/// What a mutant is built from: a scenario (`csv: false`) or the history
/// CSV beside [`HISTORY_SCENARIO`] (`csv: true`).
struct Seed {
    name: String,
    text: String,
    csv: bool,
}

fn seeds() -> Vec<Seed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["scenarios", "scenarios/golden"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "bundled scenarios not found: {files:?}");
    let mut seeds: Vec<Seed> = files
        .iter()
        .map(|p| Seed {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).unwrap(),
            csv: false,
        })
        .collect();
    seeds.push(Seed { name: "history.ron".into(), text: HISTORY_SCENARIO.into(), csv: false });
    seeds.push(Seed { name: "history.csv".into(), text: HISTORY_CSV.into(), csv: true });
    seeds
}

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-inf",
    "18446744073709551616",
    "9223372036854775807",
    "4294967296",
    "1e-300",
    "-0",
    "0.5",
    "1e9",
    "99999",
];

const HOSTILE: &[&str] = &[
    "=1+2",
    "<script>alert(1)</script>",
    "a\u{1b}[31mred",
    "line\nbreak",
    "bidi\u{202e}txt",
    "a|b",
    "",
    " ",
    "@SUM(A1)",
    "x,y",
    "é",
    "\u{1F600}",
    "../../etc/passwd",
    "/proc/self/environ",
    "9999999999-01-01",
];

const UNICODE: &[&str] = &["\u{feff}", "\u{202e}", "é", "\u{1b}", "\u{0}", "𝔘", "\u{85}", "\u{2028}", "\r", "\u{7f}"];

/// Tokens: runs of identifier/number characters, strings, or single
/// characters.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
        } else if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b"_.-+".contains(&bytes[i])) {
                i += 1;
            }
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
        out.push((start, i));
    }
    out
}

fn is_number(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit() || c == '-') && token.parse::<f64>().is_ok()
}

fn pick<'a, T>(rng: &mut Stream, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One mutation of `bytes`.
fn mutate(rng: &mut Stream, bytes: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let toks = tokens(&text);
    let splice = |bytes: &mut Vec<u8>, (a, b): (usize, usize), with: &[u8]| {
        bytes.splice(a..b, with.iter().copied());
    };
    if bytes.is_empty() || toks.is_empty() {
        bytes.extend_from_slice(pick(rng, HOSTILE).as_bytes());
        return;
    }
    // Work on the lossy text's bytes so token offsets line up.
    *bytes = text.into_bytes();
    let text = String::from_utf8_lossy(bytes).into_owned();
    match rng.random_range(0..12u32) {
        0 => {
            let at = rng.random_range(0..bytes.len());
            bytes[at] ^= 1 << rng.random_range(0..8u32);
        }
        1 => {
            let at = rng.random_range(0..bytes.len());
            bytes[at] = rng.random();
        }
        2 => {
            let t = *pick(rng, &toks);
            splice(bytes, t, b"");
        }
        3 => {
            let t = *pick(rng, &toks);
            let copy = bytes[t.0..t.1].to_vec();
            splice(bytes, (t.1, t.1), &copy);
        }
        4 | 5 => {
            let numbers: Vec<(usize, usize)> = toks.iter().copied().filter(|&(a, b)| is_number(&text[a..b])).collect();
            if let Some(&t) = numbers.get(rng.random_range(0..numbers.len().max(1))) {
                splice(bytes, t, pick(rng, NUMBERS).as_bytes());
            }
        }
        6 => {
            let open = *pick(rng, &["(", "[", "{"]);
            let depth = rng.random_range(1..5_000usize);
            let at = pick(rng, &toks).0;
            splice(bytes, (at, at), open.repeat(depth).as_bytes());
        }
        7 => {
            let mut with = "\u{feff}".as_bytes().to_vec();
            with.append(bytes);
            *bytes = with;
        }
        8 => {
            let ending = if rng.random::<bool>() { "\r\n" } else { "\r" };
            *bytes = text.replace('\n', ending).into_bytes();
        }
        9 => {
            let at = pick(rng, &toks).0;
            splice(bytes, (at, at), pick(rng, UNICODE).as_bytes());
        }
        10 => {
            let strings: Vec<(usize, usize)> =
                toks.iter().copied().filter(|&(a, b)| b - a >= 2 && text[a..b].starts_with('"')).collect();
            let fields: Vec<(usize, usize)> = if strings.is_empty() {
                toks.iter().copied().filter(|&(a, b)| text[a..b].chars().all(char::is_alphanumeric)).collect()
            } else {
                strings
            };
            if let Some(&t) = fields.get(rng.random_range(0..fields.len().max(1))) {
                let quoted = format!("\"{}\"", pick(rng, HOSTILE).replace('\n', "\\n"));
                let with = if text[t.0..t.1].starts_with('"') { quoted } else { pick(rng, HOSTILE).to_string() };
                splice(bytes, t, with.as_bytes());
            }
        }
        _ => {
            let cut = rng.random_range(0..bytes.len());
            bytes.truncate(cut);
        }
    }
}

/// Makes a parsed mutant's run tiny.
fn clamp(file: &mut echelon::scenario::file::ScenarioFile) {
    let e = &mut file.experiment;
    e.horizon_days = e.horizon_days.min(20);
    e.warmup_days = e.warmup_days.min(e.horizon_days.saturating_sub(1));
    e.replications = e.replications.min(1);
    for c in &mut file.catalogue {
        c.count = c.count.min(12);
    }
    // Event-driven demand is simulated order by order: a mutant's 1e9
    // orders a day would run for hours (the CLI's work budget refuses more
    // than 1e11 a run; here the horizon is already cut to 20 days).
    for d in &mut file.demand {
        if let echelon::scenario::file::DemandModelFile::Orders { rate_per_day, .. } = &mut d.model {
            *rate_per_day = rate_per_day.min(1e4);
        }
    }
    file.sweep.truncate(2);
    for s in &mut file.sweep {
        if let Some(values) = &mut s.values {
            values.truncate(2);
        }
        if let Some(r) = &mut s.range {
            r.to = r.to.min(r.from + r.step);
        }
    }
}

/// What became of a mutant.
#[derive(Debug, Default)]
struct Tally {
    refused: u64,
    ran: u64,
}

/// Checks one mutant; `Err` describes a failure.
fn check(dir: &Path, seed: &Seed, bytes: &[u8], tally: &mut Tally) -> Result<(), String> {
    let (scenario_path, csv_path) =
        (dir.join(if seed.csv { "history.ron" } else { &seed.name }), dir.join("history.csv"));
    if seed.csv {
        std::fs::write(&scenario_path, HISTORY_SCENARIO).unwrap();
        std::fs::write(&csv_path, bytes).unwrap();
    } else {
        std::fs::write(&scenario_path, bytes).unwrap();
        std::fs::write(&csv_path, HISTORY_CSV).unwrap();
    }
    // A mutated history scenario may make the CSV name unknown ids: the
    // CSV is then the file at fault.
    let blamed: &[&str] =
        if seed.name.starts_with("history") { &["history.ron", "history.csv"] } else { &[&seed.name] };
    let refused = |e: &dyn std::fmt::Display, tally: &mut Tally| {
        let line = e.to_string();
        tally.refused += 1;
        if line.contains('\n') || line.contains('\r') || line.chars().any(|c| c.is_control()) {
            return Err(format!("message is not one printable line: {line:?}"));
        }
        if !blamed.iter().any(|name| line.contains(name)) {
            return Err(format!("message names no file ({blamed:?}): {line}"));
        }
        Ok(())
    };
    // `validate`: the file as written.
    let loaded = Scenario::load(&scenario_path).and_then(Study::new);
    let study = match loaded {
        Ok(study) => study,
        Err(e) => return refused(&e, tally),
    };
    // `run`, clamped by the harness.
    let mut file = study.base.file.clone();
    clamp(&mut file);
    let study = match Scenario::from_parts(&scenario_path, study.base.source.clone(), file).and_then(Study::new) {
        Ok(study) => study,
        Err(e) => return refused(&e, tally),
    };
    let strategies = study.base.file.strategies.len().min(2);
    let coordinates = (0..strategies).map(|strategy| Coordinate { point: 0, strategy, replication: 0 }).collect();
    let outcome = runner::execute_runs(&study, 1, coordinates, &Hooks::default());
    for record in &outcome.records {
        if record.network.iter().any(|v| v.is_infinite()) {
            return Err(format!("an infinite metric: {:?}", record.network));
        }
    }
    if tally.ran % 10 == 0 {
        let _ = runner::representative(&study, &[]);
    }
    tally.ran += 1;
    Ok(())
}

#[test]
fn mutated_scenarios_and_histories_never_panic_hang_or_give_an_unlocated_error() {
    let mutants: u64 =
        std::env::var("ECHELON_FUZZ_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MUTANTS);
    let campaign: u64 = std::env::var("ECHELON_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(14);
    let seeds = seeds();
    let tmp = tempfile::tempdir().unwrap();
    let progress = std::sync::Arc::new(AtomicU64::new(0));
    let watched = progress.clone();
    std::thread::spawn(move || {
        let (mut last, mut since) = (u64::MAX, Instant::now());
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = watched.load(Ordering::SeqCst);
            if now != last {
                (last, since) = (now, Instant::now());
            } else if since.elapsed() > HANG {
                eprintln!("fuzz: mutant {now} made no progress for {HANG:?}: a hang");
                std::process::abort();
            }
        }
    });
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let started = Instant::now();
    let verbose = std::env::var_os("ECHELON_FUZZ_VERBOSE").is_some();
    for n in 0..mutants {
        progress.store(n, Ordering::SeqCst);
        if verbose {
            eprintln!("fuzz: mutant {n}");
        }
        let mut rng = Stream::seed_from_u64(campaign.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n);
        let seed = &seeds[(n % seeds.len() as u64) as usize];
        let mut bytes = seed.text.clone().into_bytes();
        for _ in 0..rng.random_range(1..=3u32) {
            mutate(&mut rng, &mut bytes);
        }
        let dir = tmp.path().join(format!("m{}", n % 4));
        std::fs::create_dir_all(&dir).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| check(&dir, seed, &bytes, &mut tally)));
        let failure = match result {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(panic) => format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
        };
        let saved = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&saved);
        let name = format!("{campaign}-{n}-{}", seed.name);
        let _ = std::fs::write(saved.join(&name), &bytes);
        failures.push(format!("mutant {n} of {} ({name}): {failure}", seed.name));
    }
    eprintln!(
        "fuzz: {mutants} mutants (campaign {campaign}) in {:.1} s: {} refused with a located message, {} ran, {} failures",
        started.elapsed().as_secs_f64(),
        tally.refused,
        tally.ran,
        failures.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(tally.ran > mutants / 50, "too few mutants ran ({}); the mutations are too destructive", tally.ran);
}

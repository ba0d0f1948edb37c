//! The fault catalogue: what holds on the output side when a study is
//! killed, its log is duplicated, tampered with or torn, two writers meet,
//! results are symlinked, the disk fills, stdout goes away, or a study
//! would not fit the machine. README "Guarantees" names these tests.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_echelon");

fn echelon(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `run` of quickstart with `replications` into `out`, plus `extra`.
fn quickstart(out: &Path, replications: u32, extra: &[&str]) -> Output {
    let out = out.display().to_string();
    let replications = replications.to_string();
    let mut args =
        vec!["run", "scenarios/quickstart.ron", "--replications", &replications, "--threads", "2", "-q", "--out", &out];
    args.extend(extra);
    args.extend(["--format", "json"]);
    echelon(&args)
}

fn ok(output: &Output) {
    assert!(output.status.success(), "exit {:?}: {}", output.status.code(), text(&output.stderr));
}

/// Exit 2 (never a panic) with `needle` in the message.
fn refused(output: &Output, code: i32, needle: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
}

/// Every file a finished study writes that must not depend on how it got
/// there (timing.json aside).
const DETERMINISTIC: [&str; 6] =
    ["summary.json", "runs.csv", "runs.jsonl", "report.html", "trace.json", "charts/fill-rate-by-replication.svg"];

fn assert_same_results(a: &Path, b: &Path) {
    for file in DETERMINISTIC {
        let (x, y) = (std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap());
        assert!(x == y, "{file} differs between {} and {}", a.display(), b.display());
    }
}

/// An uninterrupted quickstart study with `replications`, for reference.
fn reference(root: &Path, replications: u32) -> PathBuf {
    let dir = root.join(format!("reference-{replications}"));
    ok(&quickstart(&dir, replications, &[]));
    dir
}

fn log_lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("runs.jsonl")).unwrap().lines().map(str::to_string).collect()
}

fn write_log(dir: &Path, lines: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("runs.jsonl"), lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
}

/// `line` (a log line) with `edit` applied to its JSON and its checksum
/// recomputed, as a careful forger would.
fn resealed(line: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("crc");
    edit(&mut value);
    let body = serde_json::to_string(&value).unwrap();
    let crc = crc32fast::hash(body.as_bytes());
    format!("{},\"crc\":\"{crc:08x}\"}}", &body[..body.len() - 1])
}

#[test]
fn a_duplicated_log_line_is_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 3);
    let mut lines = log_lines(&whole);
    let dup = lines[2].clone();
    lines.insert(3, dup.clone());
    lines.push(dup);
    let resumed = tmp.path().join("dup");
    write_log(&resumed, &lines);
    ok(&quickstart(&resumed, 3, &["--resume"]));
    assert_same_results(&whole, &resumed);
    // `report` of a finished log with a duplicate: n stays 3.
    write_log(&resumed, &lines);
    ok(&echelon(&["report", &resumed.display().to_string()]));
    assert_eq!(std::fs::read(resumed.join("report.html")).unwrap(), std::fs::read(whole.join("report.html")).unwrap());
}

#[test]
fn duplicates_with_different_values_are_refused_naming_both_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 3);
    let mut lines = log_lines(&whole);
    let forged = resealed(&lines[2], |v| v["network"][0] = serde_json::json!(0.123));
    lines.push(forged);
    let dir = tmp.path().join("conflict");
    write_log(&dir, &lines);
    let last = lines.len();
    refused(&quickstart(&dir, 3, &["--resume"]), 2, &format!("runs.jsonl:{last}: point 0, strategy 0, replication 1"));
    refused(&echelon(&["report", &dir.display().to_string()]), 2, "also at line 3 with different values");
}

#[test]
fn tampered_torn_and_foreign_lines_are_refused_never_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 3);
    let lines = log_lines(&whole);
    let cases: Vec<(&str, String, &str)> = vec![
        ("edited number", lines[4].replacen("\"network\":[0.", "\"network\":[1.", 1), "checksum mismatch"),
        ("no nodes", resealed(&lines[4], |v| v["nodes"] = serde_json::json!([])), "0 node metric vectors"),
        ("extra event", resealed(&lines[4], |v| v["events"] = serde_json::json!([[1.0, 2.0]])), "1 event impacts"),
        ("strategy out of range", resealed(&lines[4], |v| v["strategy"] = serde_json::json!(9)), "strategy 9"),
        ("replication out of range", resealed(&lines[4], |v| v["replication"] = serde_json::json!(3)), "out of range"),
        ("short metrics", resealed(&lines[4], |v| v["network"] = serde_json::json!([1.0])), "number of metrics"),
        ("two lines glued", format!("{}{}", &lines[4][..30], lines[5]), "runs.jsonl:5"),
    ];
    for (name, bad, needle) in cases {
        let dir = tmp.path().join(name.replace(' ', "-"));
        let mut tampered = lines.clone();
        tampered[4] = bad;
        write_log(&dir, &tampered);
        refused(&quickstart(&dir, 3, &["--resume"]), 2, needle);
        refused(&echelon(&["report", &dir.display().to_string()]), 2, needle);
    }
    // A torn last line (no newline) is a write cut short: ignored.
    let dir = tmp.path().join("torn");
    let mut torn: String = lines[..6].iter().map(|l| format!("{l}\n")).collect();
    torn += &lines[6][..40];
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("runs.jsonl"), torn).unwrap();
    ok(&quickstart(&dir, 3, &["--resume"]));
    assert_same_results(&whole, &dir);
}

#[test]
fn logs_of_another_metric_set_or_format_are_refused_with_the_version() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 2);
    let mut lines = log_lines(&whole);
    lines[0] = resealed(&lines[0], |v| {
        v["metric_set"] = serde_json::json!(4);
        v["echelon_version"] = serde_json::json!("0.0.9");
    });
    let dir = tmp.path().join("old-metrics");
    write_log(&dir, &lines);
    refused(&quickstart(&dir, 2, &["--resume"]), 2, "written by Echelon 0.0.9 with metric set 4");
    // A format-1 log (no checksums) names its format.
    let mut old = log_lines(&whole);
    let mut header: serde_json::Value = serde_json::from_str(&old[0]).unwrap();
    header.as_object_mut().unwrap().remove("crc");
    header["echelon_run_log"] = serde_json::json!(1);
    old[0] = serde_json::to_string(&header).unwrap();
    let dir = tmp.path().join("format-1");
    write_log(&dir, &old);
    refused(&echelon(&["report", &dir.display().to_string()]), 2, "run-log format 1");
    // Another binary version with the same metric set is accepted.
    let mut lines = log_lines(&whole);
    lines[0] = resealed(&lines[0], |v| v["echelon_version"] = serde_json::json!("0.0.9"));
    let dir = tmp.path().join("other-version");
    write_log(&dir, &lines);
    ok(&echelon(&["report", &dir.display().to_string()]));
}

#[test]
fn merge_keeps_exact_duplicates_once_and_refuses_conflicting_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 2);
    let copy = tmp.path().join("copy");
    write_log(&copy, &log_lines(&whole));
    let merged = tmp.path().join("merged");
    let (w, c, m) = (whole.display().to_string(), copy.display().to_string(), merged.display().to_string());
    ok(&echelon(&["merge", &w, &c, "--out", &m]));
    for file in ["summary.json", "runs.csv", "runs.jsonl"] {
        assert_eq!(std::fs::read(whole.join(file)).unwrap(), std::fs::read(merged.join(file)).unwrap(), "{file}");
    }
    let mut lines = log_lines(&whole);
    lines[3] = resealed(&lines[3], |v| v["network"][1] = serde_json::json!(0.5));
    write_log(&copy, &lines);
    refused(&echelon(&["merge", &w, &c, "--out", &m]), 2, "with different values");
    // A missing run is named, and the count never exceeds the study.
    let mut lines = log_lines(&whole);
    lines.remove(3);
    write_log(&copy, &lines);
    refused(&echelon(&["merge", &c, "--out", &m]), 2, "hold 7 of the study's 8 runs (the first missing is point 0");
}

#[test]
fn a_second_writer_is_refused_naming_the_holders_pid() {
    use fs4::FileExt;
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("locked");
    std::fs::create_dir_all(&dir).unwrap();
    let mut lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".echelon.lock"))
        .unwrap();
    FileExt::try_lock(&lock).unwrap();
    write!(lock, "{}", std::process::id()).unwrap();
    let holder = format!("PID {}", std::process::id());
    refused(&quickstart(&dir, 2, &[]), 3, &holder);
    refused(&echelon(&["report", &dir.display().to_string()]), 3, &holder);
    assert!(!dir.join("runs.jsonl").exists(), "the refused writer wrote nothing");
    // The holder gone (its lock released), its PID left behind: taken over.
    drop(lock);
    let output = quickstart(&dir, 2, &[]);
    ok(&output);
    assert!(text(&output.stderr).contains("which is gone"), "{}", text(&output.stderr));
}

#[test]
fn a_resume_beside_a_running_study_is_refused_naming_its_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    let mut first = spawn_quickstart(&dir, 40, &["--set", "experiment.horizon_days=20000"]);
    assert!(wait_for_lines(&mut first, &dir.join("runs.jsonl"), 1), "the first study started");
    let second = quickstart(&dir, 40, &["--set", "experiment.horizon_days=20000", "--resume"]);
    let still_running = first.try_wait().unwrap().is_none();
    first.kill().unwrap();
    first.wait().unwrap();
    if still_running {
        refused(&second, 3, &format!("(PID {})", first.id()));
    }
    // Whatever happened, the log is one writer's: every line checks.
    echelon::runlog::read(&dir.join("runs.jsonl")).unwrap();
}

#[test]
fn result_files_are_never_written_through_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("precious.txt");
    std::fs::write(&target, "keep me").unwrap();
    for name in ["runs.jsonl", "summary.json", "charts"] {
        let dir = tmp.path().join(format!("linked-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(&target, dir.join(name)).unwrap();
        refused(&quickstart(&dir, 2, &[]), 2, "is a symbolic link");
        refused(&quickstart(&dir, 2, &["--force"]), 2, "is a symbolic link");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    }
}

#[test]
fn a_finished_or_different_study_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = reference(tmp.path(), 2);
    let before = std::fs::read(dir.join("runs.jsonl")).unwrap();
    refused(&quickstart(&dir, 2, &[]), 2, "already holds the finished results of this study");
    refused(&quickstart(&dir, 2, &["--seed", "7"]), 2, "results of another study");
    assert_eq!(std::fs::read(dir.join("runs.jsonl")).unwrap(), before);
    // An unfinished one: --resume or --force.
    let lines = log_lines(&dir);
    let part = tmp.path().join("part");
    write_log(&part, &lines[..4]);
    refused(&quickstart(&part, 2, &[]), 2, "unfinished run of this study (3 of 8 runs)");
    // --force replaces, and removes the old summary at once, and the old
    // charts (a sweep's per-point charts must not sit among a single
    // study's), leaving other files alone.
    std::fs::write(dir.join("charts/fill_rate-p7.svg"), "<svg/>").unwrap();
    std::fs::write(dir.join("charts/notes.txt"), "mine").unwrap();
    let output = quickstart(&dir, 2, &["--seed", "7", "--force"]);
    ok(&output);
    assert!(text(&output.stderr).contains("--force: replacing"));
    assert_ne!(std::fs::read(dir.join("runs.jsonl")).unwrap(), before);
    assert!(!dir.join("charts/fill_rate-p7.svg").exists(), "a stale chart was left");
    assert_eq!(std::fs::read_to_string(dir.join("charts/notes.txt")).unwrap(), "mine");
}

#[test]
fn temporary_files_a_killed_writer_left_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tmpfiles");
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    std::fs::write(dir.join(".echelon-tmp-AbC123"), vec![0u8; 4096]).unwrap();
    std::fs::write(dir.join("charts/.echelon-tmp-xyz.png"), b"half").unwrap();
    std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
    let output = quickstart(&dir, 2, &[]);
    ok(&output);
    assert!(text(&output.stderr).contains("removed 2 temporary file(s)"), "{}", text(&output.stderr));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("charts")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".echelon-tmp-")), "{names:?}");
    assert!(names.contains(&"notes.txt".to_string()), "other files are left alone");
}

/// Waits (polling, no timing assumption) until `path` holds at least
/// `lines` complete lines or `child` exits; true when the lines came first.
fn wait_for_lines(child: &mut std::process::Child, path: &Path, lines: usize) -> bool {
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.matches('\n').count() >= lines {
                return true;
            }
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

fn spawn_quickstart(dir: &Path, replications: u32, extra: &[&str]) -> std::process::Child {
    let replications = replications.to_string();
    Command::new(BIN)
        .args(["run", "scenarios/quickstart.ron", "--replications", &replications, "--threads", "2", "-q", "--out"])
        .arg(dir)
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn killed_at_any_moment_then_resumed_gives_the_bytes_of_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 40);
    let mut killed_mid_study = 0;
    // Kill after 1 (the header only), 2, 40 and 150 lines of 161.
    for lines in [1, 2, 40, 150] {
        let dir = tmp.path().join(format!("killed-{lines}"));
        let mut child = spawn_quickstart(&dir, 40, &[]);
        if wait_for_lines(&mut child, &dir.join("runs.jsonl"), lines) {
            child.kill().unwrap();
            killed_mid_study += 1;
        }
        child.wait().unwrap();
        let resumed = quickstart(&dir, 40, &["--resume"]);
        ok(&resumed);
        assert_same_results(&whole, &dir);
    }
    assert!(killed_mid_study >= 2, "the kills should land mid-study");
}

#[test]
fn reports_after_a_resume_do_not_depend_on_the_order_runs_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = reference(tmp.path(), 5);
    let lines = log_lines(&whole);
    // Runs finished in reverse order, the last five still to do.
    let mut shuffled = vec![lines[0].clone()];
    shuffled.extend(lines[6..].iter().rev().cloned());
    let dir = tmp.path().join("reversed");
    write_log(&dir, &shuffled);
    ok(&quickstart(&dir, 5, &["--resume"]));
    assert_same_results(&whole, &dir);
    let charts = |d: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(d.join("charts")).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        names.into_iter().map(|p| std::fs::read(p).unwrap()).collect::<Vec<_>>()
    };
    assert!(charts(&whole) == charts(&dir), "every chart is byte-identical");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pipe");
    let mut child = Command::new(BIN)
        .args(["run", "scenarios/quickstart.ron", "--replications", "3", "--threads", "2", "-q", "--format", "json"])
        .arg("--out")
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then dropped: like `head -c 100`
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("panicked"));
    assert!(dir.join("summary.json").exists());
}

#[test]
fn resource_bombs_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = |name: &str| tmp.path().join(name);
    // 10⁷ replications: the run records alone exceed any machine here.
    refused(&quickstart(&out("reps"), 10_000_000, &[]), 2, "--allow-large");
    // A ~1e9-day lead time: its receipt wheel alone is tens of GiB.
    refused(&quickstart(&out("lead"), 2, &["--set", "lanes[0].lead_time.mean_days=1e9"]), 2, "of memory but");
    // 1e9 customer orders a day: hours per run.
    let scenario = out("orders.ron");
    std::fs::write(
        &scenario,
        common::single_location(
            "Orders(rate_per_day: 1e9, size: Fixed(units: 1.0))",
            "Constant(days: 2.0)",
            "Backorder",
            "(name: \"p\", replenishment: OneForOne(base_stock: Units(15)))",
            "(horizon_days: 365, warmup_days: 0, replications: 1, seed: 3)",
        ),
    )
    .unwrap();
    let orders = echelon(&["run", &scenario.display().to_string(), "--out", &out("o").display().to_string()]);
    refused(&orders, 2, "over the limit");
    let validate = echelon(&["validate", &scenario.display().to_string()]);
    assert!(text(&validate.stdout).contains("over the work limit"), "{}", text(&validate.stdout));
    // A catalogue of 10⁸ SKUs at 2 locations: refused before the model is built.
    let ci = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci.ron")).unwrap();
    let huge = out("huge.ron");
    std::fs::write(&huge, ci.replacen("catalogue: [(count: 12,", "catalogue: [(count: 100000000,", 1)).unwrap();
    let huge = huge.display().to_string();
    refused(&echelon(&["validate", &huge]), 2, "200000000 SKU-locations) needs about");
    refused(&echelon(&["run", &huge, "--out", &out("huge").display().to_string()]), 2, "--allow-large");
    for name in ["reps", "lead", "o", "huge"] {
        assert!(!out(name).exists(), "{name}: refused before the results directory was made");
    }
    // Threads are capped, with a message.
    let threads = out("threads").display().to_string();
    let output =
        echelon(&["run", "scenarios/quickstart.ron", "--replications", "1", "--threads", "100000", "--out", &threads]);
    ok(&output);
    assert!(text(&output.stderr).contains("--threads 100000 capped at"), "{}", text(&output.stderr));
}

#[test]
fn ctrl_c_stops_runs_in_flight_and_logs_only_whole_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("interrupted");
    // Long runs: a 20,000-day horizon, so the interrupt lands mid-run.
    let mut child = spawn_quickstart(&dir, 40, &["--set", "experiment.horizon_days=20000"]);
    assert!(wait_for_lines(&mut child, &dir.join("runs.jsonl"), 1), "the study started");
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--resume"));
    // Whatever was logged is whole runs a report can trust.
    let log = echelon::runlog::read(&dir.join("runs.jsonl")).unwrap();
    assert!(log.records.len() < 160);
}

/// A second Ctrl-C does not wait for the runs in flight: the process exits
/// 130 at once, and the log it leaves holds whole runs that `--resume`
/// completes.
#[test]
fn a_second_ctrl_c_exits_at_once_with_the_log_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("twice");
    let mut child = spawn_quickstart(&dir, 40, &["--set", "experiment.horizon_days=20000"]);
    assert!(wait_for_lines(&mut child, &dir.join("runs.jsonl"), 1), "the study started");
    for _ in 0..2 {
        let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("panicked"), "{}", text(&output.stderr));
    let log = echelon::runlog::read(&dir.join("runs.jsonl")).unwrap();
    assert!(log.records.len() < 160);
    let resumed = Command::new(BIN)
        .args(["run", "scenarios/quickstart.ron", "--quiet", "--replications", "40", "--threads", "2"])
        .args(["--set", "experiment.horizon_days=20000", "--resume", "--out"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
}

#[test]
fn a_full_disk_fails_with_exit_3_and_the_log_resumes_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let mount = tmp.path().join("small");
    std::fs::create_dir_all(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=128k", "tmpfs"])
        .arg(&mount)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount permission)");
        return;
    }
    let dir = mount.join("study");
    let full = quickstart(&dir, 3, &[]);
    let copy = tmp.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    if dir.join("runs.jsonl").exists() {
        std::fs::copy(dir.join("runs.jsonl"), copy.join("runs.jsonl")).unwrap();
    }
    let _ = Command::new("umount").arg(&mount).status();
    refused(&full, 3, "No space left on device");
    assert!(leftovers.iter().all(|n| !n.starts_with(".echelon-tmp-")), "{leftovers:?}");
    // Its log holds whole runs: resumed on a roomier disk, the bytes of an
    // uninterrupted run.
    let whole = reference(tmp.path(), 3);
    ok(&quickstart(&copy, 3, &["--resume"]));
    assert_same_results(&whole, &copy);
}

#[test]
fn a_raised_stop_flag_abandons_the_run_at_its_next_day() {
    use echelon::sim::engine::{simulate, simulate_until};
    use std::sync::atomic::AtomicBool;
    let scenario = common::bundled("scenarios/quickstart.ron");
    let allocation = scenario.allocation(0);
    let raised = AtomicBool::new(true);
    assert!(simulate_until(&scenario.model, 0, scenario.policies(0, &*allocation), &raised).is_none());
    // Never raised: the very run `simulate` makes.
    let lowered = AtomicBool::new(false);
    let finished = simulate_until(&scenario.model, 0, scenario.policies(0, &*allocation), &lowered).unwrap();
    let plain = simulate(&scenario.model, 0, scenario.policies(0, &*allocation));
    assert_eq!(finished.network.map(f64::to_bits), plain.network.map(f64::to_bits));
    // A study whose flag is raised reports no run, not a half-done one.
    let study = echelon::study::Study::new(scenario.clone()).unwrap();
    let hooks = echelon::runner::Hooks { on_finish: None, stop: Some(&raised) };
    let outcome = echelon::runner::execute_runs(&study, 2, study.coordinates(), &hooks);
    assert!(outcome.interrupted);
    assert!(outcome.records.is_empty());
}

//! Sharding, merging and resuming give exactly the bytes of one
//! uninterrupted run on one machine.

use std::path::Path;
use std::process::{Command, Output};

fn echelon(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn run(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", "scenarios/quickstart.ron", "--replications", "5", "--threads", "2", "--format", "json"];
    args.extend(extra);
    let output = echelon(&args, out);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn assert_same_results(a: &Path, b: &Path) {
    // trace.json holds every run's series summed (integers): shards' sums
    // add up, and a resumed study simulates its logged runs again for them.
    for file in ["summary.json", "runs.csv", "runs.jsonl", "trace.json", "report.html"] {
        let (x, y) = (std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap());
        assert!(x == y, "{file} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn three_shards_merged_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&whole, &[]);
    let shards: Vec<_> = (0..3).map(|i| tmp.path().join(format!("shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        run(dir, &["--shard", &format!("{i}/3")]);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    let names: Vec<String> = shards.iter().map(|d| d.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = echelon(&args, &merged);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_same_results(&whole, &merged);
    // Two of three shards are not the whole study.
    let out = echelon(&["merge", &names[0], &names[1]], &tmp.path().join("partial"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("of the study's 20 runs"));
}

#[test]
fn resume_after_a_log_cut_mid_line_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&whole, &[]);
    let cut = tmp.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    let log = std::fs::read_to_string(whole.join("runs.jsonl")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let mut partial: String = lines[..8].iter().map(|l| format!("{l}\n")).collect();
    partial += &lines[8][..lines[8].len() / 2];
    std::fs::write(cut.join("runs.jsonl"), partial).unwrap();
    let output = run(&cut, &["--resume"]);
    assert!(output.status.success());
    assert_same_results(&whole, &cut);
}

#[test]
fn bad_shards_merges_and_resumes_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for shard in ["0/0", "4/3", "x/3", "3"] {
        let out = echelon(&["run", "scenarios/quickstart.ron", "--shard", shard], &tmp.path().join("s"));
        assert_eq!(out.status.code(), Some(2), "--shard {shard}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("expected i/n"));
    }
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    run(&a, &[]);
    run(&b, &["--seed", "7"]);
    let out = echelon(&["merge", &a.display().to_string(), &b.display().to_string()], &tmp.path().join("m"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seed 42 vs 7"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = echelon(&["run", "scenarios/golden/C01.ron", "--resume"], &a);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another study"));
}

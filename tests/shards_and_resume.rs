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

/// A resume with other options than the study was started with is refused
/// naming what differs, in the log's and the command's values.
#[test]
fn a_resume_refusal_names_the_difference_from_the_logged_study() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    run(&a, &[]);
    let out = echelon(&["run", "scenarios/quickstart.ron", "--resume", "--replications", "3"], &a);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another study: replications 5 vs 3 (the log's, then this command's)"), "{stderr}");
    assert!(!stderr.contains("None"), "{stderr}");
    let out = echelon(&["run", "scenarios/quickstart.ron", "--resume", "--replications", "5", "--shard", "0/2"], &a);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another study: the whole study vs shard 0/2"), "{stderr}");
}

/// Every variable `--shard auto` reads, removed from a child's environment
/// so the test machine's own (a CI job array) cannot leak in.
const SHARD_VARIABLES: [&str; 7] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "ECHELON_SHARD_COUNT",
];

/// `echelon run quickstart --shard auto` with exactly the variables `vars`.
fn run_shard_auto(out: &Path, vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_echelon"));
    command
        .args(["run", "scenarios/quickstart.ron", "--replications", "5", "--threads", "2", "--format", "json"])
        .args(["--shard", "auto", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in SHARD_VARIABLES {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command.output().unwrap()
}

/// The header's shard of a results directory's run log.
fn logged_shard(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    let first = log.lines().next().unwrap();
    let at = first.find("\"shard\":").expect("a shard in the header");
    first[at..].split(',').next().unwrap().to_string()
}

#[test]
fn shard_auto_reads_slurm_kubernetes_and_aws_batch_arrays() {
    let tmp = tempfile::tempdir().unwrap();
    // Slurm array 1-3 (min 1): task 2 is shard 1/3.
    let slurm = tmp.path().join("slurm");
    let out = run_shard_auto(
        &slurm,
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(logged_shard(&slurm), "\"shard\":\"1/3\"");
    let explicit = tmp.path().join("explicit");
    run(&explicit, &["--shard", "1/3"]);
    assert_same_results(&slurm, &explicit);
    // Kubernetes Indexed Job: JOB_COMPLETION_INDEX, count in ECHELON_SHARD_COUNT.
    let k8s = tmp.path().join("k8s");
    let out = run_shard_auto(&k8s, &[("JOB_COMPLETION_INDEX", "0"), ("ECHELON_SHARD_COUNT", "3")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(logged_shard(&k8s), "\"shard\":\"0/3\"");
    // AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX, count in ECHELON_SHARD_COUNT.
    let aws = tmp.path().join("aws");
    let out = run_shard_auto(&aws, &[("AWS_BATCH_JOB_ARRAY_INDEX", "2"), ("ECHELON_SHARD_COUNT", "3")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(logged_shard(&aws), "\"shard\":\"2/3\"");
    // The three merge into the whole study.
    let merged = tmp.path().join("merged");
    let names: Vec<String> = [&slurm, &k8s, &aws].iter().map(|d| d.display().to_string()).collect();
    let mut args = vec!["merge"];
    args.extend(names.iter().map(String::as_str));
    let out = echelon(&args, &merged);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let whole = tmp.path().join("whole");
    run(&whole, &[]);
    assert_same_results(&whole, &merged);
}

#[test]
fn shard_auto_without_a_job_array_exits_2_naming_the_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_shard_auto(&tmp.path().join("none"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "ECHELON_SHARD_COUNT"] {
        assert!(stderr.contains(name), "{name} not named in: {stderr}");
    }
    assert!(!tmp.path().join("none").exists(), "nothing is written on a refusal");
    let refusals: [(&[(&str, &str)], &str); 6] = [
        (&[("JOB_COMPLETION_INDEX", "1")], "not ECHELON_SHARD_COUNT"),
        (&[("AWS_BATCH_JOB_ARRAY_INDEX", "3"), ("ECHELON_SHARD_COUNT", "3")], "expected 0 ≤ i < n"),
        (&[("AWS_BATCH_JOB_ARRAY_INDEX", "-1"), ("ECHELON_SHARD_COUNT", "3")], "not a whole number"),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ],
            "a step or a list",
        ),
        (&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("ECHELON_SHARD_COUNT", "4")], "disagrees"),
        (&[("SLURM_ARRAY_TASK_ID", "0"), ("JOB_COMPLETION_INDEX", "0")], "several schedulers"),
    ];
    for (vars, why) in refusals {
        let out = run_shard_auto(&tmp.path().join("bad"), vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--shard auto") && stderr.contains(why), "{vars:?}: {stderr}");
    }
}

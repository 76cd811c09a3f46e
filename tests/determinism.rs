//! Every output is byte-identical across runs and parsing thread counts: the same plans,
//! checked twice with one thread and twice with two, give the same bytes in every format
//! (no clock, no hash-map order, no thread interleaving). The synthetic plan is large
//! enough to be parsed, reviewed and costed on two threads.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::Path;
use std::process::Command;

/// Every artefact one configuration writes, by name.
fn outputs(dir: &Path, threads: &str, run: usize) -> Vec<(String, Vec<u8>)> {
    let out = dir.join(format!("t{threads}-r{run}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("mkdir");
    let plans = ["specs/icu_mortality.mla", "specs/kws_edge.mla", "specs/llm_finetune.mla"];
    let synth = dir.join("synth.mla");
    let synth = synth.to_str().expect("utf-8");
    let mut all: Vec<&str> = plans.to_vec();
    all.push(synth);
    let mut got = Vec::new();
    let run_cmd = |args: &[&str]| -> Vec<u8> {
        let o = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
            .args(args)
            .env("MLARCHC_THREADS", threads)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .expect("the binary runs");
        assert!(o.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        let mut b = o.stdout;
        b.extend(o.stderr);
        b
    };
    for format in ["human", "short", "json", "sarif", "github", "junit"] {
        let mut args = vec!["check", "--color", "never", "--format", format];
        args.extend(&all);
        got.push((format!("check --format {format}"), run_cmd(&args)));
    }
    let mut budget = vec!["budget", "--format", "json"];
    budget.extend(&plans);
    got.push(("budget".into(), run_cmd(&budget)));
    for p in plans {
        got.push((format!("report {p}"), run_cmd(&["report", p])));
    }
    // the records name their folder: write each configuration's into `adr` of its own folder
    let plan = std::fs::canonicalize("specs/icu_mortality.mla").expect("plan");
    let o = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(["adr", "--date", "2026-01-01", "--adr-dir", "adr", plan.to_str().expect("utf-8")])
        .env("MLARCHC_THREADS", threads)
        .current_dir(&out)
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(0), "adr: {}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<_> =
        std::fs::read_dir(out.join("adr")).expect("adr dir").filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        got.push((format!("adr {name}"), std::fs::read(&f).expect("read")));
    }
    got
}

#[test]
fn every_output_is_the_same_across_runs_and_threads() {
    let dir = std::env::temp_dir().join(format!("mlarchc-determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    // 4,000 lines: enough declarations (~470) that rules and estimates also run on two threads
    std::fs::write(dir.join("synth.mla"), synth::plan(4_000)).expect("write");
    let base = outputs(&dir, "1", 0);
    for (threads, run) in [("1", 1), ("2", 0), ("2", 1)] {
        let other = outputs(&dir, threads, run);
        assert_eq!(base.len(), other.len(), "{threads} threads, run {run}: different artefacts");
        for ((name, a), (name2, b)) in base.iter().zip(&other) {
            assert_eq!(name, name2);
            assert!(a == b, "`{name}` differs with {threads} threads (run {run})");
        }
    }
}

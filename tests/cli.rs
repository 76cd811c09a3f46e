//! Tests of the real `mlarchc` binary: exit codes, output forms, stdin, colour, imports.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn mlarchc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc")).args(args).output().expect("the binary runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    with_stdin_in(Path::new("."), args, input)
}

fn with_stdin_in(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn specs() -> Vec<String> {
    common::mla_files("specs").iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

fn fixtures() -> Vec<String> {
    common::mla_files("tests/ui").iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

#[test]
fn every_shipped_example_is_well_typed() {
    let files = specs();
    assert!(files.len() >= 5, "specs/ should ship the §1 plan and four more, found {files:?}");
    for f in &files {
        let o = mlarchc(&["check", "--format", "short", f]);
        // architect findings are expected; language problems are not
        for line in stdout(&o).lines() {
            let code = line.split('[').nth(1).unwrap_or("");
            assert!(code.starts_with("MLA"), "{f} has a language problem: {line}");
        }
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[test]
fn the_language_design_example_ships_unchanged() {
    let design = Path::new("../shared/design/language.md");
    let Ok(md) = std::fs::read_to_string(design) else {
        return;
    }; // only beside the design notes
    let start = md.find("```mla\n").expect("an mla block") + 7;
    let end = start + md[start..].find("```").expect("closed");
    let shipped = std::fs::read_to_string("specs/icu_mortality.mla").expect("shipped");
    assert_eq!(shipped, md[start..end]);
}

#[test]
fn every_fixture_fails_with_located_diagnostics() {
    for f in fixtures() {
        let o = mlarchc(&["check", "--format", "short", &f]);
        assert_eq!(o.status.code(), Some(1), "{f} should exit 1:\n{}", stdout(&o));
        let out = stdout(&o);
        assert!(!out.is_empty(), "{f}: no diagnostics");
        for line in out.lines() {
            // `path:line:col: severity[code]: message`
            let mut parts = line.splitn(4, ':');
            let (path, l, c) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            assert!(path.ends_with(".mla"), "{f}: no file in `{line}`");
            assert!(l.parse::<u32>().is_ok_and(|n| n >= 1), "{f}: no line in `{line}`");
            assert!(c.parse::<u32>().is_ok_and(|n| n >= 1), "{f}: no column in `{line}`");
            let rest = parts.next().unwrap_or("");
            assert!(
                rest.starts_with(" error[") || rest.starts_with(" warning[") || rest.starts_with(" note["),
                "{f}: no severity and code in `{line}`"
            );
        }
        assert!(!stderr(&o).contains("panicked"), "{f} panicked");
    }
}

#[test]
fn clean_plan_exits_zero_and_says_so() {
    let o = with_stdin(
        &["check", "-"],
        "project p { task: regression, target: \"weekly demand\", unit: region, prior_attempts: [] }\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "1 plan: clean, no findings\n");
}

#[test]
fn errors_exit_one_and_name_stdin() {
    let o = with_stdin(&["check", "--format", "short", "-"], "project p { task: regresion }\n");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("<stdin>:1:19: error[E0307]: unknown value `regresion`"), "{out}");
}

#[test]
fn warnings_and_notes_alone_exit_zero() {
    // a user device with a catalog name shadows it: a note, not an error
    let plan = "project p { task: regression, target: \"weekly demand\", unit: region }\ndevice a100 { class: gpu, peak: 312TFLOPS, precision: bf16 }\n";
    let o = with_stdin(&["check", "-"], plan);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("note[N0201]"), "{}", stdout(&o));
}

#[test]
fn missing_file_is_a_bad_invocation() {
    let o = mlarchc(&["check", "no/such/plan.mla"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `no/such/plan.mla`: no such file"), "{}", stderr(&o));
}

#[test]
fn a_directory_is_walked_for_plans() {
    let o = mlarchc(&["check", "--format", "short", "specs"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // every example plan and the team's rule file, not the rule fixtures
    let n = std::fs::read_dir("specs")
        .expect("specs")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "mla"))
        .count()
        + 1;
    assert!(stderr(&o).contains(&format!("{n} plans")), "{}", stderr(&o));
    assert!(!stdout(&o).contains("_test.mla"), "{}", stdout(&o));
}

#[test]
fn bad_flags_are_a_bad_invocation() {
    assert_eq!(mlarchc(&["check", "--format", "fancy", "specs/icu_mortality.mla"]).status.code(), Some(2));
    assert_eq!(mlarchc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(mlarchc(&["--color", "sometimes", "check", "x.mla"]).status.code(), Some(2));
}

#[test]
fn a_bad_stdlib_dir_is_a_bad_invocation() {
    let o = mlarchc(&["check", "--stdlib", "no/such/dir", "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the stdlib"), "{}", stderr(&o));
}

#[test]
fn stdlib_override_is_used() {
    // the stdlib on disk is the one embedded, so the result is the same
    let embedded = mlarchc(&["check", "--format", "short", "specs/icu_mortality.mla"]);
    let on_disk = mlarchc(&["check", "--format", "short", "--stdlib", "stdlib", "specs/icu_mortality.mla"]);
    assert_eq!(stdout(&embedded), stdout(&on_disk));
    assert_eq!(embedded.status.code(), on_disk.status.code());
    // an empty stdlib knows no kinds at all
    let dir = std::env::temp_dir().join(format!("mlarchc-empty-stdlib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let o = mlarchc(&["check", "--stdlib", &dir.to_string_lossy(), "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("unknown kind of declaration `project`"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn color_is_controlled_by_flag() {
    let plan = "project p { task: regresion }\n";
    let always = with_stdin(&["check", "--color", "always", "-"], plan);
    assert!(stdout(&always).contains("\u{1b}["), "expected ANSI escapes");
    let never = with_stdin(&["check", "--color", "never", "-"], plan);
    assert!(!stdout(&never).contains("\u{1b}["));
    // auto: stdout is a pipe here, so no colour
    let auto = with_stdin(&["check", "-"], plan);
    assert!(!stdout(&auto).contains("\u{1b}["));
}

#[test]
fn human_output_has_snippet_help_and_summary() {
    let o = with_stdin(&["check", "-"], "project p {\n  task: regression\n  horizon: 30\n}\n");
    let out = stdout(&o);
    assert!(out.contains("error[E0303]: expected a duration, found a number"), "{out}");
    assert!(out.contains("┌─ <stdin>:3:12"), "{out}");
    assert!(out.contains("help: add a unit: `30ms`, `30s`, `30min`, `30h` or `30d`"), "{out}");
    assert!(out.contains("`<stdin>`: 1 error"), "{out}");
}

#[test]
fn several_files_are_separate_plans_and_the_worst_status_wins() {
    let o = mlarchc(&["check", "specs/icu_mortality.mla", "no/such.mla"]);
    assert_eq!(o.status.code(), Some(2));
    let fixture = fixtures().into_iter().next().expect("a fixture");
    let o = mlarchc(&["check", "specs/icu_mortality.mla", &fixture]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn imports_resolve_relative_to_the_importer() {
    let dir = std::env::temp_dir().join(format!("mlarchc-import-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("parts")).expect("temp dir");
    std::fs::write(dir.join("plan.mla"), "import \"parts/data.mla\"\nproject p { task: regression }\nmodality m: tabular { from: d, representation: raw }\n")
        .expect("write");
    std::fs::write(dir.join("parts/data.mla"), "import \"../plan.mla\"\ndataset d { n: 10 }\n").expect("write");
    let plan = dir.join("plan.mla");
    let o = mlarchc(&["check", "--format", "short", &plan.to_string_lossy()]);
    // the dataset resolves across files; the import back is a cycle
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("parts/data.mla:1:8: error[E0203]"), "{out}");
    assert!(!out.contains("unknown dataset"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn schema_command_describes_kinds_and_enums() {
    let o = mlarchc(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("dataset"));
    let o = mlarchc(&["schema", "dataset"]);
    assert!(stdout(&o).contains("kind dataset {"), "{}", stdout(&o));
    assert!(stdout(&o).contains("n: count"), "{}", stdout(&o));
    let o = mlarchc(&["schema", "Split"]);
    assert!(stdout(&o).contains("by_group(string)"), "{}", stdout(&o));
    let o = mlarchc(&["schema", "datset"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `dataset`?"), "{}", stderr(&o));
}

#[test]
fn version_and_help_exit_zero() {
    assert_eq!(mlarchc(&["--version"]).status.code(), Some(0));
    let help = mlarchc(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("check"));
}

const SMALL_CNN: &str = "project triage { task: binary_classification, target: \"malignant\", unit: patient }
dataset small { n: 800, unit: patient }
modality img: image { from: small, representation: raw }
model net { inputs: [img], family: cnn, init: scratch }
";

fn codes(out: &str) -> Vec<String> {
    out.lines().filter_map(|l| l.split('[').nth(1).and_then(|r| r.split(']').next())).map(str::to_string).collect()
}

#[test]
fn findings_are_errors_by_default_and_levels_change_them() {
    let o = with_stdin(&["check", "--format", "short", "-"], SMALL_CNN);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[MLA201]"), "{}", stdout(&o));
    let o = with_stdin(&["check", "--format", "short", "--warn", "scratch-deep-tiny-n", "-"], SMALL_CNN);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("warning[MLA201]"), "{}", stdout(&o));
    let o = with_stdin(&["check", "--format", "short", "--allow", "architecture", "-"], SMALL_CNN);
    assert!(!codes(&stdout(&o)).contains(&"MLA201".to_string()), "{}", stdout(&o));
    // a later flag wins, and a rule beats its section within the command line
    let o = with_stdin(&["check", "--format", "short", "--allow", "MLA201", "--deny", "MLA201", "-"], SMALL_CNN);
    assert!(stdout(&o).contains("error[MLA201]"));
    let o = with_stdin(&["check", "--format", "short", "--deny", "MLA201", "--allow", "architecture", "-"], SMALL_CNN);
    assert!(stdout(&o).contains("error[MLA201]"));
    // an unknown rule is a bad invocation
    let o = with_stdin(&["check", "--deny", "MLA2O1", "-"], SMALL_CNN);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no rule or section is called `MLA2O1`"), "{}", stderr(&o));
}

#[test]
fn the_command_line_overrides_the_review_block() {
    let plan = format!("{SMALL_CNN}review {{ allow: [MLA201] }}\n");
    let o = with_stdin(&["check", "--format", "short", "-"], &plan);
    assert!(!codes(&stdout(&o)).contains(&"MLA201".to_string()), "{}", stdout(&o));
    let o = with_stdin(&["check", "--format", "short", "--deny", "MLA201", "-"], &plan);
    assert!(stdout(&o).contains("error[MLA201]"), "{}", stdout(&o));
}

#[test]
fn decisions_and_suppressions() {
    let decided =
        format!("{SMALL_CNN}decide MLA201 on net: B because \"engineered features are what the lab trusts\"\n");
    let o = with_stdin(&["check", "--format", "short", "-"], &decided);
    assert!(stdout(&o).contains("note[MLA201]: decided:"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("error[MLA201]"));
    let o = with_stdin(&["check", "-"], &decided);
    assert!(stdout(&o).contains("the team chose option B"), "{}", stdout(&o));
    // the decision is written in the plan and outranks a command-line level; it still matches
    let o = with_stdin(&["check", "--format", "short", "--allow", "architecture", "-"], &decided);
    assert!(stdout(&o).contains("note[MLA201]: decided:"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("matches no finding"), "{}", stdout(&o));
    let allowed = format!("{SMALL_CNN}allow scratch_deep_tiny_n on model.net because \"a pilot\"\n");
    let o = with_stdin(&["check", "--format", "short", "-"], &allowed);
    assert!(!codes(&stdout(&o)).contains(&"MLA201".to_string()), "{}", stdout(&o));
    // `on` narrowed to another kind matches nothing
    let elsewhere = format!("{SMALL_CNN}allow MLA201 on dataset.net because \"wrong kind\"\n");
    let o = with_stdin(&["check", "--format", "short", "-"], &elsewhere);
    assert!(stdout(&o).contains("warning[W0502]"), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[MLA201]"));
}

#[test]
fn quick_mode_keeps_the_most_severe_finding_per_section() {
    let plan = format!("{SMALL_CNN}model net2 {{ inputs: [img], family: vit, init: scratch }}\n");
    let full = with_stdin(&["check", "--format", "short", "-"], &plan);
    assert_eq!(codes(&stdout(&full)).iter().filter(|c| *c == "MLA201").count(), 2, "{}", stdout(&full));
    let quick = with_stdin(&["check", "--format", "short", "--mode", "quick", "-"], &plan);
    assert_eq!(codes(&stdout(&quick)).iter().filter(|c| *c == "MLA201").count(), 1, "{}", stdout(&quick));
}

#[test]
fn baselines_hide_known_findings_and_report_stale_ones() {
    let dir = std::env::temp_dir().join(format!("mlarchc-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let plan = dir.join("plan.mla");
    std::fs::write(&plan, SMALL_CNN).expect("write");
    let plan_s = plan.to_string_lossy().to_string();
    let base = dir.join("baseline.json");
    let base_s = base.to_string_lossy().to_string();
    let o = mlarchc(&["check", "--write-baseline", &base_s, &plan_s]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let written = std::fs::read_to_string(&base).expect("baseline written");
    assert!(written.contains("\"path\": \"model.net.init\""), "{written}");
    assert!(!written.contains("\"line\""), "baselines are not keyed by line");
    // the recorded finding is hidden, even after lines move
    std::fs::write(&plan, format!("// a comment that moves every line\n{SMALL_CNN}")).expect("write");
    let o = mlarchc(&["check", "--baseline", &base_s, "--format", "short", &plan_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!codes(&stdout(&o)).contains(&"MLA201".to_string()), "{}", stdout(&o));
    // fix the plan: the entry is stale
    std::fs::write(&plan, SMALL_CNN.replace("init: scratch", "init: pretrained")).expect("write");
    let o = mlarchc(&["check", "--baseline", &base_s, &plan_s]);
    assert!(stderr(&o).contains("baseline entry no longer matches a finding"), "{}", stderr(&o));
    // a file that is not a baseline is a bad invocation
    let o = mlarchc(&["check", "--baseline", &plan_s, &plan_s]);
    assert_eq!(o.status.code(), Some(2));
    // a plan with errors is not reviewed, so its baseline is left as it was
    std::fs::write(&plan, SMALL_CNN.replace("init: scratch", "init: scrach")).expect("write");
    let o = mlarchc(&["check", "--write-baseline", &base_s, &plan_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("was not written"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&base).expect("baseline kept"), written);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rules_and_rule_explain_the_catalogue() {
    let o = mlarchc(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("MLA201  scratch_deep_tiny_n"), "{}", stdout(&o));
    // the long doc laid out for a terminal: headings without `##`, code without fences,
    // nothing wider than the width, the brief points it covers
    let o = mlarchc(&["rule", "scratch-deep-tiny-n"]);
    let text = stdout(&o);
    assert!(text.contains("\nWhy it matters\n"), "{text}");
    assert!(!text.contains("## ") && !text.contains("```"), "{text}");
    assert!(text.contains("A (recommended):"), "{text}");
    assert!(text.contains("Review brief\n  - Prime 1: match complexity to data size"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100 || !l.contains(' ')), "{text}");
    // a gated rule names its gate and what it means
    let o = mlarchc(&["rule", "MLA452"]);
    assert!(stdout(&o).contains("Gates\n  benchmark: "), "{}", stdout(&o));
    let o = mlarchc(&["rule", "MLA201", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["code"], "MLA201");
    assert_eq!(v["section"], "architecture");
    assert_eq!(v["options"][0]["recommended"], true);
    assert_eq!(v["covers"][0]["point"], "prime_complexity");
    // the whole catalogue as JSON: code, name, section, severity, gates, sources, brief points
    let o = mlarchc(&["rules", "--format", "json"]);
    let all: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(all.len(), 103);
    let monitoring = all.iter().find(|r| r["code"] == "MLA607").expect("MLA607");
    assert_eq!(monitoring["gates"][0]["name"], "deployment");
    assert!(monitoring["gates"][0]["applies"].as_str().is_some_and(|a| a.contains("purpose")));
    assert!(all.iter().all(|r| r["source"].is_string() && r["severity"].is_string()));
    let o = mlarchc(&["rule", "MLA2O1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`MLA201`"), "{}", stderr(&o));
}

#[test]
fn test_runs_rule_fixtures() {
    let o = mlarchc(&["test", "stdlib/rules"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(" 0 failed"), "{}", stdout(&o));
    let dir = std::env::temp_dir().join(format!("mlarchc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // a mark the rule does not meet, and a finding nobody marked
    std::fs::write(
        dir.join("wrong_test.mla"),
        format!("{SMALL_CNN}model big {{ inputs: [img], family: gbdt }} //~ MLA201\n"),
    )
    .expect("write");
    let o = mlarchc(&["test", &dir.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("expected `MLA201`, not reported"), "{}", stdout(&o));
    assert!(stdout(&o).contains("unexpected error[MLA201]"), "{}", stdout(&o));
    let o = mlarchc(&["test", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn graph_prints_dot_and_mermaid() {
    let o = mlarchc(&["graph", "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(0));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph plan {"), "{dot}");
    assert!(dot.contains("modality_cxr -> dataset_admissions [label=\"from\"]"), "{dot}");
    let o = mlarchc(&["graph", "--format", "mermaid", "specs/icu_mortality.mla"]);
    assert!(stdout(&o).starts_with("flowchart LR"), "{}", stdout(&o));
    assert!(stdout(&o).contains("model_fusion -->|inputs| modality_cxr"), "{}", stdout(&o));
}

#[test]
fn budget_prints_every_estimate_with_its_terms_and_verdicts() {
    let o = mlarchc(&["budget", "specs/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in
        ["Complexity Budget of `kws`", "parameters", "latency (p99)", "the `latency` budget 30 ms: OVER", "flash"]
    {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    // the JSON names each quantity by its schema field, in base units, and is versioned
    let o = mlarchc(&["budget", "--format", "json", "specs/llm_finetune.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("budget JSON parses");
    assert_eq!(v["schema_version"], 1);
    let est = v["models"][0]["estimates"].as_array().expect("estimates");
    let field = |f: &str| est.iter().find(|e| e["field"] == f).unwrap_or_else(|| panic!("no {f}"));
    for f in [
        "params_total",
        "params_trainable",
        "fwd_flops",
        "train_flops",
        "gpu_hours",
        "train_memory",
        "infer_memory",
        "est_latency",
    ] {
        let e = field(f);
        assert!(e["low"].as_f64().is_some(), "{f} has a low end: {e}");
        assert!(!e["unit"].as_str().unwrap_or("").is_empty());
    }
    assert_eq!(field("params_total")["unit"], "count");
    assert_eq!(field("train_memory")["unit"], "bytes");
    assert_eq!(field("est_latency")["unit"], "seconds");
    // Mistral 7B's 7,241,732,096 weights and rank-16 LoRA on every linear layer, 41,943,040
    // adapter weights: what PEFT's print_trainable_parameters() reports
    let p = field("params_total")["low"].as_f64().unwrap();
    assert!((p - 7_283_675_136.0).abs() < 1.0, "exact parameter count, got {p}");
    let t = field("params_trainable")["low"].as_f64().unwrap();
    assert!((t - 41_943_040.0).abs() < 1.0, "exact LoRA count, got {t}");
    let project = v["project"].as_array().expect("project totals");
    assert!(project.iter().any(|r| r["field"] == "cost" && r["unit"] == "USD"));
    // a custom network whose activations are not derived: inference memory is open-ended
    // and says what to declare (it read "activations 0 bytes" before)
    let o = mlarchc(&["budget", "--format", "json", "specs/wearable_ecg.mla"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("budget JSON parses");
    let est = v["models"][0]["estimates"].as_array().expect("estimates");
    let infer = est.iter().find(|e| e["field"] == "infer_memory").expect("infer_memory");
    assert!(infer["high"].is_null(), "{infer}");
    assert!(infer["missing"].to_string().contains("declare the network's shape"), "{infer}");
    // a plan with language errors has no budget
    let o = with_stdin(&["budget", "-"], "project p { task: regresion }\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0307"), "{}", stderr(&o));
    // a missing file is a bad invocation
    assert_eq!(mlarchc(&["budget", "no/such/plan.mla"]).status.code(), Some(2));
}

#[test]
fn catalog_lists_and_describes_entries() {
    let o = mlarchc(&["catalog"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("backbone") && stdout(&o).contains("device"));
    let o = mlarchc(&["catalog", "devices"]);
    assert!(stdout(&o).contains("stm32f746") && stdout(&o).contains("h100"), "{}", stdout(&o));
    let o = mlarchc(&["catalog", "backbone", "resnet50"]);
    assert!(stdout(&o).contains("25,557,032") && stdout(&o).contains("source"), "{}", stdout(&o));
    let o = mlarchc(&["catalog", "resnet50", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("catalog JSON parses");
    assert_eq!(v["fields"]["params"], 25_557_032);
    let o = mlarchc(&["catalog", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("catalog JSON parses");
    assert!(v["catalog"]["backbone"].as_array().is_some_and(|a| a.len() >= 60));
    assert!(v["catalog"]["device"].as_array().is_some_and(|a| a.len() >= 40));
    let o = mlarchc(&["catalog", "backbone", "resnet5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `resnet50`"), "{}", stderr(&o));
    // closing the pipe early is not a crash
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("{} catalog backbones | head -1", env!("CARGO_BIN_EXE_mlarchc")))
        .output()
        .expect("sh");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

/// Every subcommand that writes to standard output, with arguments that make it write.
const WRITERS: &[&[&str]] = &[
    &["rules"],
    &["rules", "--format", "markdown"],
    &["rule", "MLA201"],
    &["schema"],
    &["schema", "--json-schema"],
    &["catalog", "backbones"],
    &["graph", "specs/icu_mortality.mla"],
    &["budget", "specs/llm_finetune.mla"],
    &["check", "specs/icu_mortality.mla"],
    &["check", "--format", "sarif", "specs/icu_mortality.mla"],
    &["report", "specs/icu_mortality.mla"],
    &["test", "stdlib/rules"],
];

#[cfg(unix)]
#[test]
fn a_full_disk_is_an_error_and_exit_2_never_a_panic() {
    for args in WRITERS {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let o = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
            .args(*args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("cannot write to standard output"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?} panicked");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in WRITERS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // the reader goes away before reading anything, as `| head -0` does
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert!(!stderr(&o).contains("panicked"), "{args:?} panicked: {}", stderr(&o));
        // either everything fit the pipe before it closed, or the process ended as a SIGPIPE would
        let code = o.status.code();
        assert!(matches!(code, Some(0 | 1 | 141)), "{args:?} exited {code:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("cannot write"), "{args:?} complained about the pipe: {}", stderr(&o));
    }
}

#[test]
fn a_closed_standard_error_ends_quietly() {
    // `mlarchc check plan 2>&1 | head -1`: the summary goes to a pipe nobody reads any more
    let bad = ["check", "--format", "short", "tests/ui/import_not_found.mla"];
    for args in WRITERS.iter().copied().chain([&bad[..]]) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        // a panic exits 101; the message about it would have gone nowhere
        assert!(matches!(status.code(), Some(0 | 1 | 2 | 141)), "{args:?} exited {:?}", status.code());
    }
}

#[test]
fn a_killed_run_leaves_its_output_file_whole() {
    // kill `check --output` at moments spread over its run: the file is always the old
    // document or the whole new one, never a part
    let dir = scratch("killed-write");
    let out = dir.join("review.json");
    let old = "{\"old\": true}";
    for delay_ms in (0..30).step_by(3) {
        std::fs::write(&out, old).expect("write");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
            .args(["check", "-q", "--output", &format!("json={}", out.display()), "specs/icu_mortality.mla"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&out).expect("the file is still there");
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
        assert!(parsed.is_ok(), "killed after {delay_ms} ms, the file is torn: {}", &text[..text.len().min(200)]);
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_whole() {
    let dir = scratch("huge");
    let huge = dir.join("huge.mla");
    let f = std::fs::File::create(&huge).expect("create");
    f.set_len(33_000_000).expect("a sparse 33 MB file");
    let o = mlarchc(&["check", huge.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("over the 32 MB limit"), "{}", stderr(&o));
    let _ = std::fs::remove_file(&huge);
}

#[test]
fn explain_knows_every_compiler_code_and_rules_in_any_case() {
    for c in mlarchc::diag::codes::ALL {
        let o = mlarchc(&["explain", c.code]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", c.code, stderr(&o));
        assert!(stdout(&o).starts_with(c.code), "{}: {}", c.code, stdout(&o));
    }
    // an example the compiler checks, with the diagnostic it gets
    let o = mlarchc(&["explain", "e0303"]);
    assert!(stdout(&o).contains("error[E0303]"), "{}", stdout(&o));
    let o = mlarchc(&["explain", "mla408"]);
    assert!(stdout(&o).starts_with("MLA408 non_independence"), "{}", stdout(&o));
    let o = mlarchc(&["explain", "E9999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_empty_or_comment_only_plan_is_an_error() {
    for text in ["", "// nothing yet\n", "/* a draft */\n"] {
        let o = with_stdin(&["check", "-"], text);
        assert_eq!(o.status.code(), Some(1), "{text:?}: {}", stdout(&o));
        assert!(stdout(&o).contains("error[E0211]: the plan is empty"), "{text:?}: {}", stdout(&o));
    }
}

#[test]
fn selectors_take_codes_in_any_case_and_all() {
    let o = mlarchc(&["check", "--allow", "ALL", "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = mlarchc(&["check", "--format", "short", "--allow", "ALL", "--deny", "mla408", "specs/icu_mortality.mla"]);
    assert!(stdout(&o).contains("error[MLA408]"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("MLA403"), "{}", stdout(&o));
}

/// A scratch folder with plans in it, for tests that run in it.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mlarchc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::fs::create_dir_all(dir.join("drafts")).expect("mkdir");
    std::fs::copy("specs/kws_edge.mla", dir.join("sub/kws_edge.mla")).expect("copy");
    std::fs::copy("specs/churn_tabular.mla", dir.join("drafts/churn_tabular.mla")).expect("copy");
    std::fs::write(dir.join("sub/rule_test.mla"), "// a fixture, not a plan\n").expect("write");
    dir
}

fn in_dir(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc")).args(args).current_dir(dir).output().expect("the binary runs")
}

#[test]
fn check_without_arguments_walks_the_folder_with_excludes() {
    let dir = scratch("walk");
    let o = in_dir(&dir, &["check", "--format", "short"]);
    assert!(stdout(&o).contains("sub/kws_edge.mla:"), "{}", stdout(&o));
    assert!(stdout(&o).contains("drafts/churn_tabular.mla:"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("rule_test.mla"), "{}", stdout(&o));
    assert!(stderr(&o).contains("2 plans"), "{}", stderr(&o));
    let o = in_dir(&dir, &["check", "--format", "short", "--exclude", "drafts"]);
    assert!(!stdout(&o).contains("drafts/"), "{}", stdout(&o));
    let o = in_dir(&dir, &["check", "--format", "short", "sub"]);
    assert!(stdout(&o).contains("sub/kws_edge.mla:") && !stdout(&o).contains("drafts/"), "{}", stdout(&o));
    // project.mla, when there is one, is the plan
    std::fs::copy("specs/icu_mortality.mla", dir.join("project.mla")).expect("copy");
    let o = in_dir(&dir, &["check", "--format", "short", "-q"]);
    assert!(stdout(&o).contains("project.mla:") && !stdout(&o).contains("sub/"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("1 plan"), "--quiet prints no summary: {}", stderr(&o));
    let empty = std::env::temp_dir().join(format!("mlarchc-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("mkdir");
    let o = in_dir(&empty, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no plan to check"), "{}", stderr(&o));
}

#[test]
fn a_baseline_matches_the_plan_however_its_path_is_spelled() {
    let dir = scratch("baseline");
    let o = in_dir(&dir, &["check", "--write-baseline", "b.json", "./sub/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let abs = dir.join("sub/kws_edge.mla");
    for spelling in ["sub/kws_edge.mla", "./sub/kws_edge.mla", "sub/../sub/kws_edge.mla", abs.to_str().expect("utf-8")]
    {
        let o = in_dir(&dir, &["check", "--format", "short", "--baseline", "b.json", spelling]);
        assert_eq!(o.status.code(), Some(0), "{spelling}: {}", stdout(&o));
        assert!(stderr(&o).contains("in the baseline"), "{spelling}: {}", stderr(&o));
    }
    let o = in_dir(&dir, &["check", "--format", "short", "--baseline", "b.json", "drafts/churn_tabular.mla"]);
    assert!(stderr(&o).contains("has no entries for `drafts/churn_tabular.mla`"), "{}", stderr(&o));
}

#[test]
fn baseline_keys_are_relative_to_the_settings_file_folder() {
    let dir = scratch("baseline-root");
    std::fs::write(dir.join("mlarchc.toml"), "baseline = \"b.json\"\n").expect("write");
    let o = in_dir(&dir, &["check", "--write-baseline", "b.json", "sub/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(dir.join("b.json")).expect("baseline");
    assert!(written.contains("\"sub/kws_edge.mla\""), "{written}");
    // from inside `sub/` the plan is `kws_edge.mla`, the key still `sub/kws_edge.mla`
    let o = in_dir(&dir.join("sub"), &["check", "--format", "short", "kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stderr(&o).contains("in the baseline"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("no entries"), "{}", stderr(&o));
}

#[test]
fn imports_stay_inside_the_project_and_read_only_plan_files() {
    let dir = scratch("import-root");
    let outside = dir.with_extension("shared");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("data.mla"), "dataset e { n: 5, unit: patient }\n").expect("write");
    std::fs::write(dir.join("mlarchc.toml"), "").expect("write");
    let import = format!("import \"{}\"\n", outside.join("data.mla").display());
    let plan = format!("{import}project p {{ task: binary_classification, target: \"x\", prior_attempts: [] }}\n");
    std::fs::write(dir.join("sub/p.mla"), &plan).expect("write");
    let o = in_dir(&dir, &["check", "--format", "short", "sub/p.mla"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("E0204") && stdout(&o).contains("imports stay inside the project"), "{}", stdout(&o));
    assert!(stdout(&o).contains("--allow-import"), "the fix is named: {}", stdout(&o));
    // allowed on the command line or in the settings
    let o =
        in_dir(&dir, &["check", "--format", "short", "--allow-import", outside.to_str().expect("utf-8"), "sub/p.mla"]);
    assert!(!stdout(&o).contains("E0204"), "{}", stdout(&o));
    std::fs::write(dir.join("mlarchc.toml"), format!("allow-imports = [{:?}]\n", outside.display().to_string()))
        .expect("write");
    let o = in_dir(&dir, &["check", "--format", "short", "sub/p.mla"]);
    assert!(!stdout(&o).contains("E0204"), "{}", stdout(&o));
    #[cfg(unix)]
    {
        // a FIFO is refused instead of waiting for a writer; a symlink loop ends
        let fifo = dir.join("sub/fifo.mla");
        let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        std::os::unix::fs::symlink("loop_b.mla", dir.join("sub/loop_a.mla")).expect("symlink");
        std::os::unix::fs::symlink("loop_a.mla", dir.join("sub/loop_b.mla")).expect("symlink");
        let mut text = String::from("import \"loop_a.mla\"\n");
        if made {
            text.push_str("import \"fifo.mla\"\n");
        }
        text.push_str("project p { task: binary_classification, target: \"x\", prior_attempts: [] }\n");
        std::fs::write(dir.join("sub/q.mla"), text).expect("write");
        let o = in_dir(&dir, &["check", "sub/q.mla"]);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains("symbolic links"), "{}", stdout(&o));
        if made {
            assert!(stdout(&o).contains("not a regular file"), "{}", stdout(&o));
        }
    }
}

#[test]
fn imports_from_standard_input_resolve_against_the_working_directory() {
    let dir = scratch("stdin-import");
    std::fs::write(dir.join("data.mla"), "dataset e { n: 5, unit: patient }\n").expect("write");
    let run = |text: &str| with_stdin_in(&dir, &["check", "--format", "short", "-"], text);
    let project = "project p { task: binary_classification, target: \"x\", prior_attempts: [] }\n";
    let o = run(&format!("import \"data.mla\"\n{project}"));
    assert!(!stdout(&o).contains("E0204"), "{}", stdout(&o));
    assert!(stderr(&o).contains("relative to the working directory"), "{}", stderr(&o));
    let o = run(&format!("import \"nope.mla\"\n{project}"));
    assert!(stdout(&o).contains("E0204") && stdout(&o).contains("relative to the working directory"), "{}", stdout(&o));
}

#[test]
fn the_short_form_keeps_the_fix() {
    let o = with_stdin(
        &["check", "--format", "short", "-"],
        "project p { task: regression, target: \"x\", unit: region, prior_attempts: [] }\nmodality m: image { from: d, representation: pretrained(resnet5, frozen) }\ndataset d { n: 10 }\n",
    );
    assert!(stdout(&o).contains("unknown backbone `resnet5` (help: did you mean `resnet50`?)"), "{}", stdout(&o));
    assert_eq!(stdout(&o).lines().count(), 1, "one line per diagnostic: {}", stdout(&o));
}

#[cfg(unix)]
#[test]
fn a_folder_with_a_link_back_up_is_walked_once() {
    let dir = scratch("symlink");
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).expect("symlink");
    let o = in_dir(&dir, &["check", "--format", "short"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 plans"), "{}", stderr(&o));
}

#[test]
fn settings_come_from_mlarchc_toml_or_pyproject_upwards() {
    let dir = scratch("config");
    std::fs::write(
        dir.join("mlarchc.toml"),
        "deny = [\"mla408\"]\nexclude = [\"drafts\"]\nformat = \"short\"\nfail-on = \"never\"\n",
    )
    .expect("write");
    // found from a folder below, as Ruff finds its settings
    let o = in_dir(&dir.join("sub"), &["check"]);
    assert_eq!(o.status.code(), Some(0), "fail-on never: {}", stdout(&o));
    assert!(stdout(&o).contains("error[MLA408]"), "deny from the file: {}", stdout(&o));
    let o = in_dir(&dir, &["check"]);
    assert!(!stdout(&o).contains("drafts/"), "exclude from the file: {}", stdout(&o));
    // the command line wins; --isolated ignores the file
    let o = in_dir(&dir, &["check", "--fail-on", "error", "--allow", "MLA408"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains("MLA408"), "{}", stdout(&o));
    let o = in_dir(&dir, &["check", "--isolated", "--format", "short"]);
    assert!(stdout(&o).contains("drafts/"), "{}", stdout(&o));
    // a misspelt setting is a bad invocation with a did-you-mean
    std::fs::write(dir.join("mlarchc.toml"), "denny = [\"MLA408\"]\n").expect("write");
    let o = in_dir(&dir, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `deny`?"), "{}", stderr(&o));
    // pyproject.toml's [tool.mlarchc]
    std::fs::remove_file(dir.join("mlarchc.toml")).expect("rm");
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname = \"x\"\n\n[tool.mlarchc]\nwarn = [\"ALL\"]\n")
        .expect("write");
    let o = in_dir(&dir, &["check", "--format", "short", "sub"]);
    assert!(!stdout(&o).contains("error["), "{}", stdout(&o));
}

#[test]
fn bytes_that_are_not_utf8_are_a_diagnostic_with_a_place() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(["check", "--format", "short", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let plan: &[u8] =
        b"project p { task: regression, target: \"x\", unit: region, prior_attempts: [] }\ndataset d\xff { n: 5 }\n";
    child.stdin.take().expect("stdin").write_all(plan).expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("<stdin>:2:10: error[E0111]: the file holds bytes that are not UTF-8 text"),
        "{}",
        stdout(&o)
    );
    // a control character is never written raw to the terminal
    let o = with_stdin(&["check", "-"], "project p { task: regression, target: \"x\u{1b}[2J\", unit: region }\n");
    assert!(!stdout(&o).contains('\u{1b}'), "{}", stdout(&o));
    assert!(stdout(&o).contains("control character U+001B"), "{}", stdout(&o));
}

#[test]
fn a_wrong_decide_blocks_the_review_as_a_language_error_does() {
    let plan = std::fs::read_to_string("specs/icu_mortality.mla").expect("plan")
        + "\ndecide MLA999 on fusion: A because \"x\"\ndecide MLA408 on admissions: Z because \"y\"\n";
    let o = with_stdin(&["check", "--format", "short", "-"], &plan);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[E0509]") && stdout(&o).contains("error[E0508]"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("[MLA"), "no finding while decisions are wrong: {}", stdout(&o));
}

#[test]
fn explain_takes_a_rule_name_that_starts_like_a_code() {
    // `events_per_variable` starts with `E` but is no compiler code
    let o = mlarchc(&["explain", "events_per_variable"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("MLA205"), "{}", stdout(&o));
}

#[test]
fn the_command_line_never_writes_to_stderr_with_a_panicking_macro() {
    // `eprintln!` panics when standard error is closed; the CLI writes through `say!`
    for entry in std::fs::read_dir("src/cli").expect("src/cli").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("eprintln!(") && !code.contains("eprint!("),
                "{}:{}: use `say!`",
                entry.path().display(),
                n + 1
            );
        }
    }
}

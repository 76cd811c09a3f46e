//! Tests of the real `mlarchc` binary: exit codes, output forms, stdin, colour, imports.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn mlarchc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc")).args(args).output().expect("the binary runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(args)
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
    let mut v: Vec<String> = std::fs::read_dir("specs")
        .expect("specs/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mla"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mla"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_example_checks_clean() {
    let files = specs();
    assert!(files.len() >= 5, "specs/ should ship the §1 plan and four more, found {files:?}");
    for f in &files {
        let o = mlarchc(&["check", f]);
        assert_eq!(o.status.code(), Some(0), "{f} should check clean:\n{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).is_empty(), "{f} should print nothing:\n{}", stdout(&o));
    }
    // and all together, each as its own plan
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    assert_eq!(mlarchc(&args).status.code(), Some(0));
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
fn clean_plan_exits_zero_silently() {
    let o = with_stdin(&["check", "-"], "project p { task: regression }\n");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
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
    let plan = "project p { task: regression }\ndevice a100 { class: gpu, peak: 312TFLOPS, precision: bf16 }\n";
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
fn a_directory_is_a_bad_invocation() {
    let o = mlarchc(&["check", "specs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
}

#[test]
fn bad_flags_are_a_bad_invocation() {
    assert_eq!(mlarchc(&["check", "--format", "fancy", "specs/icu_mortality.mla"]).status.code(), Some(2));
    assert_eq!(mlarchc(&["check"]).status.code(), Some(2));
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
    let o = mlarchc(&["check", "--stdlib", "stdlib", "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
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

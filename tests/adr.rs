//! `mlarchc adr` on the real binary: the records of the shipped plans (snapshots), stable
//! numbers and keys, the hand-edit guarantee, `.adr-dir`, `decisions.json` against its
//! schema, front matter that YAML reads, MDX-safe prose, exit codes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ICU: &str = "specs/icu_mortality.mla";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary in `cwd`, without `SOURCE_DATE_EPOCH` unless a test sets it.
fn mlarchc_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the binary runs")
}

fn mlarchc(args: &[&str]) -> Output {
    mlarchc_in(&manifest_dir(), args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "exit status\nstderr:\n{}", stderr(o));
    assert!(o.stdout.is_empty(), "`adr` writes files, not standard output");
    assert!(!stderr(o).contains("panicked"));
}

/// Every file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("the ADR folder exists") {
        let e = e.expect("an entry");
        let name = e.file_name().to_string_lossy().into_owned();
        out.insert(name, std::fs::read_to_string(e.path()).expect("a text file"));
    }
    out
}

fn records(dir: &Path) -> BTreeMap<String, String> {
    files(dir).into_iter().filter(|(n, _)| n.as_bytes()[0].is_ascii_digit()).collect()
}

/// A front-matter value of the `mlarchc:` block or the top level.
fn front(text: &str, key: &str) -> Option<String> {
    let fm = text.strip_prefix("---\n")?.split("\n---\n").next()?;
    fm.lines().find_map(|l| {
        let (k, v) = l.trim().split_once(": ")?;
        (k == key).then(|| serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_string()))
    })
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

fn str_path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn icu_records_match_their_snapshots() {
    let dir = tmp();
    ok(&mlarchc(&["adr", ICU, "--adr-dir", str_path(dir.path()), "--date", "2026-01-15"]));
    let recs = records(dir.path());
    let names: Vec<&String> = recs.keys().collect();
    assert_eq!(names, ["0001-architecture-of-fusion.md", "0002-mla107-flip-breaks-semantics-on-cxr.md"]);
    insta::with_settings!({ snapshot_path => "snapshots/adr", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("icu_architecture", recs["0001-architecture-of-fusion.md"]);
        insta::assert_snapshot!("icu_decide_mla107", recs["0002-mla107-flip-breaks-semantics-on-cxr.md"]);
        insta::assert_snapshot!("icu_index", files(dir.path())["README.md"]);
    });
}

#[test]
fn a_second_run_changes_nothing() {
    let dir = tmp();
    let d = str_path(dir.path());
    ok(&mlarchc(&["adr", ICU, "--adr-dir", d, "--date", "2026-01-15"]));
    let first = files(dir.path());
    // a later date does not touch records whose content is the same
    let again = mlarchc(&["adr", ICU, "--adr-dir", d, "--date", "2026-02-01"]);
    ok(&again);
    assert_eq!(files(dir.path()), first, "a second run rewrote something");
    assert!(
        stderr(&again).contains("wrote 2 ADRs to") && stderr(&again).contains("(2 unchanged)"),
        "{}",
        stderr(&again)
    );
    ok(&mlarchc(&["adr", ICU, "--adr-dir", d]));
    assert_eq!(files(dir.path()), first);
}

#[test]
fn hand_edits_survive_with_a_warning_and_force_overwrites_them() {
    let dir = tmp();
    let d = str_path(dir.path());
    ok(&mlarchc(&["adr", ICU, "--adr-dir", d, "--date", "2026-01-15"]));
    let path = dir.path().join("0002-mla107-flip-breaks-semantics-on-cxr.md");
    let generated = std::fs::read_to_string(&path).expect("the record");
    let edited = generated.replace("## More Information\n", "## More Information\n\nReviewed with the radiologists.\n");
    std::fs::write(&path, &edited).expect("edit");
    let o = mlarchc(&["adr", ICU, "--adr-dir", d, "--date", "2026-02-01"]);
    ok(&o);
    assert_eq!(std::fs::read_to_string(&path).expect("the record"), edited);
    let err = stderr(&o);
    assert!(
        err.contains("warning: `") && err.contains("0002-mla107-flip-breaks-semantics-on-cxr.md` was edited by hand"),
        "{err}"
    );
    assert!(err.contains("`--force`"), "{err}");
    assert!(err.contains("(1 unchanged, 1 kept: edited by hand)"), "{err}");

    // a status flipped by hand is an edit too
    let arch = dir.path().join("0001-architecture-of-fusion.md");
    let accepted =
        std::fs::read_to_string(&arch).expect("the record").replace("status: \"proposed\"", "status: accepted");
    std::fs::write(&arch, &accepted).expect("edit");
    ok(&mlarchc(&["adr", ICU, "--adr-dir", d]));
    assert_eq!(std::fs::read_to_string(&arch).expect("the record"), accepted);
    let json = files(dir.path())["decisions.json"].clone();
    assert!(json.contains("\"edited\": true"), "{json}");

    let o = mlarchc(&["adr", ICU, "--adr-dir", d, "--date", "2026-01-15", "--force"]);
    ok(&o);
    assert_eq!(std::fs::read_to_string(&path).expect("the record"), generated);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// A copy of the ICU plan in a fresh folder, as `plan.mla`.
fn plan_copy(text: &str) -> tempfile::TempDir {
    let dir = tmp();
    std::fs::write(dir.path().join("plan.mla"), text).expect("write the plan");
    dir
}

fn icu_text() -> String {
    std::fs::read_to_string(manifest_dir().join(ICU)).expect("the shipped plan")
}

/// number and file of each stable key
fn keys(dir: &Path) -> BTreeMap<String, (String, String)> {
    records(dir)
        .iter()
        .map(|(name, text)| {
            let key = front(text, "stable-key").expect("a stable key");
            (key, (name.clone(), front(text, "id").expect("an id")))
        })
        .collect()
}

#[test]
fn moving_lines_keeps_numbers_and_keys() {
    let work = plan_copy(&icu_text());
    let folder = work.path().join("docs/decisions");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-01-15"]));
    let before = keys(&folder);
    assert_eq!(before.len(), 2);
    let sources: Vec<String> = records(&folder).values().map(|t| front(t, "source").expect("a source")).collect();
    let moved = format!("// a comment\n\n/* and a block\n   comment */\n\n{}", icu_text());
    std::fs::write(work.path().join("plan.mla"), moved).expect("write the plan");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla"]));
    assert_eq!(keys(&folder), before, "numbers or keys changed when lines moved");
    let after: Vec<String> = records(&folder).values().map(|t| front(t, "source").expect("a source")).collect();
    for (b, a) in sources.iter().zip(&after) {
        let line = |s: &str| s.rsplit(':').nth(1).and_then(|l| l.parse::<u32>().ok()).expect("a line");
        assert_eq!(line(a), line(b) + 5, "{b} → {a}");
    }
}

#[test]
fn the_chosen_letter_updates_the_same_record_and_a_removed_decision_is_deprecated() {
    let work = plan_copy(&icu_text());
    let folder = work.path().join("docs/decisions");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-01-15"]));
    let before = keys(&folder);
    let a = icu_text().replace("decide MLA107 on cxr: B because", "decide MLA107 on cxr: A because");
    std::fs::write(work.path().join("plan.mla"), &a).expect("write the plan");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-02-01"]));
    assert_eq!(keys(&folder), before);
    let decide = &records(&folder)["0002-mla107-flip-breaks-semantics-on-cxr.md"];
    assert!(decide.contains("Chosen option: \"A: Remove `hflip`"), "{decide}");
    assert_eq!(front(decide, "date").as_deref(), Some("2026-02-01"));

    let gone: String = a.lines().filter(|l| !l.starts_with("decide ")).map(|l| format!("{l}\n")).collect();
    std::fs::write(work.path().join("plan.mla"), gone).expect("write the plan");
    let o = mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-03-01"]);
    ok(&o);
    assert!(stderr(&o).contains("1 deprecated"), "{}", stderr(&o));
    let decide = &records(&folder)["0002-mla107-flip-breaks-semantics-on-cxr.md"];
    assert_eq!(front(decide, "status").as_deref(), Some("deprecated"));
    assert!(decide.contains("no longer in `plan.mla`"), "{decide}");
    // deprecated once, then left alone
    let snapshot = files(&folder);
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-04-01"]));
    assert_eq!(files(&folder), snapshot);
}

#[test]
fn the_adr_dir_file_is_honoured_and_numbers_follow_the_folder() {
    let work = plan_copy(&icu_text());
    std::fs::write(work.path().join(".adr-dir"), "doc/adr\n").expect("write .adr-dir");
    let folder = work.path().join("doc/adr");
    std::fs::create_dir_all(&folder).expect("mkdir");
    // a record the team wrote by hand, with no front matter
    let own = "# 7. Use Postgres\n\nDate: 2025-01-01\n\n## Status\n\nAccepted\n";
    std::fs::write(folder.join("0007-use-postgres.md"), own).expect("write");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-01-15"]));
    let names: Vec<String> = records(&folder).into_keys().collect();
    assert_eq!(
        names,
        ["0007-use-postgres.md", "0008-architecture-of-fusion.md", "0009-mla107-flip-breaks-semantics-on-cxr.md"]
    );
    assert_eq!(std::fs::read_to_string(folder.join("0007-use-postgres.md")).expect("kept"), own);
    let index = std::fs::read_to_string(folder.join("README.md")).expect("the index");
    assert!(
        index.contains("| [0007](0007-use-postgres.md) | [7. Use Postgres](0007-use-postgres.md) | — | — |"),
        "{index}"
    );
    assert!(!work.path().join("docs").exists(), "the default folder was used");
    // `--adr-dir` wins over `.adr-dir`
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--adr-dir", "elsewhere"]));
    assert!(work.path().join("elsewhere/0001-architecture-of-fusion.md").exists());
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest_dir().join("schemas/adr.schema.json")).expect("the schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert!(jsonschema::meta::is_valid(&schema), "the schema is not a valid JSON Schema");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, json: &str, what: &str) {
    let doc: serde_json::Value = serde_json::from_str(json).expect("decisions.json is JSON");
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: decisions.json does not match its schema:\n{}", errors.join("\n"));
}

#[test]
fn decisions_json_matches_its_schema_for_every_plan() {
    let v = validator();
    let printed = mlarchc(&["schema", "--adr-json-schema"]);
    assert_eq!(printed.status.code(), Some(0));
    let shipped = std::fs::read_to_string(manifest_dir().join("schemas/adr.schema.json")).expect("the schema");
    assert_eq!(String::from_utf8_lossy(&printed.stdout), shipped);
    for spec in common::mla_files("specs") {
        let dir = tmp();
        let spec = spec.to_string_lossy().into_owned();
        ok(&mlarchc(&["adr", &spec, "--adr-dir", str_path(dir.path()), "--date", "2026-01-15"]));
        let json = &files(dir.path())["decisions.json"];
        assert_valid(&v, json, &spec);
        let doc: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(doc["schema_version"], "mlarchc.adr/1");
        for d in doc["decisions"].as_array().expect("decisions") {
            let chosen = d["chosen_option"].as_str().expect("a chosen option");
            let options = d["considered_options"].as_array().expect("options");
            assert!(options.iter().any(|o| o["id"] == chosen), "{spec}: `{chosen}` is not a considered option");
        }
    }
    // records found in the folder (edited, deprecated, foreign) fit the schema too
    let work = plan_copy(&icu_text());
    let folder = work.path().join("docs/decisions");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla", "--date", "2026-01-15"]));
    std::fs::write(folder.join("0003-hand-written.md"), "# A decision of our own\n").expect("write");
    let arch = folder.join("0001-architecture-of-fusion.md");
    let text = std::fs::read_to_string(&arch).expect("read");
    std::fs::write(&arch, text.replace("# Architecture", "# Our architecture")).expect("edit");
    let gone: String = icu_text().lines().filter(|l| !l.starts_with("decide ")).map(|l| format!("{l}\n")).collect();
    std::fs::write(work.path().join("plan.mla"), gone).expect("write the plan");
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla"]));
    assert_valid(&v, &files(&folder)["decisions.json"], "a folder with edits");
}

#[test]
fn front_matter_is_yaml() {
    let dir = tmp();
    for spec in common::mla_files("specs") {
        let spec = spec.to_string_lossy().into_owned();
        let sub = dir.path().join(Path::new(&spec).file_stem().expect("a name"));
        ok(&mlarchc(&["adr", &spec, "--adr-dir", str_path(&sub), "--date", "2026-01-15"]));
    }
    let mut all = Vec::new();
    for sub in std::fs::read_dir(dir.path()).expect("folders") {
        let sub = sub.expect("a folder").path();
        for (name, text) in files(&sub).into_iter().filter(|(n, _)| n.ends_with(".md")) {
            // every value is JSON, which is YAML flow
            let fm = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n")).expect("front matter").0;
            for line in fm.lines() {
                let (key, value) = line.trim().split_once(':').expect("key: value");
                assert!(!key.is_empty() && !key.contains(' '), "{name}: `{line}`");
                if !value.trim().is_empty() {
                    serde_json::from_str::<serde_json::Value>(value.trim())
                        .unwrap_or_else(|e| panic!("{name}: `{line}` is not JSON: {e}"));
                }
            }
            all.push(sub.join(name));
        }
    }
    // and PyYAML reads it as the mapping we meant, where Python and PyYAML are installed
    let script = "import sys, yaml\nfor p in sys.argv[1:]:\n    t = open(p, encoding='utf-8').read()\n    fm = yaml.safe_load(t.split('---\\n')[1])\n    assert fm['mlarchc']['generated'] is True, p\n    if 'README' not in p:\n        assert fm['status'] in ('proposed', 'accepted'), p\n        assert fm['date'] == '2026-01-15', p\n        assert isinstance(fm['tags'], list) and fm['decision-makers'] == [], p\n        assert fm['mlarchc']['stable-key'].startswith('sha256:'), p\nprint(len(sys.argv) - 1)\n";
    let Ok(o) = Command::new("python3").arg("-c").arg(script).args(&all).output() else { return };
    if String::from_utf8_lossy(&o.stderr).contains("No module named 'yaml'") {
        return;
    }
    assert!(o.status.success(), "PyYAML rejects the front matter:\n{}", String::from_utf8_lossy(&o.stderr));
}

/// Outside code fences and code spans, `{`, `}` and `<` only appear escaped.
fn mdx_problems(text: &str) -> Vec<String> {
    let body = text.split_once("\n---\n").map_or(text, |(_, b)| b);
    let mut out = Vec::new();
    let mut fence = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        let mut prev = ' ';
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 1 {
                continue;
            }
            for c in part.chars() {
                if (c == '{' || c == '}') && prev != '\\' || c == '<' {
                    out.push(line.to_string());
                }
                prev = c;
            }
        }
    }
    out
}

#[test]
fn prose_is_safe_for_mdx() {
    for spec in common::mla_files("specs") {
        let dir = tmp();
        let spec = spec.to_string_lossy().into_owned();
        ok(&mlarchc(&["adr", &spec, "--adr-dir", str_path(dir.path()), "--date", "2026-01-15"]));
        for (name, text) in files(dir.path()).into_iter().filter(|(n, _)| n.ends_with(".md")) {
            let problems = mdx_problems(&text);
            assert!(problems.is_empty(), "{spec} {name}: unescaped MDX characters in\n{}", problems.join("\n"));
            assert!(!text.contains("\r"), "{name}: line endings are `\\n`");
            assert!(text.contains("```text\n") || name == "README.md", "{name}: plan snippets are `text` fences");
        }
    }
}

#[test]
fn invocation_and_plan_problems_have_their_exit_codes() {
    let dir = tmp();
    // a folder under a file cannot be created
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let o = mlarchc(&["adr", ICU, "--adr-dir", str_path(&file.join("decisions"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: cannot "), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    // a bad date
    let o = mlarchc(&["adr", ICU, "--adr-dir", str_path(dir.path()), "--date", "2026-02-30"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(["adr", ICU, "--adr-dir", str_path(dir.path())])
        .current_dir(manifest_dir())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // a missing plan
    let o = mlarchc(&["adr", "specs/no_such_plan.mla", "--adr-dir", str_path(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    // a plan with errors: shown, nothing written
    let work = plan_copy("project p { task: regression }\nmodel m { inputs: [nothing] }\n");
    let o = mlarchc_in(work.path(), &["adr", "plan.mla"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E"), "{}", stderr(&o));
    assert!(!work.path().join("docs").exists());
    // a decision naming an option the rule does not offer is a plan error too
    let work = plan_copy(&icu_text().replace("on cxr: B because", "on cxr: Z because"));
    let o = mlarchc_in(work.path(), &["adr", "plan.mla"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0508"), "{}", stderr(&o));
}

#[test]
fn source_date_epoch_dates_new_records() {
    let work = plan_copy(&icu_text());
    let o = Command::new(env!("CARGO_BIN_EXE_mlarchc"))
        .args(["adr", "plan.mla"])
        .current_dir(work.path())
        .env("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01T00:00:00Z
        .output()
        .expect("runs");
    ok(&o);
    for text in records(&work.path().join("docs/decisions")).values() {
        assert_eq!(front(text, "date").as_deref(), Some("2026-01-01"));
    }
    // without any date source a new record has no date, never the clock's
    let work = plan_copy(&icu_text());
    ok(&mlarchc_in(work.path(), &["adr", "plan.mla"]));
    for text in records(&work.path().join("docs/decisions")).values() {
        assert_eq!(front(text, "date"), None);
    }
}

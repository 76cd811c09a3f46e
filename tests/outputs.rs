//! The machine outputs of `mlarchc check`, checked against their real schemas and
//! consumers: JSON against `schemas/diagnostics.schema.json`, SARIF against the OASIS
//! 2.1.0 schema (fetched by `.ci/run`, see `ecosystem.md` §2.4) plus the invariants the
//! schema cannot express, JUnit parsed as XML, GitHub annotations by their grammar; and
//! the promises around them: one clean document on standard output, `--output` files,
//! `--fail-on`, fingerprints that survive moved lines.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mlarchc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc")).args(args).output().expect("the binary runs")
}

fn specs() -> Vec<String> {
    common::mla_files("specs").iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", String::from_utf8_lossy(&o.stdout)))
}

fn validate(schema: &Value, doc: &Value, what: &str) {
    let v = jsonschema::validator_for(schema).expect("the schema compiles");
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).take(10).collect();
    assert!(errors.is_empty(), "{what} does not validate:\n{}", errors.join("\n"));
}

fn sarif_schema() -> Option<Value> {
    let path = std::env::var_os("MLARCHC_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/schemas/sarif-2.1.0.json"));
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(serde_json::from_str(&t).expect("the SARIF schema is JSON")),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("the OASIS SARIF 2.1.0 schema is missing at {}; .ci/run fetches it", path.display())
        }
        Err(_) => {
            eprintln!("skipping the SARIF schema check: {} is missing (`.ci/run` fetches it)", path.display());
            None
        }
    }
}

#[test]
fn json_of_every_example_validates_against_the_shipped_schema() {
    let schema: Value = serde_json::from_slice(&mlarchc(&["schema", "--json-schema"]).stdout).expect("schema JSON");
    let shipped: Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/diagnostics.schema.json").unwrap()).unwrap();
    assert_eq!(schema, shipped, "`mlarchc schema --json-schema` prints the shipped schema");
    let mut all = specs();
    let mut args = vec!["check", "--format", "json"];
    args.extend(all.iter().map(String::as_str));
    validate(&schema, &json_of(&mlarchc(&args)), "the run over every example");
    // a plan with language errors, a baseline-free plan with decisions, a clean plan
    all.push("tests/ui/duplicate_dataset.mla".into());
    for f in &all {
        if !Path::new(f).exists() {
            continue;
        }
        let o = mlarchc(&["check", "--format", "json", f]);
        validate(&schema, &json_of(&o), f);
    }
}

#[test]
fn json_carries_findings_dispositions_and_the_budget() {
    let o = mlarchc(&["check", "--format", "json", "specs/icu_mortality.mla"]);
    assert_eq!(o.status.code(), Some(1));
    let d = json_of(&o);
    assert_eq!(d["schema_version"], "mlarchc.diagnostics/1");
    let plan = &d["plans"][0];
    let records = plan["records"].as_array().unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r["disposition"]["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"decided") && kinds.contains(&"allowed") && kinds.contains(&"open"), "{kinds:?}");
    let f = records.iter().find(|r| r["code"] == "MLA408").expect("the random split finding");
    assert_eq!(f["section"], "evaluation");
    assert_eq!(f["entity"], "dataset.admissions.split");
    assert_eq!(f["options"][0]["recommended"], true);
    assert!(f["location"]["start"]["line"].as_u64().unwrap() >= 1);
    assert!(plan["budget"]["models"].as_array().is_some_and(|m| !m.is_empty()));
    // the summary goes to standard error, never into the document
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 plan: "), "{err}");
}

/// SARIF invariants that the schema cannot express (GitHub's ingestion rules, `ecosystem.md` §2.4).
fn sarif_invariants(doc: &Value) {
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run per file");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert!(driver["semanticVersion"].as_str().is_some_and(|v| !v.is_empty()));
    let rules = driver["rules"].as_array().expect("rules");
    let mut ids = std::collections::HashSet::new();
    for r in rules {
        assert!(ids.insert(r["id"].as_str().unwrap()), "duplicate rule {}", r["id"]);
        for key in ["shortDescription", "fullDescription", "help"] {
            let t = r[key]["text"].as_str().unwrap_or("");
            assert!(!t.trim().is_empty() && t.chars().count() <= 1024 || key == "help", "{} {key} `{t}`", r["id"]);
        }
        assert!(r["properties"]["tags"].as_array().is_some_and(|t| t.len() <= 10));
    }
    for res in run["results"].as_array().expect("results") {
        let i = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert!(i < rules.len(), "ruleIndex {i} out of range");
        assert_eq!(rules[i]["id"], res["ruleId"], "rules[ruleIndex].id == ruleId");
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let fp = res["partialFingerprints"]["primaryLocationLineHash"].as_str().expect("fingerprint");
        assert!(!fp.is_empty());
        for loc in res["locations"].as_array().into_iter().flatten() {
            let p = &loc["physicalLocation"];
            let uri = p["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.contains('\\') && !uri.contains(' '), "{uri}");
            assert!(!(uri.starts_with("file:") && p["artifactLocation"].get("uriBaseId").is_some()));
            let path = uri.replace("%20", " ");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} exists"));
            let lines: Vec<&str> = text.split('\n').collect();
            let r = &p["region"];
            let (sl, sc) = (r["startLine"].as_u64().unwrap() as usize, r["startColumn"].as_u64().unwrap() as usize);
            let (el, ec) = (r["endLine"].as_u64().unwrap() as usize, r["endColumn"].as_u64().unwrap() as usize);
            assert!(1 <= sl && sl <= el && el <= lines.len(), "{path}: lines {sl}..{el} of {}", lines.len());
            assert!(sc >= 1 && sc <= lines[sl - 1].chars().count() + 1, "{path}:{sl}: start column {sc}");
            assert!(ec <= lines[el - 1].chars().count() + 2, "{path}:{el}: end column {ec}");
            if sl == el {
                assert!(ec > sc, "{path}:{sl}: empty region");
            }
        }
    }
}

#[test]
fn sarif_of_every_example_validates_and_keeps_the_invariants() {
    let schema = sarif_schema();
    let all = specs();
    let mut args = vec!["check", "--format", "sarif"];
    args.extend(all.iter().map(String::as_str));
    let run = json_of(&mlarchc(&args));
    sarif_invariants(&run);
    for f in all.iter().map(String::as_str).chain(["tests/ui/duplicate_dataset.mla"]) {
        if !Path::new(f).exists() {
            continue;
        }
        let doc = json_of(&mlarchc(&["check", "--format", "sarif", f]));
        sarif_invariants(&doc);
        if let Some(s) = &schema {
            validate(s, &doc, f);
        }
    }
    if let Some(s) = &schema {
        validate(s, &run, "the run over every example");
    }
    // decided and allowed findings are suppressions with their justification
    let doc = json_of(&mlarchc(&["check", "--format", "sarif", "specs/icu_mortality.mla"]));
    let sup: Vec<&Value> =
        doc["runs"][0]["results"].as_array().unwrap().iter().filter_map(|r| r["suppressions"].get(0)).collect();
    assert!(sup.iter().any(|s| s["justification"].as_str().unwrap().starts_with("decided: option B")));
    assert!(sup.iter().any(|s| s["justification"].as_str().unwrap().contains("model registry")));
}

#[test]
fn an_unreadable_file_is_a_tool_notification_and_exit_2() {
    let o = mlarchc(&["check", "--format", "sarif", "specs/kws_edge.mla", "no/such.mla"]);
    assert_eq!(o.status.code(), Some(2));
    let doc = json_of(&o);
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert!(inv["toolExecutionNotifications"][0]["message"]["text"].as_str().unwrap().contains("no/such.mla"));
    if let Some(s) = sarif_schema() {
        validate(&s, &doc, "a run with an unreadable file");
    }
}

fn fingerprints(doc: &Value) -> Vec<String> {
    let mut v: Vec<String> = doc["plans"][0]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["code"], r["fingerprint"]))
        .collect();
    v.sort();
    v
}

#[test]
fn fingerprints_survive_moved_lines() {
    let dir = common::temp_dir("fingerprints");
    let text = std::fs::read_to_string("specs/icu_mortality.mla").unwrap();
    let a = dir.join("plan.mla");
    std::fs::write(&a, &text).unwrap();
    let before = json_of(&mlarchc(&["check", "--format", "json", a.to_str().unwrap()]));
    // move every declaration down: comments and blank lines at the top
    std::fs::write(&a, format!("// moved\n\n// by an edit\n\n\n{text}")).unwrap();
    let after = json_of(&mlarchc(&["check", "--format", "json", a.to_str().unwrap()]));
    assert_eq!(fingerprints(&before), fingerprints(&after));
    let line = |d: &Value| d["plans"][0]["records"][0]["location"]["start"]["line"].as_u64().unwrap();
    assert_eq!(line(&after), line(&before) + 5, "the lines did move");
}

#[test]
fn junit_is_xml_with_one_case_per_rule_and_plan() {
    let o = mlarchc(&["check", "--format", "junit", "specs/kws_edge.mla", "specs/churn_tabular.mla"]);
    let text = String::from_utf8(o.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 2);
    for s in &suites {
        let cases: Vec<_> = s.children().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(s.attribute("tests").unwrap().parse::<usize>().unwrap(), cases.len());
        let failures = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
        assert_eq!(s.attribute("failures").unwrap().parse::<usize>().unwrap(), failures);
        assert!(failures > 0 && failures < cases.len(), "passed rules are counted too");
    }
    // an allowed finding's rule is skipped, with the reason
    let kws = suites[0];
    let skipped = kws.descendants().find(|n| n.has_tag_name("skipped")).expect("a skipped rule");
    assert!(skipped.attribute("message").unwrap().contains("no network connection"));
}

#[test]
fn github_annotations_follow_the_workflow_command_grammar() {
    let o = mlarchc(&["check", "--format", "github", "specs/kws_edge.mla"]);
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 2);
    for l in &lines {
        let (head, msg) = l[2..].split_once("::").expect("::kind props::message");
        assert!(l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "), "{l}");
        assert!(!msg.contains('\n') && !msg.contains('\r'));
        for prop in head.split_once(' ').unwrap().1.split(',') {
            let (k, v) = prop.split_once('=').expect("key=value");
            assert!(["file", "line", "endLine", "col", "endColumn", "title"].contains(&k), "{k}");
            assert!(!v.contains(':') && !v.contains(','), "escaped property {v}");
        }
    }
    assert!(lines.last().unwrap().starts_with("::notice title=mlarchc::1 plan: "));
}

#[test]
fn one_run_writes_every_format_and_stdout_stays_clean() {
    let dir = common::temp_dir("outputs");
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let o = mlarchc(&[
        "check",
        "--format",
        "json",
        "--output",
        &format!("sarif={}", p("r.sarif")),
        "--output",
        &format!("junit={}", p("r.xml")),
        "--output",
        &format!("github={}", p("r.txt")),
        "--output",
        &format!("short={}", p("sub/r.short")),
        "specs/kws_edge.mla",
    ]);
    assert_eq!(o.status.code(), Some(1));
    json_of(&o);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(p("r.sarif")).unwrap()).unwrap();
    sarif_invariants(&sarif);
    roxmltree::Document::parse(&std::fs::read_to_string(p("r.xml")).unwrap()).unwrap();
    assert!(std::fs::read_to_string(p("r.txt")).unwrap().starts_with("::"));
    assert!(
        std::fs::read_to_string(p("sub/r.short")).unwrap().contains("specs/kws_edge.mla:"),
        "a missing folder is made"
    );
    // no temporary files are left beside the outputs
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 4, "{left:?}");
    // a bad output spec is a bad invocation; an unwritable path is exit 2
    assert_eq!(mlarchc(&["check", "--output", "pdf=x", "specs/kws_edge.mla"]).status.code(), Some(2));
    assert_eq!(mlarchc(&["check", "--output", "sarif", "specs/kws_edge.mla"]).status.code(), Some(2));
    let o = mlarchc(&["check", "--output", "sarif=/proc/no/x.sarif", "specs/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
}

#[test]
fn fail_on_sets_the_exit_status() {
    // churn_tabular has errors; derm_fusion only warnings
    let warn_only = "specs/derm_fusion.mla";
    let out = mlarchc(&["check", "--format", "short", warn_only]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(": error["), "{text}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(mlarchc(&["check", "--fail-on", "warning", warn_only]).status.code(), Some(1));
    assert_eq!(mlarchc(&["check", "--fail-on", "never", "specs/churn_tabular.mla"]).status.code(), Some(0));
    assert_eq!(mlarchc(&["check", "--exit-zero", "specs/churn_tabular.mla"]).status.code(), Some(0));
    assert_eq!(mlarchc(&["check", "--exit-zero", "no/such.mla"]).status.code(), Some(2));
}

#[test]
fn a_run_ends_with_its_summary_and_a_clean_run_says_so() {
    let o = mlarchc(&["check", "specs/kws_edge.mla", "specs/churn_tabular.mla"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.trim_end().lines().last().unwrap().starts_with("2 plans: "), "{text}");
    let mut args = vec!["check".to_string()];
    for s in ["formulation", "representation", "architecture", "training", "evaluation", "compute", "deployment"] {
        args.push("--allow".into());
        args.push(s.into());
    }
    args.push("specs/kws_edge.mla".into());
    let o = mlarchc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 plan: clean"), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn the_validators_reject_broken_documents() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/diagnostics.schema.json").unwrap()).unwrap();
    let mut d = json_of(&mlarchc(&["check", "--format", "json", "specs/kws_edge.mla"]));
    d["plans"][0]["records"][0]["severity"] = "fatal".into();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&d));
    if let Some(s) = sarif_schema() {
        let mut doc = json_of(&mlarchc(&["check", "--format", "sarif", "specs/kws_edge.mla"]));
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
        assert!(!jsonschema::validator_for(&s).unwrap().is_valid(&doc));
    }
}

#[test]
fn the_rule_reference_is_current_and_every_help_uri_lands_on_a_heading() {
    let generated = String::from_utf8(mlarchc(&["rules", "--format", "markdown"]).stdout).unwrap();
    let on_disk = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(generated == on_disk, "docs/rules.md is stale: run `mlarchc rules --format markdown > docs/rules.md`");
    // GitHub's heading anchors: lowercase, punctuation but `-` and `_` dropped, spaces to `-`
    let slug = |h: &str| -> String {
        h.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    };
    let anchors: std::collections::HashSet<String> =
        on_disk.lines().filter_map(|l| l.strip_prefix("### ")).map(slug).collect();
    let doc = json_of(&mlarchc(&["check", "--format", "sarif", "specs/kws_edge.mla"]));
    let mut linked = 0;
    for r in doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap() {
        if let Some(u) = r["helpUri"].as_str() {
            let (page, anchor) = u.split_once('#').expect("an anchor");
            assert!(page.ends_with("/docs/rules.md"), "{u}");
            assert!(anchors.contains(anchor), "no heading for {u}");
            linked += 1;
        }
    }
    assert!(linked >= 30, "every built-in rule links its reference");
}

#[test]
fn rules_schema_and_catalog_speak_json() {
    let rules: Value = serde_json::from_slice(&mlarchc(&["rules", "--format", "json"]).stdout).expect("rules JSON");
    let all = rules.as_array().unwrap();
    assert!(all.len() >= 30 && all.iter().all(|r| r["code"].is_string() && r["options"].is_array()));
    let schema: Value = serde_json::from_slice(&mlarchc(&["schema", "--format", "json"]).stdout).expect("schema JSON");
    assert!(schema.as_array().unwrap().iter().any(|i| i["item"] == "kind" && i["name"] == "dataset"));
    let dataset: Value = serde_json::from_slice(&mlarchc(&["schema", "dataset", "--format", "json"]).stdout).unwrap();
    assert!(dataset["fields"].as_array().unwrap().iter().any(|f| f["name"] == "n" && f["required"] == true));
    let catalog: Value =
        serde_json::from_slice(&mlarchc(&["catalog", "--format", "json"]).stdout).expect("catalog JSON");
    assert!(!catalog.is_null());
}

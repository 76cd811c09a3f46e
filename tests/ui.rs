//! UI tests: every `tests/ui/*.mla` fixture is a plan with mistakes in it.
//!
//! Marks say where diagnostics must land, on the line of the mark or above it:
//!
//! ```text
//! latency: p99 < 200   //~ E0303
//! //~^ E0303            (the line above; `^^` two lines above)
//! ```
//!
//! The marks are those of `mlarchc::testing` (and of `mlarchc test`): these fixtures test
//! the language, so only the findings of rules a fixture mentions count, and only those
//! are in the snapshot. Each fixture is also an insta snapshot
//! holding the source and the rendered diagnostics together, so a reviewer reads both in
//! one file.

mod common;

use mlarchc::cli::FsHost;
use mlarchc::emit::human::{render_plain, Style};
use mlarchc::stdlib::Stdlib;
use std::path::Path;

fn check_fixture(path: &Path) -> Result<(), String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let c = mlarchc::compile(&name, text.clone(), &Stdlib::embedded(), &FsHost);
    let mut diags = c.diagnostics.clone();
    // review-stage diagnostics (`decide`, `allow`, `review`) need the rules to run
    diags.extend(c.review(&Default::default()).diagnostics);
    let shown = mlarchc::testing::relevant(&c.sources, &diags);
    let mut problems = Vec::new();
    if !shown.iter().any(|d| d.is_error()) {
        problems.push("a UI fixture must produce at least one error".to_string());
    }
    problems.extend(mlarchc::testing::check(&c.sources, &diags));
    let rendered = render_plain(&c.sources, &shown, Style::Rich);
    let snapshot = format!("----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/ui");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
        .bind(|| insta::assert_snapshot!(path.file_stem().unwrap_or_default().to_string_lossy().to_string(), snapshot));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}:\n  {}", problems.join("\n  ")))
    }
}

#[test]
fn ui_fixtures() {
    let paths = common::mla_files("tests/ui");
    let failures: Vec<String> = paths.iter().filter_map(|p| check_fixture(p).err()).collect();
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));
    assert!(paths.len() >= 60, "expected at least 60 UI fixtures, found {}", paths.len());
}

#[test]
fn every_compiler_diagnostic_code_has_a_fixture() {
    let mut all = String::new();
    for p in common::mla_files("tests/ui") {
        all.push_str(&std::fs::read_to_string(p).unwrap_or_default());
    }
    let missing: Vec<&str> = mlarchc::diag::codes::ALL.iter().map(|c| c.code).filter(|c| !all.contains(c)).collect();
    assert!(missing.is_empty(), "codes without a UI fixture: {missing:?}");
}

/// The one-line form is written by hand for speed; it must be codespan-reporting's bytes
/// on every diagnostic of every fixture, example plan and rule fixture.
#[test]
fn short_form_matches_codespan() {
    let mut paths = common::mla_files("tests/ui");
    paths.extend(common::mla_files("specs"));
    paths.extend(common::mla_files("tests/rule-language"));
    let mut compared = 0;
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read a fixture");
        let c = mlarchc::compile(&path.to_string_lossy(), text, &Stdlib::embedded(), &FsHost);
        let review = c.review(&Default::default());
        for d in c.diagnostics.iter().chain(&review.diagnostics) {
            let ours = mlarchc::emit::human::short_plain(&c.sources, d).expect("every span is in the map");
            let theirs = mlarchc::emit::human::short_by_codespan(&c.sources, d);
            assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 500, "only {compared} diagnostics compared");
}

/// The run's summary counts records without building them; the counts must be those of
/// the records (dispositions included) on every fixture and example plan.
#[test]
fn tally_matches_records() {
    use mlarchc::emit::record::{Disposition, Outcome, Tally};
    let mut paths = common::mla_files("tests/ui");
    paths.extend(common::mla_files("specs"));
    paths.extend(common::mla_files("tests/rule-language"));
    paths.extend(
        mlarchc::cli::files_under(Path::new("stdlib/rules"), &|p: &Path| p.extension().is_some_and(|e| e == "mla"))
            .expect("list the rules"),
    );
    let mut kinds = std::collections::BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read a fixture");
        let c = mlarchc::compile(&path.to_string_lossy(), text, &Stdlib::embedded(), &FsHost);
        let review = c.review(&Default::default());
        let o = Outcome::new("plan", &c, &review);
        let mut tallied: Vec<_> = o.tally().map(|(s, t)| format!("{s:?} {t:?}")).collect();
        let mut recorded: Vec<_> = o
            .records()
            .iter()
            .map(|r| {
                let t = match r.disposition {
                    Disposition::Open => Tally::Open,
                    Disposition::Decided { .. } => Tally::Decided,
                    Disposition::Allowed { .. } => Tally::Allowed,
                    Disposition::Baselined => Tally::Baselined,
                };
                format!("{:?} {t:?}", r.severity)
            })
            .collect();
        tallied.sort();
        recorded.sort();
        assert_eq!(tallied, recorded, "{}", path.display());
        kinds.extend(recorded);
    }
    assert!(kinds.iter().any(|k| k.ends_with("Decided")) && kinds.iter().any(|k| k.ends_with("Allowed")), "{kinds:?}");
}

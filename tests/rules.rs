//! The built-in rule catalogue keeps its conventions: one rule per file, in the folder of
//! its section, named like the file, with the fixed doc headings and a fixture beside it
//! that shows it firing; codes unique and in the section's range; at least twenty rules
//! spread over all seven sections.

use mlarchc::rules::Section;
use std::path::{Path, PathBuf};

const HEADINGS: &[&str] = &["## What it checks", "## Why it matters", "## Example", "## Instead", "## References"];

/// Every rule file (`stdlib/rules/<section>/<name>.mla`; the check below holds each to the
/// folder of its section).
fn rule_files() -> Vec<PathBuf> {
    // the files beside the section folders hold the gates and the brief points, not rules
    let keep = |p: &Path| {
        p.extension().is_some_and(|e| e == "mla")
            && !mlarchc::cli::is_fixture(p)
            && p.parent().is_some_and(|d| d != Path::new("stdlib/rules"))
    };
    mlarchc::cli::files_under(Path::new("stdlib/rules"), &keep).expect("stdlib/rules")
}

#[test]
fn the_catalogue_follows_its_conventions() {
    let c = mlarchc::check_str(mlarchc::STDLIB_ONLY, "");
    assert!(c.diagnostics.is_empty(), "the stdlib itself has problems: {:?}", c.diagnostics);
    let files = rule_files();
    let mut problems = Vec::new();
    for file in &files {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        let section = file.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or("");
        let Some(rule) = c.rules.rules.iter().find(|r| r.name == stem) else {
            problems.push(format!("{}: no rule named `{stem}` in it", file.display()));
            continue;
        };
        if rule.section.as_str() != section {
            problems.push(format!("{}: section `{}` in the `{section}` folder", file.display(), rule.section.as_str()));
        }
        for h in HEADINGS {
            if !rule.text().docs.contains(h) {
                problems.push(format!("{}: doc comment lacks `{h}`", file.display()));
            }
        }
        let fixtures: Vec<String> = std::fs::read_dir(file.parent().unwrap_or(Path::new(".")))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&stem) && n.ends_with("_test.mla"))
            })
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        if !fixtures.iter().any(|f| mlarchc::testing::marks(f).0.iter().any(|m| m.what == rule.code)) {
            problems.push(format!("{}: no fixture beside it shows `{}` firing", file.display(), rule.code));
        }
        if rule.text().source.is_none() {
            problems.push(format!("{}: no `source`", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let stdlib_rules: Vec<_> =
        c.rules.rules.iter().filter(|r| r.origin == mlarchc::source::FileOrigin::Stdlib).collect();
    assert_eq!(stdlib_rules.len(), files.len(), "every built-in rule lives in its own file");
    assert!(stdlib_rules.len() >= 20, "the catalogue has {} rules; the first milestone is twenty", stdlib_rules.len());
    for s in Section::ALL {
        assert!(stdlib_rules.iter().any(|r| r.section == s), "no rule in the {} section", s.as_str());
    }
}

#[test]
fn every_rule_fixture_passes() {
    let mut failures = Vec::new();
    let mut n = 0;
    for dir in ["stdlib/rules", "specs/team-rules", "tests/rule-language"] {
        for p in mlarchc::cli::files_under(Path::new(dir), &mlarchc::cli::is_fixture).expect("fixture dir") {
            n += 1;
            let name = p.to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("read");
            let problems =
                mlarchc::testing::run_fixture(&name, text, &mlarchc::stdlib::Stdlib::embedded(), &mlarchc::cli::FsHost);
            if !problems.is_empty() {
                failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
            }
        }
    }
    assert!(n > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The rule codes that fire on some fixture of the built-in catalogue (compiled and
/// reviewed, not read from the marks).
fn codes_firing_on_fixtures() -> std::collections::BTreeSet<String> {
    let mut fired = std::collections::BTreeSet::new();
    for p in mlarchc::cli::files_under(Path::new("stdlib/rules"), &mlarchc::cli::is_fixture).expect("fixtures") {
        let name = p.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&p).expect("read");
        let c = mlarchc::compile(&name, text, &mlarchc::stdlib::Stdlib::embedded(), &mlarchc::cli::FsHost);
        fired.extend(c.review(&Default::default()).diagnostics.into_iter().map(|d| d.code));
    }
    fired
}

/// Traceability to the review brief: the catalogue is the rubric's 103 rows, every point of
/// the brief (`enum BriefPoint`) is covered by a rule that fires on some fixture, and every
/// rule fires on one.
#[test]
fn every_brief_point_traces_to_a_rule_that_fires() {
    let c = mlarchc::check_str(mlarchc::STDLIB_ONLY, "");
    let rules: Vec<_> = c.rules.rules.iter().filter(|r| r.origin == mlarchc::source::FileOrigin::Stdlib).collect();
    assert_eq!(rules.len(), 103, "the rubric has 103 rows, one built-in rule each");
    let fired = codes_firing_on_fixtures();
    let silent: Vec<&str> = rules.iter().filter(|r| !fired.contains(&r.code)).map(|r| r.code.as_str()).collect();
    assert!(silent.is_empty(), "rules that fire on no fixture: {silent:?}");
    let Some(mlarchc::schema::SchemaItem::Enum(e)) = c.plan.schema.names.get("BriefPoint") else {
        panic!("the stdlib declares no `enum BriefPoint`");
    };
    let points = &c.plan.schema.enum_(*e).variants;
    assert!(points.len() >= 50, "the brief's traceability table has 53 rows that name rules");
    let mut untraced = Vec::new();
    for p in points {
        let by: Vec<&str> = rules
            .iter()
            .filter(|r| r.covers.iter().any(|c| *c == p.name) && fired.contains(&r.code))
            .map(|r| r.code.as_str())
            .collect();
        if by.is_empty() {
            untraced.push(p.name.as_str());
        }
    }
    assert!(untraced.is_empty(), "brief points no firing rule covers: {untraced:?}");
}

/// The README's count of rules by section is the catalogue's.
#[test]
fn the_readme_counts_the_rules_by_section() {
    let c = mlarchc::check_str(mlarchc::STDLIB_ONLY, "");
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let mut total = 0;
    for s in Section::ALL {
        let n =
            c.rules.rules.iter().filter(|r| r.origin == mlarchc::source::FileOrigin::Stdlib && r.section == s).count();
        total += n;
        let row = format!("| {} | {n} |", s.as_str());
        assert!(readme.contains(&row), "README.md lacks the row `{row}`");
    }
    assert!(readme.contains(&format!("| all | {total} |")), "README.md lacks the row `| all | {total} |`");
}

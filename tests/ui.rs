//! UI tests: every `tests/ui/*.mla` fixture is a plan with mistakes in it.
//!
//! Marks say where diagnostics must land, on the line of the mark or above it:
//!
//! ```text
//! latency: p99 < 200   //~ E0303
//! //~^ E0303            (the line above; `^^` two lines above)
//! ```
//!
//! A mark names a code (`E0303`) or a severity (`ERROR`, `WARNING`, `NOTE`). Every mark must
//! be met by a diagnostic whose primary span starts on that line, and every diagnostic in
//! the fixture must be marked. Each fixture is also an insta snapshot holding the source
//! and the rendered diagnostics together, so a reviewer reads both in one file.

use mlarchc::cli::FsHost;
use mlarchc::diag::Diagnostic;
use mlarchc::emit::human::{render_plain, Style};
use mlarchc::source::{FileId, FileOrigin};
use mlarchc::stdlib::Stdlib;
use std::path::Path;

#[derive(Debug, PartialEq)]
struct Mark {
    line: usize,
    what: String,
}

fn marks(text: &str) -> Vec<Mark> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~") else {
            continue;
        };
        let rest = &line[pos + 3..];
        let ups = rest.chars().take_while(|c| *c == '^').count();
        for what in rest[ups..]
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
        {
            out.push(Mark {
                line: i + 1 - ups,
                what: what.to_string(),
            });
        }
    }
    out
}

fn matches(d: &Diagnostic, what: &str) -> bool {
    d.code == what || d.severity.as_str().eq_ignore_ascii_case(what)
}

fn check_fixture(path: &Path) -> Result<(), String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let c = mlarchc::compile(&name, text.clone(), &Stdlib::embedded(), &FsHost);
    let mut problems = Vec::new();
    if !c.has_errors() {
        problems.push("a UI fixture must produce at least one error".to_string());
    }
    // marks and diagnostics by (file, line), over the fixture and every file it imports
    let mut expected: Vec<(FileId, Mark)> = Vec::new();
    for id in c.sources.ids() {
        let f = c.sources.get(id);
        if f.origin == FileOrigin::User {
            expected.extend(marks(&f.text).into_iter().map(|m| (id, m)));
        }
    }
    let mut found: Vec<(FileId, usize, &Diagnostic)> = Vec::new();
    for d in &c.diagnostics {
        let Some(span) = d.primary_span() else {
            problems.push(format!("diagnostic without a span: {}", d.message));
            continue;
        };
        let file = c.sources.get(span.file);
        if file.origin != FileOrigin::User {
            problems.push(format!(
                "diagnostic in the stdlib, {}: {}",
                file.name, d.message
            ));
            continue;
        }
        found.push((span.file, file.line_col(span.start as usize).0, d));
    }
    for (f, m) in &expected {
        if !found
            .iter()
            .any(|(ff, l, d)| ff == f && *l == m.line && matches(d, &m.what))
        {
            problems.push(format!(
                "{}:{}: expected `{}`, not reported",
                c.sources.get(*f).name,
                m.line,
                m.what
            ));
        }
    }
    for (f, l, d) in &found {
        if !expected
            .iter()
            .any(|(ff, m)| ff == f && m.line == *l && matches(d, &m.what))
        {
            problems.push(format!(
                "{}:{l}: unexpected {}[{}] {}",
                c.sources.get(*f).name,
                d.severity.as_str(),
                d.code,
                d.message
            ));
        }
    }
    let rendered = render_plain(&c.sources, &c.diagnostics, Style::Rich);
    let snapshot = format!("----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/ui");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!(
            path.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string(),
            snapshot
        )
    });
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}:\n  {}", problems.join("\n  ")))
    }
}

#[test]
fn ui_fixtures() {
    let mut paths: Vec<_> = std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mla"))
        .collect();
    paths.sort();
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| check_fixture(p).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        paths.len() >= 60,
        "expected at least 60 UI fixtures, found {}",
        paths.len()
    );
}

#[test]
fn every_compiler_diagnostic_code_has_a_fixture() {
    let mut all = String::new();
    for e in std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(Result::ok)
    {
        if e.path().extension().is_some_and(|x| x == "mla") {
            all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let missing: Vec<&str> = mlarchc::diag::codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| !all.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a UI fixture: {missing:?}"
    );
}

#[test]
fn marks_are_parsed() {
    let m = marks("a //~ E0301\nb\n//~^ ERROR, E0106\n");
    assert_eq!(
        m,
        vec![
            Mark {
                line: 1,
                what: "E0301".into()
            },
            Mark {
                line: 2,
                what: "ERROR".into()
            },
            Mark {
                line: 2,
                what: "E0106".into()
            }
        ]
    );
}

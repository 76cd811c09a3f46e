//! Fixtures with expectations written in comments, for the compiler's own UI tests, the
//! built-in rules' tests and a team's tests of its custom rules (`mlarchc test`).
//!
//! ```text
//! split: random            //~ MLA408
//! //~^ MLA408                (the line above; `^^` two lines above)
//! //~ checks: MLA407         (a rule under test that must not fire anywhere here)
//! ```
//!
//! A mark names a code (`E0303`, `MLA201`) or a severity (`ERROR`, `WARNING`, `NOTE`) and
//! stands for one diagnostic (`//~ MLA001 MLA001`: two on that line). Every mark must be
//! met by a diagnostic whose primary span starts on that line, and every diagnostic must
//! be marked — every compiler diagnostic, and every finding of a rule the
//! fixture mentions (so a fixture about one rule is not disturbed by the others).

use crate::diag::Diagnostic;
use crate::source::{FileId, FileOrigin, SourceMap};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    /// a code (`MLA408`) or a severity (`ERROR`)
    pub what: String,
    /// `//~ MLA408 ERROR`: the code's diagnostic must also have this severity
    pub severity: Option<String>,
}

/// The marks of one file, and the rule codes named by `//~ checks:` lines.
pub fn marks(text: &str) -> (Vec<Mark>, Vec<String>) {
    let mut out: Vec<Mark> = Vec::new();
    let mut checks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~") else {
            continue;
        };
        let rest = &line[pos + 3..];
        if let Some(list) = rest.trim_start().strip_prefix("checks:") {
            checks.extend(list.split([',', ' ']).filter(|w| !w.is_empty()).map(str::to_string));
            continue;
        }
        let ups = rest.chars().take_while(|c| *c == '^').count();
        let line = (i + 1).saturating_sub(ups);
        for what in rest[ups..].split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
            let is_severity = is_severity_word(what);
            match out.last_mut() {
                // a code and a severity side by side (`MLA408 ERROR`, `ERROR MLA408`) are one mark
                Some(prev)
                    if is_severity && prev.line == line && prev.severity.is_none() && !is_severity_word(&prev.what) =>
                {
                    prev.severity = Some(what.to_string());
                }
                Some(prev)
                    if !is_severity && prev.line == line && prev.severity.is_none() && is_severity_word(&prev.what) =>
                {
                    prev.severity = Some(std::mem::replace(&mut prev.what, what.to_string()));
                }
                _ => out.push(Mark { line, what: what.to_string(), severity: None }),
            }
        }
    }
    (out, checks)
}

/// Compiles and reviews a fixture, and compares what it reports with its marks.
pub fn run_fixture(
    name: &str,
    text: String,
    stdlib: &crate::stdlib::Stdlib,
    host: &dyn crate::sema::Host,
) -> Vec<String> {
    let c = crate::compile(name, text, stdlib, host);
    let mut diags = c.diagnostics.clone();
    diags.extend(c.review(&Default::default()).diagnostics);
    check(&c.sources, &diags)
}

fn is_severity_word(w: &str) -> bool {
    ["ERROR", "WARNING", "NOTE"].contains(&w)
}

fn matches(d: &Diagnostic, m: &Mark) -> bool {
    (d.code == m.what || d.severity.as_str().eq_ignore_ascii_case(&m.what))
        && m.severity.as_ref().is_none_or(|s| d.severity.as_str().eq_ignore_ascii_case(s))
}

fn is_rule_code(code: &str) -> bool {
    code.starts_with("MLA")
}

/// The marks of every user file, and the rule codes the fixture tests.
fn expectations(sources: &SourceMap) -> (Vec<(FileId, Mark)>, Vec<String>) {
    let mut expected: Vec<(FileId, Mark)> = Vec::new();
    let mut tested: Vec<String> = Vec::new();
    for id in sources.ids() {
        let f = sources.get(id);
        if f.origin == FileOrigin::User {
            let (m, c) = marks(&f.text);
            tested.extend(m.iter().filter(|m| is_rule_code(&m.what)).map(|m| m.what.clone()));
            tested.extend(c);
            expected.extend(m.into_iter().map(|m| (id, m)));
        }
    }
    (expected, tested)
}

/// The diagnostics a fixture is about: every compiler diagnostic, and the findings of the
/// rules it mentions.
pub fn relevant(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let (_, tested) = expectations(sources);
    diagnostics.iter().filter(|d| !is_rule_code(&d.code) || tested.contains(&d.code)).cloned().collect()
}

/// Compares the diagnostics of a compiled fixture with its marks; the problems found.
pub fn check(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut problems = Vec::new();
    let (expected, tested) = expectations(sources);
    let mut found: Vec<(FileId, usize, &Diagnostic)> = Vec::new();
    for d in diagnostics {
        if is_rule_code(&d.code) && !tested.contains(&d.code) {
            continue;
        }
        let Some(span) = d.primary_span() else {
            problems.push(format!("diagnostic without a span: {}", d.message));
            continue;
        };
        let file = sources.get(span.file);
        if file.origin != FileOrigin::User {
            problems.push(format!("diagnostic in the stdlib, {}: {}", file.name, d.message));
            continue;
        }
        found.push((span.file, file.line_col(span.start as usize).0, d));
    }
    // each mark stands for one diagnostic: `//~ MLA001 MLA001` means exactly two; a code
    // mark is used before a severity mark
    let mut used = vec![false; expected.len()];
    for (f, l, d) in &found {
        let pick = |by_code: bool, used: &[bool]| {
            expected.iter().enumerate().position(|(i, (ff, m))| {
                !used[i]
                    && ff == f
                    && m.line == *l
                    && (if by_code { m.what == d.code && matches(d, m) } else { matches(d, m) })
            })
        };
        match pick(true, &used).or_else(|| pick(false, &used)) {
            Some(i) => used[i] = true,
            None => problems.push(format!(
                "{}:{l}: unexpected {}[{}] {}",
                sources.get(*f).name,
                d.severity.as_str(),
                d.code,
                d.message
            )),
        }
    }
    for ((f, m), u) in expected.iter().zip(&used) {
        if !u {
            problems.push(format!("{}:{}: expected `{}`, not reported", sources.get(*f).name, m.line, m.what));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_parsed() {
        let (m, c) = marks("a //~ E0301\nb\n//~^ ERROR, MLA201\n//~ checks: MLA407, MLA408\n");
        assert_eq!(
            m,
            vec![
                Mark { line: 1, what: "E0301".into(), severity: None },
                Mark { line: 2, what: "MLA201".into(), severity: Some("ERROR".into()) }
            ]
        );
        assert_eq!(c, vec!["MLA407", "MLA408"]);
        let (m, _) = marks("x //~ MLA408 ERROR MLA408\n");
        assert_eq!(
            m,
            vec![
                Mark { line: 1, what: "MLA408".into(), severity: Some("ERROR".into()) },
                Mark { line: 1, what: "MLA408".into(), severity: None }
            ]
        );
    }
}

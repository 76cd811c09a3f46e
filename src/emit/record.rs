//! What one check produced, as data every machine format reads: each language diagnostic
//! and each architect finding — open, decided, allowed or baselined — with its rule, its
//! place in the file (1-based lines and columns, in characters), the declaration it is
//! about, its options and a fingerprint keyed by meaning rather than by line.
//!
//! **Invariant:** JSON, SARIF, GitHub annotations, JUnit, the report and the ADRs all read
//! [`Outcome`]; none goes back to rendered text.

use crate::cost::budget::Budget;
use crate::diag::{codes, Choice, Diagnostic, Severity};
use crate::rules::review::Review;
use crate::rules::{RuleSet, State};
use crate::source::{SourceMap, Span};
use crate::Compilation;
use serde::Serialize;
use std::collections::HashMap;

/// A position: 1-based line and column (Unicode scalars), 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub start: Pos,
    pub end: Pos,
}

impl Location {
    pub fn of(sources: &SourceMap, span: Span) -> Location {
        let f = sources.get(span.file);
        let (start, end) = (span.start as usize, span.end.max(span.start) as usize);
        let (sl, sc) = f.line_col(start);
        let (el, ec) = f.line_col(end);
        Location {
            file: f.name.clone(),
            start: Pos { line: sl, column: sc, offset: start },
            end: Pos { line: el, column: ec, offset: end },
        }
    }
}

/// A secondary place the diagnostic points at ("first declared here").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// What the team did with a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Disposition {
    /// reported as it is
    Open,
    /// `decide CODE …: LETTER because "…"`
    Decided { letter: char, option: String, reason: String },
    /// `allow CODE … because "…"`
    Allowed { reason: String },
    /// recorded in the baseline file
    Baselined,
}

/// Where a record comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// the language: syntax, names, types, units, schema, `review`/`decide`/`allow` syntax
    Language,
    /// an architect rule
    Review,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub code: String,
    /// the rule's name (`scratch_deep_tiny_n`) or the compiler code's title
    pub name: String,
    pub origin: Origin,
    /// the severity after levels; a decided finding keeps the severity it had
    pub severity: Severity,
    /// the review section of a rule
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<&'static str>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// the declaration a finding is about, as a path (`model.fusion.init`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<std::sync::Arc<str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub help: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    pub disposition: Disposition,
    /// `16 hex digits:occurrence`: rule, file and entity path (language diagnostics: code,
    /// file and message), never a line, so it survives edits that move lines
    pub fingerprint: String,
}

impl Record {
    /// Open: shown as a problem and counted. Decided findings appear as notes in human
    /// output; allowed and baselined ones are carried for SARIF's suppressions, JUnit's
    /// skips and the report, not shown as problems.
    pub fn is_reported(&self) -> bool {
        matches!(self.disposition, Disposition::Open)
    }
}

/// What became of a record, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    Open,
    Decided,
    Allowed,
    Baselined,
}

/// A review-stage diagnostic is a record when it is one of the language's own codes (a bad
/// `review` setting, a decision matching nothing), not a finding's rendering.
fn is_recorded(d: &crate::diag::Diagnostic) -> bool {
    codes::ALL.iter().any(|k| k.code == d.code)
}

/// One plan's check: its records in source order, and whether the review ran.
#[derive(Debug)]
pub struct Outcome<'c> {
    /// the plan's file as the user named it
    pub file: String,
    pub compilation: &'c Compilation,
    pub review: &'c Review,
    /// built on first use: the human forms read the diagnostics, and the summary counts
    /// [`Outcome::tally`]
    records: std::cell::OnceCell<Vec<Record>>,
    /// the Complexity Budget, computed once for every format that shows it
    budget: std::cell::OnceCell<Option<Budget>>,
}

impl<'c> Outcome<'c> {
    pub fn new(file: &str, c: &'c Compilation, r: &'c Review) -> Outcome<'c> {
        Outcome {
            file: file.to_string(),
            compilation: c,
            review: r,
            records: std::cell::OnceCell::new(),
            budget: std::cell::OnceCell::new(),
        }
    }

    /// Every record of the check, in source order, fingerprinted.
    pub fn records(&self) -> &[Record] {
        self.records.get_or_init(|| records(self.compilation, self.review))
    }

    /// The severity and disposition of each record, without building them: the same
    /// diagnostics and findings [`records`] turns into records.
    pub fn tally(&self) -> impl Iterator<Item = (Severity, Tally)> + '_ {
        let language =
            self.compilation.diagnostics.iter().chain(self.review.diagnostics.iter().filter(|d| is_recorded(d)));
        language.map(|d| (d.severity, Tally::Open)).chain(self.review.findings.iter().map(|f| {
            let t = match &f.state {
                State::Open => Tally::Open,
                State::Decided { .. } => Tally::Decided,
                State::Allowed { .. } => Tally::Allowed,
                State::Baselined => Tally::Baselined,
            };
            (f.severity, t)
        }))
    }

    /// The plan's Complexity Budget; none for a plan with language errors.
    pub fn budget(&self) -> Option<&Budget> {
        self.budget
            .get_or_init(|| {
                (!self.compilation.has_errors()).then(|| crate::cost::budget::budget(&self.compilation.plan))
            })
            .as_ref()
    }

    /// Open records of a severity.
    pub fn count(&self, s: Severity) -> usize {
        self.tally().filter(|(sev, t)| *t == Tally::Open && *sev == s).count()
    }

    pub fn decided(&self) -> usize {
        self.tally().filter(|(_, t)| *t == Tally::Decided).count()
    }

    pub fn rules(&self) -> &RuleSet {
        &self.compilation.rules
    }
}

/// 64-bit FNV-1a: stable across platforms, Rust versions and runs (unlike `DefaultHasher`).
pub fn fnv64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn from_diagnostic(sources: &SourceMap, d: &Diagnostic) -> Record {
    let primary = d.primary_span();
    let related = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| Related { location: Location::of(sources, l.span), message: l.message.clone() })
        .collect();
    let name = codes::ALL.iter().find(|c| c.code == d.code).map_or("", |c| c.title);
    Record {
        code: d.code.clone(),
        name: name.to_string(),
        origin: Origin::Language,
        severity: d.severity,
        section: None,
        message: d.message.clone(),
        location: primary.map(|s| Location::of(sources, s)),
        entity: None,
        why: d.why.clone(),
        options: d.choices.clone(),
        notes: d.notes.clone(),
        help: d.help.clone(),
        related,
        disposition: Disposition::Open,
        fingerprint: String::new(),
    }
}

/// Every record of a check, in source order, fingerprinted.
pub fn records(c: &Compilation, r: &Review) -> Vec<Record> {
    let sources = &c.sources;
    let mut out: Vec<Record> = c.diagnostics.iter().map(|d| from_diagnostic(sources, d)).collect();
    // the review's own problems (a bad `review` setting, a decision matching nothing)
    out.extend(r.diagnostics.iter().filter(|d| is_recorded(d)).map(|d| from_diagnostic(sources, d)));
    for f in &r.findings {
        let rule = &c.rules.rules[f.rule];
        let disposition = match &f.state {
            State::Open => Disposition::Open,
            State::Decided { letter, option, reason } => {
                Disposition::Decided { letter: *letter, option: option.clone(), reason: reason.clone() }
            }
            State::Allowed { reason } => Disposition::Allowed { reason: reason.clone() },
            State::Baselined => Disposition::Baselined,
        };
        out.push(Record {
            code: rule.code.clone(),
            name: rule.name.clone(),
            origin: Origin::Review,
            severity: f.severity,
            section: Some(rule.section.as_str()),
            message: f.message.clone(),
            location: Some(Location::of(sources, f.span)),
            entity: Some(f.path.clone()),
            why: Some(rule.why_of(&f.advice).clone()),
            options: rule
                .options_of(&f.advice)
                .into_iter()
                .map(|o| Choice { letter: o.letter, text: o.text.clone(), recommended: o.recommended })
                .collect(),
            notes: f.notes.clone(),
            help: vec![format!("`mlarchc rule {}` explains this check", rule.code)],
            related: Vec::new(),
            disposition,
            fingerprint: String::new(),
        });
    }
    fn key(r: &Record) -> Option<(&str, usize)> {
        r.location.as_ref().map(|l| (l.file.as_str(), l.start.offset))
    }
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    // the same meaning twice in a file: numbered in source order
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for rec in &mut out {
        let file = rec.location.as_ref().map_or("", |l| l.file.as_str());
        let h = match &rec.entity {
            Some(path) => fnv64(&[&rec.code, file, path]),
            None => fnv64(&[&rec.code, file, &rec.message]),
        };
        let n = seen.entry(h).or_default();
        *n += 1;
        rec.fingerprint = format!("{h:016x}:{n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        // FNV-1a 64 of "a" followed by the separator byte 0
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in [b'a', 0] {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!(fnv64(&["a"]), h);
        assert_ne!(fnv64(&["ab", "c"]), fnv64(&["a", "bc"]));
    }
}

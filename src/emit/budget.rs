//! The Complexity Budget as text (what `mlarchc budget` prints and the review report will
//! embed) and as versioned JSON.

use crate::cost::budget::{Budget, Row};
use crate::cost::range::Range;
use serde::Serialize;
use std::fmt::Write;

/// The version of the budget's JSON; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

fn row_text(out: &mut String, r: &Row, width: usize, shown: &mut Vec<String>) {
    let est = r.estimate.show();
    let limits: Vec<String> = r
        .limits
        .iter()
        .map(|l| format!("{} {}{}: {}", l.what, if l.upper { "" } else { "≥ " }, l.shown, l.words()))
        .collect();
    let _ = writeln!(out, "  {:<width$}  {:<22}  {}", r.label, est, limits.join(" · "));
    // an assumption shared by several rows is printed once, under the first
    for line in r.estimate.explain() {
        if !shown.contains(&line) {
            let _ = writeln!(out, "  {:<width$}    {line}", "");
            shown.push(line);
        }
    }
}

/// The budget as aligned text with every term and assumption.
pub fn text(file: &str, b: &Budget) -> String {
    let mut out = String::new();
    let width = b.models.iter().flat_map(|m| &m.rows).chain(&b.project).map(|r| r.label.len()).max().unwrap_or(10);
    for m in &b.models {
        let _ = writeln!(out, "Complexity Budget of `{}` ({file})", m.model);
        if m.rows.is_empty() {
            let _ = writeln!(out, "  nothing to estimate");
        }
        let mut shown = Vec::new();
        for r in &m.rows {
            row_text(&mut out, r, width, &mut shown);
        }
        out.push('\n');
    }
    if !b.project.is_empty() {
        let _ = writeln!(out, "Project totals ({file})");
        let mut shown = Vec::new();
        for r in &b.project {
            row_text(&mut out, r, width, &mut shown);
        }
        out.push('\n');
    }
    out
}

/// The ends of a range in base units; `high` is `null` when the range is unbounded.
fn ends(r: Option<Range>) -> (Option<f64>, Option<f64>) {
    match r {
        Some(r) => (Some(r.lo), r.bounded().then_some(r.hi)),
        None => (None, None),
    }
}

#[derive(Serialize)]
struct TermJson<'a> {
    label: &'a str,
    low: Option<f64>,
    high: Option<f64>,
    detail: &'a str,
}

#[derive(Serialize)]
struct LimitJson<'a> {
    what: &'a str,
    value: f64,
    kind: &'static str,
    verdict: crate::cost::budget::Verdict,
}

#[derive(Serialize)]
struct RowJson<'a> {
    field: &'a str,
    owner: &'a str,
    label: &'a str,
    unit: &'static str,
    low: Option<f64>,
    high: Option<f64>,
    text: String,
    basis: &'a Option<String>,
    terms: Vec<TermJson<'a>>,
    assumptions: &'a [String],
    missing: &'a [String],
    limits: Vec<LimitJson<'a>>,
}

fn row_json(r: &Row) -> RowJson<'_> {
    let e = &r.estimate;
    let (low, high) = ends(e.value);
    RowJson {
        field: &r.field,
        owner: &r.owner,
        label: &r.label,
        unit: e.measure.unit(),
        low,
        high,
        text: e.show(),
        basis: &e.basis,
        terms: e
            .terms
            .iter()
            .map(|t| {
                let (low, high) = ends(Some(t.value));
                TermJson { label: &t.label, low, high, detail: &t.detail }
            })
            .collect(),
        assumptions: &e.assumptions,
        missing: &e.missing,
        limits: r
            .limits
            .iter()
            .map(|l| LimitJson {
                what: &l.what,
                value: l.value,
                kind: if l.upper { "at_most" } else { "at_least" },
                verdict: l.verdict,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct ModelJson<'a> {
    model: &'a str,
    estimates: Vec<RowJson<'a>>,
}

/// The budget of one plan as JSON.
#[derive(Serialize)]
pub struct BudgetJson<'a> {
    schema_version: u32,
    file: &'a str,
    models: Vec<ModelJson<'a>>,
    project: Vec<RowJson<'a>>,
}

/// The budget as JSON: values in base units (count, FLOP, seconds, bytes, USD, per second),
/// `high: null` where the range is unbounded (a term the plan does not let us size).
pub fn json<'a>(file: &'a str, b: &'a Budget) -> BudgetJson<'a> {
    BudgetJson {
        schema_version: SCHEMA_VERSION,
        file,
        models: b
            .models
            .iter()
            .map(|m| ModelJson { model: &m.model, estimates: m.rows.iter().map(row_json).collect() })
            .collect(),
        project: b.project.iter().map(row_json).collect(),
    }
}

//! The Complexity Budget as text (what `mlarchc budget` prints and the review report will
//! embed) and as versioned JSON.

use crate::cost::budget::{Budget, Row};
use crate::cost::range::Range;
use serde_json::{json, Value};
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

fn ends(r: Option<Range>) -> (Value, Value) {
    match r {
        Some(r) => (json!(r.lo), if r.bounded() { json!(r.hi) } else { Value::Null }),
        None => (Value::Null, Value::Null),
    }
}

fn row_json(r: &Row) -> Value {
    let e = &r.estimate;
    let (low, high) = ends(e.value);
    let terms: Vec<Value> = e
        .terms
        .iter()
        .map(|t| {
            let (lo, hi) = ends(Some(t.value));
            json!({ "label": t.label, "low": lo, "high": hi, "detail": t.detail })
        })
        .collect();
    let limits: Vec<Value> = r
        .limits
        .iter()
        .map(|l| json!({ "what": l.what, "value": l.value, "kind": if l.upper { "at_most" } else { "at_least" }, "verdict": l.verdict }))
        .collect();
    json!({
        "field": r.field,
        "owner": r.owner,
        "label": r.label,
        "unit": e.measure.unit(),
        "low": low,
        "high": high,
        "text": e.show(),
        "basis": e.basis,
        "terms": terms,
        "assumptions": e.assumptions,
        "missing": e.missing,
        "limits": limits,
    })
}

/// The budget as JSON: values in base units (count, FLOP, seconds, bytes, USD, per second),
/// `high: null` where the range is unbounded (a term the plan does not let us size).
pub fn json(file: &str, b: &Budget) -> Value {
    let models: Vec<Value> = b
        .models
        .iter()
        .map(|m| json!({ "model": m.model, "estimates": m.rows.iter().map(row_json).collect::<Vec<_>>() }))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "file": file,
        "models": models,
        "project": b.project.iter().map(row_json).collect::<Vec<_>>(),
    })
}

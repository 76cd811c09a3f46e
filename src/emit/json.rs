//! `--format json`: one versioned document for a whole run — every plan's records (open,
//! decided, allowed and baselined findings, language diagnostics) and its Complexity
//! Budget. The JSON Schema is `schemas/diagnostics.schema.json` (`mlarchc schema
//! --json-schema`); adding a field is a minor change, renaming, removing or retyping one
//! bumps [`SCHEMA_VERSION`].

use super::record::Outcome;
use super::summary::Summary;
use serde_json::{json, Value};

pub const SCHEMA_VERSION: &str = "mlarchc.diagnostics/1";

/// The JSON Schema of the document, shipped in the binary.
pub const SCHEMA: &str = include_str!("../../schemas/diagnostics.schema.json");

fn plan(o: &Outcome) -> Value {
    let c = o.compilation;
    let budget = (!c.has_errors()).then(|| super::budget::json(&o.file, &crate::cost::budget::budget(&c.plan)));
    json!({
        "file": o.file,
        "reviewed": !c.has_errors(),
        "counts": {
            "errors": o.count(crate::diag::Severity::Error),
            "warnings": o.count(crate::diag::Severity::Warning),
            "notes": o.count(crate::diag::Severity::Note),
            "decided": o.decided(),
        },
        "records": o.records,
        "budget": budget,
    })
}

pub fn document(outcomes: &[Outcome], summary: &Summary) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "mlarchc", "version": env!("CARGO_PKG_VERSION") },
        "summary": summary,
        "plans": outcomes.iter().map(plan).collect::<Vec<_>>(),
    })
}

pub fn render(outcomes: &[Outcome], summary: &Summary) -> String {
    serde_json::to_string_pretty(&document(outcomes, summary)).unwrap_or_default() + "\n"
}

//! `--format json`: one versioned document for a whole run — every plan's records (open,
//! decided, allowed and baselined findings, language diagnostics) and its Complexity
//! Budget. The JSON Schema is `schemas/diagnostics.schema.json` (`mlarchc schema
//! --json-schema`); adding a field is a minor change, renaming, removing or retyping one
//! bumps [`SCHEMA_VERSION`].

use super::record::{Outcome, Record};
use super::summary::Summary;
use crate::diag::Severity;
use serde::Serialize;

pub const SCHEMA_VERSION: &str = "mlarchc.diagnostics/1";

/// The JSON Schema of the document, shipped in the binary.
pub const SCHEMA: &str = include_str!("../../schemas/diagnostics.schema.json");

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
    notes: usize,
    decided: usize,
}

#[derive(Serialize)]
struct PlanDoc<'a> {
    file: &'a str,
    reviewed: bool,
    counts: Counts,
    records: &'a [Record],
    budget: Option<super::budget::BudgetJson<'a>>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: Tool,
    summary: &'a Summary,
    plans: Vec<PlanDoc<'a>>,
}

fn plan<'a>(o: &'a Outcome) -> PlanDoc<'a> {
    let c = o.compilation;
    // a plan with language errors has no budget
    let budget = o.budget().map(|b| super::budget::json(&o.file, b));
    PlanDoc {
        file: &o.file,
        reviewed: !c.has_errors(),
        counts: Counts {
            errors: o.count(Severity::Error),
            warnings: o.count(Severity::Warning),
            notes: o.count(Severity::Note),
            decided: o.decided(),
        },
        records: o.records(),
        budget,
    }
}

pub fn render(outcomes: &[Outcome], summary: &Summary) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: "mlarchc", version: env!("CARGO_PKG_VERSION") },
        summary,
        plans: outcomes.iter().map(plan).collect(),
    };
    serde_json::to_string(&doc).unwrap_or_default() + "\n"
}

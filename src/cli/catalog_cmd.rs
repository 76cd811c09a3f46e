//! `mlarchc catalog [KIND] [NAME]`: what the built-in catalog knows — backbones, devices,
//! network classes, runtimes, number formats, optimiser states — listed as a table or one
//! entry in full, with its source; `--format json` for tools.

use super::{write_stdout, EXIT_OK, EXIT_USAGE};
use crate::cost::range::{self, Measure};
use crate::diag::suggest;
use crate::plan::{EntityId, Payload, Plan, Val, Value};
use crate::sema::imports::MemoryHost;
use crate::source::FileOrigin;
use crate::stdlib::Stdlib;
use crate::units::Dim;
use serde_json::json;
use std::fmt::Write;

/// The columns of each kind's table (every field when a kind is not listed here).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "backbone",
        &["family", "modality", "params", "flops", "flops_per", "input", "domain", "pretrained_on", "license"],
    ),
    ("device", &["class", "peak", "precision", "memory", "flash", "bandwidth", "power", "cost"]),
    ("efficiency", &["gpu_train", "gpu_infer", "gpu_latency", "cpu_infer", "edge_infer", "mcu_infer"]),
    ("runtime", &["memory", "overhead", "per_layer", "bandwidth_use", "p99"]),
];

/// A value as a reader of the catalog wants it: `25.6M`, `8.18 GFLOP`, `224x224x3`.
fn show(plan: &Plan, v: &Value) -> String {
    match &v.val {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Count(c) => range::count(*c as f64),
        Val::Real(x) => format!("{x}"),
        Val::Fraction(x) => range::pct(range::Range::point(*x)),
        Val::Quantity(d, x) => match d {
            Dim::Bytes => Measure::Bytes.show(*x),
            Dim::Flop => Measure::Flop.show(*x),
            Dim::Duration => Measure::Seconds.show(*x),
            Dim::FlopRate => range::rate(*x, ""),
            other => other.display(*x),
        },
        Val::Shape(dims) => dims.iter().map(|d| d.map_or("_".into(), |n| n.to_string())).collect::<Vec<_>>().join("x"),
        Val::Str(s) => s.clone(),
        Val::Range(a, b) => match (&a.val, &b.val) {
            (Val::Fraction(x), Val::Fraction(y)) => range::pct(range::Range::new(*x, *y)),
            _ => format!("{}..{}", show(plan, a), show(plan, b)),
        },
        Val::List(items) => format!("[{}]", items.iter().map(|i| show(plan, i)).collect::<Vec<_>>().join(", ")),
        Val::Ref(id) => plan.entity(*id).name.as_str().to_owned(),
        Val::Enum { .. } => {
            let (name, payload) = plan.variant_of(v).unwrap_or(("?", &Payload::None));
            match payload {
                Payload::Args(a) if !a.is_empty() => {
                    format!("{name}({})", a.iter().map(|x| show(plan, x)).collect::<Vec<_>>().join(", "))
                }
                _ => name.to_string(),
            }
        }
        Val::Record { record, fields } => {
            let r = plan.schema.record(*record);
            let parts: Vec<String> = r
                .fields
                .iter()
                .zip(fields)
                .filter_map(|(f, v)| v.as_ref().map(|v| format!("{}: {}", f.name, show(plan, v))))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Val::Bound { .. } | Val::Multiple { .. } | Val::Estimate(..) | Val::Progress(..) | Val::VariantName(..) => {
            "…".into()
        }
        Val::Unknown => "unknown".into(),
        Val::Absent => "none".into(),
        Val::Error => "?".into(),
    }
}

/// A value in JSON: numbers in base units, names as strings.
fn to_json(plan: &Plan, v: &Value) -> serde_json::Value {
    match &v.val {
        Val::Bool(b) => json!(b),
        Val::Int(i) => json!(i),
        Val::Count(c) => json!(c),
        Val::Real(x) | Val::Fraction(x) | Val::Quantity(_, x) => json!(x),
        Val::Shape(d) => json!(d),
        Val::Str(s) => json!(s),
        Val::Range(a, b) => json!([to_json(plan, a), to_json(plan, b)]),
        Val::List(items) => serde_json::Value::Array(items.iter().map(|i| to_json(plan, i)).collect()),
        Val::Ref(id) => json!(plan.entity(*id).name),
        Val::Record { record, fields } => {
            let r = plan.schema.record(*record);
            let mut m = serde_json::Map::new();
            for (f, v) in r.fields.iter().zip(fields) {
                if let Some(v) = v {
                    m.insert(f.name.as_str().to_owned(), to_json(plan, v));
                }
            }
            serde_json::Value::Object(m)
        }
        _ => json!(show(plan, v)),
    }
}

/// The catalog entries of a kind, in catalog order.
fn entries(plan: &Plan, kind: &str) -> Vec<EntityId> {
    plan.ids_of(kind).into_iter().filter(|id| plan.entity(*id).origin == FileOrigin::Stdlib).collect()
}

/// The kinds that have catalog entries.
fn kinds(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in plan.entities.iter().filter(|e| e.origin == FileOrigin::Stdlib) {
        let k = &plan.schema.kind(e.kind).name;
        if !out.iter().any(|o| o == k) {
            out.push(k.as_str().to_owned());
        }
    }
    out
}

/// `backbones` → `backbone`, `efficiencies` → `efficiency`.
fn kind_of(plan: &Plan, word: &str) -> Option<String> {
    let ks = kinds(plan);
    let w = word.to_ascii_lowercase();
    ks.into_iter()
        .find(|k| *k == w || format!("{k}s") == w || (k.ends_with('y') && format!("{}ies", &k[..k.len() - 1]) == w))
}

fn fields(plan: &Plan, id: EntityId) -> Vec<(String, Value)> {
    let e = plan.entity(id);
    let k = plan.schema.kind(e.kind);
    let mut out = Vec::new();
    for (slot, v) in plan.slots(e).enumerate() {
        let (Some(v), Some(f)) = (v, k.field(e.variant, slot)) else { continue };
        if f.derived || matches!(v.val, Val::Absent) {
            continue;
        }
        out.push((f.name.as_str().to_owned(), v.clone()));
    }
    out
}

fn table(plan: &Plan, kind: &str) -> String {
    let ids = entries(plan, kind);
    let cols: Vec<String> = match COLUMNS.iter().find(|(k, _)| *k == kind) {
        Some((_, c)) => c.iter().map(|s| s.to_string()).collect(),
        None => ids
            .first()
            .map_or(Vec::new(), |id| fields(plan, *id).into_iter().map(|(n, _)| n).filter(|n| n != "source").collect()),
    };
    let mut rows = vec![std::iter::once("name".to_string()).chain(cols.iter().cloned()).collect::<Vec<_>>()];
    for id in &ids {
        let fs = fields(plan, *id);
        let mut row = vec![plan.entity(*id).name.as_str().to_owned()];
        for c in &cols {
            row.push(fs.iter().find(|(n, _)| n == c).map_or("-".into(), |(_, v)| show(plan, v)));
        }
        rows.push(row);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(out, "\n{} {kind} entries; `mlarchc catalog {kind} NAME` shows one with its source", ids.len());
    out
}

fn entry(plan: &Plan, id: EntityId) -> String {
    let e = plan.entity(id);
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", plan.schema.kind(e.kind).name, e.name);
    let fields = fields(plan, id);
    let w = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0) + 2;
    for (n, v) in fields {
        // counts in full: `25,557,032` is what a reader checks against a model card
        let text = match v.val {
            Val::Count(c) => range::thousands(c),
            _ => show(plan, &v),
        };
        let _ = writeln!(out, "  {n:<w$}{text}");
    }
    out
}

fn entry_json(plan: &Plan, id: EntityId) -> serde_json::Value {
    let e = plan.entity(id);
    let mut m = serde_json::Map::new();
    for (n, v) in fields(plan, id) {
        m.insert(n, to_json(plan, &v));
    }
    json!({ "kind": plan.schema.kind(e.kind).name, "name": e.name, "fields": m })
}

pub fn run(what: Option<&str>, name: Option<&str>, json: bool, stdlib: &Stdlib) -> i32 {
    let c = crate::compile(crate::STDLIB_ONLY, String::new(), stdlib, &MemoryHost::default());
    let plan = &c.plan;
    let all = kinds(plan);
    // `catalog NAME`: an entry of any kind
    let (kind, name) = match (what, name) {
        (None, _) => (None, None),
        (Some(w), n) => match kind_of(plan, w) {
            Some(k) => (Some(k), n),
            None if n.is_none() => (None, Some(w)),
            None => {
                say!("error: the catalog has no `{w}` entries");
                let words: Vec<String> = all.iter().map(|k| format!("{k}s")).chain(all.iter().cloned()).collect();
                if let Some(h) = suggest::help(w, words.iter()) {
                    say!("help: {h}");
                }
                return EXIT_USAGE;
            }
        },
    };
    let out = match (&kind, name) {
        (None, None) => {
            if json {
                let m: serde_json::Map<String, serde_json::Value> = all
                    .iter()
                    .map(|k| {
                        (
                            k.clone(),
                            serde_json::Value::Array(
                                entries(plan, k).into_iter().map(|id| entry_json(plan, id)).collect(),
                            ),
                        )
                    })
                    .collect();
                serde_json::to_string_pretty(&json!({ "schema_version": 1, "catalog": m })).unwrap_or_default() + "\n"
            } else {
                let mut out = String::from(
                    "The built-in catalog (a plan's declaration of the same kind and name replaces an entry):\n",
                );
                for k in &all {
                    let _ = writeln!(out, "  {:<16}{:>4} entries   `mlarchc catalog {k}`", k, entries(plan, k).len());
                }
                out
            }
        }
        (Some(k), None) => {
            if json {
                let list: Vec<_> = entries(plan, k).into_iter().map(|id| entry_json(plan, id)).collect();
                serde_json::to_string_pretty(&json!({ "schema_version": 1, "kind": k, "entries": list }))
                    .unwrap_or_default()
                    + "\n"
            } else {
                table(plan, k)
            }
        }
        (k, Some(n)) => {
            let pool: Vec<EntityId> = match k {
                Some(k) => entries(plan, k),
                None => all.iter().flat_map(|k| entries(plan, k)).collect(),
            };
            match pool.iter().find(|id| plan.entity(**id).name == n) {
                Some(id) if json => serde_json::to_string_pretty(&entry_json(plan, *id)).unwrap_or_default() + "\n",
                Some(id) => entry(plan, *id),
                None => {
                    let what = k.as_deref().unwrap_or("entry");
                    say!("error: the catalog has no {what} `{n}`");
                    let names: Vec<String> = pool.iter().map(|id| plan.entity(*id).name.as_str().to_owned()).collect();
                    match suggest::help(n, names.iter()) {
                        Some(h) => say!("help: {h}"),
                        None => say!("help: `mlarchc catalog {}` lists them", k.as_deref().unwrap_or("")),
                    }
                    return EXIT_USAGE;
                }
            }
        }
    };
    write_stdout(out.as_bytes());
    EXIT_OK
}

//! `mlarchc schema [NAME]`: what a plan can say — kinds, records, enums and sets, with
//! their fields, types, defaults and docs, read from the stdlib.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::suggest;
use crate::schema::{FieldDef, PayloadDef, Schema, SchemaItem};
use crate::sema::imports::MemoryHost;
use crate::source::SourceMap;
use crate::stdlib::Stdlib;
use std::fmt::Write;

pub fn run(name: Option<&str>, json: bool, stdlib: &Stdlib) -> i32 {
    let c = crate::compile(crate::STDLIB_ONLY, String::new(), stdlib, &MemoryHost::default());
    if c.has_errors() {
        let text = crate::emit::human::render_plain(&c.sources, &c.diagnostics, crate::emit::human::Style::Rich);
        say_raw!("{text}");
        return EXIT_FINDINGS;
    }
    let s = &c.plan.schema;
    let out = match name {
        None if json => to_json(s, &c.sources, None),
        None => overview(s),
        Some(n) => match s.names.get(n) {
            Some(item) if json => to_json(s, &c.sources, Some(*item)),
            Some(item) => describe(s, &c.sources, *item),
            None => {
                let all = s.names.keys();
                say!("error: nothing in the schema is called `{n}`");
                if let Some(h) = suggest::help(n, all) {
                    say!("help: {h}");
                }
                return EXIT_USAGE;
            }
        },
    };
    super::write_stdout(out.as_bytes());
    EXIT_OK
}

fn field_json(s: &Schema, src: &SourceMap, f: &FieldDef) -> serde_json::Value {
    serde_json::json!({
        "name": f.name,
        "type": s.spell(&f.ty),
        "optional": f.optional,
        "derived": f.derived,
        "required": f.required(),
        "default": f.default.as_ref().map(|d| src.text(d.span)),
        "docs": f.docs,
    })
}

fn item_json(s: &Schema, src: &SourceMap, item: SchemaItem) -> serde_json::Value {
    let fields = |fs: &[FieldDef]| fs.iter().map(|f| field_json(s, src, f)).collect::<Vec<_>>();
    match item {
        SchemaItem::Kind(k) => {
            let k = s.kind(k);
            serde_json::json!({
                "item": "kind", "name": k.name, "docs": k.docs, "singleton": k.singleton,
                "owner": k.owner.map(|o| s.kind(o).name.clone()),
                "fields": fields(&k.fields),
                "variants": k.variants.iter().map(|v| serde_json::json!({ "name": v.name, "docs": v.docs, "fields": fields(&v.fields) })).collect::<Vec<_>>(),
            })
        }
        SchemaItem::Record(r) => {
            let r = s.record(r);
            serde_json::json!({ "item": "record", "name": r.name, "docs": r.docs, "fields": fields(&r.fields) })
        }
        SchemaItem::Enum(e) => {
            let e = s.enum_(e);
            let values: Vec<serde_json::Value> = e
                .variants
                .iter()
                .map(|v| {
                    let args: Vec<String> = match &v.payload {
                        PayloadDef::Args(a) => {
                            a.iter().map(|(t, o)| format!("{}{}", s.spell(t), if *o { "?" } else { "" })).collect()
                        }
                        PayloadDef::Record(r) => vec![s.record(*r).name.as_str().to_owned()],
                        PayloadDef::None => Vec::new(),
                    };
                    serde_json::json!({ "name": v.name, "docs": v.docs, "payload": args })
                })
                .collect();
            serde_json::json!({ "item": "enum", "name": e.name, "docs": e.docs, "values": values })
        }
        SchemaItem::Set(i) => {
            let set = &s.sets[i];
            let en = s.enum_(set.en);
            let values: Vec<&str> = set.values.iter().map(|v| en.variants[*v as usize].name.as_str()).collect();
            serde_json::json!({ "item": "set", "name": set.name, "of": en.name, "values": values })
        }
    }
}

/// The schema as data: one item, or every kind, record, enum and set in name order.
fn to_json(s: &Schema, src: &SourceMap, item: Option<SchemaItem>) -> String {
    let doc = match item {
        Some(i) => item_json(s, src, i),
        None => {
            let mut items: Vec<(&crate::text::Text, &SchemaItem)> = s.names.iter().collect();
            items.sort_by(|a, b| a.0.cmp(b.0));
            serde_json::Value::Array(items.into_iter().map(|(_, i)| item_json(s, src, *i)).collect())
        }
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `mlarchc schema --adr-json-schema`: the JSON Schema of `decisions.json`.
pub fn adr_json_schema() -> i32 {
    super::write_stdout(crate::emit::adr::JSON_SCHEMA.as_bytes());
    EXIT_OK
}

fn first_line(docs: &str) -> String {
    crate::schema::first_sentence(docs)
}

fn overview(s: &Schema) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Declaration kinds (write `KIND NAME {{ … }}`):");
    let mut kinds: Vec<_> = s.kinds.iter().collect();
    kinds.sort_by(|a, b| a.name.cmp(&b.name));
    for k in kinds {
        let _ = writeln!(out, "  {:<14}{}", k.name, first_line(&k.docs));
        if let Some(o) = k.owner {
            let _ = writeln!(out, "  {:<14}  names a `{}`: `{} NAME {{ … }}`", "", s.kind(o).name, k.name);
        }
        if !k.variants.is_empty() {
            let names: Vec<&str> = k.variants.iter().map(|v| v.name.as_str()).collect();
            let _ = writeln!(out, "  {:<14}  variants: {}", "", names.join(", "));
        }
    }
    let mut records: Vec<_> = s.records.iter().filter(|r| !r.name.contains('.')).collect();
    records.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(out, "\nRecords:");
    for r in records {
        let _ = writeln!(out, "  {:<18}{}", r.name, first_line(&r.docs));
    }
    let mut enums: Vec<_> = s.enums.iter().collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(out, "\nEnums:");
    for e in enums {
        let count = format!("{} values", e.variants.len());
        let _ = writeln!(out, "  {:<18}{:<11}{}", e.name, count, first_line(&e.docs));
    }
    if !s.sets.is_empty() {
        let _ = writeln!(out, "\nSets (for rules):");
        for set in &s.sets {
            let _ = writeln!(out, "  {:<18}of {}", set.name, s.enum_(set.en).name);
        }
    }
    let _ = writeln!(out, "\nRun `mlarchc schema NAME` for the fields or values of one of them.");
    out
}

fn field_line(s: &Schema, src: &SourceMap, f: &FieldDef) -> String {
    let mut line = format!(
        "{}{}: {}{}",
        if f.derived { "derived " } else { "" },
        f.name,
        s.spell(&f.ty),
        if f.optional { "?" } else { "" }
    );
    if let Some(d) = &f.default {
        let _ = write!(line, " = {}", src.text(d.span));
    }
    if !f.docs.is_empty() {
        line = format!("{line:<40}  // {}", first_line(&f.docs));
    }
    line
}

fn describe(s: &Schema, src: &SourceMap, item: SchemaItem) -> String {
    let mut out = String::new();
    let fields = |out: &mut String, indent: &str, fields: &[crate::schema::FieldDef]| {
        for f in fields {
            let _ = writeln!(out, "{indent}{}", field_line(s, src, f));
        }
    };
    match item {
        SchemaItem::Kind(k) => {
            let k = s.kind(k);
            let owner = k.owner.map(|o| format!(" for {}", s.kind(o).name)).unwrap_or_default();
            let head = format!("{}kind {}{owner}", if k.singleton { "singleton " } else { "" }, k.name);
            block(&mut out, &k.docs, &head, |out| {
                fields(out, "  ", &k.fields);
                for v in &k.variants {
                    let _ = writeln!(out, "  variant {} {{", v.name);
                    fields(out, "    ", &v.fields);
                    let _ = writeln!(out, "  }}");
                }
            });
        }
        SchemaItem::Record(r) => {
            let r = s.record(r);
            block(&mut out, &r.docs, &format!("record {}", r.name), |out| fields(out, "  ", &r.fields));
        }
        SchemaItem::Enum(e) => {
            let e = s.enum_(e);
            block(&mut out, &e.docs, &format!("enum {}", e.name), |out| {
                for v in &e.variants {
                    let payload = match &v.payload {
                        PayloadDef::None => String::new(),
                        PayloadDef::Args(a) => format!(
                            "({})",
                            a.iter()
                                .map(|(t, o)| format!("{}{}", s.spell(t), if *o { "?" } else { "" }))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        PayloadDef::Record(r) => {
                            let r = s.record(*r);
                            let fields: Vec<String> = r
                                .fields
                                .iter()
                                .map(|f| field_line(s, src, f))
                                .map(|l| l.split("  //").next().unwrap_or("").trim_end().to_string())
                                .collect();
                            format!(" {{ {} }}", fields.join(", "))
                        }
                    };
                    let doc = if v.docs.is_empty() { String::new() } else { format!("  // {}", first_line(&v.docs)) };
                    let _ = writeln!(out, "  {}{payload}{doc}", v.name);
                }
            });
        }
        SchemaItem::Set(i) => {
            let set = &s.sets[i];
            let en = s.enum_(set.en);
            let values: Vec<&str> = set.values.iter().map(|v| en.variants[*v as usize].name.as_str()).collect();
            let _ = writeln!(out, "set {}: {} = [{}]", set.name, en.name, values.join(", "));
        }
    }
    out
}

/// An item's doc comment, `HEAD {`, the body and the closing brace.
fn block(out: &mut String, docs: &str, head: &str, body: impl FnOnce(&mut String)) {
    for l in docs.lines() {
        let _ = writeln!(out, "/// {l}");
    }
    let _ = writeln!(out, "{head} {{");
    body(out);
    let _ = writeln!(out, "}}");
}

//! `mlarchc report`: the review as Markdown, for people and docs pipelines — the verdict,
//! the landscape, the Data Modality Map, the Complexity Budget (with a picture of every
//! estimate against its limit), the findings by section in the brief's order with their
//! lettered options, the decisions taken, the Training Diagnostic Checklist and the
//! dependency graph as Mermaid.
//!
//! This module builds the report's data ([`context`], plain JSON) and renders it through a
//! handlebars template (`stdlib/templates/report.md.hbs`, replaceable with `--template
//! DIR`); templates decide layout, never content.

mod chart;
mod checklist;
mod modality;

use super::record::{Disposition, Origin, Outcome, Record};
use crate::cost::budget::{Row, Verdict};
use crate::diag::Severity;
use crate::plan::{EntityId, Plan};
use crate::rules::Section;
use crate::source::SourceMap;
use handlebars::Handlebars;
use serde_json::{json, Value};

/// The built-in template.
pub const TEMPLATE: &str = include_str!("../../../stdlib/templates/report.md.hbs");

/// How long the report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    Full,
    /// verdict, budget and each finding's headline with its recommended option
    Quick,
}

/// A picture the report links to, to be written beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// the file name, relative to the report
    pub name: String,
    pub svg: String,
}

#[derive(Debug)]
pub struct Rendered {
    pub markdown: String,
    pub pictures: Vec<Picture>,
}

/// The source text of a field as the plan wrote it, one line.
pub(crate) fn written(plan: &Plan, sources: &SourceMap, id: EntityId, field: &str) -> Option<String> {
    let span = plan.field(id, field)?.origin.span()?;
    let text = super::text::one_line(sources.text(span));
    (!text.is_empty()).then_some(text)
}

pub(crate) fn shape(plan: &Plan, id: EntityId, field: &str) -> Option<Vec<Option<f64>>> {
    crate::cost::catalog::shape_field(plan, id, field)
}

fn strings(plan: &Plan, id: EntityId, field: &str) -> Option<Vec<String>> {
    match &plan.field(id, field)?.val {
        crate::plan::Val::List(items) => Some(
            items
                .iter()
                .filter_map(|v| match &v.val {
                    crate::plan::Val::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// An object from values that are already JSON, moved in: `json!` would serialise a deep
/// copy of every nested value (the report's data is megabytes on a large plan).
fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn at(r: &Record) -> String {
    r.location.as_ref().map_or(String::new(), |l| format!("{}:{}:{}", l.file, l.start.line, l.start.column))
}

fn finding(r: &Record) -> Value {
    json!({
        "code": r.code,
        "name": r.name,
        "severity": r.severity.as_str(),
        "message": r.message,
        "at": at(r),
        "entity": r.entity,
        "recommended": r.options.iter().find(|o| o.recommended),
        "notes": r.notes,
    })
}

fn verdict_words(l: &crate::cost::budget::Limit) -> String {
    match l.verdict {
        Verdict::Within | Verdict::Unknown => l.words().to_string(),
        _ => format!("**{}**", l.words().to_lowercase()),
    }
}

fn budget_row(r: &Row) -> Value {
    let limits: Vec<String> = r
        .limits
        .iter()
        .map(|l| format!("{} {}{}: {}", l.what, if l.upper { "" } else { "≥ " }, l.shown, verdict_words(l)))
        .collect();
    json!({
        "label": r.label,
        "field": r.field,
        "estimate": r.estimate.show(),
        "limits": limits.join("; "),
        "basis": r.estimate.basis,
        "terms": r.estimate.explain(),
    })
}

fn bars(rows: &[Row]) -> Vec<chart::Bar> {
    let mut out = Vec::new();
    for r in rows {
        let Some(v) = r.estimate.value else { continue };
        for l in r.limits.iter().filter(|l| l.upper && l.value > 0.0) {
            out.push(chart::Bar {
                label: format!("{} vs {}", r.label, l.what.replace('`', "")),
                lo: v.lo / l.value,
                hi: v.hi / l.value,
                text: format!("{} / {}", r.estimate.show(), l.shown),
                verdict: match l.verdict {
                    Verdict::Over => "over",
                    Verdict::AtRisk => "at_risk",
                    _ => "within",
                }
                .into(),
            });
        }
    }
    out
}

/// The report's data. `stem` names the pictures (`icu.budget.svg`); without one the report
/// goes to a terminal or a step summary and links no pictures.
pub fn context(o: &Outcome, length: Length, stem: Option<&str>) -> (Value, Vec<Picture>) {
    let c = o.compilation;
    let plan = &c.plan;
    let mut pictures = Vec::new();
    let project =
        plan.ids_of("project").into_iter().find(|p| plan.entity(*p).origin == crate::source::FileOrigin::User);
    let word = |id: EntityId, f: &str| plan.variant(id, f).map(|(w, _)| w.to_string());
    let errors = o.count(Severity::Error);
    let warnings = o.count(Severity::Warning);
    let language: Vec<Value> =
        o.records().iter().filter(|r| r.origin == Origin::Language && r.is_reported()).map(finding).collect();
    let verdict = if c.has_errors() {
        json!({ "class": "does-not-check", "headline": "The plan does not check: fix the language errors below; the review runs on a plan that checks." })
    } else if errors > 0 {
        json!({ "class": "blocked", "headline": format!("Not ready: {} must be resolved before this plan is built.", crate::diag::plural(errors, "blocking finding", "blocking findings")) })
    } else if warnings > 0 {
        json!({ "class": "changes", "headline": format!("Ready with changes: no blocking findings, {} to address or decide.", crate::diag::plural(warnings, "warning", "warnings")) })
    } else {
        json!({ "class": "ready", "headline": "Ready: no open findings." })
    };
    let summary = super::summary::Summary::of(std::slice::from_ref(o), 0, super::summary::FailOn::Error).text();
    let proj = project.map(|p| {
        json!({
            "name": plan.entity(p).name,
            "docs": plan.entity(p).docs.split_whitespace().collect::<Vec<_>>().join(" "),
            "purpose": word(p, "purpose"),
            "phase": word(p, "phase"),
            "task": word(p, "task"),
            "target": written(plan, &c.sources, p, "target").map(|t| t.trim_matches('"').to_string()),
            "unit": word(p, "unit"),
            "horizon": written(plan, &c.sources, p, "horizon"),
        })
    });
    let landscape = project.map(|p| {
        let prior = strings(plan, p, "prior_attempts");
        let failures = strings(plan, p, "known_failures").unwrap_or_default();
        json!({
            "stated": prior.is_some(),
            "greenfield": prior.as_ref().is_some_and(|v| v.is_empty()),
            "prior": prior.unwrap_or_default(),
            "failures": failures,
        })
    });

    // why and options once per rule and case, not once per finding (a large plan repeats
    // a rule hundreds of times); templates look them up by `advice`: the code, or
    // `CODE/2`, `CODE/3` … where a rule's advice fits the plan's domain differently
    let mut rules = serde_json::Map::new();
    type Advice<'r> = (&'r str, &'r Option<std::sync::Arc<str>>, &'r Vec<crate::diag::Choice>, String);
    let mut advice: Vec<Advice> = Vec::new();
    for r in o.records().iter().filter(|r| r.is_reported() && r.why.is_some()) {
        if advice.iter().any(|(c, w, op, _)| *c == r.code && *w == &r.why && *op == &r.options) {
            continue;
        }
        let n = advice.iter().filter(|(c, ..)| *c == r.code).count();
        let key = if n == 0 { r.code.clone() } else { format!("{}/{}", r.code, n + 1) };
        rules.insert(key.clone(), json!({ "why": r.why, "options": r.options }));
        advice.push((&r.code, &r.why, &r.options, key));
    }
    let advice_of = |r: &Record| -> String {
        advice
            .iter()
            .find(|(c, w, op, _)| *c == r.code && *w == &r.why && *op == &r.options)
            .map_or_else(|| r.code.clone(), |(.., k)| k.clone())
    };

    // findings by section, in the brief's order; decided and allowed ones apart
    let mut sections = Vec::new();
    let mut section_counts = Vec::new();
    for s in Section::ALL {
        let mine: Vec<&Record> = o.records().iter().filter(|r| r.section == Some(s.as_str())).collect();
        // one entry per rule and severity: a rule that fires on many declarations reads
        // once, with every place it fired, most severe first
        let open: Vec<Value> = {
            let mut v: Vec<&&Record> = mine.iter().filter(|r| r.is_reported()).collect();
            v.sort_by_key(|r| r.severity);
            let mut groups: Vec<(&str, Severity, String, Vec<&Record>)> = Vec::new();
            for r in v {
                let key = advice_of(r);
                match groups.iter_mut().find(|g| g.0 == r.code && g.1 == r.severity && g.2 == key) {
                    Some(g) => g.3.push(r),
                    None => groups.push((&r.code, r.severity, key, vec![r])),
                }
            }
            groups
                .into_iter()
                .map(|(code, sev, key, rs)| {
                    obj(vec![
                        ("code", json!(code)),
                        ("advice", json!(key)),
                        ("name", json!(rs[0].name)),
                        ("severity", json!(sev.as_str())),
                        ("single", json!(rs.len() == 1)),
                        ("count", json!(rs.len())),
                        ("more", json!(rs.len() - 1)),
                        ("first", finding(rs[0])),
                        ("findings", Value::Array(rs.iter().map(|r| finding(r)).collect())),
                    ])
                })
                .collect()
        };
        let count = |sev: Severity| mine.iter().filter(|r| r.is_reported() && r.severity == sev).count();
        let decided = mine.iter().filter(|r| matches!(r.disposition, Disposition::Decided { .. })).count();
        section_counts.push((
            s.as_str().to_string(),
            [count(Severity::Error), count(Severity::Warning), count(Severity::Note), decided],
        ));
        if !open.is_empty() {
            sections.push(obj(vec![
                ("title", json!(super::text::upper_first(s.as_str()))),
                ("findings", Value::Array(open)),
            ]));
        }
    }
    let decisions: Vec<Value> = o
        .records()
        .iter()
        .filter_map(|r| match &r.disposition {
            Disposition::Decided { letter, option, reason } => Some(json!({
                "code": r.code, "name": r.name, "message": r.message, "at": at(r),
                "letter": letter.to_string(), "option": option, "reason": reason,
            })),
            _ => None,
        })
        .collect();
    let allowed: Vec<Value> = o
        .records()
        .iter()
        .filter_map(|r| match &r.disposition {
            Disposition::Allowed { reason } => {
                Some(json!({ "code": r.code, "name": r.name, "message": r.message, "at": at(r), "reason": reason }))
            }
            _ => None,
        })
        .collect();
    let baselined = o.records().iter().filter(|r| r.disposition == Disposition::Baselined).count();

    let (budget, modalities, checklists, graph) = match o.budget() {
        None => (Value::Null, json!([]), json!([]), Value::Null),
        Some(b) => {
            let models: Vec<Value> = b
                .models
                .iter()
                .map(|m| {
                    // a row the cost model cannot size says why once, not as a table of blanks
                    let (known, unknown): (Vec<&Row>, Vec<&Row>) =
                        m.rows.iter().partition(|r| r.estimate.value.is_some());
                    let mut why: Vec<String> = Vec::new();
                    for w in unknown.iter().flat_map(|r| r.estimate.missing.iter()) {
                        // one reason that extends another replaces it
                        if why.iter().any(|x| x.starts_with(w.as_str())) {
                            continue;
                        }
                        why.retain(|x| !w.starts_with(x.as_str()));
                        why.push(w.clone());
                    }
                    let nothing = known.is_empty();
                    obj(vec![
                        ("model", json!(m.model)),
                        ("nothing_estimated", json!(nothing)),
                        ("rows", Value::Array(known.into_iter().map(budget_row).collect())),
                        ("unestimated", json!(unknown.iter().map(|r| r.label.clone()).collect::<Vec<_>>().join("; "))),
                        ("missing", json!(why)),
                    ])
                })
                .collect();
            let all_bars: Vec<chart::Bar> =
                b.models.iter().flat_map(|m| bars(&m.rows)).chain(bars(&b.project)).collect();
            let budget_picture = match stem {
                Some(stem) if !all_bars.is_empty() => {
                    let name = format!("{stem}.budget.svg");
                    pictures.push(Picture {
                        name: name.clone(),
                        svg: chart::budget("Estimates against their budgets", &all_bars),
                    });
                    Some(name)
                }
                _ => None,
            };
            let budget = obj(vec![
                ("models", Value::Array(models)),
                ("project", Value::Array(b.project.iter().map(budget_row).collect())),
                ("picture", json!(budget_picture)),
            ]);
            // rule options for the findings about a modality, recommended first
            let mut by_modality: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
            for r in o.records().iter().filter(|r| r.is_reported()) {
                let Some(rest) = r.entity.as_deref().and_then(|e| e.strip_prefix("modality.")) else { continue };
                let name = rest.split('.').next().unwrap_or(rest);
                if let Some(x) = r.options.iter().find(|x| x.recommended) {
                    by_modality.entry(name).or_default().push(format!("{} (`{}`)", x.text, r.code));
                }
            }
            let options = |name: &str| -> Vec<String> { by_modality.get(name).cloned().unwrap_or_default() };
            let modalities = serde_json::to_value(modality::map(plan, &c.sources, &options)).unwrap_or(Value::Null);
            let checklists: Vec<Value> = plan
                .user_entities()
                .filter(|(_, e)| plan.schema.kind(e.kind).name == "model")
                .map(|(m, e)| json!({ "model": e.name, "items": checklist::items(plan, m, project) }))
                .collect();
            (budget, modalities, Value::Array(checklists), json!(crate::graph::to_mermaid(plan, &c.graph)))
        }
    };
    let findings_picture = match stem {
        Some(stem) if section_counts.iter().any(|(_, c)| c.iter().sum::<usize>() > 0) => {
            let name = format!("{stem}.findings.svg");
            pictures.push(Picture { name: name.clone(), svg: chart::findings("Findings by section", &section_counts) });
            Some(name)
        }
        _ => None,
    };
    let title = proj.as_ref().and_then(|p| p["name"].as_str().map(String::from)).unwrap_or_else(|| o.file.clone());
    let ctx = obj(vec![
        ("file", json!(o.file)),
        ("rules", Value::Object(rules)),
        ("quick", json!(length == Length::Quick)),
        ("title", json!(title)),
        ("project", proj.unwrap_or(Value::Null)),
        ("verdict", verdict),
        ("summary", json!(summary)),
        ("language", Value::Array(language)),
        ("landscape", landscape.unwrap_or(Value::Null)),
        ("modalities", modalities),
        ("budget", budget),
        ("sections", Value::Array(sections)),
        ("findings_picture", json!(findings_picture)),
        ("decisions", Value::Array(decisions)),
        ("allowed", Value::Array(allowed)),
        ("baselined", json!(baselined)),
        ("checklists", checklists),
        ("graph", graph),
        ("tool", json!({ "version": env!("CARGO_PKG_VERSION") })),
    ]);
    (ctx, pictures)
}

fn registry(template: &str) -> Result<Handlebars<'static>, String> {
    let mut h = Handlebars::new();
    h.register_escape_fn(handlebars::no_escape);
    h.set_strict_mode(false);
    h.register_helper(
        "cell",
        Box::new(
            |hp: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                match hp.param(0).map(|p| p.value()) {
                    Some(Value::String(s)) => out.write(&super::text::cell(s))?,
                    Some(Value::Null) | None => {}
                    Some(other) => out.write(&super::text::cell(&other.to_string()))?,
                }
                Ok(())
            },
        ),
    );
    h.register_template_string("report", template).map_err(|e| format!("the report template does not parse: {e}"))?;
    Ok(h)
}

/// Renders the report with `template` (the built-in one unless a team supplies its own).
pub fn render(o: &Outcome, length: Length, stem: Option<&str>, template: &str) -> Result<Rendered, String> {
    let (ctx, pictures) = context(o, length, stem);
    let h = registry(template)?;
    // the context moves in whole: `render` would serialise a copy of it
    let md = h
        .render_with_context("report", &handlebars::Context::from(ctx))
        .map_err(|e| format!("the report template failed: {e}"))?;
    // templates leave runs of blank lines where sections are empty
    let mut out = String::with_capacity(md.len());
    let mut blank = 0;
    for line in md.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(Rendered { markdown: out.trim_start().to_string(), pictures })
}

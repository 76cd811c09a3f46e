//! Architecture Decision Records in MADR 4.0: one record of the chosen architecture of each
//! `model` (proposed) and one of each `decide` in the plan (accepted), with YAML front matter
//! (`status`, `date`, the MADR people lists, `tags`, an `mlarchc:` block), the folder's index
//! (`README.md`) and `decisions.json` (`mlarchc.adr/1`).
//!
//! Pure: the command line reads the ADR folder, hands the records found there in
//! ([`Existing`]), and writes what comes back. The steps:
//!
//! 1. [`drafts`]: what the plan decides, each with a stable key (plan file + model, or plan
//!    file + rule + target: never a line, never the chosen letter) and a slug;
//! 2. [`assign`]: keys to numbers — a key already in the folder keeps its number and file,
//!    a new one takes the highest number in the folder plus one;
//! 3. [`build`]: the record as data ([`Adr`]), from the review's findings, the rules'
//!    options, the catalog and the Complexity Budget;
//! 4. [`markdown`], [`index`], [`decisions_json`]: the files.
//!
//! Everything generated is hashed (`content-sha256`: the file without that line) so that
//! the command line rewrites only files that are still exactly as generated.
//!
//! The chosen design is put in words from named schema fields (`inputs`, `representation`,
//! `fusion`, `head`, the training and deployment essentials); a field the schema lacks or
//! the plan leaves out is skipped, as in `derive.rs`.

use super::text::{cell, one_line, upper_first, variant_name};
use crate::cost::budget::{Budget, Limit, Row, Verdict};
use crate::diag::Severity;
use crate::emit::record::Location;
use crate::plan::{EntityId, Origin, Payload, Plan, Val, Value};
use crate::rules::review::Review;
use crate::rules::{Finding, Rule, State};
use crate::source::{SourceMap, Span};
use crate::syntax::ast;
use crate::Compilation;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// The version of `decisions.json`; bumped when a field changes meaning.
pub const SCHEMA_VERSION: &str = "mlarchc.adr/1";

/// The JSON Schema (draft 2020-12) of `decisions.json`.
pub const JSON_SCHEMA: &str = include_str!("../../schemas/adr.schema.json");

/// One plan's check, as the records are built from it.
pub struct Input<'a> {
    /// the plan's file as the user named it
    pub file: &'a str,
    pub compilation: &'a Compilation,
    pub review: &'a Review,
}

impl Input<'_> {
    fn plan(&self) -> &Plan {
        &self.compilation.plan
    }

    fn sources(&self) -> &SourceMap {
        &self.compilation.sources
    }

    fn rule(&self, f: &Finding) -> &Rule {
        &self.compilation.rules.rules[f.rule]
    }
}

/// MADR status tokens (one token, as Material's page status and most parsers want).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Proposed,
    Accepted,
    Deprecated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Accepted => "accepted",
            Status::Deprecated => "deprecated",
        }
    }
}

#[derive(Clone, Debug)]
enum Subject {
    /// the chosen architecture of a model
    Model(EntityId),
    /// `plan.decisions[i]`
    Decide(usize),
}

/// A decision of the plan before it has a number.
#[derive(Clone, Debug)]
pub struct Draft {
    pub key: String,
    pub slug: String,
    subject: Subject,
}

/// Where a record lives: its number and file name in the ADR folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub number: u32,
    pub file_name: String,
}

impl Link {
    pub fn id(&self) -> String {
        format!("ADR-{:04}", self.number)
    }

    fn markdown(&self) -> String {
        format!("[{}]({})", self.id(), self.file_name)
    }
}

/// An ADR file found in the folder.
#[derive(Clone, Debug)]
pub struct Existing {
    pub file_name: String,
    pub number: u32,
    pub text: String,
}

impl Existing {
    pub fn front_matter(&self) -> FrontMatter {
        front_matter(&self.text).unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Opt {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub neutral: Vec<String>,
}

impl Opt {
    fn new(id: impl Into<String>, title: impl Into<String>) -> Opt {
        Opt {
            id: id.into(),
            title: title.into(),
            description: None,
            pros: Vec::new(),
            cons: Vec::new(),
            neutral: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Good,
    Bad,
    Neutral,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Good => "Good",
            Kind::Bad => "Bad",
            Kind::Neutral => "Neutral",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Consequence {
    pub kind: Kind,
    pub text: String,
}

/// What a record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdrKind {
    /// the chosen architecture of a model
    Architecture,
    /// a `decide` in the plan
    Decision,
}

/// One record as data. Text fields are Markdown, escaped for MDX ([`escape`]) when written.
#[derive(Clone, Debug, Serialize)]
pub struct Adr {
    pub kind: AdrKind,
    pub number: u32,
    pub id: String,
    pub slug: String,
    pub file_name: String,
    pub title: String,
    pub status: Status,
    pub tags: Vec<String>,
    pub context: String,
    pub decision_drivers: Vec<String>,
    pub considered_options: Vec<Opt>,
    pub chosen_option: String,
    pub justification: String,
    pub consequences: Vec<Consequence>,
    pub confirmation: String,
    pub more_information: String,
    /// the other records this one links to
    pub related: Vec<String>,
    pub stable_key: String,
    pub source: Location,
    pub plan_sha256: String,
    pub rule_ids: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// keys, slugs, hashes

pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn key(parts: &[&str]) -> String {
    format!("sha256:{}", sha256_hex(&parts.join("\0")))
}

/// The plan file as a key part: the path the user gave, without a leading `./`.
pub fn plan_key(file: &str) -> String {
    let mut f = file.replace('\\', "/");
    while let Some(rest) = f.strip_prefix("./") {
        f = rest.to_string();
    }
    f
}

/// adr-tools' slug: lowercase, every run of characters other than ASCII letters and digits
/// becomes `-`, no `-` at either end.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Markdown helpers

/// Escapes `{`, `}` and `<` outside code spans and fences, so that MDX (Docusaurus) reads the
/// text as text; CommonMark, Python-Markdown and MDX all read `\{`, `\}` and `&lt;`.
pub fn escape(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fence = false;
    for line in markdown.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            out.push_str(line);
        } else if fence {
            out.push_str(line);
        } else {
            escape_line(line, &mut out);
        }
    }
    out
}

fn escape_line(line: &str, out: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let n = chars[i..].iter().take_while(|&&c| c == '`').count();
            // a code span closes at the next run of exactly as many backticks
            let mut j = i + n;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if m == n {
                        close = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            let end = close.unwrap_or(i + n);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        match chars[i] {
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '<' => out.push_str("&lt;"),
            c => out.push(c),
        }
        i += 1;
    }
}

/// A code span holding `text`, with a longer fence when the text holds backticks.
fn code(text: &str) -> String {
    if !text.contains('`') {
        return format!("`{text}`");
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

fn no_period(s: &str) -> &str {
    s.trim().trim_end_matches('.')
}

/// "Keep the flip" → "keep the flip"; "LoRA …" stays.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

fn list_words(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

// ---------------------------------------------------------------------------------------
// reading the plan

/// The source text of a value written in the plan.
fn written_text(input: &Input, v: &Value) -> Option<String> {
    match v.origin {
        Origin::Written(span) => Some(one_line(input.sources().text(span))),
        _ => None,
    }
}

/// `` `field: value` `` as written, or `None` when the plan does not write the field.
fn quoted(input: &Input, id: EntityId, field: &str) -> Option<String> {
    let v = input.plan().field(id, field)?;
    Some(code(&format!("{field}: {}", written_text(input, v)?)))
}

/// The value of a field as written (`late`, `pretrained(densenet121, frozen)`).
fn value_text(input: &Input, id: EntityId, field: &str) -> Option<String> {
    written_text(input, input.plan().field(id, field)?)
}

/// The fields of a declaration written in the plan, in source order, as `field: value`.
fn written_fields(input: &Input, id: EntityId, skip: &[&str]) -> Vec<String> {
    let plan = input.plan();
    let e = plan.entity(id);
    let kind = plan.schema.kind(e.kind);
    let mut out: Vec<(u32, String)> = Vec::new();
    for (slot, f) in kind.slots(e.variant).enumerate() {
        if skip.contains(&f.name.as_str()) {
            continue;
        }
        let Some(v) = plan.slot(e, slot) else { continue };
        let (Origin::Written(span), Some(text)) = (v.origin, written_text(input, v)) else { continue };
        out.push((span.start, code(&format!("{}: {text}", f.name))));
    }
    out.sort_by_key(|(s, _)| *s);
    out.into_iter().map(|(_, t)| t).collect()
}

fn kind_name(plan: &Plan, id: EntityId) -> &str {
    &plan.schema.kind(plan.entity(id).kind).name
}

/// `deploy fusion`
fn display(plan: &Plan, id: EntityId) -> String {
    format!("{} {}", kind_name(plan, id), plan.entity(id).name)
}

/// The first paragraph of a doc comment, on one line.
fn first_paragraph(docs: &str) -> String {
    docs.lines().skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" ")
}

/// The declarations attached to a model (`train`, `evaluate`, `deploy` of the same name).
fn attached(plan: &Plan, model: EntityId) -> Vec<EntityId> {
    plan.user_entities().filter(|(_, e)| e.owner == Some(model) && !e.broken).map(|(id, _)| id).collect()
}

fn attached_of(plan: &Plan, model: EntityId, kind: &str) -> Option<EntityId> {
    attached(plan, model).into_iter().find(|&a| kind_name(plan, a) == kind)
}

fn location(input: &Input, span: Span) -> Location {
    Location::of(input.sources(), span)
}

fn at(l: &Location) -> String {
    format!("{}:{}:{}", l.file, l.start.line, l.start.column)
}

/// The full lines a span covers, dedented, at most `max` of them.
fn snippet(input: &Input, span: Span, max: usize) -> String {
    let f = input.sources().get(span.file);
    let text = &f.text;
    let (start, end) = (span.start as usize, (span.end as usize).max(span.start as usize));
    let from = text[..start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let to = text[end.min(text.len())..].find('\n').map_or(text.len(), |i| end.min(text.len()) + i);
    let lines: Vec<&str> = text[from..to].lines().take(max).collect();
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    lines.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start()).trim_end()).collect::<Vec<_>>().join("\n")
}

/// The lines of `span` under the first line of the declaration they belong to (`head`),
/// with `…` for the lines between.
fn snippet_in(input: &Input, head: Span, span: Span) -> String {
    let f = input.sources().get(span.file);
    let (hl, sl) = (f.line_index(head.start as usize), f.line_index(span.start as usize));
    if head.file != span.file || hl >= sl {
        return snippet(input, span, 8);
    }
    let lines: Vec<&str> = f.text.lines().collect();
    if sl >= lines.len() {
        return snippet(input, span, 8);
    }
    let el = f.line_index((span.end as usize).max(span.start as usize)).min(lines.len().saturating_sub(1)).min(sl + 7);
    let mut out = vec![lines[hl].trim_end().to_string()];
    if sl > hl + 1 {
        let indent = lines[sl].len() - lines[sl].trim_start().len();
        out.push(format!("{}…", " ".repeat(indent)));
    }
    out.extend(lines[sl..=el].iter().map(|l| l.trim_end().to_string()));
    out.join("\n")
}

fn fence(text: &str) -> String {
    format!("```text\n{text}\n```")
}

// ---------------------------------------------------------------------------------------
// drafts and numbers

/// Every decision of the plan, in order: the architecture of each model, then each `decide`
/// that matches a finding (one that matches nothing is reported by `mlarchc check`).
pub fn drafts(input: &Input) -> Vec<Draft> {
    let plan = input.plan();
    let file = plan_key(input.file);
    let mut out = Vec::new();
    for m in plan.ids_of("model") {
        let e = plan.entity(m);
        if e.origin != crate::source::FileOrigin::User {
            continue;
        }
        out.push(Draft {
            key: key(&["mlarchc.adr/1", "architecture", &file, &e.name]),
            slug: slug(&format!("architecture of {}", e.name)),
            subject: Subject::Model(m),
        });
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, d) in plan.decisions.iter().enumerate() {
        let Some(rule) = input.compilation.rules.find(&d.rule.name) else { continue };
        if decided_by(input, i).is_empty() {
            continue;
        }
        let target = d.target.as_ref().map_or("*", |t| t.name.name.as_str());
        let base = key(&["mlarchc.adr/1", "decide", &file, &rule.code, target]);
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        let key = if *n == 1 { base } else { key(&[&base, &n.to_string()]) };
        let on = d.target.as_ref().map_or(String::new(), |t| format!(" on {}", t.name.name));
        out.push(Draft { key, slug: slug(&format!("{} {}{on}", rule.code, rule.name)), subject: Subject::Decide(i) });
    }
    out
}

/// Numbers for the drafts: a key found in the folder keeps its number and file; a new one
/// takes the next number after the highest in the folder (`highest`), in draft order.
pub fn assign(drafts: &[Draft], existing: &[Existing], highest: u32) -> HashMap<String, Link> {
    let mut known: HashMap<String, Link> = HashMap::new();
    let mut sorted: Vec<&Existing> = existing.iter().collect();
    sorted.sort_by(|a, b| (a.number, &a.file_name).cmp(&(b.number, &b.file_name)));
    for e in sorted {
        if let Some(k) = e.front_matter().stable_key {
            known.entry(k).or_insert(Link { number: e.number, file_name: e.file_name.clone() });
        }
    }
    let mut next = highest;
    let mut out = HashMap::new();
    for d in drafts {
        let link = match known.get(&d.key) {
            Some(l) => l.clone(),
            None => {
                next += 1;
                Link { number: next, file_name: format!("{next:04}-{}.md", d.slug) }
            }
        };
        out.insert(d.key.clone(), link);
    }
    out
}

/// The findings `plan.decisions[i]` decided, as the review matched them.
fn decided_by<'a>(input: &Input<'a>, i: usize) -> Vec<&'a Finding> {
    let plan = input.plan();
    let d = &plan.decisions[i];
    let Some(rule) = input.compilation.rules.find(&d.rule.name) else { return Vec::new() };
    let letter = d.letter.name.chars().next().unwrap_or('?');
    input
        .review
        .findings
        .iter()
        .filter(|f| input.rule(f).code == rule.code)
        .filter(|f| matches!(&f.state, State::Decided { letter: l, reason, .. } if *l == letter && *reason == d.reason))
        .filter(|f| crate::rules::review::targets(plan, &d.target, f))
        // a finding belongs to the first decision that matches it
        .filter(|f| (0..i).all(|j| !decides(input, j, f)))
        .collect()
}

fn decides(input: &Input, i: usize, f: &Finding) -> bool {
    let plan = input.plan();
    let d = &plan.decisions[i];
    let letter = d.letter.name.chars().next().unwrap_or('?');
    input.compilation.rules.find(&d.rule.name).is_some_and(|r| r.code == input.rule(f).code)
        && matches!(&f.state, State::Decided { letter: l, reason, .. } if *l == letter && *reason == d.reason)
        && crate::rules::review::targets(plan, &d.target, f)
}

/// The `decide` that decided a finding.
fn decision_of(input: &Input, f: &Finding) -> Option<usize> {
    (0..input.plan().decisions.len()).find(|&i| decides(input, i, f))
}

/// The models a finding bears on: the entity itself, the model it is attached to, or the
/// models that take it as an input.
fn models_of(input: &Input, f: &Finding) -> Vec<EntityId> {
    let plan = input.plan();
    plan.ids_of("model")
        .into_iter()
        .filter(|&m| {
            m == f.entity || attached(plan, m).contains(&f.entity) || plan.refs(m, "inputs").contains(&f.entity)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// building the records

/// The record of a draft, numbered.
pub fn build(input: &Input, budget: &Budget, draft: &Draft, links: &HashMap<String, Link>, all: &[Draft]) -> Adr {
    let link = links.get(&draft.key).cloned().unwrap_or(Link { number: 0, file_name: format!("{}.md", draft.slug) });
    let mut adr = match draft.subject {
        Subject::Model(m) => architecture(input, budget, m, links, all),
        Subject::Decide(i) => decision(input, i, links, all),
    };
    adr.number = link.number;
    adr.id = link.id();
    adr.file_name = link.file_name;
    adr.slug = draft.slug.clone();
    adr.stable_key = draft.key.clone();
    adr.plan_sha256 = sha256_hex(&input.sources().get(input.review_root()).text);
    adr
}

impl Input<'_> {
    /// The root file of the plan (the one the user named).
    fn review_root(&self) -> crate::source::FileId {
        self.sources()
            .ids()
            .find(|&id| self.sources().get(id).origin == crate::source::FileOrigin::User)
            .unwrap_or(crate::source::FileId(0))
    }
}

fn empty(kind: AdrKind, title: String, status: Status, source: Location) -> Adr {
    Adr {
        kind,
        number: 0,
        id: String::new(),
        slug: String::new(),
        file_name: String::new(),
        title,
        status,
        tags: Vec::new(),
        context: String::new(),
        decision_drivers: Vec::new(),
        considered_options: Vec::new(),
        chosen_option: String::new(),
        justification: String::new(),
        consequences: Vec::new(),
        confirmation: String::new(),
        more_information: String::new(),
        related: Vec::new(),
        stable_key: String::new(),
        source,
        plan_sha256: String::new(),
        rule_ids: Vec::new(),
    }
}

/// A finding that bears on a model's design, and why.
struct Bearing<'a> {
    finding: &'a Finding,
    /// raised by the Complexity Budget (an estimate over or at risk of a limit)
    budget: bool,
}

/// The findings whose options are alternatives to the chosen design: those of the
/// representation and architecture sections on the model or its inputs, and those that
/// explain an estimate of the model's budget that is over, or at risk of, one of its limits.
fn bearings<'a>(input: &'a Input, m: EntityId, rows: &[&Row]) -> Vec<Bearing<'a>> {
    use crate::rules::Section;
    let plan = input.plan();
    let inputs = plan.refs(m, "inputs");
    let attached = attached(plan, m);
    let mut out = Vec::new();
    for f in &input.review.findings {
        let rule = input.rule(f);
        let design = matches!(rule.section, Section::Representation | Section::Architecture)
            && (f.entity == m || inputs.contains(&f.entity));
        let budget = (f.entity == m || attached.contains(&f.entity))
            && rule.text().explain.iter().filter_map(explained_field).any(|field| {
                let owner = display(plan, f.entity);
                rows.iter().any(|r| {
                    r.owner == owner
                        && r.field == field
                        && r.limits.iter().any(|l| matches!(l.verdict, Verdict::Over | Verdict::AtRisk))
                })
            });
        if design || budget {
            out.push(Bearing { finding: f, budget: !design });
        }
    }
    out
}

/// The field an `explain` entry names (`d.est_latency` → `est_latency`).
fn explained_field(e: &crate::rules::expr::TExpr) -> Option<String> {
    use crate::rules::expr::{Access, TKind};
    match &e.kind {
        TKind::Field(_, Access::Field(name, _)) => Some(name.as_str().to_owned()),
        _ => None,
    }
}

/// `cxr` as `pretrained(densenet121, frozen)`
fn input_phrase(input: &Input, i: EntityId, with_representation: bool) -> String {
    let name = code(&input.plan().entity(i).name);
    match value_text(input, i, "representation").filter(|_| with_representation) {
        Some(r) => format!("{name} as {}", code(&r)),
        None => name,
    }
}

/// The chosen design in one phrase; `full` adds each input's representation.
fn design_phrase(input: &Input, m: EntityId, full: bool) -> String {
    let plan = input.plan();
    let inputs: Vec<String> = plan.refs(m, "inputs").into_iter().map(|i| input_phrase(input, i, full)).collect();
    let mut s = match (inputs.len(), value_text(input, m, "fusion")) {
        (0, _) => "no inputs".to_string(),
        (1, _) => inputs[0].clone(),
        (_, Some(f)) if f != "unknown" => format!("{f} fusion of {}", list_words(&inputs)),
        _ => format!("{} with no stated fusion", list_words(&inputs)),
    };
    let family = value_text(input, m, "family");
    let arch = value_text(input, m, "arch");
    match (&arch, &family) {
        (Some(a), _) => {
            let mut what: Vec<String> = family.iter().map(|f| code(&format!("family: {f}"))).collect();
            what.extend(value_text(input, m, "init").map(|i| code(&format!("init: {i}"))));
            let what = if what.is_empty() { String::new() } else { format!(" ({})", what.join(", ")) };
            let _ = write!(s, " into {}{what}", code(a));
        }
        (None, Some(f)) => {
            let _ = write!(s, " into a {} model", code(f));
        }
        _ => {}
    }
    // the schema's default head means something only over features
    let head_written = plan.field(m, "head").is_some_and(|v| matches!(v.origin, Origin::Written(_)));
    if head_written || family.is_none() {
        if let Some((h, _)) = plan.variant(m, "head") {
            let _ = write!(s, ", {} head", code(h));
        }
    }
    s
}

/// `the `latency` budget of 200 ms`
fn limit_words(l: &Limit) -> String {
    if l.what.contains(", ") {
        format!("{} ({})", l.what, l.shown)
    } else {
        format!("{} of {}", l.what, l.shown)
    }
}

/// An estimate against a limit: `latency (p99) 23.2–77.6 ms is within the `latency` budget
/// of 200 ms`.
fn against(r: &Row, l: &Limit) -> String {
    let target = limit_words(l);
    let verb = match (l.verdict, l.upper) {
        (Verdict::Within, true) => "is within",
        (Verdict::Within, false) => "meets",
        (Verdict::AtRisk, true) => "may exceed",
        (Verdict::AtRisk, false) => "may fall short of",
        (Verdict::Over, true) => "is over",
        (Verdict::Over, false) => "falls short of",
        (Verdict::Unknown, _) => {
            return format!("{} is not estimated, so it cannot be checked against {target}", r.label)
        }
    };
    format!("{} {} {verb} {target}", r.label, r.estimate.show())
}

/// The project in a sentence: what is predicted, for whom, at what horizon and stakes.
fn project_sentence(input: &Input) -> Option<String> {
    let plan = input.plan();
    let p = plan.ids_of("project").into_iter().next()?;
    let name = code(&plan.entity(p).name);
    let facts: Vec<String> =
        ["task", "unit", "horizon", "prediction_time", "stakes"].iter().filter_map(|f| quoted(input, p, f)).collect();
    let mut out = match plan.field(p, "target").map(|v| &v.val) {
        Some(Val::Str(t)) => format!("The plan {name} predicts \"{}\".", no_period(t)),
        _ => format!("The plan {name}."),
    };
    let docs = first_paragraph(&plan.entity(p).docs);
    if !docs.is_empty() {
        let _ = write!(out, " {}", with_period(&docs));
    }
    if !facts.is_empty() {
        let _ = write!(out, " The plan states {}.", facts.join(", "));
    }
    Some(out)
}

fn with_period(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?', ')']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// `a` or `an` before a word.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn section_word(rule: &Rule) -> &'static str {
    rule.section.as_str()
}

fn severity_word(s: Severity) -> &'static str {
    s.as_str()
}

/// The record of a model's chosen architecture.
fn architecture(input: &Input, budget: &Budget, m: EntityId, links: &HashMap<String, Link>, all: &[Draft]) -> Adr {
    let plan = input.plan();
    let e = plan.entity(m);
    let name = code(&e.name);
    let file = input.file;
    let rows: Vec<&Row> = budget.models.iter().filter(|b| b.model == e.name).flat_map(|b| &b.rows).collect();
    let bearings = bearings(input, m, &rows);
    let single = plan.refs(m, "inputs").len() <= 1;
    let title = format!("Architecture of {name}: {}", design_phrase(input, m, single));
    let mut adr = empty(AdrKind::Architecture, title, Status::Proposed, location(input, e.head));
    let inputs = plan.refs(m, "inputs");

    // tags
    adr.tags.push("architecture".into());
    adr.tags.push(format!("model:{}", e.name));
    let mut modalities = BTreeSet::new();
    for &i in &inputs {
        if let Some(v) = variant_name(plan, i) {
            modalities.insert(v.to_string());
        }
    }
    adr.tags.extend(modalities.into_iter().map(|v| format!("modality:{v}")));
    if rows.iter().any(|r| r.estimate.value.is_some()) {
        adr.tags.push("complexity-budget".into());
    }

    // context
    let mut ctx = Vec::new();
    if let Some(p) = project_sentence(input) {
        ctx.push(p);
    }
    let docs = first_paragraph(&e.docs);
    if !docs.is_empty() {
        ctx.push(with_period(&docs));
    }
    let reads: Vec<String> = inputs
        .iter()
        .map(|&i| {
            let mut what: Vec<String> = variant_name(plan, i).map(str::to_string).into_iter().collect();
            what.extend(plan.ref_of(i, "from").map(|d| format!("from {}", code(&plan.entity(d).name))));
            let what = if what.is_empty() { String::new() } else { format!(" ({})", what.join(", ")) };
            format!("{}{what}", code(&plan.entity(i).name))
        })
        .collect();
    let mut sentence =
        format!("Model {name} reads {}", if reads.is_empty() { "no inputs".into() } else { list_words(&reads) });
    if let Some(n) = plan.num(m, "n_train") {
        let _ = write!(sentence, " and has {} training records", crate::cost::range::count(n));
    }
    sentence.push('.');
    ctx.push(sentence);
    ctx.push(
        "This record states the design the plan chose, the alternatives the architect review and the \
         catalog put against it, and where the cost model places it against the plan's limits."
            .into(),
    );
    adr.context = ctx.join("\n\n");

    // decision drivers
    if let Some(n) = plan.num(m, "n_train") {
        adr.decision_drivers.push(format!("{} training records (`n_train`)", crate::cost::range::count(n)));
    }
    for r in &rows {
        for l in &r.limits {
            let bound = if l.upper { "at most" } else { "at least" };
            adr.decision_drivers.push(format!("{} {bound} {} ({})", r.label, l.shown, l.what));
        }
    }
    if let Some(d) = attached_of(plan, m, "deploy") {
        let facts: Vec<String> = ["target", "device"].iter().filter_map(|f| quoted(input, d, f)).collect();
        if !facts.is_empty() {
            adr.decision_drivers.push(format!("deployment: {}", facts.join(", ")));
        }
    }
    if let Some(p) = plan.ids_of("project").into_iter().next() {
        if let Some(s) = quoted(input, p, "stakes") {
            adr.decision_drivers.push(format!("the project's stakes ({s})"));
        }
    }

    // the chosen design
    let mut chosen = Opt::new("chosen", upper_first(&design_phrase(input, m, true)));
    let mut desc = Vec::new();
    for &i in &inputs {
        let mut facts = Vec::new();
        facts.extend(quoted(input, i, "representation"));
        facts.extend(written_fields(input, i, &["from", "representation"]));
        desc.push(format!("* input {}: {}", code(&plan.entity(i).name), facts.join(", ")));
    }
    let model_facts = written_fields(input, m, &["inputs", "justification", "evidence"]);
    if !model_facts.is_empty() {
        desc.push(format!("* model {name}: {}", model_facts.join(", ")));
    }
    if let Some(r) = rows.iter().find(|r| r.field == "params_total").filter(|r| r.estimate.value.is_some()) {
        let parts: Vec<String> = r
            .estimate
            .terms
            .iter()
            .map(|t| format!("{} {}", t.label, r.estimate.measure.show_range(t.value)))
            .collect();
        desc.push(format!("* network: {} parameters ({})", r.estimate.show(), parts.join(" + ")));
    }
    for (kind, fields) in [
        (
            "train",
            &[
                "optimizer",
                "schedule",
                "batch",
                "epochs",
                "steps",
                "tokens",
                "precision",
                "early_stopping",
                "hardware",
                "distributed",
            ][..],
        ),
        ("deploy", &["target", "device", "latency", "memory", "throughput", "precision", "export", "optimize"][..]),
    ] {
        if let Some(a) = attached_of(plan, m, kind) {
            let facts: Vec<String> = fields.iter().filter_map(|f| quoted(input, a, f)).collect();
            if !facts.is_empty() {
                desc.push(format!("* {}: {}", code(&display(plan, a)), facts.join(", ")));
            }
        }
    }
    chosen.description = Some(desc.join("\n"));
    if let (Some(t), Some(p)) = (
        rows.iter().find(|r| r.field == "params_trainable").and_then(|r| r.estimate.value.map(|v| (r, v))),
        rows.iter().find(|r| r.field == "params_total").and_then(|r| r.estimate.value.map(|v| (r, v))),
    ) {
        let (ts, ps) = (t.0.estimate.measure.show_range(t.1), p.0.estimate.measure.show_range(p.1));
        chosen.neutral.push(if ts == ps {
            format!("all {ps} of its parameters train")
        } else {
            format!("{ts} of its {ps} parameters train")
        });
    }
    if let Some(ev) = value_text(input, m, "evidence") {
        chosen.pros.push(format!("the plan cites evidence for it: {}", ev.trim_matches('"')));
    }
    let mut alternatives = Vec::new();
    let mut related = Vec::new();
    let mut rule_ids = Vec::new();
    // one group of options per rule, its findings together
    let mut groups: Vec<(&Rule, Vec<&Bearing>)> = Vec::new();
    for b in &bearings {
        let rule = input.rule(b.finding);
        match groups.iter_mut().find(|(r, _)| r.code == rule.code) {
            Some((_, fs)) => fs.push(b),
            None => groups.push((rule, vec![b])),
        }
    }
    // the most severe first, design findings before the budget's, else in source order
    groups.sort_by_key(|(_, fs)| (fs.iter().map(|b| b.finding.severity).min(), fs.iter().all(|b| b.budget)));
    for (rule, fs) in &groups {
        if !rule_ids.contains(&rule.code) {
            rule_ids.push(rule.code.clone());
        }
        for b in fs {
            let f = b.finding;
            let rc = code(&rule.code);
            let on = code(&plan.entity(f.entity).name);
            match &f.state {
                State::Open => chosen.cons.push(format!("{rc} is open on {on}: {}", f.message)),
                State::Baselined => chosen.cons.push(format!("{rc} is open on {on} (in the baseline): {}", f.message)),
                State::Allowed { reason } => {
                    chosen.neutral.push(format!("{rc} on {on} is allowed as it is, because {}", no_period(reason)))
                }
                State::Decided { letter, option, .. } => {
                    let adr = decision_of(input, f).and_then(|i| decide_link(all, links, i));
                    if let Some(l) = &adr {
                        related.push(l.id());
                    }
                    let adr = adr.map_or(String::new(), |l| format!(" ({})", l.markdown()));
                    chosen
                        .pros
                        .push(format!("{rc} on {on} is decided for option {letter}{adr}: {}", no_period(option)));
                }
            }
        }
        // the options as the first of these findings reads them (its plan's case)
        let advice = fs.first().map(|b| b.finding.advice.clone()).unwrap_or_default();
        let mut options: Vec<&crate::rules::RuleOption> = rule.options_of(&advice);
        options.sort_by_key(|o| !o.recommended);
        for (n, o) in options.into_iter().enumerate() {
            // an option the team took is part of the chosen design
            if fs.iter().all(|b| matches!(&b.finding.state, State::Decided { letter, .. } if *letter == o.letter)) {
                continue;
            }
            let mut opt = Opt::new(
                format!("{}-{}", rule.code, o.letter),
                format!("{} {}: {}", code(&rule.code), o.letter, no_period(&o.text)),
            );
            if n == 0 {
                let f0 = fs[0].finding;
                let sev = severity_word(f0.severity);
                opt.description = Some(format!(
                    "Raised by {} (`{}`, {} {} {sev}) on {}: {}",
                    code(&rule.code),
                    rule.name,
                    article(section_word(rule)),
                    section_word(rule),
                    code(&display(plan, f0.entity)),
                    with_period(&f0.message)
                ));
            }
            if o.recommended {
                opt.pros.push(format!(
                    "it is the option {} recommends: {}",
                    code(&rule.code),
                    no_period(rule.why_of(&advice))
                ));
            }
            for b in fs {
                let f = b.finding;
                let target = &plan.entity(f.entity).name;
                match &f.state {
                    State::Open | State::Baselined => opt.neutral.push(format!(
                        "unresolved: {} is open on {}; take it with `decide {} on {target}: {} because \"…\"`",
                        code(&rule.code),
                        code(target),
                        rule.code,
                        o.letter
                    )),
                    State::Allowed { reason } => opt.cons.push(format!(
                        "not taken: the plan allows {} on {} because {}",
                        code(&rule.code),
                        code(target),
                        no_period(reason)
                    )),
                    State::Decided { letter, reason, .. } => {
                        let adr = decision_of(input, f)
                            .and_then(|i| decide_link(all, links, i))
                            .map_or(String::new(), |l| format!(" ({})", l.markdown()));
                        opt.cons.push(format!(
                            "rejected: the team decided for option {letter} on {}{adr}, because {}",
                            code(target),
                            no_period(reason)
                        ));
                    }
                }
            }
            alternatives.push(opt);
        }
    }
    alternatives.extend(catalog_alternatives(input, m));

    // the outcome
    let justification = match plan.field(m, "justification").map(|v| &v.val) {
        Some(Val::Str(j)) => no_period(j).to_string(),
        _ => format!("it is the design {} states; the plan records no `justification` for it", code(file)),
    };
    let mut outcome = Vec::new();
    let problems: Vec<String> = rows
        .iter()
        .flat_map(|r| r.limits.iter().map(move |l| (r, l)))
        .filter(|(_, l)| l.verdict != Verdict::Within)
        .map(|(r, l)| against(r, l))
        .collect();
    let limits = rows.iter().map(|r| r.limits.len()).sum::<usize>();
    if limits > 0 && problems.is_empty() {
        let all = if limits == 1 { "the one limit".to_string() } else { format!("all {limits} limits") };
        outcome.push(format!("The cost model puts it within {all} the plan sets."));
    } else if !problems.is_empty() {
        outcome.push(format!("The cost model finds that {}.", list_words(&problems)));
    }
    let open = groups
        .iter()
        .flat_map(|(_, fs)| fs)
        .filter(|b| matches!(b.finding.state, State::Open | State::Baselined))
        .count();
    if open > 0 {
        outcome.push(format!(
            "{open} {} of the review on this design {} open; the alternatives {} stay unresolved until the team decides.",
            if open == 1 { "finding" } else { "findings" },
            if open == 1 { "is" } else { "are" },
            if open == 1 { "it raises" } else { "they raise" }
        ));
    }
    adr.justification = if outcome.is_empty() {
        justification
    } else {
        format!("{justification}. {}", outcome.join(" ")).trim_end_matches('.').to_string()
    };
    adr.chosen_option = chosen.id.clone();

    // consequences: the design against the plan's limits
    for r in &rows {
        for l in &r.limits {
            let kind = if l.verdict == Verdict::Within { Kind::Good } else { Kind::Bad };
            adr.consequences.push(Consequence { kind, text: against(r, l) });
        }
    }
    if limits == 0 && !rows.is_empty() {
        adr.consequences.push(Consequence {
            kind: Kind::Bad,
            text:
                "the plan sets no latency, memory or throughput budget, so nothing holds the estimates below to a limit"
                    .into(),
        });
    }
    for (rule, fs) in &groups {
        if fs.iter().any(|b| matches!(b.finding.state, State::Open | State::Baselined)) {
            adr.consequences.push(Consequence {
                kind: Kind::Bad,
                text: format!("{} stays open until the team takes one of its options", code(&rule.code)),
            });
        }
    }

    adr.confirmation = format!(
        "`mlarchc check {file}` re-runs the review on every change: the rules named above report whether their \
         findings on {name} are open, decided or allowed, and `mlarchc budget {file}` recomputes the estimates \
         below. The record stays `proposed` until the team accepts it; once it is edited by hand (its status \
         included), `mlarchc adr` leaves it as it is."
    );

    // more information: the Complexity Budget and the plan as written
    let mut more = String::new();
    if !rows.is_empty() {
        let _ = writeln!(more, "### Complexity Budget\n");
        let _ = writeln!(more, "From the cost model (`mlarchc budget {file}` shows every term):\n");
        let _ = writeln!(more, "| Estimate | Range | Limit | Verdict |");
        let _ = writeln!(more, "|---|---|---|---|");
        let mut assumptions: Vec<String> = Vec::new();
        for r in &rows {
            let limits: Vec<String> = r.limits.iter().map(limit_words).collect();
            let verdicts: Vec<&str> =
                r.limits.iter().map(|l| if l.verdict == Verdict::Over { "over" } else { l.verdict.words() }).collect();
            let _ = writeln!(
                more,
                "| {} | {} | {} | {} |",
                cell(&r.label),
                cell(&r.estimate.show()),
                cell(&if limits.is_empty() { "—".into() } else { limits.join("; ") }),
                cell(&if verdicts.is_empty() { "—".into() } else { verdicts.join("; ") })
            );
            for a in r
                .estimate
                .assumptions
                .iter()
                .map(|a| format!("assumes {a}"))
                .chain(r.estimate.missing.iter().map(|m| format!("not known: {m}")))
            {
                if !assumptions.contains(&a) {
                    assumptions.push(a);
                }
            }
        }
        if !assumptions.is_empty() {
            let _ = writeln!(more, "\nThe ranges rest on these assumptions:\n");
            for a in &assumptions {
                let _ = writeln!(more, "* {a}");
            }
        }
        more.push('\n');
    }
    let mut decls = vec![m];
    decls.extend(inputs.iter().copied());
    let _ = writeln!(more, "### The design as written\n");
    let _ = writeln!(
        more,
        "{}\n",
        fence(&decls.iter().map(|&d| snippet(input, plan.entity(d).span, 40)).collect::<Vec<_>>().join("\n\n"))
    );
    for (i, d) in plan.decisions.iter().enumerate() {
        let Some(l) = decide_link(all, links, i) else { continue };
        if decided_by(input, i).iter().any(|f| models_of(input, f).contains(&m)) {
            let on = d.target.as_ref().map_or(String::new(), |t| format!(" on {}", code(&t.name.name)));
            let _ = writeln!(more, "* {} records the decision on {}{on}", l.markdown(), code(&d.rule.name));
            if !related.contains(&l.id()) {
                related.push(l.id());
            }
        }
    }
    let _ = write!(more, "* generated by `mlarchc adr` from {} ({})", code(&at(&adr.source)), code(&display(plan, m)));
    adr.more_information = more;

    adr.considered_options.push(chosen);
    adr.considered_options.extend(alternatives);
    adr.related = related;
    adr.rule_ids = rule_ids;
    adr
}

fn decide_link(all: &[Draft], links: &HashMap<String, Link>, i: usize) -> Option<Link> {
    all.iter().find(|d| matches!(d.subject, Subject::Decide(j) if j == i)).and_then(|d| links.get(&d.key)).cloned()
}

/// A backbone as the catalog describes it.
struct Backbone {
    id: EntityId,
    name: String,
    family: Option<String>,
    modality: Option<String>,
    domain: Option<String>,
    pretrained_on: Option<String>,
    license: Option<String>,
    params: Option<f64>,
}

fn backbone(plan: &Plan, id: EntityId) -> Backbone {
    let word = |f: &str| plan.variant(id, f).map(|(v, _)| v.to_string());
    Backbone {
        id,
        name: plan.entity(id).name.as_str().to_owned(),
        family: word("family"),
        modality: word("modality"),
        domain: word("domain"),
        pretrained_on: word("pretrained_on"),
        license: word("license"),
        params: plan.num(id, "params"),
    }
}

/// Pretrained backbones the catalog offers for an input whose backbone was pretrained on
/// another domain: the same modality, the input's own domain, closest in size first.
fn catalog_alternatives(input: &Input, m: EntityId) -> Vec<Opt> {
    let plan = input.plan();
    let mut out = Vec::new();
    for i in plan.refs(m, "inputs") {
        let Some(("pretrained", Payload::Args(args))) = plan.variant(i, "representation") else { continue };
        let Some(Val::Ref(b)) = args.first().map(|v| &v.val) else { continue };
        let tuning = args.get(1).and_then(|t| written_text(input, t)).unwrap_or_else(|| "frozen".into());
        let chosen = backbone(plan, *b);
        let Some(domain) = plan.variant(i, "domain").map(|(d, _)| d.to_string()) else { continue };
        if chosen.domain.as_deref() == Some(domain.as_str()) || chosen.modality.is_none() {
            continue;
        }
        let mut candidates: Vec<Backbone> = plan
            .ids_of("backbone")
            .into_iter()
            .map(|c| backbone(plan, c))
            .filter(|c| {
                c.id != chosen.id && c.modality == chosen.modality && c.domain.as_deref() == Some(domain.as_str())
            })
            .collect();
        let distance = |c: &Backbone| match (c.params, chosen.params) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 => (a / b).ln().abs(),
            _ => f64::INFINITY,
        };
        candidates.sort_by(|a, b| distance(a).total_cmp(&distance(b)).then(a.name.cmp(&b.name)));
        let iname = code(&plan.entity(i).name);
        for c in candidates.into_iter().take(2) {
            let mut opt = Opt::new(
                format!("catalog-{}-{}", plan.entity(i).name, c.name),
                format!("{} from the catalog for {iname}", code(&c.name)),
            );
            let family = c.family.as_deref().map_or(String::new(), |f| format!(" {}", code(f)));
            let mut d = vec![match &c.pretrained_on {
                Some(p) => format!("A{family} backbone pretrained on {}", code(p)),
                None => format!("A pretrained{family} backbone"),
            }];
            if let Some(l) = &c.license {
                d.push(format!("licence {}", code(l)));
            }
            let swap = code(&format!("representation: pretrained({}, {tuning})", c.name));
            opt.description = Some(format!("{}; on {iname} it would be {swap}.", d.join(", ")));
            let was = match (&chosen.pretrained_on, &chosen.domain) {
                (Some(p), Some(dm)) => {
                    format!(", where {} was pretrained on {} ({})", code(&chosen.name), code(p), code(dm))
                }
                (None, Some(dm)) => format!(", where {} comes from the {} domain", code(&chosen.name), code(dm)),
                _ => String::new(),
            };
            opt.pros.push(format!("its pretraining domain is {}, the domain of {iname}{was}", code(&domain)));
            if let (Some(a), Some(b)) = (c.params, chosen.params) {
                let (a_s, b_s) = (crate::cost::range::count(a), crate::cost::range::count(b));
                opt.neutral.push(format!("{a_s} parameters against {b_s} for {}", code(&chosen.name)));
            }
            opt.neutral.push(format!(
                "not evaluated: the plan does not compare it with {}; `mlarchc budget` sizes it once it is swapped in",
                code(&chosen.name)
            ));
            out.push(opt);
        }
    }
    out
}

/// The record of a `decide` in the plan.
fn decision(input: &Input, i: usize, links: &HashMap<String, Link>, all: &[Draft]) -> Adr {
    let plan = input.plan();
    let d: &ast::Decide = &plan.decisions[i];
    let findings = decided_by(input, i);
    let rule = input.compilation.rules.find(&d.rule.name).expect("drafts keep decisions of known rules");
    let letter = d.letter.name.chars().next().unwrap_or('?');
    let advice = findings.first().map(|f| f.advice.clone()).unwrap_or_default();
    let options = rule.options_of(&advice);
    let option = options.iter().copied().find(|o| o.letter == letter);
    let rc = code(&rule.code);
    let on = d.target.as_ref().map_or(String::new(), |t| format!(" on {}", code(&t.name.name)));
    let title = format!("{rc}{on}: {}", option.map_or(String::new(), |o| lower_first(no_period(&o.text))));
    let mut adr = empty(AdrKind::Decision, title, Status::Accepted, location(input, d.span));
    adr.tags = vec!["decision".into(), format!("rule:{}", rule.code), format!("section:{}", section_word(rule))];
    let mut models: Vec<EntityId> = Vec::new();
    for f in &findings {
        for m in models_of(input, f) {
            if !models.contains(&m) {
                models.push(m);
            }
        }
    }
    adr.tags.extend(models.iter().map(|&m| format!("model:{}", plan.entity(m).name)));
    adr.rule_ids = vec![rule.code.clone()];

    // context: what the review found, where
    let mut ctx = Vec::new();
    let head = format!(
        "The architect review of {} reports {rc} (`{}`, {} section)",
        code(input.file),
        rule.name,
        section_word(rule)
    );
    if let [f] = findings.as_slice() {
        let l = location(input, f.span);
        ctx.push(format!("{head} as a {} at {}: {}.", severity_word(f.severity), code(&at(&l)), no_period(&f.message)));
        ctx.push(fence(&snippet_in(input, plan.entity(f.entity).head, f.span)));
    } else {
        ctx.push(format!("{head} {} times:", findings.len()));
        let items: Vec<String> = findings
            .iter()
            .map(|f| {
                format!("* {} at {}: {}", severity_word(f.severity), code(&at(&location(input, f.span))), f.message)
            })
            .collect();
        ctx.push(items.join("\n"));
    }
    let docs = first_paragraph(&d.docs.0);
    if !docs.is_empty() {
        ctx.push(with_period(&docs));
    }
    adr.context = ctx.join("\n\n");

    adr.decision_drivers.push(format!("the risk {rc} names: {}", no_period(rule.why_of(&advice))));
    if let Some(f) = findings.first() {
        let sev = severity_word(f.severity);
        adr.decision_drivers.push(format!(
            "the review treats it as {} {sev} of the {} section",
            article(sev),
            section_word(rule)
        ));
    }

    let recommended = options.iter().copied().find(|o| o.recommended);
    for o in options.iter().copied() {
        let mut opt = Opt::new(o.letter.to_string(), format!("{}: {}", o.letter, no_period(&o.text)));
        if o.recommended {
            opt.pros.push(format!("it is the option {rc} recommends"));
        }
        if o.letter == letter {
            opt.pros.push(format!("it fits the team's situation: {}", no_period(&d.reason)));
            if !o.recommended {
                opt.cons.push(format!("it is not the option {rc} recommends"));
            }
        } else {
            opt.cons.push(format!("the team chose {letter}: {}", no_period(&d.reason)));
        }
        adr.considered_options.push(opt);
    }
    adr.chosen_option = letter.to_string();
    adr.justification = no_period(&d.reason).to_string();

    let scope = match &d.target {
        Some(t) => format!("{} only; {rc} on any other declaration is reported as usual", code(&t.name.name)),
        None => format!("every {rc} finding in the plan"),
    };
    match (option, recommended) {
        (Some(o), Some(r)) if !o.recommended => adr.consequences.push(Consequence {
            kind: Kind::Bad,
            text: format!(
                "it departs from the recommended option {} ({}): the risk {rc} names is handled only as far as the team keeps to option {letter}",
                r.letter,
                no_period(&r.text),
            ),
        }),
        (Some(_), _) => adr.consequences.push(Consequence { kind: Kind::Good, text: format!("it is the option {rc} recommends") }),
        _ => {}
    }
    adr.consequences.push(Consequence {
        kind: Kind::Good,
        text: format!(
            "the choice and its reason live in the plan, so `mlarchc check` shows the finding as decided instead of as a {}, for {scope}",
            findings.first().map_or("warning", |f| severity_word(f.severity))
        ),
    });
    adr.confirmation = format!(
        "`mlarchc check` enforces this decision: rule {} reports it as decided. If the decision stops matching a \
         finding (the declaration renamed, the finding fixed), `mlarchc check` reports `W0502`; changing the letter \
         in the plan updates this record.",
        rule.code
    );

    let mut more = Vec::new();
    let mut line = format!("* `mlarchc rule {}` explains the check", rule.code);
    if let Some(s) = &rule.text().source {
        let _ = write!(line, "; sources: {}", no_period(s));
    }
    more.push(line);
    for &m in &models {
        if let Some(l) =
            all.iter().find(|x| matches!(x.subject, Subject::Model(id) if id == m)).and_then(|x| links.get(&x.key))
        {
            more.push(format!("* {} records the architecture of {}", l.markdown(), code(&plan.entity(m).name)));
            adr.related.push(l.id());
        }
    }
    adr.more_information = format!(
        "{}\n\nThe decision as written, at {}:\n\n{}",
        more.join("\n"),
        code(&at(&adr.source)),
        fence(&snippet(input, d.span, 12))
    );
    adr
}

// ---------------------------------------------------------------------------------------
// files

/// The record as a Markdown file, front matter first; `date` as the file states it (none:
/// no `date` key).
pub fn markdown(adr: &Adr, date: Option<&str>) -> String {
    let j = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut head = String::from("---\n");
    let _ = writeln!(head, "status: {}", j(adr.status.as_str()));
    if let Some(d) = date {
        let _ = writeln!(head, "date: {}", j(d));
    }
    for k in ["decision-makers", "consulted", "informed"] {
        let _ = writeln!(head, "{k}: []");
    }
    let _ = writeln!(head, "tags: {}", serde_json::to_string(&adr.tags).unwrap_or_default());
    let _ = writeln!(head, "mlarchc:");
    let _ = writeln!(head, "  id: {}", j(&adr.id));
    let _ = writeln!(head, "  stable-key: {}", j(&adr.stable_key));
    let _ = writeln!(head, "  source: {}", j(&at(&adr.source)));
    let _ = writeln!(head, "  generated: true");
    let body = escape(&body(adr));
    seal(&head, &format!("---\n\n{body}"))
}

/// `head` + the `content-sha256` line + `tail`, the hash taken over `head` + `tail`.
fn seal(head: &str, tail: &str) -> String {
    let h = sha256_hex(&format!("{head}{tail}"));
    format!("{head}  content-sha256: \"{h}\"\n{tail}")
}

fn body(adr: &Adr) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", adr.title);
    let _ = writeln!(s, "## Context and Problem Statement\n\n{}\n", adr.context);
    if !adr.decision_drivers.is_empty() {
        let _ = writeln!(s, "## Decision Drivers\n");
        for d in &adr.decision_drivers {
            let _ = writeln!(s, "* {d}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Considered Options\n");
    for o in &adr.considered_options {
        let _ = writeln!(s, "* {}", o.title);
    }
    let chosen = adr.considered_options.iter().find(|o| o.id == adr.chosen_option).map_or("", |o| o.title.as_str());
    let _ = writeln!(
        s,
        "\n## Decision Outcome\n\nChosen option: \"{chosen}\", because {}.\n",
        no_period(&adr.justification)
    );
    if !adr.consequences.is_empty() {
        let _ = writeln!(s, "### Consequences\n");
        for c in &adr.consequences {
            let _ = writeln!(s, "* {}, because {}", c.kind.word(), c.text);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "### Confirmation\n\n{}\n", adr.confirmation);
    let _ = writeln!(s, "## Pros and Cons of the Options\n");
    for o in &adr.considered_options {
        let _ = writeln!(s, "### {}\n", o.title);
        if let Some(d) = &o.description {
            let _ = writeln!(s, "{d}\n");
        }
        let items: Vec<String> = o
            .pros
            .iter()
            .map(|p| format!("* Good, because {p}"))
            .chain(o.neutral.iter().map(|p| format!("* Neutral, because {p}")))
            .chain(o.cons.iter().map(|p| format!("* Bad, because {p}")))
            .collect();
        if !items.is_empty() {
            let _ = writeln!(s, "{}\n", items.join("\n"));
        }
    }
    let _ = writeln!(s, "## More Information\n\n{}", adr.more_information.trim_end());
    s
}

/// What the front matter of a record says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub status: Option<String>,
    pub date: Option<String>,
    pub id: Option<String>,
    pub stable_key: Option<String>,
    pub source: Option<String>,
    pub generated: bool,
    pub content_sha256: Option<String>,
}

impl FrontMatter {
    /// The plan file of `source` (`specs/x.mla:12:1` → `specs/x.mla`).
    pub fn plan(&self) -> Option<String> {
        let s = self.source.as_deref()?;
        let mut parts = s.rsplitn(3, ':');
        let (_, _, file) = (parts.next()?, parts.next()?, parts.next()?);
        Some(file.to_string())
    }
}

/// The front matter between the first two `---` lines, or `None` without one. Values are
/// read as JSON, as `mlarchc` writes them, else as bare YAML scalars.
pub fn front_matter(text: &str) -> Option<FrontMatter> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n").or_else(|| rest.strip_suffix("\n---").map(str::len))?;
    let mut fm = FrontMatter::default();
    let mut block = String::new();
    for line in rest[..end].lines() {
        let nested = line.starts_with(' ') || line.starts_with('\t');
        let Some((k, v)) = line.trim().split_once(':') else { continue };
        let v = scalar(v.trim());
        if !nested {
            block = if v.is_empty() { k.to_string() } else { String::new() };
            match k {
                "status" => fm.status = Some(v),
                "date" => fm.date = Some(v),
                _ => {}
            }
        } else if block == "mlarchc" {
            match k {
                "id" => fm.id = Some(v),
                "stable-key" => fm.stable_key = Some(v),
                "source" => fm.source = Some(v),
                "generated" => fm.generated = v == "true",
                "content-sha256" => fm.content_sha256 = Some(v),
                _ => {}
            }
        }
    }
    Some(fm)
}

fn scalar(v: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Bool(b)) => b.to_string(),
        Ok(other) if !other.is_object() && !other.is_array() => other.to_string(),
        _ => v.trim_matches(|c| c == '"' || c == '\'').to_string(),
    }
}

/// The text without its `content-sha256` line, and that line's position.
fn without_hash(text: &str) -> Option<(String, String)> {
    let start = text.find("\n  content-sha256: ")? + 1;
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
    Some((format!("{}{}", &text[..start], &text[end..]), text[start..end].to_string()))
}

/// Is the file exactly as `mlarchc adr` wrote it: generated, and its hash still matching?
pub fn is_unedited(text: &str) -> bool {
    let Some(fm) = front_matter(text) else { return false };
    let Some((rest, _)) = without_hash(text) else { return false };
    fm.generated && fm.content_sha256.as_deref() == Some(sha256_hex(&rest).as_str())
}

/// The first `# ` heading.
pub fn title_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# ")).map(|t| t.trim().to_string())
}

/// A record whose decision left the plan: status `deprecated`, the date (when one is
/// given), a line saying why, the hash renewed. Everything else stays as it was.
pub fn deprecate(text: &str, plan_file: &str, date: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() + 200);
    let mut in_front = false;
    let mut done = false;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line == "---\n" {
            in_front = n == 0;
        }
        if in_front && !done && line.starts_with("status:") {
            out.push_str("status: \"deprecated\"\n");
            done = true;
            if let (Some(d), false) = (date, text.contains("\ndate: ")) {
                let _ = writeln!(out, "date: {}", serde_json::to_string(d).unwrap_or_default());
            }
        } else if let (true, Some(d), true) = (in_front, date, line.starts_with("date:")) {
            let _ = writeln!(out, "date: {}", serde_json::to_string(d).unwrap_or_default());
        } else {
            out.push_str(line);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = write!(
        out,
        "\n{}\n",
        escape(&format!("This decision is no longer in {}, so `mlarchc adr` marked it deprecated.", code(plan_file)))
    );
    rehash(&out)
}

fn rehash(text: &str) -> String {
    match without_hash(text) {
        Some((rest, line)) => {
            let start = text.find(&line).unwrap_or(0);
            let h = sha256_hex(&rest);
            format!("{}  content-sha256: \"{h}\"\n{}", &text[..start], &text[start + line.len()..])
        }
        None => text.to_string(),
    }
}

/// One row of the folder's index and `decisions.json`: a record generated in this run, or
/// one found in the folder (edited by hand, deprecated, or not written by `mlarchc`).
#[derive(Clone, Debug)]
pub struct Listed {
    pub number: u32,
    pub file_name: String,
    pub title: String,
    pub status: String,
    pub date: Option<String>,
    pub front: FrontMatter,
    /// the record as generated, when the file holds exactly it
    pub adr: Option<Adr>,
    /// generated once, edited by hand since
    pub edited: bool,
}

impl Listed {
    pub fn on_disk(e: &Existing) -> Listed {
        let front = e.front_matter();
        Listed {
            number: e.number,
            file_name: e.file_name.clone(),
            title: title_of(&e.text).unwrap_or_else(|| e.file_name.clone()),
            status: front.status.clone().unwrap_or_default(),
            date: front.date.clone(),
            edited: front.stable_key.is_some() && !is_unedited(&e.text),
            front,
            adr: None,
        }
    }
}

/// The folder's `README.md`: a table of every record.
pub fn index(listed: &[Listed]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Architecture Decision Records\n");
    let _ = writeln!(
        s,
        "The decisions of the plans in this folder, in MADR 4.0 format. `mlarchc adr` writes the generated ones \
         and leaves any record edited by hand as it is; [decisions.json](decisions.json) holds them as data.\n"
    );
    let _ = writeln!(s, "| Number | Title | Status | Date |");
    let _ = writeln!(s, "|---|---|---|---|");
    for l in listed {
        let _ = writeln!(
            s,
            "| [{:04}]({f}) | [{}]({f}) | {} | {} |",
            l.number,
            cell(&l.title),
            cell(if l.status.is_empty() { "—" } else { &l.status }),
            cell(l.date.as_deref().unwrap_or("—")),
            f = l.file_name,
        );
    }
    let head = "---\nmlarchc:\n  generated: true\n";
    seal(head, &format!("---\n\n{}", escape(&s)))
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    schema_version: &'static str,
    tool: JsonTool,
    directory: &'a str,
    decisions: Vec<JsonDecision>,
}

#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDecision {
    id: String,
    number: u32,
    slug: String,
    file: String,
    title: String,
    status: Option<String>,
    date: Option<String>,
    kind: Option<AdrKind>,
    decision_makers: Vec<String>,
    consulted: Vec<String>,
    informed: Vec<String>,
    tags: Vec<String>,
    context: Option<String>,
    decision_drivers: Vec<String>,
    considered_options: Vec<Opt>,
    chosen_option: Option<String>,
    justification: Option<String>,
    consequences: Vec<Consequence>,
    confirmation: Option<String>,
    more_information: Option<String>,
    supersedes: Vec<String>,
    superseded_by: Option<String>,
    related: Vec<String>,
    stable_key: Option<String>,
    edited: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_text: Option<String>,
    provenance: JsonProvenance,
}

#[derive(Serialize)]
struct JsonProvenance {
    source: Option<JsonSource>,
    plan_sha256: Option<String>,
    rule_ids: Vec<String>,
    generated: bool,
}

#[derive(Serialize)]
struct JsonSource {
    uri: String,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// `decisions.json`: every record of the folder, the ones generated in this run in full,
/// their text as the Markdown files hold it.
pub fn decisions_json(dir: &str, listed: &[Listed]) -> String {
    let dir = dir.trim_end_matches('/');
    let decisions = listed
        .iter()
        .map(|l| {
            let mut d = JsonDecision {
                id: format!("ADR-{:04}", l.number),
                number: l.number,
                slug: l.file_name.trim_end_matches(".md").split_once('-').map_or(String::new(), |(_, s)| s.to_string()),
                file: format!("{dir}/{}", l.file_name),
                title: l.title.clone(),
                status: Some(l.status.clone()).filter(|s| !s.is_empty()),
                date: l.date.clone(),
                kind: None,
                decision_makers: Vec::new(),
                consulted: Vec::new(),
                informed: Vec::new(),
                tags: Vec::new(),
                context: None,
                decision_drivers: Vec::new(),
                considered_options: Vec::new(),
                chosen_option: None,
                justification: None,
                consequences: Vec::new(),
                confirmation: None,
                more_information: None,
                supersedes: Vec::new(),
                superseded_by: None,
                related: Vec::new(),
                stable_key: l.front.stable_key.clone(),
                edited: l.edited,
                source_text: l.front.source.clone(),
                provenance: JsonProvenance {
                    source: None,
                    plan_sha256: None,
                    rule_ids: Vec::new(),
                    generated: l.front.generated,
                },
            };
            if let Some(a) = &l.adr {
                let esc = |v: &[String]| v.iter().map(|x| escape(x)).collect::<Vec<_>>();
                d.kind = Some(a.kind);
                d.tags = a.tags.clone();
                d.context = Some(escape(&a.context));
                d.decision_drivers = esc(&a.decision_drivers);
                d.considered_options = a
                    .considered_options
                    .iter()
                    .map(|o| Opt {
                        id: o.id.clone(),
                        title: escape(&o.title),
                        description: o.description.as_deref().map(escape),
                        pros: esc(&o.pros),
                        cons: esc(&o.cons),
                        neutral: esc(&o.neutral),
                    })
                    .collect();
                d.chosen_option = Some(a.chosen_option.clone());
                d.justification = Some(escape(&a.justification));
                d.consequences =
                    a.consequences.iter().map(|c| Consequence { kind: c.kind, text: escape(&c.text) }).collect();
                d.confirmation = Some(escape(&a.confirmation));
                d.more_information = Some(escape(&a.more_information));
                d.related = a.related.clone();
                d.source_text = None;
                d.provenance = JsonProvenance {
                    source: Some(JsonSource {
                        uri: a.source.file.clone(),
                        start_line: a.source.start.line,
                        start_column: a.source.start.column,
                        end_line: a.source.end.line,
                        end_column: a.source.end.column,
                    }),
                    plan_sha256: Some(a.plan_sha256.clone()),
                    rule_ids: a.rule_ids.clone(),
                    generated: true,
                };
            }
            d
        })
        .collect();
    let doc = JsonDoc {
        schema_version: SCHEMA_VERSION,
        tool: JsonTool { name: "mlarchc", version: env!("CARGO_PKG_VERSION") },
        directory: dir,
        decisions,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_adr_tools() {
        assert_eq!(slug("Architecture of fusion"), "architecture-of-fusion");
        assert_eq!(slug("  MLA107 flip_breaks_semantics on cxr!"), "mla107-flip-breaks-semantics-on-cxr");
        assert_eq!(slug("Ünïcode — ok"), "n-code-ok");
    }

    #[test]
    fn escaping_leaves_code_alone() {
        assert_eq!(escape("a {b} <c> `{d} <e>` ``x`{y}`` f"), "a \\{b\\} &lt;c> `{d} <e>` ``x`{y}`` f");
        assert_eq!(escape("```text\n{x}\n```\n{y}"), "```text\n{x}\n```\n\\{y\\}");
        assert_eq!(escape("an `unclosed {"), "an `unclosed \\{");
    }

    #[test]
    fn front_matter_round_trips_and_detects_edits() {
        let text = seal("---\nstatus: \"proposed\"\ndate: \"2025-01-02\"\nmlarchc:\n  id: \"ADR-0001\"\n  stable-key: \"k\"\n  source: \"a/b.mla:3:1\"\n  generated: true\n", "---\n\n# T\n");
        let fm = front_matter(&text).expect("front matter");
        assert_eq!(fm.status.as_deref(), Some("proposed"));
        assert_eq!(fm.stable_key.as_deref(), Some("k"));
        assert_eq!(fm.plan().as_deref(), Some("a/b.mla"));
        assert!(is_unedited(&text));
        assert!(!is_unedited(&text.replace("# T", "# T2")));
        assert!(!is_unedited(&text.replace("\"proposed\"", "accepted")));
        let dep = deprecate(&text, "a/b.mla", Some("2025-02-03"));
        assert!(is_unedited(&dep));
        let fm = front_matter(&dep).expect("front matter");
        assert_eq!((fm.status.as_deref(), fm.date.as_deref()), (Some("deprecated"), Some("2025-02-03")));
    }
}

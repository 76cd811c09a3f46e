//! SARIF 2.1.0 for GitHub code scanning, as `ecosystem.md` §2.3 decides: one run; every
//! rule listed (compiler codes and architect rules, stdlib and team rules) so `ruleIndex`
//! stays stable and fixed alerts close; relative, percent-encoded URIs under `%SRCROOT%`;
//! 1-based regions with the end column after the last character; `partialFingerprints`
//! keyed by meaning (rule, file, entity path) so alerts survive moved lines; allowed,
//! decided and baselined findings as suppressions with their justification; files that
//! could not be read as tool notifications.

use super::record::{Disposition, Location, Outcome, Record};
use crate::diag::{codes, Severity};
use crate::rules::Rule;
use crate::source::FileOrigin;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Where each rule's documentation lives: the generated rule reference in the repository.
pub const RULES_DOC: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's name for a note is a recommendation.
fn problem_severity(s: Severity) -> &'static str {
    if s == Severity::Note {
        "recommendation"
    } else {
        level(s)
    }
}

/// GitHub truncates descriptions at 1,024 characters.
fn cap(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}

/// The anchor GitHub and MkDocs give the heading `MLA408 non_independence`: lowercase,
/// spaces to hyphens, underscores kept.
pub fn anchor(code: &str, name: &str) -> String {
    format!("{}-{}", code.to_lowercase(), name.to_lowercase().replace(' ', "-"))
}

/// A path as a relative URI reference: `/` separators, percent-encoding for everything but
/// unreserved characters and `/`; a first segment with `:` is prefixed with `./`.
pub fn uri(path: &str) -> (String, bool) {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let rel = path.trim_start_matches("./");
    let mut out = String::new();
    for b in rel.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if absolute {
        return (format!("file://{out}"), true);
    }
    if rel.split('/').next().is_some_and(|s| s.contains(':')) {
        out = format!("./{out}");
    }
    (out, false)
}

fn physical(loc: &Location) -> Value {
    let (u, absolute) = uri(&loc.file);
    let artifact = if absolute { json!({ "uri": u }) } else { json!({ "uri": u, "uriBaseId": "%SRCROOT%" }) };
    // an empty span still covers one column: SARIF regions end after their last character
    let end_column =
        if loc.end.line == loc.start.line { loc.end.column.max(loc.start.column + 1) } else { loc.end.column };
    json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": loc.start.line,
            "startColumn": loc.start.column,
            "endLine": loc.end.line.max(loc.start.line),
            "endColumn": end_column,
        }
    })
}

/// A stdlib file (`<stdlib>/…`) is not in the user's repository: no physical location.
fn in_repo(loc: &Location) -> bool {
    !loc.file.starts_with('<')
}

fn rule_descriptor(r: &Rule) -> Value {
    let summary = r.summary();
    let help_md = if r.text().docs.trim().is_empty() { r.text().why.to_string() } else { r.text().docs.clone() };
    let mut tags = vec!["ml-architecture".to_string(), r.section.as_str().to_string()];
    if r.origin != FileOrigin::Stdlib {
        tags.push("team-rule".into());
    }
    let mut v = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": cap(&summary, 1024) },
        "fullDescription": { "text": cap(if r.text().why.is_empty() { &summary } else { &r.text().why }, 1024) },
        "help": {
            "text": format!("{}\n\n`mlarchc rule {}` explains this check.", r.text().why, r.code),
            "markdown": help_md,
        },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": tags, "precision": "medium", "problem.severity": problem_severity(r.severity) },
    });
    if r.origin == FileOrigin::Stdlib {
        v["helpUri"] = json!(format!("{RULES_DOC}#{}", anchor(&r.code, &r.name)));
    }
    v
}

fn code_descriptor(c: &codes::Code) -> Value {
    let text = format!("{} ({})", c.title, c.code);
    json!({
            "id": c.code,
            "name": c.title.replace(' ', "-"),
            "shortDescription": { "text": text },
            "fullDescription": { "text": format!("The plan does not check: {}. The architect review runs only on a plan without language errors.", c.title) },
            "help": {
                "text": format!("Fix the plan where the result points; the message says what was expected. docs/language.md lists every compiler code ({}).", c.code),
                "markdown": format!("Fix the plan where the result points; the message says what was expected. [docs/language.md]({}/blob/main/docs/language.md) lists every compiler code.", env!("CARGO_PKG_REPOSITORY")),
            },
            "defaultConfiguration": { "level": level(c.severity) },
            "properties": { "tags": ["language"], "precision": "very-high", "problem.severity": problem_severity(c.severity) },
    })
}

fn suppression(d: &Disposition) -> Option<Value> {
    match d {
        Disposition::Open => None,
        Disposition::Decided { letter, option, reason } => Some(json!({
            "kind": "inSource", "status": "accepted",
            "justification": format!("decided: option {letter} ({option}) because {reason}"),
        })),
        Disposition::Allowed { reason } => {
            Some(json!({ "kind": "inSource", "status": "accepted", "justification": reason }))
        }
        Disposition::Baselined => Some(json!({
            "kind": "external", "status": "accepted",
            "justification": "recorded in the baseline file",
        })),
    }
}

fn result(r: &Record, index: usize) -> Value {
    let mut text = r.message.clone();
    if let Some(rec) = r.options.iter().find(|o| o.recommended) {
        text.push_str(&format!(". Recommended: {}", rec.text));
    }
    let mut v = json!({
        "ruleId": r.code,
        "ruleIndex": index,
        "level": level(r.severity),
        "message": { "text": text },
        "partialFingerprints": { "primaryLocationLineHash": r.fingerprint, "mlarchcFinding/v1": r.fingerprint },
    });
    if let Some(loc) = r.location.as_ref().filter(|l| in_repo(l)) {
        v["locations"] = json!([{ "physicalLocation": physical(loc) }]);
    }
    let related: Vec<Value> = r
        .related
        .iter()
        .filter(|x| in_repo(&x.location))
        .enumerate()
        .map(|(i, x)| json!({ "id": i + 1, "message": { "text": x.message }, "physicalLocation": physical(&x.location) }))
        .collect();
    if !related.is_empty() {
        v["relatedLocations"] = json!(related);
    }
    if let Some(s) = suppression(&r.disposition) {
        v["suppressions"] = json!([s]);
    }
    let mut props = serde_json::Map::new();
    if let Some(e) = &r.entity {
        props.insert("entity".into(), json!(e));
    }
    if let Some(s) = r.section {
        props.insert("section".into(), json!(s));
    }
    if !r.options.is_empty() {
        props.insert("options".into(), json!(r.options));
    }
    if !props.is_empty() {
        v["properties"] = Value::Object(props);
    }
    v
}

/// The SARIF log of a run. `unreadable` lists the files that could not be read, with why.
pub fn document(outcomes: &[Outcome], unreadable: &[(String, String)]) -> Value {
    // every rule of every plan, by code: stdlib rules first in code order, team rules after
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    for c in codes::ALL {
        rules.entry(c.code.to_string()).or_insert_with(|| code_descriptor(c));
    }
    for o in outcomes {
        for r in &o.rules().rules {
            rules.entry(r.code.clone()).or_insert_with(|| rule_descriptor(r));
        }
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let mut results = Vec::new();
    for o in outcomes {
        for r in o.records() {
            let Some(&i) = index.get(r.code.as_str()) else { continue };
            results.push(result(r, i));
        }
    }
    let notifications: Vec<Value> = unreadable
        .iter()
        .map(|(file, why)| {
            let (u, absolute) = uri(file);
            let artifact = if absolute { json!({ "uri": u }) } else { json!({ "uri": u, "uriBaseId": "%SRCROOT%" }) };
            json!({
                "level": "error",
                "message": { "text": format!("cannot read `{file}`: {why}") },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact } }],
            })
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": unreadable.is_empty() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let mut run = json!({
        "tool": { "driver": {
            "name": "mlarchc",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
        }},
        "automationDetails": { "id": "mlarchc/" },
        "columnKind": "unicodeCodePoints",
    });
    // moved in, not passed through `json!`, which would serialise a copy of each
    run["tool"]["driver"]["rules"] = Value::Array(rules.into_values().collect());
    run["invocations"] = Value::Array(vec![invocation]);
    run["results"] = Value::Array(results);
    let mut log = json!({ "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0" });
    log["runs"] = Value::Array(vec![run]);
    log
}

pub fn render(outcomes: &[Outcome], unreadable: &[(String, String)]) -> String {
    serde_json::to_string(&document(outcomes, unreadable)).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("specs/a b.mla"), ("specs/a%20b.mla".to_string(), false));
        assert_eq!(uri("./x.mla"), ("x.mla".to_string(), false));
        assert_eq!(uri("c:d/x.mla"), ("./c%3Ad/x.mla".to_string(), false));
        assert_eq!(uri("/abs/p#1.mla"), ("file:///abs/p%231.mla".to_string(), true));
        assert_eq!(uri("dir\\é.mla"), ("dir/%C3%A9.mla".to_string(), false));
    }

    #[test]
    fn anchors_match_a_markdown_heading() {
        assert_eq!(anchor("MLA408", "non_independence"), "mla408-non_independence");
    }
}

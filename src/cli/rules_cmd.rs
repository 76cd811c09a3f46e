//! `mlarchc rules`, `mlarchc rule CODE|NAME` and `mlarchc test PATH…`.

use super::{stdlib_dir, FsHost, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::plural;
use crate::emit::human::{self, Style};
use crate::rules::{Rule, Section};
use crate::sema::imports::MemoryHost;
use crate::stdlib::Stdlib;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

/// The rules of the stdlib, plus those of a plan when one is given.
fn load(plan: Option<&str>, stdlib: &Stdlib) -> Result<crate::Compilation, i32> {
    let c = match plan {
        None => crate::compile("<rules>", String::new(), stdlib, &MemoryHost::default()),
        Some(p) => match super::read_root(p) {
            Ok((name, text)) => crate::compile(&name, text, stdlib, &FsHost),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_USAGE);
            }
        },
    };
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        eprint!("{}", human::render_plain(&c.sources, &errors, Style::Rich));
        return Err(EXIT_FINDINGS);
    }
    Ok(c)
}

pub fn list(plan: Option<&str>, stdlib: &Stdlib) -> i32 {
    let c = match load(plan, stdlib) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut out = String::new();
    for section in Section::ALL {
        let mut rules: Vec<&Rule> = c.rules.rules.iter().filter(|r| r.section == section).collect();
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}:", section.as_str());
        for r in rules {
            let _ = writeln!(out, "  {}  {:<36} {:<8} {}", r.code, r.name, r.severity.as_str(), r.summary());
        }
    }
    let n = c.rules.rules.len();
    let _ = writeln!(out, "\n{}. `mlarchc rule CODE` explains one.", plural(n, "rule", "rules"));
    print!("{out}");
    EXIT_OK
}

#[derive(Serialize)]
struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    section: Section,
    severity: &'static str,
    status: crate::rules::Status,
    since: Option<&'a str>,
    summary: String,
    explanation: &'a str,
    why: &'a str,
    options: &'a [crate::rules::RuleOption],
    source: Option<&'a str>,
    origin: &'static str,
}

pub fn explain(selector: &str, json: bool, plan: Option<&str>, stdlib: &Stdlib) -> i32 {
    let c = match load(plan, stdlib) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(r) = c.rules.find(selector) else {
        eprintln!("error: no rule is called `{selector}`");
        let names = c.rules.rules.iter().flat_map(|r| [r.code.as_str(), r.name.as_str()]);
        if let Some(h) = crate::diag::suggest::help(selector, names) {
            eprintln!("help: {h}");
        } else {
            eprintln!("help: `mlarchc rules` lists them");
        }
        return EXIT_USAGE;
    };
    if json {
        let j = RuleJson {
            code: &r.code,
            name: &r.name,
            section: r.section,
            severity: r.severity.as_str(),
            status: r.status,
            since: r.since.as_deref(),
            summary: r.summary(),
            explanation: &r.docs,
            why: &r.why,
            options: &r.options,
            source: r.source.as_deref(),
            origin: match r.origin {
                crate::source::FileOrigin::Stdlib => "stdlib",
                crate::source::FileOrigin::User => "user",
            },
        };
        println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
        return EXIT_OK;
    }
    print!("{}", explain_text(r));
    EXIT_OK
}

fn explain_text(r: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({}, {} by default)\n", r.code, r.name, r.section.as_str(), r.severity.as_str());
    if !r.docs.is_empty() {
        let _ = writeln!(out, "{}\n", r.docs);
    }
    let _ = writeln!(out, "Why: {}\n", r.why);
    let _ = writeln!(out, "Options:");
    for o in &r.options {
        let _ = writeln!(out, "  {}{}: {}", o.letter, if o.recommended { " (recommended)" } else { "" }, o.text);
    }
    if let Some(s) = &r.source {
        let _ = writeln!(out, "\nSource: {s}");
    }
    let _ = writeln!(
        out,
        "\nTo record a choice: `decide {} on NAME: LETTER because \"…\"`; to silence it: `allow {} on NAME because \"…\"`.",
        r.code, r.code
    );
    out
}

/// `mlarchc test PATH…`: every `*_test.mla` fixture under the paths.
pub fn test(paths: &[PathBuf], stdlib: &Stdlib) -> i32 {
    let mut fixtures = Vec::new();
    for p in paths {
        if p.is_dir() {
            match stdlib_dir::files_under(p, &stdlib_dir::is_fixture) {
                Ok(f) => fixtures.extend(f),
                Err(e) => {
                    eprintln!("error: cannot read `{}`: {e}", p.display());
                    return EXIT_USAGE;
                }
            }
        } else if p.is_file() {
            fixtures.push(p.clone());
        } else {
            eprintln!("error: cannot read `{}`: no such file or directory", p.display());
            return EXIT_USAGE;
        }
    }
    if fixtures.is_empty() {
        eprintln!(
            "error: no fixtures (`*_test.mla` files) under {}",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        );
        return EXIT_USAGE;
    }
    let mut failed = 0;
    for f in &fixtures {
        let name = f.to_string_lossy().replace('\\', "/");
        let problems = match std::fs::read_to_string(f) {
            Ok(text) => crate::testing::run_fixture(&name, text, stdlib, &FsHost),
            Err(e) => vec![format!("cannot read it: {e}")],
        };
        if problems.is_empty() {
            println!("ok    {name}");
        } else {
            failed += 1;
            println!("FAIL  {name}");
            for p in problems {
                println!("      {p}");
            }
        }
    }
    println!("\n{}, {failed} failed", plural(fixtures.len(), "fixture", "fixtures"));
    if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

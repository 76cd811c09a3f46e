//! `mlarchc explain CODE`: what any code means, as `rustc --explain` does — an architect
//! rule (`MLA408`, in any case, or its name) through `mlarchc rule`, a compiler code
//! (`E0303`, `W0201`) with its meaning from the language reference and an example: a UI
//! fixture of the test suite, checked here by the compiler itself, with the diagnostic it
//! gets.

use super::{rules_cmd, write_stdout, FsHost, TextOrJson, EXIT_OK, EXIT_USAGE};
use crate::diag::codes;
use crate::emit::human::{render_plain, Style};
use crate::stdlib::Stdlib;
use serde::Serialize;
use std::fmt::Write as _;

mod examples {
    include!(concat!(env!("OUT_DIR"), "/code_examples.rs"));
}

/// The language reference, whose §7.3 table says what each compiler code means.
const LANGUAGE_MD: &str = include_str!("../../docs/language.md");

pub fn run(code: &str, format: TextOrJson, color: bool, stdlib: &Stdlib) -> i32 {
    let upper = code.to_ascii_uppercase();
    let Some(c) = codes::find(&upper) else {
        // shaped like a compiler code (`E0999`) but unknown; anything else is a rule's code or name
        let code_like =
            upper.len() == 5 && upper.starts_with(['E', 'W', 'N']) && upper[1..].bytes().all(|b| b.is_ascii_digit());
        if code_like {
            say!("error: `{code}` is not a diagnostic code of mlarchc");
            let known = codes::ALL.iter().map(|c| c.code);
            match crate::diag::suggest::help(&upper, known) {
                Some(h) => say!("help: {h}"),
                None => say!("help: the codes are listed in docs/language.md §7.3"),
            }
            return EXIT_USAGE;
        }
        return rules_cmd::explain(code, format == TextOrJson::Json, color, None, stdlib);
    };
    let meaning = meaning(c.code).unwrap_or(c.title);
    let example = example(c.code, stdlib);
    if format == TextOrJson::Json {
        let j = CodeJson {
            code: c.code,
            severity: c.severity.as_str(),
            title: c.title,
            meaning,
            example: example.as_ref().map(|(name, src, diag)| ExampleJson {
                fixture: name,
                source: src,
                diagnostic: diag,
            }),
        };
        write_stdout((serde_json::to_string_pretty(&j).unwrap_or_default() + "\n").as_bytes());
        return EXIT_OK;
    }
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}): {}\n", c.code, c.severity.as_str(), c.title);
    let _ = writeln!(out, "{}\n", crate::emit::text::upper_first(meaning));
    if let Some((name, src, diag)) = example {
        let _ = writeln!(out, "Example (`tests/ui/{name}`):\n");
        for line in src.lines() {
            let _ = writeln!(out, "    {line}");
        }
        let _ = writeln!(out, "\nwhich mlarchc reports as:\n\n{diag}");
    }
    let _ = writeln!(out, "The language reference (docs/language.md, §7.3) lists every code.");
    write_stdout(out.as_bytes());
    EXIT_OK
}

#[derive(Serialize)]
struct CodeJson<'a> {
    code: &'a str,
    severity: &'a str,
    title: &'a str,
    meaning: &'a str,
    example: Option<ExampleJson<'a>>,
}

#[derive(Serialize)]
struct ExampleJson<'a> {
    fixture: &'a str,
    source: &'a str,
    diagnostic: &'a str,
}

/// The `meaning` cell of the code's row in the reference's table.
fn meaning(code: &str) -> Option<&'static str> {
    LANGUAGE_MD.lines().find_map(|l| {
        let rest = l.strip_prefix("| ")?.strip_prefix(code)?.strip_prefix(" |")?;
        let (_, meaning) = rest.split_once('|')?;
        Some(meaning.trim().trim_end_matches('|').trim())
    })
}

/// The first fixture that marks `code` and stands alone (no imports): its source without
/// the marks, and the diagnostics of that code the compiler gives it.
fn example(code: &str, stdlib: &Stdlib) -> Option<(&'static str, String, String)> {
    for (name, text) in examples::EXAMPLES {
        let marked =
            text.lines().any(|l| l.split("//~").nth(1).is_some_and(|m| m.split_whitespace().any(|w| w == code)));
        if !marked || text.lines().any(|l| l.trim_start().starts_with("import ")) {
            continue;
        }
        let src: String = text
            .lines()
            .map(|l| match l.find("//~") {
                Some(i) => l[..i].trim_end(),
                None => l,
            })
            .filter(|l| !l.trim_start().starts_with("//~"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let c = crate::compile(name, src.clone(), stdlib, &FsHost);
        let mut diags = c.diagnostics.clone();
        if !c.has_errors() {
            diags.extend(c.review(&Default::default()).diagnostics);
        }
        diags.retain(|d| d.code == code);
        if diags.is_empty() {
            continue;
        }
        diags.truncate(1);
        return Some((name, src, render_plain(&c.sources, &diags, Style::Rich)));
    }
    None
}

//! `mlarchc rule CODE` in a terminal: the rule's long doc (Markdown in its `///` comment)
//! laid out for reading — headings set off (bold with colour), paragraphs and list items
//! wrapped to the width, code blocks indented without their fences — then its gates, the
//! points of the review brief it covers, why, the options and their cases.

use crate::rules::{Rule, RuleSet};
use std::fmt::Write;

/// The width text is wrapped to: `COLUMNS` when set (at most 100), else 88.
pub fn width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).map_or(88, |c| c.clamp(40, 100))
}

struct Out {
    text: String,
    width: usize,
    color: bool,
}

impl Out {
    fn heading(&mut self, h: &str) {
        if self.color {
            let _ = writeln!(self.text, "\x1b[1m{h}\x1b[0m");
        } else {
            let _ = writeln!(self.text, "{h}");
        }
    }

    /// `text` wrapped to the width, the first line after `first`, the rest after `rest`.
    fn wrapped(&mut self, first: &str, rest: &str, text: &str) {
        let mut line = String::from(first);
        let mut fresh = true;
        for word in text.split_whitespace() {
            if !fresh && line.chars().count() + 1 + word.chars().count() > self.width {
                let _ = writeln!(self.text, "{}", line.trim_end());
                line = String::from(rest);
                fresh = true;
            }
            if !fresh {
                line.push(' ');
            }
            line.push_str(word);
            fresh = false;
        }
        let _ = writeln!(self.text, "{}", line.trim_end());
    }

    fn blank(&mut self) {
        if !self.text.ends_with("\n\n") && !self.text.is_empty() {
            self.text.push('\n');
        }
    }
}

/// The long doc: paragraphs, `- ` items, `## ` headings and fenced code.
fn docs(out: &mut Out, docs: &str) {
    let mut para = String::new();
    let mut item: Option<String> = None;
    let mut in_code = false;
    let flush = |out: &mut Out, para: &mut String, item: &mut Option<String>| {
        if !para.trim().is_empty() {
            out.wrapped("  ", "  ", para);
        }
        para.clear();
        if let Some(i) = item.take() {
            out.wrapped("  - ", "    ", &i);
        }
    };
    for line in docs.lines() {
        if line.trim_start().starts_with("```") {
            flush(out, &mut para, &mut item);
            if in_code {
                out.blank();
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            let _ = writeln!(out.text, "      {line}");
            continue;
        }
        let t = line.trim();
        if let Some(h) = t.strip_prefix("## ") {
            flush(out, &mut para, &mut item);
            out.blank();
            out.heading(h);
        } else if t.is_empty() {
            flush(out, &mut para, &mut item);
            out.blank();
        } else if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(out, &mut para, &mut item);
            item = Some(rest.to_string());
        } else if let Some(i) = item.as_mut() {
            i.push(' ');
            i.push_str(t);
        } else {
            para.push(' ');
            para.push_str(t);
        }
    }
    flush(out, &mut para, &mut item);
}

/// The whole text of `mlarchc rule CODE`.
pub fn render(r: &Rule, set: &RuleSet, schema: &crate::schema::Schema, color: bool) -> String {
    let mut out = Out { text: String::new(), width: width(), color };
    out.heading(&format!("{} {}", r.code, r.name));
    let _ = writeln!(out.text, "{} by default, {} section\n", r.severity.as_str(), r.section.as_str());
    if r.text().docs.is_empty() {
        out.wrapped("  ", "  ", &r.summary());
    } else {
        docs(&mut out, &r.text().docs);
    }
    if !r.gates.is_empty() {
        out.blank();
        out.heading("Gates");
        for g in &r.gates {
            let summary = set.gate(g).map(|g| g.summary()).unwrap_or_default();
            out.wrapped(&format!("  {g}: "), "    ", &summary);
        }
    }
    if !r.covers.is_empty() {
        out.blank();
        out.heading("Review brief");
        for c in &r.covers {
            out.wrapped("  - ", "    ", &brief_text(schema, c));
        }
    }
    out.blank();
    out.heading("Why");
    out.wrapped("  ", "  ", &r.text().why);
    out.blank();
    out.heading("Options");
    for o in &r.text().options {
        let head = format!("  {}{}: ", o.letter, if o.recommended { " (recommended)" } else { "" });
        out.wrapped(&head, "     ", &o.text);
    }
    if !r.text().whys_when.is_empty() || !r.text().options_when.is_empty() {
        out.blank();
        out.heading("Where the plan differs");
        for c in &r.text().whys_when {
            out.wrapped("  when ", "     ", &format!("{}, why: {}", one_line(&c.condition), c.value));
        }
        for c in &r.text().options_when {
            out.wrapped(
                "  when ",
                "     ",
                &format!("{}, option {}: {}", one_line(&c.condition), c.value.letter, c.value.text),
            );
        }
    }
    if let Some(s) = &r.text().source {
        out.blank();
        out.heading("Sources");
        out.wrapped("  ", "  ", s);
    }
    out.blank();
    out.wrapped(
        "",
        "",
        &format!(
            "To record a choice: `decide {} on NAME: LETTER because \"…\"`; to silence it: `allow {} on NAME because \"…\"`.",
            r.code, r.code
        ),
    );
    out.text
}

/// A brief point's statement (its doc in `enum BriefPoint`), or its name.
pub fn brief_text(schema: &crate::schema::Schema, point: &str) -> String {
    match schema.names.get("BriefPoint") {
        Some(crate::schema::SchemaItem::Enum(e)) => {
            let def = schema.enum_(*e);
            def.variants
                .iter()
                .find(|v| v.name == point)
                .map(|v| one_line(&v.docs))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| point.to_string())
        }
        _ => point.to_string(),
    }
}

/// A condition written over several lines, on one.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! Small text helpers the Markdown emitters (the report, the ADRs) share: plan source on
//! one line, table cells, a declaration's variant name, XML escaping (JUnit, SVG).

use crate::plan::{EntityId, Plan};

/// Source text on one line: comments dropped, lines joined.
pub fn one_line(src: &str) -> String {
    let lines: Vec<String> =
        src.lines().map(|l| strip_comment(l).trim().to_string()).filter(|l| !l.is_empty()).collect();
    let mut s = lines.join(" ");
    for (from, to) in [("[ ", "["), (" ]", "]"), (",]", "]"), ("{  ", "{ ")] {
        s = s.replace(from, to);
    }
    s
}

/// A line without its `//` comment (a `//` inside a string is kept).
pub fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '/' if !in_str && prev == '/' => return &line[..i - 1],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Table cells hold no `|` and no line break.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The variant a declaration was written with (`image` for `modality photo: image`).
pub fn variant_name(plan: &Plan, id: EntityId) -> Option<&str> {
    let e = plan.entity(id);
    e.variant.map(|v| plan.schema.kind(e.kind).variants[v as usize].name.as_str())
}

/// The first letter in upper case: `formulation` → `Formulation`.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(a) if a.is_lowercase() => a.to_uppercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// Escapes text for XML attributes and content.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // characters XML 1.0 cannot carry at all
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;\\u{1}");
    }

    #[test]
    fn comments_leave_one_line_values() {
        assert_eq!(
            one_line("[\n  { levels: 16 },   // site\n  { levels: 6 }, // type\n]"),
            "[{ levels: 16 }, { levels: 6 }]"
        );
        assert_eq!(strip_comment("\"http://x\" // y"), "\"http://x\" ");
    }
}

//! Small text helpers the Markdown emitters (the report, the ADRs) share: plan source on
//! one line, table cells, a declaration's variant name.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_leave_one_line_values() {
        assert_eq!(
            one_line("[\n  { levels: 16 },   // site\n  { levels: 6 }, // type\n]"),
            "[{ levels: 16 }, { levels: 6 }]"
        );
        assert_eq!(strip_comment("\"http://x\" // y"), "\"http://x\" ");
    }
}

//! A light lexical pre-scan: top-level segments and lexical errors.
//!
//! A PEG parser stops at the first error, so the file is cut into top-level segments
//! before pest sees it, and each segment is parsed on its own: one broken declaration
//! never hides the next. The scan follows strings, comments and brackets, so it can also
//! report what a PEG error explains badly: unterminated strings and comments, and
//! brackets that are never closed or never opened.
//!
//! A segment starts at a line that begins in column 0 with a name, at bracket depth 0.
//! When brackets are still open, only a line that clearly starts a declaration
//! (`kind name {`, `dataset name {`, `rule MLA…`) starts a new segment, and the open
//! brackets are reported.

use crate::diag::{codes, Diagnostic};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    /// a lexical error was reported inside; the parser's own error would repeat it
    pub poisoned: bool,
    /// brackets nest deeper than [`MAX_DEPTH`]: the segment is not parsed at all
    pub too_deep: bool,
}

/// The deepest bracket nesting the parser accepts. Real plans nest three or four levels;
/// the bound keeps the recursive-descent parser far from the end of the native stack.
pub const MAX_DEPTH: usize = 64;

/// Words that start a top-level item other than a plan declaration.
pub(super) const KEYWORDS: &[&str] =
    &["kind", "singleton", "record", "enum", "set", "rule", "gate", "import", "decide", "allow", "review"];

/// E0110 at byte `at`: `what` nested deeper than [`MAX_DEPTH`].
fn too_deep_at(file: FileId, at: usize, what: &str, who: &str, name: &str) -> Diagnostic {
    Diagnostic::new(&codes::TOO_DEEP, format!("{what} nested more than {MAX_DEPTH} deep"))
        .primary(Span::new(file, at, at + 1), "nested too deeply")
        .help(format!("{who} never needs this much nesting; name {name}"))
}

/// Whether a segment (its text so far) declares schema: only there are `<` and `>` the
/// brackets of a generic type rather than comparisons.
fn schema_segment(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .and_then(|l| l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next());
    matches!(first, Some("kind" | "singleton" | "record" | "enum" | "set"))
}

/// The bytes [`split`] acts on: line breaks, comments and strings, brackets, and the
/// angle brackets of generic types.
static ACTS_ON: [bool; 256] = {
    let mut t = [false; 256];
    let acts = b"\n/\"<>{[()]}";
    let mut k = 0;
    while k < acts.len() {
        t[acts[k] as usize] = true;
        k += 1;
    }
    t
};

pub fn split(file: FileId, text: &str) -> (Vec<Segment>, Vec<Diagnostic>) {
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    let mut diags = Vec::new();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut seg_start = 0usize;
    let mut poisoned = false;
    let mut too_deep = false;
    let mut doc_start: Option<usize> = None;
    let mut i = 0usize;
    let mut line_start = true;
    // open `<` of generic types (`list<…>`) in a schema declaration, and the segment counted
    let (mut angle, mut angle_seg) = (0usize, usize::MAX);

    let close_segment = |segments: &mut Vec<Segment>, start: usize, end: usize, poisoned: bool, too_deep: bool| {
        if text[start..end].trim().is_empty() && !segments.is_empty() {
            // whitespace between segments belongs to the previous one
            if let Some(last) = segments.last_mut() {
                last.end = end;
            }
        } else if end > start || segments.is_empty() {
            segments.push(Segment { start, end, poisoned, too_deep });
        }
    };

    while i < bytes.len() {
        if !line_start {
            // most bytes are none of the ones the scan acts on: pass them in a tight loop
            // (every byte it stops at is ASCII, so always a character boundary)
            while i < bytes.len() && !ACTS_ON[bytes[i] as usize] {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
        }
        if line_start {
            line_start = false;
            let rest = &text[i..];
            let is_doc = rest.starts_with("///") && !rest.starts_with("////");
            if is_doc {
                if stack.is_empty() && doc_start.is_none() {
                    doc_start = Some(i);
                }
            } else if starts_item(rest, stack.is_empty()) {
                let at = doc_start.take().unwrap_or(i);
                if !stack.is_empty() {
                    report_unclosed(file, &mut stack, &mut diags);
                    poisoned = true;
                }
                if at > seg_start {
                    close_segment(&mut segments, seg_start, at, poisoned, too_deep);
                    seg_start = at;
                    poisoned = false;
                    too_deep = false;
                }
            } else if !rest.starts_with("//") && !rest.trim_start().is_empty() && !rest.starts_with('\n') {
                doc_start = None;
            }
        }
        let b = bytes[i];
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(end) => {
                    line_start = false;
                    let stop = i + 2 + end + 2;
                    // a block comment may span lines; a line inside it never starts an item
                    i = stop;
                }
                None => {
                    diags.push(
                        Diagnostic::new(&codes::UNTERMINATED_COMMENT, "unterminated block comment")
                            .primary(Span::new(file, i, i + 2), "this comment is never closed")
                            .help("close it with `*/`"),
                    );
                    // what comes before the comment is still checked; the rest is comment
                    if stack.is_empty() && i > seg_start {
                        close_segment(&mut segments, seg_start, i, poisoned, too_deep);
                        seg_start = i;
                    }
                    poisoned = true;
                    too_deep = true; // nothing after `/*` is parsed
                    stack.clear();
                    i = bytes.len();
                }
            },
            b'"' if text[i..].starts_with("\"\"\"") => match text[i + 3..].find("\"\"\"") {
                Some(end) => i = i + 3 + end + 3,
                None => {
                    diags.push(
                        Diagnostic::new(&codes::UNTERMINATED_STRING, "unterminated multi-line string")
                            .primary(Span::new(file, i, i + 3), "this string is never closed")
                            .help("close it with `\"\"\"`"),
                    );
                    poisoned = true;
                    // the brackets around the string are closed inside it; do not report them
                    stack.clear();
                    i = bytes.len();
                }
            },
            b'"' => {
                let mut j = i + 1;
                let mut closed = false;
                while j < bytes.len() && bytes[j] != b'\n' {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                if closed {
                    i = j + 1;
                } else {
                    let end = j.min(bytes.len());
                    diags.push(
                        Diagnostic::new(&codes::UNTERMINATED_STRING, "unterminated string")
                            .primary(Span::new(file, i, end), "this string has no closing `\"`")
                            .help("close the string on the same line, or use `\"\"\"` for text over several lines"),
                    );
                    poisoned = true;
                    i = end;
                }
            }
            b'<' if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') => {
                if angle_seg != seg_start {
                    (angle, angle_seg) = (0, seg_start);
                }
                if schema_segment(&text[seg_start..i]) {
                    angle += 1;
                    if stack.len() + angle == MAX_DEPTH + 1 && !too_deep {
                        (too_deep, poisoned) = (true, true);
                        diags.push(too_deep_at(file, i, "types", "a schema", "the inner types as records"));
                    }
                }
                i += 1;
            }
            b'>' if angle > 0 && angle_seg == seg_start => {
                angle -= 1;
                i += 1;
            }
            b'{' | b'[' | b'(' => {
                stack.push((b, i));
                if stack.len() == MAX_DEPTH + 1 && !too_deep {
                    (too_deep, poisoned) = (true, true);
                    diags.push(too_deep_at(file, i, "brackets", "a plan", "the inner parts as declarations"));
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                let open = match b {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                // looked back only for a mismatch, so a long line of closers stays linear
                let alone_on_line = || text[..i].rsplit('\n').next().is_some_and(|before| before.trim().is_empty());
                if stack.last().is_some_and(|&(o, _)| o == open) {
                    stack.pop();
                } else if let Some(&(o, at)) = stack.last().filter(|_| !alone_on_line()) {
                    // `[a, b}`: the closer is a typo for the innermost open bracket
                    stack.pop();
                    diags.push(
                        Diagnostic::new(&codes::UNBALANCED, format!("`{}` does not close `{}`", b as char, o as char))
                            .primary(Span::new(file, i, i + 1), format!("expected `{}`", closer(o) as char))
                            .secondary(Span::new(file, at, at + 1), "opened here")
                            .help(format!("write `{}` here", closer(o) as char)),
                    );
                    poisoned = true;
                } else if let Some(pos) = stack.iter().rposition(|&(o, _)| o == open) {
                    let mut inner = stack.split_off(pos + 1);
                    stack.pop();
                    let (o, at) = inner.remove(0);
                    diags.push(
                        Diagnostic::new(&codes::UNBALANCED, format!("unclosed `{}`", o as char))
                            .primary(Span::new(file, at, at + 1), format!("this `{}` is never closed", o as char))
                            .secondary(Span::new(file, i, i + 1), format!("`{}` found first", b as char))
                            .help(format!("add `{}` before this `{}`", closer(o) as char, b as char)),
                    );
                    poisoned = true;
                } else {
                    diags.push(
                        Diagnostic::new(&codes::UNBALANCED, format!("unexpected `{}`", b as char))
                            .primary(Span::new(file, i, i + 1), format!("this `{}` closes nothing", b as char))
                            .help(format!("remove it, or add the matching `{}` before it", open as char)),
                    );
                    poisoned = true;
                }
                i += 1;
            }
            _ => {
                // advance by one UTF-8 character
                i += utf8_len(b);
            }
        }
    }
    if !stack.is_empty() {
        report_unclosed(file, &mut stack, &mut diags);
        poisoned = true;
    }
    close_segment(&mut segments, seg_start, text.len(), poisoned, too_deep);
    (segments, diags)
}

fn closer(open: u8) -> u8 {
    match open {
        b'{' => b'}',
        b'[' => b']',
        _ => b')',
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn report_unclosed(file: FileId, stack: &mut Vec<(u8, usize)>, diags: &mut Vec<Diagnostic>) {
    if let Some(&(o, at)) = stack.first() {
        diags.push(
            Diagnostic::new(&codes::UNBALANCED, format!("unclosed `{}`", o as char))
                .primary(Span::new(file, at, at + 1), format!("this `{}` is never closed", o as char))
                .help(format!("add the matching `{}`", closer(o) as char)),
        );
    }
    stack.clear();
}

/// Does a line (given from its first byte) start a top-level item?
fn starts_item(line: &str, at_depth_zero: bool) -> bool {
    let first = line.as_bytes().first().copied().unwrap_or(b' ');
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return false;
    }
    if at_depth_zero {
        return true;
    }
    // Inside unclosed brackets: only an unmistakable declaration head counts.
    let line = line.split('\n').next().unwrap_or("");
    let mut words = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty());
    let Some(w1) = words.next() else { return false };
    let after_w1 = line[w1.len()..].trim_start();
    if KEYWORDS.contains(&w1) {
        return after_w1.starts_with(|c: char| c.is_ascii_alphabetic() || c == '"' || c == '{' || c == '_');
    }
    // `kind name {` or `kind name: variant {`, with or without a body on the same line
    let Some(w2) = words.next() else { return false };
    if !(line[w1.len()..].starts_with([' ', '\t']) && after_w1.starts_with(w2)) {
        return false;
    }
    let mut rest = after_w1[w2.len()..].trim_start();
    if let Some(r) = rest.strip_prefix(':') {
        let r = r.trim_start();
        let v = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(r.len());
        if v == 0 {
            return false;
        }
        rest = r[v..].trim_start();
    }
    rest.starts_with('{')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> Vec<&str> {
        let (s, _) = split(FileId(0), text);
        s.iter().map(|s| text[s.start..s.end].trim()).collect()
    }

    #[test]
    fn one_segment_per_declaration() {
        let text = "/// doc\ndataset a {\n  n: 1\n}\n\nmodel m {\n  inputs: []\n}\n";
        assert_eq!(segs(text), vec!["/// doc\ndataset a {\n  n: 1\n}", "model m {\n  inputs: []\n}"]);
    }

    #[test]
    fn unclosed_brace_is_reported_and_recovered() {
        let text = "dataset a {\n  n: 1\n\nmodel m {\n}\n";
        let (s, d) = split(FileId(0), text);
        assert_eq!(s.len(), 2);
        assert!(s[0].poisoned && !s[1].poisoned);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "unclosed `{`");
    }

    #[test]
    fn one_line_declarations_after_an_unclosed_brace_are_recovered() {
        let text = "dataset e {\n  n: 3\ndataset g { n: -5 }\nmodality m: tabular { from: g }\n";
        let (s, d) = split(FileId(0), text);
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn a_wrong_closer_on_the_same_line_is_a_typo() {
        let text = "dataset d {\n  m: [a, b}\n}\nmodel x {}\n";
        let (s, d) = split(FileId(0), text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "`}` does not close `[`");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn strings_and_comments_hide_brackets() {
        let text = "a b {\n x: \"}\" // }\n y: 1 /* { */\n}\nc d {}\n";
        let (s, d) = split(FileId(0), text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.len(), 2);
    }
}

//! Syntax: source text → AST, spans and syntax diagnostics.
//!
//! **Invariant:** parsing never fails. [`parse`] returns a module with every declaration
//! that could be read and a diagnostic for every one that could not; a broken declaration
//! keeps its head so that the names it declares still resolve.

pub mod ast;
mod errors;
mod fast;
mod lower;
pub mod number;
mod split;

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use ast::{Decl, Docs, Ident, Item, Module};
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/mla.pest"]
struct MlaParser;

/// Parses one file.
pub fn parse(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    parse_many(&[(file, text)]).pop().unwrap_or_default()
}

/// Below this many bytes in all, parsing stays on the calling thread.
pub const PARALLEL_BYTES: usize = 24 * 1024;

/// Parses several files. Top-level segments are independent, so when there is enough
/// text they are spread over the machine's cores; results come back in source order.
pub fn parse_many(files: &[(FileId, &str)]) -> Vec<(Module, Vec<Diagnostic>)> {
    let split: Vec<(Vec<split::Segment>, Vec<Diagnostic>)> = files.iter().map(|(f, t)| split::split(*f, t)).collect();
    let units: Vec<(usize, split::Segment)> =
        split.iter().enumerate().flat_map(|(i, (segs, _))| segs.iter().map(move |s| (i, *s))).collect();
    let total: usize = units.iter().map(|(_, s)| s.end - s.start).sum();
    let threads = crate::parallel::threads();
    let run = |chunk: &[(usize, split::Segment)]| -> Vec<(Vec<Item>, Vec<Diagnostic>)> {
        chunk.iter().map(|(i, seg)| parse_segment(files[*i].0, files[*i].1, *seg)).collect()
    };
    let parsed: Vec<(Vec<Item>, Vec<Diagnostic>)> = if threads < 2 || total < PARALLEL_BYTES || units.len() < 2 {
        run(&units)
    } else {
        // contiguous chunks of about equal size, one per thread
        let per = total.div_ceil(threads);
        let mut chunks: Vec<&[(usize, split::Segment)]> = Vec::new();
        let (mut from, mut acc) = (0, 0);
        for (k, (_, s)) in units.iter().enumerate() {
            acc += s.end - s.start;
            if acc >= per {
                chunks.push(&units[from..=k]);
                from = k + 1;
                acc = 0;
            }
        }
        if from < units.len() {
            chunks.push(&units[from..]);
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks.iter().map(|c| scope.spawn(|| run(c))).collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    };
    let mut out: Vec<(Module, Vec<Diagnostic>)> = split.into_iter().map(|(_, d)| (Module::default(), d)).collect();
    // each file's items in a vector of their exact number
    let mut counts = vec![0; out.len()];
    for ((i, _), (items, _)) in units.iter().zip(&parsed) {
        counts[*i] += items.len();
    }
    for (m, n) in out.iter_mut().zip(counts) {
        m.0.items.reserve_exact(n);
    }
    for ((i, _), (items, diags)) in units.iter().zip(parsed) {
        out[*i].0.items.extend(items);
        out[*i].1.extend(diags);
    }
    out
}

fn parse_segment(file: FileId, text: &str, seg: split::Segment) -> (Vec<Item>, Vec<Diagnostic>) {
    let src = &text[seg.start..seg.end];
    let mut items = Vec::new();
    let diags = Vec::new();
    if seg.too_deep {
        items.extend(salvage(file, seg.start, src));
        return (items, diags);
    }
    if !seg.poisoned {
        if let Some(parsed) = fast::segment(file, text, seg.start, seg.end) {
            return parsed;
        }
    }
    pest_segment(file, text, seg)
}

/// Compares the fast path with pest on every segment of `text`: `Err` with the first
/// segment where both parse it and the trees or diagnostics differ. For tests.
#[doc(hidden)]
pub fn fast_path_agrees(file: FileId, text: &str) -> Result<usize, String> {
    let (segs, _) = split::split(file, text);
    let mut fast_count = 0;
    for seg in segs.into_iter().filter(|s| !s.poisoned && !s.too_deep) {
        let Some(fast) = fast::segment(file, text, seg.start, seg.end) else { continue };
        fast_count += 1;
        let slow = pest_segment(file, text, seg);
        let (a, b) = (format!("{fast:?}"), format!("{slow:?}"));
        if a != b {
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(0);
            return Err(format!(
                "segment {}..{} `{}`:\n fast: …{}\n pest: …{}",
                seg.start,
                seg.end,
                crate::syntax::lower::excerpt(&text[seg.start..seg.end]),
                &a[at.saturating_sub(80)..(at + 200).min(a.len())],
                &b[at.saturating_sub(80)..(at + 200).min(b.len())]
            ));
        }
    }
    Ok(fast_count)
}

fn pest_segment(file: FileId, text: &str, seg: split::Segment) -> (Vec<Item>, Vec<Diagnostic>) {
    let src = &text[seg.start..seg.end];
    let mut items = Vec::new();
    let mut diags = Vec::new();
    match MlaParser::parse(Rule::file, src) {
        Ok(mut pairs) => {
            let mut lowerer = lower::Lowerer { file, base: seg.start, text, diags: &mut diags };
            if let Some(file_pair) = pairs.next() {
                lowerer.module(file_pair, &mut items);
            }
        }
        Err(err) => {
            if !seg.poisoned {
                diags.push(errors::to_diagnostic(file, seg.start, src, seg.end == text.len(), err));
            }
            items.extend(salvage(file, seg.start, src));
        }
    }
    (items, diags)
}

/// Parses one rule expression on its own (used by tests and tools).
pub fn parse_expr(file: FileId, text: &str) -> Result<ast::Expr, Box<Diagnostic>> {
    if text.bytes().filter(|b| matches!(b, b'(' | b'[' | b'{')).count() > split::MAX_DEPTH {
        let d = Diagnostic::new(&crate::diag::codes::TOO_DEEP, "expression nested too deeply");
        return Err(Box::new(d.primary(Span::new(file, 0, 0), "too deep")));
    }
    match MlaParser::parse(Rule::expr_only, text) {
        Ok(mut pairs) => {
            let mut diags = Vec::new();
            let mut lowerer = lower::Lowerer { file, base: 0, text, diags: &mut diags };
            let p = pairs.next().and_then(|p| p.into_inner().next()).ok_or_else(|| errors::empty(file))?;
            let e = lowerer.expr(p);
            match diags.into_iter().next() {
                Some(d) => Err(Box::new(d)),
                None => Ok(e),
            }
        }
        Err(err) => Err(Box::new(errors::to_diagnostic(file, 0, text, true, err))),
    }
}

/// Keeps the head of a declaration whose body did not parse, so that references to it
/// resolve and no "unknown name" errors follow from one typo.
fn salvage(file: FileId, base: usize, src: &str) -> Option<Item> {
    let mut rest = src;
    let mut offset = 0;
    // skip blank lines, comments and doc comments
    loop {
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        rest = trimmed;
        if rest.starts_with("//") {
            let nl = rest.find('\n').unwrap_or(rest.len());
            offset += nl;
            rest = &rest[nl..];
        } else {
            break;
        }
    }
    // a name with non-ASCII letters is an error of its own, but the declaration keeps it
    // whole, so that the references spelled the same way resolve and nothing cascades
    let word = |s: &str| -> usize { s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len()) };
    let k_len = word(rest);
    if k_len == 0 || rest.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let kind_name = &rest[..k_len];
    if split::KEYWORDS.contains(&kind_name) {
        return None;
    }
    let after = &rest[k_len..];
    let ws = after.len() - after.trim_start_matches([' ', '\t']).len();
    if ws == 0 {
        return None;
    }
    let name_start = k_len + ws;
    let n_len = word(&rest[name_start..]);
    if n_len == 0 {
        return None;
    }
    let at = |s: usize, e: usize| Span::new(file, base + offset + s, base + offset + e);
    let kind = Ident { name: kind_name.to_string(), span: at(0, k_len) };
    let name =
        Ident { name: rest[name_start..name_start + n_len].to_string(), span: at(name_start, name_start + n_len) };
    let head = kind.span.to(name.span);
    Some(Item::Decl(Decl {
        docs: Docs::default(),
        kind,
        name,
        variant: None,
        body: None,
        head,
        span: Span::new(file, base, base + src.len()),
    }))
}

/// A plan is UTF-8 text without control characters. Returns the text with each control
/// character and each `�` (where the reader replaced bytes that were not UTF-8) turned into
/// a space — so that no diagnostic ever writes one raw to a terminal, and one problem gives
/// one diagnostic rather than a cascade of syntax errors — and the first problem's place.
pub fn clean_text(text: String) -> (String, Option<(usize, String)>) {
    let bad = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}';
    // every character it looks for is ASCII or starts with 0xEF (`�` is EF BF BD): a byte
    // scan finds the candidates, the characters there decide
    static SUSPECT: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = (b < 0x20 && !matches!(b as u8, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xef;
            b += 1;
        }
        t
    };
    let suspect = |b: &u8| SUSPECT[*b as usize];
    let mut from = 0;
    let first = loop {
        let Some(i) = text.as_bytes()[from..].iter().position(suspect).map(|i| from + i) else { break None };
        let c = text[i..].chars().next().unwrap_or(' ');
        if bad(c) || c == '\u{fffd}' {
            break Some((i, c));
        }
        from = i + 1;
    };
    let Some((at, c)) = first else { return (text, None) };
    let what = match c {
        '\u{fffd}' => "bytes that are not UTF-8 text (shown as `�`)".to_string(),
        '\0' => "a NUL byte".to_string(),
        c => format!("the control character U+{:04X}", c as u32),
    };
    // a space of the same width in bytes keeps every later offset where it was
    let cleaned = text
        .chars()
        .map(|c| if bad(c) || c == '\u{fffd}' { " ".repeat(c.len_utf8()) } else { c.to_string() })
        .collect();
    (cleaned, Some((at, what)))
}

/// The diagnostic for what [`clean_text`] found, at byte `at` of file `file`.
pub fn bad_text(file: FileId, text: &str, at: usize, what: &str) -> Diagnostic {
    let len = text[at..].chars().next().map_or(0, char::len_utf8).max(1);
    Diagnostic::new(&crate::diag::codes::BAD_TEXT, format!("the file holds {what}"))
        .primary(Span::new(file, at, at + len), format!("at byte {at}"))
        .help("a plan is UTF-8 text without control characters: save it as UTF-8 and remove the character")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(text: &str) -> Vec<Diagnostic> {
        parse(FileId(0), text).1
    }

    #[test]
    fn missing_colon_after_a_multibyte_character_does_not_panic() {
        // regression: the word before the missing `:` followed a BOM (3 bytes)
        let d = diags("dataset d {\u{feff}n 4\n}");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "expected `:` after `n`");
    }

    #[test]
    fn one_error_per_declaration_and_recovery() {
        let (m, d) = parse(FileId(0), "dataset a {\n  n 4\n}\n\nmodel b {\n  inputs: [x]\n}\n");
        assert_eq!(d.len(), 1);
        // the broken declaration keeps its head, the next one parses fully
        assert_eq!(m.items.len(), 2);
        match &m.items[0] {
            Item::Decl(d) => assert!(d.body.is_none() && d.name.name == "a"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_recovered_name_keeps_its_non_ascii_letters() {
        let (m, d) = parse(FileId(0), "dataset données_patiënt {\n  n: 4\n}\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("`données_patiënt` is not a name"), "{}", d[0].message);
        match &m.items[0] {
            Item::Decl(d) => assert_eq!(d.name.name, "données_patiënt"),
            other => panic!("unexpected {other:?}"),
        }
    }
}

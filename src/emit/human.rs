//! Human-readable diagnostics, rendered by codespan-reporting: the rich form with source
//! snippets (`--format human`) and the one-line `file:line:col` form (`--format short`).

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor, Config, DisplayStyle};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Rich,
    Short,
}

/// A source line longer than this is not shown in a snippet: the label becomes a note with
/// an excerpt around its place, so a generated one-line plan cannot flood the terminal.
const MAX_SHOWN_LINE: usize = 1_000;

/// Characters of context on each side of a place in an over-long line.
const EXCERPT: usize = 40;

fn to_codespan(sources: &SourceMap, d: &Diagnostic, style: Style) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut long_lines = Vec::new();
    let labels = d
        .labels
        .iter()
        .filter(|l| {
            if style == Style::Short || l.span.file.0 as usize >= sources.len() {
                return true;
            }
            let f = sources.get(l.span.file);
            let at = l.span.start as usize;
            let line = f.line_index(at);
            let range = f.line_range(line);
            if range.end - range.start <= MAX_SHOWN_LINE {
                return true;
            }
            let (ln, col) = f.line_col(at);
            long_lines.push(format!(
                "{}:{ln}:{col}: {} (line {ln} is {} characters long; shown around the place): `{}`",
                f.name,
                l.message,
                crate::cost::range::thousands(f.text[range.clone()].chars().count() as u64),
                excerpt(&f.text[range.clone()], at.clamp(range.start, range.end) - range.start)
            ));
            false
        })
        .map(|l| {
            let style = if l.primary { cs::LabelStyle::Primary } else { cs::LabelStyle::Secondary };
            cs::Label::new(style, l.span.file, l.span.range()).with_message(&l.message)
        })
        .collect();
    let notes = long_lines
        .into_iter()
        .chain(d.why.iter().map(|w| format!("why: {w}")))
        .chain(d.choices.iter().map(|c| {
            let rec = if c.recommended { " (recommended)" } else { "" };
            format!("option {}{rec}: {}", c.letter, c.text)
        }))
        .chain(d.notes.iter().map(|n| format!("note: {n}")))
        .chain(d.help.iter().map(|h| format!("help: {h}")))
        .collect();
    cs::Diagnostic::new(severity).with_code(&d.code).with_message(&d.message).with_labels(labels).with_notes(notes)
}

/// The text around byte `at` of `line`, at most [`EXCERPT`] characters each side, with `…`
/// where it was cut.
fn excerpt(line: &str, at: usize) -> String {
    let at = (0..=at).rev().find(|i| line.is_char_boundary(*i)).unwrap_or(0);
    let before: Vec<char> = line[..at].chars().rev().take(EXCERPT + 1).collect();
    let after: Vec<char> = line[at..].chars().take(EXCERPT + 1).collect();
    let mut s = String::new();
    if before.len() > EXCERPT {
        s.push('…');
    }
    s.extend(before.iter().take(EXCERPT).rev());
    s.extend(after.iter().take(EXCERPT));
    if after.len() > EXCERPT {
        s.push('…');
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn config(style: Style) -> Config {
    Config {
        display_style: match style {
            Style::Rich => DisplayStyle::Rich,
            Style::Short => DisplayStyle::Short,
        },
        ..Config::default()
    }
}

/// Renders diagnostics, with ANSI colours when `color` is set.
pub fn render<'d>(
    sources: &SourceMap,
    diags: impl IntoIterator<Item = &'d Diagnostic>,
    style: Style,
    color: bool,
) -> Vec<u8> {
    let diags: Vec<&Diagnostic> = diags.into_iter().collect();
    let cfg = config(style);
    // thousands of findings render on two threads, and come back in order
    let parts = crate::parallel::map(&diags, PARALLEL_DIAGNOSTICS, |d| one(sources, d, style, color, &cfg));
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for p in parts {
        out.extend(p);
    }
    out
}

/// From this many diagnostics on, rendering is split over two threads.
const PARALLEL_DIAGNOSTICS: usize = 512;

/// One diagnostic, rendered.
fn one(sources: &SourceMap, d: &Diagnostic, style: Style, color: bool, cfg: &Config) -> Vec<u8> {
    // the one-line form keeps a language diagnostic's fix (the did-you-mean), on the
    // same line so that editors and CI problem matchers still see one line each
    let fix = d.help.iter().find(|h| style == Style::Short && !h.ends_with("explains this check"));
    let mut bytes = match (style, color) {
        (Style::Short, false) => short_plain(sources, d),
        _ => None,
    }
    .unwrap_or_else(|| {
        let mut one = if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
        // an out-of-range span is a compiler bug; render the message without the snippet
        if term::emit_to_write_style(&mut one, cfg, sources, &to_codespan(sources, d, style)).is_err() {
            let plain = cs::Diagnostic::<FileId>::new(cs::Severity::Bug).with_message(&d.message);
            let _ = term::emit_to_write_style(&mut one, cfg, sources, &plain);
        }
        one.into_inner()
    });
    if let Some(h) = fix {
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        bytes.extend(format!(" (help: {})\n", h.split_whitespace().collect::<Vec<_>>().join(" ")).into_bytes());
    }
    bytes
}

/// The one-line form without colour, written directly: the bytes codespan-reporting's
/// short style writes (a `file:line:col: severity[code]: message` line per primary label,
/// or one line without a place), at a fraction of its cost on a run with thousands of
/// findings. `None` for a label in a file the map does not hold, which codespan reports.
/// `tests/ui.rs` holds the two to the same bytes on every fixture and example plan.
#[doc(hidden)]
pub fn short_plain(sources: &SourceMap, d: &Diagnostic) -> Option<Vec<u8>> {
    use codespan_reporting::files::Files;
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    // `severity[code]: message`, pieces put together directly (thousands of lines on a
    // large plan)
    let tail = |out: &mut String| {
        out.push_str(severity);
        if !d.code.is_empty() {
            out.push('[');
            out.push_str(&d.code);
            out.push(']');
        }
        out.push_str(": ");
        out.push_str(&d.message);
        out.push('\n');
    };
    let mut out = String::with_capacity(d.message.len() + 64);
    for l in d.labels.iter().filter(|l| l.primary) {
        let name = sources.name(l.span.file).ok()?;
        let at = sources.location(l.span.file, l.span.start as usize).ok()?;
        out.push_str(name);
        out.push(':');
        push_number(&mut out, at.line_number);
        out.push(':');
        push_number(&mut out, at.column_number);
        out.push_str(": ");
        tail(&mut out);
    }
    if out.is_empty() {
        tail(&mut out);
    }
    Some(out.into_bytes())
}

/// `n` in decimal digits, appended.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

/// The one-line form as codespan-reporting writes it (what [`short_plain`] must match).
#[doc(hidden)]
pub fn short_by_codespan(sources: &SourceMap, d: &Diagnostic) -> Vec<u8> {
    let mut one = termcolor::Buffer::no_color();
    let _ = term::emit_to_write_style(&mut one, &config(Style::Short), sources, &to_codespan(sources, d, Style::Short));
    one.into_inner()
}

/// Renders without colour, as a string (for snapshots and tests).
pub fn render_plain(sources: &SourceMap, diags: &[Diagnostic], style: Style) -> String {
    String::from_utf8_lossy(&render(sources, diags, style, false)).into_owned()
}

/// "2 errors and 1 warning", or `None` when there is nothing to say.
pub fn summary<'d>(diags: impl IntoIterator<Item = &'d Diagnostic>) -> Option<String> {
    let (mut errors, mut warnings) = (0, 0);
    for d in diags {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Note => {}
        }
    }
    let count = |s: Severity| if s == Severity::Error { errors } else { warnings };
    let parts: Vec<String> = [(Severity::Error, "error", "errors"), (Severity::Warning, "warning", "warnings")]
        .iter()
        .filter_map(|(s, one, many)| {
            let n = count(*s);
            (n > 0).then(|| crate::diag::plural(n, one, many))
        })
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" and "))
    }
}

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
    render_parts(sources, diags, style, color).concat()
}

/// [`render`] in parts that follow each other (to be written one after the other, never
/// joined into a copy): thousands of findings render on two threads, each half into a
/// buffer of about its size.
pub fn render_parts<'d>(
    sources: &SourceMap,
    diags: impl IntoIterator<Item = &'d Diagnostic>,
    style: Style,
    color: bool,
) -> Vec<Vec<u8>> {
    let diags: Vec<&Diagnostic> = diags.into_iter().collect();
    let cfg = config(style);
    crate::parallel::halves(&diags, PARALLEL_DIAGNOSTICS, |part| {
        let mut out = Vec::with_capacity(part.iter().map(|d| room_for(sources, d, style)).sum());
        for d in part {
            one(&mut out, sources, d, style, color, &cfg);
        }
        out
    })
}

/// About the bytes a diagnostic takes rendered: in the one-line form a little more than
/// it takes (the form is known), in the rich style its texts with room for the source
/// lines it quotes. Room reserved beyond what is written still costs memory here (the
/// allocator commits it), so the one-line estimate stays close.
fn room_for(sources: &SourceMap, d: &Diagnostic, style: Style) -> usize {
    use codespan_reporting::files::Files;
    // `severity[code]: message\n` and a help on the same line
    let tail = d.message.len() + d.code.len() + 16 + d.help.first().map_or(0, |h| h.len() + 10);
    match style {
        Style::Short => {
            let places = d.labels.iter().filter(|l| l.primary);
            let lines: usize = places.map(|l| sources.name(l.span.file).map_or(0, str::len) + 24 + tail).sum();
            lines.max(tail)
        }
        Style::Rich => {
            let labels: usize = d.labels.iter().map(|l| l.message.len() + 240).sum();
            let notes: usize = d.notes.iter().chain(&d.help).map(|n| n.len() + 16).sum();
            let choices: usize = d.choices.iter().map(|c| c.text.len() + 16).sum();
            tail + labels + notes + choices + d.why.as_ref().map_or(0, |w| w.len() + 16)
        }
    }
}

/// From this many diagnostics on, rendering is split over two threads.
const PARALLEL_DIAGNOSTICS: usize = 512;

/// One diagnostic, rendered onto the end of `out`.
fn one(out: &mut Vec<u8>, sources: &SourceMap, d: &Diagnostic, style: Style, color: bool, cfg: &Config) {
    // the one-line form keeps a language diagnostic's fix (the did-you-mean), on the
    // same line so that editors and CI problem matchers still see one line each
    let fix = d.help.iter().find(|h| style == Style::Short && !h.ends_with("explains this check"));
    let start = out.len();
    let plain = style == Style::Short && !color && short_plain_onto(out, sources, d);
    if !plain {
        // written straight onto `out`, with or without colour codes
        let mut ansi;
        let mut no_color;
        let w: &mut dyn termcolor::WriteColor = if color {
            ansi = termcolor::Ansi::new(&mut *out);
            &mut ansi
        } else {
            no_color = termcolor::NoColor::new(&mut *out);
            &mut no_color
        };
        // an out-of-range span is a compiler bug; render the message without the snippet
        if term::emit_to_write_style(w, cfg, sources, &to_codespan(sources, d, style)).is_err() {
            let plain = cs::Diagnostic::<FileId>::new(cs::Severity::Bug).with_message(&d.message);
            let _ = term::emit_to_write_style(w, cfg, sources, &plain);
        }
    }
    if let Some(h) = fix {
        // this diagnostic's last newline, never the one before it
        if out.len() > start && out.last() == Some(&b'\n') {
            out.pop();
        }
        out.extend(format!(" (help: {})\n", h.split_whitespace().collect::<Vec<_>>().join(" ")).into_bytes());
    }
}

/// The one-line form without colour, written directly: the bytes codespan-reporting's
/// short style writes (a `file:line:col: severity[code]: message` line per primary label,
/// or one line without a place), at a fraction of its cost on a run with thousands of
/// findings. `None` for a label in a file the map does not hold, which codespan reports.
/// `tests/ui.rs` holds the two to the same bytes on every fixture and example plan.
#[doc(hidden)]
pub fn short_plain(sources: &SourceMap, d: &Diagnostic) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    short_plain_onto(&mut out, sources, d).then_some(out)
}

/// [`short_plain`] onto the end of `out`; false, with `out` as it was, where it gives `None`.
fn short_plain_onto(out: &mut Vec<u8>, sources: &SourceMap, d: &Diagnostic) -> bool {
    use codespan_reporting::files::Files;
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    // `severity[code]: message`, pieces put together directly (thousands of lines on a
    // large plan)
    let tail = |out: &mut Vec<u8>| {
        out.extend_from_slice(severity.as_bytes());
        if !d.code.is_empty() {
            out.push(b'[');
            out.extend_from_slice(d.code.as_bytes());
            out.push(b']');
        }
        out.extend_from_slice(b": ");
        out.extend_from_slice(d.message.as_bytes());
        out.push(b'\n');
    };
    let was = out.len();
    for l in d.labels.iter().filter(|l| l.primary) {
        let (Ok(name), Ok(at)) = (sources.name(l.span.file), sources.location(l.span.file, l.span.start as usize))
        else {
            out.truncate(was);
            return false;
        };
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        push_number(out, at.line_number);
        out.push(b':');
        push_number(out, at.column_number);
        out.extend_from_slice(b": ");
        tail(out);
    }
    if out.len() == was {
        tail(out);
    }
    true
}

/// `n` in decimal digits, appended.
fn push_number(out: &mut Vec<u8>, mut n: usize) {
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
    out.extend_from_slice(&digits[at..]);
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

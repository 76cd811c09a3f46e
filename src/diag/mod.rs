//! Diagnostics as data.
//!
//! Every pass reports problems as [`Diagnostic`] values: a code, a severity, a one-line
//! message, labelled spans (possibly in several files), notes and help lines. Nothing here
//! renders text; `crate::emit` turns the same data into terminal output, and later into
//! JSON or SARIF.
//!
//! Message style (checked by `tests/message_style.rs` over every snapshot): the message starts
//! with a lowercase word, has no trailing period, puts user input in backticks and never
//! names an internal type or grammar rule. The long explanation goes into notes and help.

pub mod codes;
pub mod suggest;

use crate::source::Span;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// One of the lettered options an architect finding offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub letter: char,
    pub text: std::sync::Arc<str>,
    pub recommended: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    /// for architect findings: why it matters, and the options, recommended first
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<std::sync::Arc<str>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

impl Diagnostic {
    pub fn new(code: &codes::Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with_code(code.code, code.severity, message)
    }

    /// A diagnostic with a code that is not in the compiler's registry (a rule's).
    pub fn with_code(code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.into(),
            severity,
            message: bounded(message.into()),
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            why: None,
            choices: Vec::new(),
        }
    }

    /// The span the diagnostic is about.
    pub fn primary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        push_one(&mut self.labels, Label { span, message: bounded(label.into()), primary: true });
        self
    }

    /// A span that explains the primary one ("first declared here").
    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        push_one(&mut self.labels, Label { span, message: bounded(label.into()), primary: false });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        push_one(&mut self.notes, bounded(note.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        push_one(&mut self.help, bounded(help.into()));
        self
    }

    pub fn help_opt(self, help: Option<String>) -> Diagnostic {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).or(self.labels.first()).map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Pushes onto a diagnostic's list, which most often holds one item: the first push makes
/// room for one rather than the four a vector starts with (a plan with tens of thousands
/// of findings held 120 bytes of unused label room for each).
fn push_one<T>(list: &mut Vec<T>, item: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(item);
}

/// An accumulator that passes push into; passes never stop at the first problem.
#[derive(Debug, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

/// Takes the list as it is (no copy into a new one).
impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics { list }
    }
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.list.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The diagnostics in the order they were reported.
    pub fn into_list(self) -> Vec<Diagnostic> {
        self.list
    }

    /// The diagnostics in source order (file, then position), ties kept in report order.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        // stable; sorts the keys and moves each diagnostic (176 bytes) about once
        self.list.sort_by_cached_key(|d| d.primary_span().map(|s| (s.file, s.start)));
        self.list
    }
}

/// Formats a list of names in backticks: "`a`, `b` or `c`".
pub fn one_of(names: &[impl AsRef<str>], conj: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} {conj} {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// "1 field", "2 fields".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Longest text quoted in backticks that a message shows whole: a 100,000-letter name in a
/// plan is quoted by its start and end, so one hostile line cannot flood the terminal.
const MAX_QUOTED: usize = 80;

/// The message with every over-long `quoted` part cut to its start, `…` and its end.
fn bounded(text: String) -> String {
    if text.len() <= MAX_QUOTED {
        return text;
    }
    // nearly every message has no quote of more than MAX_QUOTED bytes: one pass over the
    // bytes sees that (the parts between backticks at odd places are the quoted ones)
    let mut quoted = false;
    let mut run = 0;
    let mut long = false;
    for &b in text.as_bytes() {
        if b == b'`' {
            long |= quoted && run > MAX_QUOTED;
            quoted = !quoted;
            run = 0;
        } else {
            run += 1;
        }
    }
    if !(long || quoted && run > MAX_QUOTED) {
        return text;
    }
    let parts: Vec<&str> = text.split('`').collect();
    if parts.iter().skip(1).step_by(2).all(|q| q.chars().count() <= MAX_QUOTED) {
        return text;
    }
    let mut out = String::with_capacity(text.len().min(4 * MAX_QUOTED));
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        let n = part.chars().count();
        if i % 2 == 1 && n > MAX_QUOTED {
            out.extend(part.chars().take(MAX_QUOTED - 20));
            out.push('…');
            out.extend(part.chars().skip(n - 10));
        } else {
            out.push_str(part);
        }
    }
    out
}

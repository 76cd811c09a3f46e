//! `--format github`: GitHub Actions workflow commands, one annotation per open finding
//! (`::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::…`), escaped per the
//! workflow-command rules, then a `::notice` with the totals (GitHub shows only about ten
//! annotations of each kind per step).

use super::record::{Outcome, Record};
use super::summary::Summary;
use crate::diag::Severity;
use std::fmt::Write;

/// The message of a command: `%`, CR and LF escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(out: &mut String, r: &Record) {
    let kind = match r.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(l) = r.location.as_ref().filter(|l| !l.file.starts_with('<')) {
        props.push(format!("file={}", escape_property(l.file.trim_start_matches("./"))));
        props.push(format!("line={}", l.start.line));
        props.push(format!("endLine={}", l.end.line.max(l.start.line)));
        props.push(format!("col={}", l.start.column));
        if l.end.line == l.start.line {
            props.push(format!("endColumn={}", l.end.column.max(l.start.column + 1)));
        }
    }
    let title = if r.name.is_empty() { r.code.clone() } else { format!("{} {}", r.code, r.name) };
    props.push(format!("title={}", escape_property(&title)));
    let mut msg = r.message.clone();
    if let Some(o) = r.options.iter().find(|o| o.recommended) {
        msg.push_str(&format!("\nRecommended (option {}): {}", o.letter, o.text));
    }
    let _ = writeln!(out, "::{kind} {}::{}", props.join(","), escape_data(&msg));
}

pub fn render(outcomes: &[Outcome], summary: &Summary) -> String {
    let mut out = String::new();
    for r in outcomes.iter().flat_map(|o| o.records()).filter(|r| r.is_reported()) {
        annotation(&mut out, r);
    }
    let _ = writeln!(out, "::notice title=mlarchc::{}", escape_data(&summary.text()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}

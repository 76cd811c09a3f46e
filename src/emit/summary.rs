//! The totals of a run across every plan, and the exit decision `--fail-on` makes from
//! them: `3 plans: 2 errors, 5 warnings, 1 decided`, or a clean run saying it is clean.

use super::record::{Outcome, Tally};
use crate::diag::{plural, Severity};
use serde::Serialize;

/// The lowest severity that fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// plans checked (files that could be read)
    pub plans: usize,
    /// files that could not be read
    pub unreadable: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub decided: usize,
    pub allowed: usize,
    pub baselined: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    pub failed: bool,
}

impl Summary {
    pub fn of(outcomes: &[Outcome], unreadable: usize, fail_on: FailOn) -> Summary {
        let mut s = Summary { plans: outcomes.len(), unreadable, fail_on: Some(fail_on), ..Summary::default() };
        for (severity, tally) in outcomes.iter().flat_map(|o| o.tally()) {
            match tally {
                Tally::Open => match severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Note => s.notes += 1,
                },
                Tally::Decided => s.decided += 1,
                Tally::Allowed => s.allowed += 1,
                Tally::Baselined => s.baselined += 1,
            }
        }
        s.failed = match fail_on {
            FailOn::Error => s.errors > 0,
            FailOn::Warning => s.errors + s.warnings > 0,
            FailOn::Note => s.errors + s.warnings + s.notes > 0,
            FailOn::Never => false,
        };
        s
    }

    /// `3 plans: 2 errors, 5 warnings, 1 decided, 2 in the baseline` or `1 plan: clean`.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        for (n, one, many) in
            [(self.errors, "error", "errors"), (self.warnings, "warning", "warnings"), (self.notes, "note", "notes")]
        {
            if n > 0 {
                parts.push(plural(n, one, many));
            }
        }
        if self.decided > 0 {
            parts.push(format!("{} decided", self.decided));
        }
        if self.allowed > 0 {
            parts.push(format!("{} allowed", self.allowed));
        }
        if self.baselined > 0 {
            parts.push(format!("{} in the baseline", self.baselined));
        }
        let head = plural(self.plans, "plan", "plans");
        let mut out = if self.errors + self.warnings + self.notes == 0 {
            if parts.is_empty() {
                format!("{head}: clean, no findings")
            } else {
                format!("{head}: clean ({})", parts.join(", "))
            }
        } else {
            format!("{head}: {}", parts.join(", "))
        };
        if self.unreadable > 0 {
            out.push_str(&format!("; {} could not be read", plural(self.unreadable, "file", "files")));
        }
        out
    }
}

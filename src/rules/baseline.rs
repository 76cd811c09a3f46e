//! Baselines: adopting the checker on an existing plan without drowning in findings.
//!
//! `--write-baseline FILE` records today's open findings; `--baseline FILE` hides the
//! findings it records and lists the entries that no longer match. Entries are keyed by
//! rule, file and the finding's path in the plan (`model.fusion.init`), never by line, so
//! edits that move lines do not break them. The format is JSON, sorted, one entry per key
//! with a count, so that it diffs well under version control.

use super::{Finding, RuleSet, State};
use crate::source::SourceMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "mlarchc.baseline/1";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub format: String,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    /// `model.fusion.init`
    pub path: String,
    /// how many findings share this key
    pub count: usize,
}

fn key(f: &Finding, rules: &RuleSet, sources: &SourceMap) -> (String, String, String) {
    (rules.rules[f.rule].code.clone(), sources.get(f.span.file).name.clone(), f.path.clone())
}

/// The baseline of the open findings.
pub fn record(findings: &[Finding], rules: &RuleSet, sources: &SourceMap) -> Baseline {
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.state == State::Open) {
        *counts.entry(key(f, rules, sources)).or_default() += 1;
    }
    Baseline {
        format: FORMAT.into(),
        entries: counts.into_iter().map(|((rule, file, path), count)| Entry { rule, file, path, count }).collect(),
    }
}

impl Baseline {
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| format!("not a baseline file: {e}"))?;
        if b.format != FORMAT {
            return Err(format!("unknown baseline format `{}` (expected `{FORMAT}`)", b.format));
        }
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Marks the findings this baseline records as `Baselined`; returns the entries (or the
    /// part of their count) that matched nothing.
    pub fn apply(&self, findings: &mut [Finding], rules: &RuleSet, sources: &SourceMap) -> Vec<Entry> {
        let mut left: BTreeMap<(String, String, String), usize> =
            self.entries.iter().map(|e| ((e.rule.clone(), e.file.clone(), e.path.clone()), e.count)).collect();
        for f in findings.iter_mut().filter(|f| f.state == State::Open) {
            if let Some(n) = left.get_mut(&key(f, rules, sources)) {
                if *n > 0 {
                    *n -= 1;
                    f.state = State::Baselined;
                }
            }
        }
        left.into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((rule, file, path), count)| Entry { rule, file, path, count })
            .collect()
    }
}

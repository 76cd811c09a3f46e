//! From findings to what the user sees: levels, decisions, suppressions, quick mode.
//!
//! **Precedence, written down once.** For each finding, the first of these that speaks
//! decides:
//!
//! 1. inline, in the plan: `allow CODE …` hides it, `decide CODE …: LETTER` reports it as
//!    decided;
//! 2. the command line: `--allow`, `--warn`, `--deny` naming the rule (code or name), then
//!    naming its section or a code pattern (`MLA4xx`);
//! 3. the plan's `review { … }` block: rule first, then section or pattern;
//! 4. the rule's own severity (raised by its `escalate` condition, lowered by `relax`).
//!
//! Within one layer a later entry wins over an earlier one. `deny` makes a finding an
//! error, `warn` a warning, `allow` hides it.

use super::baseline::{Baseline, Entry};
use super::{Finding, Rule, RuleSet, Section, State};
use crate::diag::{codes, one_of, suggest, Choice, Diagnostic, Severity};
use crate::plan::Plan;
use crate::source::SourceMap;
use crate::syntax::ast::{self, ValueKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Deny,
    Warn,
    Allow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// every finding
    #[default]
    Full,
    /// the most severe finding of each section, sections in review order
    Quick,
}

/// What a selector names.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    Rule(String),
    Pattern(String),
    Section(Section),
    /// `ALL`: every rule
    All,
}

impl Target {
    fn specific(&self) -> bool {
        matches!(self, Target::Rule(_))
    }

    fn matches(&self, rule: &Rule) -> bool {
        match self {
            Target::Rule(code) => rule.code == *code,
            Target::Section(s) => rule.section == *s,
            Target::All => true,
            Target::Pattern(p) => {
                p.len() == rule.code.len() && p.bytes().zip(rule.code.bytes()).all(|(a, b)| a == b'x' || a == b)
            }
        }
    }
}

/// Resolves `MLA201` (in any case), `scratch_deep_tiny_n`, `scratch-deep-tiny-n`, `MLA4xx`,
/// `training`, `ALL`.
fn resolve(rules: &RuleSet, text: &str) -> Result<Target, String> {
    if text == "ALL" {
        return Ok(Target::All);
    }
    if let Some(s) = Section::parse(text) {
        return Ok(Target::Section(s));
    }
    // codes in any case: `mla4xx`, `Mla4XX`
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("MLA") && upper.len() == 6 && upper[3..].contains('X') {
        return Ok(Target::Pattern(format!("MLA{}", upper[3..].replace('X', "x"))));
    }
    if let Some(r) = rules.find(text) {
        return Ok(Target::Rule(r.code.clone()));
    }
    let names = rules
        .rules
        .iter()
        .flat_map(|r| [r.code.as_str(), r.name.as_str()])
        .chain(Section::ALL.iter().map(|s| s.as_str()))
        .chain(["ALL"]);
    Err(match suggest::help(text, names) {
        Some(h) => format!("no rule or section is called `{text}`; {h}"),
        None => format!("no rule or section is called `{text}`; `mlarchc rules` lists them"),
    })
}

/// Settings from outside the plan: the command line.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub mode: Option<Mode>,
    /// `--deny`, `--warn`, `--allow`, in command-line order
    pub levels: Vec<(Level, String)>,
    pub baseline: Option<Baseline>,
}

/// The outcome of a review.
#[derive(Debug, Default)]
pub struct Review {
    /// every finding, with its final severity and state (decided, allowed, baselined)
    pub findings: Vec<Finding>,
    /// what to show: open findings, decided ones as notes, and problems with `review`,
    /// `decide` and `allow`
    pub diagnostics: Vec<Diagnostic>,
    /// baseline entries that matched nothing
    pub stale: Vec<Entry>,
    pub mode: Mode,
}

/// Checks the command-line selectors before anything runs (a wrong one is a bad invocation).
pub fn check_config(rules: &RuleSet, config: &Config) -> Result<(), String> {
    for (_, text) in &config.levels {
        resolve(rules, text)?;
    }
    Ok(())
}

pub fn review(
    plan: &Plan,
    rules: &RuleSet,
    sources: &SourceMap,
    mut findings: Vec<Finding>,
    config: &Config,
) -> Review {
    let mut diags = Vec::new();

    // the plan's `review` block
    let mut plan_levels: Vec<(Level, Target)> = Vec::new();
    let mut plan_mode = None;
    for (i, r) in plan.reviews.iter().enumerate() {
        if i > 0 {
            diags.push(
                Diagnostic::new(&codes::REVIEW_SETTING, "a plan has one `review` block")
                    .primary(r.head, "second `review` block")
                    .help("merge the settings into the first one"),
            );
            continue;
        }
        for f in &r.fields {
            match f.name.name.as_str() {
                "mode" => match &f.value.kind {
                    ValueKind::Name(n) if n.name == "full" => plan_mode = Some(Mode::Full),
                    ValueKind::Name(n) if n.name == "quick" => plan_mode = Some(Mode::Quick),
                    _ => diags.push(
                        Diagnostic::new(&codes::REVIEW_SETTING, "`mode` is `full` or `quick`")
                            .primary(f.value.span, "not a review mode")
                            .help("`full` reports every finding; `quick` the most severe of each section"),
                    ),
                },
                lvl @ ("deny" | "warn" | "allow") => {
                    let level = match lvl {
                        "deny" => Level::Deny,
                        "warn" => Level::Warn,
                        _ => Level::Allow,
                    };
                    let items = match &f.value.kind {
                        ValueKind::List(items) => items.as_slice(),
                        _ => std::slice::from_ref(&f.value),
                    };
                    for item in items {
                        let text = match &item.kind {
                            ValueKind::Code(s) | ValueKind::Kebab(s) => s.clone(),
                            ValueKind::Name(n) => n.name.clone(),
                            _ => {
                                diags.push(
                                    Diagnostic::new(&codes::REVIEW_SETTING, format!("`{lvl}` lists rules and sections"))
                                        .primary(item.span, "not a rule or section")
                                        .help("write codes (`MLA201`), names (`scratch_deep_tiny_n`), patterns (`MLA4xx`) or sections (`training`)"),
                                );
                                continue;
                            }
                        };
                        match resolve(rules, &text) {
                            Ok(t) => plan_levels.push((level, t)),
                            Err(e) => {
                                let (msg, help) = e.split_once("; ").unwrap_or((&e, ""));
                                diags.push(
                                    Diagnostic::new(&codes::UNKNOWN_RULE, msg)
                                        .primary(item.span, "unknown here")
                                        .help(help),
                                );
                            }
                        }
                    }
                }
                other => diags.push(
                    Diagnostic::new(&codes::REVIEW_SETTING, format!("unknown review setting `{other}`"))
                        .primary(f.name.span, "not a setting of `review`")
                        .help(
                            suggest::help(other, ["mode", "deny", "warn", "allow"])
                                .unwrap_or_else(|| "the settings are `mode`, `deny`, `warn` and `allow`".into()),
                        ),
                ),
            }
        }
    }
    let cli_levels: Vec<(Level, Target)> =
        config.levels.iter().filter_map(|(l, t)| resolve(rules, t).ok().map(|t| (*l, t))).collect();
    let mode = config.mode.or(plan_mode).unwrap_or_default();

    // levels, lowest precedence first so that later layers overwrite
    let level_of = |rule: &Rule, base: Severity| -> Option<Severity> {
        let mut sev = Some(base);
        for layer in [&plan_levels, &cli_levels] {
            for specific in [false, true] {
                for (level, _) in layer.iter().filter(|(_, t)| t.specific() == specific && t.matches(rule)) {
                    sev = match level {
                        Level::Deny => Some(Severity::Error),
                        Level::Warn => Some(Severity::Warning),
                        Level::Allow => None,
                    };
                }
            }
        }
        sev
    };

    // decisions and suppressions, the highest precedence: they see every finding, even
    // one that a level hides, so that they are never reported as matching nothing
    let mut used = vec![false; plan.decisions.len() + plan.allows.len()];
    for (i, d) in plan.decisions.iter().enumerate() {
        let Some(rule) = inline_rule(rules, &d.rule, &mut diags) else {
            used[i] = true;
            continue;
        };
        let letter = d.letter.name.chars().next().unwrap_or('?');
        let Some(option) = rule.text().options.iter().find(|o| o.letter == letter) else {
            let letters: Vec<String> = rule.text().options.iter().map(|o| o.letter.to_string()).collect();
            diags.push(
                Diagnostic::new(&codes::DECISION_LETTER, format!("`{}` offers no option `{letter}`", rule.code))
                    .primary(d.letter.span, format!("the options are {}", one_of(&letters, "and")))
                    .help(format!("`mlarchc rule {}` shows the options", rule.code)),
            );
            used[i] = true;
            continue;
        };
        for f in findings.iter_mut().filter(|f| rules.rules[f.rule].code == rule.code && f.state == State::Open) {
            if targets(plan, &d.target, f) {
                // the option as this finding's plan reads it
                let text = rule.options_of(&f.advice).into_iter().find(|o| o.letter == letter).unwrap_or(option);
                f.state = State::Decided { letter, option: text.text.to_string(), reason: d.reason.clone() };
                used[i] = true;
            }
        }
    }
    let off = plan.decisions.len();
    for (i, a) in plan.allows.iter().enumerate() {
        let Some(rule) = inline_rule(rules, &a.rule, &mut diags) else {
            used[off + i] = true;
            continue;
        };
        for f in findings.iter_mut().filter(|f| rules.rules[f.rule].code == rule.code && f.state == State::Open) {
            if targets(plan, &a.target, f) {
                f.state = State::Allowed { reason: a.reason.clone() };
                used[off + i] = true;
            }
        }
    }
    for (i, u) in used.iter().enumerate() {
        if *u {
            continue;
        }
        let (span, what, rule, target) = if i < off {
            let d = &plan.decisions[i];
            (d.span, "decision", &d.rule.name, &d.target)
        } else {
            let a = &plan.allows[i - off];
            (a.span, "suppression", &a.rule.name, &a.target)
        };
        let on = target.as_ref().map_or(String::new(), |t| format!(" on `{}`", t.name.name));
        diags.push(
            Diagnostic::new(&codes::UNMATCHED, format!("this {what} matches no finding"))
                .primary(span, format!("`{rule}` reports nothing{on}"))
                .help("remove it, or check the rule and the declaration it names; a stale one hides nothing but confuses readers"),
        );
    }

    // levels, for the findings that no decision or suppression spoke for
    findings.retain_mut(|f| {
        if f.state != State::Open {
            return true;
        }
        match level_of(&rules.rules[f.rule], f.severity) {
            Some(s) => {
                f.severity = s;
                true
            }
            None => false,
        }
    });

    let stale = match &config.baseline {
        Some(b) => b.apply(&mut findings, rules, sources),
        None => Vec::new(),
    };

    // quick mode: the most severe open finding of each section
    if mode == Mode::Quick {
        let mut keep = vec![false; findings.len()];
        for section in Section::ALL {
            let best = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.state == State::Open && rules.rules[f.rule].section == section)
                .min_by_key(|(i, f)| (f.severity, *i));
            if let Some((i, _)) = best {
                keep[i] = true;
            }
        }
        let mut i = 0;
        findings.retain(|f| {
            let k = keep[i] || f.state != State::Open;
            i += 1;
            k
        });
        // stable; sorts the keys and moves each finding about once
        findings.sort_by_cached_key(|f| (rules.rules[f.rule].section, f.state != State::Open));
    }

    diags.reserve(findings.len());
    for f in &findings {
        if let Some(d) = to_diagnostic(&rules.rules[f.rule], f) {
            diags.push(d);
        }
    }
    Review { findings, diagnostics: diags, stale, mode }
}

/// The rule an inline `decide`/`allow` names, or a diagnostic.
fn inline_rule<'r>(rules: &'r RuleSet, id: &ast::Ident, diags: &mut Vec<Diagnostic>) -> Option<&'r Rule> {
    match rules.find(&id.name) {
        Some(r) => Some(r),
        None => {
            // a malformed code was reported when the plan was checked
            if id.name.starts_with("MLA") && !(id.name.len() == 6 && id.name[3..].bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            let names = rules.rules.iter().flat_map(|r| [r.code.as_str(), r.name.as_str()]);
            diags.push(
                Diagnostic::new(&codes::UNKNOWN_RULE, format!("no rule is called `{}`", id.name))
                    .primary(id.span, "unknown rule")
                    .help(suggest::help(&id.name, names).unwrap_or_else(|| "`mlarchc rules` lists the rules".into())),
            );
            None
        }
    }
}

/// Does `on NAME` (or `on kind.NAME`) cover the finding? No target covers every finding.
/// (The ADR emitter matches decisions to the findings they decided with it.)
pub fn targets(plan: &Plan, target: &Option<ast::Target>, f: &Finding) -> bool {
    let Some(t) = target else { return true };
    let e = plan.entity(f.entity);
    if e.name != t.name.name {
        return false;
    }
    t.kind.as_ref().is_none_or(|k| plan.schema.kind(e.kind).name == k.name)
}

fn to_diagnostic(rule: &Rule, f: &Finding) -> Option<Diagnostic> {
    let choices = rule
        .options_of(&f.advice)
        .into_iter()
        .map(|o| Choice { letter: o.letter, text: o.text.clone(), recommended: o.recommended })
        .collect();
    let d = match &f.state {
        State::Open => Diagnostic::with_code(&rule.code, f.severity, &f.message),
        State::Decided { letter, option, reason } => {
            Diagnostic::with_code(&rule.code, Severity::Note, format!("decided: {}", f.message))
                .note(format!("the team chose option {letter}: {option}"))
                .note(format!("because {reason}"))
        }
        State::Allowed { .. } | State::Baselined => return None,
    };
    let mut d = d
        .primary(f.span, rule.name.clone())
        .help(crate::units::cat("`mlarchc rule ".into(), &[&rule.code, "` explains this check"]));
    if f.state == State::Open {
        for n in &f.notes {
            d = d.note(n.clone());
        }
        d.why = Some(rule.why_of(&f.advice).clone());
        d.choices = choices;
    }
    Some(d)
}

/// Points an unmatched baseline entry at its file, for messages without a span.
pub fn describe_stale(e: &Entry) -> String {
    format!(
        "{}: {} at `{}`{}",
        e.file,
        e.rule,
        e.path,
        if e.count > 1 { format!(" ({} findings)", e.count) } else { String::new() }
    )
}

//! mlarchc: a compiler for ML project plans.
//!
//! The pipeline, one module per stage: [`syntax`] (text → AST) → [`schema`] (the domain
//! declared in `.mla`) → [`sema`] (imports, names, types, units → [`plan::Plan`]) →
//! [`emit`] (diagnostics and reports). [`diag`] holds the diagnostic data every stage
//! produces, [`units`] the one unit table, [`cli`] the command line — the only module that
//! touches files, the terminal and exit codes.

pub mod cli;
pub mod cost;
pub mod derive;
pub mod diag;
pub mod emit;
pub mod fasthash;
pub mod graph;
pub mod parallel;
pub mod plan;
pub mod prelude;
pub mod rules;
pub mod schema;
pub mod sema;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod testing;
pub mod text;
pub mod timing;
pub mod units;

use diag::Diagnostic;
use plan::Plan;
use sema::Host;
use source::{FileOrigin, SourceMap};
use stdlib::Stdlib;

/// The result of checking one plan: its sources, the checked plan and every diagnostic,
/// in source order.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    pub plan: Plan,
    pub graph: graph::DepGraph,
    pub rules: rules::RuleSet,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Runs the architect review: evaluates every rule, then applies levels, decisions,
    /// suppressions, the baseline and the mode. A plan with language errors is not reviewed
    /// (as lints run only on code that compiles): its review is empty.
    pub fn review(&self, config: &rules::review::Config) -> rules::review::Review {
        if self.has_errors() {
            return rules::review::Review::default();
        }
        let mut laps = timing::Laps::start();
        let (findings, stopped) = rules::eval::evaluate_bounded(&self.plan, &self.rules);
        laps.lap("evaluate");
        let mut r = rules::review::review(&self.plan, &self.rules, &self.sources, findings, config);
        laps.lap("review");
        // a `decide`, `allow` or `review` that is wrong (E0508–E0510) leaves the review's
        // state unknown: like a language error it blocks the findings, so none is shown as
        // open that the team meant to decide, or decided with an option that does not exist
        let blocked = r.diagnostics.iter().any(|d| d.is_error() && !d.code.starts_with("MLA"));
        if blocked {
            r.findings.clear();
            r.diagnostics.retain(|d| !d.code.starts_with("MLA"));
        }
        for ri in stopped.into_iter().filter(|_| !blocked) {
            let rule = &self.rules.rules[ri];
            r.diagnostics.push(
                diag::Diagnostic::new(
                    &diag::codes::RULE_WORK_LIMIT,
                    format!(
                        "rule `{}` stopped after {} evaluation steps, so its findings are not reported",
                        rule.code,
                        cost::range::thousands(rules::eval::MAX_STEPS)
                    ),
                )
                .primary(rule.span, "its bindings and quantifiers multiply on this plan")
                .help("bind the most selective kind first and test it early in `when`, or use `referrers(x, KIND)` instead of a scan of every declaration"),
            );
        }
        let sorted = diag::Diagnostics::from(std::mem::take(&mut r.diagnostics));
        r.diagnostics = if r.mode == rules::review::Mode::Quick { sorted.into_list() } else { sorted.into_sorted() };
        r
    }
}

/// The root name for a compilation of the stdlib alone (`mlarchc rules`, `schema`,
/// `catalog`): an empty root that is not an empty plan.
pub const STDLIB_ONLY: &str = "<stdlib only>";

/// Checks the plan rooted at `root_name`: parses the stdlib, the root and its imports,
/// then resolves and type-checks everything. Never fails and never panics on any input;
/// every problem is a diagnostic.
pub fn compile(root_name: &str, root_text: String, stdlib: &Stdlib, host: &dyn Host) -> Compilation {
    let mut laps = timing::Laps::start();
    let mut sources = SourceMap::new();
    let mut modules = Vec::new();
    let mut diags = Vec::new();
    // stdlib files first: their ids (0, 1, …) are the ones `build.rs` parsed them with
    let ids: Vec<_> = stdlib
        .source_files()
        .map(|(path, text)| sources.add(format!("<stdlib>/{path}"), text.clone(), FileOrigin::Stdlib))
        .collect();
    let (root_text, bad) = syntax::clean_text(root_text);
    let root = sources.add(root_name, root_text, FileOrigin::User);
    if let Some((at, what)) = bad {
        diags.push(syntax::bad_text(root, &sources.get(root).text, at, &what));
    }
    let root_text: &str = &sources.get(root).text;
    // a large plan parses while the embedded stdlib's checked state is decoded
    let (prelude, early) =
        if stdlib.has_prelude() && root_text.len() >= syntax::PARALLEL_BYTES && parallel::threads() > 1 {
            let (prelude, module) = parallel::both(|| stdlib.prelude(), || syntax::parse(root, root_text));
            (prelude, Some(module))
        } else {
            (stdlib.prelude(), None)
        };
    let mut root_module = early.unwrap_or_else(|| syntax::parse(root, root_text));
    // a file with nothing in it (or only comments) is not a clean plan
    if root_name != STDLIB_ONLY && root_module.0.items.is_empty() && root_module.1.is_empty() {
        root_module.1.push(
            diag::Diagnostic::new(
                &diag::codes::SINGLETON,
                "the plan is empty: it declares no `project` and nothing else",
            )
            .primary(source::Span::new(root, 0, 0), "nothing is declared in this file")
            .help("start with `project NAME { task: …, target: \"…\" }`; `mlarchc schema project` lists its fields"),
        );
    }
    laps.lap("parse");
    let mut user = Vec::new();
    sema::load_plan(root, root_module, host, &mut sources, &mut user, &mut diags);
    laps.lap("imports");
    let (mut plan, rules, rule_diags) = match prelude.filter(|p| p.continues(&user)) {
        // the stdlib was checked at build time: check the user's modules onto it
        Some(prelude) => {
            let (base, carry, stdlib_rules) = prelude.into_parts();
            let mut rule_diags = Vec::new();
            let rules = rules::compile(
                stdlib_rules,
                &base.schema,
                prelude::rule_decls(&user),
                prelude::gate_decls(&user),
                &sources,
                &mut rule_diags,
            );
            let (plan, _) = sema::check_onto(&sources, &user, base, carry, &mut diags);
            (plan, rules, rule_diags)
        }
        // check the stdlib and the user's modules together
        None => {
            let stdlib_modules = match stdlib.parsed() {
                Some(parsed) => parsed,
                // a stdlib from disk: parse it, spread over the cores
                None => {
                    let inputs: Vec<_> = ids.iter().map(|id| (*id, sources.get(*id).text.as_ref())).collect();
                    syntax::parse_many(&inputs)
                }
            };
            for (id, (m, d)) in ids.into_iter().zip(stdlib_modules) {
                diags.extend(d);
                modules.push((id, m));
            }
            modules.append(&mut user);
            // the rules need only the schema: they compile beside the declarations' checks
            let (plan, (rules, rule_diags)) = sema::check_with(&sources, &modules, &mut diags, |schema| {
                let mut d = Vec::new();
                let set = rules::compile(
                    rules::RuleSet::default(),
                    schema,
                    prelude::rule_decls(&modules),
                    prelude::gate_decls(&modules),
                    &sources,
                    &mut d,
                );
                (set, d)
            });
            (plan, rules, rule_diags)
        }
    };
    // the syntax trees are lowered into the plan: their memory serves the passes to come
    drop(user);
    drop(modules);
    laps.lap("sema and rules compile");
    let graph = graph::build(&plan);
    graph::check(&plan, &graph, &mut diags);
    laps.lap("graph");
    derive::run(&mut plan, &graph);
    laps.lap("derive+cost");
    // where rule diagnostics always came, so their order among equals is unchanged
    diags.extend(rule_diags);
    let all = diag::Diagnostics::from(diags);
    Compilation { sources, plan, graph, rules, diagnostics: all.into_sorted() }
}

/// Checks source text held in memory, with the embedded stdlib (for tests and tools).
pub fn check_str(name: &str, text: &str) -> Compilation {
    let host = sema::imports::MemoryHost::default();
    compile(name, text.to_string(), &Stdlib::embedded(), &host)
}

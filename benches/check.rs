//! Benchmarks of each stage, in bytes per second: parsing, parse + check of a whole plan
//! (stdlib included), and the whole job with the architect review, on the shipped typical
//! plan and a synthetic 10,000-line one.
//!
//! `cargo bench --bench check`. Whole-process figures come from hyperfine (see README).

#[path = "support/synth.rs"]
mod synth;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use mlarchc::sema::imports::MemoryHost;
use mlarchc::source::FileId;
use mlarchc::stdlib::Stdlib;

fn main() {
    divan::main();
}

fn typical() -> String {
    std::fs::read_to_string("specs/icu_mortality.mla").expect("run from the crate root")
}

#[divan::bench(args = ["typical", "synthetic_10k"])]
fn parse(bencher: Bencher, which: &str) {
    let text = if which == "typical" { typical() } else { synth::plan(10_000) };
    bencher.counter(BytesCount::of_str(&text)).bench(|| mlarchc::syntax::parse(FileId(0), black_box(&text)));
}

/// Parsing the stdlib from text, as `--stdlib DIR` does.
#[divan::bench]
fn parse_stdlib(bencher: Bencher) {
    let std = Stdlib::embedded();
    let bytes: usize = std.sources().map(|(_, t)| t.len()).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for (i, (_, t)) in std.sources().enumerate() {
            black_box(mlarchc::syntax::parse(FileId(i as u32), t));
        }
    });
}

/// Reading the syntax trees `build.rs` made of the embedded stdlib (what a plan that
/// cannot continue from the checked stdlib decodes).
#[divan::bench]
fn load_embedded_stdlib(bencher: Bencher) {
    let std = Stdlib::embedded();
    bencher.bench(|| black_box(std.parsed()));
}

/// Reading the checked stdlib `build.rs` made (what every other run decodes).
#[divan::bench]
fn load_checked_stdlib(bencher: Bencher) {
    let std = Stdlib::embedded();
    bencher.bench(|| black_box(std.prelude()));
}

/// The whole check of a typical plan with the stdlib checked again on every run, as
/// before the checked stdlib was embedded.
#[divan::bench]
fn check_without_prelude(bencher: Bencher) {
    let text = typical();
    let std = Stdlib::embedded().without_prelude();
    let host = MemoryHost::default();
    bencher.bench(|| mlarchc::compile("plan.mla", black_box(text.clone()), &std, &host));
}

#[divan::bench(args = ["typical", "synthetic_10k"])]
fn check(bencher: Bencher, which: &str) {
    let text = if which == "typical" { typical() } else { synth::plan(10_000) };
    let std = Stdlib::embedded();
    let host = MemoryHost::default();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| mlarchc::compile("plan.mla", black_box(text.clone()), &std, &host));
}

/// A shipped plan, or a synthetic one of `synthetic_Nk` lines.
fn plan_named(which: &str) -> String {
    match which.strip_prefix("synthetic_").and_then(|k| k.strip_suffix('k')).and_then(|k| k.parse::<usize>().ok()) {
        Some(k) => synth::plan(k * 1_000),
        None => typical(),
    }
}

/// A plan checked and reviewed with every rule on, for the emitters to start from.
fn reviewed(text: &str) -> (mlarchc::Compilation, mlarchc::rules::review::Review) {
    let c = mlarchc::compile("plan.mla", text.to_string(), &Stdlib::embedded(), &MemoryHost::default());
    let r = c.review(&Default::default());
    (c, r)
}

/// The whole job of `mlarchc check`: parse, check, graph, derive, compile the rules, and
/// review with every rule on; at 1k, 10k and 100k lines to show it grows linearly.
#[divan::bench(args = ["typical", "synthetic_1k", "synthetic_10k", "synthetic_100k"], sample_count = 20)]
fn check_and_review(bencher: Bencher, which: &str) {
    let text = plan_named(which);
    let std = Stdlib::embedded();
    let host = MemoryHost::default();
    bencher.counter(BytesCount::of_str(&text)).bench(|| {
        let c = mlarchc::compile("plan.mla", black_box(text.clone()), &std, &host);
        black_box(c.review(&Default::default()))
    });
}

/// The review alone (every rule evaluated, levels and decisions applied) on a checked plan:
/// linear in plan size because bindings read a per-kind index.
#[divan::bench(args = ["typical", "synthetic_1k", "synthetic_10k", "synthetic_100k"], sample_count = 20)]
fn review(bencher: Bencher, which: &str) {
    let text = plan_named(which);
    let std = Stdlib::embedded();
    let host = MemoryHost::default();
    let c = mlarchc::compile("plan.mla", text.clone(), &std, &host);
    bencher.counter(BytesCount::of_str(&text)).bench_local(|| black_box(c.review(&Default::default())));
}

/// The cost model alone (every estimate of the plan, written into its derived fields), on
/// the shipped plans: what it adds to `mlarchc check`.
#[divan::bench(args = ["icu_mortality", "kws_edge", "llm_finetune"])]
fn cost_model(bencher: Bencher, which: &str) {
    let text = std::fs::read_to_string(format!("specs/{which}.mla")).expect("run from the crate root");
    let std = Stdlib::embedded();
    let host = MemoryHost::default();
    let mut c = mlarchc::compile("plan.mla", text, &std, &host);
    bencher.bench_local(|| mlarchc::cost::run(black_box(&mut c.plan)));
}

/// Every format `check --output` writes, at once: human, short, JSON, SARIF, GitHub, JUnit.
#[divan::bench(args = ["typical", "synthetic_10k"])]
fn emit_all_formats(bencher: Bencher, which: &str) {
    use mlarchc::emit::{github, human, json, junit, record::Outcome, sarif, summary};
    let text = plan_named(which);
    let (c, r) = reviewed(&text);
    let mut diags = c.diagnostics.clone();
    diags.extend(r.diagnostics.iter().cloned());
    bencher.counter(BytesCount::of_str(&text)).bench_local(|| {
        black_box(human::render(&c.sources, &diags, human::Style::Rich, false));
        black_box(human::render(&c.sources, &diags, human::Style::Short, false));
        let outcomes = vec![Outcome::new("plan.mla", &c, &r)];
        let s = summary::Summary::of(&outcomes, 0, summary::FailOn::Error);
        black_box(json::render(&outcomes, &s));
        black_box(sarif::render(&outcomes, &[]));
        black_box(github::render(&outcomes, &s));
        black_box(junit::render(&outcomes))
    });
}

/// `mlarchc report`: the whole Markdown review with its pictures.
#[divan::bench(args = ["typical", "synthetic_10k"])]
fn emit_report(bencher: Bencher, which: &str) {
    use mlarchc::emit::{record::Outcome, report};
    let text = plan_named(which);
    let (c, r) = reviewed(&text);
    bencher.counter(BytesCount::of_str(&text)).bench_local(|| {
        let o = Outcome::new("plan.mla", &c, &r);
        black_box(report::render(&o, report::Length::Full, Some("plan"), report::TEMPLATE).map(|r| r.markdown.len()))
    });
}

/// Each output format alone on the 10k-line plan, to see where emitting spends its time.
#[divan::bench(args = ["records", "budget", "budget_json", "json", "sarif", "github", "junit", "report_context", "report"])]
fn emit_one_format(bencher: Bencher, format: &str) {
    use mlarchc::emit::{github, json, junit, record::Outcome, report, sarif, summary};
    let text = synth::plan(10_000);
    let (c, r) = reviewed(&text);
    let outcomes = vec![Outcome::new("plan.mla", &c, &r)];
    let s = summary::Summary::of(&outcomes, 0, summary::FailOn::Error);
    bencher.bench_local(|| match format {
        "records" => black_box(Outcome::new("plan.mla", &c, &r).records().len()),
        "budget" => black_box(mlarchc::cost::budget::budget(&c.plan).models.len()),
        "budget_json" => {
            let b = mlarchc::cost::budget::budget(&c.plan);
            black_box(serde_json::to_string(&mlarchc::emit::budget::json("plan.mla", &b)).map_or(0, |s| s.len()))
        }
        "report_context" => black_box(report::context(&outcomes[0], report::Length::Full, Some("plan")).1.len()),
        "json" => black_box(json::render(&outcomes, &s).len()),
        "sarif" => black_box(sarif::render(&outcomes, &[]).len()),
        "github" => black_box(github::render(&outcomes, &s).len()),
        "junit" => black_box(junit::render(&outcomes).len()),
        _ => black_box(
            report::render(&outcomes[0], report::Length::Full, Some("plan"), report::TEMPLATE)
                .map(|r| r.markdown.len())
                .unwrap_or(0),
        ),
    });
}

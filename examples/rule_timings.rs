//! Time each rule of the review alone on a plan, slowest first:
//! `cargo run --release --example rule_timings -- PLAN.mla [TOP]`. For finding the rule that
//! makes a large plan slow; the benchmark (`cargo bench --bench check -- review`) measures
//! the whole review.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: rule_timings PLAN.mla [TOP]");
        std::process::exit(2);
    };
    let top: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(15);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot read `{path}`: {e}");
        std::process::exit(2)
    });
    let std = mlarchc::stdlib::Stdlib::embedded();
    let c = mlarchc::compile(&path, text, &std, &mlarchc::cli::FsHost);
    let mut times = Vec::new();
    for rule in &c.rules.rules {
        let one = mlarchc::rules::RuleSet { rules: vec![rule.clone()], gates: c.rules.gates.clone() };
        let t = Instant::now();
        let n = mlarchc::rules::eval::evaluate(&c.plan, &one).len();
        times.push((t.elapsed().as_secs_f64() * 1e3, rule.code.clone(), n));
    }
    let total: f64 = times.iter().map(|t| t.0).sum();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{} rules, {total:.1} ms in all", times.len());
    for (ms, code, n) in times.into_iter().take(top) {
        println!("{ms:9.2} ms  {code}  ({n} findings)");
    }
}

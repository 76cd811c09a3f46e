//! Every emitter on whatever the pipeline makes of the input: JSON, SARIF, GitHub
//! annotations, JUnit, the human forms and the Markdown report.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlarchc::emit::{github, human, json, junit, record::Outcome, report, sarif, summary};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let c = mlarchc::check_str("fuzz.mla", &text);
    let r = c.review(&Default::default());
    let mut diags = c.diagnostics.clone();
    diags.extend(r.diagnostics.iter().cloned());
    let _ = human::render(&c.sources, &diags, human::Style::Rich, false);
    let _ = human::render(&c.sources, &diags, human::Style::Short, false);
    let outcomes = vec![Outcome::new("fuzz.mla", &c, &r)];
    let s = summary::Summary::of(&outcomes, 0, summary::FailOn::Error);
    let _ = json::render(&outcomes, &s);
    let _ = sarif::render(&outcomes, &[]);
    let _ = github::render(&outcomes, &s);
    let _ = junit::render(&outcomes);
    let _ = report::render(&outcomes[0], report::Length::Full, Some("fuzz"), report::TEMPLATE);
});

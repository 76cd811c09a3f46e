//! Property tests: whatever the input, the compiler returns diagnostics and never panics,
//! and every span it reports lies inside its file, on character boundaries.

mod common;

use mlarchc::Compilation;
use proptest::prelude::*;

fn assert_well_formed(c: &Compilation) {
    for d in &c.diagnostics {
        assert!(!d.message.is_empty());
        for l in &d.labels {
            let f = c.sources.get(l.span.file);
            assert!(l.span.start <= l.span.end, "inverted span in `{}`", d.message);
            assert!((l.span.end as usize) <= f.text.len(), "span past the end of {} in `{}`", f.name, d.message);
            assert!(f.text.is_char_boundary(l.span.start as usize) && f.text.is_char_boundary(l.span.end as usize));
        }
    }
    // rendering must not fail either
    let _ = mlarchc::emit::human::render_plain(&c.sources, &c.diagnostics, mlarchc::emit::human::Style::Rich);
    // every estimate is a well-formed interval, and the budget renders
    for (id, field, e) in c.plan.costs.iter() {
        if let Some(r) = e.value {
            assert!(!r.lo.is_nan() && !r.hi.is_nan(), "NaN in `{field}`");
            assert!(r.lo >= 0.0 && r.lo <= r.hi, "`{field}` is not an interval: {r:?}");
        }
        // the estimate computed again with its words has the same value and missing inputs
        let w = c.plan.costs.words(&c.plan, id, field).expect("every estimate has its words");
        assert_eq!(format!("{:?}", w.value), format!("{:?}", e.value), "`{field}` changes when put in words");
        assert_eq!(w.missing.is_empty(), e.missing.is_empty(), "`{field}` lacks an input only in words");
    }
    let b = mlarchc::cost::budget::budget(&c.plan);
    let _ = mlarchc::emit::budget::text("plan.mla", &b);
    let _ = mlarchc::emit::budget::json("plan.mla", &b);
}

/// Fragments that make up plans, so random input reaches deep into the grammar.
const TOKENS: &[&str] = &[
    "project p {",
    "dataset d {",
    "modality m: image {",
    "model x {",
    "train x {",
    "deploy x {",
    "kind k {",
    "enum E {",
    "record R {",
    "rule MLA201 r {",
    "decide MLA1 on x: A because \"r\"",
    "allow x because \"\"",
    "review {",
    "import \"x.mla\"",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    ",",
    ":",
    "\n",
    " ",
    "n: ",
    "from: d",
    "task: regression",
    "raw: 512x512x3",
    "200ms",
    "2GB",
    "4_200",
    "~7_100",
    "9%",
    "1e-3",
    "25M",
    "7B",
    "p99 < 200ms",
    "< 2GB",
    "2015..2023",
    "1 x a100",
    "4x a100",
    "\"str\"",
    "\"\"\"long\n\"\"\"",
    "/// doc\n",
    "// c\n",
    "/* c */",
    "unknown",
    "none",
    "true",
    "adamw { lr: 1e-3 }",
    "gbdt(labs)",
    "by_group(\"site\")",
    "_x_x3",
    "variant v {",
    "derived x: count",
    "a: count? = 3",
    "for m: model",
    "when: m.n < 1k and not x",
    "-",
    "==",
    "é",
    "\u{feff}",
    "99999999999999999999999T",
    "1e999",
    "0x0",
    "\\q",
    "MLA4xx",
    "scratch-deep",
    "set s: E = [a]",
];

fn plan_from(tokens: Vec<usize>) -> String {
    tokens.into_iter().map(|i| TOKENS[i % TOKENS.len()]).collect::<Vec<_>>().join(" ")
}

fn specs() -> Vec<String> {
    common::mla_files("specs").iter().map(|p| std::fs::read_to_string(p).expect("read")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
        assert_well_formed(&mlarchc::check_str("fuzz.mla", &s));
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(0usize..1000, 0..60)) {
        assert_well_formed(&mlarchc::check_str("soup.mla", &plan_from(tokens)));
    }

    #[test]
    fn mutated_examples_never_panic(
        which in 0usize..100,
        edits in prop::collection::vec((0usize..4, 0usize..100_000, 0usize..100_000, 0usize..1000), 1..6),
    ) {
        let all = specs();
        let mut text = all[which % all.len()].clone();
        for (op, a, b, t) in edits {
            let len = text.len();
            let mut at = a % (len + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            match op {
                // delete a stretch
                0 => {
                    let mut end = (at + b % 40).min(len);
                    while !text.is_char_boundary(end) { end -= 1; }
                    text.replace_range(at..end, "");
                }
                // insert a fragment
                1 => text.insert_str(at, TOKENS[t % TOKENS.len()]),
                // duplicate a line
                2 => {
                    let lines: Vec<&str> = text.lines().collect();
                    if !lines.is_empty() {
                        let l = lines[b % lines.len()].to_string();
                        text.insert_str(at, &format!("{l}\n"));
                    }
                }
                // truncate
                _ => text.truncate(at),
            }
        }
        assert_well_formed(&mlarchc::check_str("mutated.mla", &text));
    }
}

/// Pieces of rule expressions: paths through the graph, literals of every sort, names.
const ATOMS: &[&str] = &[
    "m.n_train",
    "m.init",
    "scratch",
    "m.family",
    "deep_families",
    "medical_imaging",
    "m.inputs",
    "i.from.n",
    "i.from",
    "1k",
    "10%",
    "200ms",
    "2GB",
    "0 steps",
    "none",
    "unknown",
    "\"text\"",
    "true",
    "m.train.optimizer.lr",
    "m.train.optimizer",
    "m.evaluate.baselines",
    "len(m.inputs)",
    "any(i in m.inputs: i is image)",
    "all(x in m.datasets: x.n > 5)",
    "count(x in m.datasets: x.labels.noise > 5%)",
    "m.deploy.latency.value",
    "m.deploy.latency.percentile",
    "m.train.hardware.item.peak",
    "m.train.hardware.n",
    "i.representation.backbone.params",
    "i.representation.tuning",
    "full",
    "m.datasets",
    "p.purpose",
    "product",
    "m.pps",
    "m.fwd_flops.low",
    "m.nosuch",
    "q.x",
    "m.train.schedule.warmup",
    "m.deploy",
    "m.deploy.target",
    "server",
    "[gbdt, mlp]",
    "[]",
    "-3",
    "(m.n_train)",
];
const OPS: &[&str] = &[
    " and ", " or ", " == ", " != ", " < ", " <= ", " > ", " in ", " not in ", " is ", " is not ", " + ", " - ", " * ",
    " / ",
];

/// The plan with each whole-number literal replaced by one of a few extremes, so the cost
/// model sees zeros, ones and huge counts in every field it reads.
fn renumbered(text: &str, picks: &[usize]) -> String {
    const VALUES: &[&str] = &["0", "1", "3", "4096", "999999999", "0.0001"];
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut prev = ' ';
    let mut i = 0;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && !(prev.is_alphanumeric() || prev == '_' || prev == '.') {
            while chars.peek().is_some_and(|d| d.is_ascii_digit() || *d == '_') {
                chars.next();
            }
            out.push_str(VALUES[picks[i % picks.len()] % VALUES.len()]);
            i += 1;
            prev = '0';
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn extreme_numbers_never_break_the_cost_model(
        which in 0usize..100,
        picks in prop::collection::vec(0usize..6, 1..40),
    ) {
        let all = specs();
        let text = renumbered(&all[which % all.len()], &picks);
        let c = mlarchc::check_str("plan.mla", &text);
        assert_well_formed(&c);
        let _ = c.review(&Default::default());
    }
}

fn rule_from(picks: Vec<(usize, usize)>, message_atom: usize) -> String {
    let mut when = String::new();
    for (i, (a, o)) in picks.iter().enumerate() {
        if i > 0 {
            when.push_str(OPS[o % OPS.len()]);
        }
        when.push_str(ATOMS[a % ATOMS.len()]);
    }
    if when.is_empty() {
        when.push_str("true");
    }
    format!(
        "rule MLA901 fuzzed {{\n  section: architecture\n  severity: warning\n  for p: project\n  for m: model\n  for i in m.inputs\n  when: {when}\n  at: m.init\n  message: \"`{{m}}` {{{}}}\"\n  why: \"Fuzzed.\"\n  option A recommended: \"A\"\n  option B: \"B\"\n}}\n",
        ATOMS[message_atom % ATOMS.len()]
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// Random rules, checked against the schema and run over every example plan.
    #[test]
    fn random_rules_never_panic(
        picks in prop::collection::vec((0usize..1000, 0usize..1000), 0..6),
        message_atom in 0usize..1000,
        which in 0usize..100,
    ) {
        let all = specs();
        let plan = format!("{}\n{}", all[which % all.len()], rule_from(picks, message_atom));
        let c = mlarchc::check_str("rule_fuzz.mla", &plan);
        assert_well_formed(&c);
        // the engine itself, even where a broken rule makes `Compilation::review` decline
        let findings = mlarchc::rules::evaluate(&c.plan, &c.rules);
        let r = mlarchc::rules::review::review(&c.plan, &c.rules, &c.sources, findings, &Default::default());
        for d in &r.diagnostics {
            assert!(!d.message.is_empty());
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let deep = format!("project p {{ task: regression, x: {}{} }}", "[".repeat(5000), "]".repeat(5000));
    assert_well_formed(&mlarchc::check_str("deep.mla", &deep));
    let deep_expr = format!("rule MLA901 r {{ when: {}a{} }}", "(".repeat(5000), ")".repeat(5000));
    assert_well_formed(&mlarchc::check_str("deep_expr.mla", &deep_expr));
}

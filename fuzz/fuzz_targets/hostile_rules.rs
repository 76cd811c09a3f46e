//! Arbitrary rule text appended to a real plan: rules are user code, so a hostile or
//! malformed rule must be a diagnostic, and a well-formed one must evaluate without
//! panicking or running away.
#![no_main]
use libfuzzer_sys::fuzz_target;

const PLAN: &str = include_str!("../../specs/icu_mortality.mla");

fuzz_target!(|data: &[u8]| {
    let extra = String::from_utf8_lossy(data);
    let text = format!("{PLAN}\nrule MLA999 fuzzed {{\n{extra}\n}}\n");
    let c = mlarchc::check_str("fuzz.mla", &text);
    if !c.has_errors() {
        let _ = c.review(&Default::default());
    }
});

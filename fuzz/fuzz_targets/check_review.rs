//! The whole pipeline `mlarchc check` runs: parse, check, graph, derive (cost model
//! included), compile the rules, review.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let c = mlarchc::check_str("fuzz.mla", &text);
    if !c.has_errors() {
        let _ = c.review(&Default::default());
    }
});

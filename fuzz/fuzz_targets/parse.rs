//! The parser alone on arbitrary bytes: it must return diagnostics, never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mlarchc::syntax::parse(mlarchc::source::FileId(0), &text);
});

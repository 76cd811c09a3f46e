//! `mlarchc budget FILE…`: the Complexity Budget of each plan — parameters, FLOPs,
//! device-hours and cost, training and inference memory, latency and throughput — with
//! every term, assumption and verdict.

use super::{compile_root, EXIT_OK, EXIT_USAGE};
use crate::stdlib::Stdlib;

pub fn run(files: &[String], json: bool, color: bool, stdlib: &Stdlib) -> i32 {
    let mut status = EXIT_OK;
    let mut budgets = Vec::new();
    let mut text = String::new();
    for file in files {
        // a plan that does not check has no budget: its errors are shown and the next plan
        // is read; a file that cannot be read ends the run
        let (display, c) = match compile_root(file, color, stdlib) {
            Ok(r) => r,
            Err(EXIT_USAGE) => return EXIT_USAGE,
            Err(code) => {
                status = code;
                continue;
            }
        };
        let b = crate::cost::budget::budget(&c.plan);
        if json {
            budgets.push((display, b));
        } else {
            text.push_str(&crate::emit::budget::text(&display, &b));
        }
    }
    let out = if json {
        let docs: Vec<_> = budgets.iter().map(|(f, b)| crate::emit::budget::json(f, b)).collect();
        let s = match docs.as_slice() {
            [one] => serde_json::to_string_pretty(one),
            all => serde_json::to_string_pretty(all),
        };
        s.unwrap_or_default() + "\n"
    } else {
        text
    };
    super::write_stdout(out.as_bytes());
    status
}

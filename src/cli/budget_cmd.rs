//! `mlarchc budget FILE…`: the Complexity Budget of each plan — parameters, FLOPs,
//! device-hours and cost, training and inference memory, latency and throughput — with
//! every term, assumption and verdict.

use super::{read_root, FsHost, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::emit::human::{self, Style};
use crate::stdlib::Stdlib;
use std::io::Write;

pub fn run(files: &[String], json: bool, color: bool, stdlib: &Stdlib) -> i32 {
    let mut status = EXIT_OK;
    let mut docs = Vec::new();
    let mut text = String::new();
    for file in files {
        let (display, src) = match read_root(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        let c = crate::compile(&display, src, stdlib, &FsHost);
        if c.has_errors() {
            // a plan that does not check has no budget: show why
            let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
            let _ = std::io::stderr().write_all(&human::render(&c.sources, &errors, Style::Rich, color));
            status = EXIT_FINDINGS;
            continue;
        }
        let b = crate::cost::budget::budget(&c.plan);
        if json {
            docs.push(crate::emit::budget::json(&display, &b));
        } else {
            text.push_str(&crate::emit::budget::text(&display, &b));
        }
    }
    let out = if json {
        let doc = if docs.len() == 1 { docs.remove(0) } else { serde_json::Value::Array(docs) };
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    } else {
        text
    };
    super::write_stdout(out.as_bytes());
    status
}

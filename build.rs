//! Embeds the standard library into the binary, already parsed and checked.
//!
//! Every file under `stdlib/` is embedded as text (diagnostics quote it, `mlarchc schema`
//! prints it). The `.mla` files are parsed here, at build time, with the compiler's own
//! parser, and their syntax trees serialised into `OUT_DIR`; then checked with its own
//! passes, and the result — a `prelude::Prelude`: schema, catalog, defaults, compiled rules
//! and gates — serialised beside them. A run decodes the prelude and checks only the user's
//! modules onto it; the trees serve the plans that cannot continue from it. A stdlib with
//! a syntax error or any diagnostic fails the build. `--stdlib DIR` still parses and checks
//! at run time.

// The passes are linted where the library builds them; here they are private modules, where
// some lints read differently (a private type may change its public API).
#![allow(dead_code, unused_imports, clippy::wrong_self_convention)]

#[path = "src/cost/mod.rs"]
mod cost;
#[path = "src/diag/mod.rs"]
mod diag;
#[path = "src/fasthash.rs"]
mod fasthash;
#[path = "src/graph.rs"]
mod graph;
#[path = "src/parallel.rs"]
mod parallel;
#[path = "src/plan.rs"]
mod plan;
#[path = "src/prelude.rs"]
mod prelude;
#[path = "src/rules/mod.rs"]
mod rules;
#[path = "src/schema/mod.rs"]
mod schema;
#[path = "src/sema/mod.rs"]
mod sema;
#[path = "src/source.rs"]
mod source;
#[path = "src/cli/stdlib_dir.rs"]
mod stdlib_dir;
#[path = "src/syntax/mod.rs"]
mod syntax;
#[path = "src/text.rs"]
mod text;
#[path = "src/units.rs"]
mod units;

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let root = manifest.join("stdlib");
    println!("cargo:rerun-if-changed=stdlib");
    println!("cargo:rerun-if-changed=grammar");
    println!("cargo:rerun-if-changed=src/syntax");
    println!("cargo:rerun-if-changed=src/units.rs");
    println!("cargo:rerun-if-changed=src/diag");
    for f in [
        "src/schema",
        "src/sema",
        "src/rules",
        "src/cost",
        "src/plan.rs",
        "src/prelude.rs",
        "src/graph.rs",
        "src/text.rs",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    let files = stdlib_dir::list(&root).unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()));

    let mut code = String::from(
        "/// Every file of the embedded stdlib: path relative to `stdlib/`, contents.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in &files {
        code.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", path.to_string_lossy()));
    }
    code.push_str("];\n");
    code.push_str("/// The `.mla` files above, parsed: `Vec<(Module, Vec<Diagnostic>)>` in bincode.\n");
    code.push_str("pub static PARSED: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/stdlib_parsed.bin\"));\n");
    code.push_str("/// The `.mla` files above, checked: a `Prelude` in bincode.\n");
    code.push_str("pub static CHECKED: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/stdlib_checked.bin\"));\n");
    write(&out_dir.join("stdlib_files.rs"), code.as_bytes());

    // The UI fixtures, one or more per compiler code: `mlarchc explain CODE` shows one as
    // the code's example, checked by the compiler at run time.
    println!("cargo:rerun-if-changed=tests/ui");
    let ui = manifest.join("tests/ui");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&ui)
        .map(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "mla")).collect()
        })
        .unwrap_or_default();
    fixtures.sort();
    let mut examples = String::from(
        "/// UI fixtures (`tests/ui/*.mla`): file name, contents.\npub static EXAMPLES: &[(&str, &str)] = &[\n",
    );
    for p in &fixtures {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        examples.push_str(&format!("    ({name:?}, include_str!({:?})),\n", p.to_string_lossy()));
    }
    examples.push_str("];\n");
    write(&out_dir.join("code_examples.rs"), examples.as_bytes());

    // The stdlib's `.mla` files get file ids 0, 1, … in this order; `compile` adds them to
    // its source map first, in the same order, so the spans line up.
    let texts: Vec<String> = files
        .iter()
        .filter(|(rel, _)| rel.ends_with(".mla"))
        .map(|(_, p)| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())))
        .collect();
    let inputs: Vec<(source::FileId, &str)> =
        texts.iter().enumerate().map(|(i, t)| (source::FileId(i as u32), t.as_str())).collect();
    let parsed = syntax::parse_many(&inputs);
    let bytes = bincode::serialize(&parsed).unwrap_or_else(|e| panic!("cannot serialise the stdlib: {e}"));
    write(&out_dir.join("stdlib_parsed.bin"), &bytes);

    // ... and checked, as `compile` checks them: the same names, ids and texts
    let mut sources = source::SourceMap::new();
    let mla = files.iter().filter(|(rel, _)| rel.ends_with(".mla"));
    for ((rel, _), text) in mla.zip(&texts) {
        sources.add(format!("<stdlib>/{rel}"), text.clone(), source::FileOrigin::Stdlib);
    }
    let mut modules = Vec::new();
    for (i, (m, d)) in parsed.into_iter().enumerate() {
        if !d.is_empty() {
            panic!("the stdlib has syntax errors: {d:?}");
        }
        modules.push((source::FileId(i as u32), m));
    }
    let prelude = prelude::Prelude::build(&sources, &modules)
        .unwrap_or_else(|d| panic!("the stdlib does not check cleanly: {d:#?}"));
    let bytes = bincode::serialize(&prelude).unwrap_or_else(|e| panic!("cannot serialise the checked stdlib: {e}"));
    write(&out_dir.join("stdlib_checked.bin"), &bytes);
}

fn write(path: &Path, bytes: &[u8]) {
    if let Err(e) = std::fs::write(path, bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
}

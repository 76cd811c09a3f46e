//! Listing the files of a stdlib directory: every `.mla` (and template) file below it, in
//! a stable order, named relative to it with `/`. Rule fixtures (`*_test.mla`) sit beside
//! their rules but are not part of the stdlib; `mlarchc test` runs them. Shared by the CLI (`--stdlib DIR`) and
//! `build.rs` (which embeds `stdlib/`), so both see the same files in the same order.

use std::path::{Path, PathBuf};

/// `(relative name, path)` for every stdlib file under `root`, sorted by path.
pub fn list(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, root, out)?;
        } else if path.extension().is_some_and(|e| e == "mla" || e == "hbs") && !is_fixture(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
    Ok(())
}

/// `scratch_deep_tiny_n_test.mla`: a rule's test fixture.
pub fn is_fixture(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_test.mla"))
}

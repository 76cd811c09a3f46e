//! Listing files: every `.mla` (and template) file of a stdlib directory, in a stable
//! order, named relative to it with `/`; and the one directory walk that the stdlib, the
//! fixtures of `mlarchc test` and the test suite share. Rule fixtures (`*_test.mla`) sit
//! beside their rules but are not part of the stdlib; `mlarchc test` runs them. Shared by
//! the CLI (`--stdlib DIR`) and `build.rs` (which embeds `stdlib/`), so both see the same
//! files in the same order.

use std::path::{Path, PathBuf};

/// `(relative name, path)` for every stdlib file under `root`, sorted by path.
pub fn list(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let keep = |p: &Path| p.extension().is_some_and(|e| e == "mla" || e == "hbs") && !is_fixture(p);
    Ok(files_under(root, &keep)?
        .into_iter()
        .map(|path| (path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/"), path))
        .collect())
}

/// Every file below `dir`, at any depth, that `keep` accepts, sorted by path.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk(dir, keep, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        // a linked folder is not followed: a link back up would never end
        let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if path.is_dir() && !linked {
            walk(&path, keep, out)?;
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// `scratch_deep_tiny_n_test.mla`: a rule's test fixture.
pub fn is_fixture(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_test.mla"))
}

//! What the integration tests share.

use std::path::{Path, PathBuf};

/// The `.mla` files directly in `dir` (not in its subfolders), sorted.
pub fn mla_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(dir);
    let keep = |p: &Path| p.parent() == Some(dir) && p.extension().is_some_and(|e| e == "mla");
    mlarchc::cli::files_under(dir, &keep).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
}

//! What the integration tests share.

use std::path::{Path, PathBuf};

/// The `.mla` files directly in `dir` (not in its subfolders), sorted.
pub fn mla_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(dir);
    let keep = |p: &Path| p.parent() == Some(dir) && p.extension().is_some_and(|e| e == "mla");
    mlarchc::cli::files_under(dir, &keep).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
}

/// A fresh, empty directory under the target directory for one test.
#[allow(dead_code)]
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

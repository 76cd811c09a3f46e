//! The example plans' whole review, snapshotted: every plan in `specs/` with the
//! diagnostics `mlarchc check` prints for it (rendered with their source lines), so a
//! change to a rule shows up as a diff a reviewer reads finding by finding. Each plan's
//! header comment says whether it is sound or deliberately flawed and what is planted.

use mlarchc::cli::FsHost;
use mlarchc::emit::human::{render_plain, Style};
use mlarchc::stdlib::Stdlib;

#[test]
fn every_example_plan_reviews_as_snapshotted() {
    let mut plans: Vec<_> = std::fs::read_dir("specs")
        .expect("specs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mla"))
        .collect();
    plans.sort();
    assert!(plans.len() >= 10, "issue 8 asks for at least ten example plans, found {}", plans.len());
    for path in plans {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("read");
        let c = mlarchc::compile(&name, text, &Stdlib::embedded(), &FsHost);
        assert!(!c.has_errors(), "{name} has language errors");
        let mut diags = c.diagnostics.clone();
        diags.extend(c.review(&Default::default()).diagnostics);
        let short = render_plain(&c.sources, &diags, Style::Short);
        let rich = render_plain(&c.sources, &diags, Style::Rich);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/specs");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        let stem = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
        settings.bind(|| insta::assert_snapshot!(stem, format!("----- SUMMARY\n{short}\n----- DIAGNOSTICS\n{rich}")));
    }
}

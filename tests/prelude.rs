//! The stdlib checked at build time (`mlarchc::prelude`) changes nothing: every plan,
//! fixture and calibration run in the repository, checked onto it, gives the same
//! diagnostics, review, budget figures and derived fields as when the stdlib is checked
//! again with the plan — including plans that cannot continue from it (schema items,
//! gates, replaced catalog entries), which take the second way.

mod common;

use mlarchc::cli::FsHost;
use mlarchc::emit::human::{render_plain, Style};
use mlarchc::stdlib::Stdlib;

/// Everything a run shows of a plan, as text.
fn observed(c: &mlarchc::Compilation) -> String {
    let mut diags = c.diagnostics.clone();
    let review = c.review(&Default::default());
    diags.extend(review.diagnostics);
    let mut out = render_plain(&c.sources, &diags, Style::Rich);
    for (_, e) in c.plan.user_entities() {
        out.push_str(&format!("{} {:?}\n", e.name, e.fields));
    }
    for (id, field, _) in c.plan.costs.iter() {
        let estimate = c.plan.costs.words(&c.plan, id, field).expect("every estimate has its words");
        out.push_str(&format!("{id:?}.{field}: {} {:?}\n", estimate.show(), estimate.explain()));
    }
    out.push_str(&format!("{} rules, {} gates\n", c.rules.rules.len(), c.rules.gates.len()));
    out
}

#[test]
fn checking_onto_the_prelude_equals_checking_the_stdlib_again() {
    let with = Stdlib::embedded();
    assert!(with.prelude().is_some(), "the embedded stdlib carries its checked state");
    let without = Stdlib::embedded().without_prelude();
    let mut files = Vec::new();
    for dir in [
        "specs",
        "specs/team-rules",
        "tests/ui",
        "tests/rule-language",
        "tests/calibration/train",
        "tests/calibration/infer",
    ] {
        files.extend(common::mla_files(dir));
    }
    let fixtures = |p: &std::path::Path| p.extension().is_some_and(|e| e == "mla");
    files.extend(mlarchc::cli::files_under(std::path::Path::new("stdlib/rules"), &fixtures).expect("stdlib/rules"));
    let (mut onto, mut together) = (0, 0);
    for path in &files {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).expect("read");
        let a = mlarchc::compile(&name, text.clone(), &with, &FsHost);
        let b = mlarchc::compile(&name, text.clone(), &without, &FsHost);
        assert_eq!(observed(&a), observed(&b), "{name}: the prelude changes what is reported");
        // which way the first took
        let parsed = mlarchc::syntax::parse(mlarchc::source::FileId(0), &text);
        let continues = with.prelude().is_some_and(|p| p.continues(&[(mlarchc::source::FileId(0), parsed.0)]));
        if continues {
            onto += 1;
        } else {
            together += 1;
        }
    }
    assert!(onto > 100 && together > 10, "both ways are exercised: {onto} onto the prelude, {together} together");
}

/// The schema's and the catalog's names and doc comments, decoded from the embedded checked
/// state, read its bytes in place rather than being copied out one allocation each
/// (`mlarchc::text::Text`); they read as the text of the stdlib.
#[test]
fn the_prelude_names_borrow_the_embedded_bytes() {
    let prelude = Stdlib::embedded().prelude().expect("the embedded stdlib carries its checked state");
    let kinds = &prelude.schema.kinds;
    assert!(kinds.iter().any(|k| k.name == "model"));
    assert!(kinds.iter().all(|k| k.name.is_borrowed() && k.docs.is_borrowed()));
    assert!(kinds.iter().flat_map(|k| &k.fields).all(|f| f.name.is_borrowed() && f.docs.is_borrowed()));
    assert!(prelude.entities.iter().all(|e| e.name.is_borrowed()));
    // a name made in this run owns its text
    assert!(!mlarchc::text::Text::from("resnet50").is_borrowed());
}

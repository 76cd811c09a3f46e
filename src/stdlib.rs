//! The standard library: the domain schema, the catalog, the built-in rules and gates, as
//! `.mla` files embedded at build time from `stdlib/` — as text, parsed, and checked (see
//! `build.rs` and `crate::prelude`), so a run spends no time parsing or checking the
//! stdlib. The syntax trees serve the plans that cannot continue from the checked state.

use crate::diag::Diagnostic;
use crate::prelude::Prelude;
use crate::syntax::ast::Module;
use std::borrow::Cow;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));
}

/// A set of stdlib files: path relative to the stdlib root, and contents.
#[derive(Clone, Debug, Default)]
pub struct Stdlib {
    pub files: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    /// the `.mla` files parsed ahead of time, in the order of [`Stdlib::sources`]
    precompiled: Option<&'static [u8]>,
    /// the same files checked ahead of time (`crate::prelude`)
    checked: Option<&'static [u8]>,
}

impl Stdlib {
    /// The stdlib compiled into the binary.
    pub fn embedded() -> Stdlib {
        Stdlib {
            files: embedded::FILES.iter().map(|(p, t)| (Cow::Borrowed(*p), Cow::Borrowed(*t))).collect(),
            precompiled: Some(embedded::PARSED),
            checked: Some(embedded::CHECKED),
        }
    }

    /// A stdlib read from files at run time (`--stdlib DIR`); it is parsed when used.
    pub fn from_files(files: Vec<(String, String)>) -> Stdlib {
        Stdlib {
            files: files.into_iter().map(|(p, t)| (Cow::Owned(p), Cow::Owned(t))).collect(),
            precompiled: None,
            checked: None,
        }
    }

    /// The `.mla` files only (templates and other assets are for the emitters).
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.source_files().map(|(p, t)| (p, t.as_ref()))
    }

    /// As [`Stdlib::sources`], each text as held (the embedded ones borrowed for the
    /// program's life, so a compilation reads them without a copy).
    pub fn source_files(&self) -> impl Iterator<Item = (&str, &Cow<'static, str>)> {
        self.files.iter().filter(|(p, _)| p.ends_with(".mla")).map(|(p, t)| (p.as_ref(), t))
    }

    /// Whether this stdlib carries its state checked at build time.
    pub fn has_prelude(&self) -> bool {
        self.checked.is_some()
    }

    /// The stdlib checked at build time, if this is the embedded stdlib.
    pub fn prelude(&self) -> Option<Prelude> {
        let checked = self.checked?;
        // the rule texts stay encoded in place until a finding reads them
        crate::text::embed(checked);
        bincode::deserialize(checked).ok()
    }

    /// The embedded stdlib without its checked state: every run checks it again, with the
    /// plan (to compare the two ways, `tests/prelude.rs`).
    pub fn without_prelude(mut self) -> Stdlib {
        self.checked = None;
        self
    }

    /// The syntax trees parsed at build time, if this is the embedded stdlib.
    pub fn parsed(&self) -> Option<Vec<(Module, Vec<Diagnostic>)>> {
        let parsed: Vec<(Module, Vec<Diagnostic>)> = bincode::deserialize(self.precompiled?).ok()?;
        (parsed.len() == self.sources().count()).then_some(parsed)
    }
}

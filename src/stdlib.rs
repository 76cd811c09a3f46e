//! The standard library: the domain schema, the catalog and (later) the built-in rules,
//! as `.mla` files embedded at build time from `stdlib/`.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));
}

/// A set of stdlib files: path relative to the stdlib root, and contents.
#[derive(Clone, Debug, Default)]
pub struct Stdlib {
    pub files: Vec<(String, String)>,
}

impl Stdlib {
    /// The stdlib compiled into the binary.
    pub fn embedded() -> Stdlib {
        Stdlib {
            files: embedded::FILES
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        }
    }

    /// The `.mla` files only (templates and other assets are for the emitters).
    pub fn sources(&self) -> impl Iterator<Item = &(String, String)> {
        self.files.iter().filter(|(p, _)| p.ends_with(".mla"))
    }
}

//! Loading a plan and the files it imports.
//!
//! The core does no IO: a [`Host`] reads files for it (the CLI reads the file system; tests
//! use a map in memory). Imports are resolved relative to the importing file, each file
//! is loaded once however often it is imported, and a cycle is a diagnostic, not a hang.

use crate::diag::{codes, Diagnostic};
use crate::source::{FileId, FileOrigin, SourceMap, Span};
use crate::syntax::{self, ast};
use std::collections::HashMap;

/// How the compiler reaches files.
pub trait Host {
    /// The name of `path` imported from the file named `from` (usually `from`'s folder
    /// joined with `path`). This is the name diagnostics show.
    fn join(&self, from: &str, path: &str) -> String;
    /// A key identifying the file behind a name (a canonical path), so that one file
    /// imported under two names is loaded once.
    fn key(&self, name: &str) -> String;
    /// The contents of a file, or why it cannot be read.
    fn read(&self, name: &str) -> Result<String, String>;
    /// Whether the plan `root_plan` may import the file `name` (the CLI keeps imports
    /// inside the project and refuses FIFOs and devices), or why not and what to do.
    fn check_import(&self, _root_plan: &str, _name: &str) -> Result<(), Refusal> {
        Ok(())
    }
}

/// Why a file may not be imported (the label under the import) and what to do about it.
pub struct Refusal {
    pub why: String,
    pub help: Option<String>,
}

impl From<String> for Refusal {
    fn from(why: String) -> Refusal {
        Refusal { why, help: None }
    }
}

/// The longest chain of imports a plan may have (a real plan has two or three levels).
pub const MAX_IMPORT_DEPTH: usize = 32;

/// The most files one plan may load, the root included.
pub const MAX_IMPORTED_FILES: usize = 1_000;

/// Takes the parsed root file and loads, depth first, every file it imports.
pub fn load_plan(
    root: FileId,
    root_module: (ast::Module, Vec<Diagnostic>),
    host: &dyn Host,
    sources: &mut SourceMap,
    modules: &mut Vec<(FileId, ast::Module)>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut loaded: HashMap<String, FileId> = HashMap::new();
    let name = sources.get(root).name.clone();
    let key = host.key(&name);
    loaded.insert(key.clone(), root);
    let mut stack = vec![(key, name)];
    visit(root, root_module, host, sources, modules, diags, &mut loaded, &mut stack);
}

#[allow(clippy::too_many_arguments)]
fn visit(
    file: FileId,
    (module, parse_diags): (ast::Module, Vec<Diagnostic>),
    host: &dyn Host,
    sources: &mut SourceMap,
    modules: &mut Vec<(FileId, ast::Module)>,
    diags: &mut Vec<Diagnostic>,
    loaded: &mut HashMap<String, FileId>,
    stack: &mut Vec<(String, String)>,
) {
    diags.extend(parse_diags);
    let imports: Vec<(String, Span)> = module
        .items
        .iter()
        .filter_map(|i| match i {
            ast::Item::Import(imp) => Some((imp.path.clone(), imp.path_span)),
            _ => None,
        })
        .collect();
    modules.push((file, module));
    let from = sources.get(file).name.clone();
    for (path, span) in imports {
        let name = host.join(&from, &path);
        let key = host.key(&name);
        if stack.last().is_some_and(|(k, _)| *k == key) {
            diags.push(
                Diagnostic::new(&codes::IMPORT_CYCLE, format!("`{from}` imports itself"))
                    .primary(span, "this import names the file it is in")
                    .help("remove the import"),
            );
            continue;
        }
        if let Some(pos) = stack.iter().position(|(k, _)| *k == key) {
            let chain: Vec<String> = stack[pos..].iter().map(|(_, n)| format!("`{n}`")).collect();
            diags.push(
                Diagnostic::new(
                    &codes::IMPORT_CYCLE,
                    format!("import cycle: `{from}` imports `{name}`, which imports it back"),
                )
                .primary(span, "this import closes a cycle")
                .note(format!("the cycle: {} → `{name}`", chain.join(" → ")))
                .help("move what both files need into a third file that both import"),
            );
            continue;
        }
        if loaded.contains_key(&key) {
            continue;
        }
        if stack.len() >= MAX_IMPORT_DEPTH {
            let first = stack.first().map_or(String::new(), |(_, n)| n.clone());
            diags.push(
                Diagnostic::new(
                    &codes::IMPORT_LIMIT,
                    format!("imports nested more than {MAX_IMPORT_DEPTH} deep, from `{first}` to `{from}`"),
                )
                .primary(span, format!("import number {} of one chain", stack.len() + 1))
                .help("import the shared files from the plan itself, or from one file that gathers them, not each from the last"),
            );
            continue;
        }
        if loaded.len() >= MAX_IMPORTED_FILES {
            if loaded.len() == MAX_IMPORTED_FILES {
                diags.push(
                    Diagnostic::new(
                        &codes::IMPORT_LIMIT,
                        format!(
                            "the plan loads more than {} files",
                            crate::cost::range::thousands(MAX_IMPORTED_FILES as u64)
                        ),
                    )
                    .primary(span, "this import and the ones after it are not read")
                    .help("gather related declarations into fewer files"),
                );
                // one diagnostic: mark the limit as reported
                loaded.insert(String::from("\0limit"), file);
            }
            continue;
        }
        let root_plan = stack.first().map_or(from.as_str(), |(_, n)| n.as_str());
        match host.check_import(root_plan, &name).and_then(|()| host.read(&name).map_err(Refusal::from)) {
            Ok(text) => {
                let (text, bad) = syntax::clean_text(text);
                let id = sources.add(name.clone(), text, FileOrigin::User);
                if let Some((at, what)) = bad {
                    diags.push(syntax::bad_text(id, &sources.get(id).text, at, &what));
                }
                loaded.insert(key.clone(), id);
                stack.push((key, name));
                let parsed = syntax::parse(id, &sources.get(id).text);
                visit(id, parsed, host, sources, modules, diags, loaded, stack);
                stack.pop();
            }
            Err(Refusal { why, help }) => diags.push(
                Diagnostic::new(&codes::IMPORT_NOT_FOUND, format!("cannot read `{name}`")).primary(span, why).help(
                    if let Some(h) = help {
                        h
                    } else if from == "<stdin>" {
                        "a plan read from standard input imports relative to the working directory".to_string()
                    } else {
                        format!("import paths are relative to the importing file, here the folder of `{from}`")
                    },
                ),
            ),
        }
    }
}

/// A host over files held in memory, for tests and tools.
#[derive(Debug, Default, Clone)]
pub struct MemoryHost {
    pub files: HashMap<String, String>,
}

impl Host for MemoryHost {
    fn join(&self, from: &str, path: &str) -> String {
        join_lexically(from, path)
    }

    fn key(&self, name: &str) -> String {
        name.to_string()
    }

    fn read(&self, name: &str) -> Result<String, String> {
        self.files.get(name).cloned().ok_or_else(|| "no such file".to_string())
    }
}

/// `a/b.mla` + `../c.mla` → `c.mla`, without touching a file system.
pub fn join_lexically(from: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the importing file's own name
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.retain(|p| !p.is_empty());
    let joined = parts.join("/");
    if from.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::join_lexically;

    #[test]
    fn joins_relative_to_the_importer() {
        assert_eq!(join_lexically("specs/a.mla", "b.mla"), "specs/b.mla");
        assert_eq!(join_lexically("specs/x/a.mla", "../b.mla"), "specs/b.mla");
        assert_eq!(join_lexically("a.mla", "rules/r.mla"), "rules/r.mla");
        assert_eq!(join_lexically("a.mla", "../r.mla"), "../r.mla");
        assert_eq!(join_lexically("/abs/a.mla", "b.mla"), "/abs/b.mla");
    }

    #[test]
    fn a_plan_loads_at_most_a_thousand_files_and_says_so_once() {
        let mut host = super::MemoryHost::default();
        let mut root = String::from("project p { task: regression, target: \"x\", prior_attempts: [] }\n");
        for i in 0..1_100 {
            root.push_str(&format!("import \"f{i}.mla\"\n"));
            host.files.insert(format!("f{i}.mla"), format!("dataset d{i} {{ n: 5, unit: region }}\n"));
        }
        let c = crate::compile("p.mla", root, &crate::stdlib::Stdlib::embedded(), &host);
        let limit: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "E0214").collect();
        assert_eq!(limit.len(), 1, "{:?}", limit.iter().map(|d| &d.message).collect::<Vec<_>>());
        assert!(limit[0].message.contains("more than 1,000 files"), "{}", limit[0].message);
        assert_eq!(c.sources.user_files().count(), super::MAX_IMPORTED_FILES);
    }
}

//! The project's configuration file: `mlarchc.toml`, or the `[tool.mlarchc]` table of a
//! `pyproject.toml`, found from the working directory upwards (the first folder that has
//! either), as Ruff finds its settings. `--config FILE` names one; `--isolated` ignores them.
//! The command line wins over the file: its levels come after the file's, its format and
//! `--fail-on` replace the file's, its excludes and outputs are added.
//!
//! ```toml
//! deny = ["MLA4xx"]          # rules, names, patterns, sections or ALL, as on the command line
//! warn = ["training"]
//! allow = ["MLA606"]
//! exclude = ["drafts"]       # globs, relative to the file's folder
//! baseline = "mlarchc-baseline.json"
//! output = ["sarif=mlarchc.sarif"]
//! format = "short"
//! fail-on = "warning"
//! mode = "full"
//! ```

use super::check_cmd::{parse_output, FailOnArg, Format, ModeArg, OutputSpec};
use clap::ValueEnum;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Settings {
    /// the file the settings came from
    pub file: PathBuf,
    pub deny: Vec<String>,
    pub warn: Vec<String>,
    pub allow: Vec<String>,
    pub exclude: Vec<String>,
    pub baseline: Option<PathBuf>,
    pub output: Vec<OutputSpec>,
    pub format: Option<Format>,
    pub fail_on: Option<FailOnArg>,
    pub mode: Option<ModeArg>,
    /// folders outside the project root that plans may import from
    pub allow_imports: Vec<PathBuf>,
}

const KEYS: &[&str] =
    &["deny", "warn", "allow", "exclude", "baseline", "output", "format", "fail-on", "mode", "allow-imports"];

/// The settings that apply from `start`: the nearest `mlarchc.toml`, or `pyproject.toml`
/// with a `[tool.mlarchc]` table, in `start` or a folder above it.
pub fn discover(start: &Path) -> Result<Option<Settings>, String> {
    for dir in start.ancestors() {
        let own = dir.join("mlarchc.toml");
        if own.is_file() {
            return load(&own).map(Some);
        }
        let py = dir.join("pyproject.toml");
        if py.is_file() {
            let text = read(&py)?;
            if text.contains("[tool.mlarchc]") {
                return parse(&py, &text).map(Some);
            }
        }
    }
    Ok(None)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// Reads one settings file (`mlarchc.toml`, or a `pyproject.toml`'s `[tool.mlarchc]`).
pub fn load(path: &Path) -> Result<Settings, String> {
    parse(path, &read(path)?)
}

fn parse(path: &Path, text: &str) -> Result<Settings, String> {
    let shown = path.display().to_string();
    let doc: toml::Table =
        text.parse().map_err(|e: toml::de::Error| format!("`{shown}` is not valid TOML: {}", e.message()))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let table = if is_pyproject {
        match doc.get("tool").and_then(|t| t.get("mlarchc")).and_then(toml::Value::as_table) {
            Some(t) => t.clone(),
            None => return Err(format!("`{shown}` has no `[tool.mlarchc]` table")),
        }
    } else {
        doc
    };
    let here = path.parent().unwrap_or(Path::new("."));
    // paths in the file are relative to its folder
    let rel = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() || here.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            here.join(p)
        }
    };
    let mut s = Settings { file: path.to_path_buf(), ..Settings::default() };
    for (key, value) in &table {
        let strings = || -> Result<Vec<String>, String> {
            match value {
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(String::from).ok_or_else(|| format!("`{key}` in `{shown}` lists strings")))
                    .collect(),
                toml::Value::String(one) => Ok(vec![one.clone()]),
                _ => Err(format!("`{key}` in `{shown}` is a list of strings, such as `{key} = [\"MLA4xx\"]`")),
            }
        };
        let word = || -> Result<String, String> {
            value.as_str().map(String::from).ok_or_else(|| format!("`{key}` in `{shown}` is a string"))
        };
        match key.as_str() {
            "deny" => s.deny = strings()?,
            "warn" => s.warn = strings()?,
            "allow" => s.allow = strings()?,
            "exclude" => {
                let base = super::project_relative(&here.to_string_lossy());
                s.exclude = strings()?
                    .into_iter()
                    .map(|g| {
                        if base.is_empty() || base == "." || Path::new(&base).is_absolute() {
                            g
                        } else {
                            format!("{base}/{g}")
                        }
                    })
                    .collect();
            }
            "baseline" => s.baseline = Some(rel(&word()?)),
            "allow-imports" | "allow_imports" => s.allow_imports = strings()?.iter().map(|d| rel(d)).collect(),
            "output" => {
                for o in strings()? {
                    let mut spec = parse_output(&o).map_err(|e| format!("`output` in `{shown}`: {e}"))?;
                    spec.path = rel(&spec.path.to_string_lossy());
                    s.output.push(spec);
                }
            }
            "format" => {
                let w = word()?;
                s.format = Some(
                    Format::from_str(&w, true).map_err(|_| format!("`format` in `{shown}`: unknown format `{w}`"))?,
                );
            }
            "fail-on" | "fail_on" => {
                let w = word()?;
                s.fail_on = Some(
                    FailOnArg::from_str(&w, true)
                        .map_err(|_| format!("`fail-on` in `{shown}`: `{w}` is not error, warning or never"))?,
                );
            }
            "mode" => {
                let w = word()?;
                s.mode = Some(
                    ModeArg::from_str(&w, true)
                        .map_err(|_| format!("`mode` in `{shown}`: `{w}` is not full or quick"))?,
                );
            }
            other => {
                let help = crate::diag::suggest::help(other, KEYS.iter())
                    .unwrap_or_else(|| format!("the settings are {}", crate::diag::one_of(KEYS, "and")));
                return Err(format!("unknown setting `{other}` in `{shown}`; {help}"));
            }
        }
    }
    Ok(s)
}

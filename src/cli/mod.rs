//! The command line. **Invariant:** the only module that reads files, writes to the
//! terminal and knows exit codes: 0 clean or warnings only, 1 errors in a plan, 2 a bad
//! invocation or a file that cannot be read.

/// `eprintln!` that never panics. Standard error closed under the process
/// (`mlarchc check 2>&1 | head -1`) ends it quietly as a closed standard output does (141);
/// any other failure is dropped, there being nowhere left to report it.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_stderr(format_args!($($arg)*), true)
    };
}

/// `eprint!` that never panics, as [`say!`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::cli::write_stderr(format_args!($($arg)*), false)
    };
}

mod adr_cmd;
mod budget_cmd;
mod catalog_cmd;
mod check_cmd;
mod config;
mod explain_cmd;
mod report_cmd;
mod rules_cmd;
mod schema_cmd;
mod stdlib_dir;

pub use stdlib_dir::{files_under, is_fixture};

use crate::emit::human::{self, Style};
use crate::sema::imports::join_lexically;
use crate::sema::imports::Refusal;
use crate::sema::Host;
use crate::stdlib::Stdlib;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
/// A reader of standard output went away: what a shell reports for a SIGPIPE death.
pub const EXIT_BROKEN_PIPE: i32 = 141;

#[derive(Parser, Debug)]
#[command(name = "mlarchc", version, about = "Type-check and review ML project plans written in .mla", long_about = None)]
pub struct Cli {
    /// Use the stdlib in DIR instead of the one built into mlarchc
    #[arg(long, global = true, value_name = "DIR")]
    pub stdlib: Option<PathBuf>,

    /// When to colour the output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check plans: the language (names, types, units), then the architect review
    Check(check_cmd::CheckArgs),
    /// Write the review as Markdown: verdict, landscape, Data Modality Map, Complexity
    /// Budget, findings with their options, decisions, Training Diagnostic Checklist
    Report(report_cmd::ReportArgs),
    /// Show the Complexity Budget of plans: parameters, FLOPs, device-hours and cost,
    /// training and inference memory, latency and throughput, each a range with its terms
    Budget {
        /// The plans (`-` reads standard input)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Text for reading, JSON for tools
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Show what the built-in catalog knows: backbones, devices, network classes, runtimes
    Catalog {
        /// A kind (`backbones`, `devices`, `efficiency`, `runtimes`, …) or an entry's name
        what: Option<String>,
        /// An entry of that kind, shown in full with its source
        name: Option<String>,
        /// Text for reading, JSON for tools
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Print the plan's dependency graph: declarations and the references between them
    Graph {
        /// The plan to draw (`-` reads standard input)
        #[arg(value_name = "FILE")]
        file: String,
        /// Graphviz `dot` or a Mermaid flowchart
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// List the architect rules, by section
    Rules {
        /// Also list the rules a plan declares or imports
        #[arg(long, value_name = "FILE")]
        plan: Option<String>,
        /// A table for reading, JSON for tools, or the Markdown rule reference
        #[arg(long, value_enum, default_value_t = rules_cmd::ListFormat::Text)]
        format: rules_cmd::ListFormat,
    },
    /// Explain one rule: what it checks, why it matters, the options
    Rule {
        /// The rule's code (`MLA201`) or name (`scratch_deep_tiny_n`, `scratch-deep-tiny-n`)
        rule: String,
        /// Text for reading, JSON for tools
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Also look in the rules a plan declares or imports
        #[arg(long, value_name = "FILE")]
        plan: Option<String>,
    },
    /// Explain any code: an architect rule (`MLA408`, in any case) or a compiler diagnostic
    /// (`E0303`), with an example the compiler checks
    Explain {
        /// The code (`E0303`, `W0201`, `MLA408`, `mla408`) or a rule's name
        code: String,
        /// Text for reading, JSON for tools
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Run rule fixtures: every `*_test.mla` file under the paths, checked against its
    /// `//~ CODE` marks
    Test {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show the schema: the kinds, records and enums plans are written against
    Schema {
        /// A kind, record or enum to describe (all of them are listed without one)
        name: Option<String>,
        /// Print the JSON Schema of `mlarchc check --format json` instead
        #[arg(long, conflicts_with_all = ["name", "adr_json_schema"])]
        json_schema: bool,
        /// Print the JSON Schema of `decisions.json` (what `mlarchc adr` writes)
        #[arg(long, conflicts_with = "name")]
        adr_json_schema: bool,
        /// Text for reading, JSON for tools
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Write Architecture Decision Records (MADR 4.0): the chosen architecture of each
    /// model and each `decide` of the plans, with an index and `decisions.json`
    Adr(adr_cmd::AdrArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    let mut laps = crate::timing::Laps::start();
    let status = run_cli();
    laps.lap("whole run");
    status
}

fn run_cli() -> i32 {
    if let Some(n) = std::env::var("MLARCHC_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
        crate::parallel::set_max_threads(n);
    }
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return EXIT_USAGE;
        }
    };
    // `--deny`, `--warn`, `--allow` in the order they were given: a later one wins
    let levels = matches.subcommand_matches("check").map(check_cmd::levels_in_order).unwrap_or_default();
    let stdlib = match &cli.stdlib {
        Some(dir) => match read_stdlib_dir(dir) {
            Ok(s) => s,
            Err(e) => {
                say!("error: cannot read the stdlib in `{}`: {e}", dir.display());
                return EXIT_USAGE;
            }
        },
        None => Stdlib::embedded(),
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match cli.command {
        Command::Check(args) => check_cmd::run(&args, &levels, color, &stdlib),
        Command::Report(args) => report_cmd::run(&args, &stdlib),
        Command::Budget { files, format } => budget_cmd::run(&files, format == TextOrJson::Json, color, &stdlib),
        Command::Catalog { what, name, format } => {
            catalog_cmd::run(what.as_deref(), name.as_deref(), format == TextOrJson::Json, &stdlib)
        }
        Command::Schema { json_schema: true, .. } => {
            write_stdout(crate::emit::json::SCHEMA.as_bytes());
            EXIT_OK
        }
        Command::Schema { adr_json_schema: true, .. } => schema_cmd::adr_json_schema(),
        Command::Schema { name, format, .. } => schema_cmd::run(name.as_deref(), format == TextOrJson::Json, &stdlib),
        Command::Adr(args) => adr_cmd::run(&args, color, &stdlib),
        Command::Graph { file, format } => graph_cmd(&file, format, color, &stdlib),
        Command::Rules { plan, format } => rules_cmd::list(plan.as_deref(), format, &stdlib),
        Command::Rule { rule, format, plan } => {
            rules_cmd::explain(&rule, format == TextOrJson::Json, color, plan.as_deref(), &stdlib)
        }
        Command::Test { paths } => rules_cmd::test(&paths, &stdlib),
        Command::Explain { code, format } => explain_cmd::run(&code, format, color, &stdlib),
    }
}

/// Reads a root file given on the command line (`-` is standard input): its display
/// name and text, or the message for a bad invocation.
pub(crate) fn read_root(name: &str) -> Result<(String, String), String> {
    if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("standard input is over the {} MB limit for a plan", MAX_FILE_BYTES / 1_000_000));
        }
        return Ok(("<stdin>".to_string(), text_of(bytes)));
    }
    let display = project_relative(name);
    FsHost.read(&display).map(|t| (display.clone(), t)).map_err(|e| format!("cannot read `{name}`: {e}"))
}

/// Where the project is: the folder of its settings file, and the folders outside it that
/// plans may import from. Set once by `check` (which knows `--config` and `--isolated`);
/// every other command finds the settings file from the working directory upwards.
struct Project {
    root: Option<PathBuf>,
    allowed: Vec<PathBuf>,
}

impl Project {
    /// Paths compared as the file system resolves them (symlinks followed).
    fn new(root: Option<PathBuf>, allowed: Vec<PathBuf>) -> Project {
        let canon = |p: PathBuf| std::fs::canonicalize(&p).unwrap_or(p);
        Project { root: root.map(canon), allowed: allowed.into_iter().map(canon).collect() }
    }
}

static PROJECT: std::sync::OnceLock<Project> = std::sync::OnceLock::new();

pub(crate) fn set_project(root: Option<PathBuf>, allowed: Vec<PathBuf>) {
    let _ = PROJECT.set(Project::new(root, allowed));
}

fn project() -> &'static Project {
    PROJECT.get_or_init(|| {
        let found = std::env::current_dir().ok().and_then(|d| config::discover(&d).ok().flatten());
        let root = found.as_ref().and_then(|s| s.file.parent()).map(Path::to_path_buf);
        Project::new(root, found.map(|s| s.allow_imports).unwrap_or_default())
    })
}

/// The folder that holds the plan `root_plan` and everything it may import: the settings
/// file's folder, else the working directory, else (for a plan outside both) its own folder.
fn import_root(root_plan: &str) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    if root_plan == "<stdin>" {
        return project().root.clone().unwrap_or(cwd);
    }
    let plan = std::fs::canonicalize(root_plan).unwrap_or_else(|_| cwd.join(root_plan));
    [project().root.clone(), Some(cwd)]
        .into_iter()
        .flatten()
        .find(|r| plan.starts_with(r))
        .unwrap_or_else(|| plan.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// A plan's name relative to the project root (the settings file's folder, else the
/// working directory), the key a baseline stores it under: `plans/x.mla` from the root and
/// `x.mla` from inside `plans/` are the same plan. A baseline key that is not absolute is
/// already relative to the root and is returned as written (without `./`).
pub(crate) fn baseline_key(name: &str, from_baseline: bool) -> String {
    if from_baseline && !Path::new(name).is_absolute() {
        return name.trim_start_matches("./").to_string();
    }
    let Some(root) = project().root.as_ref() else { return project_relative(name) };
    let abs = std::fs::canonicalize(name).unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(name));
    match abs.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => project_relative(name),
    }
}

/// A plan's name relative to the working directory, spelled one way:
/// `./x.mla`, `x.mla`, `sub/../x.mla` and the absolute path are all `x.mla`, so that
/// baselines, fingerprints and messages agree however the path was typed. A file outside
/// the root keeps its absolute path.
pub(crate) fn project_relative(name: &str) -> String {
    let Ok(root) = std::env::current_dir() else { return name.to_string() };
    let path = Path::new(name);
    let abs = if path.is_absolute() { path.to_path_buf() } else { root.join(path) };
    let mut parts: Vec<std::path::Component> = Vec::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if matches!(parts.last(), Some(std::path::Component::Normal(_))) {
                    parts.pop();
                }
            }
            other => parts.push(other),
        }
    }
    let norm: PathBuf = parts.iter().collect();
    match norm.strip_prefix(&root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => norm.to_string_lossy().into_owned(),
    }
}

/// The plans under a directory: every `.mla` file at any depth, except rule fixtures
/// (`*_test.mla`), hidden folders, `target` and `node_modules`, and what `exclude` names.
pub(crate) fn plans_under(dir: &Path, exclude: &[String]) -> Vec<String> {
    let keep = |p: &Path| {
        let name = project_relative(&p.to_string_lossy());
        p.extension().is_some_and(|e| e == "mla")
            && !is_fixture(p)
            && !name
                .split('/')
                .any(|c| (c.starts_with('.') && c.len() > 1 && c != "..") || c == "target" || c == "node_modules")
            && !exclude.iter().any(|g| glob_match(g, &name))
    };
    files_under(dir, &keep)
        .map(|v| v.iter().map(|p| project_relative(&p.to_string_lossy())).collect())
        .unwrap_or_default()
}

/// `*` matches within one path segment, `**` across segments, `?` one character; a
/// pattern without `/` also matches any single segment (`drafts`, `*_old.mla`).
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') { &p[3..] } else { &p[2..] };
                (0..=s.len()).any(|i| m(rest, &s[i..]))
            }
            (Some(b'*'), _) => (0..=s.len()).take_while(|&i| i == 0 || s[i - 1] != b'/').any(|i| m(&p[1..], &s[i..])),
            (Some(b'?'), Some(c)) if *c != b'/' => m(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let pattern = pattern.trim_end_matches('/');
    m(pattern.as_bytes(), path.as_bytes())
        || (!pattern.contains('/') && path.split('/').any(|seg| m(pattern.as_bytes(), seg.as_bytes())))
        || path.starts_with(&format!("{pattern}/"))
}

/// Reads and checks a root file for a command that needs a plan without errors (`graph`,
/// `budget`): the compilation, or the exit status after the problem is on standard error
/// (2 for a file that cannot be read, 1 for a plan with errors, which are shown).
pub(crate) fn compile_root(file: &str, color: bool, stdlib: &Stdlib) -> Result<(String, crate::Compilation), i32> {
    let (display, text) = read_root(file).map_err(|e| {
        say!("error: {e}");
        EXIT_USAGE
    })?;
    let c = crate::compile(&display, text, stdlib, &FsHost);
    if c.has_errors() {
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        let _ = std::io::stderr().write_all(&human::render(&c.sources, &errors, Style::Rich, color));
        return Err(EXIT_FINDINGS);
    }
    Ok((display, c))
}

fn graph_cmd(file: &str, format: GraphFormat, color: bool, stdlib: &Stdlib) -> i32 {
    let c = match compile_root(file, color, stdlib) {
        Ok((_, c)) => c,
        Err(code) => return code,
    };
    let out = match format {
        GraphFormat::Dot => crate::graph::to_dot(&c.plan, &c.graph),
        GraphFormat::Mermaid => crate::graph::to_mermaid(&c.plan, &c.graph),
    };
    write_stdout(out.as_bytes());
    EXIT_OK
}

/// Writes a file whole or not at all: the bytes go to a temporary file beside it, which
/// then replaces it, so an interrupted write leaves the old file intact.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    // a missing folder is made, as `ruff --output-file` does
    std::fs::create_dir_all(dir).map_err(|e| std::io::Error::new(e.kind(), io_error(&e)))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = fill_then_rename(&tmp, path, |f| f.write_all(bytes));
    result.map_err(|e| std::io::Error::new(e.kind(), io_error(&e)))
}

/// Writes a new file at `tmp` with `fill`, flushes it to the disk and renames it over
/// `path`, so that a reader, a crash or a kill sees the old file or the whole new one,
/// never a part. A failure removes `tmp` and leaves `path` as it was.
fn fill_then_rename(
    tmp: &Path,
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let result = std::fs::File::create(tmp)
        .and_then(|mut f| fill(&mut f).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// Writes to standard output. A reader that went away (`mlarchc rules | head -1`) ends the
/// process quietly with the status a shell gives a process killed by SIGPIPE (141); any
/// other failure (`> /dev/full`) is an error message and exit status 2 — never a panic.
pub(crate) fn write_stdout(bytes: &[u8]) {
    write_stdout_parts(&[bytes]);
}

/// Writes parts of one document to standard output, one after the other.
pub(crate) fn write_stdout_parts(parts: &[impl AsRef<[u8]>]) {
    let mut out = std::io::stdout().lock();
    let written = parts.iter().try_for_each(|p| out.write_all(p.as_ref())).and_then(|_| out.flush());
    if let Err(e) = written {
        std::process::exit(stdout_failed(&e));
    }
}

/// Writes a message to standard error (see [`say!`]).
pub(crate) fn write_stderr(args: std::fmt::Arguments, newline: bool) {
    let mut err = std::io::stderr().lock();
    let written = if newline { writeln!(err, "{args}") } else { write!(err, "{args}") };
    if let Err(e) = written.and_then(|()| err.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_BROKEN_PIPE);
        }
    }
}

/// The exit status for a failed write to standard output, after saying why.
pub(crate) fn stdout_failed(e: &std::io::Error) -> i32 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return EXIT_BROKEN_PIPE;
    }
    say!("error: cannot write to standard output: {e}");
    EXIT_USAGE
}

/// Files on disk, named relative to the working directory as the user wrote them.
pub struct FsHost;

impl Host for FsHost {
    fn join(&self, from: &str, path: &str) -> String {
        join_lexically(from, path)
    }

    fn check_import(&self, root_plan: &str, name: &str) -> Result<(), Refusal> {
        // a FIFO would block the check until something writes to it; a device never ends
        let meta = std::fs::metadata(name).map_err(|e| io_error(&e))?;
        if !meta.is_file() && !meta.is_dir() {
            return Err(Refusal {
                why: "not a regular file (a FIFO, socket or device)".into(),
                help: Some("import plan files only; reading this one would wait for input that may never come".into()),
            });
        }
        let real = std::fs::canonicalize(name).map_err(|e| io_error(&e))?;
        let root = import_root(root_plan);
        if real.starts_with(&root) || project().allowed.iter().any(|a| real.starts_with(a)) {
            return Ok(());
        }
        let dir = real.parent().unwrap_or(&real).display().to_string();
        Err(Refusal {
            why: format!("outside the project `{}`", root.display()),
            help: Some(format!(
                "imports stay inside the project unless allowed: to import from `{dir}`, list it under `allow-imports` in `mlarchc.toml` or pass `--allow-import {dir}`"
            )),
        })
    }

    fn key(&self, name: &str) -> String {
        std::fs::canonicalize(name).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| name.to_string())
    }

    fn read(&self, name: &str) -> Result<String, String> {
        let path = Path::new(name);
        if path.is_dir() {
            return Err(format!(
                "is a directory; pass the plan files in it, such as `{}/*.mla`",
                name.trim_end_matches('/')
            ));
        }
        // a plan is text a person writes: anything this large is a mistake, and reading it
        // whole would only exhaust memory (a 100,000-line plan is 2 MB)
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_file() && meta.len() > MAX_FILE_BYTES {
                return Err(format!(
                    "is {} MB, over the {} MB limit for a plan file",
                    meta.len() / 1_000_000,
                    MAX_FILE_BYTES / 1_000_000
                ));
            }
        }
        // bytes that are not UTF-8 become `�`, which the compiler reports with its place
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| io_error(&e))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("is over the {} MB limit for a plan file", MAX_FILE_BYTES / 1_000_000));
        }
        Ok(text_of(bytes))
    }
}

/// Bytes as text: UTF-8 as it is (checked without copying), anything else with `�` in
/// place of what is not UTF-8.
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The largest plan file read, from disk or standard input.
const MAX_FILE_BYTES: u64 = 32_000_000;

fn io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

fn read_stdlib_dir(dir: &Path) -> Result<Stdlib, String> {
    if !dir.is_dir() {
        return Err("not a directory".into());
    }
    let mut files = Vec::new();
    for (rel, path) in stdlib_dir::list(dir).map_err(|e| io_error(&e))? {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {}", path.display(), io_error(&e)))?;
        files.push((rel, text));
    }
    Ok(Stdlib::from_files(files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_write_leaves_the_old_file_intact() {
        let dir = std::env::temp_dir().join(format!("mlarchc-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("baseline.json");
        std::fs::write(&path, "old and complete").expect("write");
        let tmp = dir.join(".baseline.json.tmp");
        // the write stops half-way, as a full disk or a signal would stop it
        let r = fill_then_rename(&tmp, &path, |f| {
            f.write_all(b"new but")?;
            Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old and complete");
        assert!(!tmp.exists(), "the partial file is removed");
        // a write that completes replaces the file whole
        write_atomically(&path, b"new and complete").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new and complete");
        let left: Vec<_> = std::fs::read_dir(&dir).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! `mlarchc check`: the language check, then the architect review of each plan.

use super::{read_root, FsHost, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::plural;
use crate::emit::human::{self, Style};
use crate::emit::record::Outcome;
use crate::emit::summary::{FailOn, Summary};
use crate::emit::{github, json, junit, sarif};
use crate::rules::baseline::Baseline;
use crate::rules::review::{self, Config, Level, Mode};
use crate::stdlib::Stdlib;
use clap::{ArgMatches, Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Plan files or folders to check, each file the root of its own plan; `-` reads
    /// standard input. Without any: `project.mla`, else every plan under the working
    /// directory
    #[arg(value_name = "PATH")]
    pub files: Vec<String>,
    /// Leave out plans whose path matches (repeatable): `--exclude drafts`, `--exclude '**/old_*.mla'`
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print only the diagnostics: no summary line
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also say which plans were found and what each one produced (on standard error)
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// What standard output carries (machine formats are one clean document; the run's
    /// summary goes to standard error) [default: human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Read the settings from this file (`mlarchc.toml`, or a `pyproject.toml` with
    /// `[tool.mlarchc]`) instead of the one found from the working directory upwards
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every settings file
    #[arg(long)]
    pub isolated: bool,
    /// Let plans import files from this folder outside the project root (repeatable)
    #[arg(long, value_name = "DIR")]
    pub allow_import: Vec<PathBuf>,
    /// Also write FORMAT to PATH (repeatable): `--output sarif=mlarchc.sarif`
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<OutputSpec>,
    /// The lowest severity that makes the run fail with exit status 1 [default: error]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Exit 0 even when findings are reported (`--fail-on never`); a file that cannot be
    /// read still exits 2
    #[arg(long)]
    pub exit_zero: bool,
    /// Report these rules (code or name), sections or code patterns (`MLA4xx`) as errors
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Report these rules, sections or code patterns as warnings
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// Do not report these rules, sections or code patterns
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub allow: Vec<String>,
    /// `full` reports every finding; `quick` the most severe of each section
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Hide the findings recorded in this baseline file, and list its stale entries
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (and exit 0)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rich diagnostics with source snippets, then the run's summary
    Human,
    /// One line per diagnostic: `file:line:col: severity[code]: message`
    Short,
    /// One versioned document (`mlarchc schema --json-schema`) with the Complexity Budget
    Json,
    /// SARIF 2.1.0 for GitHub code scanning
    Sarif,
    /// GitHub Actions annotations (`::error file=…::…`)
    Github,
    /// JUnit XML: one test case per rule and plan
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Note,
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(f: FailOnArg) -> FailOn {
        match f {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Note => FailOn::Note,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Full,
    Quick,
}

/// `--deny`, `--warn` and `--allow` values in command-line order.
pub fn levels_in_order(m: &ArgMatches) -> Vec<(Level, String)> {
    let mut all: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [("deny", Level::Deny), ("warn", Level::Warn), ("allow", Level::Allow)] {
        if let (Some(idx), Some(vals)) = (m.indices_of(id), m.get_many::<String>(id)) {
            all.extend(idx.zip(vals).map(|(i, v)| (i, level, v.clone())));
        }
    }
    all.sort_by_key(|(i, _, _)| *i);
    all.into_iter().map(|(_, l, v)| (l, v)).collect()
}

/// A machine or human format an `--output FORMAT=PATH` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub path: PathBuf,
}

/// Parses `sarif=results.sarif`.
pub fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (f, path) =
        text.split_once('=').ok_or_else(|| format!("`{text}` is not FORMAT=PATH, such as `sarif=mlarchc.sarif`"))?;
    let format = Format::from_str(f, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        format!("unknown output format `{f}`; the formats are {}", names.join(", "))
    })?;
    if path.is_empty() {
        return Err(format!("`{text}` names no file to write"));
    }
    Ok(OutputSpec { format, path: PathBuf::from(path) })
}

/// One plan read and checked.
struct Checked {
    display: String,
    compilation: crate::Compilation,
    review: crate::rules::review::Review,
}

/// Renders one format for the whole run, in parts that follow each other: written one
/// after the other, a large run's text is never copied into one piece.
fn render(
    format: Format,
    checked: &[Checked],
    outcomes: &[Outcome],
    summary: &Summary,
    unreadable: &[(String, String)],
    color: bool,
) -> Vec<Vec<u8>> {
    match format {
        Format::Human | Format::Short => {
            let style = if format == Format::Human { Style::Rich } else { Style::Short };
            let mut out = Vec::new();
            for ch in checked {
                let diags = || ch.compilation.diagnostics.iter().chain(&ch.review.diagnostics);
                out.extend(human::render_parts(&ch.compilation.sources, diags(), style, color));
                if format == Format::Human {
                    let hidden =
                        ch.review.findings.iter().filter(|f| f.state == crate::rules::State::Baselined).count();
                    let s = match human::summary(diags()) {
                        Some(s) if hidden > 0 => Some(format!("{s} ({hidden} more in the baseline)")),
                        Some(s) => Some(s),
                        None if hidden > 0 => {
                            Some(format!("{} in the baseline", plural(hidden, "finding", "findings")))
                        }
                        None => None,
                    };
                    if let Some(s) = s {
                        out.push(format!("`{}`: {s}\n\n", ch.display).into_bytes());
                    }
                }
            }
            out
        }
        Format::Json => vec![json::render(outcomes, summary).into_bytes()],
        Format::Sarif => vec![sarif::render(outcomes, unreadable).into_bytes()],
        Format::Github => vec![github::render(outcomes, summary).into_bytes()],
        Format::Junit => vec![junit::render(outcomes).into_bytes()],
    }
}

/// The plans a `check` reads: the files given, the plans under the folders given, or
/// without any `project.mla`, else the plans under the working directory.
fn plan_paths(args: &CheckArgs) -> Result<Vec<String>, String> {
    if args.files.is_empty() {
        if std::path::Path::new("project.mla").is_file() {
            return Ok(vec!["project.mla".into()]);
        }
        let found = super::plans_under(std::path::Path::new("."), &args.exclude);
        if found.is_empty() {
            return Err(
                "no plan to check: there is no `project.mla` here and no `.mla` file below; pass the plans to check"
                    .into(),
            );
        }
        return Ok(found);
    }
    let mut out = Vec::new();
    for f in &args.files {
        let p = std::path::Path::new(f);
        if f != "-" && p.is_dir() {
            let found = super::plans_under(p, &args.exclude);
            if found.is_empty() {
                return Err(format!(
                    "no plan under `{f}`: it holds no `.mla` file that is not a rule fixture or excluded"
                ));
            }
            out.extend(found);
        } else if !args.exclude.iter().any(|g| super::glob_match(g, &super::project_relative(f))) {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// The command line with the settings file under it: the file's levels first (a later
/// one wins), its excludes and outputs added, its format, `fail-on`, mode and baseline
/// where the command line gives none.
fn with_settings(args: &CheckArgs, levels: &[(Level, String)]) -> Result<(CheckArgs, Vec<(Level, String)>), String> {
    let settings = match (&args.config, args.isolated) {
        (_, true) => None,
        (Some(file), false) => Some(super::config::load(file)?),
        (None, false) => super::config::discover(&std::env::current_dir().unwrap_or_default())?,
    };
    let root = settings.as_ref().and_then(|s| s.file.parent()).map(Path::to_path_buf);
    let allowed = settings.iter().flat_map(|s| s.allow_imports.iter()).chain(&args.allow_import).cloned().collect();
    super::set_project(root, allowed);
    let Some(s) = settings else { return Ok((args.clone(), levels.to_vec())) };
    let mut merged = args.clone();
    let mut all: Vec<(Level, String)> = Vec::new();
    all.extend(s.deny.iter().map(|r| (Level::Deny, r.clone())));
    all.extend(s.warn.iter().map(|r| (Level::Warn, r.clone())));
    all.extend(s.allow.iter().map(|r| (Level::Allow, r.clone())));
    all.extend(levels.iter().cloned());
    merged.exclude = s.exclude.iter().cloned().chain(args.exclude.iter().cloned()).collect();
    merged.output = s.output.iter().cloned().chain(args.output.iter().cloned()).collect();
    merged.format = args.format.or(s.format);
    merged.fail_on = args.fail_on.or(s.fail_on);
    merged.mode = args.mode.or(s.mode);
    if merged.baseline.is_none() && merged.write_baseline.is_none() {
        match &s.baseline {
            Some(b) if b.is_file() => merged.baseline = Some(b.clone()),
            Some(b) => say!(
                "note: the baseline `{}` that `{}` names does not exist yet; `--write-baseline {}` records one",
                b.display(),
                s.file.display(),
                b.display()
            ),
            None => {}
        }
    }
    if args.verbose {
        say!("settings from `{}`", s.file.display());
    }
    Ok((merged, all))
}

pub fn run(args: &CheckArgs, levels: &[(Level, String)], color: bool, stdlib: &Stdlib) -> i32 {
    let (args, levels) = match with_settings(args, levels) {
        Ok(x) => x,
        Err(e) => {
            say!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let (args, levels) = (&args, levels.as_slice());
    let format = args.format.unwrap_or(Format::Human);
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| Baseline::parse(&t)) {
                Ok(b) => Some(b),
                Err(e) => {
                    say!("error: cannot read the baseline `{}`: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
        }
    };
    let fail_on = if args.exit_zero { FailOn::Never } else { args.fail_on.unwrap_or(FailOnArg::Error).into() };
    let mut unreadable: Vec<(String, String)> = Vec::new();
    let mut checked: Vec<Checked> = Vec::new();
    let mut language_errors = false;
    let mut recorded = Baseline { format: crate::rules::baseline::FORMAT.into(), entries: Vec::new() };
    let files = match plan_paths(args) {
        Ok(f) => f,
        Err(e) => {
            say!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if args.verbose {
        say!("checking {}", plural(files.len(), "plan", "plans"));
    }
    let mut laps = crate::timing::Laps::start();
    for name in &files {
        let started = std::time::Instant::now();
        let (display, text) = match read_root(name) {
            Ok(r) => r,
            Err(e) => {
                say!("error: {e}");
                unreadable.push((name.clone(), e));
                continue;
            }
        };
        laps.lap("read");
        let c = crate::compile(&display, text, stdlib, &FsHost);
        laps.lap("compile");
        if display == "<stdin>" && !args.quiet && c.sources.user_files().count() > 1 {
            let cwd = std::env::current_dir().unwrap_or_default();
            say!("note: `<stdin>` has no folder of its own; its imports were read relative to the working directory `{}`", cwd.display());
        }
        let key = super::baseline_key(&display, false);
        let config = Config {
            mode: args.mode.map(|m| match m {
                ModeArg::Full => Mode::Full,
                ModeArg::Quick => Mode::Quick,
            }),
            levels: levels.to_vec(),
            baseline: baseline.as_ref().map(|b| Baseline {
                format: b.format.clone(),
                // an entry written as `./x.mla` or an absolute path is the same plan
                entries: b
                    .entries
                    .iter()
                    .filter(|e| super::baseline_key(&e.file, true) == key)
                    .map(|e| crate::rules::baseline::Entry { file: display.clone(), ..e.clone() })
                    .collect(),
            }),
        };
        if let (Some(b), Some(path), Some(mine)) = (&baseline, &args.baseline, &config.baseline) {
            if mine.entries.is_empty() && !b.entries.is_empty() && !args.quiet {
                let mut files: Vec<&str> = b.entries.iter().map(|e| e.file.as_str()).collect();
                files.dedup();
                say!(
                    "note: the baseline `{}` has no entries for `{display}`; its entries are for {}",
                    path.display(),
                    crate::diag::one_of(&files, "and")
                );
            }
        }
        if let Err(e) = review::check_config(&c.rules, &config) {
            say!("error: {e}");
            return EXIT_USAGE;
        }
        language_errors |= c.has_errors();
        // empty for a plan with language errors
        let r = c.review(&config);
        laps.lap("review all");
        if args.write_baseline.is_some() {
            recorded.entries.extend(
                crate::rules::baseline::record(&r.findings, &c.rules, &c.sources).entries.into_iter().map(|e| {
                    crate::rules::baseline::Entry { file: if e.file == display { key.clone() } else { e.file }, ..e }
                }),
            );
        }
        for e in &r.stale {
            say!("warning: baseline entry no longer matches a finding: {}", review::describe_stale(e));
        }
        if args.verbose {
            let what = human::summary(c.diagnostics.iter().chain(&r.diagnostics)).unwrap_or_else(|| "clean".into());
            say!("checked {display}: {what} ({} ms)", started.elapsed().as_millis());
        }
        laps.lap("baseline");
        checked.push(Checked { display, compilation: c, review: r });
    }
    let outcomes: Vec<Outcome> =
        checked.iter().map(|ch| Outcome::new(&ch.display, &ch.compilation, &ch.review)).collect();
    let summary = Summary::of(&outcomes, unreadable.len(), fail_on);
    laps.lap("outcomes");

    // standard output: one document; the run's summary goes beside it, never into it
    let human_out = matches!(format, Format::Human);
    let mut out = render(format, &checked, &outcomes, &summary, &unreadable, color);
    if human_out && !checked.is_empty() && !args.quiet {
        out.push(format!("{}\n", summary.text()).into_bytes());
    }
    laps.lap("render");
    super::write_stdout_parts(&out);
    laps.lap("write stdout");
    if !human_out && !checked.is_empty() && !args.quiet {
        say!("{}", summary.text());
    }
    let mut status = if !unreadable.is_empty() {
        EXIT_USAGE
    } else if summary.failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    for o in &args.output {
        let bytes = render(o.format, &checked, &outcomes, &summary, &unreadable, false).concat();
        if let Err(e) = super::write_atomically(&o.path, &bytes) {
            say!("error: cannot write `{}`: {e}", o.path.display());
            status = EXIT_USAGE;
        }
    }
    if let Some(path) = &args.write_baseline {
        // the review did not run on a plan with errors: writing would drop its entries
        if language_errors {
            say!("error: the baseline `{}` was not written: fix the errors above first", path.display());
            return EXIT_FINDINGS;
        }
        if let Err(e) = super::write_atomically(path, recorded.to_json().as_bytes()) {
            say!("error: cannot write the baseline `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
        let n: usize = recorded.entries.iter().map(|e| e.count).sum();
        say!("wrote {} with {}", path.display(), plural(n, "finding", "findings"));
        // a baseline is written to adopt the checker: the findings it records are accepted
        if status == EXIT_FINDINGS {
            status = EXIT_OK;
        }
    }
    // the process ends here: freeing every syntax tree, plan and finding one by one costs
    // a tenth of a large run and changes nothing (rustc skips it the same way)
    std::mem::forget(outcomes);
    std::mem::forget(checked);
    status
}

//! `mlarchc check`: the language check, then the architect review of each plan.

use super::{read_root, Format, FsHost, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::plural;
use crate::emit::human::{self, Style};
use crate::rules::baseline::Baseline;
use crate::rules::review::{self, Config, Level, Mode};
use crate::stdlib::Stdlib;
use clap::{ArgMatches, Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Plan files to check, each the root of its own plan; `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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

pub fn run(args: &CheckArgs, levels: &[(Level, String)], color: bool, stdlib: &Stdlib) -> i32 {
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| Baseline::parse(&t)) {
                Ok(b) => Some(b),
                Err(e) => {
                    eprintln!("error: cannot read the baseline `{}`: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
        }
    };
    let style = match args.format {
        Format::Human => Style::Rich,
        Format::Short => Style::Short,
    };
    let mut status = EXIT_OK;
    let mut language_errors = false;
    let mut recorded = Baseline { format: crate::rules::baseline::FORMAT.into(), entries: Vec::new() };
    let mut stdout = std::io::stdout().lock();
    for name in &args.files {
        let (display, text) = match read_root(name) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                status = EXIT_USAGE;
                continue;
            }
        };
        let c = crate::compile(&display, text, stdlib, &FsHost);
        let config = Config {
            mode: args.mode.map(|m| match m {
                ModeArg::Full => Mode::Full,
                ModeArg::Quick => Mode::Quick,
            }),
            levels: levels.to_vec(),
            baseline: baseline.as_ref().map(|b| Baseline {
                format: b.format.clone(),
                entries: b.entries.iter().filter(|e| e.file == display).cloned().collect(),
            }),
        };
        if let Err(e) = review::check_config(&c.rules, &config) {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
        language_errors |= c.has_errors();
        let mut diags = c.diagnostics.clone();
        // empty for a plan with language errors
        let r = c.review(&config);
        let hidden = r.findings.iter().filter(|f| f.state == crate::rules::State::Baselined).count();
        recorded.entries.extend(crate::rules::baseline::record(&r.findings, &c.rules, &c.sources).entries);
        for e in &r.stale {
            eprintln!("warning: baseline entry no longer matches a finding: {}", review::describe_stale(e));
        }
        diags.extend(r.diagnostics);
        let _ = stdout.write_all(&human::render(&c.sources, &diags, style, color));
        if args.format == Format::Human {
            let s = match human::summary(&diags) {
                Some(s) if hidden > 0 => Some(format!("{s} ({hidden} more in the baseline)")),
                Some(s) => Some(s),
                None if hidden > 0 => Some(format!("{} in the baseline", plural(hidden, "finding", "findings"))),
                None => None,
            };
            if let Some(s) = s {
                let _ = writeln!(stdout, "`{display}`: {s}\n");
            }
        }
        if diags.iter().any(|d| d.is_error()) && status == EXIT_OK {
            status = EXIT_FINDINGS;
        }
    }
    let _ = stdout.flush();
    if let Some(path) = &args.write_baseline {
        // the review did not run on a plan with errors: writing would drop its entries
        if language_errors {
            eprintln!("error: the baseline `{}` was not written: fix the errors above first", path.display());
            return EXIT_FINDINGS;
        }
        if let Err(e) = std::fs::write(path, recorded.to_json()) {
            eprintln!("error: cannot write the baseline `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
        let n: usize = recorded.entries.iter().map(|e| e.count).sum();
        eprintln!("wrote {} with {}", path.display(), plural(n, "finding", "findings"));
        // a baseline is written to adopt the checker: the findings it records are accepted
        if status == EXIT_FINDINGS {
            status = EXIT_OK;
        }
    }
    status
}

//! `mlarchc report FILE…`: the review as Markdown. To standard output (a terminal, a CI
//! step summary) it links no pictures; with `-o PATH` or `--out-dir DIR` the SVG pictures
//! are written beside each report and linked from it.

use super::{read_root, write_atomically, FsHost, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::emit::record::Outcome;
use crate::emit::report::{self, Length};
use crate::rules::review::Config;
use crate::stdlib::Stdlib;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The plans to review (`-` reads standard input)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Write the report of one plan to PATH, its pictures beside it
    #[arg(short = 'o', long, value_name = "PATH", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write one report per plan into DIR, named after the plan (`icu_mortality.md`)
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Render with `report.md.hbs` from DIR instead of the built-in template
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
    /// `full` (default) or `quick`: the verdict, the budget and each finding's headline
    #[arg(long, value_enum)]
    pub mode: Option<super::check_cmd::ModeArg>,
    /// Print the data the template receives, as JSON, instead of the report
    #[arg(long)]
    pub context: bool,
}

fn stem_of(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && s != "-")
        .unwrap_or_else(|| "plan".into())
}

pub fn run(args: &ReportArgs, stdlib: &Stdlib) -> i32 {
    if args.output.is_some() && args.files.len() > 1 {
        say!("error: `-o` names one report; for several plans use `--out-dir DIR`");
        return EXIT_USAGE;
    }
    let template = match &args.template {
        None => report::TEMPLATE.to_string(),
        Some(dir) => match std::fs::read_to_string(dir.join("report.md.hbs")) {
            Ok(t) => t,
            Err(e) => {
                say!("error: cannot read `{}`: {e}", dir.join("report.md.hbs").display());
                return EXIT_USAGE;
            }
        },
    };
    let length = match args.mode {
        Some(super::check_cmd::ModeArg::Quick) => Length::Quick,
        _ => Length::Full,
    };
    if let Some(dir) = &args.out_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            say!("error: cannot create `{}`: {e}", dir.display());
            return EXIT_USAGE;
        }
    }
    let mut status = EXIT_OK;
    let mut stdout = String::new();
    for name in &args.files {
        let (display, text) = match read_root(name) {
            Ok(r) => r,
            Err(e) => {
                say!("error: {e}");
                return EXIT_USAGE;
            }
        };
        let c = crate::compile(&display, text, stdlib, &FsHost);
        let r = c.review(&Config::default());
        let o = Outcome::new(&display, &c, &r);
        if c.has_errors() {
            status = EXIT_FINDINGS;
        }
        let target = match (&args.output, &args.out_dir) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(d)) => Some(d.join(format!("{}.md", stem_of(&display)))),
            _ => None,
        };
        let stem = target.as_ref().map(|t| stem_of(&t.to_string_lossy()));
        if args.context {
            let (ctx, _) = report::context(&o, length, stem.as_deref());
            stdout.push_str(&(serde_json::to_string_pretty(&ctx).unwrap_or_default() + "\n"));
            continue;
        }
        let rendered = match report::render(&o, length, stem.as_deref(), &template) {
            Ok(r) => r,
            Err(e) => {
                say!("error: {e}");
                return EXIT_USAGE;
            }
        };
        match target {
            None => {
                if !stdout.is_empty() {
                    stdout.push_str("\n---\n\n");
                }
                stdout.push_str(&rendered.markdown);
            }
            Some(path) => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
                let mut files = vec![(path.clone(), rendered.markdown.into_bytes())];
                files.extend(rendered.pictures.into_iter().map(|p| (dir.join(p.name), p.svg.into_bytes())));
                for (p, bytes) in &files {
                    if let Err(e) = write_atomically(p, bytes) {
                        say!("error: cannot write `{}`: {e}", p.display());
                        return EXIT_USAGE;
                    }
                }
                say!("wrote {} ({} file{})", path.display(), files.len(), if files.len() == 1 { "" } else { "s" });
            }
        }
    }
    super::write_stdout(stdout.as_bytes());
    status
}

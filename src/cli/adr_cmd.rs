//! `mlarchc adr FILE… [--adr-dir DIR] [--date YYYY-MM-DD] [--force]`: Architecture Decision
//! Records (MADR 4.0) of each plan — the chosen architecture of every model and every
//! `decide` — with the folder's `README.md` index and `decisions.json`.
//!
//! The folder is `--adr-dir`, else the path in a `.adr-dir` file in the working directory
//! (adr-tools), else `docs/decisions`. A record keeps its number and file across runs (its
//! stable key is in its front matter); a file is rewritten only while it is exactly as
//! generated, unless `--force`. Writes go to a temporary file in the folder, then a rename.

use super::{compile_root, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::emit::adr::{self, Existing, Listed};
use crate::emit::human::{self, Style};
use crate::rules::review::Config;
use crate::stdlib::Stdlib;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct AdrArgs {
    /// The plans (`-` reads standard input)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// The ADR folder (default: the path in `.adr-dir`, else `docs/decisions`)
    #[arg(long, value_name = "DIR")]
    pub adr_dir: Option<PathBuf>,
    /// The date of new and updated records (default: `SOURCE_DATE_EPOCH`, else the date a
    /// record already has; never the clock)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<String>,
    /// Overwrite records edited by hand
    #[arg(long)]
    pub force: bool,
}

fn parse_date(s: &str) -> Result<String, String> {
    let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD");
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, u32, u32) =
        (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(s.to_string())
}

/// The UTC calendar date of a Unix time (Hinnant's `civil_from_days`).
fn date_of_epoch(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `--date`, else `SOURCE_DATE_EPOCH`, else none (records keep the date they have).
fn date(arg: Option<&str>) -> Result<Option<String>, String> {
    if let Some(d) = arg {
        return Ok(Some(d.to_string()));
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .map(|s| Some(date_of_epoch(s)))
            .map_err(|_| format!("`SOURCE_DATE_EPOCH` is not a number of seconds: `{v}`")),
        _ => Ok(None),
    }
}

/// `--adr-dir`, else the first line of `.adr-dir`, else `docs/decisions`.
fn folder(arg: Option<&Path>) -> Result<String, String> {
    if let Some(d) = arg {
        return Ok(d.to_string_lossy().into_owned());
    }
    match std::fs::read_to_string(".adr-dir") {
        Ok(text) => match text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(l) => Ok(l.to_string()),
            None => Ok("docs/decisions".into()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok("docs/decisions".into()),
        Err(e) => Err(format!("cannot read `.adr-dir`: {}", super::io_error(&e))),
    }
}

/// The `NNNN-*.md` records of the folder (none when it does not exist yet), and the
/// folder's other file names.
fn read_folder(dir: &Path) -> Result<Vec<Existing>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read `{}`: {}", dir.display(), super::io_error(&e))),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {}", dir.display(), super::io_error(&e)))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let digits = name.bytes().take_while(u8::is_ascii_digit).count();
        if digits < 4 || name.as_bytes().get(digits) != Some(&b'-') || !name.ends_with(".md") {
            continue;
        }
        let Ok(number) = name[..digits].parse::<u32>() else { continue };
        let path = entry.path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {}", path.display(), super::io_error(&e)))?;
        out.push(Existing { file_name: name, number, text });
    }
    out.sort_by(|a, b| (a.number, &a.file_name).cmp(&(b.number, &b.file_name)));
    Ok(out)
}

/// Writes through a temporary file in the same folder and a rename, so a reader never
/// sees half a file.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn run(args: &AdrArgs, color: bool, stdlib: &Stdlib) -> i32 {
    let new_date = match date(args.date.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            say!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let dir = match folder(args.adr_dir.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            say!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let dir_path = PathBuf::from(&dir);

    // check every plan first: one with errors gets no records, and nothing of it is touched
    let mut status = EXIT_OK;
    let mut checked = Vec::new();
    for file in &args.files {
        let (display, c) = match compile_root(file, color, stdlib) {
            Ok(r) => r,
            Err(EXIT_USAGE) => return EXIT_USAGE,
            Err(code) => {
                status = code;
                continue;
            }
        };
        let review = c.review(&Config::default());
        // the plan's own `review`, `decide` and `allow` lines can be wrong (an unknown rule, a
        // letter the rule does not offer); the architect's findings are what the records hold
        let errors: Vec<_> = review
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && crate::diag::codes::ALL.iter().any(|k| k.code == d.code))
            .cloned()
            .collect();
        if !errors.is_empty() {
            let _ = std::io::stderr().write_all(&human::render(&c.sources, &errors, Style::Rich, color));
            status = EXIT_FINDINGS;
            continue;
        }
        checked.push((display, c, review));
    }
    if checked.is_empty() {
        return status;
    }

    let existing = match read_folder(&dir_path) {
        Ok(e) => e,
        Err(e) => {
            say!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let inputs: Vec<adr::Input> =
        checked.iter().map(|(file, c, r)| adr::Input { file, compilation: c, review: r }).collect();
    let drafts: Vec<Vec<adr::Draft>> = inputs.iter().map(adr::drafts).collect();
    let all: Vec<adr::Draft> = drafts.iter().flatten().cloned().collect();
    let highest = existing.iter().map(|e| e.number).max().unwrap_or(0);
    let links = adr::assign(&all, &existing, highest);

    let on_disk = |name: &str| existing.iter().find(|e| e.file_name == name);
    let mut writes: Vec<(String, String)> = Vec::new();
    let mut listed: Vec<Listed> = Vec::new();
    let mut listed_files: HashSet<String> = HashSet::new();
    let (mut unchanged, mut kept, mut deprecated) = (0, 0, 0);
    let warn_kept = |name: &str, what: &str| {
        say!(
            "warning: `{}` was edited by hand, so `mlarchc adr` {what}; `--force` overwrites it",
            dir_path.join(name).display()
        );
    };
    for (input, ds) in inputs.iter().zip(&drafts) {
        let budget = crate::cost::budget::budget(&input.compilation.plan);
        for d in ds {
            let record = adr::build(input, &budget, d, &links, ds);
            let old = on_disk(&record.file_name);
            let old_date = old.and_then(|o| o.front_matter().date);
            // a record whose content did not change keeps its date ("last updated")
            let same = adr::markdown(&record, old_date.as_deref());
            let (text, date) = match old {
                Some(o) if o.text == same => {
                    unchanged += 1;
                    (None, old_date)
                }
                Some(o) if !args.force && !adr::is_unedited(&o.text) => {
                    warn_kept(&o.file_name, "leaves it as it is");
                    kept += 1;
                    listed.push(Listed::on_disk(o));
                    listed_files.insert(o.file_name.clone());
                    continue;
                }
                _ => {
                    let date = new_date.clone().or(old_date);
                    (Some(adr::markdown(&record, date.as_deref())), date)
                }
            };
            if let Some(t) = text {
                writes.push((record.file_name.clone(), t));
            }
            listed_files.insert(record.file_name.clone());
            listed.push(Listed {
                number: record.number,
                file_name: record.file_name.clone(),
                title: record.title.clone(),
                status: record.status.as_str().into(),
                date,
                front: adr::FrontMatter {
                    stable_key: Some(record.stable_key.clone()),
                    source: None,
                    generated: true,
                    ..Default::default()
                },
                adr: Some(record),
                edited: false,
            });
        }
    }

    // decisions that left a plan of this run: deprecated, if still as generated
    let current: HashSet<&str> = all.iter().map(|d| d.key.as_str()).collect();
    let plans: HashSet<String> = checked.iter().map(|(f, _, _)| adr::plan_key(f)).collect();
    for e in &existing {
        if listed_files.contains(&e.file_name) {
            continue;
        }
        let fm = e.front_matter();
        let ours = fm.stable_key.as_deref().is_some_and(|k| !current.contains(k))
            && fm.plan().is_some_and(|p| plans.contains(&adr::plan_key(&p)));
        if ours && fm.status.as_deref() != Some("deprecated") {
            if args.force || adr::is_unedited(&e.text) {
                let text = adr::deprecate(&e.text, &fm.plan().unwrap_or_default(), new_date.as_deref());
                deprecated += 1;
                listed.push(Listed::on_disk(&Existing { text: text.clone(), ..e.clone() }));
                writes.push((e.file_name.clone(), text));
                continue;
            }
            warn_kept(&e.file_name, "does not mark it deprecated");
            kept += 1;
        }
        listed.push(Listed::on_disk(e));
    }
    listed.sort_by(|a, b| (a.number, &a.file_name).cmp(&(b.number, &b.file_name)));

    // the index, protected like the records; decisions.json is data and always current
    let readme = adr::index(&listed);
    match std::fs::read_to_string(dir_path.join("README.md")) {
        Ok(old) if old == readme => {}
        Ok(old) if !args.force && !adr::is_unedited(&old) => warn_kept("README.md", "leaves it as it is"),
        _ => writes.push(("README.md".into(), readme)),
    }
    let json = adr::decisions_json(&dir, &listed);
    if std::fs::read_to_string(dir_path.join("decisions.json")).ok().as_deref() != Some(json.as_str()) {
        writes.push(("decisions.json".into(), json));
    }

    if !writes.is_empty() {
        if let Err(e) = std::fs::create_dir_all(&dir_path) {
            say!("error: cannot create `{dir}`: {}", super::io_error(&e));
            return EXIT_USAGE;
        }
    }
    for (name, text) in &writes {
        let path = dir_path.join(name);
        if let Err(e) = write_atomic(&path, text) {
            say!("error: cannot write `{}`: {}", path.display(), super::io_error(&e));
            return EXIT_USAGE;
        }
    }

    let total = all.len() + deprecated;
    if total == 0 {
        say!("no decisions to record in `{dir}`: the plans have no `model` and no `decide`");
    } else {
        let mut notes = Vec::new();
        if unchanged > 0 {
            notes.push(format!("{unchanged} unchanged"));
        }
        if kept > 0 {
            notes.push(format!("{kept} kept: edited by hand"));
        }
        if deprecated > 0 {
            notes.push(format!("{deprecated} deprecated"));
        }
        let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
        say!("wrote {} to `{dir}`{notes}", plural(total, "ADR", "ADRs"));
    }
    status
}

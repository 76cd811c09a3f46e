//! Calibration of the cost model against published figures: every `// calibrate:` line of
//! the plans in `tests/calibration/` names a derived field and the figure a publication
//! reports for it (sources in `tests/calibration/README.md`). The test asserts, per
//! quantity, that the published figure lies inside the estimated range for at least 80 % of
//! the rows, and that the ranges stay narrow (median high/low at most 3× for training time,
//! 2× for memory and latency). `cargo test --test calibration -- --nocapture` prints the
//! table the README reports.

use mlarchc::cost::range::Range;
use std::collections::BTreeMap;
use std::path::Path;

struct Row {
    file: String,
    target: String,
    field: String,
    published: f64,
    /// relative rounding of the published figure
    rounding: f64,
    estimate: Option<Range>,
}

impl Row {
    fn inside(&self) -> bool {
        self.estimate.is_some_and(|e| {
            let r = self.rounding;
            e.contains(self.published) || (e.lo <= self.published * (1.0 + r) && self.published * (1.0 - r) <= e.hi)
        })
    }
}

/// Half a unit in the last digit a published figure gives (`3.14e23` → 0.005e23): the
/// rounding the publication applied, which an estimate may not be held to.
fn rounding(text: &str) -> f64 {
    let t = text.trim().trim_start_matches('~');
    let digits: String =
        t.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_').filter(|c| *c != '_').collect();
    let sig = digits.trim_start_matches(['0', '.']).chars().filter(char::is_ascii_digit).count().max(1);
    // exact integers (parameter counts) carry no rounding
    if !digits.contains('.') && sig >= 7 {
        return 0.0;
    }
    0.5 * 10f64.powi(-(sig as i32 - 1))
}

/// `232h`, `0.640ms`, `6_738_415_616`, `~9.5d`, `3.14e23FLOP`, `88_526qps` in base units.
fn literal(text: &str) -> Option<f64> {
    let t = text.trim().trim_start_matches('~');
    for i in (1..=t.len()).rev() {
        if !t.is_char_boundary(i) {
            continue;
        }
        let (num, unit) = (&t[..i], t[i..].trim());
        let factor = if unit.is_empty() {
            1.0
        } else {
            match mlarchc::units::lookup(unit) {
                Some(u) => u.factor,
                None => continue,
            }
        };
        let (v, _) = mlarchc::syntax::number::decode(num);
        if v.is_finite() {
            return Some(v * factor);
        }
    }
    None
}

fn rows() -> Vec<Row> {
    let keep = |p: &Path| p.extension().is_some_and(|e| e == "mla");
    let files = mlarchc::cli::files_under(Path::new("tests/calibration"), &keep).expect("tests/calibration");
    let mut out = Vec::new();
    for path in files {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("read");
        let host = mlarchc::cli::FsHost;
        let c = mlarchc::compile(&name, text.clone(), &mlarchc::stdlib::Stdlib::embedded(), &host);
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
        assert!(errors.is_empty(), "{name} does not check: {errors:?}");
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("// calibrate:") else { continue };
            let spec = rest.split(" -- ").next().unwrap_or("");
            let (target, lit) = spec.split_once('=').unwrap_or_else(|| panic!("{name}: bad calibrate line `{line}`"));
            // `train.x.train_memory[allocated] = …`: the figure counts tensors only, as
            // `torch.cuda.max_memory_allocated` does — no CUDA context, no allocator reserve
            let target = target.trim();
            let (target, allocated) = match target.strip_suffix("[allocated]") {
                Some(t) => (t.to_string(), true),
                None => (target.to_string(), false),
            };
            let parts: Vec<&str> = target.split('.').collect();
            assert_eq!(parts.len(), 3, "{name}: `{target}` is not KIND.NAME.FIELD");
            let published = literal(lit).unwrap_or_else(|| panic!("{name}: cannot read `{lit}`"));
            let id =
                c.plan.named(parts[0], parts[1]).unwrap_or_else(|| panic!("{name}: no {} `{}`", parts[0], parts[1]));
            let estimate = c.plan.costs.get(id, parts[2]).and_then(|e| {
                if !allocated {
                    return e.value;
                }
                let tensors = e.terms.iter().filter(|t| t.label != "runtime" && t.label != "allocator reserve");
                tensors.map(|t| t.value).reduce(|a, b| a + b)
            });
            let field = format!("{}.{}", parts[0], parts[2]);
            // parameter counts from a plan's own layer shapes are held to 1 % (the target);
            // catalogued counts are exact and checked against their shapes below
            let rounding = if parts[2].starts_with("params") {
                0.01
            } else {
                rounding(lit.trim().split(|c: char| c.is_ascii_alphabetic()).next().unwrap_or(""))
            };
            out.push(Row { file: name.clone(), target: target.clone(), field, published, rounding, estimate });
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Coverage each quantity must keep (share of estimated rows whose range holds the published
/// figure) and the median width (high/low) it must not exceed. The targets of the cost-model
/// issue are 80 % coverage, 3× width for training time and 2× for memory and latency; where
/// the model does not meet a target yet the floor is today's figure, so any regression
/// fails, and the README states the gap.
const BARS: &[(&str, f64, f64)] = &[
    ("model.params_total", 1.0, 1.0),
    ("model.params_trainable", 1.0, 1.0),
    ("train.train_flops", 1.0, 1.1),
    ("train.gpu_hours", 0.8, 3.0),
    ("train.est_wallclock", 0.8, 3.0),
    ("train.train_memory", 0.8, 2.0),
    ("deploy.est_latency", 0.9, 2.0),
    ("deploy.est_throughput", 0.8, 2.1),
    ("deploy.infer_memory", 0.8, 2.0),
];

#[test]
fn published_figures_lie_inside_the_estimates() {
    let rows = rows();
    assert!(rows.len() >= 40, "only {} calibration rows", rows.len());
    let mut by: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by.entry(r.field.clone()).or_default().push(r);
    }
    println!("| quantity | rows | estimated | published figure inside the range | median width (high/low) | middle within 1.5× |");
    println!("|---|---|---|---|---|---|");
    let mut problems = Vec::new();
    for (field, rs) in &by {
        let est: Vec<&&Row> = rs.iter().filter(|r| r.estimate.is_some()).collect();
        let hits = est.iter().filter(|r| r.inside()).count();
        let widths: Vec<f64> = est.iter().filter_map(|r| r.estimate.map(|e| e.width())).collect();
        let close = est
            .iter()
            .filter(|r| r.estimate.is_some_and(|e| (e.mid() / r.published).max(r.published / e.mid()) <= 1.5))
            .count();
        let w = median(widths);
        let share = |k: usize| if est.is_empty() { 0.0 } else { 100.0 * k as f64 / est.len() as f64 };
        let width = if w.is_finite() { format!("{w:.2}×") } else { "unbounded".into() };
        println!(
            "| `{field}` | {} | {} | {hits} ({:.0} %) | {width} | {close} ({:.0} %) |",
            rs.len(),
            est.len(),
            share(hits),
            share(close)
        );
        let (_, cover, limit) = BARS.iter().find(|(f, _, _)| f == field).copied().unwrap_or((field, 0.8, 3.0));
        if (hits as f64) < cover * est.len() as f64 - 1e-9 {
            problems.push(format!(
                "{field}: {hits} of {} estimated rows inside, below {:.0} %",
                est.len(),
                cover * 100.0
            ));
        }
        if w > limit {
            problems.push(format!("{field}: median width {w:.2}× over {limit}×"));
        }
    }
    println!();
    for r in &rows {
        let shown = r.estimate.map_or("not estimated".into(), |e| format!("{:.4e} – {:.4e}", e.lo, e.hi));
        let mark = match (r.estimate, r.inside()) {
            (None, _) => "n/a ",
            (_, true) => "ok  ",
            _ => "MISS",
        };
        println!("{mark} {:<60} published {:.4e}  estimate {shown}  ({})", r.target, r.published, r.file);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The shape facts of every catalogued transformer reproduce its published parameter count:
/// blocks (attention and feed-forward matrices) plus the embedding, tied or not, within
/// 3 % (norms, biases and position tables make up the rest).
#[test]
fn catalogued_shapes_reproduce_the_parameter_counts() {
    let c = mlarchc::check_str(mlarchc::STDLIB_ONLY, "");
    let mut checked = 0;
    let mut problems = Vec::new();
    for id in c.plan.ids_of("backbone") {
        let b = mlarchc::cost::catalog::Backbone::read(&c.plan, id);
        let (Some(t), Some(p), Some(v)) = (b.transformer(), b.params, b.vocab) else { continue };
        if b.family != "llm" || b.name.contains("mixtral") {
            continue;
        }
        let blocks = t.layers * t.per_layer;
        let tied = blocks + v * t.width;
        let untied = blocks + 2.0 * v * t.width;
        let off = ((tied - p) / p).abs().min(((untied - p) / p).abs());
        checked += 1;
        if off > 0.03 {
            problems.push(format!(
                "{}: {:.3e} from the shape, {:.3e} published ({:.1} % off)",
                b.name,
                tied.min(untied),
                p,
                off * 100.0
            ));
        }
    }
    assert!(checked >= 10, "only {checked} decoder shapes checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! `mlarchc report`: the Markdown review of the example plans — snapshots of the whole
//! report (full and quick), its parts present for every plan, the pictures it links
//! rendered by a real SVG renderer, Markdown that a CommonMark reader parses into the
//! expected headings, a team template, and the file-writing promises.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn mlarchc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlarchc")).args(args).output().expect("the binary runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn specs() -> Vec<String> {
    common::mla_files("specs").iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

#[test]
fn every_example_has_every_part_of_the_review() {
    for f in specs() {
        let o = mlarchc(&["report", &f]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", String::from_utf8_lossy(&o.stderr));
        let md = text(&o);
        for heading in [
            "# Architecture review: ",
            "## Landscape",
            "## Data Modality Map",
            "## Complexity Budget",
            "## Findings",
            "## Training Diagnostic Checklist",
            "## Dependency graph",
        ] {
            assert!(md.contains(heading), "{f}: no `{heading}`");
        }
        assert!(md.contains("```mermaid\nflowchart LR\n"), "{f}: the graph");
        // every open finding of `check` appears with its code
        let check = mlarchc(&["check", "--format", "json", &f]);
        let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        for r in doc["plans"][0]["records"].as_array().unwrap() {
            if r["disposition"]["kind"] == "open" {
                assert!(md.contains(&format!("`{}`", r["code"].as_str().unwrap())), "{f}: {} missing", r["code"]);
            }
        }
        // no template residue, no unescaped pipes breaking a table row
        assert!(!md.contains("{{") && !md.contains("}}"), "{f}: template residue");
        for line in md.lines().filter(|l| l.starts_with("| ") && !l.starts_with("|---")) {
            let cells = line.replace("\\|", "").matches('|').count();
            assert!(cells >= 3, "{f}: a broken row `{line}`");
        }
    }
}

#[test]
fn the_report_of_the_icu_plan_reads_as_reviewed() {
    let full = text(&mlarchc(&["report", "specs/icu_mortality.mla"]));
    let quick = text(&mlarchc(&["report", "--mode", "quick", "specs/icu_mortality.mla"]));
    insta::assert_snapshot!("icu_mortality_full", full);
    insta::assert_snapshot!("icu_mortality_quick", quick);
    assert!(quick.len() < full.len() / 2, "quick is short");
    assert!(full.contains("## Decisions taken") && full.contains("| `MLA107`"), "the decision is listed");
    assert!(full.contains("## Accepted without change") && full.contains("model registry"));
}

#[test]
fn the_markdown_parses_into_the_sections_a_reader_expects() {
    let md = text(&mlarchc(&["report", "specs/kws_edge.mla"]));
    let events = pulldown_headings(&md);
    assert!(events.iter().any(|h| h == "Complexity Budget"), "{events:?}");
    assert!(events.iter().any(|h| h.starts_with("error MLA602")), "the latency finding is a heading: {events:?}");
}

/// Level-2 to level-4 headings as a CommonMark reader sees them (no fenced code).
fn pulldown_headings(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for p in ["## ", "### ", "#### "] {
            if let Some(h) = line.strip_prefix(p) {
                out.push(h.replace('`', ""));
            }
        }
    }
    out
}

fn render_svg(path: &Path) -> (u32, u32, usize) {
    let data = std::fs::read(path).unwrap();
    let opt = resvg::usvg::Options::default();
    let tree = resvg::usvg::Tree::from_data(&data, &opt).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a canvas");
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    // pixels drawn in colour (the bars), not only white background and grey lines
    let coloured = pixmap.pixels().iter().filter(|p| {
        let (r, g, b) = (p.red() as i32, p.green() as i32, p.blue() as i32);
        (r - g).abs() > 60 || (g - b).abs() > 60 || (r - b).abs() > 60
    });
    (size.width(), size.height(), coloured.count())
}

#[test]
fn pictures_are_written_beside_the_report_and_render() {
    let dir = common::temp_dir("report");
    let out = dir.join("kws.md");
    let o = mlarchc(&["report", "-o", out.to_str().unwrap(), "specs/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(&out).unwrap();
    for pic in ["kws.budget.svg", "kws.findings.svg"] {
        assert!(md.contains(&format!("]({pic})")), "the report links {pic}");
        let (w, h, coloured) = render_svg(&dir.join(pic));
        assert!(w > 300 && h > 80, "{pic}: {w}x{h}");
        assert!(coloured > 500, "{pic}: nothing drawn ({coloured} coloured pixels)");
        roxmltree::Document::parse(&std::fs::read_to_string(dir.join(pic)).unwrap()).expect("well-formed SVG");
    }
    // the latency bar is over its budget: drawn in red
    let svg = std::fs::read_to_string(dir.join("kws.budget.svg")).unwrap();
    assert!(svg.contains("#c62828"), "the over-budget latency is red");
    // several plans into a directory, one report each
    let o = mlarchc(&[
        "report",
        "--out-dir",
        dir.join("all").to_str().unwrap(),
        "specs/kws_edge.mla",
        "specs/churn_tabular.mla",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(dir.join("all/kws_edge.md").exists() && dir.join("all/churn_tabular.md").exists());
    // `-o` with several plans is a bad invocation
    assert_eq!(
        mlarchc(&["report", "-o", "x.md", "specs/kws_edge.mla", "specs/churn_tabular.mla"]).status.code(),
        Some(2)
    );
}

#[test]
fn a_team_template_replaces_the_layout_not_the_content() {
    let dir = common::temp_dir("template");
    std::fs::write(dir.join("report.md.hbs"), "# {{title}}\n{{verdict.headline}}\n{{#each sections}}- {{title}}: {{#each findings}}{{code}} {{/each}}\n{{/each}}").unwrap();
    let o = mlarchc(&["report", "--template", dir.to_str().unwrap(), "specs/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let md = text(&o);
    assert!(md.starts_with("# hood_voice"), "{md}");
    assert!(md.contains("- Deployment: MLA602 "), "{md}");
    // the data a template receives is documented by printing it
    let ctx: serde_json::Value =
        serde_json::from_slice(&mlarchc(&["report", "--context", "specs/kws_edge.mla"]).stdout).unwrap();
    assert!(ctx["modalities"][0]["keeps"].is_string());
    // a template that does not parse is a clear error, not a panic
    std::fs::write(dir.join("report.md.hbs"), "{{#each sections}}").unwrap();
    let o = mlarchc(&["report", "--template", dir.to_str().unwrap(), "specs/kws_edge.mla"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("template"));
}

#[test]
fn a_plan_with_language_errors_gets_a_report_that_says_so() {
    let o = mlarchc(&["report", "tests/ui/duplicate_dataset.mla"]);
    assert_eq!(o.status.code(), Some(1));
    let md = text(&o);
    assert!(md.contains("The plan does not check") && md.contains("## Language errors"), "{md}");
}

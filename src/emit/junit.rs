//! `--format junit`: JUnit XML in the Ant/Jenkins shape GitLab, Jenkins and CI test tabs
//! read — one `testsuite` per plan, one `testcase` per rule of the plan and one for the
//! language check. A rule with open findings fails (each finding a line of the failure); a
//! rule whose findings are all allowed or baselined is skipped, with the reason; a rule that
//! found nothing, or whose findings the team decided, passes. So the test tab counts the
//! rules that passed, not zero.

use super::record::{Disposition, Origin, Outcome, Record};
use super::text::xml;
use std::fmt::Write;

fn line(r: &Record) -> String {
    let at = r.location.as_ref().map_or(String::new(), |l| format!("{}:{}:{}: ", l.file, l.start.line, l.start.column));
    format!("{at}{}[{}]: {}", r.severity.as_str(), r.code, r.message)
}

enum Case {
    Pass,
    Fail(Vec<String>),
    Skip(String),
}

fn case(records: &[&Record]) -> Case {
    let open: Vec<String> = records.iter().filter(|r| r.is_reported()).map(|r| line(r)).collect();
    if !open.is_empty() {
        return Case::Fail(open);
    }
    let hidden: Vec<&str> = records
        .iter()
        .filter_map(|r| match &r.disposition {
            Disposition::Allowed { reason } => Some(reason.as_str()),
            Disposition::Baselined => Some("recorded in the baseline"),
            _ => None,
        })
        .collect();
    match (hidden.is_empty(), records.iter().any(|r| matches!(r.disposition, Disposition::Decided { .. }))) {
        (false, false) => Case::Skip(hidden.join("; ")),
        _ => Case::Pass,
    }
}

pub fn render(outcomes: &[Outcome]) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures, mut all_skipped) = (0, 0, 0);
    for o in outcomes {
        let mut cases: Vec<(String, String, Case)> = Vec::new();
        let language: Vec<&Record> = o.records().iter().filter(|r| r.origin == Origin::Language).collect();
        cases.push(("language".into(), "names, types, units and the schema".into(), case(&language)));
        for rule in &o.rules().rules {
            let mine: Vec<&Record> =
                o.records().iter().filter(|r| r.origin == Origin::Review && r.code == rule.code).collect();
            let verdict = if o.compilation.has_errors() {
                Case::Skip("the plan has language errors; the review did not run".into())
            } else {
                case(&mine)
            };
            cases.push((rule.code.clone(), rule.name.clone(), verdict));
        }
        let failures = cases.iter().filter(|c| matches!(c.2, Case::Fail(_))).count();
        let skipped = cases.iter().filter(|c| matches!(c.2, Case::Skip(_))).count();
        all_tests += cases.len();
        all_failures += failures;
        all_skipped += skipped;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
            xml(&o.file),
            cases.len()
        );
        for (code, name, c) in &cases {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
                xml(&format!("{code} {name}")),
                xml(&format!("mlarchc.{}", o.file)),
                xml(&o.file)
            );
            match c {
                Case::Pass => {
                    let _ = writeln!(suites, "{head}/>");
                }
                Case::Skip(why) => {
                    let _ = writeln!(suites, "{head}>\n      <skipped message=\"{}\"/>\n    </testcase>", xml(why));
                }
                Case::Fail(lines) => {
                    let first = lines.first().cloned().unwrap_or_default();
                    let _ = writeln!(
                        suites,
                        "{head}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml(&first),
                        xml(code),
                        xml(&lines.join("\n"))
                    );
                }
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mlarchc\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"0\" skipped=\"{all_skipped}\">\n{suites}</testsuites>\n"
    )
}

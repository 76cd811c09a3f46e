//! The message style, enforced over every rendered diagnostic in the snapshots (as Clippy
//! does for its UI tests): messages, notes and help lines start with a lowercase word (or
//! user input in backticks), do not end with a period, and never leak internal names.

const INTERNAL: &[&str] = &[
    "Rule::",
    "Ty::",
    "ValueKind",
    "kw_",
    "_decl",
    "expr_",
    "EOI",
    "SOI",
    "type_expr",
    "pest",
    "Some(",
    "None)",
    "{:?}",
    "unreachable",
    "Error(",
    "FieldDef",
    "KindId",
    "EnumId",
];

fn check_text(where_: &str, text: &str, problems: &mut Vec<String>) {
    let first = text.chars().next().unwrap_or(' ');
    if first.is_uppercase() {
        problems.push(format!("{where_}: starts with a capital: `{text}`"));
    }
    if text.ends_with('.') && !text.ends_with("..") {
        problems.push(format!("{where_}: ends with a period: `{text}`"));
    }
    for bad in INTERNAL {
        // a word of its own: `pest` is the parser, `cheapest` is English
        let starts_word = bad.starts_with(|c: char| !c.is_ascii_alphabetic());
        let found = text
            .match_indices(bad)
            .any(|(i, _)| starts_word || !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
        if found {
            problems.push(format!("{where_}: internal name `{bad}` in `{text}`"));
        }
    }
}

#[test]
fn every_snapshot_follows_the_message_style() {
    let mut problems = Vec::new();
    let mut checked = 0;
    let is_snapshot = |p: &std::path::Path| p.extension().is_some_and(|x| x == "snap");
    let snapshots = mlarchc::cli::files_under(std::path::Path::new("tests/snapshots"), &is_snapshot);
    for p in snapshots.expect("tests/snapshots") {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let Some((_, diags)) = text.split_once("----- DIAGNOSTICS\n") else {
            continue;
        };
        let name = p.file_name().unwrap_or_default().to_string_lossy().to_string();
        for line in diags.lines() {
            let t = line.trim_start();
            for sev in ["error[", "warning[", "note["] {
                if let Some(rest) = t.strip_prefix(sev) {
                    if let Some((_, msg)) = rest.split_once("]: ") {
                        checked += 1;
                        check_text(&name, msg, &mut problems);
                    }
                }
            }
            for sub in ["= help: ", "= note: "] {
                if let Some(msg) = t.strip_prefix(sub) {
                    checked += 1;
                    check_text(&name, msg, &mut problems);
                }
            }
            // labels: the text after the carets
            if let Some(i) = t.find(['^', '-']) {
                let after = t[i..].trim_start_matches(['^', '-', ' ']);
                if !after.is_empty() && t[..i].trim_end().ends_with('│') {
                    check_text(&name, after, &mut problems);
                }
            }
        }
    }
    assert!(checked > 0, "no snapshots found");
    assert!(problems.is_empty(), "{} style problem(s):\n{}", problems.len(), problems.join("\n"));
}

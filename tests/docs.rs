//! The examples in the documentation compile as the text says: every ```mla block of
//! `docs/language.md` and `README.md` is checked. A comment naming a code (`// E0303`) on a
//! line says that diagnostic lands there; a block without such comments must check clean
//! of errors. A block that shows a fragment rather than a plan, or mistakes that a UI fixture
//! already covers, is preceded by the line `<!-- not checked -->`.
//! A block without a `project` gets `project p { task: regression }` put first, as the
//! reference says. Notes and unused-declaration warnings are incidental in fragments.

fn blocks(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines().enumerate();
    let mut prev = "";
    while let Some((i, l)) = lines.next() {
        let skip = prev.trim() == "<!-- not checked -->";
        prev = l;
        if l.trim_start() == "```mla" && !skip {
            let mut body = String::new();
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((i + 1, body));
        }
    }
    out
}

fn codes_in(line: &str) -> Vec<String> {
    let Some(c) = line.find("//") else {
        return Vec::new();
    };
    line[c..]
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() == 5
                && (w.starts_with('E') || w.starts_with('W') || w.starts_with('N'))
                && w[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

fn check_file(path: &str) -> Vec<String> {
    let md = std::fs::read_to_string(path).expect("doc exists");
    let mut problems = Vec::new();
    for (at, body) in blocks(&md) {
        let has_project = body.lines().any(|l| l.trim_start().starts_with("project ") || l.contains("\nproject "));
        let prefix = if has_project { "" } else { "project p { task: regression }\n" };
        let text = format!("{prefix}{body}");
        let offset = usize::from(!has_project);
        let c = mlarchc::check_str("doc.mla", &text);
        let mut expected: Vec<(usize, String)> = Vec::new();
        for (i, l) in body.lines().enumerate() {
            for code in codes_in(l) {
                expected.push((i + 1, code));
            }
        }
        let mut found: Vec<(usize, String, String)> = Vec::new();
        for d in &c.diagnostics {
            let Some(span) = d.primary_span() else {
                continue;
            };
            let line = c.sources.get(span.file).line_col(span.start as usize).0;
            found.push((line.saturating_sub(offset), d.code.clone(), d.message.clone()));
        }
        for (l, code) in &expected {
            if !found.iter().any(|(fl, fc, _)| fl == l && fc == code) {
                problems.push(format!("{path}:{}: block line {l}: expected {code}, not reported", at));
            }
        }
        for (l, code, msg) in &found {
            // notes, and unused declarations in fragments, are not what an example is about
            let incidental = code.starts_with('N') || code == "W0201";
            if !incidental && !expected.iter().any(|(el, ec)| el == l && ec == code) {
                problems.push(format!("{path}:{}: block line {l}: unexpected {code} {msg}", at));
            }
        }
    }
    problems
}

#[test]
fn documentation_examples_check_as_described() {
    let mut problems = check_file("docs/language.md");
    problems.extend(check_file("README.md"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

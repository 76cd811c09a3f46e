//! Turning pest's errors into diagnostics in words.
//!
//! **Invariant:** no grammar rule name reaches a user. Every rule that can appear in an
//! error is mapped to a phrase here ("a field name", "a value"); rules without a phrase are
//! dropped, and literal tokens are shown in backticks.

use super::Rule;
use crate::diag::{codes, Diagnostic};
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};
use std::collections::BTreeSet;
use std::sync::Once;

/// What an expected rule means to a user, or `None` to leave it out.
fn phrase(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the file",
        ident | path | target => "a name",
        field => "a field",
        field_decl => "a field declaration",
        variant_decl => "a variant",
        enum_variant | variant_head => "an enum value",
        decl | file => "a declaration",
        import_decl | schema_kind | record_decl | enum_decl | set_decl | rule_decl | gate_decl | decide_decl
        | allow_decl | review_decl => "a declaration",
        string | plain_string | triple_string => "a string in quotes",
        number | numeric => "a number",
        approx | shape | multiple | bad_multiple | range | bound | list | record | named | value_name | args
        | kw_true | kw_false | kw_none | kw_unknown | kebab_name => "a value",
        unit => "a unit such as `ms` or `GB`",
        bound_op | cmp_op => "a comparison such as `<`",
        percentile => "a percentile such as `p99`",
        type_expr | list_type | ref_type | generic_type | named_type => "a type",
        rule_code => "a rule code such as `MLA201`",
        rule_name => "a rule name",
        option_letter => "an option letter such as `A`",
        rule_for | rule_let | rule_option | rule_field | rule_when => "a rule item",
        gate_param => "a parameter such as `m: model`",
        expr | quantifier | expr_call | expr_list => "an expression",
        op_or | op_and | op_in | op_not_in | op_is | op_is_not | op_cmp | op_add | op_sub | op_mul | op_div => {
            "an operator"
        }
        kw_because => "`because` and a reason in quotes",
        kw_on => "`on`",
        kw_for => "`for`",
        kw_kind => "`kind`",
        kw_variant => "`variant`",
        kw_derived => "`derived`",
        kw_ref => "`ref`",
        kw_in => "`in`",
        kw_recommended => "`recommended`",
        decl_body => "`{`",
        optional_mark => "`?`",
        _ => return None,
    })
}

/// A literal token pest expected, in backticks; `None` for trivia, character ranges and
/// keywords (which appear through their rules).
fn token_phrase(t: &str) -> Option<String> {
    let is_range = t.chars().count() == 4 && t.chars().nth(1) == Some('.') && t.chars().nth(2) == Some('.');
    if t.trim().is_empty()
        || is_range
        || t == "BUILTIN_RULE"
        || t == "/"
        || t.starts_with("//")
        || t.starts_with("/*")
        || t == "\u{feff}"
        || t == "\""
        || t == "\"\"\""
        || t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    Some(format!("`{t}`"))
}

/// Builds the diagnostic for a failed parse of `src`, which starts at `base` in the file.
/// `at_file_end`: the segment ends where the file does (otherwise another declaration follows).
pub(super) fn to_diagnostic(
    file: FileId,
    base: usize,
    src: &str,
    at_file_end: bool,
    err: pest::error::Error<Rule>,
) -> Diagnostic {
    // Re-parse with token detail on, to learn which punctuation was expected.
    static DETAIL: Once = Once::new();
    DETAIL.call_once(|| pest::set_error_detail(true));
    let err = match <super::MlaParser as pest::Parser<Rule>>::parse(Rule::file, src) {
        Err(e) => e,
        Ok(_) => err,
    };
    let loc = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let attempts = err.parse_attempts();
    // pest records rules where they start; with detail on it also knows the furthest
    // position any token was tried at, which is where the user's text went wrong
    let pos = attempts.as_ref().map_or(loc, |a| a.max_position.max(loc)).min(src.len());
    let mut phrases: Vec<&str> = Vec::new();
    if pos == loc {
        if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
            phrases = order(positives.iter().filter_map(|r| phrase(*r)).collect());
        }
    }
    let mut expected: Vec<String> = phrases.iter().map(|p| p.to_string()).collect();
    let value_like =
        phrases.iter().any(|p| matches!(*p, "a value" | "an expression" | "a declaration" | "an operator"));
    if let Some(a) = &attempts {
        for tok in a.expected_tokens() {
            let t = tok.to_string();
            if value_like && VALUE_STARTS.contains(&t.as_str()) {
                continue;
            }
            if let Some(p) = token_phrase(&t) {
                if !expected.contains(&p) {
                    expected.push(p);
                }
            }
        }
        if expected.is_empty() {
            for cs in a.call_stacks() {
                if let Some(r) = cs.deepest.get_rule() {
                    if let Some(p) = phrase(*r) {
                        expected.push(p.to_string());
                        break;
                    }
                }
            }
        }
    }
    // a space is never the culprit: describe the next real token
    let skip = src[pos..].len() - src[pos..].trim_start_matches([' ', '\t']).len();
    let pos = pos + skip;
    let rest = &src[pos..];
    let mut found = describe_found(rest);
    if rest.trim().is_empty() && !at_file_end {
        found = "the start of the next declaration".into();
    }
    let at = base + pos;
    let len = found_len(rest);
    let span = Span::new(file, at, at + len);

    // a doc comment with nothing to document
    let line_start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    let this_line = src[line_start..].split('\n').next().unwrap_or("");
    let last_line = src[..pos].trim_end().rsplit('\n').next().unwrap_or("");
    let doc_here = this_line.trim_start().starts_with("///") && !this_line.trim_start().starts_with("////");
    if doc_here
        || rest.starts_with("///")
        || (last_line.trim_start().starts_with("///") && (rest.trim().is_empty() || rest.starts_with('}')))
    {
        let (at, len) = if doc_here || rest.starts_with("///") {
            let indent = this_line.len() - this_line.trim_start().len();
            (base + line_start + indent, this_line.trim().len())
        } else {
            let ls = src[..pos].trim_end().len() - last_line.len();
            (base + ls + (last_line.len() - last_line.trim_start().len()), last_line.trim().len())
        };
        let span = Span::new(file, at, at + len);
        return Diagnostic::new(&codes::SYNTAX, "doc comment not followed by a declaration or field")
            .primary(span, "this doc comment documents nothing")
            .help("put `///` comments right before the declaration or field they describe, or use `//`");
    }
    let prev = src[..pos].trim_end();
    if let Some(d) = valueless_field(file, base, prev, rest).or_else(|| non_ascii_name(file, base, src, pos)) {
        return d;
    }
    if expected == ["`:`"] {
        // `n 4200` or a stray word: say what the colon should follow
        let word_start = prev
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &prev[word_start..];
        let shape_like = word == "x" && prev[..word_start].trim_end().ends_with(|c: char| c.is_ascii_digit());
        if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && !shape_like {
            let span = Span::new(file, base + word_start, base + prev.len());
            if rest.starts_with('{') && DECLARATION_KINDS.contains(&word) {
                return misplaced_declaration(span, word, src);
            }
            return Diagnostic::new(&codes::SYNTAX, format!("expected `:` after `{word}`"))
                .primary(span, "a field name needs a `:` and a value")
                .help(format!("write `{word}: value`, or remove `{word}` if it is left over"));
        }
    }
    // something missing at the end of a line: point there, not at the next line
    let continues = !expected.iter().any(|e| {
        matches!(
            e.as_str(),
            "a declaration" | "a field" | "a field declaration" | "a rule item" | "an enum value" | "a variant"
        )
    });
    let at_line_end = continues && !prev.is_empty() && src[prev.len()..pos].contains('\n');
    let (span, found) = if at_line_end {
        let last = prev.chars().last().map_or(1, char::len_utf8);
        (Span::new(file, base + prev.len() - last, base + prev.len()), "the end of the line".to_string())
    } else {
        (span, found)
    };
    let expected = summarise(expected);
    let message =
        if expected.is_empty() { format!("unexpected {found}") } else { format!("expected {expected}, found {found}") };
    let label = if expected.is_empty() { "not expected here".to_string() } else { format!("expected {expected}") };

    let mut d = Diagnostic::new(&codes::SYNTAX, message).primary(span, label);
    if let Some(h) = hint(prev, rest) {
        d = d.help(h);
    }
    d
}

/// The kinds of the stdlib's declarations, which never nest in another declaration.
const DECLARATION_KINDS: &[&str] =
    &["project", "dataset", "modality", "model", "train", "evaluate", "deploy", "compute", "backbone", "device"];

/// `train { … }` written inside a `model` block: say where the declaration belongs.
fn misplaced_declaration(span: Span, kind: &str, src: &str) -> Diagnostic {
    // the enclosing declaration's head: the words before its first `{`
    let head: Vec<&str> = src
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("")
        .split('{')
        .next()
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    let (outer_kind, outer_name) = (head.first().copied().unwrap_or("declaration"), head.get(1).copied());
    let d =
        Diagnostic::new(&codes::SYNTAX, format!("`{kind}` is a declaration of its own, not a field of `{outer_kind}`"))
            .primary(span, format!("a `{kind}` block cannot sit inside a `{outer_kind}`"));
    match (kind, outer_kind, outer_name) {
        ("train" | "evaluate" | "deploy", "model", Some(m)) => d.help(format!(
            "move it after the closing `}}` of `model {m}` and name the model it belongs to: `{kind} {m} {{ … }}`"
        )),
        (_, _, Some(n)) => {
            d.help(format!("move it out of `{outer_kind} {n}` to the top level of the file: `{kind} NAME {{ … }}`"))
        }
        _ => d.help(format!("move it to the top level of the file: `{kind} NAME {{ … }}`")),
    }
}

/// `target:` with nothing after it, then the next field on the following line: pest reads
/// the next field's name as the value and stops at its colon. Point at the empty field.
fn valueless_field(file: FileId, base: usize, prev: &str, rest: &str) -> Option<Diagnostic> {
    if !rest.starts_with(':') {
        return None;
    }
    let line_start = prev.rfind('\n')? + 1;
    let word = prev[line_start..].trim();
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    // the field's line, without a trailing `// comment`
    let before = prev[..line_start].trim_end();
    let field_start = before.rfind('\n').map_or(0, |i| i + 1);
    let before = match before[field_start..].find("//") {
        Some(c) => before[..field_start + c].trim_end(),
        None => before,
    };
    let colon = before.strip_suffix(':')?;
    let field_line = &colon[colon.rfind('\n').map_or(0, |i| i + 1)..];
    // one word before the colon (`  target:`); `dataset icu:` is YAML, handled by `hint`
    let field = field_line.trim().trim_start_matches(['{', ',']).trim();
    if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let at = base + colon.len();
    Some(
        Diagnostic::new(&codes::SYNTAX, format!("`{field}` has no value"))
            .primary(Span::new(file, at, at + 1), "a value goes after this colon")
            .help("write a value after the colon, or `unknown` if it is not known yet"),
    )
}

/// A name with letters outside ASCII (`données`): quote the whole word, not its first
/// foreign letter, and suggest its ASCII spelling where there is one.
fn non_ascii_name(file: FileId, base: usize, src: &str, pos: usize) -> Option<Diagnostic> {
    let c = src[pos..].chars().next()?;
    if c.is_ascii() || !c.is_alphanumeric() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let start = src[..pos].char_indices().rev().take_while(|(_, c)| is_word(*c)).last().map_or(pos, |(i, _)| i);
    let end = src[pos..].find(|c: char| !is_word(c)).map_or(src.len(), |i| pos + i);
    let word = &src[start..end];
    let ascii: Option<String> = word.chars().map(ascii_letter).collect();
    let d = Diagnostic::new(&codes::SYNTAX, format!("`{word}` is not a name: names use ASCII letters, digits and `_`"))
        .primary(Span::new(file, base + start, base + end), "letters outside ASCII");
    Some(match ascii {
        Some(a) => d.help(format!("write `{a}`; text in any script goes in strings (`\"{word}\"`) or doc comments")),
        None => d.help("spell the name in ASCII letters; text in any script goes in strings or doc comments"),
    })
}

/// The ASCII letter a Latin letter with a diacritic is written as, if it is one.
fn ascii_letter(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    const TABLE: &[(&str, char)] = &[
        ("àáâãäåāăą", 'a'),
        ("ÀÁÂÃÄÅĀĂĄ", 'A'),
        ("çćĉċč", 'c'),
        ("ÇĆĈĊČ", 'C'),
        ("ďđ", 'd'),
        ("ĎĐ", 'D'),
        ("èéêëēĕėęě", 'e'),
        ("ÈÉÊËĒĔĖĘĚ", 'E'),
        ("ĝğġģ", 'g'),
        ("ìíîïĩīĭįı", 'i'),
        ("ÌÍÎÏĨĪĬĮİ", 'I'),
        ("ĺļľŀł", 'l'),
        ("ĹĻĽĿŁ", 'L'),
        ("ñńņňŉ", 'n'),
        ("ÑŃŅŇ", 'N'),
        ("òóôõöøōŏő", 'o'),
        ("ÒÓÔÕÖØŌŎŐ", 'O'),
        ("ŕŗř", 'r'),
        ("śŝşš", 's'),
        ("ŚŜŞŠ", 'S'),
        ("ţťŧ", 't'),
        ("ùúûüũūŭůűų", 'u'),
        ("ÙÚÛÜŨŪŬŮŰŲ", 'U'),
        ("ýÿŷ", 'y'),
        ("źżž", 'z'),
        ("ŹŻŽ", 'Z'),
    ];
    TABLE.iter().find(|(set, _)| set.contains(c)).map(|(_, a)| *a)
}

pub(super) fn empty(file: FileId) -> Diagnostic {
    Diagnostic::new(&codes::SYNTAX, "expected an expression, found the end of the input")
        .primary(Span::new(file, 0, 0), "empty")
}

/// Tokens that only start a value; "a value" already says it.
const VALUE_STARTS: &[&str] = &["-", "<", "<=", ">", ">=", "~", "[", "{", "(", "!=", "==", "+", "*", "/"];

/// Orders phrases so the most useful come first.
fn order(set: BTreeSet<&'static str>) -> Vec<&'static str> {
    let mut v: Vec<&str> = set.into_iter().collect();
    let rank = |p: &str| -> u8 {
        match p {
            "a declaration" => 0,
            "a field" | "a field declaration" | "a variant" | "an enum value" | "a rule item" => 1,
            "a value" | "an expression" | "a type" => 2,
            "a name" => 3,
            "the end of the file" => 9,
            _ => 5,
        }
    };
    v.sort_by_key(|p| rank(p));
    // "a value" covers numbers and strings at the same place
    if v.contains(&"an operator") {
        v.retain(|p| !matches!(*p, "`in`" | "a comparison such as `<`"));
    }
    if v.contains(&"a value") || v.contains(&"an expression") {
        v.retain(|p| {
            !matches!(
                *p,
                "a number"
                    | "a string in quotes"
                    | "a name"
                    | "a rule code such as `MLA201`"
                    | "a comparison such as `<`"
                    | "a percentile such as `p99`"
            )
        });
    }
    if v.contains(&"a declaration") {
        v.retain(|p| *p != "the end of the file" && *p != "a name");
    }
    if v.contains(&"a field") || v.contains(&"a field declaration") || v.contains(&"a rule item") {
        v.retain(|p| *p != "a name");
    }
    v
}

fn summarise(expected: Vec<String>) -> String {
    let mut e = expected;
    e.truncate(5);
    match e.len() {
        0 => String::new(),
        1 => e.remove(0),
        _ => {
            let last = e.pop().unwrap_or_default();
            format!("{} or {last}", e.join(", "))
        }
    }
}

fn found_len(rest: &str) -> usize {
    let Some(c) = rest.chars().next() else {
        return 0;
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len())
    } else if c == '\n' || c == '\r' {
        0
    } else {
        c.len_utf8()
    }
}

fn describe_found(rest: &str) -> String {
    let Some(c) = rest.chars().next() else {
        return "the end of the file".into();
    };
    if c == '"' {
        return "a string".into();
    }
    if rest.starts_with("///") {
        return "a doc comment".into();
    }
    let len = found_len(rest);
    if len == 0 {
        return "the end of the line".into();
    }
    let tok = &rest[..len];
    if tok.starts_with(|c: char| c.is_ascii_digit()) {
        format!("the number `{tok}`")
    } else {
        format!("`{tok}`")
    }
}

/// A targeted hint for common slips, from the text before the error and the text at it.
fn hint(before: &str, rest: &str) -> Option<String> {
    let prev_char = before.chars().last().unwrap_or(' ');
    let next = rest.chars().next().unwrap_or(' ');
    let next2 = rest.chars().nth(1).unwrap_or(' ');
    let first_word = before.trim_start().split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
    let word_before: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let this_line_start = before.rsplit('\n').next().unwrap_or("").trim_start();
    // slips from other formats: YAML, JSON, shell comments, semicolons, bullet lists
    // `dataset icu:` then indented `n: 5` (YAML): the error lands on the indented field
    let lines: Vec<&str> = before.rsplit('\n').take(2).collect();
    if next == ':' && lines.len() == 2 && lines[1].trim_end().ends_with(':') && lines[0].starts_with([' ', '\t']) {
        let head = lines[1].trim().trim_end_matches(':');
        let mut w = head.split_whitespace();
        if let (Some(kind), Some(name), None) = (w.next(), w.next(), w.next()) {
            return Some(format!(
                "declarations use braces, not a colon and indentation: `{kind} {name} {{ … }}`, with the fields inside, separated by commas or new lines"
            ));
        }
    }
    if next == '#' {
        return Some("comments start with `//` (or `/* … */`), not `#`".into());
    }
    if next == ';' {
        return Some("separate fields with a comma or a new line, not `;`".into());
    }
    if next == '"' && rest[1..].split('"').nth(1).is_some_and(|after| after.trim_start().starts_with(':')) {
        let key = rest[1..].split('"').next().unwrap_or("name");
        return Some(format!("field names are not quoted: write `{key}:`"));
    }
    if this_line_start == "-"
        || this_line_start.starts_with("- ")
        || (next == '-' && next2 == ' ' && this_line_start.is_empty())
    {
        return Some("lists are written in brackets: `[a, b, c]`, not as `- item` lines".into());
    }
    // `a100 x 4`: the count comes first
    if let Some(head) = before.trim_end().strip_suffix(" x") {
        let device: String =
            head.trim_end().chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let device: String = device.chars().rev().collect();
        if next.is_ascii_digit() && device.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return Some(format!("the count comes first: write `{n} x {device}`"));
        }
    }
    if first_word == "import" && !before.contains('"') {
        return Some("put the path in double quotes: `import \"plan/data.mla\"`".into());
    }
    if next == '=' && next2 != '=' {
        return Some("fields are written `name: value`, with a colon".into());
    }
    if before.ends_with(':') && (next == '}' || next == '\n' || next == ',' || rest.trim().is_empty()) {
        return Some("write a value after the colon, or `unknown` if it is not known yet".into());
    }
    if next == '\'' {
        return Some("strings use double quotes: `\"…\"`".into());
    }
    if next == '-' && prev_char.is_ascii_digit() && next2.is_ascii_digit() {
        return Some("write a range with `..`, such as `2015..2023`".into());
    }
    if (next == 'x' && prev_char.is_ascii_digit()) || (next.is_ascii_digit() && before.trim_end().ends_with(" x")) {
        return Some(
            "write a shape without spaces, such as `512x512x3`; `1 x a100` (with spaces) is a count of devices".into(),
        );
    }
    if next.is_ascii_digit()
        && before.ends_with(',')
        && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit())
    {
        return Some("group digits with `_`, not `,`: `4_200`".into());
    }
    if next == '.' && !word_before.is_empty() && !word_before.starts_with(|c: char| c.is_ascii_digit()) {
        let after: String = rest[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        return Some(format!("names are letters, digits and `_`: write `{word_before}_{after}`"));
    }
    if prev_char == '.' && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit()) {
        return Some("a decimal point needs digits after it, such as `5.0`".into());
    }
    if !next.is_ascii() && !next.is_whitespace() {
        return Some("names and units use ASCII letters, digits and `_`; non-ASCII text goes in strings".into());
    }
    if before.ends_with('~') || before.ends_with("~ ") {
        return Some("write `~` right before the number, as in `~7_100`".into());
    }
    if before.ends_with('_') && prev_char == '_' {
        return Some("`_` separates digits, as in `4_200`; it cannot end a number or appear twice in a row".into());
    }
    let prev_line = before.rsplit('\n').nth(1).unwrap_or("").trim_end();
    let this_line = before.rsplit('\n').next().unwrap_or("").trim();
    if next == ':' {
        for op in ["and", "or", "not", "in", "is", "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!="] {
            let line = if this_line.is_empty() { prev_line } else { this_line };
            let line = if line.ends_with(op) { line } else { prev_line };
            if line.ends_with(op) && !line.ends_with(&format!("_{op}")) {
                return Some(format!(
                    "the expression on the line above ends with `{op}`; complete it or remove `{op}`"
                ));
            }
        }
    }
    None
}

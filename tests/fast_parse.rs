//! The hand-written parser for plan declarations (`src/syntax/fast.rs`) must build exactly
//! the trees and diagnostics pest and the lowering build, or give the segment back. Checked
//! on every `.mla` file of the repository and on mutations of the example plans.

mod common;

use mlarchc::source::FileId;

fn all_plans() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["specs", "tests/ui", "tests/calibration", "tests/rule-language", "stdlib"] {
        for p in common::mla_files(dir) {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            out.push((p.to_string_lossy().into_owned(), text));
        }
    }
    out
}

#[test]
fn the_fast_path_builds_the_trees_pest_builds() {
    let mut fast = 0;
    for (name, text) in all_plans() {
        match mlarchc::syntax::fast_path_agrees(FileId(0), &text) {
            Ok(n) => fast += n,
            Err(e) => panic!("{name}: {e}"),
        }
    }
    // most declarations of the examples take the fast path
    assert!(fast > 300, "only {fast} segments took the fast path");
}

/// Deterministic mutations of the example plans: delete, duplicate or swap characters
/// and insert tokens at many places; wherever the fast path accepts the result, it must
/// agree with pest.
#[test]
fn the_fast_path_agrees_with_pest_on_mutated_plans() {
    let inserts = [
        ",", ":", " ", "\n", "//c\n", "/* c */", "///d\n", "\"", "\"\"\"", "~", "..", "x", " x ", "-", "_", "1", "1e",
        "5k", "%", "ms", " steps", "p99 <", "<=", "(", ")", "[", "]", "{", "}", "\\", "é", "MLA1x", "true", "a-b",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut checked = 0;
    for (name, text) in all_plans().into_iter().filter(|(n, _)| n.starts_with("specs")) {
        for _ in 0..300 {
            let mut t = text.clone();
            let mut at = (next() as usize) % t.len().max(1);
            while !t.is_char_boundary(at) {
                at -= 1;
            }
            match next() % 3 {
                0 => {
                    let end = t[at..].char_indices().nth(1).map_or(t.len(), |(i, _)| at + i);
                    t.replace_range(at..end, "");
                }
                1 => t.insert_str(at, inserts[(next() as usize) % inserts.len()]),
                _ => {
                    let end = t[at..].char_indices().nth(3).map_or(t.len(), |(i, _)| at + i);
                    let piece = t[at..end].to_string();
                    t.insert_str(end, &piece);
                }
            }
            if let Err(e) = mlarchc::syntax::fast_path_agrees(FileId(0), &t) {
                panic!("{name} mutated at byte {at}: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

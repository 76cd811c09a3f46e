//! The one did-you-mean helper.
//!
//! Given a name the user wrote and the names that would have been valid, find the ones they
//! most likely meant, in this order: the same name ignoring case and `-`/`_`; the same words
//! in another order (`classification_binary`); the closest names by edit distance within a
//! third of the name's length (rustc's and Gleam's threshold), all of them when several are
//! equally close; a name that starts with the other (`training` → `train`, `f1_score` →
//! `f1`). Doc comments give a last chance: a candidate whose documentation contains every
//! word of the name (`learning_rate` → the field documented "learning rate").

/// Candidates that one pass of a check may compare with unknown names among the plan's own
/// declarations, whose count the plan decides (the references of every body share one
/// budget, the owners of attached declarations another): 20,000 unknown names against
/// 20,000 declarations would be 400 million comparisons. Past the budget an unknown name
/// gets no did-you-mean; a real plan with a hundred typos among ten thousand names stays
/// well within it.
pub const NAMES_BUDGET: usize = 1_000_000;

/// The closest candidates (at most three), best first.
pub fn did_you_mean_all<I, S>(name: &str, candidates: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut unlimited = usize::MAX;
    did_you_mean_within(name, candidates, &mut unlimited)
}

/// As [`did_you_mean_all`], comparing at most `budget` candidates (the budget left is
/// written back): nothing once it is spent, so every unknown name after that costs nothing.
pub fn did_you_mean_within<I, S>(name: &str, candidates: I, budget: &mut usize) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let norm = normalise(name);
    let words = sorted_words(&norm);
    let limit = (name.chars().count() / 3).max(1);
    let norm_len = norm.chars().count();
    let mut close: Vec<(usize, String)> = Vec::new();
    let mut prefix: Vec<String> = Vec::new();
    for cand in candidates {
        if *budget == 0 {
            return Vec::new();
        }
        *budget -= 1;
        let cand = cand.as_ref();
        if cand == name {
            continue;
        }
        let cn = normalise(cand);
        if cn == norm || (words.len() > 1 && sorted_words(&cn) == words) {
            return vec![cand.to_string()];
        }
        // an edit distance is at least the difference in length: most candidates need none
        let d = if cn.chars().count().abs_diff(norm_len) > limit {
            usize::MAX
        } else {
            strsim::damerau_levenshtein(&norm, &cn)
        };
        if d <= limit {
            close.push((d, cand.to_string()));
        } else if cn.len() >= 2 && norm.len() >= 4 && (norm.starts_with(&cn) || cn.starts_with(&norm)) {
            prefix.push(cand.to_string());
        }
    }
    if let Some(best) = close.iter().map(|(d, _)| *d).min() {
        let mut v: Vec<String> = close.into_iter().filter(|(d, _)| *d == best).map(|(_, s)| s).collect();
        v.dedup();
        v.truncate(3);
        return v;
    }
    prefix.truncate(2);
    prefix
}

/// The closest candidate, if one is close enough.
pub fn did_you_mean<I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    did_you_mean_all(name, candidates).into_iter().next()
}

/// The help line for an unknown name: "did you mean `x`?" (or "`x` or `y`?").
pub fn help<I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut unlimited = usize::MAX;
    help_within(name, candidates, &mut unlimited)
}

/// As [`help`], within a budget of candidates (see [`did_you_mean_within`]).
pub fn help_within<I, S>(name: &str, candidates: I, budget: &mut usize) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let found = did_you_mean_within(name, candidates, budget);
    if found.is_empty() {
        return None;
    }
    Some(format!("did you mean {}?", super::one_of(&found, "or")))
}

/// The candidate whose documentation mentions every word of `name` (`learning_rate`
/// matches a doc saying "the learning rate"), preferring the most specific doc (the one
/// where those words are the largest share). Only used when no name is close.
pub fn by_docs<'a, T>(name: &str, candidates: impl IntoIterator<Item = (T, &'a str)>) -> Option<T> {
    let words: Vec<String> = normalise(name).split('_').filter(|w| w.len() >= 2).map(str::to_string).collect();
    if words.is_empty() {
        return None;
    }
    let mut best: Option<(f32, T)> = None;
    for (cand, docs) in candidates {
        let docs = docs.to_lowercase();
        let doc_words: Vec<&str> = docs.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        if doc_words.is_empty() || !words.iter().all(|w| doc_words.contains(&w.as_str())) {
            continue;
        }
        let score = words.len() as f32 / doc_words.len() as f32;
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c)
}

fn normalise(s: &str) -> String {
    s.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

fn sorted_words(s: &str) -> Vec<&str> {
    let mut w: Vec<&str> = s.split('_').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_suggests_nothing_and_a_budget_counts_candidates() {
        let names = ["model_a", "model_b", "baseline"];
        let mut budget = 10;
        assert_eq!(did_you_mean_within("model_c", names, &mut budget), vec!["model_a", "model_b"]);
        assert_eq!(budget, 7);
        let mut spent = 0;
        assert!(did_you_mean_within("model_c", names, &mut spent).is_empty());
        // the length filter skips only what the edit distance would reject
        assert_eq!(did_you_mean_all("resnet5", ["resnet50", "resnet152"]), vec!["resnet50"]);
    }

    #[test]
    fn case_and_dashes_first() {
        assert_eq!(did_you_mean("gb", ["GHz", "GB"]).as_deref(), Some("GB"));
        assert_eq!(did_you_mean("by-patient", ["by_patient", "by_time"]).as_deref(), Some("by_patient"));
    }

    #[test]
    fn edit_distance_within_a_third() {
        assert_eq!(did_you_mean("datset", ["dataset", "model"]).as_deref(), Some("dataset"));
        assert_eq!(did_you_mean("xyz", ["dataset", "model"]), None);
    }

    #[test]
    fn ties_reordered_words_and_prefixes() {
        assert_eq!(
            did_you_mean_all("efficientnet_b4", ["efficientnet_b0", "efficientnet_b3", "resnet50"]),
            ["efficientnet_b0", "efficientnet_b3"]
        );
        assert_eq!(
            did_you_mean("classification_binary", ["classification", "binary_classification"]).as_deref(),
            Some("binary_classification")
        );
        assert_eq!(did_you_mean("training", ["train", "model"]).as_deref(), Some("train"));
        assert_eq!(did_you_mean("f1_score", ["f1", "auroc"]).as_deref(), Some("f1"));
    }

    #[test]
    fn docs_as_a_last_resort() {
        let fields =
            [("batch", "examples per step"), ("optimizer", "the optimiser, its learning rate and weight decay")];
        assert_eq!(by_docs("learning_rate", fields), Some("optimizer"));
        let specific = [("lr_scaling", "how the learning rate follows the batch size"), ("lr", "the learning rate")];
        assert_eq!(by_docs("learning_rate", specific), Some("lr"));
        assert_eq!(by_docs("momentum", fields), None);
    }
}

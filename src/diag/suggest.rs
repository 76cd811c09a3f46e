//! The one did-you-mean helper.
//!
//! Given a name the user wrote and the names that would have been valid, pick the one they
//! most likely meant: an exact match ignoring case and `-`/`_` first, then the closest by
//! edit distance within a third of the name's length (rustc's and Gleam's threshold).

/// The closest candidate, if one is close enough.
pub fn did_you_mean<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    let norm = normalise(name);
    let mut best: Option<(usize, String)> = None;
    let limit = (name.chars().count() / 3).max(1);
    for cand in candidates {
        let cand = cand.as_ref();
        if cand == name {
            continue;
        }
        let cn = normalise(cand);
        if cn == norm {
            return Some(cand.to_string());
        }
        let d = strsim::damerau_levenshtein(&norm, &cn);
        // A candidate that starts with the name (`lr` → `lr_scaling`) is a weaker hint.
        if d <= limit && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, cand.to_string()));
        }
    }
    best.map(|(_, s)| s)
}

/// The help line for an unknown name: "did you mean `x`?", if there is a close one.
pub fn help<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    did_you_mean(name, candidates).map(|s| format!("did you mean `{s}`?"))
}

fn normalise(s: &str) -> String {
    s.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

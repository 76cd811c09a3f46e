//! Decoding numeric literals: `4_200`, `0.5`, `1e-3`, `4.2k`, `25M`, `7B`, `2T`.
//!
//! The value is computed exactly from the decimal digits, so `6.74B` is the integer
//! 6,740,000,000 and a count can be checked for wholeness and overflow without rounding.

use super::ast::Exact;

/// Decodes a literal (without unit) into its value and exact integer form.
pub fn decode(text: &str) -> (f64, Exact) {
    plain_integer(text).unwrap_or_else(|| general(text))
}

fn general(text: &str) -> (f64, Exact) {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.as_str()),
    };
    let (body, suffix_exp) = match body.chars().last() {
        Some('k') => (&body[..body.len() - 1], 3),
        Some('M') => (&body[..body.len() - 1], 6),
        Some('B') => (&body[..body.len() - 1], 9),
        Some('T') => (&body[..body.len() - 1], 12),
        _ => (body, 0),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e = &body[i + 1..];
            let fallback = if e.starts_with('-') { i64::MIN / 4 } else { i64::MAX / 4 };
            (&body[..i], e.parse::<i64>().unwrap_or(fallback))
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int_part}{frac_part}");
    let scale = exp + suffix_exp - frac_part.len() as i64;
    let sign = if negative { "-" } else { "" };
    let value: f64 = format!("{sign}{digits}e{scale}").parse().unwrap_or(f64::NAN);
    (value, exact(&digits, scale, negative))
}

/// Most literals are plain integers (`800`, `25M`): read them without building strings.
/// The value is the same correctly rounded `f64` the general path parses.
fn plain_integer(text: &str) -> Option<(f64, Exact)> {
    let (body, scale) = match text.as_bytes().last()? {
        b'k' => (&text[..text.len() - 1], 1_000),
        b'M' => (&text[..text.len() - 1], 1_000_000),
        b'B' => (&text[..text.len() - 1], 1_000_000_000),
        b'T' => (&text[..text.len() - 1], 1_000_000_000_000),
        _ => (text, 1),
    };
    if body.is_empty() || body.len() > 18 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = body.parse::<i64>().ok()?.checked_mul(scale)?;
    Some((v as f64, Exact::Int((v as i128).into())))
}

fn exact(digits: &str, scale: i64, negative: bool) -> Exact {
    let (kept, dropped) = if scale >= 0 {
        (digits, "")
    } else {
        let cut = digits.len().saturating_sub(scale.unsigned_abs() as usize);
        digits.split_at(cut)
    };
    if dropped.bytes().any(|b| b != b'0') {
        return Exact::Fractional;
    }
    let kept = kept.trim_start_matches('0');
    if kept.is_empty() {
        return Exact::Int(0.into());
    }
    let Ok(mut v) = kept.parse::<i128>() else {
        return Exact::TooLarge;
    };
    if scale > 0 {
        let Some(p) = u32::try_from(scale).ok().and_then(|s| 10i128.checked_pow(s)) else {
            return Exact::TooLarge;
        };
        match v.checked_mul(p) {
            Some(x) => v = x,
            None => return Exact::TooLarge,
        }
    }
    Exact::Int((if negative { -v } else { v }).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_suffixes() {
        assert_eq!(decode("4_200"), (4200.0, Exact::Int(4200.into())));
        assert_eq!(decode("4.2k").1, Exact::Int(4200.into()));
        assert_eq!(decode("6.74B").1, Exact::Int(6_740_000_000.into()));
        assert_eq!(decode("2T").1, Exact::Int(2_000_000_000_000.into()));
        assert_eq!(decode("1e3").1, Exact::Int(1000.into()));
        assert_eq!(decode("-3").1, Exact::Int((-3i128).into()));
        assert_eq!(decode("0.0").1, Exact::Int(0.into()));
    }

    #[test]
    fn fractions() {
        assert_eq!(decode("0.5").1, Exact::Fractional);
        assert_eq!(decode("1e-3"), (0.001, Exact::Fractional));
        assert_eq!(decode("4.25k").1, Exact::Int(4250.into()));
        assert_eq!(decode("4.2501k").1, Exact::Fractional);
    }

    #[test]
    fn the_integer_path_agrees_with_the_general_one() {
        let mut x: u64 = 1;
        for _ in 0..2000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let digits = (x >> (x % 60)).to_string();
            for suffix in ["", "k", "M", "B", "T"] {
                let text = format!("{digits}{suffix}");
                assert_eq!(decode(&text), general(&text), "{text}");
            }
        }
        for text in ["0", "007", "999999999999999999", "9999999999999999999", "18446744073709551615T"] {
            assert_eq!(decode(text), general(text), "{text}");
        }
    }

    #[test]
    fn overflow() {
        assert_eq!(decode("99999999999999999999999999999999999999999T").1, Exact::TooLarge);
        assert_eq!(decode("1e40").1, Exact::TooLarge);
        assert!(decode("1e999").0.is_infinite());
    }
}

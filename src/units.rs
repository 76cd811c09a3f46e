//! The one unit table of the language.
//!
//! Every unit a literal may carry is listed here with its dimension and its factor to the
//! dimension's base unit. Nothing else in the compiler knows unit spellings: the parser
//! keeps the unit text, the lowering looks it up here, and types name dimensions.

use std::fmt;

/// The dimension of a quantity. Each has one base unit; values are stored in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// base: second
    Duration,
    /// base: hertz (events per second)
    Frequency,
    /// base: byte
    Bytes,
    /// base: byte per second
    Bandwidth,
    /// base: floating-point operation
    Flop,
    /// base: operation per second
    FlopRate,
    /// base: watt
    Power,
    /// base: degree
    Angle,
    /// base: US dollar
    Money,
    /// base: US dollar per hour
    MoneyRate,
    /// `%`: a number divided by 100
    Percent,
    /// `steps`: optimiser steps
    Steps,
    /// `epochs`: passes over the training set
    Epochs,
    /// `tokens`, `samples`: a decoration on a count, factor 1
    CountNoun,
}

impl Dim {
    /// The dimension in words, with an article, as used in "expected …, found …".
    pub fn phrase(self) -> &'static str {
        match self {
            Dim::Duration => "a duration",
            Dim::Frequency => "a frequency",
            Dim::Bytes => "bytes",
            Dim::Bandwidth => "a bandwidth",
            Dim::Flop => "an amount of compute",
            Dim::FlopRate => "a compute rate",
            Dim::Power => "a power",
            Dim::Angle => "an angle",
            Dim::Money => "an amount of money",
            Dim::MoneyRate => "a price per hour",
            Dim::Percent => "a percentage",
            Dim::Steps | Dim::Epochs => "training progress",
            Dim::CountNoun => "a count",
        }
    }

    /// The name of the dimension as a type in the schema language, if it is one.
    pub fn type_name(self) -> &'static str {
        match self {
            Dim::Duration => "duration",
            Dim::Frequency => "frequency",
            Dim::Bytes => "bytes",
            Dim::Bandwidth => "bandwidth",
            Dim::Flop => "flop",
            Dim::FlopRate => "flop_rate",
            Dim::Power => "power",
            Dim::Angle => "angle",
            Dim::Money => "money",
            Dim::MoneyRate => "money_rate",
            Dim::Percent => "fraction",
            Dim::Steps | Dim::Epochs => "progress",
            Dim::CountNoun => "count",
        }
    }

    /// A typical literal of this dimension, used in help lines ("add a unit such as `200ms`").
    pub fn example(self) -> &'static str {
        match self {
            Dim::Duration => "200ms",
            Dim::Frequency => "16kHz",
            Dim::Bytes => "2GB",
            Dim::Bandwidth => "900GB/s",
            Dim::Flop => "4.1GFLOP",
            Dim::FlopRate => "312TFLOPS",
            Dim::Power => "15W",
            Dim::Angle => "10deg",
            Dim::Money => "500USD",
            Dim::MoneyRate => "2.0USD/h",
            Dim::Percent => "9%",
            Dim::Steps | Dim::Epochs => "500 steps",
            Dim::CountNoun => "1000 tokens",
        }
    }

    /// The dimensions a type name in the schema may denote.
    pub fn from_type_name(name: &str) -> Option<Dim> {
        Some(match name {
            "duration" => Dim::Duration,
            "frequency" => Dim::Frequency,
            "bytes" => Dim::Bytes,
            "bandwidth" => Dim::Bandwidth,
            "flop" => Dim::Flop,
            "flop_rate" => Dim::FlopRate,
            "power" => Dim::Power,
            "angle" => Dim::Angle,
            "money" => Dim::Money,
            "money_rate" => Dim::MoneyRate,
            _ => return None,
        })
    }

    /// The unit a value of this dimension is best shown in, for a value in base units.
    pub fn display(self, base: f64) -> String {
        let pick: &[(&str, f64)] = match self {
            Dim::Duration => &[("d", 86_400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("us", 1e-6)],
            Dim::Frequency => &[("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3), ("Hz", 1.0)],
            Dim::Bytes => &[("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("bytes", 1.0)],
            Dim::Bandwidth => &[("TB/s", 1e12), ("GB/s", 1e9), ("MB/s", 1e6), ("KB/s", 1e3)],
            Dim::Flop => {
                &[("EFLOP", 1e18), ("PFLOP", 1e15), ("TFLOP", 1e12), ("GFLOP", 1e9), ("MFLOP", 1e6), ("FLOP", 1.0)]
            }
            Dim::FlopRate => &[("PFLOPS", 1e15), ("TFLOPS", 1e12), ("GFLOPS", 1e9), ("MFLOPS", 1e6), ("FLOPS", 1.0)],
            Dim::Power => &[("kW", 1e3), ("W", 1.0), ("mW", 1e-3)],
            Dim::Angle => &[("deg", 1.0)],
            Dim::Money => &[("USD", 1.0)],
            Dim::MoneyRate => &[("USD/h", 1.0)],
            Dim::Percent => &[("%", 0.01)],
            Dim::Steps => &[("steps", 1.0)],
            Dim::Epochs => &[("epochs", 1.0)],
            Dim::CountNoun => &[("", 1.0)],
        };
        let (unit, factor) = pick.iter().find(|(_, f)| base.abs() >= *f).or(pick.last()).copied().unwrap_or(("", 1.0));
        let n = base / factor;
        let mut text = if (n - n.round()).abs() < 1e-9 { integral(n.round()) } else { trimmed(n, 3) };
        if unit.len() > 2 && unit.chars().all(|c| c.is_ascii_lowercase()) {
            text.push(' ');
        }
        text.push_str(unit);
        text
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phrase())
    }
}

/// One spelling of a unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitDef {
    pub name: &'static str,
    pub dim: Dim,
    /// multiply a literal by this to get base units
    pub factor: f64,
}

const fn u(name: &'static str, dim: Dim, factor: f64) -> UnitDef {
    UnitDef { name, dim, factor }
}

/// The unit table. Decimal prefixes are powers of ten, binary ones powers of two; a bare
/// `B` is never a byte (it is the billion suffix), so bytes always need `KB`, `GB`, ….
pub const UNITS: &[UnitDef] = &[
    // durations (base: second)
    u("ns", Dim::Duration, 1e-9),
    u("us", Dim::Duration, 1e-6),
    u("ms", Dim::Duration, 1e-3),
    u("s", Dim::Duration, 1.0),
    u("min", Dim::Duration, 60.0),
    u("h", Dim::Duration, 3600.0),
    u("d", Dim::Duration, 86_400.0),
    u("wk", Dim::Duration, 604_800.0),
    u("y", Dim::Duration, 31_557_600.0), // Julian year, 365.25 d
    // frequencies (base: hertz)
    u("Hz", Dim::Frequency, 1.0),
    u("kHz", Dim::Frequency, 1e3),
    u("MHz", Dim::Frequency, 1e6),
    u("GHz", Dim::Frequency, 1e9),
    u("qps", Dim::Frequency, 1.0),
    u("fps", Dim::Frequency, 1.0),
    // bytes (base: byte)
    u("KB", Dim::Bytes, 1e3),
    u("MB", Dim::Bytes, 1e6),
    u("GB", Dim::Bytes, 1e9),
    u("TB", Dim::Bytes, 1e12),
    u("PB", Dim::Bytes, 1e15),
    u("KiB", Dim::Bytes, 1024.0),
    u("MiB", Dim::Bytes, 1_048_576.0),
    u("GiB", Dim::Bytes, 1_073_741_824.0),
    u("TiB", Dim::Bytes, 1_099_511_627_776.0),
    // bandwidth (base: byte per second)
    u("KB/s", Dim::Bandwidth, 1e3),
    u("MB/s", Dim::Bandwidth, 1e6),
    u("GB/s", Dim::Bandwidth, 1e9),
    u("TB/s", Dim::Bandwidth, 1e12),
    u("GiB/s", Dim::Bandwidth, 1_073_741_824.0),
    // compute (base: FLOP); one multiply-accumulate is two FLOPs
    u("FLOP", Dim::Flop, 1.0),
    u("kFLOP", Dim::Flop, 1e3),
    u("MFLOP", Dim::Flop, 1e6),
    u("GFLOP", Dim::Flop, 1e9),
    u("TFLOP", Dim::Flop, 1e12),
    u("PFLOP", Dim::Flop, 1e15),
    u("EFLOP", Dim::Flop, 1e18),
    u("ZFLOP", Dim::Flop, 1e21),
    u("YFLOP", Dim::Flop, 1e24),
    u("MMAC", Dim::Flop, 2e6),
    u("GMAC", Dim::Flop, 2e9),
    u("TMAC", Dim::Flop, 2e12),
    // compute rates (base: operation per second)
    u("FLOPS", Dim::FlopRate, 1.0),
    u("MFLOPS", Dim::FlopRate, 1e6),
    u("GFLOPS", Dim::FlopRate, 1e9),
    u("TFLOPS", Dim::FlopRate, 1e12),
    u("PFLOPS", Dim::FlopRate, 1e15),
    u("EFLOPS", Dim::FlopRate, 1e18),
    u("GOPS", Dim::FlopRate, 1e9),
    u("TOPS", Dim::FlopRate, 1e12),
    // power (base: watt)
    u("mW", Dim::Power, 1e-3),
    u("W", Dim::Power, 1.0),
    u("kW", Dim::Power, 1e3),
    // angles (base: degree)
    u("deg", Dim::Angle, 1.0),
    u("rad", Dim::Angle, 57.295_779_513_082_32),
    // percentages
    u("%", Dim::Percent, 0.01),
    // money (base: US dollar) and prices (base: US dollar per hour)
    u("USD", Dim::Money, 1.0),
    u("kUSD", Dim::Money, 1e3),
    u("USD/h", Dim::MoneyRate, 1.0),
    // training progress
    u("steps", Dim::Steps, 1.0),
    u("step", Dim::Steps, 1.0),
    u("epochs", Dim::Epochs, 1.0),
    u("epoch", Dim::Epochs, 1.0),
    // counted nouns: decoration on a count
    u("tokens", Dim::CountNoun, 1.0),
    u("samples", Dim::CountNoun, 1.0),
];

/// Looks a unit up by its exact spelling.
pub fn lookup(name: &str) -> Option<&'static UnitDef> {
    UNITS.iter().find(|d| d.name == name)
}

/// Spellings that are common but ambiguous, with what to write instead.
pub fn confusable(name: &str) -> Option<&'static str> {
    Some(match name {
        "FLOPs" | "GFLOPs" | "TFLOPs" | "MFLOPs" | "PFLOPs" | "EFLOPs" => {
            "`FLOPs` is ambiguous: write `GFLOP` for an amount of compute or `GFLOPS` for a rate"
        }
        "GMACs" | "MACs" | "MMACs" => "write `GMAC` (one multiply-accumulate counts as two FLOP)",
        "b" | "bytes" | "byte" => "a byte amount needs a prefix, such as `KB`, `MB` or `GB`",
        "usd" | "dollars" | "dollar" => "write money as `USD`, such as `2.5USD`",
        "sec" | "secs" | "second" | "seconds" => "write seconds as `s`",
        "msec" | "msecs" | "millis" | "milliseconds" => "write milliseconds as `ms`",
        "m" | "mins" | "minute" | "minutes" => "write minutes as `min`",
        "hr" | "hrs" | "hour" | "hours" => "write hours as `h`",
        "day" | "days" => "write days as `d`",
        "w" | "week" | "weeks" => "write weeks as `wk`",
        "yr" | "yrs" | "year" | "years" => "write years as `y`",
        "k" | "M" | "B" | "T" => "an SI suffix (`k`, `M`, `B`, `T`) cannot follow an exponent; write `1e6` or `1M`",
        "hz" | "khz" | "mhz" | "ghz" => "frequencies are `Hz`, `kHz`, `MHz`, `GHz`",
        _ if name.len() > 3 && name.ends_with('s') && name.bytes().all(|b| b.is_ascii_lowercase()) => {
            "a count takes no unit except `tokens` or `samples`; write the number alone and say what it counts in a comment"
        }
        _ => return None,
    })
}

/// Every spelling, for did-you-mean suggestions.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    UNITS.iter().map(|d| d.name)
}

/// `x` with `decimals` (at most 3) places, then without trailing zeros or a bare point:
/// what `format!("{x:.3}")` and trimming give (`0.64`, `12.3`, `2`), without the cost of
/// the general float formatter on the common case. A value whose rounding is a near tie,
/// rounds to zero, or is too large for the integer path takes the formatter.
pub fn trimmed(x: f64, decimals: u32) -> String {
    let scale = [1.0, 10.0, 100.0, 1000.0][decimals.min(3) as usize];
    let m = (x * scale).abs();
    // `x * scale` is off from the exact product by at most half an ulp of `m`: a fraction
    // that close to one half could round either way, so the formatter decides it
    let near_tie = (m.fract() - 0.5).abs() <= 1e-9 + m * 1e-15;
    if !(0.5..1e15).contains(&m) || near_tie || decimals > 3 {
        let s = format!("{x:.prec$}", prec = decimals as usize);
        return if decimals == 0 { s } else { s.trim_end_matches('0').trim_end_matches('.').to_string() };
    }
    let n = m.round() as u64;
    let unit = scale as u64;
    let mut out = String::with_capacity(24);
    if x < 0.0 {
        out.push('-');
    }
    out.push_str(&(n / unit).to_string());
    let frac = n % unit;
    if frac != 0 {
        let mut digits = [b'0'; 3];
        let mut f = frac;
        for k in (0..decimals as usize).rev() {
            digits[k] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.push('.');
        let kept = digits[..decimals as usize].iter().rposition(|&b| b != b'0').map_or(0, |p| p + 1);
        out.extend(digits[..kept].iter().map(|&b| b as char));
    }
    out
}

/// `head` with `rest` appended: what `format!` would build for these pieces, without its
/// machinery (the cost model names thousands of values on a large plan, the review places
/// thousands of findings).
pub fn cat(mut head: String, rest: &[&str]) -> String {
    head.reserve(rest.iter().map(|r| r.len()).sum());
    for r in rest {
        head.push_str(r);
    }
    head
}

/// A whole number as `format!("{}", x)` shows it (`1234`), through the integer formatter
/// where it is exact.
pub fn integral(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 && x != 0.0 {
        (x as i64).to_string()
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_unique() {
        let mut names: Vec<_> = all_names().collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn mac_is_two_flop() {
        assert_eq!(lookup("GMAC").unwrap().factor, 2.0 * lookup("GFLOP").unwrap().factor);
    }

    #[test]
    fn display_picks_a_readable_unit() {
        assert_eq!(Dim::Duration.display(0.2), "200ms");
        assert_eq!(Dim::Bytes.display(2e9), "2GB");
        assert_eq!(Dim::Steps.display(500.0), "500 steps");
    }

    #[test]
    fn fast_number_text_is_the_formatters() {
        let mut x: u64 = 7;
        for i in 0..200_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mantissa = (x >> 11) as f64 / (1u64 << 53) as f64;
            let v = mantissa * 10f64.powi(i % 19 - 6) * if i % 3 == 0 { -1.0 } else { 1.0 };
            for d in 0..=3u32 {
                let slow = format!("{v:.prec$}", prec = d as usize);
                let slow = if d == 0 { slow } else { slow.trim_end_matches('0').trim_end_matches('.').to_string() };
                assert_eq!(trimmed(v, d), slow, "{v} to {d}");
            }
            let w = (v * 1000.0).round();
            assert_eq!(integral(w), format!("{w}"), "{w}");
        }
        for v in [0.0, -0.0, 0.0005, 0.0015, 2.5, 0.125, 1e20, -1e-9, f64::NAN, f64::INFINITY] {
            assert_eq!(trimmed(v, 3), {
                let s = format!("{v:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            });
            assert_eq!(integral(v), format!("{v}"));
        }
    }
}

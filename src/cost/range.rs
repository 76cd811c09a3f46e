//! Intervals and estimates: the one place where arithmetic on ranges is defined.
//!
//! Every quantity the cost model computes is non-negative, so interval arithmetic is the
//! simple kind: `[a, b] + [c, d] = [a + c, b + d]`, `[a, b] × [c, d] = [ac, bd]`,
//! `[a, b] / [c, d] = [a / d, b / c]`. An unbounded high end (`f64::INFINITY`) stands for a
//! term the plan does not let us size; the low end is then still a valid lower bound.

use crate::units::{cat, Dim};
use serde::Serialize;
use std::ops::{Add, Div, Mul};

/// A closed interval `[lo, hi]` of non-negative numbers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Range {
    pub lo: f64,
    pub hi: f64,
}

impl Range {
    pub const ZERO: Range = Range { lo: 0.0, hi: 0.0 };
    /// a term whose size is not known: zero or more
    pub const UNKNOWN: Range = Range { lo: 0.0, hi: f64::INFINITY };

    pub fn new(a: f64, b: f64) -> Range {
        if a <= b {
            Range { lo: a, hi: b }
        } else {
            Range { lo: b, hi: a }
        }
    }

    pub fn point(x: f64) -> Range {
        Range { lo: x, hi: x }
    }

    pub fn scale(self, k: f64) -> Range {
        Range::new(self.lo * k, self.hi * k)
    }

    pub fn max(self, o: Range) -> Range {
        Range { lo: self.lo.max(o.lo), hi: self.hi.max(o.hi) }
    }

    pub fn min(self, o: Range) -> Range {
        Range { lo: self.lo.min(o.lo), hi: self.hi.min(o.hi) }
    }

    /// The smallest range holding both.
    pub fn hull(self, o: Range) -> Range {
        Range { lo: self.lo.min(o.lo), hi: self.hi.max(o.hi) }
    }

    pub fn bounded(self) -> bool {
        self.hi.is_finite()
    }

    /// The geometric middle, the figure a single-number estimator would print.
    pub fn mid(self) -> f64 {
        if !self.bounded() {
            self.lo
        } else if self.lo > 0.0 {
            (self.lo * self.hi).sqrt()
        } else {
            self.hi / 2.0
        }
    }

    /// high / low, the width users judge an estimate by.
    pub fn width(self) -> f64 {
        if self.lo > 0.0 {
            self.hi / self.lo
        } else {
            f64::INFINITY
        }
    }

    pub fn contains(self, x: f64) -> bool {
        // a hair of tolerance for the rounding of published figures
        x >= self.lo * (1.0 - 1e-9) && x <= self.hi * (1.0 + 1e-9)
    }

    pub fn sum<I: IntoIterator<Item = Range>>(items: I) -> Range {
        items.into_iter().fold(Range::ZERO, |a, b| a + b)
    }

    pub fn ceil(self) -> Range {
        Range { lo: self.lo.ceil(), hi: self.hi.ceil() }
    }
}

impl std::iter::Sum<Range> for Range {
    fn sum<I: Iterator<Item = Range>>(iter: I) -> Range {
        Range::sum(iter)
    }
}

impl Add for Range {
    type Output = Range;
    fn add(self, o: Range) -> Range {
        Range { lo: self.lo + o.lo, hi: self.hi + o.hi }
    }
}

impl Mul for Range {
    type Output = Range;
    fn mul(self, o: Range) -> Range {
        // 0 × ∞ is 0 here: a term that is certainly absent stays absent
        let m = |a: f64, b: f64| if a == 0.0 || b == 0.0 { 0.0 } else { a * b };
        Range { lo: m(self.lo, o.lo), hi: m(self.hi, o.hi) }
    }
}

impl Div for Range {
    type Output = Range;
    fn div(self, o: Range) -> Range {
        let d = |a: f64, b: f64| {
            if a == 0.0 {
                0.0
            } else if b == 0.0 {
                f64::INFINITY
            } else {
                a / b
            }
        };
        Range { lo: d(self.lo, o.hi), hi: d(self.hi, o.lo) }
    }
}

/// What an estimate measures, for display and for the JSON's base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Count,
    Flop,
    Bytes,
    Seconds,
    /// device-hours: seconds, shown in hours whatever their size
    Hours,
    Usd,
    PerSecond,
}

impl Measure {
    pub fn dim(self) -> Option<Dim> {
        match self {
            Measure::Count => None,
            Measure::Flop => Some(Dim::Flop),
            Measure::Bytes => Some(Dim::Bytes),
            Measure::Seconds | Measure::Hours => Some(Dim::Duration),
            Measure::Usd => Some(Dim::Money),
            Measure::PerSecond => Some(Dim::Frequency),
        }
    }

    /// The base unit the JSON states values in.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Flop => "FLOP",
            Measure::Bytes => "bytes",
            Measure::Seconds | Measure::Hours => "seconds",
            Measure::Usd => "USD",
            Measure::PerSecond => "per_second",
        }
    }

    /// One value in words: `136k`, `8.2 GFLOP`, `340 KB`, `2.4 h`.
    pub fn show(self, x: f64) -> String {
        if !x.is_finite() {
            return "unbounded".into();
        }
        match self {
            Measure::Count => count(x),
            Measure::Seconds => duration(x),
            Measure::Hours if x < 3600.0 => duration(x),
            Measure::Hours => cat(count(x / 3600.0), &[" h"]),
            Measure::PerSecond => cat(sig(x), &["/s"]),
            Measure::Bytes => si(x, &[(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")], "bytes"),
            Measure::Flop => si(
                x,
                &[
                    (1e24, "YFLOP"),
                    (1e21, "ZFLOP"),
                    (1e18, "EFLOP"),
                    (1e15, "PFLOP"),
                    (1e12, "TFLOP"),
                    (1e9, "GFLOP"),
                    (1e6, "MFLOP"),
                ],
                "FLOP",
            ),
            Measure::Usd => cat(if x >= 1e3 { count(x) } else { sig(x) }, &[" USD"]),
        }
    }

    /// A range in words: `340–410 KB`, `at least 2 GB`, `7.24B`.
    pub fn show_range(self, r: Range) -> String {
        if !r.bounded() {
            return cat("at least ".into(), &[&self.show(r.lo)]);
        }
        let (lo, hi) = (self.show(r.lo), self.show(r.hi));
        if lo == hi {
            return lo;
        }
        // `340 KB` and `410 KB` share the unit: `340–410 KB`
        match (lo.rsplit_once(' '), hi.rsplit_once(' ')) {
            (Some((a, u1)), Some((b, u2))) if u1 == u2 => cat(a.to_string(), &["–", b, " ", u1]),
            _ => cat(lo, &["–", &hi]),
        }
    }
}

/// Three significant figures, then trimmed: `0.6404`, `12.3`, `1,234`.
fn round3(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let mag = 10f64.powi(x.abs().log10().floor() as i32 - 2);
    (x / mag).round() * mag
}

fn sig(x: f64) -> String {
    let r = round3(x);
    if r.abs() >= 100.0 {
        crate::units::integral(r.round())
    } else {
        crate::units::trimmed(r, 3)
    }
}

/// A value with the largest unit it reaches: `340 KB`, `8.18 GFLOP`.
fn si(x: f64, units: &[(f64, &str)], base: &str) -> String {
    match units.iter().find(|(f, _)| x.abs() >= *f) {
        Some((f, u)) => cat(sig(x / f), &[" ", u]),
        None => cat(sig(x), &[" ", base]),
    }
}

/// `1.01`, `1.5`.
pub fn factor(x: f64) -> String {
    crate::units::trimmed(x, 2)
}

/// `25557032` → `25,557,032`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A peak rate: `989 TFLOPS`, `864 MOPS` for integer precisions.
pub fn rate(x: f64, precision: &str) -> String {
    let flops = Measure::Flop.show(x);
    let per_second = if precision.starts_with("int") { "OPS" } else { "FLOPS" };
    match flops.strip_suffix("FLOP") {
        Some(stem) => cat(stem.to_string(), &[per_second]),
        None => flops,
    }
}

/// `136k`, `7.24B`, `25.6M`, `950`.
pub fn count(x: f64) -> String {
    for (f, s) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")] {
        if x.abs() >= f {
            return cat(sig(x / f), &[s]);
        }
    }
    sig(x)
}

/// `35 %`, `20–40 %`.
pub fn pct(r: Range) -> String {
    let f = |x: f64| {
        let v = x * 100.0;
        if v >= 10.0 {
            crate::units::integral(v.round())
        } else {
            crate::units::trimmed(v, 1)
        }
    };
    if (r.lo - r.hi).abs() < 1e-12 {
        cat(f(r.lo), &[" %"])
    } else {
        cat(f(r.lo), &["–", &f(r.hi), " %"])
    }
}

/// `0.64 ms`, `38 s`, `2.4 h`, `3.1 d`, `9.4 wk`.
pub fn duration(x: f64) -> String {
    let (v, u) = if x < 1e-4 {
        (x * 1e6, "µs")
    } else if x < 1.0 {
        (x * 1e3, "ms")
    } else if x < 120.0 {
        (x, "s")
    } else if x < 2.0 * 3600.0 {
        (x / 60.0, "min")
    } else if x < 3.0 * 86_400.0 {
        (x / 3600.0, "h")
    } else if x < 21.0 * 86_400.0 {
        (x / 86_400.0, "d")
    } else if x < 365.25 * 86_400.0 {
        (x / 604_800.0, "wk")
    } else {
        (x / 31_557_600.0, "y")
    };
    cat(sig(v), &[" ", u])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_arithmetic() {
        let a = Range::new(2.0, 3.0);
        let b = Range::new(4.0, 5.0);
        assert_eq!(a + b, Range::new(6.0, 8.0));
        assert_eq!(a * b, Range::new(8.0, 15.0));
        assert_eq!(b / a, Range::new(4.0 / 3.0, 2.5));
        assert_eq!(Range::ZERO * Range::UNKNOWN, Range::ZERO);
        assert!(!(a + Range::UNKNOWN).bounded());
        assert_eq!((a + Range::UNKNOWN).lo, 2.0);
    }

    #[test]
    fn ranges_read_well() {
        assert_eq!(Measure::Bytes.show_range(Range::new(340e3, 410e3)), "340–410 KB");
        assert_eq!(Measure::Count.show_range(Range::point(136_000.0)), "136k");
        assert_eq!(Measure::Count.show_range(Range::point(7.24e9)), "7.24B");
        assert_eq!(Measure::Seconds.show_range(Range::new(0.00064, 0.00071)), "0.64–0.71 ms");
        assert_eq!(Measure::Bytes.show_range(Range::new(2e9, f64::INFINITY)), "at least 2 GB");
        assert_eq!(duration(8640.0), "2.4 h");
    }
}

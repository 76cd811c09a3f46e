//! SVG pictures the report embeds where a picture reads better than a table: every
//! estimate that has a limit, drawn as its range against that limit on one log axis
//! ("× the budget"), and the findings per review section by severity. Plain SVG 1.1, no
//! scripts or external fonts, so GitHub, MkDocs and a browser render it the same.

use crate::emit::text::xml;

pub struct Bar {
    pub label: String,
    /// the estimate's range divided by the limit
    pub lo: f64,
    pub hi: f64,
    pub text: String,
    /// `within`, `at_risk`, `over`
    pub verdict: String,
}

const W: f64 = 760.0;
const LEFT: f64 = 250.0;
const RIGHT: f64 = 150.0;

/// The document's opening: size, title, white background, heading.
fn open(title: &str, h: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n\
         <title>{t}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{t}</text>\n",
        t = xml(title)
    )
}

fn colour(verdict: &str) -> &'static str {
    match verdict {
        "over" => "#c62828",
        "at_risk" => "#e08e00",
        _ => "#2e7d32",
    }
}

/// Ranges against their limits, on a log axis where 1 is the limit.
pub fn budget(title: &str, bars: &[Bar]) -> String {
    let row = 30.0;
    let top = 46.0;
    let h = top + row * bars.len() as f64 + 40.0;
    let finite = |x: f64| x.is_finite() && x > 0.0;
    let lo = bars.iter().map(|b| b.lo).filter(|x| finite(*x)).fold(0.5f64, f64::min).max(1e-4);
    let hi = bars.iter().map(|b| b.hi).filter(|x| finite(*x)).fold(2.0f64, f64::max).min(1e4);
    let (l0, l1) = (lo.log10().floor(), hi.log10().ceil());
    let plot = W - LEFT - RIGHT;
    let x = |v: f64| LEFT + plot * ((v.clamp(10f64.powf(l0), 10f64.powf(l1)).log10() - l0) / (l1 - l0));
    let mut s = open(title, h);
    // decades
    let mut d = l0;
    while d <= l1 {
        let v = 10f64.powf(d);
        let px = x(v);
        let label = if v >= 1.0 { format!("{}×", v as u64) } else { format!("{v}×") };
        s.push_str(&format!(
            "<line x1=\"{px:.1}\" y1=\"{top}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#dddddd\"/>\n<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555555\">{label}</text>\n",
            top + row * bars.len() as f64,
            top + row * bars.len() as f64 + 16.0
        ));
        d += 1.0;
    }
    let one = x(1.0);
    s.push_str(&format!(
        "<line x1=\"{one:.1}\" y1=\"{:.1}\" x2=\"{one:.1}\" y2=\"{:.1}\" stroke=\"#000000\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n<text x=\"{one:.1}\" y=\"{:.1}\" text-anchor=\"middle\">the budget</text>\n",
        top - 6.0,
        top + row * bars.len() as f64,
        top - 10.0
    ));
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64 + 8.0;
        let (a, z) = (x(if finite(b.lo) { b.lo } else { 1e-4 }), x(if finite(b.hi) { b.hi } else { 1e4 }));
        let width = (z - a).max(3.0);
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n\
             <rect x=\"{a:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"14\" rx=\"3\" fill=\"{}\" fill-opacity=\"0.85\"><title>{}</title></rect>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333333\">{}</text>\n",
            LEFT - 8.0,
            y + 11.0,
            xml(&b.label),
            colour(&b.verdict),
            xml(&b.text),
            W - RIGHT + 8.0,
            y + 11.0,
            xml(&b.text)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#555555\">estimate ÷ budget, log scale; red: the whole range is over, amber: part of it</text>\n</svg>\n",
        h - 6.0
    ));
    s
}

/// Findings per section: errors, warnings and notes stacked, decided beside them.
pub fn findings(title: &str, rows: &[(String, [usize; 4])]) -> String {
    let row = 26.0;
    let top = 44.0;
    let h = top + row * rows.len() as f64 + 36.0;
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(1).max(1) as f64;
    let left = 130.0;
    let plot = W - left - 60.0;
    let unit = plot / max;
    let colours = ["#c62828", "#e08e00", "#1565c0", "#9e9e9e"];
    let names = ["errors", "warnings", "notes", "decided"];
    let mut s = open(title, h);
    for (i, (section, counts)) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            left - 8.0,
            y + 13.0,
            xml(section)
        ));
        let mut at = left;
        for (k, n) in counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = unit * *n as f64;
            s.push_str(&format!(
                "<rect x=\"{at:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\"><title>{n} {}</title></rect>\n",
                colours[k], names[k]
            ));
            at += w;
        }
        let total: usize = counts.iter().sum();
        s.push_str(&format!("<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333333\">{total}</text>\n", at + 6.0, y + 13.0));
    }
    let mut lx = left;
    for k in 0..4 {
        s.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            h - 20.0,
            colours[k],
            lx + 14.0,
            h - 11.0,
            names[k]
        ));
        lx += 90.0;
    }
    s.push_str("</svg>\n");
    s
}

//! Stage timings for profiling a run: `MLARCHC_TIMINGS=1 mlarchc check …` prints how long
//! each stage of the pipeline took to stderr, and on Linux the process's resident memory
//! after it. Off by default; reading the switch once costs nothing measurable.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("MLARCHC_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// A stopwatch that reports each lap when timings are on.
pub struct Laps(Option<Instant>);

impl Laps {
    pub fn start() -> Laps {
        Laps(on().then(Instant::now))
    }

    /// Reports the time since the last lap under `stage`.
    pub fn lap(&mut self, stage: &str) {
        if let Some(t) = self.0 {
            let now = Instant::now();
            let ms = (now - t).as_secs_f64() * 1e3;
            let rss = resident_mib().map_or(String::new(), |m| format!("  {m:>7.1} MiB resident"));
            let _ = writeln!(std::io::stderr(), "timing: {stage:<16} {ms:>9.3} ms{rss}");
            self.0 = Some(now);
        }
    }
}

/// The process's resident memory (`/proc/self/statm`, in pages of 4 KiB), where there is one.
fn resident_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0 / (1024.0 * 1024.0))
}

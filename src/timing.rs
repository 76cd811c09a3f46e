//! Stage timings for profiling a run: `MLARCHC_TIMINGS=1 mlarchc check …` prints how long
//! each stage of the pipeline took to stderr. Off by default; reading the switch once costs
//! nothing measurable.

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
            let _ = writeln!(std::io::stderr(), "timing: {stage:<16} {ms:>9.3} ms");
            self.0 = Some(now);
        }
    }
}

//! Prints a synthetic plan: `cargo run --release --example synth -- 10000 > /tmp/synth.mla`.

#[path = "../benches/support/synth.rs"]
mod synth;

fn main() {
    let lines = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    print!("{}", synth::plan(lines));
}

//! Time for the (g, η) phase diagram of Brunel's (2000) model A at 100 × 100 points, g from
//! 0 to 8 and η = ν_ext/ν_thr from 0 to 4 as in his Fig. 2 (D = 1.5 ms, J = 0.1 mV,
//! C_E = 1000, γ = 0.25): at every point the self-consistent rate, the rate response by
//! threshold integration and the roots of the characteristic equation, on as many threads
//! as the process may use (`taskset -c 0` for one).
//!
//! Run with `cargo bench -p cajal --bench phase_diagram`; under `cargo test --all-targets`
//! (no `--bench` argument) it does nothing.

use std::collections::BTreeMap;
use std::time::Instant;

use cajal::theory::stability::{BrunelNetwork, phase_diagram};

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    let n = 100;
    let g_values: Vec<f64> = (0..n).map(|k| 8.0 * k as f64 / (n - 1) as f64).collect();
    let eta_values: Vec<f64> = (0..n).map(|k| 4.0 * k as f64 / (n - 1) as f64).collect();
    let network = BrunelNetwork::model_a(0.0, 0.0);
    let mut times = Vec::new();
    let mut diagram = None;
    for _ in 0..3 {
        let start = Instant::now();
        diagram = Some(phase_diagram(&network, &g_values, &eta_values));
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let diagram = diagram.expect("three runs");
    let mut counts = BTreeMap::new();
    for point in &diagram.points {
        *counts.entry(point.state.label()).or_insert(0usize) += 1;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "phase diagram {n}×{n} (g 0–8, η 0–4), {threads} thread(s): best {:.2} s, median {:.2} s",
        times[0], times[1]
    );
    for (label, count) in counts {
        println!("  {label:8} {count:5} points");
    }
}

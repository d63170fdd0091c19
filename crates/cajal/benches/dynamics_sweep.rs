//! Time for `cajal::dynamics::sweep` over 100 values of the drive P to E of a Wilson–Cowan
//! pair (the couplings of Wilson & Cowan (1972)'s limit-cycle example, J = [[16, −12],
//! [15, −3]], τ_E = τ_I = 10 ms, sigmoid thresholds 4 and 3.7), P from −2 to 8: fixed points
//! at each value, branches, one Hopf point and two folds refined to 10⁻⁹. The goal: well
//! under 1 s.
//!
//! Run with `cargo bench -p cajal --bench dynamics_sweep`; under `cargo test --all-targets`
//! (no `--bench` argument) it does nothing.

use std::hint::black_box;
use std::time::Instant;

use cajal::dynamics::{RateNetwork, SweepOptions, sweep};
use cajal::neuron::rate::TransferFunction;

fn wilson_cowan(drive: f64) -> RateNetwork {
    let sigmoid = |threshold| TransferFunction::Sigmoid {
        threshold,
        slope: 1.0,
    };
    RateNetwork::new(
        vec![10.0, 10.0],
        vec![vec![16.0, -12.0], vec![15.0, -3.0]],
        vec![drive, 0.0],
        vec![sigmoid(4.0), sigmoid(3.7)],
    )
    .expect("a valid network")
}

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    let values: Vec<f64> = (0..100).map(|k| -2.0 + 10.0 * k as f64 / 99.0).collect();
    let options = SweepOptions::default();
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let diagram = sweep(|drive| Ok(wilson_cowan(drive)), &values, &options).expect("a sweep");
        times.push(start.elapsed().as_secs_f64() * 1e3);
        black_box(&diagram);
        if times.len() == 1 {
            for bifurcation in &diagram.bifurcations {
                println!(
                    "{:?} at P = {:.9}{}",
                    bifurcation.kind,
                    bifurcation.value,
                    bifurcation
                        .frequency_hz
                        .map_or(String::new(), |f| format!(", {f:.6} Hz"))
                );
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "sweep of 100 values: median {:.1} ms (min {:.1}, max {:.1}) over 5 runs",
        times[2], times[0], times[4]
    );
}

//! Time for the ring model of orientation selectivity (Ben-Yishai, Bar-Or & Sompolinsky 1995)
//! with N = 4096 points, 10 s of biological time at dt = 0.1 ms (10⁵ steps): threshold-linear
//! rates, τ = 10 ms, a weakly tuned input (contrast 0.1) — once with the cosine kernel
//! (mean −2, modulation 6; two Fourier modes, convolved by projection) and once with a
//! Mexican hat (convolved by FFT), nothing recorded but the final state.
//!
//! Run with `cargo bench -p cajal --bench ring_model`; under `cargo test --all-targets` (no
//! `--bench` argument) it does nothing.

use std::hint::black_box;
use std::time::Instant;

use cajal::neuron::rate::TransferFunction;
use cajal::rate::{
    BumpShape, CouplingStrength, Geometry, History, Kernel, RateCoupling, RateInput, RateInputKind,
    RateModel, RatePopulation, RateSimulation, RateSimulator,
};

const POINTS: usize = 4096;
const DT_MS: f64 = 0.1;
const STEPS: u64 = 100_000;

fn ring(kernel: Kernel) -> RateModel {
    let population = RatePopulation {
        name: "ring".into(),
        time_constant_ms: 10.0,
        transfer: TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0,
        },
        input: 0.0,
        initial_rate: 0.0,
        geometry: Geometry::Ring {
            points: POINTS,
            length: 180.0,
        },
    };
    let coupling = RateCoupling {
        source: 0,
        target: 0,
        strength: CouplingStrength::Kernel(kernel),
        delay_ms: 0.0,
    };
    RateModel::new(vec![population], vec![coupling]).expect("a valid ring")
}

fn time(kernel: Kernel) -> (f64, f64) {
    let model = ring(kernel);
    let cue = RateInput {
        target: 0,
        kind: RateInputKind::Bump {
            shape: BumpShape::Cosine { contrast: 0.1 },
            amplitude: 1.0,
            center: (90.0, 0.0),
            velocity_per_ms: (0.0, 0.0),
        },
        start_ms: 0.0,
        stop_ms: f64::INFINITY,
    };
    let options = RateSimulation {
        dt_ms: DT_MS,
        seed: 1,
    };
    let start = Instant::now();
    let mut simulator =
        RateSimulator::new(&model, vec![cue], History::Constant, options).expect("a simulator");
    simulator.advance(STEPS).expect("a finite run");
    let seconds = start.elapsed().as_secs_f64();
    let peak = simulator
        .rates(0)
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    (seconds, black_box(peak))
}

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    for (name, kernel) in [
        (
            "cosine kernel (mode projection)",
            Kernel::Cosine {
                mean: -2.0,
                modulation: 6.0,
            },
        ),
        (
            "Mexican hat (FFT)",
            Kernel::DifferenceOfGaussians {
                excitation: 3.0,
                excitation_width: 10.0,
                inhibition: 1.5,
                inhibition_width: 40.0,
            },
        ),
    ] {
        let mut runs: Vec<(f64, f64)> = (0..3).map(|_| time(kernel.clone())).collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "ring of {POINTS} points, 10 s at dt {DT_MS} ms, {name}: median {:.3} s (min {:.3}); \
             peak rate {:.4}",
            runs[1].0, runs[0].0, runs[1].1
        );
    }
}

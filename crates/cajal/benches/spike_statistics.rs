//! Time to build `SpikeTrains` from 10⁷ recorded spikes of 10⁴ Poisson neurons (10 Hz,
//! 100 s) and to compute every statistic of `SpikeStatistics` with the default options, on
//! one core. The goal: under 1 s for both together.
//!
//! Run with `cargo bench -p cajal --bench spike_statistics`; under `cargo test
//! --all-targets` (no `--bench` argument) it does nothing.

use std::hint::black_box;
use std::time::Instant;

use cajal::rng::{self, Purpose};
use cajal::stats::{
    IsiStatistics, SpikeStatistics, SpikeTrains, StatisticsOptions, Window, fano_factors,
    population_activity, population_spectrum, spike_count_correlations,
};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

const NEURONS: usize = 10_000;
const RATE_HZ: f64 = 10.0;
const DURATION_MS: f64 = 100_000.0;

/// The spikes as a simulation records them, in time order: the superposition of N Poisson
/// processes of rate r is one of rate N·r whose spikes belong to a neuron drawn uniformly.
fn recorded_spikes() -> Vec<(u32, f64)> {
    let mut rng = rng::stream(1, Purpose::SpikeSource, 0, 0);
    let mean_interval_ms = 1000.0 / (NEURONS as f64 * RATE_HZ);
    let expected = (NEURONS as f64 * RATE_HZ * DURATION_MS / 1000.0) as usize;
    let mut spikes = Vec::with_capacity(expected + expected / 100);
    let mut time_ms = 0.0;
    loop {
        let interval: f64 = Exp1.sample(&mut rng);
        time_ms += interval * mean_interval_ms;
        if time_ms > DURATION_MS {
            return spikes;
        }
        spikes.push((rng.random_range(0..NEURONS as u32), time_ms));
    }
}

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    let spikes = recorded_spikes();
    let window = Window::new(0.0, DURATION_MS).expect("a valid window");

    let start = Instant::now();
    let trains =
        SpikeTrains::from_pairs(NEURONS, spikes.iter().copied(), window).expect("valid spikes");
    let built = start.elapsed();
    let statistics =
        SpikeStatistics::compute(&trains, &StatisticsOptions::default()).expect("valid options");
    let total = start.elapsed();
    black_box(&statistics);

    let population = &statistics.population;
    println!(
        "{} spikes of {} neurons over {} s",
        trains.spike_count(),
        trains.neuron_count(),
        DURATION_MS / 1000.0
    );
    println!(
        "build SpikeTrains:        {:8.1} ms",
        built.as_secs_f64() * 1e3
    );
    println!(
        "compute SpikeStatistics:  {:8.1} ms",
        (total - built).as_secs_f64() * 1e3
    );
    println!(
        "total:                    {:8.1} ms",
        total.as_secs_f64() * 1e3
    );
    breakdown(&trains);
    println!(
        "mean rate {:.3} Hz, CV {:.4}, LV {:.4}, Fano(1 s) {:.4}, spectrum peak {:.2} Hz",
        population.mean_rate_hz.unwrap_or(f64::NAN),
        population.cv_isi.mean.unwrap_or(f64::NAN),
        population.lv.mean.unwrap_or(f64::NAN),
        population.fano.neurons.mean.unwrap_or(f64::NAN),
        population
            .spectrum
            .as_ref()
            .map_or(f64::NAN, |s| s.peak_frequency_hz),
    );
}

/// The parts of `compute`, each alone, to see where the time goes.
fn breakdown(trains: &SpikeTrains) {
    let time = |name: &str, f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        println!(
            "  {name:<22}  {:8.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    };
    time("ISI statistics", &mut || {
        for train in trains.trains() {
            black_box(IsiStatistics::of(train));
        }
    });
    for width in [10.0, 100.0, 1000.0] {
        time(&format!("Fano, {width} ms windows"), &mut || {
            black_box(fano_factors(trains, width).unwrap());
        });
    }
    time("activity, 1 ms bins", &mut || {
        black_box(population_activity(trains, 1.0).unwrap());
    });
    time("activity + spectrum", &mut || {
        black_box(population_spectrum(trains, 1.0, None).unwrap());
    });
    time("correlations, 1000", &mut || {
        black_box(spike_count_correlations(trains, 10.0, 1000, 0).unwrap());
    });
}

//! The engine's tests, by subject. Each file reads model files from text and checks the
//! engine against closed forms, published values or straightforward simulations written in
//! the test.

use super::*;
use crate::spec::{Source, read_model};
use crate::stats;
use std::path::Path;

mod connectivity;
mod kernels;
mod network;
mod plasticity;
mod poisson;
mod single;
mod streaming;
mod weight_records;

/// Runs a model given as text on one thread, keeping everything in memory.
fn run(text: &str) -> RunResult {
    let spec = read_model(Source::new("test.toml", text), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::build(&spec, 1)
        .unwrap()
        .run(1000, |_| Control::Continue)
}

/// Every recorded spike as (population, neuron, bits of its time), recorder by recorder: what
/// the spike-for-spike tests compare with their reference.
fn spike_bits(result: &RunResult) -> Vec<(usize, u32, u64)> {
    result
        .spikes
        .iter()
        .flat_map(|r| {
            r.spikes
                .iter()
                .map(move |s| (r.population, s.neuron, s.time_ms.to_bits()))
        })
        .collect()
}

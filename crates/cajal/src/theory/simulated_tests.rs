//! The mean-field predictions against simulations of the models they describe.

use std::path::Path;

use crate::engine::{Control, Simulation};
use crate::spec::{ModelSpec, Source, read_model, read_model_file};
use crate::theory::mean_field::mean_field_of;
use crate::theory::siegert::stationary_rate_hz;

fn model(text: &str) -> ModelSpec {
    read_model(Source::new("test.toml", text), Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

/// Spikes per neuron and second of each population after `transient_ms`.
fn simulated_rates_hz(spec: &ModelSpec, transient_ms: f64) -> Vec<f64> {
    let steps = (spec.simulation.duration_ms / spec.simulation.dt_ms).round() as u64;
    let result = Simulation::build(spec, 2)
        .unwrap_or_else(|e| panic!("{e}"))
        .run(steps, |_| Control::Continue);
    result
        .spikes
        .iter()
        .map(|recorder| {
            let size = spec.populations[recorder.population].size;
            let late = recorder
                .spikes
                .iter()
                .filter(|spike| spike.time_ms > transient_ms)
                .count();
            1000.0 * late as f64 / (size as f64 * (spec.simulation.duration_ms - transient_ms))
        })
        .collect()
}

#[test]
fn siegert_rate_matches_simulated_noisy_lifs_over_a_grid_of_mean_and_noise() {
    // One population per (μ, σ): LIFs with Brunel's parameters (τ_m = 20 ms, θ = 20 mV,
    // V_r = 10 mV, τ_ref = 2 ms, R = 100 MΩ) under white noise R(I + σ_I √τ_s ξ) with
    // τ_s = τ_m, so that μ = R·I and σ_V = R·σ_I. The grid step dt = 0.01 ms keeps the
    // threshold's discretisation error (a shift of about 0.8 σ √(dt/τ_m) ≈ 0.02 σ) below
    // a percent of the rate; 300 neurons for 2 s give ≥ 3000 spikes per point (a sampling
    // error of about CV/√3000 ≤ 2 %).
    let grid = [
        (16.0, 5.0),
        (18.0, 3.0),
        (19.0, 6.0),
        (21.0, 2.0),
        (22.0, 4.0),
        (24.0, 6.0),
    ];
    let mut text =
        String::from("[simulation]\nduration = \"2100 ms\"\ndt = \"0.01 ms\"\nseed = 11\n");
    for (index, (mu, sigma)) in grid.iter().enumerate() {
        text += &format!(
            "[population.p{index}]\nmodel = \"lif\"\nsize = 300\n\
             V_init = {{ distribution = \"uniform\", low = \"0 mV\", high = \"20 mV\" }}\n\
             [[input]]\ntarget = \"p{index}\"\nkind = \"white_noise\"\nmean = \"{} pA\"\n\
             std = \"{} pA\"\ntime_scale = \"20 ms\"\n\
             [[record]]\nkind = \"spikes\"\npopulation = \"p{index}\"\n",
            mu * 10.0,
            sigma * 10.0
        );
    }
    let spec = model(&text);
    let simulated = simulated_rates_hz(&spec, 100.0);
    let parameters = spec.populations[0].neuron.lif_parameters().expect("a LIF");
    for ((mu, sigma), simulated) in grid.iter().zip(&simulated) {
        let theory = stationary_rate_hz(*mu, *sigma, &parameters);
        eprintln!("μ = {mu} mV, σ = {sigma} mV: {simulated:.3} Hz, Siegert {theory:.3} Hz");
        assert!(
            (simulated - theory).abs() < 0.03 * theory,
            "μ = {mu} mV, σ = {sigma} mV: simulated {simulated:.3} Hz, Siegert {theory:.3} Hz"
        );
    }
}

#[test]
fn brunel_model_a_fires_at_its_mean_field_rate_in_the_asynchronous_irregular_state() {
    // examples/brunel_a.toml: Brunel (2000) model A at g = 5, η = 2 (the AI state of his
    // Fig. 8C). 12 500 neurons, the file's 1 s, counted after a 200 ms transient.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/brunel_a.toml");
    let spec = read_model_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let network = mean_field_of(&spec).unwrap_or_else(|e| panic!("{e}"));
    let state = network.stationary_state(10.0).expect("a stationary state");
    let simulated = simulated_rates_hz(&spec, 200.0);
    assert_eq!(simulated.len(), 2);
    for (population, simulated) in simulated.iter().enumerate() {
        let theory = state.rates_hz[population];
        eprintln!(
            "population {population}: simulated {simulated:.2} Hz, mean field {theory:.2} Hz"
        );
        assert!(
            (simulated - theory).abs() < 0.1 * theory,
            "population {population}: simulated {simulated:.2} Hz, mean field {theory:.2} Hz"
        );
    }
}

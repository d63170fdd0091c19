use super::*;
use crate::spec::{Source, read_model};
use std::path::Path;

fn model(text: &str) -> ModelSpec {
    read_model(Source::new("test.toml", text), Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn lif_fi_curve_matches_the_closed_form_within_half_a_percent() {
    // Precise spike timing: the simulated intervals follow the exact trajectory, so the
    // rate must agree with 1/(τ_ref + τ ln((RI − V_r)/(RI − θ))) far better than 0.5 %.
    let spec = model(
        r#"
        [simulation]
        duration = "2000 ms"
        dt = "0.1 ms"
        [population.cell]
        model = "lif"
        spike_timing = "precise"
        [fi]
        currents = { start = "150 pA", stop = "1000 pA", step = "25 pA" }
        transient = "100 ms"
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    let result = simulate(&spec, &fi, |_, _| {}).unwrap();
    let curve = &result.curves[0];
    let (tau, theta, reset, t_ref, r) = (20.0f64, 20.0, 10.0, 2.0, 0.1);
    let mut compared = 0;
    for point in &curve.points {
        let drive = r * point.current;
        let expected = if drive > theta {
            1000.0 / (t_ref + tau * ((drive - reset) / (drive - theta)).ln())
        } else {
            0.0
        };
        if expected == 0.0 {
            assert_eq!(point.rate_hz, 0.0, "I = {}", point.current);
            continue;
        }
        let relative = (point.rate_hz - expected).abs() / expected;
        assert!(
            relative < 0.005,
            "I = {} pA: {} Hz vs {expected} Hz",
            point.current,
            point.rate_hz
        );
        assert!((point.theory_rate_hz.unwrap() - expected).abs() < 1e-9 * expected);
        compared += 1;
    }
    assert!(compared >= 25, "{compared}");
}

#[test]
fn lif_grid_fi_curve_is_within_the_grid_resolution() {
    // On the grid an interval is a whole number of steps, so the rate is within dt/ISI of
    // the closed form.
    let spec = model(
        r#"
        [simulation]
        duration = "1000 ms"
        dt = "0.01 ms"
        [population.cell]
        model = "lif"
        [fi]
        currents = ["250 pA", "400 pA", "800 pA"]
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    let result = simulate(&spec, &fi, |_, _| {}).unwrap();
    for point in &result.curves[0].points {
        let expected = point.theory_rate_hz.unwrap();
        let resolution = 0.01 * expected / 1000.0;
        assert!(
            (point.rate_hz - expected).abs() / expected < resolution + 1e-9,
            "I = {}: {} vs {expected}",
            point.current,
            point.rate_hz
        );
    }
}

#[test]
fn hh_repetitive_firing_starts_where_neuron_and_brian2_say() {
    // References (bench/README.md), 1 s steps from rest, dt = 0.025 ms, E_L = −54.3 mV,
    // "repetitive" = spikes in [500, 1000) ms: NEURON's hh.mod 6.20 µA/cm², Brian2 6.30
    // µA/cm² on a 0.05 µA/cm² grid (Rinzel & Miller 1980 place the onset of stable limit
    // cycles near 6.26 µA/cm² at 6.3 °C).
    let spec = model(
        r#"
        [simulation]
        duration = "1000 ms"
        dt = "0.025 ms"
        [population.axon]
        model = "hh"
        E_L = "-54.3 mV"
        [fi]
        currents = { start = "5.8 uA/cm^2", stop = "6.8 uA/cm^2", step = "0.05 uA/cm^2" }
        transient = "500 ms"
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    let result = simulate(&spec, &fi, |_, _| {}).unwrap();
    let curve = &result.curves[0];
    let onset = curve
        .points
        .iter()
        .rev()
        .take_while(|p| p.spike_count > 0)
        .last()
        .map(|p| p.current)
        .unwrap();
    assert!((6.15..=6.35).contains(&onset), "onset at {onset} µA/cm²");
    assert_eq!(
        repetitive_firing_onset(curve).map(|c| (c * 100.0).round()),
        Some((onset * 100.0).round())
    );
    // Just above onset HH fires at its minimum frequency, about 50–60 Hz (NEURON: 56 Hz at
    // 6.5 µA/cm²).
    let at_6_5 = curve
        .points
        .iter()
        .find(|p| (p.current - 6.5).abs() < 1e-9)
        .unwrap();
    assert!((at_6_5.rate_hz - 56.0).abs() < 3.0, "{}", at_6_5.rate_hz);
}

#[test]
fn a_parameter_sweep_gives_one_labelled_curve_per_value() {
    let spec = model(
        r#"
        [simulation]
        duration = "500 ms"
        [population.cell]
        model = "lif"
        [fi]
        currents = ["300 pA"]
        vary = { parameter = "tau_m", values = ["10 ms", "20 ms"] }
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    let result = simulate(&spec, &fi, |_, _| {}).unwrap();
    assert_eq!(result.curves.len(), 2);
    assert_eq!(result.curves[0].label, "membrane_time_constant = 10 ms");
    // A shorter membrane time constant reaches threshold sooner.
    assert!(result.curves[0].points[0].rate_hz > result.curves[1].points[0].rate_hz);
    let theory = |tau: f64| 1000.0 / (2.0 + tau * (20.0f64 / 10.0).ln());
    assert!((result.curves[0].points[0].theory_rate_hz.unwrap() - theory(10.0)).abs() < 1e-9);
}

#[test]
fn noisy_lif_fi_curve_follows_the_siegert_rate() {
    // σ = 50 pA over τ = 20 ms = τ_m: σ_V = R σ = 5 mV. Below rheobase (μ = 15 mV) the noise
    // alone makes the neuron fire; above it (μ = 25 mV) the rate is near the deterministic one.
    // 200 neurons per current for 2 s give a few thousand spikes per point (sampling error
    // ≈ 2 %); dt = 0.02 ms keeps the discretisation shift of the threshold ≈ 0.03 σ.
    let spec = model(
        r#"
        [simulation]
        duration = "2100 ms"
        dt = "0.02 ms"
        seed = 5
        [population.cell]
        model = "lif"
        [fi]
        currents = ["150 pA", "200 pA", "250 pA"]
        transient = "100 ms"
        noise = { std = "50 pA", time_scale = "20 ms" }
        neurons = 200
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    assert_eq!(fi.neurons_per_current, 200);
    let result = simulate(&spec, &fi, |_, _| {}).unwrap();
    let parameters = spec.populations[0].neuron.lif_parameters().unwrap();
    for point in &result.curves[0].points {
        let siegert =
            crate::theory::siegert::stationary_rate_hz(0.1 * point.current, 5.0, &parameters);
        let theory = point.theory_rate_hz.unwrap();
        assert!(
            (theory - siegert).abs() < 1e-9 * siegert,
            "{theory} vs {siegert}"
        );
        assert!(
            (point.rate_hz - theory).abs() < 0.06 * theory,
            "I = {} pA: {} Hz simulated, {theory} Hz Siegert",
            point.current,
            point.rate_hz
        );
        assert!(point.spike_count > 1000, "{point:?}");
    }
    // Below rheobase the deterministic neuron is silent; the noisy one is not.
    assert!(result.curves[0].points[0].rate_hz > 1.0);
}

#[test]
fn too_many_neurons_per_sweep_are_refused_before_building() {
    let spec = model(
        r#"
        [simulation]
        duration = "100 ms"
        dt = "0.1 ms"
        [population.cell]
        model = "lif"
        [fi]
        currents = { start = "0 pA", stop = "1900 pA", step = "100 pA" }
        noise = { std = "50 pA" }
        neurons = 1000000
        "#,
    );
    let fi = spec.fi.clone().unwrap();
    let message = simulate(&spec, &fi, |_, _| {}).unwrap_err().to_string();
    assert_eq!(
        message,
        "f–I sweep: 20 currents × 1000000 neurons per current = 20000000 neurons, more than \
         the 10000000 a sweep simulates at once: use fewer currents or neurons"
    );
}

use std::path::Path;

use super::*;
use crate::dynamics::{FixedPointOptions, fixed_points};
use crate::spec::rate_model::read_rate_model;
use crate::spec::{Source, read_model_file};
use crate::theory::mean_field::mean_field_of;

fn brunel_a() -> ModelSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/brunel_a.toml");
    read_model_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn brunel_model_a_reduces_to_its_mean_field_couplings() {
    // τ = 20 ms, C_E = 1000 of J = 0.1 mV, C_I = 250 of −0.5 mV, 1000 external sources at
    // η ν_thr = 2 · θ/(J C_E τ) = 20 Hz each, D = 1.5 ms:
    // J̄_EE = 0.02 s · 1000 · 0.1 mV = 2 mV/Hz, J̄_EI = 0.02 · 250 · (−0.5) = −2.5 mV/Hz,
    // μ^ext = 0.02 · 1000 · 0.1 · 20 = 40 mV.
    let reduced = reduce(&brunel_a()).unwrap();
    assert_eq!(reduced.populations.len(), 2);
    for population in &reduced.populations {
        assert!(
            (population.external_drive_mv - 40.0).abs() < 1e-9,
            "{population:?}"
        );
        assert_eq!(population.time_constant_ms, 20.0);
        assert!((population.stationary_rate_hz - 37.95).abs() < 0.01);
    }
    assert_eq!(reduced.couplings.len(), 4);
    for coupling in &reduced.couplings {
        let expected = if coupling.source == 0 { 2.0 } else { -2.5 };
        assert!(
            (coupling.mv_per_hz - expected).abs() < 1e-12,
            "{coupling:?}"
        );
        assert!((coupling.delay_ms - 1.5).abs() < 1e-12);
    }
}

#[test]
fn the_reduced_model_file_has_the_networks_asynchronous_state_as_a_fixed_point() {
    let spec = brunel_a();
    let reduced = reduce(&spec).unwrap();
    let text = reduced.to_model_file("brunel_a.toml", 1000.0, 0.1);
    let rate_model = read_rate_model(Source::new("reduced.toml", text.clone()), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let network = rate_model.model.network().unwrap();
    let points = fixed_points(&network, &FixedPointOptions::default()).unwrap();
    let state = mean_field_of(&spec)
        .unwrap()
        .stationary_state(10.0)
        .unwrap();
    // E and I are identical in model A: one fixed point, both at the mean-field rate.
    let matching = points
        .iter()
        .filter(|p| {
            p.rates
                .iter()
                .zip(&state.rates_hz)
                .all(|(r, s)| (r - s).abs() < 1e-6 * s)
        })
        .count();
    assert_eq!(matching, 1, "{points:?} vs {:?}", state.rates_hz);
}

#[test]
fn models_outside_the_theory_are_not_reduced() {
    let mut spec = brunel_a();
    spec.projections[0].delay_distribution = Some(crate::distribution::Distribution::Uniform {
        low: 1.0,
        high: 2.0,
    });
    let message = reduce(&spec).unwrap_err();
    assert!(
        message.contains("delays that vary per synapse"),
        "{message}"
    );
}

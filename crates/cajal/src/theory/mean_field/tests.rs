use super::*;

fn brunel_neuron() -> LifParameters {
    LifParameters {
        membrane_time_constant: 20.0,
        resting_potential: 0.0,
        threshold: 20.0,
        reset_potential: 10.0,
        refractory_period: 2.0,
        membrane_resistance: 1.0,
        initial_potential: 0.0,
    }
}

/// Brunel (2000) model A: C_E = 1000, C_I = 250, J = 0.1 mV, inhibition −gJ, external
/// C_E trains at η·ν_thr, ν_thr = θ/(J C_E τ) = 10 Hz (also for the stability tests).
pub(crate) fn brunel_a(g: f64, eta: f64) -> MeanFieldNetwork {
    let population = |name: &str| MeanFieldPopulation {
        name: name.into(),
        parameters: brunel_neuron(),
        baseline_mv: 0.0,
        noise_variance_mv2: 0.0,
        afferents: vec![
            Afferent {
                source: Some(0),
                external_rate_hz: 0.0,
                indegree: 1000.0,
                jump_mv: 0.1,
                jump_squared_mv2: 0.01,
            },
            Afferent {
                source: Some(1),
                external_rate_hz: 0.0,
                indegree: 250.0,
                jump_mv: -0.1 * g,
                jump_squared_mv2: 0.01 * g * g,
            },
            Afferent {
                source: None,
                external_rate_hz: eta * 10.0,
                indegree: 1000.0,
                jump_mv: 0.1,
                jump_squared_mv2: 0.01,
            },
        ],
        synaptic_time_constant_ms: None,
    };
    MeanFieldNetwork {
        populations: vec![population("E"), population("I")],
    }
}

/// Brunel's eqs. (4)–(5) for model A, where E and I are alike and fire at one rate ν:
/// μ = C_E J τ (ν_ext + ν(1 − gγ)), σ² = J² C_E τ (ν_ext + ν(1 + g²γ)), γ = 1/4; the root
/// of φ(μ(ν), σ(ν)) − ν by bisection — an independent reference for the solver.
fn brunel_a_by_bisection(g: f64, eta: f64) -> f64 {
    let (tau, j, c_e, gamma) = (20.0, 0.1, 1000.0, 0.25);
    let nu_ext = eta * 20.0 / (j * c_e * tau); // per ms
    let residual = |nu_hz: f64| {
        let nu = nu_hz / 1000.0;
        let mu = c_e * j * tau * (nu_ext + nu * (1.0 - g * gamma));
        let sigma = (j * j * c_e * tau * (nu_ext + nu * (1.0 + g * g * gamma))).sqrt();
        crate::theory::siegert::stationary_rate_hz(mu, sigma, &brunel_neuron()) - nu_hz
    };
    let (mut low, mut high) = (0.0, 500.0);
    assert!(residual(low) > 0.0 && residual(high) < 0.0);
    for _ in 0..100 {
        let middle = 0.5 * (low + high);
        if residual(middle) > 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

#[test]
fn brunel_model_a_rates_match_the_one_dimensional_self_consistency() {
    for (g, eta) in [(5.0, 2.0), (6.0, 4.0), (4.5, 0.9), (8.0, 1.5)] {
        let state = brunel_a(g, eta).stationary_state(5.0).unwrap();
        let reference = brunel_a_by_bisection(g, eta);
        for rate in &state.rates_hz {
            assert!(
                (rate - reference).abs() < 1e-6 * reference.max(1.0),
                "g = {g}, η = {eta}: {rate} vs {reference}"
            );
        }
        // The drive is the one the equations give.
        let nu = reference / 1000.0;
        let mu = 2000.0 * (eta * 0.01 + nu * (1.0 - 0.25 * g));
        assert!(
            (state.mu_mv[0] - mu).abs() < 1e-4,
            "{} vs {mu}",
            state.mu_mv[0]
        );
        let cv = state.cv_isi[0].unwrap();
        assert!(cv > 0.0 && cv < 1.5);
    }
}

#[test]
fn an_unconnected_population_fires_at_the_siegert_rate_of_its_drive() {
    let mut network = brunel_a(5.0, 2.0);
    network.populations.truncate(1);
    network.populations[0].afferents.drain(..2);
    network.populations[0].baseline_mv = 3.0;
    network.populations[0].noise_variance_mv2 = 4.0;
    let state = network.stationary_state(1.0).unwrap();
    // μ = 3 + 20·1000·0.1·0.02 = 43 mV; σ² = 4 + 20·1000·0.01·0.02 = 8 mV².
    let expected = crate::theory::siegert::stationary_rate_hz(43.0, 8f64.sqrt(), &brunel_neuron());
    assert!((state.rates_hz[0] - expected).abs() < 1e-9 * expected);
    assert!((state.sigma_mv[0] - 8f64.sqrt()).abs() < 1e-12);
}

#[test]
fn filtered_synapses_fire_at_the_shifted_threshold() {
    let mut network = brunel_a(5.0, 2.0);
    network.populations.truncate(1);
    network.populations[0].afferents.drain(..2);
    network.populations[0].synaptic_time_constant_ms = Some(2.0);
    let state = network.stationary_state(1.0).unwrap();
    let (mu, sigma) = (40.0, 4f64.sqrt());
    let shifted = crate::theory::siegert::with_filtered_noise(&brunel_neuron(), sigma, 2.0);
    let expected = crate::theory::siegert::stationary_rate_hz(mu, sigma, &shifted);
    assert!((state.rates_hz[0] - expected).abs() < 1e-9 * expected);
    assert!(expected < crate::theory::siegert::stationary_rate_hz(mu, sigma, &brunel_neuron()));
}

#[test]
fn the_brunel_a_example_file_gives_the_model_a_equations() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/brunel_a.toml");
    let spec = crate::spec::model::read_model_file(&path).unwrap();
    let network = mean_field_of(&spec).unwrap();
    let reference = brunel_a(5.0, 2.0);
    for (read, expected) in network.populations.iter().zip(&reference.populations) {
        for (a, b) in read.afferents.iter().zip(&expected.afferents) {
            assert_eq!((a.source, a.indegree), (b.source, b.indegree));
            assert!((a.jump_mv - b.jump_mv).abs() < 1e-15);
            assert!((a.jump_squared_mv2 - b.jump_squared_mv2).abs() < 1e-15);
            assert_eq!(a.external_rate_hz, b.external_rate_hz);
        }
    }
    let state = network.stationary_state(5.0).unwrap();
    assert!((state.rates_hz[0] - brunel_a_by_bisection(5.0, 2.0)).abs() < 1e-6);
}

#[test]
fn models_outside_the_theory_say_why() {
    let text = |extra: &str| {
        format!(
            r#"
            [simulation]
            duration = "100 ms"
            [population.E]
            model = "lif"
            size = 10
            {extra}
            [[input]]
            target = "E"
            kind = "step"
            amplitude = "100 pA"
            start = "10 ms"
            stop = "50 ms"
            "#
        )
    };
    let spec = crate::spec::read_model(
        crate::spec::Source::new("t.toml", text("")),
        std::path::Path::new("."),
    )
    .unwrap();
    let reason = mean_field_of(&spec).unwrap_err();
    assert!(
        reason.contains("input 1") && reason.contains("part"),
        "{reason}"
    );
}

use super::*;
use crate::theory::mean_field::tests::brunel_a;

/// Brunel (2000) model A's neuron: τ = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms.
fn brunel_neuron() -> LifParameters {
    BrunelNetwork::model_a(0.0, 0.0).neuron
}

fn relative(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

/// Central differences of the Siegert rate in μ and in σ², steps 1e-4 σ and 1e-4 σ²
/// (truncation error ~1e-8 relative, rounding ~1e-10/1e-4).
fn siegert_slopes(mu: f64, sigma: f64, p: &LifParameters) -> (f64, f64) {
    let h = 1e-4 * sigma;
    let d_mu =
        (stationary_rate_hz(mu + h, sigma, p) - stationary_rate_hz(mu - h, sigma, p)) / (2.0 * h);
    let s2 = sigma * sigma;
    let hv = 1e-4 * s2;
    let d_var = (stationary_rate_hz(mu, (s2 + hv).sqrt(), p)
        - stationary_rate_hz(mu, (s2 - hv).sqrt(), p))
        / (2.0 * hv);
    (d_mu, d_var)
}

#[test]
fn response_at_zero_frequency_is_the_slope_of_the_siegert_rate() {
    // λ → 0: a slow modulation moves the rate along φ(μ, σ); the threshold integration
    // must reproduce the derivatives of the Siegert formula (an independent quadrature).
    let p = brunel_neuron();
    for (mu, sigma) in [
        (15.0, 5.0),
        (18.0, 2.0),
        (25.0, 6.0),
        (12.0, 8.0),
        (19.0, 1.3),
        (60.0, 8.0),
    ] {
        let response = RateResponse::new(mu, sigma, &p);
        let rate = stationary_rate_hz(mu, sigma, &p);
        assert!(
            relative(response.stationary_rate_hz(), rate) < 1e-6,
            "{mu} {sigma}"
        );
        let (d_mu, d_var) = siegert_slopes(mu, sigma, &p);
        let at_zero = response.response(C64::new(0.0, 0.0));
        assert!(
            relative(at_zero.mean_hz_per_mv.re, d_mu) < 1e-4,
            "{mu} {sigma}"
        );
        assert!(
            relative(at_zero.variance_hz_per_mv2.re, d_var) < 1e-4,
            "{mu} {sigma}"
        );
        assert!(at_zero.mean_hz_per_mv.im.abs() < 1e-12);
        // The series for (1 − e^{−λτ_ref})/λ at small λ joins the closed form.
        for lambda in [1e-4, 2e-3] {
            let near = response.response(C64::new(lambda, 0.0));
            assert!(relative(near.mean_hz_per_mv.re, at_zero.mean_hz_per_mv.re) < 10.0 * lambda);
        }
    }
}

#[test]
fn response_falls_as_the_inverse_square_root_of_frequency() {
    // For ωτ ≫ 1 the modulated density forms a boundary layer of width σ/√(2ωτ) at
    // threshold, and A_μ(iω) → (ν₀/σ)√(2/(iωτ)): modulus ∝ ω^{−1/2}, phase lag π/4
    // (Brunel & Hakim 1999; Lindner & Schimansky-Geier 2001). The relative correction is
    // O((ωτ)^{−1/2}): quadrupling ω must halve it.
    let p = brunel_neuron();
    let (mu, sigma) = (15.0, 5.0);
    let response = RateResponse::with_max_frequency(mu, sigma, &p, 10_000.0);
    let rate = response.stationary_rate_hz();
    let deviation = |f_hz: f64| {
        let omega = C64::new(0.0, 2.0 * std::f64::consts::PI * f_hz / 1000.0);
        let asymptote = rate / sigma * (2.0 / (omega * 20.0)).sqrt();
        response.response(omega).mean_hz_per_mv / asymptote - 1.0
    };
    let (at_2k, at_8k) = (deviation(2000.0), deviation(8000.0));
    assert!(
        at_2k.norm() < 0.05 && at_8k.norm() < 0.025,
        "{at_2k} {at_8k}"
    );
    let ratio = at_8k.norm() / at_2k.norm();
    assert!((ratio - 0.5).abs() < 0.05, "{ratio}");
    // The noise-coded response tends to a constant with vanishing phase.
    let var = |f: f64| {
        response
            .response(C64::new(0.0, 2.0 * std::f64::consts::PI * f / 1000.0))
            .variance_hz_per_mv2
    };
    assert!(relative(var(8000.0).norm(), var(2000.0).norm()) < 0.04);
    assert!(var(8000.0).arg().abs() < 0.04);
}

#[test]
fn finer_grids_change_the_response_by_less_than_1e_4() {
    // The grid is chosen from μ, σ and the highest frequency; one four times finer (RK4:
    // error / 256) is the reference.
    let p = brunel_neuron();
    for (mu, sigma) in [(15.0, 5.0), (19.0, 1.3), (24.2, 10.9), (203.5, 14.7)] {
        let coarse = RateResponse::new(mu, sigma, &p);
        let fine = RateResponse::with_grid(mu, sigma, &p, DEFAULT_MAX_FREQUENCY_HZ, 4.0);
        assert!(
            fine.grid_steps() as f64 >= 3.9 * coarse.grid_steps() as f64,
            "{} {}",
            fine.grid_steps(),
            coarse.grid_steps()
        );
        for f_hz in [0.0, 30.0, 200.0, 700.0] {
            let lambda = C64::new(0.0, 2.0 * std::f64::consts::PI * f_hz / 1000.0);
            let (a, b) = (coarse.response(lambda), fine.response(lambda));
            let error = |x: C64, y: C64| (x - y).norm() / y.norm();
            assert!(
                error(a.mean_hz_per_mv, b.mean_hz_per_mv) < 1e-4,
                "{mu} {f_hz}"
            );
            assert!(
                error(a.variance_hz_per_mv2, b.variance_hz_per_mv2) < 1e-4,
                "{mu} {f_hz}"
            );
        }
    }
}

#[test]
fn stationary_rate_agrees_with_the_mean_field_solver() {
    for (g, eta) in [(5.0, 2.0), (6.0, 4.0), (4.5, 0.9), (8.0, 1.5)] {
        let network = BrunelNetwork::model_a(g, eta);
        assert!((network.threshold_rate_hz() - 10.0).abs() < 1e-12);
        let ours = network.population().stationary_rate_hz();
        let state = brunel_a(g, eta).stationary_state(5.0).expect("converges");
        assert!(
            relative(ours, state.rates_hz[0]) < 1e-7,
            "{g} {eta}: {ours} {state:?}"
        );
    }
}

#[test]
fn brunel_fig8_points_are_classified_as_in_the_paper() {
    // Brunel (2000) Fig. 8 (D = 1.5 ms, J = 0.1 mV, C_E = 1000): A SR, B SI fast, C AI,
    // D SI slow.
    let cases = [
        (3.0, 2.0, NetworkState::SynchronousRegular),
        (6.0, 4.0, NetworkState::SynchronousIrregularFast),
        (5.0, 2.0, NetworkState::AsynchronousIrregular),
        (4.5, 0.9, NetworkState::SynchronousIrregularSlow),
    ];
    for (g, eta, expected) in cases {
        let network = BrunelNetwork::model_a(g, eta);
        let stability = network.stability();
        assert_eq!(
            stability.state(20.0, 1.5),
            expected,
            "g = {g}, η = {eta}: {stability:?}"
        );
    }
    // C is stable with margin: its leading mode decays within 10 ms.
    let c = BrunelNetwork::model_a(5.0, 2.0).stability();
    assert!(c.leading().expect("roots").growth_rate_per_s() < -100.0);
    // SR neurons fire nearly periodically: the CV from the Siegert theory is small there
    // and large (Poisson-like) in the SI states.
    let cv = |g: f64, eta: f64| {
        let s = BrunelNetwork::model_a(g, eta).stability();
        crate::theory::siegert::cv_isi(s.mu_mv, s.sigma_mv, &brunel_neuron()).expect("fires")
    };
    assert!(cv(3.0, 2.0) < 0.2);
    assert!(cv(6.0, 4.0) > 0.6 && cv(4.5, 0.9) > 0.6);
}

#[test]
fn si_fast_frequency_at_b_matches_brunels_simulation() {
    // Brunel (2000) Fig. 8B: the global activity oscillates at about 180 Hz. The linear
    // mode's frequency moves by 8% between the onset (η ≈ 3.26: 176 Hz) and B (η = 4), and
    // the simulated value is read off a figure: 10%.
    let b = BrunelNetwork::model_a(6.0, 4.0).stability();
    let leading = b.leading().expect("a root");
    assert!(leading.growth_rate_per_s() > 0.0);
    assert!(relative(leading.frequency_hz(), 180.0) < 0.1, "{leading:?}");
    // The single neurons fire far below the oscillation frequency (≈ 56 Hz).
    assert!(b.rate_hz > 40.0 && b.rate_hz < 70.0, "{}", b.rate_hz);
    // D (SI slow) oscillates at tens of Hz, set by τ rather than D.
    let d = BrunelNetwork::model_a(4.5, 0.9).stability();
    let slow = d.leading().expect("a root").frequency_hz();
    assert!(slow > 15.0 && slow < 60.0, "{slow}");
}

/// The η at which the asynchronous state of model A at `g` turns unstable, by bisection on
/// the sign of the leading root's real part between η = 1.5 (stable for g ≥ 5) and 4.5.
fn fast_boundary(g: f64) -> (f64, Root) {
    fast_boundary_of(|eta| BrunelNetwork::model_a(g, eta))
}

#[test]
fn ai_to_si_fast_boundary_is_a_hopf_line_falling_with_g() {
    // Brunel (2000) Figs. 2A and 7: above a line that falls as g grows (SI fast in the upper right
    // of the (g, η) box, η ≤ 4), with frequency set by the delay: ≈ 1/(4D)…1/(3D) =
    // 167…222 Hz for D = 1.5 ms, falling towards the lower end as the rate drops.
    // B (6, 4) lies above the line, C (5, 2) below it.
    let mut previous = f64::INFINITY;
    for g in [5.5, 6.0, 7.0, 8.0] {
        let (eta, root) = fast_boundary(g);
        assert!(
            eta < previous && eta > 2.0 && eta < 4.2,
            "g = {g}: η = {eta}"
        );
        let f = root.frequency_hz();
        assert!(f > 150.0 && f < 222.0, "g = {g}: {f} Hz");
        previous = eta;
    }
    assert!(fast_boundary(6.0).0 < 4.0);
}

#[test]
fn table_1_theory_values_are_reproduced() {
    // Brunel (2000) Table 1, the theory's column for the network of Figs. 7–8 (C_E = 1000,
    // J = 0.1 mV, D = 1.5 ms): B (6, 4) fires at 55.8 Hz with a global oscillation at
    // 190 Hz; C (5, 2) at 38.0 Hz; D (4.5, 0.9) at 6.5 Hz oscillating at 29 Hz. The rates
    // are printed to 0.1 Hz, the frequencies to 1 Hz.
    let b = BrunelNetwork::model_a(6.0, 4.0).stability();
    assert!((b.rate_hz - 55.8).abs() < 0.06, "{}", b.rate_hz);
    assert!((b.leading().unwrap().frequency_hz() - 190.0).abs() < 0.6);
    let c = BrunelNetwork::model_a(5.0, 2.0).stability();
    assert!((c.rate_hz - 38.0).abs() < 0.06, "{}", c.rate_hz);
    let d = BrunelNetwork::model_a(4.5, 0.9).stability();
    assert!((d.rate_hz - 6.5).abs() < 0.06, "{}", d.rate_hz);
    assert!((d.leading().unwrap().frequency_hz() - 29.0).abs() < 0.6);
}

/// The η of the AI → SI fast line at g for the network `at(η)`, and the crossing mode.
fn fast_boundary_of(at: impl Fn(f64) -> BrunelNetwork) -> (f64, Root) {
    let (mut stable, mut unstable) = (1.5, 4.5);
    let mut root = None;
    for _ in 0..16 {
        let eta = 0.5 * (stable + unstable);
        let leading = at(eta).stability().leading().expect("a root");
        if leading.lambda_per_ms.re >= 0.0 {
            unstable = eta;
            root = Some(leading);
        } else {
            stable = eta;
        }
    }
    (unstable, root.expect("crossing inside the bracket"))
}

#[test]
fn fast_line_meets_g_8_where_figs_2a_and_7_draw_it() {
    // Read off the figures (to about ±0.05): Fig. 7's line (C_E = 1000, J = 0.1 mV,
    // D = 1.5 ms) meets g = 8 at η ≈ 2.48. Fig. 2A is drawn for the network of Fig. 1,
    // C_E = 4000, J = 0.2 mV, same D: its line meets g = 8 at η ≈ 2.5, and Fig. 3's
    // frequency along it starts at about 130 Hz there.
    let (eta, _) = fast_boundary(8.0);
    assert!((eta - 2.48).abs() < 0.05, "Fig. 7: η = {eta}");
    let fig_1_network = |eta| BrunelNetwork {
        efficacy_mv: 0.2,
        excitatory_indegree: 4000.0,
        external_jump_mv: 0.2,
        ..BrunelNetwork::model_a(8.0, eta)
    };
    let (eta, root) = fast_boundary_of(fig_1_network);
    assert!((eta - 2.5).abs() < 0.06, "Fig. 2A: η = {eta}");
    assert!(
        (root.frequency_hz() - 130.0).abs() < 6.0,
        "Fig. 3: {root:?}"
    );
}

#[test]
fn continuation_finds_the_same_states_as_a_full_search() {
    // The phase diagram follows roots from point to point; a full search at every point
    // (axis scan plus real axis) must give the same classification.
    let g_values = [2.0, 3.5, 4.5, 5.0, 6.0, 8.0];
    let eta_values = [0.9, 2.0, 3.0, 4.0];
    let diagram = phase_diagram(&BrunelNetwork::model_a(0.0, 0.0), &g_values, &eta_values);
    for (i, &eta) in eta_values.iter().enumerate() {
        for (j, &g) in g_values.iter().enumerate() {
            let point = diagram.at(i, j);
            assert_eq!((point.g, point.eta), (g, eta));
            let full = BrunelNetwork::model_a(g, eta).state();
            assert_eq!(point.state, full, "g = {g}, η = {eta}");
        }
    }
    assert_eq!(
        diagram.at(3, 4).state,
        NetworkState::SynchronousIrregularFast
    );
    assert_eq!(diagram.at(1, 0).state, NetworkState::SynchronousRegular);
}

#[test]
fn inhibitory_network_of_the_example_oscillates_fast_with_slow_neurons() {
    // examples/brunel_hakim.toml (C = 1000, J = 0.1 mV, D = 2 ms, μ_ext = 25 mV,
    // σ_ext = 1 mV): simulated at 120–170 Hz with single neurons at 2.5–4.5 Hz (README).
    // The linear frequency is that of the growing mode at the asynchronous state; the
    // example lies well beyond onset (σ_ext = 1 mV against σ_c ≈ 2.6 mV), where the
    // saturated oscillation need not keep the linear mode's frequency: a 20% band around
    // the middle of the simulated range, which covers the range itself.
    let stability = InhibitoryNetwork::brunel_hakim_example().stability();
    assert!(
        stability.rate_hz > 2.5 && stability.rate_hz < 4.5,
        "{stability:?}"
    );
    let leading = stability.leading().expect("a root");
    assert!(leading.growth_rate_per_s() > 0.0);
    assert!(relative(leading.frequency_hz(), 145.0) < 0.2, "{leading:?}");
}

#[test]
fn onset_of_the_fast_oscillation_obeys_the_delay_phase_condition() {
    // Strong noise stabilises the asynchronous state; lowering σ_ext at the example's
    // J, C, μ_ext the oscillation sets in. At the onset e^{−iωD}(a A_μ + b A_σ²) = 1 with
    // a < 0: in the high-frequency limit a A_μ has phase π − π/4 and b A_σ² phase 0, so
    // ωD lies between 0 and 3π/4, fD < 3/8 (the pure-inhibition value of Brunel & Hakim
    // 1999, ωD = 3π/4), approaching it as the delay, and so the period, grows.
    let onset_at = |d: f64| {
        InhibitoryNetwork::onset(
            |sigma| InhibitoryNetwork {
                delay_ms: d,
                external_sigma_mv: sigma,
                ..InhibitoryNetwork::brunel_hakim_example()
            },
            20.0,
            1.0,
        )
        .expect("a crossing between σ_ext = 1 and 20 mV")
    };
    let two = onset_at(2.0);
    let four = onset_at(4.0);
    for (d, onset) in [(2.0, two), (4.0, four)] {
        let f_d = onset.frequency_hz * d / 1000.0;
        assert!(f_d > 0.25 && f_d < 0.375, "D = {d}: {onset:?}");
    }
    assert!(four.frequency_hz * 4.0 > two.frequency_hz * 2.0);
    // A longer delay destabilises: the critical noise grows with D.
    assert!(four.parameter > two.parameter && two.parameter > 1.0);
    // Just below the critical σ_ext the state is unstable, just above stable.
    let at = |sigma: f64| {
        InhibitoryNetwork {
            external_sigma_mv: sigma,
            ..InhibitoryNetwork::brunel_hakim_example()
        }
        .stability()
        .leading()
        .expect("a root")
        .growth_rate_per_s()
    };
    assert!(at(two.parameter * 0.99) > 0.0 && at(two.parameter * 1.01) < 0.0);
}

#[test]
fn noise_onset_is_found_from_either_side() {
    // The example oscillates at σ_ext = 1 mV: the search goes up to the critical noise. The
    // same network at σ_ext = 4 mV is stable: the search goes down to it. Both agree with
    // the bracketed bisection between 1 and 10 mV.
    let reference = InhibitoryNetwork::onset(
        |sigma| InhibitoryNetwork {
            external_sigma_mv: sigma,
            ..InhibitoryNetwork::brunel_hakim_example()
        },
        10.0,
        1.0,
    )
    .expect("a crossing");
    for sigma in [1.0, 4.0] {
        let population = InhibitoryNetwork {
            external_sigma_mv: sigma,
            ..InhibitoryNetwork::brunel_hakim_example()
        }
        .population();
        let onset = population.noise_onset().expect("a crossing");
        assert!(
            relative(onset.parameter, reference.parameter) < 2e-6,
            "{onset:?}"
        );
        assert!((onset.frequency_hz - reference.frequency_hz).abs() < 0.05);
    }
    assert!(
        (reference.parameter - 2.62).abs() < 0.01 && (reference.frequency_hz - 172.8).abs() < 0.1
    );
}

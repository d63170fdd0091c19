use super::*;

/// Brunel (2000) model A's neuron: τ = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms.
fn brunel() -> LifParameters {
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

/// ∫ₐᵇ f by composite Simpson on `n` (even) intervals: an independent reference.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|k| f(a + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + f(b) + inner) * h / 3.0
}

#[test]
fn erfcx_matches_its_definition_and_tabulated_values() {
    // erfcx(1) = e·erfc(1) = 0.42758357615580700 (A&S 7.1, Table 7.1 via erfc(1)).
    assert!((erfcx(1.0) - 0.427_583_576_155_807).abs() < 1e-15);
    assert!((erfcx(0.0) - 1.0).abs() < 1e-16);
    // Where e^{x²} erfc(x) is still representable, the continued fraction must agree.
    for x in [5.0f64, 6.5, 8.0, 12.0, 20.0] {
        let direct = (x * x).exp() * libm::erfc(x);
        assert!((erfcx(x) / direct - 1.0).abs() < 1e-13, "x = {x}");
    }
    // Across the switch at 5 the function is continuous to rounding.
    let below = (25f64 - 1e-12).exp() * libm::erfc(5.0 - 5e-14);
    assert!((erfcx(5.0) / below - 1.0).abs() < 1e-12);
    // erfcx(x) → 1/(x√π) for large x.
    assert!((erfcx(1e6) * 1e6 * std::f64::consts::PI.sqrt() - 1.0).abs() < 1e-12);
    // erfc(−x) = 2 − erfc(x).
    let x = 1.5f64;
    assert!((erfcx(-x) - (x * x).exp() * (2.0 - libm::erfc(x))).abs() < 1e-12);
}

#[test]
fn rate_matches_direct_quadrature_of_the_siegert_formula() {
    let p = brunel();
    for (mu, sigma) in [
        (15.0, 5.0),
        (18.0, 2.0),
        (20.0, 4.0),
        (25.0, 6.0),
        (12.0, 8.0),
    ] {
        let low = (p.reset_potential - mu) / sigma;
        let high = (p.threshold - mu) / sigma;
        // The formula as printed: e^{u²}(1 + erf u), with erf from libm.
        let integral = simpson(|u| (u * u).exp() * (1.0 + libm::erf(u)), low, high, 20_000);
        let reference = 1000.0 / (2.0 + 20.0 * std::f64::consts::PI.sqrt() * integral);
        let rate = stationary_rate_hz(mu, sigma, &p);
        assert!(
            (rate / reference - 1.0).abs() < 1e-9,
            "μ = {mu}, σ = {sigma}: {rate} vs {reference}"
        );
    }
}

#[test]
fn rate_approaches_the_deterministic_neuron_as_noise_vanishes() {
    let p = brunel();
    let deterministic = crate::theory::lif::firing_rate_hz(25.0, &p);
    // 1/(2 + 20 ln(15/5)) ms = 40.35 Hz.
    assert!((deterministic - 1000.0 / (2.0 + 20.0 * 3f64.ln())).abs() < 1e-12);
    let nearly = stationary_rate_hz(25.0, 0.01, &p);
    assert!((nearly / deterministic - 1.0).abs() < 1e-5, "{nearly}");
    assert_eq!(stationary_rate_hz(25.0, 0.0, &p), deterministic);
    // Far below threshold the neuron is silent, without overflow.
    assert_eq!(stationary_rate_hz(-200.0, 1.0, &p), 0.0);
    assert!(stationary_rate_hz(0.0, 2.0, &p) < 1e-40);
}

#[test]
fn rate_follows_kramers_escape_far_below_threshold() {
    // For y_θ = (θ − μ)/σ ≫ 1 the integral is dominated by ∫^{y_θ} 2e^{u²} du ≈ e^{y_θ²}/y_θ,
    // so ν ≈ y_θ e^{−y_θ²}/(τ √π) with a relative correction 1/(2y_θ²) + …: below 1% at
    // y_θ = 8 (the part from the distant reset adds only ~ln|y_r|, against e^{64}).
    let mut p = brunel();
    p.refractory_period = 0.0;
    p.reset_potential = -1000.0; // the return from reset is instant on this scale
    let sigma = 2.0;
    let mu = p.threshold - 8.0 * sigma;
    let y: f64 = 8.0;
    let kramers = 1000.0 * y * (-y * y).exp() / (20.0 * std::f64::consts::PI.sqrt());
    let rate = stationary_rate_hz(mu, sigma, &p);
    assert!((rate / kramers - 1.0).abs() < 0.02, "{rate} vs {kramers}");
}

#[test]
fn cv_matches_direct_quadrature_and_its_limits() {
    let p = brunel();
    for (mu, sigma) in [(15.0, 5.0), (20.0, 4.0), (24.0, 3.0)] {
        let rate = stationary_rate_hz(mu, sigma, &p);
        let low = (p.reset_potential - mu) / sigma;
        let high = (p.threshold - mu) / sigma;
        // The formula as printed, with the inner integral from −12 (its integrand is
        // e^{y²}(1+erf y)² ≈ e^{−y²}/(π y²) there).
        let inner = |x: f64| {
            simpson(
                |y| (y * y).exp() * (1.0 + libm::erf(y)).powi(2),
                -12.0,
                x,
                4000,
            )
        };
        let double = simpson(|x| (x * x).exp() * inner(x), low, high, 400);
        let tau_rate = rate * 0.020;
        let reference = (2.0 * std::f64::consts::PI * tau_rate * tau_rate * double).sqrt();
        let cv = cv_isi(mu, sigma, &p).unwrap();
        assert!(
            (cv / reference - 1.0).abs() < 1e-5,
            "μ = {mu}, σ = {sigma}: {cv} vs {reference}"
        );
    }
    // Weak noise on a suprathreshold drive jitters the passage time T by δV(T)/V̇(T):
    // Var T = (σ²/2)(1 − e^{−2T/τ}) τ²/(μ − θ)². For μ = 30, σ = 0.3: e^{−T/τ} = 1/2,
    // T = 20 ln 2, so CV = √(0.045·0.75·4) / (2 + 20 ln 2) = 0.02316.
    let regular = cv_isi(30.0, 0.3, &p).unwrap();
    let small_noise = (0.045f64 * 0.75 * 4.0).sqrt() / (2.0 + 20.0 * 2f64.ln());
    assert!(
        (regular / small_noise - 1.0).abs() < 0.01,
        "{regular} vs {small_noise}"
    );
    // …and Poisson-like escape far below threshold (refractoriness negligible at ~1e-4 Hz).
    let rare = cv_isi(5.0, 3.0, &p).unwrap();
    assert!((rare - 1.0).abs() < 0.01, "{rare}");
    assert_eq!(cv_isi(10.0, 0.0, &p), None);
}

#[test]
fn synaptic_filtering_raises_threshold_and_reset_by_the_fourcaud_brunel_shift() {
    // α = √2 |ζ(1/2)| = 2.06525… (Fourcaud & Brunel 2002).
    assert!((FILTERING_SHIFT_FACTOR - 2.065_253_15).abs() < 1e-6);
    // τ_s = 2 ms, τ_m = 20 ms, σ = 5 mV: shift = 5·1.0326·√0.1 = 1.6328 mV.
    let shift = filtering_shift_mv(5.0, 2.0, 20.0);
    assert!((shift - 5.0 * 0.5 * FILTERING_SHIFT_FACTOR * 0.1f64.sqrt()).abs() < 1e-12);
    assert!((shift - 1.632_7).abs() < 1e-3);
    let filtered = with_filtered_noise(&brunel(), 5.0, 2.0);
    assert!((filtered.threshold - 20.0 - shift).abs() < 1e-12);
    assert!((filtered.reset_potential - 10.0 - shift).abs() < 1e-12);
    // Filtering lowers the rate.
    assert!(stationary_rate_hz(18.0, 5.0, &filtered) < stationary_rate_hz(18.0, 5.0, &brunel()));
}

#[test]
fn rate_slope_matches_central_differences() {
    // Central differences with h = 1e-4 mV: truncation h²ν'''/6 and rounding ε·ν/h are both
    // far below 1e-6 relative for these smooth curves.
    let parameters = brunel();
    let h = 1e-4;
    for (mu, sigma) in [
        (12.0, 3.0),
        (18.0, 2.0),
        (20.0, 5.0),
        (25.0, 1.0),
        (30.0, 8.0),
    ] {
        let numeric = (stationary_rate_hz(mu + h, sigma, &parameters)
            - stationary_rate_hz(mu - h, sigma, &parameters))
            / (2.0 * h);
        let analytic = rate_slope_hz_per_mv(mu, sigma, &parameters);
        assert!(
            (analytic - numeric).abs() < 1e-6 * numeric.abs().max(1e-3),
            "μ = {mu}, σ = {sigma}: {analytic} vs {numeric}"
        );
    }
}

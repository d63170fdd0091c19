//! The LIF neuron driven by Gaussian white noise: its stationary rate and the CV of its
//! inter-spike intervals (the first-passage problem of an Ornstein–Uhlenbeck process), and
//! the correction for synapses that filter the noise.
//!
//! In the diffusion approximation the membrane obeys
//!
//! ```text
//! τ_m dV/dt = −V + μ + σ √τ_m ξ(t),    ⟨ξ(t)ξ(t')⟩ = δ(t − t'),
//! ```
//! with a spike and reset to V_r when V reaches θ, then τ_ref of silence (μ is the potential
//! V relaxes to, E_L + R·I plus the mean synaptic drive; the free potential fluctuates with
//! standard deviation σ/√2). The stationary rate is the Siegert (1951) / Ricciardi (1977)
//! formula, in Brunel's (2000, J Comput Neurosci 8:183, eq. 21) form
//!
//! ```text
//! 1/ν = τ_ref + τ_m √π ∫_{(V_r−μ)/σ}^{(θ−μ)/σ} e^{u²} (1 + erf u) du,
//! ```
//! and the squared CV of the intervals (ibid., eq. A.2; Tuckwell 1988)
//!
//! ```text
//! CV² = 2π (ν τ_m)² ∫_{y_r}^{y_θ} e^{x²} dx ∫_{−∞}^{x} e^{y²} (1 + erf y)² dy.
//! ```
//! Both are evaluated through the scaled complementary error function
//! erfcx(x) = e^{x²} erfc(x), since e^{u²}(1 + erf u) = erfcx(−u): the integrands then stay
//! finite over the whole range of a network's parameters, and at small σ the rate goes over
//! into the deterministic 1/(τ_ref + τ_m ln((μ − V_r)/(μ − θ))).
//!
//! **Filtered noise.** When the input reaches the membrane through exponential synapses of
//! time constant τ_s ≪ τ_m, the rate is that of white noise with threshold and reset both
//! raised by σ (α/2) √(τ_s/τ_m), α = √2 |ζ(1/2)| ≈ 2.0652 (Fourcaud & Brunel 2002, Neural
//! Comput 14:2057, eq. 4.35; Brunel, Chance, Fourcaud & Abbott 2001, PRL 86:2186).

use crate::neuron::lif::LifParameters;
use crate::theory::quadrature::integrate;

/// √2 |ζ(1/2)|, ζ(1/2) = −1.4603545088095868 (Fourcaud & Brunel 2002).
pub const FILTERING_SHIFT_FACTOR: f64 = std::f64::consts::SQRT_2 * 1.460_354_508_809_586_8;

/// Relative tolerance of the rate's integral.
const RATE_TOLERANCE: f64 = 1e-10;

/// e^{x²} erfc(x), without the overflow and underflow of the two factors.
pub fn erfcx(x: f64) -> f64 {
    if x < 0.0 {
        // erfc(x) = 2 − erfc(−x); overflows to +∞ only for x < −26.6, where e^{x²} does.
        return 2.0 * (x * x).exp() - erfcx(-x);
    }
    if x < 5.0 {
        // erfc is accurate to a few ulp here and e^{x²} ≤ e^{25}: the product keeps them.
        return (x * x).exp() * libm::erfc(x);
    }
    // Laplace's continued fraction, erfcx(x) = (1/√π)/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
    // converges fast for x ≥ 5: 40 levels leave less than an ulp.
    let mut tail = x;
    for k in (1..=40).rev() {
        tail = x + 0.5 * k as f64 / tail;
    }
    1.0 / (std::f64::consts::PI.sqrt() * tail)
}

/// The bounds (y_r, y_θ) = ((V_r − μ)/σ, (θ − μ)/σ) of the first-passage integrals.
fn scaled_bounds(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> (f64, f64) {
    (
        (parameters.reset_potential - mu_mv) / sigma_mv,
        (parameters.threshold - mu_mv) / sigma_mv,
    )
}

/// The mean first-passage time from reset to threshold, τ_m √π ∫ erfcx(−u) du (ms).
fn mean_passage_time_ms(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> f64 {
    let (low, high) = scaled_bounds(mu_mv, sigma_mv, parameters);
    parameters.membrane_time_constant
        * std::f64::consts::PI.sqrt()
        * integrate(|u| erfcx(-u), low, high, RATE_TOLERANCE)
}

/// Stationary rate (Hz) of a LIF neuron with mean drive `mu_mv` (the potential V relaxes
/// to) and noise `sigma_mv` (σ of the equation above). σ = 0 is the deterministic neuron.
/// A threshold so far above μ that the rate is below ~1e-290 Hz gives 0.
pub fn stationary_rate_hz(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> f64 {
    if sigma_mv <= 0.0 {
        return crate::theory::lif::firing_rate_hz(mu_mv, parameters);
    }
    let passage = mean_passage_time_ms(mu_mv, sigma_mv, parameters);
    if !passage.is_finite() {
        return 0.0;
    }
    1000.0 / (parameters.refractory_period + passage)
}

/// dν/dμ (Hz/mV) of [`stationary_rate_hz`]: with T the mean passage time and
/// y = (V − μ)/σ at threshold and reset, dT/dμ = −(τ_m√π/σ)(erfcx(−y_θ) − erfcx(−y_r)), so
/// dν/dμ = ν² (τ_m√π/σ)(erfcx(−y_θ) − erfcx(−y_r)) (ν in kHz inside). σ = 0 is the
/// deterministic neuron's slope.
pub fn rate_slope_hz_per_mv(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> f64 {
    if sigma_mv <= 0.0 {
        return crate::theory::lif::firing_rate_slope_hz_per_mv(mu_mv, parameters);
    }
    let rate_khz = stationary_rate_hz(mu_mv, sigma_mv, parameters) / 1000.0;
    if rate_khz == 0.0 {
        return 0.0;
    }
    let (low, high) = scaled_bounds(mu_mv, sigma_mv, parameters);
    let bracket = erfcx(-high) - erfcx(-low);
    1000.0
        * rate_khz
        * rate_khz
        * parameters.membrane_time_constant
        * std::f64::consts::PI.sqrt()
        * bracket
        / sigma_mv
}

/// The CV of the inter-spike intervals of the neuron of [`stationary_rate_hz`]; `None`
/// where it does not fire (σ = 0 below rheobase, or a rate that underflows).
pub fn cv_isi(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> Option<f64> {
    let rate_hz = stationary_rate_hz(mu_mv, sigma_mv, parameters);
    if rate_hz <= 0.0 {
        return None;
    }
    if sigma_mv <= 0.0 {
        return Some(0.0);
    }
    let (low, high) = scaled_bounds(mu_mv, sigma_mv, parameters);
    // e^{x²} ∫_{−∞}^{x} e^{y²}(1 + erf y)² dy = ∫_{−∞}^{x} e^{x² − y²} erfcx(−y)² dy, which
    // stays finite; below x − 40/(1 + |x|) the integrand is below e^{−40} of its peak.
    let inner = |x: f64| {
        integrate(
            |y| (x * x - y * y).exp() * erfcx(-y).powi(2),
            x - 40.0 / (1.0 + x.abs()),
            x,
            1e-9,
        )
    };
    let double = integrate(inner, low, high, 1e-8);
    let rate_per_time_constant = rate_hz * parameters.membrane_time_constant / 1000.0;
    let cv_squared = 2.0 * std::f64::consts::PI * rate_per_time_constant.powi(2) * double;
    cv_squared.is_finite().then(|| cv_squared.max(0.0).sqrt())
}

/// The shift of threshold and reset (mV) that turns white noise σ into noise filtered by
/// exponential synapses of time constant `synaptic_time_constant_ms` (Fourcaud & Brunel
/// 2002): σ (α/2) √(τ_s/τ_m), valid for τ_s ≪ τ_m.
pub fn filtering_shift_mv(
    sigma_mv: f64,
    synaptic_time_constant_ms: f64,
    membrane_time_constant_ms: f64,
) -> f64 {
    sigma_mv
        * 0.5
        * FILTERING_SHIFT_FACTOR
        * (synaptic_time_constant_ms / membrane_time_constant_ms).sqrt()
}

/// The LIF parameters with threshold and reset raised by [`filtering_shift_mv`].
pub fn with_filtered_noise(
    parameters: &LifParameters,
    sigma_mv: f64,
    synaptic_time_constant_ms: f64,
) -> LifParameters {
    let shift = filtering_shift_mv(
        sigma_mv,
        synaptic_time_constant_ms,
        parameters.membrane_time_constant,
    );
    LifParameters {
        threshold: parameters.threshold + shift,
        reset_potential: parameters.reset_potential + shift,
        ..*parameters
    }
}

#[cfg(test)]
mod tests;

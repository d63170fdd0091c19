//! The leaky integrate-and-fire neuron under constant drive.
//!
//! With a constant mean potential μ = E_L + R·I, V relaxes towards μ with time constant τ_m.
//! Above rheobase (μ > θ) the time from reset V_r to threshold θ is τ_m ln((μ − V_r)/(μ − θ)),
//! so the stationary rate is
//!
//! ```text
//! f(μ) = 1 / (τ_ref + τ_m ln((μ − V_r)/(μ − θ)))   for μ > θ,   0 otherwise.
//! ```
//! (e.g. Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), eq. 1.11.)

use crate::neuron::lif::LifParameters;

/// Stationary firing rate (Hz) of a LIF neuron whose potential relaxes towards `mu_mv`.
pub fn firing_rate_hz(mu_mv: f64, parameters: &LifParameters) -> f64 {
    if mu_mv <= parameters.threshold {
        return 0.0;
    }
    let time_to_threshold_ms = parameters.membrane_time_constant
        * ((mu_mv - parameters.reset_potential) / (mu_mv - parameters.threshold)).ln();
    1000.0 / (parameters.refractory_period + time_to_threshold_ms)
}

/// Derivative of [`firing_rate_hz`] with respect to μ (Hz/mV), 0 below rheobase.
pub fn firing_rate_slope_hz_per_mv(mu_mv: f64, parameters: &LifParameters) -> f64 {
    if mu_mv <= parameters.threshold {
        return 0.0;
    }
    let rate_per_ms = firing_rate_hz(mu_mv, parameters) / 1000.0;
    let dlog = 1.0 / (mu_mv - parameters.reset_potential) - 1.0 / (mu_mv - parameters.threshold);
    // d/dμ 1/T = −T'/T² with T' = τ_m·dlog.
    -1000.0 * rate_per_ms * rate_per_ms * parameters.membrane_time_constant * dlog
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brunel() -> LifParameters {
        LifParameters {
            membrane_time_constant: 20.0,
            resting_potential: 0.0,
            threshold: 20.0,
            reset_potential: 10.0,
            refractory_period: 2.0,
            membrane_resistance: 0.1,
            initial_potential: 0.0,
        }
    }

    #[test]
    fn rate_matches_hand_computed_value() {
        // μ = 30 mV: T = 2 + 20 ln(20/10) = 15.8629 ms → 63.04 Hz.
        let rate = firing_rate_hz(30.0, &brunel());
        assert!((rate - 1000.0 / (2.0 + 20.0 * 2f64.ln())).abs() < 1e-12);
        assert!((rate - 63.04).abs() < 0.01, "{rate}");
        assert_eq!(firing_rate_hz(20.0, &brunel()), 0.0);
        assert_eq!(firing_rate_hz(5.0, &brunel()), 0.0);
    }

    #[test]
    fn slope_matches_finite_difference() {
        let p = brunel();
        for mu in [20.5, 25.0, 40.0, 100.0] {
            let h = 1e-6;
            let numeric = (firing_rate_hz(mu + h, &p) - firing_rate_hz(mu - h, &p)) / (2.0 * h);
            let analytic = firing_rate_slope_hz_per_mv(mu, &p);
            assert!(
                (numeric - analytic).abs() < 1e-5 * analytic.abs(),
                "{mu}: {numeric} {analytic}"
            );
        }
    }
}

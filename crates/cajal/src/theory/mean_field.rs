//! Mean-field theory of sparse networks of LIF neurons: the self-consistent rates of the
//! asynchronous state (Amit & Brunel 1997, Cereb Cortex 7:237; Brunel 2000, J Comput
//! Neurosci 8:183).
//!
//! A neuron of population a receives K_ab synapses of efficacy J_ab (the jump of V, mV) from
//! population b, each carrying a Poisson train of the population's rate ν_b, plus external
//! Poisson trains and currents. When many small jumps arrive, the input is approximately
//! Gaussian white noise (the diffusion approximation), with
//!
//! ```text
//! μ_a = E_L + R·I_a + τ_a Σ_b K_ab J_ab ν_b,      σ_a² = σ_{0,a}² + τ_a Σ_b K_ab J_ab² ν_b,
//! ```
//! and the neuron fires at the Siegert rate φ(μ_a, σ_a) of [`super::siegert`]. The
//! asynchronous state is a fixed point ν_a = φ_a(μ_a(ν), σ_a(ν)) for every a. A synapse
//! with an exponential current kernel of peak w and time constant τ_s acts as a jump
//! J = R w τ_s/τ_m of the same mean and variance, and its filtering raises threshold and
//! reset by the Fourcaud–Brunel shift (valid for τ_s ≪ τ_m).
//!
//! The fixed point is found by relaxing the rate dynamics τ_a dν_a/dt = −ν_a + φ_a (which
//! converges to the stable asynchronous state of the network's own rate dynamics, not to
//! an unstable one) and polishing with Newton's method.

mod from_model;

pub use from_model::mean_field_of;

use crate::neuron::lif::LifParameters;
use crate::theory::siegert::{cv_isi, stationary_rate_hz, with_filtered_noise};

/// Inputs of one kind to a population: K synapses of one efficacy from one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Afferent {
    /// The source population, or `None` for an external Poisson source of fixed rate.
    pub source: Option<usize>,
    /// The rate of an external source (Hz); ignored for a population.
    pub external_rate_hz: f64,
    /// K: the mean number of such synapses onto one neuron.
    pub indegree: f64,
    /// J: the mean jump of V per spike (mV).
    pub jump_mv: f64,
    /// The mean of J² (mV²): J² when every synapse has the same weight.
    pub jump_squared_mv2: f64,
}

/// One population of LIF neurons and what drives it.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanFieldPopulation {
    /// Its name.
    pub name: String,
    /// The neuron.
    pub parameters: LifParameters,
    /// E_L + R·I of constant currents (mV).
    pub baseline_mv: f64,
    /// σ² of white-noise currents (mV², in the units of the diffusion equation).
    pub noise_variance_mv2: f64,
    /// The spike inputs.
    pub afferents: Vec<Afferent>,
    /// The synaptic time constant (ms) that filters the input, if the synapses are
    /// exponential currents rather than jumps.
    pub synaptic_time_constant_ms: Option<f64>,
}

/// A network of such populations.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanFieldNetwork {
    /// In file order.
    pub populations: Vec<MeanFieldPopulation>,
}

/// The self-consistent asynchronous state.
#[derive(Clone, Debug, PartialEq)]
pub struct StationaryState {
    /// ν_a (Hz).
    pub rates_hz: Vec<f64>,
    /// μ_a (mV).
    pub mu_mv: Vec<f64>,
    /// σ_a (mV).
    pub sigma_mv: Vec<f64>,
    /// CV of the inter-spike intervals, where the neurons fire.
    pub cv_isi: Vec<Option<f64>>,
}

/// Why no self-consistent state was found.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MeanFieldError {
    /// Neither relaxation nor Newton's method converged.
    #[error("the self-consistent rates did not converge (last residual {residual_hz:.3e} Hz)")]
    NoConvergence {
        /// max_a |φ_a − ν_a| at the end (Hz).
        residual_hz: f64,
    },
}

/// Relaxation steps (in units of τ) before Newton's method.
const RELAXATION_STEPS: usize = 400;
/// Converged when every |φ_a − ν_a| is below this (Hz).
const TOLERANCE_HZ: f64 = 1e-9;

impl MeanFieldPopulation {
    /// (μ, σ) in mV for the rates `rates_hz` of the network's populations.
    pub fn drive(&self, rates_hz: &[f64]) -> (f64, f64) {
        let tau = self.parameters.membrane_time_constant;
        let (mut mean, mut variance) = (self.baseline_mv, self.noise_variance_mv2);
        for afferent in &self.afferents {
            let rate_per_ms = match afferent.source {
                Some(b) => rates_hz[b],
                None => afferent.external_rate_hz,
            } / 1000.0;
            mean += tau * afferent.indegree * afferent.jump_mv * rate_per_ms;
            variance += tau * afferent.indegree * afferent.jump_squared_mv2 * rate_per_ms;
        }
        (mean, variance.max(0.0).sqrt())
    }

    /// The neuron's parameters with the filtering shift for noise σ, if filtered.
    fn effective_parameters(&self, sigma_mv: f64) -> LifParameters {
        match self.synaptic_time_constant_ms {
            Some(tau_s) => with_filtered_noise(&self.parameters, sigma_mv, tau_s),
            None => self.parameters,
        }
    }

    /// φ_a: the rate (Hz) the population fires at when the network fires at `rates_hz`.
    pub fn transfer_hz(&self, rates_hz: &[f64]) -> f64 {
        let (mu, sigma) = self.drive(rates_hz);
        stationary_rate_hz(mu, sigma, &self.effective_parameters(sigma))
    }

    /// The CV of the intervals at the network rates `rates_hz`.
    pub fn cv_isi(&self, rates_hz: &[f64]) -> Option<f64> {
        let (mu, sigma) = self.drive(rates_hz);
        cv_isi(mu, sigma, &self.effective_parameters(sigma))
    }
}

impl MeanFieldNetwork {
    fn residual(&self, rates_hz: &[f64]) -> Vec<f64> {
        self.populations
            .iter()
            .zip(rates_hz)
            .map(|(p, &rate)| p.transfer_hz(rates_hz) - rate)
            .collect()
    }

    /// The self-consistent rates, starting the relaxation from `initial_hz` for every
    /// population.
    pub fn stationary_state(&self, initial_hz: f64) -> Result<StationaryState, MeanFieldError> {
        let n = self.populations.len();
        let mut rates = vec![initial_hz; n];
        // Relaxation with step 0.2 τ: slow enough not to overshoot a steep φ, and only
        // towards states that are stable under the rate dynamics.
        for _ in 0..RELAXATION_STEPS {
            let residual = self.residual(&rates);
            for (rate, r) in rates.iter_mut().zip(&residual) {
                *rate = (*rate + 0.2 * r).max(0.0);
            }
            if residual.iter().all(|r| r.abs() < 1e-6) {
                break;
            }
        }
        let mut residual = self.residual(&rates);
        for _ in 0..50 {
            let worst = residual.iter().fold(0.0f64, |m, r| m.max(r.abs()));
            if worst < TOLERANCE_HZ {
                break;
            }
            let step = newton_step(|x| self.residual(x), &rates, &residual);
            let Some(step) = step else { break };
            // Backtracking keeps Newton from leaving the basin the relaxation found.
            let mut scale = 1.0;
            loop {
                let trial: Vec<f64> = rates
                    .iter()
                    .zip(&step)
                    .map(|(r, s)| (r - scale * s).max(0.0))
                    .collect();
                let trial_residual = self.residual(&trial);
                let trial_worst = trial_residual.iter().fold(0.0f64, |m, r| m.max(r.abs()));
                if trial_worst < worst || scale < 1e-4 {
                    rates = trial;
                    residual = trial_residual;
                    break;
                }
                scale *= 0.5;
            }
        }
        let worst = residual.iter().fold(0.0f64, |m, r| m.max(r.abs()));
        if worst.is_nan() || worst >= 1e-6 {
            return Err(MeanFieldError::NoConvergence { residual_hz: worst });
        }
        let drives: Vec<(f64, f64)> = self.populations.iter().map(|p| p.drive(&rates)).collect();
        Ok(StationaryState {
            cv_isi: self.populations.iter().map(|p| p.cv_isi(&rates)).collect(),
            mu_mv: drives.iter().map(|d| d.0).collect(),
            sigma_mv: drives.iter().map(|d| d.1).collect(),
            rates_hz: rates,
        })
    }
}

/// The Newton step J⁻¹ F at `x` (J by forward differences), `None` if J is singular.
fn newton_step(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64], fx: &[f64]) -> Option<Vec<f64>> {
    let n = x.len();
    let mut jacobian = nalgebra::DMatrix::<f64>::zeros(n, n);
    for j in 0..n {
        let h = 1e-6 * x[j].abs().max(1e-3);
        let mut shifted = x.to_vec();
        shifted[j] += h;
        let fs = f(&shifted);
        for i in 0..n {
            jacobian[(i, j)] = (fs[i] - fx[i]) / h;
        }
    }
    jacobian
        .lu()
        .solve(&nalgebra::DVector::from_column_slice(fx))
        .map(|v| v.as_slice().to_vec())
}

#[cfg(test)]
pub(crate) mod tests;

//! Synapses: how an arriving spike changes the target neuron.
//!
//! - **delta**: the membrane potential jumps by the weight (a voltage) at the end of the
//!   step in which the spike arrives (NEST `iaf_psc_delta` semantics);
//! - **exponential current**: the spike adds the weight (a current) to a synaptic current
//!   that decays as I_syn(t) = I_syn(0)·e^(−t/τ_syn) (NEST `iaf_psc_exp`).
//!
//! - **exponential conductance**: the spike adds the weight (a conductance) to g(t), which
//!   decays as g(0)·e^(−t/τ) and drives the current g·(E_rev − V) (NEST `iaf_cond_exp`).
//!
//! The decay over a step is exact. Each distinct time constant of a population is one
//! *receptor*: one array of synaptic currents (or conductances), updated once per step.

/// One population's exponentially decaying synaptic currents of one time constant.
#[derive(Clone, Debug)]
pub struct ExponentialReceptor {
    /// Synaptic time constant τ_syn (ms).
    pub time_constant_ms: f64,
    /// e^(−dt/τ_syn): the decay over one step.
    pub decay_per_step: f64,
    /// Mean of e^(−t/τ_syn) over one step, (τ_syn/dt)(1 − e^(−dt/τ_syn)): the factor that
    /// turns the current at the start of a step into the charge-preserving mean over it.
    pub step_mean_factor: f64,
    /// The synaptic current of every neuron at the start of the step (model current units).
    pub current: Vec<f64>,
    /// Weights of spikes arriving during the step, added at its end.
    pub arriving: Vec<f64>,
}

impl ExponentialReceptor {
    /// Receptors for `size` neurons with time constant `time_constant_ms`, stepping by `dt_ms`.
    pub fn new(size: usize, time_constant_ms: f64, dt_ms: f64) -> Self {
        let decay_per_step = (-dt_ms / time_constant_ms).exp();
        ExponentialReceptor {
            time_constant_ms,
            decay_per_step,
            step_mean_factor: -(-dt_ms / time_constant_ms).exp_m1() * time_constant_ms / dt_ms,
            current: vec![0.0; size],
            arriving: vec![0.0; size],
        }
    }

    /// Advances the currents by one step and adds what arrived during it.
    pub fn advance(&mut self) {
        let decay = self.decay_per_step;
        for (current, arriving) in self.current.iter_mut().zip(self.arriving.iter_mut()) {
            *current = *current * decay + *arriving;
            *arriving = 0.0;
        }
    }
}

/// Exponentially decaying conductances (nS) with their reversal potential.
#[derive(Clone, Debug)]
pub struct ConductanceReceptor {
    /// The conductance of every neuron; its `current` field holds g in nS.
    pub conductance: ExponentialReceptor,
    /// E_rev (mV).
    pub reversal_potential: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_decays_exactly_and_the_step_mean_preserves_charge() {
        let mut receptor = ExponentialReceptor::new(1, 5.0, 0.1);
        receptor.arriving[0] = 2.0;
        receptor.advance();
        assert_eq!(receptor.current[0], 2.0);
        let mut charge = 0.0;
        for _ in 0..100_000 {
            charge += receptor.current[0] * receptor.step_mean_factor * 0.1;
            receptor.advance();
        }
        // ∫ 2 e^(−t/5) dt = 2·5 = 10 (pA·ms), up to the truncated tail e^(−2000).
        assert!((charge - 10.0).abs() < 1e-10, "{charge}");
        assert!((receptor.current[0] - 2.0 * (-10_000.0f64 / 5.0).exp()).abs() < 1e-300);
    }
}

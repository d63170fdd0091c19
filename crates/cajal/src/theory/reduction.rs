//! The rate model of a spiking network: its mean-field description written as a rate model
//! that `cajal analyze` studies (issue 8, item 4).
//!
//! For a network that [`super::mean_field`] covers, population a becomes a rate unit
//!
//! ```text
//! τ_a dν_a/dt = −ν_a + φ_a( μ_a^ext + Σ_b J̄_ab ν_b(t − D_ab) ),   J̄_ab = τ_a K_ab J_ab
//! ```
//!
//! with τ_a the membrane time constant (the usual choice since Wilson & Cowan 1972 and Amit &
//! Brunel 1997; it sets how fast rates relax, not where they settle), μ_a^ext the mean drive
//! of constant currents and external Poisson trains, J̄_ab (mV per Hz) the mean drive per
//! Hz of population b, D_ab the projection's delay, and φ_a the Siegert transfer function at
//! the noise σ_a of the network's asynchronous state — held fixed there, so that the rate
//! model's fixed point is the network's self-consistent state and its linearisation there
//! keeps the dependence of μ on the rates (the dependence of σ on them, weaker for
//! inhibition-dominated networks, is left out; the linear stability of the spiking network
//! itself keeps it). Filtered synapses shift threshold and reset by the
//! Fourcaud–Brunel amount at that σ.

use std::fmt::Write;

use super::mean_field::mean_field_of;
use crate::neuron::lif::LifParameters;
use crate::spec::model::ModelSpec;

/// One population of the reduced model.
#[derive(Clone, Debug, PartialEq)]
pub struct ReducedPopulation {
    /// Its name (that of the spiking population).
    pub name: String,
    /// τ (ms): the membrane time constant.
    pub time_constant_ms: f64,
    /// The neuron of the transfer function (threshold and reset shifted for filtered
    /// synapses; resting potential 0: the input is the mean potential itself).
    pub neuron: LifParameters,
    /// σ (mV) of the asynchronous state, held fixed in the transfer function.
    pub sigma_mv: f64,
    /// μ^ext (mV): what the potential relaxes to without recurrent input.
    pub external_drive_mv: f64,
    /// The rate of the asynchronous state (Hz), the start of the rate model.
    pub stationary_rate_hz: f64,
}

/// One coupling of the reduced model: J̄ (mV per Hz) from `source` onto `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReducedCoupling {
    /// Target population (index into the reduced populations).
    pub target: usize,
    /// Source population.
    pub source: usize,
    /// J̄ = τ K J (mV per Hz), summed over the projections between the two.
    pub mv_per_hz: f64,
    /// D (ms): the projections' delay.
    pub delay_ms: f64,
}

/// The rate model of a spiking network.
#[derive(Clone, Debug, PartialEq)]
pub struct ReducedRateModel {
    /// The rate populations, in the order of the network's LIF populations.
    pub populations: Vec<ReducedPopulation>,
    /// The couplings.
    pub couplings: Vec<ReducedCoupling>,
}

/// The rate model of `spec`, or why the mean-field theory does not cover it.
pub fn reduce(spec: &ModelSpec) -> Result<ReducedRateModel, String> {
    let network = mean_field_of(spec)?;
    if network.populations.iter().all(|p| p.afferents.is_empty()) {
        return Err(
            "no population receives synaptic input (projections or Poisson \
                    trains): there are no couplings or noise for a rate model to describe"
                .into(),
        );
    }
    let state = network
        .stationary_state(10.0)
        .map_err(|error| format!("no asynchronous state to reduce around: {error}"))?;
    let mut populations = Vec::new();
    let mut couplings: Vec<ReducedCoupling> = Vec::new();
    for (a, population) in network.populations.iter().enumerate() {
        let sigma_mv = state.sigma_mv[a];
        let tau = population.parameters.membrane_time_constant;
        // Only the external part of the drive: the recurrent one becomes the couplings.
        let mut external = population.baseline_mv;
        for afferent in &population.afferents {
            match afferent.source {
                None => {
                    external +=
                        tau * afferent.indegree * afferent.jump_mv * afferent.external_rate_hz
                            / 1000.0
                }
                Some(b) => {
                    let mv_per_hz = tau * afferent.indegree * afferent.jump_mv / 1000.0;
                    match couplings
                        .iter_mut()
                        .find(|c| c.target == a && c.source == b)
                    {
                        Some(coupling) => coupling.mv_per_hz += mv_per_hz,
                        None => couplings.push(ReducedCoupling {
                            target: a,
                            source: b,
                            mv_per_hz,
                            delay_ms: 0.0,
                        }),
                    }
                }
            }
        }
        let mut neuron = match population.synaptic_time_constant_ms {
            Some(tau_s) => {
                crate::theory::siegert::with_filtered_noise(&population.parameters, sigma_mv, tau_s)
            }
            None => population.parameters,
        };
        // The transfer function's input is the mean potential itself.
        neuron.resting_potential = 0.0;
        neuron.membrane_resistance = 1.0;
        populations.push(ReducedPopulation {
            name: population.name.clone(),
            time_constant_ms: tau,
            neuron,
            sigma_mv,
            external_drive_mv: external,
            stationary_rate_hz: state.rates_hz[a],
        });
    }
    // Delays: one per pair of populations (the rate model has one coupling per pair).
    for coupling in &mut couplings {
        let (target, source) = (
            &network.populations[coupling.target].name,
            &network.populations[coupling.source].name,
        );
        let mut delays = spec.projections.iter().filter(|p| {
            &spec.populations[p.target].name == target && &spec.populations[p.source].name == source
        });
        let first = delays.next().expect("a coupling comes from a projection");
        if first.delay_distribution.is_some() {
            return Err(format!(
                "the projection from `{source}` onto `{target}` has delays that vary per \
                 synapse; the rate model has one delay per pair of populations"
            ));
        }
        if delays.any(|p| p.delay_steps != first.delay_steps) {
            return Err(format!(
                "the projections from `{source}` onto `{target}` have different delays; the \
                 rate model has one delay per pair of populations"
            ));
        }
        coupling.delay_ms = first.delay_steps as f64 * spec.simulation.dt_ms;
    }
    Ok(ReducedRateModel {
        populations,
        couplings,
    })
}

impl ReducedRateModel {
    /// The rate model as a model file `cajal analyze` and `cajal run` read, with a header
    /// that says where it came from; `duration_ms` and `dt_ms` are the network's.
    pub fn to_model_file(&self, origin: &str, duration_ms: f64, dt_ms: f64) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# The rate model of {origin}, reduced by cajal from its mean-field theory:\n\
             #   τ_a dν_a/dt = −ν_a + φ_a(μ_a^ext + Σ_b J_ab ν_b(t − D_ab)),  J_ab = τ_a K_ab J_ab (mV/Hz),\n\
             # φ_a the Siegert rate of the LIF at the noise σ_a of the network's asynchronous\n\
             # state (held fixed), τ_a the membrane time constant. The rates start at that state.\n\
             [simulation]\nduration = \"{duration_ms} ms\"\ndt = \"{dt_ms} ms\"\n"
        );
        for population in &self.populations {
            let n = &population.neuron;
            // A population without spike input has no noise: the deterministic LIF curve.
            let kind = if population.sigma_mv > 0.0 {
                format!("kind = \"siegert\", sigma = \"{} mV\"", population.sigma_mv)
            } else {
                "kind = \"lif\"".to_string()
            };
            let _ = writeln!(
                text,
                "[population.{}]\nmodel = \"rate\"\ntau = \"{} ms\"\ninitial_rate = {}\n\
                 input = \"{} mV\"\ntransfer = {{ {kind}, \
                 tau_m = \"{} ms\", theta = \"{} mV\", V_r = \"{} mV\", t_ref = \"{} ms\" }}\n",
                population.name,
                population.time_constant_ms,
                population.stationary_rate_hz,
                population.external_drive_mv,
                n.membrane_time_constant,
                n.threshold,
                n.reset_potential,
                n.refractory_period
            );
        }
        for (target, population) in self.populations.iter().enumerate() {
            let row: Vec<&ReducedCoupling> = self
                .couplings
                .iter()
                .filter(|c| c.target == target)
                .collect();
            if row.is_empty() {
                continue;
            }
            let _ = writeln!(text, "[coupling.{}]", population.name);
            for coupling in &row {
                let _ = writeln!(
                    text,
                    "{} = {}",
                    self.populations[coupling.source].name, coupling.mv_per_hz
                );
            }
            let _ = writeln!(text);
            if row.iter().any(|c| c.delay_ms > 0.0) {
                let _ = writeln!(text, "[delay.{}]", population.name);
                for coupling in row.iter().filter(|c| c.delay_ms > 0.0) {
                    let _ = writeln!(
                        text,
                        "{} = \"{} ms\"",
                        self.populations[coupling.source].name, coupling.delay_ms
                    );
                }
                let _ = writeln!(text);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests;

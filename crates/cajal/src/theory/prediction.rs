//! What theory predicts for a population of a model, read off the model alone, where a
//! closed form exists — to be shown beside what the simulation gave.
//!
//! A prediction is made only where its assumptions hold exactly; anything else (a
//! projection into the population, noise or Poisson input, a current that changes during
//! the run, neurons that differ) gives `None`, never an approximation. Today:
//!
//! * **Deterministic LIF.** A `lif` population whose neurons all receive the same constant
//!   current I for the whole run, and nothing else, relaxes towards μ = E_L + R·I and fires
//!   periodically above rheobase at the rate of [`super::lif::firing_rate_hz`], with CV = 0.
//! * **Networks of LIF neurons in the diffusion approximation.** Where the whole model is
//!   covered by [`super::mean_field::mean_field_of`] (LIF populations driven by spikes
//!   through delta or exponential current synapses, white noise and constant currents),
//!   the self-consistent rates and CVs of the asynchronous state (Brunel 2000). They are a
//!   prediction of the asynchronous irregular state: a network that oscillates or
//!   synchronises departs from them, which is itself worth seeing.
//!
//! The predictions are **stationary**: they hold after the initial transient, the stretch
//! from the initial potential to the first spike, which the closed form does not describe.
//! Compare them with what the simulation gives after each neuron's first spike (the rate
//! over its inter-spike intervals), not with the spike count over the whole run, which
//! includes that transient. With `spike_timing = "grid"` an interval is a whole number of
//! steps, so the simulated rate lies below the closed form by up to dt/ISI.

use crate::input::InputKind;
use crate::spec::model::{ModelSpec, NeuronSpec};
use crate::theory::mean_field::mean_field_of;

/// A closed-form prediction of the stationary activity of every neuron of a population.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The closed form used, in words, for a reader of the comparison.
    pub basis: &'static str,
    /// Stationary firing rate of each neuron (Hz), after the initial transient.
    pub rate_hz: f64,
    /// Coefficient of variation of the inter-spike intervals; `None` where the neurons
    /// are silent and so have no intervals.
    pub cv_isi: Option<f64>,
}

/// The prediction for each population of `spec`, in file order; `None` for those without
/// a closed form.
pub fn predictions(spec: &ModelSpec) -> Vec<Option<Prediction>> {
    let mut predictions: Vec<Option<Prediction>> = (0..spec.populations.len())
        .map(|population| deterministic_lif(spec, population))
        .collect();
    if predictions.iter().any(Option::is_none) {
        let mean_field = mean_field_predictions(spec);
        for (prediction, theory) in predictions.iter_mut().zip(mean_field) {
            if prediction.is_none() {
                *prediction = theory;
            }
        }
    }
    predictions
}

/// The prediction for population number `population` of `spec`, where it has a closed form.
pub fn predict(spec: &ModelSpec, population: usize) -> Option<Prediction> {
    predictions(spec).into_iter().nth(population).flatten()
}

/// The mean-field rates of the LIF populations that receive noise or spikes, in file order.
fn mean_field_predictions(spec: &ModelSpec) -> Vec<Option<Prediction>> {
    let mut out = vec![None; spec.populations.len()];
    let Ok(network) = mean_field_of(spec) else {
        return out;
    };
    let Ok(state) = network.stationary_state(5.0) else {
        return out;
    };
    let mut lif = 0;
    for (k, population) in spec.populations.iter().enumerate() {
        if !matches!(population.neuron, NeuronSpec::Lif { .. }) {
            continue;
        }
        let theory = &network.populations[lif];
        let driven = theory.noise_variance_mv2 > 0.0 || !theory.afferents.is_empty();
        if driven {
            out[k] = Some(Prediction {
                basis: "mean field, diffusion approximation: self-consistent Siegert rates \
                        of the asynchronous state (Brunel 2000)",
                rate_hz: state.rates_hz[lif],
                cv_isi: state.cv_isi[lif],
            });
        }
        lif += 1;
    }
    out
}

fn deterministic_lif(spec: &ModelSpec, population: usize) -> Option<Prediction> {
    let target = spec.populations.get(population)?;
    let NeuronSpec::Lif { .. } = target.neuron else {
        return None;
    };
    let parameters = target.neuron.lif_parameters()?;
    // The initial potential only shapes the transient; any other per-neuron value makes the
    // neurons fire at different rates.
    if target
        .varying
        .iter()
        .any(|varying| varying.name != "initial_potential")
    {
        return None;
    }
    if spec.projections.iter().any(|p| p.target == population) {
        return None;
    }
    let mut current = 0.0;
    for input in spec.inputs.iter().filter(|i| i.population == population) {
        let InputKind::Constant { amplitude } = input.kind else {
            return None;
        };
        let whole_run = input.start_ms <= 0.0 && input.stop_ms >= spec.simulation.duration_ms;
        // Neuron lists are sorted and without repeats: all neurons, or fewer than all.
        if !whole_run || input.neurons.len() != target.size {
            return None;
        }
        current += amplitude;
    }
    let rate_hz = parameters.stationary_rate_hz(current);
    Some(Prediction {
        basis: "deterministic LIF under constant current: 1/(τ_ref + τ_m ln((μ − V_r)/(μ − θ))), \
                μ = E_L + R·I",
        rate_hz,
        // A periodic train has identical intervals.
        cv_isi: (rate_hz > 0.0).then_some(0.0),
    })
}

#[cfg(test)]
mod tests;

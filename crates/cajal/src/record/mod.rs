//! Recorders: what a run keeps. Spike recorders keep (neuron, time) pairs of a population or
//! a subset of it; trace recorders sample state variables of chosen neurons every few steps.
//!
//! Samples of a trace are taken at t = 0 and then at the end of every `interval`-th step, so
//! a trace of a run of `steps` steps with interval k has ⌊steps/k⌋ + 1 samples.

use crate::neuron::{NeuronModel, Spike, VariableDef};

/// The spikes of (part of) a population.
#[derive(Clone, Debug)]
pub struct SpikeRecorder {
    /// Population index.
    pub population: usize,
    /// Recorded neurons (sorted); `None` for all.
    pub neurons: Option<Vec<u32>>,
    /// Spikes in the order they happened.
    pub spikes: Vec<Spike>,
}

impl SpikeRecorder {
    /// Keeps the spikes of the recorded neurons among `spikes`.
    pub fn record(&mut self, spikes: &[Spike]) {
        match &self.neurons {
            None => self.spikes.extend_from_slice(spikes),
            Some(neurons) => self.spikes.extend(
                spikes
                    .iter()
                    .filter(|spike| neurons.binary_search(&spike.neuron).is_ok()),
            ),
        }
    }
}

/// Samples of some variables of some neurons.
#[derive(Clone, Debug)]
pub struct TraceRecorder {
    /// Population index.
    pub population: usize,
    /// The sampled variables (their names, dimensions and descriptions).
    pub variables: Vec<VariableDef>,
    /// Their indices into the model's variables.
    pub variable_indices: Vec<usize>,
    /// Sampled neurons.
    pub neurons: Vec<u32>,
    /// Steps between samples.
    pub interval_steps: u64,
    /// Sample times (ms).
    pub times_ms: Vec<f64>,
    /// Per variable, the samples: `values[v][sample * neurons.len() + k]` is variable `v` of
    /// `neurons[k]` at `times_ms[sample]`.
    pub values: Vec<Vec<f64>>,
}

impl TraceRecorder {
    /// A recorder of `variable_indices` of `neurons`, expecting about `samples` samples.
    pub fn new(
        population: usize,
        model: &NeuronModel,
        variable_indices: Vec<usize>,
        neurons: Vec<u32>,
        interval_steps: u64,
        samples: usize,
    ) -> Self {
        let known = model.variables();
        TraceRecorder {
            population,
            variables: variable_indices.iter().map(|&v| known[v]).collect(),
            values: variable_indices
                .iter()
                .map(|_| Vec::with_capacity(samples * neurons.len()))
                .collect(),
            variable_indices,
            neurons,
            interval_steps,
            times_ms: Vec::with_capacity(samples),
        }
    }

    /// Samples the model at `time_ms`.
    pub fn sample(&mut self, model: &NeuronModel, time_ms: f64) {
        self.times_ms.push(time_ms);
        for (values, &variable) in self.values.iter_mut().zip(&self.variable_indices) {
            values.extend(
                self.neurons
                    .iter()
                    .map(|&neuron| model.sample(variable, neuron as usize)),
            );
        }
    }

    /// The time course of variable `variable` (index into [`Self::variables`]) of the
    /// `k`-th recorded neuron.
    pub fn series(&self, variable: usize, k: usize) -> Vec<f64> {
        let stride = self.neurons.len();
        self.values[variable]
            .iter()
            .skip(k)
            .step_by(stride)
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::StepInput;
    use crate::neuron::rate::{RateUnit, TransferFunction};

    #[test]
    fn spike_recorder_keeps_only_its_neurons() {
        let mut recorder = SpikeRecorder {
            population: 0,
            neurons: Some(vec![1, 3]),
            spikes: Vec::new(),
        };
        let spikes: Vec<Spike> = (0..5)
            .map(|neuron| Spike {
                neuron,
                time_ms: neuron as f64,
            })
            .collect();
        recorder.record(&spikes);
        let kept: Vec<u32> = recorder.spikes.iter().map(|s| s.neuron).collect();
        assert_eq!(kept, [1, 3]);
    }

    #[test]
    fn trace_series_separates_neurons() {
        let transfer = TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0,
        };
        let mut model = NeuronModel::Rate(RateUnit::new(transfer, 10.0, 0.0, 3));
        let mut recorder = TraceRecorder::new(0, &model, vec![0], vec![0, 2], 1, 2);
        recorder.sample(&model, 0.0);
        let currents = [1.0, 2.0, 3.0];
        let input = StepInput {
            current: crate::neuron::Drive::PerNeuron(&currents),
            voltage_jumps: None,
            receptors: &[],
            alpha_receptors: &[],
            conductances: &[],
        };
        let clock = crate::neuron::StepClock {
            step: 0,
            time_ms: 0.0,
            dt_ms: 10.0,
        };
        model.advance(&input, clock, &mut Vec::new());
        recorder.sample(&model, 10.0);
        let decay = 1.0 - (-1.0f64).exp();
        assert_eq!(recorder.series(0, 0), [0.0, 1.0 * decay]);
        assert_eq!(recorder.series(0, 1), [0.0, 3.0 * decay]);
        assert_eq!(recorder.variables[0].name, "m");
    }
}

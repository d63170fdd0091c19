//! Recorders: what a run keeps. Spike recorders keep (neuron, time) pairs of a population or
//! a subset of it; trace recorders sample state variables of chosen neurons every few steps;
//! activity recorders count the spikes of a whole population in bins; weight recorders keep
//! the weights of a plastic projection at chosen times ([`WeightRecorder`]).
//!
//! Samples of a trace are taken at t = 0 and then at the end of every `interval`-th step, so
//! a trace of a run of `steps` steps with interval k has ⌊steps/k⌋ + 1 samples.
//!
//! A streamed run hands what its recorders took to a [`RecordingSink`] after every chunk of
//! steps, as a [`Chunk`], and then forgets it: memory for recording is bounded by one chunk,
//! whatever the run length. Kept in memory, the chunks add up to [`Recordings`].

mod stream;
mod weights;

pub use stream::{Chunk, RecordingSink, Recordings};
pub use weights::WeightRecorder;

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

/// Population activity ν(t) = count/(N·bin) in Hz: the spikes of all N neurons of a
/// population (recorded or not) in bins of a whole number of steps, from t = 0.
///
/// A bin is complete with its last step; only complete bins are kept, so a last partial bin
/// (a duration that is not a multiple of the bin, or a run stopped early) is dropped, as in
/// [`crate::stats::population_rate_hz`]. Spikes of step k (stamped in (k·dt, (k+1)·dt]) fall
/// in bin ⌊k / bin_steps⌋, the bin a spike time stamped at its end belongs to there.
#[derive(Clone, Debug)]
pub struct ActivityRecorder {
    /// Population index.
    pub population: usize,
    /// Its number of neurons, N.
    pub size: usize,
    /// Steps per bin.
    pub bin_steps: u64,
    /// The time step (ms).
    pub dt_ms: f64,
    /// Start times of the complete bins held (ms).
    pub start_ms: Vec<f64>,
    /// Their rates ν (Hz).
    pub rate_hz: Vec<f64>,
    /// Complete bins so far, including those already handed on.
    bins_done: u64,
    /// Spikes and steps of the bin being filled.
    pending_spikes: u64,
    pending_steps: u64,
}

impl ActivityRecorder {
    /// A recorder of population `population` of `size` neurons in bins of `bin_steps` steps.
    pub fn new(population: usize, size: usize, bin_steps: u64, dt_ms: f64) -> Self {
        ActivityRecorder {
            population,
            size,
            bin_steps: bin_steps.max(1),
            dt_ms,
            start_ms: Vec::new(),
            rate_hz: Vec::new(),
            bins_done: 0,
            pending_spikes: 0,
            pending_steps: 0,
        }
    }

    /// The width of a bin (ms).
    pub fn bin_ms(&self) -> f64 {
        self.bin_steps as f64 * self.dt_ms
    }

    /// Takes the population's spike counts of consecutive steps, completing bins.
    pub fn add_steps(&mut self, counts: &[u64]) {
        // The same expression as stats::population_rate_hz, so that both agree to the bit.
        let scale = 1000.0 / (self.size as f64 * self.bin_ms());
        for &count in counts {
            self.pending_spikes += count;
            self.pending_steps += 1;
            if self.pending_steps == self.bin_steps {
                self.start_ms
                    .push((self.bins_done * self.bin_steps) as f64 * self.dt_ms);
                self.rate_hz.push(self.pending_spikes as f64 * scale);
                self.bins_done += 1;
                self.pending_spikes = 0;
                self.pending_steps = 0;
            }
        }
    }

    /// Forgets the complete bins held (after they were handed on), keeping the bin being
    /// filled.
    pub fn clear(&mut self) {
        self.start_ms.clear();
        self.rate_hz.clear();
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

    #[test]
    fn activity_bins_whole_steps_and_drops_the_partial_bin() {
        // 4 neurons, dt 0.5 ms, bins of 2 steps (1 ms): counts 1+1, 0+2, then a partial bin.
        let mut activity = ActivityRecorder::new(0, 4, 2, 0.5);
        activity.add_steps(&[1, 1, 0]);
        activity.add_steps(&[2, 3]);
        assert_eq!(activity.start_ms, [0.0, 1.0]);
        // 2 spikes/(4 neurons · 1 ms) = 500 Hz.
        assert_eq!(activity.rate_hz, [500.0, 500.0]);
        activity.clear();
        activity.add_steps(&[1]);
        assert_eq!(activity.start_ms, [2.0]);
        assert_eq!(activity.rate_hz, [1000.0]);
    }
}

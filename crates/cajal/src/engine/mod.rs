//! The step loop: builds populations, inputs and recorders from a checked model, and advances
//! them on a fixed time step.
//!
//! One step from t to t + dt, for every population:
//! 1. the external current of the step is assembled: constant inputs that act for the whole
//!    run are folded once into a bias (uniform, or per neuron), time-varying inputs add their
//!    mean over the step on top of it;
//! 2. Poisson inputs add voltage jumps (delta synapses) or synaptic weights arriving at
//!    exponential or alpha receptors;
//! 3. the neuron model advances (exactly, or by RK4), emitting spikes (a population of
//!    Poisson sources draws its spikes instead);
//! 4. the receptors decay and take up what arrived, so it acts from the next step on;
//! 5. recorders keep spikes and, every `interval` steps, samples of the state at t + dt;
//! 6. the step's spikes are delivered through the projections into ring buffers, one slot per
//!    step of delay, from which they arrive in step k + delay (item 1 of that step).
//!
//! **Threads own targets.** Every population is split into contiguous parts, one per
//! thread; a thread advances its parts, publishes their spikes, waits at a barrier, then
//! reads the spikes of all threads (in neuron order) and delivers those that reach its own
//! neurons. Each cell of a ring buffer therefore receives its additions in the same order
//! for any number of threads, every random draw belongs to a neuron rather than to a thread
//! (see [`crate::rng`]), and the spikes are bitwise identical for 1, 2, 3 or 8 threads.
//!
//! The engine never reads the wall clock and never prints: progress is reported to an
//! observer, which may also stop the run. A run is determined by its model file and seed.

mod barrier;
mod shard;

use std::ops::Range;

use crate::connect::Connectivity;
use crate::input::{InputKind, PoissonSynapse};
use crate::memory;
use crate::neuron::Spike;
use crate::record::{SpikeRecorder, TraceRecorder};
use crate::spec::model::{ModelSpec, RecordSpec};

use barrier::SpinBarrier;
use shard::{Destination, Shard, SpikeExchange};

/// Why a model could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A parameter combination that only fails at build time (e.g. with dt).
    #[error("population `{population}`: {message}")]
    Parameter {
        /// The population.
        population: String,
        /// What is wrong.
        message: String,
    },
    /// The model would not fit in memory.
    #[error(
        "the model needs about {needed} of memory but only {available} is available; \
         reduce the number of neurons, the recorded neurons or variables, or raise the \
         trace interval"
    )]
    OutOfMemory {
        /// Estimated need, formatted.
        needed: String,
        /// Available memory, formatted.
        available: String,
    },
    /// A projection that could not be built.
    #[error("projection {index}: {message}")]
    Projection {
        /// Its index in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// An input that could not be built.
    #[error("input {index}: {message}")]
    Input {
        /// Its index in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

/// Progress reported to the observer.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Steps completed.
    pub steps_done: u64,
    /// Steps in the whole run.
    pub steps_total: u64,
    /// Biological time reached (ms).
    pub time_ms: f64,
}

/// The observer's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this step; the results so far are kept and marked incomplete.
    Stop,
}

/// A population's totals over the run.
#[derive(Clone, Debug)]
pub struct PopulationTotals {
    /// Its name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Spikes of all its neurons.
    pub spike_count: u64,
    /// Whether the model spikes.
    pub is_spiking: bool,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Per population, in file order.
    pub populations: Vec<PopulationTotals>,
    /// Spike recorders.
    pub spikes: Vec<SpikeRecorder>,
    /// Trace recorders.
    pub traces: Vec<TraceRecorder>,
    /// Steps done.
    pub steps_done: u64,
    /// Steps the model asked for.
    pub steps_total: u64,
    /// Biological time simulated (ms).
    pub biological_ms: f64,
}

impl RunResult {
    /// Whether the run stopped before its end.
    pub fn is_complete(&self) -> bool {
        self.steps_done == self.steps_total
    }
}

/// A projection as the threads share it.
struct Projection {
    source: usize,
    target: usize,
    destination: Destination,
    /// The weight of every synapse, unless the connectivity has per-synapse weights.
    weight: f64,
    /// The delay of every synapse, or the longest of the per-synapse delays.
    delay_steps: u64,
    connectivity: Connectivity,
}

/// A built model, ready to run.
pub struct Simulation {
    dt_ms: f64,
    steps_total: u64,
    step: u64,
    names: Vec<String>,
    sizes: Vec<usize>,
    spiking: Vec<bool>,
    projections: Vec<Projection>,
    shards: Vec<Shard>,
    exchange: Vec<SpikeExchange>,
    spike_records: Vec<(usize, Option<Vec<u32>>)>,
    trace_records: Vec<Vec<u32>>,
}

/// Bytes a model will need: state, per-neuron input streams and recorded traces (spikes are
/// not known in advance and are not counted).
pub fn estimate_memory_bytes(spec: &ModelSpec) -> u128 {
    let mut bytes: u128 = 0;
    for population in &spec.populations {
        // State, the step's current and spike buffers.
        bytes += population.size as u128 * (population.bytes_per_neuron() as u128 + 16);
    }
    for input in &spec.inputs {
        let per_neuron = match input.kind {
            InputKind::WhiteNoise { .. } | InputKind::Poisson { .. } => 40,
            InputKind::OrnsteinUhlenbeck { .. } => 48,
            // One counter-based key per neuron, or one for a shared train.
            InputKind::PoissonProfile { .. } => 8,
            _ => 4,
        };
        bytes += input.neurons.len() as u128 * per_neuron;
        if input.receptor_time_constant_ms.is_some() {
            // An exponential receptor holds two values per neuron, an alpha one three.
            let values = match input.kind {
                InputKind::Poisson {
                    synapse: PoissonSynapse::Alpha { .. },
                    ..
                } => 3,
                _ => 2,
            };
            bytes += spec.populations[input.population].size as u128 * 8 * values;
        }
    }
    for projection in &spec.projections {
        let synapses = projection.rule.expected_synapses(
            spec.populations[projection.source].size,
            spec.populations[projection.target].size,
        );
        // While the synapses are sorted by source, the (source, target) pairs (8 bytes, up to
        // twice that while their vector grows) and the sorted targets (4) coexist; the ring
        // buffer of the target; row stretches per thread.
        bytes += (synapses * 24.0) as u128 + 24 * spec.populations[projection.source].size as u128;
        // Per-synapse weights (8 bytes) and delays (2), with the sort's permutation (4).
        let varying = u128::from(projection.weight_distribution.is_some()) * 8
            + u128::from(projection.delay_distribution.is_some()) * 2;
        let listed = match &projection.rule {
            crate::connect::Rule::FromList(_) => 12,
            _ => 0,
        };
        bytes += (synapses * (varying + listed) as f64) as u128;
        bytes += 8
            * (projection.delay_steps as u128 + 1)
            * spec.populations[projection.target].size as u128;
    }
    for record in &spec.records {
        if let RecordSpec::Trace {
            variables,
            neurons,
            interval_steps,
            ..
        } = record
        {
            let samples = (spec.simulation.steps / interval_steps + 1) as u128;
            bytes += samples * (8 + 8 * variables.len() as u128 * neurons.len() as u128);
        }
    }
    bytes
}

/// The part of `0..size` that thread `thread` of `threads` owns: contiguous, in order, sizes
/// differing by at most one.
pub fn part_of(size: usize, thread: usize, threads: usize) -> Range<usize> {
    let base = size / threads;
    let extra = size % threads;
    let start = thread * base + thread.min(extra);
    start..start + base + usize::from(thread < extra)
}

impl Simulation {
    /// Builds a checked model for `threads` threads, refusing one that would not fit in the
    /// available memory.
    pub fn build(spec: &ModelSpec, threads: usize) -> Result<Simulation, BuildError> {
        let needed = estimate_memory_bytes(spec);
        if let Some(available) = memory::available_bytes()
            && needed > available as u128
        {
            return Err(BuildError::OutOfMemory {
                needed: memory::format_bytes(needed),
                available: memory::format_bytes(available as u128),
            });
        }
        let threads = threads.max(1);
        let mut projections = Vec::with_capacity(spec.projections.len());
        for (index, projection) in spec.projections.iter().enumerate() {
            let connectivity = Connectivity::build(
                &projection.rule,
                spec.populations[projection.source].size,
                spec.populations[projection.target].size,
                projection.source == projection.target,
                projection.autapses,
                spec.simulation.seed,
                index as u64,
            )
            .map_err(|error| BuildError::Projection {
                index,
                message: error.to_string(),
            })?;
            let mut connectivity = connectivity;
            if let Some(distribution) = &projection.weight_distribution {
                connectivity.draw_weights(distribution, spec.simulation.seed, index as u64);
            }
            if let Some(distribution) = &projection.delay_distribution {
                connectivity
                    .draw_delays(
                        distribution,
                        spec.simulation.dt_ms,
                        spec.simulation.seed,
                        index as u64,
                    )
                    .map_err(|error| BuildError::Projection {
                        index,
                        message: error.to_string(),
                    })?;
            }
            let normalisation = shard::weight_normalisation(projection);
            if normalisation != 1.0 {
                connectivity.scale_weights(normalisation);
            }
            // The ring needs a slot per step of the longest delay actually drawn.
            let delay_steps = connectivity
                .max_delay_steps()
                .unwrap_or(projection.delay_steps);
            projections.push(Projection {
                source: projection.source,
                target: projection.target,
                destination: shard::destination_of(spec, projection),
                weight: shard::delivered_weight(projection),
                delay_steps,
                connectivity,
            });
        }
        let shards = (0..threads)
            .map(|thread| Shard::build(spec, thread, threads, &projections))
            .collect::<Result<Vec<_>, _>>()?;
        let exchange = (0..threads)
            .map(|_| SpikeExchange::new(spec.populations.len()))
            .collect();
        Ok(Simulation {
            dt_ms: spec.simulation.dt_ms,
            steps_total: spec.simulation.steps,
            step: 0,
            names: spec.populations.iter().map(|p| p.name.clone()).collect(),
            sizes: spec.populations.iter().map(|p| p.size).collect(),
            spiking: spec
                .populations
                .iter()
                .map(|p| p.neuron.is_spiking())
                .collect(),
            projections,
            shards,
            exchange,
            spike_records: spec
                .records
                .iter()
                .filter_map(|r| match r {
                    RecordSpec::Spikes {
                        population,
                        neurons,
                    } => Some((*population, neurons.clone())),
                    RecordSpec::Trace { .. } => None,
                })
                .collect(),
            trace_records: spec
                .records
                .iter()
                .filter_map(|r| match r {
                    RecordSpec::Trace { neurons, .. } => Some(neurons.clone()),
                    RecordSpec::Spikes { .. } => None,
                })
                .collect(),
        })
    }

    /// Synapses of every projection.
    pub fn synapse_count(&self) -> usize {
        self.projections
            .iter()
            .map(|p| p.connectivity.synapse_count())
            .sum()
    }

    /// Bytes of connectivity (targets and row offsets of every projection).
    pub fn connectivity_bytes(&self) -> usize {
        self.projections
            .iter()
            .map(|p| p.connectivity.bytes())
            .sum()
    }

    /// The time step (ms).
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// The number of threads.
    pub fn threads(&self) -> usize {
        self.shards.len()
    }

    /// Runs to the end (or until the observer says stop), reporting progress every
    /// `report_every` steps.
    pub fn run(
        mut self,
        report_every: u64,
        mut observer: impl FnMut(Progress) -> Control,
    ) -> RunResult {
        let report_every = report_every.max(1);
        while self.step < self.steps_total {
            let end = (self.step + report_every).min(self.steps_total);
            self.run_steps(self.step..end);
            self.step = end;
            let progress = Progress {
                steps_done: self.step,
                steps_total: self.steps_total,
                time_ms: self.step as f64 * self.dt_ms,
            };
            if observer(progress) == Control::Stop {
                break;
            }
        }
        self.finish()
    }

    /// Runs `steps` on all threads: each advances its part, meets the others at the
    /// barrier, and delivers the step's spikes to its own neurons.
    fn run_steps(&mut self, steps: Range<u64>) {
        let barrier = SpinBarrier::new(self.shards.len());
        let projections = &self.projections[..];
        let exchange = &self.exchange[..];
        let dt_ms = self.dt_ms;
        let (first, others) = self
            .shards
            .split_first_mut()
            .expect("a simulation has at least one thread");
        std::thread::scope(|scope| {
            for shard in others {
                let (barrier, steps) = (&barrier, steps.clone());
                scope.spawn(move || shard.run(steps, dt_ms, projections, exchange, barrier));
            }
            first.run(steps, dt_ms, projections, exchange, &barrier);
        });
    }

    /// The results so far, gathered from all threads in neuron order.
    pub fn finish(self) -> RunResult {
        let mut spikes = Vec::with_capacity(self.spike_records.len());
        for (index, (population, neurons)) in self.spike_records.into_iter().enumerate() {
            // Each thread's spikes are in step order, and within a step in neuron order;
            // threads own ascending neuron ranges, so a stable sort by step of the
            // concatenation gives the single-thread order.
            let mut merged: Vec<(u64, Spike)> = Vec::new();
            for shard in &self.shards {
                merged.extend(shard.recorded_spikes(index));
            }
            merged.sort_by_key(|&(step, _)| step);
            spikes.push(SpikeRecorder {
                population,
                neurons,
                spikes: merged.into_iter().map(|(_, spike)| spike).collect(),
            });
        }
        let mut traces = Vec::with_capacity(self.trace_records.len());
        for (index, neurons) in self.trace_records.into_iter().enumerate() {
            let parts: Vec<&TraceRecorder> = self.shards.iter().map(|s| s.trace(index)).collect();
            let mut merged = parts[0].clone();
            merged.neurons = neurons;
            let samples = merged.times_ms.len();
            for (variable, values) in merged.values.iter_mut().enumerate() {
                values.clear();
                for sample in 0..samples {
                    for part in &parts {
                        let width = part.neurons.len();
                        values.extend_from_slice(
                            &part.values[variable][sample * width..(sample + 1) * width],
                        );
                    }
                }
            }
            traces.push(merged);
        }
        RunResult {
            populations: (0..self.names.len())
                .map(|p| PopulationTotals {
                    name: self.names[p].clone(),
                    size: self.sizes[p],
                    spike_count: self.shards.iter().map(|s| s.spike_count(p)).sum(),
                    is_spiking: self.spiking[p],
                })
                .collect(),
            spikes,
            traces,
            steps_done: self.step,
            steps_total: self.steps_total,
            biological_ms: self.step as f64 * self.dt_ms,
        }
    }
}

#[cfg(test)]
mod tests;

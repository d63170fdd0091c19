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
//! 5. recorders keep spikes, the population's spike count and, every `interval` steps,
//!    samples of the state at t + dt;
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
//! **Recording streams.** The run advances in chunks of steps between observer calls;
//! after each chunk the threads' recorded spikes (merged into single-thread order), trace
//! samples and per-step spike counts are handed to a [`RecordingSink`] and forgotten, so
//! memory for recording is bounded by one chunk ([`Simulation::run_streaming`]);
//! [`Simulation::run`] is the same run with a sink that keeps everything in memory.
//!
//! The engine never reads the wall clock and never prints: progress is reported to an
//! observer, which may also stop the run. A run is determined by its model file and seed.

mod barrier;
mod plastic;
mod shard;

pub use plastic::PlasticWeights;

use std::ops::Range;

use crate::connect::{ConnectError, Connectivity};
use crate::input::{InputKind, PoissonSynapse};
use crate::memory;
use crate::neuron::Spike;
use crate::record::{
    ActivityRecorder, Chunk, RecordingSink, Recordings, SpikeRecorder, TraceRecorder,
    WeightRecorder,
};
use crate::rng::{Purpose, stream};
use crate::spec::model::{ModelSpec, RecordSpec, WeightSampling};
use crate::synapse::plasticity::StdpRule;

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

/// What a streamed run returns: its totals (the data went to the sink).
#[derive(Clone, Debug)]
pub struct RunTotals {
    /// Per population, in file order.
    pub populations: Vec<PopulationTotals>,
    /// Steps done.
    pub steps_done: u64,
    /// Steps the model asked for.
    pub steps_total: u64,
    /// Biological time simulated (ms).
    pub biological_ms: f64,
    /// The weights of every plastic projection at the end, in file order.
    pub weights: Vec<PlasticWeights>,
    /// The weight recorders (`[[record]] kind = "weights"`), in file order. Unlike the
    /// other recorders they are not streamed: they are held for the whole run.
    pub weight_traces: Vec<WeightRecorder>,
}

impl RunTotals {
    /// Whether the run stopped before its end.
    pub fn is_complete(&self) -> bool {
        self.steps_done == self.steps_total
    }
}

/// What a run produced, all in memory.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Per population, in file order.
    pub populations: Vec<PopulationTotals>,
    /// Spike recorders.
    pub spikes: Vec<SpikeRecorder>,
    /// Trace recorders.
    pub traces: Vec<TraceRecorder>,
    /// Population-activity recorders (complete bins only).
    pub activity: Vec<ActivityRecorder>,
    /// Steps done.
    pub steps_done: u64,
    /// Steps the model asked for.
    pub steps_total: u64,
    /// Biological time simulated (ms).
    pub biological_ms: f64,
    /// The weights of every plastic projection at the end, in file order.
    pub weights: Vec<PlasticWeights>,
    /// The weight recorders (`[[record]] kind = "weights"`), in file order. Unlike the
    /// other recorders they are not streamed: they are held for the whole run.
    pub weight_traces: Vec<WeightRecorder>,
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
    /// The plasticity rule, for a plastic projection.
    plasticity: Option<StdpRule>,
    /// The weight in the model file (a plastic projection's weights are kept in its unit).
    file_weight: f64,
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
    /// The recorders, holding the data of the current chunk only.
    recorded: Recordings,
    /// Per population, its spikes in each step of the current chunk.
    population_counts: Vec<Vec<u64>>,
    /// The threads' spikes of a recorder, with their steps, while they are merged.
    merging: Vec<(u64, Spike)>,
    /// The weight recorders, with all their records so far.
    weight_traces: Vec<WeightRecorder>,
}

/// Bytes a model will need when everything recorded is kept in memory ([`Simulation::run`]):
/// [`estimate_model_bytes`] and [`estimate_recorded_bytes`].
pub fn estimate_memory_bytes(spec: &ModelSpec) -> u128 {
    estimate_model_bytes(spec) + estimate_recorded_bytes(spec)
}

/// Bytes of the recorded traces and activity of a whole run (spikes are not known in
/// advance and are not counted). A streamed run holds only one chunk of them.
pub fn estimate_recorded_bytes(spec: &ModelSpec) -> u128 {
    let mut bytes: u128 = 0;
    for record in &spec.records {
        match record {
            RecordSpec::Trace {
                variables,
                neurons,
                interval_steps,
                ..
            } => {
                let samples = (spec.simulation.steps / interval_steps + 1) as u128;
                bytes += samples * (8 + 8 * variables.len() as u128 * neurons.len() as u128);
            }
            RecordSpec::Activity { bin_steps, .. } => {
                bytes += 16 * (spec.simulation.steps / bin_steps) as u128;
            }
            RecordSpec::Spikes { .. } => {}
        }
    }
    bytes
}

/// Bytes of the weight recorders of a whole run: a weight per recorded synapse and record,
/// with the synapse's source and target. They are held for the whole run, streamed or not.
fn estimate_weight_record_bytes(spec: &ModelSpec) -> u128 {
    let mut bytes: u128 = 0;
    for record in &spec.weight_records {
        // A weight per synapse and record, with the synapse's source and target.
        let (synapses, records) = match &record.sampling {
            WeightSampling::AtTimes(times) => {
                let projection = &spec.projections[record.projection];
                let synapses = projection.rule.expected_synapses(
                    spec.populations[projection.source].size,
                    spec.populations[projection.target].size,
                );
                (synapses as u128, times.len() as u128)
            }
            WeightSampling::Sample {
                synapses,
                interval_steps,
            } => (
                *synapses as u128,
                (spec.simulation.steps / interval_steps + 1) as u128,
            ),
        };
        bytes += synapses * (8 + 8 * records) + 8 * records;
    }
    bytes
}

/// Bytes a model needs whatever it records: state, per-neuron input streams, connectivity
/// and ring buffers, and the weight records, which are held for the whole run.
pub fn estimate_model_bytes(spec: &ModelSpec) -> u128 {
    // Weight records are not streamed: they count as part of the model.
    let mut bytes: u128 = estimate_weight_record_bytes(spec);
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
        bytes += 24 * spec.populations[projection.source].size as u128;
        if let crate::connect::Rule::Patterns(_) = projection.rule {
            // Written straight into their rows: a target (4 bytes at most) and a weight (8).
            bytes += (synapses * 12.0) as u128;
        } else {
            bytes += (synapses * 24.0) as u128;
            // Per-synapse weights (8 bytes) and delays (2), with the sort's permutation (4).
            let varying = u128::from(projection.weight_distribution.is_some()) * 8
                + u128::from(projection.delay_distribution.is_some()) * 2;
            let listed = match &projection.rule {
                crate::connect::Rule::FromList(_) => 12,
                _ => 0,
            };
            bytes += (synapses * (varying + listed) as f64) as u128;
        }
        bytes += 8
            * (projection.delay_steps as u128 + 1)
            * spec.populations[projection.target].size as u128;
        if let Some(plasticity) = &projection.plasticity {
            // Weights, local targets and the incoming index per synapse; the pre traces
            // (one copy per thread, counted once) and post traces with the index's offsets.
            let traces = if plasticity.triplet.is_some() { 16 } else { 8 };
            bytes += (synapses * plastic::BYTES_PER_SYNAPSE as f64) as u128;
            bytes += traces * spec.populations[projection.source].size as u128;
            bytes += (traces + 4) * spec.populations[projection.target].size as u128;
        }
    }
    bytes
}

/// The synapses of projection `index`, with their weights and delays where these are drawn
/// per synapse.
pub(crate) fn connectivity_of(
    spec: &ModelSpec,
    index: usize,
) -> Result<Connectivity, ConnectError> {
    let projection = &spec.projections[index];
    let (seed, group) = (spec.simulation.seed, index as u64);
    let mut connectivity = Connectivity::build(
        &projection.rule,
        spec.populations[projection.source].size,
        spec.populations[projection.target].size,
        projection.source == projection.target,
        projection.autapses,
        seed,
        group,
    )?;
    if let Some(distribution) = &projection.weight_distribution {
        connectivity.draw_weights(distribution, seed, group);
    }
    if let Some(distribution) = &projection.delay_distribution {
        connectivity.draw_delays(distribution, spec.simulation.dt_ms, seed, group)?;
    }
    Ok(connectivity)
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
    /// available memory with all it records kept in memory ([`Simulation::run`]).
    pub fn build(spec: &ModelSpec, threads: usize) -> Result<Simulation, BuildError> {
        Simulation::build_within(spec, threads, estimate_memory_bytes(spec))
    }

    /// Builds a checked model for `threads` threads to be run with
    /// [`Simulation::run_streaming`], refusing one whose state and connectivity would not fit
    /// in the available memory; recorded data is not counted, as only a chunk of it is held.
    pub fn build_streaming(spec: &ModelSpec, threads: usize) -> Result<Simulation, BuildError> {
        Simulation::build_within(spec, threads, estimate_model_bytes(spec))
    }

    fn build_within(
        spec: &ModelSpec,
        threads: usize,
        needed: u128,
    ) -> Result<Simulation, BuildError> {
        if let Some(population) = spec.populations.iter().find(|p| p.neuron.is_binary()) {
            return Err(BuildError::Parameter {
                population: population.name.clone(),
                message: "binary neurons are simulated by cajal::binary::BinaryNetwork, not by \
                          the spiking engine"
                    .into(),
            });
        }
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
            let mut connectivity =
                connectivity_of(spec, index).map_err(|error| BuildError::Projection {
                    index,
                    message: error.to_string(),
                })?;
            let normalisation = shard::weight_normalisation(projection);
            // A plastic projection keeps its weights in file units, bounded by w_min and
            // w_max, and applies the normalisation when it delivers.
            if normalisation != 1.0 && projection.plasticity.is_none() {
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
                plasticity: projection
                    .plasticity
                    .as_ref()
                    .map(|p| StdpRule::new(p, spec.simulation.dt_ms)),
                file_weight: projection.weight,
            });
        }
        let (weight_traces, samples) = weight_recorders_of(spec, &projections);
        let shards = (0..threads)
            .map(|thread| Shard::build(spec, thread, threads, &projections, &samples))
            .collect::<Result<Vec<_>, _>>()?;
        let exchange = (0..threads)
            .map(|_| SpikeExchange::new(spec.populations.len()))
            .collect();
        let recorded = recorders_of(spec, &shards[0]);
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
            recorded,
            population_counts: vec![Vec::new(); spec.populations.len()],
            merging: Vec::new(),
            weight_traces,
        })
    }

    /// The recorders of this simulation, without data: what every [`Chunk`] of a streamed
    /// run fills (spikes, traces and activity, each kind in file order).
    pub fn recorders(&self) -> Recordings {
        let mut recorders = self.recorded.clone();
        recorders.clear();
        recorders
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
    /// `report_every` steps, and keeps everything recorded in memory.
    pub fn run(self, report_every: u64, observer: impl FnMut(Progress) -> Control) -> RunResult {
        let mut kept = self.recorders();
        let samples = |interval: u64| (self.steps_total / interval + 1) as usize;
        for trace in &mut kept.traces {
            let samples = samples(trace.interval_steps);
            trace.times_ms.reserve_exact(samples);
            for values in &mut trace.values {
                values.reserve_exact(samples * trace.neurons.len());
            }
        }
        let totals = match self.run_streaming(report_every, observer, &mut kept) {
            Ok(totals) => totals,
            Err(never) => match never {},
        };
        RunResult {
            populations: totals.populations,
            spikes: kept.spikes,
            traces: kept.traces,
            activity: kept.activity,
            steps_done: totals.steps_done,
            steps_total: totals.steps_total,
            biological_ms: totals.biological_ms,
            weights: totals.weights,
            weight_traces: totals.weight_traces,
        }
    }

    /// Runs to the end (or until the observer says stop) in chunks of `report_every` steps;
    /// after each chunk, hands what was recorded in it to `sink` and forgets it, then reports
    /// progress to the observer. Memory for recording stays that of one chunk however long
    /// the run. A sink error stops the run and is returned; the chunks before it were taken.
    pub fn run_streaming<S: RecordingSink>(
        mut self,
        report_every: u64,
        mut observer: impl FnMut(Progress) -> Control,
        sink: &mut S,
    ) -> Result<RunTotals, S::Error> {
        let report_every = report_every.max(1);
        if self.steps_total == 0 {
            // Nothing to step, but the samples at t = 0 were taken.
            self.collect(0..0);
            sink.chunk(&self.chunk(0..0))?;
        }
        while self.step < self.steps_total {
            let end = (self.step + report_every).min(self.steps_total);
            let steps = self.step..end;
            self.run_steps(steps.clone());
            self.step = end;
            self.collect(steps.clone());
            sink.chunk(&self.chunk(steps))?;
            let progress = Progress {
                steps_done: self.step,
                steps_total: self.steps_total,
                time_ms: self.step as f64 * self.dt_ms,
            };
            if observer(progress) == Control::Stop {
                break;
            }
        }
        Ok(self.into_totals())
    }

    fn chunk(&self, steps: Range<u64>) -> Chunk<'_> {
        Chunk {
            steps,
            dt_ms: self.dt_ms,
            recorded: &self.recorded,
            population_counts: &self.population_counts,
        }
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

    /// Gathers what the threads recorded in `steps` into `recorded` and `population_counts`
    /// (replacing the previous chunk's), in neuron order, and empties the threads' buffers.
    fn collect(&mut self, steps: Range<u64>) {
        self.recorded.clear();
        for (index, recorder) in self.recorded.spikes.iter_mut().enumerate() {
            // Each thread's spikes are in step order, and within a step in neuron order;
            // threads own ascending neuron ranges, so a stable sort by step of the
            // concatenation gives the single-thread order.
            self.merging.clear();
            for shard in &mut self.shards {
                shard.take_recorded_spikes(index, &mut self.merging);
            }
            self.merging.sort_by_key(|&(step, _)| step);
            recorder
                .spikes
                .extend(self.merging.iter().map(|&(_, spike)| spike));
        }
        for (index, recorder) in self.recorded.traces.iter_mut().enumerate() {
            let parts: Vec<&TraceRecorder> = self.shards.iter().map(|s| s.trace(index)).collect();
            recorder.times_ms.extend_from_slice(&parts[0].times_ms);
            let samples = parts[0].times_ms.len();
            for (variable, values) in recorder.values.iter_mut().enumerate() {
                for sample in 0..samples {
                    for part in &parts {
                        let width = part.neurons.len();
                        values.extend_from_slice(
                            &part.values[variable][sample * width..(sample + 1) * width],
                        );
                    }
                }
            }
        }
        let chunk_steps = (steps.end - steps.start) as usize;
        for (population, counts) in self.population_counts.iter_mut().enumerate() {
            counts.clear();
            counts.resize(chunk_steps, 0);
            for shard in &self.shards {
                for (count, &part) in counts.iter_mut().zip(shard.step_counts(population)) {
                    *count += part;
                }
            }
        }
        self.collect_weights();
        for shard in &mut self.shards {
            shard.clear_recorded();
        }
        for activity in &mut self.recorded.activity {
            activity.add_steps(&self.population_counts[activity.population]);
        }
    }

    /// Appends the weight records the threads took since the last gathering to the weight
    /// recorders, in the projection's order of synapses.
    fn collect_weights(&mut self) {
        for (index, recorder) in self.weight_traces.iter_mut().enumerate() {
            let taps: Vec<_> = self.shards.iter().map(|s| s.weight_tap(index)).collect();
            let parts: Vec<_> = self
                .shards
                .iter()
                .zip(&taps)
                .map(|(shard, tap)| {
                    shard
                        .plastic_part(recorder.projection)
                        .expect("a weight recorder's projection is plastic")
                        .synapse_count_here(tap)
                })
                .collect();
            let taken = &taps[0].taken;
            debug_assert!(taps.iter().all(|t| &t.taken == taken));
            let n = recorder.synapse_count();
            for (record, &done) in taken.iter().enumerate() {
                recorder.times_ms.push(done as f64 * self.dt_ms);
                let start = recorder.values.len();
                match &recorder.sampling {
                    WeightSampling::AtTimes(_) => {
                        // By source, then threads in order (they own ascending targets).
                        let shards = self.shards.iter().zip(&taps).zip(&parts);
                        let ranges: Vec<_> = shards
                            .map(|((shard, tap), &width)| {
                                let part = shard
                                    .plastic_part(recorder.projection)
                                    .expect("a weight recorder's projection is plastic");
                                (part, &tap.values[record * width..(record + 1) * width])
                            })
                            .collect();
                        let sources = ranges.first().map_or(0, |(p, _)| p.source_count());
                        for source in 0..sources {
                            for (part, values) in &ranges {
                                recorder
                                    .values
                                    .extend_from_slice(&values[part.synapse_range_of(source)]);
                            }
                        }
                    }
                    WeightSampling::Sample { .. } => {
                        recorder.values.resize(start + n, f64::NAN);
                        for (tap, &width) in taps.iter().zip(&parts) {
                            let sample = tap.sample().expect("a sample recorder has its sample");
                            let values = &tap.values[record * width..(record + 1) * width];
                            for (&(_, position), &value) in sample.iter().zip(values) {
                                recorder.values[start + position as usize] = value;
                            }
                        }
                    }
                }
                debug_assert_eq!(recorder.values.len(), start + n);
            }
        }
    }

    /// The totals at the end of the run, with the weight records.
    fn into_totals(mut self) -> RunTotals {
        let weight_traces = std::mem::take(&mut self.weight_traces);
        RunTotals {
            populations: (0..self.names.len())
                .map(|p| PopulationTotals {
                    name: self.names[p].clone(),
                    size: self.sizes[p],
                    spike_count: self.shards.iter().map(|s| s.spike_count(p)).sum(),
                    is_spiking: self.spiking[p],
                })
                .collect(),
            steps_done: self.step,
            steps_total: self.steps_total,
            biological_ms: self.step as f64 * self.dt_ms,
            weights: self.plastic_weights(),
            weight_traces,
        }
    }

    /// The current weights of every plastic projection, in file order.
    pub fn plastic_weights(&self) -> Vec<PlasticWeights> {
        let mut all = Vec::new();
        for (index, projection) in self.projections.iter().enumerate() {
            if projection.plasticity.is_none() {
                continue;
            }
            let parts: Vec<_> = self
                .shards
                .iter()
                .filter_map(|shard| shard.plastic_part(index))
                .collect();
            let mut weights = PlasticWeights {
                projection: index,
                delay_ms: projection.delay_steps as f64 * self.dt_ms,
                ..PlasticWeights::default()
            };
            let sources = parts.first().map_or(0, |p| p.source_count());
            for source in 0..sources {
                // Threads own ascending target ranges: in thread order, a row's order.
                for part in &parts {
                    for (target, weight) in part.synapses_of(source) {
                        weights.sources.push(source as u32);
                        weights.targets.push(target);
                        weights.weights.push(weight);
                    }
                }
            }
            all.push(weights);
        }
        all
    }
}

/// The weight recorders of `spec`, without records, and per weight record the synapses of
/// its sample (numbers in the projection's order, ascending; `None` for all).
///
/// A sample is drawn from the stream of [`Purpose::Plasticity`] for (projection, record),
/// so it depends on the seed only, not on the threads.
fn weight_recorders_of(
    spec: &ModelSpec,
    projections: &[Projection],
) -> (Vec<WeightRecorder>, Vec<Option<Vec<usize>>>) {
    let mut recorders = Vec::with_capacity(spec.weight_records.len());
    let mut samples = Vec::with_capacity(spec.weight_records.len());
    for (index, record) in spec.weight_records.iter().enumerate() {
        let connectivity = &projections[record.projection].connectivity;
        let total = connectivity.synapse_count();
        let sample = match record.sampling {
            WeightSampling::AtTimes(_) => None,
            WeightSampling::Sample { synapses, .. } => {
                let mut rng = stream(
                    spec.simulation.seed,
                    Purpose::Plasticity,
                    record.projection as u64,
                    index as u64,
                );
                // The model reader checked the count against the same connectivity.
                let mut chosen =
                    rand::seq::index::sample(&mut rng, total, synapses.min(total)).into_vec();
                chosen.sort_unstable();
                Some(chosen)
            }
        };
        let (mut sources, mut targets) = (Vec::new(), Vec::new());
        let mut wanted = sample.as_deref().map(|s| s.iter().peekable());
        for source in 0..connectivity.source_count() {
            let first = connectivity.synapse_range(source).start;
            for (k, target) in connectivity.targets_of(source).iter().enumerate() {
                let kept = match &mut wanted {
                    None => true,
                    Some(wanted) => wanted.next_if_eq(&&(first + k)).is_some(),
                };
                if kept {
                    sources.push(source as u32);
                    targets.push(target);
                }
            }
        }
        recorders.push(WeightRecorder {
            projection: record.projection,
            sampling: record.sampling.clone(),
            sources,
            targets,
            times_ms: Vec::new(),
            values: Vec::new(),
        });
        samples.push(sample);
    }
    (recorders, samples)
}

/// The recorders of `spec`, without data; traces take their variables from `shard`'s models.
fn recorders_of(spec: &ModelSpec, shard: &Shard) -> Recordings {
    let mut recorders = Recordings::default();
    for record in &spec.records {
        match record {
            RecordSpec::Spikes {
                population,
                neurons,
            } => recorders.spikes.push(SpikeRecorder {
                population: *population,
                neurons: neurons.clone(),
                spikes: Vec::new(),
            }),
            RecordSpec::Trace { neurons, .. } => {
                let index = recorders.traces.len();
                let mut trace = shard.trace(index).clone();
                trace.neurons = neurons.clone();
                trace.times_ms = Vec::new();
                trace.values.iter_mut().for_each(|v| *v = Vec::new());
                recorders.traces.push(trace);
            }
            RecordSpec::Activity {
                population,
                bin_steps,
            } => recorders.activity.push(ActivityRecorder::new(
                *population,
                spec.populations[*population].size,
                *bin_steps,
                spec.simulation.dt_ms,
            )),
        }
    }
    recorders
}

#[cfg(test)]
mod tests;

//! The step loop: builds populations, inputs and recorders from a checked model, and advances
//! them on a fixed time step.
//!
//! One step from t to t + dt, for every population:
//! 1. the external current of the step is assembled: constant inputs that act for the whole
//!    run are folded once into a bias (uniform, or per neuron), time-varying inputs add their
//!    mean over the step on top of it;
//! 2. Poisson inputs add voltage jumps (delta synapses) or synaptic weights arriving at
//!    exponential receptors;
//! 3. the neuron model advances (exactly, or by RK4), emitting spikes;
//! 4. the receptors decay and take up what arrived, so it acts from the next step on;
//! 5. recorders keep spikes and, every `interval` steps, samples of the state at t + dt.
//!
//! The engine never reads the wall clock and never prints: progress is reported to an
//! observer, which may also stop the run. Randomness comes from per-(input, neuron) streams,
//! so a run is determined by its model file and seed.

use crate::connect::Connectivity;
use crate::input::{Input, InputKind, InputSink, PoissonSynapse};
use crate::memory;
use crate::neuron::{Drive, NeuronModel, Spike, StepClock, StepInput};
use crate::record::{SpikeRecorder, TraceRecorder};
use crate::spec::model::{ModelSpec, RecordSpec, SynapseSpec};
use crate::synapse::ExponentialReceptor;

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

/// The external current of a population before time-varying inputs.
#[derive(Clone, Debug)]
enum Bias {
    Uniform(f64),
    PerNeuron(Vec<f64>),
}

struct PopulationState {
    name: String,
    model: NeuronModel,
    bias: Bias,
    /// The step's current when some input varies in time (empty otherwise).
    current: Vec<f64>,
    /// Voltage jumps of the step when some input has delta synapses (empty otherwise).
    jumps: Vec<f64>,
    receptors: Vec<ExponentialReceptor>,
    /// Indices into `Simulation::inputs` of the inputs delivered every step.
    inputs: Vec<usize>,
    spikes: Vec<Spike>,
    spike_count: u64,
}

/// Input waiting to arrive: one slot per step of delay, each holding a value per target
/// neuron. A spike with delay d emitted in step k is added to slot (k + d) mod slots, which
/// is emptied into the target in step k + d.
struct Ring {
    population: usize,
    destination: Destination,
    slots: usize,
    size: usize,
    data: Vec<f64>,
}

/// Where a ring's contents go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Destination {
    /// Voltage jumps.
    Jumps,
    /// The `arriving` weights of receptor `r`.
    Receptor(usize),
}

struct Projection {
    source: usize,
    ring: usize,
    weight: f64,
    delay_steps: u64,
    connectivity: Connectivity,
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

/// A built model, ready to run.
pub struct Simulation {
    dt_ms: f64,
    steps_total: u64,
    step: u64,
    populations: Vec<PopulationState>,
    inputs: Vec<(usize, Input)>,
    spike_recorders: Vec<SpikeRecorder>,
    trace_recorders: Vec<TraceRecorder>,
    rings: Vec<Ring>,
    projections: Vec<Projection>,
}

/// Bytes a model will need: state, per-neuron input streams and recorded traces (spikes are
/// not known in advance and are not counted).
pub fn estimate_memory_bytes(spec: &ModelSpec) -> u128 {
    let mut bytes: u128 = 0;
    for population in &spec.populations {
        // State, the step's current and spike buffers.
        bytes += population.size as u128 * (population.neuron.bytes_per_neuron() as u128 + 16);
    }
    for input in &spec.inputs {
        let per_neuron = match input.kind {
            InputKind::WhiteNoise { .. } | InputKind::Poisson { .. } => 40,
            InputKind::OrnsteinUhlenbeck { .. } => 48,
            _ => 4,
        };
        bytes += input.neurons.len() as u128 * per_neuron;
        if input.receptor_time_constant_ms.is_some() {
            bytes += spec.populations[input.population].size as u128 * 16;
        }
    }
    for projection in &spec.projections {
        let synapses = projection.rule.expected_synapses(
            spec.populations[projection.source].size,
            spec.populations[projection.target].size,
        );
        // 4 bytes per synapse kept, 8 more per synapse while sorting them by source; the
        // ring buffer of the target.
        bytes += (synapses * 12.0) as u128 + 8 * spec.populations[projection.source].size as u128;
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

impl Simulation {
    /// Builds a checked model, refusing one that would not fit in the available memory.
    pub fn build(spec: &ModelSpec) -> Result<Simulation, BuildError> {
        let needed = estimate_memory_bytes(spec);
        if let Some(available) = memory::available_bytes()
            && needed > available as u128
        {
            return Err(BuildError::OutOfMemory {
                needed: memory::format_bytes(needed),
                available: memory::format_bytes(available as u128),
            });
        }
        Self::build_unchecked(spec)
    }

    fn build_unchecked(spec: &ModelSpec) -> Result<Simulation, BuildError> {
        let dt_ms = spec.simulation.dt_ms;
        let mut populations = Vec::with_capacity(spec.populations.len());
        for population in &spec.populations {
            let model = population
                .neuron
                .build(population.size, dt_ms)
                .map_err(|problem| BuildError::Parameter {
                    population: population.name.clone(),
                    message: problem.message,
                })?;
            populations.push(PopulationState {
                name: population.name.clone(),
                model,
                bias: Bias::Uniform(0.0),
                current: Vec::new(),
                jumps: Vec::new(),
                receptors: Vec::new(),
                inputs: Vec::new(),
                spikes: Vec::new(),
                spike_count: 0,
            });
        }
        let mut inputs = Vec::new();
        for (index, input_spec) in spec.inputs.iter().enumerate() {
            let state = &mut populations[input_spec.population];
            let size = state.model.size();
            let mut kind = input_spec.kind.clone();
            if let (Some(tau), InputKind::Poisson { synapse, .. }) =
                (input_spec.receptor_time_constant_ms, &mut kind)
            {
                let receptor = match state
                    .receptors
                    .iter()
                    .position(|r| r.time_constant_ms == tau)
                {
                    Some(existing) => existing,
                    None => {
                        state
                            .receptors
                            .push(ExponentialReceptor::new(size, tau, dt_ms));
                        state.receptors.len() - 1
                    }
                };
                *synapse = PoissonSynapse::Exponential { receptor };
            }
            if let InputKind::Poisson {
                synapse: PoissonSynapse::Delta,
                ..
            } = kind
                && state.jumps.is_empty()
            {
                state.jumps = vec![0.0; size];
            }
            let input = Input::new(
                kind,
                input_spec.neurons.clone(),
                input_spec.start_ms,
                input_spec.stop_ms,
                spec.simulation.seed,
                index as u64,
                dt_ms,
            )
            .map_err(|error| BuildError::Input {
                index,
                message: error.to_string(),
            })?;
            match input.constant_current() {
                Some(amplitude) => add_bias(&mut state.bias, input.neurons(), amplitude, size),
                None => {
                    state.inputs.push(inputs.len());
                    if !matches!(input.kind(), InputKind::Poisson { .. })
                        && state.current.is_empty()
                    {
                        state.current = vec![0.0; size];
                    }
                }
            }
            inputs.push((input_spec.population, input));
        }
        let mut rings: Vec<Ring> = Vec::new();
        let mut projections = Vec::with_capacity(spec.projections.len());
        for (index, projection) in spec.projections.iter().enumerate() {
            let state = &mut populations[projection.target];
            let size = state.model.size();
            let destination = match projection.synapse {
                SynapseSpec::Delta => {
                    if state.jumps.is_empty() {
                        state.jumps = vec![0.0; size];
                    }
                    Destination::Jumps
                }
                SynapseSpec::Exponential { time_constant_ms } => {
                    let receptor = match state
                        .receptors
                        .iter()
                        .position(|r| r.time_constant_ms == time_constant_ms)
                    {
                        Some(existing) => existing,
                        None => {
                            state.receptors.push(ExponentialReceptor::new(
                                size,
                                time_constant_ms,
                                dt_ms,
                            ));
                            state.receptors.len() - 1
                        }
                    };
                    Destination::Receptor(receptor)
                }
            };
            let slots = projection.delay_steps as usize + 1;
            let ring = match rings
                .iter()
                .position(|r| r.population == projection.target && r.destination == destination)
            {
                Some(existing) => existing,
                None => {
                    rings.push(Ring {
                        population: projection.target,
                        destination,
                        slots: 0,
                        size,
                        data: Vec::new(),
                    });
                    rings.len() - 1
                }
            };
            rings[ring].slots = rings[ring].slots.max(slots);
            let connectivity = Connectivity::build(
                &projection.rule,
                populations[projection.source].model.size(),
                size,
                projection.source == projection.target,
                projection.autapses,
                spec.simulation.seed,
                index as u64,
            )
            .map_err(|error| BuildError::Projection {
                index,
                message: error.to_string(),
            })?;
            projections.push(Projection {
                source: projection.source,
                ring,
                weight: projection.weight,
                delay_steps: projection.delay_steps,
                connectivity,
            });
        }
        for ring in &mut rings {
            ring.data = vec![0.0; ring.slots * ring.size];
        }
        let samples_of = |interval: u64| (spec.simulation.steps / interval + 1) as usize;
        let mut spike_recorders = Vec::new();
        let mut trace_recorders = Vec::new();
        for record in &spec.records {
            match record {
                RecordSpec::Spikes {
                    population,
                    neurons,
                } => spike_recorders.push(SpikeRecorder {
                    population: *population,
                    neurons: neurons.clone(),
                    spikes: Vec::new(),
                }),
                RecordSpec::Trace {
                    population,
                    variables,
                    neurons,
                    interval_steps,
                } => {
                    let mut recorder = TraceRecorder::new(
                        *population,
                        &populations[*population].model,
                        variables.clone(),
                        neurons.clone(),
                        *interval_steps,
                        samples_of(*interval_steps),
                    );
                    recorder.sample(&populations[*population].model, 0.0);
                    trace_recorders.push(recorder);
                }
            }
        }
        Ok(Simulation {
            dt_ms,
            steps_total: spec.simulation.steps,
            step: 0,
            populations,
            inputs,
            spike_recorders,
            trace_recorders,
            rings,
            projections,
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

    /// Runs to the end (or until the observer says stop), reporting progress every
    /// `report_every` steps.
    pub fn run(
        mut self,
        report_every: u64,
        mut observer: impl FnMut(Progress) -> Control,
    ) -> RunResult {
        let report_every = report_every.max(1);
        while self.step < self.steps_total {
            self.advance();
            if self.step.is_multiple_of(report_every) || self.step == self.steps_total {
                let progress = Progress {
                    steps_done: self.step,
                    steps_total: self.steps_total,
                    time_ms: self.step as f64 * self.dt_ms,
                };
                if observer(progress) == Control::Stop {
                    break;
                }
            }
        }
        self.finish()
    }

    /// Advances every population by one step.
    pub fn advance(&mut self) {
        let clock = StepClock {
            step: self.step,
            time_ms: self.step as f64 * self.dt_ms,
            dt_ms: self.dt_ms,
        };
        for population in &mut self.populations {
            if !population.current.is_empty() {
                match &population.bias {
                    Bias::Uniform(value) => population.current.fill(*value),
                    Bias::PerNeuron(values) => population.current.copy_from_slice(values),
                }
            }
            population.jumps.fill(0.0);
        }
        for ring in &mut self.rings {
            let slot = (self.step % ring.slots as u64) as usize;
            let arrived = &mut ring.data[slot * ring.size..(slot + 1) * ring.size];
            let population = &mut self.populations[ring.population];
            let destination = match ring.destination {
                Destination::Jumps => &mut population.jumps,
                Destination::Receptor(r) => &mut population.receptors[r].arriving,
            };
            for (value, input) in destination.iter_mut().zip(arrived.iter_mut()) {
                *value += *input;
                *input = 0.0;
            }
        }
        for (target, input) in &mut self.inputs {
            if input.constant_current().is_some() {
                continue;
            }
            let population = &mut self.populations[*target];
            let mut sink = InputSink {
                current: &mut population.current,
                voltage_jumps: &mut population.jumps,
                receptors: &mut population.receptors,
            };
            input.deliver(clock, &mut sink);
        }
        for (index, population) in self.populations.iter_mut().enumerate() {
            let current = if population.current.is_empty() {
                match &population.bias {
                    Bias::Uniform(value) => Drive::Uniform(*value),
                    Bias::PerNeuron(values) => Drive::PerNeuron(values),
                }
            } else {
                Drive::PerNeuron(&population.current)
            };
            let input = StepInput {
                current,
                voltage_jumps: (!population.jumps.is_empty()).then_some(&population.jumps[..]),
                receptors: &population.receptors,
            };
            population.spikes.clear();
            population
                .model
                .advance(&input, clock, &mut population.spikes);
            for receptor in &mut population.receptors {
                receptor.advance();
            }
            population.spike_count += population.spikes.len() as u64;
            for recorder in &mut self.spike_recorders {
                if recorder.population == index {
                    recorder.record(&population.spikes);
                }
            }
        }
        for projection in &self.projections {
            let spikes = &self.populations[projection.source].spikes;
            if spikes.is_empty() {
                continue;
            }
            let ring = &mut self.rings[projection.ring];
            let slot = ((self.step + projection.delay_steps) % ring.slots as u64) as usize;
            let cells = &mut ring.data[slot * ring.size..(slot + 1) * ring.size];
            for spike in spikes {
                for &target in projection.connectivity.targets_of(spike.neuron as usize) {
                    cells[target as usize] += projection.weight;
                }
            }
        }
        self.step += 1;
        let time_ms = self.step as f64 * self.dt_ms;
        for recorder in &mut self.trace_recorders {
            if self.step.is_multiple_of(recorder.interval_steps) {
                recorder.sample(&self.populations[recorder.population].model, time_ms);
            }
        }
    }

    /// The results so far.
    pub fn finish(self) -> RunResult {
        RunResult {
            populations: self
                .populations
                .iter()
                .map(|p| PopulationTotals {
                    name: p.name.clone(),
                    size: p.model.size(),
                    spike_count: p.spike_count,
                    is_spiking: p.model.is_spiking(),
                })
                .collect(),
            spikes: self.spike_recorders,
            traces: self.trace_recorders,
            steps_done: self.step,
            steps_total: self.steps_total,
            biological_ms: self.step as f64 * self.dt_ms,
        }
    }
}

fn add_bias(bias: &mut Bias, neurons: &[u32], amplitude: f64, size: usize) {
    if neurons.len() == size {
        match bias {
            Bias::Uniform(value) => *value += amplitude,
            Bias::PerNeuron(values) => values.iter_mut().for_each(|v| *v += amplitude),
        }
        return;
    }
    if let Bias::Uniform(value) = *bias {
        *bias = Bias::PerNeuron(vec![value; size]);
    }
    if let Bias::PerNeuron(values) = bias {
        for &neuron in neurons {
            values[neuron as usize] += amplitude;
        }
    }
}

#[cfg(test)]
mod tests;

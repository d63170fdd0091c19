//! One thread's part of a simulation: a contiguous range of every population's neurons, with
//! their state, inputs, ring buffers and recorders. A shard writes only its own memory; the
//! spikes of a step are shared through a [`SpikeExchange`] per shard.

use std::ops::Range;
use std::sync::RwLock;

use super::barrier::{PoisonOnPanic, SpinBarrier};
use super::plastic::{Inputs, PlasticPart, WeightTap};
use super::{BuildError, Projection, part_of};
use crate::connect::{Connectivity, Row};
use crate::input::{Input, InputKind, InputSink, PoissonSynapse};
use crate::neuron::{Drive, NeuronModel, Spike, StepClock, StepInput};
use crate::record::TraceRecorder;
use crate::rng::{Purpose, stream};
use crate::spec::model::{
    InputSpec, ModelSpec, ProjectionSpec, RecordSpec, SynapseSpec, WeightSampling,
};
use crate::synapse::{
    AlphaReceptor, ConductanceKernel, ConductanceReceptor, ExponentialReceptor,
    difference_of_exponentials_normalisation,
};

/// Where spikes of a projection act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Voltage jumps.
    Jumps,
    /// The `arriving` weights of receptor `r` of the target population.
    Receptor(usize),
    /// A difference of exponentials: what arrives is added to exponential receptor `decay`
    /// and subtracted from receptor `rise` (the weights already carry the normalisation).
    DifferenceOfExponentials {
        /// The receptor of τ_d.
        decay: usize,
        /// The receptor of τ_r.
        rise: usize,
    },
    /// The `arriving` weights of alpha receptor `r`.
    AlphaReceptor(usize),
    /// The `arriving` conductances of conductance receptor `r`.
    Conductance(usize),
}

/// The synaptic time constant of a Poisson input of the kind `alpha` selects, if it has one.
fn poisson_time_constant(input: &InputSpec, alpha: bool) -> Option<f64> {
    let synapse = match &input.kind {
        InputKind::Poisson { synapse, .. } | InputKind::PoissonProfile { synapse, .. } => synapse,
        _ => return None,
    };
    match synapse {
        PoissonSynapse::Exponential { .. } if !alpha => input.receptor_time_constant_ms,
        PoissonSynapse::Alpha { .. } if alpha => input.receptor_time_constant_ms,
        _ => None,
    }
}

/// The distinct values of `used`, in the order of first use.
fn distinct<T: PartialEq>(used: impl Iterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = Vec::new();
    for value in used {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// The distinct synaptic time constants of a population's exponential receptors, in the
/// order inputs and then projections first use them — the same list on every thread. A
/// difference of exponentials uses two: τ_d, then τ_r.
fn receptor_time_constants(spec: &ModelSpec, population: usize) -> Vec<f64> {
    let inputs = spec
        .inputs
        .iter()
        .filter(|i| i.population == population)
        .filter_map(|i| poisson_time_constant(i, false));
    let projections = spec
        .projections
        .iter()
        .filter(|p| p.target == population)
        .flat_map(|p| match p.synapse {
            SynapseSpec::Exponential { time_constant_ms } => vec![time_constant_ms],
            SynapseSpec::DifferenceOfExponentials {
                rise_time_constant_ms,
                decay_time_constant_ms,
            } => vec![decay_time_constant_ms, rise_time_constant_ms],
            _ => Vec::new(),
        });
    distinct(inputs.chain(projections))
}

/// The distinct time constants of a population's alpha receptors, in the order inputs and
/// then projections first use them.
fn alpha_time_constants(spec: &ModelSpec, population: usize) -> Vec<f64> {
    let inputs = spec
        .inputs
        .iter()
        .filter(|i| i.population == population)
        .filter_map(|i| poisson_time_constant(i, true));
    let projections = spec
        .projections
        .iter()
        .filter(|p| p.target == population)
        .filter_map(|p| match p.synapse {
            SynapseSpec::Alpha { time_constant_ms } => Some(time_constant_ms),
            _ => None,
        });
    distinct(inputs.chain(projections))
}

/// The distinct conductance synapses (kernel, time constant, reversal potential) of a
/// population, in the order projections first use them.
fn conductance_receptors(spec: &ModelSpec, population: usize) -> Vec<SynapseSpec> {
    distinct(
        spec.projections
            .iter()
            .filter(|p| p.target == population && p.synapse.is_conductance())
            .map(|p| p.synapse),
    )
}

/// The receptor of a conductance synapse for `size` neurons (`None` for a current synapse).
fn conductance_receptor(
    synapse: SynapseSpec,
    size: usize,
    dt_ms: f64,
) -> Option<ConductanceReceptor> {
    let (conductance, reversal_potential) = match synapse {
        SynapseSpec::ConductanceExponential {
            time_constant_ms,
            reversal_potential,
        } => (
            ConductanceKernel::Exponential(ExponentialReceptor::new(size, time_constant_ms, dt_ms)),
            reversal_potential,
        ),
        SynapseSpec::ConductanceAlpha {
            time_constant_ms,
            reversal_potential,
        } => (
            ConductanceKernel::Alpha(AlphaReceptor::new(size, time_constant_ms, dt_ms)),
            reversal_potential,
        ),
        _ => return None,
    };
    Some(ConductanceReceptor {
        conductance,
        reversal_potential,
    })
}

/// Where the spikes of `projection` act.
pub fn destination_of(spec: &ModelSpec, projection: &ProjectionSpec) -> Destination {
    let receptor = |tau: f64| {
        receptor_time_constants(spec, projection.target)
            .iter()
            .position(|&t| t == tau)
            .expect("every projection's time constant is listed")
    };
    match projection.synapse {
        SynapseSpec::Delta => Destination::Jumps,
        SynapseSpec::Exponential { time_constant_ms } => {
            Destination::Receptor(receptor(time_constant_ms))
        }
        SynapseSpec::DifferenceOfExponentials {
            rise_time_constant_ms,
            decay_time_constant_ms,
        } => Destination::DifferenceOfExponentials {
            decay: receptor(decay_time_constant_ms),
            rise: receptor(rise_time_constant_ms),
        },
        SynapseSpec::Alpha { time_constant_ms } => Destination::AlphaReceptor(
            alpha_time_constants(spec, projection.target)
                .iter()
                .position(|&t| t == time_constant_ms)
                .expect("every projection's alpha time constant is listed"),
        ),
        SynapseSpec::ConductanceExponential { .. } | SynapseSpec::ConductanceAlpha { .. } => {
            Destination::Conductance(
                conductance_receptors(spec, projection.target)
                    .iter()
                    .position(|&synapse| synapse == projection.synapse)
                    .expect("every projection's conductance receptor is listed"),
            )
        }
    }
}

/// The weight a spike of `projection` carries into its ring: the file's weight, times the
/// peak normalisation N for a difference of exponentials.
pub fn delivered_weight(projection: &ProjectionSpec) -> f64 {
    projection.weight * weight_normalisation(projection)
}

/// The factor between a synapse's weight in the file and what its spikes carry: the peak
/// normalisation N for a difference of exponentials, 1 otherwise.
pub fn weight_normalisation(projection: &ProjectionSpec) -> f64 {
    match projection.synapse {
        SynapseSpec::DifferenceOfExponentials {
            rise_time_constant_ms,
            decay_time_constant_ms,
        } => {
            difference_of_exponentials_normalisation(rise_time_constant_ms, decay_time_constant_ms)
        }
        _ => 1.0,
    }
}

/// The spikes a shard emitted in a step, per population (population neuron numbers), in
/// two buffers used in alternate steps: a thread that has moved on to step k + 1 writes one
/// while slower threads may still read the other (step k). The barrier of step k + 1
/// guarantees that nobody still reads a buffer when it is written again, so the locks are
/// never contended; they only make the sharing safe.
pub struct SpikeExchange {
    buffers: [RwLock<Vec<Vec<Spike>>>; 2],
}

impl SpikeExchange {
    /// Empty buffers for `populations` populations.
    pub fn new(populations: usize) -> Self {
        SpikeExchange {
            buffers: [
                RwLock::new(vec![Vec::new(); populations]),
                RwLock::new(vec![Vec::new(); populations]),
            ],
        }
    }
}

/// The external current of a population part before time-varying inputs.
#[derive(Clone, Debug)]
enum Bias {
    Uniform(f64),
    PerNeuron(Vec<f64>),
}

/// Input waiting to arrive: one slot per step of delay, each holding a value per neuron of
/// the part. A spike with delay d emitted in step k is added to slot (k + d) mod slots,
/// which is emptied into the target in step k + d.
struct Ring {
    population: usize,
    destination: Destination,
    slots: usize,
    size: usize,
    data: Vec<f64>,
}

/// A population's neurons `first..first + size` on this thread.
struct Part {
    first: usize,
    model: NeuronModel,
    bias: Bias,
    /// The step's current when some input varies in time (empty otherwise).
    current: Vec<f64>,
    /// Voltage jumps of the step when delta synapses or inputs exist (empty otherwise).
    jumps: Vec<f64>,
    receptors: Vec<ExponentialReceptor>,
    alpha_receptors: Vec<AlphaReceptor>,
    conductances: Vec<ConductanceReceptor>,
    /// Spikes of the current step (neuron numbers of the part).
    spikes: Vec<Spike>,
    spike_count: u64,
    /// Spikes of the part in each step of the current chunk.
    step_counts: Vec<u64>,
}

/// Spikes kept by a recorder on this thread, with the step of each.
struct RecordedSpikes {
    population: usize,
    /// Recorded neurons (population numbers), `None` for all.
    neurons: Option<Vec<u32>>,
    spikes: Vec<(u64, Spike)>,
}

/// One thread's part of the simulation.
pub struct Shard {
    index: usize,
    parts: Vec<Part>,
    rings: Vec<Ring>,
    /// For each projection, the ring it delivers into.
    projection_rings: Vec<usize>,
    /// For each projection and source neuron, the stretch of its row (sorted by target)
    /// that reaches this thread's neurons, as positions within the row: `[start, end)` at
    /// `2 * source`. Empty when the thread owns the whole target population. Searching the
    /// rows during the run instead cost a cache miss per probe.
    row_stretches: Vec<Vec<u32>>,
    /// Time-varying inputs, with the population they act on.
    inputs: Vec<(usize, Input)>,
    spike_recorders: Vec<RecordedSpikes>,
    trace_recorders: Vec<TraceRecorder>,
    /// The plastic projections' synapses onto this thread's neurons.
    plastic: Vec<PlasticPart>,
    /// For each projection, its index in `plastic` if it is plastic.
    plastic_of: Vec<Option<usize>>,
    /// The weight recorders' parts, in the order of the model's weight records.
    weight_taps: Vec<WeightTap>,
}

impl Shard {
    /// The part of `spec` that thread `thread` of `threads` owns; `samples` holds, per
    /// weight record of a sample, the sampled synapses (numbers in the projection's order,
    /// ascending).
    pub fn build(
        spec: &ModelSpec,
        thread: usize,
        threads: usize,
        projections: &[Projection],
        samples: &[Option<Vec<usize>>],
    ) -> Result<Shard, BuildError> {
        let dt_ms = spec.simulation.dt_ms;
        let ranges: Vec<Range<usize>> = spec
            .populations
            .iter()
            .map(|p| part_of(p.size, thread, threads))
            .collect();
        let mut parts = Vec::with_capacity(spec.populations.len());
        for (population, range) in spec.populations.iter().zip(&ranges) {
            // Each neuron's varying parameters and initial potential are its own draws (or
            // file rows): the values do not depend on threads.
            let mut model = population
                .build(parts.len(), range.clone(), spec.simulation.seed, dt_ms)
                .map_err(|problem| BuildError::Parameter {
                    population: population.name.clone(),
                    message: problem.message,
                })?;
            model.assign_streams(spec.simulation.seed, parts.len() as u64, range.start as u64);
            parts.push(Part {
                first: range.start,
                model,
                bias: Bias::Uniform(0.0),
                current: Vec::new(),
                jumps: Vec::new(),
                receptors: Vec::new(),
                alpha_receptors: Vec::new(),
                conductances: Vec::new(),
                spikes: Vec::new(),
                spike_count: 0,
                step_counts: Vec::new(),
            });
        }
        for (index, part) in parts.iter_mut().enumerate() {
            let size = part.model.size();
            part.receptors = receptor_time_constants(spec, index)
                .into_iter()
                .map(|tau| ExponentialReceptor::new(size, tau, dt_ms))
                .collect();
            part.alpha_receptors = alpha_time_constants(spec, index)
                .into_iter()
                .map(|tau| AlphaReceptor::new(size, tau, dt_ms))
                .collect();
            part.conductances = conductance_receptors(spec, index)
                .into_iter()
                .filter_map(|synapse| conductance_receptor(synapse, size, dt_ms))
                .collect();
        }
        for (index, projection) in spec.projections.iter().enumerate() {
            let (Some(distribution), Destination::Conductance(r)) = (
                &projection.initial_conductance,
                destination_of(spec, projection),
            ) else {
                continue;
            };
            let range = &ranges[projection.target];
            let values = parts[projection.target].conductances[r]
                .conductance
                .conductance_mut();
            for (value, neuron) in values.iter_mut().zip(range.clone()) {
                // Streams of their own, apart from those of initial potentials.
                let group = (1 << 40) + index as u64;
                let mut rng = stream(
                    spec.simulation.seed,
                    Purpose::Initialisation,
                    group,
                    neuron as u64,
                );
                *value = distribution.sample(&mut rng);
            }
        }

        let mut inputs = Vec::new();
        for (index, input_spec) in spec.inputs.iter().enumerate() {
            let population = input_spec.population;
            let range = &ranges[population];
            let local: Vec<u32> = input_spec
                .neurons
                .iter()
                .filter(|&&n| range.contains(&(n as usize)))
                .map(|&n| n - range.start as u32)
                .collect();
            if local.is_empty() {
                continue;
            }
            let mut kind = input_spec.kind.clone();
            if let InputKind::Poisson { synapse, .. } | InputKind::PoissonProfile { synapse, .. } =
                &mut kind
            {
                let position = |constants: Vec<f64>, tau: f64| {
                    constants
                        .iter()
                        .position(|&t| t == tau)
                        .expect("every input's time constant is listed")
                };
                *synapse = match (*synapse, input_spec.receptor_time_constant_ms) {
                    (PoissonSynapse::Exponential { .. }, Some(tau)) => {
                        PoissonSynapse::Exponential {
                            receptor: position(receptor_time_constants(spec, population), tau),
                        }
                    }
                    (PoissonSynapse::Alpha { .. }, Some(tau)) => PoissonSynapse::Alpha {
                        receptor: position(alpha_time_constants(spec, population), tau),
                    },
                    _ => PoissonSynapse::Delta,
                };
            }
            let input = Input::for_part(
                kind,
                local,
                range.start as u32,
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
            let part = &mut parts[population];
            let size = part.model.size();
            match input.constant_current() {
                Some(amplitude) => add_bias(&mut part.bias, input.neurons(), amplitude, size),
                None => {
                    match input.kind() {
                        InputKind::Poisson {
                            synapse: PoissonSynapse::Delta,
                            ..
                        }
                        | InputKind::PoissonProfile {
                            synapse: PoissonSynapse::Delta,
                            ..
                        } => {
                            if part.jumps.is_empty() {
                                part.jumps = vec![0.0; size];
                            }
                        }
                        InputKind::Poisson { .. } | InputKind::PoissonProfile { .. } => {}
                        _ => {
                            if part.current.is_empty() {
                                part.current = vec![0.0; size];
                            }
                        }
                    }
                    inputs.push((population, input));
                }
            }
        }

        let mut rings: Vec<Ring> = Vec::new();
        let mut projection_rings = Vec::with_capacity(spec.projections.len());
        for (projection, shared) in spec.projections.iter().zip(projections) {
            let destination = destination_of(spec, projection);
            let part = &mut parts[projection.target];
            let size = part.model.size();
            if destination == Destination::Jumps && part.jumps.is_empty() {
                part.jumps = vec![0.0; size];
            }
            let slots = shared.delay_steps as usize + 1;
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
            projection_rings.push(ring);
        }
        for ring in &mut rings {
            ring.data = vec![0.0; ring.slots * ring.size];
        }

        // Samples are handed on after every chunk: room for a few chunks' worth to start with,
        // not for the whole run.
        let samples_of =
            |interval: u64| ((spec.simulation.steps / interval + 1) as usize).min(1024);
        let mut spike_recorders = Vec::new();
        let mut trace_recorders = Vec::new();
        for record in &spec.records {
            match record {
                RecordSpec::Spikes {
                    population,
                    neurons,
                } => spike_recorders.push(RecordedSpikes {
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
                    let range = &ranges[*population];
                    let local: Vec<u32> = neurons
                        .iter()
                        .filter(|&&n| range.contains(&(n as usize)))
                        .map(|&n| n - range.start as u32)
                        .collect();
                    let model = &parts[*population].model;
                    let mut recorder = TraceRecorder::new(
                        *population,
                        model,
                        variables.clone(),
                        local,
                        *interval_steps,
                        samples_of(*interval_steps),
                    );
                    recorder.sample(model, 0.0);
                    trace_recorders.push(recorder);
                }
                RecordSpec::Activity { .. } => {}
            }
        }
        let row_stretches = projections
            .iter()
            .map(|projection| {
                let range = &ranges[projection.target];
                if range.len() == spec.populations[projection.target].size {
                    return Vec::new();
                }
                let (low, high) = (range.start as u32, range.end as u32);
                let sources = projection.connectivity.source_count();
                let mut stretches = Vec::with_capacity(2 * sources);
                for source in 0..sources {
                    let row = projection.connectivity.targets_of(source);
                    let start = row.position_of(low);
                    let end = row.position_of(high);
                    stretches.push(start as u32);
                    stretches.push(end as u32);
                }
                stretches
            })
            .collect();
        let mut plastic = Vec::new();
        let mut plastic_of = vec![None; projections.len()];
        for (index, (shared, projection)) in projections.iter().zip(&spec.projections).enumerate() {
            let Some(rule) = shared.plasticity else {
                continue;
            };
            let range = &ranges[projection.target];
            plastic_of[index] = Some(plastic.len());
            plastic.push(PlasticPart::new(
                projection.target,
                shared.destination,
                weight_normalisation(projection),
                rule,
                &shared.connectivity,
                shared.file_weight,
                shared.delay_steps,
                (range.start as u32, range.end as u32),
            ));
        }
        let mut weight_taps = Vec::with_capacity(spec.weight_records.len());
        for (record, sample) in spec.weight_records.iter().zip(samples) {
            let index = plastic_of[record.projection]
                .expect("the model reader accepts weight records of plastic projections only");
            let range = &ranges[spec.projections[record.projection].target];
            let mut tap = match (&record.sampling, sample) {
                (WeightSampling::AtTimes(times), _) => WeightTap::at_times(index, times.clone()),
                (WeightSampling::Sample { interval_steps, .. }, Some(sample)) => {
                    let local = local_sample(
                        &projections[record.projection].connectivity,
                        &plastic[index],
                        (range.start as u32, range.end as u32),
                        sample,
                    );
                    WeightTap::every(index, *interval_steps, local)
                }
                (WeightSampling::Sample { .. }, None) => {
                    unreachable!("every sample record has its sample")
                }
            };
            tap.record_if_due(0, &plastic[index]);
            weight_taps.push(tap);
        }
        Ok(Shard {
            index: thread,
            parts,
            rings,
            projection_rings,
            row_stretches,
            inputs,
            spike_recorders,
            trace_recorders,
            plastic,
            plastic_of,
            weight_taps,
        })
    }

    /// Runs `steps`, meeting the other threads at `barrier` once per step.
    pub fn run(
        &mut self,
        steps: Range<u64>,
        dt_ms: f64,
        projections: &[Projection],
        exchange: &[SpikeExchange],
        barrier: &SpinBarrier,
    ) {
        let _guard = PoisonOnPanic(barrier);
        for step in steps {
            let parity = (step % 2) as usize;
            self.advance(step, dt_ms);
            {
                let mut published = exchange[self.index].buffers[parity]
                    .write()
                    .expect("no thread panics while holding a spike buffer");
                for (buffer, part) in published.iter_mut().zip(&self.parts) {
                    buffer.clear();
                    let first = part.first as u32;
                    buffer.extend(part.spikes.iter().map(|s| Spike {
                        neuron: s.neuron + first,
                        time_ms: s.time_ms,
                    }));
                }
            }
            barrier.wait();
            self.deliver(step, parity, projections, exchange);
        }
    }

    /// Advances this thread's neurons by step `step`.
    fn advance(&mut self, step: u64, dt_ms: f64) {
        let clock = StepClock {
            step,
            time_ms: step as f64 * dt_ms,
            dt_ms,
        };
        for part in &mut self.parts {
            if !part.current.is_empty() {
                match &part.bias {
                    Bias::Uniform(value) => part.current.fill(*value),
                    Bias::PerNeuron(values) => part.current.copy_from_slice(values),
                }
            }
            part.jumps.fill(0.0);
        }
        for ring in &mut self.rings {
            let slot = (step % ring.slots as u64) as usize;
            let arrived = &mut ring.data[slot * ring.size..(slot + 1) * ring.size];
            let part = &mut self.parts[ring.population];
            match ring.destination {
                Destination::Jumps => take_up(&mut part.jumps, arrived),
                Destination::Receptor(r) => take_up(&mut part.receptors[r].arriving, arrived),
                Destination::AlphaReceptor(r) => {
                    take_up(&mut part.alpha_receptors[r].arriving, arrived)
                }
                Destination::Conductance(r) => {
                    take_up(part.conductances[r].conductance.arriving_mut(), arrived)
                }
                Destination::DifferenceOfExponentials { decay, rise } => {
                    let [decay, rise] = part
                        .receptors
                        .get_disjoint_mut([decay, rise])
                        .expect("the two time constants of a difference of exponentials differ");
                    for ((decaying, rising), input) in decay
                        .arriving
                        .iter_mut()
                        .zip(rise.arriving.iter_mut())
                        .zip(arrived.iter_mut())
                    {
                        *decaying += *input;
                        *rising -= *input;
                        *input = 0.0;
                    }
                }
            }
        }
        // Plastic projections deliver what arrives in this step, after the static ones.
        for plastic in &mut self.plastic {
            let part = &mut self.parts[plastic.target];
            let mut inputs = Inputs {
                jumps: &mut part.jumps,
                receptors: part
                    .receptors
                    .iter_mut()
                    .map(|r| &mut r.arriving[..])
                    .collect(),
                alpha_receptors: part
                    .alpha_receptors
                    .iter_mut()
                    .map(|r| &mut r.arriving[..])
                    .collect(),
            };
            plastic.arrive(step, &mut inputs);
        }
        for (target, input) in &mut self.inputs {
            let part = &mut self.parts[*target];
            let mut sink = InputSink {
                current: &mut part.current,
                voltage_jumps: &mut part.jumps,
                receptors: &mut part.receptors,
                alpha_receptors: &mut part.alpha_receptors,
            };
            input.deliver(clock, &mut sink);
        }
        for (population, part) in self.parts.iter_mut().enumerate() {
            let current = if part.current.is_empty() {
                match &part.bias {
                    Bias::Uniform(value) => Drive::Uniform(*value),
                    Bias::PerNeuron(values) => Drive::PerNeuron(values),
                }
            } else {
                Drive::PerNeuron(&part.current)
            };
            let input = StepInput {
                current,
                voltage_jumps: (!part.jumps.is_empty()).then_some(&part.jumps[..]),
                receptors: &part.receptors,
                alpha_receptors: &part.alpha_receptors,
                conductances: &part.conductances,
            };
            part.spikes.clear();
            part.model.advance(&input, clock, &mut part.spikes);
            for receptor in &mut part.receptors {
                receptor.advance();
            }
            for receptor in &mut part.alpha_receptors {
                receptor.advance();
            }
            for receptor in &mut part.conductances {
                receptor.conductance.advance();
            }
            for plastic in &mut self.plastic {
                if plastic.target == population {
                    plastic.post_spikes(part.spikes.iter().map(|s| s.neuron));
                }
            }
            part.spike_count += part.spikes.len() as u64;
            part.step_counts.push(part.spikes.len() as u64);
            let first = part.first as u32;
            for recorder in &mut self.spike_recorders {
                if recorder.population != population {
                    continue;
                }
                for spike in &part.spikes {
                    let neuron = spike.neuron + first;
                    let kept = recorder
                        .neurons
                        .as_ref()
                        .is_none_or(|neurons| neurons.binary_search(&neuron).is_ok());
                    if kept {
                        let spike = Spike {
                            neuron,
                            time_ms: spike.time_ms,
                        };
                        recorder.spikes.push((step, spike));
                    }
                }
            }
        }
        // Every plastic update of the step is done: the weights at t = (step + 1)·dt.
        for tap in &mut self.weight_taps {
            tap.record_if_due(step + 1, &self.plastic[tap.plastic]);
        }
        let time_ms = (step + 1) as f64 * dt_ms;
        for recorder in &mut self.trace_recorders {
            if (step + 1).is_multiple_of(recorder.interval_steps) {
                recorder.sample(&self.parts[recorder.population].model, time_ms);
            }
        }
    }

    /// Delivers the spikes of step `step` (from every thread) to this thread's neurons.
    fn deliver(
        &mut self,
        step: u64,
        parity: usize,
        projections: &[Projection],
        exchange: &[SpikeExchange],
    ) {
        for (index, ((projection, &ring), stretches)) in projections
            .iter()
            .zip(&self.projection_rings)
            .zip(&self.row_stretches)
            .enumerate()
        {
            let part = &self.parts[projection.target];
            let (low, high) = (part.first as u32, (part.first + part.model.size()) as u32);
            if low == high {
                continue;
            }
            if let Some(plastic) = self.plastic_of[index] {
                // Delivered when they arrive (see `plastic`): only queued now.
                for published in exchange {
                    let spikes = published.buffers[parity]
                        .read()
                        .expect("no thread panics while holding a spike buffer");
                    self.plastic[plastic]
                        .queue(step, spikes[projection.source].iter().map(|s| s.neuron));
                }
                continue;
            }
            debug_assert_eq!(self.rings[ring].destination, projection.destination);
            let ring = &mut self.rings[ring];
            let connectivity = &projection.connectivity;
            if connectivity.weights().is_some() || connectivity.delays().is_some() {
                deliver_per_synapse(
                    ring,
                    step,
                    projection,
                    stretches,
                    (low, high),
                    exchange,
                    parity,
                );
                continue;
            }
            let slot = ((step + projection.delay_steps) % ring.slots as u64) as usize;
            let cells = &mut ring.data[slot * ring.size..(slot + 1) * ring.size];
            for published in exchange {
                let spikes = published.buffers[parity]
                    .read()
                    .expect("no thread panics while holding a spike buffer");
                deliver_uniform(
                    cells,
                    &spikes[projection.source],
                    &projection.connectivity,
                    stretches,
                    low,
                    projection.weight,
                );
            }
        }
    }

    /// Moves the spikes recorder `index` kept on this thread, with their steps, to the end
    /// of `into`.
    pub fn take_recorded_spikes(&mut self, index: usize, into: &mut Vec<(u64, Spike)>) {
        into.append(&mut self.spike_recorders[index].spikes);
    }

    /// The spikes of population `population` on this thread in each step since the last
    /// [`Shard::clear_recorded`].
    pub fn step_counts(&self, population: usize) -> &[u64] {
        &self.parts[population].step_counts
    }

    /// Forgets the trace samples and step counts taken (their chunk was handed on), keeping
    /// the buffers' memory for the next chunk.
    pub fn clear_recorded(&mut self) {
        for recorder in &mut self.trace_recorders {
            recorder.times_ms.clear();
            recorder.values.iter_mut().for_each(Vec::clear);
        }
        for part in &mut self.parts {
            part.step_counts.clear();
        }
        for tap in &mut self.weight_taps {
            tap.clear();
        }
    }

    /// Weight recorder `index`'s part on this thread.
    pub fn weight_tap(&self, index: usize) -> &WeightTap {
        &self.weight_taps[index]
    }

    /// Trace recorder `index` on this thread (its neurons numbered within the part).
    pub fn trace(&self, index: usize) -> &TraceRecorder {
        &self.trace_recorders[index]
    }

    /// This thread's part of projection `projection`, if it is plastic.
    pub fn plastic_part(&self, projection: usize) -> Option<&PlasticPart> {
        self.plastic_of[projection].map(|p| &self.plastic[p])
    }

    /// Spikes of population `population` on this thread.
    pub fn spike_count(&self, population: usize) -> u64 {
        self.parts[population].spike_count
    }
}

/// Delivers `sources`' spikes through synapses of one weight and delay into `cells` (the
/// slot of the step they arrive in; targets numbered from `low`). The innermost loop of a
/// network simulation: kept out of line so that its few variables stay in registers.
#[inline(never)]
fn deliver_uniform(
    cells: &mut [f64],
    sources: &[Spike],
    connectivity: &Connectivity,
    stretches: &[u32],
    low: u32,
    weight: f64,
) {
    /// The part of `neuron`'s row that reaches this thread's targets.
    #[inline(always)]
    fn mine<'a>(connectivity: &'a Connectivity, stretches: &[u32], neuron: u32) -> Row<'a> {
        let row = connectivity.targets_of(neuron as usize);
        if stretches.is_empty() {
            row
        } else {
            let at = 2 * neuron as usize;
            row.slice(stretches[at] as usize, stretches[at + 1] as usize)
        }
    }
    for (index, spike) in sources.iter().enumerate() {
        // The rows live in main memory; fetch the next spike's row while this one is
        // delivered, rather than waiting for the hardware prefetcher to ramp up.
        if let Some(next) = sources.get(index + 1) {
            prefetch(mine(connectivity, stretches, next.neuron));
        }
        match mine(connectivity, stretches, spike.neuron) {
            Row::Narrow(targets) => add_to(cells, targets, low, weight),
            Row::Wide(targets) => add_to(cells, targets, low, weight),
        }
    }
}

/// Delivers the step's spikes through a projection whose synapses have their own weights or
/// delays: each synapse adds its weight to the slot of its own delay. Slower than the
/// homogeneous path (it reads 8 or 2 more bytes per synapse, and the cells of one spike
/// spread over several slots), so it is taken only when the model asks for it.
fn deliver_per_synapse(
    ring: &mut Ring,
    step: u64,
    projection: &Projection,
    stretches: &[u32],
    (low, _high): (u32, u32),
    exchange: &[SpikeExchange],
    parity: usize,
) {
    let connectivity = &projection.connectivity;
    let (slots, size) = (ring.slots, ring.size);
    let base = (step % slots as u64) as usize;
    let fixed_slot = ((step + projection.delay_steps) % slots as u64) as usize;
    for published in exchange {
        let spikes = published.buffers[parity]
            .read()
            .expect("no thread panics while holding a spike buffer");
        for spike in &spikes[projection.source] {
            let source = spike.neuron as usize;
            let row = connectivity.targets_of(source);
            let (start, end) = if stretches.is_empty() {
                (0, row.len())
            } else {
                (
                    stretches[2 * source] as usize,
                    stretches[2 * source + 1] as usize,
                )
            };
            let first = connectivity.synapse_range(source).start;
            let synapses = first + start..first + end;
            let weights = connectivity.weights().map(|w| &w[synapses.clone()]);
            let delays = connectivity.delays().map(|d| &d[synapses]);
            let cell_of = |k: usize, target: u32| {
                let slot = match delays {
                    Some(delays) => {
                        let slot = base + delays[k] as usize;
                        if slot >= slots { slot - slots } else { slot }
                    }
                    None => fixed_slot,
                };
                slot * size + (target - low) as usize
            };
            for (k, target) in row.slice(start, end).iter().enumerate() {
                let weight = weights.map_or(projection.weight, |w| w[k]);
                ring.data[cell_of(k, target)] += weight;
            }
        }
    }
}

/// The sampled synapses (numbers in the projection's order, ascending) that reach this
/// thread's targets `low..high`, as (synapse number in `part`, position in the sample).
fn local_sample(
    connectivity: &Connectivity,
    part: &PlasticPart,
    (low, high): (u32, u32),
    sample: &[usize],
) -> Vec<(u32, u32)> {
    let mut local = Vec::new();
    let mut source = 0;
    for (position, &synapse) in sample.iter().enumerate() {
        while connectivity.synapse_range(source).end <= synapse {
            source += 1;
        }
        let row = connectivity.targets_of(source);
        let at = synapse - connectivity.synapse_range(source).start;
        let (start, end) = (row.position_of(low), row.position_of(high));
        if (start..end).contains(&at) {
            let here = part.synapse_range_of(source).start + (at - start);
            local.push((here as u32, position as u32));
        }
    }
    local
}

/// Adds what arrived to `destination` and empties the ring's slot.
#[inline(always)]
fn take_up(destination: &mut [f64], arrived: &mut [f64]) {
    for (value, input) in destination.iter_mut().zip(arrived.iter_mut()) {
        *value += *input;
        *input = 0.0;
    }
}

/// Adds `weight` to the cell of every target (numbered from `low`).
#[inline(always)]
fn add_to<T: Copy + Into<u32>>(cells: &mut [f64], targets: &[T], low: u32, weight: f64) {
    for &target in targets {
        cells[(target.into() - low) as usize] += weight;
    }
}

/// Asks the processor to bring `row` into the cache (a hint; no effect on results).
#[inline(always)]
fn prefetch(row: Row) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let (start, bytes) = row.memory();
        for offset in (0..bytes).step_by(64) {
            // SAFETY: the address lies inside the row; prefetching never faults anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
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

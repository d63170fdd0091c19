//! One thread's share of a plastic projection: the synapses onto the targets it owns, their
//! weights, the traces, and the spikes on their way (see [`crate::synapse::plasticity`] for
//! the rule and the order of events in a step).
//!
//! **Storage.** The synapses are kept by source (CSR, the order of the projection's rows
//! restricted to this thread's targets: what delivery walks when a pre spike arrives), with a
//! per-target index into them (CSC: what a post spike walks). Weights live only here; each
//! is changed only by the thread that owns its target, so no two threads write one weight.
//!
//! **Traces.** Every thread keeps its own copy of the pre traces of all source neurons,
//! updated from the spike lists all threads read anyway, so that no trace is shared; the
//! post traces belong to the target's owner. Traces decay once per step (one multiplication
//! per source and target, vectorised) rather than lazily: a lazy trace needs an exponential
//! per synapse event, some 10³ per post spike, while a step's decay of 10⁴ traces costs
//! about a microsecond.
//!
//! **Delivery at arrival.** The weight a spike carries is the one after the depression at
//! its arrival, so a plastic projection queues its source spikes per step of delay (a ring
//! of spike lists) and delivers them in the step they arrive, straight into the target's
//! input for that step, after what the ring buffers of static projections hold. Each
//! target's input therefore receives its additions in the same order for any number of
//! threads, and the weights and spikes are bitwise identical.

use crate::connect::Connectivity;
use crate::synapse::plasticity::StdpRule;

use super::shard::Destination;

/// What a plastic projection delivers into: the step's inputs of one population part.
pub struct Inputs<'a> {
    /// Voltage jumps of the step.
    pub jumps: &'a mut [f64],
    /// Arriving weights of the exponential receptors.
    pub receptors: Vec<&'a mut [f64]>,
    /// Arriving weights of the alpha receptors.
    pub alpha_receptors: Vec<&'a mut [f64]>,
}

/// A plastic projection on one thread.
pub struct PlasticPart {
    /// Its target population.
    pub target: usize,
    /// The first target neuron this thread owns.
    pub low: u32,
    /// Where its spikes act.
    pub destination: Destination,
    /// The factor between a weight and what it delivers (the peak normalisation of a
    /// difference of exponentials, otherwise 1).
    pub normalisation: f64,
    /// The rule.
    pub rule: StdpRule,
    /// Source spikes waiting to arrive: slot (k + d) mod slots holds those of step k.
    queue: Vec<Vec<u32>>,
    delay_steps: u64,
    /// Per source, its first synapse here: `pre_start[s]..pre_start[s + 1]`.
    pre_start: Vec<u32>,
    /// Target of each synapse, numbered from `low`.
    targets: Vec<u32>,
    /// Weight of each synapse (unit of the model file's weight).
    weights: Vec<f64>,
    /// Per local target, its incoming synapses: `post_start[i]..post_start[i + 1]` in
    /// `post_synapses` (synapse numbers) and `post_sources` (their source neurons).
    post_start: Vec<u32>,
    post_synapses: Vec<u32>,
    post_sources: Vec<u32>,
    /// Pre traces x and x₂ of every source neuron (x₂ empty for the pair rule).
    x: Vec<f64>,
    x2: Vec<f64>,
    /// Post traces y and y₂ of every local target (y₂ empty for the pair rule).
    y: Vec<f64>,
    y2: Vec<f64>,
}

/// The weights of a plastic projection, by source and then target (the order of the
/// projection's rows), in the unit of the model file's weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlasticWeights {
    /// The projection's index in the file.
    pub projection: usize,
    /// Source neuron of each synapse.
    pub sources: Vec<u32>,
    /// Target neuron of each synapse.
    pub targets: Vec<u32>,
    /// Weight of each synapse.
    pub weights: Vec<f64>,
    /// The delay of every synapse (ms).
    pub delay_ms: f64,
}

/// Bytes per plastic synapse (weight, local target, incoming index: synapse and source).
pub const BYTES_PER_SYNAPSE: u128 = 8 + 4 + 8;

impl PlasticPart {
    /// The synapses of `connectivity` onto targets `low..high` (weights `weight` unless the
    /// connectivity has its own), with the rule `rule` and a delay of `delay_steps`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: usize,
        destination: Destination,
        normalisation: f64,
        rule: StdpRule,
        connectivity: &Connectivity,
        weight: f64,
        delay_steps: u64,
        (low, high): (u32, u32),
    ) -> Self {
        let sources = connectivity.source_count();
        let size = (high - low) as usize;
        let mut pre_start = Vec::with_capacity(sources + 1);
        let mut targets = Vec::new();
        let mut weights = Vec::new();
        pre_start.push(0);
        for source in 0..sources {
            let row = connectivity.targets_of(source);
            let (start, end) = (row.position_of(low), row.position_of(high));
            let first = connectivity.synapse_range(source).start;
            for (k, target) in row.slice(start, end).iter().enumerate() {
                targets.push(target - low);
                weights.push(
                    connectivity
                        .weights()
                        .map_or(weight, |w| w[first + start + k]),
                );
            }
            pre_start.push(targets.len() as u32);
        }
        // The incoming index, by counting sort: each target's synapses in source order.
        let mut post_start = vec![0u32; size + 1];
        for &target in &targets {
            post_start[target as usize + 1] += 1;
        }
        for i in 0..size {
            post_start[i + 1] += post_start[i];
        }
        let mut filled = post_start.clone();
        let mut post_synapses = vec![0u32; targets.len()];
        let mut post_sources = vec![0u32; targets.len()];
        for source in 0..sources {
            for synapse in pre_start[source]..pre_start[source + 1] {
                let at = &mut filled[targets[synapse as usize] as usize];
                post_synapses[*at as usize] = synapse;
                post_sources[*at as usize] = source as u32;
                *at += 1;
            }
        }
        let slow = |n: usize| {
            if rule.triplet {
                vec![0.0; n]
            } else {
                Vec::new()
            }
        };
        PlasticPart {
            target,
            low,
            destination,
            normalisation,
            rule,
            queue: vec![Vec::new(); delay_steps as usize + 1],
            delay_steps,
            pre_start,
            targets,
            weights,
            post_start,
            post_synapses,
            post_sources,
            x: vec![0.0; sources],
            x2: slow(sources),
            y: vec![0.0; size],
            y2: slow(size),
        }
    }

    /// Queues the source spikes of step `step` (source neuron numbers) for their arrival.
    pub fn queue(&mut self, step: u64, sources: impl Iterator<Item = u32>) {
        let slot = ((step + self.delay_steps) % self.queue.len() as u64) as usize;
        self.queue[slot].extend(sources);
    }

    /// Items 1 and 2 of step `step`: decays the traces, and lets the spikes arriving in it
    /// depress their synapses and deliver the new weights into `inputs`.
    pub fn arrive(&mut self, step: u64, inputs: &mut Inputs) {
        let rule = self.rule;
        self.x.iter_mut().for_each(|x| *x *= rule.decay_x);
        self.y.iter_mut().for_each(|y| *y *= rule.decay_y);
        if rule.triplet {
            self.x2.iter_mut().for_each(|x| *x *= rule.decay_x2);
            self.y2.iter_mut().for_each(|y| *y *= rule.decay_y2);
        }
        let slot = (step % self.queue.len() as u64) as usize;
        let arrived = std::mem::take(&mut self.queue[slot]);
        for &source in &arrived {
            let source = source as usize;
            let x2 = if rule.triplet { self.x2[source] } else { 0.0 };
            let synapses = self.pre_start[source] as usize..self.pre_start[source + 1] as usize;
            let targets = &self.targets[synapses.clone()];
            let weights = &mut self.weights[synapses];
            let n = self.normalisation;
            match self.destination {
                Destination::Jumps => {
                    depress_into(&rule, weights, targets, &self.y, x2, inputs.jumps, 1.0)
                }
                Destination::Receptor(r) => depress_into(
                    &rule,
                    weights,
                    targets,
                    &self.y,
                    x2,
                    inputs.receptors[r],
                    1.0,
                ),
                Destination::AlphaReceptor(r) => depress_into(
                    &rule,
                    weights,
                    targets,
                    &self.y,
                    x2,
                    inputs.alpha_receptors[r],
                    1.0,
                ),
                Destination::DifferenceOfExponentials { decay, rise } => {
                    depress_into(
                        &rule,
                        weights,
                        targets,
                        &self.y,
                        x2,
                        inputs.receptors[decay],
                        n,
                    );
                    for (&w, &target) in weights.iter().zip(targets) {
                        inputs.receptors[rise][target as usize] -= w * n;
                    }
                }
                Destination::Conductance(_) => {
                    unreachable!("the model reader refuses plastic conductance synapses")
                }
            }
            self.x[source] = rule.bump(self.x[source]);
            if rule.triplet {
                self.x2[source] = rule.bump(self.x2[source]);
            }
        }
        // Keep the slot's memory for later steps.
        let mut arrived = arrived;
        arrived.clear();
        self.queue[slot] = arrived;
    }

    /// Item 3: the post spikes of the step (neurons numbered from `low`) potentiate their
    /// incoming synapses, then raise the post traces.
    pub fn post_spikes(&mut self, neurons: impl Iterator<Item = u32>) {
        let rule = self.rule;
        for neuron in neurons {
            let i = neuron as usize;
            let y2 = if rule.triplet { self.y2[i] } else { 0.0 };
            let incoming = self.post_start[i] as usize..self.post_start[i + 1] as usize;
            let synapses = &self.post_synapses[incoming.clone()];
            // The incoming weights are scattered over the whole projection (one cache miss
            // each, the cost of a post spike): ask for them a few synapses ahead.
            for &synapse in synapses.iter().take(PREFETCH_DISTANCE) {
                prefetch(&self.weights, synapse);
            }
            for (k, (&synapse, &source)) in synapses
                .iter()
                .zip(&self.post_sources[incoming])
                .enumerate()
            {
                if let Some(&ahead) = synapses.get(k + PREFETCH_DISTANCE) {
                    prefetch(&self.weights, ahead);
                }
                let w = &mut self.weights[synapse as usize];
                *w = rule.potentiate(*w, self.x[source as usize], y2);
            }
            self.y[i] = rule.bump(self.y[i]);
            if rule.triplet {
                self.y2[i] = rule.bump(self.y2[i]);
            }
        }
    }

    /// The synapses of source `source` here: (target neuron, weight).
    pub fn synapses_of(&self, source: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let synapses = self.pre_start[source] as usize..self.pre_start[source + 1] as usize;
        self.targets[synapses.clone()]
            .iter()
            .zip(&self.weights[synapses])
            .map(|(&t, &w)| (t + self.low, w))
    }

    /// Number of source neurons.
    pub fn source_count(&self) -> usize {
        self.x.len()
    }
}

/// How many synapses ahead the potentiation walk prefetches weights: enough to cover a
/// memory latency (~100 ns) at a few ns per synapse.
const PREFETCH_DISTANCE: usize = 16;

/// Asks the processor to bring `values[index]` into the cache (a hint; no effect on
/// results).
#[inline(always)]
fn prefetch(values: &[f64], index: u32) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = values.get(index as usize) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults; the address is inside `values`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}

/// Depresses the synapses of one arriving spike and adds their new weights (times
/// `factor`) to the cells of their targets.
#[inline(always)]
fn depress_into(
    rule: &StdpRule,
    weights: &mut [f64],
    targets: &[u32],
    y: &[f64],
    x2: f64,
    cells: &mut [f64],
    factor: f64,
) {
    for (w, &target) in weights.iter_mut().zip(targets) {
        let target = target as usize;
        *w = rule.depress(*w, y[target], x2);
        cells[target] += *w * factor;
    }
}

impl PlasticPart {
    /// The synapses of source `source` here, as numbers of this part's synapses.
    pub fn synapse_range_of(&self, source: usize) -> std::ops::Range<usize> {
        self.pre_start[source] as usize..self.pre_start[source + 1] as usize
    }

    /// How many weights `tap` copies from this part per record.
    pub fn synapse_count_here(&self, tap: &WeightTap) -> usize {
        tap.sample().map_or(self.weights.len(), <[_]>::len)
    }
}

/// When a weight recorder records: numbers n of steps done (t = n·dt).
enum Schedule {
    /// At these, ascending; `next` is the first not yet reached.
    At { times: Vec<u64>, next: usize },
    /// At every multiple of this.
    Every(u64),
}

/// A weight recorder's part on one thread: it copies the weights of its synapses here when
/// due, until the run gathers them (see [`crate::record::WeightRecorder`]).
pub struct WeightTap {
    /// Its plastic projection's index among this thread's plastic parts.
    pub plastic: usize,
    schedule: Schedule,
    /// For a sample, the sampled synapses here: (synapse number here, position in the
    /// sample); `None` records every synapse here.
    sample: Option<Vec<(u32, u32)>>,
    /// Steps done at each record taken since the last gathering.
    pub taken: Vec<u64>,
    /// The records' weights, one after the other: every weight here, or the sampled ones in
    /// the order of `sample`.
    pub values: Vec<f64>,
}

impl WeightTap {
    /// A recorder of every weight of plastic part `plastic` at `times` (steps done,
    /// ascending).
    pub fn at_times(plastic: usize, times: Vec<u64>) -> Self {
        WeightTap {
            plastic,
            schedule: Schedule::At { times, next: 0 },
            sample: None,
            taken: Vec::new(),
            values: Vec::new(),
        }
    }

    /// A recorder of the sampled synapses `sample` ((synapse here, position in the
    /// sample)) of plastic part `plastic` every `interval` steps.
    pub fn every(plastic: usize, interval: u64, sample: Vec<(u32, u32)>) -> Self {
        WeightTap {
            plastic,
            schedule: Schedule::Every(interval.max(1)),
            sample: Some(sample),
            taken: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The sampled synapses here, if this records a sample.
    pub fn sample(&self) -> Option<&[(u32, u32)]> {
        self.sample.as_deref()
    }

    /// Records the weights of `part` if a record is due when `done` steps are done.
    pub fn record_if_due(&mut self, done: u64, part: &PlasticPart) {
        let due = match &mut self.schedule {
            Schedule::At { times, next } => {
                let due = times.get(*next) == Some(&done);
                if due {
                    *next += 1;
                }
                due
            }
            Schedule::Every(interval) => done.is_multiple_of(*interval),
        };
        if !due {
            return;
        }
        self.taken.push(done);
        match &self.sample {
            None => self.values.extend_from_slice(&part.weights),
            Some(sample) => self.values.extend(
                sample
                    .iter()
                    .map(|&(synapse, _)| part.weights[synapse as usize]),
            ),
        }
    }

    /// Forgets the records taken (they were gathered).
    pub fn clear(&mut self) {
        self.taken.clear();
        self.values.clear();
    }
}

//! Connection rules and compact connectivity.
//!
//! A projection's synapses are stored by source neuron (compressed sparse rows): `offsets`
//! has one entry per source plus one, and the targets of source `s` are
//! `targets[offsets[s]..offsets[s + 1]]`, in increasing order. With a homogeneous weight
//! and delay that is all a synapse needs: 2 bytes when the target population has at most
//! 65,536 neurons, 4 otherwise (plus 8 per source neuron). Delivering a spike streams its
//! row from memory, so the narrow form also halves the memory traffic of a network.
//!
//! Randomness: rules that draw per target (fixed in-degree, Bernoulli) use one stream per
//! target neuron, rules that draw per source (fixed out-degree) one per source, and fixed
//! total number one stream for the projection, each seeded from (seed, projection, neuron).
//! The connectivity is therefore the same whatever the number of threads that build or use
//! it. Multapses (several synapses between one pair) and autapses are allowed by default for
//! the random rules, as in NEST; `autapses = false` excludes the latter.
//!
//! **Per-synapse weights and delays.** When they are drawn from distributions or read from an
//! explicit list, each synapse also stores its weight (8 bytes) and delay (2 bytes, in steps)
//! beside its target, in the same row order. Drawn values come from one stream per source
//! neuron, `stream(seed, purpose, projection, source)`, walked along the sorted row: they do
//! not depend on threads either.

mod list;
pub mod patterns;
mod space;

use std::sync::Arc;

use rand::RngExt;

use crate::distribution::Distribution;
use crate::rng::{Purpose, stream};

pub use list::{ListError, ListLimits, MAX_DELAY_STEPS, SynapseList, read_synapse_list};
pub use patterns::{Cue, Learning, PatternError, PatternRule, Patterns};
pub use space::{DistanceRule, Layout, Profile};

/// How sources are connected to targets.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Every source to every target.
    AllToAll,
    /// Source i to target i (the populations must have the same size).
    OneToOne,
    /// Each (source, target) pair independently with probability `probability`.
    Bernoulli {
        /// p.
        probability: f64,
    },
    /// Each target receives exactly `indegree` synapses from sources drawn uniformly.
    FixedIndegree {
        /// K.
        indegree: u64,
    },
    /// Each source makes exactly `outdegree` synapses onto targets drawn uniformly.
    FixedOutdegree {
        /// K.
        outdegree: u64,
    },
    /// Exactly `count` synapses, each between a uniformly drawn source and target.
    FixedTotal {
        /// Number of synapses.
        count: u64,
    },
    /// Each pair independently with a probability that falls off with the distance between
    /// the neurons (see [`space`](DistanceRule)).
    Distance(DistanceRule),
    /// The synapses of a list read from a file, with their weights and delays if it has them.
    FromList(Arc<SynapseList>),
    /// Every pair of a population with stored patterns, with the coupling a learning rule
    /// gives it (see [`patterns`]); zero couplings are left out.
    Patterns(PatternRule),
}

impl Rule {
    /// The names of the rules in model files.
    pub const NAMES: &'static [&'static str] = &[
        "all_to_all",
        "one_to_one",
        "bernoulli",
        "fixed_indegree",
        "fixed_outdegree",
        "fixed_total",
        "distance",
        "from_file",
        "patterns",
    ];

    /// The expected number of synapses (for the memory estimate).
    pub fn expected_synapses(&self, sources: usize, targets: usize) -> f64 {
        let (s, t) = (sources as f64, targets as f64);
        match *self {
            Rule::AllToAll => s * t,
            Rule::OneToOne => s.min(t),
            Rule::Bernoulli { probability } => probability * s * t,
            Rule::FixedIndegree { indegree } => indegree as f64 * t,
            Rule::FixedOutdegree { outdegree } => outdegree as f64 * s,
            Rule::FixedTotal { count } => count as f64,
            Rule::Distance(rule) => rule.expected_synapses(sources, targets),
            Rule::FromList(ref list) => list.sources.len() as f64,
            // Every pair may carry a coupling: counted all, so that too large a network is
            // refused before it is built.
            Rule::Patterns(ref rule) => rule.probability * s * t,
        }
    }
}

/// Why a projection cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConnectError {
    /// The rule cannot be satisfied with these population sizes.
    #[error("{0}")]
    Impossible(String),
}

/// Synapses of one projection, grouped by source.
#[derive(Clone, Debug, PartialEq)]
pub struct Connectivity {
    offsets: Vec<u64>,
    targets: Targets,
    /// Per-synapse weights, in row order, when they are not homogeneous.
    weights: Option<Vec<f64>>,
    /// Per-synapse delays (steps), in row order, when they are not homogeneous.
    delays: Option<Vec<u16>>,
}

/// Target indices, two bytes each where they fit.
#[derive(Clone, Debug, PartialEq)]
enum Targets {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// The targets of one source, sorted: a slice of the narrow or the wide form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Row<'a> {
    /// Targets of a population of at most 65,536 neurons.
    Narrow(&'a [u16]),
    /// Targets of a larger population.
    Wide(&'a [u32]),
}

impl<'a> Row<'a> {
    /// Number of synapses in the row.
    #[inline(always)]
    pub fn len(&self) -> usize {
        match self {
            Row::Narrow(targets) => targets.len(),
            Row::Wide(targets) => targets.len(),
        }
    }

    /// Whether the row is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The part of the row from position `start` to `end`.
    #[inline(always)]
    pub fn slice(&self, start: usize, end: usize) -> Row<'a> {
        match *self {
            Row::Narrow(targets) => Row::Narrow(&targets[start..end]),
            Row::Wide(targets) => Row::Wide(&targets[start..end]),
        }
    }

    /// The first position whose target is not below `target`.
    pub fn position_of(&self, target: u32) -> usize {
        match self {
            Row::Narrow(targets) => targets.partition_point(|&t| u32::from(t) < target),
            Row::Wide(targets) => targets.partition_point(|&t| t < target),
        }
    }

    /// The targets as numbers.
    pub fn iter(&self) -> impl Iterator<Item = u32> + 'a {
        let (narrow, wide): (&'a [u16], &'a [u32]) = match *self {
            Row::Narrow(targets) => (targets, &[]),
            Row::Wide(targets) => (&[], targets),
        };
        narrow
            .iter()
            .map(|&t| u32::from(t))
            .chain(wide.iter().copied())
    }

    /// The targets as a vector (for tests and inspection).
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }

    /// Start address and length in bytes, for prefetching.
    pub fn memory(&self) -> (*const u8, usize) {
        match self {
            Row::Narrow(targets) => (targets.as_ptr().cast(), std::mem::size_of_val(*targets)),
            Row::Wide(targets) => (targets.as_ptr().cast(), std::mem::size_of_val(*targets)),
        }
    }
}

impl Connectivity {
    /// Builds the synapses of a projection from `sources` to `targets` neurons.
    /// `same_population` tells whether source i and target i are the same neuron (for
    /// autapses).
    pub fn build(
        rule: &Rule,
        sources: usize,
        targets: usize,
        same_population: bool,
        autapses: bool,
        seed: u64,
        projection: u64,
    ) -> Result<Connectivity, ConnectError> {
        let forbid_self = same_population && !autapses;
        let mut pairs = PairsBySource::new(sources, targets);
        match *rule {
            Rule::AllToAll => {
                for source in 0..sources {
                    for target in 0..targets {
                        if !(forbid_self && source == target) {
                            pairs.push(source as u32, target as u32);
                        }
                    }
                }
            }
            Rule::OneToOne => {
                if sources != targets {
                    return Err(ConnectError::Impossible(format!(
                        "one_to_one needs populations of equal size, not {sources} and {targets}"
                    )));
                }
                if !forbid_self {
                    for neuron in 0..sources {
                        pairs.push(neuron as u32, neuron as u32);
                    }
                }
            }
            Rule::Bernoulli { probability } => {
                // Per target: the number of sources is binomial, then each is drawn by
                // skipping geometric gaps — O(synapses), not O(sources × targets).
                let log_q = (-probability).ln_1p();
                for target in 0..targets {
                    let mut rng = stream(seed, Purpose::Connection, projection, target as u64);
                    if probability >= 1.0 {
                        for source in 0..sources {
                            if !(forbid_self && source == target) {
                                pairs.push(source as u32, target as u32);
                            }
                        }
                        continue;
                    }
                    if probability <= 0.0 {
                        continue;
                    }
                    let mut source: i64 = -1;
                    loop {
                        let u: f64 = rng.random();
                        // Gap to the next chosen source: geometric with success probability p.
                        let gap = ((1.0 - u).ln() / log_q).floor();
                        if !gap.is_finite() || source as f64 + gap + 1.0 >= sources as f64 {
                            break;
                        }
                        source += gap as i64 + 1;
                        if !(forbid_self && source as usize == target) {
                            pairs.push(source as u32, target as u32);
                        }
                    }
                }
            }
            Rule::FixedIndegree { indegree } => {
                let available = if forbid_self {
                    sources.saturating_sub(1)
                } else {
                    sources
                };
                if indegree > 0 && available == 0 {
                    return Err(ConnectError::Impossible(format!(
                        "fixed_indegree {indegree}: there are no sources to draw from"
                    )));
                }
                for target in 0..targets {
                    let mut rng = stream(seed, Purpose::Connection, projection, target as u64);
                    for _ in 0..indegree {
                        let source =
                            draw_excluding(&mut rng, sources, forbid_self.then_some(target));
                        pairs.push(source as u32, target as u32);
                    }
                }
            }
            Rule::FixedOutdegree { outdegree } => {
                let available = if forbid_self {
                    targets.saturating_sub(1)
                } else {
                    targets
                };
                if outdegree > 0 && available == 0 {
                    return Err(ConnectError::Impossible(format!(
                        "fixed_outdegree {outdegree}: there are no targets to draw from"
                    )));
                }
                for source in 0..sources {
                    let mut rng = stream(seed, Purpose::Connection, projection, source as u64);
                    for _ in 0..outdegree {
                        let target =
                            draw_excluding(&mut rng, targets, forbid_self.then_some(source));
                        pairs.push(source as u32, target as u32);
                    }
                }
            }
            Rule::FixedTotal { count } => {
                if count > 0
                    && (sources == 0
                        || targets == 0
                        || (forbid_self && sources == 1 && targets == 1))
                {
                    return Err(ConnectError::Impossible(
                        "fixed_total: no pair to connect".into(),
                    ));
                }
                let mut rng = stream(seed, Purpose::Connection, projection, u64::MAX);
                for _ in 0..count {
                    loop {
                        let source = rng.random_range(0..sources);
                        let target = rng.random_range(0..targets);
                        if !(forbid_self && source == target) {
                            pairs.push(source as u32, target as u32);
                            break;
                        }
                    }
                }
            }
            Rule::Distance(rule) => {
                let source_positions: Vec<[f64; 2]> = (0..sources)
                    .map(|s| rule.source_layout.position(s, sources))
                    .collect();
                let all: Vec<usize> = (0..sources).collect();
                for target in 0..targets {
                    let mut rng = stream(seed, Purpose::Connection, projection, target as u64);
                    let here = rule.target_layout.position(target, targets);
                    // With a cutoff only the sources whose cells may lie within it are
                    // visited (in increasing order), which makes large spatial networks cheap
                    // to build; without one, every source.
                    let near;
                    let candidates = match rule.cutoff_um {
                        Some(cutoff) => {
                            near = rule.source_layout.candidates_within(here, cutoff, sources);
                            &near
                        }
                        None => &all,
                    };
                    for &source in candidates {
                        let there = source_positions[source];
                        let p = rule.probability(rule.target_layout.distance(here, there));
                        // One draw per candidate pair, even where p = 0, so that a pair's fate
                        // does not depend on the distances of others.
                        let u: f64 = rng.random();
                        if u < p && !(forbid_self && source == target) {
                            pairs.push(source as u32, target as u32);
                        }
                    }
                }
            }
            Rule::FromList(ref list) => {
                if forbid_self
                    && let Some(row) =
                        (0..list.sources.len()).find(|&row| list.sources[row] == list.targets[row])
                {
                    return Err(ConnectError::Impossible(format!(
                        "{}: synapse {row} connects neuron {} to itself, but autapses = false",
                        list.path.display(),
                        list.sources[row]
                    )));
                }
                return Ok(list_connectivity(sources, targets, list));
            }
            Rule::Patterns(ref rule) => {
                let size = rule.patterns.size();
                if !same_population || sources != size || targets != size {
                    return Err(ConnectError::Impossible(format!(
                        "the patterns rule connects a population of {size} neurons with stored \
                         patterns to itself, not {sources} sources to {targets} targets"
                    )));
                }
                return rule.connectivity(autapses, seed, projection);
            }
        }
        Ok(pairs.into_connectivity())
    }

    /// Gives every synapse its own weight drawn from `distribution`, replacing any weights it
    /// had.
    pub fn draw_weights(&mut self, distribution: &Distribution, seed: u64, projection: u64) {
        let mut weights = vec![0.0; self.synapse_count()];
        for source in 0..self.source_count() {
            let mut rng = stream(seed, Purpose::SynapticWeight, projection, source as u64);
            for weight in &mut weights[self.synapse_range(source)] {
                *weight = distribution.sample(&mut rng);
            }
        }
        self.weights = Some(weights);
    }

    /// Gives every synapse its own delay drawn from `distribution` (ms), rounded to the
    /// nearest whole number of steps of `dt_ms`. Fails if a drawn delay is shorter than one
    /// step or longer than [`MAX_DELAY_STEPS`].
    pub fn draw_delays(
        &mut self,
        distribution: &Distribution,
        dt_ms: f64,
        seed: u64,
        projection: u64,
    ) -> Result<(), ConnectError> {
        let mut delays = vec![0u16; self.synapse_count()];
        for source in 0..self.source_count() {
            let mut rng = stream(seed, Purpose::SynapticDelay, projection, source as u64);
            for delay in &mut delays[self.synapse_range(source)] {
                let drawn = distribution.sample(&mut rng);
                let steps = (drawn / dt_ms).round();
                if !(1.0..=MAX_DELAY_STEPS as f64).contains(&steps) {
                    return Err(ConnectError::Impossible(format!(
                        "a delay of {drawn} ms was drawn; delays must lie between one step \
                         (dt = {dt_ms} ms) and {MAX_DELAY_STEPS} steps"
                    )));
                }
                *delay = steps as u16;
            }
        }
        self.delays = Some(delays);
        Ok(())
    }

    /// Multiplies every per-synapse weight by `factor` (no effect without per-synapse
    /// weights).
    pub fn scale_weights(&mut self, factor: f64) {
        if let Some(weights) = &mut self.weights {
            weights.iter_mut().for_each(|w| *w *= factor);
        }
    }

    /// Positions of `source`'s synapses in the per-synapse arrays.
    #[inline(always)]
    pub fn synapse_range(&self, source: usize) -> std::ops::Range<usize> {
        self.offsets[source] as usize..self.offsets[source + 1] as usize
    }

    /// Per-synapse weights, in row order, if the weights are not homogeneous.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// Per-synapse delays (steps), in row order, if the delays are not homogeneous.
    pub fn delays(&self) -> Option<&[u16]> {
        self.delays.as_deref()
    }

    /// The longest per-synapse delay (steps), if delays are per synapse.
    pub fn max_delay_steps(&self) -> Option<u64> {
        self.delays
            .as_ref()
            .map(|delays| delays.iter().copied().max().map_or(1, u64::from))
    }

    /// Builds from explicit (source, target) pairs, e.g. read from a file; every target must
    /// be below `targets`.
    pub fn from_pairs(
        sources: usize,
        targets: usize,
        pairs: impl IntoIterator<Item = (u32, u32)>,
    ) -> Connectivity {
        let mut by_source = PairsBySource::new(sources, targets);
        for (source, target) in pairs {
            by_source.push(source, target);
        }
        by_source.into_connectivity()
    }

    /// The targets of `source`.
    #[inline(always)]
    pub fn targets_of(&self, source: usize) -> Row<'_> {
        let range = self.offsets[source] as usize..self.offsets[source + 1] as usize;
        match &self.targets {
            Targets::Narrow(targets) => Row::Narrow(&targets[range]),
            Targets::Wide(targets) => Row::Wide(&targets[range]),
        }
    }

    /// Number of synapses.
    pub fn synapse_count(&self) -> usize {
        match &self.targets {
            Targets::Narrow(targets) => targets.len(),
            Targets::Wide(targets) => targets.len(),
        }
    }

    /// Number of source neurons.
    pub fn source_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Bytes used.
    pub fn bytes(&self) -> usize {
        let width = match self.targets {
            Targets::Narrow(_) => 2,
            Targets::Wide(_) => 4,
        };
        self.synapse_count() * width
            + self.offsets.len() * 8
            + self.weights.as_ref().map_or(0, |w| w.len() * 8)
            + self.delays.as_ref().map_or(0, |d| d.len() * 2)
    }

    /// The number of synapses onto each of `targets` neurons.
    pub fn indegrees(&self, targets: usize) -> Vec<u64> {
        let mut counts = vec![0; targets];
        for source in 0..self.source_count() {
            for target in self.targets_of(source).iter() {
                counts[target as usize] += 1;
            }
        }
        counts
    }
}

/// Draws uniformly from 0..n, excluding `excluded` (which must lie in 0..n if given).
fn draw_excluding(rng: &mut crate::rng::Stream, n: usize, excluded: Option<usize>) -> usize {
    match excluded {
        None => rng.random_range(0..n),
        Some(excluded) => {
            // Draw from n − 1 values and step over the excluded one: uniform, one draw.
            let value = rng.random_range(0..n - 1);
            if value >= excluded { value + 1 } else { value }
        }
    }
}

/// Pairs collected in any order, sorted into rows by source with a stable counting sort (so
/// targets stay in the order they were generated).
struct PairsBySource {
    sources: usize,
    targets: usize,
    pairs: Vec<(u32, u32)>,
}

impl PairsBySource {
    fn new(sources: usize, targets: usize) -> Self {
        PairsBySource {
            sources,
            targets,
            pairs: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, source: u32, target: u32) {
        self.pairs.push((source, target));
    }

    fn into_connectivity(self) -> Connectivity {
        let mut offsets = vec![0u64; self.sources + 1];
        for &(source, _) in &self.pairs {
            offsets[source as usize + 1] += 1;
        }
        for i in 0..self.sources {
            offsets[i + 1] += offsets[i];
        }
        let mut next: Vec<u64> = offsets[..self.sources].to_vec();
        let mut targets = vec![0u32; self.pairs.len()];
        for &(source, target) in &self.pairs {
            let slot = &mut next[source as usize];
            targets[*slot as usize] = target;
            *slot += 1;
        }
        // Rows generated target by target are already sorted; sort the others so that
        // delivery order (and so floating-point sums) is canonical.
        for source in 0..self.sources {
            let row = &mut targets[offsets[source] as usize..offsets[source + 1] as usize];
            if !row.is_sorted() {
                row.sort_unstable();
            }
        }
        Connectivity {
            offsets,
            targets: compact(targets, self.targets),
            weights: None,
            delays: None,
        }
    }
}

/// Targets in the narrow form when the target population allows it.
fn compact(targets: Vec<u32>, population: usize) -> Targets {
    if population <= 1 << 16 {
        Targets::Narrow(targets.into_iter().map(|t| t as u16).collect())
    } else {
        Targets::Wide(targets)
    }
}

/// The synapses of a list, sorted into rows by source and, within a row, by target (stably,
/// so synapses onto one target keep the file's order), with their weights and delays.
fn list_connectivity(sources: usize, targets: usize, list: &SynapseList) -> Connectivity {
    let mut offsets = vec![0u64; sources + 1];
    for &source in &list.sources {
        offsets[source as usize + 1] += 1;
    }
    for i in 0..sources {
        offsets[i + 1] += offsets[i];
    }
    let mut next: Vec<u64> = offsets[..sources].to_vec();
    let mut order = vec![0u32; list.sources.len()];
    for (row, &source) in list.sources.iter().enumerate() {
        let slot = &mut next[source as usize];
        order[*slot as usize] = row as u32;
        *slot += 1;
    }
    for source in 0..sources {
        order[offsets[source] as usize..offsets[source + 1] as usize]
            .sort_by_key(|&row| list.targets[row as usize]);
    }
    Connectivity {
        offsets,
        targets: compact(
            order.iter().map(|&r| list.targets[r as usize]).collect(),
            targets,
        ),
        weights: list
            .weights
            .as_ref()
            .map(|w| order.iter().map(|&r| w[r as usize]).collect()),
        delays: list
            .delay_steps
            .as_ref()
            .map(|d| order.iter().map(|&r| d[r as usize]).collect()),
    }
}

#[cfg(test)]
mod tests;

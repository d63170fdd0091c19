//! The update loops: which neuron updates, its new state, and the change it makes to the
//! fields of its targets.
//!
//! Time is counted in *units*: updates for asynchronous runs (1/R each), steps of dt for
//! synchronous ones. A change made at unit u holds from u + 1 on; the recorders account for
//! it there.
//!
//! Asynchronous updates run in one of two loops with the same results: [`shared`] where
//! every population's neurons share their parameters and every projection has one weight
//! (the common case, and the fast one), the general loop here otherwise. Both call the same
//! [`Parts::flip`].

use rand::Rng;

use super::BinaryNetwork;
use super::build::Projection;
use super::record::Recorders;
use crate::connect::Row;
use crate::rng::Stream;
use crate::spec::model::UpdateOrder;

pub(super) mod shared;

/// Converts steps of dt into units.
pub(super) struct Clock {
    /// Which neuron an asynchronous update picks.
    pub chooser: Chooser,
    /// Units per step: dt·R for asynchronous runs, 1 for synchronous ones.
    units_per_step: f64,
    asynchronous: bool,
    dt_ms: f64,
}

impl Clock {
    pub(super) fn new(network: &BinaryNetwork) -> Clock {
        let asynchronous = network.update == UpdateOrder::Asynchronous;
        Clock {
            chooser: Chooser::new(network),
            units_per_step: if asynchronous {
                network.dt_ms * network.update_rate_per_ms()
            } else {
                1.0
            },
            asynchronous,
            dt_ms: network.dt_ms,
        }
    }

    /// The unit at which step `step` starts: ⌊step·dt·R⌉ updates have been made by then.
    pub(super) fn boundary(&self, step: u64) -> u64 {
        if self.asynchronous {
            (step as f64 * self.units_per_step).round() as u64
        } else {
            step
        }
    }

    /// Whether averages start at the beginning of step `step`: the first step that starts at
    /// or after `transient_ms`.
    pub(super) fn crosses_transient(&self, step: u64, transient_ms: f64) -> bool {
        step == (transient_ms / self.dt_ms).ceil() as u64
    }

    /// Neuron updates made in `steps` steps of a network of `neurons` neurons.
    pub(super) fn updates_done(&self, steps: u64, neurons: usize) -> u64 {
        if self.asynchronous {
            self.boundary(steps)
        } else {
            steps * neurons as u64
        }
    }
}

/// What the update loop needs of one population.
pub(super) struct Rule {
    /// Index of its first neuron.
    pub offset: usize,
    /// Its neurons' threshold and temperature where all share one (else per neuron).
    pub threshold: Option<f64>,
    pub temperature: Option<f64>,
    /// I^X of its neurons where all share one now (else per neuron); kept by
    /// `set_external`.
    pub external: Option<f64>,
    /// The change of S at a flip: 1 for 0/1 states, 2 for spins.
    pub step: i32,
    /// The weights of the projections with one weight onto it, by slot.
    pub weights: Vec<f64>,
    /// The projections out of it.
    pub outgoing: Vec<usize>,
}

/// The counts of the projections with one weight, in the narrowest type that holds them:
/// |Σ_j S_j| is at most the in-degree, so one byte does for in-degrees up to 127 and two for
/// up to 32767. Fewer bytes per count, fewer cache lines for the scatter-add to touch.
#[derive(Debug, Default)]
pub(super) struct Counts {
    /// One byte each (in-degrees ≤ 127), else empty.
    bytes: Vec<i8>,
    /// Two bytes each (in-degrees ≤ 32767), else empty.
    narrow: Vec<i16>,
    /// Otherwise.
    wide: Vec<i32>,
}

/// The width of the counts in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Width {
    Byte,
    Narrow,
    Wide,
}

impl Counts {
    /// `len` zero counts for in-degrees up to `max_in_degree`. The length never changes
    /// afterwards.
    pub(super) fn new(len: usize, max_in_degree: u64) -> Counts {
        if max_in_degree <= i8::MAX as u64 {
            Counts {
                bytes: vec![0; len],
                ..Counts::default()
            }
        } else if max_in_degree <= i16::MAX as u64 {
            Counts {
                narrow: vec![0; len],
                ..Counts::default()
            }
        } else {
            Counts {
                wide: vec![0; len],
                ..Counts::default()
            }
        }
    }

    /// The width in use (`Wide` where there are no counts at all).
    #[inline(always)]
    fn width(&self) -> Width {
        if !self.bytes.is_empty() {
            Width::Byte
        } else if !self.narrow.is_empty() {
            Width::Narrow
        } else {
            Width::Wide
        }
    }

    /// The number of counts.
    pub(super) fn len(&self) -> usize {
        self.bytes.len().max(self.narrow.len()).max(self.wide.len())
    }

    /// Sets every count (values within the in-degrees).
    pub(super) fn set(&mut self, values: &[i32]) {
        const IN_RANGE: &str = "a count is at most the in-degree";
        match self.width() {
            Width::Byte => {
                for (count, &value) in self.bytes.iter_mut().zip(values) {
                    *count = i8::try_from(value).expect(IN_RANGE);
                }
            }
            Width::Narrow => {
                for (count, &value) in self.narrow.iter_mut().zip(values) {
                    *count = i16::try_from(value).expect(IN_RANGE);
                }
            }
            Width::Wide => self.wide.copy_from_slice(values),
        }
    }
}

/// The type of a count: `i16` or `i32`, chosen once per run so that the loops are compiled
/// for each.
pub(super) trait Count: Copy + Into<f64> + std::ops::AddAssign {
    /// A change of ±1 or ±2.
    fn of(delta: i32) -> Self;
    /// The counts of this type (empty where the network uses the other).
    fn of_network(counts: &Counts) -> &[Self];
    fn of_network_mut(counts: &mut Counts) -> &mut [Self];
}

impl Count for i8 {
    #[inline(always)]
    fn of(delta: i32) -> i8 {
        delta as i8
    }
    #[inline(always)]
    fn of_network(counts: &Counts) -> &[i8] {
        &counts.bytes
    }
    #[inline(always)]
    fn of_network_mut(counts: &mut Counts) -> &mut [i8] {
        &mut counts.bytes
    }
}

impl Count for i16 {
    #[inline(always)]
    fn of(delta: i32) -> i16 {
        delta as i16
    }
    #[inline(always)]
    fn of_network(counts: &Counts) -> &[i16] {
        &counts.narrow
    }
    #[inline(always)]
    fn of_network_mut(counts: &mut Counts) -> &mut [i16] {
        &mut counts.narrow
    }
}

impl Count for i32 {
    #[inline(always)]
    fn of(delta: i32) -> i32 {
        delta
    }
    #[inline(always)]
    fn of_network(counts: &Counts) -> &[i32] {
        &counts.wide
    }
    #[inline(always)]
    fn of_network_mut(counts: &mut Counts) -> &mut [i32] {
        &mut counts.wide
    }
}

/// h_i of neuron `neuron` (network index).
pub(super) fn field(network: &BinaryNetwork, neuron: usize) -> f64 {
    match network.counts.width() {
        Width::Byte => field_of::<i8>(network, neuron),
        Width::Narrow => field_of::<i16>(network, neuron),
        Width::Wide => field_of::<i32>(network, neuron),
    }
}

/// [`field`] with counts of type `C`.
fn field_of<C: Count>(network: &BinaryNetwork, neuron: usize) -> f64 {
    let weights = &network.rules[network.population_of[neuron] as usize].weights;
    let start = neuron * network.stride;
    sum_field(
        network.external[neuron],
        network
            .has_weighted_projections
            .then(|| network.weighted_field[neuron]),
        weights,
        &C::of_network(&network.counts)[start..start + weights.len()],
    )
}

/// h = I^X, plus the per-synapse part, plus the projections with one weight in slot order:
/// the order of the sums is part of the result, bit for bit.
#[inline(always)]
fn sum_field<C: Count>(external: f64, weighted: Option<f64>, weights: &[f64], counts: &[C]) -> f64 {
    let mut h = external;
    if let Some(weighted) = weighted {
        h += weighted;
    }
    // Two weights (inputs from one excitatory and one inhibitory population) are the common
    // case: spelled out, without the loop's count.
    if let ([w0, w1], [c0, c1]) = (weights, counts) {
        h += *w0 * (*c0).into();
        h += *w1 * (*c1).into();
        return h;
    }
    for (&weight, &count) in weights.iter().zip(counts) {
        h += weight * count.into();
    }
    h
}

/// The new state of a neuron with field `h`, threshold `threshold` and `temperature`:
/// Θ(h − T) at temperature 0, else active with the Glauber probability; `uniform` is a
/// number uniform in [0, 1).
#[inline(always)]
fn decide(h: f64, threshold: f64, temperature: f64, uniform: impl FnOnce() -> f64) -> bool {
    if temperature == 0.0 {
        h >= threshold
    } else {
        uniform() * (1.0 + (-(h - threshold) / temperature).exp()) < 1.0
    }
}

/// Asynchronous updates number `from` to `until` (excluded).
///
/// Where an update draws one word only (one update rate, or no Glauber dynamics), the words
/// of [`BLOCK`] updates are drawn and their neurons' data prefetched before the first of them
/// is made: the same words in the same order, so the same results.
pub(super) fn asynchronous(network: &mut BinaryNetwork, chooser: &Chooser, from: u64, until: u64) {
    match network.counts.width() {
        Width::Byte => asynchronous_with::<i8>(network, chooser, from, until),
        Width::Narrow => asynchronous_with::<i16>(network, chooser, from, until),
        Width::Wide => asynchronous_with::<i32>(network, chooser, from, until),
    }
}

/// How many updates are drawn (and their data prefetched) at a time before they are made:
/// enough for the fetches from the outer caches to arrive before the first update reads
/// its data, few enough for the data of all to stay in L1. Two short loops, one drawing and
/// one updating, rather than one long one: each keeps what it needs in registers (the
/// generator's state, the network's arrays).
const BLOCK: usize = 64;

/// An update whose word is drawn: its neuron, its population (`u32::MAX`: to be looked up)
/// and the low 32 bits of the word (the Glauber draw of a network with one rate).
#[derive(Clone, Copy, Default)]
struct Drawn {
    neuron: u32,
    population: u32,
    low: u32,
}

impl Drawn {
    #[inline(always)]
    fn of(word: u64, chooser: &Chooser) -> Drawn {
        let (neuron, population) = chooser.pick(word);
        Drawn {
            // Within u32: the build refuses networks of more neurons.
            neuron: neuron as u32,
            population: population.map_or(u32::MAX, |k| k as u32),
            low: word as u32,
        }
    }
}

/// [`asynchronous`] with counts of type `C`.
fn asynchronous_with<C: Count>(
    network: &mut BinaryNetwork,
    chooser: &Chooser,
    from: u64,
    until: u64,
) {
    if from >= until {
        return;
    }
    let deterministic = network.deterministic;
    let general_loop_only = network.general_loop_only;
    let (mut parts, rng) = Parts::<C>::of(network);
    if !general_loop_only && shared::run(&mut parts, rng, chooser, deterministic, from, until) {
        return;
    }
    match (deterministic, chooser.single_rate) {
        (true, _) => in_blocks::<C, true>(&mut parts, rng, chooser, from, until),
        (false, true) => in_blocks::<C, false>(&mut parts, rng, chooser, from, until),
        (false, false) => {
            for unit in from..until {
                let now = Drawn::of(rng.next_u64(), chooser);
                // Several rates: the Glauber draw takes a word of its own.
                parts.update::<false>(chooser, now, unit, || rng.next_u64());
            }
        }
    }
}

/// Updates `from` to `until` of a network whose updates draw one word each, drawn [`BLOCK`]
/// at a time; `DETERMINISTIC`: every temperature is 0.
#[inline(always)]
fn in_blocks<C: Count, const DETERMINISTIC: bool>(
    parts: &mut Parts<C>,
    rng: &mut Stream,
    chooser: &Chooser,
    from: u64,
    until: u64,
) {
    let mut drawn = [Drawn::default(); BLOCK];
    let mut unit = from;
    while unit < until {
        let block = &mut drawn[..(until - unit).min(BLOCK as u64) as usize];
        // The generator's state in registers while drawing, in memory while updating.
        let mut local = rng.clone();
        for slot in block.iter_mut() {
            *slot = parts.draw(&mut local, chooser);
        }
        *rng = local;
        for &now in block.iter() {
            parts.update::<DETERMINISTIC>(chooser, now, unit, || 0);
            unit += 1;
        }
    }
}

/// The parts of a network that the update loops read and write, borrowed apart so that the
/// loops keep them in registers rather than reload them through the network at every update.
struct Parts<'a, C: Count> {
    rules: &'a [Rule],
    projections: &'a [Projection],
    population_of: &'a [u16],
    thresholds: &'a [f64],
    temperatures: &'a [f64],
    external: &'a [f64],
    uniform_external: bool,
    has_weighted_projections: bool,
    stride: usize,
    counts: &'a mut [C],
    weighted_field: &'a mut [f64],
    active: &'a mut [u8],
    recorders: &'a mut Recorders,
}

impl<'a, C: Count> Parts<'a, C> {
    /// The parts of `network`, and its generator apart.
    fn of(network: &'a mut BinaryNetwork) -> (Parts<'a, C>, &'a mut Stream) {
        let BinaryNetwork {
            rules,
            projections,
            population_of,
            thresholds,
            temperatures,
            external,
            uniform_external,
            has_weighted_projections,
            stride,
            counts,
            weighted_field,
            active,
            recorders,
            rng,
            ..
        } = network;
        let parts = Parts {
            rules,
            projections,
            population_of,
            thresholds,
            temperatures,
            external,
            uniform_external: *uniform_external,
            has_weighted_projections: *has_weighted_projections,
            stride: *stride,
            counts: C::of_network_mut(counts),
            weighted_field,
            active,
            recorders,
        };
        (parts, rng)
    }

    /// The update at unit `unit` of the neuron `now` drew; `fresh` gives a word for the
    /// Glauber draw of a network with several rates. `DETERMINISTIC`: every temperature is 0.
    #[inline(always)]
    fn update<const DETERMINISTIC: bool>(
        &mut self,
        chooser: &Chooser,
        now: Drawn,
        unit: u64,
        fresh: impl FnOnce() -> u64,
    ) {
        let (neuron, population, active) = self.outcome::<DETERMINISTIC>(chooser, now, fresh);
        if active != (self.active[neuron] == 1) {
            self.flip(neuron, population, active, unit);
        }
    }

    /// The neuron of update `now`, its population and its new state, from the fields now.
    #[inline(always)]
    fn outcome<const DETERMINISTIC: bool>(
        &self,
        chooser: &Chooser,
        now: Drawn,
        fresh: impl FnOnce() -> u64,
    ) -> (usize, usize, bool) {
        let neuron = now.neuron as usize;
        let population = if now.population == u32::MAX {
            self.population_of[neuron] as usize
        } else {
            now.population as usize
        };
        let h = self.field(neuron, population);
        let rule = &self.rules[population];
        let threshold = rule.threshold.unwrap_or_else(|| self.thresholds[neuron]);
        let active = if DETERMINISTIC {
            h >= threshold
        } else {
            let temperature = rule
                .temperature
                .unwrap_or_else(|| self.temperatures[neuron]);
            // The low 32 bits, unused by the choice of an equal-rate network, give the
            // Glauber draw; a network with several rates draws a fresh word.
            decide(h, threshold, temperature, || {
                if chooser.single_rate {
                    now.low as f64 * (1.0 / 4_294_967_296.0)
                } else {
                    unit_interval(fresh())
                }
            })
        };
        (neuron, population, active)
    }

    /// h_i of neuron `neuron` of population `population`.
    #[inline(always)]
    fn field(&self, neuron: usize, population: usize) -> f64 {
        let rule = &self.rules[population];
        let weights = &rule.weights;
        let start = neuron * self.stride;
        sum_field(
            rule.external.unwrap_or_else(|| self.external[neuron]),
            self.has_weighted_projections
                .then(|| self.weighted_field[neuron]),
            weights,
            &self.counts[start..start + weights.len()],
        )
    }

    /// Draws an update ahead of its time and asks for what it reads.
    #[inline(always)]
    fn draw(&self, rng: &mut Stream, chooser: &Chooser) -> Drawn {
        let then = Drawn::of(rng.next_u64(), chooser);
        self.prefetch(then);
        then
    }

    /// Asks the processor to bring what the update `now` reads into the cache (a hint; no
    /// effect on results).
    #[inline(always)]
    fn prefetch(&self, now: Drawn) {
        let neuron = now.neuron as usize;
        if !self.uniform_external {
            prefetch(self.external.as_ptr().wrapping_add(neuron));
        }
        prefetch(self.active.as_ptr().wrapping_add(neuron));
        prefetch(self.counts.as_ptr().wrapping_add(neuron * self.stride));
        if now.population == u32::MAX {
            prefetch(self.population_of.as_ptr().wrapping_add(neuron));
        }
    }

    /// Neuron `neuron` of `population` becomes active (`active`) or inactive at unit `unit`:
    /// its targets' fields change by J·ΔS.
    ///
    /// Not inlined: a few percent of updates flip, and the update loop without this body
    /// keeps its values in registers.
    #[inline(never)]
    fn flip(&mut self, neuron: usize, population: usize, active: bool, unit: u64) {
        self.active[neuron] = u8::from(active);
        let rule = &self.rules[population];
        let local = neuron - rule.offset;
        let delta: i32 = if active { rule.step } else { -rule.step };
        // All the rows are requested before the first is walked, so that their fetches from
        // memory overlap.
        for &index in &rule.outgoing {
            prefetch_row(self.projections[index].connectivity.targets_of(local));
        }
        // The recorders, which read no field, do their part while the rows arrive.
        self.recorders.on_flip(neuron, population, active, unit);
        for &index in &rule.outgoing {
            let projection = &self.projections[index];
            let row = projection.connectivity.targets_of(local);
            match projection.counts_base {
                Some(base) => add_counts(self.counts, row, base, self.stride, C::of(delta)),
                None => {
                    let weights = projection.connectivity.weights().unwrap_or_default();
                    let weights = &weights[projection.connectivity.synapse_range(local)];
                    let offset = projection.target_offset;
                    let delta = f64::from(delta);
                    for (target, &weight) in row.iter().zip(weights) {
                        self.weighted_field[offset + target as usize] += weight * delta;
                    }
                }
            }
        }
    }
}

/// Asks the processor to bring the cache line of `address` in (a hint; no effect on results).
#[inline(always)]
fn prefetch<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: prefetching is a hint that never faults nor reads into the program; the
        // addresses are computed with wrapping arithmetic and never dereferenced.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}
/// Asks the processor to bring `row` into the cache (a hint; no effect on results).
#[inline(always)]
fn prefetch_row(row: Row) {
    let (start, bytes) = row.memory();
    let mut offset = 0;
    while offset < bytes {
        prefetch(start.wrapping_add(offset));
        offset += 64;
    }
}

/// Synchronous step `step`: every neuron from the fields before the step.
pub(super) fn synchronous(network: &mut BinaryNetwork, step: u64) {
    match network.counts.width() {
        Width::Byte => synchronous_with::<i8>(network, step),
        Width::Narrow => synchronous_with::<i16>(network, step),
        Width::Wide => synchronous_with::<i32>(network, step),
    }
}

/// [`synchronous`] with counts of type `C`.
fn synchronous_with<C: Count>(network: &mut BinaryNetwork, step: u64) {
    let (mut parts, rng) = Parts::<C>::of(network);
    let mut changed = Vec::new();
    for neuron in 0..parts.active.len() {
        let population = parts.population_of[neuron] as usize;
        let h = parts.field(neuron, population);
        let active = decide(
            h,
            parts.thresholds[neuron],
            parts.temperatures[neuron],
            || unit_interval(rng.next_u64()),
        );
        if active != (parts.active[neuron] == 1) {
            changed.push((neuron, active));
        }
    }
    for (neuron, active) in changed {
        let population = parts.population_of[neuron] as usize;
        parts.flip(neuron, population, active, step);
    }
}

/// A uniform number in [0, 1) from the top 53 bits of a word.
#[inline(always)]
fn unit_interval(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Adds `delta` to the counts at `base + target·stride` of the targets in `row`.
///
/// The network's build guarantees, for a projection with one weight, that every target t
/// lies inside its population (t < size) and that base = offset·stride + slot with slot <
/// stride and offset + size ≤ the number of neurons, whose product with stride is
/// `counts.len()`: every index is below `counts.len()`. The common strides are spelled out
/// so that the index is a shift.
#[inline(always)]
fn add_counts<C: Count>(counts: &mut [C], row: Row, base: usize, stride: usize, delta: C) {
    match (row, stride) {
        (Row::Narrow(targets), 1) => scatter(counts, targets, base, 1, delta),
        (Row::Narrow(targets), 2) => scatter(counts, targets, base, 2, delta),
        (Row::Narrow(targets), _) => scatter(counts, targets, base, stride, delta),
        (Row::Wide(targets), 1) => scatter(counts, targets, base, 1, delta),
        (Row::Wide(targets), 2) => scatter(counts, targets, base, 2, delta),
        (Row::Wide(targets), _) => scatter(counts, targets, base, stride, delta),
    }
}

/// A target index of either width.
trait Target: Copy {
    fn index(self) -> usize;
}

impl Target for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl Target for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// The loop of [`add_counts`], four targets at a time: the adds of a group are independent,
/// so the processor overlaps them, and the loop's own count is paid once per group.
#[inline(always)]
fn scatter<C: Count, T: Target>(
    counts: &mut [C],
    targets: &[T],
    base: usize,
    stride: usize,
    delta: C,
) {
    let mut add = |target: T| {
        let index = base + target.index() * stride;
        debug_assert!(index < counts.len());
        // SAFETY: index < counts.len() by the invariant of `add_counts`, established when
        // the network is built (`build::beyond` and the layout of `counts`) and kept since:
        // `counts` is never resized (`Counts::new`), connectivity never changes, and `C` is
        // the type whose vector `Counts::new` filled (the dispatch on `Counts::width`).
        unsafe { *counts.get_unchecked_mut(index) += delta };
    };
    let mut groups = targets.chunks_exact(4);
    for group in &mut groups {
        add(group[0]);
        add(group[1]);
        add(group[2]);
        add(group[3]);
    }
    for &target in groups.remainder() {
        add(target);
    }
}

/// Which neuron an update picks.
pub(super) struct Chooser {
    /// All populations update at the same rate: a uniform neuron of the network.
    single_rate: bool,
    neurons: u64,
    /// Otherwise: the cumulative rates Σ_{l ≤ k} N_l/τ_l of all populations but the last,
    /// and per population what places a neuron in it.
    boundaries: Vec<f64>,
    bands: Vec<Band>,
    total_rate: f64,
}

/// The share of one population in the choice of a network with several rates.
#[derive(Clone, Copy)]
struct Band {
    /// The cumulative rate of the populations before it.
    below: f64,
    /// Its first neuron, its last (local index, as a float), and its τ.
    offset: usize,
    last: f64,
    tau: f64,
}

/// Up to this many populations, the population of a draw is found by comparing it with every
/// cumulative rate rather than by a search that stops at the first greater: no branch on the
/// draw, so nothing to mispredict.
const COMPARE_ALL: usize = 8;

impl Chooser {
    fn new(network: &BinaryNetwork) -> Chooser {
        let first_tau = network.populations[0].tau_ms;
        let single_rate = network.populations.iter().all(|p| p.tau_ms == first_tau);
        let mut boundaries = Vec::new();
        let mut bands = Vec::new();
        let mut total = 0.0;
        for population in &network.populations {
            bands.push(Band {
                below: total,
                offset: population.offset,
                last: population.size.saturating_sub(1) as f64,
                tau: population.tau_ms,
            });
            total += population.size as f64 / population.tau_ms;
            boundaries.push(total);
        }
        boundaries.pop();
        Chooser {
            single_rate,
            neurons: network.active.len() as u64,
            boundaries,
            bands,
            total_rate: total,
        }
    }

    /// The neuron that `word` picks, and its population where the choice tells it.
    #[inline(always)]
    fn pick(&self, word: u64) -> (usize, Option<usize>) {
        if self.single_rate {
            // Lemire's multiply-shift: the high 32 bits scaled to 0..N, unbiased to N/2³².
            ((((word >> 32) * self.neurons) >> 32) as usize, None)
        } else {
            let x = unit_interval(word) * self.total_rate;
            // The first population whose cumulative rate exceeds x, else the last (x can
            // round up to the total): the cumulative rates never decrease, so it is the
            // number of boundaries at or below x.
            let k = match self.boundaries.as_slice() {
                [boundary] => usize::from(*boundary <= x),
                few if few.len() < COMPARE_ALL => {
                    few.iter().map(|&boundary| usize::from(boundary <= x)).sum()
                }
                many => many
                    .iter()
                    .position(|&boundary| x < boundary)
                    .unwrap_or(many.len()),
            };
            let band = self.bands[k];
            // ⌊v⌋ capped at the population's last neuron, v = (x − below)·τ: x − below ≥ 0
            // (x is at or above the cumulative rate `below` of the populations before, or
            // `below` is 0 and x ≥ 0) and τ > 0 (the reader's constraint), so v ≥ 0 or NaN,
            // and the comparison gives the finite `last` for NaN and anything above it (one
            // `minsd`, where `f64::min` adds the handling of a NaN `last`).
            let v = (x - band.below) * band.tau;
            let v = if v < band.last { v } else { band.last };
            debug_assert!((0.0..=band.last).contains(&v));
            // SAFETY: v is finite and in [0, last] with last < 2³² (the build refuses more
            // neurons), so its truncation is representable in u32: the one precondition of
            // `to_int_unchecked`. It equals `(v as usize).min(last)`, without the checks that
            // a saturating cast compiles to.
            let local = unsafe { v.to_int_unchecked::<u32>() };
            (band.offset + local as usize, Some(k))
        }
    }
}

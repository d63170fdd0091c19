//! The update loops: which neuron updates, its new state, and the change it makes to the
//! fields of its targets.
//!
//! Time is counted in *units*: updates for asynchronous runs (1/R each), steps of dt for
//! synchronous ones. A change made at unit u holds from u + 1 on; the recorders account for
//! it there.

use rand::Rng;

use super::BinaryNetwork;
use crate::connect::Row;
use crate::spec::model::UpdateOrder;

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
    let population = network.population_of[neuron] as usize;
    match network.counts.width() {
        Width::Byte => field_of::<i8>(network, neuron, population),
        Width::Narrow => field_of::<i16>(network, neuron, population),
        Width::Wide => field_of::<i32>(network, neuron, population),
    }
}

/// h_i of neuron `neuron` of population `population`: I^X, then the per-synapse part, then
/// the projections with one weight in slot order (the order of the sums is part of the
/// result, bit for bit).
#[inline(always)]
fn field_of<C: Count>(network: &BinaryNetwork, neuron: usize, population: usize) -> f64 {
    let mut h = network.external[neuron];
    if network.has_weighted_projections {
        h += network.weighted_field[neuron];
    }
    let weights = &network.rules[population].weights;
    let start = neuron * network.stride;
    let counts = &C::of_network(&network.counts)[start..start + weights.len()];
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
/// Where an update draws one word only (one update rate, or no Glauber dynamics), the word of
/// the next update is drawn ahead and its neuron's data prefetched while this update runs:
/// the same words in the same order, so the same results.
pub(super) fn asynchronous(network: &mut BinaryNetwork, chooser: &Chooser, from: u64, until: u64) {
    match network.counts.width() {
        Width::Byte => asynchronous_with::<i8>(network, chooser, from, until),
        Width::Narrow => asynchronous_with::<i16>(network, chooser, from, until),
        Width::Wide => asynchronous_with::<i32>(network, chooser, from, until),
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
    if chooser.single_rate || network.deterministic {
        let mut word = network.rng.next_u64();
        for unit in from..until {
            let next = if unit + 1 < until {
                let next = network.rng.next_u64();
                prefetch_neuron::<C>(network, chooser.pick(next).0);
                next
            } else {
                0
            };
            update_one::<C>(network, chooser, word, unit);
            word = next;
        }
    } else {
        for unit in from..until {
            let word = network.rng.next_u64();
            update_one::<C>(network, chooser, word, unit);
        }
    }
}

/// The update at unit `unit`, whose neuron `word` picks.
#[inline(always)]
fn update_one<C: Count>(network: &mut BinaryNetwork, chooser: &Chooser, word: u64, unit: u64) {
    let (neuron, population) = chooser.pick(word);
    let population = population.unwrap_or_else(|| network.population_of[neuron] as usize);
    let h = field_of::<C>(network, neuron, population);
    let rule = &network.rules[population];
    let threshold = rule.threshold.unwrap_or_else(|| network.thresholds[neuron]);
    let temperature = rule
        .temperature
        .unwrap_or_else(|| network.temperatures[neuron]);
    // The low 32 bits, unused by the choice of an equal-rate network, give the Glauber
    // draw; a network with several rates draws a fresh word.
    let rng = &mut network.rng;
    let low_bits = chooser.single_rate.then_some(word as u32);
    let active = decide(h, threshold, temperature, || match low_bits {
        Some(bits) => bits as f64 * (1.0 / 4_294_967_296.0),
        None => unit_interval(rng.next_u64()),
    });
    if active != (network.active[neuron] == 1) {
        flip::<C>(network, neuron, population, active, unit);
    }
}

/// Asks the processor to bring what the update of `neuron` reads into the cache (a hint; no
/// effect on results).
#[inline(always)]
fn prefetch_neuron<C: Count>(network: &BinaryNetwork, neuron: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let addresses: [*const i8; 3] = [
            network.external.as_ptr().wrapping_add(neuron).cast(),
            network.active.as_ptr().wrapping_add(neuron).cast(),
            C::of_network(&network.counts)
                .as_ptr()
                .wrapping_add(neuron * network.stride)
                .cast(),
        ];
        for address in addresses {
            // SAFETY: prefetching is a hint that never faults nor reads into the program; the
            // addresses are computed with wrapping arithmetic and never dereferenced.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(address) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (network, neuron);
}

/// Asks the processor to bring `row` into the cache (a hint; no effect on results).
#[inline(always)]
fn prefetch_row(row: Row) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let (start, bytes) = row.memory();
        for offset in (0..bytes).step_by(64) {
            // SAFETY: the address lies inside the row; prefetching never faults anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
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
    let mut changed = Vec::new();
    for neuron in 0..network.active.len() {
        let population = network.population_of[neuron] as usize;
        let h = field_of::<C>(network, neuron, population);
        let rng = &mut network.rng;
        let active = decide(
            h,
            network.thresholds[neuron],
            network.temperatures[neuron],
            || unit_interval(rng.next_u64()),
        );
        if active != (network.active[neuron] == 1) {
            changed.push((neuron, active));
        }
    }
    for (neuron, active) in changed {
        let population = network.population_of[neuron] as usize;
        flip::<C>(network, neuron, population, active, step);
    }
}

/// A uniform number in [0, 1) from the top 53 bits of a word.
#[inline(always)]
fn unit_interval(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Neuron `neuron` of `population` becomes active (`active`) or inactive at unit `unit`: its
/// targets' fields change by J·ΔS.
#[inline(always)]
fn flip<C: Count>(
    network: &mut BinaryNetwork,
    neuron: usize,
    population: usize,
    active: bool,
    unit: u64,
) {
    network.active[neuron] = u8::from(active);
    let rule = &network.rules[population];
    let local = neuron - rule.offset;
    let delta: i32 = if active { rule.step } else { -rule.step };
    // All the rows are requested before the first is walked, so that their fetches from
    // memory overlap.
    for &index in &rule.outgoing {
        prefetch_row(network.projections[index].connectivity.targets_of(local));
    }
    for &index in &rule.outgoing {
        let projection = &network.projections[index];
        let row = projection.connectivity.targets_of(local);
        match projection.counts_base {
            Some(base) => add_counts(
                C::of_network_mut(&mut network.counts),
                row,
                base,
                network.stride,
                C::of(delta),
            ),
            None => {
                let weights = projection.connectivity.weights().unwrap_or_default();
                let weights = &weights[projection.connectivity.synapse_range(local)];
                let offset = projection.target_offset;
                let delta = f64::from(delta);
                let field = &mut network.weighted_field;
                for (target, &weight) in row.iter().zip(weights) {
                    field[offset + target as usize] += weight * delta;
                }
            }
        }
    }
    network.recorders.on_flip(neuron, population, active, unit);
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

/// The loop of [`add_counts`].
#[inline(always)]
fn scatter<C: Count, T: Target>(
    counts: &mut [C],
    targets: &[T],
    base: usize,
    stride: usize,
    delta: C,
) {
    for &target in targets {
        let index = base + target.index() * stride;
        debug_assert!(index < counts.len());
        // SAFETY: index < counts.len() by the invariant of `add_counts`, established when
        // the network is built (`build::beyond` and the layout of `counts`) and kept since:
        // `counts` is never resized (`Counts::new`), connectivity never changes, and `C` is
        // the type whose vector `Counts::new` filled (the dispatch on `Counts::width`).
        unsafe { *counts.get_unchecked_mut(index) += delta };
    }
}

/// Which neuron an update picks.
pub(super) struct Chooser {
    /// All populations update at the same rate: a uniform neuron of the network.
    single_rate: bool,
    neurons: u64,
    /// Otherwise: the cumulative rates Σ_{l ≤ k} N_l/τ_l, and per population its offset,
    /// size and τ.
    cumulative: Vec<f64>,
    populations: Vec<(usize, usize, f64)>,
    total_rate: f64,
}

impl Chooser {
    fn new(network: &BinaryNetwork) -> Chooser {
        let first_tau = network.populations[0].tau_ms;
        let single_rate = network.populations.iter().all(|p| p.tau_ms == first_tau);
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for population in &network.populations {
            total += population.size as f64 / population.tau_ms;
            cumulative.push(total);
        }
        Chooser {
            single_rate,
            neurons: network.active.len() as u64,
            cumulative,
            populations: network
                .populations
                .iter()
                .map(|p| (p.offset, p.size, p.tau_ms))
                .collect(),
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
            let k = self
                .cumulative
                .iter()
                .position(|&c| x < c)
                .unwrap_or(self.cumulative.len() - 1);
            let (offset, size, tau) = self.populations[k];
            let below = if k == 0 { 0.0 } else { self.cumulative[k - 1] };
            (
                offset + (((x - below) * tau) as usize).min(size - 1),
                Some(k),
            )
        }
    }
}

//! The update loops: which neuron updates, its new state, and the change it makes to the
//! fields of its targets.
//!
//! Time is counted in *units*: updates for asynchronous runs (1/R each), steps of dt for
//! synchronous ones. A change made at unit u holds from u + 1 on; the recorders account for
//! it there.

use rand::Rng;

use super::BinaryNetwork;
use crate::connect::Row;
use crate::neuron::binary::States;
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

/// h_i of neuron `neuron` (network index).
#[inline(always)]
pub(super) fn field(network: &BinaryNetwork, neuron: usize) -> f64 {
    let population = network.population_of[neuron] as usize;
    let local = neuron - network.populations[population].offset;
    let mut h = network.external[neuron];
    if network.has_weighted_projections {
        h += network.weighted_field[neuron];
    }
    for &(projection, weight) in &network.uniform_inputs[population] {
        h += weight * network.projections[projection].sums[local] as f64;
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
pub(super) fn asynchronous(network: &mut BinaryNetwork, chooser: &Chooser, from: u64, until: u64) {
    for unit in from..until {
        let word = network.rng.next_u64();
        let neuron = chooser.pick(word);
        let h = field(network, neuron);
        // The low 32 bits, unused by the choice of an equal-rate network, give the Glauber
        // draw; a network with several rates draws a fresh word.
        let rng = &mut network.rng;
        let low_bits = chooser.single_rate.then_some(word as u32);
        let active = decide(
            h,
            network.thresholds[neuron],
            network.temperatures[neuron],
            || match low_bits {
                Some(bits) => bits as f64 * (1.0 / 4_294_967_296.0),
                None => unit_interval(rng.next_u64()),
            },
        );
        if active != (network.active[neuron] == 1) {
            flip(network, neuron, active, unit);
        }
    }
}

/// Synchronous step `step`: every neuron from the fields before the step.
pub(super) fn synchronous(network: &mut BinaryNetwork, step: u64) {
    let mut changed = Vec::new();
    for neuron in 0..network.active.len() {
        let h = field(network, neuron);
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
        flip(network, neuron, active, step);
    }
}

/// A uniform number in [0, 1) from the top 53 bits of a word.
#[inline(always)]
fn unit_interval(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Neuron `neuron` becomes active (`active`) or inactive at unit `unit`: its targets' fields
/// change by J·ΔS.
#[inline(always)]
fn flip(network: &mut BinaryNetwork, neuron: usize, active: bool, unit: u64) {
    let population = network.population_of[neuron] as usize;
    let local = neuron - network.populations[population].offset;
    network.active[neuron] = u8::from(active);
    let step = match network.populations[population].states {
        States::ZeroOne => 1,
        States::Spin => 2,
    };
    let delta: i32 = if active { step } else { -step };
    for index in 0..network.outgoing[population].len() {
        let projection = &mut network.projections[network.outgoing[population][index]];
        let row = projection.connectivity.targets_of(local);
        match projection.connectivity.weights() {
            None => add_counts(&mut projection.sums, row, delta),
            Some(weights) => {
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

/// Adds `delta` to the sums of the targets in `row`.
#[inline(always)]
fn add_counts(sums: &mut [i32], row: Row, delta: i32) {
    match row {
        Row::Narrow(targets) => {
            for &target in targets {
                sums[target as usize] += delta;
            }
        }
        Row::Wide(targets) => {
            for &target in targets {
                sums[target as usize] += delta;
            }
        }
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

    /// The neuron that `word` picks.
    #[inline(always)]
    fn pick(&self, word: u64) -> usize {
        if self.single_rate {
            // Lemire's multiply-shift: the high 32 bits scaled to 0..N, unbiased to N/2³².
            (((word >> 32) * self.neurons) >> 32) as usize
        } else {
            let x = unit_interval(word) * self.total_rate;
            let k = self
                .cumulative
                .iter()
                .position(|&c| x < c)
                .unwrap_or(self.cumulative.len() - 1);
            let (offset, size, tau) = self.populations[k];
            let below = if k == 0 { 0.0 } else { self.cumulative[k - 1] };
            offset + (((x - below) * tau) as usize).min(size - 1)
        }
    }
}

//! The asynchronous loop for the common case: every population's neurons share one
//! threshold, one temperature and one external input, and every projection has one weight
//! (the balanced networks of van Vreeswijk & Sompolinsky, random networks of homogeneous
//! populations). An update then reads, besides the state and the counts of its neuron, one
//! small record of its population, and the loop is compiled for the number of counts per
//! neuron (one or two): no per-neuron tables, no optional parts to test, one word per drawn
//! update.
//!
//! It makes the same draws in the same order and sums the field in the same order as the
//! general loop ([`super::in_blocks`]): the same results, bit for bit (the fingerprint tests
//! run both).

use super::{BLOCK, Chooser, Count, Parts, Rule, decide, prefetch};
use crate::rng::Stream;

/// What an update reads of one population whose neurons share it.
#[derive(Clone, Copy, Debug)]
struct Shared<const SLOTS: usize> {
    external: f64,
    threshold: f64,
    temperature: f64,
    /// The weights of its projections, by slot.
    weights: [f64; SLOTS],
}

/// Runs updates `from` to `until` (excluded) with this loop where the network allows it
/// (see the module's documentation), and tells whether it did. Each update must draw one
/// word: every temperature is 0 (`deterministic`) or all populations update at one rate.
pub(super) fn run<C: Count>(
    parts: &mut Parts<C>,
    rng: &mut Stream,
    chooser: &Chooser,
    deterministic: bool,
    from: u64,
    until: u64,
) -> bool {
    if !(deterministic || chooser.single_rate) {
        return false;
    }
    match parts.stride {
        1 => run_with::<C, 1>(parts, rng, chooser, deterministic, from, until),
        2 => run_with::<C, 2>(parts, rng, chooser, deterministic, from, until),
        _ => false,
    }
}

/// Whether the asynchronous updates of `network` run in this loop (with its external
/// inputs now).
#[cfg(test)]
pub(in crate::binary) fn applies(network: &crate::binary::BinaryNetwork) -> bool {
    let records = |slots| match slots {
        1 => records::<1>(
            &network.rules,
            network.has_weighted_projections,
            network.deterministic,
        )
        .is_some(),
        2 => records::<2>(
            &network.rules,
            network.has_weighted_projections,
            network.deterministic,
        )
        .is_some(),
        _ => false,
    };
    (network.deterministic || Chooser::new(network).single_rate) && records(network.stride)
}

/// [`run`] with `SLOTS` counts per neuron.
fn run_with<C: Count, const SLOTS: usize>(
    parts: &mut Parts<C>,
    rng: &mut Stream,
    chooser: &Chooser,
    deterministic: bool,
    from: u64,
    until: u64,
) -> bool {
    let Some(shared) = records::<SLOTS>(parts.rules, parts.has_weighted_projections, deterministic)
    else {
        return false;
    };
    match (deterministic, chooser.single_rate) {
        (true, true) => updates::<C, SLOTS, true, true>(parts, &shared, rng, chooser, from, until),
        (true, false) => {
            updates::<C, SLOTS, true, false>(parts, &shared, rng, chooser, from, until)
        }
        (false, true) => {
            updates::<C, SLOTS, false, true>(parts, &shared, rng, chooser, from, until)
        }
        (false, false) => unreachable!("`run` leaves networks with several rates and temperatures"),
    }
    true
}

/// Every population's shared record, if each has one: one threshold, one external input,
/// one temperature (unless `deterministic`) and `SLOTS` projections with one weight; and no
/// projection has a weight per synapse (`has_weighted_projections`).
fn records<const SLOTS: usize>(
    rules: &[Rule],
    has_weighted_projections: bool,
    deterministic: bool,
) -> Option<Vec<Shared<SLOTS>>> {
    if has_weighted_projections {
        return None;
    }
    rules
        .iter()
        .map(|rule| {
            Some(Shared {
                external: rule.external?,
                threshold: rule.threshold?,
                temperature: if deterministic {
                    0.0
                } else {
                    rule.temperature?
                },
                weights: rule.weights.as_slice().try_into().ok()?,
            })
        })
        .collect()
}

/// An update drawn ahead, in one word: for networks with one rate the random word itself
/// (the neuron is recomputed from it, and its low half is the Glauber draw); for several
/// rates, the neuron in the low half and its population in the high half.
type Ticket = u64;

/// Updates `from` to `until`, drawn [`BLOCK`] at a time and then made (as in
/// [`super::in_blocks`]). `DETERMINISTIC`: every temperature is 0; `SINGLE_RATE`: all
/// populations update at one rate.
fn updates<C: Count, const SLOTS: usize, const DETERMINISTIC: bool, const SINGLE_RATE: bool>(
    parts: &mut Parts<C>,
    shared: &[Shared<SLOTS>],
    rng: &mut Stream,
    chooser: &Chooser,
    from: u64,
    until: u64,
) {
    let mut tickets = [0; BLOCK];
    let mut unit = from;
    while unit < until {
        let block = &mut tickets[..(until - unit).min(BLOCK as u64) as usize];
        // The generator's state in registers while drawing, in memory while updating.
        let mut local = rng.clone();
        for ticket in block.iter_mut() {
            *ticket = draw::<C, SLOTS, SINGLE_RATE>(parts, &mut local, chooser);
        }
        *rng = local;
        for &ticket in block.iter() {
            update_one::<C, SLOTS, DETERMINISTIC, SINGLE_RATE>(
                parts, shared, chooser, ticket, unit,
            );
            unit += 1;
        }
    }
}

/// Draws an update ahead of its time and asks for what it reads.
#[inline(always)]
fn draw<C: Count, const SLOTS: usize, const SINGLE_RATE: bool>(
    parts: &Parts<C>,
    rng: &mut Stream,
    chooser: &Chooser,
) -> Ticket {
    let word = rand::Rng::next_u64(rng);
    let (neuron, ticket) = if SINGLE_RATE {
        (chooser.pick(word).0, word)
    } else {
        let (neuron, population) = chooser.pick(word);
        let population = population.expect("a chooser of several rates tells the population");
        // Within u32: the build refuses networks of more neurons.
        (neuron, neuron as u64 | (population as u64) << 32)
    };
    prefetch(parts.active.as_ptr().wrapping_add(neuron));
    prefetch(parts.counts.as_ptr().wrapping_add(neuron * SLOTS));
    if SINGLE_RATE {
        prefetch(parts.population_of.as_ptr().wrapping_add(neuron));
    }
    ticket
}

/// The update of `ticket` at unit `unit`.
#[inline(always)]
fn update_one<C: Count, const SLOTS: usize, const DETERMINISTIC: bool, const SINGLE_RATE: bool>(
    parts: &mut Parts<C>,
    shared: &[Shared<SLOTS>],
    chooser: &Chooser,
    ticket: Ticket,
    unit: u64,
) {
    let (neuron, population) = if SINGLE_RATE {
        let neuron = chooser.pick(ticket).0;
        (neuron, parts.population_of[neuron] as usize)
    } else {
        ((ticket as u32) as usize, (ticket >> 32) as usize)
    };
    let own = &shared[population];
    let counts: &[C; SLOTS] = &parts.counts.as_chunks::<SLOTS>().0[neuron];
    // The order of the general loop's sum (`super::sum_field`), for the same rounding.
    let mut h = own.external;
    for (weight, &count) in own.weights.iter().zip(counts) {
        h += weight * count.into();
    }
    let active = if DETERMINISTIC {
        h >= own.threshold
    } else {
        decide(h, own.threshold, own.temperature, || {
            (ticket as u32) as f64 * (1.0 / 4_294_967_296.0)
        })
    };
    if active != (parts.active[neuron] == 1) {
        parts.flip(neuron, population, active, unit);
    }
}

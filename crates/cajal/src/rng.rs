//! Reproducible random streams.
//!
//! Every random object (an input to one neuron, a connection rule for one target, ...) draws
//! from its own stream, seeded from the run's seed, the *purpose* of the stream and the
//! object's id. Streams therefore do not depend on the order in which objects are updated or
//! on how neurons are split among threads: the same model file and seed give the same
//! numbers for any number of threads.
//!
//! The generator is xoshiro256++ (Blackman & Vigna 2021): fast, 256 bits of state, and
//! statistically sound for simulation. Seeds are mixed with SplitMix64 so that neighbouring
//! ids give unrelated streams.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is for; part of its seed so that, e.g., input 0 and connection rule 0 of
/// the same neuron draw different numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// An external input (noise, Poisson spikes).
    Input = 1,
    /// Initial conditions and heterogeneous parameters.
    Initialisation = 2,
    /// Connectivity.
    Connection = 3,
    /// Counter-based draws of an external input (Poisson counts).
    InputCounter = 4,
    /// Per-synapse weights drawn from a distribution.
    SynapticWeight = 5,
    /// Per-synapse delays drawn from a distribution.
    SynapticDelay = 6,
    /// Counter-based draws of a population of Poisson spike sources.
    SpikeSource = 7,
    /// Samples drawn by analyses of recorded data (e.g. the neuron pairs of correlations).
    Analysis = 8,
    /// The order of a binary network's updates and its Glauber draws.
    BinaryUpdate = 9,
    /// The initial state of each binary neuron.
    BinaryInitialState = 10,
    /// Random patterns stored in a population.
    Pattern = 11,
    /// Cues of stored patterns (which bits are kept and flipped).
    Cue = 12,
    /// Choices made for plastic synapses (the sample of a weight recorder).
    Plasticity = 13,
}

/// SplitMix64's finaliser: a bijective 64-bit mix.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of object `id` of kind `group` (e.g. the input's index) for `purpose`.
pub fn stream(seed: u64, purpose: Purpose, group: u64, id: u64) -> Stream {
    Stream::seed_from_u64(key(seed, purpose, group, id))
}

/// A 64-bit key identifying object `id` of `group` for `purpose` under `seed`.
pub fn key(seed: u64, purpose: Purpose, group: u64, id: u64) -> u64 {
    mix(mix(mix(mix(seed) ^ purpose as u64) ^ group) ^ id)
}

/// Word number `counter` of the counter-based stream of `key`: the SplitMix64 finaliser
/// (Steele, Lea & Flood 2014) applied to the key combined with the Weyl sequence c·γ. It needs no
/// state in memory, so a per-neuron, per-step draw costs a few arithmetic instructions and
/// is the same whichever thread makes it.
#[inline(always)]
pub fn counter_word(key: u64, counter: u64) -> u64 {
    // XOR rather than add: with `key + c·γ`, two keys differing by a multiple of γ would give
    // the same words shifted in time; with XOR the carries break any such alignment.
    mix(key ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |seed, group, id| stream(seed, Purpose::Input, group, id).random::<u64>();
        assert_eq!(draw(1, 0, 0), draw(1, 0, 0));
        let mut seen = std::collections::HashSet::new();
        for seed in 0..4 {
            for group in 0..4 {
                for id in 0..64 {
                    assert!(seen.insert(draw(seed, group, id)), "collision");
                }
            }
        }
        let a = stream(7, Purpose::Input, 0, 0).random::<u64>();
        let b = stream(7, Purpose::Connection, 0, 0).random::<u64>();
        assert_ne!(a, b);
    }
}

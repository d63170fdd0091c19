//! Stored patterns, cues, and the connectivity learned from the patterns.
//!
//! **Patterns.** P binary patterns ξ^μ ∈ {0, 1}^N of a population of N neurons (μ = 0 … P−1,
//! numbered from 0 like neurons), stored as bits: N/8 bytes per pattern. Pattern μ has
//! coding level f_μ = (1/N) Σ_i ξ_i^μ; f is the mean of the f_μ. Random patterns
//! ([`Patterns::random`]) have *exactly* round(f·N) active neurons each, drawn uniformly
//! (every subset of that size equally likely) from the stream
//! `stream(seed, Purpose::Pattern, population, μ)`, so pattern μ does not depend on how many
//! patterns are drawn.
//!
//! **Learning rules.** For a projection of a population onto itself, with scale w
//! (the projection's `weight`) and ξ̃ = 2ξ − 1 ∈ {−1, +1}:
//!
//! - Hopfield (Hopfield 1982, PNAS 79:2554; Amit, Gutfreund & Sompolinsky 1985, PRL 55:1530):
//!   J_ij = (w/N) Σ_μ ξ̃_i^μ ξ̃_j^μ. For neuron i let x_i be the P bits (ξ_i^0 … ξ_i^(P−1));
//!   then Σ_μ ξ̃_i^μ ξ̃_j^μ = P − 2·popcount(x_i XOR x_j), which costs P/64 word operations
//!   per pair.
//! - Covariance rule for sparse patterns (Tsodyks & Feigel'man 1988, Europhys. Lett.
//!   6:101): J_ij = w/(N f(1−f)) Σ_μ (ξ_i^μ − f)(ξ_j^μ − f), with f the mean coding level.
//!   The sum is popcount(x_i AND x_j) − f(c_i + c_j) + P f², c_i = popcount(x_i). For
//!   f = 1/2 the two rules coincide.
//!
//! With `probability` p < 1 each ordered pair is kept independently with probability p
//! (asymmetric dilution, Derrida, Gardner & Zippelius 1987, Europhys. Lett. 4:167) and the
//! couplings are divided by p N instead of N, so that the field a neuron receives keeps its
//! scale: a neuron has p N inputs on average. Draws come from one stream per source neuron,
//! `stream(seed, Purpose::Connection, projection, source)`, one uniform number per candidate
//! target, so a pair's fate does not depend on the others. Couplings that are exactly zero
//! (frequent for the Hopfield rule with an even P) are left out; autapses are left out unless
//! asked for.
//!
//! **Cues.** A [`Cue`] of pattern μ starts from ξ^μ, keeps a fraction `keep` of its active
//! neurons (exactly round(keep·A_μ) of its A_μ active neurons, drawn uniformly; the others are
//! set to 0), then flips exactly round(flip·N) bits of neurons drawn uniformly among all N.
//! The draws come from `stream(seed, Purpose::Cue, id, 0)` (kept neurons) and
//! `stream(seed, Purpose::Cue, id, 1)` (flips), where `id` names the cue (the input's
//! index for a cue input; see [`Cue::state`]).

use std::sync::Arc;

use rand::RngExt;

use super::{Connectivity, Targets};
use crate::rng::{Purpose, stream};

/// The most bits (patterns × neurons) a set of patterns may hold: 2^33, 1 GiB.
pub const MAX_PATTERN_BITS: u128 = 1 << 33;

/// P binary patterns of N neurons, stored as bits, pattern by pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Patterns {
    count: usize,
    size: usize,
    /// 64-bit words per pattern: ⌈N/64⌉.
    words: usize,
    /// Pattern μ is `bits[μ·words .. (μ+1)·words]`; neuron i is bit i % 64 of word i / 64.
    /// Bits past N are 0.
    bits: Vec<u64>,
    /// Active neurons of every pattern.
    active: Vec<usize>,
}

/// Why patterns cannot be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PatternError {
    /// The request or the data is invalid; the message says why.
    #[error("{0}")]
    Invalid(String),
}

impl Patterns {
    /// Patterns from a function giving ξ_i^μ, or an error if they would be too large.
    pub fn from_fn(
        count: usize,
        size: usize,
        active: impl Fn(usize, usize) -> bool,
    ) -> Result<Patterns, PatternError> {
        let mut patterns = Patterns::zeros(count, size)?;
        for pattern in 0..count {
            for neuron in 0..size {
                if active(pattern, neuron) {
                    patterns.set(pattern, neuron);
                }
            }
        }
        Ok(patterns)
    }

    /// `count` patterns of `size` neurons with no active neuron yet.
    fn zeros(count: usize, size: usize) -> Result<Patterns, PatternError> {
        if count as u128 * size as u128 > MAX_PATTERN_BITS {
            return Err(PatternError::Invalid(format!(
                "{count} patterns of {size} neurons: more than 2^33 bits (1 GiB)"
            )));
        }
        let words = size.div_ceil(64);
        Ok(Patterns {
            count,
            size,
            words,
            bits: vec![0; count * words],
            active: vec![0; count],
        })
    }

    fn set(&mut self, pattern: usize, neuron: usize) {
        let word = &mut self.bits[pattern * self.words + neuron / 64];
        let bit = 1u64 << (neuron % 64);
        if *word & bit == 0 {
            *word |= bit;
            self.active[pattern] += 1;
        }
    }

    /// `count` random patterns with exactly round(`coding_level`·`size`) active neurons
    /// each, drawn from the streams of `population` (see the module documentation).
    pub fn random(
        count: usize,
        size: usize,
        coding_level: f64,
        seed: u64,
        population: u64,
    ) -> Result<Patterns, PatternError> {
        if !(coding_level > 0.0 && coding_level < 1.0) {
            return Err(PatternError::Invalid(format!(
                "a coding level lies strictly between 0 and 1, not {coding_level}"
            )));
        }
        let active = (coding_level * size as f64).round() as usize;
        if active == 0 || active == size {
            return Err(PatternError::Invalid(format!(
                "a coding level of {coding_level} gives {active} active neurons out of {size}: \
                 a pattern needs active and inactive neurons"
            )));
        }
        let mut patterns = Patterns::zeros(count, size)?;
        let mut neurons: Vec<u32> = (0..size as u32).collect();
        for pattern in 0..count {
            let mut rng = stream(seed, Purpose::Pattern, population, pattern as u64);
            // Partial Fisher–Yates shuffle: the first `active` entries are a uniform subset.
            // Starting each pattern from the identity keeps pattern μ independent of the
            // others.
            neurons
                .iter_mut()
                .enumerate()
                .for_each(|(i, n)| *n = i as u32);
            for k in 0..active {
                let chosen = rng.random_range(k..size);
                neurons.swap(k, chosen);
                patterns.set(pattern, neurons[k] as usize);
            }
        }
        Ok(patterns)
    }

    /// P, the number of patterns.
    pub fn count(&self) -> usize {
        self.count
    }

    /// N, the number of neurons.
    pub fn size(&self) -> usize {
        self.size
    }

    /// ξ_i^μ.
    #[inline]
    pub fn is_active(&self, pattern: usize, neuron: usize) -> bool {
        self.bits[pattern * self.words + neuron / 64] >> (neuron % 64) & 1 == 1
    }

    /// The number of active neurons of pattern μ.
    pub fn active_count(&self, pattern: usize) -> usize {
        self.active[pattern]
    }

    /// f_μ, the fraction of active neurons of pattern μ.
    pub fn coding_level(&self, pattern: usize) -> f64 {
        self.active[pattern] as f64 / self.size as f64
    }

    /// f, the mean coding level of the patterns (0 without patterns).
    pub fn mean_coding_level(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        self.active.iter().sum::<usize>() as f64 / (self.count * self.size) as f64
    }

    /// Pattern μ as one bool per neuron.
    pub fn pattern(&self, pattern: usize) -> Vec<bool> {
        (0..self.size)
            .map(|neuron| self.is_active(pattern, neuron))
            .collect()
    }

    /// Pattern μ's bits: neuron i is bit i % 64 of word i / 64; bits past N are 0.
    pub fn words(&self, pattern: usize) -> &[u64] {
        &self.bits[pattern * self.words..(pattern + 1) * self.words]
    }

    /// The active neurons of pattern μ, in increasing order.
    pub fn active_neurons(&self, pattern: usize) -> impl Iterator<Item = usize> + '_ {
        self.words(pattern)
            .iter()
            .enumerate()
            .flat_map(|(w, &word)| set_bits(word).map(move |b| w * 64 + b))
    }

    /// The patterns neuron by neuron: neuron i's bits x_i = (ξ_i^0 … ξ_i^(P−1)) are
    /// `result[i·W .. (i+1)·W]` with W = ⌈P/64⌉ (the second value), pattern μ being bit
    /// μ % 64 of word μ / 64.
    pub fn by_neuron(&self) -> (Vec<u64>, usize) {
        let width = self.count.div_ceil(64).max(1);
        let mut bits = vec![0u64; self.size * width];
        for pattern in 0..self.count {
            for neuron in self.active_neurons(pattern) {
                bits[neuron * width + pattern / 64] |= 1 << (pattern % 64);
            }
        }
        (bits, width)
    }

    /// Bytes used.
    pub fn bytes(&self) -> usize {
        self.bits.len() * 8 + self.active.len() * 8
    }
}

/// The positions of the set bits of a word, lowest first.
#[inline]
fn set_bits(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let bit = word.trailing_zeros() as usize;
            word &= word - 1;
            bit
        })
    })
}

/// How couplings are learned from the patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Learning {
    /// J_ij = (w/N) Σ_μ ξ̃_i^μ ξ̃_j^μ, ξ̃ = 2ξ − 1.
    Hopfield,
    /// J_ij = w/(N f(1−f)) Σ_μ (ξ_i^μ − f)(ξ_j^μ − f).
    Covariance,
}

impl Learning {
    /// The names in model files, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &["hopfield", "covariance"];
}

/// The `patterns` connection rule: couplings learned from a population's patterns.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternRule {
    /// The stored patterns (of the population connected to itself).
    pub patterns: Arc<Patterns>,
    /// The learning rule.
    pub learning: Learning,
    /// w, the scale of the couplings (the target's weight unit).
    pub weight: f64,
    /// p, the probability that a pair is connected (1 for a fully connected network).
    pub probability: f64,
}

impl PatternRule {
    /// J_ij computed directly from its definition, one pattern at a time: a reference for
    /// tests and for checking a few couplings. Ignores dilution (the scale uses N p all the
    /// same).
    pub fn coupling(&self, target: usize, source: usize) -> f64 {
        let patterns = &self.patterns;
        let n = patterns.size() as f64 * self.probability;
        match self.learning {
            Learning::Hopfield => {
                let sum: f64 = (0..patterns.count())
                    .map(|mu| {
                        let spin = |i| if patterns.is_active(mu, i) { 1.0 } else { -1.0 };
                        spin(target) * spin(source)
                    })
                    .sum();
                self.weight / n * sum
            }
            Learning::Covariance => {
                let f = patterns.mean_coding_level();
                let sum: f64 = (0..patterns.count())
                    .map(|mu| {
                        let xi = |i| f64::from(u8::from(patterns.is_active(mu, i)));
                        (xi(target) - f) * (xi(source) - f)
                    })
                    .sum();
                self.weight / (n * f * (1.0 - f)) * sum
            }
        }
    }

    /// The synapses: rows by source, every target whose coupling is not zero (and whose pair
    /// survives the dilution), with per-synapse weights J_ij.
    pub(super) fn connectivity(
        &self,
        autapses: bool,
        seed: u64,
        projection: u64,
    ) -> Result<Connectivity, super::ConnectError> {
        let patterns = &self.patterns;
        let size = patterns.size();
        let count = patterns.count() as f64;
        if !(self.probability > 0.0 && self.probability <= 1.0) {
            return Err(super::ConnectError::Impossible(format!(
                "the probability of a pattern projection lies in (0, 1], not {}",
                self.probability
            )));
        }
        let f = patterns.mean_coding_level();
        if self.learning == Learning::Covariance && !(f > 0.0 && f < 1.0) {
            return Err(super::ConnectError::Impossible(format!(
                "the covariance rule needs a mean coding level strictly between 0 and 1, not {f}"
            )));
        }
        let normalisation = size as f64 * self.probability;
        let (bits, width) = patterns.by_neuron();
        let row = |i: usize| &bits[i * width..(i + 1) * width];
        let ones: Vec<u32> = (0..size)
            .map(|i| row(i).iter().map(|w| w.count_ones()).sum())
            .collect();
        // The coupling of a pair from the bits of its two neurons; each rule gets its own
        // monomorphised loop.
        match self.learning {
            Learning::Hopfield => {
                let scale = self.weight / normalisation;
                Ok(self.rows(autapses, seed, projection, |i, j| {
                    let differ: u32 = row(i)
                        .iter()
                        .zip(row(j))
                        .map(|(a, b)| (a ^ b).count_ones())
                        .sum();
                    scale * (count - 2.0 * f64::from(differ))
                }))
            }
            Learning::Covariance => {
                let scale = self.weight / (normalisation * f * (1.0 - f));
                let baseline = count * f * f;
                Ok(self.rows(autapses, seed, projection, |i, j| {
                    let both: u32 = row(i)
                        .iter()
                        .zip(row(j))
                        .map(|(a, b)| (a & b).count_ones())
                        .sum();
                    scale * (f64::from(both) - f * f64::from(ones[i] + ones[j]) + baseline)
                }))
            }
        }
    }

    /// The rows of the connectivity with couplings `coupling(target, source)`.
    fn rows(
        &self,
        autapses: bool,
        seed: u64,
        projection: u64,
        coupling: impl Fn(usize, usize) -> f64,
    ) -> Connectivity {
        let size = self.patterns.size();
        let expected = (size as f64 * size as f64 * self.probability) as usize;
        let mut offsets = Vec::with_capacity(size + 1);
        offsets.push(0u64);
        let mut weights = Vec::with_capacity(expected);
        let mut narrow = Vec::new();
        let mut wide = Vec::new();
        let is_narrow = size <= 1 << 16;
        if is_narrow {
            narrow.reserve(expected);
        } else {
            wide.reserve(expected);
        }
        for source in 0..size {
            let mut rng = (self.probability < 1.0)
                .then(|| stream(seed, Purpose::Connection, projection, source as u64));
            for target in 0..size {
                if let Some(rng) = &mut rng {
                    // One draw per candidate, even for the autapse, so that a pair's fate
                    // does not depend on the others.
                    let u: f64 = rng.random();
                    if u >= self.probability {
                        continue;
                    }
                }
                if target == source && !autapses {
                    continue;
                }
                let weight = coupling(target, source);
                if weight == 0.0 {
                    continue;
                }
                weights.push(weight);
                if is_narrow {
                    narrow.push(target as u16);
                } else {
                    wide.push(target as u32);
                }
            }
            offsets.push(weights.len() as u64);
        }
        Connectivity {
            offsets,
            targets: if is_narrow {
                Targets::Narrow(narrow)
            } else {
                Targets::Wide(wide)
            },
            weights: Some(weights),
            delays: None,
        }
    }
}

/// A cue of a stored pattern: the pattern, partly kept and with some bits flipped (see the
/// module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cue {
    /// μ, numbered from 0.
    pub pattern: usize,
    /// The fraction of all N neurons whose bit is flipped.
    pub flip: f64,
    /// The fraction of the pattern's active neurons that keep their bit (1 for all).
    pub keep: f64,
}

impl Cue {
    /// The whole pattern μ, nothing flipped.
    pub fn exact(pattern: usize) -> Cue {
        Cue {
            pattern,
            flip: 0.0,
            keep: 1.0,
        }
    }

    /// Checks the cue against `patterns`: a pattern that exists, fractions in [0, 1].
    pub fn check(&self, patterns: &Patterns) -> Result<(), PatternError> {
        if self.pattern >= patterns.count() {
            return Err(PatternError::Invalid(format!(
                "pattern {} does not exist: the population stores {} patterns, numbered from 0",
                self.pattern,
                patterns.count()
            )));
        }
        for (name, value) in [("flip", self.flip), ("keep", self.keep)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(PatternError::Invalid(format!(
                    "{name} is a fraction between 0 and 1, not {value}"
                )));
            }
        }
        Ok(())
    }

    /// The cued state, one bool per neuron (true: active, or spin +1), drawn from the
    /// streams of cue `id` (see the module documentation). Checks the cue first.
    pub fn state(
        &self,
        patterns: &Patterns,
        seed: u64,
        id: u64,
    ) -> Result<Vec<bool>, PatternError> {
        self.check(patterns)?;
        let size = patterns.size();
        let mut state = patterns.pattern(self.pattern);
        let mut active: Vec<usize> = patterns.active_neurons(self.pattern).collect();
        let kept = (self.keep * active.len() as f64).round() as usize;
        if kept < active.len() {
            let mut rng = stream(seed, Purpose::Cue, id, 0);
            // The first `kept` entries after a partial shuffle are a uniform subset; the
            // rest lose their cue.
            for k in 0..kept {
                let chosen = rng.random_range(k..active.len());
                active.swap(k, chosen);
            }
            for &neuron in &active[kept..] {
                state[neuron] = false;
            }
        }
        let flips = (self.flip * size as f64).round() as usize;
        if flips > 0 {
            let mut rng = stream(seed, Purpose::Cue, id, 1);
            let mut neurons: Vec<u32> = (0..size as u32).collect();
            for k in 0..flips {
                let chosen = rng.random_range(k..size);
                neurons.swap(k, chosen);
                let neuron = neurons[k] as usize;
                state[neuron] = !state[neuron];
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests;

//! Overlaps of network activity with stored patterns.
//!
//! **Binary states** s_i ∈ {0, 1} ([`binary_overlaps`]): the standard overlap
//!
//!   m_μ = Σ_i (ξ_i^μ − f_μ) s_i / (N f_μ (1 − f_μ)),
//!
//! which is 1 in the pattern's state, 0 on average for a state unrelated to it, and for
//! patterns of exactly N/2 active neurons equals the Hopfield overlap (1/N) Σ_i ξ̃_i^μ σ_i of
//! the spin state σ = 2s − 1 (Amit, Gutfreund & Sompolinsky 1985). It is the quantity of the
//! mean-field theory of attractor networks, which the capacity tests compare with.
//!
//! **Graded activity** a_i (spike counts in a time bin, rates) ([`correlation_overlaps`],
//! [`binned_overlaps`]): the Pearson correlation between the pattern and the activity,
//!
//!   r_μ = Σ_i (ξ_i^μ − f_μ)(a_i − ā) / √(N f_μ(1 − f_μ) · Σ_i (a_i − ā)²).
//!
//! Its numerator is that of m_μ; the normalisation by the spread of the activity makes it
//! independent of the units, of the firing rate of the active neurons and of any common
//! background rate, which m_μ is not for graded values (m_μ of spike counts grows with the
//! rate). r_μ = 1 exactly when the activity is a scaled and shifted copy of the pattern
//! (active neurons all at one rate, the others all at another, lower one). A bin whose
//! activity is uniform (e.g. no spike at all) has no correlation; it is given r_μ = 0.
//!
//! Cost: binary overlaps take P·N/64 word operations (popcount of pattern AND state);
//! binned overlaps of spike trains take O(spikes × P/64 + bins × P), since only neurons that
//! spiked in a bin contribute to Σ ξ a and Σ a².

use crate::connect::Patterns;

/// m_μ of a binary state (true: active) for every pattern (see the module documentation).
///
/// # Panics
///
/// If `state` does not have one value per neuron of the patterns.
pub fn binary_overlaps(patterns: &Patterns, state: &[bool]) -> Vec<f64> {
    assert_eq!(state.len(), patterns.size(), "one state per neuron");
    let mut packed = vec![0u64; patterns.size().div_ceil(64)];
    for (neuron, _) in state.iter().enumerate().filter(|(_, active)| **active) {
        packed[neuron / 64] |= 1 << (neuron % 64);
    }
    let active_total = packed.iter().map(|w| w.count_ones()).sum::<u32>() as f64;
    let n = patterns.size() as f64;
    (0..patterns.count())
        .map(|pattern| {
            let both: u32 = patterns
                .words(pattern)
                .iter()
                .zip(&packed)
                .map(|(a, b)| (a & b).count_ones())
                .sum();
            let f = patterns.coding_level(pattern);
            (f64::from(both) - f * active_total) / (n * f * (1.0 - f))
        })
        .collect()
}

/// r_μ, the Pearson correlation of graded `activity` (one value per neuron) with every
/// pattern (see the module documentation).
///
/// # Panics
///
/// If `activity` does not have one value per neuron of the patterns.
pub fn correlation_overlaps(patterns: &Patterns, activity: &[f64]) -> Vec<f64> {
    assert_eq!(activity.len(), patterns.size(), "one value per neuron");
    let sum: f64 = activity.iter().sum();
    let squares: f64 = activity.iter().map(|a| a * a).sum();
    (0..patterns.count())
        .map(|pattern| {
            let in_pattern: f64 = patterns.active_neurons(pattern).map(|i| activity[i]).sum();
            pearson(patterns, pattern, in_pattern, sum, squares)
        })
        .collect()
}

/// r_μ from the sums Σ_{i active in μ} a_i, Σ a_i and Σ a_i².
fn pearson(patterns: &Patterns, pattern: usize, in_pattern: f64, sum: f64, squares: f64) -> f64 {
    let n = patterns.size() as f64;
    let f = patterns.coding_level(pattern);
    let spread = squares - sum * sum / n;
    // Counts are whole numbers, so a uniform bin gives a spread of exactly 0, or a rounding
    // residue far below one count squared.
    if spread <= 1e-12 * squares.max(1.0) {
        return 0.0;
    }
    ((in_pattern - f * sum) / (n * f * (1.0 - f) * spread).sqrt()).clamp(-1.0, 1.0)
}

/// Overlaps over time: one row of P values per bin.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlapSeries {
    /// Start of every bin (ms).
    pub bin_start_ms: Vec<f64>,
    /// The bin width (ms).
    pub bin_ms: f64,
    /// The number of patterns, P.
    pub patterns: usize,
    /// r_μ of bin b is `values[b·P + μ]`.
    pub values: Vec<f64>,
}

impl OverlapSeries {
    /// The overlaps of bin `bin`, one per pattern.
    pub fn bin(&self, bin: usize) -> &[f64] {
        &self.values[bin * self.patterns..(bin + 1) * self.patterns]
    }

    /// The overlaps with pattern `pattern` over time.
    pub fn of_pattern(&self, pattern: usize) -> Vec<f64> {
        self.values
            .chunks(self.patterns.max(1))
            .map(|row| row[pattern])
            .collect()
    }
}

/// r_μ(t) of spike counts in consecutive bins of `bin_ms` covering [0, duration_ms) (the last
/// bin may be shorter), from spikes given as (neuron, time in ms) of the population whose
/// patterns these are. Spikes outside [0, duration_ms) or of neurons beyond the population
/// are ignored.
pub fn binned_overlaps(
    patterns: &Patterns,
    spikes: impl IntoIterator<Item = (u32, f64)>,
    bin_ms: f64,
    duration_ms: f64,
) -> OverlapSeries {
    let bins = if bin_ms > 0.0 && duration_ms > 0.0 {
        (duration_ms / bin_ms).ceil() as usize
    } else {
        0
    };
    let count = patterns.count();
    let size = patterns.size();
    // Spike counts per (bin, neuron), kept sparse: the spikes' keys, sorted.
    let mut keys: Vec<u64> = spikes
        .into_iter()
        .filter(|&(neuron, time)| (neuron as usize) < size && time >= 0.0 && time < duration_ms)
        .map(|(neuron, time)| {
            let bin = ((time / bin_ms) as usize).min(bins.saturating_sub(1));
            ((bin as u64) << 32) | u64::from(neuron)
        })
        .collect();
    keys.sort_unstable();
    let (by_neuron, width) = patterns.by_neuron();
    let mut values = vec![0.0; bins * count];
    let mut in_pattern = vec![0.0; count];
    let mut start = 0;
    for bin in 0..bins {
        let mut end = start;
        while end < keys.len() && (keys[end] >> 32) as usize == bin {
            end += 1;
        }
        in_pattern.iter_mut().for_each(|v| *v = 0.0);
        let (mut sum, mut squares) = (0.0, 0.0);
        let mut k = start;
        while k < end {
            let neuron = keys[k] as u32 as usize;
            let mut spikes = 0.0;
            while k < end && keys[k] as u32 as usize == neuron {
                spikes += 1.0;
                k += 1;
            }
            sum += spikes;
            squares += spikes * spikes;
            for (w, &word) in by_neuron[neuron * width..(neuron + 1) * width]
                .iter()
                .enumerate()
            {
                let mut word = word;
                while word != 0 {
                    in_pattern[w * 64 + word.trailing_zeros() as usize] += spikes;
                    word &= word - 1;
                }
            }
        }
        for (pattern, &value) in in_pattern.iter().enumerate() {
            values[bin * count + pattern] = pearson(patterns, pattern, value, sum, squares);
        }
        start = end;
    }
    OverlapSeries {
        bin_start_ms: (0..bins).map(|b| b as f64 * bin_ms).collect(),
        bin_ms,
        patterns: count,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Patterns {
        Patterns::random(7, 300, 0.3, 5, 0).unwrap()
    }

    #[test]
    fn binary_overlap_is_one_for_the_pattern_and_matches_the_spin_overlap() {
        let patterns = Patterns::random(5, 200, 0.5, 1, 0).unwrap();
        for mu in 0..5 {
            let state = patterns.pattern(mu);
            let m = binary_overlaps(&patterns, &state);
            assert!((m[mu] - 1.0).abs() < 1e-12);
            // The spin overlap (1/N) Σ ξ̃ σ, computed directly, for every pattern.
            for (nu, &value) in m.iter().enumerate() {
                let spin: f64 = (0..200)
                    .map(|i| {
                        let xi = if patterns.is_active(nu, i) { 1.0 } else { -1.0 };
                        let sigma = if state[i] { 1.0 } else { -1.0 };
                        xi * sigma
                    })
                    .sum::<f64>()
                    / 200.0;
                assert!((value - spin).abs() < 1e-12, "{value} vs {spin}");
            }
        }
    }

    #[test]
    fn binary_overlap_matches_its_definition_for_sparse_patterns() {
        let patterns = sample();
        let state: Vec<bool> = (0..300).map(|i| i % 3 == 0 || i % 7 == 1).collect();
        let m = binary_overlaps(&patterns, &state);
        for (mu, &value) in m.iter().enumerate() {
            let f = patterns.coding_level(mu);
            let direct: f64 = (0..300)
                .map(|i| {
                    let xi = f64::from(u8::from(patterns.is_active(mu, i)));
                    (xi - f) * f64::from(u8::from(state[i]))
                })
                .sum::<f64>()
                / (300.0 * f * (1.0 - f));
            assert!((value - direct).abs() < 1e-12);
        }
    }

    /// The Pearson correlation by its textbook formula, for comparison.
    fn pearson_direct(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        cov / (vx * vy).sqrt()
    }

    #[test]
    fn correlation_overlap_is_pearson_and_invariant_to_rate_and_baseline() {
        let patterns = sample();
        let activity: Vec<f64> = (0..300).map(|i| ((i * 37) % 11) as f64).collect();
        let r = correlation_overlaps(&patterns, &activity);
        for (mu, &value) in r.iter().enumerate() {
            let xi: Vec<f64> = (0..300)
                .map(|i| f64::from(u8::from(patterns.is_active(mu, i))))
                .collect();
            assert!((value - pearson_direct(&xi, &activity)).abs() < 1e-12);
        }
        // Active neurons at 40 Hz on a 5 Hz background: correlation 1 with the pattern.
        let rates: Vec<f64> = (0..300)
            .map(|i| if patterns.is_active(2, i) { 40.0 } else { 5.0 })
            .collect();
        assert!((correlation_overlaps(&patterns, &rates)[2] - 1.0).abs() < 1e-12);
        assert_eq!(correlation_overlaps(&patterns, &[3.0; 300]), vec![0.0; 7]);
    }

    #[test]
    fn binned_overlaps_agree_with_dense_counts() {
        let patterns = sample();
        // Spikes: neuron i fires at times depending on i, some bins empty.
        let mut spikes = Vec::new();
        for i in 0..300u32 {
            let k = if patterns.is_active(4, i as usize) {
                5
            } else {
                1
            };
            for s in 0..k {
                spikes.push((i, 20.0 + (i as f64 * 0.37 + s as f64 * 7.1) % 25.0));
            }
        }
        spikes.push((1000, 3.0)); // beyond the population: ignored
        let series = binned_overlaps(&patterns, spikes.iter().copied(), 10.0, 55.0);
        assert_eq!(series.bin_start_ms, vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        for bin in 0..6 {
            let mut counts = vec![0.0; 300];
            for &(i, t) in &spikes {
                if (i as usize) < 300 && (t / 10.0) as usize == bin {
                    counts[i as usize] += 1.0;
                }
            }
            let expected = correlation_overlaps(&patterns, &counts);
            for (value, expected) in series.bin(bin).iter().zip(&expected) {
                assert!((value - expected).abs() < 1e-12);
            }
        }
        assert_eq!(series.bin(0), &[0.0; 7]);
        assert!(series.of_pattern(4)[2] > 0.5);
    }
}

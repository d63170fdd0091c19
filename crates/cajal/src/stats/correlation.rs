//! Pairwise spike-count correlations: the Pearson correlation coefficient of the binned
//! counts of two neurons, for all pairs or a reproducible sample of them.

use std::collections::HashSet;

use rand::RngExt;

use super::bins::{Bins, CountMoments, check_width};
use super::trains::{SpikeTrains, StatsError};
use crate::rng::{self, Purpose};

/// Keeps the pair-sampling stream apart from any connection rule drawn with the same seed
/// (connection rules use their projection's index as the group). "cc-pairs" in ASCII.
const PAIR_SAMPLE_GROUP: u64 = u64::from_be_bytes(*b"cc-pairs");

/// The correlation coefficient of one pair of neurons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairCorrelation {
    /// The lower-numbered neuron.
    pub first: usize,
    /// The higher-numbered neuron.
    pub second: usize,
    /// Pearson's r of their spike counts.
    pub coefficient: f64,
}

/// Spike-count correlation coefficients over pairs of neurons.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeCountCorrelations {
    /// Bin width (ms).
    pub bin_ms: f64,
    /// Whole bins in the observation window.
    pub bins: usize,
    /// Pairs looked at: all N(N−1)/2 or the sample.
    pub pairs_examined: usize,
    /// Pairs with no coefficient: a neuron whose count is the same in every bin (silent
    /// ones included) has no variance to correlate.
    pub pairs_without_coefficient: usize,
    /// The coefficients of the other pairs, ordered by (first, second).
    pub coefficients: Vec<PairCorrelation>,
}

impl SpikeCountCorrelations {
    /// Mean of the coefficients; `None` without any.
    pub fn mean(&self) -> Option<f64> {
        let n = self.coefficients.len();
        (n > 0).then(|| self.coefficients.iter().map(|p| p.coefficient).sum::<f64>() / n as f64)
    }

    /// Standard deviation of the coefficients (ddof = 0); `None` without any.
    pub fn std(&self) -> Option<f64> {
        let mean = self.mean()?;
        let n = self.coefficients.len() as f64;
        let variance = self
            .coefficients
            .iter()
            .map(|p| (p.coefficient - mean).powi(2))
            .sum::<f64>()
            / n;
        Some(variance.sqrt())
    }
}

/// Pearson correlation coefficients of the spike counts of pairs of neurons in bins of
/// `bin_ms` tiling the observation window (last partial bin dropped), as Elephant's
/// `correlation_coefficient` of a `BinnedSpikeTrain`:
///
///   r = Σ(xₖ − x̄)(yₖ − ȳ) / √(Σ(xₖ − x̄)² Σ(yₖ − ȳ)²).
///
/// With at most `max_pairs` pairs among the N(N−1)/2 every pair is taken; otherwise
/// `max_pairs` distinct pairs drawn uniformly by Floyd's algorithm from a stream of
/// [`crate::rng`] seeded with `seed` (the same seed gives the same pairs).
///
/// The sums are exact integers, and the cost is a few walks over the trains of the chosen
/// pairs' neurons (and one array of the bins).
///
/// # Errors
///
/// When `bin_ms` is not positive and finite.
pub fn spike_count_correlations(
    trains: &SpikeTrains,
    bin_ms: f64,
    max_pairs: usize,
    seed: u64,
) -> Result<SpikeCountCorrelations, StatsError> {
    check_width("bin_ms", bin_ms)?;
    let bins = Bins::tiling(trains.window(), bin_ms);
    let pairs = choose_pairs(trains.neuron_count(), max_pairs, seed);
    // The first neuron's counts are spread over an array of all bins; Σxy is then one
    // lookup per spike of the second neuron (a spike of y in bin b adds x_b, y_b of them
    // add x_b·y_b). Pairs come sorted by their first neuron, so each is spread once, and
    // nothing is allocated per neuron.
    let mut first_counts = vec![0u64; bins.count()];
    let mut spread: Option<(usize, CountMoments)> = None;
    let mut coefficients = Vec::with_capacity(pairs.len());
    for &(first, second) in &pairs {
        let x = match spread {
            Some((neuron, moments)) if neuron == first => moments,
            _ => {
                if let Some((previous, _)) = spread {
                    bins.count_moments(trains.train(previous), |bin| first_counts[bin] = 0);
                }
                let moments = bins.count_moments(trains.train(first), |bin| first_counts[bin] += 1);
                spread = Some((first, moments));
                moments
            }
        };
        let mut product_sum = 0u64;
        let y = bins.count_moments(trains.train(second), |bin| product_sum += first_counts[bin]);
        if let Some(coefficient) = pearson(x, y, product_sum, bins.count()) {
            coefficients.push(PairCorrelation {
                first,
                second,
                coefficient,
            });
        }
    }
    Ok(SpikeCountCorrelations {
        bin_ms,
        bins: bins.count(),
        pairs_examined: pairs.len(),
        pairs_without_coefficient: pairs.len() - coefficients.len(),
        coefficients,
    })
}

/// Pearson's r of the counts of the sorted trains `first_ms` and `second_ms` in `bins`;
/// `None` when either count is the same in every bin or there are fewer than two bins.
pub fn spike_count_correlation(first_ms: &[f64], second_ms: &[f64], bins: &Bins) -> Option<f64> {
    let mut first_counts = vec![0u64; bins.count()];
    let x = bins.count_moments(first_ms, |bin| first_counts[bin] += 1);
    let mut product_sum = 0u64;
    let y = bins.count_moments(second_ms, |bin| product_sum += first_counts[bin]);
    pearson(x, y, product_sum, bins.count())
}

/// r = (nΣxy − ΣxΣy)/√((nΣx² − (Σx)²)(nΣy² − (Σy)²)), numerator and both factors of the
/// denominator exact in integers.
fn pearson(x: CountMoments, y: CountMoments, product_sum: u64, bins: usize) -> Option<f64> {
    let (x_variance, y_variance) = (x.scaled_variance(bins), y.scaled_variance(bins));
    if bins < 2 || x_variance == 0 || y_variance == 0 {
        return None;
    }
    let covariance = bins as i128 * i128::from(product_sum) - i128::from(x.sum) * i128::from(y.sum);
    Some(covariance as f64 / ((x_variance as f64) * (y_variance as f64)).sqrt())
}

/// All pairs (i < j) of `neurons` in order if there are at most `max_pairs`, else
/// `max_pairs` distinct pairs drawn uniformly, sorted.
fn choose_pairs(neurons: usize, max_pairs: usize, seed: u64) -> Vec<(usize, usize)> {
    let n = neurons as u64;
    let total = n * n.saturating_sub(1) / 2;
    if total <= max_pairs as u64 {
        return (0..neurons)
            .flat_map(|i| (i + 1..neurons).map(move |j| (i, j)))
            .collect();
    }
    // Floyd's algorithm: exactly `max_pairs` draws, each pair index equally likely to be in
    // the sample, however close the sample size is to the number of pairs.
    let mut rng = rng::stream(seed, Purpose::Analysis, PAIR_SAMPLE_GROUP, 0);
    let mut chosen = HashSet::with_capacity(max_pairs);
    for upper in total - max_pairs as u64..total {
        let index = rng.random_range(0..=upper);
        if !chosen.insert(index) {
            chosen.insert(upper);
        }
    }
    let mut indices: Vec<u64> = chosen.into_iter().collect();
    indices.sort_unstable();
    indices.into_iter().map(|p| pair_at(p, n)).collect()
}

/// Pair number `index` in the order (0,1), (0,2), …, (0,n−1), (1,2), …
fn pair_at(index: u64, n: u64) -> (usize, usize) {
    // Pairs before row i: C(i) = i(2n − i − 1)/2. Solve C(i) ≤ index for the largest i by
    // the quadratic formula, then correct the rounding of the square root.
    let before = |i: u64| i * (2 * n - i - 1) / 2;
    let b = (2 * n - 1) as f64;
    let estimate = ((b - (b * b - 8.0 * index as f64).max(0.0).sqrt()) / 2.0).floor();
    let mut row = (estimate.max(0.0) as u64).min(n - 2);
    while row > 0 && before(row) > index {
        row -= 1;
    }
    while row + 2 < n && before(row + 1) <= index {
        row += 1;
    }
    let column = index - before(row) + row + 1;
    (row as usize, column as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Window;
    use crate::stats::reference::poisson_train;

    #[test]
    fn correlation_of_tiny_trains_by_hand() {
        // 4 bins of 10 ms. Counts x = 1, 0, 2, 1 and y = 1, 0, 1, 2: x̄ = ȳ = 1,
        // Σ(x − x̄)(y − ȳ) = 0 + 1 + 0 + 0 = 1, Σ(x − x̄)² = Σ(y − ȳ)² = 2 → r = 1/2.
        let window = Window::new(0.0, 40.0).unwrap();
        let trains = SpikeTrains::from_trains(
            &[
                vec![1.0, 21.0, 22.0, 35.0],
                vec![2.0, 25.0, 31.0, 38.0],
                vec![5.0, 15.0, 25.0, 35.0],
                vec![],
            ],
            window,
        )
        .unwrap();
        let correlations = spike_count_correlations(&trains, 10.0, 1000, 0).unwrap();
        assert_eq!(correlations.bins, 4);
        assert_eq!(correlations.pairs_examined, 6);
        // Neuron 2 fires once in every bin and neuron 3 never: 5 pairs have no coefficient.
        assert_eq!(correlations.pairs_without_coefficient, 5);
        assert_eq!(
            correlations.coefficients,
            [PairCorrelation {
                first: 0,
                second: 1,
                coefficient: 0.5
            }]
        );
        assert_eq!(
            (correlations.mean(), correlations.std()),
            (Some(0.5), Some(0.0))
        );
        let bins = Bins::tiling(window, 10.0);
        assert_eq!(
            spike_count_correlation(trains.train(1), trains.train(0), &bins),
            Some(0.5)
        );
        assert!(spike_count_correlations(&trains, -1.0, 10, 0).is_err());
    }

    #[test]
    fn pairs_are_numbered_row_by_row() {
        let n = 7;
        let all: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect();
        for (index, &pair) in all.iter().enumerate() {
            assert_eq!(pair_at(index as u64, n as u64), pair);
        }
        // Far into a large population the square root is what finds the row.
        let n = 100_000u64;
        let last = n * (n - 1) / 2 - 1;
        assert_eq!(pair_at(last, n), (99_998, 99_999));
        assert_eq!(pair_at(n - 1, n), (1, 2));
    }

    #[test]
    fn a_sample_of_pairs_is_distinct_and_reproducible() {
        let sample = choose_pairs(100, 300, 9);
        assert_eq!(sample.len(), 300);
        assert!(
            sample.windows(2).all(|w| w[0] < w[1]),
            "sorted and distinct"
        );
        assert!(sample.iter().all(|&(i, j)| i < j && j < 100));
        assert_eq!(sample, choose_pairs(100, 300, 9));
        assert_ne!(sample, choose_pairs(100, 300, 10));
        // A sample as large as the population of pairs is all of them.
        assert_eq!(choose_pairs(100, 4949, 9).len(), 4949);
        assert_eq!(choose_pairs(100, 4950, 9).len(), 4950);
        assert!(choose_pairs(1, 10, 9).is_empty());
    }

    /// Poisson trains of `rate_hz` over `window`, numbered `ids` in a stream family.
    fn poisson(rate_hz: f64, window: Window, id: u64) -> Vec<f64> {
        let mut rng = rng::stream(17, Purpose::SpikeSource, 0, id);
        poisson_train(rate_hz, window, &mut rng).unwrap()
    }

    fn merged(a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut train = [a, b].concat();
        train.sort_unstable_by(f64::total_cmp);
        train
    }

    #[test]
    fn a_shared_poisson_component_gives_its_fraction_as_correlation() {
        // x = s + a, y = s + b with s, a, b independent Poisson counts of means cλ, (1−c)λ,
        // (1−c)λ: cov(x, y) = var(s) = cλ, var(x) = var(y) = λ, so ρ = c.
        let (rate_hz, c, bin_ms) = (50.0, 0.3, 20.0);
        let window = Window::new(0.0, 400_000.0).unwrap();
        let shared = poisson(c * rate_hz, window, 0);
        let first = merged(&shared, &poisson((1.0 - c) * rate_hz, window, 1));
        let second = merged(&shared, &poisson((1.0 - c) * rate_hz, window, 2));
        let independent = poisson(rate_hz, window, 3);
        let trains = SpikeTrains::from_trains(&[first, second, independent], window).unwrap();
        let correlations = spike_count_correlations(&trains, bin_ms, 10, 0).unwrap();
        let n = correlations.bins as f64;
        // Delta-method variance of the sample correlation (e.g. Kendall & Stuart, vol. 1,
        // §10.9) from the central moments μᵢⱼ of (x, y), here from the cumulants of the
        // Poisson counts (every cumulant of a Poisson variable equals its mean; a joint
        // cumulant of x and y is one of s):
        //   n·Var(r) = ρ²/4 (μ₄₀/μ₂₀² + μ₀₄/μ₀₂² + 2μ₂₂/(μ₂₀μ₀₂))
        //              − ρ (μ₃₁/(μ₂₀^{3/2} μ₀₂^{1/2}) + μ₁₃/(μ₂₀^{1/2} μ₀₂^{3/2}))
        //              + μ₂₂/(μ₂₀μ₀₂).
        let lambda = rate_hz * bin_ms / 1000.0;
        let mu20 = lambda;
        let mu40 = lambda + 3.0 * lambda * lambda;
        let mu22 = c * lambda + lambda * lambda + 2.0 * (c * lambda).powi(2);
        let mu31 = c * lambda + 3.0 * c * lambda * lambda;
        let rho = c;
        let scaled_variance = rho * rho / 4.0
            * (2.0 * mu40 / (mu20 * mu20) + 2.0 * mu22 / (mu20 * mu20))
            - rho * 2.0 * mu31 / (mu20 * mu20)
            + mu22 / (mu20 * mu20);
        let standard_error = (scaled_variance / n).sqrt();
        let r = |first, second| {
            correlations
                .coefficients
                .iter()
                .find(|p| (p.first, p.second) == (first, second))
                .unwrap()
                .coefficient
        };
        assert!(
            (r(0, 1) - c).abs() < 4.0 * standard_error,
            "{} ± {standard_error}",
            r(0, 1)
        );
        // Independent counts: n·Var(r) = 1 whatever their distribution.
        for (first, second) in [(0, 2), (1, 2)] {
            assert!(
                r(first, second).abs() < 4.0 / n.sqrt(),
                "{}",
                r(first, second)
            );
        }
    }
}

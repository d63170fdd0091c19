//! Exact Poisson deviates by inversion with a 16-bit lookup table.
//!
//! The count k is the smallest k with F(k) > u, F the Poisson CDF and u uniform on [0, 1)
//! (53 bits) — exact inversion. The top 16 bits of u select one of 65,536 buckets; in a
//! bucket that lies inside one step of F the answer is stored and no search is needed, which
//! for the small means of per-step input counts is almost every bucket. Only the few buckets
//! that straddle a jump of F search the CDF from the bucket's smallest possible k. One
//! 64-bit random word per draw; identical results on every machine.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};

use crate::rng::Stream;

const BUCKET_BITS: u32 = 16;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// An entry with this bit set straddles a jump: search from the count in the low bits.
const SEARCH: u16 = 1 << 15;

/// Largest mean the table handles (e^(−mean) must stay a normal number).
pub const MAX_TABLE_MEAN: f64 = 600.0;

/// A Poisson distribution of one mean, ready to sample.
#[derive(Clone, Debug)]
pub struct PoissonTable {
    /// F(k) for k = 0, 1, ..., up to where it reaches 1 in double precision.
    cdf: Vec<f64>,
    /// Per bucket: the count, or the first count to search from with [`SEARCH`] set. Two
    /// bytes per bucket keep the table (128 KiB) in the L2 cache beside the network's state.
    buckets: Vec<u16>,
}

impl PoissonTable {
    /// The table for `mean` (0 ≤ mean ≤ [`MAX_TABLE_MEAN`]).
    pub fn new(mean: f64) -> Self {
        assert!(
            (0.0..=MAX_TABLE_MEAN).contains(&mean),
            "mean {mean} outside the table's range"
        );
        let mut cdf = Vec::new();
        fill_cdf(mean, &mut cdf);
        // Counts stay below 2^15: the CDF reaches 1 within mean + 40√mean + 40 < 2,000.
        debug_assert!(cdf.len() < SEARCH as usize);
        let mut buckets = vec![0u16; BUCKETS];
        let mut k = 0usize;
        for (bucket, entry) in buckets.iter_mut().enumerate() {
            let low = bucket as f64 / BUCKETS as f64;
            let high = (bucket + 1) as f64 / BUCKETS as f64;
            while cdf[k] <= low {
                k += 1;
            }
            // All u in [low, high) give k if F(k) ≥ high (F(k−1) ≤ low holds by the loop).
            *entry = if cdf[k] >= high {
                k as u16
            } else {
                k as u16 | SEARCH
            };
        }
        PoissonTable { cdf, buckets }
    }

    /// One draw.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        self.sample_word(rng.next_u64())
    }

    /// The count for the uniform random word `bits`.
    #[inline(always)]
    pub fn sample_word(&self, bits: u64) -> u32 {
        let entry = self.buckets[(bits >> (64 - BUCKET_BITS)) as usize];
        if entry & SEARCH == 0 {
            return entry as u32;
        }
        let u = unit_interval(bits);
        let mut k = (entry & !SEARCH) as usize;
        while self.cdf[k] <= u {
            k += 1;
        }
        k as u32
    }
}

/// Replaces `cdf` with F(k) of the Poisson distribution of `mean` (0 ≤ mean ≤
/// [`MAX_TABLE_MEAN`]) for k = 0, 1, ... up to where it reaches 1 in double precision; the
/// last entry is exactly 1, so every u < 1 finds a count.
fn fill_cdf(mean: f64, cdf: &mut Vec<f64>) {
    cdf.clear();
    let mut probability = (-mean).exp();
    let mut total = 0.0;
    let mut k = 0u32;
    loop {
        total += probability;
        cdf.push(total.min(1.0));
        k += 1;
        probability *= mean / k as f64;
        // Past the mode, stop once the remaining mass is below the resolution of u.
        if (k as f64 > mean && probability < 1e-18) || total >= 1.0 {
            break;
        }
    }
    *cdf.last_mut().expect("at least k = 0") = 1.0;
}

/// The uniform number in [0, 1) of a random word: its top 53 bits.
#[inline(always)]
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Poisson counts whose mean may change from one step to the next (a rate profile): exact
/// inversion of the CDF, rebuilt only when the mean changes and searched by bisection, so
/// one random word gives the same count as [`PoissonTable::sample_word`] would for the same
/// mean. Means beyond [`MAX_TABLE_MEAN`] (where e^(−mean) underflows) use `rand_distr`'s
/// exact sampler on a generator seeded with the word.
#[derive(Clone, Debug, Default)]
pub struct VaryingPoisson {
    /// The mean the distribution below is for (0 before the first [`Self::set_mean`]).
    mean: f64,
    /// F(k) when `mean` ≤ [`MAX_TABLE_MEAN`].
    cdf: Vec<f64>,
    /// The sampler for larger means.
    large: Option<Poisson<f64>>,
}

impl VaryingPoisson {
    /// Prepares draws of mean `mean` (> 0, below `rand_distr`'s limit of about 1.8·10¹⁹;
    /// beyond it every draw gives 0, so callers check the largest mean beforehand).
    pub fn set_mean(&mut self, mean: f64) {
        if mean == self.mean && (!self.cdf.is_empty() || self.large.is_some()) {
            return;
        }
        self.mean = mean;
        if mean <= MAX_TABLE_MEAN {
            self.large = None;
            fill_cdf(mean, &mut self.cdf);
        } else {
            self.cdf.clear();
            self.large = Poisson::new(mean).ok();
        }
    }

    /// The count for the uniform random word `bits`.
    #[inline]
    pub fn sample_word(&self, bits: u64) -> u64 {
        if let Some(large) = &self.large {
            let count: f64 = large.sample(&mut Stream::seed_from_u64(bits));
            return count as u64;
        }
        let u = unit_interval(bits);
        // The smallest k with F(k) > u; the last entry is 1, so k is in range.
        self.cdf.partition_point(|&f| f <= u) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn counts_have_the_poisson_distribution() {
        for mean in [0.05, 2.0, 20.0, 150.0] {
            let table = PoissonTable::new(mean);
            let mut rng = stream(1, Purpose::Input, 0, 0);
            let n = 200_000;
            let mut histogram = vec![0u64; 1000];
            let (mut sum, mut sum2) = (0.0, 0.0);
            for _ in 0..n {
                let k = table.sample(&mut rng) as f64;
                histogram[k as usize] += 1;
                sum += k;
                sum2 += k * k;
            }
            let average = sum / n as f64;
            let variance = sum2 / n as f64 - average * average;
            // Standard errors: √(λ/n) for the mean, λ√(2/n)·√(1 + 1/(2λ)) for the variance.
            assert!(
                (average - mean).abs() < 4.0 * (mean / n as f64).sqrt(),
                "{mean}: {average}"
            );
            let variance_error = (mean * mean * 2.0 / n as f64 + mean / n as f64).sqrt();
            assert!(
                (variance - mean).abs() < 4.0 * variance_error,
                "{mean}: {variance}"
            );
            // P(0) = e^(−λ) for small means, within binomial error.
            if mean < 5.0 {
                let p0 = (-mean).exp();
                let observed = histogram[0] as f64 / n as f64;
                assert!((observed - p0).abs() < 4.0 * (p0 * (1.0 - p0) / n as f64).sqrt());
            }
        }
    }

    #[test]
    fn inversion_is_exact_at_bucket_edges() {
        // Every bucket gives the smallest k with F(k) > u at both of its ends.
        let table = PoissonTable::new(3.0);
        for bucket in [0usize, 1, 3_000, 40_000, 65_535] {
            for offset in [0u64, (1 << 48) - 1] {
                let bits = ((bucket as u64) << 48) | offset;
                let mut fixed = FixedWord(bits);
                let k = table.sample(&mut fixed) as usize;
                let u = (bits >> 11) as f64 / (1u64 << 53) as f64;
                assert!(
                    table.cdf[k] > u && (k == 0 || table.cdf[k - 1] <= u),
                    "bucket {bucket}"
                );
            }
        }
    }

    #[test]
    fn varying_means_invert_the_same_cdf_as_the_table() {
        // Both are exact inversions of one CDF: the same word gives the same count.
        let mut varying = VaryingPoisson::default();
        for mean in [0.003, 0.05, 2.0, 20.0, 150.0, 600.0] {
            let table = PoissonTable::new(mean);
            varying.set_mean(mean);
            let mut rng = stream(2, Purpose::Input, 0, 0);
            for _ in 0..100_000 {
                let word = rng.next_u64();
                assert_eq!(
                    varying.sample_word(word),
                    u64::from(table.sample_word(word)),
                    "mean {mean}"
                );
            }
        }
    }

    #[test]
    fn varying_means_beyond_the_table_are_poisson() {
        // Mean 5,000: the rand_distr sampler. Standard errors √(λ/n) and
        // √((λ + 2λ²)/n) of the sample mean and variance.
        let mean = 5_000.0;
        let mut varying = VaryingPoisson::default();
        varying.set_mean(mean);
        let n = 20_000;
        let counts: Vec<f64> = (0..n)
            .map(|i| varying.sample_word(crate::rng::counter_word(99, i)) as f64)
            .collect();
        let average = counts.iter().sum::<f64>() / n as f64;
        let variance = counts.iter().map(|k| (k - average).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        assert!(
            (average - mean).abs() < 4.0 * (mean / n as f64).sqrt(),
            "{average}"
        );
        let variance_error = ((mean + 2.0 * mean * mean) / n as f64).sqrt();
        assert!((variance - mean).abs() < 4.0 * variance_error, "{variance}");
    }

    struct FixedWord(u64);
    impl rand::TryRng for FixedWord {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.0 as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(self.0)
        }
        fn try_fill_bytes(&mut self, destination: &mut [u8]) -> Result<(), Self::Error> {
            destination.fill(0);
            Ok(())
        }
    }
}

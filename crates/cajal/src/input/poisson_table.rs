//! Exact Poisson deviates by inversion with a 16-bit lookup table.
//!
//! The count k is the smallest k with F(k) > u, F the Poisson CDF and u uniform on [0, 1)
//! (53 bits) — exact inversion. The top 16 bits of u select one of 65,536 buckets; in a
//! bucket that lies inside one step of F the answer is stored and no search is needed, which
//! for the small means of per-step input counts is almost every bucket. Only the few buckets
//! that straddle a jump of F search the CDF from the bucket's smallest possible k. One
//! 64-bit random word per draw; identical results on every machine.

use rand::Rng;

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
        // Every u < 1 must find a count: the last entry closes the distribution.
        *cdf.last_mut().expect("at least k = 0") = 1.0;
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
        let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let mut k = (entry & !SEARCH) as usize;
        while self.cdf[k] <= u {
            k += 1;
        }
        k as u32
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

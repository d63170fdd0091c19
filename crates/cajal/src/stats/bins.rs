//! Whole bins of equal width laid from a start time: the counting windows of Fano factors,
//! the bins of population activity, spike-count correlations and PSTHs.

use super::trains::{StatsError, Window};

/// How far below a bin edge (in bins) a time still counts as on the edge. Spike times on a
/// simulation grid and edges computed as start + k·width round differently; Elephant's
/// `BinnedSpikeTrain` snaps such times up with the same tolerance, and so do we, so that a
/// spike "at" an edge falls in the bin that starts there.
const EDGE_TOLERANCE_BINS: f64 = 1e-8;

/// `count` bins [start + k·width, start + (k+1)·width), k = 0..count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bins {
    start_ms: f64,
    width_ms: f64,
    count: usize,
    /// 1/width: a multiplication per spike instead of a division.
    per_ms: f64,
}

impl Bins {
    /// `count` bins of `width_ms` from `start_ms`; `width_ms` must be positive and finite
    /// (with any other width no time falls in a bin).
    pub fn new(start_ms: f64, width_ms: f64, count: usize) -> Self {
        Bins {
            start_ms,
            width_ms,
            count,
            per_ms: 1.0 / width_ms,
        }
    }

    /// The whole bins of `width_ms` that fit in `window` from its start (a last partial bin
    /// is dropped; a width wider than the window gives no bin).
    pub fn tiling(window: Window, width_ms: f64) -> Self {
        Self::new(
            window.t_start_ms,
            width_ms,
            whole_bins(window.duration_ms(), width_ms),
        )
    }

    /// Start of the first bin (ms).
    pub fn start_ms(&self) -> f64 {
        self.start_ms
    }

    /// Width of every bin (ms).
    pub fn width_ms(&self) -> f64 {
        self.width_ms
    }

    /// Number of bins.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Start of bin `k` (ms); `k = count` gives the end of the last bin.
    pub fn edge_ms(&self, k: usize) -> f64 {
        self.start_ms + k as f64 * self.width_ms
    }

    /// The bin that holds `time_ms`, if any.
    #[inline]
    pub fn index(&self, time_ms: f64) -> Option<usize> {
        let position = (time_ms - self.start_ms) * self.per_ms;
        if position <= -EDGE_TOLERANCE_BINS || position.is_nan() {
            return None;
        }
        // Truncation of a positive number is its floor, and a single instruction where
        // `floor` is a library call (x86-64 before SSE4.1); `as` saturates, so a time far
        // beyond the bins cannot wrap around.
        let bin = (position + EDGE_TOLERANCE_BINS) as usize;
        (bin < self.count).then_some(bin)
    }

    /// Adds the spikes of `train_ms` to `counts` (one per bin), spike by spike: no branch
    /// that depends on whether neighbouring spikes share a bin.
    ///
    /// # Panics
    ///
    /// When `counts` has fewer entries than there are bins.
    #[inline]
    pub fn add_counts(&self, train_ms: &[f64], counts: &mut [u64]) {
        let counts = &mut counts[..self.count];
        for &time in train_ms {
            if let Some(bin) = self.index(time) {
                counts[bin] += 1;
            }
        }
    }

    /// Σc and Σc² of the counts c of the sorted `train_ms` in the bins, in one walk over
    /// its spikes, calling `each_spike(bin)` for every spike in a bin.
    ///
    /// Σc² is accumulated spike by spike: the j-th spike of a bin adds 2j − 1, and
    /// 1 + 3 + … + (2c − 1) = c². Empty bins add nothing, so the cost is that of the
    /// spikes, not of the bins; and no branch depends on whether a spike shares its bin
    /// with the last one (a branch mispredicted half the time when bins hold a spike or
    /// two).
    #[inline]
    pub fn count_moments(
        &self,
        train_ms: &[f64],
        mut each_spike: impl FnMut(usize),
    ) -> CountMoments {
        let mut moments = CountMoments::default();
        let (mut last_bin, mut rank) = (usize::MAX, 0u64);
        for &time in train_ms {
            if let Some(bin) = self.index(time) {
                rank = std::hint::select_unpredictable(bin == last_bin, rank, 0) + 1;
                last_bin = bin;
                moments.sum += 1;
                moments.square_sum += 2 * rank - 1;
                each_spike(bin);
            }
        }
        moments
    }
}

/// Σc and Σc² of spike counts c over bins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountMoments {
    /// Σc: the spikes in the bins.
    pub sum: u64,
    /// Σc².
    pub square_sum: u64,
}

impl CountMoments {
    /// n·Σ(c − c̄)² = nΣc² − (Σc)² over `bins` bins, exact (0 when every count is the
    /// same).
    pub fn scaled_variance(&self, bins: usize) -> i128 {
        bins as i128 * i128::from(self.square_sum) - i128::from(self.sum).pow(2)
    }
}

/// The number of whole bins of `width_ms` in `duration_ms`, forgiving the rounding of a
/// quotient that should be a whole number (0.3 ms / 0.1 ms = 2.9999999999999996).
pub fn whole_bins(duration_ms: f64, width_ms: f64) -> usize {
    let bins = duration_ms / width_ms;
    (bins + EDGE_TOLERANCE_BINS).floor().max(0.0) as usize
}

/// Checks that the width given as `option` is positive and finite.
///
/// # Errors
///
/// Names the option when it is not.
pub fn check_width(option: &str, width_ms: f64) -> Result<(), StatsError> {
    if width_ms.is_finite() && width_ms > 0.0 {
        Ok(())
    } else {
        Err(StatsError::new(format!(
            "{option} = {width_ms} ms: a width must be a positive, finite number of ms"
        )))
    }
}

/// Most bins one statistic may ask for: 10⁸ counts take 800 MB. A bin so fine for its span
/// (a 1 ns bin over 100 s) is a mistake in the options, better refused than allocated.
pub const MAX_BINS: f64 = 1e8;

/// Checks that `span_ms` cut into bins of `width_ms` (`option`) stays within [`MAX_BINS`].
///
/// # Errors
///
/// Names the option and the number of bins it would make.
pub fn check_bin_count(option: &str, span_ms: f64, width_ms: f64) -> Result<(), StatsError> {
    let bins = span_ms / width_ms;
    if bins > MAX_BINS {
        return Err(StatsError::new(format!(
            "{option} = {width_ms} ms over {span_ms} ms makes {bins:.3e} bins; at most {MAX_BINS:e} \
             are allowed: choose a wider bin or a shorter window"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_half_open_and_grid_times_fall_in_the_bin_they_start() {
        let bins = Bins::tiling(Window::new(0.0, 1.05).unwrap(), 0.1);
        assert_eq!(bins.count(), 10);
        assert_eq!(bins.index(0.0), Some(0));
        assert_eq!(bins.index(0.099), Some(0));
        // 0.3 lies a hair below 3 × 0.1 = 0.30000000000000004 and 0.1 + 0.2 on it: both are
        // the edge, where bin 3 starts.
        assert_eq!(bins.index(0.3), Some(3));
        assert_eq!(bins.index(0.1 + 0.2), Some(3));
        assert_eq!(bins.index(0.2999999), Some(2));
        assert_eq!(bins.index(1.0), None);
        assert_eq!(bins.index(-1e-6), None);
        // Within the tolerance below the first edge: on it.
        assert_eq!(bins.index(-1e-12), Some(0));
        assert_eq!(whole_bins(0.3, 0.1), 3);
        assert_eq!(whole_bins(5.0, 10.0), 0);
    }

    #[test]
    fn moments_of_a_train_are_those_of_its_counts() {
        // Bins of 5 ms from 10 ms: counts 3, 0, 1, 1 (9 ms and 30 ms lie outside).
        let bins = Bins::new(10.0, 5.0, 4);
        let mut seen = Vec::new();
        let moments = bins.count_moments(&[9.0, 10.0, 11.0, 14.9, 20.0, 29.0, 30.0], |bin| {
            seen.push(bin)
        });
        assert_eq!(seen, [0, 0, 0, 2, 3]);
        assert_eq!(
            moments,
            CountMoments {
                sum: 5,
                square_sum: 11
            }
        );
        // 4·11 − 25 = 19 = 4·Σ(c − 5/4)².
        assert_eq!(moments.scaled_variance(4), 19);
        assert!(
            check_width("bin_ms", 0.0)
                .unwrap_err()
                .message
                .contains("bin_ms")
        );
        assert!(check_width("bin_ms", f64::NAN).is_err());
    }
}

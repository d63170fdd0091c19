//! Inter-spike intervals of one train: their CV, CV2 and LV in one pass, and their histogram.

use super::bins::{Bins, check_width, whole_bins};
use super::trains::{SpikeTrains, StatsError};

/// Interval statistics of one sorted train, with Elephant's definitions; each needs at least
/// two intervals I₁ … Iₙ and is `None` otherwise.
///
/// - CV = std(I)/mean(I), population std (ddof = 0);
/// - CV2 = 2/(n−1) · Σᵢ |Iᵢ₊₁ − Iᵢ| / (Iᵢ₊₁ + Iᵢ) (Holt et al. 1996, J. Neurophysiol. 75:1806);
/// - LV = 3/(n−1) · Σᵢ ((Iᵢ − Iᵢ₊₁)/(Iᵢ + Iᵢ₊₁))² (Shinomoto et al. 2003, Neural Comput.
///   15:2823).
///
/// All three are 1 for a Poisson process and 0 for a regular train; CV2 and LV compare
/// neighbouring intervals only, so a slow change of rate does not raise them as it raises CV.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IsiStatistics {
    /// The number of intervals n (spikes − 1, or 0).
    pub intervals: usize,
    /// Mean interval (ms); `None` without intervals.
    pub mean_isi_ms: Option<f64>,
    /// Coefficient of variation of the intervals.
    pub cv: Option<f64>,
    /// Local coefficient of variation CV2.
    pub cv2: Option<f64>,
    /// Local variation LV.
    pub lv: Option<f64>,
}

impl IsiStatistics {
    /// The statistics of the sorted spike times `train_ms`, in one pass over them.
    ///
    /// ```
    /// use cajal::stats::IsiStatistics;
    /// // Intervals 10, 30, 10 ms.
    /// let isi = IsiStatistics::of(&[0.0, 10.0, 40.0, 50.0]);
    /// assert_eq!(isi.intervals, 3);
    /// assert!((isi.cv2.unwrap() - 1.0).abs() < 1e-15); // 2·(20/40 + 20/40)/2
    /// assert!((isi.lv.unwrap() - 0.75).abs() < 1e-15); // 3·(1/4 + 1/4)/2
    /// ```
    pub fn of(train_ms: &[f64]) -> Self {
        let intervals = train_ms.len().saturating_sub(1);
        if intervals == 0 {
            return IsiStatistics::default();
        }
        // Moments of the deviations from the first interval rather than of the intervals:
        // a near-regular train (std ≪ mean) keeps its digits without a second pass.
        let first = train_ms[1] - train_ms[0];
        let mut deviation_sum = 0.0;
        let mut deviation_square_sum = 0.0;
        let mut ratio_abs_sum = 0.0;
        let mut ratio_square_sum = 0.0;
        let mut previous = first;
        for pair in train_ms[1..].windows(2) {
            let interval = pair[1] - pair[0];
            let deviation = interval - first;
            deviation_sum += deviation;
            deviation_square_sum += deviation * deviation;
            let ratio = (interval - previous) / (interval + previous);
            ratio_abs_sum += ratio.abs();
            ratio_square_sum += ratio * ratio;
            previous = interval;
        }
        let n = intervals as f64;
        let mean_deviation = deviation_sum / n;
        let mean_isi_ms = first + mean_deviation;
        if intervals < 2 {
            return IsiStatistics {
                intervals,
                mean_isi_ms: Some(mean_isi_ms),
                ..IsiStatistics::default()
            };
        }
        let variance = (deviation_square_sum / n - mean_deviation * mean_deviation).max(0.0);
        let pairs = (intervals - 1) as f64;
        IsiStatistics {
            intervals,
            mean_isi_ms: Some(mean_isi_ms),
            cv: finite(variance.sqrt() / mean_isi_ms),
            cv2: finite(2.0 * ratio_abs_sum / pairs),
            lv: finite(3.0 * ratio_square_sum / pairs),
        }
    }
}

/// `value` unless coincident spikes (zero intervals) made it undefined.
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// CV2 of the intervals of the sorted `train_ms` (see [`IsiStatistics`]).
pub fn cv2(train_ms: &[f64]) -> Option<f64> {
    IsiStatistics::of(train_ms).cv2
}

/// LV of the intervals of the sorted `train_ms` (see [`IsiStatistics`]).
pub fn lv(train_ms: &[f64]) -> Option<f64> {
    IsiStatistics::of(train_ms).lv
}

/// The intervals between consecutive spikes of the sorted `train_ms` (ms).
pub fn intervals_ms(train_ms: &[f64]) -> impl Iterator<Item = f64> + '_ {
    train_ms.windows(2).map(|pair| pair[1] - pair[0])
}

/// The intervals of all neurons counted in bins [k·bin, (k+1)·bin) up to a largest
/// interval, e.g. to overlay [`crate::stats::PoissonReference::expected_isi_count`].
#[derive(Clone, Debug, PartialEq)]
pub struct IsiHistogram {
    /// Bin width (ms).
    pub bin_ms: f64,
    /// Intervals per bin; bin k holds intervals in [k·bin, (k+1)·bin).
    pub counts: Vec<u64>,
    /// All intervals of all neurons, those beyond the last bin included.
    pub intervals: u64,
}

impl IsiHistogram {
    /// Start of bin `k` (ms); `k = counts.len()` gives the end of the last bin.
    pub fn edge_ms(&self, k: usize) -> f64 {
        k as f64 * self.bin_ms
    }
}

/// The histogram of the intervals of every train in bins of `bin_ms` covering
/// [0, `max_interval_ms`) (whole bins only).
///
/// # Errors
///
/// When `bin_ms` or `max_interval_ms` is not positive and finite.
pub fn isi_histogram(
    trains: &SpikeTrains,
    bin_ms: f64,
    max_interval_ms: f64,
) -> Result<IsiHistogram, StatsError> {
    check_width("bin_ms", bin_ms)?;
    check_width("max_interval_ms", max_interval_ms)?;
    let bins = Bins::new(0.0, bin_ms, whole_bins(max_interval_ms, bin_ms));
    let mut counts = vec![0u64; bins.count()];
    let mut intervals = 0u64;
    for train in trains.trains() {
        for interval in intervals_ms(train) {
            intervals += 1;
            if let Some(bin) = bins.index(interval) {
                counts[bin] += 1;
            }
        }
    }
    Ok(IsiHistogram {
        bin_ms,
        counts,
        intervals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Window;

    #[test]
    fn cv2_and_lv_of_a_tiny_train_by_hand() {
        // Intervals 2, 4, 1, 1 ms. Neighbour ratios (Iᵢ₊₁ − Iᵢ)/(Iᵢ₊₁ + Iᵢ): 2/6, −3/5, 0.
        // CV2 = 2·(1/3 + 3/5 + 0)/3 = 28/45; LV = 3·(1/9 + 9/25 + 0)/3 = 106/225.
        // Mean 2, population variance (0 + 4 + 1 + 1)/4 = 1.5 → CV = √1.5/2.
        let isi = IsiStatistics::of(&[1.0, 3.0, 7.0, 8.0, 9.0]);
        assert_eq!(isi.intervals, 4);
        assert_eq!(isi.mean_isi_ms, Some(2.0));
        assert!((isi.cv2.unwrap() - 28.0 / 45.0).abs() < 1e-15);
        assert!((isi.lv.unwrap() - 106.0 / 225.0).abs() < 1e-15);
        assert!((isi.cv.unwrap() - 1.5f64.sqrt() / 2.0).abs() < 1e-15);
        assert_eq!(cv2(&[1.0, 3.0, 7.0, 8.0, 9.0]), isi.cv2);
        assert_eq!(lv(&[1.0, 3.0, 7.0, 8.0, 9.0]), isi.lv);
    }

    #[test]
    fn fewer_than_two_intervals_give_none_and_cv_matches_the_accumulator() {
        assert_eq!(IsiStatistics::of(&[]), IsiStatistics::default());
        let one = IsiStatistics::of(&[1.0, 4.0]);
        assert_eq!((one.intervals, one.mean_isi_ms), (1, Some(3.0)));
        assert_eq!((one.cv, one.cv2, one.lv), (None, None, None));
        // Coincident spikes: 0/0 ratios leave CV2 and LV undefined rather than NaN.
        let doubled = IsiStatistics::of(&[1.0, 1.0, 1.0]);
        assert_eq!((doubled.cv2, doubled.lv), (None, None));
        let times = [0.0, 10.0, 40.0, 50.0, 80.0, 81.5, 200.0];
        let cv = IsiStatistics::of(&times).cv.unwrap();
        assert!((cv - crate::stats::cv_isi(&times).unwrap()).abs() < 1e-14);
    }

    #[test]
    fn histogram_counts_every_interval_once() {
        let window = Window::new(0.0, 100.0).unwrap();
        let trains =
            SpikeTrains::from_trains(&[vec![0.0, 1.0, 3.5, 13.5], vec![5.0, 5.5]], window).unwrap();
        // Intervals 1, 2.5, 10, 0.5 in bins of 1 ms up to 3 ms; 10 lies beyond.
        let histogram = isi_histogram(&trains, 1.0, 3.0).unwrap();
        assert_eq!(histogram.counts, [1, 1, 1]);
        assert_eq!(histogram.intervals, 4);
        assert_eq!(histogram.edge_ms(3), 3.0);
        assert!(isi_histogram(&trains, -1.0, 3.0).is_err());
    }
}

//! Spike-train statistics.
//!
//! Definitions follow Elephant (the standard Python toolkit, `elephant.statistics`), so that
//! numbers agree with it to rounding. Times are in ms, rates in Hz. For a train of spike
//! times t₁ < … < t_{n+1} observed over [t_start, t_stop], with intervals Iᵢ = tᵢ₊₁ − tᵢ:
//!
//! - rate = spike count/(t_stop − t_start) (`mean_firing_rate`);
//! - CV = std(I)/mean(I) with the population std, ddof = 0 (`cv`, via
//!   `scipy.stats.variation`); at least two intervals;
//! - CV2 = 2/(n−1) Σᵢ |Iᵢ₊₁ − Iᵢ|/(Iᵢ₊₁ + Iᵢ) (`cv2`; Holt et al. 1996);
//! - LV = 3/(n−1) Σᵢ ((Iᵢ − Iᵢ₊₁)/(Iᵢ + Iᵢ₊₁))² (`lv`; Shinomoto et al. 2003);
//! - Fano factor F = var(c)/mean(c), ddof = 0 (`fanofactor`), of the counts c in windows
//!   [t_start + k·w, t_start + (k+1)·w) (a last partial window is dropped), per neuron and
//!   of the population count; `None` with fewer than two windows or no spike;
//! - population activity ν(t) = (spikes in the bin)/(N·b) (`time_histogram(output='rate')`
//!   of all trains, divided by N), bins laid like the counting windows;
//! - PSTH: spikes with t − s in [−before, after) around stimulus times s, in bins of b,
//!   counts/(trials·N·b); trials whose window leaves the observation are excluded;
//! - spike-count correlation: Pearson's r of two neurons' counts in bins of b
//!   (`correlation_coefficient` of a `BinnedSpikeTrain`), over all pairs or a seeded
//!   sample;
//! - power spectrum of ν: Welch's method with a Hann window, half-overlapping segments,
//!   each segment's mean removed, one-sided density in Hz²/Hz whose integral is var(ν)
//!   (`scipy.signal.welch`, scaling 'density').
//!
//! Bins and windows are half-open, [a, a + w); a time within 10⁻⁸ of a bin below an edge
//! counts as on it (as in Elephant's binning), so a spike stamped at a grid time that is a
//! bin edge falls in the bin that starts there. (The streaming [`BinnedCounts`] follow the
//! engine's steps instead: a spike stamped at a bin's end, by the step ending there, belongs
//! to that bin.)
//!
//! Two ways in. Streaming accumulators take spikes as they come ([`IsiMoments`],
//! [`TrainStatistics`], [`BinnedCounts`]): a run streamed to disk chunk by chunk and one kept
//! in memory give the same numbers to the last bit, in memory proportional to the number of
//! neurons (or bins), not of spikes. Functions over a whole recording read [`SpikeTrains`]
//! (every neuron's sorted train over an observation [`Window`]) and walk each train once per
//! statistic; [`SpikeStatistics::compute`] gives all of them at once, serializable.
//! [`PoissonReference`] and [`GammaReference`] say what Poisson or gamma renewal trains
//! would show, and [`poisson_train`], [`gamma_train`], [`regular_train`] and
//! [`modulated_poisson_train`] generate such trains, reproducibly, to test against.

mod activity;
mod bins;
mod correlation;
mod counts;
mod isi;
mod overlap;
mod reference;
mod spectrum;
mod summary;
mod traces;
mod trains;

pub use activity::{PopulationActivity, Psth, population_activity, psth};
pub use bins::{Bins, CountMoments};
pub use correlation::{
    PairCorrelation, SpikeCountCorrelations, spike_count_correlation, spike_count_correlations,
};
pub use counts::{FanoFactors, fano_factor, fano_factors, spike_counts};
pub use isi::{IsiHistogram, IsiStatistics, cv2, intervals_ms, isi_histogram, lv};
pub use overlap::{OverlapSeries, binary_overlaps, binned_overlaps, correlation_overlaps};
pub use reference::{
    GammaReference, PoissonReference, SinusoidalRate, gamma_train, modulated_poisson_train,
    poisson_population, poisson_train, regular_train,
};
pub use spectrum::{PowerSpectrum, default_segment_samples, population_spectrum, welch_spectrum};
pub use summary::{
    ActivitySummary, CorrelationSummary, FanoSummary, NeuronMean, NeuronStatistics,
    PopulationStatistics, SpectrumSummary, SpikeStatistics, StatisticsOptions,
};
pub use traces::{TraceStatistics, trace_statistics};
pub use trains::{SpikeTrains, StatsError, Window};

use crate::neuron::Spike;

/// Running moments of one neuron's inter-spike intervals: the number of spikes, the last
/// spike time, and the mean and summed squared deviations of the intervals by Welford's
/// update (stable without a second pass over the intervals).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IsiMoments {
    spikes: u64,
    last_ms: f64,
    mean_ms: f64,
    squared_deviations: f64,
}

impl IsiMoments {
    /// Takes the next spike time (spikes of one neuron come in time order).
    pub fn add(&mut self, time_ms: f64) {
        if self.spikes > 0 {
            let interval = time_ms - self.last_ms;
            // After this interval there are `spikes` of them.
            let delta = interval - self.mean_ms;
            self.mean_ms += delta / self.spikes as f64;
            self.squared_deviations += delta * (interval - self.mean_ms);
        }
        self.spikes += 1;
        self.last_ms = time_ms;
    }

    /// Spikes taken so far.
    pub fn spikes(&self) -> u64 {
        self.spikes
    }

    /// CV = std(ISI)/mean(ISI) with the population std; `None` with fewer than two intervals.
    pub fn cv(&self) -> Option<f64> {
        if self.spikes < 3 || self.mean_ms <= 0.0 {
            return None;
        }
        let variance = self.squared_deviations / (self.spikes - 1) as f64;
        Some(variance.max(0.0).sqrt() / self.mean_ms)
    }
}

/// CV of the inter-spike intervals of one train of sorted spike times; `None` with fewer
/// than two intervals.
pub fn cv_isi(times_ms: &[f64]) -> Option<f64> {
    let mut moments = IsiMoments::default();
    for &time in times_ms {
        moments.add(time);
    }
    moments.cv()
}

/// Spike counts and ISI moments of every neuron of a group: what single-neuron rates and
/// CVs need, kept in memory proportional to the number of neurons.
#[derive(Clone, Debug)]
pub struct TrainStatistics {
    neurons: Vec<IsiMoments>,
}

impl TrainStatistics {
    /// Statistics of `size` neurons, numbered `0..size`, with no spikes yet.
    pub fn new(size: usize) -> Self {
        TrainStatistics {
            neurons: vec![IsiMoments::default(); size],
        }
    }

    /// Takes spikes in time order; spikes of neurons outside `0..size` are ignored.
    pub fn add(&mut self, spikes: &[Spike]) {
        for spike in spikes {
            self.add_spike(spike.neuron as usize, spike.time_ms);
        }
    }

    /// Takes one spike of neuron `neuron` (ignored outside `0..size`).
    pub fn add_spike(&mut self, neuron: usize, time_ms: f64) {
        if let Some(moments) = self.neurons.get_mut(neuron) {
            moments.add(time_ms);
        }
    }

    /// The number of neurons.
    pub fn size(&self) -> usize {
        self.neurons.len()
    }

    /// Spikes of every neuron.
    pub fn spike_counts(&self) -> Vec<u64> {
        self.neurons.iter().map(IsiMoments::spikes).collect()
    }

    /// Firing rate of every neuron (Hz) over `duration_ms`: count/duration.
    pub fn rates_hz(&self, duration_ms: f64) -> Vec<f64> {
        self.neurons
            .iter()
            .map(|m| m.spikes() as f64 * 1000.0 / duration_ms)
            .collect()
    }

    /// The ISI CV of every neuron that has at least two intervals, in neuron order.
    pub fn cvs(&self) -> Vec<f64> {
        self.neurons.iter().filter_map(IsiMoments::cv).collect()
    }

    /// Mean over neurons (with at least two intervals) of the ISI CV; `None` if no neuron
    /// has two.
    pub fn mean_cv(&self) -> Option<f64> {
        let values = self.cvs();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// Spike times of each of `size` neurons, in time order.
pub fn trains(spikes: &[Spike], size: usize) -> Vec<Vec<f64>> {
    let mut trains = vec![Vec::new(); size];
    for spike in spikes {
        if let Some(train) = trains.get_mut(spike.neuron as usize) {
            train.push(spike.time_ms);
        }
    }
    trains
}

fn statistics_of(spikes: &[Spike], size: usize) -> TrainStatistics {
    let mut statistics = TrainStatistics::new(size);
    statistics.add(spikes);
    statistics
}

/// Mean over neurons (with at least two intervals) of the ISI CV; `None` if no neuron has two.
pub fn mean_cv_isi(spikes: &[Spike], size: usize) -> Option<f64> {
    statistics_of(spikes, size).mean_cv()
}

/// Spike counts in bins of `bin_ms` from t = 0, taken as spikes come. A spike stamped
/// exactly at a bin's end (a grid time: spikes of the step ending there) belongs to that bin.
#[derive(Clone, Debug)]
pub struct BinnedCounts {
    bin_ms: f64,
    counts: Vec<u64>,
}

impl BinnedCounts {
    /// Empty bins of `bin_ms`.
    pub fn new(bin_ms: f64) -> Self {
        BinnedCounts {
            bin_ms,
            counts: Vec::new(),
        }
    }

    /// Counts `spikes`.
    pub fn add(&mut self, spikes: &[Spike]) {
        for spike in spikes {
            let index = ((spike.time_ms / self.bin_ms) - 1e-9).floor().max(0.0) as usize;
            if index >= self.counts.len() {
                self.counts.resize(index + 1, 0);
            }
            self.counts[index] += 1;
        }
    }

    /// ν = count/(N·bin) in Hz for `size` neurons, over the whole bins of [0, duration_ms)
    /// (a last partial bin is dropped).
    pub fn rates_hz(&self, size: usize, duration_ms: f64) -> Vec<f64> {
        let bins = (duration_ms / self.bin_ms + 1e-9).floor() as usize;
        let scale = 1000.0 / (size as f64 * self.bin_ms);
        (0..bins)
            .map(|bin| self.counts.get(bin).map_or(0, |&c| c) as f64 * scale)
            .collect()
    }
}

/// Population activity ν(t) = (number of spikes in the bin)/(N·bin) in Hz, for bins of
/// `bin_ms` covering [0, duration_ms) (a last partial bin is dropped).
pub fn population_rate_hz(
    spikes: &[Spike],
    size: usize,
    bin_ms: f64,
    duration_ms: f64,
) -> Vec<f64> {
    let mut counts = BinnedCounts::new(bin_ms);
    counts.add(spikes);
    counts.rates_hz(size, duration_ms)
}

/// Firing rate of every neuron (Hz) over `duration_ms`: count/duration.
pub fn neuron_rates_hz(spikes: &[Spike], size: usize, duration_ms: f64) -> Vec<f64> {
    statistics_of(spikes, size).rates_hz(duration_ms)
}

/// The ISI CV of every neuron that has at least two intervals.
pub fn neuron_cvs(spikes: &[Spike], size: usize) -> Vec<f64> {
    statistics_of(spikes, size).cvs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_train_has_cv_zero_and_alternating_train_a_known_cv() {
        assert_eq!(cv_isi(&[0.0, 10.0, 20.0, 30.0]), Some(0.0));
        // Intervals 10, 30, 10, 30: mean 20, population std 10 → CV 0.5.
        let cv = cv_isi(&[0.0, 10.0, 40.0, 50.0, 80.0]).unwrap();
        assert!((cv - 0.5).abs() < 1e-15);
        assert_eq!(cv_isi(&[1.0, 2.0]), None);
    }

    #[test]
    fn population_rate_counts_spikes_per_bin_and_neuron() {
        // 4 neurons, 1 ms bins: two spikes in the first bin (one stamped at its end), one
        // in the third → 500 Hz, 0, 250 Hz.
        let spikes: Vec<Spike> = [(0, 0.5), (1, 1.0), (2, 2.5)]
            .iter()
            .map(|&(neuron, time_ms)| Spike { neuron, time_ms })
            .collect();
        assert_eq!(
            population_rate_hz(&spikes, 4, 1.0, 3.0),
            [500.0, 0.0, 250.0]
        );
        assert_eq!(neuron_rates_hz(&spikes, 4, 1000.0), [1.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn mean_cv_skips_neurons_without_two_intervals() {
        let spikes: Vec<Spike> = [(0, 0.0), (0, 10.0), (0, 40.0), (1, 5.0)]
            .iter()
            .map(|&(neuron, time_ms)| Spike { neuron, time_ms })
            .collect();
        // Neuron 0: intervals 10, 30 → CV 0.5; neuron 1 has none.
        assert!((mean_cv_isi(&spikes, 2).unwrap() - 0.5).abs() < 1e-15);
        assert_eq!(mean_cv_isi(&spikes[3..], 2), None);
    }

    #[test]
    fn running_moments_agree_with_the_two_pass_definition() {
        // 2,000 intervals spread over 0.1–100 ms (a deterministic irregular train): Welford's
        // update and the textbook two-pass formula differ only by rounding, O(n·ε) relative.
        let mut times = vec![0.0];
        let mut x = 0.3f64;
        for _ in 0..2000 {
            x = (x * 3.7 * (1.0 - x)).clamp(1e-3, 0.999);
            let last = *times.last().unwrap();
            times.push(last + 0.1 + 100.0 * x * x);
        }
        let intervals: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let n = intervals.len() as f64;
        let mean = intervals.iter().sum::<f64>() / n;
        let variance = intervals.iter().map(|i| (i - mean).powi(2)).sum::<f64>() / n;
        let two_pass = variance.sqrt() / mean;
        let running = cv_isi(&times).unwrap();
        assert!(
            (running - two_pass).abs() < 1e-12 * two_pass,
            "{running} vs {two_pass}"
        );
        // Spikes handed over in pieces give the very same bits.
        let spikes: Vec<Spike> = times
            .iter()
            .map(|&time_ms| Spike { neuron: 0, time_ms })
            .collect();
        let mut pieces = TrainStatistics::new(1);
        for piece in spikes.chunks(7) {
            pieces.add(piece);
        }
        assert_eq!(pieces.mean_cv().unwrap().to_bits(), running.to_bits());
    }
}

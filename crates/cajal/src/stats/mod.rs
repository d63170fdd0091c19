//! Spike-train statistics.
//!
//! Definitions follow Elephant (the standard Python toolkit): the ISI coefficient of
//! variation uses the population standard deviation (ddof = 0), CV = std(ISI)/mean(ISI).

use crate::neuron::Spike;

/// CV of the inter-spike intervals of one train of sorted spike times; `None` with fewer
/// than two intervals.
pub fn cv_isi(times_ms: &[f64]) -> Option<f64> {
    if times_ms.len() < 3 {
        return None;
    }
    let intervals: Vec<f64> = times_ms.windows(2).map(|w| w[1] - w[0]).collect();
    let n = intervals.len() as f64;
    let mean = intervals.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let variance = intervals
        .iter()
        .map(|i| (i - mean) * (i - mean))
        .sum::<f64>()
        / n;
    Some(variance.sqrt() / mean)
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

/// Mean over neurons (with at least two intervals) of the ISI CV; `None` if no neuron has two.
pub fn mean_cv_isi(spikes: &[Spike], size: usize) -> Option<f64> {
    let values: Vec<f64> = trains(spikes, size)
        .iter()
        .filter_map(|t| cv_isi(t))
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Population activity ν(t) = (number of spikes in the bin)/(N·bin) in Hz, for bins of
/// `bin_ms` covering [0, duration_ms) (a last partial bin is dropped).
pub fn population_rate_hz(
    spikes: &[Spike],
    size: usize,
    bin_ms: f64,
    duration_ms: f64,
) -> Vec<f64> {
    let bins = (duration_ms / bin_ms + 1e-9).floor() as usize;
    let mut counts = vec![0u64; bins];
    for spike in spikes {
        // A spike stamped exactly at a bin's end (grid time) belongs to that bin.
        let index = ((spike.time_ms / bin_ms) - 1e-9).floor().max(0.0) as usize;
        if let Some(count) = counts.get_mut(index) {
            *count += 1;
        }
    }
    let scale = 1000.0 / (size as f64 * bin_ms);
    counts.iter().map(|&c| c as f64 * scale).collect()
}

/// Firing rate of every neuron (Hz) over `duration_ms`: count/duration.
pub fn neuron_rates_hz(spikes: &[Spike], size: usize, duration_ms: f64) -> Vec<f64> {
    let mut counts = vec![0u64; size];
    for spike in spikes {
        if let Some(count) = counts.get_mut(spike.neuron as usize) {
            *count += 1;
        }
    }
    counts
        .iter()
        .map(|&c| c as f64 * 1000.0 / duration_ms)
        .collect()
}

/// The ISI CV of every neuron that has at least two intervals.
pub fn neuron_cvs(spikes: &[Spike], size: usize) -> Vec<f64> {
    trains(spikes, size)
        .iter()
        .filter_map(|t| cv_isi(t))
        .collect()
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
}

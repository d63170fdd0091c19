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

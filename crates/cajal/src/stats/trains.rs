//! Spike trains of a group of neurons over an observation window: the data every statistic
//! of [`crate::stats`] reads.

use std::fmt;

use crate::neuron::Spike;

/// The observation window [t_start, t_stop] (ms) that rates, counts and bins refer to.
///
/// As in Elephant and neo, a rate is a count over `t_stop − t_start`, whatever the first and
/// last spikes are; spikes outside the window are not part of the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Start of the observation (ms).
    pub t_start_ms: f64,
    /// End of the observation (ms); after `t_start_ms`.
    pub t_stop_ms: f64,
}

impl Window {
    /// The window [t_start, t_stop] (ms).
    ///
    /// # Errors
    ///
    /// When either end is not finite or the window is empty.
    pub fn new(t_start_ms: f64, t_stop_ms: f64) -> Result<Self, StatsError> {
        if !t_start_ms.is_finite() || !t_stop_ms.is_finite() || t_stop_ms <= t_start_ms {
            return Err(StatsError::new(format!(
                "the observation window [{t_start_ms} ms, {t_stop_ms} ms] is empty or not \
                 finite: t_stop must come after t_start"
            )));
        }
        Ok(Window {
            t_start_ms,
            t_stop_ms,
        })
    }

    /// t_stop − t_start (ms).
    pub fn duration_ms(&self) -> f64 {
        self.t_stop_ms - self.t_start_ms
    }

    /// Whether `time_ms` lies in the window (both ends included, as neo's `time_slice`).
    pub fn contains(&self, time_ms: f64) -> bool {
        time_ms >= self.t_start_ms && time_ms <= self.t_stop_ms
    }
}

/// A statistic cannot be computed from the data or the options given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsError {
    /// What is wrong, in the user's terms.
    pub message: String,
}

impl StatsError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StatsError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StatsError {}

/// The spike trains of neurons `0..neuron_count`, each sorted in time, over a [`Window`].
///
/// Stored as one array of times grouped by neuron (offsets + times, 8 bytes per spike), so
/// that 10^7 spikes take 80 MB and every per-neuron statistic reads memory in order.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeTrains {
    offsets: Vec<usize>,
    times_ms: Vec<f64>,
    window: Window,
}

impl SpikeTrains {
    /// The trains of `neuron_count` neurons from `(neuron, time in ms)` pairs in any order;
    /// spikes outside `window` are left out. Neurons without spikes have empty trains: the
    /// number of neurons comes from the caller, not from the data, so silent neurons count.
    ///
    /// # Errors
    ///
    /// When a neuron number is not below `neuron_count` or a time is not finite.
    pub fn from_pairs(
        neuron_count: usize,
        pairs: impl IntoIterator<Item = (u32, f64)> + Clone,
        window: Window,
    ) -> Result<Self, StatsError> {
        // Counting sort by neuron: one pass to count, one to place.
        let mut offsets = vec![0usize; neuron_count + 1];
        for (neuron, time_ms) in pairs.clone() {
            if !time_ms.is_finite() {
                return Err(StatsError::new(format!(
                    "spike of neuron {neuron} at time {time_ms}: not a finite time"
                )));
            }
            if neuron as usize >= neuron_count {
                return Err(StatsError::new(format!(
                    "spike of neuron {neuron}: the data has {neuron_count} neuron(s), \
                     numbered 0 to {}",
                    neuron_count.saturating_sub(1)
                )));
            }
            if window.contains(time_ms) {
                offsets[neuron as usize + 1] += 1;
            }
        }
        for i in 0..neuron_count {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut times_ms = vec![0.0; offsets[neuron_count]];
        for (neuron, time_ms) in pairs {
            if window.contains(time_ms) {
                let slot = &mut next[neuron as usize];
                times_ms[*slot] = time_ms;
                *slot += 1;
            }
        }
        for i in 0..neuron_count {
            let train = &mut times_ms[offsets[i]..offsets[i + 1]];
            if !train.is_sorted() {
                train.sort_unstable_by(f64::total_cmp);
            }
        }
        Ok(SpikeTrains {
            offsets,
            times_ms,
            window,
        })
    }

    /// The trains of `neuron_count` neurons from recorded [`Spike`]s.
    ///
    /// # Errors
    ///
    /// As [`SpikeTrains::from_pairs`].
    pub fn from_spikes(
        neuron_count: usize,
        spikes: &[Spike],
        window: Window,
    ) -> Result<Self, StatsError> {
        Self::from_pairs(
            neuron_count,
            spikes.iter().map(|s| (s.neuron, s.time_ms)),
            window,
        )
    }

    /// The trains of one neuron each, e.g. trials or synthetic trains.
    ///
    /// # Errors
    ///
    /// As [`SpikeTrains::from_pairs`].
    pub fn from_trains(trains: &[Vec<f64>], window: Window) -> Result<Self, StatsError> {
        let pairs = trains
            .iter()
            .enumerate()
            .flat_map(|(neuron, train)| train.iter().map(move |&t| (neuron as u32, t)));
        Self::from_pairs(trains.len(), pairs, window)
    }

    /// The number of neurons (with or without spikes).
    pub fn neuron_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// All spikes in the window.
    pub fn spike_count(&self) -> usize {
        self.times_ms.len()
    }

    /// The observation window.
    pub fn window(&self) -> Window {
        self.window
    }

    /// The sorted spike times (ms) of `neuron`.
    ///
    /// # Panics
    ///
    /// When `neuron` is not below [`SpikeTrains::neuron_count`].
    pub fn train(&self, neuron: usize) -> &[f64] {
        &self.times_ms[self.offsets[neuron]..self.offsets[neuron + 1]]
    }

    /// Every train in neuron order.
    pub fn trains(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        self.offsets.windows(2).map(|w| &self.times_ms[w[0]..w[1]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trains_are_grouped_sorted_and_cut_to_the_window() {
        let window = Window::new(0.0, 10.0).unwrap();
        let pairs = [(2, 5.0), (0, 3.0), (2, 1.0), (0, 11.0), (0, 10.0), (2, 0.0)];
        let trains = SpikeTrains::from_pairs(4, pairs, window).unwrap();
        assert_eq!(trains.neuron_count(), 4);
        assert_eq!(trains.train(0), [3.0, 10.0]);
        assert!(trains.train(1).is_empty());
        assert_eq!(trains.train(2), [0.0, 1.0, 5.0]);
        assert!(trains.train(3).is_empty());
        assert_eq!(trains.spike_count(), 5);
        assert_eq!(trains.trains().len(), 4);
    }

    #[test]
    fn bad_neurons_times_and_windows_are_errors() {
        let window = Window::new(0.0, 10.0).unwrap();
        let error = SpikeTrains::from_pairs(2, [(2, 1.0)], window).unwrap_err();
        assert!(error.message.contains("neuron 2"), "{error}");
        let error = SpikeTrains::from_pairs(2, [(0, f64::NAN)], window).unwrap_err();
        assert!(error.message.contains("not a finite time"), "{error}");
        assert!(Window::new(5.0, 5.0).is_err());
        assert!(Window::new(0.0, f64::INFINITY).is_err());
    }
}

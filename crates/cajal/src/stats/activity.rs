//! Rates in time: the population activity ν(t) and the peri-stimulus time histogram.

use super::bins::{Bins, check_bin_count, check_width, whole_bins};
use super::trains::{SpikeTrains, StatsError};

/// Population activity ν(t) = (spikes of all N neurons in the bin)/(N·bin), in Hz.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationActivity {
    /// Start of the first bin (ms): the start of the observation window.
    pub start_ms: f64,
    /// Bin width (ms).
    pub bin_ms: f64,
    /// ν of every whole bin (Hz).
    pub rate_hz: Vec<f64>,
}

impl PopulationActivity {
    /// The number of samples per second of ν (Hz): 1000/bin.
    pub fn sampling_rate_hz(&self) -> f64 {
        1000.0 / self.bin_ms
    }

    /// Mean of ν over the bins (Hz); `None` without bins.
    pub fn mean_hz(&self) -> Option<f64> {
        let n = self.rate_hz.len();
        (n > 0).then(|| self.rate_hz.iter().sum::<f64>() / n as f64)
    }

    /// Standard deviation of ν over the bins (Hz, ddof = 0); `None` without bins.
    pub fn std_hz(&self) -> Option<f64> {
        let mean = self.mean_hz()?;
        let variance = self
            .rate_hz
            .iter()
            .map(|rate| (rate - mean).powi(2))
            .sum::<f64>()
            / self.rate_hz.len() as f64;
        Some(variance.sqrt())
    }
}

/// ν(t) in bins [t_start + k·b, t_start + (k+1)·b) of `bin_ms` (a last partial bin is
/// dropped), as Elephant's `time_histogram(output='rate')` of all trains divided by N.
///
/// # Errors
///
/// When `bin_ms` is not positive and finite, or there are no neurons.
pub fn population_activity(
    trains: &SpikeTrains,
    bin_ms: f64,
) -> Result<PopulationActivity, StatsError> {
    check_width("bin_ms", bin_ms)?;
    if trains.neuron_count() == 0 {
        return Err(StatsError::new(
            "population activity of no neurons: a rate per neuron needs at least one",
        ));
    }
    let bins = Bins::tiling(trains.window(), bin_ms);
    let mut counts = vec![0u64; bins.count()];
    for train in trains.trains() {
        bins.add_counts(train, &mut counts);
    }
    let hz_per_spike = 1000.0 / (trains.neuron_count() as f64 * bin_ms);
    Ok(PopulationActivity {
        start_ms: bins.start_ms(),
        bin_ms,
        rate_hz: counts.iter().map(|&c| c as f64 * hz_per_spike).collect(),
    })
}

/// Peri-stimulus time histogram: the rate per neuron and trial around stimulus times.
#[derive(Clone, Debug, PartialEq)]
pub struct Psth {
    /// Bin width (ms).
    pub bin_ms: f64,
    /// Start of the first bin relative to the stimulus (ms): −before.
    pub start_ms: f64,
    /// Trials (stimuli) whose whole window [s − before, s + after] lies in the observation.
    pub trials_used: usize,
    /// Trials left out because their window leaves the observation.
    pub trials_excluded: usize,
    /// Spikes of all neurons in all used trials, per bin.
    pub counts: Vec<u64>,
    /// counts/(trials · N · bin) in Hz; empty when no trial was used (or no neuron).
    pub rate_hz: Vec<f64>,
}

impl Psth {
    /// Start of bin `k` relative to the stimulus (ms); `k = counts.len()` gives the end.
    pub fn edge_ms(&self, k: usize) -> f64 {
        self.start_ms + k as f64 * self.bin_ms
    }
}

/// The PSTH of all neurons around `stimulus_times_ms`: the spikes with t − s in
/// [−before, after) in bins of `bin_ms` (whole bins; a last partial bin is dropped, and a
/// spike exactly at s + after is not counted), edges relative to the stimulus. The same numbers as Elephant's
/// `time_histogram(output='rate')` over the trains aligned to each used stimulus (cut to
/// [s − before, s + after], shifted by −s), times the number of neurons and trials
/// divided by theirs.
///
/// # Errors
///
/// When `bin_ms` is not positive and finite, `before_ms` negative, the window
/// before + after not positive, or a stimulus time not finite.
pub fn psth(
    trains: &SpikeTrains,
    stimulus_times_ms: &[f64],
    before_ms: f64,
    after_ms: f64,
    bin_ms: f64,
) -> Result<Psth, StatsError> {
    check_width("bin_ms", bin_ms)?;
    if !(before_ms.is_finite() && before_ms >= 0.0) {
        return Err(StatsError::new(format!(
            "before_ms = {before_ms}: the time before a stimulus must be 0 ms or more"
        )));
    }
    check_width("before_ms + after_ms", before_ms + after_ms)?;
    check_bin_count("bin_ms", before_ms + after_ms, bin_ms)?;
    if let Some(bad) = stimulus_times_ms.iter().find(|t| !t.is_finite()) {
        return Err(StatsError::new(format!(
            "stimulus time {bad}: not a finite time"
        )));
    }
    let bins = Bins::new(-before_ms, bin_ms, whole_bins(before_ms + after_ms, bin_ms));
    let window = trains.window();
    let mut counts = vec![0u64; bins.count()];
    let mut trials_used = 0;
    for &stimulus in stimulus_times_ms {
        if !(window.contains(stimulus - before_ms) && window.contains(stimulus + after_ms)) {
            continue;
        }
        trials_used += 1;
        // From one bin early (a spike a rounding error before the first edge counts in it)
        // to one bin late.
        let first_ms = stimulus - before_ms - bin_ms;
        let last_ms = stimulus + bins.edge_ms(bins.count()) + bin_ms;
        for train in trains.trains() {
            let from = train.partition_point(|&t| t < first_ms);
            for &time in train[from..].iter().take_while(|&&t| t < last_ms) {
                if let Some(bin) = bins.index(time - stimulus) {
                    counts[bin] += 1;
                }
            }
        }
    }
    let rate_hz = if trials_used == 0 || trains.neuron_count() == 0 {
        Vec::new()
    } else {
        let hz_per_spike = 1000.0 / (trials_used as f64 * trains.neuron_count() as f64 * bin_ms);
        counts.iter().map(|&c| c as f64 * hz_per_spike).collect()
    };
    Ok(Psth {
        bin_ms,
        start_ms: -before_ms,
        trials_used,
        trials_excluded: stimulus_times_ms.len() - trials_used,
        counts,
        rate_hz,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Window;

    #[test]
    fn population_activity_counts_spikes_per_bin_and_neuron() {
        // 4 neurons over [10, 13.5) ms in 1 ms bins: [10, 11) holds 10.0 and 10.5, [11, 12)
        // nothing, [12, 13) 12.0; 13.2 falls in the dropped partial bin.
        let window = Window::new(10.0, 13.5).unwrap();
        let trains = SpikeTrains::from_trains(
            &[vec![10.0, 12.0], vec![10.5, 13.2], vec![], vec![]],
            window,
        )
        .unwrap();
        let activity = population_activity(&trains, 1.0).unwrap();
        assert_eq!(activity.rate_hz, [500.0, 0.0, 250.0]);
        assert_eq!(activity.start_ms, 10.0);
        assert_eq!(activity.mean_hz(), Some(250.0));
        // Deviations 250, −250, 0: variance 125000/3.
        assert!((activity.std_hz().unwrap() - (125_000.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert_eq!(activity.sampling_rate_hz(), 1000.0);
        assert!(population_activity(&trains, 0.0).is_err());
    }

    #[test]
    fn psth_of_tiny_trains_by_hand() {
        // Stimuli at 20, 50 and 95 ms in [0, 100]; window 10 ms before to 20 ms after, bins
        // of 10 ms: [−10, 0), [0, 10), [10, 20). The stimulus at 95 ms runs past 100 ms and
        // is excluded.
        let window = Window::new(0.0, 100.0).unwrap();
        let trains = SpikeTrains::from_trains(
            &[
                // Around 20: −5 → bin 0, +2 → bin 1. Around 50: 0 → bin 1, +15 → bin 2.
                vec![15.0, 22.0, 50.0, 65.0, 97.0],
                // Around 20: +20 lies at the end, outside. Around 50: −10 → bin 0.
                vec![40.0],
            ],
            window,
        )
        .unwrap();
        let histogram = psth(&trains, &[20.0, 50.0, 95.0], 10.0, 20.0, 10.0).unwrap();
        assert_eq!(histogram.trials_used, 2);
        assert_eq!(histogram.trials_excluded, 1);
        assert_eq!(histogram.counts, [2, 2, 1]);
        // 1 spike per 2 trials · 2 neurons · 10 ms = 25 Hz.
        assert_eq!(histogram.rate_hz, [50.0, 50.0, 25.0]);
        assert_eq!((histogram.edge_ms(0), histogram.edge_ms(3)), (-10.0, 20.0));
        let none = psth(&trains, &[1.0], 10.0, 20.0, 10.0).unwrap();
        assert_eq!((none.trials_used, none.rate_hz.len()), (0, 0));
        assert!(psth(&trains, &[20.0], -1.0, 20.0, 10.0).is_err());
        assert!(psth(&trains, &[f64::NAN], 1.0, 20.0, 10.0).is_err());
    }
}

//! Every statistic of a recording at once, as one serializable summary.

use serde::Serialize;

use super::activity::population_activity;
use super::bins::{check_bin_count, check_width, whole_bins};
use super::correlation::spike_count_correlations;
use super::counts::{FanoFactors, fano_factors};
use super::isi::IsiStatistics;
use super::spectrum::{default_segment_samples, welch_spectrum};
use super::trains::{SpikeTrains, StatsError};

/// Most pairs a correlation sample may ask for: the sample is held in memory (about 50 bytes
/// a pair while drawn).
pub const MAX_CORRELATION_PAIRS: usize = 10_000_000;

/// What [`SpikeStatistics::compute`] computes, and at which scales.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatisticsOptions {
    /// Counting window of each neuron's Fano factor (ms). Default 1000 ms: at the few Hz of
    /// cortical firing a window must hold several spikes for its count to vary.
    pub fano_window_ms: f64,
    /// Further counting windows whose Fano factors the population summary reports (ms).
    /// Default 10, 100, 1000 ms: the Fano factor of a non-Poisson process depends on the
    /// window, so a few decades show how.
    pub fano_windows_ms: Vec<f64>,
    /// Bin of the population activity ν(t) and of its spectrum (ms). Default 1 ms: a
    /// sampling rate of 1 kHz resolves gamma-band (30–100 Hz) and faster oscillations.
    pub activity_bin_ms: f64,
    /// Bin of the spike counts that pairwise correlations compare (ms). Default 10 ms, of
    /// the order of synaptic and membrane time constants, so that coincidences a neuron can
    /// "see" fall in one bin (wider bins give larger coefficients: the choice matters and
    /// is reported).
    pub correlation_bin_ms: f64,
    /// Pairs whose correlation is computed: all pairs if there are no more, else a sample
    /// of this many. Default 1000: the standard error of the mean coefficient is then 3% of
    /// the spread of the coefficients (1/√1000). Time and memory grow with the pairs.
    pub correlation_pairs: usize,
    /// Seed of the sample of pairs.
    pub seed: u64,
    /// Samples per segment of the spectrum's Welch estimate; `None` for
    /// [`crate::stats::default_segment_samples`].
    pub spectrum_segment_samples: Option<usize>,
}

impl Default for StatisticsOptions {
    fn default() -> Self {
        StatisticsOptions {
            fano_window_ms: 1000.0,
            fano_windows_ms: vec![10.0, 100.0, 1000.0],
            activity_bin_ms: 1.0,
            correlation_bin_ms: 10.0,
            correlation_pairs: 1000,
            seed: 0,
            spectrum_segment_samples: None,
        }
    }
}

impl StatisticsOptions {
    /// Checks every width and the segment length.
    ///
    /// # Errors
    ///
    /// Names the first option that is zero, negative or not finite (a segment needs at
    /// least 2 samples). A width wider than the observation is no error: the statistic
    /// that needs it is left out (`None`).
    pub fn validate(&self) -> Result<(), StatsError> {
        check_width("fano_window_ms", self.fano_window_ms)?;
        for (i, &width) in self.fano_windows_ms.iter().enumerate() {
            check_width(&format!("fano_windows_ms[{i}]"), width)?;
        }
        check_width("activity_bin_ms", self.activity_bin_ms)?;
        check_width("correlation_bin_ms", self.correlation_bin_ms)?;
        if self.correlation_pairs > MAX_CORRELATION_PAIRS {
            return Err(StatsError::new(format!(
                "correlation_pairs = {}: at most {MAX_CORRELATION_PAIRS} pairs are sampled (a \
                 sample of that size already pins the mean coefficient far below its spread)",
                self.correlation_pairs
            )));
        }
        if let Some(samples) = self.spectrum_segment_samples
            && samples < 2
        {
            return Err(StatsError::new(format!(
                "spectrum_segment_samples = {samples}: a segment needs at least 2 samples"
            )));
        }
        Ok(())
    }
}

/// The statistics of one neuron.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeuronStatistics {
    /// Neuron number.
    pub neuron: usize,
    /// Spikes in the observation window.
    pub spike_count: usize,
    /// Spike count / (t_stop − t_start) (Hz).
    pub rate_hz: f64,
    /// ISI coefficient of variation (at least two intervals).
    pub cv_isi: Option<f64>,
    /// CV2 (at least two intervals).
    pub cv2: Option<f64>,
    /// LV (at least two intervals).
    pub lv: Option<f64>,
    /// Fano factor of the counts in windows of `fano_window_ms`.
    pub fano: Option<f64>,
}

/// A per-neuron statistic averaged over the neurons that have it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NeuronMean {
    /// The mean; `None` if no neuron has the statistic.
    pub mean: Option<f64>,
    /// The neurons averaged.
    pub neurons: usize,
}

impl NeuronMean {
    fn of(values: impl Iterator<Item = Option<f64>>) -> Self {
        let (sum, neurons) = values
            .flatten()
            .fold((0.0, 0usize), |(sum, n), value| (sum + value, n + 1));
        NeuronMean {
            mean: (neurons > 0).then(|| sum / neurons as f64),
            neurons,
        }
    }
}

/// Fano factors at one counting window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FanoSummary {
    /// Counting window (ms).
    pub window_ms: f64,
    /// Whole windows in the observation.
    pub windows: usize,
    /// Mean of the neurons' Fano factors.
    pub neurons: NeuronMean,
    /// Fano factor of the population count (all neurons summed).
    pub population_count: Option<f64>,
}

impl FanoSummary {
    fn of(factors: &FanoFactors) -> Self {
        FanoSummary {
            window_ms: factors.window_ms,
            windows: factors.windows,
            neurons: NeuronMean::of(factors.per_neuron.iter().copied()),
            population_count: factors.population_count,
        }
    }
}

/// The population activity ν(t) in brief.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActivitySummary {
    /// Bin (ms).
    pub bin_ms: f64,
    /// Whole bins in the observation.
    pub bins: usize,
    /// Mean of ν over the bins (Hz).
    pub mean_hz: f64,
    /// Standard deviation of ν over the bins (Hz, ddof = 0).
    pub std_hz: f64,
}

/// The power spectrum of ν(t) in brief.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpectrumSummary {
    /// Samples per Welch segment.
    pub segment_samples: usize,
    /// Segments averaged.
    pub segments: usize,
    /// Frequency resolution (Hz).
    pub frequency_resolution_hz: f64,
    /// Frequency of the largest density above 0 Hz.
    pub peak_frequency_hz: f64,
    /// The density there (Hz²/Hz).
    pub peak_density_hz2_per_hz: f64,
}

/// Pairwise spike-count correlations in brief.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationSummary {
    /// Count bin (ms).
    pub bin_ms: f64,
    /// Whole bins in the observation.
    pub bins: usize,
    /// Pairs looked at (all, or the sample).
    pub pairs_examined: usize,
    /// Pairs with a coefficient.
    pub pairs_with_coefficient: usize,
    /// Pairs with a neuron whose count never changes (silent neurons included).
    pub pairs_without_coefficient: usize,
    /// Mean coefficient.
    pub mean: Option<f64>,
    /// Standard deviation of the coefficients (ddof = 0).
    pub std: Option<f64>,
}

/// The statistics of the whole population.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopulationStatistics {
    /// Neurons, silent ones included.
    pub neurons: usize,
    /// Spikes of all neurons.
    pub spike_count: usize,
    /// Start of the observation (ms).
    pub t_start_ms: f64,
    /// End of the observation (ms).
    pub t_stop_ms: f64,
    /// Mean of the neurons' rates (Hz).
    pub mean_rate_hz: Option<f64>,
    /// Standard deviation of the neurons' rates (Hz, ddof = 0).
    pub std_rate_hz: Option<f64>,
    /// Mean ISI CV.
    pub cv_isi: NeuronMean,
    /// Mean CV2.
    pub cv2: NeuronMean,
    /// Mean LV.
    pub lv: NeuronMean,
    /// Fano factors at the main counting window, `fano_window_ms`.
    pub fano: FanoSummary,
    /// Fano factors at every counting window (the main one and the others), by width.
    pub fano_by_window: Vec<FanoSummary>,
    /// Population activity; `None` when no bin fits in the observation.
    pub activity: Option<ActivitySummary>,
    /// Spectrum of the activity; `None` when the activity is shorter than a segment or
    /// constant (no power above 0 Hz).
    pub spectrum: Option<SpectrumSummary>,
    /// Spike-count correlations; `None` with fewer than two neurons, two bins or no pair
    /// asked for.
    pub correlation: Option<CorrelationSummary>,
}

/// Spike-train statistics of a recording: per neuron and for the population.
///
/// Serialized (with serde), an undefined statistic is `null`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpikeStatistics {
    /// Every neuron, in order.
    pub neurons: Vec<NeuronStatistics>,
    /// The population.
    pub population: PopulationStatistics,
}

impl SpikeStatistics {
    /// Computes every statistic of `trains` with `options`.
    ///
    /// Each neuron's train is walked once for its rate and interval statistics and once
    /// per counting window; the activity, its spectrum and the correlations of the chosen
    /// pairs take one more walk.
    ///
    /// ```
    /// use cajal::stats::{SpikeStatistics, SpikeTrains, StatisticsOptions, Window};
    /// let window = Window::new(0.0, 2000.0).unwrap();
    /// let trains =
    ///     SpikeTrains::from_trains(&[vec![100.0, 300.0, 400.0, 1500.0], vec![]], window)
    ///         .unwrap();
    /// let statistics = SpikeStatistics::compute(&trains, &StatisticsOptions::default()).unwrap();
    /// assert_eq!(statistics.neurons[0].rate_hz, 2.0);
    /// assert_eq!(statistics.population.mean_rate_hz, Some(1.0));
    /// ```
    ///
    /// # Errors
    ///
    /// When an option is invalid ([`StatisticsOptions::validate`]).
    pub fn compute(
        trains: &SpikeTrains,
        options: &StatisticsOptions,
    ) -> Result<SpikeStatistics, StatsError> {
        options.validate()?;
        let window = trains.window();
        let span = window.duration_ms();
        check_bin_count("fano_window_ms", span, options.fano_window_ms)?;
        for (i, &width) in options.fano_windows_ms.iter().enumerate() {
            check_bin_count(&format!("fano_windows_ms[{i}]"), span, width)?;
        }
        check_bin_count("activity_bin_ms", span, options.activity_bin_ms)?;
        check_bin_count("correlation_bin_ms", span, options.correlation_bin_ms)?;

        let mut widths = options.fano_windows_ms.clone();
        widths.push(options.fano_window_ms);
        widths.sort_unstable_by(f64::total_cmp);
        widths.dedup();
        let fano_by_window = widths
            .iter()
            .map(|&width| fano_factors(trains, width))
            .collect::<Result<Vec<_>, _>>()?;
        let main_fano = fano_by_window
            .iter()
            .find(|factors| factors.window_ms == options.fano_window_ms)
            .expect("the main window is among the widths");

        let neurons: Vec<NeuronStatistics> = trains
            .trains()
            .enumerate()
            .map(|(neuron, train)| {
                let isi = IsiStatistics::of(train);
                NeuronStatistics {
                    neuron,
                    spike_count: train.len(),
                    rate_hz: train.len() as f64 * 1000.0 / window.duration_ms(),
                    cv_isi: isi.cv,
                    cv2: isi.cv2,
                    lv: isi.lv,
                    fano: main_fano.per_neuron[neuron],
                }
            })
            .collect();

        let rates = NeuronMean::of(neurons.iter().map(|n| Some(n.rate_hz)));
        let std_rate_hz = rates.mean.map(|mean| {
            let variance = neurons
                .iter()
                .map(|n| (n.rate_hz - mean).powi(2))
                .sum::<f64>()
                / neurons.len() as f64;
            variance.sqrt()
        });

        let (activity, spectrum) = activity_and_spectrum(trains, options)?;
        let population = PopulationStatistics {
            neurons: trains.neuron_count(),
            spike_count: trains.spike_count(),
            t_start_ms: window.t_start_ms,
            t_stop_ms: window.t_stop_ms,
            mean_rate_hz: rates.mean,
            std_rate_hz,
            cv_isi: NeuronMean::of(neurons.iter().map(|n| n.cv_isi)),
            cv2: NeuronMean::of(neurons.iter().map(|n| n.cv2)),
            lv: NeuronMean::of(neurons.iter().map(|n| n.lv)),
            fano: FanoSummary::of(main_fano),
            fano_by_window: fano_by_window.iter().map(FanoSummary::of).collect(),
            activity,
            spectrum,
            correlation: correlation(trains, options)?,
        };
        Ok(SpikeStatistics {
            neurons,
            population,
        })
    }
}

fn activity_and_spectrum(
    trains: &SpikeTrains,
    options: &StatisticsOptions,
) -> Result<(Option<ActivitySummary>, Option<SpectrumSummary>), StatsError> {
    let bins = whole_bins(trains.window().duration_ms(), options.activity_bin_ms);
    if trains.neuron_count() == 0 || bins == 0 {
        return Ok((None, None));
    }
    let activity = population_activity(trains, options.activity_bin_ms)?;
    let summary = ActivitySummary {
        bin_ms: activity.bin_ms,
        bins: activity.rate_hz.len(),
        mean_hz: activity.mean_hz().unwrap_or(0.0),
        std_hz: activity.std_hz().unwrap_or(0.0),
    };
    let segment = options
        .spectrum_segment_samples
        .unwrap_or_else(|| default_segment_samples(bins));
    if segment < 2 || segment > bins {
        return Ok((Some(summary), None));
    }
    let spectrum = welch_spectrum(
        &activity.rate_hz,
        activity.sampling_rate_hz(),
        Some(segment),
    )?;
    let spectrum = spectrum
        .peak()
        .map(|(peak_frequency_hz, peak_density)| SpectrumSummary {
            segment_samples: spectrum.segment_samples,
            segments: spectrum.segments,
            frequency_resolution_hz: spectrum.frequency_resolution_hz(),
            peak_frequency_hz,
            peak_density_hz2_per_hz: peak_density,
        });
    Ok((Some(summary), spectrum))
}

fn correlation(
    trains: &SpikeTrains,
    options: &StatisticsOptions,
) -> Result<Option<CorrelationSummary>, StatsError> {
    let bins = whole_bins(trains.window().duration_ms(), options.correlation_bin_ms);
    if trains.neuron_count() < 2 || bins < 2 || options.correlation_pairs == 0 {
        return Ok(None);
    }
    let correlations = spike_count_correlations(
        trains,
        options.correlation_bin_ms,
        options.correlation_pairs,
        options.seed,
    )?;
    Ok(Some(CorrelationSummary {
        bin_ms: correlations.bin_ms,
        bins: correlations.bins,
        pairs_examined: correlations.pairs_examined,
        pairs_with_coefficient: correlations.coefficients.len(),
        pairs_without_coefficient: correlations.pairs_without_coefficient,
        mean: correlations.mean(),
        std: correlations.std(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference::poisson_population;
    use crate::stats::{Window, population_spectrum};

    #[test]
    fn summary_agrees_with_the_single_statistics() {
        let window = Window::new(0.0, 20_000.0).unwrap();
        let trains = poisson_population(30, 15.0, window, 1).unwrap();
        let options = StatisticsOptions {
            correlation_pairs: 100,
            ..StatisticsOptions::default()
        };
        let statistics = SpikeStatistics::compute(&trains, &options).unwrap();
        let population = &statistics.population;
        assert_eq!(population.neurons, 30);
        assert_eq!(population.spike_count, trains.spike_count());
        for (neuron, row) in statistics.neurons.iter().enumerate() {
            let isi = IsiStatistics::of(trains.train(neuron));
            assert_eq!(row.rate_hz, trains.train(neuron).len() as f64 / 20.0);
            assert_eq!((row.cv_isi, row.cv2, row.lv), (isi.cv, isi.cv2, isi.lv));
        }
        let fano = fano_factors(&trains, 1000.0).unwrap();
        assert_eq!(population.fano.neurons.mean, fano.mean());
        assert_eq!(population.fano.population_count, fano.population_count);
        let widths: Vec<f64> = population
            .fano_by_window
            .iter()
            .map(|f| f.window_ms)
            .collect();
        assert_eq!(widths, [10.0, 100.0, 1000.0]);
        let activity = population.activity.as_ref().unwrap();
        assert_eq!(activity.bins, 20_000);
        // The mean activity is the mean rate: every spike lies in a whole bin.
        assert!((activity.mean_hz - population.mean_rate_hz.unwrap()).abs() < 1e-9);
        let spectrum = population.spectrum.as_ref().unwrap();
        let (peak_hz, _) = population_spectrum(&trains, 1.0, None)
            .unwrap()
            .peak()
            .unwrap();
        assert_eq!(spectrum.peak_frequency_hz, peak_hz);
        let correlation = population.correlation.as_ref().unwrap();
        assert_eq!(correlation.pairs_examined, 100);
        assert_eq!(correlation.pairs_with_coefficient, 100);
    }

    #[test]
    fn bad_widths_are_errors_naming_the_option_and_wide_ones_give_null() {
        let window = Window::new(0.0, 500.0).unwrap();
        let trains = SpikeTrains::from_trains(&[vec![10.0, 20.0, 400.0], vec![]], window).unwrap();
        for (options, name) in [
            (
                StatisticsOptions {
                    fano_window_ms: 0.0,
                    ..StatisticsOptions::default()
                },
                "fano_window_ms",
            ),
            (
                StatisticsOptions {
                    fano_windows_ms: vec![10.0, -5.0],
                    ..StatisticsOptions::default()
                },
                "fano_windows_ms[1]",
            ),
            (
                StatisticsOptions {
                    activity_bin_ms: f64::NAN,
                    ..StatisticsOptions::default()
                },
                "activity_bin_ms",
            ),
            (
                StatisticsOptions {
                    correlation_bin_ms: -10.0,
                    ..StatisticsOptions::default()
                },
                "correlation_bin_ms",
            ),
            (
                StatisticsOptions {
                    spectrum_segment_samples: Some(1),
                    ..StatisticsOptions::default()
                },
                "spectrum_segment_samples",
            ),
        ] {
            let error = SpikeStatistics::compute(&trains, &options).unwrap_err();
            assert!(error.message.contains(name), "{error}");
        }
        // 500 ms of observation: windows of 1 s and a correlation bin of 400 ms do not fit
        // twice, a 1 s activity bin not at all, a segment of 1000 samples is too long.
        let wide = StatisticsOptions {
            correlation_bin_ms: 400.0,
            spectrum_segment_samples: Some(1000),
            ..StatisticsOptions::default()
        };
        let statistics = SpikeStatistics::compute(&trains, &wide).unwrap();
        let json = serde_json::to_value(&statistics).unwrap();
        assert!(json["neurons"][0]["fano"].is_null());
        assert!(json["population"]["fano"]["population_count"].is_null());
        assert!(json["population"]["spectrum"].is_null());
        assert!(json["population"]["correlation"].is_null());
        assert_eq!(json["population"]["activity"]["bins"], 500);
        assert_eq!(json["neurons"][0]["rate_hz"], 6.0);
        assert!(json["neurons"][1]["cv_isi"].is_null());
        assert_eq!(json["population"]["cv_isi"]["neurons"], 1);
        let coarse = StatisticsOptions {
            activity_bin_ms: 1000.0,
            ..StatisticsOptions::default()
        };
        let statistics = SpikeStatistics::compute(&trains, &coarse).unwrap();
        assert_eq!(statistics.population.activity, None);
    }

    #[test]
    fn no_neurons_and_no_spikes_give_nulls_not_panics() {
        let window = Window::new(0.0, 5000.0).unwrap();
        let options = StatisticsOptions::default();
        let empty = SpikeTrains::from_trains(&[], window).unwrap();
        let statistics = SpikeStatistics::compute(&empty, &options).unwrap();
        assert_eq!(statistics.population.mean_rate_hz, None);
        assert_eq!(statistics.population.activity, None);
        let silent = SpikeTrains::from_trains(&[vec![], vec![]], window).unwrap();
        let statistics = SpikeStatistics::compute(&silent, &options).unwrap();
        assert_eq!(statistics.population.mean_rate_hz, Some(0.0));
        let correlation = statistics.population.correlation.unwrap();
        assert_eq!(correlation.pairs_without_coefficient, 1);
        assert_eq!(correlation.mean, None);
        // A silent population's activity is flat: its spectrum is 0 everywhere and has no
        // peak to report.
        assert_eq!(statistics.population.spectrum, None);
    }
}

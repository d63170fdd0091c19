//! Power spectral density by Welch's method, for the population activity (or any evenly
//! sampled signal).

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

use super::activity::population_activity;
use super::trains::{SpikeTrains, StatsError};

/// Segments are never shorter than this by default: 256 samples, scipy's default too.
const MIN_DEFAULT_SEGMENT_SAMPLES: usize = 256;

/// A one-sided power spectral density.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerSpectrum {
    /// Frequencies k·fs/L, k = 0 … ⌊L/2⌋ (Hz).
    pub frequencies_hz: Vec<f64>,
    /// Density at each frequency, in (signal unit)²/Hz: Hz²/Hz for a rate in Hz.
    pub density: Vec<f64>,
    /// Samples per segment L.
    pub segment_samples: usize,
    /// Segments averaged.
    pub segments: usize,
    /// Sampling rate fs of the signal (Hz).
    pub sampling_rate_hz: f64,
}

impl PowerSpectrum {
    /// Spacing of the frequencies, fs/L (Hz).
    pub fn frequency_resolution_hz(&self) -> f64 {
        self.sampling_rate_hz / self.segment_samples as f64
    }

    /// The frequency (Hz) and density of the largest density above 0 Hz; `None` when the
    /// spectrum has no frequency but 0, or no power above 0 Hz (a constant activity, e.g.
    /// a silent population, has no peak to report).
    pub fn peak(&self) -> Option<(f64, f64)> {
        let (k, &density) = self
            .density
            .iter()
            .enumerate()
            .skip(1)
            .max_by(|a, b| a.1.total_cmp(b.1))?;
        (density > 0.0).then(|| (self.frequencies_hz[k], density))
    }
}

/// The default segment length for `samples` samples: the largest power of two not above
/// samples/8 (some 15 half-overlapping segments to average), but at least 256 samples, and
/// all samples when there are fewer.
pub fn default_segment_samples(samples: usize) -> usize {
    if samples <= MIN_DEFAULT_SEGMENT_SAMPLES {
        return samples;
    }
    let eighth = samples / 8;
    let power_of_two = if eighth == 0 { 0 } else { 1 << eighth.ilog2() };
    power_of_two.max(MIN_DEFAULT_SEGMENT_SAMPLES)
}

/// Welch's estimate of the power spectral density of `signal` sampled at
/// `sampling_rate_hz`: segments of L = `segment_samples` samples (default
/// [`default_segment_samples`]) overlapping by ⌊L/2⌋, each with its own mean removed and
/// multiplied by the periodic Hann window wᵢ = ½(1 − cos 2πi/L), then
///
///   P(f_k) = c_k / (fs · Σᵢ wᵢ²) · |Σᵢ wᵢ xᵢ e^(−2πi·ik/L)|²,
///
/// averaged over segments, with c_k = 2 except at 0 Hz and at the Nyquist frequency
/// (c = 1), so that Σ_k P(f_k)·fs/L is the variance of the signal (Parseval). This is
/// `scipy.signal.welch(x, fs, window='hann', nperseg=L, noverlap=L//2,
/// detrend='constant', scaling='density')`.
///
/// # Errors
///
/// When the sampling rate is not positive and finite, or the segment is shorter than 2
/// samples or longer than the signal.
pub fn welch_spectrum(
    signal: &[f64],
    sampling_rate_hz: f64,
    segment_samples: Option<usize>,
) -> Result<PowerSpectrum, StatsError> {
    if !(sampling_rate_hz.is_finite() && sampling_rate_hz > 0.0) {
        return Err(StatsError::new(format!(
            "sampling rate {sampling_rate_hz} Hz: must be positive and finite"
        )));
    }
    let length = segment_samples.unwrap_or_else(|| default_segment_samples(signal.len()));
    if length < 2 || length > signal.len() {
        return Err(StatsError::new(format!(
            "spectrum segment of {length} samples: needs 2 or more, and at most the {} of \
             the signal",
            signal.len()
        )));
    }
    let step = length - length / 2;
    let segments = (signal.len() - length) / step + 1;
    let window: Vec<f64> = (0..length)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / length as f64).cos())
        .collect();
    let window_power: f64 = window.iter().map(|w| w * w).sum();
    let fft = FftPlanner::new().plan_fft_forward(length);
    let mut buffer = vec![Complex::new(0.0, 0.0); length];
    let mut scratch = vec![Complex::new(0.0, 0.0); fft.get_inplace_scratch_len()];
    let frequencies = length / 2 + 1;
    let mut density = vec![0.0; frequencies];
    for segment in 0..segments {
        let samples = &signal[segment * step..segment * step + length];
        let mean = samples.iter().sum::<f64>() / length as f64;
        for ((slot, &x), &w) in buffer.iter_mut().zip(samples).zip(&window) {
            *slot = Complex::new((x - mean) * w, 0.0);
        }
        fft.process_with_scratch(&mut buffer, &mut scratch);
        for (power, value) in density.iter_mut().zip(&buffer) {
            *power += value.norm_sqr();
        }
    }
    let scale = 1.0 / (sampling_rate_hz * window_power * segments as f64);
    for (k, power) in density.iter_mut().enumerate() {
        // The negative frequencies fold onto the positive ones, except 0 and (for even L)
        // the Nyquist frequency, which have no partner.
        let one_sided = if k == 0 || 2 * k == length { 1.0 } else { 2.0 };
        *power *= one_sided * scale;
    }
    Ok(PowerSpectrum {
        frequencies_hz: (0..frequencies)
            .map(|k| k as f64 * sampling_rate_hz / length as f64)
            .collect(),
        density,
        segment_samples: length,
        segments,
        sampling_rate_hz,
    })
}

/// The spectrum of the population activity ν(t) in bins of `bin_ms` (sampled at
/// 1000/bin Hz), in Hz²/Hz.
///
/// # Errors
///
/// As [`crate::stats::population_activity`] and [`welch_spectrum`].
pub fn population_spectrum(
    trains: &SpikeTrains,
    bin_ms: f64,
    segment_samples: Option<usize>,
) -> Result<PowerSpectrum, StatsError> {
    let activity = population_activity(trains, bin_ms)?;
    welch_spectrum(
        &activity.rate_hz,
        activity.sampling_rate_hz(),
        segment_samples,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Purpose};
    use crate::stats::Window;
    use crate::stats::reference::{SinusoidalRate, modulated_poisson_train};

    #[test]
    fn a_sinusoid_on_a_frequency_of_the_grid_keeps_its_variance_in_three_bins() {
        // A sin(2π f₀ t) with f₀ = 8·fs/L: the Hann window spreads it over f₀ and its two
        // neighbours (|X| = AL/4 and AL/8), whose densities times fs/L add up to the
        // sinusoid's variance A²/2; everything else is 0 up to rounding.
        let (fs, length, amplitude) = (1000.0, 128, 3.0);
        let f0 = 8.0 * fs / length as f64;
        let signal: Vec<f64> = (0..1024)
            .map(|i| 5.0 + amplitude * (std::f64::consts::TAU * f0 * i as f64 / fs).sin())
            .collect();
        let spectrum = welch_spectrum(&signal, fs, Some(length)).unwrap();
        assert_eq!(spectrum.segments, (1024 - 128) / 64 + 1);
        assert_eq!(spectrum.frequencies_hz.len(), 65);
        assert_eq!(spectrum.frequency_resolution_hz(), fs / 128.0);
        let (peak_hz, peak) = spectrum.peak().unwrap();
        assert_eq!(peak_hz, f0);
        // Peak density A²L/(3fs): |AL/4|²·2/(fs·3L/8).
        assert!((peak - amplitude.powi(2) * length as f64 / (3.0 * fs)).abs() < 1e-9);
        let df = spectrum.frequency_resolution_hz();
        let in_peak: f64 = spectrum.density[7..=9].iter().sum::<f64>() * df;
        assert!(
            (in_peak - amplitude.powi(2) / 2.0).abs() < 1e-9,
            "{in_peak}"
        );
        let elsewhere: f64 = spectrum.density.iter().sum::<f64>() * df - in_peak;
        assert!(elsewhere.abs() < 1e-9, "{elsewhere}");
    }

    #[test]
    fn segments_default_to_a_power_of_two_and_bad_ones_are_errors() {
        assert_eq!(default_segment_samples(100), 100);
        assert_eq!(default_segment_samples(300), 256);
        assert_eq!(default_segment_samples(100_000), 8192);
        assert!(welch_spectrum(&[1.0; 10], 1000.0, Some(11)).is_err());
        assert!(welch_spectrum(&[1.0; 10], 1000.0, Some(1)).is_err());
        assert!(welch_spectrum(&[1.0; 10], 0.0, None).is_err());
        // A constant signal has no power once its mean is removed.
        let flat = welch_spectrum(&[4.0; 10], 1000.0, None).unwrap();
        assert!(flat.density.iter().all(|&p| p == 0.0));
    }

    #[test]
    fn modulated_population_rate_peaks_at_the_modulation_frequency() {
        // 100 neurons at r(t) = 10(1 + 0.5 sin 2π·20t) Hz for 10 s; ν in 1 ms bins. The
        // modulation is a 5 Hz sinusoid in ν, of density about A²L/(3fs) ≈ 8 Hz²/Hz at its
        // frequency; the Poisson noise of ν is white, of density 2σ²/fs = 2·r₀/(N·b)/fs =
        // 0.2 Hz²/Hz. The peak must be the grid frequency nearest 20 Hz or a neighbour.
        let rate = SinusoidalRate {
            base_rate_hz: 10.0,
            modulation_depth: 0.5,
            frequency_hz: 20.0,
        };
        let window = Window::new(0.0, 10_000.0).unwrap();
        let trains: Vec<Vec<f64>> = (0..100)
            .map(|neuron| {
                let mut rng = rng::stream(2, Purpose::SpikeSource, 0, neuron);
                modulated_poisson_train(&rate, window, &mut rng).unwrap()
            })
            .collect();
        let trains = SpikeTrains::from_trains(&trains, window).unwrap();
        let spectrum = population_spectrum(&trains, 1.0, None).unwrap();
        assert_eq!(spectrum.segment_samples, 1024);
        let (peak_hz, peak) = spectrum.peak().unwrap();
        let resolution = spectrum.frequency_resolution_hz();
        assert!((peak_hz - 20.0).abs() <= resolution, "peak at {peak_hz} Hz");
        // Away from the peak, the white floor 2r₀/(N·b·fs). Its mean over 100–400 Hz rests
        // on some 3000 independent spectral values (60% of the 10⁴ samples' 5000 two-degree
        // cells): relative standard error √(1.5/3000) ≈ 2.2%, the 1.5 for the excess kurtosis
        // 1/λ = 1 of Poisson counts of mean λ = N·r₀·b = 1. 10% is 4.5 standard errors.
        let floor = 2.0 * 10.0 / (100.0 * 0.001) / 1000.0;
        let band: Vec<f64> = spectrum
            .frequencies_hz
            .iter()
            .zip(&spectrum.density)
            .filter(|&(&f, _)| (100.0..400.0).contains(&f))
            .map(|(_, &p)| p)
            .collect();
        let mean_floor = band.iter().sum::<f64>() / band.len() as f64;
        assert!(
            (mean_floor / floor - 1.0).abs() < 0.1,
            "{mean_floor} vs {floor}"
        );
        assert!(peak > 10.0 * floor);
    }
}

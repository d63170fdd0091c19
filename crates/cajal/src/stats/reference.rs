//! Reference processes: what a Poisson or gamma renewal process would give (to compare and
//! overlay), and generators of such trains (reproducible from a seeded stream).

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, Gamma};

use super::isi::IsiHistogram;
use super::trains::{SpikeTrains, StatsError, Window};
use crate::rng::{self, Purpose};

/// A homogeneous Poisson process of rate r: exponential intervals of density r·e^(−r t),
/// so CV = CV2 = LV = 1, and Poisson counts, so the Fano factor is 1 for every window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonReference {
    /// Rate r (Hz).
    pub rate_hz: f64,
}

impl PoissonReference {
    /// CV of the intervals: the exponential distribution's std equals its mean.
    pub const CV: f64 = 1.0;
    /// CV2: for exponential intervals (I₂ − I₁)/(I₂ + I₁) is uniform on (−1, 1), of mean
    /// absolute value 1/2.
    pub const CV2: f64 = 1.0;
    /// LV: 3·E[((I₁ − I₂)/(I₁ + I₂))²] = 3·1/3.
    pub const LV: f64 = 1.0;
    /// Fano factor of the counts: a Poisson count's variance equals its mean.
    pub const FANO: f64 = 1.0;

    /// r in spikes per ms.
    fn rate_per_ms(&self) -> f64 {
        self.rate_hz / 1000.0
    }

    /// The interval density r·e^(−r t) at `interval_ms`, per ms (0 for negative intervals).
    pub fn isi_density_per_ms(&self, interval_ms: f64) -> f64 {
        if interval_ms < 0.0 {
            return 0.0;
        }
        let rate = self.rate_per_ms();
        rate * (-rate * interval_ms).exp()
    }

    /// The expected number among `intervals` intervals that lie in [from_ms, to_ms):
    /// n·(e^(−r·from) − e^(−r·to)), the height of a histogram bar to overlay.
    pub fn expected_isi_count(&self, intervals: u64, from_ms: f64, to_ms: f64) -> f64 {
        let rate = self.rate_per_ms();
        let survival = |t: f64| (-rate * t.max(0.0)).exp();
        intervals as f64 * (survival(from_ms) - survival(to_ms))
    }

    /// The expected count of every bin of `histogram`, given its number of intervals.
    pub fn expected_isi_histogram(&self, histogram: &IsiHistogram) -> Vec<f64> {
        (0..histogram.counts.len())
            .map(|k| {
                self.expected_isi_count(
                    histogram.intervals,
                    histogram.edge_ms(k),
                    histogram.edge_ms(k + 1),
                )
            })
            .collect()
    }
}

/// A gamma renewal process of shape k and rate r: intervals Gamma(k, scale 1/(k·r)), so
/// CV = 1/√k and LV = 3/(2k + 1) (for independent intervals B = I₁/(I₁ + I₂) is Beta(k, k),
/// and (I₁ − I₂)/(I₁ + I₂) = 2B − 1 has variance 4·Var(B) = 1/(2k + 1)). k = 1 is Poisson.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaReference {
    /// Shape k.
    pub shape: f64,
    /// Rate r (Hz).
    pub rate_hz: f64,
}

impl GammaReference {
    /// CV = 1/√k.
    pub fn cv(&self) -> f64 {
        1.0 / self.shape.sqrt()
    }

    /// LV = 3/(2k + 1).
    pub fn lv(&self) -> f64 {
        3.0 / (2.0 * self.shape + 1.0)
    }

    /// The Fano factor of counts in windows much longer than an interval: CV² = 1/k, as
    /// for every renewal process (Cox 1962, Renewal Theory).
    pub fn long_window_fano(&self) -> f64 {
        1.0 / self.shape
    }
}

fn check_rate(rate_hz: f64) -> Result<(), StatsError> {
    if rate_hz.is_finite() && rate_hz >= 0.0 {
        Ok(())
    } else {
        Err(StatsError::new(format!(
            "rate_hz = {rate_hz}: a rate must be a finite number of Hz, 0 or more"
        )))
    }
}

/// A homogeneous Poisson train of `rate_hz` over `window`: exponential intervals drawn from
/// `rng`, starting at t_start (the process has no memory, so it is stationary from there).
///
/// ```
/// use cajal::rng::{stream, Purpose};
/// use cajal::stats::{poisson_train, Window};
/// let window = Window::new(0.0, 10_000.0).unwrap();
/// let mut rng = stream(1, Purpose::SpikeSource, 0, 0);
/// let train = poisson_train(10.0, window, &mut rng).unwrap();
/// assert!(train.is_sorted() && train.len() > 50 && train.len() < 150);
/// ```
///
/// # Errors
///
/// When `rate_hz` is negative or not finite.
pub fn poisson_train<R: Rng + ?Sized>(
    rate_hz: f64,
    window: Window,
    rng: &mut R,
) -> Result<Vec<f64>, StatsError> {
    check_rate(rate_hz)?;
    let mut train = Vec::new();
    if rate_hz == 0.0 {
        return Ok(train);
    }
    let mean_interval_ms = 1000.0 / rate_hz;
    let mut time = window.t_start_ms;
    loop {
        let interval: f64 = Exp1.sample(rng);
        time += interval * mean_interval_ms;
        if time > window.t_stop_ms {
            return Ok(train);
        }
        train.push(time);
    }
}

/// A gamma renewal train of shape `shape` and rate `rate_hz` over `window` (intervals
/// Gamma(k, 1/(k·r)), CV = 1/√k), the first spike one interval after t_start.
///
/// # Errors
///
/// When the rate is negative or not finite, or the shape not positive and finite.
pub fn gamma_train<R: Rng + ?Sized>(
    shape: f64,
    rate_hz: f64,
    window: Window,
    rng: &mut R,
) -> Result<Vec<f64>, StatsError> {
    check_rate(rate_hz)?;
    if !(shape.is_finite() && shape > 0.0) {
        return Err(StatsError::new(format!(
            "shape = {shape}: the shape of a gamma process must be positive and finite"
        )));
    }
    let mut train = Vec::new();
    if rate_hz == 0.0 {
        return Ok(train);
    }
    let scale_ms = 1000.0 / (shape * rate_hz);
    let intervals = Gamma::new(shape, scale_ms)
        .map_err(|error| StatsError::new(format!("gamma intervals: {error}")))?;
    let mut time = window.t_start_ms;
    loop {
        time += intervals.sample(rng);
        if time > window.t_stop_ms {
            return Ok(train);
        }
        train.push(time);
    }
}

/// A regular train of `rate_hz` over `window`: spikes at t_start + phase + k/r, each time
/// computed from k (not summed), so that the intervals do not drift.
///
/// # Errors
///
/// When the rate is not positive and finite or the phase negative or not finite.
pub fn regular_train(rate_hz: f64, phase_ms: f64, window: Window) -> Result<Vec<f64>, StatsError> {
    check_rate(rate_hz)?;
    if rate_hz == 0.0 {
        return Ok(Vec::new());
    }
    if !(phase_ms.is_finite() && phase_ms >= 0.0) {
        return Err(StatsError::new(format!(
            "phase_ms = {phase_ms}: the phase of a regular train must be 0 or more"
        )));
    }
    let period_ms = 1000.0 / rate_hz;
    let first_ms = window.t_start_ms + phase_ms;
    Ok((0..)
        .map(|k| first_ms + k as f64 * period_ms)
        .take_while(|&time| time <= window.t_stop_ms)
        .collect())
}

/// A sinusoidally modulated rate r(t) = r₀·(1 + m·sin(2π f t)), t in s from time 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SinusoidalRate {
    /// Mean rate r₀ (Hz).
    pub base_rate_hz: f64,
    /// Modulation depth m, in [0, 1] so that the rate stays non-negative.
    pub modulation_depth: f64,
    /// Modulation frequency f (Hz).
    pub frequency_hz: f64,
}

impl SinusoidalRate {
    /// r(t) in Hz at `time_ms`.
    pub fn rate_hz(&self, time_ms: f64) -> f64 {
        let phase = std::f64::consts::TAU * self.frequency_hz * time_ms / 1000.0;
        self.base_rate_hz * (1.0 + self.modulation_depth * phase.sin())
    }
}

/// An inhomogeneous Poisson train of rate `rate` over `window`, by thinning (Lewis & Shedler
/// 1979): candidates of a Poisson process at the peak rate r₀(1 + m), each kept with
/// probability r(t)/(r₀(1 + m)).
///
/// # Errors
///
/// When the base rate is negative or not finite, the depth outside [0, 1] or the frequency
/// negative or not finite.
pub fn modulated_poisson_train<R: Rng + ?Sized>(
    rate: &SinusoidalRate,
    window: Window,
    rng: &mut R,
) -> Result<Vec<f64>, StatsError> {
    check_rate(rate.base_rate_hz)?;
    if !(0.0..=1.0).contains(&rate.modulation_depth) {
        return Err(StatsError::new(format!(
            "modulation_depth = {}: must lie in [0, 1] so that the rate stays 0 or more",
            rate.modulation_depth
        )));
    }
    if !(rate.frequency_hz.is_finite() && rate.frequency_hz >= 0.0) {
        return Err(StatsError::new(format!(
            "frequency_hz = {}: a modulation frequency must be 0 or more",
            rate.frequency_hz
        )));
    }
    let peak_hz = rate.base_rate_hz * (1.0 + rate.modulation_depth);
    let candidates = poisson_train(peak_hz, window, rng)?;
    Ok(candidates
        .into_iter()
        .filter(|&time| rng.random::<f64>() * peak_hz < rate.rate_hz(time))
        .collect())
}

/// `neuron_count` independent Poisson trains of `rate_hz` over `window`, neuron i drawing
/// from stream i of `seed` (for [`Purpose::SpikeSource`]), so any neuron's train is the
/// same whatever the number of neurons.
///
/// # Errors
///
/// When `rate_hz` is negative or not finite.
pub fn poisson_population(
    neuron_count: usize,
    rate_hz: f64,
    window: Window,
    seed: u64,
) -> Result<SpikeTrains, StatsError> {
    let trains = (0..neuron_count)
        .map(|neuron| {
            let mut rng = rng::stream(seed, Purpose::SpikeSource, 0, neuron as u64);
            poisson_train(rate_hz, window, &mut rng)
        })
        .collect::<Result<Vec<_>, _>>()?;
    SpikeTrains::from_trains(&trains, window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{IsiStatistics, isi_histogram};

    fn rng(id: u64) -> rng::Stream {
        rng::stream(5, Purpose::SpikeSource, 1, id)
    }

    /// Upper bound on the standard error of a mean of m terms that are 1-dependent (each
    /// shares an interval with its neighbours only) and of variance `variance`:
    /// Var(mean) = (σ² + 2γ₁)/m ≤ 3σ²/m, as |γ₁| ≤ σ².
    fn one_dependent_standard_error(variance: f64, terms: usize) -> f64 {
        (3.0 * variance / terms as f64).sqrt()
    }

    /// Var(((I₁ − I₂)/(I₁ + I₂))²) for gamma intervals of shape k: with B ~ Beta(k, k),
    /// E[(2B − 1)²] = 1/(2k + 1) and E[(2B − 1)⁴] = 3/((2k + 1)(2k + 3)) (the kurtosis of a
    /// symmetric beta, 3 − 6/(2k + 3)).
    fn squared_ratio_variance(k: f64) -> f64 {
        3.0 / ((2.0 * k + 1.0) * (2.0 * k + 3.0)) - 1.0 / (2.0 * k + 1.0).powi(2)
    }

    /// Delta-method standard error of the sample CV of n gamma intervals of shape k:
    /// Var(ĉ)/c² ≈ (1/n)[(μ₄ − σ⁴)/(4σ⁴) − μ₃/(σ²μ) + σ²/μ²] = (1/n)(1/2 + 1/(2k)).
    fn cv_standard_error(k: f64, intervals: usize) -> f64 {
        (0.5 + 0.5 / k).sqrt() / k.sqrt() / (intervals as f64).sqrt()
    }

    #[test]
    fn poisson_trains_have_cv_cv2_lv_one() {
        // 100 Hz for 1000 s: n ≈ 10⁵ intervals.
        let window = Window::new(0.0, 1_000_000.0).unwrap();
        let train = poisson_train(100.0, window, &mut rng(0)).unwrap();
        let isi = IsiStatistics::of(&train);
        let n = isi.intervals;
        assert!((n as f64 - 1e5).abs() < 4.0 * 1e5f64.sqrt(), "{n} spikes");
        let cv = isi.cv.unwrap();
        assert!(
            (cv - PoissonReference::CV).abs() < 4.0 * cv_standard_error(1.0, n),
            "{cv}"
        );
        // 2|2B − 1| with B uniform has variance 4(1/3 − 1/4) = 1/3.
        let cv2 = isi.cv2.unwrap();
        let bound = one_dependent_standard_error(1.0 / 3.0, n - 1);
        assert!((cv2 - PoissonReference::CV2).abs() < 4.0 * bound, "{cv2}");
        let lv = isi.lv.unwrap();
        let bound = 3.0 * one_dependent_standard_error(squared_ratio_variance(1.0), n - 1);
        assert!((lv - PoissonReference::LV).abs() < 4.0 * bound, "{lv}");
    }

    #[test]
    fn gamma_trains_have_cv_one_over_root_k_and_lv_three_over_2k_plus_1() {
        let reference = GammaReference {
            shape: 4.0,
            rate_hz: 100.0,
        };
        let window = Window::new(0.0, 1_000_000.0).unwrap();
        let train = gamma_train(4.0, 100.0, window, &mut rng(1)).unwrap();
        let isi = IsiStatistics::of(&train);
        let n = isi.intervals;
        let mean = isi.mean_isi_ms.unwrap();
        // Mean interval 10 ms with std 5 ms: standard error 5/√n.
        assert!(
            (mean - 10.0).abs() < 4.0 * 5.0 / (n as f64).sqrt(),
            "{mean}"
        );
        let cv = isi.cv.unwrap();
        assert!(
            (cv - reference.cv()).abs() < 4.0 * cv_standard_error(4.0, n),
            "{cv}"
        );
        let lv = isi.lv.unwrap();
        let bound = 3.0 * one_dependent_standard_error(squared_ratio_variance(4.0), n - 1);
        assert!(
            (lv - reference.lv()).abs() < 4.0 * bound,
            "{lv} vs {}",
            reference.lv()
        );
    }

    #[test]
    fn regular_trains_have_no_variability() {
        let window = Window::new(-500.0, 10_000.0).unwrap();
        let train = regular_train(37.0, 3.3, window).unwrap();
        assert!((train[0] + 496.7).abs() < 1e-12);
        // −496.7 ms + k/(37 Hz) ≤ 10 s for k ≤ 388.
        assert_eq!(train.len(), 389);
        let isi = IsiStatistics::of(&train);
        // Rounding of the spike times alone: intervals agree to ~10⁻¹² ms.
        for value in [isi.cv, isi.cv2, isi.lv] {
            assert!(value.unwrap() < 1e-12, "{value:?}");
        }
    }

    #[test]
    fn modulated_trains_follow_their_rate() {
        // r(t) = 50(1 + 0.8 sin 2π·5t) over 200 s, 10 neurons' worth (10⁵ spikes expected):
        // spikes in the rising half-periods (sin > 0) and the falling ones have means
        // 50(1 ± 0.8·2/π)·100 s·10 and Poisson standard errors of their square roots.
        let rate = SinusoidalRate {
            base_rate_hz: 50.0,
            modulation_depth: 0.8,
            frequency_hz: 5.0,
        };
        assert!((rate.rate_hz(50.0) - 90.0).abs() < 1e-12);
        let window = Window::new(0.0, 200_000.0).unwrap();
        let (mut high, mut low) = (0.0, 0.0);
        for id in 0..10 {
            for time in modulated_poisson_train(&rate, window, &mut rng(10 + id)).unwrap() {
                if (time / 1000.0 * 5.0).fract() < 0.5 {
                    high += 1.0;
                } else {
                    low += 1.0;
                }
            }
        }
        let expected_high = 50.0 * (1.0 + 0.8 * 2.0 / std::f64::consts::PI) * 100.0 * 10.0;
        let expected_low = 50.0 * (1.0 - 0.8 * 2.0 / std::f64::consts::PI) * 100.0 * 10.0;
        assert!(
            (high - expected_high).abs() < 4.0 * expected_high.sqrt(),
            "{high}"
        );
        assert!(
            (low - expected_low).abs() < 4.0 * expected_low.sqrt(),
            "{low}"
        );
        let bad = SinusoidalRate {
            modulation_depth: 1.5,
            ..rate
        };
        assert!(modulated_poisson_train(&bad, window, &mut rng(0)).is_err());
    }

    #[test]
    fn isi_histogram_of_poisson_trains_matches_the_exponential_density() {
        // Each bar is a binomial count, close to Poisson for bars far below the total: it
        // lies within 4√E of its expectation E.
        let window = Window::new(0.0, 100_000.0).unwrap();
        let trains = poisson_population(20, 50.0, window, 8).unwrap();
        let histogram = isi_histogram(&trains, 2.0, 60.0).unwrap();
        let reference = PoissonReference { rate_hz: 50.0 };
        let expected = reference.expected_isi_histogram(&histogram);
        for (k, (&count, &expected)) in histogram.counts.iter().zip(&expected).enumerate() {
            assert!(
                (count as f64 - expected).abs() < 4.0 * expected.sqrt(),
                "bin {k}: {count} vs {expected}"
            );
        }
        // Over a narrow bin [t, t + h) the expected fraction is density(t)·h to first order,
        // with a relative error r·h/2 = 2.5·10⁻⁵ for h = 1 µs.
        let density = reference.isi_density_per_ms(10.0);
        let fraction = reference.expected_isi_count(1_000_000, 10.0, 10.001) / 1_000_000.0;
        assert!((density * 0.001 / fraction - 1.0).abs() < 3e-5);
        assert_eq!(reference.isi_density_per_ms(-1.0), 0.0);
    }

    #[test]
    fn generators_are_reproducible_and_check_their_parameters() {
        let window = Window::new(0.0, 1000.0).unwrap();
        let a = poisson_population(3, 20.0, window, 4).unwrap();
        assert_eq!(a, poisson_population(3, 20.0, window, 4).unwrap());
        // Neuron 1's train does not depend on how many neurons there are.
        let b = poisson_population(5, 20.0, window, 4).unwrap();
        assert_eq!(a.train(1), b.train(1));
        assert!(poisson_train(-1.0, window, &mut rng(0)).is_err());
        assert!(gamma_train(0.0, 10.0, window, &mut rng(0)).is_err());
        assert!(regular_train(10.0, -1.0, window).is_err());
        assert!(poisson_train(0.0, window, &mut rng(0)).unwrap().is_empty());
    }
}

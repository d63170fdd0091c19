//! Time-dependent rates of Poisson processes, and their exact integrals.
//!
//! An inhomogeneous Poisson process of rate ν(t) has, in an interval [a, b), a count that is
//! Poisson distributed with mean Λ = ∫ₐᵇ ν(t) dt, independently of other intervals (Cox &
//! Isham 1980, *Point Processes*, §4.2). Drawing one count per step with that mean is
//! therefore exact for the given profile — there is no error from holding the rate constant
//! over a step — as long as the integral is exact, which it is for every profile here: closed
//! forms for constants and sinusoids, piece by piece for sampled rates.

use super::{InputError, TimeSeries, non_negative, positive, waveform};

/// How the rate (Hz) of a Poisson process depends on time (ms).
#[derive(Clone, Debug, PartialEq)]
pub enum RateProfile {
    /// ν(t) = ν₀.
    Constant {
        /// ν₀ (Hz).
        rate_hz: f64,
    },
    /// ν(t) = max(0, ν₀ + ν₁ sin(2πft + φ)): clipped at 0 where the amplitude exceeds the
    /// mean, so that the process is still defined (the time average is then above ν₀).
    Sinusoidal {
        /// ν₀ (Hz).
        mean_hz: f64,
        /// ν₁ (Hz), not negative (a phase of π inverts the modulation).
        amplitude_hz: f64,
        /// f (Hz).
        frequency_hz: f64,
        /// φ (radians): the phase at t = 0.
        phase: f64,
    },
    /// Sampled rates (Hz), stepped or linearly interpolated; 0 before the first sample, the
    /// last held after the last (as a time-series current).
    Sampled(TimeSeries),
}

impl RateProfile {
    /// Checks the profile: finite, no negative rate, a positive frequency.
    ///
    /// # Errors
    /// A negative or non-finite rate, mean or amplitude, a frequency that is not positive, a
    /// non-finite phase, or samples that do not form a waveform.
    pub fn validate(&self) -> Result<(), InputError> {
        match self {
            RateProfile::Constant { rate_hz } => {
                non_negative("rate", *rate_hz, "Hz")?;
            }
            RateProfile::Sinusoidal {
                mean_hz,
                amplitude_hz,
                frequency_hz,
                phase,
            } => {
                non_negative("mean rate", *mean_hz, "Hz")?;
                non_negative("rate amplitude", *amplitude_hz, "Hz")?;
                positive("modulation frequency", *frequency_hz, "Hz")?;
                super::finite("phase", *phase)?;
            }
            RateProfile::Sampled(series) => {
                super::check_samples("rate profile", &series.times_ms, &series.values)?;
                if let Some((index, &value)) =
                    series.values.iter().enumerate().find(|(_, v)| **v < 0.0)
                {
                    return Err(InputError::NegativeAt {
                        what: "rate profile",
                        index,
                        value: super::Quantity { value, unit: "Hz" },
                    });
                }
            }
        }
        Ok(())
    }

    /// The largest rate the profile reaches (Hz).
    pub fn peak_hz(&self) -> f64 {
        match self {
            RateProfile::Constant { rate_hz } => *rate_hz,
            RateProfile::Sinusoidal {
                mean_hz,
                amplitude_hz,
                ..
            } => mean_hz + amplitude_hz,
            // Linear pieces reach their extremes at the samples.
            RateProfile::Sampled(series) => series.values.iter().copied().fold(0.0, f64::max),
        }
    }

    /// ν(t) (Hz); right-continuous at the jumps of a stepped profile.
    pub fn rate_at(&self, time_ms: f64) -> f64 {
        match self {
            RateProfile::Constant { rate_hz } => *rate_hz,
            RateProfile::Sinusoidal {
                mean_hz,
                amplitude_hz,
                frequency_hz,
                phase,
            } => {
                let angle = std::f64::consts::TAU * cycles(*frequency_hz, *phase, time_ms);
                (mean_hz + amplitude_hz * angle.sin()).max(0.0)
            }
            RateProfile::Sampled(series) => waveform::series_value(
                &series.times_ms,
                &series.values,
                series.interpolation,
                time_ms,
            ),
        }
    }

    /// The expected number of events in [`a_ms`, `b_ms`): ∫ₐᵇ ν(t) dt, with ν in Hz and t in
    /// ms (hence the factor 10⁻³). 0 when b ≤ a.
    pub fn expected_count(&self, a_ms: f64, b_ms: f64) -> f64 {
        if b_ms <= a_ms {
            return 0.0;
        }
        let hz_ms = match self {
            RateProfile::Constant { rate_hz } => rate_hz * (b_ms - a_ms),
            RateProfile::Sinusoidal {
                mean_hz,
                amplitude_hz,
                frequency_hz,
                phase,
            } => {
                // In the angle θ = 2π(f t + φ/2π): dt = dθ/ω with ω = 2πf·10⁻³ per ms. The
                // start is reduced to one period before it is turned into an angle, so that
                // late in a long run the step's integral keeps its relative precision.
                let omega = std::f64::consts::TAU * frequency_hz * 1e-3;
                let start = cycles(*frequency_hz, *phase, a_ms);
                let start = std::f64::consts::TAU * (start - start.floor());
                let width = omega * (b_ms - a_ms);
                clipped_sine_integral(*mean_hz, *amplitude_hz, start, width) / omega
            }
            RateProfile::Sampled(series) => waveform::series_integral(
                &series.times_ms,
                &series.values,
                series.interpolation,
                a_ms,
                b_ms,
            ),
        };
        hz_ms * 1e-3
    }

    /// Whether the rate is the same at all times.
    pub fn is_constant(&self) -> bool {
        matches!(self, RateProfile::Constant { .. })
    }
}

/// f·t + φ/2π: the number of periods since the phase was 0 (t in ms, f in Hz).
fn cycles(frequency_hz: f64, phase: f64, time_ms: f64) -> f64 {
    frequency_hz * time_ms * 1e-3 + phase / std::f64::consts::TAU
}

/// ∫ from θ₀ to θ₀ + w of max(0, c + s sin θ) dθ, for c ≥ 0, s ≥ 0, w ≥ 0 and θ₀ in
/// [0, 2π).
///
/// Without clipping (c ≥ s) it is c·w + s(cos θ₀ − cos(θ₀ + w)), the difference of cosines
/// written as a product of sines so that a short step loses no digits. With clipping, the
/// integrand is positive where sin θ > −c/s, that is on the intervals (−α + 2πk, π + α + 2πk)
/// with α = asin(c/s) ∈ [0, π/2); each full period contributes c(π + 2α) + 2s cos α, and
/// the rest is integrated over its intersection with those intervals.
fn clipped_sine_integral(c: f64, s: f64, start: f64, width: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    // ∫ over [l, h] of c + s sin θ.
    let piece =
        |l: f64, h: f64| c * (h - l) + 2.0 * s * (0.5 * (l + h)).sin() * (0.5 * (h - l)).sin();
    if c >= s {
        return piece(start, start + width);
    }
    let alpha = (c / s).asin();
    let periods = (width / tau).floor();
    let per_period = c * (std::f64::consts::PI + 2.0 * alpha) + 2.0 * s * alpha.cos();
    let end = start + (width - periods * tau);
    // The rest lies within [0, 4π); the positive intervals meeting it are k = 0, 1, 2.
    let mut rest = 0.0;
    for k in 0..3 {
        let offset = tau * k as f64;
        let low = start.max(offset - alpha);
        let high = end.min(offset + std::f64::consts::PI + alpha);
        if high > low {
            rest += piece(low, high);
        }
    }
    periods * per_period + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Interpolation;

    /// ∫ₐᵇ ν by the composite Simpson rule on `n` intervals (an independent reference).
    fn simpson(profile: &RateProfile, a: f64, b: f64, n: usize) -> f64 {
        let h = (b - a) / n as f64;
        let mut total = profile.rate_at(a) + profile.rate_at(b);
        for i in 1..n {
            let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
            total += weight * profile.rate_at(a + i as f64 * h);
        }
        total * h / 3.0 * 1e-3
    }

    #[test]
    fn sinusoid_integrals_match_quadrature_with_and_without_clipping() {
        for (mean_hz, amplitude_hz) in [(20.0, 15.0), (5.0, 20.0), (0.0, 10.0), (10.0, 0.0)] {
            let profile = RateProfile::Sinusoidal {
                mean_hz,
                amplitude_hz,
                frequency_hz: 7.0,
                phase: 0.9,
            };
            // Intervals shorter than, about as long as, and many times a period (143 ms),
            // starting anywhere in it and late in a run.
            for (a, b) in [
                (0.0, 0.1),
                (33.3, 33.4),
                (10.0, 170.0),
                (5.0, 1005.0),
                (123_456.7, 123_456.8),
                (90.0, 2090.5),
            ] {
                let exact = profile.expected_count(a, b);
                // The clipped integrand has kinks, so Simpson converges only as h²: a fine
                // grid keeps its error far below the tolerance.
                let reference = simpson(&profile, a, b, 400_000);
                assert!(
                    (exact - reference).abs() <= 1e-7 * reference + 1e-15,
                    "ν₀ = {mean_hz}, ν₁ = {amplitude_hz}, [{a}, {b}): {exact} vs {reference}"
                );
            }
        }
    }

    #[test]
    fn a_clipped_sinusoid_averages_to_its_closed_form() {
        // Over a whole number of periods the mean of max(0, c + s sin θ) is
        // (c(π + 2α) + 2s cos α)/2π, α = asin(c/s); for c = 0 it is s/π (half-wave).
        let profile = RateProfile::Sinusoidal {
            mean_hz: 0.0,
            amplitude_hz: 30.0,
            frequency_hz: 4.0,
            phase: 0.0,
        };
        let count = profile.expected_count(0.0, 10_000.0);
        assert!(
            (count - 10.0 * 30.0 / std::f64::consts::PI).abs() < 1e-9,
            "{count}"
        );
    }

    #[test]
    fn sampled_profiles_integrate_piece_by_piece() {
        let series = |interpolation| {
            RateProfile::Sampled(TimeSeries {
                times_ms: vec![10.0, 20.0, 40.0],
                values: vec![5.0, 25.0, 0.0],
                interpolation,
            })
        };
        // Stepped: 5 Hz for 10 ms, 25 Hz for 20 ms, then 0: 0.05 + 0.5 events.
        let stepped = series(Interpolation::Step);
        assert!((stepped.expected_count(0.0, 100.0) - 0.55).abs() < 1e-15);
        // Linear: trapezoids 10·15 + 20·12.5 = 400 Hz·ms.
        let linear = series(Interpolation::Linear);
        assert!((linear.expected_count(0.0, 100.0) - 0.4).abs() < 1e-15);
        assert_eq!(linear.rate_at(15.0), 15.0);
        assert_eq!(linear.peak_hz(), 25.0);
    }
}

//! The amplitude and frequency of a sustained oscillation in a simulated trace.
//!
//! [`measure_oscillation`] looks at the samples after a transient and:
//! 1. takes their minimum, maximum and time-averaged mean (trapezoidal rule, so that uneven
//!    sampling does not bias it); the amplitude is (max − min)/2;
//! 2. finds the upward crossings of the mean, with hysteresis: a crossing counts only after
//!    the trace has fallen below (mean + min)/2 since the last one, so that noise or a small
//!    ripple near the mean is not taken for a cycle. Each crossing time is interpolated
//!    linearly between the two samples around it (for a sine the mean is an inflection point,
//!    so the error is third order in the sampling step);
//! 3. takes the frequency from the mean period between the first and last crossing:
//!    f = 1000·(m − 1)/(t_m − t_1) Hz for m crossings (times in ms).
//!
//! There is no oscillation (`None`) when the peak-to-peak max − min is at most
//! [`RELATIVE_THRESHOLD`] of max(|max|, |min|) (a fixed point, up to rounding or numerical
//! noise), when fewer than three crossings (two full cycles) are found, or when the trace is
//! damped: the peak-to-peak of the last full cycle is below [`DAMPING_RATIO`] of the first's.

use super::network::DynamicsError;

/// Peak-to-peak, relative to the largest |value|, at or below which a trace is flat.
pub const RELATIVE_THRESHOLD: f64 = 1e-3;

/// A last cycle smaller than this fraction of the first (peak-to-peak) is a damped oscillation.
pub const DAMPING_RATIO: f64 = 0.5;

/// A sustained oscillation measured by [`measure_oscillation`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Oscillation {
    /// (max − min)/2.
    pub amplitude: f64,
    /// The smallest value after the transient.
    pub minimum: f64,
    /// The largest value after the transient.
    pub maximum: f64,
    /// From the mean period between upward crossings of the mean (Hz).
    pub frequency_hz: f64,
    /// The time average after the transient.
    pub mean: f64,
}

/// Measures the oscillation of `values` sampled at `times_ms` (strictly increasing, ms), using
/// the samples at times ≥ `times_ms[0] + transient_ms`; `Ok(None)` where the trace does not
/// oscillate (see the module documentation).
///
/// # Errors
/// [`DynamicsError::Trace`] when the lengths differ, a number is not finite, the times do not
/// increase or the transient is negative.
///
/// ```
/// use cajal::dynamics::measure_oscillation;
/// // 40 Hz around 3, amplitude 2, sampled every 0.1 ms for 1 s.
/// let times: Vec<f64> = (0..=10_000).map(|k| 0.1 * k as f64).collect();
/// let values: Vec<f64> = times
///     .iter()
///     .map(|t| 3.0 + 2.0 * (2.0 * std::f64::consts::PI * 0.040 * t).sin())
///     .collect();
/// let oscillation = measure_oscillation(&times, &values, 100.0).unwrap().unwrap();
/// assert!((oscillation.frequency_hz - 40.0).abs() < 1e-6);
/// // The samples miss the peaks by up to half a step: 2·(1 − cos(ω·0.05 ms)) ≈ 1.6e-4.
/// assert!((oscillation.amplitude - 2.0).abs() < 1e-3);
/// ```
pub fn measure_oscillation(
    times_ms: &[f64],
    values: &[f64],
    transient_ms: f64,
) -> Result<Option<Oscillation>, DynamicsError> {
    check(times_ms, values, transient_ms)?;
    let Some(&first_time) = times_ms.first() else {
        return Ok(None);
    };
    let start = times_ms.partition_point(|&t| t < first_time + transient_ms);
    let (times, values) = (&times_ms[start..], &values[start..]);
    if times.len() < 2 {
        return Ok(None);
    }
    let minimum = values.iter().copied().fold(f64::INFINITY, f64::min);
    let maximum = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let peak_to_peak = maximum - minimum;
    if peak_to_peak <= RELATIVE_THRESHOLD * maximum.abs().max(minimum.abs()) {
        return Ok(None);
    }
    let area: f64 = times
        .windows(2)
        .zip(values.windows(2))
        .map(|(t, v)| 0.5 * (v[0] + v[1]) * (t[1] - t[0]))
        .sum();
    let mean = area / (times[times.len() - 1] - times[0]);
    let crossings = upward_crossings(times, values, mean, 0.5 * (mean + minimum));
    if crossings.len() < 3 {
        return Ok(None);
    }
    let cycle_size = |from: f64, to: f64| {
        let (a, b) = (
            times.partition_point(|&t| t < from),
            times.partition_point(|&t| t <= to),
        );
        let cycle = &values[a..b];
        let high = cycle.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let low = cycle.iter().copied().fold(f64::INFINITY, f64::min);
        high - low
    };
    let m = crossings.len();
    let first_cycle = cycle_size(crossings[0], crossings[1]);
    let last_cycle = cycle_size(crossings[m - 2], crossings[m - 1]);
    if last_cycle < DAMPING_RATIO * first_cycle {
        return Ok(None);
    }
    Ok(Some(Oscillation {
        amplitude: 0.5 * peak_to_peak,
        minimum,
        maximum,
        frequency_hz: 1000.0 * (m - 1) as f64 / (crossings[m - 1] - crossings[0]),
        mean,
    }))
}

/// The interpolated times where `values` rises through `level`, each counted only after the
/// trace has been below `rearm` since the previous one.
fn upward_crossings(times: &[f64], values: &[f64], level: f64, rearm: f64) -> Vec<f64> {
    let mut crossings = Vec::new();
    let mut armed = false;
    for k in 1..values.len() {
        let (before, after) = (values[k - 1], values[k]);
        if before < rearm {
            armed = true;
        }
        if armed && before < level && after >= level {
            let fraction = (level - before) / (after - before);
            crossings.push(times[k - 1] + fraction * (times[k] - times[k - 1]));
            armed = false;
        }
    }
    crossings
}

fn check(times_ms: &[f64], values: &[f64], transient_ms: f64) -> Result<(), DynamicsError> {
    let problem = |message: String| Err(DynamicsError::Trace { message });
    if times_ms.len() != values.len() {
        return problem(format!(
            "{} times but {} values",
            times_ms.len(),
            values.len()
        ));
    }
    if let Some(k) =
        (0..values.len()).find(|&k| !(times_ms[k].is_finite() && values[k].is_finite()))
    {
        return problem(format!("sample {k} is not finite"));
    }
    if let Some(k) = (1..times_ms.len()).find(|&k| times_ms[k] <= times_ms[k - 1]) {
        return problem(format!("the times do not increase at sample {k}"));
    }
    if !(transient_ms.is_finite() && transient_ms >= 0.0) {
        return problem(format!(
            "the transient is {transient_ms} ms; it must be ≥ 0"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    fn sampled(f: impl Fn(f64) -> f64, dt: f64, duration: f64) -> (Vec<f64>, Vec<f64>) {
        let steps = (duration / dt).round() as usize;
        let times: Vec<f64> = (0..=steps).map(|k| k as f64 * dt).collect();
        let values = times.iter().map(|&t| f(t)).collect();
        (times, values)
    }

    #[test]
    fn sines_give_their_frequency_amplitude_and_mean() {
        // Linear interpolation at an inflection point errs by O(dt³·ω³); with ω dt ≤ 0.1 and
        // ~100 cycles the period is exact to far below 1e-6 relative. The extremes of the
        // samples miss the true ones by at most A(1 − cos(ω dt/2)) ≤ A·1.3e-3 for ω dt = 0.1.
        for (frequency_hz, dt, phase) in [(40.0, 0.1, 0.3), (7.0, 0.5, 2.0), (100.0, 0.1, -1.0)] {
            let omega = TAU * frequency_hz / 1000.0;
            let (times, values) = sampled(|t| -1.0 + 0.5 * (omega * t + phase).sin(), dt, 2000.0);
            let found = measure_oscillation(&times, &values, 200.0)
                .unwrap()
                .expect("a sine oscillates");
            assert!(
                (found.frequency_hz - frequency_hz).abs() < 1e-6 * frequency_hz,
                "{found:?}"
            );
            let tolerance = 0.5 * (1.0 - (omega * dt / 2.0).cos()) + 1e-12;
            assert!((found.amplitude - 0.5).abs() <= tolerance, "{found:?}");
            assert!((found.maximum + 0.5).abs() <= tolerance, "{found:?}");
            assert!((found.minimum + 1.5).abs() <= tolerance, "{found:?}");
            // The window holds a whole number of cycles only approximately; the part cycle
            // shifts the mean by at most A·(period/window) ≤ 0.5·143/1800.
            assert!((found.mean + 1.0).abs() < 0.5 * 143.0 / 1800.0, "{found:?}");
        }
    }

    #[test]
    fn damped_oscillations_and_fixed_points_are_not_oscillations() {
        // x = e^(−t/50) sin(2π·20 t/1000): after 100 ms, each 50 ms cycle is e^(−1) of the
        // one before, far below half over the window.
        let (times, values) = sampled(
            |t| 1.0 + (-t / 50.0).exp() * (TAU * 0.02 * t).sin(),
            0.1,
            1000.0,
        );
        assert_eq!(measure_oscillation(&times, &values, 100.0), Ok(None));
        // Relaxation to a fixed point without oscillation, and a constant.
        let (times, values) = sampled(|t| 5.0 - (-t / 10.0).exp(), 0.1, 500.0);
        assert_eq!(measure_oscillation(&times, &values, 100.0), Ok(None));
        let (times, values) = sampled(|_| 0.0, 0.1, 500.0);
        assert_eq!(measure_oscillation(&times, &values, 100.0), Ok(None));
    }

    #[test]
    fn noise_near_the_mean_is_not_counted_as_cycles() {
        // A 10 Hz square-ish wave with a fast ripple of 5 % riding on it: the hysteresis
        // ignores the ripple's crossings.
        let (times, values) = sampled(
            |t| (TAU * 0.01 * t).sin().signum() + 0.05 * (TAU * 0.5 * t).sin(),
            0.05,
            2000.0,
        );
        let found = measure_oscillation(&times, &values, 0.0).unwrap().unwrap();
        assert!((found.frequency_hz - 10.0).abs() < 1e-3, "{found:?}");
    }

    #[test]
    fn malformed_traces_are_errors() {
        assert!(measure_oscillation(&[0.0, 1.0], &[0.0], 0.0).is_err());
        assert!(measure_oscillation(&[0.0, 0.0], &[0.0, 1.0], 0.0).is_err());
        assert!(measure_oscillation(&[0.0, 1.0], &[0.0, f64::NAN], 0.0).is_err());
        assert!(measure_oscillation(&[0.0, 1.0], &[0.0, 1.0], -1.0).is_err());
        assert_eq!(measure_oscillation(&[], &[], 0.0), Ok(None));
    }
}

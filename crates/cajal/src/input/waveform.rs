//! Exact integrals and point values of the deterministic waveforms.
//!
//! A step delivers (1/dt) ∫ I(s) ds over the part of the step inside the input's window, so
//! every waveform needs its integral over an arbitrary interval [a, b). All of them are
//! piecewise constant or piecewise linear, so the integrals are closed forms (no quadrature
//! error): a linear piece integrates to its length times its value at the piece's midpoint.

use super::{InputKind, Interpolation};

/// ∫ₐᵇ I(s) ds of a deterministic waveform (`a ≤ b`); `None` for noise and Poisson inputs.
pub(super) fn integral(kind: &InputKind, a: f64, b: f64) -> Option<f64> {
    if b <= a {
        return Some(0.0);
    }
    Some(match kind {
        InputKind::Constant { amplitude } => amplitude * (b - a),
        InputKind::Steps {
            times_ms,
            amplitudes,
        } => series_integral(times_ms, amplitudes, Interpolation::Step, a, b),
        InputKind::PulseTrain {
            amplitude,
            width_ms,
            period_ms,
            first_ms,
            count,
        } => {
            let on_time =
                |t: f64| pulse_time_on_before(t, *width_ms, *period_ms, *first_ms, *count);
            amplitude * (on_time(b) - on_time(a))
        }
        InputKind::Ramp {
            from,
            to,
            start_ms,
            stop_ms,
        } => {
            // `from` on (−∞, start), then the two-sample linear series [start, stop] →
            // [from, to], which holds `to` after stop.
            let before = from * (b.min(*start_ms) - a).max(0.0);
            let after_start = if b > *start_ms {
                series_integral(
                    &[*start_ms, *stop_ms],
                    &[*from, *to],
                    Interpolation::Linear,
                    a.max(*start_ms),
                    b,
                )
            } else {
                0.0
            };
            before + after_start
        }
        InputKind::TimeSeries(series) => {
            series_integral(&series.times_ms, &series.values, series.interpolation, a, b)
        }
        InputKind::WhiteNoise { .. }
        | InputKind::OrnsteinUhlenbeck { .. }
        | InputKind::Poisson { .. }
        | InputKind::PoissonProfile { .. } => return None,
    })
}

/// The waveform at `t` (right-continuous at jumps); `None` for noise and Poisson inputs.
pub(super) fn value(kind: &InputKind, t: f64) -> Option<f64> {
    Some(match kind {
        InputKind::Constant { amplitude } => *amplitude,
        InputKind::Steps {
            times_ms,
            amplitudes,
        } => series_value(times_ms, amplitudes, Interpolation::Step, t),
        InputKind::PulseTrain {
            amplitude,
            width_ms,
            period_ms,
            first_ms,
            count,
        } => {
            if t < *first_ms {
                return Some(0.0);
            }
            let pulse = ((t - first_ms) / period_ms).floor();
            let into_pulse = t - first_ms - pulse * period_ms;
            let within_count = count.is_none_or(|count| pulse < count as f64);
            if within_count && into_pulse < *width_ms {
                *amplitude
            } else {
                0.0
            }
        }
        InputKind::Ramp {
            from,
            to,
            start_ms,
            stop_ms,
        } => {
            if t < *start_ms {
                *from
            } else {
                series_value(
                    &[*start_ms, *stop_ms],
                    &[*from, *to],
                    Interpolation::Linear,
                    t,
                )
            }
        }
        InputKind::TimeSeries(series) => {
            series_value(&series.times_ms, &series.values, series.interpolation, t)
        }
        InputKind::WhiteNoise { .. }
        | InputKind::OrnsteinUhlenbeck { .. }
        | InputKind::Poisson { .. }
        | InputKind::PoissonProfile { .. } => return None,
    })
}

/// Total time a pulse train has been on before `t`: ∫ from −∞ to t of its indicator.
///
/// With n = ⌊(t − t₀)/T⌋ complete periods and r = t − t₀ − nT into the current one, the
/// train has been on for n·w + min(r, w), capped at count·w. The expression is continuous
/// in t, so a floor that rounds the wrong way at a period boundary (r ≈ T or r ≈ 0) changes
/// it only by rounding error.
fn pulse_time_on_before(
    t: f64,
    width_ms: f64,
    period_ms: f64,
    first_ms: f64,
    count: Option<u64>,
) -> f64 {
    if t <= first_ms {
        return 0.0;
    }
    let periods = ((t - first_ms) / period_ms).floor();
    let into_period = t - first_ms - periods * period_ms;
    let on = periods * width_ms + into_period.clamp(0.0, width_ms);
    match count {
        Some(count) => on.min(count as f64 * width_ms),
        None => on,
    }
}

/// The sampled waveform at `t`: 0 before the first sample, the last value after the last.
pub(super) fn series_value(
    times: &[f64],
    values: &[f64],
    interpolation: Interpolation,
    t: f64,
) -> f64 {
    // Number of samples at or before t: sample `after − 1` starts the piece holding t.
    let after = times.partition_point(|&time| time <= t);
    if after == 0 {
        return 0.0;
    }
    let k = after - 1;
    match interpolation {
        Interpolation::Linear if k + 1 < times.len() => lerp(times, values, k, t),
        _ => values[k],
    }
}

/// Linear interpolation on the piece [times[k], times[k + 1]].
fn lerp(times: &[f64], values: &[f64], k: usize, t: f64) -> f64 {
    let slope = (values[k + 1] - values[k]) / (times[k + 1] - times[k]);
    values[k] + slope * (t - times[k])
}

/// ∫ₐᵇ of the sampled waveform (`a < b`), piece by piece.
pub(super) fn series_integral(
    times: &[f64],
    values: &[f64],
    interpolation: Interpolation,
    a: f64,
    b: f64,
) -> f64 {
    let Some(&first) = times.first() else {
        return 0.0;
    };
    // The waveform is 0 before the first sample.
    let mut low = a.max(first);
    if low >= b {
        return 0.0;
    }
    let mut k = times.partition_point(|&time| time <= low) - 1;
    let mut total = 0.0;
    loop {
        let piece_end = times.get(k + 1).copied().unwrap_or(f64::INFINITY);
        let high = b.min(piece_end);
        let level = match interpolation {
            // Exact for a linear piece: length × value at the midpoint.
            Interpolation::Linear if k + 1 < times.len() => {
                lerp(times, values, k, 0.5 * (low + high))
            }
            _ => values[k],
        };
        total += level * (high - low);
        if high >= b {
            return total;
        }
        low = high;
        k += 1;
    }
}

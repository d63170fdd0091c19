//! Tests of the inputs: exact step means of the waveforms, the statistics of the noise and
//! Poisson inputs against their closed forms, reproducibility, and file reading.
//!
//! Statistical tolerances are three standard errors of the estimator, computed from the
//! sample size and the known distribution; the seeds are fixed, so the tests are
//! deterministic.

use std::path::{Path, PathBuf};

use super::*;

/// The clock of step `step` of length `dt`.
fn clock(step: u64, dt: f64) -> StepClock {
    StepClock {
        step,
        time_ms: step as f64 * dt,
        dt_ms: dt,
    }
}

/// Everything a population of `size` neurons received during one step.
struct Received {
    current: Vec<f64>,
    voltage_jumps: Vec<f64>,
    arriving: Vec<Vec<f64>>,
    alpha_arriving: Vec<Vec<f64>>,
}

/// Delivers one step of `input` to a population of `size` neurons with `receptors`
/// exponential and as many alpha receptors.
fn step(input: &mut Input, clock: StepClock, size: usize, receptors: usize) -> Received {
    let mut current = vec![0.0; size];
    let mut voltage_jumps = vec![0.0; size];
    let mut receptor_list: Vec<ExponentialReceptor> = (0..receptors)
        .map(|_| ExponentialReceptor::new(size, 5.0, clock.dt_ms))
        .collect();
    let mut alpha_list: Vec<AlphaReceptor> = (0..receptors)
        .map(|_| AlphaReceptor::new(size, 5.0, clock.dt_ms))
        .collect();
    let mut sink = InputSink {
        current: &mut current,
        voltage_jumps: &mut voltage_jumps,
        receptors: &mut receptor_list,
        alpha_receptors: &mut alpha_list,
    };
    input.deliver(clock, &mut sink);
    Received {
        current,
        voltage_jumps,
        arriving: receptor_list.into_iter().map(|r| r.arriving).collect(),
        alpha_arriving: alpha_list.into_iter().map(|r| r.arriving).collect(),
    }
}

/// The current delivered to neuron 0 in each of the first `steps` steps.
fn currents(kind: InputKind, window: (f64, f64), dt: f64, steps: u64) -> Vec<f64> {
    let mut input = Input::new(kind, vec![0], window.0, window.1, 1, 0, dt).unwrap();
    (0..steps)
        .map(|n| step(&mut input, clock(n, dt), 1, 0).current[0])
        .collect()
}

fn always() -> (f64, f64) {
    (0.0, f64::INFINITY)
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} vs {expected} (tolerance {tolerance})"
    );
}

// ---------------------------------------------------------------- deterministic waveforms

#[test]
fn ramp_step_mean_is_the_value_at_the_midpoint() {
    // I(t) = 10 (t − 1)/1 on [1, 2] ms: linear, so the step mean is the midpoint value.
    let ramp = InputKind::Ramp {
        from: 0.0,
        to: 10.0,
        start_ms: 1.0,
        stop_ms: 2.0,
    };
    let dt = 0.1;
    let trace = currents(ramp.clone(), always(), dt, 30);
    for (n, &current) in trace.iter().enumerate() {
        let midpoint = (n as f64 + 0.5) * dt;
        let expected = if midpoint < 1.0 {
            0.0
        } else if midpoint > 2.0 {
            10.0
        } else {
            10.0 * (midpoint - 1.0)
        };
        assert_close(current, expected, 1e-12, &format!("step {n}"));
    }
    // A step of 0.3 ms straddling the start, [0.9, 1.2): (0·0.1 + ∫₁^1.2 10(s − 1) ds)/0.3
    // = 0.2/0.3.
    let trace = currents(ramp, always(), 0.3, 4);
    assert_close(trace[3], 0.2 / 0.3, 1e-12, "straddling step");
}

#[test]
fn pulse_train_delivers_the_covered_fraction() {
    // Pulses of 2 (pA) and 0.25 ms every 1 ms from 0.05 ms, two of them; dt = 0.1 ms.
    let train = InputKind::PulseTrain {
        amplitude: 2.0,
        width_ms: 0.25,
        period_ms: 1.0,
        first_ms: 0.05,
        count: Some(2),
    };
    let trace = currents(train, always(), 0.1, 40);
    // [0, 0.1): on for 0.05 → 1.0; [0.1, 0.3): on; [0.3, 0.4): off (the pulse ends at 0.30).
    let expected_first = [1.0, 2.0, 2.0, 0.0];
    for (n, expected) in expected_first.iter().enumerate() {
        assert_close(trace[n], *expected, 1e-12, &format!("step {n}"));
        assert_close(trace[10 + n], *expected, 1e-12, &format!("step {}", 10 + n));
    }
    // The third pulse (at 2.05 ms) is beyond the count.
    assert!(trace[20..].iter().all(|&current| current.abs() < 1e-12));
    // Charge: count × amplitude × width = 2 × 2 × 0.25 = 1 (pA·ms).
    let charge: f64 = trace.iter().sum::<f64>() * 0.1;
    assert_close(charge, 1.0, 1e-12, "charge");

    // Many pulses per step: a 50 % duty cycle averages to half the amplitude.
    let fast = InputKind::PulseTrain {
        amplitude: 3.0,
        width_ms: 0.05,
        period_ms: 0.1,
        first_ms: 0.0,
        count: None,
    };
    for (n, current) in currents(fast, always(), 1.0, 5).iter().enumerate() {
        assert_close(*current, 1.5, 1e-12, &format!("fast step {n}"));
    }
}

#[test]
fn steps_switch_at_the_aligned_step_and_are_zero_before_the_first() {
    let steps = InputKind::Steps {
        times_ms: vec![0.5, 1.0],
        amplitudes: vec![1.0, 3.0],
    };
    // dt = 0.25 is exact in binary, so the grid hits the change times exactly.
    let trace = currents(steps, always(), 0.25, 8);
    assert_eq!(trace, [0.0, 0.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0]);
}

/// Piecewise-linear interpolation written independently of the module: 0 before the first
/// sample, the last value after the last.
fn interpolate(times: &[f64], values: &[f64], t: f64) -> f64 {
    if t < times[0] {
        return 0.0;
    }
    for k in 0..times.len() - 1 {
        if t < times[k + 1] {
            let weight = (t - times[k]) / (times[k + 1] - times[k]);
            return values[k] * (1.0 - weight) + values[k + 1] * weight;
        }
    }
    values[values.len() - 1]
}

#[test]
fn linear_time_series_integrates_exactly() {
    // Irregular samples, several of them inside some steps. The step integral of a
    // piecewise-linear function is the trapezoid rule over the step's breakpoints (its ends
    // and the samples inside), which is exact; the expected value is built that way.
    let times = vec![0.03, 0.17, 0.2, 0.41, 0.45, 0.47, 0.9];
    let values = vec![1.0, -2.0, 4.0, 0.5, 3.0, -1.0, 2.5];
    let series = InputKind::TimeSeries(TimeSeries {
        times_ms: times.clone(),
        values: values.clone(),
        interpolation: Interpolation::Linear,
    });
    let dt = 0.1;
    let trace = currents(series, always(), dt, 12);
    for (n, &current) in trace.iter().enumerate() {
        let (a, b) = (n as f64 * dt, (n + 1) as f64 * dt);
        let mut points = vec![a];
        points.extend(times.iter().copied().filter(|&t| t > a && t < b));
        points.push(b);
        let mut integral = 0.0;
        for pair in points.windows(2) {
            // The waveform is 0 up to the first sample (itself a breakpoint) and continuous
            // after it.
            if pair[1] > times[0] {
                let (left, right) = (
                    interpolate(&times, &values, pair[0]),
                    interpolate(&times, &values, pair[1]),
                );
                integral += 0.5 * (left + right) * (pair[1] - pair[0]);
            }
        }
        assert_close(current, integral / dt, 1e-12, &format!("step {n}"));
    }
    // After the last sample the last value holds.
    assert_close(trace[11], 2.5, 1e-12, "held value");
}

#[test]
fn stepped_time_series_holds_each_value() {
    let series = InputKind::TimeSeries(TimeSeries {
        times_ms: vec![0.05, 0.1, 0.25],
        values: vec![2.0, 4.0, -1.0],
        interpolation: Interpolation::Step,
    });
    let trace = currents(series, always(), 0.1, 4);
    // [0, 0.1): 2 for 0.05 → 1; [0.1, 0.2): 4; [0.2, 0.3): 4 for 0.05, −1 for 0.05 → 1.5.
    let expected = [1.0, 4.0, 1.5, -1.0];
    for (n, e) in expected.iter().enumerate() {
        assert_close(trace[n], *e, 1e-12, &format!("step {n}"));
    }
}

#[test]
fn window_multiplies_the_waveform_including_partial_steps() {
    let constant = InputKind::Constant { amplitude: 2.0 };
    let trace = currents(constant.clone(), (0.25, 0.55), 0.1, 8);
    let expected = [0.0, 0.0, 1.0, 2.0, 2.0, 1.0, 0.0, 0.0];
    for (n, e) in expected.iter().enumerate() {
        assert_close(trace[n], *e, 1e-12, &format!("step {n}"));
    }
    let windowed = Input::new(constant.clone(), vec![0], 0.25, 0.55, 1, 0, 0.1).unwrap();
    assert_eq!(windowed.constant_current(), None);
    assert_eq!(windowed.waveform_at(0.3), Some(2.0));
    assert_eq!(windowed.waveform_at(0.6), Some(0.0));
    let whole_run = Input::new(constant, vec![0], 0.0, f64::INFINITY, 1, 0, 0.1).unwrap();
    assert_eq!(whole_run.constant_current(), Some(2.0));
}

#[test]
fn a_step_inside_the_window_gets_the_exact_amplitude_late_in_a_run() {
    // (t + dt) − t differs from dt by rounding at large t; a full step must still deliver
    // the amplitude itself, not amplitude × (1 ± ε).
    let mut input = Input::new(
        InputKind::Constant { amplitude: 0.3 },
        vec![0],
        1.0,
        f64::INFINITY,
        1,
        0,
        0.1,
    )
    .unwrap();
    for n in [10_u64, 1_234_567, 987_654_321] {
        assert_eq!(
            step(&mut input, clock(n, 0.1), 1, 0).current[0],
            0.3,
            "step {n}"
        );
    }
}

#[test]
fn waveform_at_gives_the_instantaneous_stimulus() {
    let ramp = Input::new(
        InputKind::Ramp {
            from: 1.0,
            to: 3.0,
            start_ms: 10.0,
            stop_ms: 20.0,
        },
        vec![0],
        0.0,
        f64::INFINITY,
        1,
        0,
        0.1,
    )
    .unwrap();
    assert_eq!(ramp.waveform_at(5.0), Some(1.0));
    assert_eq!(ramp.waveform_at(15.0), Some(2.0));
    assert_eq!(ramp.waveform_at(25.0), Some(3.0));
    let train = Input::new(
        InputKind::PulseTrain {
            amplitude: 5.0,
            width_ms: 1.0,
            period_ms: 4.0,
            first_ms: 2.0,
            count: Some(1),
        },
        vec![0],
        0.0,
        f64::INFINITY,
        1,
        0,
        0.1,
    )
    .unwrap();
    assert_eq!(train.waveform_at(1.9), Some(0.0));
    assert_eq!(train.waveform_at(2.0), Some(5.0));
    assert_eq!(train.waveform_at(3.0), Some(0.0));
    assert_eq!(train.waveform_at(6.5), Some(0.0), "beyond the count");
    let noise = Input::new(
        InputKind::WhiteNoise {
            mean: 0.0,
            std: 1.0,
            time_scale_ms: 1.0,
        },
        vec![0],
        0.0,
        f64::INFINITY,
        1,
        0,
        0.1,
    )
    .unwrap();
    assert_eq!(noise.waveform_at(1.0), None);
}

// ---------------------------------------------------------------- noise

/// Sample mean and variance.
fn mean_variance(samples: &[f64]) -> (f64, f64) {
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance)
}

#[test]
fn white_noise_step_mean_has_variance_std_squared_times_time_scale_over_dt() {
    let (mean, std, time_scale, dt) = (1.5, 2.0, 1.0, 0.1);
    let kind = InputKind::WhiteNoise {
        mean,
        std,
        time_scale_ms: time_scale,
    };
    let mut input = Input::new(kind, vec![0, 1], 0.0, f64::INFINITY, 42, 3, dt).unwrap();
    let steps = 50_000;
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for n in 0..steps {
        let received = step(&mut input, clock(n, dt), 2, 0);
        first.push(received.current[0]);
        second.push(received.current[1]);
    }
    let expected_variance = std * std * time_scale / dt; // 40
    let count = steps as f64;
    for samples in [&first, &second] {
        let (sample_mean, variance) = mean_variance(samples);
        // Standard errors: √(σ²/n) for the mean, σ²√(2/(n − 1)) for a Gaussian variance.
        assert_close(
            sample_mean,
            mean,
            3.0 * (expected_variance / count).sqrt(),
            "mean",
        );
        assert_close(
            variance,
            expected_variance,
            3.0 * expected_variance * (2.0 / (count - 1.0)).sqrt(),
            "variance",
        );
    }
    // Independent neurons: the sample correlation has standard error 1/√n.
    let covariance: f64 = first
        .iter()
        .zip(&second)
        .map(|(a, b)| (a - mean) * (b - mean))
        .sum::<f64>()
        / count;
    let correlation = covariance / expected_variance;
    assert!(
        correlation.abs() < 3.0 / count.sqrt(),
        "correlation {correlation}"
    );
}

#[test]
fn ornstein_uhlenbeck_is_stationary_with_the_exact_autocorrelation() {
    // dt comparable to τ_c keeps successive samples weakly correlated, so that a short run
    // measures the statistics precisely; the update is exact for any dt.
    let (mean, std, tau, dt) = (1.0, 0.5, 2.0, 1.0);
    let kind = InputKind::OrnsteinUhlenbeck {
        mean,
        std,
        correlation_time_ms: tau,
    };
    let neurons = 200;
    let steps = 2000;
    let mut input = Input::new(kind, (0..neurons).collect(), 0.0, f64::INFINITY, 7, 0, dt).unwrap();
    let mut traces = vec![Vec::with_capacity(steps as usize); neurons as usize];
    for n in 0..steps {
        let received = step(&mut input, clock(n, dt), neurons as usize, 0);
        for (trace, current) in traces.iter_mut().zip(received.current) {
            trace.push(current);
        }
    }
    let rho: f64 = (-dt / tau).exp();
    let variance = std * std;
    let (mut sum, mut squares, mut lagged, mut count) = (0.0, 0.0, 0.0, 0.0);
    for trace in &traces {
        for pair in trace.windows(2) {
            lagged += (pair[0] - mean) * (pair[1] - mean);
        }
        for x in trace {
            sum += x - mean;
            squares += (x - mean).powi(2);
            count += 1.0;
        }
    }
    // For an AR(1) series of n samples with lag-1 correlation ρ (known mean):
    // Var(mean) = σ²(1 + ρ)/((1 − ρ) n), Var(s²) = 2σ⁴(1 + ρ²)/((1 − ρ²) n),
    // Var(r₁) ≈ (1 − ρ²)/n.
    assert_close(
        sum / count,
        0.0,
        3.0 * (variance * (1.0 + rho) / ((1.0 - rho) * count)).sqrt(),
        "mean",
    );
    let sample_variance = squares / count;
    assert_close(
        sample_variance,
        variance,
        3.0 * (2.0 * variance * variance * (1.0 + rho * rho) / ((1.0 - rho * rho) * count)).sqrt(),
        "variance",
    );
    let autocorrelation = lagged / squares;
    assert_close(
        autocorrelation,
        rho,
        3.0 * ((1.0 - rho * rho) / count).sqrt(),
        "lag-1 autocorrelation",
    );
    // Stationary from the start: the first values across neurons have variance σ².
    let first: Vec<f64> = traces.iter().map(|trace| trace[0]).collect();
    let (_, first_variance) = mean_variance(&first);
    assert_close(
        first_variance,
        variance,
        3.0 * variance * (2.0 / (neurons as f64 - 1.0)).sqrt(),
        "initial variance",
    );
}

#[test]
fn ornstein_uhlenbeck_evolves_across_skipped_steps() {
    let kind = InputKind::OrnsteinUhlenbeck {
        mean: 0.0,
        std: 1.0,
        correlation_time_ms: 1.0,
    };
    let mut input = Input::new(kind, vec![0], 0.0, f64::INFINITY, 1, 0, 0.1).unwrap();
    let before = step(&mut input, clock(0, 0.1), 1, 0).current[0];
    let after = step(&mut input, clock(1000, 0.1), 1, 0).current[0];
    assert!(before.is_finite() && after.is_finite() && before != after);
}

// ---------------------------------------------------------------- Poisson

/// Spike counts of `neurons` × `steps` samples of a Poisson input through a delta synapse.
fn poisson_counts(rate_hz: f64, sources: u32, dt: f64, neurons: u32, steps: u64) -> Vec<f64> {
    let weight = 0.25; // exact in binary, so counts are recovered exactly
    let kind = InputKind::Poisson {
        rate_hz,
        weight,
        sources,
        synapse: PoissonSynapse::Delta,
    };
    let mut input =
        Input::new(kind, (0..neurons).collect(), 0.0, f64::INFINITY, 11, 2, dt).unwrap();
    let mut counts = Vec::new();
    for n in 0..steps {
        let received = step(&mut input, clock(n, dt), neurons as usize, 0);
        assert!(received.current.iter().all(|&c| c == 0.0));
        counts.extend(received.voltage_jumps.iter().map(|jump| jump / weight));
    }
    counts
}

#[test]
fn poisson_counts_have_mean_and_variance_sources_times_rate_times_dt() {
    // λ = 100 × 50 Hz × 0.1 ms = 0.5 per step (small-mean sampler), and λ = 20 (rejection
    // sampler).
    for (rate, sources, neurons, steps) in [(50.0, 100, 100, 2000), (1000.0, 200, 50, 400)] {
        let dt = 0.1;
        let lambda = f64::from(sources) * rate * dt / 1000.0;
        let counts = poisson_counts(rate, sources, dt, neurons, steps);
        assert!(counts.iter().all(|k| *k >= 0.0 && k.fract() == 0.0));
        let n = counts.len() as f64;
        let (mean, variance) = mean_variance(&counts);
        // Standard errors: √(λ/n) for the mean; for the variance √((μ₄ − σ⁴)/n) with the
        // Poisson fourth central moment μ₄ = λ(1 + 3λ).
        assert_close(mean, lambda, 3.0 * (lambda / n).sqrt(), "mean count");
        assert_close(
            variance,
            lambda,
            3.0 * ((lambda * (1.0 + 3.0 * lambda) - lambda * lambda) / n).sqrt(),
            "count variance",
        );
    }
}

#[test]
fn poisson_spikes_reach_the_synapse_they_name() {
    let make = |synapse| {
        Input::new(
            InputKind::Poisson {
                rate_hz: 5000.0,
                weight: 1.5,
                sources: 10,
                synapse,
            },
            vec![1, 2],
            0.0,
            f64::INFINITY,
            5,
            0,
            0.1,
        )
        .unwrap()
    };
    // λ = 5 per step: P(no spike in 20 steps) is negligible.
    let mut delta = make(PoissonSynapse::Delta);
    let mut exponential = make(PoissonSynapse::Exponential { receptor: 1 });
    let mut alpha = make(PoissonSynapse::Alpha { receptor: 1 });
    let (mut delta_total, mut exponential_total) = (0.0, 0.0);
    for n in 0..20 {
        let d = step(&mut delta, clock(n, 0.1), 3, 2);
        assert!(
            d.current
                .iter()
                .chain(d.arriving.iter().flatten())
                .chain(d.alpha_arriving.iter().flatten())
                .all(|&x| x == 0.0)
        );
        assert_eq!(d.voltage_jumps[0], 0.0, "neuron 0 is not a target");
        delta_total += d.voltage_jumps[1] + d.voltage_jumps[2];

        let e = step(&mut exponential, clock(n, 0.1), 3, 2);
        assert!(e.current.iter().chain(&e.voltage_jumps).all(|&x| x == 0.0));
        assert!(e.arriving[0].iter().all(|&x| x == 0.0), "wrong receptor");
        assert!(e.alpha_arriving.iter().flatten().all(|&x| x == 0.0));
        assert_eq!(e.arriving[1][0], 0.0);
        exponential_total += e.arriving[1][1] + e.arriving[1][2];
        // Same seed and streams: the same counts, whichever synapse they go through.
        assert_eq!(d.voltage_jumps[1..], e.arriving[1][1..]);

        let a = step(&mut alpha, clock(n, 0.1), 3, 2);
        assert!(a.arriving.iter().flatten().all(|&x| x == 0.0));
        assert!(
            a.alpha_arriving[0].iter().all(|&x| x == 0.0),
            "wrong receptor"
        );
        assert_eq!(d.voltage_jumps, a.alpha_arriving[1]);
    }
    assert!(delta_total > 0.0 && delta_total == exponential_total);
}

// ---------------------------------------------------------------- Poisson with a rate profile

/// A Poisson input of `sources` trains of rate `rate` through a delta synapse of weight
/// 0.25 mV (exact in binary, so counts are recovered exactly).
fn profile_input(
    rate: RateProfile,
    sources: u32,
    shared: bool,
    neurons: Vec<u32>,
    first_neuron: u32,
    window: (f64, f64),
    dt: f64,
) -> Input {
    let kind = InputKind::PoissonProfile {
        rate,
        weight: 0.25,
        sources,
        synapse: PoissonSynapse::Delta,
        shared,
    };
    Input::for_part(kind, neurons, first_neuron, window.0, window.1, 17, 3, dt).unwrap()
}

/// The counts of each of `neurons` targets in each of `steps` steps: `counts[step][neuron]`.
fn profile_counts(input: &mut Input, neurons: usize, steps: u64, dt: f64) -> Vec<Vec<f64>> {
    (0..steps)
        .map(|n| {
            let received = step(input, clock(n, dt), neurons, 0);
            assert!(received.current.iter().all(|&c| c == 0.0));
            received.voltage_jumps.iter().map(|j| j / 0.25).collect()
        })
        .collect()
}

/// Checks counts k[s][i] (independent across s and i) against Poisson means λ[s]: the total
/// against Σλ, the squared deviations against their mean Σλ (variance), and the per-step
/// sums C_s over targets against a χ² of one degree of freedom per step, which fails if the
/// mean is right on average but follows the wrong time course. Tolerances are 4 standard
/// deviations computed from the Poisson moments: Var k = λ, Var (k − λ)² = λ + 2λ², and
/// Var (C − μ)²/μ = 2 + 1/μ for C ~ Poisson(μ).
fn assert_poisson_with_means(counts: &[Vec<f64>], means: &[f64], what: &str) {
    let targets = counts[0].len() as f64;
    let (mut total, mut expected, mut squares, mut squares_variance) = (0.0, 0.0, 0.0, 0.0);
    let (mut chi_square, mut chi_square_variance, mut degrees) = (0.0, 0.0, 0.0);
    for (row, &lambda) in counts.iter().zip(means) {
        let sum: f64 = row.iter().sum();
        total += sum;
        expected += targets * lambda;
        squares += row.iter().map(|k| (k - lambda).powi(2)).sum::<f64>();
        squares_variance += targets * (lambda + 2.0 * lambda * lambda);
        if lambda > 0.0 {
            let mu = targets * lambda;
            chi_square += (sum - mu).powi(2) / mu;
            chi_square_variance += 2.0 + 1.0 / mu;
            degrees += 1.0;
        } else {
            assert_eq!(sum, 0.0, "{what}: spikes where the rate is 0");
        }
    }
    assert_close(
        total,
        expected,
        4.0 * expected.sqrt(),
        &format!("{what}: total"),
    );
    assert_close(
        squares,
        expected,
        4.0 * squares_variance.sqrt(),
        &format!("{what}: Σ(k − λ)²"),
    );
    assert_close(
        chi_square,
        degrees,
        4.0 * chi_square_variance.sqrt(),
        &format!("{what}: χ² of the per-step sums"),
    );
}

#[test]
fn sinusoidal_counts_are_poisson_with_the_integral_of_the_rate_over_each_step() {
    // ν(t) = 40 + 30 sin(2π·10 Hz·t + 0.5) Hz, 4 sources, from a window opening mid-step.
    // Each step's mean, in closed form (the difference of cosines, independent of the
    // library's product-of-sines form): λ = K [ν₀ Δ + ν₁ (cos θₐ − cos θ_b)/ω]·10⁻³.
    let (nu0, nu1, f, phase, sources, dt, start) = (40.0, 30.0, 10.0, 0.5, 4, 0.1, 5.05);
    let rate = RateProfile::Sinusoidal {
        mean_hz: nu0,
        amplitude_hz: nu1,
        frequency_hz: f,
        phase,
    };
    let omega = std::f64::consts::TAU * f * 1e-3;
    let (neurons, steps) = (400, 3000);
    let mut input = profile_input(
        rate,
        sources,
        false,
        (0..neurons).collect(),
        0,
        (start, f64::INFINITY),
        dt,
    );
    let counts = profile_counts(&mut input, neurons as usize, steps, dt);
    let means: Vec<f64> = (0..steps)
        .map(|n| {
            let (a, b) = ((n as f64 * dt).max(start), (n + 1) as f64 * dt);
            if b <= a {
                return 0.0;
            }
            let angle = |t: f64| omega * t + phase;
            f64::from(sources)
                * (nu0 * (b - a) + nu1 * (angle(a).cos() - angle(b).cos()) / omega)
                * 1e-3
        })
        .collect();
    assert_poisson_with_means(&counts, &means, "sinusoid");
}

#[test]
fn a_clipped_sinusoid_and_a_stepped_profile_give_their_integrals() {
    // ν₁ > ν₀: the rate is max(0, ·), 0 for part of each period (no spikes there). The
    // reference mean of each step is a midpoint sum on 1,000 sub-intervals.
    let dt = 0.1;
    let clipped = RateProfile::Sinusoidal {
        mean_hz: 20.0,
        amplitude_hz: 60.0,
        frequency_hz: 25.0,
        phase: 0.0,
    };
    let (neurons, steps) = (300, 2000);
    let mut input = profile_input(
        clipped.clone(),
        5,
        false,
        (0..neurons).collect(),
        0,
        (0.0, f64::INFINITY),
        dt,
    );
    let counts = profile_counts(&mut input, neurons as usize, steps, dt);
    let means: Vec<f64> = (0..steps)
        .map(|n| {
            let h = dt / 1000.0;
            (0..1000)
                .map(|i| {
                    let t = n as f64 * dt + (i as f64 + 0.5) * h;
                    let phase = std::f64::consts::TAU * 25.0 * t * 1e-3;
                    (20.0 + 60.0 * phase.sin()).max(0.0) * h
                })
                .sum::<f64>()
                * 5.0
                * 1e-3
        })
        .collect();
    assert_poisson_with_means(&counts, &means, "clipped sinusoid");

    // A stepped profile with a jump inside a step: 0 Hz before 1.05 ms, 2 kHz until
    // 3.05 ms, then 300 Hz; one source.
    let stepped = RateProfile::Sampled(TimeSeries {
        times_ms: vec![1.05, 3.05],
        values: vec![2000.0, 300.0],
        interpolation: Interpolation::Step,
    });
    let (neurons, steps) = (500, 200);
    let mut input = profile_input(
        stepped,
        1,
        false,
        (0..neurons).collect(),
        0,
        (0.0, f64::INFINITY),
        dt,
    );
    let counts = profile_counts(&mut input, neurons as usize, steps, dt);
    let means: Vec<f64> = (0..steps)
        .map(|n| {
            let (a, b) = (n as f64 * dt, (n + 1) as f64 * dt);
            let overlap = |low: f64, high: f64| (b.min(high) - a.max(low)).max(0.0);
            (2000.0 * overlap(1.05, 3.05) + 300.0 * overlap(3.05, f64::INFINITY)) * 1e-3
        })
        .collect();
    assert_poisson_with_means(&counts, &means, "stepped profile");
}

#[test]
fn a_shared_train_gives_every_target_the_same_jumps_whatever_the_split() {
    // One train of 10 sources at 500 Hz (λ = 0.5 per step of 0.1 ms), delivered to 40
    // neurons held by two parts of a population (as two threads would hold them), and to
    // one neuron alone: the same count, everywhere, in every step.
    let rate = RateProfile::Constant { rate_hz: 500.0 };
    let dt = 0.1;
    let steps = 20_000;
    let whole = (0.0, f64::INFINITY);
    let mut low = profile_input(rate.clone(), 10, true, (0..20).collect(), 0, whole, dt);
    let mut high = profile_input(rate.clone(), 10, true, (0..20).collect(), 20, whole, dt);
    let mut alone = profile_input(rate.clone(), 10, true, vec![7], 0, whole, dt);
    let low = profile_counts(&mut low, 20, steps, dt);
    let high = profile_counts(&mut high, 20, steps, dt);
    let alone = profile_counts(&mut alone, 8, steps, dt);
    let mut train = Vec::with_capacity(steps as usize);
    for ((a, b), c) in low.iter().zip(&high).zip(&alone) {
        let count = a[0];
        assert!(a.iter().chain(b).all(|&k| k == count), "{a:?} {b:?}");
        assert_eq!(c[7], count);
        train.push(count);
    }
    // The train itself is Poisson with mean and variance K ν dt.
    let lambda = 10.0 * 500.0 * dt * 1e-3;
    let n = train.len() as f64;
    let (mean, variance) = mean_variance(&train);
    assert_close(mean, lambda, 4.0 * (lambda / n).sqrt(), "shared count mean");
    let variance_error = ((lambda + 2.0 * lambda * lambda) / n).sqrt();
    assert_close(
        variance,
        lambda,
        4.0 * variance_error,
        "shared count variance",
    );
    // Without `shared`, the same input gives every neuron its own train.
    let mut own = profile_input(rate, 10, false, (0..20).collect(), 0, whole, dt);
    let own = profile_counts(&mut own, 20, 200, dt);
    let differing = own
        .iter()
        .filter(|row| row.iter().any(|&k| k != row[0]))
        .count();
    assert!(
        differing > 150,
        "{differing} of 200 steps differ between neurons"
    );
}

// ---------------------------------------------------------------- reproducibility

fn noise_kinds() -> Vec<InputKind> {
    vec![
        InputKind::WhiteNoise {
            mean: 0.0,
            std: 1.0,
            time_scale_ms: 1.0,
        },
        InputKind::OrnsteinUhlenbeck {
            mean: 0.0,
            std: 1.0,
            correlation_time_ms: 3.0,
        },
        InputKind::Poisson {
            rate_hz: 2000.0,
            weight: 1.0,
            sources: 3,
            synapse: PoissonSynapse::Delta,
        },
        InputKind::PoissonProfile {
            rate: RateProfile::Sinusoidal {
                mean_hz: 2000.0,
                amplitude_hz: 1500.0,
                frequency_hz: 50.0,
                phase: 0.0,
            },
            weight: 1.0,
            sources: 3,
            synapse: PoissonSynapse::Delta,
            shared: false,
        },
    ]
}

/// Everything neuron `neuron` receives over 200 steps.
fn trace_of(kind: &InputKind, neurons: Vec<u32>, neuron: usize, seed: u64) -> Vec<f64> {
    let mut input = Input::new(kind.clone(), neurons, 0.0, f64::INFINITY, seed, 4, 0.1).unwrap();
    (0..200)
        .map(|n| {
            let received = step(&mut input, clock(n, 0.1), 8, 0);
            received.current[neuron] + received.voltage_jumps[neuron]
        })
        .collect()
}

#[test]
fn same_seed_gives_bitwise_identical_noise_and_another_seed_does_not() {
    for kind in noise_kinds() {
        let a = trace_of(&kind, vec![0, 1, 2], 1, 99);
        let b = trace_of(&kind, vec![0, 1, 2], 1, 99);
        let c = trace_of(&kind, vec![0, 1, 2], 1, 100);
        let bits = |trace: &[f64]| trace.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{kind:?}");
        assert_ne!(a, c, "{kind:?}");
    }
}

#[test]
fn a_neurons_noise_does_not_depend_on_the_other_targets() {
    for kind in noise_kinds() {
        let alone = trace_of(&kind, vec![5], 5, 1);
        let with_another = trace_of(&kind, vec![3, 5], 5, 1);
        let reversed = trace_of(&kind, vec![5, 3, 7], 5, 1);
        assert_eq!(alone, with_another, "{kind:?}");
        assert_eq!(alone, reversed, "{kind:?}");
        assert_ne!(alone, trace_of(&kind, vec![3, 5], 3, 1), "{kind:?}");
    }
}

// ---------------------------------------------------------------- validation

fn error_of(kind: InputKind) -> String {
    Input::new(kind, vec![0], 0.0, f64::INFINITY, 1, 0, 0.1)
        .unwrap_err()
        .to_string()
}

#[test]
fn invalid_inputs_are_errors_that_say_what_is_wrong() {
    let pulse = |width_ms, period_ms, count| InputKind::PulseTrain {
        amplitude: 1.0,
        width_ms,
        period_ms,
        first_ms: 0.0,
        count,
    };
    assert_eq!(
        error_of(pulse(3.0, 2.0, None)),
        "pulse width (3 ms) exceeds the period (2 ms)"
    );
    assert_eq!(
        error_of(pulse(0.0, 2.0, None)),
        "pulse width must be positive, got 0 ms"
    );
    assert_eq!(
        error_of(pulse(1.0, 2.0, Some(0))),
        "a pulse train needs at least one pulse (count is 0)"
    );
    let poisson = |rate_hz, sources| InputKind::Poisson {
        rate_hz,
        weight: 0.1,
        sources,
        synapse: PoissonSynapse::Delta,
    };
    assert_eq!(error_of(poisson(-3.0, 1)), "negative rate (-3 Hz)");
    let profile = |rate| InputKind::PoissonProfile {
        rate,
        weight: 0.1,
        sources: 1,
        synapse: PoissonSynapse::Delta,
        shared: true,
    };
    let sinusoid = |mean_hz, amplitude_hz, frequency_hz| {
        profile(RateProfile::Sinusoidal {
            mean_hz,
            amplitude_hz,
            frequency_hz,
            phase: 0.0,
        })
    };
    assert_eq!(
        error_of(sinusoid(-1.0, 1.0, 1.0)),
        "negative mean rate (-1 Hz)"
    );
    assert_eq!(
        error_of(sinusoid(1.0, -1.0, 1.0)),
        "negative rate amplitude (-1 Hz)"
    );
    assert_eq!(
        error_of(sinusoid(1.0, 1.0, 0.0)),
        "modulation frequency must be positive, got 0 Hz"
    );
    assert_eq!(
        error_of(profile(RateProfile::Sampled(TimeSeries {
            times_ms: vec![0.0, 1.0],
            values: vec![1.0, -2.0],
            interpolation: Interpolation::Step,
        }))),
        "rate profile: negative value at index 1 (-2 Hz)"
    );
    assert_eq!(
        error_of(profile(RateProfile::Constant { rate_hz: 1e30 })),
        "Poisson input: mean spike count per step (100000000000000000000000000) is too large"
    );
    assert_eq!(
        error_of(poisson(3.0, 0)),
        "a Poisson input needs at least one source (sources is 0)"
    );
    assert_eq!(
        error_of(InputKind::Steps {
            times_ms: vec![0.0, 2.0, 1.0],
            amplitudes: vec![1.0, 2.0, 3.0],
        }),
        "steps: times not increasing at index 2 (1 ms after 2 ms)"
    );
    assert_eq!(
        error_of(InputKind::Steps {
            times_ms: vec![0.0, 2.0],
            amplitudes: vec![1.0],
        }),
        "steps: 2 times but 1 values"
    );
    assert_eq!(
        error_of(InputKind::TimeSeries(TimeSeries {
            times_ms: vec![0.0, 1.0],
            values: vec![1.0, f64::NAN],
            interpolation: Interpolation::Linear,
        })),
        "time series: value at index 1 is not a finite number (NaN)"
    );
    assert_eq!(
        error_of(InputKind::WhiteNoise {
            mean: 0.0,
            std: -1.0,
            time_scale_ms: 1.0
        }),
        "negative noise standard deviation (-1)"
    );
    assert_eq!(
        error_of(InputKind::OrnsteinUhlenbeck {
            mean: f64::INFINITY,
            std: 1.0,
            correlation_time_ms: 1.0
        }),
        "noise mean must be a finite number, got inf"
    );
    assert_eq!(
        error_of(InputKind::Ramp {
            from: 0.0,
            to: 1.0,
            start_ms: 5.0,
            stop_ms: 5.0
        }),
        "ramp: stop (5 ms) is not after start (5 ms)"
    );
    let constant = InputKind::Constant { amplitude: 1.0 };
    let window = Input::new(constant.clone(), vec![0], 10.0, 5.0, 1, 0, 0.1).unwrap_err();
    assert_eq!(
        window.to_string(),
        "input window: stop (5 ms) is not after start (10 ms)"
    );
    let duplicate = Input::new(constant, vec![4, 2, 4], 0.0, 5.0, 1, 0, 0.1).unwrap_err();
    assert_eq!(duplicate.to_string(), "neuron 4 is listed twice");
}

// ---------------------------------------------------------------- files

/// A directory of test files, unique to this process and test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let directory =
            std::env::temp_dir().join(format!("cajal-input-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        TempDir(directory)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a version-1.0 .npy file: magic, header length, the header dictionary padded with
/// spaces to a multiple of 64 bytes, then the raw data.
fn write_npy(
    dir: &TempDir,
    name: &str,
    descr: &str,
    fortran: bool,
    shape: &str,
    data: &[u8],
) -> PathBuf {
    let order = if fortran { "True" } else { "False" };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    dir.write(name, &bytes)
}

fn read(path: &Path, interval: Option<f64>) -> Result<TimeSeries, InputError> {
    read_time_series(path, interval, 1.0, 1.0, Interpolation::Linear)
}

#[test]
fn reads_csv_with_time_and_value_columns_and_scales_them() {
    let dir = TempDir::new("reads_csv_with_time_and_value_columns_and_scales_them");
    let path = dir.write(
        "two_columns.csv",
        b"time (s), current (nA)\n0.000, 1.5\n# a comment\n\n0.002 , -2\n0.004,3e-1\n",
    );
    // Seconds → ms and nA → pA.
    let series = read_time_series(&path, None, 1000.0, 1000.0, Interpolation::Step).unwrap();
    assert_eq!(series.times_ms, [0.0, 2.0, 4.0]);
    assert_eq!(series.values, [1500.0, -2000.0, 300.0]);
    assert_eq!(series.interpolation, Interpolation::Step);
}

#[test]
fn reads_csv_with_one_column_and_a_sampling_interval() {
    let dir = TempDir::new("reads_csv_with_one_column_and_a_sampling_interval");
    let path = dir.write("one_column.csv", b"current\n1\n2\n3\n");
    let series = read(&path, Some(0.5)).unwrap();
    assert_eq!(series.times_ms, [0.0, 0.5, 1.0]);
    assert_eq!(series.values, [1.0, 2.0, 3.0]);
    // Without a header, the first line is data.
    let path = dir.write("no_header.csv", b"0, 4\n1, 5\n");
    let series = read(&path, None).unwrap();
    assert_eq!(series.times_ms, [0.0, 1.0]);
    assert_eq!(series.values, [4.0, 5.0]);
}

#[test]
fn csv_errors_name_the_file_and_line() {
    let dir = TempDir::new("csv_errors_name_the_file_and_line");
    let cases: [(&str, &[u8], Option<f64>, &str); 8] = [
        (
            "text.csv",
            b"t,v\n0,1\n1,abc\n",
            None,
            "line 3: \"abc\" is not a number",
        ),
        (
            "nan.csv",
            b"t,v\n0,1\n1,2\n2,NaN\n",
            None,
            "line 4: value is not finite (NaN)",
        ),
        (
            "inf_time.csv",
            b"t,v\ninf,1\n",
            None,
            "line 2: time is not finite (inf)",
        ),
        (
            "columns.csv",
            b"t,v\n0,1\n1,2,3\n",
            None,
            "line 3: expected 2 columns, found 3",
        ),
        (
            "order.csv",
            b"t,v\n0,1\n1,2\n3,3\n3,4\n",
            None,
            "line 5: times not increasing (3 ms after 3 ms)",
        ),
        ("empty.csv", b"", None, "no samples"),
        ("header_only.csv", b"time,value\n", None, "no samples"),
        (
            "values_only.csv",
            b"value\n1\n",
            None,
            "the file has only values; give the sampling interval",
        ),
    ];
    for (name, contents, interval, message) in cases {
        let path = dir.write(name, contents);
        let error = read(&path, interval).unwrap_err().to_string();
        let expected = if message.starts_with("line") {
            format!("{}, {message}", path.display())
        } else {
            format!("{}: {message}", path.display())
        };
        assert_eq!(error, expected, "{name}");
    }
    let missing = dir.path("missing.csv");
    let error = read(&missing, None).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("cannot read {}: ", missing.display())),
        "{error}"
    );
    let path = dir.write("both.csv", b"t,v\n0,1\n");
    assert_eq!(
        read(&path, Some(1.0)).unwrap_err().to_string(),
        format!(
            "{}: the file has a time column; a sampling interval must not be given as well",
            path.display()
        )
    );
}

fn bytes_of<const N: usize, T: Copy>(values: &[T], to_bytes: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&x| to_bytes(x)).collect()
}

#[test]
fn reads_npy_arrays_of_several_types_and_layouts() {
    let dir = TempDir::new("reads_npy_arrays_of_several_types_and_layouts");
    // 2-D float64 (time, value) rows in C order.
    let data = bytes_of(&[0.0f64, 1.0, 0.5, 2.0, 1.5, -1.0], f64::to_le_bytes);
    let path = write_npy(&dir, "pairs.npy", "<f8", false, "(3, 2)", &data);
    let series = read(&path, None).unwrap();
    assert_eq!(series.times_ms, [0.0, 0.5, 1.5]);
    assert_eq!(series.values, [1.0, 2.0, -1.0]);

    // The same array in Fortran order: the time column first, then the value column.
    let data = bytes_of(&[0.0f64, 0.5, 1.5, 1.0, 2.0, -1.0], f64::to_le_bytes);
    let path = write_npy(&dir, "pairs_fortran.npy", "<f8", true, "(3, 2)", &data);
    let series = read(&path, None).unwrap();
    assert_eq!(series.times_ms, [0.0, 0.5, 1.5]);
    assert_eq!(series.values, [1.0, 2.0, -1.0]);

    // 1-D float32, big-endian, with a sampling interval and scales.
    let data = bytes_of(&[0.25f32, -0.5, 4.0], f32::to_be_bytes);
    let path = write_npy(&dir, "values.NPY", ">f4", false, "(3,)", &data);
    let series = read_time_series(&path, Some(0.1), 1.0, 2.0, Interpolation::Step).unwrap();
    assert_eq!(series.values, [0.5, -1.0, 8.0]);
    assert_eq!(series.times_ms.len(), 3);
    assert_close(series.times_ms[2], 0.2, 1e-15, "sample time");

    // Integers.
    let data = bytes_of(&[3i32, -7], i32::to_le_bytes);
    let path = write_npy(&dir, "ints.npy", "<i4", false, "(2,)", &data);
    assert_eq!(read(&path, Some(1.0)).unwrap().values, [3.0, -7.0]);
    let data = bytes_of(&[0u16, 10, 1, 20], u16::to_le_bytes);
    let path = write_npy(&dir, "uints.npy", "<u2", false, "(2, 2)", &data);
    let series = read(&path, None).unwrap();
    assert_eq!(
        (series.times_ms, series.values),
        (vec![0.0, 1.0], vec![10.0, 20.0])
    );
}

#[test]
fn npy_errors_name_the_file_and_what_is_wrong() {
    let dir = TempDir::new("npy_errors_name_the_file_and_what_is_wrong");
    let complex = write_npy(&dir, "complex.npy", "<c16", false, "(1,)", &[0; 16]);
    let text = write_npy(&dir, "text.npy", "|S4", false, "(2,)", b"abcdefgh");
    let cube = write_npy(&dir, "cube.npy", "<f8", false, "(1, 1, 1)", &[0; 8]);
    let three = write_npy(&dir, "three.npy", "<f8", false, "(1, 3)", &[0; 24]);
    let order = write_npy(
        &dir,
        "order.npy",
        "<f8",
        false,
        "(2, 2)",
        &bytes_of(&[1.0f64, 0.0, 1.0, 0.0], f64::to_le_bytes),
    );
    let nan = write_npy(
        &dir,
        "nan.npy",
        "<f8",
        false,
        "(2,)",
        &bytes_of(&[1.0f64, f64::NAN], f64::to_le_bytes),
    );
    let empty = write_npy(&dir, "empty.npy", "<f8", false, "(0,)", &[]);
    let garbage = dir.write("garbage.npy", b"not an npy file");
    let cases: [(&Path, Option<f64>, &str); 9] = [
        (
            &complex,
            Some(1.0),
            "unsupported element type '<c16': expected float64, float32 or integers",
        ),
        (
            &text,
            Some(1.0),
            "unsupported element type '|S4': expected float64, float32 or integers",
        ),
        (
            &cube,
            None,
            "unsupported array shape [1, 1, 1]: expected (N,) values or (N, 2) (time, value) rows",
        ),
        (
            &three,
            None,
            "the array has 3 columns; expected 2 (time, value) or 1 (value, with a sampling \
             interval)",
        ),
        (
            &order,
            None,
            "row 1: times not increasing (1 ms after 1 ms)",
        ),
        (&nan, Some(1.0), "row 1: value is not finite (NaN)"),
        (&empty, Some(1.0), "no samples"),
        (
            &empty,
            None,
            "the array has only values; give the sampling interval",
        ),
        (&garbage, None, "not a valid .npy file"),
    ];
    for (path, interval, message) in cases {
        let error = read(path, interval).unwrap_err().to_string();
        let expected = format!("{}: {message}", path.display());
        assert!(error.starts_with(&expected), "{error}\nexpected {expected}");
    }
}

#[test]
fn a_file_read_series_drives_an_input() {
    let dir = TempDir::new("a_file_read_series_drives_an_input");
    let path = dir.write("drive.csv", b"t,v\n0,0\n1,10\n");
    let series = read(&path, None).unwrap();
    let trace = currents(InputKind::TimeSeries(series), always(), 0.5, 3);
    // Linear from 0 to 10 over [0, 1]: step means 2.5 and 7.5, then the held 10.
    assert_eq!(trace, [2.5, 7.5, 10.0]);
}

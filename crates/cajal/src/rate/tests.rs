//! Tests of the rate simulator against closed forms: linear ODEs and delay equations solved
//! by the method of steps, the characteristic equation of a delayed inhibitory loop, the
//! bump of the ring model (Ben-Yishai et al. 1995), a moving stimulus, the Ornstein–Uhlenbeck
//! variance, and direct sums for the convolutions.

use std::f64::consts::PI;

use rustfft::num_complex::Complex;

use super::convolution::{Convolution, Method};
use super::*;
use crate::input::{InputKind, Interpolation, TimeSeries};
use crate::neuron::rate::TransferFunction;

const LINEAR: TransferFunction = TransferFunction::ThresholdLinear {
    threshold: 0.0,
    gain: 1.0,
};

fn population(
    name: &str,
    tau_ms: f64,
    input: f64,
    initial: f64,
    geometry: Geometry,
) -> RatePopulation {
    RatePopulation {
        name: name.into(),
        time_constant_ms: tau_ms,
        transfer: LINEAR,
        input,
        initial_rate: initial,
        geometry,
    }
}

fn self_coupling(strength: CouplingStrength, delay_ms: f64) -> RateCoupling {
    RateCoupling {
        source: 0,
        target: 0,
        strength,
        delay_ms,
    }
}

fn options(dt_ms: f64) -> RateSimulation {
    RateSimulation { dt_ms, seed: 7 }
}

/// One single-rate population τ dr/dt = −r + [J r(t − D) + I]₊.
fn delayed_unit(tau_ms: f64, weight: f64, delay_ms: f64, input: f64, initial: f64) -> RateModel {
    RateModel::new(
        vec![population("E", tau_ms, input, initial, Geometry::Single)],
        vec![self_coupling(CouplingStrength::Weight(weight), delay_ms)],
    )
    .unwrap()
}

fn ring(points: usize, length: f64) -> Geometry {
    Geometry::Ring { points, length }
}

/// τ dr/dt = −r + J r + I with r > 0 throughout: r(t) = r∞ + (r0 − r∞) e^(−t(1 − J)/τ),
/// r∞ = I/(1 − J) (J ≠ 1), and r0 + I t/τ for J = 1 (a perfect integrator). The scheme is
/// second order: at h = 0.01 ms, τ = 10 ms its error is about (h/τ)²(1 − J)² t/τ ≲ 10⁻⁶ of
/// r, as required.
#[test]
fn linear_population_follows_its_exponential() {
    let (tau, input, r0, dt) = (10.0, 1.0, 0.2, 0.01);
    for weight in [0.5, -1.0, 1.0, 1.2] {
        let model = delayed_unit(tau, weight, 0.0, input, r0);
        let recording = simulate(
            &model,
            Vec::new(),
            History::Constant,
            options(dt),
            50.0,
            1.0,
        )
        .unwrap();
        assert_eq!(recording.times_ms.len(), 51);
        for (&t, &r) in recording.times_ms.iter().zip(&recording.rates[0]) {
            let exact = if weight == 1.0 {
                r0 + input * t / tau
            } else {
                let r_inf = input / (1.0 - weight);
                r_inf + (r0 - r_inf) * (-t * (1.0 - weight) / tau).exp()
            };
            assert!(
                (r - exact).abs() <= 1e-6 * exact.abs(),
                "J = {weight}, t = {t}: {r} vs {exact}"
            );
        }
        if weight == 1.2 {
            // The rate instability: growth as e^(0.2 t/τ), here by e = 2.718 over 50 ms.
            let last = *recording.rates[0].last().unwrap();
            assert!(last > 2.5 * r0 + 5.0 * input, "{last}");
        }
    }
}

/// The method of steps for τ r' = −r + J r(t − D) + I with r = r0 for t ≤ 0:
/// on [0, D], r = A1 + (r0 − A1) e^(−t/τ) with A1 = J r0 + I; on [D, 2D], with s = t − D,
/// r = A2 + (r(D) − A2) e^(−s/τ) + (B/τ) s e^(−s/τ), A2 = J A1 + I, B = J (r0 − A1)
/// (the delayed term decays at the leak's own rate, hence the s e^(−s/τ)).
fn method_of_steps(tau: f64, weight: f64, delay: f64, input: f64, r0: f64, t: f64) -> f64 {
    let a1 = weight * r0 + input;
    let first = |t: f64| a1 + (r0 - a1) * (-t / tau).exp();
    if t <= delay {
        return first(t);
    }
    assert!(t <= 2.0 * delay + 1e-9);
    let s = t - delay;
    let a2 = weight * a1 + input;
    let b = weight * (r0 - a1);
    let decay = (-s / tau).exp();
    a2 + (first(delay) - a2) * decay + b / tau * s * decay
}

#[test]
fn delayed_population_matches_the_method_of_steps() {
    let (tau, delay, input, r0) = (10.0, 7.1, 1.0, 0.2);
    for weight in [0.5, -0.5] {
        let model = delayed_unit(tau, weight, delay, input, r0);
        let recording = simulate(
            &model,
            Vec::new(),
            History::Constant,
            options(0.01),
            14.2,
            0.1,
        )
        .unwrap();
        for (&t, &r) in recording.times_ms.iter().zip(&recording.rates[0]) {
            let exact = method_of_steps(tau, weight, delay, input, r0, t);
            // On [0, D] the drive is constant and the scheme exact; after D the error is
            // second order, (h/τ)² ≈ 10⁻⁶ times the size of the delayed term.
            let tolerance = if t <= delay { 1e-12 } else { 1e-6 };
            assert!(
                (r - exact).abs() <= tolerance,
                "J = {weight}, t = {t}: {r} vs {exact}"
            );
        }
    }
}

/// Errors at t = 2D against the method of steps, for three steps of about h, h/2, h/4:
/// D = (k + f)h with the same fraction f of a step for all three (k = 8, 16, 32 with f = 0;
/// k = 39, 79, 159 with f = ½, where the past is interpolated), so that the error constant,
/// which depends on where t − D falls between two steps, is the same, and 2D is a step of
/// each grid. Second order: the observed order log(e₁/e₂)/log(h₁/h₂) lies in [1.9, 2.1].
/// (The error is C h² + O(h³); with f = ½ the cubic term is large enough that at
/// h/τ ≈ 0.1 the observed order is still 1.6–2.2, and it is within 0.05 of 2 from
/// h/τ ≈ 0.02 on, hence the finer steps there.)
#[test]
fn delayed_integration_is_second_order() {
    let (tau, delay, input, r0) = (10.0, 7.1, 1.0, 0.2);
    for weight in [0.5, -0.8] {
        let model = delayed_unit(tau, weight, delay, input, r0);
        let exact = method_of_steps(tau, weight, delay, input, r0, 2.0 * delay);
        for (fraction, wholes) in [(0.0, [8.0, 16.0, 32.0]), (0.5, [39.0, 79.0, 159.0])] {
            let steps = wholes.map(|k: f64| k + fraction);
            let errors = steps.map(|per_delay| {
                let dt = delay / per_delay;
                let mut simulator =
                    RateSimulator::new(&model, Vec::new(), History::Constant, options(dt)).unwrap();
                simulator.advance((2.0 * per_delay) as u64).unwrap();
                (simulator.rates(0)[0] - exact).abs()
            });
            for k in 0..2 {
                let order = (errors[k] / errors[k + 1]).ln() / (steps[k + 1] / steps[k]).ln();
                assert!(
                    (1.9..=2.1).contains(&order),
                    "J = {weight}, f = {fraction}: order {order}, errors {errors:?}"
                );
            }
            assert!(errors[0] < 1e-3, "{errors:?}");
        }
    }
}

/// The exponential trapezoid is exact for a drive linear in time: with the history
/// r(t) = 1 + 0.1 t (t ≤ 0, given by two samples) and D = 5 ms, on [0, D] the drive
/// J(1 + 0.1(t − D)) + I is linear and r = a + b t + (1 − a) e^(−t/τ) with b = 0.1 J,
/// a = J(1 − 0.1 D) + I − τ b.
#[test]
fn a_given_history_is_read_exactly() {
    let (tau, weight, delay, input) = (10.0, 0.5, 5.0, 2.0);
    let model = delayed_unit(tau, weight, delay, input, 123.0);
    let history = History::Given(vec![Some(TimeSeries {
        times_ms: vec![-10.0, 0.0],
        values: vec![0.0, 1.0],
        interpolation: Interpolation::Linear,
    })]);
    let recording = simulate(&model, Vec::new(), history, options(0.3), 4.8, 0.3).unwrap();
    let b = 0.1 * weight;
    let a = weight * (1.0 - 0.1 * delay) + input - tau * b;
    for (&t, &r) in recording.times_ms.iter().zip(&recording.rates[0]) {
        let exact = a + b * t + (1.0 - a) * (-t / tau).exp();
        assert!((r - exact).abs() < 1e-12, "t = {t}: {r} vs {exact}");
    }
}

/// ω_c of the delayed inhibitory loop: iωτ + 1 = J e^(−iωD) at |J| = √(1 + ω²τ²) gives
/// ωD + atan(ωτ) = π, solved by bisection on (0, π/D).
fn critical_frequency(tau: f64, delay: f64) -> f64 {
    let (mut low, mut high) = (0.0, PI / delay);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid * delay + (mid * tau).atan() < PI {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// The root λ = μ + iω of λτ + 1 = J e^(−λD) near iω_c (Newton).
fn characteristic_root(tau: f64, delay: f64, weight: f64, omega: f64) -> Complex<f64> {
    let mut lambda = Complex::new(0.0, omega);
    for _ in 0..100 {
        let e = (-lambda * delay).exp();
        let f = lambda * tau + 1.0 - weight * e;
        let df = tau + weight * delay * e;
        lambda -= f / df;
    }
    lambda
}

/// Up-crossings of `level` (linearly interpolated) and the largest deviation from it, in
/// the samples at `times` within [from, to).
fn oscillation(times: &[f64], values: &[f64], level: f64, from: f64, to: f64) -> (Vec<f64>, f64) {
    let mut crossings = Vec::new();
    let mut largest: f64 = 0.0;
    for k in 1..times.len() {
        if times[k - 1] < from || times[k] >= to {
            continue;
        }
        let (a, b) = (values[k - 1] - level, values[k] - level);
        largest = largest.max(b.abs());
        if a < 0.0 && b >= 0.0 {
            crossings.push(times[k - 1] + (times[k] - times[k - 1]) * a / (a - b));
        }
    }
    (crossings, largest)
}

/// A delayed inhibitory population τ r' = −r + [I + J r(t − D)]₊ around its fixed point
/// r* = I/(1 − J) (above threshold, so linear). Its linearisation λτ + 1 = J e^(−λD) has a
/// Hopf bifurcation at J_c = −√(1 + ω_c²τ²), ω_c from ωD + atan(ωτ) = π. With τ = 10 ms and
/// D = 2 ms (τ ≫ D, so f_c ≈ 1/(4D)): f_c = 134.4 Hz, J_c = −8.50. At dt = D/20:
/// - J = 1.02 J_c: the oscillation grows, at the frequency of the exact root (0.46% above
///   f_c), within 0.2%, and so within 1% of f_c; its growth rate μ within 10%;
/// - J = 0.98 J_c: it decays, at the rate of the exact root within 10%.
///
/// The deviation stays below 5% of r*, far from the threshold (reached at r*/|J| ≈ 12%).
#[test]
fn delayed_inhibition_oscillates_at_the_characteristic_frequency() {
    let (tau, delay, input) = (10.0, 2.0, 1.0);
    let omega_c = critical_frequency(tau, delay);
    let critical = -(1.0 + omega_c * omega_c * tau * tau).sqrt();
    assert!((omega_c / (2.0 * PI) * 1000.0 - 134.38).abs() < 0.01);
    for factor in [1.02, 0.98] {
        let weight = factor * critical;
        let fixed = input / (1.0 - weight);
        let model = delayed_unit(tau, weight, delay, input, fixed * 1.001);
        let duration = 500.0;
        let recording = simulate(
            &model,
            Vec::new(),
            History::Constant,
            options(delay / 20.0),
            duration,
            delay / 20.0,
        )
        .unwrap();
        let (times, rates) = (&recording.times_ms, &recording.rates[0]);
        let root = characteristic_root(tau, delay, weight, omega_c);
        let (crossings, _) = oscillation(times, rates, fixed, 50.0, duration);
        let periods = (crossings.len() - 1) as f64;
        let frequency = periods / (crossings.last().unwrap() - crossings[0]);
        let exact = root.im / (2.0 * PI);
        assert!(
            (frequency / exact - 1.0).abs() < 2e-3,
            "J = {factor} J_c: {frequency} vs root {exact}"
        );
        assert!(
            (frequency / (omega_c / (2.0 * PI)) - 1.0).abs() < 1e-2,
            "J = {factor} J_c: {frequency} vs f_c"
        );
        // Growth or decay: the amplitude over two windows 300 ms apart.
        let (_, early) = oscillation(times, rates, fixed, 100.0, 150.0);
        let (_, late) = oscillation(times, rates, fixed, 400.0, 450.0);
        let rate = (late / early).ln() / 300.0;
        assert!(late < 0.05 * fixed, "left the linear regime: {late}");
        assert_eq!(rate > 0.0, factor > 1.0, "J = {factor} J_c: rate {rate}");
        assert!(
            (rate / root.re - 1.0).abs() < 0.1,
            "J = {factor} J_c: growth rate {rate} vs {}",
            root.re
        );
    }
}

/// A deterministic sequence in [−1, 1) for test fields.
fn scrambled(count: usize, salt: f64) -> Vec<f64> {
    (0..count)
        .map(|k| {
            let x = ((k as f64 + salt) * 12.9898).sin() * 43758.5453;
            2.0 * (x - x.floor()) - 1.0
        })
        .collect()
}

/// (J ⋆ r)_x = (1/N) Σ_y J[(x − y) mod N] r_y, directly (torus: componentwise mod).
fn direct_convolution(values: &[f64], field: &[f64], (nx, ny): (usize, usize)) -> Vec<f64> {
    let n = nx * ny;
    (0..n)
        .map(|x| {
            let (xi, xj) = (x / ny, x % ny);
            (0..n)
                .map(|y| {
                    let (yi, yj) = (y / ny, y % ny);
                    let d = ((xi + nx - yi) % nx) * ny + (xj + ny - yj) % ny;
                    values[d] * field[y]
                })
                .sum::<f64>()
                / n as f64
        })
        .collect()
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn fft_and_modes_agree_with_the_direct_sum() {
    let mexican_hat = Kernel::DifferenceOfGaussians {
        excitation: 2.0,
        excitation_width: 5.0,
        inhibition: 1.0,
        inhibition_width: 15.0,
    };
    let cosine = Kernel::Cosine {
        mean: -2.0,
        modulation: 3.0,
    };
    let geometries = [
        (ring(64, 180.0), (1, 64)),
        (ring(37, 100.0), (1, 37)),
        (
            Geometry::Torus {
                points: (8, 12),
                lengths: (80.0, 60.0),
            },
            (8, 12),
        ),
        (
            Geometry::Torus {
                points: (7, 5),
                lengths: (70.0, 50.0),
            },
            (7, 5),
        ),
    ];
    for (geometry, grid) in &geometries {
        let n = geometry.size();
        let field = scrambled(n, 0.5);
        // An asymmetric sampled kernel too: its spectrum is complex.
        let sampled = Kernel::Sampled {
            values: scrambled(n, 3.25),
        };
        for kernel in [&mexican_hat, &cosine, &sampled] {
            let values = kernel.values_on(geometry);
            let direct = direct_convolution(&values, &field, *grid);
            let mut output = vec![0.0; n];
            for method in [Method::Automatic, Method::Fft] {
                let mut convolution = Convolution::new(&values, geometry, method);
                if method == Method::Automatic {
                    assert_eq!(
                        convolution.is_modes(),
                        matches!(kernel, Kernel::Cosine { .. }),
                        "{kernel:?} on {geometry:?}"
                    );
                }
                convolution.apply(&field, &mut output);
                let error = max_difference(&output, &direct);
                assert!(
                    error < 1e-12,
                    "{kernel:?} on {geometry:?}, {method:?}: {error}"
                );
            }
        }
    }
}

/// The ring model of Ben-Yishai, Bar-Or & Sompolinsky (1995) and Hansel & Sompolinsky
/// (1998, in *Methods in Neuronal Modeling*, ch. 13): τ dm/dt = −m + [I0 + h(θ) +
/// ∫dθ'/π (−J0 + J2 cos 2(θ − θ')) m(θ')]₊ on a ring of 180°.
fn ring_model(points: usize, j0: f64, j2: f64, background: f64) -> RateModel {
    RateModel::new(
        vec![population(
            "ring",
            10.0,
            background,
            0.0,
            ring(points, 180.0),
        )],
        vec![self_coupling(
            CouplingStrength::Kernel(Kernel::Cosine {
                mean: -j0,
                modulation: j2,
            }),
            0.0,
        )],
    )
    .unwrap()
}

fn tuned_cue(center: f64, stop_ms: f64) -> RateInput {
    RateInput {
        target: 0,
        kind: RateInputKind::Bump {
            shape: BumpShape::Cosine { contrast: 0.1 },
            amplitude: 0.5,
            center: (center, 0.0),
            velocity_per_ms: (0.0, 0.0),
        },
        start_ms: 0.0,
        stop_ms,
    }
}

#[test]
fn the_cosine_kernel_gives_the_same_run_by_modes_and_by_fft() {
    let model = ring_model(256, 2.0, 3.0, 1.0);
    let mut runs = [Method::Automatic, Method::Fft].map(|method| {
        RateSimulator::with_method(
            &model,
            vec![tuned_cue(60.0, 100.0)],
            History::Constant,
            options(0.5),
            method,
        )
        .unwrap()
    });
    assert!(runs[0].uses_modes(0) && !runs[1].uses_modes(0));
    for run in &mut runs {
        run.advance(400).unwrap();
    }
    let peak = runs[0].rates(0).iter().cloned().fold(0.0, f64::max);
    assert!(peak > 0.5, "no bump: {peak}");
    let error = max_difference(runs[0].rates(0), runs[1].rates(0));
    assert!(error < 1e-10, "{error}");
}

/// The same on a torus with the cosine kernel, a Gaussian bump as the cue.
#[test]
fn the_cosine_kernel_on_a_torus_gives_the_same_run_by_modes_and_by_fft() {
    let geometry = Geometry::Torus {
        points: (24, 16),
        lengths: (24.0, 16.0),
    };
    let model = RateModel::new(
        vec![population("sheet", 10.0, 1.0, 0.0, geometry)],
        vec![self_coupling(
            CouplingStrength::Kernel(Kernel::Cosine {
                mean: -1.0,
                modulation: 3.0,
            }),
            1.5,
        )],
    )
    .unwrap();
    let cue = RateInput {
        target: 0,
        kind: RateInputKind::Bump {
            shape: BumpShape::Gaussian { width: 3.0 },
            amplitude: 0.5,
            center: (6.0, 10.0),
            velocity_per_ms: (0.01, -0.02),
        },
        start_ms: 0.0,
        stop_ms: 100.0,
    };
    let mut runs = [Method::Automatic, Method::Fft].map(|method| {
        RateSimulator::with_method(
            &model,
            vec![cue.clone()],
            History::Constant,
            options(0.2),
            method,
        )
        .unwrap()
    });
    assert!(runs[0].uses_modes(0) && !runs[1].uses_modes(0));
    for run in &mut runs {
        run.advance(1000).unwrap();
    }
    let error = max_difference(runs[0].rates(0), runs[1].rates(0));
    assert!(error < 1e-10, "{error}");
}

/// Working memory in the ring model's marginal phase (J2 > 2). A stationary bump
/// m(θ) = A[cos 2(θ − ψ) − cos 2θ_c]₊ has, from the self-consistency of its second Fourier
/// mode m2 = (1/π)∫ m cos 2θ dθ = (A/2π)(2θ_c − sin(4θ_c)/2) with A = J2 m2,
/// 1 = (J2/π)(θ_c − sin(4θ_c)/4) (θ_c in radians of θ ∈ [−π/2, π/2)); from its mean
/// m0 = (A/π)(sin 2θ_c − 2θ_c cos 2θ_c) and A cos 2θ_c = J0 m0 − I0,
/// A = I0 / [(J0/π)(sin 2θ_c − 2θ_c cos 2θ_c) − cos 2θ_c].
/// For J2 = 3, J0 = 2, I0 = 1: θ_c = 52.7°, peak A(1 − cos 2θ_c) = 1.064. A weakly tuned cue
/// (contrast 0.1) at 60° is removed at 300 ms; at 1500 ms the bump is still there, at the
/// cue, with that width and height (within 2%: the grid of 0.5° limits the edge to ~0.1°).
#[test]
fn the_ring_model_holds_a_bump_of_the_predicted_width_after_the_cue() {
    let (j0, j2, background) = (2.0, 3.0, 1.0);
    let points = 360;
    let spacing = 180.0 / points as f64;
    let model = ring_model(points, j0, j2, background);
    let recording = simulate(
        &model,
        vec![tuned_cue(60.0, 300.0)],
        History::Constant,
        options(0.1),
        1500.0,
        1500.0,
    )
    .unwrap();
    let m = &recording.rates[0][points..];

    // θ_c by bisection on (θ − sin 4θ/4) = π/J2, increasing in θ on (0, π/2).
    let (mut low, mut high) = (0.0, PI / 2.0);
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        if mid - (4.0 * mid).sin() / 4.0 < PI / j2 {
            low = mid;
        } else {
            high = mid;
        }
    }
    let theta_c = 0.5 * (low + high);
    let phi = 2.0 * theta_c;
    let amplitude = background / ((j0 / PI) * (phi.sin() - phi * phi.cos()) - phi.cos());
    let predicted_peak = amplitude * (1.0 - phi.cos());
    assert!((theta_c.to_degrees() - 52.7).abs() < 0.1);

    let (peak_index, &peak) = m
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    assert!(
        (peak_index as f64 * spacing - 60.0).abs() <= 1.0,
        "peak at {peak_index}"
    );
    assert!(
        (peak / predicted_peak - 1.0).abs() < 0.02,
        "{peak} vs {predicted_peak}"
    );
    // The edges: extrapolate the two outermost active points on each side to zero (the
    // profile is linear in θ there to first order). Outside, m decays as e^(−t/τ) without
    // reaching 0: active means above 10⁻⁹ of the peak (the inactive points are ~e^(−120)).
    let at = |k: isize| m[k.rem_euclid(points as isize) as usize];
    let edge = |direction: isize| {
        let mut k = peak_index as isize;
        while at(k + direction) > 1e-9 * peak {
            k += direction;
        }
        let (outer, inner) = (at(k), at(k - direction));
        k as f64 + direction as f64 * outer / (inner - outer)
    };
    let half_width = (edge(1) - edge(-1)) * spacing / 2.0;
    assert!(
        (half_width / theta_c.to_degrees() - 1.0).abs() < 0.02,
        "half-width {half_width}° vs {}°",
        theta_c.to_degrees()
    );
}

/// A Gaussian stimulus moving at v over uncoupled units, τ r' = −r + G(x − x₀(t)): after the
/// transient, r(z) = ∫₀^∞ e^(−u) G(z + vτu) du in the frame of the stimulus, whose peak
/// lags x₀ by about vτ (here 1°; vτ(1 + (vτ/w)²) to the next order). The peak is found
/// here by golden-section search on that integral (Simpson), in the run by a parabola
/// through the three largest samples; they agree within 0.02° (grid 0.5°, h = 0.1 ms).
/// The stimulus crosses the end of the ring (wrapping).
#[test]
fn a_moving_bump_is_followed_with_a_lag() {
    let (tau, width, velocity, start_center) = (10.0, 20.0, 0.1, 330.0);
    let points = 720;
    let spacing = 360.0 / points as f64;
    let model = RateModel::new(
        vec![population("field", tau, 0.0, 0.0, ring(points, 360.0))],
        Vec::new(),
    )
    .unwrap();
    let stimulus = RateInput {
        target: 0,
        kind: RateInputKind::Bump {
            shape: BumpShape::Gaussian { width },
            amplitude: 1.0,
            center: (start_center, 0.0),
            velocity_per_ms: (velocity, 0.0),
        },
        start_ms: 0.0,
        stop_ms: f64::INFINITY,
    };
    let recording = simulate(
        &model,
        vec![stimulus],
        History::Constant,
        options(0.1),
        500.0,
        100.0,
    )
    .unwrap();

    let profile = |z: f64| {
        let (upper, intervals) = (40.0, 4000);
        let step = upper / intervals as f64;
        let f =
            |u: f64| (-u).exp() * (-(z + velocity * tau * u).powi(2) / (2.0 * width * width)).exp();
        let inner: f64 = (1..intervals)
            .map(|k| f(k as f64 * step) * if k % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        (f(0.0) + inner + f(upper)) * step / 3.0
    };
    let (mut a, mut b) = (-5.0 * velocity * tau, velocity * tau);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (c, d) = (b - ratio * (b - a), a + ratio * (b - a));
        if profile(c) > profile(d) {
            b = d;
        } else {
            a = c;
        }
    }
    let lag = -0.5 * (a + b);
    assert!(
        (lag - velocity * tau).abs() < 0.01 * velocity * tau,
        "{lag}"
    );

    for (sample, &t) in recording.times_ms.iter().enumerate().skip(1) {
        let r = &recording.rates[0][sample * points..(sample + 1) * points];
        let k = (0..points).max_by(|&i, &j| r[i].total_cmp(&r[j])).unwrap();
        let (left, right) = (r[(k + points - 1) % points], r[(k + 1) % points]);
        let offset = 0.5 * (left - right) / (left - 2.0 * r[k] + right);
        let peak = (k as f64 + offset) * spacing;
        let center = (start_center + velocity * t).rem_euclid(360.0);
        let observed_lag = (center - peak + 180.0).rem_euclid(360.0) - 180.0;
        assert!(
            (observed_lag - lag).abs() < 0.02,
            "t = {t}: lag {observed_lag} vs {lag}"
        );
    }
}

/// With a constant input the scheme is exact, so after 20τ uncoupled units equal their
/// input (to e^(−20)): the bump profiles, point by point, on a ring and a torus.
#[test]
fn bump_shapes_are_the_documented_profiles() {
    let torus = Geometry::Torus {
        points: (16, 12),
        lengths: (64.0, 48.0),
    };
    let cases = [
        (ring(90, 360.0), BumpShape::Cosine { contrast: 0.3 }),
        (ring(90, 360.0), BumpShape::Gaussian { width: 30.0 }),
        (torus.clone(), BumpShape::Cosine { contrast: 0.45 }),
        (torus, BumpShape::Gaussian { width: 10.0 }),
    ];
    let (amplitude, center) = (2.0, (350.0, 40.0));
    for (geometry, shape) in cases {
        let model = RateModel::new(
            vec![population("f", 10.0, 0.0, 0.0, geometry.clone())],
            Vec::new(),
        )
        .unwrap();
        let input = RateInput {
            target: 0,
            kind: RateInputKind::Bump {
                shape,
                amplitude,
                center,
                velocity_per_ms: (0.0, 0.0),
            },
            start_ms: 0.0,
            stop_ms: f64::INFINITY,
        };
        let mut simulator =
            RateSimulator::new(&model, vec![input], History::Constant, options(1.0)).unwrap();
        simulator.advance(200).unwrap();
        let shortest = |x: f64, c: f64, l: f64| {
            let d = (x - c).rem_euclid(l);
            d.min(l - d)
        };
        let expected: Vec<f64> = match (&geometry, shape) {
            (Geometry::Ring { points, length }, _) => (0..*points)
                .map(|k| {
                    let x = k as f64 * length / *points as f64;
                    match shape {
                        BumpShape::Cosine { contrast } => {
                            amplitude
                                * ((1.0 - contrast)
                                    + contrast * (2.0 * PI * (x - center.0) / length).cos())
                        }
                        BumpShape::Gaussian { width } => {
                            let d = shortest(x, center.0, *length);
                            amplitude * (-d * d / (2.0 * width * width)).exp()
                        }
                    }
                })
                .collect(),
            (Geometry::Torus { points, lengths }, _) => (0..points.0 * points.1)
                .map(|index| {
                    let x = (index / points.1) as f64 * lengths.0 / points.0 as f64;
                    let y = (index % points.1) as f64 * lengths.1 / points.1 as f64;
                    match shape {
                        BumpShape::Cosine { contrast } => {
                            let cx = (2.0 * PI * (x - center.0) / lengths.0).cos();
                            let cy = (2.0 * PI * (y - center.1) / lengths.1).cos();
                            amplitude * ((1.0 - contrast) + contrast * (cx + cy) / 2.0)
                        }
                        BumpShape::Gaussian { width } => {
                            let dx = shortest(x, center.0, lengths.0);
                            let dy = shortest(y, center.1, lengths.1);
                            amplitude * (-(dx * dx + dy * dy) / (2.0 * width * width)).exp()
                        }
                    }
                })
                .collect(),
            (Geometry::Single, _) => unreachable!(),
        };
        let error = max_difference(simulator.rates(0), &expected);
        assert!(error < 1e-8, "{geometry:?} {shape:?}: {error}");
    }
}

fn white_noise(mean: f64, std: f64, time_scale_ms: f64) -> RateInput {
    RateInput {
        target: 0,
        kind: RateInputKind::Waveform(InputKind::WhiteNoise {
            mean,
            std,
            time_scale_ms,
        }),
        start_ms: 0.0,
        stop_ms: f64::INFINITY,
    }
}

/// τ dr/dt = −r + μ + σ√τ_n ξ is an Ornstein–Uhlenbeck process of stationary variance
/// σ²τ_n/(2τ) (here 0.5). 100 independent points over 10 s (after 100 ms of transient):
/// about 10⁵ correlation times, so the sample variance is within ~0.5% (one standard error);
/// 5% is ten of them. μ = 100 keeps the per-step input, of standard deviation
/// σ√(τ_n/h) = 10, above the threshold.
#[test]
fn white_noise_gives_the_ornstein_uhlenbeck_variance() {
    let (tau, mean, std, time_scale, points) = (10.0, 100.0, 1.0, 10.0, 100);
    let model = RateModel::new(
        vec![population("noisy", tau, 0.0, mean, ring(points, 1.0))],
        Vec::new(),
    )
    .unwrap();
    let run = |seed: u64| {
        simulate(
            &model,
            vec![white_noise(mean, std, time_scale)],
            History::Constant,
            RateSimulation { dt_ms: 0.1, seed },
            10_100.0,
            1.0,
        )
        .unwrap()
    };
    let recording = run(11);
    let samples = &recording.rates[0][100 * points..];
    let count = samples.len() as f64;
    let sample_mean = samples.iter().sum::<f64>() / count;
    let variance = samples
        .iter()
        .map(|r| (r - sample_mean).powi(2))
        .sum::<f64>()
        / count;
    let expected = std * std * time_scale / (2.0 * tau);
    assert!(
        (variance / expected - 1.0).abs() < 0.05,
        "{variance} vs {expected}"
    );
    assert!((sample_mean - mean).abs() < 0.05, "{sample_mean}");

    assert_eq!(recording, run(11), "the same seed must give the same rates");
    assert_ne!(
        recording.rates,
        run(12).rates,
        "another seed must give other rates"
    );
}

#[test]
fn bad_steps_and_record_intervals_are_refused() {
    let model = delayed_unit(10.0, 0.5, 1.0, 1.0, 0.0);
    for dt in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let error = RateSimulator::new(&model, Vec::new(), History::Constant, options(dt))
            .unwrap_err()
            .to_string();
        assert!(error.contains("time step"), "{error}");
    }
    for interval in [0.25, 0.05, 0.0, -1.0] {
        let error = simulate(
            &model,
            Vec::new(),
            History::Constant,
            options(0.1),
            10.0,
            interval,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("whole number of time steps"),
            "{interval}: {error}"
        );
    }
    // 0.3 = 3 × 0.1 up to rounding is accepted, and the samples are 0, 0.3, …, 9.9.
    let recording = simulate(
        &model,
        Vec::new(),
        History::Constant,
        options(0.1),
        10.0,
        0.3,
    )
    .unwrap();
    assert_eq!(recording.times_ms.len(), 34);
}

/// J = 100 with a linear Φ and τ = 1 ms grows as e^(99 t/ms) and overflows near 7 ms.
#[test]
fn a_diverging_model_names_the_population() {
    let model = RateModel::new(
        vec![
            population("quiet", 10.0, 1.0, 0.0, Geometry::Single),
            population("runaway", 1.0, 1.0, 1.0, Geometry::Single),
        ],
        vec![RateCoupling {
            source: 1,
            target: 1,
            strength: CouplingStrength::Weight(100.0),
            delay_ms: 0.0,
        }],
    )
    .unwrap();
    let mut simulator =
        RateSimulator::new(&model, Vec::new(), History::Constant, options(0.01)).unwrap();
    let error = simulator.advance(2000).unwrap_err().to_string();
    assert!(
        error.contains("population `runaway` diverged at t = 7."),
        "{error}"
    );
    assert!(error.contains("rate instability"), "{error}");
    assert!(
        simulator.advance(1).is_err(),
        "a diverged run stays stopped"
    );
    assert!(simulator.rates(1)[0].is_finite() && simulator.rates(1)[0] > 1e300);
}

#[test]
fn invalid_inputs_and_histories_are_refused() {
    let model = RateModel::new(
        vec![
            population("single", 10.0, 1.0, 0.0, Geometry::Single),
            population("field", 10.0, 1.0, 0.0, ring(10, 1.0)),
        ],
        Vec::new(),
    )
    .unwrap();
    let bump = |target, shape| RateInput {
        target,
        kind: RateInputKind::Bump {
            shape,
            amplitude: 1.0,
            center: (0.0, 0.0),
            velocity_per_ms: (0.0, 0.0),
        },
        start_ms: 0.0,
        stop_ms: 10.0,
    };
    let poisson = RateInput {
        target: 0,
        kind: RateInputKind::Waveform(InputKind::Poisson {
            rate_hz: 10.0,
            weight: 1.0,
            sources: 1,
            synapse: crate::input::PoissonSynapse::Delta,
        }),
        start_ms: 0.0,
        stop_ms: 10.0,
    };
    let mut empty_window = white_noise(0.0, 1.0, 1.0);
    empty_window.start_ms = 5.0;
    empty_window.stop_ms = 5.0;
    let mut negative_noise = white_noise(0.0, -1.0, 1.0);
    negative_noise.target = 1;
    let cases = [
        (
            bump(0, BumpShape::Cosine { contrast: 0.5 }),
            "input 1 (onto `single`): a bump needs a field",
        ),
        (
            bump(1, BumpShape::Cosine { contrast: 1.5 }),
            "input 1 (onto `field`): the cosine bump's contrast",
        ),
        (
            bump(1, BumpShape::Gaussian { width: 0.0 }),
            "input 1 (onto `field`): the Gaussian bump's width",
        ),
        (
            bump(2, BumpShape::Gaussian { width: 1.0 }),
            "input 1 targets population 2",
        ),
        (poisson, "input 1 (onto `single`): Poisson"),
        (empty_window, "input 1 (onto `single`): the window"),
        (negative_noise, "input 1 (onto `field`): negative"),
    ];
    for (input, expected) in cases {
        let inputs = vec![white_noise(0.0, 1.0, 1.0), input];
        let error = RateSimulator::new(&model, inputs, History::Constant, options(0.1))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(expected), "{error}");
    }

    let series = |times: Vec<f64>| {
        Some(TimeSeries {
            values: vec![1.0; times.len()],
            times_ms: times,
            interpolation: Interpolation::Linear,
        })
    };
    let histories = [
        (vec![None], "the history has 1 entries"),
        (
            vec![None, series(vec![-1.0, 0.0])],
            "population `field` is a field",
        ),
        (
            vec![series(vec![-1.0, 1.0]), None],
            "the history of population `single`: sample 1 is at 1 ms",
        ),
        (
            vec![series(vec![0.0, -1.0]), None],
            "the history of population `single`: the times",
        ),
        (
            vec![series(Vec::new()), None],
            "the history of population `single`: no samples",
        ),
    ];
    for (history, expected) in histories {
        let error = RateSimulator::new(&model, Vec::new(), History::Given(history), options(0.1))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(expected), "{error}");
    }
}

#[test]
fn a_recording_too_large_is_refused() {
    let model = RateModel::new(
        vec![
            population("small", 10.0, 1.0, 0.0, Geometry::Single),
            population("big", 10.0, 1.0, 0.0, ring(1 << 20, 1.0)),
        ],
        Vec::new(),
    )
    .unwrap();
    let error = simulate(
        &model,
        Vec::new(),
        History::Constant,
        options(0.1),
        1000.0,
        0.1,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("population `big`"), "{error}");
    assert!(error.contains("longer record interval"), "{error}");
}

/// Timings for the issue: a ring of 4096 points, 10 s at h = 0.1 ms (10⁵ steps), a
/// self-coupling without delay (two convolutions per step), with the cosine kernel (Fourier
/// modes) and a Mexican hat (FFT). Run with
/// `cargo test --release -p cajal --lib rate::tests::ring_timings -- --ignored --nocapture`.
#[test]
#[ignore]
fn ring_timings() {
    let kernels = [
        (
            "cosine",
            Kernel::Cosine {
                mean: -2.0,
                modulation: 3.0,
            },
        ),
        (
            "Mexican hat",
            Kernel::DifferenceOfGaussians {
                excitation: 3.0,
                excitation_width: 10.0,
                inhibition: 2.0,
                inhibition_width: 30.0,
            },
        ),
    ];
    for (name, kernel) in kernels {
        let model = RateModel::new(
            vec![population("ring", 10.0, 1.0, 0.0, ring(4096, 180.0))],
            vec![self_coupling(CouplingStrength::Kernel(kernel), 0.0)],
        )
        .unwrap();
        let mut simulator = RateSimulator::new(
            &model,
            vec![tuned_cue(60.0, 300.0)],
            History::Constant,
            options(0.1),
        )
        .unwrap();
        let start = std::time::Instant::now();
        simulator.advance(100_000).unwrap();
        let elapsed = start.elapsed();
        let peak = simulator.rates(0).iter().cloned().fold(0.0, f64::max);
        println!(
            "ring N = 4096, 10 s at dt = 0.1 ms, {name} kernel ({}): {:.2} s (peak rate {peak:.3})",
            if simulator.uses_modes(0) {
                "modes"
            } else {
                "FFT"
            },
            elapsed.as_secs_f64()
        );
    }
}

//! The analyses of rate networks against closed forms, independent root finding and
//! independent numerics written out here: fixed points, stability with and without delays,
//! bifurcations along a parameter, phase planes and the modes of neural fields.

use super::*;
use crate::neuron::lif::LifParameters;
use crate::neuron::rate::TransferFunction;

const LINEAR: TransferFunction = TransferFunction::ThresholdLinear {
    threshold: 0.0,
    gain: 1.0,
};

fn find(network: &RateNetwork) -> Vec<FixedPoint> {
    fixed_points(network, &FixedPointOptions::default()).unwrap()
}

/// Roots of g on [low, high]: sign changes on a grid of `cells` cells, each refined by
/// bisection to the resolution of f64 — an independent check of Newton's answers.
fn bisection_roots(g: impl Fn(f64) -> f64, low: f64, high: f64, cells: usize) -> Vec<f64> {
    let mut roots = Vec::new();
    let width = (high - low) / cells as f64;
    for k in 0..cells {
        let (mut a, mut b) = (low + k as f64 * width, low + (k + 1) as f64 * width);
        if g(a) == 0.0 {
            roots.push(a);
            continue;
        }
        if g(a) * g(b) > 0.0 {
            continue;
        }
        for _ in 0..200 {
            let middle = 0.5 * (a + b);
            if middle <= a || middle >= b {
                break;
            }
            if g(a) * g(middle) <= 0.0 {
                b = middle;
            } else {
                a = middle;
            }
        }
        roots.push(0.5 * (a + b));
    }
    roots
}

#[test]
fn linear_population_amplifies_below_unit_coupling_and_attenuates_with_inhibition() {
    // τ dr/dt = −r + [I + J r]₊: for J < 1 and I > 0 the one fixed point is r = I/(1 − J),
    // with eigenvalue (J − 1)/τ. J = 0.5 doubles the input, J = −1 halves it.
    let tau = 10.0;
    for (coupling, expected_rate) in [(0.5, 2.0), (-1.0, 0.5), (0.0, 1.0)] {
        let network = RateNetwork::single(tau, coupling, 1.0, LINEAR).unwrap();
        let points = find(&network);
        assert_eq!(points.len(), 1, "J = {coupling}: {points:?}");
        let point = &points[0];
        // Newton on a linear system is exact up to rounding.
        assert!((point.rates[0] - expected_rate).abs() < 1e-12, "{point:?}");
        assert!((point.rates[0] - 1.0 / (1.0 - coupling)).abs() < 1e-12);
        assert!(point.residual < 1e-12);
        let eigenvalue = point.eigenvalues[0];
        assert!(
            (eigenvalue.re - (coupling - 1.0) / tau).abs() < 1e-15,
            "{eigenvalue}"
        );
        assert_eq!(eigenvalue.im, 0.0);
        assert_eq!(point.classification, Classification::StableNode);
    }
}

#[test]
fn linear_population_with_unit_coupling_and_drive_has_no_fixed_point() {
    // r = I + r has no solution for I > 0; the rate grows without bound.
    let network = RateNetwork::single(10.0, 1.0, 1.0, LINEAR).unwrap();
    assert!(find(&network).is_empty());
}

#[test]
fn linear_population_above_unit_coupling_has_only_unstable_active_fixed_points() {
    // J = 2, I > 0: I + (J − 1) r > 0 for all r ≥ 0, so no fixed point at all.
    let network = RateNetwork::single(10.0, 2.0, 1.0, LINEAR).unwrap();
    assert!(find(&network).is_empty());
    // J = 2, I = −1: the silent state r = 0 (x = −1 < 0, Φ' = 0: eigenvalue −1/τ, stable) and
    // the active r = I/(1 − J) = 1, unstable with eigenvalue (J − 1)/τ = +0.1 per ms: the
    // threshold between silence and runaway excitation.
    let network = RateNetwork::single(10.0, 2.0, -1.0, LINEAR).unwrap();
    let points = find(&network);
    assert_eq!(points.len(), 2, "{points:?}");
    assert_eq!(points[0].rates, vec![0.0]);
    assert!((points[0].eigenvalues[0].re + 0.1).abs() < 1e-15);
    assert_eq!(points[0].classification, Classification::StableNode);
    assert!((points[1].rates[0] - 1.0).abs() < 1e-12, "{:?}", points[1]);
    assert!((points[1].eigenvalues[0].re - 0.1).abs() < 1e-12);
    assert_eq!(points[1].classification, Classification::UnstableNode);
}

#[test]
fn sigmoid_population_with_strong_self_excitation_is_bistable() {
    // Φ(x) = 1/(1 + e^(−(x − 5))), J = 10, I = 0.5: the slope J·Φ' reaches 10/4 > 1 at the
    // threshold, so g(r) = −r + Φ(I + J r) crosses zero three times in [0, 1].
    let (tau, coupling, input) = (10.0, 10.0, 0.5);
    let sigmoid = TransferFunction::Sigmoid {
        threshold: 5.0,
        slope: 1.0,
    };
    let network = RateNetwork::single(tau, coupling, input, sigmoid).unwrap();
    let points = find(&network);
    let phi = |x: f64| 1.0 / (1.0 + (-(x - 5.0)).exp());
    let expected = bisection_roots(|r| -r + phi(input + coupling * r), 0.0, 1.0, 1000);
    assert_eq!(expected.len(), 3, "{expected:?}");
    assert_eq!(points.len(), 3, "{points:?}");
    for (point, root) in points.iter().zip(&expected) {
        // Both reach the root to about 1e-15; 1e-10 is the residual tolerance's reach.
        assert!((point.rates[0] - root).abs() < 1e-10, "{point:?} vs {root}");
        // The eigenvalue (−1 + J Φ'(x))/τ with Φ' = Φ(1 − Φ) for unit slope.
        let p = phi(input + coupling * root);
        let eigenvalue = (-1.0 + coupling * p * (1.0 - p)) / tau;
        assert!((point.eigenvalues[0].re - eigenvalue).abs() < 1e-9);
    }
    let kinds: Vec<_> = points.iter().map(|p| p.classification).collect();
    // Low and high activity are stable; the middle one separates them (for n = 1 the
    // separatrix is an unstable node).
    assert_eq!(
        kinds,
        vec![
            Classification::StableNode,
            Classification::UnstableNode,
            Classification::StableNode
        ]
    );
}

#[test]
fn lif_population_with_recurrent_excitation_has_silent_and_active_states() {
    // Φ: the LIF f–I curve (τ_m = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms), input
    // 15 mV (below rheobase) and J = 0.5 mV/Hz: silence (r = 0) is stable, a high-rate state
    // exists too, and an unstable one separates them. The slope Φ' diverges at rheobase, a
    // hard case for Newton.
    let neuron = LifParameters {
        membrane_time_constant: 20.0,
        resting_potential: 0.0,
        threshold: 20.0,
        reset_potential: 10.0,
        refractory_period: 2.0,
        membrane_resistance: 1.0,
        initial_potential: 0.0,
    };
    let transfer = TransferFunction::Lif {
        threshold_offset: 0.0,
        neuron,
    };
    let (coupling, input) = (0.5, 15.0);
    let network = RateNetwork::single(10.0, coupling, input, transfer).unwrap();
    let points = find(&network);
    let g = |r: f64| -r + crate::theory::lif::firing_rate_hz(input + coupling * r, &neuron);
    // Rates lie below 1/τ_ref = 500 Hz; cells of 0.5 Hz.
    let expected = bisection_roots(g, 0.0, 500.0, 1000);
    assert_eq!(expected.len(), 3, "{expected:?}");
    assert_eq!(points.len(), 3, "{points:?}");
    for (point, root) in points.iter().zip(&expected) {
        assert!(
            (point.rates[0] - root).abs() < 1e-8 * (1.0 + root),
            "{point:?} vs {root}"
        );
        // Stable exactly where g falls through zero (central difference, h = 1e-4 Hz; at
        // r = 0 the one-sided g'(0⁺) = −1 below rheobase).
        let h = 1e-4;
        let falling = if *root == 0.0 {
            g(h) < 0.0
        } else {
            g(root + h) < g(root - h)
        };
        assert_eq!(point.classification.is_stable(), falling, "{point:?}");
    }
    assert_eq!(points[0].rates, vec![0.0]);
}

/// The eigenvalues of [[a, b], [c, d]]: T/2 ± √(T²/4 − D), T = a + d, D = ad − bc.
fn closed_form_eigenvalues(a: f64, b: f64, c: f64, d: f64) -> [Complex<f64>; 2] {
    let trace = a + d;
    let determinant = a * d - b * c;
    let discriminant = trace * trace / 4.0 - determinant;
    if discriminant >= 0.0 {
        let root = discriminant.sqrt();
        [
            Complex::new(trace / 2.0 + root, 0.0),
            Complex::new(trace / 2.0 - root, 0.0),
        ]
    } else {
        let root = (-discriminant).sqrt();
        [
            Complex::new(trace / 2.0, root),
            Complex::new(trace / 2.0, -root),
        ]
    }
}

#[test]
fn linear_excitatory_inhibitory_pair_matches_trace_determinant_formula() {
    // Threshold-linear E and I, both active at the fixed point, so r = (1 − J)⁻¹ I and
    // A = [[(J_EE − 1)/τ_E, J_EI/τ_E], [J_IE/τ_I, (J_II − 1)/τ_I]].
    // Case 1: J = [[1.5, −2], [2, −1]], τ = (10, 5) ms: A = [[0.05, −0.2], [0.4, −0.4]],
    // T = −0.35, D = 0.06 > T²/4: a stable focus; r = (1/3, 7/12) for I = (1, 0.5).
    // Case 2: J = [[0.5, −0.5], [0.5, 0]]: T = −0.25, D = 0.015 < T²/4: a stable node;
    // r = (1, 1).
    let cases = [
        (
            [[1.5, -2.0], [2.0, -1.0]],
            [1.0 / 3.0, 7.0 / 12.0],
            Classification::StableFocus,
        ),
        (
            [[0.5, -0.5], [0.5, 0.0]],
            [1.0, 1.0],
            Classification::StableNode,
        ),
    ];
    let tau = [10.0, 5.0];
    for (j, rates, kind) in cases {
        let network = RateNetwork::new(
            tau.to_vec(),
            vec![j[0].to_vec(), j[1].to_vec()],
            vec![1.0, 0.5],
            vec![LINEAR, LINEAR],
        )
        .unwrap();
        let points = find(&network);
        // The other activity patterns (E or I silent, both silent) are inconsistent here.
        assert_eq!(points.len(), 1, "{points:?}");
        let point = &points[0];
        for (found, expected) in point.rates.iter().zip(rates) {
            assert!((found - expected).abs() < 1e-12, "{point:?}");
        }
        let expected = closed_form_eigenvalues(
            (j[0][0] - 1.0) / tau[0],
            j[0][1] / tau[0],
            j[1][0] / tau[1],
            (j[1][1] - 1.0) / tau[1],
        );
        for (found, expected) in point.eigenvalues.iter().zip(expected) {
            // QR on a 2×2 matrix with entries ~0.1 is accurate to a few ulps.
            assert!((found - expected).norm() < 1e-12, "{found} vs {expected}");
        }
        assert_eq!(point.classification, kind);
    }
}

/// Wilson–Cowan-like pair: E with a sigmoid (T = 4, s = 1), I with a sigmoid (T = 3.7, s = 1),
/// J = [[16, −12], [15, −3]], τ_E = τ_I = 10 ms, input P to E and none to I. The couplings
/// are those of Wilson & Cowan (1972)'s limit-cycle example; thresholds chosen here so that
/// one fixed point loses stability through a complex pair as P grows.
mod wilson_cowan {
    use super::*;

    const W: [[f64; 2]; 2] = [[16.0, -12.0], [15.0, -3.0]];
    const TAU: f64 = 10.0;
    const E: (f64, f64) = (4.0, 1.0);
    const I: (f64, f64) = (3.7, 1.0);

    fn sigmoid(x: f64, (threshold, slope): (f64, f64)) -> f64 {
        1.0 / (1.0 + (-(x - threshold) / slope).exp())
    }

    pub(super) fn network(drive: f64) -> RateNetwork {
        let transfer = |(threshold, slope)| TransferFunction::Sigmoid { threshold, slope };
        RateNetwork::new(
            vec![TAU, TAU],
            vec![W[0].to_vec(), W[1].to_vec()],
            vec![drive, 0.0],
            vec![transfer(E), transfer(I)],
        )
        .unwrap()
    }

    /// The fixed point by nested bisection, and the trace and determinant of its Jacobian in
    /// closed form. For fixed r_E, r_I = Φ_I(J_IE r_E + J_II r_I) has one root (the right side
    /// falls as r_I rises); then g(r_E) = −r_E + Φ_E(P + J_EE r_E + J_EI r_I(r_E)) is scanned.
    /// Returns (r_E, r_I, trace, determinant) for each fixed point.
    pub(super) fn independent(drive: f64) -> Vec<(f64, f64, f64, f64)> {
        let inhibitory = |re: f64| {
            let roots = bisection_roots(
                |ri| -ri + sigmoid(W[1][0] * re + W[1][1] * ri, I),
                0.0,
                1.0,
                1,
            );
            roots[0]
        };
        let g = |re: f64| -re + sigmoid(drive + W[0][0] * re + W[0][1] * inhibitory(re), E);
        bisection_roots(g, 0.0, 1.0, 2000)
            .into_iter()
            .map(|re| {
                let ri = inhibitory(re);
                let pe = sigmoid(drive + W[0][0] * re + W[0][1] * ri, E);
                let pi = sigmoid(W[1][0] * re + W[1][1] * ri, I);
                // Φ' = Φ(1 − Φ)/s with s = 1.
                let (se, si) = (pe * (1.0 - pe), pi * (1.0 - pi));
                let (a, b) = ((se * W[0][0] - 1.0) / TAU, se * W[0][1] / TAU);
                let (c, d) = (si * W[1][0] / TAU, (si * W[1][1] - 1.0) / TAU);
                (re, ri, a + d, a * d - b * c)
            })
            .collect()
    }
}

#[test]
fn wilson_cowan_pair_turns_from_stable_to_unstable_focus_as_drive_grows() {
    // Between P = 1.5 and P = 2.5 the single fixed point keeps a complex pair whose real
    // part, T/2, changes sign (a Hopf bifurcation).
    let (weak, strong) = (1.5, 2.5);
    let mut real_parts = Vec::new();
    for (drive, kind) in [
        (weak, Classification::StableFocus),
        (strong, Classification::UnstableFocus),
    ] {
        let reference = wilson_cowan::independent(drive);
        assert_eq!(reference.len(), 1, "{reference:?}");
        let (re, ri, trace, determinant) = reference[0];
        assert!(determinant > trace * trace / 4.0, "not a focus");
        let points = find(&wilson_cowan::network(drive));
        assert_eq!(points.len(), 1, "{points:?}");
        let point = &points[0];
        assert!((point.rates[0] - re).abs() < 1e-9, "{point:?} vs {re}");
        assert!((point.rates[1] - ri).abs() < 1e-9, "{point:?} vs {ri}");
        let expected = closed_form_eigenvalues_from(trace, determinant);
        for (found, expected) in point.eigenvalues.iter().zip(expected) {
            assert!((found - expected).norm() < 1e-9, "{found} vs {expected}");
        }
        assert_eq!(point.classification, kind);
        real_parts.push(point.eigenvalues[0].re);
    }
    assert!(real_parts[0] < 0.0 && real_parts[1] > 0.0, "{real_parts:?}");

    // Where the real part crosses zero: bisection on the closed-form trace, and bisection on
    // the library's leading real part; 50 halvings of the unit interval leave ~1e-15, so the
    // two agree to the fixed points' accuracy.
    let crossing = |real_part: &dyn Fn(f64) -> f64| {
        let (mut low, mut high) = (weak, strong);
        for _ in 0..50 {
            let middle = 0.5 * (low + high);
            if real_part(middle) < 0.0 {
                low = middle;
            } else {
                high = middle;
            }
        }
        0.5 * (low + high)
    };
    let closed_form = crossing(&|drive| wilson_cowan::independent(drive)[0].2 / 2.0);
    let library = crossing(&|drive| find(&wilson_cowan::network(drive))[0].eigenvalues[0].re);
    assert!(
        (closed_form - library).abs() < 1e-6,
        "{closed_form} vs {library}"
    );
    assert!(weak < closed_form && closed_form < strong);
}

fn closed_form_eigenvalues_from(trace: f64, determinant: f64) -> [Complex<f64>; 2] {
    // [[T, −D], [1, 0]] has trace T and determinant D.
    closed_form_eigenvalues(trace, -determinant, 1.0, 0.0)
}

#[test]
fn three_mutually_inhibiting_linear_units_have_the_winner_take_all_fixed_points() {
    // Threshold-linear units, I = 1, J_ij = −w for i ≠ j (n = 3, the scattered starts).
    // With an active set S of k units, each active rate is r = 1/(1 + w(k − 1)), and a
    // silent unit has x = 1 − w k r, which must be ≤ 0 (Hahnloser et al. (2000), Nature
    // 405:947, for this permitted/forbidden set picture).
    // w = 0.5: only S = all is consistent: r = 1/2; A = (−1 + J)/τ has eigenvalues
    // (−1 − 2w)/τ and (−1 + w)/τ (twice): a stable node.
    // w = 2: every S is consistent: 3 winners (r = 1, stable: the silent units have Φ' = 0,
    // so all eigenvalues are −1/τ), 3 pairs (r = 1/3, eigenvalues (−1 ± w)/τ and −1/τ: saddles)
    // and all three (r = 1/5, eigenvalues (−1 − 2w)/τ and (−1 + w)/τ twice: a saddle).
    let tau = 10.0;
    let network = |w: f64| {
        RateNetwork::new(
            vec![tau; 3],
            (0..3)
                .map(|i| (0..3).map(|j| if i == j { 0.0 } else { -w }).collect())
                .collect(),
            vec![1.0; 3],
            vec![LINEAR; 3],
        )
        .unwrap()
    };
    let points = find(&network(0.5));
    assert_eq!(points.len(), 1, "{points:?}");
    for r in &points[0].rates {
        assert!((r - 0.5).abs() < 1e-12);
    }
    let expected = [-0.5 / tau, -0.5 / tau, -2.0 / tau];
    for (found, expected) in points[0].eigenvalues.iter().zip(expected) {
        assert!(
            (found - Complex::new(expected, 0.0)).norm() < 1e-12,
            "{found}"
        );
    }
    assert_eq!(points[0].classification, Classification::StableNode);

    let points = find(&network(2.0));
    assert_eq!(points.len(), 7, "{points:?}");
    let mut stable = 0;
    for point in &points {
        // A silent unit's rate is 0 up to the residual tolerance (Newton may land a rounding
        // error away from the kink of [·]₊).
        let active = point.rates.iter().filter(|&&r| r > 1e-12).count();
        let rate = 1.0 / (1.0 + 2.0 * (active as f64 - 1.0));
        for &r in &point.rates {
            assert!(r.abs() <= 1e-12 || (r - rate).abs() < 1e-12, "{point:?}");
        }
        let kind = if active == 1 {
            stable += 1;
            Classification::StableNode
        } else {
            Classification::Saddle
        };
        assert_eq!(point.classification, kind, "{point:?}");
    }
    assert_eq!(stable, 3);
}

/// Bisection of a function that changes sign on [low, high], to the resolution of f64.
fn bisect(f: impl Fn(f64) -> f64, mut low: f64, mut high: f64) -> f64 {
    let rising = f(high) > f(low);
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if (f(middle) < 0.0) == rising {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// One threshold-linear unit (gain 1) with input 1 − J, so that r0 = 1, x0 = 1 > 0 and the
/// slope is 1 whatever J is; with delay D on its self-coupling.
fn delayed_unit(tau: f64, coupling: f64, delay: f64) -> RateNetwork {
    RateNetwork::single(tau, coupling, 1.0 - coupling, LINEAR)
        .unwrap()
        .with_delays(vec![vec![delay]])
        .unwrap()
}

/// The solutions w of w e^w = z, i.e. the values W_k(z) of all branches of Lambert's W that
/// Halley's iteration reaches from the asymptotic start W_k ≈ L − ln L, L = ln z + 2πik
/// (Corless et al. (1996), Adv. Comput. Math. 5:329, eqs. 4.19–4.20), for |k| ≤ `branches`,
/// and from a few starts for the principal branches. Each is checked to solve the equation.
fn lambert_w_values(z: Complex<f64>, branches: i64) -> Vec<Complex<f64>> {
    let mut starts = vec![
        Complex::new(0.0, 0.0),
        Complex::new(0.0, 1.0),
        Complex::new(0.0, -1.0),
        (z + 1.0).ln(),
    ];
    for k in -branches..=branches {
        let l = z.ln() + Complex::new(0.0, std::f64::consts::TAU * k as f64);
        starts.push(l - l.ln());
    }
    let mut values: Vec<Complex<f64>> = Vec::new();
    for start in starts {
        let mut w = start;
        for _ in 0..100 {
            let e = w.exp();
            let f = w * e - z;
            // Halley: w ← w − f/(f' − f f''/(2 f')), f' = e^w (w + 1), f'' = e^w (w + 2).
            let step = f / (e * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
            w -= step;
            if step.norm() <= 1e-15 * (1.0 + w.norm()) {
                break;
            }
        }
        let solves = (w * w.exp() - z).norm() <= 1e-12 * z.norm();
        if solves && !values.iter().any(|v| (v - w).norm() < 1e-9) {
            values.push(w);
        }
    }
    values
}

/// The roots λ = −1/τ + W_k(μ (D/τ) e^{D/τ})/D of λτ + 1 = μ e^{−λD}.
fn lambert_roots(tau: f64, loop_gain: f64, delay: f64) -> Vec<Complex<f64>> {
    let z = Complex::new(loop_gain * delay / tau * (delay / tau).exp(), 0.0);
    lambert_w_values(z, 60)
        .into_iter()
        .map(|w| -1.0 / tau + w / delay)
        .collect()
}

/// Checks that `found` and the roots of `expected` with Re λ ≥ σ are the same multiset: every
/// root found is expected, and every expected root clearly inside the region (10⁻⁹ from its
/// edge) is found once.
fn assert_same_roots(found: &[Complex<f64>], expected: &[Complex<f64>], sigma: f64) {
    let close = |a: &Complex<f64>, b: &Complex<f64>| (a - b).norm() <= 1e-9 * (1.0 + a.norm());
    for root in found {
        assert!(root.re >= sigma, "{root} left of {sigma}");
        assert!(
            expected.iter().any(|e| close(e, root)),
            "{root} is not a root: {expected:?}"
        );
    }
    for e in expected.iter().filter(|e| e.re >= sigma + 1e-9) {
        let matches = found.iter().filter(|r| close(e, r)).count();
        let expected_count = expected.iter().filter(|x| close(e, x)).count();
        assert_eq!(matches, expected_count, "{e} in {found:?}");
    }
}

#[test]
fn one_delayed_population_has_the_lambert_w_roots() {
    // τ dr/dt = −r + [I + J r(t − D)]₊ at r0 = 1 (g = 1): λτ + 1 = J e^{−λD}. Cases: delayed
    // inhibition beyond its Hopf point with a long delay (many roots in the region), strong
    // inhibition with a short delay, and weak excitation (a real leading root).
    for (tau, coupling, delay) in [(10.0, -3.0, 20.0), (10.0, -20.0, 1.0), (10.0, 0.5, 5.0)] {
        let network = delayed_unit(tau, coupling, delay);
        let roots =
            characteristic_roots(&network, &[1.0], &CharacteristicRootOptions::default()).unwrap();
        // The documented default depth (the region holds a root, so it is not extended).
        let sigma = -(2.0 / tau).min(10f64.ln() / delay);
        let expected = lambert_roots(tau, coupling, delay);
        assert!(!roots.is_empty());
        assert_same_roots(&roots, &expected, sigma);
        // Sorted by decreasing real part; complex roots in conjugate pairs.
        for pair in roots.windows(2) {
            assert!(pair[0].re >= pair[1].re);
        }
        for root in &roots {
            assert!(roots.iter().any(|r| *r == root.conj()), "{root}");
        }
    }
    // The long delay puts 20 or so roots above σ = −ln 10/20.
    let many = characteristic_roots(
        &delayed_unit(10.0, -3.0, 20.0),
        &[1.0],
        &CharacteristicRootOptions::default(),
    )
    .unwrap();
    assert!(many.len() > 10, "{}", many.len());
    // Excitation below 1: the leading root is real and negative, λ = −1/τ + W_0(z)/D.
    let weak = characteristic_roots(
        &delayed_unit(10.0, 0.5, 5.0),
        &[1.0],
        &CharacteristicRootOptions::default(),
    )
    .unwrap();
    assert_eq!(weak[0].im, 0.0);
    assert!(weak[0].re < 0.0);
}

#[test]
fn symmetric_delayed_pair_has_the_roots_of_its_two_modes() {
    // Two linear units with J = [[a, b], [b, a]] and the same delay D on every coupling:
    // M(λ) = (λτ + 1) − e^{−λD} J has the eigenvectors (1, 1) and (1, −1) of J, so
    // det M = (λτ + 1 − (a + b) e^{−λD})(λτ + 1 − (a − b) e^{−λD}): the union of two
    // one-population Lambert sets. Inputs I_i = 1 − (a + b) put both at r = 1 (g = 1).
    let (tau, a, b, delay) = (10.0, 0.5, -2.5, 8.0);
    let network = RateNetwork::new(
        vec![tau, tau],
        vec![vec![a, b], vec![b, a]],
        vec![1.0 - a - b; 2],
        vec![LINEAR, LINEAR],
    )
    .unwrap()
    .with_delays(vec![vec![delay; 2]; 2])
    .unwrap();
    let options = CharacteristicRootOptions {
        min_real_part_per_ms: Some(-0.25),
        ..CharacteristicRootOptions::default()
    };
    let roots = characteristic_roots(&network, &[1.0, 1.0], &options).unwrap();
    let mut expected = lambert_roots(tau, a + b, delay);
    expected.extend(lambert_roots(tau, a - b, delay));
    assert_same_roots(&roots, &expected, -0.25);
    // a − b = 3 > 1: the antisymmetric mode has a real root with Re λ > 0 (winner-take-all
    // between the two), so the fixed point is unstable, with a real leading root.
    assert!(roots[0].re > 0.0 && roots[0].im == 0.0, "{roots:?}");
    // Of the fixed points (one unit may win), the symmetric one at (1, 1).
    let points = find(&network);
    let point = points
        .iter()
        .find(|p| (p.rates[0] - 1.0).abs() + (p.rates[1] - 1.0).abs() < 1e-12)
        .unwrap();
    let default =
        characteristic_roots(&network, &[1.0, 1.0], &CharacteristicRootOptions::default()).unwrap();
    assert_eq!(point.characteristic_roots.as_deref(), Some(&default[..]));
    assert!(!point.is_stable());
}

#[test]
fn without_delays_the_roots_are_the_eigenvalues_and_tiny_delays_barely_move_them() {
    let network = wilson_cowan::network(2.0);
    let point = &find(&network)[0];
    assert_eq!(point.characteristic_roots, None);
    let roots = characteristic_roots(
        &network,
        &point.rates,
        &CharacteristicRootOptions::default(),
    )
    .unwrap();
    assert_eq!(roots, point.eigenvalues);
    // Delays of D = 10⁻⁴ ms: e^{−λD} ≈ 1 − λD changes the entries g J/τ (≤ 0.4/ms) of the
    // Jacobian by about 0.4·|λ|·D, so each eigenvalue (|λ| ≈ 0.15/ms) by ~10⁻⁵ of itself;
    // the other roots sit near Re λ ≈ −ln(…)/D, far left of the region.
    let delayed = network.clone().with_delays(vec![vec![1e-4; 2]; 2]).unwrap();
    let roots = characteristic_roots(
        &delayed,
        &point.rates,
        &CharacteristicRootOptions::default(),
    )
    .unwrap();
    assert_eq!(roots.len(), 2, "{roots:?}");
    for (root, eigenvalue) in roots.iter().zip(&point.eigenvalues) {
        assert!(
            (root - eigenvalue).norm() < 1e-3 * eigenvalue.norm(),
            "{root} {eigenvalue}"
        );
    }
}

#[test]
fn delayed_self_inhibition_oscillates_beyond_the_hayes_boundary() {
    use std::f64::consts::{PI, TAU};
    let tau = 10.0;
    for delay in [0.5, 2.0, 10.0] {
        // The crossing λ = iω of iωτ + 1 = gJ e^{−iωD}: ωD + atan(ωτ) = π and
        // gJ_c = −√(1 + ω²τ²), solved here by bisection on (0, π/D).
        let omega = bisect(|w| w * delay + (w * tau).atan() - PI, 0.0, PI / delay);
        let loop_gain = -(1.0 + omega * omega * tau * tau).sqrt();
        let hopf = delayed_hopf(tau, delay).unwrap();
        // Both are bisections to the resolution of f64.
        assert!((hopf.critical_loop_gain - loop_gain).abs() < 1e-12 * loop_gain.abs());
        assert!((hopf.angular_frequency_per_ms - omega).abs() < 1e-12 * omega);
        assert!((hopf.frequency_hz - 1000.0 * omega / TAU).abs() < 1e-9 * hopf.frequency_hz);
        assert_eq!(hopf.critical_coupling(2.0), loop_gain / 2.0);

        // The characteristic roots agree: a stable focus 1 % inside the boundary, an unstable
        // one 1 % beyond, and at the boundary the leading pair on the axis at ±iω.
        for (factor, kind) in [
            (0.99, Classification::StableFocus),
            (1.01, Classification::UnstableFocus),
        ] {
            let points = find(&delayed_unit(tau, factor * loop_gain, delay));
            assert_eq!(points.len(), 1, "{points:?}");
            assert!((points[0].rates[0] - 1.0).abs() < 1e-12);
            assert_eq!(points[0].classification, kind, "D = {delay}: {points:?}");
        }
        let roots = characteristic_roots(
            &delayed_unit(tau, loop_gain, delay),
            &[1.0],
            &CharacteristicRootOptions::default(),
        )
        .unwrap();
        assert!(roots[0].re.abs() < 1e-9, "{roots:?}");
        assert!((roots[0].im - omega).abs() < 1e-9 * omega, "{roots:?}");
    }
    // D ≪ τ: ωD = π/2 + atan(1/(ωτ)) gives ω ≈ π/(2D)·(1 + 4D/(π²τ)): g J_c → −πτ/(2D) and
    // f_c → 1/(4D), with relative corrections ≈ 4D/(π²τ) (0.04 % and 0.4 % here).
    for delay in [0.01, 0.1] {
        let hopf = delayed_hopf(tau, delay).unwrap();
        let gain = -PI * tau / (2.0 * delay);
        let frequency = 1000.0 / (4.0 * delay);
        assert!((hopf.critical_loop_gain - gain).abs() < 0.01 * gain.abs());
        assert!((hopf.frequency_hz - frequency).abs() < 0.01 * frequency);
    }
    assert!(delayed_hopf(tau, 0.0).is_err());
}

#[test]
fn sweep_finds_the_two_folds_of_a_bistable_sigmoid_population() {
    // τ dr/dt = −r + Φ(I + J r), Φ(x) = 1/(1 + e^{−(x − T)/s}). A fold is where the fixed
    // point has J Φ'(x) = 1; with Φ' = r(1 − r)/s that is r(1 − r) = s/J, so
    // r± = (1 ± √(1 − 4s/J))/2 and I± = x − J r with x = T + s ln(r/(1 − r)).
    let (tau, coupling, threshold, slope) = (10.0, 10.0, 5.0, 1.0);
    let sigmoid = TransferFunction::Sigmoid { threshold, slope };
    let fold = |sign: f64| {
        let r = 0.5 * (1.0 + sign * (1.0 - 4.0 * slope / coupling).sqrt());
        let input = threshold + slope * (r / (1.0 - r)).ln() - coupling * r;
        (input, r)
    };
    let (upper_birth, lower_death) = (fold(1.0), fold(-1.0));
    let inputs: Vec<f64> = (0..=80).map(|k| -4.0 + 0.1 * k as f64).collect();
    let diagram = sweep(
        |input| RateNetwork::single(tau, coupling, input, sigmoid),
        &inputs,
        &SweepOptions::default(),
    )
    .unwrap();
    assert_eq!(diagram.bifurcations.len(), 2, "{:?}", diagram.bifurcations);
    // Increasing I: the high state and the threshold state appear at I₊ (with r₊), the low
    // state and the threshold state vanish at I₋.
    for (bifurcation, (input, rate)) in diagram.bifurcations.iter().zip([upper_birth, lower_death])
    {
        assert_eq!(bifurcation.kind, BifurcationKind::SaddleNode);
        assert_eq!(bifurcation.frequency_hz, None);
        // Bisection to 10⁻⁹ (the documented tolerance); the rate at a fold is known only to
        // √(10⁻⁹·…) ~ 10⁻⁴, the spread of the pair when the bisection stops.
        assert!(
            (bifurcation.value - input).abs() < 1e-6,
            "{bifurcation:?} vs {input}"
        );
        assert!(
            (bifurcation.rates[0] - rate).abs() < 1e-3,
            "{bifurcation:?} vs {rate}"
        );
    }
    // 1 fixed point outside (I₊, I₋), 3 inside; the low, threshold and high branches.
    for point in &diagram.points {
        let inside = upper_birth.0 < point.value && point.value < lower_death.0;
        assert_eq!(point.fixed_points.len(), if inside { 3 } else { 1 });
    }
    assert_eq!(diagram.branches.len(), 3, "{:?}", diagram.branches);
    for branch in &diagram.branches {
        let stable = branch.points[0].stable;
        assert!(branch.points.iter().all(|p| p.stable == stable));
    }
    assert_eq!(
        diagram
            .branches
            .iter()
            .filter(|b| b.points[0].stable)
            .count(),
        2
    );
}

#[test]
fn sweep_finds_the_hopf_point_of_the_wilson_cowan_pair() {
    // Drive P to E from −2 to 8 (100 values). Independently: the fixed point by nested
    // bisection and the trace T and determinant Δ of its Jacobian in closed form
    // (`wilson_cowan::independent`); the Hopf point is where T = 0 with Δ > 0 (bisection on
    // P), and the frequency there is √Δ/(2π) (per ms → ×1000 Hz).
    let values: Vec<f64> = (0..100).map(|k| -2.0 + 10.0 * k as f64 / 99.0).collect();
    let diagram = sweep(
        |drive| Ok(wilson_cowan::network(drive)),
        &values,
        &SweepOptions::default(),
    )
    .unwrap();
    let hopfs: Vec<&Bifurcation> = diagram
        .bifurcations
        .iter()
        .filter(|b| b.kind == BifurcationKind::Hopf)
        .collect();
    assert_eq!(hopfs.len(), 1, "{:?}", diagram.bifurcations);
    let crossing = bisect(|drive| wilson_cowan::independent(drive)[0].2, 1.5, 2.5);
    let (re, ri, trace, determinant) = wilson_cowan::independent(crossing)[0];
    assert!(trace.abs() < 1e-12 && determinant > 0.0);
    let frequency = 1000.0 * determinant.sqrt() / std::f64::consts::TAU;
    let hopf = hopfs[0];
    // The library's bracket is 10⁻⁹·max(1, |P|); the test's bisection is exact to f64.
    assert!(
        (hopf.value - crossing).abs() < 1e-8,
        "{hopf:?} vs {crossing}"
    );
    let found = hopf.frequency_hz.unwrap();
    assert!(
        (found - frequency).abs() < 1e-6 * frequency,
        "{found} vs {frequency}"
    );
    assert!((hopf.rates[0] - re).abs() < 1e-8 && (hopf.rates[1] - ri).abs() < 1e-8);

    // The folds: the number of independent fixed points changes by 2 across each.
    for fold in diagram
        .bifurcations
        .iter()
        .filter(|b| b.kind == BifurcationKind::SaddleNode)
    {
        let before = wilson_cowan::independent(fold.value - 1e-4).len();
        let after = wilson_cowan::independent(fold.value + 1e-4).len();
        assert_eq!(before.abs_diff(after), 2, "{fold:?}");
    }
    // The branch through the Hopf point is stable before it and unstable after.
    let branch = diagram
        .branches
        .iter()
        .find(|b| b.points[0].value == values[0])
        .unwrap();
    for point in &branch.points {
        assert_eq!(point.stable, point.value < crossing, "{point:?}");
    }
}

#[test]
fn sweep_finds_the_delay_induced_hopf_point() {
    // A linear unit with delayed self-inhibition (τ = 10 ms, D = 1 ms) swept over J: the
    // characteristic roots cross at J_c = g J_c of `delayed_hopf` (g = 1), at f_c.
    let (tau, delay) = (10.0, 1.0);
    let expected = delayed_hopf(tau, delay).unwrap();
    let couplings: Vec<f64> = (0..=20).map(|k| -10.0 - 0.5 * k as f64).collect();
    let diagram = sweep(
        |coupling| Ok(delayed_unit(tau, coupling, delay)),
        &couplings,
        &SweepOptions::default(),
    )
    .unwrap();
    assert_eq!(diagram.bifurcations.len(), 1, "{:?}", diagram.bifurcations);
    let hopf = &diagram.bifurcations[0];
    assert_eq!(hopf.kind, BifurcationKind::Hopf);
    let critical = expected.critical_loop_gain;
    assert!(
        (hopf.value - critical).abs() < 1e-6 * critical.abs(),
        "{hopf:?}"
    );
    let frequency = hopf.frequency_hz.unwrap();
    assert!(
        (frequency - expected.frequency_hz).abs() < 1e-6 * frequency,
        "{hopf:?}"
    );
}

/// The distance from `point` to the nearest segment of `polylines`.
fn distance_to(polylines: &[Vec<[f64; 2]>], point: &[f64]) -> f64 {
    let mut nearest = f64::INFINITY;
    for line in polylines {
        for segment in line.windows(2) {
            let [a, b] = [segment[0], segment[1]];
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let length2 = dx * dx + dy * dy;
            let t = if length2 > 0.0 {
                (((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / length2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (x, y) = (a[0] + t * dx, a[1] + t * dy);
            nearest = nearest.min((point[0] - x).hypot(point[1] - y));
        }
    }
    nearest
}

#[test]
fn phase_plane_nullclines_cross_at_the_fixed_points() {
    // The Wilson–Cowan pair with one fixed point (P = 1.5) and with three (P = 4.5, between
    // the folds near 3.7 and 5.9).
    for (drive, count) in [(1.5, 1), (4.5, 3)] {
        let network = wilson_cowan::network(drive);
        let plane = phase_plane(
            &network,
            [(0.0, 1.0), (0.0, 1.0)],
            &PhasePlaneOptions::default(),
        )
        .unwrap();
        assert_eq!(plane.fixed_points.len(), count);
        for (i, nullcline) in plane.nullclines.iter().enumerate() {
            assert!(!nullcline.is_empty());
            // Every vertex is solved on its grid edge: dr_i/dt = 0 there up to rounding.
            for vertex in nullcline.iter().flatten() {
                let change = network.rate_of_change(vertex)[i];
                assert!(change.abs() < 1e-13, "{vertex:?}: {change}");
            }
            // Between vertices the polyline is a chord of at most a cell diagonal ℓ = √2/200;
            // its distance from the curve, ℓ²κ/8 = 6.25·10⁻⁶ κ, is below 10⁻⁴ where the
            // curvature κ < 16 (the misses here are below 10⁻⁵: κ ≲ 1.3 near the fixed points).
            for point in &plane.fixed_points {
                let distance = distance_to(nullcline, &point.rates);
                assert!(
                    distance < 1e-4,
                    "nullcline {i} misses {point:?} by {distance}"
                );
            }
        }
        assert_eq!(plane.vector_field.len(), 21 * 21);
        let arrow = plane.vector_field[22];
        assert_eq!(arrow.position, [0.05, 0.05]);
        let change = network.rate_of_change(&arrow.position);
        assert_eq!(arrow.derivative, [change[0], change[1]]);
    }
}

#[test]
fn phase_plane_trajectories_follow_the_exact_solution_of_a_linear_pair() {
    // Two uncoupled linear units relax as r_i(t) = I_i + (r_i(0) − I_i) e^{−t/τ_i}. RK4 with
    // dt = 0.1 ms and τ = 5, 10 ms has a local error ~(dt/τ)⁵/120 ≈ 3·10⁻¹² per step, so
    // below 10⁻⁹ over 2000 steps.
    let tau = [5.0, 10.0];
    let inputs = [1.0, 2.0];
    let network = RateNetwork::new(
        tau.to_vec(),
        vec![vec![0.0, 0.0], vec![0.0, 0.0]],
        inputs.to_vec(),
        vec![LINEAR, LINEAR],
    )
    .unwrap();
    let options = PhasePlaneOptions {
        starts: vec![[3.0, 0.0], [0.5, 0.5]],
        ..PhasePlaneOptions::default()
    };
    let plane = phase_plane(&network, [(0.0, 3.0), (0.0, 3.0)], &options).unwrap();
    assert_eq!(plane.trajectories.len(), 2);
    for (trajectory, start) in plane.trajectories.iter().zip(&options.starts) {
        assert_eq!(trajectory.times_ms.len(), 2001);
        for (t, rates) in trajectory.times_ms.iter().zip(&trajectory.rates) {
            for i in 0..2 {
                let exact = inputs[i] + (start[i] - inputs[i]) * (-t / tau[i]).exp();
                assert!((rates[i] - exact).abs() < 1e-9, "{t}: {rates:?}");
            }
        }
    }
    // Phase planes need two populations and no delays.
    let one = RateNetwork::single(10.0, 0.0, 1.0, LINEAR).unwrap();
    assert!(matches!(
        phase_plane(&one, [(0.0, 1.0), (0.0, 1.0)], &options),
        Err(DynamicsError::Populations { found: 1, .. })
    ));
    let delayed = wilson_cowan::network(1.0)
        .with_delays(vec![vec![1.0; 2]; 2])
        .unwrap();
    assert!(matches!(
        phase_plane(&delayed, [(0.0, 1.0), (0.0, 1.0)], &options),
        Err(DynamicsError::Delayed { .. })
    ));
}

mod fields {
    use super::*;
    use crate::rate::{Geometry, Kernel};

    const SIGMOID: TransferFunction = TransferFunction::Sigmoid {
        threshold: 1.0,
        slope: 0.5,
    };

    /// r0 = Φ(I + Ĵ_0 r0) for Ĵ_0 < 0 (the right side falls as r0 rises: one root in [0, 1]).
    fn homogeneous_rate(mean: f64, input: f64) -> f64 {
        bisect(|r| SIGMOID.apply(input + mean * r) - r, 0.0, 1.0)
    }

    #[test]
    fn cosine_kernel_on_a_ring_has_its_mean_and_half_its_modulation_as_modes() {
        // J(d) = J_0 + J_1 cos(2πd/L): Ĵ_0 = J_0, Ĵ_±1 = J_1/2, all other Ĵ_k = 0; then
        // λ_k = (−1 + Φ'(x0) Ĵ_k)/τ with Φ' = r0(1 − r0)/s. The bump forms when
        // Φ' J_1/2 > 1: J_1 = 2·0.9/Φ' keeps the ring homogeneous, 2·1.1/Φ' breaks it.
        let (tau, input, mean) = (10.0, 2.0, -1.5);
        let ring = Geometry::Ring {
            points: 64,
            length: 180.0,
        };
        let rate = homogeneous_rate(mean, input);
        let slope = rate * (1.0 - rate) / 0.5;
        for (factor, pattern) in [(0.9, false), (1.1, true)] {
            let modulation = 2.0 * factor / slope;
            let kernel = Kernel::Cosine { mean, modulation };
            let states = field_modes(&kernel, &ring, tau, input, &SIGMOID).unwrap();
            assert_eq!(states.len(), 1);
            let state = &states[0];
            assert!(
                (state.rate - rate).abs() < 1e-12,
                "{} vs {rate}",
                state.rate
            );
            assert!((state.slope - slope).abs() < 1e-12);
            assert_eq!(state.modes.len(), 64);
            for mode in &state.modes {
                let expected = match mode.wavenumber[0].abs() {
                    0 => mean,
                    1 => modulation / 2.0,
                    _ => 0.0,
                };
                // A 64-point FFT of O(1) values is exact to a few 10⁻¹⁶.
                assert!((mode.coupling - Complex::new(expected, 0.0)).norm() < 1e-12);
                let growth = (-1.0 + slope * expected) / tau;
                assert!((mode.growth_rate_per_ms - Complex::new(growth, 0.0)).norm() < 1e-12);
                let k = mode.wavenumber[0].abs() as f64;
                if k == 0.0 {
                    assert_eq!(mode.wavelength, f64::INFINITY);
                } else {
                    assert!((mode.wavelength - 180.0 / k).abs() < 1e-12 * 180.0);
                }
            }
            assert_eq!(state.stable, !pattern);
            assert_eq!(state.forms_pattern(), pattern);
            assert_eq!(state.most_unstable.wavenumber, [1, 0]);
            assert!((state.most_unstable.wavelength - 180.0).abs() < 1e-12);
        }
    }

    #[test]
    fn cosine_kernel_on_a_torus_splits_its_modulation_between_the_axes() {
        // J = J_0 + J_1 (cos(2πd_x/L_x) + cos(2πd_y/L_y))/2: Ĵ_(±1,0) = Ĵ_(0,±1) = J_1/4.
        let torus = Geometry::Torus {
            points: (8, 6),
            lengths: (1.0, 2.0),
        };
        let kernel = Kernel::Cosine {
            mean: -1.0,
            modulation: 3.0,
        };
        let state = &field_modes(&kernel, &torus, 10.0, 2.0, &SIGMOID).unwrap()[0];
        assert_eq!(state.modes.len(), 48);
        for mode in &state.modes {
            let expected = match mode.wavenumber.map(i64::abs) {
                [0, 0] => -1.0,
                [1, 0] | [0, 1] => 0.75,
                _ => 0.0,
            };
            assert!((mode.coupling.re - expected).abs() < 1e-12, "{mode:?}");
            assert!(mode.coupling.im.abs() < 1e-12);
        }
        let wavelength = |k: [i64; 2]| {
            state
                .modes
                .iter()
                .find(|m| m.wavenumber == k)
                .unwrap()
                .wavelength
        };
        assert_eq!(wavelength([1, 0]), 1.0);
        assert_eq!(wavelength([0, -1]), 2.0);
        assert!((wavelength([1, 1]) - 1.0 / 1.25f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn mode_growth_rates_are_the_eigenvalues_of_the_whole_field() {
        // The field as a network of N = 12 populations, J_xy = J_{(x−y) mod N}/N: the
        // eigenvalues of its Jacobian (QR, independent of the Fourier transform) at the
        // homogeneous state are the λ_k.
        let ring = Geometry::Ring {
            points: 12,
            length: 360.0,
        };
        let kernel = Kernel::DifferenceOfGaussians {
            excitation: 4.0,
            excitation_width: 40.0,
            inhibition: 3.0,
            inhibition_width: 100.0,
        };
        let (tau, input) = (10.0, 1.5);
        let state = &field_modes(&kernel, &ring, tau, input, &SIGMOID).unwrap()[0];
        let values = kernel.values_on(&ring);
        let n = values.len();
        let network = RateNetwork::new(
            vec![tau; n],
            (0..n)
                .map(|x| (0..n).map(|y| values[(x + n - y) % n] / n as f64).collect())
                .collect(),
            vec![input; n],
            vec![SIGMOID; n],
        )
        .unwrap();
        let rates = vec![state.rate; n];
        assert!(
            network
                .rate_of_change(&rates)
                .iter()
                .all(|d| d.abs() < 1e-12)
        );
        let mut expected: Vec<f64> = eigenvalues(&jacobian(&network, &rates))
            .unwrap()
            .iter()
            .map(|l| l.re)
            .collect();
        let mut found: Vec<f64> = state
            .modes
            .iter()
            .map(|m| m.growth_rate_per_ms.re)
            .collect();
        expected.sort_by(f64::total_cmp);
        found.sort_by(f64::total_cmp);
        for (a, b) in found.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-12, "{found:?} vs {expected:?}");
        }
    }
}

//! Fixed points and their stability against closed forms and independent root finding.

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
        let active = point.rates.iter().filter(|&&r| r > 0.0).count();
        let rate = 1.0 / (1.0 + 2.0 * (active as f64 - 1.0));
        for &r in &point.rates {
            assert!(r == 0.0 || (r - rate).abs() < 1e-12, "{point:?}");
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

//! Tests of the cable module against closed-form cable theory and dense linear algebra.

use super::*;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// d = 2 µm, R_a = 100 Ω·cm, R_m = 20 kΩ·cm², c_m = 1 µF/cm²: λ = 1000 µm, τ_m = 20 ms.
fn membrane() -> PassiveMembrane {
    PassiveMembrane {
        c_m: 1.0,
        r_a: 100.0,
        g_leak: 5e-5,
        e_leak: -65.0,
    }
}

const D: f64 = 2.0;

fn rel_err(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

#[test]
fn length_and_time_constants() {
    let m = membrane();
    assert!(rel_err(m.length_constant_um(D), 1000.0) < 1e-12);
    assert!(rel_err(m.time_constant_ms(), 20.0) < 1e-12);
    // r_a = 4 R_a / (π d²) = 400 / (π 4e-8) Ω/cm = 3.183e9 Ω/cm = 0.3183 MΩ/µm
    let r_a = m.axial_resistance_per_um(D);
    assert!(rel_err(r_a, 400.0 / (std::f64::consts::PI * 4e-8) * 1e-4 * 1e-6) < 1e-12);
}

/// Gaussian elimination with partial pivoting on a dense copy.
fn dense_solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for k in 0..n {
        let pivot = (k..n)
            .max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))
            .unwrap();
        a.swap(k, pivot);
        b.swap(k, pivot);
        for i in k + 1..n {
            let f = a[i][k] / a[k][k];
            let pivot_row = a[k].clone();
            for (aij, akj) in a[i][k..].iter_mut().zip(&pivot_row[k..]) {
                *aij -= f * akj;
            }
            b[i] -= f * b[k];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|j| a[i][j] * x[j]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x
}

#[test]
fn hines_matches_dense_elimination_on_random_branched_tree() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    for _ in 0..5 {
        let n = 60;
        let parent: Vec<usize> = (0..n)
            .map(|i| if i == 0 { 0 } else { rng.random_range(0..i) })
            .collect();
        let mut children = vec![0usize; n];
        for &p in &parent[1..] {
            children[p] += 1;
        }
        assert!(children.iter().any(|&c| c >= 3), "the tree should branch");
        let upper: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let lower: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        // non-symmetric, diagonally dominant
        let mut diag: Vec<f64> = (0..n).map(|_| rng.random_range(1.0..2.0)).collect();
        for i in 1..n {
            diag[i] += upper[i].abs();
            diag[parent[i]] += lower[i].abs();
        }
        let rhs: Vec<f64> = (0..n).map(|_| rng.random_range(-5.0..5.0)).collect();
        let mut dense = vec![vec![0.0; n]; n];
        for i in 0..n {
            dense[i][i] = diag[i];
            if i > 0 {
                dense[i][parent[i]] = upper[i];
                dense[parent[i]][i] = lower[i];
            }
        }
        let want = dense_solve(dense, rhs.clone());
        let mut got = rhs;
        hines_solve(&parent, &mut diag, &upper, &lower, &mut got);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
    }
}

#[test]
fn tree_validation_errors() {
    let m = membrane();
    let comp = |parent, length_um, diameter_um| Compartment {
        parent,
        length_um,
        diameter_um,
        membrane: m,
    };
    assert_eq!(Tree::new(vec![]), Err(CableError::Empty));
    assert!(matches!(
        Tree::new(vec![comp(None, 10.0, 1.0), comp(Some(0), -1.0, 1.0)]),
        Err(CableError::NotPositive {
            index: 1,
            field: "length_um",
            ..
        })
    ));
    assert!(matches!(
        Tree::new(vec![comp(None, 10.0, 0.0)]),
        Err(CableError::NotPositive {
            index: 0,
            field: "diameter_um",
            ..
        })
    ));
    assert_eq!(
        Tree::new(vec![comp(None, 10.0, 1.0), comp(Some(1), 10.0, 1.0)]),
        Err(CableError::ParentNotBefore {
            index: 1,
            parent: 1
        })
    );
    assert_eq!(
        Tree::new(vec![comp(Some(0), 10.0, 1.0)]),
        Err(CableError::RootHasParent { parent: 0 })
    );
    assert_eq!(
        Tree::new(vec![comp(None, 10.0, 1.0), comp(None, 10.0, 1.0)]),
        Err(CableError::MissingParent { index: 1 })
    );
    assert!(Tree::cable(100.0, 1.0, 0, m).is_err());
    assert!(Tree::cable(100.0, 1.0, 4, m).is_ok());
    let tree = Tree::cable(100.0, 1.0, 4, m).unwrap();
    assert!(matches!(
        PassiveCable::new(tree.clone(), Method::BackwardEuler, 0.0),
        Err(CableError::BadTimeStep(_))
    ));
    assert!(matches!(
        steady_state(&tree, &[0.0; 3]),
        Err(CableError::LengthMismatch { .. })
    ));
}

/// Injects `i_na` into compartment 0 of a sealed cable and returns (x_k, V_k − E).
fn sealed_profile(length_um: f64, n: usize, i_na: f64) -> Vec<(f64, f64)> {
    let m = membrane();
    let tree = Tree::cable(length_um, D, n, m).unwrap();
    let mut inj = vec![0.0; n];
    inj[0] = i_na;
    let v = steady_state(&tree, &inj).unwrap();
    let h = length_um / n as f64;
    v.iter()
        .enumerate()
        .map(|(k, v)| ((k as f64 + 0.5) * h, v - m.e_leak))
        .collect()
}

#[test]
fn sealed_cable_steady_state_follows_cosh_profile() {
    let m = membrane();
    let lambda = m.length_constant_um(D);
    let length = 1.5 * lambda;
    let i_na = 0.1;
    let r_in = m.axial_resistance_per_um(D) * lambda / (length / lambda).tanh();
    let v0 = i_na * r_in;
    let profile = sealed_profile(length, 600, i_na);
    for &(x, dv) in &profile {
        let want = v0 * ((length - x) / lambda).cosh() / (length / lambda).cosh();
        assert!(rel_err(dv, want) < 5e-3, "x = {x}: {dv} vs {want}");
    }
}

#[test]
fn sealed_cable_input_resistance() {
    let m = membrane();
    let lambda = m.length_constant_um(D);
    for &length in &[0.3 * lambda, lambda, 3.0 * lambda] {
        let i_na = 0.05;
        let profile = sealed_profile(length, 800, i_na);
        let r_in = profile[0].1 / i_na;
        let want = m.axial_resistance_per_um(D) * lambda / (length / lambda).tanh();
        assert!(
            rel_err(r_in, want) < 5e-3,
            "L = {length}: {r_in} vs {want} MΩ"
        );
    }
}

#[test]
fn long_cable_decays_exponentially() {
    let m = membrane();
    let lambda = m.length_constant_um(D);
    let i_na = 0.2;
    // semi-infinite: V0 = I r_a λ
    let v0 = i_na * m.axial_resistance_per_um(D) * lambda;
    let profile = sealed_profile(10.0 * lambda, 2000, i_na);
    for &(x, dv) in profile.iter().filter(|(x, _)| *x < 4.0 * lambda) {
        let want = v0 * (-x / lambda).exp();
        assert!(rel_err(dv, want) < 5e-3, "x = {x}: {dv} vs {want}");
    }
}

#[test]
fn killed_end_input_resistance_and_stepping_reaches_it() {
    let m = membrane();
    let lambda = m.length_constant_um(D);
    let n = 400;
    let length = lambda;
    let h = length / n as f64;
    let tree = Tree::cable(length, D, n, m).unwrap();
    let mut inj = vec![0.0; n];
    inj[0] = 0.1;
    let mut clamps = vec![None; n];
    clamps[n - 1] = Some(m.e_leak);
    let v = steady_state_clamped(&tree, &inj, &clamps).unwrap();
    // the clamp sits at the centre of the last compartment
    let l_eff = length - h / 2.0;
    let want = m.axial_resistance_per_um(D) * lambda * (l_eff / lambda).tanh();
    assert!(rel_err((v[0] - m.e_leak) / 0.1, want) < 5e-3);
    // time stepping settles on the same state (20 τ_m)
    let mut cable = PassiveCable::new(tree, Method::BackwardEuler, 0.5).unwrap();
    cable.set_injection(&inj).unwrap();
    cable.clamp(n - 1, m.e_leak).unwrap();
    for _ in 0..800 {
        cable.step();
    }
    for (a, b) in cable.voltages().iter().zip(&v) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    assert_eq!(cable.voltages()[n - 1], m.e_leak);
}

/// Runs a 40-compartment sealed cable from a smooth initial state under a constant injection
/// for 10 ms and returns the final voltages.
fn run_to(method: Method, dt_ms: f64) -> Vec<f64> {
    let m = membrane();
    let n = 40;
    let length = 2000.0;
    let tree = Tree::cable(length, D, n, m).unwrap();
    let mut cable = PassiveCable::new(tree, method, dt_ms).unwrap();
    let v0: Vec<f64> = (0..n)
        .map(|k| {
            let x = (k as f64 + 0.5) / n as f64;
            m.e_leak + 10.0 * (std::f64::consts::PI * x).cos()
        })
        .collect();
    cable.set_voltages(&v0).unwrap();
    let mut inj = vec![0.0; n];
    inj[n / 2] = 0.05;
    cable.set_injection(&inj).unwrap();
    let steps = (10.0 / dt_ms).round() as usize;
    for _ in 0..steps {
        cable.step();
    }
    assert!((cable.time_ms() - 10.0).abs() < 1e-9);
    cable.voltages().to_vec()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn observed_orders(method: Method) -> (f64, f64) {
    let reference = run_to(Method::CrankNicolson, 0.1 / 256.0);
    let e: Vec<f64> = [0.1, 0.05, 0.025]
        .iter()
        .map(|&dt| max_diff(&run_to(method, dt), &reference))
        .collect();
    ((e[0] / e[1]).log2(), (e[1] / e[2]).log2())
}

#[test]
fn crank_nicolson_is_second_order_in_dt() {
    let (p1, p2) = observed_orders(Method::CrankNicolson);
    assert!(
        (p1 - 2.0).abs() < 0.15 && (p2 - 2.0).abs() < 0.15,
        "orders {p1}, {p2}"
    );
}

#[test]
fn backward_euler_is_first_order_in_dt() {
    let (p1, p2) = observed_orders(Method::BackwardEuler);
    assert!(
        (p1 - 1.0).abs() < 0.15 && (p2 - 1.0).abs() < 0.15,
        "orders {p1}, {p2}"
    );
}

//! All fixed points r0 = Φ(I + J r0) of a rate network, by Newton's method from many starts.
//!
//! A rate network can have several fixed points (bistability through strong recurrent
//! excitation), so one Newton run is not enough. The search:
//! 1. **Starts.** Each population gets a range of initial rates: the range of Φ_i, [0, Φ_max]
//!    (1 for a sigmoid, 1000/τ_ref Hz for a LIF curve with refractoriness). Where Φ_i is
//!    unbounded (threshold-linear, LIF without refractoriness) but all populations exciting i
//!    (J_ij > 0) are bounded by B_j, the upper end is Φ_i(I_i + Σ_j J_ij⁺ B_j), which no fixed
//!    point exceeds (inhibition only lowers the input); where an exciting population is itself
//!    unbounded it is a scale estimate, 10·max(1, Φ_i(I_i + Σ_j J_ij⁺ B_j)) with B_j = 1 for
//!    the unbounded ones — a heuristic; [`FixedPointOptions::rate_ranges`] overrides all ranges.
//!    For n = 1 the starts are a regular grid of [`FixedPointOptions::grid_points`]² values,
//!    ends included (cheap, and in one dimension the basin of an unstable fixed point next to
//!    a steep Φ, such as the LIF curve at rheobase, can be narrow); for n = 2 a grid of
//!    `grid_points` values per population; for n > 2 they are the two corners and the centre of the
//!    box plus [`FixedPointOptions::scattered_starts`] points of the Halton sequence (bases
//!    2, 3, 5, …), which fills the box evenly and is deterministic.
//! 2. **Newton** on F(r) = −r + Φ(I + J r), Jacobian DF = −1 + diag(Φ'(x)) J, each step
//!    solved by LU; a step λ is shortened until ‖F‖ decreases by the Armijo factor
//!    (1 − 10⁻⁴·λ) (backtracking line search, Nocedal & Wright, *Numerical Optimization*
//!    (2006), §3.1), each time to the minimiser of a quadratic model of ‖F‖² along the step,
//!    within [λ/10, λ/2] (Dennis & Schnabel (1996), §6.3.2), and
//!    a start is abandoned when DF is singular, the step falls below 2⁻²⁰, or
//!    [`FixedPointOptions::max_iterations`] pass.
//!    For n = 1, each pair of neighbouring starts where F changes sign strictly brackets a
//!    root (Φ is continuous); it is found by bisection and polished by Newton, so no root
//!    between grid points that are 1/(grid_points² − 1) of the range apart is missed.
//! 3. **Verification.** A point counts when |F_i(r)| ≤ tol·(1 + |r_i|) for every i
//!    (tol = [`FixedPointOptions::residual_tolerance`]): absolute near r = 0, relative for
//!    rates in Hz.
//! 4. **Deduplication.** Two points are the same fixed point when they differ by at most
//!    [`FixedPointOptions::distinct_tolerance`]·(1 + max_i |r_i|) in every component.
//!
//! 5. **Stability.** Each fixed point gets the eigenvalues of its Jacobian and, in a network
//!    with delays, the roots of its characteristic equation ([`super::characteristic_roots`]);
//!    the classification comes from the eigenvalues without delays, from the n leading roots
//!    with them (see [`FixedPoint::classification`]).
//!
//! The result is sorted by the rates (first population first); it is empty where no fixed
//! point exists, e.g. one linear population with J = 1 and I > 0. Isolated fixed points in the
//! start box are found when Newton's basins reach the grid. A continuum of fixed points (a
//! linear unit with J = 1 and I = 0: every r ≥ 0) is beyond this search: the starts that lie
//! on it come back as separate fixed points, with an eigenvalue 0 (marginal).

use nalgebra::{Complex, DVector};

use super::delay::{CharacteristicRootOptions, characteristic_roots, leading};
use super::network::{DynamicsError, RateNetwork, transfer_maximum, transfer_slope};
use super::stability::{Classification, classify, eigenvalues, jacobian_at};

/// How [`fixed_points`] searches; [`Default`] gives the values in the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedPointOptions {
    /// Starts per population for n ≤ 2 (21: steps of 5 % of the range).
    pub grid_points: usize,
    /// Halton starts for n > 2, besides corners and centre (512).
    pub scattered_starts: usize,
    /// Newton iterations per start (100; quadratic convergence needs fewer than 10 near a
    /// root, the rest is room for the damped approach from far away).
    pub max_iterations: usize,
    /// Residual accepted as a fixed point (1e-10, relative to 1 + |r_i|).
    pub residual_tolerance: f64,
    /// Distance under which two roots are one (1e-6, relative to 1 + max |r|); far above the
    /// residual tolerance, far below the spacing of distinct fixed points in practice.
    pub distinct_tolerance: f64,
    /// ε for the classification, per ms (1e-9): eigenvalues with |Re λ| ≤ ε are marginal.
    pub marginal_tolerance_per_ms: f64,
    /// The box of initial rates, (low, high) per population, instead of the range of Φ.
    pub rate_ranges: Option<Vec<(f64, f64)>>,
    /// The search for characteristic roots of networks with delays.
    pub characteristic_roots: CharacteristicRootOptions,
}

impl Default for FixedPointOptions {
    fn default() -> Self {
        FixedPointOptions {
            grid_points: 21,
            scattered_starts: 512,
            max_iterations: 100,
            residual_tolerance: 1e-10,
            distinct_tolerance: 1e-6,
            marginal_tolerance_per_ms: 1e-9,
            rate_ranges: None,
            characteristic_roots: CharacteristicRootOptions::default(),
        }
    }
}

/// A fixed point with its linear stability.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedPoint {
    /// r0, one rate per population (in Φ_i's output unit).
    pub rates: Vec<f64>,
    /// max_i |F_i(r0)|, F(r) = −r + Φ(I + J r).
    pub residual: f64,
    /// The eigenvalues of the Jacobian (per ms), by decreasing real part. In a network with
    /// delays, those of the same network with its delays set to 0.
    pub eigenvalues: Vec<Complex<f64>>,
    /// In a network with delays, the roots of the characteristic equation in the search region
    /// of [`super::characteristic_roots`] (per ms, sorted like the eigenvalues); `None` without
    /// delays, where the eigenvalues are the roots.
    pub characteristic_roots: Option<Vec<Complex<f64>>>,
    /// Node, focus, saddle or marginal, by [`classify`]: from the eigenvalues, or with delays
    /// from the n leading characteristic roots (n populations, the partner of a complex pair
    /// cut in half added), the roots that continue the eigenvalues as the delays grow from 0
    /// (the infinitely many others all decay). With delays a pair of leading roots with
    /// Re λ > 0 is an unstable focus: the fixed point oscillates.
    pub classification: Classification,
}

impl FixedPoint {
    /// The roots that decide stability: the characteristic roots of a network with delays,
    /// the eigenvalues of one without.
    pub fn spectrum(&self) -> &[Complex<f64>] {
        self.characteristic_roots
            .as_deref()
            .unwrap_or(&self.eigenvalues)
    }

    /// Whether small perturbations decay (a stable node or focus).
    pub fn is_stable(&self) -> bool {
        self.classification.is_stable()
    }
}

/// All fixed points of `network` that Newton reaches from the starts of `options`, with their
/// stability; see the module documentation for the method and its tolerances.
///
/// ```
/// use cajal::dynamics::{fixed_points, Classification, FixedPointOptions, RateNetwork};
/// use cajal::neuron::rate::TransferFunction;
/// let linear = TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 };
/// // τ = 10 ms, J = 0.5, I = 1: one stable fixed point r = I/(1 − J) = 2.
/// let network = RateNetwork::single(10.0, 0.5, 1.0, linear).unwrap();
/// let points = fixed_points(&network, &FixedPointOptions::default()).unwrap();
/// assert_eq!(points.len(), 1);
/// assert!((points[0].rates[0] - 2.0).abs() < 1e-12);
/// assert_eq!(points[0].classification, Classification::StableNode);
/// ```
pub fn fixed_points(
    network: &RateNetwork,
    options: &FixedPointOptions,
) -> Result<Vec<FixedPoint>, DynamicsError> {
    fixed_points_with_starts(network, options, &[])
}

/// [`fixed_points`] with `extra_starts` for Newton besides the grid (a continuation passes the
/// fixed points of the previous parameter value).
pub(crate) fn fixed_points_with_starts(
    network: &RateNetwork,
    options: &FixedPointOptions,
    extra_starts: &[DVector<f64>],
) -> Result<Vec<FixedPoint>, DynamicsError> {
    check_options(network, options)?;
    let starts = starts(network, options);
    let mut candidates: Vec<DVector<f64>> = extra_starts
        .iter()
        .filter(|start| start.len() == network.size())
        .chain(&starts)
        .filter_map(|start| newton(network, start.clone(), options))
        .collect();
    if network.size() == 1 {
        candidates.extend(bracketed_roots(network, &starts, options));
    }
    let mut roots: Vec<DVector<f64>> = Vec::new();
    for root in candidates {
        let scale = 1.0 + root.amax();
        let known = roots
            .iter()
            .any(|other| (other - &root).amax() <= options.distinct_tolerance * scale);
        if !known {
            roots.push(root);
        }
    }
    roots.sort_by(|a, b| {
        a.iter()
            .zip(b.iter())
            .map(|(x, y)| x.total_cmp(y))
            .find(|order| order.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    roots
        .into_iter()
        .map(|rates| analyse(network, &rates, options))
        .collect()
}

/// The fixed point at `rates` with its eigenvalues, characteristic roots and type.
pub(crate) fn analyse(
    network: &RateNetwork,
    rates: &DVector<f64>,
    options: &FixedPointOptions,
) -> Result<FixedPoint, DynamicsError> {
    let residual = network.fixed_point_residual(rates).amax();
    let eigenvalues = eigenvalues(&jacobian_at(network, rates))?;
    let rates: Vec<f64> = rates.iter().copied().collect();
    let characteristic_roots = if network.has_delays() {
        Some(characteristic_roots(
            network,
            &rates,
            &options.characteristic_roots,
        )?)
    } else {
        None
    };
    let deciding = match &characteristic_roots {
        Some(roots) => leading(roots, network.size()),
        None => &eigenvalues,
    };
    let classification = classify(deciding, options.marginal_tolerance_per_ms);
    Ok(FixedPoint {
        rates,
        residual,
        eigenvalues,
        characteristic_roots,
        classification,
    })
}

fn check_options(network: &RateNetwork, options: &FixedPointOptions) -> Result<(), DynamicsError> {
    let problem = |option, message: &str| {
        Err(DynamicsError::Option {
            option,
            message: message.to_string(),
        })
    };
    if options.grid_points < 2 {
        return problem("grid_points", "needs at least 2 (the ends of the range)");
    }
    if options.max_iterations == 0 {
        return problem("max_iterations", "must be at least 1");
    }
    for (option, value) in [
        ("residual_tolerance", options.residual_tolerance),
        ("distinct_tolerance", options.distinct_tolerance),
        (
            "marginal_tolerance_per_ms",
            options.marginal_tolerance_per_ms,
        ),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return problem(option, "must be positive and finite");
        }
    }
    if let Some(ranges) = &options.rate_ranges {
        if ranges.len() != network.size() {
            return Err(DynamicsError::DimensionMismatch {
                what: "the option `rate_ranges`",
                expected: network.size(),
                found: ranges.len(),
            });
        }
        if ranges
            .iter()
            .any(|&(low, high)| !(low.is_finite() && high.is_finite() && low <= high))
        {
            return problem("rate_ranges", "each range needs finite low ≤ high");
        }
    }
    Ok(())
}

/// The box of initial rates, one (low, high) per population.
fn start_ranges(network: &RateNetwork, options: &FixedPointOptions) -> Vec<(f64, f64)> {
    if let Some(ranges) = &options.rate_ranges {
        return ranges.clone();
    }
    let bounds: Vec<Option<f64>> = network
        .transfer_functions()
        .iter()
        .map(transfer_maximum)
        .collect();
    let coupling = network.coupling();
    (0..network.size())
        .map(|i| {
            if let Some(high) = bounds[i] {
                return (0.0, high);
            }
            // Inhibition only lowers x, so with bounded excitatory sources a fixed point has
            // r_i = Φ_i(x_i) ≤ Φ_i(I_i + Σ_j J_ij⁺ B_j): a true bound, and a tight box.
            let excitation = |j: usize| coupling[(i, j)].max(0.0);
            let unbounded_excitation =
                (0..network.size()).any(|j| excitation(j) > 0.0 && bounds[j].is_none());
            let drive = network.inputs()[i]
                + (0..network.size())
                    .map(|j| excitation(j) * bounds[j].unwrap_or(1.0))
                    .sum::<f64>();
            let peak = network.transfer_functions()[i].apply(drive);
            if unbounded_excitation {
                (0.0, 10.0 * peak.max(1.0))
            } else {
                (0.0, peak)
            }
        })
        .collect()
}

fn starts(network: &RateNetwork, options: &FixedPointOptions) -> Vec<DVector<f64>> {
    let ranges = start_ranges(network, options);
    let n = ranges.len();
    let at = |i: usize, fraction: f64| ranges[i].0 + fraction * (ranges[i].1 - ranges[i].0);
    if n <= 2 {
        let m = if n == 1 {
            options.grid_points * options.grid_points
        } else {
            options.grid_points
        };
        let fraction = |k: usize| k as f64 / (m - 1) as f64;
        let count = m.pow(n as u32);
        return (0..count)
            .map(|index| {
                // Index k of population i is digit i of `index` in base m.
                DVector::from_fn(n, |i, _| at(i, fraction(index / m.pow(i as u32) % m)))
            })
            .collect();
    }
    let bases = primes(n);
    let mut points = vec![
        DVector::from_fn(n, |i, _| at(i, 0.0)),
        DVector::from_fn(n, |i, _| at(i, 1.0)),
        DVector::from_fn(n, |i, _| at(i, 0.5)),
    ];
    // Index 0 of the Halton sequence is the corner already included.
    points.extend(
        (1..=options.scattered_starts)
            .map(|index| DVector::from_fn(n, |i, _| at(i, radical_inverse(index, bases[i])))),
    );
    points
}

/// For one population: the roots of F bracketed by neighbouring starts (sorted, as the grid
/// is), by bisection to the resolution of f64, then polished by Newton.
fn bracketed_roots(
    network: &RateNetwork,
    starts: &[DVector<f64>],
    options: &FixedPointOptions,
) -> Vec<DVector<f64>> {
    let f = |r: f64| network.fixed_point_residual(&DVector::from_element(1, r))[0];
    let mut roots = Vec::new();
    for pair in starts.windows(2) {
        let (mut low, mut high) = (pair[0][0], pair[1][0]);
        let (mut f_low, f_high) = (f(low), f(high));
        if f_low * f_high >= 0.0 || f_low.is_nan() || f_high.is_nan() {
            continue;
        }
        // Each halving gains a bit; 200 exceed the 64 that any f64 interval can take.
        for _ in 0..200 {
            let middle = 0.5 * (low + high);
            if middle <= low || middle >= high {
                break;
            }
            let f_middle = f(middle);
            if f_low * f_middle <= 0.0 {
                high = middle;
            } else {
                low = middle;
                f_low = f_middle;
            }
        }
        let bisected = DVector::from_element(1, 0.5 * (low + high));
        if let Some(root) = newton(network, bisected.clone(), options) {
            roots.push(root);
        } else if converged(
            &bisected,
            &network.fixed_point_residual(&bisected),
            options.residual_tolerance,
        ) {
            roots.push(bisected);
        }
    }
    roots
}

/// The first `count` primes, the bases of a Halton sequence.
fn primes(count: usize) -> Vec<usize> {
    let mut primes: Vec<usize> = Vec::with_capacity(count);
    let mut candidate = 2;
    while primes.len() < count {
        if primes.iter().all(|p| candidate % p != 0) {
            primes.push(candidate);
        }
        candidate += 1;
    }
    primes
}

/// The digits of `index` in base `base` mirrored behind the point: 0.d₀d₁d₂… (van der Corput).
fn radical_inverse(mut index: usize, base: usize) -> f64 {
    let mut value = 0.0;
    let mut weight = 1.0 / base as f64;
    while index > 0 {
        value += (index % base) as f64 * weight;
        index /= base;
        weight /= base as f64;
    }
    value
}

fn converged(rates: &DVector<f64>, residual: &DVector<f64>, tolerance: f64) -> bool {
    residual
        .iter()
        .zip(rates.iter())
        .all(|(f, r)| f.abs() <= tolerance * (1.0 + r.abs()))
}

/// Damped Newton from `start`; `None` where it does not reach a verified root.
///
/// The sweeps call this hundreds of thousands of times, so it works in buffers allocated once
/// per start: x = I + J r, the residual and the slopes come from one evaluation of Φ per
/// iterate.
pub(crate) fn newton(
    network: &RateNetwork,
    mut rates: DVector<f64>,
    options: &FixedPointOptions,
) -> Option<DVector<f64>> {
    let n = network.size();
    let coupling = network.coupling();
    let transfers = network.transfer_functions();
    let inputs = network.inputs();
    // x = I + J r and F = Φ(x) − r at `rates`.
    let evaluate = |rates: &DVector<f64>, x: &mut DVector<f64>, residual: &mut DVector<f64>| {
        coupling.mul_to(rates, x);
        for i in 0..n {
            x[i] += inputs[i];
            residual[i] = transfers[i].apply(x[i]) - rates[i];
        }
    };
    let (mut x, mut residual) = (DVector::zeros(n), DVector::zeros(n));
    let (mut trial, mut trial_x, mut trial_residual) =
        (DVector::zeros(n), DVector::zeros(n), DVector::zeros(n));
    let mut derivative = nalgebra::DMatrix::zeros(n, n);
    let mut step = DVector::zeros(n);
    evaluate(&rates, &mut x, &mut residual);
    for _ in 0..options.max_iterations {
        if converged(&rates, &residual, options.residual_tolerance) {
            return Some(rates);
        }
        // DF = −1 + diag(Φ'(x)) J.
        for i in 0..n {
            let slope = transfer_slope(&transfers[i], x[i]);
            for j in 0..n {
                derivative[(i, j)] = slope * coupling[(i, j)] - if i == j { 1.0 } else { 0.0 };
            }
        }
        step.copy_from(&residual);
        step.neg_mut();
        if !derivative.clone().lu().solve_mut(&mut step) || step.iter().any(|s| !s.is_finite()) {
            return None;
        }
        let norm = residual.norm();
        let mut lambda = 1.0;
        loop {
            trial.copy_from(&rates);
            trial.axpy(lambda, &step, 1.0);
            evaluate(&trial, &mut trial_x, &mut trial_residual);
            let trial_norm = trial_residual.norm();
            if trial_norm <= (1.0 - 1e-4 * lambda) * norm {
                std::mem::swap(&mut rates, &mut trial);
                std::mem::swap(&mut x, &mut trial_x);
                std::mem::swap(&mut residual, &mut trial_residual);
                break;
            }
            lambda = backtrack(lambda, norm, trial_norm);
            if lambda < 1.0 / (1 << 20) as f64 {
                return None;
            }
        }
    }
    converged(&rates, &residual, options.residual_tolerance).then_some(rates)
}

/// The next step length after `lambda` failed: the minimiser of the quadratic through
/// φ(0) = ‖F‖², φ'(0) = −2‖F‖² (the slope along a Newton direction) and φ(λ) = ‖F(trial)‖²,
/// kept within [λ/10, λ/2] (Dennis & Schnabel, *Numerical Methods for Unconstrained
/// Optimization and Nonlinear Equations* (1996), §6.3.2). Far from a root, where the full step
/// is much too long, it shortens the step in one or two tries where halving needs many.
fn backtrack(lambda: f64, norm: f64, trial_norm: f64) -> f64 {
    let (start, end) = (norm * norm, trial_norm * trial_norm);
    let minimiser = start * lambda * lambda / (end - start + 2.0 * start * lambda);
    if minimiser.is_finite() {
        minimiser.clamp(0.1 * lambda, 0.5 * lambda)
    } else {
        0.5 * lambda
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halton_points_are_the_van_der_corput_digits() {
        assert_eq!(primes(5), vec![2, 3, 5, 7, 11]);
        assert_eq!(radical_inverse(1, 2), 0.5);
        assert_eq!(radical_inverse(6, 2), 0.375); // 110₂ → 0.011₂
        assert!((radical_inverse(5, 3) - 7.0 / 9.0).abs() < 1e-15); // 12₃ → 0.21₃
    }

    #[test]
    fn a_grid_covers_the_box_with_its_ends() {
        let linear = crate::neuron::rate::TransferFunction::Sigmoid {
            threshold: 0.0,
            slope: 1.0,
        };
        let network = RateNetwork::new(
            vec![1.0, 1.0],
            vec![vec![0.0, 0.0], vec![0.0, 0.0]],
            vec![0.0, 0.0],
            vec![linear, linear],
        )
        .unwrap();
        let options = FixedPointOptions {
            grid_points: 3,
            ..FixedPointOptions::default()
        };
        let points = starts(&network, &options);
        assert_eq!(points.len(), 9);
        assert_eq!(points[0].as_slice(), &[0.0, 0.0]);
        assert_eq!(points[5].as_slice(), &[1.0, 0.5]);
        assert_eq!(points[8].as_slice(), &[1.0, 1.0]);
    }
}

//! Fixed points along a parameter: branches, and the saddle-node and Hopf bifurcations where
//! they appear, vanish or start to oscillate.
//!
//! [`sweep`] builds the network at each parameter value (any parameter: the closure decides)
//! and finds its fixed points with [`super::fixed_points`], adding as Newton starts the fixed
//! points of the previous value and their linear extrapolation along each branch
//! (continuation), so that a branch the grid of starts would miss is still followed.
//!
//! **Branches.** Fixed points of neighbouring values are matched greedily, closest pairs first
//! (∞-norm of the difference of rates), among pairs within
//! [`SweepOptions::branch_jump`]·(1 + max |r|) of each other and of the same *orientation*,
//! the sign of det(1 − diag(Φ') J) = det(−DF), DF the derivative of F(r) = −r + Φ(I + J r).
//! Along a branch the orientation changes only where a real root crosses 0, which generically
//! is a fold, where the branch does not continue; so a stable node is never matched to the
//! saddle it annihilates with. A matched fixed point continues its branch; an unmatched one
//! starts a new branch, or ends one.
//!
//! **Saddle-node (fold).** Between two values, fixed points that are left unmatched on the
//! same side and have opposite orientations are paired (closest first): a pair born or
//! annihilated in a fold (Kuznetsov, *Elements of Applied Bifurcation Theory* (2004), §3.2;
//! the number of fixed points changes by 2 and a real root passes through 0). The value is
//! refined by bisection: at the middle, Newton from the pair's last positions (and points on
//! the line through them) looks for two fixed points of opposite orientation near them; the
//! half where the pair exists and the half where it does not are kept. Near a fold the pair
//! is √(|v − v_c|) apart, and a root is accepted at residual
//! [`super::FixedPointOptions::residual_tolerance`] (10⁻¹⁰), so existence is decided reliably
//! down to |v − v_c| ≈ 10⁻¹⁰/|∂F/∂v|; the default tolerance, 10⁻⁹, stays above that.
//!
//! **Hopf.** Along a branch, where the number of roots with Re λ > 0 (eigenvalues, or with
//! delays characteristic roots) changes by 2 and so does the number of non-real ones among
//! them, a complex pair crosses the imaginary axis (Kuznetsov §3.4). A change from focus to
//! node (a pair becoming real) changes neither count. Bisection follows the branch by Newton
//! from the interpolated rates (same orientation) and keeps the half across which the count
//! changes. The frequency is |Im λ|·1000/(2π) Hz of the non-real root nearest to the axis at
//! the refined value.
//!
//! Bisection stops when the bracket is at most [`SweepOptions::tolerance`]·max(1, |v|); the
//! bifurcation is reported at the bracket's middle, with the rates there (for a fold, the
//! middle of the pair on the side where it exists). Events closer together than the spacing
//! of `values` (a pair born and annihilated between two values) are not seen, and
//! transcritical or pitchfork points (non-generic, where branches cross) are not classified.

use nalgebra::{DMatrix, DVector};

use super::fixed_point::{
    FixedPoint, FixedPointOptions, analyse, fixed_points_with_starts, newton,
};
use super::network::{DynamicsError, RateNetwork};

/// How [`sweep`] searches and refines; [`Default`] gives the values in the module
/// documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOptions {
    /// The search for fixed points at each value.
    pub fixed_points: FixedPointOptions,
    /// Bisection stops when the bracket is at most `tolerance`·max(1, |value|) (10⁻⁹).
    pub tolerance: f64,
    /// The largest change of rates between neighbouring values along one branch, relative to
    /// 1 + max |r| (0.25).
    pub branch_jump: f64,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            fixed_points: FixedPointOptions::default(),
            tolerance: 1e-9,
            branch_jump: 0.25,
        }
    }
}

/// The fixed points at one value of the parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The parameter.
    pub value: f64,
    /// All fixed points found there, as [`super::fixed_points`] returns them.
    pub fixed_points: Vec<FixedPoint>,
}

/// One fixed point of a branch.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchPoint {
    /// The parameter.
    pub value: f64,
    /// The rates.
    pub rates: Vec<f64>,
    /// Whether it is stable (a stable node or focus).
    pub stable: bool,
}

/// Fixed points of successive values matched by continuity (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// In the order of the sweep.
    pub points: Vec<BranchPoint>,
}

/// The type of a bifurcation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BifurcationKind {
    /// Two fixed points (of opposite orientation) meet and vanish: a real root crosses 0.
    SaddleNode,
    /// A complex pair of roots crosses the imaginary axis: an oscillation is born or dies.
    Hopf,
}

/// A bifurcation, refined by bisection on the parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Bifurcation {
    /// Saddle-node or Hopf.
    pub kind: BifurcationKind,
    /// The parameter where it happens.
    pub value: f64,
    /// The rates of the fixed point there.
    pub rates: Vec<f64>,
    /// For a Hopf bifurcation, the frequency of the crossing pair, |Im λ|·1000/(2π) (Hz).
    pub frequency_hz: Option<f64>,
}

/// The result of a [`sweep`].
#[derive(Clone, Debug, PartialEq)]
pub struct BifurcationDiagram {
    /// The fixed points at each value, in the order of the values.
    pub points: Vec<SweepPoint>,
    /// The fixed points matched into branches.
    pub branches: Vec<Branch>,
    /// The bifurcations, in the order in which the sweep passed them.
    pub bifurcations: Vec<Bifurcation>,
}

/// The fixed points of `build(v)` for each v of `values` (finite, strictly increasing or
/// strictly decreasing), their branches and bifurcations (see the module documentation).
///
/// ```
/// use cajal::dynamics::{sweep, BifurcationKind, RateNetwork, SweepOptions};
/// use cajal::neuron::rate::TransferFunction;
/// // A sigmoid population with strong self-excitation (J = 10) is bistable over a range of
/// // inputs I, bounded by two folds.
/// let sigmoid = TransferFunction::Sigmoid { threshold: 5.0, slope: 1.0 };
/// let build = |input: f64| RateNetwork::single(10.0, 10.0, input, sigmoid);
/// let inputs: Vec<f64> = (0..=80).map(|k| -4.0 + 0.1 * k as f64).collect();
/// let diagram = sweep(build, &inputs, &SweepOptions::default()).unwrap();
/// let folds: Vec<_> = diagram.bifurcations.iter().map(|b| b.kind).collect();
/// assert_eq!(folds, vec![BifurcationKind::SaddleNode; 2]);
/// ```
pub fn sweep<F>(
    build: F,
    values: &[f64],
    options: &SweepOptions,
) -> Result<BifurcationDiagram, DynamicsError>
where
    F: Fn(f64) -> Result<RateNetwork, DynamicsError>,
{
    check(values, options)?;
    let mut points: Vec<SweepPoint> = Vec::with_capacity(values.len());
    let mut branches: Vec<Branch> = Vec::new();
    let mut bifurcations = Vec::new();
    // The fixed points of the previous value, and the branch each belongs to.
    let mut previous: Vec<State> = Vec::new();
    let mut previous_branch: Vec<usize> = Vec::new();
    for &value in values {
        let network = build(value)?;
        let starts = predictions(&previous, &previous_branch, &branches, value);
        let found = fixed_points_with_starts(&network, &options.fixed_points, &starts)?;
        let current: Vec<State> = found.iter().map(|p| State::of(&network, p)).collect();
        let matches = match_states(&previous, &current, options.branch_jump);
        if let Some(last) = points.last() {
            let before = last.value;
            let matched_before: Vec<bool> = (0..previous.len())
                .map(|i| matches.contains(&Some(i)))
                .collect();
            for (a, b) in fold_pairs(&previous, &matched_before) {
                bifurcations.push(refine_fold(
                    &build,
                    (before, value),
                    [&previous[a], &previous[b]],
                    options,
                )?);
            }
            let matched_now: Vec<bool> = matches.iter().map(Option::is_some).collect();
            for (a, b) in fold_pairs(&current, &matched_now) {
                bifurcations.push(refine_fold(
                    &build,
                    (value, before),
                    [&current[a], &current[b]],
                    options,
                )?);
            }
            for (j, matched) in matches.iter().enumerate() {
                let Some(i) = *matched else { continue };
                let (old, new) = (&previous[i], &current[j]);
                let growing = new.unstable as i64 - old.unstable as i64;
                let oscillating = new.oscillatory as i64 - old.oscillatory as i64;
                if growing.abs() == 2 && oscillating == growing {
                    bifurcations.push(refine_hopf(&build, (before, old), (value, new), options)?);
                }
            }
        }
        let mut branch_of = Vec::with_capacity(current.len());
        for (j, point) in found.iter().enumerate() {
            let branch = match matches[j] {
                Some(i) => previous_branch[i],
                None => {
                    branches.push(Branch { points: Vec::new() });
                    branches.len() - 1
                }
            };
            branches[branch].points.push(BranchPoint {
                value,
                rates: point.rates.clone(),
                stable: point.is_stable(),
            });
            branch_of.push(branch);
        }
        previous = current;
        previous_branch = branch_of;
        points.push(SweepPoint {
            value,
            fixed_points: found,
        });
    }
    Ok(BifurcationDiagram {
        points,
        branches,
        bifurcations,
    })
}

fn check(values: &[f64], options: &SweepOptions) -> Result<(), DynamicsError> {
    let problem = |option, message: String| Err(DynamicsError::Option { option, message });
    if values.is_empty() {
        return problem("values", "the sweep needs at least one value".to_string());
    }
    if let Some(value) = values.iter().find(|v| !v.is_finite()) {
        return problem("values", format!("{value} is not finite"));
    }
    let increasing = values.windows(2).all(|w| w[0] < w[1]);
    let decreasing = values.windows(2).all(|w| w[0] > w[1]);
    if !(increasing || decreasing) {
        return problem(
            "values",
            "must be strictly increasing or strictly decreasing".to_string(),
        );
    }
    for (option, value) in [
        ("tolerance", options.tolerance),
        ("branch_jump", options.branch_jump),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return problem(
                option,
                format!("is {value}; it must be positive and finite"),
            );
        }
    }
    Ok(())
}

/// What the sweep keeps of a fixed point.
struct State {
    rates: DVector<f64>,
    /// det(1 − diag(Φ') J) ≥ 0.
    orientation: bool,
    /// Roots with Re λ > 0, with multiplicity.
    unstable: usize,
    /// Of these, the non-real ones.
    oscillatory: usize,
}

impl State {
    fn of(network: &RateNetwork, point: &FixedPoint) -> State {
        let rates = DVector::from_column_slice(&point.rates);
        let growing = point.spectrum().iter().filter(|l| l.re > 0.0);
        State {
            orientation: orientation(network, &rates),
            unstable: growing.clone().count(),
            oscillatory: growing.filter(|l| l.im != 0.0).count(),
            rates,
        }
    }
}

fn orientation(network: &RateNetwork, rates: &DVector<f64>) -> bool {
    let slopes = network.slopes(rates);
    let n = network.size();
    let coupling = network.coupling();
    let matrix = DMatrix::from_fn(n, n, |i, j| {
        let diagonal = if i == j { 1.0 } else { 0.0 };
        diagonal - slopes[i] * coupling[(i, j)]
    });
    matrix.determinant() >= 0.0
}

/// Newton starts for value `value`: each fixed point of the previous value and its linear
/// extrapolation along its branch.
fn predictions(
    previous: &[State],
    previous_branch: &[usize],
    branches: &[Branch],
    value: f64,
) -> Vec<DVector<f64>> {
    let mut starts = Vec::with_capacity(2 * previous.len());
    for (state, &branch) in previous.iter().zip(previous_branch) {
        starts.push(state.rates.clone());
        let points = &branches[branch].points;
        if let [.., before, last] = points.as_slice() {
            let slope = (&state.rates - DVector::from_column_slice(&before.rates))
                / (last.value - before.value);
            starts.push(&state.rates + slope * (value - last.value));
        }
    }
    starts
}

/// For each current state, the previous state it continues (see the module documentation).
fn match_states(previous: &[State], current: &[State], jump: f64) -> Vec<Option<usize>> {
    let mut candidates = Vec::new();
    for (i, old) in previous.iter().enumerate() {
        for (j, new) in current.iter().enumerate() {
            let distance = (&old.rates - &new.rates).amax();
            let scale = 1.0 + old.rates.amax().max(new.rates.amax());
            if old.orientation == new.orientation && distance <= jump * scale {
                candidates.push((distance, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut matches = vec![None; current.len()];
    let mut taken = vec![false; previous.len()];
    for (_, i, j) in candidates {
        if !taken[i] && matches[j].is_none() {
            taken[i] = true;
            matches[j] = Some(i);
        }
    }
    matches
}

/// Unmatched states of opposite orientation, paired closest first.
fn fold_pairs(states: &[State], matched: &[bool]) -> Vec<(usize, usize)> {
    let mut candidates = Vec::new();
    for a in (0..states.len()).filter(|&a| !matched[a]) {
        for b in (a + 1..states.len()).filter(|&b| !matched[b]) {
            if states[a].orientation != states[b].orientation {
                candidates.push(((&states[a].rates - &states[b].rates).amax(), a, b));
            }
        }
    }
    candidates.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut used = vec![false; states.len()];
    let mut pairs = Vec::new();
    for (_, a, b) in candidates {
        if !used[a] && !used[b] {
            used[a] = true;
            used[b] = true;
            pairs.push((a, b));
        }
    }
    pairs
}

fn bracket_closed(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
}

/// The fold between `(exists, gone)`: the pair exists at the first value, not at the second.
fn refine_fold<F>(
    build: &F,
    (mut exists, mut gone): (f64, f64),
    pair: [&State; 2],
    options: &SweepOptions,
) -> Result<Bifurcation, DynamicsError>
where
    F: Fn(f64) -> Result<RateNetwork, DynamicsError>,
{
    let first_orientation = pair[0].orientation;
    let mut pair = [pair[0].rates.clone(), pair[1].rates.clone()];
    while !bracket_closed(exists, gone, options.tolerance) {
        let middle = 0.5 * (exists + gone);
        let network = build(middle)?;
        match pair_near(&network, &pair, first_orientation, &options.fixed_points) {
            Some(found) => {
                exists = middle;
                pair = found;
            }
            None => gone = middle,
        }
    }
    let rates = (&pair[0] + &pair[1]) * 0.5;
    Ok(Bifurcation {
        kind: BifurcationKind::SaddleNode,
        value: 0.5 * (exists + gone),
        rates: rates.iter().copied().collect(),
        frequency_hz: None,
    })
}

/// Two fixed points of `network` near `pair`, the first with orientation `first_orientation`
/// and the second with the other, found by Newton from points on the line through the pair.
fn pair_near(
    network: &RateNetwork,
    pair: &[DVector<f64>; 2],
    first_orientation: bool,
    options: &FixedPointOptions,
) -> Option<[DVector<f64>; 2]> {
    let centre = (&pair[0] + &pair[1]) * 0.5;
    let half = (&pair[1] - &pair[0]) * 0.5;
    let radius = 2.0 * half.amax() + 1e-9 * (1.0 + centre.amax());
    let mut first = None;
    let mut second = None;
    for offset in [-1.0, 1.0, 0.0, -0.5, 0.5, -1.5, 1.5] {
        let start = &centre + &half * offset;
        let Some(root) = newton(network, start, options) else {
            continue;
        };
        if (&root - &centre).amax() > radius {
            continue;
        }
        if orientation(network, &root) == first_orientation {
            first.get_or_insert(root);
        } else {
            second.get_or_insert(root);
        }
        if let (Some(a), Some(b)) = (&first, &second) {
            return Some([a.clone(), b.clone()]);
        }
    }
    None
}

/// The fixed point of `network` on the branch through `guesses` (tried in order) with the
/// given orientation.
fn follow(
    network: &RateNetwork,
    guesses: &[&DVector<f64>],
    branch_orientation: bool,
    options: &FixedPointOptions,
) -> Option<DVector<f64>> {
    guesses.iter().find_map(|&guess| {
        newton(network, guess.clone(), options)
            .filter(|root| orientation(network, root) == branch_orientation)
    })
}

/// The Hopf point between `before` and `after`, two states of one branch.
fn refine_hopf<F>(
    build: &F,
    (mut low, before): (f64, &State),
    (mut high, after): (f64, &State),
    options: &SweepOptions,
) -> Result<Bifurcation, DynamicsError>
where
    F: Fn(f64) -> Result<RateNetwork, DynamicsError>,
{
    let branch_orientation = before.orientation;
    let (mut low_rates, mut high_rates) = (before.rates.clone(), after.rates.clone());
    let fixed = &options.fixed_points;
    while !bracket_closed(low, high, options.tolerance) {
        let middle = 0.5 * (low + high);
        let network = build(middle)?;
        let guess = (&low_rates + &high_rates) * 0.5;
        let Some(rates) = follow(
            &network,
            &[&guess, &low_rates, &high_rates],
            branch_orientation,
            fixed,
        ) else {
            break;
        };
        let point = analyse(&network, &rates, fixed)?;
        if State::of(&network, &point).unstable == before.unstable {
            low = middle;
            low_rates = rates;
        } else {
            high = middle;
            high_rates = rates;
        }
    }
    let value = 0.5 * (low + high);
    let network = build(value)?;
    let guess = (&low_rates + &high_rates) * 0.5;
    let rates = follow(
        &network,
        &[&guess, &low_rates, &high_rates],
        branch_orientation,
        fixed,
    )
    .unwrap_or(guess);
    let point = analyse(&network, &rates, fixed)?;
    let frequency_hz = point
        .spectrum()
        .iter()
        .filter(|l| l.im != 0.0)
        .min_by(|a, b| a.re.abs().total_cmp(&b.re.abs()))
        .map(|l| 1000.0 * l.im.abs() / std::f64::consts::TAU);
    Ok(Bifurcation {
        kind: BifurcationKind::Hopf,
        value,
        rates: point.rates,
        frequency_hz,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(rates: &[f64], orientation: bool) -> State {
        State {
            rates: DVector::from_column_slice(rates),
            orientation,
            unstable: 0,
            oscillatory: 0,
        }
    }

    #[test]
    fn a_stable_state_is_not_matched_to_the_saddle_it_meets() {
        // Before: low (+), middle (−), high (+); after: only a high state. The low state is
        // closer to the middle one, but of the other orientation; the high one continues.
        let before = [
            state(&[0.1], true),
            state(&[0.3], false),
            state(&[0.9], true),
        ];
        let after = [state(&[0.92], true)];
        assert_eq!(match_states(&before, &after, 0.25), vec![Some(2)]);
        assert_eq!(fold_pairs(&before, &[false, false, true]), vec![(0, 1)]);
    }

    #[test]
    fn values_must_be_monotonic_and_finite() {
        let options = SweepOptions::default();
        assert!(check(&[0.0, 1.0, 2.0], &options).is_ok());
        assert!(check(&[2.0, 1.0], &options).is_ok());
        assert!(check(&[0.0, 1.0, 1.0], &options).is_err());
        assert!(check(&[0.0, f64::NAN], &options).is_err());
        assert!(check(&[], &options).is_err());
    }
}

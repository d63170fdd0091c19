//! Linear stability of a rate network with transmission delays: the roots of its
//! characteristic equation, and the delay-induced Hopf bifurcation of one population.
//!
//! ```text
//! τ_i dr_i/dt = −r_i + Φ_i(I_i + Σ_j J_ij r_j(t − D_ij))
//! ```
//! Near a fixed point r0 (x = I + J r0, slopes g_i = Φ_i'(x_i)) a perturbation v e^{λt} grows
//! or decays with the λ that solve the characteristic equation
//!
//! ```text
//! det M(λ) = 0,   M(λ) = λ diag(τ) + 1 − diag(g) (J ∘ e^{−λD}),   (e^{−λD})_ij = e^{−λ D_ij}
//! ```
//! (∘ the entrywise product; Hale & Verduyn Lunel, *Introduction to Functional Differential
//! Equations* (1993), §7.1; for rate models e.g. Roxin, Brunel & Hansel (2005), Phys. Rev.
//! Lett. 94:238103). Without delays M(λ) = diag(τ)(λ − A) with A the Jacobian, and the roots
//! are its n eigenvalues. With delays there are infinitely many roots, but only finitely many
//! right of any vertical line (the equation is of retarded type: λτ_i dominates for large |λ|),
//! and those decide stability: r0 is stable when all roots have Re λ < 0.
//!
//! **The search region.** If M(λ)v = 0 and |v_i| is the largest component of v, row i gives
//! |λτ_i + 1| ≤ g_i Σ_j |J_ij| e^{−Re λ·D_ij}. So every root with Re λ ≥ σ lies in one of the
//! discs |λ + 1/τ_i| ≤ R_i(σ) = (g_i/τ_i) Σ_j |J_ij| e^{−σ D_ij}, and
//! [`characteristic_roots`] searches the rectangle
//!
//! ```text
//! σ ≤ Re λ ≤ min(max_i(−1/τ_i + R_i(σ)), max(0, max_i(−1/τ_i + R_i(0)))) + 0.1/τ_min,
//! |Im λ| ≤ max_i R_i(σ) + 0.1/τ_min,
//! ```
//! which holds *all* roots with Re λ ≥ σ (the margins keep roots off its edges). The depth is
//! σ = −min(2/τ_min, ln 10/D_max) (D_max the longest delay of a non-zero coupling): two
//! relaxation rates deep, but no deeper than where e^{−σD} reaches 10, since below that the
//! number of roots grows like e^{|σ|D}. [`CharacteristicRootOptions::min_real_part_per_ms`]
//! sets σ instead. If fewer than n roots lie right of σ, σ is doubled (up to 8 times), so
//! that the n leading roots that classify a fixed point are there.
//!
//! **The roots.** The argument principle counts the roots inside a closed contour, with
//! multiplicity: the winding number of det M along it (Delves & Lyness (1967), Math. Comp.
//! 21:543; Kravanja & Van Barel, *Computing the Zeros of Analytic Functions* (2000), LNM 1727).
//! The phase of det M is followed with steps h ≤ 0.3/|d ln det M/dλ| at both ends of each
//! step, so that ln det M changes by about 0.3 or less per step and no turn is missed; a
//! contour that passes within reach of a root is moved. The rectangle is halved (the longer
//! side, cut near but not at the middle, so that no cut runs along the real axis) until each
//! piece holds one root, which Newton's method on det M finds from the piece's centre:
//! λ ← λ − 1/tr(M(λ)⁻¹ M'(λ)), M' = diag(τ) + diag(g)(J ∘ D ∘ e^{−λD}) (Jacobi's formula;
//! quadratic convergence for a simple root), accepted when the step is below
//! 10⁻¹³·(|λ| + 1/τ_min) and the root lies in the piece. A piece narrower than
//! 10⁻⁹/τ_min that still holds k ≥ 2 roots is a multiple root, reported k times. The count
//! makes the search complete: no root in the region is missed, none is counted twice.
//!
//! **Delay-induced oscillation of one population** ([`delayed_hopf`]). For n = 1 the
//! equation is λτ + 1 = gJ e^{−λD}, solved by λ = −1/τ + W_k(gJ (D/τ) e^{D/τ})/D with W_k the
//! branches of Lambert's W. A root crosses the imaginary axis at λ = iω where
//! iωτ + 1 = gJ e^{−iωD}: the modulus gives |gJ| = √(1 + ω²τ²), the phase (for inhibition,
//! gJ < 0) ωD + atan(ωτ) = π, which has one root ω_c ∈ (0, π/D). The fixed point is stable
//! for −√(1 + ω_c²τ²) < gJ < 1 (Hayes (1950), J. London Math. Soc. 25:226) and oscillates at
//! f_c = ω_c/(2π) beyond the inhibitory end. For D ≪ τ, ω_c ≈ π/(2D): gJ_c ≈ −πτ/(2D) and
//! f_c ≈ 1/(4D) (a period of four delays).

use std::cell::Cell;
use std::f64::consts::{PI, TAU};

use nalgebra::{Complex, DMatrix, DVector};

use super::network::{DynamicsError, RateNetwork};
use super::stability::{eigenvalues, jacobian_at};

/// How [`characteristic_roots`] searches; [`Default`] gives the values in the module
/// documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct CharacteristicRootOptions {
    /// σ (per ms, negative): report every root with Re λ ≥ σ (σ doubled while fewer than n
    /// roots lie there). `None`: the default depth of the module documentation.
    pub min_real_part_per_ms: Option<f64>,
    /// The most evaluations of det M allowed in one search (1 000 000); a search that needs
    /// more (very long delays, a very deep σ) is an error rather than a long wait.
    pub max_evaluations: usize,
}

impl Default for CharacteristicRootOptions {
    fn default() -> Self {
        CharacteristicRootOptions {
            min_real_part_per_ms: None,
            max_evaluations: 1_000_000,
        }
    }
}

/// The roots λ (per ms) of the characteristic equation det M(λ) = 0 at rates `rates` (any
/// rates, usually a fixed point): for a network without delays the n eigenvalues of the
/// Jacobian; with delays every root with Re λ ≥ σ (see the module documentation), with
/// multiplicity. Sorted by decreasing real part, a complex pair with its positive imaginary
/// part first.
///
/// ```
/// use cajal::dynamics::{characteristic_roots, CharacteristicRootOptions, RateNetwork};
/// use cajal::neuron::rate::TransferFunction;
/// // One linear unit with delayed self-inhibition: τ = 10 ms, J = −20, D = 1 ms. Its
/// // critical loop gain is about −πτ/(2D) ≈ −15.7, so it oscillates: a pair with Re λ > 0.
/// let linear = TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 };
/// let network = RateNetwork::single(10.0, -20.0, 21.0, linear)
///     .unwrap()
///     .with_delays(vec![vec![1.0]])
///     .unwrap();
/// let roots = characteristic_roots(&network, &[1.0], &CharacteristicRootOptions::default())
///     .unwrap();
/// assert!(roots[0].re > 0.0 && roots[0].im > 0.0);
/// assert_eq!(roots[1], roots[0].conj());
/// ```
pub fn characteristic_roots(
    network: &RateNetwork,
    rates: &[f64],
    options: &CharacteristicRootOptions,
) -> Result<Vec<Complex<f64>>, DynamicsError> {
    if rates.len() != network.size() {
        return Err(DynamicsError::DimensionMismatch {
            what: "the list of rates",
            expected: network.size(),
            found: rates.len(),
        });
    }
    if let Some((index, &value)) = rates.iter().enumerate().find(|(_, r)| !r.is_finite()) {
        return Err(DynamicsError::NotFinite {
            what: "the rate",
            index,
            value,
        });
    }
    if let Some(sigma) = options.min_real_part_per_ms
        && !(sigma.is_finite() && sigma < 0.0)
    {
        return Err(DynamicsError::Option {
            option: "min_real_part_per_ms",
            message: format!("is {sigma}; it must be negative and finite"),
        });
    }
    let rates = DVector::from_column_slice(rates);
    if !network.has_delays() {
        return eigenvalues(&jacobian_at(network, &rates));
    }
    Characteristic::new(network, &rates, options.max_evaluations).roots(options)
}

/// The roots that decide the type of a fixed point of a delayed network: the first n of the
/// sorted roots (n populations), with the partner of a complex pair cut in half. As the delays
/// shrink to 0 these continue the n eigenvalues of the Jacobian, while all other roots move
/// off to Re λ → −∞.
pub(crate) fn leading(roots: &[Complex<f64>], n: usize) -> &[Complex<f64>] {
    let mut count = n.min(roots.len());
    if count > 0 && count < roots.len() {
        let (last, next) = (roots[count - 1], roots[count]);
        if last.im != 0.0 && next == last.conj() {
            count += 1;
        }
    }
    &roots[..count]
}

/// The equation is real, so its roots are real or come in conjugate pairs; Newton finds the
/// two members of a pair separately, to rounding. This makes them exact conjugates (the mean
/// of each pair) and sets the rounding-size imaginary part of a real root found from a start
/// off the axis to 0.
fn conjugate_symmetric(roots: Vec<Complex<f64>>, scale: f64) -> Vec<Complex<f64>> {
    let real = |root: &Complex<f64>| root.im.abs() <= 1e-12 * (root.norm() + scale);
    let mut symmetric: Vec<Complex<f64>> = roots
        .iter()
        .filter(|r| real(r))
        .map(|r| Complex::new(r.re, 0.0))
        .collect();
    let mut lower: Vec<Complex<f64>> = roots
        .iter()
        .copied()
        .filter(|r| !real(r) && r.im < 0.0)
        .collect();
    for upper in roots.iter().filter(|r| !real(r) && r.im > 0.0) {
        let partner = lower
            .iter()
            .enumerate()
            .min_by(|a, b| {
                (a.1 - upper.conj())
                    .norm()
                    .total_cmp(&(b.1 - upper.conj()).norm())
            })
            .map(|(index, _)| index);
        let mean = match partner {
            Some(index) => 0.5 * (upper + lower.swap_remove(index).conj()),
            None => *upper,
        };
        symmetric.push(mean);
        symmetric.push(mean.conj());
    }
    // A lower root without an upper partner (not expected: the count is symmetric) is kept
    // with its own conjugate.
    for root in lower {
        symmetric.push(root.conj());
        symmetric.push(root);
    }
    symmetric
}

/// The Hopf bifurcation of one population with delayed self-coupling,
/// τ dr/dt = −r + Φ(I + J r(t − D)) (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DelayedHopf {
    /// g J_c = −√(1 + ω_c²τ²): the loop gain Φ'(x0)·J below which the fixed point oscillates.
    pub critical_loop_gain: f64,
    /// ω_c (rad/ms), the root of ω D + atan(ω τ) = π.
    pub angular_frequency_per_ms: f64,
    /// f_c = 1000 ω_c/(2π) (Hz): the frequency of the oscillation as it is born.
    pub frequency_hz: f64,
}

impl DelayedHopf {
    /// J_c = g J_c / g for a population whose transfer function has slope `slope` = Φ'(x0) at
    /// the fixed point (the slope of a threshold-linear unit is its gain, whatever J is).
    pub fn critical_coupling(&self, slope: f64) -> f64 {
        self.critical_loop_gain / slope
    }
}

/// The critical loop gain and frequency of one population with time constant τ and a delay
/// D > 0 on its self-coupling (both ms).
///
/// ```
/// use cajal::dynamics::delayed_hopf;
/// // D ≪ τ: the period approaches four delays and g J_c approaches −π τ/(2 D).
/// let hopf = delayed_hopf(10.0, 0.01).unwrap();
/// assert!((hopf.frequency_hz - 1000.0 / (4.0 * 0.01)).abs() < 0.01 * hopf.frequency_hz);
/// assert!((hopf.critical_loop_gain + std::f64::consts::PI * 10.0 / 0.02).abs() < 0.01 * 1571.0);
/// ```
pub fn delayed_hopf(time_constant_ms: f64, delay_ms: f64) -> Result<DelayedHopf, DynamicsError> {
    if !(time_constant_ms.is_finite() && time_constant_ms > 0.0) {
        return Err(DynamicsError::TimeConstant {
            index: 0,
            value: time_constant_ms,
        });
    }
    if !(delay_ms.is_finite() && delay_ms > 0.0) {
        return Err(DynamicsError::Delay {
            row: 0,
            value: delay_ms,
        });
    }
    let (tau, delay) = (time_constant_ms, delay_ms);
    // h(ω) = ωD + atan(ωτ) − π rises from −π at 0 to atan(πτ/D) > 0 at π/D: one root,
    // bracketed; bisection to the resolution of f64 (each halving gains a bit).
    let phase = |omega: f64| omega * delay + (omega * tau).atan() - PI;
    let (mut low, mut high) = (0.0, PI / delay);
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if phase(middle) < 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    let omega = 0.5 * (low + high);
    Ok(DelayedHopf {
        critical_loop_gain: -(1.0 + omega * omega * tau * tau).sqrt(),
        angular_frequency_per_ms: omega,
        frequency_hz: 1000.0 * omega / TAU,
    })
}

/// det M and its logarithmic derivative d ln det M/dλ = tr(M⁻¹ M') at one λ.
#[derive(Clone, Copy)]
struct Evaluation {
    determinant: Complex<f64>,
    log_derivative: Complex<f64>,
}

impl Evaluation {
    fn is_regular(&self) -> bool {
        self.determinant != Complex::new(0.0, 0.0)
            && self.determinant.is_finite()
            && self.log_derivative.is_finite()
    }
}

/// A rectangle of the complex plane, [re.0, re.1] × [im.0, im.1].
#[derive(Clone, Copy, Debug)]
struct Rectangle {
    re: (f64, f64),
    im: (f64, f64),
}

impl Rectangle {
    /// The corners, counterclockwise (the orientation of the argument principle).
    fn corners(&self) -> [Complex<f64>; 4] {
        [
            Complex::new(self.re.0, self.im.0),
            Complex::new(self.re.1, self.im.0),
            Complex::new(self.re.1, self.im.1),
            Complex::new(self.re.0, self.im.1),
        ]
    }

    fn centre(&self) -> Complex<f64> {
        Complex::new(0.5 * (self.re.0 + self.re.1), 0.5 * (self.im.0 + self.im.1))
    }

    fn contains(&self, point: Complex<f64>) -> bool {
        (self.re.0..=self.re.1).contains(&point.re) && (self.im.0..=self.im.1).contains(&point.im)
    }

    fn size(&self) -> f64 {
        (self.re.1 - self.re.0).max(self.im.1 - self.im.0)
    }

    /// The two pieces of a cut across the longer side at `fraction` of it.
    fn split(&self, fraction: f64) -> (Rectangle, Rectangle) {
        if self.re.1 - self.re.0 >= self.im.1 - self.im.0 {
            let cut = self.re.0 + fraction * (self.re.1 - self.re.0);
            (
                Rectangle {
                    re: (self.re.0, cut),
                    im: self.im,
                },
                Rectangle {
                    re: (cut, self.re.1),
                    im: self.im,
                },
            )
        } else {
            let cut = self.im.0 + fraction * (self.im.1 - self.im.0);
            (
                Rectangle {
                    re: self.re,
                    im: (self.im.0, cut),
                },
                Rectangle {
                    re: self.re,
                    im: (cut, self.im.1),
                },
            )
        }
    }
}

/// Where to cut a rectangle, as fractions of its longer side: near the middle, never exactly
/// there (symmetric problems put roots on the middle line, e.g. real roots on Im λ = 0); the
/// next is tried when a root lies on a cut.
const CUTS: [f64; 5] = [0.5123, 0.4617, 0.5489, 0.4231, 0.5874];

/// The largest change of ln det M accepted in one step of the phase along a contour.
const STEP_CHANGE: f64 = 0.3;

/// Doublings of the depth σ while fewer than n roots are found.
const EXTENSIONS: usize = 8;

/// M(λ) of one linearization, with a budget of evaluations.
struct Characteristic {
    time_constants: Vec<f64>,
    /// g_i J_ij.
    loop_gains: DMatrix<f64>,
    delays: DMatrix<f64>,
    /// 1/τ_min (per ms), the scale of the roots.
    scale: f64,
    evaluations: Cell<usize>,
    budget: usize,
}

impl Characteristic {
    fn new(network: &RateNetwork, rates: &DVector<f64>, budget: usize) -> Self {
        let slopes = network.slopes(rates);
        let n = network.size();
        let tau_min = network
            .time_constants_ms()
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        Characteristic {
            time_constants: network.time_constants_ms().to_vec(),
            loop_gains: DMatrix::from_fn(n, n, |i, j| slopes[i] * network.coupling()[(i, j)]),
            delays: network.delays_ms().clone(),
            scale: 1.0 / tau_min,
            evaluations: Cell::new(0),
            budget,
        }
    }

    fn size(&self) -> usize {
        self.time_constants.len()
    }

    fn evaluate(&self, lambda: Complex<f64>) -> Result<Evaluation, DynamicsError> {
        let used = self.evaluations.get() + 1;
        if used > self.budget {
            return Err(DynamicsError::CharacteristicRoots {
                message: format!(
                    "the search needs more than {} evaluations (option `max_evaluations`); \
                     a shallower `min_real_part_per_ms` shrinks the search region",
                    self.budget
                ),
            });
        }
        self.evaluations.set(used);
        let n = self.size();
        let mut matrix = DMatrix::<Complex<f64>>::zeros(n, n);
        let mut derivative = DMatrix::<Complex<f64>>::zeros(n, n);
        for i in 0..n {
            for j in 0..n {
                let gain = self.loop_gains[(i, j)];
                if gain != 0.0 {
                    let delay = self.delays[(i, j)];
                    let term = gain * (-lambda * delay).exp();
                    matrix[(i, j)] = -term;
                    derivative[(i, j)] = term * delay;
                }
            }
            matrix[(i, i)] += lambda * self.time_constants[i] + 1.0;
            derivative[(i, i)] += Complex::new(self.time_constants[i], 0.0);
        }
        let lu = matrix.lu();
        let determinant = lu.determinant();
        let log_derivative = lu
            .solve(&derivative)
            .map_or(Complex::new(f64::INFINITY, 0.0), |x| x.trace());
        Ok(Evaluation {
            determinant,
            log_derivative,
        })
    }

    /// All roots with Re λ ≥ σ (module documentation), sorted.
    fn roots(
        &self,
        options: &CharacteristicRootOptions,
    ) -> Result<Vec<Complex<f64>>, DynamicsError> {
        let n = self.size();
        let longest_delay = self
            .delays
            .iter()
            .zip(self.loop_gains.iter())
            .filter(|(_, gain)| **gain != 0.0)
            .map(|(delay, _)| *delay)
            .fold(0.0, f64::max);
        let mut depth = options
            .min_real_part_per_ms
            .map_or((2.0 * self.scale).min(10f64.ln() / longest_delay), |s| -s);
        let mut roots = Vec::new();
        for _ in 0..=EXTENSIONS {
            roots = self.roots_right_of(-depth)?;
            if roots.len() >= n {
                break;
            }
            depth *= 2.0;
        }
        roots.sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
        Ok(roots)
    }

    /// R_i(σ) = (g_i/τ_i) Σ_j |J_ij| e^{−σ D_ij}, the radius of row i's disc.
    fn radius(&self, i: usize, sigma: f64) -> f64 {
        let n = self.size();
        (0..n)
            .map(|j| self.loop_gains[(i, j)].abs() * (-sigma * self.delays[(i, j)]).exp())
            .sum::<f64>()
            / self.time_constants[i]
    }

    fn roots_right_of(&self, sigma: f64) -> Result<Vec<Complex<f64>>, DynamicsError> {
        let n = self.size();
        let reach = |s: f64| {
            (0..n)
                .map(|i| -1.0 / self.time_constants[i] + self.radius(i, s))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let right = reach(sigma).min(reach(0.0).max(0.0)) + 0.1 * self.scale;
        let height = (0..n).map(|i| self.radius(i, sigma)).fold(0.0, f64::max) + 0.1 * self.scale;
        // The left edge is the one a root can sit on (the others have margins); move it a
        // little deeper when it does.
        for attempt in 0..8 {
            let left = sigma - attempt as f64 * 1e-3 * self.scale;
            let region = Rectangle {
                re: (left, right.max(left + 0.1 * self.scale)),
                im: (-height, height),
            };
            let Some(count) = self.winding(&region.corners())? else {
                continue;
            };
            let mut roots = Vec::with_capacity(count);
            self.locate(region, count, &mut roots)?;
            return Ok(conjugate_symmetric(roots, self.scale)
                .into_iter()
                .filter(|r| r.re >= sigma)
                .collect());
        }
        Err(DynamicsError::CharacteristicRoots {
            message: format!("roots lie on every left edge tried near Re λ = {sigma} per ms"),
        })
    }

    /// Finds the `count` roots inside `region` (counted by the argument principle).
    fn locate(
        &self,
        region: Rectangle,
        count: usize,
        roots: &mut Vec<Complex<f64>>,
    ) -> Result<(), DynamicsError> {
        if count == 0 {
            return Ok(());
        }
        if count == 1
            && let Some(root) = self.newton(region.centre(), region.size())?
            && region.contains(root)
        {
            roots.push(root);
            return Ok(());
        }
        if region.size() <= 1e-9 * self.scale {
            // `count` roots within 10⁻⁹/τ_min: a multiple root (Newton converges only
            // linearly to it, so the centre may be as good).
            let root = self
                .newton(region.centre(), region.size())?
                .filter(|root| (root - region.centre()).norm() <= region.size())
                .unwrap_or(region.centre());
            roots.extend(std::iter::repeat_n(root, count));
            return Ok(());
        }
        for fraction in CUTS {
            let (first, second) = region.split(fraction);
            let (Some(a), Some(b)) = (
                self.winding(&first.corners())?,
                self.winding(&second.corners())?,
            ) else {
                continue;
            };
            if a + b != count {
                continue;
            }
            self.locate(first, a, roots)?;
            self.locate(second, b, roots)?;
            return Ok(());
        }
        Err(DynamicsError::CharacteristicRoots {
            message: format!(
                "could not separate {count} roots near {} per ms",
                region.centre()
            ),
        })
    }

    /// Newton's method on det M from `start`, steps capped at `max_step`; `None` where it
    /// does not converge in 60 steps.
    fn newton(
        &self,
        start: Complex<f64>,
        max_step: f64,
    ) -> Result<Option<Complex<f64>>, DynamicsError> {
        let mut lambda = start;
        for _ in 0..60 {
            let at = self.evaluate(lambda)?;
            if at.determinant == Complex::new(0.0, 0.0) {
                return Ok(Some(lambda));
            }
            let mut step = at.log_derivative.inv();
            if !step.is_finite() {
                return Ok(None);
            }
            if step.norm() > max_step {
                step *= max_step / step.norm();
            }
            lambda -= step;
            if step.norm() <= 1e-13 * (lambda.norm() + self.scale) {
                return Ok(Some(lambda));
            }
        }
        Ok(None)
    }

    /// The number of roots inside the counterclockwise polygon `corners`, with multiplicity;
    /// `None` where a root lies on it (or so near that the phase cannot be followed).
    fn winding(&self, corners: &[Complex<f64>]) -> Result<Option<usize>, DynamicsError> {
        let mut phase = 0.0;
        for (k, &from) in corners.iter().enumerate() {
            let to = corners[(k + 1) % corners.len()];
            match self.phase_change(from, to)? {
                Some(change) => phase += change,
                None => return Ok(None),
            }
        }
        let turns = phase / TAU;
        let rounded = turns.round();
        // The phase steps are well below π, so the total is a multiple of 2π up to rounding;
        // a clear miss means the contour grazes a root.
        if (turns - rounded).abs() > 0.05 || rounded < 0.0 {
            return Ok(None);
        }
        Ok(Some(rounded as usize))
    }

    /// The change of arg det M from `from` to `to` along the segment.
    fn phase_change(
        &self,
        from: Complex<f64>,
        to: Complex<f64>,
    ) -> Result<Option<f64>, DynamicsError> {
        let length = (to - from).norm();
        let min_step = 1e-12 * length.max(self.scale);
        let mut here = self.evaluate(from)?;
        if !here.is_regular() {
            return Ok(None);
        }
        let mut done = 0.0;
        let mut step = (STEP_CHANGE / here.log_derivative.norm()).min(length);
        let mut phase = 0.0;
        while done < length {
            let next = if done + step >= length {
                length
            } else {
                done + step
            };
            let h = next - done;
            let point = if next == length {
                to
            } else {
                from + (to - from) * (next / length)
            };
            let there = self.evaluate(point)?;
            let small = |e: &Evaluation| e.log_derivative.norm() * h <= STEP_CHANGE;
            if there.is_regular() && small(&here) && small(&there) {
                phase += (there.determinant / here.determinant).arg();
                done = next;
                here = there;
                step = 2.0 * h;
            } else {
                step = 0.5 * h;
                if step < min_step {
                    return Ok(None);
                }
            }
        }
        Ok(Some(phase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_roots_keep_complex_pairs_whole() {
        let c = Complex::new;
        let roots = [c(-0.1, 0.0), c(-0.2, 1.0), c(-0.2, -1.0), c(-0.5, 0.0)];
        assert_eq!(leading(&roots, 1).len(), 1);
        assert_eq!(leading(&roots, 2).len(), 3);
        assert_eq!(leading(&roots, 3).len(), 3);
        assert_eq!(leading(&roots, 9).len(), 4);
    }

    #[test]
    fn rectangles_are_cut_across_their_longer_side() {
        let r = Rectangle {
            re: (-1.0, 0.0),
            im: (-4.0, 4.0),
        };
        let (a, b) = r.split(0.5);
        assert_eq!((a.im, b.im), ((-4.0, 0.0), (0.0, 4.0)));
        assert!(r.contains(Complex::new(-0.5, 3.0)) && !r.contains(Complex::new(0.1, 0.0)));
    }
}

//! Linear stability of the asynchronous state of sparse networks of LIF neurons: the rate
//! response of a LIF neuron to modulated input, the characteristic equation of a network
//! with delayed recurrent coupling, its roots, and the (g, η) phase diagram of Brunel (2000).
//!
//! **The neuron.** In the diffusion approximation (see [`super::siegert`]) the density P(V, t)
//! of the membrane potential obeys the Fokker–Planck equation ∂P/∂t = −∂J/∂V with the flux
//!
//! ```text
//! J = ((μ − V)/τ) P − (σ²/2τ) ∂P/∂V,
//! ```
//! P(θ) = 0, the flux out at θ is the rate ν(t), and it re-enters at V_r after τ_ref. When
//! μ = μ₀ + μ̂ e^{λt} and σ² = σ₀² + σ̂² e^{λt}, the rate is ν₀ + ν̂ e^{λt} to first order, with
//! ν̂ = A_μ(λ) μ̂ + A_σ²(λ) σ̂². The response functions A_μ, A_σ² are computed by threshold
//! integration (Richardson 2007, Phys Rev E 76:021919): writing the modulated density and flux
//! as P̂ and Ĵ = Ĵ(θ) + λ ∫_V^θ P̂, the equations
//!
//! ```text
//! ∂P̂/∂V = (2/σ₀²) [(μ₀ − V) P̂ − τ Ĵ + μ̂ P₀ − (σ̂²/2) ∂P₀/∂V],
//! Ĵ(V_r⁻) = Ĵ(V_r⁺) − ν̂ e^{−λ τ_ref},
//! ```
//! are linear, so they are integrated from θ (P̂ = 0, Ĵ = ν̂) down to a voltage where the
//! stationary density P₀ has vanished, once for ν̂ = 1 with no drive and once for the drive
//! with ν̂ = 0; ν̂ follows from the condition Ĵ = 0 there. With I = ∫P̂ this reads
//!
//! ```text
//! ν̂ = −I_drive / ((1 − e^{−λτ_ref})/λ + I_free),
//! ```
//! which at λ = 0 is the normalisation ∫P̂ + ν̂ τ_ref = 0: A_μ(0) = ∂φ/∂μ and A_σ²(0) = ∂φ/∂σ²
//! of the Siegert rate φ. At high frequency A_μ(λ) → (ν₀/σ₀) √(2/(λτ)) (the boundary layer at
//! threshold; Brunel & Hakim 1999, Neural Comput 11:1621; Lindner & Schimansky-Geier 2001,
//! PRL 86:2934). The equations are integrated by the classical Runge–Kutta method on a
//! uniform grid with V_r on a node, fine enough for the drift (|G|Δ ≤ 1/2 with
//! G = 2(μ₀ − V)/σ₀²) and for the diffusion length σ₀/√(2|λ|τ) at the highest frequency asked.
//!
//! **The network.** A population whose neurons receive K_a synapses of efficacy J_a from the
//! population itself (delay D) and external drive has, at rate ν,
//!
//! ```text
//! μ(ν) = μ_ext + a ν,  σ²(ν) = σ²_ext + b ν,   a = τ Σ K_a J_a,  b = τ Σ K_a J_a².
//! ```
//! The asynchronous state ν₀ = φ(μ(ν₀), σ(ν₀)) is stable when every root λ of the
//! characteristic equation
//!
//! ```text
//! 1 = e^{−λD} [a A_μ(λ) + b A_σ²(λ)]
//! ```
//! has Re λ < 0 (Brunel & Hakim 1999; Brunel 2000, Sect. 4). Brunel's model A
//! (N_E = 4N_I, C_E excitatory and C_I = γC_E inhibitory inputs of efficacy J and −gJ, C_E
//! external Poisson inputs at ν_ext = η ν_thr, ν_thr = θ/(J C_E τ)) has μ_ext = ηθ,
//! σ²_ext = Jηθ, a = τC_E J(1 − gγ), b = τC_E J²(1 + g²γ); the purely inhibitory network of
//! Brunel & Hakim (1999) has a = −τCJ, b = τCJ² and μ_ext, σ_ext given.
//!
//! Roots are found by the secant method in the complex plane, from the local minima of
//! |1 − e^{−iωD} R(iω)| along the imaginary axis (R the bracket above) and from the roots of
//! a neighbouring parameter point (continuation, in [`phase_diagram`]).

use rustfft::num_complex::Complex;

use crate::neuron::lif::LifParameters;
use crate::theory::siegert::stationary_rate_hz;

mod of_model;

pub use of_model::{ModelStability, stability_of};

/// A complex number (of λ in 1/ms, or of a response).
pub type C64 = Complex<f64>;

/// Below this fraction of its peak the stationary density is taken as zero: the grid ends
/// where P₀ ∝ e^{−(V−μ)²/σ²} has fallen by e^{−40} from its value at min(μ, V_r).
const TAIL_EXPONENT: f64 = 40.0;
/// |G|Δ and √(2|λ|τ)Δ/σ bounds for the Runge–Kutta grid (error ∝ (·)⁴ per unit length;
/// 1/2 leaves relative errors near 1e-8 at λ = 0, see the tests).
const STEP_BOUND: f64 = 0.5;
/// At least this many grid steps between V_r and θ …
const MIN_STEPS_ABOVE_RESET: usize = 40;
/// … and at most this many in all (a bound on the cost at extreme μ, σ).
const MAX_STEPS: usize = 200_000;
/// A neuron whose threshold is more than this many σ above μ fires at < e^{−400} of 1/τ:
/// it is treated as silent (and its density would overflow).
const SILENT_DISTANCE: f64 = 20.0;
/// Default highest frequency (Hz) the grid resolves.
pub const DEFAULT_MAX_FREQUENCY_HZ: f64 = 1000.0;

/// The linear rate response of a LIF neuron around one stationary state (μ₀, σ₀): the
/// grid and stationary density, computed once, and A_μ(λ), A_σ²(λ) for any λ.
#[derive(Clone, Debug)]
pub struct RateResponse {
    parameters: LifParameters,
    mu_mv: f64,
    sigma_mv: f64,
    /// ν₀ (1/ms).
    rate_per_ms: f64,
    /// Grid step Δ (mV); node k is at θ − kΔ; V_r is node `reset_node`.
    step_mv: f64,
    reset_node: usize,
    steps: usize,
    /// The stationary density P₀ (1/mV, normalised with the refractory fraction) on the
    /// half-grid θ − hΔ/2, h = 0..=2·steps.
    density: Vec<f64>,
    /// G = 2(μ₀ − V)/σ₀² on the half-grid (1/mV).
    drift: Vec<f64>,
}

/// The two response functions at one λ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Response {
    /// A_μ = ν̂/μ̂ (Hz/mV).
    pub mean_hz_per_mv: C64,
    /// A_σ² = ν̂/σ̂² (Hz/mV²).
    pub variance_hz_per_mv2: C64,
}

impl RateResponse {
    /// The response around (μ₀, σ₀) (mV), resolved up to [`DEFAULT_MAX_FREQUENCY_HZ`].
    pub fn new(mu_mv: f64, sigma_mv: f64, parameters: &LifParameters) -> Self {
        Self::with_max_frequency(mu_mv, sigma_mv, parameters, DEFAULT_MAX_FREQUENCY_HZ)
    }

    /// The response around (μ₀, σ₀) with a grid that resolves |λ| up to 2π·`max_frequency_hz`
    /// (higher |λ| are computed, less accurately). σ₀ must be positive.
    pub fn with_max_frequency(
        mu_mv: f64,
        sigma_mv: f64,
        parameters: &LifParameters,
        max_frequency_hz: f64,
    ) -> Self {
        Self::with_grid(mu_mv, sigma_mv, parameters, max_frequency_hz, 1.0)
    }

    /// As [`Self::with_max_frequency`], with the grid step divided by `refinement`.
    pub(crate) fn with_grid(
        mu_mv: f64,
        sigma_mv: f64,
        parameters: &LifParameters,
        max_frequency_hz: f64,
        refinement: f64,
    ) -> Self {
        let theta = parameters.threshold;
        let reset = parameters.reset_potential;
        let tau = parameters.membrane_time_constant;
        let sigma = sigma_mv.max(1e-12);
        let silent = (theta - mu_mv) / sigma > SILENT_DISTANCE;
        // The lower end: P₀ ∝ e^{−(V−μ)²/σ²} below min(μ, V_r) must have fallen by e^{−40}
        // relative to its value at min(μ, V_r).
        let above = (mu_mv - reset).max(0.0);
        let depth = (above * above + TAIL_EXPONENT * sigma * sigma).sqrt() - above;
        let low = mu_mv.min(reset) - depth;
        let drift_max = 2.0 * (mu_mv - low).abs().max((theta - mu_mv).abs()) / (sigma * sigma);
        let lambda_max = 2.0 * std::f64::consts::PI * max_frequency_hz / 1000.0;
        let diffusion = (2.0 * (1.0 + lambda_max) * tau).sqrt() / sigma;
        let mut step = (STEP_BOUND / drift_max.max(diffusion))
            .min(sigma / 10.0)
            .min((theta - reset) / MIN_STEPS_ABOVE_RESET as f64)
            / refinement;
        step = step.max((theta - low) / MAX_STEPS as f64);
        let reset_node = ((theta - reset) / step).ceil().max(1.0) as usize;
        let step = (theta - reset) / reset_node as f64;
        let steps = reset_node + ((reset - low) / step).ceil() as usize;
        let mut response = RateResponse {
            parameters: *parameters,
            mu_mv,
            sigma_mv: sigma,
            rate_per_ms: 0.0,
            step_mv: step,
            reset_node,
            steps,
            density: Vec::new(),
            drift: (0..=2 * steps)
                .map(|h| 2.0 * (mu_mv - (theta - 0.5 * h as f64 * step)) / (sigma * sigma))
                .collect(),
        };
        if !silent {
            response.stationary_density();
        }
        response
    }

    /// P₀ by the Runge–Kutta method with step Δ/2 from θ down, for unit flux, then scaled by
    /// ν₀ = 1/(τ_ref + ∫p).
    fn stationary_density(&mut self) {
        let half = 0.5 * self.step_mv;
        let h_coefficient = 2.0 * self.parameters.membrane_time_constant / self.sigma_sq();
        let sigma_sq = self.sigma_sq();
        let theta = self.parameters.threshold;
        let g = |x: f64| 2.0 * (self.mu_mv - x) / sigma_sq;
        let mut density = Vec::with_capacity(2 * self.steps + 1);
        let (mut p, mut integral) = (0.0f64, 0.0f64);
        density.push(p);
        for h in 0..2 * self.steps {
            // The flux is 1 above V_r and 0 below; V_r is a node of the half-grid.
            let flux = if h < 2 * self.reset_node { 1.0 } else { 0.0 };
            let x = theta - h as f64 * half;
            // dp/dx = G p − H j₀ and d(∫_x^θ p)/dx = −p, with step −Δ/2.
            let f = |x: f64, p: f64| g(x) * p - h_coefficient * flux;
            let k1 = f(x, p);
            let p2 = p - 0.5 * half * k1;
            let k2 = f(x - 0.5 * half, p2);
            let p3 = p - 0.5 * half * k2;
            let k3 = f(x - 0.5 * half, p3);
            let p4 = p - half * k3;
            let k4 = f(x - half, p4);
            integral += half / 6.0 * (p + 2.0 * p2 + 2.0 * p3 + p4);
            p -= half / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            density.push(p);
        }
        let rate = 1.0 / (self.parameters.refractory_period + integral);
        if !rate.is_finite() || rate <= 0.0 {
            return;
        }
        for value in &mut density {
            *value *= rate;
        }
        self.density = density;
        self.rate_per_ms = rate;
    }

    fn sigma_sq(&self) -> f64 {
        self.sigma_mv * self.sigma_mv
    }

    /// ν₀ (Hz) from the density: agrees with [`stationary_rate_hz`] to the grid's accuracy.
    pub fn stationary_rate_hz(&self) -> f64 {
        1000.0 * self.rate_per_ms
    }

    /// The number of grid steps (the cost of one evaluation is proportional to it).
    pub fn grid_steps(&self) -> usize {
        self.steps
    }

    /// A_μ(λ) and A_σ²(λ) at λ (1/ms).
    pub fn response(&self, lambda_per_ms: C64) -> Response {
        let [mean, variance] = self.integrate(lambda_per_ms, [(1.0, 0.0), (0.0, 1.0)]);
        Response {
            mean_hz_per_mv: 1000.0 * mean,
            variance_hz_per_mv2: 1000.0 * variance,
        }
    }

    /// ν̂ (1/ms) for the drive μ̂ = `mean_mv` ν̂_in, σ̂² = `variance_mv2` ν̂_in per unit ν̂_in
    /// (both may carry units of time: the result is then dimensionless). This is
    /// a A_μ + b A_σ² in the units of the arguments, with A in 1/(ms·mV) and 1/(ms·mV²).
    pub fn combined(&self, lambda_per_ms: C64, mean_mv: f64, variance_mv2: f64) -> C64 {
        self.integrate(lambda_per_ms, [(mean_mv, variance_mv2)])[0]
    }

    /// Threshold integration of the free solution and of one driven solution per entry of
    /// `drives` ((μ̂, σ̂²) each); returns ν̂ (1/ms) for each drive.
    fn integrate<const N: usize>(&self, lambda: C64, drives: [(f64, f64); N]) -> [C64; N] {
        if self.density.is_empty() {
            return [C64::new(0.0, 0.0); N];
        }
        let tau = self.parameters.membrane_time_constant;
        let sigma_sq = self.sigma_sq();
        let h_coefficient = 2.0 * tau / sigma_sq;
        let step = self.step_mv;
        let z = lambda * self.parameters.refractory_period;
        let reinjected = (-z).exp();
        // (1 − e^{−z})/λ without cancellation at small |z|.
        let refractory_term = if z.norm() < 1e-3 {
            self.parameters.refractory_period * (C64::new(1.0, 0.0) - z / 2.0 + z * z / 6.0)
        } else {
            (C64::new(1.0, 0.0) - reinjected) / lambda
        };
        // Per drive: the source (2/σ²)(μ̂ P₀ − (σ̂²/2) P₀') needs P₀' = G P₀ − H ν₀ j₀.
        let rate = self.rate_per_ms;
        let source = |h: usize, above: bool, drive: (f64, f64)| {
            let p = self.density[h];
            let flux = if above { rate } else { 0.0 };
            let derivative = self.drift[h] * p - h_coefficient * flux;
            (2.0 * drive.0 * p - drive.1 * derivative) / sigma_sq
        };
        let zero = C64::new(0.0, 0.0);
        let (mut p_free, mut i_free) = (zero, zero);
        let mut p_drive = [zero; N];
        let mut i_drive = [zero; N];
        let hl = lambda * h_coefficient;
        for k in 0..self.steps {
            let above = k < self.reset_node;
            let free_flux = if above {
                C64::new(h_coefficient, 0.0)
            } else {
                (C64::new(1.0, 0.0) - reinjected) * h_coefficient
            };
            let (g0, g1, g2) = (
                self.drift[2 * k],
                self.drift[2 * k + 1],
                self.drift[2 * k + 2],
            );
            // dP/dx = G P − H(c + λI) + S, dI/dx = −P; RK4 with h = −Δ.
            let rk = |p: C64, i: C64, c: C64, s: [f64; 3]| {
                let f = |g: f64, p: C64, i: C64, s: f64| g * p - c - hl * i + s;
                let k1p = f(g0, p, i, s[0]);
                let k1i = -p;
                let p2 = p - 0.5 * step * k1p;
                let i2 = i - 0.5 * step * k1i;
                let k2p = f(g1, p2, i2, s[1]);
                let k2i = -p2;
                let p3 = p - 0.5 * step * k2p;
                let i3 = i - 0.5 * step * k2i;
                let k3p = f(g1, p3, i3, s[1]);
                let k3i = -p3;
                let p4 = p - step * k3p;
                let i4 = i - step * k3i;
                let k4p = f(g2, p4, i4, s[2]);
                let k4i = -p4;
                (
                    p - step / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p),
                    i - step / 6.0 * (k1i + 2.0 * k2i + 2.0 * k3i + k4i),
                )
            };
            (p_free, i_free) = rk(p_free, i_free, free_flux, [0.0; 3]);
            for ((p, i), &drive) in p_drive.iter_mut().zip(&mut i_drive).zip(&drives) {
                let s = [
                    source(2 * k, above, drive),
                    source(2 * k + 1, above, drive),
                    source(2 * k + 2, above, drive),
                ];
                (*p, *i) = rk(*p, *i, zero, s);
            }
        }
        let denominator = refractory_term + i_free;
        i_drive.map(|i| -i / denominator)
    }
}

/// One root λ of the characteristic equation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Root {
    /// λ (1/ms), with Im λ ≥ 0 (the roots come in complex-conjugate pairs).
    pub lambda_per_ms: C64,
}

impl Root {
    /// Re λ (1/s): the mode grows when positive.
    pub fn growth_rate_per_s(&self) -> f64 {
        1000.0 * self.lambda_per_ms.re
    }

    /// Im λ/2π (Hz): the frequency of the mode.
    pub fn frequency_hz(&self) -> f64 {
        1000.0 * self.lambda_per_ms.im / (2.0 * std::f64::consts::PI)
    }
}

/// A population of LIF neurons coupled to itself with delay D, driven by stationary
/// external noise: μ(ν) = μ_ext + aν, σ²(ν) = σ²_ext + bν.
#[derive(Clone, Debug, PartialEq)]
pub struct RecurrentPopulation {
    /// The neuron.
    pub neuron: LifParameters,
    /// μ_ext (mV).
    pub external_mean_mv: f64,
    /// σ²_ext (mV²).
    pub external_variance_mv2: f64,
    /// a = τ Σ K J (mV·ms): the mean drive per unit rate (rate in 1/ms).
    pub mean_coupling_mv_ms: f64,
    /// b = τ Σ K J² (mV²·ms): the variance per unit rate.
    pub variance_coupling_mv2_ms: f64,
    /// D (ms): the delay of the recurrent synapses.
    pub delay_ms: f64,
}

/// The asynchronous state of a [`RecurrentPopulation`] and the roots of its characteristic
/// equation found near the imaginary axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    /// ν₀ (Hz).
    pub rate_hz: f64,
    /// μ(ν₀) (mV).
    pub mu_mv: f64,
    /// σ(ν₀) (mV).
    pub sigma_mv: f64,
    /// The roots, largest real part first.
    pub roots: Vec<Root>,
}

impl Stability {
    /// The root of largest real part, if any was found.
    pub fn leading(&self) -> Option<Root> {
        self.roots.first().copied()
    }

    /// Whether every root found has Re λ < 0 (the asynchronous state is linearly stable).
    pub fn is_stable(&self) -> bool {
        self.leading().is_none_or(|r| r.lambda_per_ms.re < 0.0)
    }
}

/// Points along the imaginary axis scanned for the minima of |characteristic|.
const AXIS_SAMPLES: usize = 48;
/// The secant method stops when the step is below this (1/ms) …
const ROOT_TOLERANCE: f64 = 1e-9;
/// … or after this many iterations.
const ROOT_ITERATIONS: usize = 40;
/// Roots further left than this (1/ms) are not of interest (they decay within 0.5 ms).
const LEFTMOST_ROOT: f64 = -2.0;

impl RecurrentPopulation {
    /// (μ, σ) in mV at the rate `rate_hz`.
    pub fn drive(&self, rate_hz: f64) -> (f64, f64) {
        let rate = rate_hz / 1000.0;
        let mean = self.external_mean_mv + self.mean_coupling_mv_ms * rate;
        let variance = self.external_variance_mv2 + self.variance_coupling_mv2_ms * rate;
        (mean, variance.max(0.0).sqrt())
    }

    /// φ(μ(ν), σ(ν)) − ν (Hz).
    fn excess(&self, rate_hz: f64) -> f64 {
        let (mu, sigma) = self.drive(rate_hz);
        stationary_rate_hz(mu, sigma, &self.neuron) - rate_hz
    }

    /// The self-consistent rate ν₀ = φ(μ(ν₀), σ(ν₀)) (Hz): the lowest fixed point that is
    /// stable under the rate dynamics τ dν/dt = −ν + φ (the one a network started silent
    /// settles in), found by a scan on a geometric grid and refined by bisection with the
    /// Illinois rule to 1e-12 relative.
    pub fn stationary_rate_hz(&self) -> f64 {
        let ceiling = if self.neuron.refractory_period > 0.0 {
            1000.0 / self.neuron.refractory_period
        } else {
            1e4
        };
        let mut low = 0.0;
        let mut f_low = self.excess(0.0);
        if f_low <= 0.0 {
            return 0.0;
        }
        // φ < 1/τ_ref: the excess is negative at the ceiling, so a crossing exists.
        let mut rate = 1e-3;
        let (high, f_high) = loop {
            let next = if rate >= ceiling { ceiling } else { rate };
            let f = self.excess(next);
            if f <= 0.0 {
                break (next, f);
            }
            low = next;
            f_low = f;
            if next >= ceiling {
                return ceiling;
            }
            rate *= 2.0;
        };
        if f_high == 0.0 {
            return high;
        }
        let (mut a, mut fa, mut b, mut fb) = (low, f_low, high, f_high);
        let mut side = 0i32;
        for _ in 0..200 {
            let c = (a * fb - b * fa) / (fb - fa);
            let fc = self.excess(c);
            if fc == 0.0 || (b - a).abs() <= 1e-12 * b.abs().max(1e-9) {
                return c;
            }
            if fc > 0.0 {
                a = c;
                fa = fc;
                if side == 1 {
                    fb *= 0.5;
                }
                side = 1;
            } else {
                b = c;
                fb = fc;
                if side == -1 {
                    fa *= 0.5;
                }
                side = -1;
            }
        }
        0.5 * (a + b)
    }

    /// 1 − e^{−λD} (a A_μ(λ) + b A_σ²(λ)) at λ (1/ms), for the response around ν₀.
    pub fn characteristic(&self, response: &RateResponse, lambda_per_ms: C64) -> C64 {
        let gain = response.combined(
            lambda_per_ms,
            self.mean_coupling_mv_ms,
            self.variance_coupling_mv2_ms,
        );
        C64::new(1.0, 0.0) - (-lambda_per_ms * self.delay_ms).exp() * gain
    }

    /// The stationary state and the roots of the characteristic equation with
    /// 0 ≤ Im λ ≤ 2π·`max_frequency_hz`: seeded from the local minima of |1 − e^{−iωD}R(iω)|
    /// on the imaginary axis and from a scan of the real axis.
    pub fn stability(&self, max_frequency_hz: f64) -> Stability {
        self.stability_with(max_frequency_hz, &[], true)
    }

    /// As [`Self::stability`], seeded from `seeds` (e.g. the roots of a neighbouring
    /// parameter point) and, if `scan` is set, from the axis scan as well.
    pub fn stability_with(&self, max_frequency_hz: f64, seeds: &[Root], scan: bool) -> Stability {
        let rate_hz = self.stationary_rate_hz();
        let (mu_mv, sigma_mv) = self.drive(rate_hz);
        let response =
            RateResponse::with_max_frequency(mu_mv, sigma_mv, &self.neuron, max_frequency_hz);
        let omega_max = 2.0 * std::f64::consts::PI * max_frequency_hz / 1000.0;
        let f = |z: C64| self.characteristic(&response, z);
        let quiet = Stability {
            rate_hz,
            mu_mv,
            sigma_mv,
            roots: Vec::new(),
        };
        if (C64::new(1.0, 0.0) - f(C64::new(0.0, 0.0))).norm() < NEGLIGIBLE_GAIN {
            return quiet;
        }
        let mut starts: Vec<C64> = seeds.iter().map(|r| r.lambda_per_ms).collect();
        if scan {
            let values: Vec<f64> = (0..=AXIS_SAMPLES)
                .map(|j| f(C64::new(0.0, omega_max * j as f64 / AXIS_SAMPLES as f64)).norm())
                .collect();
            for j in 1..AXIS_SAMPLES {
                if values[j] <= values[j - 1] && values[j] <= values[j + 1] {
                    starts.push(C64::new(0.0, omega_max * j as f64 / AXIS_SAMPLES as f64));
                }
            }
            if values[AXIS_SAMPLES] < values[AXIS_SAMPLES - 1] {
                starts.push(C64::new(0.0, omega_max));
            }
            // Real roots: the characteristic is real on the real axis and tends to 1.
            let mut previous = (0.0, f(C64::new(0.0, 0.0)).re);
            for &x in &[0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0] {
                let value = f(C64::new(x, 0.0)).re;
                if (value < 0.0) != (previous.1 < 0.0) {
                    starts.push(C64::new(0.5 * (x + previous.0), 0.0));
                }
                previous = (x, value);
            }
        }
        let mut roots: Vec<Root> = Vec::new();
        for start in starts {
            let Some(z) = secant(&f, start) else { continue };
            let z = if z.im < 0.0 { z.conj() } else { z };
            let z = if z.im.abs() < 1e-9 {
                C64::new(z.re, 0.0)
            } else {
                z
            };
            if z.re < LEFTMOST_ROOT || z.im > 1.5 * omega_max {
                continue;
            }
            if roots.iter().all(|r| (r.lambda_per_ms - z).norm() > 1e-6) {
                roots.push(Root { lambda_per_ms: z });
            }
        }
        roots.sort_by(|x, y| y.lambda_per_ms.re.total_cmp(&x.lambda_per_ms.re));
        Stability {
            rate_hz,
            mu_mv,
            sigma_mv,
            roots,
        }
    }
}

/// A root of `f` by the secant method from `start` and a point 0.002(1 + i)/ms away, with
/// steps capped at 0.5/ms so that it does not jump between distant roots.
fn secant(f: &impl Fn(C64) -> C64, start: C64) -> Option<C64> {
    let mut z0 = start;
    let mut z1 = start + C64::new(0.002, 0.002);
    let (mut f0, mut f1) = (f(z0), f(z1));
    for _ in 0..ROOT_ITERATIONS {
        let slope = (f1 - f0) / (z1 - z0);
        let mut step = f1 / slope;
        if !step.re.is_finite() || !step.im.is_finite() {
            return None;
        }
        if step.norm() > 0.5 {
            step *= 0.5 / step.norm();
        }
        let z2 = z1 - step;
        (z0, f0) = (z1, f1);
        z1 = z2;
        f1 = f(z1);
        if step.norm() < ROOT_TOLERANCE * (1.0 + z1.norm()) {
            return (f1.norm() < 1e-6).then_some(z1);
        }
        if z1.re < 2.0 * LEFTMOST_ROOT {
            return None;
        }
    }
    None
}

/// The state of Brunel's network that the linear analysis predicts (Brunel 2000, Figs. 2
/// and 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkState {
    /// Asynchronous irregular: the asynchronous state is stable and the neurons are
    /// fluctuation driven.
    AsynchronousIrregular,
    /// Asynchronous regular: stable, but the neurons are mean driven (μ₀ − θ > 2σ₀) and
    /// fire nearly periodically; the linear theory puts it in a narrow band at g just
    /// below 4, at rates near saturation.
    AsynchronousRegular,
    /// Synchronous regular: unstable, with mean-driven neurons firing at high rates
    /// (Brunel's SR, g < 4): the oscillation locks to the neurons' own firing.
    SynchronousRegular,
    /// Synchronous irregular, fast: unstable through a mode whose period is set by the
    /// delay (frequency at least 1/(8D); Brunel's SI fast, ≈ 1/(4D)…1/(3D)).
    SynchronousIrregularFast,
    /// Synchronous irregular, slow: unstable through a mode slower than 1/(8D), whose
    /// frequency is set by the membrane time constant (Brunel's SI slow, tens of Hz).
    SynchronousIrregularSlow,
}

impl NetworkState {
    /// Brunel's abbreviation: AI, AR, SR, SI fast, SI slow.
    pub fn label(&self) -> &'static str {
        match self {
            NetworkState::AsynchronousIrregular => "AI",
            NetworkState::AsynchronousRegular => "AR",
            NetworkState::SynchronousRegular => "SR",
            NetworkState::SynchronousIrregularFast => "SI fast",
            NetworkState::SynchronousIrregularSlow => "SI slow",
        }
    }
}

/// Neurons with μ₀ − θ above this many σ₀ reach threshold by drift: their inter-spike
/// intervals are narrow (CV ≲ 0.3; 0.1–0.2 where Brunel's SR lies) — regular firing.
const MEAN_DRIVEN: f64 = 2.0;

impl Stability {
    /// The state this analysis predicts for a network with recurrent delay `delay_ms` and
    /// neurons of threshold `threshold_mv`.
    pub fn state(&self, threshold_mv: f64, delay_ms: f64) -> NetworkState {
        let regular = self.mu_mv - threshold_mv > MEAN_DRIVEN * self.sigma_mv;
        match self.leading() {
            Some(root) if root.lambda_per_ms.re >= 0.0 => {
                if regular {
                    NetworkState::SynchronousRegular
                } else if root.frequency_hz() >= 1000.0 / (8.0 * delay_ms) {
                    NetworkState::SynchronousIrregularFast
                } else {
                    NetworkState::SynchronousIrregularSlow
                }
            }
            _ if regular => NetworkState::AsynchronousRegular,
            _ => NetworkState::AsynchronousIrregular,
        }
    }
}

/// Brunel's (2000) model A reduced to one population: N_E = 4N_I neurons, each receiving
/// C_E excitatory synapses of efficacy J, C_I = γC_E inhibitory ones of efficacy −gJ, all
/// with delay D, and C_E external Poisson trains of rate η ν_thr, ν_thr = θ/(J C_E τ).
#[derive(Clone, Debug, PartialEq)]
pub struct BrunelNetwork {
    /// The neuron (Brunel: τ = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms).
    pub neuron: LifParameters,
    /// J (mV).
    pub efficacy_mv: f64,
    /// C_E.
    pub excitatory_indegree: f64,
    /// γ = C_I/C_E.
    pub inhibitory_ratio: f64,
    /// g: relative strength of inhibition.
    pub g: f64,
    /// η = ν_ext/ν_thr.
    pub eta: f64,
    /// D (ms).
    pub delay_ms: f64,
    /// J_ext (mV): the mean jump of V per external spike, σ²_ext = J_ext μ_ext (J in
    /// Brunel's model A).
    pub external_jump_mv: f64,
    /// What drives the neurons besides the external spikes and the network: E_L + R·I of
    /// constant currents (mV; E_L = 0 in Brunel's model A).
    pub baseline_mv: f64,
    /// σ² of white-noise currents (mV²; none in Brunel's model A).
    pub noise_variance_mv2: f64,
}

impl BrunelNetwork {
    /// The parameters of Brunel's (2000) Figs. 7 and 8: τ = 20 ms, θ = 20 mV, V_r = 10 mV,
    /// τ_ref = 2 ms, J = 0.1 mV, C_E = 1000, γ = 0.25, D = 1.5 ms.
    pub fn model_a(g: f64, eta: f64) -> Self {
        BrunelNetwork {
            neuron: LifParameters {
                membrane_time_constant: 20.0,
                resting_potential: 0.0,
                threshold: 20.0,
                reset_potential: 10.0,
                refractory_period: 2.0,
                membrane_resistance: 1.0,
                initial_potential: 0.0,
            },
            efficacy_mv: 0.1,
            excitatory_indegree: 1000.0,
            inhibitory_ratio: 0.25,
            g,
            eta,
            delay_ms: 1.5,
            external_jump_mv: 0.1,
            baseline_mv: 0.0,
            noise_variance_mv2: 0.0,
        }
    }

    /// ν_thr = (θ − E_L)/(J C_E τ) (Hz): the external rate that brings μ to threshold.
    pub fn threshold_rate_hz(&self) -> f64 {
        1000.0 * (self.neuron.threshold - self.neuron.resting_potential)
            / (self.efficacy_mv * self.excitatory_indegree * self.neuron.membrane_time_constant)
    }

    /// The one-population reduction: μ_ext = μ_b + η(θ − E_L), σ²_ext = σ²_b + J_ext η(θ − E_L),
    /// a = τC_E J(1 − gγ), b = τC_E J²(1 + g²γ) with μ_b, σ²_b of currents and noise (Brunel
    /// 2000, model A with identical E and I neurons: μ_ext = ηθ, σ²_ext = Jηθ). η measures
    /// the external drive in units of the distance from rest to threshold, Brunel's
    /// ν_ext/ν_thr when the external synapses are C_E of efficacy J.
    pub fn population(&self) -> RecurrentPopulation {
        let tau = self.neuron.membrane_time_constant;
        let (j, ce, gamma, g) = (
            self.efficacy_mv,
            self.excitatory_indegree,
            self.inhibitory_ratio,
            self.g,
        );
        let external_mv = self.eta * (self.neuron.threshold - self.neuron.resting_potential);
        RecurrentPopulation {
            neuron: self.neuron,
            external_mean_mv: self.baseline_mv + external_mv,
            external_variance_mv2: self.noise_variance_mv2 + self.external_jump_mv * external_mv,
            mean_coupling_mv_ms: tau * ce * j * (1.0 - g * gamma),
            variance_coupling_mv2_ms: tau * ce * j * j * (1.0 + g * g * gamma),
            delay_ms: self.delay_ms,
        }
    }

    /// The stationary state and the roots with frequency up to 1 kHz.
    pub fn stability(&self) -> Stability {
        self.population().stability(DEFAULT_MAX_FREQUENCY_HZ)
    }

    /// The predicted state.
    pub fn state(&self) -> NetworkState {
        self.stability().state(self.neuron.threshold, self.delay_ms)
    }
}

/// One point of a phase diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct PhasePoint {
    /// g.
    pub g: f64,
    /// η.
    pub eta: f64,
    /// The predicted state.
    pub state: NetworkState,
    /// ν₀ (Hz) of the asynchronous state.
    pub rate_hz: f64,
    /// The root of largest real part, if any was found.
    pub leading: Option<Root>,
}

/// A (g, η) phase diagram: `points[i * g_values.len() + j]` is at
/// (`g_values[j]`, `eta_values[i]`).
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseDiagram {
    /// The g of the columns.
    pub g_values: Vec<f64>,
    /// The η of the rows.
    pub eta_values: Vec<f64>,
    /// Row by row (η), each row in the order of `g_values`.
    pub points: Vec<PhasePoint>,
}

impl PhaseDiagram {
    /// The point at row `i` (η) and column `j` (g).
    pub fn at(&self, i: usize, j: usize) -> &PhasePoint {
        &self.points[i * self.g_values.len() + j]
    }
}

/// Below this |a A_μ(0) + b A_σ²(0)| the population is too quiet for any mode to grow
/// (its response, ∝ ν₀, is low-pass where the rate is this small): no root is searched.
const NEGLIGIBLE_GAIN: f64 = 1e-4;

/// Rows of a phase diagram computed together, continuing roots from row to row; the
/// blocks are shared out among the threads. A fixed number, not one block per thread, so
/// that the diagram is the same for any number of threads.
const ROWS_PER_BLOCK: usize = 8;

/// The phase diagram of `network` over `g_values` × `eta_values` (the other parameters as
/// in `network`). The rows are computed in blocks of eight, in parallel; the
/// first point of each row gets a full search (axis scan), the others continue the roots
/// of their left neighbour and of the point below in the block (a test checks the states
/// against a full search at every point). 100 × 100 points take about 4 s on one thread
/// (benches/phase_diagram.rs).
pub fn phase_diagram(
    network: &BrunelNetwork,
    g_values: &[f64],
    eta_values: &[f64],
) -> PhaseDiagram {
    let blocks: Vec<&[f64]> = eta_values.chunks(ROWS_PER_BLOCK).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(blocks.len())
        .max(1);
    let mut computed: Vec<Vec<PhasePoint>> = vec![Vec::new(); blocks.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let blocks = &blocks;
                scope.spawn(move || {
                    (first..blocks.len())
                        .step_by(threads)
                        .map(|b| (b, diagram_rows(network, g_values, blocks[b])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            let done = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (b, points) in done {
                computed[b] = points;
            }
        }
    });
    let points = computed.into_iter().flatten().collect();
    PhaseDiagram {
        g_values: g_values.to_vec(),
        eta_values: eta_values.to_vec(),
        points,
    }
}

/// The points of the rows `eta_values`, row by row.
fn diagram_rows(network: &BrunelNetwork, g_values: &[f64], eta_values: &[f64]) -> Vec<PhasePoint> {
    let columns = g_values.len();
    let mut points: Vec<PhasePoint> = Vec::with_capacity(columns * eta_values.len());
    let mut roots_below: Vec<Vec<Root>> = vec![Vec::new(); columns];
    for &eta in eta_values {
        let mut left: Vec<Root> = Vec::new();
        for (j, &g) in g_values.iter().enumerate() {
            let point_network = BrunelNetwork {
                g,
                eta,
                ..network.clone()
            };
            let population = point_network.population();
            let mut seeds = left.clone();
            seeds.extend(roots_below[j].iter().copied());
            let scan = j == 0;
            let stability = population.stability_with(DEFAULT_MAX_FREQUENCY_HZ, &seeds, scan);
            let state = stability.state(network.neuron.threshold, network.delay_ms);
            points.push(PhasePoint {
                g,
                eta,
                state,
                rate_hz: stability.rate_hz,
                leading: stability.leading(),
            });
            roots_below[j] = stability.roots.clone();
            left = stability.roots;
        }
    }
    points
}

/// The purely inhibitory network of Brunel & Hakim (1999): each neuron receives C
/// inhibitory synapses that lower V by J after a delay D, and external white noise of mean
/// μ_ext and strength σ_ext: μ = μ_ext − τCJν, σ² = σ²_ext + τCJ²ν.
#[derive(Clone, Debug, PartialEq)]
pub struct InhibitoryNetwork {
    /// The neuron.
    pub neuron: LifParameters,
    /// J > 0 (mV): the drop of V per inhibitory spike.
    pub efficacy_mv: f64,
    /// C.
    pub indegree: f64,
    /// D (ms).
    pub delay_ms: f64,
    /// μ_ext (mV).
    pub external_mean_mv: f64,
    /// σ_ext (mV).
    pub external_sigma_mv: f64,
}

/// Where the asynchronous state of an [`InhibitoryNetwork`] loses stability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Onset {
    /// The critical value of the parameter varied.
    pub parameter: f64,
    /// The rate ν₀ (Hz) there.
    pub rate_hz: f64,
    /// The frequency (Hz) of the mode that crosses the imaginary axis.
    pub frequency_hz: f64,
}

impl InhibitoryNetwork {
    /// The network of examples/brunel_hakim.toml (and of Brian2's Brunel_Hakim_1999):
    /// τ = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms, C = 1000, J = 0.1 mV, D = 2 ms,
    /// μ_ext = 25 mV, σ_ext = 1 mV.
    pub fn brunel_hakim_example() -> Self {
        InhibitoryNetwork {
            neuron: BrunelNetwork::model_a(0.0, 0.0).neuron,
            efficacy_mv: 0.1,
            indegree: 1000.0,
            delay_ms: 2.0,
            external_mean_mv: 25.0,
            external_sigma_mv: 1.0,
        }
    }

    /// The recurrent population: a = −τCJ, b = τCJ².
    pub fn population(&self) -> RecurrentPopulation {
        let tau = self.neuron.membrane_time_constant;
        RecurrentPopulation {
            neuron: self.neuron,
            external_mean_mv: self.external_mean_mv,
            external_variance_mv2: self.external_sigma_mv * self.external_sigma_mv,
            mean_coupling_mv_ms: -tau * self.indegree * self.efficacy_mv,
            variance_coupling_mv2_ms: tau * self.indegree * self.efficacy_mv * self.efficacy_mv,
            delay_ms: self.delay_ms,
        }
    }

    /// The stationary state and the roots with frequency up to 1 kHz.
    pub fn stability(&self) -> Stability {
        self.population().stability(DEFAULT_MAX_FREQUENCY_HZ)
    }

    /// Where the asynchronous state loses stability as one parameter moves from
    /// `stable_end` (stable there) to `unstable_end` (oscillating there): `network_at(x)` is
    /// the network at parameter value x (e.g. J, or σ_ext). See [`RecurrentPopulation::onset`].
    pub fn onset(
        network_at: impl Fn(f64) -> InhibitoryNetwork,
        stable_end: f64,
        unstable_end: f64,
    ) -> Option<Onset> {
        RecurrentPopulation::onset(|x| network_at(x).population(), stable_end, unstable_end)
    }
}

impl RecurrentPopulation {
    /// Where the asynchronous state loses stability as one parameter moves from
    /// `stable_end` (stable there) to `unstable_end` (oscillating there): `population_at(x)`
    /// is the population at parameter value x. Bisection to 1e-6 relative, each step
    /// continuing the roots of the last unstable point; `None` if the ends are not on the
    /// two sides.
    pub fn onset(
        population_at: impl Fn(f64) -> RecurrentPopulation,
        stable_end: f64,
        unstable_end: f64,
    ) -> Option<Onset> {
        let analyse = |x: f64, seeds: &[Root]| {
            population_at(x).stability_with(DEFAULT_MAX_FREQUENCY_HZ, seeds, true)
        };
        let growth = |s: &Stability| s.leading().map_or(-1.0, |r| r.lambda_per_ms.re);
        let (mut stable, mut unstable) = (stable_end, unstable_end);
        let mut at_unstable = analyse(unstable, &[]);
        if growth(&analyse(stable, &[])) >= 0.0 || growth(&at_unstable) < 0.0 {
            return None;
        }
        while (unstable - stable).abs() > 1e-6 * unstable.abs().max(stable.abs()) {
            let middle = 0.5 * (stable + unstable);
            let at_middle = analyse(middle, &at_unstable.roots);
            if growth(&at_middle) >= 0.0 {
                unstable = middle;
                at_unstable = at_middle;
            } else {
                stable = middle;
            }
        }
        let root = at_unstable.leading()?;
        Some(Onset {
            parameter: unstable,
            rate_hz: at_unstable.rate_hz,
            frequency_hz: root.frequency_hz(),
        })
    }

    /// The external noise σ_ext (mV) below which the asynchronous state oscillates, with the
    /// rate and frequency there, searched from the population's own σ_ext up to 64 mV (if
    /// it oscillates) or down to 1/64 of it (if not): noise damps the oscillation of an
    /// inhibition-dominated network (Brunel & Hakim 1999). `None` without a
    /// crossing in that range.
    pub fn noise_onset(&self) -> Option<Onset> {
        let at = |sigma: f64| RecurrentPopulation {
            external_variance_mv2: sigma * sigma,
            ..self.clone()
        };
        let own = self.external_variance_mv2.max(0.0).sqrt();
        let unstable = |sigma: f64| !at(sigma).stability(DEFAULT_MAX_FREQUENCY_HZ).is_stable();
        if unstable(own) {
            let mut high = own.max(0.25);
            while unstable(high) {
                high *= 2.0;
                if high > 64.0 {
                    return None;
                }
            }
            Self::onset(at, high, own)
        } else {
            let mut low = own;
            for _ in 0..6 {
                low /= 2.0;
                if unstable(low) {
                    return Self::onset(at, own, low);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests;

//! Synapses: how an arriving spike changes the target neuron.
//!
//! - **delta**: the membrane potential jumps by the weight (a voltage) at the end of the
//!   step in which the spike arrives (NEST `iaf_psc_delta` semantics);
//! - **exponential current**: the spike adds the weight (a current) to a synaptic current
//!   that decays as I_syn(t) = I_syn(0)·e^(−t/τ_syn) (NEST `iaf_psc_exp`);
//! - **alpha current**: a spike of weight w gives I(t) = w·(t/τ)·e^(1 − t/τ), which rises
//!   from 0 and peaks at w when t = τ (NEST `iaf_psc_alpha`);
//! - **difference of exponentials**: I(t) = w·N·(e^(−t/τ_d) − e^(−t/τ_r)) with τ_r < τ_d
//!   and N such that the peak is w (NEURON's `Exp2Syn`); made of two exponential receptors,
//!   one fed +w·N and the other −w·N, so it is exact wherever those are;
//! - **exponential conductance**: the spike adds the weight (a conductance) to g(t), which
//!   decays as g(0)·e^(−t/τ) and drives the current g·(E_rev − V) (NEST `iaf_cond_exp`);
//! - **alpha conductance**: g(t) = w·(t/τ)·e^(1 − t/τ), peak w at t = τ, driving
//!   g·(E_rev − V) (NEST `iaf_cond_alpha`).
//!
//! The propagation over a step is exact. Each distinct time constant of a population (and
//! kernel) is one *receptor*: arrays of synaptic state, updated once per step. A spike
//! arriving in a step acts from the end of that step on.
//!
//! **Alpha kernels** carry a second state. With y the slope variable,
//! dI/dt = −I/τ + y and dy/dt = −y/τ, so within a step I(t) = (I₀ + y₀·t)·e^(−t/τ) and
//! y(t) = y₀·e^(−t/τ); a spike of weight w adds w·e/τ to y, which gives w·(t/τ)·e^(1 − t/τ)
//! from I = y = 0. The charge-preserving mean of I over a step of length h is
//! I₀·(τ/h)(1 − e^(−h/τ)) + y₀·h·∫₀¹ u·e^(−u h/τ) du (see [`ramp_convolution`]).

pub mod plasticity;

/// One population's exponentially decaying synaptic currents of one time constant.
#[derive(Clone, Debug)]
pub struct ExponentialReceptor {
    /// Synaptic time constant τ_syn (ms).
    pub time_constant_ms: f64,
    /// e^(−dt/τ_syn): the decay over one step.
    pub decay_per_step: f64,
    /// Mean of e^(−t/τ_syn) over one step, (τ_syn/dt)(1 − e^(−dt/τ_syn)): the factor that
    /// turns the current at the start of a step into the charge-preserving mean over it.
    pub step_mean_factor: f64,
    /// The synaptic current of every neuron at the start of the step (model current units).
    pub current: Vec<f64>,
    /// Weights of spikes arriving during the step, added at its end.
    pub arriving: Vec<f64>,
}

impl ExponentialReceptor {
    /// Receptors for `size` neurons with time constant `time_constant_ms`, stepping by `dt_ms`.
    pub fn new(size: usize, time_constant_ms: f64, dt_ms: f64) -> Self {
        let decay_per_step = (-dt_ms / time_constant_ms).exp();
        ExponentialReceptor {
            time_constant_ms,
            decay_per_step,
            step_mean_factor: -(-dt_ms / time_constant_ms).exp_m1() * time_constant_ms / dt_ms,
            current: vec![0.0; size],
            arriving: vec![0.0; size],
        }
    }

    /// Advances the currents by one step and adds what arrived during it.
    pub fn advance(&mut self) {
        let decay = self.decay_per_step;
        for (current, arriving) in self.current.iter_mut().zip(self.arriving.iter_mut()) {
            *current = *current * decay + *arriving;
            *arriving = 0.0;
        }
    }
}

/// One population's alpha-shaped synaptic currents (or conductances) of one time constant:
/// I(t) = (I₀ + y₀·t)·e^(−t/τ) within a step, a spike of weight w adding w·e/τ to y.
#[derive(Clone, Debug)]
pub struct AlphaReceptor {
    /// Synaptic time constant τ (ms), the time to peak.
    pub time_constant_ms: f64,
    /// The step dt (ms).
    pub dt_ms: f64,
    /// e^(−dt/τ): the decay of both state variables over one step.
    pub decay_per_step: f64,
    /// (τ/dt)(1 − e^(−dt/τ)): the step mean of I per unit of I at the start of the step.
    pub step_mean_factor: f64,
    /// dt·∫₀¹ u·e^(−u·dt/τ) du: the step mean of I per unit of y at the start of the step.
    pub slope_step_mean_factor: f64,
    /// e/τ (1/ms): the slope a spike of unit weight adds, so that its current peaks at the
    /// weight.
    pub weight_to_slope: f64,
    /// I of every neuron at the start of the step (model current units, or nS).
    pub current: Vec<f64>,
    /// y of every neuron at the start of the step (current units per ms).
    pub slope: Vec<f64>,
    /// Weights of spikes arriving during the step, added (as slope) at its end.
    pub arriving: Vec<f64>,
}

impl AlphaReceptor {
    /// Receptors for `size` neurons with time constant `time_constant_ms`, stepping by `dt_ms`.
    pub fn new(size: usize, time_constant_ms: f64, dt_ms: f64) -> Self {
        let ratio = dt_ms / time_constant_ms;
        AlphaReceptor {
            time_constant_ms,
            dt_ms,
            decay_per_step: (-ratio).exp(),
            step_mean_factor: -(-ratio).exp_m1() / ratio,
            slope_step_mean_factor: dt_ms * ramp_convolution(0.0, ratio),
            weight_to_slope: std::f64::consts::E / time_constant_ms,
            current: vec![0.0; size],
            slope: vec![0.0; size],
            arriving: vec![0.0; size],
        }
    }

    /// The charge-preserving mean of neuron `i`'s current over the step.
    #[inline(always)]
    pub fn step_mean(&self, i: usize) -> f64 {
        self.step_mean_factor * self.current[i] + self.slope_step_mean_factor * self.slope[i]
    }

    /// Advances the state by one step (exactly) and adds what arrived during it.
    pub fn advance(&mut self) {
        let (decay, dt, gain) = (self.decay_per_step, self.dt_ms, self.weight_to_slope);
        for ((current, slope), arriving) in self
            .current
            .iter_mut()
            .zip(self.slope.iter_mut())
            .zip(self.arriving.iter_mut())
        {
            *current = (*current + *slope * dt) * decay;
            *slope = *slope * decay + *arriving * gain;
            *arriving = 0.0;
        }
    }
}

/// The time course of a synaptic conductance.
#[derive(Clone, Debug)]
pub enum ConductanceKernel {
    /// g decays exponentially; a spike adds its weight to g.
    Exponential(ExponentialReceptor),
    /// g follows an alpha function; a spike's conductance peaks at its weight.
    Alpha(AlphaReceptor),
}

impl ConductanceKernel {
    /// The conductance (nS) of every neuron at the start of the step.
    pub fn conductance_mut(&mut self) -> &mut [f64] {
        match self {
            ConductanceKernel::Exponential(receptor) => &mut receptor.current,
            ConductanceKernel::Alpha(receptor) => &mut receptor.current,
        }
    }

    /// The weights (nS) of spikes arriving during the step.
    pub fn arriving_mut(&mut self) -> &mut [f64] {
        match self {
            ConductanceKernel::Exponential(receptor) => &mut receptor.arriving,
            ConductanceKernel::Alpha(receptor) => &mut receptor.arriving,
        }
    }

    /// Advances the conductances by one step and adds what arrived during it.
    pub fn advance(&mut self) {
        match self {
            ConductanceKernel::Exponential(receptor) => receptor.advance(),
            ConductanceKernel::Alpha(receptor) => receptor.advance(),
        }
    }
}

/// Synaptic conductances (nS) of one kernel and time constant, with their reversal potential.
#[derive(Clone, Debug)]
pub struct ConductanceReceptor {
    /// The conductance of every neuron and how it evolves.
    pub conductance: ConductanceKernel,
    /// E_rev (mV).
    pub reversal_potential: f64,
}

/// The factor N that makes the peak of e^(−t/τ_d) − e^(−t/τ_r) equal to 1 (τ_r < τ_d):
/// the peak lies at t_p = τ_d τ_r/(τ_d − τ_r)·ln(τ_d/τ_r), and
/// N = 1/(e^(−t_p/τ_d) − e^(−t_p/τ_r)) (as NEURON's `Exp2Syn`).
pub fn difference_of_exponentials_normalisation(rise_ms: f64, decay_ms: f64) -> f64 {
    let peak = difference_of_exponentials_peak_time(rise_ms, decay_ms);
    1.0 / ((-peak / decay_ms).exp() - (-peak / rise_ms).exp())
}

/// The time (ms) at which e^(−t/τ_d) − e^(−t/τ_r) peaks (τ_r < τ_d).
pub fn difference_of_exponentials_peak_time(rise_ms: f64, decay_ms: f64) -> f64 {
    decay_ms * rise_ms / (decay_ms - rise_ms) * (decay_ms / rise_ms).ln()
}

/// ∫₀¹ u·e^(−a(1 − u) − b·u) du, for a, b ≥ 0 — the response kernel of a ramp u·e^(−b·u)
/// seen through a decay e^(−a(1 − u)). With h a step, a = h/τ_m and b = h/τ_s,
/// h²·ramp_convolution(a, b) = ∫₀^h e^(−(h−s)/τ_m)·s·e^(−s/τ_s) ds (the LIF membrane's
/// response to the slope of an alpha current); with a = 0 it is the step mean of s·e^(−s/τ).
///
/// In closed form it is (e^(−a) − (1 + z)·e^(−b))/z² with z = b − a, which loses all digits
/// as z → 0 (τ_s → τ_m, or a short step); there the series
/// e^(−a)·Σ_n (−z)^n/(n!·(n + 2)) is used instead (|z| < 1: 20 terms leave < 1e-19 out).
pub fn ramp_convolution(a: f64, b: f64) -> f64 {
    let z = b - a;
    if z.abs() < 1.0 {
        let mut term = 1.0; // (−z)^n / n!
        let mut sum = 0.0;
        for n in 0..20 {
            sum += term / (n + 2) as f64;
            term *= -z / (n + 1) as f64;
        }
        (-a).exp() * sum
    } else {
        ((-a).exp() - (1.0 + z) * (-b).exp()) / (z * z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_decays_exactly_and_the_step_mean_preserves_charge() {
        let mut receptor = ExponentialReceptor::new(1, 5.0, 0.1);
        receptor.arriving[0] = 2.0;
        receptor.advance();
        assert_eq!(receptor.current[0], 2.0);
        let mut charge = 0.0;
        for _ in 0..100_000 {
            charge += receptor.current[0] * receptor.step_mean_factor * 0.1;
            receptor.advance();
        }
        // ∫ 2 e^(−t/5) dt = 2·5 = 10 (pA·ms), up to the truncated tail e^(−2000).
        assert!((charge - 10.0).abs() < 1e-10, "{charge}");
        assert!((receptor.current[0] - 2.0 * (-10_000.0f64 / 5.0).exp()).abs() < 1e-300);
    }

    /// ∫₀¹ f(u) du by composite Simpson with `n` (even) intervals.
    fn simpson(f: impl Fn(f64) -> f64, n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let inner: f64 = (1..n)
            .map(|k| f(k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        (f(0.0) + inner + f(1.0)) * h / 3.0
    }

    #[test]
    fn ramp_convolution_matches_quadrature_on_both_sides_of_the_series_switch() {
        // The series (|b − a| < 1) and the closed form must both agree with quadrature;
        // the points straddle |z| = 1, where the evaluation switches, and z → 0 (τ_s → τ_m),
        // where the closed form alone would lose every digit. Simpson with 20 000 intervals
        // has a truncation error below (1/20 000)^4·max|f⁗|/180 ≈ 4e-20·b^4 relative.
        for (a, b) in [
            (0.0, 0.0),
            (0.0, 1e-9),
            (0.0, 0.02),
            (0.005, 0.02),
            (0.005, 0.005 + 1e-12),
            (0.5, 1.5 - 1e-12),
            (0.5, 1.5 + 1e-12),
            (0.0, 0.999_999),
            (0.0, 1.000_001),
            (1.3, 0.3 - 1e-9),
            (1.3, 0.3 + 1e-9),
            (3.0, 0.2),
            (0.1, 7.5),
            (12.0, 0.0),
        ] {
            let f = |u: f64| u * (-a * (1.0 - u) - b * u).exp();
            let reference = simpson(f, 20_000);
            let value = ramp_convolution(a, b);
            assert!(
                (value - reference).abs() < 1e-12 * reference,
                "a {a}, b {b}: {value} vs {reference}"
            );
        }
        // At a = b = 0 it is ∫ u du = 1/2 exactly.
        assert_eq!(ramp_convolution(0.0, 0.0), 0.5);
    }

    #[test]
    fn alpha_current_follows_w_t_over_tau_e_to_one_minus_t_over_tau_and_peaks_at_w() {
        // NEST iaf_psc_alpha: a spike of weight w gives I(t) = w·(t/τ)·e^(1 − t/τ), measured
        // from the end of the step in which it arrives. The propagation is exact, so the
        // grid values agree with the formula to rounding.
        let (tau, dt, w) = (2.0, 0.1, 3.0);
        let mut receptor = AlphaReceptor::new(1, tau, dt);
        receptor.arriving[0] = w;
        receptor.advance();
        let mut peak = (0.0f64, 0usize);
        for n in 0..2_000usize {
            let t = n as f64 * dt;
            let expected = w * (t / tau) * (1.0 - t / tau).exp();
            assert!(
                (receptor.current[0] - expected).abs() < 1e-13 * w,
                "t = {t}: {} vs {expected}",
                receptor.current[0]
            );
            if receptor.current[0] > peak.0 {
                peak = (receptor.current[0], n);
            }
            receptor.advance();
        }
        // τ is a whole number of steps: the grid hits the peak, w at t = τ.
        assert_eq!(peak.1, 20);
        assert!((peak.0 - w).abs() < 1e-14 * w, "{}", peak.0);
    }

    #[test]
    fn alpha_step_mean_is_the_exact_mean_over_the_step_and_preserves_charge() {
        // The step mean of I = (I₀ + y₀ t) e^(−t/τ) from the receptor's state, against
        // quadrature of the formula over each step; summed, the charge w·e·τ of one PSC.
        let (tau, dt, w) = (0.7, 0.25, 2.0);
        let mut receptor = AlphaReceptor::new(1, tau, dt);
        receptor.arriving[0] = w;
        receptor.advance();
        let psc = |t: f64| w * (t / tau) * (1.0 - t / tau).exp();
        let mut charge = 0.0;
        for n in 0..2_000usize {
            let start = n as f64 * dt;
            let mean = receptor.step_mean(0);
            if n < 40 {
                let reference = simpson(|u| psc(start + u * dt), 2_000);
                assert!(
                    (mean - reference).abs() < 1e-12 * w,
                    "step {n}: {mean} vs {reference}"
                );
            }
            charge += mean * dt;
            receptor.advance();
        }
        // ∫₀^∞ w (t/τ) e^(1 − t/τ) dt = w·e·τ; the tail beyond 500 ms is e^(−700)-small.
        let expected = w * std::f64::consts::E * tau;
        assert!((charge - expected).abs() < 1e-12 * expected, "{charge}");
    }

    #[test]
    fn difference_of_exponentials_peaks_at_the_weight() {
        // Two exponential receptors fed +w·N and −w·N give w·N(e^(−t/τ_d) − e^(−t/τ_r)).
        // On a 1 µs grid the largest value lies within half a step of the true peak, where
        // it falls short by at most |I''(t_p)|·(0.5 µs)²/2 (the cubic term is 1e-3 of that);
        // its time must satisfy the peak condition e^(−t/τ_d)/τ_d = e^(−t/τ_r)/τ_r.
        for (rise, decay) in [(0.5, 5.0), (1.0, 3.0), (2.0, 2.2), (0.1, 100.0)] {
            let (dt, w) = (0.001, 4.0);
            let normalisation = difference_of_exponentials_normalisation(rise, decay);
            let mut decaying = ExponentialReceptor::new(1, decay, dt);
            let mut rising = ExponentialReceptor::new(1, rise, dt);
            decaying.arriving[0] = w * normalisation;
            rising.arriving[0] = -w * normalisation;
            let mut peak = (f64::MIN, 0.0);
            for n in 0..(20.0 * decay / dt) as usize {
                decaying.advance();
                rising.advance();
                let current = decaying.current[0] + rising.current[0];
                if current > peak.0 {
                    peak = (current, n as f64 * dt);
                }
            }
            let peak_time = difference_of_exponentials_peak_time(rise, decay);
            let curvature = w
                * normalisation
                * ((-peak_time / decay).exp() / (decay * decay)
                    - (-peak_time / rise).exp() / (rise * rise));
            let shortfall = 1.001 * curvature.abs() * dt * dt / 8.0 + 1e-12 * w;
            assert!(
                peak.0 <= w * (1.0 + 1e-12) && peak.0 >= w - shortfall,
                "τ_r {rise}, τ_d {decay}: peak {} (allowed shortfall {shortfall})",
                peak.0
            );
            assert!((peak.1 - peak_time).abs() <= 0.5 * dt + 1e-12, "{peak:?}");
            let slope = (-peak_time / decay).exp() / decay - (-peak_time / rise).exp() / rise;
            assert!(slope.abs() < 1e-14 / rise, "{slope}");
        }
    }
}

//! Stepping a compartmental neuron with active channels, electrodes and synapses.
//!
//! # The scheme
//!
//! Each step from `t` to `t + Δt` solves one linear system on the tree with [`hines_solve`],
//! as NEURON does (Hines & Carnevale, *The NEURON Book*, ch. 4):
//!
//! - channel and synaptic currents are linearised about `V(t)`: `i(V') ≈ i(V) + G (V' − V)`
//!   with `G = ∂i/∂V` at fixed gates; the passive leak and axial currents are linear already;
//! - backward Euler: `(C/Δt + K + G) V' = C/Δt V + b − i(V) + G V`;
//! - Crank–Nicolson: the same system with `Δt/2` gives `V(t + Δt/2)`, and
//!   `V(t + Δt) = 2 V(t + Δt/2) − V(t)`, which is the trapezoidal rule for the linear part;
//!   the step that delivers a delta pulse and the next are two backward-Euler half steps
//!   each instead (the same matrix), so that the jump does not ring (Rannacher's start-up);
//! - gates are staggered half a step from the potential (they live at `t + Δt/2`) and advance
//!   by the exact solution of their linear equation at fixed `V(t + Δt)` ("exponential
//!   Euler", NEURON's `cnexp`), which keeps the scheme second order with Crank–Nicolson;
//! - electrodes inject the mean of their waveform over the step (so a step or a pulse
//!   delivers its exact charge, and a delta pulse all of it within one step); synapses act
//!   with the exact mean of their kernel over the step, spikes arriving within it included.
//!
//! A killed end (the far end of a section held at its leak reversal potential) is a
//! conductance from the section's last compartment to `E_leak` equal to that of the
//! compartment's outer half, which puts `V = E_leak` exactly at the end of the cable (a
//! clamp of the last compartment's centre would shorten the cable by half a compartment).

use super::hines::hines_solve;
use super::inputs::{CurrentInjection, CurrentWaveform, Synapse, SynapseKind};
use super::morphology::Discretization;
use super::passive::Method;
use super::tree::CableError;
use crate::fastmath::exp;
use crate::neuron::hh::{gate_rates, steady_state_gates};

/// Crank–Nicolson steps taken as backward-Euler half steps from a delta pulse on: the step
/// that delivers it (half the charge in each half step) and the next.
const SMOOTHING_STEPS: u32 = 2;

/// Square micrometres to square centimetres.
const UM2_TO_CM2: f64 = 1e-8;

/// Everything that defines a cable simulation apart from the numerical method.
#[derive(Clone, Debug, PartialEq)]
pub struct CableModel {
    /// The compartments, their geometry and channels.
    pub discretization: Discretization,
    /// Temperature for the gating rates, °C.
    pub temperature_celsius: f64,
    /// Membrane potential of every compartment at t = 0, mV (gates start at their steady
    /// state there).
    pub initial_mv: f64,
    /// Sections (indices) whose far end is killed: held at the section's `E_leak`.
    pub killed_ends: Vec<usize>,
    /// Current electrodes.
    pub injections: Vec<CurrentInjection>,
    /// Synapses.
    pub synapses: Vec<Synapse>,
}

/// The HH compartments' state, structure of arrays.
#[derive(Clone, Debug)]
struct HhState {
    compartment: Vec<usize>,
    /// ḡ_Na, ḡ_K in µS (density × area).
    g_na_us: Vec<f64>,
    g_k_us: Vec<f64>,
    e_na: Vec<f64>,
    e_k: Vec<f64>,
    m: Vec<f64>,
    h: Vec<f64>,
    n: Vec<f64>,
    /// Scratch: the compartments' potentials, conductances (µS) and currents (nA).
    v: Vec<f64>,
    conductance: Vec<f64>,
    current: Vec<f64>,
}

/// A synapse's state: one decaying variable, or two for a difference of exponentials.
#[derive(Clone, Debug)]
pub(super) struct SynapseState {
    compartment: usize,
    kind: SynapseKind,
    /// Weight over the peak of the normalised kernel.
    scale: f64,
    tau_rise_ms: f64,
    tau_decay_ms: f64,
    decay: f64,
    rise: f64,
    spikes: Vec<f64>,
    next_spike: usize,
}

impl SynapseState {
    pub(super) fn new(synapse: &Synapse) -> Result<Self, CableError> {
        let bad = |what: &str, value: f64| CableError::NotFinite {
            what: format!("synapse at compartment {}: {what}", synapse.compartment),
            value,
        };
        if !(synapse.tau_decay_ms > 0.0 && synapse.tau_decay_ms.is_finite()) {
            return Err(bad("decay time constant (positive)", synapse.tau_decay_ms));
        }
        if !(synapse.tau_rise_ms >= 0.0 && synapse.tau_rise_ms < synapse.tau_decay_ms) {
            return Err(bad(
                "rise time constant (non-negative, below the decay time constant)",
                synapse.tau_rise_ms,
            ));
        }
        if !synapse.weight.is_finite() {
            return Err(bad("weight", synapse.weight));
        }
        if let Some(bad_time) = synapse
            .spike_times_ms
            .windows(2)
            .find(|w| w[1] < w[0] || w[1].is_nan())
            .map(|w| w[1])
        {
            return Err(bad("spike times (ascending)", bad_time));
        }
        // Peak of e^{−t/τd} − e^{−t/τr}, at t* = τd τr ln(τd/τr) / (τd − τr).
        let peak = if synapse.tau_rise_ms > 0.0 {
            let (td, tr) = (synapse.tau_decay_ms, synapse.tau_rise_ms);
            let t_peak = td * tr * (td / tr).ln() / (td - tr);
            (-t_peak / td).exp() - (-t_peak / tr).exp()
        } else {
            1.0
        };
        Ok(SynapseState {
            compartment: synapse.compartment,
            kind: synapse.kind,
            scale: synapse.weight / peak,
            tau_rise_ms: synapse.tau_rise_ms,
            tau_decay_ms: synapse.tau_decay_ms,
            decay: 0.0,
            rise: 0.0,
            // Spikes before the start of the run never arrive.
            next_spike: synapse.spike_times_ms.partition_point(|&t| t < 0.0),
            spikes: synapse.spike_times_ms.clone(),
        })
    }

    /// The kernel value `scale (decay − rise)` a time `lag_ms` after the current state.
    #[cfg(test)]
    pub(super) fn value_after(&self, lag_ms: f64) -> f64 {
        let rise = if self.tau_rise_ms > 0.0 {
            self.rise * (-lag_ms / self.tau_rise_ms).exp()
        } else {
            0.0
        };
        self.scale * (self.decay * (-lag_ms / self.tau_decay_ms).exp() - rise)
    }

    /// The exact mean of the kernel over the step `[t, t_next)`: the decay of the current
    /// state and the part of the step after each spike that arrives in it, so that every
    /// spike delivers its whole charge (or conductance integral) whatever the step.
    pub(super) fn mean_over_step(&self, t_ms: f64, t_next_ms: f64) -> f64 {
        let dt = t_next_ms - t_ms;
        // Mean over [a, t_next) of e^{−(u − a)/τ}, as a fraction of dt: (τ/dt)(1 − e^{−(t_next − a)/τ}).
        let mean_from = |a: f64, tau: f64| tau / dt * (1.0 - (-(t_next_ms - a) / tau).exp());
        let mut decay = self.decay * mean_from(t_ms, self.tau_decay_ms);
        let mut rise = if self.tau_rise_ms > 0.0 {
            self.rise * mean_from(t_ms, self.tau_rise_ms)
        } else {
            0.0
        };
        for &spike in self.spikes[self.next_spike..]
            .iter()
            .take_while(|&&spike| spike < t_next_ms)
        {
            decay += mean_from(spike.max(t_ms), self.tau_decay_ms);
            if self.tau_rise_ms > 0.0 {
                rise += mean_from(spike.max(t_ms), self.tau_rise_ms);
            }
        }
        self.scale * (decay - rise)
    }

    /// Advances the state from `t` to `t_next`, adding the spikes that arrive before
    /// `t_next` with the decay they have had by then. The step's ends come from the step
    /// counter, so consecutive steps tile time without gaps and no spike is skipped.
    pub(super) fn advance(&mut self, t_ms: f64, t_next_ms: f64) {
        let dt_ms = t_next_ms - t_ms;
        self.decay *= (-dt_ms / self.tau_decay_ms).exp();
        if self.tau_rise_ms > 0.0 {
            self.rise *= (-dt_ms / self.tau_rise_ms).exp();
        }
        while let Some(&spike) = self.spikes.get(self.next_spike) {
            if spike >= t_next_ms {
                break;
            }
            self.next_spike += 1;
            // A spike a rounding error before t (it belongs to this step) has lag ≤ dt.
            let lag = (t_next_ms - spike).min(dt_ms);
            self.decay += (-lag / self.tau_decay_ms).exp();
            if self.tau_rise_ms > 0.0 {
                self.rise += (-lag / self.tau_rise_ms).exp();
            }
        }
    }
}

/// A compartmental neuron stepped in time.
#[derive(Clone, Debug)]
pub struct CableSimulator {
    method: Method,
    dt_ms: f64,
    steps: u64,
    parent: Vec<usize>,
    /// Leak plus killed-end conductance, µS, and the current it drives at rest, nA.
    leak_us: Vec<f64>,
    leak_drive_na: Vec<f64>,
    axial_us: Vec<f64>,
    v: Vec<f64>,
    hh: HhState,
    temperature_factor: f64,
    injections: Vec<CurrentInjection>,
    synapses: Vec<SynapseState>,
    /// Constant part of the matrix for the solve step (`C/Δt'` + leak + axial).
    base_diag: Vec<f64>,
    /// `C/Δt'`, nF/ms = µS.
    cap_over_dt: Vec<f64>,
    /// When nothing but the passive tree and current inputs act, the matrix never changes:
    /// its elimination is done once, leaving the reciprocal pivots here and the elimination
    /// factors in `factor`.
    constant_pivots: Option<Vec<f64>>,
    factor: Vec<f64>,
    off_diag: Vec<f64>,
    diag: Vec<f64>,
    rhs: Vec<f64>,
    /// Channel and synaptic conductance (µS) and current (nA, outward positive) this step.
    active_g: Vec<f64>,
    active_i: Vec<f64>,
    injected_na: Vec<f64>,
    /// Crank–Nicolson steps still to be taken as two backward-Euler half steps (after a delta
    /// pulse).
    smoothing_steps: u32,
}

fn check_compartment(what: &str, index: usize, len: usize) -> Result<(), CableError> {
    if index < len {
        Ok(())
    } else {
        Err(CableError::BadSection {
            section: what.into(),
            message: format!("compartment {index} does not exist (there are {len})"),
        })
    }
}

impl CableSimulator {
    /// A simulator at `model.initial_mv` everywhere, gates at their steady state there.
    pub fn new(model: &CableModel, method: Method, dt_ms: f64) -> Result<Self, CableError> {
        if !(dt_ms > 0.0 && dt_ms.is_finite()) {
            return Err(CableError::BadTimeStep(dt_ms));
        }
        if !model.initial_mv.is_finite() {
            return Err(CableError::NotFinite {
                what: "initial membrane potential".into(),
                value: model.initial_mv,
            });
        }
        if !model.temperature_celsius.is_finite() {
            return Err(CableError::NotFinite {
                what: "temperature".into(),
                value: model.temperature_celsius,
            });
        }
        let disc = &model.discretization;
        let tree = &disc.tree;
        let n = tree.len();
        let compartments = tree.compartments();
        let mut leak_us = tree.leak_conductances_us().to_vec();
        let mut leak_drive_na: Vec<f64> = (0..n)
            .map(|i| leak_us[i] * compartments[i].membrane.e_leak)
            .collect();
        for &section in &model.killed_ends {
            if section >= disc.first_compartment.len() {
                return Err(CableError::BadSection {
                    section: format!("#{section}"),
                    message: "a killed end names a section that does not exist".into(),
                });
            }
            let last = disc.compartments_of(section).end - 1;
            let c = &compartments[last];
            let g_end =
                1.0 / (c.membrane.axial_resistance_per_um(c.diameter_um) * c.length_um / 2.0);
            leak_us[last] += g_end;
            leak_drive_na[last] += g_end * c.membrane.e_leak;
        }
        let mut hh = HhState {
            compartment: Vec::new(),
            g_na_us: Vec::new(),
            g_k_us: Vec::new(),
            e_na: Vec::new(),
            e_k: Vec::new(),
            m: Vec::new(),
            h: Vec::new(),
            n: Vec::new(),
            v: Vec::new(),
            conductance: Vec::new(),
            current: Vec::new(),
        };
        let [m0, h0, n0] = steady_state_gates(model.initial_mv);
        for (i, channels) in disc.hh.iter().enumerate() {
            if let Some(ch) = channels {
                let area_cm2 = compartments[i].area_um2() * UM2_TO_CM2;
                hh.compartment.push(i);
                // S/cm² · cm² = S; in µS:
                hh.g_na_us.push(ch.g_na * area_cm2 * 1e6);
                hh.g_k_us.push(ch.g_k * area_cm2 * 1e6);
                hh.e_na.push(ch.e_na);
                hh.e_k.push(ch.e_k);
                hh.m.push(m0);
                hh.h.push(h0);
                hh.n.push(n0);
                hh.v.push(model.initial_mv);
                hh.conductance.push(0.0);
                hh.current.push(0.0);
            }
        }
        for injection in &model.injections {
            check_compartment("electrode", injection.compartment, n)?;
        }
        let synapses = model
            .synapses
            .iter()
            .map(|s| {
                check_compartment("synapse", s.compartment, n)?;
                SynapseState::new(s)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The solve step: Δt for backward Euler, Δt/2 for Crank–Nicolson.
        let solve_dt = match method {
            Method::BackwardEuler => dt_ms,
            Method::CrankNicolson => dt_ms / 2.0,
        };
        let parent = tree.parents().to_vec();
        let axial_us = tree.axial_conductances_us().to_vec();
        let capacitance_nf = tree.capacitances_nf().to_vec();
        let mut base_diag: Vec<f64> = (0..n)
            .map(|i| capacitance_nf[i] / solve_dt + leak_us[i])
            .collect();
        let mut off_diag = vec![0.0; n];
        for i in 1..n {
            base_diag[i] += axial_us[i];
            base_diag[parent[i]] += axial_us[i];
            off_diag[i] = -axial_us[i];
        }
        let cap_over_dt: Vec<f64> = capacitance_nf.iter().map(|c| c / solve_dt).collect();
        let linear = hh.compartment.is_empty()
            && synapses
                .iter()
                .all(|s| matches!(s.kind, SynapseKind::Current));
        let mut factor = vec![0.0; n];
        let constant_pivots = linear.then(|| {
            let mut pivots = base_diag.clone();
            eliminate(&parent, &mut pivots, &off_diag, &mut factor);
            pivots
        });
        Ok(CableSimulator {
            cap_over_dt,
            constant_pivots,
            factor,
            method,
            dt_ms,
            steps: 0,
            parent,
            leak_us,
            leak_drive_na,
            axial_us,
            v: vec![model.initial_mv; n],
            hh,
            temperature_factor: 3f64.powf((model.temperature_celsius - 6.3) / 10.0),
            injections: model.injections.clone(),
            synapses,
            base_diag,
            off_diag,
            diag: vec![0.0; n],
            rhs: vec![0.0; n],
            active_g: vec![0.0; n],
            active_i: vec![0.0; n],
            injected_na: vec![0.0; n],
            smoothing_steps: 0,
        })
    }

    /// Membrane potentials, mV.
    pub fn voltages(&self) -> &[f64] {
        &self.v
    }

    /// Sets the membrane potentials (mV), e.g. to start from a given profile; gates keep
    /// their values.
    pub fn set_voltages(&mut self, v: &[f64]) -> Result<(), CableError> {
        if v.len() != self.v.len() {
            return Err(CableError::LengthMismatch {
                what: "voltages",
                expected: self.v.len(),
                got: v.len(),
            });
        }
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(CableError::NotFinite {
                what: format!("voltage of compartment {i}"),
                value: v[i],
            });
        }
        self.v.copy_from_slice(v);
        Ok(())
    }

    /// Time since the start, ms.
    pub fn time_ms(&self) -> f64 {
        self.steps as f64 * self.dt_ms
    }

    /// The time step, ms.
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// The gates (m, h, n) of the HH compartments, with the compartment each belongs to.
    pub fn gates(&self) -> impl Iterator<Item = (usize, [f64; 3])> + '_ {
        (0..self.hh.compartment.len()).map(|k| {
            (
                self.hh.compartment[k],
                [self.hh.m[k], self.hh.h[k], self.hh.n[k]],
            )
        })
    }

    /// Advances by one time step.
    pub fn step(&mut self) {
        let n = self.v.len();
        // Both ends of the step from the counter: the next step starts exactly where this one
        // ends, so an event at a boundary falls in exactly one step.
        let t = self.time_ms();
        let t_next = (self.steps + 1) as f64 * self.dt_ms;
        let dt = self.dt_ms;
        self.active_g.fill(0.0);
        self.active_i.fill(0.0);
        self.injected_na.fill(0.0);
        // Electrodes: the mean current over [t, t + Δt).
        for injection in &self.injections {
            let mean = match injection.waveform {
                CurrentWaveform::Step {
                    start_ms,
                    duration_ms,
                    amplitude_na,
                } => {
                    let overlap = t_next.min(start_ms + duration_ms) - t.max(start_ms);
                    amplitude_na * overlap.max(0.0) / dt
                }
                CurrentWaveform::Delta { time_ms, charge_pc } => {
                    if time_ms >= t && time_ms < t_next {
                        self.smoothing_steps = SMOOTHING_STEPS;
                        charge_pc / dt
                    } else {
                        0.0
                    }
                }
            };
            self.injected_na[injection.compartment] += mean;
        }
        // Channels: HH currents and conductances at V(t), gates at t + Δt/2. The potentials
        // are gathered first so that the arithmetic runs over contiguous arrays (vectorised).
        let hh = &mut self.hh;
        for (v_k, &i) in hh.v.iter_mut().zip(&hh.compartment) {
            *v_k = self.v[i];
        }
        // Disjoint slices, so that the compiler knows the arrays do not alias.
        let (conductance, current) = (&mut hh.conductance[..], &mut hh.current[..]);
        for k in 0..conductance.len() {
            let (m, n) = (hh.m[k], hh.n[k]);
            let g_na = hh.g_na_us[k] * m * m * m * hh.h[k];
            let n2 = n * n;
            let g_k = hh.g_k_us[k] * n2 * n2;
            conductance[k] = g_na + g_k;
            current[k] = g_na * (hh.v[k] - hh.e_na[k]) + g_k * (hh.v[k] - hh.e_k[k]);
        }
        for (k, &i) in hh.compartment.iter().enumerate() {
            self.active_g[i] += hh.conductance[k];
            self.active_i[i] += hh.current[k];
        }
        // Synapses: their exact mean over the step.
        for synapse in &self.synapses {
            let s = synapse.mean_over_step(t, t_next);
            let i = synapse.compartment;
            match synapse.kind {
                SynapseKind::Current => self.injected_na[i] += s,
                SynapseKind::Conductance { reversal_mv } => {
                    self.active_g[i] += s;
                    self.active_i[i] += s * (self.v[i] - reversal_mv);
                }
            }
        }
        // (C/Δt' + K + G) V' = C/Δt' V + G_L E_L + I − i(V) + G V, Δt' the solve step.
        for (i, rhs) in self.rhs.iter_mut().enumerate() {
            let v = self.v[i];
            *rhs = self.cap_over_dt[i] * v + self.leak_drive_na[i] + self.injected_na[i]
                - self.active_i[i]
                + self.active_g[i] * v;
        }
        self.solve();
        match self.method {
            Method::BackwardEuler => self.v.copy_from_slice(&self.rhs),
            Method::CrankNicolson if self.smoothing_steps > 0 => {
                // A delta pulse makes V jump: Crank–Nicolson would carry the jump's
                // grid-scale modes on as a slowly damped oscillation (its amplification
                // factor tends to −1 for them). The step of the pulse and the next are taken
                // as two backward-Euler half steps each instead (Rannacher's start-up,
                // Numer. Math. 43:309, 1984), which damps them and keeps the scheme second
                // order.
                self.smoothing_steps -= 1;
                for i in 0..n {
                    self.rhs[i] = self.cap_over_dt[i] * self.rhs[i]
                        + self.leak_drive_na[i]
                        + self.injected_na[i]
                        - self.active_i[i]
                        + self.active_g[i] * self.v[i];
                }
                self.solve();
                self.v.copy_from_slice(&self.rhs);
            }
            Method::CrankNicolson => {
                for (v, half) in self.v.iter_mut().zip(&self.rhs) {
                    *v = 2.0 * half - *v;
                }
            }
        }
        // Gates from t + Δt/2 to t + 3Δt/2 at V(t + Δt).
        let phi_dt = self.temperature_factor * dt;
        let hh = &mut self.hh;
        for (v_k, &i) in hh.v.iter_mut().zip(&hh.compartment) {
            *v_k = self.v[i];
        }
        let relax = |x: f64, alpha: f64, beta: f64| {
            let total = alpha + beta;
            let steady = alpha / total;
            steady + (x - steady) * exp(-phi_dt * total)
        };
        let (m, h, n) = (&mut hh.m[..], &mut hh.h[..], &mut hh.n[..]);
        for (k, &v) in hh.v.iter().enumerate() {
            let [am, bm, ah, bh, an, bn] = gate_rates(v);
            m[k] = relax(m[k], am, bm);
            h[k] = relax(h[k], ah, bh);
            n[k] = relax(n[k], an, bn);
        }
        for synapse in &mut self.synapses {
            synapse.advance(t, t_next);
        }
        self.steps += 1;
    }

    /// Solves the step's system for the right-hand side in `rhs`, in place.
    fn solve(&mut self) {
        match &self.constant_pivots {
            Some(pivots) => solve_eliminated(&self.parent, pivots, &self.factor, &mut self.rhs),
            None => {
                for (d, (base, g)) in self
                    .diag
                    .iter_mut()
                    .zip(self.base_diag.iter().zip(&self.active_g))
                {
                    *d = base + g;
                }
                eliminate(
                    &self.parent,
                    &mut self.diag,
                    &self.off_diag,
                    &mut self.factor,
                );
                solve_eliminated(&self.parent, &self.diag, &self.factor, &mut self.rhs);
            }
        }
    }

    /// The first compartment whose potential is not finite, with its value.
    pub fn divergence(&self) -> Option<(usize, f64)> {
        self.v
            .iter()
            .position(|v| !v.is_finite())
            .map(|i| (i, self.v[i]))
    }

    /// Axial conductances to the parent, µS (for callers that compute currents).
    pub fn axial_conductances_us(&self) -> &[f64] {
        &self.axial_us
    }

    /// Leak conductances including killed ends, µS.
    pub fn leak_conductances_us(&self) -> &[f64] {
        &self.leak_us
    }
}

/// Hines' elimination of a symmetric tree matrix (diagonal `pivots`, off-diagonal `off`
/// between each compartment and its parent), leaves to root: afterwards `pivots` holds the
/// reciprocals of the eliminated pivots and `factor[i]` the multiple of row `i` subtracted
/// from its parent's row. The right-hand side is eliminated separately with `factor`, so a
/// constant matrix is eliminated once. One division per compartment.
fn eliminate(parent: &[usize], pivots: &mut [f64], off: &[f64], factor: &mut [f64]) {
    let n = pivots.len();
    if n == 0 {
        return;
    }
    // The pivot of i − 1 is carried in a register: in an unbranched stretch (parent i − 1)
    // it is the one just updated, and a store and reload would lengthen the dependency chain.
    let mut pivot = pivots[n - 1];
    for i in (1..n).rev() {
        let reciprocal = 1.0 / pivot;
        let f = off[i] * reciprocal;
        factor[i] = f;
        pivots[i] = reciprocal;
        let p = parent[i];
        if p == i - 1 {
            pivot = pivots[p] - f * off[i];
            pivots[p] = pivot;
        } else {
            pivots[p] -= f * off[i];
            pivot = pivots[i - 1];
        }
    }
    pivots[0] = 1.0 / pivot;
}

/// Solves for a right-hand side after [`eliminate`]: elimination leaves to root with the
/// stored factors, then substitution root to leaves, `x_i = r_i/d_i − f_i x_parent` (the
/// matrix is symmetric, so the factor `off_i/d_i` serves both ways). In place.
fn solve_eliminated(parent: &[usize], reciprocal_pivots: &[f64], factor: &[f64], rhs: &mut [f64]) {
    let n = rhs.len();
    if n == 0 {
        return;
    }
    // As in `eliminate`, the value of i − 1 travels in a register along unbranched stretches.
    let mut carried = rhs[n - 1];
    for i in (1..n).rev() {
        let p = parent[i];
        if p == i - 1 {
            carried = rhs[p] - factor[i] * carried;
            rhs[p] = carried;
        } else {
            rhs[p] -= factor[i] * carried;
            carried = rhs[i - 1];
        }
    }
    let mut previous = rhs[0] * reciprocal_pivots[0];
    rhs[0] = previous;
    for i in 1..n {
        let p = parent[i];
        let x_parent = if p == i - 1 { previous } else { rhs[p] };
        previous = rhs[i] * reciprocal_pivots[i] - factor[i] * x_parent;
        rhs[i] = previous;
    }
}

/// What to keep from a run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Recording {
    /// Compartments whose potential is sampled.
    pub trace_compartments: Vec<usize>,
    /// Sample every this many steps (at least 1); the first sample is at t = 0.
    pub sample_every_steps: usize,
    /// Times (ms) at which the potential of every compartment is kept; each is taken at the
    /// nearest step.
    pub profile_times_ms: Vec<f64>,
    /// Compartments whose action potentials are timed, at every step: upward crossings of
    /// `spike_threshold_mv`, interpolated linearly between steps.
    pub spike_compartments: Vec<usize>,
    /// The threshold for `spike_compartments`, mV.
    pub spike_threshold_mv: f64,
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct CableRun {
    /// Sample times, ms.
    pub times_ms: Vec<f64>,
    /// One trace per recorded compartment, mV, at `times_ms`.
    pub traces_mv: Vec<Vec<f64>>,
    /// Profiles: (the step's time, ms; every compartment's potential, mV).
    pub profiles: Vec<(f64, Vec<f64>)>,
    /// Every compartment's potential at the end, mV.
    pub final_mv: Vec<f64>,
    /// Action-potential times at each of the recording's `spike_compartments`, ms.
    pub spike_times_ms: Vec<Vec<f64>>,
    /// Time simulated, ms (less than asked for when the run was stopped).
    pub simulated_ms: f64,
}

/// Runs a model for `duration_ms` (rounded to whole steps). `keep_going` is called with the
/// steps done and the steps in all every few hundred steps; when it returns `false` the run
/// stops there and the result says how far it got.
pub fn simulate(
    model: &CableModel,
    method: Method,
    dt_ms: f64,
    duration_ms: f64,
    recording: &Recording,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<CableRun, CableError> {
    if !(duration_ms >= 0.0 && duration_ms.is_finite()) {
        return Err(CableError::NotFinite {
            what: "duration (non-negative)".into(),
            value: duration_ms,
        });
    }
    let mut simulator = CableSimulator::new(model, method, dt_ms)?;
    let n = model.discretization.len();
    for &c in recording
        .trace_compartments
        .iter()
        .chain(&recording.spike_compartments)
    {
        check_compartment("recording", c, n)?;
    }
    let threshold = recording.spike_threshold_mv;
    let steps = (duration_ms / dt_ms).round() as u64;
    let every = recording.sample_every_steps.max(1) as u64;
    let profile_steps: Vec<u64> = recording
        .profile_times_ms
        .iter()
        .map(|t| (t / dt_ms).round().max(0.0) as u64)
        .collect();
    // Reserve for the whole run, but not absurdly much up front: a long run grows the vectors.
    let samples = ((steps / every + 1) as usize).min(1 << 20);
    let mut run = CableRun {
        times_ms: Vec::with_capacity(samples),
        traces_mv: vec![Vec::with_capacity(samples); recording.trace_compartments.len()],
        profiles: Vec::new(),
        final_mv: Vec::new(),
        spike_times_ms: vec![Vec::new(); recording.spike_compartments.len()],
        simulated_ms: 0.0,
    };
    let mut previous: Vec<f64> = recording
        .spike_compartments
        .iter()
        .map(|&c| simulator.voltages()[c])
        .collect();
    let record = |sim: &CableSimulator, step: u64, run: &mut CableRun| {
        if step.is_multiple_of(every) {
            run.times_ms.push(step as f64 * dt_ms);
            for (trace, &c) in run.traces_mv.iter_mut().zip(&recording.trace_compartments) {
                trace.push(sim.voltages()[c]);
            }
        }
        for &at in &profile_steps {
            if at == step {
                run.profiles
                    .push((step as f64 * dt_ms, sim.voltages().to_vec()));
            }
        }
    };
    record(&simulator, 0, &mut run);
    let check_every = 256;
    for step in 1..=steps {
        simulator.step();
        record(&simulator, step, &mut run);
        for (k, &c) in recording.spike_compartments.iter().enumerate() {
            let v = simulator.voltages()[c];
            if previous[k] < threshold && v >= threshold {
                let fraction = (threshold - previous[k]) / (v - previous[k]);
                run.spike_times_ms[k].push((step as f64 - 1.0 + fraction) * dt_ms);
            }
            previous[k] = v;
        }
        if step % check_every == 0 || step == steps {
            if let Some((compartment, value)) = simulator.divergence() {
                return Err(CableError::Diverged {
                    compartment,
                    time_ms: simulator.time_ms(),
                    value,
                });
            }
            if !keep_going(step, steps) {
                break;
            }
        }
    }
    run.simulated_ms = simulator.time_ms();
    run.final_mv = simulator.voltages().to_vec();
    Ok(run)
}

/// The first time a trace crosses `threshold_mv` upward, interpolated linearly between
/// samples.
pub fn first_upward_crossing_ms(
    times_ms: &[f64],
    trace_mv: &[f64],
    threshold_mv: f64,
) -> Option<f64> {
    upward_crossings_ms(times_ms, trace_mv, threshold_mv)
        .into_iter()
        .next()
}

/// Every upward crossing of `threshold_mv`, interpolated linearly between samples.
pub fn upward_crossings_ms(times_ms: &[f64], trace_mv: &[f64], threshold_mv: f64) -> Vec<f64> {
    let mut crossings = Vec::new();
    for k in 1..times_ms.len().min(trace_mv.len()) {
        let (a, b) = (trace_mv[k - 1], trace_mv[k]);
        if a < threshold_mv && b >= threshold_mv {
            let f = (threshold_mv - a) / (b - a);
            crossings.push(times_ms[k - 1] + f * (times_ms[k] - times_ms[k - 1]));
        }
    }
    crossings
}

/// The input resistance (MΩ) at a compartment: the steady-state potential change per nA
/// injected there, with every channel linearised at the initial potential (its chord
/// conductance with gates at their steady state), synapses silent and killed ends held.
pub fn input_resistance_mohm(model: &CableModel, compartment: usize) -> Result<f64, CableError> {
    let simulator = CableSimulator::new(model, Method::BackwardEuler, 1.0)?;
    let n = simulator.v.len();
    check_compartment("input resistance", compartment, n)?;
    let mut diag: Vec<f64> = (0..n)
        .map(|i| simulator.base_diag[i] - simulator.cap_over_dt[i])
        .collect();
    for k in 0..simulator.hh.compartment.len() {
        let (m, h, nn) = (simulator.hh.m[k], simulator.hh.h[k], simulator.hh.n[k]);
        diag[simulator.hh.compartment[k]] +=
            simulator.hh.g_na_us[k] * m * m * m * h + simulator.hh.g_k_us[k] * nn.powi(4);
    }
    let mut rhs = vec![0.0; n];
    rhs[compartment] = 1.0;
    hines_solve(
        &simulator.parent,
        &mut diag,
        &simulator.off_diag,
        &simulator.off_diag,
        &mut rhs,
    );
    let r = rhs[compartment];
    if r.is_finite() && r > 0.0 {
        Ok(r)
    } else {
        Err(CableError::Singular)
    }
}

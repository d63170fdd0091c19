//! Spike-timing-dependent plasticity (STDP) with traces: the pair rule and the triplet rule
//! of Pfister & Gerstner (2006), J. Neurosci. 26:9673.
//!
//! **Traces.** Each presynaptic neuron has a trace x (time constant τ₊) and, for the
//! triplet rule, a slow one x₂ (τ_x); each postsynaptic neuron has y (τ₋) and y₂ (τ_y).
//! Between spikes every trace decays exponentially; a spike adds 1 to its neuron's traces
//! (`pairing = "all_to_all"`: every earlier spike of the other side counts) or sets them to 1
//! (`"nearest"`: symmetric nearest-neighbour pairing, only the latest spike counts).
//!
//! **Updates**, with amplitudes as fractions of w_max:
//! - when a presynaptic spike *arrives* at the synapse (after its delay):
//!   additive Δw = −w_max·y·(A₋ + A₃⁻·x₂), multiplicative Δw = −(w − w_min)·y·(A₋ + A₃⁻·x₂);
//! - when the postsynaptic neuron spikes:
//!   additive Δw = +w_max·x·(A₊ + A₃⁺·y₂), multiplicative Δw = +(w_max − w)·x·(A₊ + A₃⁺·y₂);
//!
//! with x₂ and y₂ read just before the spike's own increment, and w clipped to
//! [w_min, w_max] after every update (hard bounds). The pair rule is A₃⁺ = A₃⁻ = 0. For one
//! pair at Δt = t_post − t_arrival the pair rule gives the window
//! Δw = A₊·w_max·e^(−Δt/τ₊) for Δt ≥ 0 and −A₋·w_max·e^(Δt/τ₋) for Δt < 0 (additive).
//!
//! **Mapping to NEST.** The additive and multiplicative pair rules with all-to-all pairing
//! are NEST's `stdp_synapse` with μ₊ = μ₋ = 0 (additive) or 1 (multiplicative),
//! λ = A₊, α = A₋/A₊, W_max = w_max (NEST's lower bound is 0), τ₊ = tau_plus and
//! τ₋ = the target's `tau_minus`; the triplet rule is NEST's `stdp_triplet_synapse` with
//! `Aplus = A₊·w_max` etc. in the additive form. The difference is the delay: see below.
//!
//! **Timing.** The delay is axonal: a presynaptic spike emitted at t_pre acts at the synapse
//! at t_pre + d, both on the target and on the plasticity, while a postsynaptic spike acts at
//! the synapse at once, so Δt = t_post − (t_pre + d). (NEST's `stdp_synapse` counts the delay
//! as dendritic: Δt = t_post + d − t_pre, the same pair seen d later on the post side.)
//! Spikes are on the time grid (stamped at the end of their step, see
//! [`crate::neuron::poisson`]). Within step k, whose events happen at t = (k + 1)·dt:
//! 1. all traces decay by one step;
//! 2. presynaptic spikes arriving in step k depress their synapses (seeing y, y₂ of the post
//!    spikes *before* this step), then raise x and x₂; the weights after depression are what
//!    the spikes transmit, acting on the target in this step;
//! 3. the target neurons advance; each post spike potentiates its incoming synapses (seeing x
//!    of the pre spikes arrived up to and including this step), then raises y and y₂.
//!
//! So a pair arriving in the same step as the post spike counts as Δt = 0: potentiation by
//! A₊·w_max, no depression.

use crate::spec::model::{Pairing, PlasticitySpec, WeightDependence};

/// A plasticity rule, ready for steps of one dt.
#[derive(Clone, Copy, Debug)]
pub struct StdpRule {
    /// e^(−dt/τ₊), e^(−dt/τ_x), e^(−dt/τ₋), e^(−dt/τ_y).
    pub decay_x: f64,
    /// e^(−dt/τ_x) (1 without the triplet terms).
    pub decay_x2: f64,
    /// e^(−dt/τ₋).
    pub decay_y: f64,
    /// e^(−dt/τ_y) (1 without the triplet terms).
    pub decay_y2: f64,
    /// A₊ (A₂⁺).
    pub a_plus: f64,
    /// A₋ (A₂⁻).
    pub a_minus: f64,
    /// A₃⁺ (0 for the pair rule).
    pub a3_plus: f64,
    /// A₃⁻ (0 for the pair rule).
    pub a3_minus: f64,
    /// Whether the slow traces are kept.
    pub triplet: bool,
    /// Whether a spike sets its traces to 1 rather than adding 1.
    pub nearest: bool,
    /// Whether the changes scale with the distance to the bounds.
    pub multiplicative: bool,
    /// Lower bound.
    pub w_min: f64,
    /// Upper bound.
    pub w_max: f64,
}

impl StdpRule {
    /// The rule of `spec` for steps of `dt_ms`.
    pub fn new(spec: &PlasticitySpec, dt_ms: f64) -> Self {
        let decay = |tau: f64| (-dt_ms / tau).exp();
        let (decay_x2, decay_y2, a3_plus, a3_minus) = match spec.triplet {
            Some(t) => (decay(t.tau_x_ms), decay(t.tau_y_ms), t.a3_plus, t.a3_minus),
            None => (1.0, 1.0, 0.0, 0.0),
        };
        StdpRule {
            decay_x: decay(spec.tau_plus_ms),
            decay_x2,
            decay_y: decay(spec.tau_minus_ms),
            decay_y2,
            a_plus: spec.a_plus,
            a_minus: spec.a_minus,
            a3_plus,
            a3_minus,
            triplet: spec.triplet.is_some(),
            nearest: spec.pairing == Pairing::Nearest,
            multiplicative: spec.weight_dependence == WeightDependence::Multiplicative,
            w_min: spec.w_min,
            w_max: spec.w_max,
        }
    }

    /// A trace after a spike of its neuron.
    #[inline(always)]
    pub fn bump(&self, trace: f64) -> f64 {
        if self.nearest { 1.0 } else { trace + 1.0 }
    }

    /// `w` after a presynaptic arrival, with post traces `y`, `y2` and the pre slow trace
    /// `x2` before the spike's increment.
    #[inline(always)]
    pub fn depress(&self, w: f64, y: f64, x2: f64) -> f64 {
        let amount = y * (self.a_minus + self.a3_minus * x2);
        let scale = if self.multiplicative {
            w - self.w_min
        } else {
            self.w_max
        };
        (w - scale * amount).clamp(self.w_min, self.w_max)
    }

    /// `w` after a postsynaptic spike, with the pre trace `x` and the post slow trace `y2`
    /// before the spike's increment.
    #[inline(always)]
    pub fn potentiate(&self, w: f64, x: f64, y2: f64) -> f64 {
        let amount = x * (self.a_plus + self.a3_plus * y2);
        let scale = if self.multiplicative {
            self.w_max - w
        } else {
            self.w_max
        };
        (w + scale * amount).clamp(self.w_min, self.w_max)
    }
}

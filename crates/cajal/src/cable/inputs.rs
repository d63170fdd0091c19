//! What drives a cable: current injected through an electrode and synapses activated by
//! spike trains, each at one compartment.

/// The time course of an injected current.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CurrentWaveform {
    /// `amplitude_na` from `start_ms` for `duration_ms` (a step, or a pulse when short;
    /// `f64::INFINITY` for a current held to the end).
    Step {
        /// Onset, ms.
        start_ms: f64,
        /// Duration, ms.
        duration_ms: f64,
        /// Amplitude, nA (positive: depolarising).
        amplitude_na: f64,
    },
    /// A brief pulse that delivers `charge_pc` within the one time step that contains
    /// `time_ms`: the discrete stand-in for a current `q δ(t − t0)`.
    Delta {
        /// Time of the pulse, ms.
        time_ms: f64,
        /// Charge delivered, pC (nA·ms).
        charge_pc: f64,
    },
}

/// A current electrode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurrentInjection {
    /// The compartment injected into.
    pub compartment: usize,
    /// The waveform.
    pub waveform: CurrentWaveform,
}

/// How a synapse acts on the membrane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SynapseKind {
    /// A current `w s(t)`, nA, independent of the membrane potential.
    Current,
    /// A conductance `w s(t)`, µS, with driving force `(E_rev − V)`.
    Conductance {
        /// Reversal potential, mV.
        reversal_mv: f64,
    },
}

/// A synapse at one compartment, driven by a train of presynaptic spikes.
///
/// Each spike adds `1` to the synaptic variable, which then follows an exponential
/// (`tau_rise_ms == 0`) or a difference of exponentials normalised to a peak of 1:
///
/// ```text
/// s(t) = Σ_k  (e^{−(t−t_k)/τ_decay} − e^{−(t−t_k)/τ_rise}) / peak ,   t > t_k .
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Synapse {
    /// The compartment the synapse sits on.
    pub compartment: usize,
    /// Current or conductance.
    pub kind: SynapseKind,
    /// Peak weight: nA for a current synapse, µS for a conductance.
    pub weight: f64,
    /// Rise time constant, ms (0 for an instantaneous rise).
    pub tau_rise_ms: f64,
    /// Decay time constant, ms.
    pub tau_decay_ms: f64,
    /// Presynaptic spike times, ms, ascending.
    pub spike_times_ms: Vec<f64>,
}

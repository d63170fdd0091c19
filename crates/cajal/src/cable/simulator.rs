//! Stepping a compartmental neuron with active channels, electrodes and synapses.

use super::inputs::{CurrentInjection, Synapse};
use super::morphology::Discretization;

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
    /// Current electrodes.
    pub injections: Vec<CurrentInjection>,
    /// Synapses.
    pub synapses: Vec<Synapse>,
}

//! Hodgkin–Huxley sodium and potassium channels on cable compartments.
//!
//! ```text
//! i_ion = ḡ_Na m³ h (V − E_Na) + ḡ_K n⁴ (V − E_K)        (per unit membrane area)
//! dx/dt = φ (α_x(V) (1 − x) − β_x(V) x),   x ∈ {m, h, n},   φ = 3^((T − 6.3 °C)/10)
//! ```
//!
//! with the rate functions of Hodgkin & Huxley (1952), *J. Physiol.* 117:500, in the modern
//! convention (rest near −65 mV; [`crate::neuron::hh::gate_rates`]). The leak of the HH model
//! is the section's passive leak ([`super::PassiveMembrane`]); for the squid axon it is
//! `g_leak = 0.3 mS/cm²`, `E_leak = −54.3 mV` (NEURON's `hh` mechanism uses the same values).
//! Defaults: ḡ_Na = 120 mS/cm², ḡ_K = 36 mS/cm², E_Na = 50 mV, E_K = −77 mV.

/// Hodgkin–Huxley channel densities and reversal potentials of a section.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HhChannels {
    /// Maximal sodium conductance density, S/cm².
    pub g_na: f64,
    /// Maximal potassium conductance density, S/cm².
    pub g_k: f64,
    /// Sodium reversal potential, mV.
    pub e_na: f64,
    /// Potassium reversal potential, mV.
    pub e_k: f64,
}

impl Default for HhChannels {
    /// The squid giant axon (Hodgkin & Huxley 1952).
    fn default() -> Self {
        HhChannels {
            g_na: 0.12,
            g_k: 0.036,
            e_na: 50.0,
            e_k: -77.0,
        }
    }
}

//! Passive cable theory: compartmental neurites and the Hines solver.
//!
//! # The cable equation
//!
//! The membrane potential `V(x, t)` along a cylindrical neurite of diameter `d` obeys
//!
//! ```text
//! c_m ∂V/∂t = (d / (4 R_a)) ∂²V/∂x² − g_m (V − E) + i_inj
//! ```
//!
//! with `c_m` the specific membrane capacitance (µF/cm²), `R_a` the axial (cytoplasmic)
//! resistivity (Ω·cm), `g_m = 1/R_m` the specific leak conductance (S/cm²), `E` its reversal
//! potential (mV) and `i_inj` an injected current per unit membrane area. Dividing by `g_m`
//! shows the two scales of the problem: the length constant `λ = sqrt(d R_m / (4 R_a))` and the
//! membrane time constant `τ_m = R_m c_m`. For the steady state of a sealed cable of length `L`
//! driven at `x = 0`, `V(x) − E = V0 cosh((L − x)/λ) / cosh(L/λ)` and the input resistance is
//! `R_in = r_a λ coth(L/λ)` with `r_a = 4 R_a / (π d²)` the axial resistance per unit length; a
//! semi-infinite cable gives `V0 e^{−x/λ}` (Koch, *Biophysics of Computation*, ch. 2; Dayan &
//! Abbott, *Theoretical Neuroscience*, ch. 6).
//!
//! # Units
//!
//! Lengths and diameters in µm, time in ms, potentials in mV, `c_m` in µF/cm², `R_a` in Ω·cm,
//! `g_leak` in S/cm², injected currents in nA (per compartment). Internally a compartment's
//! capacitance is in nF, its conductances in µS, so that `nF · mV/ms = µS · mV = nA`.
//!
//! # Discretisation
//!
//! A [`Tree`] is a set of cylindrical compartments; compartment `i > 0` has a parent `p < i`
//! and compartment 0 is the root. Each compartment is isopotential, with capacitance
//! `C_i = c_m A_i`, leak conductance `G_i = g_leak A_i` (`A_i = π d_i ℓ_i`), and it is joined to
//! its parent by the two half-compartments in series,
//! `g_i = 1 / (R_a,i (ℓ_i/2) / (π d_i²/4) + R_a,p (ℓ_p/2) / (π d_p²/4))`. This is the
//! finite-volume (second-order in space) discretisation of the cable equation with sealed
//! (zero axial current) ends:
//!
//! ```text
//! C_i dV_i/dt = −G_i (V_i − E_i) + Σ_j g_ij (V_j − V_i) + I_i ,  i.e.  C dV/dt = −K V + b .
//! ```
//!
//! `K` has nonzeros only on the diagonal and at (child, parent) pairs, so an implicit step
//! (backward Euler, `(C/Δt + K) V⁺ = C/Δt V + b`, or Crank–Nicolson,
//! `(C/Δt + K/2) V⁺ = (C/Δt − K/2) V + b`) is solved in O(N) by Hines' elimination
//! ([`hines_solve`]): with parents numbered before children, eliminating from the leaves to
//! the root creates no fill-in (Hines 1984, *Int. J. Bio-Med. Comput.* 15:1). A clamped
//! ("killed-end") compartment has its row replaced by `V_i = value`.

mod channels;
mod d_lambda;
mod hines;
mod inputs;
mod morphology;
mod passive;
mod simulator;
#[cfg(test)]
mod simulator_tests;
mod swc;
#[cfg(test)]
mod tests;
mod theory;
mod tree;

pub use channels::HhChannels;
pub use d_lambda::{ac_length_constant_um, d_lambda_compartments, d_lambda_hints};
pub use hines::hines_solve;
pub use inputs::{CurrentInjection, CurrentWaveform, Synapse, SynapseKind};
pub use morphology::{Attachment, Discretization, Location, Morphology, PathPoint, Section};
pub use passive::{Method, PassiveCable, steady_state, steady_state_clamped};
pub use simulator::{
    CableModel, CableRun, CableSimulator, Recording, first_upward_crossing_ms,
    input_resistance_mohm, simulate, upward_crossings_ms,
};
pub use swc::{SwcError, SwcSection, SwcType, parse_swc};
pub use theory::{FarEnd, UniformCable, infinite_cable_green_mv};
pub use tree::{CableError, Compartment, PassiveMembrane, Tree};

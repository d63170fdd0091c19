//! The analysis of rate models: fixed points, their stability with and without delays,
//! bifurcations along a parameter, phase planes, oscillations and the modes of neural fields
//!
//! ```text
//! τ_i dr_i/dt = −r_i + Φ_i(I_i + Σ_j J_ij r_j(t − D_ij)),   i = 1..n.
//! ```
//! - [`RateNetwork`] holds τ, J, I, the delays D and the transfer functions Φ (those of
//!   [`crate::neuron::rate`]); [`transfer_slope`] gives Φ'.
//! - [`fixed_points`] finds all fixed points by Newton's method from a grid of starts and
//!   classifies each ([`FixedPoint`], [`Classification`]).
//! - [`jacobian`], [`eigenvalues`] and [`classify`] are the pieces, usable at any rates.
//! - [`characteristic_roots`] gives the leading roots of the characteristic equation of a
//!   network with delays (stability with delays); [`delayed_hopf`] the critical coupling and
//!   frequency of one population with delayed self-inhibition.
//! - [`sweep`] follows the fixed points along a parameter and refines the saddle-node and Hopf
//!   bifurcations it passes ([`BifurcationDiagram`]).
//! - [`phase_plane`] draws the nullclines, vector field and trajectories of two populations.
//! - [`measure_oscillation`] measures amplitude and frequency in a simulated trace.
//! - [`field_modes`] gives the homogeneous states of a neural field on a ring or torus and the
//!   growth rate of each Fourier mode around them.
//!
//! This module works on any rate model, independently of the engine: apart from the
//! trajectories of the phase plane, it integrates nothing.

mod continuation;
mod delay;
mod field;
mod fixed_point;
mod network;
mod oscillation;
mod phase_plane;
mod stability;

pub use continuation::{
    Bifurcation, BifurcationDiagram, BifurcationKind, Branch, BranchPoint, SweepOptions,
    SweepPoint, sweep,
};
pub use delay::{CharacteristicRootOptions, DelayedHopf, characteristic_roots, delayed_hopf};
pub use field::{FieldMode, HomogeneousState, field_modes};
pub use fixed_point::{FixedPoint, FixedPointOptions, fixed_points};
pub use nalgebra::{Complex, DMatrix};
pub use network::{DynamicsError, RateNetwork, transfer_slope};
pub use oscillation::{DAMPING_RATIO, Oscillation, RELATIVE_THRESHOLD, measure_oscillation};
pub use phase_plane::{Arrow, PhasePlane, PhasePlaneOptions, Trajectory, phase_plane};
pub use stability::{Classification, classify, eigenvalues, jacobian};

#[cfg(test)]
mod tests;

//! The analysis of rate models: fixed points, Jacobians, eigenvalues and the stability of a
//! network of rate populations
//!
//! ```text
//! τ_i dr_i/dt = −r_i + Φ_i(I_i + Σ_j J_ij r_j),   i = 1..n.
//! ```
//! - [`RateNetwork`] holds τ, J, I and the transfer functions Φ (those of
//!   [`crate::neuron::rate`]); [`transfer_slope`] gives Φ'.
//! - [`fixed_points`] finds all fixed points by Newton's method from a grid of starts and
//!   classifies each ([`FixedPoint`], [`Classification`]).
//! - [`jacobian`], [`eigenvalues`] and [`classify`] are the pieces, usable at any rates.
//!
//! This module works on any rate model, independently of the engine: it integrates nothing.

mod fixed_point;
mod network;
mod stability;

pub use fixed_point::{FixedPoint, FixedPointOptions, fixed_points};
pub use nalgebra::{Complex, DMatrix};
pub use network::{DynamicsError, RateNetwork, transfer_slope};
pub use stability::{Classification, classify, eigenvalues, jacobian};

#[cfg(test)]
mod tests;

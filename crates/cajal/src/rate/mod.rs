//! Rate models: networks of populations described by their mean rate, with delays, and neural
//! fields on a ring or a torus — described, driven and integrated.
//!
//! ```text
//! τ_i ∂r_i(x, t)/∂t = −r_i(x, t) + Φ_i( I_i + I_i^ext(x, t) + Σ_j (J_ij ⋆ r_j)(x, t − D_ij) )
//! ```
//!
//! - [`model`]: the description ([`RateModel`]): populations (a single rate, or a field on a
//!   ring or torus), couplings (a weight or a kernel, and a delay D ≥ 0), the conventions of
//!   the convolution (the mean over the field) and of positions.
//! - [`input`]: external inputs I^ext ([`RateInput`]): the current waveforms and noises of
//!   [`crate::input`], and cosine or Gaussian bumps, at rest or moving, on fields.
//! - [`simulator`]: the integration ([`RateSimulator`], [`simulate`]): exponential time
//!   differencing of second order with the exact leak, delays read from a ring buffer by
//!   linear interpolation (any D, whatever the step), a history for t ≤ 0 ([`History`]), and
//!   convolutions by projection onto a few Fourier modes or by FFT ([`convolution`]).
//!
//! Analysis of fixed points and their stability is in [`crate::dynamics`], reached through
//! [`RateModel::network`].

pub mod convolution;
pub mod input;
pub mod model;
pub mod simulator;

pub use convolution::MAX_MODES;
pub use input::{BumpShape, RateInput, RateInputKind};
pub use model::{
    CouplingStrength, Geometry, Kernel, RateCoupling, RateError, RateModel, RatePopulation,
};
pub use simulator::{
    History, MAX_RECORDED_VALUES, RateRecording, RateSimulation, RateSimulator, simulate,
};

#[cfg(test)]
mod tests;

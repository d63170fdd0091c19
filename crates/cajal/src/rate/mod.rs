//! Rate models: networks of populations described by their mean rate, with delays, and neural
//! fields on a ring or a torus.
//!
//! [`RateModel`] describes a model (see [`model`] for the equations and conventions).

pub mod model;

pub use model::{
    CouplingStrength, Geometry, Kernel, RateCoupling, RateError, RateModel, RatePopulation,
};

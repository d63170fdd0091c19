//! Closed forms and predictions the simulations are checked against and shown beside.

pub mod balance;
pub mod lif;
pub mod mean_field;
pub mod prediction;
pub mod quadrature;
pub mod reduction;
pub mod siegert;
pub mod stability;

#[cfg(test)]
mod simulated_tests;

//! Model files: TOML with physical units, read into checked descriptions. Every error
//! names the file, line and column, the key, what was expected and what was found.

// A SpecError carries everything a front end needs to show the problem (about 200 bytes).
// It is returned once per failed read, never in a loop, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod cable_model;
pub mod document;
pub mod error;
pub mod model;
pub mod rate_model;
pub mod reader;

pub use cable_model::{
    CableModelSpec, CableRecords, CableSimulation, TraceSpec, VelocitySpec, is_cable_model,
    read_cable_model, read_cable_model_file,
};
pub use document::{Source, parse_document};
pub use error::SpecError;
pub use model::{ModelSpec, read_model, read_model_file};
pub use rate_model::{
    ModelFile, RateModelDocument, RateModelSpec, read_any_model, read_any_model_file,
    read_rate_model,
};
pub use reader::TableReader;

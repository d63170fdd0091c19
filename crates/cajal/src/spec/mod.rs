//! Model files: TOML with physical units, read into checked descriptions. Every error
//! names the file, line and column, the key, what was expected and what was found.

pub mod document;
pub mod error;
pub mod model;
pub mod reader;

pub use document::{Source, parse_document};
pub use error::SpecError;
pub use reader::TableReader;
pub use model::{ModelSpec, read_model, read_model_file};

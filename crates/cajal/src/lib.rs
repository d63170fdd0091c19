//! cajal: a simulator for computational neuroscience, from single neurons to network
//! dynamics.
//!
//! The library holds the models, the engine and the analysis; it prints nothing, plots
//! nothing and decides no file names (the `cajal` executable does that). A run flows one way:
//! a model file is read and checked by [`spec`] into a [`spec::ModelSpec`], [`engine`] steps it,
//! and recorders ([`record`]) collect spikes and traces.

pub mod binary;
pub mod cable;
pub mod connect;
pub mod csv_rows;
pub mod distribution;
pub mod dynamics;
pub mod engine;
pub mod fastmath;
pub mod fi;
pub mod input;
pub mod memory;
pub mod neuron;
pub mod parameters;
pub mod rate;
pub mod record;
pub mod rng;
pub mod spec;
pub mod spike_file;
pub mod stats;
pub mod synapse;
pub mod theory;
pub mod units;

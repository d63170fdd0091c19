//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// cajal — a simulator for computational neuroscience, from single neurons to networks.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the built-in demo (a Brunel network of 5,000 LIF neurons in the asynchronous
    /// irregular state) and write its data and plots.
    Demo {
        /// Where to write the outputs.
        #[arg(short, long, default_value = "cajal-demo")]
        output: PathBuf,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Threads (default and maximum: the number of cores). Results do not depend on it.
        #[arg(short = 'j', long)]
        threads: Option<usize>,
    },
    /// Run a model file: writes data (.npy and CSV), plots (SVG and PNG) and summary.json.
    Run {
        /// The model file (TOML).
        model: PathBuf,
        /// Output directory (default: the model file's name with `_output`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Threads (default and maximum: the number of cores). Results do not depend on it.
        #[arg(short = 'j', long)]
        threads: Option<usize>,
        /// Simulate this long instead of the model's duration (e.g. `100ms`), for a quick look.
        #[arg(long)]
        duration: Option<String>,
    },
    /// Simulate the f–I curve of a model's neuron (one curve per value of `--vary`).
    Fi(FiOptions),
    /// List the shipped example models, or print one to copy and edit.
    Examples {
        /// The example to print (e.g. `hh_step`).
        name: Option<String>,
    },
}

/// Options of `cajal fi`.
#[derive(Args, Debug)]
pub struct FiOptions {
    /// The model file; its `[fi]` table gives defaults for the options below.
    pub model: PathBuf,
    /// Currents as START:STOP:STEP with a unit, e.g. `0:20:0.5uA/cm^2` or `0:1000:25pA`.
    #[arg(long)]
    pub currents: Option<String>,
    /// A parameter to sweep, NAME=V1,V2,...UNIT, e.g. `leak_conductance=0.1,0.2,0.3mS/cm^2`.
    #[arg(long)]
    pub vary: Option<String>,
    /// Print the curves as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Output directory for fi.csv and the plot (default: `<model>_fi`).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// No progress messages.
    #[arg(short, long)]
    pub quiet: bool,
}

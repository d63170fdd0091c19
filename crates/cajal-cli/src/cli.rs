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
        /// Threads (default and maximum: the number of cores; one by default for networks
        /// of fewer than 2000 neurons). Results do not depend on it.
        #[arg(short = 'j', long)]
        threads: Option<usize>,
        /// Simulate this long instead of the model's duration (e.g. `100ms`), for a quick look.
        #[arg(long)]
        duration: Option<String>,
    },
    /// Simulate the f–I curve of a model's neuron (one curve per value of `--vary`).
    Fi(FiOptions),
    /// Spike-train statistics of spike files (CSV, .npy) or cajal output directories: rates,
    /// ISI CV, CV2, LV, Fano factors, population activity and its spectrum, correlations,
    /// PSTH, membrane-potential statistics; beside each, a Poisson process of the same rate.
    Stats(Box<StatsOptions>),
    /// Analyse a rate model: fixed points and their stability (with delays: the roots of the
    /// characteristic equation), field modes, a bifurcation diagram along one parameter
    /// (`--sweep`), phase line or plane; figures and analysis.json in the output directory.
    Analyze(AnalyzeOptions),
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
    /// White noise on every current: its standard deviation with a unit, e.g. `50pA`
    /// (the time scale that defines it comes from `[fi] noise`, else 1 ms). For a LIF the
    /// Siegert rate is shown beside the simulated one.
    #[arg(long)]
    pub noise: Option<String>,
    /// Neurons simulated per current, each with its own noise (default: `[fi] neurons`, else
    /// 1 without noise and 100 with).
    #[arg(long)]
    pub neurons: Option<usize>,
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

/// Options of `cajal analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeOptions {
    /// The rate model (every population `model = "rate"`).
    pub model: PathBuf,
    /// Sweep one numeric key of the model file, PATH=START:STOP:STEP, e.g.
    /// `population.E.input=0:5:0.05`, `coupling.E.I=-20:0:0.2` or `delay.I.I=1:4:0.1` (a
    /// quantity keeps its unit): saddle-node and Hopf points, and limit cycles simulated
    /// where no fixed point is stable.
    #[arg(long)]
    pub sweep: Option<String>,
    /// Print the analysis as JSON (schema in the README) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Output directory for the figures and analysis.json (default: `<model>_analysis`).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Options of `cajal stats`.
#[derive(Args, Debug)]
pub struct StatsOptions {
    /// Spike files (CSV with a header such as `neuron,time_ms`, or .npy rows of neuron,
    /// time) or output directories of `cajal run`.
    #[arg(required = true)]
    pub spikes: Vec<PathBuf>,
    /// Print the statistics as JSON (schema in the README) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The unit of the times in files whose header does not say it, and of .npy files
    /// (e.g. `ms`, `s`).
    #[arg(long)]
    pub time_unit: Option<String>,
    /// Start of the observation window (e.g. `0s`); default: 0, or the first spike if
    /// earlier (a run's output: 0).
    #[arg(long)]
    pub t_start: Option<String>,
    /// End of the observation window (e.g. `10s`); default: the last spike (a run's output:
    /// its duration).
    #[arg(long)]
    pub t_stop: Option<String>,
    /// Number of neurons of a plain file, numbered 0..N, so that neurons without spikes
    /// count; default: the neurons that spike.
    #[arg(long)]
    pub neurons: Option<u32>,
    /// Window of the spike counts of the Fano factor reported per neuron.
    #[arg(long, default_value = "1s")]
    pub fano_window: String,
    /// Further Fano-factor windows reported for the population, comma-separated.
    #[arg(long, default_value = "10ms,100ms,1s")]
    pub fano_windows: String,
    /// Bin of the population activity and of its power spectrum.
    #[arg(long, default_value = "1ms")]
    pub bin: String,
    /// Bin of the spike counts whose pairwise correlation coefficients are reported.
    #[arg(long, default_value = "10ms")]
    pub correlation_bin: String,
    /// Most neuron pairs sampled for the correlation coefficients.
    #[arg(long, default_value_t = 1000)]
    pub pairs: usize,
    /// Seed of the sample of pairs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stimulus times for a PSTH: a CSV or .npy file of times, or a comma-separated list
    /// with a unit (e.g. `100ms,600ms,1.1s`).
    #[arg(long)]
    pub stimulus_times: Option<String>,
    /// The PSTH's window around each stimulus, BEFORE:AFTER (e.g. `-50ms:200ms`).
    #[arg(long, default_value = "-50ms:200ms", allow_hyphen_values = true)]
    pub psth_window: String,
    /// The PSTH's bin.
    #[arg(long, default_value = "5ms")]
    pub psth_bin: String,
    /// Write the figures (raster, population rate, ISI, rate and CV histograms, spectrum,
    /// PSTH) as SVG and PNG to this directory, with statistics.json.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The raster's time window, START:STOP (e.g. `0s:2s`); default: the first 2 s.
    #[arg(long)]
    pub raster_window: Option<String>,
}

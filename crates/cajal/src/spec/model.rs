//! The model-file schema: what a `.toml` model may say, read into a checked [`ModelSpec`].
//!
//! ```toml
//! [simulation]
//! duration = "500 ms"          # required
//! dt = "0.025 ms"              # default: the smallest recommended step of the models used
//! seed = 1                     # default 0
//!
//! [population.cell]            # any name
//! model = "hh"                 # lif | eif | qif | hh | rate | poisson | spike_times
//! size = 1                     # default 1
//! leak_conductance = "0.3 mS/cm^2"   # parameters by name or textbook symbol, with units
//! g_K = { distribution = "uniform", low = "30 mS/cm^2", high = "40 mS/cm^2" }  # or per
//!                              # neuron: a distribution or { file = "g_K.npy" } (heterogeneity)
//!
//! [[input]]
//! target = "cell"
//! kind = "step"                # constant | step | steps | pulse_train | ramp | timeseries
//! amplitude = "10 uA/cm^2"     #   | white_noise | ou_noise | poisson | pattern
//! start = "100 ms"
//! stop = "400 ms"
//!
//! [[record]]
//! kind = "trace"               # spikes | trace | activity
//! population = "cell"
//! variables = ["v", "m", "h", "n"]
//! interval = "0.1 ms"
//!
//! [fi]                         # optional: how `cajal fi` sweeps this model
//! population = "cell"
//! currents = { start = "0 uA/cm^2", stop = "20 uA/cm^2", step = "0.5 uA/cm^2" }
//! duration = "1000 ms"
//! ```
//!
//! Everything is checked here, before anything is built: dimensions, ranges, names of
//! populations and variables, dt against the duration and the models. An error carries the
//! file, line, column and key.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::document::{Node, Source, Value, parse_document};
use super::error::{SpecError, closest};
use super::reader::{Located, TableReader, quantity_from_node, read_distribution};
use crate::connect::{Cue, Layout, Learning, PatternRule, Patterns, Rule};
use crate::distribution::Distribution;
use crate::input::{
    InputKind, Interpolation, PoissonSynapse, RateProfile, TimeSeries, read_time_series,
};
use crate::neuron::binary::{self, States};
use crate::neuron::hh::{self, HhParameters, HodgkinHuxley};
use crate::neuron::lif::{self, Lif, LifParameters, SpikeTiming};
use crate::neuron::nonlinear_if::{self, NonlinearIf, NonlinearIfParameters};
use crate::neuron::poisson::{MAX_MEAN_PER_STEP, PoissonSource};
use crate::neuron::rate::{self, RateUnit, TransferFunction};
use crate::neuron::spike_times::SpikeTimes;
use crate::neuron::{NeuronModel, VariableDef};
use crate::parameters::{ParameterProblem, ParameterSet};
use crate::units::{Dimension, Unit};

/// The neuron models a population may use.
pub const MODEL_NAMES: &[&str] = &[
    "lif",
    "eif",
    "qif",
    "hh",
    "rate",
    "poisson",
    "spike_times",
    "binary",
];

/// The input kinds an `[[input]]` may be.
pub const INPUT_KINDS: &[&str] = &[
    "constant",
    "step",
    "steps",
    "pulse_train",
    "ramp",
    "timeseries",
    "white_noise",
    "ou_noise",
    "poisson",
    "pattern",
];

/// A checked model file.
#[derive(Clone, Debug)]
pub struct ModelSpec {
    /// The file it came from.
    pub source: Source,
    /// Duration, step and seed.
    pub simulation: SimulationSpec,
    /// The populations, in file order.
    pub populations: Vec<PopulationSpec>,
    /// External inputs.
    pub inputs: Vec<InputSpec>,
    /// What to record (defaults filled in when the file says nothing).
    pub records: Vec<RecordSpec>,
    /// The weights of plastic projections to record (`[[record]] kind = "weights"`), apart
    /// from [`Self::records`] because only the spiking engine has plastic synapses.
    pub weight_records: Vec<WeightRecordSpec>,
    /// The f–I sweep, if the file declares one.
    pub fi: Option<FiSpec>,
    /// Synaptic projections between populations.
    pub projections: Vec<ProjectionSpec>,
    /// How a network of binary neurons updates (`[simulation] update`); `None` for other
    /// models.
    pub update: Option<UpdateOrder>,
}

/// The order in which the neurons of a binary network update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOrder {
    /// Random sequential: each neuron at the events of its own Poisson process of rate 1/τ.
    Asynchronous,
    /// All neurons at once, from the same input field, every dt.
    Synchronous,
}

impl UpdateOrder {
    /// The names of the `update` key, in the order of the variants.
    pub const NAMES: &[&str] = &["asynchronous", "synchronous"];
}

/// How a spike acts on its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SynapseSpec {
    /// The membrane potential jumps by the weight (mV).
    Delta,
    /// The weight (a current) is added to a synaptic current decaying with this time constant.
    Exponential {
        /// τ_syn (ms).
        time_constant_ms: f64,
    },
    /// A spike of weight w (a current) gives w·(t/τ)·e^(1 − t/τ): peak w at t = τ.
    Alpha {
        /// τ (ms), the time to peak.
        time_constant_ms: f64,
    },
    /// A spike of weight w (a current) gives w·N·(e^(−t/τ_d) − e^(−t/τ_r)), N making the
    /// peak w.
    DifferenceOfExponentials {
        /// τ_r (ms), shorter than τ_d.
        rise_time_constant_ms: f64,
        /// τ_d (ms).
        decay_time_constant_ms: f64,
    },
    /// The weight (a conductance, nS) is added to a conductance decaying with this time
    /// constant, which drives the current g·(E_rev − V).
    ConductanceExponential {
        /// τ_syn (ms).
        time_constant_ms: f64,
        /// E_rev (mV).
        reversal_potential: f64,
    },
    /// A spike of weight w (a conductance, nS) gives g(t) = w·(t/τ)·e^(1 − t/τ), peak w at
    /// t = τ, which drives the current g·(E_rev − V).
    ConductanceAlpha {
        /// τ (ms), the time to peak.
        time_constant_ms: f64,
        /// E_rev (mV).
        reversal_potential: f64,
    },
}

impl SynapseSpec {
    /// The names of the model file's `synapse` key, in the order of the variants.
    pub const NAMES: &[&str] = &[
        "delta",
        "exponential",
        "alpha",
        "difference_of_exponentials",
        "conductance_exponential",
        "conductance_alpha",
    ];

    /// Whether the synapse acts through a conductance.
    pub fn is_conductance(&self) -> bool {
        matches!(
            self,
            SynapseSpec::ConductanceExponential { .. } | SynapseSpec::ConductanceAlpha { .. }
        )
    }
}

/// One `[[projection]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionSpec {
    /// Source population index.
    pub source: usize,
    /// Target population index.
    pub target: usize,
    /// The connection rule.
    pub rule: Rule,
    /// Whether a neuron may connect to itself (when source and target are the same).
    pub autapses: bool,
    /// The synaptic weight (mV for delta synapses, the target's current unit, or nS for
    /// conductances); where weights vary per synapse, their mean.
    pub weight: f64,
    /// The distribution each synapse's weight is drawn from, if they vary.
    pub weight_distribution: Option<Distribution>,
    /// The delay in steps (at least 1); where delays vary per synapse, the longest.
    pub delay_steps: u64,
    /// The distribution each synapse's delay is drawn from (ms), if they vary.
    pub delay_distribution: Option<Distribution>,
    /// The kernel.
    pub synapse: SynapseSpec,
    /// The initial conductance of the target's receptor (conductance synapses only).
    pub initial_conductance: Option<Distribution>,
    /// Spike-timing-dependent plasticity of the weights, if the projection is plastic.
    pub plasticity: Option<PlasticitySpec>,
}

/// `[simulation]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimulationSpec {
    /// Biological time simulated (ms).
    pub duration_ms: f64,
    /// Time step (ms).
    pub dt_ms: f64,
    /// Number of steps, duration/dt.
    pub steps: u64,
    /// Seed of every random stream.
    pub seed: u64,
}

/// The most time steps a run may take (10^15: over three years of biological time at
/// dt = 0.1 ms), so that step counts never overflow.
const MAX_STEPS: f64 = 1e15;

impl SimulationSpec {
    /// Changes the duration (ms), which must be a positive whole number of steps.
    pub fn set_duration(&mut self, duration_ms: f64) -> Result<(), String> {
        let steps = (duration_ms / self.dt_ms).round();
        if !duration_ms.is_finite()
            || duration_ms <= 0.0
            || steps < 1.0
            || (steps * self.dt_ms - duration_ms).abs() > 1e-9 * duration_ms
            || steps > MAX_STEPS
        {
            return Err(format!(
                "the duration must be a positive multiple of dt = {} ms of at most 10^15 steps, not {duration_ms} ms",
                self.dt_ms
            ));
        }
        self.duration_ms = duration_ms;
        self.steps = steps as u64;
        Ok(())
    }
}

/// Which neuron model a population uses, with its checked parameters.
#[derive(Clone, Debug)]
pub enum NeuronSpec {
    /// `lif`.
    Lif {
        /// Declared by [`lif::PARAMETERS`].
        parameters: ParameterSet,
        /// Grid or precise spike times.
        timing: SpikeTiming,
    },
    /// `eif`.
    Eif(ParameterSet),
    /// `qif`.
    Qif(ParameterSet),
    /// `hh`.
    HodgkinHuxley(ParameterSet),
    /// `rate`.
    Rate {
        /// Declared by [`rate::PARAMETERS`].
        parameters: ParameterSet,
        /// The transfer function's kind.
        transfer_kind: &'static str,
        /// Its parameters.
        transfer: ParameterSet,
    },
    /// `binary`: neurons that are active or not, simulated by [`crate::binary`].
    Binary {
        /// Declared by [`binary::PARAMETERS`].
        parameters: ParameterSet,
        /// 0/1 or ±1.
        states: States,
    },
    /// `poisson`: spike sources without a membrane.
    PoissonSource {
        /// The rate of every source.
        rate: RateProfile,
        /// Where the rate is written.
        rate_span: Range<usize>,
        /// No parameters: the rate may be a profile, which a parameter cannot hold.
        parameters: ParameterSet,
    },
    /// `spike_times`: spike sources that emit given times.
    SpikeTimes {
        /// Each neuron's spike times (ms).
        times: Arc<Vec<Vec<f64>>>,
        /// Where the times are written.
        times_span: Range<usize>,
        /// No parameters.
        parameters: ParameterSet,
    },
}

impl NeuronSpec {
    /// The model's name in model files.
    pub fn name(&self) -> &'static str {
        match self {
            NeuronSpec::Lif { .. } => "lif",
            NeuronSpec::Eif(_) => "eif",
            NeuronSpec::Qif(_) => "qif",
            NeuronSpec::HodgkinHuxley(_) => "hh",
            NeuronSpec::Rate { .. } => "rate",
            NeuronSpec::PoissonSource { .. } => "poisson",
            NeuronSpec::SpikeTimes { .. } => "spike_times",
            NeuronSpec::Binary { .. } => "binary",
        }
    }

    /// The largest step the model integrates accurately with (its default dt, ms): the
    /// exact LIF and rate updates are limited only by the resolution of spike times and
    /// inputs; HH needs 0.025 ms for 1% accuracy of the action potential with RK4; the fast
    /// upstroke of EIF/QIF needs 0.01 ms.
    pub fn recommended_dt_ms(&self) -> f64 {
        match self {
            NeuronSpec::Lif { .. }
            | NeuronSpec::Rate { .. }
            | NeuronSpec::PoissonSource { .. }
            | NeuronSpec::SpikeTimes { .. } => 0.1,
            NeuronSpec::HodgkinHuxley(_) => 0.025,
            NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => 0.01,
            // The update interval of synchronous updates, the resolution of recorded activity
            // of asynchronous ones: a tenth of the default τ.
            NeuronSpec::Binary { .. } => 1.0,
        }
    }

    /// The largest step allowed at all (ms): beyond it the explicit integration of HH,
    /// EIF and QIF is unstable or meaningless.
    pub fn maximum_dt_ms(&self) -> f64 {
        match self {
            NeuronSpec::Lif { .. }
            | NeuronSpec::Rate { .. }
            | NeuronSpec::PoissonSource { .. }
            | NeuronSpec::SpikeTimes { .. }
            | NeuronSpec::Binary { .. } => f64::INFINITY,
            NeuronSpec::HodgkinHuxley(_) => 0.1,
            NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => 0.1,
        }
    }

    /// The parameter set that `--vary` and overrides change.
    pub fn parameters_mut(&mut self) -> &mut ParameterSet {
        match self {
            NeuronSpec::Lif { parameters, .. } => parameters,
            NeuronSpec::Eif(parameters)
            | NeuronSpec::Qif(parameters)
            | NeuronSpec::HodgkinHuxley(parameters) => parameters,
            NeuronSpec::Rate { parameters, .. }
            | NeuronSpec::PoissonSource { parameters, .. }
            | NeuronSpec::SpikeTimes { parameters, .. }
            | NeuronSpec::Binary { parameters, .. } => parameters,
        }
    }

    /// The parameter set of the neuron model.
    pub fn parameters(&self) -> &ParameterSet {
        match self {
            NeuronSpec::Lif { parameters, .. } => parameters,
            NeuronSpec::Eif(parameters)
            | NeuronSpec::Qif(parameters)
            | NeuronSpec::HodgkinHuxley(parameters) => parameters,
            NeuronSpec::Rate { parameters, .. }
            | NeuronSpec::PoissonSource { parameters, .. }
            | NeuronSpec::SpikeTimes { parameters, .. }
            | NeuronSpec::Binary { parameters, .. } => parameters,
        }
    }

    /// The dimension of the external input the model takes.
    pub fn input_dimension(&self) -> Dimension {
        match self {
            NeuronSpec::Lif { .. } | NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => Dimension::CURRENT,
            NeuronSpec::HodgkinHuxley(_) => Dimension::CURRENT_DENSITY,
            NeuronSpec::Rate {
                transfer_kind,
                transfer,
                ..
            } => TransferFunction::from_set(transfer_kind, transfer)
                .map(|t| t.input_dimension())
                .unwrap_or(Dimension::DIMENSIONLESS),
            // It receives no input; the reader refuses any.
            NeuronSpec::PoissonSource { .. } | NeuronSpec::SpikeTimes { .. } => {
                Dimension::DIMENSIONLESS
            }
            // Inputs, weights and thresholds of binary neurons are pure numbers.
            NeuronSpec::Binary { .. } => Dimension::DIMENSIONLESS,
        }
    }

    /// The recordable variables.
    pub fn variables(&self) -> &'static [VariableDef] {
        match self {
            NeuronSpec::Lif { .. } => lif::VARIABLES,
            NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => nonlinear_if::VARIABLES,
            NeuronSpec::HodgkinHuxley(_) => hh::VARIABLES,
            NeuronSpec::Rate {
                transfer_kind,
                transfer,
                parameters,
            } => match TransferFunction::from_set(transfer_kind, transfer) {
                Ok(t) => RateUnit::new(t, parameters.value("time_constant"), 0.0, 0).variables(),
                Err(_) => &[],
            },
            NeuronSpec::PoissonSource { .. } | NeuronSpec::SpikeTimes { .. } => &[],
            NeuronSpec::Binary { .. } => binary::VARIABLES,
        }
    }

    /// Whether the model emits spikes (a binary neuron's up-transitions count as its spikes).
    pub fn is_spiking(&self) -> bool {
        !matches!(self, NeuronSpec::Rate { .. })
    }

    /// Whether the population is a set of spike sources, which neither integrate input nor
    /// have state: they cannot be the target of inputs or projections, nor be traced.
    pub fn is_source(&self) -> bool {
        matches!(
            self,
            NeuronSpec::PoissonSource { .. } | NeuronSpec::SpikeTimes { .. }
        )
    }

    /// Whether the population is made of binary neurons, which the spiking engine does not run.
    pub fn is_binary(&self) -> bool {
        matches!(self, NeuronSpec::Binary { .. })
    }

    /// The LIF parameters, for models with a closed-form f–I curve.
    pub fn lif_parameters(&self) -> Option<LifParameters> {
        match self {
            NeuronSpec::Lif { parameters, .. } => LifParameters::from_set(parameters).ok(),
            _ => None,
        }
    }

    /// Builds `size` neurons of this model for steps of `dt_ms`.
    pub fn build(&self, size: usize, dt_ms: f64) -> Result<NeuronModel, ParameterProblem> {
        Ok(match self {
            NeuronSpec::Lif { parameters, timing } => NeuronModel::Lif(Lif::new(
                LifParameters::from_set(parameters)?,
                *timing,
                size,
                dt_ms,
            )?),
            NeuronSpec::Eif(parameters) => NeuronModel::NonlinearIf(NonlinearIf::new(
                NonlinearIfParameters::exponential(parameters)?,
                size,
                dt_ms,
            )?),
            NeuronSpec::Qif(parameters) => NeuronModel::NonlinearIf(NonlinearIf::new(
                NonlinearIfParameters::quadratic(parameters)?,
                size,
                dt_ms,
            )?),
            NeuronSpec::HodgkinHuxley(parameters) => NeuronModel::HodgkinHuxley(
                HodgkinHuxley::new(HhParameters::from_set(parameters)?, size),
            ),
            NeuronSpec::Rate {
                parameters,
                transfer_kind,
                transfer,
            } => NeuronModel::Rate(RateUnit::new(
                TransferFunction::from_set(transfer_kind, transfer)?,
                parameters.value("time_constant"),
                parameters.value("initial_rate"),
                size,
            )),
            NeuronSpec::PoissonSource { rate, .. } => {
                NeuronModel::PoissonSource(PoissonSource::new(rate.clone(), size, dt_ms))
            }
            NeuronSpec::SpikeTimes { times, .. } => {
                NeuronModel::SpikeTimes(SpikeTimes::new(&times[..size.min(times.len())], dt_ms))
            }
            NeuronSpec::Binary { .. } => {
                return Err(ParameterProblem {
                    parameter: "model",
                    message: "binary neurons are simulated by the binary simulator \
                              (cajal::binary), not by the spiking engine"
                        .into(),
                });
            }
        })
    }

    /// Bytes of state per neuron, for the memory estimate.
    pub fn bytes_per_neuron(&self) -> usize {
        match self {
            NeuronSpec::Lif { .. } => 24,
            NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => 16,
            NeuronSpec::HodgkinHuxley(_) => 40,
            NeuronSpec::Rate { .. } => 8,
            // The counter-based key of each source.
            NeuronSpec::PoissonSource { .. } => 8,
            // Its spikes (step and neuron) are not known per neuron; a few per neuron.
            NeuronSpec::SpikeTimes { .. } => 16,
            // State, input field and its integer counts, per-neuron mean activity.
            NeuronSpec::Binary { .. } => 24,
        }
    }
}

/// `[population.NAME]`.
#[derive(Clone, Debug)]
pub struct PopulationSpec {
    /// The table's name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// The model and its parameters.
    pub neuron: NeuronSpec,
    /// Parameters and initial conditions whose values differ between neurons, in the
    /// order of the model's parameter list (see [`heterogeneity`]).
    pub varying: Vec<VaryingParameter>,
    /// Where its neurons sit, for distance-dependent connections.
    pub layout: Option<Layout>,
    /// The patterns it stores, for the `patterns` connection rule, cues and overlaps.
    pub patterns: Option<Arc<Patterns>>,
    /// A cued initial state (`initial = { pattern = 3, flip = 0.1 }`), for binary neurons.
    pub initial_cue: Option<Cue>,
    /// Where the population's table starts in the file.
    pub span: Range<usize>,
}

/// One `[[input]]`.
#[derive(Clone, Debug)]
pub struct InputSpec {
    /// Index of the target population.
    pub population: usize,
    /// Target neurons (indices into the population).
    pub neurons: Vec<u32>,
    /// What the input is; amplitudes in the target model's input unit.
    pub kind: InputKind,
    /// Start of the window in which it acts (ms).
    pub start_ms: f64,
    /// End of that window (ms; infinite if open).
    pub stop_ms: f64,
    /// The synaptic time constant of an exponential or alpha Poisson input (ms).
    pub receptor_time_constant_ms: Option<f64>,
    /// The cue of a `pattern` input: its neurons are the cued ones, its kind a constant
    /// current during the window.
    pub cue: Option<Cue>,
    /// Where the input's table is in the file.
    pub span: Range<usize>,
}

/// One `[[record]]`.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordSpec {
    /// Spike times of some neurons of a population.
    Spikes {
        /// Population index.
        population: usize,
        /// Recorded neurons; `None` for all.
        neurons: Option<Vec<u32>>,
    },
    /// Samples of state variables.
    Trace {
        /// Population index.
        population: usize,
        /// Indices into the model's variables.
        variables: Vec<usize>,
        /// Recorded neurons.
        neurons: Vec<u32>,
        /// Steps between samples.
        interval_steps: u64,
    },
    /// Population activity ν(t) of a whole population in bins.
    Activity {
        /// Population index.
        population: usize,
        /// Steps per bin.
        bin_steps: u64,
    },
}

/// `[fi]`: an f–I sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct FiSpec {
    /// Population whose model is swept (its size is ignored: one neuron per current).
    pub population: usize,
    /// Constant currents (model input unit).
    pub currents: Vec<f64>,
    /// Length of each trial (ms).
    pub duration_ms: f64,
    /// Initial part not counted in the rate (ms).
    pub transient_ms: f64,
    /// Optional parameter sweep: one curve per value.
    pub vary: Option<ParameterSweep>,
    /// White noise added to every current, if any.
    pub noise: Option<FiNoise>,
    /// Neurons simulated per current (independent noise each): 1 without noise.
    pub neurons_per_current: usize,
}

/// `[fi] noise = { std, time_scale }`: Gaussian white noise σ√τ ξ(t) added to each
/// neuron's current, as a `white_noise` input with mean 0 — for a LIF a membrane noise
/// σ_V = R σ √(τ/τ_m).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FiNoise {
    /// σ: the standard deviation of the current averaged over `time_scale_ms` (model input
    /// unit).
    pub std: f64,
    /// τ: the averaging time that defines σ (ms).
    pub time_scale_ms: f64,
}

/// One curve per value of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterSweep {
    /// The parameter's name (as declared by the model).
    pub parameter: String,
    /// Values in working units.
    pub values: Vec<f64>,
}

/// Reads and checks a model file.
pub fn read_model_file(path: &Path) -> Result<ModelSpec, SpecError> {
    let source = read_source(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    read_model(source, &base)
}

/// The text of a model file, named by its path.
pub(super) fn read_source(path: &Path) -> Result<Source, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        let source = Source::new(path.display().to_string(), "");
        SpecError::new(
            &source,
            0..0,
            format!("cannot read the model file: {error}"),
        )
    })?;
    Ok(Source::new(path.display().to_string(), text))
}

/// Reads and checks a model from text; relative data-file paths are resolved against
/// `base_directory`.
///
/// A file in which every population is a rate population is read as a network of independent
/// rate units; an error about it adds that such a file is a rate model, read by
/// [`super::read_any_model`] (see [`super::rate_model`]).
pub fn read_model(source: Source, base_directory: &Path) -> Result<ModelSpec, SpecError> {
    let root_node = parse_document(&source)?;
    read_parsed_model(source, &root_node, base_directory).map_err(|mut error| {
        if super::rate_model::is_rate_model(&root_node) {
            let note = "every population here is a rate population: this is a rate model \
                        (couplings, fields, delays), which spec::read_any_model reads";
            error.hint = Some(match error.hint.take() {
                Some(hint) => format!("{hint}\n  {note}"),
                None => note.to_string(),
            });
        }
        error
    })
}

/// Checks a model whose text `source` has already been parsed into `root_node`.
pub(super) fn read_parsed_model(
    source: Source,
    root_node: &Node,
    base_directory: &Path,
) -> Result<ModelSpec, SpecError> {
    let mut root = TableReader::root(&source, root_node)?;
    let mut simulation = root.table("simulation")?.ok_or_else(|| {
        root.error_here("missing [simulation] table")
            .expected("[simulation] with duration = \"1000 ms\"")
    })?;
    let duration = simulation.required_quantity("duration", Dimension::TIME)?;
    let dt = simulation.quantity("dt", Dimension::TIME)?;
    let seed = simulation.unsigned("seed")?.map_or(0, |s| s.value);
    let update = simulation.choice("update", UpdateOrder::NAMES)?;
    let simulation_span = simulation.span();
    simulation.finish()?;

    let populations = read_populations(&mut root, base_directory, seed)?;
    let update = binary_update(&source, &populations, update)?;
    let dt_ms = match &dt {
        Some(dt) => dt.value,
        None if update.is_some() => NeuronSpec::Binary {
            parameters: ParameterSet::defaults(binary::PARAMETERS),
            states: States::ZeroOne,
        }
        .recommended_dt_ms(),
        None => populations
            .iter()
            .map(|p| p.neuron.recommended_dt_ms())
            .fold(0.1, f64::min),
    };
    let simulation = check_timing(
        &source,
        duration,
        dt.as_ref(),
        dt_ms,
        seed,
        &populations,
        simulation_span,
    )?;
    check_sources(&source, &populations, simulation.dt_ms)?;

    let context = Context {
        source: &source,
        populations: &populations,
        simulation,
        base_directory,
    };
    let inputs = match root.array("input")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| read_input(&context, node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    // Projections before records: a weight record names a plastic projection.
    let projections = match root.array("projection")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| read_projection(&context, node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let (records, weight_records) = match root.array("record")? {
        Some(items) => {
            let (mut records, mut weight_records) = (Vec::new(), Vec::new());
            for (index, node) in items.value.iter().enumerate() {
                match read_record(&context, &projections, node, index)? {
                    Record::Population(record) => records.push(record),
                    Record::Weights(record) => weight_records.push(record),
                }
            }
            (records, weight_records)
        }
        None => (default_records(&populations), Vec::new()),
    };
    let fi = match root.table("fi")? {
        Some(table) => Some(read_fi(&context, table)?),
        None => None,
    };
    root.finish()?;
    Ok(ModelSpec {
        source,
        simulation,
        populations,
        inputs,
        records,
        weight_records,
        fi,
        projections,
        update,
    })
}

/// The update order of a binary network (asynchronous unless `update` says otherwise), or
/// `None` for a network without binary populations; binary and other populations cannot be
/// mixed, and `update` means nothing to other models.
fn binary_update(
    source: &Source,
    populations: &[PopulationSpec],
    update: Option<Located<&'static str>>,
) -> Result<Option<UpdateOrder>, SpecError> {
    let binary = populations.iter().filter(|p| p.neuron.is_binary()).count();
    if binary == 0 {
        return match update {
            Some(update) => Err(SpecError::new(
                source,
                update.span,
                "`update` chooses how binary neurons update; this model has none",
            )
            .with_key("simulation.update")
            .expected("no `update` key (or model = \"binary\" populations)")
            .found(format!("\"{}\"", update.value))),
            None => Ok(None),
        };
    }
    if let Some(other) = populations.iter().find(|p| !p.neuron.is_binary()) {
        let first = populations
            .iter()
            .find(|p| p.neuron.is_binary())
            .expect("counted above");
        return Err(SpecError::new(
            source,
            other.span.clone(),
            format!(
                "population `{}` is a {} population but `{}` is binary: binary neurons have \
                 no membrane and no spikes to exchange, so a network is either all binary or \
                 not binary at all",
                other.name,
                other.neuron.name(),
                first.name
            ),
        )
        .with_key(format!("population.{}.model", other.name))
        .expected("model = \"binary\"")
        .found(format!("\"{}\"", other.neuron.name())));
    }
    Ok(Some(match update.map(|u| u.value) {
        Some("synchronous") => UpdateOrder::Synchronous,
        _ => UpdateOrder::Asynchronous,
    }))
}

struct Context<'a> {
    source: &'a Source,
    populations: &'a [PopulationSpec],
    simulation: SimulationSpec,
    base_directory: &'a Path,
}

impl Context<'_> {
    /// The index of the population a key names.
    fn population(&self, reader: &mut TableReader, key: &'static str) -> Result<usize, SpecError> {
        let name = reader.required_string(key, "\"<population name>\"")?;
        self.populations
            .iter()
            .position(|p| p.name == name.value)
            .ok_or_else(|| {
                let known: Vec<&str> = self.populations.iter().map(|p| p.name.as_str()).collect();
                let mut error = reader
                    .error_at(
                        key,
                        name.span.clone(),
                        format!("no population named `{}`", name.value),
                    )
                    .expected(format!("one of {}", known.join(", ")))
                    .found(format!("\"{}\"", name.value));
                if let Some(near) = closest(&name.value, known.iter().copied()) {
                    error = error.with_hint(format!("did you mean \"{near}\"?"));
                }
                error
            })
    }
}

fn read_populations(
    root: &mut TableReader,
    base_directory: &Path,
    seed: u64,
) -> Result<Vec<PopulationSpec>, SpecError> {
    let Some(mut table) = root.table("population")? else {
        return Err(root.error_here("the model has no population").expected(
            "a [population.NAME] table with model = \"lif\", \"eif\", \"qif\", \"hh\", \"rate\", \"poisson\" or \"spike_times\"",
        ));
    };
    let mut populations = Vec::new();
    for name in table.keys() {
        let mut reader = match table.table(name)? {
            Some(reader) => reader,
            None => unreachable!("keys() lists present entries"),
        };
        let model = reader.choice("model", MODEL_NAMES)?.ok_or_else(|| {
            reader
                .error_here(format!("population `{name}` has no model"))
                .expected("model = \"lif\", \"eif\", \"qif\", \"hh\", \"rate\", \"poisson\" or \"spike_times\"")
        })?;
        let size = match reader.unsigned("size")? {
            Some(size) if size.value == 0 => {
                return Err(reader
                    .error_at("size", size.span, "a population needs at least one neuron")
                    .expected("size >= 1")
                    .found("0"));
            }
            Some(size) if size.value > u64::from(u32::MAX) => {
                return Err(reader
                    .error_at("size", size.span, "too many neurons in one population")
                    .expected("at most 4294967295 (split larger networks into populations)")
                    .found(size.value.to_string()));
            }
            Some(size) => usize::try_from(size.value).map_err(|_| {
                reader.error_at(
                    "size",
                    size.span.clone(),
                    "too many neurons for this machine",
                )
            })?,
            None => 1,
        };
        let layout = connectivity::read_layout(&mut reader, size)?;
        let stored =
            patterns::read_patterns(&mut reader, size, seed, populations.len(), base_directory)?;
        let initial_cue = match reader.table("initial")? {
            Some(mut initial) => {
                let cue = patterns::read_cue(&mut initial, stored.as_deref(), name)?;
                // Only binary neurons start from a state of bits; spiking and rate models
                // have their own initial conditions.
                if !matches!(model.value, "binary") {
                    return Err(initial
                        .error_here("initial = { pattern = ... } sets the state of binary neurons")
                        .found(format!("model = \"{}\"", model.value))
                        .with_hint(
                            "to cue a spiking or rate population, use an [[input]] with \
                             kind = \"pattern\"",
                        ));
                }
                initial.finish()?;
                Some(cue)
            }
            None => None,
        };
        let mut varying = Vec::new();
        let mut spiking =
            |reader: &mut TableReader,
             definitions,
             check: &dyn Fn(&ParameterSet) -> Result<(), ParameterProblem>| {
                read_spiking_parameters(
                    reader,
                    definitions,
                    base_directory,
                    size,
                    &mut varying,
                    check,
                )
            };
        let neuron = match model.value {
            "lif" => {
                let timing = match reader.choice("spike_timing", &["grid", "precise"])? {
                    Some(Located {
                        value: "precise", ..
                    }) => SpikeTiming::Precise,
                    _ => SpikeTiming::Grid,
                };
                let parameters = spiking(&mut reader, lif::PARAMETERS, &|set| {
                    LifParameters::from_set(set).map(|_| ())
                })?;
                NeuronSpec::Lif { parameters, timing }
            }
            "eif" => NeuronSpec::Eif(spiking(
                &mut reader,
                nonlinear_if::EIF_PARAMETERS,
                &|set| NonlinearIfParameters::exponential(set).map(|_| ()),
            )?),
            "qif" => NeuronSpec::Qif(spiking(
                &mut reader,
                nonlinear_if::QIF_PARAMETERS,
                &|set| NonlinearIfParameters::quadratic(set).map(|_| ()),
            )?),
            "hh" => NeuronSpec::HodgkinHuxley(spiking(&mut reader, hh::PARAMETERS, &|set| {
                HhParameters::from_set(set).map(|_| ())
            })?),
            "rate" => {
                let parameters = reader.parameters(rate::PARAMETERS)?;
                let (transfer_kind, transfer) = read_transfer(&mut reader)?;
                NeuronSpec::Rate {
                    parameters,
                    transfer_kind,
                    transfer,
                }
            }
            "poisson" => {
                let rate = read_rate(&mut reader, "rate", base_directory)?.ok_or_else(|| {
                    reader.error_here("missing `rate`").expected(
                        "rate = \"10 Hz\" or a profile, rate = { profile = \"sinusoidal\", ... }",
                    )
                })?;
                NeuronSpec::PoissonSource {
                    rate: rate.value,
                    rate_span: rate.span,
                    parameters: ParameterSet::defaults(&[]),
                }
            }
            "spike_times" => {
                let (times, times_span) =
                    read_spike_times(&mut reader, name, size, base_directory)?;
                NeuronSpec::SpikeTimes {
                    times: Arc::new(times),
                    times_span,
                    parameters: ParameterSet::defaults(&[]),
                }
            }
            "binary" => {
                let states = match reader.choice("states", States::NAMES)? {
                    Some(Located { value: "spin", .. }) => States::Spin,
                    _ => States::ZeroOne,
                };
                let parameters = spiking(&mut reader, binary::PARAMETERS, &binary::check)?;
                if let Some(tau) = varying.iter().find(|v| v.name == "tau") {
                    let span = reader
                        .entry("tau")
                        .map_or_else(|| reader.span(), |e| e.node.span.clone());
                    return Err(reader
                        .error_at(
                            "tau",
                            span,
                            format!(
                                "`{}` cannot vary between the neurons of a binary population: \
                                 its neurons update at one rate 1/τ",
                                tau.name
                            ),
                        )
                        .expected("one value, tau = \"10 ms\"")
                        .with_hint("put neurons with another τ in a population of their own"));
                }
                NeuronSpec::Binary { parameters, states }
            }
            _ => unreachable!("choice() admits only MODEL_NAMES"),
        };
        let span = reader.span();
        reader.finish()?;
        populations.push(PopulationSpec {
            name: name.to_string(),
            size,
            neuron,
            varying,
            layout,
            patterns: stored,
            initial_cue,
            span,
        });
    }
    table.finish()?;
    Ok(populations)
}

/// Reads the `transfer = { kind = ..., ... }` table of a rate population: the kind and its
/// checked parameters.
pub(super) fn read_transfer(
    reader: &mut TableReader,
) -> Result<(&'static str, ParameterSet), SpecError> {
    let mut transfer_table = reader.table("transfer")?.ok_or_else(|| {
        reader
            .error_here("a rate population needs a transfer function")
            .expected("transfer = { kind = \"threshold_linear\" } (or \"sigmoid\", \"lif\")")
    })?;
    let kind = transfer_table
        .choice("kind", TransferFunction::KINDS)?
        .ok_or_else(|| {
            transfer_table
                .error_here("missing `kind`")
                .expected("kind = \"threshold_linear\", \"sigmoid\" or \"lif\"")
        })?;
    let definitions =
        TransferFunction::parameters_of(kind.value).expect("choice() checked the kind");
    let transfer = transfer_table.parameters(definitions)?;
    check_problem(
        &transfer_table,
        &transfer,
        TransferFunction::from_set(kind.value, &transfer).map(|_| ()),
    )?;
    transfer_table.finish()?;
    Ok((kind.value, transfer))
}

/// Refuses spike sources whose rate would give more spikes per step than a source may emit.
fn check_sources(
    source: &Source,
    populations: &[PopulationSpec],
    dt_ms: f64,
) -> Result<(), SpecError> {
    for population in populations {
        if let NeuronSpec::SpikeTimes {
            times, times_span, ..
        } = &population.neuron
        {
            check_spike_times(source, population, times, times_span, dt_ms)?;
            continue;
        }
        let NeuronSpec::PoissonSource {
            rate, rate_span, ..
        } = &population.neuron
        else {
            continue;
        };
        let mean = rate.peak_hz() * dt_ms * 1e-3;
        if mean > MAX_MEAN_PER_STEP {
            return Err(SpecError::new(
                source,
                rate_span.clone(),
                format!(
                    "a peak rate of {} Hz gives {mean} spikes per step of {dt_ms} ms, more than \
                     a source may emit",
                    rate.peak_hz()
                ),
            )
            .with_key(format!("population.{}.rate", population.name))
            .expected(format!(
                "at most {MAX_MEAN_PER_STEP} spikes per step, a rate of at most {} Hz",
                MAX_MEAN_PER_STEP / dt_ms * 1e3
            )));
        }
    }
    Ok(())
}

/// Refuses spike times that are not positive multiples of dt (a spike at t is emitted in the
/// step ending at t).
fn check_spike_times(
    source: &Source,
    population: &PopulationSpec,
    times: &[Vec<f64>],
    span: &Range<usize>,
    dt_ms: f64,
) -> Result<(), SpecError> {
    for (neuron, list) in times.iter().enumerate() {
        for &time in list {
            let steps = (time / dt_ms).round();
            if !time.is_finite() || steps < 1.0 || (steps * dt_ms - time).abs() > 1e-9 * time {
                return Err(SpecError::new(
                    source,
                    span.clone(),
                    format!("neuron {neuron} has a spike at {time} ms, not on the time grid"),
                )
                .with_key(format!("population.{}.times", population.name))
                .expected(format!("positive multiples of dt = {dt_ms} ms")));
            }
        }
    }
    Ok(())
}

/// Reads the rate of a Poisson process: a frequency (`"10 Hz"`) or a profile,
/// `{ profile = "sinusoidal", mean, amplitude, frequency, phase }` (phase in radians,
/// default 0) or `{ profile = "timeseries", file, unit (default "Hz"), time_unit,
/// sampling_interval, interpolation }`. No rate may be negative.
fn read_rate(
    reader: &mut TableReader,
    key: &'static str,
    base_directory: &Path,
) -> Result<Option<Located<RateProfile>>, SpecError> {
    let Some(entry) = reader.entry(key) else {
        return Ok(None);
    };
    let span = entry.node.span.clone();
    let negative = |reader: &TableReader, key: &str, rate: &Located<f64>| {
        reader
            .error_at(key, rate.span.clone(), "a rate cannot be negative")
            .expected(">= 0 Hz")
            .found(format!("{} Hz", rate.value))
    };
    let profile = if let Value::Table(_) = entry.node.value {
        let mut table = reader.table(key)?.expect("the entry is a table");
        let kind = table
            .choice("profile", &["sinusoidal", "timeseries"])?
            .ok_or_else(|| {
                table
                    .error_here("missing `profile`")
                    .expected("profile = \"sinusoidal\" or \"timeseries\"")
            })?;
        let profile = if kind.value == "sinusoidal" {
            let mean = table.required_quantity("mean", Dimension::FREQUENCY)?;
            if mean.value < 0.0 {
                return Err(negative(&table, "mean", &mean));
            }
            let amplitude = table.required_quantity("amplitude", Dimension::FREQUENCY)?;
            if amplitude.value < 0.0 {
                return Err(table
                    .error_at(
                        "amplitude",
                        amplitude.span,
                        "an amplitude cannot be negative",
                    )
                    .expected(">= 0 Hz")
                    .found(format!("{} Hz", amplitude.value))
                    .with_hint("add π to the phase to invert the modulation"));
            }
            let frequency = table.required_quantity("frequency", Dimension::FREQUENCY)?;
            if frequency.value <= 0.0 {
                return Err(table
                    .error_at(
                        "frequency",
                        frequency.span,
                        "a modulation frequency must be positive",
                    )
                    .expected("> 0 Hz")
                    .found(format!("{} Hz", frequency.value))
                    .with_hint("for a constant rate write rate = \"10 Hz\""));
            }
            RateProfile::Sinusoidal {
                mean_hz: mean.value,
                amplitude_hz: amplitude.value,
                frequency_hz: frequency.value,
                phase: table
                    .quantity("phase", Dimension::DIMENSIONLESS)?
                    .map_or(0.0, |q| q.value),
            }
        } else {
            let series = read_series_file(base_directory, &mut table, Dimension::FREQUENCY, true)?;
            let profile = RateProfile::Sampled(series.value);
            if let Err(error) = profile.validate() {
                return Err(table
                    .error_at("file", series.span, error.to_string())
                    .expected("rates >= 0 Hz"));
            }
            profile
        };
        table.finish()?;
        profile
    } else {
        let rate = reader
            .quantity(key, Dimension::FREQUENCY)?
            .expect("the entry is present");
        if rate.value < 0.0 {
            return Err(negative(reader, key, &rate));
        }
        RateProfile::Constant {
            rate_hz: rate.value,
        }
    };
    Ok(Some(Located {
        value: profile,
        span,
    }))
}

/// Reads `times` of a `spike_times` population of `size` neurons: a list of lists of times,
/// one per neuron (`[["10 ms", "50 ms"], []]`), or `{ file = "spikes.csv" }` (a spike file,
/// [`crate::spike_file`], with a time unit in its header), with where it is written.
fn read_spike_times(
    reader: &mut TableReader,
    name: &str,
    size: usize,
    base_directory: &Path,
) -> Result<(Vec<Vec<f64>>, Range<usize>), SpecError> {
    let Some(entry) = reader.entry("times") else {
        return Err(reader.error_here("missing `times`").expected(
            "times = [[\"10 ms\", \"50 ms\"], [\"20 ms\"]] (one list per neuron) or \
             times = { file = \"spikes.csv\" }",
        ));
    };
    let span = entry.node.span.clone();
    let mut times = vec![Vec::new(); size];
    match &entry.node.value {
        Value::Array(lists) => {
            if lists.len() != size {
                return Err(reader
                    .error_at("times", span, "one list of times per neuron")
                    .expected(format!("{size} lists (the population's size)"))
                    .found(format!("{} lists", lists.len())));
            }
            for (neuron, list) in lists.iter().enumerate() {
                let Value::Array(items) = &list.value else {
                    return Err(reader
                        .error_at("times", list.span.clone(), "wrong type")
                        .expected("a list of times per neuron, e.g. [\"10 ms\"]")
                        .found(list.value.kind_name()));
                };
                for item in items {
                    let key = format!("population.{name}.times[{neuron}]");
                    let time = quantity_from_node(reader.source(), item, Dimension::TIME, &key)?;
                    times[neuron].push(time.value);
                }
            }
        }
        Value::Table(_) => {
            let mut table = reader.table("times")?.expect("the entry is a table");
            let file = table.required_string("file", "\"spikes.csv\"")?;
            let path = resolve(base_directory, &file.value);
            let columns = crate::spike_file::read_spike_file(&path, None).map_err(|error| {
                table
                    .error_at("file", file.span.clone(), error.to_string())
                    .found(format!("\"{}\"", file.value))
            })?;
            for (neuron, time_ms) in columns.pairs() {
                let Some(list) = times.get_mut(neuron as usize) else {
                    return Err(table
                        .error_at(
                            "file",
                            file.span.clone(),
                            format!("the file has spikes of neuron {neuron}"),
                        )
                        .expected(format!("neurons 0 to {} (the population's size)", size - 1)));
                };
                list.push(time_ms);
            }
            table.finish()?;
        }
        other => {
            return Err(reader
                .error_at("times", span, "wrong type")
                .expected("a list of lists of times, or { file = \"spikes.csv\" }")
                .found(other.kind_name()));
        }
    }
    Ok((times, span))
}

/// The error for an input or projection aimed at a population of spike sources.
fn source_as_target(
    reader: &mut TableReader,
    key: &'static str,
    population: &PopulationSpec,
    what: &str,
    expected: &str,
) -> SpecError {
    let span = reader
        .entry(key)
        .map_or_else(|| reader.span(), |entry| entry.node.span.clone());
    reader
        .error_at(
            key,
            span,
            format!(
                "population `{}` is made of {} spike sources, which receive no {what}",
                population.name,
                if population.neuron.name() == "poisson" {
                    "Poisson"
                } else {
                    "spike_times"
                }
            ),
        )
        .expected(expected.to_string())
        .found(format!("\"{}\"", population.name))
}

/// Reads a spiking model's parameters, any of which may be given per neuron (a
/// distribution or a file, see [`heterogeneity`]; those are added to `varying`), and
/// cross-checks them with `check` — where values vary, at their means; each neuron's own
/// values are checked when it is built.
fn read_spiking_parameters(
    reader: &mut TableReader,
    definitions: &'static [crate::parameters::ParameterDef],
    base_directory: &Path,
    size: usize,
    varying: &mut Vec<VaryingParameter>,
    check: &dyn Fn(&ParameterSet) -> Result<(), ParameterProblem>,
) -> Result<ParameterSet, SpecError> {
    let parameters = reader.parameters_per_neuron(definitions, |definition, index, table| {
        let (parameter, mean) =
            heterogeneity::read_per_neuron(base_directory, size, definition, index, table)?;
        varying.push(parameter);
        Ok(Some(mean))
    })?;
    let result = check(&parameters).map_err(|mut problem| {
        if varying.iter().any(VaryingParameter::is_parameter) {
            problem.message += " (values that vary per neuron enter here at their means)";
        }
        problem
    });
    check_problem(reader, &parameters, result)?;
    Ok(parameters)
}

/// Turns a cross-parameter problem into an error at the offending parameter.
fn check_problem(
    reader: &TableReader,
    parameters: &ParameterSet,
    result: Result<(), ParameterProblem>,
) -> Result<(), SpecError> {
    result.map_err(|problem| {
        let span = parameters.span(problem.parameter);
        match span {
            Some(span) => reader.error_at(problem.parameter, span, problem.message),
            None => reader.error_here(problem.message),
        }
    })
}

pub(super) fn check_timing(
    source: &Source,
    duration: Located<f64>,
    dt: Option<&Located<f64>>,
    dt_ms: f64,
    seed: u64,
    populations: &[PopulationSpec],
    simulation_span: Range<usize>,
) -> Result<SimulationSpec, SpecError> {
    let dt_span = dt.map_or(simulation_span, |dt| dt.span.clone());
    let at_dt = |message: String| {
        SpecError::new(source, dt_span.clone(), message).with_key("simulation.dt")
    };
    if dt_ms <= 0.0 {
        return Err(at_dt("the time step must be positive".into())
            .expected("dt > 0, e.g. \"0.1 ms\"")
            .found(format!("{dt_ms} ms")));
    }
    for population in populations {
        let maximum = population.neuron.maximum_dt_ms();
        if dt_ms > maximum {
            return Err(at_dt(format!(
                "dt = {dt_ms} ms is too large for the {} model of population `{}`: its explicit \
                 integration is unstable or inaccurate",
                population.neuron.name(),
                population.name
            ))
            .expected(format!("dt <= {maximum} ms"))
            .found(format!("{dt_ms} ms"))
            .with_hint(format!(
                "{} ms is recommended for this model",
                population.neuron.recommended_dt_ms()
            )));
        }
    }
    if duration.value <= 0.0 {
        return Err(
            SpecError::new(source, duration.span, "the duration must be positive")
                .with_key("simulation.duration")
                .expected("duration > 0, e.g. \"1000 ms\"")
                .found(format!("{} ms", duration.value)),
        );
    }
    let steps = (duration.value / dt_ms).round();
    if (steps * dt_ms - duration.value).abs() > 1e-9 * duration.value || steps < 1.0 {
        return Err(SpecError::new(
            source,
            duration.span,
            "the duration is not a whole number of time steps",
        )
        .with_key("simulation.duration")
        .expected(format!("a multiple of dt = {dt_ms} ms"))
        .found(format!(
            "{} ms = {:.4} steps",
            duration.value,
            duration.value / dt_ms
        ))
        .with_hint(format!("use {} ms", steps.max(1.0) * dt_ms)));
    }
    if steps > MAX_STEPS {
        return Err(SpecError::new(source, duration.span, "too many time steps")
            .with_key("simulation.duration")
            .expected("fewer than 10^15 steps")
            .found(format!("{steps:e}")));
    }
    Ok(SimulationSpec {
        duration_ms: duration.value,
        dt_ms,
        steps: steps as u64,
        seed,
    })
}

/// Reads `neurons` of a table: a list of indices, a `"start:stop"` range (stop excluded) or
/// `"all"`; default all.
fn read_neurons(
    reader: &mut TableReader,
    population: &PopulationSpec,
    default_all: bool,
) -> Result<Option<Vec<u32>>, SpecError> {
    let size = population.size;
    let check = |reader: &TableReader, index: i64, span: Range<usize>| -> Result<u32, SpecError> {
        if index < 0 || index as usize >= size {
            return Err(reader
                .error_at(
                    "neurons",
                    span,
                    format!("neuron {index} is not in population `{}`", population.name),
                )
                .expected(format!("an index from 0 to {}", size - 1))
                .found(index.to_string()));
        }
        Ok(index as u32)
    };
    let Some(entry) = reader.entry("neurons") else {
        return Ok(default_all.then(|| (0..size as u32).collect()));
    };
    let span = entry.node.span.clone();
    match &entry.node.value {
        Value::Array(items) => {
            let mut neurons = Vec::with_capacity(items.len());
            for item in items {
                match item.value {
                    Value::Integer(i) => neurons.push(check(reader, i, item.span.clone())?),
                    ref other => {
                        return Err(reader
                            .error_at("neurons", item.span.clone(), "wrong type")
                            .expected("neuron indices (integers)")
                            .found(other.kind_name()));
                    }
                }
            }
            neurons.sort_unstable();
            neurons.dedup();
            Ok(Some(neurons))
        }
        Value::String(text) if text == "all" => Ok(Some((0..size as u32).collect())),
        Value::String(text) => {
            let parsed = text.split_once(':').and_then(|(a, b)| {
                Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?))
            });
            let Some((start, stop)) = parsed.filter(|(a, b)| a < b) else {
                return Err(reader
                    .error_at("neurons", span, "not a neuron range")
                    .expected("\"all\", \"START:STOP\" (STOP excluded) or a list [0, 1, 2]")
                    .found(format!("\"{text}\"")));
            };
            check(reader, start, span.clone())?;
            check(reader, stop - 1, span)?;
            Ok(Some((start as u32..stop as u32).collect()))
        }
        other => Err(reader
            .error_at("neurons", span, "wrong type")
            .expected("\"all\", \"START:STOP\" or a list of indices")
            .found(other.kind_name())),
    }
}

pub(super) fn table_of<'a>(
    source: &'a Source,
    node: &'a Node,
    path: String,
) -> Result<TableReader<'a>, SpecError> {
    match &node.value {
        Value::Table(table) => Ok(TableReader::new(source, table, path, node.span.clone())),
        other => Err(SpecError::new(source, node.span.clone(), "wrong type")
            .with_key(path)
            .expected("a table")
            .found(other.kind_name())),
    }
}

fn read_input(context: &Context, node: &Node, index: usize) -> Result<InputSpec, SpecError> {
    let mut reader = table_of(context.source, node, format!("input[{index}]"))?;
    let population = context.population(&mut reader, "target")?;
    let target = &context.populations[population];
    if target.neuron.is_source() {
        return Err(source_as_target(
            &mut reader,
            "target",
            target,
            "input",
            "a population of neurons (lif, eif, qif, hh or rate)",
        ));
    }
    let mut neurons = read_neurons(&mut reader, target, true)?.expect("default_all");
    let kind_name = reader.choice("kind", INPUT_KINDS)?.ok_or_else(|| {
        reader
            .error_here("missing `kind`")
            .expected(format!("kind = one of {}", INPUT_KINDS.join(", ")))
    })?;
    if target.neuron.is_binary() && !matches!(kind_name.value, "constant" | "step") {
        return Err(reader
            .error_at(
                "kind",
                kind_name.span,
                format!(
                    "population `{}` is binary: its neurons see a fixed external field, which \
                     may switch on and off, but have no membrane to integrate a waveform, noise \
                     or spikes",
                    target.name
                ),
            )
            .expected("kind = \"constant\" or \"step\" (a dimensionless amplitude)")
            .found(format!("\"{}\"", kind_name.value)));
    }
    let current = target.neuron.input_dimension();
    let mut start_ms = reader
        .quantity("start", Dimension::TIME)?
        .map_or(0.0, |q| q.value);
    let mut stop_ms = reader
        .quantity("stop", Dimension::TIME)?
        .map_or(f64::INFINITY, |q| q.value);
    let mut receptor_time_constant_ms = None;
    let mut cue = None;
    let kind = match kind_name.value {
        "pattern" => {
            if neurons.len() != target.size {
                return Err(reader
                    .error_here("a pattern cue acts on the whole population")
                    .with_key(reader.key_path("neurons"))
                    .with_hint(
                        "leave out `neurons`: the cue itself says which neurons it drives",
                    ));
            }
            let amplitude = reader.required_quantity("amplitude", current)?.value;
            let read = patterns::read_cue(&mut reader, target.patterns.as_deref(), &target.name)?;
            let stored = target
                .patterns
                .as_deref()
                .expect("read_cue checked the patterns");
            // The step current amplitude·ξ_i (cue bits) is a constant current, during the
            // window, to the neurons whose cue bit is 1. The cue's draws use the input's
            // index, as every input's streams do.
            let state = read
                .state(stored, context.simulation.seed, index as u64)
                .map_err(|error| reader.error_here(error.to_string()))?;
            neurons = (0..target.size as u32)
                .filter(|&i| state[i as usize])
                .collect();
            cue = Some(read);
            InputKind::Constant { amplitude }
        }
        "poisson" => {
            if !target.neuron.is_spiking() {
                return Err(reader
                    .error_at("kind", kind_name.span, "rate units do not receive spikes")
                    .expected("a current input (constant, step, noise, ...)")
                    .found("\"poisson\""));
            }
            let rate = read_rate(&mut reader, "rate", context.base_directory)?;
            let eta = reader.quantity("eta", Dimension::DIMENSIONLESS)?;
            let shared = reader.boolean("shared")?.is_some_and(|s| s.value);
            let synapse = reader
                .choice("synapse", &["delta", "exponential", "alpha"])?
                .map_or("delta", |s| s.value);
            let sources = match reader.unsigned("sources")? {
                Some(s) if s.value == 0 || s.value > u32::MAX as u64 => {
                    return Err(reader
                        .error_at("sources", s.span, "out of range")
                        .expected("an integer from 1 to 4294967295")
                        .found(s.value.to_string()));
                }
                Some(s) => s.value as u32,
                None => 1,
            };
            let (weight, synapse) = if synapse == "delta" {
                let weight = reader
                    .required_quantity("weight", Dimension::VOLTAGE)?
                    .value;
                (weight, PoissonSynapse::Delta)
            } else {
                let weight = reader.required_quantity("weight", current)?.value;
                receptor_time_constant_ms =
                    Some(positive_time(&mut reader, "time_constant")?.value);
                // The engine builder assigns the receptor.
                let synapse = if synapse == "alpha" {
                    PoissonSynapse::Alpha { receptor: 0 }
                } else {
                    PoissonSynapse::Exponential { receptor: 0 }
                };
                (weight, synapse)
            };
            let rate = match (rate, eta) {
                (Some(rate), None) => rate.value,
                (None, Some(eta)) => {
                    // Brunel (2000): ν_thr = θ/(J·C_E·τ) is the rate at which C_E inputs of
                    // weight J bring the mean potential to threshold; ν_ext = η·ν_thr.
                    let Some(neuron) = target.neuron.lif_parameters() else {
                        return Err(reader
                            .error_at(
                                "eta",
                                eta.span,
                                "eta needs a LIF target (it is defined through θ and τ_m)",
                            )
                            .expected("rate = \"<frequency>\""));
                    };
                    if !matches!(synapse, PoissonSynapse::Delta) || weight <= 0.0 {
                        return Err(reader
                            .error_at("eta", eta.span, "eta needs excitatory delta synapses")
                            .expected("synapse = \"delta\" and a positive weight"));
                    }
                    let threshold_rate_per_ms = (neuron.threshold - neuron.resting_potential)
                        / (weight * sources as f64 * neuron.membrane_time_constant);
                    RateProfile::Constant {
                        rate_hz: eta.value * threshold_rate_per_ms * 1000.0,
                    }
                }
                (Some(rate), Some(_)) => {
                    return Err(reader.error_at(
                        "eta",
                        rate.span,
                        "give either `rate` or `eta`, not both",
                    ));
                }
                (None, None) => {
                    return Err(reader
                        .error_here("missing `rate`")
                        .expected("rate = \"10 Hz\" (or eta = 2 for Brunel's ν_ext = η·ν_thr)"));
                }
            };
            match rate {
                // Independent trains of a constant rate: the 16-bit table's fast path.
                RateProfile::Constant { rate_hz } if !shared => InputKind::Poisson {
                    rate_hz,
                    weight,
                    sources,
                    synapse,
                },
                rate => InputKind::PoissonProfile {
                    rate,
                    weight,
                    sources,
                    synapse,
                    shared,
                },
            }
        }
        _ => read_waveform(
            &mut reader,
            kind_name.value,
            current,
            context.base_directory,
            &mut start_ms,
            &mut stop_ms,
        )?,
    };
    let span = reader.span();
    reader.finish()?;
    // Validate now, so that bad values point at the input's table rather than at a build step.
    // One neuron suffices to check the parameters; the per-neuron state of a large
    // population is only built after the memory check.
    crate::input::Input::new(
        kind.clone(),
        neurons.iter().take(1).copied().collect(),
        start_ms,
        stop_ms,
        context.simulation.seed,
        index as u64,
        context.simulation.dt_ms,
    )
    .map_err(|error| {
        SpecError::new(context.source, span.clone(), error.to_string())
            .with_key(format!("input[{index}]"))
    })?;
    Ok(InputSpec {
        population,
        neurons,
        kind,
        start_ms,
        stop_ms,
        receptor_time_constant_ms,
        cue,
        span,
    })
}

/// Reads the keys of an input whose kind (`kind`, one of [`INPUT_KINDS`] but `poisson`) is a
/// waveform of `current`'s dimension. A pulse train or a ramp carries its own times and
/// replaces the window `start_ms`..`stop_ms` (read from `start` and `stop`) by 0..∞.
pub(super) fn read_waveform(
    reader: &mut TableReader,
    kind: &str,
    current: Dimension,
    base_directory: &Path,
    start_ms: &mut f64,
    stop_ms: &mut f64,
) -> Result<InputKind, SpecError> {
    Ok(match kind {
        "constant" | "step" => {
            let amplitude = reader.required_quantity("amplitude", current)?.value;
            if kind == "step" && *start_ms == 0.0 && stop_ms.is_infinite() {
                return Err(reader
                    .error_here("a step needs a start or a stop")
                    .expected("start = \"100 ms\" and/or stop = \"400 ms\"")
                    .with_hint("for a current that is always on use kind = \"constant\""));
            }
            InputKind::Constant { amplitude }
        }
        "steps" => {
            let times = read_quantity_list(reader, "times", Dimension::TIME)?;
            let amplitudes = read_quantity_list(reader, "amplitudes", current)?;
            if times.value.len() != amplitudes.value.len() {
                return Err(reader
                    .error_at(
                        "amplitudes",
                        amplitudes.span,
                        "one amplitude per time is needed",
                    )
                    .expected(format!("{} amplitudes", times.value.len()))
                    .found(amplitudes.value.len().to_string()));
            }
            InputKind::Steps {
                times_ms: times.value,
                amplitudes: amplitudes.value,
            }
        }
        "pulse_train" => InputKind::PulseTrain {
            amplitude: reader.required_quantity("amplitude", current)?.value,
            width_ms: reader.required_quantity("width", Dimension::TIME)?.value,
            period_ms: match reader.quantity("frequency", Dimension::FREQUENCY)? {
                Some(f) => 1000.0 / f.value,
                None => reader.required_quantity("period", Dimension::TIME)?.value,
            },
            first_ms: {
                let first = *start_ms;
                // The train's own start replaces the window's start.
                *start_ms = 0.0;
                first
            },
            count: reader.unsigned("count")?.map(|c| c.value),
        },
        "ramp" => {
            let ramp_start = reader.required_quantity("start", Dimension::TIME)?.value;
            let ramp_stop = reader.required_quantity("stop", Dimension::TIME)?.value;
            *start_ms = 0.0;
            *stop_ms = f64::INFINITY;
            InputKind::Ramp {
                from: reader.required_quantity("from", current)?.value,
                to: reader.required_quantity("to", current)?.value,
                start_ms: ramp_start,
                stop_ms: ramp_stop,
            }
        }
        "timeseries" => {
            InputKind::TimeSeries(read_series_file(base_directory, reader, current, false)?.value)
        }
        "white_noise" => InputKind::WhiteNoise {
            mean: reader.quantity("mean", current)?.map_or(0.0, |q| q.value),
            std: reader.required_quantity("std", current)?.value,
            time_scale_ms: reader
                .quantity("time_scale", Dimension::TIME)?
                .map_or(1.0, |q| q.value),
        },
        "ou_noise" => InputKind::OrnsteinUhlenbeck {
            mean: reader.quantity("mean", current)?.map_or(0.0, |q| q.value),
            std: reader.required_quantity("std", current)?.value,
            correlation_time_ms: reader
                .required_quantity("correlation_time", Dimension::TIME)?
                .value,
        },
        _ => unreachable!("read_waveform is called with waveform kinds only"),
    })
}

pub(super) fn read_quantity_list(
    reader: &mut TableReader,
    key: &'static str,
    dimension: Dimension,
) -> Result<Located<Vec<f64>>, SpecError> {
    let items = reader.array(key)?.ok_or_else(|| {
        reader
            .error_here(format!("missing `{key}`"))
            .expected(format!("{key} = [ ... ] of {dimension} values"))
    })?;
    let path = reader.key_path(key);
    let values = items
        .value
        .iter()
        .map(|node| quantity_from_node(reader.source(), node, dimension, &path).map(|q| q.value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Located {
        value: values,
        span: items.span,
    })
}

/// Reads the keys of a sampled waveform of `dimension` (`file`, `unit`, `time_unit`,
/// `sampling_interval`, `interpolation`) and the file they name; the span is the file name's.
/// `unit` is required unless `default_unit` is set (the working unit is then the default).
pub(super) fn read_series_file(
    base_directory: &Path,
    reader: &mut TableReader,
    dimension: Dimension,
    default_unit: bool,
) -> Result<Located<TimeSeries>, SpecError> {
    let file = reader.required_string("file", "\"stimulus.csv\"")?;
    let unit_text = if default_unit {
        reader.string("unit")?
    } else {
        Some(reader.required_string("unit", "\"pA\"")?)
    };
    let working = Unit::working(dimension).expect("series dimensions have working units");
    let unit = match &unit_text {
        None => working,
        Some(unit_text) => Unit::parse(&unit_text.value).map_err(|error| {
            reader
                .error_at("unit", unit_text.span.clone(), error.message)
                .found(format!("\"{}\"", unit_text.value))
        })?,
    };
    if let Some(unit_text) = &unit_text
        && unit.dimension != dimension
    {
        let message = if dimension == Dimension::FREQUENCY {
            "not a unit of rate"
        } else {
            "wrong dimension for this population's input"
        };
        return Err(reader
            .error_at("unit", unit_text.span.clone(), message)
            .expected(format!("a unit of {dimension}"))
            .found(format!("\"{}\" ({})", unit_text.value, unit.dimension)));
    }
    let value_scale = unit.scale / working.scale;
    let time_scale = match reader.string("time_unit")? {
        Some(text) => {
            let time_unit = Unit::parse(&text.value)
                .ok()
                .filter(|u| u.dimension == Dimension::TIME)
                .ok_or_else(|| {
                    reader
                        .error_at("time_unit", text.span.clone(), "not a unit of time")
                        .expected("\"ms\" or \"s\"")
                        .found(format!("\"{}\"", text.value))
                })?;
            time_unit.scale / 1e-3
        }
        None => 1.0,
    };
    let sampling = reader
        .quantity("sampling_interval", Dimension::TIME)?
        .map(|q| q.value);
    let interpolation = match reader.choice("interpolation", &["linear", "step"])? {
        Some(Located { value: "step", .. }) => Interpolation::Step,
        _ => Interpolation::Linear,
    };
    let path = resolve(base_directory, &file.value);
    let series = read_time_series(&path, sampling, time_scale, value_scale, interpolation)
        .map_err(|error| {
            reader
                .error_at("file", file.span.clone(), error.to_string())
                .found(format!("\"{}\"", file.value))
        })?;
    Ok(Located {
        value: series,
        span: file.span,
    })
}

pub(super) fn resolve(base: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// A `[[record]]`: of a population, or of a plastic projection's weights.
enum Record {
    Population(RecordSpec),
    Weights(WeightRecordSpec),
}

fn read_record(
    context: &Context,
    projections: &[ProjectionSpec],
    node: &Node,
    index: usize,
) -> Result<Record, SpecError> {
    let mut reader = table_of(context.source, node, format!("record[{index}]"))?;
    let kind = reader
        .choice("kind", &["spikes", "trace", "activity", "weights"])?
        .ok_or_else(|| {
            reader
                .error_here("missing `kind`")
                .expected("kind = \"spikes\", \"trace\", \"activity\" or \"weights\"")
        })?;
    if kind.value == "weights" {
        let record = weight_records::read_weight_record(context, projections, &mut reader)?;
        reader.finish()?;
        return Ok(Record::Weights(record));
    }
    let population = context.population(&mut reader, "population")?;
    let target = &context.populations[population];
    let record = match kind.value {
        "spikes" => {
            if !target.neuron.is_spiking() {
                return Err(reader
                    .error_at("kind", kind.span, "rate units do not spike")
                    .expected("kind = \"trace\" with variables = [\"m\"]")
                    .found("\"spikes\""));
            }
            RecordSpec::Spikes {
                population,
                neurons: read_neurons(&mut reader, target, false)?,
            }
        }
        "activity" => {
            if !target.neuron.is_spiking() {
                return Err(reader
                    .error_at("kind", kind.span, "rate units do not spike")
                    .expected("kind = \"trace\" with variables = [\"m\"]")
                    .found("\"activity\""));
            }
            let dt = context.simulation.dt_ms;
            let bin_steps = match reader.quantity("bin", Dimension::TIME)? {
                // 1 ms, the bin of the activity plots, to the nearest whole step.
                None => (1.0 / dt).round().max(1.0) as u64,
                Some(bin) => {
                    let steps = (bin.value / dt).round();
                    if steps < 1.0 || (steps * dt - bin.value).abs() > 1e-9 * bin.value {
                        return Err(reader
                            .error_at("bin", bin.span, "the bin is not a whole number of steps")
                            .expected(format!("a positive multiple of dt = {dt} ms"))
                            .found(format!("{} ms", bin.value)));
                    }
                    steps as u64
                }
            };
            RecordSpec::Activity {
                population,
                bin_steps,
            }
        }
        _ => {
            if target.neuron.is_source() {
                return Err(reader
                    .error_at(
                        "kind",
                        kind.span,
                        format!(
                            "population `{}` is made of spike sources: it has no state \
                             to trace",
                            target.name
                        ),
                    )
                    .expected("kind = \"spikes\"")
                    .found("\"trace\""));
            }
            let known = target.neuron.variables();
            let variables = match reader.array("variables")? {
                None => (0..known.len()).collect(),
                Some(items) => {
                    let mut indices = Vec::new();
                    for item in items.value {
                        let Value::String(name) = &item.value else {
                            return Err(reader
                                .error_at("variables", item.span.clone(), "wrong type")
                                .expected("variable names as strings")
                                .found(item.value.kind_name()));
                        };
                        let Some(position) = known.iter().position(|v| v.name == name) else {
                            let names: Vec<&str> = known.iter().map(|v| v.name).collect();
                            let mut error = reader
                                .error_at(
                                    "variables",
                                    item.span.clone(),
                                    format!(
                                        "the {} model has no variable `{name}`",
                                        target.neuron.name()
                                    ),
                                )
                                .expected(format!("one of {}", names.join(", ")))
                                .found(format!("\"{name}\""));
                            if let Some(near) = closest(name, names.iter().copied()) {
                                error = error.with_hint(format!("did you mean \"{near}\"?"));
                            }
                            return Err(error);
                        };
                        indices.push(position);
                    }
                    indices
                }
            };
            let neurons = read_neurons(&mut reader, target, false)?
                .unwrap_or_else(|| (0..target.size.min(DEFAULT_TRACED_NEURONS) as u32).collect());
            let dt = context.simulation.dt_ms;
            let interval_steps = match reader.quantity("interval", Dimension::TIME)? {
                None => 1,
                Some(interval) => {
                    let steps = (interval.value / dt).round();
                    if steps < 1.0 || (steps * dt - interval.value).abs() > 1e-9 * interval.value {
                        return Err(reader
                            .error_at(
                                "interval",
                                interval.span,
                                "the sampling interval is not a whole number of steps",
                            )
                            .expected(format!("a positive multiple of dt = {dt} ms"))
                            .found(format!("{} ms", interval.value)));
                    }
                    steps as u64
                }
            };
            RecordSpec::Trace {
                population,
                variables,
                neurons,
                interval_steps,
            }
        }
    };
    reader.finish()?;
    Ok(Record::Population(record))
}

/// How many neurons a default trace records.
pub const DEFAULT_TRACED_NEURONS: usize = 5;

/// What is recorded when the file has no `[[record]]`: the spikes of every spiking
/// population and every variable of its first few neurons (Poisson sources have none).
pub fn default_records(populations: &[PopulationSpec]) -> Vec<RecordSpec> {
    let mut records = Vec::new();
    for (index, population) in populations.iter().enumerate() {
        if population.neuron.is_spiking() {
            records.push(RecordSpec::Spikes {
                population: index,
                neurons: None,
            });
        }
        if population.neuron.variables().is_empty() {
            continue;
        }
        records.push(RecordSpec::Trace {
            population: index,
            variables: (0..population.neuron.variables().len()).collect(),
            neurons: (0..population.size.min(DEFAULT_TRACED_NEURONS) as u32).collect(),
            interval_steps: 1,
        });
    }
    records
}

fn read_fi(context: &Context, mut reader: TableReader) -> Result<FiSpec, SpecError> {
    let population = if reader.has("population") {
        context.population(&mut reader, "population")?
    } else if context.populations.len() == 1 {
        0
    } else {
        return Err(reader
            .error_here("which population's f–I curve?")
            .expected("population = \"<name>\""));
    };
    let target = &context.populations[population];
    if !target.neuron.is_spiking() || target.neuron.is_source() || target.neuron.is_binary() {
        let what = if target.neuron.is_source() {
            "is made of spike sources"
        } else if target.neuron.is_binary() {
            "is binary"
        } else {
            "is a rate unit"
        };
        return Err(reader
            .error_here(format!(
                "population `{}` {what}: it has no f–I curve to simulate",
                target.name
            ))
            .expected("a spiking population"));
    }
    let current = target.neuron.input_dimension();
    let currents = read_sweep(&mut reader, "currents", current)?;
    let duration_ms = reader
        .quantity("duration", Dimension::TIME)?
        .map_or(context.simulation.duration_ms, |q| q.value);
    let transient_ms = reader
        .quantity("transient", Dimension::TIME)?
        .map_or(0.0, |q| q.value);
    if !(0.0..duration_ms).contains(&transient_ms) {
        return Err(reader
            .error_here("the transient must be shorter than the trial")
            .expected(format!("0 <= transient < {duration_ms} ms"))
            .found(format!("{transient_ms} ms")));
    }
    let vary = match reader.table("vary")? {
        None => None,
        Some(mut vary) => {
            let name = vary.required_string("parameter", "\"leak_conductance\"")?;
            let Some(definition) = target.neuron.parameters().definition(&name.value) else {
                let names: Vec<&str> = target
                    .neuron
                    .parameters()
                    .definitions()
                    .iter()
                    .map(|d| d.name)
                    .collect();
                let mut error = vary
                    .error_at(
                        "parameter",
                        name.span.clone(),
                        format!(
                            "the {} model has no parameter `{}`",
                            target.neuron.name(),
                            name.value
                        ),
                    )
                    .expected(format!("one of {}", names.join(", ")))
                    .found(format!("\"{}\"", name.value));
                if let Some(near) = closest(&name.value, names.iter().copied()) {
                    error = error.with_hint(format!("did you mean \"{near}\"?"));
                }
                return Err(error);
            };
            let values = read_quantity_list(&mut vary, "values", definition.dimension)?;
            for &value in &values.value {
                if !definition.constraint.admits(value) {
                    return Err(vary
                        .error_at(
                            "values",
                            values.span.clone(),
                            format!(
                                "{} must be {}",
                                definition.name,
                                definition.constraint.describe()
                            ),
                        )
                        .found(crate::units::format_working(value, definition.dimension)));
                }
            }
            vary.finish()?;
            Some(ParameterSweep {
                parameter: definition.name.to_string(),
                values: values.value,
            })
        }
    };
    let noise = match reader.table("noise")? {
        None => None,
        Some(mut table) => {
            let std = table.required_quantity("std", current)?;
            if !(std.value >= 0.0 && std.value.is_finite()) {
                return Err(table
                    .error_at(
                        "std",
                        std.span.clone(),
                        "the noise's standard deviation must be >= 0",
                    )
                    .expected(">= 0")
                    .found(crate::units::format_working(std.value, current)));
            }
            let time_scale = table.quantity("time_scale", Dimension::TIME)?;
            let time_scale_ms = time_scale.as_ref().map_or(1.0, |q| q.value);
            if let Some(q) = time_scale.filter(|q| !(q.value > 0.0 && q.value.is_finite())) {
                return Err(table
                    .error_at(
                        "time_scale",
                        q.span.clone(),
                        "the noise's time scale must be positive",
                    )
                    .expected("> 0 ms")
                    .found(format!("{} ms", q.value)));
            }
            table.finish()?;
            Some(FiNoise {
                std: std.value,
                time_scale_ms,
            })
        }
    };
    let neurons_per_current = match reader.unsigned("neurons")? {
        // One neuron's rate under noise is a noisy estimate; 100 make it a curve.
        None if noise.is_some() => 100,
        None => 1,
        Some(n) if (1..=1_000_000).contains(&n.value) => n.value as usize,
        Some(n) => {
            return Err(reader
                .error_at(
                    "neurons",
                    n.span.clone(),
                    "neurons per current out of range",
                )
                .expected("1 to 1000000")
                .found(n.value.to_string()));
        }
    };
    reader.finish()?;
    Ok(FiSpec {
        population,
        currents,
        duration_ms,
        transient_ms,
        vary,
        noise,
        neurons_per_current,
    })
}

/// A list of values, or `{ start, stop, step }` (stop included when on the grid).
fn read_sweep(
    reader: &mut TableReader,
    key: &'static str,
    dimension: Dimension,
) -> Result<Vec<f64>, SpecError> {
    let Some(entry) = reader.entry(key) else {
        return Err(reader
            .error_here(format!("missing `{key}`"))
            .expected(format!(
                "{key} = {{ start = ..., stop = ..., step = ... }} or a list"
            )));
    };
    match &entry.node.value {
        Value::Array(_) => read_quantity_list(reader, key, dimension).map(|l| l.value),
        Value::Table(_) => {
            let mut range = reader.table(key)?.expect("present");
            let start = range.required_quantity("start", dimension)?.value;
            let stop = range.required_quantity("stop", dimension)?.value;
            let step = range.required_quantity("step", dimension)?;
            let values = sweep_values(start, stop, step.value)
                .map_err(|message| range.error_at("step", step.span.clone(), message))?;
            range.finish()?;
            Ok(values)
        }
        other => Err(reader
            .error_at(key, entry.node.span.clone(), "wrong type")
            .expected("a list of values or { start, stop, step }")
            .found(other.kind_name())),
    }
}

/// start, start + step, … up to stop (included within rounding); at most a million values.
pub fn sweep_values(start: f64, stop: f64, step: f64) -> Result<Vec<f64>, String> {
    if step <= 0.0 || !step.is_finite() {
        return Err(format!("the step must be positive, found {step}"));
    }
    if stop < start {
        return Err(format!("stop ({stop}) lies below start ({start})"));
    }
    let count = ((stop - start) / step + 1e-9).floor() as u64 + 1;
    if count > 1_000_000 {
        return Err(format!("{count} values is too many; use a larger step"));
    }
    Ok((0..count).map(|k| start + k as f64 * step).collect())
}

#[cfg(test)]
mod tests;

pub mod heterogeneity;
pub mod patterns;
pub mod values_file;
pub use heterogeneity::{PerNeuronValues, VaryingParameter};

mod connectivity;
pub mod plasticity;
pub use plasticity::{Pairing, PlasticitySpec, TripletSpec, WeightDependence};
pub mod weight_records;
pub use weight_records::{WeightRecordSpec, WeightSampling};

fn read_projection(
    context: &Context,
    node: &Node,
    index: usize,
) -> Result<ProjectionSpec, SpecError> {
    let mut reader = table_of(context.source, node, format!("projection[{index}]"))?;
    let source = context.population(&mut reader, "source")?;
    let target = context.population(&mut reader, "target")?;
    for (key, population) in [("source", source), ("target", target)] {
        if !context.populations[population].neuron.is_spiking() {
            return Err(reader
                .error_here(format!(
                    "population `{}` is a rate unit: projections connect spiking neurons",
                    context.populations[population].name
                ))
                .with_key(reader.key_path(key)));
        }
    }
    if context.populations[target].neuron.is_source() {
        return Err(source_as_target(
            &mut reader,
            "target",
            &context.populations[target],
            "spikes",
            "a population of spiking neurons (lif, eif, qif or hh)",
        ));
    }
    let (source_size, target_size) = (
        context.populations[source].size,
        context.populations[target].size,
    );
    let rule_name = reader.choice("rule", Rule::NAMES)?.ok_or_else(|| {
        reader
            .error_here("missing `rule`")
            .expected(format!("rule = one of {}", Rule::NAMES.join(", ")))
    })?;
    let count = |reader: &mut TableReader, key: &'static str| -> Result<u64, SpecError> {
        match reader.unsigned(key)? {
            Some(value) => Ok(value.value),
            None => Err(reader
                .error_here(format!("rule \"{}\" needs `{key}`", rule_name.value))
                .expected(format!("{key} = <integer>"))),
        }
    };
    let mut list_file = None;
    let rule = match rule_name.value {
        "from_file" => {
            list_file = Some(reader.required_string("file", "\"synapses.csv\"")?);
            // A placeholder: the list replaces it below, read once the weight's unit is known.
            Rule::AllToAll
        }
        "distance" => connectivity::read_distance_rule(context, &mut reader, source, target)?,
        "all_to_all" => Rule::AllToAll,
        "one_to_one" => {
            if source_size != target_size {
                return Err(reader
                    .error_at(
                        "rule",
                        rule_name.span.clone(),
                        "one_to_one needs populations of equal size",
                    )
                    .found(format!("{source_size} and {target_size} neurons")));
            }
            Rule::OneToOne
        }
        "bernoulli" => {
            let probability = reader.required_quantity("p", Dimension::DIMENSIONLESS)?;
            if !(0.0..=1.0).contains(&probability.value) {
                return Err(reader
                    .error_at("p", probability.span, "a probability lies between 0 and 1")
                    .expected("0 <= p <= 1")
                    .found(probability.value.to_string()));
            }
            Rule::Bernoulli {
                probability: probability.value,
            }
        }
        "fixed_indegree" => Rule::FixedIndegree {
            indegree: count(&mut reader, "indegree")?,
        },
        "fixed_outdegree" => Rule::FixedOutdegree {
            outdegree: count(&mut reader, "outdegree")?,
        },
        "fixed_total" => Rule::FixedTotal {
            count: count(&mut reader, "count")?,
        },
        "patterns" => {
            let population = &context.populations[source];
            if source != target {
                return Err(reader
                    .error_at(
                        "rule",
                        rule_name.span.clone(),
                        "the patterns rule connects a population to itself",
                    )
                    .found(format!(
                        "source `{}`, target `{}`",
                        population.name, context.populations[target].name
                    )));
            }
            let Some(stored) = population.patterns.clone() else {
                return Err(reader
                    .error_at(
                        "rule",
                        rule_name.span.clone(),
                        format!("population `{}` stores no patterns", population.name),
                    )
                    .with_hint(format!(
                        "add patterns = {{ count = 10, coding_level = 0.5 }} to \
                         [population.{}]",
                        population.name
                    )));
            };
            let learning = match reader.choice("learning", Learning::NAMES)? {
                Some(Located {
                    value: "covariance",
                    ..
                }) => Learning::Covariance,
                _ => Learning::Hopfield,
            };
            let probability = match reader.quantity("probability", Dimension::DIMENSIONLESS)? {
                None => 1.0,
                Some(p) if p.value > 0.0 && p.value <= 1.0 => p.value,
                Some(p) => {
                    return Err(reader
                        .error_at(
                            "probability",
                            p.span,
                            "a connection probability lies in (0, 1]",
                        )
                        .expected("0 < probability <= 1")
                        .found(p.value.to_string()));
                }
            };
            // The weight is read below with the other projections'.
            Rule::Patterns(PatternRule {
                patterns: stored,
                learning,
                weight: 0.0,
                probability,
            })
        }
        _ => unreachable!("choice() admits only Rule::NAMES"),
    };
    // A learned network has no self-coupling unless asked: the Hopfield rule would give every
    // neuron a coupling P/N to itself, which stabilises every state.
    let is_patterns = matches!(rule, Rule::Patterns(_));
    let autapses = reader
        .boolean("autapses")?
        .map_or(!is_patterns, |a| a.value);
    let binary_target = context.populations[target].neuron.is_binary();
    if binary_target {
        refuse_for_binary(
            &mut reader,
            "delay",
            "a binary network's time is its update order",
        )?;
        refuse_for_binary(
            &mut reader,
            "synapse",
            "a binary neuron's input field changes the moment a source changes state",
        )?;
    }
    let synapse_kind = reader.choice("synapse", SynapseSpec::NAMES)?;
    let synapse = match synapse_kind.as_ref().map(|k| k.value) {
        Some("exponential") => SynapseSpec::Exponential {
            time_constant_ms: positive_time(&mut reader, "time_constant")?.value,
        },
        Some("alpha") => SynapseSpec::Alpha {
            time_constant_ms: positive_time(&mut reader, "time_constant")?.value,
        },
        Some("difference_of_exponentials") => {
            let rise = positive_time(&mut reader, "rise_time_constant")?;
            let decay = positive_time(&mut reader, "decay_time_constant")?;
            if rise.value >= decay.value {
                return Err(reader
                    .error_at(
                        "rise_time_constant",
                        rise.span,
                        "the rise time constant must be shorter than the decay time constant",
                    )
                    .expected(format!("< decay_time_constant = {} ms", decay.value))
                    .found(format!("{} ms", rise.value))
                    .with_hint("for equal time constants use synapse = \"alpha\""));
            }
            SynapseSpec::DifferenceOfExponentials {
                rise_time_constant_ms: rise.value,
                decay_time_constant_ms: decay.value,
            }
        }
        Some(kind @ ("conductance_exponential" | "conductance_alpha")) => {
            let time_constant_ms = positive_time(&mut reader, "time_constant")?.value;
            let target_neuron = &context.populations[target].neuron;
            let supported = matches!(
                target_neuron,
                NeuronSpec::Lif {
                    timing: SpikeTiming::Grid,
                    ..
                }
            );
            if !supported {
                let span = synapse_kind
                    .as_ref()
                    .map(|k| k.span.clone())
                    .unwrap_or(reader.span());
                return Err(reader
                    .error_at(
                        "synapse",
                        span,
                        "conductance synapses need a lif target with grid spike timing",
                    )
                    .found(format!("a {} target", target_neuron.name())));
            }
            let reversal_potential = reader
                .required_quantity("reversal_potential", Dimension::VOLTAGE)?
                .value;
            if kind == "conductance_alpha" {
                SynapseSpec::ConductanceAlpha {
                    time_constant_ms,
                    reversal_potential,
                }
            } else {
                SynapseSpec::ConductanceExponential {
                    time_constant_ms,
                    reversal_potential,
                }
            }
        }
        _ => SynapseSpec::Delta,
    };
    let weight_dimension = match synapse {
        _ if binary_target => Dimension::DIMENSIONLESS,
        SynapseSpec::Delta => Dimension::VOLTAGE,
        SynapseSpec::Exponential { .. }
        | SynapseSpec::Alpha { .. }
        | SynapseSpec::DifferenceOfExponentials { .. } => {
            context.populations[target].neuron.input_dimension()
        }
        SynapseSpec::ConductanceExponential { .. } | SynapseSpec::ConductanceAlpha { .. } => {
            Dimension::CONDUCTANCE
        }
    };
    let initial_conductance = match reader.table("initial_conductance")? {
        None => None,
        Some(table) => {
            if !matches!(synapse, SynapseSpec::ConductanceExponential { .. }) {
                return Err(reader.error_here(
                    "initial_conductance needs synapse = \"conductance_exponential\"",
                ));
            }
            // Negative initial values are accepted: the COBA benchmark's references draw
            // them from normals that reach below zero.
            let distribution = read_distribution(table, Dimension::CONDUCTANCE)?;
            Some(distribution.value)
        }
    };
    let non_negative = synapse.is_conductance();
    if is_patterns && synapse.is_conductance() {
        return Err(reader
            .error_here("learned couplings have both signs: they need current or delta synapses")
            .with_key(reader.key_path("synapse")));
    }
    let (mut rule, weights, delays) = match &list_file {
        Some(file) => connectivity::read_listed(
            context,
            &mut reader,
            file,
            (source, target),
            weight_dimension,
            non_negative,
        )?,
        None => (
            rule,
            connectivity::read_weight(&mut reader, weight_dimension, non_negative)?,
            connectivity::read_delay(&mut reader, context.simulation.dt_ms)?,
        ),
    };
    if let Rule::Patterns(learned) = &mut rule {
        if weights.distribution.is_some() {
            return Err(reader
                .error_here("the patterns rule learns every coupling: `weight` is one scale")
                .with_key(reader.key_path("weight"))
                .expected(format!(
                    "weight = {}",
                    crate::spec::reader::example_literal(weight_dimension)
                )));
        }
        learned.weight = weights.weight;
    }
    if binary_target
        && let Rule::FromList(list) = &rule
        && list.delay_steps.is_some()
    {
        return Err(reader.error_here(
            "the list has a delay column, but binary neurons have no delays: a binary \
             network's time is its update order; remove the column",
        ));
    }
    let same = source == target;
    let impossible = match rule {
        Rule::FixedIndegree { indegree }
            if indegree > 0 && source_size <= usize::from(same && !autapses) =>
        {
            Some("fixed_indegree: no source neuron to draw from")
        }
        Rule::FixedOutdegree { outdegree }
            if outdegree > 0 && target_size <= usize::from(same && !autapses) =>
        {
            Some("fixed_outdegree: no target neuron to draw from")
        }
        _ => None,
    };
    if let Some(message) = impossible {
        return Err(reader.error_here(message));
    }
    // A delay column of one value is one delay.
    let listed_delays = matches!(&rule, Rule::FromList(list)
        if list.delay_steps.as_ref().is_some_and(|d| d.iter().any(|&s| s != d[0])));
    let plasticity = plasticity::read_plasticity(
        context,
        &mut reader,
        &plasticity::ProjectionFacts {
            weight_dimension,
            conductance: synapse.is_conductance(),
            weight: weights.weight,
            weight_distribution: weights.distribution.as_ref(),
            varying_delays: delays.distribution.is_some() || listed_delays,
        },
    )?;
    if plasticity.is_some() {
        check_plastic_weights(context, &reader, &rule, &plasticity)?;
    }
    reader.finish()?;
    Ok(ProjectionSpec {
        source,
        target,
        rule,
        autapses,
        weight: weights.weight,
        weight_distribution: weights.distribution,
        delay_steps: delays.steps,
        delay_distribution: delays.distribution,
        synapse,
        initial_conductance,
        plasticity,
    })
}

/// Refuses listed weights outside the bounds of a plastic projection.
fn check_plastic_weights(
    context: &Context,
    reader: &TableReader,
    rule: &Rule,
    plasticity: &Option<PlasticitySpec>,
) -> Result<(), SpecError> {
    let (Rule::FromList(list), Some(plasticity)) = (rule, plasticity) else {
        return Ok(());
    };
    let Some(weights) = &list.weights else {
        return Ok(());
    };
    let _ = context;
    if let Some(row) = weights
        .iter()
        .position(|&w| w < plasticity.w_min || w > plasticity.w_max)
    {
        return Err(reader
            .error_here(format!(
                "synapse {row} of {} has weight {}, outside [w_min, w_max] = [{}, {}]",
                list.path.display(),
                weights[row],
                plasticity.w_min,
                plasticity.w_max
            ))
            .with_key(reader.key_path("plasticity")));
    }
    Ok(())
}

/// The error for `key` in a projection onto binary neurons, if present, saying `why` it
/// means nothing there.
fn refuse_for_binary(
    reader: &mut TableReader,
    key: &'static str,
    why: &str,
) -> Result<(), SpecError> {
    let Some(entry) = reader.entry(key) else {
        return Ok(());
    };
    let span = entry.node.span.clone();
    Err(reader
        .error_at(
            key,
            span,
            format!("a projection onto binary neurons has no `{key}`: {why}"),
        )
        .expected(format!("no `{key}` key")))
}

/// A required time that must be positive (a synaptic time constant).
fn positive_time(reader: &mut TableReader, key: &'static str) -> Result<Located<f64>, SpecError> {
    let time = reader.required_quantity(key, Dimension::TIME)?;
    if time.value <= 0.0 {
        return Err(reader
            .error_at(key, time.span, "a time constant must be positive")
            .expected("> 0 ms")
            .found(format!("{} ms", time.value)));
    }
    Ok(time)
}

//! Rate-model files: a model file in which every population has `model = "rate"` describes a
//! [`RateModel`] — single rates and neural fields on a ring or a torus, coupled by weights or
//! kernels with delays — read here into a checked [`RateModelSpec`].
//!
//! ```text
//! τ_i ∂r_i(x, t)/∂t = −r_i(x, t) + Φ_i( I_i + I_i^ext(x, t) + Σ_j (J_ij ⋆ r_j)(x, t − D_ij) )
//! ```
//! (see [`crate::rate::model`] for the conventions: J ⋆ r is J_ij·r_j between single rates and
//! the mean over the field of kernel × rate between fields).
//!
//! ```toml
//! [simulation]
//! duration = "2000 ms"
//! dt = "0.1 ms"                      # default 0.1 ms
//! seed = 1                           # default 0 (noise inputs)
//!
//! [population.E]
//! model = "rate"
//! tau = "10 ms"                      # time_constant; default 10 ms
//! initial_rate = 0.0                 # r(0) and the constant history; default 0
//! transfer = { kind = "sigmoid", threshold = 4.0, slope = 1.0 }  # threshold_linear | sigmoid | lif
//! input = 1.5                        # constant external input I, in Φ's input unit
//!                                    # ("20 mV" for lif); default 0
//!
//! [population.ring]
//! model = "rate"
//! transfer = { kind = "threshold_linear" }
//! geometry = "ring"                  # single (default) | ring | torus
//! points = 256                       # ring: N; torus: [Nx, Ny]
//! length = 180.0                     # ring: L; torus: [Lx, Ly] (a plain number: the model's
//!                                    # unit of space, e.g. degrees)
//!
//! [coupling.E]                       # couplings onto E (row E of J): SOURCE = weight
//! E = 12.0                           # in Φ_target's input unit per Φ_source's output unit
//!
//! [coupling.ring]                    # between fields of the same geometry: a kernel
//! ring = { kernel = "cosine", mean = -2.0, modulation = 6.0 }
//! # kernel = "gaussian" (amplitude, width) | "mexican_hat" (excitation, excitation_width,
//! # inhibition, inhibition_width) | "file" (file = "k.npy" or "k.csv": one value per
//! # displacement of the grid, see Kernel::Sampled)
//!
//! [delay.E]                          # delays onto E: SOURCE = delay (of a declared coupling)
//! E = "2 ms"
//!
//! [[input]]                          # constant | step | steps | pulse_train | ramp |
//! target = "E"                       #   timeseries | white_noise | ou_noise, as in spiking
//! kind = "step"                      #   models; amplitudes in Φ's input unit
//! amplitude = 1.0
//! start = "100 ms"
//! stop = "200 ms"
//!
//! [[input]]                          # a bump on a field
//! target = "ring"
//! kind = "bump"
//! shape = "cosine"                   # cosine (contrast in [0, 1]) | gaussian (width > 0)
//! amplitude = 2.0                    # A·[(1 − contrast) + contrast·cos(2π(x − x0(t))/L)]
//! contrast = 0.1                     #   or A·exp(−d²/(2 width²))
//! center = 0.0                       # ring: x; torus: [x, y]; default 0
//! velocity = 0.0                     # per ms: x0(t) = center + velocity·(t − start); default 0
//! start = "0 ms"                     # default 0
//! stop = "500 ms"                    # default: never
//!
//! [history]                          # single rates: r(t) for t ≤ 0, read like a timeseries
//! E = { file = "history_E.csv" }     # input (time ≤ 0, value; optional unit, time_unit,
//!                                    # sampling_interval, interpolation); default: initial_rate
//!
//! [[record]]
//! kind = "trace"                     # the only kind (default); rates do not spike
//! population = "ring"
//! interval = "1 ms"                  # a whole number of steps
//! ```
//!
//! Without `[[record]]` every population is recorded: a single rate every max(dt, 1 ms) (to
//! the nearest step), a field at the same interval or a longer one chosen so that its record
//! holds at most 10^7 values. An explicit interval may not make a record of more than 10^8
//! values.
//!
//! Every name is checked (populations in `coupling`, `delay`, `input`, `history`, `record`;
//! keys of every table) with a "did you mean" for typos, as are units, geometries (a torus
//! takes pairs), kernels (fields only, of the same geometry; a single rate and a field are
//! never coupled), delays (of declared couplings, ≥ 0), bumps (fields only) and inputs
//! (Poisson spike trains do not drive rate populations).
//!
//! A parameter sweep re-checks a parsed [`RateModelDocument`] with numbers replaced by
//! [`RateModelDocument::with_overrides`]; [`RateModelDocument::numeric_paths`] lists what
//! may be replaced.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::cable_model::{CableModelSpec, is_cable_model, read_parsed_cable_model};
use super::document::{Node, Source, Value, parse_document};
use super::error::{SpecError, closest};
use super::model::{self, INPUT_KINDS, MODEL_NAMES, ModelSpec, SimulationSpec};
use super::reader::{Located, TableReader, quantity_from_node};
use crate::input::Input;
use crate::neuron::rate::{self, TransferFunction};
use crate::rate::{CouplingStrength, Geometry, Kernel, RateCoupling, RateModel, RatePopulation};
use crate::units::Dimension;

mod kernel_file;
mod overrides;
#[cfg(test)]
mod tests;

/// A checked model file of any kind.
// One ModelFile is made per file read and then taken apart by a match; boxing the larger
// variants would save a few hundred bytes once, at the cost of a Box in every caller's pattern.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ModelFile {
    /// A network of spiking neurons (possibly with independent rate units among them).
    Spiking(ModelSpec),
    /// A rate model: every population has `model = "rate"`.
    Rate(RateModelSpec),
    /// A neuron's cable model: `[section.*]` or `[morphology]` and no populations.
    Cable(CableModelSpec),
    /// A network of binary neurons: every population has `model = "binary"` (simulated by
    /// [`crate::binary`]).
    Binary(ModelSpec),
}

/// A checked rate-model file.
#[derive(Clone, Debug)]
pub struct RateModelSpec {
    /// The file it came from.
    pub source: Source,
    /// Duration, step and seed.
    pub simulation: SimulationSpec,
    /// Populations and couplings.
    pub model: RateModel,
    /// External inputs that vary in time or space (the constant input I is part of
    /// [`RateModelSpec::model`]).
    pub inputs: Vec<RateInputSpec>,
    /// r(t) for t ≤ 0.
    pub history: HistorySpec,
    /// What to record (defaults filled in when the file says nothing).
    pub records: Vec<RateRecordSpec>,
}

/// One `[[input]]` of a rate model: the simulator's own [`crate::rate::RateInput`] (a
/// waveform, or a bump on a field), so that a checked file drives the simulator as it is.
pub type RateInputSpec = crate::rate::RateInput;

/// r(t) for t ≤ 0, which delayed couplings read at the start: the simulator's
/// [`crate::rate::History`].
pub type HistorySpec = crate::rate::History;

pub use crate::rate::{BumpShape, RateInputKind};

/// One `[[record]]` of a rate model: the rate of every point of a population.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateRecordSpec {
    /// Population index.
    pub population: usize,
    /// Time between samples (ms), a whole number of steps.
    pub interval_ms: f64,
}

/// dt when the file gives none: the recommended step of rate units.
const DEFAULT_DT_MS: f64 = 0.1;

/// The most values a default record of a field holds.
const DEFAULT_RECORD_VALUES: f64 = 1e7;

/// The most values an explicit record may hold (800 MB of f64).
const MAX_RECORD_VALUES: f64 = 1e8;

/// The kinds of a rate model's `[[input]]`: the waveforms, Poisson (refused with a reason)
/// and bumps.
const RATE_INPUT_KINDS: &[&str] = &[
    "constant",
    "step",
    "steps",
    "pulse_train",
    "ramp",
    "timeseries",
    "white_noise",
    "ou_noise",
    "poisson",
    "bump",
];

/// The kernels of a coupling between fields.
pub const KERNEL_NAMES: &[&str] = &["cosine", "gaussian", "mexican_hat", "file"];

/// The geometries of a population.
pub const GEOMETRY_NAMES: &[&str] = &["single", "ring", "torus"];

/// Whether a parsed model file is a rate model: it has populations and every one of them is a
/// table with `model = "rate"`.
pub fn is_rate_model(root: &Node) -> bool {
    let Value::Table(root) = &root.value else {
        return false;
    };
    let Some(Value::Table(populations)) = root.get("population").map(|e| &e.node.value) else {
        return false;
    };
    !populations.entries.is_empty()
        && populations.entries.iter().all(|population| {
            let Value::Table(table) = &population.node.value else {
                return false;
            };
            matches!(
                table.get("model").map(|e| &e.node.value),
                Some(Value::String(model)) if model == "rate"
            )
        })
}

/// Reads and checks a model file of any kind: a cable model if it has sections or a
/// morphology, a rate model if every population is a rate population, a binary network if
/// every population is binary, a spiking network otherwise.
pub fn read_any_model_file(path: &Path) -> Result<ModelFile, SpecError> {
    let source = model::read_source(path)?;
    read_any_model(source, &base_directory_of(path))
}

/// Reads and checks a model of any kind from text; relative data-file paths are resolved
/// against `base_directory`.
pub fn read_any_model(source: Source, base_directory: &Path) -> Result<ModelFile, SpecError> {
    let root = parse_document(&source)?;
    // A cable model has no populations, so it is told apart first.
    if is_cable_model(&root) {
        read_parsed_cable_model(source, &root, base_directory).map(ModelFile::Cable)
    } else if is_rate_model(&root) {
        read_parsed_rate_model(source, &root, base_directory).map(ModelFile::Rate)
    } else {
        let spec = model::read_parsed_model(source, &root, base_directory)?;
        Ok(if spec.update.is_some() {
            ModelFile::Binary(spec)
        } else {
            ModelFile::Spiking(spec)
        })
    }
}

/// Reads and checks a rate model from text; relative data-file paths are resolved against
/// `base_directory`.
pub fn read_rate_model(source: Source, base_directory: &Path) -> Result<RateModelSpec, SpecError> {
    RateModelDocument::new(source, base_directory)?.check()
}

impl RateModelSpec {
    /// The inputs, for the simulator.
    pub fn rate_inputs(&self) -> Vec<crate::rate::RateInput> {
        self.inputs.clone()
    }

    /// The history, for the simulator.
    pub fn rate_history(&self) -> crate::rate::History {
        self.history.clone()
    }

    /// Reads and checks a rate-model file.
    pub fn read(path: &Path) -> Result<RateModelSpec, SpecError> {
        RateModelDocument::read(path)?.check()
    }

    /// Reads a rate-model file, replaces numbers in it (see
    /// [`RateModelDocument::with_overrides`]) and checks it. For a sweep, read the
    /// [`RateModelDocument`] once and call `with_overrides` for each point.
    pub fn read_with_overrides(
        path: &Path,
        overrides: &[(String, f64)],
    ) -> Result<RateModelSpec, SpecError> {
        RateModelDocument::read(path)?.with_overrides(overrides)
    }
}

fn base_directory_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A parsed rate-model file, not yet checked: the starting point of parameter sweeps, which
/// check it again with some numbers replaced without reading or parsing the file again.
#[derive(Clone, Debug)]
pub struct RateModelDocument {
    source: Source,
    root: Node,
    base_directory: PathBuf,
}

impl RateModelDocument {
    /// Reads and parses a model file (data files it names are read when it is checked).
    pub fn read(path: &Path) -> Result<RateModelDocument, SpecError> {
        let source = model::read_source(path)?;
        RateModelDocument::new(source, &base_directory_of(path))
    }

    /// Parses a model's text; relative data-file paths are resolved against
    /// `base_directory`.
    pub fn new(source: Source, base_directory: &Path) -> Result<RateModelDocument, SpecError> {
        let root = parse_document(&source)?;
        Ok(RateModelDocument {
            source,
            root,
            base_directory: base_directory.to_path_buf(),
        })
    }

    /// The file's text and name.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Checks the model as written.
    pub fn check(&self) -> Result<RateModelSpec, SpecError> {
        read_parsed_rate_model(self.source.clone(), &self.root, &self.base_directory)
    }

    /// Checks the model with numbers replaced: each `(path, value)` sets the number at a
    /// dotted key path — `population.E.input`, `coupling.E.I`, `delay.I.I`,
    /// `coupling.ring.ring.modulation`, `population.E.transfer.threshold`,
    /// `input[0].amplitude`, `population.F.length[1]` — to `value`. A quantity keeps the unit
    /// it is written with (`"2 ms"` set to 3 is 3 ms); a parameter, input or delay the file
    /// leaves at its default is added in its working unit (ms, mV). A parameter may be named
    /// by any of its symbols (`tau` or `time_constant`).
    ///
    /// # Errors
    /// A path that names no number of the model (the message lists those that do, see
    /// [`Self::numeric_paths`]), a value that is not finite, and every error of the checked
    /// model (with a hint naming the override where the error is about its key).
    pub fn with_overrides(&self, overrides: &[(String, f64)]) -> Result<RateModelSpec, SpecError> {
        if overrides.is_empty() {
            return self.check();
        }
        let mut root = self.root.clone();
        overrides::apply(&self.source, &mut root, overrides)?;
        read_parsed_rate_model(self.source.clone(), &root, &self.base_directory)
            .map_err(|error| overrides::explain(error, overrides))
    }

    /// The dotted key paths [`Self::with_overrides`] accepts: every number of the file, in
    /// file order, then the parameters, inputs and delays (of declared couplings) left at
    /// their defaults.
    pub fn numeric_paths(&self) -> Vec<String> {
        overrides::numeric_paths(&self.root)
    }
}

/// Checks a rate model whose text `source` has been parsed into `root_node`.
fn read_parsed_rate_model(
    source: Source,
    root_node: &Node,
    base_directory: &Path,
) -> Result<RateModelSpec, SpecError> {
    let mut root = TableReader::root(&source, root_node)?;
    let simulation = read_simulation(&mut root)?;
    let (populations, spans) = read_populations(&mut root)?;
    let reader = Reader {
        source: &source,
        populations: &populations,
        base_directory,
        simulation,
    };
    let mut couplings = reader.couplings(&mut root)?;
    reader.delays(&mut root, &mut couplings)?;
    let inputs = match root.array("input")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| reader.input(node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let history = reader.history(&mut root)?;
    let records = match root.array("record")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| reader.record(node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => (0..populations.len())
            .map(|population| RateRecordSpec {
                population,
                interval_ms: default_interval_ms(&simulation, &populations[population].geometry),
            })
            .collect(),
    };
    refuse_spiking_tables(&mut root)?;
    root.finish()?;
    let couplings = couplings
        .into_iter()
        .map(|(coupling, _)| coupling)
        .collect();
    let model = RateModel::new(populations, couplings).map_err(|error| {
        // Every rule of RateModel::new is checked above with its place in the file; this is
        // a safety net that points at the populations.
        SpecError::new(&source, spans.clone(), error.to_string()).with_key("population")
    })?;
    Ok(RateModelSpec {
        source,
        simulation,
        model,
        inputs,
        history,
        records,
    })
}

fn read_simulation(root: &mut TableReader) -> Result<SimulationSpec, SpecError> {
    let mut simulation = root.table("simulation")?.ok_or_else(|| {
        root.error_here("missing [simulation] table")
            .expected("[simulation] with duration = \"1000 ms\"")
    })?;
    let duration = simulation.required_quantity("duration", Dimension::TIME)?;
    let dt = simulation.quantity("dt", Dimension::TIME)?;
    let seed = simulation.unsigned("seed")?.map_or(0, |s| s.value);
    let span = simulation.span();
    simulation.finish()?;
    let dt_ms = dt.as_ref().map_or(DEFAULT_DT_MS, |dt| dt.value);
    // Rate populations allow any dt (no population limits it).
    model::check_timing(root.source(), duration, dt.as_ref(), dt_ms, seed, &[], span)
}

/// The populations and the span of the `population` table.
fn read_populations(
    root: &mut TableReader,
) -> Result<(Vec<RatePopulation>, Range<usize>), SpecError> {
    let Some(mut table) = root.table("population")? else {
        return Err(root
            .error_here("the model has no population")
            .expected("a [population.NAME] table with model = \"rate\""));
    };
    let mut populations = Vec::new();
    for name in table.keys() {
        let mut reader = table.table(name)?.expect("keys() lists present entries");
        let model = reader.choice("model", MODEL_NAMES)?.ok_or_else(|| {
            reader
                .error_here(format!("population `{name}` has no model"))
                .expected("model = \"rate\"")
        })?;
        if model.value != "rate" {
            return Err(reader
                .error_at(
                    "model",
                    model.span,
                    format!(
                        "a {} population in a rate model: every population of a rate model \
                         is a rate population",
                        model.value
                    ),
                )
                .expected("model = \"rate\"")
                .found(format!("\"{}\"", model.value)));
        }
        if let Some(size) = reader.entry("size") {
            return Err(reader
                .error_at(
                    "size",
                    size.node.span.clone(),
                    "a population of a rate model is one rate or a field, not a number of units",
                )
                .with_hint(
                    "remove `size`; for a field write geometry = \"ring\" with points and length",
                ));
        }
        let parameters = reader.parameters(rate::PARAMETERS)?;
        let (kind, transfer) = model::read_transfer(&mut reader)?;
        let transfer =
            TransferFunction::from_set(kind, &transfer).expect("read_transfer checked it");
        let input = reader
            .quantity("input", transfer.input_dimension())?
            .map_or(0.0, |input| input.value);
        let geometry = read_geometry(&mut reader)?;
        reader.finish()?;
        populations.push(RatePopulation {
            name: name.to_string(),
            time_constant_ms: parameters.value("time_constant"),
            transfer,
            input,
            initial_rate: parameters.value("initial_rate"),
            geometry,
        });
    }
    let span = table.span();
    table.finish()?;
    Ok((populations, span))
}

fn read_geometry(reader: &mut TableReader) -> Result<Geometry, SpecError> {
    let kind = reader.choice("geometry", GEOMETRY_NAMES)?;
    match kind.as_ref().map_or("single", |k| k.value) {
        "ring" => {
            let points = reader.entry("points");
            let length = reader.entry("length");
            let (Some(points), Some(length)) = (points, length) else {
                return Err(reader
                    .error_here("a ring needs `points` and `length`")
                    .expected("points = 256 and length = 180.0"));
            };
            let path = reader.key_path("points");
            let points = point_count(reader.source(), &points.node, &path)?;
            let path = reader.key_path("length");
            let length = positive_number(reader.source(), &length.node, &path, "a length")?;
            Ok(Geometry::Ring { points, length })
        }
        "torus" => {
            let points = reader.entry("points");
            let length = reader.entry("length");
            let (Some(points), Some(length)) = (points, length) else {
                return Err(reader
                    .error_here("a torus needs `points` and `length`, pairs for its two sides")
                    .expected("points = [32, 32] and length = [1.0, 1.0]"));
            };
            let source = reader.source();
            let path = reader.key_path("points");
            let [nx, ny] = pair(source, &points.node, &path, "points = [Nx, Ny]")?;
            let points = (
                point_count(source, nx, &format!("{path}[0]"))?,
                point_count(source, ny, &format!("{path}[1]"))?,
            );
            let path = reader.key_path("length");
            let [lx, ly] = pair(source, &length.node, &path, "length = [Lx, Ly]")?;
            let lengths = (
                positive_number(source, lx, &format!("{path}[0]"), "a length")?,
                positive_number(source, ly, &format!("{path}[1]"), "a length")?,
            );
            Ok(Geometry::Torus { points, lengths })
        }
        _ => {
            for key in ["points", "length"] {
                if let Some(entry) = reader.entry(key) {
                    return Err(reader
                        .error_at(
                            key,
                            entry.node.span.clone(),
                            format!("a single rate has no `{key}`"),
                        )
                        .with_hint("for a field write geometry = \"ring\" or \"torus\""));
                }
            }
            Ok(Geometry::Single)
        }
    }
}

/// The two items of `[a, b]`.
fn pair<'a>(
    source: &Source,
    node: &'a Node,
    path: &str,
    example: &str,
) -> Result<[&'a Node; 2], SpecError> {
    match &node.value {
        Value::Array(items) if items.len() == 2 => Ok([&items[0], &items[1]]),
        Value::Array(items) => Err(SpecError::new(
            source,
            node.span.clone(),
            "a torus takes a pair: one value for each side",
        )
        .with_key(path)
        .expected(example.to_string())
        .found(format!("{} values", items.len()))),
        other => Err(SpecError::new(
            source,
            node.span.clone(),
            "a torus takes a pair: one value for each side",
        )
        .with_key(path)
        .expected(example.to_string())
        .found(format!("{} {}", other.kind_name(), node.describe()))),
    }
}

/// A number of grid points: an integer of at least 2.
fn point_count(source: &Source, node: &Node, path: &str) -> Result<usize, SpecError> {
    match node.value {
        Value::Integer(points) if points >= 2 => usize::try_from(points).map_err(|_| {
            SpecError::new(
                source,
                node.span.clone(),
                "too many points for this machine",
            )
            .with_key(path)
        }),
        ref other => {
            Err(
                SpecError::new(source, node.span.clone(), "a field needs at least 2 points")
                    .with_key(path)
                    .expected("an integer >= 2")
                    .found(format!("{} {}", other.kind_name(), node.describe())),
            )
        }
    }
}

/// A plain number.
fn number(source: &Source, node: &Node, path: &str) -> Result<Located<f64>, SpecError> {
    quantity_from_node(source, node, Dimension::DIMENSIONLESS, path)
}

/// A plain number > 0.
fn positive_number(source: &Source, node: &Node, path: &str, what: &str) -> Result<f64, SpecError> {
    let value = number(source, node, path)?;
    if value.value > 0.0 {
        Ok(value.value)
    } else {
        Err(
            SpecError::new(source, value.span, format!("{what} must be positive"))
                .with_key(path)
                .expected("a number > 0")
                .found(node.describe()),
        )
    }
}

fn describe_geometry(geometry: &Geometry) -> String {
    match geometry {
        Geometry::Single => "a single rate".into(),
        Geometry::Ring { points, length } => {
            format!("a ring of {points} points and length {length}")
        }
        Geometry::Torus { points, lengths } => format!(
            "a torus of {} × {} points and lengths {} × {}",
            points.0, points.1, lengths.0, lengths.1
        ),
    }
}

/// The default interval of a record: max(dt, 1 ms) to the nearest step, longer for a field
/// whose record would otherwise hold more than 10^7 values.
fn default_interval_ms(simulation: &SimulationSpec, geometry: &Geometry) -> f64 {
    let mut steps = (1.0 / simulation.dt_ms).round().max(1.0) as u64;
    let points = geometry.size() as f64;
    // A record of k steps holds floor(S/k) + 1 samples of every point: at most m =
    // floor(10^7/points) samples needs floor(S/k) <= m − 1, i.e. k >= floor(S/m) + 1.
    let samples = (DEFAULT_RECORD_VALUES / points).floor().max(2.0) as u64;
    steps = steps.max(simulation.steps / samples + 1);
    steps.min(simulation.steps.max(1)) as f64 * simulation.dt_ms
}

/// The spiking model's tables that a rate model does not have, refused with the reason.
fn refuse_spiking_tables(root: &mut TableReader) -> Result<(), SpecError> {
    for (key, message, hint) in [
        (
            "projection",
            "rate models have no projections",
            "couple rate populations with [coupling.TARGET] SOURCE = weight",
        ),
        (
            "fi",
            "rate models have no f–I sweep",
            "the transfer function is the f–I curve of a rate population",
        ),
    ] {
        if let Some(entry) = root.entry(key) {
            return Err(
                SpecError::new(root.source(), entry.key_span.clone(), message)
                    .with_key(key)
                    .with_hint(hint),
            );
        }
    }
    Ok(())
}

/// What the readers of couplings, inputs, history and records share.
struct Reader<'a> {
    source: &'a Source,
    populations: &'a [RatePopulation],
    base_directory: &'a Path,
    simulation: SimulationSpec,
}

/// A coupling with the span of its value, for the errors of delays.
type LocatedCoupling = (RateCoupling, Range<usize>);

impl Reader<'_> {
    /// The index of the population `name`, written at `span` (key path `key`).
    fn population(&self, name: &str, span: Range<usize>, key: String) -> Result<usize, SpecError> {
        self.populations
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.populations.iter().map(|p| p.name.as_str()).collect();
                let mut error =
                    SpecError::new(self.source, span, format!("no population named `{name}`"))
                        .with_key(key)
                        .expected(format!("one of {}", known.join(", ")))
                        .found(format!("\"{name}\""));
                if let Some(near) = closest(name, known.iter().copied()) {
                    error = error.with_hint(format!("did you mean \"{near}\"?"));
                }
                error
            })
    }

    /// The population named by the string at `key` of `reader`.
    fn population_at(
        &self,
        reader: &mut TableReader,
        key: &'static str,
    ) -> Result<usize, SpecError> {
        let name = reader.required_string(key, "\"<population name>\"")?;
        self.population(&name.value, name.span, reader.key_path(key))
    }

    /// The population a key of `table` names, with its sub-table.
    fn population_key<'t>(
        &self,
        table: &mut TableReader<'t>,
        name: &'t str,
    ) -> Result<usize, SpecError> {
        let entry = table.entry(name).expect("keys() lists present entries");
        self.population(name, entry.key_span.clone(), table.key_path(name))
    }

    /// `[coupling.TARGET]` tables: SOURCE = weight or kernel.
    fn couplings(&self, root: &mut TableReader) -> Result<Vec<LocatedCoupling>, SpecError> {
        let Some(mut table) = root.table("coupling")? else {
            return Ok(Vec::new());
        };
        let mut couplings = Vec::new();
        for target_name in table.keys() {
            let target = self.population_key(&mut table, target_name)?;
            let mut row = table.table(target_name)?.expect("present");
            for source_name in row.keys() {
                let source = self.population_key(&mut row, source_name)?;
                let entry = row.entry(source_name).expect("present");
                let path = row.key_path(source_name);
                let strength = self.strength(source, target, entry, &path)?;
                couplings.push((
                    RateCoupling {
                        source,
                        target,
                        strength,
                        delay_ms: 0.0,
                    },
                    entry.node.span.clone(),
                ));
            }
            row.finish()?;
        }
        table.finish()?;
        Ok(couplings)
    }

    /// A weight between single rates or a kernel between fields of the same geometry.
    fn strength(
        &self,
        source: usize,
        target: usize,
        entry: &super::document::Entry,
        path: &str,
    ) -> Result<CouplingStrength, SpecError> {
        let (from, onto) = (&self.populations[source], &self.populations[target]);
        let error = |message: String| {
            SpecError::new(self.source, entry.node.span.clone(), message).with_key(path)
        };
        let from_single = matches!(from.geometry, Geometry::Single);
        let onto_single = matches!(onto.geometry, Geometry::Single);
        if from_single != onto_single {
            let (single, field) = if from_single {
                (from, onto)
            } else {
                (onto, from)
            };
            return Err(error(format!(
                "`{}` is a single rate and `{}` a field: couplings between a single rate and \
                 a field are not part of rate models",
                single.name, field.name
            )));
        }
        if !from_single && from.geometry != onto.geometry {
            return Err(error(format!(
                "a kernel joins fields of the same geometry; `{}` is {} and `{}` is {}",
                from.name,
                describe_geometry(&from.geometry),
                onto.name,
                describe_geometry(&onto.geometry)
            )));
        }
        match (&entry.node.value, from_single) {
            (Value::Table(table), false) => {
                let reader = TableReader::new(self.source, table, path, entry.key_span.clone());
                Ok(CouplingStrength::Kernel(
                    self.kernel(reader, &onto.geometry)?,
                ))
            }
            (Value::Table(_), true) => Err(error(
                "a kernel joins two fields; between single rates give a weight".into(),
            )
            .expected(format!("{} = 12.0", from.name))
            .found("a table")),
            (_, true) => Ok(CouplingStrength::Weight(
                number(self.source, &entry.node, path)
                    .map_err(|error| {
                        if onto.transfer.input_dimension() == Dimension::DIMENSIONLESS {
                            error
                        } else {
                            error.with_hint(
                                "a weight is a plain number: the target's input unit (mV) per \
                                 the source's rate unit (Hz)",
                            )
                        }
                    })?
                    .value,
            )),
            (_, false) => Err(error(
                "between fields the coupling is a kernel, not a weight".into(),
            )
            .expected(format!(
                "a kernel table such as {} = {{ kernel = \"cosine\", mean = -2.0, \
                 modulation = 6.0 }}",
                from.name
            ))
            .found(entry.node.describe())),
        }
    }

    /// `{ kernel = "...", ... }`.
    fn kernel(&self, mut reader: TableReader, geometry: &Geometry) -> Result<Kernel, SpecError> {
        let kind = reader.choice("kernel", KERNEL_NAMES)?.ok_or_else(|| {
            reader
                .error_here("missing `kernel`")
                .expected(format!("kernel = one of {}", KERNEL_NAMES.join(", ")))
        })?;
        let plain = |reader: &mut TableReader, key: &'static str| {
            reader
                .required_quantity(key, Dimension::DIMENSIONLESS)
                .map(|q| q.value)
        };
        let positive = |reader: &mut TableReader, key: &'static str, what: &str| {
            let value = reader.required_quantity(key, Dimension::DIMENSIONLESS)?;
            if value.value > 0.0 {
                Ok(value.value)
            } else {
                Err(reader
                    .error_at(key, value.span, format!("{what} must be positive"))
                    .expected("a number > 0")
                    .found(value.value.to_string()))
            }
        };
        let kernel = match kind.value {
            "cosine" => Kernel::Cosine {
                mean: plain(&mut reader, "mean")?,
                modulation: plain(&mut reader, "modulation")?,
            },
            "gaussian" => Kernel::Gaussian {
                amplitude: plain(&mut reader, "amplitude")?,
                width: positive(&mut reader, "width", "a width")?,
            },
            "mexican_hat" => Kernel::DifferenceOfGaussians {
                excitation: positive(&mut reader, "excitation", "the excitation")?,
                excitation_width: positive(&mut reader, "excitation_width", "a width")?,
                inhibition: positive(&mut reader, "inhibition", "the inhibition")?,
                inhibition_width: positive(&mut reader, "inhibition_width", "a width")?,
            },
            _ => {
                let file = reader.required_string("file", "\"kernel.npy\"")?;
                let path = model::resolve(self.base_directory, &file.value);
                let values = kernel_file::read_kernel(&path, geometry).map_err(|message| {
                    reader
                        .error_at("file", file.span.clone(), message)
                        .found(format!("\"{}\"", file.value))
                })?;
                Kernel::Sampled { values }
            }
        };
        reader.finish()?;
        Ok(kernel)
    }

    /// `[delay.TARGET]` tables: SOURCE = delay, each of a declared coupling.
    fn delays(
        &self,
        root: &mut TableReader,
        couplings: &mut [LocatedCoupling],
    ) -> Result<(), SpecError> {
        let Some(mut table) = root.table("delay")? else {
            return Ok(());
        };
        for target_name in table.keys() {
            let target = self.population_key(&mut table, target_name)?;
            let mut row = table.table(target_name)?.expect("present");
            for source_name in row.keys() {
                let source = self.population_key(&mut row, source_name)?;
                let delay = row
                    .quantity(source_name, Dimension::TIME)?
                    .expect("present");
                if delay.value < 0.0 {
                    return Err(row
                        .error_at(source_name, delay.span, "a delay cannot be negative")
                        .expected(">= 0 ms")
                        .found(format!("{} ms", delay.value)));
                }
                let Some((coupling, _)) = couplings
                    .iter_mut()
                    .find(|(c, _)| c.source == source && c.target == target)
                else {
                    return Err(row
                        .error_at(
                            source_name,
                            delay.span,
                            format!(
                                "no coupling from `{source_name}` onto `{target_name}` to delay"
                            ),
                        )
                        .with_hint(format!(
                            "declare it under [coupling.{target_name}] as {source_name} = ..."
                        )));
                };
                coupling.delay_ms = delay.value;
            }
            row.finish()?;
        }
        table.finish()
    }

    /// One `[[input]]`.
    fn input(&self, node: &Node, index: usize) -> Result<RateInputSpec, SpecError> {
        let mut reader = model::table_of(self.source, node, format!("input[{index}]"))?;
        let target = self.population_at(&mut reader, "target")?;
        let population = &self.populations[target];
        let kind = reader.choice("kind", RATE_INPUT_KINDS)?.ok_or_else(|| {
            reader
                .error_here("missing `kind`")
                .expected(format!("kind = one of {}", RATE_INPUT_KINDS.join(", ")))
        })?;
        let current = population.transfer.input_dimension();
        let mut start_ms = reader
            .quantity("start", Dimension::TIME)?
            .map_or(0.0, |q| q.value);
        let mut stop_ms = reader
            .quantity("stop", Dimension::TIME)?
            .map_or(f64::INFINITY, |q| q.value);
        let input = match kind.value {
            "poisson" => {
                return Err(reader
                    .error_at(
                        "kind",
                        kind.span,
                        "Poisson spike inputs are not supported in rate models: a rate \
                         population receives an input current, not spikes",
                    )
                    .expected(format!(
                        "one of {}",
                        RATE_INPUT_KINDS
                            .iter()
                            .filter(|&&k| k != "poisson")
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .found("\"poisson\"")
                    .with_hint(
                        "a noisy drive is white_noise or ou_noise; the mean drive of Poisson \
                         spikes is a constant input",
                    ));
            }
            "bump" => {
                if matches!(population.geometry, Geometry::Single) {
                    let span = reader
                        .entry("target")
                        .map_or(reader.span(), |e| e.node.span.clone());
                    return Err(reader
                        .error_at(
                            "kind",
                            span,
                            format!(
                                "a bump is an input to a field; `{}` is a single rate",
                                population.name
                            ),
                        )
                        .expected("a population with geometry = \"ring\" or \"torus\"")
                        .found(format!("\"{}\"", population.name)));
                }
                self.bump(&mut reader, &population.geometry, current)?
            }
            waveform => {
                debug_assert!(INPUT_KINDS.contains(&waveform));
                let kind = model::read_waveform(
                    &mut reader,
                    waveform,
                    current,
                    self.base_directory,
                    &mut start_ms,
                    &mut stop_ms,
                )?;
                RateInputKind::Waveform(kind)
            }
        };
        let span = reader.span();
        reader.finish()?;
        let invalid = |message: String| {
            SpecError::new(self.source, span.clone(), message).with_key(format!("input[{index}]"))
        };
        match &input {
            RateInputKind::Waveform(kind) => {
                // The checks of spiking inputs (one neuron stands for the population).
                Input::new(
                    kind.clone(),
                    vec![0],
                    start_ms,
                    stop_ms,
                    self.simulation.seed,
                    index as u64,
                    self.simulation.dt_ms,
                )
                .map_err(|error| invalid(error.to_string()))?;
            }
            RateInputKind::Bump { .. } => {
                if !(start_ms >= 0.0 && stop_ms > start_ms) {
                    return Err(invalid(format!(
                        "the bump acts from {start_ms} ms to {stop_ms} ms; it needs 0 <= start < stop"
                    )));
                }
            }
        }
        Ok(RateInputSpec {
            target,
            kind: input,
            start_ms,
            stop_ms,
        })
    }

    /// The keys of a bump: shape, amplitude, contrast or width, center, velocity.
    fn bump(
        &self,
        reader: &mut TableReader,
        geometry: &Geometry,
        current: Dimension,
    ) -> Result<RateInputKind, SpecError> {
        let shape = reader
            .choice("shape", &["cosine", "gaussian"])?
            .ok_or_else(|| {
                reader
                    .error_here("missing `shape`")
                    .expected("shape = \"cosine\" (with contrast) or \"gaussian\" (with width)")
            })?;
        let amplitude = reader.required_quantity("amplitude", current)?.value;
        let shape = if shape.value == "cosine" {
            let contrast = reader.required_quantity("contrast", Dimension::DIMENSIONLESS)?;
            if !(0.0..=1.0).contains(&contrast.value) {
                return Err(reader
                    .error_at("contrast", contrast.span, "a contrast lies between 0 and 1")
                    .expected("0 <= contrast <= 1")
                    .found(contrast.value.to_string()));
            }
            BumpShape::Cosine {
                contrast: contrast.value,
            }
        } else {
            let width = reader.required_quantity("width", Dimension::DIMENSIONLESS)?;
            if width.value <= 0.0 {
                return Err(reader
                    .error_at("width", width.span, "a width must be positive")
                    .expected("a number > 0 (in the unit of space)")
                    .found(width.value.to_string()));
            }
            BumpShape::Gaussian { width: width.value }
        };
        Ok(RateInputKind::Bump {
            shape,
            amplitude,
            center: self.position(reader, "center", geometry)?,
            velocity_per_ms: self.position(reader, "velocity", geometry)?,
        })
    }

    /// A point (or a velocity) of a field: a number on a ring, `[x, y]` on a torus; 0 if
    /// absent.
    fn position(
        &self,
        reader: &mut TableReader,
        key: &'static str,
        geometry: &Geometry,
    ) -> Result<(f64, f64), SpecError> {
        let Some(entry) = reader.entry(key) else {
            return Ok((0.0, 0.0));
        };
        let path = reader.key_path(key);
        match (geometry, &entry.node.value) {
            (Geometry::Torus { .. }, _) => {
                let [x, y] = pair(self.source, &entry.node, &path, &format!("{key} = [x, y]"))?;
                Ok((
                    number(self.source, x, &format!("{path}[0]"))?.value,
                    number(self.source, y, &format!("{path}[1]"))?.value,
                ))
            }
            (_, Value::Array(_)) => Err(reader
                .error_at(key, entry.node.span.clone(), "a ring takes one number here")
                .expected(format!("{key} = 0.0"))
                .found("an array")),
            _ => Ok((number(self.source, &entry.node, &path)?.value, 0.0)),
        }
    }

    /// `[history]`: POPULATION = { file = ... }.
    fn history(&self, root: &mut TableReader) -> Result<HistorySpec, SpecError> {
        let Some(mut table) = root.table("history")? else {
            return Ok(HistorySpec::Constant);
        };
        let mut given = vec![None; self.populations.len()];
        for name in table.keys() {
            let index = self.population_key(&mut table, name)?;
            let population = &self.populations[index];
            let entry = table.entry(name).expect("present");
            if !matches!(population.geometry, Geometry::Single) {
                return Err(table
                    .error_at(
                        name,
                        entry.key_span.clone(),
                        format!(
                            "`{name}` is a field; a history is given for single rates (a field \
                             starts from its initial rate, which is also its history)"
                        ),
                    )
                    .with_hint("remove it, or set initial_rate"));
            }
            let Value::Table(_) = entry.node.value else {
                return Err(table
                    .error_at(name, entry.node.span.clone(), "wrong type")
                    .expected(format!("{name} = {{ file = \"history_{name}.csv\" }}"))
                    .found(entry.node.value.kind_name()));
            };
            let mut reader = table.table(name)?.expect("a table");
            let series = model::read_series_file(
                self.base_directory,
                &mut reader,
                population.transfer.output_dimension(),
                true,
            )?;
            if let Some(&last) = series.value.times_ms.last()
                && last > 0.0
            {
                return Err(reader
                    .error_at(
                        "file",
                        series.span,
                        format!(
                            "the history gives r(t) for t <= 0, but the file has a sample at \
                             t = {last} ms"
                        ),
                    )
                    .expected("times <= 0 ms"));
            }
            reader.finish()?;
            given[index] = Some(series.value);
        }
        table.finish()?;
        Ok(if given.iter().all(Option::is_none) {
            HistorySpec::Constant
        } else {
            HistorySpec::Given(given)
        })
    }

    /// One `[[record]]`.
    fn record(&self, node: &Node, index: usize) -> Result<RateRecordSpec, SpecError> {
        let mut reader = model::table_of(self.source, node, format!("record[{index}]"))?;
        if let Some(kind) = reader.choice("kind", &["trace", "spikes", "activity"])?
            && kind.value != "trace"
        {
            return Err(reader
                .error_at("kind", kind.span, "rate populations do not spike")
                .expected("kind = \"trace\" (the rate of every point)")
                .found(format!("\"{}\"", kind.value)));
        }
        let population = self.population_at(&mut reader, "population")?;
        let geometry = &self.populations[population].geometry;
        let dt = self.simulation.dt_ms;
        let interval_ms = match reader.quantity("interval", Dimension::TIME)? {
            None => default_interval_ms(&self.simulation, geometry),
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
                let samples = (self.simulation.steps as f64 / steps).floor() + 1.0;
                let values = samples * geometry.size() as f64;
                if values > MAX_RECORD_VALUES {
                    let shortest = (self.simulation.steps as f64
                        / (MAX_RECORD_VALUES / geometry.size() as f64 - 1.0).floor())
                    .ceil()
                        * dt;
                    return Err(reader
                        .error_at(
                            "interval",
                            interval.span,
                            format!("the record would hold {values:e} values, too many"),
                        )
                        .expected("at most 10^8 values".to_string())
                        .with_hint(format!("use an interval of at least {shortest} ms")));
                }
                steps * dt
            }
        };
        reader.finish()?;
        Ok(RateRecordSpec {
            population,
            interval_ms,
        })
    }
}

//! Cable-model files: a neuron's morphology (explicit sections or an SWC reconstruction), its
//! membrane and channels, the electrodes and synapses that drive it and what to record, read
//! into a checked [`CableModelSpec`] whose numbers are in the units of [`crate::cable`].
//!
//! A model file is a cable model when its root has a `[section.*]` or a `[morphology]` table
//! and no `[population.*]` ([`is_cable_model`]).
//!
//! ```toml
//! [simulation]
//! duration = "100 ms"
//! dt = "0.025 ms"                # default 0.025 ms (NEURON's)
//! method = "crank-nicolson"      # or "backward-euler"; default crank-nicolson
//! temperature = "6.3 degC"       # HH rate temperature; default 6.3 degC
//! v_init = "-65 mV"              # default: e_leak of the root section
//! seed = 1                       # Poisson trains of synapses; default 1
//!
//! [membrane]                     # defaults for every section
//! cm = "1 uF/cm^2"               # default 1 uF/cm^2
//! ra = "100 ohm*cm"              # default 100 ohm*cm
//! g_leak = "0.1 mS/cm^2"         # or rm = "10000 ohm*cm^2"; default 0.1 mS/cm^2
//! e_leak = "-65 mV"              # default -65 mV
//! d_lambda = 0.1                 # compartments of sections that do not say; default 0.1
//!
//! [section.soma]                 # any order; exactly one section has no parent
//! length = "20 um"
//! diameter = "20 um"
//! compartments = 1               # default: the d_lambda rule
//! channels = "hh"                # "passive" (default) or "hh": g_na, g_k, e_na, e_k
//!
//! [section.axon]
//! parent = "soma"
//! attach = 1.0                   # on the parent, 0..1; default 1
//! length = "1000 um"
//! diameter = "1 um"
//!
//! # or, instead of [section.*]:
//! [morphology]
//! swc = "cell.swc"               # relative to the model file
//! d_lambda = 0.1                 # overrides [membrane] d_lambda
//! [morphology.soma]              # also axon, dendrite (SWC type 3), apical (type 4):
//! channels = "hh"                # membrane keys and channels per structure type
//!
//! [[stimulus]]                   # kind = "step" (amplitude, start, duration)
//! section = "soma"               #     or "delta" (time, charge)
//! position = 0.5
//! amplitude = "10 pA"
//!
//! [[synapse]]
//! section = "axon"
//! kind = "conductance"           # or "current"
//! weight = "1 nS"                # conductance: nS; current: pA
//! tau_decay = "5 ms"
//! spike_times = ["5 ms"]         # or rate = "20 Hz", start, stop (a seeded Poisson train)
//!
//! [record]
//! every = "0.1 ms"
//! traces = [{ section = "axon", electrotonic = 0.5 }, { section = "soma", position = 0.5 }]
//! profile_times = ["1 ms"]
//! velocity = { section = "axon", from = 0.25, to = 0.75 }
//! ```
//!
//! Quantities are converted from the model file's working units to the cable library's:
//! conductance densities from mS/cm² to S/cm², currents from pA to nA, synaptic conductances
//! from nS to µS, temperatures from K to °C. Sections are ordered parents first (file order
//! where it allows), so that section indices are those of [`crate::cable::Morphology`].
//!
//! Where the format leaves a choice, this reader takes the one a NEURON user expects:
//!
//! - a duration that is not a multiple of dt runs `round(duration / dt)` steps (at least 1);
//!   `record.every` is rounded to a whole number of steps (and 0.1 ms by default, or dt if
//!   that is longer);
//! - without `record.traces`, V is recorded at the middle of the root section (`soma@0.5`);
//! - `[[stimulus]]` is a step unless `kind` says otherwise, and a step without `duration`
//!   lasts to the end of the run; a `[[synapse]]` is a conductance synapse unless `kind`
//!   says otherwise, its conductance is never negative, `tau_rise < tau_decay` (the peak of
//!   the difference of exponentials must exist), and spike times are non-decreasing (two
//!   equal times are two events at once); a Poisson train runs from `start` (default 0) to
//!   `stop` (default the duration);
//! - HH densities may be zero (a blocked channel), membrane constants and sizes may not;
//! - an SWC section of a type other than soma, axon, basal or apical dendrite takes
//!   `[membrane]` and no channels; a section whose points have no length (a one-point soma)
//!   becomes a cylinder of length equal to its diameter, as in NEURON;
//! - labels write a position or an electrotonic distance as the file does (`cable@1.0`,
//!   `cable@1.5lambda`) and a distance in µm (`cable@300um` for `"0.3 mm"`).

use std::path::Path;

use super::document::{Node, Source, Value, parse_document};
use super::error::SpecError;
use super::model;
use super::reader::{Located, TableReader};
use crate::cable::{self, CableModel, HhChannels, Location, Method, Morphology, PassiveMembrane};
use crate::units::Dimension;

mod drive;
mod sections;
#[cfg(test)]
mod tests;

/// A checked cable-model file.
#[derive(Clone, Debug)]
pub struct CableModelSpec {
    /// The file it came from.
    pub source: Source,
    /// Duration, step, method, temperature and seed.
    pub simulation: CableSimulation,
    /// The sections, parents first (the root at index 0).
    pub morphology: Morphology,
    /// The discretised cell with its initial potential, electrodes and synapses.
    pub model: cable::CableModel,
    /// What to record.
    pub records: CableRecords,
    /// The compartment of the first `[[stimulus]]`, where the input resistance is reported.
    pub stimulus_compartment: Option<usize>,
    /// Warnings about the discretisation (sections coarser than the d_lambda rule asks).
    pub hints: Vec<String>,
}

/// The `[simulation]` table of a cable model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CableSimulation {
    /// Biological time to simulate, ms, as written.
    pub duration_ms: f64,
    /// Time step, ms.
    pub dt_ms: f64,
    /// Number of steps: `duration / dt` rounded to the nearest whole number (at least 1), so
    /// that a duration that is not a multiple of dt runs at most dt/2 longer or shorter.
    pub steps: u64,
    /// The implicit scheme.
    pub method: cable::Method,
    /// Temperature of the Hodgkin–Huxley rates, °C.
    pub temperature_celsius: f64,
    /// Seed of the Poisson spike trains that drive synapses.
    pub seed: u64,
}

/// The `[record]` table of a cable model.
#[derive(Clone, Debug, PartialEq)]
pub struct CableRecords {
    /// Sampling interval of the traces, ms: a whole number of steps.
    pub every_ms: f64,
    /// V(t) at these locations (by default the middle of the root section).
    pub traces: Vec<TraceSpec>,
    /// Times of snapshots of V along the whole cell, ms, as written.
    pub profile_times_ms: Vec<f64>,
    /// Where to measure a conduction velocity, if asked.
    pub velocity: Option<VelocitySpec>,
    /// Action potentials are timed where the potential crosses this upward, mV
    /// (`spike_threshold`, default [`SPIKE_THRESHOLD_MV`]).
    pub spike_threshold_mv: f64,
}

/// One V(t) trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    /// Column name: `soma@0.5`, `axon@300um` or `axon@1.5lambda`.
    pub label: String,
    /// Where on the morphology.
    pub location: Location,
    /// The compartment containing that location.
    pub compartment: usize,
    /// Distance from the start of the section, µm.
    pub distance_um: f64,
}

/// A conduction-velocity measurement between two points of one section.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VelocitySpec {
    /// The section's index.
    pub section: usize,
    /// The first point.
    pub from: Location,
    /// The second point.
    pub to: Location,
    /// The compartment containing `from`.
    pub from_compartment: usize,
    /// The compartment containing `to`.
    pub to_compartment: usize,
    /// Path distance between the centres of the two compartments, µm (what the velocity is
    /// computed over).
    pub distance_um: f64,
}

/// Action potentials are timed where the potential crosses this upward when the file does
/// not say (`[record] spike_threshold`), mV.
pub const SPIKE_THRESHOLD_MV: f64 = 0.0;

/// The time step when the file gives none: NEURON's default, fine enough for HH spikes.
pub const DEFAULT_DT_MS: f64 = 0.025;

/// NEURON's default d_lambda: compartments at most a tenth of the length constant at 100 Hz.
pub const DEFAULT_D_LAMBDA: f64 = 0.1;

/// The trace sampling interval when the file gives none, ms (dt if that is longer).
const DEFAULT_RECORD_EVERY_MS: f64 = 0.1;

/// Hodgkin and Huxley's temperature, °C, at which their rates need no Q10 correction.
const DEFAULT_TEMPERATURE_CELSIUS: f64 = 6.3;

/// 0 °C in kelvin.
const ZERO_CELSIUS_K: f64 = 273.15;

/// The most steps a run may take: a morphology has thousands of compartments, so 10^12
/// steps is already far beyond any run that ends; the limit keeps counts exact in u64.
const MAX_STEPS: f64 = 1e12;

/// The seed when the file gives none.
const DEFAULT_SEED: u64 = 1;

/// The names of [`Method`] in a model file.
pub const METHOD_NAMES: &[&str] = &["crank-nicolson", "backward-euler"];

/// The channel sets a section may have.
pub const CHANNEL_NAMES: &[&str] = &["passive", "hh"];

/// The keys of Hodgkin–Huxley channels, valid only with `channels = "hh"`.
const HH_KEYS: &[&str] = &["g_na", "g_k", "e_na", "e_k"];

/// The membrane every section starts from when `[membrane]` says nothing.
const DEFAULT_MEMBRANE: PassiveMembrane = PassiveMembrane {
    c_m: 1.0,
    r_a: 100.0,
    g_leak: 1e-4,
    e_leak: -65.0,
};

/// Whether a parsed model file is a cable model: its root has a `section` or `morphology`
/// table and no `population`.
pub fn is_cable_model(root: &Node) -> bool {
    let Value::Table(root) = &root.value else {
        return false;
    };
    let is_table = |key: &str| {
        root.get(key)
            .is_some_and(|entry| matches!(entry.node.value, Value::Table(_)))
    };
    (is_table("section") || is_table("morphology")) && root.get("population").is_none()
}

/// Reads and checks a cable-model file; its SWC file is found relative to its directory.
pub fn read_cable_model_file(path: &Path) -> Result<CableModelSpec, SpecError> {
    let source = model::read_source(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    read_cable_model(source, &base)
}

/// Reads and checks a cable model from text; a relative SWC path is resolved against
/// `base_directory`.
pub fn read_cable_model(
    source: Source,
    base_directory: &Path,
) -> Result<CableModelSpec, SpecError> {
    let root = parse_document(&source)?;
    read_parsed_cable_model(source, &root, base_directory)
}

/// Checks a cable model whose text `source` has been parsed into `root_node`.
pub(super) fn read_parsed_cable_model(
    source: Source,
    root_node: &Node,
    base_directory: &Path,
) -> Result<CableModelSpec, SpecError> {
    let mut root = TableReader::root(&source, root_node)?;
    let (simulation, v_init) = read_simulation(&mut root)?;
    let defaults = read_membrane_defaults(&mut root)?;
    let read = sections::read_morphology(&mut root, &defaults, base_directory)?;
    let morphology = read.morphology;
    let discretization = morphology.discretize().map_err(|error| {
        // Morphology::new has accepted the sections, so this is a safety net: point at the
        // table the sections came from.
        SpecError::new(&source, read.span.clone(), error.to_string()).with_key(read.key)
    })?;
    let context = drive::Context {
        source: &source,
        morphology: &morphology,
        discretization: &discretization,
        simulation: &simulation,
    };
    let injections = match root.array("stimulus")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| context.stimulus(node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let synapses = match root.array("synapse")? {
        Some(items) => items
            .value
            .iter()
            .enumerate()
            .map(|(index, node)| context.synapse(node, index))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let records = context.records(&mut root)?;
    root.finish()?;
    let initial_mv = v_init.unwrap_or(morphology.sections()[0].membrane.e_leak);
    let hints = cable::d_lambda_hints(&morphology, read.d_lambda);
    let stimulus_compartment = injections.first().map(|injection| injection.compartment);
    let model = CableModel {
        discretization,
        temperature_celsius: simulation.temperature_celsius,
        initial_mv,
        killed_ends: read.killed_ends.clone(),
        injections,
        synapses,
    };
    Ok(CableModelSpec {
        source,
        simulation,
        morphology,
        model,
        records,
        stimulus_compartment,
        hints,
    })
}

/// Reads `[simulation]`; returns the initial potential apart, as its default depends on the
/// morphology.
fn read_simulation(root: &mut TableReader) -> Result<(CableSimulation, Option<f64>), SpecError> {
    let mut reader = root.table("simulation")?.ok_or_else(|| {
        root.error_here("missing [simulation] table")
            .expected("[simulation] with duration = \"100 ms\"")
    })?;
    let duration = positive(&mut reader, "duration", Dimension::TIME)?.ok_or_else(|| {
        reader
            .error_here("missing `duration`")
            .expected("duration = \"100 ms\"")
    })?;
    let dt = positive(&mut reader, "dt", Dimension::TIME)?;
    let method = match reader.choice("method", METHOD_NAMES)? {
        Some(Located {
            value: "backward-euler",
            ..
        }) => Method::BackwardEuler,
        _ => Method::CrankNicolson,
    };
    let temperature_celsius = match reader.quantity("temperature", Dimension::TEMPERATURE)? {
        None => DEFAULT_TEMPERATURE_CELSIUS,
        Some(kelvin) if kelvin.value <= 0.0 => {
            return Err(reader
                .error_at("temperature", kelvin.span, "below absolute zero")
                .expected("a temperature such as \"6.3 degC\"")
                .found(format!("{} degC", tidy(kelvin.value - ZERO_CELSIUS_K))));
        }
        Some(kelvin) => kelvin.value - ZERO_CELSIUS_K,
    };
    let v_init = reader
        .quantity("v_init", Dimension::VOLTAGE)?
        .map(|v| v.value);
    let seed = reader.unsigned("seed")?.map_or(DEFAULT_SEED, |s| s.value);
    let dt_ms = dt.as_ref().map_or(DEFAULT_DT_MS, |dt| dt.value);
    if dt_ms > duration.value {
        let span = dt.map_or(reader.span(), |dt| dt.span);
        return Err(reader
            .error_at("dt", span, "the time step is longer than the run")
            .expected(format!("dt <= duration = {} ms", tidy(duration.value)))
            .found(format!("{} ms", tidy(dt_ms))));
    }
    let steps = (duration.value / dt_ms).round().max(1.0);
    if steps > MAX_STEPS {
        return Err(reader
            .error_at("duration", duration.span, "too many time steps")
            .expected("at most 10^12 steps")
            .found(format!("{steps:e} steps of {} ms", tidy(dt_ms))));
    }
    reader.finish()?;
    let steps = steps as u64;
    let simulation = CableSimulation {
        duration_ms: duration.value,
        dt_ms,
        steps,
        method,
        temperature_celsius,
        seed,
    };
    Ok((simulation, v_init))
}

impl CableSimulation {
    /// Changes the duration (ms, positive and finite), rounded to whole steps as when read.
    /// Poisson trains keep the spikes drawn for the duration of the file.
    pub fn set_duration(&mut self, duration_ms: f64) -> Result<(), String> {
        let steps = (duration_ms / self.dt_ms).round().max(1.0);
        if !(duration_ms > 0.0 && duration_ms.is_finite()) || steps > MAX_STEPS {
            return Err(format!(
                "the duration must be positive and at most 10^12 steps of dt = {} ms, not \
                 {duration_ms} ms",
                tidy(self.dt_ms)
            ));
        }
        self.duration_ms = duration_ms;
        self.steps = steps as u64;
        Ok(())
    }
}

impl CableModelSpec {
    /// What [`cable::simulate`] is to keep: the traces' compartments, the sampling interval
    /// in steps and the profile times; action potentials (crossings of
    /// [`SPIKE_THRESHOLD_MV`]) are timed at the traces and at the points of a velocity
    /// measurement, in that order.
    pub fn recording(&self) -> cable::Recording {
        let mut spike_compartments: Vec<usize> =
            self.records.traces.iter().map(|t| t.compartment).collect();
        if let Some(velocity) = &self.records.velocity {
            spike_compartments.push(velocity.from_compartment);
            spike_compartments.push(velocity.to_compartment);
        }
        cable::Recording {
            spike_compartments,
            spike_threshold_mv: self.records.spike_threshold_mv,
            trace_compartments: self.records.traces.iter().map(|t| t.compartment).collect(),
            sample_every_steps: (self.records.every_ms / self.simulation.dt_ms)
                .round()
                .max(1.0) as usize,
            profile_times_ms: self.records.profile_times_ms.clone(),
        }
    }
}

/// `[membrane]`: the membrane every section starts from, and d_lambda.
#[derive(Clone, Copy, Debug)]
struct MembraneDefaults {
    membrane: PassiveMembrane,
    d_lambda: f64,
}

fn read_membrane_defaults(root: &mut TableReader) -> Result<MembraneDefaults, SpecError> {
    let Some(mut reader) = root.table("membrane")? else {
        return Ok(MembraneDefaults {
            membrane: DEFAULT_MEMBRANE,
            d_lambda: DEFAULT_D_LAMBDA,
        });
    };
    let membrane = read_membrane(&mut reader, DEFAULT_MEMBRANE)?;
    let d_lambda = read_d_lambda(&mut reader)?.unwrap_or(DEFAULT_D_LAMBDA);
    reader.finish()?;
    Ok(MembraneDefaults { membrane, d_lambda })
}

/// `d_lambda`, a positive number.
fn read_d_lambda(reader: &mut TableReader) -> Result<Option<f64>, SpecError> {
    Ok(positive(reader, "d_lambda", Dimension::DIMENSIONLESS)?.map(|d| d.value))
}

/// Reads the membrane keys of a table (`cm`, `ra`, `g_leak` or `rm`, `e_leak`) over `base`.
fn read_membrane(
    reader: &mut TableReader,
    base: PassiveMembrane,
) -> Result<PassiveMembrane, SpecError> {
    let mut membrane = base;
    if let Some(cm) = positive(reader, "cm", Dimension::CAPACITANCE_DENSITY)? {
        membrane.c_m = cm.value;
    }
    if let Some(ra) = positive(reader, "ra", Dimension::RESISTIVITY)? {
        membrane.r_a = ra.value;
    }
    let g_leak = positive(reader, "g_leak", Dimension::CONDUCTANCE_DENSITY)?;
    let rm = positive(reader, "rm", Dimension::AREA_RESISTANCE)?;
    match (g_leak, rm) {
        (Some(_), Some(rm)) => {
            return Err(reader
                .error_at("rm", rm.span, "both g_leak and rm are given")
                .with_hint("rm = 1/g_leak: give one of them"));
        }
        // mS/cm² → S/cm².
        (Some(g), None) => membrane.g_leak = g.value * 1e-3,
        // Ω·cm² → S/cm².
        (None, Some(rm)) => membrane.g_leak = 1.0 / rm.value,
        (None, None) => {}
    }
    if let Some(e) = reader.quantity("e_leak", Dimension::VOLTAGE)? {
        membrane.e_leak = e.value;
    }
    Ok(membrane)
}

/// Reads `channels` and, for `"hh"`, the channel parameters; refuses those parameters on a
/// passive section, where they would silently do nothing.
fn read_channels(reader: &mut TableReader) -> Result<Option<HhChannels>, SpecError> {
    let channels = reader.choice("channels", CHANNEL_NAMES)?;
    if channels.is_some_and(|c| c.value == "hh") {
        let mut hh = HhChannels::default();
        // Zero densities are allowed: that is how a channel is blocked (TTX, TEA).
        if let Some(g) = non_negative(reader, "g_na", Dimension::CONDUCTANCE_DENSITY)? {
            hh.g_na = g.value * 1e-3;
        }
        if let Some(g) = non_negative(reader, "g_k", Dimension::CONDUCTANCE_DENSITY)? {
            hh.g_k = g.value * 1e-3;
        }
        if let Some(e) = reader.quantity("e_na", Dimension::VOLTAGE)? {
            hh.e_na = e.value;
        }
        if let Some(e) = reader.quantity("e_k", Dimension::VOLTAGE)? {
            hh.e_k = e.value;
        }
        return Ok(Some(hh));
    }
    for &key in HH_KEYS {
        if let Some(entry) = reader.entry(key) {
            return Err(reader
                .error_at(
                    key,
                    entry.key_span.clone(),
                    "a Hodgkin–Huxley parameter on a passive section",
                )
                .with_hint("add channels = \"hh\" to give it Hodgkin–Huxley channels"));
        }
    }
    Ok(None)
}

/// A number for labels and messages, without the noise of unit conversions
/// (`"250 um"` is 250.00000000000003 µm after passing through metres): 12 significant digits.
fn tidy(x: f64) -> String {
    format!("{x:.11e}")
        .parse::<f64>()
        .map_or_else(|_| x.to_string(), |rounded| rounded.to_string())
}

/// A quantity that must be > 0.
fn positive(
    reader: &mut TableReader,
    key: &'static str,
    dimension: Dimension,
) -> Result<Option<Located<f64>>, SpecError> {
    bounded(reader, key, dimension, false)
}

/// A quantity that must be >= 0.
fn non_negative(
    reader: &mut TableReader,
    key: &'static str,
    dimension: Dimension,
) -> Result<Option<Located<f64>>, SpecError> {
    bounded(reader, key, dimension, true)
}

fn bounded(
    reader: &mut TableReader,
    key: &'static str,
    dimension: Dimension,
    zero_allowed: bool,
) -> Result<Option<Located<f64>>, SpecError> {
    let Some(value) = reader.quantity(key, dimension)? else {
        return Ok(None);
    };
    let fine = if zero_allowed {
        value.value >= 0.0
    } else {
        value.value > 0.0
    };
    if fine {
        return Ok(Some(value));
    }
    let (message, bound) = if zero_allowed {
        ("must not be negative", ">= 0")
    } else {
        ("must be positive", "> 0")
    };
    let found = reader
        .source()
        .text
        .get(value.span.clone())
        .unwrap_or_default()
        .to_string();
    Err(reader
        .error_at(key, value.span, message)
        .expected(format!("a {dimension} {bound}"))
        .found(found))
}

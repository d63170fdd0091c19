//! What drives a cable model (`[[stimulus]]`, `[[synapse]]`) and what is recorded
//! (`[record]`), placed on the discretised morphology.

use std::ops::Range;

use rand::RngExt;

use super::{CableRecords, CableSimulation, TraceSpec, VelocitySpec, non_negative, positive};
use super::{DEFAULT_RECORD_EVERY_MS, Location, SPIKE_THRESHOLD_MV, tidy};
use crate::cable::{
    CurrentInjection, CurrentWaveform, Discretization, Morphology, Synapse, SynapseKind,
};
use crate::rng::{Purpose, stream};
use crate::spec::document::{Node, Source};
use crate::spec::error::{SpecError, closest};
use crate::spec::model::table_of;
use crate::spec::reader::{Located, TableReader, quantity_from_node};
use crate::units::Dimension;

/// The most spikes a Poisson train of one synapse may hold (80 MB of times).
const MAX_POISSON_SPIKES: f64 = 1e7;

/// What inputs and records are placed on.
pub(super) struct Context<'a> {
    pub source: &'a Source,
    pub morphology: &'a Morphology,
    pub discretization: &'a Discretization,
    pub simulation: &'a CableSimulation,
}

impl Context<'_> {
    /// The section named by `key` (required).
    fn section(&self, reader: &mut TableReader, key: &'static str) -> Result<usize, SpecError> {
        let name = reader.required_string(key, "\"soma\"")?;
        if let Some(index) = self.morphology.section_index(&name.value) {
            return Ok(index);
        }
        let names: Vec<&str> = self
            .morphology
            .sections()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let listed = if names.len() > 12 {
            format!("{}, ...", names[..12].join(", "))
        } else {
            names.join(", ")
        };
        let mut error = reader
            .error_at(key, name.span, format!("no section `{}`", name.value))
            .expected(format!("one of {listed}"))
            .found(format!("\"{}\"", name.value));
        if let Some(near) = closest(&name.value, names.iter().copied()) {
            error = error.with_hint(format!("did you mean \"{near}\"?"));
        }
        Err(error)
    }

    /// A position along a section, 0 to 1.
    fn position(
        &self,
        reader: &mut TableReader,
        key: &'static str,
    ) -> Result<Option<Located<f64>>, SpecError> {
        let Some(position) = reader.quantity(key, Dimension::DIMENSIONLESS)? else {
            return Ok(None);
        };
        if !(0.0..=1.0).contains(&position.value) {
            return Err(reader
                .error_at(key, position.span, "outside the section")
                .expected("a position from 0 (the section's start) to 1 (its end)")
                .found(position.value.to_string()));
        }
        Ok(Some(position))
    }

    /// `section` and `position` (default 0.5, the middle) of an input.
    fn location(&self, reader: &mut TableReader) -> Result<Location, SpecError> {
        let section = self.section(reader, "section")?;
        let position = self.position(reader, "position")?.map_or(0.5, |p| p.value);
        Ok(Location { section, position })
    }

    /// One `[[stimulus]]`.
    pub fn stimulus(&self, node: &Node, index: usize) -> Result<CurrentInjection, SpecError> {
        let mut reader = table_of(self.source, node, format!("stimulus[{index}]"))?;
        let location = self.location(&mut reader)?;
        let kind = reader
            .choice("kind", &["step", "delta"])?
            .map_or("step", |k| k.value);
        let waveform = if kind == "step" {
            let amplitude = reader.required_quantity("amplitude", Dimension::CURRENT)?;
            let start = non_negative(&mut reader, "start", Dimension::TIME)?;
            let duration = positive(&mut reader, "duration", Dimension::TIME)?;
            CurrentWaveform::Step {
                start_ms: start.map_or(0.0, |s| s.value),
                // "To the end of the run", however long the run is made.
                duration_ms: duration.map_or(f64::INFINITY, |d| d.value),
                // pA → nA.
                amplitude_na: amplitude.value * 1e-3,
            }
        } else {
            let time = non_negative(&mut reader, "time", Dimension::TIME)?.ok_or_else(|| {
                reader
                    .error_here("missing `time`")
                    .expected("time = \"1 ms\"")
            })?;
            let charge = reader.required_quantity("charge", Dimension::CHARGE)?;
            CurrentWaveform::Delta {
                time_ms: time.value,
                // pC = nA·ms, the library's unit.
                charge_pc: charge.value,
            }
        };
        reader.finish()?;
        Ok(CurrentInjection {
            compartment: self.discretization.locate(location),
            waveform,
        })
    }

    /// One `[[synapse]]`.
    pub fn synapse(&self, node: &Node, index: usize) -> Result<Synapse, SpecError> {
        let mut reader = table_of(self.source, node, format!("synapse[{index}]"))?;
        let location = self.location(&mut reader)?;
        let conductance = reader
            .choice("kind", &["conductance", "current"])?
            .is_none_or(|k| k.value == "conductance");
        let (kind, weight) = if conductance {
            let weight = reader.quantity("weight", Dimension::CONDUCTANCE)?;
            let weight = weight.ok_or_else(|| {
                reader
                    .error_here("missing `weight`")
                    .expected("weight = \"1 nS\" (the peak conductance)")
            })?;
            if weight.value < 0.0 {
                return Err(reader
                    .error_at("weight", weight.span, "a conductance cannot be negative")
                    .expected("a conductance >= 0")
                    .found(format!("{} nS", tidy(weight.value)))
                    .with_hint("an inhibitory synapse has a reversal potential below rest"));
            }
            let reversal = reader
                .quantity("reversal", Dimension::VOLTAGE)?
                .map_or(0.0, |r| r.value);
            // nS → µS.
            (
                SynapseKind::Conductance {
                    reversal_mv: reversal,
                },
                weight.value * 1e-3,
            )
        } else {
            let weight = reader.quantity("weight", Dimension::CURRENT)?;
            let weight = weight.ok_or_else(|| {
                reader
                    .error_here("missing `weight`")
                    .expected("weight = \"10 pA\" (the peak current)")
            })?;
            if let Some(entry) = reader.entry("reversal") {
                return Err(reader
                    .error_at(
                        "reversal",
                        entry.key_span.clone(),
                        "a current synapse has no reversal potential",
                    )
                    .with_hint("use kind = \"conductance\" for a driving force (E_rev − V)"));
            }
            // pA → nA.
            (SynapseKind::Current, weight.value * 1e-3)
        };
        let tau_rise = non_negative(&mut reader, "tau_rise", Dimension::TIME)?;
        let tau_decay = positive(&mut reader, "tau_decay", Dimension::TIME)?.ok_or_else(|| {
            reader
                .error_here("missing `tau_decay`")
                .expected("tau_decay = \"5 ms\"")
        })?;
        if let Some(rise) = &tau_rise
            && rise.value >= tau_decay.value
        {
            // The difference of exponentials is normalised to its peak, which does not exist
            // for equal time constants and would flip the sign for a longer rise.
            return Err(reader
                .error_at("tau_rise", rise.span.clone(), "not shorter than tau_decay")
                .expected(format!(
                    "tau_rise < tau_decay = {} ms",
                    tidy(tau_decay.value)
                ))
                .found(format!("{} ms", tidy(rise.value))));
        }
        let spike_times = self.spike_times(&mut reader, index)?;
        reader.finish()?;
        Ok(Synapse {
            compartment: self.discretization.locate(location),
            kind,
            weight,
            tau_rise_ms: tau_rise.map_or(0.0, |r| r.value),
            tau_decay_ms: tau_decay.value,
            spike_times_ms: spike_times,
        })
    }

    /// `spike_times`, or a Poisson train from `rate`, `start` and `stop`.
    fn spike_times(&self, reader: &mut TableReader, index: usize) -> Result<Vec<f64>, SpecError> {
        let explicit = reader.array("spike_times")?;
        let rate = reader.quantity("rate", Dimension::FREQUENCY)?;
        let (explicit, rate) = match (explicit, rate) {
            (Some(_), Some(rate)) => {
                return Err(reader
                    .error_at("rate", rate.span, "both spike_times and rate are given")
                    .with_hint("give explicit spike_times or a Poisson rate, not both"));
            }
            (None, None) => {
                return Err(reader
                    .error_here("missing `spike_times` or `rate`")
                    .expected("spike_times = [\"5 ms\"] or rate = \"20 Hz\""));
            }
            pair => pair,
        };
        if let Some(items) = explicit {
            for key in ["start", "stop"] {
                if let Some(entry) = reader.entry(key) {
                    return Err(reader
                        .error_at(
                            key,
                            entry.key_span.clone(),
                            "`start` and `stop` bound a Poisson train",
                        )
                        .with_hint("they go with `rate`, not with explicit spike_times"));
                }
            }
            return self.explicit_times(reader, items.value);
        }
        let rate = rate.expect("one of the two is given");
        if rate.value < 0.0 {
            return Err(reader
                .error_at("rate", rate.span, "must not be negative")
                .expected("a frequency >= 0")
                .found(format!("{} Hz", tidy(rate.value))));
        }
        let start = non_negative(reader, "start", Dimension::TIME)?.map_or(0.0, |s| s.value);
        let stop = match reader.quantity("stop", Dimension::TIME)? {
            Some(stop) if stop.value <= start => {
                return Err(reader
                    .error_at("stop", stop.span, "not after start")
                    .expected(format!("stop > start = {} ms", tidy(start)))
                    .found(format!("{} ms", tidy(stop.value))));
            }
            Some(stop) => stop.value,
            None => self.simulation.duration_ms,
        };
        if rate.value * 1e-3 * (stop - start) > MAX_POISSON_SPIKES {
            return Err(reader
                .error_at("rate", rate.span, "too many spikes")
                .expected(format!(
                    "at most {MAX_POISSON_SPIKES:e} spikes on average between start and stop"
                ))
                .found(format!(
                    "{} Hz for {} ms",
                    tidy(rate.value),
                    tidy(stop - start)
                )));
        }
        Ok(poisson_spike_times(
            self.simulation.seed,
            index,
            rate.value,
            start,
            stop,
        ))
    }

    fn explicit_times(&self, reader: &TableReader, items: &[Node]) -> Result<Vec<f64>, SpecError> {
        let path = reader.key_path("spike_times");
        let mut times: Vec<f64> = Vec::with_capacity(items.len());
        for item in items {
            let time = quantity_from_node(self.source, item, Dimension::TIME, &path)?;
            let problem = if time.value < 0.0 {
                Some((
                    "a spike before the start of the run",
                    "times >= 0".to_string(),
                ))
            } else {
                times.last().filter(|&&last| time.value < last).map(|last| {
                    (
                        "spike times are not ascending",
                        format!("a time >= {} ms", tidy(*last)),
                    )
                })
            };
            if let Some((message, expected)) = problem {
                return Err(SpecError::new(self.source, time.span, message)
                    .with_key(path)
                    .expected(expected)
                    .found(item.describe()));
            }
            times.push(time.value);
        }
        Ok(times)
    }

    /// `[record]`.
    pub fn records(&self, root: &mut TableReader) -> Result<CableRecords, SpecError> {
        let dt = self.simulation.dt_ms;
        // A whole number of steps: samples fall on steps.
        let to_steps = |every: f64| (every / dt).round().max(1.0) * dt;
        let Some(mut reader) = root.table("record")? else {
            return Ok(CableRecords {
                every_ms: to_steps(DEFAULT_RECORD_EVERY_MS),
                traces: vec![self.root_trace()],
                profile_times_ms: Vec::new(),
                velocity: None,
                spike_threshold_mv: SPIKE_THRESHOLD_MV,
            });
        };
        let every_ms = match positive(&mut reader, "every", Dimension::TIME)? {
            Some(every) if every.value < dt * (1.0 - 1e-9) => {
                return Err(reader
                    .error_at("every", every.span, "shorter than the time step")
                    .expected(format!("every >= dt = {} ms", tidy(dt)))
                    .found(format!("{} ms", tidy(every.value))));
            }
            Some(every) => to_steps(every.value),
            None => to_steps(DEFAULT_RECORD_EVERY_MS),
        };
        let traces = match reader.array("traces")? {
            Some(items) => {
                let mut traces: Vec<TraceSpec> = Vec::with_capacity(items.value.len());
                for (index, node) in items.value.iter().enumerate() {
                    let trace = self.trace(node, index)?;
                    if traces.iter().any(|t| t.label == trace.label) {
                        return Err(SpecError::new(
                            self.source,
                            node.span.clone(),
                            format!("the trace `{}` is listed twice", trace.label),
                        )
                        .with_key(format!("record.traces[{index}]")));
                    }
                    traces.push(trace);
                }
                traces
            }
            None => vec![self.root_trace()],
        };
        let profile_times_ms = match reader.array("profile_times")? {
            Some(items) => self.profile_times(items.value)?,
            None => Vec::new(),
        };
        let velocity = match reader.table("velocity")? {
            Some(table) => Some(self.velocity(table)?),
            None => None,
        };
        // Somatic spikes of a cell loaded by dendrites may peak below 0 mV; NEURON's APCount
        // uses −20 mV.
        let spike_threshold_mv = match reader.quantity("spike_threshold", Dimension::VOLTAGE)? {
            Some(threshold) => threshold.value,
            None => SPIKE_THRESHOLD_MV,
        };
        reader.finish()?;
        Ok(CableRecords {
            every_ms,
            traces,
            profile_times_ms,
            velocity,
            spike_threshold_mv,
        })
    }

    /// The trace recorded when the file names none: the middle of the root (the soma).
    fn root_trace(&self) -> TraceSpec {
        let root = &self.morphology.sections()[0];
        let location = Location {
            section: 0,
            position: 0.5,
        };
        TraceSpec {
            label: format!("{}@0.5", root.name),
            location,
            compartment: self.discretization.locate(location),
            distance_um: 0.5 * root.length_um,
        }
    }

    /// One of `record.traces`: a section and one of position, distance or electrotonic.
    fn trace(&self, node: &Node, index: usize) -> Result<TraceSpec, SpecError> {
        let mut reader = table_of(self.source, node, format!("record.traces[{index}]"))?;
        let section = self.section(&mut reader, "section")?;
        let position = self.position(&mut reader, "position")?;
        let distance = reader.quantity("distance", Dimension::LENGTH)?;
        let electrotonic = reader.quantity("electrotonic", Dimension::DIMENSIONLESS)?;
        let spans: Vec<(&str, Range<usize>)> = [
            ("position", position.as_ref().map(|p| p.span.clone())),
            ("distance", distance.as_ref().map(|d| d.span.clone())),
            (
                "electrotonic",
                electrotonic.as_ref().map(|e| e.span.clone()),
            ),
        ]
        .into_iter()
        .filter_map(|(key, span)| Some((key, span?)))
        .collect();
        match spans.as_slice() {
            [] => {
                return Err(reader
                    .error_here("missing the place along the section")
                    .expected("position = 0.5, distance = \"100 um\" or electrotonic = 1.0"));
            }
            [_] => {}
            [(first, _), (second, span), ..] => {
                return Err(reader
                    .error_at(second, span.clone(), format!("both {first} and {second}"))
                    .with_hint("give one of position, distance and electrotonic"));
            }
        }
        let data = &self.morphology.sections()[section];
        let name = &data.name;
        let (distance_um, label, key, span) = if let Some(position) = position {
            let label = format!("{name}@{}", self.written(&position.span));
            (
                position.value * data.length_um,
                label,
                "position",
                position.span,
            )
        } else if let Some(distance) = distance {
            let label = format!("{name}@{}um", tidy(distance.value));
            (distance.value, label, "distance", distance.span)
        } else {
            let electrotonic = electrotonic.expect("one of the three is given");
            let lambda = data.membrane.length_constant_um(data.diameter_um);
            let label = format!("{name}@{}lambda", self.written(&electrotonic.span));
            (
                electrotonic.value * lambda,
                label,
                "electrotonic",
                electrotonic.span,
            )
        };
        if distance_um < 0.0 {
            return Err(reader
                .error_at(key, span, "must not be negative")
                .expected("a distance from the section's start, >= 0"));
        }
        if distance_um > data.length_um * (1.0 + 1e-12) {
            let lambda = data.membrane.length_constant_um(data.diameter_um);
            return Err(reader
                .error_at(key, span, format!("beyond the end of section `{name}`"))
                .expected(format!(
                    "at most its length, {} um = {:.4} lambda (lambda = {:.4} um)",
                    tidy(data.length_um),
                    data.length_um / lambda,
                    lambda
                ))
                .found(format!("{} um", tidy(distance_um))));
        }
        reader.finish()?;
        let location = Location {
            section,
            position: (distance_um / data.length_um).min(1.0),
        };
        Ok(TraceSpec {
            label,
            location,
            compartment: self.discretization.locate(location),
            distance_um,
        })
    }

    /// The text of a number as written in the file (without quotes), for labels.
    fn written(&self, span: &Range<usize>) -> String {
        self.source
            .text
            .get(span.clone())
            .unwrap_or_default()
            .trim()
            .trim_matches('"')
            .trim()
            .to_string()
    }

    fn profile_times(&self, items: &[Node]) -> Result<Vec<f64>, SpecError> {
        let duration = self.simulation.duration_ms;
        items
            .iter()
            .map(|item| {
                let path = "record.profile_times";
                let time = quantity_from_node(self.source, item, Dimension::TIME, path)?;
                if (0.0..=duration).contains(&time.value) {
                    Ok(time.value)
                } else {
                    Err(SpecError::new(self.source, time.span, "outside the run")
                        .with_key(path)
                        .expected(format!(
                            "a time from 0 to the duration, {} ms",
                            tidy(duration)
                        ))
                        .found(item.describe()))
                }
            })
            .collect()
    }

    /// `record.velocity = { section, from, to }`.
    fn velocity(&self, mut reader: TableReader) -> Result<VelocitySpec, SpecError> {
        let section = self.section(&mut reader, "section")?;
        let mut required = |key: &'static str| -> Result<Located<f64>, SpecError> {
            match self.position(&mut reader, key)? {
                Some(position) => Ok(position),
                None => Err(reader
                    .error_here(format!("missing `{key}`"))
                    .expected(format!("{key} = a position from 0 to 1"))),
            }
        };
        let from = required("from")?;
        let to = required("to")?;
        let from_location = Location {
            section,
            position: from.value,
        };
        let to_location = Location {
            section,
            position: to.value,
        };
        let from_compartment = self.discretization.locate(from_location);
        let to_compartment = self.discretization.locate(to_location);
        if from_compartment == to_compartment {
            return Err(reader
                .error_at("to", to.span, "in the same compartment as `from`")
                .with_hint(
                    "a velocity needs two compartments: move the points apart or give the \
                     section more compartments",
                ));
        }
        reader.finish()?;
        // Between the compartments' centres, where the potentials are computed.
        let centre = &self.discretization.distance_from_root_um;
        Ok(VelocitySpec {
            section,
            from: from_location,
            to: to_location,
            from_compartment,
            to_compartment,
            distance_um: (centre[to_compartment] - centre[from_compartment]).abs(),
        })
    }
}

/// A Poisson train of `rate_hz` in [start, stop), ms: exponential intervals drawn from the
/// stream of synapse `synapse` under `seed` ([`crate::rng`]), so that the same file and seed
/// give the same times, and adding a synapse leaves the others' times as they were.
pub fn poisson_spike_times(
    seed: u64,
    synapse: usize,
    rate_hz: f64,
    start_ms: f64,
    stop_ms: f64,
) -> Vec<f64> {
    let mut times = Vec::new();
    if rate_hz <= 0.0 {
        return times;
    }
    let mut rng = stream(seed, Purpose::Input, synapse as u64, 0);
    let rate_per_ms = rate_hz * 1e-3;
    let mut t = start_ms;
    loop {
        // 1 − U lies in (0, 1], so the logarithm is finite.
        let u: f64 = rng.random();
        t += -(1.0 - u).ln() / rate_per_ms;
        if t >= stop_ms {
            return times;
        }
        times.push(t);
    }
}

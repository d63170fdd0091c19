//! `[[record]] kind = "weights"`: the weights of a plastic projection during the run.
//!
//! ```toml
//! [[record]]
//! kind = "weights"
//! projection = 1                  # index of a plastic [[projection]] in file order
//! times = ["100 ms", "500 ms"]    # every weight at these times ...
//!
//! [[record]]
//! kind = "weights"
//! projection = 1
//! synapses = 50                   # ... or a fixed random sample of 50 synapses,
//! interval = "10 ms"              # recorded at t = 0 and every 10 ms
//! ```
//!
//! A record at time t = n·dt holds the weights after every update of the first n steps,
//! i.e. after the plasticity of step n − 1, whose events happen at t (see
//! [`crate::synapse::plasticity`]); t = 0 holds the initial weights. The sample is drawn
//! from the run's seed alone (stream [`crate::rng::Purpose::Plasticity`]), so it is the same
//! for any number of threads.

use super::{Context, ProjectionSpec};
use crate::connect::{Connectivity, Rule};
use crate::spec::document::Node;
use crate::spec::error::SpecError;
use crate::spec::reader::{TableReader, quantity_from_node};
use crate::units::Dimension;

/// A `[[record]] kind = "weights"`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightRecordSpec {
    /// The plastic projection's index among all projections, in file order.
    pub projection: usize,
    /// Which weights, when.
    pub sampling: WeightSampling,
}

/// Which weights of a plastic projection are recorded, and when.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightSampling {
    /// Every weight, at these numbers of steps done (t = n·dt; ascending, distinct, at most
    /// the run's steps).
    AtTimes(Vec<u64>),
    /// A fixed random sample of synapses, at t = 0 and every `interval_steps` steps.
    Sample {
        /// How many synapses (at least 1, at most the projection's synapses).
        synapses: usize,
        /// Steps between records (at least 1).
        interval_steps: u64,
    },
}

/// Reads the keys of a weight record after `kind`.
pub(super) fn read_weight_record(
    context: &Context,
    projections: &[ProjectionSpec],
    reader: &mut TableReader,
) -> Result<WeightRecordSpec, SpecError> {
    let plastic: Vec<usize> = (0..projections.len())
        .filter(|&k| projections[k].plasticity.is_some())
        .collect();
    let listed = || {
        if plastic.is_empty() {
            "the index of a projection with [projection.plasticity] (this model has none)"
                .to_string()
        } else {
            let items: Vec<String> = plastic.iter().map(usize::to_string).collect();
            format!("one of {} (the plastic projections)", items.join(", "))
        }
    };
    let located = reader.unsigned("projection")?.ok_or_else(|| {
        reader
            .error_here("missing `projection`")
            .expected(format!("projection = {}", listed()))
    })?;
    let projection = located.value as usize;
    if located.value >= projections.len() as u64 {
        return Err(reader
            .error_at(
                "projection",
                located.span,
                format!(
                    "there is no projection {} (the model has {})",
                    located.value,
                    projections.len()
                ),
            )
            .expected(listed())
            .found(located.value.to_string()));
    }
    if projections[projection].plasticity.is_none() {
        return Err(reader
            .error_at(
                "projection",
                located.span,
                format!("projection {projection} is not plastic: its weights never change"),
            )
            .expected(listed())
            .found(projection.to_string()));
    }
    let times = reader.array("times")?;
    let synapses = reader.unsigned("synapses")?;
    let dt = context.simulation.dt_ms;
    let steps = context.simulation.steps;
    let sampling = match (times, synapses) {
        (Some(_), Some(count)) => {
            return Err(reader
                .error_at(
                    "synapses",
                    count.span,
                    "give either `times` (all weights at these times) or `synapses` with \
                     `interval` (a sample over time), not both",
                )
                .expected("one of `times` and `synapses`")
                .found("both"));
        }
        (None, None) => {
            return Err(reader
                .error_here("a weight record needs `times` or `synapses`")
                .expected(
                    "times = [\"100 ms\", ...] (all weights at these times) or synapses = N \
                     with interval = \"10 ms\" (a sample over time)",
                )
                .found("neither"));
        }
        (Some(items), None) => {
            let path = reader.key_path("times");
            let mut at = Vec::with_capacity(items.value.len());
            for node in items.value {
                at.push(time_in_steps(context, reader, node, &path)?);
            }
            if at.is_empty() {
                return Err(reader
                    .error_at("times", items.span, "no times to record at")
                    .expected("at least one time, e.g. times = [\"100 ms\"]")
                    .found("[]"));
            }
            if reader.has("interval") {
                let span = reader
                    .entry("interval")
                    .map_or_else(|| reader.span(), |e| e.node.span.clone());
                return Err(reader
                    .error_at(
                        "interval",
                        span,
                        "`interval` goes with `synapses`: `times` lists the times itself",
                    )
                    .expected("no `interval` beside `times`"));
            }
            at.sort_unstable();
            at.dedup();
            WeightSampling::AtTimes(at)
        }
        (None, Some(count)) => {
            let available = synapse_count(context, projections, projection);
            if count.value == 0 {
                return Err(reader
                    .error_at("synapses", count.span, "a sample needs at least one synapse")
                    .expected(format!("1 to {available}"))
                    .found("0"));
            }
            if count.value > available as u64 {
                return Err(reader
                    .error_at(
                        "synapses",
                        count.span,
                        format!("projection {projection} has only {available} synapses"),
                    )
                    .expected(format!("1 to {available}"))
                    .found(count.value.to_string())
                    .with_hint("to record every weight, give `times` instead"));
            }
            let interval = reader.required_quantity("interval", Dimension::TIME)?;
            let interval_steps = (interval.value / dt).round();
            if !(interval_steps >= 1.0)
                || (interval_steps * dt - interval.value).abs() > 1e-9 * interval.value
                || interval_steps > steps as f64
            {
                return Err(reader
                    .error_at(
                        "interval",
                        interval.span,
                        "the recording interval is not a whole number of steps within the run",
                    )
                    .expected(format!(
                        "a positive multiple of dt = {dt} ms, at most the duration {} ms",
                        context.simulation.duration_ms
                    ))
                    .found(format!("{} ms", interval.value)));
            }
            WeightSampling::Sample {
                synapses: count.value as usize,
                interval_steps: interval_steps as u64,
            }
        }
    };
    Ok(WeightRecordSpec {
        projection,
        sampling,
    })
}

/// A time of `times` as the number of steps done at it: a multiple of dt from 0 to the
/// duration.
fn time_in_steps(
    context: &Context,
    reader: &TableReader,
    node: &Node,
    path: &str,
) -> Result<u64, SpecError> {
    let time = quantity_from_node(reader.source(), node, Dimension::TIME, path)?;
    let (dt, duration) = (context.simulation.dt_ms, context.simulation.duration_ms);
    let n = (time.value / dt).round();
    let on_grid = (n * dt - time.value).abs() <= 1e-9 * time.value.abs().max(dt);
    if !(time.value >= 0.0) || !on_grid || n > context.simulation.steps as f64 {
        return Err(reader
            .error_at(
                "times",
                time.span,
                "a recording time must be a multiple of dt within the run",
            )
            .expected(format!(
                "a multiple of dt = {dt} ms from 0 to the duration {duration} ms"
            ))
            .found(format!("{} ms", time.value)));
    }
    Ok(n as u64)
}

/// The number of synapses projection `index` will have: counted from its rule where that
/// fixes it, otherwise by building its connectivity (as the run will: same seed, same
/// draws). A rule that cannot be built counts 0; the run reports why.
fn synapse_count(context: &Context, projections: &[ProjectionSpec], index: usize) -> usize {
    let projection = &projections[index];
    let sources = context.populations[projection.source].size;
    let targets = context.populations[projection.target].size;
    let forbid_self = projection.source == projection.target && !projection.autapses;
    match projection.rule {
        Rule::AllToAll => sources * targets - if forbid_self { sources } else { 0 },
        Rule::FixedIndegree { indegree } => indegree as usize * targets,
        Rule::FixedOutdegree { outdegree } => outdegree as usize * sources,
        Rule::FixedTotal { count } => count as usize,
        _ => Connectivity::build(
            &projection.rule,
            sources,
            targets,
            projection.source == projection.target,
            projection.autapses,
            context.simulation.seed,
            index as u64,
        )
        .map_or(0, |c| c.synapse_count()),
    }
}

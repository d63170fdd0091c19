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
                    .error_at(
                        "synapses",
                        count.span,
                        "a sample needs at least one synapse",
                    )
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
            if !interval_steps.is_finite()
                || interval_steps < 1.0
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
    if !time.value.is_finite()
        || time.value < 0.0
        || !on_grid
        || n > context.simulation.steps as f64
    {
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

#[cfg(test)]
mod tests {
    use crate::spec::model::{WeightSampling, read_model};
    use crate::spec::{Source, SpecError};
    use std::path::Path;

    /// Two populations, a static projection 0 and a plastic fixed-indegree projection 1
    /// (10 targets × 3 = 30 synapses), then `record`, whose first line is line 26.
    fn model(record: &str) -> Result<crate::spec::model::ModelSpec, SpecError> {
        let text = format!(
            "[simulation]\nduration = \"100 ms\"\ndt = \"0.1 ms\"\n\
             [population.in]\nmodel = \"poisson\"\nsize = 5\nrate = \"10 Hz\"\n\
             [population.E]\nmodel = \"lif\"\nsize = 10\n\
             [[projection]]\nsource = \"in\"\ntarget = \"E\"\nrule = \"all_to_all\"\nweight = \"0.1 mV\"\n\
             [[projection]]\nsource = \"in\"\ntarget = \"E\"\nrule = \"fixed_indegree\"\nindegree = 3\n\
             weight = \"0.5 mV\"\n[projection.plasticity]\nw_max = \"1 mV\"\n\
             [[record]]\nkind = \"weights\"\n{record}"
        );
        read_model(Source::new("model.toml", text), Path::new("."))
    }

    fn error(record: &str) -> String {
        match model(record) {
            Ok(_) => panic!("accepted:\n{record}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn times_and_samples_are_read_in_steps() {
        let spec = model("projection = 1\ntimes = [\"50 ms\", \"0 ms\", \"100 ms\", \"50 ms\"]\n")
            .unwrap();
        assert_eq!(spec.weight_records[0].projection, 1);
        assert_eq!(
            spec.weight_records[0].sampling,
            WeightSampling::AtTimes(vec![0, 500, 1000])
        );
        // A weight record is not a population record: nothing else is recorded.
        assert!(spec.records.is_empty());
        let spec = model("projection = 1\nsynapses = 30\ninterval = \"2.5 ms\"\n").unwrap();
        assert_eq!(
            spec.weight_records[0].sampling,
            WeightSampling::Sample {
                synapses: 30,
                interval_steps: 25
            }
        );
    }

    #[test]
    fn a_static_or_absent_projection_is_refused() {
        assert_eq!(
            error("projection = 0\ntimes = [\"10 ms\"]\n"),
            "model.toml:26:14: record[0].projection: projection 0 is not plastic: its weights \
             never change (expected one of 1 (the plastic projections), found 0)"
        );
        assert_eq!(
            error("projection = 2\ntimes = [\"10 ms\"]\n"),
            "model.toml:26:14: record[0].projection: there is no projection 2 (the model has \
             2) (expected one of 1 (the plastic projections), found 2)"
        );
    }

    #[test]
    fn times_and_synapses_exclude_each_other_and_one_is_needed() {
        assert_eq!(
            error("projection = 1\ntimes = [\"10 ms\"]\nsynapses = 3\ninterval = \"1 ms\"\n"),
            "model.toml:28:12: record[0].synapses: give either `times` (all weights at these \
             times) or `synapses` with `interval` (a sample over time), not both (expected one \
             of `times` and `synapses`, found both)"
        );
        assert_eq!(
            error("projection = 1\n"),
            "model.toml:24:1: record[0]: a weight record needs `times` or `synapses` (expected \
             times = [\"100 ms\", ...] (all weights at these times) or synapses = N with \
             interval = \"10 ms\" (a sample over time), found neither)"
        );
    }

    #[test]
    fn times_off_the_grid_or_past_the_end_are_refused() {
        let expected = |column: usize, found: &str| {
            format!(
                "model.toml:27:{column}: record[0].times: a recording time must be a multiple \
                 of dt within the run (expected a multiple of dt = 0.1 ms from 0 to the \
                 duration 100 ms, found {found})"
            )
        };
        assert_eq!(
            error("projection = 1\ntimes = [\"10 ms\", \"10.05 ms\"]\n"),
            expected(19, "10.05 ms")
        );
        assert_eq!(
            error("projection = 1\ntimes = [\"100.1 ms\"]\n"),
            expected(10, "100.1 ms")
        );
    }

    #[test]
    fn a_sample_must_fit_the_projection_and_the_run() {
        assert_eq!(
            error("projection = 1\nsynapses = 31\ninterval = \"1 ms\"\n"),
            "model.toml:27:12: record[0].synapses: projection 1 has only 30 synapses (expected \
             1 to 30, found 31)\n  hint: to record every weight, give `times` instead"
        );
        assert_eq!(
            error("projection = 1\nsynapses = 0\ninterval = \"1 ms\"\n"),
            "model.toml:27:12: record[0].synapses: a sample needs at least one synapse \
             (expected 1 to 30, found 0)"
        );
        assert_eq!(
            error("projection = 1\nsynapses = 3\ninterval = \"0.25 ms\"\n"),
            "model.toml:28:12: record[0].interval: the recording interval is not a whole \
             number of steps within the run (expected a positive multiple of dt = 0.1 ms, at \
             most the duration 100 ms, found 0.25 ms)"
        );
    }

    #[test]
    fn a_random_rule_is_counted_from_its_drawn_synapses() {
        // Bernoulli p = 0.5 over 5 × 10 pairs: the count is what the run will build.
        let with = |n: usize| {
            let text = format!(
                "[simulation]\nduration = \"10 ms\"\nseed = 4\n\
                 [population.in]\nmodel = \"poisson\"\nsize = 5\nrate = \"10 Hz\"\n\
                 [population.E]\nmodel = \"lif\"\nsize = 10\n\
                 [[projection]]\nsource = \"in\"\ntarget = \"E\"\nrule = \"bernoulli\"\np = 0.5\n\
                 weight = \"0.5 mV\"\n[projection.plasticity]\nw_max = \"1 mV\"\n\
                 [[record]]\nkind = \"weights\"\nprojection = 0\nsynapses = {n}\ninterval = \"1 ms\"\n"
            );
            read_model(Source::new("model.toml", text), Path::new("."))
        };
        let spec = with(1).unwrap();
        let built = crate::engine::Simulation::build(&spec, 1)
            .unwrap()
            .synapse_count();
        assert!(built > 10 && built < 40, "{built} synapses");
        assert!(with(built).is_ok());
        let refused = with(built + 1).unwrap_err().to_string();
        assert!(
            refused.contains(&format!("has only {built} synapses")),
            "{refused}"
        );
    }
}

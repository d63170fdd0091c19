//! The spatial and per-synapse parts of a model file: population layouts, the distance rule,
//! explicit synapse lists, and weights and delays that vary per synapse.

use std::sync::Arc;

use super::{Context, resolve};
use crate::connect::{
    DistanceRule, Layout, ListLimits, MAX_DELAY_STEPS, Profile, Rule, read_synapse_list,
};
use crate::distribution::Distribution;
use crate::spec::error::SpecError;
use crate::spec::reader::{Located, TableReader, Varying};
use crate::units::Dimension;

/// `layout = { kind = "ring", circumference = "1 mm" }` or `{ kind = "grid" | "torus",
/// columns = C[, rows = R], width = "1 mm"[, height = ...] }` of a population of `size`.
pub(super) fn read_layout(
    population: &mut TableReader,
    size: usize,
) -> Result<Option<Layout>, SpecError> {
    let Some(mut reader) = population.table("layout")? else {
        return Ok(None);
    };
    let kind = reader.choice("kind", Layout::NAMES)?.ok_or_else(|| {
        reader
            .error_here("missing `kind`")
            .expected("kind = \"ring\", \"grid\" or \"torus\"")
    })?;
    let length = |reader: &mut TableReader, key: &'static str| -> Result<f64, SpecError> {
        let value = reader.required_quantity(key, Dimension::LENGTH)?;
        if !(value.value > 0.0 && value.value.is_finite()) {
            return Err(reader
                .error_at(key, value.span, "a length must be positive")
                .expected("> 0, e.g. \"1 mm\"")
                .found(format!("{} um", value.value)));
        }
        Ok(value.value)
    };
    let layout = match kind.value {
        "ring" => Layout::Ring {
            circumference_um: length(&mut reader, "circumference")?,
        },
        _ => {
            let columns = reader.unsigned("columns")?.ok_or_else(|| {
                reader
                    .error_here("a grid needs `columns`")
                    .expected("columns = <integer> (rows = size / columns)")
            })?;
            if columns.value == 0 || !(size as u64).is_multiple_of(columns.value) {
                return Err(reader
                    .error_at(
                        "columns",
                        columns.span,
                        format!("{size} neurons do not fill whole rows of this many columns"),
                    )
                    .expected("a divisor of the population size")
                    .found(columns.value.to_string()));
            }
            let columns = columns.value as usize;
            let rows = size / columns;
            if let Some(given) = reader.unsigned("rows")?
                && given.value as usize != rows
            {
                return Err(reader
                    .error_at("rows", given.span, "rows × columns must equal the size")
                    .expected(format!("{rows} ({size} neurons / {columns} columns)"))
                    .found(given.value.to_string()));
            }
            let width_um = length(&mut reader, "width")?;
            // Square cells unless the height is given.
            let height_um = if reader.has("height") {
                length(&mut reader, "height")?
            } else {
                width_um * rows as f64 / columns as f64
            };
            Layout::Grid {
                columns,
                rows,
                width_um,
                height_um,
                periodic: kind.value == "torus",
            }
        }
    };
    reader.finish()?;
    Ok(Some(layout))
}

/// `rule = "distance"`: `profile`, `width`, optional `p` (at distance 0, default 1) and
/// `cutoff`, between two populations that have layouts in one space.
pub(super) fn read_distance_rule(
    context: &Context,
    reader: &mut TableReader,
    source: usize,
    target: usize,
) -> Result<Rule, SpecError> {
    let layout_of = |population: usize| {
        context.populations[population].layout.ok_or_else(|| {
            reader
                .error_here(format!(
                    "rule \"distance\" needs positions, but population `{}` has no layout",
                    context.populations[population].name
                ))
                .expected(
                    "layout = { kind = \"ring\", circumference = \"1 mm\" } in the population",
                )
        })
    };
    let (source_layout, target_layout) = (layout_of(source)?, layout_of(target)?);
    if let Err(message) = source_layout.shares_space_with(&target_layout) {
        return Err(reader.error_here(message));
    }
    let profile_name = reader.choice("profile", Profile::NAMES)?.ok_or_else(|| {
        reader
            .error_here("rule \"distance\" needs `profile`")
            .expected("profile = \"gaussian\" or \"exponential\"")
    })?;
    let width = reader.required_quantity("width", Dimension::LENGTH)?;
    if !(width.value > 0.0 && width.value.is_finite()) {
        return Err(reader
            .error_at(
                "width",
                width.span,
                "the width of a profile must be positive",
            )
            .expected("> 0, e.g. \"100 um\"")
            .found(format!("{} um", width.value)));
    }
    let profile = match profile_name.value {
        "gaussian" => Profile::Gaussian {
            width_um: width.value,
        },
        _ => Profile::Exponential {
            length_um: width.value,
        },
    };
    let peak_probability = match reader.quantity("p", Dimension::DIMENSIONLESS)? {
        None => 1.0,
        Some(p) if (0.0..=1.0).contains(&p.value) => p.value,
        Some(p) => {
            return Err(reader
                .error_at("p", p.span, "a probability lies between 0 and 1")
                .expected("0 <= p <= 1 (the probability at distance 0)")
                .found(p.value.to_string()));
        }
    };
    let cutoff_um = match reader.quantity("cutoff", Dimension::LENGTH)? {
        None => None,
        Some(cutoff) if cutoff.value >= 0.0 => Some(cutoff.value),
        Some(cutoff) => {
            return Err(reader
                .error_at(
                    "cutoff",
                    cutoff.span,
                    "a cutoff distance cannot be negative",
                )
                .found(format!("{} um", cutoff.value)));
        }
    };
    Ok(Rule::Distance(DistanceRule {
        peak_probability,
        profile,
        cutoff_um,
        source_layout,
        target_layout,
    }))
}

/// A projection's weights: one value, a distribution, or (with a list that has them) the
/// list's own.
pub(super) struct Weights {
    /// The weight of every synapse, or the mean where they vary.
    pub weight: f64,
    /// The distribution each synapse's weight is drawn from.
    pub distribution: Option<Distribution>,
}

/// Reads `weight` (a quantity or a distribution) of the given dimension. Conductances
/// (`non_negative`) must not be negative, nor may their distribution reach below zero.
pub(super) fn read_weight(
    reader: &mut TableReader,
    dimension: Dimension,
    non_negative: bool,
) -> Result<Weights, SpecError> {
    let Some(weight) = reader.quantity_or_distribution("weight", dimension)? else {
        return Err(reader.error_here("missing `weight`").expected(format!(
            "weight = {} or weight = {{ distribution = \"normal\", ... }}",
            crate::spec::reader::example_literal(dimension)
        )));
    };
    let conductance_hint = "a conductance >= 0 (the reversal potential makes a synapse inhibitory)";
    match weight.value {
        Varying::Same(value) => {
            if non_negative && value < 0.0 {
                return Err(reader
                    .error_at("weight", weight.span, "a conductance cannot be negative")
                    .expected(conductance_hint)
                    .found(format!("{value} nS")));
            }
            Ok(Weights {
                weight: value,
                distribution: None,
            })
        }
        Varying::Drawn(distribution) => {
            if non_negative && distribution.support().0 < 0.0 {
                return Err(reader
                    .error_at(
                        "weight",
                        weight.span,
                        "this distribution can draw negative conductances",
                    )
                    .expected(format!(
                        "{conductance_hint}: lognormal, uniform with low >= 0, or \
                         clipped_normal with low >= 0"
                    )));
            }
            Ok(Weights {
                weight: distribution.mean(),
                distribution: Some(distribution),
            })
        }
    }
}

/// A projection's delays: the delay of every synapse (steps) — the longest where they vary —
/// and the distribution they are drawn from (ms), if any.
pub(super) struct Delays {
    /// Steps (at least 1): the delay, or the longest one.
    pub steps: u64,
    /// The distribution of delays (ms).
    pub distribution: Option<Distribution>,
}

/// Reads `delay` (a quantity or a distribution; one step if absent). Delays are whole
/// numbers of steps of at least one: a constant must be one, a distribution's values are
/// rounded and must lie between one step and [`MAX_DELAY_STEPS`].
pub(super) fn read_delay(reader: &mut TableReader, dt: f64) -> Result<Delays, SpecError> {
    let Some(delay) = reader.quantity_or_distribution("delay", Dimension::TIME)? else {
        return Ok(Delays {
            steps: 1,
            distribution: None,
        });
    };
    match delay.value {
        Varying::Same(value) => {
            let steps = (value / dt).round();
            if steps < 1.0 {
                return Err(reader
                    .error_at(
                        "delay",
                        delay.span,
                        "a delay must be at least one time step",
                    )
                    .expected(format!(">= dt = {dt} ms"))
                    .found(format!("{value} ms")));
            }
            if (steps * dt - value).abs() > 1e-6 * value {
                return Err(reader
                    .error_at(
                        "delay",
                        delay.span,
                        "the delay is not a whole number of time steps",
                    )
                    .expected(format!("a multiple of dt = {dt} ms"))
                    .found(format!("{value} ms")));
            }
            if steps > 1e6 {
                return Err(reader
                    .error_at("delay", delay.span, "a delay of more than 10^6 steps")
                    .found(format!("{value} ms")));
            }
            Ok(Delays {
                steps: steps as u64,
                distribution: None,
            })
        }
        Varying::Drawn(distribution) => {
            let (low, high) = distribution.support();
            if low < dt || (high / dt).round() > MAX_DELAY_STEPS as f64 {
                return Err(reader
                    .error_at(
                        "delay",
                        delay.span,
                        "this distribution can draw delays outside the range a synapse allows",
                    )
                    .expected(format!(
                        "delays from dt = {dt} ms to {} ms: uniform or clipped_normal with \
                         low >= {dt} ms and high <= {} ms",
                        MAX_DELAY_STEPS as f64 * dt,
                        MAX_DELAY_STEPS as f64 * dt
                    ))
                    .found(format!("values from {low} to {high} ms")));
            }
            Ok(Delays {
                steps: (high / dt).round() as u64,
                distribution: Some(distribution),
            })
        }
    }
}

/// `rule = "from_file"`: reads the list in `file` and the weights and delays that go with it
/// — from the list's columns, or from `weight` and `delay` where it has none (giving both is
/// an error, so it is never unclear which one counts).
pub(super) fn read_listed(
    context: &Context,
    reader: &mut TableReader,
    file: &Located<String>,
    (source, target): (usize, usize),
    weight_dimension: Dimension,
    non_negative_weights: bool,
) -> Result<(Rule, Weights, Delays), SpecError> {
    let path = resolve(context.base_directory, &file.value);
    let limits = ListLimits {
        sources: context.populations[source].size,
        targets: context.populations[target].size,
        weight_dimension,
        non_negative_weights,
        dt_ms: context.simulation.dt_ms,
    };
    let list = read_synapse_list(&path, &limits).map_err(|error| {
        reader
            .error_at("file", file.span.clone(), error.to_string())
            .found(format!("\"{}\"", file.value))
    })?;
    let weights = match &list.weights {
        Some(values) => {
            if reader.has("weight") {
                return Err(reader
                    .error_here("the list has a weight column; remove `weight` (or the column)"));
            }
            Weights {
                weight: values.iter().sum::<f64>() / values.len().max(1) as f64,
                distribution: None,
            }
        }
        None => read_weight(reader, weight_dimension, non_negative_weights)?,
    };
    if weights.distribution.is_some() {
        return Err(reader.error_here(
            "a listed projection takes one weight or a weight column, not a distribution",
        ));
    }
    let delays = match &list.delay_steps {
        Some(steps) => {
            if reader.has("delay") {
                return Err(reader
                    .error_here("the list has a delay column; remove `delay` (or the column)"));
            }
            Delays {
                steps: steps.iter().copied().max().map_or(1, u64::from),
                distribution: None,
            }
        }
        None => read_delay(reader, context.simulation.dt_ms)?,
    };
    if delays.distribution.is_some() {
        return Err(reader.error_here(
            "a listed projection takes one delay or a delay column, not a distribution",
        ));
    }
    Ok((Rule::FromList(Arc::new(list)), weights, delays))
}

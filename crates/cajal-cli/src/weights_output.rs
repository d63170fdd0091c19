//! The weights of plastic projections after a run: `weights_<k>.csv` for projection k (in
//! the explicit-list format that `rule = "from_file"` reads, so a learned network runs
//! again), a histogram of the final weights, and their summary for summary.json; and what the
//! weight recorders took during the run: `weights_over_time_<k>.csv`, with the weight traces
//! of a sample or the weight distributions at the recorded times.

use std::path::Path;

use cajal::engine::PlasticWeights;
use cajal::record::WeightRecorder;
use cajal::spec::model::WeightSampling;
use cajal::spec::model::{ModelSpec, SynapseSpec};
use cajal::units::Dimension;
use miette::Result;
use serde_json::{Value, json};

use crate::output::{format_number, unit_of, write_csv};
use crate::plot::{self, Color, Figure, Panel, Series};
use crate::report::ReportFigure;

/// Weights within this fraction of (w_max − w_min) of a bound count as at that bound.
const NEAR_BOUND: f64 = 0.05;

/// The unit of a projection's weights.
fn weight_unit(spec: &ModelSpec, projection: usize) -> &'static str {
    let projection = &spec.projections[projection];
    let dimension = match projection.synapse {
        SynapseSpec::Delta => Dimension::VOLTAGE,
        _ => spec.populations[projection.target].neuron.input_dimension(),
    };
    unit_of(dimension)
}

/// Writes `weights_<k>.csv` of every plastic projection into `directory` and the histogram of
/// its final weights into `plots`; returns the entries of summary.json's
/// `plastic_projections` and the figures for the report.
pub fn write_weights(
    spec: &ModelSpec,
    weights: &[PlasticWeights],
    directory: &Path,
    plots: &Path,
) -> Result<(Vec<Value>, Vec<ReportFigure>)> {
    let mut entries = Vec::new();
    let mut figures = Vec::new();
    for projection in weights {
        let k = projection.projection;
        let spec_projection = &spec.projections[k];
        let Some(plasticity) = &spec_projection.plasticity else {
            continue;
        };
        let unit = weight_unit(spec, k);
        // `weight_mV` where the unit is a plain word, `weight [uA/cm^2]` otherwise: both are
        // headers the list reader understands.
        let weight_column = if unit.chars().all(|c| c.is_ascii_alphanumeric()) {
            format!("weight_{unit}")
        } else {
            format!("weight [{unit}]")
        };
        let file = format!("weights_{k}.csv");
        let header = [
            "source".to_string(),
            "target".to_string(),
            weight_column,
            "delay_ms".to_string(),
        ];
        let rows = (0..projection.weights.len()).map(|i| {
            vec![
                f64::from(projection.sources[i]),
                f64::from(projection.targets[i]),
                projection.weights[i],
                projection.delay_ms,
            ]
        });
        write_csv(&directory.join(&file), &header, rows)?;

        let n = projection.weights.len();
        let span = plasticity.w_max - plasticity.w_min;
        let near = |bound: f64| {
            let count = projection
                .weights
                .iter()
                .filter(|&&w| (w - bound).abs() <= NEAR_BOUND * span)
                .count();
            count as f64 / n.max(1) as f64
        };
        let mean = projection.weights.iter().sum::<f64>() / n.max(1) as f64;
        let (at_min, at_max) = (near(plasticity.w_min), near(plasticity.w_max));
        let source = &spec.populations[spec_projection.source].name;
        let target = &spec.populations[spec_projection.target].name;
        entries.push(json!({
            "projection": k,
            "source": source,
            "target": target,
            "file": file,
            "synapses": n,
            "unit": unit,
            "mean_weight": mean,
            "w_min": plasticity.w_min,
            "w_max": plasticity.w_max,
            "fraction_near_w_min": at_min,
            "fraction_near_w_max": at_max,
        }));

        if n > 0 {
            let bins = 50;
            let width = span / bins as f64;
            let mut counts = vec![0.0; bins];
            for &w in &projection.weights {
                let bin = (((w - plasticity.w_min) / width) as usize).min(bins - 1);
                counts[bin] += 1.0;
            }
            let edges = (0..=bins)
                .map(|i| plasticity.w_min + i as f64 * width)
                .collect();
            let title = format!("projection {k} ({source} → {target}): final weights");
            let figure = Figure::new(&title).with_panel(
                Panel::new(format!("weight ({unit})"), "synapses")
                    .with_series(Series::steps(edges, counts).with_color(Color::Palette(0)))
                    .with_legend(false),
            );
            let stem = plots.join(format!("weights_{k}_histogram"));
            let [svg, _png] = plot::render(&figure, &stem).map_err(|e| miette::miette!("{e}"))?;
            figures.push(ReportFigure {
                caption: format!(
                    "{title}: mean {} {unit}, {:.1} % within 5 % of w_min, {:.1} % of w_max \
                     ({n} synapses, {file})",
                    format_number(mean),
                    100.0 * at_min,
                    100.0 * at_max
                ),
                svg,
            });
        }
    }
    Ok((entries, figures))
}

/// At most this many recorded times get a histogram of their own in the figure of a
/// `times` recorder (the first, the last and evenly spaced ones between).
const MAX_HISTOGRAMS: usize = 6;

/// Bins of a weight histogram over [w_min, w_max].
const BINS: usize = 50;

/// The column header of a projection's weights in `unit`: `weight_mV` where the unit is a
/// plain word, `weight [uA/cm^2]` otherwise.
fn weight_column(unit: &str) -> String {
    if unit.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("weight_{unit}")
    } else {
        format!("weight [{unit}]")
    }
}

/// Writes what every weight recorder took: `weights_over_time_<k>.csv` for projection k
/// (`_2`, `_3`, ... for its further recorders), one row per synapse per recorded time, and
/// a figure for the report: the weight traces of a sample, or the weight distribution at
/// each recorded time. Returns the entries of summary.json's `weight_records` and the
/// figures.
pub fn write_weight_traces(
    spec: &ModelSpec,
    recorders: &[WeightRecorder],
    directory: &Path,
    plots: &Path,
) -> Result<(Vec<Value>, Vec<ReportFigure>)> {
    let mut entries = Vec::new();
    let mut figures = Vec::new();
    for (index, recorder) in recorders.iter().enumerate() {
        let k = recorder.projection;
        let Some(plasticity) = &spec.projections[k].plasticity else {
            continue;
        };
        let earlier = recorders[..index]
            .iter()
            .filter(|r| r.projection == k)
            .count();
        let stem = if earlier == 0 {
            format!("weights_over_time_{k}")
        } else {
            format!("weights_over_time_{k}_{}", earlier + 1)
        };
        let file = format!("{stem}.csv");
        let unit = weight_unit(spec, k);
        let header = [
            "time_ms".to_string(),
            "source".to_string(),
            "target".to_string(),
            weight_column(unit),
        ];
        let n = recorder.synapse_count();
        let rows = recorder
            .times_ms
            .iter()
            .enumerate()
            .flat_map(|(record, &t)| {
                recorder.at(record).iter().enumerate().map(move |(i, &w)| {
                    vec![
                        t,
                        f64::from(recorder.sources[i]),
                        f64::from(recorder.targets[i]),
                        w,
                    ]
                })
            });
        write_csv(&directory.join(&file), &header, rows)?;
        let kind = match recorder.sampling {
            WeightSampling::AtTimes(_) => "times",
            WeightSampling::Sample { .. } => "sample",
        };
        entries.push(json!({
            "projection": k,
            "file": file,
            "kind": kind,
            "synapses": n,
            "records": recorder.times_ms.len(),
            "unit": unit,
        }));
        if n == 0 || recorder.times_ms.is_empty() {
            continue;
        }
        let source = &spec.populations[spec.projections[k].source].name;
        let target = &spec.populations[spec.projections[k].target].name;
        let (figure, caption) = match recorder.sampling {
            WeightSampling::Sample { .. } => {
                let title = format!(
                    "projection {k} ({source} → {target}): weights of {n} sampled synapses"
                );
                (
                    sample_figure(recorder, &title, unit, (plasticity.w_min, plasticity.w_max)),
                    format!("{title} over time, each line one synapse, dashed their mean ({file})"),
                )
            }
            WeightSampling::AtTimes(_) => {
                let title = format!("projection {k} ({source} → {target}): weight distributions");
                let (figure, means) = distributions_figure(
                    recorder,
                    &title,
                    unit,
                    (plasticity.w_min, plasticity.w_max),
                );
                (
                    figure,
                    format!(
                        "{title} at the recorded times (mean {}; {n} synapses, {file})",
                        means.join(", ")
                    ),
                )
            }
        };
        let [svg, _png] =
            plot::render(&figure, &plots.join(&stem)).map_err(|e| miette::miette!("{e}"))?;
        figures.push(ReportFigure { caption, svg });
    }
    Ok((entries, figures))
}

/// The weight trace of every sampled synapse, and their mean dashed.
fn sample_figure(
    recorder: &WeightRecorder,
    title: &str,
    unit: &str,
    (w_min, w_max): (f64, f64),
) -> Figure {
    let n = recorder.synapse_count();
    let mut panel = Panel::new("time (ms)", format!("weight ({unit})"))
        .with_y_range(w_min, w_max)
        .with_legend(false);
    // The palette without its black, which is the mean's.
    let colours: Vec<usize> = (0..plot::PALETTE.len())
        .filter(|&c| plot::PALETTE[c] != (0, 0, 0))
        .collect();
    for k in 0..n {
        panel = panel.with_series(
            Series::line(recorder.times_ms.clone(), recorder.series(k))
                .with_color(Color::Palette(colours[k % colours.len()])),
        );
    }
    let mean = (0..recorder.times_ms.len())
        .map(|record| recorder.at(record).iter().sum::<f64>() / n as f64)
        .collect();
    panel = panel.with_series(
        Series::dashed(recorder.times_ms.clone(), mean)
            .with_color(Color::Rgb(0, 0, 0))
            .with_label("mean"),
    );
    Figure::new(title).with_panel(panel)
}

/// One histogram of all weights per recorded time (at most [`MAX_HISTOGRAMS`] of them),
/// overlaid: how the distribution spreads, drifts or splits (additive STDP makes it bimodal,
/// which a mean ± sd would hide). Returns the figure and the mean weight at each time shown.
fn distributions_figure(
    recorder: &WeightRecorder,
    title: &str,
    unit: &str,
    (w_min, w_max): (f64, f64),
) -> (Figure, Vec<String>) {
    let records = recorder.times_ms.len();
    let shown: Vec<usize> = if records <= MAX_HISTOGRAMS {
        (0..records).collect()
    } else {
        let mut shown: Vec<usize> = (0..MAX_HISTOGRAMS)
            .map(|i| i * (records - 1) / (MAX_HISTOGRAMS - 1))
            .collect();
        shown.dedup();
        shown
    };
    let width = (w_max - w_min) / BINS as f64;
    let edges: Vec<f64> = (0..=BINS).map(|i| w_min + i as f64 * width).collect();
    let mut panel = Panel::new(format!("weight ({unit})"), "synapses");
    let mut means = Vec::new();
    for (colour, &record) in shown.iter().enumerate() {
        let weights = recorder.at(record);
        let mut counts = vec![0.0; BINS];
        for &w in weights {
            let bin = (((w - w_min) / width).max(0.0) as usize).min(BINS - 1);
            counts[bin] += 1.0;
        }
        let t = format_number(recorder.times_ms[record]);
        panel = panel.with_series(
            Series::steps(edges.clone(), counts)
                .with_color(Color::Palette(colour))
                .with_label(format!("t = {t} ms")),
        );
        let mean = weights.iter().sum::<f64>() / weights.len() as f64;
        means.push(format!("{mean:.3} {unit} at {t} ms"));
    }
    (Figure::new(title).with_panel(panel), means)
}

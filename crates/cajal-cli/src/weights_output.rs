//! The weights of plastic projections after a run: `weights_<k>.csv` for projection k (in
//! the explicit-list format that `rule = "from_file"` reads, so a learned network runs
//! again), a histogram of the final weights, and their summary for summary.json.

use std::path::Path;

use cajal::engine::PlasticWeights;
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

//! The data files and figures of a binary run: raster of up-transitions, m_k(t) with the
//! predictions, the distribution of single-neuron rates.

use std::path::Path;

use cajal::binary::BinaryResults;
use miette::{IntoDiagnostic, Result, WrapErr};

use crate::binary_run::Predictions;
use crate::output::format_number;
use crate::plot::{Color, Figure, Panel, Series};

/// Neurons of a population shown in the raster, at most.
const RASTER_NEURONS: u32 = 200;
/// Bins of the rate histogram.
const RATE_BINS: usize = 50;

/// Writes a CSV whose first column is a population name and the others numbers.
fn write_rows(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = (String, Vec<f64>)>,
) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let mut writer = csv::Writer::from_path(path)
        .into_diagnostic()
        .wrap_err_with(context)?;
    writer
        .write_record(header)
        .into_diagnostic()
        .wrap_err_with(context)?;
    for (name, values) in rows {
        let mut record = vec![name];
        record.extend(values.iter().map(|v| format_number(*v)));
        writer
            .write_record(&record)
            .into_diagnostic()
            .wrap_err_with(context)?;
    }
    writer.flush().into_diagnostic().wrap_err_with(context)
}

/// spikes.csv, activity.csv, rates.csv and (with traces) traces.csv.
pub fn write_data(directory: &Path, names: &[String], results: &BinaryResults) -> Result<()> {
    write_rows(
        &directory.join("spikes.csv"),
        &["population", "neuron", "time_ms"],
        results.spikes.iter().flat_map(|recorder| {
            recorder.spikes.iter().map(|spike| {
                (
                    names[recorder.population].clone(),
                    vec![spike.neuron as f64, spike.time_ms],
                )
            })
        }),
    )?;
    write_rows(
        &directory.join("activity.csv"),
        &["population", "start_ms", "mean_activity"],
        results.activity.iter().flat_map(|trace| {
            trace
                .start_ms
                .iter()
                .zip(&trace.mean_activity)
                .map(|(t, m)| (names[trace.population].clone(), vec![*t, *m]))
        }),
    )?;
    write_rows(
        &directory.join("rates.csv"),
        &["population", "neuron", "mean_activity"],
        results.populations.iter().flat_map(|population| {
            population
                .neuron_activity
                .iter()
                .enumerate()
                .map(|(n, m)| (population.name.clone(), vec![n as f64, *m]))
        }),
    )?;
    if !results.traces.is_empty() {
        write_rows(
            &directory.join("traces.csv"),
            &["population", "neuron", "time_ms", "state", "input"],
            results.traces.iter().flat_map(|trace| {
                let column = |name: &str| trace.variables.iter().position(|v| v.name == name);
                let (state, input) = (column("state"), column("input"));
                (0..trace.neurons.len()).flat_map(move |k| {
                    trace
                        .times_ms
                        .iter()
                        .enumerate()
                        .map(move |(sample, &time)| {
                            let value = |variable: Option<usize>| {
                                variable.map_or(f64::NAN, |v| {
                                    trace.values[v][sample * trace.neurons.len() + k]
                                })
                            };
                            (
                                names[trace.population].clone(),
                                vec![trace.neurons[k] as f64, time, value(state), value(input)],
                            )
                        })
                })
            }),
        )?;
    }
    Ok(())
}

/// Up-transitions of the first recorded neurons of each recorded population, stacked.
pub fn raster_figure(names: &[String], results: &BinaryResults) -> Option<Figure> {
    if results.spikes.iter().all(|r| r.spikes.is_empty()) {
        return None;
    }
    let mut panel = Panel::new("time (ms)", "neuron");
    let mut base = 0.0;
    for (index, recorder) in results.spikes.iter().enumerate() {
        let (times, rows): (Vec<f64>, Vec<f64>) = recorder
            .spikes
            .iter()
            .filter(|s| s.neuron < RASTER_NEURONS)
            .map(|s| (s.time_ms, base + s.neuron as f64))
            .unzip();
        panel = panel.with_series(
            Series::ticks(times, rows)
                .with_marker_size(3)
                .with_label(names[recorder.population].clone())
                .with_color(Color::Palette(index)),
        );
        base += RASTER_NEURONS.min(results.populations[recorder.population].size as u32) as f64;
    }
    Some(
        Figure::new(format!(
            "up-transitions (the first {RASTER_NEURONS} neurons of each population)"
        ))
        .with_panel(panel.with_x_range(0.0, results.duration_ms)),
    )
}

/// m_k(t) of the recorded populations with the predictions dashed.
pub fn activity_figure(
    names: &[String],
    results: &BinaryResults,
    predictions: &Predictions,
) -> Option<Figure> {
    if results.activity.is_empty() {
        return None;
    }
    let mut panel = Panel::new("time (ms)", "mean activity m(t)");
    let end = results.duration_ms;
    for (index, trace) in results.activity.iter().enumerate() {
        let k = trace.population;
        let centres = trace
            .start_ms
            .iter()
            .map(|t| t + 0.5 * trace.bin_ms)
            .collect();
        panel = panel.with_series(
            Series::line(centres, trace.mean_activity.clone())
                .with_label(names[k].clone())
                .with_color(Color::Palette(index)),
        );
        if let Ok(rates) = &predictions.balance {
            panel = panel.with_series(
                Series::dashed(vec![0.0, end], vec![rates[k]; 2])
                    .with_label(format!("{} balance", names[k]))
                    .with_color(Color::Palette(index)),
            );
        }
        if let Some(rates) = &predictions.mean_field {
            panel = panel.with_series(
                Series::dashed(vec![0.0, end], vec![rates[k]; 2])
                    .with_label(format!("{} mean field", names[k]))
                    .with_color(Color::Rgb(96, 96, 96)),
            );
        }
    }
    Some(Figure::new("population activity").with_panel(panel.with_x_range(0.0, end)))
}

/// Histograms (densities) of the neurons' time-averaged states, one panel per population,
/// with the mean-field density where there is one.
pub fn rate_histogram_figure(
    names: &[String],
    results: &BinaryResults,
    predictions: &Predictions,
) -> Figure {
    let mut figure = Figure::new("single-neuron rates");
    for (k, population) in results.populations.iter().enumerate() {
        let low = population
            .neuron_activity
            .iter()
            .copied()
            .fold(0.0, f64::min);
        let width = (1.0 - low) / RATE_BINS as f64;
        let mut counts = vec![0.0; RATE_BINS];
        for &m in &population.neuron_activity {
            let bin = (((m - low) / width) as usize).min(RATE_BINS - 1);
            counts[bin] += 1.0;
        }
        let density: Vec<f64> = counts
            .iter()
            .map(|c| c / (population.size as f64 * width))
            .collect();
        let edges = (0..=RATE_BINS).map(|i| low + i as f64 * width).collect();
        let mut panel = Panel::new(format!("{}: time-averaged state", names[k]), "density")
            .with_series(
                Series::steps(edges, density)
                    .with_label("simulation")
                    .with_color(Color::Palette(k)),
            );
        if let (Some(model), Some(rates)) = (&predictions.model, &predictions.mean_field) {
            let bins = 200;
            let theory = model.rate_density(rates, k, bins);
            let centres = (0..bins).map(|b| (b as f64 + 0.5) / bins as f64).collect();
            panel = panel.with_series(
                Series::dashed(centres, theory)
                    .with_label("mean field")
                    .with_color(Color::Rgb(96, 96, 96)),
            );
        }
        figure = figure.with_panel(panel);
    }
    figure
}

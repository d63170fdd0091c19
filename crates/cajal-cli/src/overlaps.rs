//! Overlaps of a spiking run with the patterns its populations store: m_μ(t), the Pearson
//! correlation between every pattern and the neurons' spike counts in bins (see
//! `cajal::stats::binned_overlaps` for why a correlation), written to `overlaps.csv`
//! (`overlaps_<population>.csv` when several populations store patterns), drawn in
//! `plots/overlaps.svg`/`.png` with the cued patterns highlighted, and summarised in
//! summary.json (`populations.<name>.overlaps`) and in the figure's caption in report.html.
//!
//! The counts come from the population's spike file read back after the run, so a
//! population is analysed only when all its neurons are recorded. The bin is that of the
//! population's activity recorder if it has one, [`DEFAULT_BIN_MS`] otherwise.

use std::path::Path;

use cajal::spec::ModelSpec;
use cajal::spec::model::RecordSpec;
use cajal::stats::{OverlapSeries, binned_overlaps};
use miette::{IntoDiagnostic, Result};
use serde_json::{Value, json};

use crate::output::{self, population_stems};
use crate::plot::{self, Color, Figure, Panel, Series};
use crate::report::ReportFigure;

/// Bin of the spike counts when the population has no activity recorder (ms).
pub const DEFAULT_BIN_MS: f64 = 10.0;

/// The end of the run over which the final overlaps are averaged (ms).
pub const FINAL_WINDOW_MS: f64 = 100.0;

/// Computes and writes the overlaps of every population with patterns whose spikes were
/// all recorded; adds their figures to `figures` and returns each population's summary
/// entry (population index, value).
pub fn write_overlaps(
    spec: &ModelSpec,
    directory: &Path,
    manifest: &Value,
    biological_ms: f64,
    figures: &mut Vec<ReportFigure>,
) -> Result<Vec<(usize, Value)>> {
    let with_patterns: Vec<usize> = (0..spec.populations.len())
        .filter(|&p| spec.populations[p].patterns.is_some())
        .collect();
    let mut entries = Vec::new();
    for &index in &with_patterns {
        let population = &spec.populations[index];
        let patterns = population.patterns.as_deref().expect("filtered");
        let Some(file) = manifest["spikes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|entry| {
                entry["population"] == population.name.as_str()
                    && (entry["neurons"].is_null()
                        || entry["neurons"].as_array().map(Vec::len) == Some(population.size))
            })
            .and_then(|entry| entry["file"].as_str())
        else {
            continue;
        };
        let spikes = cajal::spike_file::read_spike_file(&directory.join(file), Some(1.0))
            .map_err(|error| miette::miette!("overlaps: {error}"))?;
        let bin_ms = spec
            .records
            .iter()
            .find_map(|record| match *record {
                RecordSpec::Activity {
                    population,
                    bin_steps,
                } if population == index => Some(bin_steps as f64 * spec.simulation.dt_ms),
                _ => None,
            })
            .unwrap_or(DEFAULT_BIN_MS);
        let series = binned_overlaps(patterns, spikes.pairs(), bin_ms, biological_ms);
        let entry = write_series(
            spec,
            index,
            &series,
            Measure::SpikeCountCorrelation,
            with_patterns.len(),
            directory,
            biological_ms,
            figures,
        )?;
        entries.push((index, entry));
    }
    Ok(entries)
}

/// What an overlap series measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Pearson correlation of spike counts in bins, plotted at the bins' centres.
    SpikeCountCorrelation,
    /// The standard overlap of binary states sampled every step, plotted at the samples.
    BinaryState,
}

impl Measure {
    fn describe(self, bin_ms: f64) -> String {
        match self {
            Measure::SpikeCountCorrelation => format!(
                "Pearson correlation of spike counts in {} ms bins",
                output::format_number(bin_ms)
            ),
            Measure::BinaryState => format!(
                "Σ(ξ − f)s/(N f(1 − f)) of the state sampled every {} ms",
                output::format_number(bin_ms)
            ),
        }
    }

    /// The time each value describes.
    fn times(self, series: &OverlapSeries) -> Vec<f64> {
        let offset = match self {
            Measure::SpikeCountCorrelation => series.bin_ms / 2.0,
            Measure::BinaryState => 0.0,
        };
        series.bin_start_ms.iter().map(|t| t + offset).collect()
    }
}

/// Writes the overlaps `series` of population `index` (`overlaps.csv`, or
/// `overlaps_<stem>.csv` when `populations_with_patterns` > 1, and its figure), adds the
/// figure to `figures` and returns the population's summary entry.
#[allow(clippy::too_many_arguments)]
pub fn write_series(
    spec: &ModelSpec,
    index: usize,
    series: &OverlapSeries,
    measure: Measure,
    populations_with_patterns: usize,
    directory: &Path,
    biological_ms: f64,
    figures: &mut Vec<ReportFigure>,
) -> Result<Value> {
    let population = &spec.populations[index];
    let names: Vec<&str> = spec.populations.iter().map(|p| p.name.as_str()).collect();
    let stem = if populations_with_patterns == 1 {
        "overlaps".to_string()
    } else {
        format!("overlaps_{}", population_stems(&names)[index])
    };
    let time_column = match measure {
        Measure::SpikeCountCorrelation => "bin_start_ms",
        Measure::BinaryState => "time_ms",
    };
    let mut header = vec![time_column.to_string()];
    header.extend((0..series.patterns).map(|mu| format!("pattern_{mu}")));
    let csv = format!("{stem}.csv");
    output::write_csv(
        &directory.join(&csv),
        &header,
        (0..series.bin_start_ms.len()).map(|bin| {
            let mut row = vec![series.bin_start_ms[bin]];
            row.extend_from_slice(series.bin(bin));
            row
        }),
    )?;
    let mut cued: Vec<usize> = spec
        .inputs
        .iter()
        .filter(|input| input.population == index)
        .filter_map(|input| input.cue.map(|cue| cue.pattern))
        .chain(population.initial_cue.map(|cue| cue.pattern))
        .collect();
    cued.sort_unstable();
    cued.dedup();
    let cue_starts: Vec<f64> = spec
        .inputs
        .iter()
        .filter(|input| input.population == index && input.cue.is_some())
        .map(|input| input.start_ms)
        .collect();
    let last = final_overlaps(series, biological_ms);
    let figure = overlap_figure(&population.name, series, measure, &cued, &cue_starts);
    let [svg, _png] =
        plot::render(&figure, &directory.join("plots").join(&stem)).into_diagnostic()?;
    figures.push(ReportFigure {
        caption: caption(&population.name, series, measure, &cued, &last),
        svg,
    });
    Ok(json!({
        "file": csv,
        "bin_ms": series.bin_ms,
        "measure": match measure {
            Measure::SpikeCountCorrelation => "pearson correlation of spike counts with each pattern",
            Measure::BinaryState => "overlap of the binary state with each pattern",
        },
        "cued": cued,
        "final_window_ms": FINAL_WINDOW_MS.min(biological_ms),
        "final": last,
    }))
}

/// The mean overlap with every pattern over the bins that start in the last
/// [`FINAL_WINDOW_MS`] of the run (the last bin if none does).
pub fn final_overlaps(series: &OverlapSeries, biological_ms: f64) -> Vec<f64> {
    let bins = series.bin_start_ms.len();
    if bins == 0 {
        return vec![0.0; series.patterns];
    }
    let from = biological_ms - FINAL_WINDOW_MS;
    let first = series
        .bin_start_ms
        .iter()
        .position(|&start| start >= from)
        .unwrap_or(bins - 1)
        .min(bins - 1);
    (0..series.patterns)
        .map(|mu| (first..bins).map(|bin| series.bin(bin)[mu]).sum::<f64>() / (bins - first) as f64)
        .collect()
}

fn caption(
    name: &str,
    series: &OverlapSeries,
    measure: Measure,
    cued: &[usize],
    last: &[f64],
) -> String {
    let mut text = format!(
        "{name}: overlaps m_μ(t) with the {} stored patterns ({})",
        series.patterns,
        measure.describe(series.bin_ms)
    );
    for &mu in cued {
        text.push_str(&format!(
            "; cued pattern {mu}: final m = {:.3}",
            last.get(mu).copied().unwrap_or(f64::NAN)
        ));
    }
    let others = (0..last.len())
        .filter(|mu| !cued.contains(mu))
        .map(|mu| last[mu])
        .fold(f64::NEG_INFINITY, f64::max);
    if others.is_finite() {
        text.push_str(&format!(
            "; largest final overlap with another pattern {others:.3}"
        ));
    }
    text
}

/// m_μ(t) of every pattern: uncued ones in grey, cued ones in colour, cue onsets marked.
fn overlap_figure(
    name: &str,
    series: &OverlapSeries,
    measure: Measure,
    cued: &[usize],
    starts: &[f64],
) -> Figure {
    let times = measure.times(series);
    let mut panel = Panel::new("time (ms)", "overlap m").with_y_range(-0.2, 1.05);
    for mu in (0..series.patterns).filter(|mu| !cued.contains(mu)) {
        panel = panel.with_series(
            Series::line(times.clone(), series.of_pattern(mu))
                .with_color(Color::Rgb(190, 190, 190)),
        );
    }
    for (k, &mu) in cued.iter().enumerate() {
        panel = panel.with_series(
            Series::line(times.clone(), series.of_pattern(mu))
                .with_label(format!("pattern {mu} (cued)"))
                .with_color(Color::Palette(k)),
        );
    }
    for &start in starts {
        panel = panel.with_vertical_line(start, "cue");
    }
    Figure::new(format!("{name}: overlaps with the stored patterns")).with_panel(panel)
}

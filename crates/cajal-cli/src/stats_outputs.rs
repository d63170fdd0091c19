//! The figures of spike-train statistics, drawn from a [`StatsResult`]: what `cajal stats -o`
//! writes and what every `cajal run` adds to its plots and report.

use std::path::Path;

use cajal::stats::{intervals_ms, population_activity, population_spectrum};
use miette::{IntoDiagnostic, Result, WrapErr};

use crate::cli::StatsOptions;
use crate::output::create_directory;
use crate::plot;
use crate::report::ReportFigure;
use crate::stat_figures::{
    IsiOptions, PopulationValues, Psth, RasterOptions, RasterSample, RateTrace,
    cv_histogram_figure, isi_histogram_figure, population_rate_figure, power_spectrum_figure,
    psth_figure, rate_histogram_figure,
};
use crate::stats_command::{StatsResult, to_json};
use crate::stats_options::interval_ms;

/// The raster's default window: the first 2 s of the observation, a stretch in which the
/// ticks of a few hundred neurons stay distinguishable.
const RASTER_WINDOW_MS: f64 = 2000.0;

/// Bin of the population activity drawn under the raster (ms).
const RASTER_RATE_BIN_MS: f64 = 1.0;

/// `cajal stats -o DIR`: the figures and statistics.json.
pub fn write(directory: &Path, result: &StatsResult, options: &StatsOptions) -> Result<()> {
    create_directory(directory)?;
    let raster_window = options
        .raster_window
        .as_deref()
        .map(|text| interval_ms("raster-window", text))
        .transpose()?;
    statistics_figures(result, directory, "", raster_window)?;
    let path = directory.join("statistics.json");
    let text = serde_json::to_string_pretty(&to_json(result)).expect("plain values");
    std::fs::write(&path, text)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", path.display()))
}

/// Draws the raster (every group in its colour, with the population activity), the ISI
/// histogram with the exponential of a Poisson process of the same rate, the histograms of
/// single-neuron rates and CVs, the power spectrum of the population activity and, with
/// stimulus times, the PSTH, as `<prefix>NAME.svg/.png` in `directory`.
pub fn statistics_figures(
    result: &StatsResult,
    directory: &Path,
    prefix: &str,
    raster_window_ms: Option<(f64, f64)>,
) -> Result<Vec<ReportFigure>> {
    let mut written = Vec::new();
    let mut draw = |figure: plot::Figure, name: &str, caption: String| -> Result<()> {
        let stem = directory.join(format!("{prefix}{name}"));
        let [svg, _png] = plot::render(&figure, &stem).into_diagnostic()?;
        written.push(ReportFigure { caption, svg });
        Ok(())
    };
    let window = result.window;
    let (start, stop) = raster_window_ms.unwrap_or((
        window.t_start_ms,
        window.t_stop_ms.min(window.t_start_ms + RASTER_WINDOW_MS),
    ));
    let names: Vec<(&str, u32)> = result
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.ids.len() as u32))
        .collect();
    let mut raster =
        RasterSample::new(&names, &RasterOptions::new(start, stop, RASTER_RATE_BIN_MS));
    for (index, group) in result.input.groups.iter().enumerate() {
        raster.extend(
            index,
            group
                .spikes
                .pairs()
                .filter(|&(_, t)| t >= start && t < stop),
        );
    }
    draw(
        raster.into_figure(&format!("Raster, {} – {} ms", short(start), short(stop))),
        "raster",
        "Raster plot (populations in colour; a sample of neurons for large populations) and \
         population activity"
            .into(),
    )?;

    let isis: Vec<f64> = result
        .pooled
        .trains
        .trains()
        .flat_map(intervals_ms)
        .collect();
    draw(
        isi_histogram_figure(
            "Inter-spike intervals, all neurons",
            &isis,
            &IsiOptions::default(),
        ),
        "isi_histogram",
        "ISI histogram with the exponential density of a Poisson process of the same mean \
         interval (dashed)"
            .into(),
    )?;

    let rates: Vec<Vec<f64>> = result
        .groups
        .iter()
        .map(|g| g.statistics.neurons.iter().map(|n| n.rate_hz).collect())
        .collect();
    let cvs: Vec<Vec<f64>> = result
        .groups
        .iter()
        .map(|g| {
            g.statistics
                .neurons
                .iter()
                .map(|n| n.cv_isi.unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    draw(
        rate_histogram_figure(
            "Single-neuron firing rates",
            &population_values(result, &rates),
            Some(window.duration_ms()),
        ),
        "rate_histogram",
        "Histogram of single-neuron firing rates".into(),
    )?;
    draw(
        cv_histogram_figure("Single-neuron CV of ISIs", &population_values(result, &cvs)),
        "cv_histogram",
        "Histogram of single-neuron ISI CVs (a Poisson process has CV = 1)".into(),
    )?;

    let bin_ms = result
        .pooled
        .statistics
        .population
        .activity
        .as_ref()
        .map_or(RASTER_RATE_BIN_MS, |activity| activity.bin_ms);
    let activities: Vec<(String, Vec<f64>, Vec<f64>)> = result
        .groups
        .iter()
        .filter_map(|g| {
            let activity = population_activity(&g.trains, bin_ms).ok()?;
            let times = (0..activity.rate_hz.len())
                .map(|k| activity.start_ms + (k as f64 + 0.5) * activity.bin_ms)
                .collect();
            Some((g.name.clone(), times, activity.rate_hz))
        })
        .collect();
    let traces: Vec<RateTrace<'_>> = activities
        .iter()
        .map(|(name, times, rates)| RateTrace {
            name,
            times_ms: times,
            rates_hz: rates,
        })
        .collect();
    draw(
        population_rate_figure("Population activity", &traces, Some(bin_ms)),
        "population_rate",
        "Population activity ν(t) = spikes/(N·bin)".into(),
    )?;

    match population_spectrum(&result.pooled.trains, bin_ms, None) {
        Ok(spectrum) => {
            let peak = spectrum.peak().map(|(frequency, _)| frequency);
            // The 0 Hz bin holds only what the mean removal left: not worth a log axis.
            draw(
                power_spectrum_figure(
                    "Power spectrum of the population activity (Welch, Hann window)",
                    &spectrum.frequencies_hz[1..],
                    &spectrum.density[1..],
                    peak,
                ),
                "spectrum",
                "Power spectral density of the population activity, peak marked".into(),
            )?;
        }
        Err(_) => {
            // Too short for a spectrum segment: the summary says null, no figure.
        }
    }

    // Without a trial inside the observation there is no PSTH to draw (the table says so).
    if let Some(psth) = result.pooled.psth.as_ref().filter(|p| p.trials_used > 0) {
        let edges: Vec<f64> = (0..=psth.counts.len()).map(|k| psth.edge_ms(k)).collect();
        draw(
            psth_figure(
                "Peri-stimulus time histogram",
                &Psth {
                    bin_edges_ms: &edges,
                    rates_hz: &psth.rate_hz,
                    trials: psth.trials_used,
                },
            ),
            "psth",
            "PSTH: rate per neuron and trial around the stimulus times".into(),
        )?;
    }
    Ok(written)
}

fn population_values<'a>(
    result: &'a StatsResult,
    per_group: &'a [Vec<f64>],
) -> Vec<PopulationValues<'a>> {
    result
        .groups
        .iter()
        .zip(per_group)
        .map(|(g, values)| PopulationValues {
            name: &g.name,
            values,
        })
        .collect()
}

fn short(value: f64) -> String {
    crate::output::format_number(value)
}

//! The figures of a run: membrane potential with spikes and the stimulus, the gating
//! variables and currents of HH, the rate of rate units, raster plots, f–I curves.

use cajal::fi::FiResult;
use cajal::neuron::Spike;
use cajal::record::TraceRecorder;
use cajal::units::Dimension;

use crate::digest::SpikeDigest;
use crate::output::unit_of;
use crate::plot::{Color, Figure, Panel, Series};

/// Traces of one neuron drawn together: at most this many neurons per panel.
const MAX_NEURONS_PER_PANEL: usize = 5;

/// Whether a variable (by name) belongs to a panel.
type VariableFilter = fn(&str) -> bool;

/// The stimulus of a population: time (ms) and current, in the model's input unit.
pub struct Stimulus {
    /// Sample times.
    pub times_ms: Vec<f64>,
    /// The deterministic part of the input current to the first traced neuron.
    pub values: Vec<f64>,
    /// Its dimension.
    pub dimension: Dimension,
}

fn axis_label(description: &str, dimension: Dimension) -> String {
    match unit_of(dimension) {
        "" => description.to_string(),
        unit => format!("{description} ({unit})"),
    }
}

/// The figure of a trace recorder: one panel per group of variables (potential, gates,
/// currents, others), spikes marked on the potential, and the stimulus below.
pub fn trace_figure(
    title: &str,
    trace: &TraceRecorder,
    spikes: Option<&[Spike]>,
    stimulus: Option<&Stimulus>,
) -> Figure {
    let mut figure = Figure::new(title);
    let shown = trace.neurons.len().min(MAX_NEURONS_PER_PANEL);
    let groups: [(&str, VariableFilter); 4] = [
        ("potential", |n| n == "v"),
        ("gates", |n| matches!(n, "m" | "h" | "n")),
        ("currents", |n| n.starts_with("i_")),
        ("other", |_| true),
    ];
    let mut used = vec![false; trace.variables.len()];
    for (group, belongs) in groups {
        let members: Vec<usize> = (0..trace.variables.len())
            .filter(|&v| {
                let variable = &trace.variables[v];
                // A rate unit's `m` is its rate, not a gate.
                !used[v]
                    && belongs(variable.name)
                    && (group != "gates" || variable.description.contains("activation"))
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        for &v in &members {
            used[v] = true;
        }
        let first = &trace.variables[members[0]];
        let y_label = match group {
            "gates" => "gating variable".to_string(),
            "currents" => axis_label("membrane current", first.dimension),
            _ => axis_label(first.description, first.dimension),
        };
        let mut panel = Panel::new("time (ms)", y_label);
        let mut color = 0;
        for &v in &members {
            for k in 0..shown {
                let label = if members.len() > 1 && shown > 1 {
                    format!("{} [{}]", trace.variables[v].name, trace.neurons[k])
                } else if members.len() > 1 {
                    trace.variables[v].name.to_string()
                } else if shown > 1 {
                    format!("neuron {}", trace.neurons[k])
                } else {
                    trace.variables[v].name.to_string()
                };
                panel = panel.with_series(
                    Series::line(trace.times_ms.clone(), trace.series(v, k))
                        .with_label(label)
                        .with_color(Color::Palette(color)),
                );
                color += 1;
            }
        }
        if group == "potential"
            && let Some(spikes) = spikes
        {
            let values = &trace.values[members[0]];
            let top = values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::MIN, f64::max);
            let shown_neurons = &trace.neurons[..shown];
            let times: Vec<f64> = spikes
                .iter()
                .filter(|s| shown_neurons.contains(&s.neuron))
                .map(|s| s.time_ms)
                .collect();
            if !times.is_empty() {
                let marker = top + 5.0;
                panel = panel.with_series(
                    Series::ticks(times.clone(), vec![marker; times.len()])
                        .with_label("spikes")
                        .with_color(Color::Palette(6)),
                );
            }
        }
        if group == "gates" {
            panel = panel.with_y_range(0.0, 1.0);
        }
        figure = figure.with_panel(panel);
    }
    if let Some(stimulus) = stimulus {
        figure = figure.with_panel(
            Panel::new("time (ms)", axis_label("input", stimulus.dimension))
                .with_series(
                    Series::line(stimulus.times_ms.clone(), stimulus.values.clone())
                        .with_label("stimulus")
                        .with_color(Color::Palette(4)),
                )
                .with_legend(false),
        );
    }
    figure
}

/// The activity of a spiking population from its digest: raster (a sample of neurons for
/// large ones, over the digest's window), population rate, and histograms of single-neuron
/// rates and ISI CVs over the whole run of `duration_ms`.
pub fn activity_figure(title: &str, digest: &SpikeDigest, duration_ms: f64) -> Figure {
    let raster = &digest.raster;
    let size = digest.size();
    let (times, neurons): (Vec<f64>, Vec<f64>) = raster
        .spikes
        .iter()
        .map(|s| (s.time_ms, s.neuron as f64))
        .unzip();
    let raster_label = if raster.stride > 1 {
        format!("neuron (every {}th)", raster.stride)
    } else {
        "neuron".to_string()
    };
    let window_ms = raster.end_ms.min(duration_ms);
    let raster_time_label = if window_ms < duration_ms {
        format!(
            "time (ms): the first {} ms of {duration_ms} ms{}",
            crate::output::format_number(window_ms),
            if raster.cut_by_cap {
                format!(", as far as {} spikes go", raster.spikes.len())
            } else {
                String::new()
            }
        )
    } else {
        "time (ms)".to_string()
    };
    let bin_ms = digest.rate_bin_ms;
    let rate = digest.rate_counts.rates_hz(size, duration_ms);
    let bin_times: Vec<f64> = (0..rate.len()).map(|i| (i as f64 + 0.5) * bin_ms).collect();
    let rates = digest.statistics.rates_hz(duration_ms);
    let cvs = digest.statistics.cvs();
    let mut figure = Figure::new(title)
        .with_panel(
            Panel::new(raster_time_label, raster_label)
                .with_series(Series::ticks(times, neurons).with_marker_size(3))
                .with_x_range(0.0, window_ms)
                .with_legend(false),
        )
        .with_panel(
            Panel::new(
                "time (ms)",
                format!("population rate (Hz, {bin_ms} ms bins)"),
            )
            .with_series(Series::line(bin_times, rate))
            .with_x_range(0.0, duration_ms)
            .with_legend(false),
        );
    // Rates are counts over the run: multiples of 1/duration; bins are whole multiples so
    // that none is empty by construction.
    if let Some((edges, counts)) = histogram(&rates, 40, Some(1000.0 / duration_ms)) {
        figure = figure.with_panel(
            Panel::new("firing rate (Hz)", "neurons")
                .with_series(Series::steps(edges, counts).with_color(Color::Palette(1)))
                .with_legend(false),
        );
    }
    if let Some((edges, counts)) = histogram(&cvs, 40, None) {
        figure = figure.with_panel(
            Panel::new("CV of inter-spike intervals", "neurons")
                .with_series(Series::steps(edges, counts).with_color(Color::Palette(2)))
                .with_legend(false),
        );
    }
    figure
}

/// At most `bins` equal-width bins over the range of `values` — whole multiples of
/// `resolution` wide, and centred on its multiples, for values on such a grid; `None` for no
/// values.
fn histogram(values: &[f64], bins: usize, resolution: Option<f64>) -> Option<(Vec<f64>, Vec<f64>)> {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() || !high.is_finite() {
        return None;
    }
    let (start, width, bins) = match resolution {
        Some(step) => {
            let width = ((high - low) / bins as f64 / step).ceil().max(1.0) * step;
            let start = low - 0.5 * step;
            (
                start,
                width,
                (((high - start) / width).floor() as usize + 1).max(1),
            )
        }
        None if high > low => (low, (high - low) / bins as f64, bins),
        None => (low - 0.5, 1.0 / bins as f64, bins),
    };
    let mut counts = vec![0.0; bins];
    for &value in values {
        let index = (((value - start) / width) as usize).min(bins - 1);
        counts[index] += 1.0;
    }
    let edges = (0..=bins).map(|i| start + i as f64 * width).collect();
    Some((edges, counts))
}

/// f–I curves, with the closed form dashed where the model has one.
pub fn fi_figure(title: &str, result: &FiResult) -> Figure {
    let mut panel = Panel::new(
        axis_label("current", result.current_dimension),
        "firing rate (Hz)",
    );
    for (index, curve) in result.curves.iter().enumerate() {
        let currents: Vec<f64> = curve.points.iter().map(|p| p.current).collect();
        let rates: Vec<f64> = curve.points.iter().map(|p| p.rate_hz).collect();
        panel = panel
            .with_series(
                Series::line(currents.clone(), rates.clone())
                    .with_label(format!("{} (simulated)", curve.label))
                    .with_color(Color::Palette(index)),
            )
            .with_series(Series::points(currents.clone(), rates).with_color(Color::Palette(index)));
        if curve.points.iter().all(|p| p.theory_rate_hz.is_some()) {
            let theory: Vec<f64> = curve
                .points
                .iter()
                .map(|p| p.theory_rate_hz.unwrap_or(f64::NAN))
                .collect();
            panel = panel.with_series(
                Series::dashed(currents, theory)
                    .with_label(format!("{} (theory)", curve.label))
                    .with_color(Color::Palette(6)),
            );
        }
    }
    Figure::new(title).with_panel(panel)
}

/// Whether a spike recorder deserves a raster: it records more than one neuron.
pub fn wants_raster(digest: &SpikeDigest) -> bool {
    digest.size() > 1
}

//! The figures of a run: membrane potential with spikes and the stimulus, the gating
//! variables and currents of HH, the rate of rate units, raster plots, f–I curves.

use cajal::engine::RunResult;
use cajal::fi::FiResult;
use cajal::neuron::Spike;
use cajal::record::TraceRecorder;
use cajal::units::Dimension;

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

/// A raster plot: one tick per spike at (time, neuron).
pub fn raster_figure(title: &str, spikes: &[Spike], duration_ms: f64) -> Figure {
    let times: Vec<f64> = spikes.iter().map(|s| s.time_ms).collect();
    let neurons: Vec<f64> = spikes.iter().map(|s| s.neuron as f64).collect();
    Figure::new(title).with_panel(
        Panel::new("time (ms)", "neuron")
            .with_series(Series::ticks(times, neurons).with_marker_size(4))
            .with_x_range(0.0, duration_ms)
            .with_legend(false),
    )
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

/// Names of spiking populations whose recorded spikes deserve a raster (more than one neuron).
pub fn wants_raster(result: &RunResult, recorder: usize) -> bool {
    let spikes = &result.spikes[recorder];
    let recorded = spikes
        .neurons
        .as_ref()
        .map_or(result.populations[spikes.population].size, Vec::len);
    recorded > 1
}

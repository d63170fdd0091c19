//! The linear stability of the asynchronous state beside the run of a spiking network
//! ([`cajal::theory::stability`]): the state the theory predicts (AI, SI fast, SI slow,
//! SR, AR), the frequency of the oscillation it predicts beside the peak of the simulated
//! activity spectrum, and — for a point of Brunel's (g, η) family — the phase diagram with
//! the model marked.
//!
//! ```text
//! phase_diagram.csv            g, eta, state, rate_hz, growth_rate_per_s, frequency_hz
//! plots/phase_diagram.svg/png  the (g, η) plane coloured by state, the model as a point
//! ```
//! summary.json gets `"stability"`; an oscillation frequency joins the theory rows.

use std::path::Path;

use cajal::spec::model::{ModelSpec, NeuronSpec};
use cajal::theory::mean_field::mean_field_of;
use cajal::theory::stability::{
    BrunelNetwork, DEFAULT_MAX_FREQUENCY_HZ, ModelStability, NetworkState, Onset, PhaseDiagram,
    phase_diagram, stability_of,
};
use miette::{IntoDiagnostic, Result, WrapErr};
use serde_json::{Value, json};

use crate::plot::{self, Color, Figure, Panel, Series};
use crate::report::{ReportFigure, TheoryRow};
use crate::stats_command::StatsResult;

/// What the stability analysis adds to a run's outputs.
#[derive(Debug, Default)]
pub struct StabilityOutput {
    /// The predicted oscillation frequency beside the simulated one, per population.
    pub rows: Vec<TheoryRow>,
    /// The analysis in words, for the report.
    pub note: Option<String>,
    /// `"stability"` of summary.json.
    pub summary: Option<Value>,
    /// The phase diagram.
    pub figures: Vec<ReportFigure>,
}

/// Columns × rows of the phase diagram drawn for a run: about a second of computing.
const DIAGRAM_COLUMNS: usize = 60;
const DIAGRAM_ROWS: usize = 45;

const BASIS: &str = "linear stability of the asynchronous state: the frequency of its \
                     leading unstable mode (Brunel & Hakim 1999; Brunel 2000)";

/// The stability analysis of a model and its phase diagram: computed from the model alone,
/// written beside a run (with the simulated frequencies) or an analysis.
#[derive(Debug, Default)]
pub struct StabilityAnalysis {
    /// `None` for models outside the mean-field theory or without recurrent connections
    /// between LIF populations; else the analysis or why there is none.
    outcome: Option<Result<Analysed, String>>,
}

/// The results of an analysis.
#[derive(Debug)]
struct Analysed {
    analysis: ModelStability,
    /// The (g, η) diagram of a point of Brunel's family.
    diagram: Option<PhaseDiagram>,
    /// For an inhibition-dominated network outside the family: the noise σ_ext below which
    /// it oscillates.
    noise_onset: Option<Onset>,
}

/// The analysis of `spec`, with the phase diagram of its (g, η) family if it has one.
pub fn analyse(spec: &ModelSpec) -> StabilityAnalysis {
    let is_lif = |k: usize| matches!(spec.populations[k].neuron, NeuronSpec::Lif { .. });
    let recurrent = spec
        .projections
        .iter()
        .any(|p| is_lif(p.source) && is_lif(p.target));
    if !recurrent || mean_field_of(spec).is_err() {
        return StabilityAnalysis::default();
    }
    let outcome = stability_of(spec, DEFAULT_MAX_FREQUENCY_HZ).map(|analysis| {
        let diagram = analysis.family.as_ref().map(diagram_around);
        let inhibitory = analysis.population.mean_coupling_mv_ms < 0.0;
        let noise_onset = (diagram.is_none() && inhibitory)
            .then(|| analysis.population.noise_onset())
            .flatten();
        Analysed {
            analysis,
            diagram,
            noise_onset,
        }
    });
    StabilityAnalysis {
        outcome: Some(outcome),
    }
}

/// The outputs of `analysis` for the run of `spec` written to `directory`, whose spike
/// statistics are `statistics`.
pub fn write_outputs(
    analysis: StabilityAnalysis,
    spec: &ModelSpec,
    statistics: Option<&StatsResult>,
    directory: &Path,
) -> Result<StabilityOutput> {
    let Analysed {
        analysis,
        diagram,
        noise_onset,
    } = match analysis.outcome {
        None => return Ok(StabilityOutput::default()),
        Some(Err(reason)) => {
            return Ok(StabilityOutput {
                note: Some(format!(
                    "Linear stability of the asynchronous state: not computed — {reason}."
                )),
                summary: Some(json!({ "covered": false, "reason": reason })),
                ..StabilityOutput::default()
            });
        }
        Some(Ok(done)) => done,
    };
    let mut output = StabilityOutput {
        rows: frequency_rows(spec, &analysis, statistics),
        note: Some(describe(&analysis, noise_onset.as_ref())),
        ..StabilityOutput::default()
    };
    let mut summary = summary_entry(&analysis);
    if let Some(onset) = &noise_onset {
        summary["noise_onset"] = json!({
            "sigma_ext_mv": onset.parameter,
            "rate_hz": onset.rate_hz,
            "frequency_hz": onset.frequency_hz,
        });
    }
    if let (Some(family), Some(diagram)) = (&analysis.family, &diagram) {
        write_diagram_csv(diagram, &directory.join("phase_diagram.csv"))?;
        crate::output::create_directory(&directory.join("plots"))?;
        let stem = directory.join("plots").join("phase_diagram");
        let [svg, _png] =
            plot::render(&diagram_figure(diagram, family), &stem).into_diagnostic()?;
        output.figures.push(ReportFigure {
            caption: format!(
                "The (g, η) phase diagram of this network's family (J = {} mV, C_E = {}, \
                 γ = {}, D = {} ms) from the linear stability of the asynchronous state; the \
                 black point is this model",
                family.efficacy_mv,
                family.excitatory_indegree,
                for_display(family.inhibitory_ratio),
                family.delay_ms
            ),
            svg,
        });
        summary["phase_diagram"] = json!("phase_diagram.csv");
    }
    output.summary = Some(summary);
    Ok(output)
}

/// `value` to nine decimals, for display: g = 6 rather than 5.999999999999999.
fn for_display(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

/// Rows for an oscillation the theory predicts: SI fast and SI slow (the SR mode locks to
/// the neurons' own firing, beyond the reach of the linear frequency).
fn frequency_rows(
    spec: &ModelSpec,
    analysis: &ModelStability,
    statistics: Option<&StatsResult>,
) -> Vec<TheoryRow> {
    let oscillating = matches!(
        analysis.state,
        NetworkState::SynchronousIrregularFast | NetworkState::SynchronousIrregularSlow
    );
    let Some(root) = analysis.stability.leading().filter(|_| oscillating) else {
        return Vec::new();
    };
    spec.populations
        .iter()
        .filter(|p| matches!(p.neuron, NeuronSpec::Lif { .. }))
        .map(|population| TheoryRow {
            key: "oscillation_frequency_hz",
            quantity: "oscillation frequency (Hz; simulated: activity spectrum peak)".into(),
            population: population.name.clone(),
            theory: root.frequency_hz(),
            simulation: statistics
                .and_then(|s| s.group(&population.name))
                .and_then(|g| g.statistics.population.spectrum.as_ref())
                .map(|s| s.peak_frequency_hz),
            basis: BASIS.into(),
        })
        .collect()
}

/// The analysis in a sentence or two.
fn describe(analysis: &ModelStability, noise_onset: Option<&Onset>) -> String {
    let stability = &analysis.stability;
    let mut text = format!(
        "Linear stability of the asynchronous state (ν₀ = {:.2} Hz, μ₀ = {:.2} mV, σ₀ = {:.2} \
         mV, delay {} ms): predicted state {}",
        stability.rate_hz,
        stability.mu_mv,
        stability.sigma_mv,
        analysis.population.delay_ms,
        analysis.state.label()
    );
    match stability.leading() {
        Some(root) if root.lambda_per_ms.re >= 0.0 => text.push_str(&format!(
            " — the mode at {:.1} Hz grows at {:.1}/s.",
            root.frequency_hz(),
            root.growth_rate_per_s()
        )),
        Some(root) => text.push_str(&format!(
            " — every mode decays, the slowest ({:.1} Hz) at {:.1}/s.",
            root.frequency_hz(),
            -root.growth_rate_per_s()
        )),
        None => text.push_str(" — the network is too quiet for any mode to grow."),
    }
    if let Some(onset) = noise_onset {
        text.push_str(&format!(
            " With external noise σ_ext below {:.2} mV the network oscillates (onset at \
             {:.1} Hz, ν₀ = {:.2} Hz; Brunel & Hakim 1999).",
            onset.parameter, onset.frequency_hz, onset.rate_hz
        ));
    }
    if let Some(family) = &analysis.family {
        text.push_str(&format!(
            " In Brunel's (2000) terms the model is the point g = {}, η = {} (η: external \
             drive over θ − E_L).",
            for_display(family.g),
            for_display(family.eta)
        ));
    }
    text
}

fn summary_entry(analysis: &ModelStability) -> Value {
    let stability = &analysis.stability;
    json!({
        "covered": true,
        "state": analysis.state.label(),
        "stable": stability.is_stable(),
        "rate_hz": stability.rate_hz,
        "mu_mv": stability.mu_mv,
        "sigma_mv": stability.sigma_mv,
        "delay_ms": analysis.population.delay_ms,
        "leading_mode": stability.leading().map(|root| json!({
            "frequency_hz": root.frequency_hz(),
            "growth_rate_per_s": root.growth_rate_per_s(),
        })),
        "brunel_point": analysis.family.as_ref().map(|f| json!({
            "g": f.g,
            "eta": f.eta,
            "J_mv": f.efficacy_mv,
            "C_E": f.excitatory_indegree,
            "gamma": f.inhibitory_ratio,
        })),
        "basis": BASIS,
    })
}

/// The diagram over g ∈ (0, max(8, 1.25 g)], η ∈ (0, max(4, 1.25 η)] (Brunel's Fig. 2
/// spans g ≤ 8, η ≤ 4), at cell centres.
fn diagram_around(family: &BrunelNetwork) -> PhaseDiagram {
    let g_max = (1.25 * family.g).max(8.0);
    let eta_max = (1.25 * family.eta).max(4.0);
    let centres = |max: f64, n: usize| -> Vec<f64> {
        (0..n).map(|k| (k as f64 + 0.5) * max / n as f64).collect()
    };
    phase_diagram(
        family,
        &centres(g_max, DIAGRAM_COLUMNS),
        &centres(eta_max, DIAGRAM_ROWS),
    )
}

fn write_diagram_csv(diagram: &PhaseDiagram, path: &Path) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let mut writer = csv::Writer::from_path(path)
        .into_diagnostic()
        .wrap_err_with(context)?;
    writer
        .write_record([
            "g",
            "eta",
            "state",
            "rate_hz",
            "growth_rate_per_s",
            "frequency_hz",
        ])
        .into_diagnostic()
        .wrap_err_with(context)?;
    for point in &diagram.points {
        let (growth, frequency) = point
            .leading
            .map_or((String::new(), String::new()), |root| {
                (
                    root.growth_rate_per_s().to_string(),
                    root.frequency_hz().to_string(),
                )
            });
        writer
            .write_record([
                point.g.to_string(),
                point.eta.to_string(),
                point.state.label().to_string(),
                point.rate_hz.to_string(),
                growth,
                frequency,
            ])
            .into_diagnostic()
            .wrap_err_with(context)?;
    }
    writer.flush().into_diagnostic().wrap_err_with(context)
}

/// The states in the order of the legend, with their colours.
const STATES: [(NetworkState, Color); 5] = [
    (
        NetworkState::AsynchronousIrregular,
        Color::Rgb(200, 200, 200),
    ),
    (NetworkState::AsynchronousRegular, Color::Rgb(240, 228, 66)),
    (NetworkState::SynchronousRegular, Color::Rgb(213, 94, 0)),
    (
        NetworkState::SynchronousIrregularFast,
        Color::Rgb(0, 114, 178),
    ),
    (
        NetworkState::SynchronousIrregularSlow,
        Color::Rgb(0, 158, 115),
    ),
];

fn diagram_figure(diagram: &PhaseDiagram, family: &BrunelNetwork) -> Figure {
    let g_max = diagram.g_values.last().copied().unwrap_or(8.0)
        + diagram.g_values.first().copied().unwrap_or(0.0);
    let eta_max = diagram.eta_values.last().copied().unwrap_or(4.0)
        + diagram.eta_values.first().copied().unwrap_or(0.0);
    let mut panel = Panel::new(
        "g (relative strength of inhibition)",
        "η (external drive / threshold)",
    )
    .with_x_range(0.0, g_max)
    // Room above the diagram for the legend, which would hide a corner of it.
    .with_y_range(0.0, 1.45 * eta_max);
    for (state, color) in STATES {
        let (g, eta): (Vec<f64>, Vec<f64>) = diagram
            .points
            .iter()
            .filter(|p| p.state == state)
            .map(|p| (p.g, p.eta))
            .unzip();
        if g.is_empty() {
            continue;
        }
        panel = panel.with_series(
            Series::points(g, eta)
                .with_label(state.label())
                .with_color(color)
                .with_marker_size(11),
        );
    }
    panel = panel.with_series(
        Series::points(vec![family.g], vec![family.eta])
            .with_label(format!(
                "this model (g = {}, η = {})",
                for_display(family.g),
                for_display(family.eta)
            ))
            .with_color(Color::Rgb(0, 0, 0))
            .with_marker_size(14),
    );
    Figure::new("Predicted state of the asynchronous network (Brunel 2000)")
        .with_panel(panel)
        .with_size(800, 560)
}

#[cfg(test)]
mod tests;

//! `cajal run` on a network of binary neurons: simulate it ([`cajal::binary`]), write what
//! was recorded, and put the balance theory ([`cajal::theory::balance`]) beside it.
//!
//! Outputs in the run directory:
//! ```text
//! model.toml        the model file as run
//! spikes.csv        population, neuron, time_ms: up-transitions of the recorded neurons
//! activity.csv      population, start_ms, mean_activity: m_k(t) in the recorded bins
//! rates.csv         population, neuron, mean_activity: every neuron's time-averaged state
//! traces.csv        population, neuron, time_ms, state, input (when traces are recorded)
//! plots/*.svg, .png raster, m_k(t) with the predictions, histogram of single-neuron rates
//! report.html       the run, theory beside simulation, the figures
//! summary.json      written last: per population the simulated mean activity, the balance
//!                   and mean-field predictions and the relative differences
//! ```
//!
//! The averages start after a transient of 5 τ of the slowest population (at most a fifth of
//! the run), so that they describe the stationary state the theory is about.

use std::path::Path;
use std::time::Instant;

use cajal::binary::{BinaryNetwork, BinaryResults};
use cajal::spec::model::ModelSpec;
use cajal::theory::balance::{BalanceFailure, BalanceModel};
use miette::{Result, miette};
use serde_json::{Value, json};

use crate::binary_figures::{activity_figure, raster_figure, rate_histogram_figure};
use crate::output::{prepare_run_directory, write_json};
use crate::plot::render;
use crate::progress::{ProgressReporter, interrupt_flag};
use crate::report::{PopulationRow, Report, ReportFigure, RunFacts, TheoryRow, write_report};

/// The theory of a binary network: the balance solution (or why there is none) and the
/// finite-K mean field.
pub struct Predictions {
    /// The large-K rates.
    pub balance: std::result::Result<Vec<f64>, BalanceFailure>,
    /// The self-consistent finite-K rates, where found.
    pub mean_field: Option<Vec<f64>>,
    /// The model they were computed for.
    pub model: Option<BalanceModel>,
}

/// The predictions for `spec`; nothing for spin states.
pub fn predictions(spec: &ModelSpec) -> Predictions {
    let Some(model) = BalanceModel::from_spec(spec) else {
        return Predictions {
            balance: Err(BalanceFailure::NotCovered),
            mean_field: None,
            model: None,
        };
    };
    let balance = model.balance_rates();
    let start = match &balance {
        Ok(rates) => rates.clone(),
        Err(BalanceFailure::OutOfRange { rates }) => {
            rates.iter().map(|m| m.clamp(0.01, 0.99)).collect()
        }
        Err(BalanceFailure::Singular | BalanceFailure::NotCovered) => {
            vec![0.1; model.names.len()]
        }
    };
    let mean_field = model.mean_field_rates(&start);
    Predictions {
        balance,
        mean_field,
        model: Some(model),
    }
}

/// Runs the binary network and writes its outputs to `directory`.
pub fn run_binary_model(spec: &ModelSpec, directory: &Path, quiet: bool) -> Result<()> {
    let wall = Instant::now();
    let mut network =
        BinaryNetwork::build(spec).map_err(|e| miette!("{}: {e}", spec.source.name))?;
    let slowest = network
        .populations()
        .iter()
        .map(|p| p.tau_ms)
        .fold(0.0, f64::max);
    let transient_ms = (5.0 * slowest).min(0.2 * spec.simulation.duration_ms);
    let transient_ms = (transient_ms / spec.simulation.dt_ms).ceil() * spec.simulation.dt_ms;
    network.set_transient_ms(transient_ms);
    let summary_path = prepare_run_directory(directory, &spec.source.text)?;
    let mut reporter = ProgressReporter::new(spec.simulation.duration_ms, quiet, interrupt_flag());
    let report_every = (spec.simulation.steps / 100).max(1);
    let started = Instant::now();
    let results = network.run(report_every, |progress| reporter.observe(progress));
    reporter.finish();
    let simulate_seconds = started.elapsed().as_secs_f64();
    let names: Vec<String> = spec.populations.iter().map(|p| p.name.clone()).collect();
    crate::binary_figures::write_data(directory, &names, &results)?;
    if !results.completed {
        return Err(miette!(
            "{}: the run stopped at t = {} ms; what was recorded up to then is in {} (no \
             summary.json: the run is incomplete)",
            spec.source.name,
            results.duration_ms,
            directory.display()
        ));
    }
    let predictions = predictions(spec);
    let theory = theory_rows(&names, &results, &predictions);

    let plots = directory.join("plots");
    let mut figures = Vec::new();
    let mut add = |figure, stem: &str, caption: String| -> Result<()> {
        let [svg, _] = render(&figure, &plots.join(stem)).map_err(|e| miette!("{e}"))?;
        figures.push(ReportFigure { caption, svg });
        Ok(())
    };
    if let Some(figure) = raster_figure(&names, &results) {
        add(
            figure,
            "raster",
            "Up-transitions (0 → 1) of the recorded neurons".into(),
        )?;
    }
    if let Some(figure) = activity_figure(&names, &results, &predictions) {
        add(
            figure,
            "activity",
            "Mean activity m(t) of each population, with the balance (large K) and finite-K \
             mean-field predictions dashed"
                .into(),
        )?;
    }
    add(
        rate_histogram_figure(&names, &results, &predictions),
        "rates",
        "Distribution of single-neuron rates (time-averaged states), with the mean-field \
         density of the quenched rates (VS 1998); the simulated rates are averages over a \
         finite run, which widens them by about √(2τ·m(1 − m)/T)"
            .into(),
    )?;
    let mut overlap_entries = Vec::new();
    for (index, series) in &results.overlaps {
        let entry = crate::overlaps::write_series(
            spec,
            *index,
            series,
            crate::overlaps::Measure::BinaryState,
            results.overlaps.len(),
            directory,
            results.duration_ms,
            &mut figures,
        )?;
        overlap_entries.push((*index, entry));
    }
    let wall_seconds = wall.elapsed().as_secs_f64();
    let report = Report {
        title: Path::new(&spec.source.name)
            .file_name()
            .map_or(spec.source.name.clone(), |n| {
                n.to_string_lossy().into_owned()
            }),
        facts: RunFacts {
            cajal_version: env!("CARGO_PKG_VERSION").to_string(),
            model_file: spec.source.name.clone(),
            duration_ms: spec.simulation.duration_ms,
            simulated_ms: results.duration_ms,
            dt_ms: spec.simulation.dt_ms,
            seed: spec.simulation.seed,
            threads: 1,
            wall_seconds,
            simulate_seconds,
            complete: true,
        },
        populations: results
            .populations
            .iter()
            .map(|p| {
                PopulationRow::new(&p.name, "binary", p.size)
                    .with_column("mean activity", Some(p.mean_activity))
                    .with_column(
                        "up-transitions per neuron per s",
                        Some(
                            p.up_transitions as f64
                                / p.size as f64
                                / (results.duration_ms / 1000.0),
                        ),
                    )
            })
            .collect(),
        theory: theory.clone(),
        theory_notes: Vec::new(),
        figures,
        model_text: spec.source.text.to_string(),
    };
    write_report(&report, &directory.join("report.html"))?;
    if !quiet {
        for (k, population) in results.populations.iter().enumerate() {
            let balance = predictions.balance.as_ref().ok().map(|r| r[k]);
            let mean_field = predictions.mean_field.as_ref().map(|r| r[k]);
            println!(
                "{}: mean activity {:.4} (balance {}, mean field {})",
                population.name,
                population.mean_activity,
                balance.map_or("–".into(), |m| format!("{m:.4}")),
                mean_field.map_or("–".into(), |m| format!("{m:.4}")),
            );
        }
        if let Err(failure) = &predictions.balance {
            println!("balance: {failure}");
        }
        println!("outputs in {}", directory.display());
    }
    let mut summary = summary(spec, &results, &predictions, &theory, wall_seconds);
    for (index, entry) in overlap_entries {
        summary["populations"][&spec.populations[index].name]["overlaps"] = entry;
    }
    write_json(&summary_path, &summary)
}

fn theory_rows(
    names: &[String],
    results: &BinaryResults,
    predictions: &Predictions,
) -> Vec<TheoryRow> {
    let mut rows = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let simulated = Some(results.populations[k].mean_activity);
        if let Ok(rates) = &predictions.balance {
            rows.push(TheoryRow {
                key: "mean_activity_balance",
                quantity: "mean activity, balance (K → ∞)".into(),
                population: name.clone(),
                theory: rates[k],
                simulation: simulated,
                basis: "the linear balance equations Σ_l K_kl J_kl m_l + I_k = 0".into(),
            });
        }
        if let Some(rates) = &predictions.mean_field {
            rows.push(TheoryRow {
                key: "mean_activity_mean_field",
                quantity: "mean activity, finite-K mean field".into(),
                population: name.clone(),
                theory: rates[k],
                simulation: simulated,
                basis: "m = ⟨H((T − μ)/σ)⟩ with the Gaussian field of the K inputs".into(),
            });
        }
    }
    rows
}

fn summary(
    spec: &ModelSpec,
    results: &BinaryResults,
    predictions: &Predictions,
    theory: &[TheoryRow],
    seconds: f64,
) -> Value {
    let relative = |simulated: f64, predicted: f64| {
        (predicted != 0.0).then(|| (simulated - predicted) / predicted.abs())
    };
    let mut populations = serde_json::Map::new();
    for (k, population) in results.populations.iter().enumerate() {
        let balance = predictions.balance.as_ref().ok().map(|r| r[k]);
        let mean_field = predictions.mean_field.as_ref().map(|r| r[k]);
        populations.insert(
            population.name.clone(),
            json!({
                "size": population.size,
                "mean_activity": population.mean_activity,
                "up_transitions": population.up_transitions,
                "balance_prediction": balance,
                "mean_field_prediction": mean_field,
                "relative_difference_balance": balance.and_then(|b| relative(population.mean_activity, b)),
                "relative_difference_mean_field": mean_field.and_then(|m| relative(population.mean_activity, m)),
            }),
        );
    }
    json!({
        "model": spec.source.name,
        "kind": "binary",
        "complete": results.completed,
        "update": match spec.update {
            Some(cajal::spec::model::UpdateOrder::Synchronous) => "synchronous",
            _ => "asynchronous",
        },
        "duration_ms": spec.simulation.duration_ms,
        "biological_seconds": results.duration_ms / 1000.0,
        "transient_ms": results.transient_ms,
        "dt_ms": spec.simulation.dt_ms,
        "seed": spec.simulation.seed,
        "updates": results.updates,
        "wall_seconds": seconds,
        "populations": populations,
        "balance": match &predictions.balance {
            Ok(rates) => json!({ "rates": rates }),
            Err(failure) => json!({ "failure": failure.to_string() }),
        },
        "theory_beside_simulation": theory.iter().map(|row| json!({
            "quantity": row.key,
            "population": row.population,
            "theory": row.theory,
            "simulation": row.simulation,
            "relative_difference": row.relative_difference(),
            "basis": row.basis,
        })).collect::<Vec<_>>(),
    })
}

//! `cajal run` on a rate model: integrate it ([`cajal::rate`]), stream the recorded rates to
//! disk, draw them, and put the analysis beside the simulation.
//!
//! Outputs in the run directory:
//! ```text
//! model.toml                  the model file as run
//! rates/NAME.npy              samples × points (1 for a single rate), one row per sample
//! rates/NAME_times_ms.npy     the sample times
//! rates/NAME.csv              single rates: time_ms, rate
//! rates/NAME_profile.csv      rings: position, rate at the end of the run
//! plots/rates.svg, .png       the single rates against time, with the fixed points
//! plots/NAME_field.svg, .png  a field: rate against position and time, and its last profile
//! summary.json                written last: the final rates, oscillations, the fixed points
//! ```

use std::path::Path;
use std::time::Instant;

use cajal::dynamics::{FixedPoint, Oscillation, measure_oscillation};
use cajal::input::{Input, InputKind};
use cajal::rate::{Geometry, RateModel, RateSimulation, RateSimulator};
use cajal::spec::rate_model::{RateInputKind, RateModelSpec};
use miette::{Result, WrapErr, miette};
use serde_json::{Value, json};

use crate::analysis::{Analysis, analyze, stability_name};
use crate::output::{
    create_directory, population_stems, prepare_run_directory, write_csv, write_json,
};
use crate::plot::{Color, Figure, Heatmap, Panel, Series, render};
use crate::report::{PopulationRow, Report, ReportFigure, RunFacts, TheoryRow, write_report};
use crate::stream::{CsvStream, NpyStream};

/// Samples of a field kept for its figure (time × space), at most.
const FIGURE_TIMES: usize = 600;
const FIGURE_POINTS: usize = 512;
/// The most values one record may write (8 bytes each), as the model file allows.
const MAX_RECORD_VALUES: f64 = 1e8;

/// One recorder's files and what the figures keep of it.
struct Recorder {
    population: usize,
    steps_per_sample: u64,
    stem: String,
    rates: NpyStream,
    times: NpyStream,
    csv: Option<CsvStream>,
    /// Every sample of a single rate; every k-th sample (subsampled in space) of a field.
    kept_times: Vec<f64>,
    kept: Vec<f64>,
    keep_every: u64,
    samples: u64,
}

/// Runs the rate model and writes its outputs to `directory`.
pub fn run_rate_model(spec: &RateModelSpec, directory: &Path, quiet: bool) -> Result<()> {
    let wall = Instant::now();
    let model = &spec.model;
    let dt_ms = spec.simulation.dt_ms;
    let mut simulator = RateSimulator::new(
        model,
        spec.rate_inputs(),
        spec.rate_history(),
        RateSimulation {
            dt_ms,
            seed: spec.simulation.seed,
        },
    )
    .map_err(|e| miette!("{}: {e}", spec.source.name))?;

    let summary_path = prepare_run_directory(directory, &spec.source.text)?;
    let rates_directory = directory.join("rates");
    create_directory(&rates_directory)?;

    let names: Vec<&str> = model
        .populations()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let stems = population_stems(&names);
    let steps = spec.simulation.steps;
    let mut recorders = Vec::new();
    for (k, record) in spec.records.iter().enumerate() {
        let population = &model.populations()[record.population];
        let size = population.geometry.size();
        let steps_per_sample = ((record.interval_ms / dt_ms).round() as u64).max(1);
        // The model file's checks bound a record by its own duration; `--duration` may ask
        // for more.
        let values = (steps / steps_per_sample + 1) as f64 * size as f64;
        if values > MAX_RECORD_VALUES {
            return Err(miette!(
                "{}: recording `{}` every {} ms for {} ms would write {values:.3e} values (at \
                 most {MAX_RECORD_VALUES:e}); record less often or run shorter",
                spec.source.name,
                population.name,
                record.interval_ms,
                spec.simulation.duration_ms
            ));
        }
        let stem = if spec.records[..k]
            .iter()
            .any(|r| r.population == record.population)
        {
            format!("{}.{}", stems[record.population], k + 1)
        } else {
            stems[record.population].clone()
        };
        let samples = steps / steps_per_sample + 1;
        let keep_every = if size == 1 {
            1
        } else {
            samples.div_ceil(FIGURE_TIMES as u64).max(1)
        };
        let csv = if size == 1 {
            Some(CsvStream::create(
                &rates_directory.join(format!("{stem}.csv")),
                &["time_ms".to_string(), "rate".to_string()],
            )?)
        } else {
            None
        };
        recorders.push(Recorder {
            population: record.population,
            steps_per_sample,
            rates: NpyStream::create(
                &rates_directory.join(format!("{stem}.npy")),
                Some(size as u64),
            )?,
            times: NpyStream::create(&rates_directory.join(format!("{stem}_times_ms.npy")), None)?,
            stem,
            csv,
            kept_times: Vec::new(),
            kept: Vec::new(),
            keep_every,
            samples: 0,
        });
    }

    let outcome = record_run(&mut simulator, &mut recorders, steps);
    // Whatever happened, the files hold every sample taken, with headers that say so.
    for recorder in &mut recorders {
        recorder.rates.commit()?;
        recorder.times.commit()?;
        if let Some(csv) = recorder.csv.as_mut() {
            csv.commit()?;
        }
    }
    outcome.wrap_err_with(|| {
        format!(
            "{}: the run stopped at t = {} ms; the rates up to then are in {} (no \
             summary.json: the run is incomplete)",
            spec.source.name,
            simulator.time_ms(),
            rates_directory.display()
        )
    })?;
    // Final profiles of fields.
    for (index, population) in model.populations().iter().enumerate() {
        if let Geometry::Ring { points, length } = population.geometry {
            let rates = simulator.rates(index).to_vec();
            write_csv(
                &rates_directory.join(format!("{}_profile.csv", stems[index])),
                &["position".to_string(), "rate".to_string()],
                rates
                    .iter()
                    .enumerate()
                    .map(|(k, r)| vec![k as f64 * length / points as f64, *r]),
            )?;
        }
    }
    let simulate_seconds = wall.elapsed().as_secs_f64();

    let analysis = analyze(&model_at_end(spec)?).map_err(|message| miette!("{message}"))?;
    let oscillations = oscillations_of(&recorders, spec.simulation.duration_ms)?;
    let plots = directory.join("plots");
    let mut figures = Vec::new();
    if let Some(figure) = singles_figure(model, &recorders, &analysis) {
        let [svg, _] = render(&figure, &plots.join("rates")).map_err(|e| miette!("{e}"))?;
        figures.push(ReportFigure {
            caption: "The rates of the populations, with the fixed points at the final input"
                .into(),
            svg,
        });
    }
    for recorder in recorders
        .iter()
        .filter(|r| model.populations()[r.population].geometry.size() > 1)
    {
        let figure = field_figure(
            model,
            recorder,
            simulator.rates(recorder.population),
            simulator.time_ms(),
        );
        let [svg, _] = render(&figure, &plots.join(format!("{}_field", recorder.stem)))
            .map_err(|e| miette!("{e}"))?;
        figures.push(ReportFigure {
            caption: format!(
                "The field {} against position and time, and its profile at the end",
                model.populations()[recorder.population].name
            ),
            svg,
        });
    }
    let theory = theory_rows(model, &simulator, &analysis, &oscillations);
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
            simulated_ms: simulator.time_ms(),
            dt_ms,
            seed: spec.simulation.seed,
            threads: 1,
            wall_seconds,
            simulate_seconds,
            complete: true,
        },
        populations: population_rows(model, &simulator, &oscillations),
        theory: theory.clone(),
        theory_notes: Vec::new(),
        figures,
        model_text: spec.source.text.to_string(),
    };
    write_report(&report, &directory.join("report.html"))?;
    let summary = summary(
        spec,
        &simulator,
        &analysis,
        &oscillations,
        &theory,
        wall_seconds,
    );
    if !quiet {
        print!("{}", describe(model, &simulator, &analysis, &oscillations));
        println!("outputs in {}", directory.display());
    }
    write_json(&summary_path, &summary)
}

/// Steps the simulator to `steps`, sampling every recorder at its interval. A diverging rate
/// or a write error stops it.
fn record_run(simulator: &mut RateSimulator, recorders: &mut [Recorder], steps: u64) -> Result<()> {
    let mut step = 0u64;
    loop {
        for recorder in recorders
            .iter_mut()
            .filter(|r| step.is_multiple_of(r.steps_per_sample))
        {
            let time = simulator.time_ms();
            let rates = simulator.rates(recorder.population);
            recorder.rates.append(rates)?;
            recorder.times.append(&[time])?;
            if let Some(csv) = recorder.csv.as_mut() {
                csv.append(&[time, rates[0]])?;
            }
            if recorder.samples.is_multiple_of(recorder.keep_every) {
                recorder.kept_times.push(time);
                let stride = rates.len().div_ceil(FIGURE_POINTS).max(1);
                recorder.kept.extend(rates.iter().step_by(stride));
            }
            recorder.samples += 1;
        }
        if step == steps {
            return Ok(());
        }
        // Advance to the next sample of any recorder (or the end).
        let next = recorders
            .iter()
            .map(|r| (step / r.steps_per_sample + 1) * r.steps_per_sample)
            .min()
            .unwrap_or(steps)
            .min(steps);
        simulator.advance(next - step).map_err(|e| miette!("{e}"))?;
        step = next;
    }
}

/// The model with each single population's constant input raised by what its `[[input]]`s
/// deliver at the end of the run (noise: its mean), so that the fixed points compared with
/// the final rates are those of the input the run ends with.
fn model_at_end(spec: &RateModelSpec) -> Result<RateModel> {
    // The last step's midpoint: an input whose window closes at the end of the run was on
    // during the whole last step.
    let end_ms = spec.simulation.duration_ms - spec.simulation.dt_ms / 2.0;
    let mut populations = spec.model.populations().to_vec();
    for (index, input) in spec.inputs.iter().enumerate() {
        let RateInputKind::Waveform(kind) = &input.kind else {
            continue;
        };
        let population = &mut populations[input.target];
        if population.geometry.size() != 1 {
            continue;
        }
        let inside = end_ms >= input.start_ms && end_ms < input.stop_ms;
        let value = match kind {
            InputKind::WhiteNoise { mean, .. } | InputKind::OrnsteinUhlenbeck { mean, .. } => {
                if inside {
                    *mean
                } else {
                    0.0
                }
            }
            _ => Input::new(
                kind.clone(),
                vec![0],
                input.start_ms,
                input.stop_ms,
                spec.simulation.seed,
                index as u64,
                spec.simulation.dt_ms,
            )
            .ok()
            .and_then(|input| input.waveform_at(end_ms))
            .unwrap_or(0.0),
        };
        population.input += value;
    }
    RateModel::new(populations, spec.model.couplings().to_vec())
        .map_err(|e| miette!("{}: {e}", spec.source.name))
}

/// The oscillation of each single-rate recorder over the second half of the run.
fn oscillations_of(
    recorders: &[Recorder],
    duration_ms: f64,
) -> Result<Vec<Option<(usize, Oscillation)>>> {
    recorders
        .iter()
        .map(|recorder| {
            if recorder.kept.len() != recorder.kept_times.len() || recorder.kept.len() < 4 {
                return Ok(None);
            }
            let found =
                measure_oscillation(&recorder.kept_times, &recorder.kept, duration_ms / 2.0)
                    .map_err(|e| miette!("{e}"))?;
            Ok(found.map(|o| (recorder.population, o)))
        })
        .collect()
}

/// The stable fixed point nearest to the final state, if the model has single rates only.
fn nearest_stable<'a>(analysis: &'a Analysis, rates: &[f64]) -> Option<&'a FixedPoint> {
    analysis
        .fixed_points
        .iter()
        .filter(|p| p.is_stable())
        .min_by(|a, b| {
            let distance = |p: &FixedPoint| {
                p.rates
                    .iter()
                    .zip(rates)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f64>()
            };
            distance(a).total_cmp(&distance(b))
        })
}

fn final_singles(model: &RateModel, simulator: &RateSimulator) -> Vec<f64> {
    (0..model.populations().len())
        .map(|i| simulator.rates(i)[0])
        .collect()
}

/// The report's table of populations: final rate (a field: its mean and maximum) and the
/// oscillation frequency where the rate oscillates.
fn population_rows(
    model: &RateModel,
    simulator: &RateSimulator,
    oscillations: &[Option<(usize, Oscillation)>],
) -> Vec<PopulationRow> {
    model
        .populations()
        .iter()
        .enumerate()
        .map(|(index, population)| {
            let rates = simulator.rates(index);
            let oscillation = oscillations.iter().flatten().find(|(p, _)| *p == index);
            PopulationRow::new(population.name.clone(), "rate", rates.len())
                .with_column(
                    "final rate (mean over points)",
                    Some(rates.iter().sum::<f64>() / rates.len() as f64),
                )
                .with_column(
                    "final rate (maximum)",
                    Some(rates.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                )
                .with_column("oscillation (Hz)", oscillation.map(|(_, o)| o.frequency_hz))
                .with_column(
                    "oscillation amplitude",
                    oscillation.map(|(_, o)| o.amplitude),
                )
        })
        .collect()
}

/// Theory beside simulation: each single rate against the stable fixed point nearest to the
/// final state (at the final input), and a delayed self-inhibition's frequency at onset
/// against the simulated one.
fn theory_rows(
    model: &RateModel,
    simulator: &RateSimulator,
    analysis: &Analysis,
    oscillations: &[Option<(usize, Oscillation)>],
) -> Vec<TheoryRow> {
    let mut rows = Vec::new();
    if model.has_fields() {
        return rows;
    }
    let rates = final_singles(model, simulator);
    if let Some(point) = nearest_stable(analysis, &rates) {
        for (index, population) in model.populations().iter().enumerate() {
            rows.push(TheoryRow {
                key: "rate",
                quantity: "final rate".into(),
                population: population.name.clone(),
                theory: point.rates[index],
                simulation: Some(rates[index]),
                basis: "the stable fixed point r = Φ(I + J r) nearest to the final state, at \
                        the final input"
                    .into(),
            });
        }
    }
    if let Some(delayed) = &analysis.delayed_hopf {
        let simulated = oscillations.iter().flatten().find(|(p, _)| *p == 0);
        rows.push(TheoryRow {
            key: "frequency_hz",
            quantity: "oscillation frequency at onset (Hz)".into(),
            population: model.populations()[0].name.clone(),
            theory: delayed.hopf.frequency_hz,
            simulation: simulated.map(|(_, o)| o.frequency_hz),
            basis: format!(
                "the root iω of the characteristic equation iωτ + 1 = Φ'J e^(−iωD) at J_c = {:.4}",
                delayed.critical_coupling
            ),
        });
    }
    rows
}

fn singles_figure(
    model: &RateModel,
    recorders: &[Recorder],
    analysis: &Analysis,
) -> Option<Figure> {
    let singles: Vec<&Recorder> = recorders
        .iter()
        .filter(|r| model.populations()[r.population].geometry.size() == 1)
        .collect();
    if singles.is_empty() {
        return None;
    }
    let mut panel = Panel::new("time (ms)", "rate");
    for (k, recorder) in singles.iter().enumerate() {
        let name = &model.populations()[recorder.population].name;
        panel = panel.with_series(
            Series::line(recorder.kept_times.clone(), recorder.kept.clone())
                .with_color(Color::Palette(k))
                .with_label(name.clone()),
        );
    }
    let end = singles[0].kept_times.last().copied().unwrap_or(0.0);
    for (k, point) in analysis.fixed_points.iter().enumerate() {
        for recorder in &singles {
            let rate = point.rates[recorder.population];
            let mut series =
                Series::dashed(vec![0.0, end], vec![rate, rate]).with_color(if point.is_stable() {
                    Color::Rgb(90, 90, 90)
                } else {
                    Color::Rgb(200, 120, 120)
                });
            if k == 0 && recorder.population == singles[0].population {
                series = series.with_label("fixed points (grey: stable, red: unstable)");
            }
            panel = panel.with_series(series);
        }
    }
    Some(Figure::new("rates").with_panel(panel))
}

fn field_figure(model: &RateModel, recorder: &Recorder, last: &[f64], end_ms: f64) -> Figure {
    let population = &model.populations()[recorder.population];
    let (length, label) = match population.geometry {
        Geometry::Ring { length, .. } => (length, "position on the ring"),
        Geometry::Torus { lengths, .. } => {
            (lengths.0 * lengths.1, "point of the torus (row by row)")
        }
        Geometry::Single => (1.0, "position"),
    };
    let rows = recorder.kept_times.len();
    let columns = recorder.kept.len().checked_div(rows).unwrap_or(0);
    let end = recorder.kept_times.last().copied().unwrap_or(0.0);
    let step = if rows > 1 {
        end / (rows - 1) as f64
    } else {
        1.0
    };
    let (x_range, x_label) = match population.geometry {
        Geometry::Ring { .. } => ((0.0, length), label.to_string()),
        _ => ((0.0, population.geometry.size() as f64), label.to_string()),
    };
    // Time runs along x, space along y: rows of the map are positions.
    let mut values = vec![0.0; rows * columns];
    for t in 0..rows {
        for x in 0..columns {
            values[x * rows + t] = recorder.kept[t * columns + x];
        }
    }
    let map = Panel::new("time (ms)", x_label.clone())
        .with_title(format!("{} over time", population.name))
        .with_heatmap(Heatmap {
            x_range: (-step / 2.0, end + step / 2.0),
            y_range: x_range,
            columns: rows,
            rows: columns,
            values,
            value_label: "rate".into(),
            value_range: None,
        });
    let positions: Vec<f64> = (0..last.len())
        .map(|k| x_range.0 + (x_range.1 - x_range.0) * k as f64 / last.len() as f64)
        .collect();
    let profile = Panel::new(x_label, "rate")
        .with_title(format!("{} at the end ({end_ms:.3} ms)", population.name))
        .with_series(Series::line(positions, last.to_vec()).with_label("simulated"));
    Figure::new(format!("field {}", population.name))
        .with_panel(map)
        .with_panel(profile)
}

fn summary(
    spec: &RateModelSpec,
    simulator: &RateSimulator,
    analysis: &Analysis,
    oscillations: &[Option<(usize, Oscillation)>],
    theory_rows: &[TheoryRow],
    seconds: f64,
) -> Value {
    let model = &spec.model;
    let mut populations = serde_json::Map::new();
    for (index, population) in model.populations().iter().enumerate() {
        let rates = simulator.rates(index);
        let mut entry = json!({
            "points": rates.len(),
            "final_mean_rate": rates.iter().sum::<f64>() / rates.len() as f64,
            "final_max_rate": rates.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        });
        if let Some((_, o)) = oscillations.iter().flatten().find(|(p, _)| *p == index) {
            entry["oscillation"] = json!({
                "amplitude": o.amplitude, "minimum": o.minimum, "maximum": o.maximum,
                "mean": o.mean, "frequency_hz": o.frequency_hz,
            });
        }
        populations.insert(population.name.clone(), entry);
    }
    let mut theory = json!({
        "fixed_points": analysis.fixed_points.iter().map(|p| json!({
            "rates": p.rates,
            "stability": stability_name(p.classification),
        })).collect::<Vec<_>>(),
    });
    if !model.has_fields() {
        let rates = final_singles(model, simulator);
        if let Some(point) = nearest_stable(analysis, &rates) {
            theory["nearest_stable_fixed_point"] = json!({
                "rates": point.rates,
                "simulated": rates,
                "relative_difference": point.rates.iter().zip(&rates)
                    .map(|(t, s)| (*t != 0.0).then(|| (s - t) / t.abs())).collect::<Vec<_>>(),
            });
        }
    }
    if let Some(delayed) = &analysis.delayed_hopf {
        theory["delayed_hopf"] = json!({
            "critical_coupling": delayed.critical_coupling,
            "frequency_hz": delayed.hopf.frequency_hz,
        });
    }
    json!({
        "model": spec.source.name,
        "kind": "rate",
        "complete": true,
        "duration_ms": spec.simulation.duration_ms,
        "biological_seconds": simulator.time_ms() / 1000.0,
        "dt_ms": spec.simulation.dt_ms,
        "seed": spec.simulation.seed,
        "wall_seconds": seconds,
        "populations": populations,
        "theory": theory,
        "theory_beside_simulation": theory_rows.iter().map(|row| json!({
            "quantity": row.key,
            "population": row.population,
            "theory": row.theory,
            "simulation": row.simulation,
            "relative_difference": row.relative_difference(),
            "basis": row.basis,
        })).collect::<Vec<_>>(),
    })
}

fn describe(
    model: &RateModel,
    simulator: &RateSimulator,
    analysis: &Analysis,
    oscillations: &[Option<(usize, Oscillation)>],
) -> String {
    let mut out = String::new();
    let nearest = if model.has_fields() {
        None
    } else {
        nearest_stable(analysis, &final_singles(model, simulator))
    };
    out += &format!(
        "{:<12} {:>14} {:>18} {:>22}\n",
        "population", "final rate", "fixed point at end", "oscillation"
    );
    for (index, population) in model.populations().iter().enumerate() {
        let rates = simulator.rates(index);
        let shown = if rates.len() == 1 {
            format!("{:.6}", rates[0])
        } else {
            format!(
                "max {:.4}",
                rates.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            )
        };
        let theory = nearest.map_or("-".to_string(), |p| format!("{:.6}", p.rates[index]));
        let oscillation = oscillations
            .iter()
            .flatten()
            .find(|(p, _)| *p == index)
            .map_or("-".to_string(), |(_, o)| {
                format!("{:.3} Hz, ±{:.4}", o.frequency_hz, o.amplitude)
            });
        out += &format!(
            "{:<12} {:>14} {:>18} {:>22}\n",
            population.name, shown, theory, oscillation
        );
    }
    if let Some(delayed) = &analysis.delayed_hopf {
        out += &format!(
            "theory: critical coupling J_c = {:.6}, onset frequency f_c = {:.4} Hz (J = {})\n",
            delayed.critical_coupling, delayed.hopf.frequency_hz, delayed.coupling
        );
    }
    out
}

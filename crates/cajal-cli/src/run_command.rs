//! `cajal run` and `cajal demo`: read a model, run it, write data, plots and summary.json.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cajal::engine::{RunResult, Simulation};
use cajal::input::Input;
use cajal::spec::model::ModelSpec;
use cajal::spec::{Source, read_model, read_model_file};
use cajal::stats;
use miette::{IntoDiagnostic, Result};
use serde_json::{Value, json};

use crate::diagnostics::SpecDiagnostic;
use crate::figures::{self, Stimulus};
use crate::output::{self, create_directory};
use crate::plot;
use crate::progress::ProgressReporter;

/// Bin of the population-rate plots (ms).
const ACTIVITY_BIN_MS: f64 = 1.0;

/// The example the demo runs.
const DEMO: &str = "brunel_demo";

/// `cajal demo`.
pub fn demo(directory: &Path, quiet: bool, threads: Option<usize>) -> Result<()> {
    let text = crate::examples::text(DEMO).expect("the demo example is shipped");
    let spec = read_model(Source::new(format!("{DEMO}.toml"), text), Path::new("."))
        .map_err(SpecDiagnostic::from)?;
    if !quiet {
        eprintln!(
            "cajal demo: the shipped example `{DEMO}` (print it with `cajal examples {DEMO}`)"
        );
    }
    simulate_and_write(&spec, directory, quiet, threads)
}

/// `cajal run MODEL [-o DIR]`.
pub fn run(
    model: &Path,
    directory: Option<&Path>,
    quiet: bool,
    threads: Option<usize>,
    duration: Option<&str>,
) -> Result<()> {
    let mut spec = read_model_file(model).map_err(SpecDiagnostic::from)?;
    if let Some(text) = duration {
        let quantity = cajal::units::parse_quantity(text)
            .map_err(|e| miette::miette!("--duration {text}: {}", e.message))?;
        if quantity.dimension != cajal::units::Dimension::TIME {
            return Err(miette::miette!(
                "--duration {text}: not a time (e.g. 100ms)"
            ));
        }
        spec.simulation
            .set_duration(quantity.si_value * 1e3)
            .map_err(|message| miette::miette!("--duration {text}: {message}"))?;
    }
    let directory = directory
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_directory(model));
    simulate_and_write(&spec, &directory, quiet, threads)
}

fn default_directory(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map_or("cajal-output".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}_output"))
}

/// The number of threads to use: as asked, or one per core. A thread per neuron at most.
fn thread_count(spec: &ModelSpec, asked: Option<usize>) -> Result<usize> {
    if asked == Some(0) {
        return Err(miette::miette!("--threads must be at least 1"));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let largest = spec.populations.iter().map(|p| p.size).max().unwrap_or(1);
    // More threads than cores only make them wait for each other at every step.
    Ok(asked.unwrap_or(cores).min(cores).min(largest).max(1))
}

fn simulate_and_write(
    spec: &ModelSpec,
    directory: &Path,
    quiet: bool,
    threads: Option<usize>,
) -> Result<()> {
    let wall = Instant::now();
    let threads = thread_count(spec, threads)?;
    let simulation = Simulation::build(spec, threads).into_diagnostic()?;
    let build_seconds = wall.elapsed().as_secs_f64();
    let connectivity = Connectivity {
        synapses: simulation.synapse_count(),
        bytes: simulation.connectivity_bytes(),
    };
    let interrupted = crate::progress::interrupt_flag();
    let mut progress = ProgressReporter::new(spec.simulation.duration_ms, quiet, interrupted);
    let simulate_start = Instant::now();
    // Report every 100 steps: frequent enough for a smooth bar and a prompt stop on
    // Ctrl-C, rare enough that the threads' meeting for it costs nothing.
    let report_every = 100;
    let result = simulation.run(report_every, |p| progress.observe(p));
    progress.finish();
    let simulate_seconds = simulate_start.elapsed().as_secs_f64();

    create_directory(directory)?;
    // An earlier summary would claim completeness for outputs about to be replaced.
    let summary_path = directory.join("summary.json");
    if summary_path.exists() {
        std::fs::remove_file(&summary_path).into_diagnostic()?;
    }
    std::fs::write(directory.join("model.toml"), spec.source.text.as_bytes()).into_diagnostic()?;
    let trace_stems = output::write_data(directory, &result)?;
    let plots = write_plots(spec, &result, directory, &trace_stems)?;
    let summary = summary(
        spec,
        &result,
        wall.elapsed().as_secs_f64(),
        build_seconds,
        simulate_seconds,
        threads,
        connectivity,
    );
    output::write_json(&summary_path, &summary)?;
    if !quiet {
        print_summary(spec, &result, directory, &plots, simulate_seconds);
    }
    if !result.is_complete() {
        return Err(miette::miette!(
            "interrupted at t = {} ms of {} ms: what was simulated so far is written to {} \
             (summary.json says \"complete\": false)",
            result.biological_ms,
            spec.simulation.duration_ms,
            directory.display()
        ));
    }
    Ok(())
}

/// The size of a run's connectivity.
#[derive(Clone, Copy, Debug)]
pub struct Connectivity {
    /// Synapses of all projections.
    pub synapses: usize,
    /// Bytes they take.
    pub bytes: usize,
}

/// The summary of a run (the schema is documented in the README).
pub fn summary(
    spec: &ModelSpec,
    result: &RunResult,
    wall_seconds: f64,
    build_seconds: f64,
    simulate_seconds: f64,
    threads: usize,
    connectivity: Connectivity,
) -> Value {
    let seconds = result.biological_ms / 1000.0;
    let mut populations = serde_json::Map::new();
    for (index, population) in result.populations.iter().enumerate() {
        let model = spec.populations[index].neuron.name();
        let entry = if population.is_spiking {
            let rate = if seconds > 0.0 {
                population.spike_count as f64 / (population.size as f64 * seconds)
            } else {
                0.0
            };
            // The CV needs every neuron's spikes: use a recorder of the whole population.
            let cv = result
                .spikes
                .iter()
                .find(|r| r.population == index && r.neurons.is_none())
                .and_then(|r| stats::mean_cv_isi(&r.spikes, population.size));
            json!({
                "model": model,
                "size": population.size,
                "spike_count": population.spike_count,
                "rate_hz": rate,
                "cv_isi": cv,
            })
        } else {
            json!({
                "model": model,
                "size": population.size,
                "spike_count": null,
                "rate_hz": null,
                "cv_isi": null,
            })
        };
        populations.insert(population.name.clone(), entry);
    }
    json!({
        "model_file": spec.source.name,
        "complete": result.is_complete(),
        "biological_seconds": seconds,
        "wall_seconds": wall_seconds,
        "build_seconds": build_seconds,
        "simulate_seconds": simulate_seconds,
        "threads": threads,
        "synapses": connectivity.synapses,
        "connectivity_bytes": connectivity.bytes,
        "bytes_per_synapse": (connectivity.synapses > 0)
            .then(|| connectivity.bytes as f64 / connectivity.synapses as f64),
        "dt_ms": spec.simulation.dt_ms,
        "steps": result.steps_done,
        "seed": spec.simulation.seed,
        "populations": populations,
    })
}

/// The deterministic input to `neuron` of `population` over the trace's times.
fn stimulus(
    spec: &ModelSpec,
    population: usize,
    neuron: u32,
    times_ms: &[f64],
) -> Option<Stimulus> {
    let inputs: Vec<Input> = spec
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.population == population && i.neurons.binary_search(&neuron).is_ok())
        .filter_map(|(index, i)| {
            Input::new(
                i.kind.clone(),
                vec![neuron],
                i.start_ms,
                i.stop_ms,
                spec.simulation.seed,
                index as u64,
                spec.simulation.dt_ms,
            )
            .ok()
        })
        .collect();
    let deterministic: Vec<&Input> = inputs
        .iter()
        .filter(|i| i.waveform_at(0.0).is_some())
        .collect();
    if deterministic.is_empty() {
        return None;
    }
    let values = times_ms
        .iter()
        .map(|&t| deterministic.iter().filter_map(|i| i.waveform_at(t)).sum())
        .collect();
    Some(Stimulus {
        times_ms: times_ms.to_vec(),
        values,
        dimension: spec.populations[population].neuron.input_dimension(),
    })
}

fn write_plots(
    spec: &ModelSpec,
    result: &RunResult,
    directory: &Path,
    trace_stems: &[String],
) -> Result<Vec<PathBuf>> {
    let plots_directory = directory.join("plots");
    create_directory(&plots_directory)?;
    let mut written = Vec::new();
    for (trace, stem) in result.traces.iter().zip(trace_stems) {
        let population = &spec.populations[trace.population];
        let spikes = result
            .spikes
            .iter()
            .find(|r| r.population == trace.population)
            .map(|r| &r.spikes[..]);
        let stimulus = trace
            .neurons
            .first()
            .and_then(|&n| stimulus(spec, trace.population, n, &trace.times_ms));
        let title = format!("{} ({})", population.name, population.neuron.name());
        let figure = figures::trace_figure(&title, trace, spikes, stimulus.as_ref());
        let paths = plot::render(&figure, &plots_directory.join(stem)).into_diagnostic()?;
        written.extend(paths);
    }
    let names: Vec<&str> = result.populations.iter().map(|p| p.name.as_str()).collect();
    let population_stems = output::population_stems(&names);
    for (index, recorder) in result.spikes.iter().enumerate() {
        if !figures::wants_raster(result, index) {
            continue;
        }
        let name = &result.populations[recorder.population].name;
        // Statistics are over the recorded neurons, numbered 0.. in the order recorded.
        let (size, spikes) = match &recorder.neurons {
            None => (
                result.populations[recorder.population].size,
                recorder.spikes.clone(),
            ),
            Some(neurons) => (
                neurons.len(),
                recorder
                    .spikes
                    .iter()
                    .filter_map(|s| {
                        neurons
                            .binary_search(&s.neuron)
                            .ok()
                            .map(|k| cajal::neuron::Spike {
                                neuron: k as u32,
                                time_ms: s.time_ms,
                            })
                    })
                    .collect(),
            ),
        };
        let figure = figures::activity_figure(
            &format!("{name}: spikes"),
            &spikes,
            size,
            result.biological_ms,
            ACTIVITY_BIN_MS.min(result.biological_ms),
        );
        let stem = plots_directory.join(format!(
            "{}_activity",
            population_stems[recorder.population]
        ));
        written.extend(plot::render(&figure, &stem).into_diagnostic()?);
    }
    Ok(written)
}

fn print_summary(
    spec: &ModelSpec,
    result: &RunResult,
    directory: &Path,
    plots: &[PathBuf],
    simulate_seconds: f64,
) {
    let seconds = result.biological_ms / 1000.0;
    println!(
        "simulated {} ms in {:.3} s of wall-clock time ({:.1}× real time)",
        result.biological_ms,
        simulate_seconds,
        seconds / simulate_seconds.max(1e-9)
    );
    for (index, population) in result.populations.iter().enumerate() {
        if population.is_spiking {
            println!(
                "  {:<12} {:>8} {} neuron(s), {} spikes, {:.2} Hz per neuron",
                population.name,
                population.size,
                spec.populations[index].neuron.name(),
                population.spike_count,
                population.spike_count as f64 / (population.size as f64 * seconds.max(1e-12)),
            );
        } else {
            println!(
                "  {:<12} {:>8} rate unit(s)",
                population.name, population.size
            );
        }
    }
    println!(
        "outputs written to {}/ (summary.json, spikes/, traces/, plots/)",
        directory.display()
    );
    if let Some(first) = plots
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"))
    {
        println!("  e.g. {}", first.display());
    }
}

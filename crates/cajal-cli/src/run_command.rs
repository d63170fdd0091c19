//! `cajal run` and `cajal demo`: read a model, run it, write data, plots and summary.json.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cajal::engine::{RunTotals, Simulation};
use cajal::input::Input;
use cajal::spec::model::ModelSpec;
use cajal::spec::{Source, read_model, read_model_file};
use miette::{IntoDiagnostic, Result, WrapErr};
use serde_json::{Value, json};

use crate::diagnostics::SpecDiagnostic;
use crate::digest::Digests;
use crate::figures::{self, Stimulus};
use crate::output::{self, create_directory};
use crate::plot;
use crate::progress::ProgressReporter;
use crate::stream::RunWriter;

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
    // Recorded data goes to disk chunk by chunk: only the model itself must fit in memory.
    let simulation = Simulation::build_streaming(spec, threads).into_diagnostic()?;
    let build_seconds = wall.elapsed().as_secs_f64();
    let connectivity = Connectivity {
        synapses: simulation.synapse_count(),
        bytes: simulation.connectivity_bytes(),
    };

    create_directory(directory)?;
    // An earlier summary would claim completeness for outputs about to be replaced.
    let summary_path = directory.join("summary.json");
    if summary_path.exists() {
        std::fs::remove_file(&summary_path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot remove the old {}", summary_path.display()))?;
    }
    let model_path = directory.join("model.toml");
    std::fs::write(&model_path, spec.source.text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", model_path.display()))?;
    let mut writer = RunWriter::create(directory, spec, &simulation.recorders())?;

    let interrupted = crate::progress::interrupt_flag();
    let mut progress = ProgressReporter::new(spec.simulation.duration_ms, quiet, interrupted);
    let simulate_start = Instant::now();
    // Report every 100 steps: frequent enough for a smooth bar and a prompt stop on
    // Ctrl-C, rare enough that the threads' meeting for it costs nothing. Recorded data is
    // written to disk at the same pace.
    let report_every = 100;
    let run = simulation.run_streaming(report_every, |p| progress.observe(p), &mut writer);
    progress.finish();
    let totals = run.wrap_err_with(|| {
        format!(
            "the run was stopped: the outputs in {} are incomplete (no summary.json was \
             written)",
            directory.display()
        )
    })?;
    let simulate_seconds = simulate_start.elapsed().as_secs_f64();

    let digests = writer.digests();
    let plots = write_plots(spec, &totals, digests, directory, writer.trace_stems())?;
    let mut summary = summary(
        spec,
        &totals,
        digests,
        RunTimes {
            wall_seconds: wall.elapsed().as_secs_f64(),
            build_seconds,
            simulate_seconds,
        },
        threads,
        connectivity,
    );
    summary["recordings"] = writer.manifest().clone();
    output::write_json(&summary_path, &summary)?;
    if !quiet {
        print_summary(spec, &totals, directory, &plots, simulate_seconds);
    }
    if !totals.is_complete() {
        return Err(miette::miette!(
            "interrupted at t = {} ms of {} ms: what was simulated so far is written to {} \
             (summary.json says \"complete\": false)",
            totals.biological_ms,
            spec.simulation.duration_ms,
            directory.display()
        ));
    }
    Ok(())
}

/// Wall-clock times of a run (s).
#[derive(Clone, Copy, Debug)]
pub struct RunTimes {
    /// The whole command.
    pub wall_seconds: f64,
    /// Building the model.
    pub build_seconds: f64,
    /// The step loop.
    pub simulate_seconds: f64,
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
    totals: &RunTotals,
    digests: &Digests,
    times: RunTimes,
    threads: usize,
    connectivity: Connectivity,
) -> Value {
    let seconds = totals.biological_ms / 1000.0;
    let mut populations = serde_json::Map::new();
    for (index, population) in totals.populations.iter().enumerate() {
        let model = spec.populations[index].neuron.name();
        let entry = if population.is_spiking {
            let rate = if seconds > 0.0 {
                population.spike_count as f64 / (population.size as f64 * seconds)
            } else {
                0.0
            };
            // The CV needs every neuron's spikes: use a recorder of the whole population.
            let cv = digests
                .whole_population(index)
                .and_then(|d| d.statistics.mean_cv());
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
        "complete": totals.is_complete(),
        "biological_seconds": seconds,
        "wall_seconds": times.wall_seconds,
        "build_seconds": times.build_seconds,
        "simulate_seconds": times.simulate_seconds,
        "threads": threads,
        "synapses": connectivity.synapses,
        "connectivity_bytes": connectivity.bytes,
        "bytes_per_synapse": (connectivity.synapses > 0)
            .then(|| connectivity.bytes as f64 / connectivity.synapses as f64),
        "dt_ms": spec.simulation.dt_ms,
        "steps": totals.steps_done,
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
    totals: &RunTotals,
    digests: &Digests,
    directory: &Path,
    trace_stems: &[String],
) -> Result<Vec<PathBuf>> {
    let plots_directory = directory.join("plots");
    create_directory(&plots_directory)?;
    let mut written = Vec::new();
    for (digest, stem) in digests.traces.iter().zip(trace_stems) {
        let trace = &digest.trace;
        let population = &spec.populations[trace.population];
        let stimulus = trace
            .neurons
            .first()
            .and_then(|&n| stimulus(spec, trace.population, n, &trace.times_ms));
        let mut title = format!("{} ({})", population.name, population.neuron.name());
        if digest.is_cut() {
            let shown = trace.times_ms.last().copied().unwrap_or(0.0);
            title.push_str(&format!(
                ": the first {} ms of {} ms",
                output::format_number(shown),
                totals.biological_ms
            ));
        }
        let figure =
            figures::trace_figure(&title, trace, digest.spikes.as_deref(), stimulus.as_ref());
        let paths = plot::render(&figure, &plots_directory.join(stem)).into_diagnostic()?;
        written.extend(paths);
    }
    let names: Vec<&str> = totals.populations.iter().map(|p| p.name.as_str()).collect();
    let population_stems = output::population_stems(&names);
    for digest in &digests.spikes {
        if !figures::wants_raster(digest) || totals.biological_ms <= 0.0 {
            continue;
        }
        let name = &totals.populations[digest.population].name;
        // Statistics are over the recorded neurons, numbered 0.. in the order recorded.
        let figure =
            figures::activity_figure(&format!("{name}: spikes"), digest, totals.biological_ms);
        let stem =
            plots_directory.join(format!("{}_activity", population_stems[digest.population]));
        written.extend(plot::render(&figure, &stem).into_diagnostic()?);
    }
    Ok(written)
}

fn print_summary(
    spec: &ModelSpec,
    result: &RunTotals,
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

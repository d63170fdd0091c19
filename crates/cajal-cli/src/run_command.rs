//! `cajal run` and `cajal demo`: read a model, run it, write data, plots, report.html and
//! summary.json.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cajal::engine::{RunTotals, Simulation};
use cajal::input::Input;
use cajal::spec::model::ModelSpec;
use cajal::spec::rate_model::{ModelFile, read_any_model_file};
use cajal::spec::{Source, read_model};
use cajal::stats::PopulationStatistics;
use cajal::theory::prediction::predictions;
use miette::{IntoDiagnostic, Result, WrapErr};
use serde_json::{Value, json};

use crate::diagnostics::SpecDiagnostic;
use crate::digest::{Digests, SpikeDigest};
use crate::figures::{self, Stimulus};
use crate::output::{self, create_directory};
use crate::plot;
use crate::progress::ProgressReporter;
use crate::report::{PopulationRow, Report, ReportFigure, RunFacts, TheoryRow, write_report};
use crate::stats_command::{self, StatsResult};
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
    let duration_ms = match duration {
        None => None,
        Some(text) => {
            let quantity = cajal::units::parse_quantity(text)
                .map_err(|e| miette::miette!("--duration {text}: {}", e.message))?;
            if quantity.dimension != cajal::units::Dimension::TIME {
                return Err(miette::miette!(
                    "--duration {text}: not a time (e.g. 100ms)"
                ));
            }
            Some(quantity.si_value * 1e3)
        }
    };
    let set_duration = |simulation: &mut cajal::spec::model::SimulationSpec| match duration_ms {
        Some(value) => simulation
            .set_duration(value)
            .map_err(|message| miette::miette!("--duration {}: {message}", duration.unwrap_or(""))),
        None => Ok(()),
    };
    let directory = directory
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_directory(model));
    match read_any_model_file(model).map_err(SpecDiagnostic::from)? {
        ModelFile::Spiking(mut spec) => {
            set_duration(&mut spec.simulation)?;
            simulate_and_write(&spec, &directory, quiet, threads)
        }
        ModelFile::Rate(mut spec) => {
            set_duration(&mut spec.simulation)?;
            crate::rate_run::run_rate_model(&spec, &directory, quiet)
        }
        ModelFile::Binary(mut spec) => {
            set_duration(&mut spec.simulation)?;
            crate::binary_run::run_binary_model(&spec, &directory, quiet)
        }
        ModelFile::Cable(mut spec) => {
            if let Some(value) = duration_ms {
                spec.simulation.set_duration(value).map_err(|message| {
                    miette::miette!("--duration {}: {message}", duration.unwrap_or(""))
                })?;
            }
            crate::cable_run::run_cable_model(&spec, &directory, quiet)
        }
    }
}

fn default_directory(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map_or("cajal-output".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}_output"))
}

/// Below this many neurons a run uses one thread unless asked otherwise: the threads meet
/// at every step, and for a few neurons (one neuron and its 1000 inputs, say) the meeting
/// costs more than the work it shares — ten times the single-threaded time on 2 busy cores.
const NEURONS_FOR_THREADS: usize = 2000;

/// The number of threads to use: as asked, or one per core (one for small networks). A
/// thread per neuron at most.
fn thread_count(spec: &ModelSpec, asked: Option<usize>) -> Result<usize> {
    if asked == Some(0) {
        return Err(miette::miette!("--threads must be at least 1"));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let largest = spec.populations.iter().map(|p| p.size).max().unwrap_or(1);
    let neurons: usize = spec.populations.iter().map(|p| p.size).sum();
    let default = if neurons < NEURONS_FOR_THREADS {
        1
    } else {
        cores
    };
    // More threads than cores only make them wait for each other at every step.
    Ok(asked.unwrap_or(default).min(cores).min(largest).max(1))
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
    // An earlier summary or report would claim completeness for outputs about to be
    // replaced.
    let summary_path = directory.join("summary.json");
    let report_path = directory.join("report.html");
    for old in [&summary_path, &report_path] {
        if old.exists() {
            std::fs::remove_file(old)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot remove the old {}", old.display()))?;
        }
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
    let statistics = run_statistics(directory, writer.manifest(), &totals, quiet)?;
    let mut figures = write_plots(
        spec,
        &totals,
        digests,
        directory,
        writer.trace_stems(),
        statistics.as_ref(),
    )?;
    let overlaps = crate::overlaps::write_overlaps(
        spec,
        directory,
        writer.manifest(),
        totals.biological_ms,
        &mut figures,
    )?;
    let (plastic, weight_figures) = crate::weights_output::write_weights(
        spec,
        &totals.weights,
        directory,
        &directory.join("plots"),
    )?;
    figures.extend(weight_figures);
    let (weight_records, weight_trace_figures) = crate::weights_output::write_weight_traces(
        spec,
        &totals.weight_traces,
        directory,
        &directory.join("plots"),
    )?;
    figures.extend(weight_trace_figures);
    let mut theory = theory_rows(spec, digests);
    let stability = crate::stability_output::write_outputs(
        crate::stability_output::analyse(spec),
        spec,
        statistics.as_ref(),
        directory,
    )?;
    theory.extend(stability.rows.iter().cloned());
    figures.extend(stability.figures.iter().cloned());
    let times = RunTimes {
        wall_seconds: wall.elapsed().as_secs_f64(),
        build_seconds,
        simulate_seconds,
    };
    let finished = FinishedRun {
        spec,
        totals: &totals,
        digests,
        statistics: statistics.as_ref(),
        times,
        threads,
    };
    let mut report = run_report(&finished, &theory, figures);
    report.theory_notes.extend(stability.note.clone());
    // Before summary.json, which stays the last file written: the mark of a finished run.
    write_report(&report, &report_path)?;
    let mut summary = summary(&finished, connectivity, &theory);
    summary["recordings"] = writer.manifest().clone();
    if let Some(entry) = stability.summary {
        summary["stability"] = entry;
    }
    for (population, entry) in overlaps {
        summary["populations"][&spec.populations[population].name]["overlaps"] = entry;
    }
    if !plastic.is_empty() {
        summary["plastic_projections"] = Value::Array(plastic);
    }
    if !weight_records.is_empty() {
        summary["weight_records"] = Value::Array(weight_records);
    }
    output::write_json(&summary_path, &summary)?;
    if !quiet {
        print_summary(spec, &totals, directory, &report, simulate_seconds);
    }
    if !totals.is_complete() {
        return Err(miette::miette!(
            "interrupted at t = {} ms of {} ms: what was simulated so far is written to {} \
             (summary.json says \"complete\": false, report.html says so at the top)",
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

/// The statistics of every population, for summary.json and the report.
fn population_rows(
    spec: &ModelSpec,
    totals: &RunTotals,
    digests: &Digests,
    statistics: Option<&StatsResult>,
) -> Vec<PopulationRow> {
    let seconds = totals.biological_ms / 1000.0;
    let mut rows = Vec::new();
    for (index, population) in totals.populations.iter().enumerate() {
        let model = spec.populations[index].neuron.name();
        let mut row = PopulationRow::new(&population.name, model, population.size);
        if population.is_spiking {
            row.spike_count = Some(population.spike_count);
            row.rate_hz = Some(if seconds > 0.0 {
                population.spike_count as f64 / (population.size as f64 * seconds)
            } else {
                0.0
            });
            // The CV needs every neuron's spikes: use a recorder of the whole population.
            let whole = digests.whole_population(index);
            row.cv_isi = whole.and_then(|d| d.statistics.mean_cv());
            // Further statistics of the report's table: one `.with_column(heading with
            // unit, value)` each.
            row = row.with_column("active neurons (%)", whole.map(active_percent));
            let group = statistics.and_then(|s| s.group(&population.name));
            let of = |value: fn(&PopulationStatistics) -> Option<f64>| {
                group.and_then(|g| value(&g.statistics.population))
            };
            row = row
                .with_column("CV2", of(|p| p.cv2.mean))
                .with_column("LV", of(|p| p.lv.mean))
                .with_column("Fano factor (100 ms windows)", of(|p| fano_at(p, 100.0)))
                .with_column("Fano factor (1 s windows)", of(|p| fano_at(p, 1000.0)))
                .with_column(
                    "count correlation (10 ms bins)",
                    of(|p| p.correlation.as_ref().and_then(|c| c.mean)),
                )
                .with_column(
                    "activity spectrum peak (Hz)",
                    of(|p| p.spectrum.as_ref().map(|s| s.peak_frequency_hz)),
                );
        }
        // Only populations with a recorded potential get these columns.
        if let Some((_, _, trace)) = statistics.and_then(|s| {
            s.traces
                .iter()
                .find(|(name, _, _)| *name == population.name)
        }) {
            row = row
                .with_column("V mean of traced neurons (mV)", Some(trace.mean))
                .with_column("V std (mV)", Some(trace.std));
        }
        rows.push(row);
    }
    rows
}

/// The neurons' mean Fano factor at a counting window of `window_ms`.
fn fano_at(population: &PopulationStatistics, window_ms: f64) -> Option<f64> {
    population
        .fano_by_window
        .iter()
        .find(|f| f.window_ms == window_ms)
        .and_then(|f| f.neurons.mean)
}

/// Most recorded spikes whose full statistics a run computes at its end, by reading its
/// spike files back (16 bytes per spike, plus 8 in the trains): beyond, the report keeps the
/// bounded statistics gathered while the run streamed, and `cajal stats OUTDIR` computes
/// the rest.
const RUN_STATISTICS_SPIKES: u64 = 20_000_000;

/// The spike-train statistics of the run's recordings, read back from its files.
fn run_statistics(
    directory: &Path,
    manifest: &Value,
    totals: &RunTotals,
    quiet: bool,
) -> Result<Option<StatsResult>> {
    let recorded: u64 = manifest["spikes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["file"].as_str())
        .filter_map(|file| std::fs::metadata(directory.join(file)).ok())
        .map(|metadata| metadata.len().saturating_sub(128) / 16)
        .sum();
    if recorded > RUN_STATISTICS_SPIKES {
        if !quiet {
            eprintln!(
                "{recorded} spikes recorded: the report shows rates and CVs only; run \
                 `cajal stats {}` for the rest",
                directory.display()
            );
        }
        return Ok(None);
    }
    // The simulation's outputs stand without these statistics: a failure here is reported,
    // and the report and summary.json keep what the run streamed.
    match stats_command::compute_for_run(directory, manifest, totals.biological_ms) {
        Ok(statistics) => Ok(statistics),
        Err(error) => {
            eprintln!(
                "warning: the spike-train statistics of the run could not be computed \
                 ({error}); the report shows rates and CVs only"
            );
            Ok(None)
        }
    }
}

/// The share of recorded neurons that spiked at least once (%).
fn active_percent(digest: &SpikeDigest) -> f64 {
    let counts = digest.statistics.spike_counts();
    let active = counts.iter().filter(|&&count| count > 0).count();
    100.0 * active as f64 / counts.len().max(1) as f64
}

/// Each closed-form prediction beside what the run gave: the stationary rate beside the
/// rate over the inter-spike intervals (the transient before the first spike left out of
/// both), the CV beside the mean CV.
fn theory_rows(spec: &ModelSpec, digests: &Digests) -> Vec<TheoryRow> {
    let mut rows = Vec::new();
    for (index, prediction) in predictions(spec).into_iter().enumerate() {
        let Some(prediction) = prediction else {
            continue;
        };
        let simulated = digests.whole_population(index);
        let row = |key, quantity: &str, theory, simulation| TheoryRow {
            key,
            quantity: quantity.to_string(),
            population: spec.populations[index].name.clone(),
            theory,
            simulation,
            basis: prediction.basis.to_string(),
        };
        rows.push(row(
            "rate_hz",
            "stationary rate (Hz)",
            prediction.rate_hz,
            simulated.and_then(SpikeDigest::interval_rate_hz),
        ));
        if let Some(cv) = prediction.cv_isi {
            rows.push(row(
                "cv_isi",
                "CV ISI",
                cv,
                simulated.and_then(|d| d.statistics.mean_cv()),
            ));
        }
    }
    rows
}

/// What a finished run hands to its report and summary.json.
pub struct FinishedRun<'a> {
    /// The model run.
    pub spec: &'a ModelSpec,
    /// Its spike counts and the time simulated.
    pub totals: &'a RunTotals,
    /// What was kept of the recordings while they streamed.
    pub digests: &'a Digests,
    /// The spike-train statistics of the recordings read back, if computed.
    pub statistics: Option<&'a StatsResult>,
    /// Wall-clock times.
    pub times: RunTimes,
    /// Threads used.
    pub threads: usize,
}

/// The report of a run that has written its `figures`.
fn run_report(run: &FinishedRun<'_>, theory: &[TheoryRow], figures: Vec<ReportFigure>) -> Report {
    let FinishedRun {
        spec,
        totals,
        digests,
        statistics,
        times,
        threads,
    } = *run;
    let model_file = &spec.source.name;
    Report {
        title: Path::new(model_file)
            .file_name()
            .map_or(model_file.clone(), |n| n.to_string_lossy().into_owned()),
        facts: RunFacts {
            cajal_version: env!("CARGO_PKG_VERSION").to_string(),
            model_file: model_file.clone(),
            duration_ms: spec.simulation.duration_ms,
            simulated_ms: totals.biological_ms,
            dt_ms: spec.simulation.dt_ms,
            seed: spec.simulation.seed,
            threads,
            wall_seconds: times.wall_seconds,
            simulate_seconds: times.simulate_seconds,
            complete: totals.is_complete(),
        },
        populations: population_rows(spec, totals, digests, statistics),
        theory: theory.to_vec(),
        theory_notes: Vec::new(),
        figures,
        model_text: spec.source.text.to_string(),
    }
}

/// The summary of a run (the schema is documented in the README).
pub fn summary(run: &FinishedRun<'_>, connectivity: Connectivity, theory: &[TheoryRow]) -> Value {
    let FinishedRun {
        spec,
        totals,
        digests,
        statistics,
        times,
        threads,
    } = *run;
    let seconds = totals.biological_ms / 1000.0;
    let mut populations = serde_json::Map::new();
    for row in population_rows(spec, totals, digests, statistics) {
        let mut entry = json!({
            "model": row.model,
            "size": row.size,
            "spike_count": row.spike_count,
            "rate_hz": row.rate_hz,
            "cv_isi": row.cv_isi,
        });
        let predicted: serde_json::Map<String, Value> = theory
            .iter()
            .filter(|t| t.population == row.name)
            .map(|t| {
                let comparison = json!({
                    "theory": t.theory,
                    "simulation": t.simulation,
                    "relative_difference": t.relative_difference(),
                });
                (t.key.to_string(), comparison)
            })
            .collect();
        if !predicted.is_empty() {
            entry["theory"] = Value::Object(predicted);
        }
        if let Some(group) = statistics.and_then(|s| s.group(&row.name)) {
            entry["statistics"] = json!(group.statistics.population);
        }
        populations.insert(row.name, entry);
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

/// Draws the figures of a run into `directory/plots`; each is shown in the report.
fn write_plots(
    spec: &ModelSpec,
    totals: &RunTotals,
    digests: &Digests,
    directory: &Path,
    trace_stems: &[String],
    statistics: Option<&StatsResult>,
) -> Result<Vec<ReportFigure>> {
    let plots_directory = directory.join("plots");
    create_directory(&plots_directory)?;
    let mut written = Vec::new();
    let mut draw = |figure: &plot::Figure, stem: &Path, caption: String| -> Result<()> {
        let [svg, _png] = plot::render(figure, stem).into_diagnostic()?;
        written.push(ReportFigure { caption, svg });
        Ok(())
    };
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
        let caption = format!("Traces of {title}");
        draw(&figure, &plots_directory.join(stem), caption)?;
    }
    if let Some(statistics) = statistics {
        // Every recorded population in one raster, and the statistics' figures.
        written.extend(crate::stats_outputs::statistics_figures(
            statistics,
            &plots_directory,
            "spikes_",
            None,
        )?);
        return Ok(written);
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
        let caption = format!(
            "{name}: raster, population rate, and histograms of single-neuron rates and ISI CVs"
        );
        draw(&figure, &stem, caption)?;
    }
    Ok(written)
}

fn print_summary(
    spec: &ModelSpec,
    result: &RunTotals,
    directory: &Path,
    report: &Report,
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
    for note in &report.theory_notes {
        println!("{note}");
    }
    println!(
        "outputs written to {}/ (summary.json, spikes/, traces/, plots/)",
        directory.display()
    );
    println!("report: {}", directory.join("report.html").display());
    if let Some(first) = report.figures.first() {
        println!("  e.g. {}", first.svg.with_extension("png").display());
    }
}

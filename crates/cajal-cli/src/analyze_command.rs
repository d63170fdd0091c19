//! `cajal analyze MODEL.toml [--sweep PARAM=START:STOP:STEP] [--json] [-o DIR]`: the fixed
//! points of a rate model with their stability, the Hopf point of delayed self-inhibition,
//! the modes of neural fields, a bifurcation diagram along one parameter, and figures (phase
//! line or plane, bifurcation diagram, field modes) with analysis.json.

use std::path::{Path, PathBuf};

use cajal::dynamics::{PhasePlaneOptions, phase_plane};
use cajal::neuron::rate::TransferFunction;
use cajal::rate::RateModel;
use cajal::spec::rate_model::{ModelFile, RateModelDocument, read_any_model_file};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

use crate::analysis::{
    Analysis, CycleSimulation, Sweep, analyze as analyze_model, bifurcation_name, stability_name,
    sweep_parameter, to_json, with_constant_inputs,
};
use crate::analysis_figures::{
    bifurcation_figure, field_modes_figure, phase_line, phase_plane_figure,
};
use crate::cli::AnalyzeOptions;
use crate::diagnostics::SpecDiagnostic;
use crate::output::create_directory;
use crate::plot::{Figure, render};

/// `cajal analyze` of a spiking network: its rate model (see [`cajal::theory::reduction`]),
/// written to `rate_model.toml` in the output directory, analysed as any rate model.
fn analyze_spiking(spec: &cajal::spec::ModelSpec, options: &AnalyzeOptions) -> Result<()> {
    let reduced = cajal::theory::reduction::reduce(spec).map_err(|reason| {
        miette!(
            "{}: this network of spiking neurons has no rate model: {reason} (`cajal analyze` \
             reduces networks of LIF neurons with Poisson or constant drive and delta or \
             exponential current synapses; `cajal run` runs any network)",
            options.model.display()
        )
    })?;
    let directory = options
        .output
        .clone()
        .unwrap_or_else(|| default_directory(&options.model));
    create_directory(&directory)?;
    let path = directory.join("rate_model.toml");
    let text = reduced.to_model_file(
        &options.model.display().to_string(),
        spec.simulation.duration_ms,
        spec.simulation.dt_ms,
    );
    std::fs::write(&path, text)
        .into_diagnostic()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    if !options.json {
        println!(
            "{} is a network of spiking neurons: its rate model (mean-field rates, Siegert \
             transfer functions at the asynchronous state's noise) is in {}",
            options.model.display(),
            path.display()
        );
    }
    // The spiking network's own stability (the rate model's below is an approximation of
    // it): state, modes, phase diagram; stability.json beside the figures.
    let stability = crate::stability_output::write_outputs(
        crate::stability_output::analyse(spec),
        spec,
        None,
        &directory,
    )?;
    if let Some(summary) = &stability.summary {
        crate::output::write_json(&directory.join("stability.json"), summary)?;
    }
    if !options.json {
        if let Some(note) = &stability.note {
            println!("{note}");
        }
        for figure in &stability.figures {
            println!("  {}", figure.svg.with_extension("png").display());
        }
    }
    analyze(&AnalyzeOptions {
        model: path,
        sweep: options.sweep.clone(),
        json: options.json,
        output: Some(directory),
    })
}

/// The most values a sweep may have.
const MAX_SWEEP_VALUES: usize = 100_000;

/// Runs `cajal analyze`.
pub fn analyze(options: &AnalyzeOptions) -> Result<()> {
    match read_any_model_file(&options.model) {
        Ok(ModelFile::Spiking(spec)) => return analyze_spiking(&spec, options),
        Ok(ModelFile::Cable(_)) => {
            return Err(miette!(
                "{}: cable models cannot be analysed; `cajal analyze` studies rate models \
                 (`cajal run` runs a cable model)",
                options.model.display()
            ));
        }
        Ok(ModelFile::Binary(_)) => {
            return Err(miette!(
                "{}: `cajal analyze` studies rate models; this file is a network of binary \
                 neurons (`cajal run` runs it and shows the balance theory beside it)",
                options.model.display()
            ));
        }
        Ok(ModelFile::Rate(_)) | Err(_) => {}
    }
    let document = RateModelDocument::read(&options.model).map_err(SpecDiagnostic::from)?;
    let spec = document.check().map_err(SpecDiagnostic::from)?;
    let model = with_constant_inputs(&spec.model, &spec.rate_inputs())
        .map_err(|message| miette!("{message}"))?;
    let mut analysis = analyze_model(&model).map_err(|message| miette!("{message}"))?;
    let sweep = match &options.sweep {
        None => None,
        Some(text) => {
            let (parameter, values) = parse_sweep(text)?;
            let model_at = |value: f64| {
                let spec = document
                    .with_overrides(&[(parameter.clone(), value)])
                    .map_err(|e| e.to_string())?;
                with_constant_inputs(&spec.model, &spec.rate_inputs())
            };
            // The analysis sees τ, Φ, I, J, D and kernels; a swept start value, duration or
            // time-varying input changes none of them.
            let analysed = |value: f64| {
                model_at(value).map(|model| {
                    let mut populations = model.populations().to_vec();
                    for population in &mut populations {
                        population.initial_rate = 0.0;
                    }
                    (populations, model.couplings().to_vec())
                })
            };
            if let (Some(&first), Some(&last)) = (values.first(), values.last())
                && analysed(first).map_err(|m| miette!("{m}"))?
                    == analysed(last).map_err(|m| miette!("{m}"))?
            {
                analysis.notes.push(format!(
                    "{parameter} does not change the analysed model (τ, Φ, the constant \
                     inputs, couplings, delays, kernels): the diagram is flat"
                ));
            }
            let longest = spec
                .model
                .populations()
                .iter()
                .map(|p| p.time_constant_ms)
                .fold(0.0, f64::max);
            let cycles = CycleSimulation {
                dt_ms: spec.simulation.dt_ms,
                transient_ms: (50.0 * longest).max(200.0),
                measured_ms: (100.0 * longest).max(1000.0),
            };
            Some(
                sweep_parameter(&parameter, &values, &model_at, cycles)
                    .map_err(|message| miette!("{message}"))?,
            )
        }
    };

    let directory = options
        .output
        .clone()
        .unwrap_or_else(|| default_directory(&options.model));
    create_directory(&directory)?;
    let mut figures = Vec::new();
    for (stem, figure) in analysis_figures(&model, &analysis, sweep.as_ref())? {
        let [svg, _] = render(&figure, &directory.join(stem)).map_err(|e| miette!("{e}"))?;
        figures.push(svg);
    }
    let json = to_json(
        &options.model.display().to_string(),
        &analysis,
        sweep.as_ref(),
    );
    let text = serde_json::to_string_pretty(&json).into_diagnostic()?;
    let json_path = directory.join("analysis.json");
    std::fs::write(&json_path, format!("{text}\n"))
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", json_path.display()))?;
    if options.json {
        println!("{text}");
    } else {
        print!(
            "{}",
            describe(&options.model, &spec.model, &analysis, sweep.as_ref())
        );
        println!("written: {}", json_path.display());
        for figure in figures {
            println!("         {}", figure.display());
        }
    }
    Ok(())
}

fn default_directory(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    PathBuf::from(format!("{stem}_analysis"))
}

/// `PARAM=START:STOP:STEP` → the parameter's path and the values START, START + STEP, …, up
/// to STOP (included when it is a whole number of steps away, to rounding).
pub fn parse_sweep(text: &str) -> Result<(String, Vec<f64>)> {
    let usage = "--sweep takes PARAM=START:STOP:STEP, e.g. `population.E.input=0:5:0.05`";
    let (parameter, range) = text
        .split_once('=')
        .ok_or_else(|| miette!("{usage}; found `{text}`"))?;
    let numbers: Vec<&str> = range.split(':').collect();
    let [start, stop, step] = numbers.as_slice() else {
        return Err(miette!("{usage}; found `{text}`"));
    };
    let number = |what: &str, s: &str| -> Result<f64> {
        let value: f64 = s
            .trim()
            .parse()
            .map_err(|_| miette!("--sweep: the {what} `{s}` is not a number ({usage})"))?;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(miette!("--sweep: the {what} must be finite"))
        }
    };
    let (start, stop, step) = (
        number("start", start)?,
        number("stop", stop)?,
        number("step", step)?,
    );
    if step == 0.0 || (stop - start) * step < 0.0 || start == stop {
        return Err(miette!(
            "--sweep: the step {step} does not lead from {start} to {stop}"
        ));
    }
    let steps = (stop - start) / step;
    let whole = (steps * (1.0 + 1e-9)).floor();
    if whole.is_nan() || whole >= MAX_SWEEP_VALUES as f64 {
        return Err(miette!(
            "--sweep: {whole} steps; at most {MAX_SWEEP_VALUES} values (take a larger step)"
        ));
    }
    let count = whole as usize + 1;
    let values = (0..count).map(|k| start + step * k as f64).collect();
    Ok((parameter.trim().to_string(), values))
}

/// The range of rates shown for a population: Φ's range for a sigmoid, else up to 1.5 times
/// the largest fixed-point rate (at least 1).
fn rate_range(transfer: &TransferFunction, largest: f64) -> (f64, f64) {
    match transfer {
        TransferFunction::Sigmoid { .. } => (0.0, 1.0),
        _ => (0.0, (1.5 * largest).max(1.0)),
    }
}

fn analysis_figures(
    model: &RateModel,
    analysis: &Analysis,
    sweep: Option<&Sweep>,
) -> Result<Vec<(String, Figure)>> {
    let mut figures = Vec::new();
    let populations = model.populations();
    if !model.has_fields() {
        let network = model.network().map_err(|e| miette!("{e}"))?;
        let largest = |i: usize| {
            analysis
                .fixed_points
                .iter()
                .map(|p| p.rates[i])
                .fold(0.0, f64::max)
        };
        match populations {
            [only] => {
                let range = rate_range(&only.transfer, largest(0));
                figures.push((
                    "phase_line".to_string(),
                    phase_line(&only.name, &network, &analysis.fixed_points, range),
                ));
            }
            [first, second] if !network.has_delays() => {
                let ranges = [
                    rate_range(&first.transfer, largest(0)),
                    rate_range(&second.transfer, largest(1)),
                ];
                let at = |axis: usize, fraction: f64| {
                    ranges[axis].0 + fraction * (ranges[axis].1 - ranges[axis].0)
                };
                let fractions = [0.05, 0.5, 0.95];
                let starts = fractions
                    .iter()
                    .flat_map(|&a| fractions.iter().map(move |&b| (a, b)))
                    .filter(|&(a, b)| (a, b) != (0.5, 0.5))
                    .map(|(a, b)| [at(0, a), at(1, b)])
                    .collect();
                let longest = first.time_constant_ms.max(second.time_constant_ms);
                let options = PhasePlaneOptions {
                    starts,
                    duration_ms: 20.0 * longest,
                    ..PhasePlaneOptions::default()
                };
                let plane = phase_plane(&network, ranges, &options).map_err(|e| miette!("{e}"))?;
                figures.push((
                    "phase_plane".to_string(),
                    phase_plane_figure([&first.name, &second.name], &plane, ranges),
                ));
            }
            _ => {}
        }
    }
    for field in &analysis.fields {
        figures.push((
            format!("field_modes_{}", crate::output::file_stem(&field.name)),
            field_modes_figure(field),
        ));
    }
    if let Some(sweep) = sweep {
        figures.push((
            "bifurcation_diagram".to_string(),
            bifurcation_figure(&analysis.names, sweep),
        ));
    }
    Ok(figures)
}

fn rates_text(names: &[String], rates: &[f64]) -> String {
    names
        .iter()
        .zip(rates)
        .map(|(name, rate)| format!("{name} = {rate:.6}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The analysis in words, for the terminal.
fn describe(path: &Path, model: &RateModel, analysis: &Analysis, sweep: Option<&Sweep>) -> String {
    let mut out = String::new();
    let names = &analysis.names;
    out += &format!(
        "rate model {}: {} population{} ({})\n",
        path.display(),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    if !model.has_fields() {
        if analysis.fixed_points.is_empty() {
            out += "no fixed point found (the rates grow without bound or the search box holds none)\n";
        } else {
            out += "fixed points (leading roots per ms):\n";
        }
        for point in &analysis.fixed_points {
            let leading: Vec<String> = point
                .spectrum()
                .iter()
                .filter(|z| z.im >= 0.0)
                .take(2)
                .map(|z| {
                    if z.im == 0.0 {
                        format!("{:.5}", z.re)
                    } else {
                        format!("{:.5} ± {:.5}i", z.re, z.im)
                    }
                })
                .collect();
            out += &format!(
                "  {:<40} {:<15} λ = {}\n",
                rates_text(names, &point.rates),
                stability_name(point.classification),
                leading.join(", ")
            );
        }
    }
    for note in &analysis.notes {
        out += &format!("note: {note}\n");
    }
    if let Some(delayed) = &analysis.delayed_hopf {
        let oscillates = delayed.coupling * delayed.slope < delayed.hopf.critical_loop_gain;
        out += &format!(
            "delayed self-coupling (τ = {} ms, D = {} ms, Φ' = {:.4}): critical coupling J_c = \
             {:.6}, frequency at onset f_c = {:.4} Hz; J = {} {}\n",
            delayed.time_constant_ms,
            delayed.delay_ms,
            delayed.slope,
            delayed.critical_coupling,
            delayed.hopf.frequency_hz,
            delayed.coupling,
            if oscillates {
                "is beyond it: the rate oscillates"
            } else {
                "is not: oscillations decay"
            }
        );
    }
    for field in &analysis.fields {
        for state in &field.states {
            let mode = &state.most_unstable;
            out += &format!(
                "field {}: homogeneous state r0 = {:.6} ({}); fastest mode k = {:?} \
                 (wavelength {}), Re λ = {:.5} per ms{}\n",
                field.name,
                state.rate,
                if state.stable { "stable" } else { "unstable" },
                mode.wavenumber,
                if mode.wavelength.is_finite() {
                    format!("{:.4}", mode.wavelength)
                } else {
                    "∞".into()
                },
                mode.growth_rate_per_ms.re,
                if state.forms_pattern() {
                    ": a pattern (bump) forms"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(sweep) = sweep {
        let values = &sweep.diagram.points;
        out += &format!(
            "sweep of {} over {} values ({} to {}):\n",
            sweep.parameter,
            values.len(),
            values.first().map_or(0.0, |p| p.value),
            values.last().map_or(0.0, |p| p.value)
        );
        if sweep.diagram.bifurcations.is_empty() {
            out += "  no bifurcation\n";
        }
        for bifurcation in &sweep.diagram.bifurcations {
            out += &format!(
                "  {} at {} = {:.6} ({}){}\n",
                bifurcation_name(bifurcation.kind),
                sweep.parameter,
                bifurcation.value,
                rates_text(names, &bifurcation.rates),
                bifurcation
                    .frequency_hz
                    .map_or(String::new(), |f| format!(", frequency {f:.4} Hz"))
            );
        }
        let cycles: Vec<_> = sweep
            .limit_cycles
            .iter()
            .filter(|c| c.oscillations.iter().any(Option::is_some))
            .collect();
        if !cycles.is_empty() {
            out += &format!("  limit cycles (simulated) at {} values; ", cycles.len());
            for (label, cycle) in [("first", cycles[0]), ("last", cycles[cycles.len() - 1])] {
                let described: Vec<String> = cycle
                    .oscillations
                    .iter()
                    .zip(names)
                    .filter_map(|(o, name)| {
                        o.as_ref().map(|o| {
                            format!(
                                "{name} amplitude {:.4} at {:.3} Hz",
                                o.amplitude, o.frequency_hz
                            )
                        })
                    })
                    .collect();
                out += &format!("{label} at {:.6}: {}; ", cycle.value, described.join(", "));
            }
            out += "\n";
        }
    }
    out
}

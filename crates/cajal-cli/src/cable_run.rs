//! `cajal run` on a cable model: step the compartmental neuron ([`cajal::cable`]), write its
//! potentials, draw them, and put cable theory beside the simulation where it applies.
//!
//! Outputs in the run directory:
//! ```text
//! model.toml            the model file as run
//! profile.csv           section, position, x_um, v_mv: every compartment at the end
//! traces.csv            time_ms and one column per recorded location (mV)
//! profiles.csv          section, position, x_um and one column per profile time (mV)
//! spikes.csv            location, time_ms: action potentials (upward crossings of
//!                       `[record] spike_threshold`, 0 mV unless given)
//! plots/*.svg, .png     traces, profiles, the final profile with λ, the morphology
//! report.html           the run at a glance
//! summary.json          written last: λ, input resistance, velocity, theory, timings
//! ```

use std::path::Path;
use std::time::Instant;

use cajal::cable::{
    CableModel, CableRun, CurrentWaveform, FarEnd, Method, UniformCable, input_resistance_mohm,
    simulate,
};
use cajal::engine::{Control, Progress};
use cajal::spec::cable_model::CableModelSpec;
use miette::{IntoDiagnostic, Result, WrapErr, miette};
use serde_json::{Value, json};

use crate::cable_figures::{
    morphology_figure, normalised_traces_figure, profiles_figure, steady_profile_figure,
    traces_figure,
};
use crate::output::{prepare_run_directory, write_csv, write_json};
use crate::plot::render;
use crate::progress::{ProgressReporter, interrupt_flag};
use crate::report::{PopulationRow, Report, ReportFigure, RunFacts, TheoryRow, write_report};

/// The most trace and profile values a run keeps (8 bytes each: 800 MB).
const MAX_RECORDED_VALUES: f64 = 1e8;

/// Runs the cable model and writes its outputs to `directory`.
pub fn run_cable_model(spec: &CableModelSpec, directory: &Path, quiet: bool) -> Result<()> {
    let wall = Instant::now();
    let model = &spec.model;
    let sim = &spec.simulation;
    let name = &spec.source.name;

    let input_resistance = spec
        .stimulus_compartment
        .map(|c| input_resistance_mohm(model, c))
        .transpose()
        .map_err(|e| miette!("{name}: {e}"))?;
    let build_seconds = wall.elapsed().as_secs_f64();

    let recording = spec.recording();
    // Traces and profiles are kept in memory until the end of the run.
    let samples = sim.steps / recording.sample_every_steps.max(1) as u64 + 1;
    let values = samples as f64 * (recording.trace_compartments.len() + 1) as f64
        + (recording.profile_times_ms.len() * model.discretization.len()) as f64;
    if values > MAX_RECORDED_VALUES {
        return Err(miette!(
            "{name}: recording {} traces every {} ms for {} ms (and {} profiles) would keep \
             {values:.3e} values in memory (at most {MAX_RECORDED_VALUES:e}); record less often \
             (`[record] every`), fewer traces, or run shorter",
            recording.trace_compartments.len(),
            spec.records.every_ms,
            sim.duration_ms,
            recording.profile_times_ms.len()
        ));
    }
    let summary_path = prepare_run_directory(directory, &spec.source.text)?;
    let mut progress = ProgressReporter::new(sim.duration_ms, quiet, interrupt_flag());
    let simulate_start = Instant::now();
    let run = simulate(
        model,
        sim.method,
        sim.dt_ms,
        sim.steps as f64 * sim.dt_ms,
        &recording,
        &mut |done, total| {
            let observed = progress.observe(Progress {
                steps_done: done,
                steps_total: total,
                time_ms: done as f64 * sim.dt_ms,
            });
            matches!(observed, Control::Continue)
        },
    )
    .map_err(|e| miette!("{name}: {e}"))?;
    progress.finish();
    let simulate_seconds = simulate_start.elapsed().as_secs_f64();
    let complete = run.simulated_ms >= sim.steps as f64 * sim.dt_ms - sim.dt_ms / 2.0;

    // `--duration` may end the run before some profile times.
    let mut warnings = spec.hints.clone();
    let end_ms = sim.steps as f64 * sim.dt_ms;
    for &t in &spec.records.profile_times_ms {
        if (t / sim.dt_ms).round() > sim.steps as f64 {
            warnings.push(format!(
                "profile time {} ms is after the end of the run ({} ms): not recorded",
                tidy_ms(t),
                tidy_ms(end_ms)
            ));
        }
    }
    write_data(spec, &run, directory)?;
    let velocity = conduction_velocity(spec, &run);
    let theory = theory_of(spec, &run);
    let figures = write_figures(spec, &run, theory.as_ref(), directory)?;
    let theory_rows = theory_rows(spec, theory.as_ref(), input_resistance);
    let wall_seconds = wall.elapsed().as_secs_f64();
    let report = Report {
        title: Path::new(name)
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned()),
        facts: RunFacts {
            cajal_version: env!("CARGO_PKG_VERSION").to_string(),
            model_file: name.clone(),
            duration_ms: sim.duration_ms,
            simulated_ms: run.simulated_ms,
            dt_ms: sim.dt_ms,
            seed: sim.seed,
            threads: 1,
            wall_seconds,
            simulate_seconds,
            complete,
        },
        populations: section_rows(spec, &run),
        theory: theory_rows.clone(),
        theory_notes: Vec::new(),
        figures,
        model_text: spec.source.text.to_string(),
    };
    write_report(&report, &directory.join("report.html"))?;
    let summary = summary(
        spec,
        &run,
        input_resistance,
        velocity,
        &theory_rows,
        &warnings,
        Timings {
            wall_seconds,
            build_seconds,
            simulate_seconds,
            complete,
        },
    );
    if !quiet {
        print!(
            "{}",
            describe(spec, &run, input_resistance, velocity, &theory_rows)
        );
        for warning in &warnings[spec.hints.len()..] {
            println!("note: {warning}");
        }
        println!("outputs in {}", directory.display());
    }
    write_json(&summary_path, &summary)?;
    if !complete {
        return Err(miette!(
            "interrupted at t = {} ms of {} ms: what was simulated so far is written to {} \
             (summary.json says \"complete\": false)",
            run.simulated_ms,
            sim.duration_ms,
            directory.display()
        ));
    }
    Ok(())
}

/// Where each compartment is: section name, position along it, path distance (µm).
fn compartment_places(model: &CableModel, spec: &CableModelSpec) -> Vec<(String, f64, f64)> {
    let d = &model.discretization;
    (0..d.len())
        .map(|i| {
            (
                spec.morphology.sections()[d.section[i]].name.clone(),
                d.position[i],
                d.distance_from_root_um[i],
            )
        })
        .collect()
}

/// A time (ms) without the rounding noise of `step × dt` (0.30000000000000004): 12 significant
/// digits are far below any time step.
fn tidy_ms(t: f64) -> f64 {
    if t == 0.0 || !t.is_finite() {
        return t;
    }
    let scale = 10f64.powi(11 - t.abs().log10().floor() as i32);
    (t * scale).round() / scale
}

/// profile.csv, traces.csv, profiles.csv and spikes.csv.
fn write_data(spec: &CableModelSpec, run: &CableRun, directory: &Path) -> Result<()> {
    let places = compartment_places(&spec.model, spec);
    let mut text = String::from("section,position,x_um,v_mv\n");
    for ((section, position, x), v) in places.iter().zip(&run.final_mv) {
        text += &format!("{section},{position},{x},{v}\n");
    }
    std::fs::write(directory.join("profile.csv"), text)
        .into_diagnostic()
        .wrap_err("cannot write profile.csv")?;
    let mut header = vec!["time_ms".to_string()];
    header.extend(spec.records.traces.iter().map(|t| t.label.clone()));
    write_csv(
        &directory.join("traces.csv"),
        &header,
        run.times_ms.iter().enumerate().map(|(k, &t)| {
            std::iter::once(tidy_ms(t))
                .chain(run.traces_mv.iter().map(|trace| trace[k]))
                .collect()
        }),
    )?;
    if !run.profiles.is_empty() {
        let mut text = String::from("section,position,x_um");
        for (t, _) in &run.profiles {
            text += &format!(",v_mv_at_{}_ms", tidy_ms(*t));
        }
        text.push('\n');
        for (i, (section, position, x)) in places.iter().enumerate() {
            text += &format!("{section},{position},{x}");
            for (_, profile) in &run.profiles {
                text += &format!(",{}", profile[i]);
            }
            text.push('\n');
        }
        std::fs::write(directory.join("profiles.csv"), text)
            .into_diagnostic()
            .wrap_err("cannot write profiles.csv")?;
    }
    let mut text = String::from("location,time_ms\n");
    for (trace, times) in spec.records.traces.iter().zip(&run.spike_times_ms) {
        for t in times {
            text += &format!("{},{t}\n", trace.label);
        }
    }
    std::fs::write(directory.join("spikes.csv"), text)
        .into_diagnostic()
        .wrap_err("cannot write spikes.csv")
}

/// The velocity (m/s) of the first action potential between the two points of
/// `[record] velocity`, if it reached both.
fn conduction_velocity(spec: &CableModelSpec, run: &CableRun) -> Option<f64> {
    let velocity = spec.records.velocity.as_ref()?;
    let n = spec.records.traces.len();
    let from = *run.spike_times_ms.get(n)?.first()?;
    let to = *run.spike_times_ms.get(n + 1)?.first()?;
    let distance = velocity.distance_um;
    // µm/ms = mm/s.
    (to != from).then(|| distance / (to - from).abs() * 1e-3)
}

/// Cable theory for the run, where it has a closed form: one passive uniform section, sealed
/// at its driven end (an electrode at position 0), driven by one electrode: a step held to
/// the end (the steady profile, once the run is long against τ; compared at the end) or one
/// delta pulse (the method of images; compared at the last profile time, or at the end).
struct CableTheory {
    /// When the comparison is made, ms.
    time_ms: f64,
    /// The closed form at every compartment then, mV.
    theory_mv: Vec<f64>,
    /// The simulation at every compartment then, mV.
    simulated_mv: Vec<f64>,
    /// The leak reversal potential, mV.
    rest_mv: f64,
    /// What it is.
    basis: String,
    /// The cable.
    cable: UniformCable,
    /// Whether this is the steady state (drawn on the final profile).
    steady: bool,
    /// Time since the pulse (the steady state: since the step began), ms.
    elapsed_ms: f64,
}

fn theory_of(spec: &CableModelSpec, run: &CableRun) -> Option<CableTheory> {
    let model = &spec.model;
    let [section] = spec.morphology.sections() else {
        return None;
    };
    let [injection] = model.injections.as_slice() else {
        return None;
    };
    // A uniform cylinder (a traced path may taper), long enough to be a cable, driven in
    // its first compartment.
    let uniform = section
        .points
        .iter()
        .all(|p| (p.diameter_um - section.mean_diameter_um()).abs() <= 1e-9 * p.diameter_um);
    if section.hh.is_some()
        || !model.synapses.is_empty()
        || injection.compartment != 0
        || !uniform
        || section.compartments < 3
    {
        return None;
    }
    let rest = section.membrane.e_leak;
    if (model.initial_mv - rest).abs() > 1e-9 {
        return None;
    }
    let d = &model.discretization;
    let cable = UniformCable {
        membrane: section.membrane,
        diameter_um: section.mean_diameter_um(),
        length_um: section.length_um,
        far_end: if model.killed_ends.contains(&0) {
            FarEnd::Killed
        } else {
            FarEnd::Sealed
        },
    };
    let end_ms = run.simulated_ms;
    let tau = section.membrane.time_constant_ms();
    let (name, trig) = match cable.far_end {
        FarEnd::Sealed => ("sealed", "cosh"),
        FarEnd::Killed => ("killed-end", "sinh"),
    };
    match injection.waveform {
        CurrentWaveform::Step {
            start_ms,
            duration_ms,
            amplitude_na,
        } if start_ms + duration_ms >= end_ms && end_ms - start_ms >= 7.0 * tau => {
            Some(CableTheory {
                time_ms: end_ms,
                theory_mv: d
                    .distance_from_root_um
                    .iter()
                    .map(|&x| rest + cable.steady_potential_mv(amplitude_na, x))
                    .collect(),
                simulated_mv: run.final_mv.clone(),
                rest_mv: rest,
                basis: format!(
                    "steady state of a {name} cable, L = {:.4} λ: V0 {trig}((L − x)/λ)/{trig}(L/λ)",
                    section.length_um / cable.length_constant_um()
                ),
                cable,
                steady: true,
                elapsed_ms: end_ms - start_ms,
            })
        }
        CurrentWaveform::Delta { time_ms, charge_pc } => {
            let (when, simulated) = match run.profiles.last() {
                Some((t, profile)) => (*t, profile.clone()),
                None => (end_ms, run.final_mv.clone()),
            };
            if when <= time_ms {
                return None;
            }
            // The charge enters compartment 0, centred at h/2.
            let h = section.length_um / section.compartments as f64;
            Some(CableTheory {
                time_ms: when,
                theory_mv: d
                    .distance_from_root_um
                    .iter()
                    .map(|&x| {
                        rest + cable.pulse_potential_mv(charge_pc, h / 2.0, x, when - time_ms)
                    })
                    .collect(),
                simulated_mv: simulated,
                rest_mv: rest,
                basis: format!(
                    "the cable's Green's function, {} ms after the pulse, with images at the \
                     ends",
                    when - time_ms
                ),
                cable,
                steady: false,
                elapsed_ms: when - time_ms,
            })
        }
        _ => None,
    }
}

/// The theory-beside-simulation rows of the report and summary.json.
fn theory_rows(
    spec: &CableModelSpec,
    theory: Option<&CableTheory>,
    input_resistance: Option<f64>,
) -> Vec<TheoryRow> {
    let mut rows = Vec::new();
    let Some(theory) = theory else {
        return rows;
    };
    let section = &spec.morphology.sections()[0];
    rows.push(TheoryRow {
        key: "input_resistance_mohm",
        quantity: "input resistance at the electrode (MΩ)".into(),
        population: section.name.clone(),
        // At the electrode compartment's centre, h/2 from the end, where the simulated value
        // is: R(x) = V(x)/I of the steady profile.
        theory: theory
            .cable
            .steady_potential_mv(1.0, spec.model.discretization.distance_from_root_um[0]),
        simulation: input_resistance,
        basis: match theory.cable.far_end {
            FarEnd::Sealed => {
                "r_a λ cosh((L − x)/λ)/sinh(L/λ) at the electrode compartment's centre x \
                 (r_a λ coth(L/λ) at x = 0)"
                    .into()
            }
            FarEnd::Killed => {
                "r_a λ sinh((L − x)/λ)/cosh(L/λ) at the electrode compartment's centre x \
                 (r_a λ tanh(L/λ) at x = 0)"
                    .into()
            }
        },
    });
    // Three places: the electrode, and then the middle and far end of a steady profile, or
    // one and two diffusion lengths sqrt(4 D t) from the electrode after a pulse.
    let d = &spec.model.discretization;
    let last = theory.theory_mv.len() - 1;
    let places = if theory.steady {
        [0, last / 2, last]
    } else {
        let membrane = &theory.cable.membrane;
        let lambda = theory.cable.length_constant_um();
        let spread =
            (4.0 * lambda * lambda / membrane.time_constant_ms() * theory.elapsed_ms).sqrt();
        let h = theory.cable.length_um / theory.theory_mv.len() as f64;
        let at = |x: f64| ((x / h).floor() as usize).min(last);
        [0, at(spread), at(2.0 * spread)]
    };
    for (key, k) in [
        "depolarisation_at_electrode_mv",
        "depolarisation_near_mv",
        "depolarisation_far_mv",
    ]
    .into_iter()
    .zip(places)
    {
        rows.push(TheoryRow {
            key,
            quantity: format!(
                "V − E_L at x = {:.1} µm, t = {} ms (mV)",
                d.distance_from_root_um[k], theory.time_ms
            ),
            population: section.name.clone(),
            theory: theory.theory_mv[k] - theory.rest_mv,
            simulation: Some(theory.simulated_mv[k] - theory.rest_mv),
            basis: theory.basis.clone(),
        });
    }
    rows
}

/// One report row per section (up to 50; a reconstructed cell has hundreds).
fn section_rows(spec: &CableModelSpec, run: &CableRun) -> Vec<PopulationRow> {
    let d = &spec.model.discretization;
    spec.morphology
        .sections()
        .iter()
        .enumerate()
        .take(50)
        .map(|(index, section)| {
            let range = d.compartments_of(index);
            let v_end = run.final_mv[range.clone()].iter().sum::<f64>() / range.len() as f64;
            PopulationRow::new(
                &section.name,
                if section.hh.is_some() {
                    "hh"
                } else {
                    "passive"
                },
                section.compartments,
            )
            .with_column("length (µm)", Some(section.length_um))
            .with_column("diameter (µm)", Some(section.mean_diameter_um()))
            .with_column(
                "λ (µm)",
                Some(
                    section
                        .membrane
                        .length_constant_um(section.mean_diameter_um()),
                ),
            )
            .with_column("mean V at end (mV)", Some(v_end))
        })
        .collect()
}

/// The figures: traces, profiles, the final profile with λ, the morphology.
fn write_figures(
    spec: &CableModelSpec,
    run: &CableRun,
    theory: Option<&CableTheory>,
    directory: &Path,
) -> Result<Vec<ReportFigure>> {
    let plots = directory.join("plots");
    let d = &spec.model.discretization;
    let unbranched = spec.morphology.sections().len() == 1;
    let mut figures = Vec::new();
    let mut draw = |figure, stem: &str, caption: String| -> Result<()> {
        let [svg, _] = render(&figure, &plots.join(stem)).map_err(|e| miette!("{e}"))?;
        figures.push(ReportFigure { caption, svg });
        Ok(())
    };
    let labels: Vec<String> = spec
        .records
        .traces
        .iter()
        .map(|t| t.label.clone())
        .collect();
    draw(
        traces_figure(&run.times_ms, &labels, &run.traces_mv),
        "v_traces",
        "The membrane potential at the recorded locations".into(),
    )?;
    // Responses that differ by orders of magnitude (a pulse seen near and far) are drawn
    // again, each scaled to its own peak, so that the far ones can be seen at all.
    let peaks: Vec<f64> = run
        .traces_mv
        .iter()
        .filter_map(|trace| {
            let start = *trace.first()?;
            let peak = trace.iter().map(|v| (v - start).abs()).fold(0.0, f64::max);
            (peak > 0.0 && peak.is_finite()).then_some(peak)
        })
        .collect();
    let largest = peaks.iter().copied().fold(0.0, f64::max);
    let smallest = peaks.iter().copied().fold(f64::INFINITY, f64::min);
    if peaks.len() > 1 && largest > 20.0 * smallest {
        draw(
            normalised_traces_figure(&run.times_ms, &labels, &run.traces_mv),
            "v_traces_normalised",
            "The same responses, each divided by its own peak (given in the legend)".into(),
        )?;
    }
    if !run.profiles.is_empty() {
        draw(
            profiles_figure(&d.distance_from_root_um, &run.profiles, unbranched),
            "v_profiles",
            "The membrane potential along the cell at the profile times (x: path distance \
             from the start of the root section)"
                .into(),
        )?;
    }
    let root = &spec.morphology.sections()[0];
    let lambda = theory.map_or_else(
        || root.membrane.length_constant_um(root.mean_diameter_um()),
        |t| t.cable.length_constant_um(),
    );
    let steady = theory.filter(|t| t.steady);
    draw(
        steady_profile_figure(
            &d.distance_from_root_um,
            &run.final_mv,
            Some(lambda),
            steady.map(|t| t.theory_mv.as_slice()),
            unbranched,
            &format!(
                "membrane potential at the end of the run (t = {} ms)",
                run.simulated_ms
            ),
        ),
        "steady_profile",
        format!(
            "The potential along the cell at the end of the run; λ = {lambda:.1} µm (of the \
             root section){}",
            steady.map_or(String::new(), |t| format!("; dashed: {}", t.basis))
        ),
    )?;
    if let Some(t) = theory.filter(|t| !t.steady) {
        draw(
            steady_profile_figure(
                &d.distance_from_root_um,
                &t.simulated_mv,
                Some(lambda),
                Some(&t.theory_mv),
                unbranched,
                &format!("membrane potential at t = {} ms", t.time_ms),
            ),
            "theory_profile",
            format!(
                "The potential along the cable at t = {} ms; dashed: {}",
                t.time_ms, t.basis
            ),
        )?;
    }
    let diameters: Vec<f64> = d
        .tree
        .compartments()
        .iter()
        .map(|c| c.diameter_um)
        .collect();
    draw(
        morphology_figure(
            &d.segments_um,
            &diameters,
            &run.final_mv,
            &format!("{} at t = {} ms", spec.source.name, run.simulated_ms),
        ),
        "morphology",
        "The morphology coloured by the membrane potential at the end of the run".into(),
    )?;
    Ok(figures)
}

/// Wall-clock times, s, and whether the run reached its end.
struct Timings {
    wall_seconds: f64,
    build_seconds: f64,
    simulate_seconds: f64,
    complete: bool,
}

fn summary(
    spec: &CableModelSpec,
    run: &CableRun,
    input_resistance: Option<f64>,
    velocity: Option<f64>,
    theory: &[TheoryRow],
    warnings: &[String],
    timings: Timings,
) -> Value {
    let d = &spec.model.discretization;
    let sections: Vec<Value> = spec
        .morphology
        .sections()
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "compartments": s.compartments,
                "length_um": s.length_um,
                "diameter_um": s.mean_diameter_um(),
                "lambda_um": s.membrane.length_constant_um(s.mean_diameter_um()),
                "channels": if s.hh.is_some() { "hh" } else { "passive" },
            })
        })
        .collect();
    let traces: Vec<Value> = spec
        .records
        .traces
        .iter()
        .zip(&run.spike_times_ms)
        .map(|(t, spikes)| {
            json!({
                "label": t.label,
                "compartment": t.compartment,
                "distance_um": t.distance_um,
                "spike_count": spikes.len(),
                "first_spike_ms": spikes.first(),
            })
        })
        .collect();
    let theory: Vec<Value> = theory
        .iter()
        .map(|row| {
            json!({
                "quantity": row.key,
                "section": row.population,
                "theory": row.theory,
                "simulation": row.simulation,
                "relative_difference": row.relative_difference(),
                "basis": row.basis,
            })
        })
        .collect();
    json!({
        "kind": "cable",
        "model_file": spec.source.name,
        "cajal_version": env!("CARGO_PKG_VERSION"),
        "complete": timings.complete,
        "method": match spec.simulation.method {
            Method::BackwardEuler => "backward-euler",
            Method::CrankNicolson => "crank-nicolson",
        },
        "dt_ms": spec.simulation.dt_ms,
        "duration_ms": spec.simulation.duration_ms,
        "biological_seconds": run.simulated_ms / 1000.0,
        "compartments": d.len(),
        "sections": sections,
        "input_resistance_mohm": input_resistance,
        "stimulus_compartment": spec.stimulus_compartment,
        "conduction_velocity_m_per_s": velocity,
        "spike_threshold_mv": spec.records.spike_threshold_mv,
        "traces": traces,
        "theory": theory,
        "warnings": warnings,
        "wall_seconds": timings.wall_seconds,
        "build_seconds": timings.build_seconds,
        "simulate_seconds": timings.simulate_seconds,
    })
}

/// What the terminal shows after a run.
fn describe(
    spec: &CableModelSpec,
    run: &CableRun,
    input_resistance: Option<f64>,
    velocity: Option<f64>,
    theory: &[TheoryRow],
) -> String {
    let sections = spec.morphology.sections();
    let mut out = format!(
        "{} compartments in {} section{}, {} ms simulated\n",
        spec.model.discretization.len(),
        sections.len(),
        if sections.len() == 1 { "" } else { "s" },
        run.simulated_ms
    );
    for section in sections.iter().take(8) {
        let diameter = section.mean_diameter_um();
        out += &format!(
            "  {:<12} L = {:>8.1} µm  d = {:>6.2} µm  λ = {:>8.1} µm  L/λ = {:.3}  {}\n",
            section.name,
            section.length_um,
            diameter,
            section.membrane.length_constant_um(diameter),
            section.length_um / section.membrane.length_constant_um(diameter),
            if section.hh.is_some() {
                "hh"
            } else {
                "passive"
            }
        );
    }
    if sections.len() > 8 {
        out += &format!("  … and {} more sections\n", sections.len() - 8);
    }
    if let Some(r) = input_resistance {
        out += &format!("input resistance at the first electrode: {r:.3} MΩ\n");
    }
    for (trace, spikes) in spec.records.traces.iter().zip(&run.spike_times_ms) {
        if !spikes.is_empty() {
            // In a passive section a crossing is a large synaptic or back-propagated
            // potential, not an action potential of its own.
            let what = if sections[trace.location.section].hh.is_some() {
                "action potential"
            } else {
                "crossing"
            };
            out += &format!(
                "  {}: {} {what}{} (threshold {} mV; first at {:.3} ms)\n",
                trace.label,
                spikes.len(),
                if spikes.len() == 1 { "" } else { "s" },
                spec.records.spike_threshold_mv,
                spikes[0]
            );
        }
    }
    if spec.records.velocity.is_some() {
        match velocity {
            Some(v) => out += &format!("conduction velocity: {v:.3} m/s\n"),
            None => out += "conduction velocity: no action potential reached both points\n",
        }
    }
    for row in theory {
        out += &format!(
            "{}: theory {:.5}, simulation {}{}\n",
            row.quantity,
            row.theory,
            row.simulation.map_or("–".into(), |s| format!("{s:.5}")),
            row.relative_difference()
                .map_or(String::new(), |r| format!(" ({:+.3} %)", 100.0 * r))
        );
    }
    for hint in &spec.hints {
        out += &format!("hint: {hint}\n");
    }
    out
}

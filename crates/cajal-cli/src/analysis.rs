//! What `cajal analyze` computes for a rate model, independent of how it is printed or drawn:
//! fixed points and their stability (with characteristic roots where there are delays), the
//! critical coupling of delayed self-inhibition, the modes of neural fields, and a sweep of
//! one parameter with its bifurcations and the limit cycles simulated beyond Hopf points.
//!
//! The analysis is of the autonomous model: each population's constant `input`, its couplings
//! and delays. Time-varying `[[input]]`s drive simulations (`cajal run`) and are left out.

use cajal::dynamics::{
    Bifurcation, BifurcationDiagram, BifurcationKind, Classification, Complex, DelayedHopf,
    FixedPoint, FixedPointOptions, HomogeneousState, Oscillation, RateNetwork, SweepOptions,
    delayed_hopf, field_modes, fixed_points, measure_oscillation, sweep, transfer_slope,
};
use cajal::rate::{CouplingStrength, History, RateModel, RateSimulation, simulate};
use serde_json::{Value, json};

/// The analysis of one model at its parameters.
#[derive(Debug)]
pub struct Analysis {
    /// The populations' names.
    pub names: Vec<String>,
    /// Fixed points of the single-rate model (empty for fields).
    pub fixed_points: Vec<FixedPoint>,
    /// For one population with a delayed self-coupling: the exact Hopf point.
    pub delayed_hopf: Option<DelayedSelfInhibition>,
    /// For each field with a kernel onto itself and from no other field: its homogeneous
    /// states and modes.
    pub fields: Vec<FieldAnalysis>,
    /// What the analysis left out, in words.
    pub notes: Vec<String>,
}

/// The Hopf point of τ dr/dt = −r + Φ(I + J r(t − D)).
#[derive(Debug)]
pub struct DelayedSelfInhibition {
    /// τ, D (ms).
    pub time_constant_ms: f64,
    /// D (ms).
    pub delay_ms: f64,
    /// Φ' at the fixed point the coupling is computed for.
    pub slope: f64,
    /// The closed form's numbers.
    pub hopf: DelayedHopf,
    /// J_c = g J_c / Φ'.
    pub critical_coupling: f64,
    /// The model's J.
    pub coupling: f64,
}

/// The homogeneous states of one field.
#[derive(Debug)]
pub struct FieldAnalysis {
    /// The field's name.
    pub name: String,
    /// The states, each with the growth rates of its modes.
    pub states: Vec<HomogeneousState>,
}

/// One limit cycle measured in a simulation at one parameter value.
#[derive(Debug, Clone)]
pub struct LimitCycle {
    /// The parameter's value.
    pub value: f64,
    /// Per population, the oscillation (None: that population does not oscillate).
    pub oscillations: Vec<Option<Oscillation>>,
}

/// A sweep of one parameter.
#[derive(Debug)]
pub struct Sweep {
    /// The parameter's path in the model file.
    pub parameter: String,
    /// The diagram (fixed points per value, branches, bifurcations).
    pub diagram: BifurcationDiagram,
    /// Limit cycles simulated where no fixed point is stable.
    pub limit_cycles: Vec<LimitCycle>,
}

/// The analysis of `model` at its parameters.
pub fn analyze(model: &RateModel) -> Result<Analysis, String> {
    let names = model.populations().iter().map(|p| p.name.clone()).collect();
    if model.has_fields() {
        let mut fields = Vec::new();
        let mut notes = Vec::new();
        if model.populations().iter().any(|p| p.geometry.size() == 1) {
            notes.push(
                "the single-rate populations of a model with fields are not analysed".to_string(),
            );
        }
        for coupling in model.couplings() {
            let (CouplingStrength::Kernel(kernel), true) =
                (&coupling.strength, coupling.source == coupling.target)
            else {
                continue;
            };
            let population = &model.populations()[coupling.source];
            if model
                .couplings()
                .iter()
                .any(|c| c.target == coupling.target && c.source != coupling.target)
            {
                notes.push(format!(
                    "field `{}` receives kernels from other fields; the analysis of one field \
                     alone does not apply to it",
                    population.name
                ));
                continue;
            }
            if coupling.delay_ms > 0.0 {
                notes.push(format!(
                    "the {} ms delay of field `{}`'s kernel is left out of its modes: their \
                     growth rates are those without delay",
                    coupling.delay_ms, population.name
                ));
            }
            let states = field_modes(
                kernel,
                &population.geometry,
                population.time_constant_ms,
                population.input,
                &population.transfer,
            )
            .map_err(|e| format!("field `{}`: {e}", population.name))?;
            fields.push(FieldAnalysis {
                name: population.name.clone(),
                states,
            });
        }
        return Ok(Analysis {
            names,
            fixed_points: Vec::new(),
            delayed_hopf: None,
            fields,
            notes,
        });
    }
    let network = model.network().map_err(|e| e.to_string())?;
    let points =
        fixed_points(&network, &FixedPointOptions::default()).map_err(|e| e.to_string())?;
    let delayed_hopf = self_inhibition(model, &network, &points)?;
    Ok(Analysis {
        names,
        fixed_points: points,
        delayed_hopf,
        fields: Vec::new(),
        notes: Vec::new(),
    })
}

/// The exact Hopf point of one population whose only coupling is a delayed self-coupling,
/// at the slope of its first fixed point.
fn self_inhibition(
    model: &RateModel,
    network: &RateNetwork,
    points: &[FixedPoint],
) -> Result<Option<DelayedSelfInhibition>, String> {
    let [population] = model.populations() else {
        return Ok(None);
    };
    let [coupling] = model.couplings() else {
        return Ok(None);
    };
    let (CouplingStrength::Weight(weight), Some(point)) = (&coupling.strength, points.first())
    else {
        return Ok(None);
    };
    let input = network.total_input(&point.rates)[0];
    let slope = transfer_slope(&population.transfer, input);
    // Only delayed inhibition (a negative loop gain) oscillates through this Hopf point.
    if coupling.delay_ms <= 0.0 || weight * slope >= 0.0 {
        return Ok(None);
    }
    let hopf =
        delayed_hopf(population.time_constant_ms, coupling.delay_ms).map_err(|e| e.to_string())?;
    Ok(Some(DelayedSelfInhibition {
        time_constant_ms: population.time_constant_ms,
        delay_ms: coupling.delay_ms,
        slope,
        critical_coupling: hopf.critical_coupling(slope),
        hopf,
        coupling: *weight,
    }))
}

/// `model` with every `[[input]]` that is a constant over the whole run folded into its
/// target's constant input, as the simulator folds it: the autonomous model the analysis
/// studies.
pub fn with_constant_inputs(
    model: &RateModel,
    inputs: &[cajal::rate::RateInput],
) -> Result<RateModel, String> {
    let mut populations = model.populations().to_vec();
    for input in inputs {
        if let cajal::rate::RateInputKind::Waveform(cajal::input::InputKind::Constant { amplitude }) =
            input.kind
            && input.start_ms <= 0.0
            && input.stop_ms == f64::INFINITY
        {
            populations[input.target].input += amplitude;
        }
    }
    RateModel::new(populations, model.couplings().to_vec()).map_err(|e| e.to_string())
}

/// How a sweep simulates limit cycles.
#[derive(Debug, Clone, Copy)]
pub struct CycleSimulation {
    /// The step (ms).
    pub dt_ms: f64,
    /// Simulated time before the measurement (ms).
    pub transient_ms: f64,
    /// Measured time (ms).
    pub measured_ms: f64,
}

/// Sweeps `values` of `parameter`; `model_at(v)` is the model with the parameter set to v.
pub fn sweep_parameter(
    parameter: &str,
    values: &[f64],
    model_at: &dyn Fn(f64) -> Result<RateModel, String>,
    cycles: CycleSimulation,
) -> Result<Sweep, String> {
    // The sweep's closure reports library errors; a model-file error at some value is kept
    // here and returned as it was.
    let failure = std::cell::RefCell::new(None);
    let build = |value: f64| {
        let model = model_at(value).map_err(|message| {
            failure.replace(Some(format!("{parameter} = {value}: {message}")));
            cajal::dynamics::DynamicsError::Option {
                option: "sweep",
                message: String::new(),
            }
        })?;
        model.network().map_err(|e| match e {
            cajal::rate::RateError::Dynamics(e) => e,
            other => {
                failure.replace(Some(format!("{parameter} = {value}: {other}")));
                cajal::dynamics::DynamicsError::Option {
                    option: "sweep",
                    message: String::new(),
                }
            }
        })
    };
    let diagram = match sweep(build, values, &SweepOptions::default()) {
        Ok(diagram) => diagram,
        Err(error) => {
            return Err(failure
                .into_inner()
                .unwrap_or_else(|| format!("sweep of {parameter}: {error}")));
        }
    };
    let mut limit_cycles = Vec::new();
    for point in &diagram.points {
        if point.fixed_points.iter().any(FixedPoint::is_stable) {
            continue;
        }
        let model = model_at(point.value)?;
        let oscillations = simulate_cycle(&model, &point.fixed_points, cycles)
            .map_err(|e| format!("{parameter} = {}: {e}", point.value))?;
        limit_cycles.push(LimitCycle {
            value: point.value,
            oscillations,
        });
    }
    Ok(Sweep {
        parameter: parameter.to_string(),
        diagram,
        limit_cycles,
    })
}

/// Simulates `model` from just beside its first unstable fixed point (or its initial rates)
/// and measures each population's oscillation after the transient.
fn simulate_cycle(
    model: &RateModel,
    points: &[FixedPoint],
    cycles: CycleSimulation,
) -> Result<Vec<Option<Oscillation>>, String> {
    let mut populations = model.populations().to_vec();
    if let Some(point) = points.first() {
        for (population, rate) in populations.iter_mut().zip(&point.rates) {
            // A 1 % kick (and at least 1e-3) off the fixed point, so the run leaves it.
            population.initial_rate = rate * 1.01 + 1e-3;
        }
    }
    let model =
        RateModel::new(populations, model.couplings().to_vec()).map_err(|e| e.to_string())?;
    // A cycle is measured once it has settled: the amplitudes in the two halves of the
    // measured time agree within 2 %. Slowly growing or decaying oscillations (near a Hopf
    // point, or under a linear Φ that only its threshold bounds) get up to 16 times longer.
    let mut transient_ms = cycles.transient_ms;
    for _ in 0..5 {
        let recording = simulate(
            &model,
            Vec::new(),
            History::Constant,
            RateSimulation {
                dt_ms: cycles.dt_ms,
                seed: 0,
            },
            transient_ms + cycles.measured_ms,
            cycles.dt_ms,
        )
        .map_err(|e| e.to_string())?;
        let times = &recording.times_ms;
        let half = transient_ms + cycles.measured_ms / 2.0;
        let split = times.partition_point(|&t| t < half);
        let measure = |times: &[f64], rates: &[f64], from: f64| {
            // `measure_oscillation` counts its transient from the slice's first sample.
            let transient = (from - times.first().copied().unwrap_or(0.0)).max(0.0);
            measure_oscillation(times, rates, transient).map_err(|e| e.to_string())
        };
        let mut settled = true;
        let mut found = Vec::new();
        for rates in &recording.rates {
            let whole = measure(times, rates, transient_ms)?;
            let first = measure(&times[..split], &rates[..split], transient_ms)?;
            let second = measure(&times[split..], &rates[split..], half)?;
            match (&whole, first, second) {
                (Some(_), Some(a), Some(b)) => {
                    if (a.amplitude - b.amplitude).abs() > 0.02 * a.amplitude.max(b.amplitude) {
                        settled = false;
                    }
                }
                (None, None, None) => {}
                _ => settled = false,
            }
            found.push(whole);
        }
        if settled {
            return Ok(found);
        }
        transient_ms *= 2.0;
    }
    Ok(vec![None; model.populations().len()])
}

/// The words for a classification.
pub fn stability_name(classification: Classification) -> &'static str {
    match classification {
        Classification::StableNode => "stable node",
        Classification::StableFocus => "stable focus",
        Classification::Saddle => "saddle",
        Classification::UnstableNode => "unstable node",
        Classification::UnstableFocus => "unstable focus",
        Classification::Marginal => "marginal",
    }
}

/// The JSON name of a bifurcation.
pub fn bifurcation_name(kind: BifurcationKind) -> &'static str {
    match kind {
        BifurcationKind::SaddleNode => "saddle-node",
        BifurcationKind::Hopf => "hopf",
    }
}

fn pairs(values: &[Complex<f64>]) -> Value {
    Value::from(
        values
            .iter()
            .map(|z| json!([z.re, z.im]))
            .collect::<Vec<_>>(),
    )
}

fn fixed_point_json(point: &FixedPoint) -> Value {
    json!({
        "rates": point.rates,
        "eigenvalues": pairs(&point.eigenvalues),
        "characteristic_roots": point.characteristic_roots.as_deref().map(pairs),
        "stability": stability_name(point.classification),
        "stable": point.is_stable(),
    })
}

fn bifurcation_json(parameter: &str, bifurcation: &Bifurcation) -> Value {
    json!({
        "kind": bifurcation_name(bifurcation.kind),
        "parameter": parameter,
        "value": bifurcation.value,
        "rates": bifurcation.rates,
        "frequency_hz": bifurcation.frequency_hz,
    })
}

fn oscillation_json(oscillation: &Option<Oscillation>) -> Value {
    match oscillation {
        Some(o) => json!({
            "amplitude": o.amplitude,
            "minimum": o.minimum,
            "maximum": o.maximum,
            "mean": o.mean,
            "frequency_hz": o.frequency_hz,
        }),
        None => Value::Null,
    }
}

/// The document `cajal analyze --json` prints (schema in the README).
pub fn to_json(model_path: &str, analysis: &Analysis, sweep: Option<&Sweep>) -> Value {
    let mut document = json!({
        "model": model_path,
        "populations": analysis.names,
        "fixed_points": analysis.fixed_points.iter().map(fixed_point_json).collect::<Vec<_>>(),
        "notes": analysis.notes,
        "bifurcations": sweep.map_or_else(Vec::new, |s| {
            s.diagram.bifurcations.iter().map(|b| bifurcation_json(&s.parameter, b)).collect()
        }),
    });
    if let Some(delayed) = &analysis.delayed_hopf {
        document["delayed_hopf"] = json!({
            "time_constant_ms": delayed.time_constant_ms,
            "delay_ms": delayed.delay_ms,
            "slope": delayed.slope,
            "critical_loop_gain": delayed.hopf.critical_loop_gain,
            "critical_coupling": delayed.critical_coupling,
            "frequency_hz": delayed.hopf.frequency_hz,
            "coupling": delayed.coupling,
            "oscillates": delayed.coupling * delayed.slope < delayed.hopf.critical_loop_gain,
        });
    }
    if !analysis.fields.is_empty() {
        document["fields"] = Value::from(
            analysis
                .fields
                .iter()
                .map(|field| {
                    json!({
                        "population": field.name,
                        "homogeneous_states": field.states.iter().map(|state| json!({
                            "rate": state.rate,
                            "slope": state.slope,
                            "stable": state.stable,
                            "forms_pattern": state.forms_pattern(),
                            "most_unstable_mode": {
                                "wavenumber": state.most_unstable.wavenumber,
                                "wavelength": state.most_unstable.wavelength,
                                "growth_rate_per_ms": [state.most_unstable.growth_rate_per_ms.re,
                                    state.most_unstable.growth_rate_per_ms.im],
                            },
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>(),
        );
    }
    if let Some(sweep) = sweep {
        document["sweep"] = json!({
            "parameter": sweep.parameter,
            "points": sweep.diagram.points.iter().map(|p| json!({
                "value": p.value,
                "fixed_points": p.fixed_points.iter().map(fixed_point_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "limit_cycles": sweep.limit_cycles.iter().map(|c| json!({
                "value": c.value,
                "populations": c.oscillations.iter().map(oscillation_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
    }
    document
}

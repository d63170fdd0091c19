use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use super::*;
use crate::cable::{Attachment, CurrentWaveform, SynapseKind};
use crate::spec::rate_model::{ModelFile, read_any_model};

fn read(text: &str) -> Result<CableModelSpec, SpecError> {
    read_cable_model(Source::new("cell.toml", text), Path::new("."))
}

fn read_in(text: &str, directory: &Path) -> Result<CableModelSpec, SpecError> {
    read_cable_model(Source::new("cell.toml", text), directory)
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-12 * want.abs().max(1.0)
}

/// The one-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"))
        + 1
}

/// NEURON's d_lambda rule, written out as in its `fixnseg.hoc`: the length constant at
/// 100 Hz, `λ_f = 1e5 sqrt(d / (4π f R_a c_m))` µm, and an odd number of segments
/// `int((L / (d_lambda λ_f) + 0.9) / 2) * 2 + 1`.
fn neuron_nseg(length_um: f64, diameter_um: f64, r_a: f64, c_m: f64, d_lambda: f64) -> usize {
    let lambda_f = 1e5 * (diameter_um / (4.0 * PI * 100.0 * r_a * c_m)).sqrt();
    ((length_um / (d_lambda * lambda_f) + 0.9) / 2.0) as usize * 2 + 1
}

/// A sealed passive cable with λ = 1000 µm (d = 2 µm, R_a = 100 Ω·cm, R_m = 20 kΩ·cm²).
const CABLE: &str = r#"
[simulation]
duration = "50 ms"
dt = "0.025 ms"
method = "backward-euler"
temperature = "20 degC"
v_init = "-70 mV"
seed = 3

[membrane]
cm = "1 uF/cm^2"
ra = "100 ohm*cm"
g_leak = "0.05 mS/cm^2"
e_leak = "-65 mV"

[section.cable]
length = "2000 um"
diameter = "2 um"
compartments = 101

[[stimulus]]
section = "cable"
position = 0.0
amplitude = "10 pA"
start = "5 ms"
duration = "20 ms"

[[stimulus]]
section = "cable"
kind = "delta"
time = "1 ms"
charge = "2 pC"

[[synapse]]
section = "cable"
position = 0.75
weight = "2 nS"
reversal = "-80 mV"
tau_rise = "0.5 ms"
tau_decay = "5 ms"
spike_times = ["5 ms", "10 ms", "10 ms"]

[[synapse]]
section = "cable"
kind = "current"
weight = "-30 pA"
tau_decay = "2 ms"
spike_times = ["1 ms"]

[record]
every = "0.1 ms"
traces = [
    { section = "cable", electrotonic = 0.5 },
    { section = "cable", position = 1.0 },
    { section = "cable", distance = "0.3 mm" },
    { section = "cable", distance = "250 um" },
]
profile_times = ["1 ms", "20 ms"]
velocity = { section = "cable", from = 0.25, to = 0.75 }
"#;

#[test]
fn a_passive_cable_is_read_in_the_units_of_the_cable_library() {
    let spec = read(CABLE).unwrap();
    let simulation = spec.simulation;
    assert_eq!(simulation.method, Method::BackwardEuler);
    assert!(close(simulation.duration_ms, 50.0) && close(simulation.dt_ms, 0.025));
    assert_eq!(simulation.steps, 2000);
    assert!((simulation.temperature_celsius - 20.0).abs() < 1e-9);
    assert_eq!(simulation.seed, 3);
    assert!(close(
        spec.model.temperature_celsius,
        simulation.temperature_celsius
    ));
    assert!(close(spec.model.initial_mv, -70.0));

    let sections = spec.morphology.sections();
    assert_eq!(sections.len(), 1);
    let cable = &sections[0];
    assert_eq!((cable.name.as_str(), cable.parent), ("cable", None));
    assert!(close(cable.length_um, 2000.0) && close(cable.diameter_um, 2.0));
    assert_eq!(cable.compartments, 101);
    assert!(cable.points.is_empty() && cable.hh.is_none());
    // mS/cm² → S/cm².
    let membrane = cable.membrane;
    assert!(close(membrane.c_m, 1.0) && close(membrane.r_a, 100.0));
    assert!(close(membrane.g_leak, 5e-5) && close(membrane.e_leak, -65.0));
    assert!(close(membrane.length_constant_um(2.0), 1000.0));
    let discretization = &spec.model.discretization;
    assert_eq!(discretization.len(), 101);

    // pA → nA; pC stays pC (= nA·ms).
    let injections = &spec.model.injections;
    assert_eq!(injections.len(), 2);
    let first = Location {
        section: 0,
        position: 0.0,
    };
    assert_eq!(injections[0].compartment, discretization.locate(first));
    assert_eq!(spec.stimulus_compartment, Some(injections[0].compartment));
    let CurrentWaveform::Step {
        start_ms,
        duration_ms,
        amplitude_na,
    } = injections[0].waveform
    else {
        panic!("a step")
    };
    assert!(close(start_ms, 5.0) && close(duration_ms, 20.0) && close(amplitude_na, 0.01));
    // Position defaults to the middle of the section.
    let middle = Location {
        section: 0,
        position: 0.5,
    };
    assert_eq!(injections[1].compartment, discretization.locate(middle));
    assert_eq!(
        injections[1].waveform,
        CurrentWaveform::Delta {
            time_ms: 1.0,
            charge_pc: 2.0
        }
    );

    // nS → µS, pA → nA.
    let synapses = &spec.model.synapses;
    assert_eq!(synapses.len(), 2);
    assert_eq!(
        synapses[0].kind,
        SynapseKind::Conductance { reversal_mv: -80.0 }
    );
    assert!(close(synapses[0].weight, 0.002));
    assert!(close(synapses[0].tau_rise_ms, 0.5) && close(synapses[0].tau_decay_ms, 5.0));
    assert_eq!(synapses[0].spike_times_ms, [5.0, 10.0, 10.0]);
    let three_quarters = Location {
        section: 0,
        position: 0.75,
    };
    assert_eq!(
        synapses[0].compartment,
        discretization.locate(three_quarters)
    );
    assert_eq!(synapses[1].kind, SynapseKind::Current);
    assert!(close(synapses[1].weight, -0.03) && close(synapses[1].tau_rise_ms, 0.0));

    let records = &spec.records;
    assert!(close(records.every_ms, 0.1));
    let labels: Vec<&str> = records.traces.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        ["cable@0.5lambda", "cable@1.0", "cable@300um", "cable@250um"]
    );
    assert!(close(records.traces[1].distance_um, 2000.0));
    assert!(close(records.traces[2].distance_um, 300.0));
    assert!(close(records.traces[2].location.position, 0.15));
    assert_eq!(records.profile_times_ms, [1.0, 20.0]);
    let velocity = records.velocity.expect("asked for");
    assert_eq!((velocity.section, velocity.from.position), (0, 0.25));
    // Between the centres of compartments 25 and 75 of 101.
    assert!(close(velocity.distance_um, 50.0 * 2000.0 / 101.0));
    assert_eq!(
        velocity.from_compartment,
        discretization.locate(velocity.from)
    );
    assert_eq!(velocity.to_compartment, discretization.locate(velocity.to));
    assert!(velocity.from_compartment < velocity.to_compartment);
}

#[test]
fn an_electrotonic_trace_lies_in_the_compartment_at_that_many_length_constants() {
    let spec = read(CABLE).unwrap();
    let trace = &spec.records.traces[0];
    // λ = 1000 µm, so 0.5 λ is 500 µm along the 2000 µm cable.
    assert!(close(trace.distance_um, 500.0));
    assert!(close(trace.location.position, 0.25));
    let discretization = &spec.model.discretization;
    assert_eq!(trace.compartment, discretization.locate(trace.location));
    // The compartment is the one whose 2000/101 µm span holds 500 µm.
    let centre = discretization.position[trace.compartment] * 2000.0;
    assert!((centre - 500.0).abs() <= 1000.0 / 101.0 + 1e-9, "{centre}");
    assert_eq!(discretization.section[trace.compartment], 0);
}

#[test]
fn sections_without_compartments_follow_neurons_d_lambda_rule() {
    let text = r#"
[simulation]
duration = "10 ms"
[membrane]
ra = "150 ohm*cm"
cm = "0.8 uF/cm^2"
rm = "20000 ohm*cm^2"
[section.dend]
parent = "soma"
attach = 0.5
length = "700 um"
diameter = "1.5 um"
[section.soma]
length = "20 um"
diameter = "20 um"
[section.axon]
parent = "soma"
length = "1000 um"
diameter = "1 um"
ra = "70 ohm*cm"
"#;
    let spec = read(text).unwrap();
    let sections = spec.morphology.sections();
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    // The root first; otherwise file order.
    assert_eq!(names, ["soma", "dend", "axon"]);
    assert_eq!(
        sections[1].parent,
        Some(Attachment {
            section: 0,
            position: 0.5
        })
    );
    assert_eq!(
        sections[2].parent,
        Some(Attachment {
            section: 0,
            position: 1.0
        })
    );
    // rm in Ω·cm² → g_leak in S/cm².
    assert!(close(sections[0].membrane.g_leak, 5e-5));
    assert!(close(sections[2].membrane.r_a, 70.0) && close(sections[2].membrane.c_m, 0.8));
    assert_eq!(
        sections[0].compartments,
        neuron_nseg(20.0, 20.0, 150.0, 0.8, 0.1)
    );
    assert_eq!(
        sections[1].compartments,
        neuron_nseg(700.0, 1.5, 150.0, 0.8, 0.1)
    );
    assert_eq!(
        sections[2].compartments,
        neuron_nseg(1000.0, 1.0, 70.0, 0.8, 0.1)
    );
    assert!(sections[2].compartments > 1 && sections[2].compartments % 2 == 1);
    // The default temperature, method, seed, dt and initial potential.
    assert!((spec.simulation.temperature_celsius - 6.3).abs() < 1e-9);
    assert_eq!(spec.simulation.method, Method::CrankNicolson);
    assert_eq!(spec.simulation.seed, 1);
    assert!(close(spec.simulation.dt_ms, DEFAULT_DT_MS));
    assert!(close(spec.model.initial_mv, -65.0));
    // Without [record]: the middle of the root, every 0.1 ms.
    assert_eq!(spec.records.traces.len(), 1);
    assert_eq!(spec.records.traces[0].label, "soma@0.5");
    assert!(close(spec.records.every_ms, 0.1));

    let finer = text.replace("rm = ", "d_lambda = 0.02\nrm = ");
    let spec = read(&finer).unwrap();
    assert_eq!(
        spec.morphology.sections()[2].compartments,
        neuron_nseg(1000.0, 1.0, 70.0, 0.8, 0.02)
    );
}

#[test]
fn hh_sections_take_defaults_and_overrides_in_s_per_cm2() {
    let text = r#"
[simulation]
duration = "10 ms"
dt = "0.01 ms"
[section.soma]
length = "20 um"
diameter = "20 um"
compartments = 1
channels = "hh"
g_na = "100 mS/cm^2"
e_k = "-80 mV"
g_leak = "0.3 mS/cm^2"
e_leak = "-54.3 mV"
"#;
    let spec = read(text).unwrap();
    let soma = &spec.morphology.sections()[0];
    let hh = soma.hh.expect("hh");
    assert!(close(hh.g_na, 0.1) && close(hh.g_k, 0.036));
    assert!(close(hh.e_na, 50.0) && close(hh.e_k, -80.0));
    assert!(close(soma.membrane.g_leak, 3e-4));
    // v_init defaults to the root's e_leak.
    assert!(close(spec.model.initial_mv, -54.3));
}

#[test]
fn read_any_model_tells_cable_models_apart() {
    let source = Source::new("cell.toml", CABLE);
    let root = parse_document(&source).unwrap();
    assert!(is_cable_model(&root));
    let model = read_any_model(source, Path::new(".")).unwrap();
    assert!(matches!(model, ModelFile::Cable(_)));
    let network = Source::new("n.toml", "[population.e]\nmodel = \"lif\"\n[section.a]\n");
    assert!(!is_cable_model(&parse_document(&network).unwrap()));
}

#[test]
fn numbers_in_labels_and_messages_lose_conversion_noise() {
    assert_eq!(tidy(250.00000000000003), "250");
    assert_eq!(tidy(0.025), "0.025");
    assert_eq!(tidy(-26.850000000000023), "-26.85");
    assert_eq!(tidy(1.0 / 3.0), "0.333333333333");
}

#[test]
fn the_recording_samples_the_traces_every_few_steps() {
    let spec = read(CABLE).unwrap();
    let recording = spec.recording();
    let compartments: Vec<usize> = spec.records.traces.iter().map(|t| t.compartment).collect();
    assert_eq!(recording.trace_compartments, compartments);
    // 0.1 ms at dt = 0.025 ms.
    assert_eq!(recording.sample_every_steps, 4);
    assert_eq!(recording.profile_times_ms, [1.0, 20.0]);
    let mut simulation = spec.simulation;
    simulation.set_duration(10.0).unwrap();
    assert_eq!((simulation.duration_ms, simulation.steps), (10.0, 400));
    assert!(simulation.set_duration(-1.0).is_err());
    assert!(simulation.set_duration(f64::INFINITY).is_err());
}

#[test]
fn a_read_cable_runs_to_the_closed_form_steady_state() {
    // 10 pA held at the start of the sealed cable of CABLE for 10 τ_m: V − E at x = 0 is
    // I·R_in, R_in = r_a λ coth(L/λ) (the reader's units are the simulator's).
    let text = CABLE
        .replace("duration = \"50 ms\"", "duration = \"200 ms\"")
        .replace("start = \"5 ms\"\nduration = \"20 ms\"\n", "")
        .replace("charge = \"2 pC\"", "charge = \"0 pC\"")
        .replace("weight = \"2 nS\"", "weight = \"0 nS\"")
        .replace("weight = \"-30 pA\"", "weight = \"0 pA\"");
    let spec = read(&text).unwrap();
    let s = spec.simulation;
    let run = cable::simulate(
        &spec.model,
        s.method,
        s.dt_ms,
        s.duration_ms,
        &spec.recording(),
        &mut |_, _| true,
    )
    .unwrap();
    let membrane = spec.morphology.sections()[0].membrane;
    let lambda = membrane.length_constant_um(2.0);
    let r_in_mohm = membrane.axial_resistance_per_um(2.0) * lambda / (2000.0 / lambda).tanh();
    let expected = 10e-3 * r_in_mohm;
    let got = run.final_mv[spec.stimulus_compartment.unwrap()] - membrane.e_leak;
    assert!(
        (got - expected).abs() < 0.02 * expected,
        "{got} vs {expected} mV"
    );
}

#[test]
fn non_multiple_durations_round_to_the_nearest_step() {
    let text = CABLE.replace("duration = \"50 ms\"", "duration = \"50.01 ms\"");
    assert_eq!(read(&text).unwrap().simulation.steps, 2000);
    let text = CABLE.replace("duration = \"50 ms\"", "duration = \"50.02 ms\"");
    assert_eq!(read(&text).unwrap().simulation.steps, 2001);
}

/// Two sections, explicit compartments: the base of the error cases.
const BASE: &str = r#"
[simulation]
duration = "10 ms"
dt = "0.025 ms"

[section.soma]
length = "20 um"
diameter = "20 um"
compartments = 1

[section.dend]
parent = "soma"
length = "200 um"
diameter = "2 um"
compartments = 11
"#;

/// Reads `text`, which must fail, and checks that the error names `key` and points at the
/// line holding `needle`.
fn assert_error(text: &str, key: &str, needle: &str) -> SpecError {
    let error = match read(text) {
        Ok(_) => panic!("no error for key {key} in\n{text}"),
        Err(error) => error,
    };
    assert_eq!(error.key.as_deref(), Some(key), "{error}");
    assert_eq!(error.line, line_of(text, needle), "{error}");
    assert!(error.to_string().contains(key), "{error}");
    error
}

#[test]
fn section_errors_name_the_key_and_line() {
    let unknown = BASE.replace("parent = \"soma\"", "parent = \"somma\"");
    let error = assert_error(&unknown, "section.dend.parent", "somma");
    assert!(error.message.contains("somma"), "{error}");
    assert_eq!(error.hint.as_deref(), Some("did you mean \"soma\"?"));

    let two_roots = format!("{BASE}[section.other]\nlength = \"5 um\"\ndiameter = \"1 um\"\n");
    let error = assert_error(&two_roots, "section.other", "[section.other]");
    assert!(error.message.contains("soma") && error.message.contains("other"));

    let cycle = format!(
        "{BASE}[section.a]\nparent = \"b\"\nlength = \"5 um\"\ndiameter = \"1 um\"\n\
         [section.b]\nparent = \"a\"\nlength = \"5 um\"\ndiameter = \"1 um\"\n"
    );
    let error = assert_error(&cycle, "section.a.parent", "parent = \"b\"");
    assert!(error.message.contains("a → b → a"), "{error}");

    let no_root = BASE.replace(
        "compartments = 1\n",
        "compartments = 1\nparent = \"dend\"\n",
    );
    let error = assert_error(&no_root, "section.soma.parent", "parent = \"dend\"");
    assert!(error.hint.unwrap().contains("root"));

    let self_parent = BASE.replace("parent = \"soma\"", "parent = \"dend\"");
    assert_error(&self_parent, "section.dend.parent", "parent = \"dend\"");

    let outside = BASE.replace("parent = \"soma\"", "parent = \"soma\"\nattach = 1.5");
    assert_error(&outside, "section.dend.attach", "attach");
    let root_attach = BASE.replace("compartments = 1\n", "compartments = 1\nattach = 0.5\n");
    assert_error(&root_attach, "section.soma.attach", "attach");

    let both = BASE.replace(
        "compartments = 11",
        "compartments = 11\ng_leak = \"0.1 mS/cm^2\"\nrm = \"1000 ohm*cm^2\"",
    );
    assert_error(&both, "section.dend.rm", "rm =");
    let both = format!("{BASE}[membrane]\ng_leak = \"0.1 mS/cm^2\"\nrm = \"1000 ohm*cm^2\"\n");
    assert_error(&both, "membrane.rm", "rm =");

    let negative = BASE.replace("\"200 um\"", "\"-200 um\"");
    assert_error(&negative, "section.dend.length", "-200 um");
    let zero = BASE.replace("\"2 um\"", "\"0 um\"");
    assert_error(&zero, "section.dend.diameter", "\"0 um\"");
    let missing = BASE.replace("length = \"200 um\"\n", "");
    assert_error(&missing, "section.dend", "[section.dend]");
    let zero_ra = format!("{BASE}[membrane]\nra = \"0 ohm*cm\"\n");
    assert_error(&zero_ra, "membrane.ra", "ra =");

    let no_compartments = BASE.replace("compartments = 11", "compartments = 0");
    assert_error(&no_compartments, "section.dend.compartments", "= 0");

    let channels = BASE.replace("compartments = 11", "compartments = 11\nchannels = \"hhh\"");
    let error = assert_error(&channels, "section.dend.channels", "hhh");
    assert_eq!(error.hint.as_deref(), Some("did you mean \"hh\"?"));

    let hh_on_passive = BASE.replace(
        "compartments = 11",
        "compartments = 11\ng_na = \"1 S/cm^2\"",
    );
    let error = assert_error(&hh_on_passive, "section.dend.g_na", "g_na");
    assert!(error.hint.unwrap().contains("channels = \"hh\""));

    let unknown_key = BASE.replace("compartments = 11", "compartments = 11\ndiam = \"2 um\"");
    let error = assert_error(&unknown_key, "section.dend.diam", "diam =");
    assert!(error.message.contains("unknown key"));
    let unknown_table = format!("{BASE}[membran]\ncm = \"1 uF/cm^2\"\n");
    assert_error(&unknown_table, "membran", "[membran]");
}

#[test]
fn simulation_errors_name_the_key_and_line() {
    let long_dt = BASE.replace("dt = \"0.025 ms\"", "dt = \"20 ms\"");
    assert_error(&long_dt, "simulation.dt", "dt =");
    let negative = BASE.replace("duration = \"10 ms\"", "duration = \"-10 ms\"");
    assert_error(&negative, "simulation.duration", "duration");
    let method = BASE.replace("dt = \"0.025 ms\"", "dt = \"0.025 ms\"\nmethod = \"euler\"");
    assert_error(&method, "simulation.method", "euler");
    let cold = BASE.replace(
        "dt = \"0.025 ms\"",
        "dt = \"0.025 ms\"\ntemperature = \"-300 degC\"",
    );
    assert_error(&cold, "simulation.temperature", "temperature");
    let endless = BASE.replace("duration = \"10 ms\"", "duration = \"1e9 s\"");
    assert_error(&endless, "simulation.duration", "duration");
}

#[test]
fn input_errors_name_the_key_and_line() {
    let stimulus = |body: &str| format!("{BASE}[[stimulus]]\n{body}\n");
    let unknown = stimulus("section = \"axon\"\namplitude = \"1 pA\"");
    let error = assert_error(&unknown, "stimulus[0].section", "\"axon\"");
    assert!(error.message.contains("axon"));
    let outside = stimulus("section = \"dend\"\nposition = 1.2\namplitude = \"1 pA\"");
    assert_error(&outside, "stimulus[0].position", "position");
    let missing = stimulus("section = \"dend\"\nkind = \"delta\"\ntime = \"1 ms\"");
    assert_error(&missing, "stimulus[0]", "[[stimulus]]");
    let late_key = stimulus("section = \"dend\"\namplitude = \"1 pA\"\ncharge = \"1 pC\"");
    assert_error(&late_key, "stimulus[0].charge", "charge");

    let synapse = |body: &str| format!("{BASE}[[synapse]]\nsection = \"dend\"\n{body}\n");
    let both = synapse(
        "weight = \"1 nS\"\ntau_decay = \"5 ms\"\nspike_times = [\"1 ms\"]\nrate = \"10 Hz\"",
    );
    assert_error(&both, "synapse[0].rate", "rate");
    let neither = synapse("weight = \"1 nS\"\ntau_decay = \"5 ms\"");
    assert_error(&neither, "synapse[0]", "[[synapse]]");
    let descending =
        synapse("weight = \"1 nS\"\ntau_decay = \"5 ms\"\nspike_times = [\"2 ms\",\n  \"1 ms\"]");
    let error = assert_error(&descending, "synapse[0].spike_times", "\"1 ms\"]");
    assert!(error.message.contains("ascending"));
    let negative = synapse("weight = \"1 nS\"\ntau_decay = \"5 ms\"\nspike_times = [\"-1 ms\"]");
    assert_error(&negative, "synapse[0].spike_times", "-1 ms");
    let zero_tau = synapse("weight = \"1 nS\"\ntau_decay = \"0 ms\"\nspike_times = []");
    assert_error(&zero_tau, "synapse[0].tau_decay", "tau_decay");
    let negative_tau =
        synapse("weight = \"1 nS\"\ntau_rise = \"-1 ms\"\ntau_decay = \"5 ms\"\nspike_times = []");
    assert_error(&negative_tau, "synapse[0].tau_rise", "tau_rise");
    let slow_rise =
        synapse("weight = \"1 nS\"\ntau_rise = \"5 ms\"\ntau_decay = \"5 ms\"\nspike_times = []");
    assert_error(&slow_rise, "synapse[0].tau_rise", "tau_rise");
    let reversal = synapse(
        "kind = \"current\"\nweight = \"1 pA\"\nreversal = \"0 mV\"\ntau_decay = \"5 ms\"\nspike_times = []",
    );
    assert_error(&reversal, "synapse[0].reversal", "reversal");
    let wrong_unit = synapse("weight = \"1 pA\"\ntau_decay = \"5 ms\"\nspike_times = []");
    assert_error(&wrong_unit, "synapse[0].weight", "weight");
}

#[test]
fn record_errors_name_the_key_and_line() {
    let record = |body: &str| format!("{BASE}[record]\n{body}\n");
    let fast = record("every = \"0.01 ms\"");
    assert_error(&fast, "record.every", "every");
    let beyond = record("traces = [\n  { section = \"dend\", distance = \"250 um\" },\n]");
    let error = assert_error(&beyond, "record.traces[0].distance", "250 um");
    assert!(error.message.contains("beyond"));
    // λ of dend: d = 2 µm, R_a = 100 Ω·cm, g = 0.1 mS/cm² → 707 µm; 0.5 λ > 200 µm.
    let electrotonic = record("traces = [{ section = \"dend\", electrotonic = 0.5 }]");
    assert_error(
        &electrotonic,
        "record.traces[0].electrotonic",
        "electrotonic",
    );
    let unknown = record("traces = [{ section = \"dendd\", position = 0.5 }]");
    let error = assert_error(&unknown, "record.traces[0].section", "dendd");
    assert_eq!(error.hint.as_deref(), Some("did you mean \"dend\"?"));
    let two = record("traces = [{ section = \"dend\", position = 0.5, distance = \"1 um\" }]");
    assert_error(&two, "record.traces[0].distance", "traces");
    let outside = record("traces = [{ section = \"dend\", position = -0.5 }]");
    assert_error(&outside, "record.traces[0].position", "traces");
    let late = record("profile_times = [\"1 ms\", \"11 ms\"]");
    assert_error(&late, "record.profile_times", "profile_times");
    let same = record("velocity = { section = \"dend\", from = 0.5, to = 0.51 }");
    assert_error(&same, "record.velocity.to", "velocity");
}

fn temporary_directory(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-cable-spec-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

#[test]
fn poisson_synapses_are_reproducible_for_a_seed() {
    let text = |seed: u64| {
        format!(
            "[simulation]\nduration = \"1000 ms\"\nseed = {seed}\n\
             [section.soma]\nlength = \"20 um\"\ndiameter = \"20 um\"\n\
             [[synapse]]\nsection = \"soma\"\nweight = \"1 nS\"\ntau_decay = \"5 ms\"\n\
             rate = \"50 Hz\"\nstart = \"100 ms\"\n\
             [[synapse]]\nsection = \"soma\"\nweight = \"1 nS\"\ntau_decay = \"5 ms\"\n\
             rate = \"50 Hz\"\nstart = \"100 ms\"\nstop = \"900 ms\"\n"
        )
    };
    let times = |seed| {
        let spec = read(&text(seed)).unwrap();
        let synapses = spec.model.synapses;
        (
            synapses[0].spike_times_ms.clone(),
            synapses[1].spike_times_ms.clone(),
        )
    };
    let (first, second) = times(7);
    assert_eq!(times(7), (first.clone(), second.clone()));
    assert_ne!(times(8).0, first);
    // One stream per synapse: same rate and window, different times.
    assert_ne!(first[..10], second[..10]);
    for train in [&first, &second] {
        assert!(train.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(train.iter().all(|&t| t >= 100.0));
    }
    assert!(first.iter().all(|&t| t < 1000.0));
    assert!(second.iter().all(|&t| t < 900.0));
    // 50 Hz for 0.9 s: 45 spikes on average, standard deviation 6.7.
    assert!((20..=70).contains(&first.len()), "{}", first.len());
    // The same stream as the library function's.
    assert_eq!(first, drive::poisson_spike_times(7, 0, 50.0, 100.0, 1000.0));
}

const SWC_MODEL: &str = r#"
[simulation]
duration = "10 ms"

[membrane]
g_leak = "0.05 mS/cm^2"

[morphology]
swc = "cell.swc"

[morphology.soma]
channels = "hh"

[morphology.axon]
channels = "hh"
g_na = "200 mS/cm^2"
ra = "70 ohm*cm"

[morphology.dendrite]
g_leak = "0.02 mS/cm^2"
"#;

/// A soma, an axon and a dendrite that forks in two.
const SWC: &str = "# soma, axon, dendrite\n\
1 1 0 0 0 5 -1\n\
3 2 20 0 0 0.5 1\n\
4 2 120 0 0 0.5 3\n\
5 2 320 0 0 0.4 4\n\
6 3 -10 0 0 1 1\n\
7 3 -60 0 0 0.8 6\n\
8 3 -60 50 0 0.5 7\n\
9 3 -60 -80 0 0.5 7\n";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn swc_morphologies_take_membranes_and_channels_per_type() {
    let text = SWC_MODEL.replace("cell.swc", "neuron_swc.swc");
    let spec = read_in(&text, &examples()).unwrap();
    let sections = spec.morphology.sections();
    assert_eq!(sections[0].name, "soma");
    let count = |prefix: &str| {
        sections
            .iter()
            .filter(|s| s.name.starts_with(prefix))
            .count()
    };
    // The synthetic cell's structure (see the file's header).
    assert_eq!((count("dend["), count("apic["), count("soma")), (16, 11, 1));
    assert!(count("axon[") >= 1);
    for section in sections {
        let hh = section.hh;
        let membrane = section.membrane;
        if section.name == "soma" {
            assert_eq!(hh, Some(HhChannels::default()));
            assert!(close(membrane.g_leak, 5e-5) && close(membrane.r_a, 100.0));
        } else if section.name.starts_with("axon") {
            let hh = hh.expect("hh on the axon");
            assert!(close(hh.g_na, 0.2) && close(hh.g_k, 0.036));
            assert!(close(membrane.r_a, 70.0) && close(membrane.g_leak, 5e-5));
        } else if section.name.starts_with("dend") {
            assert!(hh.is_none());
            assert!(close(membrane.g_leak, 2e-5) && close(membrane.r_a, 100.0));
        } else {
            // No [morphology.apical]: [membrane] and no channels.
            assert!(section.name.starts_with("apic"), "{}", section.name);
            assert!(hh.is_none() && close(membrane.g_leak, 5e-5));
        }
        // Path length and length-weighted mean diameter of the points, which are kept.
        assert!(section.points.len() >= 2, "{}", section.name);
        let (mut length, mut area) = (0.0, 0.0);
        for pair in section.points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let l = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2) + (b.z - a.z).powi(2)).sqrt();
            length += l;
            area += l * (a.diameter_um + b.diameter_um) / 2.0;
        }
        assert!(close(section.length_um, length), "{}", section.name);
        assert!(
            close(section.diameter_um, area / length),
            "{}",
            section.name
        );
        assert_eq!(
            section.compartments,
            neuron_nseg(
                section.length_um,
                section.diameter_um,
                membrane.r_a,
                membrane.c_m,
                DEFAULT_D_LAMBDA
            ),
            "{}",
            section.name
        );
    }
    assert_eq!(
        spec.model.discretization.len(),
        sections.iter().map(|s| s.compartments).sum::<usize>()
    );
    // The axon is 600.3 um long (the file's header).
    let axon_index = spec.morphology.section_index("axon[0]").unwrap();
    let total_axon: f64 = sections
        .iter()
        .filter(|s| s.name.starts_with("axon"))
        .map(|s| s.length_um)
        .sum();
    assert!((total_axon - 600.3).abs() < 0.1, "{total_axon}");
    // The d_lambda rule left nothing to warn about.
    assert!(spec.hints.is_empty(), "{:?}", spec.hints);

    // [morphology] d_lambda overrides [membrane] d_lambda.
    let finer = text.replace(
        "swc = \"neuron_swc.swc\"",
        "swc = \"neuron_swc.swc\"\nd_lambda = 0.01",
    );
    let finer = read_in(&finer, &examples()).unwrap();
    let axon = &finer.morphology.sections()[axon_index];
    assert_eq!(
        axon.compartments,
        neuron_nseg(axon.length_um, axon.diameter_um, 70.0, 1.0, 0.01)
    );
    assert!(axon.compartments > sections[axon_index].compartments);
}

#[test]
fn inline_swc_files_are_found_relative_to_the_model() {
    let directory = temporary_directory("swc");
    std::fs::write(directory.join("cell.swc"), SWC).unwrap();
    let spec = read_in(SWC_MODEL, &directory).unwrap();
    let sections = spec.morphology.sections();
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["soma", "axon[0]", "dend[0]", "dend[1]", "dend[2]"]);
    // A one-point soma of radius 5 µm: NEURON's cylinder of length and diameter 10 µm.
    assert!(close(sections[0].length_um, 10.0) && close(sections[0].diameter_um, 10.0));
    std::fs::remove_dir_all(directory).unwrap();
}

#[test]
fn swc_errors_name_the_file_and_line() {
    let directory = temporary_directory("swc-errors");
    let error = read_in(SWC_MODEL, &directory).unwrap_err();
    assert_eq!(error.key.as_deref(), Some("morphology.swc"));
    assert_eq!(error.line, line_of(SWC_MODEL, "swc ="));
    assert!(error.message.contains("cell.swc"), "{error}");

    std::fs::write(
        directory.join("cell.swc"),
        "1 1 0 0 0 5 -1\n2 1 x 0 0 5 1\n",
    )
    .unwrap();
    let error = read_in(SWC_MODEL, &directory).unwrap_err();
    assert_eq!(error.key.as_deref(), Some("morphology.swc"));
    assert_eq!(error.line, line_of(SWC_MODEL, "swc ="));
    assert!(error.message.contains("cell.swc"), "{error}");
    assert!(error.message.contains("line 2"), "{error}");

    std::fs::write(directory.join("cell.swc"), SWC).unwrap();
    let typo = SWC_MODEL.replace("[morphology.dendrite]", "[morphology.dendrites]");
    let error = read_in(&typo, &directory).unwrap_err();
    assert_eq!(error.key.as_deref(), Some("morphology.dendrites"));
    let passive_hh = SWC_MODEL.replace("g_leak = \"0.02", "e_na = \"50 mV\"\ng_leak = \"0.02");
    let error = read_in(&passive_hh, &directory).unwrap_err();
    assert_eq!(error.key.as_deref(), Some("morphology.dendrite.e_na"));
    let both = format!("{SWC_MODEL}[section.soma]\nlength = \"1 um\"\ndiameter = \"1 um\"\n");
    assert!(read_in(&both, &directory).is_err());
    std::fs::remove_dir_all(directory).unwrap();
}

#[test]
fn killed_ends_and_spike_thresholds_are_read() {
    let text = r#"
[simulation]
duration = "10 ms"
[membrane]
g_leak = "0.05 mS/cm^2"
[section.soma]
length = "20 um"
diameter = "20 um"
compartments = 1
[section.dend]
parent = "soma"
length = "800 um"
diameter = "2 um"
compartments = 400
end = "killed"
[record]
spike_threshold = "-20 mV"
"#;
    let spec = read(text).unwrap();
    assert_eq!(spec.model.killed_ends, vec![1]);
    assert!(close(spec.records.spike_threshold_mv, -20.0));
    assert!(close(spec.recording().spike_threshold_mv, -20.0));
    // The killed dendrite loads the soma more than a sealed one: R_in with the killed end,
    // seen from the dendrite's start, is r_a λ tanh(L/λ) (λ = 1000 µm here) in parallel with
    // the soma's own leak; compare with the sealed dendrite's coth.
    let killed = crate::cable::input_resistance_mohm(&spec.model, 0).unwrap();
    let sealed_text = text.replace("end = \"killed\"\n", "");
    let sealed_spec = read(&sealed_text).unwrap();
    assert!(sealed_spec.model.killed_ends.is_empty());
    let sealed = crate::cable::input_resistance_mohm(&sealed_spec.model, 0).unwrap();
    let r_a = spec.morphology.sections()[1]
        .membrane
        .axial_resistance_per_um(2.0);
    let soma_leak_us = spec.model.discretization.tree.leak_conductances_us()[0];
    let expected = |dendrite: f64| 1.0 / (1.0 / dendrite + soma_leak_us);
    let killed_theory = expected(r_a * 1000.0 * (0.8f64).tanh());
    let sealed_theory = expected(r_a * 1000.0 / (0.8f64).tanh());
    assert!(
        ((killed - killed_theory) / killed_theory).abs() < 0.01,
        "{killed} vs {killed_theory}"
    );
    assert!(
        ((sealed - sealed_theory) / sealed_theory).abs() < 0.01,
        "{sealed} vs {sealed_theory}"
    );

    // Nothing may grow from a killed end.
    let grown = format!(
        "{text}\n[section.twig]\nparent = \"dend\"\nlength = \"10 um\"\ndiameter = \"1 um\"\n"
    );
    let error = read(&grown).unwrap_err();
    let message = format!("{error:?}");
    assert!(
        message.contains("killed end") && message.contains("twig"),
        "{message}"
    );
    assert_eq!(error.line, line_of(&grown, "end = \"killed\""));
}

#[test]
fn a_cell_too_large_to_simulate_is_an_error_not_an_abort() {
    let text = r#"
[simulation]
duration = "10 ms"
[section.cable]
length = "1000 um"
diameter = "1 um"
compartments = 100000000000
"#;
    let message = format!("{:?}", read(text).unwrap_err());
    assert!(
        message.contains("100000000000 compartments") && message.contains("10000000"),
        "{message}"
    );
    // A tiny d_lambda asks for ever more compartments: the same error.
    let tiny = text.replace("compartments = 100000000000\n", "").replace(
        "[section.cable]",
        "[membrane]\nd_lambda = 1e-12\n[section.cable]",
    );
    let message = format!("{:?}", read(&tiny).unwrap_err());
    assert!(message.contains("compartments in all"), "{message}");
}

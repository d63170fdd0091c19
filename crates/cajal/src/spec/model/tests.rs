//! One test per class of bad input: each asserts the whole located message.

use super::*;

fn error(text: &str) -> String {
    match read_model(Source::new("model.toml", text), Path::new(".")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

const HEAD: &str = "[simulation]\nduration = \"100 ms\"\n";

#[test]
fn a_wrong_dimension_names_the_key_and_both_dimensions() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntau_m = \"20 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:5:9: population.cell.tau_m: wrong dimension: this is a voltage \
         (expected a time such as \"20 ms\", found \"20 mV\")"
    );
}

#[test]
fn an_unknown_key_suggests_the_nearest_known_one() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\nthreshhold = \"20 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:5:1: population.cell.threshhold: unknown key `threshhold`\n  hint: did you mean `threshold`?"
    );
}

#[test]
fn a_missing_parameter_or_section_is_named() {
    let message = error("[population.cell]\nmodel = \"lif\"\n");
    assert!(
        message.starts_with("model.toml:1:1: missing [simulation] table"),
        "{message}"
    );
    let message = error("[simulation]\n[population.cell]\nmodel = \"lif\"\n");
    assert_eq!(
        message,
        "model.toml:1:2: simulation: missing `duration` (expected duration = \"20 ms\")"
    );
    let message = error(&format!("{HEAD}[population.cell]\nsize = 3\n"));
    assert!(
        message.contains("population `cell` has no model"),
        "{message}"
    );
}

#[test]
fn non_finite_values_are_refused() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntheta = \"1e400 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:5:9: population.cell.theta: not a finite number \
         (expected a voltage such as \"-65 mV\", found \"1e400 mV\")"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\", threshold = nan }}\n"
    ));
    assert!(
        message.starts_with(
            "model.toml:5:44: population.cell.transfer.threshold: not a finite number"
        ),
        "{message}"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntheta = \"inf mV\"\n"
    ));
    assert!(
        message.starts_with("model.toml:5:10: population.cell.theta: expected a number"),
        "{message}"
    );
}

#[test]
fn a_negative_or_zero_time_constant_is_out_of_range() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntau_m = \"-20 ms\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:5:9: population.cell.tau_m: out of range: membrane_time_constant must be > 0, \
         got -20 ms (expected a time > 0, found \"-20 ms\")"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntau_m = \"0 ms\"\n"
    ));
    assert!(message.contains("must be > 0, got 0 ms"), "{message}");
}

#[test]
fn a_reset_above_threshold_points_at_the_reset() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntheta = \"20 mV\"\nV_r = \"25 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:6:7: population.cell.reset_potential: the reset potential (25 mV) must lie \
         below the threshold (20 mV)"
    );
}

#[test]
fn a_non_positive_dt_is_refused() {
    let message = error(
        "[simulation]\nduration = \"100 ms\"\ndt = \"0 ms\"\n[population.cell]\nmodel = \"lif\"\n",
    );
    assert_eq!(
        message,
        "model.toml:3:6: simulation.dt: the time step must be positive (expected dt > 0, e.g. \"0.1 ms\", found 0 ms)"
    );
    let message = error(
        "[simulation]\nduration = \"100 ms\"\ndt = \"-0.1 ms\"\n[population.cell]\nmodel = \"lif\"\n",
    );
    assert!(
        message.contains("the time step must be positive"),
        "{message}"
    );
}

#[test]
fn a_duration_that_is_not_a_multiple_of_dt_gets_a_corrected_value() {
    let message = error(
        "[simulation]\nduration = \"100.05 ms\"\ndt = \"0.1 ms\"\n[population.cell]\nmodel = \"lif\"\n",
    );
    assert_eq!(
        message,
        "model.toml:2:12: simulation.duration: the duration is not a whole number of time steps \
         (expected a multiple of dt = 0.1 ms, found 100.05 ms = 1000.5000 steps)\n  hint: use 100 ms"
    );
}

#[test]
fn a_zero_capacitance_is_refused() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"hh\"\nC_m = \"0 uF/cm^2\"\n"
    ));
    assert!(
        message.starts_with(
            "model.toml:5:7: population.cell.C_m: out of range: capacitance must be > 0"
        ),
        "{message}"
    );
}

#[test]
fn a_dt_too_large_for_hh_is_unstable() {
    let message = error(
        "[simulation]\nduration = \"100 ms\"\ndt = \"0.5 ms\"\n[population.cell]\nmodel = \"hh\"\n",
    );
    assert!(message.contains("too large for the hh model"), "{message}");
    assert!(
        message.contains("hint: 0.025 ms is recommended"),
        "{message}"
    );
}

#[test]
fn unknown_population_model_and_variable_names_get_hints() {
    let message = error(&format!("{HEAD}[population.cell]\nmodel = \"lfi\"\n"));
    assert!(
        message.contains("unknown model `lfi`") && message.contains("did you mean \"lif\""),
        "{message}"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\n[[input]]\ntarget = \"cel\"\nkind = \"constant\"\namplitude = \"1 pA\"\n"
    ));
    assert!(
        message.contains("no population named `cel`") && message.contains("did you mean \"cell\""),
        "{message}"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"hh\"\n[[record]]\nkind = \"trace\"\npopulation = \"cell\"\nvariables = [\"nn\"]\n"
    ));
    assert!(
        message.contains("the hh model has no variable `nn`"),
        "{message}"
    );
}

#[test]
fn an_input_in_the_wrong_unit_for_the_model_is_refused() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"hh\"\n[[input]]\ntarget = \"cell\"\nkind = \"constant\"\namplitude = \"100 pA\"\n"
    ));
    assert!(
        message.contains("input[0].amplitude: wrong dimension: this is a current"),
        "{message}"
    );
    assert!(message.contains("expected a current density"), "{message}");
}

#[test]
fn a_missing_data_file_names_the_file_and_the_key() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\n[[input]]\ntarget = \"cell\"\nkind = \"timeseries\"\nfile = \"nowhere.csv\"\nunit = \"pA\"\n"
    ));
    assert!(
        message.starts_with("model.toml:8:8: input[0].file: cannot read"),
        "{message}"
    );
    assert!(message.contains("nowhere.csv"), "{message}");
}

#[test]
fn malformed_toml_points_at_the_line() {
    let message = error("[simulation\nduration = 1\n");
    assert!(message.starts_with("model.toml:1:"), "{message}");
}

#[test]
fn a_missing_model_file_is_a_clear_error() {
    let error = read_model_file(Path::new("/nonexistent/model.toml")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/model.toml:1:1: cannot read the model file"),
        "{error}"
    );
}

#[test]
fn a_good_file_reads_with_defaults_filled_in() {
    let spec = read_model(
        Source::new(
            "model.toml",
            "[simulation]\nduration = \"1 s\"\n[population.cell]\nmodel = \"hh\"\nsize = 2\n",
        ),
        Path::new("."),
    )
    .unwrap();
    assert_eq!(spec.simulation.dt_ms, 0.025);
    assert_eq!(spec.simulation.steps, 40_000);
    assert_eq!(spec.populations[0].size, 2);
    assert_eq!(spec.records.len(), 2);
    assert_eq!(
        sweep_values(0.0, 1.0, 0.25).unwrap(),
        [0.0, 0.25, 0.5, 0.75, 1.0]
    );
}

#[test]
fn rate_parameters_cannot_vary_and_initial_distributions_are_checked() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"rate\"\ntau = {{ distribution = \"uniform\", low = \"10 ms\", high = \"20 ms\" }}\ntransfer = {{ kind = \"threshold_linear\" }}\n"
    ));
    assert!(
        message.contains("population.cell.tau: this parameter cannot vary across neurons"),
        "{message}"
    );
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\nV_init = {{ distribution = \"uniform\", low = \"20 mV\", high = \"10 mV\" }}\n"
    ));
    assert!(message.contains("uniform needs low < high"), "{message}");
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\nV_init = {{ distribution = \"gaussian\", mean = \"1 mV\" }}\n"
    ));
    assert!(
        message.contains("unknown distribution `gaussian`"),
        "{message}"
    );
    let spec = read_model(
        Source::new(
            "model.toml",
            format!("{HEAD}[population.cell]\nmodel = \"hh\"\nV_init = {{ distribution = \"normal\", mean = \"-65 mV\", std = \"2 mV\" }}\n"),
        ),
        Path::new("."),
    )
    .unwrap();
    assert_eq!(
        spec.populations[0].varying,
        [VaryingParameter {
            name: "initial_potential",
            index: 10,
            values: PerNeuronValues::Drawn(Distribution::Normal {
                mean: -65.0,
                std: 2.0
            })
        }]
    );
}

#[test]
fn escaped_and_multiline_strings_with_bad_units_do_not_panic() {
    for value in ["\"1 \\t\\tΩ^x\"", "\"\"\"1 Ω^x\"\"\"", "\"1 \\u00e9\""] {
        let message = error(&format!(
            "{HEAD}[population.cell]\nmodel = \"lif\"\ntau_m = {value}\n"
        ));
        assert!(
            message.starts_with("model.toml:5:9: population.cell.tau_m:"),
            "{value}: {message}"
        );
    }
}

const TWO_RINGS: &str = "[simulation]\nduration = \"100 ms\"\n\
    [population.E]\nmodel = \"lif\"\nsize = 100\nlayout = { kind = \"ring\", circumference = \"1 mm\" }\n\
    [population.I]\nmodel = \"lif\"\nsize = 25\nlayout = { kind = \"ring\", circumference = \"1 mm\" }\n\
    [population.G]\nmodel = \"lif\"\nsize = 12\n";

fn projection_error(body: &str) -> String {
    error(&format!("{TWO_RINGS}[[projection]]\n{body}"))
}

#[test]
fn per_synapse_weights_delays_and_layouts_are_read_and_checked() {
    let text = format!(
        "{TWO_RINGS}[[projection]]\nsource = \"E\"\ntarget = \"I\"\nrule = \"distance\"\n\
         profile = \"gaussian\"\nwidth = \"100 um\"\np = 0.3\ncutoff = \"0.3 mm\"\n\
         weight = {{ distribution = \"normal\", mean = \"0.2 mV\", std = \"0.05 mV\" }}\n\
         delay = {{ distribution = \"uniform\", low = \"1 ms\", high = \"3 ms\" }}\n"
    );
    let spec = read_model(Source::new("model.toml", text.as_str()), Path::new(".")).unwrap();
    let projection = &spec.projections[0];
    assert_eq!(projection.weight, 0.2);
    assert_eq!(projection.delay_steps, 30);
    assert!(projection.weight_distribution.is_some() && projection.delay_distribution.is_some());
    let Rule::Distance(rule) = projection.rule else {
        panic!("{:?}", projection.rule)
    };
    assert_eq!(rule.cutoff_um, Some(300.0));
    let Layout::Ring { circumference_um } = rule.source_layout else {
        panic!("{:?}", rule.source_layout)
    };
    assert!(
        (circumference_um - 1000.0).abs() < 1e-9,
        "{circumference_um}"
    );

    let cases = [
        (
            "source = \"E\"\ntarget = \"G\"\nrule = \"distance\"\nprofile = \"gaussian\"\nwidth = \"1 um\"\nweight = \"1 mV\"\n",
            "population `G` has no layout",
        ),
        (
            "source = \"E\"\ntarget = \"I\"\nrule = \"distance\"\nprofile = \"gaussian\"\nwidth = \"-1 um\"\nweight = \"1 mV\"\n",
            "the width of a profile must be positive",
        ),
        (
            "source = \"E\"\ntarget = \"I\"\nrule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = { distribution = \"normal\", mean = \"2 ms\", std = \"1 ms\" }\n",
            "this distribution can draw delays outside the range a synapse allows",
        ),
        (
            "source = \"E\"\ntarget = \"I\"\nrule = \"all_to_all\"\nweight = { distribution = \"normal\", mean = \"1 nS\", std = \"1 nS\" }\nsynapse = \"conductance_exponential\"\ntime_constant = \"5 ms\"\nreversal_potential = \"0 mV\"\n",
            "this distribution can draw negative conductances",
        ),
        (
            "source = \"E\"\ntarget = \"I\"\nrule = \"from_file\"\nfile = \"/nonexistent/synapses.csv\"\nweight = \"1 mV\"\n",
            "cannot read /nonexistent/synapses.csv",
        ),
    ];
    for (body, message) in cases {
        let got = projection_error(body);
        assert!(got.contains(message), "{body}\n{got}");
    }
    let grid = error(&format!(
        "{HEAD}[population.E]\nmodel = \"lif\"\nsize = 10\nlayout = {{ kind = \"torus\", columns = 3, width = \"1 mm\" }}\n"
    ));
    assert!(
        grid.contains("population.E.layout.columns")
            && grid.contains("10 neurons do not fill whole rows"),
        "{grid}"
    );
}

#[test]
fn a_listed_projection_takes_its_weights_from_the_file_or_the_key_but_not_both() {
    let directory = std::env::temp_dir().join(format!("cajal-spec-list-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(
        directory.join("w.csv"),
        "source,target,weight_mV\n0,1,0.5\n3,2,1.5\n",
    )
    .unwrap();
    std::fs::write(directory.join("bad.csv"), "source,target\n0,1\n99,2\n").unwrap();
    let read = |body: &str| {
        read_model(
            Source::new(
                "model.toml",
                format!("{TWO_RINGS}[[projection]]\n{body}").as_str(),
            ),
            &directory,
        )
    };
    let spec =
        read("source = \"G\"\ntarget = \"I\"\nrule = \"from_file\"\nfile = \"w.csv\"\n").unwrap();
    assert_eq!(spec.projections[0].weight, 1.0);
    let both = read("source = \"G\"\ntarget = \"I\"\nrule = \"from_file\"\nfile = \"w.csv\"\nweight = \"1 mV\"\n")
        .unwrap_err()
        .to_string();
    assert!(both.contains("the list has a weight column"), "{both}");
    let range = read("source = \"G\"\ntarget = \"I\"\nrule = \"from_file\"\nfile = \"bad.csv\"\nweight = \"1 mV\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        range.contains("projection[0].file")
            && range.contains("bad.csv, line 3: source id 99 is out of range"),
        "{range}"
    );
    std::fs::remove_dir_all(&directory).ok();
}

const SOURCES: &str = "[population.ext]\nmodel = \"poisson\"\nsize = 10\n";
const CELL: &str = "[population.cell]\nmodel = \"lif\"\n";

#[test]
fn negative_poisson_rates_are_refused_at_their_key() {
    let message = error(&format!(
        "{HEAD}{CELL}[[input]]\ntarget = \"cell\"\nkind = \"poisson\"\nrate = \"-3 Hz\"\nweight = \"0.1 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:8:8: input[0].rate: a rate cannot be negative (expected >= 0 Hz, found -3 Hz)"
    );
    let message = error(&format!("{HEAD}{SOURCES}rate = \"-1 Hz\"\n"));
    assert_eq!(
        message,
        "model.toml:6:8: population.ext.rate: a rate cannot be negative (expected >= 0 Hz, found -1 Hz)"
    );
    let message = error(&format!(
        "{HEAD}{SOURCES}rate = {{ profile = \"sinusoidal\", mean = \"-5 Hz\", amplitude = \"1 Hz\", frequency = \"2 Hz\" }}\n"
    ));
    assert_eq!(
        message,
        "model.toml:6:41: population.ext.rate.mean: a rate cannot be negative (expected >= 0 Hz, found -5 Hz)"
    );
    let message = error(&format!(
        "{HEAD}{SOURCES}rate = {{ profile = \"sinusoidal\", mean = \"5 Hz\", amplitude = \"1 Hz\", frequency = \"0 Hz\" }}\n"
    ));
    assert_eq!(
        message,
        "model.toml:6:81: population.ext.rate.frequency: a modulation frequency must be positive \
         (expected > 0 Hz, found 0 Hz)\n  hint: for a constant rate write rate = \"10 Hz\""
    );
}

#[test]
fn a_rate_profile_file_that_is_missing_or_negative_is_named() {
    let message = error(&format!(
        "{HEAD}{SOURCES}rate = {{ profile = \"timeseries\", file = \"nowhere.csv\" }}\n"
    ));
    assert!(
        message.starts_with("model.toml:6:41: population.ext.rate.file: cannot read"),
        "{message}"
    );
    assert!(message.contains("nowhere.csv"), "{message}");

    let directory = std::env::temp_dir().join(format!("cajal-rates-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(directory.join("rates.csv"), "time_s,rate\n0,5\n0.5,-2\n").unwrap();
    let text = format!(
        "{HEAD}{CELL}[[input]]\ntarget = \"cell\"\nkind = \"poisson\"\nweight = \"0.1 mV\"\n\
         rate = {{ profile = \"timeseries\", file = \"rates.csv\", time_unit = \"s\", unit = \"Hz\" }}\n"
    );
    let message = read_model(Source::new("model.toml", text), &directory)
        .unwrap_err()
        .to_string();
    std::fs::remove_dir_all(&directory).unwrap();
    assert_eq!(
        message,
        "model.toml:9:41: input[0].rate.file: rate profile: negative value at index 1 (-2 Hz) \
         (expected rates >= 0 Hz)"
    );
}

#[test]
fn poisson_sources_receive_no_projections_inputs_or_traces() {
    let message = error(&format!(
        "{HEAD}{CELL}{SOURCES}rate = \"5 Hz\"\n[[projection]]\nsource = \"cell\"\ntarget = \"ext\"\n\
         rule = \"all_to_all\"\nweight = \"0.1 mV\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:11:10: projection[0].target: population `ext` is made of Poisson spike sources, \
         which receive no spikes (expected a population of spiking neurons (lif, eif, \
         qif or hh), found \"ext\")"
    );
    let message = error(&format!(
        "{HEAD}{SOURCES}rate = \"5 Hz\"\n[[input]]\ntarget = \"ext\"\nkind = \"constant\"\namplitude = \"1 pA\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:8:10: input[0].target: population `ext` is made of Poisson spike sources, \
         which receive no input (expected a population of neurons (lif, eif, qif, hh or rate), \
         found \"ext\")"
    );
    let message = error(&format!(
        "{HEAD}{SOURCES}rate = \"5 Hz\"\n[[record]]\nkind = \"trace\"\npopulation = \"ext\"\n"
    ));
    assert_eq!(
        message,
        "model.toml:8:8: record[0].kind: population `ext` is made of spike sources: it \
         has no state to trace (expected kind = \"spikes\", found \"trace\")"
    );
    let message = error(&format!("{HEAD}{SOURCES}rate = \"10 MHz\"\n"));
    assert_eq!(
        message,
        "model.toml:6:8: population.ext.rate: a peak rate of 10000000 Hz gives 1000 spikes per \
         step of 0.1 ms, more than a source may emit (expected at most 600 spikes per step, a \
         rate of at most 6000000 Hz)"
    );
}

#[test]
fn poisson_rates_read_into_the_inputs_and_sources_they_describe() {
    let text = format!(
        "{HEAD}{CELL}[population.ext]\nmodel = \"poisson\"\nsize = 3\n\
         rate = {{ profile = \"sinusoidal\", mean = \"10 Hz\", amplitude = \"4 Hz\", frequency = \"2 Hz\", phase = 1.5 }}\n\
         [[input]]\ntarget = \"cell\"\nkind = \"poisson\"\nrate = \"8 Hz\"\nweight = \"0.1 mV\"\n\
         [[input]]\ntarget = \"cell\"\nkind = \"poisson\"\nrate = \"8 Hz\"\nweight = \"0.1 mV\"\nshared = true\nsources = 20\n"
    );
    let spec = read_model(Source::new("model.toml", text), Path::new(".")).unwrap();
    let NeuronSpec::PoissonSource { rate, .. } = &spec.populations[1].neuron else {
        panic!("{:?}", spec.populations[1].neuron);
    };
    assert_eq!(
        *rate,
        RateProfile::Sinusoidal {
            mean_hz: 10.0,
            amplitude_hz: 4.0,
            frequency_hz: 2.0,
            phase: 1.5
        }
    );
    // A constant rate without `shared` keeps the homogeneous input (and its fast path).
    assert!(matches!(
        spec.inputs[0].kind,
        InputKind::Poisson { rate_hz: 8.0, .. }
    ));
    assert!(matches!(
        spec.inputs[1].kind,
        InputKind::PoissonProfile {
            rate: RateProfile::Constant { rate_hz: 8.0 },
            sources: 20,
            shared: true,
            ..
        }
    ));
    // Sources are recorded (spikes) but have nothing to trace.
    assert_eq!(
        spec.records,
        [
            RecordSpec::Spikes {
                population: 0,
                neurons: None
            },
            RecordSpec::Trace {
                population: 0,
                variables: vec![0],
                neurons: vec![0],
                interval_steps: 1
            },
            RecordSpec::Spikes {
                population: 1,
                neurons: None
            },
        ]
    );
}

/// A file with populations `a` (lif) and `b` (`b_model`) and one projection a → b with the
/// given synapse keys.
fn projection_file(b_model: &str, synapse: &str) -> String {
    format!(
        "{HEAD}[population.a]\nmodel = \"lif\"\n[population.b]\nmodel = \"{b_model}\"\n\
         [[projection]]\nsource = \"a\"\ntarget = \"b\"\nrule = \"all_to_all\"\n{synapse}\n"
    )
}

#[test]
fn synapse_kernels_read_with_their_time_constants_in_ms() {
    let read = |synapse: &str| {
        let text = projection_file("lif", synapse);
        read_model(Source::new("model.toml", text.as_str()), Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"))
            .projections[0]
            .synapse
    };
    assert_eq!(
        read("synapse = \"alpha\"\ntime_constant = \"500 us\"\nweight = \"10 pA\""),
        SynapseSpec::Alpha {
            time_constant_ms: 0.5
        }
    );
    assert_eq!(
        read(
            "synapse = \"difference_of_exponentials\"\nrise_time_constant = \"0.2 ms\"\n\
             decay_time_constant = \"0.01 s\"\nweight = \"10 pA\""
        ),
        SynapseSpec::DifferenceOfExponentials {
            rise_time_constant_ms: 0.2,
            decay_time_constant_ms: 10.0
        }
    );
    assert_eq!(
        read(
            "synapse = \"conductance_alpha\"\ntime_constant = \"2 ms\"\n\
             reversal_potential = \"-80 mV\"\nweight = \"1 nS\""
        ),
        SynapseSpec::ConductanceAlpha {
            time_constant_ms: 2.0,
            reversal_potential: -80.0
        }
    );
    let text = format!(
        "{HEAD}[population.cell]\nmodel = \"eif\"\n[[input]]\ntarget = \"cell\"\n\
         kind = \"poisson\"\nrate = \"1 kHz\"\nsynapse = \"alpha\"\nweight = \"10 pA\"\n\
         time_constant = \"3 ms\"\n"
    );
    let spec = read_model(Source::new("model.toml", text.as_str()), Path::new(".")).unwrap();
    assert_eq!(spec.inputs[0].receptor_time_constant_ms, Some(3.0));
    assert!(matches!(
        spec.inputs[0].kind,
        InputKind::Poisson {
            synapse: PoissonSynapse::Alpha { .. },
            ..
        }
    ));
}

#[test]
fn a_difference_of_exponentials_needs_a_rise_shorter_than_its_decay() {
    let message = error(&projection_file(
        "lif",
        "synapse = \"difference_of_exponentials\"\nrise_time_constant = \"5 ms\"\n\
         decay_time_constant = \"5 ms\"\nweight = \"10 pA\"",
    ));
    assert_eq!(
        message,
        "model.toml:12:22: projection[0].rise_time_constant: the rise time constant must be \
         shorter than the decay time constant (expected < decay_time_constant = 5 ms, \
         found 5 ms)\n  hint: for equal time constants use synapse = \"alpha\""
    );
    let message = error(&projection_file(
        "lif",
        "synapse = \"difference_of_exponentials\"\nrise_time_constant = \"1 ms\"\n\
         weight = \"10 pA\"",
    ));
    assert_eq!(
        message,
        "model.toml:7:1: projection[0]: missing `decay_time_constant` \
         (expected decay_time_constant = \"20 ms\")"
    );
    let message = error(&projection_file(
        "lif",
        "synapse = \"difference_of_exponentials\"\nrise_time_constant = \"0 ms\"\n\
         decay_time_constant = \"5 ms\"\nweight = \"10 pA\"",
    ));
    assert_eq!(
        message,
        "model.toml:12:22: projection[0].rise_time_constant: a time constant must be positive \
         (expected > 0 ms, found 0 ms)"
    );
}

#[test]
fn conductance_alpha_synapses_need_a_grid_lif_target_and_a_non_negative_weight() {
    let synapse = "synapse = \"conductance_alpha\"\ntime_constant = \"2 ms\"\n\
                   reversal_potential = \"0 mV\"\nweight = \"1 nS\"";
    let message = error(&projection_file("eif", synapse));
    assert_eq!(
        message,
        "model.toml:11:11: projection[0].synapse: conductance synapses need a lif target with \
         grid spike timing (found a eif target)"
    );
    let message = error(&projection_file(
        "lif",
        &synapse.replace("\"1 nS\"", "\"-1 nS\""),
    ));
    assert_eq!(
        message,
        "model.toml:14:10: projection[0].weight: a conductance cannot be negative (expected a \
         conductance >= 0 (the reversal potential makes a synapse inhibitory), found -1 nS)"
    );
    let message = error(&projection_file(
        "lif",
        "synapse = \"alpah\"\ntime_constant = \"2 ms\"\nweight = \"1 pA\"",
    ));
    assert!(
        message.starts_with("model.toml:11:11: projection[0].synapse: unknown synapse `alpah`")
            && message.ends_with("hint: did you mean \"alpha\"?"),
        "{message}"
    );
}

#[test]
fn activity_bins_are_whole_steps_defaulting_to_one_millisecond() {
    let model = |record: &str| {
        format!(
            "[simulation]\nduration = \"100 ms\"\ndt = \"0.1 ms\"\n[population.E]\nmodel = \"lif\"\n\
             size = 10\n[[record]]\nkind = \"activity\"\npopulation = \"E\"\n{record}"
        )
    };
    let spec = read_model(
        Source::new("model.toml", model("bin = \"5 ms\"\n")),
        Path::new("."),
    )
    .unwrap();
    assert_eq!(
        spec.records,
        [RecordSpec::Activity {
            population: 0,
            bin_steps: 50
        }]
    );
    let spec = read_model(Source::new("model.toml", model("")), Path::new(".")).unwrap();
    assert_eq!(
        spec.records,
        [RecordSpec::Activity {
            population: 0,
            bin_steps: 10
        }]
    );
    assert_eq!(
        error(&model("bin = \"0.25 ms\"\n")),
        "model.toml:10:7: record[0].bin: the bin is not a whole number of steps \
         (expected a positive multiple of dt = 0.1 ms, found 0.25 ms)"
    );
    let message = error(&model("neurons = \"0:5\"\n"));
    assert!(
        message.starts_with("model.toml:10:1: record[0].neurons: unknown key `neurons`"),
        "{message}"
    );
}

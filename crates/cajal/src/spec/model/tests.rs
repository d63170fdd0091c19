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
fn only_initial_conditions_may_be_distributions_and_theirs_are_checked() {
    let message = error(&format!(
        "{HEAD}[population.cell]\nmodel = \"lif\"\ntau_m = {{ distribution = \"uniform\", low = \"10 ms\", high = \"20 ms\" }}\n"
    ));
    assert!(
        message.contains("population.cell.tau_m: this parameter cannot vary across neurons"),
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
        spec.populations[0].initial_potential,
        Some(Distribution::Normal {
            mean: -65.0,
            std: 2.0
        })
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

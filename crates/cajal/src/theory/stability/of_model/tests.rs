use std::path::Path;

use super::*;
use crate::spec::{Source, read_model, read_model_file};
use crate::theory::stability::{DEFAULT_MAX_FREQUENCY_HZ, InhibitoryNetwork};

fn example(name: &str) -> ModelSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    read_model_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn relative(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn brunel_a_file_is_the_point_g5_eta2_of_model_a() {
    // examples/brunel_a.toml: C_E = 1000 of 0.1 mV, C_I = 250 of −0.5 mV, 1000 external
    // trains at 20 Hz of 0.1 mV, D = 1.5 ms: g = 5, γ = 0.25, η = 20 Hz / ν_thr = 2.
    let analysis = stability_of(&example("brunel_a.toml"), DEFAULT_MAX_FREQUENCY_HZ).unwrap();
    let family = analysis
        .family
        .as_ref()
        .expect("a point of the (g, η) plane");
    assert!(relative(family.g, 5.0) < 1e-12, "{family:?}");
    assert!(relative(family.eta, 2.0) < 1e-12, "{family:?}");
    assert!(relative(family.inhibitory_ratio, 0.25) < 1e-12);
    assert!(relative(family.excitatory_indegree, 1000.0) < 1e-12);
    assert!(relative(family.efficacy_mv, 0.1) < 1e-12);
    assert!(relative(family.external_jump_mv, 0.1) < 1e-12);
    assert!(relative(family.delay_ms, 1.5) < 1e-12);
    // The same analysis as the paper's parameters written out by hand.
    let reference = BrunelNetwork::model_a(5.0, 2.0).stability();
    assert!(relative(analysis.stability.rate_hz, reference.rate_hz) < 1e-9);
    assert!(relative(analysis.stability.rate_hz, 37.95) < 1e-3);
    let (ours, theirs) = (analysis.stability.leading(), reference.leading());
    let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
    assert!((ours.lambda_per_ms - theirs.lambda_per_ms).norm() < 1e-6);
    assert_eq!(analysis.state, NetworkState::AsynchronousIrregular);
    // The family reproduces the model's own reduction.
    let population = family.population();
    for (a, b) in [
        (
            population.external_mean_mv,
            analysis.population.external_mean_mv,
        ),
        (
            population.external_variance_mv2,
            analysis.population.external_variance_mv2,
        ),
        (
            population.mean_coupling_mv_ms,
            analysis.population.mean_coupling_mv_ms,
        ),
        (
            population.variance_coupling_mv2_ms,
            analysis.population.variance_coupling_mv2_ms,
        ),
    ] {
        assert!(relative(a, b) < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn brunel_hakim_file_is_the_inhibitory_network() {
    // N = 5000, p = 0.2 with autapses: C = 1000 of −0.1 mV, D = 2 ms, μ_ext = 25 mV,
    // σ_ext = 1 mV: no (g, η) point (no excitation), the fast oscillation of the library's
    // hand-built network.
    let analysis = stability_of(&example("brunel_hakim.toml"), DEFAULT_MAX_FREQUENCY_HZ).unwrap();
    assert!(analysis.family.is_none());
    let reference = InhibitoryNetwork::brunel_hakim_example().stability();
    assert!(relative(analysis.stability.rate_hz, reference.rate_hz) < 1e-9);
    let (ours, theirs) = (analysis.stability.leading(), reference.leading());
    let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
    assert!((ours.lambda_per_ms - theirs.lambda_per_ms).norm() < 1e-6);
    assert!(ours.lambda_per_ms.re > 0.0);
    assert_eq!(analysis.state, NetworkState::SynchronousIrregularFast);
}

#[test]
fn regime_examples_are_predicted_in_their_states() {
    // examples/brunel_regimes: the four points of Brunel's (2000) Fig. 8, read from files.
    let cases = [
        ("sr.toml", 3.0, 2.0, NetworkState::SynchronousRegular),
        ("ai.toml", 5.0, 2.0, NetworkState::AsynchronousIrregular),
        (
            "si_fast.toml",
            6.0,
            4.0,
            NetworkState::SynchronousIrregularFast,
        ),
        (
            "si_slow.toml",
            4.5,
            0.9,
            NetworkState::SynchronousIrregularSlow,
        ),
    ];
    for (file, g, eta, state) in cases {
        let spec = example(&format!("brunel_regimes/{file}"));
        let analysis = stability_of(&spec, DEFAULT_MAX_FREQUENCY_HZ).unwrap();
        let family = analysis.family.as_ref().unwrap();
        assert!(relative(family.g, g) < 1e-12, "{file}: {family:?}");
        assert!(relative(family.eta, eta) < 1e-12, "{file}: {family:?}");
        assert_eq!(analysis.state, state, "{file}");
    }
}

const TWO_POPULATIONS: &str = r#"
[simulation]
duration = "100 ms"
dt = "0.1 ms"
[population.E]
model = "lif"
size = 400
tau_m = "20 ms"
theta = "20 mV"
V_r = "10 mV"
t_ref = "2 ms"
[population.I]
model = "lif"
size = 100
tau_m = "20 ms"
theta = "20 mV"
V_r = "10 mV"
t_ref = "2 ms"
[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 100
weight = "0.1 mV"
delay = "1.5 ms"
[[projection]]
source = "E"
target = "I"
rule = "fixed_indegree"
indegree = 100
weight = "0.1 mV"
delay = "1.5 ms"
[[projection]]
source = "I"
target = "E"
rule = "fixed_indegree"
indegree = 25
weight = "-0.5 mV"
delay = "1.5 ms"
[[projection]]
source = "I"
target = "I"
rule = "fixed_indegree"
indegree = 25
weight = "WEIGHT_II"
delay = "DELAY_II"
[[input]]
target = "E"
kind = "poisson"
eta = 2.0
sources = 100
weight = "0.1 mV"
[[input]]
target = "I"
kind = "poisson"
eta = 2.0
sources = 100
weight = "0.1 mV"
"#;

fn two_populations(weight_ii: &str, delay_ii: &str) -> ModelSpec {
    let text = TWO_POPULATIONS
        .replace("WEIGHT_II", weight_ii)
        .replace("DELAY_II", delay_ii);
    read_model(Source::new("two.toml", text), Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn populations_that_differ_are_named() {
    let spec = two_populations("-0.6 mV", "1.5 ms");
    let error = stability_of(&spec, 1000.0).unwrap_err();
    assert_eq!(
        error,
        "populations `E` and `I` receive different input; the stability analysis covers \
         statistically identical populations (Brunel's model A)"
    );
    let same = two_populations("-0.5 mV", "1.5 ms");
    let family = stability_of(&same, 1000.0).unwrap().family.unwrap();
    assert!(relative(family.g, 5.0) < 1e-12 && relative(family.eta, 2.0) < 1e-12);
}

#[test]
fn a_second_delay_is_refused_with_both_projections() {
    let error = stability_of(&two_populations("-0.5 mV", "3 ms"), 1000.0).unwrap_err();
    assert_eq!(
        error,
        "projections 1 and 4 have different delays; the stability analysis needs one delay \
         for the whole network"
    );
}

#[test]
fn exponential_synapses_are_outside_the_analysis() {
    let text = TWO_POPULATIONS
        .replace("WEIGHT_II", "-0.5 mV")
        .replace("DELAY_II", "1.5 ms")
        .replacen(
            "weight = \"0.1 mV\"\ndelay = \"1.5 ms\"",
            "weight = \"1 pA\"\ndelay = \"1.5 ms\"\nsynapse = \"exponential\"\n\
             time_constant = \"2 ms\"",
            1,
        );
    let spec =
        read_model(Source::new("two.toml", text), Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    let error = stability_of(&spec, 1000.0).unwrap_err();
    assert!(error.contains("exponential currents"), "{error}");
}

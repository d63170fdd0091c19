//! The example models shipped inside the executable, so that `cajal demo` and
//! `cajal examples NAME` need no file.

use miette::miette;

/// (name, what it shows, text).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "hh_step",
        "Hodgkin–Huxley axon under a current step: action potentials and gating variables",
        include_str!("../../../examples/hh_step.toml"),
    ),
    (
        "hh_fi",
        "Hodgkin–Huxley f–I curves for four leak conductances (cajal fi)",
        include_str!("../../../examples/hh_fi.toml"),
    ),
    (
        "lif_fi",
        "LIF f–I curve beside its closed form (cajal fi)",
        include_str!("../../../examples/lif_fi.toml"),
    ),
    (
        "eif_step",
        "exponential integrate-and-fire neurons: current step plus white noise",
        include_str!("../../../examples/eif_step.toml"),
    ),
    (
        "brunel_demo",
        "the demo: a Brunel (2000) network scaled to 5,000 LIF neurons, asynchronous irregular",
        include_str!("../../../examples/brunel_demo.toml"),
    ),
    (
        "balanced_binary",
        "van Vreeswijk & Sompolinsky's balanced network of 10,000 binary neurons, K = 1000",
        include_str!("../../../examples/balanced_binary.toml"),
    ),
    (
        "brunel_a",
        "Brunel (2000) model A: 12,500 LIF neurons, sparse E–I network, asynchronous irregular",
        include_str!("../../../examples/brunel_a.toml"),
    ),
    (
        "brunel_regimes/sr",
        "Brunel (2000) Fig. 8: synchronous regular state (g = 3, eta = 2)",
        include_str!("../../../examples/brunel_regimes/sr.toml"),
    ),
    (
        "brunel_regimes/ai",
        "Brunel (2000) Fig. 8: asynchronous irregular state (g = 5, eta = 2)",
        include_str!("../../../examples/brunel_regimes/ai.toml"),
    ),
    (
        "brunel_regimes/si_fast",
        "Brunel (2000) Fig. 8: synchronous irregular, fast oscillation (g = 6, eta = 4)",
        include_str!("../../../examples/brunel_regimes/si_fast.toml"),
    ),
    (
        "brunel_regimes/si_slow",
        "Brunel (2000) Fig. 8: synchronous irregular, slow oscillation (g = 4.5, eta = 0.9)",
        include_str!("../../../examples/brunel_regimes/si_slow.toml"),
    ),
    (
        "ring_network",
        "E–I network on a ring: distance-dependent connectivity, heterogeneous thresholds, drawn delays",
        include_str!("../../../examples/ring_network.toml"),
    ),
    (
        "stdp_song2000",
        "Song, Miller & Abbott (2000): additive STDP makes the weights of 1000 inputs bimodal",
        include_str!("../../../examples/stdp_song2000.toml"),
    ),
    (
        "hopfield_binary",
        "Hopfield network of 1000 spin neurons retrieving a pattern from a noisy cue (α = 0.05)",
        include_str!("../../../examples/hopfield_binary.toml"),
    ),
    (
        "hopfield_lif",
        "retrieval of a stored pattern from a noisy cue in 1,000 LIF neurons with Hopfield couplings",
        include_str!("../../../examples/hopfield_lif.toml"),
    ),
    (
        "brunel_hakim",
        "Brunel & Hakim (1999): inhibitory network, fast population oscillation, low single rates",
        include_str!("../../../examples/brunel_hakim.toml"),
    ),
    (
        "coba",
        "COBA benchmark (Brette et al. 2007): 4,000 LIF neurons with conductance synapses",
        include_str!("../../../examples/coba.toml"),
    ),
    (
        "poisson_sources",
        "a pool of Poisson spike sources shared through fixed in-degree against independent input",
        include_str!("../../../examples/poisson_sources.toml"),
    ),
    (
        "rate_unit",
        "rate units with threshold-linear, sigmoid and LIF transfer functions under a ramp",
        include_str!("../../../examples/rate_unit.toml"),
    ),
    (
        "rate_linear",
        "one linear rate population: amplification, integration and instability (cajal analyze)",
        include_str!("../../../examples/rate_linear.toml"),
    ),
    (
        "rate_bistable",
        "an excitatory sigmoid population: bistability and hysteresis under a slow ramp",
        include_str!("../../../examples/rate_bistable.toml"),
    ),
    (
        "rate_inhibitory_delay",
        "delayed self-inhibition: oscillation beyond the critical coupling J_c at f_c",
        include_str!("../../../examples/rate_inhibitory_delay.toml"),
    ),
    (
        "wilson_cowan",
        "Wilson–Cowan E–I pair: Hopf bifurcations and a limit cycle (cajal analyze --sweep)",
        include_str!("../../../examples/wilson_cowan.toml"),
    ),
    (
        "ring_model",
        "ring model of orientation selectivity: a persistent bump after the cue (working memory)",
        include_str!("../../../examples/ring_model.toml"),
    ),
    (
        "cable_passive",
        "passive sealed cable under a current step: the steady cosh profile and λ (cable theory)",
        include_str!("../../../examples/cable_passive.toml"),
    ),
    (
        "cable_pulse",
        "a charge pulse into a long passive cable: spread and decay beside the Green's function",
        include_str!("../../../examples/cable_pulse.toml"),
    ),
    (
        "axon_hh",
        "Hodgkin & Huxley's propagated action potential on the squid axon: conduction velocity",
        include_str!("../../../examples/axon_hh.toml"),
    ),
    (
        "neuron_swc",
        "a neuron read from an SWC file (also print neuron_swc.swc and save it beside the model)",
        include_str!("../../../examples/neuron_swc.toml"),
    ),
];

/// Data files that examples read, shipped too: (file name, text). `cajal examples FILE`
/// prints one; save it beside the example's model file (e.g. `neuron_swc.swc`, which
/// `neuron_swc` names in `[morphology] swc`).
pub const DATA_FILES: &[(&str, &str)] = &[(
    "neuron_swc.swc",
    include_str!("../../../examples/neuron_swc.swc"),
)];

/// The text of example `name`, or of the shipped data file `name`.
pub fn text(name: &str) -> Option<&'static str> {
    if let Some((_, text)) = DATA_FILES.iter().find(|(n, _)| *n == name) {
        return Some(text);
    }
    let name = name.strip_suffix(".toml").unwrap_or(name);
    EXAMPLES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, t)| *t)
}

/// `cajal examples [NAME]`.
pub fn show(name: Option<&str>) -> miette::Result<()> {
    match name {
        None => {
            println!(
                "Shipped examples (print one with `cajal examples NAME`, save it and edit):\n"
            );
            for (name, description, _) in EXAMPLES {
                println!("  {name:<24} {description}");
            }
            println!("\nData files the examples read (save each beside its model file):\n");
            for (name, _) in DATA_FILES {
                println!("  {name}");
            }
            Ok(())
        }
        Some(name) => match text(name) {
            Some(text) => {
                print!("{text}");
                Ok(())
            }
            None => {
                let names: Vec<&str> = EXAMPLES
                    .iter()
                    .map(|(n, _, _)| *n)
                    .chain(DATA_FILES.iter().map(|(n, _)| *n))
                    .collect();
                Err(miette!(
                    "no example named `{name}`; the examples are: {}",
                    names.join(", ")
                ))
            }
        },
    }
}

//! Exact results pinned: every path of the update loops (one update rate and several,
//! deterministic and Glauber, 0/1 and spin states, one weight per projection and per-synapse
//! weights, asynchronous and synchronous, the general loop and the one for shared
//! parameters, step inputs switching, traces of the field) run on small networks and reduced
//! to a 64-bit fingerprint of everything the run returns. Where the loop for shared
//! parameters runs, the general loop must give the same fingerprint.
//!
//! The fingerprints were taken from the simulator before its update loop was optimised; a
//! change of layout or of the order of floating-point operations that alters a single bit of
//! a result, or a change of the random stream, changes them. Update them only together with a
//! deliberate change of the stream or of the arithmetic, and say so.

use std::path::Path;

use super::{BinaryNetwork, BinaryResults};
use crate::engine::Control;
use crate::spec::{Source, read_model};

/// FNV-1a over 64-bit words: stable across Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn word(&mut self, word: u64) {
        for byte in word.to_le_bytes() {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    fn values(&mut self, values: &[f64]) {
        self.word(values.len() as u64);
        for value in values {
            self.word(value.to_bits());
        }
    }
}

/// Every number of the results: updates, transitions, averages, bins, spikes, traces,
/// overlaps.
fn fingerprint(results: &BinaryResults) -> u64 {
    let mut hash = Fnv(0xCBF2_9CE4_8422_2325);
    hash.word(results.updates);
    for population in &results.populations {
        hash.word(population.up_transitions);
        hash.word(population.mean_activity.to_bits());
        hash.values(&population.neuron_activity);
    }
    for activity in &results.activity {
        hash.values(&activity.start_ms);
        hash.values(&activity.mean_activity);
    }
    for recorder in &results.spikes {
        hash.word(recorder.spikes.len() as u64);
        for spike in &recorder.spikes {
            hash.word(u64::from(spike.neuron));
            hash.word(spike.time_ms.to_bits());
        }
    }
    for trace in &results.traces {
        hash.values(&trace.times_ms);
        for values in &trace.values {
            hash.values(values);
        }
    }
    for (population, series) in &results.overlaps {
        hash.word(*population as u64);
        hash.values(&series.values);
    }
    hash.0
}

/// A two-population E–I network of `size` neurons each, `k` inputs per projection, with a
/// step input on E from 40 to 120 ms, spikes, activity and traces recorded; the options vary
/// the rates, temperature, states, inhibitory thresholds (heterogeneous by default), update
/// order and the E→E weight.
fn network(options: &Options) -> String {
    let Options {
        size,
        k,
        tau_i,
        temperature,
        states_i,
        threshold_i,
        update,
        weight_e,
    } = options;
    let s = (*k as f64).sqrt();
    let mut text = format!(
        "[simulation]\nduration = \"200 ms\"\ndt = \"1 ms\"\nseed = 9\nupdate = \"{update}\"\n\
         [population.E]\nmodel = \"binary\"\nsize = {size}\ntau = \"10 ms\"\nthreshold = 1\n\
         temperature = {temperature}\ninitial_active = 0.2\n\
         [population.I]\nmodel = \"binary\"\nsize = {size}\ntau = \"{tau_i} ms\"\n\
         threshold = {threshold_i}\n\
         temperature = {temperature}\ninitial_active = 0.2\nstates = \"{states_i}\"\n\
         [[input]]\ntarget = \"E\"\nkind = \"constant\"\namplitude = {}\n\
         [[input]]\ntarget = \"I\"\nkind = \"constant\"\namplitude = {}\n\
         [[input]]\ntarget = \"E\"\nkind = \"step\"\namplitude = 0.25\nstart = \"40 ms\"\n\
         stop = \"120 ms\"\n\
         [[record]]\nkind = \"spikes\"\npopulation = \"E\"\nneurons = [0, 3, 7, 11, 19]\n\
         [[record]]\nkind = \"spikes\"\npopulation = \"I\"\n\
         [[record]]\nkind = \"activity\"\npopulation = \"E\"\nbin = \"5 ms\"\n\
         [[record]]\nkind = \"activity\"\npopulation = \"I\"\nbin = \"10 ms\"\n\
         [[record]]\nkind = \"trace\"\npopulation = \"E\"\nvariables = [\"state\", \"input\"]\n\
         neurons = [1, 2, 5]\n\
         [[record]]\nkind = \"trace\"\npopulation = \"I\"\nvariables = [\"input\"]\n\
         neurons = [0, 4]\ninterval = \"3 ms\"\n",
        s * 0.1,
        s * 0.08
    );
    for (source, target, j) in [
        ("E", "E", 1.0),
        ("I", "E", -2.0),
        ("E", "I", 1.0),
        ("I", "I", -1.8),
    ] {
        let weight = if source == "E" && target == "E" {
            weight_e.to_string()
        } else {
            format!("{}", j / s)
        };
        text += &format!(
            "[[projection]]\nsource = \"{source}\"\ntarget = \"{target}\"\n\
             rule = \"fixed_indegree\"\nindegree = {k}\nweight = {weight}\n"
        );
    }
    text
}

struct Options {
    size: usize,
    k: usize,
    tau_i: f64,
    temperature: f64,
    states_i: &'static str,
    threshold_i: &'static str,
    update: &'static str,
    weight_e: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            size: 400,
            k: 40,
            tau_i: 9.0,
            temperature: 0.0,
            states_i: "01",
            threshold_i: "{ distribution = \"uniform\", low = 0.5, high = 0.9 }",
            update: "asynchronous",
            weight_e: format!("{}", 1.0 / 40f64.sqrt()),
        }
    }
}

/// One population of spin neurons with one recurrent projection (one count per neuron),
/// at one rate and temperature 0.
fn single_population() -> String {
    "[simulation]\nduration = \"100 ms\"\ndt = \"1 ms\"\nseed = 5\n\
     [population.A]\nmodel = \"binary\"\nsize = 500\nstates = \"spin\"\ntau = \"4 ms\"\n\
     threshold = 0.05\ninitial_active = 0.3\n\
     [[input]]\ntarget = \"A\"\nkind = \"constant\"\namplitude = 0.1\n\
     [[input]]\ntarget = \"A\"\nkind = \"step\"\namplitude = -0.3\nstart = \"30 ms\"\n\
     stop = \"60 ms\"\n\
     [[projection]]\nsource = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n\
     indegree = 30\nweight = -0.08\n\
     [[record]]\nkind = \"spikes\"\npopulation = \"A\"\n\
     [[record]]\nkind = \"activity\"\npopulation = \"A\"\nbin = \"5 ms\"\n\
     [[record]]\nkind = \"trace\"\npopulation = \"A\"\nvariables = [\"state\", \"input\"]\n\
     neurons = [3, 8]\n"
        .to_string()
}

/// Which loop runs the asynchronous updates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Loop {
    /// The one the network chooses.
    Chosen,
    /// The general loop, even where the loop for shared parameters applies.
    General,
}

/// Runs `text` with its counts kept as for in-degrees up to `max_in_degree` (`None`: as
/// built) in the loop `which`; also tells whether the loop for shared parameters applies.
fn run(text: &str, max_in_degree: Option<u64>, which: Loop) -> (BinaryResults, bool) {
    let spec = read_model(Source::new("fingerprint.toml", text), Path::new("."))
        .unwrap_or_else(|error| panic!("{error}"));
    let mut network = BinaryNetwork::build(&spec).unwrap();
    if let Some(max_in_degree) = max_in_degree {
        network.use_counts_for_in_degree(max_in_degree);
    }
    if which == Loop::General {
        network.use_general_loop();
    }
    let shared = super::update::shared::applies(&network);
    network.set_transient_ms(20.0);
    (network.run(7, |_| Control::Continue), shared)
}

/// A Hopfield network of spin neurons (per-synapse weights) cued with a noisy pattern, at a
/// small temperature.
fn hopfield() -> String {
    "[simulation]\nduration = \"60 ms\"\ndt = \"1 ms\"\nseed = 4\n\
     [population.memory]\nmodel = \"binary\"\nsize = 300\nstates = \"spin\"\ntau = \"5 ms\"\n\
     threshold = 0.0\ntemperature = 0.05\npatterns = { count = 12, coding_level = 0.5 }\n\
     initial = { pattern = 2, flip = 0.2 }\n\
     [[projection]]\nsource = \"memory\"\ntarget = \"memory\"\nrule = \"patterns\"\n\
     learning = \"hopfield\"\nweight = 1.0\n\
     [[record]]\nkind = \"spikes\"\npopulation = \"memory\"\n\
     [[record]]\nkind = \"trace\"\npopulation = \"memory\"\nvariables = [\"input\"]\n\
     neurons = [0, 9]\n"
        .to_string()
}

#[test]
fn runs_keep_their_fingerprints() {
    // (name, model, whether the loop for shared parameters applies, pinned fingerprint).
    let cases: Vec<(&str, String, bool, u64)> = vec![
        (
            "two rates, deterministic",
            network(&Options::default()),
            false,
            0xCE1090B316BE748D,
        ),
        (
            "one rate, Glauber",
            network(&Options {
                tau_i: 10.0,
                temperature: 0.2,
                ..Options::default()
            }),
            false,
            0x1DCD0B525E674679,
        ),
        (
            "two rates, Glauber, spin inhibition",
            network(&Options {
                temperature: 0.2,
                states_i: "spin",
                ..Options::default()
            }),
            false,
            0x8AD4FBC1AEA59CF2,
        ),
        (
            "per-synapse weights onto E",
            network(&Options {
                weight_e: "{ distribution = \"normal\", mean = 0.16, std = 0.05 }".into(),
                ..Options::default()
            }),
            false,
            0x343C83FE78797EE6,
        ),
        (
            "synchronous, Glauber",
            network(&Options {
                temperature: 0.1,
                update: "synchronous",
                ..Options::default()
            }),
            false,
            0xC3B560CF22A25317,
        ),
        (
            "Hopfield, spin, per-synapse weights",
            hopfield(),
            false,
            0xE132774770D37995,
        ),
        (
            "shared parameters, two rates, deterministic",
            network(&Options {
                threshold_i: "0.7",
                ..Options::default()
            }),
            true,
            0x8427FF1A8642F15E,
        ),
        (
            "shared parameters, one rate, Glauber",
            network(&Options {
                threshold_i: "0.7",
                tau_i: 10.0,
                temperature: 0.2,
                ..Options::default()
            }),
            true,
            0x1106E69B878C10C9,
        ),
        (
            "shared parameters, one rate, deterministic, spin inhibition",
            network(&Options {
                threshold_i: "0.7",
                tau_i: 10.0,
                states_i: "spin",
                ..Options::default()
            }),
            true,
            0x9561E9DFC9D542DC,
        ),
        (
            "shared parameters, one population",
            single_population(),
            true,
            0x18C77B1012B59336,
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, shared, expected) in cases {
        let (results, applies) = run(&text, None, Loop::Chosen);
        assert_eq!(applies, shared, "{name}: which loop runs");
        // Every case moves: each population flips, so the fingerprint sees the dynamics.
        assert!(
            results.populations.iter().all(|p| p.up_transitions > 10),
            "{name}: a population is frozen"
        );
        let found = fingerprint(&results);
        if found != expected {
            failures.push(format!("{name}: {found:#018x}, pinned {expected:#018x}"));
        }
        // Counts of one, two or four bytes give the same numbers, and so does the general
        // loop where the loop for shared parameters ran.
        for max_in_degree in [100, 1000, 100_000] {
            for which in [Loop::Chosen, Loop::General] {
                if which == Loop::General && !shared {
                    continue;
                }
                let found = fingerprint(&run(&text, Some(max_in_degree), which).0);
                if found != expected {
                    let general = if which == Loop::General {
                        " in the general loop"
                    } else {
                        ""
                    };
                    failures.push(format!(
                        "{name}, counts for in-degrees up to {max_in_degree}{general}: {found:#018x}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Heterogeneous populations: what the model file says is what each neuron gets, each
//! neuron behaves as a homogeneous neuron with its values, and the run does not depend on
//! threads.

use std::path::{Path, PathBuf};

use npyz::WriterBuilder;

use super::*;
use crate::engine::{Control, RunResult, Simulation};
use crate::neuron::lif::LifParameters;
use crate::spec::model::{ModelSpec, RecordSpec};
use crate::spec::{Source, read_model};

/// A directory of data files for one test, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("cajal-hetero-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.0.join(name), bytes).unwrap();
    }

    fn write_npy(&self, name: &str, values: &[f64]) {
        let mut bytes = Vec::new();
        let mut writer = npyz::WriteOptions::<f64>::new()
            .default_dtype()
            .shape(&[values.len() as u64])
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        writer.extend(values.iter().copied()).unwrap();
        writer.finish().unwrap();
        self.write(name, &bytes);
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(text: &str, directory: &Path) -> Result<ModelSpec, SpecError> {
    read_model(Source::new("model.toml", text), directory)
}

fn model(text: &str) -> ModelSpec {
    read(text, Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str, directory: &Path) -> String {
    match read(text, directory) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

fn run(spec: &ModelSpec, threads: usize) -> RunResult {
    Simulation::build(spec, threads)
        .unwrap_or_else(|e| panic!("{e}"))
        .run(1000, |_| Control::Continue)
}

/// The values population `population` of `spec` draws or reads for its varying parameters,
/// by name.
fn values_of(spec: &ModelSpec, population: usize, name: &str) -> Vec<f64> {
    let p = &spec.populations[population];
    let parameter = p.varying.iter().find(|v| v.name == name).unwrap();
    parameter.values(spec.simulation.seed, population, 0..p.size)
}

/// Neuron `neuron`'s parameters as the engine builds them.
fn lif_neuron(spec: &ModelSpec, population: usize, neuron: usize) -> LifParameters {
    let p = &spec.populations[population];
    match p
        .build(
            population,
            0..p.size,
            spec.simulation.seed,
            spec.simulation.dt_ms,
        )
        .unwrap()
    {
        NeuronModel::Lif(lif) => lif.neuron_parameters(neuron),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_neuron_of_a_heterogeneous_lif_population_fires_at_its_own_closed_form_rate() {
    // Constant drive R·I = 30 mV; θ, τ_m and E_L drawn per neuron, so μ = E_L + 30 mV lies
    // above or below each neuron's θ. From V(0) = V_r the neuron reaches θ after
    // T = τ_m ln((μ − V_r)/(μ − θ)) and then fires every 1/f(μ) = τ_ref + T (crate::theory).
    // Precise timing: spike k is at T + k/f, so the count in 1 s is ⌊(1000 − T)·f⌋ + 1 (the
    // times are exact to ~1e-12 ms, and no neuron sits within 1e-6 of a boundary — checked).
    // Grid timing (NEST iaf_psc_delta): a crossing is stamped at the end of its step, so
    // T becomes n = ⌈T/dt⌉ steps and the interval n + τ_ref/dt steps.
    let spec = model(
        r#"
        [simulation]
        duration = "1000 ms"
        dt = "0.1 ms"
        seed = 11
        [population.precise]
        model = "lif"
        size = 150
        spike_timing = "precise"
        theta = { distribution = "uniform", low = "15 mV", high = "33 mV" }
        tau_m = { distribution = "lognormal", mean = "20 ms", std = "5 ms" }
        E_L = { distribution = "normal", mean = "0 mV", std = "2 mV" }
        V_r = "10 mV"
        V_init = "10 mV"
        [population.grid]
        model = "lif"
        size = 150
        theta = { distribution = "uniform", low = "15 mV", high = "33 mV" }
        tau_m = { distribution = "clipped_normal", mean = "20 ms", std = "5 ms", low = "5 ms", high = "40 ms" }
        E_L = { distribution = "normal", mean = "0 mV", std = "2 mV" }
        V_r = "10 mV"
        V_init = "10 mV"
        [[input]]
        target = "precise"
        kind = "constant"
        amplitude = "300 pA"
        [[input]]
        target = "grid"
        kind = "constant"
        amplitude = "300 pA"
        [[record]]
        kind = "spikes"
        population = "precise"
        [[record]]
        kind = "spikes"
        population = "grid"
        "#,
    );
    let result = run(&spec, 2);
    for (population, precise) in [(0, true), (1, false)] {
        let (mut firing, mut silent) = (0, 0);
        for neuron in 0..150 {
            let p = lif_neuron(&spec, population, neuron);
            let mu = p.resting_potential + p.membrane_resistance * 300.0;
            let rate_hz = crate::theory::lif::firing_rate_hz(mu, &p);
            let count = result.spikes[population]
                .spikes
                .iter()
                .filter(|s| s.neuron == neuron as u32)
                .count();
            let expected = if rate_hz == 0.0 {
                silent += 1;
                0
            } else {
                firing += 1;
                let interval = 1000.0 / rate_hz;
                let to_threshold = interval - p.refractory_period;
                let intervals = if precise {
                    (1000.0 - to_threshold) / interval
                } else {
                    let steps = (to_threshold / 0.1).ceil();
                    (10_000.0 - steps) / (steps + p.refractory_period / 0.1)
                };
                assert!(
                    (intervals - intervals.round()).abs() > 1e-6,
                    "neuron {neuron} sits on a boundary"
                );
                intervals.floor() as usize + 1
            };
            assert_eq!(
                count, expected,
                "population {population}, neuron {neuron}: {p:?}"
            );
        }
        assert!(
            firing > 50 && silent > 10,
            "{firing} firing, {silent} silent"
        );
    }
    // The neurons really differ: their thresholds are the drawn ones.
    let thresholds = values_of(&spec, 0, "threshold");
    assert_eq!(lif_neuron(&spec, 0, 17).threshold, thresholds[17]);
    assert_ne!(thresholds[0], thresholds[1]);
}

/// Runs `spec`, whose population `cells` has parameters that vary, and then for each of
/// its neurons the same model with `cells` reduced to that neuron, its values written as
/// homogeneous parameters: the neuron's trace and spikes must be bitwise those of the
/// one-neuron run (the per-neuron loops run the homogeneous operations).
fn assert_each_neuron_runs_as_if_alone(spec: &ModelSpec) {
    let population = spec
        .populations
        .iter()
        .position(|p| p.name == "cells")
        .unwrap();
    let size = spec.populations[population].size;
    assert!(spec.populations[population].has_varying_parameters());
    let all = run(spec, 1);
    let trace_of = |result: &RunResult, neurons: usize, neuron: usize| -> Vec<u64> {
        let trace = result
            .traces
            .iter()
            .find(|t| t.population == population)
            .unwrap();
        trace.values[0]
            .iter()
            .skip(neuron)
            .step_by(neurons)
            .map(|v| v.to_bits())
            .collect()
    };
    let spikes_of = |result: &RunResult, neuron: u32| -> Vec<u64> {
        result
            .spikes
            .iter()
            .find(|s| s.population == population)
            .unwrap()
            .spikes
            .iter()
            .filter(|s| s.neuron == neuron)
            .map(|s| s.time_ms.to_bits())
            .collect()
    };
    let mut spiking = 0;
    for neuron in 0..size {
        let mut alone = spec.clone();
        let cells = &mut alone.populations[population];
        cells.size = 1;
        for parameter in std::mem::take(&mut cells.varying) {
            let value = parameter.values(spec.simulation.seed, population, neuron..neuron + 1)[0];
            cells
                .neuron
                .parameters_mut()
                .set(parameter.name, value, None)
                .unwrap();
        }
        for input in alone
            .inputs
            .iter_mut()
            .filter(|i| i.population == population)
        {
            input.neurons = vec![0];
        }
        for record in &mut alone.records {
            if let RecordSpec::Trace {
                population: p,
                neurons,
                ..
            } = record
                && *p == population
            {
                *neurons = vec![0];
            }
        }
        let one = run(&alone, 1);
        let trace = trace_of(&all, size, neuron);
        assert!(trace.len() > 100);
        assert_eq!(trace, trace_of(&one, 1, 0), "neuron {neuron}");
        let spikes = spikes_of(&all, neuron as u32);
        assert_eq!(spikes, spikes_of(&one, 0), "neuron {neuron}");
        spiking += usize::from(!spikes.is_empty());
    }
    assert!(spiking > 0, "no neuron fired: the test would show little");
}

#[test]
fn hh_neurons_with_drawn_conductances_run_bitwise_as_homogeneous_ones() {
    // g_K and C_m drawn; a step current and exponential synaptic currents from a regularly
    // firing driver (the synaptic charge enters with each neuron's own capacitance).
    assert_each_neuron_runs_as_if_alone(&model(
        r#"
        [simulation]
        duration = "60 ms"
        dt = "0.025 ms"
        seed = 3
        [population.driver]
        model = "lif"
        [population.cells]
        model = "hh"
        size = 6
        g_K = { distribution = "uniform", low = "25 mS/cm^2", high = "45 mS/cm^2" }
        C_m = { distribution = "lognormal", mean = "1 uF/cm^2", std = "0.1 uF/cm^2" }
        V_init = { distribution = "uniform", low = "-70 mV", high = "-60 mV" }
        [[input]]
        target = "driver"
        kind = "constant"
        amplitude = "400 pA"
        [[input]]
        target = "cells"
        kind = "step"
        amplitude = "6 uA/cm^2"
        start = "10 ms"
        [[projection]]
        source = "driver"
        target = "cells"
        rule = "all_to_all"
        synapse = "exponential"
        time_constant = "2 ms"
        weight = "3 uA/cm^2"
        delay = "1 ms"
        [[record]]
        kind = "spikes"
        population = "cells"
        [[record]]
        kind = "trace"
        population = "cells"
        neurons = "all"
        variables = ["v"]
        "#,
    ));
}

#[test]
fn eif_and_qif_neurons_with_drawn_parameters_run_bitwise_as_homogeneous_ones() {
    for (model_name, parameters, amplitude) in [
        (
            "eif",
            "g_L = { distribution = \"clipped_normal\", mean = \"30 nS\", std = \"5 nS\", low = \"20 nS\", high = \"40 nS\" }\n\
             V_T = { distribution = \"uniform\", low = \"-52 mV\", high = \"-48 mV\" }\n\
             t_ref = \"0.5 ms\"",
            "700 pA",
        ),
        (
            "qif",
            "V_c = { distribution = \"uniform\", low = \"-52 mV\", high = \"-48 mV\" }\n\
             tau_m = { distribution = \"lognormal\", mean = \"10 ms\", std = \"2 ms\" }",
            "100 pA",
        ),
    ] {
        assert_each_neuron_runs_as_if_alone(&model(&format!(
            r#"
            [simulation]
            duration = "100 ms"
            dt = "0.01 ms"
            seed = 8
            [population.cells]
            model = "{model_name}"
            size = 5
            {parameters}
            [[input]]
            target = "cells"
            kind = "step"
            amplitude = "{amplitude}"
            start = "5 ms"
            [[record]]
            kind = "spikes"
            population = "cells"
            [[record]]
            kind = "trace"
            population = "cells"
            neurons = "all"
            "#
        )));
    }
}

#[test]
fn lif_neurons_with_their_own_parameters_run_bitwise_as_homogeneous_ones() {
    // Every LIF step: grid with exponential, alpha and delta synapses; grid with a
    // conductance synapse; precise timing with an exponential synapse. Thresholds, time
    // constants, resistances and rests are drawn; refractory periods read from a file.
    let directory = TempDir::new("lif-alone");
    directory.write("t_ref.csv", b"t_ref_ms\n1\n2.5\n0\n4\n");
    for (timing, synapses) in [
        (
            "grid",
            "synapse = \"exponential\"\ntime_constant = \"3 ms\"\nweight = \"150 pA\"",
        ),
        (
            "grid",
            "synapse = \"alpha\"\ntime_constant = \"2 ms\"\nweight = \"120 pA\"",
        ),
        ("grid", "synapse = \"delta\"\nweight = \"4 mV\""),
        (
            "grid",
            "synapse = \"conductance_exponential\"\ntime_constant = \"5 ms\"\n\
             reversal_potential = \"60 mV\"\nweight = \"3 nS\"",
        ),
        (
            "precise",
            "synapse = \"alpha\"\ntime_constant = \"3 ms\"\nweight = \"150 pA\"",
        ),
        ("precise", "synapse = \"delta\"\nweight = \"4 mV\""),
    ] {
        let text = format!(
            r#"
            [simulation]
            duration = "200 ms"
            dt = "0.1 ms"
            seed = 21
            [population.driver]
            model = "lif"
            [population.cells]
            model = "lif"
            size = 4
            spike_timing = "{timing}"
            theta = {{ distribution = "uniform", low = "16 mV", high = "22 mV" }}
            tau_m = {{ distribution = "lognormal", mean = "15 ms", std = "4 ms" }}
            R_m = {{ distribution = "uniform", low = "80 Mohm", high = "120 Mohm" }}
            E_L = {{ distribution = "normal", mean = "0 mV", std = "1 mV" }}
            t_ref = {{ file = "t_ref.csv" }}
            [[input]]
            target = "driver"
            kind = "constant"
            amplitude = "300 pA"
            [[input]]
            target = "cells"
            kind = "constant"
            amplitude = "170 pA"
            [[projection]]
            source = "driver"
            target = "cells"
            rule = "all_to_all"
            delay = "1 ms"
            {synapses}
            [[record]]
            kind = "spikes"
            population = "cells"
            [[record]]
            kind = "trace"
            population = "cells"
            neurons = "all"
            "#
        );
        let spec = read(&text, &directory.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            values_of(&spec, 1, "refractory_period"),
            [1.0, 2.5, 0.0, 4.0]
        );
        assert_each_neuron_runs_as_if_alone(&spec);
    }
}

#[test]
fn per_neuron_files_are_read_back_exactly() {
    // Values with all 17 significant digits: a .npy holds them bit for bit, and a CSV
    // written with Rust's shortest round-trip formatting reads back to the same bits.
    let thresholds: Vec<f64> = (0..7)
        .map(|k| 15.0 + 1.234_567_890_123_456_7 * k as f64 + 1e-13 * k as f64)
        .collect();
    let potentials: Vec<f64> = (0..7)
        .map(|k| -0.1 - 0.987_654_321_012_345_6 * k as f64)
        .collect();
    let directory = TempDir::new("read-back");
    directory.write_npy("theta.npy", &thresholds);
    let mut csv = String::from("# initial potentials\nV_init [mV]\n");
    for v in &potentials {
        csv.push_str(&format!("{v}\n"));
    }
    directory.write("v_init.csv", csv.as_bytes());
    directory.write(
        "tau.csv",
        b"tau_m (s)\n0.02\n0.01\n0.03\n0.02\n0.015\n0.025\n0.02\n",
    );
    let spec = read(
        r#"
        [simulation]
        duration = "10 ms"
        dt = "0.1 ms"
        [population.cells]
        model = "lif"
        size = 7
        theta = { file = "theta.npy" }
        V_init = { file = "v_init.csv" }
        tau_m = { file = "tau.csv" }
        [[record]]
        kind = "trace"
        population = "cells"
        neurons = "all"
        "#,
        &directory.0,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&values_of(&spec, 0, "threshold")), bits(&thresholds));
    assert_eq!(
        bits(&values_of(&spec, 0, "initial_potential")),
        bits(&potentials)
    );
    for (neuron, tau) in [0.02, 0.01, 0.03, 0.02, 0.015, 0.025, 0.02]
        .iter()
        .enumerate()
    {
        let p = lif_neuron(&spec, 0, neuron);
        assert_eq!(p.threshold.to_bits(), thresholds[neuron].to_bits());
        assert!((p.membrane_time_constant - 1000.0 * tau).abs() < 1e-12);
    }
    // The set holds the means; the recorded potentials at t = 0 are the file's.
    let mean = thresholds.iter().sum::<f64>() / 7.0;
    assert_eq!(
        spec.populations[0].neuron.parameters().value("threshold"),
        mean
    );
    let result = run(&spec, 3);
    assert_eq!(bits(&result.traces[0].values[0][..7]), bits(&potentials));
}

#[test]
fn draws_depend_on_neither_threads_nor_the_other_varying_parameters() {
    let text = |tau_m: &str| {
        format!(
            r#"
            [simulation]
            duration = "10 ms"
            seed = 4
            [population.a]
            model = "lif"
            size = 5
            [population.cells]
            model = "lif"
            size = 50
            theta = {{ distribution = "normal", mean = "20 mV", std = "1 mV" }}
            V_init = {{ distribution = "uniform", low = "0 mV", high = "10 mV" }}
            {tau_m}
            "#
        )
    };
    let alone = model(&text(""));
    let with_tau = model(&text(
        "tau_m = { distribution = \"uniform\", low = \"10 ms\", high = \"30 ms\" }",
    ));
    let thresholds = values_of(&alone, 1, "threshold");
    assert_eq!(thresholds, values_of(&with_tau, 1, "threshold"));
    assert_ne!(
        thresholds,
        values_of(&with_tau, 1, "membrane_time_constant")
    );
    // A part of the population draws what its neurons draw in the whole.
    let parameter = &alone.populations[1].varying[0];
    assert_eq!(parameter.values(4, 1, 20..30), thresholds[20..30]);
    // The initial potential keeps the stream it has always had: (seed, population, neuron).
    let potentials = values_of(&alone, 1, "initial_potential");
    let distribution = Distribution::Uniform {
        low: 0.0,
        high: 10.0,
    };
    for (neuron, &v) in potentials.iter().enumerate() {
        let mut rng = stream(4, Purpose::Initialisation, 1, neuron as u64);
        assert_eq!(v, distribution.sample(&mut rng));
    }
}

#[test]
fn heterogeneous_networks_are_bitwise_identical_for_any_number_of_threads() {
    // LIF (grid, with exponential and conductance synapses; precise), HH and EIF
    // populations with drawn and listed parameters, Poisson input and recurrent
    // projections: the partition of neurons among threads must not change a bit.
    let directory = TempDir::new("threads");
    let rests: Vec<f64> = (0..37).map(|k| -1.0 + 0.05 * k as f64).collect();
    directory.write_npy("rest.npy", &rests);
    let text = r#"
        [simulation]
        duration = "150 ms"
        dt = "0.025 ms"
        seed = 9
        [population.E]
        model = "lif"
        size = 61
        theta = { distribution = "clipped_normal", mean = "20 mV", std = "2 mV", low = "15 mV", high = "25 mV" }
        tau_m = { distribution = "lognormal", mean = "20 ms", std = "5 ms" }
        V_init = { distribution = "uniform", low = "0 mV", high = "15 mV" }
        [population.I]
        model = "lif"
        size = 37
        E_L = { file = "rest.npy" }
        R_m = { distribution = "uniform", low = "50 Mohm", high = "150 Mohm" }
        [population.P]
        model = "lif"
        size = 23
        spike_timing = "precise"
        theta = { distribution = "uniform", low = "18 mV", high = "22 mV" }
        t_ref = { distribution = "uniform", low = "1 ms", high = "3 ms" }
        [population.H]
        model = "hh"
        size = 19
        g_Na = { distribution = "clipped_normal", mean = "120 mS/cm^2", std = "10 mS/cm^2", low = "100 mS/cm^2", high = "140 mS/cm^2" }
        [population.X]
        model = "eif"
        size = 13
        V_T = { distribution = "uniform", low = "-52 mV", high = "-49 mV" }
        [[input]]
        target = "E"
        kind = "poisson"
        rate = "12 kHz"
        weight = "0.2 mV"
        [[input]]
        target = "I"
        kind = "poisson"
        rate = "3 kHz"
        weight = "25 pA"
        synapse = "exponential"
        time_constant = "2 ms"
        [[input]]
        target = "P"
        kind = "poisson"
        rate = "12 kHz"
        weight = "0.2 mV"
        [[input]]
        target = "H"
        kind = "white_noise"
        mean = "8 uA/cm^2"
        std = "3 uA/cm^2"
        time_scale = "1 ms"
        [[input]]
        target = "X"
        kind = "ou_noise"
        mean = "600 pA"
        std = "100 pA"
        correlation_time = "5 ms"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 10
        weight = "0.3 mV"
        delay = "1.5 ms"
        [[projection]]
        source = "E"
        target = "I"
        rule = "bernoulli"
        p = 0.2
        synapse = "conductance_exponential"
        time_constant = "5 ms"
        reversal_potential = "60 mV"
        weight = "2 nS"
        delay = "1 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "fixed_outdegree"
        outdegree = 10
        weight = "-1 mV"
        delay = "1 ms"
        [[projection]]
        source = "E"
        target = "H"
        rule = "fixed_indegree"
        indegree = 5
        synapse = "exponential"
        time_constant = "2 ms"
        weight = "2 uA/cm^2"
        delay = "1 ms"
        [[record]]
        kind = "trace"
        population = "I"
        neurons = "all"
        interval = "0.5 ms"
        [[record]]
        kind = "trace"
        population = "H"
        neurons = "all"
        variables = ["v"]
        interval = "0.5 ms"
    "#;
    let spec = read(text, &directory.0).unwrap_or_else(|e| panic!("{e}"));
    let fingerprint = |threads: usize| {
        let result = run(&spec, threads);
        let spikes: Vec<Vec<(u32, u64)>> = result
            .spikes
            .iter()
            .map(|r| {
                r.spikes
                    .iter()
                    .map(|s| (s.neuron, s.time_ms.to_bits()))
                    .collect()
            })
            .collect();
        let traces: Vec<u64> = result
            .traces
            .iter()
            .flat_map(|t| t.values[0].iter().map(|v| v.to_bits()))
            .collect();
        (spikes, traces)
    };
    let one = fingerprint(1);
    let counts: Vec<usize> = one.0.iter().map(Vec::len).collect();
    assert!(counts.iter().all(|&n| n > 10), "{counts:?}");
    for threads in [2, 3, 8] {
        assert!(
            one == fingerprint(threads),
            "{threads} threads differ from 1"
        );
    }
}

const HEAD: &str = "[simulation]\nduration = \"10 ms\"\n[population.cells]\nsize = 4\n";

#[test]
fn bad_files_are_refused_at_their_key_with_the_row_and_neuron() {
    let directory = TempDir::new("errors");
    directory.write_npy("three.npy", &[20.0, 21.0, 22.0]);
    directory.write_npy("g.npy", &[36.0, 30.0, -1.0, 40.0]);
    directory.write("nan.csv", b"tau_m_ms\n20\nnan\n20\n20\n");
    directory.write("negative.csv", b"tau_m_ms\n20\n20\n-5\n20\n");
    directory.write("five.csv", b"20\n20\n20\n20\n20\n");
    directory.write("header.csv", b"threshold_mV\n20\n20\n20\n20\n");
    directory.write("unit.csv", b"tau_m_mV\n20\n20\n20\n20\n");
    directory.write("columns.csv", b"tau_m,x\n20,1\n");
    let cases = [
        (
            "model = \"lif\"\ntheta = { file = \"three.npy\" }",
            "model.toml:6:18: population.cells.theta.file: ",
            "three.npy, the file: 3 values for a population of 4 neurons; give one per neuron",
        ),
        (
            "model = \"hh\"\ng_K = { file = \"g.npy\" }",
            "population.cells.g_K.file: ",
            "g.npy, element 2 (neuron 2): potassium_conductance must be >= 0, got -1 mS/cm^2",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"nan.csv\" }",
            "population.cells.tau_m.file: ",
            "nan.csv, line 3 (neuron 1): NaN is not a finite number",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"negative.csv\" }",
            "population.cells.tau_m.file: ",
            "negative.csv, line 4 (neuron 2): membrane_time_constant must be > 0, got -5 ms",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"five.csv\" }",
            "population.cells.tau_m.file: ",
            "five.csv, line 5: more values than the population's 4 neurons",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"header.csv\" }",
            "population.cells.tau_m.file: ",
            "header.csv, line 1: header \"threshold_mV\" does not name membrane_time_constant",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"unit.csv\" }",
            "population.cells.tau_m.file: ",
            "header \"tau_m_mV\": \"mV\" is not a unit of time",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"columns.csv\" }",
            "population.cells.tau_m.file: ",
            "columns.csv, line 1: 2 columns; the file holds one column",
        ),
        (
            "model = \"lif\"\ntau_m = { file = \"missing.npy\" }",
            "population.cells.tau_m.file: cannot read ",
            "missing.npy",
        ),
    ];
    for (population, location, message) in cases {
        let text = format!("{HEAD}{population}\n");
        let error = error(&text, &directory.0);
        assert!(
            error.contains(location) && error.contains(message),
            "{population}:\n{error}"
        );
    }
}

#[test]
fn distributions_that_can_break_a_constraint_are_refused_with_a_hint() {
    let here = Path::new(".");
    let message = error(
        &format!(
            "{HEAD}model = \"lif\"\ntau_m = {{ distribution = \"normal\", mean = \"20 ms\", std = \"5 ms\" }}\n"
        ),
        here,
    );
    assert_eq!(
        message,
        "model.toml:6:1: population.cells.tau_m: a normal distribution draws values of any \
         sign, but membrane_time_constant must be > 0 (expected values > 0 for \
         membrane_time_constant)\n  hint: draw from distribution = \"lognormal\" (mean, std), \
         or a clipped_normal or uniform with low > 0"
    );
    let message = error(
        &format!(
            "{HEAD}model = \"eif\"\nC_m = {{ distribution = \"uniform\", low = \"0 pF\", high = \"300 pF\" }}\n"
        ),
        here,
    );
    assert!(
        message.contains(
            "population.cells.C_m: this distribution draws values down to 0, but capacitance must be > 0"
        ),
        "{message}"
    );
    // A conductance may be zero: a uniform from 0 is fine, a normal is not.
    let spec = model(&format!(
        "{HEAD}model = \"hh\"\ng_K = {{ distribution = \"uniform\", low = \"0 mS/cm^2\", high = \"36 mS/cm^2\" }}\n"
    ));
    assert!(spec.populations[0].has_varying_parameters());
    let message = error(
        &format!(
            "{HEAD}model = \"hh\"\ng_K = {{ distribution = \"clipped_normal\", mean = \"36 mS/cm^2\", std = \"5 mS/cm^2\", low = \"-1 mS/cm^2\", high = \"40 mS/cm^2\" }}\n"
        ),
        here,
    );
    assert!(message.contains("with low >= 0"), "{message}");
    // Potentials may take any value.
    model(&format!(
        "{HEAD}model = \"qif\"\nE_L = {{ distribution = \"normal\", mean = \"-65 mV\", std = \"1 mV\" }}\n"
    ));
    for (table, wanted) in [
        (
            "{ distribution = \"normal\", mean = \"20 mV\", std = \"1 mV\", file = \"x.npy\" }",
            "give either `distribution` or `file`, not both",
        ),
        (
            "{ mean = \"20 mV\" }",
            "a value per neuron needs a `distribution` or a `file`",
        ),
        ("{ file = 3 }", "population.cells.theta.file: wrong type"),
        ("{ file = \"x.npy\", unit = \"mV\" }", "unknown key `unit`"),
    ] {
        let message = error(&format!("{HEAD}model = \"lif\"\ntheta = {table}\n"), here);
        assert!(message.contains(wanted), "{table}: {message}");
    }
}

#[test]
fn cross_parameter_constraints_are_checked_for_each_neuron() {
    let directory = TempDir::new("cross");
    directory.write_npy("theta.npy", &[20.0, 15.0, 5.0, 20.0]);
    directory.write_npy("t_ref.npy", &[2.0, 2.0, 2.0, 2.05]);
    // The means pass (reset 10 mV below a mean threshold of 15 mV), neuron 2 does not.
    let spec = read(
        &format!("{HEAD}model = \"lif\"\ntheta = {{ file = \"theta.npy\" }}\n"),
        &directory.0,
    )
    .unwrap();
    let message = Simulation::build(&spec, 1).err().unwrap().to_string();
    assert_eq!(
        message,
        "population `cells`: neuron 2: the reset potential (10 mV) must lie below the threshold (5 mV)"
    );
    // The same with 3 threads: the neuron is named by its number in the population.
    let message = Simulation::build(&spec, 3).err().unwrap().to_string();
    assert!(message.contains("neuron 2:"), "{message}");
    let spec = read(
        &format!("{HEAD}model = \"lif\"\nt_ref = {{ file = \"t_ref.npy\" }}\n"),
        &directory.0,
    )
    .unwrap();
    let message = Simulation::build(&spec, 2).err().unwrap().to_string();
    assert!(
        message.starts_with(
            "population `cells`: neuron 3: the refractory period (2.05 ms) is not a whole number of steps"
        ),
        "{message}"
    );
    // Where the means already break a constraint, the file is refused when read.
    let message = error(
        &format!(
            "{HEAD}model = \"lif\"\nV_r = \"10 mV\"\ntheta = {{ distribution = \"uniform\", low = \"5 mV\", high = \"12 mV\" }}\n"
        ),
        Path::new("."),
    );
    assert!(
        message.contains("model.toml:6:7: population.cells.reset_potential: the reset potential (10 mV) must lie below the threshold (8.5 mV) (values that vary per neuron enter here at their means)"),
        "{message}"
    );
}

#[test]
fn f_i_curves_refuse_a_population_whose_parameters_vary_unless_the_sweep_sets_them() {
    let text = |vary: &str| {
        format!(
            "{HEAD}model = \"lif\"\ntheta = {{ distribution = \"uniform\", low = \"15 mV\", high = \"25 mV\" }}\n\
             V_init = {{ distribution = \"uniform\", low = \"0 mV\", high = \"10 mV\" }}\n\
             [fi]\ncurrents = [\"300 pA\"]\nduration = \"10 ms\"\n{vary}"
        )
    };
    let spec = model(&text(""));
    let message = crate::fi::simulate(&spec, spec.fi.as_ref().unwrap(), |_, _| {})
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "f–I sweep: the parameters threshold of population `cells` vary from neuron to \
         neuron; an f–I curve is that of one neuron: give them one value each (and sweep one \
         with `vary` for several curves)"
    );
    let spec = model(&text(
        "vary = { parameter = \"theta\", values = [\"15 mV\", \"20 mV\"] }\n",
    ));
    let result = crate::fi::simulate(&spec, spec.fi.as_ref().unwrap(), |_, _| {}).unwrap();
    assert_eq!(result.curves.len(), 2);
}

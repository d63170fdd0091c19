use super::*;
use crate::spec::{Source, read_model};
use crate::stats;
use std::path::Path;

fn run(text: &str) -> RunResult {
    let spec = read_model(Source::new("test.toml", text), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::build(&spec, 1)
        .unwrap()
        .run(1000, |_| Control::Continue)
}

#[test]
fn constant_current_lif_fires_at_the_closed_form_grid_interval() {
    // R·I = 30 mV: the threshold is reached τ ln((30 − 10)/(30 − 20)) = 13.86 ms after a
    // reset; on a 0.1 ms grid the neuron is held 20 steps, then crosses within the 139th
    // step after release (NEST iaf_psc_delta semantics): interval 2.0 + 13.9 = 15.9 ms.
    // From V(0) = 0 the first crossing is at τ ln(30/10) = 21.97 → step end 22.0 ms.
    let result = run(r#"
        [simulation]
        duration = "100 ms"
        dt = "0.1 ms"
        [population.cell]
        model = "lif"
        [[input]]
        target = "cell"
        kind = "constant"
        amplitude = "300 pA"
        "#);
    let times: Vec<f64> = result.spikes[0].spikes.iter().map(|s| s.time_ms).collect();
    assert!((times[0] - 22.0).abs() < 1e-9, "{times:?}");
    for pair in times.windows(2) {
        assert!((pair[1] - pair[0] - 15.9).abs() < 1e-9, "{times:?}");
    }
    assert_eq!(result.populations[0].spike_count, times.len() as u64);
    assert!(result.is_complete());
}

#[test]
fn a_step_current_acts_only_inside_its_window() {
    let result = run(r#"
        [simulation]
        duration = "100 ms"
        [population.axon]
        model = "hh"
        [[input]]
        target = "axon"
        kind = "step"
        amplitude = "10 uA/cm^2"
        start = "20 ms"
        stop = "60 ms"
        "#);
    let times: Vec<f64> = result.spikes[0].spikes.iter().map(|s| s.time_ms).collect();
    assert!(times.len() >= 3, "{times:?}");
    assert!(times.iter().all(|&t| t > 20.0 && t < 65.0), "{times:?}");
    // The default trace samples t = 0 and every step end.
    let trace = &result.traces[0];
    assert_eq!(trace.times_ms.len(), 100 * 40 + 1);
    assert_eq!(trace.variables[0].name, "v");
}

#[test]
fn hh_action_potential_peak_matches_neuron() {
    // NEURON 9 (hh.mod, E_L = −54.4 mV, 6.3 °C, 10 µA/cm² from t = 5 ms, starting at
    // −65 mV, dt = 0.001 ms): first peak 40.25 mV at t = 7.138 ms. Our RK4 at the default
    // dt must be within 1 % of the 105 mV excursion, and the timing within one step.
    let result = run(r#"
        [simulation]
        duration = "20 ms"
        [population.axon]
        model = "hh"
        [[input]]
        target = "axon"
        kind = "step"
        amplitude = "10 uA/cm^2"
        start = "5 ms"
        "#);
    let trace = &result.traces[0];
    let v = trace.series(0, 0);
    let (index, peak) =
        v.iter().enumerate().fold(
            (0, f64::MIN),
            |best, (i, &x)| if x > best.1 { (i, x) } else { best },
        );
    assert!((peak - 40.25).abs() < 1.05, "peak {peak} mV");
    assert!(
        (trace.times_ms[index] - 7.138).abs() <= 0.025,
        "at {} ms",
        trace.times_ms[index]
    );
    assert!((v[0] + 65.0).abs() < 1e-12);
}

#[test]
fn poisson_delta_input_shifts_the_free_membrane_by_campbells_theorem() {
    // Below threshold a LIF neuron is linear; Poisson jumps of J at rate ν give a mean
    // depolarisation ν·J·τ (Campbell's theorem) and variance ν·J²·τ/2.
    let result = run(r#"
        [simulation]
        duration = "2000 ms"
        seed = 3
        [population.cell]
        model = "lif"
        size = 50
        threshold = "1000 mV"
        reset_potential = "0 mV"
        [[input]]
        target = "cell"
        kind = "poisson"
        rate = "10 Hz"
        sources = 100
        weight = "0.5 mV"
        [[record]]
        kind = "trace"
        population = "cell"
        neurons = "0:50"
        interval = "1 ms"
        "#);
    let trace = &result.traces[0];
    let samples: Vec<f64> = trace
        .times_ms
        .iter()
        .enumerate()
        .filter(|(_, t)| **t >= 200.0)
        .flat_map(|(s, _)| trace.values[0][s * 50..(s + 1) * 50].iter().copied())
        .collect();
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    // ν = 1000 Hz total, J = 0.5 mV, τ = 20 ms: mean 10 mV, variance 2.5 mV².
    assert!((mean - 10.0).abs() < 0.1, "mean {mean}");
    assert!((variance - 2.5).abs() < 0.15, "variance {variance}");
}

#[test]
fn runs_are_reproducible_and_seeds_matter() {
    let text = |seed: u64| {
        format!(
            r#"
            [simulation]
            duration = "200 ms"
            seed = {seed}
            [population.cell]
            model = "lif"
            size = 20
            [[input]]
            target = "cell"
            kind = "white_noise"
            mean = "180 pA"
            std = "200 pA"
            time_scale = "20 ms"
            "#
        )
    };
    let spikes = |seed| -> Vec<(u32, u64)> {
        run(&text(seed)).spikes[0]
            .spikes
            .iter()
            .map(|s| (s.neuron, s.time_ms.to_bits()))
            .collect()
    };
    let first = spikes(1);
    assert!(first.len() > 20, "{}", first.len());
    assert_eq!(first, spikes(1));
    assert_ne!(first, spikes(2));
}

#[test]
fn the_observer_can_stop_a_run_and_keeps_what_was_recorded() {
    let spec = read_model(
        Source::new(
            "test.toml",
            "[simulation]\nduration = \"100 ms\"\n[population.cell]\nmodel = \"lif\"\n",
        ),
        Path::new("."),
    )
    .unwrap();
    let result = Simulation::build(&spec, 1).unwrap().run(100, |progress| {
        if progress.time_ms >= 50.0 {
            Control::Stop
        } else {
            Control::Continue
        }
    });
    assert!(!result.is_complete());
    assert_eq!(result.steps_done, 500);
    assert_eq!(result.traces[0].times_ms.len(), 501);
}

#[test]
fn a_model_too_large_for_memory_is_refused_with_the_estimate() {
    let spec = read_model(
        Source::new(
            "test.toml",
            "[simulation]\nduration = \"1000 ms\"\n[population.cell]\nmodel = \"lif\"\nsize = 1000000\n\
             [[projection]]\nsource = \"cell\"\ntarget = \"cell\"\nrule = \"all_to_all\"\nweight = \"0.1 mV\"\n",
        ),
        Path::new("."),
    )
    .unwrap();
    let error = Simulation::build(&spec, 1).err().expect("must not fit");
    let message = error.to_string();
    assert!(
        message.contains("needs about") && message.contains("TiB"),
        "{message}"
    );
    assert!(message.contains("available"), "{message}");
}

#[test]
fn a_small_network_matches_a_straightforward_simulation_spike_for_spike() {
    use crate::connect::{Connectivity, Rule};
    let text = r#"
        [simulation]
        duration = "300 ms"
        dt = "0.1 ms"
        seed = 11
        [population.E]
        model = "lif"
        size = 40
        [population.I]
        model = "lif"
        size = 10
        [[input]]
        target = "E"
        neurons = "0:20"
        kind = "constant"
        amplitude = "260 pA"
        [[input]]
        target = "E"
        neurons = "20:40"
        kind = "constant"
        amplitude = "230 pA"
        [[input]]
        target = "I"
        kind = "constant"
        amplitude = "250 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 8
        weight = "0.5 mV"
        delay = "1.5 ms"
        [[projection]]
        source = "E"
        target = "I"
        rule = "fixed_indegree"
        indegree = 8
        weight = "0.5 mV"
        delay = "1.5 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "bernoulli"
        p = 0.3
        weight = "-1.5 mV"
        delay = "0.3 ms"
        [[projection]]
        source = "I"
        target = "I"
        rule = "bernoulli"
        p = 0.3
        autapses = false
        weight = "-1.5 mV"
        delay = "0.3 ms"
    "#;
    let result = run(text);
    let simulated: Vec<(usize, u32, u64)> = result
        .spikes
        .iter()
        .flat_map(|r| {
            r.spikes
                .iter()
                .map(move |s| (r.population, s.neuron, s.time_ms.to_bits()))
        })
        .collect();

    // The reference: Brunel's parameters, exact update, grid spikes, 20 refractory steps,
    // jumps discarded while refractory, a spike in step k arriving in step k + delay.
    let sizes = [40usize, 10];
    let currents = [
        (0..40)
            .map(|i| if i < 20 { 260.0 } else { 230.0 })
            .collect::<Vec<f64>>(),
        vec![250.0; 10],
    ];
    let projections = [
        (0, 0, Rule::FixedIndegree { indegree: 8 }, true, 0.5, 15),
        (0, 1, Rule::FixedIndegree { indegree: 8 }, true, 0.5, 15),
        (1, 0, Rule::Bernoulli { probability: 0.3 }, true, -1.5, 3),
        (1, 1, Rule::Bernoulli { probability: 0.3 }, false, -1.5, 3),
    ];
    let networks: Vec<Connectivity> = projections
        .iter()
        .enumerate()
        .map(|(k, (s, t, rule, autapses, _, _))| {
            Connectivity::build(rule, sizes[*s], sizes[*t], s == t, *autapses, 11, k as u64)
                .unwrap()
        })
        .collect();
    let dt = 0.1f64;
    let decay = (-dt / 20.0).exp();
    let gain = -(-dt / 20.0f64).exp_m1() * 0.1;
    let mut v = [vec![0.0f64; 40], vec![0.0; 10]];
    let mut refractory = [vec![0u32; 40], vec![0; 10]];
    let mut pending: Vec<Vec<Vec<f64>>> = vec![vec![vec![0.0; 40], vec![0.0; 10]]; 3001 + 16];
    let mut reference = Vec::new();
    for step in 0..3000usize {
        let mut fired: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        for population in 0..2 {
            for i in 0..sizes[population] {
                if refractory[population][i] > 0 {
                    refractory[population][i] -= 1;
                    continue;
                }
                let mut x = (v[population][i] - 0.0) * decay + gain * currents[population][i];
                x += pending[step][population][i];
                if x >= 20.0 {
                    fired[population].push(i as u32);
                    x = 10.0;
                    refractory[population][i] = 20;
                }
                v[population][i] = x;
            }
        }
        for (population, neurons) in fired.iter().enumerate() {
            for &neuron in neurons {
                reference.push((population, neuron, ((step + 1) as f64 * dt).to_bits()));
            }
        }
        for (k, (source, target, _, _, weight, delay)) in projections.iter().enumerate() {
            for &neuron in &fired[*source] {
                for t in networks[k].targets_of(neuron as usize).iter() {
                    pending[step + delay][*target][t as usize] += weight;
                }
            }
        }
    }
    // Recorders are per population; order the reference the same way.
    reference.sort_by_key(|&(population, _, _)| population);
    assert!(reference.len() > 200, "{}", reference.len());
    assert_eq!(simulated.len(), reference.len());
    for (got, want) in simulated.iter().zip(&reference) {
        assert_eq!(got, want);
    }
}

#[test]
fn spikes_and_traces_are_bitwise_identical_for_any_number_of_threads() {
    // Every kind of per-neuron randomness (Poisson counts, white noise, OU noise), delta
    // and exponential synapses, recurrent projections and a trace: the partition of
    // neurons among threads must not change a single bit.
    let text = r#"
        [simulation]
        duration = "200 ms"
        dt = "0.1 ms"
        seed = 5
        [population.E]
        model = "lif"
        size = 101
        V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
        layout = { kind = "ring", circumference = "1 mm" }
        [population.I]
        model = "lif"
        size = 27
        V_init = { distribution = "clipped_normal", mean = "10 mV", std = "5 mV", low = "0 mV", high = "19 mV" }
        layout = { kind = "ring", circumference = "1 mm" }
        [population.F]
        model = "lif"
        size = 10
        E_L = "-5 mV"
        theta = "9 mV"
        V_r = "-5 mV"
        [[input]]
        target = "F"
        neurons = "0:5"
        kind = "constant"
        amplitude = "170 pA"
        [[input]]
        target = "E"
        kind = "poisson"
        rate = "9 kHz"
        weight = "0.2 mV"
        [[input]]
        target = "I"
        kind = "poisson"
        rate = "2 kHz"
        weight = "20 pA"
        synapse = "exponential"
        time_constant = "2 ms"
        [[input]]
        target = "E"
        neurons = "0:50"
        kind = "white_noise"
        mean = "50 pA"
        std = "30 pA"
        time_scale = "1 ms"
        [[input]]
        target = "I"
        kind = "ou_noise"
        mean = "150 pA"
        std = "40 pA"
        correlation_time = "5 ms"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 20
        weight = "0.3 mV"
        delay = "1.5 ms"
        [[projection]]
        source = "E"
        target = "I"
        rule = "bernoulli"
        p = 0.2
        weight = "30 pA"
        synapse = "exponential"
        time_constant = "3 ms"
        delay = "1 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "fixed_outdegree"
        outdegree = 15
        weight = "-1.1 mV"
        delay = "0.8 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "distance"
        profile = "gaussian"
        width = "150 um"
        p = 0.4
        weight = { distribution = "uniform", low = "-0.9 mV", high = "-0.1 mV" }
        delay = { distribution = "clipped_normal", mean = "2 ms", std = "1 ms", low = "0.1 ms", high = "5 ms" }
        [[record]]
        kind = "spikes"
        population = "E"
        [[record]]
        kind = "spikes"
        population = "I"
        neurons = [0, 5, 26]
        [[record]]
        kind = "trace"
        population = "I"
        neurons = [0, 13, 14, 26]
        interval = "0.5 ms"
        [[record]]
        kind = "trace"
        population = "F"
        neurons = "0:10"
    "#;
    let spec = read_model(Source::new("test.toml", text), Path::new(".")).unwrap();
    let fingerprint = |threads: usize| {
        let result = Simulation::build(&spec, threads)
            .unwrap()
            .run(700, |_| Control::Continue);
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
        // The second trace covers a population whose parts take different loops for
        // different thread counts (a constant input to half of it, E_L ≠ 0).
        let trace: Vec<u64> = result.traces[0].values[0]
            .iter()
            .chain(&result.traces[1].values[0])
            .map(|v| v.to_bits())
            .collect();
        let counts: Vec<u64> = result.populations.iter().map(|p| p.spike_count).collect();
        (spikes, trace, counts)
    };
    let one = fingerprint(1);
    // The initial potentials are drawn per neuron: all different, inside the clipped range.
    let initial: Vec<f64> = one.1[..4]
        .iter()
        .map(|&bits| f64::from_bits(bits))
        .collect();
    assert!(
        initial.iter().all(|v| (0.0..=19.0).contains(v)),
        "{initial:?}"
    );
    assert!(initial.windows(2).all(|w| w[0] != w[1]), "{initial:?}");
    assert!(one.0[0].len() > 500 && one.2[1] > 100, "{:?}", one.2);
    assert_eq!(one.1.len(), 401 * 4 + 2001 * 10);
    for threads in [2, 3, 8] {
        let other = fingerprint(threads);
        assert!(one == other, "{threads} threads differ from 1");
    }
}

#[test]
fn conductance_synapses_match_a_fine_euler_integration() {
    // A driver neuron fires regularly; its spikes open an excitatory (E = 0 mV, τ = 5 ms)
    // and the target is held below threshold. The target's potential must follow
    // C dV/dt = g_L (E_L − V) + g(t)(E − V), integrated here independently by Euler with a
    // 1 µs step from the recorded spike arrival times.
    let text = r#"
        [simulation]
        duration = "100 ms"
        dt = "0.1 ms"
        [population.driver]
        model = "lif"
        [population.target]
        model = "lif"
        E_L = "-70 mV"
        theta = "0 mV"
        V_r = "-70 mV"
        V_init = { distribution = "uniform", low = "-70 mV", high = "-69.999999 mV" }
        [[input]]
        target = "driver"
        kind = "constant"
        amplitude = "400 pA"
        [[projection]]
        source = "driver"
        target = "target"
        rule = "all_to_all"
        synapse = "conductance_exponential"
        weight = "3 nS"
        time_constant = "5 ms"
        reversal_potential = "0 mV"
        delay = "1 ms"
        [[record]]
        kind = "spikes"
        population = "driver"
        [[record]]
        kind = "trace"
        population = "target"
        variables = ["v"]
    "#;
    let result = run(text);
    let arrivals: Vec<f64> = result.spikes[0]
        .spikes
        .iter()
        .map(|s| s.time_ms + 1.0)
        .collect();
    assert!(arrivals.len() >= 5, "{arrivals:?}");
    let trace = &result.traces[0];
    let simulated = trace.series(0, 0);
    // Reference: τ = 20 ms, R = 0.1 GΩ (g_L = 10 nS), E_L = −70 mV.
    let (tau, resistance, rest) = (20.0f64, 0.1f64, -70.0f64);
    let h = 0.001;
    let mut v = simulated[0];
    let mut g = 0.0f64;
    let mut next = 0;
    let mut worst = 0.0f64;
    let mut peak = rest;
    for step in 1..=100_000usize {
        let t = step as f64 * h;
        v += h / tau * ((rest - v) + resistance * g * (0.0 - v));
        g -= h / 5.0 * g;
        // A spike arriving in the step ending at t_a acts from t_a on.
        while next < arrivals.len() && arrivals[next] <= t + 1e-9 {
            g += 3.0;
            next += 1;
        }
        if step % 100 == 0 {
            let sample = step / 100;
            worst = worst.max((simulated[sample] - v).abs());
            peak = peak.max(v);
        }
    }
    // The depolarisation reaches several mV; the step-frozen conductance stays within
    // 2 % of it.
    assert!(peak - rest > 3.0, "peak {peak}");
    assert!(
        worst < 0.02 * (peak - rest),
        "worst {worst} mV of {}",
        peak - rest
    );
}

#[test]
fn per_synapse_weights_and_delays_match_a_straightforward_simulation() {
    use crate::connect::{Connectivity, Rule};
    use crate::distribution::Distribution;
    // I → E comes from a list with its own weights and delays (a multapse included), E → E
    // draws its weights and delays from distributions.
    let listed: [(u32, u32, f64, f64); 7] = [
        (0, 3, -2.0, 0.4),
        (1, 3, -0.5, 2.0),
        (1, 3, -0.5, 0.1),
        (2, 0, -3.0, 1.2),
        (5, 19, -1.0, 0.7),
        (7, 11, -2.5, 3.3),
        (3, 8, -1.75, 0.2),
    ];
    let directory = std::env::temp_dir().join(format!("cajal-synapses-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let mut csv = String::from("pre,post,weight_mV,delay_ms\n");
    for (pre, post, weight, delay) in listed {
        csv.push_str(&format!("{pre},{post},{weight},{delay}\n"));
    }
    std::fs::write(directory.join("inhibition.csv"), csv).unwrap();
    let text = r#"
        [simulation]
        duration = "300 ms"
        dt = "0.1 ms"
        seed = 23
        [population.E]
        model = "lif"
        size = 20
        [population.I]
        model = "lif"
        size = 8
        [[input]]
        target = "E"
        kind = "constant"
        amplitude = "240 pA"
        [[input]]
        target = "I"
        kind = "constant"
        amplitude = "260 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 6
        weight = { distribution = "normal", mean = "0.6 mV", std = "0.3 mV" }
        delay = { distribution = "uniform", low = "0.5 ms", high = "4 ms" }
        [[projection]]
        source = "I"
        target = "E"
        rule = "from_file"
        file = "inhibition.csv"
    "#;
    let spec = read_model(Source::new("test.toml", text), &directory).unwrap();
    let result = Simulation::build(&spec, 3)
        .unwrap()
        .run(1000, |_| Control::Continue);
    let simulated: Vec<(usize, u32, u64)> = result
        .spikes
        .iter()
        .flat_map(|r| {
            r.spikes
                .iter()
                .map(move |s| (r.population, s.neuron, s.time_ms.to_bits()))
        })
        .collect();

    // The reference draws E → E itself: the rule's connectivity, then per source neuron one
    // stream for weights and one for delays along its sorted row.
    let recurrent = Connectivity::build(
        &Rule::FixedIndegree { indegree: 6 },
        20,
        20,
        true,
        true,
        23,
        0,
    )
    .unwrap();
    let weights = Distribution::Normal {
        mean: 0.6,
        std: 0.3,
    };
    let delays = Distribution::Uniform {
        low: 0.5,
        high: 4.0,
    };
    let mut synapses: Vec<Vec<(usize, u32, f64, usize)>> = vec![Vec::new(); 2];
    for source in 0..20 {
        let mut weight_stream =
            crate::rng::stream(23, crate::rng::Purpose::SynapticWeight, 0, source as u64);
        let mut delay_stream =
            crate::rng::stream(23, crate::rng::Purpose::SynapticDelay, 0, source as u64);
        for target in recurrent.targets_of(source).iter() {
            let weight = weights.sample(&mut weight_stream);
            let delay = (delays.sample(&mut delay_stream) / 0.1).round() as usize;
            synapses[0].push((source, target, weight, delay));
        }
    }
    for (pre, post, weight, delay) in listed {
        synapses[1].push((
            pre as usize,
            post,
            weight,
            (delay / 0.1f64).round() as usize,
        ));
    }
    let dt = 0.1f64;
    let decay = (-dt / 20.0).exp();
    let gain = -(-dt / 20.0f64).exp_m1() * 0.1;
    let sizes = [20usize, 8];
    let currents = [240.0, 260.0];
    let mut v = [vec![0.0f64; 20], vec![0.0; 8]];
    let mut refractory = [vec![0u32; 20], vec![0; 8]];
    let mut pending = vec![vec![0.0f64; 20]; 3000 + 50];
    let mut reference = Vec::new();
    for step in 0..3000usize {
        let mut fired: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        for population in 0..2 {
            for i in 0..sizes[population] {
                if refractory[population][i] > 0 {
                    refractory[population][i] -= 1;
                    continue;
                }
                let mut x = v[population][i] * decay + gain * currents[population];
                if population == 0 {
                    x += pending[step][i];
                }
                if x >= 20.0 {
                    fired[population].push(i);
                    x = 10.0;
                    refractory[population][i] = 20;
                }
                v[population][i] = x;
            }
        }
        for (population, neurons) in fired.iter().enumerate() {
            for &neuron in neurons {
                reference.push((
                    population,
                    neuron as u32,
                    ((step + 1) as f64 * dt).to_bits(),
                ));
            }
        }
        for (population, projection) in synapses.iter().enumerate() {
            for &(source, target, weight, delay) in projection {
                if fired[population].contains(&source) {
                    pending[step + delay][target as usize] += weight;
                }
            }
        }
    }
    reference.sort_by_key(|&(population, _, _)| population);
    assert!(reference.len() > 300, "{}", reference.len());
    assert_eq!(simulated.len(), reference.len());
    for (got, want) in simulated.iter().zip(&reference) {
        assert_eq!(got, want);
    }
    std::fs::remove_dir_all(&directory).ok();
}

/// A recurrent E–I network under Poisson drive that records every kind of data: all spikes
/// of E, some of I, a trace, and activity in bins that chunks of 37 steps do not align with.
const STREAMED_NETWORK: &str = r#"
    [simulation]
    duration = "200 ms"
    dt = "0.1 ms"
    seed = 9
    [population.E]
    model = "lif"
    size = 80
    V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
    [population.I]
    model = "lif"
    size = 20
    [[input]]
    target = "E"
    kind = "poisson"
    rate = "20 kHz"
    weight = "0.12 mV"
    [[input]]
    target = "I"
    kind = "poisson"
    rate = "20 kHz"
    weight = "0.12 mV"
    [[projection]]
    source = "E"
    target = "I"
    rule = "fixed_indegree"
    indegree = 10
    weight = "0.4 mV"
    delay = "1.5 ms"
    [[projection]]
    source = "I"
    target = "E"
    rule = "fixed_indegree"
    indegree = 5
    weight = "-1 mV"
    delay = "0.8 ms"
    [[record]]
    kind = "spikes"
    population = "E"
    [[record]]
    kind = "spikes"
    population = "I"
    neurons = [1, 7, 19]
    [[record]]
    kind = "trace"
    population = "E"
    neurons = [0, 41, 79]
    interval = "0.3 ms"
    [[record]]
    kind = "activity"
    population = "E"
    bin = "5 ms"
    [[record]]
    kind = "activity"
    population = "I"
    bin = "3 ms"
"#;

/// Keeps every chunk, checking that chunks follow each other step by step.
struct Collector {
    kept: Recordings,
    population_counts: Vec<Vec<u64>>,
    next_step: u64,
    chunks: usize,
}

impl Collector {
    fn new(simulation: &Simulation, populations: usize) -> Self {
        Collector {
            kept: simulation.recorders(),
            population_counts: vec![Vec::new(); populations],
            next_step: 0,
            chunks: 0,
        }
    }
}

impl RecordingSink for Collector {
    type Error = String;

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), String> {
        assert_eq!(chunk.steps.start, self.next_step);
        self.next_step = chunk.steps.end;
        self.chunks += 1;
        self.kept.append(chunk.recorded);
        for (all, new) in self
            .population_counts
            .iter_mut()
            .zip(chunk.population_counts)
        {
            assert_eq!(new.len() as u64, chunk.steps.end - chunk.steps.start);
            all.extend_from_slice(new);
        }
        Ok(())
    }
}

/// The bits of everything recorded: spikes per recorder, trace values, activity.
type RecordedBits = (Vec<Vec<(u32, u64)>>, Vec<u64>, Vec<u64>);

fn bits(recordings: &Recordings) -> RecordedBits {
    let spikes = recordings
        .spikes
        .iter()
        .map(|r| {
            r.spikes
                .iter()
                .map(|s| (s.neuron, s.time_ms.to_bits()))
                .collect()
        })
        .collect();
    let traces = recordings
        .traces
        .iter()
        .flat_map(|t| t.times_ms.iter().chain(t.values.iter().flatten()))
        .map(|v| v.to_bits())
        .collect();
    let activity = recordings
        .activity
        .iter()
        .flat_map(|a| a.start_ms.iter().chain(&a.rate_hz))
        .map(|v| v.to_bits())
        .collect();
    (spikes, traces, activity)
}

#[test]
fn streamed_runs_hand_over_the_same_bits_as_runs_kept_in_memory() {
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let in_memory = Simulation::build(&spec, 1)
        .unwrap()
        .run(1000, |_| Control::Continue);
    let in_memory_recordings = Recordings {
        spikes: in_memory.spikes.clone(),
        traces: in_memory.traces.clone(),
        activity: in_memory.activity.clone(),
    };
    let expected = bits(&in_memory_recordings);
    // 2000 steps: 54 chunks of 37 steps and one of 2, on 3 threads.
    let simulation = Simulation::build_streaming(&spec, 3).unwrap();
    let mut collector = Collector::new(&simulation, 2);
    let totals = simulation
        .run_streaming(37, |_| Control::Continue, &mut collector)
        .unwrap();
    assert!(totals.is_complete());
    assert_eq!(collector.chunks, 55);
    assert!(bits(&collector.kept) == expected, "streamed data differ");
    // Trace samples at t = 0 and every 3 steps: ⌊2000/3⌋ + 1.
    assert_eq!(collector.kept.traces[0].times_ms.len(), 667);

    // Per-step counts add up to the totals, and for E (all neurons recorded) they are the
    // recorded spikes per step.
    for (population, counts) in collector.population_counts.iter().enumerate() {
        assert_eq!(counts.len(), 2000);
        assert_eq!(
            counts.iter().sum::<u64>(),
            totals.populations[population].spike_count
        );
    }
    let e_spikes = &in_memory.spikes[0].spikes;
    assert!(e_spikes.len() > 1000, "{} spikes of E", e_spikes.len());
    let mut per_step = vec![0u64; 2000];
    for spike in e_spikes {
        per_step[(spike.time_ms / 0.1).round() as usize - 1] += 1;
    }
    assert_eq!(collector.population_counts[0], per_step);

    // ν(t) of E in 5 ms bins: counts of the recorded spikes per bin / (80 · 5 ms), to the bit
    // (both sides compute count · 1000/(N·bin)); 40 whole bins.
    let activity = &collector.kept.activity[0];
    assert_eq!(activity.bin_steps, 50);
    let from_spikes = stats::population_rate_hz(e_spikes, 80, activity.bin_ms(), 200.0);
    assert_eq!(from_spikes.len(), 40);
    assert_eq!(activity.rate_hz, from_spikes);
    let starts: Vec<f64> = (0..40).map(|k| (k * 50) as f64 * 0.1).collect();
    assert_eq!(activity.start_ms, starts);
    // I in 3 ms bins from the per-step counts: 66 whole bins; the last 2 ms are dropped.
    let activity = &collector.kept.activity[1];
    assert_eq!(activity.rate_hz.len(), 66);
    for (bin, rate) in activity.rate_hz.iter().enumerate() {
        let count: u64 = collector.population_counts[1][bin * 30..(bin + 1) * 30]
            .iter()
            .sum();
        assert_eq!(*rate, count as f64 * (1000.0 / (20.0 * activity.bin_ms())));
    }
}

#[test]
fn a_sink_error_stops_a_streamed_run() {
    struct Failing(usize);
    impl RecordingSink for Failing {
        type Error = String;
        fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), String> {
            self.0 += 1;
            if chunk.steps.end >= 300 {
                return Err(format!("disk full after step {}", chunk.steps.end));
            }
            Ok(())
        }
    }
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let mut sink = Failing(0);
    let error = Simulation::build_streaming(&spec, 2)
        .unwrap()
        .run_streaming(100, |_| Control::Continue, &mut sink)
        .unwrap_err();
    assert_eq!(error, "disk full after step 300");
    assert_eq!(sink.0, 3);
}

#[test]
fn a_stopped_streamed_run_keeps_only_whole_activity_bins() {
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let simulation = Simulation::build_streaming(&spec, 1).unwrap();
    let mut collector = Collector::new(&simulation, 2);
    let totals = simulation
        .run_streaming(
            100,
            |p| {
                if p.steps_done >= 500 {
                    Control::Stop
                } else {
                    Control::Continue
                }
            },
            &mut collector,
        )
        .unwrap();
    assert!(!totals.is_complete());
    assert_eq!(totals.steps_done, 500);
    // 500 steps: 10 bins of 50 for E; 16 bins of 30 for I (the 20 steps after are dropped).
    assert_eq!(collector.kept.activity[0].rate_hz.len(), 10);
    assert_eq!(collector.kept.activity[1].rate_hz.len(), 16);
    assert_eq!(collector.kept.traces[0].times_ms.len(), 500 / 3 + 1);
}

use super::*;
use crate::spec::{Source, read_model};
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

#[test]
fn a_modulated_poisson_population_fires_with_the_time_course_of_its_rate() {
    // 1,000 sources at ν(t) = 20 + 15 sin(2π·5 Hz·t) Hz for ten periods of 200 ms. Folded
    // onto one period in 20 bins of 10 ms, bin [a, b) expects
    // N·10·[ν₀(b − a) + ν₁(cos ωa − cos ωb)/ω]·10⁻³ spikes (ω = 2π·5 Hz), Poisson: each bin
    // within 4 standard deviations, and the χ² of all 20 bins within 4 of its standard
    // deviations √(2·20) of its mean 20 (the counts are ~2,000, so nearly normal).
    let result = run(r#"
        [simulation]
        duration = "2000 ms"
        dt = "0.1 ms"
        seed = 21
        [population.ext]
        model = "poisson"
        size = 1000
        rate = { profile = "sinusoidal", mean = "20 Hz", amplitude = "15 Hz", frequency = "5 Hz" }
    "#);
    assert_eq!(result.traces.len(), 0, "sources have nothing to trace");
    let spikes = &result.spikes[0].spikes;
    assert_eq!(result.populations[0].spike_count, spikes.len() as u64);
    let mut bins = [0.0f64; 20];
    for spike in spikes {
        // Spikes are stamped at the end of the step that drew them.
        let step = (spike.time_ms / 0.1).round() as u64 - 1;
        bins[((step % 2000) / 100) as usize] += 1.0;
    }
    let omega = std::f64::consts::TAU * 5.0 * 1e-3;
    let mut chi_square = 0.0;
    for (bin, &observed) in bins.iter().enumerate() {
        let (a, b) = (bin as f64 * 10.0, (bin + 1) as f64 * 10.0);
        let per_source =
            (20.0 * (b - a) + 15.0 * ((omega * a).cos() - (omega * b).cos()) / omega) * 1e-3;
        let expected = 1000.0 * 10.0 * per_source;
        assert!(
            (observed - expected).abs() < 4.0 * expected.sqrt(),
            "bin {bin}: {observed} spikes, expected {expected}"
        );
        chi_square += (observed - expected).powi(2) / expected;
    }
    assert!(
        (chi_square - 20.0).abs() < 4.0 * 40f64.sqrt(),
        "χ² = {chi_square}"
    );
}

#[test]
fn a_pool_of_poisson_sources_drives_a_free_membrane_by_campbells_theorem() {
    // 50 LIF neurons held below threshold, each with C = 100 sources drawn from a pool of
    // N = 1,000 at ν = 10 Hz (J = 0.5 mV, τ = 20 ms). Campbell: mean C·ν·J·τ = 10 mV;
    // variance ν·J²·τ/2·Σⱼ mⱼ², where mⱼ counts the connections from source j. The rule
    // draws with replacement (multapses), so E[Σ mⱼ²] = C(1 + (C − 1)/N) = 109.9, not C:
    // 2.7475 mV² (a source connected twice gives twice the jump).
    // Errors: neurons share about C/N = 10 % of their sources, so the population average
    // has variance σ²(1/50 + 0.1) ≈ 0.33 mV², and over 1.8 s with an integral correlation
    // time of 2τ = 40 ms (45 independent samples) a standard error of 0.086 mV. The
    // variance estimate: 2σ⁴/(T/τ) = 0.14 mV⁴ per neuron (90 samples), over about 33
    // effective neurons (correlation ρ² ≈ 0.01): 0.065 mV²; Σmⱼ² varies between neurons
    // (2·Poisson(4.95) coincident pairs: 0.6 % of the mean over 50 neurons): 0.017 mV².
    // Tolerances: 4 standard errors, plus the O(dt/τ) = 0.5 % of the grid.
    let result = run(r#"
        [simulation]
        duration = "2000 ms"
        dt = "0.1 ms"
        seed = 8
        [population.pool]
        model = "poisson"
        size = 1000
        rate = "10 Hz"
        [population.cell]
        model = "lif"
        size = 50
        threshold = "1000 mV"
        reset_potential = "0 mV"
        [[projection]]
        source = "pool"
        target = "cell"
        rule = "fixed_indegree"
        indegree = 100
        weight = "0.5 mV"
        delay = "0.1 ms"
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
    assert!((mean - 10.0).abs() < 4.0 * 0.086 + 0.05, "mean {mean}");
    let expected = 0.5 * 10.0 * 0.25 * 20.0e-3 * 100.0 * (1.0 + 99.0 / 1000.0);
    let error = (0.065f64.powi(2) + 0.017f64.powi(2)).sqrt();
    assert!(
        (variance - expected).abs() < 4.0 * error + 0.005 * expected,
        "variance {variance}, expected {expected}"
    );
    // The pool fired at its rate: 1,000 × 10 Hz × 2 s, within 4√20,000.
    let fired = result.populations[0].spike_count as f64;
    assert!((fired - 20_000.0).abs() < 4.0 * 20_000f64.sqrt(), "{fired}");
}

#[test]
fn a_shared_poisson_input_moves_all_its_targets_together() {
    // Identical neurons from identical states: with one shared train their potentials stay
    // bitwise equal; with a train each they part.
    let text = |shared: bool| {
        format!(
            r#"
            [simulation]
            duration = "300 ms"
            dt = "0.1 ms"
            [population.cell]
            model = "lif"
            size = 6
            [[input]]
            target = "cell"
            kind = "poisson"
            rate = {{ profile = "sinusoidal", mean = "20 Hz", amplitude = "20 Hz", frequency = "10 Hz" }}
            sources = 100
            weight = "0.5 mV"
            shared = {shared}
            [[record]]
            kind = "trace"
            population = "cell"
            neurons = "0:6"
            "#
        )
    };
    let together = run(&text(true));
    let v = &together.traces[0].values[0];
    assert!(v.chunks(6).all(|row| row.iter().all(|&x| x == row[0])));
    let spikes = together.populations[0].spike_count;
    assert!(spikes >= 12 && spikes.is_multiple_of(6), "{spikes}");
    let apart = run(&text(false));
    let v = &apart.traces[0].values[0];
    let differing = v
        .chunks(6)
        .filter(|row| row.iter().any(|&x| x != row[0]))
        .count();
    assert!(
        differing > 2000,
        "{differing} of {} samples differ",
        v.len() / 6
    );
}

#[test]
fn a_network_driven_by_poisson_sources_is_bitwise_identical_for_any_number_of_threads() {
    // A modulated pool and a steady pool drive an E–I network through fixed in-degree and
    // Bernoulli projections (delta and exponential synapses), with a shared and an
    // independent modulated input on top: sources, inputs and their partition among
    // threads must not change a bit.
    let text = r#"
        [simulation]
        duration = "200 ms"
        dt = "0.1 ms"
        seed = 9
        [population.pool]
        model = "poisson"
        size = 301
        rate = { profile = "sinusoidal", mean = "15 Hz", amplitude = "10 Hz", frequency = "8 Hz" }
        [population.steady]
        model = "poisson"
        size = 53
        rate = "40 Hz"
        [population.E]
        model = "lif"
        size = 101
        V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
        [population.I]
        model = "lif"
        size = 27
        [[projection]]
        source = "pool"
        target = "E"
        rule = "fixed_indegree"
        indegree = 60
        weight = "0.4 mV"
        delay = "1 ms"
        [[projection]]
        source = "steady"
        target = "I"
        rule = "bernoulli"
        p = 0.3
        weight = "40 pA"
        synapse = "exponential"
        time_constant = "2 ms"
        delay = "0.5 ms"
        [[projection]]
        source = "E"
        target = "I"
        rule = "fixed_indegree"
        indegree = 10
        weight = "0.5 mV"
        delay = "1.5 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "fixed_outdegree"
        outdegree = 10
        weight = "-0.8 mV"
        delay = "0.8 ms"
        [[input]]
        target = "E"
        neurons = "0:60"
        kind = "poisson"
        shared = true
        rate = { profile = "sinusoidal", mean = "10 Hz", amplitude = "10 Hz", frequency = "20 Hz" }
        sources = 100
        weight = "0.5 mV"
        [[input]]
        target = "I"
        kind = "poisson"
        rate = { profile = "sinusoidal", mean = "3 kHz", amplitude = "1 kHz", frequency = "15 Hz", phase = 1.0 }
        weight = "20 pA"
        synapse = "exponential"
        time_constant = "3 ms"
        [[record]]
        kind = "spikes"
        population = "pool"
        [[record]]
        kind = "spikes"
        population = "steady"
        neurons = [0, 26, 52]
        [[record]]
        kind = "spikes"
        population = "E"
        [[record]]
        kind = "spikes"
        population = "I"
        [[record]]
        kind = "trace"
        population = "E"
        neurons = [0, 50, 100]
    "#;
    let spec = read_model(Source::new("test.toml", text), Path::new(".")).unwrap();
    let fingerprint = |threads: usize| {
        let result = Simulation::build(&spec, threads)
            .unwrap()
            .run(300, |_| Control::Continue);
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
        let trace: Vec<u64> = result.traces[0].values[0]
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let counts: Vec<u64> = result.populations.iter().map(|p| p.spike_count).collect();
        (spikes, trace, counts)
    };
    let one = fingerprint(1);
    // Every population spikes: pool ≈ 301 × 15 Hz × 0.2 s ≈ 900, steady ≈ 420.
    assert!(one.2[0] > 600 && one.2[1] > 300, "{:?}", one.2);
    assert!(one.2[2] > 50 && one.2[3] > 20, "{:?}", one.2);
    for threads in [2, 3, 8] {
        let other = fingerprint(threads);
        assert!(one == other, "{threads} threads differ from 1");
    }
}

/// The arrival times of a driver's spikes through a projection with `delay_ms`: a spike
/// stamped at the end of step k acts from the end of step k + delay on.
fn arrivals(result: &RunResult, delay_ms: f64) -> Vec<f64> {
    result.spikes[0]
        .spikes
        .iter()
        .map(|s| s.time_ms + delay_ms)
        .collect()
}

/// A regularly firing LIF `driver` (400 pA: every 10.1 ms from 13.9 ms) projecting with
/// `synapse` (the keys after `synapse = `) onto `target`, whose potential is recorded.
fn driven(target: &str, synapses: &[&str], dt: &str, duration: &str) -> String {
    let mut text = format!(
        r#"
        [simulation]
        duration = "{duration}"
        dt = "{dt}"
        [population.driver]
        model = "lif"
        [population.target]
        {target}
        [[input]]
        target = "driver"
        kind = "constant"
        amplitude = "400 pA"
        [[record]]
        kind = "spikes"
        population = "driver"
        [[record]]
        kind = "trace"
        population = "target"
        variables = ["v"]
        "#
    );
    for synapse in synapses {
        text += &format!(
            "[[projection]]\nsource = \"driver\"\ntarget = \"target\"\nrule = \"all_to_all\"\n\
             delay = \"1 ms\"\n{synapse}\n"
        );
    }
    text
}

#[test]
fn difference_of_exponentials_psps_match_the_analytic_convolution() {
    // A LIF target far below threshold receives, per driver spike, a difference of
    // exponentials (τ_r = 1 ms, τ_d = 5 ms, peak 100 pA) and an exponential current
    // (τ = 5 ms, 30 pA) that shares the τ_d receptor. Linear and integrated exactly, its
    // potential is the sum over arrivals of R·w·N(K(τ_d) − K(τ_r)) + R·30 pA·K(5 ms) with
    // K(τ_s, s) = τ_s/(τ_s − τ_m)(e^(−s/τ_s) − e^(−s/τ_m)), and N from the peak condition.
    let text = driven(
        "model = \"lif\"\ntheta = \"1000 mV\"\nV_r = \"0 mV\"",
        &[
            "synapse = \"difference_of_exponentials\"\nrise_time_constant = \"1 ms\"\n\
             decay_time_constant = \"5 ms\"\nweight = \"100 pA\"",
            "synapse = \"exponential\"\ntime_constant = \"5 ms\"\nweight = \"30 pA\"",
        ],
        "0.1 ms",
        "100 ms",
    );
    let result = run(&text);
    let arrivals = arrivals(&result, 1.0);
    assert!(arrivals.len() >= 8, "{arrivals:?}");
    let (tau, resistance) = (20.0f64, 0.1);
    let (rise, decay) = (1.0f64, 5.0f64);
    // The peak of e^(−t/τ_d) − e^(−t/τ_r) lies where their slopes cancel.
    let peak_time = rise * decay / (decay - rise) * (decay / rise).ln();
    let normalisation = 1.0 / ((-peak_time / decay).exp() - (-peak_time / rise).exp());
    let kernel = |tau_syn: f64, s: f64| {
        tau_syn / (tau_syn - tau) * ((-s / tau_syn).exp() - (-s / tau).exp())
    };
    let expected = |t: f64| -> f64 {
        arrivals
            .iter()
            .filter(|&&a| a <= t + 1e-9)
            .map(|&a| {
                let s = t - a;
                resistance * 100.0 * normalisation * (kernel(decay, s) - kernel(rise, s))
                    + resistance * 30.0 * kernel(5.0, s)
            })
            .sum()
    };
    let trace = &result.traces[0];
    let v = trace.series(0, 0);
    let peak = v.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 5.0, "peak {peak} mV");
    for (&t, &v) in trace.times_ms.iter().zip(&v) {
        assert!(
            (v - expected(t)).abs() < 1e-10 * peak,
            "t {t}: {v} vs {}",
            expected(t)
        );
    }
}

#[test]
fn conductance_alpha_synapses_match_a_fine_euler_integration() {
    // As for conductance_exponential below, with NEST iaf_cond_alpha's conductance:
    // g(t) = w (t/τ) e^(1 − t/τ) per spike, integrated here as dg/dt = −g/τ + y,
    // dy/dt = −y/τ, a spike adding w·e/τ to y; Euler with a 1 µs step.
    let text = driven(
        "model = \"lif\"\nE_L = \"-70 mV\"\ntheta = \"0 mV\"\nV_r = \"-70 mV\"",
        &[
            "synapse = \"conductance_alpha\"\nweight = \"3 nS\"\ntime_constant = \"2 ms\"\n\
           reversal_potential = \"0 mV\"",
        ],
        "0.1 ms",
        "100 ms",
    );
    let result = run(&text);
    let arrivals = arrivals(&result, 1.0);
    assert!(arrivals.len() >= 5, "{arrivals:?}");
    let simulated = result.traces[0].series(0, 0);
    let (tau, resistance, rest, tau_syn) = (20.0f64, 0.1f64, -70.0f64, 2.0f64);
    let h = 0.001;
    let (mut v, mut g, mut y) = (rest, 0.0f64, 0.0f64);
    let mut next = 0;
    let (mut worst, mut peak) = (0.0f64, rest);
    for step in 1..=100_000usize {
        let t = step as f64 * h;
        v += h / tau * ((rest - v) + resistance * g * (0.0 - v));
        g += h * (-g / tau_syn + y);
        y -= h / tau_syn * y;
        while next < arrivals.len() && arrivals[next] <= t + 1e-9 {
            y += 3.0 * std::f64::consts::E / tau_syn;
            next += 1;
        }
        if step % 100 == 0 {
            worst = worst.max((simulated[step / 100] - v).abs());
            peak = peak.max(v);
        }
    }
    // Holding g at its exact step mean leaves an error of second order, about
    // (dt/τ_s)·(dt/τ_m) = 2.5e-4 of the depolarisation; the reference's own Euler error is
    // about 1 µs/(2τ_s) = 2.5e-4 of it. Allow 0.1 %, twice their sum.
    assert!(peak - rest > 3.0, "peak {peak}");
    assert!(
        worst < 1e-3 * (peak - rest),
        "worst {worst} mV of {}",
        peak - rest
    );
}

#[test]
fn eif_alpha_psps_match_a_fine_rk4_integration() {
    // An EIF neuron (Brette & Gerstner 2005 parameters) 10 mV below V_T receives alpha
    // currents (τ = 2 ms, 300 pA peak). The model integrates by RK4 with each step's
    // charge-preserving mean current; the reference here integrates
    // C dV/dt = −g_L(V − E_L) + g_L Δ_T e^((V − V_T)/Δ_T) + I(t) with the continuous
    // I(t) = Σ w(s/τ)e^(1 − s/τ) by RK4 with a 0.5 µs step. Replacing I by its step mean
    // preserves the charge of each step, so at step ends the potential errs only by about
    // İ·dt³/(12·C·τ_eff) ≈ 5e-9 mV per step (İ ≤ w/τ = 150 pA/ms, τ_eff = C/g_L = 9.4 ms),
    // summing to about τ_eff/dt times that, 4e-6 mV; RK4's own errors are far smaller.
    let text = driven(
        "model = \"eif\"\nV_init = { distribution = \"uniform\", low = \"-60.4 mV\", \
         high = \"-60.399999999 mV\" }\nE_L = \"-60.4 mV\"",
        &["synapse = \"alpha\"\ntime_constant = \"2 ms\"\nweight = \"300 pA\""],
        "0.01 ms",
        "60 ms",
    );
    let result = run(&text);
    let arrivals = arrivals(&result, 1.0);
    assert!(arrivals.len() >= 4, "{arrivals:?}");
    let simulated = result.traces[0].series(0, 0);
    let (c, g_l, e_l, v_t, delta_t, tau_syn) = (281.0, 30.0, -60.4, -50.4, 2.0, 2.0f64);
    let current = |t: f64| -> f64 {
        arrivals
            .iter()
            .filter(|&&a| a <= t)
            .map(|&a| 300.0 * (t - a) / tau_syn * (1.0 - (t - a) / tau_syn).exp())
            .sum()
    };
    let f = |t: f64, v: f64| {
        (-g_l * (v - e_l) + g_l * delta_t * ((v - v_t) / delta_t).exp() + current(t)) / c
    };
    let h = 0.0005;
    let mut v = simulated[0];
    let (mut worst, mut peak) = (0.0f64, v);
    for step in 0..120_000usize {
        let t = step as f64 * h;
        let k1 = f(t, v);
        let k2 = f(t + 0.5 * h, v + 0.5 * h * k1);
        let k3 = f(t + 0.5 * h, v + 0.5 * h * k2);
        let k4 = f(t + h, v + h * k3);
        v += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        if (step + 1) % 20 == 0 {
            worst = worst.max((simulated[(step + 1) / 20] - v).abs());
            peak = peak.max(v);
        }
    }
    assert!(peak - e_l > 2.0, "peak {peak}");
    assert!(worst < 1e-5, "worst {worst} mV");
}

#[test]
fn alpha_and_difference_of_exponentials_networks_are_bitwise_identical_for_any_number_of_threads() {
    // Every new kernel in one recurrent network: alpha currents (recurrent and Poisson),
    // differences of exponentials (sharing a receptor with an exponential input), alpha and
    // exponential conductances, into grid and precise LIF and EIF targets.
    let text = r#"
        [simulation]
        duration = "200 ms"
        dt = "0.1 ms"
        seed = 9
        [population.E]
        model = "lif"
        size = 83
        V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
        [population.P]
        model = "lif"
        spike_timing = "precise"
        size = 31
        V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
        [population.C]
        model = "lif"
        size = 17
        E_L = "-70 mV"
        theta = "-50 mV"
        V_r = "-60 mV"
        [population.X]
        model = "eif"
        size = 13
        [[input]]
        target = "E"
        kind = "poisson"
        rate = "4 kHz"
        weight = "40 pA"
        synapse = "alpha"
        time_constant = "1 ms"
        [[input]]
        target = "P"
        kind = "poisson"
        rate = "3 kHz"
        weight = "60 pA"
        synapse = "alpha"
        time_constant = "2 ms"
        [[input]]
        target = "P"
        kind = "poisson"
        rate = "1 kHz"
        weight = "20 pA"
        synapse = "exponential"
        time_constant = "4 ms"
        [[input]]
        target = "C"
        kind = "constant"
        amplitude = "190 pA"
        [[input]]
        target = "X"
        kind = "constant"
        amplitude = "560 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 10
        synapse = "alpha"
        time_constant = "1.5 ms"
        weight = "20 pA"
        delay = "1.5 ms"
        [[projection]]
        source = "E"
        target = "P"
        rule = "bernoulli"
        p = 0.2
        synapse = "difference_of_exponentials"
        rise_time_constant = "0.5 ms"
        decay_time_constant = "4 ms"
        weight = "-30 pA"
        delay = "1 ms"
        [[projection]]
        source = "P"
        target = "C"
        rule = "fixed_outdegree"
        outdegree = 6
        synapse = "conductance_alpha"
        time_constant = "1 ms"
        reversal_potential = "0 mV"
        weight = "2 nS"
        delay = "0.5 ms"
        [[projection]]
        source = "E"
        target = "C"
        rule = "fixed_indegree"
        indegree = 5
        synapse = "conductance_exponential"
        time_constant = "5 ms"
        reversal_potential = "-80 mV"
        weight = "1 nS"
        delay = "0.7 ms"
        [[projection]]
        source = "C"
        target = "X"
        rule = "all_to_all"
        synapse = "alpha"
        time_constant = "3 ms"
        weight = "50 pA"
        delay = "2 ms"
        [[record]]
        kind = "spikes"
        population = "E"
        [[record]]
        kind = "spikes"
        population = "P"
        [[record]]
        kind = "spikes"
        population = "C"
        [[record]]
        kind = "spikes"
        population = "X"
        [[record]]
        kind = "trace"
        population = "P"
        neurons = [0, 10, 11, 30]
        [[record]]
        kind = "trace"
        population = "C"
        neurons = "0:17"
        [[record]]
        kind = "trace"
        population = "X"
        neurons = [0, 6, 7, 12]
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
        let traces: Vec<u64> = result
            .traces
            .iter()
            .flat_map(|t| t.values[0].iter().map(|v| v.to_bits()))
            .collect();
        (spikes, traces)
    };
    let one = fingerprint(1);
    // Every population takes part: each fires more than 100 spikes.
    let counts: Vec<usize> = one.0.iter().map(Vec::len).collect();
    assert!(counts.iter().all(|&count| count > 100), "{counts:?}");
    for threads in [2, 3, 8] {
        let other = fingerprint(threads);
        assert!(one == other, "{threads} threads differ from 1");
    }
}

#[test]
fn an_alpha_and_difference_of_exponentials_network_matches_a_straightforward_simulation() {
    use crate::connect::{Connectivity, Rule};
    // E → E and E → I through alpha currents (τ = 2 ms), I → E through a difference of
    // exponentials (τ_r = 0.5 ms, τ_d = 3 ms), I → I through delta synapses.
    let text = r#"
        [simulation]
        duration = "300 ms"
        dt = "0.1 ms"
        seed = 4
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
        amplitude = "215 pA"
        [[input]]
        target = "I"
        kind = "constant"
        amplitude = "230 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 8
        synapse = "alpha"
        time_constant = "2 ms"
        weight = "25 pA"
        delay = "1.5 ms"
        [[projection]]
        source = "E"
        target = "I"
        rule = "fixed_indegree"
        indegree = 8
        synapse = "alpha"
        time_constant = "2 ms"
        weight = "25 pA"
        delay = "1.5 ms"
        [[projection]]
        source = "I"
        target = "E"
        rule = "bernoulli"
        p = 0.3
        synapse = "difference_of_exponentials"
        rise_time_constant = "0.5 ms"
        decay_time_constant = "3 ms"
        weight = "-80 pA"
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

    // The reference: Brunel's LIF, exact grid update, 20 refractory steps (synaptic
    // currents evolve on while V is clamped), and per neuron an alpha current (I, y), two
    // exponential currents for the difference of exponentials, and delta jumps. The
    // propagators are the textbook forms (Rotter & Diesmann 1999), for τ_s ≠ τ_m:
    //   I₀e^(−t/τ_s) adds R τ_s/(τ_m − τ_s)(e^(−h/τ_m) − e^(−h/τ_s))·I₀ over a step h,
    //   y₀t e^(−t/τ_s) adds (R/τ_m)e^(−h/τ_m)(1 − (1 + a h)e^(−a h))/a²·y₀, a = 1/τ_s − 1/τ_m.
    let sizes = [40usize, 10];
    let currents = [
        (0..40)
            .map(|i| if i < 20 { 260.0 } else { 215.0 })
            .collect::<Vec<f64>>(),
        vec![230.0; 10],
    ];
    #[derive(Clone, Copy)]
    enum Kernel {
        Alpha,
        Difference,
        Delta,
    }
    let projections = [
        (
            0,
            0,
            Rule::FixedIndegree { indegree: 8 },
            true,
            25.0,
            15,
            Kernel::Alpha,
        ),
        (
            0,
            1,
            Rule::FixedIndegree { indegree: 8 },
            true,
            25.0,
            15,
            Kernel::Alpha,
        ),
        (
            1,
            0,
            Rule::Bernoulli { probability: 0.3 },
            true,
            -80.0,
            3,
            Kernel::Difference,
        ),
        (
            1,
            1,
            Rule::Bernoulli { probability: 0.3 },
            false,
            -1.5,
            3,
            Kernel::Delta,
        ),
    ];
    let networks: Vec<Connectivity> = projections
        .iter()
        .enumerate()
        .map(|(k, (s, t, rule, autapses, ..))| {
            Connectivity::build(rule, sizes[*s], sizes[*t], s == t, *autapses, 4, k as u64).unwrap()
        })
        .collect();
    let (dt, tau, resistance) = (0.1f64, 20.0f64, 0.1f64);
    let (tau_alpha, rise, decay) = (2.0f64, 0.5f64, 3.0f64);
    let membrane = (-dt / tau).exp();
    let gain = resistance * (1.0 - membrane);
    let exponential_gain =
        |tau_s: f64| resistance * tau_s / (tau - tau_s) * (membrane - (-dt / tau_s).exp());
    let a = 1.0 / tau_alpha - 1.0 / tau;
    let slope_gain =
        resistance / tau * membrane * (1.0 - (1.0 + a * dt) * (-a * dt).exp()) / (a * a);
    let peak_time = rise * decay / (decay - rise) * (decay / rise).ln();
    let normalisation = 1.0 / ((-peak_time / decay).exp() - (-peak_time / rise).exp());
    // Per population and neuron: V, refractory steps, I_α, y_α, I_d, I_r.
    let mut v = [vec![0.0f64; 40], vec![0.0; 10]];
    let mut refractory = [vec![0u32; 40], vec![0; 10]];
    let mut synaptic = [vec![[0.0f64; 4]; 40], vec![[0.0; 4]; 10]];
    // Arrivals per step, population, neuron: alpha weight, DoE weight, voltage jump.
    let mut pending = vec![[vec![[0.0f64; 3]; 40], vec![[0.0; 3]; 10]]; 3000 + 16];
    let mut reference = Vec::new();
    for step in 0..3000usize {
        let mut fired: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        for population in 0..2 {
            for i in 0..sizes[population] {
                let [current, slope, decaying, rising] = synaptic[population][i];
                let arriving = pending[step][population][i];
                // The receptors advance whether or not the neuron is refractory.
                synaptic[population][i] = [
                    (current + slope * dt) * (-dt / tau_alpha).exp(),
                    slope * (-dt / tau_alpha).exp() + arriving[0] * std::f64::consts::E / tau_alpha,
                    decaying * (-dt / decay).exp() + arriving[1] * normalisation,
                    rising * (-dt / rise).exp() - arriving[1] * normalisation,
                ];
                if refractory[population][i] > 0 {
                    refractory[population][i] -= 1;
                    continue;
                }
                let x = v[population][i] * membrane
                    + gain * currents[population][i]
                    + exponential_gain(tau_alpha) * current
                    + slope_gain * slope
                    + exponential_gain(decay) * decaying
                    + exponential_gain(rise) * rising
                    + arriving[2];
                if x >= 20.0 {
                    fired[population].push(i as u32);
                    v[population][i] = 10.0;
                    refractory[population][i] = 20;
                } else {
                    v[population][i] = x;
                }
            }
        }
        for (population, neurons) in fired.iter().enumerate() {
            for &neuron in neurons {
                reference.push((population, neuron, ((step + 1) as f64 * dt).to_bits()));
            }
        }
        for (k, (source, target, _, _, weight, delay, kernel)) in projections.iter().enumerate() {
            let slot = match kernel {
                Kernel::Alpha => 0,
                Kernel::Difference => 1,
                Kernel::Delta => 2,
            };
            for &neuron in &fired[*source] {
                for t in networks[k].targets_of(neuron as usize).iter() {
                    pending[step + delay][*target][t as usize][slot] += weight;
                }
            }
        }
    }
    reference.sort_by_key(|&(population, _, _)| population);
    assert!(reference.len() > 200, "{}", reference.len());
    assert_eq!(simulated.len(), reference.len());
    for (got, want) in simulated.iter().zip(&reference) {
        assert_eq!(got, want);
    }
}

#[test]
fn listed_weights_carry_the_kernel_normalisation_like_a_single_weight() {
    // The same all-to-all projection twice: once with one weight, once from a list whose
    // weight column repeats it. A difference of exponentials scales what a spike carries by
    // its peak normalisation, so the listed weights must be scaled alike: the traces agree
    // bit for bit.
    let directory = std::env::temp_dir().join(format!("cajal-doe-list-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let mut csv = String::from("pre,post,weight_pA\n");
    for pre in 0..4 {
        for post in 0..3 {
            csv.push_str(&format!("{pre},{post},40\n"));
        }
    }
    std::fs::write(directory.join("all.csv"), csv).unwrap();
    let model = |rule: &str| {
        format!(
            r#"
            [simulation]
            duration = "100 ms"
            dt = "0.1 ms"
            [population.A]
            model = "lif"
            size = 4
            V_init = {{ distribution = "uniform", low = "0 mV", high = "20 mV" }}
            [population.B]
            model = "lif"
            size = 3
            [[input]]
            target = "A"
            kind = "constant"
            amplitude = "300 pA"
            [[projection]]
            source = "A"
            target = "B"
            synapse = "difference_of_exponentials"
            rise_time_constant = "1 ms"
            decay_time_constant = "5 ms"
            {rule}
            [[record]]
            kind = "trace"
            population = "B"
            neurons = "0:3"
            "#
        )
    };
    let trace = |text: String| {
        let spec = read_model(Source::new("test.toml", text.as_str()), &directory).unwrap();
        let result = Simulation::build(&spec, 1)
            .unwrap()
            .run(1000, |_| Control::Continue);
        result.traces[0].values[0].clone()
    };
    let single = trace(model("rule = \"all_to_all\"\nweight = \"40 pA\""));
    let listed = trace(model("rule = \"from_file\"\nfile = \"all.csv\""));
    assert!(single.iter().any(|&v| v > 1.0), "the input must depolarise B");
    assert_eq!(single, listed);
    std::fs::remove_dir_all(&directory).ok();
}

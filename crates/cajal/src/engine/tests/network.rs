//! Recurrent networks: spike for spike against a straightforward simulation, bitwise
//! identical for any thread count, conductance synapses against fine integration.

use super::*;

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
    let simulated = spike_bits(&result);

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

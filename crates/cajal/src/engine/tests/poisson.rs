//! Poisson rate profiles, shared trains and populations of Poisson sources.

use super::*;

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

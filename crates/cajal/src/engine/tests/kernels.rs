//! Alpha, difference-of-exponentials and conductance-alpha synapses against closed forms and
//! independent integrations; networks with every kernel.

use super::*;

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
    let simulated = spike_bits(&result);

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

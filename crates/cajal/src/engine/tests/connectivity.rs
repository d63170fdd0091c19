//! Per-synapse weights and delays, listed projections.

use super::*;

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
    let simulated = spike_bits(&result);

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
    assert!(
        single.iter().any(|&v| v > 1.0),
        "the input must depolarise B"
    );
    assert_eq!(single, listed);
    std::fs::remove_dir_all(&directory).ok();
}

//! Weight recorders (`[[record]] kind = "weights"`): what they hold against the final
//! weights, against the closed form of one spike pair, and across threads.

use super::*;
use crate::record::WeightRecorder;

/// The network of `plastic_networks_are_bitwise_identical_for_any_number_of_threads`, reduced:
/// a plastic feed-forward projection with drawn weights (exponential current), a plastic
/// recurrent one (delta, multiplicative) and a static one, with `records` appended.
fn network(records: &str) -> String {
    format!(
        r#"
        [simulation]
        duration = "200 ms"
        dt = "0.1 ms"
        seed = 11
        [population.input]
        model = "poisson"
        size = 60
        rate = "30 Hz"
        [population.E]
        model = "lif"
        size = 37
        V_init = {{ distribution = "uniform", low = "0 mV", high = "19 mV" }}
        [[projection]]
        source = "input"
        target = "E"
        rule = "fixed_indegree"
        indegree = 20
        weight = {{ distribution = "uniform", low = "100 pA", high = "300 pA" }}
        delay = "1.5 ms"
        synapse = "exponential"
        time_constant = "5 ms"
        [projection.plasticity]
        w_max = "400 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 3
        weight = "-0.3 mV"
        delay = "1 ms"
        [[projection]]
        source = "E"
        target = "E"
        rule = "bernoulli"
        p = 0.2
        weight = "0.5 mV"
        delay = "2 ms"
        [projection.plasticity]
        weight_dependence = "multiplicative"
        a_plus = 0.05
        a_minus = 0.05
        w_max = "2 mV"
        [[record]]
        kind = "spikes"
        population = "E"
        {records}
        "#
    )
}

fn run_on(text: &str, threads: usize) -> RunResult {
    let spec = read_model(Source::new("test.toml", text), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::build(&spec, threads)
        .unwrap()
        .run(300, |_| Control::Continue)
}

/// A recorder as bits, so that comparisons are bitwise.
fn bits(recorder: &WeightRecorder) -> (Vec<u32>, Vec<u32>, Vec<u64>, Vec<u64>) {
    (
        recorder.sources.clone(),
        recorder.targets.clone(),
        recorder.times_ms.iter().map(|t| t.to_bits()).collect(),
        recorder.values.iter().map(|w| w.to_bits()).collect(),
    )
}

const RECORDS: &str = r#"
        [[record]]
        kind = "weights"
        projection = 0
        times = ["0 ms", "50 ms", "200 ms"]
        [[record]]
        kind = "weights"
        projection = 2
        synapses = 40
        interval = "5 ms"
        [[record]]
        kind = "weights"
        projection = 0
        synapses = 740
        interval = "200 ms"
"#;

#[test]
fn a_record_at_the_end_holds_the_final_weights_and_one_at_zero_the_initial_ones() {
    let result = run_on(&network(RECORDS), 1);
    assert_eq!(result.weight_traces.len(), 3);
    let all = &result.weight_traces[0];
    let end = &result.weights[0];
    assert_eq!(all.projection, 0);
    assert_eq!(all.times_ms, [0.0, 50.0, 200.0]);
    // 37 targets × 20 inputs.
    assert_eq!(all.synapse_count(), 740);
    assert_eq!(all.sources, end.sources);
    assert_eq!(all.targets, end.targets);
    assert_eq!(all.at(2), &end.weights[..], "the record at the end");
    // At t = 0, the drawn initial weights: within the distribution, and most moved since.
    assert!(all.at(0).iter().all(|&w| (100.0..=300.0).contains(&w)));
    let moved = all
        .at(0)
        .iter()
        .zip(all.at(2))
        .filter(|(a, b)| a != b)
        .count();
    assert!(moved > 370, "{moved} of 740 weights moved");
    // A sample of every synapse, recorded at 0 and 200 ms, is the same thing.
    let every = &result.weight_traces[2];
    assert_eq!(every.times_ms, [0.0, 200.0]);
    assert_eq!(
        (&every.sources, &every.targets),
        (&all.sources, &all.targets)
    );
    assert_eq!(every.values, [all.at(0), all.at(2)].concat());
    // The recurrent sample: 40 synapses among those of the projection, 41 records, the last
    // one the final weights of its synapses.
    let sample = &result.weight_traces[1];
    let recurrent = &result.weights[1];
    assert_eq!(recurrent.projection, 2);
    assert_eq!(sample.synapse_count(), 40);
    assert_eq!(sample.times_ms.len(), 41);
    assert_eq!(sample.times_ms[40], 200.0);
    let mut position = 0;
    for k in 0..40 {
        let pair = (sample.sources[k], sample.targets[k]);
        // Ascending in the projection's order, so the search goes on from the last one.
        let found = (position..recurrent.weights.len())
            .find(|&i| (recurrent.sources[i], recurrent.targets[i]) == pair)
            .expect("a sampled synapse belongs to the projection");
        assert_eq!(sample.at(40)[k], recurrent.weights[found]);
        assert_eq!(sample.at(0)[k], 0.5);
        position = found + 1;
    }
}

#[test]
fn weight_records_are_bitwise_identical_for_any_number_of_threads() {
    let text = network(RECORDS);
    let fingerprint = |threads| {
        let result = run_on(&text, threads);
        result.weight_traces.iter().map(bits).collect::<Vec<_>>()
    };
    let one = fingerprint(1);
    assert!(
        one[1].3.iter().any(|&w| f64::from_bits(w) != 0.5),
        "weights moved"
    );
    for threads in [2, 4] {
        assert!(
            one == fingerprint(threads),
            "{threads} threads differ from 1"
        );
    }
}

#[test]
fn the_sample_depends_on_the_seed() {
    let text = network(RECORDS);
    let pairs = |text: &str| {
        let recorder = &run_on(text, 1).weight_traces[1];
        (recorder.sources.clone(), recorder.targets.clone())
    };
    let first = pairs(&text);
    assert_eq!(first, pairs(&text));
    assert_ne!(first, pairs(&text.replace("seed = 11", "seed = 12")));
}

#[test]
fn a_sampled_weight_changes_by_the_window_in_the_step_of_its_pair_and_not_before() {
    // Synapse 0: pre spike at 199 ms, delay 1 ms, so it arrives at 200 ms; post spike at
    // 210 ms (driven by a 100 mV jump): Δt = +10 ms, Δw = A₊·w_max·e^(−10/τ₊) at 210 ms.
    // Synapse 1: post spike at 190 ms, arrival at 200 ms: Δt = −10 ms,
    // Δw = −A₋·w_max·e^(−10/τ₋) at 200 ms. Song et al. (2000)'s defaults: τ± = 20 ms,
    // A₊ = 0.005, A₋ = 0.00525, here with w_max = 1 mV, w = 0.5 mV.
    let text = r#"
        [simulation]
        duration = "250 ms"
        dt = "0.1 ms"
        [population.pre]
        model = "spike_times"
        size = 2
        times = [["199 ms"], ["199 ms"]]
        [population.drive]
        model = "spike_times"
        size = 2
        times = [["209.9 ms"], ["189.9 ms"]]
        [population.post]
        model = "lif"
        size = 2
        [[projection]]
        source = "drive"
        target = "post"
        rule = "one_to_one"
        weight = "100 mV"
        delay = "0.1 ms"
        [[projection]]
        source = "pre"
        target = "post"
        rule = "one_to_one"
        weight = "0.5 mV"
        delay = "1 ms"
        [projection.plasticity]
        w_max = "1 mV"
        [[record]]
        kind = "spikes"
        population = "post"
        [[record]]
        kind = "weights"
        projection = 1
        synapses = 2
        interval = "0.1 ms"
    "#;
    let result = run_on(text, 1);
    let post: Vec<(u32, f64)> = result.spikes[0]
        .spikes
        .iter()
        .map(|s| (s.neuron, s.time_ms))
        .collect();
    assert_eq!(post.len(), 2);
    assert!(
        post.iter()
            .any(|&(n, t)| n == 0 && (t - 210.0).abs() < 1e-9)
    );
    assert!(
        post.iter()
            .any(|&(n, t)| n == 1 && (t - 190.0).abs() < 1e-9)
    );
    let recorder = &result.weight_traces[0];
    assert_eq!(
        (&recorder.sources[..], &recorder.targets[..]),
        (&[0, 1][..], &[0, 1][..])
    );
    assert_eq!(recorder.times_ms.len(), 2501);
    let potentiated = 0.5 + 0.005 * (-10.0f64 / 20.0).exp();
    let depressed = 0.5 - 0.00525 * (-10.0f64 / 20.0).exp();
    // Record n is t = n·dt: the potentiation lands in record 2100, the depression in 2000.
    let series = [recorder.series(0), recorder.series(1)];
    for (k, (expected, change)) in [(potentiated, 2100), (depressed, 2000)]
        .into_iter()
        .enumerate()
    {
        assert!((recorder.times_ms[change] - change as f64 * 0.1).abs() < 1e-9);
        assert!(
            series[k][..change].iter().all(|&w| w == 0.5),
            "synapse {k} unchanged before its pair"
        );
        assert!(
            series[k][change..]
                .iter()
                .all(|&w| (w - expected).abs() <= 1e-12),
            "synapse {k}: {} after the pair, expected {expected}",
            series[k][change]
        );
        assert_eq!(series[k][2500], result.weights[0].weights[k]);
    }
}

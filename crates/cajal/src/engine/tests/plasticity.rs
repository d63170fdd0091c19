//! Spike-timing-dependent plasticity: the weight change of single spike pairs and triplets
//! against the closed forms of the rule (see [`crate::synapse::plasticity`]), the order of
//! events within a step, and reproducibility across threads.

use super::*;

/// dt of the protocols (ms).
const DT: f64 = 0.1;

/// A protocol: `pre[i]` are the spike times (ms) of presynaptic neuron i, `post[i]` the
/// times at which postsynaptic neuron i is made to fire (by a 100 mV jump from a second
/// source, delay dt). The plastic projection is one_to_one, delta, weight 0.5 mV, delay
/// `delay` (ms), `plasticity` its table. Returns the post neurons' actual spike times and the
/// final weights (synapse i onto post neuron i).
fn protocol(
    pre: &[Vec<f64>],
    post: &[Vec<f64>],
    delay: f64,
    plasticity: &str,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let list = |times: &[Vec<f64>], shift: f64| {
        let lists: Vec<String> = times
            .iter()
            .map(|t| {
                let items: Vec<String> = t
                    .iter()
                    .map(|t| format!("\"{:.1} ms\"", t - shift))
                    .collect();
                format!("[{}]", items.join(", "))
            })
            .collect();
        format!("[{}]", lists.join(", "))
    };
    let n = pre.len();
    let end = pre
        .iter()
        .chain(post)
        .flatten()
        .fold(0.0f64, |a, &b| a.max(b))
        + 200.0;
    let text = format!(
        r#"
        [simulation]
        duration = "{end} ms"
        dt = "{DT} ms"
        [population.pre]
        model = "spike_times"
        size = {n}
        times = {pre}
        [population.drive]
        model = "spike_times"
        size = {n}
        times = {drive}
        [population.post]
        model = "lif"
        size = {n}
        [[projection]]
        source = "drive"
        target = "post"
        rule = "one_to_one"
        weight = "100 mV"
        delay = "{DT} ms"
        [[projection]]
        source = "pre"
        target = "post"
        rule = "one_to_one"
        weight = "0.5 mV"
        delay = "{delay} ms"
        [projection.plasticity]
        {plasticity}
        [[record]]
        kind = "spikes"
        population = "post"
        "#,
        pre = list(pre, 0.0),
        drive = list(post, DT),
    );
    let result = run(&text);
    let mut times = vec![Vec::new(); n];
    for spike in &result.spikes[0].spikes {
        times[spike.neuron as usize].push(spike.time_ms);
    }
    assert_eq!(result.weights.len(), 1);
    let weights = &result.weights[0];
    assert_eq!(weights.projection, 1);
    assert_eq!(weights.targets, (0..n as u32).collect::<Vec<_>>());
    assert!((weights.delay_ms - delay).abs() < 1e-12);
    (times, weights.weights.clone())
}

fn assert_close(found: f64, expected: f64, what: &str) {
    assert!(
        (found - expected).abs() <= 1e-9 * expected.abs().max(1e-12),
        "{what}: Δw = {found:e}, expected {expected:e}"
    );
}

/// Δt from −100 to 100 ms in steps of 5 ms, with arrivals at 200 ms (delay 1 ms).
fn pairs() -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) {
    let dts: Vec<f64> = (-20..=20).map(|k| 5.0 * k as f64).collect();
    let pre = dts.iter().map(|_| vec![199.0]).collect();
    let post = dts.iter().map(|dt| vec![200.0 + dt]).collect();
    (pre, post, dts)
}

#[test]
fn one_pair_changes_the_weight_by_the_additive_window() {
    // Δw = A₊·w_max·e^(−Δt/τ₊) for Δt ≥ 0 (a post spike in the step of arrival counts as
    // Δt = 0: potentiation, no depression), −A₋·w_max·e^(Δt/τ₋) for Δt < 0, with
    // Δt = t_post − (t_pre + d): the delay is axonal.
    let (pre, post, dts) = pairs();
    let (a_plus, a_minus, tau_plus, tau_minus, w_max) = (0.01, 0.012, 16.8, 33.7, 1.0);
    let (times, weights) = protocol(
        &pre,
        &post,
        1.0,
        "tau_plus = \"16.8 ms\"\ntau_minus = \"33.7 ms\"\na_plus = 0.01\na_minus = 0.012\nw_max = \"1 mV\"",
    );
    for (i, &dt) in dts.iter().enumerate() {
        assert_eq!(times[i].len(), 1, "post neuron {i} fires once");
        let t_post = times[i][0];
        assert!(
            (t_post - (200.0 + dt)).abs() < 1e-9,
            "post spike at {t_post} ms"
        );
        let delta = t_post - 200.0;
        let expected = if delta >= 0.0 {
            a_plus * w_max * (-delta / tau_plus).exp()
        } else {
            -a_minus * w_max * (delta / tau_minus).exp()
        };
        assert_close(weights[i] - 0.5, expected, &format!("Δt = {dt} ms"));
    }
}

#[test]
fn one_pair_changes_the_weight_by_the_multiplicative_window() {
    // Soft bounds: potentiation ∝ (w_max − w), depression ∝ (w − w_min); w = 0.5 mV in
    // [0.2, 1.5] mV, so the two sides scale by 1.0 and 0.3 mV.
    let (pre, post, dts) = pairs();
    let (_, weights) = protocol(
        &pre,
        &post,
        1.0,
        "weight_dependence = \"multiplicative\"\nw_min = \"0.2 mV\"\nw_max = \"1.5 mV\"",
    );
    // Song et al. (2000)'s defaults: τ± = 20 ms, A₊ = 0.005, A₋ = 1.05·A₊.
    for (i, &dt) in dts.iter().enumerate() {
        let expected = if dt >= 0.0 {
            0.005 * (1.5 - 0.5) * (-dt / 20.0).exp()
        } else {
            -0.00525 * (0.5 - 0.2) * (dt / 20.0).exp()
        };
        assert_close(weights[i] - 0.5, expected, &format!("Δt = {dt} ms"));
    }
}

#[test]
fn all_to_all_pairing_sums_earlier_spikes_and_nearest_pairing_keeps_the_latest() {
    // Two pre spikes arriving 30 and 10 ms before a post spike (and two post spikes 10 and
    // 25 ms before a third neuron's pre arrival): all-to-all adds both exponentials,
    // nearest-neighbour pairing only the closer one.
    let pre = vec![vec![169.0, 189.0], vec![199.0]];
    let post = vec![vec![200.0], vec![175.0, 190.0]];
    let tau = 20.0;
    let potentiation = |terms: &[f64]| terms.iter().map(|d| 0.005 * (-d / tau).exp()).sum::<f64>();
    let depression = |terms: &[f64]| {
        -terms
            .iter()
            .map(|d| 0.00525 * (-d / tau).exp())
            .sum::<f64>()
    };
    let (_, all) = protocol(&pre, &post, 1.0, "w_max = \"1 mV\"");
    assert_close(
        all[0] - 0.5,
        potentiation(&[30.0, 10.0]),
        "all-to-all, pre-pre-post",
    );
    assert_close(
        all[1] - 0.5,
        depression(&[25.0, 10.0]),
        "all-to-all, post-post-pre",
    );
    let (_, nearest) = protocol(&pre, &post, 1.0, "pairing = \"nearest\"\nw_max = \"1 mV\"");
    assert_close(
        nearest[0] - 0.5,
        potentiation(&[10.0]),
        "nearest, pre-pre-post",
    );
    assert_close(
        nearest[1] - 0.5,
        depression(&[10.0]),
        "nearest, post-post-pre",
    );
}

#[test]
fn the_triplet_rule_gives_its_closed_form_for_triplets() {
    // Pfister & Gerstner (2006), additive, all-to-all: with arrivals/posts at t₁ < t₂ < t₃,
    // post-pre-post: Δw = −A₂⁻·e^(−(t₂−t₁)/τ₋) + e^(−(t₃−t₂)/τ₊)·(A₂⁺ + A₃⁺·e^(−(t₃−t₁)/τ_y));
    // pre-post-pre: Δw = e^(−(t₂−t₁)/τ₊)·A₂⁺ − e^(−(t₃−t₂)/τ₋)·(A₂⁻ + A₃⁻·e^(−(t₃−t₁)/τ_x));
    // (w_max = 1 mV), the slow traces read before the spike's own increment.
    let (a2p, a3p, a2m, a3m): (f64, f64, f64, f64) = (0.005, 0.01, 0.007, 0.002);
    let (tp, tm, tx, ty): (f64, f64, f64, f64) = (16.8, 33.7, 101.0, 125.0);
    let table = "rule = \"triplet\"\na2_plus = 0.005\na3_plus = 0.01\na2_minus = 0.007\n\
                 a3_minus = 0.002\ntau_x = \"101 ms\"\ntau_y = \"125 ms\"\nw_max = \"1 mV\"";
    // Neuron 0: post 190, arrival 200, post 210. Neuron 1: arrival 190, post 195, arrival 220.
    let pre = vec![vec![199.0], vec![189.0, 219.0]];
    let post = vec![vec![190.0, 210.0], vec![195.0]];
    let (times, weights) = protocol(&pre, &post, 1.0, table);
    assert_eq!(times, vec![vec![190.0, 210.0], vec![195.0]]);
    let post_pre_post =
        -a2m * (-10.0 / tm).exp() + (-10.0 / tp).exp() * (a2p + a3p * (-20.0f64 / ty).exp());
    let pre_post_pre =
        (-5.0 / tp).exp() * a2p - (-25.0 / tm).exp() * (a2m + a3m * (-30.0f64 / tx).exp());
    assert_close(weights[0] - 0.5, post_pre_post, "post-pre-post");
    assert_close(weights[1] - 0.5, pre_post_pre, "pre-post-pre");
}

#[test]
fn weights_stay_within_their_bounds() {
    // A₊ = 0.5 w_max per pair: three pre-post pairs from 0.5 mV would reach 2 mV without
    // the bound of 1 mV; three post-pre pairs with A₋ = 0.5 would reach −1 mV, bound 0.
    let pre = vec![vec![99.0, 149.0, 199.0], vec![101.0, 151.0, 201.0]];
    let post = vec![vec![100.0, 150.0, 200.0], vec![100.0, 150.0, 200.0]];
    let (_, weights) = protocol(
        &pre,
        &post,
        1.0,
        "a_plus = 0.5\na_minus = 0.5\nw_max = \"1 mV\"",
    );
    assert_eq!(weights, vec![1.0, 0.0]);
}

#[test]
fn plastic_networks_are_bitwise_identical_for_any_number_of_threads() {
    // Plastic feed-forward (exponential and difference-of-exponentials currents, triplet
    // nearest) and recurrent (delta, multiplicative) projections beside a static one: spikes
    // and every final weight must not depend on the partition of targets among threads.
    let text = r#"
        [simulation]
        duration = "300 ms"
        dt = "0.1 ms"
        seed = 3
        [population.input]
        model = "poisson"
        size = 60
        rate = "30 Hz"
        [population.E]
        model = "lif"
        size = 37
        V_init = { distribution = "uniform", low = "0 mV", high = "19 mV" }
        [[projection]]
        source = "input"
        target = "E"
        rule = "fixed_indegree"
        indegree = 20
        weight = { distribution = "uniform", low = "100 pA", high = "300 pA" }
        delay = "1.5 ms"
        synapse = "exponential"
        time_constant = "5 ms"
        [projection.plasticity]
        w_max = "400 pA"
        [[projection]]
        source = "input"
        target = "E"
        rule = "bernoulli"
        p = 0.2
        weight = "200 pA"
        delay = "0.7 ms"
        synapse = "difference_of_exponentials"
        rise_time_constant = "1 ms"
        decay_time_constant = "4 ms"
        [projection.plasticity]
        rule = "triplet"
        pairing = "nearest"
        a2_plus = 0.01
        w_max = "400 pA"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 5
        weight = "0.5 mV"
        delay = "2 ms"
        [projection.plasticity]
        weight_dependence = "multiplicative"
        a_plus = 0.05
        a_minus = 0.05
        w_max = "2 mV"
        [[projection]]
        source = "E"
        target = "E"
        rule = "fixed_indegree"
        indegree = 3
        weight = "-0.3 mV"
        delay = "1 ms"
    "#;
    let spec = read_model(Source::new("test.toml", text), Path::new(".")).unwrap();
    let fingerprint = |threads: usize| {
        let result = Simulation::build(&spec, threads)
            .unwrap()
            .run(700, |_| Control::Continue);
        let weights: Vec<(u32, u32, u64)> = result
            .weights
            .iter()
            .flat_map(|w| {
                (0..w.weights.len()).map(|k| (w.sources[k], w.targets[k], w.weights[k].to_bits()))
            })
            .collect();
        (spike_bits(&result), weights, result.weights.len())
    };
    let one = fingerprint(1);
    assert_eq!(one.2, 3);
    assert!(one.0.len() > 200, "{} spikes", one.0.len());
    // The weights moved.
    let spec_weights = fingerprint(1).1;
    let moved = spec_weights
        .iter()
        .filter(|&&(_, _, bits)| {
            let w = f64::from_bits(bits);
            w != 0.5 && w != 200.0
        })
        .count();
    assert!(
        moved > spec_weights.len() / 2,
        "{moved} of {} weights changed",
        spec_weights.len()
    );
    for threads in [2, 3, 8] {
        assert!(
            one == fingerprint(threads),
            "{threads} threads differ from 1"
        );
    }
}

/// The error message of a model that must be refused.
fn refusal(text: &str) -> String {
    match read_model(Source::new("test.toml", text), Path::new(".")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => format!("{error} {:?} {:?}", error.expected, error.hint),
    }
}

#[test]
fn bad_plasticity_is_refused_with_a_reason() {
    let model = |projection: &str, plasticity: &str| {
        format!(
            r#"
            [simulation]
            duration = "10 ms"
            [population.a]
            model = "lif"
            size = 3
            [[projection]]
            source = "a"
            target = "a"
            rule = "all_to_all"
            {projection}
            [projection.plasticity]
            {plasticity}
            "#
        )
    };
    let cases = [
        (
            "weight = \"0.5 mV\"",
            "w_min = \"1 mV\"\nw_max = \"1 mV\"",
            "w_max must lie above w_min",
        ),
        ("weight = \"0.5 mV\"", "a_plus = 0.1", "missing"),
        (
            "weight = \"1.5 mV\"",
            "w_max = \"1 mV\"",
            "outside [w_min, w_max]",
        ),
        (
            "weight = { distribution = \"normal\", mean = \"0.5 mV\", std = \"0.1 mV\" }",
            "w_max = \"1 mV\"",
            "can draw weights outside",
        ),
        (
            "weight = \"0.5 mV\"",
            "tau_plus = \"0 ms\"\nw_max = \"1 mV\"",
            "time constant must be positive",
        ),
        (
            "weight = \"0.5 mV\"",
            "a_minus = -0.1\nw_max = \"1 mV\"",
            "cannot be negative",
        ),
        ("weight = \"0.5 mV\"", "w_max = \"1 pA\"", "w_max"),
        (
            "weight = \"0.5 mV\"",
            "rule = \"hebb\"\nw_max = \"1 mV\"",
            "rule",
        ),
        (
            "weight = \"0.5 mV\"\ndelay = { distribution = \"uniform\", low = \"1 ms\", high = \"2 ms\" }",
            "w_max = \"1 mV\"",
            "one delay for all its synapses",
        ),
        (
            "weight = \"1 nS\"\nsynapse = \"conductance_exponential\"\ntime_constant = \"5 ms\"\nreversal_potential = \"0 mV\"",
            "w_max = \"2 nS\"",
            "delta and current-based synapses only",
        ),
    ];
    for (projection, plasticity, expected) in cases {
        let message = refusal(&model(projection, plasticity));
        assert!(message.contains(expected), "{expected:?} not in {message}");
    }
}

#[test]
fn bad_spike_times_are_refused_with_a_reason() {
    let model = |times: &str| {
        format!(
            "[simulation]\nduration = \"10 ms\"\ndt = \"0.1 ms\"\n[population.s]\nmodel = \"spike_times\"\nsize = 2\n{times}\n"
        )
    };
    for (times, expected) in [
        ("times = [[\"1 ms\"]]", "one list of times per neuron"),
        ("times = [[\"1.05 ms\"], []]", "not on the time grid"),
        ("times = [[\"0 ms\"], []]", "not on the time grid"),
        ("times = [[\"1 mV\"], []]", "time"),
        ("", "missing `times`"),
    ] {
        let message = refusal(&model(times));
        assert!(message.contains(expected), "{expected:?} not in {message}");
    }
}

/// One LIF neuron driven by 1000 Poisson inputs at 10 Hz through plastic delta synapses
/// (initial weights uniform in [0, w_max] = [0, 0.4 mV]) and 200 inhibitory ones (−0.5 mV,
/// static) for `seconds`: the final weights as fractions of w_max, and the neuron's rate
/// (Hz). A₊ = 0.01 and A₋ = 1.05·A₊ — twice Song et al.'s amplitudes, with their ratio, so
/// that the distribution settles within 500 s.
fn song_miller_abbott(seconds: f64, dependence: &str) -> (Vec<f64>, f64) {
    let text = format!(
        r#"
        [simulation]
        duration = "{seconds} s"
        dt = "0.1 ms"
        seed = 11
        [population.input]
        model = "poisson"
        size = 1000
        rate = "10 Hz"
        [population.post]
        model = "lif"
        size = 1
        [[projection]]
        source = "input"
        target = "post"
        rule = "all_to_all"
        weight = {{ distribution = "uniform", low = "0 mV", high = "0.4 mV" }}
        delay = "1 ms"
        [projection.plasticity]
        weight_dependence = "{dependence}"
        a_plus = 0.01
        a_minus = 0.0105
        w_max = "0.4 mV"
        [[input]]
        target = "post"
        kind = "poisson"
        rate = "10 Hz"
        sources = 200
        weight = "-0.5 mV"
        [[record]]
        kind = "spikes"
        population = "post"
        "#
    );
    let result = run(&text);
    let rate = result.spikes[0].spikes.len() as f64 / seconds;
    (
        result.weights[0].weights.iter().map(|w| w / 0.4).collect(),
        rate,
    )
}

const SECONDS: f64 = 500.0;

#[test]
#[ignore = "slow: 2 × 500 s of biological time, about 30 s"]
fn additive_stdp_makes_the_weights_bimodal_and_multiplicative_keeps_them_unimodal() {
    // Song, Miller & Abbott (2000), Fig. 2: with A₋/A₊ = 1.05, additive STDP under
    // uncorrelated Poisson input drives the weights to the bounds — most end near 0 or near
    // w_max, a few in between — and regulates the rate. The multiplicative (soft-bounded)
    // rule instead has a stable fixed point inside the range: a unimodal distribution near
    // w* = A₊/(A₊ + A₋) ≈ 0.49 w_max for uncorrelated pre and post spikes (van Rossum et al.
    // 2000, J. Neurosci. 20:8812).
    let (weights, rate) = song_miller_abbott(SECONDS, "additive");
    // Ten bins of 0.1 w_max: the two end bins hold the modes, each with more than twice
    // the fullest interior bin (uniform initial weights give 0.1 in every bin).
    let mut bins = [0.0; 10];
    for &w in &weights {
        bins[((w * 10.0) as usize).min(9)] += 1.0 / weights.len() as f64;
    }
    let interior = bins[1..9].iter().copied().fold(0.0, f64::max);
    eprintln!("additive: bins {bins:?}, rate {rate} Hz");
    assert!(
        bins[0] > 2.0 * interior && bins[9] > 2.0 * interior,
        "not bimodal: {bins:?}"
    );
    assert!(
        bins[0] + bins[9] > 0.5,
        "{} at the bounds",
        bins[0] + bins[9]
    );
    let (weights, rate) = song_miller_abbott(SECONDS, "multiplicative");
    let n = weights.len() as f64;
    let mean = weights.iter().sum::<f64>() / n;
    let sd = (weights.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n).sqrt();
    let extremes = weights
        .iter()
        .filter(|&&w| !(0.1..=0.9).contains(&w))
        .count() as f64
        / n;
    eprintln!("multiplicative: mean {mean}, sd {sd}, {extremes} at the bounds, rate {rate} Hz");
    assert!((mean - 1.0 / 2.05).abs() < 0.05, "mean weight {mean} w_max");
    assert!(
        sd < 0.1 && extremes < 0.02,
        "sd {sd}, {extremes} at the bounds"
    );
}

use super::*;

fn build(rule: Rule, sources: usize, targets: usize, same: bool, autapses: bool) -> Connectivity {
    Connectivity::build(&rule, sources, targets, same, autapses, 42, 0).unwrap()
}

#[test]
fn fixed_indegree_is_exact_and_respects_autapses() {
    let c = build(Rule::FixedIndegree { indegree: 50 }, 400, 300, true, false);
    assert!(c.indegrees(300).iter().all(|&k| k == 50));
    assert_eq!(c.synapse_count(), 50 * 300);
    for source in 0..300 {
        assert!(
            !c.targets_of(source).to_vec().contains(&(source as u32)),
            "autapse at {source}"
        );
        assert!(c.targets_of(source).to_vec().is_sorted());
    }
    // Sources are uniform: each source's out-degree is binomial(300·50, 1/399) over the
    // 300 targets it may reach (399 for the 100 that are never targets... approximately).
    let mean = c.synapse_count() as f64 / 400.0;
    let counts: Vec<f64> = (0..400).map(|s| c.targets_of(s).len() as f64).collect();
    let average = counts.iter().sum::<f64>() / 400.0;
    assert!((average - mean).abs() < 1e-12);
    let variance = counts.iter().map(|x| (x - average).powi(2)).sum::<f64>() / 399.0;
    // Binomial variance n p (1 − p) with n = 15000, p ≈ 1/400: ≈ 37.4; allow sampling error.
    assert!((variance - 37.4).abs() < 0.3 * 37.4, "{variance}");
}

#[test]
fn bernoulli_counts_lie_within_four_sigma() {
    let (n, p) = (1000usize, 0.1);
    let c = build(Rule::Bernoulli { probability: p }, n, n, true, true);
    let expected = p * (n * n) as f64;
    let sigma = (expected * (1.0 - p)).sqrt();
    let total = c.synapse_count() as f64;
    assert!(
        (total - expected).abs() < 4.0 * sigma,
        "{total} vs {expected} ± {sigma}"
    );
    // Per-target in-degrees are binomial(n, p): mean 100, variance 90.
    let indegrees = c.indegrees(n);
    let mean = indegrees.iter().sum::<u64>() as f64 / n as f64;
    let variance = indegrees
        .iter()
        .map(|&k| (k as f64 - mean).powi(2))
        .sum::<f64>()
        / (n - 1) as f64;
    assert!(
        (variance - 90.0).abs() < 4.0 * 90.0 * (2.0 / (n - 1) as f64).sqrt(),
        "{variance}"
    );
    // No pair twice.
    for source in 0..n {
        let row = c.targets_of(source).to_vec();
        assert!(row.windows(2).all(|w| w[0] < w[1]));
    }
    // Extremes.
    assert_eq!(
        build(Rule::Bernoulli { probability: 0.0 }, 10, 10, false, true).synapse_count(),
        0
    );
    assert_eq!(
        build(Rule::Bernoulli { probability: 1.0 }, 10, 10, true, false).synapse_count(),
        90
    );
}

#[test]
fn deterministic_rules_make_the_expected_pairs() {
    let c = build(Rule::AllToAll, 3, 4, false, true);
    assert_eq!(c.synapse_count(), 12);
    assert_eq!(c.targets_of(2).to_vec(), [0, 1, 2, 3]);
    let c = build(Rule::AllToAll, 3, 3, true, false);
    assert_eq!(c.targets_of(1).to_vec(), [0, 2]);
    let c = build(Rule::OneToOne, 5, 5, false, true);
    assert_eq!(c.targets_of(3).to_vec(), [3]);
    assert!(Connectivity::build(&Rule::OneToOne, 5, 6, false, true, 1, 0).is_err());
}

#[test]
fn fixed_outdegree_and_total_have_exact_counts() {
    let c = build(Rule::FixedOutdegree { outdegree: 7 }, 100, 50, false, true);
    assert!((0..100).all(|s| c.targets_of(s).len() == 7));
    let c = build(Rule::FixedTotal { count: 1234 }, 100, 50, true, false);
    assert_eq!(c.synapse_count(), 1234);
    assert!((0..50).all(|s| !c.targets_of(s).to_vec().contains(&(s as u32))));
}

#[test]
fn the_same_seed_gives_the_same_network_and_another_seed_another() {
    let rule = Rule::FixedIndegree { indegree: 20 };
    let a = Connectivity::build(&rule, 200, 200, true, true, 7, 3).unwrap();
    let b = Connectivity::build(&rule, 200, 200, true, true, 7, 3).unwrap();
    let c = Connectivity::build(&rule, 200, 200, true, true, 8, 3).unwrap();
    let d = Connectivity::build(&rule, 200, 200, true, true, 7, 4).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, d);
    assert_eq!(a.bytes(), 200 * 20 * 2 + 201 * 8);
    // Beyond 65,536 targets indices take four bytes, and stay exact.
    let wide = Connectivity::build(
        &Rule::FixedOutdegree { outdegree: 3 },
        10,
        100_000,
        false,
        true,
        7,
        0,
    )
    .unwrap();
    assert_eq!(wide.bytes(), 10 * 3 * 4 + 11 * 8);
    assert!(wide.targets_of(0).iter().all(|t| t < 100_000));
    let narrow = Connectivity::from_pairs(3, 65_536, [(0, 65_535), (2, 7), (0, 3)]);
    assert_eq!(narrow.targets_of(0).to_vec(), [3, 65_535]);
    assert_eq!(narrow.targets_of(1).to_vec(), Vec::<u32>::new());
}

/// Fraction of pairs connected in distance bins, with the number of pairs in each bin.
fn connected_fraction_by_distance(
    c: &Connectivity,
    rule: &DistanceRule,
    sources: usize,
    targets: usize,
    bin_um: f64,
    bins: usize,
) -> Vec<(f64, f64, f64)> {
    let mut pairs = vec![0.0f64; bins];
    let mut connected = vec![0.0f64; bins];
    let mut expected = vec![0.0f64; bins];
    for source in 0..sources {
        let row = c.targets_of(source).to_vec();
        let there = rule.source_layout.position(source, sources);
        for target in 0..targets {
            let here = rule.target_layout.position(target, targets);
            let d = rule.target_layout.distance(here, there);
            let bin = (d / bin_um) as usize;
            if bin < bins {
                pairs[bin] += 1.0;
                expected[bin] += rule.probability(d);
                connected[bin] += row.iter().filter(|&&t| t == target as u32).count() as f64;
            }
        }
    }
    (0..bins)
        .map(|b| (pairs[b], connected[b], expected[b]))
        .collect()
}

#[test]
fn a_gaussian_profile_on_a_ring_is_recovered_from_the_synapses() {
    let ring = Layout::Ring {
        circumference_um: 1000.0,
    };
    let rule = DistanceRule {
        peak_probability: 0.8,
        profile: Profile::Gaussian { width_um: 60.0 },
        cutoff_um: None,
        source_layout: ring,
        target_layout: ring,
    };
    let (sources, targets) = (2000, 500);
    let c = build(Rule::Distance(rule), sources, targets, false, true);
    // In every 20 µm bin the number of synapses is a sum of independent Bernoulli draws:
    // within 4 standard deviations of its expectation.
    for (bin, (pairs, connected, expected)) in
        connected_fraction_by_distance(&c, &rule, sources, targets, 20.0, 25)
            .into_iter()
            .enumerate()
    {
        let sigma = (expected * (1.0 - expected / pairs)).sqrt().max(1.0);
        assert!(
            (connected - expected).abs() < 4.0 * sigma,
            "bin {bin}: {connected} synapses, expected {expected} ± {sigma}"
        );
    }
    // The total matches the estimate used for the memory check.
    let estimate = rule.expected_synapses(sources, targets);
    let total = c.synapse_count() as f64;
    assert!(
        (total - estimate).abs() < 4.0 * estimate.sqrt(),
        "{total} vs {estimate}"
    );
}

#[test]
fn an_exponential_profile_on_a_torus_wraps_and_stops_at_the_cutoff() {
    let torus = |side: usize| Layout::Grid {
        columns: side,
        rows: side,
        width_um: 400.0,
        height_um: 400.0,
        periodic: true,
    };
    let rule = DistanceRule {
        peak_probability: 0.5,
        profile: Profile::Exponential { length_um: 40.0 },
        cutoff_um: Some(120.0),
        source_layout: torus(40),
        target_layout: torus(20),
    };
    let (sources, targets) = (1600, 400);
    let c = build(Rule::Distance(rule), sources, targets, false, true);
    let bins = connected_fraction_by_distance(&c, &rule, sources, targets, 10.0, 30);
    for (bin, &(pairs, connected, expected)) in bins.iter().enumerate() {
        let sigma = (expected * (1.0 - expected / pairs.max(1.0)))
            .sqrt()
            .max(1.0);
        assert!(
            (connected - expected).abs() < 4.0 * sigma,
            "bin {bin}: {connected} synapses, expected {expected} ± {sigma}"
        );
        if bin >= 12 {
            assert_eq!(connected, 0.0, "a synapse beyond the cutoff in bin {bin}");
        }
    }
    // A neuron at a corner reaches across the edges: target 0 has sources on the far side.
    let far_side = (0..sources)
        .filter(|&s| c.targets_of(s).to_vec().contains(&0))
        .filter(|&s| s % 40 >= 30 || s / 40 >= 30)
        .count();
    assert!(far_side > 5, "{far_side}");
}

#[test]
fn a_listed_projection_keeps_every_synapse_with_its_weight_and_delay() {
    let list = SynapseList {
        path: "list.csv".into(),
        sources: vec![2, 0, 2, 1, 2],
        targets: vec![5, 1, 0, 1, 5],
        weights: Some(vec![0.5, 1.0, 1.5, 2.0, 2.5]),
        delay_steps: Some(vec![3, 1, 4, 1, 5]),
    };
    let c = build(Rule::FromList(Arc::new(list)), 3, 6, false, true);
    let synapses: Vec<(usize, u32, f64, u16)> = (0..3)
        .flat_map(|s| {
            let range = c.synapse_range(s);
            let (weights, delays) = (c.weights().unwrap(), c.delays().unwrap());
            c.targets_of(s)
                .iter()
                .zip(range)
                .map(move |(t, k)| (s, t, weights[k], delays[k]))
                .collect::<Vec<_>>()
        })
        .collect();
    // By source, then by target; the two synapses 2 → 5 keep the file's order.
    assert_eq!(
        synapses,
        [
            (0, 1, 1.0, 1),
            (1, 1, 2.0, 1),
            (2, 0, 1.5, 4),
            (2, 5, 0.5, 3),
            (2, 5, 2.5, 5)
        ]
    );
    assert_eq!(c.max_delay_steps(), Some(5));
    assert_eq!(c.bytes(), 5 * (2 + 8 + 2) + 4 * 8);
}

#[test]
fn drawn_weights_and_delays_follow_their_distributions() {
    let mut c = build(
        Rule::FixedIndegree { indegree: 100 },
        1000,
        1000,
        true,
        true,
    );
    c.draw_weights(
        &Distribution::Normal {
            mean: 0.2,
            std: 0.05,
        },
        42,
        0,
    );
    let weights = c.weights().unwrap();
    let n = weights.len() as f64;
    let mean = weights.iter().sum::<f64>() / n;
    let std = (weights.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!((mean - 0.2).abs() < 4.0 * 0.05 / n.sqrt(), "{mean}");
    assert!((std - 0.05).abs() < 4.0 * 0.05 / (2.0 * n).sqrt(), "{std}");
    // Delays uniform on [1, 3] ms at dt = 0.1 ms: rounding gives steps 10..=30, the two ends
    // half as likely as the 19 inner ones.
    c.draw_delays(
        &Distribution::Uniform {
            low: 1.0,
            high: 3.0,
        },
        0.1,
        42,
        0,
    )
    .unwrap();
    let delays = c.delays().unwrap();
    let mut counts = [0.0f64; 31];
    for &d in delays {
        counts[d as usize] += 1.0;
    }
    assert_eq!(counts[..10].iter().sum::<f64>(), 0.0);
    for (steps, &count) in counts.iter().enumerate().skip(10) {
        let p = if steps == 10 || steps == 30 {
            0.025
        } else {
            0.05
        };
        let expected = p * n;
        assert!(
            (count - expected).abs() < 4.0 * (expected * (1.0 - p)).sqrt(),
            "{steps} steps: {count} vs {expected}"
        );
    }
    let too_short = c.draw_delays(
        &Distribution::Uniform {
            low: 0.0,
            high: 1.0,
        },
        0.1,
        42,
        0,
    );
    assert!(
        too_short
            .unwrap_err()
            .to_string()
            .contains("between one step")
    );
}

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

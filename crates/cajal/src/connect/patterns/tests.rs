use super::*;
use crate::connect::Rule;

fn rule(patterns: &Arc<Patterns>, learning: Learning, weight: f64, probability: f64) -> Rule {
    Rule::Patterns(PatternRule {
        patterns: patterns.clone(),
        learning,
        weight,
        probability,
    })
}

/// J as an N × N matrix (target, source) from the connectivity; absent synapses are 0.
fn matrix(connectivity: &Connectivity, size: usize) -> Vec<f64> {
    let weights = connectivity.weights().expect("per-synapse weights");
    let mut j = vec![0.0; size * size];
    for source in 0..size {
        let range = connectivity.synapse_range(source);
        for (target, &weight) in connectivity.targets_of(source).iter().zip(&weights[range]) {
            j[target as usize * size + source] = weight;
        }
    }
    j
}

#[test]
fn random_patterns_have_exactly_the_coding_level_and_are_reproducible() {
    for (size, f) in [(1000, 0.5), (1000, 0.1), (333, 0.05), (70, 0.3)] {
        let patterns = Patterns::random(40, size, f, 9, 2).unwrap();
        let expected = (f * size as f64).round() as usize;
        for mu in 0..40 {
            assert_eq!(patterns.active_count(mu), expected);
            assert_eq!(patterns.active_neurons(mu).count(), expected);
            assert_eq!(
                patterns.pattern(mu).iter().filter(|&&b| b).count(),
                expected
            );
        }
        assert!((patterns.mean_coding_level() - expected as f64 / size as f64).abs() < 1e-15);
        assert_eq!(patterns, Patterns::random(40, size, f, 9, 2).unwrap());
        // Pattern μ does not depend on how many are drawn; other seeds give others.
        let fewer = Patterns::random(3, size, f, 9, 2).unwrap();
        assert_eq!(fewer.pattern(2), patterns.pattern(2));
        assert_ne!(
            Patterns::random(1, size, f, 10, 2).unwrap().pattern(0),
            patterns.pattern(0)
        );
    }
    // Every neuron is active in a fraction f of patterns on average: over 400 patterns of
    // 100 neurons at f = 0.2, a neuron's count is binomial(400, 0.2) (mean 80, sd 8); the
    // mean over 100 neurons is exactly 80 and no count strays beyond 6 sd.
    let patterns = Patterns::random(400, 100, 0.2, 3, 0).unwrap();
    let (bits, width) = patterns.by_neuron();
    for neuron in 0..100 {
        let count: u32 = bits[neuron * width..(neuron + 1) * width]
            .iter()
            .map(|w| w.count_ones())
            .sum();
        assert!(
            (count as f64 - 80.0).abs() < 48.0,
            "neuron {neuron}: {count}"
        );
    }
    assert!(Patterns::random(3, 10, 0.0, 1, 0).is_err());
    assert!(Patterns::random(3, 10, 0.01, 1, 0).is_err()); // round(0.1) = 0 active
    assert!(Patterns::random(1 << 20, 1 << 14, 0.5, 1, 0).is_err()); // 2^34 bits
}

#[test]
fn couplings_match_a_double_loop_for_both_rules() {
    // P = 70 crosses a 64-bit word boundary in the neuron-major bits.
    let size = 90;
    for (f, p) in [(0.5, 70), (0.2, 13), (0.1, 3)] {
        let patterns = Arc::new(Patterns::random(p, size, f, 4, 0).unwrap());
        for learning in [Learning::Hopfield, Learning::Covariance] {
            let c = Connectivity::build(
                &rule(&patterns, learning, 2.5, 1.0),
                size,
                size,
                true,
                false,
                1,
                0,
            )
            .unwrap();
            let j = matrix(&c, size);
            let fbar = patterns.mean_coding_level();
            for i in 0..size {
                for k in 0..size {
                    // The definition, written out independently of the module.
                    let mut sum = 0.0;
                    for mu in 0..p {
                        let (xi, xk) = (
                            f64::from(u8::from(patterns.is_active(mu, i))),
                            f64::from(u8::from(patterns.is_active(mu, k))),
                        );
                        sum += match learning {
                            Learning::Hopfield => (2.0 * xi - 1.0) * (2.0 * xk - 1.0),
                            Learning::Covariance => (xi - fbar) * (xk - fbar),
                        };
                    }
                    let expected = if i == k {
                        0.0
                    } else {
                        match learning {
                            Learning::Hopfield => 2.5 / size as f64 * sum,
                            Learning::Covariance => 2.5 / (size as f64 * fbar * (1.0 - fbar)) * sum,
                        }
                    };
                    assert!(
                        (j[i * size + k] - expected).abs() < 1e-12,
                        "{learning:?} f = {f}: J[{i}][{k}] = {} vs {expected}",
                        j[i * size + k]
                    );
                }
            }
            // Zero couplings are left out, every other pair is present; rows are sorted.
            let nonzero = j.iter().filter(|&&w| w != 0.0).count();
            assert_eq!(c.synapse_count(), nonzero);
            for source in 0..size {
                assert!(
                    c.targets_of(source)
                        .to_vec()
                        .windows(2)
                        .all(|w| w[0] < w[1])
                );
            }
        }
    }
}

#[test]
fn hopfield_and_covariance_rules_coincide_at_half_coding_level() {
    let patterns = Arc::new(Patterns::random(25, 200, 0.5, 8, 1).unwrap());
    let build = |learning| {
        Connectivity::build(
            &rule(&patterns, learning, 1.0, 1.0),
            200,
            200,
            true,
            true,
            0,
            0,
        )
        .unwrap()
    };
    let (hopfield, covariance) = (build(Learning::Hopfield), build(Learning::Covariance));
    assert_eq!(hopfield.synapse_count(), covariance.synapse_count());
    for (a, b) in hopfield
        .weights()
        .unwrap()
        .iter()
        .zip(covariance.weights().unwrap())
    {
        assert!((a - b).abs() < 1e-12);
    }
    // With autapses, J_ii = P/N (ξ̃² = 1).
    let j = matrix(&hopfield, 200);
    assert!((j[7 * 200 + 7] - 25.0 / 200.0).abs() < 1e-15);
    // Hopfield couplings are symmetric.
    for i in 0..200 {
        for k in 0..i {
            assert_eq!(j[i * 200 + k], j[k * 200 + i]);
        }
    }
}

#[test]
fn dilution_keeps_a_fraction_and_rescales() {
    let (size, p) = (400, 0.2);
    let patterns = Arc::new(Patterns::random(11, size, 0.5, 2, 0).unwrap());
    let full = Connectivity::build(
        &rule(&patterns, Learning::Hopfield, 1.0, 1.0),
        size,
        size,
        true,
        true,
        3,
        0,
    )
    .unwrap();
    let diluted_rule = rule(&patterns, Learning::Hopfield, 1.0, p);
    let diluted = Connectivity::build(&diluted_rule, size, size, true, true, 3, 0).unwrap();
    // P = 11 is odd, so no coupling vanishes: the kept pairs are binomial(N², p):
    // mean 32000, sd 80.
    assert_eq!(full.synapse_count(), size * size);
    let kept = diluted.synapse_count() as f64;
    assert!((kept - 32000.0).abs() < 4.0 * 80.0, "{kept}");
    // Each kept coupling is the full one divided by p.
    let (jf, jd) = (matrix(&full, size), matrix(&diluted, size));
    for (a, b) in jf.iter().zip(&jd) {
        assert!(*b == 0.0 || (b - a / p).abs() < 1e-12);
    }
    let Rule::Patterns(pattern_rule) = &diluted_rule else {
        unreachable!()
    };
    assert!((pattern_rule.coupling(3, 5) - jf[3 * size + 5] / p).abs() < 1e-12);
    assert_eq!(
        diluted,
        Connectivity::build(&diluted_rule, size, size, true, true, 3, 0).unwrap()
    );
    assert!(
        Connectivity::build(&diluted_rule, size, size + 1, false, true, 3, 0).is_err(),
        "patterns rule between different populations"
    );
}

#[test]
fn cues_flip_and_keep_exact_numbers_of_bits() {
    let patterns = Patterns::random(4, 1000, 0.3, 6, 0).unwrap();
    let xi = patterns.pattern(2);
    let exact = Cue::exact(2).state(&patterns, 1, 0).unwrap();
    assert_eq!(exact, xi);
    let flipped = Cue {
        pattern: 2,
        flip: 0.1,
        keep: 1.0,
    }
    .state(&patterns, 1, 0)
    .unwrap();
    assert_eq!(flipped.iter().zip(&xi).filter(|(a, b)| a != b).count(), 100);
    let partial = Cue {
        pattern: 2,
        flip: 0.0,
        keep: 0.5,
    }
    .state(&patterns, 1, 0)
    .unwrap();
    // 150 of the 300 active neurons keep their bit, none outside the pattern is set.
    assert_eq!(partial.iter().filter(|&&b| b).count(), 150);
    assert!(partial.iter().zip(&xi).all(|(&a, &b)| !a || b));
    // Reproducible, and another cue id draws other bits.
    let again = Cue {
        pattern: 2,
        flip: 0.1,
        keep: 1.0,
    };
    assert_eq!(again.state(&patterns, 1, 0).unwrap(), flipped);
    assert_ne!(again.state(&patterns, 1, 1).unwrap(), flipped);
    // The binary overlap of a cue with 10% flipped bits of a dense pattern is 1 − 2·0.1.
    let dense = Patterns::random(2, 1000, 0.5, 6, 0).unwrap();
    let cue = Cue {
        pattern: 1,
        flip: 0.1,
        keep: 1.0,
    }
    .state(&dense, 1, 0)
    .unwrap();
    let spin: f64 = (0..1000)
        .map(|i| {
            if dense.is_active(1, i) == cue[i] {
                1.0
            } else {
                -1.0
            }
        })
        .sum::<f64>()
        / 1000.0;
    assert!((spin - 0.8).abs() < 1e-15);
    assert!(Cue::exact(4).state(&patterns, 1, 0).is_err());
    assert!(
        Cue {
            pattern: 0,
            flip: 1.5,
            keep: 1.0
        }
        .check(&patterns)
        .is_err()
    );
}

/// Zero-temperature asynchronous dynamics of spins σ_i = ±1 (true: +1) with couplings from
/// `connectivity`: neurons are visited in a fresh random order every sweep and set to
/// sign(h_i), h_i = Σ_j J_ij σ_j (a zero field leaves the spin as it is), until a sweep changes
/// nothing or `max_sweeps` have passed. An independent reference for the binary simulator:
/// it reads only the synapses.
fn relax(connectivity: &Connectivity, state: &mut [bool], seed: u64, max_sweeps: usize) {
    let size = state.len();
    let weights = connectivity.weights().expect("per-synapse weights");
    let spin = |s: bool| if s { 1.0 } else { -1.0 };
    let mut field = vec![0.0; size];
    for (source, &active) in state.iter().enumerate() {
        let range = connectivity.synapse_range(source);
        for (target, &w) in connectivity.targets_of(source).iter().zip(&weights[range]) {
            field[target as usize] += w * spin(active);
        }
    }
    let mut rng = stream(seed, Purpose::Analysis, 0, 0);
    let mut order: Vec<usize> = (0..size).collect();
    for _ in 0..max_sweeps {
        // Fisher–Yates shuffle.
        for k in (1..size).rev() {
            order.swap(k, rng.random_range(0..=k));
        }
        let mut changed = false;
        for &neuron in &order {
            let h = field[neuron];
            if h == 0.0 || (h > 0.0) == state[neuron] {
                continue;
            }
            state[neuron] = h > 0.0;
            changed = true;
            // The change of σ_j is ±2: update the fields of its targets.
            let delta = 2.0 * spin(state[neuron]);
            let range = connectivity.synapse_range(neuron);
            for (target, &w) in connectivity.targets_of(neuron).iter().zip(&weights[range]) {
                field[target as usize] += w * delta;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Final overlaps m_μ after relaxing from cues with 10% flipped bits (initial overlap 0.8)
/// of the first `cued` of `count` random dense patterns in a Hopfield network of `size`
/// spins.
fn retrieval(size: usize, count: usize, cued: usize) -> Vec<f64> {
    let patterns = Arc::new(Patterns::random(count, size, 0.5, 21, 0).unwrap());
    let c = Connectivity::build(
        &rule(&patterns, Learning::Hopfield, 1.0, 1.0),
        size,
        size,
        true,
        false,
        21,
        0,
    )
    .unwrap();
    (0..cued)
        .map(|mu| {
            let cue = Cue {
                pattern: mu,
                flip: 0.1,
                keep: 1.0,
            };
            let mut state = cue.state(&patterns, 21, mu as u64).unwrap();
            relax(&c, &mut state, mu as u64, 100);
            crate::stats::binary_overlaps(&patterns, &state)[mu]
        })
        .collect()
}

/// Retrieval below capacity and failure above it (issue 7, item 5).
///
/// Theory (Amit, Gutfreund & Sompolinsky 1985, 1987): for P = αN random patterns at zero
/// temperature a retrieval state exists for α < α_c ≈ 0.138, with overlap m ≈ 0.97 just
/// below α_c and m → 1 − 2Φ(−1/√α) far below it: at α = 0.05, 1 − 2Φ(−4.47) ≈ 1 − 10⁻⁵.
/// Above α_c the retrieval state is gone and the network slides into spin-glass states of
/// small overlap (m ≈ 0.2–0.4 at α = 0.25 in simulations of a few thousand spins).
///
/// With N = 2000 (finite-size shifts of α_c are a few per cent): at α = 0.05 every cue of
/// overlap 0.8 must end above 0.95 (the theory's 0.99999 leaves room for a rare bad pattern:
/// at least 98 of 100); at α = 0.25 the mean final overlap must fall below 0.6 and below the
/// initial 0.8 for most cues — far from any retrieval state (≥ 0.97).
#[test]
fn hopfield_retrieves_below_capacity_and_fails_above() {
    let size = 2000;
    let below = retrieval(size, 100, 100);
    let retrieved = below.iter().filter(|&&m| m > 0.95).count();
    let mean_below = below.iter().sum::<f64>() / below.len() as f64;
    assert!(retrieved >= 98, "{retrieved} of 100 retrieved: {below:?}");
    assert!(mean_below > 0.99, "mean overlap {mean_below}");
    let above = retrieval(size, 500, 30);
    let mean_above = above.iter().sum::<f64>() / above.len() as f64;
    let lost = above.iter().filter(|&&m| m < 0.8).count();
    assert!(mean_above < 0.6, "mean overlap {mean_above}: {above:?}");
    assert!(
        lost >= 27,
        "{lost} of 30 fell below the cue's 0.8: {above:?}"
    );
    eprintln!("α = 0.05: mean m = {mean_below:.4}; α = 0.25: mean m = {mean_above:.4}");
}

use super::*;

/// A network of populations with the given K·J entries (one weight, fixed in-degree K).
fn model(
    degree: f64,
    weights: Vec<Vec<f64>>,
    input: Vec<f64>,
    thresholds: Vec<f64>,
) -> BalanceModel {
    let n = input.len();
    BalanceModel {
        names: (0..n).map(|k| format!("p{k}")).collect(),
        in_degree: vec![vec![degree; n]; n],
        in_degree_variance: vec![vec![0.0; n]; n],
        weight_square: weights
            .iter()
            .map(|row| row.iter().map(|j| j * j).collect())
            .collect(),
        weight: weights,
        input,
        thresholds: thresholds.into_iter().map(|t| vec![t]).collect(),
    }
}

/// The VS network: J_kl/√K, external √K·E_k·m0.
fn van_vreeswijk(k: f64) -> BalanceModel {
    let s = k.sqrt();
    model(
        k,
        vec![vec![1.0 / s, -2.0 / s], vec![1.0 / s, -1.8 / s]],
        vec![s * 1.0 * 0.1, s * 0.8 * 0.1],
        vec![1.0, 0.7],
    )
}

#[test]
fn gaussian_tail_matches_tabulated_values() {
    // Φ(−x) from standard tables (Abramowitz & Stegun, table 26.1).
    for (x, expected) in [
        (0.0, 0.5),
        (1.0, 0.158_655_253_931_457),
        (2.0, 0.022_750_131_948_179_2),
        (3.0, 0.001_349_898_031_630_09),
        (-1.0, 0.841_344_746_068_543),
    ] {
        let h = gaussian_tail(x);
        assert!(
            (h - expected).abs() < 2e-7 * expected.max(1e-3),
            "H({x}) = {h}"
        );
    }
}

#[test]
fn balance_rates_of_the_van_vreeswijk_network() {
    // Closed form (VS 1998, eq. 4.3): m_E = (E·J_I − I·J_E)/(J_E − J_I)·m0 and
    // m_I = (E − I)/(J_E − J_I)·m0 with J_E = 2, J_I = 1.8: both 0.1.
    let rates = van_vreeswijk(1000.0).balance_rates().unwrap();
    assert!(
        (rates[0] - 0.1).abs() < 1e-12 && (rates[1] - 0.1).abs() < 1e-12,
        "{rates:?}"
    );
}

#[test]
fn balance_fails_when_singular_or_out_of_range() {
    let singular = model(
        100.0,
        vec![vec![1.0, -1.0], vec![1.0, -1.0]],
        vec![1.0, 1.0],
        vec![0.0, 0.0],
    );
    assert_eq!(singular.balance_rates(), Err(BalanceFailure::Singular));
    // Excitation alone cannot cancel a positive input: m = −I/(KJ) < 0.
    let excitatory = model(100.0, vec![vec![0.1]], vec![1.0], vec![0.0]);
    assert!(matches!(
        excitatory.balance_rates(),
        Err(BalanceFailure::OutOfRange { rates }) if (rates[0] + 0.1).abs() < 1e-12
    ));
}

#[test]
fn mean_field_matches_a_bisection_of_the_one_population_equation() {
    // One inhibitory population, fixed in-degree K: m = H((T − I − K·J·m)/√(K·J²·m(1 − m))),
    // whose right side falls with m, so m − F(m) has one root, found here by bisection.
    let (k, j, i, t) = (400.0, -1.0 / 20.0, 2.0, 0.5);
    let network = model(k, vec![vec![j]], vec![i], vec![t]);
    let f = |m: f64| gaussian_tail((t - i - k * j * m) / (k * j * j * m * (1.0 - m)).sqrt());
    let (mut low, mut high) = (1e-9, 1.0 - 1e-9);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid - f(mid) > 0.0 {
            high = mid;
        } else {
            low = mid;
        }
    }
    let expected = 0.5 * (low + high);
    let balance = network.balance_rates().unwrap()[0];
    assert!((balance - 0.1).abs() < 1e-12, "I + KJm = 0 at m = 0.1");
    let rates = network.mean_field_rates(&[balance]).unwrap();
    assert!(
        (rates[0] - expected).abs() < 1e-9,
        "{} vs {expected}",
        rates[0]
    );
}

#[test]
fn mean_field_approaches_balance_as_k_grows() {
    // The finite-K correction is of order 1/√K: its size must shrink as K grows.
    let gap = |k: f64| {
        let network = van_vreeswijk(k);
        let balance = network.balance_rates().unwrap();
        let rates = network.mean_field_rates(&balance).unwrap();
        (rates[0] - balance[0]).abs()
    };
    let (small, large) = (gap(100.0), gap(100_000.0));
    assert!(large < 0.25 * small && large < 0.01, "{small} → {large}");
}

#[test]
fn rate_density_is_normalised_with_the_population_rate_as_its_mean() {
    // ⟨H((T − μ − √β x)/√(α − β))⟩_x = H((T − μ)/√α): the mean of the distribution of
    // single-neuron rates is the population rate, whatever the split of the variance.
    let mut network = van_vreeswijk(1000.0);
    network.in_degree_variance = vec![vec![1000.0 * (1.0 - 0.1); 2]; 2];
    let balance = network.balance_rates().unwrap();
    let rates = network.mean_field_rates(&balance).unwrap();
    let bins = 1000;
    for k in 0..2 {
        let density = network.rate_density(&rates, k, bins);
        let total: f64 = density.iter().sum::<f64>() / bins as f64;
        let mean: f64 = density
            .iter()
            .enumerate()
            .map(|(b, d)| d * (b as f64 + 0.5) / bins as f64)
            .sum::<f64>()
            / bins as f64;
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        // Binning moves each rate by at most half a bin.
        assert!(
            (mean - rates[k]).abs() < 0.5 / bins as f64 + 1e-4,
            "{mean} vs {}",
            rates[k]
        );
    }
}

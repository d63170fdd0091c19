//! Spike counts in consecutive windows and their Fano factor, per neuron and for the
//! summed count of the population.

use super::bins::{Bins, check_width};
use super::trains::{SpikeTrains, StatsError};

/// Fano factor of spike counts, var(counts)/mean(counts) with the population variance
/// (ddof = 0), as Elephant's `fanofactor`; `None` with fewer than two counts or a mean of 0.
///
/// ```
/// // Counts 1, 3: mean 2, variance 1.
/// assert_eq!(cajal::stats::fano_factor(&[1, 3]), Some(0.5));
/// ```
pub fn fano_factor(counts: &[u64]) -> Option<f64> {
    let sum: u64 = counts.iter().sum();
    let square_sum: u128 = counts.iter().map(|&c| u128::from(c) * u128::from(c)).sum();
    fano_from_sums(counts.len(), sum, square_sum)
}

/// The Fano factor from the number of windows n, S = Σc and Q = Σc²:
/// F = (Q/n − (S/n)²)/(S/n) = (nQ − S²)/(nS), numerator and denominator exact in integers.
fn fano_from_sums(windows: usize, sum: u64, square_sum: u128) -> Option<f64> {
    if windows < 2 || sum == 0 {
        return None;
    }
    let n = windows as u128;
    let sum = u128::from(sum);
    // nQ ≥ S² by Cauchy–Schwarz, so the subtraction cannot underflow.
    let numerator = n * square_sum - sum * sum;
    Some(numerator as f64 / (n * sum) as f64)
}

/// Fano factors of the spike counts in consecutive windows of one width.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoFactors {
    /// Window width (ms).
    pub window_ms: f64,
    /// Whole windows in the observation, [t_start + k·w, t_start + (k+1)·w); a last
    /// partial window is dropped.
    pub windows: usize,
    /// Per neuron, the Fano factor of its counts over the windows.
    pub per_neuron: Vec<Option<f64>>,
    /// The Fano factor of the population count (all neurons summed) over the windows.
    pub population_count: Option<f64>,
}

impl FanoFactors {
    /// Mean over the neurons that have a Fano factor; `None` if none has.
    pub fn mean(&self) -> Option<f64> {
        let (sum, neurons) = self
            .per_neuron
            .iter()
            .flatten()
            .fold((0.0, 0usize), |(sum, n), &f| (sum + f, n + 1));
        (neurons > 0).then(|| sum / neurons as f64)
    }

    /// The number of neurons that have a Fano factor (at least two windows and a spike in
    /// one of them).
    pub fn neurons_with_value(&self) -> usize {
        self.per_neuron.iter().flatten().count()
    }
}

/// Fano factors of the counts in windows of `window_ms` tiling the observation window from
/// its start: per neuron, and of the population count. A window holds the spikes with
/// a ≤ t < a + w. A width wider than half the observation leaves fewer than two windows,
/// and every factor `None`.
///
/// Every train is walked once, spike by spike: empty windows add nothing to Σc or Σc², so
/// the cost is that of the spikes, not of the windows.
///
/// # Errors
///
/// When `window_ms` is not positive and finite.
pub fn fano_factors(trains: &SpikeTrains, window_ms: f64) -> Result<FanoFactors, StatsError> {
    check_width("window_ms", window_ms)?;
    let bins = Bins::tiling(trains.window(), window_ms);
    let mut population = vec![0u64; bins.count()];
    let per_neuron = trains
        .trains()
        .map(|train| {
            let moments = bins.count_moments(train, |window| population[window] += 1);
            fano_from_sums(bins.count(), moments.sum, u128::from(moments.square_sum))
        })
        .collect();
    Ok(FanoFactors {
        window_ms,
        windows: bins.count(),
        per_neuron,
        population_count: fano_factor(&population),
    })
}

/// The spike counts of the sorted `train_ms` in every one of `bins`.
pub fn spike_counts(train_ms: &[f64], bins: &Bins) -> Vec<u64> {
    let mut counts = vec![0u64; bins.count()];
    bins.add_counts(train_ms, &mut counts);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference::{poisson_train, regular_train};
    use crate::stats::{SpikeTrains, Window};

    #[test]
    fn fano_of_tiny_trains_by_hand() {
        // Observation 0–35 ms, windows of 10 ms: three whole windows, [30, 35) dropped.
        let window = Window::new(0.0, 35.0).unwrap();
        let trains = SpikeTrains::from_trains(
            &[
                // Counts 2, 0, 1 (31 ms lies in the dropped partial window): mean 1,
                // variance 2/3 → 2/3.
                vec![1.0, 5.0, 20.0, 31.0],
                // Counts 1, 1, 1 (10 ms opens the second window) → 0.
                vec![0.0, 10.0, 29.999],
                vec![],
            ],
            window,
        )
        .unwrap();
        let fano = fano_factors(&trains, 10.0).unwrap();
        assert_eq!(fano.windows, 3);
        assert!((fano.per_neuron[0].unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(fano.per_neuron[1], Some(0.0));
        assert_eq!(fano.per_neuron[2], None);
        // Population counts 3, 1, 2: mean 2, variance 2/3 → 1/3.
        assert!((fano.population_count.unwrap() - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(fano.neurons_with_value(), 2);
        assert!((fano.mean().unwrap() - 1.0 / 3.0).abs() < 1e-15);
        let bins = Bins::tiling(window, 10.0);
        assert_eq!(spike_counts(trains.train(0), &bins), [2, 0, 1]);
        assert_eq!(
            fano_factor(&spike_counts(trains.train(0), &bins)),
            fano.per_neuron[0]
        );
        // One window only: undefined, not an error; a zero width is an error.
        assert_eq!(fano_factors(&trains, 20.0).unwrap().per_neuron[0], None);
        let error = fano_factors(&trains, 0.0).unwrap_err();
        assert!(error.message.contains("window_ms"), "{error}");
    }

    #[test]
    fn poisson_counts_have_fano_one() {
        // 100 neurons at 20 Hz for 100 s, windows of 100 ms: n = 1000 windows of mean
        // λ = 2. For Poisson counts the sample variance s² has Var(s²) ≈ (μ₄ − σ⁴)/n =
        // (λ + 2λ²)/n, so one neuron's F = s²/λ has standard error √((2 + 1/λ)/n) = 0.05,
        // and the mean over 100 independent neurons 0.005. The population count (a Poisson
        // process of 2 kHz, λ = 200) has a standard error √((2 + 1/200)/1000) ≈ 0.045.
        // Both are asserted within 4 standard errors.
        let window = Window::new(0.0, 100_000.0).unwrap();
        let trains: Vec<Vec<f64>> = (0..100)
            .map(|neuron| {
                let mut rng = crate::rng::stream(3, crate::rng::Purpose::SpikeSource, 0, neuron);
                poisson_train(20.0, window, &mut rng).unwrap()
            })
            .collect();
        let trains = SpikeTrains::from_trains(&trains, window).unwrap();
        let fano = fano_factors(&trains, 100.0).unwrap();
        assert_eq!(fano.windows, 1000);
        let mean = fano.mean().unwrap();
        assert!((mean - 1.0).abs() < 4.0 * 0.005, "mean Fano factor {mean}");
        let population = fano.population_count.unwrap();
        assert!(
            (population - 1.0).abs() < 4.0 * 0.045,
            "population {population}"
        );
    }

    #[test]
    fn regular_trains_have_a_small_fano_factor() {
        // A regular train puts ⌊wr⌋ or ⌈wr⌉ spikes in a window of w: counts differ by at most
        // 1, so var ≤ 1/4 and F ≤ 1/(4·mean). With 10 Hz, windows of 250 ms (2.5 spikes on
        // average) that bound is 0.1; the phase keeps spikes off the window edges.
        let window = Window::new(0.0, 10_000.0).unwrap();
        let train = regular_train(10.0, 30.0, window).unwrap();
        let trains = SpikeTrains::from_trains(&[train], window).unwrap();
        let fano = fano_factors(&trains, 250.0).unwrap().per_neuron[0].unwrap();
        assert!(fano <= 0.25 / 2.5 + 1e-12, "{fano}");
        // Windows of 1 s hold exactly 10 spikes each.
        assert_eq!(
            fano_factors(&trains, 1000.0).unwrap().per_neuron[0],
            Some(0.0)
        );
    }
}

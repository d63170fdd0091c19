//! Statistics of sampled traces, such as membrane potentials: mean and standard deviation
//! per neuron and over all samples of all neurons.

use super::trains::StatsError;

/// Mean and standard deviation (ddof = 0) of sampled traces, in the unit of the samples
/// (mV for a membrane potential).
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStatistics {
    /// Samples of each neuron.
    pub samples_per_neuron: usize,
    /// Mean of each neuron's trace.
    pub mean_per_neuron: Vec<f64>,
    /// Standard deviation of each neuron's trace.
    pub std_per_neuron: Vec<f64>,
    /// Mean over all samples of all neurons.
    pub mean: f64,
    /// Standard deviation over all samples of all neurons.
    pub std: f64,
}

/// The statistics of the traces of `neurons` neurons laid out sample by sample, as a
/// [`crate::record::TraceRecorder`] keeps them: `values[sample * neurons + k]` is neuron
/// k's value at that sample.
///
/// One pass over the samples; each neuron's sums are of deviations from its first sample,
/// so a potential of −65 mV that varies by tenths of a mV keeps its digits.
///
/// # Errors
///
/// When there are no neurons or no samples, or the values are not a whole number of
/// samples.
pub fn trace_statistics(values: &[f64], neurons: usize) -> Result<TraceStatistics, StatsError> {
    if neurons == 0 || values.is_empty() || !values.len().is_multiple_of(neurons) {
        return Err(StatsError::new(format!(
            "{} trace values for {neurons} neuron(s): need at least one sample of every \
             neuron, the same number for each",
            values.len()
        )));
    }
    let samples = values.len() / neurons;
    let shift = &values[..neurons];
    let mut sums = vec![0.0; neurons];
    let mut square_sums = vec![0.0; neurons];
    for row in values.chunks_exact(neurons).skip(1) {
        for (((sum, square_sum), &x), &x0) in
            sums.iter_mut().zip(&mut square_sums).zip(row).zip(shift)
        {
            let deviation = x - x0;
            *sum += deviation;
            *square_sum += deviation * deviation;
        }
    }
    let n = samples as f64;
    let mut mean_per_neuron = Vec::with_capacity(neurons);
    let mut variance_per_neuron = Vec::with_capacity(neurons);
    for ((&sum, &square_sum), &x0) in sums.iter().zip(&square_sums).zip(shift) {
        let mean_deviation = sum / n;
        mean_per_neuron.push(x0 + mean_deviation);
        variance_per_neuron.push((square_sum / n - mean_deviation * mean_deviation).max(0.0));
    }
    // Every neuron has the same number of samples: the grand mean is the mean of the means,
    // and the grand variance the mean within-neuron variance plus the variance of the means.
    let mean = mean_per_neuron.iter().sum::<f64>() / neurons as f64;
    let variance = mean_per_neuron
        .iter()
        .zip(&variance_per_neuron)
        .map(|(m, v)| v + (m - mean).powi(2))
        .sum::<f64>()
        / neurons as f64;
    Ok(TraceStatistics {
        samples_per_neuron: samples,
        mean_per_neuron,
        std_per_neuron: variance_per_neuron.iter().map(|v| v.sqrt()).collect(),
        mean,
        std: variance.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_neurons_by_hand() {
        // Neuron 0: −70, −60 (mean −65, std 5); neuron 1: −50, −50 (mean −50, std 0).
        // All four: mean −57.5, deviations −12.5, −2.5, 7.5, 7.5 → variance 68.75.
        let statistics = trace_statistics(&[-70.0, -50.0, -60.0, -50.0], 2).unwrap();
        assert_eq!(statistics.samples_per_neuron, 2);
        assert_eq!(statistics.mean_per_neuron, [-65.0, -50.0]);
        assert_eq!(statistics.std_per_neuron, [5.0, 0.0]);
        assert_eq!(statistics.mean, -57.5);
        assert!((statistics.std - 68.75f64.sqrt()).abs() < 1e-12);
        assert!(trace_statistics(&[1.0, 2.0, 3.0], 2).is_err());
        assert!(trace_statistics(&[], 2).is_err());
        assert!(trace_statistics(&[1.0], 0).is_err());
    }

    #[test]
    fn one_pass_agrees_with_two_passes() {
        // 40 neurons × 5000 samples of a deterministic irregular potential near −65 mV with
        // sub-mV fluctuations: the textbook two-pass formulas and the one-pass shifted sums
        // differ by rounding only, O(n·ε) relative.
        let (neurons, samples) = (40, 5000);
        let mut x = 0.37f64;
        let values: Vec<f64> = (0..neurons * samples)
            .map(|i| {
                x = 3.9 * x * (1.0 - x);
                -65.0 + (i % neurons) as f64 * 0.1 + 0.5 * x
            })
            .collect();
        let statistics = trace_statistics(&values, neurons).unwrap();
        let two_pass = |data: &[f64]| {
            let mean = data.iter().sum::<f64>() / data.len() as f64;
            let variance = data.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / data.len() as f64;
            (mean, variance.sqrt())
        };
        for k in 0..neurons {
            let trace: Vec<f64> = values.iter().skip(k).step_by(neurons).copied().collect();
            let (mean, std) = two_pass(&trace);
            assert!((statistics.mean_per_neuron[k] - mean).abs() < 1e-12 * mean.abs());
            assert!(
                (statistics.std_per_neuron[k] - std).abs() < 1e-10 * std,
                "{k}"
            );
        }
        let (mean, std) = two_pass(&values);
        assert!((statistics.mean - mean).abs() < 1e-12 * mean.abs());
        assert!((statistics.std - std).abs() < 1e-10 * std);
    }
}

//! Weight recorders: the weights of a plastic projection at chosen times, all of them or a
//! fixed sample.

use crate::spec::model::WeightSampling;

/// The weights of some synapses of a plastic projection at some times.
///
/// Every record holds the same synapses, in the projection's canonical order (by source,
/// then target, as [`crate::engine::PlasticWeights`]): all of them for
/// [`WeightSampling::AtTimes`], the sample for [`WeightSampling::Sample`]. A record at
/// t = n·dt holds the weights after every update of the first n steps (those of step n − 1
/// included, whose events happen at t); t = 0 holds the initial weights. The values are
/// bitwise the same for any number of threads.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightRecorder {
    /// The projection's index among all projections, in file order.
    pub projection: usize,
    /// What the model file asked for.
    pub sampling: WeightSampling,
    /// Source neuron of each recorded synapse.
    pub sources: Vec<u32>,
    /// Target neuron of each recorded synapse.
    pub targets: Vec<u32>,
    /// Times of the records (ms).
    pub times_ms: Vec<f64>,
    /// `values[record * synapses + k]` is the weight of synapse k at `times_ms[record]`, in
    /// the unit of the projection's weight in the model file.
    pub values: Vec<f64>,
}

impl WeightRecorder {
    /// The number of recorded synapses.
    pub fn synapse_count(&self) -> usize {
        self.sources.len()
    }

    /// The weights of all recorded synapses at record `record` (the time `times_ms[record]`).
    pub fn at(&self, record: usize) -> &[f64] {
        let n = self.synapse_count();
        &self.values[record * n..(record + 1) * n]
    }

    /// The time course of recorded synapse `k`, one value per record.
    pub fn series(&self, k: usize) -> Vec<f64> {
        let n = self.synapse_count();
        self.values
            .iter()
            .skip(k)
            .step_by(n.max(1))
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_series_are_rows_and_columns() {
        let recorder = WeightRecorder {
            projection: 0,
            sampling: WeightSampling::AtTimes(vec![0, 10]),
            sources: vec![0, 1, 1],
            targets: vec![2, 0, 2],
            times_ms: vec![0.0, 1.0],
            values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        };
        assert_eq!(recorder.at(1), [4.0, 5.0, 6.0]);
        assert_eq!(recorder.series(1), [2.0, 5.0]);
    }
}

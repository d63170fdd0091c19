//! The overlaps m_μ(t) of the populations that store patterns: the state sampled at every
//! step boundary, compared with every pattern by [`binary_overlaps`] (an active neuron is
//! state 1, or +1 for spins).

use super::BinaryPopulation;
use crate::stats::{OverlapSeries, binary_overlaps};

/// One series per population with patterns.
pub(super) struct OverlapRecorders {
    series: Vec<(usize, OverlapSeries)>,
    dt_ms: f64,
    /// The state of one population as booleans, reused between samples.
    state: Vec<bool>,
}

impl OverlapRecorders {
    pub(super) fn new(populations: &[BinaryPopulation], dt_ms: f64) -> OverlapRecorders {
        let series = populations
            .iter()
            .enumerate()
            .filter_map(|(index, population)| {
                let patterns = population.patterns.as_ref()?;
                Some((
                    index,
                    OverlapSeries {
                        bin_start_ms: Vec::new(),
                        bin_ms: dt_ms,
                        patterns: patterns.count(),
                        values: Vec::new(),
                    },
                ))
            })
            .collect();
        OverlapRecorders {
            series,
            dt_ms,
            state: Vec::new(),
        }
    }

    /// Samples the state `active` (one byte per neuron of the network).
    pub(super) fn sample(&mut self, active: &[u8], populations: &[BinaryPopulation]) {
        for (index, series) in &mut self.series {
            let population = &populations[*index];
            let Some(patterns) = &population.patterns else {
                continue;
            };
            self.state.clear();
            self.state.extend(
                active[population.offset..population.offset + population.size]
                    .iter()
                    .map(|&a| a == 1),
            );
            series
                .bin_start_ms
                .push(series.bin_start_ms.len() as f64 * self.dt_ms);
            series.values.extend(binary_overlaps(patterns, &self.state));
        }
    }

    pub(super) fn finish(self) -> Vec<(usize, OverlapSeries)> {
        self.series
    }
}

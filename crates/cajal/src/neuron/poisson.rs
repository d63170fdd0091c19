//! A population of Poisson spike sources: spike trains with a given rate profile and no
//! membrane, whose spikes reach other populations through ordinary projections.
//!
//! Neuron i emits, in step [t, t + dt), k ~ Poisson(∫ₜ^(t+dt) ν(s) ds) spikes, independently of
//! other steps and neurons: an exact inhomogeneous Poisson process of rate ν(t) (see
//! [`RateProfile`]), binned on the grid. The spikes are stamped at the step's end, as the
//! grid-timed integrate-and-fire models stamp theirs, and act through projections with their
//! delay. A step may hold several spikes of one neuron when ν·dt is not small; all of them
//! are emitted (and delivered), as NEST's `poisson_generator` delivers a spike with its
//! multiplicity — a Bernoulli draw per step (Brian2's `PoissonGroup`) would cap the rate at
//! 1/dt and make the count sub-Poisson. Counts therefore have Fano factor 1 at any rate.
//!
//! Sharing: a projection from such a population with several targets per source gives each
//! pair of targets the spikes of their common sources — the pool of generators of Brian2's
//! `PoissonGroup` or NEST's `poisson_generator` + `parrot_neuron`.
//!
//! **Random numbers.** The count of neuron i in step n is word n of the counter-based stream
//! `key(seed, Purpose::SpikeSource, population, i)` (see [`crate::rng`]), inverted through the
//! Poisson CDF of the step's mean: no state in memory, and the same whichever thread owns i.

use super::{Spike, StepClock};
use crate::input::{MAX_TABLE_MEAN, PoissonTable, RateProfile, VaryingPoisson};
use crate::rng::{Purpose, counter_word, key};

/// The largest mean count per step a source may have ([`MAX_TABLE_MEAN`]): every spike is
/// an entry in the step's spike list, so a rate beyond it is a mistake rather than a model.
pub const MAX_MEAN_PER_STEP: f64 = MAX_TABLE_MEAN;

/// Poisson spike sources of one population part.
#[derive(Clone, Debug)]
pub struct PoissonSource {
    rate: RateProfile,
    /// One counter-based key per source.
    keys: Vec<u64>,
    /// The step `table` was built for.
    dt_ms: f64,
    /// For a constant rate: the count distribution of a step, as a 16-bit table.
    table: Option<PoissonTable>,
    /// For a time-dependent rate: the distribution of the current step's count.
    counts: VaryingPoisson,
}

impl PoissonSource {
    /// `size` sources of rate `rate` for steps of `dt_ms`, drawing from the streams of
    /// neurons `0..size` of population 0 under seed 0 until [`Self::assign_streams`] says
    /// otherwise. The rate must be valid ([`RateProfile::validate`]) with a mean count per
    /// step of at most [`MAX_MEAN_PER_STEP`]; the model reader checks both.
    pub fn new(rate: RateProfile, size: usize, dt_ms: f64) -> Self {
        let table = match rate {
            RateProfile::Constant { rate_hz } => {
                let mean = rate_hz * dt_ms * 1e-3;
                (mean > 0.0 && mean <= MAX_TABLE_MEAN).then(|| PoissonTable::new(mean))
            }
            _ => None,
        };
        let mut source = PoissonSource {
            rate,
            keys: vec![0; size],
            dt_ms,
            table,
            counts: VaryingPoisson::default(),
        };
        source.assign_streams(0, 0, 0);
        source
    }

    /// Draws from the streams of neurons `first_neuron..` of population `population` under
    /// `seed`: a part of a population gets the numbers its neurons have in the whole.
    pub fn assign_streams(&mut self, seed: u64, population: u64, first_neuron: u64) {
        for (offset, slot) in self.keys.iter_mut().enumerate() {
            *slot = key(
                seed,
                Purpose::SpikeSource,
                population,
                first_neuron + offset as u64,
            );
        }
    }

    /// Number of sources.
    pub fn size(&self) -> usize {
        self.keys.len()
    }

    /// The rate profile.
    pub fn rate(&self) -> &RateProfile {
        &self.rate
    }

    /// Emits the spikes of step `clock`, in neuron order (a neuron's several spikes in a row).
    pub fn advance(&mut self, clock: StepClock, spikes: &mut Vec<Spike>) {
        let time_ms = (clock.step + 1) as f64 * clock.dt_ms;
        let mut emit = |neuron: usize, count: u64| {
            for _ in 0..count {
                spikes.push(Spike {
                    neuron: neuron as u32,
                    time_ms,
                });
            }
        };
        if clock.dt_ms == self.dt_ms
            && let Some(table) = &self.table
        {
            for (neuron, &key) in self.keys.iter().enumerate() {
                let count = table.sample_word(counter_word(key, clock.step));
                if count > 0 {
                    emit(neuron, u64::from(count));
                }
            }
            return;
        }
        let mean = self
            .rate
            .expected_count(clock.time_ms, clock.time_ms + clock.dt_ms);
        if mean <= 0.0 {
            return;
        }
        self.counts.set_mean(mean);
        for (neuron, &key) in self.keys.iter().enumerate() {
            let count = self.counts.sample_word(counter_word(key, clock.step));
            if count > 0 {
                emit(neuron, count);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spike counts of each source in consecutive windows of `window_steps` steps.
    fn window_counts(
        source: &mut PoissonSource,
        dt: f64,
        steps: u64,
        window_steps: u64,
    ) -> Vec<f64> {
        let size = source.size();
        let mut counts = Vec::new();
        let mut current = vec![0.0; size];
        let mut spikes = Vec::new();
        for step in 0..steps {
            let clock = StepClock {
                step,
                time_ms: step as f64 * dt,
                dt_ms: dt,
            };
            spikes.clear();
            source.advance(clock, &mut spikes);
            for spike in &spikes {
                assert_eq!(spike.time_ms, (step + 1) as f64 * dt);
                current[spike.neuron as usize] += 1.0;
            }
            if (step + 1) % window_steps == 0 {
                counts.extend_from_slice(&current);
                current.fill(0.0);
            }
        }
        counts
    }

    /// Asserts that window counts have mean `lambda` and Fano factor 1: standard errors
    /// √(λ/n) for the mean and √(2/n) for the Fano factor s²/k̄ of n Poisson counts (delta
    /// method: Var s² = (λ + 2λ²)/n, Cov(s², k̄) = λ/n, Var k̄ = λ/n).
    fn assert_poisson(counts: &[f64], lambda: f64, what: &str) {
        let n = counts.len() as f64;
        let mean = counts.iter().sum::<f64>() / n;
        let variance = counts.iter().map(|k| (k - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let fano = variance / mean;
        assert!(
            (mean - lambda).abs() < 4.0 * (lambda / n).sqrt(),
            "{what}: mean count {mean}, expected {lambda}"
        );
        assert!(
            (fano - 1.0).abs() < 4.0 * (2.0 / n).sqrt(),
            "{what}: Fano factor {fano}"
        );
    }

    #[test]
    fn constant_sources_fire_at_their_rate_with_fano_factor_one() {
        // 500 sources at 20 Hz, 20 windows of 100 ms each: 10,000 counts of mean 2.
        let dt = 0.1;
        let mut source = PoissonSource::new(RateProfile::Constant { rate_hz: 20.0 }, 500, dt);
        source.assign_streams(4, 1, 0);
        let counts = window_counts(&mut source, dt, 20_000, 1000);
        assert_poisson(&counts, 2.0, "20 Hz");
    }

    #[test]
    fn fast_modulated_sources_keep_every_spike_of_a_step() {
        // ν(t) = 3000 + 1000 sin(2π·20 Hz·t): 0.2–0.4 spikes per step of 0.1 ms, so a step
        // often holds two. Over a whole period (50 ms) the mean count is ν₀·50 ms = 150,
        // and a count of at most one spike per step would give a Fano factor near 0.7.
        let dt = 0.1;
        let rate = RateProfile::Sinusoidal {
            mean_hz: 3000.0,
            amplitude_hz: 1000.0,
            frequency_hz: 20.0,
            phase: 0.3,
        };
        let mut source = PoissonSource::new(rate, 200, dt);
        let counts = window_counts(&mut source, dt, 10_000, 500);
        assert_eq!(counts.len(), 200 * 20);
        assert_poisson(&counts, 150.0, "modulated");
    }

    #[test]
    fn a_part_of_a_population_draws_what_its_neurons_draw_in_the_whole() {
        let dt = 0.1;
        for rate in [
            RateProfile::Constant { rate_hz: 900.0 },
            RateProfile::Sinusoidal {
                mean_hz: 900.0,
                amplitude_hz: 900.0,
                frequency_hz: 30.0,
                phase: 0.0,
            },
        ] {
            let mut whole = PoissonSource::new(rate.clone(), 10, dt);
            whole.assign_streams(8, 2, 0);
            let mut part = PoissonSource::new(rate.clone(), 4, dt);
            part.assign_streams(8, 2, 6);
            let whole = window_counts(&mut whole, dt, 3000, 1);
            let part = window_counts(&mut part, dt, 3000, 1);
            let mut spikes = 0.0;
            for (w, p) in whole.chunks(10).zip(part.chunks(4)) {
                assert_eq!(&w[6..], p, "{rate:?}");
                spikes += p.iter().sum::<f64>();
            }
            assert!(spikes > 500.0, "{spikes}");
            // Another seed or population gives other trains.
            let mut other = PoissonSource::new(rate, 4, dt);
            other.assign_streams(8, 3, 6);
            assert_ne!(window_counts(&mut other, dt, 3000, 1), part);
        }
    }
}

//! A population of spike sources that emit given times (NEST's `spike_generator`): what
//! plasticity protocols need (a pre spike here, a post spike there) and a way to replay
//! recorded trains through projections.
//!
//! A spike at time t is emitted in the step that ends at t — step round(t/dt) − 1 — and
//! stamped t, as the grid-timed models stamp theirs; the model reader requires t to be a
//! positive multiple of dt. A time listed twice is two spikes in one step.

use super::{Spike, StepClock};

/// Spike sources of one population part, with their spikes as (step, neuron) in order.
#[derive(Clone, Debug)]
pub struct SpikeTimes {
    size: usize,
    /// Every spike of the part: (step, neuron of the part), sorted.
    events: Vec<(u64, u32)>,
    /// The first event not yet emitted.
    next: usize,
    dt_ms: f64,
}

impl SpikeTimes {
    /// Sources emitting `times[i]` (ms, multiples of `dt_ms`, at least `dt_ms`) for neuron i.
    pub fn new(times: &[Vec<f64>], dt_ms: f64) -> Self {
        let mut events: Vec<(u64, u32)> = times
            .iter()
            .enumerate()
            .flat_map(|(neuron, times)| {
                times
                    .iter()
                    .map(move |&t| (step_of(t, dt_ms), neuron as u32))
            })
            .collect();
        events.sort_unstable();
        SpikeTimes {
            size: times.len(),
            events,
            next: 0,
            dt_ms,
        }
    }

    /// Number of sources.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Emits the spikes of step `clock`, in neuron order.
    pub fn advance(&mut self, clock: StepClock, spikes: &mut Vec<Spike>) {
        // Spikes of earlier steps (none, unless a run starts late) are skipped.
        while self.next < self.events.len() && self.events[self.next].0 < clock.step {
            self.next += 1;
        }
        let time_ms = (clock.step + 1) as f64 * self.dt_ms;
        while let Some(&(step, neuron)) = self.events.get(self.next) {
            if step != clock.step {
                break;
            }
            spikes.push(Spike { neuron, time_ms });
            self.next += 1;
        }
    }
}

/// The step in which a spike at `time_ms` is emitted: the one ending at it.
pub fn step_of(time_ms: f64, dt_ms: f64) -> u64 {
    ((time_ms / dt_ms).round() as u64).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_come_in_the_step_ending_at_their_time_in_neuron_order() {
        let dt = 0.1;
        let mut source = SpikeTimes::new(&[vec![1.0, 0.3], vec![0.3, 0.3], vec![]], dt);
        let mut emitted = Vec::new();
        for step in 0..20 {
            let clock = StepClock {
                step,
                time_ms: step as f64 * dt,
                dt_ms: dt,
            };
            let mut spikes = Vec::new();
            source.advance(clock, &mut spikes);
            emitted.extend(spikes.iter().map(|s| (step, s.neuron, s.time_ms)));
        }
        let expected = [
            (2, 0, 3.0 * dt),
            (2, 1, 3.0 * dt),
            (2, 1, 3.0 * dt),
            (9, 0, 10.0 * dt),
        ];
        assert_eq!(emitted, expected);
    }
}

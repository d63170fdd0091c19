//! What a binary run keeps: up-transitions as spikes, binned population activity, traces of
//! state and field, and every neuron's time-averaged state.
//!
//! Activity is accounted by events: a population's active count changes only when one of its
//! neurons flips, so the time integral of the count over a bin is the sum of count × duration
//! over the stretches between flips; integers, exact.

use super::BinaryPopulation;
use crate::neuron::Spike;
use crate::neuron::binary::VARIABLES;
use crate::record::{SpikeRecorder, TraceRecorder};
use crate::spec::model::{ModelSpec, RecordSpec};

/// The mean state of a population in bins: m_k(t).
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityTrace {
    /// Population index.
    pub population: usize,
    /// Bin width (ms).
    pub bin_ms: f64,
    /// Start of every bin (ms).
    pub start_ms: Vec<f64>,
    /// The population's mean state, averaged over the bin (0..1, or −1..1 for spins).
    pub mean_activity: Vec<f64>,
}

/// A population's activity over the run (after the transient, if one was set).
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationActivity {
    /// Its name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Mean state of the population, averaged over time.
    pub mean_activity: f64,
    /// Every neuron's state averaged over time: its "rate".
    pub neuron_activity: Vec<f64>,
    /// Up-transitions of all its neurons over the whole run.
    pub up_transitions: u64,
}

/// What a binary run gives.
#[derive(Clone, Debug)]
pub struct BinaryResults {
    /// Per population, in file order.
    pub populations: Vec<PopulationActivity>,
    /// Up-transitions of the recorded neurons, one recorder per `kind = "spikes"` record.
    pub spikes: Vec<SpikeRecorder>,
    /// One per `kind = "activity"` record.
    pub activity: Vec<ActivityTrace>,
    /// One per `kind = "trace"` record; the variables are `state` and `input`.
    pub traces: Vec<TraceRecorder>,
    /// Per population with stored patterns (its index): the overlap m_μ of the state with
    /// every pattern at the end of every step of dt (the first sample at t = 0).
    pub overlaps: Vec<(usize, crate::stats::OverlapSeries)>,
    /// Biological time simulated (ms).
    pub duration_ms: f64,
    /// Where the time averages start (ms).
    pub transient_ms: f64,
    /// Neuron updates made.
    pub updates: u64,
    /// Whether the run went to its end.
    pub completed: bool,
}

/// One activity record while it runs.
#[derive(Clone, Debug, Default)]
struct ActivityRecord {
    population: usize,
    bin_steps: u64,
    /// Active-neuron × units and units of the bin so far.
    sum: u64,
    units: u64,
    trace: Option<ActivityTrace>,
}

/// The recorders of a run.
#[derive(Debug, Default)]
pub(super) struct Recorders {
    /// Per neuron, whether a spike recorder wants its up-transitions.
    recorded: Vec<bool>,
    /// Up-transitions of recorded neurons: (network index, unit).
    transitions: Vec<(u32, u64)>,
    spike_records: Vec<(usize, Option<Vec<u32>>)>,
    activity: Vec<ActivityRecord>,
    traces: Vec<TraceRecorder>,
    /// Per population: active neurons now, the unit of the last change, the integral of the
    /// count since the last step's end, and over the averaging period.
    active_count: Vec<u64>,
    last_change: Vec<u64>,
    step_sum: Vec<u64>,
    total_sum: Vec<u64>,
    up_transitions: Vec<u64>,
    /// Per neuron: the unit it last became active, and its active units since `start`.
    active_since: Vec<u64>,
    active_units: Vec<u64>,
    /// The unit the averages start at.
    start: u64,
    /// The unit at the end of the previous step.
    previous_end: u64,
    population_of: Vec<u16>,
    offsets: Vec<usize>,
    lows: Vec<f64>,
    /// Length of a unit (ms): 1/R or dt.
    unit_ms: f64,
    dt_ms: f64,
}

impl Recorders {
    pub(super) fn new(spec: &ModelSpec, populations: &[BinaryPopulation]) -> Recorders {
        let neurons: usize = populations.iter().map(|p| p.size).sum();
        let mut recorded = vec![false; neurons];
        let mut spike_records = Vec::new();
        let mut activity = Vec::new();
        let mut traces = Vec::new();
        let dt_ms = spec.simulation.dt_ms;
        for record in &spec.records {
            match record {
                RecordSpec::Spikes {
                    population,
                    neurons,
                } => {
                    let offset = populations[*population].offset;
                    match neurons {
                        None => recorded[offset..offset + populations[*population].size]
                            .iter_mut()
                            .for_each(|r| *r = true),
                        Some(list) => {
                            for &n in list {
                                recorded[offset + n as usize] = true;
                            }
                        }
                    }
                    spike_records.push((*population, neurons.clone()));
                }
                RecordSpec::Activity {
                    population,
                    bin_steps,
                } => activity.push(ActivityRecord {
                    population: *population,
                    bin_steps: *bin_steps,
                    trace: Some(ActivityTrace {
                        population: *population,
                        bin_ms: *bin_steps as f64 * dt_ms,
                        start_ms: Vec::new(),
                        mean_activity: Vec::new(),
                    }),
                    ..ActivityRecord::default()
                }),
                RecordSpec::Trace {
                    population,
                    variables,
                    neurons,
                    interval_steps,
                } => traces.push(TraceRecorder {
                    population: *population,
                    variables: variables.iter().map(|&v| VARIABLES[v]).collect(),
                    variable_indices: variables.clone(),
                    neurons: neurons.clone(),
                    interval_steps: *interval_steps,
                    times_ms: Vec::new(),
                    values: vec![Vec::new(); variables.len()],
                }),
            }
        }
        let rate: f64 = populations.iter().map(|p| p.size as f64 / p.tau_ms).sum();
        let count = populations.len();
        Recorders {
            recorded,
            spike_records,
            activity,
            traces,
            active_count: vec![0; count],
            last_change: vec![0; count],
            step_sum: vec![0; count],
            total_sum: vec![0; count],
            up_transitions: vec![0; count],
            active_since: vec![0; neurons],
            active_units: vec![0; neurons],
            population_of: populations
                .iter()
                .enumerate()
                .flat_map(|(k, p)| std::iter::repeat_n(k as u16, p.size))
                .collect(),
            offsets: populations.iter().map(|p| p.offset).collect(),
            lows: populations.iter().map(|p| p.states.low()).collect(),
            unit_ms: match spec.update {
                Some(crate::spec::model::UpdateOrder::Synchronous) => dt_ms,
                _ => 1.0 / rate,
            },
            dt_ms,
            ..Recorders::default()
        }
    }

    /// Counts the initial states (at unit 0).
    pub(super) fn start(&mut self, active: &[u8], populations: &[BinaryPopulation]) {
        for (k, population) in populations.iter().enumerate() {
            self.active_count[k] = active[population.offset..population.offset + population.size]
                .iter()
                .map(|&a| u64::from(a))
                .sum();
        }
    }

    /// Neuron `neuron` of `population` flipped to `active` at unit `unit`; the new state
    /// holds from unit + 1.
    #[inline(always)]
    pub(super) fn on_flip(&mut self, neuron: usize, population: usize, active: bool, unit: u64) {
        let from = unit + 1;
        self.step_sum[population] +=
            self.active_count[population] * (from - self.last_change[population]);
        self.last_change[population] = from;
        if active {
            self.active_count[population] += 1;
            self.up_transitions[population] += 1;
            self.active_since[neuron] = from;
            if self.recorded[neuron] {
                self.transitions.push((neuron as u32, from));
            }
        } else {
            self.active_count[population] -= 1;
            self.active_units[neuron] += from - self.active_since[neuron].max(self.start);
        }
    }

    /// The averages start at unit `now`.
    pub(super) fn restart_averages(&mut self, active: &[u8], now: u64) {
        self.start = now;
        self.active_units.iter_mut().for_each(|u| *u = 0);
        for (since, &a) in self.active_since.iter_mut().zip(active) {
            if a == 1 {
                *since = now;
            }
        }
        self.total_sum.iter_mut().for_each(|s| *s = 0);
    }

    /// Step `step` ended at unit `end`: closes its integrals and the bins that end with it.
    pub(super) fn end_step(&mut self, step: u64, end: u64) {
        let units = end - self.previous_end;
        for k in 0..self.active_count.len() {
            self.step_sum[k] += self.active_count[k] * (end - self.last_change[k]);
            self.last_change[k] = end;
            if end > self.start {
                self.total_sum[k] += self.step_sum[k];
            }
        }
        for record in &mut self.activity {
            record.sum += self.step_sum[record.population];
            record.units += units;
            if (step + 1).is_multiple_of(record.bin_steps) {
                let k = record.population;
                let size = if k + 1 < self.offsets.len() {
                    self.offsets[k + 1] - self.offsets[k]
                } else {
                    self.recorded.len() - self.offsets[k]
                };
                let fraction = record.sum as f64 / (size as f64 * record.units.max(1) as f64);
                let trace = record.trace.as_mut().expect("present while running");
                trace
                    .start_ms
                    .push((step + 1 - record.bin_steps) as f64 * self.dt_ms);
                trace
                    .mean_activity
                    .push(self.lows[k] + (1.0 - self.lows[k]) * fraction);
                record.sum = 0;
                record.units = 0;
            }
        }
        self.step_sum.iter_mut().for_each(|s| *s = 0);
        self.previous_end = end;
    }

    /// Whether a trace samples at the end of step `steps_done` − 1.
    pub(super) fn traces_due(&self, steps_done: u64) -> bool {
        self.traces
            .iter()
            .any(|t| steps_done.is_multiple_of(t.interval_steps))
    }

    /// Samples the traces due at `time_ms`; `read` gives a neuron's state and field.
    pub(super) fn sample_traces(&mut self, time_ms: f64, read: impl Fn(usize) -> (bool, f64)) {
        let steps_done = (time_ms / self.dt_ms).round() as u64;
        for trace in &mut self.traces {
            if !steps_done.is_multiple_of(trace.interval_steps) {
                continue;
            }
            trace.times_ms.push(time_ms);
            let offset = self.offsets[trace.population];
            let low = self.lows[trace.population];
            for (values, &variable) in trace.values.iter_mut().zip(&trace.variable_indices) {
                values.extend(trace.neurons.iter().map(|&n| {
                    let (active, h) = read(offset + n as usize);
                    match variable {
                        0 if active => 1.0,
                        0 => low,
                        _ => h,
                    }
                }));
            }
        }
    }

    /// The results, the run having ended at unit `end` (`duration_ms`).
    pub(super) fn finish(
        mut self,
        active: &[u8],
        populations: &[BinaryPopulation],
        end: u64,
        duration_ms: f64,
        completed: bool,
        updates: u64,
    ) -> BinaryResults {
        for (neuron, &a) in active.iter().enumerate() {
            if a == 1 {
                self.active_units[neuron] += end - self.active_since[neuron].max(self.start);
            }
        }
        let span = end.saturating_sub(self.start).max(1) as f64;
        let populations_out = populations
            .iter()
            .enumerate()
            .map(|(k, population)| {
                let low = population.states.low();
                let state = |fraction: f64| low + (1.0 - low) * fraction;
                let range = population.offset..population.offset + population.size;
                PopulationActivity {
                    name: population.name.clone(),
                    size: population.size,
                    mean_activity: state(
                        self.total_sum[k] as f64 / (population.size as f64 * span),
                    ),
                    neuron_activity: self.active_units[range]
                        .iter()
                        .map(|&u| state(u as f64 / span))
                        .collect(),
                    up_transitions: self.up_transitions[k],
                }
            })
            .collect();
        let spikes = self
            .spike_records
            .iter()
            .map(|(population, neurons)| {
                let offset = self.offsets[*population];
                let spikes = self
                    .transitions
                    .iter()
                    .filter(|&&(n, _)| self.population_of[n as usize] as usize == *population)
                    .map(|&(n, unit)| Spike {
                        neuron: n - offset as u32,
                        time_ms: unit as f64 * self.unit_ms,
                    })
                    .filter(|spike| {
                        neurons
                            .as_ref()
                            .is_none_or(|list| list.binary_search(&spike.neuron).is_ok())
                    })
                    .collect();
                SpikeRecorder {
                    population: *population,
                    neurons: neurons.clone(),
                    spikes,
                }
            })
            .collect();
        let start_ms = self.start as f64 * self.unit_ms;
        BinaryResults {
            overlaps: Vec::new(),
            populations: populations_out,
            spikes,
            activity: self
                .activity
                .into_iter()
                .filter_map(|record| record.trace)
                .collect(),
            traces: self.traces,
            duration_ms,
            transient_ms: if self.start == 0 { 0.0 } else { start_ms },
            updates,
            completed,
        }
    }
}

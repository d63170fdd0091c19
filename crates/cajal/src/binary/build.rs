//! Building a binary network from a checked model: populations, per-neuron parameters,
//! initial states, connectivity (the spiking engine's, from the same rules and streams),
//! inputs and recorders.

use super::record::Recorders;
use super::update::{Counts, Rule};
use super::{BinaryError, BinaryNetwork, BinaryPopulation};
use crate::connect::Connectivity;
use crate::engine::connectivity_of;
use crate::input::InputKind;
use crate::neuron::binary::States;
use crate::rng::{Purpose, counter_word, key, stream};
use crate::spec::model::{ModelSpec, NeuronSpec, PopulationSpec};

/// One projection of the network.
pub(super) struct Projection {
    pub source: usize,
    /// Index of the target population's first neuron in the network.
    pub target_offset: usize,
    pub connectivity: Connectivity,
    /// A projection with one weight: where the count of its target neuron t lies in the
    /// network's `counts`, less t·stride (its target population's offset · stride + its
    /// slot). `None` for per-synapse weights.
    pub counts_base: Option<usize>,
}

/// A constant or step input: `amplitude` on `neurons` (population indices) while
/// start ≤ t < stop.
pub(super) struct ExternalInput {
    pub population: usize,
    pub neurons: Vec<u32>,
    pub amplitude: f64,
    pub start_ms: f64,
    pub stop_ms: f64,
}

impl ExternalInput {
    /// Whether it acts during the step that starts at `time_ms`.
    pub fn acts_at(&self, time_ms: f64) -> bool {
        self.start_ms <= time_ms && time_ms < self.stop_ms
    }

    /// Whether it switches on or off at the step that starts at `time_ms`.
    pub fn switches_at(&self, time_ms: f64, dt_ms: f64) -> bool {
        time_ms > 0.0 && self.acts_at(time_ms) != self.acts_at(time_ms - dt_ms)
    }
}

impl BinaryNetwork {
    /// Builds the network a checked model describes; every population must be binary.
    pub fn build(spec: &ModelSpec) -> Result<BinaryNetwork, BinaryError> {
        let Some(update) = spec.update else {
            return Err(BinaryError::NotBinary(
                "the model has no binary population (model = \"binary\")".into(),
            ));
        };
        if spec.populations.len() > usize::from(u16::MAX) {
            return Err(BinaryError::NotBinary(
                "a binary network may have at most 65535 populations".into(),
            ));
        }
        let seed = spec.simulation.seed;
        let mut populations = Vec::with_capacity(spec.populations.len());
        let (mut thresholds, mut temperatures, mut active) = (Vec::new(), Vec::new(), Vec::new());
        let mut population_of = Vec::new();
        let mut offset = 0;
        for (index, population) in spec.populations.iter().enumerate() {
            let NeuronSpec::Binary { parameters, states } = &population.neuron else {
                return Err(BinaryError::NotBinary(format!(
                    "population `{}` is not binary",
                    population.name
                )));
            };
            populations.push(BinaryPopulation {
                name: population.name.clone(),
                size: population.size,
                offset,
                tau_ms: parameters.value("tau"),
                states: *states,
                patterns: population.patterns.clone(),
            });
            let values = |name| per_neuron(population, index, name, seed);
            thresholds.extend(values("threshold"));
            temperatures.extend(values("temperature"));
            let initial = values("initial_active");
            if let Some(bad) = initial.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                return Err(BinaryError::Parameter {
                    population: population.name.clone(),
                    message: format!(
                        "initial_active is a probability, from 0 to 1; a neuron has {bad}"
                    ),
                });
            }
            match (&population.initial_cue, &population.patterns) {
                // A cued start: the stored pattern with its flips and partial cue.
                (Some(cue), Some(patterns)) => {
                    let state = cue.state(patterns, seed, index as u64).map_err(|error| {
                        BinaryError::Parameter {
                            population: population.name.clone(),
                            message: error.to_string(),
                        }
                    })?;
                    active.extend(state.into_iter().map(u8::from));
                }
                _ => {
                    let stream_key = key(seed, Purpose::BinaryInitialState, index as u64, 0);
                    active.extend(initial.iter().enumerate().map(|(neuron, &p)| {
                        let word = counter_word(stream_key, neuron as u64);
                        u8::from(((word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)) < p)
                    }));
                }
            }
            population_of.extend(std::iter::repeat_n(index as u16, population.size));
            offset += population.size;
        }
        if offset > u32::MAX as usize {
            return Err(BinaryError::NotBinary(
                "a binary network may have at most 4294967295 neurons".into(),
            ));
        }
        // Slots of the projections with one weight among those onto their target population.
        let mut rules: Vec<Rule> = populations
            .iter()
            .map(|population| {
                let range = population.offset..population.offset + population.size;
                Rule {
                    offset: population.offset,
                    threshold: homogeneous(&thresholds[range.clone()]),
                    temperature: homogeneous(&temperatures[range]),
                    step: match population.states {
                        States::ZeroOne => 1,
                        States::Spin => 2,
                    },
                    external: None,
                    weights: Vec::new(),
                    outgoing: Vec::new(),
                }
            })
            .collect();
        let mut connectivities = Vec::with_capacity(spec.projections.len());
        let mut slots = Vec::with_capacity(spec.projections.len());
        let mut max_in_degree = 0;
        for (index, projection) in spec.projections.iter().enumerate() {
            let connectivity =
                connectivity_of(spec, index).map_err(|error| BinaryError::Projection {
                    index,
                    message: error.to_string(),
                })?;
            let target = projection.target;
            // The scatter-add of the update loop indexes `counts` unchecked: it relies on
            // every target lying inside its population, checked here once.
            if let Some(bad) = beyond(&connectivity, populations[target].size) {
                return Err(BinaryError::Projection {
                    index,
                    message: format!(
                        "target {bad} lies outside population `{}` of {} neurons",
                        populations[target].name, populations[target].size
                    ),
                });
            }
            if connectivity.weights().is_none() {
                let in_degree = connectivity.indegrees(populations[target].size);
                max_in_degree = max_in_degree.max(in_degree.into_iter().max().unwrap_or(0));
            }
            slots.push(connectivity.weights().is_none().then(|| {
                rules[target].weights.push(projection.weight);
                rules[target].weights.len() - 1
            }));
            rules[projection.source].outgoing.push(index);
            connectivities.push(connectivity);
        }
        let stride = rules
            .iter()
            .map(|rule| rule.weights.len())
            .max()
            .unwrap_or(0);
        let projections: Vec<Projection> = spec
            .projections
            .iter()
            .zip(connectivities)
            .zip(slots)
            .map(|((projection, connectivity), slot)| {
                let target_offset = populations[projection.target].offset;
                Projection {
                    source: projection.source,
                    target_offset,
                    connectivity,
                    counts_base: slot.map(|slot| target_offset * stride + slot),
                }
            })
            .collect();
        let inputs = spec
            .inputs
            .iter()
            .map(|input| ExternalInput {
                population: input.population,
                neurons: input.neurons.clone(),
                // The reader admits only constant and step inputs on binary targets.
                amplitude: match input.kind {
                    InputKind::Constant { amplitude } => amplitude,
                    _ => 0.0,
                },
                start_ms: input.start_ms,
                stop_ms: input.stop_ms,
            })
            .collect();
        let neurons = active.len();
        let deterministic = temperatures.iter().all(|&t| t == 0.0);
        let recorders = Recorders::new(spec, &populations);
        let mut network = BinaryNetwork {
            populations,
            population_of,
            active,
            thresholds,
            temperatures,
            deterministic,
            external: vec![0.0; neurons],
            uniform_external: false,
            weighted_field: vec![0.0; neurons],
            has_weighted_projections: projections.iter().any(|p| p.counts_base.is_none()),
            counts: Counts::new(neurons * stride, max_in_degree),
            stride,
            projections,
            rules,
            inputs,
            update,
            dt_ms: spec.simulation.dt_ms,
            steps: spec.simulation.steps,
            rng: stream(seed, Purpose::BinaryUpdate, 0, 0),
            recorders,
            transient_ms: 0.0,
            general_loop_only: false,
        };
        network.recompute_fields();
        network.set_external(0.0);
        Ok(network)
    }

    /// The fields from the states, from scratch.
    pub(super) fn recompute_fields(&mut self) {
        self.weighted_field.iter_mut().for_each(|h| *h = 0.0);
        let mut counts = vec![0; self.counts.len()];
        for projection in &self.projections {
            let source = &self.populations[projection.source];
            let low = match source.states {
                States::ZeroOne => 0,
                States::Spin => -1,
            };
            for local in 0..source.size {
                let state = if self.active[source.offset + local] == 1 {
                    1
                } else {
                    low
                };
                if state == 0 {
                    continue;
                }
                let row = projection.connectivity.targets_of(local);
                match (projection.counts_base, projection.connectivity.weights()) {
                    (Some(base), None) => {
                        for target in row.iter() {
                            counts[base + target as usize * self.stride] += state;
                        }
                    }
                    (_, weights) => {
                        let weights = &weights.expect("per-synapse weights")
                            [projection.connectivity.synapse_range(local)];
                        for (target, &weight) in row.iter().zip(weights) {
                            self.weighted_field[projection.target_offset + target as usize] +=
                                weight * f64::from(state);
                        }
                    }
                }
            }
        }
        self.counts.set(&counts);
    }

    /// Keeps the counts in the type chosen for in-degrees up to `max_in_degree` (tests of
    /// every width on small networks).
    #[cfg(test)]
    pub(super) fn use_counts_for_in_degree(&mut self, max_in_degree: u64) {
        self.counts = Counts::new(self.counts.len(), max_in_degree);
        self.recompute_fields();
    }

    /// Runs asynchronous updates in the general loop only (tests of the loop for shared
    /// parameters against it).
    #[cfg(test)]
    pub(super) fn use_general_loop(&mut self) {
        self.general_loop_only = true;
    }

    /// The external fields of the inputs that act in the step starting at `time_ms`, summed
    /// from scratch (so that switching inputs on and off leaves no rounding behind).
    pub(super) fn set_external(&mut self, time_ms: f64) {
        self.external.iter_mut().for_each(|h| *h = 0.0);
        for input in self.inputs.iter().filter(|i| i.acts_at(time_ms)) {
            let offset = self.populations[input.population].offset;
            for &neuron in &input.neurons {
                self.external[offset + neuron as usize] += input.amplitude;
            }
        }
        for (rule, population) in self.rules.iter_mut().zip(&self.populations) {
            let range = population.offset..population.offset + population.size;
            rule.external = homogeneous(&self.external[range]);
        }
        self.uniform_external = self.rules.iter().all(|rule| rule.external.is_some());
    }
}

/// The values of parameter `name` for every neuron of population number `index`: its own
/// where it varies, the population's value otherwise.
fn per_neuron(population: &PopulationSpec, index: usize, name: &str, seed: u64) -> Vec<f64> {
    match population.varying.iter().find(|v| v.name == name) {
        Some(varying) => varying.values(seed, index, 0..population.size),
        None => vec![population.neuron.parameters().value(name); population.size],
    }
}

/// The value all of `values` share, bit for bit, if they do (so that using it in place of
/// each neuron's own changes no result).
fn homogeneous(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    values
        .iter()
        .all(|v| v.to_bits() == first.to_bits())
        .then_some(first)
}

/// A target of `connectivity` at or beyond `size`, if there is one.
fn beyond(connectivity: &Connectivity, size: usize) -> Option<u32> {
    (0..connectivity.source_count()).find_map(|source| {
        let row = connectivity.targets_of(source);
        row.iter().find(|&target| target as usize >= size)
    })
}

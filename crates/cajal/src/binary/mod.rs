//! Networks of binary neurons (`model = "binary"`): build from a checked model file, update
//! asynchronously or synchronously, record.
//!
//! Neuron i of population k has a state S_i, 0 or 1 (or −1 and +1 with `states = "spin"`),
//! and the input field
//!   h_i = I_i^X(t) + Σ_j J_ij S_j,
//! with I^X the sum of the constant and step inputs on it and J_ij the weights of the
//! projections. At an update it takes the state Θ(h_i − T_i) (temperature 0; h = T counts as
//! active), or becomes active with the Glauber probability 1/(1 + exp(−(h_i − T_i)/temperature)).
//!
//! **Asynchronous updates** (random sequential, the default): every neuron of population k
//! updates at the events of its own Poisson process of rate 1/τ_k. The superposition of
//! these processes is a Poisson process of rate R = Σ_k N_k/τ_k whose events pick population
//! k with probability (N_k/τ_k)/R and then a uniformly drawn neuron of it. Time advances by
//! exactly 1/R per update rather than by an exponential interval: this standard choice (van
//! Vreeswijk & Sompolinsky 1998, Neural Comput. 10:1321, sec. 2) changes the statistics of
//! the event times only at order 1/√(number of updates), not which neurons update in which
//! order, and makes the number of updates in a run exactly ⌊duration·R⌉. Update u
//! (counted from 0) happens at t = (u + 1)/R; the external inputs switch at the step
//! boundaries of dt, which is also the resolution of recorded activity.
//!
//! **Synchronous updates**: every dt, all neurons take their new state from the same fields;
//! τ plays no role.
//!
//! **The field is kept incrementally.** When neuron j changes state by ΔS it adds J_ij·ΔS to
//! the fields of its targets. For a projection with one weight, what is kept is the integer
//! Σ_j S_j over the projection's sources of each target, so that h is exact: no rounding
//! accumulates over billions of updates and runs are bitwise reproducible. Only projections
//! whose weights vary per synapse add f64 weights (with the usual rounding of sums). The
//! integers of one neuron lie side by side, in one, two or four bytes each as the largest
//! in-degree requires: the width and layout change how much memory an update touches, never
//! a result.
//!
//! **Randomness.** Which neuron updates and the Glauber draws come from one stream
//! ([`Purpose::BinaryUpdate`](crate::rng::Purpose)); each neuron's initial state from its own
//! ([`Purpose::BinaryInitialState`](crate::rng::Purpose)); connectivity, weights and
//! heterogeneous thresholds from the same streams as in the spiking engine, so that a binary
//! and a spiking network built from the same rules and seed have the same synapses. The
//! simulation runs on one thread, so its results do not depend on the thread count.
//!
//! **Recording.** Up-transitions (0 → 1, −1 → +1) of the recorded neurons are kept as spike
//! times, so that rasters and spike statistics apply unchanged; the activity recorder keeps
//! the population's mean state averaged over each bin; traces sample `state` and `input`
//! (h); the time-averaged state of every neuron (its "rate") is always kept. A population
//! that stores patterns has its overlaps m_μ(t) with them recorded at the end of every step
//! of dt ([`crate::stats::binary_overlaps`]; spin states count +1 as active).

mod build;
#[cfg(test)]
mod fingerprint_tests;
#[cfg(test)]
mod hopfield_tests;
mod overlap;
mod record;
#[cfg(test)]
mod tests;
mod update;

pub use record::{ActivityTrace, BinaryResults, PopulationActivity};

use crate::engine::{Control, Progress};
use crate::neuron::binary::States;
use crate::rng::Stream;
use crate::spec::model::UpdateOrder;

use build::Projection;
use record::Recorders;

/// Why a binary network could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BinaryError {
    /// The model has a population that is not binary, or none at all.
    #[error("{0}")]
    NotBinary(String),
    /// A per-neuron value out of its range.
    #[error("population `{population}`: {message}")]
    Parameter {
        /// The population.
        population: String,
        /// What is wrong.
        message: String,
    },
    /// A projection that could not be built.
    #[error("projection {index}: {message}")]
    Projection {
        /// Its index in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// An initial state of the wrong length.
    #[error("the initial state has {found} values for {expected} neurons")]
    InitialState {
        /// The number of neurons.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
}

/// One population of a built network.
#[derive(Clone, Debug)]
pub struct BinaryPopulation {
    /// Its name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Index of its first neuron in the network's arrays.
    pub offset: usize,
    /// Mean time between two updates of a neuron (ms), asynchronous updates.
    pub tau_ms: f64,
    /// 0/1 or ±1.
    pub states: States,
    /// The patterns it stores, whose overlaps with the state are recorded every dt.
    pub patterns: Option<std::sync::Arc<crate::connect::Patterns>>,
}

/// A network of binary neurons, ready to run.
///
/// The per-neuron arrays are laid out for the asynchronous update, which reads one random
/// neuron's field and state and, when it flips, adds to the counts of its targets: the counts
/// of a neuron's uniform-weight inputs lie side by side (`counts`), and what is the same for
/// a whole population (its threshold, temperature and I^X where homogeneous, the weights of
/// its inputs, its projections out) is kept once per population in `update::Rule`.
pub struct BinaryNetwork {
    populations: Vec<BinaryPopulation>,
    /// Per population, what the update loop needs of it.
    rules: Vec<update::Rule>,
    /// Population of every neuron.
    population_of: Vec<u16>,
    /// 1 where the neuron is active (S = 1), 0 where not (S = 0 or −1).
    active: Vec<u8>,
    /// T_i.
    thresholds: Vec<f64>,
    /// Glauber temperature of each neuron (0: deterministic).
    temperatures: Vec<f64>,
    /// Whether every temperature is 0: an update then draws one word only.
    deterministic: bool,
    /// I_i^X now.
    external: Vec<f64>,
    /// Whether every population has one I^X for all its neurons (kept in `update::Rule`):
    /// the update loop then leaves `external` alone, and the cache to the counts.
    uniform_external: bool,
    /// Σ over projections with per-synapse weights of J_ij·S_j.
    weighted_field: Vec<f64>,
    /// Whether some projection has per-synapse weights (else `weighted_field` stays 0 and
    /// the update loop does not read it).
    has_weighted_projections: bool,
    /// For the projections with one weight: `counts[i·stride + slot]` is Σ_j S_j over the
    /// sources j of neuron i in the projection that has slot `slot` among those onto i's
    /// population.
    counts: update::Counts,
    /// The most projections with one weight onto any population.
    stride: usize,
    projections: Vec<Projection>,
    inputs: Vec<build::ExternalInput>,
    update: UpdateOrder,
    dt_ms: f64,
    steps: u64,
    rng: Stream,
    recorders: Recorders,
    /// Averages of activity per neuron start here (ms).
    transient_ms: f64,
    /// Asynchronous updates in the general loop even where the loop for shared parameters
    /// applies (tests that both give the same results).
    general_loop_only: bool,
}

impl BinaryNetwork {
    /// The populations.
    pub fn populations(&self) -> &[BinaryPopulation] {
        &self.populations
    }

    /// The update order.
    pub fn update_order(&self) -> UpdateOrder {
        self.update
    }

    /// Updates per ms of biological time in asynchronous mode, R = Σ_k N_k/τ_k.
    pub fn update_rate_per_ms(&self) -> f64 {
        self.populations
            .iter()
            .map(|p| p.size as f64 / p.tau_ms)
            .sum()
    }

    /// The number of synapses of every projection, in file order.
    pub fn synapse_counts(&self) -> Vec<usize> {
        self.projections
            .iter()
            .map(|p| p.connectivity.synapse_count())
            .collect()
    }

    /// Starts the per-neuron and whole-run averages of activity at `transient_ms` instead of
    /// 0, so that they describe the stationary state rather than the approach to it.
    pub fn set_transient_ms(&mut self, transient_ms: f64) {
        self.transient_ms = transient_ms.max(0.0);
    }

    /// Replaces the initial states (drawn from `initial_active`) by `active`, one value per
    /// neuron in population order (`true`: S = 1).
    pub fn set_initial_state(&mut self, active: &[bool]) -> Result<(), BinaryError> {
        if active.len() != self.active.len() {
            return Err(BinaryError::InitialState {
                expected: self.active.len(),
                found: active.len(),
            });
        }
        for (state, &on) in self.active.iter_mut().zip(active) {
            *state = u8::from(on);
        }
        self.recompute_fields();
        Ok(())
    }

    /// The state of every neuron now (`true`: active), in population order.
    pub fn active(&self) -> Vec<bool> {
        self.active.iter().map(|&a| a == 1).collect()
    }

    /// The input field h_i of neuron `neuron` (network index) now.
    pub fn field(&self, neuron: usize) -> f64 {
        update::field(self, neuron)
    }

    /// Runs to the end (or until the observer says stop), reporting progress every
    /// `report_every` steps of dt.
    pub fn run(
        mut self,
        report_every: u64,
        mut observer: impl FnMut(Progress) -> Control,
    ) -> BinaryResults {
        let report_every = report_every.max(1);
        let clock = update::Clock::new(&self);
        self.recorders.start(&self.active, &self.populations);
        self.sample_traces(0.0);
        let mut step = 0;
        let mut completed = true;
        let mut overlaps = overlap::OverlapRecorders::new(&self.populations, self.dt_ms);
        overlaps.sample(&self.active, &self.populations);
        while step < self.steps {
            let chunk_end = (step + report_every).min(self.steps);
            while step < chunk_end {
                self.advance(step, &clock);
                step += 1;
                overlaps.sample(&self.active, &self.populations);
            }
            let progress = Progress {
                steps_done: step,
                steps_total: self.steps,
                time_ms: step as f64 * self.dt_ms,
            };
            if observer(progress) == Control::Stop && step < self.steps {
                completed = false;
                break;
            }
        }
        let end = clock.boundary(step);
        let updates = clock.updates_done(step, self.active.len());
        let mut results = self.recorders.finish(
            &self.active,
            &self.populations,
            end,
            step as f64 * self.dt_ms,
            completed,
            updates,
        );
        results.overlaps = overlaps.finish();
        results
    }

    /// Samples the traces at `time_ms`.
    fn sample_traces(&mut self, time_ms: f64) {
        // The recorders are taken out while they read the network.
        let mut recorders = std::mem::take(&mut self.recorders);
        recorders.sample_traces(time_ms, |neuron| {
            (self.active[neuron] == 1, update::field(self, neuron))
        });
        self.recorders = recorders;
    }

    /// Step `step` of dt: inputs switched at its start, updates, recording at its end.
    fn advance(&mut self, step: u64, clock: &update::Clock) {
        let time_ms = step as f64 * self.dt_ms;
        if self
            .inputs
            .iter()
            .any(|input| input.switches_at(time_ms, self.dt_ms))
        {
            self.set_external(time_ms);
        }
        if self.transient_ms > 0.0 && clock.crosses_transient(step, self.transient_ms) {
            let now = clock.boundary(step);
            self.recorders.restart_averages(&self.active, now);
        }
        match self.update {
            UpdateOrder::Asynchronous => update::asynchronous(
                self,
                &clock.chooser,
                clock.boundary(step),
                clock.boundary(step + 1),
            ),
            UpdateOrder::Synchronous => update::synchronous(self, step),
        }
        let end = clock.boundary(step + 1);
        self.recorders.end_step(step, end);
        if self.recorders.traces_due(step + 1) {
            self.sample_traces((step + 1) as f64 * self.dt_ms);
        }
    }
}

//! Point-neuron models. Each model stores its state as one array per variable (structure of
//! arrays), so one neuron and a million are the same code path: a loop over slices.
//!
//! | model | equations | integration |
//! |---|---|---|
//! | [`lif`] | τ dV/dt = (E_L − V) + R·I | exact propagator; grid or precise spike times |
//! | [`nonlinear_if`] (EIF, QIF) | C dV/dt = −g_L(V−E_L) + g_LΔ_T e^((V−V_T)/Δ_T) + I; τ dV/dt = (V−E_L)(V−V_c)/ΔV + R·I | RK4 |
//! | [`hh`] | Hodgkin & Huxley (1952) squid axon | RK4 |
//! | [`rate`] | τ dm/dt = −m + F(I − T) | exact for piecewise-constant input |
//! | [`poisson`] | spikes of an (inhomogeneous) Poisson process of rate ν(t); no membrane | exact counts per step |
//!
//! The spiking models also take parameters that differ from neuron to neuron
//! (`with_neurons` constructors): they then run per-neuron loops, chosen once per step, that
//! read each neuron's parameters and derived constants; the homogeneous loops are untouched.

pub mod binary;
pub mod hh;
pub mod lif;
pub mod nonlinear_if;
pub mod poisson;
pub mod rate;
pub mod spike_times;

use crate::synapse::{AlphaReceptor, ConductanceReceptor, ExponentialReceptor};
use crate::units::Dimension;

/// External current of one step, in the model's input unit (pA, µA/cm², or the rate unit's
/// input): either the same for every neuron or one value each.
#[derive(Clone, Copy, Debug)]
pub enum Drive<'a> {
    /// Every neuron receives this value.
    Uniform(f64),
    /// Neuron `i` receives element `i`.
    PerNeuron(&'a [f64]),
}

impl Drive<'_> {
    /// The drive of neuron `i`.
    #[inline(always)]
    pub fn at(&self, i: usize) -> f64 {
        match self {
            Drive::Uniform(value) => *value,
            Drive::PerNeuron(values) => values[i],
        }
    }
}

/// Everything a population receives during one step.
#[derive(Clone, Copy, Debug)]
pub struct StepInput<'a> {
    /// External current, constant over the step.
    pub current: Drive<'a>,
    /// Voltage jumps (mV) of delta synapses, applied at the end of the step; `None` if none.
    pub voltage_jumps: Option<&'a [f64]>,
    /// Exponential synaptic currents at the start of the step.
    pub receptors: &'a [ExponentialReceptor],
    /// Alpha synaptic currents at the start of the step.
    pub alpha_receptors: &'a [AlphaReceptor],
    /// Synaptic conductances at the start of the step (LIF only).
    pub conductances: &'a [ConductanceReceptor],
}

impl StepInput<'_> {
    /// The input of a step with a uniform current and nothing else.
    pub fn uniform(current: f64) -> StepInput<'static> {
        StepInput {
            current: Drive::Uniform(current),
            voltage_jumps: None,
            receptors: &[],
            alpha_receptors: &[],
            conductances: &[],
        }
    }

    /// Mean external plus synaptic current of neuron `i` over the step (charge-preserving
    /// for the exponential and alpha synapses), for models that integrate numerically.
    #[inline(always)]
    pub fn mean_current(&self, i: usize) -> f64 {
        let mut current = self.current.at(i);
        for receptor in self.receptors {
            current += receptor.step_mean_factor * receptor.current[i];
        }
        for receptor in self.alpha_receptors {
            current += receptor.step_mean(i);
        }
        current
    }

    /// Mean synaptic current of neuron `i` over the step (current receptors only).
    #[inline(always)]
    pub fn synaptic_current(&self, i: usize) -> f64 {
        let exponential: f64 = self
            .receptors
            .iter()
            .map(|receptor| receptor.step_mean_factor * receptor.current[i])
            .sum();
        self.alpha_receptors
            .iter()
            .fold(exponential, |sum, receptor| sum + receptor.step_mean(i))
    }

    /// Whether any synaptic current receptor is present.
    #[inline(always)]
    pub fn has_synaptic_currents(&self) -> bool {
        !self.receptors.is_empty() || !self.alpha_receptors.is_empty()
    }

    /// The voltage jump of neuron `i` (0 without delta input).
    #[inline(always)]
    pub fn jump(&self, i: usize) -> f64 {
        self.voltage_jumps.map_or(0.0, |jumps| jumps[i])
    }
}

/// The time step being taken.
#[derive(Clone, Copy, Debug)]
pub struct StepClock {
    /// Index of the step (0 for the step from t = 0 to dt).
    pub step: u64,
    /// Start of the step (ms).
    pub time_ms: f64,
    /// Its length (ms).
    pub dt_ms: f64,
}

/// A spike: which neuron, and when (ms).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spike {
    /// Index of the neuron in its population.
    pub neuron: u32,
    /// Spike time (ms).
    pub time_ms: f64,
}

/// A state variable a recorder can sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VariableDef {
    /// Name used in model files (`v`, `m`, `h`, `n`, ...).
    pub name: &'static str,
    /// Its dimension (its values are in the working unit of it).
    pub dimension: Dimension,
    /// What it is, for plot labels.
    pub description: &'static str,
}

/// A population's neuron model and state.
#[derive(Clone, Debug)]
pub enum NeuronModel {
    /// Leaky integrate-and-fire.
    Lif(lif::Lif),
    /// Exponential or quadratic integrate-and-fire.
    NonlinearIf(nonlinear_if::NonlinearIf),
    /// Hodgkin–Huxley.
    HodgkinHuxley(hh::HodgkinHuxley),
    /// Rate unit.
    Rate(rate::RateUnit),
    /// Poisson spike sources (no state; they receive no input).
    PoissonSource(poisson::PoissonSource),
    /// Spike sources emitting given times (no state; they receive no input).
    SpikeTimes(spike_times::SpikeTimes),
}

impl NeuronModel {
    /// Advances every neuron by one step, appending spikes emitted during it.
    pub fn advance(&mut self, input: &StepInput, clock: StepClock, spikes: &mut Vec<Spike>) {
        match self {
            NeuronModel::Lif(model) => model.advance(input, clock, spikes),
            NeuronModel::NonlinearIf(model) => model.advance(input, clock, spikes),
            NeuronModel::HodgkinHuxley(model) => model.advance(input, clock, spikes),
            NeuronModel::Rate(model) => model.advance(input, clock),
            NeuronModel::PoissonSource(model) => model.advance(clock, spikes),
            NeuronModel::SpikeTimes(model) => model.advance(clock, spikes),
        }
    }

    /// The variables a recorder can sample.
    pub fn variables(&self) -> &'static [VariableDef] {
        match self {
            NeuronModel::Lif(_) => lif::VARIABLES,
            NeuronModel::NonlinearIf(_) => nonlinear_if::VARIABLES,
            NeuronModel::HodgkinHuxley(_) => hh::VARIABLES,
            NeuronModel::Rate(model) => model.variables(),
            NeuronModel::PoissonSource(_) | NeuronModel::SpikeTimes(_) => &[],
        }
    }

    /// The value of variable number `variable` (index into [`Self::variables`]) of a neuron.
    ///
    /// # Panics
    /// For Poisson sources, which have no variables.
    pub fn sample(&self, variable: usize, neuron: usize) -> f64 {
        match self {
            NeuronModel::Lif(model) => model.sample(variable, neuron),
            NeuronModel::NonlinearIf(model) => model.sample(variable, neuron),
            NeuronModel::HodgkinHuxley(model) => model.sample(variable, neuron),
            NeuronModel::Rate(model) => model.sample(variable, neuron),
            NeuronModel::PoissonSource(_) | NeuronModel::SpikeTimes(_) => {
                panic!("spike sources have no variables")
            }
        }
    }

    /// Number of neurons.
    pub fn size(&self) -> usize {
        match self {
            NeuronModel::Lif(model) => model.size(),
            NeuronModel::NonlinearIf(model) => model.size(),
            NeuronModel::HodgkinHuxley(model) => model.size(),
            NeuronModel::Rate(model) => model.size(),
            NeuronModel::PoissonSource(model) => model.size(),
            NeuronModel::SpikeTimes(model) => model.size(),
        }
    }

    /// Sets the membrane potential of every neuron (mV); rate units and Poisson sources have
    /// none and ignore it.
    pub fn set_membrane_potential(&mut self, v: &[f64]) {
        match self {
            NeuronModel::Lif(model) => model.set_membrane_potential(v),
            NeuronModel::NonlinearIf(model) => model.set_membrane_potential(v),
            NeuronModel::HodgkinHuxley(model) => model.set_membrane_potential(v),
            NeuronModel::Rate(_) | NeuronModel::PoissonSource(_) | NeuronModel::SpikeTimes(_) => {}
        }
    }

    /// Gives a model that draws random numbers as it runs (Poisson sources) the streams of
    /// neurons `first_neuron..` of population `population` under `seed`, so that a part of a
    /// population draws what its neurons draw in the whole; the others ignore it.
    pub fn assign_streams(&mut self, seed: u64, population: u64, first_neuron: u64) {
        if let NeuronModel::PoissonSource(model) = self {
            model.assign_streams(seed, population, first_neuron);
        }
    }

    /// Whether the model emits spikes (rate units do not).
    pub fn is_spiking(&self) -> bool {
        !matches!(self, NeuronModel::Rate(_))
    }
}

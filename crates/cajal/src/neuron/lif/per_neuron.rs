//! LIF populations whose neurons have parameters of their own.
//!
//! The homogeneous loops read one parameter set and one set of propagators; these read
//! neuron i's: its parameters, its decay e^(−dt/τ_m), its current gain R(1 − e^(−dt/τ_m)), its
//! refractory steps and its synaptic gains, all derived once (the gains on the first step,
//! when the receptors are known) by the same functions as the homogeneous ones. Each neuron
//! therefore runs the same operations as a one-neuron population with its values, and its
//! bits are the same. Which loop runs is decided once per step.

use super::{
    Lif, LifParameters, SpikeTiming, StepClock, StepInput, alpha_slope_response, precise_step,
    propagators, refractory_steps, relax_with_conductances, synaptic_response,
};
use crate::neuron::{Drive, Spike};
use crate::parameters::ParameterProblem;
use crate::synapse::ConductanceKernel;

/// The parameters and derived constants of every neuron of a part of a population, one
/// array each, so that a loop reads only what it needs.
#[derive(Clone, Debug)]
pub(super) struct Neurons {
    /// τ_m (ms).
    membrane_time_constant: Vec<f64>,
    /// E_L (mV).
    resting_potential: Vec<f64>,
    /// θ (mV).
    threshold: Vec<f64>,
    /// V_r (mV).
    reset_potential: Vec<f64>,
    /// τ_ref (ms).
    refractory_period: Vec<f64>,
    /// R_m (GΩ).
    membrane_resistance: Vec<f64>,
    /// V(0) (mV).
    initial_potential: Vec<f64>,
    /// e^(−dt/τ_m) of each neuron.
    decay: Vec<f64>,
    /// R(1 − e^(−dt/τ_m)) of each neuron.
    current_gain: Vec<f64>,
    /// Refractory period in steps (grid timing).
    refractory_steps: Vec<u32>,
    /// Per exponential receptor, each neuron's gain (the voltage 1 pA adds over a step).
    synaptic_gain: Vec<Vec<f64>>,
    /// Per alpha receptor, each neuron's gains for I = 1 pA and y = 1 pA/ms.
    alpha_gain: Vec<Vec<(f64, f64)>>,
}

impl Neurons {
    /// The parameters of neuron `i`.
    #[inline(always)]
    fn parameters(&self, i: usize) -> LifParameters {
        LifParameters {
            membrane_time_constant: self.membrane_time_constant[i],
            resting_potential: self.resting_potential[i],
            threshold: self.threshold[i],
            reset_potential: self.reset_potential[i],
            refractory_period: self.refractory_period[i],
            membrane_resistance: self.membrane_resistance[i],
            initial_potential: self.initial_potential[i],
        }
    }

    /// Per neuron, what `gain` says for its parameters.
    fn per_neuron<T>(&self, gain: impl Fn(&LifParameters) -> T) -> Vec<T> {
        (0..self.threshold.len())
            .map(|i| gain(&self.parameters(i)))
            .collect()
    }
}

impl Lif {
    /// One neuron per element of `neurons`, each with its own parameters and starting at its
    /// own initial potential; `population` is what [`Self::parameters`] reports (the
    /// population's parameters as written, varying ones at their means).
    ///
    /// # Errors
    /// With grid timing, the index of the first neuron whose refractory period is not a
    /// whole number of steps, with the problem.
    pub fn with_neurons(
        population: LifParameters,
        neurons: &[LifParameters],
        timing: SpikeTiming,
        dt_ms: f64,
    ) -> Result<Self, (usize, ParameterProblem)> {
        let (decay, current_gain): (Vec<f64>, Vec<f64>) =
            neurons.iter().map(|p| propagators(p, dt_ms)).unzip();
        let refractory_steps = neurons
            .iter()
            .enumerate()
            .map(|(i, p)| refractory_steps(p, timing, dt_ms).map_err(|problem| (i, problem)))
            .collect::<Result<Vec<u32>, _>>()?;
        // The homogeneous constructor makes the state (its refractory check is the neurons'
        // business here, so the template has none); then the neurons take over.
        let template = LifParameters {
            refractory_period: 0.0,
            ..population
        };
        let mut lif =
            Lif::new(template, timing, neurons.len(), dt_ms).map_err(|problem| (0, problem))?;
        lif.parameters = population;
        lif.v = neurons.iter().map(|p| p.initial_potential).collect();
        lif.neurons = Some(Box::new(Neurons {
            membrane_time_constant: neurons.iter().map(|p| p.membrane_time_constant).collect(),
            resting_potential: neurons.iter().map(|p| p.resting_potential).collect(),
            threshold: neurons.iter().map(|p| p.threshold).collect(),
            reset_potential: neurons.iter().map(|p| p.reset_potential).collect(),
            refractory_period: neurons.iter().map(|p| p.refractory_period).collect(),
            membrane_resistance: neurons.iter().map(|p| p.membrane_resistance).collect(),
            initial_potential: neurons.iter().map(|p| p.initial_potential).collect(),
            decay,
            current_gain,
            refractory_steps,
            synaptic_gain: Vec::new(),
            alpha_gain: Vec::new(),
        }));
        Ok(lif)
    }

    /// The parameters of neuron `neuron` (those of the population when they are the same
    /// for all).
    pub fn neuron_parameters(&self, neuron: usize) -> LifParameters {
        self.neurons
            .as_ref()
            .map_or(self.parameters, |neurons| neurons.parameters(neuron))
    }

    /// The step of [`Self::advance`] with every neuron's own parameters.
    pub(super) fn advance_per_neuron(
        &mut self,
        input: &StepInput,
        clock: StepClock,
        spikes: &mut Vec<Spike>,
    ) {
        let Some(neurons) = self.neurons.as_deref_mut() else {
            return;
        };
        let dt_ms = clock.dt_ms;
        if neurons.synaptic_gain.len() != input.receptors.len() {
            neurons.synaptic_gain = input
                .receptors
                .iter()
                .map(|r| neurons.per_neuron(|p| synaptic_response(p, r.time_constant_ms, dt_ms)))
                .collect();
        }
        if neurons.alpha_gain.len() != input.alpha_receptors.len() {
            neurons.alpha_gain = input
                .alpha_receptors
                .iter()
                .map(|r| {
                    neurons.per_neuron(|p| {
                        (
                            synaptic_response(p, r.time_constant_ms, dt_ms),
                            alpha_slope_response(p, r.time_constant_ms, dt_ms),
                        )
                    })
                })
                .collect();
        }
        let neurons = &*neurons;
        match self.timing {
            SpikeTiming::Precise => precise_step(
                &mut self.v,
                &mut self.refractory_ms_left,
                input,
                clock,
                spikes,
                |i| (neurons.parameters(i), neurons.decay[i]),
            ),
            SpikeTiming::Grid if !input.conductances.is_empty() => {
                self.grid_with_conductances_per_neuron(input, clock, spikes);
            }
            SpikeTiming::Grid => match input.current {
                Drive::Uniform(c)
                    if !input.has_synaptic_currents() && input.voltage_jumps.is_none() =>
                {
                    self.grid_uniform_per_neuron(c, clock, spikes);
                }
                Drive::Uniform(c) => self.grid_per_neuron(input, clock, spikes, |_| c),
                Drive::PerNeuron(values) => {
                    self.grid_per_neuron(input, clock, spikes, |i| values[i]);
                }
            },
        }
    }

    /// The grid step with a uniform current and nothing else (as the homogeneous fast loop,
    /// the same expression) with each neuron's own constants.
    fn grid_uniform_per_neuron(&mut self, current: f64, clock: StepClock, spikes: &mut Vec<Spike>) {
        let Some(neurons) = self.neurons.as_deref() else {
            return;
        };
        let spike_time = (clock.step + 1) as f64 * clock.dt_ms;
        let constants = neurons
            .resting_potential
            .iter()
            .zip(&neurons.decay)
            .zip(&neurons.current_gain)
            .zip(neurons.threshold.iter().zip(&neurons.reset_potential))
            .zip(&neurons.refractory_steps);
        for (i, ((v, left), ((((&resting, &decay), &gain), (&threshold, &reset)), &steps))) in self
            .v
            .iter_mut()
            .zip(self.refractory_steps_left.iter_mut())
            .zip(constants)
            .enumerate()
        {
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let v_new = resting + (*v - resting) * decay + gain * current;
            if v_new >= threshold {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: spike_time,
                });
                *v = reset;
                *left = steps;
            } else {
                *v = v_new;
            }
        }
    }

    /// The grid step (as `grid_loop`) with each neuron's own constants; generic over how the
    /// current is read so that each case compiles to its own loop.
    #[inline(always)]
    fn grid_per_neuron(
        &mut self,
        input: &StepInput,
        clock: StepClock,
        spikes: &mut Vec<Spike>,
        current: impl Fn(usize) -> f64,
    ) {
        let Some(neurons) = self.neurons.as_deref() else {
            return;
        };
        let spike_time = (clock.step + 1) as f64 * clock.dt_ms;
        let constants = neurons
            .resting_potential
            .iter()
            .zip(&neurons.decay)
            .zip(&neurons.current_gain)
            .zip(neurons.threshold.iter().zip(&neurons.reset_potential))
            .zip(&neurons.refractory_steps);
        for (i, ((v, left), ((((&resting, &decay), &gain), (&threshold, &reset)), &steps))) in self
            .v
            .iter_mut()
            .zip(self.refractory_steps_left.iter_mut())
            .zip(constants)
            .enumerate()
        {
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let mut v_new = resting + (*v - resting) * decay + gain * current(i);
            for (receptor, gains) in input.receptors.iter().zip(&neurons.synaptic_gain) {
                v_new += gains[i] * receptor.current[i];
            }
            for (receptor, gains) in input.alpha_receptors.iter().zip(&neurons.alpha_gain) {
                let (current_gain, slope_gain) = gains[i];
                v_new += current_gain * receptor.current[i] + slope_gain * receptor.slope[i];
            }
            v_new += input.jump(i);
            if v_new >= threshold {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: spike_time,
                });
                v_new = reset;
                *left = steps;
            }
            *v = v_new;
        }
    }

    /// The grid step with synaptic conductances (as `grid_loop_with_conductances`) with each
    /// neuron's own constants. Each neuron's step mean conductance G, Σ g_k E_k and current
    /// are summed in the homogeneous loop's order, and its membrane is relaxed by the
    /// homogeneous kernel itself, called for that neuron with its E_L, R and dt/τ_m: the
    /// bits are those of the homogeneous step, whatever form that kernel takes.
    fn grid_with_conductances_per_neuron(
        &mut self,
        input: &StepInput,
        clock: StepClock,
        spikes: &mut Vec<Spike>,
    ) {
        let Some(neurons) = self.neurons.as_deref() else {
            return;
        };
        let spike_time = (clock.step + 1) as f64 * clock.dt_ms;
        for (i, (v, left)) in self
            .v
            .iter_mut()
            .zip(self.refractory_steps_left.iter_mut())
            .enumerate()
        {
            // The homogeneous loop relaxes refractory neurons too and discards the result.
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let (mut conductance, mut driven) = (0.0, 0.0);
            for receptor in input.conductances {
                let mean = match &receptor.conductance {
                    ConductanceKernel::Exponential(kernel) => {
                        kernel.step_mean_factor * kernel.current[i]
                    }
                    ConductanceKernel::Alpha(kernel) => {
                        kernel.step_mean_factor * kernel.current[i]
                            + kernel.slope_step_mean_factor * kernel.slope[i]
                    }
                };
                conductance += mean;
                driven += mean * receptor.reversal_potential;
            }
            let mut candidate = [0.0];
            relax_with_conductances(
                std::slice::from_ref(v),
                &[conductance],
                &[driven],
                &mut candidate,
                &[input.mean_current(i)],
                neurons.resting_potential[i],
                neurons.membrane_resistance[i],
                clock.dt_ms / neurons.membrane_time_constant[i],
            );
            let v_new = candidate[0] + input.jump(i);
            if v_new >= neurons.threshold[i] {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: spike_time,
                });
                *v = neurons.reset_potential[i];
                *left = neurons.refractory_steps[i];
            } else {
                *v = v_new;
            }
        }
    }
}

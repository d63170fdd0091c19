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
    propagators, refractory_steps, sum_conductances, synaptic_response,
};
use crate::neuron::Spike;
use crate::parameters::ParameterProblem;

/// The parameters and derived constants of every neuron of a part of a population.
#[derive(Clone, Debug)]
pub(super) struct Neurons {
    parameters: Vec<LifParameters>,
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

/// The relaxation of [`super::relax_with_conductances`] with each neuron's own E_L, R and
/// dt/τ_m: the same expression, compiled for the same instruction sets, without fused
/// multiply-adds, so each neuron's result is that of the homogeneous kernel with its values.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn relax_with_conductances_per_neuron(
    v: &[f64],
    conductance: &[f64],
    driven: &[f64],
    candidate: &mut [f64],
    current: &[f64],
    parameters: &[LifParameters],
    dt_ms: f64,
) {
    for (((((out, &v), &g), &d), &i), p) in candidate
        .iter_mut()
        .zip(v)
        .zip(conductance)
        .zip(driven)
        .zip(current)
        .zip(parameters)
    {
        let resistance = p.membrane_resistance;
        let rate = dt_ms / p.membrane_time_constant;
        let leak = 1.0 + resistance * g;
        let drive = p.resting_potential + resistance * (i + d);
        let a = rate * leak;
        *out = crate::fastmath::exp(-a) * (v + drive * rate / crate::fastmath::x_over_expm1(a));
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
        let size = neurons.len();
        Ok(Lif {
            parameters: population,
            timing,
            decay: f64::NAN,
            current_gain: f64::NAN,
            refractory_steps: 0,
            v: neurons.iter().map(|p| p.initial_potential).collect(),
            refractory_steps_left: vec![0; size],
            refractory_ms_left: match timing {
                SpikeTiming::Grid => Vec::new(),
                SpikeTiming::Precise => vec![0.0; size],
            },
            synaptic_gain: Vec::new(),
            alpha_gain: Vec::new(),
            scratch: Default::default(),
            neurons: Some(Box::new(Neurons {
                parameters: neurons.to_vec(),
                decay,
                current_gain,
                refractory_steps,
                synaptic_gain: Vec::new(),
                alpha_gain: Vec::new(),
            })),
        })
    }

    /// The parameters of neuron `neuron` (those of the population when they are the same
    /// for all).
    pub fn neuron_parameters(&self, neuron: usize) -> LifParameters {
        self.neurons
            .as_ref()
            .map_or(self.parameters, |neurons| neurons.parameters[neuron])
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
                .map(|r| {
                    neurons
                        .parameters
                        .iter()
                        .map(|p| synaptic_response(p, r.time_constant_ms, dt_ms))
                        .collect()
                })
                .collect();
        }
        if neurons.alpha_gain.len() != input.alpha_receptors.len() {
            neurons.alpha_gain = input
                .alpha_receptors
                .iter()
                .map(|r| {
                    neurons
                        .parameters
                        .iter()
                        .map(|p| {
                            (
                                synaptic_response(p, r.time_constant_ms, dt_ms),
                                alpha_slope_response(p, r.time_constant_ms, dt_ms),
                            )
                        })
                        .collect()
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
                |i| (neurons.parameters[i], neurons.decay[i]),
            ),
            SpikeTiming::Grid if !input.conductances.is_empty() => {
                self.grid_with_conductances_per_neuron(input, clock, spikes);
            }
            SpikeTiming::Grid => self.grid_per_neuron(input, clock, spikes),
        }
    }

    /// The grid step (as `grid_loop`) with each neuron's own constants.
    fn grid_per_neuron(&mut self, input: &StepInput, clock: StepClock, spikes: &mut Vec<Spike>) {
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
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let p = &neurons.parameters[i];
            let mut v_new = p.resting_potential
                + (*v - p.resting_potential) * neurons.decay[i]
                + neurons.current_gain[i] * input.current.at(i);
            for (receptor, gains) in input.receptors.iter().zip(&neurons.synaptic_gain) {
                v_new += gains[i] * receptor.current[i];
            }
            for (receptor, gains) in input.alpha_receptors.iter().zip(&neurons.alpha_gain) {
                let (current_gain, slope_gain) = gains[i];
                v_new += current_gain * receptor.current[i] + slope_gain * receptor.slope[i];
            }
            v_new += input.jump(i);
            if v_new >= p.threshold {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: spike_time,
                });
                v_new = p.reset_potential;
                *left = neurons.refractory_steps[i];
            }
            *v = v_new;
        }
    }

    /// The grid step with synaptic conductances (as `grid_loop_with_conductances`) with each
    /// neuron's own constants.
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
        let size = self.v.len();
        let [conductance, driven, candidate, current] = &mut self.scratch;
        sum_conductances(input, size, current, conductance, driven);
        candidate.clear();
        candidate.resize(size, 0.0);
        relax_with_conductances_per_neuron(
            &self.v,
            conductance,
            driven,
            candidate,
            current,
            &neurons.parameters,
            clock.dt_ms,
        );
        for (i, ((v, left), &v_new)) in self
            .v
            .iter_mut()
            .zip(self.refractory_steps_left.iter_mut())
            .zip(candidate.iter())
            .enumerate()
        {
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let p = &neurons.parameters[i];
            let v_new = v_new + input.jump(i);
            if v_new >= p.threshold {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: spike_time,
                });
                *v = p.reset_potential;
                *left = neurons.refractory_steps[i];
            } else {
                *v = v_new;
            }
        }
    }
}

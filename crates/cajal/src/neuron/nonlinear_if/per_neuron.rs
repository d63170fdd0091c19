//! EIF and QIF populations whose neurons have parameters of their own.
//!
//! The homogeneous loop reads one parameter set; this one reads neuron i's. The step of
//! each neuron is the same function ([`super::rk4_step`]) with the same operations, so a
//! neuron's trajectory is bitwise that of a one-neuron population with its values. Which
//! loop runs is decided once per step.

use super::{NonlinearIf, NonlinearIfParameters, crossing_fraction, rk4_step, whole_steps};
use crate::neuron::{Spike, StepClock, StepInput};
use crate::parameters::ParameterProblem;

/// The parameters of every neuron of a part of a population.
#[derive(Clone, Debug)]
pub(super) struct Neurons {
    parameters: Vec<NonlinearIfParameters>,
    refractory_steps: Vec<u32>,
}

impl NonlinearIf {
    /// One neuron per element of `neurons`, each with its own parameters and starting at its
    /// own initial potential; `population` is what [`Self::parameters`] reports (the
    /// population's parameters as written, varying ones at their means).
    ///
    /// # Errors
    /// The index of the first neuron whose refractory period is not a whole number of steps,
    /// with the problem.
    pub fn with_neurons(
        population: NonlinearIfParameters,
        neurons: &[NonlinearIfParameters],
        dt_ms: f64,
    ) -> Result<Self, (usize, ParameterProblem)> {
        let refractory_steps = neurons
            .iter()
            .enumerate()
            .map(|(i, p)| whole_steps(p.refractory_period, dt_ms).map_err(|problem| (i, problem)))
            .collect::<Result<Vec<u32>, _>>()?;
        // The homogeneous constructor makes the state (the refractory check is the neurons'
        // business here, so the template has none); then the neurons take over.
        let template = NonlinearIfParameters {
            refractory_period: 0.0,
            ..population
        };
        let mut model =
            NonlinearIf::new(template, neurons.len(), dt_ms).map_err(|problem| (0, problem))?;
        model.parameters = population;
        model.v = neurons.iter().map(|p| p.initial_potential).collect();
        model.neurons = Some(Box::new(Neurons {
            parameters: neurons.to_vec(),
            refractory_steps,
        }));
        Ok(model)
    }

    /// The parameters of neuron `neuron` (those of the population when they are the same
    /// for all).
    pub fn neuron_parameters(&self, neuron: usize) -> NonlinearIfParameters {
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
        let Some(neurons) = self.neurons.as_deref() else {
            return;
        };
        let h = clock.dt_ms;
        for (i, ((v, left), (p, &refractory_steps))) in self
            .v
            .iter_mut()
            .zip(self.refractory_steps_left.iter_mut())
            .zip(neurons.parameters.iter().zip(&neurons.refractory_steps))
            .enumerate()
        {
            if *left > 0 {
                *left -= 1;
                continue;
            }
            let v0 = *v;
            let mut v1 = rk4_step(p, v0, input.mean_current(i), h) + input.jump(i);
            if v1 >= p.peak_potential {
                spikes.push(Spike {
                    neuron: i as u32,
                    time_ms: clock.time_ms + crossing_fraction(v0, v1, p.peak_potential) * h,
                });
                v1 = p.reset_potential;
                *left = refractory_steps;
            }
            *v = v1;
        }
    }
}

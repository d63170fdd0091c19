//! Hodgkin–Huxley populations whose neurons have parameters of their own.
//!
//! The homogeneous kernel reads one parameter set; this one reads neuron i's (and its
//! temperature factor). Both call the same RK4 step ([`super::rk4_step`]) with the same
//! operations and no fused multiply-adds, so a neuron's trajectory is bitwise that of a
//! one-neuron population with its values, on every instruction set. Which kernel runs is
//! decided once per step.

use super::{BLOCK, HhParameters, HodgkinHuxley, rk4_step, steady_state_gates};
use crate::neuron::{Spike, StepClock, StepInput};

/// The parameters of every neuron of a part of a population.
#[derive(Clone, Debug)]
pub(super) struct Neurons {
    pub(super) parameters: Vec<HhParameters>,
    temperature_factor: Vec<f64>,
}

/// RK4 steps of a block of neurons, neuron j with `parameters[j]` and `phi[j]`; compiled
/// like the homogeneous kernel for AVX2 and AVX besides the baseline.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
fn rk4_block_per_neuron(
    parameters: &[HhParameters],
    phi: &[f64],
    dt: f64,
    v: &mut [f64],
    m: &mut [f64],
    h: &mut [f64],
    n: &mut [f64],
    currents: &[f64],
    before: &mut [f64],
) {
    let len = v.len();
    let (parameters, phi, m, h, n, currents, before) = (
        &parameters[..len],
        &phi[..len],
        &mut m[..len],
        &mut h[..len],
        &mut n[..len],
        &currents[..len],
        &mut before[..len],
    );
    for j in 0..len {
        let y = rk4_step(
            &parameters[j],
            phi[j],
            [v[j], m[j], h[j], n[j]],
            currents[j],
            dt,
        );
        before[j] = v[j];
        v[j] = y[0];
        m[j] = y[1];
        h[j] = y[2];
        n[j] = y[3];
    }
}

impl HodgkinHuxley {
    /// One neuron per element of `neurons`, each with its own parameters, at its own initial
    /// potential with the gates at their steady state there; `population` is what
    /// [`Self::parameters`] reports (the population's parameters as written, varying ones at
    /// their means).
    pub fn with_neurons(population: HhParameters, neurons: &[HhParameters]) -> Self {
        let mut model = HodgkinHuxley::new(population, neurons.len());
        for (i, p) in neurons.iter().enumerate() {
            let [m, h, n] = steady_state_gates(p.initial_potential);
            (model.v[i], model.m[i], model.h[i], model.n[i]) = (p.initial_potential, m, h, n);
        }
        model.neurons = Some(Box::new(Neurons {
            parameters: neurons.to_vec(),
            temperature_factor: neurons.iter().map(|p| p.temperature_factor()).collect(),
        }));
        model
    }

    /// The parameters of neuron `neuron` (those of the population when they are the same
    /// for all).
    pub fn neuron_parameters(&self, neuron: usize) -> HhParameters {
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
        let dt = clock.dt_ms;
        let mut v_before = [0.0; BLOCK];
        let size = self.v.len();
        let mut start = 0;
        while start < size {
            let end = (start + BLOCK).min(size);
            let mut currents = [0.0; BLOCK];
            for (j, current) in currents[..end - start].iter_mut().enumerate() {
                *current = input.current.at(start + j);
            }
            rk4_block_per_neuron(
                &neurons.parameters[start..end],
                &neurons.temperature_factor[start..end],
                dt,
                &mut self.v[start..end],
                &mut self.m[start..end],
                &mut self.h[start..end],
                &mut self.n[start..end],
                &currents[..end - start],
                &mut v_before[..end - start],
            );
            if input.voltage_jumps.is_some() || input.has_synaptic_currents() {
                // As the homogeneous step: the synaptic charge over the step and the delta
                // jumps are added at its end, with each neuron's own capacitance.
                for i in start..end {
                    let synaptic = input.synaptic_current(i);
                    self.v[i] += synaptic * dt / neurons.parameters[i].capacitance + input.jump(i);
                }
            }
            for (j, (&v0, &v1)) in v_before.iter().zip(&self.v[start..end]).enumerate() {
                let threshold = neurons.parameters[start + j].spike_detection_threshold;
                if v0 < threshold && v1 >= threshold {
                    let fraction = (threshold - v0) / (v1 - v0);
                    spikes.push(Spike {
                        neuron: (start + j) as u32,
                        time_ms: clock.time_ms + fraction * dt,
                    });
                }
            }
            start = end;
        }
    }
}

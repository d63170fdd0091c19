//! The linear stability analysis of a network model file, where the theory covers it.
//!
//! The analysis of [`super`] is for one population coupled to itself. A network file is
//! covered when its mean-field description ([`crate::theory::mean_field::mean_field_of`])
//! exists, its synapses are delta jumps, its recurrent projections share one fixed delay D,
//! and all its LIF populations are *statistically identical*: the same neuron, the same
//! currents and noise, the same external Poisson drive, and the same numbers and
//! efficacies of excitatory and inhibitory inputs. They then fire at one rate ν, each
//! neuron sees μ = μ_ext + aν, σ² = σ²_ext + bν whichever population it is in, and the
//! network's modes are those of the one population (Brunel 2000, Sect. 4: model A, with
//! E and I neurons alike; Brunel & Hakim 1999: one inhibitory population).
//!
//! Where the inputs are excitatory jumps J and inhibitory jumps −gJ with an external
//! Poisson drive, the model is a point (g, η) of Brunel's phase diagram
//! ([`super::phase_diagram`]), η the external drive in units of θ − E_L.

use super::{BrunelNetwork, NetworkState, RecurrentPopulation, Stability};
use crate::spec::model::{ModelSpec, NeuronSpec};
use crate::theory::mean_field::{MeanFieldPopulation, mean_field_of};

/// The stability analysis of a model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelStability {
    /// The one population every LIF population of the model reduces to.
    pub population: RecurrentPopulation,
    /// The model as a point of Brunel's (g, η) family, where it is one.
    pub family: Option<BrunelNetwork>,
    /// The asynchronous state and the roots of its characteristic equation.
    pub stability: Stability,
    /// The state the analysis predicts.
    pub state: NetworkState,
}

/// Σ K J and Σ K J² of one sign of recurrent input, and the one jump J they share, if so.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Inputs {
    indegree: f64,
    mean_mv: f64,
    second_moment_mv2: f64,
    /// The jump of the first afferent …
    common_jump_mv: Option<f64>,
    /// … and whether a later one, or a weight distribution, departs from it.
    mixed: bool,
}

impl Inputs {
    fn add(&mut self, indegree: f64, jump_mv: f64, jump_squared_mv2: f64) {
        self.indegree += indegree;
        self.mean_mv += indegree * jump_mv;
        self.second_moment_mv2 += indegree * jump_squared_mv2;
        // A weight drawn from a distribution (E[J²] ≠ J²) or a second efficacy: no one J.
        let fixed = close(jump_squared_mv2, jump_mv * jump_mv);
        self.mixed |= !fixed || self.common_jump_mv.is_some_and(|j| !close(j, jump_mv));
        self.common_jump_mv.get_or_insert(jump_mv);
    }

    fn jump(&self) -> Option<f64> {
        (!self.mixed && self.indegree > 0.0)
            .then_some(self.common_jump_mv)
            .flatten()
    }
}

/// What a population's neurons receive, summed over afferents.
#[derive(Clone, Debug, PartialEq)]
struct Drive {
    name: String,
    baseline_mv: f64,
    noise_variance_mv2: f64,
    /// μ and σ² of the external Poisson trains (mV, mV²).
    poisson_mean_mv: f64,
    poisson_variance_mv2: f64,
    excitatory: Inputs,
    inhibitory: Inputs,
}

impl Drive {
    fn of(population: &MeanFieldPopulation) -> Drive {
        let tau = population.parameters.membrane_time_constant;
        let mut drive = Drive {
            name: population.name.clone(),
            baseline_mv: population.baseline_mv,
            noise_variance_mv2: population.noise_variance_mv2,
            poisson_mean_mv: 0.0,
            poisson_variance_mv2: 0.0,
            excitatory: Inputs::default(),
            inhibitory: Inputs::default(),
        };
        for afferent in &population.afferents {
            match afferent.source {
                None => {
                    let rate_per_ms = afferent.external_rate_hz / 1000.0;
                    drive.poisson_mean_mv +=
                        tau * afferent.indegree * afferent.jump_mv * rate_per_ms;
                    drive.poisson_variance_mv2 +=
                        tau * afferent.indegree * afferent.jump_squared_mv2 * rate_per_ms;
                }
                Some(_) if afferent.jump_mv >= 0.0 => drive.excitatory.add(
                    afferent.indegree,
                    afferent.jump_mv,
                    afferent.jump_squared_mv2,
                ),
                Some(_) => drive.inhibitory.add(
                    afferent.indegree,
                    afferent.jump_mv,
                    afferent.jump_squared_mv2,
                ),
            }
        }
        drive
    }

    /// Whether two populations receive the same input (to 1e-12 relative).
    fn same_as(&self, other: &Drive) -> bool {
        let inputs = |a: &Inputs, b: &Inputs| {
            close(a.indegree, b.indegree)
                && close(a.mean_mv, b.mean_mv)
                && close(a.second_moment_mv2, b.second_moment_mv2)
        };
        close(self.baseline_mv, other.baseline_mv)
            && close(self.noise_variance_mv2, other.noise_variance_mv2)
            && close(self.poisson_mean_mv, other.poisson_mean_mv)
            && close(self.poisson_variance_mv2, other.poisson_variance_mv2)
            && inputs(&self.excitatory, &other.excitatory)
            && inputs(&self.inhibitory, &other.inhibitory)
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// The one recurrent delay D (ms) of the projections between LIF populations.
fn recurrent_delay_ms(spec: &ModelSpec) -> Result<f64, String> {
    let is_lif = |k: usize| matches!(spec.populations[k].neuron, NeuronSpec::Lif { .. });
    let mut delay: Option<(u64, usize)> = None;
    for (index, projection) in spec.projections.iter().enumerate() {
        if !is_lif(projection.source) || !is_lif(projection.target) {
            continue;
        }
        if projection.delay_distribution.is_some() {
            return Err(format!(
                "projection {}: its delays vary per synapse; the stability analysis needs one \
                 fixed delay",
                index + 1
            ));
        }
        match delay {
            None => delay = Some((projection.delay_steps, index)),
            Some((steps, first)) if steps != projection.delay_steps => {
                return Err(format!(
                    "projections {} and {} have different delays; the stability analysis \
                     needs one delay for the whole network",
                    first + 1,
                    index + 1
                ));
            }
            Some(_) => {}
        }
    }
    let (steps, _) = delay.ok_or("the network has no recurrent projection")?;
    Ok(steps as f64 * spec.simulation.dt_ms)
}

/// The stability analysis of `spec`, resolving modes up to `max_frequency_hz`, or why the
/// model is not covered.
pub fn stability_of(spec: &ModelSpec, max_frequency_hz: f64) -> Result<ModelStability, String> {
    let network = mean_field_of(spec)?;
    if let Some(filtered) = network
        .populations
        .iter()
        .find(|p| p.synaptic_time_constant_ms.is_some())
    {
        return Err(format!(
            "population `{}`: its synapses are exponential currents; the stability analysis \
             covers delta synapses",
            filtered.name
        ));
    }
    let delay_ms = recurrent_delay_ms(spec)?;
    let first = &network.populations[0];
    let drives: Vec<Drive> = network.populations.iter().map(Drive::of).collect();
    for (population, drive) in network.populations.iter().zip(&drives).skip(1) {
        if !same_neuron(&population.parameters, &first.parameters) {
            return Err(format!(
                "populations `{}` and `{}` have different neurons; the stability analysis \
                 covers statistically identical populations (Brunel's model A)",
                first.name, population.name
            ));
        }
        if !drive.same_as(&drives[0]) {
            return Err(format!(
                "populations `{}` and `{}` receive different input; the stability analysis \
                 covers statistically identical populations (Brunel's model A)",
                first.name, drive.name
            ));
        }
    }
    let drive = &drives[0];
    if drive.excitatory.indegree + drive.inhibitory.indegree == 0.0 {
        return Err("the neurons receive no recurrent synapses".into());
    }
    let neuron = first.parameters;
    let tau = neuron.membrane_time_constant;
    let population = RecurrentPopulation {
        neuron,
        external_mean_mv: drive.baseline_mv + drive.poisson_mean_mv,
        external_variance_mv2: drive.noise_variance_mv2 + drive.poisson_variance_mv2,
        mean_coupling_mv_ms: tau * (drive.excitatory.mean_mv + drive.inhibitory.mean_mv),
        variance_coupling_mv2_ms: tau
            * (drive.excitatory.second_moment_mv2 + drive.inhibitory.second_moment_mv2),
        delay_ms,
    };
    let stability = population.stability(max_frequency_hz);
    let state = stability.state(neuron.threshold, delay_ms);
    Ok(ModelStability {
        family: family(&population, drive),
        population,
        stability,
        state,
    })
}

/// The initial potential does not enter the theory.
fn same_neuron(
    a: &crate::neuron::lif::LifParameters,
    b: &crate::neuron::lif::LifParameters,
) -> bool {
    let mut b = *b;
    b.initial_potential = a.initial_potential;
    *a == b
}

/// The model as Brunel's (g, η) family: excitatory jumps J, inhibitory −gJ, an external
/// Poisson drive.
fn family(population: &RecurrentPopulation, drive: &Drive) -> Option<BrunelNetwork> {
    let efficacy_mv = drive.excitatory.jump()?;
    let inhibitory_mv = drive.inhibitory.jump()?;
    let neuron = population.neuron;
    let span = neuron.threshold - neuron.resting_potential;
    if efficacy_mv <= 0.0 || drive.poisson_mean_mv <= 0.0 || span <= 0.0 {
        return None;
    }
    Some(BrunelNetwork {
        neuron,
        efficacy_mv,
        excitatory_indegree: drive.excitatory.indegree,
        inhibitory_ratio: drive.inhibitory.indegree / drive.excitatory.indegree,
        g: -inhibitory_mv / efficacy_mv,
        eta: drive.poisson_mean_mv / span,
        delay_ms: population.delay_ms,
        external_jump_mv: drive.poisson_variance_mv2 / drive.poisson_mean_mv,
        baseline_mv: drive.baseline_mv,
        noise_variance_mv2: drive.noise_variance_mv2,
    })
}

#[cfg(test)]
mod tests;

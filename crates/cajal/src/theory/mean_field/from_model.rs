//! The mean-field description of a network model file, where its assumptions hold.
//!
//! Covered: populations of identical LIF neurons (only the initial potential may vary) and
//! Poisson sources of constant rate; projections with delta synapses or exponential current
//! synapses (one time constant per target population), by any connection rule (the mean
//! in-degree is the expected number of synapses per target); weights fixed or drawn from a
//! uniform, normal or lognormal distribution (J² averaged exactly); inputs that act on every
//! neuron of a population for the whole run: constant currents, white noise, Poisson
//! trains of constant rate. Anything else — rate units, conductances, time-varying or
//! partial inputs, heterogeneous neurons — is not covered, and the reason says which part.

use super::{Afferent, MeanFieldNetwork, MeanFieldPopulation};
use crate::distribution::Distribution;
use crate::input::{InputKind, PoissonSynapse, RateProfile};
use crate::spec::model::{ModelSpec, NeuronSpec, SynapseSpec};

/// The second moment E[w²] of a weight `mean` drawn from `distribution`, where it is exact.
fn second_moment(mean: f64, distribution: Option<&Distribution>) -> Option<f64> {
    let variance = match distribution {
        None => 0.0,
        Some(Distribution::Uniform { low, high }) => (high - low).powi(2) / 12.0,
        Some(Distribution::Normal { std, .. } | Distribution::LogNormal { std, .. }) => std * std,
        // Redrawing outside the bounds changes mean and variance: not a closed form here.
        Some(Distribution::ClippedNormal { .. }) => return None,
    };
    Some(mean * mean + variance)
}

/// Builds the mean-field network of `spec`, or says why the model is not covered.
pub fn mean_field_of(spec: &ModelSpec) -> Result<MeanFieldNetwork, String> {
    let mut populations = Vec::new();
    // Index of each population among the LIF ones, or its constant rate if a source.
    let mut lif_index = vec![None; spec.populations.len()];
    let mut source_rate = vec![None; spec.populations.len()];
    for (k, population) in spec.populations.iter().enumerate() {
        match &population.neuron {
            NeuronSpec::Lif { .. } => {
                if let Some(varying) = population
                    .varying
                    .iter()
                    .find(|v| v.name != "initial_potential")
                {
                    return Err(format!(
                        "population `{}`: its neurons differ in `{}`",
                        population.name, varying.name
                    ));
                }
                let parameters = population.neuron.lif_parameters().ok_or_else(|| {
                    format!("population `{}`: invalid LIF parameters", population.name)
                })?;
                lif_index[k] = Some(populations.len());
                populations.push(MeanFieldPopulation {
                    name: population.name.clone(),
                    parameters,
                    baseline_mv: parameters.resting_potential,
                    noise_variance_mv2: 0.0,
                    afferents: Vec::new(),
                    synaptic_time_constant_ms: None,
                });
            }
            NeuronSpec::PoissonSource {
                rate: RateProfile::Constant { rate_hz },
                ..
            } => source_rate[k] = Some(*rate_hz),
            other => {
                return Err(format!(
                    "population `{}`: the mean-field theory covers LIF neurons and Poisson \
                     sources of constant rate, not `{}`",
                    population.name,
                    other.name()
                ));
            }
        }
    }
    if populations.is_empty() {
        return Err("the model has no LIF population".into());
    }
    for (index, projection) in spec.projections.iter().enumerate() {
        let Some(target) = lif_index[projection.target] else {
            continue;
        };
        let target_size = spec.populations[projection.target].size as f64;
        let source_size = spec.populations[projection.source].size;
        let indegree = projection
            .rule
            .expected_synapses(source_size, target_size as usize)
            / target_size;
        // Without autapses a neuron of an all-to-all or Bernoulli projection onto its own
        // population misses itself.
        let indegree = if projection.source == projection.target && !projection.autapses {
            use crate::connect::Rule;
            match projection.rule {
                Rule::AllToAll => indegree - 1.0,
                Rule::Bernoulli { probability } => indegree - probability,
                _ => indegree,
            }
        } else {
            indegree
        };
        let second = second_moment(projection.weight, projection.weight_distribution.as_ref())
            .ok_or_else(|| {
                format!(
                    "projection {}: clipped-normal weights have no closed-form moments",
                    index + 1
                )
            })?;
        let population = &mut populations[target];
        let (scale, filter) = jump_per_weight(&projection.synapse, &population.parameters)
            .ok_or_else(|| {
                format!(
                    "projection {}: the mean-field theory covers delta and exponential \
                     current synapses only",
                    index + 1
                )
            })?;
        set_filter(population, filter)?;
        population.afferents.push(Afferent {
            source: lif_index[projection.source],
            external_rate_hz: source_rate[projection.source].unwrap_or(0.0),
            indegree,
            jump_mv: scale * projection.weight,
            jump_squared_mv2: scale * scale * second,
        });
    }
    for (index, input) in spec.inputs.iter().enumerate() {
        let Some(target) = lif_index[input.population] else {
            continue;
        };
        let size = spec.populations[input.population].size;
        let whole_run = input.start_ms <= 0.0 && input.stop_ms >= spec.simulation.duration_ms;
        if !whole_run || input.neurons.len() != size {
            return Err(format!(
                "input {}: it acts on part of the population or of the run",
                index + 1
            ));
        }
        let population = &mut populations[target];
        let parameters = population.parameters;
        let resistance = parameters.membrane_resistance;
        match &input.kind {
            InputKind::Constant { amplitude } => population.baseline_mv += resistance * amplitude,
            InputKind::WhiteNoise {
                mean,
                std,
                time_scale_ms,
            } => {
                // R σ √τ_s ξ = σ_V √τ_m ξ: σ_V² = (R σ)² τ_s/τ_m.
                population.baseline_mv += resistance * mean;
                population.noise_variance_mv2 +=
                    (resistance * std).powi(2) * time_scale_ms / parameters.membrane_time_constant;
            }
            InputKind::Poisson {
                rate_hz,
                weight,
                sources,
                synapse,
            } => {
                let kernel = match synapse {
                    PoissonSynapse::Delta => SynapseSpec::Delta,
                    PoissonSynapse::Exponential { .. } => SynapseSpec::Exponential {
                        time_constant_ms: input.receptor_time_constant_ms.unwrap_or(0.0),
                    },
                    PoissonSynapse::Alpha { .. } => SynapseSpec::Alpha {
                        time_constant_ms: input.receptor_time_constant_ms.unwrap_or(0.0),
                    },
                };
                let (scale, filter) = jump_per_weight(&kernel, &parameters).ok_or_else(|| {
                    format!(
                        "input {}: the mean-field theory covers delta and exponential \
                         synapses only",
                        index + 1
                    )
                })?;
                set_filter(population, filter)?;
                population.afferents.push(Afferent {
                    source: None,
                    external_rate_hz: *rate_hz,
                    indegree: f64::from(*sources),
                    jump_mv: scale * weight,
                    jump_squared_mv2: (scale * weight).powi(2),
                });
            }
            other => {
                return Err(format!(
                    "input {}: a `{}` input changes in time",
                    index + 1,
                    input_name(other)
                ));
            }
        }
    }
    for population in &populations {
        check_diffusion_limit(population)?;
    }
    Ok(MeanFieldNetwork { populations })
}

/// The diffusion approximation needs many inputs, each small against the distance from
/// reset to threshold: at least [`MIN_SYNAPSES`] synapses, none moving V by more than a
/// fifth of θ − V_r. The demo's inhibitory jumps of 1.25 mV (θ − V_r = 10 mV) are within it,
/// and its simulated rates lie 5 % above the theory's; beyond, the shot-noise character of
/// the input is plain.
fn check_diffusion_limit(population: &MeanFieldPopulation) -> Result<(), String> {
    if population.afferents.is_empty() {
        return Ok(());
    }
    let synapses: f64 = population.afferents.iter().map(|a| a.indegree).sum();
    if synapses < MIN_SYNAPSES {
        return Err(format!(
            "population `{}`: a neuron receives {synapses} synapses; the diffusion \
             approximation needs many small inputs",
            population.name
        ));
    }
    let span = population.parameters.threshold - population.parameters.reset_potential;
    let largest = population
        .afferents
        .iter()
        .map(|a| a.jump_squared_mv2.sqrt())
        .fold(0.0, f64::max);
    if largest > 0.2 * span {
        return Err(format!(
            "population `{}`: a synapse moves V by {largest:.3} mV, more than a fifth of \
             θ − V_r = {span} mV; the diffusion approximation needs small inputs",
            population.name
        ));
    }
    Ok(())
}

/// The fewest synapses per neuron for the diffusion approximation.
const MIN_SYNAPSES: f64 = 20.0;

/// The jump of V (mV) per unit weight of a synapse, and its filtering time constant.
fn jump_per_weight(
    synapse: &SynapseSpec,
    parameters: &crate::neuron::lif::LifParameters,
) -> Option<(f64, Option<f64>)> {
    match *synapse {
        SynapseSpec::Delta => Some((1.0, None)),
        // A current w e^{−t/τ_s} carries the charge w τ_s, moving V by R w τ_s/τ_m.
        SynapseSpec::Exponential { time_constant_ms } => Some((
            parameters.membrane_resistance * time_constant_ms / parameters.membrane_time_constant,
            Some(time_constant_ms),
        )),
        _ => None,
    }
}

/// Records the filtering time constant of a population's synapses; one per population.
fn set_filter(population: &mut MeanFieldPopulation, filter: Option<f64>) -> Result<(), String> {
    let Some(tau) = filter else {
        return Ok(());
    };
    match population.synaptic_time_constant_ms {
        Some(existing) if existing != tau => Err(format!(
            "population `{}`: synapses with different time constants ({existing} and {tau} ms)",
            population.name
        )),
        _ => {
            population.synaptic_time_constant_ms = Some(tau);
            Ok(())
        }
    }
}

fn input_name(kind: &InputKind) -> &'static str {
    match kind {
        InputKind::Constant { .. } => "constant",
        InputKind::Steps { .. } => "steps",
        InputKind::PulseTrain { .. } => "pulse_train",
        InputKind::Ramp { .. } => "ramp",
        InputKind::TimeSeries(_) => "timeseries",
        InputKind::WhiteNoise { .. } => "white_noise",
        InputKind::OrnsteinUhlenbeck { .. } => "ou_noise",
        InputKind::Poisson { .. } => "poisson",
        InputKind::PoissonProfile { .. } => "poisson (with a rate profile)",
    }
}

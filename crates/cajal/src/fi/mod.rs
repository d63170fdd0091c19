//! f–I curves: the firing frequency of a neuron model as a function of a constant current,
//! simulated, and beside it the closed form where the model has one (LIF).
//!
//! All currents of a curve are simulated at once, as one population with one neuron per
//! current: the same code path as any population, and as fast. A sweep over a parameter
//! (`vary`) gives one curve per value.
//!
//! **Rate.** The frequency reported is that of steady repetitive firing: 1/(mean inter-spike
//! interval) of the spikes after the transient, 0 for a neuron that fires fewer than two
//! spikes after it. This is the quantity the closed-form LIF curve and the classical HH f–I
//! curves describe; counting spikes in a window instead would add a quantisation error of
//! one spike per window. The spike count after the transient is reported as well.
//!
//! **Noise.** With `noise = { std, time_scale }` every neuron's current carries Gaussian white
//! noise σ√τ ξ(t) (a `white_noise` input of mean 0, independent per neuron and seeded by the
//! run's seed), and `neurons` neurons are simulated per current. The rate is then the number
//! of spikes after the transient divided by the neurons and the window — the stationary rate
//! of an irregular train, which 1/(mean ISI) of one short train estimates badly — and the
//! LIF's theory is the Siegert rate (Ricciardi 1977; Brunel 2000, eq. 21) at
//! μ = E_L + R·I, σ_V = R σ √(τ/τ_m) (see [`crate::theory::siegert`]).
//!
//! **Heterogeneous populations.** A population whose parameters vary from neuron to neuron
//! is refused (naming the varying parameters), unless the only one that varies is the one
//! the sweep sets: a curve is that of one parameter set. An initial potential that varies
//! is taken at its mean, as the curve is of steady firing.

use crate::input::{Input, InputKind, InputSink};
use crate::neuron::{Drive, Spike, StepClock, StepInput};
use crate::parameters::ParameterProblem;
use crate::spec::model::{FiSpec, ModelSpec};
use crate::units::{Dimension, format_working};

/// One point of an f–I curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FiPoint {
    /// The constant current (model input unit).
    pub current: f64,
    /// Steady firing frequency (Hz).
    pub rate_hz: f64,
    /// Spikes after the transient (of all the current's neurons).
    pub spike_count: u64,
    /// The closed-form rate (Hz) where the model has one: the LIF's deterministic rate, or
    /// its Siegert rate under noise.
    pub theory_rate_hz: Option<f64>,
}

/// One f–I curve.
#[derive(Clone, Debug, PartialEq)]
pub struct FiCurve {
    /// What distinguishes it (`leak_conductance = 0.1 mS/cm²`), or the population's name.
    pub label: String,
    /// The swept parameter's value (working units), if a parameter is swept.
    pub parameter_value: Option<f64>,
    /// Its points, in the order of the currents.
    pub points: Vec<FiPoint>,
}

/// The f–I curves of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct FiResult {
    /// The dimension of the currents.
    pub current_dimension: Dimension,
    /// One per value of the swept parameter, or one.
    pub curves: Vec<FiCurve>,
}

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
#[error("f–I sweep: {message}")]
pub struct FiError {
    /// What is wrong.
    pub message: String,
}

impl From<ParameterProblem> for FiError {
    fn from(problem: ParameterProblem) -> Self {
        FiError {
            message: problem.message,
        }
    }
}

/// The most neurons one curve simulates at once (a few hundred bytes each).
const MAX_NEURONS: usize = 10_000_000;

/// Simulates the sweep `fi` of model `spec`. `on_curve` is told when each curve is done
/// (for progress reports).
pub fn simulate(
    spec: &ModelSpec,
    fi: &FiSpec,
    mut on_curve: impl FnMut(usize, usize),
) -> Result<FiResult, FiError> {
    let population = &spec.populations[fi.population];
    let dt_ms = spec.simulation.dt_ms;
    let steps = (fi.duration_ms / dt_ms).round() as u64;
    if (steps as f64 * dt_ms - fi.duration_ms).abs() > 1e-9 * fi.duration_ms || steps == 0 {
        return Err(FiError {
            message: format!(
                "the trial duration ({} ms) is not a whole number of steps of dt = {dt_ms} ms",
                fi.duration_ms
            ),
        });
    }
    // A curve is that of one neuron's parameters; those of a heterogeneous population
    // differ from neuron to neuron (their means would describe none of them), unless the
    // sweep sets the one that varies.
    let swept = fi.vary.as_ref().and_then(|sweep| {
        population
            .neuron
            .parameters()
            .definition(&sweep.parameter)
            .map(|d| d.name)
    });
    let varying: Vec<&str> = population
        .varying
        .iter()
        .filter(|p| p.is_parameter() && Some(p.name) != swept)
        .map(|p| p.name)
        .collect();
    if !varying.is_empty() {
        return Err(FiError {
            message: format!(
                "the parameters {} of population `{}` vary from neuron to neuron; an f–I \
                 curve is that of one neuron: give them one value each (and sweep one with \
                 `vary` for several curves)",
                varying.join(", "),
                population.name
            ),
        });
    }
    let values: Vec<Option<f64>> = match &fi.vary {
        Some(sweep) => sweep.values.iter().map(|&v| Some(v)).collect(),
        None => vec![None],
    };
    // Check every value of the sweep before simulating any, so that a bad one is reported
    // at once rather than after minutes of simulation.
    if let Some(sweep) = &fi.vary {
        for &value in &sweep.values {
            let mut neuron = population.neuron.clone();
            neuron.parameters_mut().set(&sweep.parameter, value, None)?;
            neuron.build(1, dt_ms)?;
        }
    }
    let seed = spec.simulation.seed;
    let mut curves = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let mut neuron = population.neuron.clone();
        let label = match (value, &fi.vary) {
            (Some(value), Some(sweep)) => {
                neuron
                    .parameters_mut()
                    .set(&sweep.parameter, *value, None)?;
                let dimension = neuron
                    .parameters()
                    .definition(&sweep.parameter)
                    .map_or(Dimension::DIMENSIONLESS, |d| d.dimension);
                format!(
                    "{} = {}",
                    sweep.parameter,
                    format_working(*value, dimension)
                )
            }
            _ => population.name.clone(),
        };
        // Neuron k has current k / n: the neurons of one current are contiguous.
        let per_current = fi.neurons_per_current.max(1);
        let neurons = fi.currents.len().saturating_mul(per_current);
        if neurons > MAX_NEURONS {
            return Err(FiError {
                message: format!(
                    "{} currents × {per_current} neurons per current = {neurons} neurons, more \
                     than the {MAX_NEURONS} a sweep simulates at once: use fewer currents or \
                     neurons",
                    fi.currents.len()
                ),
            });
        }
        let currents: Vec<f64> = fi
            .currents
            .iter()
            .flat_map(|&current| std::iter::repeat_n(current, per_current))
            .collect();
        let mut model = neuron.build(neurons, dt_ms)?;
        let mut noise = match fi.noise {
            None => None,
            Some(noise) => Some(
                Input::new(
                    InputKind::WhiteNoise {
                        mean: 0.0,
                        std: noise.std,
                        time_scale_ms: noise.time_scale_ms,
                    },
                    (0..neurons as u32).collect(),
                    0.0,
                    f64::INFINITY,
                    seed,
                    index as u64,
                    dt_ms,
                )
                .map_err(|error| FiError {
                    message: format!("noise: {error}"),
                })?,
            ),
        };
        let mut noisy_currents = currents.clone();
        let mut voltage_jumps = vec![0.0; if noise.is_some() { neurons } else { 0 }];
        let mut trains: Vec<Vec<f64>> = vec![Vec::new(); neurons];
        let mut spikes: Vec<Spike> = Vec::new();
        for step in 0..steps {
            let clock = StepClock {
                step,
                time_ms: step as f64 * dt_ms,
                dt_ms,
            };
            if let Some(noise) = noise.as_mut() {
                noisy_currents.copy_from_slice(&currents);
                noise.deliver(
                    clock,
                    &mut InputSink {
                        current: &mut noisy_currents,
                        voltage_jumps: &mut voltage_jumps,
                        receptors: &mut [],
                        alpha_receptors: &mut [],
                    },
                );
            }
            let input = StepInput {
                current: Drive::PerNeuron(&noisy_currents),
                voltage_jumps: None,
                receptors: &[],
                alpha_receptors: &[],
                conductances: &[],
            };
            spikes.clear();
            model.advance(&input, clock, &mut spikes);
            for spike in &spikes {
                if spike.time_ms > fi.transient_ms {
                    trains[spike.neuron as usize].push(spike.time_ms);
                }
            }
        }
        let lif = neuron.lif_parameters();
        let window_s = (steps as f64 * dt_ms - fi.transient_ms) / 1000.0;
        let points = fi
            .currents
            .iter()
            .zip(trains.chunks(per_current))
            .map(|(&current, trains)| {
                let spike_count: usize = trains.iter().map(Vec::len).sum();
                let (rate_hz, theory_rate_hz) = match fi.noise {
                    None => (
                        steady_rate_hz(&trains[0]),
                        lif.map(|p| p.stationary_rate_hz(current)),
                    ),
                    Some(noise) => (
                        spike_count as f64 / (per_current as f64 * window_s),
                        lif.map(|p| {
                            let sigma_mv = p.membrane_resistance
                                * noise.std
                                * (noise.time_scale_ms / p.membrane_time_constant).sqrt();
                            crate::theory::siegert::stationary_rate_hz(
                                p.resting_potential + p.membrane_resistance * current,
                                sigma_mv,
                                &p,
                            )
                        }),
                    ),
                };
                FiPoint {
                    current,
                    rate_hz,
                    spike_count: spike_count as u64,
                    theory_rate_hz,
                }
            })
            .collect();
        curves.push(FiCurve {
            label,
            parameter_value: *value,
            points,
        });
        on_curve(index + 1, values.len());
    }
    Ok(FiResult {
        current_dimension: population.neuron.input_dimension(),
        curves,
    })
}

/// 1/(mean ISI) in Hz of sorted spike times (ms); 0 with fewer than two spikes.
pub fn steady_rate_hz(times_ms: &[f64]) -> f64 {
    match times_ms {
        [first, .., last] if last > first => 1000.0 * (times_ms.len() - 1) as f64 / (last - first),
        _ => 0.0,
    }
}

/// The smallest current of a curve from which on every larger current fires repetitively
/// (rate > 0), or `None` if the largest does not.
pub fn repetitive_firing_onset(curve: &FiCurve) -> Option<f64> {
    let last_silent = curve.points.iter().rposition(|p| p.rate_hz == 0.0);
    match last_silent {
        None => curve.points.first().map(|p| p.current),
        Some(index) => curve.points.get(index + 1).map(|p| p.current),
    }
}

#[cfg(test)]
mod tests;

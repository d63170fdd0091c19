//! Parameters that differ between the neurons of a population.
//!
//! Any parameter of the spiking models `lif`, `eif`, `qif` and `hh`, and the initial
//! potential, may be given per neuron instead of once:
//!
//! ```toml
//! theta = { distribution = "normal", mean = "20 mV", std = "1 mV" }
//! tau_m = { distribution = "lognormal", mean = "20 ms", std = "4 ms" }
//! E_L = { file = "rest.npy" }          # one value per neuron, in the working unit (mV)
//! t_ref = { file = "t_ref.csv" }       # one column; header t_ref_ms, "t_ref [s]" or none
//! ```
//!
//! Distributions are those of [`crate::distribution`]; their support must satisfy the
//! parameter's constraint (a normal time constant could be negative: a lognormal or a
//! clipped normal cannot). Files are read by [`values_file`](super::values_file). The
//! population's parameter set holds the mean of each varying parameter (what `eta`, the
//! cross-checks at reading and [`crate::neuron::lif::Lif::parameters`] see); each neuron's
//! own values are drawn or taken when its part of the population is built, and checked
//! there against the model's cross-parameter constraints (reset below threshold, ...),
//! with an error naming the neuron.
//!
//! **Streams.** Neuron n draws parameter p of population q from its own stream, keyed by
//! (seed, q, p's place in the model's parameter list, n): the values depend neither on the
//! number of threads nor on which other parameters vary. The initial potential keeps the
//! stream (seed, q, n) it has always had, so existing models draw what they drew before.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::values_file::read_values;
use super::{NeuronSpec, PopulationSpec, resolve};
use crate::distribution::Distribution;
use crate::neuron::NeuronModel;
use crate::neuron::hh::{HhParameters, HodgkinHuxley};
use crate::neuron::lif::{Lif, LifParameters};
use crate::neuron::nonlinear_if::{NonlinearIf, NonlinearIfParameters};
use crate::parameters::{Constraint, ParameterDef, ParameterProblem, ParameterSet};
use crate::rng::{Purpose, stream};
use crate::spec::error::SpecError;
use crate::spec::reader::{Located, TableReader, read_distribution};

/// Where the per-neuron values of a parameter come from.
#[derive(Clone, Debug, PartialEq)]
pub enum PerNeuronValues {
    /// Drawn for each neuron from its own stream.
    Drawn(Distribution),
    /// One per neuron, read from a file (working units).
    Listed(Arc<[f64]>),
}

/// A parameter whose value differs between the neurons of a population.
#[derive(Clone, Debug, PartialEq)]
pub struct VaryingParameter {
    /// The parameter's name as the model declares it (`threshold`, `initial_potential`).
    pub name: &'static str,
    /// Its place in the model's parameter list, which keys its streams.
    pub index: usize,
    /// Its values.
    pub values: PerNeuronValues,
}

/// The first stream group of heterogeneous parameters: above the groups of initial
/// potentials (population numbers) and of initial conductances (2⁴⁰ + projection number).
const PARAMETER_GROUPS: u64 = 1 << 48;

impl VaryingParameter {
    /// The values of neurons `neurons` of population number `population` under `seed`.
    pub fn values(&self, seed: u64, population: usize, neurons: Range<usize>) -> Vec<f64> {
        match &self.values {
            PerNeuronValues::Listed(values) => values[neurons].to_vec(),
            PerNeuronValues::Drawn(distribution) => {
                let group = if self.name == "initial_potential" {
                    population as u64
                } else {
                    PARAMETER_GROUPS + ((self.index as u64) << 32) + population as u64
                };
                neurons
                    .map(|neuron| {
                        let mut rng = stream(seed, Purpose::Initialisation, group, neuron as u64);
                        distribution.sample(&mut rng)
                    })
                    .collect()
            }
        }
    }

    /// Whether this is a model parameter rather than the initial condition.
    pub fn is_parameter(&self) -> bool {
        self.name != "initial_potential"
    }
}

/// Reads the table `{ distribution = ..., ... }` or `{ file = "..." }` given for
/// `definition` (number `index` of its model's list) in a population of `size` neurons:
/// the varying parameter, and the value the population's parameter set holds (the mean)
/// with the table's span.
pub(super) fn read_per_neuron(
    base_directory: &Path,
    size: usize,
    definition: &'static ParameterDef,
    index: usize,
    mut reader: TableReader,
) -> Result<(VaryingParameter, Located<f64>), SpecError> {
    let keys = reader.keys();
    let (has_file, has_distribution) = (keys.contains(&"file"), keys.contains(&"distribution"));
    if has_file && has_distribution {
        return Err(reader
            .error_here("give either `distribution` or `file`, not both")
            .expected("{ distribution = \"...\", ... } or { file = \"values.npy\" }"));
    }
    let span = reader.span();
    let (values, mean) = if has_file {
        let file = reader.required_string("file", "\"values.npy\"")?;
        let (source, key) = (reader.source(), reader.key_path("file"));
        // Unknown keys first: they are cheaper to report than a large file is to read.
        reader.finish()?;
        let values = read_values(&resolve(base_directory, &file.value), definition, size).map_err(
            |error| {
                SpecError::new(source, file.span.clone(), error.to_string())
                    .with_key(key)
                    .found(format!("\"{}\"", file.value))
            },
        )?;
        // Each value satisfies the (convex) constraint, so their mean does too.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        (PerNeuronValues::Listed(values.into()), mean)
    } else if has_distribution {
        let (source, path) = (reader.source(), reader.path().to_string());
        let distribution = read_distribution(reader, definition.dimension)?;
        if let Some((message, hint)) = unsupported(definition, &distribution.value) {
            return Err(SpecError::new(source, distribution.span, message)
                .with_key(path)
                .expected(format!(
                    "values {} for {}",
                    definition.constraint.describe(),
                    definition.name
                ))
                .with_hint(hint));
        }
        (
            PerNeuronValues::Drawn(distribution.value),
            distribution.value.mean(),
        )
    } else {
        return Err(reader
            .error_here("a value per neuron needs a `distribution` or a `file`")
            .expected(format!(
                "{{ distribution = \"normal\", mean = ..., std = ... }} or {{ file = \"{}.npy\" }}",
                definition.name
            )));
    };
    Ok((
        VaryingParameter {
            name: definition.name,
            index,
            values,
        },
        Located { value: mean, span },
    ))
}

/// Why a distribution may draw values the parameter does not admit (with a hint), or
/// `None` if every value it can draw is admitted.
fn unsupported(definition: &ParameterDef, distribution: &Distribution) -> Option<(String, String)> {
    let (low, _) = distribution.support();
    let (admitted, bound) = match definition.constraint {
        Constraint::Finite => return None,
        // A lognormal never draws 0 itself; a uniform may draw its lower bound.
        Constraint::Positive => (
            matches!(distribution, Distribution::LogNormal { .. }) || low > 0.0,
            "low > 0",
        ),
        Constraint::NonNegative => (low >= 0.0, "low >= 0"),
    };
    if admitted {
        return None;
    }
    let reach = if low == f64::NEG_INFINITY {
        "a normal distribution draws values of any sign".to_string()
    } else {
        format!("this distribution draws values down to {low}")
    };
    Some((
        format!(
            "{reach}, but {} must be {}",
            definition.name,
            definition.constraint.describe()
        ),
        format!(
            "draw from distribution = \"lognormal\" (mean, std), or a clipped_normal or uniform with {bound}"
        ),
    ))
}

impl PopulationSpec {
    /// Whether some model parameter (not only the initial potential) differs between
    /// neurons.
    pub fn has_varying_parameters(&self) -> bool {
        self.varying.iter().any(VaryingParameter::is_parameter)
    }

    /// Builds neurons `neurons` of this population (number `population` in the file) for
    /// steps of `dt_ms`, each with its own values of the varying parameters under `seed`.
    /// Without varying parameters this is [`NeuronSpec::build`] with the initial potentials
    /// set, and runs the homogeneous loops.
    ///
    /// # Errors
    /// A neuron whose values break a cross-parameter constraint of the model (reset below
    /// threshold, a refractory period of whole steps, ...), named in the message.
    pub fn build(
        &self,
        population: usize,
        neurons: Range<usize>,
        seed: u64,
        dt_ms: f64,
    ) -> Result<NeuronModel, ParameterProblem> {
        let values: Vec<Vec<f64>> = self
            .varying
            .iter()
            .map(|parameter| parameter.values(seed, population, neurons.clone()))
            .collect();
        if let NeuronSpec::SpikeTimes { times, .. } = &self.neuron {
            // A part emits the times of its own neurons.
            return Ok(NeuronModel::SpikeTimes(
                crate::neuron::spike_times::SpikeTimes::new(&times[neurons], dt_ms),
            ));
        }
        if !self.has_varying_parameters() {
            let mut model = self.neuron.build(neurons.len(), dt_ms)?;
            if let Some(potentials) = values.first() {
                model.set_membrane_potential(potentials);
            }
            return Ok(model);
        }
        let first = neurons.start;
        let each = PerNeuron {
            varying: &self.varying,
            values: &values,
            first,
            size: neurons.len(),
        };
        let at = |(neuron, problem): (usize, ParameterProblem)| in_neuron(first + neuron, problem);
        Ok(match &self.neuron {
            NeuronSpec::Lif { parameters, timing } => NeuronModel::Lif(
                Lif::with_neurons(
                    LifParameters::from_set(parameters)?,
                    &each.typed(parameters, LifParameters::from_set)?,
                    *timing,
                    dt_ms,
                )
                .map_err(at)?,
            ),
            NeuronSpec::Eif(parameters) => NeuronModel::NonlinearIf(
                NonlinearIf::with_neurons(
                    NonlinearIfParameters::exponential(parameters)?,
                    &each.typed(parameters, NonlinearIfParameters::exponential)?,
                    dt_ms,
                )
                .map_err(at)?,
            ),
            NeuronSpec::Qif(parameters) => NeuronModel::NonlinearIf(
                NonlinearIf::with_neurons(
                    NonlinearIfParameters::quadratic(parameters)?,
                    &each.typed(parameters, NonlinearIfParameters::quadratic)?,
                    dt_ms,
                )
                .map_err(at)?,
            ),
            NeuronSpec::HodgkinHuxley(parameters) => {
                NeuronModel::HodgkinHuxley(HodgkinHuxley::with_neurons(
                    HhParameters::from_set(parameters)?,
                    &each.typed(parameters, HhParameters::from_set)?,
                ))
            }
            // The reader lets no parameter of these vary.
            // The binary simulator reads the varying values itself.
            NeuronSpec::Rate { .. }
            | NeuronSpec::PoissonSource { .. }
            | NeuronSpec::SpikeTimes { .. }
            | NeuronSpec::Binary { .. } => self.neuron.build(neurons.len(), dt_ms)?,
        })
    }

    /// Bytes per neuron for the memory estimate: the model's state, and each neuron's own
    /// parameters and derived constants where some vary.
    pub fn bytes_per_neuron(&self) -> usize {
        let own = if !self.has_varying_parameters() {
            0
        } else {
            match self.neuron {
                // Parameters, decay, current gain and refractory steps.
                NeuronSpec::Lif { .. } => size_of::<LifParameters>() + 20,
                NeuronSpec::Eif(_) | NeuronSpec::Qif(_) => size_of::<NonlinearIfParameters>() + 4,
                // Parameters and temperature factor.
                NeuronSpec::HodgkinHuxley(_) => size_of::<HhParameters>() + 8,
                NeuronSpec::Rate { .. }
                | NeuronSpec::PoissonSource { .. }
                | NeuronSpec::SpikeTimes { .. } => 0,
                // The threshold, temperature and initial probability of each neuron.
                NeuronSpec::Binary { .. } => 24,
            }
        };
        self.neuron.bytes_per_neuron() + own
    }
}

/// A problem of neuron `neuron`, so named.
fn in_neuron(neuron: usize, problem: ParameterProblem) -> ParameterProblem {
    ParameterProblem {
        parameter: problem.parameter,
        message: format!("neuron {neuron}: {}", problem.message),
    }
}

/// The varying parameters of the neurons of a part, to be set in the population's
/// parameter set neuron by neuron.
struct PerNeuron<'a> {
    varying: &'a [VaryingParameter],
    /// Per varying parameter, the values of the part's neurons.
    values: &'a [Vec<f64>],
    /// The population number of the part's first neuron.
    first: usize,
    size: usize,
}

impl PerNeuron<'_> {
    /// Each neuron's parameter set — `base` with the neuron's values — read by `typed` (the
    /// model's own reader and cross-checks), so that derived defaults (V_init = E_L,
    /// ΔV = V_c − E_L) follow the neuron's values.
    fn typed<T>(
        &self,
        base: &ParameterSet,
        typed: impl Fn(&ParameterSet) -> Result<T, ParameterProblem>,
    ) -> Result<Vec<T>, ParameterProblem> {
        let mut set = base.clone();
        (0..self.size)
            .map(|neuron| {
                let at = |problem| in_neuron(self.first + neuron, problem);
                for (parameter, values) in self.varying.iter().zip(self.values) {
                    set.set(parameter.name, values[neuron], None).map_err(at)?;
                }
                typed(&set).map_err(at)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;

//! The description of a rate model: populations (a single rate, or a neural field on a ring
//! or a torus) and the couplings between them, checked when built.
//!
//! ```text
//! τ_i ∂r_i(x, t)/∂t = −r_i(x, t) + Φ_i( I_i(x, t) + Σ_j (J_ij ⋆ r_j)(x, t − D_ij) )
//! ```
//! - For two single-rate populations, J_ij ⋆ r_j is the product J_ij·r_j (a weight).
//! - For two fields of the same geometry it is the convolution with a kernel of the distance
//!   on the ring or torus, normalised as the *mean* over the field:
//!   (J ⋆ r)(x) = (1/|Ω|) ∫_Ω J(|x − y|) r(y) dy, discretised as (1/N) Σ_y J(|x − y|) r(y).
//!   With this convention the ring model of Ben-Yishai, Bar-Or & Sompolinsky (1995), PNAS
//!   92:3844, τ dm/dt = −m + [h(θ) + ∫ dθ'/π (−J0 + J2 cos 2(θ − θ')) m(θ')]₊ on θ ∈ [−90°,
//!   90°), is the cosine kernel with `mean` = −J0 and `modulation` = J2 on a ring of length
//!   180 (degrees).
//! - A field's self-coupling is a coupling from the field to itself.
//! - Couplings between a single rate and a field are not part of the model.
//!
//! Positions on a ring of length L are x_k = k·L/N, k = 0..N (the same on each side of a
//! torus). Distances are the shortest way round: |x − y| = min(|x − y| mod L, L − |x − y| mod L),
//! and on a torus the Euclidean norm of the two shortest componentwise distances.

use crate::dynamics::{DynamicsError, RateNetwork};
use crate::neuron::rate::TransferFunction;

/// Where a population lives.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// One rate r(t): a population described by its mean rate.
    Single,
    /// A field r(x, t) on a ring of `length` (in the model's unit of space, e.g. degrees of
    /// orientation or µm of cortex) sampled at `points` equally spaced positions.
    Ring {
        /// N, at least 2.
        points: usize,
        /// L > 0.
        length: f64,
    },
    /// A field r(x, y, t) on a torus `lengths` = (L_x, L_y) sampled on a `points` = (N_x, N_y)
    /// grid; the point (i, j) is stored at index i·N_y + j.
    Torus {
        /// (N_x, N_y), each at least 2.
        points: (usize, usize),
        /// (L_x, L_y), each > 0.
        lengths: (f64, f64),
    },
}

impl Geometry {
    /// The number of rate variables: 1, N or N_x·N_y.
    pub fn size(&self) -> usize {
        match *self {
            Geometry::Single => 1,
            Geometry::Ring { points, .. } => points,
            Geometry::Torus { points, .. } => points.0 * points.1,
        }
    }
}

/// A coupling kernel J(d) of the distance d ≥ 0 on a ring or torus.
#[derive(Clone, Debug, PartialEq)]
pub enum Kernel {
    /// J(d) = mean + modulation·cos(2π d/L) on a ring of length L (on a torus,
    /// mean + modulation·(cos(2π d_x/L_x) + cos(2π d_y/L_y))/2). Its mean over the field is
    /// `mean` and its first Fourier mode `modulation`/2.
    Cosine {
        /// J_0 (negative: uniform inhibition).
        mean: f64,
        /// J_1.
        modulation: f64,
    },
    /// J(d) = amplitude·e^(−d²/(2σ²)).
    Gaussian {
        /// Peak value.
        amplitude: f64,
        /// σ > 0, in the unit of space.
        width: f64,
    },
    /// Mexican hat: J(d) = excitation·e^(−d²/(2σ_e²)) − inhibition·e^(−d²/(2σ_i²)).
    DifferenceOfGaussians {
        /// Peak of the excitatory Gaussian (≥ 0).
        excitation: f64,
        /// σ_e > 0.
        excitation_width: f64,
        /// Peak of the inhibitory Gaussian (≥ 0).
        inhibition: f64,
        /// σ_i > 0.
        inhibition_width: f64,
    },
    /// J at the distances of the grid: `values[k]` is J for the displacement of k points
    /// (k = 0..N on a ring; for a torus, N_x·N_y values indexed like the field, giving J for
    /// the displacement (i, j)). Read from a file.
    Sampled {
        /// One value per displacement.
        values: Vec<f64>,
    },
}

impl Kernel {
    /// J for every displacement of the grid of `geometry` (a ring or a torus): entry k of a
    /// ring is J at the displacement of k points, distance min(k, N − k)·L/N; entry i·N_y + j
    /// of a torus is J at the displacement (i, j) points. The coupling of a field is then
    /// (J ⋆ r)_x = (1/N) Σ_y values[(x − y) mod N] r_y, a circular convolution.
    ///
    /// For a single population (no grid) the result has one entry, J(0).
    pub fn values_on(&self, geometry: &Geometry) -> Vec<f64> {
        if let Kernel::Sampled { values } = self {
            return values.clone();
        }
        let shortest = |k: usize, points: usize, length: f64| {
            k.min(points - k) as f64 * length / points as f64
        };
        match *geometry {
            Geometry::Single => vec![self.at(0.0, None, (1.0, 1.0))],
            Geometry::Ring { points, length } => (0..points)
                .map(|k| self.at(shortest(k, points, length), None, (length, 1.0)))
                .collect(),
            Geometry::Torus { points, lengths } => (0..points.0)
                .flat_map(|i| {
                    (0..points.1).map(move |j| {
                        let dx = shortest(i, points.0, lengths.0);
                        let dy = shortest(j, points.1, lengths.1);
                        (dx, dy)
                    })
                })
                .map(|(dx, dy)| self.at(dx, Some(dy), lengths))
                .collect(),
        }
    }

    /// J at the shortest componentwise distances dx on a ring (`dy` None, L_y unused) or
    /// (dx, dy) on a torus of `lengths`.
    fn at(&self, dx: f64, dy: Option<f64>, lengths: (f64, f64)) -> f64 {
        let squared = dx * dx + dy.map_or(0.0, |dy| dy * dy);
        let gaussian = |width: f64| (-squared / (2.0 * width * width)).exp();
        match *self {
            Kernel::Cosine { mean, modulation } => {
                let ring = (2.0 * std::f64::consts::PI * dx / lengths.0).cos();
                match dy {
                    None => mean + modulation * ring,
                    Some(dy) => {
                        let other = (2.0 * std::f64::consts::PI * dy / lengths.1).cos();
                        mean + modulation * (ring + other) / 2.0
                    }
                }
            }
            Kernel::Gaussian { amplitude, width } => amplitude * gaussian(width),
            Kernel::DifferenceOfGaussians {
                excitation,
                excitation_width,
                inhibition,
                inhibition_width,
            } => excitation * gaussian(excitation_width) - inhibition * gaussian(inhibition_width),
            Kernel::Sampled { ref values } => values[0],
        }
    }
}

/// What a coupling carries from its source to its target.
#[derive(Clone, Debug, PartialEq)]
pub enum CouplingStrength {
    /// J_ij between two single rates.
    Weight(f64),
    /// A kernel between two fields of the same geometry.
    Kernel(Kernel),
}

/// One population of a rate model.
#[derive(Clone, Debug, PartialEq)]
pub struct RatePopulation {
    /// Its name in the model file.
    pub name: String,
    /// τ (ms), > 0.
    pub time_constant_ms: f64,
    /// Φ.
    pub transfer: TransferFunction,
    /// The constant external input I (Φ's input unit), part of the model: the input at which
    /// fixed points are computed.
    pub input: f64,
    /// r at t = 0, and the constant history r(t) for t < 0 (Φ's output unit).
    pub initial_rate: f64,
    /// Single, ring or torus.
    pub geometry: Geometry,
}

/// A coupling from population `source` onto population `target` (indices into
/// [`RateModel::populations`]), with a transmission delay.
#[derive(Clone, Debug, PartialEq)]
pub struct RateCoupling {
    /// Index of the presynaptic population.
    pub source: usize,
    /// Index of the postsynaptic population.
    pub target: usize,
    /// Weight or kernel.
    pub strength: CouplingStrength,
    /// D ≥ 0 (ms).
    pub delay_ms: f64,
}

/// Why a rate model was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum RateError {
    /// A rule of the model is broken; the message names the population or coupling.
    #[error("{0}")]
    Invalid(String),
    /// The model has fields, which the analysis of single rates cannot take.
    #[error("population `{0}` is a field; this analysis needs single-rate populations")]
    Field(String),
    /// From the analysis of the equivalent network.
    #[error(transparent)]
    Dynamics(#[from] DynamicsError),
}

/// A checked rate model.
#[derive(Clone, Debug, PartialEq)]
pub struct RateModel {
    populations: Vec<RatePopulation>,
    couplings: Vec<RateCoupling>,
}

impl RateModel {
    /// Checks and builds a model: at least one population, unique names, positive time
    /// constants, valid geometries and kernels, couplings between existing populations of
    /// matching kinds (weight between single rates, kernel between fields of the same
    /// geometry; a sampled kernel with one value per point), at most one coupling per
    /// (source, target), finite non-negative delays.
    pub fn new(
        populations: Vec<RatePopulation>,
        couplings: Vec<RateCoupling>,
    ) -> Result<RateModel, RateError> {
        let invalid = |message: String| Err(RateError::Invalid(message));
        if populations.is_empty() {
            return invalid("a rate model needs at least one population".into());
        }
        for (index, population) in populations.iter().enumerate() {
            let name = &population.name;
            if populations[..index].iter().any(|p| &p.name == name) {
                return invalid(format!("population `{name}` is declared twice"));
            }
            if !(population.time_constant_ms.is_finite() && population.time_constant_ms > 0.0) {
                return invalid(format!(
                    "population `{name}`: the time constant is {} ms; it must be positive",
                    population.time_constant_ms
                ));
            }
            for (what, value) in [
                ("input", population.input),
                ("initial rate", population.initial_rate),
            ] {
                if !value.is_finite() {
                    return invalid(format!("population `{name}`: the {what} is {value}"));
                }
            }
            match population.geometry {
                Geometry::Single => {}
                Geometry::Ring { points, length } => {
                    if points < 2 || !(length.is_finite() && length > 0.0) {
                        return invalid(format!(
                            "population `{name}`: a ring needs at least 2 points and a \
                             positive length (found {points} points, length {length})"
                        ));
                    }
                }
                Geometry::Torus { points, lengths } => {
                    if points.0 < 2
                        || points.1 < 2
                        || !(lengths.0.is_finite() && lengths.0 > 0.0)
                        || !(lengths.1.is_finite() && lengths.1 > 0.0)
                    {
                        return invalid(format!(
                            "population `{name}`: a torus needs at least 2 points and a \
                             positive length on each side (found {points:?} points, lengths \
                             {lengths:?})"
                        ));
                    }
                }
            }
        }
        for (index, coupling) in couplings.iter().enumerate() {
            let n = populations.len();
            if coupling.source >= n || coupling.target >= n {
                return invalid(format!(
                    "coupling {index} joins population {} to {}, but there are {n}",
                    coupling.source, coupling.target
                ));
            }
            let source = &populations[coupling.source];
            let target = &populations[coupling.target];
            let what = format!("the coupling from `{}` onto `{}`", source.name, target.name);
            if couplings[..index]
                .iter()
                .any(|c| c.source == coupling.source && c.target == coupling.target)
            {
                return invalid(format!("{what} is declared twice"));
            }
            if !(coupling.delay_ms.is_finite() && coupling.delay_ms >= 0.0) {
                return invalid(format!(
                    "{what}: the delay is {} ms; it must be finite and >= 0",
                    coupling.delay_ms
                ));
            }
            match (&coupling.strength, &source.geometry, &target.geometry) {
                (CouplingStrength::Weight(weight), Geometry::Single, Geometry::Single) => {
                    if !weight.is_finite() {
                        return invalid(format!("{what}: the weight is {weight}"));
                    }
                }
                (CouplingStrength::Weight(_), _, _) => {
                    return invalid(format!(
                        "{what}: a weight joins two single-rate populations; between fields \
                         give a kernel"
                    ));
                }
                (CouplingStrength::Kernel(kernel), from, onto) => {
                    if matches!(from, Geometry::Single) || from != onto {
                        return invalid(format!(
                            "{what}: a kernel joins two fields of the same geometry"
                        ));
                    }
                    check_kernel(kernel, from)
                        .map_err(|m| RateError::Invalid(format!("{what}: {m}")))?;
                }
            }
        }
        Ok(RateModel {
            populations,
            couplings,
        })
    }

    /// The populations, in file order.
    pub fn populations(&self) -> &[RatePopulation] {
        &self.populations
    }

    /// The couplings.
    pub fn couplings(&self) -> &[RateCoupling] {
        &self.couplings
    }

    /// The index of the population called `name`.
    pub fn population_index(&self, name: &str) -> Option<usize> {
        self.populations.iter().position(|p| p.name == name)
    }

    /// Whether any population is a field.
    pub fn has_fields(&self) -> bool {
        self.populations
            .iter()
            .any(|p| !matches!(p.geometry, Geometry::Single))
    }

    /// The same model as a [`RateNetwork`] for the analysis of fixed points and stability
    /// (populations in order, J and D from the couplings, I from the populations' inputs).
    ///
    /// # Errors
    /// [`RateError::Field`] if a population is a field.
    pub fn network(&self) -> Result<RateNetwork, RateError> {
        if let Some(field) = self
            .populations
            .iter()
            .find(|p| !matches!(p.geometry, Geometry::Single))
        {
            return Err(RateError::Field(field.name.clone()));
        }
        let n = self.populations.len();
        let mut coupling = vec![vec![0.0; n]; n];
        let mut delays = vec![vec![0.0; n]; n];
        for c in &self.couplings {
            if let CouplingStrength::Weight(weight) = c.strength {
                coupling[c.target][c.source] = weight;
                delays[c.target][c.source] = c.delay_ms;
            }
        }
        let network = RateNetwork::new(
            self.populations
                .iter()
                .map(|p| p.time_constant_ms)
                .collect(),
            coupling,
            self.populations.iter().map(|p| p.input).collect(),
            self.populations.iter().map(|p| p.transfer).collect(),
        )?
        .with_delays(delays)?;
        Ok(network)
    }
}

fn check_kernel(kernel: &Kernel, geometry: &Geometry) -> Result<(), String> {
    let finite = |name: &str, value: f64| {
        if value.is_finite() {
            Ok(())
        } else {
            Err(format!("the kernel's {name} is {value}"))
        }
    };
    let positive = |name: &str, value: f64| {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(format!(
                "the kernel's {name} is {value}; it must be positive"
            ))
        }
    };
    match *kernel {
        Kernel::Cosine { mean, modulation } => {
            finite("mean", mean)?;
            finite("modulation", modulation)
        }
        Kernel::Gaussian { amplitude, width } => {
            finite("amplitude", amplitude)?;
            positive("width", width)
        }
        Kernel::DifferenceOfGaussians {
            excitation,
            excitation_width,
            inhibition,
            inhibition_width,
        } => {
            finite("excitation", excitation)?;
            finite("inhibition", inhibition)?;
            positive("excitation width", excitation_width)?;
            positive("inhibition width", inhibition_width)
        }
        Kernel::Sampled { ref values } => {
            if values.len() != geometry.size() {
                return Err(format!(
                    "a sampled kernel needs one value per point of the field ({}), found {}",
                    geometry.size(),
                    values.len()
                ));
            }
            match values.iter().position(|v| !v.is_finite()) {
                Some(k) => Err(format!("value {k} of the sampled kernel is {}", values[k])),
                None => Ok(()),
            }
        }
    }
}

//! The balanced state of binary E–I networks (van Vreeswijk & Sompolinsky 1996, Science
//! 274:1724; 1998, Neural Comput. 10:1321): the population rates at large K, their finite-K
//! mean-field values, and the distribution of single-neuron rates.
//!
//! Population k receives from population l on average K_kl synapses (in-degree variance
//! V_kl) of weights with mean J_kl and second moment ⟨J²⟩_kl, and a constant external field
//! I_k; its neurons (states 0/1) have thresholds T. With m_l the mean activity of population l:
//!
//! **Balance equations.** With couplings J ∝ 1/√K and inputs I ∝ √K, the mean field
//! μ_k = Σ_l K_kl J_kl m_l + I_k is of order √K unless excitation and inhibition cancel to
//! leading order; as K → ∞ the rates must solve the linear system
//!   Σ_l K_kl J_kl m_l + I_k = 0.
//! Balance fails when the system is singular or its solution lies outside (0, 1).
//!
//! **Finite-K mean field.** The field of a neuron of population k is a sum of many weakly
//! correlated inputs: Gaussian over neurons and time with mean μ_k and variance
//!   σ_k² = Σ_l [K_kl (⟨J²⟩_kl m_l − J_kl² m_l²) + V_kl J_kl² m_l²],
//! the variance of a sum of a random number n (mean K, variance V) of terms J·S with S
//! active with probability m. For fixed in-degree and one weight this is Σ K J² m(1−m); for
//! Bernoulli connectivity with p = K/N_l it is Σ K J² m(1 − p·m), VS's Σ K J² m for K ≪ N.
//! The fraction of active neurons is then
//!   m_k = ⟨H((T − μ_k)/σ_k)⟩_T,   H(x) = ½ erfc(x/√2),
//! averaged over the thresholds of the population's neurons; it is solved self-consistently by
//! Newton's method from the balance solution. It differs from the balance solution at order
//! 1/√K.
//!
//! **Rate distribution.** A neuron's time-averaged field differs from μ_k by a quenched
//! Gaussian part of variance β_k = Σ_l [K_kl (⟨J²⟩ q_l − J² m_l²) + V_kl J² m_l²], q_l = ⟨m_i²⟩
//! the mean squared single-neuron rate; the rest, α_k − β_k = Σ_l K_kl ⟨J²⟩ (m_l − q_l), varies
//! in time. Neuron i's rate is m_i = H((T_i − μ_k − √β_k x_i)/√(α_k − β_k)) with x_i a standard
//! normal (VS 1998, eq. 4.10–4.12); q solves q_k = ⟨m_i²⟩ self-consistently (by iteration, at
//! the mean-field rates). The density of m_i is sampled on a fine grid of x and the thresholds.

use nalgebra::{DMatrix, DVector};

use crate::connect::Rule;
use crate::distribution::Distribution;
use crate::input::InputKind;
use crate::neuron::binary::States;
use crate::spec::model::{ModelSpec, NeuronSpec};

/// The numbers the theory needs of a binary network.
#[derive(Clone, Debug, PartialEq)]
pub struct BalanceModel {
    /// Population names.
    pub names: Vec<String>,
    /// K_kl: mean number of inputs a neuron of k receives from l.
    pub in_degree: Vec<Vec<f64>>,
    /// V_kl: variance of that number over the neurons of k.
    pub in_degree_variance: Vec<Vec<f64>>,
    /// J_kl: the mean weight (0 where there is no projection).
    pub weight: Vec<Vec<f64>>,
    /// ⟨J²⟩_kl: the mean squared weight.
    pub weight_square: Vec<Vec<f64>>,
    /// I_k: the mean constant external field.
    pub input: Vec<f64>,
    /// Thresholds of (a sample of) each population's neurons.
    pub thresholds: Vec<Vec<f64>>,
}

/// Why the balance equations have no admissible solution.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BalanceFailure {
    /// The coupling matrix K·J is singular.
    #[error("the balance equations are singular: excitation and inhibition cannot cancel")]
    Singular,
    /// The solution is not a set of rates.
    #[error("the balance solution {rates:?} lies outside (0, 1): the network cannot balance")]
    OutOfRange {
        /// The solution.
        rates: Vec<f64>,
    },
    /// The network is not one the theory describes.
    #[error(
        "the balance theory covers randomly connected networks of 0/1 neurons, not spin \
         states or couplings learned from patterns"
    )]
    NotCovered,
}

/// Thresholds sampled for averages over a population: at most this many neurons.
const THRESHOLD_SAMPLE: usize = 2000;

impl BalanceModel {
    /// The numbers of a binary network from its checked model; `None` unless every population
    /// is binary with 0/1 states. Thresholds are those of the simulation's neurons (the first
    /// 2000 of a population); constant inputs count with their mean over the
    /// population, step inputs not at all.
    pub fn from_spec(spec: &ModelSpec) -> Option<BalanceModel> {
        let n = spec.populations.len();
        let mut model = BalanceModel {
            names: spec.populations.iter().map(|p| p.name.clone()).collect(),
            in_degree: vec![vec![0.0; n]; n],
            in_degree_variance: vec![vec![0.0; n]; n],
            weight: vec![vec![0.0; n]; n],
            weight_square: vec![vec![0.0; n]; n],
            input: vec![0.0; n],
            thresholds: Vec::with_capacity(n),
        };
        for (index, population) in spec.populations.iter().enumerate() {
            let NeuronSpec::Binary {
                parameters,
                states: States::ZeroOne,
            } = &population.neuron
            else {
                return None;
            };
            let sample = population.size.min(THRESHOLD_SAMPLE);
            model.thresholds.push(
                match population.varying.iter().find(|v| v.name == "threshold") {
                    Some(varying) => varying.values(spec.simulation.seed, index, 0..sample),
                    None => vec![parameters.value("threshold")],
                },
            );
        }
        // Sums over projections between the same pair: K adds; J and ⟨J²⟩ are K-weighted.
        let mut kj = vec![vec![0.0; n]; n];
        let mut kj2 = vec![vec![0.0; n]; n];
        for projection in &spec.projections {
            let (k, l) = (projection.target, projection.source);
            let targets = spec.populations[k].size as f64;
            let degree = projection
                .rule
                .expected_synapses(spec.populations[l].size, spec.populations[k].size)
                / targets;
            let variance = match &projection.rule {
                Rule::AllToAll | Rule::OneToOne | Rule::FixedIndegree { .. } => 0.0,
                Rule::Bernoulli { probability } => degree * (1.0 - probability),
                // Multinomial counts over the targets.
                Rule::FixedTotal { .. } => degree * (1.0 - 1.0 / targets),
                // Each source hits a given target with probability K_out/N_k.
                Rule::FixedOutdegree { outdegree } => degree * (1.0 - *outdegree as f64 / targets),
                // Poisson counts as the nearest general assumption.
                Rule::Distance(_) | Rule::FromList(_) => degree,
                // Couplings learned from patterns are structured, not random: the balance
                // of independent random inputs does not describe them.
                Rule::Patterns(_) => return None,
            };
            let (mean, square) = match &projection.weight_distribution {
                None => (projection.weight, projection.weight * projection.weight),
                Some(distribution) => (distribution.mean(), second_moment(distribution)),
            };
            model.in_degree[k][l] += degree;
            model.in_degree_variance[k][l] += variance;
            kj[k][l] += degree * mean;
            kj2[k][l] += degree * square;
        }
        for k in 0..n {
            for l in 0..n {
                let degree = model.in_degree[k][l];
                if degree > 0.0 {
                    model.weight[k][l] = kj[k][l] / degree;
                    model.weight_square[k][l] = kj2[k][l] / degree;
                }
            }
        }
        for input in &spec.inputs {
            if let InputKind::Constant { amplitude } = input.kind
                && input.start_ms <= 0.0
                && input.stop_ms.is_infinite()
            {
                let size = spec.populations[input.population].size as f64;
                model.input[input.population] += amplitude * input.neurons.len() as f64 / size;
            }
        }
        Some(model)
    }

    /// The solution of the balance equations Σ_l K_kl J_kl m_l + I_k = 0.
    pub fn balance_rates(&self) -> Result<Vec<f64>, BalanceFailure> {
        let n = self.names.len();
        let matrix = DMatrix::from_fn(n, n, |k, l| self.in_degree[k][l] * self.weight[k][l]);
        let right = DVector::from_fn(n, |k, _| -self.input[k]);
        let Some(solution) = matrix.lu().solve(&right) else {
            return Err(BalanceFailure::Singular);
        };
        let rates: Vec<f64> = solution.iter().copied().collect();
        if rates.iter().all(|m| m.is_finite() && *m > 0.0 && *m < 1.0) {
            Ok(rates)
        } else if rates.iter().any(|m| !m.is_finite()) {
            Err(BalanceFailure::Singular)
        } else {
            Err(BalanceFailure::OutOfRange { rates })
        }
    }

    /// μ_k and the total variance α_k of the field at rates `rates`.
    pub fn field_statistics(&self, rates: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.names.len();
        let mut mean = self.input.clone();
        let mut variance = vec![0.0; n];
        for k in 0..n {
            for (l, &m) in rates.iter().enumerate() {
                let (degree, j, j2) = (
                    self.in_degree[k][l],
                    self.weight[k][l],
                    self.weight_square[k][l],
                );
                mean[k] += degree * j * m;
                variance[k] += degree * (j2 * m - j * j * m * m)
                    + self.in_degree_variance[k][l] * j * j * m * m;
            }
        }
        (mean, variance)
    }

    /// The mean-field rates F(m)_k = ⟨H((T − μ_k)/σ_k)⟩_T at rates `rates`.
    pub fn transfer(&self, rates: &[f64]) -> Vec<f64> {
        let (mean, variance) = self.field_statistics(rates);
        (0..self.names.len())
            .map(|k| {
                let sigma = variance[k].max(0.0).sqrt();
                let thresholds = &self.thresholds[k];
                thresholds
                    .iter()
                    .map(|&t| {
                        if sigma == 0.0 {
                            if mean[k] >= t { 1.0 } else { 0.0 }
                        } else {
                            gaussian_tail((t - mean[k]) / sigma)
                        }
                    })
                    .sum::<f64>()
                    / thresholds.len() as f64
            })
            .collect()
    }

    /// The self-consistent finite-K mean-field rates, m = F(m), by Newton's method from
    /// `start` (the balance solution, for instance); `None` if it does not converge.
    pub fn mean_field_rates(&self, start: &[f64]) -> Option<Vec<f64>> {
        let n = self.names.len();
        let residual = |m: &[f64]| -> Vec<f64> {
            let f = self.transfer(m);
            m.iter().zip(&f).map(|(a, b)| a - b).collect()
        };
        let norm = |r: &[f64]| r.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut m: Vec<f64> = start.iter().map(|x| x.clamp(1e-4, 1.0 - 1e-4)).collect();
        let mut r = residual(&m);
        for _ in 0..200 {
            if norm(&r) < 1e-12 {
                return Some(m);
            }
            let h = 1e-7;
            let jacobian = DMatrix::from_fn(n, n, |i, j| {
                let mut shifted = m.clone();
                shifted[j] += h;
                (residual(&shifted)[i] - r[i]) / h
            });
            let step = jacobian.lu().solve(&DVector::from_column_slice(&r))?;
            // Backtracking: halve the step until the residual falls and m stays in (0, 1).
            let mut scale = 1.0;
            let mut accepted = false;
            for _ in 0..40 {
                let trial: Vec<f64> = m
                    .iter()
                    .zip(step.iter())
                    .map(|(a, d)| a - scale * d)
                    .collect();
                if trial.iter().all(|x| *x > 0.0 && *x < 1.0) {
                    let trial_residual = residual(&trial);
                    if norm(&trial_residual) < norm(&r) {
                        m = trial;
                        r = trial_residual;
                        accepted = true;
                        break;
                    }
                }
                scale *= 0.5;
            }
            if !accepted {
                return (norm(&r) < 1e-9).then_some(m);
            }
        }
        (norm(&r) < 1e-9).then_some(m)
    }

    /// The quenched variance β_k at rates `rates` and mean squared rates `squares`.
    fn quenched_variance(&self, rates: &[f64], squares: &[f64]) -> Vec<f64> {
        (0..self.names.len())
            .map(|k| {
                (0..rates.len())
                    .map(|l| {
                        let (degree, j, j2) = (
                            self.in_degree[k][l],
                            self.weight[k][l],
                            self.weight_square[k][l],
                        );
                        let m = rates[l];
                        degree * (j2 * squares[l] - j * j * m * m)
                            + self.in_degree_variance[k][l] * j * j * m * m
                    })
                    .sum::<f64>()
                    .max(0.0)
            })
            .collect()
    }

    /// The single-neuron rates m_i = H((T − μ − √β x)/√(α − β)) of population `k` on a grid
    /// of x (Gauss weights) and the thresholds: (rate, weight) pairs whose weights sum to 1.
    fn rate_samples(&self, k: usize, mean: f64, total: f64, quenched: f64) -> Vec<(f64, f64)> {
        const POINTS: usize = 801;
        let temporal = (total - quenched).max(1e-300).sqrt();
        let spread = quenched.sqrt();
        let thresholds = &self.thresholds[k];
        let mut samples = Vec::with_capacity(POINTS * thresholds.len());
        let mut total_weight = 0.0;
        for i in 0..POINTS {
            let x = -8.0 + 16.0 * i as f64 / (POINTS - 1) as f64;
            let weight = (-0.5 * x * x).exp();
            for &t in thresholds {
                samples.push((gaussian_tail((t - mean - spread * x) / temporal), weight));
                total_weight += weight;
            }
        }
        samples.iter_mut().for_each(|s| s.1 /= total_weight);
        samples
    }

    /// The mean squared single-neuron rates q_k at the rates `rates`, self-consistent (by
    /// iteration from q = (m² + m)/2).
    pub fn mean_square_rates(&self, rates: &[f64]) -> Vec<f64> {
        let (mean, total) = self.field_statistics(rates);
        // q = m² (no quenched spread) and q = m (no temporal spread: rates 0 or 1) both
        // solve the equation trivially; the iteration starts between them.
        let mut squares: Vec<f64> = rates.iter().map(|m| 0.5 * (m * m + m)).collect();
        for _ in 0..200 {
            let quenched = self.quenched_variance(rates, &squares);
            let next: Vec<f64> = (0..rates.len())
                .map(|k| {
                    self.rate_samples(k, mean[k], total[k], quenched[k].min(total[k]))
                        .iter()
                        .map(|(r, w)| r * r * w)
                        .sum()
                })
                .collect();
            let change = next
                .iter()
                .zip(&squares)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            squares = next;
            if change < 1e-10 {
                break;
            }
        }
        squares
    }

    /// The density of single-neuron rates of population `k` at the rates `rates`, on `bins`
    /// equal bins of [0, 1] (integrating to 1).
    pub fn rate_density(&self, rates: &[f64], k: usize, bins: usize) -> Vec<f64> {
        let (mean, total) = self.field_statistics(rates);
        let squares = self.mean_square_rates(rates);
        let quenched = self.quenched_variance(rates, &squares)[k].min(total[k]);
        let mut density = vec![0.0; bins];
        for (rate, weight) in self.rate_samples(k, mean[k], total[k], quenched) {
            let bin = ((rate * bins as f64) as usize).min(bins - 1);
            density[bin] += weight * bins as f64;
        }
        density
    }
}

/// ⟨J²⟩ of a weight distribution (for a clipped normal, that of the untruncated normal).
fn second_moment(distribution: &Distribution) -> f64 {
    match *distribution {
        Distribution::Uniform { low, high } => (low * low + low * high + high * high) / 3.0,
        Distribution::Normal { mean, std }
        | Distribution::LogNormal { mean, std }
        | Distribution::ClippedNormal { mean, std, .. } => mean * mean + std * std,
    }
}

/// H(x) = P(Z > x) for a standard normal Z, ½ erfc(x/√2).
pub fn gaussian_tail(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

/// The complementary error function, by the Chebyshev fit of exp(z²)·erfc(z) of Press et
/// al., Numerical Recipes (2nd ed., sec. 6.2): relative error below 1.2·10⁻⁷ for all z.
fn erfc(z: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * z.abs());
    let polynomial = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * polynomial.exp();
    if z >= 0.0 { value } else { 2.0 - value }
}

#[cfg(test)]
mod tests;

//! Distributions of heterogeneous values (initial conditions, later parameters, weights).
//!
//! Each neuron draws its value from its own stream (seed, population, neuron), so values do
//! not depend on the number of threads or the order of construction.
//!
//! - `uniform`: low ≤ x < high;
//! - `normal`: mean, std;
//! - `lognormal`: a positive quantity with the given mean and std (of the quantity itself;
//!   the underlying normal has σ² = ln(1 + std²/mean²), μ = ln(mean) − σ²/2);
//! - `clipped_normal`: a normal restricted to [low, high] by redrawing values outside it (as
//!   NEST's `normal_clipped`), so the result is a truncated normal, not one with piles at the
//!   edges.

use rand::RngExt;
use rand_distr::{Distribution as _, StandardNormal};

use crate::rng::Stream;

/// How a value varies across neurons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform on [low, high).
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Lognormal with this mean and standard deviation (of the value).
    LogNormal {
        /// Mean (> 0).
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Normal truncated to [low, high] by redrawing.
    ClippedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Its standard deviation.
        std: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

/// Draws rejected before a clipped normal is declared impossible.
const MAX_REDRAWS: u32 = 10_000;

impl Distribution {
    /// The names in model files.
    pub const NAMES: &'static [&'static str] =
        &["uniform", "normal", "lognormal", "clipped_normal"];

    /// Checks the parameters: finite, std ≥ 0, low < high, a positive lognormal mean, and a
    /// clipped normal whose interval is not too improbable to draw from.
    pub fn validate(&self) -> Result<(), String> {
        let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
        match *self {
            Distribution::Uniform { low, high } => {
                if !finite(&[low, high]) || low >= high {
                    return Err(format!("uniform needs low < high (got {low} and {high})"));
                }
            }
            Distribution::Normal { mean, std } => {
                if !finite(&[mean, std]) || std < 0.0 {
                    return Err(format!(
                        "normal needs a finite mean and std >= 0 (got {mean}, {std})"
                    ));
                }
            }
            Distribution::LogNormal { mean, std } => {
                if !finite(&[mean, std]) || mean <= 0.0 || std < 0.0 {
                    return Err(format!(
                        "lognormal needs mean > 0 and std >= 0 (got {mean}, {std})"
                    ));
                }
            }
            Distribution::ClippedNormal {
                mean,
                std,
                low,
                high,
            } => {
                if !finite(&[mean, std, low, high]) || std < 0.0 || low >= high {
                    return Err(format!(
                        "clipped_normal needs std >= 0 and low < high (got std {std}, [{low}, {high}])"
                    ));
                }
                let reachable = if std == 0.0 {
                    (low..=high).contains(&mean)
                } else {
                    // More than 6 standard deviations away: redrawing would practically never end.
                    (low - mean) / std < 6.0 && (mean - high) / std < 6.0
                };
                if !reachable {
                    return Err(format!(
                        "clipped_normal: [{low}, {high}] is too far from the mean {mean} (std {std}) to draw from"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The mean of the distribution (the value a homogeneous model would use).
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => 0.5 * (low + high),
            Distribution::Normal { mean, .. } | Distribution::LogNormal { mean, .. } => mean,
            Distribution::ClippedNormal {
                mean, low, high, ..
            } => mean.clamp(low, high),
        }
    }

    /// One value.
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Distribution::Normal { mean, std } => mean + std * normal(rng),
            Distribution::LogNormal { mean, std } => {
                let sigma2 = (1.0 + (std / mean).powi(2)).ln();
                (mean.ln() - 0.5 * sigma2 + sigma2.sqrt() * normal(rng)).exp()
            }
            Distribution::ClippedNormal {
                mean,
                std,
                low,
                high,
            } => {
                for _ in 0..MAX_REDRAWS {
                    let value = mean + std * normal(rng);
                    if (low..=high).contains(&value) {
                        return value;
                    }
                }
                // validate() keeps the interval within 6σ, where 10,000 misses have a
                // probability below 1e-40; stay inside the interval regardless.
                mean.clamp(low, high)
            }
        }
    }
}

fn normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn moments(distribution: Distribution, n: usize) -> (f64, f64, f64, f64) {
        let mut rng = stream(3, Purpose::Initialisation, 0, 0);
        let values: Vec<f64> = (0..n).map(|_| distribution.sample(&mut rng)).collect();
        let mean = values.iter().sum::<f64>() / n as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (mean, variance.sqrt(), low, high)
    }

    #[test]
    fn samples_have_the_declared_moments() {
        let n = 100_000;
        let (mean, std, low, high) = moments(
            Distribution::Uniform {
                low: 0.0,
                high: 20.0,
            },
            n,
        );
        assert!((mean - 10.0).abs() < 4.0 * 20.0 / 12f64.sqrt() / (n as f64).sqrt());
        assert!((std - 20.0 / 12f64.sqrt()).abs() < 0.05);
        assert!(low >= 0.0 && high < 20.0);
        let (mean, std, _, _) = moments(
            Distribution::Normal {
                mean: -60.0,
                std: 5.0,
            },
            n,
        );
        assert!((mean + 60.0).abs() < 4.0 * 5.0 / (n as f64).sqrt());
        assert!((std - 5.0).abs() < 0.05);
        let (mean, std, low, _) = moments(
            Distribution::LogNormal {
                mean: 2.0,
                std: 1.0,
            },
            n,
        );
        assert!((mean - 2.0).abs() < 0.02 && (std - 1.0).abs() < 0.05 && low > 0.0);
        // A normal(0, 1) clipped to [0, 1]: mean φ(0)−φ(1) over Φ(1)−Φ(0) = 0.4599.
        let clipped = Distribution::ClippedNormal {
            mean: 0.0,
            std: 1.0,
            low: 0.0,
            high: 1.0,
        };
        let (mean, _, low, high) = moments(clipped, n);
        assert!((mean - 0.4599).abs() < 0.005, "{mean}");
        assert!(low >= 0.0 && high <= 1.0);
    }

    #[test]
    fn impossible_parameters_are_refused() {
        assert!(
            Distribution::Uniform {
                low: 1.0,
                high: 1.0
            }
            .validate()
            .is_err()
        );
        assert!(
            Distribution::Normal {
                mean: 0.0,
                std: -1.0
            }
            .validate()
            .is_err()
        );
        assert!(
            Distribution::LogNormal {
                mean: -1.0,
                std: 1.0
            }
            .validate()
            .is_err()
        );
        let far = Distribution::ClippedNormal {
            mean: 0.0,
            std: 1.0,
            low: 10.0,
            high: 11.0,
        };
        assert!(far.validate().unwrap_err().contains("too far"));
    }
}

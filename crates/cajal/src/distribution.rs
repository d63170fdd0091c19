//! Distributions of heterogeneous values (initial conditions, neuron parameters, weights).
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
                // Redrawing needs a reasonable chance per draw: at least 1 % of the normal's
                // mass inside the interval (then 10,000 misses have probability e^−100).
                let reachable = if std == 0.0 {
                    (low..=high).contains(&mean)
                } else {
                    normal_mass((low - mean) / std, (high - mean) / std) >= 0.01
                };
                if !reachable {
                    return Err(format!(
                        "clipped_normal: [{low}, {high}] holds less than 1 % of a normal with mean {mean} and std {std}; draw from a distribution that lives there"
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

    /// The smallest and largest values it can give (possibly infinite).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { low, high } | Distribution::ClippedNormal { low, high, .. } => {
                (low, high)
            }
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
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
                // validate() keeps at least 1 % of the mass inside the interval, so 10,000
                // misses have probability below e^−100; stay inside it regardless.
                mean.clamp(low, high)
            }
        }
    }
}

/// The standard normal's probability mass between `a` and `b` (Simpson's rule on 2,000
/// intervals over the part within ±10; exact to about 1e-12).
fn normal_mass(a: f64, b: f64) -> f64 {
    let (a, b) = (a.max(-10.0), b.min(10.0));
    if a >= b {
        return 0.0;
    }
    let n = 2000;
    let h = (b - a) / n as f64;
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mut sum = density(a) + density(b);
    for k in 1..n {
        sum += density(a + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
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
        assert!(far.validate().unwrap_err().contains("less than 1 %"));
        // Within 6σ but with almost no mass: also refused.
        let thin = Distribution::ClippedNormal {
            mean: 0.0,
            std: 1.0,
            low: 5.9,
            high: 6.0,
        };
        assert!(thin.validate().is_err());
        assert!((normal_mass(-1.0, 1.0) - 0.682_689_492_137_086).abs() < 1e-9);
    }
}

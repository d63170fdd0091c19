//! A network of rate populations, and the slope Φ'(x) of their transfer functions.
//!
//! ```text
//! τ_i dr_i/dt = −r_i + Φ_i(x_i),   x_i = I_i + Σ_j J_ij r_j,   i = 1..n
//! ```
//! (Wilson & Cowan (1972), Biophys. J. 12:1; Dayan & Abbott, *Theoretical Neuroscience*
//! (2001), §7.4.) The transfer functions Φ_i are those of the rate unit,
//! [`crate::neuron::rate::TransferFunction`]; their slopes are computed here, in closed form:
//! - threshold-linear Φ = g·[x − T]₊: Φ' = g for x > T, 0 for x ≤ T (at the kink x = T the
//!   slope is taken from the left, 0, as for the LIF curve at rheobase; a fixed point sitting
//!   exactly on a kink is not smooth, and its linearization is one-sided);
//! - sigmoid Φ = 1/(1 + e^(−z)), z = (x − T)/s: Φ' = e^(−|z|)/(s·(1 + e^(−|z|))²), the
//!   symmetric form Φ(1 − Φ)/s written so that it neither overflows nor cancels for large |z|;
//! - LIF f–I curve: [`crate::theory::lif::firing_rate_slope_hz_per_mv`] at μ = x − T (Hz/mV),
//!   0 below rheobase; it grows without bound just above rheobase, where the f–I curve has a
//!   vertical tangent.

use nalgebra::{DMatrix, DVector};
use thiserror::Error;

use crate::neuron::rate::TransferFunction;

/// Why a rate network or an analysis of it was refused.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum DynamicsError {
    /// A network needs at least one population.
    #[error("the rate network has no population")]
    Empty,
    /// A per-population list has the wrong length.
    #[error("{what} has {found} entries, but the network has {expected} populations")]
    DimensionMismatch {
        /// Which list.
        what: &'static str,
        /// The number of populations.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A row of the coupling matrix has the wrong length.
    #[error("row {row} of the coupling matrix has {found} entries; it needs {expected}")]
    CouplingRow {
        /// The row (0-based).
        row: usize,
        /// The number of populations.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A time constant is zero, negative or not finite.
    #[error("the time constant of population {index} is {value} ms; it must be positive")]
    TimeConstant {
        /// The population (0-based).
        index: usize,
        /// The value given (ms).
        value: f64,
    },
    /// A number that must be finite is not.
    #[error("{what} of population {index} is not finite ({value})")]
    NotFinite {
        /// Which quantity.
        what: &'static str,
        /// The population (0-based).
        index: usize,
        /// The value given.
        value: f64,
    },
    /// A transfer function's parameters are inconsistent.
    #[error("the transfer function of population {index}: {message}")]
    TransferFunction {
        /// The population (0-based).
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// An option of an analysis is out of range.
    #[error("option `{option}`: {message}")]
    Option {
        /// The option's name.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A delay is negative or not finite.
    #[error("a delay onto population {row} is {value} ms; delays must be finite and >= 0")]
    Delay {
        /// The target population (0-based).
        row: usize,
        /// The value given (ms).
        value: f64,
    },
    /// The eigenvalue iteration (real Schur decomposition) did not converge.
    #[error("the eigenvalues of the Jacobian did not converge")]
    Eigenvalues,
    /// The search for the roots of the characteristic equation of a delayed network failed.
    #[error("the characteristic roots of the delayed network: {message}")]
    CharacteristicRoots {
        /// What went wrong, and what to change.
        message: String,
    },
    /// An analysis is defined only for networks of a given size.
    #[error("{analysis} needs {expected} populations; the network has {found}")]
    Populations {
        /// Which analysis.
        analysis: &'static str,
        /// The number it needs.
        expected: usize,
        /// The number the network has.
        found: usize,
    },
    /// An analysis is defined only for networks without delays.
    #[error("{analysis} needs a network without delays")]
    Delayed {
        /// Which analysis.
        analysis: &'static str,
    },
    /// A neural field (geometry or kernel) that cannot be analysed.
    #[error("the field: {message}")]
    Field {
        /// What is wrong.
        message: String,
    },
    /// A recorded trace that cannot be measured.
    #[error("the trace: {message}")]
    Trace {
        /// What is wrong.
        message: String,
    },
}

/// n rate populations with their time constants, coupling, constant inputs and transfer
/// functions, checked when built.
///
/// ```
/// use cajal::dynamics::RateNetwork;
/// use cajal::neuron::rate::TransferFunction;
/// // One threshold-linear population with self-excitation J = 0.5 and input I = 1.
/// let linear = TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 };
/// let network = RateNetwork::single(10.0, 0.5, 1.0, linear).unwrap();
/// // At r = 2 = I/(1 − J) the rate does not change.
/// assert_eq!(network.rate_of_change(&[2.0]), vec![0.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RateNetwork {
    time_constants_ms: Vec<f64>,
    coupling: DMatrix<f64>,
    inputs: Vec<f64>,
    transfer_functions: Vec<TransferFunction>,
    delays_ms: DMatrix<f64>,
}

impl RateNetwork {
    /// Builds a network from τ_i (ms), the rows of J (`coupling[i][j]` = J_ij, from j to i),
    /// the inputs I_i (in Φ_i's input unit) and the transfer functions Φ_i.
    pub fn new(
        time_constants_ms: Vec<f64>,
        coupling: Vec<Vec<f64>>,
        inputs: Vec<f64>,
        transfer_functions: Vec<TransferFunction>,
    ) -> Result<Self, DynamicsError> {
        let n = time_constants_ms.len();
        if n == 0 {
            return Err(DynamicsError::Empty);
        }
        for (what, found) in [
            ("the coupling matrix", coupling.len()),
            ("the list of inputs", inputs.len()),
            ("the list of transfer functions", transfer_functions.len()),
        ] {
            if found != n {
                return Err(DynamicsError::DimensionMismatch {
                    what,
                    expected: n,
                    found,
                });
            }
        }
        for (index, &value) in time_constants_ms.iter().enumerate() {
            if !(value.is_finite() && value > 0.0) {
                return Err(DynamicsError::TimeConstant { index, value });
            }
        }
        for (row, weights) in coupling.iter().enumerate() {
            if weights.len() != n {
                return Err(DynamicsError::CouplingRow {
                    row,
                    expected: n,
                    found: weights.len(),
                });
            }
            if let Some(&value) = weights.iter().find(|w| !w.is_finite()) {
                return Err(DynamicsError::NotFinite {
                    what: "an incoming coupling",
                    index: row,
                    value,
                });
            }
        }
        for (index, &value) in inputs.iter().enumerate() {
            if !value.is_finite() {
                return Err(DynamicsError::NotFinite {
                    what: "the input",
                    index,
                    value,
                });
            }
        }
        for (index, transfer) in transfer_functions.iter().enumerate() {
            check_transfer(transfer)
                .map_err(|message| DynamicsError::TransferFunction { index, message })?;
        }
        let coupling = DMatrix::from_fn(n, n, |i, j| coupling[i][j]);
        Ok(RateNetwork {
            time_constants_ms,
            coupling,
            inputs,
            transfer_functions,
            delays_ms: DMatrix::zeros(n, n),
        })
    }

    /// One population: τ dr/dt = −r + Φ(I + J r).
    pub fn single(
        time_constant_ms: f64,
        self_coupling: f64,
        input: f64,
        transfer: TransferFunction,
    ) -> Result<Self, DynamicsError> {
        Self::new(
            vec![time_constant_ms],
            vec![vec![self_coupling]],
            vec![input],
            vec![transfer],
        )
    }

    /// The same network with other inputs I_i (a sweep over inputs changes only these).
    pub fn with_inputs(&self, inputs: Vec<f64>) -> Result<Self, DynamicsError> {
        let coupling = self
            .coupling
            .row_iter()
            .map(|row| row.iter().copied().collect())
            .collect();
        let mut network = Self::new(
            self.time_constants_ms.clone(),
            coupling,
            inputs,
            self.transfer_functions.clone(),
        )?;
        network.delays_ms = self.delays_ms.clone();
        Ok(network)
    }

    /// The same network with transmission delays: `delays_ms[i][j]` = D_ij ≥ 0 (ms), the
    /// delay of the coupling from j onto i, so that x_i(t) = I_i + Σ_j J_ij r_j(t − D_ij).
    /// Fixed points do not depend on delays; their stability does.
    pub fn with_delays(mut self, delays_ms: Vec<Vec<f64>>) -> Result<Self, DynamicsError> {
        let n = self.size();
        if delays_ms.len() != n {
            return Err(DynamicsError::DimensionMismatch {
                what: "the delay matrix",
                expected: n,
                found: delays_ms.len(),
            });
        }
        for (row, delays) in delays_ms.iter().enumerate() {
            if delays.len() != n {
                return Err(DynamicsError::CouplingRow {
                    row,
                    expected: n,
                    found: delays.len(),
                });
            }
            if let Some(&value) = delays.iter().find(|d| !(d.is_finite() && **d >= 0.0)) {
                return Err(DynamicsError::Delay { row, value });
            }
        }
        self.delays_ms = DMatrix::from_fn(n, n, |i, j| delays_ms[i][j]);
        Ok(self)
    }

    /// D (n×n, ms); entry (i, j) is the delay of the coupling from j onto i.
    pub fn delays_ms(&self) -> &DMatrix<f64> {
        &self.delays_ms
    }

    /// Whether any coupling that is not zero has a delay.
    pub fn has_delays(&self) -> bool {
        self.delays_ms
            .iter()
            .zip(self.coupling.iter())
            .any(|(d, j)| *d > 0.0 && *j != 0.0)
    }

    /// n, the number of populations.
    pub fn size(&self) -> usize {
        self.time_constants_ms.len()
    }

    /// τ_i (ms).
    pub fn time_constants_ms(&self) -> &[f64] {
        &self.time_constants_ms
    }

    /// J (n×n); entry (i, j) is the weight from population j onto population i.
    pub fn coupling(&self) -> &DMatrix<f64> {
        &self.coupling
    }

    /// I_i.
    pub fn inputs(&self) -> &[f64] {
        &self.inputs
    }

    /// Φ_i.
    pub fn transfer_functions(&self) -> &[TransferFunction] {
        &self.transfer_functions
    }

    /// The total input x = I + J r at rates `rates` (length n).
    pub fn total_input(&self, rates: &[f64]) -> Vec<f64> {
        let x = self.total_input_vector(&DVector::from_column_slice(rates));
        x.iter().copied().collect()
    }

    /// dr_i/dt = (−r_i + Φ_i(x_i))/τ_i at rates `rates` (per ms).
    pub fn rate_of_change(&self, rates: &[f64]) -> Vec<f64> {
        let r = DVector::from_column_slice(rates);
        let f = self.fixed_point_residual(&r);
        f.iter()
            .zip(&self.time_constants_ms)
            .map(|(f, tau)| f / tau)
            .collect()
    }

    pub(crate) fn total_input_vector(&self, rates: &DVector<f64>) -> DVector<f64> {
        &self.coupling * rates + DVector::from_column_slice(&self.inputs)
    }

    /// F(r) = −r + Φ(I + J r), zero exactly at the fixed points.
    pub(crate) fn fixed_point_residual(&self, rates: &DVector<f64>) -> DVector<f64> {
        let x = self.total_input_vector(rates);
        DVector::from_fn(self.size(), |i, _| {
            self.transfer_functions[i].apply(x[i]) - rates[i]
        })
    }

    /// Φ_i'(x_i) at rates `rates`.
    pub(crate) fn slopes(&self, rates: &DVector<f64>) -> DVector<f64> {
        let x = self.total_input_vector(rates);
        DVector::from_fn(self.size(), |i, _| {
            transfer_slope(&self.transfer_functions[i], x[i])
        })
    }
}

/// Φ'(x), the slope of a transfer function, in closed form (see the module documentation).
///
/// ```
/// use cajal::dynamics::transfer_slope;
/// use cajal::neuron::rate::TransferFunction;
/// let sigmoid = TransferFunction::Sigmoid { threshold: 0.0, slope: 2.0 };
/// // Φ'(T) = 1/(4 s).
/// assert!((transfer_slope(&sigmoid, 0.0) - 0.125).abs() < 1e-15);
/// ```
pub fn transfer_slope(transfer: &TransferFunction, x: f64) -> f64 {
    match *transfer {
        TransferFunction::ThresholdLinear { threshold, gain } => {
            if x > threshold {
                gain
            } else {
                0.0
            }
        }
        TransferFunction::Sigmoid { threshold, slope } => {
            let decay = (-((x - threshold) / slope).abs()).exp();
            decay / (slope * (1.0 + decay) * (1.0 + decay))
        }
        TransferFunction::Lif {
            threshold_offset,
            neuron,
        } => crate::theory::lif::firing_rate_slope_hz_per_mv(x - threshold_offset, &neuron),
        TransferFunction::Siegert {
            threshold_offset,
            sigma_mv,
            neuron,
        } => crate::theory::siegert::rate_slope_hz_per_mv(x - threshold_offset, sigma_mv, &neuron),
    }
}

/// The largest value Φ can take, `None` where Φ is unbounded.
pub(crate) fn transfer_maximum(transfer: &TransferFunction) -> Option<f64> {
    match *transfer {
        TransferFunction::ThresholdLinear { .. } => None,
        TransferFunction::Sigmoid { .. } => Some(1.0),
        // The rate approaches 1/τ_ref as the drive grows.
        TransferFunction::Lif { neuron, .. } | TransferFunction::Siegert { neuron, .. } => {
            (neuron.refractory_period > 0.0).then(|| 1000.0 / neuron.refractory_period)
        }
    }
}

/// The checks a transfer function built in code (not from a model file) may have skipped.
fn check_transfer(transfer: &TransferFunction) -> Result<(), String> {
    match *transfer {
        TransferFunction::ThresholdLinear { threshold, gain } => {
            if !(threshold.is_finite() && gain.is_finite() && gain >= 0.0) {
                return Err(format!(
                    "threshold ({threshold}) must be finite and gain ({gain}) finite and ≥ 0"
                ));
            }
        }
        TransferFunction::Sigmoid { threshold, slope } => {
            if !(threshold.is_finite() && slope.is_finite() && slope > 0.0) {
                return Err(format!(
                    "threshold ({threshold}) must be finite and slope ({slope}) finite and > 0"
                ));
            }
        }
        TransferFunction::Siegert { sigma_mv, .. } if !(sigma_mv > 0.0 && sigma_mv.is_finite()) => {
            return Err(format!(
                "the noise σ ({sigma_mv} mV) must be finite and > 0"
            ));
        }
        TransferFunction::Lif {
            threshold_offset,
            neuron,
        }
        | TransferFunction::Siegert {
            threshold_offset,
            neuron,
            ..
        } => {
            let finite = [
                threshold_offset,
                neuron.threshold,
                neuron.reset_potential,
                neuron.refractory_period,
                neuron.membrane_time_constant,
            ]
            .iter()
            .all(|v| v.is_finite());
            if !finite
                || neuron.membrane_time_constant <= 0.0
                || neuron.refractory_period < 0.0
                || neuron.reset_potential >= neuron.threshold
            {
                return Err(
                    "the LIF neuron needs finite parameters, τ_m > 0, τ_ref ≥ 0 and a reset \
                     below the threshold"
                        .to_string(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::lif::LifParameters;

    fn transfers() -> Vec<TransferFunction> {
        vec![
            TransferFunction::ThresholdLinear {
                threshold: 0.5,
                gain: 2.0,
            },
            TransferFunction::Sigmoid {
                threshold: 1.0,
                slope: 0.7,
            },
            TransferFunction::Lif {
                threshold_offset: 0.0,
                neuron: LifParameters {
                    membrane_time_constant: 20.0,
                    resting_potential: 0.0,
                    threshold: 20.0,
                    reset_potential: 10.0,
                    refractory_period: 2.0,
                    membrane_resistance: 1.0,
                    initial_potential: 0.0,
                },
            },
            TransferFunction::Siegert {
                threshold_offset: 1.0,
                sigma_mv: 4.0,
                neuron: LifParameters {
                    membrane_time_constant: 20.0,
                    resting_potential: 0.0,
                    threshold: 20.0,
                    reset_potential: 10.0,
                    refractory_period: 2.0,
                    membrane_resistance: 1.0,
                    initial_potential: 0.0,
                },
            },
        ]
    }

    #[test]
    fn slopes_match_central_differences_away_from_kinks() {
        // A central difference has error h²·Φ'''/6; with h = 1e-5 and these smooth curves
        // that is below 1e-9 relative, and rounding adds about ε·Φ/h ≈ 1e-11·Φ.
        let h = 1e-5;
        for transfer in transfers() {
            for x in [-3.0, 0.2, 0.9, 1.0, 1.7, 4.0, 21.0, 25.0, 60.0] {
                let numeric = (transfer.apply(x + h) - transfer.apply(x - h)) / (2.0 * h);
                let analytic = transfer_slope(&transfer, x);
                assert!(
                    (numeric - analytic).abs() <= 1e-6 * analytic.abs().max(1.0),
                    "{transfer:?} at {x}: {numeric} vs {analytic}"
                );
            }
        }
    }

    #[test]
    fn sigmoid_slope_stays_finite_far_from_threshold() {
        let sigmoid = TransferFunction::Sigmoid {
            threshold: 0.0,
            slope: 1.0,
        };
        for x in [-800.0, 800.0] {
            let slope = transfer_slope(&sigmoid, x);
            assert!(slope.is_finite() && slope >= 0.0, "{slope}");
        }
    }

    #[test]
    fn invalid_networks_are_errors() {
        let linear = TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0,
        };
        assert_eq!(
            RateNetwork::new(vec![], vec![], vec![], vec![]),
            Err(DynamicsError::Empty)
        );
        assert!(matches!(
            RateNetwork::single(0.0, 1.0, 1.0, linear),
            Err(DynamicsError::TimeConstant { index: 0, .. })
        ));
        assert!(matches!(
            RateNetwork::new(
                vec![1.0, 1.0],
                vec![vec![0.0, 0.0], vec![0.0]],
                vec![0.0, 0.0],
                vec![linear, linear]
            ),
            Err(DynamicsError::CouplingRow { row: 1, .. })
        ));
        assert!(matches!(
            RateNetwork::single(
                1.0,
                1.0,
                1.0,
                TransferFunction::Sigmoid {
                    threshold: 0.0,
                    slope: 0.0
                }
            ),
            Err(DynamicsError::TransferFunction { index: 0, .. })
        ));
        assert!(matches!(
            RateNetwork::single(1.0, f64::NAN, 1.0, linear),
            Err(DynamicsError::NotFinite { .. })
        ));
    }
}

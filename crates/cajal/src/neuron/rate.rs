//! Rate unit: a population described by its firing rate m(t).
//!
//! ```text
//! τ dm/dt = −m + F(I(t) − T)
//! ```
//! with one of the transfer functions F:
//! - threshold-linear: F = g·[I − T]₊ (dimensionless input and rate);
//! - sigmoid: F = 1/(1 + e^(−(I − T)/s)) (dimensionless, rate between 0 and 1);
//! - LIF: F is the stationary rate (Hz) of a LIF neuron whose mean potential is I − T (mV),
//!   see [`crate::theory::lif`] — the transfer function that connects rate models to spiking
//!   networks.
//!
//! Integration: for input constant over a step the update m ← F + (m − F)·e^(−dt/τ) is exact.
//!
//! Defaults: τ = 10 ms, T = 0, g = 1, s = 1 — unit scales, as in Dayan & Abbott,
//! *Theoretical Neuroscience* (2001), ch. 7; the LIF transfer uses the LIF defaults
//! (Brunel 2000).

use crate::parameters::{Constraint, DefaultValue, ParameterDef, ParameterProblem, ParameterSet};
use crate::units::Dimension;

use super::lif::{self, LifParameters};
use super::{StepClock, StepInput, VariableDef};

/// The parameters of a `model = "rate"` population (the transfer function has its own table).
pub const PARAMETERS: &[ParameterDef] = &[
    ParameterDef {
        name: "time_constant",
        aliases: &["tau"],
        dimension: Dimension::TIME,
        default: DefaultValue::Value(10.0),
        constraint: Constraint::Positive,
        description: "time constant τ of the rate dynamics",
    },
    ParameterDef {
        name: "initial_rate",
        aliases: &["m_init", "r_init"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::NonNegative,
        description: "m at t = 0 (in the transfer function's output unit)",
    },
];

/// Parameters of the threshold-linear transfer function F = g·[x − T]₊.
pub const THRESHOLD_LINEAR: &[ParameterDef] = &[
    ParameterDef {
        name: "threshold",
        aliases: &["T"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::Finite,
        description: "threshold T",
    },
    ParameterDef {
        name: "gain",
        aliases: &["g"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(1.0),
        constraint: Constraint::NonNegative,
        description: "slope g above threshold",
    },
];

/// Parameters of the sigmoid transfer function F = 1/(1 + e^(−(x − T)/s)).
pub const SIGMOID: &[ParameterDef] = &[
    ParameterDef {
        name: "threshold",
        aliases: &["T"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::Finite,
        description: "half-activation input T",
    },
    ParameterDef {
        name: "slope",
        aliases: &["s", "width"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(1.0),
        constraint: Constraint::Positive,
        description: "slope scale s",
    },
];

/// Parameters of the LIF transfer function: the input is the mean membrane potential (mV).
pub const LIF_TRANSFER: &[ParameterDef] = &[
    ParameterDef {
        name: "threshold_offset",
        aliases: &["T"],
        dimension: Dimension::VOLTAGE,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::Finite,
        description: "offset T subtracted from the input potential",
    },
    lif::MEMBRANE_TIME_CONSTANT,
    lif::THRESHOLD,
    lif::RESET_POTENTIAL,
    lif::REFRACTORY_PERIOD,
];

/// Parameters of the Siegert transfer function: the stationary rate of a LIF whose membrane
/// potential has mean x − T (mV) and white-noise fluctuations of standard deviation σ —
/// the transfer function of mean-field theory, into which `cajal analyze` reduces a spiking
/// network.
pub const SIEGERT_TRANSFER: &[ParameterDef] = &[
    ParameterDef {
        name: "threshold_offset",
        aliases: &["T"],
        dimension: Dimension::VOLTAGE,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::Finite,
        description: "offset T subtracted from the input potential",
    },
    ParameterDef {
        name: "sigma",
        aliases: &["noise"],
        dimension: Dimension::VOLTAGE,
        default: DefaultValue::Required,
        constraint: Constraint::Positive,
        description: "standard deviation σ of the membrane potential's fluctuations",
    },
    lif::MEMBRANE_TIME_CONSTANT,
    lif::THRESHOLD,
    lif::RESET_POTENTIAL,
    lif::REFRACTORY_PERIOD,
];

/// A transfer function F.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TransferFunction {
    /// g·[x − T]₊.
    ThresholdLinear {
        /// T.
        threshold: f64,
        /// g.
        gain: f64,
    },
    /// 1/(1 + e^(−(x − T)/s)).
    Sigmoid {
        /// T.
        threshold: f64,
        /// s.
        slope: f64,
    },
    /// Stationary LIF rate (Hz) at mean potential x − T (mV).
    Lif {
        /// T (mV).
        threshold_offset: f64,
        /// The neuron whose f–I curve is used.
        neuron: LifParameters,
    },
    /// Siegert rate (Hz) of a LIF at mean potential x − T (mV) and noise σ (mV).
    Siegert {
        /// T (mV).
        threshold_offset: f64,
        /// σ (mV).
        sigma_mv: f64,
        /// The neuron.
        neuron: LifParameters,
    },
}

impl TransferFunction {
    /// The names of the transfer functions in model files.
    pub const KINDS: &'static [&'static str] = &["threshold_linear", "sigmoid", "lif", "siegert"];

    /// The parameter declarations of transfer function `kind` (one of [`Self::KINDS`]).
    pub fn parameters_of(kind: &str) -> Option<&'static [ParameterDef]> {
        match kind {
            "threshold_linear" => Some(THRESHOLD_LINEAR),
            "sigmoid" => Some(SIGMOID),
            "lif" => Some(LIF_TRANSFER),
            "siegert" => Some(SIEGERT_TRANSFER),
            _ => None,
        }
    }

    /// Builds transfer function `kind` from its checked parameters.
    pub fn from_set(kind: &str, set: &ParameterSet) -> Result<Self, ParameterProblem> {
        match kind {
            "threshold_linear" => Ok(TransferFunction::ThresholdLinear {
                threshold: set.value("threshold"),
                gain: set.value("gain"),
            }),
            "sigmoid" => Ok(TransferFunction::Sigmoid {
                threshold: set.value("threshold"),
                slope: set.value("slope"),
            }),
            "lif" | "siegert" => {
                let neuron = LifParameters {
                    membrane_time_constant: set.value("membrane_time_constant"),
                    resting_potential: 0.0,
                    threshold: set.value("threshold"),
                    reset_potential: set.value("reset_potential"),
                    refractory_period: set.value("refractory_period"),
                    membrane_resistance: 1.0,
                    initial_potential: 0.0,
                };
                if neuron.reset_potential >= neuron.threshold {
                    return Err(ParameterProblem {
                        parameter: "reset_potential",
                        message: format!(
                            "the reset potential ({} mV) must lie below the threshold ({} mV)",
                            neuron.reset_potential, neuron.threshold
                        ),
                    });
                }
                Ok(if kind == "siegert" {
                    TransferFunction::Siegert {
                        threshold_offset: set.value("threshold_offset"),
                        sigma_mv: set.value("sigma"),
                        neuron,
                    }
                } else {
                    TransferFunction::Lif {
                        threshold_offset: set.value("threshold_offset"),
                        neuron,
                    }
                })
            }
            _ => Err(ParameterProblem {
                parameter: "kind",
                message: format!(
                    "unknown transfer function `{kind}`; known: {}",
                    Self::KINDS.join(", ")
                ),
            }),
        }
    }

    /// F(x).
    #[inline]
    pub fn apply(&self, x: f64) -> f64 {
        match *self {
            TransferFunction::ThresholdLinear { threshold, gain } => {
                gain * (x - threshold).max(0.0)
            }
            TransferFunction::Sigmoid { threshold, slope } => {
                1.0 / (1.0 + (-(x - threshold) / slope).exp())
            }
            TransferFunction::Lif {
                threshold_offset,
                neuron,
            } => crate::theory::lif::firing_rate_hz(x - threshold_offset, &neuron),
            TransferFunction::Siegert {
                threshold_offset,
                sigma_mv,
                neuron,
            } => {
                crate::theory::siegert::stationary_rate_hz(x - threshold_offset, sigma_mv, &neuron)
            }
        }
    }

    /// The dimension of the input x.
    pub fn input_dimension(&self) -> Dimension {
        match self {
            TransferFunction::Lif { .. } | TransferFunction::Siegert { .. } => Dimension::VOLTAGE,
            _ => Dimension::DIMENSIONLESS,
        }
    }

    /// The dimension of F (and of m).
    pub fn output_dimension(&self) -> Dimension {
        match self {
            TransferFunction::Lif { .. } | TransferFunction::Siegert { .. } => Dimension::FREQUENCY,
            _ => Dimension::DIMENSIONLESS,
        }
    }
}

const VARIABLES_DIMENSIONLESS: &[VariableDef] = &[VariableDef {
    name: "m",
    dimension: Dimension::DIMENSIONLESS,
    description: "rate",
}];

const VARIABLES_HZ: &[VariableDef] = &[VariableDef {
    name: "m",
    dimension: Dimension::FREQUENCY,
    description: "rate",
}];

/// A population of independent rate units sharing a transfer function.
#[derive(Clone, Debug)]
pub struct RateUnit {
    transfer: TransferFunction,
    time_constant_ms: f64,
    m: Vec<f64>,
}

impl RateUnit {
    /// `size` units at rate `initial_rate`.
    pub fn new(
        transfer: TransferFunction,
        time_constant_ms: f64,
        initial_rate: f64,
        size: usize,
    ) -> Self {
        RateUnit {
            transfer,
            time_constant_ms,
            m: vec![initial_rate; size],
        }
    }

    /// The transfer function.
    pub fn transfer(&self) -> &TransferFunction {
        &self.transfer
    }

    /// τ (ms).
    pub fn time_constant_ms(&self) -> f64 {
        self.time_constant_ms
    }

    /// The rates.
    pub fn rates(&self) -> &[f64] {
        &self.m
    }

    /// Number of units.
    pub fn size(&self) -> usize {
        self.m.len()
    }

    /// The recordable variables (m, in the transfer function's output unit).
    pub fn variables(&self) -> &'static [VariableDef] {
        match self.transfer.output_dimension() {
            d if d == Dimension::FREQUENCY => VARIABLES_HZ,
            _ => VARIABLES_DIMENSIONLESS,
        }
    }

    /// Value of variable `variable` of unit `neuron`.
    pub fn sample(&self, variable: usize, neuron: usize) -> f64 {
        debug_assert_eq!(variable, 0);
        self.m[neuron]
    }

    /// Advances every unit by one step with input constant over it.
    pub fn advance(&mut self, input: &StepInput, clock: StepClock) {
        let decay = (-clock.dt_ms / self.time_constant_ms).exp();
        for (i, m) in self.m.iter_mut().enumerate() {
            let target = self.transfer.apply(input.mean_current(i));
            *m = target + (*m - target) * decay;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(step: u64, dt: f64) -> StepClock {
        StepClock {
            step,
            time_ms: step as f64 * dt,
            dt_ms: dt,
        }
    }

    #[test]
    fn transfer_functions_have_their_closed_forms() {
        let linear = TransferFunction::ThresholdLinear {
            threshold: 1.0,
            gain: 2.0,
        };
        assert_eq!(linear.apply(0.5), 0.0);
        assert_eq!(linear.apply(3.0), 4.0);
        let sigmoid = TransferFunction::Sigmoid {
            threshold: 2.0,
            slope: 0.5,
        };
        assert_eq!(sigmoid.apply(2.0), 0.5);
        assert!((sigmoid.apply(3.0) - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-15);
        let set = ParameterSet::defaults(LIF_TRANSFER);
        let lif = TransferFunction::from_set("lif", &set).unwrap();
        // μ = 30 mV with Brunel's neuron: 1/(2 ms + 20 ms·ln 2).
        assert!((lif.apply(30.0) - 1000.0 / (2.0 + 20.0 * 2f64.ln())).abs() < 1e-9);
        assert_eq!(lif.output_dimension(), Dimension::FREQUENCY);
    }

    #[test]
    fn relaxation_is_exact_exponential() {
        let transfer = TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0,
        };
        let mut unit = RateUnit::new(transfer, 10.0, 0.0, 3);
        let dt = 0.5;
        for step in 0..40 {
            unit.advance(&StepInput::uniform(2.0), clock(step, dt));
        }
        // m(20 ms) = 2(1 − e^(−2)), independent of dt.
        let expected = 2.0 * (1.0 - (-2.0f64).exp());
        for &m in unit.rates() {
            assert!((m - expected).abs() < 1e-12, "{m}");
        }
    }

    #[test]
    fn lif_transfer_rejects_reset_above_threshold() {
        let mut set = ParameterSet::defaults(LIF_TRANSFER);
        set.set("reset_potential", 25.0, None).unwrap();
        let problem = TransferFunction::from_set("lif", &set).unwrap_err();
        assert_eq!(problem.parameter, "reset_potential");
    }
}

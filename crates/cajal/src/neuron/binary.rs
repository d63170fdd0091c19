//! Binary neurons: the parameters a `model = "binary"` population declares.
//!
//! A binary neuron i is active or not; when it updates it looks at its input field
//!   h_i = I_i^X + Σ_j J_ij S_j
//! and becomes S_i = Θ(h_i − T_i) (deterministic, temperature 0), or active with the Glauber
//! probability P(S_i = 1) = 1/(1 + exp(−(h_i − T_i)/temperature)). With `states = "spin"` the
//! states are ±1 and the deterministic rule is S_i = sign(h_i − T_i) (Hopfield's convention;
//! h = T gives +1, as Θ(0) = 1 does for 0/1 states).
//!
//! Every quantity is dimensionless (inputs, weights, thresholds); time enters only through the
//! update time constant τ of asynchronous updates. The network is simulated by
//! [`crate::binary`], not by the spiking engine.
//!
//! Defaults: τ = 10 ms and thresholds of order one as in van Vreeswijk & Sompolinsky (1998),
//! Neural Comput. 10:1321 (τ_E = 10 ms; their θ_E = 1, θ_I = 0.7 are set per population in
//! the example).

use crate::neuron::VariableDef;
use crate::parameters::{Constraint, DefaultValue, ParameterDef, ParameterProblem, ParameterSet};
use crate::units::Dimension;

/// The parameters of a binary population.
pub const PARAMETERS: &[ParameterDef] = &[
    ParameterDef {
        name: "threshold",
        aliases: &["T", "theta"],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::Finite,
        description: "threshold T of the input field",
    },
    ParameterDef {
        name: "tau",
        aliases: &["update_time_constant"],
        dimension: Dimension::TIME,
        default: DefaultValue::Value(10.0),
        constraint: Constraint::Positive,
        description: "mean time between two updates of a neuron (asynchronous updates)",
    },
    ParameterDef {
        name: "temperature",
        aliases: &[],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::NonNegative,
        description: "Glauber temperature; 0 for the deterministic threshold",
    },
    ParameterDef {
        name: "initial_active",
        aliases: &[],
        dimension: Dimension::DIMENSIONLESS,
        default: DefaultValue::Value(0.0),
        constraint: Constraint::NonNegative,
        description: "probability that a neuron starts active",
    },
];

/// The recordable variables: the state and the input field.
pub const VARIABLES: &[VariableDef] = &[
    VariableDef {
        name: "state",
        dimension: Dimension::DIMENSIONLESS,
        description: "state S",
    },
    VariableDef {
        name: "input",
        dimension: Dimension::DIMENSIONLESS,
        description: "input field h",
    },
];

/// The values a binary neuron's state takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum States {
    /// Inactive 0, active 1.
    #[default]
    ZeroOne,
    /// Down −1, up +1 (Hopfield's spins).
    Spin,
}

impl States {
    /// The names of the `states` key, in the order of the variants.
    pub const NAMES: &[&str] = &["01", "spin"];

    /// The value of the inactive state (0 or −1).
    pub fn low(self) -> f64 {
        match self {
            States::ZeroOne => 0.0,
            States::Spin => -1.0,
        }
    }
}

/// Checks what the declared constraints cannot: the initial activity is a probability.
pub fn check(parameters: &ParameterSet) -> Result<(), ParameterProblem> {
    let initial = parameters.value("initial_active");
    if !(0.0..=1.0).contains(&initial) {
        return Err(ParameterProblem {
            parameter: "initial_active",
            message: format!("initial_active is a probability, from 0 to 1, not {initial}"),
        });
    }
    Ok(())
}

//! Declared model parameters: name, accepted symbols, dimension, default, allowed range.
//!
//! Every model lists its parameters as a `&'static [ParameterDef]`. The model-file reader,
//! the `--vary` option of the f–I command and the documentation all work from that list, so
//! a parameter is declared once. Values are held in working units (see [`crate::units`]).

use std::ops::Range;

use crate::units::{Dimension, Quantity, Unit};

/// Where a parameter's default comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// A fixed value in working units.
    Value(f64),
    /// No default: the model file must give it.
    Required,
    /// Computed from other parameters when absent (the text says how, for documentation).
    Derived(&'static str),
}

/// The range a parameter's value must lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constraint {
    /// Any finite value.
    Finite,
    /// Strictly positive (time constants, capacitances, conductance scales).
    Positive,
    /// Zero or positive (conductances, refractory periods).
    NonNegative,
}

impl Constraint {
    /// Whether `value` satisfies the constraint.
    pub fn admits(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Constraint::Finite => true,
                Constraint::Positive => value > 0.0,
                Constraint::NonNegative => value >= 0.0,
            }
    }

    /// The constraint in words, for messages: `"> 0"`.
    pub fn describe(self) -> &'static str {
        match self {
            Constraint::Finite => "finite",
            Constraint::Positive => "> 0",
            Constraint::NonNegative => ">= 0",
        }
    }
}

/// One parameter of a model.
#[derive(Clone, Copy, Debug)]
pub struct ParameterDef {
    /// The name in model files, in the field's words (`membrane_time_constant`).
    pub name: &'static str,
    /// Accepted textbook symbols (`tau_m`); giving two spellings of one parameter is an error.
    pub aliases: &'static [&'static str],
    /// Its physical dimension.
    pub dimension: Dimension,
    /// Its default.
    pub default: DefaultValue,
    /// Its allowed range.
    pub constraint: Constraint,
    /// What it is, for documentation.
    pub description: &'static str,
}

impl ParameterDef {
    /// Whether `name` is this parameter's name or one of its symbols.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// Values of a model's parameters, in working units, with where each was set.
#[derive(Clone, Debug)]
pub struct ParameterSet {
    definitions: &'static [ParameterDef],
    values: Vec<Option<f64>>,
    spans: Vec<Option<Range<usize>>>,
}

/// Why a parameter value was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterProblem {
    /// The parameter's name.
    pub parameter: &'static str,
    /// What is wrong.
    pub message: String,
}

impl ParameterSet {
    /// All parameters at their defaults (required ones unset).
    pub fn defaults(definitions: &'static [ParameterDef]) -> ParameterSet {
        ParameterSet {
            definitions,
            values: definitions
                .iter()
                .map(|d| match d.default {
                    DefaultValue::Value(v) => Some(v),
                    _ => None,
                })
                .collect(),
            spans: vec![None; definitions.len()],
        }
    }

    /// The declared parameters.
    pub fn definitions(&self) -> &'static [ParameterDef] {
        self.definitions
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.definitions.iter().position(|d| d.answers_to(name))
    }

    /// The definition answering to `name` (name or symbol).
    pub fn definition(&self, name: &str) -> Option<&'static ParameterDef> {
        self.index(name).map(|i| &self.definitions[i])
    }

    /// Sets a value in working units, recording where it was written.
    pub fn set(
        &mut self,
        name: &str,
        value: f64,
        span: Option<Range<usize>>,
    ) -> Result<(), ParameterProblem> {
        let index = self.index(name).ok_or_else(|| ParameterProblem {
            parameter: "",
            message: format!("unknown parameter `{name}`"),
        })?;
        let definition = &self.definitions[index];
        if !definition.constraint.admits(value) {
            return Err(ParameterProblem {
                parameter: definition.name,
                message: format!(
                    "{} must be {}, got {}",
                    definition.name,
                    definition.constraint.describe(),
                    crate::units::format_working(value, definition.dimension)
                ),
            });
        }
        self.values[index] = Some(value);
        self.spans[index] = span;
        Ok(())
    }

    /// Sets a parameter from a quantity, checking its dimension.
    pub fn set_quantity(&mut self, name: &str, quantity: Quantity) -> Result<(), ParameterProblem> {
        let definition = self.definition(name).ok_or_else(|| ParameterProblem {
            parameter: "",
            message: format!(
                "unknown parameter `{name}`; known: {}",
                self.definitions
                    .iter()
                    .map(|d| d.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        if quantity.dimension != definition.dimension {
            return Err(ParameterProblem {
                parameter: definition.name,
                message: format!(
                    "{} is a {}, not a {}",
                    definition.name, definition.dimension, quantity.dimension
                ),
            });
        }
        let unit = Unit::working(definition.dimension).ok_or_else(|| ParameterProblem {
            parameter: definition.name,
            message: format!("no working unit for {}", definition.dimension),
        })?;
        self.set(name, quantity.value_in(&unit), None)
    }

    /// The value of a parameter (working units), `None` if unset and without a fixed default.
    ///
    /// # Panics
    /// If `name` is not a declared parameter: that is a bug in the model, not bad input.
    pub fn get(&self, name: &str) -> Option<f64> {
        let index = self
            .index(name)
            .unwrap_or_else(|| panic!("model code asked for undeclared parameter `{name}`"));
        self.values[index]
    }

    /// The value of a parameter that has a fixed default or is required (and so was checked).
    ///
    /// # Panics
    /// If `name` is undeclared or has neither value nor default: a bug in the model.
    pub fn value(&self, name: &str) -> f64 {
        self.get(name)
            .unwrap_or_else(|| panic!("parameter `{name}` has no value"))
    }

    /// Where a parameter was written in the model file, if it was.
    pub fn span(&self, name: &str) -> Option<Range<usize>> {
        self.index(name).and_then(|i| self.spans[i].clone())
    }

    /// Names of required parameters that have no value.
    pub fn missing(&self) -> Vec<&'static str> {
        self.definitions
            .iter()
            .zip(&self.values)
            .filter(|(d, v)| d.default == DefaultValue::Required && v.is_none())
            .map(|(d, _)| d.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFS: &[ParameterDef] = &[
        ParameterDef {
            name: "membrane_time_constant",
            aliases: &["tau_m"],
            dimension: Dimension::TIME,
            default: DefaultValue::Value(20.0),
            constraint: Constraint::Positive,
            description: "",
        },
        ParameterDef {
            name: "threshold",
            aliases: &[],
            dimension: Dimension::VOLTAGE,
            default: DefaultValue::Required,
            constraint: Constraint::Finite,
            description: "",
        },
    ];

    #[test]
    fn defaults_aliases_and_constraints() {
        let mut set = ParameterSet::defaults(DEFS);
        assert_eq!(set.value("tau_m"), 20.0);
        assert_eq!(set.missing(), ["threshold"]);
        set.set_quantity("tau_m", Quantity::parse("0.01 s").unwrap())
            .unwrap();
        assert_eq!(set.value("membrane_time_constant"), 10.0);
        let problem = set.set("tau_m", -1.0, None).unwrap_err();
        assert_eq!(problem.parameter, "membrane_time_constant");
        assert!(problem.message.contains("> 0"), "{}", problem.message);
        let problem = set
            .set_quantity("threshold", Quantity::parse("1 ms").unwrap())
            .unwrap_err();
        assert!(problem.message.contains("voltage"), "{}", problem.message);
        assert!(set.set("threshold", f64::NAN, None).is_err());
    }
}

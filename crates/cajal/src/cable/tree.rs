//! Compartmental trees and their electrical constants.

use std::f64::consts::PI;

/// Square micrometres to square centimetres.
const UM2_TO_CM2: f64 = 1e-8;
/// Micrometres to centimetres.
const UM_TO_CM: f64 = 1e-4;

/// Why a tree or a cable could not be built or driven.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum CableError {
    /// A tree needs at least one compartment.
    #[error("a tree needs at least one compartment")]
    Empty,
    /// A size or constant that must be positive is not (or is not finite).
    #[error("compartment {index}: {field} must be positive and finite, got {value}")]
    NotPositive {
        /// The compartment.
        index: usize,
        /// Which quantity.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// A value that must be finite is not.
    #[error("{what} must be finite, got {value}")]
    NotFinite {
        /// Which quantity.
        what: String,
        /// Its value.
        value: f64,
    },
    /// The root (compartment 0) must have no parent.
    #[error("compartment 0 is the root and cannot have a parent (got {parent})")]
    RootHasParent {
        /// The parent it was given.
        parent: usize,
    },
    /// Every compartment but the root needs a parent.
    #[error("compartment {index} has no parent; only compartment 0 (the root) may have none")]
    MissingParent {
        /// The compartment.
        index: usize,
    },
    /// Parents must be numbered before their children.
    #[error("compartment {index} has parent {parent}; a parent must come before its child")]
    ParentNotBefore {
        /// The compartment.
        index: usize,
        /// Its parent.
        parent: usize,
    },
    /// A vector had the wrong number of entries.
    #[error("{what} has {got} entries for {expected} compartments")]
    LengthMismatch {
        /// Which vector.
        what: &'static str,
        /// The number of compartments.
        expected: usize,
        /// The number of entries given.
        got: usize,
    },
    /// A compartment index out of range.
    #[error("compartment {index} does not exist (the tree has {len})")]
    NoSuchCompartment {
        /// The index.
        index: usize,
        /// The number of compartments.
        len: usize,
    },
    /// The time step must be positive and finite.
    #[error("time step must be positive and finite, got {0} ms")]
    BadTimeStep(f64),
    /// A section of a morphology is malformed.
    #[error("section `{section}`: {message}")]
    BadSection {
        /// The section's name (or its index when it has no usable name).
        section: String,
        /// What is wrong.
        message: String,
    },
    /// A cell with more compartments than can be simulated here.
    #[error(
        "{compartments} compartments in all, more than the {limit} a cell may have; use fewer compartments (a larger d_lambda)"
    )]
    TooManyCompartments {
        /// How many the sections ask for.
        compartments: usize,
        /// The limit.
        limit: usize,
    },
    /// The simulation became non-finite (an unstable or diverging model).
    #[error(
        "the membrane potential became {value} mV in compartment {compartment} at t = {time_ms} ms; the model diverged (time step too large for the channels, or a runaway input?)"
    )]
    Diverged {
        /// Where.
        compartment: usize,
        /// When, ms.
        time_ms: f64,
        /// The value.
        value: f64,
    },
    /// The steady state does not exist (no leak and no clamp: the matrix is singular).
    #[error("no unique steady state: the system is singular (no leak conductance and no clamp?)")]
    Singular,
}

/// Passive membrane and cytoplasm constants, shared by the compartments of a cable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PassiveMembrane {
    /// Specific membrane capacitance, µF/cm².
    pub c_m: f64,
    /// Axial resistivity, Ω·cm.
    pub r_a: f64,
    /// Specific leak conductance, S/cm² (`1/R_m`).
    pub g_leak: f64,
    /// Leak reversal potential, mV.
    pub e_leak: f64,
}

impl PassiveMembrane {
    /// The length constant `λ = sqrt(d R_m / (4 R_a))` of a cylinder of this diameter, in µm.
    pub fn length_constant_um(&self, diameter_um: f64) -> f64 {
        (diameter_um * UM_TO_CM / (4.0 * self.r_a * self.g_leak)).sqrt() / UM_TO_CM
    }

    /// The membrane time constant `τ_m = R_m c_m = c_m / g_leak`, in ms.
    pub fn time_constant_ms(&self) -> f64 {
        // µF/cm² / (S/cm²) = µs; in ms:
        self.c_m / self.g_leak * 1e-3
    }

    /// The axial resistance per unit length `r_a = 4 R_a / (π d²)`, in MΩ/µm.
    pub fn axial_resistance_per_um(&self, diameter_um: f64) -> f64 {
        let d_cm = diameter_um * UM_TO_CM;
        // Ω/cm → MΩ/µm
        4.0 * self.r_a / (PI * d_cm * d_cm) * UM_TO_CM * 1e-6
    }
}

/// One cylindrical compartment of a [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compartment {
    /// The parent compartment: `None` for the root (index 0) only, otherwise an index smaller
    /// than this compartment's.
    pub parent: Option<usize>,
    /// Length, µm.
    pub length_um: f64,
    /// Diameter, µm.
    pub diameter_um: f64,
    /// Membrane and cytoplasm constants.
    pub membrane: PassiveMembrane,
}

impl Compartment {
    /// Membrane area, µm².
    pub fn area_um2(&self) -> f64 {
        PI * self.diameter_um * self.length_um
    }

    /// Axial resistance of half the compartment (centre to end), MΩ.
    fn half_axial_resistance_mohm(&self) -> f64 {
        self.membrane.axial_resistance_per_um(self.diameter_um) * self.length_um / 2.0
    }
}

/// A neuron's morphology as a tree of compartments, with the derived electrical constants.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    compartments: Vec<Compartment>,
    /// `parent[0] = 0` (unused); `parent[i] < i`.
    parent: Vec<usize>,
    /// Capacitance, nF.
    capacitance_nf: Vec<f64>,
    /// Leak conductance, µS.
    leak_us: Vec<f64>,
    /// Axial conductance to the parent, µS (`axial_us[0] = 0`).
    axial_us: Vec<f64>,
}

impl Tree {
    /// A tree from its compartments, checked: compartment 0 is the root and has no parent,
    /// every other has a parent with a smaller index, lengths, diameters, `c_m` and `R_a` are
    /// positive, `g_leak` is non-negative, and everything is finite.
    pub fn new(compartments: Vec<Compartment>) -> Result<Self, CableError> {
        if compartments.is_empty() {
            return Err(CableError::Empty);
        }
        let mut parent = Vec::with_capacity(compartments.len());
        for (index, c) in compartments.iter().enumerate() {
            let positive = [
                ("length_um", c.length_um),
                ("diameter_um", c.diameter_um),
                ("c_m", c.membrane.c_m),
                ("r_a", c.membrane.r_a),
            ];
            for (field, value) in positive {
                if !(value > 0.0 && value.is_finite()) {
                    return Err(CableError::NotPositive {
                        index,
                        field,
                        value,
                    });
                }
            }
            let g = c.membrane.g_leak;
            if !(g >= 0.0 && g.is_finite()) {
                return Err(CableError::NotPositive {
                    index,
                    field: "g_leak (non-negative)",
                    value: g,
                });
            }
            if !c.membrane.e_leak.is_finite() {
                return Err(CableError::NotFinite {
                    what: format!("e_leak of compartment {index}"),
                    value: c.membrane.e_leak,
                });
            }
            match (index, c.parent) {
                (0, None) => parent.push(0),
                (0, Some(p)) => return Err(CableError::RootHasParent { parent: p }),
                (_, None) => return Err(CableError::MissingParent { index }),
                (_, Some(p)) if p >= index => {
                    return Err(CableError::ParentNotBefore { index, parent: p });
                }
                (_, Some(p)) => parent.push(p),
            }
        }
        // nF = µF/cm² · cm² · 1e3; µS = S/cm² · cm² · 1e6.
        let capacitance_nf = compartments
            .iter()
            .map(|c| c.membrane.c_m * c.area_um2() * UM2_TO_CM2 * 1e3)
            .collect();
        let leak_us = compartments
            .iter()
            .map(|c| c.membrane.g_leak * c.area_um2() * UM2_TO_CM2 * 1e6)
            .collect();
        let axial_us = (0..compartments.len())
            .map(|i| {
                if i == 0 {
                    0.0
                } else {
                    let r = compartments[i].half_axial_resistance_mohm()
                        + compartments[parent[i]].half_axial_resistance_mohm();
                    1.0 / r
                }
            })
            .collect();
        Ok(Tree {
            compartments,
            parent,
            capacitance_nf,
            leak_us,
            axial_us,
        })
    }

    /// An unbranched cable sealed at both ends, split into `compartments` equal compartments;
    /// compartment 0 lies at `x = 0`, compartment `k` is centred on `x = (k + ½) L / N`.
    pub fn cable(
        length_um: f64,
        diameter_um: f64,
        compartments: usize,
        membrane: PassiveMembrane,
    ) -> Result<Self, CableError> {
        if compartments == 0 {
            return Err(CableError::Empty);
        }
        let piece = length_um / compartments as f64;
        Tree::new(
            (0..compartments)
                .map(|k| Compartment {
                    parent: k.checked_sub(1),
                    length_um: piece,
                    diameter_um,
                    membrane,
                })
                .collect(),
        )
    }

    /// The number of compartments.
    pub fn len(&self) -> usize {
        self.compartments.len()
    }

    /// Never true: a tree has at least one compartment.
    pub fn is_empty(&self) -> bool {
        self.compartments.is_empty()
    }

    /// The compartments.
    pub fn compartments(&self) -> &[Compartment] {
        &self.compartments
    }

    /// Parent indices, with `parents()[0] = 0` standing for the root's absent parent.
    pub fn parents(&self) -> &[usize] {
        &self.parent
    }

    /// Capacitance of each compartment, nF.
    pub fn capacitances_nf(&self) -> &[f64] {
        &self.capacitance_nf
    }

    /// Leak conductance of each compartment, µS.
    pub fn leak_conductances_us(&self) -> &[f64] {
        &self.leak_us
    }

    /// Axial conductance between each compartment and its parent, µS (0 for the root).
    pub fn axial_conductances_us(&self) -> &[f64] {
        &self.axial_us
    }
}

//! Morphologies as sections (unbranched neurites), and their discretisation into a [`Tree`]
//! of compartments.
//!
//! A section is an unbranched cylinder (or a 3-D path of points with varying diameter, as read
//! from an SWC file) with its own membrane constants, channels and number of compartments,
//! attached at a position along its parent section. This is how NEURON describes cells, and
//! it lets a user say "the middle of the apical dendrite" instead of "compartment 317".

use super::channels::HhChannels;
use super::tree::PassiveMembrane;

/// A point of a section's 3-D path (as in an SWC file), µm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathPoint {
    /// Coordinates, µm.
    pub x: f64,
    /// Coordinates, µm.
    pub y: f64,
    /// Coordinates, µm.
    pub z: f64,
    /// Diameter at this point, µm.
    pub diameter_um: f64,
}

/// Where a section joins its parent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attachment {
    /// Index of the parent section (smaller than the child's).
    pub section: usize,
    /// Position along the parent, from 0 (its start) to 1 (its end).
    pub position: f64,
}

/// An unbranched neurite.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The section's name, unique in its morphology (e.g. `soma`, `dend[3]`).
    pub name: String,
    /// The parent section and where on it this one starts; `None` for the root only.
    pub parent: Option<Attachment>,
    /// Length, µm (the path length of `points` when there are points).
    pub length_um: f64,
    /// Diameter, µm (used when `points` is empty).
    pub diameter_um: f64,
    /// The section's 3-D path with diameters, from its start to its end; empty for a
    /// cylinder of `length_um` and `diameter_um` laid out automatically when drawn.
    pub points: Vec<PathPoint>,
    /// Number of compartments, at least 1.
    pub compartments: usize,
    /// Passive membrane and cytoplasm constants.
    pub membrane: PassiveMembrane,
    /// Hodgkin–Huxley sodium and potassium channels, if the section is active.
    pub hh: Option<HhChannels>,
}

/// A neuron's morphology: sections, the root first, each parent before its children.
#[derive(Clone, Debug, PartialEq)]
pub struct Morphology {
    sections: Vec<Section>,
}

/// A location on a morphology: a section and a position along it (0 = start, 1 = end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Location {
    /// The section's index.
    pub section: usize,
    /// Position along the section, 0 to 1.
    pub position: f64,
}

/// A morphology split into compartments: the [`Tree`] and, for each compartment, where it
/// lies.
#[derive(Clone, Debug, PartialEq)]
pub struct Discretization {
    /// The compartments, numbered section by section in section order, each section's from
    /// its start to its end.
    pub tree: super::tree::Tree,
    /// The section of each compartment.
    pub section: Vec<usize>,
    /// The position of each compartment's centre along its section, 0 to 1.
    pub position: Vec<f64>,
    /// The path distance of each compartment's centre from the start of the root section, µm.
    pub distance_from_root_um: Vec<f64>,
    /// Each compartment's start and end in the plane (x, y), µm, for drawing: from the
    /// sections' points where they have them (projected on x–y), otherwise laid out so that
    /// children fan out from their parent.
    pub segments_um: Vec<[[f64; 2]; 2]>,
    /// The first compartment of each section.
    pub first_compartment: Vec<usize>,
    /// The Hodgkin–Huxley channels of each compartment, if any.
    pub hh: Vec<Option<HhChannels>>,
}

impl Morphology {
    /// The sections.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The index of the section called `name`.
    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }
}


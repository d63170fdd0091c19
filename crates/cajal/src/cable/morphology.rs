//! Morphologies as sections (unbranched neurites), and their discretisation into a [`Tree`]
//! of compartments.
//!
//! A section is an unbranched cylinder (or a 3-D path of points with varying diameter, as read
//! from an SWC file) with its own membrane constants, channels and number of compartments,
//! attached at a position along its parent section. This is how NEURON describes cells, and
//! it lets a user say "the middle of the apical dendrite" instead of "compartment 317".

use super::channels::HhChannels;
use super::tree::{CableError, Compartment, PassiveMembrane, Tree};
use std::f64::consts::PI;

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

/// A morphology split into compartments: the [`Tree`](super::Tree) and, for each compartment, where it
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

/// The most compartments a cell may have: about 200 bytes each while it runs, so 2 GB. The
/// d_lambda rule gives thousands for a detailed reconstruction; more means a mistake (a tiny
/// d_lambda, a count with extra zeros).
pub const MAX_COMPARTMENTS: usize = 10_000_000;

fn bad_section(section: &Section, index: usize, message: impl Into<String>) -> CableError {
    let name = if section.name.is_empty() {
        format!("#{index}")
    } else {
        section.name.clone()
    };
    CableError::BadSection {
        section: name,
        message: message.into(),
    }
}

fn positive(value: f64) -> bool {
    value > 0.0 && value.is_finite()
}

impl Section {
    /// The length-weighted mean diameter, µm: `diameter_um` for a cylinder, the mean over the
    /// path (diameters interpolated linearly between points) otherwise.
    pub fn mean_diameter_um(&self) -> f64 {
        if self.points.len() < 2 {
            return self.diameter_um;
        }
        let total = path_length(&self.points);
        if total <= 0.0 {
            return self.diameter_um;
        }
        mean_diameter_between(&self.points, 0.0, total)
    }
}

/// Total length of a path, µm.
fn path_length(points: &[PathPoint]) -> f64 {
    points.windows(2).map(|w| distance(&w[0], &w[1])).sum()
}

fn distance(a: &PathPoint, b: &PathPoint) -> f64 {
    ((b.x - a.x).powi(2) + (b.y - a.y).powi(2) + (b.z - a.z).powi(2)).sqrt()
}

/// The point (with interpolated diameter) at path length `s` from the start.
fn point_at_length(points: &[PathPoint], s: f64) -> PathPoint {
    let mut walked = 0.0;
    for w in points.windows(2) {
        let piece = distance(&w[0], &w[1]);
        if walked + piece >= s && piece > 0.0 {
            let f = ((s - walked) / piece).clamp(0.0, 1.0);
            return PathPoint {
                x: w[0].x + f * (w[1].x - w[0].x),
                y: w[0].y + f * (w[1].y - w[0].y),
                z: w[0].z + f * (w[1].z - w[0].z),
                diameter_um: w[0].diameter_um + f * (w[1].diameter_um - w[0].diameter_um),
            };
        }
        walked += piece;
    }
    points[points.len() - 1]
}

/// Mean diameter over the path between lengths `from` and `to` (the diameter varies
/// linearly between points, so the mean of each piece is the mean of its ends).
fn mean_diameter_between(points: &[PathPoint], from: f64, to: f64) -> f64 {
    let mut walked = 0.0f64;
    let mut integral = 0.0;
    for w in points.windows(2) {
        let piece = distance(&w[0], &w[1]);
        let (a, b) = (walked.max(from), (walked + piece).min(to));
        if b > a && piece > 0.0 {
            let da = point_at_length(w, a - walked).diameter_um;
            let db = point_at_length(w, b - walked).diameter_um;
            integral += 0.5 * (da + db) * (b - a);
        }
        walked += piece;
    }
    if to > from {
        integral / (to - from)
    } else {
        point_at_length(points, from).diameter_um
    }
}

impl Morphology {
    /// A morphology from its sections, checked: section 0 is the root and the only one
    /// without a parent, each parent comes before its children, names are unique and not
    /// empty, attachment positions lie in [0, 1], sizes are positive and finite, every section
    /// has at least one compartment, and a section with a path has at least two points.
    pub fn new(sections: Vec<Section>) -> Result<Morphology, CableError> {
        if sections.is_empty() {
            return Err(CableError::Empty);
        }
        for (index, section) in sections.iter().enumerate() {
            if section.name.is_empty() {
                return Err(bad_section(section, index, "a section needs a name"));
            }
            if sections[..index].iter().any(|s| s.name == section.name) {
                return Err(bad_section(section, index, "two sections have this name"));
            }
            match (index, section.parent) {
                (0, None) => {}
                (0, Some(_)) => {
                    return Err(bad_section(
                        section,
                        index,
                        "the first section is the root and cannot have a parent",
                    ));
                }
                (_, None) => {
                    return Err(bad_section(
                        section,
                        index,
                        "has no parent; only the root section may have none",
                    ));
                }
                (_, Some(attachment)) => {
                    if attachment.section >= index {
                        return Err(bad_section(
                            section,
                            index,
                            format!(
                                "its parent (section {}) must come before it",
                                attachment.section
                            ),
                        ));
                    }
                    if !(0.0..=1.0).contains(&attachment.position) {
                        return Err(bad_section(
                            section,
                            index,
                            format!(
                                "attachment position {} is outside [0, 1]",
                                attachment.position
                            ),
                        ));
                    }
                }
            }
            if section.compartments == 0 {
                return Err(bad_section(
                    section,
                    index,
                    "needs at least one compartment",
                ));
            }
            if !positive(section.length_um) {
                return Err(bad_section(
                    section,
                    index,
                    format!("length must be positive, got {} µm", section.length_um),
                ));
            }
            if section.points.is_empty() {
                if !positive(section.diameter_um) {
                    return Err(bad_section(
                        section,
                        index,
                        format!("diameter must be positive, got {} µm", section.diameter_um),
                    ));
                }
            } else {
                if section.points.len() < 2 {
                    return Err(bad_section(
                        section,
                        index,
                        "a path needs at least two points",
                    ));
                }
                for (k, p) in section.points.iter().enumerate() {
                    if !(p.x.is_finite() && p.y.is_finite() && p.z.is_finite()) {
                        return Err(bad_section(
                            section,
                            index,
                            format!("point {k} has a non-finite coordinate"),
                        ));
                    }
                    if !positive(p.diameter_um) {
                        return Err(bad_section(
                            section,
                            index,
                            format!("point {k} has diameter {} µm", p.diameter_um),
                        ));
                    }
                }
                if !positive(path_length(&section.points)) {
                    return Err(bad_section(section, index, "its path has zero length"));
                }
            }
        }
        Ok(Morphology { sections })
    }

    /// Splits every section into its compartments: equal lengths along the section, each a
    /// cylinder of the section's diameter (the mean diameter over its stretch of the path
    /// when the section has one). The first compartment of a section is joined to the
    /// compartment of the parent that contains the attachment point.
    pub fn discretize(&self) -> Result<Discretization, CableError> {
        let count = self
            .sections
            .iter()
            .fold(0usize, |total, s| total.saturating_add(s.compartments));
        if count > MAX_COMPARTMENTS {
            return Err(CableError::TooManyCompartments {
                compartments: count,
                limit: MAX_COMPARTMENTS,
            });
        }
        let mut compartments = Vec::with_capacity(count);
        let mut section_of = Vec::with_capacity(count);
        let mut position = Vec::with_capacity(count);
        let mut distance_from_root_um = Vec::with_capacity(count);
        let mut first_compartment = Vec::with_capacity(self.sections.len());
        let mut hh = Vec::with_capacity(count);
        let mut start_distance = vec![0.0; self.sections.len()];
        for (index, section) in self.sections.iter().enumerate() {
            let first = compartments.len();
            first_compartment.push(first);
            let n = section.compartments;
            let piece = section.length_um / n as f64;
            let parent_compartment = section.parent.map(|a| {
                start_distance[index] =
                    start_distance[a.section] + a.position * self.sections[a.section].length_um;
                locate_in(&first_compartment, &self.sections, a.section, a.position)
            });
            let path_total = path_length(&section.points);
            for k in 0..n {
                let diameter_um = if section.points.len() >= 2 {
                    let scale = path_total / section.length_um;
                    mean_diameter_between(
                        &section.points,
                        k as f64 * piece * scale,
                        (k + 1) as f64 * piece * scale,
                    )
                } else {
                    section.diameter_um
                };
                compartments.push(Compartment {
                    parent: if k == 0 {
                        parent_compartment
                    } else {
                        Some(first + k - 1)
                    },
                    length_um: piece,
                    diameter_um,
                    membrane: section.membrane,
                });
                section_of.push(index);
                position.push((k as f64 + 0.5) / n as f64);
                distance_from_root_um.push(start_distance[index] + (k as f64 + 0.5) * piece);
                hh.push(section.hh);
            }
        }
        let tree = Tree::new(compartments).map_err(|e| match e {
            CableError::NotPositive {
                index,
                field,
                value,
            } => CableError::BadSection {
                section: self.sections[section_of[index]].name.clone(),
                message: format!("{field} must be positive and finite, got {value}"),
            },
            CableError::NotFinite { what, value } => CableError::BadSection {
                section: "?".into(),
                message: format!("{what} must be finite, got {value}"),
            },
            other => other,
        })?;
        let segments_um = self.layout(&first_compartment, count);
        Ok(Discretization {
            tree,
            section: section_of,
            position,
            distance_from_root_um,
            segments_um,
            first_compartment,
            hh,
        })
    }

    /// Where each compartment is drawn: along the section's path where it has one, otherwise
    /// as a straight line from its attachment point, children fanned out around their
    /// parent's direction (forward at the parent's far end, backward at its start, sideways
    /// in between).
    fn layout(&self, first_compartment: &[usize], count: usize) -> Vec<[[f64; 2]; 2]> {
        // Start point and direction (radians) of each section's straight drawing.
        let mut start = vec![[0.0f64; 2]; self.sections.len()];
        let mut angle = vec![0.0f64; self.sections.len()];
        let mut children_seen: Vec<Vec<(i8, usize)>> = vec![Vec::new(); self.sections.len()];
        let mut segments = vec![[[0.0; 2]; 2]; count];
        for (index, section) in self.sections.iter().enumerate() {
            if let Some(a) = section.parent {
                let parent = &self.sections[a.section];
                let (point, direction) = if parent.points.len() >= 2 {
                    let total = path_length(&parent.points);
                    let s = a.position * total;
                    let here = point_at_length(&parent.points, s);
                    let ahead = point_at_length(&parent.points, (s + 1e-3 * total).min(total));
                    let behind = point_at_length(&parent.points, (s - 1e-3 * total).max(0.0));
                    (
                        [here.x, here.y],
                        (ahead.y - behind.y).atan2(ahead.x - behind.x),
                    )
                } else {
                    let along = a.position * parent.length_um;
                    let p = start[a.section];
                    let t = angle[a.section];
                    ([p[0] + along * t.cos(), p[1] + along * t.sin()], t)
                };
                let side: i8 = if a.position >= 0.75 {
                    0
                } else if a.position <= 0.25 {
                    2
                } else {
                    1
                };
                let siblings = self
                    .sections
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        s.parent.is_some_and(|b| {
                            b.section == a.section
                                && (if b.position >= 0.75 {
                                    0
                                } else if b.position <= 0.25 {
                                    2
                                } else {
                                    1
                                }) == side
                        })
                    })
                    .count();
                let rank = children_seen[a.section]
                    .iter()
                    .filter(|(s, _)| *s == side)
                    .count();
                children_seen[a.section].push((side, index));
                let base = direction + f64::from(side) * PI / 2.0;
                let spread = if siblings > 1 {
                    (PI / 2.0) * (rank as f64 / (siblings - 1) as f64 - 0.5)
                } else {
                    0.0
                };
                start[index] = point;
                angle[index] = base + spread;
            }
            let n = section.compartments;
            let first = first_compartment[index];
            for k in 0..n {
                let (f0, f1) = (k as f64 / n as f64, (k + 1) as f64 / n as f64);
                segments[first + k] = if section.points.len() >= 2 {
                    let total = path_length(&section.points);
                    let a = point_at_length(&section.points, f0 * total);
                    let b = point_at_length(&section.points, f1 * total);
                    [[a.x, a.y], [b.x, b.y]]
                } else {
                    let (p, t, l) = (start[index], angle[index], section.length_um);
                    [
                        [p[0] + f0 * l * t.cos(), p[1] + f0 * l * t.sin()],
                        [p[0] + f1 * l * t.cos(), p[1] + f1 * l * t.sin()],
                    ]
                };
            }
        }
        segments
    }

    /// The sections.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The index of the section called `name`.
    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }
}

/// The compartment of section `section` that contains `position`.
fn locate_in(first: &[usize], sections: &[Section], section: usize, position: f64) -> usize {
    let n = sections[section].compartments;
    let k = ((position.clamp(0.0, 1.0) * n as f64).floor() as usize).min(n - 1);
    first[section] + k
}

impl Discretization {
    /// The number of compartments.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Never true: a discretisation has at least one compartment.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The compartment that contains a location. Positions are clamped to [0, 1]; at a
    /// boundary between two compartments the later one is chosen, and position 1 is the
    /// section's last compartment.
    ///
    /// # Panics
    ///
    /// If the section index is out of range.
    pub fn locate(&self, location: Location) -> usize {
        let section = location.section;
        let first = self.first_compartment[section];
        let end = self
            .first_compartment
            .get(section + 1)
            .copied()
            .unwrap_or(self.tree.len());
        let n = end - first;
        first + ((location.position.clamp(0.0, 1.0) * n as f64).floor() as usize).min(n - 1)
    }

    /// The compartments of a section, in order from its start.
    pub fn compartments_of(&self, section: usize) -> std::ops::Range<usize> {
        let first = self.first_compartment[section];
        let end = self
            .first_compartment
            .get(section + 1)
            .copied()
            .unwrap_or(self.tree.len());
        first..end
    }
}

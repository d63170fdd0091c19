//! Reading reconstructed morphologies from SWC files (the NeuroMorpho.org standard).
//!
//! An SWC file lists one point per line, `id type x y z radius parent`, with coordinates and
//! radii in µm, `#` starting a comment and `parent = -1` marking the root. Structure types are
//! 1 soma, 2 axon, 3 basal dendrite and 4 apical dendrite; any other number is a custom type
//! (Cannon et al. 1998, *J. Neurosci. Methods* 84:49; Ascoli et al. 2007, NeuroMorpho.org).
//!
//! [`parse_swc`] turns the points into NEURON-style sections; its documentation gives the
//! rules.

use std::collections::HashMap;

use super::morphology::{Attachment, PathPoint};

/// An SWC structure type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwcType {
    /// Type 1.
    Soma,
    /// Type 2.
    Axon,
    /// Type 3 (basal dendrite).
    BasalDendrite,
    /// Type 4 (apical dendrite).
    ApicalDendrite,
    /// Any other type number (0 undefined, 5 fork point, 6 end point, 7 and up custom).
    Other(i32),
}

impl SwcType {
    fn from_code(code: i32) -> Self {
        match code {
            1 => SwcType::Soma,
            2 => SwcType::Axon,
            3 => SwcType::BasalDendrite,
            4 => SwcType::ApicalDendrite,
            other => SwcType::Other(other),
        }
    }

    /// NEURON's name for the `k`-th section of this type (`soma`, `axon[0]`, `dend[2]`, ...).
    fn section_name(self, k: usize) -> String {
        match self {
            // NEURON calls the single soma just `soma`; further soma sections (a branched soma
            // outline) get indices so that names stay unique.
            SwcType::Soma if k == 0 => "soma".to_string(),
            SwcType::Soma => format!("soma[{k}]"),
            SwcType::Axon => format!("axon[{k}]"),
            SwcType::BasalDendrite => format!("dend[{k}]"),
            SwcType::ApicalDendrite => format!("apic[{k}]"),
            SwcType::Other(t) => format!("custom{t}[{k}]"),
        }
    }
}

/// One unbranched section read from an SWC file.
#[derive(Clone, Debug, PartialEq)]
pub struct SwcSection {
    /// NEURON's name for it: `soma`, `axon[0]`, `dend[0]`, `apic[0]`, `custom7[0]`, ...
    pub name: String,
    /// The structure type of its points.
    pub kind: SwcType,
    /// The parent section (an index into the list [`parse_swc`] returns, smaller than this
    /// section's) and where on it this one starts; `None` for the root only.
    pub parent: Option<Attachment>,
    /// The section's path, from its start to its end, with diameters (`2 × radius`), µm.
    pub points: Vec<PathPoint>,
}

/// Why an SWC file could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SwcError {
    /// The 1-based line of the offending point; 0 for problems of the whole file (no points).
    pub line: usize,
    /// What is wrong, naming the field and its value.
    pub message: String,
}

impl SwcError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        SwcError {
            line,
            message: message.into(),
        }
    }
}

/// One point as read, before the tree is resolved.
#[derive(Clone, Copy, Debug)]
struct RawPoint {
    line: usize,
    id: i64,
    kind: SwcType,
    x: f64,
    y: f64,
    z: f64,
    radius: f64,
    /// `None` for the root (`-1`).
    parent_id: Option<i64>,
}

impl RawPoint {
    fn path_point(&self) -> PathPoint {
        self.with_diameter(2.0 * self.radius)
    }

    fn with_diameter(&self, diameter_um: f64) -> PathPoint {
        PathPoint {
            x: self.x,
            y: self.y,
            z: self.z,
            diameter_um,
        }
    }

    fn distance(&self, other: &RawPoint) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2) + (self.z - other.z).powi(2))
            .sqrt()
    }
}

/// Reads an integer field. Exporters sometimes write `3.0`; that is accepted, `2.5` is not.
fn integer_field(line: usize, field: &str, text: &str) -> Result<i64, SwcError> {
    if let Ok(v) = text.parse::<i64>() {
        return Ok(v);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(v as i64),
        Ok(v) if v.is_finite() => Err(SwcError::new(
            line,
            format!("{field} must be an integer, got {text:?}"),
        )),
        _ => Err(SwcError::new(
            line,
            format!("{field} is not a number: {text:?}"),
        )),
    }
}

/// Reads a real field, which must be finite: NaN or infinite coordinates would silently
/// poison every length and area downstream.
fn real_field(line: usize, field: &str, text: &str) -> Result<f64, SwcError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(SwcError::new(
            line,
            format!("{field} must be finite, got {text:?}"),
        )),
        Err(_) => Err(SwcError::new(
            line,
            format!("{field} is not a number: {text:?}"),
        )),
    }
}

fn parse_line(line: usize, content: &str) -> Result<RawPoint, SwcError> {
    let fields: Vec<&str> = content.split_whitespace().collect();
    if fields.len() != 7 {
        return Err(SwcError::new(
            line,
            format!(
                "expected 7 fields (id type x y z radius parent), got {}: {content:?}",
                fields.len()
            ),
        ));
    }
    let id = integer_field(line, "id", fields[0])?;
    if id < 0 {
        return Err(SwcError::new(
            line,
            format!("id must not be negative (-1 means \"no parent\"), got {id}"),
        ));
    }
    let type_code = integer_field(line, "type", fields[1])?;
    let type_code = i32::try_from(type_code)
        .map_err(|_| SwcError::new(line, format!("type {type_code} is out of range")))?;
    let x = real_field(line, "x", fields[2])?;
    let y = real_field(line, "y", fields[3])?;
    let z = real_field(line, "z", fields[4])?;
    let radius = real_field(line, "radius", fields[5])?;
    if radius <= 0.0 {
        return Err(SwcError::new(
            line,
            format!("radius must be positive, got {radius}"),
        ));
    }
    let parent = integer_field(line, "parent", fields[6])?;
    let parent_id = match parent {
        -1 => None,
        p if p < 0 => {
            return Err(SwcError::new(
                line,
                format!("parent must be -1 (root) or a point id, got {p}"),
            ));
        }
        p => Some(p),
    };
    Ok(RawPoint {
        line,
        id,
        kind: SwcType::from_code(type_code),
        x,
        y,
        z,
        radius,
        parent_id,
    })
}

/// Reads the points and checks each line on its own, and ids for duplicates.
fn read_points(text: &str) -> Result<Vec<RawPoint>, SwcError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut points = Vec::new();
    let mut first_line_of_id: HashMap<i64, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = match raw.find('#') {
            Some(hash) => &raw[..hash],
            None => raw,
        };
        if content.trim().is_empty() {
            continue;
        }
        let point = parse_line(line, content.trim())?;
        if let Some(first) = first_line_of_id.insert(point.id, line) {
            return Err(SwcError::new(
                line,
                format!("duplicate id {} (first used on line {first})", point.id),
            ));
        }
        points.push(point);
    }
    Ok(points)
}

/// The resolved tree of points: each point's parent and children (in file order), by index.
struct PointTree {
    points: Vec<RawPoint>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    root: usize,
}

fn resolve_tree(points: Vec<RawPoint>) -> Result<PointTree, SwcError> {
    if points.is_empty() {
        return Err(SwcError::new(0, "the file has no points"));
    }
    let index_of: HashMap<i64, usize> = points.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut parent = Vec::with_capacity(points.len());
    let mut root = None;
    for p in &points {
        match p.parent_id {
            None => {
                if let Some(r) = root {
                    let first: &RawPoint = &points[r];
                    return Err(SwcError::new(
                        p.line,
                        format!(
                            "point {} is a second root (parent -1); point {} on line {} is \
                             already the root",
                            p.id, first.id, first.line
                        ),
                    ));
                }
                root = Some(parent.len());
                parent.push(None);
            }
            Some(pid) => match index_of.get(&pid) {
                Some(&i) => parent.push(Some(i)),
                None => {
                    return Err(SwcError::new(
                        p.line,
                        format!("parent {pid} of point {} is not in the file", p.id),
                    ));
                }
            },
        }
    }
    let mut children = vec![Vec::new(); points.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(i);
        }
    }
    // Every point has exactly one parent, so a point that cannot be reached from the root
    // lies on, or hangs off, a cycle.
    let mut reached = vec![false; points.len()];
    if let Some(r) = root {
        let mut stack = vec![r];
        reached[r] = true;
        while let Some(i) = stack.pop() {
            for &c in &children[i] {
                if !reached[c] {
                    reached[c] = true;
                    stack.push(c);
                }
            }
        }
    }
    if let Some(start) = reached.iter().position(|&r| !r) {
        return Err(cycle_error(&points, &parent, start));
    }
    match root {
        Some(root) => Ok(PointTree {
            points,
            parent,
            children,
            root,
        }),
        // Unreachable: with no root nothing is reached and `cycle_error` returned above.
        None => Err(SwcError::new(0, "no root point (parent -1)")),
    }
}

/// Reports the cycle that `start` (unreachable from the root) leads into, at the first line
/// of its members, so that the user sees the loop rather than a point hanging off it.
fn cycle_error(points: &[RawPoint], parent: &[Option<usize>], start: usize) -> SwcError {
    // Walking up `n` parents from an unreachable point must land on the cycle.
    let mut on_cycle = start;
    for _ in 0..points.len() {
        match parent[on_cycle] {
            Some(p) => on_cycle = p,
            None => break,
        }
    }
    let mut members = vec![on_cycle];
    let mut i = on_cycle;
    while let Some(p) = parent[i] {
        if p == on_cycle || members.len() > points.len() {
            break;
        }
        members.push(p);
        i = p;
    }
    let first = members
        .iter()
        .copied()
        .min_by_key(|&m| points[m].line)
        .unwrap_or(on_cycle);
    let mut ids: Vec<i64> = members.iter().map(|&m| points[m].id).collect();
    ids.sort_unstable();
    let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    SwcError::new(
        points[first].line,
        format!(
            "point {} is in a cycle of parents (ids {}): it is not connected to the root",
            points[first].id,
            ids.join(", ")
        ),
    )
}

/// The soma section's points and which SWC points it consumes.
struct Soma {
    path: Vec<PathPoint>,
    members: Vec<usize>,
}

/// Relative tolerance for recognising NeuroMorpho's three-point soma: its side points are
/// written with the same rounding as the radius, so exact equality would be too strict.
const THREE_POINT_TOLERANCE: f64 = 0.01;

/// Builds the soma section from the soma points connected to a soma root.
fn soma_from_root(tree: &PointTree) -> Soma {
    let root = tree.root;
    let points = &tree.points;
    let c = &points[root];
    let soma_children = |i: usize| -> Vec<usize> {
        tree.children[i]
            .iter()
            .copied()
            .filter(|&k| points[k].kind == SwcType::Soma)
            .collect()
    };
    let root_kids = soma_children(root);
    if root_kids.is_empty() {
        // A sphere of radius r has the area 4πr² of a cylinder of length and diameter 2r.
        let r = c.radius;
        return Soma {
            path: vec![
                PathPoint {
                    x: c.x - r,
                    ..c.path_point()
                },
                PathPoint {
                    x: c.x + r,
                    ..c.path_point()
                },
            ],
            members: vec![root],
        };
    }
    if let [a, b] = root_kids[..] {
        let (pa, pb) = (&points[a], &points[b]);
        let r = c.radius;
        let near = |v: f64, want: f64| (v - want).abs() <= THREE_POINT_TOLERANCE * want;
        let opposite = ((pa.x - c.x) + (pb.x - c.x)).powi(2)
            + ((pa.y - c.y) + (pb.y - c.y)).powi(2)
            + ((pa.z - c.z) + (pb.z - c.z)).powi(2);
        let three_point = soma_children(a).is_empty()
            && soma_children(b).is_empty()
            && near(pa.distance(c), r)
            && near(pb.distance(c), r)
            && near(pa.radius, r)
            && near(pb.radius, r)
            && opposite.sqrt() <= 2.0 * THREE_POINT_TOLERANCE * r;
        if three_point {
            return Soma {
                path: vec![
                    pa.with_diameter(2.0 * r),
                    c.with_diameter(2.0 * r),
                    pb.with_diameter(2.0 * r),
                ],
                members: vec![root, a, b],
            };
        }
    }
    // A contour or path: follow the unbranched chains of soma points on either side of the
    // root (at most two); soma points off those chains become sections of their own.
    let chain = |start: usize| -> Vec<usize> {
        let mut out = vec![start];
        let mut i = start;
        while let [next] = soma_children(i)[..] {
            out.push(next);
            i = next;
        }
        out
    };
    // With two chains, the first (in file order) is walked backwards into the root so that
    // the path reads like NeuroMorpho's three-point soma: first side point, centre, second.
    let mut order: Vec<usize> = Vec::new();
    let mut after = root_kids[0];
    if let Some(&second) = root_kids.get(1) {
        let mut before = chain(root_kids[0]);
        before.reverse();
        order.extend(before);
        after = second;
    }
    order.push(root);
    order.extend(chain(after));
    Soma {
        path: order.iter().map(|&i| points[i].path_point()).collect(),
        members: order,
    }
}

/// A section still to be traced: its first SWC point, its parent section and where on it,
/// and the point to put before it (the parent's end point).
struct Pending {
    start: usize,
    parent: Option<Attachment>,
    lead: Option<PathPoint>,
}

/// Reads an SWC file into unbranched sections, parents before children, the root first.
///
/// The points become sections the way NEURON's `Import3d` makes them, so that a model can
/// name `dend[3]` or `apic[0]` and mean what a NEURON user means:
///
/// * a section is a run of points of one type without branch points; a point with two or more
///   children ends its section, and so does a change of type;
/// * a section starts with its parent's end point (at that point's diameter), so that path
///   distance is continuous along the cell — except for children of the soma, which start at
///   their own first point, because the soma's points lie inside the soma and carry its large
///   diameter (a soma child of a single point runs from the soma point it hangs on, at its own
///   diameter, so that it has a length);
/// * children of the soma attach to its middle (0.5), every other child to its parent's end;
/// * the soma is one section: a one-point soma (a sphere of radius `r`) becomes a cylinder of
///   length and diameter `2r` along x, which has the sphere's area `4πr²`; NeuroMorpho's
///   three-point soma (a centre and two points at `±r`) becomes the same cylinder through its
///   three points; any other chain of soma points (a contour or a path, at most two chains
///   leaving the root) is kept as it is, and soma points off it become `soma[1]`, `soma[2]`...;
/// * sections are numbered per type in depth-first order, children in file order; a root that
///   is not a soma point starts the first section, whatever its type.
///
/// Every problem in the file is reported with its line: a line without exactly 7 fields, a
/// field that is not a number (or not an integer for id, type and parent), a duplicate id, a
/// parent id that is nowhere in the file (parents may come after their children), a second
/// root, a cycle of parents, a radius that is not positive, coordinates that are not finite,
/// and a file without points (line 0).
pub fn parse_swc(text: &str) -> Result<Vec<SwcSection>, SwcError> {
    let tree = resolve_tree(read_points(text)?)?;
    let points = &tree.points;

    let mut sections: Vec<SwcSection> = Vec::new();
    // The soma's points: their children attach at 0.5 and start without a lead point.
    let mut in_soma = vec![false; points.len()];
    let mut stack: Vec<Pending> = Vec::new();

    if points[tree.root].kind == SwcType::Soma {
        let soma = soma_from_root(&tree);
        for &m in &soma.members {
            in_soma[m] = true;
        }
        sections.push(SwcSection {
            name: String::new(),
            kind: SwcType::Soma,
            parent: None,
            points: soma.path,
        });
        // Children of the soma's points, in file order, pushed in reverse so that they are
        // traced (and numbered) in file order.
        let mut exits: Vec<usize> = soma
            .members
            .iter()
            .flat_map(|&m| tree.children[m].iter().copied())
            .filter(|&k| !in_soma[k])
            .collect();
        exits.sort_unstable_by_key(|&k| points[k].line);
        for &k in exits.iter().rev() {
            stack.push(Pending {
                start: k,
                parent: Some(Attachment {
                    section: 0,
                    position: 0.5,
                }),
                lead: None,
            });
        }
    } else {
        stack.push(Pending {
            start: tree.root,
            parent: None,
            lead: None,
        });
    }

    while let Some(pending) = stack.pop() {
        let kind = points[pending.start].kind;
        let mut path: Vec<PathPoint> = pending.lead.into_iter().collect();
        let mut i = pending.start;
        path.push(points[i].path_point());
        loop {
            match tree.children[i][..] {
                [next] if points[next].kind == kind => {
                    i = next;
                    path.push(points[i].path_point());
                }
                _ => break,
            }
        }
        if path.len() == 1 {
            // A soma child that branches (or ends) at its first point would have no length;
            // run it from the soma point it hangs on, at its own diameter.
            if let Some(p) = tree.parent[pending.start] {
                path.insert(0, points[p].with_diameter(path[0].diameter_um));
            }
        }
        let index = sections.len();
        let end = points[i].path_point();
        sections.push(SwcSection {
            name: String::new(),
            kind,
            parent: pending.parent,
            points: path,
        });
        for &k in tree.children[i].iter().rev() {
            stack.push(Pending {
                start: k,
                parent: Some(Attachment {
                    section: index,
                    position: 1.0,
                }),
                lead: Some(end),
            });
        }
    }

    // Few distinct types occur, so a list is as good as a map.
    let mut counts: Vec<(SwcType, usize)> = Vec::new();
    for s in &mut sections {
        let k = match counts.iter_mut().find(|(t, _)| *t == s.kind) {
            Some((_, k)) => k,
            None => {
                counts.push((s.kind, 0));
                let last = counts.len() - 1;
                &mut counts[last].1
            }
        };
        s.name = s.kind.section_name(*k);
        *k += 1;
    }
    Ok(sections)
}

#[cfg(test)]
mod tests;

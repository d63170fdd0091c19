//! The morphology of a cable model: explicit `[section.*]` tables resolved by name, or an SWC
//! reconstruction with membranes and channels per structure type.

use std::ops::Range;
use std::path::Path;

use super::{
    HhChannels, MembraneDefaults, PassiveMembrane, positive, read_channels, read_d_lambda,
    read_membrane,
};
use crate::cable::{
    Attachment, Morphology, PathPoint, Section, SwcSection, SwcType, d_lambda_compartments,
    parse_swc,
};
use crate::spec::document::Source;
use crate::spec::error::{SpecError, closest};
use crate::spec::model::resolve;
use crate::spec::reader::{Located, TableReader};
use crate::units::Dimension;

/// A morphology with where it was written and the d_lambda that applies to it.
pub(super) struct ReadMorphology {
    pub morphology: Morphology,
    pub d_lambda: f64,
    /// `section` or `morphology.swc`, for errors about the whole morphology.
    pub key: &'static str,
    pub span: Range<usize>,
    /// Sections whose far end is killed (held at its leak reversal potential).
    pub killed_ends: Vec<usize>,
}

/// Reads `[section.*]` or `[morphology]` (exactly one of them).
pub(super) fn read_morphology(
    root: &mut TableReader,
    defaults: &MembraneDefaults,
    base_directory: &Path,
) -> Result<ReadMorphology, SpecError> {
    let sections = root.table("section")?;
    let morphology = root.table("morphology")?;
    match (sections, morphology) {
        (Some(_), Some(morphology)) => Err(morphology
            .error_here("both [section.*] and [morphology]")
            .with_hint("describe the cell either by sections or by an SWC file, not both")),
        (Some(sections), None) => read_sections(sections, defaults),
        (None, Some(morphology)) => read_swc_morphology(morphology, defaults, base_directory),
        (None, None) => Err(root
            .error_here("no morphology")
            .expected("[section.NAME] tables or [morphology] with swc = \"cell.swc\"")),
    }
}

/// A section as written, before its parent is resolved.
struct Written {
    name: String,
    /// Where `[section.NAME]` is written.
    span: Range<usize>,
    parent: Option<Located<String>>,
    attach: f64,
    /// Where `end = "killed"` is written, if it is.
    killed: Option<Range<usize>>,
    section: Section,
}

fn read_sections(
    mut table: TableReader,
    defaults: &MembraneDefaults,
) -> Result<ReadMorphology, SpecError> {
    let source = table.source();
    let span = table.span();
    let names = table.keys();
    if names.is_empty() {
        return Err(table
            .error_here("no sections")
            .expected("[section.soma] with length and diameter"));
    }
    let mut written = Vec::with_capacity(names.len());
    for &name in &names {
        let reader = table.table(name)?.expect("the key is in the table");
        written.push(read_section(reader, name, defaults)?);
    }
    table.finish()?;
    let order = parents_first(source, &written, &names)?;
    // The new index of each written section.
    let mut index_of = vec![0; written.len()];
    for (new, &old) in order.iter().enumerate() {
        index_of[old] = new;
    }
    let mut sections = Vec::with_capacity(written.len());
    for &old in &order {
        let mut section = written[old].section.clone();
        section.parent = written[old].parent.as_ref().map(|parent| Attachment {
            section: index_of[position_of(&names, &parent.value)],
            position: written[old].attach,
        });
        sections.push(section);
    }
    let morphology = Morphology::new(sections).map_err(|error| {
        // Every rule of Morphology::new is checked above with its place in the file; this is
        // a safety net.
        SpecError::new(source, span.clone(), error.to_string()).with_key("section")
    })?;
    // A killed end is the end of the neurite: nothing may grow from it.
    for section in &written {
        let Some(span) = &section.killed else {
            continue;
        };
        if let Some(child) = written.iter().find(|child| {
            child.attach >= 1.0
                && child
                    .parent
                    .as_ref()
                    .is_some_and(|parent| parent.value == section.name)
        }) {
            return Err(SpecError::new(
                source,
                span.clone(),
                format!(
                    "section `{}` has a killed end, but `{}` is attached there",
                    section.name, child.name
                ),
            )
            .with_key(format!("section.{}.end", section.name))
            .with_hint("a killed end is the end of a neurite; attach the child elsewhere"));
        }
    }
    let killed_ends = order
        .iter()
        .enumerate()
        .filter(|&(_, &old)| written[old].killed.is_some())
        .map(|(new, _)| new)
        .collect();
    Ok(ReadMorphology {
        morphology,
        d_lambda: defaults.d_lambda,
        key: "section",
        span,
        killed_ends,
    })
}

fn position_of(names: &[&str], name: &str) -> usize {
    names
        .iter()
        .position(|&n| n == name)
        .expect("parents are checked to be sections")
}

fn read_section(
    mut reader: TableReader,
    name: &str,
    defaults: &MembraneDefaults,
) -> Result<Written, SpecError> {
    let span = reader.span();
    let parent = reader.string("parent")?;
    let attach = reader.quantity("attach", Dimension::DIMENSIONLESS)?;
    if let Some(attach) = &attach {
        if parent.is_none() {
            return Err(reader
                .error_at(
                    "attach",
                    attach.span.clone(),
                    "the root section has no parent",
                )
                .with_hint("`attach` says where a section joins its parent; add `parent`"));
        }
        if !(0.0..=1.0).contains(&attach.value) {
            return Err(reader
                .error_at("attach", attach.span.clone(), "outside the parent section")
                .expected("a position from 0 (the parent's start) to 1 (its end)")
                .found(attach.value.to_string()));
        }
    }
    let required = |reader: &mut TableReader, key: &'static str| {
        positive(reader, key, Dimension::LENGTH)?.ok_or_else(|| {
            reader
                .error_here(format!("missing `{key}`"))
                .expected(format!("{key} = \"10 um\""))
        })
    };
    let length = required(&mut reader, "length")?;
    let diameter = required(&mut reader, "diameter")?;
    let compartments = reader.unsigned("compartments")?;
    if let Some(count) = &compartments
        && count.value == 0
    {
        return Err(reader
            .error_at(
                "compartments",
                count.span.clone(),
                "a section needs a compartment",
            )
            .expected("an integer >= 1")
            .found("0"));
    }
    let membrane = read_membrane(&mut reader, defaults.membrane)?;
    let hh = read_channels(&mut reader)?;
    // A killed end (cut, or held at rest by a large conductance) instead of the sealed end
    // of an intact neurite tip.
    let killed = reader
        .choice("end", &["sealed", "killed"])?
        .filter(|end| end.value == "killed")
        .map(|end| end.span);
    reader.finish()?;
    let compartments = match compartments {
        Some(count) => count.value as usize,
        None => d_lambda_compartments(length.value, diameter.value, &membrane, defaults.d_lambda),
    };
    Ok(Written {
        name: name.to_string(),
        span,
        parent,
        attach: attach.map_or(1.0, |a| a.value),
        killed,
        section: Section {
            name: name.to_string(),
            parent: None,
            length_um: length.value,
            diameter_um: diameter.value,
            points: Vec::new(),
            compartments,
            membrane,
            hh,
        },
    })
}

/// The written sections' indices with every parent before its children: repeatedly the
/// first section in file order whose parent is placed, so a file written parents first keeps
/// its order. Fails on unknown parents, on other than one root, and on cycles.
fn parents_first(
    source: &Source,
    written: &[Written],
    names: &[&str],
) -> Result<Vec<usize>, SpecError> {
    let mut parent = Vec::with_capacity(written.len());
    for section in written {
        let Some(name) = &section.parent else {
            parent.push(None);
            continue;
        };
        let Some(index) = names.iter().position(|&n| n == name.value) else {
            let mut error = SpecError::new(
                source,
                name.span.clone(),
                format!("no section `{}`", name.value),
            )
            .with_key(format!("section.{}.parent", section.name))
            .expected(format!("one of {}", names.join(", ")))
            .found(format!("\"{}\"", name.value));
            if let Some(near) = closest(&name.value, names.iter().copied()) {
                error = error.with_hint(format!("did you mean \"{near}\"?"));
            }
            return Err(error);
        };
        parent.push(Some(index));
    }
    let roots: Vec<usize> = (0..written.len())
        .filter(|&i| parent[i].is_none())
        .collect();
    if roots.len() > 1 {
        let (first, second) = (&written[roots[0]], &written[roots[1]]);
        return Err(SpecError::new(
            source,
            second.span.clone(),
            format!(
                "two root sections: `{}` and `{}` have no parent",
                first.name, second.name
            ),
        )
        .with_key(format!("section.{}", second.name))
        .with_hint(format!(
            "a cell has one root; give `{}` a parent, e.g. parent = \"{}\"",
            second.name, first.name
        )));
    }
    let mut placed = vec![false; written.len()];
    let mut order = Vec::with_capacity(written.len());
    while order.len() < written.len() {
        let next = (0..written.len()).find(|&i| !placed[i] && parent[i].is_none_or(|p| placed[p]));
        let Some(next) = next else {
            return Err(cycle_error(source, written, &parent, &placed));
        };
        placed[next] = true;
        order.push(next);
    }
    Ok(order)
}

/// The error for sections that cannot be placed: they are in, or hang from, a cycle of
/// parents (with no root at all, every section is).
fn cycle_error(
    source: &Source,
    written: &[Written],
    parent: &[Option<usize>],
    placed: &[bool],
) -> SpecError {
    let start = placed
        .iter()
        .position(|&p| !p)
        .expect("called with sections left");
    // Follow parents from `start` until one repeats: that one is on the cycle.
    let mut seen = vec![false; written.len()];
    let mut at = start;
    while !seen[at] {
        seen[at] = true;
        at = parent[at].expect("unplaced sections have parents");
    }
    let mut cycle = vec![at];
    let mut next = parent[at].expect("on the cycle");
    while next != at {
        cycle.push(next);
        next = parent[next].expect("on the cycle");
    }
    let first = *cycle.iter().min().expect("not empty");
    let path: Vec<&str> = cycle
        .iter()
        .chain(std::iter::once(&cycle[0]))
        .map(|&i| written[i].name.as_str())
        .collect();
    let parent_name = written[first]
        .parent
        .as_ref()
        .expect("on the cycle, so it has a parent");
    let mut error = SpecError::new(
        source,
        parent_name.span.clone(),
        format!(
            "sections are their own ancestors: {} (each is the parent of the one before)",
            path.join(" → ")
        ),
    )
    .with_key(format!("section.{}.parent", written[first].name));
    if !written.iter().any(|w| w.parent.is_none()) {
        error = error.with_hint("no section is the root; the root is the one without `parent`");
    }
    error
}

/// The membrane and channels of each SWC structure type.
#[derive(Clone, Copy)]
struct TypeProperties {
    membrane: PassiveMembrane,
    hh: Option<HhChannels>,
}

/// The per-type tables of `[morphology]`, in the order of the slots of [`TypeProperties`]
/// (soma, axon, basal dendrite, apical dendrite; a fifth slot keeps `[membrane]` for other
/// types).
const SWC_TYPE_KEYS: &[&str] = &["soma", "axon", "dendrite", "apical"];

fn read_swc_morphology(
    mut reader: TableReader,
    defaults: &MembraneDefaults,
    base_directory: &Path,
) -> Result<ReadMorphology, SpecError> {
    let source = reader.source();
    let file = reader.required_string("swc", "\"cell.swc\"")?;
    let d_lambda = read_d_lambda(&mut reader)?.unwrap_or(defaults.d_lambda);
    let mut properties = [TypeProperties {
        membrane: defaults.membrane,
        hh: None,
    }; 5];
    for (slot, &key) in properties.iter_mut().zip(SWC_TYPE_KEYS) {
        if let Some(mut table) = reader.table(key)? {
            slot.membrane = read_membrane(&mut table, defaults.membrane)?;
            slot.hh = read_channels(&mut table)?;
            table.finish()?;
        }
    }
    reader.finish()?;
    let at_file = |message: String| {
        SpecError::new(source, file.span.clone(), message)
            .with_key("morphology.swc")
            .found(format!("\"{}\"", file.value))
    };
    let path = resolve(base_directory, &file.value);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| at_file(format!("cannot read {}: {error}", path.display())))?;
    let swc = parse_swc(&text).map_err(|error| at_file(format!("{}: {error}", path.display())))?;
    if swc.is_empty() {
        return Err(at_file(format!("{}: no points", path.display())));
    }
    let sections = swc
        .into_iter()
        .map(|section| swc_section(section, &properties, d_lambda))
        .collect();
    let morphology = Morphology::new(sections)
        .map_err(|error| at_file(format!("{}: {error}", path.display())))?;
    Ok(ReadMorphology {
        morphology,
        d_lambda,
        key: "morphology.swc",
        span: file.span,
        // Reconstructed neurites end sealed.
        killed_ends: Vec::new(),
    })
}

fn swc_section(section: SwcSection, properties: &[TypeProperties; 5], d_lambda: f64) -> Section {
    // Types beyond the standard four (custom, undefined) get [membrane] and no channels.
    let TypeProperties { membrane, hh } = match section.kind {
        SwcType::Soma => properties[0],
        SwcType::Axon => properties[1],
        SwcType::BasalDendrite => properties[2],
        SwcType::ApicalDendrite => properties[3],
        SwcType::Other(_) => properties[4],
    };
    let (length_um, diameter_um, points) = path_geometry(section.points);
    Section {
        compartments: d_lambda_compartments(length_um, diameter_um, &membrane, d_lambda),
        name: section.name,
        parent: section.parent,
        length_um,
        diameter_um,
        points,
        membrane,
        hh,
    }
}

/// Length (the path length), diameter (the length-weighted mean of the segments' mean
/// diameters, which keeps the membrane area of a tapering path) and the points to keep.
///
/// A path of no length (a one-point soma) becomes NEURON's cylinder of length equal to its
/// diameter, with no points, so that it is drawn as a cylinder.
fn path_geometry(points: Vec<PathPoint>) -> (f64, f64, Vec<PathPoint>) {
    let mut length = 0.0;
    let mut weighted = 0.0;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let segment = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2) + (b.z - a.z).powi(2)).sqrt();
        length += segment;
        weighted += segment * 0.5 * (a.diameter_um + b.diameter_um);
    }
    if length > 0.0 {
        (length, weighted / length, points)
    } else {
        let diameter =
            points.iter().map(|p| p.diameter_um).sum::<f64>() / points.len().max(1) as f64;
        (diameter, diameter, Vec::new())
    }
}

//! Numbers of a parsed model replaced by dotted key paths, for parameter sweeps.
//!
//! A path names tables by their keys and array items by `[index]`: `coupling.E.I`,
//! `input[0].amplitude`, `population.F.length[1]`. What may be replaced: every number the
//! file writes (plain, or a quantity string whose unit is kept), and the parameters, constant
//! inputs and delays (of declared couplings) of a rate model that the file leaves at their
//! defaults — those are added in their working unit.

use std::ops::Range;

use crate::neuron::rate::{self, TransferFunction};
use crate::parameters::ParameterDef;
use crate::spec::document::{Entry, Node, Source, Table, Value};
use crate::spec::error::{SpecError, closest};
use crate::units::{number_prefix_length, parse_quantity};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A key of a table.
    Key(String),
    /// An item of an array.
    Index(usize),
}

type Path = Vec<Step>;

/// A number that may be replaced.
struct Sweepable {
    /// Where it is (or would be) written.
    path: Path,
    /// Other paths naming it: the other symbols of a parameter.
    aliases: Vec<Path>,
    /// `None` if the file writes it; else `Some(unit)`, the unit to add it in (`None`: a
    /// plain number).
    absent_unit: Option<Option<&'static str>>,
}

fn format_path(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

/// `a.b[0].c` as steps; `None` if malformed.
fn parse_path(text: &str) -> Option<Path> {
    let mut path = Vec::new();
    for part in text.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return None;
        }
        path.push(Step::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let index = rest.strip_prefix('[')?[..close - 1].parse().ok()?;
            path.push(Step::Index(index));
            rest = &rest[close + 1..];
        }
    }
    Some(path)
}

fn key_path(base: &[Step], key: &str) -> Path {
    let mut path = base.to_vec();
    path.push(Step::Key(key.to_string()));
    path
}

fn table_at<'a>(table: &'a Table, key: &str) -> Option<&'a Table> {
    match &table.get(key)?.node.value {
        Value::Table(table) => Some(table),
        _ => None,
    }
}

/// The dotted paths of every number that may be replaced.
pub(super) fn numeric_paths(root: &Node) -> Vec<String> {
    sweepables(root)
        .iter()
        .map(|sweepable| format_path(&sweepable.path))
        .collect()
}

fn sweepables(root: &Node) -> Vec<Sweepable> {
    let mut written = Vec::new();
    collect_numbers(root, &mut Vec::new(), &mut written);
    let mut list: Vec<Sweepable> = written
        .into_iter()
        .map(|path| Sweepable {
            path,
            aliases: Vec::new(),
            absent_unit: None,
        })
        .collect();
    let Value::Table(root) = &root.value else {
        return list;
    };
    if let Some(populations) = table_at(root, "population") {
        for entry in &populations.entries {
            let Value::Table(population) = &entry.node.value else {
                continue;
            };
            let base = vec![Step::Key("population".into()), Step::Key(entry.key.clone())];
            add_parameters(&mut list, population, &base, rate::PARAMETERS);
            let transfer = table_at(population, "transfer");
            let kind =
                transfer
                    .and_then(|t| t.get("kind"))
                    .and_then(|kind| match &kind.node.value {
                        Value::String(kind) => Some(kind.as_str()),
                        _ => None,
                    });
            if population.get("input").is_none() {
                let unit = match kind {
                    Some("lif") => Some("mV"),
                    _ => None,
                };
                list.push(Sweepable {
                    path: key_path(&base, "input"),
                    aliases: Vec::new(),
                    absent_unit: Some(unit),
                });
            }
            if let (Some(transfer), Some(definitions)) =
                (transfer, kind.and_then(TransferFunction::parameters_of))
            {
                add_parameters(
                    &mut list,
                    transfer,
                    &key_path(&base, "transfer"),
                    definitions,
                );
            }
        }
    }
    if let Some(couplings) = table_at(root, "coupling") {
        let delays = table_at(root, "delay");
        for target in &couplings.entries {
            let Value::Table(row) = &target.node.value else {
                continue;
            };
            for source in &row.entries {
                let written = delays
                    .and_then(|d| table_at(d, &target.key))
                    .is_some_and(|d| d.get(&source.key).is_some());
                if !written {
                    list.push(Sweepable {
                        path: vec![
                            Step::Key("delay".into()),
                            Step::Key(target.key.clone()),
                            Step::Key(source.key.clone()),
                        ],
                        aliases: Vec::new(),
                        absent_unit: Some(Some("ms")),
                    });
                }
            }
        }
    }
    list
}

/// Every plain number and quantity string under `node`, in file order.
fn collect_numbers(node: &Node, path: &mut Path, out: &mut Vec<Path>) {
    match &node.value {
        Value::Table(table) => {
            for entry in &table.entries {
                path.push(Step::Key(entry.key.clone()));
                collect_numbers(&entry.node, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                collect_numbers(item, path, out);
                path.pop();
            }
        }
        Value::Integer(_) | Value::Float(_) => out.push(path.clone()),
        Value::String(text) if parse_quantity(text).is_ok() => out.push(path.clone()),
        _ => {}
    }
}

/// The parameters of `definitions` in `table` (at `base`): a written one gains its other
/// symbols as aliases, an absent one is added.
fn add_parameters(
    list: &mut Vec<Sweepable>,
    table: &Table,
    base: &[Step],
    definitions: &[ParameterDef],
) {
    for definition in definitions {
        let names: Vec<&str> = std::iter::once(definition.name)
            .chain(definition.aliases.iter().copied())
            .collect();
        let written = names.iter().find(|&&name| table.get(name).is_some());
        let main = written.copied().unwrap_or(definition.name);
        let aliases = names
            .iter()
            .filter(|&&name| name != main)
            .map(|name| key_path(base, name))
            .collect();
        let path = key_path(base, main);
        if written.is_some() {
            if let Some(sweepable) = list.iter_mut().find(|s| s.path == path) {
                sweepable.aliases = aliases;
            }
        } else {
            let unit = match definition.dimension.working_unit() {
                Some("1") | None => None,
                unit => unit,
            };
            list.push(Sweepable {
                path,
                aliases,
                absent_unit: Some(unit),
            });
        }
    }
}

/// Replaces the numbers that `overrides` name in `root`.
pub(super) fn apply(
    source: &Source,
    root: &mut Node,
    overrides: &[(String, f64)],
) -> Result<(), SpecError> {
    let list = sweepables(root);
    for (text, value) in overrides {
        let found = parse_path(text).and_then(|path| {
            list.iter()
                .find(|s| s.path == path || s.aliases.contains(&path))
        });
        let Some(sweepable) = found else {
            return Err(unknown_path(source, root, text, &list));
        };
        if !value.is_finite() {
            return Err(
                SpecError::new(source, root.span.clone(), "not a finite number")
                    .with_key(text.clone())
                    .found(value.to_string()),
            );
        }
        let anchor = root.span.start..root.span.start;
        match sweepable.absent_unit {
            None => set(root, &sweepable.path, *value),
            Some(unit) => {
                let value = match unit {
                    Some(unit) => Value::String(format!("{value} {unit}")),
                    None => Value::Float(*value),
                };
                insert(root, &sweepable.path, value, anchor);
            }
        }
    }
    Ok(())
}

/// Sets the written number at `path`, keeping a quantity's unit.
fn set(node: &mut Node, path: &[Step], value: f64) {
    let Some((step, rest)) = path.split_first() else {
        node.value = match &node.value {
            Value::Integer(_) if value.fract() == 0.0 && value.abs() < 9.0e15 => {
                Value::Integer(value as i64)
            }
            Value::String(text) => {
                let body = text.trim_start();
                let unit = &body[number_prefix_length(body)..];
                Value::String(format!("{value}{unit}"))
            }
            _ => Value::Float(value),
        };
        return;
    };
    let child = match (step, &mut node.value) {
        (Step::Key(key), Value::Table(table)) => table
            .entries
            .iter_mut()
            .find(|e| &e.key == key)
            .map(|e| &mut e.node),
        (Step::Index(index), Value::Array(items)) => items.get_mut(*index),
        _ => None,
    };
    set(child.expect("sweepables lists written paths"), rest, value);
}

/// Writes `value` at `path` (keys only), adding the tables on the way; new entries point at
/// `anchor`, the key of the deepest table that was there.
fn insert(node: &mut Node, path: &[Step], value: Value, anchor: Range<usize>) {
    let Some((Step::Key(key), rest)) = path.split_first() else {
        node.value = value;
        return;
    };
    let Value::Table(table) = &mut node.value else {
        unreachable!("absent paths run through tables")
    };
    if let Some(entry) = table.entries.iter_mut().find(|e| &e.key == key) {
        let anchor = entry.key_span.clone();
        insert(&mut entry.node, rest, value, anchor);
        return;
    }
    let mut child = Node {
        value: Value::Table(Table::default()),
        span: anchor.clone(),
    };
    insert(&mut child, rest, value, anchor.clone());
    table.entries.push(Entry {
        key: key.clone(),
        key_span: anchor,
        node: child,
    });
}

/// The error for a path that names no replaceable number.
fn unknown_path(source: &Source, root: &Node, text: &str, list: &[Sweepable]) -> SpecError {
    let paths: Vec<String> = list.iter().map(|s| format_path(&s.path)).collect();
    // Point at the deepest table of the path that the file has.
    let mut node = root;
    let mut span = root.span.start..root.span.start;
    let mut complete = true;
    for step in parse_path(text).unwrap_or_default() {
        let next = match (&step, &node.value) {
            (Step::Key(key), Value::Table(table)) => table.get(key).map(|e| {
                span = e.key_span.clone();
                &e.node
            }),
            (Step::Index(index), Value::Array(items)) => items.get(*index).inspect(|item| {
                span = item.span.clone();
            }),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => {
                complete = false;
                break;
            }
        }
    }
    let message = if complete {
        format!(
            "`{text}` is {}, not a number to override",
            node.value.kind_name()
        )
    } else {
        format!("the model has no number at `{text}` to override")
    };
    let mut error = SpecError::new(source, span, message)
        .with_key(text)
        .expected(format!("one of the model's numbers: {}", paths.join(", ")));
    let prefix = format!("{text}.");
    let inside: Vec<&str> = paths
        .iter()
        .filter(|p| p.starts_with(&prefix))
        .map(String::as_str)
        .collect();
    if complete && !inside.is_empty() {
        error = error.with_hint(format!("name one of its numbers: {}", inside.join(", ")));
    } else if let Some(near) = closest(text, paths.iter().map(String::as_str)) {
        error = error.with_hint(format!("did you mean `{near}`?"));
    }
    error
}

/// Adds to an error about an overridden key which override set it.
pub(super) fn explain(mut error: SpecError, overrides: &[(String, f64)]) -> SpecError {
    let Some(key) = error.key.clone() else {
        return error;
    };
    let related = |path: &str| {
        key == path || key.starts_with(&format!("{path}.")) || path.starts_with(&format!("{key}."))
    };
    if let Some((path, value)) = overrides.iter().rev().find(|(path, _)| related(path)) {
        let note = format!("`{path}` is set to {value} by an override");
        error.hint = Some(match error.hint.take() {
            Some(hint) => format!("{hint}; {note}"),
            None => note,
        });
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_with_keys_and_indices() {
        for text in ["population.E.input", "input[0].amplitude", "a.b[1][2].c"] {
            assert_eq!(format_path(&parse_path(text).unwrap()), text);
        }
        assert_eq!(parse_path("a..b"), None);
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(parse_path("a[1"), None);
    }
}

//! Reading one table of a model file: typed accessors that produce located errors, and a
//! final check that every key was understood (with a "did you mean" hint when not).

use std::ops::Range;

use super::document::{Entry, Node, Source, Table, Value};
use super::error::{SpecError, closest};
use crate::distribution::Distribution;
use crate::parameters::{ParameterDef, ParameterSet};
use crate::units::{Dimension, Quantity, Unit, parse_quantity};

/// A quantity read from the file, in working units, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Range<usize>,
}

/// A value the same for every neuron or synapse, or drawn for each from a distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Varying {
    /// One value for all (working units).
    Same(f64),
    /// Drawn independently for each.
    Drawn(Distribution),
}

/// Reads the keys of one table, remembering which were used and which are allowed.
pub struct TableReader<'a> {
    source: &'a Source,
    table: &'a Table,
    /// Dotted path of this table, e.g. `population.cell`.
    path: String,
    /// Span of the table (its header or inline braces), for errors about absent keys.
    span: Range<usize>,
    used: Vec<bool>,
    known: Vec<&'a str>,
}

impl<'a> TableReader<'a> {
    /// Reads `table`, found at `path` (dotted) and `span`.
    pub fn new(
        source: &'a Source,
        table: &'a Table,
        path: impl Into<String>,
        span: Range<usize>,
    ) -> Self {
        TableReader {
            source,
            table,
            path: path.into(),
            span,
            used: vec![false; table.entries.len()],
            known: Vec::new(),
        }
    }

    /// Reads the root node of a document, which must be a table.
    pub fn root(source: &'a Source, node: &'a Node) -> Result<Self, SpecError> {
        match &node.value {
            Value::Table(table) => Ok(TableReader::new(source, table, "", node.span.clone())),
            other => Err(
                SpecError::new(source, node.span.clone(), "expected a table")
                    .found(other.kind_name()),
            ),
        }
    }

    /// The file being read.
    pub fn source(&self) -> &'a Source {
        self.source
    }

    /// The dotted path of `key` in this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The dotted path of this table.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The span of this table.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// An error at this table (for absent keys and cross-key checks).
    pub fn error_here(&self, message: impl Into<String>) -> SpecError {
        let error = SpecError::new(self.source, self.span.clone(), message);
        if self.path.is_empty() {
            error
        } else {
            error.with_key(self.path.clone())
        }
    }

    /// An error at a value of this table.
    pub fn error_at(&self, key: &str, span: Range<usize>, message: impl Into<String>) -> SpecError {
        SpecError::new(self.source, span, message).with_key(self.key_path(key))
    }

    /// The entry for `key`, marking it as understood.
    pub fn entry(&mut self, key: &'a str) -> Option<&'a Entry> {
        self.known.push(key);
        let index = self.table.entries.iter().position(|e| e.key == key)?;
        self.used[index] = true;
        Some(&self.table.entries[index])
    }

    /// The entry for a parameter written under its name or one of its symbols.
    fn entry_any(&mut self, names: &[&'a str]) -> Result<Option<(&'a str, &'a Entry)>, SpecError> {
        let mut found: Option<(&'a str, &'a Entry)> = None;
        for &name in names {
            if let Some(entry) = self.entry(name) {
                if let Some((first, _)) = found {
                    return Err(self
                        .error_at(name, entry.key_span.clone(), "parameter given twice")
                        .with_hint(format!(
                            "`{name}` and `{first}` name the same parameter; keep one"
                        )));
                }
                found = Some((name, entry));
            }
        }
        Ok(found)
    }

    /// The keys of this table in file order (not marked as understood).
    pub fn keys(&self) -> Vec<&'a str> {
        self.table.entries.iter().map(|e| e.key.as_str()).collect()
    }

    /// Whether `key` is present (marks it understood).
    pub fn has(&mut self, key: &'a str) -> bool {
        self.entry(key).is_some()
    }

    /// A string value.
    pub fn string(&mut self, key: &'a str) -> Result<Option<Located<String>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        match &entry.node.value {
            Value::String(s) => Ok(Some(Located {
                value: s.clone(),
                span: entry.node.span.clone(),
            })),
            other => Err(self
                .error_at(key, entry.node.span.clone(), "wrong type")
                .expected("a string")
                .found(other.kind_name())),
        }
    }

    /// A required string value.
    pub fn required_string(
        &mut self,
        key: &'a str,
        example: &str,
    ) -> Result<Located<String>, SpecError> {
        match self.string(key)? {
            Some(value) => Ok(value),
            None => Err(self
                .error_here(format!("missing `{key}`"))
                .expected(format!("{key} = {example}"))),
        }
    }

    /// One of a fixed set of words, with a hint for near misses.
    pub fn choice(
        &mut self,
        key: &'a str,
        options: &[&'static str],
    ) -> Result<Option<Located<&'static str>>, SpecError> {
        let Some(located) = self.string(key)? else {
            return Ok(None);
        };
        match options.iter().find(|&&o| o == located.value) {
            Some(&option) => Ok(Some(Located {
                value: option,
                span: located.span,
            })),
            None => {
                let mut error = self
                    .error_at(
                        key,
                        located.span.clone(),
                        format!("unknown {key} `{}`", located.value),
                    )
                    .expected(format!("one of {}", quoted_list(options)))
                    .found(format!("\"{}\"", located.value));
                if let Some(near) = closest(&located.value, options.iter().copied()) {
                    error = error.with_hint(format!("did you mean \"{near}\"?"));
                }
                Err(error)
            }
        }
    }

    /// A non-negative integer.
    pub fn unsigned(&mut self, key: &'a str) -> Result<Option<Located<u64>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        match entry.node.value {
            Value::Integer(i) if i >= 0 => Ok(Some(Located {
                value: i as u64,
                span: entry.node.span.clone(),
            })),
            Value::Integer(i) => Err(self
                .error_at(key, entry.node.span.clone(), "must not be negative")
                .expected("an integer >= 0")
                .found(i.to_string())),
            ref other => Err(self
                .error_at(key, entry.node.span.clone(), "wrong type")
                .expected("an integer")
                .found(format!("{} {}", other.kind_name(), entry.node.describe()))),
        }
    }

    /// A boolean.
    pub fn boolean(&mut self, key: &'a str) -> Result<Option<Located<bool>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        match entry.node.value {
            Value::Boolean(b) => Ok(Some(Located {
                value: b,
                span: entry.node.span.clone(),
            })),
            ref other => Err(self
                .error_at(key, entry.node.span.clone(), "wrong type")
                .expected("true or false")
                .found(other.kind_name())),
        }
    }

    /// A sub-table.
    pub fn table(&mut self, key: &'a str) -> Result<Option<TableReader<'a>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        match &entry.node.value {
            Value::Table(table) => Ok(Some(TableReader::new(
                self.source,
                table,
                self.key_path(key),
                table_span(entry),
            ))),
            other => Err(self
                .error_at(key, entry.node.span.clone(), "wrong type")
                .expected("a table")
                .found(other.kind_name())),
        }
    }

    /// An array's items.
    pub fn array(&mut self, key: &'a str) -> Result<Option<Located<&'a [Node]>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        match &entry.node.value {
            Value::Array(items) => Ok(Some(Located {
                value: items.as_slice(),
                span: entry.node.span.clone(),
            })),
            other => Err(self
                .error_at(key, entry.node.span.clone(), "wrong type")
                .expected("an array")
                .found(other.kind_name())),
        }
    }

    /// A quantity of the given dimension, converted to working units.
    pub fn quantity(
        &mut self,
        key: &'a str,
        dimension: Dimension,
    ) -> Result<Option<Located<f64>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        let key_path = self.key_path(key);
        quantity_from_node(self.source, &entry.node, dimension, &key_path).map(Some)
    }

    /// A quantity that is either one value for all (`weight = "0.1 mV"`) or drawn per neuron
    /// or synapse from a distribution (`weight = { distribution = "normal", ... }`).
    pub fn quantity_or_distribution(
        &mut self,
        key: &'a str,
        dimension: Dimension,
    ) -> Result<Option<Located<Varying>>, SpecError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        let key_path = self.key_path(key);
        if let Value::Table(table) = &entry.node.value {
            let reader = TableReader::new(self.source, table, key_path, entry.key_span.clone());
            let distribution = read_distribution(reader, dimension)?;
            return Ok(Some(Located {
                value: Varying::Drawn(distribution.value),
                span: distribution.span,
            }));
        }
        let located = quantity_from_node(self.source, &entry.node, dimension, &key_path)?;
        Ok(Some(Located {
            value: Varying::Same(located.value),
            span: located.span,
        }))
    }

    /// A required quantity.
    pub fn required_quantity(
        &mut self,
        key: &'a str,
        dimension: Dimension,
    ) -> Result<Located<f64>, SpecError> {
        match self.quantity(key, dimension)? {
            Some(value) => Ok(value),
            None => Err(self
                .error_here(format!("missing `{key}`"))
                .expected(format!("{key} = {}", example_literal(dimension)))),
        }
    }

    /// Reads every declared parameter present in this table into a [`ParameterSet`],
    /// checking dimensions and ranges, and that required ones are there.
    pub fn parameters(
        &mut self,
        definitions: &'static [ParameterDef],
    ) -> Result<ParameterSet, SpecError> {
        self.parameters_per_neuron(definitions, |_, _, _| Ok(None))
    }

    /// Like [`Self::parameters`], but a parameter written as a table — a value per neuron,
    /// `{ distribution = "uniform", low = ..., high = ... }` or `{ file = "..." }` — is
    /// handed to `per_neuron` with its definition, its place in `definitions` and the
    /// table. It returns the value the set is to hold (the mean) with its span, or `None`
    /// if that parameter cannot vary across neurons.
    pub fn parameters_per_neuron(
        &mut self,
        definitions: &'static [ParameterDef],
        mut per_neuron: impl FnMut(
            &'static ParameterDef,
            usize,
            TableReader<'a>,
        ) -> Result<Option<Located<f64>>, SpecError>,
    ) -> Result<ParameterSet, SpecError> {
        let mut set = ParameterSet::defaults(definitions);
        for (index, definition) in definitions.iter().enumerate() {
            let names: Vec<&'a str> = std::iter::once(definition.name)
                .chain(definition.aliases.iter().copied())
                .collect();
            let Some((written, entry)) = self.entry_any(&names)? else {
                continue;
            };
            let key_path = self.key_path(written);
            if let Value::Table(table) = &entry.node.value {
                let reader = TableReader::new(self.source, table, key_path, entry.key_span.clone());
                let Some(mean) = per_neuron(definition, index, reader)? else {
                    return Err(self
                        .error_at(
                            written,
                            entry.node.span.clone(),
                            "this parameter cannot vary across neurons",
                        )
                        .expected(format!(
                            "a {} such as {}",
                            definition.dimension,
                            example_literal(definition.dimension)
                        ))
                        .found("a table"));
                };
                set.set(definition.name, mean.value, Some(mean.span.clone()))
                    .map_err(|problem| self.error_at(written, mean.span, problem.message))?;
                continue;
            }
            let located =
                quantity_from_node(self.source, &entry.node, definition.dimension, &key_path)?;
            if let Err(problem) =
                set.set(definition.name, located.value, Some(located.span.clone()))
            {
                return Err(self
                    .error_at(
                        written,
                        located.span,
                        format!("out of range: {}", problem.message),
                    )
                    .expected(format!(
                        "a {} {}",
                        definition.dimension,
                        definition.constraint.describe()
                    ))
                    .found(entry.node.describe()));
            }
        }
        if let Some(&missing) = set.missing().first() {
            let definition = set
                .definition(missing)
                .expect("missing() lists declared names");
            return Err(self
                .error_here(format!(
                    "missing parameter `{missing}` ({})",
                    definition.description
                ))
                .expected(format!(
                    "{missing} = {}",
                    example_literal(definition.dimension)
                )));
        }
        Ok(set)
    }

    /// Fails on any key that no accessor asked for, suggesting the nearest known key.
    pub fn finish(self) -> Result<(), SpecError> {
        for (entry, used) in self.table.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            let mut error = SpecError::new(
                self.source,
                entry.key_span.clone(),
                format!("unknown key `{}`", entry.key),
            )
            .with_key(self.key_path(&entry.key));
            let mut known = self.known.clone();
            known.sort_unstable();
            known.dedup();
            if let Some(near) = closest(&entry.key, known.iter().copied()) {
                error = error.with_hint(format!("did you mean `{near}`?"));
            } else if !known.is_empty() {
                error = error.with_hint(format!("known keys here: {}", known.join(", ")));
            }
            return Err(error);
        }
        Ok(())
    }
}

/// The span to report for a table entry: the key for tables (whose own span may cover the
/// whole section), the value otherwise.
fn table_span(entry: &Entry) -> Range<usize> {
    match entry.node.value {
        Value::Table(_) => entry.key_span.clone(),
        _ => entry.node.span.clone(),
    }
}

/// Reads a quantity of `dimension` from a node, in working units.
pub fn quantity_from_node(
    source: &Source,
    node: &Node,
    dimension: Dimension,
    key_path: &str,
) -> Result<Located<f64>, SpecError> {
    let span = node.span.clone();
    let error = |message: String| SpecError::new(source, span.clone(), message).with_key(key_path);
    let expected = format!("a {dimension} such as {}", example_literal(dimension));
    let quantity = match &node.value {
        Value::String(text) => parse_quantity(text).map_err(|unit_error| {
            // Point inside the string (+1 skips the opening quote) when the file holds it as
            // written; for escaped or multi-line strings point at the whole value.
            let verbatim = source.text.get(span.clone()) == Some(format!("\"{text}\"").as_str());
            let start = if verbatim {
                span.start + 1 + unit_error.position
            } else {
                span.start
            };
            let end = if verbatim {
                start.max(span.end - 1)
            } else {
                span.end
            };
            SpecError::new(source, start..end, unit_error.message)
                .with_key(key_path)
                .expected(expected.clone())
                .found(node.describe())
        })?,
        Value::Integer(_) | Value::Float(_) if dimension == Dimension::DIMENSIONLESS => {
            let value = match node.value {
                Value::Integer(i) => i as f64,
                Value::Float(f) => f,
                _ => unreachable!("matched above"),
            };
            Quantity {
                si_value: value,
                dimension,
            }
        }
        Value::Integer(_) | Value::Float(_) => {
            let number = node.describe();
            let unit = dimension.working_unit().unwrap_or("unit");
            return Err(error("a number without a unit".into())
                .expected(expected)
                .found(number.clone())
                .with_hint(format!(
                    "write the unit in a string, e.g. \"{number} {unit}\""
                )));
        }
        other => {
            return Err(error("wrong type".into())
                .expected(expected)
                .found(other.kind_name()));
        }
    };
    if quantity.dimension != dimension {
        return Err(
            error(format!("wrong dimension: this is a {}", quantity.dimension))
                .expected(expected)
                .found(node.describe()),
        );
    }
    let Some(unit) = Unit::working(dimension) else {
        return Err(error(format!("no working unit for {dimension}")));
    };
    let value = quantity.value_in(&unit);
    if !value.is_finite() {
        return Err(error("not a finite number".into())
            .expected(expected)
            .found(node.describe()));
    }
    Ok(Located { value, span })
}

/// How to write a quantity of this dimension in a model file.
pub fn example_literal(dimension: Dimension) -> String {
    match dimension.example() {
        Some(example) if dimension == Dimension::DIMENSIONLESS => example.to_string(),
        Some(example) => format!("\"{example}\""),
        None => format!("\"<number> <unit of {dimension}>\""),
    }
}

fn quoted_list(options: &[&str]) -> String {
    options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `{ distribution = "...", ... }` of values of `dimension`.
pub fn read_distribution(
    mut reader: TableReader,
    dimension: Dimension,
) -> Result<Located<Distribution>, SpecError> {
    let span = reader.span();
    let kind = reader
        .choice("distribution", Distribution::NAMES)?
        .ok_or_else(|| {
            reader
                .error_here("missing `distribution`")
                .expected(format!(
                    "distribution = one of {}",
                    quoted_list(Distribution::NAMES)
                ))
        })?;
    let distribution = match kind.value {
        "uniform" => Distribution::Uniform {
            low: reader.required_quantity("low", dimension)?.value,
            high: reader.required_quantity("high", dimension)?.value,
        },
        "normal" => Distribution::Normal {
            mean: reader.required_quantity("mean", dimension)?.value,
            std: reader.required_quantity("std", dimension)?.value,
        },
        "lognormal" => Distribution::LogNormal {
            mean: reader.required_quantity("mean", dimension)?.value,
            std: reader.required_quantity("std", dimension)?.value,
        },
        _ => Distribution::ClippedNormal {
            mean: reader.required_quantity("mean", dimension)?.value,
            std: reader.required_quantity("std", dimension)?.value,
            low: reader.required_quantity("low", dimension)?.value,
            high: reader.required_quantity("high", dimension)?.value,
        },
    };
    if let Err(message) = distribution.validate() {
        return Err(reader.error_here(message));
    }
    reader.finish()?;
    Ok(Located {
        value: distribution,
        span,
    })
}

//! A model file as a tree of values that remember where in the file they were written.
//!
//! The TOML parser gives byte spans; this module turns its borrowed tree into an owned one
//! and translates spans into the line and column a person sees in an editor.

use std::ops::Range;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::error::SpecError;

/// The text of a model file and the name to show for it in messages.
#[derive(Clone, Debug)]
pub struct Source {
    /// How to name the file in messages (usually its path as given).
    pub name: String,
    /// The full text.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl Source {
    /// Wraps a file's text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Source {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        // A span computed inside an escaped string may fall inside a character.
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (line + 1, column)
    }
}

/// A value of the model file with its byte span.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written (bytes of the file).
    pub span: Range<usize>,
}

/// The kinds of values a TOML file holds.
#[derive(Clone, Debug)]
pub enum Value {
    /// A string, e.g. `"20 ms"`.
    String(String),
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// A date or time (never valid in a model file; kept for the error message).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table (in file order).
    Table(Table),
}

impl Value {
    /// How to describe this kind of value in an error message.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// The value as written, shortened for messages (`"20 mV"`, `3`, `[...]`).
    pub fn describe(&self) -> String {
        match &self.value {
            Value::String(s) => format!("\"{s}\""),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
            Value::Array(_) => "an array".into(),
            Value::Table(_) => "a table".into(),
        }
    }
}

/// A table: keys with their spans, and values, in file order.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The entries in the order written.
    pub entries: Vec<Entry>,
}

/// One `key = value` of a table.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_span: Range<usize>,
    /// The value.
    pub node: Node,
}

impl Table {
    /// The entry for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.key == key)
    }
}

/// Parses TOML text into a [`Node`] tree; syntax errors carry the position.
pub fn parse_document(source: &Source) -> Result<Node, SpecError> {
    let parsed = DeTable::parse(&source.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        SpecError::new(source, span, error.message().trim().to_string())
            .with_hint("the file is not valid TOML; see https://toml.io for the syntax")
    })?;
    let span = parsed.span();
    let table = convert_table(source, parsed.into_inner())?;
    Ok(Node {
        value: Value::Table(table),
        span,
    })
}

fn convert_table(source: &Source, table: DeTable<'_>) -> Result<Table, SpecError> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = key.span();
        entries.push(Entry {
            key: key.into_inner().into_owned(),
            key_span,
            node: convert_value(source, value)?,
        });
    }
    Ok(Table { entries })
}

fn convert_value(source: &Source, value: toml::Spanned<DeValue<'_>>) -> Result<Node, SpecError> {
    let span = value.span();
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(integer) => {
            let digits = integer.as_str().replace('_', "");
            match i64::from_str_radix(&digits, integer.radix()) {
                Ok(i) => Value::Integer(i),
                Err(_) => {
                    return Err(SpecError::new(
                        source,
                        span,
                        format!("integer `{integer}` does not fit in 64 bits"),
                    ));
                }
            }
        }
        DeValue::Float(float) => {
            let text = float.as_str().replace('_', "");
            match text.parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => {
                    return Err(SpecError::new(
                        source,
                        span,
                        format!("`{text}` is not a number"),
                    ));
                }
            }
        }
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(array) => {
            let mut items = Vec::with_capacity(array.len());
            for item in array.iter().cloned() {
                items.push(convert_value(source, item)?);
            }
            Value::Array(items)
        }
        DeValue::Table(table) => Value::Table(convert_table(source, table)?),
    };
    Ok(Node { value, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let source = Source::new("x.toml", "a = 1\nµ = \"b\"\n");
        assert_eq!(source.line_column(0), (1, 1));
        assert_eq!(source.line_column(4), (1, 5));
        assert_eq!(source.line_column(6), (2, 1));
        // "µ" is two bytes but one column.
        assert_eq!(source.line_column(9), (2, 3));
    }

    #[test]
    fn values_keep_their_spans_and_order() {
        let text = "[simulation]\nduration = \"1 s\"\nseed = 1_000\n[b]\nz = 1.5\na = [1, 2]\n";
        let source = Source::new("x.toml", text);
        let root = parse_document(&source).unwrap();
        let Value::Table(root) = root.value else {
            panic!("root is a table")
        };
        let keys: Vec<_> = root.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["simulation", "b"]);
        let Value::Table(simulation) = &root.entries[0].node.value else {
            panic!()
        };
        let duration = simulation.get("duration").unwrap();
        assert_eq!(&text[duration.node.span.clone()], "\"1 s\"");
        assert!(matches!(
            simulation.get("seed").unwrap().node.value,
            Value::Integer(1000)
        ));
        let Value::Table(b) = &root.entries[1].node.value else {
            panic!()
        };
        let keys: Vec<_> = b.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["z", "a"]);
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let source = Source::new("bad.toml", "a = 1\nb = = 2\n");
        let error = parse_document(&source).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.to_string().starts_with("bad.toml:2:"), "{error}");
    }
}

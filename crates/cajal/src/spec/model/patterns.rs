//! Stored patterns of a population, their cues, and the `patterns` connection rule in model
//! files (see [`crate::connect::patterns`] for the equations).
//!
//! ```toml
//! [population.E]
//! model = "lif"
//! size = 1000
//! patterns = { count = 20, coding_level = 0.5 }   # random, exactly round(f·N) active each
//! # or: patterns = { file = "patterns.csv" }      # or .npy, P × N
//! # initial = { pattern = 3, flip = 0.1 }         # binary populations: a cued initial state
//!
//! [[projection]]
//! source = "E"
//! target = "E"
//! rule = "patterns"
//! learning = "hopfield"        # or "covariance"
//! weight = "40 mV"             # w: J_ij = (w/N) Σ_μ ξ̃_i^μ ξ̃_j^μ
//! probability = 0.5            # optional dilution
//!
//! [[input]]
//! target = "E"
//! kind = "pattern"             # amplitude·ξ_i^μ (cue bits) during [start, stop)
//! pattern = 3                  # numbered from 0
//! amplitude = "300 pA"
//! start = "100 ms"
//! stop = "200 ms"
//! flip = 0.2                   # optional: fraction of neurons whose cue bit is flipped
//! keep = 0.5                   # optional: fraction of the pattern's neurons cued
//! ```
//!
//! **Pattern files.** CSV: one pattern per row, one column per neuron, values 0/1 or −1/+1
//! (one convention per file); lines starting with `#` are skipped; no header. `.npy`: an
//! array of shape (P, N) (or (N,) for one pattern), any numeric type, C or Fortran order,
//! with the same values. A pattern must have active and inactive neurons (its overlap
//! divides by f_μ(1 − f_μ)). Errors name the line and column (CSV) or the element (.npy).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use npyz::{NpyFile, Order};

use super::resolve;
use crate::connect::{Cue, Patterns};
use crate::spec::error::SpecError;
use crate::spec::reader::TableReader;
use crate::units::Dimension;

/// Why a pattern file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PatternFileError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Something wrong at a place in the file.
    #[error("{path}, {place}: {message}")]
    At {
        /// The file.
        path: PathBuf,
        /// "line 3, column 7", "element (2, 5)", "the array".
        place: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads the patterns of a population of `size` neurons from `path` (CSV, or .npy by its
/// extension).
pub fn read_pattern_file(path: &Path, size: usize) -> Result<Patterns, PatternFileError> {
    let file = File::open(path).map_err(|source| PatternFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let error = |place: String, message: String| PatternFileError::At {
        path: path.to_path_buf(),
        place,
        message,
    };
    let is_npy = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("npy"));
    let mut bits = Bits::new(size);
    if is_npy {
        let npy = NpyFile::new(BufReader::new(file))
            .map_err(|e| error("the array".into(), format!("not a valid .npy file: {e}")))?;
        let shape = npy.shape().to_vec();
        let (rows, columns) = match shape.as_slice() {
            [n] => (1, *n as usize),
            [p, n] => (*p as usize, *n as usize),
            _ => {
                return Err(error(
                    "the array".into(),
                    format!("shape {shape:?}: expected (P, N), one pattern per row"),
                ));
            }
        };
        if columns != size {
            return Err(error(
                "the array".into(),
                format!("{columns} columns for a population of {size} neurons"),
            ));
        }
        let fortran = npy.order() == Order::Fortran;
        let data = crate::input::read_npy_numbers(npy).map_err(|m| error("the array".into(), m))?;
        for row in 0..rows {
            for column in 0..columns {
                // Element (row, column) sits at row·N + column in C order, column·P + row in
                // Fortran order.
                let index = if fortran {
                    column * rows + row
                } else {
                    row * columns + column
                };
                bits.push(data[index])
                    .map_err(|m| error(format!("element ({row}, {column})"), m))?;
            }
            bits.end_row().map_err(|m| error(format!("row {row}"), m))?;
        }
    } else {
        let mut rows = crate::csv_rows::Rows::new(BufReader::new(file));
        while let Some(row) = rows.next_row() {
            let (line, record) = row.map_err(|e| error(format!("line {}", e.line), e.message))?;
            if record.len() == 1 && record[0].is_empty() {
                continue;
            }
            if record.len() != size {
                return Err(error(
                    format!("line {line}"),
                    format!(
                        "{} columns for a population of {size} neurons; give one value per \
                         neuron",
                        record.len()
                    ),
                ));
            }
            for (column, cell) in record.iter().enumerate() {
                let place = || format!("line {line}, column {}", column + 1);
                let value = cell
                    .parse::<f64>()
                    .map_err(|_| error(place(), format!("\"{cell}\" is not 0, 1 or ±1")))?;
                bits.push(value).map_err(|m| error(place(), m))?;
            }
            bits.end_row()
                .map_err(|m| error(format!("line {line} (pattern {})", bits.rows), m))?;
        }
    }
    if bits.rows == 0 {
        return Err(error("the file".into(), "no pattern in the file".into()));
    }
    let Bits { rows, values, .. } = bits;
    Patterns::from_fn(rows, size, |mu, i| values[mu * size + i])
        .map_err(|e| error("the file".into(), e.to_string()))
}

/// Values collected row by row, checked for one convention (0/1 or −1/+1).
struct Bits {
    size: usize,
    rows: usize,
    values: Vec<bool>,
    /// The value inactive neurons have in this file: 0 or −1, once seen.
    inactive: Option<f64>,
    active_in_row: usize,
}

impl Bits {
    fn new(size: usize) -> Self {
        Bits {
            size,
            rows: 0,
            values: Vec::new(),
            inactive: None,
            active_in_row: 0,
        }
    }

    fn push(&mut self, value: f64) -> Result<(), String> {
        if value == 1.0 {
            self.values.push(true);
            self.active_in_row += 1;
            return Ok(());
        }
        if value != 0.0 && value != -1.0 {
            return Err(format!("{value} is not 0, 1 or ±1"));
        }
        match self.inactive {
            Some(inactive) if inactive != value => {
                return Err(format!(
                    "{value} after {inactive} earlier: a file holds 0/1 or −1/+1 values, not both"
                ));
            }
            _ => self.inactive = Some(value),
        }
        self.values.push(false);
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), String> {
        let active = std::mem::take(&mut self.active_in_row);
        self.rows += 1;
        if active == 0 || active == self.size {
            return Err(format!(
                "{active} of {} neurons active: a pattern needs active and inactive neurons",
                self.size
            ));
        }
        Ok(())
    }
}

/// Reads `patterns = { count, coding_level }` or `patterns = { file }` of population number
/// `population` of `size` neurons.
pub(super) fn read_patterns(
    population_table: &mut TableReader,
    size: usize,
    seed: u64,
    population: usize,
    base_directory: &Path,
) -> Result<Option<Arc<Patterns>>, SpecError> {
    let Some(mut reader) = population_table.table("patterns")? else {
        return Ok(None);
    };
    let patterns = if let Some(file) = reader.string("file")? {
        for key in ["count", "coding_level"] {
            if reader.has(key) {
                return Err(reader
                    .error_here(format!("`{key}` describes random patterns, not a file's"))
                    .with_key(reader.key_path(key))
                    .expected("either file = \"...\" or count and coding_level"));
            }
        }
        let path = resolve(base_directory, &file.value);
        read_pattern_file(&path, size).map_err(|error| {
            reader
                .error_at("file", file.span.clone(), error.to_string())
                .found(format!("\"{}\"", file.value))
        })?
    } else {
        let count = reader.unsigned("count")?.ok_or_else(|| {
            reader
                .error_here("missing `count`")
                .expected("count = 20, coding_level = 0.5 (or file = \"patterns.csv\")")
        })?;
        if count.value == 0 {
            return Err(reader
                .error_at("count", count.span, "no pattern to store")
                .expected("count >= 1")
                .found("0"));
        }
        let coding_level = reader
            .quantity("coding_level", Dimension::DIMENSIONLESS)?
            .ok_or_else(|| {
                reader
                    .error_here("missing `coding_level`")
                    .expected("coding_level = 0.5 (dense) or e.g. 0.1 (sparse)")
            })?;
        Patterns::random(
            usize::try_from(count.value).unwrap_or(usize::MAX),
            size,
            coding_level.value,
            seed,
            population as u64,
        )
        .map_err(|error| {
            reader
                .error_at("coding_level", coding_level.span.clone(), error.to_string())
                .found(format!(
                    "count = {}, coding_level = {}",
                    count.value, coding_level.value
                ))
        })?
    };
    reader.finish()?;
    Ok(Some(Arc::new(patterns)))
}

/// Reads `pattern` (numbered from 0), `flip` and `keep` of a cue from `reader`, checked
/// against `patterns` (`None` if the population stores none: an error naming `population`).
pub(super) fn read_cue(
    reader: &mut TableReader,
    patterns: Option<&Patterns>,
    population: &str,
) -> Result<Cue, SpecError> {
    let pattern = reader.unsigned("pattern")?.ok_or_else(|| {
        reader
            .error_here("missing `pattern`")
            .expected("pattern = 0 (patterns are numbered from 0)")
    })?;
    let Some(patterns) = patterns else {
        return Err(reader
            .error_at(
                "pattern",
                pattern.span,
                format!("population `{population}` stores no patterns"),
            )
            .with_hint(format!(
                "add patterns = {{ count = 10, coding_level = 0.5 }} to [population.{population}]"
            )));
    };
    let mut fraction = |key: &'static str, default: f64| -> Result<f64, SpecError> {
        match reader.quantity(key, Dimension::DIMENSIONLESS)? {
            None => Ok(default),
            Some(value) if (0.0..=1.0).contains(&value.value) => Ok(value.value),
            Some(value) => Err(reader
                .error_at(key, value.span, "a fraction lies between 0 and 1")
                .expected(format!("0 <= {key} <= 1"))
                .found(value.value.to_string())),
        }
    };
    let cue = Cue {
        pattern: usize::try_from(pattern.value).unwrap_or(usize::MAX),
        flip: fraction("flip", 0.0)?,
        keep: fraction("keep", 1.0)?,
    };
    cue.check(patterns).map_err(|error| {
        reader
            .error_at("pattern", pattern.span.clone(), error.to_string())
            .expected(format!("0 to {}", patterns.count().saturating_sub(1)))
            .found(pattern.value.to_string())
    })?;
    Ok(cue)
}

#[cfg(test)]
mod tests;

//! Files of one value per neuron (a heterogeneous parameter or initial condition).
//!
//! - **.npy**: a 1-D array (or an N × 1 column) of the values in the parameter's working
//!   unit; float64, float32 or integer elements, as for time series and synapse lists.
//! - **CSV**: one column. An optional header names the parameter (its name or a symbol, any
//!   case) with its unit after an underscore or in brackets — `theta_mV`, `theta [mV]`,
//!   `tau_m (s)` — or without one, meaning the working unit; a file without a header is in
//!   the working unit. Blank lines and lines starting with `#` are skipped.
//!
//! Every value must be finite and satisfy the parameter's constraint (a positive time
//! constant, a conductance of at least zero), and there must be exactly one per neuron;
//! errors name the line (CSV) or element (.npy) and the neuron.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use npyz::NpyFile;

use crate::parameters::ParameterDef;
use crate::units::{Unit, format_working};

/// Why a file of per-neuron values could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
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
        /// "line 12 (neuron 10)", "element 3", "the header".
        place: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads the values of `parameter` for the `size` neurons of a population from `path` (CSV,
/// or .npy by its extension), in working units.
pub fn read_values(
    path: &Path,
    parameter: &ParameterDef,
    size: usize,
) -> Result<Vec<f64>, ValuesError> {
    let file = File::open(path).map_err(|source| ValuesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let is_npy = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("npy"));
    let mut values = Values {
        path,
        parameter,
        size,
        values: Vec::with_capacity(size),
    };
    if is_npy {
        values.read_npy(BufReader::new(file))?;
    } else {
        values.read_csv(BufReader::new(file))?;
    }
    if values.values.len() != size {
        return Err(values.error(
            "the file".into(),
            format!(
                "{} values for a population of {size} neurons; give one per neuron",
                values.values.len()
            ),
        ));
    }
    Ok(values.values)
}

/// Collects and checks the values.
struct Values<'a> {
    path: &'a Path,
    parameter: &'a ParameterDef,
    size: usize,
    values: Vec<f64>,
}

impl Values<'_> {
    fn error(&self, place: String, message: impl Into<String>) -> ValuesError {
        ValuesError::At {
            path: self.path.to_path_buf(),
            place,
            message: message.into(),
        }
    }

    /// Adds the value of the next neuron (already in working units), found at `place`.
    fn push(&mut self, place: impl Fn() -> String, value: f64) -> Result<(), ValuesError> {
        let neuron = self.values.len();
        if neuron == self.size {
            return Err(self.error(
                place(),
                format!(
                    "more values than the population's {} neurons; give one per neuron",
                    self.size
                ),
            ));
        }
        let parameter = self.parameter;
        if !value.is_finite() {
            return Err(self.error(
                format!("{} (neuron {neuron})", place()),
                format!("{} is not a finite number", value),
            ));
        }
        if !parameter.constraint.admits(value) {
            return Err(self.error(
                format!("{} (neuron {neuron})", place()),
                format!(
                    "{} must be {}, got {}",
                    parameter.name,
                    parameter.constraint.describe(),
                    format_working(value, parameter.dimension)
                ),
            ));
        }
        self.values.push(value);
        Ok(())
    }

    fn read_csv(&mut self, reader: impl std::io::Read) -> Result<(), ValuesError> {
        let mut rows = crate::csv_rows::Rows::new(reader);
        let mut to_working: Option<Conversion> = None;
        while let Some(row) = rows.next_row() {
            let (line, record) =
                row.map_err(|error| self.error(format!("line {}", error.line), error.message))?;
            if record.len() == 1 && record[0].is_empty() {
                continue;
            }
            if record.len() != 1 {
                return Err(self.error(
                    format!("line {line}"),
                    format!(
                        "{} columns; the file holds one column, the value of each neuron",
                        record.len()
                    ),
                ));
            }
            let cell = &record[0];
            let conversion = match to_working {
                Some(conversion) => conversion,
                // A first line that is not a number is the header.
                None if cell.parse::<f64>().is_err() => {
                    let conversion = header_unit(cell, self.parameter)
                        .map_err(|message| self.error(format!("line {line}"), message))?;
                    to_working = Some(conversion);
                    continue;
                }
                None => *to_working.insert(Conversion::Same),
            };
            let value = cell.parse::<f64>().map_err(|_| {
                self.error(
                    format!("line {line} (neuron {})", self.values.len()),
                    format!("\"{cell}\" is not a number"),
                )
            })?;
            self.push(|| format!("line {line}"), conversion.apply(value))?;
        }
        Ok(())
    }

    fn read_npy(&mut self, reader: impl std::io::Read) -> Result<(), ValuesError> {
        let npy = NpyFile::new(reader)
            .map_err(|e| self.error("the array".into(), format!("not a valid .npy file: {e}")))?;
        let shape = npy.shape().to_vec();
        if !matches!(shape.as_slice(), [_] | [_, 1]) {
            return Err(self.error(
                "the array".into(),
                format!("shape {shape:?}: expected (N,), one value per neuron"),
            ));
        }
        // A 1-D array or a single column is the same in C and Fortran order.
        let data =
            crate::input::read_npy_numbers(npy).map_err(|m| self.error("the array".into(), m))?;
        for (element, value) in data.into_iter().enumerate() {
            self.push(|| format!("element {element}"), value)?;
        }
        Ok(())
    }
}

/// How values in the file's unit become working units.
#[derive(Clone, Copy, Debug)]
enum Conversion {
    /// Already in the working unit: taken as they are, bit for bit.
    Same,
    /// Multiplied by a factor (units without offset).
    Scale(f64),
    /// Through SI (degrees Celsius to kelvin).
    Affine { unit: Unit, working: Unit },
}

impl Conversion {
    fn apply(self, value: f64) -> f64 {
        match self {
            Conversion::Same => value,
            Conversion::Scale(factor) => value * factor,
            Conversion::Affine { unit, working } => {
                (value * unit.scale + unit.offset - working.offset) / working.scale
            }
        }
    }
}

/// The unit a header cell gives: `NAME`, `NAME_UNIT`, `NAME [UNIT]` or `NAME (UNIT)`, where
/// NAME is the parameter's name or one of its symbols (any case).
fn header_unit(cell: &str, parameter: &ParameterDef) -> Result<Conversion, String> {
    let names = || std::iter::once(parameter.name).chain(parameter.aliases.iter().copied());
    let answers = |name: &str| names().any(|known| known.eq_ignore_ascii_case(name.trim()));
    let unit = if let Some(open) = cell.find(['[', '(']) {
        if !answers(&cell[..open]) {
            return Err(unknown_header(cell, parameter));
        }
        Some(cell[open + 1..].trim_end_matches([']', ')']).trim())
    } else if answers(cell) {
        None
    } else {
        // The longest name that the cell starts with, followed by `_UNIT`.
        names()
            .filter(|name| {
                cell.len() > name.len() + 1
                    && cell.is_char_boundary(name.len())
                    && cell[..name.len()].eq_ignore_ascii_case(name)
                    && cell[name.len()..].starts_with('_')
            })
            .max_by_key(|name| name.len())
            .map(|name| &cell[name.len() + 1..])
            .map(Some)
            .ok_or_else(|| unknown_header(cell, parameter))?
    };
    let Some(text) = unit else {
        return Ok(Conversion::Same);
    };
    let working = Unit::working(parameter.dimension)
        .ok_or_else(|| format!("{} has no working unit", parameter.name))?;
    let unit = Unit::parse(text).map_err(|e| format!("header \"{cell}\": unit \"{text}\": {e}"))?;
    if unit.dimension != parameter.dimension {
        return Err(format!(
            "header \"{cell}\": \"{text}\" is not a unit of {}",
            parameter.dimension
        ));
    }
    Ok(if unit == working {
        Conversion::Same
    } else if unit.offset == 0.0 && working.offset == 0.0 {
        Conversion::Scale(unit.scale / working.scale)
    } else {
        Conversion::Affine { unit, working }
    })
}

fn unknown_header(cell: &str, parameter: &ParameterDef) -> String {
    let symbol = parameter.aliases.first().unwrap_or(&parameter.name);
    let unit = parameter.dimension.working_unit().unwrap_or("unit");
    format!(
        "header \"{cell}\" does not name {}; write its name or a symbol, with its unit after \
         an underscore or in brackets, e.g. {symbol}_{unit} or \"{symbol} [{unit}]\"",
        parameter.name
    )
}

//! Explicit synapse lists: (source, target[, weight[, delay]]) rows read from CSV or .npy, so
//! that connectivity made elsewhere — measured, learned, or built by another tool — can be
//! simulated as it is.
//!
//! - **CSV** needs a header naming its columns: `source` (or `pre`), `target` (or `post`),
//!   and optionally `weight` and `delay`, in any order. A unit may follow the name after an
//!   underscore or in brackets — `weight_mV`, `weight [pA]`, `delay (ms)`; a column without
//!   a unit is in the working unit of its quantity (mV, pA, nS, µA/cm²; ms). Ids are
//!   non-negative integers (written as `3` or `3.0`). Blank lines and lines starting with `#`
//!   are skipped.
//! - **.npy** holds an N × 2, 3 or 4 array of (source, target[, weight[, delay]]) rows in
//!   working units; float64, float32 or integer elements, C or Fortran order.
//!
//! Delays are rounded to the nearest whole number of steps, as NEST does, and must be at
//! least one step. Rows keep their order within a source's targets, so synapses listed twice
//! are two synapses (multapses).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use npyz::{NpyFile, Order};

use crate::units::{Dimension, Unit};

/// The most steps a per-synapse delay may span (delays are stored in 16 bits).
pub const MAX_DELAY_STEPS: u64 = u16::MAX as u64;

/// Synapses read from a file, in file order, checked against the populations.
#[derive(Clone, Debug, PartialEq)]
pub struct SynapseList {
    /// The file they came from.
    pub path: PathBuf,
    /// Source neuron of each synapse.
    pub sources: Vec<u32>,
    /// Target neuron of each synapse.
    pub targets: Vec<u32>,
    /// Weights (working unit of the projection's weight), if the file has them.
    pub weights: Option<Vec<f64>>,
    /// Delays in steps, if the file has them.
    pub delay_steps: Option<Vec<u16>>,
}

/// What the rows are checked against.
#[derive(Clone, Copy, Debug)]
pub struct ListLimits {
    /// Neurons in the source population.
    pub sources: usize,
    /// Neurons in the target population.
    pub targets: usize,
    /// What a weight measures (for the unit in the header).
    pub weight_dimension: Dimension,
    /// Whether weights must be ≥ 0 (conductances).
    pub non_negative_weights: bool,
    /// The time step (ms).
    pub dt_ms: f64,
}

/// Why a synapse list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
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
        /// "line 12", "row 3", "the header".
        place: String,
        /// What is wrong.
        message: String,
    },
}

/// The columns a list has, by position.
#[derive(Clone, Copy, Debug)]
struct Columns {
    source: usize,
    target: usize,
    weight: Option<(usize, f64)>,
    delay: Option<(usize, f64)>,
}

/// Reads and checks a synapse list (CSV, or .npy by its extension).
pub fn read_synapse_list(path: &Path, limits: &ListLimits) -> Result<SynapseList, ListError> {
    let file = File::open(path).map_err(|source| ListError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let is_npy = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("npy"));
    let mut list = Collector {
        path,
        limits,
        list: SynapseList {
            path: path.to_path_buf(),
            sources: Vec::new(),
            targets: Vec::new(),
            weights: None,
            delay_steps: None,
        },
    };
    if is_npy {
        read_npy(&mut list, BufReader::new(file))?;
    } else {
        read_csv(&mut list, BufReader::new(file))?;
    }
    Ok(list.list)
}

struct Collector<'a> {
    path: &'a Path,
    limits: &'a ListLimits,
    list: SynapseList,
}

impl Collector<'_> {
    fn error(&self, place: String, message: impl Into<String>) -> ListError {
        ListError::At {
            path: self.path.to_path_buf(),
            place,
            message: message.into(),
        }
    }

    fn start(&mut self, columns: &Columns) {
        if columns.weight.is_some() {
            self.list.weights = Some(Vec::new());
        }
        if columns.delay.is_some() {
            self.list.delay_steps = Some(Vec::new());
        }
    }

    /// Adds one row (weight and delay already in working units).
    fn push(
        &mut self,
        place: impl Fn() -> String,
        source: f64,
        target: f64,
        weight: Option<f64>,
        delay_ms: Option<f64>,
    ) -> Result<(), ListError> {
        let id = |value: f64, what: &str, size: usize| -> Result<u32, ListError> {
            if !(value.is_finite() && value >= 0.0 && value.fract() == 0.0) {
                return Err(self.error(
                    place(),
                    format!("{what} id {value} is not a non-negative integer"),
                ));
            }
            if value >= size as f64 {
                return Err(self.error(
                    place(),
                    format!(
                        "{what} id {value} is out of range: the {what} population has {size} \
                         neurons (ids 0 to {})",
                        size - 1
                    ),
                ));
            }
            Ok(value as u32)
        };
        let source = id(source, "source", self.limits.sources)?;
        let target = id(target, "target", self.limits.targets)?;
        if let Some(weight) = weight {
            if !weight.is_finite() {
                return Err(self.error(place(), format!("weight {weight} is not finite")));
            }
            if self.limits.non_negative_weights && weight < 0.0 {
                return Err(self.error(
                    place(),
                    format!(
                        "weight {weight} is negative; a conductance cannot be (the reversal \
                         potential makes a synapse inhibitory)"
                    ),
                ));
            }
            self.list
                .weights
                .as_mut()
                .expect("start() made the weights")
                .push(weight);
        }
        if let Some(delay_ms) = delay_ms {
            let dt = self.limits.dt_ms;
            let steps = (delay_ms / dt).round();
            if !(delay_ms.is_finite() && steps >= 1.0) {
                return Err(self.error(
                    place(),
                    format!("delay {delay_ms} ms is shorter than one time step (dt = {dt} ms)"),
                ));
            }
            if steps > MAX_DELAY_STEPS as f64 {
                return Err(self.error(
                    place(),
                    format!(
                        "delay {delay_ms} ms spans more than {MAX_DELAY_STEPS} steps of \
                         dt = {dt} ms"
                    ),
                ));
            }
            self.list
                .delay_steps
                .as_mut()
                .expect("start() made the delays")
                .push(steps as u16);
        }
        self.list.sources.push(source);
        self.list.targets.push(target);
        Ok(())
    }
}

/// Splits a header cell into its name and unit: `weight_mV`, `weight [mV]`, `weight (mV)`.
fn name_and_unit(cell: &str) -> (String, Option<&str>) {
    let cell = cell.trim();
    if let Some(open) = cell.find(['[', '(']) {
        let unit = cell[open + 1..].trim_end_matches([']', ')']).trim();
        return (cell[..open].trim().to_ascii_lowercase(), Some(unit));
    }
    match cell.split_once('_') {
        Some((name, unit)) => (name.to_ascii_lowercase(), Some(unit)),
        None => (cell.to_ascii_lowercase(), None),
    }
}

/// The columns named by a CSV header, with the factor from each column's unit to the
/// working unit.
fn columns_of_header(
    collector: &Collector,
    header: &csv::StringRecord,
) -> Result<Columns, ListError> {
    let error = |message: String| collector.error("the header".into(), message);
    let (mut source, mut target, mut weight, mut delay) = (None, None, None, None);
    for (index, cell) in header.iter().enumerate() {
        let (name, unit) = name_and_unit(cell);
        let factor = |dimension: Dimension| -> Result<f64, ListError> {
            let working = Unit::working(dimension).expect("weights and delays have working units");
            let Some(unit) = unit else { return Ok(1.0) };
            let parsed = Unit::parse(unit)
                .map_err(|e| error(format!("column \"{cell}\": unit \"{unit}\": {e}")))?;
            if parsed.dimension != dimension {
                return Err(error(format!(
                    "column \"{cell}\": \"{unit}\" is not a unit of {}",
                    dimension.name().unwrap_or("this quantity")
                )));
            }
            Ok(parsed.scale / working.scale)
        };
        let slot = match name.as_str() {
            "source" | "pre" => {
                if unit.is_some_and(|u| !matches!(u, "id" | "index")) {
                    return Err(error(format!("column \"{cell}\": ids have no unit")));
                }
                (&mut source, None)
            }
            "target" | "post" => {
                if unit.is_some_and(|u| !matches!(u, "id" | "index")) {
                    return Err(error(format!("column \"{cell}\": ids have no unit")));
                }
                (&mut target, None)
            }
            "weight" => (
                &mut weight,
                Some(factor(collector.limits.weight_dimension)?),
            ),
            "delay" => (&mut delay, Some(factor(Dimension::TIME)?)),
            _ => {
                return Err(error(format!(
                    "unknown column \"{cell}\"; expected source (or pre), target (or post), \
                     weight and delay, with units such as weight_mV or delay_ms"
                )));
            }
        };
        if slot.0.is_some() {
            return Err(error(format!("column \"{cell}\" appears twice")));
        }
        *slot.0 = Some((index, slot.1.unwrap_or(1.0)));
    }
    let (Some(source), Some(target)) = (source, target) else {
        return Err(error(
            "the header needs a source (or pre) and a target (or post) column".into(),
        ));
    };
    Ok(Columns {
        source: source.0,
        target: target.0,
        weight,
        delay,
    })
}

fn read_csv(collector: &mut Collector, reader: impl std::io::Read) -> Result<(), ListError> {
    let mut rows = crate::csv_rows::Rows::new(reader);
    let mut columns: Option<Columns> = None;
    while let Some(row) = rows.next_row() {
        let (line, record) =
            row.map_err(|error| collector.error(format!("line {}", error.line), error.message))?;
        let Some(layout) = columns else {
            if record.iter().all(|cell| cell.parse::<f64>().is_ok()) {
                return Err(collector.error(
                    format!("line {line}"),
                    "the file has no header; its first line must name the columns, e.g. \
                     source,target,weight_mV,delay_ms",
                ));
            }
            let layout = columns_of_header(collector, record)?;
            collector.start(&layout);
            columns = Some(layout);
            continue;
        };
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        let width = header_width(&layout);
        if record.len() != width {
            return Err(collector.error(
                format!("line {line}"),
                format!("expected {width} columns, found {}", record.len()),
            ));
        }
        let number = |index: usize| -> Result<f64, ListError> {
            let cell = &record[index];
            cell.parse::<f64>().map_err(|_| {
                collector.error(
                    format!("line {line}"),
                    format!("\"{cell}\" is not a number"),
                )
            })
        };
        let (source, target) = (number(layout.source)?, number(layout.target)?);
        let weight = layout
            .weight
            .map(|(index, factor)| number(index).map(|w| w * factor))
            .transpose()?;
        let delay = layout
            .delay
            .map(|(index, factor)| number(index).map(|d| d * factor))
            .transpose()?;
        collector.push(|| format!("line {line}"), source, target, weight, delay)?;
    }
    if columns.is_none() {
        return Err(collector.error("the header".into(), "the file is empty"));
    }
    Ok(())
}

fn header_width(columns: &Columns) -> usize {
    2 + usize::from(columns.weight.is_some()) + usize::from(columns.delay.is_some())
}

fn read_npy(collector: &mut Collector, reader: impl std::io::Read) -> Result<(), ListError> {
    let error =
        |collector: &Collector, message: String| collector.error("the array".into(), message);
    let npy = NpyFile::new(reader)
        .map_err(|e| error(collector, format!("not a valid .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    let fortran = npy.order() == Order::Fortran;
    let (rows, width) = match shape.as_slice() {
        [rows, width @ 2..=4] => (*rows as usize, *width as usize),
        _ => {
            return Err(error(
                collector,
                format!(
                    "shape {shape:?}: expected (N, 2), (N, 3) or (N, 4) rows of (source, \
                     target[, weight[, delay]])"
                ),
            ));
        }
    };
    let data = crate::input::read_npy_numbers(npy).map_err(|m| error(collector, m))?;
    let layout = Columns {
        source: 0,
        target: 1,
        weight: (width >= 3).then_some((2, 1.0)),
        delay: (width == 4).then_some((3, 1.0)),
    };
    collector.start(&layout);
    // Element (row, column) sits at row·width + column in C order and at column·rows + row
    // in Fortran order.
    let at = |row: usize, column: usize| {
        if fortran {
            data[column * rows + row]
        } else {
            data[row * width + column]
        }
    };
    for row in 0..rows {
        collector.push(
            || format!("row {row}"),
            at(row, 0),
            at(row, 1),
            layout.weight.map(|(column, _)| at(row, column)),
            layout.delay.map(|(column, _)| at(row, column)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use npyz::WriterBuilder;

    fn limits() -> ListLimits {
        ListLimits {
            sources: 4,
            targets: 3,
            weight_dimension: Dimension::VOLTAGE,
            non_negative_weights: false,
            dt_ms: 0.1,
        }
    }

    fn write(name: &str, text: &str) -> PathBuf {
        let directory = std::env::temp_dir().join(format!("cajal-list-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn csv_with_units_in_the_header() {
        let path = write(
            "units.csv",
            "# made by hand\npre, post, weight [uV], delay_s\n0, 2, 150, 0.0015\n3,0,-50,0.0001\n",
        );
        let list = read_synapse_list(&path, &limits()).unwrap();
        assert_eq!(list.sources, [0, 3]);
        assert_eq!(list.targets, [2, 0]);
        let weights = list.weights.unwrap();
        assert!((weights[0] - 0.15).abs() < 1e-15 && (weights[1] + 0.05).abs() < 1e-15);
        assert_eq!(list.delay_steps.unwrap(), [15, 1]);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            ("source,target\n0,3\n", "line 2", "out of range"),
            (
                "source,target,delay_ms\n0,1,0.04\n",
                "line 2",
                "shorter than one time step",
            ),
            (
                "source,target,weight_nS\n0,1,1\n",
                "the header",
                "not a unit of voltage",
            ),
            ("0,1\n", "line 1", "no header"),
            ("source,target,colour\n", "the header", "unknown column"),
            (
                "source,target\n0,1.5\n",
                "line 2",
                "not a non-negative integer",
            ),
            ("source,target\n0,1,2\n", "line 2", "expected 2 columns"),
        ];
        for (index, (text, place, message)) in cases.into_iter().enumerate() {
            let path = write(&format!("bad{index}.csv"), text);
            let error = read_synapse_list(&path, &limits()).unwrap_err().to_string();
            assert!(
                error.contains(place) && error.contains(message),
                "{text:?}: {error}"
            );
        }
        let missing = read_synapse_list(Path::new("/nonexistent/list.csv"), &limits());
        assert!(matches!(missing, Err(ListError::Io { .. })));
    }

    #[test]
    fn npy_rows_in_working_units() {
        let directory = std::env::temp_dir().join(format!("cajal-list-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join("list.npy");
        let rows: [f64; 8] = [1.0, 2.0, 0.5, 0.2, 3.0, 0.0, -0.25, 1.0];
        let mut bytes = Vec::new();
        {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&[2, 4])
                .writer(&mut bytes)
                .begin_nd()
                .unwrap();
            writer.extend(rows.iter().copied()).unwrap();
            writer.finish().unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        let list = read_synapse_list(&path, &limits()).unwrap();
        assert_eq!(list.sources, [1, 3]);
        assert_eq!(list.targets, [2, 0]);
        assert_eq!(list.weights.unwrap(), [0.5, -0.25]);
        assert_eq!(list.delay_steps.unwrap(), [2, 10]);
    }
}

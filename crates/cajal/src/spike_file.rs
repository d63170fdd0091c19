//! Spike data from files: what `cajal stats` reads besides cajal's own outputs.
//!
//! - **CSV** with a header naming a neuron column and a time column. The time column's unit
//!   comes from the header (`time_ms`, `time_s`, `t [ms]`, `spike_time (s)`) or, when the
//!   header gives none, from the caller (`--time-unit`). Neuron columns: `neuron`, `id`,
//!   `neuron_id`, `sender(s)`, `node_id`, `gid`, `cell`, `unit`, `i`, `index`; time columns:
//!   `time`, `times`, `t`, `spike_time(s)`, `timestamp(s)`. Other columns are ignored.
//! - **.npy** arrays of shape (N, 2): rows of (neuron, time), any numeric type. A .npy file
//!   has no header naming units, so the caller must give the time unit (cajal's own files
//!   are in ms).
//!
//! Errors name the file and the line (CSV) or row (.npy) where the data goes wrong.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use npyz::{NpyFile, Order};

use crate::csv_rows::Rows;
use crate::input::file::read_npy_numbers;
use crate::units::{Dimension, Unit};

/// Spikes as two columns: neuron numbers and times (ms), row by row as in the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpikeColumns {
    /// Neuron number of every spike.
    pub neurons: Vec<u32>,
    /// Time of every spike (ms).
    pub times_ms: Vec<f64>,
}

impl SpikeColumns {
    /// The number of spikes.
    pub fn len(&self) -> usize {
        self.neurons.len()
    }

    /// Whether there are no spikes.
    pub fn is_empty(&self) -> bool {
        self.neurons.is_empty()
    }

    /// (neuron, time in ms) pairs, in file order.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, f64)> + Clone + '_ {
        self.neurons
            .iter()
            .copied()
            .zip(self.times_ms.iter().copied())
    }
}

/// A spike file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpikeFileError {
    /// The file.
    pub path: PathBuf,
    /// Where in it, e.g. "line 12", "row 3", "the header"; empty for the whole file.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpikeFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}, {}: {}",
                self.path.display(),
                self.place,
                self.message
            )
        }
    }
}

impl std::error::Error for SpikeFileError {}

/// Milliseconds per unit of a time unit written as text (`s`, `ms`, `us`, `min`, ...).
///
/// # Errors
///
/// When the text is not a unit of time.
pub fn milliseconds_per(unit: &str) -> Result<f64, String> {
    let parsed = Unit::parse(unit).map_err(|e| format!("\"{unit}\": {e}"))?;
    if parsed.dimension != Dimension::TIME {
        return Err(format!("\"{unit}\" is not a unit of time (e.g. s or ms)"));
    }
    Ok(parsed.scale * 1e3)
}

/// Reads a CSV or .npy spike file (by extension). `time_unit_ms` is the length of the file's
/// time unit in ms when the caller knows it (`--time-unit`); a CSV header's own unit must
/// agree with it.
///
/// # Errors
///
/// When the file is missing or malformed, the time unit is unknown or contradictory, a
/// neuron number is not a non-negative integer, or a time is not finite.
pub fn read_spike_file(
    path: &Path,
    time_unit_ms: Option<f64>,
) -> Result<SpikeColumns, SpikeFileError> {
    let error = |place: &str, message: String| SpikeFileError {
        path: path.to_path_buf(),
        place: place.to_string(),
        message,
    };
    let file = File::open(path).map_err(|e| error("", format!("cannot open: {e}")))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => read_csv(path, reader, time_unit_ms),
        Some(e) if e.eq_ignore_ascii_case("npy") => read_npy(path, reader, time_unit_ms),
        _ => Err(error(
            "",
            "unknown kind of spike file: expected .csv (with a header) or .npy (rows of \
             neuron, time)"
                .into(),
        )),
    }
}

/// Splits a header cell into its lower-case name and its unit, if it names one:
/// `time_ms`, `time [ms]`, `spike_time (s)`; `spike_time` has none.
fn name_and_unit(cell: &str) -> (String, Option<String>) {
    let cell = cell.trim();
    if let Some(open) = cell.find(['[', '(']) {
        let unit = cell[open + 1..].trim_end_matches([']', ')']).trim();
        return (cell[..open].trim().to_ascii_lowercase(), Some(unit.into()));
    }
    if let Some((name, unit)) = cell.rsplit_once('_')
        && Unit::parse(unit).is_ok()
    {
        return (name.to_ascii_lowercase(), Some(unit.into()));
    }
    (cell.to_ascii_lowercase(), None)
}

const NEURON_COLUMNS: &[&str] = &[
    "neuron",
    "neurons",
    "id",
    "ids",
    "neuron_id",
    "sender",
    "senders",
    "node_id",
    "gid",
    "cell",
    "unit",
    "i",
    "index",
];
const TIME_COLUMNS: &[&str] = &[
    "time",
    "times",
    "t",
    "spike_time",
    "spike_times",
    "timestamp",
    "timestamps",
];

/// The time unit (ms per unit) of a column, from its header and the caller's.
fn time_scale(cell: &str, header_unit: Option<&str>, caller: Option<f64>) -> Result<f64, String> {
    match (header_unit, caller) {
        (Some(unit), caller) => {
            let scale = milliseconds_per(unit).map_err(|e| format!("column \"{cell}\": {e}"))?;
            if let Some(caller) = caller
                && (caller - scale).abs() > 1e-12 * scale
            {
                return Err(format!(
                    "column \"{cell}\" is in {unit}, but the time unit given is {caller} ms"
                ));
            }
            Ok(scale)
        }
        (None, Some(caller)) => Ok(caller),
        (None, None) => Err(format!(
            "the time column \"{cell}\" does not say its unit: name it e.g. time_ms or \
             time_s, or give the unit (--time-unit ms)"
        )),
    }
}

fn neuron_number(value: f64) -> Option<u32> {
    (value >= 0.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0).then_some(value as u32)
}

fn read_csv(
    path: &Path,
    reader: impl std::io::Read,
    time_unit_ms: Option<f64>,
) -> Result<SpikeColumns, SpikeFileError> {
    let error = |place: String, message: String| SpikeFileError {
        path: path.to_path_buf(),
        place,
        message,
    };
    let mut rows = Rows::new(reader);
    let Some(header) = rows.next_row() else {
        return Err(error(
            "".into(),
            "the file is empty; expected a header such as neuron,time_ms".into(),
        ));
    };
    let (_, header) = header.map_err(|e| error(format!("line {}", e.line), e.message))?;
    let (mut neuron_column, mut time_column) = (None, None);
    for (index, cell) in header.iter().enumerate() {
        let (name, unit) = name_and_unit(cell);
        if NEURON_COLUMNS.contains(&name.as_str()) && neuron_column.is_none() {
            neuron_column = Some(index);
        } else if TIME_COLUMNS.contains(&name.as_str()) && time_column.is_none() {
            let scale = time_scale(cell, unit.as_deref(), time_unit_ms)
                .map_err(|m| error("the header".into(), m))?;
            time_column = Some((index, scale));
        }
    }
    let (Some(neuron_column), Some((time_column, scale))) = (neuron_column, time_column) else {
        let cells: Vec<&str> = header.iter().collect();
        let first_is_number = cells.first().is_some_and(|c| c.parse::<f64>().is_ok());
        let hint = if first_is_number {
            "the file has no header; its first line must name the columns, e.g. neuron,time_ms"
                .to_string()
        } else {
            format!(
                "the header ({}) needs a neuron column (neuron, id, sender, ...) and a time \
                 column (time, t, spike_time, ...)",
                cells.join(",")
            )
        };
        return Err(error("the header".into(), hint));
    };
    let mut columns = SpikeColumns::default();
    while let Some(row) = rows.next_row() {
        let (line, record) = row.map_err(|e| error(format!("line {}", e.line), e.message))?;
        let place = || format!("line {line}");
        let cell = |index: usize, what: &str| -> Result<f64, SpikeFileError> {
            let text = record.get(index).ok_or_else(|| {
                error(
                    place(),
                    format!("the row has no {what} (column {})", index + 1),
                )
            })?;
            text.parse::<f64>()
                .map_err(|_| error(place(), format!("{what} \"{text}\" is not a number")))
        };
        let neuron = cell(neuron_column, "neuron")?;
        let neuron = neuron_number(neuron).ok_or_else(|| {
            error(
                place(),
                format!("neuron {neuron} is not a non-negative integer"),
            )
        })?;
        let time = cell(time_column, "time")?;
        if !time.is_finite() {
            return Err(error(place(), format!("time {time} is not finite")));
        }
        columns.neurons.push(neuron);
        columns.times_ms.push(time * scale);
    }
    Ok(columns)
}

fn read_npy(
    path: &Path,
    reader: impl std::io::Read,
    time_unit_ms: Option<f64>,
) -> Result<SpikeColumns, SpikeFileError> {
    let error = |place: String, message: String| SpikeFileError {
        path: path.to_path_buf(),
        place,
        message,
    };
    let npy = NpyFile::new(reader)
        .map_err(|e| error("".into(), format!("not a valid .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    let [rows, 2] = shape[..] else {
        return Err(error(
            "".into(),
            format!("array of shape {shape:?}: expected (N, 2) rows of (neuron, time)"),
        ));
    };
    let Some(scale) = time_unit_ms else {
        return Err(error(
            "".into(),
            "a .npy file does not say the unit of its times: give it (--time-unit ms or s)".into(),
        ));
    };
    let fortran = npy.order() == Order::Fortran;
    let data = read_npy_numbers(npy).map_err(|m| error("".into(), m))?;
    let rows = rows as usize;
    let mut columns = SpikeColumns {
        neurons: Vec::with_capacity(rows),
        times_ms: Vec::with_capacity(rows),
    };
    for row in 0..rows {
        let (neuron, time) = if fortran {
            (data[row], data[rows + row])
        } else {
            (data[2 * row], data[2 * row + 1])
        };
        let place = || format!("row {row}");
        let neuron = neuron_number(neuron).ok_or_else(|| {
            error(
                place(),
                format!("neuron {neuron} is not a non-negative integer"),
            )
        })?;
        if !time.is_finite() {
            return Err(error(place(), format!("time {time} is not finite")));
        }
        columns.neurons.push(neuron);
        columns.times_ms.push(time * scale);
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use npyz::WriterBuilder;

    use super::*;

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("cajal-spike-file-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn csv_time_units_come_from_the_header_or_the_caller() {
        let path = write(
            "seconds.csv",
            b"# a comment\nsenders,times [s],extra\n3,0.25,x\n0,1.5,y\n",
        );
        let columns = read_spike_file(&path, None).unwrap();
        assert_eq!(columns.neurons, [3, 0]);
        assert_eq!(columns.times_ms, [250.0, 1500.0]);
        let path = write("plain.csv", b"neuron,time\n1,12.5\n");
        assert_eq!(read_spike_file(&path, Some(1.0)).unwrap().times_ms, [12.5]);
        let error = read_spike_file(&path, None).unwrap_err();
        assert!(error.to_string().contains("--time-unit"), "{error}");
        // A header in ms and a caller saying seconds contradict each other.
        let path = write("ms.csv", b"id,spike_time_ms\n1,12.5\n");
        assert_eq!(read_spike_file(&path, None).unwrap().times_ms, [12.5]);
        assert!(read_spike_file(&path, Some(1000.0)).is_err());
    }

    #[test]
    fn csv_errors_name_the_file_and_line() {
        let cases: [(&[u8], &str, &str); 5] = [
            (
                b"neuron,time_ms\n1,2\n-1,3\n",
                "line 3",
                "non-negative integer",
            ),
            (b"neuron,time_ms\n1.5,2\n", "line 2", "non-negative integer"),
            (b"neuron,time_ms\n1,abc\n", "line 2", "not a number"),
            (b"1,2\n", "the header", "no header"),
            (
                b"neuron,voltage_mV\n",
                "the header",
                "needs a neuron column",
            ),
        ];
        for (index, (text, place, message)) in cases.iter().enumerate() {
            let path = write(&format!("bad{index}.csv"), text);
            let error = read_spike_file(&path, None).unwrap_err();
            assert_eq!(error.place, *place, "{error}");
            assert!(error.message.contains(message), "{error}");
            assert!(error.to_string().contains(&format!("bad{index}.csv")));
        }
        let error = read_spike_file(Path::new("/no/such/spikes.csv"), None).unwrap_err();
        assert!(error.message.contains("cannot open"), "{error}");
        let error = read_spike_file(&write("spikes.txt", b""), None).unwrap_err();
        assert!(error.message.contains("unknown kind"), "{error}");
    }

    fn npy_bytes(shape: &[u64], values: &[f64]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(shape)
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        writer.extend(values.iter().copied()).unwrap();
        writer.finish().unwrap();
        bytes
    }

    #[test]
    fn npy_rows_need_a_time_unit_and_whole_neuron_numbers() {
        let path = write("spikes.npy", &npy_bytes(&[2, 2], &[4.0, 0.5, 1.0, 0.75]));
        let columns = read_spike_file(&path, Some(1000.0)).unwrap();
        assert_eq!(columns.neurons, [4, 1]);
        assert_eq!(columns.times_ms, [500.0, 750.0]);
        assert!(
            read_spike_file(&path, None)
                .unwrap_err()
                .message
                .contains("--time-unit")
        );
        let path = write("bad.npy", &npy_bytes(&[1, 2], &[0.5, 1.0]));
        let error = read_spike_file(&path, Some(1.0)).unwrap_err();
        assert_eq!(error.place, "row 0");
        let path = write("flat.npy", &npy_bytes(&[3], &[0.5, 1.0, 2.0]));
        assert!(
            read_spike_file(&path, Some(1.0))
                .unwrap_err()
                .message
                .contains("(N, 2)")
        );
    }

    #[test]
    fn time_units_are_checked() {
        assert_eq!(milliseconds_per("s").unwrap(), 1000.0);
        assert_eq!(milliseconds_per("ms").unwrap(), 1.0);
        assert!(milliseconds_per("mV").is_err());
    }
}

//! Reading time-series inputs from CSV and .npy files.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use npyz::{DType, NpyFile, Order, TypeChar};

use super::{InputError, Interpolation, TimeSeries};

/// Reads a time series from a CSV or .npy file (chosen by the extension `.npy`, any case;
/// anything else is read as CSV).
///
/// - **CSV**: an optional header line, then one sample per row: either two columns
///   (time, value), or one column (value) with `sampling_interval_ms` given, sample i being
///   at time i × `sampling_interval_ms`. A first line whose cells are all numbers is data,
///   not a header. Blank lines and lines starting with `#` are skipped; cells may be padded
///   with spaces.
/// - **.npy**: a 1-D array of values (`sampling_interval_ms` required) or a 2-D N × 2 array
///   of (time, value) rows; float64, float32 or integer elements, either byte order, C or
///   Fortran order.
///
/// `time_scale` multiplies the times read from the file and `value_scale` the values (the
/// caller converts units: a file in seconds needs `time_scale = 1000`); the sampling
/// interval is in ms and not scaled. Times must strictly increase.
///
/// # Errors
/// The file is missing or unreadable; a cell is not a number or is NaN or infinite; a row
/// has the wrong number of columns; times do not increase; the file has no samples; a
/// sampling interval is missing, not positive, or given together with a time column; the
/// .npy element type or shape is unsupported. CSV errors name the file and the line.
pub fn read_time_series(
    path: &Path,
    sampling_interval_ms: Option<f64>,
    time_scale: f64,
    value_scale: f64,
    interpolation: Interpolation,
) -> Result<TimeSeries, InputError> {
    let file_error = |message: String| InputError::File {
        path: path.to_path_buf(),
        message,
    };
    if !(time_scale.is_finite() && time_scale > 0.0) {
        return Err(file_error(format!(
            "time scale must be a positive number, got {time_scale}"
        )));
    }
    if !value_scale.is_finite() {
        return Err(file_error(format!(
            "value scale must be a finite number, got {value_scale}"
        )));
    }
    if let Some(interval) = sampling_interval_ms
        && !(interval.is_finite() && interval > 0.0)
    {
        return Err(file_error(format!(
            "sampling interval must be positive, got {interval} ms"
        )));
    }
    let file = File::open(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let is_npy = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("npy"));
    let scales = Scales {
        sampling_interval_ms,
        time_scale,
        value_scale,
    };
    let (times_ms, values) = if is_npy {
        read_npy(path, BufReader::new(file), scales)?
    } else {
        read_csv(path, BufReader::new(file), scales)?
    };
    if times_ms.is_empty() {
        return Err(file_error("no samples".to_string()));
    }
    Ok(TimeSeries {
        times_ms,
        values,
        interpolation,
    })
}

#[derive(Clone, Copy)]
struct Scales {
    sampling_interval_ms: Option<f64>,
    time_scale: f64,
    value_scale: f64,
}

/// Where a sample came from, for error messages.
#[derive(Clone, Copy)]
enum Origin {
    CsvLine(u64),
    NpyRow(usize),
}

/// Collects samples, checking that they are finite and that times strictly increase.
struct Samples<'a> {
    path: &'a Path,
    scales: Scales,
    times_ms: Vec<f64>,
    values: Vec<f64>,
}

impl Samples<'_> {
    fn error(&self, origin: Origin, message: String) -> InputError {
        match origin {
            Origin::CsvLine(line) => InputError::CsvLine {
                path: self.path.to_path_buf(),
                line,
                message,
            },
            Origin::NpyRow(row) => InputError::File {
                path: self.path.to_path_buf(),
                message: format!("row {row}: {message}"),
            },
        }
    }

    /// Adds a sample; `time` is `None` for a sampled (one-column) file.
    fn push(&mut self, origin: Origin, time: Option<f64>, value: f64) -> Result<(), InputError> {
        let time_ms = match time {
            Some(time) => {
                if !time.is_finite() {
                    return Err(self.error(origin, format!("time is not finite ({time})")));
                }
                time * self.scales.time_scale
            }
            None => {
                let interval = self.scales.sampling_interval_ms.unwrap_or(1.0);
                self.times_ms.len() as f64 * interval
            }
        };
        if !value.is_finite() {
            return Err(self.error(origin, format!("value is not finite ({value})")));
        }
        let value = value * self.scales.value_scale;
        if !(time_ms.is_finite() && value.is_finite()) {
            return Err(self.error(origin, "scaled sample overflows".to_string()));
        }
        if let Some(&previous) = self.times_ms.last()
            && time_ms <= previous
        {
            return Err(self.error(
                origin,
                format!("times not increasing ({time_ms} ms after {previous} ms)"),
            ));
        }
        self.times_ms.push(time_ms);
        self.values.push(value);
        Ok(())
    }
}

/// Which columns a file holds.
fn layout(
    path: &Path,
    columns: usize,
    sampling_interval_ms: Option<f64>,
    origin: &str,
) -> Result<bool, InputError> {
    let error = |message: String| InputError::File {
        path: path.to_path_buf(),
        message,
    };
    match (columns, sampling_interval_ms) {
        (2, None) => Ok(true),
        (1, Some(_)) => Ok(false),
        (2, Some(_)) => Err(error(format!(
            "{origin} has a time column; a sampling interval must not be given as well"
        ))),
        (1, None) => Err(error(format!(
            "{origin} has only values; give the sampling interval"
        ))),
        (columns, _) => Err(error(format!(
            "{origin} has {columns} columns; expected 2 (time, value) or 1 (value, with a \
             sampling interval)"
        ))),
    }
}

fn read_csv(
    path: &Path,
    reader: impl std::io::Read,
    scales: Scales,
) -> Result<(Vec<f64>, Vec<f64>), InputError> {
    let mut rows = crate::csv_rows::Rows::new(reader);
    let mut samples = Samples {
        path,
        scales,
        times_ms: Vec::new(),
        values: Vec::new(),
    };
    let mut has_time: Option<(bool, usize)> = None;
    while let Some(row) = rows.next_row() {
        let (line, record) = row.map_err(|error| InputError::CsvLine {
            path: path.to_path_buf(),
            line: error.line,
            message: error.message,
        })?;
        let origin = Origin::CsvLine(line);
        let (has_time, columns) = match has_time {
            Some(layout) => layout,
            None => {
                let first = (
                    layout(path, record.len(), scales.sampling_interval_ms, "the file")?,
                    record.len(),
                );
                has_time = Some(first);
                // A first line of numbers is data; anything else is the header.
                if !record.iter().all(|cell| cell.parse::<f64>().is_ok()) {
                    continue;
                }
                first
            }
        };
        if record.len() != columns {
            return Err(samples.error(
                origin,
                format!("expected {columns} columns, found {}", record.len()),
            ));
        }
        // The record has `columns` cells: 2 when it has a time column, else 1.
        let number = |index: usize| {
            let cell = &record[index];
            cell.parse::<f64>()
                .map_err(|_| samples.error(origin, format!("\"{cell}\" is not a number")))
        };
        let (time, value) = if has_time {
            (Some(number(0)?), number(1)?)
        } else {
            (None, number(0)?)
        };
        samples.push(origin, time, value)?;
    }
    Ok((samples.times_ms, samples.values))
}

fn read_npy(
    path: &Path,
    reader: impl std::io::Read,
    scales: Scales,
) -> Result<(Vec<f64>, Vec<f64>), InputError> {
    let error = |message: String| InputError::File {
        path: path.to_path_buf(),
        message,
    };
    let npy = NpyFile::new(reader).map_err(|e| error(format!("not a valid .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    let fortran = npy.order() == Order::Fortran;
    let columns = match shape.as_slice() {
        [_] => 1,
        [_, columns] => *columns as usize,
        _ => {
            return Err(error(format!(
                "unsupported array shape {shape:?}: expected (N,) values or (N, 2) (time, \
                 value) rows"
            )));
        }
    };
    let has_time = layout(path, columns, scales.sampling_interval_ms, "the array")?;
    let data = read_npy_numbers(npy).map_err(error)?;
    let rows = shape[0] as usize;
    let mut samples = Samples {
        path,
        scales,
        times_ms: Vec::with_capacity(rows),
        values: Vec::with_capacity(rows),
    };
    for row in 0..rows {
        let origin = Origin::NpyRow(row);
        if has_time {
            // Element (row, column) sits at row·2 + column in C order and at
            // column·rows + row in Fortran order.
            let (time, value) = if fortran {
                (data[row], data[rows + row])
            } else {
                (data[2 * row], data[2 * row + 1])
            };
            samples.push(origin, Some(time), value)?;
        } else {
            samples.push(origin, None, data[row])?;
        }
    }
    Ok((samples.times_ms, samples.values))
}

/// All elements of a numeric array, as f64, in storage order.
pub(crate) fn read_npy_numbers<R: std::io::Read>(npy: NpyFile<R>) -> Result<Vec<f64>, String> {
    fn convert<T: npyz::Deserialize, R: std::io::Read>(
        npy: NpyFile<R>,
        to_f64: impl Fn(T) -> f64,
    ) -> Result<Vec<f64>, String> {
        let elements: Vec<T> = npy
            .into_vec()
            .map_err(|e| format!("cannot read the array: {e}"))?;
        Ok(elements.into_iter().map(to_f64).collect())
    }
    let dtype = npy.dtype();
    let unsupported = || {
        format!(
            "unsupported element type {}: expected float64, float32 or integers",
            dtype.descr()
        )
    };
    let DType::Plain(type_str) = &dtype else {
        return Err(unsupported());
    };
    // Integers beyond 2⁵³ lose precision in f64, which is harmless for a stimulus.
    match (type_str.type_char(), type_str.size_field()) {
        (TypeChar::Float, 8) => convert(npy, |x: f64| x),
        (TypeChar::Float, 4) => convert(npy, |x: f32| f64::from(x)),
        (TypeChar::Int, 1) => convert(npy, |x: i8| f64::from(x)),
        (TypeChar::Int, 2) => convert(npy, |x: i16| f64::from(x)),
        (TypeChar::Int, 4) => convert(npy, |x: i32| f64::from(x)),
        (TypeChar::Int, 8) => convert(npy, |x: i64| x as f64),
        (TypeChar::Uint, 1) => convert(npy, |x: u8| f64::from(x)),
        (TypeChar::Uint, 2) => convert(npy, |x: u16| f64::from(x)),
        (TypeChar::Uint, 4) => convert(npy, |x: u32| f64::from(x)),
        (TypeChar::Uint, 8) => convert(npy, |x: u64| x as f64),
        _ => Err(unsupported()),
    }
}

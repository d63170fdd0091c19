//! Kernel files: J at every displacement of a field's grid ([`Kernel::Sampled`]).
//!
//! Entry k of a ring of N points is J at the displacement of k points (k = 0..N); entry
//! i·N_y + j of a torus is J at the displacement (i, j).
//!
//! - **.npy**: a 1-D array of N (ring) or N_x·N_y (torus) values, an N × 1 column, or for a
//!   torus an N_x × N_y array (C or Fortran order); float64, float32 or integer elements.
//! - **CSV**: the values row by row: one column of N or N_x·N_y rows, or for a torus N_x rows
//!   of N_y values. A first row that is not all numbers is a header and skipped; blank lines
//!   and lines starting with `#` are skipped.
//!
//! [`Kernel::Sampled`]: crate::rate::Kernel::Sampled

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use npyz::{NpyFile, Order};

use crate::csv_rows::Rows;
use crate::rate::Geometry;

/// The values of a kernel on the grid of `geometry` (a ring or a torus), read from `path`
/// (.npy by its extension, CSV otherwise); the error says what is wrong and where.
pub(super) fn read_kernel(path: &Path, geometry: &Geometry) -> Result<Vec<f64>, String> {
    let file =
        File::open(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let (rows, columns) = match *geometry {
        Geometry::Torus { points, .. } => (points.0, points.1),
        _ => (geometry.size(), 1),
    };
    let is_npy = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("npy"));
    let values = if is_npy {
        read_npy(BufReader::new(file), rows, columns)
    } else {
        read_csv(BufReader::new(file), rows, columns)
    }
    .map_err(|message| format!("{}: {message}", path.display()))?;
    if values.len() != rows * columns {
        return Err(format!(
            "{}: {} values; the kernel of a field of {} points needs one per displacement, {}",
            path.display(),
            values.len(),
            rows * columns,
            rows * columns
        ));
    }
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "{}: value {k} is {}, not a finite number",
            path.display(),
            values[k]
        ));
    }
    Ok(values)
}

fn read_npy(reader: impl std::io::Read, rows: usize, columns: usize) -> Result<Vec<f64>, String> {
    let npy = NpyFile::new(reader).map_err(|e| format!("not a valid .npy file: {e}"))?;
    let shape: Vec<u64> = npy.shape().to_vec();
    let fortran = npy.order() == Order::Fortran;
    let size = (rows * columns) as u64;
    let grid = columns > 1 && shape == [rows as u64, columns as u64];
    if !(shape == [size] || shape == [size, 1] || grid) {
        let expected = if columns > 1 {
            format!("({size},) or ({rows}, {columns})")
        } else {
            format!("({size},)")
        };
        return Err(format!(
            "shape {shape:?}: expected {expected}, one value per displacement"
        ));
    }
    let data = crate::input::read_npy_numbers(npy)?;
    if grid && fortran {
        // Element (i, j) sits at j·rows + i in Fortran order.
        return Ok((0..rows)
            .flat_map(|i| (0..columns).map(move |j| (i, j)))
            .map(|(i, j)| data[j * rows + i])
            .collect());
    }
    Ok(data)
}

fn read_csv(reader: impl std::io::Read, rows: usize, columns: usize) -> Result<Vec<f64>, String> {
    let mut csv = Rows::new(reader);
    let mut values = Vec::with_capacity(rows * columns);
    let mut width = None;
    let mut first = true;
    while let Some(row) = csv.next_row() {
        let (line, record) =
            row.map_err(|error| format!("line {}: {}", error.line, error.message))?;
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        let numbers: Result<Vec<f64>, _> = record.iter().map(str::parse::<f64>).collect();
        let numbers = match numbers {
            Ok(numbers) => numbers,
            Err(_) if first => {
                first = false;
                continue;
            }
            Err(_) => {
                let cell = record
                    .iter()
                    .find(|cell| cell.parse::<f64>().is_err())
                    .unwrap_or_default();
                return Err(format!("line {line}: \"{cell}\" is not a number"));
            }
        };
        first = false;
        let expected = *width.get_or_insert(numbers.len());
        let allowed = numbers.len() == 1 || (columns > 1 && numbers.len() == columns);
        if numbers.len() != expected || !allowed {
            return Err(format!(
                "line {line}: {} values in a row; give one value per row{}",
                numbers.len(),
                if columns > 1 {
                    format!(", or rows of {columns} (one per point of the second side)")
                } else {
                    String::new()
                }
            ));
        }
        values.extend(numbers);
    }
    Ok(values)
}

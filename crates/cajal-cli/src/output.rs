//! Writing results: .npy (numpy.load reads them) and CSV side by side, and summary.json.
//!
//! Layout of an output directory:
//! ```text
//! model.toml                 the model file as run
//! summary.json               written last: its presence means the outputs are complete
//! spikes/NAME.npy, .csv      one row per spike: neuron index, time (ms)
//! traces/NAME_VAR.npy        samples × recorded neurons, in the variable's working unit
//! traces/NAME_times_ms.npy   sample times
//! traces/NAME.csv            time_ms, then one column per variable and neuron (`v_mV[3]`)
//! plots/*.svg, *.png         figures
//! ```

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use cajal::engine::RunResult;
use cajal::record::TraceRecorder;
use miette::{IntoDiagnostic, Result, WrapErr};
use npyz::WriterBuilder;

/// Creates `directory` (and parents), with a clear error.
pub fn create_directory(directory: &Path) -> Result<()> {
    fs::create_dir_all(directory)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create the output directory {}", directory.display()))
}

/// Writes a row-major float64 array of `shape` as .npy.
pub fn write_npy(path: &Path, shape: &[u64], data: &[f64]) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let file = File::create(path)
        .into_diagnostic()
        .wrap_err_with(context)?;
    let mut buffer = BufWriter::new(file);
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(shape)
        .writer(&mut buffer)
        .begin_nd()
        .into_diagnostic()
        .wrap_err_with(context)?;
    writer
        .extend(data.iter().copied())
        .into_diagnostic()
        .wrap_err_with(context)?;
    writer.finish().into_diagnostic().wrap_err_with(context)?;
    buffer.flush().into_diagnostic().wrap_err_with(context)
}

/// Writes a CSV with a header and numeric rows.
pub fn write_csv(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<f64>>,
) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let mut writer = csv::Writer::from_path(path)
        .into_diagnostic()
        .wrap_err_with(context)?;
    writer
        .write_record(header)
        .into_diagnostic()
        .wrap_err_with(context)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|value| format_number(*value)))
            .into_diagnostic()
            .wrap_err_with(context)?;
    }
    writer.flush().into_diagnostic().wrap_err_with(context)
}

/// Shortest text that reads back as the same f64 (integers without a decimal point).
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A file name for `name` that is safe on every file system.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The working unit of a variable's dimension, for column names and labels.
pub fn unit_of(dimension: cajal::units::Dimension) -> &'static str {
    if dimension == cajal::units::Dimension::DIMENSIONLESS {
        return "";
    }
    dimension.working_unit().unwrap_or("")
}

/// Writes spikes and traces; returns the stems used for each trace recorder (for plots).
pub fn write_data(directory: &Path, result: &RunResult) -> Result<Vec<String>> {
    let names: Vec<&str> = result.populations.iter().map(|p| p.name.as_str()).collect();
    let stems = population_stems(&names);
    if !result.spikes.is_empty() {
        let spikes_directory = directory.join("spikes");
        create_directory(&spikes_directory)?;
        for (index, recorder) in result.spikes.iter().enumerate() {
            let stem = unique_stem(
                &result.spikes[..index]
                    .iter()
                    .map(|r| r.population)
                    .collect::<Vec<_>>(),
                recorder.population,
                &stems,
            );
            let mut flat = Vec::with_capacity(2 * recorder.spikes.len());
            for spike in &recorder.spikes {
                flat.push(spike.neuron as f64);
                flat.push(spike.time_ms);
            }
            write_npy(
                &spikes_directory.join(format!("{stem}.npy")),
                &[recorder.spikes.len() as u64, 2],
                &flat,
            )?;
            write_csv(
                &spikes_directory.join(format!("{stem}.csv")),
                &["neuron".into(), "time_ms".into()],
                recorder
                    .spikes
                    .iter()
                    .map(|s| vec![s.neuron as f64, s.time_ms]),
            )?;
        }
    }
    let mut trace_stems = Vec::new();
    if !result.traces.is_empty() {
        let traces_directory = directory.join("traces");
        create_directory(&traces_directory)?;
        for (index, trace) in result.traces.iter().enumerate() {
            let earlier: Vec<usize> = result.traces[..index]
                .iter()
                .map(|t| t.population)
                .collect();
            let stem = unique_stem(&earlier, trace.population, &stems);
            write_trace(&traces_directory, &stem, trace)?;
            trace_stems.push(stem);
        }
    }
    Ok(trace_stems)
}

/// A distinct file stem per population: the sanitised name, with the population's number
/// appended (after a `.`, which sanitised names never contain) where two names would give
/// the same stem.
pub fn population_stems(names: &[&str]) -> Vec<String> {
    let stems: Vec<String> = names.iter().map(|name| file_stem(name)).collect();
    stems
        .iter()
        .enumerate()
        .map(|(index, stem)| {
            if stems.iter().filter(|other| *other == stem).count() > 1 {
                format!("{stem}.{index}")
            } else {
                stem.clone()
            }
        })
        .collect()
}

/// The stem of a population's recorder: its population's stem, and `.2`, `.3`, ... for
/// further recorders of the same population.
fn unique_stem(earlier: &[usize], population: usize, stems: &[String]) -> String {
    let repeats = earlier.iter().filter(|&&p| p == population).count();
    if repeats == 0 {
        stems[population].clone()
    } else {
        format!("{}.{}", stems[population], repeats + 1)
    }
}

fn write_trace(directory: &Path, stem: &str, trace: &TraceRecorder) -> Result<()> {
    let samples = trace.times_ms.len() as u64;
    let neurons = trace.neurons.len() as u64;
    write_npy(
        &directory.join(format!("{stem}_times_ms.npy")),
        &[samples],
        &trace.times_ms,
    )?;
    for (variable, values) in trace.variables.iter().zip(&trace.values) {
        write_npy(
            &directory.join(format!("{stem}_{}.npy", variable.name)),
            &[samples, neurons],
            values,
        )?;
    }
    let mut header = vec!["time_ms".to_string()];
    for variable in &trace.variables {
        let unit = unit_of(variable.dimension);
        for neuron in &trace.neurons {
            header.push(if unit.is_empty() {
                format!("{}[{neuron}]", variable.name)
            } else {
                format!(
                    "{}_{}[{neuron}]",
                    variable.name,
                    unit.replace('/', "_per_").replace('²', "2")
                )
            });
        }
    }
    let rows = (0..trace.times_ms.len()).map(|sample| {
        let mut row = Vec::with_capacity(1 + trace.variables.len() * trace.neurons.len());
        row.push(trace.times_ms[sample]);
        for values in &trace.values {
            let start = sample * trace.neurons.len();
            row.extend_from_slice(&values[start..start + trace.neurons.len()]);
        }
        row
    });
    write_csv(&directory.join(format!("{stem}.csv")), &header, rows)
}

/// Writes `value` as pretty JSON.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value).into_diagnostic()?;
    fs::write(path, text + "\n")
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_files_have_a_numpy_header_and_little_endian_data() {
        let directory = std::env::temp_dir().join(format!("cajal-npy-{}", std::process::id()));
        create_directory(&directory).unwrap();
        let path = directory.join("a.npy");
        write_npy(&path, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        let header = String::from_utf8_lossy(&bytes[10..bytes.len() - 48]);
        assert!(header.contains("'descr': '<f8'"), "{header}");
        assert!(header.contains("'shape': (2, 3, )"), "{header}");
        let last = f64::from_le_bytes(bytes[bytes.len() - 8..].try_into().unwrap());
        assert_eq!(last, 6.5);
        let reader = npyz::NpyFile::new(&bytes[..]).unwrap();
        assert_eq!(reader.shape(), &[2, 3]);
        let values: Vec<f64> = reader.into_vec().unwrap();
        assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn numbers_round_trip_through_csv_text() {
        for value in [0.0, -65.0, 0.1, 1.0 / 3.0, 1e-300, 40.253_000_1] {
            assert_eq!(format_number(value).parse::<f64>().unwrap(), value);
        }
        assert_eq!(format_number(12.0), "12");
        assert_eq!(file_stem("E pop/1"), "E_pop_1");
        // Names that sanitise alike get their population number; others keep their stem.
        assert_eq!(
            population_stems(&["E.1", "E 1", "I", "α"]),
            ["E_1.0", "E_1.1", "I", "_"]
        );
    }
}

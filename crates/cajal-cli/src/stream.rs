//! Writing a run's recordings while it runs, chunk by chunk, so that memory does not grow
//! with the run and an interrupted run leaves readable files.
//!
//! After every chunk each file is complete up to that chunk: CSV files end with whole rows,
//! and each .npy file's header states the rows written so far. The header is written with a
//! fixed width and rewritten in place after the chunk's rows are on disk; a file therefore
//! never claims rows it does not hold (numpy reads the rows its header states and ignores
//! any beyond, such as those of a chunk cut short by a forced exit).

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use cajal::record::{Chunk, RecordingSink, Recordings, TraceRecorder};
use cajal::spec::model::ModelSpec;
use miette::{IntoDiagnostic, Report, Result, WrapErr};

use crate::digest::Digests;
use crate::output::{create_directory, format_number, population_stems, unique_stem, unit_of};

/// Bytes of a streamed .npy header (magic, version, length, dictionary, padding, newline):
/// room for any two 64-bit dimensions, and a multiple of 64 as numpy aligns its own.
const NPY_HEADER_BYTES: usize = 128;

/// A float64 .npy file written row by row.
pub struct NpyStream {
    path: PathBuf,
    file: BufWriter<File>,
    /// Values per row; `None` for a one-dimensional array.
    columns: Option<u64>,
    rows: u64,
}

fn cannot_write(path: &Path) -> String {
    format!("cannot write {}", path.display())
}

impl NpyStream {
    /// Creates `path` as an empty array of rows of `columns` values (`None`: of single
    /// values, a one-dimensional array).
    pub fn create(path: &Path, columns: Option<u64>) -> Result<Self> {
        let file = File::create(path)
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        let mut stream = NpyStream {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
            columns,
            rows: 0,
        };
        let header = stream.header();
        stream
            .file
            .write_all(&header)
            .and_then(|()| stream.file.flush())
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        Ok(stream)
    }

    /// The header stating the current number of rows, padded to [`NPY_HEADER_BYTES`].
    fn header(&self) -> Vec<u8> {
        let shape = match self.columns {
            Some(columns) => format!("({}, {columns})", self.rows),
            None => format!("({},)", self.rows),
        };
        let dictionary = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
        let mut header = b"\x93NUMPY\x01\x00".to_vec();
        let text_length = NPY_HEADER_BYTES - header.len() - 2;
        header.extend_from_slice(&(text_length as u16).to_le_bytes());
        header.extend_from_slice(dictionary.as_bytes());
        header.resize(NPY_HEADER_BYTES - 1, b' ');
        header.push(b'\n');
        header
    }

    /// Appends rows (a whole number of them, row after row).
    pub fn append(&mut self, values: &[f64]) -> Result<()> {
        let width = self.columns.unwrap_or(1).max(1) as usize;
        debug_assert_eq!(values.len() % width, 0);
        for value in values {
            self.file
                .write_all(&value.to_le_bytes())
                .into_diagnostic()
                .wrap_err_with(|| cannot_write(&self.path))?;
        }
        self.rows += (values.len() / width) as u64;
        Ok(())
    }

    /// Puts the rows appended on disk, then the header that counts them.
    pub fn commit(&mut self) -> Result<()> {
        let header = self.header();
        let path = &self.path;
        self.file
            .flush()
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&header))
            .and_then(|()| file.seek(SeekFrom::End(0)))
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        Ok(())
    }
}

/// A CSV file written row by row.
pub struct CsvStream {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl CsvStream {
    /// Creates `path` with its header row.
    pub fn create(path: &Path, header: &[String]) -> Result<Self> {
        let mut writer = csv::Writer::from_path(path)
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        writer
            .write_record(header)
            .and_then(|()| writer.flush().map_err(csv::Error::from))
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(path))?;
        Ok(CsvStream {
            path: path.to_path_buf(),
            writer,
        })
    }

    /// Appends one row of numbers.
    pub fn append(&mut self, row: &[f64]) -> Result<()> {
        self.writer
            .write_record(row.iter().map(|value| format_number(*value)))
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(&self.path))
    }

    /// Puts the rows appended on disk.
    pub fn commit(&mut self) -> Result<()> {
        self.writer
            .flush()
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(&self.path))
    }
}

/// The files of one trace recorder.
struct TraceFiles {
    times: NpyStream,
    variables: Vec<NpyStream>,
    csv: CsvStream,
}

/// The column names of a trace's CSV: `time_ms`, then `NAME_UNIT[neuron]` per variable and
/// neuron.
fn trace_header(trace: &TraceRecorder) -> Vec<String> {
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
    header
}

/// The sink of a CLI run: writes spikes, traces and activity under the output directory as
/// the run goes, and keeps the bounded digests that the plots and summary.json need.
pub struct RunWriter {
    spikes: Vec<(NpyStream, CsvStream)>,
    traces: Vec<TraceFiles>,
    activity: Vec<(NpyStream, CsvStream)>,
    trace_stems: Vec<String>,
    digests: Digests,
    /// The files written and what they hold, for summary.json (`cajal stats OUTDIR` reads
    /// it to know each file's population and recorded neurons).
    manifest: serde_json::Value,
    /// One chunk's values of a file, while they are laid out in rows.
    rows: Vec<f64>,
}

impl RunWriter {
    /// Creates the (empty) data files of `recorders` under `directory`: spikes/, traces/
    /// and activity/, each only when something of its kind is recorded.
    pub fn create(directory: &Path, spec: &ModelSpec, recorders: &Recordings) -> Result<Self> {
        let names: Vec<&str> = spec.populations.iter().map(|p| p.name.as_str()).collect();
        let stems = population_stems(&names);
        let stem_of =
            |earlier: Vec<usize>, population: usize| unique_stem(&earlier, population, &stems);
        let mut spikes = Vec::new();
        let mut manifest = serde_json::json!({"spikes": [], "traces": [], "activity": []});
        let population_entry = |population: usize| {
            let spec = &spec.populations[population];
            serde_json::json!({"population": spec.name, "population_size": spec.size})
        };
        if !recorders.spikes.is_empty() {
            let folder = directory.join("spikes");
            create_directory(&folder)?;
            for (index, recorder) in recorders.spikes.iter().enumerate() {
                let earlier = recorders.spikes[..index].iter().map(|r| r.population);
                let stem = stem_of(earlier.collect(), recorder.population);
                let mut entry = population_entry(recorder.population);
                entry["file"] = format!("spikes/{stem}.npy").into();
                entry["csv"] = format!("spikes/{stem}.csv").into();
                entry["time_unit"] = "ms".into();
                entry["neurons"] = serde_json::json!(recorder.neurons);
                manifest["spikes"]
                    .as_array_mut()
                    .expect("an array")
                    .push(entry);
                spikes.push((
                    NpyStream::create(&folder.join(format!("{stem}.npy")), Some(2))?,
                    CsvStream::create(
                        &folder.join(format!("{stem}.csv")),
                        &["neuron".into(), "time_ms".into()],
                    )?,
                ));
            }
        }
        let mut traces = Vec::new();
        let mut trace_stems = Vec::new();
        if !recorders.traces.is_empty() {
            let folder = directory.join("traces");
            create_directory(&folder)?;
            for (index, trace) in recorders.traces.iter().enumerate() {
                let earlier = recorders.traces[..index].iter().map(|t| t.population);
                let stem = stem_of(earlier.collect(), trace.population);
                let neurons = trace.neurons.len() as u64;
                let mut entry = population_entry(trace.population);
                entry["times"] = format!("traces/{stem}_times_ms.npy").into();
                entry["neurons"] = serde_json::json!(trace.neurons);
                entry["variables"] = trace
                    .variables
                    .iter()
                    .map(|variable| {
                        serde_json::json!({
                            "name": variable.name,
                            "unit": unit_of(variable.dimension),
                            "file": format!("traces/{stem}_{}.npy", variable.name),
                        })
                    })
                    .collect();
                manifest["traces"]
                    .as_array_mut()
                    .expect("an array")
                    .push(entry);
                traces.push(TraceFiles {
                    times: NpyStream::create(&folder.join(format!("{stem}_times_ms.npy")), None)?,
                    variables: trace
                        .variables
                        .iter()
                        .map(|variable| {
                            let path = folder.join(format!("{stem}_{}.npy", variable.name));
                            NpyStream::create(&path, Some(neurons))
                        })
                        .collect::<Result<_>>()?,
                    csv: CsvStream::create(
                        &folder.join(format!("{stem}.csv")),
                        &trace_header(trace),
                    )?,
                });
                trace_stems.push(stem);
            }
        }
        let mut activity = Vec::new();
        if !recorders.activity.is_empty() {
            let folder = directory.join("activity");
            create_directory(&folder)?;
            for (index, recorder) in recorders.activity.iter().enumerate() {
                let earlier = recorders.activity[..index].iter().map(|a| a.population);
                let stem = stem_of(earlier.collect(), recorder.population);
                let mut entry = population_entry(recorder.population);
                entry["file"] = format!("activity/{stem}.npy").into();
                manifest["activity"]
                    .as_array_mut()
                    .expect("an array")
                    .push(entry);
                activity.push((
                    NpyStream::create(&folder.join(format!("{stem}.npy")), Some(2))?,
                    CsvStream::create(
                        &folder.join(format!("{stem}.csv")),
                        &["bin_start_ms".into(), "rate_hz".into()],
                    )?,
                ));
            }
        }
        let sizes: Vec<usize> = spec.populations.iter().map(|p| p.size).collect();
        Ok(RunWriter {
            spikes,
            traces,
            activity,
            trace_stems,
            manifest,
            digests: Digests::new(recorders, &sizes, spec.simulation.duration_ms),
            rows: Vec::new(),
        })
    }

    /// The file stem of every trace recorder (for the plots).
    pub fn trace_stems(&self) -> &[String] {
        &self.trace_stems
    }

    /// The files written and what they hold (summary.json's `recordings`).
    pub fn manifest(&self) -> &serde_json::Value {
        &self.manifest
    }

    /// What the plots and the summary need.
    pub fn digests(&self) -> &Digests {
        &self.digests
    }

    fn write(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let recorded = chunk.recorded;
        for ((npy, csv), recorder) in self.spikes.iter_mut().zip(&recorded.spikes) {
            self.rows.clear();
            for spike in &recorder.spikes {
                let row = [spike.neuron as f64, spike.time_ms];
                csv.append(&row)?;
                self.rows.extend_from_slice(&row);
            }
            npy.append(&self.rows)?;
            npy.commit()?;
            csv.commit()?;
        }
        for (files, trace) in self.traces.iter_mut().zip(&recorded.traces) {
            files.times.append(&trace.times_ms)?;
            for (npy, values) in files.variables.iter_mut().zip(&trace.values) {
                npy.append(values)?;
            }
            let width = trace.neurons.len();
            for (sample, &time) in trace.times_ms.iter().enumerate() {
                self.rows.clear();
                self.rows.push(time);
                for values in &trace.values {
                    self.rows
                        .extend_from_slice(&values[sample * width..(sample + 1) * width]);
                }
                files.csv.append(&self.rows)?;
            }
            for npy in &mut files.variables {
                npy.commit()?;
            }
            // The times last: rows whose time is counted have all their values.
            files.times.commit()?;
            files.csv.commit()?;
        }
        for ((npy, csv), recorder) in self.activity.iter_mut().zip(&recorded.activity) {
            self.rows.clear();
            for (&start, &rate) in recorder.start_ms.iter().zip(&recorder.rate_hz) {
                csv.append(&[start, rate])?;
                self.rows.extend_from_slice(&[start, rate]);
            }
            npy.append(&self.rows)?;
            npy.commit()?;
            csv.commit()?;
        }
        self.digests.add(chunk);
        Ok(())
    }
}

impl RecordingSink for RunWriter {
    type Error = Report;

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.write(chunk)
    }
}

#[cfg(test)]
mod tests;

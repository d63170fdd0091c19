//! Writing results: .npy (numpy.load reads them) and CSV side by side, and summary.json.
//! The data files are written while the run goes ([`crate::stream`]); this module holds
//! what all outputs share: directories, file stems, number formatting, JSON.
//!
//! Layout of an output directory:
//! ```text
//! model.toml                 the model file as run (written before the run)
//! spikes/NAME.npy, .csv      one row per spike: neuron index, time (ms)
//! traces/NAME_VAR.npy        samples × recorded neurons, in the variable's working unit
//! traces/NAME_times_ms.npy   sample times
//! traces/NAME.csv            time_ms, then one column per variable and neuron (`v_mV[3]`)
//! activity/NAME.npy, .csv    one row per whole bin: bin start (ms), population rate ν (Hz);
//!                            a last partial bin (end of run, or Ctrl-C) is dropped
//! plots/*.svg, *.png         figures (drawn after the run)
//! report.html                one self-contained page: facts, statistics, theory beside
//!                            simulation, the figures, the model file ([`crate::report`])
//! summary.json               written last; `"complete": false` if the run was stopped
//! ```
//!
//! **Streaming.** Spikes, traces and activity are appended after every chunk of steps (the
//! 100 steps between progress reports), and between chunks every file is valid and complete
//! up to the last chunk: CSV files end with whole rows, each .npy header states the rows on
//! disk. A run interrupted by Ctrl-C stops after a chunk, so its files are readable up to the
//! time it reached, which summary.json gives. A write error (disk full, a directory that is
//! not writable) stops the run with a message naming the file and writes no summary.json:
//! outputs without one are incomplete.
//!
//! **Memory.** The engine holds one chunk of recorded data. The plots and the summary keep
//! ([`crate::digest`]): per recorded neuron a spike count and ISI moments (rates, CVs), the
//! population rate in 1 ms bins (8 bytes per ms of run), the raster sample's spikes in at
//! most the first 2 s (and at most 200,000 of them), and at most the first 50,000 samples of
//! the first 5 neurons of each trace. None of this grows with the number of spikes, so a
//! long run needs no more memory than a short one beyond the 1 ms rate bins.

use std::fs;
use std::path::Path;

use miette::{IntoDiagnostic, Result, WrapErr};

/// Creates `directory` (and parents), with a clear error.
pub fn create_directory(directory: &Path) -> Result<()> {
    fs::create_dir_all(directory)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create the output directory {}", directory.display()))
}

/// Prepares a run's output directory: creates it, removes an earlier summary.json and
/// report.html (they would claim completeness for outputs about to be replaced) and writes
/// the model file as run to model.toml. Returns the path of summary.json, the run's last
/// file.
pub fn prepare_run_directory(directory: &Path, model_text: &str) -> Result<std::path::PathBuf> {
    create_directory(directory)?;
    let summary_path = directory.join("summary.json");
    for old in [&summary_path, &directory.join("report.html")] {
        if old.exists() {
            fs::remove_file(old)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot remove the old {}", old.display()))?;
        }
    }
    fs::write(directory.join("model.toml"), model_text.as_bytes())
        .into_diagnostic()
        .wrap_err("cannot write model.toml")?;
    Ok(summary_path)
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
pub fn unique_stem(earlier: &[usize], population: usize, stems: &[String]) -> String {
    let repeats = earlier.iter().filter(|&&p| p == population).count();
    if repeats == 0 {
        stems[population].clone()
    } else {
        format!("{}.{}", stems[population], repeats + 1)
    }
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

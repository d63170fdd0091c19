//! What `cajal stats` reads: plain spike files (CSV or .npy) and cajal's output directories,
//! turned into groups of neurons with their spike trains and, where recorded, their
//! membrane-potential traces.

use std::path::{Path, PathBuf};

use cajal::spike_file::{SpikeColumns, read_spike_file};
use miette::{IntoDiagnostic, Result, WrapErr, miette};
use serde_json::Value;

/// The spikes of one group of neurons (a population of a run, or one plain file).
pub struct SpikeGroup {
    /// The population's name, or the file's stem.
    pub name: String,
    /// Where the spikes came from.
    pub source: PathBuf,
    /// The number of each neuron of the group, by position: statistics number the neurons
    /// 0.. in this order and report these numbers.
    pub ids: Vec<u32>,
    /// The spikes, with neurons numbered by position in `ids`.
    pub spikes: SpikeColumns,
    /// The observation window the data comes with (ms): a run's [0, duration].
    pub known_window_ms: Option<(f64, f64)>,
    /// For a run's recorder: the run's directory, and whether it records the whole
    /// population (a population may have several recorders, of different neurons).
    pub recorder_of: Option<(PathBuf, bool)>,
}

/// Membrane-potential samples of some neurons of a group.
pub struct VoltageTraces {
    /// The group's name.
    pub name: String,
    /// Sampled neurons.
    pub neurons: Vec<u32>,
    /// `values[sample * neurons.len() + k]`: the potential (mV) of `neurons[k]`.
    pub values_mv: Vec<f64>,
}

/// Everything read from the command line's SPIKES arguments.
#[derive(Default)]
pub struct StatsInput {
    /// Spike groups in the order given.
    pub groups: Vec<SpikeGroup>,
    /// Voltage traces of cajal runs.
    pub traces: Vec<VoltageTraces>,
    /// The model file text of a cajal run given, for a report.
    pub model_text: Option<String>,
}

/// Reads every path: a cajal output directory contributes each recorded population, a file
/// one group. `neurons` (`--neurons`) fixes a plain file's neuron count (0..N), so that
/// silent neurons count; without it a file's neurons are those that spike.
pub fn read_inputs(
    paths: &[PathBuf],
    time_unit_ms: Option<f64>,
    neurons: Option<u32>,
) -> Result<StatsInput> {
    let mut input = StatsInput::default();
    for path in paths {
        if path.is_dir() {
            read_run_directory(path, &mut input)?;
        } else {
            let spikes = read_spike_file(path, time_unit_ms).map_err(|e| miette!("{e}"))?;
            let name = path
                .file_stem()
                .map_or_else(|| "spikes".into(), |s| s.to_string_lossy().into_owned());
            input
                .groups
                .push(group_of_file(name, path, spikes, neurons)?);
        }
    }
    if input.groups.is_empty() {
        return Err(miette!(
            "no spikes to analyse: the runs given recorded none (add a [record.spikes] table)"
        ));
    }
    Ok(input)
}

/// Numbers the neurons of a plain file: 0..N with `--neurons N`, otherwise the distinct
/// numbers that occur, in increasing order.
fn group_of_file(
    name: String,
    path: &Path,
    mut spikes: SpikeColumns,
    neurons: Option<u32>,
) -> Result<SpikeGroup> {
    let ids = match neurons {
        Some(count) => {
            if let Some(&bad) = spikes.neurons.iter().find(|&&n| n >= count) {
                let range = match count {
                    0 => "no neurons".to_string(),
                    _ => format!("neurons 0 to {}", count - 1),
                };
                return Err(miette!(
                    "{}: neuron {bad} is beyond --neurons {count} ({range})",
                    path.display()
                ));
            }
            (0..count).collect()
        }
        None => renumber(&mut spikes.neurons),
    };
    Ok(SpikeGroup {
        name,
        source: path.to_path_buf(),
        ids,
        spikes,
        known_window_ms: None,
        recorder_of: None,
    })
}

/// Replaces neuron numbers by their positions among the distinct numbers, which it returns.
fn renumber(neurons: &mut [u32]) -> Vec<u32> {
    let mut ids = neurons.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let contiguous =
        ids.first() == Some(&0) && ids.last().map(|&l| l as usize + 1) == Some(ids.len());
    if !contiguous {
        for neuron in neurons.iter_mut() {
            *neuron = ids
                .binary_search(neuron)
                .expect("every number is among them") as u32;
        }
    }
    ids
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .into_diagnostic()
        .wrap_err_with(|| format!("{} is not valid JSON", path.display()))
}

/// A cajal output directory: its summary.json says which files hold which population's
/// spikes and traces, and the run's duration is the observation window.
fn read_run_directory(directory: &Path, input: &mut StatsInput) -> Result<()> {
    let summary_path = directory.join("summary.json");
    if !summary_path.exists() {
        return Err(miette!(
            "{} is a directory without summary.json: give a cajal output directory of a \
             finished run, or spike files (.csv, .npy)",
            directory.display()
        ));
    }
    let summary = read_json(&summary_path)?;
    let seconds = summary["biological_seconds"].as_f64().ok_or_else(|| {
        miette!(
            "{}: biological_seconds is missing or malformed (written by another cajal \
             version?)",
            summary_path.display()
        )
    })?;
    read_recordings(directory, &summary["recordings"], seconds * 1000.0, input)
        .wrap_err_with(|| format!("reading the run described by {}", summary_path.display()))
}

/// The spikes and membrane potentials of a run's `recordings` (summary.json's, or the
/// writer's manifest while the run is finishing) over [0, duration_ms].
pub fn read_recordings(
    directory: &Path,
    recordings: &Value,
    duration_ms: f64,
    input: &mut StatsInput,
) -> Result<()> {
    let malformed =
        |what: &str| miette!("{what} is missing or malformed (written by another cajal version?)");
    let recordings = recordings
        .as_object()
        .ok_or_else(|| malformed("recordings"))?;
    let list = |key: &str| recordings.get(key).and_then(Value::as_array);
    for entry in list("spikes").ok_or_else(|| malformed("recordings.spikes"))? {
        let name = entry["population"]
            .as_str()
            .ok_or_else(|| malformed("recordings.spikes[].population"))?;
        let file = entry["file"]
            .as_str()
            .ok_or_else(|| malformed("recordings.spikes[].file"))?;
        let size = entry["population_size"]
            .as_u64()
            .and_then(|size| u32::try_from(size).ok())
            .ok_or_else(|| malformed("recordings.spikes[].population_size"))?;
        let path = directory.join(file);
        let mut spikes = read_spike_file(&path, Some(1.0)).map_err(|e| miette!("{e}"))?;
        let ids: Vec<u32> = match &entry["neurons"] {
            Value::Null => (0..size).collect(),
            Value::Array(values) => values
                .iter()
                .map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| malformed("recordings.spikes[].neurons"))?,
            _ => return Err(malformed("recordings.spikes[].neurons")),
        };
        if entry["neurons"].is_array() {
            for neuron in &mut spikes.neurons {
                *neuron = ids.binary_search(neuron).map_err(|_| {
                    miette!(
                        "{}: neuron {neuron} is not among the recorded neurons",
                        path.display()
                    )
                })? as u32;
            }
        }
        input.groups.push(SpikeGroup {
            name: name.to_string(),
            source: path,
            ids,
            spikes,
            known_window_ms: Some((0.0, duration_ms)),
            recorder_of: Some((directory.to_path_buf(), entry["neurons"].is_null())),
        });
    }
    for entry in list("traces").into_iter().flatten() {
        let Some(variable) = entry["variables"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["name"] == "v" && v["unit"] == "mV"))
        else {
            continue;
        };
        let neurons: Vec<u32> = entry["neurons"]
            .as_array()
            .ok_or_else(|| malformed("recordings.traces[].neurons"))?
            .iter()
            .filter_map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
            .collect();
        let file = variable["file"]
            .as_str()
            .ok_or_else(|| malformed("recordings.traces[].variables[].file"))?;
        let values_mv = read_npy_values(&directory.join(file))?;
        input.traces.push(VoltageTraces {
            name: entry["population"].as_str().unwrap_or("").to_string(),
            neurons,
            values_mv,
        });
    }
    if input.model_text.is_none() {
        input.model_text = std::fs::read_to_string(directory.join("model.toml")).ok();
    }
    Ok(())
}

/// The float64 values of a .npy file cajal wrote, in storage order.
fn read_npy_values(path: &Path) -> Result<Vec<f64>> {
    let bytes = std::fs::read(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read {}", path.display()))?;
    let file = npyz::NpyFile::new(&bytes[..])
        .into_diagnostic()
        .wrap_err_with(|| format!("{} is not a valid .npy file", path.display()))?;
    file.into_vec::<f64>()
        .into_diagnostic()
        .wrap_err_with(|| format!("{}: cannot read its values as float64", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_neurons_are_numbered_by_position_unless_a_count_is_given() {
        let mut neurons = vec![7, 3, 7, 12];
        assert_eq!(renumber(&mut neurons), [3, 7, 12]);
        assert_eq!(neurons, [1, 0, 1, 2]);
        let mut contiguous = vec![2, 0, 1];
        assert_eq!(renumber(&mut contiguous), [0, 1, 2]);
        assert_eq!(contiguous, [2, 0, 1]);
        let spikes = SpikeColumns {
            neurons: vec![4],
            times_ms: vec![1.0],
        };
        let group = group_of_file("x".into(), Path::new("x.csv"), spikes.clone(), Some(6)).unwrap();
        assert_eq!(group.ids.len(), 6);
        let error = group_of_file("x".into(), Path::new("x.csv"), spikes, Some(4))
            .err()
            .unwrap();
        assert!(error.to_string().contains("beyond --neurons 4"), "{error}");
    }
}

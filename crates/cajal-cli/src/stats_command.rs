//! `cajal stats SPIKES... [--json]`: the spike-train statistics of plain spike files and of
//! cajal's output directories, each group beside a Poisson process of the same rate.

use cajal::spike_file::milliseconds_per;
use cajal::stats::{
    Psth, SpikeStatistics, SpikeTrains, StatisticsOptions, TraceStatistics, Window, psth,
    trace_statistics,
};
use miette::{Result, miette};
use serde_json::{Value, json};

use crate::cli::StatsOptions;
use crate::stats_input::{SpikeGroup, StatsInput, read_inputs};
use crate::stats_options::{interval_ms, stimulus_times_ms, time_ms, width_ms, widths_ms};

/// The statistics of one group of neurons, with what they were computed from.
#[derive(Clone)]
pub struct GroupStatistics {
    /// The group's name.
    pub name: String,
    /// Its spike trains (neurons numbered by position in `ids`).
    pub trains: SpikeTrains,
    /// The neurons' own numbers.
    pub ids: Vec<u32>,
    /// Every statistic.
    pub statistics: SpikeStatistics,
    /// The PSTH, when stimulus times are given.
    pub psth: Option<Psth>,
}

/// Everything `cajal stats` computed.
pub struct StatsResult {
    /// The observation window shared by all groups.
    pub window: Window,
    /// Each group.
    pub groups: Vec<GroupStatistics>,
    /// All groups together (the same as the only group when there is one).
    pub pooled: GroupStatistics,
    /// Membrane-potential statistics of the recorded traces, by group name.
    pub traces: Vec<(String, Vec<u32>, TraceStatistics)>,
    /// The input, for figures and the report.
    pub input: StatsInput,
}

impl StatsResult {
    /// The group that stands for the population `name` of a run: its recorder of the whole
    /// population if it has one, else its first recorder.
    pub fn group(&self, name: &str) -> Option<&GroupStatistics> {
        let chosen = representatives(&self.input.groups);
        self.groups
            .iter()
            .zip(chosen)
            .find(|(g, chosen)| *chosen && g.name == name)
            .map(|(g, _)| g)
    }
}

/// Whether each group stands for its population: plain files always; of several recorders of
/// one population of one run, the one of the whole population (else the first), so that
/// pooled statistics count every neuron once.
fn representatives(groups: &[SpikeGroup]) -> Vec<bool> {
    let same = |a: &SpikeGroup, b: &SpikeGroup| {
        a.name == b.name
            && matches!((&a.recorder_of, &b.recorder_of), (Some((x, _)), Some((y, _))) if x == y)
    };
    let whole = |g: &SpikeGroup| g.recorder_of.as_ref().is_some_and(|(_, whole)| *whole);
    groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            if group.recorder_of.is_none() {
                return true;
            }
            let rivals: Vec<usize> = (0..groups.len())
                .filter(|&j| same(group, &groups[j]))
                .collect();
            let preferred = rivals
                .iter()
                .copied()
                .find(|&j| whole(&groups[j]))
                .unwrap_or(rivals[0]);
            preferred == i
        })
        .collect()
}

/// `cajal stats`.
pub fn stats(options: &StatsOptions) -> Result<()> {
    let result = compute(options)?;
    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&result)).expect("plain values")
        );
    } else {
        print_table(&result);
    }
    if let Some(directory) = &options.output {
        crate::stats_outputs::write(directory, &result, options)?;
        if !options.json {
            println!(
                "figures and statistics.json written to {}/",
                directory.display()
            );
        }
    }
    Ok(())
}

fn statistics_options(options: &StatsOptions) -> Result<StatisticsOptions> {
    Ok(StatisticsOptions {
        fano_window_ms: width_ms("fano-window", &options.fano_window)?,
        fano_windows_ms: widths_ms("fano-windows", &options.fano_windows)?,
        activity_bin_ms: width_ms("bin", &options.bin)?,
        correlation_bin_ms: width_ms("correlation-bin", &options.correlation_bin)?,
        correlation_pairs: options.pairs,
        seed: options.seed,
        spectrum_segment_samples: None,
    })
}

/// The observation window: as given; else a run's [0, duration] (all runs given must
/// agree); else from 0 (or the first spike, if earlier) to the last spike of all files.
fn observation_window(options: &StatsOptions, input: &StatsInput) -> Result<Window> {
    let given_start = options
        .t_start
        .as_deref()
        .map(|t| time_ms("t-start", t))
        .transpose()?;
    let given_stop = options
        .t_stop
        .as_deref()
        .map(|t| time_ms("t-stop", t))
        .transpose()?;
    let mut known = input.groups.iter().filter_map(|g| g.known_window_ms);
    let run_window = known.next();
    if let Some(first) = run_window
        && let Some(other) = known.find(|w| *w != first)
        && (given_start.is_none() || given_stop.is_none())
    {
        return Err(miette!(
            "the runs given cover different times ({} ms and {} ms): give the window with \
             --t-start and --t-stop",
            first.1 - first.0,
            other.1 - other.0
        ));
    }
    let all_times = || {
        input
            .groups
            .iter()
            .flat_map(|g| g.spikes.times_ms.iter().copied())
    };
    let start = given_start.unwrap_or_else(|| match run_window {
        Some((start, _)) => start,
        None => all_times().fold(0.0, f64::min),
    });
    let stop = given_stop.unwrap_or_else(|| match run_window {
        Some((_, stop)) => stop,
        None => all_times().fold(f64::NEG_INFINITY, f64::max),
    });
    if stop == f64::NEG_INFINITY {
        return Err(miette!(
            "the files hold no spikes, so the observation window cannot come from the data: \
             give --t-start and --t-stop"
        ));
    }
    Window::new(start, stop).map_err(|e| miette!("{e}"))
}

fn group_statistics(
    group: &SpikeGroup,
    window: Window,
    options: &StatisticsOptions,
    stimuli: Option<&(Vec<f64>, f64, f64, f64)>,
) -> Result<GroupStatistics> {
    let trains = SpikeTrains::from_pairs(group.ids.len(), group.spikes.pairs(), window)
        .map_err(|e| miette!("{}: {e}", group.source.display()))?;
    finish(
        group.name.clone(),
        trains,
        group.ids.clone(),
        options,
        stimuli,
    )
}

fn finish(
    name: String,
    trains: SpikeTrains,
    ids: Vec<u32>,
    options: &StatisticsOptions,
    stimuli: Option<&(Vec<f64>, f64, f64, f64)>,
) -> Result<GroupStatistics> {
    let statistics = SpikeStatistics::compute(&trains, options).map_err(|e| miette!("{e}"))?;
    let psth = stimuli
        .map(|(times, before, after, bin)| psth(&trains, times, *before, *after, *bin))
        .transpose()
        .map_err(|e| miette!("PSTH: {e}"))?;
    Ok(GroupStatistics {
        name,
        trains,
        ids,
        statistics,
        psth,
    })
}

/// Reads the inputs and computes every statistic.
pub fn compute(options: &StatsOptions) -> Result<StatsResult> {
    let time_unit_ms = options
        .time_unit
        .as_deref()
        .map(|unit| milliseconds_per(unit).map_err(|e| miette!("--time-unit {e}")))
        .transpose()?;
    let statistics_options = statistics_options(options)?;
    let stimuli = options
        .stimulus_times
        .as_deref()
        .map(|text| -> Result<_> {
            let times = stimulus_times_ms(text, time_unit_ms)?;
            let (start, stop) = interval_ms("psth-window", &options.psth_window)?;
            if start > 0.0 {
                return Err(miette!(
                    "--psth-window {}: the window must start at or before the stimulus \
                     (e.g. -50ms:200ms)",
                    options.psth_window
                ));
            }
            Ok((
                times,
                -start,
                stop,
                width_ms("psth-bin", &options.psth_bin)?,
            ))
        })
        .transpose()?;
    let input = read_inputs(&options.spikes, time_unit_ms, options.neurons)?;
    let window = observation_window(options, &input)?;
    compute_from(input, window, &statistics_options, stimuli.as_ref())
}

/// The statistics of a run's recorded spikes and potentials, with the default options, for
/// its report and summary.json; `None` when it recorded no spikes or the run is empty.
pub fn compute_for_run(
    directory: &std::path::Path,
    recordings: &Value,
    duration_ms: f64,
) -> Result<Option<StatsResult>> {
    let mut input = StatsInput::default();
    crate::stats_input::read_recordings(directory, recordings, duration_ms, &mut input)?;
    if input.groups.is_empty() || duration_ms <= 0.0 {
        return Ok(None);
    }
    let window = Window::new(0.0, duration_ms).map_err(|e| miette!("{e}"))?;
    compute_from(input, window, &StatisticsOptions::default(), None).map(Some)
}

fn compute_from(
    input: StatsInput,
    window: Window,
    statistics_options: &StatisticsOptions,
    stimuli: Option<&(Vec<f64>, f64, f64, f64)>,
) -> Result<StatsResult> {
    let groups = input
        .groups
        .iter()
        .map(|group| group_statistics(group, window, statistics_options, stimuli))
        .collect::<Result<Vec<_>>>()?;
    let chosen = representatives(&input.groups);
    let pooled_groups: Vec<usize> = (0..chosen.len()).filter(|&i| chosen[i]).collect();
    let pooled = if let [only] = pooled_groups[..] {
        groups[only].clone()
    } else {
        // Neurons of all groups, numbered one group after the other; a population recorded
        // twice counts once.
        let mut offset = 0u32;
        let mut pairs = Vec::new();
        for (group, _) in input.groups.iter().zip(&chosen).filter(|(_, c)| **c) {
            pairs.extend(group.spikes.pairs().map(|(n, t)| (n + offset, t)));
            offset += group.ids.len() as u32;
        }
        let trains = SpikeTrains::from_pairs(offset as usize, pairs.iter().copied(), window)
            .map_err(|e| miette!("{e}"))?;
        finish(
            "all".into(),
            trains,
            (0..offset).collect(),
            statistics_options,
            stimuli,
        )?
    };
    let traces = input
        .traces
        .iter()
        .filter_map(|t| {
            trace_statistics(&t.values_mv, t.neurons.len())
                .ok()
                .map(|s| (t.name.clone(), t.neurons.clone(), s))
        })
        .collect();
    Ok(StatsResult {
        window,
        groups,
        pooled,
        traces,
        input,
    })
}

fn psth_json(psth: &Option<Psth>) -> Value {
    match psth {
        None => Value::Null,
        Some(psth) => json!({
            "bin_ms": psth.bin_ms,
            "bin_start_ms": (0..psth.counts.len()).map(|k| psth.edge_ms(k)).collect::<Vec<_>>(),
            "rate_hz": psth.rate_hz,
            "counts": psth.counts,
            "trials": psth.trials_used,
            "trials_excluded": psth.trials_excluded,
        }),
    }
}

/// The JSON of `--json` (schema in the README): every neuron with its group's name and its
/// own number, the pooled population, each group, the PSTH and the Poisson reference.
pub fn to_json(result: &StatsResult) -> Value {
    let mut neurons = Vec::new();
    for group in &result.groups {
        for neuron in &group.statistics.neurons {
            let mut entry = serde_json::to_value(neuron).expect("plain values");
            entry["neuron"] = group.ids[neuron.neuron].into();
            entry["population"] = group.name.clone().into();
            neurons.push(entry);
        }
    }
    let populations: Vec<Value> = result
        .groups
        .iter()
        .zip(&result.input.groups)
        .map(|(group, input)| {
            json!({
                "name": group.name,
                "source": input.source.display().to_string(),
                "population": group.statistics.population,
                "psth": psth_json(&group.psth),
            })
        })
        .collect();
    let membrane_potential: Vec<Value> = result
        .traces
        .iter()
        .map(|(name, neurons, statistics)| {
            json!({
                "population": name,
                "neurons": neurons,
                "samples_per_neuron": statistics.samples_per_neuron,
                "mean_mv": statistics.mean,
                "std_mv": statistics.std,
                "mean_mv_per_neuron": statistics.mean_per_neuron,
                "std_mv_per_neuron": statistics.std_per_neuron,
            })
        })
        .collect();
    json!({
        "window": {"t_start_ms": result.window.t_start_ms, "t_stop_ms": result.window.t_stop_ms},
        "neurons": neurons,
        "population": result.pooled.statistics.population,
        "populations": populations,
        "psth": psth_json(&result.pooled.psth),
        "membrane_potential": membrane_potential,
        "poisson_reference": {"cv_isi": 1.0, "cv2": 1.0, "lv": 1.0, "fano": 1.0},
    })
}

fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.abs() >= 1000.0 || (v != 0.0 && v.abs() < 0.001) => format!("{v:.3e}"),
        Some(v) => format!("{v:.3}"),
        None => "–".into(),
    }
}

fn print_table(result: &StatsResult) {
    println!(
        "observation window {} – {} ms",
        result.window.t_start_ms, result.window.t_stop_ms
    );
    let mut shown: Vec<&GroupStatistics> = result.groups.iter().collect();
    if result.groups.len() > 1 {
        shown.push(&result.pooled);
    }
    print!("{:<28}", "");
    for group in &shown {
        print!("{:>14}", truncate(&group.name, 13));
    }
    println!("{:>14}", "Poisson");
    let row = |label: &str, values: Vec<String>, reference: &str| {
        print!("{label:<28}");
        for value in values {
            print!("{value:>14}");
        }
        println!("{reference:>14}");
    };
    let each = |f: &dyn Fn(&GroupStatistics) -> String| shown.iter().map(|g| f(g)).collect();
    row(
        "neurons",
        each(&|g| g.statistics.population.neurons.to_string()),
        "",
    );
    row(
        "spikes",
        each(&|g| g.statistics.population.spike_count.to_string()),
        "",
    );
    row(
        "mean rate (Hz)",
        each(&|g| number(g.statistics.population.mean_rate_hz)),
        "same",
    );
    row(
        "std of rates (Hz)",
        each(&|g| number(g.statistics.population.std_rate_hz)),
        "",
    );
    row(
        "mean CV of ISIs",
        each(&|g| number(g.statistics.population.cv_isi.mean)),
        "1",
    );
    row(
        "mean CV2",
        each(&|g| number(g.statistics.population.cv2.mean)),
        "1",
    );
    row(
        "mean LV",
        each(&|g| number(g.statistics.population.lv.mean)),
        "1",
    );
    for (index, fano) in result
        .pooled
        .statistics
        .population
        .fano_by_window
        .iter()
        .enumerate()
    {
        let label = format!("Fano factor, {} ms", fano.window_ms);
        row(
            &label,
            each(&|g| number(g.statistics.population.fano_by_window[index].neurons.mean)),
            "1",
        );
        row(
            "  of the population count",
            each(&|g| number(g.statistics.population.fano_by_window[index].population_count)),
            "1",
        );
    }
    row(
        "activity mean (Hz)",
        each(&|g| number(g.statistics.population.activity.as_ref().map(|a| a.mean_hz))),
        "",
    );
    row(
        "activity std (Hz)",
        each(&|g| number(g.statistics.population.activity.as_ref().map(|a| a.std_hz))),
        "",
    );
    row(
        "spectrum peak (Hz)",
        each(&|g| {
            number(
                g.statistics
                    .population
                    .spectrum
                    .as_ref()
                    .map(|s| s.peak_frequency_hz),
            )
        }),
        "none",
    );
    row(
        "mean count correlation",
        each(&|g| {
            number(
                g.statistics
                    .population
                    .correlation
                    .as_ref()
                    .and_then(|c| c.mean),
            )
        }),
        "0",
    );
    if let Some(psth) = &result.pooled.psth {
        println!(
            "PSTH: {} trials ({} left out), peak {} Hz",
            psth.trials_used,
            psth.trials_excluded,
            number(psth.rate_hz.iter().copied().reduce(f64::max))
        );
    }
    for (name, neurons, statistics) in &result.traces {
        println!(
            "membrane potential of {name} ({} neurons): mean {} mV, std {} mV",
            neurons.len(),
            number(Some(statistics.mean)),
            number(Some(statistics.std))
        );
    }
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

//! Streamed runs against runs kept in memory; sink errors; stopped runs.

use super::*;

/// A recurrent E–I network under Poisson drive that records every kind of data: all spikes
/// of E, some of I, a trace, and activity in bins that chunks of 37 steps do not align with.
const STREAMED_NETWORK: &str = r#"
    [simulation]
    duration = "200 ms"
    dt = "0.1 ms"
    seed = 9
    [population.E]
    model = "lif"
    size = 80
    V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
    [population.I]
    model = "lif"
    size = 20
    [[input]]
    target = "E"
    kind = "poisson"
    rate = "20 kHz"
    weight = "0.12 mV"
    [[input]]
    target = "I"
    kind = "poisson"
    rate = "20 kHz"
    weight = "0.12 mV"
    [[projection]]
    source = "E"
    target = "I"
    rule = "fixed_indegree"
    indegree = 10
    weight = "0.4 mV"
    delay = "1.5 ms"
    [[projection]]
    source = "I"
    target = "E"
    rule = "fixed_indegree"
    indegree = 5
    weight = "-1 mV"
    delay = "0.8 ms"
    [[record]]
    kind = "spikes"
    population = "E"
    [[record]]
    kind = "spikes"
    population = "I"
    neurons = [1, 7, 19]
    [[record]]
    kind = "trace"
    population = "E"
    neurons = [0, 41, 79]
    interval = "0.3 ms"
    [[record]]
    kind = "activity"
    population = "E"
    bin = "5 ms"
    [[record]]
    kind = "activity"
    population = "I"
    bin = "3 ms"
"#;

/// Keeps every chunk, checking that chunks follow each other step by step.
struct Collector {
    kept: Recordings,
    population_counts: Vec<Vec<u64>>,
    next_step: u64,
    chunks: usize,
}

impl Collector {
    fn new(simulation: &Simulation, populations: usize) -> Self {
        Collector {
            kept: simulation.recorders(),
            population_counts: vec![Vec::new(); populations],
            next_step: 0,
            chunks: 0,
        }
    }
}

impl RecordingSink for Collector {
    type Error = String;

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), String> {
        assert_eq!(chunk.steps.start, self.next_step);
        self.next_step = chunk.steps.end;
        self.chunks += 1;
        self.kept.append(chunk.recorded);
        for (all, new) in self
            .population_counts
            .iter_mut()
            .zip(chunk.population_counts)
        {
            assert_eq!(new.len() as u64, chunk.steps.end - chunk.steps.start);
            all.extend_from_slice(new);
        }
        Ok(())
    }
}

/// The bits of everything recorded: spikes per recorder, trace values, activity.
type RecordedBits = (Vec<Vec<(u32, u64)>>, Vec<u64>, Vec<u64>);

fn bits(recordings: &Recordings) -> RecordedBits {
    let spikes = recordings
        .spikes
        .iter()
        .map(|r| {
            r.spikes
                .iter()
                .map(|s| (s.neuron, s.time_ms.to_bits()))
                .collect()
        })
        .collect();
    let traces = recordings
        .traces
        .iter()
        .flat_map(|t| t.times_ms.iter().chain(t.values.iter().flatten()))
        .map(|v| v.to_bits())
        .collect();
    let activity = recordings
        .activity
        .iter()
        .flat_map(|a| a.start_ms.iter().chain(&a.rate_hz))
        .map(|v| v.to_bits())
        .collect();
    (spikes, traces, activity)
}

#[test]
fn streamed_runs_hand_over_the_same_bits_as_runs_kept_in_memory() {
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let in_memory = Simulation::build(&spec, 1)
        .unwrap()
        .run(1000, |_| Control::Continue);
    let in_memory_recordings = Recordings {
        spikes: in_memory.spikes.clone(),
        traces: in_memory.traces.clone(),
        activity: in_memory.activity.clone(),
    };
    let expected = bits(&in_memory_recordings);
    // 2000 steps: 54 chunks of 37 steps and one of 2, on 3 threads.
    let simulation = Simulation::build_streaming(&spec, 3).unwrap();
    let mut collector = Collector::new(&simulation, 2);
    let totals = simulation
        .run_streaming(37, |_| Control::Continue, &mut collector)
        .unwrap();
    assert!(totals.is_complete());
    assert_eq!(collector.chunks, 55);
    assert!(bits(&collector.kept) == expected, "streamed data differ");
    // Trace samples at t = 0 and every 3 steps: ⌊2000/3⌋ + 1.
    assert_eq!(collector.kept.traces[0].times_ms.len(), 667);

    // Per-step counts add up to the totals, and for E (all neurons recorded) they are the
    // recorded spikes per step.
    for (population, counts) in collector.population_counts.iter().enumerate() {
        assert_eq!(counts.len(), 2000);
        assert_eq!(
            counts.iter().sum::<u64>(),
            totals.populations[population].spike_count
        );
    }
    let e_spikes = &in_memory.spikes[0].spikes;
    assert!(e_spikes.len() > 1000, "{} spikes of E", e_spikes.len());
    let mut per_step = vec![0u64; 2000];
    for spike in e_spikes {
        per_step[(spike.time_ms / 0.1).round() as usize - 1] += 1;
    }
    assert_eq!(collector.population_counts[0], per_step);

    // ν(t) of E in 5 ms bins: counts of the recorded spikes per bin / (80 · 5 ms), to the bit
    // (both sides compute count · 1000/(N·bin)); 40 whole bins.
    let activity = &collector.kept.activity[0];
    assert_eq!(activity.bin_steps, 50);
    let from_spikes = stats::population_rate_hz(e_spikes, 80, activity.bin_ms(), 200.0);
    assert_eq!(from_spikes.len(), 40);
    assert_eq!(activity.rate_hz, from_spikes);
    let starts: Vec<f64> = (0..40).map(|k| (k * 50) as f64 * 0.1).collect();
    assert_eq!(activity.start_ms, starts);
    // I in 3 ms bins from the per-step counts: 66 whole bins; the last 2 ms are dropped.
    let activity = &collector.kept.activity[1];
    assert_eq!(activity.rate_hz.len(), 66);
    for (bin, rate) in activity.rate_hz.iter().enumerate() {
        let count: u64 = collector.population_counts[1][bin * 30..(bin + 1) * 30]
            .iter()
            .sum();
        assert_eq!(*rate, count as f64 * (1000.0 / (20.0 * activity.bin_ms())));
    }
}

#[test]
fn a_sink_error_stops_a_streamed_run() {
    struct Failing(usize);
    impl RecordingSink for Failing {
        type Error = String;
        fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), String> {
            self.0 += 1;
            if chunk.steps.end >= 300 {
                return Err(format!("disk full after step {}", chunk.steps.end));
            }
            Ok(())
        }
    }
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let mut sink = Failing(0);
    let error = Simulation::build_streaming(&spec, 2)
        .unwrap()
        .run_streaming(100, |_| Control::Continue, &mut sink)
        .unwrap_err();
    assert_eq!(error, "disk full after step 300");
    assert_eq!(sink.0, 3);
}

#[test]
fn a_stopped_streamed_run_keeps_only_whole_activity_bins() {
    let spec = read_model(Source::new("test.toml", STREAMED_NETWORK), Path::new(".")).unwrap();
    let simulation = Simulation::build_streaming(&spec, 1).unwrap();
    let mut collector = Collector::new(&simulation, 2);
    let totals = simulation
        .run_streaming(
            100,
            |p| {
                if p.steps_done >= 500 {
                    Control::Stop
                } else {
                    Control::Continue
                }
            },
            &mut collector,
        )
        .unwrap();
    assert!(!totals.is_complete());
    assert_eq!(totals.steps_done, 500);
    // 500 steps: 10 bins of 50 for E; 16 bins of 30 for I (the 20 steps after are dropped).
    assert_eq!(collector.kept.activity[0].rate_hz.len(), 10);
    assert_eq!(collector.kept.activity[1].rate_hz.len(), 16);
    assert_eq!(collector.kept.traces[0].times_ms.len(), 500 / 3 + 1);
}

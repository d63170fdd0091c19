use super::*;

use std::cell::RefCell;

use cajal::engine::{Control, Simulation};
use cajal::neuron::Spike;
use cajal::spec::{Source, read_model};
use cajal::stats;

use crate::run_command::{Connectivity, FinishedRun, RunTimes, summary};

fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-stream-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    create_directory(&directory).unwrap();
    directory
}

fn read_npy(path: &Path) -> (Vec<u64>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    let file = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = file.shape().to_vec();
    (shape, file.into_vec::<f64>().unwrap())
}

#[test]
fn an_npy_stream_reads_back_with_the_rows_committed_so_far() {
    let directory = scratch("npy");
    let path = directory.join("a.npy");
    let mut npy = NpyStream::create(&path, Some(2)).unwrap();
    assert_eq!(read_npy(&path), (vec![0, 2], vec![]));
    npy.append(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]).unwrap();
    npy.commit().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]) as usize + 10, 128);
    assert_eq!(bytes[127], b'\n');
    assert_eq!(bytes.len(), 128 + 6 * 8);
    assert_eq!(
        read_npy(&path),
        (vec![3, 2], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5])
    );
    // Rows appended but not yet committed are not claimed by the header.
    npy.append(&[7.0, 8.0]).unwrap();
    assert_eq!(read_npy(&path).0, [3, 2]);
    npy.commit().unwrap();
    assert_eq!(read_npy(&path).0, [4, 2]);

    let path = directory.join("b.npy");
    let mut npy = NpyStream::create(&path, None).unwrap();
    npy.append(&[0.5, 1.5]).unwrap();
    npy.commit().unwrap();
    assert_eq!(read_npy(&path), (vec![2], vec![0.5, 1.5]));
    std::fs::remove_dir_all(&directory).unwrap();
}

/// A recurrent E–I network under Poisson drive with every kind of recorder.
const NETWORK: &str = r#"
    [simulation]
    duration = "300 ms"
    dt = "0.1 ms"
    seed = 4
    [population.E]
    model = "lif"
    size = 60
    V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }
    [population.I]
    model = "lif"
    size = 15
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
    [[record]]
    kind = "spikes"
    population = "I"
    neurons = [2, 3, 11]
    [[record]]
    kind = "trace"
    population = "E"
    neurons = [0, 30, 59]
    interval = "0.5 ms"
    [[record]]
    kind = "activity"
    population = "E"
    bin = "2 ms"
"#;

#[test]
fn streamed_outputs_match_a_run_kept_in_memory_and_read_back_after_every_chunk() {
    let spec = read_model(Source::new("network.toml", NETWORK), Path::new(".")).unwrap();
    let in_memory = Simulation::build(&spec, 1)
        .unwrap()
        .run(1000, |_| Control::Continue);
    let e_spikes: &[Spike] = &in_memory.spikes[0].spikes;
    assert!(e_spikes.len() > 1000, "{} spikes of E", e_spikes.len());

    let directory = scratch("network");
    let simulation = Simulation::build_streaming(&spec, 2).unwrap();
    let mut writer = RunWriter::create(&directory, &spec, &simulation.recorders()).unwrap();
    // After every chunk, read the files back as a user would while the run goes on.
    let checked = RefCell::new(0);
    let observer = |progress: cajal::engine::Progress| {
        // Spikes of steps before the chunk's end are stamped at most at its end.
        let expected: Vec<f64> = e_spikes
            .iter()
            .take_while(|s| s.time_ms <= progress.time_ms + 1e-9)
            .flat_map(|s| [s.neuron as f64, s.time_ms])
            .collect();
        let (shape, values) = read_npy(&directory.join("spikes/E.npy"));
        assert_eq!(shape, [expected.len() as u64 / 2, 2]);
        assert!(values == expected, "at {} ms", progress.time_ms);
        let csv = std::fs::read_to_string(directory.join("spikes/E.csv")).unwrap();
        assert!(csv.ends_with('\n'));
        assert_eq!(csv.lines().count() as u64, shape[0] + 1);
        // Activity in 2 ms bins (20 steps): the whole bins so far.
        let (shape, _) = read_npy(&directory.join("activity/E.npy"));
        assert_eq!(shape, [progress.steps_done / 20, 2]);
        // Trace samples at t = 0 and every 5 steps; each variable as many rows as times.
        let (times, _) = read_npy(&directory.join("traces/E_times_ms.npy"));
        let (v, _) = read_npy(&directory.join("traces/E_v.npy"));
        assert_eq!(times, [progress.steps_done / 5 + 1]);
        assert_eq!(v, [times[0], 3]);
        *checked.borrow_mut() += 1;
        Control::Continue
    };
    let totals = simulation
        .run_streaming(100, observer, &mut writer)
        .unwrap();
    assert_eq!(*checked.borrow(), 30);

    // The files hold the in-memory run's data to the bit.
    for (stem, recorder) in ["E", "I", "I.2"].iter().zip(&in_memory.spikes) {
        let (_, values) = read_npy(&directory.join(format!("spikes/{stem}.npy")));
        let expected: Vec<f64> = recorder
            .spikes
            .iter()
            .flat_map(|s| [s.neuron as f64, s.time_ms])
            .collect();
        assert!(values == expected, "spikes/{stem}.npy");
    }
    let (shape, v) = read_npy(&directory.join("traces/E_v.npy"));
    assert_eq!(shape, [601, 3]);
    assert!(v == in_memory.traces[0].values[0]);
    let (shape, activity) = read_npy(&directory.join("activity/E.npy"));
    assert_eq!(shape, [150, 2]);
    let rates: Vec<f64> = activity.chunks(2).map(|row| row[1]).collect();
    assert!(rates == stats::population_rate_hz(e_spikes, 60, 20.0 * 0.1, 300.0));

    // summary.json's numbers equal those computed from the whole recording.
    let finished = FinishedRun {
        spec: &spec,
        totals: &totals,
        digests: writer.digests(),
        statistics: None,
        times: RunTimes {
            wall_seconds: 1.0,
            build_seconds: 0.0,
            simulate_seconds: 1.0,
        },
        threads: 2,
    };
    let json = summary(
        &finished,
        Connectivity {
            synapses: 0,
            bytes: 0,
        },
        &[],
    );
    for (index, (name, size)) in [("E", 60usize), ("I", 15)].into_iter().enumerate() {
        let population = &json["populations"][name];
        let count = in_memory.populations[index].spike_count;
        let spikes = &in_memory.spikes[index].spikes;
        assert_eq!(count, spikes.len() as u64);
        assert_eq!(population["spike_count"].as_u64(), Some(count));
        let rate = count as f64 / (size as f64 * 0.3);
        assert_eq!(population["rate_hz"].as_f64(), Some(rate));
        let cv = stats::mean_cv_isi(spikes, size).unwrap();
        assert_eq!(population["cv_isi"].as_f64(), Some(cv), "{name}");
    }
    // The digests' per-neuron statistics behind the histograms, too (I's subset numbered
    // 0, 1, 2 in the order recorded).
    let digest = &writer.digests().spikes[2];
    let subset: Vec<Spike> = in_memory.spikes[2]
        .spikes
        .iter()
        .map(|s| Spike {
            neuron: [2, 3, 11].iter().position(|&n| n == s.neuron).unwrap() as u32,
            time_ms: s.time_ms,
        })
        .collect();
    assert_eq!(
        digest.statistics.rates_hz(300.0),
        stats::neuron_rates_hz(&subset, 3, 300.0)
    );
    assert_eq!(digest.statistics.cvs(), stats::neuron_cvs(&subset, 3));
    assert_eq!(
        digest.rate_counts.rates_hz(3, 300.0),
        stats::population_rate_hz(&subset, 3, 1.0, 300.0)
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

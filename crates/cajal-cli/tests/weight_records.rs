//! End-to-end: weight recorders write `weights_over_time_<k>.csv`, one row per synapse per
//! recorded time, whose last record is the final weights of `weights_<k>.csv`, and a figure.

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-weights-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// 100 Poisson inputs onto 4 driven LIF neurons through 30 plastic synapses each (120), with
/// every weight recorded at 0, 250 and 500 ms and a sample of 10 every 50 ms (11 records).
const MODEL: &str = r#"
[simulation]
duration = "500 ms"
dt = "0.1 ms"
seed = 2
[population.input]
model = "poisson"
size = 100
rate = "20 Hz"
[population.post]
model = "lif"
size = 4
[[projection]]
source = "input"
target = "post"
rule = "fixed_indegree"
indegree = 30
weight = { distribution = "uniform", low = "0.2 mV", high = "0.8 mV" }
delay = "1 ms"
[projection.plasticity]
a_plus = 0.2
a_minus = 0.2
w_max = "1 mV"
[[input]]
target = "post"
kind = "constant"
amplitude = "220 pA"
[[record]]
kind = "spikes"
population = "post"
[[record]]
kind = "weights"
projection = 0
times = ["0 ms", "250 ms", "500 ms"]
[[record]]
kind = "weights"
projection = 0
synapses = 10
interval = "50 ms"
"#;

fn rows(path: &std::path::Path) -> (String, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn weight_records_are_written_with_a_row_per_synapse_and_time() {
    let directory = scratch("records");
    let model = directory.join("model.toml");
    std::fs::write(&model, MODEL).unwrap();
    let out = directory.join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args([
            "run",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (header, all) = rows(&out.join("weights_over_time_0.csv"));
    assert_eq!(header, "time_ms,source,target,weight_mV");
    assert_eq!(all.len(), 3 * 120);
    let times: Vec<f64> = all.iter().step_by(120).map(|r| r[0]).collect();
    assert_eq!(times, [0.0, 250.0, 500.0]);
    // The last record is the final weights, row for row.
    let (_, last) = rows(&out.join("weights_0.csv"));
    for (recorded, fin) in all[240..].iter().zip(&last) {
        assert_eq!(recorded[1..], fin[..3]);
    }
    // The first is the initial weights, drawn in [0.2, 0.8] mV.
    assert!(all[..120].iter().all(|r| (0.2..=0.8).contains(&r[3])));
    let (header, sample) = rows(&out.join("weights_over_time_0_2.csv"));
    assert_eq!(header, "time_ms,source,target,weight_mV");
    assert_eq!(sample.len(), 11 * 10);
    assert_eq!(sample[100][0], 500.0);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let records = &summary["weight_records"];
    assert_eq!(records[0]["file"], "weights_over_time_0.csv");
    assert_eq!(records[0]["records"], 3);
    assert_eq!(records[1]["kind"], "sample");
    assert_eq!(records[1]["synapses"], 10);
    for figure in ["weights_over_time_0.svg", "weights_over_time_0_2.svg"] {
        assert!(out.join("plots").join(figure).exists(), "{figure}");
    }
}

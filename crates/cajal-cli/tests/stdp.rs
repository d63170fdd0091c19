//! End-to-end: a plastic run writes its final weights in the explicit-list format, and a
//! model that reads them with `rule = "from_file"` runs again with those weights.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-stdp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn run(model: &Path, out: &Path) -> serde_json::Value {
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
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

const MODEL: &str = r#"
[simulation]
duration = "1 s"
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
SYNAPSES
delay = "1 ms"
[projection.plasticity]
a_plus = 0.2
a_minus = 0.2
w_max = "1 mV"
[[input]]
target = "post"
kind = "constant"
amplitude = "220 pA"
"#;

#[test]
fn learned_weights_are_written_as_a_synapse_list_that_runs_again() {
    let directory = scratch("roundtrip");
    let first = directory.join("first.toml");
    std::fs::write(
        &first,
        MODEL.replace(
            "SYNAPSES",
            "rule = \"fixed_indegree\"\nindegree = 30\nweight = { distribution = \"uniform\", low = \"0.2 mV\", high = \"0.8 mV\" }",
        ),
    )
    .unwrap();
    let summary = run(&first, &directory.join("first"));
    let plastic = &summary["plastic_projections"][0];
    assert_eq!(plastic["file"], "weights_0.csv");
    assert_eq!(plastic["synapses"], 120);
    let csv = std::fs::read_to_string(directory.join("first/weights_0.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("source,target,weight_mV,delay_ms"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 120);
    let mean = rows.iter().map(|r| r[2]).sum::<f64>() / 120.0;
    assert!((mean - plastic["mean_weight"].as_f64().unwrap()).abs() < 1e-12);
    assert!(
        rows.iter()
            .all(|r| (0.0..=1.0).contains(&r[2]) && r[3] == 1.0)
    );
    // Every target has its 30 synapses; the weights moved from their initial range.
    for target in 0..4 {
        assert_eq!(rows.iter().filter(|r| r[1] == target as f64).count(), 30);
    }
    assert!(rows.iter().any(|r| !(0.2..=0.8).contains(&r[2])));

    // Read back, plastic again: the list's weights are the starting weights.
    let second = directory.join("second.toml");
    std::fs::write(
        &second,
        MODEL
            .replace(
                "SYNAPSES",
                "rule = \"from_file\"\nfile = \"first/weights_0.csv\"",
            )
            .replace("delay = \"1 ms\"\n", ""),
    )
    .unwrap();
    let again = run(&second, &directory.join("second"));
    assert_eq!(again["plastic_projections"][0]["synapses"], 120);
    assert_eq!(again["synapses"], 120);
}

//! `cajal run` of a network with stored patterns: overlaps.csv, the overlap figure and the
//! final overlaps in summary.json and report.html.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// The rows of a CSV file of numbers with a header.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|line| line.split(',').map(|cell| cell.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

/// examples/hopfield_lif.toml: 1000 LIF neurons storing 20 dense patterns (α = 0.02), cued
/// with pattern 3 (20% of the bits flipped, overlap 0.6) from 100 to 200 ms.
///
/// Expected: before the cue the network is silent (no spikes: overlap 0 by definition); after
/// it the network sits in the retrieved pattern, whose neurons fire regularly at ~170 Hz
/// (about 3.4 spikes per 20 ms bin, spread ≤ 1), so the correlation of the counts with the
/// pattern is close to 1 (above 0.9). The overlap of the retrieved state with an independent
/// random pattern is a correlation of two unrelated ±1 vectors: mean 0, sd 1/√N ≈ 0.03, so
/// every other pattern stays within ±0.25 (8 sd, leaving room for the few neurons the cue's
/// flips switched on).
#[test]
fn a_cued_pattern_is_retrieved_and_held_by_the_spiking_network() {
    let directory = scratch("hopfield");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hopfield_lif.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args([
            "run",
            example.to_str().unwrap(),
            "-o",
            "out",
            "--quiet",
            "--duration",
            "300ms",
        ])
        .current_dir(&directory)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = directory.join("out");
    let (header, rows) = read_csv(&out.join("overlaps.csv"));
    assert_eq!(header.len(), 21);
    assert_eq!(
        (header[0].as_str(), header[4].as_str()),
        ("bin_start_ms", "pattern_3")
    );
    // 20 ms bins (the activity recorder's) over 300 ms.
    assert_eq!(rows.len(), 15);
    for (bin, row) in rows.iter().enumerate() {
        assert_eq!(row[0], 20.0 * bin as f64);
        if row[0] < 100.0 {
            assert!(row[1..].iter().all(|&m| m == 0.0), "bin {bin}: {row:?}");
        }
    }
    // The last 100 ms, after the cue: retrieved and held.
    let after = &rows[10..];
    for row in after {
        assert!(row[4] > 0.9, "{row:?}");
        for (mu, &m) in row[1..].iter().enumerate() {
            assert!(mu == 3 || m.abs() < 0.25, "pattern {mu}: {m}");
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let overlaps = &summary["populations"]["E"]["overlaps"];
    assert_eq!(overlaps["file"], "overlaps.csv");
    assert_eq!(overlaps["bin_ms"], 20.0);
    assert_eq!(overlaps["cued"], serde_json::json!([3]));
    // The final overlaps are the means over the bins of the last 100 ms.
    let last: Vec<f64> = overlaps["final"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(last.len(), 20);
    for (mu, &value) in last.iter().enumerate() {
        let mean = after.iter().map(|row| row[mu + 1]).sum::<f64>() / after.len() as f64;
        assert!(
            (value - mean).abs() < 1e-12,
            "pattern {mu}: {value} vs {mean}"
        );
    }
    assert!(out.join("plots/overlaps.svg").exists() && out.join("plots/overlaps.png").exists());
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("cued pattern 3: final m = "),
        "no overlap caption"
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

/// examples/hopfield_binary.toml: 1000 spin neurons, 50 patterns (α = 0.05), started from
/// pattern 0 with 20% of the bits flipped: the recorded overlap starts at exactly 0.6 and
/// ends near 1 (retrieval), every other pattern stays near 0 (of order 1/√N).
#[test]
fn binary_hopfield_example_retrieves_its_cued_pattern() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hopfield_binary.toml");
    let directory =
        std::env::temp_dir().join(format!("cajal-hopfield-binary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args(["run", "--quiet", "-o"])
        .arg(&directory)
        .arg(&example)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(directory.join("overlaps.csv")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|line| line.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 101);
    assert_eq!(rows[0][0], 0.0);
    assert!((rows[0][1] - 0.6).abs() < 1e-12, "{}", rows[0][1]);
    let last = rows.last().unwrap();
    assert!(last[1] > 0.95, "cued pattern ends at {}", last[1]);
    assert!(last[2..].iter().all(|m| m.abs() < 0.15), "{last:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("summary.json")).unwrap())
            .unwrap();
    let overlaps = &summary["populations"]["memory"]["overlaps"];
    assert_eq!(overlaps["cued"][0], 0);
    assert!(overlaps["final"][0].as_f64().unwrap() > 0.9);
    std::fs::remove_dir_all(&directory).unwrap();
}

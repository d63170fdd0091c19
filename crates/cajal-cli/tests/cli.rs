//! End-to-end tests of the `cajal` executable: every shipped example runs, outputs are
//! complete and readable, bad input gives a located message and a failing exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cajal(arguments: &[&str], directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args(arguments)
        .current_dir(directory)
        .output()
        .expect("the cajal executable runs")
}

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn examples_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `cajal run MODEL -o out --quiet --duration DURATION` in `directory`, which must succeed;
/// the output directory.
fn run_example(model: &Path, duration: &str, directory: &Path) -> PathBuf {
    let model = model.to_str().unwrap();
    let arguments = ["run", model, "-o", "out", "--quiet", "--duration", duration];
    let output = cajal(&arguments, directory);
    assert!(output.status.success(), "{}", text(&output));
    directory.join("out")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The float64 values of a .npy file written by cajal (little-endian, C order).
fn read_npy(path: &Path) -> (Vec<u64>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    let file = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = file.shape().to_vec();
    (shape, file.into_vec::<f64>().unwrap())
}

#[test]
fn every_shipped_example_runs_and_writes_complete_outputs() {
    let mut seen = 0;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(examples_directory()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files.push(path);
        }
    }
    for path in files {
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        seen += 1;
        let relative = path
            .strip_prefix(examples_directory())
            .unwrap()
            .with_extension("");
        let name = relative.to_string_lossy().into_owned();
        let directory = scratch(&name.replace('/', "_"));
        // The networks run for 100 ms here (their full runs are benchmarks and slow tests).
        let output = cajal(
            &[
                "run",
                path.to_str().unwrap(),
                "-o",
                "out",
                "--quiet",
                "--duration",
                "100ms",
            ],
            &directory,
        );
        assert!(output.status.success(), "{name}: {}", text(&output));
        let summary = read_json(&directory.join("out/summary.json"));
        assert_eq!(summary["complete"], true, "{name}");
        assert_eq!(
            summary["biological_seconds"].as_f64().unwrap(),
            0.1,
            "{name}"
        );
        assert!(summary["wall_seconds"].as_f64().unwrap() > 0.0);
        if summary["kind"] == "cable" {
            // Cable models report sections and recorded locations, not populations
            // (their numbers are checked in tests/cable.rs).
            let sections = summary["sections"].as_array().unwrap();
            assert!(!sections.is_empty(), "{name}: no sections");
            for section in sections {
                for key in ["name", "compartments", "lambda_um"] {
                    assert!(section.get(key).is_some(), "{name}: a section lacks {key}");
                }
            }
            assert!(!summary["traces"].as_array().unwrap().is_empty(), "{name}");
        } else {
            // Rate models report rates, not spikes.
            let keys: &[&str] = if summary["kind"] == "rate" {
                &["points", "final_mean_rate", "final_max_rate"]
            } else if summary["kind"] == "binary" {
                // Binary networks report mean activities beside the balance theory.
                &[
                    "size",
                    "mean_activity",
                    "balance_prediction",
                    "mean_field_prediction",
                ]
            } else {
                &["size", "spike_count", "rate_hz", "cv_isi"]
            };
            for (population, values) in summary["populations"].as_object().unwrap() {
                for &key in keys {
                    assert!(
                        values.get(key).is_some(),
                        "{name}: {population} lacks {key}"
                    );
                }
            }
        }
        assert!(directory.join("out/model.toml").exists());
        assert!(directory.join("out/report.html").exists(), "{name}");
        let plots: Vec<_> = std::fs::read_dir(directory.join("out/plots"))
            .unwrap()
            .collect();
        assert!(plots.len() >= 2, "{name}: no plots");
        // Shipped examples print the same text as the file.
        let printed = cajal(&["examples", &name], &directory);
        assert_eq!(
            String::from_utf8_lossy(&printed.stdout),
            std::fs::read_to_string(&path).unwrap()
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }
    assert!(seen >= 13, "{seen} examples");
}

#[test]
fn hh_step_outputs_are_consistent_across_formats() {
    let directory = scratch("hh-step");
    let model = examples_directory().join("hh_step.toml");
    let output = cajal(
        &["run", model.to_str().unwrap(), "-o", "out", "--quiet"],
        &directory,
    );
    assert!(output.status.success(), "{}", text(&output));
    let out = directory.join("out");
    let (shape, spikes) = read_npy(&out.join("spikes/axon.npy"));
    assert_eq!(shape[1], 2);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(
        summary["populations"]["axon"]["spike_count"]
            .as_u64()
            .unwrap(),
        shape[0]
    );
    // A 10 µA/cm² step for 70 ms: HH fires regularly at about 68 Hz (NEURON: 69–70 Hz at
    // 10 µA/cm² for a 1 s step) — 4 or 5 spikes, all inside the step.
    assert!((4..=5).contains(&shape[0]), "{spikes:?}");
    for pair in spikes.chunks(2) {
        assert!(pair[1] > 10.0 && pair[1] < 85.0, "{spikes:?}");
    }
    let (v_shape, v) = read_npy(&out.join("traces/axon_v.npy"));
    let (_, times) = read_npy(&out.join("traces/axon_times_ms.npy"));
    assert_eq!(v_shape, [4001, 1]);
    assert_eq!(times.len(), 4001);
    assert_eq!(v[0], -65.0);
    let csv = std::fs::read_to_string(out.join("traces/axon.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("time_ms,v_mV[0],m[0],h[0],n[0],i_na_uA_per_cm^2[0]"),
        "{header}"
    );
    let last: Vec<f64> = csv
        .lines()
        .last()
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(last[0], 100.0);
    assert_eq!(last[1], *v.last().unwrap());
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn demo_needs_no_file_and_says_where_it_wrote() {
    let directory = scratch("demo");
    let output = cajal(&["demo"], &directory);
    assert!(output.status.success(), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("outputs written to cajal-demo/"));
    assert!(directory.join("cajal-demo/summary.json").exists());
    for figure in [
        "raster",
        "isi_histogram",
        "rate_histogram",
        "cv_histogram",
        "spectrum",
    ] {
        let path = directory.join(format!("cajal-demo/plots/spikes_{figure}.png"));
        assert!(path.exists(), "{}", path.display());
    }
    // The demo is the scaled Brunel network in its asynchronous irregular state: irregular
    // single neurons at tens of Hz.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(directory.join("cajal-demo/summary.json")).unwrap(),
    )
    .unwrap();
    for population in ["E", "I"] {
        let rate = summary["populations"][population]["rate_hz"]
            .as_f64()
            .unwrap();
        let cv = summary["populations"][population]["cv_isi"]
            .as_f64()
            .unwrap();
        assert!(
            (20.0..70.0).contains(&rate) && cv > 0.6,
            "{population}: {rate} Hz, CV {cv}"
        );
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn fi_json_matches_the_lif_closed_form() {
    let directory = scratch("fi");
    let model = examples_directory().join("lif_fi.toml");
    let output = cajal(
        &[
            "fi",
            model.to_str().unwrap(),
            "--currents",
            "300:900:300pA",
            "--json",
            "-o",
            "out",
        ],
        &directory,
    );
    assert!(output.status.success(), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let points = json["curves"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    for point in points {
        let current = point["current"].as_f64().unwrap();
        assert_eq!(point["current_unit"], "pA");
        let drive = 0.1 * current;
        let expected = 1000.0 / (2.0 + 20.0 * ((drive - 10.0) / (drive - 20.0)).ln());
        let rate = point["rate_hz"].as_f64().unwrap();
        assert!(
            (rate - expected).abs() < 0.005 * expected,
            "{current} pA: {rate} vs {expected}"
        );
    }
    assert!(directory.join("out/fi.png").exists() && directory.join("out/fi.csv").exists());
    // --vary gives one curve per value.
    let output = cajal(
        &[
            "fi",
            model.to_str().unwrap(),
            "--currents",
            "0.3:0.9:0.3nA",
            "--vary",
            "tau_m=10,20ms",
            "--json",
            "-o",
            "out",
        ],
        &directory,
    );
    assert!(output.status.success(), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["curves"].as_array().unwrap().len(), 2);
    assert_eq!(json["curves"][1]["label"], "membrane_time_constant = 20 ms");
    assert_eq!(json["curves"][1]["points"][0]["current"], 300.0);
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn fi_with_noise_shows_the_siegert_rate_beside_the_simulated_one() {
    let directory = scratch("fi_noise");
    let model = examples_directory().join("lif_fi.toml");
    let output = cajal(
        &[
            "fi",
            model.to_str().unwrap(),
            "--currents",
            "150:250:100pA",
            "--noise",
            "0.4nA",
            "--neurons",
            "50",
            "--json",
            "-o",
            "out",
        ],
        &directory,
    );
    assert!(output.status.success(), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!((json["noise"]["std"].as_f64().unwrap() - 400.0).abs() < 1e-9);
    assert_eq!(json["neurons_per_current"], 50);
    let points = json["curves"][0]["points"].as_array().unwrap();
    // Below rheobase (15 mV < θ = 20 mV) only the noise makes the neuron fire, and the
    // Siegert rate says how much; the deterministic closed form would say 0.
    let below = &points[0];
    let theory = below["theory_rate_hz"].as_f64().unwrap();
    let rate = below["rate_hz"].as_f64().unwrap();
    assert!(theory > 1.0 && rate > 0.0, "{below}");
    for point in points {
        let theory = point["theory_rate_hz"].as_f64().unwrap();
        let rate = point["rate_hz"].as_f64().unwrap();
        // 50 neurons for the example's trial: a loose check; the library's tests hold the
        // tight ones.
        assert!((rate - theory).abs() < 0.25 * theory, "{point}");
    }
    let csv = std::fs::read_to_string(directory.join("out/fi.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn bad_input_fails_with_a_located_message_and_no_panic() {
    let directory = scratch("bad");
    std::fs::write(
        directory.join("bad.toml"),
        "[simulation]\nduration = \"100 ms\"\n[population.cell]\nmodel = \"lif\"\ntau_m = \"-5 ms\"\n",
    )
    .unwrap();
    let output = cajal(&["run", "bad.toml"], &directory);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml:5:9: population.cell.tau_m: out of range"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !directory.join("bad_output").exists(),
        "no output for a refused model"
    );

    let output = cajal(&["run", "missing.toml"], &directory);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("missing.toml:1:1: cannot read the model file")
    );

    let model = examples_directory().join("hh_step.toml");
    let output = cajal(
        &["fi", model.to_str().unwrap(), "--currents", "0:10:1pA"],
        &directory,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`pA` is a current, but this model's input is a current density"),
        "{stderr}"
    );

    let output = cajal(&["examples", "hh_stpe"], &directory);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no example named `hh_stpe`"));
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn the_activity_of_brunel_hakim_is_its_spike_count_per_bin() {
    // The example records all spikes of its 5000 cells and their activity in 1 ms bins:
    // ν(bin) must be the bin's spike count / (5000 × 1 ms).
    let directory = scratch("activity");
    let model = examples_directory().join("brunel_hakim.toml");
    let out = run_example(&model, "200ms", &directory);
    let (shape, activity) = read_npy(&out.join("activity/cells.npy"));
    assert_eq!(shape, [200, 2]);
    let (shape, spikes) = read_npy(&out.join("spikes/cells.npy"));
    assert!(shape[0] > 1000, "{} spikes", shape[0]);
    // Grid spikes of step k are stamped (k + 1)·dt and belong to bin ⌊k/10⌋.
    let mut counts = [0u64; 200];
    for pair in spikes.chunks(2) {
        let step = (pair[1] / 0.1).round() as usize - 1;
        counts[step / 10] += 1;
    }
    for (bin, row) in activity.chunks(2).enumerate() {
        assert_eq!(row[0], bin as f64, "bin start");
        let expected = counts[bin] as f64 * 1000.0 / (5000.0 * 1.0);
        assert!(
            (row[1] - expected).abs() <= 1e-12 * expected,
            "bin {bin}: {row:?}"
        );
    }
    // The CSV says the same, row by row.
    let csv = std::fs::read_to_string(out.join("activity/cells.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("bin_start_ms,rate_hz"));
    for (line, row) in lines.zip(activity.chunks(2)) {
        let values: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(values, row);
    }
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(
        summary["populations"]["cells"]["spike_count"].as_u64(),
        Some(counts.iter().sum::<u64>())
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn a_brunel_network_shows_its_predicted_state_and_oscillation_beside_the_run() {
    // examples/brunel_regimes/si_fast.toml is Brunel's (2000) point B (g = 6, η = 4):
    // the asynchronous state is unstable to a mode at 190 Hz (his Table 1), and the
    // simulated population activity oscillates near it (his simulation: 180 Hz).
    let directory = scratch("si-fast");
    let model = examples_directory().join("brunel_regimes/si_fast.toml");
    let out = run_example(&model, "500ms", &directory);
    let summary = read_json(&out.join("summary.json"));
    let stability = &summary["stability"];
    assert_eq!(stability["state"], "SI fast");
    assert_eq!(stability["stable"], false);
    assert!((stability["brunel_point"]["g"].as_f64().unwrap() - 6.0).abs() < 1e-9);
    assert!((stability["brunel_point"]["eta"].as_f64().unwrap() - 4.0).abs() < 1e-9);
    let row = &summary["populations"]["E"]["theory"]["oscillation_frequency_hz"];
    let theory = row["theory"].as_f64().unwrap();
    let simulation = row["simulation"].as_f64().unwrap();
    assert!((theory - 190.0).abs() < 1.0, "{row}");
    assert!((simulation / theory - 1.0).abs() < 0.1, "{row}");
    let difference = row["relative_difference"].as_f64().unwrap();
    assert!((difference - (simulation - theory) / theory).abs() < 1e-12);
    // The diagram: a header and one row per point, the model's cell SI fast.
    assert_eq!(stability["phase_diagram"], "phase_diagram.csv");
    let diagram = std::fs::read_to_string(out.join("phase_diagram.csv")).unwrap();
    assert!(diagram.lines().count() > 1000);
    assert!(out.join("plots/phase_diagram.png").exists());
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("predicted state SI fast"));
    assert!(report.contains("phase diagram of this network"));
    std::fs::remove_dir_all(&directory).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_error_stops_the_run_names_the_file_and_writes_no_summary() {
    // A file-size limit of 64 blocks (32 or 64 KiB, by shell) lets the run start and makes
    // a write fail once the spike files outgrow it; with SIGXFSZ ignored the write returns
    // EFBIG, as a full disk returns ENOSPC.
    let directory = scratch("write-error");
    let model = examples_directory().join("brunel_hakim.toml");
    let command = format!(
        "trap '' XFSZ; ulimit -f 64; exec '{}' run '{}' -o out --quiet --duration 500ms",
        env!("CARGO_BIN_EXE_cajal"),
        model.display()
    );
    let output = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(&directory)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write out/spikes/cells."),
        "{stderr}"
    );
    assert!(
        stderr.contains("the outputs in out are incomplete (no summary.json was written)"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!directory.join("out/summary.json").exists());
    // What was committed before the failure still reads.
    let (shape, _) = read_npy(&directory.join("out/spikes/cells.npy"));
    assert!(shape[0] > 0 && shape[1] == 2, "{shape:?}");
    std::fs::remove_dir_all(&directory).unwrap();
}

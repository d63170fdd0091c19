//! `cajal stats` against Elephant, the standard Python toolkit for spike-train analysis.
//!
//! The test makes a Python venv with Elephant (pip, pinned version) under the target
//! directory, lets tests/elephant/reference.py draw spike trains and compute Elephant's
//! rates, CV, CV2, LV, Fano factors and PSTH, then runs `cajal stats --json` on the same
//! CSV file and compares: the definitions coincide, so the numbers agree to 1e-9. It needs
//! python3 with venv and pip and access to PyPI the first time (`.ci/run` has both).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The Elephant release the reference values come from.
const ELEPHANT: &str = "elephant==1.2.1";

fn run(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The venv's python, made (once per target directory) with Elephant installed.
fn elephant_python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("elephant-venv");
    let python = venv.join("bin/python");
    let ready = venv.join(format!("{ELEPHANT}.installed"));
    if !ready.exists() {
        let _ = std::fs::remove_dir_all(&venv);
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "making a Python venv (python3 with the venv module is needed)",
        );
        run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                ELEPHANT,
            ]),
            "installing Elephant from PyPI",
        );
        std::fs::write(&ready, "").unwrap();
    }
    python
}

fn close(cajal: &Value, elephant: &Value, what: &str) {
    match (cajal.as_f64(), elephant.as_f64()) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: cajal {a}, Elephant {b}"
        ),
        (None, None) => assert!(cajal.is_null() && elephant.is_null(), "{what}"),
        _ => panic!("{what}: cajal {cajal}, Elephant {elephant}"),
    }
}

#[test]
fn statistics_agree_with_elephant_to_1e_9() {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("elephant-reference");
    let _ = std::fs::remove_dir_all(&directory);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/elephant/reference.py");
    run(
        Command::new(elephant_python()).arg(&script).arg(&directory),
        "the Elephant reference script",
    );
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("expected.json")).unwrap())
            .unwrap();
    let seconds = |key: &str| format!("{}s", expected[key].as_f64().unwrap());
    let before = expected["psth_before_s"].as_f64().unwrap();
    let after = expected["psth_after_s"].as_f64().unwrap();
    let stdout = run(
        Command::new(env!("CARGO_BIN_EXE_cajal"))
            .arg("stats")
            .arg(directory.join("spikes.csv"))
            .args([
                "--json",
                "--t-start",
                "0s",
                "--t-stop",
                &seconds("t_stop_s"),
            ])
            .args(["--fano-window", &seconds("fano_window_s")])
            .arg("--neurons")
            .arg(expected["neurons"].as_array().unwrap().len().to_string())
            .arg("--stimulus-times")
            .arg(directory.join("stimuli.csv"))
            .args(["--psth-window", &format!("-{before}s:{after}s")])
            .args(["--psth-bin", &seconds("psth_bin_s")]),
        "cajal stats",
    );
    let computed: Value = serde_json::from_str(&stdout).unwrap();

    let neurons = computed["neurons"].as_array().unwrap();
    let reference = expected["neurons"].as_array().unwrap();
    assert_eq!(neurons.len(), reference.len());
    for (cajal, elephant) in neurons.iter().zip(reference) {
        let neuron = elephant["neuron"].as_u64().unwrap();
        assert_eq!(cajal["neuron"].as_u64(), Some(neuron));
        assert_eq!(
            cajal["spike_count"], elephant["spike_count"],
            "neuron {neuron}"
        );
        for key in ["rate_hz", "cv_isi", "cv2", "lv", "fano"] {
            close(
                &cajal[key],
                &elephant[key],
                &format!("neuron {neuron}: {key}"),
            );
        }
    }

    let psth = &computed["psth"];
    let reference = &expected["psth"];
    assert_eq!(psth["trials"], reference["trials"]);
    for key in ["bin_start_ms", "rate_hz"] {
        let ours = psth[key].as_array().unwrap();
        let theirs = reference[key].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "PSTH {key}");
        for (bin, (a, b)) in ours.iter().zip(theirs).enumerate() {
            close(a, b, &format!("PSTH {key} bin {bin}"));
        }
    }
}

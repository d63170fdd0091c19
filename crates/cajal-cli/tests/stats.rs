//! `cajal stats` end to end: a run's directory and its spike file as a plain CSV give the
//! same statistics, which agree with the run's own streamed summary; bad input is an error
//! that says what and where.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn cajal(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args(arguments)
        .output()
        .expect("the cajal executable runs")
}

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-stats-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "status {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_run_directory_and_its_csv_give_the_same_statistics_as_the_run_summary() {
    let directory = scratch("run");
    let out = directory.join("out");
    let out_text = out.to_str().unwrap();
    let run = cajal(&[
        "run",
        &example("brunel_demo.toml"),
        "--duration",
        "600ms",
        "-q",
        "-o",
        out_text,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();

    let from_directory = json_of(&cajal(&["stats", out_text, "--json"]));
    let csv = out.join("spikes/E.csv");
    let from_csv = json_of(&cajal(&[
        "stats",
        csv.to_str().unwrap(),
        "--json",
        "--neurons",
        "4000",
        "--t-start",
        "0ms",
        "--t-stop",
        "600ms",
    ]));

    // The run directory holds E then I; the CSV only E, numbered alike.
    let e_neurons: Vec<&Value> = from_directory["neurons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["population"] == "E")
        .collect();
    let csv_neurons = from_csv["neurons"].as_array().unwrap();
    assert_eq!(e_neurons.len(), 4000);
    assert_eq!(csv_neurons.len(), 4000);
    for (a, b) in e_neurons.iter().zip(csv_neurons) {
        for key in [
            "neuron",
            "spike_count",
            "rate_hz",
            "cv_isi",
            "cv2",
            "lv",
            "fano",
        ] {
            assert_eq!(a[key], b[key], "neuron {}: {key}", a["neuron"]);
        }
        let rate = a["spike_count"].as_f64().unwrap() / 0.6;
        assert!((a["rate_hz"].as_f64().unwrap() - rate).abs() < 1e-9 * rate.max(1.0));
    }

    // Against the summary the run streamed (running moments, no spike kept in memory).
    for population in ["E", "I"] {
        let streamed = &summary["populations"][population];
        let analysed = from_directory["populations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == population)
            .unwrap();
        let statistics = &analysed["population"];
        assert_eq!(statistics["spike_count"], streamed["spike_count"]);
        let rate = statistics["mean_rate_hz"].as_f64().unwrap();
        let streamed_rate = streamed["rate_hz"].as_f64().unwrap();
        assert!((rate - streamed_rate).abs() < 1e-9 * streamed_rate);
        let cv = statistics["cv_isi"]["mean"].as_f64().unwrap();
        let streamed_cv = streamed["cv_isi"].as_f64().unwrap();
        assert!((cv - streamed_cv).abs() < 1e-12, "{cv} vs {streamed_cv}");
        // The run's summary carries the same statistics.
        assert_eq!(streamed["statistics"], *statistics);
        // An asynchronous irregular state: irregular firing, weak correlations.
        assert!(cv > 0.6 && cv < 1.1, "CV {cv}");
        let correlation = statistics["correlation"]["mean"].as_f64().unwrap();
        assert!(correlation.abs() < 0.1, "mean correlation {correlation}");
    }
    // The pooled population counts every spike.
    let total = summary["populations"]["E"]["spike_count"].as_u64().unwrap()
        + summary["populations"]["I"]["spike_count"].as_u64().unwrap();
    assert_eq!(
        from_directory["population"]["spike_count"].as_u64(),
        Some(total)
    );
    assert_eq!(from_directory["population"]["neurons"].as_u64(), Some(5000));

    // Figures and statistics.json with -o.
    let figures = directory.join("figures");
    let output = cajal(&["stats", out_text, "-o", figures.to_str().unwrap()]);
    assert!(output.status.success());
    for name in [
        "raster",
        "isi_histogram",
        "spectrum",
        "population_rate",
        "cv_histogram",
    ] {
        assert!(figures.join(format!("{name}.svg")).exists(), "{name}");
        assert!(figures.join(format!("{name}.png")).exists(), "{name}");
    }
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(figures.join("statistics.json")).unwrap())
            .unwrap();
    assert_eq!(written["population"], from_directory["population"]);
}

#[test]
fn bad_input_is_an_error_that_says_what_and_where() {
    let directory = scratch("bad");
    let write = |name: &str, text: &str| {
        let path = directory.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let good = write("good.csv", "neuron,time_ms\n0,1.5\n1,2.5\n0,7.0\n");
    let bad_line = write("bad.csv", "neuron,time_ms\n0,1.5\n1,oops\n");
    let no_unit = write("plain.csv", "neuron,time\n0,1.5\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["missing.csv".into()], "cannot open"),
        (vec![bad_line.clone()], "line 3"),
        (vec![no_unit], "--time-unit"),
        (
            vec![
                good.clone(),
                "--t-start".into(),
                "5ms".into(),
                "--t-stop".into(),
                "1ms".into(),
            ],
            "t_stop must come after t_start",
        ),
        (vec![good.clone(), "--bin".into(), "0ms".into()], "positive"),
        (vec![good.clone(), "--bin".into(), "1e-9ms".into()], "bins"),
        (
            vec![
                good.clone(),
                "--stimulus-times".into(),
                "2ms".into(),
                "--psth-window=-1e9s:1e9s".into(),
            ],
            "bins",
        ),
        (
            vec![good.clone(), "--t-stop".into(), "5".into()],
            "--t-stop 5",
        ),
        (
            vec![good.clone(), "--neurons".into(), "1".into()],
            "beyond --neurons 1",
        ),
        (
            vec![directory.to_string_lossy().into_owned()],
            "without summary.json",
        ),
        (
            vec![
                good,
                "--stimulus-times".into(),
                "10ms".into(),
                "--psth-window".into(),
                "5ms:10ms".into(),
            ],
            "at or before the stimulus",
        ),
    ];
    for (arguments, expected) in cases {
        let mut full = vec!["stats".to_string()];
        full.extend(arguments);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let output = cajal(&refs);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{refs:?} succeeded");
        assert!(!stderr.contains("panicked"), "{refs:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{refs:?}: expected {expected:?} in\n{stderr}"
        );
    }
}

#[test]
fn a_population_recorded_twice_counts_once_and_its_whole_recorder_speaks_for_it() {
    let directory = scratch("twice");
    let model = std::fs::read_to_string(example("brunel_demo.toml")).unwrap()
        + "\n[[record]]\nkind = \"spikes\"\npopulation = \"E\"\nneurons = [0, 1, 2, 3, 4]\n";
    let model_path = directory.join("twice.toml");
    std::fs::write(&model_path, model).unwrap();
    let out = directory.join("out");
    let run = cajal(&[
        "run",
        model_path.to_str().unwrap(),
        "--duration",
        "200ms",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let e = &summary["populations"]["E"];
    assert_eq!(e["statistics"]["neurons"].as_u64(), Some(4000));
    assert_eq!(e["statistics"]["spike_count"], e["spike_count"]);

    let analysed = json_of(&cajal(&["stats", out.to_str().unwrap(), "--json"]));
    assert_eq!(analysed["populations"].as_array().unwrap().len(), 3);
    let total = e["spike_count"].as_u64().unwrap()
        + summary["populations"]["I"]["spike_count"].as_u64().unwrap();
    assert_eq!(analysed["population"]["neurons"].as_u64(), Some(5000));
    assert_eq!(analysed["population"]["spike_count"].as_u64(), Some(total));
}

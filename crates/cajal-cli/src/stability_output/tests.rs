use std::path::Path;

use cajal::spec::read_model_file;
use cajal::theory::stability::InhibitoryNetwork;

use super::*;

fn example(name: &str) -> ModelSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    read_model_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-stability-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(directory.join("plots")).unwrap();
    directory
}

fn run_on(spec: &ModelSpec, directory: &Path) -> Result<StabilityOutput> {
    write_outputs(analyse(spec), spec, None, directory)
}

#[test]
fn brunel_a_is_asynchronous_irregular_and_marked_on_its_diagram() {
    let directory = scratch("brunel-a");
    let output = run_on(&example("brunel_a.toml"), &directory).unwrap();
    // A stable state predicts no oscillation: no frequency row.
    assert!(output.rows.is_empty());
    let summary = output.summary.unwrap();
    assert_eq!(summary["state"], "AI");
    assert_eq!(summary["stable"], true);
    assert!((summary["rate_hz"].as_f64().unwrap() - 37.95).abs() < 0.01);
    assert!((summary["brunel_point"]["g"].as_f64().unwrap() - 5.0).abs() < 1e-9);
    assert!((summary["brunel_point"]["eta"].as_f64().unwrap() - 2.0).abs() < 1e-9);
    let note = output.note.unwrap();
    assert!(note.contains("predicted state AI"), "{note}");
    assert!(note.contains("g = 5, η = 2"), "{note}");
    // The diagram spans Brunel's g ≤ 8, η ≤ 4, one line per cell.
    let text = std::fs::read_to_string(directory.join("phase_diagram.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "g,eta,state,rate_hz,growth_rate_per_s,frequency_hz"
    );
    assert_eq!(lines.len(), 1 + DIAGRAM_COLUMNS * DIAGRAM_ROWS);
    // The cell that holds (5, 2) is AI, like the model; the cell at g ≈ 2, η ≈ 2 is SR
    // (excitation dominates, Brunel's Fig. 2).
    let state_at = |g: f64, eta: f64| {
        lines[1..]
            .iter()
            .map(|line| line.split(',').collect::<Vec<_>>())
            .min_by(|a, b| {
                let d = |r: &Vec<&str>| {
                    (r[0].parse::<f64>().unwrap() - g).abs()
                        + (r[1].parse::<f64>().unwrap() - eta).abs()
                };
                d(a).total_cmp(&d(b))
            })
            .map(|r| r[2].to_string())
            .unwrap()
    };
    assert_eq!(state_at(5.0, 2.0), "AI");
    assert_eq!(state_at(2.0, 2.0), "SR");
    assert_eq!(state_at(7.0, 3.9), "SI fast");
    assert_eq!(output.figures.len(), 1);
    assert!(output.figures[0].svg.exists());
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn brunel_hakim_predicts_its_fast_oscillation_without_a_diagram() {
    let directory = scratch("brunel-hakim");
    let output = run_on(&example("brunel_hakim.toml"), &directory).unwrap();
    let expected = InhibitoryNetwork::brunel_hakim_example()
        .stability()
        .leading()
        .unwrap()
        .frequency_hz();
    assert_eq!(output.rows.len(), 1);
    let row = &output.rows[0];
    assert_eq!(row.key, "oscillation_frequency_hz");
    assert!((row.theory - expected).abs() < 1e-9);
    // Without statistics there is nothing simulated to compare with.
    assert_eq!(row.simulation, None);
    assert!(output.figures.is_empty());
    assert!(!directory.join("phase_diagram.csv").exists());
    let summary = output.summary.unwrap();
    assert_eq!(summary["state"], "SI fast");
    // Below σ_ext ≈ 2.62 mV it oscillates (the library's onset, 172.8 Hz); the example's
    // 1 mV is well inside.
    let onset = &summary["noise_onset"];
    assert!(
        (onset["sigma_ext_mv"].as_f64().unwrap() - 2.62).abs() < 0.01,
        "{onset}"
    );
    assert!(
        (onset["frequency_hz"].as_f64().unwrap() - 172.8).abs() < 0.1,
        "{onset}"
    );
    assert!(output.note.unwrap().contains("below 2.62"));
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn models_outside_the_theory_get_nothing_and_covered_ones_a_reason() {
    let directory = scratch("outside");
    // Conductance synapses: no mean field, no stability, no note.
    let output = run_on(&example("coba.toml"), &directory).unwrap();
    assert!(output.note.is_none() && output.summary.is_none());
    // Brunel's model A with a stronger I → I projection: a mean field, but populations
    // that differ, which the one-population analysis does not cover; the report says so.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/brunel_a.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.rfind("weight = \"-0.5 mV\"").unwrap();
    let text = format!("{}weight = \"-0.6 mV\"{}", &text[..at], &text[at + 18..]);
    let spec = cajal::spec::read_model(
        cajal::spec::Source::new("differing.toml", text),
        Path::new("."),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = run_on(&spec, &directory).unwrap();
    let summary = output.summary.unwrap();
    assert_eq!(summary["covered"], false);
    assert_eq!(
        summary["reason"],
        "populations `E` and `I` receive different input; the stability analysis covers \
         statistically identical populations (Brunel's model A)"
    );
    assert!(output.note.unwrap().contains("not computed"));
    assert!(output.rows.is_empty() && output.figures.is_empty());
    let _ = std::fs::remove_dir_all(&directory);
}

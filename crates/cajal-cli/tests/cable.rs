//! End-to-end tests of cable models: the shipped cable examples and the branched benchmark
//! model run through `cajal run`, and what they write is compared with numbers computed here,
//! in the test, from cable theory (closed forms of the cable equation) or from NEURON — never
//! by calling the code under test. Bad cable input gives a located message, a failing exit
//! status and no summary.json.
//!
//! The parameters are those of the model files (`examples/*.toml`,
//! `bench/models/cable_branched_hh.toml`), repeated here as constants: a change to a model
//! that changes its physics should fail here and be looked at.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Running the executable and reading what it writes.

fn cajal(arguments: &[&str], directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args(arguments)
        .current_dir(directory)
        .output()
        .expect("the cajal executable runs")
}

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-cable-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn repository_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    path.to_str().unwrap().to_string()
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `cajal run MODEL -o out --quiet [more]` in `directory`; the run directory.
fn run_model(model: &str, more: &[&str], directory: &Path) -> PathBuf {
    let mut arguments = vec!["run", model, "-o", "out", "--quiet"];
    arguments.extend_from_slice(more);
    let output = cajal(&arguments, directory);
    assert!(output.status.success(), "{model}: {}", text(&output));
    directory.join("out")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number"))
}

/// A CSV file: its header and its rows, split at commas (no quoting in cajal's cable CSVs).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let content =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = content.lines();
    let header = lines
        .next()
        .expect("a header")
        .split(',')
        .map(str::to_string)
        .collect::<Vec<_>>();
    let rows = lines
        .map(|line| line.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{}: {row:?}", path.display());
    }
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn parse(text: &str) -> f64 {
    text.parse::<f64>()
        .unwrap_or_else(|e| panic!("{text:?} is not a number: {e}"))
}

/// traces.csv: the times and one series per trace label.
fn read_traces(path: &Path) -> (Vec<f64>, Vec<(String, Vec<f64>)>) {
    let (header, rows) = read_csv(path);
    assert_eq!(header[0], "time_ms");
    let times = rows.iter().map(|r| parse(&r[0])).collect();
    let traces = (1..header.len())
        .map(|j| {
            (
                header[j].clone(),
                rows.iter().map(|r| parse(&r[j])).collect(),
            )
        })
        .collect();
    (times, traces)
}

/// Upward crossings of `threshold`, linearly interpolated between samples.
fn crossings(times: &[f64], v: &[f64], threshold: f64) -> Vec<f64> {
    (1..v.len())
        .filter(|&k| v[k - 1] < threshold && v[k] >= threshold)
        .map(|k| {
            let fraction = (threshold - v[k - 1]) / (v[k] - v[k - 1]);
            times[k - 1] + fraction * (times[k] - times[k - 1])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Cable theory in the units of the model files.

/// The passive membrane of cable_passive.toml and cable_pulse.toml.
const DIAMETER_UM: f64 = 2.0;
/// R_a = 100 Ω·cm = 10⁶ Ω·µm.
const RA_OHM_UM: f64 = 100.0 * 1e4;
/// R_m = 20 kΩ·cm² = 2·10¹² Ω·µm².
const RM_OHM_UM2: f64 = 20_000.0 * 1e8;
/// c_m = 1 µF/cm² = 10⁶ pF / 10⁸ µm² = 10⁻² pF/µm².
const CM_PF_PER_UM2: f64 = 1e6 / 1e8;
const E_LEAK_MV: f64 = -65.0;

/// Axial resistance per unit length r_a = 4 R_a/(π d²), Ω/µm.
fn axial_resistance_ohm_per_um() -> f64 {
    4.0 * RA_OHM_UM / (PI * DIAMETER_UM * DIAMETER_UM)
}

/// λ = sqrt(d R_m / (4 R_a)), µm.
fn lambda_um() -> f64 {
    (DIAMETER_UM * RM_OHM_UM2 / (4.0 * RA_OHM_UM)).sqrt()
}

/// τ = R_m c_m, ms (Ω·µm² × pF/µm² = 10⁻¹² s = 10⁻⁹ ms).
fn tau_ms() -> f64 {
    RM_OHM_UM2 * CM_PF_PER_UM2 * 1e-9
}

// ---------------------------------------------------------------------------------------
// The examples.

/// examples/cable_passive.toml: d = 2 µm, R_a = 100 Ω·cm, R_m = 20 kΩ·cm², L = 1500 µm,
/// 301 compartments, 10 pA into the sealed end x = 0 from t = 0 for 200 ms (10 τ). The
/// steady state of a sealed cable: V(x) − E_L = V0 cosh((L − x)/λ)/cosh(L/λ),
/// V0 = I r_a λ coth(L/λ).
#[test]
fn passive_cable_reaches_the_cosh_profile_of_cable_theory() {
    let directory = scratch("passive");
    let out = run_model(
        &repository_file("examples/cable_passive.toml"),
        &[],
        &directory,
    );

    let length = 1500.0;
    let current_a = 10e-12;
    let lambda = lambda_um();
    assert!((lambda - 1000.0).abs() < 1e-9, "λ = {lambda}");
    let r_in_ohm = axial_resistance_ohm_per_um() * lambda / (length / lambda).tanh();
    let v0_mv = current_a * r_in_ohm * 1e3;
    let steady = |x: f64| v0_mv * ((length - x) / lambda).cosh() / (length / lambda).cosh();

    let (header, rows) = read_csv(&out.join("profile.csv"));
    assert_eq!(header, ["section", "position", "x_um", "v_mv"]);
    assert_eq!(rows.len(), 301);
    let mut worst = 0.0_f64;
    for row in &rows {
        assert_eq!(row[0], "cable");
        let x = parse(&row[2]);
        assert!((0.0..=length).contains(&x), "x = {x}");
        let expected = steady(x);
        let relative = (parse(&row[3]) - E_LEAK_MV - expected).abs() / expected;
        worst = worst.max(relative);
        assert!(
            relative < 0.005,
            "x = {x} µm: V − E_L = {} mV, cable theory {expected} mV",
            parse(&row[3]) - E_LEAK_MV
        );
    }
    eprintln!("cable_passive: max relative error of the profile {worst:.3e}");

    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["kind"], "cable");
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["compartments"], 301);
    assert!((number(&summary["sections"][0]["lambda_um"]) - lambda).abs() < 1e-6 * lambda);
    // At the centre of compartment 0 (x = h/2), not at x = 0: the 0.23 % this costs is
    // within the tolerance.
    let r_in_mohm = r_in_ohm * 1e-6;
    let simulated = number(&summary["input_resistance_mohm"]);
    let relative = (simulated - r_in_mohm).abs() / r_in_mohm;
    eprintln!("cable_passive: R_in {simulated} MΩ, theory {r_in_mohm} MΩ ({relative:.3e})");
    assert!(
        relative < 0.005,
        "R_in {simulated} MΩ, theory {r_in_mohm} MΩ"
    );

    let theory = summary["theory"].as_array().unwrap();
    assert!(theory.len() >= 2, "{theory:?}");
    for row in theory {
        let difference = number(&row["relative_difference"]);
        assert!(difference.abs() < 0.005, "{row}");
    }
    let row = theory
        .iter()
        .find(|r| r["quantity"] == "input_resistance_mohm")
        .expect("an input-resistance row");
    // The row compares at the electrode compartment's centre x = h/2:
    // R(h/2) = r_a λ cosh((L − h/2)/λ)/sinh(L/λ).
    let half = length / 301.0 / 2.0;
    let at_centre = axial_resistance_ohm_per_um() * lambda * ((length - half) / lambda).cosh()
        / (length / lambda).sinh()
        * 1e-6;
    assert!(
        (number(&row["theory"]) - at_centre).abs() < 1e-9 * at_centre,
        "{row}, expected {at_centre}"
    );
    assert!(number(&row["relative_difference"]).abs() < 1e-3, "{row}");
    std::fs::remove_dir_all(&directory).unwrap();
}

/// examples/cable_pulse.toml: the same membrane, L = 10000 µm in 2001 compartments, 0.01 pC
/// into the sealed end x = 0 at t = 0. Green's function of the cable equation, doubled at a
/// sealed end (the image source): V(x, t) − E_L = 2q/(c_m π d sqrt(4π D t))
/// · exp(−x²/(4Dt) − t/τ), D = λ²/τ. The peak at electrotonic distance X comes at
/// t = τ (sqrt(1 + 4X²) − 1)/4 (Jack, Noble & Tsien 1975).
#[test]
fn a_charge_pulse_spreads_as_the_green_function_of_the_cable() {
    let directory = scratch("pulse");
    let out = run_model(
        &repository_file("examples/cable_pulse.toml"),
        &[],
        &directory,
    );

    let (lambda, tau) = (lambda_um(), tau_ms());
    assert!((tau - 20.0).abs() < 1e-9, "τ = {tau}");
    let diffusion = lambda * lambda / tau; // µm²/ms
    let charge_pc = 0.01;
    // pC / (pF/µm² · µm · µm) = V; × 10³ for mV.
    let green = |x: f64, t: f64| {
        2.0 * charge_pc / (CM_PF_PER_UM2 * PI * DIAMETER_UM * (4.0 * PI * diffusion * t).sqrt())
            * (-x * x / (4.0 * diffusion * t) - t / tau).exp()
            * 1e3
    };

    let (header, rows) = read_csv(&out.join("profiles.csv"));
    let times = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let mut expected_header = vec!["section", "position", "x_um"]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    expected_header.extend(times.iter().map(|t| format!("v_mv_at_{t}_ms")));
    assert_eq!(header, expected_header, "the 10 snapshot columns");
    assert_eq!(rows.len(), 2001);
    for t in [0.5, 1.0] {
        let j = column(&header, &format!("v_mv_at_{t}_ms"));
        let scale = green(0.0, t);
        let mut worst = 0.0_f64;
        for row in &rows {
            let x = parse(&row[2]);
            if x > 1500.0 {
                continue;
            }
            let error = (parse(&row[j]) - E_LEAK_MV - green(x, t)).abs() / scale;
            worst = worst.max(error);
            assert!(
                error < 0.01,
                "t = {t} ms, x = {x} µm: V − E_L = {} mV, Green's function {} mV",
                parse(&row[j]) - E_LEAK_MV,
                green(x, t)
            );
        }
        eprintln!(
            "cable_pulse: t = {t} ms, max |error| / V(0) over x ≤ 1500 µm: {worst:.3e} \
             (V(0) = {scale:.4} mV)"
        );
    }

    // Peaks further away come later; at 2 λ as in the closed form.
    let (times, traces) = read_traces(&out.join("traces.csv"));
    let distances = [0.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0];
    assert_eq!(traces.len(), distances.len());
    let peak_times: Vec<f64> = traces
        .iter()
        .map(|(_, v)| {
            let k = (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
            times[k]
        })
        .collect();
    for ((label, _), x) in traces.iter().zip(distances) {
        assert_eq!(label, &format!("cable@{x:.1}lambda"));
    }
    for pair in peak_times.windows(2) {
        assert!(pair[1] > pair[0], "peak times {peak_times:?}");
    }
    let x = 2.0_f64;
    let theory = tau * ((1.0 + 4.0 * x * x).sqrt() - 1.0) / 4.0;
    let simulated = peak_times[2];
    let relative = (simulated - theory).abs() / theory;
    eprintln!("cable_pulse: peak at 2 λ at {simulated} ms, theory {theory:.4} ms ({relative:.3e})");
    assert!(
        relative < 0.05,
        "peak at 2 λ at {simulated} ms, theory {theory} ms"
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

/// examples/axon_hh.toml: Hodgkin & Huxley's squid axon (d = 476 µm, R_a = 35.4 Ω·cm,
/// 18.5 °C). They computed a conduction velocity of 18.8 m/s (Hodgkin & Huxley 1952,
/// J. Physiol. 117:500, part V).
#[test]
fn the_squid_axon_conducts_at_hodgkin_and_huxleys_velocity() {
    let directory = scratch("axon");
    let out = run_model(&repository_file("examples/axon_hh.toml"), &[], &directory);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["complete"], true);
    let velocity = number(&summary["conduction_velocity_m_per_s"]);
    let relative = (velocity - 18.8).abs() / 18.8;
    eprintln!("axon_hh: conduction velocity {velocity} m/s ({relative:.3e} from 18.8 m/s)");
    assert!(relative < 0.05, "{velocity} m/s");

    let traces = summary["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 5);
    let firsts: Vec<f64> = traces
        .iter()
        .map(|t| {
            assert_eq!(t["spike_count"], 1, "{t}");
            number(&t["first_spike_ms"])
        })
        .collect();
    for pair in firsts.windows(2) {
        assert!(pair[1] > pair[0], "first spikes {firsts:?}");
    }
    // The same from traces.csv, by the test's own threshold crossings.
    let (times, series) = read_traces(&out.join("traces.csv"));
    for ((label, v), first) in series.iter().zip(&firsts) {
        let spikes = crossings(&times, v, 0.0);
        assert_eq!(spikes.len(), 1, "{label}: {spikes:?}");
        assert!(
            (spikes[0] - first).abs() < 0.011,
            "{label}: {spikes:?} vs {first}"
        );
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

/// examples/neuron_swc.toml with examples/neuron_swc.swc: 29 sections, soma spikes,
/// reproducible (seeded Poisson input).
#[test]
fn the_swc_neuron_runs_fires_and_is_reproducible() {
    let directory = scratch("swc");
    let model = repository_file("examples/neuron_swc.toml");
    let out = run_model(&model, &[], &directory);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["sections"].as_array().unwrap().len(), 29);
    let soma = summary["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "soma@0.5")
        .expect("a soma trace");
    assert!(number(&soma["spike_count"]) >= 1.0, "{soma}");
    assert!(out.join("plots/morphology.svg").exists());
    let first = std::fs::read(out.join("traces.csv")).unwrap();

    let again = directory.join("again");
    std::fs::create_dir_all(&again).unwrap();
    let out_again = run_model(&model, &[], &again);
    assert!(
        first == std::fs::read(out_again.join("traces.csv")).unwrap(),
        "two runs of neuron_swc.toml differ"
    );

    // The shipped copies: `cajal examples neuron_swc` and `cajal examples neuron_swc.swc`,
    // saved side by side, run as the repository's files do.
    let shipped = directory.join("shipped");
    std::fs::create_dir_all(&shipped).unwrap();
    for (name, file) in [
        ("neuron_swc", "neuron_swc.toml"),
        ("neuron_swc.swc", "neuron_swc.swc"),
    ] {
        let printed = cajal(&["examples", name], &shipped);
        assert!(printed.status.success(), "{}", text(&printed));
        assert_eq!(
            printed.stdout,
            std::fs::read(repository_file(&format!("examples/{file}"))).unwrap(),
            "{name}"
        );
        std::fs::write(shipped.join(file), &printed.stdout).unwrap();
    }
    let out_shipped = run_model("neuron_swc.toml", &[], &shipped);
    assert!(
        first == std::fs::read(out_shipped.join("traces.csv")).unwrap(),
        "the shipped neuron_swc differs from examples/neuron_swc.toml"
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

/// bench/models/cable_branched_hh.toml against NEURON. Reference soma spike times: NEURON
/// 9.0.2, the same model (bench/cable_branched_neuron.py) at dt = 0.001 ms with every nseg ×3,
/// Crank–Nicolson (secondorder = 2), hh rates computed exactly (`usetable_hh = 0`), as
/// bench/compare_cables.py runs it (bench/README.md). NEURON's default 1 mV rate tables
/// lengthen the inter-spike interval by about 0.07 ms (0.37 %): the tabulated reference fires
/// the sixth spike 0.3 ms earlier than this one.
///
/// cajal runs at its shipped dt = 0.025 ms with the shipped 304 compartments, so the
/// difference holds its time-step and spatial discretisation errors and the different joining
/// of several children at a parent's end (see the model file's comment): every spike within
/// 0.05 ms.
#[test]
fn the_branched_neuron_fires_with_neuron() {
    const NEURON_SOMA_SPIKES_MS: [f64; 6] = [7.7812, 25.9354, 44.1146, 62.3159, 80.5198, 98.7242];
    let directory = scratch("branched");
    let out = run_model(
        &repository_file("bench/models/cable_branched_hh.toml"),
        &[],
        &directory,
    );
    let (times, traces) = read_traces(&out.join("traces.csv"));
    let (_, soma) = traces
        .iter()
        .find(|(label, _)| label == "soma@0.5")
        .expect("a soma trace");
    let spikes = crossings(&times, soma, 0.0);
    assert_eq!(
        spikes.len(),
        NEURON_SOMA_SPIKES_MS.len(),
        "soma spikes {spikes:?}, NEURON {NEURON_SOMA_SPIKES_MS:?}"
    );
    let differences: Vec<f64> = spikes
        .iter()
        .zip(NEURON_SOMA_SPIKES_MS)
        .map(|(a, b)| a - b)
        .collect();
    eprintln!("cable_branched_hh: soma spikes {spikes:?}, minus NEURON's {differences:?}");
    for (k, difference) in differences.iter().enumerate() {
        assert!(
            difference.abs() < 0.05,
            "spike {k}: {} ms, NEURON {} ms",
            spikes[k],
            NEURON_SOMA_SPIKES_MS[k]
        );
    }
    for k in 1..spikes.len() {
        let interval = spikes[k] - spikes[k - 1];
        let reference = NEURON_SOMA_SPIKES_MS[k] - NEURON_SOMA_SPIKES_MS[k - 1];
        assert!(
            (interval - reference).abs() < 0.001 * reference,
            "interval {k}: {interval} ms, NEURON {reference} ms"
        );
    }
    // spikes.csv says the same.
    let (header, rows) = read_csv(&out.join("spikes.csv"));
    assert_eq!(header, ["location", "time_ms"]);
    let listed: Vec<f64> = rows
        .iter()
        .filter(|r| r[0] == "soma@0.5")
        .map(|r| parse(&r[1]))
        .collect();
    assert_eq!(listed.len(), spikes.len());
    for (a, b) in listed.iter().zip(&spikes) {
        assert!(
            (a - b).abs() < 0.03,
            "spikes.csv {listed:?}, traces {spikes:?}"
        );
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

// ---------------------------------------------------------------------------------------
// Options and bad input.

#[test]
fn duration_option_shortens_a_cable_run() {
    let directory = scratch("duration");
    let out = run_model(
        &repository_file("examples/cable_passive.toml"),
        &["--duration", "2ms"],
        &directory,
    );
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["complete"], true);
    assert_eq!(number(&summary["duration_ms"]), 2.0);
    assert!((number(&summary["biological_seconds"]) - 0.002).abs() < 1e-12);
    let (times, _) = read_traces(&out.join("traces.csv"));
    assert!(
        (times.last().unwrap() - 2.0).abs() < 1e-9,
        "{:?}",
        times.last()
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

/// A one-section passive cable model with `section` as its section tables.
fn cable_file(simulation: &str, sections: &str) -> String {
    format!(
        "[simulation]\n{simulation}\n\n[membrane]\ncm = \"1 uF/cm^2\"\nra = \"100 ohm*cm\"\n\
         rm = \"20000 ohm*cm^2\"\ne_leak = \"-65 mV\"\n\n{sections}"
    )
}

const RUN: &str = "duration = \"10 ms\"\ndt = \"0.025 ms\"";
const ONE_SECTION: &str =
    "[section.a]\nlength = \"100 um\"\ndiameter = \"2 um\"\ncompartments = 5\n";

/// Runs `model.toml` (with `files` beside it); it must fail with a message containing every
/// one of `expected`, without a panic and without a summary.
fn assert_rejected(name: &str, model: &str, files: &[(&str, &str)], expected: &[&str]) {
    let directory = scratch(name);
    std::fs::write(directory.join("model.toml"), model).unwrap();
    for (file, content) in files {
        std::fs::write(directory.join(file), content).unwrap();
    }
    let output = cajal(&["run", "model.toml", "-o", "out", "--quiet"], &directory);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{name}: {}", text(&output));
    assert_ne!(
        output.status.code(),
        Some(101),
        "{name} panicked: {}",
        text(&output)
    );
    assert!(!stderr.contains("panicked"), "{name}: {}", text(&output));
    for fragment in expected {
        assert!(
            stderr.contains(fragment),
            "{name}: stderr lacks {fragment:?}: {}",
            text(&output)
        );
    }
    assert!(
        !directory.join("out/summary.json").exists(),
        "{name}: summary.json written"
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn bad_cable_input_is_rejected_with_a_located_message() {
    let sections = format!(
        "{ONE_SECTION}[section.b]\nparent = \"nowhere\"\nlength = \"100 um\"\n\
         diameter = \"1 um\"\ncompartments = 5\n"
    );
    assert_rejected(
        "unknown_parent",
        &cable_file(RUN, &sections),
        &[],
        &["section.b.parent", "nowhere"],
    );

    let sections = ONE_SECTION.replace("\"100 um\"", "\"-100 um\"");
    assert_rejected(
        "negative_length",
        &cable_file(RUN, &sections),
        &[],
        &["section.a.length", "-100 um"],
    );

    let morphology = "[morphology]\nswc = \"missing_cell.swc\"\n";
    assert_rejected(
        "missing_swc",
        &cable_file(RUN, morphology),
        &[],
        &["morphology.swc", "missing_cell.swc"],
    );

    // Line 4 (after a comment) has a parent that is not a number.
    let swc = "# a soma and a dendrite\n1 1 0 0 0 10 -1\n2 3 0 10 0 1 1\n3 3 0 20 0 1 two\n";
    let morphology = "[morphology]\nswc = \"bad_cell.swc\"\n";
    assert_rejected(
        "malformed_swc",
        &cable_file(RUN, morphology),
        &[("bad_cell.swc", swc)],
        &["bad_cell.swc", "line 4"],
    );

    assert_rejected(
        "dt_beyond_duration",
        &cable_file("duration = \"10 ms\"\ndt = \"20 ms\"", ONE_SECTION),
        &[],
        &["simulation.dt", "20 ms"],
    );
}

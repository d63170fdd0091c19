//! Rate-model files: the shipped examples with the numbers their comments derive, and one
//! test per class of bad input, asserting the located message.

use std::path::{Path, PathBuf};

use npyz::WriterBuilder;

use super::*;
use crate::input::InputKind;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn example(name: &str) -> RateModelSpec {
    let path = examples().join(name);
    match read_any_model_file(&path) {
        Ok(ModelFile::Rate(spec)) => spec,
        Ok(ModelFile::Spiking(_)) => panic!("{name} was read as a spiking model"),
        Ok(ModelFile::Cable(_)) => panic!("{name} was read as a cable model"),
        Ok(ModelFile::Binary(_)) => panic!("{name} was read as a binary model"),
        Err(error) => panic!("{name}: {error}"),
    }
}

fn read(text: &str) -> Result<RateModelSpec, SpecError> {
    read_rate_model(Source::new("rate.toml", text), Path::new("."))
}

fn error(text: &str) -> String {
    match read(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

const HEAD: &str = "[simulation]\nduration = \"100 ms\"\n";

/// Two single rates E, I and a ring field of 8 points (lines 3 to 14); `rest` from line 15.
fn model(rest: &str) -> String {
    format!(
        "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"threshold_linear\" }}\n\
         [population.I]\nmodel = \"rate\"\ntransfer = {{ kind = \"threshold_linear\" }}\n\
         [population.ring]\nmodel = \"rate\"\ntransfer = {{ kind = \"threshold_linear\" }}\n\
         geometry = \"ring\"\npoints = 8\nlength = 180.0\n{rest}"
    )
}

fn weight(spec: &RateModelSpec, source: &str, target: &str) -> Option<(f64, f64)> {
    let (s, t) = (
        spec.model.population_index(source)?,
        spec.model.population_index(target)?,
    );
    spec.model
        .couplings()
        .iter()
        .find(|c| c.source == s && c.target == t)
        .map(|c| match c.strength {
            CouplingStrength::Weight(w) => (w, c.delay_ms),
            CouplingStrength::Kernel(_) => panic!("a kernel"),
        })
}

#[test]
fn rate_linear_is_one_population_with_j_one_half_and_a_step() {
    let spec = example("rate_linear.toml");
    let [e] = spec.model.populations() else {
        panic!("one population")
    };
    assert_eq!(e.time_constant_ms, 10.0);
    assert_eq!(
        e.transfer,
        TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0
        }
    );
    assert_eq!(weight(&spec, "E", "E"), Some((0.5, 0.0)));
    assert_eq!(
        spec.inputs,
        [RateInputSpec {
            target: 0,
            kind: RateInputKind::Waveform(InputKind::Constant { amplitude: 1.0 }),
            start_ms: 100.0,
            stop_ms: 600.0,
        }]
    );
    // The comment's numbers: r* = I/(1 − J) = 2, τ_eff = τ/(1 − J) = 20 ms.
    let j = 0.5;
    assert_eq!(1.0 / (1.0 - j), 2.0);
    assert_eq!(e.time_constant_ms / (1.0 - j), 20.0);
    assert_eq!(spec.simulation.steps, 10_000);
    // Default record: the single rate every 1 ms.
    assert_eq!(
        spec.records,
        [RateRecordSpec {
            population: 0,
            interval_ms: 1.0
        }]
    );
    assert_eq!(spec.history, HistorySpec::Constant);
}

#[test]
fn rate_bistable_has_the_fixed_points_and_saddle_nodes_of_its_comment() {
    let spec = example("rate_bistable.toml");
    let e = &spec.model.populations()[0];
    assert_eq!(
        e.transfer,
        TransferFunction::Sigmoid {
            threshold: 5.0,
            slope: 1.0
        }
    );
    assert_eq!(e.input, -3.0);
    assert_eq!(weight(&spec, "E", "E"), Some((10.0, 0.0)));
    let ramps: Vec<_> = spec
        .inputs
        .iter()
        .map(|input| match &input.kind {
            RateInputKind::Waveform(InputKind::Ramp {
                from,
                to,
                start_ms,
                stop_ms,
            }) => (*from, *to, *start_ms, *stop_ms),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ramps,
        [(0.0, 6.0, 100.0, 1100.0), (0.0, -6.0, 1100.0, 2100.0)]
    );
    // Fixed points at I = 0 by bisection of Φ(J r) − r, and the saddle-node inputs, where
    // J·Φ' = 1: r(1 − r) = s/J.
    let phi = |x: f64| e.transfer.apply(x);
    let root = |mut low: f64, mut high: f64| {
        let f = |r: f64| phi(10.0 * r) - r;
        for _ in 0..100 {
            let middle = 0.5 * (low + high);
            if (f(middle) > 0.0) == (f(low) > 0.0) {
                low = middle
            } else {
                high = middle
            }
        }
        0.5 * (low + high)
    };
    assert!((root(0.0, 0.2) - 0.00719).abs() < 1e-5);
    assert!((root(0.2, 0.8) - 0.5).abs() < 1e-12);
    assert!((root(0.8, 1.0) - 0.99281).abs() < 1e-5);
    let r = (1.0 - (1.0 - 4.0 * 0.1_f64).sqrt()) / 2.0;
    let input = 5.0 + (r / (1.0 - r)).ln() - 10.0 * r;
    assert!((input - 1.8096).abs() < 1e-4, "{input}");
}

#[test]
fn rate_inhibitory_delay_sits_just_above_the_critical_coupling() {
    let spec = example("rate_inhibitory_delay.toml");
    let i = &spec.model.populations()[0];
    assert_eq!(
        (i.time_constant_ms, i.input, i.initial_rate),
        (10.0, 20.0, 2.1)
    );
    assert_eq!(weight(&spec, "I", "I"), Some((-9.0, 2.0)));
    assert_eq!(spec.simulation.dt_ms, 0.01);
    assert_eq!(spec.records[0].interval_ms, 0.1);
    // ωD + atan(ωτ) = π by bisection; |J_c| = sqrt(1 + ω²τ²).
    let (tau, delay) = (10.0, 2.0);
    let (mut low, mut high) = (0.0, std::f64::consts::PI / delay);
    for _ in 0..100 {
        let omega = 0.5 * (low + high);
        if omega * delay + (omega * tau).atan() < std::f64::consts::PI {
            low = omega
        } else {
            high = omega
        }
    }
    let critical = (1.0 + (low * tau).powi(2)).sqrt();
    assert!((low - 0.84434).abs() < 1e-5, "{low}");
    assert!((critical - 8.5024).abs() < 1e-4, "{critical}");
    assert!(9.0 > critical && 9.0 < 1.1 * critical);
    // Above threshold at the fixed point r* = I/(1 + |J|) = 2.
    assert_eq!(i.input / (1.0 + 9.0), 2.0);
}

#[test]
fn wilson_cowan_is_the_e_i_pair_of_its_comment_and_its_fixed_point_is_unstable_at_p_4() {
    let spec = example("wilson_cowan.toml");
    let [e, i] = spec.model.populations() else {
        panic!("two populations")
    };
    assert_eq!((e.time_constant_ms, i.time_constant_ms), (10.0, 20.0));
    assert_eq!(e.input, 4.0);
    assert_eq!(weight(&spec, "E", "E"), Some((10.0, 0.0)));
    assert_eq!(weight(&spec, "I", "E"), Some((-15.0, 0.0)));
    assert_eq!(weight(&spec, "E", "I"), Some((8.0, 0.0)));
    assert_eq!(weight(&spec, "I", "I"), None);
    // The Hopf points of the comment from the fixed-point analysis of the model itself:
    // the trace of the Jacobian changes sign at P = 1.778 and 11.222 (the determinant
    // stays positive), so the pair of eigenvalues crosses the imaginary axis.
    let network = spec.model.network().unwrap();
    let unstable_at = |p: f64| {
        let network = network.with_inputs(vec![p, 0.0]).unwrap();
        let points = crate::dynamics::fixed_points(&network, &Default::default()).unwrap();
        assert_eq!(points.len(), 1, "one fixed point at P = {p}");
        let eigenvalues = &points[0].eigenvalues;
        assert!(
            eigenvalues.iter().all(|l| l.im != 0.0),
            "a focus at P = {p}"
        );
        eigenvalues.iter().any(|l| l.re > 0.0)
    };
    for (p, unstable) in [
        (1.76, false),
        (1.80, true),
        (4.0, true),
        (11.2, true),
        (11.24, false),
    ] {
        assert_eq!(unstable_at(p), unstable, "P = {p}");
    }
}

#[test]
fn ring_model_has_the_bump_kernel_and_cue_of_its_comment() {
    let spec = example("ring_model.toml");
    let ring = &spec.model.populations()[0];
    assert_eq!(
        ring.geometry,
        Geometry::Ring {
            points: 256,
            length: 180.0
        }
    );
    assert_eq!(ring.input, 1.0);
    let [coupling] = spec.model.couplings() else {
        panic!("one coupling")
    };
    assert_eq!(
        coupling.strength,
        CouplingStrength::Kernel(Kernel::Cosine {
            mean: -2.0,
            modulation: 6.0
        })
    );
    assert_eq!(
        spec.inputs,
        [RateInputSpec {
            target: 0,
            kind: RateInputKind::Bump {
                shape: BumpShape::Cosine { contrast: 0.1 },
                amplitude: 1.0,
                center: (0.0, 0.0),
                velocity_per_ms: (0.0, 0.0),
            },
            start_ms: 0.0,
            stop_ms: 300.0,
        }]
    );
    assert_eq!(spec.records[0].interval_ms, 1.0);
    // The comment's theory (BYBS 1995): J2·f2(θc) = 1 gives φ = 2θc; the bump's amplitude
    // is bounded for J0 > cos φ / f0, and its peak is c(1 − cos φ)/(J0 f0 − cos φ).
    let (j0, j2) = (2.0, 6.0);
    let pi = std::f64::consts::PI;
    let f2 = |phi: f64| (phi - phi.sin() * phi.cos()) / (2.0 * pi);
    let (mut low, mut high) = (0.0, pi);
    for _ in 0..100 {
        let phi = 0.5 * (low + high);
        if j2 * f2(phi) < 1.0 {
            low = phi
        } else {
            high = phi
        }
    }
    let phi: f64 = low;
    let f0 = (phi.sin() - phi * phi.cos()) / pi;
    assert!((phi / 2.0 * 180.0 / pi - 37.32).abs() < 0.01);
    assert!((f0 - 0.1971).abs() < 1e-4);
    assert!((phi.cos() / f0 - 1.344).abs() < 1e-3 && j0 > phi.cos() / f0);
    let peak = ring.input * (1.0 - phi.cos()) / (j0 * f0 - phi.cos());
    assert!((peak - 5.688).abs() < 1e-3, "{peak}");
}

#[test]
fn rate_unit_example_is_a_rate_model_of_three_uncoupled_units() {
    let spec = example("rate_unit.toml");
    let names: Vec<&str> = spec
        .model
        .populations()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["linear", "sigmoid", "lif"]);
    assert!(spec.model.couplings().is_empty());
    // The LIF transfer takes its input in mV: the ramp from "0 mV" to "40 mV".
    assert!(matches!(
        spec.inputs[2].kind,
        RateInputKind::Waveform(InputKind::Ramp {
            from: 0.0,
            to: 40.0,
            ..
        })
    ));
    assert_eq!(spec.inputs.len(), 3);
    // A spiking file stays a spiking model.
    assert!(matches!(
        read_any_model_file(&examples().join("hh_step.toml")),
        Ok(ModelFile::Spiking(_))
    ));
}

#[test]
fn a_mixed_file_is_a_spiking_model_and_the_spiking_reader_hints_at_rate_models() {
    let mixed = format!(
        "{HEAD}[population.a]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
         [population.b]\nmodel = \"lif\"\n"
    );
    assert!(matches!(
        read_any_model(Source::new("m.toml", mixed), Path::new(".")),
        Ok(ModelFile::Spiking(_))
    ));
    let rate = model("[coupling.E]\nE = 1.0\n");
    let message = read_model_via_spiking_reader(&rate);
    assert!(
        message.contains("unknown key `geometry`") && message.contains("this is a rate model"),
        "{message}"
    );
}

fn read_model_via_spiking_reader(text: &str) -> String {
    crate::spec::read_model(Source::new("rate.toml", text), Path::new("."))
        .unwrap_err()
        .to_string()
}

#[test]
fn fields_torus_gaussian_and_mexican_hat_kernels_and_moving_bumps_read() {
    let spec = read(&format!(
        "{HEAD}[population.sheet]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
         geometry = \"torus\"\npoints = [16, 8]\nlength = [2.0, 1.0]\n\
         [population.other]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
         geometry = \"torus\"\npoints = [16, 8]\nlength = [2.0, 1.0]\n\
         [coupling.sheet]\n\
         sheet = {{ kernel = \"mexican_hat\", excitation = 2.0, excitation_width = 0.1, \
         inhibition = 1.0, inhibition_width = 0.3 }}\n\
         other = {{ kernel = \"gaussian\", amplitude = -1.0, width = 0.2 }}\n\
         [delay.sheet]\nother = \"1.5 ms\"\n\
         [[input]]\ntarget = \"sheet\"\nkind = \"bump\"\nshape = \"gaussian\"\namplitude = 3\n\
         width = 0.25\ncenter = [1.0, 0.5]\nvelocity = [0.01, 0]\nstart = \"10 ms\"\n\
         [[input]]\ntarget = \"other\"\nkind = \"ou_noise\"\nstd = 0.5\n\
         correlation_time = \"5 ms\"\n"
    ))
    .unwrap();
    assert_eq!(
        spec.model.populations()[0].geometry,
        Geometry::Torus {
            points: (16, 8),
            lengths: (2.0, 1.0)
        }
    );
    let couplings = spec.model.couplings();
    assert_eq!(
        couplings[0].strength,
        CouplingStrength::Kernel(Kernel::DifferenceOfGaussians {
            excitation: 2.0,
            excitation_width: 0.1,
            inhibition: 1.0,
            inhibition_width: 0.3
        })
    );
    assert_eq!((couplings[1].source, couplings[1].delay_ms), (1, 1.5));
    assert_eq!(
        spec.inputs[0],
        RateInputSpec {
            target: 0,
            kind: RateInputKind::Bump {
                shape: BumpShape::Gaussian { width: 0.25 },
                amplitude: 3.0,
                center: (1.0, 0.5),
                velocity_per_ms: (0.01, 0.0),
            },
            start_ms: 10.0,
            stop_ms: f64::INFINITY,
        }
    );
    assert!(matches!(
        spec.inputs[1].kind,
        RateInputKind::Waveform(InputKind::OrnsteinUhlenbeck { .. })
    ));
}

#[test]
fn default_records_of_fields_hold_at_most_ten_million_values() {
    // 10 s at dt = 0.1 ms (S = 10^5 steps) of a 200 × 200 torus: at 1 ms it would hold
    // 10001 × 40000 = 4·10^8 values. At most m = 10^7/40000 = 250 samples fit, so the
    // interval is k = floor(S/m) + 1 = 401 steps = 40.1 ms (250 samples, 10^7 values).
    let spec = read(
        "[simulation]\nduration = \"10 s\"\n[population.s]\nmodel = \"rate\"\n\
         transfer = { kind = \"sigmoid\" }\ngeometry = \"torus\"\npoints = [200, 200]\n\
         length = [1.0, 1.0]\n[population.u]\nmodel = \"rate\"\n\
         transfer = { kind = \"sigmoid\" }\n",
    )
    .unwrap();
    let interval = spec.records[0].interval_ms;
    assert!((interval - 40.1).abs() < 1e-9, "{interval}");
    let samples = (spec.simulation.steps as f64 / (interval / 0.1).round()).floor() + 1.0;
    assert!(samples * 40_000.0 <= 1e7);
    assert_eq!(spec.records[1].interval_ms, 1.0);
    // An explicit interval that would hold more than 10^8 values is refused.
    let message = error(
        "[simulation]\nduration = \"10 s\"\n[population.s]\nmodel = \"rate\"\n\
         transfer = { kind = \"sigmoid\" }\ngeometry = \"torus\"\npoints = [200, 200]\n\
         length = [1.0, 1.0]\n[[record]]\npopulation = \"s\"\ninterval = \"1 ms\"\n",
    );
    assert!(
        message.contains("record[0].interval: the record would hold 4.0004e8 values"),
        "{message}"
    );
}

#[test]
fn unknown_populations_get_did_you_mean_in_every_table() {
    assert_eq!(
        error(&model("[coupling.E]\nII = 1.0\n")),
        "rate.toml:16:1: coupling.E.II: no population named `II` (expected one of E, I, ring, \
         found \"II\")\n  hint: did you mean \"I\"?"
    );
    assert_eq!(
        error(&model("[coupling.Ee]\nE = 1.0\n")),
        "rate.toml:15:11: coupling.Ee: no population named `Ee` (expected one of E, I, ring, \
         found \"Ee\")\n  hint: did you mean \"E\"?"
    );
    assert!(
        error(&model("[coupling.E]\nE = 1.0\n[delay.E]\nEE = \"1 ms\"\n"))
            .starts_with("rate.toml:18:1: delay.E.EE: no population named `EE`")
    );
    assert!(
        error(&model(
            "[[input]]\ntarget = \"rign\"\nkind = \"constant\"\namplitude = 1.0\n"
        ))
        .contains("input[0].target: no population named `rign` (expected one of E, I, ring, found \"rign\")\n  hint: did you mean \"ring\"?")
    );
    assert!(
        error(&model("[history]\nEx = { file = \"h.csv\" }\n"))
            .starts_with("rate.toml:16:1: history.Ex: no population named `Ex`")
    );
    assert!(
        error(&model("[[record]]\npopulation = \"Q\"\n"))
            .contains("record[0].population: no population named `Q`")
    );
}

#[test]
fn singles_and_fields_are_never_coupled_and_take_weights_and_kernels_respectively() {
    assert_eq!(
        error(&model("[coupling.ring]\nE = 1.0\n")),
        "rate.toml:16:5: coupling.ring.E: `E` is a single rate and `ring` a field: couplings \
         between a single rate and a field are not part of rate models"
    );
    assert_eq!(
        error(&model(
            "[coupling.E]\nI = { kernel = \"cosine\", mean = 1, modulation = 1 }\n"
        )),
        "rate.toml:16:5: coupling.E.I: a kernel joins two fields; between single rates give a \
         weight (expected I = 12.0, found a table)"
    );
    assert!(error(&model("[coupling.ring]\nring = 2.0\n")).starts_with(
        "rate.toml:16:8: coupling.ring.ring: between fields the coupling is a kernel, not a \
             weight (expected a kernel table such as ring = { kernel = \"cosine\""
    ));
    let other_ring = model(
        "[population.wide]\nmodel = \"rate\"\ntransfer = { kind = \"sigmoid\" }\n\
         geometry = \"ring\"\npoints = 16\nlength = 180.0\n[coupling.ring]\nwide = { kernel = \
         \"gaussian\", amplitude = 1.0, width = 10.0 }\n",
    );
    assert!(
        error(&other_ring).contains(
            "a kernel joins fields of the same geometry; `wide` is a ring of 16 points and \
             length 180 and `ring` is a ring of 8 points and length 180"
        ),
        "{}",
        error(&other_ring)
    );
    assert!(
        error(&model(
            "[coupling.ring]\nring = { kernel = \"cosin\", mean = 1 }\n"
        ))
        .contains("unknown kernel `cosin`")
    );
    assert!(
        error(&model(
            "[coupling.ring]\nring = { kernel = \"gaussian\", amplitude = 1.0, width = 0 }\n"
        ))
        .contains("coupling.ring.ring.width: a width must be positive")
    );
}

#[test]
fn delays_need_a_coupling_and_a_non_negative_time() {
    assert_eq!(
        error(&model("[coupling.E]\nE = 1.0\n[delay.E]\nI = \"2 ms\"\n")),
        "rate.toml:18:5: delay.E.I: no coupling from `I` onto `E` to delay\n  hint: declare it \
         under [coupling.E] as I = ..."
    );
    assert_eq!(
        error(&model("[coupling.E]\nE = 1.0\n[delay.E]\nE = \"-2 ms\"\n")),
        "rate.toml:18:5: delay.E.E: a delay cannot be negative (expected >= 0 ms, found -2 ms)"
    );
    assert!(
        error(&model("[coupling.E]\nE = 1.0\n[delay.E]\nE = \"2 mV\"\n"))
            .contains("delay.E.E: wrong dimension: this is a voltage")
    );
}

#[test]
fn wrong_units_bad_geometries_and_typos_are_located() {
    assert_eq!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntau = \"10 mV\"\n\
             transfer = {{ kind = \"sigmoid\" }}\n"
        )),
        "rate.toml:5:7: population.E.tau: wrong dimension: this is a voltage (expected a time \
         such as \"20 ms\", found \"10 mV\")"
    );
    let torus = |points: &str| {
        error(&format!(
            "{HEAD}[population.F]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             geometry = \"torus\"\npoints = {points}\nlength = [1.0, 1.0]\n"
        ))
    };
    assert_eq!(
        torus("64"),
        "rate.toml:7:10: population.F.points: a torus takes a pair: one value for each side \
         (expected points = [Nx, Ny], found an integer 64)"
    );
    assert!(torus("[64, 64, 2]").contains("found 3 values"));
    assert!(torus("[64, 1]").contains("population.F.points[1]: a field needs at least 2 points"));
    assert_eq!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             geomtry = \"ring\"\n"
        )),
        "rate.toml:6:1: population.E.geomtry: unknown key `geomtry`\n  hint: did you mean \
         `geometry`?"
    );
    assert!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             geometry = \"ring\"\npoints = 10\n"
        ))
        .contains("a ring needs `points` and `length`")
    );
    assert!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             points = 10\n"
        ))
        .contains("population.E.points: a single rate has no `points`")
    );
    assert!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"lif\" }}\n\
             input = 20.0\n"
        ))
        .contains("population.E.input: a number without a unit")
    );
    assert!(
        error(&format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\nsize = 10\n\
             transfer = {{ kind = \"sigmoid\" }}\n"
        ))
        .contains("population.E.size: a population of a rate model is one rate or a field")
    );
    assert!(
        error(&model("[[projection]]\nsource = \"E\"\n"))
            .contains("projection: rate models have no projections")
    );
}

#[test]
fn poisson_inputs_and_bumps_on_single_rates_are_refused_with_the_reason() {
    let message = error(&model(
        "[[input]]\ntarget = \"E\"\nkind = \"poisson\"\nrate = \"10 Hz\"\n",
    ));
    assert!(
        message.starts_with(
            "rate.toml:17:8: input[0].kind: Poisson spike inputs are not supported in rate \
             models"
        ),
        "{message}"
    );
    assert!(message.contains("hint: a noisy drive is white_noise or ou_noise"));
    assert_eq!(
        error(&model(
            "[[input]]\ntarget = \"E\"\nkind = \"bump\"\nshape = \"cosine\"\namplitude = 1\n\
             contrast = 0.1\n"
        )),
        "rate.toml:16:10: input[0].kind: a bump is an input to a field; `E` is a single rate \
         (expected a population with geometry = \"ring\" or \"torus\", found \"E\")"
    );
    let bump = |extra: &str| {
        error(&model(&format!(
            "[[input]]\ntarget = \"ring\"\nkind = \"bump\"\nshape = \"cosine\"\n\
             amplitude = 1\n{extra}"
        )))
    };
    assert!(
        bump("contrast = 1.5\n").contains("input[0].contrast: a contrast lies between 0 and 1")
    );
    assert!(
        bump("contrast = 0.1\ncenter = [0, 1]\n")
            .contains("input[0].center: a ring takes one number here")
    );
    assert!(bump("contrast = 0.1\nwidth = 3\n").contains("unknown key `width`"));
    assert!(
        bump("contrast = 0.1\nstart = \"50 ms\"\nstop = \"10 ms\"\n")
            .contains("it needs 0 <= start < stop")
    );
    assert!(
        error(&model(
            "[[record]]\nkind = \"spikes\"\npopulation = \"E\"\n"
        ))
        .contains("record[0].kind: rate populations do not spike")
    );
}

fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-rate-model-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

#[test]
fn kernels_and_histories_are_read_from_files() {
    let directory = scratch("files");
    std::fs::write(directory.join("k.csv"), "J\n1\n0.5\n0\n0.5\n").unwrap();
    std::fs::write(directory.join("t.csv"), "1,2,3\n4,5,6\n").unwrap();
    std::fs::write(directory.join("h.csv"), "time,rate\n-10,1\n-5,2\n0,3\n").unwrap();
    std::fs::write(directory.join("late.csv"), "-1,1\n1,2\n").unwrap();
    let text = |ring_file: &str, torus_file: &str, history: &str| {
        format!(
            "{HEAD}[population.E]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             [population.R]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             geometry = \"ring\"\npoints = 4\nlength = 1.0\n\
             [population.T]\nmodel = \"rate\"\ntransfer = {{ kind = \"sigmoid\" }}\n\
             geometry = \"torus\"\npoints = [2, 3]\nlength = [1.0, 1.0]\n\
             [coupling.R]\nR = {{ kernel = \"file\", file = \"{ring_file}\" }}\n\
             [coupling.T]\nT = {{ kernel = \"file\", file = \"{torus_file}\" }}\n\
             [history]\nE = {{ file = \"{history}\" }}\n"
        )
    };
    let spec = read_rate_model(
        Source::new("rate.toml", text("k.csv", "t.csv", "h.csv")),
        &directory,
    )
    .unwrap();
    let kernels: Vec<_> = spec
        .model
        .couplings()
        .iter()
        .map(|c| c.strength.clone())
        .collect();
    assert_eq!(
        kernels,
        [
            CouplingStrength::Kernel(Kernel::Sampled {
                values: vec![1.0, 0.5, 0.0, 0.5]
            }),
            CouplingStrength::Kernel(Kernel::Sampled {
                values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
            }),
        ]
    );
    let HistorySpec::Given(history) = &spec.history else {
        panic!("a history")
    };
    assert_eq!(history[0].as_ref().unwrap().times_ms, [-10.0, -5.0, 0.0]);
    assert_eq!(history[0].as_ref().unwrap().values, [1.0, 2.0, 3.0]);
    assert!(history[1].is_none() && history[2].is_none());

    let failure = |ring: &str, torus: &str, history: &str| {
        read_rate_model(
            Source::new("rate.toml", text(ring, torus, history)),
            &directory,
        )
        .unwrap_err()
        .to_string()
    };
    assert!(
        failure("t.csv", "t.csv", "h.csv").contains("3 values in a row; give one value per row")
    );
    assert!(
        failure("k.csv", "k.csv", "h.csv")
            .contains("4 values; the kernel of a field of 6 points needs one per displacement, 6")
    );
    assert!(failure("k.csv", "t.csv", "late.csv").contains(
        "history.E.file: the history gives r(t) for t <= 0, but the file has a sample at t = 1 ms"
    ));
    let message = failure("missing.npy", "t.csv", "h.csv");
    assert!(
        message.contains("coupling.R.R.file: ") && message.contains("missing.npy"),
        "{message}"
    );
    std::fs::remove_dir_all(directory).ok();
}

#[test]
fn npy_kernels_of_a_torus_may_be_a_grid_in_either_order() {
    let directory = scratch("npy");
    let write = |name: &str, shape: &[u64], fortran: bool, data: &[f64]| {
        let mut bytes = Vec::new();
        let mut writer = npyz::WriteOptions::<f64>::new()
            .default_dtype()
            .shape(shape)
            .order(if fortran {
                npyz::Order::Fortran
            } else {
                npyz::Order::C
            })
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        writer.extend(data.iter().copied()).unwrap();
        writer.finish().unwrap();
        std::fs::write(directory.join(name), bytes).unwrap();
    };
    // The grid (i, j) ↦ 10 i + j of a 2 × 3 torus, stored in C order, in Fortran order,
    // and flat.
    write("c.npy", &[2, 3], false, &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    write("f.npy", &[2, 3], true, &[0.0, 10.0, 1.0, 11.0, 2.0, 12.0]);
    write("flat.npy", &[6], false, &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    write("wrong.npy", &[3, 2], false, &[0.0; 6]);
    let torus = Geometry::Torus {
        points: (2, 3),
        lengths: (1.0, 1.0),
    };
    for name in ["c.npy", "f.npy", "flat.npy"] {
        assert_eq!(
            kernel_file::read_kernel(&directory.join(name), &torus).unwrap(),
            [0.0, 1.0, 2.0, 10.0, 11.0, 12.0],
            "{name}"
        );
    }
    let message = kernel_file::read_kernel(&directory.join("wrong.npy"), &torus).unwrap_err();
    assert!(
        message.contains("shape [3, 2]: expected (6,) or (2, 3)"),
        "{message}"
    );
    std::fs::remove_dir_all(directory).ok();
}

fn document(text: &str) -> RateModelDocument {
    RateModelDocument::new(Source::new("rate.toml", text), Path::new(".")).unwrap()
}

fn set(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|&(p, v)| (p.to_string(), v)).collect()
}

#[test]
fn overrides_replace_numbers_keeping_units_and_add_defaults() {
    // The document has no file behind it: overrides re-check the parsed text.
    let text = std::fs::read_to_string(examples().join("wilson_cowan.toml")).unwrap()
        + "[delay.I]\nE = \"2 ms\"\n";
    let document = document(&text);
    let spec = document
        .with_overrides(&set(&[
            ("population.E.input", 2.5),
            ("coupling.E.I", -12.0),
            ("delay.I.E", 3.0),
            ("delay.E.E", 0.5),
            ("population.I.transfer.threshold", 3.5),
            ("population.I.transfer.slope", 0.5),
            ("population.I.time_constant", 15.0),
            ("population.I.input", -1.0),
        ]))
        .unwrap();
    let [e, i] = spec.model.populations() else {
        panic!()
    };
    assert_eq!(e.input, 2.5);
    assert_eq!(weight(&spec, "I", "E"), Some((-12.0, 0.0)));
    assert_eq!(weight(&spec, "E", "I"), Some((8.0, 3.0)));
    assert_eq!(weight(&spec, "E", "E"), Some((10.0, 0.5)));
    assert_eq!(
        i.transfer,
        TransferFunction::Sigmoid {
            threshold: 3.5,
            slope: 0.5
        }
    );
    assert_eq!((i.time_constant_ms, i.input), (15.0, -1.0));
    // The document itself is unchanged.
    assert_eq!(document.check().unwrap().model.populations()[0].input, 4.0);

    // A kernel parameter and an input amplitude of the ring model; "2 ms"-style units are
    // kept: "300 ms" set to 0.25 (in the file's unit, s would stay s) is 0.25 ms.
    let ring = std::fs::read_to_string(examples().join("ring_model.toml")).unwrap();
    let spec = document_of(&ring)
        .with_overrides(&set(&[
            ("coupling.ring.ring.modulation", 4.0),
            ("input[0].amplitude", 0.5),
            ("input[0].stop", 250.0),
            ("population.ring.points", 128.0),
        ]))
        .unwrap();
    assert_eq!(
        spec.model.couplings()[0].strength,
        CouplingStrength::Kernel(Kernel::Cosine {
            mean: -2.0,
            modulation: 4.0
        })
    );
    assert_eq!(spec.inputs[0].stop_ms, 250.0);
    assert!(matches!(
        spec.inputs[0].kind,
        RateInputKind::Bump { amplitude: 0.5, .. }
    ));
    assert_eq!(spec.model.populations()[0].geometry.size(), 128);
    let seconds = document_of(&ring.replace("stop = \"300 ms\"", "stop = \"0.3 s\""))
        .with_overrides(&set(&[("input[0].stop", 0.2)]))
        .unwrap();
    assert_eq!(seconds.inputs[0].stop_ms, 200.0);
}

fn document_of(text: &str) -> RateModelDocument {
    document(text)
}

#[test]
fn numeric_paths_list_written_numbers_then_defaults() {
    let text = model("[coupling.E]\nE = 1.0\nI = -2.0\n[delay.E]\nE = \"1 ms\"\n");
    let paths = document(&text).numeric_paths();
    let expected_written = [
        "simulation.duration",
        "population.ring.points",
        "population.ring.length",
        "coupling.E.E",
        "coupling.E.I",
        "delay.E.E",
    ];
    for path in expected_written {
        assert!(paths.contains(&path.to_string()), "{path}: {paths:?}");
    }
    for path in [
        "population.E.time_constant",
        "population.E.initial_rate",
        "population.E.input",
        "population.E.transfer.threshold",
        "population.E.transfer.gain",
        "delay.E.I",
    ] {
        assert!(paths.contains(&path.to_string()), "{path}: {paths:?}");
    }
    assert!(!paths.contains(&"delay.I.E".to_string()));
    assert_eq!(paths[0], "simulation.duration");
}

#[test]
fn an_unknown_or_non_numeric_override_path_is_an_error_listing_the_numbers() {
    let document = document(&model("[coupling.E]\nE = 1.0\n"));
    let message = document
        .with_overrides(&set(&[("population.E.inptu", 1.0)]))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(
            "rate.toml:3:13: population.E.inptu: the model has no number at \
             `population.E.inptu` to override (expected one of the model's numbers: \
             simulation.duration, "
        ),
        "{message}"
    );
    assert!(
        message.ends_with("hint: did you mean `population.E.input`?"),
        "{message}"
    );
    let message = document
        .with_overrides(&set(&[("population.ring.transfer", 1.0)]))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`population.ring.transfer` is a table, not a number to override")
            && message.contains(
                "hint: name one of its numbers: population.ring.transfer.threshold, \
                 population.ring.transfer.gain"
            ),
        "{message}"
    );
    assert!(
        document
            .with_overrides(&set(&[("population.E.model", 1.0)]))
            .unwrap_err()
            .to_string()
            .contains("`population.E.model` is a string, not a number to override")
    );
    // No coupling from I onto E, so no delay of it to sweep.
    assert!(
        document
            .with_overrides(&set(&[("delay.E.I", 1.0)]))
            .is_err()
    );
    assert!(
        document
            .with_overrides(&set(&[("coupling.E.E", f64::NAN)]))
            .unwrap_err()
            .to_string()
            .contains("coupling.E.E: not a finite number")
    );
}

#[test]
fn errors_caused_by_an_override_name_it() {
    let document = document(&model("[coupling.E]\nE = 1.0\n[delay.E]\nE = \"2 ms\"\n"));
    let message = document
        .with_overrides(&set(&[("delay.E.E", -1.0)]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "rate.toml:18:5: delay.E.E: a delay cannot be negative (expected >= 0 ms, found -1 ms)\n  \
         hint: `delay.E.E` is set to -1 by an override"
    );
    // A symbol of the parameter names it as well as its name.
    let spec = document
        .with_overrides(&set(&[("population.E.tau", 20.0)]))
        .unwrap();
    assert_eq!(spec.model.populations()[0].time_constant_ms, 20.0);
    let message = document
        .with_overrides(&set(&[("population.ring.points", 2.5)]))
        .unwrap_err()
        .to_string();
    assert!(message.contains("population.ring.points: a field needs at least 2 points"));
}

#[test]
fn a_hundred_point_sweep_re_checks_without_re_reading() {
    let document = RateModelDocument::read(&examples().join("wilson_cowan.toml")).unwrap();
    let inputs: Vec<f64> = (0..100)
        .map(|k| {
            let spec = document
                .with_overrides(&set(&[("population.E.input", 0.14 * k as f64)]))
                .unwrap();
            spec.model.populations()[0].input
        })
        .collect();
    assert_eq!(inputs[99], 0.14 * 99.0);
    let spec = RateModelSpec::read_with_overrides(
        &examples().join("wilson_cowan.toml"),
        &set(&[("population.E.input", 12.0)]),
    )
    .unwrap();
    assert_eq!(spec.model.populations()[0].input, 12.0);
}

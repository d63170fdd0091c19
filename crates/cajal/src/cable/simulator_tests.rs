//! Tests of the cable simulator against closed forms of cable theory, the passive stepper,
//! published Hodgkin–Huxley figures and its own convergence.

use super::simulator::SynapseState;
use super::*;

/// λ = 1000 µm and τ_m = 20 ms at d = 2 µm.
fn membrane(e_leak: f64) -> PassiveMembrane {
    PassiveMembrane {
        c_m: 1.0,
        r_a: 100.0,
        g_leak: 5e-5,
        e_leak,
    }
}

fn section(name: &str, length_um: f64, diameter_um: f64, n: usize, m: PassiveMembrane) -> Section {
    Section {
        name: name.into(),
        parent: None,
        length_um,
        diameter_um,
        points: Vec::new(),
        compartments: n,
        membrane: m,
        hh: None,
    }
}

fn model_of(sections: Vec<Section>, initial_mv: f64) -> CableModel {
    CableModel {
        discretization: Morphology::new(sections).unwrap().discretize().unwrap(),
        temperature_celsius: 6.3,
        initial_mv,
        killed_ends: Vec::new(),
        injections: Vec::new(),
        synapses: Vec::new(),
    }
}

fn rel_err(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

#[test]
fn passive_simulator_agrees_with_passive_stepper() {
    for method in [Method::BackwardEuler, Method::CrankNicolson] {
        let m = membrane(-65.0);
        let mut model = model_of(vec![section("cable", 800.0, 2.0, 40, m)], -65.0);
        model.injections.push(CurrentInjection {
            compartment: 3,
            waveform: CurrentWaveform::Step {
                start_ms: 0.0,
                duration_ms: f64::INFINITY,
                amplitude_na: 0.2,
            },
        });
        let mut sim = CableSimulator::new(&model, method, 0.05).unwrap();
        let mut reference =
            PassiveCable::new(model.discretization.tree.clone(), method, 0.05).unwrap();
        let mut injection = vec![0.0; 40];
        injection[3] = 0.2;
        reference.set_injection(&injection).unwrap();
        for _ in 0..400 {
            sim.step();
            reference.step();
        }
        let diff = sim
            .voltages()
            .iter()
            .zip(reference.voltages())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-10, "{method:?}: {diff}");
        assert!(sim.voltages()[3] > -60.0, "the injection depolarises");
    }
}

#[test]
fn killed_end_profile_and_input_resistance() {
    // Sealed at x = 0 (driven), killed at x = L: V = V0 sinh((L − x)/λ)/sinh(L/λ) and
    // R_in = r_a λ tanh(L/λ).
    let (length, lambda, n) = (1500.0, 1000.0, 300);
    let m = membrane(-70.0);
    let mut model = model_of(vec![section("cable", length, 2.0, n, m)], -70.0);
    model.killed_ends.push(0);
    let r_in = input_resistance_mohm(&model, 0).unwrap();
    let r_a = m.axial_resistance_per_um(2.0);
    // Compartment 0's centre is h/2 from the end: the closed form there.
    let h = length / n as f64;
    let x0 = h / 2.0;
    let expected_v0 = r_a * lambda * ((length - x0) / lambda).sinh() / (length / lambda).cosh();
    assert!(rel_err(r_in, expected_v0) < 2e-3, "{r_in} vs {expected_v0}");
    let tanh = r_a * lambda * (length / lambda).tanh();
    assert!(rel_err(r_in, tanh) < 5e-3, "{r_in} vs {tanh}");
    // The profile, by running to steady state with backward Euler and a large step.
    model.injections.push(CurrentInjection {
        compartment: 0,
        waveform: CurrentWaveform::Step {
            start_ms: 0.0,
            duration_ms: f64::INFINITY,
            amplitude_na: 0.1,
        },
    });
    let mut sim = CableSimulator::new(&model, Method::BackwardEuler, 50.0).unwrap();
    for _ in 0..400 {
        sim.step();
    }
    let v0 = 0.1 * r_a * lambda * (length / lambda).tanh();
    for k in [0, 50, 150, 250, 299] {
        let x = (k as f64 + 0.5) * h;
        let want = v0 * ((length - x) / lambda).sinh() / (length / lambda).sinh();
        let got = sim.voltages()[k] + 70.0;
        assert!((got - want).abs() < 0.005 * v0, "x = {x}: {got} vs {want}");
    }
}

/// The infinite cable's Green's function (the closed form under test).
fn green(m: &PassiveMembrane, d_um: f64, q_pc: f64, x_um: f64, t_ms: f64) -> f64 {
    infinite_cable_green_mv(m, d_um, q_pc, x_um, t_ms)
}

/// V − E at distances `xs` from the injection site at `t_ms` after a delta pulse into the
/// middle of a long cable of compartments `h_um` long.
fn pulse_response(h_um: f64, dt_ms: f64, xs: &[f64], t_ms: f64, q_pc: f64) -> Vec<f64> {
    let m = membrane(0.0);
    let half = (3000.0 / h_um).round() as usize;
    let n = 2 * half + 1;
    let mut model = model_of(vec![section("cable", n as f64 * h_um, 2.0, n, m)], 0.0);
    model.injections.push(CurrentInjection {
        compartment: half,
        waveform: CurrentWaveform::Delta {
            time_ms: 0.0,
            charge_pc: q_pc,
        },
    });
    let mut sim = CableSimulator::new(&model, Method::CrankNicolson, dt_ms).unwrap();
    let steps = (t_ms / dt_ms).round() as usize;
    for _ in 0..steps {
        sim.step();
    }
    xs.iter()
        .map(|x| sim.voltages()[half + (x / h_um).round() as usize])
        .collect()
}

#[test]
fn brief_pulse_follows_the_greens_function() {
    let m = membrane(0.0);
    let q = 0.01; // pC
    let xs = [0.0, 100.0, 200.0, 400.0];
    for t in [0.5, 1.0, 2.0] {
        let got = pulse_response(5.0, 0.0025, &xs, t, q);
        for (x, v) in xs.iter().zip(got) {
            let want = green(&m, 2.0, q, *x, t);
            assert!(
                rel_err(v, want) < 0.01,
                "x = {x} µm, t = {t} ms: {v} vs {want}"
            );
        }
    }
}

#[test]
fn crank_nicolson_is_second_order_in_dx() {
    // Start from the Green's function at 0.5 ms (smooth data: a delta would excite grid-scale
    // modes that Crank–Nicolson damps slowly) and compare at 1.5 ms, at points that are
    // compartment centres on every grid; the step is small enough for the time error to be
    // negligible.
    let m = membrane(0.0);
    let q = 0.01;
    let (t0, t1, dt) = (0.5, 1.5, 0.0005);
    let xs = [0.0, 100.0, 200.0, 300.0];
    let errors: Vec<f64> = [20.0, 10.0, 5.0]
        .iter()
        .map(|&h: &f64| {
            let half = (3000.0 / h).round() as usize;
            let n = 2 * half + 1;
            let model = model_of(vec![section("cable", n as f64 * h, 2.0, n, m)], 0.0);
            let mut sim = CableSimulator::new(&model, Method::CrankNicolson, dt).unwrap();
            let initial: Vec<f64> = (0..n)
                .map(|k| green(&m, 2.0, q, (k as f64 - half as f64) * h, t0))
                .collect();
            sim.set_voltages(&initial).unwrap();
            for _ in 0..((t1 - t0) / dt).round() as usize {
                sim.step();
            }
            xs.iter()
                .map(|x| {
                    let v = sim.voltages()[half + (x / h).round() as usize];
                    (v - green(&m, 2.0, q, *x, t1)).abs()
                })
                .fold(0.0, f64::max)
        })
        .collect();
    for w in errors.windows(2) {
        let order = (w[0] / w[1]).log2();
        assert!((order - 2.0).abs() < 0.15, "order {order} from {errors:?}");
    }
}

#[test]
fn crank_nicolson_is_second_order_in_dt_with_pulses() {
    // A step current switched on mid-step: the exact-charge electrode keeps second order.
    let run = |dt: f64| {
        let m = membrane(0.0);
        let mut model = model_of(vec![section("cable", 1000.0, 2.0, 100, m)], 0.0);
        model.injections.push(CurrentInjection {
            compartment: 0,
            waveform: CurrentWaveform::Step {
                start_ms: 0.3,
                duration_ms: 1.0,
                amplitude_na: 0.1,
            },
        });
        let mut sim = CableSimulator::new(&model, Method::CrankNicolson, dt).unwrap();
        for _ in 0..(4.0 / dt).round() as usize {
            sim.step();
        }
        sim.voltages().to_vec()
    };
    let reference = run(0.0005);
    let error = |dt: f64| {
        run(dt)
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    let (e1, e2) = (error(0.04), error(0.02));
    let order = (e1 / e2).log2();
    assert!((order - 2.0).abs() < 0.2, "order {order} ({e1}, {e2})");
}

#[test]
fn current_synapse_on_a_sphere_matches_the_closed_form() {
    // Isopotential compartment, τ_m = 20 ms; one spike at t_s into an exponential current
    // synapse (τ_s = 2 ms, peak w): V − E = w R τ_s/(τ_m − τ_s) (e^{−u/τ_m} − e^{−u/τ_s}),
    // u = t − t_s, R = 1/G_leak. Spikes between steps and exactly on step boundaries (0.15 ms
    // is 6 steps of 0.025 ms, 3 of 0.05 ms) at small and large steps: every spike delivers
    // its whole charge.
    let m = membrane(0.0);
    for (dt, spike, tolerance) in [
        (0.005, 1.013, 0.005),
        (0.025, 0.15, 0.01),
        (0.05, 0.15, 0.01),
        (0.1, 1.013, 0.02),
    ] {
        let mut model = model_of(vec![section("soma", 20.0, 20.0, 1, m)], 0.0);
        model.synapses.push(Synapse {
            compartment: 0,
            kind: SynapseKind::Current,
            weight: 0.05,
            tau_rise_ms: 0.0,
            tau_decay_ms: 2.0,
            spike_times_ms: vec![spike],
        });
        let r = 1.0 / model.discretization.tree.leak_conductances_us()[0];
        let mut sim = CableSimulator::new(&model, Method::CrankNicolson, dt).unwrap();
        let mut worst: f64 = 0.0;
        let mut peak: f64 = 0.0;
        for _ in 0..(30.0 / dt).round() as usize {
            sim.step();
            let u = sim.time_ms() - spike;
            let want = if u > 0.0 {
                0.05 * r * 2.0 / 18.0 * ((-u / 20.0).exp() - (-u / 2.0).exp())
            } else {
                0.0
            };
            peak = peak.max(want);
            worst = worst.max((sim.voltages()[0] - want).abs());
        }
        assert!(
            worst < tolerance * peak,
            "dt = {dt}, spike at {spike}: {worst} against a peak of {peak}"
        );
    }
}

#[test]
fn delta_pulses_on_step_boundaries_are_delivered_once() {
    // 0.15 ms and 0.3 ms are step boundaries up to rounding (6 × 0.025 ≠ 0.15 in binary).
    let m = membrane(0.0);
    for (dt, time) in [(0.025, 0.15), (0.05, 0.3), (0.1, 0.3)] {
        let mut model = model_of(vec![section("soma", 20.0, 20.0, 1, m)], 0.0);
        model.injections.push(CurrentInjection {
            compartment: 0,
            waveform: CurrentWaveform::Delta {
                time_ms: time,
                charge_pc: 0.01,
            },
        });
        let c = model.discretization.tree.capacitances_nf()[0];
        let mut sim = CableSimulator::new(&model, Method::BackwardEuler, dt).unwrap();
        let mut jump = 0.0;
        for _ in 0..(1.0 / dt).round() as usize {
            let before = sim.voltages()[0];
            sim.step();
            jump += (sim.voltages()[0] - before).max(0.0);
        }
        // q/C = 0.01 pC / C, less what leaks away during the step it arrives in.
        let expected = 0.01 / c;
        assert!(
            jump > 0.99 * expected && jump < 1.0001 * expected,
            "dt = {dt}, pulse at {time}: {jump} against {expected}"
        );
    }
}

#[test]
fn conductance_synapse_kernel_peaks_at_its_weight() {
    // A huge capacitance freezes V, so the synaptic current is w s(t) (E − V): its peak
    // gives the kernel's normalisation.
    let m = PassiveMembrane {
        c_m: 1e9,
        ..membrane(-70.0)
    };
    let mut model = model_of(vec![section("soma", 20.0, 20.0, 1, m)], -70.0);
    model.synapses.push(Synapse {
        compartment: 0,
        kind: SynapseKind::Conductance { reversal_mv: 0.0 },
        weight: 0.002,
        tau_rise_ms: 0.5,
        tau_decay_ms: 3.0,
        spike_times_ms: vec![0.0],
    });
    let mut state = SynapseState::new(&model.synapses[0]).unwrap();
    let mut peak: f64 = 0.0;
    let dt = 0.001;
    for k in 0..10_000 {
        state.advance(k as f64 * dt, (k + 1) as f64 * dt);
        peak = peak.max(state.value_after(0.0));
    }
    assert!(rel_err(peak, 0.002) < 1e-5, "{peak}");
}

/// A squid giant axon: radius 238 µm, R_a = 35.4 Ω·cm, 18.5 °C (Hodgkin & Huxley 1952,
/// part V), `n` compartments over 40 mm, a brief suprathreshold pulse at one end.
fn squid_axon_velocity(compartments: usize, dt_ms: f64) -> f64 {
    let m = PassiveMembrane {
        c_m: 1.0,
        r_a: 35.4,
        g_leak: 3e-4,
        e_leak: -54.3,
    };
    let length = 40_000.0;
    let mut axon = section("axon", length, 476.0, compartments, m);
    axon.hh = Some(HhChannels::default());
    let mut model = model_of(vec![axon], -65.0);
    model.temperature_celsius = 18.5;
    model.injections.push(CurrentInjection {
        compartment: 0,
        waveform: CurrentWaveform::Step {
            start_ms: 0.5,
            duration_ms: 0.2,
            amplitude_na: 2e4,
        },
    });
    let recording = Recording {
        trace_compartments: vec![
            model.discretization.locate(Location {
                section: 0,
                position: 0.25,
            }),
            model.discretization.locate(Location {
                section: 0,
                position: 0.75,
            }),
        ],
        sample_every_steps: 1,
        profile_times_ms: Vec::new(),
        spike_compartments: Vec::new(),
        spike_threshold_mv: 0.0,
    };
    let run = simulate(
        &model,
        Method::CrankNicolson,
        dt_ms,
        5.0,
        &recording,
        &mut |_, _| true,
    )
    .unwrap();
    let t1 = first_upward_crossing_ms(&run.times_ms, &run.traces_mv[0], 0.0).unwrap();
    let t2 = first_upward_crossing_ms(&run.times_ms, &run.traces_mv[1], 0.0).unwrap();
    let d = &model.discretization;
    let distance = d.distance_from_root_um[recording.trace_compartments[1]]
        - d.distance_from_root_um[recording.trace_compartments[0]];
    // µm/ms = mm/s; m/s = µm/ms / 1000
    distance / (t2 - t1) * 1e-3
}

#[test]
fn squid_axon_conducts_at_the_hodgkin_huxley_velocity() {
    // Hodgkin & Huxley (1952) computed 18.8 m/s for this axon (measured: 21.2 m/s).
    let v = squid_axon_velocity(800, 0.01);
    eprintln!("squid axon: {v} m/s");
    assert!(rel_err(v, 18.8) < 0.05, "{v} m/s");
    // and the discretisation has converged: a grid 4× finer in space and time agrees.
    let fine = squid_axon_velocity(3200, 0.0025);
    assert!(rel_err(v, fine) < 0.01, "{v} vs {fine} m/s");
}

#[test]
fn hh_axon_rests_at_minus_65() {
    let m = PassiveMembrane {
        c_m: 1.0,
        r_a: 100.0,
        g_leak: 3e-4,
        e_leak: -54.3,
    };
    let mut axon = section("axon", 500.0, 1.0, 25, m);
    axon.hh = Some(HhChannels::default());
    let model = model_of(vec![axon], -65.0);
    let mut sim = CableSimulator::new(&model, Method::CrankNicolson, 0.025).unwrap();
    for _ in 0..2000 {
        sim.step();
    }
    for v in sim.voltages() {
        assert!((v + 65.0).abs() < 0.1, "{v}");
    }
}

#[test]
fn branched_tree_discretises_and_locates() {
    let m = membrane(-65.0);
    let mut soma = section("soma", 20.0, 20.0, 1, m);
    soma.hh = Some(HhChannels::default());
    let mut dend = section("dend", 200.0, 2.0, 10, m);
    dend.parent = Some(Attachment {
        section: 0,
        position: 0.0,
    });
    let mut axon = section("axon", 300.0, 1.0, 3, m);
    axon.parent = Some(Attachment {
        section: 0,
        position: 1.0,
    });
    let morph = Morphology::new(vec![soma, dend, axon]).unwrap();
    let d = morph.discretize().unwrap();
    assert_eq!(d.len(), 14);
    assert_eq!(d.first_compartment, vec![0, 1, 11]);
    assert_eq!(d.tree.parents()[1], 0);
    assert_eq!(d.tree.parents()[11], 0);
    assert_eq!(d.tree.parents()[12], 11);
    assert_eq!(
        d.locate(Location {
            section: 1,
            position: 0.55
        }),
        6
    );
    assert_eq!(
        d.locate(Location {
            section: 2,
            position: 1.0
        }),
        13
    );
    // Path distances: the dendrite starts at the soma's start, the axon at its end.
    assert!((d.distance_from_root_um[1] - 10.0).abs() < 1e-12);
    assert!((d.distance_from_root_um[11] - 70.0).abs() < 1e-12);
    assert_eq!(d.hh.iter().filter(|h| h.is_some()).count(), 1);
    // Drawing: the axon leaves forward from the soma's end, the dendrite backward from its
    // start.
    assert!(d.segments_um[13][1][0] > 300.0);
    assert!(d.segments_um[10][1][0] < -190.0);
    // Errors name the section.
    let mut bad = section("dend", 200.0, 2.0, 0, m);
    bad.parent = Some(Attachment {
        section: 0,
        position: 0.5,
    });
    let err = Morphology::new(vec![section("soma", 20.0, 20.0, 1, m), bad]).unwrap_err();
    assert!(err.to_string().contains("`dend`"), "{err}");
}

#[test]
fn tapered_path_gives_mean_diameters() {
    let m = membrane(-65.0);
    let mut s = section("taper", 100.0, 1.0, 2, m);
    s.points = vec![
        PathPoint {
            x: 0.0,
            y: 0.0,
            z: 0.0,
            diameter_um: 4.0,
        },
        PathPoint {
            x: 60.0,
            y: 80.0,
            z: 0.0,
            diameter_um: 2.0,
        },
    ];
    let d = Morphology::new(vec![s]).unwrap().discretize().unwrap();
    let c = d.tree.compartments();
    assert!((c[0].diameter_um - 3.5).abs() < 1e-12);
    assert!((c[1].diameter_um - 2.5).abs() < 1e-12);
    assert!((d.segments_um[0][1][0] - 30.0).abs() < 1e-9);
    assert!((d.segments_um[0][1][1] - 40.0).abs() < 1e-9);
}

#[test]
fn pulse_on_a_short_cable_matches_the_method_of_images() {
    // 500 µm = λ/2: the pulse reflects from both ends many times within 10 ms.
    let m = membrane(0.0);
    let (length, n, q) = (500.0, 250, 0.005);
    let h = length / n as f64;
    for far_end in [FarEnd::Sealed, FarEnd::Killed] {
        let mut model = model_of(vec![section("cable", length, 2.0, n, m)], 0.0);
        if far_end == FarEnd::Killed {
            model.killed_ends.push(0);
        }
        model.injections.push(CurrentInjection {
            compartment: 0,
            waveform: CurrentWaveform::Delta {
                time_ms: 0.0,
                charge_pc: q,
            },
        });
        let theory = UniformCable {
            membrane: m,
            diameter_um: 2.0,
            length_um: length,
            far_end,
        };
        let dt = 0.0025;
        let mut sim = CableSimulator::new(&model, Method::CrankNicolson, dt).unwrap();
        let mut checked = 0;
        for step in 1..=(10.0 / dt) as usize {
            sim.step();
            let t = step as f64 * dt;
            if [400, 800, 4000].contains(&step) {
                let scale = theory.pulse_potential_mv(q, h / 2.0, h / 2.0, t);
                for k in [0, 50, 125, 200, 249] {
                    let x = (k as f64 + 0.5) * h;
                    let want = theory.pulse_potential_mv(q, h / 2.0, x, t);
                    let got = sim.voltages()[k];
                    assert!(
                        (got - want).abs() < 0.01 * scale,
                        "{far_end:?} t = {t} x = {x}: {got} vs {want}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 15);
    }
}

#[test]
fn closed_form_input_resistances_match_the_discrete_cable() {
    let m = membrane(-65.0);
    for far_end in [FarEnd::Sealed, FarEnd::Killed] {
        let mut model = model_of(vec![section("cable", 800.0, 2.0, 400, m)], -65.0);
        if far_end == FarEnd::Killed {
            model.killed_ends.push(0);
        }
        let theory = UniformCable {
            membrane: m,
            diameter_um: 2.0,
            length_um: 800.0,
            far_end,
        };
        let simulated = input_resistance_mohm(&model, 0).unwrap();
        assert!(
            rel_err(simulated, theory.input_resistance_mohm()) < 3e-3,
            "{far_end:?}: {simulated} vs {}",
            theory.input_resistance_mohm()
        );
    }
}

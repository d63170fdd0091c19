//! Time for the two cable workloads of the NEURON comparison (bench/compare_cables.py), in
//! the library without file reading or output:
//!
//! - a passive sealed cable, 1000 µm × 1 µm, 1001 compartments, R_a = 100 Ω·cm,
//!   c_m = 1 µF/cm², g_leak = 0.1 mS/cm², a constant 10 pA at one end, 100 ms at dt = 0.025 ms;
//! - a branched cell: HH soma (20 × 20 µm) and HH axon (1000 µm × 1 µm, 201 compartments),
//!   two passive primary dendrites (200 µm × 2 µm, 21 compartments) each with two children
//!   (150 µm × 1 µm, 15 compartments), 0.3 nA into the soma from 5 ms, 100 ms at dt = 0.025 ms.
//!
//! Run with `cargo bench -p cajal --bench cable`; under `cargo test --all-targets` (no
//! `--bench` argument) it does nothing.

use std::hint::black_box;
use std::time::Instant;

use cajal::cable::{
    Attachment, CableModel, CurrentInjection, CurrentWaveform, HhChannels, Method, Morphology,
    PassiveMembrane, Recording, Section, simulate,
};

fn section(
    name: &str,
    parent: Option<(usize, f64)>,
    length: f64,
    diameter: f64,
    n: usize,
    hh: bool,
) -> Section {
    let membrane = if hh {
        PassiveMembrane {
            c_m: 1.0,
            r_a: 100.0,
            g_leak: 3e-4,
            e_leak: -54.3,
        }
    } else {
        PassiveMembrane {
            c_m: 1.0,
            r_a: 100.0,
            g_leak: 1e-4,
            e_leak: -65.0,
        }
    };
    Section {
        name: name.into(),
        parent: parent.map(|(section, position)| Attachment { section, position }),
        length_um: length,
        diameter_um: diameter,
        points: Vec::new(),
        compartments: n,
        membrane,
        hh: hh.then(HhChannels::default),
    }
}

fn passive_cable() -> CableModel {
    let mut cable = section("cable", None, 1000.0, 1.0, 1001, false);
    cable.membrane.e_leak = 0.0;
    CableModel {
        discretization: Morphology::new(vec![cable]).unwrap().discretize().unwrap(),
        temperature_celsius: 6.3,
        initial_mv: 0.0,
        killed_ends: Vec::new(),
        injections: vec![CurrentInjection {
            compartment: 0,
            waveform: CurrentWaveform::Step {
                start_ms: 0.0,
                duration_ms: f64::INFINITY,
                amplitude_na: 0.01,
            },
        }],
        synapses: Vec::new(),
    }
}

fn branched_cell() -> CableModel {
    let mut sections = vec![
        section("soma", None, 20.0, 20.0, 1, true),
        section("axon", Some((0, 1.0)), 1000.0, 1.0, 201, true),
    ];
    for d in 0..2 {
        let primary = sections.len();
        sections.push(section(
            &format!("dend{d}"),
            Some((0, 0.0)),
            200.0,
            2.0,
            21,
            false,
        ));
        for c in 0..2 {
            sections.push(section(
                &format!("dend{d}_{c}"),
                Some((primary, 1.0)),
                150.0,
                1.0,
                15,
                false,
            ));
        }
    }
    CableModel {
        discretization: Morphology::new(sections).unwrap().discretize().unwrap(),
        temperature_celsius: 6.3,
        initial_mv: -65.0,
        killed_ends: Vec::new(),
        injections: vec![CurrentInjection {
            compartment: 0,
            waveform: CurrentWaveform::Step {
                start_ms: 5.0,
                duration_ms: f64::INFINITY,
                amplitude_na: 0.3,
            },
        }],
        synapses: Vec::new(),
    }
}

fn time(label: &str, model: &CableModel, method: Method) {
    let recording = Recording {
        trace_compartments: vec![0, model.discretization.len() / 2],
        sample_every_steps: 4,
        profile_times_ms: Vec::new(),
        spike_compartments: vec![0],
        spike_threshold_mv: 0.0,
    };
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let run = simulate(
            black_box(model),
            method,
            0.025,
            100.0,
            &recording,
            &mut |_, _| true,
        )
        .unwrap();
        best = best.min(start.elapsed().as_secs_f64());
        black_box(run);
    }
    println!("{label:<40} {method:?}: {:.2} ms (best of 5)", best * 1e3);
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let passive = passive_cable();
    time(
        "passive cable, 1001 compartments",
        &passive,
        Method::BackwardEuler,
    );
    time(
        "passive cable, 1001 compartments",
        &passive,
        Method::CrankNicolson,
    );
    let cell = branched_cell();
    time(
        &format!(
            "branched HH cell, {} compartments",
            cell.discretization.len()
        ),
        &cell,
        Method::BackwardEuler,
    );
    time(
        &format!(
            "branched HH cell, {} compartments",
            cell.discretization.len()
        ),
        &cell,
        Method::CrankNicolson,
    );
}

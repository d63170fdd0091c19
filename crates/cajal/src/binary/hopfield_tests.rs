//! Retrieval and capacity of the Hopfield network run by the binary simulator, end to end
//! from a model file: patterns, the Hopfield rule, a cued initial state and the recorded
//! overlaps (the connect::patterns tests check the same with an update loop of their own).

use std::path::Path;

use super::BinaryNetwork;
use crate::engine::Control;
use crate::spec::{Source, read_model};

/// The final overlap with the cued pattern of N = 1000 spin neurons storing `patterns`
/// random patterns, started from pattern `cued` with 10% of the bits flipped, after 10 τ.
fn final_overlap(patterns: usize, cued: usize) -> f64 {
    let text = format!(
        r#"
        [simulation]
        duration = "100 ms"
        dt = "1 ms"
        seed = 11
        update = "asynchronous"
        [population.memory]
        model = "binary"
        size = 1000
        states = "spin"
        tau = "10 ms"
        threshold = 0.0
        patterns = {{ count = {patterns}, coding_level = 0.5 }}
        initial = {{ pattern = {cued}, flip = 0.1 }}
        [[projection]]
        source = "memory"
        target = "memory"
        rule = "patterns"
        learning = "hopfield"
        weight = 1.0
        "#
    );
    let spec = read_model(Source::new("hopfield.toml", text), Path::new(".")).unwrap();
    let results = BinaryNetwork::build(&spec)
        .unwrap()
        .run(u64::MAX, |_| Control::Continue);
    let (population, series) = &results.overlaps[0];
    assert_eq!(*population, 0);
    assert_eq!(series.patterns, patterns);
    // 101 samples: t = 0 (the cue itself) and the end of every step.
    assert_eq!(series.bin_start_ms.len(), 101);
    assert!(
        (series.bin(0)[cued] - 0.8).abs() < 1e-12,
        "a 10% flip starts at m = 0.8"
    );
    series.bin(100)[cued]
}

#[test]
fn retrieves_below_capacity_and_fails_above_it() {
    // Amit, Gutfreund & Sompolinsky (1985): retrieval states exist up to α_c ≈ 0.138, with
    // overlap ≈ 0.97 just below it and ≈ 1 at α = 0.05; far above (α = 0.25) a cue relaxes
    // to a spin-glass state of small overlap.
    let below: Vec<f64> = (0..8).map(|cued| final_overlap(50, cued)).collect();
    assert!(below.iter().all(|&m| m > 0.95), "α = 0.05: {below:?}");
    let above: Vec<f64> = (0..8).map(|cued| final_overlap(250, cued)).collect();
    let mean = above.iter().sum::<f64>() / above.len() as f64;
    assert!(mean < 0.6, "α = 0.25: {above:?}");
    assert!(
        above.iter().filter(|&&m| m < 0.8).count() >= 7,
        "α = 0.25: {above:?}"
    );
}

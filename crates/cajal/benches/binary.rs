//! Asynchronous updates per second of the balanced binary E–I network of van Vreeswijk &
//! Sompolinsky (1998): N/2 excitatory and N/2 inhibitory neurons, K inputs from each
//! population (fixed in-degree), couplings J/√K, external √K·E·m0 with m0 = 0.1, thresholds
//! θ_E = 1, θ_I = 0.7, τ_E = 10 ms, τ_I = 9 ms; the population activity of E recorded in
//! 10 ms bins, nothing else. About 3·10⁷ updates per network, the build not counted.
//!
//! Measured on 2 shared cores of an Intel Xeon VM (2026-11-27; best of 3 runs per
//! invocation, updates per CPU-second of the simulating thread, several invocations, the
//! loop before the one for shared parameters (commit 9cac3f6) run alternately, in brackets):
//! N = 10⁴, K = 100: 53–61 M/s when the machine is quiet (39–51), 36–49 M/s while other
//! machines on the host load it (30–41); N = 10⁴, K = 1000: 5–8 M/s, as before (the
//! flips' scatter-add is most of it); N = 10⁵, K = 100: 23–35 M/s (17–29). In every round
//! the new loop ran 1.25–1.4 times as many updates at K = 100. With heterogeneous inhibitory
//! thresholds (`CAJAL_BENCH_HETEROGENEOUS=1`, the general loop) 25–29 M/s. Instructions per
//! update at K = 100 (callgrind): 133 (previously 198), of which 53 in the flips. About 6 %
//! (K = 100) and 8.5 % (K = 1000) of updates flip a neuron, and each flip adds to 2K counts
//! at random places: at K = 100 the flips take about half of the time.
//!
//! Run with `cargo bench -p cajal --bench binary`, or `… -- 10000x100` (N×K, any) for one case;
//! under `cargo test --all-targets` (no `--bench` argument) it does nothing.
//! `CAJAL_BENCH_LARGE=1` adds N = 10⁵, K = 1000 (2·10⁸ synapses, about 0.5 GB);
//! `CAJAL_BENCH_UPDATES` sets the updates per network (3·10⁷).

use std::path::Path;
use std::time::Instant;

use cajal::binary::BinaryNetwork;
use cajal::engine::Control;
use cajal::spec::{Source, read_model};

fn model(neurons: usize, k: usize, updates: f64, heterogeneous: bool) -> String {
    let s = (k as f64).sqrt();
    // Thresholds of the inhibitory neurons spread around 0.7 run the general loop.
    let threshold_i = if heterogeneous {
        "{ distribution = \"uniform\", low = 0.6, high = 0.8 }"
    } else {
        "0.7"
    };
    let half = neurons / 2;
    let rate = half as f64 / 10.0 + half as f64 / 9.0;
    let duration = (updates / rate / 10.0).ceil() * 10.0;
    let mut text = format!(
        "[simulation]\nduration = \"{duration} ms\"\ndt = \"1 ms\"\nseed = 1\n\
         [population.E]\nmodel = \"binary\"\nsize = {half}\ntau = \"10 ms\"\nthreshold = 1\n\
         initial_active = 0.1\n\
         [population.I]\nmodel = \"binary\"\nsize = {half}\ntau = \"9 ms\"\nthreshold = {threshold_i}\n\
         initial_active = 0.1\n\
         [[input]]\ntarget = \"E\"\nkind = \"constant\"\namplitude = {}\n\
         [[input]]\ntarget = \"I\"\nkind = \"constant\"\namplitude = {}\n\
         [[record]]\nkind = \"activity\"\npopulation = \"E\"\nbin = \"10 ms\"\n",
        s * 0.1,
        s * 0.08
    );
    for (source, target, j) in [
        ("E", "E", 1.0),
        ("I", "E", -2.0),
        ("E", "I", 1.0),
        ("I", "I", -1.8),
    ] {
        text += &format!(
            "[[projection]]\nsource = \"{source}\"\ntarget = \"{target}\"\nrule = \"fixed_indegree\"\n\
             indegree = {k}\nweight = {}\n",
            j / s
        );
    }
    text
}

/// CPU time of this thread so far (s), from the kernel's scheduler statistics (Linux): the
/// machine is shared, so updates per CPU-second are steadier than per wall-clock second.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds * 1e-9)
}

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    let mut cases = vec![(10_000, 100), (10_000, 1000), (100_000, 100)];
    if std::env::var_os("CAJAL_BENCH_LARGE").is_some() {
        cases.push((100_000, 1000));
    }
    // Arguments such as `10000x100` (N×K) run those cases instead (to profile one of them).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with('-'))
        .collect();
    if !only.is_empty() {
        cases = only
            .iter()
            .filter_map(|case| {
                let (neurons, k) = case.split_once('x')?;
                Some((neurons.parse().ok()?, k.parse().ok()?))
            })
            .collect();
    }
    // `CAJAL_BENCH_UPDATES` sets the updates per network (short runs for instruction counts
    // under valgrind).
    let updates = std::env::var("CAJAL_BENCH_UPDATES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(3e7);
    // `CAJAL_BENCH_HETEROGENEOUS` gives the inhibitory neurons thresholds of their own (the
    // general update loop rather than the one for shared parameters).
    let heterogeneous = std::env::var_os("CAJAL_BENCH_HETEROGENEOUS").is_some();
    for (neurons, k) in cases {
        let text = model(neurons, k, updates, heterogeneous);
        let spec = read_model(Source::new("bench.toml", text), Path::new(".")).expect("valid");
        let mut runs = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            let network = BinaryNetwork::build(&spec).expect("builds");
            let build_s = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let cpu_started = thread_cpu_seconds();
            let results = network.run(u64::MAX, |_| Control::Continue);
            let seconds = started.elapsed().as_secs_f64();
            let cpu_seconds = thread_cpu_seconds()
                .zip(cpu_started)
                .map_or(f64::NAN, |(end, start)| end - start);
            let flips: u64 = results.populations.iter().map(|p| p.up_transitions).sum();
            runs.push((
                results.updates as f64 / seconds,
                results.updates as f64 / cpu_seconds,
                build_s,
                results.populations[0].mean_activity,
                flips as f64 * 2.0 / results.updates as f64,
            ));
        }
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (rate, _, build_s, m_e, flip_fraction) = runs[1];
        let best_cpu = runs.iter().map(|run| run.1).fold(f64::NAN, f64::max);
        println!(
            "N = {neurons}, K = {k}: median {:.1} M updates/s (min {:.1}, max {:.1}); \
             best {:.1} M updates per CPU-second; build {build_s:.2} s; \
             m_E = {m_e:.4}; {:.1} % of updates flip the neuron",
            rate / 1e6,
            runs[0].0 / 1e6,
            runs[2].0 / 1e6,
            best_cpu / 1e6,
            100.0 * flip_fraction
        );
    }
}

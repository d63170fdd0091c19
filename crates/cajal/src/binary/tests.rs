//! The binary simulator against closed forms, a hand-computed sequence, and the balance
//! theory; the model-file errors of binary networks.

use std::path::Path;

use super::*;
use crate::engine::{BuildError, Simulation};
use crate::spec::{Source, read_model};
use crate::theory::balance::BalanceModel;

fn spec(text: &str) -> ModelSpec {
    read_model(Source::new("model.toml", text), Path::new("."))
        .unwrap_or_else(|error| panic!("{error}"))
}

fn error(text: &str) -> String {
    match read_model(Source::new("model.toml", text), Path::new(".")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

fn run(text: &str) -> BinaryResults {
    BinaryNetwork::build(&spec(text))
        .unwrap()
        .run(1000, |_| Control::Continue)
}

use crate::spec::model::ModelSpec;

/// One neuron with Glauber dynamics at fixed field h: every update draws its state afresh,
/// active with p = 1/(1 + e^(−(h − T)/temperature)), so the time average over M updates is
/// a mean of M independent Bernoulli(p) states (each held for exactly 1/R): standard error
/// √(p(1 − p)/M).
#[test]
fn glauber_neuron_is_active_for_the_logistic_fraction_of_time() {
    for (states, low) in [("01", 0.0), ("spin", -1.0)] {
        let (h, threshold, temperature): (f64, f64, f64) = (0.3, 0.1, 0.25);
        let results = run(&format!(
            "[simulation]\nduration = \"200000 ms\"\ndt = \"1 ms\"\n\
             [population.n]\nmodel = \"binary\"\nstates = \"{states}\"\ntau = \"1 ms\"\n\
             threshold = {threshold}\ntemperature = {temperature}\n\
             [[input]]\ntarget = \"n\"\nkind = \"constant\"\namplitude = {h}\n\
             [[record]]\nkind = \"activity\"\npopulation = \"n\"\nbin = \"1000 ms\"\n"
        ));
        let p = 1.0 / (1.0 + (-(h - threshold) / temperature).exp());
        let updates: f64 = 200_000.0;
        assert_eq!(results.updates, 200_000);
        let error = (p * (1.0 - p) / updates).sqrt();
        let fraction = (results.populations[0].mean_activity - low) / (1.0 - low);
        assert!(
            (fraction - p).abs() < 4.0 * error,
            "{states}: {fraction} vs {p} ± {error}"
        );
        // The per-neuron average and the binned activity say the same.
        assert_eq!(
            results.populations[0].neuron_activity[0],
            results.populations[0].mean_activity
        );
        let binned = &results.activity[0].mean_activity;
        assert_eq!(binned.len(), 200);
        let mean = binned.iter().sum::<f64>() / binned.len() as f64;
        assert!((mean - results.populations[0].mean_activity).abs() < 1e-12);
    }
}

/// Two neurons, a excites b (+1), b inhibits a (−1); a gets +0.5, b gets −0.5; thresholds 0
/// (h = T counts as active); both start inactive. By hand, synchronous steps give
/// (a, b) = (0,0) → (1,0) → (1,1) → (0,1) → (0,0) → …: a cycle of 4 steps.
#[test]
fn synchronous_pair_follows_the_sequence_computed_by_hand() {
    let results = run(
        "[simulation]\nduration = \"12 ms\"\ndt = \"1 ms\"\nupdate = \"synchronous\"\n\
         [population.a]\nmodel = \"binary\"\n\
         [population.b]\nmodel = \"binary\"\n\
         [[projection]]\nsource = \"a\"\ntarget = \"b\"\nrule = \"one_to_one\"\nweight = 1\n\
         [[projection]]\nsource = \"b\"\ntarget = \"a\"\nrule = \"one_to_one\"\nweight = -1\n\
         [[input]]\ntarget = \"a\"\nkind = \"constant\"\namplitude = 0.5\n\
         [[input]]\ntarget = \"b\"\nkind = \"constant\"\namplitude = -0.5\n\
         [[record]]\nkind = \"spikes\"\npopulation = \"a\"\n\
         [[record]]\nkind = \"spikes\"\npopulation = \"b\"\n\
         [[record]]\nkind = \"trace\"\npopulation = \"a\"\nvariables = [\"state\", \"input\"]\n\
         [[record]]\nkind = \"trace\"\npopulation = \"b\"\nvariables = [\"state\"]\n",
    );
    let times =
        |k: usize| -> Vec<f64> { results.spikes[k].spikes.iter().map(|s| s.time_ms).collect() };
    // Step s's new state holds from (s + 1)·dt: a rises in steps 0, 4, 8; b in 1, 5, 9.
    assert_eq!(times(0), vec![1.0, 5.0, 9.0]);
    assert_eq!(times(1), vec![2.0, 6.0, 10.0]);
    let a = results.traces[0].series(0, 0);
    let b = results.traces[1].series(0, 0);
    assert_eq!(&a[..9], &[0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    assert_eq!(&b[..9], &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
    // h_a = 0.5 − S_b.
    let h = results.traces[0].series(1, 0);
    assert_eq!(&h[..5], &[0.5, 0.5, -0.5, -0.5, 0.5]);
    // Each neuron is active half the time.
    assert_eq!(results.populations[0].mean_activity, 0.5);
    assert_eq!(results.populations[1].neuron_activity, vec![0.5]);
}

/// At infinite temperature every update sets a neuron active with probability ½ whatever
/// its field, so in the stationary state an update is an up-transition with probability ¼.
/// Population k updates N_k/τ_k times per ms, so its up-transitions over a time D number
/// D·N_k/(4τ_k), with a binomial standard deviation of about √(that·¾).
#[test]
fn asynchronous_updates_come_at_rate_one_over_tau_per_neuron() {
    let duration: f64 = 2000.0;
    let results = run(&format!(
        "[simulation]\nduration = \"{duration} ms\"\n\
         [population.slow]\nmodel = \"binary\"\nsize = 300\ntau = \"10 ms\"\n\
         temperature = 1e12\ninitial_active = 0.5\n\
         [population.fast]\nmodel = \"binary\"\nsize = 100\ntau = \"2.5 ms\"\n\
         temperature = 1e12\ninitial_active = 0.5\n"
    ));
    let rate = 300.0 / 10.0 + 100.0 / 2.5;
    assert_eq!(results.updates, (duration * rate) as u64);
    for (k, (size, tau)) in [(300.0_f64, 10.0_f64), (100.0, 2.5)]
        .into_iter()
        .enumerate()
    {
        let expected = duration * size / tau / 4.0;
        let found = results.populations[k].up_transitions as f64;
        let sd = (expected * 0.75).sqrt();
        assert!(
            (found - expected).abs() < 4.0 * sd,
            "population {k}: {found} vs {expected} ± {sd}"
        );
    }
}

/// Thresholds drawn uniformly per neuron, a field of 0.3, no coupling: once every neuron has
/// updated (after 30 τ all but a fraction e^−30 have), exactly those with T ≤ 0.3 are active.
#[test]
fn heterogeneous_thresholds_decide_each_neuron() {
    let model = spec(
        "[simulation]\nduration = \"300 ms\"\nseed = 3\n\
         [population.p]\nmodel = \"binary\"\nsize = 2000\n\
         threshold = { distribution = \"uniform\", low = 0, high = 1 }\n\
         [[input]]\ntarget = \"p\"\nkind = \"constant\"\namplitude = 0.3\n",
    );
    let network = BinaryNetwork::build(&model).unwrap();
    let expected: Vec<bool> = network.thresholds.iter().map(|&t| t <= 0.3).collect();
    let below = expected.iter().filter(|&&b| b).count() as f64 / 2000.0;
    // The draws themselves: uniform, so about 30 % (binomial sd 1 %).
    assert!((below - 0.3).abs() < 0.04, "{below}");
    let mut network = network;
    let steps = network.steps;
    for step in 0..steps {
        network.advance(step, &update::Clock::new(&network));
    }
    assert_eq!(network.active(), expected);
}

fn balanced_network(k: usize, n: usize, m0: f64, thresholds: (f64, f64), seed: u64) -> String {
    let s = (k as f64).sqrt();
    format!(
        "[simulation]\nduration = \"300 ms\"\ndt = \"1 ms\"\nseed = {seed}\n\
         [population.E]\nmodel = \"binary\"\nsize = {n}\ntau = \"10 ms\"\nthreshold = {}\n\
         initial_active = {m0}\n\
         [population.I]\nmodel = \"binary\"\nsize = {n}\ntau = \"9 ms\"\nthreshold = {}\n\
         initial_active = {m0}\n\
         [[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"fixed_indegree\"\nindegree = {k}\nweight = {}\n\
         [[projection]]\nsource = \"I\"\ntarget = \"E\"\nrule = \"fixed_indegree\"\nindegree = {k}\nweight = {}\n\
         [[projection]]\nsource = \"E\"\ntarget = \"I\"\nrule = \"fixed_indegree\"\nindegree = {k}\nweight = {}\n\
         [[projection]]\nsource = \"I\"\ntarget = \"I\"\nrule = \"fixed_indegree\"\nindegree = {k}\nweight = {}\n\
         [[input]]\ntarget = \"E\"\nkind = \"constant\"\namplitude = {}\n\
         [[input]]\ntarget = \"I\"\nkind = \"constant\"\namplitude = {}\n\
         [[record]]\nkind = \"activity\"\npopulation = \"E\"\n",
        thresholds.0,
        thresholds.1,
        1.0 / s,
        -2.0 / s,
        1.0 / s,
        -1.8 / s,
        s * m0,
        s * 0.8 * m0
    )
}

/// The test: the rates of the VS network (J_EE = J_IE = 1, J_EI = −2, J_II = −1.8,
/// E = 1, I = 0.8, all over √K; external √K·E·m0) at K = 1000 against the balance equations,
/// which give m_E = m_I = m0. With m0 = 0.3 and thresholds 1 the finite-K mean field lies
/// 5 % above balance for E and 0.2 % below for I, so the 10 % tolerance leaves about 5 % for
/// the simulation's own error (fluctuations of the population mean over 250 ms of 4000
/// neurons: well below 1 %), and the mean field itself is met within 3 %.
#[test]
fn balanced_network_rates_match_the_balance_equations_at_large_k() {
    let model = spec(&balanced_network(1000, 4000, 0.3, (1.0, 1.0), 1));
    let theory = BalanceModel::from_spec(&model).unwrap();
    let balance = theory.balance_rates().unwrap();
    assert!((balance[0] - 0.3).abs() < 1e-12 && (balance[1] - 0.3).abs() < 1e-12);
    let mean_field = theory.mean_field_rates(&balance).unwrap();
    let mut network = BinaryNetwork::build(&model).unwrap();
    network.set_transient_ms(50.0);
    let results = network.run(100, |_| Control::Continue);
    for k in 0..2 {
        let simulated = results.populations[k].mean_activity;
        let to_balance = (simulated - balance[k]).abs() / balance[k];
        let to_mean_field = (simulated - mean_field[k]).abs() / mean_field[k];
        assert!(
            to_balance < 0.10,
            "population {k}: {simulated} vs balance {}",
            balance[k]
        );
        assert!(
            to_mean_field < 0.03,
            "population {k}: {simulated} vs mean field {}",
            mean_field[k]
        );
    }
}

/// VS's own thresholds (θ_E = 1, θ_I = 0.7) and m0 = 0.1 at K = 1000: the finite-K mean
/// field lies 42 % (E) and 22 % (I) below the balance solution, and the simulation follows the
/// mean field, not the large-K limit.
#[test]
fn finite_k_mean_field_is_closer_than_balance_for_the_van_vreeswijk_thresholds() {
    let model = spec(&balanced_network(1000, 4000, 0.1, (1.0, 0.7), 2));
    let theory = BalanceModel::from_spec(&model).unwrap();
    let balance = theory.balance_rates().unwrap();
    let mean_field = theory.mean_field_rates(&balance).unwrap();
    let mut network = BinaryNetwork::build(&model).unwrap();
    network.set_transient_ms(50.0);
    let results = network.run(100, |_| Control::Continue);
    for k in 0..2 {
        let simulated = results.populations[k].mean_activity;
        assert!((simulated - mean_field[k]).abs() < 0.1 * mean_field[k]);
        assert!((simulated - mean_field[k]).abs() < 0.5 * (simulated - balance[k]).abs());
    }
}

#[test]
fn the_same_seed_gives_identical_results_and_another_seed_does_not() {
    let text = |seed| balanced_network(100, 500, 0.1, (1.0, 0.7), seed);
    let a = run(&text(5));
    let b = run(&text(5));
    let c = run(&text(6));
    assert_eq!(a.activity, b.activity);
    assert_eq!(a.populations, b.populations);
    assert_ne!(a.populations, c.populations);
}

const HEAD: &str =
    "[simulation]\nduration = \"100 ms\"\n[population.b]\nmodel = \"binary\"\nsize = 10\n";

#[test]
fn binary_projections_refuse_delays_and_kernels() {
    let projection =
        "[[projection]]\nsource = \"b\"\ntarget = \"b\"\nrule = \"all_to_all\"\nweight = 0.1\n";
    let message = error(&format!("{HEAD}{projection}delay = \"1 ms\"\n"));
    assert!(message.contains("projection[0].delay"), "{message}");
    assert!(
        message.contains("a binary network's time is its update order"),
        "{message}"
    );
    let message = error(&format!(
        "{HEAD}{projection}synapse = \"exponential\"\ntime_constant = \"5 ms\"\n"
    ));
    assert!(message.contains("projection[0].synapse"), "{message}");
    // Weights are pure numbers.
    let message = error(&format!(
        "{HEAD}[[projection]]\nsource = \"b\"\ntarget = \"b\"\nrule = \"all_to_all\"\nweight = \"1 mV\"\n"
    ));
    assert!(message.contains("weight"), "{message}");
}

#[test]
fn binary_projections_refuse_a_delay_column() {
    let path = std::env::temp_dir().join(format!("cajal-binary-list-{}.csv", std::process::id()));
    std::fs::write(&path, "source,target,weight,delay_ms\n0,1,0.5,1.0\n").unwrap();
    let message = error(&format!(
        "{HEAD}[[projection]]\nsource = \"b\"\ntarget = \"b\"\nrule = \"from_file\"\nfile = \"{}\"\n",
        path.display()
    ));
    let _ = std::fs::remove_file(&path);
    assert!(message.contains("delay column"), "{message}");
    assert!(message.contains("update order"), "{message}");
}

#[test]
fn binary_inputs_are_constant_or_steps() {
    for kind in [
        "white_noise\nstd = 1",
        "poisson\nrate = \"10 Hz\"\nweight = 1",
    ] {
        let message = error(&format!(
            "{HEAD}[[input]]\ntarget = \"b\"\nkind = \"{}\n",
            kind.replacen('\n', "\"\n", 1)
        ));
        assert!(message.contains("input[0].kind"), "{message}");
        assert!(message.contains("is binary"), "{message}");
    }
    let message = error(&format!(
        "{HEAD}[[input]]\ntarget = \"b\"\nkind = \"constant\"\namplitude = \"1 pA\"\n"
    ));
    assert!(message.contains("amplitude"), "{message}");
}

#[test]
fn binary_and_other_populations_do_not_mix() {
    let message = error(&format!("{HEAD}[population.l]\nmodel = \"lif\"\n"));
    assert!(message.contains("population.l.model"), "{message}");
    assert!(message.contains("all binary"), "{message}");
}

#[test]
fn update_is_for_binary_models_only() {
    let message = error(
        "[simulation]\nduration = \"100 ms\"\nupdate = \"synchronous\"\n[population.l]\nmodel = \"lif\"\n",
    );
    assert!(message.contains("simulation.update"), "{message}");
    let message = error(
        "[simulation]\nduration = \"100 ms\"\nupdate = \"sometimes\"\n[population.b]\nmodel = \"binary\"\n",
    );
    assert!(message.contains("asynchronous"), "{message}");
}

#[test]
fn binary_parameters_are_checked() {
    let message = error(&format!("{HEAD}initial_active = 1.5\n"));
    assert!(message.contains("initial_active"), "{message}");
    let message = error(&format!("{HEAD}temperature = -1\n"));
    assert!(message.contains("temperature"), "{message}");
    let message = error(&format!(
        "{HEAD}tau = {{ distribution = \"uniform\", low = \"5 ms\", high = \"10 ms\" }}\n"
    ));
    assert!(message.contains("cannot vary"), "{message}");
    let message = error(&format!("{HEAD}states = \"ternary\"\n"));
    assert!(message.contains("spin"), "{message}");
}

#[test]
fn the_spiking_engine_refuses_a_binary_model() {
    let model = spec(HEAD);
    match Simulation::build(&model, 1) {
        Err(BuildError::Parameter {
            population,
            message,
        }) => {
            assert_eq!(population, "b");
            assert!(message.contains("cajal::binary"), "{message}");
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("built"),
    }
}

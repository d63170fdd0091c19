"""STDP network benchmark: cajal against NEST's stdp_synapse on the same machine, in one run.

The network (bench/models/stdp_network.toml): 8000 E + 2000 I iaf_psc_delta-like LIF
neurons (tau_m 20 ms, theta 20 mV, V_r 10 mV, t_ref 2 ms, V(0) = 0), every neuron receiving
1000 plastic excitatory synapses from E (fixed in-degree, multapses and autapses allowed,
initial weight 0.1 mV, delay 1.5 ms) — 10^7 plastic synapses — and 250 static inhibitory
synapses from I (-0.8 mV), plus independent Poisson drive (15 kHz of 0.1 mV jumps): about
8 Hz, a few spikes per second as in cortex, so the plastic events dominate.

Plasticity: additive pair STDP, all-to-all, tau_plus = tau_minus = 20 ms, a_plus = 0.005,
a_minus = 0.00525, w in [0, 0.3 mV]. In NEST: stdp_synapse with mu_plus = mu_minus = 0,
lambda = 0.005, alpha = 1.05, Wmax = 0.3, tau_plus = 20 ms and the neurons' tau_minus =
20 ms. NEST counts the delay as dendritic (dt = t_post + d - t_pre), cajal as axonal
(dt = t_post - t_pre - d): the same model up to a shift of 2d in the window, so rates and
mean weights are comparable but not spike for spike.

    bench/.venv/bin/python bench/compare_stdp.py [--sim-time 1000] [--threads 1]
        [--only cajal,nest] [--cajal target/release/cajal]

Prints one JSON line per simulator and a markdown table; appends the lines to
bench/results/results.jsonl.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(HERE, "models", "stdp_network.toml")
RESULTS = os.path.join(HERE, "results", "results.jsonl")

NE, NI, CE, CI = 8000, 2000, 1000, 250
J, J_I, W_MAX, DELAY = 0.1, -0.8, 0.3, 1.5
NU_EXT = 15000.0  # Hz of 0.1 mV jumps per neuron
TAU_PLUS = TAU_MINUS = 20.0
A_PLUS, A_MINUS = 0.005, 0.00525


def run_nest(sim_ms, threads, seed=12345):
    t_import = time.perf_counter()
    import nest
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR
    except Exception:
        nest.set_verbosity("M_ERROR")
    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads,
                          "rng_seed": seed, "print_time": False})
    params = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0,
              "V_m": 0.0, "V_th": 20.0, "tau_minus": TAU_MINUS}
    e = nest.Create("iaf_psc_delta", NE, params=params)
    i = nest.Create("iaf_psc_delta", NI, params=params)
    noise = nest.Create("poisson_generator", params={"rate": NU_EXT})
    recorder = nest.Create("spike_recorder")
    nest.Connect(noise, e + i, syn_spec={"weight": J, "delay": 0.1})
    nest.Connect(e + i, recorder)
    stdp = {"synapse_model": "stdp_synapse", "weight": J, "delay": DELAY, "Wmax": W_MAX,
            "lambda": A_PLUS, "alpha": A_MINUS / A_PLUS, "mu_plus": 0.0, "mu_minus": 0.0,
            "tau_plus": TAU_PLUS}
    nest.Connect(e, e + i, {"rule": "fixed_indegree", "indegree": CE}, stdp)
    nest.Connect(i, e + i, {"rule": "fixed_indegree", "indegree": CI},
                 {"weight": J_I, "delay": DELAY})
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    nest.Simulate(sim_ms)
    sim = time.perf_counter() - t1
    print(f"nest: build {build:.1f} s, simulate {sim:.1f} s", file=sys.stderr, flush=True)
    spikes = recorder.get("n_events")
    # Reading all 10^7 weights back through PyNEST takes longer than the simulation: the
    # mean is taken over the synapses of the first 200 excitatory neurons (2·10^5).
    weights = nest.GetConnections(e[:200], e + i, synapse_model="stdp_synapse").get("weight")
    mean_weight = sum(weights) / len(weights)
    return {"sim": "nest", "version": nest.__version__, "threads": threads,
            "sim_ms": sim_ms, "build_s": build, "sim_s": sim,
            "import_s": t0 - t_import, "n_spikes": spikes,
            "rate_hz": spikes / (NE + NI) / (sim_ms / 1000.0),
            "plastic_synapses": NE * CE + NI * CE, "mean_weight_mV": mean_weight}


def run_cajal(binary, sim_ms, threads):
    with open(MODEL) as f:
        text = f.read()
    text = re.sub(r'duration = "[^"]*"', f'duration = "{sim_ms} ms"', text, count=1)
    with tempfile.TemporaryDirectory() as out:
        model = os.path.join(out, "stdp_network.toml")
        with open(model, "w") as f:
            f.write(text)
        started = time.perf_counter()
        subprocess.run([binary, "run", model, "-o", os.path.join(out, "run"), "--quiet",
                        "-j", str(threads)], check=True, capture_output=True)
        wall = time.perf_counter() - started
        with open(os.path.join(out, "run", "summary.json")) as f:
            summary = json.load(f)
    spikes = sum(p["spike_count"] for p in summary["populations"].values())
    plastic = summary["plastic_projections"]
    synapses = sum(p["synapses"] for p in plastic)
    mean_weight = sum(p["mean_weight"] * p["synapses"] for p in plastic) / synapses
    return {"sim": "cajal", "threads": threads, "sim_ms": sim_ms,
            "build_s": summary["build_seconds"], "sim_s": summary["simulate_seconds"],
            "wall_s": wall, "n_spikes": spikes,
            "rate_hz": spikes / (NE + NI) / (sim_ms / 1000.0),
            "plastic_synapses": synapses, "mean_weight_mV": mean_weight}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim-time", type=float, default=10000.0, help="ms")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="cajal,nest")
    ap.add_argument("--cajal", default=os.path.join(ROOT, "target", "release", "cajal"))
    args = ap.parse_args()
    rows = []
    for which in args.only.split(","):
        if which == "cajal":
            row = run_cajal(args.cajal, args.sim_time, args.threads)
        elif which == "nest":
            row = run_nest(args.sim_time, args.threads)
        else:
            sys.exit(f"unknown simulator {which}")
        row.update(workload="stdp_network", load_average=os.getloadavg()[0])
        print(json.dumps(row), flush=True)
        rows.append(row)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "a") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    print("\n| simulator | threads | bio time | build (s) | simulate (s) | rate (Hz) | mean final weight (mV) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['sim']} | {r['threads']} | {r['sim_ms']:.0f} ms | {r['build_s']:.1f} | "
              f"{r['sim_s']:.1f} | {r['rate_hz']:.2f} | {r['mean_weight_mV']:.4f} |")
    by = {r["sim"]: r for r in rows}
    if "cajal" in by and "nest" in by:
        print(f"\nNEST / cajal simulation time: {by['nest']['sim_s'] / by['cajal']['sim_s']:.2f}")


if __name__ == "__main__":
    main()

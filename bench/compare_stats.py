"""Spike-train statistics: `cajal stats` against Elephant 1.2.1 on the same spikes, one run.

Poisson spike trains (numpy, fixed seed) of N neurons at 10 Hz for T seconds are written as
a .npy of (neuron, time_ms) rows. cajal computes everything of `cajal stats` from that file
(reading it included, JSON written to /dev/null); Elephant computes per neuron the rate, CV,
CV2, LV and the Fano factor of 1 s windows (time_slice per window), the population
activity in 1 ms bins (time_histogram), its Welch spectrum (scipy) and the spike-count
correlation coefficients of all pairs in 10 ms bins (cajal samples 1000 pairs; Elephant
computes the whole matrix, its only API), from neo SpikeTrains made from the same arrays
(building them is timed apart).

    bench/.venv/bin/python bench/compare_stats.py [--neurons 1000] [--seconds 100]
        [--cajal target/release/cajal] [--skip-elephant]

Prints a table and appends a JSON line to bench/results/results.jsonl.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def poisson_spikes(neurons, seconds, rate_hz, seed=20261126):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate_hz * seconds, neurons)
    ids = np.repeat(np.arange(neurons), counts)
    times = rng.uniform(0.0, seconds * 1000.0, counts.sum())
    order = np.argsort(times, kind="stable")
    return ids[order], times[order]


def time_cajal(binary, path, neurons, seconds):
    start = time.perf_counter()
    subprocess.run([binary, "stats", path, "--time-unit", "ms", "--neurons", str(neurons),
                    "--t-start", "0ms", "--t-stop", f"{seconds}s", "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_elephant(ids, times_ms, neurons, seconds):
    import neo
    import quantities as pq
    import scipy.signal
    from elephant import statistics
    from elephant.conversion import BinnedSpikeTrain
    from elephant.spike_train_correlation import correlation_coefficient

    start = time.perf_counter()
    order = np.argsort(ids, kind="stable")
    bounds = np.searchsorted(ids[order], np.arange(neurons + 1))
    sorted_times = times_ms[order]
    trains = [neo.SpikeTrain(np.sort(sorted_times[bounds[i]:bounds[i + 1]]) * pq.ms,
                             t_start=0 * pq.ms, t_stop=seconds * 1000.0 * pq.ms)
              for i in range(neurons)]
    build = time.perf_counter() - start

    parts = {}
    start = time.perf_counter()
    for st in trains:
        statistics.mean_firing_rate(st)
        intervals = statistics.isi(st)
        if len(intervals) >= 2:
            statistics.cv(intervals)
            statistics.cv2(intervals)
            statistics.lv(intervals)
    parts["rates, CV, CV2, LV"] = time.perf_counter() - start
    start = time.perf_counter()
    for st in trains:
        windows = [st.time_slice(k * 1000.0 * pq.ms, (k + 1) * 1000.0 * pq.ms)
                   for k in range(int(seconds))]
        statistics.fanofactor(windows)
    parts["Fano factors (1 s windows)"] = time.perf_counter() - start
    start = time.perf_counter()
    activity = statistics.time_histogram(trains, bin_size=1 * pq.ms, output="rate")
    scipy.signal.welch(activity.magnitude.ravel(), fs=1000.0)
    parts["activity and spectrum"] = time.perf_counter() - start
    start = time.perf_counter()
    correlation_coefficient(BinnedSpikeTrain(trains, bin_size=10 * pq.ms))
    parts["correlation matrix (all pairs)"] = time.perf_counter() - start
    return build, parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=100.0)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--cajal", default=os.path.join(ROOT, "target", "release", "cajal"))
    parser.add_argument("--skip-elephant", action="store_true")
    args = parser.parse_args()

    ids, times_ms = poisson_spikes(args.neurons, args.seconds, args.rate)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "spikes.npy")
        np.save(path, np.column_stack([ids.astype(np.float64), times_ms]))
        cajal = min(time_cajal(args.cajal, path, args.neurons, args.seconds) for _ in range(3))
    result = {"benchmark": "spike statistics", "neurons": args.neurons,
              "seconds": args.seconds, "spikes": int(len(ids)), "cajal_s": cajal,
              "loadavg": os.getloadavg()[0], "date": time.strftime("%Y-%m-%d")}
    print(f"{len(ids)} spikes of {args.neurons} neurons over {args.seconds} s")
    print(f"cajal stats (read .npy, all statistics, JSON): {cajal:.3f} s")
    if not args.skip_elephant:
        build, parts = time_elephant(ids, times_ms, args.neurons, args.seconds)
        elephant = sum(parts.values())
        result.update(elephant_s=elephant, elephant_build_s=build, elephant_parts_s=parts,
                      ratio=elephant / cajal)
        print(f"Elephant: {elephant:.2f} s (+ {build:.2f} s making neo SpikeTrains)")
        for name, seconds in parts.items():
            print(f"  {name}: {seconds:.2f} s")
        print(f"cajal faster by {elephant / cajal:.0f}x")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "results.jsonl"), "a") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

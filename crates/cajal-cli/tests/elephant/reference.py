"""Elephant's values for the spike trains that tests/elephant.rs gives `cajal stats`.

Usage: python reference.py OUTDIR

Writes OUTDIR/spikes.csv (header `neuron,time_s`), OUTDIR/stimuli.csv (stimulus times, s)
and OUTDIR/expected.json: per neuron Elephant's mean_firing_rate, cv (scipy's variation of
the ISIs, population std), cv2, lv, and the Fano factor of the spike counts in consecutive
1 s windows; and the PSTH around the stimulus times from time_histogram(output='rate').
Times are drawn with numpy's generator from a fixed seed, so the data is the same every run.
"""

import json
import sys
from pathlib import Path

import numpy as np
import quantities as pq
import neo
from elephant import statistics

T_STOP_S = 20.0
FANO_WINDOW_S = 1.0
PSTH_BEFORE_S, PSTH_AFTER_S, PSTH_BIN_S = 0.05, 0.2, 0.01


def trains(rng):
    """Poisson trains, gamma renewal trains, a regular one, and some with too few spikes."""
    result = []
    for rate in np.linspace(2.0, 40.0, 16):
        count = rng.poisson(rate * T_STOP_S)
        result.append(np.sort(rng.uniform(0.0, T_STOP_S, count)))
    for rate in np.linspace(5.0, 30.0, 12):
        shape = 3.0
        intervals = rng.gamma(shape, 1.0 / (shape * rate), int(rate * T_STOP_S * 2) + 10)
        times = np.cumsum(intervals) + rng.uniform(0.0, 0.01)
        result.append(times[times < T_STOP_S])
    result.append(np.arange(0.0173, T_STOP_S, 0.0519))
    result.append(np.array([]))
    result.append(np.array([3.14159]))
    result.append(np.array([1.2345, 7.891]))
    return result


def windowed_fano(train):
    st = neo.SpikeTrain(train * pq.s, t_start=0.0 * pq.s, t_stop=T_STOP_S * pq.s)
    windows = int(T_STOP_S / FANO_WINDOW_S)
    pieces = [st.time_slice(k * FANO_WINDOW_S * pq.s, (k + 1) * FANO_WINDOW_S * pq.s)
              for k in range(windows)]
    value = statistics.fanofactor(pieces)
    return None if not np.isfinite(value) else float(value)


def variation(function, train):
    intervals = np.diff(train)
    if len(intervals) < 2:
        return None
    return float(function(intervals))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261126)
    all_trains = trains(rng)
    with open(out / "spikes.csv", "w") as f:
        f.write("neuron,time_s\n")
        # Interleaved in time, as a simulator would write them.
        rows = sorted(((t, i) for i, train in enumerate(all_trains) for t in train))
        for t, i in rows:
            f.write(f"{i},{float(t)!r}\n")
    stimuli = np.sort(rng.uniform(0.5, T_STOP_S - 0.5, 40))
    with open(out / "stimuli.csv", "w") as f:
        f.write("time_s\n")
        for s in stimuli:
            f.write(f"{float(s)!r}\n")

    neurons = []
    for i, train in enumerate(all_trains):
        st = neo.SpikeTrain(train * pq.s, t_start=0.0 * pq.s, t_stop=T_STOP_S * pq.s)
        rate = statistics.mean_firing_rate(st).rescale(pq.Hz).magnitude
        neurons.append({
            "neuron": i,
            "spike_count": len(train),
            "rate_hz": float(rate),
            "cv_isi": variation(statistics.cv, train),
            "cv2": variation(statistics.cv2, train),
            "lv": variation(statistics.lv, train),
            "fano": windowed_fano(train),
        })

    aligned = []
    for train in all_trains:
        for s in stimuli:
            relative = train - s
            kept = relative[(relative >= -PSTH_BEFORE_S) & (relative < PSTH_AFTER_S)]
            aligned.append(neo.SpikeTrain(kept * pq.s, t_start=-PSTH_BEFORE_S * pq.s,
                                          t_stop=PSTH_AFTER_S * pq.s))
    histogram = statistics.time_histogram(aligned, bin_size=PSTH_BIN_S * pq.s, output="rate")
    psth = {
        "bin_start_ms": [float(t) for t in histogram.times.rescale(pq.ms).magnitude],
        "rate_hz": [float(r) for r in histogram.rescale(pq.Hz).magnitude.ravel()],
        "trials": len(stimuli),
    }
    expected = {
        "t_stop_s": T_STOP_S,
        "fano_window_s": FANO_WINDOW_S,
        "psth_before_s": PSTH_BEFORE_S,
        "psth_after_s": PSTH_AFTER_S,
        "psth_bin_s": PSTH_BIN_S,
        "neurons": neurons,
        "psth": psth,
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()

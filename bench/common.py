"""Shared helpers for the cajal side-by-side throughput benchmarks (bench/*.py).

Copied from the team's reference scripts (shared/bench/common.py) so that the
bench/ scripts are self-contained: JSON output, timers, Brian2 device set-up and
Brian2 main-loop timing. Every script prints exactly one line `RESULT {json}`
on stdout so that drivers can pick it out of whatever the simulators print.
"""
import json
import os
import sys
import time

import numpy as np

T0_PROCESS = time.perf_counter()


def now():
    return time.perf_counter()


def emit(result):
    """Print the one-line JSON result (numpy scalars converted to Python)."""
    out = {}
    for k, v in result.items():
        if isinstance(v, (np.floating,)):
            v = float(v)
        elif isinstance(v, (np.integer,)):
            v = int(v)
        out[k] = v
    out.setdefault("process_wall_s", now() - T0_PROCESS)
    out.setdefault("pid", os.getpid())
    sys.stdout.flush()
    print("RESULT " + json.dumps(out), flush=True)


def lif_rate_hz(RI_mV, theta_mV, V_reset_mV, tau_m_ms, t_ref_ms):
    """Closed-form firing rate of a LIF neuron (E_L = 0) under constant drive R*I:
    1 / (t_ref + tau_m * ln((RI - V_reset) / (RI - theta))), continuous time."""
    import math
    if RI_mV <= theta_mV:
        return 0.0
    T = t_ref_ms + tau_m_ms * math.log((RI_mV - V_reset_mV) / (RI_mV - theta_mV))
    return 1000.0 / T


def brian2_configure(mode, threads, seed=None):
    """Select the Brian2 code generation target / device.

    mode: 'numpy' | 'cython' | 'runtime' (Brian's default 'auto', which picks
    cython when available) | 'standalone' (cpp_standalone, build_on_run=False).
    """
    import brian2 as b2
    if mode == "standalone":
        b2.set_device("cpp_standalone", build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = int(threads) if threads > 1 else 0
    elif mode == "numpy":
        b2.prefs.codegen.target = "numpy"
    elif mode == "cython":
        b2.prefs.codegen.target = "cython"
    elif mode == "runtime":
        b2.prefs.codegen.target = "auto"
    else:
        raise ValueError(mode)
    if seed is not None:
        b2.seed(seed)


def brian2_cold_cache():
    """Point Brian2's Cython cache at an empty temp dir -> measures cold compile."""
    import tempfile
    import brian2 as b2
    d = tempfile.mkdtemp(prefix="b2cython_cold_")
    b2.prefs.codegen.runtime.cython.cache_dir = d
    return d


def brian2_finish(mode, t_after_build, directory=None):
    """Run/build the Brian2 network after `run()` was called.

    Returns dict of timings. For runtime modes `run()` already executed; the main
    loop time is device._last_run_time and everything else counts as setup.
    For standalone we generate code, compile (timed separately) and execute the
    binary; the main-loop time reported by the binary is the sim time.
    """
    import brian2 as b2
    dev = b2.get_device()
    if mode != "standalone":
        return {"loop_s": float(dev._last_run_time)}
    import tempfile
    if directory is None:
        directory = tempfile.mkdtemp(prefix="b2sa_")
    tc = {}
    orig = dev.compile_source

    def timed_compile(*a, **k):
        s = now()
        r = orig(*a, **k)
        tc["compile_s"] = now() - s
        return r

    dev.compile_source = timed_compile
    s = now()
    dev.build(directory=directory, compile=True, run=False, clean=True, with_output=False)
    t_gen_compile = now() - s
    s = now()
    dev.run(directory=directory, with_output=False)
    t_bin = now() - s
    return {"codegen_s": t_gen_compile - tc.get("compile_s", 0.0),
            "compile_s": tc.get("compile_s", float("nan")),
            "binary_s": t_bin,
            "loop_s": float(dev._last_run_time),
            "build_dir": directory}

"""Throughput of N uncoupled point neurons under constant current, in Brian2 (1 thread).

  python neurons_brian2.py --model lif [--n 1000000] [--sim-time 1000] [--dt 0.1] [--mode standalone|cython]
  python neurons_brian2.py --model hh  [--n 100000]  [--sim-time 200] [--dt 0.025] [--mode standalone|cython]

lif: tau_m dV/dt = (E_L - V) + R*I, E_L = 0 mV, tau_m = 20 ms, threshold V > 20 mV,
     reset 10 mV, refractory 2 ms (V clamped while refractory), R*I = 25 mV constant,
     V0_i = 20*i/N mV (deterministic spread), method='exact'. Every neuron fires
     regularly at ~1/(t_ref + tau ln((RI-Vr)/(RI-theta))) = 41.7 Hz (continuous time).
hh:  Hodgkin-Huxley squid axon (6.3 degC kinetics, as shared/bench/hh_fi_brian2.py:
     gNa=120, gK=36, gL=0.3 mS/cm2, ENa=50, EK=-77 mV, Cm=1 uF/cm2) but E_L = -54.387 mV,
     all N neurons at I = 10 uA/cm2, start from rest (-65 mV, gates at steady state),
     exponential Euler; spike = threshold "v > 0*mV" with refractory "v > 0*mV".

Spikes are counted with a SpikeMonitor(record=False) (per-neuron counts only).
Prints one line `RESULT {json}`; loop_s is the main-loop time only (Brian2's
_last_run_time, as in common.brian2_finish), updates_per_s = n*steps/loop_s.
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (brian2_cold_cache, brian2_configure, brian2_finish, emit,  # noqa: E402
                    lif_rate_hz, now)

DEFAULTS = {"lif": {"n": 1_000_000, "sim_time": 1000.0, "dt": 0.1},
            "hh": {"n": 100_000, "sim_time": 200.0, "dt": 0.025}}

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--model", required=True, choices=["lif", "hh"])
ap.add_argument("--n", type=int, default=None, help="neurons (lif 1e6, hh 1e5)")
ap.add_argument("--sim-time", type=float, default=None,
                help="ms (lif 1000; hh 200, because NEST's RKF45 HH at 1e5 neurons x 1 s takes ~50 min)")
ap.add_argument("--dt", type=float, default=None, help="ms (lif 0.1, hh 0.025)")
ap.add_argument("--mode", default="standalone", choices=["standalone", "cython"])
ap.add_argument("--cold", action="store_true", help="cython: empty Cython cache (cold compile)")
ap.add_argument("--build-dir", default=None,
                help="standalone: build here and keep it (default: temp dir, deleted)")
args = ap.parse_args()
d = DEFAULTS[args.model]
N = args.n if args.n is not None else d["n"]
T = args.sim_time if args.sim_time is not None else d["sim_time"]
DT = args.dt if args.dt is not None else d["dt"]
STEPS = int(round(T / DT))

t_imp = now()
import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402
from brian2 import ms, mV, uF, cm, msiemens, uA  # noqa: E402
t_import = now() - t_imp

b2.prefs.logging.console_log_level = "WARNING"
brian2_configure(args.mode, 1)
cold_dir = brian2_cold_cache() if (args.cold and args.mode == "cython") else None

t0 = now()
b2.defaultclock.dt = DT * ms
extra = {}
if args.model == "lif":
    ns = dict(E_L=0 * mV, tau_m=20 * ms, theta=20 * mV, V_r=10 * mV, RI=25 * mV)
    G = b2.NeuronGroup(N, "dv/dt = (E_L - v + RI)/tau_m : volt (unless refractory)",
                       threshold="v > theta", reset="v = V_r", refractory=2 * ms,
                       method="exact", namespace=ns, name="lif")
    G.v = (20.0 * np.arange(N) / N) * mV
    extra["expected_rate_hz"] = lif_rate_hz(25.0, 20.0, 10.0, 20.0, 2.0)
else:
    ns = dict(Cm=1 * uF / cm**2, gna=120 * msiemens / cm**2, gk=36 * msiemens / cm**2,
              gl=0.3 * msiemens / cm**2, ENa=50 * mV, EK=-77 * mV, El=-54.387 * mV,
              I=10 * uA / cm**2)
    eqs = """
    dv/dt = (I - gna*m**3*h*(v-ENa) - gk*n**4*(v-EK) - gl*(v-El))/Cm : volt
    dm/dt = alpham*(1-m) - betam*m : 1
    dh/dt = alphah*(1-h) - betah*h : 1
    dn/dt = alphan*(1-n) - betan*n : 1
    alpham = 1/exprel(-(v+40*mV)/(10*mV))/ms : Hz
    betam  = 4*exp(-(v+65*mV)/(18*mV))/ms : Hz
    alphah = 0.07*exp(-(v+65*mV)/(20*mV))/ms : Hz
    betah  = 1/(1+exp(-(v+35*mV)/(10*mV)))/ms : Hz
    alphan = 0.1/exprel(-(v+55*mV)/(10*mV))/ms : Hz
    betan  = 0.125*exp(-(v+65*mV)/(80*mV))/ms : Hz
    """
    G = b2.NeuronGroup(N, eqs, threshold="v > 0*mV", refractory="v > 0*mV",
                       method="exponential_euler", namespace=ns, name="hh")
    # steady state of the gates at -65 mV (numpy, same formulas)
    v0 = -65.0
    am = 0.1 * (v0 + 40) / (1 - np.exp(-(v0 + 40) / 10)); bm = 4 * np.exp(-(v0 + 65) / 18)
    ah = 0.07 * np.exp(-(v0 + 65) / 20); bh = 1 / (1 + np.exp(-(v0 + 35) / 10))
    an = 0.01 * (v0 + 55) / (1 - np.exp(-(v0 + 55) / 10)); bn = 0.125 * np.exp(-(v0 + 65) / 80)
    G.v = v0 * mV
    G.m = am / (am + bm)
    G.h = ah / (ah + bh)
    G.n = an / (an + bn)
    extra["I_uA_cm2"] = 10.0
    extra["E_L_mV"] = -54.387
smon = b2.SpikeMonitor(G, record=False, name="smon")
net = b2.Network(G, smon)
t_build = now() - t0

t0 = now()
net.run(T * ms)
t_run_call = now() - t0
tim = brian2_finish(args.mode, t_build, args.build_dir)

counts = np.asarray(smon.count[:])
n_spikes = int(counts.sum())
loop_s = tim["loop_s"]
res = {"workload": "neurons_" + args.model, "sim": "brian2", "mode": args.mode, "threads": 1,
       "n": N, "dt_ms": DT, "sim_time_ms": T, "steps": STEPS, "loop_s": loop_s}
if args.mode == "standalone":
    res.update({"setup_s": t_build + t_run_call + tim["codegen_s"] + tim["binary_s"] - loop_s,
                "compile_s": tim["compile_s"], "codegen_s": tim["codegen_s"],
                "binary_s": tim["binary_s"]})
    if args.build_dir is None:
        shutil.rmtree(tim["build_dir"], ignore_errors=True)
else:
    # Cython code generation/compilation happens inside run(): it is part of setup_s;
    # compile_s is not separable here (use --cold to force a cold compile).
    res.update({"setup_s": t_build + t_run_call - loop_s, "compile_s": None,
                "run_call_s": t_run_call, "cold_cache": bool(cold_dir)})
res.update({"updates_per_s": N * STEPS / loop_s if loop_s > 0 else None,
            "n_spikes": n_spikes, "rate_hz": n_spikes / (N * T / 1000.0),
            "n_silent": int(np.sum(counts == 0)),
            "import_s": t_import, "brian2_version": b2.__version__, **extra})
emit(res)

"""Throughput of N uncoupled point neurons under constant current, in NEST 3.

  python neurons_nest.py --model lif [--n 1000000] [--sim-time 1000] [--dt 0.1]   [--threads 1]
  python neurons_nest.py --model hh  [--n 100000]  [--sim-time 200] [--dt 0.025] [--threads 1]

lif: iaf_psc_delta (exact propagator integration), C_m = 250 pF, tau_m = 20 ms, E_L = 0,
     V_th = 20 mV, V_reset = 10 mV, t_ref = 2 ms, I_e = 25 mV * C_m / tau_m = 312.5 pA
     (so R*I = 25 mV), V_m(0)_i = 20*i/N mV. Same model as neurons_brian2.py --model lif,
     except that NEST fires on V_m >= V_th and Brian2 on v > theta (irrelevant here).
hh:  hh_psc_alpha, C_m = 100 pF (= 1e-4 cm2 at 1 uF/cm2; g_Na 12000 nS = 120 mS/cm2,
     g_K 3600 nS, g_L 30 nS), E_L set to -54.387 mV like the Brian2 script, V_m(0) = -65 mV
     with the gates at their (default) steady state, I_e = 10 uA/cm2 * 1e-4 cm2 = 1000 pA.
     NOTE: NEST's hh_psc_alpha integrates with GSL's adaptive RKF45 (step-size control
     inside each dt), NOT exponential Euler: same equations, different numerical scheme
     (and its spike detection is its own: V_m > 0 at a local maximum, then t_ref = 2 ms).

Spikes are counted (--count kernel, default) with NEST's kernel counter local_spike_counter,
which every neuron's spike increments -- no recording device. A spike_recorder
(--count recorder; memory backend, only n_events is read) costs ~31 KB of RAM per
connected neuron in NEST 3.10 (measured: 3.7 GB instead of 0.6 GB at 1e5 neurons; at 1e6
it filled the machine's 24 GB), so it is only usable at small N (same counts; see README).
Prints one line `RESULT {json}`; loop_s = wall time of nest.Simulate only
(with --split: of nest.Run only, Prepare/Cleanup reported separately);
updates_per_s = n*steps/loop_s.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, lif_rate_hz, now  # noqa: E402

DEFAULTS = {"lif": {"n": 1_000_000, "sim_time": 1000.0, "dt": 0.1},
            "hh": {"n": 100_000, "sim_time": 200.0, "dt": 0.025}}

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--model", required=True, choices=["lif", "hh"])
ap.add_argument("--n", type=int, default=None, help="neurons (lif 1e6, hh 1e5)")
ap.add_argument("--sim-time", type=float, default=None,
                help="ms (lif 1000; hh 200, because NEST's RKF45 HH at 1e5 neurons x 1 s takes ~50 min)")
ap.add_argument("--dt", type=float, default=None, help="ms (lif 0.1, hh 0.025)")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--count", default="kernel", choices=["kernel", "recorder"],
                help="kernel: NEST's local_spike_counter (default); recorder: a spike_recorder "
                     "connected to all neurons (~30 KB RAM per neuron in NEST 3.10!)")
ap.add_argument("--min-delay", type=float, default=1.0,
                help="ms; NEST's communication interval (default 1.0 = NEST's default synaptic delay)")
ap.add_argument("--split", action="store_true",
                help="time Prepare/Run/Cleanup separately; loop_s = Run only")
args = ap.parse_args()
d = DEFAULTS[args.model]
N = args.n if args.n is not None else d["n"]
T = args.sim_time if args.sim_time is not None else d["sim_time"]
DT = args.dt if args.dt is not None else d["dt"]
STEPS = int(round(T / DT))

t_imp = now()
import numpy as np  # noqa: E402
import nest  # noqa: E402
try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except Exception:
    nest.set_verbosity("M_ERROR")
t_import = now() - t_imp

t0 = now()
nest.ResetKernel()
# min_delay sets NEST's communication interval (spike exchange every min_delay/dt steps).
# With no synapses at all NEST falls back to min_delay = dt, i.e. a spike exchange every
# step, which made the uncoupled loop ~3.6x slower (1e5 LIF); a spike_recorder connection
# (default delay 1 ms) would set 1 ms. Fix it explicitly so the loop is the same either way.
nest.SetKernelStatus({"resolution": DT, "local_num_threads": args.threads, "print_time": False,
                      "min_delay": args.min_delay, "max_delay": args.min_delay})
extra = {}
if args.model == "lif":
    C_m, tau_m, RI = 250.0, 20.0, 25.0
    I_e = RI * C_m / tau_m  # pA: mV * pF / ms = pA  -> 312.5 pA
    params = {"C_m": C_m, "tau_m": tau_m, "E_L": 0.0, "V_th": 20.0, "V_reset": 10.0,
              "t_ref": 2.0, "I_e": I_e, "V_m": 20.0 * np.arange(N) / N}
    nodes = nest.Create("iaf_psc_delta", N, params=params)
    extra.update({"I_e_pA": I_e, "expected_rate_hz": lif_rate_hz(RI, 20.0, 10.0, tau_m, 2.0)})
else:
    # 10 uA/cm2 with C_m = 100 pF <-> area 1e-4 cm2 (1 uF/cm2): 10e-6 A/cm2 * 1e-4 cm2 = 1 nA.
    # hh_psc_alpha uses adaptive RKF45 (GSL), not exponential Euler: not the same scheme.
    I_e = 1000.0
    params = {"E_L": -54.387, "V_m": -65.0, "I_e": I_e}
    nodes = nest.Create("hh_psc_alpha", N, params=params)
    extra.update({"I_e_pA": I_e, "I_uA_cm2": 10.0, "E_L_mV": -54.387})
if args.count == "recorder":
    # Measured: ~31 KB of RAM per neuron->recorder connection in NEST 3.10 (3.7 GB vs 0.6 GB
    # at 1e5 neurons; the 1e6 run reached the machine's 24 GB) -- apparently each neuron gets its
    # own device connector with a full block preallocated. Only usable at small N.
    srec = nest.Create("spike_recorder")
    nest.Connect(nodes, srec)
t_build = now() - t0

timing = {}
if args.split:
    t0 = now(); nest.Prepare(); timing["prepare_s"] = now() - t0
    t0 = now(); nest.Run(T); loop_s = now() - t0
    t0 = now(); nest.Cleanup(); timing["cleanup_s"] = now() - t0
else:
    t0 = now()
    nest.Simulate(T)
    loop_s = now() - t0

if args.count == "recorder":
    n_spikes = int(srec.get("n_events"))
else:
    n_spikes = int(nest.GetKernelStatus("local_spike_counter"))
res = {"workload": "neurons_" + args.model, "sim": "nest",
       "mode": "iaf_psc_delta" if args.model == "lif" else "hh_psc_alpha(rkf45)",
       "threads": args.threads, "n": N, "dt_ms": DT, "sim_time_ms": T, "steps": STEPS,
       "loop_s": loop_s, "setup_s": t_build + timing.get("prepare_s", 0.0), "compile_s": 0.0,
       "updates_per_s": N * STEPS / loop_s if loop_s > 0 else None,
       "n_spikes": n_spikes, "rate_hz": n_spikes / (N * T / 1000.0),
       "count": args.count, "min_delay_ms": nest.GetKernelStatus("min_delay"), "loop_includes": "Run" if args.split else "Simulate(Prepare+Run+Cleanup)",
       "import_s": t_import, "build_s": t_build, "nest_version": nest.__version__,
       **timing, **extra}
emit(res)

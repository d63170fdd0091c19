"""Passive sealed-end cable in NEURON vs the analytic steady state (cable benchmark, issue 6).

Adapted from the team's reference script shared/bench/cable_neuron.py, with the integration
method as an option. Same model as bench/models/cable_passive_1001.toml:
L = 1000 um, diam = 1 um, Ra = 100 ohm cm, cm = 1 uF/cm2, g_pas = 1e-4 S/cm2 (0.1 mS/cm2),
e_pas = 0 mV (V is the deviation from rest), nseg = 1001, a constant current of 0.01 nA
(10 pA) injected at x = 0 (IClamp on the zero-area end node) for the whole run, 100 ms at
dt = 0.025 ms, cvode off (tau_m = 10 ms, so the slowest mode has decayed to e^-10).

--secondorder 0: NEURON's default fixed step, backward (implicit) Euler;
--secondorder 2: Crank-Nicolson (second order in time).

Analytic: lambda = sqrt(Rm d / (4 Ra)), V(x) = V0 cosh((L-x)/lambda)/cosh(L/lambda),
V0 = I r_a lambda coth(L/lambda), r_a = 4 Ra / (pi d^2). The accuracy figure is the maximum
relative error over all of NEURON's nodes, the nseg segment centres plus the two zero-area end
nodes (as cable_neuron.py does); `max_rel_err_centres` leaves out the end nodes.

  python cable_passive_neuron.py [--secondorder 0|2] [--nseg 1001] [--amp 0.01] [--tstop 100] [--dt 0.025]

Prints one line `RESULT {json}` (setup_s, sim_s = wall time of ParallelContext.psolve).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, now  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--nseg", type=int, default=1001)
ap.add_argument("--amp", type=float, default=0.01, help="nA")
ap.add_argument("--tstop", type=float, default=100.0)
ap.add_argument("--dt", type=float, default=0.025)
ap.add_argument("--secondorder", type=int, default=0, choices=[0, 1, 2],
                help="0: backward Euler (NEURON's default); 2: Crank-Nicolson")
args = ap.parse_args()

import numpy as np  # noqa: E402
from neuron import h  # noqa: E402
h.load_file("stdrun.hoc")
PC = h.ParallelContext()

t0 = now()
L_um, d_um, Ra, cm_, gpas = 1000.0, 1.0, 100.0, 1.0, 1e-4
cab = h.Section(name="cable")
cab.L, cab.diam, cab.nseg, cab.Ra, cab.cm = L_um, d_um, args.nseg, Ra, cm_
cab.insert("pas")
for seg in cab:
    seg.pas.g = gpas
    seg.pas.e = 0.0
stim = h.IClamp(cab(0.0))
stim.delay, stim.dur, stim.amp = 0.0, 1e9, args.amp
h.dt = args.dt
h.steps_per_ms = 1.0 / args.dt
h.tstop = args.tstop
h.cvode_active(0)
h.secondorder = args.secondorder
PC.set_maxstep(10)  # no network: lets psolve integrate in large fixed-dt chunks
h.v_init = 0.0
t_setup = now() - t0

t0 = now()
h.finitialize(0.0)
PC.psolve(args.tstop)
t_sim = now() - t0

xs = np.array([0.0] + [seg.x for seg in cab] + [1.0])
vs = np.array([cab(0.0).v] + [seg.v for seg in cab] + [cab(1.0).v])
d_cm, L_cm = d_um * 1e-4, L_um * 1e-4
Rm = 1.0 / gpas
lam_cm = math.sqrt(Rm * d_cm / (4.0 * Ra))
r_a = 4.0 * Ra / (math.pi * d_cm**2)                  # ohm/cm
V0 = args.amp * 1e-9 * r_a * lam_cm / math.tanh(L_cm / lam_cm) * 1e3  # mV
x_cm = xs * L_cm
van = V0 * np.cosh((L_cm - x_cm) / lam_cm) / math.cosh(L_cm / lam_cm)
rel = np.abs(vs - van) / np.abs(van)
method = {0: "backward-euler", 1: "secondorder=1", 2: "crank-nicolson"}[args.secondorder]
emit({"workload": "cable_passive", "sim": "neuron", "method": method,
      "mode": "fixed dt=%g,secondorder=%d,psolve" % (args.dt, args.secondorder),
      "secondorder": args.secondorder, "threads": 1, "n": args.nseg, "compartments": args.nseg,
      "dt_ms": args.dt, "sim_time_ms": args.tstop, "steps": int(round(args.tstop / args.dt)),
      "setup_s": t_setup, "sim_s": t_sim,
      "lambda_um": lam_cm * 1e4, "L_over_lambda": L_cm / lam_cm,
      "V0_analytic_mV": V0, "V0_sim_mV": float(vs[0]), "VL_analytic_mV": float(van[-1]),
      "VL_sim_mV": float(vs[-1]), "max_rel_err": float(rel.max()),
      "max_rel_err_centres": float(rel[1:-1].max()),
      "neuron_version": h.nrnversion(5)})

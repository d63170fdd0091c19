"""Branched neuron with a Hodgkin-Huxley soma and axon in NEURON (cable benchmark, issue 6).

Same model as bench/models/cable_branched_hh.toml (section names match):

  soma     L = diam = 20 um, nseg 1, hh
  axon     child of soma(1),  1000 um, diam 1 um, nseg 201, hh
  dend0, dend1              children of soma(0), 200 um, diam 2 um, nseg 21, passive
  dend0_0, dend0_1          children of dend0(1), 150 um, diam 1 um, nseg 15, passive
  dend1_0, dend1_1          children of dend1(1), 150 um, diam 1 um, nseg 15, passive

Ra = 100 ohm cm, cm = 1 uF/cm2 everywhere. Passive sections: pas, g = 1e-4 S/cm2
(0.1 mS/cm2), e = -65 mV. hh sections: NEURON's hh with its defaults (gnabar 0.12,
gkbar 0.036, gl 0.0003 S/cm2, el -54.3 mV, ena 50, ek -77 mV). celsius = 6.3, v_init = -65 mV
(gates at their steady state there). IClamp 0.3 nA at soma(0.5) from 5 ms to the end of the
run; 100 ms at dt = 0.025 ms, cvode off, secondorder 0 (backward Euler, NEURON's default) or
2 (Crank-Nicolson).

Recorded at every step: soma(0.5), axon(0.25), axon(0.75), axon(0.9) and the dendrite tip
dend0_0(1). Spikes are upward crossings of 0 mV, the time linearly interpolated between the
two steps around the crossing. Conduction velocity: distance between the nodes of axon(0.25)
and axon(0.75) divided by the delay of each spike between them (paired in order).

--nseg-factor 3 multiplies every nseg by 3 (an odd factor keeps the original segment centres
as nodes, so the recording sites are the same points); with --dt 0.001 this is the fine
reference whose spike times serve as the "truth" for accuracy.

  python cable_branched_neuron.py [--secondorder 0|2] [--dt 0.025] [--tstop 100]
      [--nseg-factor 1] [--trace-out PATH.csv|PATH.npy]

--trace-out: .npy gets an (n_steps+1) x 2 array (time_ms, soma V in mV); any other suffix a CSV
`time_ms,soma@0.5,axon@0.25,axon@0.75,axon@0.9,dend0_0@1` (cajal's traces.csv layout).

Prints one line `RESULT {json}`: setup_s, sim_s (wall time of ParallelContext.psolve, which
includes the recording), spike times at the soma and at axon(0.9), conduction velocity.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, now  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--dt", type=float, default=0.025)
ap.add_argument("--tstop", type=float, default=100.0)
ap.add_argument("--secondorder", type=int, default=0, choices=[0, 1, 2],
                help="0: backward Euler (NEURON's default); 2: Crank-Nicolson")
ap.add_argument("--exact-rates", action="store_true",
                help="hh rates computed exactly (usetable_hh = 0) instead of from 1 mV tables")
ap.add_argument("--nseg-factor", type=int, default=1, help="multiply every nseg (odd keeps nodes)")
ap.add_argument("--amp", type=float, default=0.3, help="nA")
ap.add_argument("--delay", type=float, default=5.0, help="ms")
ap.add_argument("--trace-out", default=None)
args = ap.parse_args()

import numpy as np  # noqa: E402
from neuron import h  # noqa: E402
h.load_file("stdrun.hoc")
PC = h.ParallelContext()

RA, CM = 100.0, 1.0
G_PAS, E_PAS = 1e-4, -65.0
V_INIT = -65.0

# name, parent, attach (position on the parent), L (um), diam (um), nseg, hh?
SECTIONS = [
    ("soma", None, None, 20.0, 20.0, 1, True),
    ("axon", "soma", 1.0, 1000.0, 1.0, 201, True),
    ("dend0", "soma", 0.0, 200.0, 2.0, 21, False),
    ("dend1", "soma", 0.0, 200.0, 2.0, 21, False),
    ("dend0_0", "dend0", 1.0, 150.0, 1.0, 15, False),
    ("dend0_1", "dend0", 1.0, 150.0, 1.0, 15, False),
    ("dend1_0", "dend1", 1.0, 150.0, 1.0, 15, False),
    ("dend1_1", "dend1", 1.0, 150.0, 1.0, 15, False),
]
# recording sites: label, section, position (positions at segment centres of the nseg above)
SITES = [("soma@0.5", "soma", 0.5), ("axon@0.25", "axon", 0.25), ("axon@0.75", "axon", 0.75),
         ("axon@0.9", "axon", 0.9), ("dend0_0@1", "dend0_0", 1.0)]


def node_position(sec, x):
    """Position of the node NEURON uses for sec(x): an end node at 0 or 1, else the centre of
    the segment containing x."""
    if x <= 0.0 or x >= 1.0:
        return float(x)
    n = sec.nseg
    i = min(int(x * n), n - 1)
    return (i + 0.5) / n


def spike_times(t, v, threshold=0.0):
    """Upward crossings of `threshold`, linearly interpolated between samples."""
    t = np.asarray(t)
    v = np.asarray(v)
    i = np.nonzero((v[:-1] < threshold) & (v[1:] >= threshold))[0]
    frac = (threshold - v[i]) / (v[i + 1] - v[i])
    return (t[i] + frac * (t[i + 1] - t[i])).tolist()


t0 = now()
h.celsius = 6.3
if args.exact_rates:
    # hh.mod interpolates its rates in tables of 1 mV steps by default; that changes the
    # firing period by about 0.3 %, so the accuracy reference computes them exactly.
    h.usetable_hh = 0
secs = {}
for name, parent, attach, L, diam, nseg, hh in SECTIONS:
    sec = h.Section(name=name)
    sec.L, sec.diam, sec.nseg = L, diam, nseg * args.nseg_factor
    sec.Ra, sec.cm = RA, CM
    if hh:
        sec.insert("hh")  # defaults: gnabar 0.12, gkbar 0.036, gl 0.0003, el -54.3
        for seg in sec:
            seg.hh.gnabar, seg.hh.gkbar, seg.hh.gl, seg.hh.el = 0.12, 0.036, 0.0003, -54.3
        sec.ena, sec.ek = 50.0, -77.0
    else:
        sec.insert("pas")
        for seg in sec:
            seg.pas.g, seg.pas.e = G_PAS, E_PAS
    if parent is not None:
        sec.connect(secs[parent](attach), 0.0)
    secs[name] = sec
stim = h.IClamp(secs["soma"](0.5))
stim.delay, stim.dur, stim.amp = args.delay, 1e9, args.amp
h.dt = args.dt
h.steps_per_ms = 1.0 / args.dt
h.tstop = args.tstop
h.cvode_active(0)
h.secondorder = args.secondorder
PC.set_maxstep(10)  # no NetCons: lets psolve integrate in large fixed-dt chunks
t_vec = h.Vector()
t_vec.record(h._ref_t)
vecs = {}
node_x = {}
base_nseg = {name: nseg for name, _, _, _, _, nseg, _ in SECTIONS}
for label, name, x in SITES:
    # the node of the base discretisation (nseg x1); with an odd nseg factor it is a node of
    # the refined one too, so every run records at the same points
    x = node_position(secs[name], x) if args.nseg_factor == 1 else \
        (x if x <= 0.0 or x >= 1.0 else (min(int(x * base_nseg[name]), base_nseg[name] - 1) + 0.5)
         / base_nseg[name])
    seg = secs[name](x)
    node_x[label] = node_position(secs[name], x)  # the node NEURON records at
    vecs[label] = h.Vector()
    vecs[label].record(seg._ref_v)
n_comp = sum(sec.nseg for sec in secs.values())
t_setup = now() - t0

t0 = now()
h.finitialize(V_INIT)
PC.psolve(args.tstop)
t_sim = now() - t0

t = np.array(t_vec)
traces = {label: np.array(vec) for label, vec in vecs.items()}
spikes = {label: spike_times(t, v) for label, v in traces.items()}
# conduction velocity between the nodes of axon(0.25) and axon(0.75)
dist_um = (node_x["axon@0.75"] - node_x["axon@0.25"]) * secs["axon"].L
a, b = spikes["axon@0.25"], spikes["axon@0.75"]
delays = [tb - ta for ta, tb in zip(a, b) if tb > ta]
vel = [dist_um / d * 1e-3 for d in delays]  # um/ms = 1e-3 m/s

if args.trace_out:
    path = args.trace_out
    if path.endswith(".npy"):
        np.save(path, np.column_stack([t, traces["soma@0.5"]]))
    else:
        labels = [s[0] for s in SITES]
        np.savetxt(path, np.column_stack([t] + [traces[l] for l in labels]), delimiter=",",
                   header=",".join(["time_ms"] + labels), comments="", fmt="%.10g")

method = {0: "backward-euler", 1: "secondorder=1", 2: "crank-nicolson"}[args.secondorder]
emit({"workload": "cable_branched_hh", "sim": "neuron", "method": method,
      "mode": "fixed dt=%g,secondorder=%d,nseg x%d,psolve" % (args.dt, args.secondorder,
                                                               args.nseg_factor),
      "secondorder": args.secondorder, "nseg_factor": args.nseg_factor, "threads": 1,
      "n": n_comp, "compartments": n_comp, "sections": len(secs), "dt_ms": args.dt,
      "sim_time_ms": args.tstop, "steps": int(round(args.tstop / args.dt)),
      "setup_s": t_setup, "sim_s": t_sim,
      "n_spikes": len(spikes["soma@0.5"]),
      "spike_times_soma_ms": spikes["soma@0.5"], "spike_times_axon09_ms": spikes["axon@0.9"],
      "n_spikes_axon09": len(spikes["axon@0.9"]),
      "spike_times_ms": spikes, "node_x": node_x,
      "conduction_distance_um": dist_um,
      "conduction_velocity_m_per_s": vel[0] if vel else None,
      "conduction_velocity_mean_m_per_s": float(np.mean(vel)) if vel else None,
      "conduction_velocities_m_per_s": vel,
      "v_rest_soma_mV": float(traces["soma@0.5"][0]),
      "v_end_dend_tip_mV": float(traces["dend0_0@1"][-1]),
      "neuron_version": h.nrnversion(5)})

"""Side-by-side cable benchmarks (issue 6): cajal against NEURON 9 on the same machine, in one run.

Workloads (model files in bench/models/, NEURON scripts in bench/):

* passive  -- a sealed passive cable, 1000 um x 1 um, 1001 compartments, 10 pA into one end,
  100 ms at dt 0.025 ms (bench/models/cable_passive_1001.toml, bench/cable_passive_neuron.py).
  Accuracy: maximum relative error over the nodes against the closed-form steady state
  V0 cosh((L - x)/lambda) / cosh(L/lambda) (NEURON: its 1001 segment centres and the two
  zero-area end nodes; cajal: the 1001 compartment centres of profile.csv).
* branched -- HH soma and axon (201 compartments) with a passive tree of 6 dendrites,
  0.3 nA into the soma from 5 ms, 100 ms at dt 0.025 ms (bench/models/cable_branched_hh.toml,
  bench/cable_branched_neuron.py). Accuracy: max |spike-time difference| over the first N soma
  spikes against a fine NEURON reference (the same model at dt = 0.001 ms, every nseg x 3,
  hh rates computed exactly rather than from NEURON's 1 mV tables,
  Crank-Nicolson), run once per invocation; the axon(0.9) spikes and the conduction velocity
  between axon(0.25) and axon(0.75) are reported too.

Methods: NEURON with cvode off, secondorder = 0 (backward Euler, its default) and 2
(Crank-Nicolson); cajal with the model file as it is (method = "crank-nicolson") and with a
copy whose method is "backward-euler". The ratio NEURON/cajal compares simulation times of
the same method (> 1: cajal is faster). Every measurement is repeated --reps times in a fresh
process and the minimum is reported. NEURON's time is the wall time of ParallelContext.psolve;
cajal's is summary.json `simulate_seconds`.

    python3 bench/compare_cables.py [--only neuron,cajal] [--workloads passive,branched]
        [--reps 3] [--cajal PATH] [--n-spikes N] [--ref-check]

The NEURON scripts run in bench/.venv (created with bench/setup_venv.sh when missing; or
--python PATH). Appends one JSON line per measurement to bench/results/results.jsonl, keeps
the NEURON traces and cajal's outputs in bench/results/cables-RUN_ID/, and prints a markdown
table. Exits with status 1 if a selected simulator failed (after printing what did run).
"""
import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results", "results.jsonl")
MODELS = os.path.join(HERE, "models")
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")

PASSIVE_MODEL = os.path.join(MODELS, "cable_passive_1001.toml")
BRANCHED_MODEL = os.path.join(MODELS, "cable_branched_hh.toml")
# the passive cable (must match the model file and cable_passive_neuron.py)
PASSIVE = {"L_um": 1000.0, "d_um": 1.0, "ra_ohm_cm": 100.0, "g_leak_S_cm2": 1e-4, "amp_nA": 0.01}
# the axon of the branched model: compartments, length (for node positions and velocity)
AXON_COMPARTMENTS, AXON_L_UM = 201, 1000.0
METHODS = {"backward-euler": 0, "crank-nicolson": 2}  # cajal method -> NEURON secondorder
CAJAL_ORDER = ["crank-nicolson", "backward-euler"]  # the model files' own method first
LABELS = {"passive": "passive cable (1001 comp.)", "branched": "branched HH (304 comp.)"}


class BenchError(Exception):
    """A failure to report in one line (no traceback)."""


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


QUIET = {"wait_s": 0.0, "below": 1.0}


def wait_for_quiet():
    """Wait (up to --quiet-wait seconds) until the 1-min load average is below --quiet-load."""
    deadline = time.monotonic() + QUIET["wait_s"]
    while loadavg() >= QUIET["below"] and time.monotonic() < deadline:
        time.sleep(5)


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# ---------------------------------------------------------------- analysis (pure Python)

def passive_steady_state_mv(x_um):
    """Closed-form steady state of the sealed cable driven at x = 0."""
    p = PASSIVE
    d_cm, L_cm = p["d_um"] * 1e-4, p["L_um"] * 1e-4
    lam = math.sqrt((1.0 / p["g_leak_S_cm2"]) * d_cm / (4.0 * p["ra_ohm_cm"]))
    r_a = 4.0 * p["ra_ohm_cm"] / (math.pi * d_cm ** 2)
    v0 = p["amp_nA"] * 1e-9 * r_a * lam / math.tanh(L_cm / lam) * 1e3
    return v0 * math.cosh((L_cm - x_um * 1e-4) / lam) / math.cosh(L_cm / lam)


def spike_times(t, v, threshold=0.0):
    """Upward crossings of threshold, linearly interpolated (as cable_branched_neuron.py)."""
    out = []
    for i in range(len(v) - 1):
        if v[i] < threshold <= v[i + 1]:
            out.append(t[i] + (threshold - v[i]) / (v[i + 1] - v[i]) * (t[i + 1] - t[i]))
    return out


def spike_error(times, reference, n_max=0):
    """max |t - t_ref| over the first N spikes (N = the smaller count, at most n_max if > 0)."""
    n = min(len(times), len(reference))
    if n_max > 0:
        n = min(n, n_max)
    if n == 0:
        return None, 0
    return max(abs(a - b) for a, b in zip(times[:n], reference[:n])), n


def centre(position, compartments):
    """Centre (0..1) of the compartment / NEURON segment containing `position`."""
    if position <= 0.0 or position >= 1.0:
        return position
    return (min(int(position * compartments), compartments - 1) + 0.5) / compartments


def velocities(t25, t75):
    dist = (centre(0.75, AXON_COMPARTMENTS) - centre(0.25, AXON_COMPARTMENTS)) * AXON_L_UM
    return [dist / (b - a) * 1e-3 for a, b in zip(t25, t75) if b > a]


# ---------------------------------------------------------------- NEURON

def neuron_python(args):
    if args.python:
        return args.python
    if not os.path.exists(VENV_PY):
        print("bench/.venv missing: creating it with bench/setup_venv.sh", file=sys.stderr)
        if subprocess.run(["bash", os.path.join(HERE, "setup_venv.sh")]).returncode != 0:
            raise BenchError("bench/setup_venv.sh failed: cannot run NEURON")
    return VENV_PY


def run_neuron(python, script, extra=()):
    command = [python, os.path.join(HERE, script), *extra]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    wait_for_quiet()
    before = loadavg()
    with tempfile.TemporaryDirectory() as work:
        output = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    line = next((l for l in output.stdout.splitlines() if l.startswith("RESULT ")), None)
    if output.returncode != 0 or line is None:
        tail = (output.stdout[-1500:] + "\n" + output.stderr[-1500:]).strip()
        raise BenchError(f"NEURON run failed: {' '.join(command)} (exit {output.returncode})\n{tail}")
    result = json.loads(line[len("RESULT "):])
    result.update(loadavg_before=before, loadavg_after=loadavg(), cmd=" ".join(command[1:]))
    return result


def best_of(runs):
    best = dict(min(runs, key=lambda r: r["sim_s"]))
    times = sorted(r["sim_s"] for r in runs)
    best.update(sim_s_all=[r["sim_s"] for r in runs], sim_s_median=times[len(times) // 2],
                reps=len(runs), loadavg_before=runs[0]["loadavg_before"],
                loadavg_after=runs[-1]["loadavg_after"],
                load_max=max(max(r["loadavg_before"], r["loadavg_after"]) for r in runs))
    return best


# ---------------------------------------------------------------- cajal

def cajal_binary(args):
    path = args.cajal
    if os.path.exists(path):
        return path
    if path != os.path.join(ROOT, "target", "release", "cajal"):
        raise BenchError(f"cajal binary {path} does not exist")
    print("target/release/cajal missing: cargo build --release -p cajal-cli", file=sys.stderr)
    built = subprocess.run(["cargo", "build", "--release", "-p", "cajal-cli"], cwd=ROOT)
    if built.returncode != 0 or not os.path.exists(path):
        raise BenchError("cargo build --release -p cajal-cli failed")
    return path


def model_with_method(model, method, work):
    """The model file itself for its own method, else a copy with [simulation] method replaced
    (the cable model files refer to no other files, so the copy may live anywhere)."""
    with open(model) as f:
        text = f.read()
    current = re.search(r'^method\s*=\s*"([^"]*)"', text, re.M)
    if current and current.group(1) == method:
        return model
    if current:
        text = text[:current.start()] + f'method = "{method}"' + text[current.end():]
    else:
        text = re.sub(r"^\[simulation\]\s*$", f'[simulation]\nmethod = "{method}"', text, count=1,
                      flags=re.M)
    path = os.path.join(work, f"{os.path.splitext(os.path.basename(model))[0]}_{method}.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise BenchError(f"{path} is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def parse_label(label):
    """(section, position or None) of a trace label: `soma@0.5`, `axon(0.9)`, `axon 0.9`;
    a location given as a distance or in lambdas (`cable@300um`, `cable@1.5lambda`) or a bare
    section name gives position None."""
    m = re.match(r"^\s*([^@(\s]+)\s*(?:[@(\s]\s*(.*?)\)?)?\s*$", str(label))
    if not m:
        return str(label).strip(), None
    where = m.group(2) or ""
    try:
        return m.group(1), float(where)
    except ValueError:
        return m.group(1), None


def label_matches(label, section, position):
    name, where = parse_label(label)
    if position is None:
        return name == section or str(label).strip().startswith(section)
    return name == section and where is not None and abs(where - position) < 1e-6


def column_for(header, section, position=None):
    """Index of the traces.csv column of `section` (at `position`, if given; else the first
    column whose label starts with the section name, as for `soma`)."""
    return next((i for i, label in enumerate(header)
                 if label != "time_ms" and label_matches(label, section, position)), None)


def summary_spikes(summary, section, position=None):
    """Spike times from summary.json, if cajal puts them there: a map from trace labels to
    lists of times (ms) under `spike_times`, `spike_times_ms` or `spikes`."""
    for key in ("spike_times", "spike_times_ms", "spikes"):
        value = summary.get(key)
        if isinstance(value, dict):
            for label, times in value.items():
                if label_matches(label, section, position) and isinstance(times, list):
                    return [float(t) for t in times]
    return None


def run_cajal(binary, model, keep_dir=None):
    """One `cajal run`: timings from summary.json, profile.csv and traces.csv read in."""
    wait_for_quiet()
    before = loadavg()
    out = tempfile.mkdtemp(prefix="cajal_cable_")
    try:
        command = [binary, "run", model, "-o", out, "--quiet"]
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            lines = (proc.stderr.strip() or proc.stdout.strip() or "(no output)").splitlines()
            shown = model if not model.startswith(ROOT + os.sep) else os.path.relpath(model, ROOT)
            first = next((l for l in lines if l.strip()), "")
            first = re.sub(r"^\s*(Error:)?\s*×?\s*", "", first)
            raise BenchError(f"`cajal run {shown}` failed (exit {proc.returncode}): {first}\n"
                             "  (cable models need a cajal whose `run` supports the cable format: "
                             "see bench/README.md, 'Cable benchmark')\n"
                             + "\n".join("  | " + l for l in lines[-12:]))
        summary_path = os.path.join(out, "summary.json")
        if not os.path.exists(summary_path):
            raise BenchError(f"cajal wrote no summary.json for {model}")
        try:
            with open(summary_path) as f:
                summary = json.load(f)
        except ValueError as e:
            raise BenchError(f"cajal's summary.json for {model} is not valid JSON: {e}")
        if "simulate_seconds" not in summary:
            raise BenchError(f"summary.json of {model} has no simulate_seconds "
                             f"(keys: {', '.join(sorted(summary))})")
        result = {"sim": "cajal", "sim_s": float(summary["simulate_seconds"]),
                  "build_s": summary.get("build_seconds"), "setup_s": summary.get("build_seconds"),
                  "cajal_wall_s": summary.get("wall_seconds"), "process_wall_s": wall,
                  "compartments": summary.get("compartments"), "summary": summary,
                  "loadavg_before": before, "loadavg_after": loadavg()}
        files = {}
        for name in ("profile.csv", "traces.csv"):
            path = os.path.join(out, name)
            if os.path.exists(path):
                files[name] = read_csv(path)
        result["files"] = files
        if keep_dir:
            os.makedirs(keep_dir, exist_ok=True)
            for name in ("summary.json", "traces.csv", "profile.csv"):
                if os.path.exists(os.path.join(out, name)):
                    shutil.copy(os.path.join(out, name), keep_dir)
        return result
    finally:
        shutil.rmtree(out, ignore_errors=True)


def cajal_reps(binary, model, reps, keep_dir):
    runs = [run_cajal(binary, model, keep_dir)]  # a failure stops here, not after reps
    runs += [run_cajal(binary, model) for _ in range(reps - 1)]
    best = best_of(runs)
    best["files"] = runs[0]["files"]
    best["summary"] = runs[0]["summary"]
    return best


def cajal_passive_accuracy(result):
    if "profile.csv" not in result["files"]:
        raise BenchError("cajal wrote no profile.csv for the passive cable")
    header, rows = result["files"]["profile.csv"]
    if "v_mv" not in header or ("x_um" not in header and "position" not in header):
        raise BenchError(f"profile.csv columns are {header}, expected section,position,x_um,v_mv")
    iv = header.index("v_mv")
    if "x_um" in header:
        ix, scale = header.index("x_um"), 1.0
    else:  # position along the (single) cable section
        ix, scale = header.index("position"), PASSIVE["L_um"]
    points = [(float(r[ix]) * scale, float(r[iv])) for r in rows if len(r) > max(ix, iv)]
    if not points:
        raise BenchError("cajal's profile.csv has no rows")
    errors = [abs(v - passive_steady_state_mv(x)) / abs(passive_steady_state_mv(x)) for x, v in points]
    first = min(points)
    return {"max_rel_err": max(errors), "profile_nodes": len(points),
            "V0_sim_mV": first[1], "x0_um": first[0],
            "V0_analytic_at_x0_mV": passive_steady_state_mv(first[0]),
            "VL_sim_mV": max(points)[1]}


def cajal_branched_spikes(result):
    summary = result["summary"]
    header, rows = result["files"].get("traces.csv", ([], []))
    t_col = header.index("time_ms") if "time_ms" in header else (0 if header else None)
    t = [float(r[t_col]) for r in rows] if t_col is not None else []
    spikes, source = {}, {}
    for key, section, position in (("soma", "soma", None), ("axon@0.9", "axon", 0.9),
                                   ("axon@0.25", "axon", 0.25), ("axon@0.75", "axon", 0.75)):
        col = column_for(header, section, position) if header else None
        if col is not None:
            spikes[key] = spike_times(t, [float(r[col]) for r in rows])
            source[key] = f"traces.csv:{header[col]}"
        else:
            from_summary = summary_spikes(summary, section, position)
            if from_summary is not None:
                spikes[key], source[key] = from_summary, "summary.json"
    if "soma" not in spikes:
        raise BenchError("no soma trace in cajal's traces.csv (a column labelled soma@...) "
                         "and no soma spike times in summary.json")
    vel = velocities(spikes.get("axon@0.25", []), spikes.get("axon@0.75", []))
    return {"spike_times_soma_ms": spikes["soma"], "spike_times_axon09_ms": spikes.get("axon@0.9"),
            "trace_dt_ms": t[1] - t[0] if len(t) > 1 else None,
            "n_spikes": len(spikes["soma"]), "spike_sources": source,
            "conduction_velocity_m_per_s": vel[0] if vel else None,
            "conduction_velocities_m_per_s": vel,
            "conduction_velocity_summary_m_per_s": summary.get("conduction_velocity_m_per_s")}


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="neuron,cajal", help="comma list: neuron, cajal")
    ap.add_argument("--workloads", default="passive,branched")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per measurement (min reported)")
    ap.add_argument("--cajal", default=os.path.join(ROOT, "target", "release", "cajal"))
    ap.add_argument("--python", default=None, help="Python with NEURON (default bench/.venv)")
    ap.add_argument("--n-spikes", type=int, default=0,
                    help="compare the first N spikes (default 0: all that both runs have)")
    ap.add_argument("--quiet-wait", type=float, default=0.0,
                    help="before each run wait up to this many seconds for the load to drop")
    ap.add_argument("--quiet-load", type=float, default=1.0,
                    help="the 1-min load average --quiet-wait waits for (default 1.0)")
    ap.add_argument("--ref-dt", type=float, default=0.001)
    ap.add_argument("--ref-nseg-factor", type=int, default=3)
    ap.add_argument("--ref-check", action="store_true",
                    help="also run the reference at 2x ref-dt: Richardson estimate of its own error")
    args = ap.parse_args()
    QUIET.update(wait_s=args.quiet_wait, below=args.quiet_load)
    simulators = [s.strip() for s in args.only.split(",") if s.strip()]
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for s in simulators:
        if s not in ("neuron", "cajal"):
            ap.error(f"--only: unknown simulator {s!r} (neuron, cajal)")
    for w in workloads:
        if w not in LABELS:
            ap.error(f"--workloads: unknown workload {w!r} (passive, branched)")

    run_id = time.strftime("%Y%m%d-%H%M%S")
    keep = os.path.join(HERE, "results", f"cables-{run_id}")
    os.makedirs(keep, exist_ok=True)
    common = {"bench": "compare_cables", "run_id": run_id, "host_cpu": host_cpu(),
              "hostname": platform.node()}
    failures = []
    rows = []

    def record(result):
        result = {k: v for k, v in result.items() if k not in ("files", "summary")}
        result.update(common)
        result["loaded"] = max(result.get("load_max", 0.0), result["loadavg_before"],
                               result["loadavg_after"]) > 1.5
        with open(RESULTS, "a") as f:
            f.write(json.dumps(result) + "\n")
        rows.append(result)

    def fail(what, error):
        failures.append((what, str(error)))
        print(f"\n*** {what}: {error}\n", file=sys.stderr)

    binary = None
    if "cajal" in simulators:
        try:
            binary = cajal_binary(args)
        except BenchError as e:
            fail("cajal", e)
    python = None
    # NEURON: its own rows, and the fine reference that cajal's branched accuracy needs
    if "neuron" in simulators or ("branched" in workloads and binary):
        try:
            python = neuron_python(args)
        except BenchError as e:
            fail("NEURON", e)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    work = tempfile.mkdtemp(prefix="compare_cables_")

    try:
        if "passive" in workloads:
            if python and "neuron" in simulators:
                for method, so in METHODS.items():
                    try:
                        runs = [run_neuron(python, "cable_passive_neuron.py",
                                           ["--secondorder", str(so)]) for _ in range(args.reps)]
                        best = best_of(runs)
                        best.update(workload="passive", method=method)
                        record(best)
                    except BenchError as e:
                        fail(f"NEURON passive {method}", e)
            if binary:
                for method in CAJAL_ORDER:
                    try:
                        model = model_with_method(PASSIVE_MODEL, method, work)
                        best = cajal_reps(binary, model, args.reps,
                                          os.path.join(keep, f"cajal_passive_{method}"))
                        best.update(cajal_passive_accuracy(best))
                        best.update(workload="passive", method=method, model=os.path.relpath(PASSIVE_MODEL, ROOT))
                        record(best)
                    except (BenchError, ValueError, KeyError, IndexError, OSError) as e:
                        fail(f"cajal passive {method}", e)
                        break  # the other method would fail the same way

        if "branched" in workloads:
            measured = []  # (kind, result), accuracy added once the reference has run
            if binary:  # first: a cajal without cable support fails in a second, not after 20 s
                for method in CAJAL_ORDER:
                    try:
                        model = model_with_method(BRANCHED_MODEL, method, work)
                        best = cajal_reps(binary, model, args.reps,
                                          os.path.join(keep, f"cajal_branched_{method}"))
                        best.update(cajal_branched_spikes(best))
                        best.update(workload="branched", method=method,
                                    model=os.path.relpath(BRANCHED_MODEL, ROOT))
                        measured.append(best)
                    except (BenchError, ValueError, KeyError, IndexError, OSError) as e:
                        fail(f"cajal branched {method}", e)
                        break
            if python and "neuron" in simulators:
                # NEURON as users run it (hh rates from its 1 mV tables, the default) and with
                # the rates computed exactly, as cajal computes them: the accuracy comparison
                # at equal model is the second.
                for exact in (False, True):
                    for method, so in METHODS.items():
                        try:
                            runs = []
                            for rep in range(args.reps):
                                extra = ["--secondorder", str(so)]
                                if exact:
                                    extra.append("--exact-rates")
                                if rep == 0:
                                    suffix = "_exact" if exact else ""
                                    extra += ["--trace-out", os.path.join(
                                        keep, f"neuron_branched_{method}{suffix}.csv")]
                                runs.append(run_neuron(python, "cable_branched_neuron.py", extra))
                            best = best_of(runs)
                            best.update(workload="branched", method=method, exact_rates=exact)
                            measured.append(best)
                        except BenchError as e:
                            fail(f"NEURON branched {method}", e)
            reference = None
            if python and measured:
                try:
                    reference = run_neuron(python, "cable_branched_neuron.py", [
                        "--secondorder", "2", "--dt", str(args.ref_dt),
                        "--nseg-factor", str(args.ref_nseg_factor), "--exact-rates",
                        "--trace-out", os.path.join(keep, "neuron_branched_reference.csv")])
                    reference.update(workload="branched", method="crank-nicolson", role="reference",
                                     reps=1)
                    if args.ref_check:
                        coarse = run_neuron(python, "cable_branched_neuron.py", [
                            "--secondorder", "2", "--dt", str(2 * args.ref_dt),
                            "--nseg-factor", str(args.ref_nseg_factor), "--exact-rates"])
                        err, n = spike_error(coarse["spike_times_soma_ms"],
                                             reference["spike_times_soma_ms"])
                        # second order in dt: error(dt) ~ |t(2 dt) - t(dt)| / (2^2 - 1)
                        reference["ref_error_estimate_ms"] = err / 3.0 if err is not None else None
                        reference["ref_check_dt_ms"] = 2 * args.ref_dt
                        reference["ref_check_max_dt_diff_ms"] = err
                        reference["ref_check_spike_times_soma_ms"] = coarse["spike_times_soma_ms"]
                    record(reference)
                except BenchError as e:
                    fail("NEURON branched reference", e)
            for result in sorted(measured, key=lambda r: r["sim"] != "neuron"):
                if reference is not None:
                    ref_soma = reference["spike_times_soma_ms"]
                    err, n = spike_error(result["spike_times_soma_ms"], ref_soma, args.n_spikes)
                    result.update(spike_err_soma_ms=err, spike_err_n=n,
                                  n_spikes_reference=len(ref_soma))
                    if result.get("spike_times_axon09_ms") is not None:
                        err, n = spike_error(result["spike_times_axon09_ms"],
                                             reference["spike_times_axon09_ms"], args.n_spikes)
                        result.update(spike_err_axon09_ms=err, spike_err_axon09_n=n)
                record(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(rows)
    print(f"\nresults: {os.path.relpath(RESULTS, ROOT)} (run_id {run_id}); traces and cajal outputs: "
          f"{os.path.relpath(keep, ROOT)}/")
    if failures:
        print("\nFAILED (see above):", file=sys.stderr)
        for what, error in failures:
            print(f"  {what}: {error.splitlines()[0]}", file=sys.stderr)
        sys.exit(1)


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def print_table(rows):
    if not rows:
        print("\nno measurements")
        return
    print("\n| workload | simulator | method | sim time (s) | ratio NEURON/cajal | accuracy | setup (s) | load |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        sim = row["sim"]
        if row.get("role") == "reference":
            sim_label = f"NEURON reference (dt {row['dt_ms']:g}, nseg ×{row['nseg_factor']})"
        else:
            sim_label = {"neuron": "NEURON", "cajal": "cajal"}.get(sim, sim)
            if sim == "neuron":
                sim_label += f" secondorder={row['secondorder']}"
                if row.get("exact_rates"):
                    sim_label += ", exact hh rates"
        ratio = ""
        if sim == "neuron" and row.get("role") != "reference":
            cajal = next((r for r in rows if r["sim"] == "cajal" and r["workload"] == row["workload"]
                          and r["method"] == row["method"]), None)
            ratio = f"{row['sim_s'] / cajal['sim_s']:.2f}×" if cajal and cajal["sim_s"] > 0 else "–"
        if row["workload"] == "passive":
            acc = f"max rel. err {fmt(row.get('max_rel_err'), '.2e')}"
            if row.get("max_rel_err_centres") is not None:
                acc += f" (centres {row['max_rel_err_centres']:.2e})"
        elif row.get("role") == "reference":
            acc = (f"truth: {row['n_spikes']} soma spikes, first {row['spike_times_soma_ms'][0]:.4f} ms"
                   if row["spike_times_soma_ms"] else "truth: no spikes")
            acc += f"; v = {fmt(row.get('conduction_velocity_m_per_s'), '.4f')} m/s"
            if row.get("ref_error_estimate_ms") is not None:
                acc += f"; own error ≈ {row['ref_error_estimate_ms']:.1e} ms"
        else:
            acc = (f"soma max abs Δt {fmt(row.get('spike_err_soma_ms'), '.4f')} ms over "
                   f"{row.get('spike_err_n', 0)} spikes ({row['n_spikes']} vs "
                   f"{row.get('n_spikes_reference', '?')})")
            if row.get("spike_err_axon09_ms") is not None:
                acc += f"; axon(0.9) {row['spike_err_axon09_ms']:.4f} ms"
            acc += f"; v = {fmt(row.get('conduction_velocity_m_per_s'), '.4f')} m/s"
        sim_s = f"{row['sim_s']:.4f}"
        if row.get("reps", 1) > 1:
            sim_s += f" (min of {row['reps']})"
        load = f"{row['loadavg_before']:.2f}/{row['loadavg_after']:.2f}" + (" ⚠" if row["loaded"] else "")
        print(f"| {LABELS[row['workload']]} | {sim_label} | {row['method']} | {sim_s} | {ratio} | {acc} | "
              f"{fmt(row.get('setup_s'), '.3f')} | {load} |")


if __name__ == "__main__":
    main()

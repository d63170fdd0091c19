#!/usr/bin/env bash
# Side-by-side single-thread throughput of N uncoupled neurons under constant current:
# cajal vs Brian2 (standalone C++) vs NEST, run one at a time on this machine.
#
#   bash bench/compare_neurons.sh                 # full: LIF 1e6 x 1 s, HH 1e5 x 200 ms (~25 min)
#   bash bench/compare_neurons.sh --quick         # smoke: LIF 1e5, HH 1e4 (~4 min + waits)
#   bash bench/compare_neurons.sh --only cajal    # one simulator (cajal | brian2 | nest)
#   options: --workloads lif,hh  --reps 3  --lif-n N  --hh-n N  --with-recording
#            --max-load 1.5  --retries 2  --quiet-load 1.0  --quiet-wait 900
#            --no-wait     neither wait for a quiet machine nor rerun loaded measurements
#   env:     CAJAL_BIN=path        use this binary instead of building
#            BENCH_JSONL=file      append results here (default bench/results/results.jsonl)
#            CAJAL_TARGET_DIR=dir  cargo --target-dir for the build (default: workspace target)
#
# Workloads (see bench/README.md): cajal runs bench/models/{lif,hh}_neurons.toml with `size`
# replaced; Brian2 and NEST run bench/neurons_{brian2,nest}.py with the same n, duration, dt.
# cajal runs --reps times (best and median reported), the others once.
#
# Load: before each measurement the script waits (up to --quiet-wait s) until the 1-min load
# average is below --quiet-load and at most 2 tasks are runnable. During a measurement it
# samples /proc/loadavg every 2 s. A measurement is "loaded" when the 1-min load average
# exceeded --max-load (before, during or after) or in more than half of the samples 3 or more
# tasks were runnable (the benchmark + the sampler = 2): it is then rerun, after waiting for quiet, up to
# --retries times. Every attempt is appended to bench/results/results.jsonl (with
# loadavg_before/after, load_max, runnable_mean, runnable_busy_frac, loaded, attempt, run_id); the table uses each
# measurement's last attempt. Logs, cajal summaries and the table go to
# bench/results/compare-<run_id>/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

QUICK=0; ONLY=all; REPS=3; WORKLOADS="lif,hh"; LIF_N=""; HH_N=""; WITH_REC=0
MAX_LOAD=1.5; RETRIES=2; QUIET_LOAD=1.0; QUIET_WAIT=900; WAIT=1

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --only) ONLY="$2"; shift ;;
        --only=*) ONLY="${1#*=}" ;;
        --reps) REPS="$2"; shift ;;
        --workloads) WORKLOADS="$2"; shift ;;
        --lif-n) LIF_N="$2"; shift ;;
        --hh-n) HH_N="$2"; shift ;;
        --with-recording) WITH_REC=1 ;;
        --max-load) MAX_LOAD="$2"; shift ;;
        --retries) RETRIES="$2"; shift ;;
        --quiet-load) QUIET_LOAD="$2"; shift ;;
        --quiet-wait) QUIET_WAIT="$2"; shift ;;
        --no-wait) WAIT=0; RETRIES=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$ONLY" in all|cajal|brian2|nest) ;; *) echo "--only: cajal | brian2 | nest" >&2; exit 2 ;; esac
if [[ $QUICK -eq 1 ]]; then : "${LIF_N:=100000}" "${HH_N:=10000}"; else : "${LIF_N:=1000000}" "${HH_N:=100000}"; fi
want() { [[ "$ONLY" == all || "$ONLY" == "$1" ]]; }

# Single thread everywhere (cajal is single-threaded; Brian2 standalone uses OpenMP only
# when asked; NEST gets --threads 1).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1 \
       RAYON_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1

RUN_ID="$(date +%Y%m%d-%H%M%S)"
OUTDIR="$HERE/results"; LOGDIR="$OUTDIR/compare-$RUN_ID"; JSONL="${BENCH_JSONL:-$OUTDIR/results.jsonl}"
mkdir -p "$LOGDIR"
WORK="$(mktemp -d /tmp/compare_neurons.XXXXXX)"
SAMPLER=""
cleanup() { [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
FINAL="$LOGDIR/final.jsonl"; : > "$FINAL"; FAILED=0
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# --- 1. the Python venv (Brian2, NEST) -------------------------------------------------
PY="$HERE/.venv/bin/python"
if want brian2 || want nest; then
    if [[ ! -x "$PY" ]]; then
        log "bench/.venv missing: running bench/setup_venv.sh"
        bash "$HERE/setup_venv.sh"
    fi
fi
HPY="$PY"; [[ -x "$HPY" ]] || HPY="$(command -v python3)"   # for the JSON helper only

# --- 2. the cajal binary -----------------------------------------------------------------
if want cajal; then
    if [[ -n "${CAJAL_BIN:-}" ]]; then
        SRC_BIN="$CAJAL_BIN"
        CAJAL_REV="$(cat "$CAJAL_BIN.rev" 2>/dev/null || echo "given: $CAJAL_BIN")"
    else
        TD="${CAJAL_TARGET_DIR:-$ROOT/target}"
        log "building cajal (cargo build --release --target-dir $TD)"
        CAJAL_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
        [[ -n "$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]] \
            && CAJAL_REV="$CAJAL_REV+dirty"
        (cd "$ROOT" && cargo build --release --target-dir "$TD" -p cajal-cli >&2)
        SRC_BIN="$TD/release/cajal"
    fi
    [[ -x "$SRC_BIN" ]] || { echo "no cajal binary at $SRC_BIN" >&2; exit 1; }
    BIN="$WORK/cajal"; cp "$SRC_BIN" "$BIN"   # private copy: later rebuilds cannot change it
fi

# --- helpers -------------------------------------------------------------------------------
cat > "$WORK/helper.py" <<'PY'
import json, math, os, statistics, sys

def samples(path):
    out = []
    for line in open(path):
        f = line.split()
        if len(f) >= 4:
            out.append((float(f[0]), int(f[3].split("/")[0])))
    return out

def record(argv):
    # record KIND SRC META_JSON SAMPLES LA0 LA1 MAX_LOAD RSS_KB
    kind, src, meta, spath, la0, la1, max_load, rss = argv
    meta = json.loads(meta); la0 = float(la0); la1 = float(la1); max_load = float(max_load)
    if kind == "cajal":
        s = json.load(open(src))
        (name, p), = s["populations"].items()
        steps = int(s["steps"]); loop = float(s["simulate_seconds"])
        d = {"workload": meta["workload"], "sim": "cajal", "mode": meta["mode"], "threads": s.get("threads", 1),
             "n": p["size"], "dt_ms": s["dt_ms"], "sim_time_ms": s["biological_seconds"] * 1000.0,
             "steps": steps, "loop_s": loop, "setup_s": s["build_seconds"], "compile_s": None,
             "wall_s": s["wall_seconds"], "updates_per_s": p["size"] * steps / loop,
             "n_spikes": p["spike_count"], "rate_hz": p["rate_hz"], "complete": s["complete"]}
    else:
        line = [l for l in open(src) if l.startswith("RESULT ")][-1]
        d = json.loads(line[7:])
    sm = samples(spath)
    loads = [la0, la1] + [l for l, _ in sm]
    run_mean = statistics.fmean(r for _, r in sm) if sm else None
    # share of samples with another task runnable besides the benchmark and the sampler
    busy = sum(1 for _, r in sm if r >= 3) / len(sm) if sm else None
    for k, v in meta.items():   # the script's own keys win unless meta says something
        if k not in d or v not in ("", None):
            d[k] = v
    d.update({"loadavg_before": la0, "loadavg_after": la1, "load_max": max(loads),
              "runnable_mean": run_mean, "runnable_busy_frac": busy, "load_samples": len(sm),
              "max_rss_mb": (int(rss) / 1024.0) if rss.isdigit() else None})
    d["loaded"] = bool(d["load_max"] > max_load or (busy is not None and busy > 0.5))
    print(json.dumps(d))

def fmt_e(x):
    return "–" if x is None else f"{x:.3g}" if x < 1e3 else f"{x:.2e}".replace("e+0", "e").replace("e+", "e")

def table(argv):
    path, = argv
    rows = [json.loads(l) for l in open(path) if l.strip()]
    out = ["| workload | simulator | n | steps | loop s | updates/s | cajal/other | spike rate (Hz) | load (max 1-min) |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for wl in ["neurons_lif", "neurons_hh"]:
        rs = [r for r in rows if r["workload"] == wl]
        if not rs:
            continue
        caj = sorted((r for r in rs if r["sim"] == "cajal" and not r.get("recording")),
                     key=lambda r: r["loop_s"])
        best = caj[0] if caj else None
        med_ups = statistics.median(r["updates_per_s"] for r in caj) if caj else None
        def line(label, r, loop, ups, ratio):
            warn = " ⚠" if r.get("loaded") else ""
            out.append(f"| {wl} | {label} | {r['n']:.0e}".replace("e+0", "e") +
                       f" | {r['steps']} | {loop:.2f} | {fmt_e(ups)} | {ratio} | {r['rate_hz']:.2f} | "
                       f"{r['load_max']:.2f}{warn} |")
        if best:
            line(f"cajal ({best['mode']}), best of {len(caj)}", best, best["loop_s"], best["updates_per_s"], "1")
            if len(caj) > 1:
                med_loop = statistics.median(r["loop_s"] for r in caj)
                worst = max(caj, key=lambda r: r["load_max"])
                line(f"cajal, median of {len(caj)}", worst, med_loop, med_ups, "1")
        for r in rs:
            if r["sim"] == "cajal" and r.get("recording"):
                ratio = f"{best['updates_per_s'] / r['updates_per_s']:.2f}" if best else "–"
                line(f"cajal ({r['mode']}), spikes recorded", r, r["loop_s"], r["updates_per_s"], ratio)
        for r in rs:
            if r["sim"] == "cajal":
                continue
            label = {"brian2": f"Brian2 {r.get('mode', '')}", "nest": f"NEST {r.get('mode', '')}"}.get(r["sim"], r["sim"])
            if best:
                ratio = f"{best['updates_per_s'] / r['updates_per_s']:.2f}"
                if med_ups is not None and len(caj) > 1:
                    ratio += f" (median {med_ups / r['updates_per_s']:.2f})"
            else:
                ratio = "–"
            line(label, r, r["loop_s"], r["updates_per_s"], ratio)
    print("\n".join(out))
    if any(r.get("loaded") for r in rows):
        print("\n⚠ = still loaded after the reruns (load average > max-load or other runnable tasks).")

if __name__ == "__main__":
    {"record": record, "table": table}[sys.argv[1]](sys.argv[2:])
PY

gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

wait_quiet() {
    [[ $WAIT -eq 1 ]] || return 0
    local t0=$SECONDS l1 r quiet=0 said=0
    while :; do
        read -r l1 _ _ r _ < /proc/loadavg; r=${r%%/*}
        if ! gt "$l1" "$QUIET_LOAD" && (( r <= 2 )); then
            quiet=$((quiet + 1)); (( quiet >= 3 )) && return 0; sleep 1; continue
        fi
        quiet=0
        if (( SECONDS - t0 >= QUIET_WAIT )); then
            log "still busy after ${QUIET_WAIT}s (load $l1, runnable $r): measuring anyway"; return 0
        fi
        (( said == 0 )) && { log "waiting for a quiet machine (load $l1, runnable $r)"; said=1; }
        sleep 10
    done
}

# measure KIND SRC META_JSON CMD...: run CMD (in $WORK) with the load sampler, rerunning when
# loaded; every attempt goes to results.jsonl, the last to final.jsonl.
measure() {
    local kind="$1" src="$2" meta="$3"; shift 3
    local attempt=0 la0 la1 rec logf rss
    while :; do
        attempt=$((attempt + 1))
        wait_quiet
        logf="$LOGDIR/$(echo "$meta" | "$HPY" -c 'import json,sys; m=json.load(sys.stdin); print("%s-%s-%s" % (m["sim"], m["workload"], m.get("label", "")))')-a$attempt.log"
        log ">>> $* (attempt $attempt)"
        read -r la0 _ < /proc/loadavg
        # builtin read: a forked `cat` would itself count as runnable (plus its parent); the
        # first sample after 2 s, not amid the start-up of the benchmark's processes
        ( while :; do sleep 2; read -r l < /proc/loadavg; echo "$l"; done ) > "$WORK/samples" &
        SAMPLER=$!
        if ! (cd "$WORK" && /usr/bin/time -f 'MAXRSS_KB %M' -o "$WORK/time" "$@") > "$logf" 2>&1; then
            kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
            log "FAILED: $* (see $logf)"; tail -5 "$logf" >&2; FAILED=$((FAILED + 1)); return 0
        fi
        kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
        read -r la1 _ < /proc/loadavg
        rss=$(awk '/^MAXRSS_KB/ {print $2}' "$WORK/time" 2>/dev/null || true)
        [[ "$kind" == cajal ]] && cp "$src" "$LOGDIR/$(basename "$logf" .log).summary.json"
        [[ "$kind" == py ]] && src="$logf"
        rec=$("$HPY" "$WORK/helper.py" record "$kind" "$src" \
              "$(echo "$meta" | "$HPY" -c 'import json,sys; m=json.load(sys.stdin); m.update(attempt=int(sys.argv[1])); print(json.dumps(m))' "$attempt")" \
              "$WORK/samples" "$la0" "$la1" "$MAX_LOAD" "${rss:-}")
        echo "$rec" >> "$JSONL"
        echo "$rec" | "$HPY" -c 'import json,sys; d=json.load(sys.stdin); print("    %s %s n=%d loop %.2f s, %.3g updates/s, %.2f Hz, load %.2f->%.2f (max %.2f, runnable %.2f)%s" % (d["sim"], d["workload"], d["n"], d["loop_s"], d["updates_per_s"], d["rate_hz"], d["loadavg_before"], d["loadavg_after"], d["load_max"], d["runnable_mean"] or 0, "  LOADED" if d["loaded"] else ""))' >&2
        if echo "$rec" | "$HPY" -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["loaded"] else 1)' \
           && (( attempt <= RETRIES )); then
            log "load above limits during the measurement: rerunning when quieter"
            continue
        fi
        echo "$rec" >> "$FINAL"
        return 0
    done
}

HOST_JSON=$("$HPY" - <<'PY'
import json, os, platform
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
print(json.dumps({"host_cpu": cpu, "host_cores": os.cpu_count(), "host_avx2": " avx2" in flags,
                  "host_kernel": platform.release()}))
PY
)
meta() {  # meta WORKLOAD SIM MODE LABEL [extra json]
    local extra="${5:-}"; [[ -n "$extra" ]] || extra='{}'
    "$HPY" -c 'import json,sys; d={"workload":sys.argv[1],"sim":sys.argv[2],"mode":sys.argv[3],"label":sys.argv[4],"run_id":sys.argv[5],"date":sys.argv[6],"quick":sys.argv[7]=="1","bench":"compare_neurons"}; d.update(json.loads(sys.argv[8])); d.update(json.loads(sys.argv[9] if len(sys.argv)>9 else "{}")); print(json.dumps(d))' \
        "$1" "$2" "$3" "$4" "$RUN_ID" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$QUICK" "$HOST_JSON" "$extra"
}

cajal_model() {  # cajal_model WL N RECORD -> path of a generated model file
    local wl="$1" n="$2" rec="$3" f="$WORK/${1}_$2_$3.toml" pop
    pop=$([[ $wl == lif ]] && echo lif || echo hh)
    if [[ $rec == 1 ]]; then
        sed -e "s/^size = .*/size = $n/" -e '/^record = \[\]/d' "$HERE/models/${wl}_neurons.toml" > "$f"
        printf '\n[[record]]\nkind = "spikes"\npopulation = "%s"\n' "$pop" >> "$f"
    else
        sed -e "s/^size = .*/size = $n/" "$HERE/models/${wl}_neurons.toml" > "$f"
    fi
    grep -q "^size = $n\$" "$f" || { echo "could not set size in $f" >&2; exit 1; }
    echo "$f"
}

# --- 3. the measurements -----------------------------------------------------------------
log "run $RUN_ID: workloads $WORKLOADS, LIF n=$LIF_N, HH n=$HH_N, only=$ONLY, cajal reps=$REPS; logs in $LOGDIR"
IFS=',' read -r -a WLS <<< "$WORKLOADS"
for wl in "${WLS[@]}"; do
    case "$wl" in
        lif) n=$LIF_N; cmode="lif grid"; ;;
        hh)  n=$HH_N;  cmode="hh RK4" ;;
        *) echo "unknown workload $wl" >&2; exit 2 ;;
    esac
    if want cajal; then
        model=$(cajal_model "$wl" "$n" 0)
        for rep in $(seq 1 "$REPS"); do
            rm -rf "$WORK/out"
            measure cajal "$WORK/out/summary.json" \
                "$(meta "neurons_$wl" cajal "$cmode" "rep$rep" "{\"rep\": $rep, \"recording\": false, \"records\": \"none (spike count only)\", \"cajal_rev\": \"$CAJAL_REV\", \"initial_potential\": \"all at rest\"}")" \
                "$BIN" run "$model" -o "$WORK/out" --quiet
        done
        if [[ $WITH_REC -eq 1 ]]; then
            model=$(cajal_model "$wl" "$n" 1)
            rm -rf "$WORK/out"
            measure cajal "$WORK/out/summary.json" \
                "$(meta "neurons_$wl" cajal "$cmode" "rec" "{\"rep\": 1, \"recording\": true, \"records\": \"spikes of all neurons\", \"cajal_rev\": \"$CAJAL_REV\", \"initial_potential\": \"all at rest\"}")" \
                "$BIN" run "$model" -o "$WORK/out" --quiet
            rm -rf "$WORK/out"
        fi
    fi
    if want brian2; then
        measure py "" "$(meta "neurons_$wl" brian2 standalone "")" \
            "$PY" "$HERE/neurons_brian2.py" --model "$wl" --mode standalone --n "$n"
    fi
    if want nest; then
        measure py "" "$(meta "neurons_$wl" nest "" "")" \
            "$PY" "$HERE/neurons_nest.py" --model "$wl" --threads 1 --n "$n"
    fi
done

# --- 4. the table ----------------------------------------------------------------------------
{
    echo "## compare_neurons $RUN_ID ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc --all) cores, 1 thread)"
    echo
    "$HPY" "$WORK/helper.py" table "$FINAL"
    echo
    echo "updates/s = n·steps/loop s. loop s: cajal simulate_seconds (step loop, wall clock);"
    echo "Brian2 the standalone binary's main loop; NEST the wall time of nest.Simulate."
    echo "cajal/other = cajal's best updates/s over the other's (median-based in brackets)."
    echo "Semantic differences (see bench/models/*.toml and bench/README.md):"
    echo "* LIF: Brian2 and NEST start neuron i at V0 = 20·i/N mV; cajal cannot set heterogeneous"
    echo "  initial potentials yet, so all its neurons start at rest (0 mV) and fire in lockstep"
    echo "  (41.00 Hz; NEST 41.31 Hz, Brian2 41.43 Hz: Brian2's refractory period is one step shorter)."
    echo "* HH: cajal integrates with RK4, Brian2 with exponential Euler, NEST hh_psc_alpha with"
    echo "  adaptive RKF45; NEST detects spikes at a local maximum above 0 mV (t_ref 2 ms)."
    echo "* No simulator records spike times: counts only (cajal record = [], Brian2"
    echo "  SpikeMonitor(record=False), NEST kernel spike counter)."
    [[ $WITH_REC -eq 1 ]] && echo "* 'spikes recorded': cajal with [[record]] kind = \"spikes\" (loop time only; writing the outputs is extra)."
    echo "cajal binary: ${CAJAL_REV:-n/a}"
} | tee "$LOGDIR/table.md"
log "results appended to $JSONL; table in $LOGDIR/table.md"
(( FAILED == 0 )) || { log "$FAILED measurement(s) failed"; exit 1; }

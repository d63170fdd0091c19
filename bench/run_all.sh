#!/usr/bin/env bash
# Run the default-size throughput benchmarks one at a time (never concurrently) and
# the HH f-I references; append every RESULT line (plus load average) to
# bench/results/results.jsonl and echo them.
#   bash bench/run_all.sh [lif] [hh] [fi] [hh1000]     (default: lif hh fi)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$HERE/.venv/bin/python"
[[ -x "$PY" ]] || { echo "run bench/setup_venv.sh first" >&2; exit 1; }
OUT="$HERE/results"; mkdir -p "$OUT"
JSONL="$OUT/results.jsonl"
REF="${SHARED_BENCH:-$HERE/../../shared/bench}"   # team's reference scripts (read-only)
export OMP_NUM_THREADS=1

run() {  # run ARGS...: one benchmark in a fresh process, from a temp dir
    local la0 la1 line log
    la0=$(cut -d' ' -f1 /proc/loadavg)
    log="$OUT/$(date +%Y%m%d-%H%M%S)-$(basename "$1" .py).log"
    echo ">>> $*" >&2
    (cd /tmp && "$PY" "$@") >"$log" 2>&1 || { echo "FAILED: $* (see $log)" >&2; return 1; }
    la1=$(cut -d' ' -f1 /proc/loadavg)
    line=$(grep '^RESULT ' "$log" | tail -1 | cut -c8-)
    "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(cmd=sys.argv[2], loadavg_before=float(sys.argv[3]), loadavg_after=float(sys.argv[4])); print(json.dumps(d))' \
        "$line" "$*" "$la0" "$la1" | tee -a "$JSONL"
}

SETS=("$@"); [[ ${#SETS[@]} -eq 0 ]] && SETS=(lif hh fi)
for s in "${SETS[@]}"; do
    case "$s" in
        lif) run "$HERE/neurons_brian2.py" --model lif --mode standalone
             run "$HERE/neurons_nest.py" --model lif --threads 1 ;;
        hh)  run "$HERE/neurons_brian2.py" --model hh --mode standalone
             run "$HERE/neurons_nest.py" --model hh --threads 1 ;;
        hh1000) run "$HERE/neurons_brian2.py" --model hh --mode standalone --sim-time 1000 ;;
        fi)  run "$REF/hh_fi_neuron.py"
             run "$REF/hh_fi_brian2.py" --mode standalone ;;
        *) echo "unknown set $s" >&2; exit 1 ;;
    esac
done

#!/usr/bin/env bash
# Create bench/.venv (Python 3.13) with the reference simulators used by the
# bench/*.py scripts: Brian2, NEST 3, NEURON, Elephant, numpy, scipy, matplotlib.
#
# Idempotent: if bench/.venv already imports everything (and, with a pinned
# requirements.txt, has the pinned versions) it does nothing.
#
#   bash bench/setup_venv.sh            # create / complete the venv
#   bash bench/setup_venv.sh --unpinned # ignore requirements.txt, take latest, re-pin
#   PYTHON=/path/to/python3.13 bash bench/setup_venv.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
PKGS=(brian2 nest-simulator neuron elephant numpy scipy matplotlib)
UNPINNED=0
[[ "${1:-}" == "--unpinned" ]] && UNPINNED=1

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"; return 0; fi
    if command -v pyenv >/dev/null 2>&1; then
        local p
        p="$(pyenv root)/versions/3.13.0/bin/python3.13"
        if [[ -x "$p" ]]; then echo "$p"; return 0; fi
        # any other installed 3.13.x
        for p in "$(pyenv root)"/versions/3.13*/bin/python3.13; do
            if [[ -x "$p" ]]; then echo "$p"; return 0; fi
        done
    fi
    if command -v python3.13 >/dev/null 2>&1; then
        # a pyenv shim may exist without the version being active: check it runs
        if python3.13 -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then
            command -v python3.13; return 0
        fi
    fi
    return 1
}

check_venv() {
    # success when the venv imports all simulators (and matches the pins, if pinned)
    [[ -x "$VENV/bin/python" ]] || return 1
    "$VENV/bin/python" -c 'import brian2, nest, neuron, elephant, numpy, scipy, matplotlib' \
        >/dev/null 2>&1 || return 1
    if [[ $UNPINNED -eq 0 && -f "$REQ" ]]; then
        "$VENV/bin/python" - "$REQ" <<'PY' || return 1
import sys
from importlib.metadata import version, PackageNotFoundError
bad = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line or "==" not in line:
        continue
    name, want = (s.strip() for s in line.split("==", 1))
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        bad.append(f"{name}: have {have}, want {want}")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
PY
    fi
    return 0
}

if check_venv; then
    echo "bench/.venv is up to date ($("$VENV/bin/python" -V))"
    exit 0
fi

PY="$(find_python)" || {
    echo "ERROR: Python 3.13 not found. Brian2 2.11 needs Python >= 3.13." >&2
    echo "  Looked for \$(pyenv root)/versions/3.13.0/bin/python3.13 and python3.13 on PATH." >&2
    echo "  Install it (e.g. 'pyenv install 3.13.0') or set PYTHON=/path/to/python3.13." >&2
    exit 1
}
echo "Using $PY ($("$PY" -V 2>&1))"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip setuptools wheel >/dev/null

if [[ $UNPINNED -eq 0 && -f "$REQ" ]]; then
    "$VENV/bin/python" -m pip install -r "$REQ"
else
    "$VENV/bin/python" -m pip install "${PKGS[@]}"
    # pin what we got (top-level packages only)
    {
        echo "# Versions installed by bench/setup_venv.sh ($("$VENV/bin/python" -V)), $(date -u +%Y-%m-%d)"
        "$VENV/bin/python" - "${PKGS[@]}" <<'PY'
import sys
from importlib.metadata import version
for p in sys.argv[1:]:
    print(f"{p}=={version(p)}")
PY
    } > "$REQ"
    echo "wrote $REQ"
fi

"$VENV/bin/python" -c 'import brian2, nest, neuron, elephant; print("ok: brian2", brian2.__version__, "| nest", nest.__version__, "| neuron", neuron.__version__, "| elephant", elephant.__version__)'

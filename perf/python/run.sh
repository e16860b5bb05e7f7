#!/usr/bin/env bash
# perf/python/run.sh BUILD [bench.py options]: the Python codec benchmark
# (perf/python/bench.py) with the module built in BUILD (PYTHONPATH=
# BUILD/python) and the pinned venv of scripts/install-deps.sh (pyamqp from
# azure-eventhub; python3-qpid-proton through the system site packages).
set -euo pipefail
build=${1:?usage: perf/python/run.sh BUILD [--number N] [--repeat R] [--impls a,b]}
shift
here=$(cd "$(dirname "$0")" && pwd)
venv=${FAMQP_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp/python}/venv
[[ -x $venv/bin/python ]] || { echo "no venv at $venv: run scripts/install-deps.sh" >&2; exit 1; }
[[ -d $build/python/flatamqp ]] || { echo "no flatamqp module in $build/python (FAMQP_BUILD_PYTHON)" >&2; exit 1; }
PYTHONPATH=$(cd "$build" && pwd)/python exec "$venv/bin/python" "$here/bench.py" "$@"

#!/usr/bin/env bash
# perf/python/run.sh BUILD [bench.py options]: the Python codec benchmark
# (perf/python/bench.py) with the module built in BUILD (PYTHONPATH=
# BUILD/python) and the pinned venv of scripts/install-deps.sh (pyamqp from
# azure-eventhub; python3-qpid-proton through the system site packages),
# and uamqp's row measured in a venv of its own beside it (uamqp-venv, from
# perf/python/requirements-uamqp.txt, made on first use; when its wheel
# does not install, the row is left out with the reason).
set -euo pipefail
build=${1:?usage: perf/python/run.sh BUILD [--number N] [--repeat R] [--impls a,b]}
shift
here=$(cd "$(dirname "$0")" && pwd)
venv=${FAMQP_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp/python}/venv
[[ -x $venv/bin/python ]] || { echo "no venv at $venv: run scripts/install-deps.sh" >&2; exit 1; }
[[ -d $build/python/flatamqp ]] || { echo "no flatamqp module in $build/python (FAMQP_BUILD_PYTHON)" >&2; exit 1; }
uvenv=$(dirname "$venv")/uamqp-venv
want=$(sha256sum "$here/requirements-uamqp.txt" | cut -d' ' -f1)
uamqp=()
if [[ $(cat "$uvenv/.pins" 2>/dev/null) == "$want" ]] ||
    { rm -rf "$uvenv" && /usr/bin/python3 -m venv "$uvenv" &&
      "$uvenv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
          -r "$here/requirements-uamqp.txt" && echo "$want" >"$uvenv/.pins"; }; then
    uamqp=(--uamqp-python "$uvenv/bin/python")
else
    echo "perf/python/run.sh: uamqp left out: its pinned wheel did not install for $(/usr/bin/python3 -V)" >&2
fi
PYTHONPATH=$(cd "$build" && pwd)/python exec "$venv/bin/python" "$here/bench.py" "${uamqp[@]}" "$@"

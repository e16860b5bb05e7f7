#!/usr/bin/env bash
# python/fuzz/run.sh BUILD [SECONDS]: atheris (libFuzzer for
# Python) over flatamqp.decode, decode_message, decode_frame and
# decode_prefix (python/tests/fuzz_target.py: DecodeError or a value that
# encodes again, nothing else), with the module built in BUILD, for
# SECONDS (default 180), starting from the committed corpus
# python/tests/corpus (copied: the run's new inputs go to a scratch
# directory; libFuzzer's -merge re-executes argv[0], a .py file, and so is
# not offered: add an input to the corpus by hand).  A finding is written as crash-* into the current directory and
# ends the run with status 1; replay it with
#   PYTHONPATH=BUILD/python python3 -c 'import sys; sys.path.insert(0, "python/tests"); \
#     import fuzz_target; fuzz_target.one_input(open("crash-...", "rb").read())'
# The pinned atheris (requirements-fuzz.txt) is installed into its own
# venv under the Python cache of scripts/install-deps.sh on first use.
set -euo pipefail
build=${1:?usage: python/fuzz/run.sh BUILD [SECONDS]}
seconds=${2:-180}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../tests/corpus
cache=${FAMQP_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp/python}
venv=$cache/fuzz-venv
[[ -d $build/python/flatamqp ]] || { echo "no flatamqp module in $build/python (FAMQP_BUILD_PYTHON)" >&2; exit 1; }
want=$(sha256sum "$here/requirements-fuzz.txt" | cut -d' ' -f1)
if [[ $(cat "$venv/.pins" 2>/dev/null) != "$want" ]]; then
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-fuzz.txt"
    echo "$want" >"$venv/.pins"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work/"
export PYTHONPATH=$(cd "$build" && pwd)/python
# -timeout: an input taking 10 s is a hang (a finding); -rss_limit_mb: one
# that makes the process grow past 2 GiB is one too
"$venv/bin/python" "$here/fuzz_decode.py" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 "$work"

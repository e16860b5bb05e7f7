# Sourced by the docs_* CTests that run a page's program: starts
# famqp-broker ($1, with the arguments in the array broker_args when the
# caller set it) on a free 127.0.0.1 port, sets $address (HOST:PORT) and
# stops the broker by PID, and removes $tmp, on exit whatever happens.
set -euo pipefail
tmp=$(mktemp -d)
broker_pid=
cleanup() {
    [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT

"$1" --listen 127.0.0.1:0 ${broker_args[@]+"${broker_args[@]}"} >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$tmp/broker.out" && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$tmp/broker.err" >&2; exit 1; }
    sleep 0.05
done
address=$(sed -n 's/^listening on //p' "$tmp/broker.out")
[ -n "$address" ] || { echo "famqp-broker did not start" >&2; exit 1; }

# page_shows_source SOURCE PAGE [N]: the page's Nth (default first) ```c
# block is SOURCE as it is.
page_shows_source() {
    if ! diff -u "$1" <(awk -v want="${3:-1}" '/^```c$/ { n++; if (n == want) { on = 1; next } }
                                              on && /^```$/ { exit } on' "$2"); then
        echo "FAILED: $2 does not show $1 as it is (diff above)" >&2
        exit 1
    fi
}

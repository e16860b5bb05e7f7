#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/debian-packages: its
# [main] set (build + demo) and, unless --main is given, its [test] set
# (tests, CI, benchmarks, interop) plus rhea for the interop tests.
#   install-deps.sh [--main]          install only what is missing (needs root then)
#   install-deps.sh --always [--main] apt-get update + install all (CI)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
always=false
sets=main,test
for arg in "$@"; do
    case $arg in
    --always) always=true ;;
    --main) sets=main ;;
    *)
        echo "usage: install-deps.sh [--always] [--main]" >&2
        exit 2
        ;;
    esac
done
# --- npm: rhea for tests/interop/rhea (owner: rhea interop) ---------------
# Pinned by its checked-in package-lock.json and installed with `npm ci`
# into that folder.  node 20 and npm come with the machine image: never
# apt-get nodejs or npm (Debian's npm conflicts with them).
rhea_dir=$here/../tests/interop/rhea
if [[ $sets == *test* && -f $rhea_dir/package-lock.json ]]; then
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        echo "node and npm are needed by tests/interop/rhea but are not installed" >&2
        exit 1
    fi
    # Reinstall when asked (CI), or when rhea is missing or not the locked version.
    rhea_ok=$(cd "$rhea_dir" && node -e '
        const fs = require("fs");
        try {
            const want = JSON.parse(fs.readFileSync("package-lock.json")).packages["node_modules/rhea"].version;
            const have = JSON.parse(fs.readFileSync("node_modules/rhea/package.json")).version;
            console.log(want === have ? "yes" : "no");
        } catch (e) { console.log("no"); }')
    if [[ $always == true || $rhea_ok != yes ]]; then
        (cd "$rhea_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# tests/interop/ws (owner: WebSockets interop): the ws package, pinned by
# its package-lock.json the same way; rhea comes from tests/interop/rhea.
ws_dir=$here/../tests/interop/ws
if [[ $sets == *test* && -f $ws_dir/package-lock.json ]]; then
    ws_ok=$(cd "$ws_dir" && node -e '
        const fs = require("fs");
        try {
            const want = JSON.parse(fs.readFileSync("package-lock.json")).packages["node_modules/ws"].version;
            const have = JSON.parse(fs.readFileSync("node_modules/ws/package.json")).version;
            console.log(want === have ? "yes" : "no");
        } catch (e) { console.log("no"); }')
    if [[ $always == true || $ws_ok != yes ]]; then
        (cd "$ws_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# @azure/core-amqp and @azure/core-auth for tests/auth/node (owner: auth
# tests): Microsoft's SAS token and connection-string code, the reference
# of the auth_crosscheck_* tests.  Pinned and installed the same way.
azure_dir=$here/../tests/auth/node
if [[ $sets == *test* && -f $azure_dir/package-lock.json ]]; then
    azure_ok=$(cd "$azure_dir" && node -e '
        const fs = require("fs");
        try {
            const lock = JSON.parse(fs.readFileSync("package-lock.json")).packages;
            const ok = ["@azure/core-amqp", "@azure/core-auth"].every((p) =>
                lock["node_modules/" + p].version ===
                JSON.parse(fs.readFileSync("node_modules/" + p + "/package.json")).version);
            console.log(ok ? "yes" : "no");
        } catch (e) { console.log("no"); }')
    if [[ $always == true || $azure_ok != yes ]]; then
        (cd "$azure_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# @azure/service-bus and rhea for tests/interop/servicebus (owner: Service
# Bus interop): Microsoft's Service Bus client, the reference of
# interop_servicebus_sdk.  Pinned and installed the same way.
sb_dir=$here/../tests/interop/servicebus
if [[ $sets == *test* && -f $sb_dir/package-lock.json ]]; then
    sb_ok=$(cd "$sb_dir" && node -e '
        const fs = require("fs");
        try {
            const lock = JSON.parse(fs.readFileSync("package-lock.json")).packages;
            const ok = ["@azure/service-bus", "rhea"].every((p) =>
                lock["node_modules/" + p].version ===
                JSON.parse(fs.readFileSync("node_modules/" + p + "/package.json")).version);
            console.log(ok ? "yes" : "no");
        } catch (e) { console.log("no"); }')
    if [[ $always == true || $sb_ok != yes ]]; then
        (cd "$sb_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# @azure/event-hubs for tests/azure/eventhubs_sdk (owner: famqp-broker's
# Event Hubs emulation): Microsoft's SDK as the emulator's client.  Pinned
# and installed the same way.
eh_dir=$here/../tests/azure/eventhubs_sdk
if [[ $sets == *test* && -f $eh_dir/package-lock.json ]]; then
    eh_ok=$(cd "$eh_dir" && node -e '
        const fs = require("fs");
        try {
            // every package of the lock at its version (a lock that gained
            // one, e.g. ws, is installed again)
            const pkgs = JSON.parse(fs.readFileSync("package-lock.json")).packages;
            const ok = Object.keys(pkgs).filter((k) => k).every((k) =>
                JSON.parse(fs.readFileSync(k + "/package.json")).version === pkgs[k].version);
            console.log(ok ? "yes" : "no");
        } catch (e) { console.log("no"); }')
    if [[ $always == true || $eh_ok != yes ]]; then
        (cd "$eh_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# --- end npm ---------------------------------------------------------------

# --- Maven Central and the Go module proxy: ActiveMQ Artemis, Qpid JMS and
# go-amqp for tests/interop/{artemis,jms,go} (owner: interop, issue 15),
# pinned, into ~/.cache/flatamqp (see that script).
if [[ $sets == *test* ]]; then
    "$here/install-peers-jvm-go.sh" $([[ $always == true ]] && echo --always)
fi

# --- PyPI: the Python extension's tests (owner: python/) --------------------
# A venv made from Debian's /usr/bin/python3 with its site packages (so
# python3-qpid-proton imports in it) holding python/requirements-test.txt,
# and a wheel cache of python/requirements-build.txt (pip install ./python
# builds offline from it).  Remade when asked (CI) or when a pinned list
# changed.  Where: $FAMQP_PY_CACHE, default ~/.cache/flatamqp/python (the
# tests find it through CMake's FAMQP_PYTHON_CACHE, the same default).
python_venv() {
    local py_dir=$here/../python
    [[ $sets == *test* && -f $py_dir/requirements-test.txt ]] || return 0
    local cache=${FAMQP_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp/python}
    local want
    want=$(cat "$py_dir/requirements-test.txt" "$py_dir/requirements-build.txt" | sha256sum | cut -d' ' -f1)
    if [[ $always != true && -x $cache/venv/bin/pytest && $(cat "$cache/venv/.pins" 2>/dev/null) == "$want" ]]; then
        return 0
    fi
    rm -rf "$cache/venv" "$cache/wheels"
    mkdir -p "$cache"
    /usr/bin/python3 -m venv --system-site-packages "$cache/venv"
    "$cache/venv/bin/pip" install --quiet --disable-pip-version-check -r "$py_dir/requirements-test.txt"
    "$cache/venv/bin/pip" wheel --quiet --disable-pip-version-check -w "$cache/wheels" \
        -r "$py_dir/requirements-build.txt"
    echo "$want" >"$cache/venv/.pins"
}
# --- end PyPI ----------------------------------------------------------------

# The lines of the chosen [set]s, without comments and blank lines.
mapfile -t packages < <(awk -v sets=",$sets," '
    /^[[:space:]]*(#|$)/ { next }
    /^\[[a-z]+\]/ { name = substr($1, 2, length($1) - 2); on = index(sets, "," name ",") > 0; next }
    on { print $1 }' "$here/debian-packages")
if [[ ${#packages[@]} -eq 0 ]]; then
    echo "install-deps.sh: no packages for set(s) $sets in $here/debian-packages" >&2
    exit 1
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [[ $always != true && ${#missing[@]} -eq 0 ]]; then
    python_venv
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    python_venv
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
python_venv

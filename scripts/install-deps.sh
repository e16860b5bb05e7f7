#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/debian-packages.
#   install-deps.sh          install only what is missing (needs root then)
#   install-deps.sh --always apt-get update + install all (CI)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# --- npm: rhea for tests/interop/rhea (owner: rhea interop) ---------------
# Pinned by its checked-in package-lock.json and installed with `npm ci`
# into that folder.  node 20 and npm come with the machine image: never
# apt-get nodejs or npm (Debian's npm conflicts with them).
rhea_dir=$here/../tests/interop/rhea
if [[ -f $rhea_dir/package-lock.json ]]; then
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
    if [[ ${1:-} == --always || $rhea_ok != yes ]]; then
        (cd "$rhea_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
# --- end npm ---------------------------------------------------------------

mapfile -t packages < <(grep -v '^[[:space:]]*\(#\|$\)' "$here/debian-packages")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [[ ${1:-} != --always && ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"

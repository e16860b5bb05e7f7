#!/usr/bin/env bash
# Main job: regenerates the codecs from the AMQP 1.0 XML (+ spec/), builds
# flatamqp and runs famqp-demo (encode an open frame and a message, decode
# them back, print them).  Run as root on a fresh Debian 12 machine it first
# installs the packages it needs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build"
cmake --build "$build" --target regen -j2
cmake --build "$build" -j2
"$build/famqp-demo"

#!/usr/bin/env bash
# CTest `install_consumers`: installs the build tree into a scratch prefix,
# then builds and runs a small consumer with find_package(flatamqp) (shared
# and static targets) and with pkg-config.
# Usage: check_install.sh BUILD_DIR SCRATCH_DIR CC "EXTRA_FLAGS"
set -euo pipefail

build=$1
scratch=$2
cc=$3
flags=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$scratch/prefix

rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"

for f in include/famqp/codec.h include/famqp/gen/wire.h include/famqp/frame.h include/famqp_spec.h bin/famqp-gen; do
    [[ -e $prefix/$f ]] || { echo "not installed: $f" >&2; exit 1; }
done
if [[ -e $prefix/include/famqp_spec_internal.h ]]; then
    echo "famqp_spec_internal.h must not be installed" >&2
    exit 1
fi

echo "== find_package consumer"
cmake -S "$here" -B "$scratch/cmake-consumer" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$scratch/consumer-configure.log"
cmake --build "$scratch/cmake-consumer" >"$scratch/consumer-build.log"
"$scratch/cmake-consumer/consumer_shared"
"$scratch/cmake-consumer/consumer_static"

echo "== pkg-config consumer"
pcdir=$(dirname "$(find "$prefix" -name flatamqp.pc -print -quit)")
export PKG_CONFIG_PATH=$pcdir
pc_flags=$(pkg-config --cflags --libs flatamqp)
echo "pkg-config --cflags --libs flatamqp: $pc_flags"
# shellcheck disable=SC2086 # word splitting of flag lists is intended
"$cc" -std=c11 -Wall -Wextra -Werror $flags "$here/consumer.c" $pc_flags -o "$scratch/consumer_pc"
LD_LIBRARY_PATH=$(pkg-config --variable=libdir flatamqp) "$scratch/consumer_pc"
echo "install consumers: ok"

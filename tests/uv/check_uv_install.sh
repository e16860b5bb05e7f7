#!/usr/bin/env bash
# CTest uv_install: installs the build tree into a scratch prefix and checks
# the libuv adapter there: its library, header and flatamqp-uv.pc are
# installed; a consumer builds and runs with pkg-config (flatamqp-uv) and
# with find_package(flatamqp COMPONENTS uv) (shared and static targets).
#   check_uv_install.sh BUILD_DIR SCRATCH_DIR CC "EXTRA_FLAGS"
set -euo pipefail
build=$1 scratch=$2 cc=$3 flags=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$scratch/prefix
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"
for f in include/famqp/uv.h; do
    [[ -e $prefix/$f ]] || { echo "not installed: $f" >&2; exit 1; }
done
pc=$(find "$prefix" -name flatamqp-uv.pc -print -quit)
[[ -n $pc ]] || { echo "not installed: flatamqp-uv.pc" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for f in libflatamqp_uv.so libflatamqp_uv.a; do
    [[ -e $libdir/$f ]] || { echo "not installed: $libdir/$f" >&2; exit 1; }
done

echo "== pkg-config consumer (flatamqp-uv)"
export PKG_CONFIG_PATH=$(dirname "$pc")
pc_flags=$(pkg-config --cflags --libs flatamqp-uv libuv)
echo "pkg-config --cflags --libs flatamqp-uv libuv: $pc_flags"
# shellcheck disable=SC2086 # word splitting of flag lists is intended
"$cc" -std=c11 -Wall -Wextra -Werror $flags "$here/consumer/consumer_uv.c" $pc_flags -o "$scratch/consumer_uv_pc"
LD_LIBRARY_PATH=$libdir "$scratch/consumer_uv_pc"

echo "== find_package(flatamqp COMPONENTS uv) consumer"
cmake -S "$here/consumer" -B "$scratch/cmake-consumer" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$scratch/consumer-configure.log"
cmake --build "$scratch/cmake-consumer" >"$scratch/consumer-build.log"
"$scratch/cmake-consumer/consumer_uv_shared"
"$scratch/cmake-consumer/consumer_uv_static"
echo "uv install consumers: ok"

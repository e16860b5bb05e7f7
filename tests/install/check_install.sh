#!/usr/bin/env bash
# CTest `install_consumers`: installs the build tree into a scratch prefix,
# moves the prefix elsewhere (an installed tree must work from wherever it
# is), runs the installed programs without LD_LIBRARY_PATH, then builds and
# runs small consumers: with find_package(flatamqp) (shared and static
# targets), with pkg-config (shared, and static through --static so
# OpenSSL comes from Requires.private), and a C++ consumer including every
# public header, with g++ and clang++ (C++11, -pedantic -Werror).
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
cmake --install "$build" --prefix "$scratch/prefix-at-install" >"$scratch/install.log"
mv "$scratch/prefix-at-install" "$prefix"

for f in include/famqp/codec.h include/famqp/gen/wire.h include/famqp/frame.h include/famqp_spec.h bin/famqp-gen; do
    [[ -e $prefix/$f ]] || { echo "not installed: $f" >&2; exit 1; }
done
if [[ -e $prefix/include/famqp_spec_internal.h ]]; then
    echo "famqp_spec_internal.h must not be installed" >&2
    exit 1
fi

echo "== installed programs run from the moved prefix (install RPATH)"
for program in famqp-demo famqp-broker famqp-send famqp-recv; do
    [[ -x $prefix/bin/$program ]] || { echo "not installed: bin/$program" >&2; exit 1; }
done
env -u LD_LIBRARY_PATH "$prefix/bin/famqp-demo" >"$scratch/demo.log"
env -u LD_LIBRARY_PATH "$prefix/bin/famqp-send" --help >"$scratch/send-help.log"

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

echo "== pkg-config static consumer (client API, so OpenSSL is needed)"
static_libs=$(pkg-config --static --libs flatamqp)
echo "pkg-config --static --libs flatamqp: $static_libs"
# the archive, not the shared library: -Bstatic for flatamqp alone
static_libs=${static_libs/-lflatamqp/-Wl,-Bstatic -lflatamqp -Wl,-Bdynamic}
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $flags $(pkg-config --cflags flatamqp) "$here/consumer_client.c" \
    $static_libs -o "$scratch/consumer_client_static"
if ldd "$scratch/consumer_client_static" | grep -q libflatamqp; then
    echo "consumer_client_static is linked to the shared libflatamqp" >&2
    exit 1
fi
"$scratch/consumer_client_static"

echo "== C++ consumer including every public header"
headers=$(cd "$prefix/include" && find famqp -name '*.h' | LC_ALL=C sort)
for h in $headers; do
    grep -q "#include <$h>" "$here/consumer_cxx.cc" || { echo "consumer_cxx.cc does not include <$h>" >&2; exit 1; }
done
cxx_compilers=(g++ clang++)
if [[ -n $flags ]]; then
    # sanitizer runtimes differ between gcc and clang: a sanitized library
    # links only with its own compiler family's C++ compiler
    case $("$cc" --version | head -n1) in
    *clang*) cxx_compilers=(clang++) ;;
    *) cxx_compilers=(g++) ;;
    esac
fi
for cxx in "${cxx_compilers[@]}"; do
    command -v "$cxx" >/dev/null || { echo "$cxx not found" >&2; exit 1; }
    # shellcheck disable=SC2086
    "$cxx" -std=c++11 -Wall -Wextra -Werror -pedantic $flags $(pkg-config --cflags flatamqp) \
        "$here/consumer_cxx.cc" $(pkg-config --libs flatamqp) -o "$scratch/consumer_cxx_$cxx"
    LD_LIBRARY_PATH=$(pkg-config --variable=libdir flatamqp) "$scratch/consumer_cxx_$cxx"
done
echo "install consumers: ok"

#!/usr/bin/env bash
# CTest `configure_without_test_dependencies`: a user's configure needs only
# the library's build dependencies.  On this machine (which has them all),
# every test-only finder of cmake/FamqpTestDependencies.cmake is pointed at
# nothing (Proton's pkg-config module renamed, the other peers' paths set to
# a directory that does not exist), then:
#   (libuv, for the optional adapter, too: -DFAMQP_UV_PKG names no module)
#   - with -DFAMQP_BUILD_TESTS=OFF (benchmarks off too, their default) the
#     configure succeeds and looks for none of the test-only peers;
#   - with the tests ON it succeeds, warns once per missing peer and
#     registers none of the tests that need one (ctest -N);
#   - with FAMQP_REQUIRE_ALL_TESTS=ON (what CI sets) it fails and names every
#     missing peer.
# Also: no CMakeLists.txt outside that module looks for Proton itself.
#   usage: check_without_test_dependencies.sh SOURCE_DIR SCRATCH_DIR C_COMPILER
set -uo pipefail
src=$1 scratch=$2 cc=$3
rm -rf "$scratch"
mkdir -p "$scratch"
none=$scratch/no-such-dir
missing=(-DFAMQP_PROTON_PKG=famqp-no-such-module -DFAMQP_PROTON_EXAMPLES_DIR="$none"
    -DFAMQP_PYTHON="$none/python3" -DFAMQP_NODE="$none/node" -DFAMQP_RABBITMQ_BIN="$none"
    -DFAMQP_VALGRIND="$none/valgrind" -DFAMQP_VALGRIND_INCLUDE_DIR="$none"
    -DFAMQP_UV_PKG=famqp-no-such-module
    -DFAMQP_PEER_CACHE="$none" -DFAMQP_JAVA="$none/java" -DFAMQP_JAVAC="$none/javac" -DFAMQP_GO="$none/go")
fail=0
failed() { echo "FAILED: $*"; fail=$((fail + 1)); }

# expect_in LOG TEXT...: each TEXT is in LOG (CMake wraps its messages, so
# the log is compared with its lines joined and its spaces squeezed).
expect_in() {
    local log=$1 t flat
    shift
    flat=$(tr '\n' ' ' <"$log" | tr -s ' ')
    for t in "$@"; do
        [[ $flat == *"$t"* ]] || failed "'$t' not in $(basename "$log")"
    done
}

configure() { # NAME ARGS...: configures into $scratch/NAME, log NAME.log
    local name=$1
    shift
    cmake -S "$src" -B "$scratch/$name" -DCMAKE_C_COMPILER="$cc" "${missing[@]}" "$@" >"$scratch/$name.log" 2>&1
}

# 1. Tests off: nothing test-only needed or looked for.
if configure tests-off -DFAMQP_BUILD_TESTS=OFF; then
    for t in "skipped: needs" Proton rhea RabbitMQ python3 valgrind interop_ reconnect_ perf_; do
        ! grep -q "$t" "$scratch/tests-off.log" || failed "tests off, yet the configure mentions $t"
    done
    [[ $fail = 0 ]] && echo "ok: tests off, no peers: configured without looking for any of them"
else
    failed "configure with tests off failed without the test-only dependencies:"; cat "$scratch/tests-off.log"
fi

# 2. Tests on, no peers: configured, one warning per peer, their tests left out.
peer_tests=(codec_proton_primitives proton_types proton_message interop_proton_python_broker
    interop_proton_c_broker interop_rhea_broker interop_rhea_client interop_tls_rhea_broker
    interop_tls_famqp_broker interop_proton_python_broker_matrix interop_proton_client
    interop_proton_c_broker_matrix interop_rabbitmq_matrix reconnect_rabbitmq_restart perf_diff_quick
    perf_e2e_smoke perf_codec_bench_validate interop_proton_python_props interop_proton_python_broker_props
    uv uv_broker_100k uv_install exported_symbols_uv auth_crosscheck_node
    artemis_start interop_artemis_tools_at_least_once interop_artemis_jms interop_goamqp_at_least_once
    interop_jms_queue)
before=$fail
if configure tests-on -DFAMQP_REQUIRE_ALL_TESTS=OFF; then
    log=$scratch/tests-on.log
    expect_in "$log" \
        "codec_proton_primitives skipped: needs Qpid Proton-C (" \
        "proton_types, proton_message skipped: needs Qpid Proton-C (" \
        "interop_proton_c_broker skipped: needs Qpid Proton-C and its C examples" \
        "interop_proton_python_broker skipped: needs $none/python3 with Qpid Proton's binding" \
        "interop_rhea_broker, interop_rhea_client, interop_tls_* skipped: needs node and rhea" \
        "auth_crosscheck_node skipped: needs node and @azure/core-amqp" \
        "interop_rabbitmq_matrix skipped: needs RabbitMQ" \
        "interop_artemis_* skipped: needs java and ActiveMQ Artemis" \
        "interop_goamqp_* skipped: needs go and go-amqp" \
        "interop_jms_* skipped: needs java, javac and Qpid JMS" \
        "reconnect_rabbitmq_restart skipped: needs RabbitMQ" \
        "perf/ (codec-bench, e2e) skipped: needs Qpid Proton-C (" \
        "perf/ (codec-bench, e2e) skipped: needs valgrind/callgrind.h" \
        "the libuv adapter (flatamqp_uv, famqp/uv.h, tests/uv) skipped: needs libuv ("
    (cd "$scratch/tests-on" && ctest -N) >"$scratch/tests-on.list" 2>&1
    for t in "${peer_tests[@]}"; do
        ! grep -qE "Test +#[0-9]+: $t\$" "$scratch/tests-on.list" || failed "tests on, no peer, yet $t is registered"
    done
    expect_in "$scratch/tests-on.list" "interop_famqp_broker" "engine_trace" "auth"
    [[ $fail = "$before" ]] && echo "ok: tests on, no peers: configured, a warning per peer, their tests left out"
else
    failed "configure with tests on failed without the test peers:"; cat "$scratch/tests-on.log"
fi

# 2b. Everything but the valgrind program (perf/ is built then): only
# perf/diff's test is left out.
before=$fail
if cmake -S "$src" -B "$scratch/no-valgrind" -DCMAKE_C_COMPILER="$cc" -DFAMQP_VALGRIND="$none/valgrind" \
    >"$scratch/no-valgrind.log" 2>&1; then
    expect_in "$scratch/no-valgrind.log" "perf_diff_quick skipped: needs valgrind ("
    (cd "$scratch/no-valgrind" && ctest -N) >"$scratch/no-valgrind.list" 2>&1
    ! grep -qE "Test +#[0-9]+: perf_diff_quick\$" "$scratch/no-valgrind.list" || failed "no valgrind, yet perf_diff_quick is registered"
    expect_in "$scratch/no-valgrind.list" "perf_codec_bench_validate"
    [[ $fail = "$before" ]] && echo "ok: no valgrind: configured, perf_diff_quick left out with a warning"
else
    failed "configure without valgrind failed:"; cat "$scratch/no-valgrind.log"
fi

# 3. FAMQP_REQUIRE_ALL_TESTS=ON: fails and names every missing peer.
before=$fail
if configure require-all -DFAMQP_REQUIRE_ALL_TESTS=ON; then
    failed "FAMQP_REQUIRE_ALL_TESTS=ON accepted missing dependencies"
else
    expect_in "$scratch/require-all.log" "needs Qpid Proton-C (" "needs Qpid Proton-C and its C examples" \
        "with Qpid Proton's binding" "needs node and rhea" "needs node and @azure/core-amqp" "needs RabbitMQ" "needs valgrind/callgrind.h" \
        "needs java and ActiveMQ Artemis" "needs go and go-amqp" "needs java, javac and Qpid JMS" \
        "the libuv adapter (flatamqp_uv, famqp/uv.h, tests/uv) needs libuv (" \
        "(FAMQP_REQUIRE_ALL_TESTS is ON)"
    [[ $fail = "$before" ]] && echo "ok: FAMQP_REQUIRE_ALL_TESTS=ON refuses the configure and names every missing peer"
fi

# 4. One Proton finder: no other CMake code looks for Proton.
others=$(cd "$src" && grep -rnE "pkg_check_modules\([^)]*proton|find_library\([^)]*proton|/usr/share/proton|libqpid-proton\)" \
    --include=CMakeLists.txt --include='*.cmake' . | grep -v '^\./cmake/FamqpTestDependencies\.cmake:' | grep -v '^\./build')
if [[ -n $others ]]; then
    failed "Proton is looked for outside cmake/FamqpTestDependencies.cmake:"; echo "$others"
else
    echo "ok: Qpid Proton is found in one place"
fi

[[ $fail = 0 ]] || for f in "$scratch"/*.log; do echo "---- $f"; cat "$f"; done
rm -rf "$scratch"
[[ $fail = 0 ]]

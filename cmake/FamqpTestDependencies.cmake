# What the tests, benchmarks and interop peers need beyond the library's own
# build dependencies (cmake, a C compiler, libxml2, OpenSSL, amqp-specs), and
# the one place each of them is found.
#
# FAMQP_REQUIRE_ALL_TESTS (default OFF): a missing test-only dependency
# fails the configure (every missing one is named).  OFF: the tests or tools
# that need it are left out, with a warning naming the package that brings
# it.  scripts/test.sh (and so CI) sets it ON, so nothing is skipped
# silently there.
#
# Each finder reads a cache variable that can point it elsewhere (or at
# nothing, which tests/configure does to play a machine without peers):
#   FAMQP_PROTON_PKG           pkg-config module of Qpid Proton-C
#   FAMQP_PROTON_EXAMPLES_DIR  Qpid Proton's examples (c/, python/)
#   FAMQP_PYTHON               the Python that has Qpid Proton's binding
#   FAMQP_NODE                 node, for rhea and @azure/core-amqp (npm ci by
#                              scripts/install-deps.sh)
#   FAMQP_RABBITMQ_BIN         RabbitMQ's scripts (rabbitmq-server)
#   FAMQP_VALGRIND, FAMQP_VALGRIND_INCLUDE_DIR  valgrind and its callgrind.h
# The test scripts run the Debian paths these default to.
include_guard(GLOBAL)
option(FAMQP_REQUIRE_ALL_TESTS "Fail the configure when a test-only dependency is missing" OFF)

# famqp_test_dependency(<found> <what needs it> <how to get it>): returns
# normally when <found> is true; otherwise fails the configure at its end
# (FAMQP_REQUIRE_ALL_TESTS) or warns.  The caller skips what needs it when
# <found> is false.
function(famqp_test_dependency found what how)
    if(${found})
        return()
    endif()
    if(FAMQP_REQUIRE_ALL_TESTS)
        # SEND_ERROR, not FATAL_ERROR: the configure goes on and names every
        # missing dependency, then fails.
        message(SEND_ERROR "${what} needs ${how} (FAMQP_REQUIRE_ALL_TESTS is ON)")
    else()
        message(WARNING "${what} skipped: needs ${how}")
    endif()
endfunction()

# ---- Qpid Proton-C --------------------------------------------------------
# For the cross-checks, Proton's example brokers and the benchmarks'
# reference implementation: the imported target famqp::proton, and
# FAMQP_PROTON_FOUND.
set(FAMQP_PROTON_PKG "libqpid-proton" CACHE STRING "pkg-config module of Qpid Proton-C (tests and benchmarks only)")
if(NOT TARGET famqp::proton)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(FAMQP_PROTON QUIET "${FAMQP_PROTON_PKG}")
    if(FAMQP_PROTON_FOUND)
        # Debian's libqpid-proton.pc derives its prefix as ${pcfiledir}/../..,
        # which under a multiarch libdir names an include directory that does
        # not exist (the headers are in /usr/include): keep the existing ones.
        set(famqp_proton_includes)
        foreach(dir IN LISTS FAMQP_PROTON_INCLUDE_DIRS)
            if(EXISTS "${dir}")
                list(APPEND famqp_proton_includes "${dir}")
            endif()
        endforeach()
        add_library(famqp::proton INTERFACE IMPORTED GLOBAL)
        set_target_properties(famqp::proton PROPERTIES
            INTERFACE_INCLUDE_DIRECTORIES "${famqp_proton_includes}"
            INTERFACE_LINK_LIBRARIES "${FAMQP_PROTON_LINK_LIBRARIES}")
    endif()
endif()
set(FAMQP_PROTON_HOW "Qpid Proton-C (apt-get install libqpid-proton11-dev)")

# ---- Qpid Proton's examples -----------------------------------------------
# FAMQP_PROTON_C_EXAMPLES_FOUND: the C example broker's source, and the
# library to build it with.
set(FAMQP_PROTON_EXAMPLES_DIR "/usr/share/proton/examples" CACHE PATH
    "Qpid Proton's examples (interop tests only)")
if(FAMQP_PROTON_FOUND AND EXISTS "${FAMQP_PROTON_EXAMPLES_DIR}/c/broker.c")
    set(FAMQP_PROTON_C_EXAMPLES_FOUND ON)
else()
    set(FAMQP_PROTON_C_EXAMPLES_FOUND OFF)
endif()
set(FAMQP_PROTON_C_EXAMPLES_HOW
    "Qpid Proton-C and its C examples (apt-get install libqpid-proton11-dev libqpid-proton11-dev-examples)")

# ---- test-only peers (looked for only when the tests are built) ---------------
if(FAMQP_BUILD_TESTS)
    # Python with Qpid Proton's binding (its client, and the examples'
    # Python broker): FAMQP_PROTON_PYTHON_FOUND.
    set(FAMQP_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python with Qpid Proton's binding (interop tests only)")
    set(FAMQP_PROTON_PYTHON_FOUND OFF)
    if(EXISTS "${FAMQP_PYTHON}" AND EXISTS "${FAMQP_PROTON_EXAMPLES_DIR}/python/broker.py")
        execute_process(COMMAND "${FAMQP_PYTHON}" -c "import proton"
            RESULT_VARIABLE famqp_proton_python_rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 30)
        if(famqp_proton_python_rc EQUAL 0)
            set(FAMQP_PROTON_PYTHON_FOUND ON)
        endif()
    endif()
    set(FAMQP_PROTON_PYTHON_HOW
        "${FAMQP_PYTHON} with Qpid Proton's binding and examples (apt-get install python3-qpid-proton libqpid-proton11-dev-examples)")

    # node and rhea (npm ci into tests/interop/rhea): FAMQP_RHEA_FOUND.
    find_program(FAMQP_NODE node)
    if(FAMQP_NODE AND EXISTS "${FAMQP_NODE}"
       AND EXISTS "${PROJECT_SOURCE_DIR}/tests/interop/rhea/node_modules/rhea/package.json")
        set(FAMQP_RHEA_FOUND ON)
    else()
        set(FAMQP_RHEA_FOUND OFF)
    endif()
    set(FAMQP_RHEA_HOW "node and rhea (node 20, then scripts/install-deps.sh runs npm ci in tests/interop/rhea)")

    # node and Microsoft's @azure/core-amqp (npm ci into tests/auth/node):
    # FAMQP_AZURE_JS_FOUND, for the auth_crosscheck_* tests.
    if(FAMQP_NODE AND EXISTS "${FAMQP_NODE}"
       AND EXISTS "${PROJECT_SOURCE_DIR}/tests/auth/node/node_modules/@azure/core-amqp/package.json")
        set(FAMQP_AZURE_JS_FOUND ON)
    else()
        set(FAMQP_AZURE_JS_FOUND OFF)
    endif()
    set(FAMQP_AZURE_JS_HOW "node and @azure/core-amqp (node 20, then scripts/install-deps.sh runs npm ci in tests/auth/node)")

    # node and Microsoft's @azure/service-bus (npm ci into
    # tests/interop/servicebus): FAMQP_SERVICEBUS_JS_FOUND, for
    # interop_servicebus_sdk.
    if(FAMQP_NODE AND EXISTS "${FAMQP_NODE}"
       AND EXISTS "${PROJECT_SOURCE_DIR}/tests/interop/servicebus/node_modules/@azure/service-bus/package.json")
        set(FAMQP_SERVICEBUS_JS_FOUND ON)
    else()
        set(FAMQP_SERVICEBUS_JS_FOUND OFF)
    endif()
    set(FAMQP_SERVICEBUS_JS_HOW
        "node and @azure/service-bus (node 20, then scripts/install-deps.sh runs npm ci in tests/interop/servicebus)")
    # node and Microsoft's @azure/event-hubs (npm ci into
    # tests/azure/eventhubs_sdk): FAMQP_EVENTHUBS_JS_FOUND, for the
    # azure_eventhubs_sdk_* tests (famqp-broker as an Event Hubs emulator).
    if(FAMQP_NODE AND EXISTS "${FAMQP_NODE}"
       AND EXISTS "${PROJECT_SOURCE_DIR}/tests/azure/eventhubs_sdk/node_modules/@azure/event-hubs/package.json")
        set(FAMQP_EVENTHUBS_JS_FOUND ON)
    else()
        set(FAMQP_EVENTHUBS_JS_FOUND OFF)
    endif()
    set(FAMQP_EVENTHUBS_JS_HOW "node and @azure/event-hubs (node 20, then scripts/install-deps.sh runs npm ci in tests/azure/eventhubs_sdk)")

    # RabbitMQ with the AMQP 1.0 plugin: FAMQP_RABBITMQ_FOUND.
    set(FAMQP_RABBITMQ_BIN "/usr/lib/rabbitmq/bin" CACHE PATH "RabbitMQ's scripts (interop tests only)")
    if(EXISTS "${FAMQP_RABBITMQ_BIN}/rabbitmq-server")
        set(FAMQP_RABBITMQ_FOUND ON)
    else()
        set(FAMQP_RABBITMQ_FOUND OFF)
    endif()
    set(FAMQP_RABBITMQ_HOW "RabbitMQ (apt-get install rabbitmq-server)")
endif()

# ---- valgrind -----------------------------------------------------------------
# callgrind.h for the benchmarks' client requests (FAMQP_HAVE_CALLGRIND_H),
# and the valgrind program that perf/diff runs them under (FAMQP_VALGRIND_FOUND).
find_path(FAMQP_VALGRIND_INCLUDE_DIR valgrind/callgrind.h)
if(FAMQP_VALGRIND_INCLUDE_DIR AND EXISTS "${FAMQP_VALGRIND_INCLUDE_DIR}/valgrind/callgrind.h")
    set(FAMQP_HAVE_CALLGRIND_H ON)
else()
    set(FAMQP_HAVE_CALLGRIND_H OFF)
endif()
find_program(FAMQP_VALGRIND valgrind)
if(FAMQP_VALGRIND AND EXISTS "${FAMQP_VALGRIND}")
    set(FAMQP_VALGRIND_FOUND ON)
else()
    set(FAMQP_VALGRIND_FOUND OFF)
endif()
set(FAMQP_VALGRIND_HOW "valgrind (apt-get install valgrind)")

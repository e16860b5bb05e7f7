# The libuv adapter (runtime/uv/, the library flatamqp_uv): whether it is
# built.  It is an optional part beside the core library, which never
# needs libuv.
#
# FAMQP_WITH_UV (cache): AUTO (default) builds it when libuv is found and
# otherwise leaves it out with a warning (a failed configure under
# FAMQP_REQUIRE_ALL_TESTS with the tests on, since its tests would be left
# out); ON requires libuv; OFF never looks for it.
# FAMQP_UV_PKG (cache): the pkg-config module of libuv (Debian libuv1-dev);
# tests/configure points it at nothing to play a machine without libuv.
# Sets FAMQP_UV_FOUND and, when found, the imported target PkgConfig::FAMQP_LIBUV.
include_guard(GLOBAL)
set(FAMQP_WITH_UV "AUTO" CACHE STRING "Build the libuv adapter flatamqp_uv: AUTO (when libuv is found), ON, OFF")
set_property(CACHE FAMQP_WITH_UV PROPERTY STRINGS AUTO ON OFF)
set(FAMQP_UV_PKG "libuv" CACHE STRING "pkg-config module of libuv (for the adapter flatamqp_uv)")
if(NOT FAMQP_WITH_UV MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "FAMQP_WITH_UV must be AUTO, ON or OFF, not '${FAMQP_WITH_UV}'")
endif()

set(FAMQP_UV_FOUND OFF)
if(NOT FAMQP_WITH_UV STREQUAL "OFF")
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(FAMQP_LIBUV QUIET IMPORTED_TARGET "${FAMQP_UV_PKG}")
    if(FAMQP_LIBUV_FOUND)
        set(FAMQP_UV_FOUND ON)
    else()
        set(famqp_uv_what "the libuv adapter (flatamqp_uv, famqp/uv.h, tests/uv)")
        set(famqp_uv_how "libuv (apt-get install libuv1-dev; pkg-config module '${FAMQP_UV_PKG}')")
        if(FAMQP_WITH_UV STREQUAL "ON")
            message(FATAL_ERROR "${famqp_uv_what} needs ${famqp_uv_how} (FAMQP_WITH_UV is ON)")
        elseif(FAMQP_BUILD_TESTS AND FAMQP_REQUIRE_ALL_TESTS)
            # SEND_ERROR: the configure goes on, names every missing
            # dependency, then fails (as famqp_test_dependency does)
            message(SEND_ERROR "${famqp_uv_what} needs ${famqp_uv_how} (FAMQP_REQUIRE_ALL_TESTS is ON)")
        elseif(FAMQP_BUILD_TESTS)
            message(WARNING "${famqp_uv_what} skipped: needs ${famqp_uv_how}")
        else()
            message(STATUS "${famqp_uv_what} not built: it needs ${famqp_uv_how}")
        endif()
    endif()
endif()

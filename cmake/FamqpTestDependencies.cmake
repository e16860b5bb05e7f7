# What the tests, benchmarks and interop peers need beyond the library's own
# build dependencies (cmake, a C compiler, libxml2, OpenSSL, amqp-specs).
#
# FAMQP_REQUIRE_ALL_TESTS (default OFF): a missing test-only dependency
# fails the configure.  OFF: the tests or tools that need it are left out,
# with a warning naming the package that brings it.  scripts/test.sh (and so
# CI) sets it ON, so nothing is skipped silently there.
include_guard(GLOBAL)
option(FAMQP_REQUIRE_ALL_TESTS "Fail the configure when a test-only dependency is missing" OFF)

# famqp_test_dependency(<found> <what needs it> <how to get it>): returns
# normally when <found> is true; otherwise fails (FAMQP_REQUIRE_ALL_TESTS)
# or warns.  The caller skips what needs it when <found> is false.
function(famqp_test_dependency found what how)
    if(${found})
        return()
    endif()
    if(FAMQP_REQUIRE_ALL_TESTS)
        message(FATAL_ERROR "${what} needs ${how} (FAMQP_REQUIRE_ALL_TESTS is ON)")
    else()
        message(WARNING "${what} skipped: needs ${how}")
    endif()
endfunction()

# Qpid Proton-C, for the cross-checks and the benchmarks' reference
# implementation: the imported target famqp::proton, and FAMQP_PROTON_FOUND.
# FAMQP_PROTON_PKG names its pkg-config module (default libqpid-proton).
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

/** @file famqp/version.h
 * @brief flatamqp: the library's version.
 *
 * FAMQP_VERSION_* are the version of the headers an application was
 * compiled against; famqp_version() that of the library it runs with (a
 * shared library may be newer).  The numbers here are the project's one
 * source of its version: CMakeLists.txt reads them.
 *
 * Threads: famqp_version may be called from any thread.
 */
#ifndef FAMQP_VERSION_H
#define FAMQP_VERSION_H

#include "famqp/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of these headers (0.x: minor versions may break the API). */
#define FAMQP_VERSION_MAJOR 0
/** Minor version of these headers. */
#define FAMQP_VERSION_MINOR 1
/** Patch version of these headers. */
#define FAMQP_VERSION_PATCH 0
/** "MAJOR.MINOR.PATCH" of these headers. */
#define FAMQP_VERSION_STRING "0.1.0"
/** One comparable number: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define FAMQP_VERSION_NUMBER (FAMQP_VERSION_MAJOR * 10000 + FAMQP_VERSION_MINOR * 100 + FAMQP_VERSION_PATCH)

/** The version of the running library, e.g. "0.1.0" (FAMQP_VERSION_STRING
 *  of the build that made it). */
FAMQP_API const char *famqp_version(void);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_VERSION_H */

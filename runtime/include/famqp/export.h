/** @file famqp/export.h
 * @brief flatamqp: which symbols the shared library exports.
 *
 * The library is built with -fvisibility=hidden, so only declarations
 * marked FAMQP_API are visible to applications; everything else
 * (the engine's, client's and generated code's internals) stays inside.
 * The marking is the same for applications and for the library; a
 * static build ignores it.
 *
 * Threads: macros only.
 */
#ifndef FAMQP_EXPORT_H
#define FAMQP_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
/** Marks a function or object as part of the library's exported API. */
#define FAMQP_API __attribute__((visibility("default")))
#else
#define FAMQP_API
#endif

#endif /* FAMQP_EXPORT_H */

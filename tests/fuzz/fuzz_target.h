/* Shared by the fuzz targets: the libFuzzer entry point and a check that
 * aborts (libFuzzer records the input; the replay driver fails the test). */
#ifndef FAMQP_FUZZ_TARGET_H
#define FAMQP_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Printers write here (opened once, never closed: the process ends). */
FILE *fuzz_sink(void);

#endif

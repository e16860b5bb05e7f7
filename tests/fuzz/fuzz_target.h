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

/* Called with each longer prefix of the input (fuzz_chunks); nonzero
 * stops. */
typedef int fuzz_step_fn(const uint8_t *buf, size_t len, void *ctx);
/* Copies data into buf (cap bytes) a chunk at a time, the chunk size
 * chosen by selector's low 3 bits (1, 2, 3, 7, 64, 512, 4096 or 65536
 * bytes), and calls step after each chunk, until it returns nonzero, the
 * input ends or buf is full (fuzz_chunks.c). */
void fuzz_chunks(uint8_t selector, const uint8_t *data, size_t size, uint8_t *buf, size_t cap, fuzz_step_fn *step,
                 void *ctx);

/* Printers write here (opened once, never closed: the process ends). */
FILE *fuzz_sink(void);

#endif

/* codec-bench implementation `memcpy`: the floor.  Encode copies the
 * reference encoding into the output buffer; decode copies the input into
 * a private buffer.  No codec can move the bytes for less. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct memcpy_ctx {
    const uint8_t *ref;
    size_t len;
    uint8_t *copy; /* decode target */
} memcpy_ctx;

static void *memcpy_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type;
    memcpy_ctx *c = calloc(1, sizeof *c);
    if (!c || !ref || !(c->copy = malloc(ref_len ? ref_len : 1))) {
        free(c);
        return NULL;
    }
    c->ref = ref;
    c->len = ref_len;
    return c;
}

static void memcpy_teardown(void *ctx)
{
    memcpy_ctx *c = ctx;
    free(c->copy);
    free(c);
}

static size_t copy_encode(void *ctx, uint8_t *buf, size_t cap)
{
    const memcpy_ctx *c = ctx;
    if (c->len > cap) return 0;
    memcpy(buf, c->ref, c->len);
    return c->len;
}

/* A copy yields no digest (has_digest = 0): its result is the length plus
 * the last byte copied, which keeps the copy alive and is never 0. */
static uint64_t copy_decode(void *ctx, const uint8_t *p, size_t n)
{
    memcpy_ctx *c = ctx;
    if (n > c->len || n == 0) return 0;
    memcpy(c->copy, p, n);
    return n + c->copy[n - 1];
}
BENCH_LOOPS(copy)

#define COPY_CASE(TYPE) BENCH_CASE(TYPE, copy, memcpy_setup, memcpy_teardown)

static const bench_case memcpy_cases[] = {
    COPY_CASE("open"),        COPY_CASE("begin"),   COPY_CASE("attach"),       COPY_CASE("flow"),
    COPY_CASE("transfer"),    COPY_CASE("disposition"), COPY_CASE("message"), COPY_CASE("message-1mib"),
    COPY_CASE("message-50props"),
};

const bench_impl bench_impl_memcpy = {
    "memcpy",
    "the floor: encode = memcpy of the reference encoding, decode = memcpy of the input",
    0,
    memcpy_cases,
    sizeof memcpy_cases / sizeof memcpy_cases[0],
};

/* codec-bench: the interface every implementation provides.
 *
 * An implementation is a table of cases, one per workload type ("transfer",
 * "message", "message-1mib", ...).  A case prepares its inputs once (setup:
 * a filled struct, a prebuilt tree, ...; NULL on failure), and then offers
 *
 *   encode      one encode of the prepared value into buf; returns the
 *               bytes written (0 on failure)
 *   decode      one complete decode of p[0..n): every field and every map
 *               entry read into the caller's hands and folded into a digest
 *               (see below); returns the digest
 *   encode_loop / decode_loop
 *               the same, `iters` times in a tight loop: the measured code.
 *               Defined with BENCH_LOOPS so the per-operation call is direct
 *               (no function pointer inside the timed loop).
 *
 * Either operation may be NULL when an implementation does not offer it.
 * The digest is defined per workload in workload.c; every implementation
 * must compute the same digest from what it decoded, which is how decodes
 * are validated against each other and against the workload's values.
 */
#ifndef FAMQP_PERF_BENCH_H
#define FAMQP_PERF_BENCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_case {
    const char *type;
    /* ref: the reference encoding of the type (flat's), for implementations
     * that need bytes to start from (memcpy); NULL while flat makes it. */
    void *(*setup)(const char *type, const uint8_t *ref, size_t ref_len);
    size_t (*encode)(void *ctx, uint8_t *buf, size_t cap);
    uint64_t (*decode)(void *ctx, const uint8_t *p, size_t n);
    uint64_t (*encode_loop)(void *ctx, uint8_t *buf, size_t cap, long iters);
    uint64_t (*decode_loop)(void *ctx, const uint8_t *p, size_t n, long iters);
    void (*teardown)(void *ctx);
} bench_case;

typedef struct bench_impl {
    const char *name;
    const char *what; /* one line for --list and the README */
    /* true: decode results are digests (compared with the workload's) and
     * encodings are checked by decoding them with flat and with the
     * implementation's own decode.  false: the implementation only moves
     * bytes (memcpy): its encode must reproduce the reference encoding byte
     * for byte, and its decode result only has to be nonzero. */
    int has_digest;
    const bench_case *cases;
    size_t case_count;
} bench_impl;

/* The implementations (impl_*.c).  A new one (e.g. the `table` codec
 * style) adds a file defining its table and one line in codec_bench.c. */
extern const bench_impl bench_impl_flat;
extern const bench_impl bench_impl_proton;
extern const bench_impl bench_impl_proton_puts;
extern const bench_impl bench_impl_memcpy;
extern const bench_impl bench_impl_message_api;
extern const bench_impl bench_impl_message_hand;

/* Keeps the compiler from assuming anything about memory across this
 * point, so a loop repeating the same encode or copy cannot be collapsed. */
static inline void bench_clobber(void) { __asm__ __volatile__("" ::: "memory"); }

/* Digest: an order-sensitive fold of the values a decode handed out.  Views
 * contribute their length and first and last byte (reading them proves the
 * pointer is usable without turning a 1 MiB body into a 1 MiB checksum). */
static inline uint64_t dg(uint64_t h, uint64_t x) { return h * 31u + x; }
static inline uint64_t dg_view(uint64_t h, const void *ptr, size_t len)
{
    const uint8_t *b = (const uint8_t *)ptr;
    return dg(h, len ? ((uint64_t)len << 16) ^ ((uint64_t)b[0] << 8) ^ b[len - 1] : 0);
}

/* Define NAME_encode_loop / NAME_decode_loop around the static functions
 * NAME_encode / NAME_decode of an implementation file. */
#define BENCH_ENCODE_LOOP(NAME)                                                                    \
    static uint64_t NAME##_encode_loop(void *ctx, uint8_t *buf, size_t cap, long iters)            \
    {                                                                                              \
        uint64_t sum = 0;                                                                          \
        for (long i = 0; i < iters; i++) {                                                         \
            sum += NAME##_encode(ctx, buf, cap);                                                   \
            bench_clobber();                                                                       \
        }                                                                                          \
        return sum;                                                                                \
    }
#define BENCH_DECODE_LOOP(NAME)                                                                    \
    static uint64_t NAME##_decode_loop(void *ctx, const uint8_t *p, size_t n, long iters)          \
    {                                                                                              \
        uint64_t sum = 0;                                                                          \
        for (long i = 0; i < iters; i++) {                                                         \
            sum += NAME##_decode(ctx, p, n);                                                       \
            bench_clobber();                                                                       \
        }                                                                                          \
        return sum;                                                                                \
    }

#define BENCH_LOOPS(NAME) BENCH_ENCODE_LOOP(NAME) BENCH_DECODE_LOOP(NAME)

#define BENCH_CASE(TYPE, NAME, SETUP, TEARDOWN)                                                    \
    {TYPE, SETUP, NAME##_encode, NAME##_decode, NAME##_encode_loop, NAME##_decode_loop, TEARDOWN}

#endif /* FAMQP_PERF_BENCH_H */

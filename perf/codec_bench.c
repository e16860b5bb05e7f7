/* codec-bench: encode and decode of AMQP performatives and messages,
 * flatamqp's generated codec beside Qpid Proton-C and the memcpy floor.
 *
 *   codec-bench [--tsv] [--ops LIST] [--impls LIST] [--iterations N]
 *               [--reps N] [--callgrind] [--validate-only] [--list]
 *
 * Every selected case is validated first (bench.h), then timed: ns/op is
 * the median of --reps runs of the operation's loop.  With --callgrind the
 * loops run once each between callgrind client requests (the program must
 * run under valgrind --tool=callgrind --collect-atstart=no); each loop is
 * dumped as "<operation> <implementation> <iterations>" and perf/run.sh
 * turns the dumps into instructions and conditional branches per op.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "bench.h"
#include "workload.h"

/* Output order of implementations; the generated codec (`flat` or
 * `table`, whichever style the library was built with) first: it makes
 * the reference encodings.  A new implementation (a `table` codec style, ...) is one
 * more line here and one impl_*.c file. */
static const bench_impl *const impls[] = {
    &bench_impl_flat,
    &bench_impl_proton,
    &bench_impl_proton_puts,
    &bench_impl_message_api,
    &bench_impl_message_hand,
    &bench_impl_memcpy,
};
enum { IMPL_COUNT = sizeof impls / sizeof impls[0] };

enum { OUT_CAP = (1 << 20) + (64 << 10) };

typedef struct options {
    bool tsv, callgrind, validate_only, list;
    const char *ops, *impls;
    long iterations; /* 0: calibrate (timing) or size-scaled default (callgrind) */
    int reps;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: codec-bench [--tsv] [--ops LIST] [--impls LIST] [--iterations N] [--reps N]\n"
            "                   [--callgrind] [--validate-only] [--list]\n"
            "  --ops LIST        comma-separated operations (transfer.encode) or types (transfer,\n"
            "                    both operations); default all\n"
            "  --impls LIST      comma-separated implementations; default all\n"
            "  --iterations N    iterations per measured loop (default: calibrated to ~20 ms;\n"
            "                    --callgrind: 20000 scaled down for large messages)\n"
            "  --reps N          timed repetitions, median reported (default 7, at least 5)\n"
            "  --tsv             tab-separated output: operation implementation ns_per_op\n"
            "                    instructions_per_op bytes branches_per_op\n"
            "  --callgrind       run each loop once between callgrind client requests\n"
            "  --validate-only   validate every selected case, measure nothing\n"
            "  --list            list implementations and operations\n");
}

/* true when `name` is an item of the comma-separated `list` (NULL: all).
 * `alt` (may be NULL) is a second name that also matches. */
static bool selected(const char *list, const char *name, const char *alt)
{
    if (!list) return true;
    size_t nl = strlen(name), al = alt ? strlen(alt) : 0;
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if ((len == nl && memcmp(p, name, len) == 0) || (alt && len == al && memcmp(p, alt, len) == 0))
            return true;
        p += len + (e != NULL);
    }
    return false;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const bench_case *find_case(const bench_impl *impl, const char *type)
{
    for (size_t i = 0; i < impl->case_count; i++)
        if (strcmp(impl->cases[i].type, type) == 0) return &impl->cases[i];
    return NULL;
}

/* ---- reference encodings (flat's) ---------------------------------------- */

typedef struct reference {
    uint8_t *bytes;
    size_t len;
    uint64_t digest;
} reference;

static reference refs[16];

static bool make_reference(size_t t, uint8_t *out)
{
    const char *type = workload_types[t];
    const bench_case *c = find_case(&bench_impl_flat, type);
    void *ctx = c ? c->setup(type, NULL, 0) : NULL;
    if (!ctx) {
        fprintf(stderr, "codec-bench: flat cannot set up %s\n", type);
        return false;
    }
    size_t n = c->encode(ctx, out, OUT_CAP);
    c->teardown(ctx);
    refs[t].digest = workload_digest(type);
    if (n == 0 || !(refs[t].bytes = malloc(n))) {
        fprintf(stderr, "codec-bench: flat cannot encode %s\n", type);
        return false;
    }
    memcpy(refs[t].bytes, out, n);
    refs[t].len = n;
    return true;
}

/* ---- validation ---------------------------------------------------------- */

static bool fail(const char *impl, const char *type, const char *what)
{
    fprintf(stderr, "codec-bench: VALIDATION FAILED: %s %s: %s\n", impl, type, what);
    return false;
}

/* Checks one case before it is measured: its encoding decodes (with flat
 * and with its own decode) to the workload's digest, and its decode of the
 * reference encoding gives that digest, twice in a row (a decode must not
 * depend on state a previous one left). */
static bool validate(const bench_impl *impl, const bench_case *c, void *ctx, size_t t, uint8_t *out,
                     size_t *enc_len)
{
    const char *type = workload_types[t];
    const reference *r = &refs[t];
    const bench_case *flat = find_case(&bench_impl_flat, type);
    *enc_len = 0;
    if (c->encode) {
        size_t n = c->encode(ctx, out, OUT_CAP);
        if (n == 0 || n > OUT_CAP) return fail(impl->name, type, "encode failed");
        *enc_len = n;
        if (!impl->has_digest) {
            if (n != r->len || memcmp(out, r->bytes, n) != 0)
                return fail(impl->name, type, "encoding differs from the reference");
        } else {
            void *fctx = flat->setup(type, NULL, 0);
            uint64_t d = fctx ? flat->decode(fctx, out, n) : 0;
            if (fctx) flat->teardown(fctx);
            if (d != r->digest) return fail(impl->name, type, "flat's decode of this encoding gives the wrong values");
            if (c->decode && c->decode(ctx, out, n) != r->digest)
                return fail(impl->name, type, "own decode of this encoding gives the wrong values");
        }
    }
    if (c->decode) {
        uint64_t d1 = c->decode(ctx, r->bytes, r->len);
        uint64_t d2 = c->decode(ctx, r->bytes, r->len);
        if (impl->has_digest ? d1 != r->digest : d1 == 0)
            return fail(impl->name, type, "decode of the reference encoding gives the wrong values");
        if (d2 != d1) return fail(impl->name, type, "a second decode gives a different result");
    }
    return true;
}

/* ---- measurement --------------------------------------------------------- */

typedef struct result {
    const char *impl;
    char op[48];
    double ns;
    size_t bytes;
    long iters;
} result;

static uint64_t checksum;

static uint64_t run_loop(const bench_case *c, void *ctx, bool encode, const reference *r, uint8_t *out,
                         long iters)
{
    return encode ? c->encode_loop(ctx, out, OUT_CAP, iters) : c->decode_loop(ctx, r->bytes, r->len, iters);
}

static double time_loop(const bench_case *c, void *ctx, bool encode, const reference *r, uint8_t *out,
                        long iters)
{
    double t0 = now_ns();
    checksum += run_loop(c, ctx, encode, r, out, iters);
    return now_ns() - t0;
}

/* Iterations for a run of about 20 ms (at least 10). */
static long calibrate(const bench_case *c, void *ctx, bool encode, const reference *r, uint8_t *out)
{
    long iters = 10;
    for (;;) {
        double ns = time_loop(c, ctx, encode, r, out, iters);
        if (ns >= 5e6 || iters >= (1L << 30)) return ns >= 2e7 ? iters : (long)((double)iters * 2e7 / ns) + 1;
        iters *= 8;
    }
}

static void measure(const options *o, const bench_case *c, void *ctx, bool encode, const reference *r,
                    uint8_t *out, result *res)
{
    long iters = o->iterations;
    if (o->callgrind) {
        if (!iters) {
            /* 20000 for small values; big ones scaled so a run stays short. */
            size_t scale = r->len > 4096 ? r->len / 4096 : 1;
            iters = 20000 / (long)scale > 10 ? 20000 / (long)scale : 10;
        }
        char desc[96];
        snprintf(desc, sizeof desc, "%s %s %ld", res->op, res->impl, iters);
        CALLGRIND_ZERO_STATS;
        CALLGRIND_TOGGLE_COLLECT;
        checksum += run_loop(c, ctx, encode, r, out, iters);
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT(desc);
        res->ns = -1;
        res->iters = iters;
        return;
    }
    if (!iters) iters = calibrate(c, ctx, encode, r, out);
    double ns[64];
    int reps = o->reps;
    for (int i = 0; i < reps; i++) ns[i] = time_loop(c, ctx, encode, r, out, iters) / (double)iters;
    qsort(ns, (size_t)reps, sizeof ns[0], cmp_double);
    res->ns = ns[reps / 2];
    res->iters = iters;
}

/* ---- output -------------------------------------------------------------- */

static void print_results(const options *o, const result *rs, size_t n)
{
    if (o->tsv) {
        printf("operation\timplementation\tns_per_op\tinstructions_per_op\tbytes\tbranches_per_op\n");
        for (size_t i = 0; i < n; i++) {
            if (rs[i].ns < 0)
                printf("%s\t%s\t-\t-\t%zu\t-\n", rs[i].op, rs[i].impl, rs[i].bytes);
            else
                printf("%s\t%s\t%.2f\t-\t%zu\t-\n", rs[i].op, rs[i].impl, rs[i].ns, rs[i].bytes);
        }
        return;
    }
    char ratio_head[32];
    snprintf(ratio_head, sizeof ratio_head, "x %s", bench_impl_flat.name);
    printf("%-24s %-12s %12s %10s %12s %10s\n", "operation", "impl", "ns/op", ratio_head, "iterations", "bytes");
    for (size_t i = 0; i < n; i++) {
        double flat_ns = -1;
        for (size_t j = 0; j < n; j++)
            if (strcmp(rs[j].op, rs[i].op) == 0 && rs[j].impl == bench_impl_flat.name) flat_ns = rs[j].ns;
        char ns[32] = "-", ratio[32] = "-";
        if (rs[i].ns >= 0) snprintf(ns, sizeof ns, "%.1f", rs[i].ns);
        if (rs[i].ns >= 0 && flat_ns > 0) snprintf(ratio, sizeof ratio, "%.2f", rs[i].ns / flat_ns);
        printf("%-24s %-12s %12s %10s %12ld %10zu\n", rs[i].op, rs[i].impl, ns, ratio, rs[i].iters, rs[i].bytes);
    }
}

static void list_all(void)
{
    printf("implementations:\n");
    for (size_t i = 0; i < IMPL_COUNT; i++) printf("  %-12s %s\n", impls[i]->name, impls[i]->what);
    printf("operations:\n");
    for (size_t t = 0; t < workload_type_count; t++)
        printf("  %s.encode %s.decode\n", workload_types[t], workload_types[t]);
}

static bool parse_args(int argc, char **argv, options *o)
{
    *o = (options){.reps = 7};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--tsv") == 0) o->tsv = true;
        else if (strcmp(a, "--callgrind") == 0) o->callgrind = true;
        else if (strcmp(a, "--validate-only") == 0) o->validate_only = true;
        else if (strcmp(a, "--list") == 0) o->list = true;
        else if (strcmp(a, "--ops") == 0 && has_value) o->ops = argv[++i];
        else if (strcmp(a, "--impls") == 0 && has_value) o->impls = argv[++i];
        else if (strcmp(a, "--iterations") == 0 && has_value) {
            char *end;
            o->iterations = strtol(argv[++i], &end, 10);
            if (*end || o->iterations < 1) return false;
        } else if (strcmp(a, "--reps") == 0 && has_value) {
            char *end;
            long r = strtol(argv[++i], &end, 10);
            if (*end || r < 5 || r > 64) {
                fprintf(stderr, "codec-bench: --reps must be 5..64\n");
                return false;
            }
            o->reps = (int)r;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "codec-bench: bad argument %s\n", a);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    options o;
    if (!parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    if (o.list) {
        list_all();
        return 0;
    }
    workload_init();
    uint8_t *out = malloc(OUT_CAP);
    result *rs = calloc(2 * IMPL_COUNT * workload_type_count, sizeof *rs);
    if (!out || !rs || workload_type_count > sizeof refs / sizeof refs[0]) {
        fprintf(stderr, "codec-bench: out of memory\n");
        return 1;
    }
    for (size_t t = 0; t < workload_type_count; t++)
        if (!make_reference(t, out)) return 1;

    size_t nres = 0, validated = 0;
    bool ok = true, any = false;
    for (size_t t = 0; t < workload_type_count; t++) {
        const char *type = workload_types[t];
        for (size_t k = 0; k < IMPL_COUNT; k++) {
            const bench_impl *impl = impls[k];
            const bench_case *c = find_case(impl, type);
            /* The generated codec answers to its style's name and to `famqp`
             * (perf/diff selects it so in builds of either style). */
            if (!c || !selected(o.impls, impl->name, impl == &bench_impl_flat ? "famqp" : NULL)) continue;
            char enc_name[48], dec_name[48];
            snprintf(enc_name, sizeof enc_name, "%s.encode", type);
            snprintf(dec_name, sizeof dec_name, "%s.decode", type);
            bool do_enc = c->encode && selected(o.ops, enc_name, type);
            bool do_dec = c->decode && selected(o.ops, dec_name, type);
            if (!do_enc && !do_dec) continue;
            any = true;
            void *ctx = c->setup(type, refs[t].bytes, refs[t].len);
            if (!ctx) {
                ok = fail(impl->name, type, "setup failed");
                continue;
            }
            size_t enc_len;
            if (!validate(impl, c, ctx, t, out, &enc_len)) {
                ok = false;
                c->teardown(ctx);
                continue;
            }
            validated++;
            for (int e = 1; e >= 0 && !o.validate_only; e--) {
                if (e ? !do_enc : !do_dec) continue;
                result *r = &rs[nres++];
                r->impl = impl->name;
                snprintf(r->op, sizeof r->op, "%s", e ? enc_name : dec_name);
                r->bytes = e ? enc_len : refs[t].len;
                measure(&o, c, ctx, e, &refs[t], out, r);
            }
            c->teardown(ctx);
        }
    }
    if (!any) {
        fprintf(stderr, "codec-bench: no operation matches --ops/--impls (see --list)\n");
        return 2;
    }
    if (o.validate_only) {
        printf("%zu cases validated%s\n", validated, ok ? "" : ", some FAILED");
    } else {
        print_results(&o, rs, nres);
    }
    /* On stderr with --tsv, so the TSV stays one table. */
    fprintf(o.tsv ? stderr : stdout, "checksum %llu\n", (unsigned long long)checksum);
    for (size_t t = 0; t < workload_type_count; t++) free(refs[t].bytes);
    free(rs);
    free(out);
    return ok ? 0 : 1;
}

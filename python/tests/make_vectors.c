/* Writes random valid encodings of every composite and section of the spec
 * (famqp_test_support's generated random values, C encoder) as lines
 * "amqp-name<TAB>hex", for python/tests/test_roundtrip.py: every value in
 * every mode (all fields, mandatory only, random subsets), PER_MODE values
 * each, seeded so the file is the same on every run.
 *   usage: make_vectors OUT.tsv */
#include <stdio.h>
#include <stdlib.h>

#include "famqp_spec_tests.h"

#define PER_MODE 8

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_vectors OUT.tsv\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static _Alignas(16) uint8_t arena_buf[1 << 17];
    static _Alignas(16) uint8_t value[4096];
    static uint8_t out[1 << 16];
    famqp_test_arena a;
    famqp_test_rng rng;
    famqp_test_rng_seed(&rng, 20261204);
    size_t n = 0;
    for (size_t t = 0; t < famqp_test_type_count; t++) {
        const famqp_test_type *ty = &famqp_test_types[t];
        if (ty->size > sizeof value) {
            fprintf(stderr, "%s: struct of %zu bytes\n", ty->name, ty->size);
            return 1;
        }
        for (int mode = 0; mode < FAMQP_TEST_MODE_COUNT; mode++)
            for (int k = 0; k < PER_MODE; k++) {
                famqp_test_arena_init(&a, arena_buf, sizeof arena_buf);
                ty->random(&rng, value, &a, mode);
                size_t len = ty->encode(out, sizeof out, value);
                if (len == 0 || len > sizeof out) {
                    fprintf(stderr, "%s: encode gave %zu bytes\n", ty->name, len);
                    return 1;
                }
                fprintf(f, "%s\t", ty->name);
                for (size_t i = 0; i < len; i++)
                    fprintf(f, "%02x", out[i]);
                fputc('\n', f);
                n++;
            }
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%zu vectors of %zu types in %s\n", n, famqp_test_type_count, argv[1]);
    return 0;
}

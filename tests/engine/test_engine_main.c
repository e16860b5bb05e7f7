/* Runs one engine suite, named by argv[1] (e.g. "errors"), or all of them
 * without an argument.  CTest registers one test per suite so that each
 * has its own timeout and a failure names its suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

Suite *engine_connection_suite(void);
Suite *engine_transfer_suite(void);
Suite *engine_errors_suite(void);
Suite *engine_vectors_suite(void);
Suite *engine_limits_suite(void);
Suite *engine_failalloc_suite(void);
Suite *engine_states_suite(void);
Suite *engine_trace_suite(void);
Suite *engine_fields_suite(void);
Suite *engine_txn_suite(void);

static const struct {
    const char *name;
    Suite *(*make)(void);
} suites[] = {
    {"connection", engine_connection_suite}, {"transfer", engine_transfer_suite},
    {"errors", engine_errors_suite},         {"vectors", engine_vectors_suite},
    {"limits", engine_limits_suite},         {"failalloc", engine_failalloc_suite},
    {"states", engine_states_suite},         {"trace", engine_trace_suite},
    {"fields", engine_fields_suite},         {"txn", engine_txn_suite},
};
#define NSUITES (sizeof suites / sizeof suites[0])

int main(int argc, char **argv)
{
    SRunner *sr = NULL;
    for (size_t i = 0; i < NSUITES; i++) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        if (sr)
            srunner_add_suite(sr, suites[i].make());
        else
            sr = srunner_create(suites[i].make());
    }
    if (!sr) {
        /* A misspelt name must not pass as an empty run. */
        fprintf(stderr, "unknown engine suite '%s'; one of:", argv[1]);
        for (size_t i = 0; i < NSUITES; i++)
            fprintf(stderr, " %s", suites[i].name);
        fputc('\n', stderr);
        return EXIT_FAILURE;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

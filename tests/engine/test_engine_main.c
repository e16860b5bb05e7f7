/* Runs the engine suites. */
#include <stdlib.h>

#include "harness.h"

Suite *engine_connection_suite(void);
Suite *engine_transfer_suite(void);
Suite *engine_errors_suite(void);
Suite *engine_vectors_suite(void);
Suite *engine_limits_suite(void);
Suite *engine_failalloc_suite(void);
Suite *engine_states_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(engine_connection_suite());
    srunner_add_suite(sr, engine_transfer_suite());
    srunner_add_suite(sr, engine_errors_suite());
    srunner_add_suite(sr, engine_vectors_suite());
    srunner_add_suite(sr, engine_limits_suite());
    srunner_add_suite(sr, engine_failalloc_suite());
    srunner_add_suite(sr, engine_states_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Runs the client suite (each test forks under Check, so a hang is killed
 * by the test timeout). */
#include <check.h>
#include <stdlib.h>

Suite *client_suite(void);
Suite *send_linger_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(client_suite());
    srunner_add_suite(sr, send_linger_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

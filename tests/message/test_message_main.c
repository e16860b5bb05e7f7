/* Runs the message API suite. */
#include <check.h>
#include <stdlib.h>

Suite *message_suite(void);
Suite *message_helpers_suite(void);
Suite *message_body_suite(void);
Suite *message_management_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(message_suite());
    srunner_add_suite(sr, message_helpers_suite());
    srunner_add_suite(sr, message_body_suite());
    srunner_add_suite(sr, message_management_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

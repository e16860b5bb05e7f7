/* auth suite (famqp/auth.h, famqp/cbs.h): SAS tokens, their verification,
 * connection strings and the built-in CBS token provider. */
#include <check.h>
#include <stdlib.h>

TCase *sas_tcase(void);
TCase *connection_string_tcase(void);
TCase *sas_verify_tcase(void);
TCase *cbs_sas_tcase(void);

int main(void)
{
    Suite *s = suite_create("auth");
    suite_add_tcase(s, sas_tcase());
    suite_add_tcase(s, connection_string_tcase());
    suite_add_tcase(s, sas_verify_tcase());
    suite_add_tcase(s, cbs_sas_tcase());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

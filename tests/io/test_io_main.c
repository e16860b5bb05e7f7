/* Socket driver suite (io.h). */
#include <check.h>
#include <stdlib.h>

TCase *io_url_tcase(void);
TCase *io_socket_tcase(void);
TCase *io_ws_tcase(void);
TCase *io_ws_server_tcase(void);

int main(void)
{
    Suite *s = suite_create("io");
    suite_add_tcase(s, io_url_tcase());
    suite_add_tcase(s, io_socket_tcase());
    suite_add_tcase(s, io_ws_tcase());
    suite_add_tcase(s, io_ws_server_tcase());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

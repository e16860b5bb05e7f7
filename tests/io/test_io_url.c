/* famqp_url_parse: schemes, default ports, credentials, IPv6, errors,
 * ws:// and wss:// (WebSocket path and ports). */
#include <check.h>
#include <string.h>

#include "famqp/io.h"

START_TEST(url_full)
{
    famqp_url u;
    famqp_io_error e;
    ck_assert(famqp_url_parse("amqp://guest:secret@broker.example:5673/queue/a", &u, &e));
    ck_assert(!u.tls);
    ck_assert_str_eq(u.user, "guest");
    ck_assert_str_eq(u.password, "secret");
    ck_assert_str_eq(u.host, "broker.example");
    ck_assert_uint_eq(u.port, 5673);
    ck_assert_str_eq(u.address, "queue/a");
}
END_TEST

START_TEST(url_defaults)
{
    famqp_url u;
    famqp_io_error e;
    ck_assert(famqp_url_parse("amqp://localhost", &u, &e));
    ck_assert_uint_eq(u.port, 5672);
    ck_assert_str_eq(u.user, "");
    ck_assert_str_eq(u.password, "");
    ck_assert_str_eq(u.address, "");
    ck_assert(famqp_url_parse("amqps://h/", &u, &e));
    ck_assert(u.tls);
    ck_assert_uint_eq(u.port, 5671);
    ck_assert_str_eq(u.host, "h");
    ck_assert_str_eq(u.address, "");
    ck_assert(famqp_url_parse("amqp://user@h", &u, &e));
    ck_assert_str_eq(u.user, "user");
    ck_assert_str_eq(u.password, "");
}
END_TEST

START_TEST(url_percent_and_ipv6)
{
    famqp_url u;
    famqp_io_error e;
    ck_assert(famqp_url_parse("amqps://us%65r%40x:p%3Aa%2fss%25@[::1]:6000/q", &u, &e));
    ck_assert_str_eq(u.user, "user@x");
    ck_assert_str_eq(u.password, "p:a/ss%");
    ck_assert_str_eq(u.host, "::1");
    ck_assert_uint_eq(u.port, 6000);
    ck_assert_str_eq(u.address, "q");
    ck_assert(famqp_url_parse("amqp://[fe80::1]", &u, &e));
    ck_assert_str_eq(u.host, "fe80::1");
    ck_assert_uint_eq(u.port, 5672);
}
END_TEST

static void expect_bad(const char *url, const char *needle)
{
    famqp_url u;
    famqp_io_error e = {0};
    ck_assert_msg(!famqp_url_parse(url, &u, &e), "'%s' accepted", url);
    ck_assert_msg(strstr(e.message, needle) != NULL, "'%s': message '%s' lacks '%s'", url, e.message, needle);
}

START_TEST(url_websocket)
{
    famqp_url u;
    famqp_io_error e;
    ck_assert(famqp_url_parse("ws://h", &u, &e));
    ck_assert(u.websocket && !u.tls);
    ck_assert_uint_eq(u.port, 80);
    ck_assert_str_eq(u.ws_path, "/$servicebus/websocket");
    ck_assert_str_eq(u.address, "");
    ck_assert(famqp_url_parse("wss://user:pw@ns.example/", &u, &e));
    ck_assert(u.websocket && u.tls);
    ck_assert_uint_eq(u.port, 443);
    ck_assert_str_eq(u.user, "user");
    ck_assert_str_eq(u.ws_path, "/$servicebus/websocket");
    ck_assert(famqp_url_parse("ws://[::1]:8080/amqp/ws?x=1", &u, &e));
    ck_assert_str_eq(u.host, "::1");
    ck_assert_uint_eq(u.port, 8080);
    ck_assert_str_eq(u.ws_path, "/amqp/ws?x=1");
    ck_assert_str_eq(u.address, "");
    /* the path goes on the request line: nothing that would split it */
    ck_assert(!famqp_url_parse("ws://h/a b", &u, &e));
    ck_assert_int_eq(e.status, FAMQP_IO_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(e.message, "control characters"));
    ck_assert(!famqp_url_parse("ws://h/a\r\nX: y", &u, &e));
    ck_assert(!famqp_url_parse("http://h:1", &u, &e));
    ck_assert_ptr_nonnull(strstr(e.message, "ws://"));
}
END_TEST

START_TEST(url_errors)
{
    expect_bad("http://h", "scheme must be amqp://, amqps://, ws:// or wss://");
    expect_bad("amqp://", "host is missing");
    expect_bad("amqp://u:p@/x", "host is missing");
    expect_bad("amqp://h:", "port is empty");
    expect_bad("amqp://h:0", "port must be a number from 1 to 65535");
    expect_bad("amqp://h:65536", "port must be a number from 1 to 65535");
    expect_bad("amqp://h:12a", "port must be a number");
    expect_bad("amqp://h:99999999999999999999", "port must be a number");
    expect_bad("amqp://[::1", "missing ']'");
    expect_bad("amqp://[::1]x", "unexpected text after ']'");
    expect_bad("amqp://u%4g:p@h", "bad %-escape in the user name");
    expect_bad("amqp://u:p%@h", "truncated %-escape in the password");
    expect_bad("amqp://u%00@h", "%00 is not allowed");
    char longhost[400];
    memset(longhost, 'a', sizeof longhost);
    memcpy(longhost, "amqp://", 7);
    longhost[sizeof longhost - 1] = '\0';
    expect_bad(longhost, "host name too long");
    famqp_url u;
    famqp_io_error e;
    ck_assert(!famqp_url_parse(NULL, &u, &e));
}
END_TEST

TCase *io_url_tcase(void)
{
    TCase *tc = tcase_create("url");
    tcase_add_test(tc, url_full);
    tcase_add_test(tc, url_defaults);
    tcase_add_test(tc, url_percent_and_ipv6);
    tcase_add_test(tc, url_errors);
    tcase_add_test(tc, url_websocket);
    return tc;
}

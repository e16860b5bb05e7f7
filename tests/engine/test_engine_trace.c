/* FAMQP_TRACE: frames are traced in the order they cross the wire (open,
 * begin and attach written before the SASL exchange ends still come after
 * it), and a transfer's line shows the first bytes of its payload. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static bool check_guest(void *ctx, famqp_string authzid, famqp_string user, famqp_string pass)
{
    (void)ctx;
    (void)authzid;
    return user.len == 5 && memcmp(user.ptr, "guest", 5) == 0 && pass.len == 6 && memcmp(pass.ptr, "secret", 6) == 0;
}

/* The whole trace written to f so far, NUL-terminated (free it). */
static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    char *text = calloc(1, (size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    rewind(f);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    return text;
}

/* Line number (0-based) of the first trace line in direction dir ("->" or
 * "<-") whose text after the arrow starts with what; -1 when none. */
static int line_of(const char *text, const char *dir, const char *what)
{
    int line = 0;
    for (const char *p = text; *p; line++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *arrow = strstr(p, dir);
        if (arrow && arrow < p + len && arrow[2] == ' ' && strncmp(arrow + 3, what, strlen(what)) == 0)
            return line;
        if (!end)
            break;
        p = end + 1;
    }
    return -1;
}

/* The trace line that starts (after the arrow) with what, copied into buf. */
static const char *line_text(const char *text, const char *dir, const char *what, char *buf, size_t cap)
{
    int want = line_of(text, dir, what);
    ck_assert_msg(want >= 0, "no '%s %s' line in trace:\n%s", dir, what, text);
    const char *p = text;
    for (int i = 0; i < want; i++)
        p = strchr(p, '\n') + 1;
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    ck_assert_uint_lt(len, cap);
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

#define ASSERT_BEFORE(text, dir1, what1, dir2, what2)                                                       \
    do {                                                                                                    \
        int a_ = line_of(text, dir1, what1), b_ = line_of(text, dir2, what2);                               \
        ck_assert_msg(a_ >= 0, "no '%s %s' line in trace:\n%s", dir1, what1, text);                        \
        ck_assert_msg(b_ >= 0, "no '%s %s' line in trace:\n%s", dir2, what2, text);                        \
        ck_assert_msg(a_ < b_, "'%s %s' (line %d) not before '%s %s' (line %d) in trace:\n%s", dir1, what1, \
                      a_, dir2, what2, b_, text);                                                           \
    } while (0)

/* A client that opens its connection, a session and a sender link before
 * SASL has run (the frames wait behind the exchange), each side tracing to
 * its own file. */
static famqp_link *traced_pair(pair *p, FILE *client_trace, FILE *server_trace, enum chunking mode)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.sasl_mechanisms = FAMQP_SASL_PLAIN;
    co.sasl_username = "guest";
    co.sasl_password = "secret";
    co.trace = 1;
    co.trace_file = client_trace;
    so.sasl_mechanisms = FAMQP_SASL_PLAIN;
    so.sasl_check = check_guest;
    so.trace = 1;
    so.trace_file = server_trace;
    pair_init(p, &co, &so, mode);
    ck_assert_int_eq(famqp_connection_open(p->a.c), FAMQP_ENGINE_OK);
    famqp_session *s;
    ck_assert_int_eq(famqp_session_new(p->a.c, &s), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);
    famqp_link *l;
    ck_assert_int_eq(famqp_link_new(s, "traced", FAMQP_LINK_SENDER, NULL, &l), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_msg(!famqp_connection_failed(p->a.c), "client failed: %s", p->a.desc);
    ck_assert_msg(!famqp_connection_failed(p->b.c), "server failed: %s", p->b.desc);
    ck_assert_uint_gt(famqp_link_credit(l), 0);
    return l;
}

START_TEST(test_trace_wire_order_with_sasl)
{
    FILE *ct = tmpfile(), *st = tmpfile();
    ck_assert_ptr_nonnull(ct);
    ck_assert_ptr_nonnull(st);
    pair p;
    traced_pair(&p, ct, st, (enum chunking)_i);
    char *c = slurp(ct), *s = slurp(st);

    /* client, outgoing: SASL first, then AMQP, whatever order the
     * application asked for things in */
    ASSERT_BEFORE(c, "->", "AMQP 3.1.0.0", "->", "@sasl-init(");
    ASSERT_BEFORE(c, "<-", "@sasl-mechanisms(", "->", "@sasl-init(");
    ASSERT_BEFORE(c, "->", "@sasl-init(", "<-", "@sasl-outcome(");
    ASSERT_BEFORE(c, "<-", "@sasl-outcome(", "->", "AMQP 0.1.0.0");
    ASSERT_BEFORE(c, "->", "AMQP 0.1.0.0", "->", "@open(");
    ASSERT_BEFORE(c, "->", "@open(", "->", "@begin(");
    ASSERT_BEFORE(c, "->", "@begin(", "->", "@attach(");
    ASSERT_BEFORE(c, "<-", "AMQP 0.1.0.0", "<-", "@open(");
    /* server: the same exchange seen from the other side */
    ASSERT_BEFORE(s, "<-", "AMQP 3.1.0.0", "->", "AMQP 3.1.0.0");
    ASSERT_BEFORE(s, "->", "AMQP 3.1.0.0", "->", "@sasl-mechanisms(");
    ASSERT_BEFORE(s, "->", "@sasl-mechanisms(", "<-", "@sasl-init(");
    ASSERT_BEFORE(s, "<-", "@sasl-init(", "->", "@sasl-outcome(");
    ASSERT_BEFORE(s, "->", "@sasl-outcome(", "<-", "@open(");
    ASSERT_BEFORE(s, "<-", "@open(", "->", "@open(");
    ASSERT_BEFORE(s, "->", "@open(", "->", "@begin(");
    ASSERT_BEFORE(s, "->", "@begin(", "->", "@attach(");
    /* the password is never traced */
    ck_assert_msg(!strstr(c, "secret") && !strstr(s, "secret"), "password in trace:\n%s\n%s", c, s);
    free(c);
    free(s);
    fclose(ct);
    fclose(st);
    pair_free(&p);
}
END_TEST

START_TEST(test_trace_transfer_payload)
{
    FILE *ct = tmpfile(), *st = tmpfile();
    ck_assert_ptr_nonnull(ct);
    ck_assert_ptr_nonnull(st);
    pair p;
    famqp_link *l = traced_pair(&p, ct, st, CHUNK_WHOLE);
    long before = ftell(ct);

    /* A short payload with bytes that need escaping, shown whole. */
    static const uint8_t small[] = {'h', 'i', 0x00, '"', '\\', 0xff, '!'};
    ck_assert_int_eq(famqp_link_send(l, famqp_binary_of("t1", 2), small, sizeof small, true, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    char *c = slurp(ct), *s = slurp(st);
    char line[1024];
    line_text(c, "->", "@transfer(", line, sizeof line);
    ck_assert_msg(strstr(line, "(7 payload bytes) \"hi\\x00\\x22\\x5c\\xff!\""),
                  "client's transfer line lacks the payload: %s", line);
    ck_assert_msg(!strstr(line, "\"..."), "a whole payload marked as cut: %s", line);
    line_text(s, "<-", "@transfer(", line, sizeof line);
    ck_assert_msg(strstr(line, "(7 payload bytes) \"hi\\x00\\x22\\x5c\\xff!\""),
                  "server's transfer line lacks the payload: %s", line);
    free(c);
    free(s);

    /* A long payload: the first 64 bytes, then "...", with the total size. */
    uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)('a' + i % 26);
    ck_assert_int_eq(famqp_link_send(l, famqp_binary_of("t2", 2), big, sizeof big, true, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    c = slurp(ct);
    char want[128];
    snprintf(want, sizeof want, "(300 payload bytes) \"%.26s%.26s%.12s\"...", (const char *)big, (const char *)big,
             (const char *)big);
    ck_assert_msg(strstr(c + before, want), "no '%s' in trace:\n%s", want, c + before);
    free(c);
    fclose(ct);
    fclose(st);
    pair_free(&p);
}
END_TEST

/* Output taken in small pieces is still traced once per frame, in order. */
START_TEST(test_trace_partial_consume)
{
    FILE *ct = tmpfile();
    ck_assert_ptr_nonnull(ct);
    famqp_connection_options co;
    harness_client_options(&co);
    co.trace = 1;
    co.trace_file = ct;
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&co, &c), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(famqp_connection_open(c), FAMQP_ENGINE_OK);
    famqp_session *s;
    ck_assert_int_eq(famqp_session_new(c, &s), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);
    size_t len, total = 0;
    for (int i = 0; i < 10000; i++) {
        famqp_connection_output(c, &len);
        if (!len)
            break;
        famqp_connection_output_consume(c, 3);
        total += len < 3 ? len : 3;
    }
    ck_assert_uint_gt(total, 8);
    char *t = slurp(ct);
    ASSERT_BEFORE(t, "->", "AMQP 0.1.0.0", "->", "@open(");
    ASSERT_BEFORE(t, "->", "@open(", "->", "@begin(");
    ck_assert_msg(!strstr(strstr(t, "@open(") + 1, "@open("), "open traced twice:\n%s", t);
    ck_assert_msg(!strstr(strstr(t, "@begin(") + 1, "@begin("), "begin traced twice:\n%s", t);
    free(t);
    fclose(ct);
    famqp_connection_free(c);
}
END_TEST

Suite *engine_trace_suite(void)
{
    Suite *s = suite_create("engine_trace");
    TCase *tc = tcase_create("trace");
    tcase_add_loop_test(tc, test_trace_wire_order_with_sasl, CHUNK_WHOLE, CHUNK_RANDOM + 1);
    tcase_add_test(tc, test_trace_transfer_payload);
    tcase_add_test(tc, test_trace_partial_consume);
    suite_add_tcase(s, tc);
    return s;
}

/* Engine against engine: connection, session and link life cycles, SASL,
 * protocol headers, open negotiation and idle timeouts. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- full life cycle, exact event sequences -------------------------- */

static void check_log(const side *s, const famqp_event_type *want, size_t n)
{
    ck_assert_msg(s->nlog == n, "%s: %zu events, expected %zu", s->name, s->nlog, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(s->log[i] == want[i], "%s: event %zu is %s, expected %s", s->name, i,
                      famqp_event_type_name(s->log[i]), famqp_event_type_name(want[i]));
}

static void lifecycle(enum chunking mode)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, mode);
    p.b.answer_opts.credit_window = 0; /* no flow: keeps the sequence exact */

    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "x", FAMQP_LINK_SENDER, NULL, NULL);
    famqp_link *rcv = pair_attach(&p, cs, "x", FAMQP_LINK_RECEIVER, NULL, NULL); /* same name, other role */
    ck_assert_str_eq(famqp_link_name(rcv), "x");
    ck_assert_int_eq(famqp_link_close(snd, NULL, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_close(rcv, "amqp:link:detach-forced", "test detaches"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    /* The server answers detaches and ends by hand. */
    famqp_session *ss = p.b.last_session;
    ck_assert_str_eq(p.b.cond, "amqp:link:detach-forced");
    ck_assert_str_eq(p.b.desc, "test detaches");
    ck_assert_int_eq(famqp_session_close(cs, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_session_close(ss, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_connection_close(p.a.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_connection_close(p.b.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(famqp_connection_finished(p.a.c));
    ck_assert(famqp_connection_finished(p.b.c));
    ck_assert(!famqp_connection_failed(p.a.c));

    static const famqp_event_type client[] = {
        FAMQP_EVENT_CONNECTION_LOCAL_OPEN, FAMQP_EVENT_SESSION_LOCAL_BEGIN, FAMQP_EVENT_CONNECTION_REMOTE_OPEN,
        FAMQP_EVENT_SESSION_REMOTE_BEGIN,  FAMQP_EVENT_LINK_LOCAL_ATTACH,   FAMQP_EVENT_LINK_REMOTE_ATTACH,
        FAMQP_EVENT_LINK_LOCAL_ATTACH,     FAMQP_EVENT_LINK_REMOTE_ATTACH,  FAMQP_EVENT_LINK_LOCAL_DETACH,
        FAMQP_EVENT_LINK_LOCAL_DETACH,     FAMQP_EVENT_SESSION_LOCAL_END,   FAMQP_EVENT_SESSION_REMOTE_END,
        FAMQP_EVENT_CONNECTION_LOCAL_CLOSE, FAMQP_EVENT_CONNECTION_REMOTE_CLOSE,
    };
    static const famqp_event_type server[] = {
        FAMQP_EVENT_CONNECTION_REMOTE_OPEN, FAMQP_EVENT_SESSION_REMOTE_BEGIN,  FAMQP_EVENT_CONNECTION_LOCAL_OPEN,
        FAMQP_EVENT_SESSION_LOCAL_BEGIN,    FAMQP_EVENT_LINK_REMOTE_ATTACH,    FAMQP_EVENT_LINK_LOCAL_ATTACH,
        FAMQP_EVENT_LINK_REMOTE_ATTACH,     FAMQP_EVENT_LINK_LOCAL_ATTACH,     FAMQP_EVENT_LINK_REMOTE_DETACH,
        FAMQP_EVENT_LINK_REMOTE_DETACH,     FAMQP_EVENT_SESSION_REMOTE_END,    FAMQP_EVENT_SESSION_LOCAL_END,
        FAMQP_EVENT_CONNECTION_REMOTE_CLOSE, FAMQP_EVENT_CONNECTION_LOCAL_CLOSE,
    };
    check_log(&p.a, client, sizeof client / sizeof client[0]);
    check_log(&p.b, server, sizeof server / sizeof server[0]);
    pair_free(&p);
}

START_TEST(test_lifecycle_whole) { lifecycle(CHUNK_WHOLE); }
END_TEST
START_TEST(test_lifecycle_bytewise) { lifecycle(CHUNK_BYTE); }
END_TEST
START_TEST(test_lifecycle_random) { lifecycle(CHUNK_RANDOM); }
END_TEST

/* Link detached by the server side first, with an error the client sees. */
START_TEST(test_remote_detach_error)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *sl;
    famqp_link *cl = pair_attach(&p, cs, "q", FAMQP_LINK_SENDER, NULL, &sl);
    ck_assert_int_eq(famqp_link_close(sl, "amqp:not-found", "no such queue"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_LINK_REMOTE_DETACH], 1);
    ck_assert_str_eq(p.a.cond, "amqp:not-found");
    ck_assert_str_eq(p.a.desc, "no such queue");
    ck_assert_str_eq(famqp_link_remote_condition(cl).name, "amqp:not-found");
    ck_assert_int_eq(famqp_link_close(cl, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    /* the server ends the session with an error */
    ck_assert_int_eq(famqp_session_close(p.b.last_session, "amqp:resource-deleted", "bye"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_END], 1);
    ck_assert_str_eq(p.a.cond, "amqp:resource-deleted");
    /* and closes the connection with an error */
    ck_assert_int_eq(famqp_connection_close(p.b.c, "amqp:connection:forced", "shutting down"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(p.a.cond, "amqp:connection:forced");
    ck_assert_str_eq(p.a.desc, "shutting down");
    ck_assert_str_eq(famqp_connection_remote_condition(p.a.c).name, "amqp:connection:forced");
    pair_free(&p);
}
END_TEST

/* Ending a session and detaching a link before the peer answered. */
START_TEST(test_close_before_answer)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.answer_opts.credit_window = 0;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *l;
    famqp_link_new(cs, "quick", FAMQP_LINK_RECEIVER, NULL, &l);
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_close(l, NULL, NULL), FAMQP_ENGINE_OK);
    famqp_session *s2;
    famqp_session_new(p.a.c, &s2);
    ck_assert_int_eq(famqp_session_open(s2), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_session_close(s2, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_msg(!famqp_connection_failed(p.a.c), "client: %s", p.a.desc);
    ck_assert_msg(!famqp_connection_failed(p.b.c), "server: %s", p.b.desc);
    /* the server answers the detach and the end */
    famqp_link_close(p.b.last_link, NULL, NULL);
    famqp_session_close(p.b.last_session, NULL, NULL);
    pair_pump(&p);
    ck_assert_msg(!famqp_connection_failed(p.a.c), "client: %s", p.a.desc);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_LINK_REMOTE_DETACH], 1);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_END], 1);
    /* a new session reuses the freed channel 1 */
    famqp_session *s3;
    famqp_session_new(p.a.c, &s3);
    ck_assert_uint_eq(famqp_session_channel(s3), 1);
    pair_free(&p);
}
END_TEST

/* Several sessions, several links each; all carry messages. */
START_TEST(test_many_sessions_links)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_RANDOM);
    famqp_session *s0;
    pair_connect(&p, &s0, NULL);
    famqp_session *sess[4] = {s0};
    for (int i = 1; i < 4; i++) {
        famqp_session_new(p.a.c, &sess[i]);
        ck_assert_ptr_nonnull(sess[i]);
        ck_assert_int_eq(famqp_session_open(sess[i]), FAMQP_ENGINE_OK);
        ck_assert_int_eq(famqp_session_channel(sess[i]), i);
    }
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_BEGIN], 4);
    famqp_link *senders[12];
    int n = 0;
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 3; j++) {
            char name[32];
            snprintf(name, sizeof name, "link-%d", j);
            senders[n++] = pair_attach(&p, sess[i], name, FAMQP_LINK_SENDER, NULL, NULL);
        }
    }
    pair_pump(&p); /* credit from the server's window */
    for (int k = 0; k < n; k++) {
        ck_assert_uint_eq(famqp_link_credit(senders[k]), 100);
        for (int m = 0; m < 5; m++) {
            uint8_t tag = (uint8_t)m, body[10];
            memset(body, k, sizeof body);
            famqp_delivery *d;
            ck_assert_int_eq(famqp_link_send(senders[k], famqp_binary_of(&tag, 1), body, sizeof body, false, &d),
                             FAMQP_ENGINE_OK);
            ck_assert_ptr_nonnull(d);
        }
    }
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 60);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 60);
    ck_assert_uint_eq(p.a.remote_settled, 60);
    pair_free(&p);
}
END_TEST

/* ---- SASL ---------------------------------------------------------------- */

static bool check_guest(void *ctx, famqp_string authzid, famqp_string user, famqp_string pass)
{
    (void)ctx;
    (void)authzid;
    return user.len == 5 && memcmp(user.ptr, "guest", 5) == 0 && pass.len == 6 && memcmp(pass.ptr, "secret", 6) == 0;
}

static void sasl_pair(pair *p, unsigned client_mech, const char *user, const char *pass, unsigned server_mechs,
                      enum chunking mode)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.sasl_mechanisms = client_mech;
    co.sasl_username = user;
    co.sasl_password = pass;
    so.sasl_mechanisms = server_mechs;
    so.sasl_check = check_guest;
    pair_init(p, &co, &so, mode);
    famqp_connection_open(p->a.c);
    pair_pump(p);
}

START_TEST(test_sasl_plain_ok)
{
    pair p;
    sasl_pair(&p, FAMQP_SASL_PLAIN, "guest", "secret", FAMQP_SASL_PLAIN | FAMQP_SASL_ANONYMOUS, (enum chunking)_i);
    ck_assert_msg(!famqp_connection_failed(p.a.c), "client failed: %s", p.a.desc);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SASL_DONE], 1);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_SASL_DONE], 1);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_OPEN], 1);
    ck_assert_str_eq(famqp_connection_sasl_user(p.b.c), "guest");
    pair_free(&p);
}
END_TEST

START_TEST(test_sasl_plain_bad_password)
{
    pair p;
    sasl_pair(&p, FAMQP_SASL_PLAIN, "guest", "wrong", FAMQP_SASL_PLAIN, CHUNK_WHOLE);
    ck_assert(famqp_connection_failed(p.a.c));
    ck_assert(famqp_connection_failed(p.b.c));
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_ERROR], 1);
    ck_assert_str_eq(p.a.cond, "amqp:unauthorized-access");
    ck_assert_msg(strstr(p.a.desc, "code 1") && strstr(p.a.desc, "authentication failed"), "desc: %s", p.a.desc);
    ck_assert_str_eq(p.b.cond, "amqp:unauthorized-access");
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_OPEN], 0);
    ck_assert(famqp_connection_finished(p.a.c));
    pair_free(&p);
}
END_TEST

START_TEST(test_sasl_anonymous)
{
    pair p;
    sasl_pair(&p, FAMQP_SASL_ANONYMOUS, NULL, NULL, FAMQP_SASL_ANONYMOUS, CHUNK_BYTE);
    ck_assert_msg(!famqp_connection_failed(p.a.c), "client failed: %s", p.a.desc);
    ck_assert_str_eq(famqp_connection_sasl_user(p.b.c), "anonymous");
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_OPEN], 1);
    pair_free(&p);
}
END_TEST

START_TEST(test_sasl_mechanism_not_offered)
{
    pair p;
    sasl_pair(&p, FAMQP_SASL_EXTERNAL, NULL, NULL, FAMQP_SASL_PLAIN | FAMQP_SASL_ANONYMOUS, CHUNK_WHOLE);
    ck_assert(famqp_connection_failed(p.a.c));
    ck_assert_str_eq(p.a.cond, "amqp:unauthorized-access");
    ck_assert_msg(strstr(p.a.desc, "EXTERNAL") && strstr(p.a.desc, "PLAIN ANONYMOUS"), "desc: %s", p.a.desc);
    pair_free(&p);
}
END_TEST

START_TEST(test_sasl_anonymous_refused)
{
    pair p;
    sasl_pair(&p, FAMQP_SASL_ANONYMOUS, NULL, NULL, FAMQP_SASL_PLAIN, CHUNK_WHOLE);
    ck_assert(famqp_connection_failed(p.a.c));
    ck_assert_str_eq(p.a.cond, "amqp:unauthorized-access");
    pair_free(&p);
}
END_TEST

/* A scripted SASL server: header, mechanisms, then the given outcome code. */
static size_t sasl_script(uint8_t *buf, size_t cap, const char *mech, uint8_t code)
{
    size_t n = 0;
    memcpy(buf, famqp_protocol_header_sasl, 8);
    n = 8;
    famqp_any_sasl_frame f = {.kind = FAMQP_ANY_SASL_FRAME_SASL_MECHANISMS};
    famqp_symbol m = famqp_symbol_of(mech);
    f.u.sasl_mechanisms = famqp_sasl_mechanisms_defaults;
    f.u.sasl_mechanisms.sasl_server_mechanisms.count = 1;
    f.u.sasl_mechanisms.sasl_server_mechanisms.items = &m;
    f.u.sasl_mechanisms.present = FAMQP_SASL_MECHANISMS_HAS_SASL_SERVER_MECHANISMS;
    size_t body = famqp_any_sasl_frame_encode(buf + n + 8, cap - n - 8, &f);
    famqp_frame_header_put(buf + n, (uint32_t)(8 + body), FAMQP_FRAME_TYPE_SASL, 0);
    n += 8 + body;
    famqp_any_sasl_frame o = {.kind = FAMQP_ANY_SASL_FRAME_SASL_OUTCOME};
    o.u.sasl_outcome = famqp_sasl_outcome_defaults;
    o.u.sasl_outcome.code = code;
    o.u.sasl_outcome.present = FAMQP_SASL_OUTCOME_HAS_CODE;
    body = famqp_any_sasl_frame_encode(buf + n + 8, cap - n - 8, &o);
    famqp_frame_header_put(buf + n, (uint32_t)(8 + body), FAMQP_FRAME_TYPE_SASL, 0);
    n += 8 + body;
    return n;
}

START_TEST(test_sasl_external_client)
{
    famqp_connection_options co;
    harness_client_options(&co);
    co.sasl_mechanisms = FAMQP_SASL_EXTERNAL;
    famqp_connection *c;
    famqp_connection_new(&co, &c);
    uint8_t buf[256];
    size_t n = sasl_script(buf, sizeof buf, "EXTERNAL", FAMQP_SASL_CODE_OK);
    ck_assert_int_eq(famqp_connection_input(c, buf, n), FAMQP_ENGINE_OK);
    const famqp_event *e = famqp_connection_next_event(c);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->type, FAMQP_EVENT_SASL_DONE);
    /* the client wrote: SASL header, sasl-init, then the AMQP header */
    size_t len;
    const uint8_t *out = famqp_connection_output(c, &len);
    ck_assert_uint_gt(len, 24);
    ck_assert(memcmp(out, famqp_protocol_header_sasl, 8) == 0);
    ck_assert(memcmp(out + len - 8, famqp_protocol_header_amqp, 8) == 0);
    famqp_frame fr;
    size_t used;
    ck_assert_int_eq(famqp_frame_parse(out + 8, len - 8, 512, &fr, &used, NULL), FAMQP_OK);
    famqp_any_sasl_frame init;
    ck_assert_uint_gt(famqp_any_sasl_frame_decode(fr.body.ptr, fr.body.len, &init, NULL), 0);
    ck_assert_int_eq(init.kind, FAMQP_ANY_SASL_FRAME_SASL_INIT);
    ck_assert(famqp_symbol_eq(init.u.sasl_init.mechanism, "EXTERNAL"));
    famqp_connection_free(c);
}
END_TEST

/* Each failing sasl-outcome code is explained. */
START_TEST(test_sasl_outcome_codes)
{
    static const struct { uint8_t code; const char *text; } cases[] = {
        {FAMQP_SASL_CODE_AUTH, "authentication failed"},
        {FAMQP_SASL_CODE_SYS, "system error"},
        {FAMQP_SASL_CODE_SYS_PERM, "permanent"},
        {FAMQP_SASL_CODE_SYS_TEMP, "temporary"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_connection_options co;
        harness_client_options(&co);
        co.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
        famqp_connection *c;
        famqp_connection_new(&co, &c);
        uint8_t buf[256];
        size_t n = sasl_script(buf, sizeof buf, "ANONYMOUS", cases[i].code);
        famqp_connection_input(c, buf, n);
        ck_assert(famqp_connection_failed(c));
        famqp_condition cond = famqp_connection_condition(c);
        ck_assert_str_eq(cond.name, "amqp:unauthorized-access");
        ck_assert_msg(strstr(cond.description, cases[i].text), "code %u: %s", cases[i].code, cond.description);
        famqp_connection_free(c);
    }
}
END_TEST

/* The trace masks PLAIN credentials. */
START_TEST(test_trace_masks_password)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.sasl_mechanisms = FAMQP_SASL_PLAIN;
    co.sasl_username = "guest";
    co.sasl_password = "secret";
    co.trace = 1;
    co.trace_file = f;
    so.sasl_mechanisms = FAMQP_SASL_PLAIN;
    so.sasl_check = check_guest;
    so.trace = 1;
    so.trace_file = f;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_connection_open(p.a.c);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.a.c));
    long n = ftell(f);
    ck_assert_int_gt(n, 0);
    char *text = calloc(1, (size_t)n + 1);
    rewind(f);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    ck_assert_msg(strstr(text, "sasl-init") || strstr(text, "sasl_init"), "no sasl-init in trace:\n%s", text);
    ck_assert_msg(strstr(text, "open"), "no open in trace");
    ck_assert_msg(!strstr(text, "secret"), "password in trace:\n%s", text);
    free(text);
    fclose(f);
    pair_free(&p);
}
END_TEST

/* FAMQP_TRACE=1 in the environment turns tracing on (options.trace = -1),
 * and credentials stay masked on both sides. */
START_TEST(test_trace_env_masks_credentials)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(setenv("FAMQP_TRACE", "1", 1), 0);
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.sasl_mechanisms = FAMQP_SASL_PLAIN;
    co.sasl_username = "guest";
    co.sasl_password = "secret";
    co.trace_file = so.trace_file = f;
    so.sasl_mechanisms = FAMQP_SASL_PLAIN;
    so.sasl_check = check_guest;
    ck_assert_int_eq(co.trace, -1);
    pair p;
    pair_init(&p, &co, &so, CHUNK_BYTE);
    unsetenv("FAMQP_TRACE");
    famqp_connection_open(p.a.c);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.a.c));
    long n = ftell(f);
    ck_assert_int_gt(n, 0);
    char *text = calloc(1, (size_t)n + 1);
    rewind(f);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    /* both directions of the sasl-init are traced (client out, server in) */
    const char *first = strstr(text, "sasl-init");
    if (!first)
        first = strstr(text, "sasl_init");
    ck_assert_msg(first, "no sasl-init in trace:\n%s", text);
    ck_assert_msg(strstr(first + 1, "sasl-init") || strstr(first + 1, "sasl_init"), "sasl-init traced once:\n%s",
                  text);
    ck_assert_msg(strstr(text, "->") && strstr(text, "<-"), "no direction marks:\n%s", text);
    ck_assert_msg(!strstr(text, "secret"), "password in trace:\n%s", text);
    /* the PLAIN response holds user and password: all of it is masked */
    ck_assert_msg(!strstr(text, "guest"), "user name in the masked response:\n%s", text);
    free(text);
    fclose(f);
    pair_free(&p);
}
END_TEST

/* ---- protocol headers ------------------------------------------------------ */

static void server_gets(const uint8_t *bytes, size_t n, unsigned sasl, const char *cond, const char *desc_part,
                        const uint8_t *reply_header)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.sasl_mechanisms = sasl;
    so.sasl_check = check_guest;
    famqp_connection *c;
    famqp_connection_new(&so, &c);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(famqp_connection_input(c, bytes, n), FAMQP_ENGINE_ERR_FAILED);
    const famqp_event *e = famqp_connection_next_event(c);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->type, FAMQP_EVENT_CONNECTION_ERROR);
    ck_assert_str_eq(e->condition.name, cond);
    ck_assert_msg(strstr(e->condition.description, desc_part), "description: %s", e->condition.description);
    size_t len;
    const uint8_t *out = famqp_connection_output(c, &len);
    ck_assert_uint_ge(len, 8);
    ck_assert_msg(memcmp(out, reply_header, 8) == 0, "server did not answer with its protocol header");
    ck_assert_ptr_null(famqp_connection_next_event(c));
    famqp_connection_free(c);
}

START_TEST(test_header_tls)
{
    server_gets(famqp_protocol_header_tls, 8, 0, "amqp:not-implemented", "TLS", famqp_protocol_header_amqp);
}
END_TEST

START_TEST(test_header_garbage)
{
    const uint8_t http[] = "GET / HTTP/1.1\r\n";
    server_gets(http, 16, 0, "amqp:connection:framing-error", "bad protocol header", famqp_protocol_header_amqp);
    const uint8_t v2[] = {'A', 'M', 'Q', 'P', 0, 2, 0, 0};
    server_gets(v2, 8, 0, "amqp:connection:framing-error", "version", famqp_protocol_header_amqp);
}
END_TEST

START_TEST(test_header_sasl_required)
{
    server_gets(famqp_protocol_header_amqp, 8, FAMQP_SASL_PLAIN, "amqp:unauthorized-access", "SASL",
                famqp_protocol_header_sasl);
    server_gets(famqp_protocol_header_sasl, 8, 0, "amqp:not-allowed", "SASL", famqp_protocol_header_amqp);
}
END_TEST

START_TEST(test_header_client_sees_sasl)
{
    famqp_connection_options co;
    harness_client_options(&co);
    famqp_connection *c;
    famqp_connection_new(&co, &c);
    famqp_connection_input(c, famqp_protocol_header_sasl, 8);
    ck_assert(famqp_connection_failed(c));
    ck_assert_str_eq(famqp_connection_condition(c).name, "amqp:not-allowed");
    ck_assert_msg(strstr(famqp_connection_condition(c).description, "requires SASL"), "%s",
                  famqp_connection_condition(c).description);
    famqp_connection_free(c);
}
END_TEST

/* ---- open negotiation ---------------------------------------------------------- */

START_TEST(test_open_negotiation)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.max_frame_size = 4096;
    co.channel_max = 7;
    co.idle_timeout_ms = 30000;
    so.max_frame_size = 1024;
    so.channel_max = 3;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    ck_assert_str_eq(famqp_connection_remote_container_id(p.b.c), "test-client");
    ck_assert_str_eq(famqp_connection_remote_hostname(p.b.c), "localhost");
    ck_assert_uint_eq(famqp_connection_remote_max_frame_size(p.b.c), 4096);
    ck_assert_uint_eq(famqp_connection_remote_channel_max(p.b.c), 7);
    /* open advertises half the real threshold (AMQP 1.0 2.4.5) */
    ck_assert_uint_eq(famqp_connection_remote_idle_timeout(p.b.c), 15000);
    ck_assert_str_eq(famqp_connection_remote_container_id(p.a.c), "test-server");
    ck_assert_uint_eq(famqp_connection_remote_max_frame_size(p.a.c), 1024);
    ck_assert_uint_eq(famqp_connection_remote_channel_max(p.a.c), 3);
    ck_assert_uint_eq(famqp_connection_remote_idle_timeout(p.a.c), 0);
    /* channel-max 3: channels 0..3 only */
    for (int i = 1; i <= 3; i++) {
        famqp_session *s;
        famqp_session_new(p.a.c, &s);
        ck_assert_ptr_nonnull(s);
    }
    famqp_session *late = (famqp_session *)&p; /* not NULL: the call must clear it */
    ck_assert_int_eq(famqp_session_new(p.a.c, &late), FAMQP_ENGINE_ERR_LIMIT);
    ck_assert_ptr_null(late);
    /* the client sends at most 1024-byte frames: a 5000-byte message is split */
    famqp_link *l = pair_attach(&p, cs, "big", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    p.a.count_frames = true;
    uint8_t body[5000];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(famqp_link_send(l, famqp_binary_of("t", 1), body, sizeof body, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 1);
    ck_assert_uint_eq(p.b.last_len, 5000);
    ck_assert_uint_ge(p.a.sent_kind[FAMQP_ANY_FRAME_TRANSFER], 5);
    pair_free(&p);
}
END_TEST

/* ---- idle timeout with a fake clock ----------------------------------------------- */

START_TEST(test_idle_heartbeats_keep_alive)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.idle_timeout_ms = 1000;
    so.idle_timeout_ms = 2000;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    uint64_t now = 5000;
    famqp_connection_tick(p.a.c, now);
    famqp_connection_tick(p.b.c, now);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    size_t moved_before = p.bytes_moved;
    /* Ten fake seconds of silence from the application: heartbeats only. */
    for (int i = 0; i < 100; i++) {
        now += 100;
        uint64_t da = famqp_connection_tick(p.a.c, now);
        uint64_t db = famqp_connection_tick(p.b.c, now);
        ck_assert_uint_gt(da, now);
        ck_assert_uint_gt(db, now);
        pair_pump(&p);
    }
    ck_assert(!famqp_connection_failed(p.a.c));
    ck_assert(!famqp_connection_failed(p.b.c));
    /* the server heartbeats about every 500 ms, the client every 1000 */
    ck_assert_uint_ge(p.bytes_moved - moved_before, 8 * 25);
    pair_free(&p);
}
END_TEST

START_TEST(test_idle_expiry)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.idle_timeout_ms = 1000;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    uint64_t now = 0;
    famqp_connection_tick(p.a.c, now);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    now = 10;
    uint64_t deadline = famqp_connection_tick(p.a.c, now);
    ck_assert_uint_eq(deadline, 1010);
    /* the server never ticks, so it never heartbeats */
    now = 1009;
    famqp_connection_tick(p.a.c, now);
    ck_assert(!famqp_connection_failed(p.a.c));
    now = 1010;
    ck_assert_uint_eq(famqp_connection_tick(p.a.c, now), 0);
    ck_assert(famqp_connection_failed(p.a.c));
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_ERROR], 1);
    ck_assert_str_eq(p.a.cond, "amqp:resource-limit-exceeded");
    ck_assert_msg(strstr(p.a.desc, "idle"), "desc %s", p.a.desc);
    /* the server got our close with that condition */
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(p.b.cond, "amqp:resource-limit-exceeded");
    pair_free(&p);
}
END_TEST

/* ---- repeated open/close: no leaks, every allocation through the hook ---------------- */

/* One full exchange; returns false when an engine could not be created. */
static bool full_exchange(counting *cnt, bool sasl)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    famqp_allocator a = counting_allocator(cnt);
    co.alloc = a;
    so.alloc = a;
    if (sasl) {
        co.sasl_mechanisms = FAMQP_SASL_PLAIN;
        co.sasl_username = "guest";
        co.sasl_password = "secret";
        so.sasl_mechanisms = FAMQP_SASL_PLAIN;
        so.sasl_check = check_guest;
    }
    famqp_connection *c;
    famqp_connection_new(&co, &c);
    famqp_connection *s;
    famqp_connection_new(&so, &s);
    if (!c || !s) {
        famqp_connection_free(c);
        famqp_connection_free(s);
        return false;
    }
    pair *p = calloc(1, sizeof *p);
    p->a.c = c;
    p->b.c = s;
    p->a.name = "client";
    p->b.name = "server";
    p->a.answer = p->b.answer = true;
    famqp_link_options_init(&p->b.answer_opts);
    p->b.answer_opts.credit_window = 10;
    p->b.on_delivery = DELIV_ACCEPT;
    p->a.on_delivery = DELIV_ACCEPT;
    famqp_connection_open(c);
    famqp_session *ses;
    famqp_session_new(c, &ses);
    if (ses)
        famqp_session_open(ses);
    famqp_link *l = NULL;
    if (ses)
        famqp_link_new(ses, "l", FAMQP_LINK_SENDER, NULL, &l);
    if (l)
        famqp_link_open(l);
    pair_pump(p);
    uint8_t body[3000] = {1, 2, 3};
    for (int i = 0; l && i < 5; i++)
        famqp_link_send(l, famqp_binary_of(&i, sizeof i), body, sizeof body, i % 2 == 0, NULL);
    pair_pump(p);
    if (l)
        famqp_link_close(l, NULL, NULL);
    if (ses)
        famqp_session_close(ses, NULL, NULL);
    famqp_connection_close(c, NULL, NULL);
    pair_pump(p);
    famqp_connection_close(s, NULL, NULL);
    pair_pump(p);
    famqp_connection_free(c);
    famqp_connection_free(s);
    free(p);
    return true;
}

START_TEST(test_repeated_open_close_no_leaks)
{
    counting cnt = {0, 0, 0};
    for (int i = 0; i < 200; i++) {
        ck_assert(full_exchange(&cnt, i % 2));
        ck_assert_int_eq(cnt.live, 0);
    }
    ck_assert_int_gt(cnt.calls, 200);
}
END_TEST

Suite *engine_connection_suite(void);
Suite *engine_connection_suite(void)
{
    Suite *s = suite_create("engine_connection");
    TCase *tc = tcase_create("lifecycle");
    tcase_add_test(tc, test_lifecycle_whole);
    tcase_add_test(tc, test_lifecycle_bytewise);
    tcase_add_test(tc, test_lifecycle_random);
    tcase_add_test(tc, test_remote_detach_error);
    tcase_add_test(tc, test_close_before_answer);
    tcase_add_test(tc, test_many_sessions_links);
    suite_add_tcase(s, tc);
    tc = tcase_create("sasl");
    tcase_add_loop_test(tc, test_sasl_plain_ok, CHUNK_WHOLE, CHUNK_RANDOM + 1);
    tcase_add_test(tc, test_sasl_plain_bad_password);
    tcase_add_test(tc, test_sasl_anonymous);
    tcase_add_test(tc, test_sasl_mechanism_not_offered);
    tcase_add_test(tc, test_sasl_anonymous_refused);
    tcase_add_test(tc, test_sasl_external_client);
    tcase_add_test(tc, test_sasl_outcome_codes);
    tcase_add_test(tc, test_trace_masks_password);
    tcase_add_test(tc, test_trace_env_masks_credentials);
    suite_add_tcase(s, tc);
    tc = tcase_create("headers");
    tcase_add_test(tc, test_header_tls);
    tcase_add_test(tc, test_header_garbage);
    tcase_add_test(tc, test_header_sasl_required);
    tcase_add_test(tc, test_header_client_sees_sasl);
    suite_add_tcase(s, tc);
    tc = tcase_create("open");
    tcase_add_test(tc, test_open_negotiation);
    tcase_add_test(tc, test_idle_heartbeats_keep_alive);
    tcase_add_test(tc, test_idle_expiry);
    suite_add_tcase(s, tc);
    tc = tcase_create("memory");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_repeated_open_close_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

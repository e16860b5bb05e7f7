/* Recorded server->client streams of real peers (tests/vectors/data) fed to
 * a client engine whole, byte by byte and in random chunks.  The client
 * opens a connection and a session first, as the recorded client did, and
 * answers every link the server attaches, so the whole stream (SASL, open,
 * begin, attach, flow, transfer, disposition, detach, end, close) must be
 * processed without a protocol error. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *const streams[] = {
    "proton-client_proton-broker.big",  "proton-client_proton-broker.types", "proton-client_rabbitmq.big",
    "proton-client_rabbitmq.plain",     "proton-client_rhea-broker.big",     "proton-client_rhea-broker.rt",
    "rhea-client_proton-broker.rt",     "rhea-client_rabbitmq.rt",
};
#define NSTREAMS (sizeof streams / sizeof streams[0])

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *p = malloc((size_t)n);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

START_TEST(test_recorded_stream)
{
    const char *name = streams[_i / 3];
    enum chunking mode = (enum chunking)(_i % 3);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.s2c.bin", FAMQP_VECTORS_DIR, name);
    size_t len;
    uint8_t *bytes = slurp(path, &len);

    famqp_connection_options co;
    harness_client_options(&co);
    if (strncmp(name, "rhea-client", 11) != 0) {
        /* the recorded client used SASL; RabbitMQ offers PLAIN */
        if (strstr(name, "rabbitmq")) {
            co.sasl_mechanisms = FAMQP_SASL_PLAIN;
            co.sasl_username = "guest";
            co.sasl_password = "guest";
        } else {
            co.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
        }
    }
    pair p;
    memset(&p, 0, sizeof p);
    p.chunking = mode;
    p.rng = 77 + (uint64_t)_i;
    famqp_connection_new(&co, &p.a.c);
    p.a.name = name;
    p.a.answer = true;
    famqp_link_options_init(&p.a.answer_opts);
    p.a.answer_opts.credit_window = 1000;
    p.a.on_delivery = DELIV_ACCEPT;
    ck_assert_ptr_nonnull(p.a.c);
    ck_assert_int_eq(famqp_connection_open(p.a.c), FAMQP_ENGINE_OK);
    famqp_session *s;
    famqp_session_new(p.a.c, &s);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);

    /* Attach the links the recorded client attached (name and role, from
     * its own stream), so the server's attaches are answers and its
     * transfers find credit. */
    snprintf(path, sizeof path, "%s/%s.c2s.bin", FAMQP_VECTORS_DIR, name);
    size_t clen;
    uint8_t *cbytes = slurp(path, &clen);
    size_t nlinks = 0;
    for (size_t at = 0; at + 8 <= clen;) {
        if (memcmp(cbytes + at, "AMQP", 4) == 0) {
            at += 8;
            continue;
        }
        famqp_frame fr;
        size_t used;
        ck_assert_int_eq(famqp_frame_parse(cbytes + at, clen - at, UINT32_MAX, &fr, &used, NULL), FAMQP_OK);
        at += used;
        famqp_any_frame f;
        if (fr.type != FAMQP_FRAME_TYPE_AMQP || !fr.body.len ||
            !famqp_any_frame_decode(fr.body.ptr, fr.body.len, &f, NULL) || f.kind != FAMQP_ANY_FRAME_ATTACH)
            continue;
        char lname[256];
        snprintf(lname, sizeof lname, "%.*s", (int)f.u.attach.name.len, f.u.attach.name.ptr);
        famqp_link_role role = f.u.attach.role ? FAMQP_LINK_RECEIVER : FAMQP_LINK_SENDER;
        famqp_link *l;
        famqp_link_new(s, lname, role, &p.a.answer_opts, &l);
        ck_assert_ptr_nonnull(l);
        ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
        nlinks++;
    }
    free(cbytes);
    ck_assert_uint_ge(nlinks, 1);

    /* Feed in pieces, handling events in between as an application would. */
    size_t off = 0;
    while (off < len) {
        size_t piece = len - off;
        if (piece > 4096)
            piece = 4096;
        side_feed(&p, &p.a, bytes + off, piece);
        side_drain_events(&p.a);
        size_t outlen;
        famqp_connection_output(p.a.c, &outlen);
        famqp_connection_output_consume(p.a.c, outlen); /* nobody listens */
        off += piece;
    }
    ck_assert_msg(!famqp_connection_failed(p.a.c), "%s: %s: %s", name, p.a.cond, p.a.desc);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_OPEN], 1);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_BEGIN], 1);
    ck_assert_int_ge(p.a.count[FAMQP_EVENT_LINK_REMOTE_ATTACH], 1);
    if (co.sasl_mechanisms)
        ck_assert_int_eq(p.a.count[FAMQP_EVENT_SASL_DONE], 1);
    if (strstr(name, ".big"))
        ck_assert_uint_ge(p.a.last_len, 307200); /* the one big message, reassembled */
    if (strstr(name, ".rt") || strstr(name, ".plain"))
        ck_assert_uint_ge(p.a.nrecv, 50);
    if (strstr(name, ".types"))
        ck_assert_uint_eq(p.a.nrecv, 200);
    free(bytes);
    famqp_connection_free(p.a.c);
}
END_TEST

Suite *engine_vectors_suite(void);
Suite *engine_vectors_suite(void)
{
    Suite *s = suite_create("engine_vectors");
    TCase *tc = tcase_create("recorded");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_recorded_stream, 0, (int)(NSTREAMS * 3));
    suite_add_tcase(s, tc);
    return s;
}

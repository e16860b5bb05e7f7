/* Peer protocol violations: each closes the connection with the matching
 * AMQP condition, which the other side receives in the close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Connects, opens a sender link (so handle 0 is attached), then feeds the
 * server `bytes` as if the client had sent them. */
static void violate(const uint8_t *bytes, size_t n, const char *cond, const char *desc_part)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.max_frame_size = 4096;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    famqp_connection_input(p.b.c, bytes, n);
    pair_pump(&p);
    ck_assert(famqp_connection_failed(p.b.c));
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_ERROR], 1);
    ck_assert_str_eq(p.b.cond, cond);
    ck_assert_msg(strstr(p.b.desc, desc_part), "description '%s' lacks '%s'", p.b.desc, desc_part);
    /* the client was told, with the same condition */
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(famqp_connection_remote_condition(p.a.c).name, cond);
    ck_assert(famqp_connection_finished(p.b.c));
    /* further input is ignored, never crashes */
    ck_assert_int_eq(famqp_connection_input(p.b.c, bytes, n), FAMQP_ENGINE_ERR_FAILED);
    pair_free(&p);
}

static size_t transfer_frame(uint8_t *buf, size_t cap, uint16_t channel, uint32_t handle)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = handle;
    f.u.transfer.delivery_id = 0;
    f.u.transfer.delivery_tag = famqp_binary_of("t", 1);
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID | FAMQP_TRANSFER_HAS_DELIVERY_TAG;
    return build_frame(buf, cap, channel, &f, (const uint8_t *)"body", 4);
}

START_TEST(test_unknown_handle)
{
    uint8_t buf[256];
    size_t n = transfer_frame(buf, sizeof buf, 0, 99);
    violate(buf, n, "amqp:session:unattached-handle", "handle 99");
}
END_TEST

START_TEST(test_unknown_channel)
{
    uint8_t buf[256];
    size_t n = transfer_frame(buf, sizeof buf, 5, 0);
    violate(buf, n, "amqp:not-allowed", "channel 5");
}
END_TEST

/* Pre-settled transfers against 100 credits granted by hand, with
 * max_credit_overrun = overrun: beyond the credit, twice the largest grant
 * (100) plus overrun more are tolerated (none when overrun is 0); the connection fails
 * on the next one, and everything before it is delivered. */
static void credit_overrun_case(uint32_t overrun)
{
    uint32_t tolerated = overrun ? 2 * 100 + overrun : 0;
    uint32_t total = 100 + tolerated + 1;
    size_t cap = (size_t)total * 64;
    uint8_t *buf = malloc(cap);
    size_t n = 0;
    for (uint32_t i = 0; i < total; i++) {
        famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
        f.u.transfer = famqp_transfer_defaults;
        f.u.transfer.handle = 0;
        f.u.transfer.delivery_id = i;
        f.u.transfer.delivery_tag = famqp_binary_of(&i, 4);
        f.u.transfer.settled = true;
        f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                               FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_SETTLED;
        n += build_frame(buf + n, cap - n, 0, &f, NULL, 0);
    }
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.max_credit_overrun = overrun;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.answer_opts.credit_window = 0;
    p.b.on_delivery = DELIV_HOLD; /* the connection fails before they could be settled */
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *srv;
    pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, &srv);
    famqp_link_set_credit(srv, 100);
    pair_pump(&p);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    ck_assert(famqp_connection_failed(p.b.c));
    ck_assert_str_eq(p.b.cond, "amqp:link:transfer-limit-exceeded");
    ck_assert_uint_eq(p.b.nrecv, 100 + tolerated);
    ck_assert(strstr(p.b.desc, "max_credit_overrun") != NULL);
    /* The held deliveries outlive the failure: nothing can be sent, but
     * settling still releases them one by one. */
    ck_assert_uint_eq(p.b.nheld, 100 + tolerated);
    ck_assert_uint_eq(famqp_connection_unsettled_received(p.b.c), p.b.nheld);
    famqp_outcome accepted = {.kind = FAMQP_OUTCOME_ACCEPTED};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &accepted, false), FAMQP_ENGINE_ERR_FAILED);
    ck_assert_int_eq(famqp_delivery_settle(p.b.held[0]), FAMQP_ENGINE_OK);
    ck_assert_uint_eq(famqp_connection_unsettled_received(p.b.c), p.b.nheld - 1);
    p.b.nheld = 0; /* the rest are freed with the connection */
    free(buf);
    pair_free(&p);
}

START_TEST(test_transfer_without_credit) { credit_overrun_case(0); }
END_TEST

/* RabbitMQ 3.x sometimes sends one transfer past the credit: the default
 * tolerance accepts a bounded overrun per grant, then fails. */
START_TEST(test_transfer_credit_overrun_tolerated)
{
    ck_assert_uint_eq(FAMQP_ENGINE_DEFAULT_MAX_CREDIT_OVERRUN, 16);
    credit_overrun_case(FAMQP_ENGINE_DEFAULT_MAX_CREDIT_OVERRUN);
}
END_TEST

START_TEST(test_frame_over_max_frame_size)
{
    /* a header announcing 1 MiB against max-frame-size 4096 */
    uint8_t hdr[8];
    famqp_frame_header_put(hdr, 1u << 20, FAMQP_FRAME_TYPE_AMQP, 0);
    violate(hdr, sizeof hdr, "amqp:connection:framing-error", "exceeds max-frame-size 4096");
}
END_TEST

START_TEST(test_malformed_frame_header)
{
    uint8_t hdr[8] = {0, 0, 0, 16, 1, 0, 0, 0}; /* data offset 1 */
    violate(hdr, sizeof hdr, "amqp:connection:framing-error", "malformed frame header");
}
END_TEST

START_TEST(test_decode_error)
{
    /* a described list whose list8 size overruns the frame */
    uint8_t frame[] = {0, 0, 0, 16, 2, 0, 0, 0, 0x00, 0x53, 0x14, 0xc0, 0x40, 0x05, 0x43, 0x43};
    violate(frame, sizeof frame, "amqp:decode-error", "transfer");
}
END_TEST

START_TEST(test_not_a_performative)
{
    uint8_t frame[] = {0, 0, 0, 12, 2, 0, 0, 0, 0x53, 0x14, 0x45, 0x45};
    violate(frame, sizeof frame, "amqp:decode-error", "");
}
END_TEST

START_TEST(test_second_open)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_OPEN};
    f.u.open = famqp_open_defaults;
    f.u.open.container_id = famqp_string_of("again");
    f.u.open.present = FAMQP_OPEN_HAS_CONTAINER_ID;
    uint8_t buf[128];
    size_t n = build_frame(buf, sizeof buf, 0, &f, NULL, 0);
    violate(buf, n, "amqp:illegal-state", "second open");
}
END_TEST

START_TEST(test_handle_in_use)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_ATTACH};
    f.u.attach = famqp_attach_defaults;
    f.u.attach.name = famqp_string_of("other");
    f.u.attach.handle = 0;
    f.u.attach.role = false;
    f.u.attach.initial_delivery_count = 0;
    f.u.attach.present = FAMQP_ATTACH_HAS_NAME | FAMQP_ATTACH_HAS_HANDLE | FAMQP_ATTACH_HAS_ROLE |
                         FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT;
    uint8_t buf[128];
    size_t n = build_frame(buf, sizeof buf, 0, &f, NULL, 0);
    violate(buf, n, "amqp:session:handle-in-use", "handle 0");
}
END_TEST

/* A frame of ours (not a transfer, which is split) that does not fit the
 * peer's max-frame-size: framing-error, as for an oversized frame we
 * receive, and the peer is told. */
START_TEST(test_own_frame_over_peer_max_frame_size)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.max_frame_size = 512;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    char addr[1001];
    memset(addr, 'a', 1000);
    addr[1000] = '\0';
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.target_address = addr;
    famqp_link *l;
    famqp_link_new(cs, "big-attach", FAMQP_LINK_SENDER, &lo, &l);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_ne(famqp_link_open(l), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(famqp_connection_failed(p.a.c));
    ck_assert_str_eq(p.a.cond, "amqp:connection:framing-error");
    ck_assert_msg(strstr(p.a.desc, "attach frame") && strstr(p.a.desc, "max-frame-size 512"), "%s", p.a.desc);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(famqp_connection_remote_condition(p.b.c).name, "amqp:connection:framing-error");
    pair_free(&p);
}
END_TEST

/* Garbage right after the protocol header, before any open. */
START_TEST(test_garbage_after_header)
{
    static const struct {
        uint8_t bytes[16];
        const char *cond;
    } cases[] = {
        {{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!'},
         "amqp:connection:framing-error"},                                                   /* size 'hell' */
        {{0, 0, 0, 16, 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}, "amqp:decode-error"}, /* body */
        {{0, 0, 0, 16, 2, 1, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4},
         "amqp:connection:framing-error"}, /* SASL frame type */
        {{0, 0, 0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "amqp:connection:framing-error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int mode = CHUNK_WHOLE; mode <= CHUNK_BYTE; mode++) {
            famqp_connection_options so;
            harness_server_options(&so);
            famqp_connection *s;
            famqp_connection_new(&so, &s);
            uint8_t in[24];
            memcpy(in, famqp_protocol_header_amqp, 8);
            memcpy(in + 8, cases[i].bytes, 16);
            if (mode == CHUNK_WHOLE)
                famqp_connection_input(s, in, sizeof in);
            else
                for (size_t k = 0; k < sizeof in; k++)
                    famqp_connection_input(s, in + k, 1);
            ck_assert_msg(famqp_connection_failed(s), "case %zu did not fail", i);
            ck_assert_msg(strcmp(famqp_connection_condition(s).name, cases[i].cond) == 0, "case %zu: %s (%s)", i,
                          famqp_connection_condition(s).name, famqp_connection_condition(s).description);
            /* the server answered with its header, an open and a close */
            size_t len;
            const uint8_t *out = famqp_connection_output(s, &len);
            ck_assert_uint_gt(len, 8);
            ck_assert(memcmp(out, famqp_protocol_header_amqp, 8) == 0);
            famqp_connection_free(s);
        }
    }
}
END_TEST

/* Random bytes never crash or hang the engine, whatever the chunking. */
/* The last frame c has written (after its protocol header), decoded into
 * *f, which points into c's output: valid until the next engine call.
 * False when the output is not a header and whole AMQP frames ending in a
 * performative. */
static bool last_frame_written(famqp_connection *c, famqp_any_frame *f)
{
    size_t len;
    const uint8_t *out = famqp_connection_output(c, &len);
    if (len < 8 || memcmp(out, famqp_protocol_header_amqp, 8) != 0)
        return false;
    size_t at = 8, used;
    bool decoded = false;
    famqp_frame fr;
    while (at < len && famqp_frame_parse(out + at, len - at, UINT32_MAX, &fr, &used, NULL) == FAMQP_OK) {
        decoded = fr.body.len && famqp_any_frame_decode(fr.body.ptr, fr.body.len, f, NULL) > 0;
        at += used;
    }
    return decoded && at == len;
}

/* Random bytes after a valid protocol header, in random chunks.  Each run
 * must end one of two ways: the connection fails (exactly one
 * CONNECTION_ERROR, the last event, with an amqp: condition; the close
 * written to the peer carries that condition; later input is refused), or
 * it stays usable (all input accepted, no error, and a clean local close
 * goes out).  The seed reaches both outcomes, and the test says so, so
 * neither branch is checked vacuously. */
START_TEST(test_random_garbage)
{
    uint64_t rng = 12345;
    uint8_t buf[512];
    unsigned failed_runs = 0, usable_runs = 0;
    for (int iter = 0; iter < 2000; iter++) {
        famqp_connection_options so;
        harness_server_options(&so);
        famqp_connection *s;
        famqp_connection_new(&so, &s);
        size_t n = 8 + harness_rand(&rng) % (sizeof buf - 8);
        memcpy(buf, famqp_protocol_header_amqp, 8);
        for (size_t k = 8; k < n; k++)
            buf[k] = (uint8_t)harness_rand(&rng);
        size_t off = 0;
        bool refused = false;
        while (off < n) {
            size_t chunk = 1 + harness_rand(&rng) % 64;
            if (chunk > n - off)
                chunk = n - off;
            famqp_engine_status st = famqp_connection_input(s, buf + off, chunk);
            REQUIRE(st == FAMQP_ENGINE_OK || st == FAMQP_ENGINE_ERR_FAILED, "run %d: input returned %s", iter,
                    famqp_engine_status_name(st));
            REQUIRE(!refused || st == FAMQP_ENGINE_ERR_FAILED, "run %d: input accepted after a failure", iter);
            refused = st == FAMQP_ENGINE_ERR_FAILED;
            off += chunk;
        }
        size_t errors = 0;
        bool error_last = false;
        char cond[128] = "";
        const famqp_event *e;
        while ((e = famqp_connection_next_event(s))) {
            error_last = e->type == FAMQP_EVENT_CONNECTION_ERROR;
            if (error_last) {
                errors++;
                snprintf(cond, sizeof cond, "%s", e->condition.name ? e->condition.name : "");
            }
        }
        famqp_any_frame f;
        if (famqp_connection_failed(s)) {
            failed_runs++;
            REQUIRE(refused, "run %d: failed but its input was accepted", iter);
            REQUIRE(errors == 1 && error_last, "run %d: failed with %zu error events (last event an error: %d)",
                    iter, errors, error_last);
            REQUIRE(strncmp(cond, "amqp:", 5) == 0, "run %d: failure condition '%s' is no AMQP condition", iter,
                    cond);
            famqp_condition fc = famqp_connection_condition(s);
            REQUIRE(fc.name && strcmp(fc.name, cond) == 0, "run %d: connection condition '%s', event said '%s'",
                    iter, fc.name ? fc.name : "(none)", cond);
            REQUIRE(last_frame_written(s, &f) && f.kind == FAMQP_ANY_FRAME_CLOSE &&
                        (f.u.close.present & FAMQP_CLOSE_HAS_ERROR) &&
                        famqp_symbol_eq(f.u.close.error.condition, cond),
                    "run %d: the peer is not sent a close with %s", iter, cond);
            REQUIRE(famqp_connection_input(s, buf, n) == FAMQP_ENGINE_ERR_FAILED,
                    "run %d: input accepted after the failure", iter);
        } else {
            usable_runs++;
            REQUIRE(!refused && errors == 0, "run %d: not failed, yet %zu error events", iter, errors);
            REQUIRE(famqp_connection_condition(s).name == NULL, "run %d: condition '%s' without a failure", iter,
                    famqp_connection_condition(s).name);
            famqp_engine_status st = famqp_connection_close(s, NULL, NULL);
            REQUIRE(st == FAMQP_ENGINE_OK, "run %d: close on a live connection: %s", iter,
                    famqp_engine_status_name(st));
            REQUIRE(last_frame_written(s, &f) && f.kind == FAMQP_ANY_FRAME_CLOSE &&
                        !(f.u.close.present & FAMQP_CLOSE_HAS_ERROR),
                    "run %d: the clean close did not go out", iter);
        }
        famqp_connection_free(s);
    }
    fprintf(stderr, "random garbage: %u runs failed the connection, %u left it usable\n", failed_runs,
            usable_runs);
    ck_assert_uint_gt(failed_runs, 0);
    ck_assert_uint_gt(usable_runs, 0);
}
END_TEST

START_TEST(test_window_violation)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.incoming_window = 2;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.on_delivery = DELIV_HOLD;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    /* three frames in one burst against a window of two */
    uint8_t buf[512];
    size_t n = 0;
    for (uint32_t i = 0; i < 3; i++) {
        famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
        f.u.transfer = famqp_transfer_defaults;
        f.u.transfer.handle = 0;
        f.u.transfer.delivery_id = i;
        f.u.transfer.delivery_tag = famqp_binary_of(&i, 4);
        f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                               FAMQP_TRANSFER_HAS_DELIVERY_TAG;
        n += build_frame(buf + n, sizeof buf - n, 0, &f, (const uint8_t *)"x", 1);
    }
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    ck_assert(famqp_connection_failed(p.b.c));
    ck_assert_str_eq(p.b.cond, "amqp:session:window-violation");
    ck_assert_str_eq(famqp_connection_remote_condition(p.a.c).name, "amqp:session:window-violation");
    ck_assert_uint_eq(p.b.nrecv, 2);
    pair_free(&p);
}
END_TEST

/* The byte stream ends without a close: reported, not ignored. */
START_TEST(test_input_closed_without_close)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_connection_input_closed(p.a.c);
    side_drain_events(&p.a);
    ck_assert(famqp_connection_failed(p.a.c));
    ck_assert_str_eq(p.a.cond, "amqp:connection:framing-error");
    ck_assert_msg(strstr(p.a.desc, "without an AMQP close"), "%s", p.a.desc);
    pair_free(&p);
}
END_TEST

Suite *engine_errors_suite(void);
Suite *engine_errors_suite(void)
{
    Suite *s = suite_create("engine_errors");
    TCase *tc = tcase_create("violations");
    tcase_add_test(tc, test_unknown_handle);
    tcase_add_test(tc, test_unknown_channel);
    tcase_add_test(tc, test_transfer_without_credit);
    tcase_add_test(tc, test_transfer_credit_overrun_tolerated);
    tcase_add_test(tc, test_frame_over_max_frame_size);
    tcase_add_test(tc, test_malformed_frame_header);
    tcase_add_test(tc, test_decode_error);
    tcase_add_test(tc, test_not_a_performative);
    tcase_add_test(tc, test_second_open);
    tcase_add_test(tc, test_handle_in_use);
    tcase_add_test(tc, test_window_violation);
    tcase_add_test(tc, test_input_closed_without_close);
    tcase_add_test(tc, test_garbage_after_header);
    tcase_add_test(tc, test_own_frame_over_peer_max_frame_size);
    tcase_add_test(tc, test_random_garbage);
    suite_add_tcase(s, tc);
    return s;
}

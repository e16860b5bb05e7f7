/* Engine against engine: credit, transfers (multi-frame up to 16 MiB,
 * aborts), settlement modes, outcomes, disposition ranges. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void setup(pair *p, enum chunking mode, uint32_t client_frame, uint32_t server_window)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    if (client_frame)
        co.max_frame_size = so.max_frame_size = client_frame;
    if (server_window)
        so.incoming_window = server_window;
    so.max_message_size = 32u * 1024u * 1024u;
    pair_init(p, &co, &so, mode);
}

/* ---- the delivery pool -------------------------------------------------- */

enum { POOL_WINDOW = 1000 };

/* Two windows of POOL_WINDOW unsettled 100-byte messages, each accepted
 * (and settled) by the receiver: the allocator calls the client makes for
 * the second window. */
static long second_window_allocations(uint32_t pool_bytes)
{
    counting cnt = {0};
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.alloc = counting_allocator(&cnt);
    co.delivery_pool_bytes = pool_bytes;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.answer_opts.credit_window = 0;
    p.b.on_delivery = DELIV_HOLD;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *rcv;
    famqp_link *snd = pair_attach(&p, cs, "pool", FAMQP_LINK_SENDER, NULL, &rcv);
    uint8_t body[100] = {0};
    long before = 0;
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(famqp_link_set_credit(rcv, POOL_WINDOW), FAMQP_ENGINE_OK);
        pair_pump(&p);
        if (round == 1)
            before = cnt.calls;
        for (uint32_t i = 0; i < POOL_WINDOW; i++)
            ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, sizeof i), body, sizeof body, false, NULL),
                             FAMQP_ENGINE_OK);
        pair_pump(&p);
        ck_assert_uint_eq(p.b.nheld, POOL_WINDOW);
        for (size_t i = 0; i < p.b.nheld; i++)
            ck_assert_int_eq(famqp_delivery_accept(p.b.held[i]), FAMQP_ENGINE_OK);
        p.b.nheld = 0;
        pair_pump(&p);
        /* Settled by the receiver: the sender's deliveries are done with
         * once it saw the outcome (the engine frees them). */
        ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], (size_t)(round + 1) * POOL_WINDOW);
        ck_assert_uint_eq(p.a.remote_settled, (size_t)(round + 1) * POOL_WINDOW);
    }
    long calls = cnt.calls - before;
    pair_free(&p);
    ck_assert_int_eq(cnt.live, 0);
    return calls;
}

/* A window of 1000 in-flight deliveries fits the default pool (1 MiB):
 * the next window allocates nothing (with the old pool of 256 deliveries
 * it made 744 calls).  A 4 KiB pool keeps a couple of dozen, so the next
 * window allocates again (and nothing leaks either way). */
START_TEST(test_delivery_pool_reuses_a_window)
{
    long with_pool = second_window_allocations(FAMQP_ENGINE_DEFAULT_DELIVERY_POOL_BYTES);
    ck_assert_msg(with_pool == 0, "the second window made %ld allocator calls", with_pool);
    long small_pool = second_window_allocations(4096);
    ck_assert_msg(small_pool >= POOL_WINDOW / 2, "a 4 KiB pool: %ld allocator calls", small_pool);
}
END_TEST

/* ---- credit ------------------------------------------------------------- */

START_TEST(test_credit_exhaustion_and_drain)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 0, 0);
    p.b.answer_opts.credit_window = 0; /* the test grants credit by hand */
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *rcv_srv;
    famqp_link *snd = pair_attach(&p, cs, "c", FAMQP_LINK_SENDER, NULL, &rcv_srv);
    ck_assert_uint_eq(famqp_link_credit(snd), 0);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("a", 1), "m", 1, false, NULL), FAMQP_ENGINE_ERR_CREDIT);

    ck_assert_int_eq(famqp_link_set_credit(rcv_srv, 3), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_LINK_CREDIT], 1);
    ck_assert_uint_eq(famqp_link_credit(snd), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 1), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("x", 1), "m", 1, false, NULL), FAMQP_ENGINE_ERR_CREDIT);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 3);
    ck_assert_uint_eq(famqp_link_credit(rcv_srv), 0);
    ck_assert_uint_eq(famqp_link_delivery_count(rcv_srv), 3);

    /* drain: 10 credits, the sender uses 2 and gives back 8.  The flow is
     * moved by hand so that the sender acts while it holds LINK_CREDIT. */
    ck_assert_int_eq(famqp_link_set_credit_and_drain(rcv_srv, 10), FAMQP_ENGINE_OK);
    size_t len;
    const uint8_t *out = famqp_connection_output(p.b.c, &len);
    ck_assert_int_eq(famqp_connection_input(p.a.c, out, len), FAMQP_ENGINE_OK);
    famqp_connection_output_consume(p.b.c, len);
    const famqp_event *e = famqp_connection_next_event(p.a.c);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->type, FAMQP_EVENT_LINK_CREDIT);
    ck_assert(famqp_link_drain_requested(snd));
    ck_assert_uint_eq(famqp_link_credit(snd), 10);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 1), "n", 1, true, NULL), FAMQP_ENGINE_OK);
    size_t flows_before = p.b.count[FAMQP_EVENT_LINK_FLOW];
    ck_assert_int_eq(famqp_link_drained(snd), FAMQP_ENGINE_OK);
    ck_assert_uint_eq(famqp_link_credit(snd), 0);
    ck_assert(!famqp_link_drain_requested(snd));
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 5);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_LINK_FLOW], flows_before + 1);
    ck_assert_uint_eq(famqp_link_credit(rcv_srv), 0);
    ck_assert_uint_eq(famqp_link_delivery_count(rcv_srv), 13);
    ck_assert_uint_eq(famqp_link_delivery_count(snd), 13);

    /* drain with nothing to send: the engine completes it by itself once
     * the application has seen LINK_CREDIT (here: the harness ignores it) */
    flows_before = p.b.count[FAMQP_EVENT_LINK_FLOW];
    ck_assert_int_eq(famqp_link_set_credit_and_drain(rcv_srv, 5), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(!famqp_link_drain_requested(snd));
    ck_assert_uint_eq(famqp_link_credit(snd), 0);
    ck_assert_uint_eq(famqp_link_delivery_count(snd), 18);
    ck_assert_uint_eq(famqp_link_delivery_count(rcv_srv), 18);
    ck_assert_uint_eq(famqp_link_credit(rcv_srv), 0);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_LINK_FLOW], flows_before + 1);
    ck_assert_uint_eq(p.b.nrecv, 5);
    ck_assert_int_eq(famqp_link_drained(snd), FAMQP_ENGINE_OK); /* nothing left to do */

    /* echo: the sender asks, the receiver answers with its state */
    size_t credit_events = p.a.count[FAMQP_EVENT_LINK_CREDIT];
    ck_assert_int_eq(famqp_link_request_echo(snd), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.a.count[FAMQP_EVENT_LINK_CREDIT], credit_events + 1);
    pair_free(&p);
}
END_TEST

/* The receiver's automatic window keeps a long stream going. */
START_TEST(test_auto_credit_window)
{
    pair p;
    setup(&p, CHUNK_RANDOM, 0, 16);
    p.b.answer_opts.credit_window = 7;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "w", FAMQP_LINK_SENDER, NULL, NULL);
    size_t sent = 0;
    for (int round = 0; round < 2000 && sent < 1000; round++) {
        while (famqp_link_credit(snd) && sent < 1000) {
            uint32_t tag = (uint32_t)sent;
            ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&tag, 4), &tag, 4, false, NULL), FAMQP_ENGINE_OK);
            sent++;
        }
        pair_pump(&p);
    }
    ck_assert_uint_eq(sent, 1000);
    ck_assert_uint_eq(p.b.nrecv, 1000);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 1000);
    pair_free(&p);
}
END_TEST

/* ---- large messages --------------------------------------------------------- */

static void big_message(size_t size, uint32_t frame, uint32_t window, enum chunking mode)
{
    pair p;
    setup(&p, mode, frame, window);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "big", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    uint8_t *msg = malloc(size);
    uint64_t sum = 0;
    for (size_t i = 0; i < size; i++) {
        msg[i] = (uint8_t)(i * 31 + (i >> 13));
        sum += msg[i];
    }
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("big", 3), msg, size, false, &d), FAMQP_ENGINE_OK);
    free(msg); /* the engine keeps what it could not send yet */
    p.a.count_frames = true;
    pair_pump(&p);
    ck_assert_msg(!famqp_connection_failed(p.b.c), "server failed: %s", p.b.desc);
    ck_assert_uint_eq(p.b.nrecv, 1);
    ck_assert_uint_eq(p.b.last_len, size);
    ck_assert_uint_eq(p.b.recv_sum, sum);
    ck_assert_uint_eq(p.b.last_tag_len, 3);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 1);
    size_t frames = p.a.sent_kind[FAMQP_ANY_FRAME_TRANSFER];
    ck_assert_uint_ge(frames, size / frame);
    pair_free(&p);
}

START_TEST(test_big_16mib) { big_message(16u * 1024u * 1024u, 65536, 0, CHUNK_WHOLE); }
END_TEST
START_TEST(test_big_16mib_random_chunks) { big_message(16u * 1024u * 1024u, 65536, 8, CHUNK_RANDOM); }
END_TEST
START_TEST(test_big_small_frames_bytewise) { big_message(100000, 512, 3, CHUNK_BYTE); }
END_TEST

/* A message over the receiver's max-message-size ends the connection. */
START_TEST(test_message_too_large)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.max_message_size = 1000;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "m", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    /* the receiver advertised 1000: the sender refuses locally */
    uint8_t body[2000] = {0};
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), body, sizeof body, false, NULL),
                     FAMQP_ENGINE_ERR_LIMIT);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), body, 1000, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 1);
    pair_free(&p);
}
END_TEST

/* ---- abort and close in the middle of a multi-frame transfer --------------------- */

START_TEST(test_abort)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 512, 2); /* window 2 frames: the send stalls part way */
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "a", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    uint8_t body[20000];
    memset(body, 0xab, sizeof body);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), body, sizeof body, false, &d), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_delivery_abort(d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_DELIVERY_ABORTED], 1);
    ck_assert_uint_eq(p.b.nrecv, 0);
    /* the link still works */
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("u", 1), "ok", 2, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 1);
    ck_assert_uint_eq(p.b.last_len, 2);
    pair_free(&p);
}
END_TEST

START_TEST(test_close_mid_transfer)
{
    pair p;
    setup(&p, CHUNK_RANDOM, 512, 0);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "m", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    /* Hand-made first frames of a delivery (more=true), then close. */
    uint8_t buf[1024];
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = 0;
    f.u.transfer.delivery_id = 0;
    f.u.transfer.delivery_tag = famqp_binary_of("p", 1);
    f.u.transfer.more = true;
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                           FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MORE;
    uint8_t part[300];
    memset(part, 7, sizeof part);
    size_t n = build_frame(buf, sizeof buf, 0, &f, part, sizeof part);
    side_feed(&p, &p.b, buf, n);
    side_drain_events(&p.b);
    ck_assert_uint_eq(p.b.nrecv, 0);
    (void)snd;
    ck_assert_int_eq(famqp_connection_close(p.a.c, "amqp:connection:forced", "client gives up"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 0);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(p.b.cond, "amqp:connection:forced");
    ck_assert_str_eq(p.b.desc, "client gives up");
    ck_assert(!famqp_connection_failed(p.b.c));
    ck_assert_int_eq(famqp_connection_close(p.b.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(famqp_connection_finished(p.a.c));
    ck_assert(famqp_connection_finished(p.b.c));
    pair_free(&p); /* the half-received delivery is freed (ASan checks) */
}
END_TEST

/* Regression (found by fuzz_engine): a delivery whose later frames wait
 * for session window is both on the link's send queue and on the session's
 * unsettled list; freeing the connection then read a freed delivery. */
START_TEST(test_free_with_transfer_blocked_by_window)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 512, 1);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "w", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    static uint8_t msg[4000];
    memset(msg, 3, sizeof msg);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("a", 1), msg, sizeof msg, false, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("b", 1), msg, 10, false, NULL), FAMQP_ENGINE_OK);
    pair_free(&p); /* ASan: no use after free, no leak */
}
END_TEST

/* Regression (fuzz_engine): the peer settles a delivery whose later frames
 * still wait for session window.  It must not be freed while on the send
 * queue: it stops being tracked, its frames still go out whole, and
 * everything is freed once (ASan). */
START_TEST(test_peer_settles_delivery_still_queued)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 512, 1);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "q", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    static uint8_t msg[4000];
    memset(msg, 5, sizeof msg);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("a", 1), msg, sizeof msg, false, &d), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("b", 1), msg, 10, false, NULL), FAMQP_ENGINE_OK);
    /* A disposition settling delivery 0 (and 1, not even started), as if
     * from the server. */
    uint8_t buf[256];
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_DISPOSITION};
    f.u.disposition = famqp_disposition_defaults;
    f.u.disposition.role = true; /* receiver */
    f.u.disposition.first = 0;
    f.u.disposition.last = 1;
    f.u.disposition.settled = true;
    f.u.disposition.state.kind = FAMQP_ANY_DELIVERY_STATE_ACCEPTED;
    f.u.disposition.present = FAMQP_DISPOSITION_HAS_ROLE | FAMQP_DISPOSITION_HAS_FIRST | FAMQP_DISPOSITION_HAS_LAST |
                              FAMQP_DISPOSITION_HAS_SETTLED | FAMQP_DISPOSITION_HAS_STATE;
    size_t n = build_frame(buf, sizeof buf, 0, &f, NULL, 0);
    side_feed(&p, &p.a, buf, n);
    side_drain_events(&p.a);
    ck_assert(!famqp_connection_failed(p.a.c));
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 2);
    /* The window opens: both deliveries still go out whole. */
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.a.c));
    ck_assert(!famqp_connection_failed(p.b.c));
    ck_assert_uint_eq(p.b.nrecv, 2);
    pair_free(&p);
}
END_TEST

/* ---- settlement modes and outcomes ----------------------------------------------- */

static void outcome_case(enum on_delivery how, famqp_outcome_kind want)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 0, 0);
    p.b.on_delivery = how;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "o", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("1", 1), "hello", 5, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.a.outcome[want], 1);
    ck_assert_uint_eq(p.a.remote_settled, 1);
    if (want == FAMQP_OUTCOME_REJECTED) {
        ck_assert_str_eq(p.a.outcome_cond, "amqp:precondition-failed");
        ck_assert_str_eq(p.a.outcome_desc, "test rejects");
    }
    if (want == FAMQP_OUTCOME_MODIFIED) {
        ck_assert(p.a.last_modified_failed);
        ck_assert(p.a.last_modified_undeliverable);
    }
    pair_free(&p);
}

START_TEST(test_outcome_accepted) { outcome_case(DELIV_ACCEPT, FAMQP_OUTCOME_ACCEPTED); }
END_TEST
START_TEST(test_outcome_rejected) { outcome_case(DELIV_REJECT, FAMQP_OUTCOME_REJECTED); }
END_TEST
START_TEST(test_outcome_released) { outcome_case(DELIV_RELEASE, FAMQP_OUTCOME_RELEASED); }
END_TEST
START_TEST(test_outcome_modified) { outcome_case(DELIV_MODIFY, FAMQP_OUTCOME_MODIFIED); }
END_TEST

START_TEST(test_presettled)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 0, 0);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_link *snd = pair_attach(&p, cs, "s", FAMQP_LINK_SENDER, &o, NULL);
    pair_pump(&p);
    p.b.count_frames = true;
    famqp_delivery *d = (famqp_delivery *)1;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("1", 1), "x", 1, false, &d), FAMQP_ENGINE_OK);
    ck_assert_ptr_null(d); /* settled: nothing to track */
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nrecv, 1);
    ck_assert(p.b.last_remote_settled);
    ck_assert_uint_eq(p.b.sent_kind[FAMQP_ANY_FRAME_DISPOSITION], 0); /* nothing to tell a settled sender */
    ck_assert_uint_eq(p.a.count[FAMQP_EVENT_DELIVERY_UPDATED], 0);
    /* mode unsettled refuses pre-settled sends */
    o.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    famqp_link *u = pair_attach(&p, cs, "u", FAMQP_LINK_SENDER, &o, NULL);
    pair_pump(&p);
    ck_assert_int_eq(famqp_link_send(u, famqp_binary_of("1", 1), "x", 1, true, NULL), FAMQP_ENGINE_ERR_ARG);
    pair_free(&p);
}
END_TEST

/* Receiver settle mode second: state first, then the sender settles, then
 * the receiver. */
START_TEST(test_rcv_settle_second)
{
    pair p;
    setup(&p, CHUNK_BYTE, 0, 0);
    p.b.on_delivery = DELIV_HOLD;
    p.b.answer_opts.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    famqp_link *snd = pair_attach(&p, cs, "2", FAMQP_LINK_SENDER, &o, NULL);
    ck_assert_uint_eq(famqp_link_remote_rcv_settle_mode(snd), FAMQP_RECEIVER_SETTLE_MODE_SECOND);
    pair_pump(&p);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("1", 1), "x", 1, false, &d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 1);
    famqp_delivery *rd = p.b.held[0];
    ck_assert_int_eq(famqp_delivery_accept(rd), FAMQP_ENGINE_OK);
    ck_assert(!famqp_delivery_settled(rd)); /* mode second: not yet */
    pair_pump(&p);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 1);
    ck_assert_uint_eq(p.a.remote_settled, 0);
    ck_assert(!famqp_delivery_remote_settled(d));
    ck_assert_int_eq(famqp_delivery_settle(d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_DELIVERY_UPDATED], 1);
    ck_assert(famqp_delivery_remote_settled(rd));
    ck_assert_int_eq(famqp_delivery_settle(rd), FAMQP_ENGINE_OK);
    pair_pump(&p);
    pair_free(&p);
}
END_TEST

/* Outcome maps both ways: a rejected error's info and modified's
 * message-annotations (string keys, as Service Bus uses) reach the sender
 * byte for byte, delivery-failed can be left out, and a malformed map is
 * refused before anything is sent. */
START_TEST(test_outcome_maps)
{
    pair p;
    setup(&p, CHUNK_BYTE, 0, 0);
    p.b.on_delivery = DELIV_HOLD;
    p.b.answer_opts.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    famqp_link *snd = pair_attach(&p, cs, "m", FAMQP_LINK_SENDER, &o, NULL);
    pair_pump(&p);
    famqp_delivery *d[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), "x", 1, false, &d[i]), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 3);
    uint8_t buf[64];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "DeadLetterReason");
    famqp_write_cstring(&w, "poison");
    famqp_write_map_end(&w);
    famqp_map info;
    ck_assert(famqp_map_of(buf, famqp_writer_len(&w), &info));
    famqp_outcome rej = {.kind = FAMQP_OUTCOME_REJECTED, .error = {"com.microsoft:dead-letter", NULL}, .error_info = info};
    famqp_outcome mod = {.kind = FAMQP_OUTCOME_MODIFIED, .undeliverable_here = true, .message_annotations = info,
                         .delivery_failed_absent = true};
    famqp_outcome bad = rej;
    bad.error_info.len = 3; /* cut short: not a well-formed map */
    ck_assert_int_eq(famqp_delivery_update(p.b.held[2], &bad, false), FAMQP_ENGINE_ERR_ARG);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &rej, false), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[1], &mod, false), FAMQP_ENGINE_OK);
    mod.delivery_failed_absent = false;
    mod.message_annotations = (famqp_map){0};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[2], &mod, false), FAMQP_ENGINE_OK);
    pair_pump(&p);
    famqp_outcome r0 = famqp_delivery_remote_state(d[0]), r1 = famqp_delivery_remote_state(d[1]),
                  r2 = famqp_delivery_remote_state(d[2]);
    ck_assert_int_eq(r0.kind, FAMQP_OUTCOME_REJECTED);
    ck_assert_str_eq(r0.error.name, "com.microsoft:dead-letter");
    ck_assert_uint_eq(r0.error_info.count, 2);
    ck_assert_uint_eq(r0.error_info.len, info.len);
    ck_assert_mem_eq(r0.error_info.items, info.items, info.len);
    ck_assert_int_eq(r1.kind, FAMQP_OUTCOME_MODIFIED);
    ck_assert(r1.delivery_failed_absent && r1.undeliverable_here);
    ck_assert_uint_eq(r1.message_annotations.len, info.len);
    ck_assert_mem_eq(r1.message_annotations.items, info.items, info.len);
    ck_assert(!r2.delivery_failed_absent && r2.message_annotations.count == 0); /* false sent, no annotations */
    pair_free(&p);
}
END_TEST

/* Accepting a batch costs one disposition frame (first..last). */
START_TEST(test_disposition_ranges)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 0, 0);
    p.b.on_delivery = DELIV_HOLD;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "r", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "x", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 50);
    p.b.count_frames = true;
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(famqp_delivery_accept(p.b.held[i]), FAMQP_ENGINE_OK);
    for (int i = 40; i < 50; i++)
        ck_assert_int_eq(famqp_delivery_release(p.b.held[i]), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.sent_kind[FAMQP_ANY_FRAME_DISPOSITION], 2);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 40);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_RELEASED], 10);
    ck_assert_uint_eq(p.a.remote_settled, 50);
    pair_free(&p);
}
END_TEST

/* Outcomes given right before closing the connection go out before the
 * close: none may be dropped (the peer would redeliver them). */
START_TEST(test_outcomes_before_connection_close)
{
    pair p;
    setup(&p, CHUNK_WHOLE, 0, 0);
    p.b.on_delivery = DELIV_HOLD;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "r", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "x", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(famqp_delivery_accept(p.b.held[i]), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_close(p.b.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 5);
    pair_free(&p);
}
END_TEST

/* Once warm, a stream of messages allocates nothing. */
START_TEST(test_steady_state_allocates_nothing)
{
    counting cnt = {0, 0, 0};
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.alloc = so.alloc = counting_allocator(&cnt);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "s", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    uint8_t body[200] = {0};
    size_t sent = 0;
    long calls_after_warmup = 0;
    for (int round = 0; round < 400; round++) {
        if (round == 100)
            calls_after_warmup = cnt.calls;
        for (int k = 0; k < 20 && famqp_link_credit(snd); k++, sent++) {
            uint32_t tag = (uint32_t)sent;
            REQUIRE(famqp_link_send(snd, famqp_binary_of(&tag, 4), body, sizeof body, sent % 2 == 0, NULL) ==
                        FAMQP_ENGINE_OK,
                    "send failed");
        }
        pair_pump(&p);
    }
    ck_assert_uint_eq(p.b.nrecv, sent);
    ck_assert_int_eq(cnt.calls, calls_after_warmup);
    pair_free(&p);
    ck_assert_int_eq(cnt.live, 0);
}
END_TEST

/* ---- full-length performatives (options.full_performatives) ------------- */

/* Open, begin, attach, a flow, a message of 3000 bytes in 512-byte frames
 * (first and continuation transfers), its disposition, detach, end, close:
 * which side wrote lists short of their performative's fields. */
static void full_exchange(pair *p, bool client_full, bool server_full)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.max_frame_size = so.max_frame_size = 512;
    co.full_performatives = client_full;
    so.full_performatives = server_full;
    pair_init(p, &co, &so, CHUNK_RANDOM);
    p->a.count_frames = p->b.count_frames = true;
    p->b.on_delivery = DELIV_ACCEPT;
    famqp_session *cs;
    pair_connect(p, &cs, NULL);
    famqp_link *snd = pair_attach(p, cs, "full", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(p);
    uint8_t msg[3000];
    uint64_t sum = 0;
    for (size_t i = 0; i < sizeof msg; i++)
        sum += msg[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), msg, sizeof msg, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_msg(!famqp_connection_failed(p->b.c), "server failed: %s", p->b.desc);
    ck_assert_uint_eq(p->b.nrecv, 1);
    ck_assert_uint_eq(p->b.recv_sum, sum);
    ck_assert_uint_eq(p->a.outcome[FAMQP_OUTCOME_ACCEPTED], 1);
    ck_assert_int_eq(famqp_link_close(snd, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_int_eq(famqp_connection_close(p->a.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_uint_ge(p->a.sent_kind[FAMQP_ANY_FRAME_TRANSFER], 6); /* 3000 bytes in 512-byte frames */
    ck_assert_uint_ge(p->b.sent_kind[FAMQP_ANY_FRAME_DISPOSITION], 1);
    ck_assert_uint_ge(p->b.sent_kind[FAMQP_ANY_FRAME_FLOW], 1);
    ck_assert_uint_ge(p->a.sent_kind[FAMQP_ANY_FRAME_CLOSE], 1);
}

static size_t shorts(const side *s)
{
    size_t n = 0;
    for (size_t k = 0; k <= FAMQP_ANY_FRAME_OTHER; k++)
        n += s->short_kind[k];
    return n;
}

/* With the option every performative either side writes has all its
 * fields (pyamqp reads begin's field 7, a flow's 4, a transfer's 10 by
 * position); without it, the same exchange drops trailing absent fields. */
START_TEST(test_full_performatives)
{
    pair p;
    full_exchange(&p, true, true);
    ck_assert_uint_eq(shorts(&p.a), 0);
    ck_assert_uint_eq(shorts(&p.b), 0);
    pair_free(&p);

    full_exchange(&p, false, true);
    ck_assert_uint_eq(shorts(&p.b), 0);
    ck_assert_uint_gt(p.a.short_kind[FAMQP_ANY_FRAME_BEGIN], 0);
    ck_assert_uint_gt(p.a.short_kind[FAMQP_ANY_FRAME_TRANSFER], 0);
    ck_assert_uint_gt(p.a.short_kind[FAMQP_ANY_FRAME_CLOSE], 0);
    pair_free(&p);
}
END_TEST

Suite *engine_transfer_suite(void);
Suite *engine_transfer_suite(void)
{
    Suite *s = suite_create("engine_transfer");
    TCase *tc = tcase_create("credit");
    tcase_add_test(tc, test_credit_exhaustion_and_drain);
    tcase_add_test(tc, test_auto_credit_window);
    tcase_add_test(tc, test_outcome_maps);
    tcase_add_test(tc, test_full_performatives);
    tcase_add_test(tc, test_steady_state_allocates_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("large");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_big_16mib);
    tcase_add_test(tc, test_big_16mib_random_chunks);
    tcase_add_test(tc, test_big_small_frames_bytewise);
    tcase_add_test(tc, test_message_too_large);
    tcase_add_test(tc, test_abort);
    tcase_add_test(tc, test_close_mid_transfer);
    tcase_add_test(tc, test_free_with_transfer_blocked_by_window);
    tcase_add_test(tc, test_peer_settles_delivery_still_queued);
    suite_add_tcase(s, tc);
    tc = tcase_create("settlement");
    tcase_add_test(tc, test_outcome_accepted);
    tcase_add_test(tc, test_outcome_rejected);
    tcase_add_test(tc, test_outcome_released);
    tcase_add_test(tc, test_outcome_modified);
    tcase_add_test(tc, test_presettled);
    tcase_add_test(tc, test_rcv_settle_second);
    tcase_add_test(tc, test_disposition_ranges);
    tcase_add_test(tc, test_outcomes_before_connection_close);
    tcase_add_test(tc, test_delivery_pool_reuses_a_window);
    suite_add_tcase(s, tc);
    return s;
}

/* Endpoint state transitions not covered by the client-initiated life
 * cycle: the server opening sessions and links, both sides closing at the
 * same time, closing a parent with children still open, errors on end and
 * close sent by the client, and calls made in the wrong state. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The server begins a session and attaches a sender to the client. */
START_TEST(test_server_initiated_session_and_link)
{
    pair p;
    famqp_session *cs, *ss;
    pair_connected(&p, &cs, &ss);
    famqp_session *s2;
    famqp_session_new(p.b.c, &s2);
    ck_assert_ptr_nonnull(s2);
    ck_assert_int_eq(famqp_session_open(s2), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_BEGIN], 2);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_SESSION_REMOTE_BEGIN], 2);
    famqp_link *snd;
    famqp_link_new(s2, "push", FAMQP_LINK_SENDER, NULL, &snd);
    ck_assert_int_eq(famqp_link_open(snd), FAMQP_ENGINE_OK);
    pair_pump(&p); /* the client answers with a receiver granting 100 credits */
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_LINK_REMOTE_ATTACH], 1);
    ck_assert_int_eq(famqp_link_get_role(p.a.last_link), FAMQP_LINK_RECEIVER);
    ck_assert_uint_eq(famqp_link_credit(snd), 100);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("t", 1), "hello", 5, false, &d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.a.nrecv, 1);
    ck_assert_uint_eq(p.b.outcome[FAMQP_OUTCOME_ACCEPTED], 1);
    /* the server detaches and ends; the client answers by hand */
    ck_assert_int_eq(famqp_link_close(snd, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_LINK_REMOTE_DETACH], 1);
    ck_assert_int_eq(famqp_link_close(p.a.last_link, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_session_close(s2, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.a.count[FAMQP_EVENT_SESSION_REMOTE_END], 1);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_LINK_REMOTE_DETACH], 1);
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* Detach, end and close sent by both sides before either saw the other's. */
START_TEST(test_simultaneous_close)
{
    pair p;
    famqp_session *cs, *ss;
    pair_connected(&p, &cs, &ss);
    famqp_link *sl;
    famqp_link *cl = pair_attach(&p, cs, "both", FAMQP_LINK_SENDER, NULL, &sl);
    ck_assert_int_eq(famqp_link_close(cl, NULL, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_close(sl, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_session_close(cs, NULL, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_session_close(ss, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_connection_close(p.a.c, NULL, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_close(p.b.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    for (int k = 0; k < 2; k++) {
        side *s = k ? &p.b : &p.a;
        ck_assert_int_eq(s->count[FAMQP_EVENT_LINK_LOCAL_DETACH], 1);
        ck_assert_int_eq(s->count[FAMQP_EVENT_LINK_REMOTE_DETACH], 1);
        ck_assert_int_eq(s->count[FAMQP_EVENT_SESSION_LOCAL_END], 1);
        ck_assert_int_eq(s->count[FAMQP_EVENT_SESSION_REMOTE_END], 1);
        ck_assert_int_eq(s->count[FAMQP_EVENT_CONNECTION_LOCAL_CLOSE], 1);
        ck_assert_int_eq(s->count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
        ck_assert(famqp_connection_finished(s->c));
    }
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* Closing the connection with sessions and links still open: the peer sees
 * the close; nothing leaks (checked by LeakSanitizer in the ASan build and
 * by the counting allocator here). */
START_TEST(test_close_with_children_open)
{
    counting cnt = {0, 0, 0};
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.alloc = so.alloc = counting_allocator(&cnt);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.on_delivery = DELIV_HOLD; /* unsettled deliveries stay around */
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "a", FAMQP_LINK_SENDER, NULL, NULL);
    pair_attach(&p, cs, "b", FAMQP_LINK_RECEIVER, NULL, NULL);
    pair_pump(&p);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 5);
    ck_assert_int_eq(famqp_connection_close(p.a.c, "amqp:connection:forced", "client leaves"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(p.b.cond, "amqp:connection:forced");
    ck_assert_str_eq(p.b.desc, "client leaves");
    /* after its close the client refuses new work */
    famqp_session *none = (famqp_session *)&p; /* not NULL: the call must clear it */
    ck_assert_int_eq(famqp_session_new(p.a.c, &none), FAMQP_ENGINE_ERR_STATE);
    ck_assert_ptr_null(none);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("x", 1), "m", 1, false, NULL), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_connection_close(p.b.c, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(famqp_connection_finished(p.a.c));
    ck_assert(famqp_connection_finished(p.b.c));
    pair_assert_no_failure(&p);
    pair_free(&p);
    ck_assert_int_eq(cnt.live, 0);
}
END_TEST

/* The client ends a session and closes the connection with errors; the
 * server sees condition and description of each. */
START_TEST(test_client_end_and_close_errors)
{
    pair p;
    famqp_session *cs, *ss;
    pair_connected(&p, &cs, &ss);
    famqp_link *sl;
    pair_attach(&p, cs, "l", FAMQP_LINK_RECEIVER, NULL, &sl);
    ck_assert_int_eq(famqp_session_close(cs, "amqp:session:errant-link", "client ends"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_SESSION_REMOTE_END], 1);
    ck_assert_str_eq(p.b.cond, "amqp:session:errant-link");
    ck_assert_str_eq(p.b.desc, "client ends");
    ck_assert_str_eq(famqp_session_remote_condition(ss).name, "amqp:session:errant-link");
    /* the end detached the link implicitly: the peer's side of it is gone */
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_LINK_REMOTE_DETACH], 0);
    ck_assert_int_eq(famqp_session_close(ss, NULL, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_connection_close(p.a.c, "amqp:internal-error", "client breaks down"), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(p.b.cond, "amqp:internal-error");
    ck_assert_str_eq(p.b.desc, "client breaks down");
    ck_assert_str_eq(famqp_connection_remote_condition(p.b.c).description, "client breaks down");
    /* a close with an error from the peer is not our failure */
    ck_assert(!famqp_connection_failed(p.b.c));
    pair_free(&p);
}
END_TEST

/* Calls in the wrong state are refused, never acted on. */
START_TEST(test_wrong_state_calls)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    /* before open */
    famqp_session *s;
    famqp_session_new(p.a.c, &s);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_session_close(s, NULL, NULL), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_connection_open(p.a.c), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_open(p.a.c), FAMQP_ENGINE_ERR_STATE);
    famqp_link *l;
    famqp_link_new(s, "l", FAMQP_LINK_SENDER, NULL, &l);
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_ERR_STATE); /* session not begun */
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_link_close(l, NULL, NULL), FAMQP_ENGINE_ERR_STATE); /* not attached */
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    /* sending before the peer attached; flow on a sender */
    ck_assert_int_eq(famqp_link_send(l, famqp_binary_of("t", 1), "m", 1, false, NULL), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_link_set_credit(l, 5), FAMQP_ENGINE_ERR_ARG);
    pair_pump(&p);
    pair_assert_no_failure(&p);
    ck_assert_int_eq(famqp_connection_close(p.a.c, NULL, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_close(p.a.c, NULL, NULL), FAMQP_ENGINE_ERR_STATE);
    ck_assert_int_eq(famqp_link_close(l, NULL, NULL), FAMQP_ENGINE_ERR_STATE);
    pair_free(&p);
}
END_TEST

/* A drain request while sends wait behind a shut session window: the
 * drain completes only after the queue went out. */
START_TEST(test_drain_after_queued_sends)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    so.incoming_window = 2;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.answer_opts.credit_window = 0;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *rcv;
    famqp_link *snd = pair_attach(&p, cs, "d", FAMQP_LINK_SENDER, NULL, &rcv);
    ck_assert_int_eq(famqp_link_set_credit_and_drain(rcv, 10), FAMQP_ENGINE_OK);
    /* move the drain flow by hand and send 5 while holding LINK_CREDIT */
    size_t len;
    const uint8_t *out = famqp_connection_output(p.b.c, &len);
    famqp_connection_input(p.a.c, out, len);
    famqp_connection_output_consume(p.b.c, len);
    const famqp_event *e = famqp_connection_next_event(p.a.c);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->type, FAMQP_EVENT_LINK_CREDIT);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "m", 1, true, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    pair_assert_no_failure(&p);
    ck_assert_uint_eq(p.b.nrecv, 5);
    ck_assert(!famqp_link_drain_requested(snd));
    ck_assert_uint_eq(famqp_link_delivery_count(snd), 10);
    ck_assert_uint_eq(famqp_link_delivery_count(rcv), 10);
    ck_assert_uint_eq(famqp_link_credit(rcv), 0);
    pair_free(&p);
}
END_TEST

Suite *engine_states_suite(void);
Suite *engine_states_suite(void)
{
    Suite *s = suite_create("engine_states");
    TCase *tc = tcase_create("states");
    tcase_add_test(tc, test_server_initiated_session_and_link);
    tcase_add_test(tc, test_simultaneous_close);
    tcase_add_test(tc, test_close_with_children_open);
    tcase_add_test(tc, test_client_end_and_close_errors);
    tcase_add_test(tc, test_wrong_state_calls);
    tcase_add_test(tc, test_drain_after_queued_sends);
    suite_add_tcase(s, tc);
    return s;
}

/* Transactions in the engine (AMQP 1.0 part 4): a coordinator target on
 * attach, transactional-state on transfers and dispositions in both
 * directions, the declared outcome, and the bounds on txn-ids. */
#include <string.h>

#include "harness.h"

static void assert_txn(famqp_binary got, const char *want)
{
    ck_assert_uint_eq(got.len, strlen(want));
    ck_assert_int_eq(memcmp(got.ptr, want, got.len), 0);
}

/* Connected, with a client sender whose deliveries the server holds. */
static famqp_link *held_sender(pair *p, famqp_session **cs)
{
    famqp_session *ss;
    pair_connected(p, cs, &ss);
    p->b.on_delivery = DELIV_HOLD;
    famqp_link *sl;
    return pair_attach(p, *cs, "q", FAMQP_LINK_SENDER, NULL, &sl);
}

/* A sender whose target is a coordinator: the peer sees a coordinator with
 * its capabilities, not a node. */
START_TEST(test_coordinator_attach)
{
    pair p;
    famqp_session *cs, *ss;
    pair_connected(&p, &cs, &ss);
    const char *caps[] = {FAMQP_TXN_CAPABILITY_LOCAL_TRANSACTIONS_SYMBOL,
                          FAMQP_TXN_CAPABILITY_MULTI_TXNS_PER_SSN_SYMBOL};
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.coordinator = true;
    o.target_capabilities = (famqp_symbols){caps, 2};
    famqp_link *sl;
    pair_attach(&p, cs, "txn-ctl", FAMQP_LINK_SENDER, &o, &sl);
    ck_assert_ptr_nonnull(sl);
    ck_assert(famqp_link_remote_target_is_coordinator(sl));
    famqp_terminus_info ti;
    ck_assert(!famqp_link_remote_target(sl, &ti));
    famqp_symbols got = famqp_link_remote_target_capabilities(sl);
    ck_assert_uint_eq(got.count, 2);
    ck_assert_str_eq(got.items[0], "amqp:local-transactions");
    ck_assert_str_eq(got.items[1], "amqp:multi-txns-per-ssn");
    /* only a sender's target can be a coordinator */
    famqp_link *bad;
    ck_assert_int_eq(famqp_link_new(cs, "r", FAMQP_LINK_RECEIVER, &o, &bad), FAMQP_ENGINE_ERR_ARG);
    ck_assert_ptr_null(bad);
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* Declare answered with declared{txn-id}; a transactional send carries
 * transactional-state{txn-id}; the receiver's transactional accept comes
 * back with the txn-id and the inner outcome. */
START_TEST(test_declared_and_transactional_states)
{
    pair p;
    famqp_session *cs;
    famqp_link *cl = held_sender(&p, &cs);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send(cl, famqp_binary_of("d", 1), "declare", 7, false, &d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 1);
    ck_assert_int_eq(famqp_delivery_transfer_state(p.b.held[0]).kind, FAMQP_OUTCOME_NONE);
    ck_assert_uint_eq(famqp_delivery_transfer_state(p.b.held[0]).txn_id.len, 0);
    famqp_outcome declared = {.kind = FAMQP_OUTCOME_DECLARED, .txn_id = famqp_binary_of("txn-0001", 8)};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &declared, true), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_DECLARED], 1);

    /* a send in the transaction */
    famqp_outcome in_txn = {.txn_id = famqp_binary_of("txn-0001", 8)};
    ck_assert_int_eq(famqp_link_send_state(cl, famqp_binary_of("m", 1), 0, "hello", 5, false, &in_txn, &d),
                     FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 2);
    famqp_outcome ts = famqp_delivery_transfer_state(p.b.held[1]);
    ck_assert_int_eq(ts.kind, FAMQP_OUTCOME_NONE);
    assert_txn(ts.txn_id, "txn-0001");
    /* the coordinator's side accepts it in the transaction */
    famqp_outcome acc = {.kind = FAMQP_OUTCOME_ACCEPTED, .txn_id = famqp_binary_of("txn-0001", 8)};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[1], &acc, false), FAMQP_ENGINE_OK);
    pair_pump(&p);
    famqp_outcome rs = famqp_delivery_remote_state(d);
    ck_assert_int_eq(rs.kind, FAMQP_OUTCOME_ACCEPTED);
    assert_txn(rs.txn_id, "txn-0001");
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 1);

    /* a transactional reject keeps its error inside the state */
    ck_assert_int_eq(famqp_link_send_state(cl, famqp_binary_of("n", 1), 0, "x", 1, false, &in_txn, &d),
                     FAMQP_ENGINE_OK);
    pair_pump(&p);
    famqp_outcome rej = {.kind = FAMQP_OUTCOME_REJECTED,
                         .error = {"amqp:transaction:rollback", "rolled back"},
                         .txn_id = famqp_binary_of("t2", 2)};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[2], &rej, true), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_str_eq(p.a.outcome_cond, "amqp:transaction:rollback");
    ck_assert_str_eq(p.a.outcome_desc, "rolled back");
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* Dispositions of consecutive deliveries merge only with the same txn-id. */
START_TEST(test_disposition_merge_by_txn)
{
    pair p;
    famqp_session *cs;
    famqp_link *cl = held_sender(&p, &cs);
    famqp_delivery *d[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_link_send(cl, famqp_binary_of(&"abc"[i], 1), "m", 1, false, &d[i]), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.nheld, 3);
    p.b.count_frames = true;
    famqp_outcome a1 = {.kind = FAMQP_OUTCOME_ACCEPTED, .txn_id = famqp_binary_of("t1", 2)};
    famqp_outcome a2 = {.kind = FAMQP_OUTCOME_ACCEPTED, .txn_id = famqp_binary_of("t2", 2)};
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &a1, true), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[1], &a1, true), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[2], &a2, true), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.sent_kind[FAMQP_ANY_FRAME_DISPOSITION], 2);
    ck_assert_uint_eq(p.a.outcome[FAMQP_OUTCOME_ACCEPTED], 3);
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* States the engine refuses to send. */
START_TEST(test_bad_states_refused)
{
    pair p;
    famqp_session *cs;
    famqp_link *cl = held_sender(&p, &cs);
    uint8_t longid[FAMQP_ENGINE_MAX_TXN_ID + 1];
    memset(longid, 'x', sizeof longid);
    famqp_outcome too_long = {.txn_id = famqp_binary_of(longid, sizeof longid)};
    famqp_outcome declared = {.kind = FAMQP_OUTCOME_DECLARED, .txn_id = famqp_binary_of("t", 1)};
    famqp_outcome declared_empty = {.kind = FAMQP_OUTCOME_DECLARED};
    famqp_outcome received = {.kind = FAMQP_OUTCOME_RECEIVED, .txn_id = famqp_binary_of("t", 1)};
    famqp_delivery *d;
    ck_assert_int_eq(famqp_link_send_state(cl, famqp_binary_of("a", 1), 0, "m", 1, false, &too_long, &d),
                     FAMQP_ENGINE_ERR_ARG);
    ck_assert_int_eq(famqp_link_send_state(cl, famqp_binary_of("a", 1), 0, "m", 1, false, &declared, &d),
                     FAMQP_ENGINE_ERR_ARG);
    ck_assert_int_eq(famqp_link_send(cl, famqp_binary_of("a", 1), "m", 1, false, &d), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &too_long, true), FAMQP_ENGINE_ERR_ARG);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &declared_empty, true), FAMQP_ENGINE_ERR_ARG);
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &received, false), FAMQP_ENGINE_ERR_ARG);
    too_long.txn_id.len = FAMQP_ENGINE_MAX_TXN_ID; /* the longest allowed goes through */
    ck_assert_int_eq(famqp_delivery_update(p.b.held[0], &too_long, true), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(famqp_delivery_remote_state(d).txn_id.len, FAMQP_ENGINE_MAX_TXN_ID);
    pair_assert_no_failure(&p);
    pair_free(&p);
}
END_TEST

/* A peer's transfer whose transactional-state has a txn-id above the
 * limit fails the connection with amqp:invalid-field, naming the limit. */
START_TEST(test_peer_txn_id_too_long)
{
    pair p;
    famqp_session *cs, *ss;
    pair_connected(&p, &cs, &ss);
    famqp_link *sl;
    pair_attach(&p, cs, "q", FAMQP_LINK_SENDER, NULL, &sl);
    uint8_t longid[FAMQP_ENGINE_MAX_TXN_ID + 1];
    memset(longid, 'y', sizeof longid);
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    famqp_transfer *t = &f.u.transfer;
    *t = famqp_transfer_defaults;
    t->handle = 0;
    t->delivery_id = 0;
    t->delivery_tag = famqp_binary_of("z", 1);
    t->state.kind = FAMQP_ANY_DELIVERY_STATE_TRANSACTIONAL_STATE;
    t->state.u.transactional_state = famqp_transactional_state_defaults;
    t->state.u.transactional_state.txn_id.kind = FAMQP_ANY_TXN_ID_TRANSACTION_ID;
    t->state.u.transactional_state.txn_id.u.transaction_id = famqp_binary_of(longid, sizeof longid);
    t->state.u.transactional_state.present = FAMQP_TRANSACTIONAL_STATE_HAS_TXN_ID;
    t->present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID | FAMQP_TRANSFER_HAS_DELIVERY_TAG |
                 FAMQP_TRANSFER_HAS_STATE;
    uint8_t buf[512];
    size_t n = build_frame(buf, sizeof buf, famqp_session_channel(cs), &f, (const uint8_t *)"m", 1);
    ck_assert_uint_gt(n, 0);
    side_feed(&p, &p.b, buf, n);
    side_drain_events(&p.b);
    ck_assert(famqp_connection_failed(p.b.c));
    ck_assert_str_eq(p.b.cond, "amqp:invalid-field");
    ck_assert_msg(strstr(p.b.desc, "txn-id of 65 bytes (at most 64)"), "%s", p.b.desc);
    pair_free(&p);
}
END_TEST

Suite *engine_txn_suite(void);
Suite *engine_txn_suite(void)
{
    Suite *s = suite_create("engine_txn");
    TCase *tc = tcase_create("txn");
    tcase_add_test(tc, test_coordinator_attach);
    tcase_add_test(tc, test_declared_and_transactional_states);
    tcase_add_test(tc, test_disposition_merge_by_txn);
    tcase_add_test(tc, test_bad_states_refused);
    tcase_add_test(tc, test_peer_txn_id_too_long);
    suite_add_tcase(s, tc);
    return s;
}

/* Configured limits (famqp_connection_options): one case per limit.  Each
 * is exceeded by a peer and must close the connection with the matching
 * condition and a description naming the limit and its value, which the
 * peer receives in the close. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The server (p->b) failed with cond, its description holds every part,
 * and the client was told with the same condition. */
static void expect_server_failed(pair *p, const char *cond, const char *part1, const char *part2)
{
    ck_assert_msg(famqp_connection_failed(p->b.c), "server did not fail");
    ck_assert_int_eq(p->b.count[FAMQP_EVENT_CONNECTION_ERROR], 1);
    ck_assert_str_eq(p->b.cond, cond);
    ck_assert_msg(strstr(p->b.desc, part1), "description '%s' lacks '%s'", p->b.desc, part1);
    ck_assert_msg(strstr(p->b.desc, part2), "description '%s' lacks '%s'", p->b.desc, part2);
    ck_assert_int_eq(p->a.count[FAMQP_EVENT_CONNECTION_REMOTE_CLOSE], 1);
    ck_assert_str_eq(famqp_connection_remote_condition(p->a.c).name, cond);
}

/* Client and server connected with one session; the server's options are
 * adjusted by the caller first. */
static famqp_session *connect_with(pair *p, const famqp_connection_options *so)
{
    famqp_connection_options co;
    harness_client_options(&co);
    pair_init(p, &co, so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(p, &cs, NULL);
    return cs;
}

static size_t transfer(uint8_t *buf, size_t cap, uint32_t handle, uint32_t id, const uint8_t *body, size_t n)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = handle;
    f.u.transfer.delivery_id = id;
    f.u.transfer.delivery_tag = famqp_binary_of(&id, 4);
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID | FAMQP_TRANSFER_HAS_DELIVERY_TAG;
    return build_frame(buf, cap, 0, &f, body, n);
}

/* ---- max_frame_size ----------------------------------------------------- */

START_TEST(test_limit_max_frame_size)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_frame_size = 1024;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    /* a well-formed transfer of 1025 bytes, one over the limit */
    uint8_t body[1100] = {0}, buf[1200];
    size_t n = transfer(buf, sizeof buf, 0, 0, body, 1);
    n = transfer(buf, sizeof buf, 0, 0, body, 1025 - n + 1);
    ck_assert_uint_eq(n, 1025);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:connection:framing-error", "max_frame_size", "1024");
    pair_free(&p);
}
END_TEST

/* ---- max_message_size (reassembly) ------------------------------------------ */

START_TEST(test_limit_max_message_size)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_message_size = 1000;
    so.max_frame_size = 4096;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    /* a peer ignoring the advertised max-message-size: two frames of 600
     * bytes of one delivery (more=true on the first) */
    uint8_t body[600] = {0}, buf[2 * 700];
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = 0;
    f.u.transfer.delivery_id = 0;
    f.u.transfer.delivery_tag = famqp_binary_of("t", 1);
    f.u.transfer.more = true;
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                           FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MORE;
    size_t n = build_frame(buf, sizeof buf, 0, &f, body, sizeof body);
    f.u.transfer.more = false;
    n += build_frame(buf + n, sizeof buf - n, 0, &f, body, sizeof body);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:link:message-size-exceeded", "max_message_size", "1000");
    pair_free(&p);
}
END_TEST

/* ---- max_incoming_bytes (incomplete messages, all links together) ---------- */

/* One frame of delivery id on link handle: 600 bytes, more or the last. */
static size_t part(uint8_t *buf, size_t cap, uint32_t handle, uint32_t id, bool more, bool aborted)
{
    static const uint8_t body[600];
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = handle;
    f.u.transfer.delivery_id = id;
    f.u.transfer.delivery_tag = famqp_binary_of(&id, 4);
    f.u.transfer.more = more;
    f.u.transfer.aborted = aborted;
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                           FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MORE | FAMQP_TRANSFER_HAS_ABORTED;
    return build_frame(buf, cap, 0, &f, body, sizeof body);
}

static famqp_session *incoming_budget_pair(pair *p, int links)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_incoming_bytes = 1500; /* two 600-byte parts fit, three do not */
    so.max_frame_size = 4096;
    famqp_session *cs = connect_with(p, &so);
    char name[8];
    for (int i = 0; i < links; i++) {
        snprintf(name, sizeof name, "l%d", i);
        pair_attach(p, cs, name, FAMQP_LINK_SENDER, NULL, NULL);
    }
    return cs;
}

/* A peer holding an incomplete message open on each of three links: each
 * is within max_message_size, together they pass max_incoming_bytes. */
START_TEST(test_limit_incoming_bytes_across_links)
{
    pair p;
    incoming_budget_pair(&p, 3);
    uint8_t buf[3 * 700];
    size_t n = 0;
    for (uint32_t h = 0; h < 3; h++)
        n += part(buf + n, sizeof buf - n, h, h, true, false);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "max_incoming_bytes", "1500");
    pair_free(&p);
}
END_TEST

/* Completed and aborted messages give their bytes back: many more bytes
 * than the budget pass through two links, at most 1,200 incomplete at a
 * time. */
START_TEST(test_limit_incoming_bytes_given_back)
{
    pair p;
    incoming_budget_pair(&p, 2);
    uint8_t buf[4 * 700];
    uint32_t id = 0;
    for (int round = 0; round < 10; round++) {
        size_t n = 0;
        /* both links incomplete at once (1,200 bytes), then both end:
         * link 0 completes, link 1 aborts on odd rounds */
        n += part(buf + n, sizeof buf - n, 0, id, true, false);
        n += part(buf + n, sizeof buf - n, 1, id + 1, true, false);
        n += part(buf + n, sizeof buf - n, 0, id, false, false);
        n += part(buf + n, sizeof buf - n, 1, id + 1, round % 2 == 1, round % 2 == 1);
        id += 2;
        famqp_connection_input(p.b.c, buf, n);
        pair_pump(&p);
        ck_assert_msg(!famqp_connection_failed(p.b.c), "round %d: server failed: %s", round, p.b.desc);
    }
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_DELIVERY], 15);
    ck_assert_int_eq(p.b.count[FAMQP_EVENT_DELIVERY_ABORTED], 5);
    pair_free(&p);
}
END_TEST

/* ---- sessions per connection (channel_max) ------------------------------------- */

START_TEST(test_limit_sessions)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.channel_max = 1; /* two sessions at most */
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    (void)cs;
    famqp_session *s1;
    famqp_session_new(p.a.c, &s1);
    ck_assert_int_eq(famqp_session_open(s1), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.b.c));
    /* our client keeps to the server's channel-max; a raw peer does not */
    famqp_session *over = (famqp_session *)&p; /* not NULL: the call must clear it */
    ck_assert_int_eq(famqp_session_new(p.a.c, &over), FAMQP_ENGINE_ERR_LIMIT);
    ck_assert_ptr_null(over);
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_BEGIN};
    f.u.begin = famqp_begin_defaults;
    f.u.begin.incoming_window = 10;
    f.u.begin.outgoing_window = 10;
    f.u.begin.present =
        FAMQP_BEGIN_HAS_NEXT_OUTGOING_ID | FAMQP_BEGIN_HAS_INCOMING_WINDOW | FAMQP_BEGIN_HAS_OUTGOING_WINDOW;
    uint8_t buf[128];
    size_t n = build_frame(buf, sizeof buf, 2, &f, NULL, 0);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:connection:framing-error", "channel-max", "1");
    pair_free(&p);
}
END_TEST

/* A server whose own sessions took every channel refuses the peer's. */
START_TEST(test_limit_sessions_no_free_channel)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.channel_max = 0; /* one session */
    pair p;
    famqp_connection_options co;
    harness_client_options(&co);
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_connection_open(p.a.c);
    pair_pump(&p);
    /* the server begins its own session on channel 0 first... */
    famqp_session *ss;
    famqp_session_new(p.b.c, &ss);
    ck_assert_ptr_nonnull(ss);
    /* ...while the client's begin is already on its way */
    famqp_session *cs;
    famqp_session_new(p.a.c, &cs);
    ck_assert_int_eq(famqp_session_open(cs), FAMQP_ENGINE_OK);
    p.a.answer = false;
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "channel-max", "0");
    pair_free(&p);
}
END_TEST

/* ---- links per session (handle-max) -------------------------------------------- */

static size_t attach_frame(uint8_t *buf, size_t cap, uint32_t handle, const char *name)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_ATTACH};
    f.u.attach = famqp_attach_defaults;
    f.u.attach.name = famqp_string_of(name);
    f.u.attach.handle = handle;
    f.u.attach.role = false;
    f.u.attach.initial_delivery_count = 0;
    f.u.attach.present = FAMQP_ATTACH_HAS_NAME | FAMQP_ATTACH_HAS_HANDLE | FAMQP_ATTACH_HAS_ROLE |
                         FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT;
    return build_frame(buf, cap, 0, &f, NULL, 0);
}

START_TEST(test_limit_links_per_session)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_links_per_session = 2;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    pair_attach(&p, cs, "l0", FAMQP_LINK_SENDER, NULL, NULL);
    pair_attach(&p, cs, "l1", FAMQP_LINK_SENDER, NULL, NULL);
    /* our client keeps to the server's handle-max */
    famqp_link *l2;
    famqp_link_new(cs, "l2", FAMQP_LINK_SENDER, NULL, &l2);
    ck_assert_ptr_null(l2);
    uint8_t buf[128];
    size_t n = attach_frame(buf, sizeof buf, 2, "l2");
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:connection:framing-error", "handle-max", "1");
    pair_free(&p);
}
END_TEST

/* ---- unsettled deliveries per link ------------------------------------------- */

START_TEST(test_limit_unsettled_incoming)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_unsettled_per_link = 3;
    pair p;
    famqp_connection_options co;
    harness_client_options(&co);
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.on_delivery = DELIV_HOLD; /* the application settles nothing */
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    for (uint32_t i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.b.c));
    ck_assert_uint_eq(p.b.nrecv, 3);
    /* settling one makes room for one more */
    ck_assert_int_eq(famqp_delivery_accept(p.b.held[0]), FAMQP_ENGINE_OK);
    uint32_t t = 3;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&t, 4), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.b.c));
    t = 4;
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&t, 4), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "max_unsettled_per_link", "3");
    ck_assert_uint_eq(p.b.nrecv, 4);
    pair_free(&p);
}
END_TEST

/* A sender does not pile up more than the limit either: it is told. */
START_TEST(test_limit_unsettled_outgoing)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.max_unsettled_per_link = 2;
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    p.b.on_delivery = DELIV_HOLD;
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *snd = pair_attach(&p, cs, "l", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    for (uint32_t i = 0; i < 2; i++)
        ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of(&i, 4), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("x", 1), "m", 1, false, NULL), FAMQP_ENGINE_ERR_LIMIT);
    /* pre-settled sends are not tracked, so not limited */
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("y", 1), "m", 1, true, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_delivery_accept(p.b.held[0]), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("z", 1), "m", 1, false, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert(!famqp_connection_failed(p.a.c));
    ck_assert(!famqp_connection_failed(p.b.c));
    pair_free(&p);
}
END_TEST

/* ---- max_output_bytes (output a peer has not read) ----------------------------- */

static famqp_session *pair_connect_session(pair *p)
{
    famqp_session *cs;
    pair_connect(p, &cs, NULL);
    return cs;
}

/* Output nobody takes: sends are refused at max_output_bytes (pre-settled
 * too, the connection not failed); once the output went out and drained,
 * the sender gets LINK_CREDIT and sends again. */
START_TEST(test_limit_output_bytes)
{
    famqp_connection_options co;
    harness_client_options(&co);
    co.max_output_bytes = 4096;
    famqp_connection_options so;
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_link *snd = pair_attach(&p, pair_connect_session(&p), "l", FAMQP_LINK_SENDER, NULL, NULL);
    pair_pump(&p);
    static const uint8_t body[1000];
    uint32_t i = 0;
    while (famqp_link_send(snd, famqp_binary_of(&i, 4), body, sizeof body, true, NULL) == FAMQP_ENGINE_OK)
        ck_assert_uint_lt(++i, 100);
    /* ~1,030 bytes each: 4 fit below 4,096 (with whatever else is queued,
     * e.g. a flow, one fewer) and the next is refused */
    ck_assert_uint_ge(i, 3);
    ck_assert_uint_le(i, 4);
    ck_assert_uint_ge(famqp_connection_output_pending(p.a.c), 4096);
    ck_assert(famqp_connection_output_blocked(p.a.c));
    ck_assert(!famqp_connection_failed(p.a.c));
    size_t credit_events = p.a.count[FAMQP_EVENT_LINK_CREDIT];
    pair_pump(&p);
    ck_assert(!famqp_connection_output_blocked(p.a.c));
    ck_assert_uint_eq(p.a.count[FAMQP_EVENT_LINK_CREDIT], credit_events + 1);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_DELIVERY], i);
    ck_assert_int_eq(famqp_link_send(snd, famqp_binary_of("z", 1), body, sizeof body, true, NULL), FAMQP_ENGINE_OK);
    pair_pump(&p);
    ck_assert_uint_eq(p.b.count[FAMQP_EVENT_DELIVERY], i + 1);
    ck_assert(!famqp_connection_failed(p.b.c));
    pair_free(&p);
}
END_TEST

/* ---- decode limits: nesting depth and entries ----------------------------------- */

/* Attaches a receiver whose source filter is the given map entries. */
static void attach_with_filter(pair *p, famqp_session *cs, const uint8_t *items, size_t len, uint32_t count)
{
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.source_address = "q";
    lo.source_filter.count = count;
    lo.source_filter.items = items;
    lo.source_filter.len = len;
    famqp_link *l;
    famqp_link_new(cs, "f", FAMQP_LINK_RECEIVER, &lo, &l);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    pair_pump(p);
}

START_TEST(test_limit_decode_depth)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.decode_limits.max_depth = 8;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    /* key :a, value: 12 lists nested in each other around a null */
    uint8_t items[64];
    size_t n = 0;
    items[n++] = 0xa3;
    items[n++] = 1;
    items[n++] = 'a';
    const int depth = 12;
    for (int i = 0; i < depth; i++) {
        items[n++] = 0xc0;
        items[n++] = (uint8_t)(2 + 3 * (depth - i - 1)); /* count byte, inner lists of 3 bytes each, null */
        items[n++] = 1;
    }
    items[n++] = 0x40;
    attach_with_filter(&p, cs, items, n, 2);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "decode_limits.max_depth", "8");
    pair_free(&p);
}
END_TEST

START_TEST(test_limit_decode_entries)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.decode_limits.max_count = 16;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    /* a filter map of 10 pairs: 20 entries against a limit of 16 */
    uint8_t items[128];
    size_t n = 0;
    for (int i = 0; i < 10; i++) {
        items[n++] = 0xa3;
        items[n++] = 1;
        items[n++] = (uint8_t)('a' + i);
        items[n++] = 0x40;
    }
    attach_with_filter(&p, cs, items, n, 20);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "decode_limits.max_count", "16");
    pair_free(&p);
}
END_TEST

START_TEST(test_limit_decode_empty_elements)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.decode_limits.max_empty_elements = 100;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    /* a filter map "a" -> an array of 200 nulls: 4 bytes claiming 200
     * zero-width elements, against a limit of 100 */
    const uint8_t items[] = {0xa3, 1, 'a', 0xe0, 2, 200, 0x40};
    attach_with_filter(&p, cs, items, sizeof items, 2);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "decode_limits.max_empty_elements", "100");
    pair_free(&p);
}
END_TEST

/* ---- flood rates ------------------------------------------------------------------ */

START_TEST(test_limit_empty_frame_flood)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_empty_frames_per_s = 10;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    (void)cs;
    uint8_t hb[8];
    famqp_frame_header_put(hb, 8, FAMQP_FRAME_TYPE_AMQP, 0);
    uint64_t now = 1000;
    famqp_connection_tick(p.b.c, now);
    /* ten a second, for five seconds: allowed */
    for (int sec = 0; sec < 5; sec++) {
        for (int i = 0; i < 10; i++)
            ck_assert_int_eq(famqp_connection_input(p.b.c, hb, 8), FAMQP_ENGINE_OK);
        now += 1000;
        famqp_connection_tick(p.b.c, now);
    }
    /* eleven within one second: a flood */
    for (int i = 0; i < 11; i++)
        famqp_connection_input(p.b.c, hb, 8);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "max_empty_frames_per_s", "10");
    pair_free(&p);
}
END_TEST

static size_t session_flow(uint8_t *buf, size_t cap, uint32_t incoming_window, bool echo)
{
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_FLOW};
    f.u.flow = famqp_flow_defaults;
    f.u.flow.next_incoming_id = 0;
    f.u.flow.incoming_window = incoming_window;
    f.u.flow.next_outgoing_id = 0;
    f.u.flow.outgoing_window = 100;
    f.u.flow.echo = echo;
    f.u.flow.present = FAMQP_FLOW_HAS_NEXT_INCOMING_ID | FAMQP_FLOW_HAS_INCOMING_WINDOW |
                       FAMQP_FLOW_HAS_NEXT_OUTGOING_ID | FAMQP_FLOW_HAS_OUTGOING_WINDOW | FAMQP_FLOW_HAS_ECHO;
    return build_frame(buf, cap, 0, &f, NULL, 0);
}

START_TEST(test_limit_idle_flow_flood)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_idle_flows_per_s = 10;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    (void)cs;
    famqp_connection_tick(p.b.c, 500);
    uint8_t buf[128];
    /* flows that open the window further are progress, however many */
    for (uint32_t i = 0; i < 50; i++) {
        size_t n = session_flow(buf, sizeof buf, 1000 + i, false);
        ck_assert_int_eq(famqp_connection_input(p.b.c, buf, n), FAMQP_ENGINE_OK);
    }
    /* the same state again and again, each asking for an echo: a flood */
    size_t n = session_flow(buf, sizeof buf, 1049, true);
    for (int i = 0; i < 11; i++)
        famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "max_idle_flows_per_s", "10");
    pair_free(&p);
}
END_TEST

/* Link flows to a sender repeating the same credit are no progress either;
 * the first, which grants credit, is. */
START_TEST(test_limit_idle_link_flow_flood)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_idle_flows_per_s = 10;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    famqp_link *srv_sender;
    pair_attach(&p, cs, "r", FAMQP_LINK_RECEIVER, NULL, &srv_sender);
    ck_assert_int_eq(famqp_link_get_role(srv_sender), FAMQP_LINK_SENDER);
    famqp_connection_tick(p.b.c, 0);
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_FLOW};
    f.u.flow = famqp_flow_defaults;
    f.u.flow.incoming_window = 100;
    f.u.flow.outgoing_window = 100;
    f.u.flow.handle = 0;
    f.u.flow.delivery_count = 0;
    f.u.flow.link_credit = 7;
    f.u.flow.present = FAMQP_FLOW_HAS_INCOMING_WINDOW | FAMQP_FLOW_HAS_NEXT_OUTGOING_ID |
                       FAMQP_FLOW_HAS_OUTGOING_WINDOW | FAMQP_FLOW_HAS_HANDLE | FAMQP_FLOW_HAS_DELIVERY_COUNT |
                       FAMQP_FLOW_HAS_LINK_CREDIT;
    uint8_t buf[128];
    size_t n = build_frame(buf, sizeof buf, 0, &f, NULL, 0);
    for (int i = 0; i < 11; i++)
        ck_assert_int_eq(famqp_connection_input(p.b.c, buf, n), FAMQP_ENGINE_OK);
    ck_assert_uint_eq(famqp_link_credit(srv_sender), 7);
    famqp_connection_input(p.b.c, buf, n);
    pair_pump(&p);
    expect_server_failed(&p, "amqp:resource-limit-exceeded", "max_idle_flows_per_s", "10");
    pair_free(&p);
}
END_TEST

/* Without a clock the rates cannot be measured: nothing is enforced. */
START_TEST(test_limit_flood_needs_clock)
{
    famqp_connection_options so;
    harness_server_options(&so);
    so.max_empty_frames_per_s = 1;
    pair p;
    famqp_session *cs = connect_with(&p, &so);
    (void)cs;
    uint8_t hb[8];
    famqp_frame_header_put(hb, 8, FAMQP_FRAME_TYPE_AMQP, 0);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(famqp_connection_input(p.b.c, hb, 8), FAMQP_ENGINE_OK);
    pair_free(&p);
}
END_TEST

/* The documented defaults. */
START_TEST(test_limit_defaults)
{
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    ck_assert_uint_eq(o.max_frame_size, 65536);
    ck_assert_uint_eq(o.channel_max, 255);
    ck_assert_uint_eq(o.max_links_per_session, 1024);
    ck_assert_uint_eq(o.max_message_size, 64u * 1024u * 1024u);
    ck_assert_uint_eq(o.max_unsettled_per_link, 65536);
    ck_assert_uint_eq(o.decode_limits.max_depth, FAMQP_DEFAULT_MAX_DEPTH);
    ck_assert_uint_eq(o.decode_limits.max_count, FAMQP_DEFAULT_MAX_COUNT);
    ck_assert_uint_eq(o.max_empty_frames_per_s, 1000);
    ck_assert_uint_eq(o.max_idle_flows_per_s, 5000);
    ck_assert_uint_eq(o.max_incoming_bytes, 128u * 1024u * 1024u);
    ck_assert_uint_eq(o.max_output_bytes, 16u * 1024u * 1024u);
}
END_TEST

Suite *engine_limits_suite(void);
Suite *engine_limits_suite(void)
{
    Suite *s = suite_create("engine_limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_limit_max_frame_size);
    tcase_add_test(tc, test_limit_max_message_size);
    tcase_add_test(tc, test_limit_incoming_bytes_across_links);
    tcase_add_test(tc, test_limit_incoming_bytes_given_back);
    tcase_add_test(tc, test_limit_sessions);
    tcase_add_test(tc, test_limit_sessions_no_free_channel);
    tcase_add_test(tc, test_limit_links_per_session);
    tcase_add_test(tc, test_limit_unsettled_incoming);
    tcase_add_test(tc, test_limit_unsettled_outgoing);
    tcase_add_test(tc, test_limit_output_bytes);
    tcase_add_test(tc, test_limit_decode_depth);
    tcase_add_test(tc, test_limit_decode_entries);
    tcase_add_test(tc, test_limit_decode_empty_elements);
    tcase_add_test(tc, test_limit_empty_frame_flood);
    tcase_add_test(tc, test_limit_idle_flow_flood);
    tcase_add_test(tc, test_limit_idle_link_flow_flood);
    tcase_add_test(tc, test_limit_flood_needs_clock);
    tcase_add_test(tc, test_limit_defaults);
    suite_add_tcase(s, tc);
    return s;
}

/* famqp/servicebus.h against the in-process Service Bus stand-in
 * (sb_peer.h): lock tokens in .NET byte order, the attach of peek-lock,
 * receive-and-delete and session receivers, each settlement's exact
 * disposition fields, the broker settling second (and refusing with
 * message-lock-lost), renew-lock requests and answers (statuses, bad
 * bodies), and the pure builders and parsers. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/servicebus.h"
#include "sb_peer.h"

static sb_peer peer;
static char url[64];

static void setup(void)
{
    memset(&peer, 0, sizeof peer);
    peer.grant_session = "granted-7";
    sb_peer_start(&peer);
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", (unsigned)peer.port);
}

static void teardown(void) { sb_peer_stop(&peer); }

static famqp_client *connect_ok(void)
{
    famqp_client *c;
    famqp_client_error err;
    famqp_client_status st = famqp_client_connect(url, NULL, &c, &err);
    ck_assert_msg(st == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

static const char *why(famqp_client *c) { return famqp_client_last_error(c)->message; }

static famqp_sb_receiver *open_ok(famqp_client *c, const char *entity, const famqp_sb_receiver_options *o)
{
    famqp_sb_receiver *r = NULL;
    famqp_client_status st = famqp_sb_receiver_open(c, entity, o, &r);
    ck_assert_msg(st == FAMQP_CLIENT_OK, "open %s: %s", entity, why(c));
    return r;
}

static famqp_delivery *receive_ok(famqp_sb_receiver *r, famqp_client *c)
{
    famqp_delivery *d = NULL;
    famqp_client_status st = famqp_sb_receive(r, 5000, &d);
    ck_assert_msg(st == FAMQP_CLIENT_OK, "receive: %s", why(c));
    return d;
}

/* The string value of key (a string or symbol key) in an encoded map. */
static bool map_text(const uint8_t *bytes, size_t len, uint32_t count, const char *key, bool symbol_key, char *out,
                     size_t cap)
{
    famqp_map m = {.count = count, .items = bytes, .len = len};
    famqp_value v;
    famqp_string s;
    if (!(symbol_key ? famqp_map_get_symbol_key(&m, key, &v) : famqp_map_get_string_key(&m, key, &v)))
        return false;
    if (famqp_value_kind(v) == FAMQP_KIND_NULL) {
        snprintf(out, cap, "(null)");
        return true;
    }
    if (!famqp_value_get_string(v, &s))
        return false;
    snprintf(out, cap, "%.*s", (int)s.len, s.ptr);
    return true;
}

/* The properties to modify the tests pass: {x-why: "retry"}. */
static famqp_map retry_props(uint8_t *buf, size_t cap)
{
    famqp_fields_builder f;
    famqp_fields_init(&f, buf, cap);
    famqp_write_cstring(famqp_fields_key(&f, "x-why"), "retry");
    famqp_map props;
    ck_assert_int_eq(famqp_fields_finish(&f, &props), FAMQP_OK);
    return props;
}

static size_t peer_disps(void)
{
    pthread_mutex_lock(&peer.mu);
    size_t n = peer.ndisps;
    pthread_mutex_unlock(&peer.mu);
    return n;
}

/* ---- pure ------------------------------------------------------------------ */

START_TEST(lock_token_byte_order)
{
    uint8_t tag[16];
    sb_peer_tag(0, tag);
    famqp_uuid u;
    ck_assert_int_eq(famqp_sb_lock_token_from_tag(famqp_binary_of(tag, 16), &u), FAMQP_OK);
    char text[37];
    famqp_sb_lock_token_text(u, text);
    /* .NET: Data1 (4 bytes), Data2, Data3 little-endian, then 8 bytes as is */
    ck_assert_str_eq(text, "33221100-5544-7766-8899-aabbccddeeff");
    famqp_uuid back;
    ck_assert_int_eq(famqp_sb_lock_token_parse("33221100-5544-7766-8899-AABBCCDDEEFF", &back), FAMQP_OK);
    ck_assert_mem_eq(back.bytes, u.bytes, 16);
    ck_assert_int_eq(famqp_sb_lock_token_from_tag(famqp_binary_of(tag, 15), &u), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_sb_lock_token_parse("33221100-5544-7766-8899-aabbccddeef", &u), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_sb_lock_token_parse("33221100x5544-7766-8899-aabbccddeeff", &u), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_sb_lock_token_parse("g3221100-5544-7766-8899-aabbccddeeff", &u), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_sb_lock_token_parse(NULL, &u), FAMQP_ERR_INVALID_VALUE);
}
END_TEST

START_TEST(outcomes_built)
{
    uint8_t props_buf[128], buf[512];
    famqp_map props = retry_props(props_buf, sizeof props_buf);
    famqp_outcome o;
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_COMPLETE, NULL, NULL, NULL, buf, sizeof buf, &o), FAMQP_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_ACCEPTED);
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_ABANDON, &props, NULL, NULL, buf, sizeof buf, &o), FAMQP_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_MODIFIED);
    ck_assert(o.delivery_failed_absent && !o.delivery_failed && !o.undeliverable_here);
    ck_assert_ptr_eq(o.message_annotations.items, props.items);
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_DEFER, NULL, NULL, NULL, buf, sizeof buf, &o), FAMQP_OK);
    ck_assert(o.kind == FAMQP_OUTCOME_MODIFIED && o.undeliverable_here && o.message_annotations.count == 0);
    /* dead-letter: the properties first, then reason and description (string keys) */
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_DEAD_LETTER, &props, "bad", NULL, buf, sizeof buf, &o), FAMQP_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_REJECTED);
    ck_assert_str_eq(o.error.name, FAMQP_SB_DEAD_LETTER_CONDITION);
    ck_assert_ptr_null(o.error.description);
    ck_assert_uint_eq(o.error_info.count, 6);
    famqp_iter it;
    famqp_map_entry e;
    famqp_map_iter(&o.error_info, &it);
    ck_assert(famqp_map_next_entry(&it, &e) && e.k.kind == FAMQP_KIND_SYMBOL && famqp_string_eq(e.v.u.str, "retry"));
    ck_assert(famqp_map_next_entry(&it, &e) && e.k.kind == FAMQP_KIND_STRING &&
              famqp_string_eq(e.k.u.str, "DeadLetterReason") && famqp_string_eq(e.v.u.str, "bad"));
    ck_assert(famqp_map_next_entry(&it, &e) && famqp_string_eq(e.k.u.str, "DeadLetterErrorDescription") &&
              e.v.kind == FAMQP_KIND_NULL);
    /* a properties map naming the reason does not repeat the key */
    uint8_t dup_buf[128];
    famqp_writer w;
    famqp_writer_init(&w, dup_buf, sizeof dup_buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "DeadLetterReason");
    famqp_write_cstring(&w, "old");
    famqp_write_map_end(&w);
    famqp_map dup;
    ck_assert(famqp_map_of(dup_buf, famqp_writer_len(&w), &dup));
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_DEAD_LETTER, &dup, "new", "d", buf, sizeof buf, &o), FAMQP_OK);
    ck_assert_uint_eq(o.error_info.count, 4);
    /* too small a buffer, a bad settlement, an odd map */
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_DEAD_LETTER, NULL, "bad", NULL, buf, 8, &o), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(famqp_sb_outcome((famqp_sb_settlement)9, NULL, NULL, NULL, buf, sizeof buf, &o),
                     FAMQP_ERR_INVALID_VALUE);
    famqp_map odd = props;
    odd.count = 3;
    ck_assert_int_eq(famqp_sb_outcome(FAMQP_SB_ABANDON, &odd, NULL, NULL, buf, sizeof buf, &o),
                     FAMQP_ERR_INVALID_VALUE);
    ck_assert_str_eq(famqp_sb_settlement_name(FAMQP_SB_DEAD_LETTER), "dead-letter");
}
END_TEST

START_TEST(renew_request_and_reply_parsed)
{
    famqp_uuid t[2];
    ck_assert_int_eq(famqp_sb_lock_token_parse("33221100-5544-7766-8899-aabbccddeeff", &t[0]), FAMQP_OK);
    ck_assert_int_eq(famqp_sb_lock_token_parse("00000000-0000-0000-0000-000000000001", &t[1]), FAMQP_OK);
    uint8_t buf[1024], enc[1024];
    famqp_message m;
    ck_assert_int_eq(famqp_sb_renew_lock_request(&m, t, 2, "tid", "link-1", buf, sizeof buf), FAMQP_OK);
    size_t len = famqp_message_encode(enc, sizeof enc, &m);
    famqp_message back;
    ck_assert_int_eq(famqp_message_decode(enc, len, &back, NULL), FAMQP_OK);
    char text[64];
    ck_assert(map_text(back.application_properties.value.items, back.application_properties.value.len,
                       back.application_properties.value.count, "operation",
                       false, text, sizeof text));
    ck_assert_str_eq(text, "com.microsoft:renew-lock");
    famqp_value body, arrv;
    famqp_map bm;
    famqp_array arr;
    ck_assert(famqp_message_get_value(&back, &body) && famqp_value_get_map(body, &bm));
    ck_assert(famqp_map_get_string_key(&bm, "lock-tokens", &arrv) && famqp_value_get_array(arrv, &arr));
    ck_assert_uint_eq(arr.count, 2);
    famqp_iter it;
    famqp_uuid u;
    famqp_array_iter(&arr, &it);
    ck_assert(famqp_array_next_uuid(&it, &u));
    ck_assert_mem_eq(u.bytes, t[0].bytes, 16);
    ck_assert_int_eq(famqp_sb_renew_lock_request(&m, t, 0, NULL, NULL, buf, sizeof buf), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_sb_renew_lock_request(&m, t, 2, NULL, NULL, buf, 16), FAMQP_ERR_LIMIT);
    /* replies: a string body, and one whose expirations are not timestamps */
    famqp_message r;
    famqp_message_init(&r);
    famqp_message_set_string(&r, "no");
    len = famqp_message_encode(enc, sizeof enc, &r);
    ck_assert_int_eq(famqp_message_decode(enc, len, &back, NULL), FAMQP_OK);
    famqp_error err;
    ck_assert_int_eq(famqp_sb_renew_lock_reply(&back, 1, NULL, &err), FAMQP_ERR_TYPE_MISMATCH);
    ck_assert_str_eq(err.field, "body");
    famqp_writer w;
    uint8_t bb[64];
    famqp_writer_init(&w, bb, sizeof bb);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "expirations");
    famqp_write_array_symbol(&w, (famqp_symbol[]){famqp_symbol_of("x")}, 1);
    famqp_write_map_end(&w);
    famqp_message_init(&r);
    famqp_message_set_value(&r, famqp_writer_value(&w));
    ck_assert_int_eq(famqp_sb_renew_lock_reply(&r, 1, NULL, &err), FAMQP_ERR_TYPE_MISMATCH);
    ck_assert_int_eq(famqp_sb_renew_lock_reply(&r, 2, NULL, &err), FAMQP_ERR_INVALID_VALUE);
}
END_TEST

/* ---- against the stand-in ------------------------------------------------------- */

START_TEST(peek_lock_settlements)
{
    famqp_client *c = connect_ok();
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.name = "rcv-1";
    famqp_sb_receiver *r = open_ok(c, "q", &o);
    pthread_mutex_lock(&peer.mu);
    ck_assert_uint_eq(peer.snd_settle_mode, FAMQP_SENDER_SETTLE_MODE_UNSETTLED);
    ck_assert_uint_eq(peer.rcv_settle_mode, FAMQP_RECEIVER_SETTLE_MODE_SECOND);
    char text[64];
    ck_assert(map_text(peer.attach_properties, peer.attach_properties_len, peer.attach_properties_count, "com.microsoft:receiver-name", true, text,
                       sizeof text));
    ck_assert_str_eq(text, "rcv-1");
    ck_assert_uint_eq(peer.filter_len, 0);
    pthread_mutex_unlock(&peer.mu);

    uint8_t props_buf[128];
    famqp_map props = retry_props(props_buf, sizeof props_buf);
    for (uint8_t i = 0; i < SB_PEER_MESSAGES; i++) {
        famqp_delivery *d = receive_ok(r, c);
        famqp_sb_message_info info;
        ck_assert_int_eq(famqp_sb_message_info_read(d, &info, NULL), FAMQP_OK);
        uint8_t tag[16];
        sb_peer_tag(i, tag);
        char want[37];
        if (i == 3) /* x-opt-lock-token wins over the tag */
            snprintf(want, sizeof want, "abcdef01-2345-6789-abcd-ef0123456789");
        else
            snprintf(want, sizeof want, "332211%02x-5544-7766-8899-aabbccddeeff", i);
        ck_assert(info.has_lock_token);
        ck_assert_str_eq(info.lock_token_text, want);
        ck_assert(info.has_locked_until && info.locked_until_ms == SB_PEER_LOCKED_UNTIL + i);
        ck_assert(info.has_sequence_number && info.sequence_number == 100 + i);
        ck_assert(info.has_enqueued_time && info.enqueued_time_ms == SB_PEER_LOCKED_UNTIL - 60000);
        ck_assert_uint_eq(info.delivery_count, i);
        ck_assert_uint_eq(info.session_id.len, 0);
        famqp_client_status st;
        switch (i) {
        case 0: st = famqp_sb_complete(r, d, 5000); break;
        case 1: st = famqp_sb_abandon(r, d, &props, 5000); break;
        case 2: st = famqp_sb_dead_letter(r, d, "poison", "could not parse", NULL, 5000); break;
        default: st = famqp_sb_defer(r, d, NULL, 5000); break;
        }
        ck_assert_msg(st == FAMQP_CLIENT_OK, "settle %u: %s", i, why(c));
    }
    ck_assert_uint_eq(peer_disps(), 4);
    pthread_mutex_lock(&peer.mu);
    sb_disposition *dp = peer.disps;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(dp[i].tag0, i);
        ck_assert(!dp[i].settled); /* rcv-settle-mode second: the broker settles */
    }
    ck_assert_int_eq(dp[0].kind, FAMQP_OUTCOME_ACCEPTED);
    ck_assert_int_eq(dp[1].kind, FAMQP_OUTCOME_MODIFIED);
    ck_assert(dp[1].delivery_failed_absent && !dp[1].undeliverable_here);
    ck_assert_uint_eq(dp[1].annotations_len, props.len);
    ck_assert_mem_eq(dp[1].annotations, props.items, props.len);
    ck_assert_int_eq(dp[2].kind, FAMQP_OUTCOME_REJECTED);
    ck_assert_str_eq(dp[2].condition, "com.microsoft:dead-letter");
    ck_assert(!dp[2].has_description);
    ck_assert(map_text(dp[2].info, dp[2].info_len, dp[2].info_count, "DeadLetterReason", false, text, sizeof text));
    ck_assert_str_eq(text, "poison");
    ck_assert(map_text(dp[2].info, dp[2].info_len, dp[2].info_count, "DeadLetterErrorDescription", false, text, sizeof text));
    ck_assert_str_eq(text, "could not parse");
    ck_assert_int_eq(dp[3].kind, FAMQP_OUTCOME_MODIFIED);
    ck_assert(dp[3].delivery_failed_absent && dp[3].undeliverable_here && dp[3].annotations_len == 0);
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_receiver_close(r, 5000), FAMQP_CLIENT_OK);
    famqp_client_close(c, 5000);
}
END_TEST

START_TEST(lock_lost_and_timeout)
{
    peer.lock_lost = true;
    famqp_client *c = connect_ok();
    famqp_sb_receiver *r = open_ok(c, "q", NULL);
    famqp_delivery *d = receive_ok(r, c);
    ck_assert_int_eq(famqp_sb_complete(r, d, 5000), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, FAMQP_SB_LOCK_LOST_CONDITION);
    ck_assert_str_eq(famqp_client_last_error(c)->description, "The lock supplied is invalid.");
    pthread_mutex_lock(&peer.mu);
    peer.lock_lost = false;
    peer.never_settle = true;
    pthread_mutex_unlock(&peer.mu);
    d = receive_ok(r, c);
    ck_assert_int_eq(famqp_sb_complete(r, d, 200), FAMQP_CLIENT_ERR_TIMEOUT);
    /* a bad outcome map is refused before anything is sent */
    d = receive_ok(r, c);
    famqp_outcome bad = {.kind = FAMQP_OUTCOME_REJECTED};
    bad.error.name = "x:y";
    static const uint8_t junk[] = {0xa1, 0x05, 'a'};
    bad.error_info = (famqp_map){.count = 2, .items = junk, .len = sizeof junk};
    ck_assert_int_eq(famqp_receiver_settle(famqp_sb_receiver_base(r), d, &bad, 1000, NULL), FAMQP_CLIENT_ERR_ARG);
    ck_assert_int_eq(famqp_sb_abandon(r, d, NULL, 200), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_uint_eq(peer_disps(), 3);
    famqp_sb_receiver_close(r, 5000);
    famqp_client_close(c, 5000);
}
END_TEST

/* Prefetched messages nobody received are left to the detach, as the SDK
 * leaves them: no disposition (famqp_receiver_close would release them). */
START_TEST(close_leaves_prefetched)
{
    famqp_client *c = connect_ok();
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.prefetch = SB_PEER_MESSAGES;
    famqp_sb_receiver *r = open_ok(c, "q", &o);
    famqp_delivery *d = receive_ok(r, c);
    ck_assert_int_eq(famqp_sb_complete(r, d, 5000), FAMQP_CLIENT_OK);
    famqp_client_pump(c, 200); /* the other three arrive */
    ck_assert_uint_eq(famqp_receiver_queued(famqp_sb_receiver_base(r)), SB_PEER_MESSAGES - 1);
    ck_assert_int_eq(famqp_sb_receiver_close(r, 5000), FAMQP_CLIENT_OK);
    famqp_client_close(c, 5000);
    ck_assert_uint_eq(peer_disps(), 1); /* the complete alone */
}
END_TEST

START_TEST(receive_and_delete)
{
    famqp_client *c = connect_ok();
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.mode = FAMQP_SB_RECEIVE_AND_DELETE;
    o.prefetch = 10;
    o.server_timeout_ms = 30000;
    famqp_sb_receiver *r = open_ok(c, "q", &o);
    pthread_mutex_lock(&peer.mu);
    ck_assert_uint_eq(peer.snd_settle_mode, FAMQP_SENDER_SETTLE_MODE_SETTLED);
    ck_assert_uint_eq(peer.rcv_settle_mode, FAMQP_RECEIVER_SETTLE_MODE_FIRST);
    famqp_map props;
    famqp_value v;
    uint32_t timeout = 0;
    props = (famqp_map){peer.attach_properties_count, peer.attach_properties, peer.attach_properties_len};
    ck_assert(famqp_map_get_symbol_key(&props, "com.microsoft:timeout", &v) && famqp_value_get_uint(v, &timeout));
    ck_assert_uint_eq(timeout, 30000);
    pthread_mutex_unlock(&peer.mu);
    for (int i = 0; i < SB_PEER_MESSAGES; i++) {
        famqp_delivery *d = receive_ok(r, c);
        ck_assert(famqp_delivery_remote_settled(d));
        ck_assert_int_eq(famqp_sb_complete(r, d, 1000), FAMQP_CLIENT_OK);
    }
    famqp_client_pump(c, 100);
    ck_assert_uint_eq(peer_disps(), 0); /* nothing to settle with the broker */
    famqp_sb_receiver_close(r, 5000);
    famqp_client_close(c, 5000);
}
END_TEST

START_TEST(renew_lock)
{
    famqp_client *c = connect_ok();
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.name = "rcv-renew";
    o.prefetch = 2;
    famqp_sb_receiver *r = open_ok(c, "q", &o);
    famqp_uuid tokens[2];
    for (int i = 0; i < 2; i++) {
        famqp_delivery *d = receive_ok(r, c);
        famqp_sb_message_info info;
        ck_assert_int_eq(famqp_sb_message_info_read(d, &info, NULL), FAMQP_OK);
        tokens[i] = info.lock_token;
    }
    int64_t until[2] = {0, 0};
    ck_assert_msg(famqp_sb_renew_locks(r, tokens, 2, 5000, until) == FAMQP_CLIENT_OK, "renew: %s", why(c));
    ck_assert(until[0] == SB_PEER_RENEWED && until[1] == SB_PEER_RENEWED + 1);
    pthread_mutex_lock(&peer.mu);
    ck_assert_uint_eq(peer.nreqs, 1);
    famqp_message m;
    ck_assert_int_eq(famqp_message_decode(peer.reqs[0].bytes, peer.reqs[0].len, &m, NULL), FAMQP_OK);
    famqp_map ap = m.application_properties.value;
    char text[64];
    ck_assert(map_text(ap.items, ap.len, ap.count, "operation", false, text, sizeof text));
    ck_assert_str_eq(text, "com.microsoft:renew-lock");
    ck_assert(map_text(ap.items, ap.len, ap.count, "associated-link-name", false, text, sizeof text));
    ck_assert_str_eq(text, "rcv-renew");
    famqp_uuid tid;
    ck_assert(map_text(ap.items, ap.len, ap.count, "com.microsoft:tracking-id", false, text, sizeof text));
    ck_assert_int_eq(famqp_sb_lock_token_parse(text, &tid), FAMQP_OK);
    famqp_value body, arrv;
    famqp_map bm;
    famqp_array arr;
    ck_assert(famqp_message_get_value(&m, &body) && famqp_value_get_map(body, &bm));
    ck_assert(famqp_map_get_string_key(&bm, "lock-tokens", &arrv) && famqp_value_get_array(arrv, &arr));
    famqp_iter it;
    famqp_uuid u;
    famqp_array_iter(&arr, &it);
    for (int i = 0; i < 2; i++) {
        ck_assert(famqp_array_next_uuid(&it, &u));
        ck_assert_mem_eq(u.bytes, tokens[i].bytes, 16);
    }
    peer.renew_reply = SB_RENEW_GONE;
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_renew_lock(r, tokens[0], 5000, until), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "com.microsoft:message-lock-lost");
    ck_assert_str_eq(famqp_client_last_error(c)->description, "The lock supplied is invalid.");
    pthread_mutex_lock(&peer.mu);
    peer.renew_reply = SB_RENEW_CONDITION;
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_renew_lock(r, tokens[0], 5000, until), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "com.microsoft:argument-error");
    ck_assert_str_eq(famqp_client_last_error(c)->description, "bad lock token");
    pthread_mutex_lock(&peer.mu);
    peer.renew_reply = SB_RENEW_NO_EXPIRATIONS;
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_renew_lock(r, tokens[0], 5000, until), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "amqp:decode-error");
    ck_assert_int_eq(famqp_sb_renew_locks(r, tokens, 0, 5000, until), FAMQP_CLIENT_ERR_ARG);
    ck_assert_int_eq(famqp_sb_renew_session_lock(r, 5000, until), FAMQP_CLIENT_ERR_STATE); /* no session */
    famqp_sb_receiver_close(r, 5000);
    famqp_client_close(c, 5000);
}
END_TEST

/* The filter the client sent: its session-filter value's kind and text. */
static void sent_filter(famqp_kind *kind, char *text, size_t cap)
{
    famqp_map f;
    famqp_value v;
    famqp_string s;
    pthread_mutex_lock(&peer.mu);
    f = (famqp_map){peer.filter_count, peer.filter, peer.filter_len};
    ck_assert(famqp_map_get_symbol_key(&f, FAMQP_SB_SESSION_FILTER, &v));
    *kind = famqp_value_kind(v);
    text[0] = '\0';
    if (famqp_value_get_string(v, &s))
        snprintf(text, cap, "%.*s", (int)s.len, s.ptr);
    pthread_mutex_unlock(&peer.mu);
}

START_TEST(sessions)
{
    famqp_client *c = connect_ok();
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.session = true;
    o.session_id = "s-1";
    famqp_sb_receiver *r = open_ok(c, "sq", &o);
    famqp_kind kind;
    char text[64];
    sent_filter(&kind, text, sizeof text);
    ck_assert_int_eq(kind, FAMQP_KIND_STRING); /* plain, as the SDKs send it */
    ck_assert_str_eq(text, "s-1");
    ck_assert_str_eq(famqp_sb_receiver_session_id(r), "s-1");
    int64_t until = 0;
    ck_assert(famqp_sb_receiver_session_locked_until(r, &until));
    ck_assert(until == SB_PEER_SESSION_LOCKED_UNTIL);
    famqp_delivery *d = receive_ok(r, c);
    famqp_sb_message_info info;
    ck_assert_int_eq(famqp_sb_message_info_read(d, &info, NULL), FAMQP_OK);
    ck_assert(famqp_string_eq(info.session_id, "s-1"));
    /* the session's lock renewed through sq/$management */
    ck_assert_msg(famqp_sb_renew_session_lock(r, 5000, &until) == FAMQP_CLIENT_OK, "renew session: %s", why(c));
    ck_assert(until == SB_PEER_RENEWED);
    ck_assert(famqp_sb_receiver_session_locked_until(r, &until) && until == SB_PEER_RENEWED);
    pthread_mutex_lock(&peer.mu);
    ck_assert_uint_eq(peer.nreqs, 1);
    famqp_message m;
    ck_assert_int_eq(famqp_message_decode(peer.reqs[0].bytes, peer.reqs[0].len, &m, NULL), FAMQP_OK);
    famqp_map ap = m.application_properties.value;
    ck_assert(map_text(ap.items, ap.len, ap.count, "operation", false, text, sizeof text));
    ck_assert_str_eq(text, "com.microsoft:renew-session-lock");
    famqp_value body;
    famqp_map bm;
    ck_assert(famqp_message_get_value(&m, &body) && famqp_value_get_map(body, &bm));
    ck_assert(map_text(bm.items, bm.len, bm.count, "session-id", false, text, sizeof text));
    ck_assert_str_eq(text, "s-1");
    peer.renew_reply = SB_RENEW_GONE;
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_renew_session_lock(r, 5000, NULL), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "com.microsoft:session-lock-lost");
    pthread_mutex_lock(&peer.mu);
    peer.renew_reply = SB_RENEW_OK;
    pthread_mutex_unlock(&peer.mu);
    ck_assert_int_eq(famqp_sb_complete(r, d, 5000), FAMQP_CLIENT_OK);
    famqp_sb_receiver_close(r, 5000);

    o.session_id = NULL; /* the next available session */
    r = open_ok(c, "sq", &o);
    sent_filter(&kind, text, sizeof text);
    ck_assert_int_eq(kind, FAMQP_KIND_NULL);
    /* the broker may wait for a session: com.microsoft:timeout = the attach timeout */
    pthread_mutex_lock(&peer.mu);
    famqp_map props = {peer.attach_properties_count, peer.attach_properties, peer.attach_properties_len};
    famqp_value v;
    uint32_t timeout = 0;
    ck_assert(famqp_map_get_symbol_key(&props, "com.microsoft:timeout", &v) && famqp_value_get_uint(v, &timeout));
    ck_assert_uint_eq(timeout, 10000);
    pthread_mutex_unlock(&peer.mu);
    ck_assert_str_eq(famqp_sb_receiver_session_id(r), "granted-7");
    famqp_sb_receiver_close(r, 5000);

    o.session_id = "taken"; /* the broker answers with another session */
    ck_assert_int_eq(famqp_sb_receiver_open(c, "sq", &o, &r), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "com.microsoft:session-cannot-be-locked");
    ck_assert_ptr_nonnull(strstr(why(c), "someone-else"));
    pthread_mutex_lock(&peer.mu);
    peer.grant_session = NULL; /* none available */
    pthread_mutex_unlock(&peer.mu);
    o.session_id = NULL;
    ck_assert_int_eq(famqp_sb_receiver_open(c, "sq", &o, &r), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "com.microsoft:session-cannot-be-locked");
    /* a session id without session, and no entity */
    o.session = false;
    o.session_id = "s-1";
    ck_assert_int_eq(famqp_sb_receiver_open(c, "sq", &o, &r), FAMQP_CLIENT_ERR_ARG);
    ck_assert_int_eq(famqp_sb_receiver_open(c, "", NULL, &r), FAMQP_CLIENT_ERR_ARG);
    famqp_client_close(c, 5000);
}
END_TEST

static Suite *servicebus_suite(void)
{
    Suite *s = suite_create("servicebus");
    TCase *pure = tcase_create("pure");
    tcase_add_test(pure, lock_token_byte_order);
    tcase_add_test(pure, outcomes_built);
    tcase_add_test(pure, renew_request_and_reply_parsed);
    suite_add_tcase(s, pure);
    TCase *peer_tc = tcase_create("peer");
    tcase_add_checked_fixture(peer_tc, setup, teardown);
    tcase_set_timeout(peer_tc, 60);
    tcase_add_test(peer_tc, peek_lock_settlements);
    tcase_add_test(peer_tc, lock_lost_and_timeout);
    tcase_add_test(peer_tc, receive_and_delete);
    tcase_add_test(peer_tc, close_leaves_prefetched);
    tcase_add_test(peer_tc, renew_lock);
    tcase_add_test(peer_tc, sessions);
    suite_add_tcase(s, peer_tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(servicebus_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

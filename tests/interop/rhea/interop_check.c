/* famqp-interop-check: the interop cells famqp-send/famqp-recv cannot
 * express, written on the client API (famqp/client.h).  Each mode connects
 * to URL, does one thing, prints one line saying what it saw and exits 0
 * only when the peer behaved as the mode expects.
 *
 *   recv URL ADDR --count N --size S [--settled [--presettled all|none]] [--ca FILE]
 *       receives famqp-send's messages and checks each one completely:
 *       message-id = sequence, a data body of S bytes whose first 8 are the
 *       sequence (big-endian) and the rest zero, in order, once each.
 *       --settled asks the broker for pre-settled deliveries (at-most-once)
 *       and checks the deliveries against the broker's attach answer and
 *       --presettled (what this broker is known to do; default all).
 *   props URL ADDR
 *       sends one message with every properties field and typed
 *       application-properties, receives it back and compares both sections.
 *   outcomes URL ADDR --redeliver yes|no
 *       sends 4 messages; rejects the 1st, releases the 2nd, modifies the
 *       3rd and accepts the 4th; then checks what the broker delivers next:
 *       yes = the released and modified ones come back (and the rejected
 *       one not), no = nothing comes back (the broker drops them),
 *       presettled = the broker delivers pre-settled (so outcomes are
 *       moot) and nothing comes back.
 *   drain URL ADDR --drain yes|no
 *       queues 3 messages, takes 1 with manual credit, then drains with 10
 *       credits: yes = the other 2 arrive and the broker gives the rest of
 *       the credit back; a second drain on the empty queue completes with
 *       no message.  no = the broker is known not to answer drains: checks
 *       the 2 messages arrive and reports that the credit was kept.
 *   idle URL --idle-ms T [--hold-ms H]
 *       connects with idle-time-out T, stays idle for H (default 3*T) only
 *       pumping, then sends and receives one message on the same
 *       connection.  Prints the peer's idle-time-out.
 *   refused URL ADDR [--receiver] [--timeout-ms T] [--condition yes|no]
 *       attaches and expects a refusal carrying the peer's condition
 *       (--condition no: any refusal, within the attach timeout).
 *   connect URL [--ca FILE] [--user U --password P] [--allow-plain-insecure]
 *               [--anonymous] [--expect ok|auth|connect|arg]
 *       connects (TLS verified against --ca), attaches a sender to
 *       "probe" and closes; with --expect auth/connect the connection must
 *       fail with that status (the error is printed).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"

#define TIMEOUT_MS 15000

static const char *opt(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return dflt;
}

static bool flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

static int failf(const char *mode, const char *fmt, const char *detail)
{
    fprintf(stderr, "famqp-interop-check %s: FAILED: %s%s%s\n", mode, fmt, detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

static famqp_client *connect_or_die(const char *url, const famqp_client_options *o, const char *mode)
{
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, o, &c, &err) != FAMQP_CLIENT_OK) {
        failf(mode, "cannot connect", err.message);
        return NULL;
    }
    return c;
}

static const char *lasterr(famqp_client *c) { return famqp_client_last_error(c)->message; }

/* ---- recv ---------------------------------------------------------------- */

static bool famqp_send_content_ok(const famqp_message *m, uint64_t seq, uint64_t size, char *why, size_t cap)
{
    if (!(m->present & FAMQP_MESSAGE_HAS_PROPERTIES) ||
        m->properties.message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG ||
        m->properties.message_id.u.message_id_ulong != seq) {
        snprintf(why, cap, "message %" PRIu64 ": message-id is not ulong %" PRIu64, seq, seq);
        return false;
    }
    if (m->body.kind != FAMQP_BODY_DATA || m->body.count != 1 || m->body.data.len != size) {
        snprintf(why, cap, "message %" PRIu64 ": body is not one data section of %" PRIu64 " bytes", seq, size);
        return false;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | m->body.data.ptr[i];
    if (v != seq) {
        snprintf(why, cap, "expected sequence %" PRIu64 ", got %" PRIu64, seq, v);
        return false;
    }
    for (size_t i = 8; i < size; i++)
        if (m->body.data.ptr[i] != 0) {
            snprintf(why, cap, "message %" PRIu64 ": body byte %zu changed", seq, i);
            return false;
        }
    return true;
}

static int mode_recv(const char *url, const char *addr, int argc, char **argv)
{
    uint64_t count = strtoull(opt(argc, argv, "--count", "1"), NULL, 10);
    uint64_t size = strtoull(opt(argc, argv, "--size", "100"), NULL, 10);
    bool settled = flag(argc, argv, "--settled");
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.io.tls_ca_file = opt(argc, argv, "--ca", NULL);
    famqp_client *c = connect_or_die(url, &co, "recv");
    if (!c)
        return 1;
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 500;
    if (settled)
        ro.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_receiver *r;
    int rc = 0;
    char why[2048] = "";
    if (famqp_receiver_open(c, addr, &ro, &r) != FAMQP_CLIENT_OK) {
        rc = failf("recv", "attach", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    uint64_t n = 0, presettled = 0;
    unsigned broker_mode = 0;
    for (; n < count; n++) {
        famqp_delivery *d;
        if (famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK) {
            snprintf(why, sizeof why, "after %" PRIu64 " messages: %s", n, lasterr(c));
            rc = 1;
            break;
        }
        famqp_message m;
        famqp_error e;
        if (famqp_delivery_read_message(d, &m, &e) != FAMQP_OK) {
            snprintf(why, sizeof why, "message %" PRIu64 " does not decode", n);
            rc = 1;
        } else if (!famqp_send_content_ok(&m, n, size, why, sizeof why)) {
            rc = 1;
        }
        if (famqp_delivery_remote_settled(d))
            presettled++;
        if (n == 0)
            broker_mode = famqp_link_remote_snd_settle_mode(famqp_delivery_link(d));
        famqp_delivery_accept(d);
        if (rc)
            break;
    }
    /* The broker's attach binds it: settled = all pre-settled, unsettled =
     * none, mixed = its choice; --presettled says what this broker does. */
    if (rc == 0 && settled) {
        const char *want = opt(argc, argv, "--presettled", "all");
        bool all = presettled == count, none = presettled == 0;
        if ((broker_mode == FAMQP_SENDER_SETTLE_MODE_SETTLED && !all) ||
            (broker_mode == FAMQP_SENDER_SETTLE_MODE_UNSETTLED && !none) || (!all && !none) ||
            (!strcmp(want, "all") ? !all : !none)) {
            snprintf(why, sizeof why,
                     "the broker answered snd-settle-mode %u and %" PRIu64 " of %" PRIu64
                     " arrived settled (expected %s)",
                     broker_mode, presettled, count, want);
            rc = 1;
        }
    }
    famqp_receiver_close(r, 5000);
    famqp_client_close(c, 5000);
    if (rc)
        return failf("recv", why, NULL);
    printf("recv: %" PRIu64 " messages of %" PRIu64 " bytes, content and order ok (%s)\n", count, size,
           !settled                      ? "unsettled"
           : presettled == count ? "asked for and got pre-settled"
                                 : "asked for pre-settled, the broker sent unsettled");
    return 0;
}

/* ---- props --------------------------------------------------------------- */

/* Writes the application-properties map: one value of each common type. */
static bool build_app_props(famqp_writer *w)
{
    famqp_write_map_begin(w);
    famqp_write_cstring(w, "s");
    famqp_write_cstring(w, "text \xc3\xa9");
    famqp_write_cstring(w, "i");
    famqp_write_int(w, -123456);
    famqp_write_cstring(w, "l");
    famqp_write_long(w, -(INT64_C(1) << 40));
    famqp_write_cstring(w, "ul");
    famqp_write_ulong(w, UINT64_C(18000000000000000000));
    famqp_write_cstring(w, "ui");
    famqp_write_uint(w, 4000000000u);
    famqp_write_cstring(w, "b");
    famqp_write_bool(w, true);
    famqp_write_cstring(w, "d");
    famqp_write_double(w, 2.5);
    famqp_write_cstring(w, "ts");
    famqp_write_timestamp(w, INT64_C(1764115200123));
    famqp_write_cstring(w, "bin");
    famqp_write_binary(w, famqp_binary_of("\x00\x01\xff", 3));
    famqp_write_cstring(w, "none");
    famqp_write_null(w);
    famqp_write_map_end(w);
    return famqp_writer_status(w) == FAMQP_OK;
}

static void fill_properties(famqp_properties *p)
{
    static const famqp_uuid corr = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    memset(p, 0, sizeof *p);
    p->present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_USER_ID | FAMQP_PROPERTIES_HAS_TO |
                 FAMQP_PROPERTIES_HAS_SUBJECT | FAMQP_PROPERTIES_HAS_REPLY_TO |
                 FAMQP_PROPERTIES_HAS_CORRELATION_ID | FAMQP_PROPERTIES_HAS_CONTENT_TYPE |
                 FAMQP_PROPERTIES_HAS_CONTENT_ENCODING | FAMQP_PROPERTIES_HAS_ABSOLUTE_EXPIRY_TIME |
                 FAMQP_PROPERTIES_HAS_CREATION_TIME | FAMQP_PROPERTIES_HAS_GROUP_ID |
                 FAMQP_PROPERTIES_HAS_GROUP_SEQUENCE | FAMQP_PROPERTIES_HAS_REPLY_TO_GROUP_ID;
    p->message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    p->message_id.u.message_id_string = famqp_string_of("msg-id-\xe2\x9c\x93");
    p->user_id = famqp_binary_of("guest", 5);
    p->to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    p->to.u.address_string = famqp_string_of("to-address");
    p->subject = famqp_string_of("the subject");
    p->reply_to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    p->reply_to.u.address_string = famqp_string_of("reply-queue");
    p->correlation_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_UUID;
    p->correlation_id.u.message_id_uuid = corr;
    p->content_type = (famqp_symbol){"text/plain", 10};
    p->content_encoding = (famqp_symbol){"identity", 8};
    /* far in the future so no broker expires it */
    p->absolute_expiry_time = INT64_C(4102444800000);
    p->creation_time = INT64_C(1764115200456);
    p->group_id = famqp_string_of("group-7");
    p->group_sequence = 4000000001u;
    p->reply_to_group_id = famqp_string_of("reply-group");
}

static const char *const property_names[] = {
    "message-id", "user-id", "to", "subject", "reply-to", "correlation-id", "content-type",
    "content-encoding", "absolute-expiry-time", "creation-time", "group-id", "group-sequence",
    "reply-to-group-id"};

static int mode_props(const char *url, const char *addr)
{
    famqp_client *c = connect_or_die(url, NULL, "props");
    if (!c)
        return 1;
    uint8_t ap[512], enc[2048];
    famqp_message m;
    famqp_message_init(&m);
    m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    fill_properties(&m.properties);
    famqp_writer aw;
    famqp_writer_init(&aw, ap, sizeof ap);
    if (!build_app_props(&aw) || !famqp_message_set_application_properties(&m, &aw)) {
        famqp_client_close(c, 2000);
        return failf("props", "cannot build application-properties", NULL);
    }
    int rc = 0;
    char why[2048] = "";
    famqp_message_set_data(&m, "props", 5);
    size_t len = famqp_message_encode(enc, sizeof enc, &m);
    famqp_sender *s;
    famqp_receiver *r;
    famqp_outcome o;
    if (famqp_sender_open(c, addr, NULL, &s) != FAMQP_CLIENT_OK || famqp_send_bytes(s, enc, len, TIMEOUT_MS, &o) != FAMQP_CLIENT_OK ||
        o.kind != FAMQP_OUTCOME_ACCEPTED) {
        rc = failf("props", "send", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    if (famqp_receiver_open(c, addr, NULL, &r) != FAMQP_CLIENT_OK) {
        rc = failf("props", "attach receiver", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    famqp_delivery *d;
    famqp_message got;
    famqp_error e;
    if (famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK) {
        rc = failf("props", "receive", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    if (famqp_delivery_read_message(d, &got, &e) != FAMQP_OK) {
        char detail[256];
        famqp_error_format(&e, detail, sizeof detail);
        snprintf(why, sizeof why, "the message came back undecodable: %s", detail);
        rc = 1;
    } else if (!(got.present & FAMQP_MESSAGE_HAS_PROPERTIES)) {
        snprintf(why, sizeof why, "the properties section was lost");
        rc = 1;
    } else {
        /* Field by field: each field alone re-encoded in the canonical
         * (smallest) form, so a broker's choice of widths does not count. */
        for (unsigned f = 0; f < sizeof property_names / sizeof *property_names && !rc; f++) {
            famqp_properties a = m.properties, b = got.properties;
            a.present &= 1u << f;
            b.present &= 1u << f;
            uint8_t ea[512], eb[512];
            size_t la = famqp_properties_encode(ea, sizeof ea, &a);
            size_t lb = famqp_properties_encode(eb, sizeof eb, &b);
            if (la != lb || memcmp(ea, eb, la)) {
                snprintf(why, sizeof why, "properties field %s changed (or was lost)", property_names[f]);
                rc = 1;
            }
        }
        if (!rc && got.properties.present != m.properties.present) {
            snprintf(why, sizeof why, "properties present bits 0x%x, sent 0x%x", (unsigned)got.properties.present,
                     (unsigned)m.properties.present);
            rc = 1;
        }
        uint8_t ea[1024], eb[1024];
        size_t la = famqp_application_properties_encode(ea, sizeof ea, &m.application_properties);
        size_t lb = (got.present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES)
                        ? famqp_application_properties_encode(eb, sizeof eb, &got.application_properties)
                        : 0;
        if (!rc && (lb == 0 || lb > sizeof eb ||
                    !famqp_value_equal((famqp_value){ea, la}, (famqp_value){eb, lb}))) {
            snprintf(why, sizeof why, "application-properties changed (or were lost)");
            rc = 1;
        }
        if (!rc && (got.body.kind != FAMQP_BODY_DATA || got.body.data.len != 5 || memcmp(got.body.data.ptr, "props", 5))) {
            snprintf(why, sizeof why, "the body changed");
            rc = 1;
        }
    }
    famqp_delivery_accept(d);
    famqp_client_close(c, 5000);
    if (rc)
        return failf("props", why, NULL);
    printf("props: all 13 properties fields and 10 typed application-properties survived\n");
    return 0;
}

/* ---- outcomes ------------------------------------------------------------ */

/* Sends `count` messages with message-id ulong base..base+count-1. */
static bool send_numbered(famqp_client *c, famqp_sender *s, uint64_t base, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        famqp_message m;
        famqp_message_init(&m);
        m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
        m.properties.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID;
        m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG;
        m.properties.message_id.u.message_id_ulong = base + i;
        famqp_message_set_data(&m, "n", 1);
        famqp_outcome o;
        if (famqp_send(s, &m, TIMEOUT_MS, &o) != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED) {
            fprintf(stderr, "sending message %" PRIu64 ": %s (outcome %s)\n", base + i, lasterr(c),
                    famqp_outcome_kind_name(o.kind));
            return false;
        }
    }
    return true;
}

/* The message-id of a delivery from send_numbered, UINT64_MAX when not one. */
static uint64_t id_of(const famqp_delivery *d)
{
    famqp_message m;
    if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK ||
        m.properties.message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG)
        return UINT64_MAX;
    return m.properties.message_id.u.message_id_ulong;
}

static int mode_outcomes(const char *url, const char *addr, int argc, char **argv)
{
    const char *redeliver = opt(argc, argv, "--redeliver", "yes");
    bool expect_back = !strcmp(redeliver, "yes");
    bool presettled_broker = !strcmp(redeliver, "presettled");
    famqp_client *c = connect_or_die(url, NULL, "outcomes");
    if (!c)
        return 1;
    famqp_sender *s;
    famqp_receiver *r;
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 10;
    char why[2048] = "";
    int rc = 0;
    if (famqp_sender_open(c, addr, NULL, &s) != FAMQP_CLIENT_OK || !send_numbered(c, s, 0, 4) ||
        famqp_receiver_open(c, addr, &ro, &r) != FAMQP_CLIENT_OK) {
        rc = failf("outcomes", "setup", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    const char *done[4] = {"rejected", "released", "modified", "accepted"};
    for (uint64_t i = 0; i < 4 && !rc; i++) {
        famqp_delivery *d;
        if (famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK) {
            snprintf(why, sizeof why, "message %" PRIu64 ": %s", i, lasterr(c));
            rc = 1;
            break;
        }
        uint64_t id = id_of(d);
        if (id != i) {
            snprintf(why, sizeof why, "expected message %" PRIu64 ", got %" PRIu64, i, id);
            rc = 1;
        }
        if (presettled_broker) {
            if (!famqp_delivery_remote_settled(d)) {
                snprintf(why, sizeof why, "message %" PRIu64 " arrived unsettled from a pre-settling broker", i);
                rc = 1;
            }
        } else if (famqp_delivery_remote_settled(d)) {
            snprintf(why, sizeof why, "message %" PRIu64 " arrived pre-settled: outcomes mean nothing", i);
            rc = 1;
        }
        famqp_engine_status es = i == 0   ? famqp_delivery_reject(d, "amqp:internal-error", "rejected by test")
                                 : i == 1 ? famqp_delivery_release(d)
                                 : i == 2 ? famqp_delivery_modify(d, true, false)
                                          : famqp_delivery_accept(d);
        if (es != FAMQP_ENGINE_OK) {
            snprintf(why, sizeof why, "settling message %" PRIu64 " as %s: %s", i, done[i], famqp_engine_status_name(es));
            rc = 1;
        }
    }
    /* What comes back: with redelivery, 1 (released) and 2 (modified) in
     * that order; a marker (4) sent afterwards shows nothing else is left. */
    uint64_t want[3] = {1, 2, 4};
    size_t nwant = 3, first = expect_back ? 0 : 2;
    if (!rc && !send_numbered(c, s, 4, 1)) {
        snprintf(why, sizeof why, "sending the marker: %s", lasterr(c));
        rc = 1;
    }
    for (size_t k = first; k < nwant && !rc; k++) {
        famqp_delivery *d;
        if (famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK) {
            snprintf(why, sizeof why, "waiting for message %" PRIu64 ": %s", want[k], lasterr(c));
            rc = 1;
            break;
        }
        uint64_t id = id_of(d);
        /* the released and the modified one may come back in either order */
        if (k < 2 && id == want[1 - k] && want[k] != want[1 - k]) {
            want[1 - k] = want[k];
            want[k] = id;
        }
        if (id != want[k]) {
            snprintf(why, sizeof why, "expected message %" PRIu64 " next, got %" PRIu64 "%s", want[k], id,
                     id == 0 ? " (the rejected one came back)" : "");
            rc = 1;
        }
        famqp_delivery_accept(d);
    }
    famqp_client_close(c, 5000);
    if (rc)
        return failf("outcomes", why, NULL);
    printf("outcomes: reject, release, modify, accept settled; %s\n",
           expect_back         ? "released and modified came back, rejected did not"
           : presettled_broker ? "the broker delivers pre-settled, so nothing came back"
                               : "nothing came back (the broker drops released/modified)");
    return 0;
}

/* ---- drain --------------------------------------------------------------- */

static int mode_drain(const char *url, const char *addr, int argc, char **argv)
{
    bool answers = !strcmp(opt(argc, argv, "--drain", "yes"), "yes");
    famqp_client *c = connect_or_die(url, NULL, "drain");
    if (!c)
        return 1;
    famqp_sender *s;
    famqp_receiver *r;
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 0; /* manual credit */
    char why[2048] = "";
    int rc = 0;
    famqp_delivery *d = NULL;
    if (famqp_sender_open(c, addr, NULL, &s) != FAMQP_CLIENT_OK || !send_numbered(c, s, 0, 3) ||
        famqp_receiver_open(c, addr, &ro, &r) != FAMQP_CLIENT_OK || famqp_receiver_set_credit(r, 1) != FAMQP_CLIENT_OK ||
        famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK) {
        rc = failf("drain", "setup", lasterr(c));
        famqp_client_close(c, 2000);
        return rc;
    }
    famqp_delivery_accept(d);
    for (int round = 0; round < 2 && !rc; round++) {
        size_t expect = round == 0 ? 2 : 0, arrived = 0;
        famqp_client_status st = famqp_receiver_drain(r, 10, answers ? TIMEOUT_MS : 2000, &arrived);
        if (answers && st != FAMQP_CLIENT_OK) {
            snprintf(why, sizeof why, "drain %d (%zu arrived): %s", round + 1, arrived, lasterr(c));
            rc = 1;
        } else if (!answers && st != FAMQP_CLIENT_ERR_TIMEOUT) {
            snprintf(why, sizeof why, "expected this broker to ignore drain, but the drain ended with: %s",
                     st == FAMQP_CLIENT_OK ? "ok (it answered)" : lasterr(c));
            rc = 1;
        }
        size_t got = famqp_receiver_queued(r);
        /* A broker that ignores drain still sends what it holds. */
        for (uint64_t t = famqp_io_now_ms() + 2000; !rc && !answers && got < expect && famqp_io_now_ms() < t;
             got = famqp_receiver_queued(r))
            famqp_client_pump(c, 100);
        if (!rc && (got != expect || (answers && arrived != expect))) {
            snprintf(why, sizeof why, "drain %d: %zu messages arrived (%zu during the drain), expected %zu",
                     round + 1, got, arrived, expect);
            rc = 1;
        }
        for (size_t k = 0; k < got && !rc; k++) {
            famqp_delivery *x;
            if (famqp_receive(r, 0, &x) == FAMQP_CLIENT_OK) {
                if (id_of(x) != 1 + k) {
                    snprintf(why, sizeof why, "drain %d: message %zu out of order", round + 1, k);
                    rc = 1;
                }
                famqp_delivery_accept(x);
            }
        }
        if (!answers)
            break;
    }
    famqp_client_close(c, 5000);
    if (rc)
        return failf("drain", why, NULL);
    printf("drain: %s\n", answers ? "the broker sent what it held and gave the rest of the credit back, twice"
                                   : "the broker sent what it held and kept the credit (it does not answer drain)");
    return 0;
}

/* ---- idle ------------------------------------------------------------------ */

static int mode_idle(const char *url, int argc, char **argv)
{
    uint32_t idle = (uint32_t)strtoul(opt(argc, argv, "--idle-ms", "1000"), NULL, 10);
    uint64_t hold = strtoull(opt(argc, argv, "--hold-ms", "0"), NULL, 10);
    if (!hold)
        hold = 3ull * idle;
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.idle_timeout_ms = idle;
    famqp_client *c = connect_or_die(url, &o, "idle");
    if (!c)
        return 1;
    uint32_t peer = famqp_connection_remote_idle_timeout(famqp_client_connection(c));
    uint64_t end = famqp_io_now_ms() + hold;
    int rc = 0;
    while (famqp_io_now_ms() < end) {
        if (famqp_client_pump(c, famqp_io_ms_until(end)) != FAMQP_CLIENT_OK) {
            rc = failf("idle", "the idle connection failed", lasterr(c));
            break;
        }
    }
    famqp_sender *s;
    famqp_receiver *r;
    famqp_delivery *d;
    if (!rc && (famqp_sender_open(c, "idle-check", NULL, &s) != FAMQP_CLIENT_OK || !send_numbered(c, s, 7, 1) ||
                famqp_receiver_open(c, "idle-check", NULL, &r) != FAMQP_CLIENT_OK ||
                famqp_receive(r, TIMEOUT_MS, &d) != FAMQP_CLIENT_OK || id_of(d) != 7))
        rc = failf("idle", "the connection does not work after being idle", lasterr(c));
    if (!rc)
        famqp_delivery_accept(d);
    if (!rc && famqp_client_close(c, 5000) != FAMQP_CLIENT_OK)
        rc = failf("idle", "close", NULL);
    else if (rc)
        famqp_client_close(c, 2000);
    if (rc)
        return rc;
    printf("idle: idle-time-out %u ms (peer's %u ms): stayed up %" PRIu64 " ms idle, then a message went through\n",
           idle, peer, hold);
    return 0;
}

/* ---- refused ----------------------------------------------------------------- */

static int mode_refused(const char *url, const char *addr, int argc, char **argv)
{
    bool receiver = flag(argc, argv, "--receiver");
    int timeout = atoi(opt(argc, argv, "--timeout-ms", "10000"));
    famqp_client *c = connect_or_die(url, NULL, "refused");
    if (!c)
        return 1;
    uint64_t t0 = famqp_io_now_ms();
    famqp_client_status st;
    if (receiver) {
        famqp_receiver_options ro;
        famqp_receiver_options_init(&ro);
        ro.attach_timeout_ms = timeout;
        famqp_receiver *r;
        st = famqp_receiver_open(c, addr, &ro, &r);
    } else {
        famqp_sender_options so;
        famqp_sender_options_init(&so);
        so.attach_timeout_ms = timeout;
        famqp_sender *s;
        st = famqp_sender_open(c, addr, &so, &s);
    }
    famqp_client_error e = *famqp_client_last_error(c);
    uint64_t took = famqp_io_now_ms() - t0;
    famqp_client_close(c, 2000);
    if (st == FAMQP_CLIENT_OK)
        return failf("refused", "the attach was accepted", addr);
    printf("refused: %s after %" PRIu64 " ms: %s [condition '%s', description '%s']\n", famqp_client_status_name(st),
           took, e.message, e.condition, e.description);
    bool want_condition = strcmp(opt(argc, argv, "--condition", "yes"), "no") != 0;
    if (st != FAMQP_CLIENT_ERR_REFUSED || (want_condition && !e.condition[0]))
        return failf("refused", want_condition ? "expected ERR_REFUSED with the broker's condition" : "expected ERR_REFUSED",
                     e.message);
    if (took > (uint64_t)timeout + 2000)
        return failf("refused", "the refusal took longer than the attach timeout", NULL);
    return 0;
}

/* ---- connect --------------------------------------------------------------- */

static int mode_connect(const char *url, int argc, char **argv)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.io.tls_ca_file = opt(argc, argv, "--ca", NULL);
    o.user = opt(argc, argv, "--user", NULL);
    o.password = opt(argc, argv, "--password", NULL);
    o.allow_plain_insecure = flag(argc, argv, "--allow-plain-insecure");
    if (flag(argc, argv, "--anonymous"))
        o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    o.connect_timeout_ms = TIMEOUT_MS;
    const char *expect = opt(argc, argv, "--expect", "ok");
    famqp_client *c;
    famqp_client_error e;
    famqp_client_status st = famqp_client_connect(url, &o, &c, &e);
    if (st == FAMQP_CLIENT_OK) {
        famqp_sender *s;
        if (famqp_sender_open(c, "probe", NULL, &s) != FAMQP_CLIENT_OK) {
            e = *famqp_client_last_error(c);
            st = e.status;
        }
        famqp_client_status cs = famqp_client_close(c, 5000);
        if (st == FAMQP_CLIENT_OK)
            st = cs;
    }
    printf("connect: %s%s%s\n", famqp_client_status_name(st), st ? ": " : "", st ? e.message : "");
    bool ok = !strcmp(expect, "ok")        ? st == FAMQP_CLIENT_OK
              : !strcmp(expect, "auth")    ? st == FAMQP_CLIENT_ERR_AUTH
              : !strcmp(expect, "connect") ? st == FAMQP_CLIENT_ERR_CONNECT
              : !strcmp(expect, "arg")     ? st == FAMQP_CLIENT_ERR_ARG
                                           : false;
    if (!ok) {
        fprintf(stderr, "famqp-interop-check connect: FAILED: expected %s, got %s\n", expect,
                famqp_client_status_name(st));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        fprintf(argc < 3 ? stderr : stdout,
                "usage: famqp-interop-check recv|props|outcomes|drain|refused URL ADDRESS [options]\n"
                "       famqp-interop-check idle|connect URL [options]\n"
                "(modes and options are described at the top of interop_check.c)\n");
        return argc < 3 ? 2 : 0;
    }
    const char *mode = argv[1], *url = argv[2];
    const char *addr = argc > 3 ? argv[3] : NULL;
    if (!strcmp(mode, "idle"))
        return mode_idle(url, argc, argv);
    if (!strcmp(mode, "connect"))
        return mode_connect(url, argc, argv);
    if (!addr) {
        fprintf(stderr, "famqp-interop-check %s: needs an ADDRESS\n", mode);
        return 2;
    }
    if (!strcmp(mode, "recv"))
        return mode_recv(url, addr, argc, argv);
    if (!strcmp(mode, "props"))
        return mode_props(url, addr);
    if (!strcmp(mode, "outcomes"))
        return mode_outcomes(url, addr, argc, argv);
    if (!strcmp(mode, "drain"))
        return mode_drain(url, addr, argc, argv);
    if (!strcmp(mode, "refused"))
        return mode_refused(url, addr, argc, argv);
    fprintf(stderr, "famqp-interop-check: unknown mode %s\n", mode);
    return 2;
}

/* rabbitmq-cells URL CELL [ARGS]: one interop cell of the client API
 * against a running RabbitMQ (started by rabbitmq.sh).  Prints what it
 * checked and exits 0 when the cell passed, 1 when it failed (with the
 * reason on stderr), 2 on a usage error.
 *
 * Cells:
 *   roundtrip QUEUE N settled|unsettled   N messages, content checked
 *   large QUEUE BYTES                     one message of BYTES (multi-frame)
 *   outcomes QUEUE [EXPECT]               reject, release, modify x4: what the broker does
 *                                         (EXPECT: see cell_outcomes; default RabbitMQ's)
 *   drain QUEUE                           drain with 3 messages queued and credit 10
 *   properties QUEUE                      header, every properties field, app properties
 *   connect [plain|anonymous]             SASL: authenticate and open (user from URL)
 *   auth-fails                            SASL PLAIN with the URL's (wrong) password must fail
 *   idle QUEUE TIMEOUT_MS                 idle for 3 x TIMEOUT_MS, then still usable
 *   refused-receiver ADDRESS              the broker's refusal, promptly
 *   refused-receiver-second ADDRESS       the same, asking for rcv-settle-mode second
 *   refused-sender ADDRESS                the broker's refusal, promptly
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"
#include "rabbitmq_cells.h"

int failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rabbitmq-cells: FAILED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

famqp_client *connect_or_null(const char *url, uint32_t idle_ms)
{
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.allow_plain_insecure = true; /* loopback test broker without TLS */
    co.idle_timeout_ms = idle_ms;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &co, &c, &err) != FAMQP_CLIENT_OK) {
        failf("connect %s: %s", url, err.message);
        return NULL;
    }
    return c;
}

const char *last(const famqp_client *c) { return famqp_client_last_error(c)->message; }

/* famqp_error as one line (static buffer: one use per statement). */
static const char *decode_error(const famqp_error *e)
{
    static char buf[200];
    famqp_error_format(e, buf, sizeof buf);
    return buf;
}

/* ---- message content ------------------------------------------------------ */

/* Message n: message-id n, a data body of 16 + n % 200 bytes: n big-endian
 * then a pattern that depends on n and the position. */
static size_t body_of(uint64_t n, uint8_t *body)
{
    size_t len = 16 + (size_t)(n % 200);
    for (int b = 0; b < 8; b++)
        body[b] = (uint8_t)(n >> (56 - 8 * b));
    for (size_t i = 8; i < len; i++)
        body[i] = (uint8_t)(n * 31 + i * 7);
    return len;
}

size_t encode_numbered(uint64_t n, uint8_t *buf, size_t cap)
{
    uint8_t body[256];
    famqp_message m;
    famqp_message_init(&m);
    m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    m.properties.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID;
    m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG;
    m.properties.message_id.u.message_id_ulong = n;
    famqp_message_set_data(&m, body, body_of(n, body));
    return famqp_message_encode(buf, cap, &m);
}

/* True when d is message `expect` exactly (id and body). */
static bool check_numbered(const famqp_delivery *d, uint64_t expect, char *why, size_t why_cap)
{
    famqp_message m;
    famqp_error err;
    if (famqp_delivery_read_message(d, &m, &err) != FAMQP_OK) {
        snprintf(why, why_cap, "message %" PRIu64 " does not decode: %s", expect, decode_error(&err));
        return false;
    }
    if (!(m.present & FAMQP_MESSAGE_HAS_PROPERTIES) ||
        m.properties.message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG ||
        m.properties.message_id.u.message_id_ulong != expect) {
        snprintf(why, why_cap, "expected message-id %" PRIu64 ", got kind %d value %" PRIu64, expect,
                 (int)m.properties.message_id.kind, m.properties.message_id.u.message_id_ulong);
        return false;
    }
    uint8_t body[256];
    size_t len = body_of(expect, body);
    if (m.body.kind != FAMQP_BODY_DATA || m.body.count != 1 || m.body.data.len != len ||
        memcmp(m.body.data.ptr, body, len) != 0) {
        snprintf(why, why_cap, "message %" PRIu64 ": body differs (kind %d, %zu bytes, expected %zu)", expect,
                 (int)m.body.kind, m.body.data.len, len);
        return false;
    }
    return true;
}

/* Nothing more in the queue (waits ms). */
static int expect_empty(famqp_client *c, const char *queue, int ms)
{
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 1;
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, &ro, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver to %s: %s", queue, last(c));
    famqp_delivery *d;
    famqp_client_status st = famqp_receive(r, ms, &d);
    if (st == FAMQP_CLIENT_OK) {
        famqp_message m;
        famqp_delivery_read_message(d, &m, NULL);
        return failf("%s should be empty, but it still holds a message (message-id %" PRIu64 ")", queue,
                     m.properties.message_id.u.message_id_ulong);
    }
    if (st != FAMQP_CLIENT_ERR_TIMEOUT)
        return failf("%s: waiting for no message: %s", queue, last(c));
    famqp_receiver_close(r, CELL_TIMEOUT_MS);
    return 0;
}

/* ---- cells ----------------------------------------------------------------- */

static int cell_roundtrip(const char *url, const char *queue, uint64_t count, bool settled)
{
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = settled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    famqp_sender *s;
    if (famqp_sender_open(c, queue, &so, &s) != FAMQP_CLIENT_OK)
        return failf("attach sender: %s", last(c));
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.snd_settle_mode = settled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_MIXED;
    ro.credit_window = 500;
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, &ro, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver: %s", last(c));

    uint8_t buf[512];
    uint64_t sent = 0, received = 0, presettled_in = 0;
    char why[512];
    uint64_t t0 = famqp_io_now_ms();
    /* Send and receive interleaved, so the queue never holds much. */
    while (received < count) {
        while (sent < count && sent - received < 1000) {
            size_t len = encode_numbered(sent, buf, sizeof buf);
            if (famqp_send_bytes_async(s, buf, len, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK)
                return failf("send %" PRIu64 ": %s", sent, last(c));
            sent++;
        }
        famqp_delivery *d;
        if (famqp_receive(r, CELL_TIMEOUT_MS, &d) != FAMQP_CLIENT_OK)
            return failf("after %" PRIu64 " of %" PRIu64 " received: %s", received, count, last(c));
        if (!check_numbered(d, received, why, sizeof why))
            return failf("%s", why);
        if (famqp_delivery_remote_settled(d))
            presettled_in++;
        famqp_delivery_accept(d);
        received++;
    }
    famqp_send_summary sum;
    if (famqp_sender_wait_all(s, CELL_TIMEOUT_MS, &sum) != FAMQP_CLIENT_OK)
        return failf("waiting for outcomes: %s", last(c));
    uint64_t ms = famqp_io_now_ms() - t0;
    if (settled ? sum.presettled != count : sum.accepted != count)
        return failf("sender: %" PRIu64 " accepted, %" PRIu64 " pre-settled of %" PRIu64 " (rejected %" PRIu64
                     ", released %" PRIu64 ", modified %" PRIu64 ") %s %s",
                     sum.accepted, sum.presettled, count, sum.rejected, sum.released, sum.modified,
                     sum.first_condition, sum.first_description);
    /* At-most-once: the broker must deliver pre-settled as asked; at-least-once: unsettled. */
    if (presettled_in != (settled ? count : 0))
        return failf("%" PRIu64 " of %" PRIu64 " deliveries arrived pre-settled, expected %s", presettled_in, count,
                     settled ? "all" : "none");
    if (famqp_sender_close(s, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK)
        return failf("detach sender: %s", last(c));
    if (famqp_receiver_close(r, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK)
        return failf("detach receiver: %s", last(c));
    int rc = expect_empty(c, queue, 500);
    if (famqp_client_close(c, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK && rc == 0)
        rc = failf("close");
    if (rc == 0)
        printf("%" PRIu64 " messages %s in %.2f s: count, order, message-id and body checked; queue empty after\n",
               count, settled ? "at-most-once (pre-settled both ways)" : "at-least-once (all accepted)",
               (double)ms / 1000.0);
    return rc;
}

static int cell_large(const char *url, const char *queue, size_t size)
{
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    uint8_t *body = malloc(size), *enc = malloc(size + 64);
    if (!body || !enc)
        return failf("out of memory");
    for (size_t i = 0; i < size; i++)
        body[i] = (uint8_t)(i * 2654435761u >> 13);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, body, size);
    size_t len = famqp_message_encode(enc, size + 64, &m);
    famqp_sender *s;
    if (famqp_sender_open(c, queue, NULL, &s) != FAMQP_CLIENT_OK)
        return failf("attach sender: %s", last(c));
    famqp_outcome o;
    if (famqp_send_bytes(s, enc, len, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK)
        return failf("send: %s", last(c));
    if (o.kind != FAMQP_OUTCOME_ACCEPTED)
        return failf("outcome %s, expected accepted", famqp_outcome_kind_name(o.kind));
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, NULL, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver: %s", last(c));
    famqp_delivery *d;
    if (famqp_receive(r, CELL_TIMEOUT_MS, &d) != FAMQP_CLIENT_OK)
        return failf("receive: %s", last(c));
    famqp_message got;
    famqp_error err;
    if (famqp_delivery_read_message(d, &got, &err) != FAMQP_OK)
        return failf("decode: %s", decode_error(&err));
    if (got.body.kind != FAMQP_BODY_DATA || got.body.data.len != size || memcmp(got.body.data.ptr, body, size))
        return failf("body differs: %zu bytes received, %zu sent", got.body.data.len, size);
    famqp_delivery_accept(d);
    int rc = expect_empty(c, queue, 300);
    famqp_client_close(c, CELL_TIMEOUT_MS);
    free(body);
    free(enc);
    if (rc == 0)
        printf("one %zu-byte message (%zu encoded, frames of at most 64 KiB) sent, accepted, received "
               "byte for byte\n",
               size, len);
    return rc;
}

/* One settlement: a fresh connection sends message 0 to `queue`, takes
 * it, settles it with `how` (0 reject, 1 release, 2..5 modified with
 * delivery-failed = how & 1 ... see below), then reads the queue again.
 * *again: the message came back (its header in *h); *broker_error: the
 * broker's condition when it refused the settlement ("" when none). */
static int settle_once(const char *url, const char *queue, int how, bool *again, famqp_header *h,
                       char *broker_error, size_t cap)
{
    *again = false;
    broker_error[0] = 0;
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_sender *s;
    uint8_t buf[512];
    famqp_outcome o;
    size_t len = encode_numbered(0, buf, sizeof buf);
    if (famqp_sender_open(c, queue, NULL, &s) != FAMQP_CLIENT_OK ||
        famqp_send_bytes(s, buf, len, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED)
        return failf("send: %s", last(c));
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 0;
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, &ro, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver: %s", last(c));
    famqp_receiver_set_credit(r, 1);
    famqp_delivery *d;
    if (famqp_receive(r, 3000, &d) != FAMQP_CLIENT_OK)
        return failf("receive: %s", last(c));
    if (how == 0)
        famqp_delivery_reject(d, "amqp:internal-error", "rejected by the interop test");
    else if (how == 1)
        famqp_delivery_release(d);
    else
        famqp_delivery_modify(d, (how - 2) & 1, (how - 2) & 2);
    /* Read the queue again: the same message, nothing, or the broker's error. */
    famqp_receiver_set_credit(r, 1);
    famqp_client_status st = famqp_receive(r, 1500, &d);
    if (st == FAMQP_CLIENT_OK) {
        famqp_message m;
        if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK)
            return failf("the message delivered again does not decode");
        *again = true;
        *h = m.header;
        famqp_delivery_accept(d);
    } else if (st != FAMQP_CLIENT_ERR_TIMEOUT) {
        const famqp_client_error *e = famqp_client_last_error(c);
        snprintf(broker_error, cap, "%s: %s", e->condition[0] ? e->condition : "(no condition)", e->description);
        famqp_client_close(c, 2000);
        return 0;
    }
    famqp_client_close(c, CELL_TIMEOUT_MS);
    return 0;
}

/* True when a fresh receiver on a fresh connection gets message 0 from
 * `queue` within 1.5 s (it is accepted then). */
static int still_queued(const char *url, const char *queue, bool *found)
{
    *found = false;
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, NULL, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver: %s", last(c));
    famqp_delivery *d;
    famqp_client_status st = famqp_receive(r, 1500, &d);
    if (st == FAMQP_CLIENT_OK) {
        *found = true;
        famqp_delivery_accept(d);
    } else if (st != FAMQP_CLIENT_ERR_TIMEOUT) {
        return failf("reading %s again: %s", queue, last(c));
    }
    famqp_client_close(c, CELL_TIMEOUT_MS);
    return 0;
}

/* What the broker does with each outcome a consumer can give; each on a
 * queue of its own (QUEUE-0 .. QUEUE-5), so nothing one leaves behind
 * confuses the next.  `expect` lists the six results, comma-separated, in
 * the order rejected, released, modified(df, uh) for (false, false),
 * (true, false), (false, true), (true, true):
 *   again:N   delivered again to the same link, header delivery-count N
 *   others    not to the same link, but a new consumer gets it
 *   dropped   gone: neither the link nor a new consumer gets it
 *   refused   the broker ends the session or connection instead
 * Default (RabbitMQ 3.10, README.md): rejected is dropped; released comes
 * back at once (delivery-count 0); modified, whatever its fields, is not
 * implemented: the session ends with amqp:invalid-field. */
static int cell_outcomes(const char *url, const char *queue, const char *expect)
{
    static const char *const names[6] = {
        "rejected",
        "released",
        "modified(delivery-failed=false, undeliverable-here=false)",
        "modified(delivery-failed=true, undeliverable-here=false)",
        "modified(delivery-failed=false, undeliverable-here=true)",
        "modified(delivery-failed=true, undeliverable-here=true)",
    };
    const char *next = expect ? expect : "dropped,again:0,refused,refused,refused,refused";
    int rc = 0;
    for (int how = 0; how < 6; how++) {
        char want[64];
        size_t wlen = strcspn(next, ",");
        if (wlen == 0 || wlen >= sizeof want)
            return failf("expectation %d of \"%s\" is empty or too long", how + 1, expect);
        memcpy(want, next, wlen);
        want[wlen] = 0;
        next += wlen + (next[wlen] == ',');
        char q[300], got[64], err[700];
        snprintf(q, sizeof q, "%s-%d", queue, how);
        bool again, kept = false;
        famqp_header h;
        if (settle_once(url, q, how, &again, &h, err, sizeof err))
            return 1;
        if (!again && !err[0] && still_queued(url, q, &kept))
            return 1;
        if (again)
            snprintf(got, sizeof got, "again:%" PRIu32, h.delivery_count);
        else
            snprintf(got, sizeof got, "%s", err[0] ? "refused" : kept ? "others" : "dropped");
        if (again)
            printf("  %s: delivered again, header delivery-count=%" PRIu32 " first-acquirer=%s\n", names[how],
                   h.delivery_count, h.first_acquirer ? "true" : "false");
        else if (err[0])
            printf("  %s: the broker ended the session: %s\n", names[how], err);
        else if (kept)
            printf("  %s: not delivered again to this link; a new consumer got it\n", names[how]);
        else
            printf("  %s: gone (neither this link nor a new consumer got it)\n", names[how]);
        if (strcmp(got, want) != 0)
            rc = failf("%s: expected %s, the broker did %s", names[how], want, got);
    }
    return rc;
}

static int cell_properties(const char *url, const char *queue)
{
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_message m;
    famqp_message_init(&m);
    m.present |= FAMQP_MESSAGE_HAS_HEADER | FAMQP_MESSAGE_HAS_PROPERTIES | FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
    m.header.present = FAMQP_HEADER_HAS_DURABLE | FAMQP_HEADER_HAS_PRIORITY | FAMQP_HEADER_HAS_TTL;
    m.header.durable = true;
    m.header.priority = 7;
    m.header.ttl = 600000;
    famqp_properties *p = &m.properties;
    p->present = 0x1fff; /* all 13 fields */
    p->message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    static const char id[] = "id-\xc3\xa9t\xc3\xa9-42";
    p->message_id.u.message_id_string = (famqp_string){id, sizeof id - 1};
    p->user_id = (famqp_binary){(const uint8_t *)"guest", 5};
    p->to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    p->to.u.address_string = (famqp_string){"/queue/props-to", 15};
    p->subject = (famqp_string){"a subject", 9};
    p->reply_to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    p->reply_to.u.address_string = (famqp_string){"/queue/props-reply", 18};
    p->correlation_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_UUID;
    for (int i = 0; i < 16; i++)
        p->correlation_id.u.message_id_uuid.bytes[i] = (uint8_t)(0xa0 + i);
    p->content_type = (famqp_symbol){"application/octet-stream", 24};
    p->content_encoding = (famqp_symbol){"identity", 8};
    p->absolute_expiry_time = INT64_C(4102444800000); /* 2100-01-01 */
    p->creation_time = INT64_C(1764115200123);
    p->group_id = (famqp_string){"group-A", 7};
    p->group_sequence = 4000000000u;
    p->reply_to_group_id = (famqp_string){"group-B", 7};

    uint8_t ap_buf[512];
    famqp_writer w;
    famqp_writer_init(&w, ap_buf, sizeof ap_buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "string");
    famqp_write_cstring(&w, "v\xc3\xa4lue");
    famqp_write_cstring(&w, "int");
    famqp_write_int(&w, -123456);
    famqp_write_cstring(&w, "long");
    famqp_write_long(&w, INT64_C(-9000000000));
    famqp_write_cstring(&w, "ulong");
    famqp_write_ulong(&w, UINT64_C(18000000000000000000));
    famqp_write_cstring(&w, "bool");
    famqp_write_bool(&w, true);
    famqp_write_cstring(&w, "double");
    famqp_write_double(&w, 3.25);
    famqp_write_cstring(&w, "binary");
    famqp_write_binary(&w, (famqp_binary){(const uint8_t *)"\x00\x01\xff", 3});
    famqp_write_cstring(&w, "timestamp");
    famqp_write_timestamp(&w, INT64_C(1764115200123));
    famqp_write_cstring(&w, "null");
    famqp_write_null(&w);
    famqp_write_map_end(&w);
    if (!famqp_message_set_application_properties(&m, &w))
        return failf("building application-properties");
    famqp_message_set_data(&m, "body", 4);

    famqp_sender *s;
    if (famqp_sender_open(c, queue, NULL, &s) != FAMQP_CLIENT_OK)
        return failf("attach sender: %s", last(c));
    famqp_outcome o;
    if (famqp_send(s, &m, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK)
        return failf("send: %s", last(c));
    if (o.kind != FAMQP_OUTCOME_ACCEPTED)
        return failf("outcome %s %s %s", famqp_outcome_kind_name(o.kind), o.error.name ? o.error.name : "",
                     o.error.description ? o.error.description : "");
    famqp_receiver *r;
    if (famqp_receiver_open(c, queue, NULL, &r) != FAMQP_CLIENT_OK)
        return failf("attach receiver: %s", last(c));
    famqp_delivery *d;
    if (famqp_receive(r, CELL_TIMEOUT_MS, &d) != FAMQP_CLIENT_OK)
        return failf("receive: %s", last(c));
    famqp_message got;
    famqp_error err;
    if (famqp_delivery_read_message(d, &got, &err) != FAMQP_OK)
        return failf("decode: %s", decode_error(&err));

    int rc = 0;
    /* Sections are compared as values (same content, whatever encoding widths). */
    uint8_t a[1024], b[1024];
    size_t la = famqp_properties_encode(a, sizeof a, &m.properties);
    size_t lb = famqp_properties_encode(b, sizeof b, &got.properties);
    if (!(got.present & FAMQP_MESSAGE_HAS_PROPERTIES) || got.properties.present != m.properties.present ||
        !famqp_value_equal((famqp_value){a, la}, (famqp_value){b, lb})) {
        rc = failf("properties differ (present bits sent %#x received %#x):", m.properties.present,
                   got.properties.present);
        fputs("  sent:     ", stderr);
        famqp_properties_print(stderr, &m.properties);
        fputs("\n  received: ", stderr);
        famqp_properties_print(stderr, &got.properties);
        fputc('\n', stderr);
    }
    la = famqp_application_properties_encode(a, sizeof a, &m.application_properties);
    lb = famqp_application_properties_encode(b, sizeof b, &got.application_properties);
    if (!(got.present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES) ||
        !famqp_value_equal((famqp_value){a, la}, (famqp_value){b, lb})) {
        rc = failf("application-properties differ:");
        fputs("  sent:     ", stderr);
        famqp_application_properties_print(stderr, &m.application_properties);
        fputs("\n  received: ", stderr);
        famqp_application_properties_print(stderr, &got.application_properties);
        fputc('\n', stderr);
    }
    /* Header: durable, priority and ttl are ours; the broker may add
     * delivery-count / first-acquirer. */
    if (!(got.present & FAMQP_MESSAGE_HAS_HEADER) || got.header.durable != true || got.header.priority != 7 ||
        !(got.header.present & FAMQP_HEADER_HAS_TTL) || got.header.ttl != 600000) {
        rc = failf("header differs:");
        fputs("  received: ", stderr);
        famqp_header_print(stderr, &got.header);
        fputc('\n', stderr);
    }
    if (got.body.kind != FAMQP_BODY_DATA || got.body.data.len != 4 || memcmp(got.body.data.ptr, "body", 4))
        rc = failf("body differs");
    if (rc == 0) {
        printf("header (durable, priority, ttl), all 13 properties fields and 9 application-properties "
               "(string, int, long, ulong, bool, double, binary, timestamp, null) survived\n  received header: ");
        famqp_header_print(stdout, &got.header);
        printf("\n  received properties: ");
        famqp_properties_print(stdout, &got.properties);
        printf("\n");
    }
    famqp_delivery_accept(d);
    famqp_client_close(c, CELL_TIMEOUT_MS);
    return rc;
}

static int cell_connect(const char *url, const char *mech)
{
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.allow_plain_insecure = true;
    co.sasl_mechanisms = !strcmp(mech, "anonymous") ? FAMQP_SASL_ANONYMOUS : FAMQP_SASL_PLAIN;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &co, &c, &err) != FAMQP_CLIENT_OK)
        return failf("SASL %s: %s", mech, err.message);
    famqp_sender *s;
    if (famqp_sender_open(c, "/queue/sasl-check", NULL, &s) != FAMQP_CLIENT_OK)
        return failf("attach after SASL %s: %s", mech, last(c));
    famqp_outcome o;
    if (famqp_send_bytes(s, "\x00\x53\x77\xa1\x02hi", 7, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK ||
        o.kind != FAMQP_OUTCOME_ACCEPTED)
        return failf("send after SASL %s: %s", mech, last(c));
    if (famqp_client_close(c, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK)
        return failf("close");
    printf("SASL %s: authenticated, opened, sent one message (accepted)\n", mech);
    return 0;
}

static int cell_auth_fails(const char *url)
{
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.allow_plain_insecure = true;
    co.connect_timeout_ms = 10000;
    famqp_client *c;
    famqp_client_error err;
    uint64_t t0 = famqp_io_now_ms();
    famqp_client_status st = famqp_client_connect(url, &co, &c, &err);
    uint64_t ms = famqp_io_now_ms() - t0;
    if (st == FAMQP_CLIENT_OK)
        return failf("a wrong password was accepted");
    if (st != FAMQP_CLIENT_ERR_AUTH)
        return failf("expected ERR_AUTH, got %s: %s", famqp_client_status_name(st), err.message);
    if (ms > 5000)
        return failf("the failure took %" PRIu64 " ms", ms);
    printf("wrong password refused in %" PRIu64 " ms (ERR_AUTH, condition %s): %s\n", ms, err.condition,
           err.message);
    return 0;
}

/* Idle for 3 x timeout with only heartbeats flowing, then still usable. */
static int cell_idle(const char *url, const char *queue, uint32_t idle_ms)
{
    famqp_client *c = connect_or_null(url, idle_ms);
    if (!c)
        return 1;
    famqp_connection *conn = famqp_client_connection(c);
    uint32_t remote = famqp_connection_remote_idle_timeout(conn);
    uint64_t end = famqp_io_now_ms() + 3u * idle_ms;
    while (famqp_io_now_ms() < end) {
        int left = famqp_io_ms_until(end);
        if (famqp_client_pump(c, left > 200 ? 200 : left) != FAMQP_CLIENT_OK)
            return failf("connection lost while idle: %s", last(c));
    }
    famqp_sender *s;
    if (famqp_sender_open(c, queue, NULL, &s) != FAMQP_CLIENT_OK)
        return failf("attach after %u ms idle: %s", 3 * idle_ms, last(c));
    famqp_outcome o;
    uint8_t buf[512];
    size_t len = encode_numbered(7, buf, sizeof buf);
    if (famqp_send_bytes(s, buf, len, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED)
        return failf("send after idle: %s", last(c));
    famqp_receiver *r;
    famqp_delivery *d;
    char why[512];
    if (famqp_receiver_open(c, queue, NULL, &r) != FAMQP_CLIENT_OK || famqp_receive(r, CELL_TIMEOUT_MS, &d))
        return failf("receive after idle: %s", last(c));
    if (!check_numbered(d, 7, why, sizeof why))
        return failf("%s", why);
    famqp_delivery_accept(d);
    if (famqp_client_close(c, CELL_TIMEOUT_MS) != FAMQP_CLIENT_OK)
        return failf("close after idle");
    printf("our idle-time-out %u ms, broker's %u ms: idle %u ms, then attach, send and receive worked\n", idle_ms,
           remote, 3 * idle_ms);
    return 0;
}

static int cell_refused(const char *url, const char *address, bool receiver, uint8_t rcv_settle_mode)
{
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    uint64_t t0 = famqp_io_now_ms();
    famqp_client_status st;
    famqp_outcome o = {0};
    if (receiver) {
        famqp_receiver_options ro;
        famqp_receiver_options_init(&ro);
        ro.attach_timeout_ms = 5000;
        ro.rcv_settle_mode = rcv_settle_mode;
        famqp_receiver *r;
        st = famqp_receiver_open(c, address, &ro, &r);
        if (st == FAMQP_CLIENT_OK) {
            famqp_delivery *d;
            st = famqp_receive(r, 3000, &d); /* a refusal may follow the attach */
            if (st == FAMQP_CLIENT_OK)
                return failf("a message arrived from %s", address);
        }
    } else {
        famqp_sender_options so;
        famqp_sender_options_init(&so);
        so.attach_timeout_ms = 5000;
        famqp_sender *s;
        st = famqp_sender_open(c, address, &so, &s);
        if (st == FAMQP_CLIENT_OK) {
            uint8_t buf[512];
            size_t len = encode_numbered(1, buf, sizeof buf);
            st = famqp_send_bytes(s, buf, len, 5000, &o);
            if (st == FAMQP_CLIENT_OK && o.kind == FAMQP_OUTCOME_ACCEPTED)
                return failf("the broker attached a sender to %s and accepted a message (outcome %s)", address,
                             famqp_outcome_kind_name(o.kind));
        }
    }
    uint64_t ms = famqp_io_now_ms() - t0;
    const famqp_client_error *e = famqp_client_last_error(c);
    if (st == FAMQP_CLIENT_OK && o.kind != FAMQP_OUTCOME_NONE) {
        printf("%s to %s: attached, then the message was %s: %s: %s (%" PRIu64 " ms)\n",
               receiver ? "receiver" : "sender", address, famqp_outcome_kind_name(o.kind),
               o.error.name ? o.error.name : "-", o.error.description ? o.error.description : "-", ms);
        famqp_client_close(c, 2000);
        return o.error.name ? 0 : failf("the refusal carries no condition");
    }
    if (st == FAMQP_CLIENT_OK)
        return failf("%s to %s was not refused", receiver ? "receiver" : "sender", address);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return failf("no answer from the broker within the timeout (a hang): %s", e->message);
    if (!e->condition[0] || !e->description[0])
        return failf("the error lacks the broker's condition or description: %s", e->message);
    printf("%s to %s refused in %" PRIu64 " ms: %s; condition %s, description \"%s\"\n",
           receiver ? "receiver" : "sender", address, ms, famqp_client_status_name(st), e->condition,
           e->description);
    famqp_client_close(c, 2000);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rabbitmq-cells URL CELL [ARGS] (see the top of rabbitmq_cells.c)\n");
        return 2;
    }
    const char *url = argv[1], *cell = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(cell, "roundtrip") && argc == 6)
        return cell_roundtrip(url, argv[3], strtoull(argv[4], NULL, 10), !strcmp(argv[5], "settled"));
    if (!strcmp(cell, "large") && argc == 5)
        return cell_large(url, argv[3], (size_t)strtoull(argv[4], NULL, 10));
    if (!strcmp(cell, "outcomes") && (argc == 4 || argc == 5))
        return cell_outcomes(url, argv[3], argc == 5 ? argv[4] : NULL);
    if (!strcmp(cell, "properties") && argc == 4)
        return cell_properties(url, argv[3]);
    if (!strcmp(cell, "connect") && argc == 4)
        return cell_connect(url, argv[3]);
    if (!strcmp(cell, "auth-fails") && argc == 3)
        return cell_auth_fails(url);
    if (!strcmp(cell, "idle") && argc == 5)
        return cell_idle(url, argv[3], (uint32_t)strtoul(argv[4], NULL, 10));
    if (!strcmp(cell, "refused-receiver") && argc == 4)
        return cell_refused(url, argv[3], true, FAMQP_RECEIVER_SETTLE_MODE_FIRST);
    if (!strcmp(cell, "refused-receiver-second") && argc == 4)
        return cell_refused(url, argv[3], true, FAMQP_RECEIVER_SETTLE_MODE_SECOND);
    if (!strcmp(cell, "refused-sender") && argc == 4)
        return cell_refused(url, argv[3], false, FAMQP_RECEIVER_SETTLE_MODE_FIRST);
    if (!strcmp(cell, "drain") && argc == 4)
        return cell_drain(url, argv[3]);
    fprintf(stderr, "rabbitmq-cells: unknown cell or wrong arguments: %s\n", cell);
    return 2;
}

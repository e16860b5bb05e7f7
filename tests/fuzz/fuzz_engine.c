/* Fuzz target: the whole protocol engine, client or server role, with or
 * without a SASL layer.  We write a valid protocol header for the peer
 * (AMQP or SASL); everything after it is the fuzz input, fed as the peer's
 * byte stream in chunks.  Between chunks the fake application handles
 * every event (answers opens, begins and attaches, sends when it has
 * credit, settles deliveries in varied ways, closes what the peer closes),
 * drains the output and advances a fake clock.  Every loop is bounded, a
 * counting allocator checks that freeing the connection frees all, and
 * the engine's own output must be protocol headers and decodable frames.
 *
 * Byte 0 configures the run:
 *   bit 0    role: 0 client, 1 server
 *   bit 1    SASL layer (SASL header first)
 *   bit 2    client mechanism: 0 ANONYMOUS, 1 PLAIN
 *   bits 3-5 chunk size: whole, 1, 2, 3, 8, 64, 512, 4096 bytes
 *   bit 6    idle timeout of 1 s (the clock advances 100 ms per chunk)
 *   bit 7    max-frame-size 512 instead of the default */
#include <string.h>

#include "famqp/engine.h"
#include "famqp/frame.h"
#include "famqp_spec.h"
#include "fuzz_target.h"

typedef struct counting {
    long live;
} counting;

static void *cnt_malloc(void *ctx, size_t n)
{
    void *p = malloc(n);
    if (p)
        ((counting *)ctx)->live++;
    return p;
}

static void *cnt_realloc(void *ctx, void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q && !p)
        ((counting *)ctx)->live++;
    return q;
}

static void cnt_free(void *ctx, void *p)
{
    if (p)
        ((counting *)ctx)->live--;
    free(p);
}

static bool check_plain(void *ctx, famqp_string authzid, famqp_string user, famqp_string pass)
{
    (void)ctx;
    (void)authzid;
    return famqp_string_eq(user, "guest") && famqp_string_eq(pass, "guest");
}

/* Everything the engine wrote, kept to check it is a well-formed stream:
 * protocol headers and frames whose bodies decode.  Output beyond the
 * buffer is not checked (the bound keeps a run's memory small). */
#define OUT_CHECKED (1u << 20)

typedef struct app {
    famqp_connection *c;
    uint8_t *out;
    size_t out_len;
    bool server;
    unsigned sends;      /* messages sent so far (bounded) */
    unsigned deliveries; /* received, picks how each is settled */
    uint64_t now;
} app;

#define MAX_SENDS 32
#define MAX_EVENTS_PER_DRAIN 100000

static const char *str(const char *s) { return s ? s : "-"; }

static void on_delivery(app *a, famqp_delivery *d)
{
    famqp_binary m = famqp_delivery_message(d);
    famqp_binary tag = famqp_delivery_tag(d);
    /* Touch every byte so a bad view is caught by ASan. */
    unsigned sum = 0;
    for (size_t i = 0; i < m.len; i++)
        sum += m.ptr[i];
    for (size_t i = 0; i < tag.len; i++)
        sum += tag.ptr[i];
    fprintf(fuzz_sink(), "delivery %u fmt %u sum %u\n", famqp_delivery_id(d), famqp_delivery_message_format(d), sum);
    famqp_outcome received = {.kind = FAMQP_OUTCOME_RECEIVED, .section_number = 0, .section_offset = 1};
    switch (a->deliveries++ % 7) {
    case 0: famqp_delivery_accept(d); break;
    case 1: famqp_delivery_reject(d, "amqp:internal-error", "fuzz"); break;
    case 2: famqp_delivery_release(d); break;
    case 3: famqp_delivery_modify(d, true, false); break;
    case 4: famqp_delivery_settle(d); break;
    case 5: famqp_delivery_update(d, &received, false); break;
    default: break; /* left unsettled until the connection goes */
    }
}

static void send_one(app *a, famqp_link *l)
{
    /* An amqp-value section holding "hi". */
    static const uint8_t msg[] = {0x00, 0x53, 0x77, 0xa1, 0x02, 'h', 'i'};
    uint8_t tag[4];
    memcpy(tag, &a->sends, sizeof tag);
    famqp_delivery *d = NULL;
    bool settled = (a->sends & 1) != 0;
    a->sends++;
    famqp_link_send(l, famqp_binary_of(tag, sizeof tag), msg, sizeof msg, settled, &d);
    if (d && (a->sends & 2))
        famqp_delivery_abort(d);
}

static void drain_events(app *a)
{
    const famqp_event *e;
    for (unsigned n = 0; n < MAX_EVENTS_PER_DRAIN && (e = famqp_connection_next_event(a->c)) != NULL; n++) {
        FUZZ_CHECK(e->type > FAMQP_EVENT_NONE && e->type < FAMQP_EVENT_COUNT, "event type %d", (int)e->type);
        FUZZ_CHECK(e->connection == a->c, "event of another connection");
        fprintf(fuzz_sink(), "%s %s %s\n", famqp_event_type_name(e->type), str(e->condition.name),
                str(e->condition.description));
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN:
            fprintf(fuzz_sink(), "%s %s %u %u %u\n", str(famqp_connection_remote_container_id(a->c)),
                    str(famqp_connection_remote_hostname(a->c)), famqp_connection_remote_max_frame_size(a->c),
                    famqp_connection_remote_channel_max(a->c), famqp_connection_remote_idle_timeout(a->c));
            if (a->server)
                famqp_connection_open(a->c);
            break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
            famqp_connection_close(a->c, NULL, NULL);
            break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN:
            famqp_session_open(e->session);
            break;
        case FAMQP_EVENT_SESSION_REMOTE_END:
            famqp_session_close(e->session, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: {
            fprintf(fuzz_sink(), "%s %s %s\n", str(famqp_link_name(e->link)),
                    str(famqp_link_remote_source_address(e->link)), str(famqp_link_remote_target_address(e->link)));
            famqp_link_options o;
            famqp_link_options_init(&o);
            o.credit_window = 8;
            famqp_link_set_options(e->link, &o);
            famqp_link_open(e->link);
            break;
        }
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_CREDIT:
            if (famqp_link_get_role(e->link) == FAMQP_LINK_SENDER) {
                if (a->sends < MAX_SENDS && famqp_link_credit(e->link) > 0)
                    send_one(a, e->link);
                if (famqp_link_drain_requested(e->link))
                    famqp_link_drained(e->link);
            }
            break;
        case FAMQP_EVENT_LINK_FLOW:
            if (a->sends < MAX_SENDS)
                famqp_link_request_echo(e->link);
            break;
        case FAMQP_EVENT_DELIVERY:
            on_delivery(a, e->delivery);
            break;
        case FAMQP_EVENT_DELIVERY_UPDATED: {
            famqp_outcome o = famqp_delivery_remote_state(e->delivery);
            fprintf(fuzz_sink(), "%s %s\n", famqp_outcome_kind_name(o.kind), str(o.error.name));
            if (famqp_delivery_remote_settled(e->delivery) && !famqp_delivery_settled(e->delivery))
                famqp_delivery_settle(e->delivery);
            break;
        }
        default:
            break;
        }
    }
}

/* Our output goes nowhere; pulling it lets the engine make progress. */
static void drain_output(app *a)
{
    for (int i = 0; i < 64; i++) {
        size_t len = 0;
        const uint8_t *out = famqp_connection_output(a->c, &len);
        if (!len)
            return;
        FUZZ_CHECK(out != NULL, "output of %zu bytes at NULL", len);
        size_t keep = OUT_CHECKED - a->out_len < len ? OUT_CHECKED - a->out_len : len;
        memcpy(a->out + a->out_len, out, keep);
        a->out_len += keep;
        famqp_connection_output_consume(a->c, len);
    }
}

/* Our own output must parse: headers, frames, decodable performatives. */
static void check_output(const app *a)
{
    const uint8_t *p = a->out;
    size_t n = a->out_len;
    while (n > 0) {
        uint8_t id;
        if (famqp_protocol_header_parse(p, n, &id) == FAMQP_OK) {
            p += FAMQP_PROTOCOL_HEADER_SIZE;
            n -= FAMQP_PROTOCOL_HEADER_SIZE;
            continue;
        }
        famqp_frame f;
        size_t used;
        famqp_status st = famqp_frame_parse(p, n, UINT32_MAX, &f, &used, NULL);
        if (st == FAMQP_ERR_TRUNCATED && a->out_len == OUT_CHECKED)
            return; /* cut by the buffer bound */
        FUZZ_CHECK(st == FAMQP_OK, "our output at %zu is not a frame: %s", (size_t)(p - a->out),
                   famqp_status_name(st));
        if (f.body.len) {
            famqp_error err;
            size_t perf;
            if (f.type == FAMQP_FRAME_TYPE_SASL) {
                famqp_any_sasl_frame sf;
                perf = famqp_any_sasl_frame_decode(f.body.ptr, f.body.len, &sf, &err);
                FUZZ_CHECK(perf == f.body.len, "our SASL frame at %zu does not decode", (size_t)(p - a->out));
            } else {
                famqp_any_frame af;
                perf = famqp_any_frame_decode(f.body.ptr, f.body.len, &af, &err);
                FUZZ_CHECK(perf != 0 && af.kind != FAMQP_ANY_FRAME_OTHER, "our frame at %zu does not decode",
                           (size_t)(p - a->out));
                FUZZ_CHECK(perf == f.body.len || af.kind == FAMQP_ANY_FRAME_TRANSFER,
                           "bytes after a non-transfer performative at %zu", (size_t)(p - a->out));
            }
        }
        p += used;
        n -= used;
    }
}

static void settle(app *a)
{
    for (int round = 0; round < 8; round++) {
        drain_events(a);
        drain_output(a);
        uint64_t deadline = famqp_connection_tick(a->c, a->now);
        FUZZ_CHECK(deadline == 0 || deadline > a->now, "deadline %llu not after now %llu",
                   (unsigned long long)deadline, (unsigned long long)a->now);
    }
}

static const size_t chunk_sizes[8] = {SIZE_MAX, 1, 2, 3, 8, 64, 512, 4096};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    data++;
    size--;
    counting live = {0};
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.alloc = (famqp_allocator){cnt_malloc, cnt_realloc, cnt_free, &live};
    o.trace = 0;
    o.role = (cfg & 1) ? FAMQP_CONNECTION_SERVER : FAMQP_CONNECTION_CLIENT;
    bool sasl = (cfg & 2) != 0;
    if (sasl && o.role == FAMQP_CONNECTION_SERVER) {
        o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS | FAMQP_SASL_PLAIN;
        o.sasl_check = check_plain;
    } else if (sasl && (cfg & 4)) {
        o.sasl_mechanisms = FAMQP_SASL_PLAIN;
        o.sasl_username = "guest";
        o.sasl_password = "guest";
    } else if (sasl) {
        o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    }
    o.hostname = "fuzz.example";
    if (cfg & 0x40)
        o.idle_timeout_ms = 1000;
    if (cfg & 0x80)
        o.max_frame_size = 512;
    o.max_message_size = 1u << 20;
    /* Small limits, so that short inputs reach the code enforcing them. */
    o.max_unsettled_per_link = 4;
    o.max_empty_frames_per_s = 50;
    o.max_idle_flows_per_s = 50;
    o.decode_limits.max_depth = 16;
    o.decode_limits.max_count = 4096;

    static uint8_t out[OUT_CHECKED];
    app a = {.server = o.role == FAMQP_CONNECTION_SERVER, .now = 1000, .out = out};
    famqp_connection_new(&o, &a.c);
    FUZZ_CHECK(a.c != NULL, "famqp_connection_new failed");
    if (!a.server) {
        famqp_connection_open(a.c);
        famqp_session *s;
        famqp_session_new(a.c, &s);
        if (s) {
            famqp_session_open(s);
            famqp_link_options lo;
            famqp_link_options_init(&lo);
            lo.target_address = "queue";
            famqp_link *snd;
            famqp_link_new(s, "fuzz-sender", FAMQP_LINK_SENDER, &lo, &snd);
            if (snd)
                famqp_link_open(snd);
            famqp_link_options_init(&lo);
            lo.source_address = "queue";
            lo.credit_window = 8;
            famqp_link *rcv;
            famqp_link_new(s, "fuzz-receiver", FAMQP_LINK_RECEIVER, &lo, &rcv);
            if (rcv)
                famqp_link_open(rcv);
        }
    }
    settle(&a);

    famqp_connection_input(a.c, sasl ? famqp_protocol_header_sasl : famqp_protocol_header_amqp,
                           FAMQP_PROTOCOL_HEADER_SIZE);
    settle(&a);

    size_t chunk = chunk_sizes[(cfg >> 3) & 7];
    for (size_t off = 0; off < size;) {
        size_t n = size - off < chunk ? size - off : chunk;
        famqp_engine_status st = famqp_connection_input(a.c, data + off, n);
        FUZZ_CHECK(st == FAMQP_ENGINE_OK || st == FAMQP_ENGINE_ERR_FAILED, "input: %s",
                   famqp_engine_status_name(st));
        FUZZ_CHECK(st == FAMQP_ENGINE_OK || famqp_connection_failed(a.c), "input failed, connection did not");
        off += n;
        a.now += 100;
        drain_events(&a);
        drain_output(&a);
        famqp_connection_tick(a.c, a.now);
    }
    settle(&a);
    if (famqp_connection_failed(a.c)) {
        famqp_condition cond = famqp_connection_condition(a.c);
        FUZZ_CHECK(cond.name != NULL, "failed connection without a condition");
        fprintf(fuzz_sink(), "%s %s\n", cond.name, str(cond.description));
    }
    /* Silence for a long time (idle timeout), then the peer hangs up. */
    a.now += 600000;
    settle(&a);
    famqp_connection_input_closed(a.c);
    settle(&a);
    famqp_connection_finished(a.c);
    famqp_connection_free(a.c);
    check_output(&a);
    FUZZ_CHECK(live.live == 0, "%ld blocks still allocated after famqp_connection_free", live.live);
    return 0;
}

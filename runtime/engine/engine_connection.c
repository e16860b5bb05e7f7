/* The connection: options, protocol headers, splitting input into frames,
 * open/close, failure handling and idle timeouts. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

#define COND_FRAMING FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL
#define COND_DECODE FAMQP_AMQP_ERROR_DECODE_ERROR_SYMBOL
#define COND_ILLEGAL_STATE FAMQP_AMQP_ERROR_ILLEGAL_STATE_SYMBOL
#define COND_NOT_ALLOWED FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL

/* The flood limits are per second. */
#define FLOOD_WINDOW_MS 1000u

void famqp_connection_options_init(famqp_connection_options *o)
{
    memset(o, 0, sizeof *o);
    o->role = FAMQP_CONNECTION_CLIENT;
    o->container_id = "flatamqp";
    o->max_frame_size = FAMQP_ENGINE_DEFAULT_MAX_FRAME_SIZE;
    o->channel_max = FAMQP_ENGINE_DEFAULT_CHANNEL_MAX;
    o->max_message_size = FAMQP_ENGINE_DEFAULT_MAX_MESSAGE_SIZE;
    o->max_links_per_session = FAMQP_ENGINE_DEFAULT_MAX_LINKS;
    o->incoming_window = FAMQP_ENGINE_DEFAULT_INCOMING_WINDOW;
    o->outgoing_window = FAMQP_ENGINE_DEFAULT_OUTGOING_WINDOW;
    o->decode_limits = famqp_default_limits;
    o->max_unsettled_per_link = FAMQP_ENGINE_DEFAULT_MAX_UNSETTLED;
    o->max_credit_overrun = FAMQP_ENGINE_DEFAULT_MAX_CREDIT_OVERRUN;
    o->delivery_pool_bytes = FAMQP_ENGINE_DEFAULT_DELIVERY_POOL_BYTES;
    o->max_incoming_bytes = FAMQP_ENGINE_DEFAULT_MAX_INCOMING_BYTES;
    o->max_output_bytes = FAMQP_ENGINE_DEFAULT_MAX_OUTPUT_BYTES;
    o->max_empty_frames_per_s = FAMQP_ENGINE_DEFAULT_MAX_EMPTY_FRAMES_PER_S;
    o->max_idle_flows_per_s = FAMQP_ENGINE_DEFAULT_MAX_IDLE_FLOWS_PER_S;
    o->trace = -1;
}

const char *famqp_engine_status_name(famqp_engine_status s)
{
    switch (s) {
    case FAMQP_ENGINE_OK: return "ok";
    case FAMQP_ENGINE_ERR_STATE: return "wrong state";
    case FAMQP_ENGINE_ERR_NOMEM: return "out of memory";
    case FAMQP_ENGINE_ERR_CREDIT: return "no link credit";
    case FAMQP_ENGINE_ERR_LIMIT: return "limit exceeded";
    case FAMQP_ENGINE_ERR_ARG: return "invalid argument";
    case FAMQP_ENGINE_ERR_FAILED: return "connection failed or closed";
    }
    return "unknown status";
}

static bool options_valid(const famqp_connection_options *o)
{
    bool some_alloc = o->alloc.malloc_fn || o->alloc.realloc_fn || o->alloc.free_fn;
    bool all_alloc = o->alloc.malloc_fn && o->alloc.realloc_fn && o->alloc.free_fn;
    if (some_alloc && !all_alloc)
        return false;
    if (o->max_frame_size < FAMQP_MIN_MAX_FRAME_SIZE || !o->container_id)
        return false;
    if (o->max_links_per_session == 0 || o->incoming_window == 0 || o->max_message_size == 0 ||
        o->max_unsettled_per_link == 0)
        return false;
    unsigned known = FAMQP_SASL_ANONYMOUS | FAMQP_SASL_PLAIN | FAMQP_SASL_EXTERNAL | FAMQP_SASL_MSSBCBS;
    if (o->sasl_mechanisms & ~known)
        return false;
    if (o->role == FAMQP_CONNECTION_CLIENT) {
        unsigned m = o->sasl_mechanisms;
        if (m & (m - 1)) /* a client uses exactly one mechanism */
            return false;
        if ((m & FAMQP_SASL_PLAIN) && (!o->sasl_username || !o->sasl_password))
            return false;
    } else {
        if (o->sasl_mechanisms & (FAMQP_SASL_EXTERNAL | FAMQP_SASL_MSSBCBS))
            return false; /* EXTERNAL needs TLS identities; MSSBCBS is client only */
        if ((o->sasl_mechanisms & FAMQP_SASL_PLAIN) && !o->sasl_check)
            return false;
    }
    return true;
}

famqp_engine_status famqp_connection_options_check(const famqp_connection_options *o, char *why, size_t cap)
{
    if (why && cap)
        why[0] = '\0';
    if (!o)
        return FAMQP_ENGINE_OK;
    if (!options_valid(o)) {
        if (why && cap)
            snprintf(why, cap, "invalid connection options (allocator, frame size, limits or SASL)");
        return FAMQP_ENGINE_ERR_ARG;
    }
    famqp_engine_status st = eng_check_map(o->properties, "connection properties", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->offered_capabilities, "connection offered-capabilities", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->desired_capabilities, "connection desired-capabilities", why, cap);
    return st;
}

famqp_engine_status famqp_connection_new(const famqp_connection_options *opts, famqp_connection **out)
{
    *out = NULL;
    famqp_connection_options o;
    if (opts)
        o = *opts;
    else
        famqp_connection_options_init(&o);
    famqp_engine_status checked = famqp_connection_options_check(&o, NULL, 0);
    if (checked != FAMQP_ENGINE_OK)
        return checked;
    famqp_allocator a = o.alloc;
    famqp_connection *c = a.malloc_fn ? a.malloc_fn(a.ctx, sizeof *c) : malloc(sizeof *c);
    if (!c)
        return FAMQP_ENGINE_ERR_NOMEM;
    memset(c, 0, sizeof *c);
    c->a = a;
    c->opts = o;
    bool ok = true;
    c->container_id = eng_strdup(c, o.container_id, &ok);
    c->hostname = eng_strdup(c, o.hostname, &ok);
    c->sasl_username = eng_strdup(c, o.sasl_username, &ok);
    c->sasl_password = eng_strdup(c, o.sasl_password, &ok);
    /* Kept until the open is written: the caller may reuse its buffers. */
    ok = ok && eng_map_copy(c, &c->props, o.properties) && eng_syms_copy(c, &c->offered, o.offered_capabilities) &&
         eng_syms_copy(c, &c->desired, o.desired_capabilities);
    if (!ok) {
        famqp_connection_free(c);
        return FAMQP_ENGINE_ERR_NOMEM;
    }
    c->opts.container_id = c->container_id;
    c->opts.hostname = c->hostname;
    c->opts.sasl_username = c->sasl_username;
    c->opts.sasl_password = c->sasl_password;
    c->opts.properties = c->props;
    c->opts.offered_capabilities = c->offered.view;
    c->opts.desired_capabilities = c->desired.view;
    if (o.trace < 0) {
        const char *env = getenv("FAMQP_TRACE");
        c->trace = env && *env && strcmp(env, "0") != 0;
    } else {
        c->trace = o.trace != 0;
    }
    c->trace_file = o.trace_file ? o.trace_file : stderr;
    c->remote_max_frame_size = FAMQP_MIN_MAX_FRAME_SIZE; /* until the peer's open */
    c->phase = ENG_PHASE_HEADER;
    if (o.role == FAMQP_CONNECTION_CLIENT) {
        if (o.sasl_mechanisms)
            eng_sasl_start_client(c);
        else
            eng_send_amqp_header(c);
    }
    if (c->failed) { /* allocation failed while writing the header */
        famqp_connection_free(c);
        return FAMQP_ENGINE_ERR_NOMEM;
    }
    *out = c;
    return FAMQP_ENGINE_OK;
}

void famqp_connection_free(famqp_connection *c)
{
    if (!c)
        return;
    /* Events first: they hold references that may free dead objects. */
    eng_events_free(c);
    eng_disps_free(c);
    c->destroying = true;
    while (c->sessions_head)
        eng_session_free(c->sessions_head);
    eng_delivery_pool_free(c);
    eng_free(c, c->local_sessions);
    eng_free(c, c->remote_sessions);
    eng_buf_free(c, &c->in);
    eng_buf_free(c, &c->out);
    eng_buf_free(c, &c->deferred);
    eng_cond_free(c, &c->remote_cond);
    eng_free(c, c->remote_container_id);
    eng_free(c, c->remote_hostname);
    eng_map_free(c, &c->props);
    eng_map_free(c, &c->remote_props);
    eng_syms_free(c, &c->offered);
    eng_syms_free(c, &c->desired);
    eng_syms_free(c, &c->remote_offered);
    eng_syms_free(c, &c->remote_desired);
    eng_free(c, c->sasl_user);
    eng_free(c, c->container_id);
    eng_free(c, c->hostname);
    if (c->sasl_password)
        memset(c->sasl_password, 0, strlen(c->sasl_password));
    eng_free(c, c->sasl_username);
    eng_free(c, c->sasl_password);
    famqp_allocator a = c->a;
    if (a.free_fn)
        a.free_fn(a.ctx, c);
    else
        free(c);
}

/* ---- failure --------------------------------------------------------- */

void eng_fail(famqp_connection *c, const char *name, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    c->fail_name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->fail_desc, sizeof c->fail_desc, fmt, ap);
    va_end(ap);
    eng_trace_text(c, false, "connection failed: %s: %s", name, c->fail_desc);
    bool amqp_layer = c->phase == ENG_PHASE_AMQP && c->amqp_header_sent;
    c->phase = ENG_PHASE_DONE;
    c->in.len = 0;
    if (!amqp_layer || c->local == ENG_CLOSED)
        return;
    /* A close must follow an open: send a minimal one when we have not. */
    if (c->local == ENG_UNINIT) {
        famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_OPEN};
        f.u.open = famqp_open_defaults;
        f.u.open.container_id = famqp_string_of(c->container_id);
        f.u.open.present = FAMQP_OPEN_HAS_CONTAINER_ID;
        eng_emit_frame(c, 0, &f, NULL, 0);
    }
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_CLOSE};
    f.u.close = famqp_close_defaults;
    eng_error_put(&f.u.close.error, name, c->fail_desc);
    f.u.close.present = FAMQP_CLOSE_HAS_ERROR;
    c->local = ENG_CLOSED;
    eng_emit_frame(c, 0, &f, NULL, 0);
}

void eng_nomem(famqp_connection *c)
{
    eng_fail(c, FAMQP_AMQP_ERROR_INTERNAL_ERROR_SYMBOL, "out of memory");
}

bool eng_flood_count(famqp_connection *c, uint32_t *count, uint32_t limit, const char *kind, const char *option)
{
    if (!limit || !c->time_init)
        return true; /* no limit, or no clock to measure a rate with */
    if (c->now_ms - c->flood_window_ms >= FLOOD_WINDOW_MS) {
        /* A new second: every counter starts again. */
        c->flood_window_ms = c->now_ms;
        c->empty_frames = c->idle_flows = 0;
    }
    if (++*count <= limit)
        return true;
    eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
             "peer sent more than %" PRIu32 " %s in one second (limit %s = %" PRIu32 ")", limit, kind, option, limit);
    return false;
}

bool eng_usable(const famqp_connection *c)
{
    return !c->failed && c->local == ENG_ACTIVE;
}

/* ---- protocol headers -------------------------------------------------- */

static void header_text(const uint8_t *h, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        if (h[i] >= 0x20 && h[i] < 0x7f)
            buf[o++] = (char)h[i];
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", h[i]);
    }
    buf[o < cap ? o : cap - 1] = '\0';
}

/* The header we would speak at this point: SASL when configured and not
 * done yet, otherwise AMQP. */
static const uint8_t *preferred_header(const famqp_connection *c)
{
    return c->opts.sasl_mechanisms && !c->sasl_done ? famqp_protocol_header_sasl : famqp_protocol_header_amqp;
}

static void header_reject(famqp_connection *c, const char *name, const char *why)
{
    /* The peer learns what we speak from our header, then we close. */
    if (c->opts.role == FAMQP_CONNECTION_SERVER)
        eng_write_raw(c, preferred_header(c), FAMQP_PROTOCOL_HEADER_SIZE);
    eng_fail(c, name, "%s", why);
}

static void on_header(famqp_connection *c, uint8_t id)
{
    bool server = c->opts.role == FAMQP_CONNECTION_SERVER;
    bool want_sasl = c->opts.sasl_mechanisms && !c->sasl_done;
    eng_trace_text(c, false, "AMQP %u.1.0.0 protocol header", id);
    if (id == FAMQP_PROTOCOL_TLS) {
        header_reject(c, FAMQP_AMQP_ERROR_NOT_IMPLEMENTED_SYMBOL,
                      "peer sent the TLS protocol header (AMQP 2.1.0.0), but TLS is not configured on this "
                      "connection");
        return;
    }
    if (id == FAMQP_PROTOCOL_SASL) {
        if (!want_sasl) {
            header_reject(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL,
                          c->sasl_done ? "peer sent a second SASL header after authentication"
                          : server ? "client requested SASL (AMQP 3.1.0.0), which this server does not offer"
                                   : "server requires SASL authentication, which is not configured");
            return;
        }
        if (server) {
            eng_sasl_start_server(c);
            if (c->failed)
                return;
        }
        c->phase = ENG_PHASE_SASL;
        return;
    }
    if (id != FAMQP_PROTOCOL_AMQP) {
        char buf[64], why[128];
        header_text(c->hdr, FAMQP_PROTOCOL_HEADER_SIZE, buf, sizeof buf);
        snprintf(why, sizeof why, "unsupported protocol id %u in header '%s'", id, buf);
        header_reject(c, COND_FRAMING, why);
        return;
    }
    if (want_sasl) {
        header_reject(c, FAMQP_AMQP_ERROR_UNAUTHORIZED_ACCESS_SYMBOL,
                      server ? "client skipped SASL authentication, which this server requires"
                             : "server answered with the AMQP header where SASL was expected");
        return;
    }
    if (server)
        eng_send_amqp_header(c);
    c->phase = ENG_PHASE_AMQP;
}

/* Collects header bytes; returns how many of p[0..n) it used. */
static size_t header_input(famqp_connection *c, const uint8_t *p, size_t n)
{
    size_t take = FAMQP_PROTOCOL_HEADER_SIZE - c->hdr_len;
    if (take > n)
        take = n;
    memcpy(c->hdr + c->hdr_len, p, take);
    c->hdr_len += take;
    uint8_t id = 0;
    famqp_status st = famqp_protocol_header_parse(c->hdr, c->hdr_len, &id);
    if (st == FAMQP_ERR_TRUNCATED)
        return take;
    if (st != FAMQP_OK) {
        char buf[64];
        header_text(c->hdr, c->hdr_len, buf, sizeof buf);
        char why[160];
        if (c->hdr_len >= 4 && memcmp(c->hdr, "AMQP", 4) == 0)
            snprintf(why, sizeof why, "unsupported AMQP protocol version in header '%s'", buf);
        else
            snprintf(why, sizeof why, "bad protocol header '%s': not AMQP", buf);
        header_reject(c, COND_FRAMING, why);
        return take;
    }
    c->hdr_len = 0;
    on_header(c, id);
    return take;
}

/* ---- frames ------------------------------------------------------------ */

static bool decode_failed(famqp_connection *c, const famqp_error *err, const char *what)
{
    char buf[200];
    famqp_error_format(err, buf, sizeof buf);
    /* Input over a configured decode limit is a resource limit, not
     * malformed data: the depth has its own status, the count limits are
     * named in the codec's detail. */
    const famqp_limits *lim = &c->opts.decode_limits;
    const char *limit = NULL;
    uint32_t value = 0;
    if (err->status == FAMQP_ERR_DEPTH) {
        limit = "decode_limits.max_depth";
        value = lim->max_depth;
    } else if (err->status == FAMQP_ERR_LIMIT && err->detail && strstr(err->detail, "limits.max_count")) {
        limit = "decode_limits.max_count";
        value = lim->max_count;
    } else if (err->status == FAMQP_ERR_LIMIT && err->detail && strstr(err->detail, "limits.max_empty_elements")) {
        limit = "decode_limits.max_empty_elements";
        value = lim->max_empty_elements;
    }
    if (limit)
        eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL, "cannot decode %s: %s (limit %s = %" PRIu32 ")",
                 what, buf, limit, value);
    else
        eng_fail(c, COND_DECODE, "cannot decode %s: %s", what, buf);
    return false;
}

static void eng_on_open(famqp_connection *c, uint16_t channel, const famqp_open *o)
{
    if (c->remote != ENG_UNINIT) {
        eng_fail(c, COND_ILLEGAL_STATE, "second open received");
        return;
    }
    if (channel != 0) {
        eng_fail(c, COND_FRAMING, "open on channel %u (must be 0)", channel);
        return;
    }
    if (o->max_frame_size < FAMQP_MIN_MAX_FRAME_SIZE) {
        eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL, "open.max-frame-size %" PRIu32 " below %d",
                 o->max_frame_size, FAMQP_MIN_MAX_FRAME_SIZE);
        return;
    }
    bool ok = true;
    c->remote_container_id = eng_strndup(c, o->container_id.ptr, o->container_id.len, &ok);
    if (o->present & FAMQP_OPEN_HAS_HOSTNAME)
        c->remote_hostname = eng_strndup(c, o->hostname.ptr, o->hostname.len, &ok);
    ok = ok && eng_map_copy(c, &c->remote_props, o->properties) &&
         eng_syms_from_wire(c, &c->remote_offered, &o->offered_capabilities) &&
         eng_syms_from_wire(c, &c->remote_desired, &o->desired_capabilities);
    if (!ok)
        return;
    c->remote_max_frame_size = o->max_frame_size;
    c->remote_channel_max = o->channel_max;
    c->remote_idle_timeout = (o->present & FAMQP_OPEN_HAS_IDLE_TIME_OUT) ? o->idle_time_out : 0;
    c->remote = ENG_ACTIVE;
    eng_event(c, FAMQP_EVENT_CONNECTION_REMOTE_OPEN, NULL, NULL, NULL, (famqp_condition){0});
}

static void eng_on_close(famqp_connection *c, const famqp_close *cl)
{
    if (cl->present & FAMQP_CLOSE_HAS_ERROR)
        eng_cond_set(c, &c->remote_cond, &cl->error);
    c->remote = ENG_CLOSED;
    c->phase = ENG_PHASE_DONE;
    eng_event(c, FAMQP_EVENT_CONNECTION_REMOTE_CLOSE, NULL, NULL, NULL, eng_cond_view(&c->remote_cond));
}

static void amqp_frame(famqp_connection *c, const famqp_frame *fr)
{
    if (fr->type != FAMQP_FRAME_TYPE_AMQP) {
        eng_fail(c, COND_FRAMING, "frame type 0x%02x on channel %u where an AMQP frame (type 0) was expected",
                 fr->type, fr->channel);
        return;
    }
    if (fr->body.len == 0) { /* heartbeat */
        eng_trace_text(c, false, "(empty frame)");
        eng_flood_count(c, &c->empty_frames, c->opts.max_empty_frames_per_s, "empty frames",
                        "max_empty_frames_per_s");
        return;
    }
    famqp_any_frame f;
    famqp_error err;
    size_t used = famqp_any_frame_decode_ex(fr->body.ptr, fr->body.len, &f, &c->opts.decode_limits, &err);
    if (!used) {
        decode_failed(c, &err, "performative");
        return;
    }
    const uint8_t *payload = fr->body.ptr + used;
    size_t payload_len = fr->body.len - used;
    eng_trace_frame(c, false, fr->channel, &f, payload, payload_len);
    if (f.kind == FAMQP_ANY_FRAME_NONE || f.kind == FAMQP_ANY_FRAME_OTHER) {
        eng_fail(c, COND_DECODE, "frame on channel %u holds no AMQP performative", fr->channel);
        return;
    }
    if (payload_len && f.kind != FAMQP_ANY_FRAME_TRANSFER) {
        eng_fail(c, COND_DECODE, "%zu unexpected bytes after a performative other than transfer", payload_len);
        return;
    }
    if (c->remote == ENG_UNINIT && f.kind != FAMQP_ANY_FRAME_OPEN) {
        eng_fail(c, COND_ILLEGAL_STATE, "first frame is not open");
        return;
    }
    if (c->remote == ENG_CLOSED)
        return; /* nothing may follow close; discard */
    /* The connection's own performatives come even after our close. */
    switch (f.kind) {
    case FAMQP_ANY_FRAME_OPEN: eng_on_open(c, fr->channel, &f.u.open); return;
    case FAMQP_ANY_FRAME_CLOSE: eng_on_close(c, &f.u.close); return;
    default: break;
    }
    if (c->local == ENG_CLOSED)
        return; /* after our close only the peer's close matters */
    if (f.kind == FAMQP_ANY_FRAME_BEGIN) {
        eng_on_begin(c, fr->channel, &f.u.begin);
        return;
    }
    if (f.kind == FAMQP_ANY_FRAME_DETACH && c->ended_channel_plus1 == (uint32_t)fr->channel + 1u)
        return; /* the end detached its links: pyamqp sends their detaches after it */
    famqp_session *s = eng_session_by_remote(c, fr->channel);
    if (!s)
        return; /* failed already */
    if (s->local == ENG_CLOSED && f.kind != FAMQP_ANY_FRAME_END && f.kind != FAMQP_ANY_FRAME_TRANSFER)
        return; /* we ended it: only the peer's end matters (transfers still count against the window) */
    switch (f.kind) {
    case FAMQP_ANY_FRAME_ATTACH: eng_on_attach(s, &f.u.attach); break;
    case FAMQP_ANY_FRAME_FLOW: eng_on_flow(s, &f.u.flow); break;
    case FAMQP_ANY_FRAME_TRANSFER: eng_on_transfer(s, &f.u.transfer, payload, payload_len); break;
    case FAMQP_ANY_FRAME_DISPOSITION: eng_on_disposition(s, &f.u.disposition); break;
    case FAMQP_ANY_FRAME_DETACH: eng_on_detach(s, &f.u.detach); break;
    case FAMQP_ANY_FRAME_END: eng_on_end(c, s, &f.u.end); break;
    default: break;
    }
}

static void on_frame(famqp_connection *c, const famqp_frame *fr)
{
    if (c->phase == ENG_PHASE_SASL)
        eng_sasl_frame(c, fr);
    else if (c->phase == ENG_PHASE_AMQP)
        amqp_frame(c, fr);
}

static bool frame_error(famqp_connection *c, famqp_status st, const uint8_t *hdr)
{
    uint32_t size = famqp_load32(hdr);
    if (st == FAMQP_ERR_LIMIT)
        eng_fail(c, COND_FRAMING, "frame of %" PRIu32 " bytes exceeds max-frame-size %" PRIu32
                 " (limit max_frame_size)", size, c->opts.max_frame_size);
    else
        eng_fail(c, COND_FRAMING, "malformed frame header (size %" PRIu32 ", data offset %u)", size, hdr[4]);
    return false;
}

famqp_engine_status famqp_connection_input(famqp_connection *c, const uint8_t *p, size_t n)
{
    if (n)
        c->rx_since_tick = true;
    while (n && !c->failed) {
        if (c->phase == ENG_PHASE_DONE)
            break;
        if (c->phase == ENG_PHASE_HEADER || c->phase == ENG_PHASE_AMQP_HEADER) {
            size_t used = header_input(c, p, n);
            p += used;
            n -= used;
            continue;
        }
        famqp_frame fr;
        size_t used = 0;
        famqp_status st;
        if (c->in.len == 0) {
            /* Zero-copy: a complete frame is decoded where it lies. */
            st = famqp_frame_parse(p, n, c->opts.max_frame_size, &fr, &used, NULL);
            if (st == FAMQP_OK) {
                p += used;
                n -= used;
                on_frame(c, &fr);
                continue;
            }
            if (st != FAMQP_ERR_TRUNCATED) {
                frame_error(c, st, p);
                break;
            }
            /* Keep the incomplete frame; header checked already when it is all there. */
            size_t want = n >= FAMQP_FRAME_HEADER_SIZE ? famqp_load32(p) : FAMQP_FRAME_HEADER_SIZE;
            if (!eng_buf_reserve(c, &c->in, want))
                break;
            eng_buf_append(c, &c->in, p, n);
            n = 0;
            break;
        }
        /* Complete the buffered frame: first its header, then its body. */
        size_t want = c->in.len < FAMQP_FRAME_HEADER_SIZE ? FAMQP_FRAME_HEADER_SIZE - c->in.len
                                                     : famqp_load32(c->in.ptr) - c->in.len;
        if (want > n)
            want = n;
        if (!eng_buf_append(c, &c->in, p, want))
            break;
        p += want;
        n -= want;
        st = famqp_frame_parse(c->in.ptr, c->in.len, c->opts.max_frame_size, &fr, &used, NULL);
        if (st == FAMQP_ERR_TRUNCATED)
            continue;
        if (st != FAMQP_OK) {
            frame_error(c, st, c->in.ptr);
            break;
        }
        on_frame(c, &fr);
        c->in.len = 0;
    }
    if (!c->failed && c->phase == ENG_PHASE_AMQP)
        for (famqp_session *s = c->sessions_head; s; s = s->next)
            eng_session_incoming_replenish(s);
    return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_OK;
}

void famqp_connection_input_closed(famqp_connection *c)
{
    c->input_closed = true;
    if (c->failed || c->remote == ENG_CLOSED)
        return; /* a clean end, or already reported */
    eng_fail(c, FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL,
             "peer closed the connection without an AMQP close (%s)",
             c->in.len || c->hdr_len ? "in the middle of a frame" : "between frames");
}

/* ---- the connection endpoint ------------------------------------------- */

famqp_engine_status famqp_connection_open(famqp_connection *c)
{
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (c->local != ENG_UNINIT)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_OPEN};
    famqp_open *o = &f.u.open;
    *o = famqp_open_defaults;
    o->container_id = famqp_string_of(c->container_id);
    o->present = FAMQP_OPEN_HAS_CONTAINER_ID | FAMQP_OPEN_HAS_MAX_FRAME_SIZE | FAMQP_OPEN_HAS_CHANNEL_MAX;
    if (c->hostname) {
        o->hostname = famqp_string_of(c->hostname);
        o->present |= FAMQP_OPEN_HAS_HOSTNAME;
    }
    o->max_frame_size = c->opts.max_frame_size;
    o->channel_max = c->opts.channel_max;
    if (c->opts.idle_timeout_ms) {
        /* Advertise half the real threshold (AMQP 1.0 2.4.5), so a peer
         * sending its heartbeats at the advertised period is still in time. */
        o->idle_time_out = c->opts.idle_timeout_ms / 2 ? c->opts.idle_timeout_ms / 2 : 1;
        o->present |= FAMQP_OPEN_HAS_IDLE_TIME_OUT;
    }
    if (c->offered.view.count) {
        o->offered_capabilities = eng_syms_multiple(&c->offered);
        o->present |= FAMQP_OPEN_HAS_OFFERED_CAPABILITIES;
    }
    if (c->desired.view.count) {
        o->desired_capabilities = eng_syms_multiple(&c->desired);
        o->present |= FAMQP_OPEN_HAS_DESIRED_CAPABILITIES;
    }
    if (c->props.count) {
        o->properties = c->props;
        o->present |= FAMQP_OPEN_HAS_PROPERTIES;
    }
    c->local = ENG_ACTIVE;
    if (!eng_write_frame(c, 0, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    eng_event(c, FAMQP_EVENT_CONNECTION_LOCAL_OPEN, NULL, NULL, NULL, (famqp_condition){0});
    return FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_connection_close(famqp_connection *c, const char *condition, const char *description)
{
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (c->local == ENG_CLOSED)
        return FAMQP_ENGINE_ERR_STATE;
    if (c->local == ENG_UNINIT) {
        famqp_engine_status st = famqp_connection_open(c);
        if (st != FAMQP_ENGINE_OK)
            return st;
    }
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_CLOSE};
    f.u.close = famqp_close_defaults;
    if (eng_error_put(&f.u.close.error, condition, description))
        f.u.close.present = FAMQP_CLOSE_HAS_ERROR;
    /* Outcomes given before the close go out first: once the connection is
     * closed locally the flush would drop them, and the peer redeliver. */
    if (c->ndisps)
        eng_flush_dispositions(c);
    c->local = ENG_CLOSED;
    if (!eng_write_frame(c, 0, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    eng_event(c, FAMQP_EVENT_CONNECTION_LOCAL_CLOSE, NULL, NULL, NULL, (famqp_condition){0});
    return FAMQP_ENGINE_OK;
}

bool famqp_connection_finished(const famqp_connection *c)
{
    bool drained = c->out.len == c->out_pos;
    if (c->failed)
        return drained;
    return drained && c->local == ENG_CLOSED && c->remote == ENG_CLOSED;
}

bool famqp_connection_failed(const famqp_connection *c) { return c->failed; }

famqp_condition famqp_connection_condition(const famqp_connection *c)
{
    if (c->failed) {
        famqp_condition v = {c->fail_name, c->fail_desc};
        return v;
    }
    return eng_cond_view(&c->remote_cond);
}

famqp_condition famqp_connection_remote_condition(const famqp_connection *c)
{
    return eng_cond_view(&c->remote_cond);
}

const char *famqp_connection_remote_container_id(const famqp_connection *c) { return c->remote_container_id; }
famqp_map famqp_connection_remote_properties(const famqp_connection *c) { return c->remote_props; }
famqp_symbols famqp_connection_remote_offered_capabilities(const famqp_connection *c) { return c->remote_offered.view; }
famqp_symbols famqp_connection_remote_desired_capabilities(const famqp_connection *c) { return c->remote_desired.view; }
const char *famqp_connection_remote_hostname(const famqp_connection *c) { return c->remote_hostname; }
uint32_t famqp_connection_remote_max_frame_size(const famqp_connection *c) { return c->remote_max_frame_size; }
uint16_t famqp_connection_remote_channel_max(const famqp_connection *c) { return c->remote_channel_max; }
uint32_t famqp_connection_remote_idle_timeout(const famqp_connection *c) { return c->remote_idle_timeout; }
const char *famqp_connection_sasl_user(const famqp_connection *c) { return c->sasl_user; }

/* ---- time -------------------------------------------------------------- */

uint64_t famqp_connection_tick(famqp_connection *c, uint64_t now)
{
    if (!c->time_init) {
        c->time_init = true;
        c->last_rx_ms = c->last_tx_ms = now;
        c->flood_window_ms = now;
    }
    if (c->rx_since_tick) {
        c->last_rx_ms = now;
        c->rx_since_tick = false;
    }
    if (c->writes_since_tick) {
        c->last_tx_ms = now;
        c->writes_since_tick = 0;
    }
    c->now_ms = now;
    if (c->failed || c->phase == ENG_PHASE_DONE)
        return 0;
    uint64_t deadline = 0;
    uint32_t idle = c->opts.idle_timeout_ms;
    if (idle) {
        if (now - c->last_rx_ms >= idle) {
            eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
                     "local-idle-timeout expired: nothing received for %" PRIu64 " ms (idle-time-out %" PRIu32
                     " ms)",
                     now - c->last_rx_ms, idle);
            return 0;
        }
        deadline = c->last_rx_ms + idle;
    }
    /* Heartbeats keep the peer's idle timer from expiring: send an empty
     * frame once half its idle-time-out has passed without output. */
    if (c->remote_idle_timeout && c->remote == ENG_ACTIVE && c->local != ENG_CLOSED && c->amqp_header_sent) {
        uint64_t interval = c->remote_idle_timeout / 2;
        if (interval == 0)
            interval = 1;
        if (now - c->last_tx_ms >= interval) {
            eng_write_heartbeat(c);
            c->last_tx_ms = now;
            c->writes_since_tick = 0;
        }
        uint64_t hb = c->last_tx_ms + interval;
        if (!deadline || hb < deadline)
            deadline = hb;
    }
    return deadline;
}

/* codec-bench implementations `proton` and `proton-puts`: Qpid Proton-C's
 * codec (pn_data_t, pn_message_t; Debian libqpid-proton11-dev).
 *
 *   proton       encode of a prebuilt tree (pn_data_encode of a tree built
 *                once; messages: pn_message_encode of a prebuilt
 *                pn_message_t); decode with pn_data_decode (messages:
 *                pn_message_decode), which builds Proton's tree, then every
 *                field read back with the pn_data / pn_message getters.
 *   proton-puts  encode only: the tree is rebuilt with pn_data puts on every
 *                operation, then encoded, which is what Proton's own
 *                transport does for each performative it sends.
 */
#include <proton/codec.h>
#include <proton/message.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "workload.h"

typedef struct proton_ctx {
    pn_data_t *tree;     /* prebuilt value (performatives, proton-puts) */
    pn_data_t *scratch;  /* decode target */
    pn_message_t *msg;   /* messages */
    const wl_message *w; /* messages */
} proton_ctx;

static proton_ctx *ctx_new(void)
{
    proton_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tree = pn_data(16);
    c->scratch = pn_data(16);
    if (!c->tree || !c->scratch) {
        pn_data_free(c->tree);
        pn_data_free(c->scratch);
        free(c);
        return NULL;
    }
    return c;
}

static void proton_teardown(void *ctx)
{
    proton_ctx *c = ctx;
    pn_data_free(c->tree);
    pn_data_free(c->scratch);
    if (c->msg) pn_message_free(c->msg);
    free(c);
}

static pn_bytes_t cbytes(const char *s) { return pn_bytes(strlen(s), s); }

/* Opens described(code, list[...]); the caller puts the fields and then
 * calls close_described(). */
static void open_described(pn_data_t *d, uint64_t code)
{
    pn_data_put_described(d);
    pn_data_enter(d);
    pn_data_put_ulong(d, code);
    pn_data_put_list(d);
    pn_data_enter(d);
}

static void close_described(pn_data_t *d)
{
    pn_data_exit(d);
    pn_data_exit(d);
}

/* Decode side: steps to the next node, which must be described(code,
 * list), and enters the list.  false when it is something else. */
static bool enter_described(pn_data_t *d, uint64_t code)
{
    if (!pn_data_next(d) || pn_data_type(d) != PN_DESCRIBED) return false;
    pn_data_enter(d);
    if (!pn_data_next(d) || pn_data_get_ulong(d) != code) return false;
    if (!pn_data_next(d) || pn_data_type(d) != PN_LIST) return false;
    pn_data_enter(d);
    return true;
}

/* Field getters: step to the next list element and read it (Proton's
 * getters give 0 for a null or a value of another type). */
static uint64_t next_uint(pn_data_t *d) { return pn_data_next(d), pn_data_get_uint(d); }
static uint64_t next_ushort(pn_data_t *d) { return pn_data_next(d), pn_data_get_ushort(d); }
static uint64_t next_ubyte(pn_data_t *d) { return pn_data_next(d), pn_data_get_ubyte(d); }
static uint64_t next_ulong(pn_data_t *d) { return pn_data_next(d), pn_data_get_ulong(d); }
static uint64_t next_bool(pn_data_t *d) { return pn_data_next(d), pn_data_get_bool(d); }
static uint64_t next_string(uint64_t h, pn_data_t *d)
{
    pn_data_next(d);
    pn_bytes_t b = pn_data_get_string(d);
    return dg_view(h, b.start, b.size);
}
static uint64_t next_symbol(uint64_t h, pn_data_t *d)
{
    pn_data_next(d);
    pn_bytes_t b = pn_data_get_symbol(d);
    return dg_view(h, b.start, b.size);
}
static uint64_t next_binary(uint64_t h, pn_data_t *d)
{
    pn_data_next(d);
    pn_bytes_t b = pn_data_get_binary(d);
    return dg_view(h, b.start, b.size);
}
static void skip(pn_data_t *d, int n)
{
    while (n-- > 0) pn_data_next(d);
}

/* Decodes p[0..n) into the scratch tree and positions it at its start. */
static pn_data_t *decode_tree(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = ((proton_ctx *)ctx)->scratch;
    pn_data_clear(d);
    if (pn_data_decode(d, (const char *)p, n) != (ssize_t)n) return NULL;
    pn_data_rewind(d);
    return d;
}

/* ---- performatives: puts, then the field-by-field read ------------------- */

static void open_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x10);
    pn_data_put_string(d, cbytes(WL_OPEN_CONTAINER_ID));
    pn_data_put_string(d, cbytes(WL_OPEN_HOSTNAME));
    pn_data_put_uint(d, WL_OPEN_MAX_FRAME_SIZE);
    pn_data_put_ushort(d, WL_OPEN_CHANNEL_MAX);
    pn_data_put_uint(d, WL_OPEN_IDLE_TIME_OUT);
    close_described(d);
}

static uint64_t open_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x10)) return 0;
    uint64_t h = 0;
    h = next_string(h, d);
    h = next_string(h, d);
    h = dg(h, next_uint(d));
    h = dg(h, next_ushort(d));
    return dg(h, next_uint(d));
}

static void begin_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x11);
    pn_data_put_ushort(d, WL_BEGIN_REMOTE_CHANNEL);
    pn_data_put_uint(d, WL_BEGIN_NEXT_OUTGOING_ID);
    pn_data_put_uint(d, WL_BEGIN_INCOMING_WINDOW);
    pn_data_put_uint(d, WL_BEGIN_OUTGOING_WINDOW);
    pn_data_put_uint(d, WL_BEGIN_HANDLE_MAX);
    close_described(d);
}

static uint64_t begin_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x11)) return 0;
    uint64_t h = 0;
    h = dg(h, next_ushort(d));
    h = dg(h, next_uint(d));
    h = dg(h, next_uint(d));
    h = dg(h, next_uint(d));
    return dg(h, next_uint(d));
}

static void attach_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x12);
    pn_data_put_string(d, cbytes(WL_ATTACH_NAME));
    pn_data_put_uint(d, WL_ATTACH_HANDLE);
    pn_data_put_bool(d, WL_ATTACH_ROLE);
    pn_data_put_ubyte(d, WL_ATTACH_SND_SETTLE_MODE);
    pn_data_put_ubyte(d, WL_ATTACH_RCV_SETTLE_MODE);
    open_described(d, 0x28); /* source */
    pn_data_put_string(d, cbytes(WL_ATTACH_SOURCE_ADDRESS));
    pn_data_put_uint(d, WL_ATTACH_SOURCE_DURABLE);
    pn_data_put_symbol(d, cbytes(WL_ATTACH_SOURCE_EXPIRY_POLICY));
    pn_data_put_uint(d, WL_ATTACH_SOURCE_TIMEOUT);
    close_described(d);
    open_described(d, 0x29); /* target */
    pn_data_put_string(d, cbytes(WL_ATTACH_TARGET_ADDRESS));
    pn_data_put_uint(d, WL_ATTACH_TARGET_DURABLE);
    close_described(d);
    pn_data_put_null(d); /* unsettled */
    pn_data_put_null(d); /* incomplete-unsettled */
    pn_data_put_uint(d, WL_ATTACH_INITIAL_DELIVERY_COUNT);
    pn_data_put_ulong(d, WL_ATTACH_MAX_MESSAGE_SIZE);
    close_described(d);
}

static uint64_t attach_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x12)) return 0;
    uint64_t h = 0;
    h = next_string(h, d);
    h = dg(h, next_uint(d));
    h = dg(h, next_bool(d));
    h = dg(h, next_ubyte(d));
    h = dg(h, next_ubyte(d));
    if (!enter_described(d, 0x28)) return 0;
    h = next_string(h, d);
    h = dg(h, next_uint(d));
    h = next_symbol(h, d);
    h = dg(h, next_uint(d));
    pn_data_exit(d);
    pn_data_exit(d);
    if (!enter_described(d, 0x29)) return 0;
    h = next_string(h, d);
    h = dg(h, next_uint(d));
    pn_data_exit(d);
    pn_data_exit(d);
    skip(d, 2); /* unsettled, incomplete-unsettled */
    h = dg(h, next_uint(d));
    return dg(h, next_ulong(d));
}

static void flow_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x13);
    pn_data_put_uint(d, WL_FLOW_NEXT_INCOMING_ID);
    pn_data_put_uint(d, WL_FLOW_INCOMING_WINDOW);
    pn_data_put_uint(d, WL_FLOW_NEXT_OUTGOING_ID);
    pn_data_put_uint(d, WL_FLOW_OUTGOING_WINDOW);
    pn_data_put_uint(d, WL_FLOW_HANDLE);
    pn_data_put_uint(d, WL_FLOW_DELIVERY_COUNT);
    pn_data_put_uint(d, WL_FLOW_LINK_CREDIT);
    pn_data_put_null(d); /* available */
    pn_data_put_bool(d, WL_FLOW_DRAIN);
    close_described(d);
}

static uint64_t flow_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x13)) return 0;
    uint64_t h = 0;
    for (int i = 0; i < 7; i++) h = dg(h, next_uint(d));
    skip(d, 1); /* available */
    return dg(h, next_bool(d));
}

static void transfer_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x14);
    pn_data_put_uint(d, WL_TRANSFER_HANDLE);
    pn_data_put_uint(d, WL_TRANSFER_DELIVERY_ID);
    pn_data_put_binary(d, pn_bytes(sizeof wl_transfer_tag, (const char *)wl_transfer_tag));
    pn_data_put_uint(d, WL_TRANSFER_MESSAGE_FORMAT);
    pn_data_put_bool(d, WL_TRANSFER_SETTLED);
    close_described(d);
}

static uint64_t transfer_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x14)) return 0;
    uint64_t h = 0;
    h = dg(h, next_uint(d));
    h = dg(h, next_uint(d));
    h = next_binary(h, d);
    h = dg(h, next_uint(d));
    return dg(h, next_bool(d));
}

static void disposition_puts(pn_data_t *d)
{
    pn_data_clear(d);
    open_described(d, 0x15);
    pn_data_put_bool(d, WL_DISPOSITION_ROLE);
    pn_data_put_uint(d, WL_DISPOSITION_FIRST);
    pn_data_put_uint(d, WL_DISPOSITION_LAST);
    pn_data_put_bool(d, WL_DISPOSITION_SETTLED);
    open_described(d, 0x24); /* accepted */
    close_described(d);
    close_described(d);
}

static uint64_t disposition_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_data_t *d = decode_tree(ctx, p, n);
    if (!d || !enter_described(d, 0x15)) return 0;
    uint64_t h = 0;
    h = dg(h, next_bool(d));
    h = dg(h, next_uint(d));
    h = dg(h, next_uint(d));
    h = dg(h, next_bool(d));
    bool accepted = enter_described(d, 0x24);
    return dg(h, accepted);
}

/* ---- messages ------------------------------------------------------------ */

static void app_properties_puts(pn_data_t *d, const wl_message *w)
{
    pn_data_put_map(d);
    pn_data_enter(d);
    for (size_t i = 0; i < w->prop_count; i++) {
        const wl_prop *p = &w->props[i];
        pn_data_put_string(d, cbytes(p->key));
        switch (p->kind) {
        case WL_STRING: pn_data_put_string(d, cbytes(p->s)); break;
        case WL_INT: pn_data_put_int(d, p->i); break;
        case WL_BOOL: pn_data_put_bool(d, p->b); break;
        }
    }
    pn_data_exit(d);
}

/* The three sections as one pn_data_t with three top-level values
 * (pn_data_encode writes them back to back). */
static void message_puts_sections(pn_data_t *d, const wl_message *w)
{
    pn_data_clear(d);
    open_described(d, 0x73); /* properties */
    pn_data_put_string(d, cbytes(WL_MSG_ID));
    pn_data_put_null(d); /* user-id */
    pn_data_put_string(d, cbytes(WL_MSG_TO));
    pn_data_put_string(d, cbytes(WL_MSG_SUBJECT));
    pn_data_put_null(d); /* reply-to */
    pn_data_put_null(d); /* correlation-id */
    pn_data_put_symbol(d, cbytes(WL_MSG_CONTENT_TYPE));
    pn_data_put_null(d); /* content-encoding */
    pn_data_put_null(d); /* absolute-expiry-time */
    pn_data_put_timestamp(d, WL_MSG_CREATION_TIME);
    close_described(d);
    pn_data_put_described(d);
    pn_data_enter(d);
    pn_data_put_ulong(d, 0x74); /* application-properties */
    app_properties_puts(d, w);
    pn_data_exit(d);
    pn_data_put_described(d);
    pn_data_enter(d);
    pn_data_put_ulong(d, 0x75); /* data */
    pn_data_put_binary(d, pn_bytes(w->body_len, (const char *)w->body));
    pn_data_exit(d);
}

static uint64_t dg_cstr(uint64_t h, const char *s) { return s ? dg_view(h, s, strlen(s)) : dg(h, 0); }

static uint64_t message_decode(void *ctx, const uint8_t *p, size_t n)
{
    pn_message_t *m = ((proton_ctx *)ctx)->msg;
    if (pn_message_decode(m, (const char *)p, n) != 0) return 0;
    pn_msgid_t id = pn_message_get_id(m);
    if (id.type != PN_STRING) return 0;
    uint64_t h = dg_view(0, id.u.as_bytes.start, id.u.as_bytes.size);
    h = dg_cstr(h, pn_message_get_address(m));
    h = dg_cstr(h, pn_message_get_subject(m));
    h = dg_cstr(h, pn_message_get_content_type(m));
    h = dg(h, (uint64_t)pn_message_get_creation_time(m));

    pn_data_t *d = pn_message_properties(m);
    pn_data_rewind(d);
    if (!pn_data_next(d) || pn_data_type(d) != PN_MAP) return 0;
    size_t entries = pn_data_get_map(d) / 2;
    pn_data_enter(d);
    for (size_t i = 0; i < entries; i++) {
        if (!pn_data_next(d) || pn_data_type(d) != PN_STRING) return 0;
        pn_bytes_t k = pn_data_get_string(d);
        h = dg_view(h, k.start, k.size);
        if (!pn_data_next(d)) return 0;
        switch (pn_data_type(d)) {
        case PN_STRING: {
            pn_bytes_t s = pn_data_get_string(d);
            h = dg_view(h, s.start, s.size);
            break;
        }
        case PN_INT: h = dg(h, (uint64_t)(int64_t)pn_data_get_int(d)); break;
        case PN_BOOL: h = dg(h, pn_data_get_bool(d)); break;
        default: return 0;
        }
    }

    d = pn_message_body(m);
    pn_data_rewind(d);
    if (!pn_data_next(d) || pn_data_type(d) != PN_BINARY) return 0;
    pn_bytes_t b = pn_data_get_binary(d);
    return dg_view(h, b.start, b.size);
}

/* ---- setup, encode and the tables ---------------------------------------- */

/* Per type: how to build the tree; NULL for messages. */
static void (*tree_puts(const char *type))(pn_data_t *)
{
    static const struct {
        const char *type;
        void (*puts)(pn_data_t *);
    } table[] = {
        {"open", open_puts},         {"begin", begin_puts},       {"attach", attach_puts},
        {"flow", flow_puts},         {"transfer", transfer_puts}, {"disposition", disposition_puts},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].type, type) == 0) return table[i].puts;
    return NULL;
}

static void *proton_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)ref, (void)ref_len;
    proton_ctx *c = ctx_new();
    if (!c) return NULL;
    void (*puts)(pn_data_t *) = tree_puts(type);
    if (puts) {
        puts(c->tree);
        return c;
    }
    c->w = workload_message(type);
    c->msg = pn_message();
    if (!c->w || !c->msg) {
        proton_teardown(c);
        return NULL;
    }
    message_puts_sections(c->tree, c->w); /* for proton-puts validation */
    pn_message_t *m = c->msg;
    pn_msgid_t id = {.type = PN_STRING, .u.as_bytes = cbytes(WL_MSG_ID)};
    pn_message_set_inferred(m, true); /* a binary body is a data section */
    if (pn_message_set_id(m, id) || pn_message_set_address(m, WL_MSG_TO) ||
        pn_message_set_subject(m, WL_MSG_SUBJECT) || pn_message_set_content_type(m, WL_MSG_CONTENT_TYPE) ||
        pn_message_set_creation_time(m, WL_MSG_CREATION_TIME)) {
        proton_teardown(c);
        return NULL;
    }
    app_properties_puts(pn_message_properties(m), c->w);
    pn_data_put_binary(pn_message_body(m), pn_bytes(c->w->body_len, (const char *)c->w->body));
    return c;
}

/* proton: encode of the prebuilt tree. */
static size_t tree_encode(void *ctx, uint8_t *buf, size_t cap)
{
    ssize_t n = pn_data_encode(((proton_ctx *)ctx)->tree, (char *)buf, cap);
    return n > 0 ? (size_t)n : 0;
}
BENCH_ENCODE_LOOP(tree)

static size_t message_encode(void *ctx, uint8_t *buf, size_t cap)
{
    size_t size = cap;
    return pn_message_encode(((proton_ctx *)ctx)->msg, (char *)buf, &size) == 0 ? size : 0;
}
BENCH_ENCODE_LOOP(message)

#define DECODE_ONLY(NAME) BENCH_DECODE_LOOP(NAME)
DECODE_ONLY(open)
DECODE_ONLY(begin)
DECODE_ONLY(attach)
DECODE_ONLY(flow)
DECODE_ONLY(transfer)
DECODE_ONLY(disposition)
DECODE_ONLY(message)

#define PROTON_TREE_CASE(TYPE, NAME)                                                               \
    {TYPE, proton_setup, tree_encode, NAME##_decode, tree_encode_loop, NAME##_decode_loop, proton_teardown}
#define PROTON_MESSAGE_CASE(TYPE)                                                                  \
    {TYPE, proton_setup, message_encode, message_decode, message_encode_loop, message_decode_loop, proton_teardown}

static const bench_case proton_cases[] = {
    PROTON_TREE_CASE("open", open),
    PROTON_TREE_CASE("begin", begin),
    PROTON_TREE_CASE("attach", attach),
    PROTON_TREE_CASE("flow", flow),
    PROTON_TREE_CASE("transfer", transfer),
    PROTON_TREE_CASE("disposition", disposition),
    PROTON_MESSAGE_CASE("message"),
    PROTON_MESSAGE_CASE("message-1mib"),
    PROTON_MESSAGE_CASE("message-50props"),
};

const bench_impl bench_impl_proton = {
    "proton",
    "Qpid Proton-C: encode a prebuilt pn_data tree / pn_message; decode with pn_data_decode / "
    "pn_message_decode, then every field read with getters",
    1,
    proton_cases,
    sizeof proton_cases / sizeof proton_cases[0],
};

/* proton-puts: the puts are part of every encode. */
#define PUTS_ENCODE(NAME)                                                                          \
    static size_t NAME##_puts_encode(void *ctx, uint8_t *buf, size_t cap)                          \
    {                                                                                              \
        NAME##_puts(((proton_ctx *)ctx)->tree);                                                    \
        return tree_encode(ctx, buf, cap);                                                         \
    }                                                                                              \
    BENCH_ENCODE_LOOP(NAME##_puts)
PUTS_ENCODE(open)
PUTS_ENCODE(begin)
PUTS_ENCODE(attach)
PUTS_ENCODE(flow)
PUTS_ENCODE(transfer)
PUTS_ENCODE(disposition)

static size_t message_puts_encode(void *ctx, uint8_t *buf, size_t cap)
{
    proton_ctx *c = ctx;
    message_puts_sections(c->tree, c->w);
    return tree_encode(ctx, buf, cap);
}
BENCH_ENCODE_LOOP(message_puts)

#define PUTS_CASE(TYPE, NAME)                                                                      \
    {TYPE, proton_setup, NAME##_puts_encode, NULL, NAME##_puts_encode_loop, NULL, proton_teardown}

static const bench_case proton_puts_cases[] = {
    PUTS_CASE("open", open),
    PUTS_CASE("begin", begin),
    PUTS_CASE("attach", attach),
    PUTS_CASE("flow", flow),
    PUTS_CASE("transfer", transfer),
    PUTS_CASE("disposition", disposition),
    PUTS_CASE("message", message),
    PUTS_CASE("message-1mib", message),
    PUTS_CASE("message-50props", message),
};

const bench_impl bench_impl_proton_puts = {
    "proton-puts",
    "Qpid Proton-C: pn_data puts of the whole value + pn_data_encode on every encode (no decode)",
    1,
    proton_puts_cases,
    sizeof proton_puts_cases / sizeof proton_puts_cases[0],
};

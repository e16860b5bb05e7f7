/* Properties, capabilities and filters: owned copies of the maps and
 * symbol lists that open and attach carry (ours and the peer's), their
 * validation, and the builders for filter-sets and fields maps. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

/* ---- copies ------------------------------------------------------------ */

bool eng_map_copy(famqp_connection *c, famqp_map *dst, famqp_map src)
{
    *dst = (famqp_map){0};
    if (!src.count || !src.len)
        return true;
    uint8_t *p = eng_alloc(c, src.len);
    if (!p)
        return false;
    memcpy(p, src.items, src.len);
    *dst = (famqp_map){.count = src.count, .items = p, .len = src.len};
    return true;
}

void eng_map_free(famqp_connection *c, famqp_map *m)
{
    eng_free(c, (void *)m->items);
    *m = (famqp_map){0};
}

/* One block: count pointers, count famqp_symbol views, then the bytes. */
static bool syms_alloc(famqp_connection *c, eng_syms *dst, uint32_t count, size_t bytes)
{
    size_t head = count * (sizeof(char *) + sizeof(famqp_symbol));
    void *block = eng_alloc(c, head + bytes);
    if (!block)
        return false;
    dst->block = block;
    dst->view.items = block;
    dst->view.count = count;
    dst->wire = (const famqp_symbol *)((char *)block + count * sizeof(char *));
    return true;
}

static char *syms_text(eng_syms *s) { return (char *)s->block + s->view.count * (sizeof(char *) + sizeof(famqp_symbol)); }

static void syms_set(eng_syms *s, uint32_t i, char *text, const char *src, size_t len)
{
    memcpy(text, src, len);
    text[len] = '\0';
    ((const char **)s->block)[i] = text;
    ((famqp_symbol *)s->wire)[i] = (famqp_symbol){text, len};
}

bool eng_syms_copy(famqp_connection *c, eng_syms *dst, famqp_symbols src)
{
    *dst = (eng_syms){0};
    if (!src.count)
        return true;
    size_t bytes = 0;
    for (uint32_t i = 0; i < src.count; i++)
        bytes += strlen(src.items[i]) + 1;
    if (!syms_alloc(c, dst, src.count, bytes))
        return false;
    char *text = syms_text(dst);
    for (uint32_t i = 0; i < src.count; i++) {
        size_t len = strlen(src.items[i]);
        syms_set(dst, i, text, src.items[i], len);
        text += len + 1;
    }
    return true;
}

bool eng_syms_from_wire(famqp_connection *c, eng_syms *dst, const famqp_multiple *m)
{
    *dst = (eng_syms){0};
    if (!m->count)
        return true;
    /* Two passes over the decoded array: sizes, then copies.  A list of
     * something other than symbols is kept as empty (the field is typed
     * symbol; the decoder already checked the encoding). */
    famqp_iter it;
    famqp_symbol sym;
    size_t bytes = 0;
    uint32_t n = 0;
    famqp_multiple_iter(m, &it);
    while (famqp_array_next_symbol(&it, &sym)) {
        bytes += sym.len + 1;
        n++;
    }
    if (!n)
        return true;
    if (!syms_alloc(c, dst, n, bytes))
        return false;
    char *text = syms_text(dst);
    uint32_t i = 0;
    famqp_multiple_iter(m, &it);
    while (i < n && famqp_array_next_symbol(&it, &sym)) {
        syms_set(dst, i++, text, sym.ptr, sym.len);
        text += sym.len + 1;
    }
    return true;
}

void eng_syms_free(famqp_connection *c, eng_syms *s)
{
    eng_free(c, s->block);
    *s = (eng_syms){0};
}

famqp_multiple eng_syms_multiple(const eng_syms *s)
{
    famqp_multiple m = {0};
    m.count = s->view.count;
    m.items = s->wire;
    return m;
}

/* ---- validation -------------------------------------------------------- */

static famqp_engine_status refuse(famqp_engine_status st, char *why, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static famqp_engine_status refuse(famqp_engine_status st, char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

static famqp_engine_status check_map(famqp_map m, bool symbol_keys, const char *what, char *why, size_t cap)
{
    if (!m.count)
        return FAMQP_ENGINE_OK;
    if (m.count % 2)
        return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: %" PRIu32 " map entries is odd (keys plus values)", what, m.count);
    if (m.len > FAMQP_ENGINE_MAX_FIELDS_SIZE)
        return refuse(FAMQP_ENGINE_ERR_LIMIT, why, cap, "%s: %zu bytes exceed FAMQP_ENGINE_MAX_FIELDS_SIZE = %u", what,
                      m.len, FAMQP_ENGINE_MAX_FIELDS_SIZE);
    if (!m.items)
        return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: %" PRIu32 " entries but no bytes", what, m.count);
    const uint8_t *p = m.items, *end = m.items + m.len;
    for (uint32_t i = 0; i < m.count; i++) {
        size_t len = 0;
        famqp_error err;
        if (p == end || famqp_value_validate(p, (size_t)(end - p), NULL, &len, &err) != FAMQP_OK)
            return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: entry %" PRIu32 " of %" PRIu32 " is not a well-formed value",
                          what, i, m.count);
        if (symbol_keys && i % 2 == 0 && famqp_value_kind((famqp_value){p, len}) != FAMQP_KIND_SYMBOL)
            return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: key %" PRIu32 " is not a symbol", what, i / 2);
        p += len;
    }
    if (p != end)
        return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: %zu bytes after the last entry", what, (size_t)(end - p));
    return FAMQP_ENGINE_OK;
}

famqp_engine_status eng_check_map(famqp_map m, const char *what, char *why, size_t cap)
{
    return check_map(m, true, what, why, cap);
}

famqp_engine_status eng_check_any_map(famqp_map m, const char *what, char *why, size_t cap)
{
    return check_map(m, false, what, why, cap);
}

famqp_engine_status eng_check_syms(famqp_symbols s, const char *what, char *why, size_t cap)
{
    if (s.count > FAMQP_ENGINE_MAX_SYMBOLS)
        return refuse(FAMQP_ENGINE_ERR_LIMIT, why, cap, "%s: %" PRIu32 " symbols exceed FAMQP_ENGINE_MAX_SYMBOLS = %u", what,
                      s.count, FAMQP_ENGINE_MAX_SYMBOLS);
    if (s.count && !s.items)
        return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: count %" PRIu32 " but items is NULL", what, s.count);
    for (uint32_t i = 0; i < s.count; i++) {
        const char *sym = s.items[i];
        if (!sym)
            return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: symbol %" PRIu32 " is NULL", what, i);
        size_t len = 0;
        while (len <= FAMQP_ENGINE_MAX_SYMBOL_LEN && sym[len])
            len++;
        if (len > FAMQP_ENGINE_MAX_SYMBOL_LEN)
            return refuse(FAMQP_ENGINE_ERR_LIMIT, why, cap,
                          "%s: symbol %" PRIu32 " is longer than FAMQP_ENGINE_MAX_SYMBOL_LEN = %u", what, i,
                          FAMQP_ENGINE_MAX_SYMBOL_LEN);
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)sym[k] > 0x7f)
                return refuse(FAMQP_ENGINE_ERR_ARG, why, cap, "%s: symbol %" PRIu32 " is not ASCII", what, i);
    }
    return FAMQP_ENGINE_OK;
}

/* ---- the peer's termini -------------------------------------------------- */

static bool dup_sym(famqp_connection *c, char **dst, famqp_symbol s, bool present)
{
    bool ok = true;
    if (present)
        *dst = eng_strndup(c, s.ptr, s.len, &ok);
    return ok;
}

static bool dup_address(famqp_connection *c, char **dst, const famqp_any_address *a)
{
    bool ok = true;
    if (a->kind == FAMQP_ANY_ADDRESS_ADDRESS_STRING)
        *dst = eng_strndup(c, a->u.address_string.ptr, a->u.address_string.len, &ok);
    return ok;
}

bool eng_terminus_from_source(famqp_connection *c, eng_terminus *t, const famqp_source *s)
{
    t->present = true;
    t->durable = s->durable;
    t->timeout = s->timeout;
    t->dynamic = s->dynamic;
    return dup_address(c, &t->address, &s->address) &&
           dup_sym(c, &t->expiry_policy, s->expiry_policy, s->present & FAMQP_SOURCE_HAS_EXPIRY_POLICY) &&
           dup_sym(c, &t->distribution_mode, s->distribution_mode, s->present & FAMQP_SOURCE_HAS_DISTRIBUTION_MODE) &&
           eng_map_copy(c, &t->node_props, s->dynamic_node_properties) && eng_map_copy(c, &t->filter, s->filter) &&
           eng_syms_from_wire(c, &t->caps, &s->capabilities);
}

bool eng_terminus_from_target(famqp_connection *c, eng_terminus *t, const famqp_target *tg)
{
    t->present = true;
    t->durable = tg->durable;
    t->timeout = tg->timeout;
    t->dynamic = tg->dynamic;
    return dup_address(c, &t->address, &tg->address) &&
           dup_sym(c, &t->expiry_policy, tg->expiry_policy, tg->present & FAMQP_TARGET_HAS_EXPIRY_POLICY) &&
           eng_map_copy(c, &t->node_props, tg->dynamic_node_properties) &&
           eng_syms_from_wire(c, &t->caps, &tg->capabilities);
}

void eng_terminus_free(famqp_connection *c, eng_terminus *t)
{
    eng_free(c, t->address);
    eng_free(c, t->expiry_policy);
    eng_free(c, t->distribution_mode);
    eng_map_free(c, &t->node_props);
    eng_map_free(c, &t->filter);
    eng_syms_free(c, &t->caps);
    *t = (eng_terminus){0};
}

void eng_terminus_view(const eng_terminus *t, famqp_terminus_info *out)
{
    *out = (famqp_terminus_info){
        .address = t->address,
        .durable = t->durable,
        .expiry_policy = t->expiry_policy,
        .timeout = t->timeout,
        .dynamic = t->dynamic,
        .dynamic_node_properties = t->node_props,
        .capabilities = t->caps.view,
        .filter = t->filter,
        .distribution_mode = t->distribution_mode,
    };
}

/* ---- builders ------------------------------------------------------------- */

/* Microsoft's registered descriptor for Service Bus session filters. */
#define SESSION_FILTER_NAME "com.microsoft:session-filter"
#define SESSION_FILTER_CODE UINT64_C(0x000001370000000C)

void famqp_filter_set_init(famqp_filter_set_builder *b, void *buf, size_t cap)
{
    famqp_writer_init(&b->writer, buf, cap);
    famqp_write_map_begin(&b->writer);
}

void famqp_filter_set_put(famqp_filter_set_builder *b, const char *key, const char *descriptor_name,
                          uint64_t descriptor_code, famqp_value value)
{
    famqp_writer *w = &b->writer;
    famqp_write_csymbol(w, key ? key : "");
    famqp_write_described(w);
    if (descriptor_name)
        famqp_write_csymbol(w, descriptor_name);
    else
        famqp_write_ulong(w, descriptor_code);
    if (value.len)
        famqp_write_value(w, value);
    else
        famqp_write_null(w);
}

/* A described string (or null) filter without an intermediate buffer. */
static void put_string_filter(famqp_filter_set_builder *b, const char *key, uint64_t code, const char *text)
{
    famqp_writer *w = &b->writer;
    famqp_write_csymbol(w, key);
    famqp_write_described(w);
    famqp_write_ulong(w, code);
    if (text)
        famqp_write_cstring(w, text);
    else
        famqp_write_null(w);
}

void famqp_filter_set_put_selector(famqp_filter_set_builder *b, const char *selector)
{
    put_string_filter(b, "selector", FAMQP_SELECTOR_FILTER_CODE, selector ? selector : "");
}

void famqp_filter_set_put_session(famqp_filter_set_builder *b, const char *session_id)
{
    put_string_filter(b, SESSION_FILTER_NAME, SESSION_FILTER_CODE, session_id);
}

static famqp_status map_finish(famqp_writer *w, famqp_map *out)
{
    famqp_write_map_end(w);
    famqp_status st = famqp_writer_status(w);
    if (st != FAMQP_OK)
        return st;
    if (!famqp_map_of(w->buf, famqp_writer_len(w), out))
        return FAMQP_ERR_INVALID_VALUE;
    return FAMQP_OK;
}

famqp_status famqp_filter_set_finish(famqp_filter_set_builder *b, famqp_map *out)
{
    return map_finish(&b->writer, out);
}

void famqp_fields_init(famqp_fields_builder *b, void *buf, size_t cap)
{
    famqp_writer_init(&b->writer, buf, cap);
    famqp_write_map_begin(&b->writer);
}

famqp_writer *famqp_fields_key(famqp_fields_builder *b, const char *key)
{
    famqp_write_csymbol(&b->writer, key ? key : "");
    return &b->writer;
}

famqp_status famqp_fields_finish(famqp_fields_builder *b, famqp_map *out) { return map_finish(&b->writer, out); }

/* Copies of what the application's options point at (strings, maps,
 * symbol lists), kept by the client in one block each so a reconnect can
 * open the connection and attach its links again with them after the
 * application reused its buffers. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* Counts (base NULL) or copies into base: the same walk does both. */
typedef struct pack {
    uint8_t *base;
    size_t used;
} pack;

static void *put(pack *k, const void *src, size_t n, size_t align)
{
    k->used = (k->used + align - 1) / align * align;
    void *at = k->base ? k->base + k->used : NULL;
    if (at && src)
        memcpy(at, src, n);
    k->used += n;
    return at;
}

static const char *put_str(pack *k, const char *s) { return s ? put(k, s, strlen(s) + 1, 1) : NULL; }

static famqp_map put_map(pack *k, famqp_map m)
{
    if (!m.count)
        return (famqp_map){0};
    m.items = put(k, m.items, m.len, 1);
    return m;
}

static famqp_symbols put_syms(pack *k, famqp_symbols s)
{
    if (!s.count)
        return (famqp_symbols){0};
    const char **items = put(k, NULL, s.count * sizeof *items, alignof(const char *));
    for (uint32_t i = 0; i < s.count; i++) {
        const char *t = put_str(k, s.items[i]);
        if (items)
            items[i] = t;
    }
    return (famqp_symbols){items, s.count};
}

static void pack_link(pack *k, famqp_link_options *dst, const famqp_link_options *src)
{
    *dst = *src;
    dst->source_address = put_str(k, src->source_address);
    dst->target_address = put_str(k, src->target_address);
    dst->expiry_policy = put_str(k, src->expiry_policy);
    dst->source_filter = put_map(k, src->source_filter);
    dst->dynamic_node_properties = put_map(k, src->dynamic_node_properties);
    dst->properties = put_map(k, src->properties);
    dst->source_capabilities = put_syms(k, src->source_capabilities);
    dst->target_capabilities = put_syms(k, src->target_capabilities);
    dst->offered_capabilities = put_syms(k, src->offered_capabilities);
    dst->desired_capabilities = put_syms(k, src->desired_capabilities);
}

bool client_keep_link_options(famqp_link_options *dst, const famqp_link_options *src, void **block)
{
    pack k = {0};
    pack_link(&k, dst, src);
    k.base = malloc(k.used ? k.used : 1);
    if (!k.base)
        return false;
    k.used = 0;
    pack_link(&k, dst, src);
    *block = k.base;
    return true;
}

static void pack_conn(pack *k, famqp_connection_options *dst, const famqp_client_options *src)
{
    dst->properties = put_map(k, src->properties);
    dst->offered_capabilities = put_syms(k, src->offered_capabilities);
    dst->desired_capabilities = put_syms(k, src->desired_capabilities);
}

bool client_keep_connection_fields(famqp_connection_options *dst, const famqp_client_options *src, void **block)
{
    pack k = {0};
    pack_conn(&k, dst, src);
    k.base = malloc(k.used ? k.used : 1);
    if (!k.base)
        return false;
    k.used = 0;
    pack_conn(&k, dst, src);
    *block = k.base;
    return true;
}

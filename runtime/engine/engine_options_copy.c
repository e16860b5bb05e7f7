/* Copies of what options point at (strings, maps, symbol lists), each in
 * one block, so a client can open a connection or attach a link again on
 * reconnect after the application reused its buffers. */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/engine.h"

/* Counts (base NULL) or copies into base: the same walk does both, so the
 * block is sized by exactly what is copied. */
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

static void pack_connection(pack *k, famqp_connection_options *dst, const famqp_connection_options *src)
{
    *dst = *src;
    dst->container_id = put_str(k, src->container_id);
    dst->hostname = put_str(k, src->hostname);
    dst->sasl_username = put_str(k, src->sasl_username);
    dst->sasl_password = put_str(k, src->sasl_password);
    dst->properties = put_map(k, src->properties);
    dst->offered_capabilities = put_syms(k, src->offered_capabilities);
    dst->desired_capabilities = put_syms(k, src->desired_capabilities);
}

typedef void walk_fn(pack *k, void *dst, const void *src);

static void walk_link(pack *k, void *dst, const void *src) { pack_link(k, dst, src); }
static void walk_connection(pack *k, void *dst, const void *src) { pack_connection(k, dst, src); }

/* The two passes: size (into scratch), allocate, copy into dst.  The block
 * starts with its size so famqp_options_copy_free can wipe it (it may hold
 * a password). */
typedef union block_head {
    size_t size;
    max_align_t align;
} block_head;

static famqp_engine_status copy_with(walk_fn *walk, void *dst, void *scratch, const void *src, void **block)
{
    pack k = {0};
    walk(&k, scratch, src);
    block_head *head = malloc(sizeof *head + k.used);
    if (!head)
        return FAMQP_ENGINE_ERR_NOMEM;
    head->size = sizeof *head + k.used;
    k.base = (uint8_t *)(head + 1);
    k.used = 0;
    walk(&k, dst, src);
    *block = head;
    return FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_link_options_copy(famqp_link_options *dst, const famqp_link_options *src, void **block)
{
    if (!dst || !src || !block)
        return FAMQP_ENGINE_ERR_ARG;
    famqp_link_options from = *src, scratch; /* dst may be src */
    return copy_with(walk_link, dst, &scratch, &from, block);
}

famqp_engine_status famqp_connection_options_copy(famqp_connection_options *dst, const famqp_connection_options *src,
                                                  void **block)
{
    if (!dst || !src || !block)
        return FAMQP_ENGINE_ERR_ARG;
    famqp_connection_options from = *src, scratch;
    return copy_with(walk_connection, dst, &scratch, &from, block);
}

void famqp_options_copy_free(void *block)
{
    if (!block)
        return;
    block_head *head = block;
    for (volatile uint8_t *q = block, *end = q + head->size; q < end; q++)
        *q = 0;
    free(block);
}

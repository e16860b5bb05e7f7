/* Section maps built entry by entry into the caller's buffer
 * (famqp_map_builder), attached with famqp_message_set_map. */
#include <string.h>

#include "message_internal.h"

/* Application-properties are keyed by string, the annotation maps and the
 * footer by symbol (AMQP 1.0 3.2.10, 3.2.3, 3.2.2, 3.2.11). */
static bool keys_are_strings(const famqp_map_builder *b)
{
    return b->section == FAMQP_ANY_SECTION_APPLICATION_PROPERTIES;
}

void famqp_map_builder_init(famqp_map_builder *b, famqp_any_section_kind section, void *buf, size_t cap)
{
    famqp_writer_init(&b->writer, buf, cap);
    b->section = section;
    b->entries = 0;
    famqp_write_map_begin(&b->writer);
}

static void put_key(famqp_map_builder *b, const char *key)
{
    if (keys_are_strings(b))
        famqp_write_cstring(&b->writer, key);
    else
        famqp_write_csymbol(&b->writer, key);
}

/* One put per value type: the key as the section wants it, then the value. */
#define MAP_PUT(NAME, CTYPE, WRITE)                                                  \
    void famqp_map_builder_put_##NAME(famqp_map_builder *b, const char *key, CTYPE value) \
    {                                                                                \
        put_key(b, key);                                                             \
        WRITE(&b->writer, value);                                                    \
    }
MAP_PUT(string, const char *, famqp_write_cstring)
MAP_PUT(symbol, const char *, famqp_write_csymbol)
MAP_PUT(bool, bool, famqp_write_bool)
MAP_PUT(int, int32_t, famqp_write_int)
MAP_PUT(long, int64_t, famqp_write_long)
MAP_PUT(uint, uint32_t, famqp_write_uint)
MAP_PUT(ulong, uint64_t, famqp_write_ulong)
MAP_PUT(double, double, famqp_write_double)
MAP_PUT(timestamp, int64_t, famqp_write_timestamp)
MAP_PUT(uuid, famqp_uuid, famqp_write_uuid)
#undef MAP_PUT

void famqp_map_builder_put_binary(famqp_map_builder *b, const char *key, const void *value, size_t len)
{
    put_key(b, key);
    famqp_write_binary(&b->writer, famqp_binary_of(value, len));
}

size_t famqp_map_builder_len(const famqp_map_builder *b)
{
    /* the map is still open: count its closing too (a map32's size and
     * count are already reserved, so closing adds no bytes) */
    return famqp_writer_len(&b->writer);
}

/* Where a builder's section goes in a message, and its present bit. */
static famqp_map *section_map(famqp_message *m, famqp_any_section_kind section, uint32_t *bit)
{
    switch (section) {
    case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES:
        *bit = FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
        return &m->application_properties.value;
    case FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS:
        *bit = FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS;
        return &m->message_annotations.value;
    case FAMQP_ANY_SECTION_DELIVERY_ANNOTATIONS:
        *bit = FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS;
        return &m->delivery_annotations.value;
    case FAMQP_ANY_SECTION_FOOTER:
        *bit = FAMQP_MESSAGE_HAS_FOOTER;
        return &m->footer.value;
    default:
        return NULL;
    }
}

famqp_status famqp_message_set_map(famqp_message *m, famqp_map_builder *b)
{
    uint32_t bit;
    famqp_map *target = section_map(m, b->section, &bit);
    if (!target)
        return FAMQP_ERR_INVALID_VALUE;
    famqp_writer *w = &b->writer;
    if (w->depth == 1) { /* still open (a second call finds it closed) */
        b->entries = w->open[0].count;
        famqp_write_map_end(w);
    }
    famqp_status st = famqp_writer_status(w);
    if (st != FAMQP_OK)
        return st;
    /* The builder wrote this map itself, a map32 at offset 0 (code, size,
     * count, entries), so the view is read off its header instead of
     * validating every entry again as famqp_map_of would. */
    enum { MAP32_HEADER = 1 + 4 + 4 };
    size_t len = famqp_writer_len(w);
    if (len < MAP32_HEADER || w->buf[0] != FAMQP_CODE_MAP32)
        return FAMQP_ERR_INVALID_VALUE;
    famqp_map map = {b->entries, w->buf + MAP32_HEADER, len - MAP32_HEADER};
    *target = map;
    m->present |= bit;
    return FAMQP_OK;
}

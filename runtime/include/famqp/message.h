/* flatamqp: AMQP 1.0 messages (format 0) built from and read into the
 * generated section types.
 *
 * A message is a sequence of sections in a fixed order:
 *   header? delivery-annotations? message-annotations? properties?
 *   application-properties? body footer?
 * where the body is one or more data sections, one or more amqp-sequence
 * sections, or exactly one amqp-value section.
 *
 * Reading is zero-copy: famqp_message_decode fills a famqp_message whose
 * views point into the decoded bytes, so keep those bytes alive while the
 * message is used.  Writing is write-or-count like the generated encoders.
 */
#ifndef FAMQP_MESSAGE_H
#define FAMQP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/codec.h"
#include "famqp_spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which sections a message holds (famqp_message.present). */
enum {
    FAMQP_MESSAGE_HAS_HEADER = 1u << 0,
    FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS = 1u << 1,
    FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS = 1u << 2,
    FAMQP_MESSAGE_HAS_PROPERTIES = 1u << 3,
    FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES = 1u << 4,
    FAMQP_MESSAGE_HAS_FOOTER = 1u << 5
};

typedef enum famqp_body_kind {
    FAMQP_BODY_NONE = 0, /* no body section (the standard requires one; read leniently) */
    FAMQP_BODY_DATA,     /* one or more data sections */
    FAMQP_BODY_SEQUENCE, /* one or more amqp-sequence sections */
    FAMQP_BODY_VALUE     /* one amqp-value section */
} famqp_body_kind;

typedef struct famqp_message_body {
    famqp_body_kind kind;
    /* Number of body sections.  Decoding sets it; encoding a DATA or
     * SEQUENCE body with count > 1 takes the sections from the parts
     * arrays below (or, when those are NULL, writes `wire` verbatim). */
    uint32_t count;
    famqp_binary data;     /* DATA: the (first) data section's bytes */
    famqp_list sequence;   /* SEQUENCE: the (first) amqp-sequence's list */
    famqp_value value;     /* VALUE: the amqp-value's value */
    const famqp_binary *data_parts;   /* encode: `count` data sections */
    const famqp_list *sequence_parts; /* encode: `count` sequences */
    /* Decode: every body section as encoded, back to back (iterate them
     * with famqp_message_body_iter). */
    famqp_binary wire;
} famqp_message_body;

typedef struct famqp_message {
    uint32_t present; /* FAMQP_MESSAGE_HAS_* */
    famqp_header header;
    famqp_delivery_annotations delivery_annotations;
    famqp_message_annotations message_annotations;
    famqp_properties properties;
    famqp_application_properties application_properties;
    famqp_message_body body;
    famqp_footer footer;
} famqp_message;

/* An empty message: no sections, every section struct at its defaults. */
void famqp_message_init(famqp_message *m);

/* Decodes the sections in p[0..n) (the payload of one delivery).  Returns
 * FAMQP_OK, or an error with *err naming the section and offset: a value
 * that is not a message section, a section out of order or repeated,
 * body sections of different kinds, anything after the footer, or any
 * decode error inside a section.  lim may be NULL (default limits). */
famqp_status famqp_message_decode(const uint8_t *p, size_t n, famqp_message *m, famqp_error *err);
famqp_status famqp_message_decode_ex(const uint8_t *p, size_t n, famqp_message *m, const famqp_limits *lim,
                                     famqp_error *err);

/* Encodes every present section in order.  Computes the exact size first
 * and checks it against cap once: returns the bytes written or, when cap
 * is too small, the size needed with nothing written (buf may be NULL with
 * cap 0 to count). */
size_t famqp_message_encode(uint8_t *buf, size_t cap, const famqp_message *m);

/* Body iteration over a decoded message (or any message whose body.wire is
 * set): each body section in turn; false at the end. */
typedef struct famqp_body_iter {
    const uint8_t *p, *end;
} famqp_body_iter;
void famqp_message_body_iter(const famqp_message *m, famqp_body_iter *it);
bool famqp_message_body_next(famqp_body_iter *it, famqp_any_section *section);

/* Body setters (views are kept, not copied). */
void famqp_message_set_data(famqp_message *m, const void *ptr, size_t len);
void famqp_message_set_data_parts(famqp_message *m, const famqp_binary *parts, uint32_t count);
void famqp_message_set_value(famqp_message *m, famqp_value v);
void famqp_message_set_sequence(famqp_message *m, famqp_list l);
void famqp_message_set_sequence_parts(famqp_message *m, const famqp_list *parts, uint32_t count);

/* Sets a section map (delivery-annotations, message-annotations,
 * application-properties, footer) from a writer that wrote exactly one map
 * (famqp_write_map_begin ... famqp_write_map_end) into a buffer that holds
 * it completely; the view points into that buffer.  Returns false (and
 * changes nothing) when the writer did not produce one complete map. */
bool famqp_message_set_application_properties(famqp_message *m, const famqp_writer *w);
bool famqp_message_set_message_annotations(famqp_message *m, const famqp_writer *w);
bool famqp_message_set_delivery_annotations(famqp_message *m, const famqp_writer *w);
bool famqp_message_set_footer(famqp_message *m, const famqp_writer *w);

/* Application property lookup by (string) name; false when the message has
 * no application-properties or no such key. */
bool famqp_message_property(const famqp_message *m, const char *name, famqp_value *out);
/* Message annotation lookup by (symbol) key, e.g. "x-opt-partition-key". */
bool famqp_message_annotation(const famqp_message *m, const char *key, famqp_value *out);

/* Section names as the standard spells them ("header", "properties",
 * "data", ...), for messages. */
const char *famqp_section_name(famqp_any_section_kind k);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_MESSAGE_H */

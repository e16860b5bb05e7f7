/** @file famqp/message.h
 * @brief flatamqp: AMQP 1.0 messages (format 0) built from and read into the
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
 * message is used (a received delivery's bytes live until it is settled).
 * Writing is write-or-count like the generated encoders.
 *
 * Building: famqp_message_init, then set what the message carries.  A
 * section is encoded when its bit is set in m->present, and also when any
 * of its fields is marked present (header, properties: their own `present`
 * bits) or its map has entries (annotations, application-properties,
 * footer), so filling m.properties.subject and its FAMQP_PROPERTIES_HAS_SUBJECT
 * bit is enough.  Every setter here keeps views, not copies: what they
 * point at must stay valid until the message is encoded or sent.
 *
 * Threads: a famqp_message is plain data; use one from one thread at a
 * time.  Nothing here allocates.
  *
 * Conventions (docs/api-conventions.md): results are the codec's
 * famqp_status (FAMQP_OK / `FAMQP_ERR_<WHAT>`) with a famqp_error (may be
 * NULL); nothing here allocates, so there is no out-of-memory status;
 * setters keep views, not copies.
 */
#ifndef FAMQP_MESSAGE_H
#define FAMQP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "famqp/codec.h"
#include "famqp_spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which sections a message holds (famqp_message.present). */
enum {
    FAMQP_MESSAGE_HAS_HEADER = 1u << 0,                 /**< header */
    FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS = 1u << 1,   /**< delivery-annotations */
    FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS = 1u << 2,    /**< message-annotations */
    FAMQP_MESSAGE_HAS_PROPERTIES = 1u << 3,             /**< properties */
    FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES = 1u << 4, /**< application-properties */
    FAMQP_MESSAGE_HAS_FOOTER = 1u << 5                  /**< footer */
};

/** Which kind of body a message has. */
typedef enum famqp_body_kind {
    FAMQP_BODY_NONE = 0, /**< no body section (the standard requires one; read leniently) */
    FAMQP_BODY_DATA,     /**< one or more data sections */
    FAMQP_BODY_SEQUENCE, /**< one or more amqp-sequence sections */
    FAMQP_BODY_VALUE     /**< one amqp-value section */
} famqp_body_kind;

/** A message's body: set it with the famqp_message_set_* body setters. */
typedef struct famqp_message_body {
    famqp_body_kind kind; /**< which of the members below holds the body */
    /** Number of body sections.  Decoding sets it; encoding a DATA or
     *  SEQUENCE body with count > 1 takes the sections from the parts
     *  arrays below (or, when those are NULL, writes `wire` verbatim). */
    uint32_t count;
    famqp_binary data;     /**< DATA: the (first) data section's bytes */
    famqp_list sequence;   /**< SEQUENCE: the (first) amqp-sequence's list */
    famqp_value value;     /**< VALUE: the amqp-value's value */
    /** Encode: a VALUE body whose `value` is empty and `text.ptr` set is an
     *  amqp-value string written from this view (famqp_message_set_string),
     *  so a string body needs no buffer to pre-encode it. */
    famqp_string text;
    const famqp_binary *data_parts;   /**< encode: `count` data sections */
    const famqp_list *sequence_parts; /**< encode: `count` sequences */
    /** Decode: every body section as encoded, back to back (iterate them
     *  with famqp_message_body_iter). */
    famqp_binary wire;
} famqp_message_body;

/** An AMQP 1.0 message: its sections, as the generated types of
 *  famqp_spec.h, and which of them are present. */
typedef struct famqp_message {
    uint32_t present; /**< FAMQP_MESSAGE_HAS_* */
    famqp_header header;                                  /**< header section */
    famqp_delivery_annotations delivery_annotations;      /**< delivery-annotations section */
    famqp_message_annotations message_annotations;        /**< message-annotations section */
    famqp_properties properties;                          /**< properties section */
    famqp_application_properties application_properties;  /**< application-properties section */
    famqp_message_body body;                              /**< the body sections */
    famqp_footer footer;                                  /**< footer section */
} famqp_message;

/** An empty message: no sections, every section struct at its defaults. */
FAMQP_API void famqp_message_init(famqp_message *m);

/** Decodes the sections in p[0..n) (the payload of one delivery).  Returns
 *  FAMQP_OK, or an error with *err naming the section and offset: a value
 *  that is not a message section, a section out of order or repeated,
 *  body sections of different kinds, anything after the footer, or any
 *  decode error inside a section.  Default limits. */
FAMQP_API famqp_status famqp_message_decode(const uint8_t *p, size_t n, famqp_message *m, famqp_error *err);
/** famqp_message_decode with limits; lim may be NULL (default limits). */
FAMQP_API famqp_status famqp_message_decode_ex(const uint8_t *p, size_t n, famqp_message *m, const famqp_limits *lim,
                                     famqp_error *err);

/** Encodes every present section in order.  Computes the exact size first
 *  and checks it against cap once: returns the bytes written or, when cap
 *  is too small, the size needed with nothing written (buf may be NULL with
 *  cap 0 to count). */
FAMQP_API size_t famqp_message_encode(uint8_t *buf, size_t cap, const famqp_message *m);

/** Body iteration over a decoded message (or any message whose body.wire is
 *  set): each body section in turn.  The members are its state. */
typedef struct famqp_body_iter {
    const uint8_t *p;   /**< next body section */
    const uint8_t *end; /**< end of the body sections */
} famqp_body_iter;
/** Starts iterating m's body sections. */
FAMQP_API void famqp_message_body_iter(const famqp_message *m, famqp_body_iter *it);
/** The next body section into *section; false at the end. */
FAMQP_API bool famqp_message_body_next(famqp_body_iter *it, famqp_any_section *section);

/** @name Body setters
 *  Each sets the body's kind and count; views are kept, not copied.
 *  @{ */
/** One data section of len bytes at ptr. */
FAMQP_API void famqp_message_set_data(famqp_message *m, const void *ptr, size_t len);
/** `count` data sections. */
FAMQP_API void famqp_message_set_data_parts(famqp_message *m, const famqp_binary *parts, uint32_t count);
/** One amqp-value section holding the encoded value v. */
FAMQP_API void famqp_message_set_value(famqp_message *m, famqp_value v);
/** One amqp-sequence section holding the list l. */
FAMQP_API void famqp_message_set_sequence(famqp_message *m, famqp_list l);
/** `count` amqp-sequence sections. */
FAMQP_API void famqp_message_set_sequence_parts(famqp_message *m, const famqp_list *parts, uint32_t count);
/** An amqp-value body holding the string utf8 (NUL-terminated; a view, not
 *  copied).  Read it back with famqp_message_get_string. */
FAMQP_API void famqp_message_set_string(famqp_message *m, const char *utf8);
/** @} */

/** @name Body getters
 *  For decoded and built messages alike.  Each returns true and sets *out
 *  (a view into the message's bytes) when the body is of that shape, else
 *  false with *out zeroed.
 *  @{ */
/** One amqp-value section holding a string. */
FAMQP_API bool famqp_message_get_string(const famqp_message *m, famqp_string *out);
/** One data section, or one amqp-value holding a binary. */
FAMQP_API bool famqp_message_get_binary(const famqp_message *m, famqp_binary *out);
/** One amqp-value section, as encoded (not for a body made by
 *  famqp_message_set_string, which has no encoded value until the message
 *  is encoded: use famqp_message_get_string). */
FAMQP_API bool famqp_message_get_value(const famqp_message *m, famqp_value *out);
/** One amqp-sequence section. */
FAMQP_API bool famqp_message_get_sequence(const famqp_message *m, famqp_list *out);
/** @} */

/** @name Section maps from a writer
 *  @{ */
/** Sets a section map (delivery-annotations, message-annotations,
 *  application-properties, footer) from a writer that wrote exactly one map
 *  (famqp_write_map_begin ... famqp_write_map_end) into a buffer that holds
 *  it completely; the view points into that buffer.  Returns false (and
 *  changes nothing) when the writer did not produce one complete map. */
FAMQP_API bool famqp_message_set_application_properties(famqp_message *m, const famqp_writer *w);
FAMQP_API bool famqp_message_set_message_annotations(famqp_message *m, const famqp_writer *w);
FAMQP_API bool famqp_message_set_delivery_annotations(famqp_message *m, const famqp_writer *w);
FAMQP_API bool famqp_message_set_footer(famqp_message *m, const famqp_writer *w);
/** @} */

/* ---- section maps, typed, without a hand-made writer -------------------- */

/** Builds an application-properties, message-annotations,
 *  delivery-annotations or footer map entry by entry into a buffer the
 *  caller owns (nothing is allocated), then attaches it to a message:
 *
 *  @code
 *  uint8_t buf[256];
 *  famqp_map_builder b;
 *  famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, sizeof buf);
 *  famqp_map_builder_put_string(&b, "color", "red");
 *  famqp_map_builder_put_int(&b, "count", 3);
 *  if (famqp_message_set_map(&m, &b) != FAMQP_OK) ... // buf too small: see famqp_map_builder_len
 *  @endcode
 *
 *  Keys are strings in application-properties and symbols in the other
 *  sections (as the standard and Azure's x-opt-* annotations use them); the
 *  key and value bytes are copied into buf, so they need not outlive the
 *  put calls.  The message keeps a view of buf: buf must stay valid, and
 *  unchanged, until the message has been encoded or sent (famqp_send and
 *  famqp_send_async copy the encoded message; buf may be reused when they
 *  return).  A builder is for one map; init it again to build another.
 *  The members are the builder's state. */
typedef struct famqp_map_builder {
    famqp_writer writer;            /**< writes the map into buf */
    famqp_any_section_kind section; /**< the section the map is for */
    uint32_t entries; /**< keys plus values, once the map is finished */
} famqp_map_builder;

/** Starts a map for `section` (one of FAMQP_ANY_SECTION_APPLICATION_PROPERTIES,
 *  _MESSAGE_ANNOTATIONS, _DELIVERY_ANNOTATIONS, _FOOTER) in buf[0..cap).
 *  Any other section makes famqp_message_set_map fail with
 *  FAMQP_ERR_INVALID_VALUE. */
FAMQP_API void famqp_map_builder_init(famqp_map_builder *b, famqp_any_section_kind section, void *buf, size_t cap);
/** @name Map builder puts
 *  @{ */
/** Adds one entry: the key (a string in application-properties, a symbol
 *  elsewhere) and a value of that type; both are copied into the buffer. */
FAMQP_API void famqp_map_builder_put_string(famqp_map_builder *b, const char *key, const char *value);
FAMQP_API void famqp_map_builder_put_symbol(famqp_map_builder *b, const char *key, const char *value);
FAMQP_API void famqp_map_builder_put_binary(famqp_map_builder *b, const char *key, const void *value, size_t len);
FAMQP_API void famqp_map_builder_put_bool(famqp_map_builder *b, const char *key, bool value);
FAMQP_API void famqp_map_builder_put_int(famqp_map_builder *b, const char *key, int32_t value);
FAMQP_API void famqp_map_builder_put_long(famqp_map_builder *b, const char *key, int64_t value);
FAMQP_API void famqp_map_builder_put_uint(famqp_map_builder *b, const char *key, uint32_t value);
FAMQP_API void famqp_map_builder_put_ulong(famqp_map_builder *b, const char *key, uint64_t value);
FAMQP_API void famqp_map_builder_put_double(famqp_map_builder *b, const char *key, double value);
/** @} */
/** Adds an AMQP timestamp entry: milliseconds since the Unix epoch. */
FAMQP_API void famqp_map_builder_put_timestamp(famqp_map_builder *b, const char *key, int64_t ms);
/** Adds a uuid entry. */
FAMQP_API void famqp_map_builder_put_uuid(famqp_map_builder *b, const char *key, famqp_uuid value);
/** Bytes the finished map needs (so far): what buf must hold. */
FAMQP_API size_t famqp_map_builder_len(const famqp_map_builder *b);

/** Finishes the builder's map and makes it the message's section of that
 *  kind, setting its bit in m->present.  FAMQP_OK; FAMQP_ERR_LIMIT when buf
 *  was too small (nothing changes; famqp_map_builder_len says how much is
 *  needed); FAMQP_ERR_INVALID_VALUE for a builder of another section kind. */
FAMQP_API famqp_status famqp_message_set_map(famqp_message *m, famqp_map_builder *b);

/* Reading typed values: famqp_message_property / famqp_message_annotation
 * below give the encoded value; the codec's famqp_value_get_<type>
 * (famqp/codec.h) reads it as a C value, false when it has another type:
 *
 *     famqp_value v; int32_t count;
 *     if (famqp_message_property(&m, "count", &v) && famqp_value_get_int(v, &count)) ...
 */

/** Prints every section of the message in order, one per line, in the
 *  codec's readable notation, e.g.
 *  @verbatim
    @properties(115) [subject="hi"]
    @application-properties(116) {"color"="red", "n"=3}
    @data(117) b"hello"
    @endverbatim
 *  for logs and debugging. */
FAMQP_API void famqp_message_print(FILE *f, const famqp_message *m);

/** Application property lookup by (string) name; false when the message has
 *  no application-properties or no such key. */
FAMQP_API bool famqp_message_property(const famqp_message *m, const char *name, famqp_value *out);
/** Message annotation lookup by (symbol) key, e.g. "x-opt-partition-key";
 *  false when the message has no message-annotations or no such key. */
FAMQP_API bool famqp_message_annotation(const famqp_message *m, const char *key, famqp_value *out);

/** Section names as the standard spells them ("header", "properties",
 *  "data", ...), for messages. */
FAMQP_API const char *famqp_section_name(famqp_any_section_kind k);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_MESSAGE_H */

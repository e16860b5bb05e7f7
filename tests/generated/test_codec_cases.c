/* Hand-written byte strings for the generated codecs, each computed by hand
 * from the AMQP 1.0 encoding rules (part 1 of the standard):
 *  - the encoder drops trailing absent fields and picks the smallest forms;
 *  - the decoder accepts every legal encoding of a field (uint0 / smalluint
 *    / uint, list0 / list8 / list32, a single symbol or an array for a
 *    multiple field, numeric or symbolic descriptors);
 *  - a missing mandatory field, a wrong descriptor, an invalid value are
 *    errors naming the type, the field and the offset;
 *  - an unknown descriptor in a union field is kept and re-encoded verbatim. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp_spec.h"

/* An exactly-sized copy, so reading past the input is caught by ASan. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* Encodes v with the size-then-write protocol and compares with want. */
#define ASSERT_ENCODES(type, v, ...)                                                               \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        size_t need_ = famqp_##type##_encode(NULL, 0, (v));                                        \
        ck_assert_uint_eq(need_, sizeof want_);                                                    \
        uint8_t got_[sizeof want_];                                                                \
        ck_assert_uint_eq(famqp_##type##_encode(got_, sizeof got_, (v)), sizeof want_);            \
        ck_assert_mem_eq(got_, want_, sizeof want_);                                               \
    } while (0)

static size_t decode_transfer(const uint8_t *p, size_t n, famqp_transfer *t, famqp_error *err)
{
    uint8_t *c = exact_copy(p, n);
    size_t used = famqp_transfer_decode(c, n, t, err);
    /* Views point into the input: keep only scalar fields of t after this. */
    free(c);
    return used;
}

/* ---- encoder: smallest forms, trailing absent fields dropped ------------- */

START_TEST(test_transfer_handle_only)
{
    famqp_transfer t = famqp_transfer_defaults;
    t.handle = 0;
    /* descriptor smallulong 0x14, list8 size 2 count 1, uint0 */
    ASSERT_ENCODES(transfer, &t, 0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x43);
    t.handle = 7;
    ASSERT_ENCODES(transfer, &t, 0x00, 0x53, 0x14, 0xc0, 0x03, 0x01, 0x52, 0x07);
    t.handle = 0x01020304;
    ASSERT_ENCODES(transfer, &t, 0x00, 0x53, 0x14, 0xc0, 0x06, 0x01, 0x70, 0x01, 0x02, 0x03, 0x04);
}
END_TEST

START_TEST(test_transfer_inner_absent_fields_are_null)
{
    famqp_transfer t = famqp_transfer_defaults;
    t.handle = 0;
    t.more = true;
    t.present |= FAMQP_TRANSFER_HAS_MORE;
    /* handle, delivery-id, delivery-tag, message-format, settled: null, more */
    ASSERT_ENCODES(transfer, &t, 0x00, 0x53, 0x14, 0xc0, 0x07, 0x06, 0x43, 0x40, 0x40, 0x40, 0x40,
                   0x41);
    /* A value without its HAS_ bit is not encoded. */
    t.present = 0;
    t.delivery_id = 99;
    ASSERT_ENCODES(transfer, &t, 0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x43);
}
END_TEST

START_TEST(test_empty_composites_are_list0)
{
    famqp_close c = famqp_close_defaults;
    ASSERT_ENCODES(close, &c, 0x00, 0x53, 0x18, 0x45);
    famqp_accepted a = famqp_accepted_defaults;
    ASSERT_ENCODES(accepted, &a, 0x00, 0x53, 0x24, 0x45);
}
END_TEST

START_TEST(test_too_small_cap_writes_nothing)
{
    famqp_transfer t = famqp_transfer_defaults;
    t.handle = 300;
    uint8_t buf[32];
    size_t need = famqp_transfer_encode(NULL, 0, &t);
    ck_assert_uint_eq(need, 11); /* 00 53 14 c0 06 01 70 00 00 01 2c */
    for (size_t cap = 0; cap < need; cap++) {
        memset(buf, 0xa5, sizeof buf);
        ck_assert_uint_eq(famqp_transfer_encode(buf, cap, &t), need);
        for (size_t i = 0; i < sizeof buf; i++)
            ck_assert_uint_eq(buf[i], 0xa5);
    }
}
END_TEST

/* ---- decoder: every legal encoding --------------------------------------- */

START_TEST(test_transfer_handle_encodings)
{
    const struct {
        const uint8_t *p;
        size_t n;
        uint32_t handle;
    } cases[] = {
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x43), 0},
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x03, 0x01, 0x52, 0x00), 0},
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x03, 0x01, 0x52, 0xff), 255},
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x06, 0x01, 0x70, 0x00, 0x00, 0x00, 0x05), 5},
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x06, 0x01, 0x70, 0xff, 0xff, 0xff, 0xff), 0xffffffffu},
        /* list32: size counts the 4-byte count and the element */
        {BYTES(0x00, 0x53, 0x14, 0xd0, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x52, 0x09),
         9},
        /* descriptor as a full ulong */
        {BYTES(0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x14, 0xc0, 0x03, 0x01, 0x52, 0x02), 2},
        /* symbolic descriptor, sym8 and sym32 */
        {BYTES(0x00, 0xa3, 18, 'a', 'm', 'q', 'p', ':', 't', 'r', 'a', 'n', 's', 'f', 'e', 'r', ':',
               'l', 'i', 's', 't', 0xc0, 0x03, 0x01, 0x52, 0x03),
         3},
        {BYTES(0x00, 0xb3, 0, 0, 0, 18, 'a', 'm', 'q', 'p', ':', 't', 'r', 'a', 'n', 's', 'f', 'e',
               'r', ':', 'l', 'i', 's', 't', 0xc0, 0x02, 0x01, 0x43),
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_transfer t;
        famqp_error err;
        size_t used = decode_transfer(cases[i].p, cases[i].n, &t, &err);
        char why[200];
        famqp_error_format(&err, why, sizeof why);
        ck_assert_msg(used == cases[i].n, "case %zu: used %zu of %zu: %s", i, used, cases[i].n,
                      why);
        ck_assert_uint_eq(t.handle, cases[i].handle);
        ck_assert(t.present & FAMQP_TRANSFER_HAS_HANDLE);
        ck_assert(!(t.present & FAMQP_TRANSFER_HAS_DELIVERY_ID));
        ck_assert(!t.more); /* default */
    }
}
END_TEST

START_TEST(test_boolean_and_null_encodings)
{
    /* more as 0x56 0x01, settled as 0x56 0x00, delivery-id null, trailing
     * batchable as true */
    static const uint8_t p[] = {0x00, 0x53, 0x14, 0xc0, 0x0e, 0x0b, 0x43, 0x40, 0x40, 0x40,
                                0x56, 0x00, 0x56, 0x01, 0x40, 0x40, 0x42, 0x40, 0x41};
    famqp_transfer t;
    famqp_error err;
    ck_assert_uint_eq(decode_transfer(p, sizeof p, &t, &err), sizeof p);
    ck_assert(t.present & FAMQP_TRANSFER_HAS_SETTLED);
    ck_assert(!t.settled);
    ck_assert(t.present & FAMQP_TRANSFER_HAS_MORE);
    ck_assert(t.more);
    ck_assert(!(t.present & FAMQP_TRANSFER_HAS_DELIVERY_ID));
    ck_assert(!(t.present & FAMQP_TRANSFER_HAS_STATE));
    ck_assert(t.present & FAMQP_TRANSFER_HAS_RESUME);
    ck_assert(!t.resume);
    ck_assert(!(t.present & FAMQP_TRANSFER_HAS_ABORTED));
    ck_assert(t.present & FAMQP_TRANSFER_HAS_BATCHABLE);
    ck_assert(t.batchable);
}
END_TEST

START_TEST(test_list0_and_extra_elements)
{
    famqp_close c;
    famqp_error err;
    static const uint8_t list0[] = {0x00, 0x53, 0x18, 0x45};
    ck_assert_uint_eq(famqp_close_decode(list0, sizeof list0, &c, &err), sizeof list0);
    ck_assert_uint_eq(c.present, 0);
    /* list8 and list32 of zero elements */
    static const uint8_t list8[] = {0x00, 0x53, 0x18, 0xc0, 0x01, 0x00};
    ck_assert_uint_eq(famqp_close_decode(list8, sizeof list8, &c, &err), sizeof list8);
    static const uint8_t list32[] = {0x00, 0x53, 0x18, 0xd0, 0, 0, 0, 4, 0, 0, 0, 0};
    ck_assert_uint_eq(famqp_close_decode(list32, sizeof list32, &c, &err), sizeof list32);
    ck_assert_uint_eq(c.present, 0);
    /* Elements beyond the ones close defines (a later version's fields) are
     * validated and skipped. */
    static const uint8_t extra[] = {0x00, 0x53, 0x18, 0xc0, 0x06, 0x03,
                                    0x40, 0x52, 0x01, 0xa1, 0x00};
    ck_assert_uint_eq(famqp_close_decode(extra, sizeof extra, &c, &err), sizeof extra);
    ck_assert_uint_eq(c.present, 0);
    /* ... but a malformed extra element is still an error. */
    static const uint8_t bad_extra[] = {0x00, 0x53, 0x18, 0xc0, 0x04, 0x02, 0x40, 0xa1, 0x05};
    uint8_t *b = exact_copy(bad_extra, sizeof bad_extra);
    ck_assert_uint_eq(famqp_close_decode(b, sizeof bad_extra, &c, &err), 0);
    ck_assert_int_ne(err.status, FAMQP_OK);
    free(b);
}
END_TEST

/* attach: name "x", handle 0, role sender, 8 nulls, then
 * offered-capabilities (field 11) as given. */
static size_t attach_with_caps(uint8_t *out, const uint8_t *caps, size_t caps_len)
{
    static const uint8_t head[] = {0xa1, 0x01, 'x',  0x43, 0x42, 0x40, 0x40,
                                   0x40, 0x40, 0x40, 0x40, 0x40, 0x40};
    size_t body = sizeof head + caps_len;
    ck_assert_uint_lt(body + 1, 256);
    size_t n = 0;
    out[n++] = 0x00;
    out[n++] = 0x53;
    out[n++] = 0x12;
    out[n++] = 0xc0;
    out[n++] = (uint8_t)(body + 1);
    out[n++] = 12;
    memcpy(out + n, head, sizeof head);
    n += sizeof head;
    memcpy(out + n, caps, caps_len);
    return n + caps_len;
}

static void assert_caps(const uint8_t *caps, size_t caps_len, const char *const *want,
                        uint32_t want_count)
{
    uint8_t buf[128];
    size_t n = attach_with_caps(buf, caps, caps_len);
    uint8_t *in = exact_copy(buf, n);
    famqp_attach a;
    famqp_error err;
    size_t used = famqp_attach_decode(in, n, &a, &err);
    char why[200];
    famqp_error_format(&err, why, sizeof why);
    ck_assert_msg(used == n, "used %zu of %zu: %s", used, n, why);
    ck_assert(a.present & FAMQP_ATTACH_HAS_OFFERED_CAPABILITIES);
    ck_assert_uint_eq(a.offered_capabilities.count, want_count);
    famqp_iter it;
    famqp_multiple_iter(&a.offered_capabilities, &it);
    for (uint32_t i = 0; i < want_count; i++) {
        famqp_symbol s;
        ck_assert(famqp_array_next_symbol(&it, &s));
        ck_assert_msg(famqp_symbol_eq(s, want[i]), "capability %u", i);
    }
    famqp_symbol s;
    ck_assert(!famqp_array_next_symbol(&it, &s));

    /* Re-encoding the decoded (wire) view and decoding it gives the same. */
    size_t need = famqp_attach_encode(NULL, 0, &a);
    uint8_t *enc = malloc(need);
    ck_assert_uint_eq(famqp_attach_encode(enc, need, &a), need);
    famqp_attach b;
    ck_assert_uint_eq(famqp_attach_decode(enc, need, &b, &err), need);
    ck_assert_uint_eq(b.offered_capabilities.count, want_count);
    famqp_multiple_iter(&b.offered_capabilities, &it);
    for (uint32_t i = 0; i < want_count; i++) {
        ck_assert(famqp_array_next_symbol(&it, &s));
        ck_assert(famqp_symbol_eq(s, want[i]));
    }
    free(enc);
    free(in);
}

START_TEST(test_multiple_symbol_encodings)
{
    static const char *const foo[] = {"foo"};
    static const char *const foo_bar[] = {"foo", "bar"};
    /* a single sym8, a single sym32 */
    assert_caps(BYTES(0xa3, 0x03, 'f', 'o', 'o'), foo, 1);
    assert_caps(BYTES(0xb3, 0, 0, 0, 0x03, 'f', 'o', 'o'), foo, 1);
    /* array8 of one and of two sym8 elements */
    assert_caps(BYTES(0xe0, 0x06, 0x01, 0xa3, 0x03, 'f', 'o', 'o'), foo, 1);
    assert_caps(BYTES(0xe0, 0x0a, 0x02, 0xa3, 0x03, 'f', 'o', 'o', 0x03, 'b', 'a', 'r'), foo_bar,
                2);
    /* array32 with sym32 elements */
    assert_caps(BYTES(0xf0, 0, 0, 0, 0x13, 0, 0, 0, 0x02, 0xb3, 0, 0, 0, 0x03, 'f', 'o', 'o', 0, 0,
                      0, 0x03, 'b', 'a', 'r'),
                foo_bar, 2);
    /* an empty array */
    assert_caps(BYTES(0xe0, 0x02, 0x00, 0xa3), NULL, 0);
}
END_TEST

START_TEST(test_multiple_from_c_values)
{
    static const famqp_symbol caps[2] = {{"ab", 2}, {"c", 1}};
    famqp_attach a = famqp_attach_defaults;
    a.name = famqp_string_of("x");
    a.handle = 0;
    a.role = false;
    a.offered_capabilities.count = 2;
    a.offered_capabilities.items = caps;
    a.present |= FAMQP_ATTACH_HAS_OFFERED_CAPABILITIES;
    /* array8: size = count(1) + ctor(1) + (1+2) + (1+1) = 7 */
    ASSERT_ENCODES(attach, &a, 0x00, 0x53, 0x12, 0xc0, 0x17, 0x0c, 0xa1, 0x01, 'x', 0x43, 0x42,
                   0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0xe0, 0x07, 0x02, 0xa3, 0x02,
                   'a', 'b', 0x01, 'c');
}
END_TEST

/* ---- errors ---------------------------------------------------------------- */

static void assert_error_names(const famqp_error *err, const char *type, const char *field)
{
    char msg[256];
    famqp_error_format(err, msg, sizeof msg);
    ck_assert_msg(strstr(msg, famqp_status_name(err->status)) != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, type) != NULL, "no type %s in: %s", type, msg);
    if (field)
        ck_assert_msg(strstr(msg, field) != NULL, "no field %s in: %s", field, msg);
    char off[32];
    snprintf(off, sizeof off, "%zu", err->offset);
    ck_assert_msg(strstr(msg, off) != NULL, "no offset %s in: %s", off, msg);
}

START_TEST(test_missing_mandatory)
{
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {
        {BYTES(0x00, 0x53, 0x14, 0x45)},                         /* list0 */
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x40)},       /* handle null */
        {BYTES(0x00, 0x53, 0x14, 0xc0, 0x03, 0x02, 0x40, 0x43)}, /* handle null, delivery-id 0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_transfer t;
        famqp_error err;
        ck_assert_uint_eq(decode_transfer(cases[i].p, cases[i].n, &t, &err), 0);
        ck_assert_int_eq(err.status, FAMQP_ERR_MISSING_MANDATORY);
        ck_assert_str_eq(err.type, "transfer");
        ck_assert_ptr_nonnull(err.field);
        ck_assert_str_eq(err.field, "handle");
        assert_error_names(&err, "transfer", "handle");
    }
    /* attach with name and handle, no role */
    uint8_t *p = exact_copy(BYTES(0x00, 0x53, 0x12, 0xc0, 0x05, 0x02, 0xa1, 0x01, 'x', 0x43));
    famqp_attach a;
    famqp_error err;
    ck_assert_uint_eq(famqp_attach_decode(p, 10, &a, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_MISSING_MANDATORY);
    ck_assert_str_eq(err.type, "attach");
    ck_assert_str_eq(err.field, "role");
    free(p);
}
END_TEST

START_TEST(test_wrong_descriptor)
{
    famqp_transfer t;
    famqp_error err;
    /* flow's code */
    ck_assert_uint_eq(decode_transfer(BYTES(0x00, 0x53, 0x13, 0xc0, 0x02, 0x01, 0x43), &t, &err),
                      0);
    ck_assert_int_eq(err.status, FAMQP_ERR_TYPE_MISMATCH);
    ck_assert_str_eq(err.type, "transfer");
    assert_error_names(&err, "transfer", NULL);
    /* flow's name */
    ck_assert_uint_eq(decode_transfer(BYTES(0x00, 0xa3, 14, 'a', 'm', 'q', 'p', ':', 'f', 'l', 'o',
                                            'w', ':', 'l', 'i', 's', 't', 0xc0, 0x02, 0x01, 0x43),
                                      &t, &err),
                      0);
    ck_assert_int_eq(err.status, FAMQP_ERR_TYPE_MISMATCH);
    /* not described at all */
    ck_assert_uint_eq(decode_transfer(BYTES(0xc0, 0x02, 0x01, 0x43), &t, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_TYPE_MISMATCH);
}
END_TEST

START_TEST(test_unknown_union_member_kept_verbatim)
{
    /* attach: name "x", handle 0, role sender, snd/rcv settle null, source
     * described by 0x999 (ulong) holding a list of one empty string. */
    static const uint8_t in[] = {0x00, 0x53, 0x12, 0xc0, 0x17, 0x06, 0xa1, 0x01, 'x', 0x43,
                                 0x42, 0x40, 0x40, 0x00, 0x80, 0,    0,    0,    0,   0,
                                 0,    0x09, 0x99, 0xc0, 0x03, 0x01, 0xa1, 0x00};
    static const size_t source_at = 13, source_len = sizeof in - 13;
    uint8_t *p = exact_copy(in, sizeof in);
    famqp_attach a;
    famqp_error err;
    size_t used = famqp_attach_decode(p, sizeof in, &a, &err);
    char why[200];
    famqp_error_format(&err, why, sizeof why);
    ck_assert_msg(used == sizeof in, "used %zu: %s", used, why);
    ck_assert(a.present & FAMQP_ATTACH_HAS_SOURCE);
    ck_assert_int_eq(a.source.kind, FAMQP_ANY_SOURCE_OTHER);
    ck_assert_uint_eq(a.source.u.other.len, source_len);
    ck_assert_mem_eq(a.source.u.other.ptr, in + source_at, source_len);
    ck_assert(!(a.present & FAMQP_ATTACH_HAS_TARGET));

    size_t need = famqp_attach_encode(NULL, 0, &a);
    ck_assert_uint_eq(need, sizeof in);
    uint8_t out[sizeof in];
    ck_assert_uint_eq(famqp_attach_encode(out, sizeof out, &a), sizeof in);
    ck_assert_mem_eq(out, in, sizeof in);
    free(p);
}
END_TEST

START_TEST(test_error_messages)
{
    famqp_error err;
    famqp_transfer t;
    /* delivery-tag vbin8 claims 9 bytes, the list holds 4 */
    ck_assert_uint_eq(decode_transfer(BYTES(0x00, 0x53, 0x14, 0xc0, 0x09, 0x03, 0x43, 0x40, 0xa0,
                                            0x09, 0x01, 0x02, 0x03, 0x04),
                                      &t, &err),
                      0);
    ck_assert_int_eq(err.status, FAMQP_ERR_TRUNCATED);
    ck_assert_str_eq(err.type, "transfer");
    ck_assert_str_eq(err.field, "delivery-tag");
    ck_assert_uint_ge(err.offset, 8);
    ck_assert_uint_le(err.offset, 10);
    assert_error_names(&err, "transfer", "delivery-tag");

    /* handle as a string */
    ck_assert_uint_eq(
        decode_transfer(BYTES(0x00, 0x53, 0x14, 0xc0, 0x03, 0x01, 0xa1, 0x00), &t, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_TYPE_MISMATCH);
    ck_assert_str_eq(err.field, "handle");
    ck_assert_uint_eq(err.offset, 6);
    assert_error_names(&err, "transfer", "handle");

    /* an undefined format code */
    ck_assert_uint_eq(decode_transfer(BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x01), &t, &err),
                      0);
    ck_assert_int_eq(err.status, FAMQP_ERR_BAD_CONSTRUCTOR);
    ck_assert_str_eq(err.field, "handle");

    /* attach name not UTF-8 */
    famqp_attach a;
    uint8_t *p =
        exact_copy(BYTES(0x00, 0x53, 0x12, 0xc0, 0x07, 0x03, 0xa1, 0x02, 0xc3, 0x28, 0x43, 0x42));
    ck_assert_uint_eq(famqp_attach_decode(p, 12, &a, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_INVALID_UTF8);
    ck_assert_str_eq(err.type, "attach");
    ck_assert_str_eq(err.field, "name");
    assert_error_names(&err, "attach", "name");
    free(p);

    /* snd-settle-mode 7 is not a sender-settle-mode */
    p = exact_copy(
        BYTES(0x00, 0x53, 0x12, 0xc0, 0x08, 0x04, 0xa1, 0x01, 'x', 0x43, 0x42, 0x50, 0x07));
    ck_assert_uint_eq(famqp_attach_decode(p, 13, &a, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_INVALID_VALUE);
    ck_assert_str_eq(err.field, "snd-settle-mode");
    assert_error_names(&err, "attach", "snd-settle-mode");
    free(p);

    /* list8 count larger than its size could hold */
    ck_assert_uint_eq(decode_transfer(BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x09, 0x43), &t, &err),
                      0);
    ck_assert_int_ne(err.status, FAMQP_OK);
    assert_error_names(&err, "transfer", NULL);
}
END_TEST

START_TEST(test_error_pointer_optional)
{
    famqp_transfer t;
    uint8_t *p = exact_copy(BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x40));
    ck_assert_uint_eq(famqp_transfer_decode(p, 7, &t, NULL), 0);
    free(p);
    p = exact_copy(BYTES(0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x43));
    ck_assert_uint_eq(famqp_transfer_decode(p, 7, &t, NULL), 7);
    free(p);
}
END_TEST

START_TEST(test_limits)
{
    /* attach: name "x", handle 0, role sender, 10 nulls, then properties
     * (field 13) = {:k = [[]]}: attach (described, list) > map > list >
     * list0 nests five deep; the attach list holds 14 elements. */
    static const uint8_t in[] = {0x00, 0x53, 0x12, 0xc0, 0x1a, 0x0e, 0xa1, 0x01, 'x',  0x43, 0x42,
                                 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0xc1,
                                 0x08, 0x02, 0xa3, 0x01, 'k',  0xc0, 0x02, 0x01, 0x45};
    uint8_t *p = exact_copy(in, sizeof in);
    famqp_attach a;
    famqp_error err;
    ck_assert_uint_eq(famqp_attach_decode(p, sizeof in, &a, &err), sizeof in);
    ck_assert(a.present & FAMQP_ATTACH_HAS_PROPERTIES);
    ck_assert_uint_eq(a.properties.count, 2);

    famqp_limits shallow = {.max_depth = 2, .max_count = FAMQP_DEFAULT_MAX_COUNT};
    ck_assert_uint_eq(famqp_attach_decode_ex(p, sizeof in, &a, &shallow, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_DEPTH);

    famqp_limits few = {.max_depth = FAMQP_DEFAULT_MAX_DEPTH, .max_count = 13};
    ck_assert_uint_eq(famqp_attach_decode_ex(p, sizeof in, &a, &few, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_LIMIT);
    few.max_count = 14;
    ck_assert_uint_eq(famqp_attach_decode_ex(p, sizeof in, &a, &few, &err), sizeof in);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("generated_codec_cases");
    TCase *enc = tcase_create("encode");
    tcase_add_test(enc, test_transfer_handle_only);
    tcase_add_test(enc, test_transfer_inner_absent_fields_are_null);
    tcase_add_test(enc, test_empty_composites_are_list0);
    tcase_add_test(enc, test_too_small_cap_writes_nothing);
    tcase_add_test(enc, test_multiple_from_c_values);
    suite_add_tcase(s, enc);
    TCase *dec = tcase_create("decode");
    tcase_add_test(dec, test_transfer_handle_encodings);
    tcase_add_test(dec, test_boolean_and_null_encodings);
    tcase_add_test(dec, test_list0_and_extra_elements);
    tcase_add_test(dec, test_multiple_symbol_encodings);
    tcase_add_test(dec, test_unknown_union_member_kept_verbatim);
    suite_add_tcase(s, dec);
    TCase *errs = tcase_create("errors");
    tcase_add_test(errs, test_missing_mandatory);
    tcase_add_test(errs, test_wrong_descriptor);
    tcase_add_test(errs, test_error_messages);
    tcase_add_test(errs, test_error_pointer_optional);
    tcase_add_test(errs, test_limits);
    suite_add_tcase(s, errs);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

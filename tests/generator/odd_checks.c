/* Hand-picked checks of the code famqp-gen makes of odd/odd.xml: defaults
 * of every literal kind, exact bytes of descriptors and lists, legal but
 * unusual encodings on decode, union dispatch (descriptor, symbolic
 * descriptor, format code, choices, OTHER), decode errors and printing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp_spec.h"

typedef famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed big_t;
#define BIG(x) FAMQP_ODD_EVERY_PRIMITIVE_TYPE_IN_ONE_COMPOSITE_WITH_A_VERY_LONG_NAME_INDEED_##x

static int failures;
#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static bool bytes_are(const uint8_t *p, size_t n, const uint8_t *want, size_t wn)
{
    return n == wn && memcmp(p, want, n) == 0;
}

/* print into a string via a temporary file (standard C) */
static void printed(void (*print)(FILE *, const void *), const void *v, char *out, size_t cap)
{
    FILE *f = tmpfile();
    out[0] = 0;
    if (!f)
        return;
    print(f, v);
    rewind(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
}
static void print_leaf(FILE *f, const void *v) { famqp_odd_leaf_print(f, v); }

static void check_defaults(void)
{
    const big_t *d = &famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_defaults;
    CHECK(d->present == 0);
    CHECK(d->f_boolean == true);
    CHECK(d->f_ubyte == 255);
    CHECK(d->f_ushort == 16);
    CHECK(d->f_ulong == UINT64_MAX);
    CHECK(d->f_byte == -128);
    CHECK(d->f_short == -2);
    CHECK(d->f_int == INT32_MIN);
    CHECK(d->f_long == INT64_MIN);
    CHECK(d->f_float == 1.5f);
    CHECK(d->f_double == -2.0);
    CHECK(d->f_char == 0xe9);
    CHECK(d->f_timestamp == INT64_C(1311704463521));
    CHECK(famqp_string_eq(d->f_string, "h\xc3\xa9llo \"world\""));
    CHECK(famqp_symbol_eq(d->f_symbol, "sym"));
    CHECK(d->f_level == FAMQP_ODD_LEVEL_HIGH && d->f_level == 65535);
    CHECK(d->f_signed_level == FAMQP_ODD_SIGNED_LEVEL_BIG);
    CHECK(d->f_alias == FAMQP_ODD_LEVEL_LOW);
    CHECK(famqp_symbol_eq(d->f_flavour, FAMQP_ODD_FLAVOUR_WITH_QUOTE_SYMBOL));
    CHECK(famqp_odd_flavour_from_symbol(famqp_symbol_of("odd:plain")) == FAMQP_ODD_FLAVOUR_PLAIN);
    CHECK(famqp_odd_flavour_from_symbol(famqp_symbol_of("odd:other")) == -1);
    CHECK(famqp_odd_leaf_defaults.present_ == true);
    /* odd-errata.xml replaced odd-leaf: its added field and default exist */
    CHECK(famqp_odd_leaf_defaults.added_by_errata == 77);
    CHECK(FAMQP_ODD_LEAF_HAS_ADDED_BY_ERRATA == (1u << 3));
    CHECK(FAMQP_ODD_NUMBER == 127);
    CHECK(strcmp(FAMQP_ODD_TEXT, "not a number") == 0);
    CHECK(BIG(HAS_LAST) == (UINT64_C(1) << 52));
    CHECK(BIG(CODE) == UINT64_C(0xfffffffffffffff0));
}

static void check_encodings(void)
{
    uint8_t buf[256];
    famqp_odd_empty e = famqp_odd_empty_defaults;
    static const uint8_t empty[] = {0x00, 0x53, 0xff, 0x45};
    CHECK(bytes_are(buf, famqp_odd_empty_encode(buf, sizeof buf, &e), empty, sizeof empty));

    famqp_odd_leaf leaf = famqp_odd_leaf_defaults;
    leaf.int_ = 5; /* mandatory: encoded without its present bit */
    static const uint8_t leaf5[] = {0x00, 0x44, 0xc0, 0x03, 0x01, 0x54, 0x05};
    CHECK(bytes_are(buf, famqp_odd_leaf_encode(buf, sizeof buf, &leaf), leaf5, sizeof leaf5));
    /* a present trailing field extends the list, an absent middle one is null */
    leaf.present_ = false;
    leaf.present = FAMQP_ODD_LEAF_HAS_PRESENT;
    static const uint8_t leaf5f[] = {0x00, 0x44, 0xc0, 0x05, 0x03, 0x54, 0x05, 0x40, 0x42};
    CHECK(bytes_are(buf, famqp_odd_leaf_encode(buf, sizeof buf, &leaf), leaf5f, sizeof leaf5f));
    char text[256];
    printed(print_leaf, &leaf, text, sizeof text);
    CHECK(strcmp(text, "@odd-leaf(0) [int=5, present=false]") == 0);

    famqp_odd_blob blob = {famqp_binary_of("\x01\x02", 2)};
    static const uint8_t blob_bytes[] = {0x00, 0x80, 0, 0, 0x12, 0x34, 0, 0, 0, 1, 0xa0, 0x02, 0x01, 0x02};
    CHECK(bytes_are(buf, famqp_odd_blob_encode(buf, sizeof buf, &blob), blob_bytes, sizeof blob_bytes));
}

static void check_decoding(void)
{
    famqp_odd_leaf leaf;
    famqp_error err;
    /* symbolic descriptor, list32, an extra trailing element, null for a defaulted field */
    static const uint8_t sym[] = {0x00, 0xa3, 0x0d, 'o', 'd', 'd', ':', 'l', 'e', 'a', 'f', ':', 'l', 'i', 's', 't',
                                  0xd0, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x05, 0x71, 0xff, 0xff, 0xff, 0xfe,
                                  0x40, 0x40, 0x40, 0x41};
    CHECK(famqp_odd_leaf_decode(sym, sizeof sym, &leaf, &err) == sizeof sym);
    CHECK(leaf.int_ == -2 && leaf.present == FAMQP_ODD_LEAF_HAS_INT && leaf.present_ == true);
    CHECK(leaf.added_by_errata == 77);

    /* missing mandatory field */
    static const uint8_t empty_leaf[] = {0x00, 0x44, 0x45};
    CHECK(famqp_odd_leaf_decode(empty_leaf, sizeof empty_leaf, &leaf, &err) == 0);
    CHECK(err.status == FAMQP_ERR_MISSING_MANDATORY && err.field && strcmp(err.field, "int") == 0);

    /* wrong descriptor */
    static const uint8_t wrong[] = {0x00, 0x53, 0xff, 0x45};
    CHECK(famqp_odd_leaf_decode(wrong, sizeof wrong, &leaf, &err) == 0 && err.status == FAMQP_ERR_TYPE_MISMATCH);

    /* a value outside a numeric restricted type's choices */
    uint8_t buf[512];
    static big_t big;
    big = famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_defaults;
    uint32_t one = 1;
    big.m_uint.items = &one;
    big.m_uint.count = 1;
    big.f_level = 2;
    big.present = BIG(HAS_F_LEVEL);
    size_t n = famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_encode(buf, sizeof buf, &big);
    CHECK(n > 0 && n <= sizeof buf);
    static big_t back;
    CHECK(famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_decode(buf, n, &back, &err) == 0);
    CHECK(err.status == FAMQP_ERR_INVALID_VALUE && err.field && strcmp(err.field, "f-level") == 0);
    big.f_level = FAMQP_ODD_LEVEL_LOW;
    n = famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_encode(buf, sizeof buf, &big);
    CHECK(famqp_odd_every_primitive_type_in_one_composite_with_a_very_long_name_indeed_decode(buf, n, &back, &err) == n);
    CHECK(back.f_level == 1 && back.m_uint.count == 1 && back.f_ubyte == 255);
}

static void check_unions(void)
{
    famqp_any_odd_number num;
    famqp_error err;
    static const uint8_t ulong[] = {0x53, 0x09};
    CHECK(famqp_any_odd_number_decode(ulong, sizeof ulong, &num, &err) == 2);
    CHECK(num.kind == FAMQP_ANY_ODD_NUMBER_ODD_BIG_NUMBER && num.u.odd_big_number == 9);
    static const uint8_t seven[] = {0x50, 0x07};
    CHECK(famqp_any_odd_number_decode(seven, 2, &num, &err) == 2);
    CHECK(num.kind == FAMQP_ANY_ODD_NUMBER_ODD_SMALL_MODE && num.u.odd_small_mode == 7);
    static const uint8_t three[] = {0x50, 0x03}; /* not a choice: kept raw */
    CHECK(famqp_any_odd_number_decode(three, 2, &num, &err) == 2);
    CHECK(num.kind == FAMQP_ANY_ODD_NUMBER_OTHER && num.u.other.len == 2);
    static const uint8_t text[] = {0xa1, 0x01, 'x'};
    CHECK(famqp_any_odd_number_decode(text, 3, &num, &err) == 3);
    CHECK(num.kind == FAMQP_ANY_ODD_NUMBER_ODD_TEXT_ID && famqp_string_eq(num.u.odd_text_id, "x"));
    static const uint8_t null[] = {0x40};
    CHECK(famqp_any_odd_number_decode(null, 1, &num, &err) == 1 && num.kind == FAMQP_ANY_ODD_NUMBER_NONE);

    famqp_any_odd_thing thing;
    static const uint8_t leaf[] = {0x00, 0x44, 0xc0, 0x03, 0x01, 0x54, 0x05};
    CHECK(famqp_any_odd_thing_decode(leaf, sizeof leaf, &thing, &err) == sizeof leaf);
    CHECK(thing.kind == FAMQP_ANY_ODD_THING_ODD_LEAF && thing.u.odd_leaf.int_ == 5);
    static const uint8_t unknown[] = {0x00, 0x53, 0x77, 0xa1, 0x02, 'h', 'i'};
    CHECK(famqp_any_odd_thing_decode(unknown, sizeof unknown, &thing, &err) == sizeof unknown);
    CHECK(thing.kind == FAMQP_ANY_ODD_THING_OTHER && thing.u.other.len == sizeof unknown);
    uint8_t buf[64];
    CHECK(bytes_are(buf, famqp_any_odd_thing_encode(buf, sizeof buf, &thing), unknown, sizeof unknown));
    static const uint8_t anything[] = {0x00, 0xa3, 0x0e, 'o', 'd', 'd', ':', 'a', 'n', 'y', 't', 'h', 'i', 'n', 'g',
                                       ':', '*', 0x40};
    CHECK(famqp_any_odd_thing_decode(anything, sizeof anything, &thing, &err) == sizeof anything);
    CHECK(thing.kind == FAMQP_ANY_ODD_THING_ODD_ANYTHING && thing.u.odd_anything.value.len == 0);

    famqp_any_odd_nobody_provides_this nobody;
    CHECK(famqp_any_odd_nobody_provides_this_decode(ulong, 2, &nobody, &err) == 2);
    CHECK(nobody.kind == FAMQP_ANY_ODD_NOBODY_PROVIDES_THIS_OTHER);
}

int main(void)
{
    check_defaults();
    check_encodings();
    check_decoding();
    check_unions();
    printf("%d failures\n", failures);
    return failures ? 1 : 0;
}

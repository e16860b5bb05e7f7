/* Table codec style: one primitive of a field or union provider, chosen by
 * its famqp_tprim at run time (the flat style names the function at
 * generation time instead).  Every case calls the same wire.h function the
 * flat style calls, so bytes and errors are the same. */
#include <inttypes.h>
#include <string.h>

#include "famqp/gen/table.h"

/* X(TPRIM, fn suffix of wire.h, C type) for every primitive with a C value. */
#define FAMQP_TABLE_PRIMS(X)                                                                     \
    X(BOOLEAN, bool, bool) X(UBYTE, ubyte, uint8_t) X(USHORT, ushort, uint16_t)                  \
    X(UINT, uint, uint32_t) X(ULONG, ulong, uint64_t) X(BYTE, byte, int8_t)                      \
    X(SHORT, short, int16_t) X(INT, int, int32_t) X(LONG, long, int64_t) X(FLOAT, float, float)  \
    X(DOUBLE, double, double) X(DECIMAL32, decimal32, famqp_decimal32)                           \
    X(DECIMAL64, decimal64, famqp_decimal64) X(DECIMAL128, decimal128, famqp_decimal128)         \
    X(CHAR, char, uint32_t) X(TIMESTAMP, timestamp, int64_t) X(UUID, uuid, famqp_uuid)           \
    X(BINARY, binary, famqp_binary) X(STRING, string, famqp_string) X(SYMBOL, symbol, famqp_symbol)
/* The primitives above without a fixed-width variant in wire.h. */
#define FAMQP_TABLE_VARIABLE_PRIMS(X)                                                            \
    X(UBYTE, ubyte, uint8_t) X(USHORT, ushort, uint16_t) X(BYTE, byte, int8_t)                   \
    X(SHORT, short, int16_t) X(FLOAT, float, float) X(DOUBLE, double, double)                    \
    X(DECIMAL32, decimal32, famqp_decimal32) X(DECIMAL64, decimal64, famqp_decimal64)            \
    X(DECIMAL128, decimal128, famqp_decimal128) X(CHAR, char, uint32_t)                          \
    X(TIMESTAMP, timestamp, int64_t) X(UUID, uuid, famqp_uuid) X(BINARY, binary, famqp_binary)   \
    X(STRING, string, famqp_string) X(SYMBOL, symbol, famqp_symbol)
/* Compounds: sizes and puts take a pointer. */
#define FAMQP_TABLE_COMPOUNDS(X) X(LIST, list, famqp_list) X(MAP, map, famqp_map) X(ARRAY, array, famqp_array)

#define SIZE_OF(U, fn, ct) [FAMQP_TP_##U] = sizeof(ct),
const uint8_t famqp__table_prim_size[FAMQP_TP_COUNT] = {
    [FAMQP_TP_NULL] = 0, FAMQP_TABLE_PRIMS(SIZE_OF) FAMQP_TABLE_COMPOUNDS(SIZE_OF)
};
#undef SIZE_OF

const uint8_t *const famqp__table_prim_codes[FAMQP_TP_COUNT] = {
    [FAMQP_TP_BOOLEAN] = famqp_codes_boolean, [FAMQP_TP_UBYTE] = famqp_codes_ubyte,
    [FAMQP_TP_USHORT] = famqp_codes_ushort, [FAMQP_TP_UINT] = famqp_codes_uint,
    [FAMQP_TP_ULONG] = famqp_codes_ulong, [FAMQP_TP_BYTE] = famqp_codes_byte,
    [FAMQP_TP_SHORT] = famqp_codes_short, [FAMQP_TP_INT] = famqp_codes_int,
    [FAMQP_TP_LONG] = famqp_codes_long, [FAMQP_TP_FLOAT] = famqp_codes_float,
    [FAMQP_TP_DOUBLE] = famqp_codes_double, [FAMQP_TP_DECIMAL32] = famqp_codes_decimal32,
    [FAMQP_TP_DECIMAL64] = famqp_codes_decimal64, [FAMQP_TP_DECIMAL128] = famqp_codes_decimal128,
    [FAMQP_TP_CHAR] = famqp_codes_char, [FAMQP_TP_TIMESTAMP] = famqp_codes_timestamp,
    [FAMQP_TP_UUID] = famqp_codes_uuid, [FAMQP_TP_BINARY] = famqp_codes_binary,
    [FAMQP_TP_STRING] = famqp_codes_string, [FAMQP_TP_SYMBOL] = famqp_codes_symbol,
    [FAMQP_TP_LIST] = famqp_codes_list, [FAMQP_TP_MAP] = famqp_codes_map,
    [FAMQP_TP_ARRAY] = famqp_codes_array,
};

int famqp__table_read_prim(famqp_reader *r, unsigned prim, void *out, const char *field)
{
    switch (prim) {
#define READ(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_read_##fn(r, (ct *)out, field);
        FAMQP_TABLE_PRIMS(READ)
        FAMQP_TABLE_COMPOUNDS(READ)
#undef READ
    default: return famqp_read_value(r, (famqp_value *)out, field);
    }
}

/* --encoding fixed: one width for boolean and the 32/64-bit integers
 * (decided in the same switch as the primitive). */
size_t famqp__table_size_prim(unsigned prim, bool fixed, const void *v)
{
    switch (prim) {
    case FAMQP_TP_BOOLEAN:
        return fixed ? famqp_size_bool_fixed(*(const bool *)v) : famqp_size_bool(*(const bool *)v);
    case FAMQP_TP_UINT:
        return fixed ? famqp_size_uint_fixed(*(const uint32_t *)v) : famqp_size_uint(*(const uint32_t *)v);
    case FAMQP_TP_ULONG:
        return fixed ? famqp_size_ulong_fixed(*(const uint64_t *)v) : famqp_size_ulong(*(const uint64_t *)v);
    case FAMQP_TP_INT:
        return fixed ? famqp_size_int_fixed(*(const int32_t *)v) : famqp_size_int(*(const int32_t *)v);
    case FAMQP_TP_LONG:
        return fixed ? famqp_size_long_fixed(*(const int64_t *)v) : famqp_size_long(*(const int64_t *)v);
#define SIZE(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_size_##fn(*(const ct *)v);
        FAMQP_TABLE_VARIABLE_PRIMS(SIZE)
#undef SIZE
#define SIZE_REF(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_size_##fn((const ct *)v);
        FAMQP_TABLE_COMPOUNDS(SIZE_REF)
#undef SIZE_REF
    default: return famqp_size_value(*(const famqp_value *)v);
    }
}

uint8_t *famqp__table_put_prim(uint8_t *p, unsigned prim, bool fixed, const void *v)
{
    switch (prim) {
    case FAMQP_TP_BOOLEAN:
        return fixed ? famqp_put_bool_fixed(p, *(const bool *)v) : famqp_put_bool(p, *(const bool *)v);
    case FAMQP_TP_UINT:
        return fixed ? famqp_put_uint_fixed(p, *(const uint32_t *)v) : famqp_put_uint(p, *(const uint32_t *)v);
    case FAMQP_TP_ULONG:
        return fixed ? famqp_put_ulong_fixed(p, *(const uint64_t *)v) : famqp_put_ulong(p, *(const uint64_t *)v);
    case FAMQP_TP_INT:
        return fixed ? famqp_put_int_fixed(p, *(const int32_t *)v) : famqp_put_int(p, *(const int32_t *)v);
    case FAMQP_TP_LONG:
        return fixed ? famqp_put_long_fixed(p, *(const int64_t *)v) : famqp_put_long(p, *(const int64_t *)v);
#define PUT(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_put_##fn(p, *(const ct *)v);
        FAMQP_TABLE_VARIABLE_PRIMS(PUT)
#undef PUT
#define PUT_REF(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_put_##fn(p, (const ct *)v);
        FAMQP_TABLE_COMPOUNDS(PUT_REF)
#undef PUT_REF
    default: return famqp_put_value(p, *(const famqp_value *)v);
    }
}

size_t famqp__table_size_multiple(unsigned prim, const famqp_multiple *m)
{
    switch (prim) {
#define SIZE_MULTI(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_size_multiple_##fn(m);
        FAMQP_TABLE_PRIMS(SIZE_MULTI)
#undef SIZE_MULTI
    default: return famqp_size_null(); /* the generator allows multiple only on these */
    }
}

uint8_t *famqp__table_put_multiple(uint8_t *p, unsigned prim, const famqp_multiple *m)
{
    switch (prim) {
#define PUT_MULTI(U, fn, ct) \
    case FAMQP_TP_##U: return famqp_put_multiple_##fn(p, m);
        FAMQP_TABLE_PRIMS(PUT_MULTI)
#undef PUT_MULTI
    default: return famqp_put_null(p);
    }
}

/* Text choices compare by content (the flat style's from_symbol /
 * from_string); everything else with == on the C type, as the flat
 * style's generated condition does. */
bool famqp__table_is_choice(unsigned prim, const famqp_table_choices *c, const void *v)
{
    switch (prim) {
#define TEXT_IN(U, ct)                                                                   \
    case FAMQP_TP_##U: {                                                                 \
        const ct *s = v, *vals = c->values;                                              \
        for (uint32_t i = 0; i < c->count; i++)                                          \
            if (vals[i].len == s->len && (s->len == 0 || memcmp(vals[i].ptr, s->ptr, s->len) == 0)) \
                return true;                                                             \
        return false;                                                                    \
    }
        TEXT_IN(SYMBOL, famqp_symbol)
        TEXT_IN(STRING, famqp_string)
#undef TEXT_IN
#define EQUAL(U, fn, ct)                                   \
    case FAMQP_TP_##U: {                                   \
        const ct *vals = c->values;                        \
        for (uint32_t i = 0; i < c->count; i++)            \
            if (vals[i] == *(const ct *)v)                 \
                return true;                               \
        return false;                                      \
    }
        EQUAL(BOOLEAN, bool, bool)
        EQUAL(UBYTE, ubyte, uint8_t)
        EQUAL(USHORT, ushort, uint16_t)
        EQUAL(UINT, uint, uint32_t)
        EQUAL(ULONG, ulong, uint64_t)
        EQUAL(BYTE, byte, int8_t)
        EQUAL(SHORT, short, int16_t)
        EQUAL(INT, int, int32_t)
        EQUAL(LONG, long, int64_t)
        EQUAL(FLOAT, float, float)
        EQUAL(DOUBLE, double, double)
        EQUAL(CHAR, char, uint32_t)
        EQUAL(TIMESTAMP, timestamp, int64_t)
#undef EQUAL
    default: /* no == in C (decimal, uuid, views): the generator never checks them */
        return true;
    }
}

/* The format-code tables: one description per code (class, width, kind,
 * name) and, per primitive type, which codes encode it.  Per-type tables
 * hold 1 + the width of the fixed part after the code (the body of a fixed
 * code, the length/size field of a variable or compound code), so inline
 * readers learn both "legal?" and "how wide?" from one load. */
#include "codec_internal.h"

#define FIX(w, k, n) {FAMQP_CLASS_FIXED, w, FAMQP_KIND_##k, n, "found " n}
#define VAR(w, k, n) {FAMQP_CLASS_VARIABLE, w, FAMQP_KIND_##k, n, "found " n}
#define CMP(w, k, n) {FAMQP_CLASS_COMPOUND, w, FAMQP_KIND_##k, n, "found " n}
#define ARR(w, n) {FAMQP_CLASS_ARRAY, w, FAMQP_KIND_ARRAY, n, "found " n}

const famqp_code_info_t famqp_code_info[256] = {
    [0x00] = {FAMQP_CLASS_DESCRIBED, 0, FAMQP_KIND_DESCRIBED, "described", "found a described value"},
    [0x40] = FIX(0, NULL, "null"),
    [0x41] = FIX(0, BOOLEAN, "true"),
    [0x42] = FIX(0, BOOLEAN, "false"),
    [0x43] = FIX(0, UINT, "uint0"),
    [0x44] = FIX(0, ULONG, "ulong0"),
    [0x45] = CMP(0, LIST, "list0"),
    [0x50] = FIX(1, UBYTE, "ubyte"),
    [0x51] = FIX(1, BYTE, "byte"),
    [0x52] = FIX(1, UINT, "smalluint"),
    [0x53] = FIX(1, ULONG, "smallulong"),
    [0x54] = FIX(1, INT, "smallint"),
    [0x55] = FIX(1, LONG, "smalllong"),
    [0x56] = FIX(1, BOOLEAN, "boolean"),
    [0x60] = FIX(2, USHORT, "ushort"),
    [0x61] = FIX(2, SHORT, "short"),
    [0x70] = FIX(4, UINT, "uint"),
    [0x71] = FIX(4, INT, "int"),
    [0x72] = FIX(4, FLOAT, "float"),
    [0x73] = FIX(4, CHAR, "char"),
    [0x74] = FIX(4, DECIMAL32, "decimal32"),
    [0x80] = FIX(8, ULONG, "ulong"),
    [0x81] = FIX(8, LONG, "long"),
    [0x82] = FIX(8, DOUBLE, "double"),
    [0x83] = FIX(8, TIMESTAMP, "timestamp"),
    [0x84] = FIX(8, DECIMAL64, "decimal64"),
    [0x94] = FIX(16, DECIMAL128, "decimal128"),
    [0x98] = FIX(16, UUID, "uuid"),
    [0xa0] = VAR(1, BINARY, "vbin8"),
    [0xa1] = VAR(1, STRING, "str8"),
    [0xa3] = VAR(1, SYMBOL, "sym8"),
    [0xb0] = VAR(4, BINARY, "vbin32"),
    [0xb1] = VAR(4, STRING, "str32"),
    [0xb3] = VAR(4, SYMBOL, "sym32"),
    [0xc0] = CMP(1, LIST, "list8"),
    [0xc1] = CMP(1, MAP, "map8"),
    [0xd0] = CMP(4, LIST, "list32"),
    [0xd1] = CMP(4, MAP, "map32"),
    [0xe0] = ARR(1, "array8"),
    [0xf0] = ARR(4, "array32"),
};

famqp_code_table famqp_codes_boolean = {[0x41] = 1, [0x42] = 1, [0x56] = 2};
famqp_code_table famqp_codes_ubyte = {[0x50] = 2};
famqp_code_table famqp_codes_ushort = {[0x60] = 3};
famqp_code_table famqp_codes_uint = {[0x43] = 1, [0x52] = 2, [0x70] = 5};
famqp_code_table famqp_codes_ulong = {[0x44] = 1, [0x53] = 2, [0x80] = 9};
famqp_code_table famqp_codes_byte = {[0x51] = 2};
famqp_code_table famqp_codes_short = {[0x61] = 3};
famqp_code_table famqp_codes_int = {[0x54] = 2, [0x71] = 5};
famqp_code_table famqp_codes_long = {[0x55] = 2, [0x81] = 9};
famqp_code_table famqp_codes_float = {[0x72] = 5};
famqp_code_table famqp_codes_double = {[0x82] = 9};
famqp_code_table famqp_codes_decimal32 = {[0x74] = 5};
famqp_code_table famqp_codes_decimal64 = {[0x84] = 9};
famqp_code_table famqp_codes_decimal128 = {[0x94] = 17};
famqp_code_table famqp_codes_char = {[0x73] = 5};
famqp_code_table famqp_codes_timestamp = {[0x83] = 9};
famqp_code_table famqp_codes_uuid = {[0x98] = 17};
famqp_code_table famqp_codes_binary = {[0xa0] = 2, [0xb0] = 5};
famqp_code_table famqp_codes_string = {[0xa1] = 2, [0xb1] = 5};
famqp_code_table famqp_codes_symbol = {[0xa3] = 2, [0xb3] = 5};
famqp_code_table famqp_codes_list = {[0x45] = 1, [0xc0] = 2, [0xd0] = 5};
famqp_code_table famqp_codes_map = {[0xc1] = 2, [0xd1] = 5};
famqp_code_table famqp_codes_array = {[0xe0] = 2, [0xf0] = 5};

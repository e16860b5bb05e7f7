/* Encoding flatamqp.Array(type, items): one array32 whose elements share
 * the type's widest constructor (uint 0x70, string 0xb1, list 0xd0, ...),
 * each element converted with the same checks as a field of that type.
 * Arrays of described values are not encoded (a stated limit). */
#include <string.h>

#include "famqp_py.h"

/* The element constructor of each kind (0: not encodable in an array). */
static uint8_t array_code(famqp_kind k)
{
    static const uint8_t codes[FAMQP_KIND_COUNT] = {
        [FAMQP_KIND_NULL] = 0x40,       [FAMQP_KIND_BOOLEAN] = 0x56,    [FAMQP_KIND_UBYTE] = 0x50,
        [FAMQP_KIND_USHORT] = 0x60,     [FAMQP_KIND_UINT] = 0x70,       [FAMQP_KIND_ULONG] = 0x80,
        [FAMQP_KIND_BYTE] = 0x51,       [FAMQP_KIND_SHORT] = 0x61,      [FAMQP_KIND_INT] = 0x71,
        [FAMQP_KIND_LONG] = 0x81,       [FAMQP_KIND_FLOAT] = 0x72,      [FAMQP_KIND_DOUBLE] = 0x82,
        [FAMQP_KIND_DECIMAL32] = 0x74,  [FAMQP_KIND_DECIMAL64] = 0x84,  [FAMQP_KIND_DECIMAL128] = 0x94,
        [FAMQP_KIND_CHAR] = 0x73,       [FAMQP_KIND_TIMESTAMP] = 0x83,  [FAMQP_KIND_UUID] = 0x98,
        [FAMQP_KIND_BINARY] = 0xb0,     [FAMQP_KIND_STRING] = 0xb1,     [FAMQP_KIND_SYMBOL] = 0xb3,
        [FAMQP_KIND_LIST] = 0xd0,       [FAMQP_KIND_MAP] = 0xd1,        [FAMQP_KIND_ARRAY] = 0xf0,
    };
    return k > FAMQP_KIND_INVALID && k < FAMQP_KIND_COUNT ? codes[k] : 0;
}

/* One element's body (no constructor). */
static int put_element(famqp_py_enc *e, famqp_py_growbuf *g, famqp_kind k, uint8_t code, PyObject *x)
{
    famqp_py_cvalue u;
    uint32_t f32;
    uint64_t f64;
    switch (k) {
    case FAMQP_KIND_NULL:
        if (x != Py_None) {
            PyErr_SetString(PyExc_TypeError, "an array of null holds only None");
            return -1;
        }
        return 0;
    case FAMQP_KIND_BOOLEAN: return famqp_py_to_bool(e, x, &u.b) ? -1 : famqp_py_put_be(g, u.b, 1);
    case FAMQP_KIND_UBYTE: return famqp_py_to_ubyte(e, x, &u.u8) ? -1 : famqp_py_put_be(g, u.u8, 1);
    case FAMQP_KIND_USHORT: return famqp_py_to_ushort(e, x, &u.u16) ? -1 : famqp_py_put_be(g, u.u16, 2);
    case FAMQP_KIND_UINT: return famqp_py_to_uint(e, x, &u.u32) ? -1 : famqp_py_put_be(g, u.u32, 4);
    case FAMQP_KIND_ULONG: return famqp_py_to_ulong(e, x, &u.u64) ? -1 : famqp_py_put_be(g, u.u64, 8);
    case FAMQP_KIND_BYTE: return famqp_py_to_byte(e, x, &u.i8) ? -1 : famqp_py_put_be(g, (uint8_t)u.i8, 1);
    case FAMQP_KIND_SHORT: return famqp_py_to_short(e, x, &u.i16) ? -1 : famqp_py_put_be(g, (uint16_t)u.i16, 2);
    case FAMQP_KIND_INT: return famqp_py_to_int(e, x, &u.i32) ? -1 : famqp_py_put_be(g, (uint32_t)u.i32, 4);
    case FAMQP_KIND_LONG: return famqp_py_to_long(e, x, &u.i64) ? -1 : famqp_py_put_be(g, (uint64_t)u.i64, 8);
    case FAMQP_KIND_TIMESTAMP: return famqp_py_to_timestamp(e, x, &u.i64) ? -1 : famqp_py_put_be(g, (uint64_t)u.i64, 8);
    case FAMQP_KIND_CHAR: return famqp_py_to_char(e, x, &u.u32) ? -1 : famqp_py_put_be(g, u.u32, 4);
    case FAMQP_KIND_FLOAT:
        if (famqp_py_to_float(e, x, &u.f))
            return -1;
        memcpy(&f32, &u.f, 4);
        return famqp_py_put_be(g, f32, 4);
    case FAMQP_KIND_DOUBLE:
        if (famqp_py_to_double(e, x, &u.d))
            return -1;
        memcpy(&f64, &u.d, 8);
        return famqp_py_put_be(g, f64, 8);
    case FAMQP_KIND_DECIMAL32: return famqp_py_to_decimal32(e, x, &u.d32) ? -1 : famqp_py_put_bytes(g, u.d32.bytes, 4, false);
    case FAMQP_KIND_DECIMAL64: return famqp_py_to_decimal64(e, x, &u.d64) ? -1 : famqp_py_put_bytes(g, u.d64.bytes, 8, false);
    case FAMQP_KIND_DECIMAL128:
        return famqp_py_to_decimal128(e, x, &u.d128) ? -1 : famqp_py_put_bytes(g, u.d128.bytes, 16, false);
    case FAMQP_KIND_UUID: return famqp_py_to_uuid(e, x, &u.uuid) ? -1 : famqp_py_put_bytes(g, u.uuid.bytes, 16, false);
    case FAMQP_KIND_BINARY: return famqp_py_to_binary(e, x, &u.bin) ? -1 : famqp_py_put_bytes(g, u.bin.ptr, u.bin.len, true);
    case FAMQP_KIND_STRING: return famqp_py_to_string(e, x, &u.str) ? -1 : famqp_py_put_bytes(g, u.str.ptr, u.str.len, true);
    case FAMQP_KIND_SYMBOL: return famqp_py_to_symbol(e, x, &u.sym) ? -1 : famqp_py_put_bytes(g, u.sym.ptr, u.sym.len, true);
    case FAMQP_KIND_LIST:
    case FAMQP_KIND_MAP:
    case FAMQP_KIND_ARRAY: {
        bool ok = k == FAMQP_KIND_MAP ? PyDict_Check(x)
                  : k == FAMQP_KIND_LIST ? PyList_Check(x) || PyTuple_CheckExact(x)
                                         : famqp_py_is_v(x, FAMQP_PY_V_ARRAY);
        if (!ok) {
            PyErr_Format(PyExc_TypeError, "an array of %s holds no %.100s", famqp_kind_name(k), Py_TYPE(x)->tp_name);
            return -1;
        }
        famqp_value v;
        if (famqp_py_to_value(e, x, &v))
            return -1;
        if (v.len == 1 && v.ptr[0] == 0x45) /* list0: an empty list32 body */
            return famqp_py_put_be(g, 4, 4) || famqp_py_put_be(g, 0, 4) ? -1 : 0;
        if (v.len < 1 || v.ptr[0] != code) {
            PyErr_Format(PyExc_ValueError, "array element not in its 32-bit form (0x%02x)", v.len ? v.ptr[0] : 0);
            return -1;
        }
        return famqp_py_put_bytes(g, v.ptr + 1, v.len - 1, false);
    }
    default: break;
    }
    PyErr_Format(PyExc_ValueError, "encoding arrays of %s is not supported", famqp_kind_name(k));
    return -1;
}

int famqp_py_encode_array(famqp_py_enc *e, PyObject *type, PyObject *items, famqp_value *out)
{
    famqp_kind k = FAMQP_KIND_INVALID;
    for (int i = FAMQP_KIND_NULL; i < FAMQP_KIND_COUNT; i++)
        if (PyUnicode_CompareWithASCIIString(type, famqp_kind_name((famqp_kind)i)) == 0)
            k = (famqp_kind)i;
    uint8_t code = array_code(k);
    if (!code) {
        PyErr_Format(PyExc_ValueError, "encoding arrays of %R is not supported", type);
        return -1;
    }
    PyObject *seq = PySequence_Fast(items, "Array items must be a list");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    famqp_py_growbuf g = {0};
    int rc = -1;
    /* 0xf0, size (filled in last), count, constructor */
    if (n > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "array of more than 2^32-1 elements");
        goto done;
    }
    if (famqp_py_put_be(&g, 0xf0, 1) || famqp_py_put_be(&g, 0, 4) || famqp_py_put_be(&g, (uint64_t)n, 4) || famqp_py_put_be(&g, code, 1))
        goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (put_element(e, &g, k, code, PySequence_Fast_GET_ITEM(seq, i)))
            goto done;
    if (g.len - 5 > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "array larger than 4 GiB");
        goto done;
    }
    for (int i = 0; i < 4; i++)
        g.p[1 + i] = (uint8_t)((g.len - 5) >> (8 * (3 - i)));
    uint8_t *dst = famqp_py_alloc(e, g.len);
    if (!dst)
        goto done;
    memcpy(dst, g.p, g.len);
    out->ptr = dst;
    out->len = g.len;
    rc = 0;
done:
    PyMem_Free(g.p);
    Py_DECREF(seq);
    return rc;
}

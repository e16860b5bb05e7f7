/* The encoder behind flatamqp.pyamqp.encode_payload: a pyamqp Message
 * (azure-eventhub's pure-Python AMQP stack; its field names and value
 * conventions are public facts of its API) to the same bytes pyamqp's own
 * encode_payload writes.  pyamqp's rules, as its encoder applies them:
 *  - sections in the order header, message-annotations, properties,
 *    application-properties, data..., sequence..., value, footer, and
 *    delivery-annotations last; descriptors as smallulong;
 *  - header and properties as lists of all their fields, None as null;
 *  - booleans 0x56 with a byte; ints without a type as int (smallint or
 *    int, out of range an error); uint/ulong 0, small or large; long small
 *    or large; lists list0/list8/list32, maps map8/map32, binaries,
 *    strings and symbols 8/32, by size;
 *  - a dict {"TYPE": t, "VALUE": v} is v as pyamqp's AMQPTypes t;
 *  - annotation keys: int as ulong, else symbol; application-properties
 *    keys as string; a tuple is a described value.
 * Not supported (TypeError): Decimal and typed arrays. */
#include <string.h>

#include "famqp_py.h"

typedef famqp_py_growbuf gb;

static int enc_value(gb *g, PyObject *v, int depth);

#define PUT(g, v, w)                                                                                         \
    do {                                                                                                     \
        if (famqp_py_put_be((g), (uint64_t)(v), (w)))                                                        \
            return -1;                                                                                       \
    } while (0)

static int overflow(const char *what, PyObject *v)
{
    PyErr_Format(PyExc_ValueError, "Value supplied for %s invalid: %R", what, v);
    return -1;
}

static int get_ll(PyObject *v, long long *out)
{
    PyObject *i = PyNumber_Long(v);
    if (!i)
        return -1;
    int of = 0;
    *out = PyLong_AsLongLongAndOverflow(i, &of);
    Py_DECREF(i);
    if (*out == -1 && PyErr_Occurred())
        return -1;
    if (of)
        return overflow("integer", v);
    return 0;
}

/* uint/ulong: 0, small, large (of the absolute value, as pyamqp packs) */
static int enc_unsigned(gb *g, PyObject *v, uint8_t zero, uint8_t small, uint8_t large, int width, uint64_t max)
{
    PyObject *i = PyNumber_Long(v);
    if (!i)
        return -1;
    PyObject *a = PyNumber_Absolute(i);
    Py_DECREF(i);
    if (!a)
        return -1;
    unsigned long long u = PyLong_AsUnsignedLongLong(a);
    Py_DECREF(a);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return overflow("unsigned integer", v);
    }
    if (u > max)
        return overflow("unsigned integer", v);
    if (u == 0) {
        PUT(g, zero, 1);
    } else if (u <= 255) {
        PUT(g, small, 1);
        PUT(g, u, 1);
    } else {
        PUT(g, large, 1);
        PUT(g, u, width);
    }
    return 0;
}

static int enc_signed(gb *g, PyObject *v, uint8_t small, uint8_t large, int width, long long lo, long long hi)
{
    long long x;
    if (get_ll(v, &x))
        return -1;
    if (x < lo || x > hi)
        return overflow("int", v);
    if (small && x >= -128 && x <= 127) {
        PUT(g, small, 1);
        PUT(g, (uint8_t)x, 1);
    } else {
        PUT(g, large, 1);
        PUT(g, (uint64_t)x, width);
    }
    return 0;
}

/* binary, string, symbol: 8-bit length up to 255 bytes, else 32-bit */
static int enc_bytes(gb *g, const char *p, Py_ssize_t n, uint8_t small, uint8_t large)
{
    if (n <= 255) {
        PUT(g, small, 1);
        PUT(g, n, 1);
        return famqp_py_put_bytes(g, p, (size_t)n, false);
    }
    PUT(g, large, 1);
    return famqp_py_put_bytes(g, p, (size_t)n, true);
}

static int enc_text(gb *g, PyObject *v, uint8_t small, uint8_t large)
{
    Py_ssize_t n;
    const char *p;
    if (PyUnicode_Check(v)) {
        if (!(p = PyUnicode_AsUTF8AndSize(v, &n)))
            return -1;
    } else if (PyBytes_Check(v)) {
        p = PyBytes_AS_STRING(v);
        n = PyBytes_GET_SIZE(v);
    } else if (PyByteArray_Check(v)) {
        p = PyByteArray_AS_STRING(v);
        n = PyByteArray_GET_SIZE(v);
    } else {
        PyErr_Format(PyExc_TypeError, "expected str or bytes, got %.100s", Py_TYPE(v)->tp_name);
        return -1;
    }
    return enc_bytes(g, p, n, small, large);
}

static int enc_double(gb *g, PyObject *v, bool single)
{
    double d = PyFloat_AsDouble(v);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    if (single) {
        float f = (float)d;
        uint32_t u;
        memcpy(&u, &f, 4);
        PUT(g, 0x72, 1);
        PUT(g, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &d, 8);
        PUT(g, 0x82, 1);
        PUT(g, u, 8);
    }
    return 0;
}

static int enc_uuid(gb *g, PyObject *v)
{
    PyObject *b;
    if (PyUnicode_Check(v) || PyBytes_Check(v)) { /* pyamqp parses a str, checks bytes */
        PyObject *cls = famqp_py_vclasses[FAMQP_PY_V_UUID];
        PyObject *u = PyUnicode_Check(v) ? PyObject_CallOneArg(cls, v)
                                         : PyObject_Call(cls, PyTuple_New(0), Py_BuildValue("{sO}", "bytes", v));
        if (!u)
            return -1;
        b = PyObject_GetAttrString(u, "bytes");
        Py_DECREF(u);
    } else {
        b = PyObject_GetAttrString(v, "bytes");
    }
    if (!b)
        return -1;
    if (!PyBytes_Check(b) || PyBytes_GET_SIZE(b) != 16) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_TypeError, "Invalid UUID");
        return -1;
    }
    PUT(g, 0x98, 1);
    int r = famqp_py_put_bytes(g, PyBytes_AS_STRING(b), 16, false);
    Py_DECREF(b);
    return r;
}

/* milliseconds of a datetime as pyamqp computes them (timegm of its UTC
 * time tuple, plus microseconds / 1000, truncated) */
static int datetime_ms(PyObject *v, long long *out)
{
    PyObject *cal = PyImport_ImportModule("calendar");
    PyObject *tt = cal ? PyObject_CallMethod(v, "utctimetuple", NULL) : NULL;
    PyObject *secs = tt ? PyObject_CallMethod(cal, "timegm", "(O)", tt) : NULL;
    PyObject *us = secs ? PyObject_GetAttrString(v, "microsecond") : NULL;
    Py_XDECREF(cal);
    Py_XDECREF(tt);
    if (!us) {
        Py_XDECREF(secs);
        return -1;
    }
    long long s = PyLong_AsLongLong(secs), u = PyLong_AsLongLong(us);
    Py_DECREF(secs);
    Py_DECREF(us);
    if (PyErr_Occurred())
        return -1;
    *out = (long long)((double)(s * 1000) + (double)u / 1000.0);
    return 0;
}

static bool is_datetime(PyObject *v)
{
    return PyObject_HasAttrString(v, "utctimetuple") && PyObject_HasAttrString(v, "microsecond");
}

static int enc_timestamp(gb *g, PyObject *v)
{
    long long ms;
    if (is_datetime(v) ? datetime_ms(v, &ms) : get_ll(v, &ms))
        return -1;
    PUT(g, 0x83, 1);
    PUT(g, (uint64_t)ms, 8);
    return 0;
}

/* list0 / list8 / list32 or map8 / map32 around count values in body */
static int enc_compound(gb *g, const gb *body, size_t count, bool map)
{
    if (!map && count == 0) {
        PUT(g, 0x45, 1);
        return 0;
    }
    if (count <= 255 && body->len < 255) {
        PUT(g, map ? 0xc1 : 0xc0, 1);
        PUT(g, body->len + 1, 1);
        PUT(g, count, 1);
    } else {
        if (body->len > UINT32_MAX - 4 || count > UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "List or map is too large to be encoded.");
            return -1;
        }
        PUT(g, map ? 0xd1 : 0xd0, 1);
        PUT(g, body->len + 4, 4);
        PUT(g, count, 4);
    }
    return famqp_py_put_bytes(g, body->p, body->len, false);
}

static int enc_list(gb *g, PyObject *v, int depth)
{
    PyObject *seq = PySequence_Fast(v, "expected a list");
    if (!seq)
        return -1;
    gb body = {0};
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int r = 0;
    for (Py_ssize_t i = 0; i < n && r == 0; i++)
        r = enc_value(&body, PySequence_Fast_GET_ITEM(seq, i), depth + 1);
    if (r == 0)
        r = enc_compound(g, &body, (size_t)n, false);
    PyMem_Free(body.p);
    Py_DECREF(seq);
    return r;
}

/* a dict, or a list of (key, value) pairs */
static int enc_map(gb *g, PyObject *v, int depth)
{
    gb body = {0};
    size_t count = 0;
    int r = 0;
    if (PyDict_Check(v)) {
        Py_ssize_t pos = 0;
        PyObject *k, *x;
        while (r == 0 && PyDict_Next(v, &pos, &k, &x)) {
            r = enc_value(&body, k, depth + 1) || enc_value(&body, x, depth + 1) ? -1 : 0;
            count += 2;
        }
    } else {
        PyObject *seq = PySequence_Fast(v, "expected a dict or a list of pairs");
        if (!seq)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && r == 0; i++) {
            PyObject *pair = PySequence_Fast_GET_ITEM(seq, i);
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                PyErr_SetString(PyExc_TypeError, "map entries are (key, value) pairs");
                r = -1;
                break;
            }
            r = enc_value(&body, PyTuple_GET_ITEM(pair, 0), depth + 1) ||
                        enc_value(&body, PyTuple_GET_ITEM(pair, 1), depth + 1)
                    ? -1
                    : 0;
            count += 2;
        }
        Py_DECREF(seq);
    }
    if (r == 0)
        r = enc_compound(g, &body, count, true);
    PyMem_Free(body.p);
    return r;
}

static int enc_described(gb *g, PyObject *v, int depth)
{
    if (!PyTuple_Check(v) || PyTuple_GET_SIZE(v) < 2) {
        PyErr_SetString(PyExc_TypeError, "a described value is (descriptor, value)");
        return -1;
    }
    PUT(g, 0x00, 1);
    return enc_value(g, PyTuple_GET_ITEM(v, 0), depth + 1) || enc_value(g, PyTuple_GET_ITEM(v, 1), depth + 1)
               ? -1
               : 0;
}

/* pyamqp's encode_unknown: the value's Python type decides */
static int enc_unknown(gb *g, PyObject *v, int depth)
{
    if (v == Py_None) {
        PUT(g, 0x40, 1);
        return 0;
    }
    if (PyBool_Check(v)) {
        PUT(g, 0x56, 1);
        PUT(g, v == Py_True, 1);
        return 0;
    }
    if (PyUnicode_Check(v))
        return enc_text(g, v, 0xa1, 0xb1);
    if (famqp_py_is_v(v, FAMQP_PY_V_UUID))
        return enc_uuid(g, v);
    if (PyBytes_Check(v) || PyByteArray_Check(v))
        return enc_text(g, v, 0xa0, 0xb0);
    if (PyFloat_Check(v))
        return enc_double(g, v, false);
    if (PyLong_Check(v))
        return enc_signed(g, v, 0x54, 0x71, 4, INT32_MIN, INT32_MAX);
    if (is_datetime(v))
        return enc_timestamp(g, v);
    if (PyList_Check(v))
        return enc_list(g, v, depth);
    if (PyTuple_Check(v))
        return enc_described(g, v, depth);
    if (PyDict_Check(v))
        return enc_map(g, v, depth);
    PyErr_Format(PyExc_TypeError, "Unable to encode unknown value: %R", v);
    return -1;
}

/* {"TYPE": t, "VALUE": v}: v as AMQPTypes t (pyamqp's encode_value) */
static int enc_typed(gb *g, const char *t, PyObject *v, int depth)
{
    if (strcmp(t, "NULL") == 0) {
        PUT(g, 0x40, 1);
        return 0;
    }
    if (strcmp(t, "BOOL") == 0) {
        int b = PyObject_IsTrue(v);
        if (b < 0)
            return -1;
        PUT(g, 0x56, 1);
        PUT(g, b, 1);
        return 0;
    }
    if (strcmp(t, "UBYTE") == 0) {
        long long x;
        if (PyBytes_Check(v) && PyBytes_GET_SIZE(v) == 1)
            x = (unsigned char)PyBytes_AS_STRING(v)[0];
        else if (get_ll(v, &x))
            return -1;
        if (x < -255 || x > 255)
            return overflow("ubyte", v);
        PUT(g, 0x50, 1);
        PUT(g, x < 0 ? -x : x, 1);
        return 0;
    }
    if (strcmp(t, "BYTE") == 0)
        return enc_signed(g, v, 0, 0x51, 1, INT8_MIN, INT8_MAX);
    if (strcmp(t, "USHORT") == 0)
        return enc_signed(g, v, 0, 0x60, 2, 0, UINT16_MAX);
    if (strcmp(t, "SHORT") == 0)
        return enc_signed(g, v, 0, 0x61, 2, INT16_MIN, INT16_MAX);
    if (strcmp(t, "UINT") == 0)
        return enc_unsigned(g, v, 0x43, 0x52, 0x70, 4, UINT32_MAX);
    if (strcmp(t, "INT") == 0)
        return enc_signed(g, v, 0x54, 0x71, 4, INT32_MIN, INT32_MAX);
    if (strcmp(t, "ULONG") == 0)
        return enc_unsigned(g, v, 0x44, 0x53, 0x80, 8, UINT64_MAX);
    if (strcmp(t, "LONG") == 0) {
        if (is_datetime(v)) {
            long long ms;
            if (datetime_ms(v, &ms))
                return -1;
            PyObject *i = PyLong_FromLongLong(ms);
            int r = i ? enc_signed(g, i, 0x55, 0x81, 8, INT64_MIN, INT64_MAX) : -1;
            Py_XDECREF(i);
            return r;
        }
        return enc_signed(g, v, 0x55, 0x81, 8, INT64_MIN, INT64_MAX);
    }
    if (strcmp(t, "FLOAT") == 0 || strcmp(t, "DOUBLE") == 0)
        return enc_double(g, v, t[0] == 'F');
    if (strcmp(t, "TIMESTAMP") == 0)
        return enc_timestamp(g, v);
    if (strcmp(t, "UUID") == 0)
        return enc_uuid(g, v);
    if (strcmp(t, "BINARY") == 0)
        return enc_text(g, v, 0xa0, 0xb0);
    if (strcmp(t, "STRING") == 0)
        return enc_text(g, v, 0xa1, 0xb1);
    if (strcmp(t, "SYMBOL") == 0)
        return enc_text(g, v, 0xa3, 0xb3);
    if (strcmp(t, "LIST") == 0)
        return enc_list(g, v, depth);
    if (strcmp(t, "MAP") == 0)
        return enc_map(g, v, depth);
    if (strcmp(t, "DESCRIBED") == 0)
        return enc_described(g, v, depth);
    PyErr_Format(PyExc_TypeError, "flatamqp.pyamqp: AMQP type %s is not supported", t);
    return -1;
}

static int enc_value(gb *g, PyObject *v, int depth)
{
    if (depth > 64) {
        PyErr_SetString(PyExc_ValueError, "value nested deeper than 64");
        return -1;
    }
    if (PyDict_Check(v)) {
        PyObject *t = PyDict_GetItemString(v, "TYPE");
        if (t) {
            PyObject *x = PyDict_GetItemString(v, "VALUE");
            if (!x) { /* pyamqp: the KeyError sends it to encode_unknown */
                return enc_unknown(g, v, depth);
            }
            if (t == Py_None)
                return enc_unknown(g, x, depth);
            const char *ts = PyUnicode_Check(t) ? PyUnicode_AsUTF8(t) : NULL;
            if (!ts)
                return enc_unknown(g, v, depth);
            return enc_typed(g, ts, x, depth);
        }
    }
    return enc_unknown(g, v, depth);
}

/* message-id and correlation-id: int ulong, UUID, bytes binary, str string */
static int enc_message_id(gb *g, PyObject *v)
{
    if (PyLong_Check(v))
        return enc_unsigned(g, v, 0x44, 0x53, 0x80, 8, UINT64_MAX);
    if (famqp_py_is_v(v, FAMQP_PY_V_UUID))
        return enc_uuid(g, v);
    if (PyBytes_Check(v))
        return enc_text(g, v, 0xa0, 0xb0);
    if (PyUnicode_Check(v))
        return enc_text(g, v, 0xa1, 0xb1);
    PyErr_SetString(PyExc_TypeError, "Unsupported Message ID type.");
    return -1;
}

enum ftype { F_BOOL, F_UBYTE, F_UINT, F_MSGID, F_BINARY, F_STRING, F_SYMBOL, F_TIMESTAMP };

/* header (0x70) or properties (0x73): every field, None as null */
static int enc_performative(gb *g, uint8_t code, PyObject *p, const enum ftype *types, Py_ssize_t n)
{
    if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) != n) {
        PyErr_Format(PyExc_TypeError, "expected a pyamqp %s of %zd fields", code == 0x70 ? "Header" : "Properties", n);
        return -1;
    }
    gb body = {0};
    int r = 0;
    for (Py_ssize_t i = 0; i < n && r == 0; i++) {
        PyObject *v = PyTuple_GET_ITEM(p, i);
        if (v == Py_None) {
            r = famqp_py_put_be(&body, 0x40, 1);
            continue;
        }
        switch (types[i]) {
        case F_BOOL: r = enc_typed(&body, "BOOL", v, 0); break;
        case F_UBYTE: r = enc_typed(&body, "UBYTE", v, 0); break;
        case F_UINT: r = enc_unsigned(&body, v, 0x43, 0x52, 0x70, 4, UINT32_MAX); break;
        case F_MSGID: r = enc_message_id(&body, v); break;
        case F_BINARY: r = enc_text(&body, v, 0xa0, 0xb0); break;
        case F_STRING: r = enc_text(&body, v, 0xa1, 0xb1); break;
        case F_SYMBOL: r = enc_text(&body, v, 0xa3, 0xb3); break;
        case F_TIMESTAMP: r = enc_timestamp(&body, v); break;
        }
    }
    if (r == 0 && !(r = famqp_py_put_be(g, 0x00, 1)) && !(r = famqp_py_put_be(g, 0x53, 1)) &&
        !(r = famqp_py_put_be(g, code, 1)))
        r = enc_compound(g, &body, (size_t)n, false);
    PyMem_Free(body.p);
    return r;
}

/* annotations (keys: int ulong, else symbol) or application-properties
 * (keys string) as described code */
static int enc_keyed_map(gb *g, uint8_t code, PyObject *m, bool annotations)
{
    if (!PyDict_Check(m)) {
        PyErr_Format(PyExc_TypeError, "expected a dict, got %.100s", Py_TYPE(m)->tp_name);
        return -1;
    }
    gb body = {0};
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    size_t count = 0;
    int r = 0;
    while (r == 0 && PyDict_Next(m, &pos, &k, &v)) {
        if (annotations && PyLong_Check(k))
            r = enc_unsigned(&body, k, 0x44, 0x53, 0x80, 8, UINT64_MAX);
        else
            r = enc_text(&body, k, annotations ? 0xa3 : 0xa1, annotations ? 0xb3 : 0xb1);
        if (r == 0)
            r = enc_value(&body, v, 1);
        count += 2;
    }
    if (r == 0 && !(r = famqp_py_put_be(g, 0x00, 1)) && !(r = famqp_py_put_be(g, 0x53, 1)) &&
        !(r = famqp_py_put_be(g, code, 1)))
        r = enc_compound(g, &body, count, true);
    PyMem_Free(body.p);
    return r;
}

static int section_head(gb *g, uint8_t code)
{
    return famqp_py_put_be(g, 0x00, 1) || famqp_py_put_be(g, 0x53, 1) || famqp_py_put_be(g, code, 1) ? -1 : 0;
}

static int encode_payload(gb *g, PyObject *m)
{
    static const enum ftype header[] = {F_BOOL, F_UBYTE, F_UINT, F_BOOL, F_UINT};
    static const enum ftype props[] = {F_MSGID, F_BINARY, F_STRING, F_STRING, F_STRING, F_MSGID, F_SYMBOL,
                                       F_SYMBOL, F_TIMESTAMP, F_TIMESTAMP, F_STRING, F_UINT, F_STRING};
    if (!PyTuple_Check(m) || PyTuple_GET_SIZE(m) < 9) {
        PyErr_SetString(PyExc_TypeError, "expected a pyamqp Message (9 fields)");
        return -1;
    }
#define FIELD(i) PyTuple_GET_ITEM(m, (i))
#define TRUTHY(x) ((x) != Py_None && PyObject_IsTrue(x) == 1)
    if (TRUTHY(FIELD(0)) && enc_performative(g, 0x70, FIELD(0), header, 5))
        return -1;
    if (TRUTHY(FIELD(2)) && enc_keyed_map(g, 0x72, FIELD(2), true))
        return -1;
    if (TRUTHY(FIELD(3)) && enc_performative(g, 0x73, FIELD(3), props, 13))
        return -1;
    if (TRUTHY(FIELD(4)) && enc_keyed_map(g, 0x74, FIELD(4), false))
        return -1;
    if (TRUTHY(FIELD(5))) {
        PyObject *seq = PySequence_Fast(FIELD(5), "data is a list of bytes");
        if (!seq)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++)
            if (section_head(g, 0x75) || enc_text(g, PySequence_Fast_GET_ITEM(seq, i), 0xa0, 0xb0)) {
                Py_DECREF(seq);
                return -1;
            }
        Py_DECREF(seq);
    }
    if (TRUTHY(FIELD(6))) {
        PyObject *seq = PySequence_Fast(FIELD(6), "sequence is a list of lists");
        if (!seq)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++)
            if (section_head(g, 0x76) || enc_unknown(g, PySequence_Fast_GET_ITEM(seq, i), 0)) {
                Py_DECREF(seq);
                return -1;
            }
        Py_DECREF(seq);
    }
    if (TRUTHY(FIELD(7)) && (section_head(g, 0x77) || enc_unknown(g, FIELD(7), 0)))
        return -1;
    if (TRUTHY(FIELD(8)) && enc_keyed_map(g, 0x78, FIELD(8), true))
        return -1;
    if (TRUTHY(FIELD(1)) && enc_keyed_map(g, 0x71, FIELD(1), true))
        return -1;
#undef FIELD
#undef TRUTHY
    return PyErr_Occurred() ? -1 : 0;
}

PyObject *famqp_py_pyamqp_encode_payload(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *output, *message;
    if (!PyArg_ParseTuple(args, "O!O:encode_payload", &PyByteArray_Type, &output, &message))
        return NULL;
    gb g = {0};
    PyObject *r = NULL;
    if (encode_payload(&g, message) == 0) {
        Py_ssize_t at = PyByteArray_GET_SIZE(output);
        if (PyByteArray_Resize(output, at + (Py_ssize_t)g.len) == 0) {
            if (g.len)
                memcpy(PyByteArray_AS_STRING(output) + at, g.p, g.len);
            Py_INCREF(output);
            r = output;
        }
    }
    PyMem_Free(g.p);
    return r;
}

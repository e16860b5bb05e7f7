/* The primitive conversions of the flatamqp extension: per AMQP primitive,
 * C value to Python object, Python object to C value (checked), whether an
 * object is of that primitive (a union's member), and multiple fields.
 * Also the encode arena and the held buffer exports (famqp_py.h). */
#include <string.h>

#include "famqp_py.h"

/* ---- the arena ------------------------------------------------------------- */

struct famqp_py_chunk {
    famqp_py_chunk *next;
    size_t cap;
    _Alignas(16) uint8_t data[];
};

void famqp_py_enc_init(famqp_py_enc *e)
{
    e->cur = e->first;
    e->left = sizeof e->first;
    e->chunks = NULL;
    e->bufs = NULL;
    e->nbufs = e->capbufs = 0;
}

void famqp_py_enc_done(famqp_py_enc *e)
{
    for (size_t i = 0; i < e->nbufs; i++)
        PyBuffer_Release(&e->bufs[i]);
    PyMem_Free(e->bufs);
    while (e->chunks) {
        famqp_py_chunk *n = e->chunks->next;
        PyMem_Free(e->chunks);
        e->chunks = n;
    }
    famqp_py_enc_init(e);
}

void *famqp_py_alloc(famqp_py_enc *e, size_t n)
{
    size_t pad = (size_t)(-(uintptr_t)e->cur & 15u);
    if (pad <= e->left && n <= e->left - pad) {
        void *p = e->cur + pad;
        e->cur += pad + n;
        e->left -= pad + n;
        return p;
    }
    size_t cap = n > 8192 ? n : 8192;
    if (cap > (size_t)PY_SSIZE_T_MAX - sizeof(famqp_py_chunk)) {
        PyErr_NoMemory();
        return NULL;
    }
    famqp_py_chunk *c = PyMem_Malloc(sizeof *c + cap);
    if (!c) {
        PyErr_NoMemory();
        return NULL;
    }
    c->next = e->chunks;
    c->cap = cap;
    e->chunks = c;
    e->cur = c->data + n;
    e->left = cap - n;
    return c->data;
}

/* A buffer export of o held until famqp_py_enc_done. */
static Py_buffer *hold_buffer(famqp_py_enc *e, PyObject *o)
{
    if (e->nbufs == e->capbufs) {
        size_t cap = e->capbufs ? 2 * e->capbufs : 4;
        Py_buffer *b = PyMem_Realloc(e->bufs, cap * sizeof *b);
        if (!b) {
            PyErr_NoMemory();
            return NULL;
        }
        e->bufs = b;
        e->capbufs = cap;
    }
    Py_buffer *b = &e->bufs[e->nbufs];
    if (PyObject_GetBuffer(o, b, PyBUF_SIMPLE) < 0)
        return NULL;
    e->nbufs++;
    return b;
}

/* ---- growing byte buffers ----------------------------------------------- */

uint8_t *famqp_py_grow(famqp_py_growbuf *g, size_t n)
{
    if (n > SIZE_MAX / 2 - g->len) {
        PyErr_NoMemory();
        return NULL;
    }
    if (g->len + n > g->cap) {
        size_t cap = g->cap ? g->cap : 256;
        while (cap < g->len + n)
            cap *= 2;
        uint8_t *p = PyMem_Realloc(g->p, cap);
        if (!p) {
            PyErr_NoMemory();
            return NULL;
        }
        g->p = p;
        g->cap = cap;
    }
    uint8_t *at = g->p + g->len;
    g->len += n;
    return at;
}

int famqp_py_put_be(famqp_py_growbuf *g, uint64_t v, int width)
{
    uint8_t *p = famqp_py_grow(g, (size_t)width);
    if (!p)
        return -1;
    for (int i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
    return 0;
}

int famqp_py_put_bytes(famqp_py_growbuf *g, const void *src, size_t n, bool with_len)
{
    if (with_len && (n > UINT32_MAX || famqp_py_put_be(g, n, 4) < 0)) {
        if (n > UINT32_MAX)
            PyErr_SetString(PyExc_OverflowError, "array element longer than 4 GiB");
        return -1;
    }
    uint8_t *p = famqp_py_grow(g, n);
    if (!p)
        return -1;
    if (n)
        memcpy(p, src, n);
    return 0;
}

/* ---- the value classes ---------------------------------------------------- */

PyObject *famqp_py_vclasses[FAMQP_PY_V_COUNT];
const char *const famqp_py_vclass_names[FAMQP_PY_V_COUNT] = {
    "symbol", "char", "ubyte", "ushort", "uint", "ulong", "byte", "short", "int32", "float32",
    "timestamp", "decimal32", "decimal64", "decimal128", "Described", "Array", "UUID",
};

bool famqp_py_is_v(PyObject *o, enum famqp_py_vclass k)
{
    PyObject *c = famqp_py_vclasses[k];
    return c && (Py_TYPE(o) == (PyTypeObject *)c || PyObject_TypeCheck(o, (PyTypeObject *)c));
}

PyObject *famqp_py_make_v(enum famqp_py_vclass k, PyObject *arg)
{
    if (!arg)
        return NULL;
    PyObject *c = famqp_py_vclasses[k];
    if (!c) {
        Py_DECREF(arg);
        PyErr_Format(PyExc_RuntimeError, "flatamqp: value class %s not registered", famqp_py_vclass_names[k]);
        return NULL;
    }
    PyObject *r = PyObject_CallOneArg(c, arg);
    Py_DECREF(arg);
    return r;
}

static int type_error(const char *want, PyObject *o)
{
    PyErr_Format(PyExc_TypeError, "expected %s, got %.100s", want, Py_TYPE(o)->tp_name);
    return -1;
}

/* ---- integers -------------------------------------------------------------- */

static bool is_int(PyObject *o)
{
    return PyLong_Check(o) && !PyBool_Check(o);
}

static int to_unsigned(PyObject *o, uint64_t max, const char *name, uint64_t *out)
{
    if (!PyLong_Check(o))
        return type_error("int", o);
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (s == -1 && PyErr_Occurred())
        return -1;
    uint64_t u;
    if (overflow > 0) {
        u = PyLong_AsUnsignedLongLong(o);
        if (u == (uint64_t)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            goto range;
        }
    } else if (overflow < 0 || s < 0) {
        goto range;
    } else {
        u = (uint64_t)s;
    }
    if (u > max)
        goto range;
    *out = u;
    return 0;
range:
    PyErr_Format(PyExc_OverflowError, "%R is out of range for %s", o, name);
    return -1;
}

static int to_signed(PyObject *o, int64_t min, int64_t max, const char *name, int64_t *out)
{
    if (!PyLong_Check(o))
        return type_error("int", o);
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (s == -1 && PyErr_Occurred())
        return -1;
    if (overflow || s < min || s > max) {
        PyErr_Format(PyExc_OverflowError, "%R is out of range for %s", o, name);
        return -1;
    }
    *out = s;
    return 0;
}

#define UNSIGNED(fn, ctype, max, vk)                                                                         \
    PyObject *famqp_py_from_##fn(famqp_py_dec *d, const ctype *v)                                            \
    {                                                                                                        \
        (void)d;                                                                                             \
        return PyLong_FromUnsignedLongLong(*v);                                                              \
    }                                                                                                        \
    int famqp_py_to_##fn(famqp_py_enc *e, PyObject *o, ctype *out)                                           \
    {                                                                                                        \
        (void)e;                                                                                             \
        uint64_t u;                                                                                          \
        if (to_unsigned(o, max, #fn, &u))                                                                    \
            return -1;                                                                                       \
        *out = (ctype)u;                                                                                     \
        return 0;                                                                                            \
    }                                                                                                        \
    bool famqp_py_fits_##fn(PyObject *o)                                                                     \
    {                                                                                                        \
        return PyLong_CheckExact(o) || famqp_py_is_v(o, vk);                                                          \
    }
UNSIGNED(ubyte, uint8_t, UINT8_MAX, FAMQP_PY_V_UBYTE)
UNSIGNED(ushort, uint16_t, UINT16_MAX, FAMQP_PY_V_USHORT)
UNSIGNED(uint, uint32_t, UINT32_MAX, FAMQP_PY_V_UINT)
UNSIGNED(ulong, uint64_t, UINT64_MAX, FAMQP_PY_V_ULONG)
#undef UNSIGNED

#define SIGNED(fn, ctype, min, max, fits)                                                                    \
    PyObject *famqp_py_from_##fn(famqp_py_dec *d, const ctype *v)                                            \
    {                                                                                                        \
        (void)d;                                                                                             \
        return PyLong_FromLongLong(*v);                                                                      \
    }                                                                                                        \
    int famqp_py_to_##fn(famqp_py_enc *e, PyObject *o, ctype *out)                                           \
    {                                                                                                        \
        (void)e;                                                                                             \
        int64_t s;                                                                                           \
        if (to_signed(o, min, max, #fn, &s))                                                                 \
            return -1;                                                                                       \
        *out = (ctype)s;                                                                                     \
        return 0;                                                                                            \
    }                                                                                                        \
    bool famqp_py_fits_##fn(PyObject *o)                                                                     \
    {                                                                                                        \
        return fits;                                                                                         \
    }
SIGNED(byte, int8_t, INT8_MIN, INT8_MAX, PyLong_CheckExact(o) || famqp_py_is_v(o, FAMQP_PY_V_BYTE))
SIGNED(short, int16_t, INT16_MIN, INT16_MAX, PyLong_CheckExact(o) || famqp_py_is_v(o, FAMQP_PY_V_SHORT))
SIGNED(int, int32_t, INT32_MIN, INT32_MAX, PyLong_CheckExact(o) || famqp_py_is_v(o, FAMQP_PY_V_INT))
SIGNED(long, int64_t, INT64_MIN, INT64_MAX, PyLong_CheckExact(o))
#undef SIGNED

/* timestamp: milliseconds since the epoch; a datetime is taken too */
PyObject *famqp_py_from_timestamp(famqp_py_dec *d, const int64_t *v)
{
    (void)d;
    return PyLong_FromLongLong(*v);
}

int famqp_py_to_timestamp(famqp_py_enc *e, PyObject *o, int64_t *out)
{
    (void)e;
    if (!PyLong_Check(o) && PyObject_HasAttrString(o, "timestamp") && !PyUnicode_Check(o)) {
        PyObject *s = PyObject_CallMethod(o, "timestamp", NULL);
        if (!s)
            return -1;
        double secs = PyFloat_AsDouble(s);
        Py_DECREF(s);
        if (secs == -1.0 && PyErr_Occurred())
            return -1;
        double ms = secs * 1000.0;
        if (!(ms > -9.2e18 && ms < 9.2e18)) {
            PyErr_SetString(PyExc_OverflowError, "datetime out of range for timestamp");
            return -1;
        }
        *out = (int64_t)(ms < 0 ? ms - 0.5 : ms + 0.5);
        return 0;
    }
    return to_signed(o, INT64_MIN, INT64_MAX, "timestamp", out);
}

bool famqp_py_fits_timestamp(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_TIMESTAMP);
}

/* ---- bool, float, double, char ------------------------------------------ */

PyObject *famqp_py_from_bool(famqp_py_dec *d, const bool *v)
{
    (void)d;
    return PyBool_FromLong(*v);
}

int famqp_py_to_bool(famqp_py_enc *e, PyObject *o, bool *out)
{
    (void)e;
    if (!PyBool_Check(o))
        return type_error("bool", o);
    *out = o == Py_True;
    return 0;
}

bool famqp_py_fits_bool(PyObject *o)
{
    return PyBool_Check(o);
}

static int to_real(PyObject *o, double *out)
{
    if (!PyFloat_Check(o) && !is_int(o))
        return type_error("float", o);
    *out = PyFloat_AsDouble(o);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

PyObject *famqp_py_from_float(famqp_py_dec *d, const float *v)
{
    (void)d;
    return PyFloat_FromDouble(*v);
}

int famqp_py_to_float(famqp_py_enc *e, PyObject *o, float *out)
{
    (void)e;
    double x;
    if (to_real(o, &x))
        return -1;
    *out = (float)x;
    return 0;
}

bool famqp_py_fits_float(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_FLOAT);
}

PyObject *famqp_py_from_double(famqp_py_dec *d, const double *v)
{
    (void)d;
    return PyFloat_FromDouble(*v);
}

int famqp_py_to_double(famqp_py_enc *e, PyObject *o, double *out)
{
    (void)e;
    return to_real(o, out);
}

bool famqp_py_fits_double(PyObject *o)
{
    return PyFloat_Check(o) && !famqp_py_is_v(o, FAMQP_PY_V_FLOAT);
}

PyObject *famqp_py_from_char(famqp_py_dec *d, const uint32_t *v)
{
    (void)d;
    return PyUnicode_FromOrdinal((int)*v);
}

int famqp_py_to_char(famqp_py_enc *e, PyObject *o, uint32_t *out)
{
    (void)e;
    if (!PyUnicode_Check(o) || PyUnicode_GET_LENGTH(o) != 1) {
        if (PyUnicode_Check(o)) {
            PyErr_Format(PyExc_ValueError, "a char is one character, not %zd", PyUnicode_GET_LENGTH(o));
            return -1;
        }
        return type_error("str of one character", o);
    }
    uint32_t c = PyUnicode_READ_CHAR(o, 0);
    if (c >= 0xd800 && c <= 0xdfff) {
        PyErr_SetString(PyExc_ValueError, "a char is a Unicode scalar value, not a surrogate");
        return -1;
    }
    *out = c;
    return 0;
}

bool famqp_py_fits_char(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_CHAR);
}

/* ---- fixed-size byte values: decimals and uuid -------------------------- */

static int to_fixed_bytes(famqp_py_enc *e, PyObject *o, uint8_t *out, size_t n, const char *name)
{
    (void)e;
    Py_buffer b;
    if (!PyObject_CheckBuffer(o))
        return type_error("bytes", o);
    if (PyObject_GetBuffer(o, &b, PyBUF_SIMPLE) < 0)
        return -1;
    if ((size_t)b.len != n) {
        PyErr_Format(PyExc_ValueError, "a %s is %zu bytes, not %zd", name, n, b.len);
        PyBuffer_Release(&b);
        return -1;
    }
    memcpy(out, b.buf, n);
    PyBuffer_Release(&b);
    return 0;
}

#define DECIMAL(fn, n, vk)                                                                                   \
    PyObject *famqp_py_from_##fn(famqp_py_dec *d, const famqp_##fn *v)                                       \
    {                                                                                                        \
        (void)d;                                                                                             \
        return famqp_py_make_v(vk, PyBytes_FromStringAndSize((const char *)v->bytes, n));                             \
    }                                                                                                        \
    int famqp_py_to_##fn(famqp_py_enc *e, PyObject *o, famqp_##fn *out)                                      \
    {                                                                                                        \
        return to_fixed_bytes(e, o, out->bytes, n, #fn);                                                     \
    }                                                                                                        \
    bool famqp_py_fits_##fn(PyObject *o)                                                                     \
    {                                                                                                        \
        return famqp_py_is_v(o, vk);                                                                                  \
    }
DECIMAL(decimal32, 4, FAMQP_PY_V_DECIMAL32)
DECIMAL(decimal64, 8, FAMQP_PY_V_DECIMAL64)
DECIMAL(decimal128, 16, FAMQP_PY_V_DECIMAL128)
#undef DECIMAL

PyObject *famqp_py_from_uuid(famqp_py_dec *d, const famqp_uuid *v)
{
    (void)d;
    PyObject *c = famqp_py_vclasses[FAMQP_PY_V_UUID];
    if (!c) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp: uuid.UUID not registered");
        return NULL;
    }
    PyObject *b = PyBytes_FromStringAndSize((const char *)v->bytes, 16);
    if (!b)
        return NULL;
    PyObject *kw = Py_BuildValue("{sN}", "bytes", b);
    if (!kw)
        return NULL;
    PyObject *args = PyTuple_New(0);
    PyObject *r = args ? PyObject_Call(c, args, kw) : NULL;
    Py_XDECREF(args);
    Py_DECREF(kw);
    return r;
}

int famqp_py_to_uuid(famqp_py_enc *e, PyObject *o, famqp_uuid *out)
{
    if (famqp_py_is_v(o, FAMQP_PY_V_UUID)) {
        PyObject *b = PyObject_GetAttrString(o, "bytes");
        if (!b)
            return -1;
        int r = to_fixed_bytes(e, b, out->bytes, 16, "uuid");
        Py_DECREF(b);
        return r;
    }
    return to_fixed_bytes(e, o, out->bytes, 16, "uuid");
}

bool famqp_py_fits_uuid(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_UUID);
}

/* ---- binary, string, symbol ----------------------------------------------- */

PyObject *famqp_py_from_binary(famqp_py_dec *d, const famqp_binary *v)
{
    (void)d;
    return PyBytes_FromStringAndSize((const char *)v->ptr, (Py_ssize_t)v->len);
}

PyObject *famqp_py_from_binary_view(famqp_py_dec *d, const famqp_binary *v)
{
    if (!d->view) {
        d->view = PyMemoryView_FromObject(d->input);
        if (!d->view)
            return NULL;
    }
    Py_ssize_t at = v->len ? (Py_ssize_t)(v->ptr - d->base) : 0;
    return PySequence_GetSlice(d->view, at, at + (Py_ssize_t)v->len);
}

int famqp_py_to_binary(famqp_py_enc *e, PyObject *o, famqp_binary *out)
{
    if (PyBytes_Check(o)) {
        out->ptr = (const uint8_t *)PyBytes_AS_STRING(o);
        out->len = (size_t)PyBytes_GET_SIZE(o);
        return 0;
    }
    if (!PyObject_CheckBuffer(o) || PyUnicode_Check(o))
        return type_error("bytes-like", o);
    Py_buffer *b = hold_buffer(e, o);
    if (!b)
        return -1;
    out->ptr = b->buf;
    out->len = (size_t)b->len;
    return 0;
}

bool famqp_py_fits_binary(PyObject *o)
{
    return (PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o)) && !famqp_py_is_v(o, FAMQP_PY_V_DECIMAL32) &&
           !famqp_py_is_v(o, FAMQP_PY_V_DECIMAL64) && !famqp_py_is_v(o, FAMQP_PY_V_DECIMAL128);
}

PyObject *famqp_py_from_string(famqp_py_dec *d, const famqp_string *v)
{
    (void)d;
    return PyUnicode_DecodeUTF8(v->ptr, (Py_ssize_t)v->len, "strict");
}

int famqp_py_to_string(famqp_py_enc *e, PyObject *o, famqp_string *out)
{
    (void)e;
    if (!PyUnicode_Check(o))
        return type_error("str", o);
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(o, &n);
    if (!p)
        return -1;
    out->ptr = p;
    out->len = (size_t)n;
    return 0;
}

bool famqp_py_fits_string(PyObject *o)
{
    return PyUnicode_Check(o) && !famqp_py_is_v(o, FAMQP_PY_V_SYMBOL) && !famqp_py_is_v(o, FAMQP_PY_V_CHAR);
}

PyObject *famqp_py_from_symbol(famqp_py_dec *d, const famqp_symbol *v)
{
    (void)d;
    return PyUnicode_DecodeASCII(v->ptr, (Py_ssize_t)v->len, "strict");
}

int famqp_py_to_symbol(famqp_py_enc *e, PyObject *o, famqp_symbol *out)
{
    (void)e;
    if (PyUnicode_Check(o)) {
        if (!PyUnicode_IS_ASCII(o)) {
            PyErr_Format(PyExc_ValueError, "a symbol is ASCII: %R", o);
            return -1;
        }
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(o, &n);
        if (!p)
            return -1;
        out->ptr = p;
        out->len = (size_t)n;
        return 0;
    }
    if (PyBytes_Check(o)) {
        const char *p = PyBytes_AS_STRING(o);
        Py_ssize_t n = PyBytes_GET_SIZE(o);
        for (Py_ssize_t i = 0; i < n; i++)
            if ((unsigned char)p[i] > 0x7f) {
                PyErr_Format(PyExc_ValueError, "a symbol is ASCII: %R", o);
                return -1;
            }
        out->ptr = p;
        out->len = (size_t)n;
        return 0;
    }
    return type_error("str (ASCII)", o);
}

bool famqp_py_fits_symbol(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_SYMBOL) || PyUnicode_CheckExact(o);
}

/* ---- multiple fields --------------------------------------------------------
 * Decoded: a list (a single value on the wire is a list of one).  Encoded
 * from a list or tuple, or one value. */
#define MULTIPLE(fn, ctype)                                                                                  \
    PyObject *famqp_py_from_multiple_##fn(famqp_py_dec *d, const famqp_multiple *v)                          \
    {                                                                                                        \
        PyObject *l = PyList_New(v->count);                                                                  \
        if (!l)                                                                                              \
            return NULL;                                                                                     \
        famqp_iter it;                                                                                       \
        famqp_multiple_iter(v, &it);                                                                         \
        ctype c;                                                                                             \
        for (uint32_t i = 0; i < v->count; i++) {                                                            \
            PyObject *x = famqp_array_next_##fn(&it, &c) ? famqp_py_from_##fn(d, &c) : NULL;                 \
            if (!x) {                                                                                        \
                if (!PyErr_Occurred())                                                                       \
                    PyErr_SetString(PyExc_ValueError, "multiple field: element of the wrong type");          \
                Py_DECREF(l);                                                                                \
                return NULL;                                                                                 \
            }                                                                                                \
            PyList_SET_ITEM(l, i, x);                                                                        \
        }                                                                                                    \
        return l;                                                                                            \
    }                                                                                                        \
    int famqp_py_to_multiple_##fn(famqp_py_enc *e, PyObject *o, famqp_multiple *out)                         \
    {                                                                                                        \
        memset(out, 0, sizeof *out);                                                                         \
        if (!PyList_Check(o) && !PyTuple_Check(o)) {                                                         \
            ctype *one = famqp_py_alloc(e, sizeof *one);                                                     \
            if (!one || famqp_py_to_##fn(e, o, one))                                                         \
                return -1;                                                                                   \
            out->count = 1;                                                                                  \
            out->items = one;                                                                                \
            return 0;                                                                                        \
        }                                                                                                    \
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);                                                          \
        if ((uint64_t)n > UINT32_MAX) {                                                                      \
            PyErr_SetString(PyExc_OverflowError, "too many values");                                         \
            return -1;                                                                                       \
        }                                                                                                    \
        ctype *items = famqp_py_alloc(e, (size_t)(n ? n : 1) * sizeof *items);                               \
        if (!items)                                                                                          \
            return -1;                                                                                       \
        PyObject **src = PySequence_Fast_ITEMS(o);                                                           \
        for (Py_ssize_t i = 0; i < n; i++)                                                                   \
            if (famqp_py_to_##fn(e, src[i], &items[i]))                                                      \
                return -1;                                                                                   \
        out->count = (uint32_t)n;                                                                            \
        out->items = items;                                                                                  \
        return 0;                                                                                            \
    }
MULTIPLE(bool, bool)
MULTIPLE(ubyte, uint8_t)
MULTIPLE(ushort, uint16_t)
MULTIPLE(uint, uint32_t)
MULTIPLE(ulong, uint64_t)
MULTIPLE(byte, int8_t)
MULTIPLE(short, int16_t)
MULTIPLE(int, int32_t)
MULTIPLE(long, int64_t)
MULTIPLE(float, float)
MULTIPLE(double, double)
MULTIPLE(decimal32, famqp_decimal32)
MULTIPLE(decimal64, famqp_decimal64)
MULTIPLE(decimal128, famqp_decimal128)
MULTIPLE(char, uint32_t)
MULTIPLE(timestamp, int64_t)
MULTIPLE(uuid, famqp_uuid)
MULTIPLE(binary, famqp_binary)
MULTIPLE(string, famqp_string)
MULTIPLE(symbol, famqp_symbol)
#undef MULTIPLE

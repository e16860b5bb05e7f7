/* Any AMQP value to and from Python (famqp_py.h): the Python type decides
 * the AMQP type (docs/python.md has the table).  Decoding walks a value the
 * C decoder validated already; encoding writes with famqp_writer into the
 * encode's arena. */
#include <string.h>

#include "famqp_py.h"

/* Nesting accepted when encoding (the writer's own limit). */
#define MAX_DEPTH FAMQP_WRITER_MAX_DEPTH
/* Deepest compound an encode writes (a compound at this depth is refused):
 * as deep as the decoders take (FAMQP_DEFAULT_MAX_DEPTH, checked by
 * test_corpus.py's nesting test). */
#define MAX_ENCODE_DEPTH (2 * MAX_DEPTH)

/* ---- decoding --------------------------------------------------------------- */

static PyObject *from_value(famqp_py_dec *d, famqp_value v, int depth);

/* Symbols repeat (annotation keys, conditions): the flatamqp.symbol of each
 * text seen is kept, up to SYMBOL_CACHE_MAX of them, and shared (symbols
 * are immutable), which saves the call to the class per symbol. */
#define SYMBOL_CACHE_MAX 4096
static PyObject *symbol_cache;

static PyObject *symbol_object(famqp_py_dec *d, const famqp_symbol *sym)
{
    PyObject *text = famqp_py_from_symbol(d, sym);
    if (!text)
        return NULL;
    if (!symbol_cache && !(symbol_cache = PyDict_New())) {
        Py_DECREF(text);
        return NULL;
    }
    PyObject *hit = PyDict_GetItemWithError(symbol_cache, text);
    if (hit && Py_TYPE(hit) == (PyTypeObject *)famqp_py_vclasses[FAMQP_PY_V_SYMBOL]) {
        Py_DECREF(text);
        Py_INCREF(hit);
        return hit;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(text);
        return NULL;
    }
    Py_INCREF(text);
    PyObject *obj = famqp_py_make_v(FAMQP_PY_V_SYMBOL, text); /* steals one reference */
    if (obj) {
        if (PyDict_GET_SIZE(symbol_cache) >= SYMBOL_CACHE_MAX)
            PyDict_Clear(symbol_cache);
        if (PyDict_SetItem(symbol_cache, text, obj) < 0)
            Py_CLEAR(obj);
    }
    Py_DECREF(text);
    return obj;
}

/* A value class instance, or in pyamqp's plain mode the value itself. */
static PyObject *typed(famqp_py_dec *d, enum famqp_py_vclass k, PyObject *arg)
{
    return d->plain ? arg : famqp_py_make_v(k, arg);
}

static PyObject *from_list(famqp_py_dec *d, const famqp_list *l, int depth)
{
    PyObject *r = PyList_New(l->count);
    if (!r)
        return NULL;
    famqp_iter it;
    famqp_list_iter(l, &it);
    famqp_value item;
    for (uint32_t i = 0; i < l->count; i++) {
        PyObject *x = famqp_list_next(&it, &item) ? from_value(d, item, depth + 1) : NULL;
        if (!x) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "list shorter than its count");
            Py_DECREF(r);
            return NULL;
        }
        PyList_SET_ITEM(r, i, x);
    }
    return r;
}

static PyObject *from_map(famqp_py_dec *d, const famqp_map *m, int depth)
{
    PyObject *r = PyDict_New();
    if (!r)
        return NULL;
    famqp_iter it;
    famqp_map_iter(m, &it);
    famqp_value k, v;
    while (famqp_map_next(&it, &k, &v)) {
        PyObject *pk = from_value(d, k, depth + 1);
        PyObject *pv = pk ? from_value(d, v, depth + 1) : NULL;
        int rc = pv ? PyDict_SetItem(r, pk, pv) : -1;
        Py_XDECREF(pk);
        Py_XDECREF(pv);
        if (rc < 0) {
            if (PyErr_ExceptionMatches(PyExc_TypeError)) { /* an unhashable key: a valid map Python cannot hold */
                PyErr_Clear();
                famqp_error err = {FAMQP_ERR_INVALID_VALUE, "map", NULL, 0,
                                   "a key of this AMQP type (list, map, array) cannot be a dict key"};
                famqp_py_raise_decode(&err, d, k.ptr);
            }
            Py_DECREF(r);
            return NULL;
        }
    }
    return r;
}

/* Array elements share one constructor; each is read as constructor +
 * body, a complete value of its own. */
static PyObject *from_array(famqp_py_dec *d, const famqp_array *a, int depth)
{
    PyObject *items = PyList_New(a->count);
    if (!items)
        return NULL;
    famqp_iter it;
    famqp_array_iter(a, &it);
    famqp_binary body;
    uint8_t small[64];
    famqp_kind kind = FAMQP_KIND_NULL;
    for (uint32_t i = 0; i < a->count; i++) {
        if (!famqp_array_next_raw(&it, &body)) {
            PyErr_SetString(PyExc_ValueError, "array shorter than its count");
            goto fail;
        }
        size_t n = a->ctor_len + body.len;
        uint8_t *p = n <= sizeof small ? small : PyMem_Malloc(n);
        if (!p) {
            PyErr_NoMemory();
            goto fail;
        }
        memcpy(p, a->ctor, a->ctor_len);
        if (body.len)
            memcpy(p + a->ctor_len, body.ptr, body.len);
        famqp_value ev = {p, n};
        kind = famqp_value_kind(ev);
        PyObject *x = from_value(d, ev, depth + 1);
        if (p != small)
            PyMem_Free(p);
        if (!x)
            goto fail;
        PyList_SET_ITEM(items, i, x);
    }
    if (a->count == 0 && a->ctor_len) {
        famqp_value ev = {a->ctor, a->ctor_len};
        kind = famqp_value_kind(ev);
    }
    if (d->plain) /* pyamqp: a list */
        return items;
    PyObject *c = famqp_py_vclasses[FAMQP_PY_V_ARRAY];
    if (!c) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp: Array not registered");
        goto fail;
    }
    return PyObject_CallFunction(c, "sN", famqp_kind_name(kind), items);
fail:
    Py_DECREF(items);
    return NULL;
}

/* pyamqp's form of a spec type's instance (stolen): its fields as a list
 * (trailing absent ones left out, nested instances alike), an outcome as
 * {"accepted": [...]} (pyamqp's decoder names those five). */
static PyObject *plain_spec(PyObject *obj)
{
    int idx = famqp_py_index_of(obj);
    Py_ssize_t n = PyTuple_GET_SIZE(obj);
    while (n > 0 && PyTuple_GET_ITEM(obj, n - 1) == Py_None)
        n--;
    PyObject *l = PyList_New(n);
    for (Py_ssize_t i = 0; l && i < n; i++) {
        PyObject *x = PyTuple_GET_ITEM(obj, i);
        Py_INCREF(x);
        if (famqp_py_index_of(x) >= 0 && !(x = plain_spec(x))) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, i, x);
    }
    Py_DECREF(obj);
    if (!l || idx < 0)
        return l;
    uint64_t code = famqp_py_types[idx].code;
    if (code < 0x23 || code > 0x27)
        return l;
    return Py_BuildValue("{sN}", famqp_py_types[idx].amqp, l);
}

static PyObject *from_described(famqp_py_dec *d, famqp_value v, int depth)
{
    famqp_value desc, inner;
    if (!famqp_value_get_described(v, &desc, &inner)) {
        PyErr_SetString(PyExc_ValueError, "malformed described value");
        return NULL;
    }
    uint64_t code;
    int idx = famqp_value_get_ulong(desc, &code) ? famqp_py_index_of_code(code) : -1;
    if (idx >= 0) { /* a type of the spec: its class */
        size_t used;
        famqp_error err = {0};
        PyObject *r = famqp_py_types[idx].decode(d, v.ptr, v.len, &used, &err);
        if (!r && err.status != FAMQP_OK)
            return famqp_py_raise_decode(&err, d, v.ptr);
        return r && d->plain ? plain_spec(r) : r;
    }
    if (d->plain) /* pyamqp: the value, its descriptor dropped */
        return from_value(d, inner, depth + 1);
    PyObject *pd = from_value(d, desc, depth + 1);
    PyObject *pv = pd ? from_value(d, inner, depth + 1) : NULL;
    if (!pv) {
        Py_XDECREF(pd);
        return NULL;
    }
    PyObject *c = famqp_py_vclasses[FAMQP_PY_V_DESCRIBED];
    if (!c) {
        Py_DECREF(pd);
        Py_DECREF(pv);
        PyErr_SetString(PyExc_RuntimeError, "flatamqp: Described not registered");
        return NULL;
    }
    return PyObject_CallFunction(c, "NN", pd, pv);
}

static PyObject *from_value(famqp_py_dec *d, famqp_value v, int depth)
{
    if (depth > (int)FAMQP_DEFAULT_MAX_DEPTH + 1) {
        PyErr_SetString(PyExc_RecursionError, "AMQP value nested too deeply");
        return NULL;
    }
    union {
        famqp_decimal32 d32;
        famqp_decimal64 d64;
        famqp_decimal128 d128;
        famqp_uuid uuid;
        famqp_list list;
        famqp_map map;
        famqp_array array;
        bool b;
        uint64_t u;
        int64_t i;
        float f;
        double x;
        uint32_t c;
        famqp_binary bin;
        famqp_string str;
        famqp_symbol sym;
    } u;
    switch (famqp_value_kind(v)) {
    case FAMQP_KIND_NULL: return famqp_py_none();
    case FAMQP_KIND_BOOLEAN: return famqp_value_get_bool(v, &u.b) ? PyBool_FromLong(u.b) : NULL;
    case FAMQP_KIND_UBYTE:
    case FAMQP_KIND_USHORT:
    case FAMQP_KIND_UINT:
    case FAMQP_KIND_ULONG: {
        famqp_kind k = famqp_value_kind(v);
        uint64_t x = 0;
        uint8_t b8;
        uint16_t b16;
        uint32_t b32;
        enum famqp_py_vclass vk = FAMQP_PY_V_ULONG;
        if (k == FAMQP_KIND_UBYTE && famqp_value_get_ubyte(v, &b8))
            x = b8, vk = FAMQP_PY_V_UBYTE;
        else if (k == FAMQP_KIND_USHORT && famqp_value_get_ushort(v, &b16))
            x = b16, vk = FAMQP_PY_V_USHORT;
        else if (k == FAMQP_KIND_UINT && famqp_value_get_uint(v, &b32))
            x = b32, vk = FAMQP_PY_V_UINT;
        else if (famqp_value_get_ulong(v, &u.u))
            x = u.u;
        return typed(d, vk, PyLong_FromUnsignedLongLong(x));
    }
    case FAMQP_KIND_BYTE: {
        int8_t x = 0;
        famqp_value_get_byte(v, &x);
        return typed(d, FAMQP_PY_V_BYTE, PyLong_FromLong(x));
    }
    case FAMQP_KIND_SHORT: {
        int16_t x = 0;
        famqp_value_get_short(v, &x);
        return typed(d, FAMQP_PY_V_SHORT, PyLong_FromLong(x));
    }
    case FAMQP_KIND_INT: {
        int32_t x = 0;
        famqp_value_get_int(v, &x);
        return typed(d, FAMQP_PY_V_INT, PyLong_FromLong(x));
    }
    case FAMQP_KIND_LONG: {
        int64_t x = 0;
        famqp_value_get_long(v, &x);
        return PyLong_FromLongLong(x);
    }
    case FAMQP_KIND_FLOAT:
        famqp_value_get_float(v, &u.f);
        return typed(d, FAMQP_PY_V_FLOAT, PyFloat_FromDouble(u.f));
    case FAMQP_KIND_DOUBLE: famqp_value_get_double(v, &u.x); return PyFloat_FromDouble(u.x);
    case FAMQP_KIND_DECIMAL32: famqp_value_get_decimal32(v, &u.d32); return famqp_py_from_decimal32(d, &u.d32);
    case FAMQP_KIND_DECIMAL64: famqp_value_get_decimal64(v, &u.d64); return famqp_py_from_decimal64(d, &u.d64);
    case FAMQP_KIND_DECIMAL128: famqp_value_get_decimal128(v, &u.d128); return famqp_py_from_decimal128(d, &u.d128);
    case FAMQP_KIND_CHAR:
        famqp_value_get_char(v, &u.c);
        return typed(d, FAMQP_PY_V_CHAR, PyUnicode_FromOrdinal((int)u.c));
    case FAMQP_KIND_TIMESTAMP:
        famqp_value_get_timestamp(v, &u.i);
        return typed(d, FAMQP_PY_V_TIMESTAMP, PyLong_FromLongLong(u.i));
    case FAMQP_KIND_UUID: famqp_value_get_uuid(v, &u.uuid); return famqp_py_from_uuid(d, &u.uuid);
    case FAMQP_KIND_BINARY: famqp_value_get_binary(v, &u.bin); return famqp_py_from_binary(d, &u.bin);
    case FAMQP_KIND_STRING: famqp_value_get_string(v, &u.str); return famqp_py_from_string(d, &u.str);
    case FAMQP_KIND_SYMBOL:
        famqp_value_get_symbol(v, &u.sym);
        return d->plain ? famqp_py_from_symbol(d, &u.sym) : symbol_object(d, &u.sym);
    case FAMQP_KIND_LIST:
        if (!famqp_value_get_list(v, &u.list))
            break;
        return from_list(d, &u.list, depth);
    case FAMQP_KIND_MAP:
        if (!famqp_value_get_map(v, &u.map))
            break;
        return from_map(d, &u.map, depth);
    case FAMQP_KIND_ARRAY:
        if (!famqp_value_get_array(v, &u.array))
            break;
        return from_array(d, &u.array, depth);
    case FAMQP_KIND_DESCRIBED: return from_described(d, v, depth);
    default: break;
    }
    PyErr_Format(PyExc_ValueError, "malformed AMQP value (format code 0x%02x)", v.len ? v.ptr[0] : 0);
    return NULL;
}

PyObject *famqp_py_from_value(famqp_py_dec *d, const famqp_value *v)
{
    if (v->len == 0) /* absent (a null on the wire) */
        return famqp_py_none();
    return from_value(d, *v, 0);
}

PyObject *famqp_py_from_list(famqp_py_dec *d, const famqp_list *v)
{
    return from_list(d, v, 0);
}

PyObject *famqp_py_from_map(famqp_py_dec *d, const famqp_map *v)
{
    return from_map(d, v, 0);
}

PyObject *famqp_py_from_array(famqp_py_dec *d, const famqp_array *v)
{
    return from_array(d, v, 0);
}

/* ---- encoding ------------------------------------------------------------------ */

static int write_value(famqp_py_enc *e, famqp_writer *w, PyObject *o, int depth);

static int write_int(famqp_writer *w, PyObject *o)
{
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (s == -1 && PyErr_Occurred())
        return -1;
    if (!overflow) {
        famqp_write_long(w, s);
        return 0;
    }
    if (overflow > 0) { /* above a long: a ulong when it fits */
        unsigned long long u = PyLong_AsUnsignedLongLong(o);
        if (!(u == (unsigned long long)-1 && PyErr_Occurred())) {
            famqp_write_ulong(w, u);
            return 0;
        }
        PyErr_Clear();
    }
    PyErr_Format(PyExc_OverflowError, "%R does not fit an AMQP long or ulong", o);
    return -1;
}

/* A described value of the spec (an instance of a generated class), encoded
 * by its generated encoder and copied in. */
static int write_spec(famqp_py_enc *e, famqp_writer *w, PyObject *o, int idx)
{
    famqp_py_out out = {0};
    if (famqp_py_types[idx].encode(e, o, &out) < 0) {
        Py_XDECREF(out.bytes);
        return -1;
    }
    famqp_value v = {(const uint8_t *)PyBytes_AS_STRING(out.bytes), (size_t)out.offset};
    famqp_write_value(w, v);
    Py_DECREF(out.bytes);
    return 0;
}

static int write_array(famqp_py_enc *e, famqp_writer *w, PyObject *o)
{
    if (PyTuple_GET_SIZE(o) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(o, 0))) {
        PyErr_SetString(PyExc_TypeError, "an Array is (type name, list of items)");
        return -1;
    }
    famqp_value v;
    if (famqp_py_encode_array(e, PyTuple_GET_ITEM(o, 0), PyTuple_GET_ITEM(o, 1), &v))
        return -1;
    famqp_write_value(w, v);
    return 0;
}

static int to_value_at(famqp_py_enc *e, PyObject *o, famqp_value *out, int depth);

/* Whether write_value opens a compound in the writer for o: dicts, lists,
 * tuples and Described (not the spec's classes or Array, which are
 * encoded apart and copied in). */
static bool opens_level(PyObject *o)
{
    if (PyDict_Check(o) || PyList_Check(o))
        return true;
    return PyTuple_Check(o) && famqp_py_index_of(o) < 0 && !famqp_py_is_v(o, FAMQP_PY_V_ARRAY);
}

static int write_value(famqp_py_enc *e, famqp_writer *w, PyObject *o, int depth)
{
    PyTypeObject *t = Py_TYPE(o);
    if (w->depth >= MAX_DEPTH && opens_level(o)) {
        /* a compound where the writer has no level left: encoded by a
         * writer of its own and copied in, so that what the decoders accept
         * (FAMQP_DEFAULT_MAX_DEPTH) encodes again */
        if (depth >= MAX_ENCODE_DEPTH) {
            PyErr_Format(PyExc_ValueError, "value nested deeper than %d", MAX_ENCODE_DEPTH);
            return -1;
        }
        famqp_value v;
        if (to_value_at(e, o, &v, depth))
            return -1;
        famqp_write_value(w, v);
        return 0;
    }
    /* the common exact types first */
    if (o == Py_None) {
        famqp_write_null(w);
        return 0;
    }
    if (t == &PyBool_Type) {
        famqp_write_bool(w, o == Py_True);
        return 0;
    }
    if (t == &PyLong_Type)
        return write_int(w, o);
    if (t == &PyUnicode_Type) {
        famqp_string s;
        if (famqp_py_to_string(e, o, &s))
            return -1;
        famqp_write_string(w, s);
        return 0;
    }
    if (t == &PyBytes_Type || t == &PyByteArray_Type || t == &PyMemoryView_Type) {
        famqp_binary b;
        if (famqp_py_to_binary(e, o, &b))
            return -1;
        famqp_write_binary(w, b);
        return 0;
    }
    if (t == &PyFloat_Type) {
        famqp_write_double(w, PyFloat_AS_DOUBLE(o));
        return 0;
    }
    if (t == &PyDict_Type) {
        famqp_write_map_begin(w);
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(o, &pos, &k, &v))
            if (write_value(e, w, k, depth + 1) || write_value(e, w, v, depth + 1))
                return -1;
        famqp_write_map_end(w);
        return 0;
    }
    if (t == &PyList_Type || t == &PyTuple_Type) {
        famqp_write_list_begin(w);
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        PyObject **items = PySequence_Fast_ITEMS(o);
        for (Py_ssize_t i = 0; i < n; i++)
            if (write_value(e, w, items[i], depth + 1))
                return -1;
        famqp_write_list_end(w);
        return 0;
    }
    /* the value classes, then the spec's classes */
    famqp_py_cvalue u;
#define VCLASS(k, conv, writer, field)                                                                       \
    if (famqp_py_is_v(o, k)) {                                                                                       \
        if (famqp_py_to_##conv(e, o, &u.field))                                                              \
            return -1;                                                                                       \
        famqp_write_##writer(w, u.field);                                                                    \
        return 0;                                                                                            \
    }
    VCLASS(FAMQP_PY_V_SYMBOL, symbol, symbol, sym)
    VCLASS(FAMQP_PY_V_CHAR, char, char, u32)
    VCLASS(FAMQP_PY_V_UBYTE, ubyte, ubyte, u8)
    VCLASS(FAMQP_PY_V_USHORT, ushort, ushort, u16)
    VCLASS(FAMQP_PY_V_UINT, uint, uint, u32)
    VCLASS(FAMQP_PY_V_ULONG, ulong, ulong, u64)
    VCLASS(FAMQP_PY_V_BYTE, byte, byte, i8)
    VCLASS(FAMQP_PY_V_SHORT, short, short, i16)
    VCLASS(FAMQP_PY_V_INT, int, int, i32)
    VCLASS(FAMQP_PY_V_FLOAT, float, float, f)
    VCLASS(FAMQP_PY_V_TIMESTAMP, timestamp, timestamp, i64)
    VCLASS(FAMQP_PY_V_DECIMAL32, decimal32, decimal32, d32)
    VCLASS(FAMQP_PY_V_DECIMAL64, decimal64, decimal64, d64)
    VCLASS(FAMQP_PY_V_DECIMAL128, decimal128, decimal128, d128)
    VCLASS(FAMQP_PY_V_UUID, uuid, uuid, uuid)
#undef VCLASS
    int idx = famqp_py_index_of(o);
    if (idx >= 0)
        return write_spec(e, w, o, idx);
    if (famqp_py_is_v(o, FAMQP_PY_V_DESCRIBED)) {
        if (PyTuple_GET_SIZE(o) != 2) {
            PyErr_SetString(PyExc_TypeError, "Described is (descriptor, value)");
            return -1;
        }
        famqp_write_described(w);
        return write_value(e, w, PyTuple_GET_ITEM(o, 0), depth + 1) ||
                       write_value(e, w, PyTuple_GET_ITEM(o, 1), depth + 1)
                   ? -1
                   : 0;
    }
    if (famqp_py_is_v(o, FAMQP_PY_V_ARRAY))
        return write_array(e, w, o);
    /* subclasses of the plain types */
    if (PyBool_Check(o)) {
        famqp_write_bool(w, o == Py_True);
        return 0;
    }
    if (PyLong_Check(o))
        return write_int(w, o);
    if (PyFloat_Check(o)) {
        famqp_write_double(w, PyFloat_AsDouble(o));
        return 0;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) {
        famqp_binary b;
        famqp_string s;
        if (PyUnicode_Check(o) ? famqp_py_to_string(e, o, &s) : famqp_py_to_binary(e, o, &b))
            return -1;
        if (PyUnicode_Check(o))
            famqp_write_string(w, s);
        else
            famqp_write_binary(w, b);
        return 0;
    }
    if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)) {
        PyObject *plain = PyDict_Check(o) ? PyDict_Copy(o) : PySequence_List(o);
        if (!plain)
            return -1;
        int r = write_value(e, w, plain, depth);
        Py_DECREF(plain);
        return r;
    }
    PyErr_Format(PyExc_TypeError, "cannot encode %.100s as an AMQP value", t->tp_name);
    return -1;
}

int famqp_py_to_value(famqp_py_enc *e, PyObject *o, famqp_value *out)
{
    return to_value_at(e, o, out, 0);
}

/* famqp_py_to_value of a value `depth` levels deep in another. */
static int to_value_at(famqp_py_enc *e, PyObject *o, famqp_value *out, int depth)
{
    /* Write into the arena's free space, reserved while writing (nested
     * conversions allocate elsewhere), and give back what was not used;
     * when it does not fit, again into space of the size the first pass
     * counted. */
    size_t pad = (size_t)(-(uintptr_t)e->cur & 15u);
    uint8_t *p = pad <= e->left ? e->cur + pad : NULL;
    size_t avail = p ? e->left - pad : 0;
    uint8_t *const start = e->cur, *const end = e->cur + e->left;
    e->cur = end;
    e->left = 0;
    famqp_writer w;
    famqp_writer_init(&w, p, avail);
    int rc = write_value(e, &w, o, depth);
    bool untouched = e->cur == end && e->left == 0; /* no nested allocation */
    size_t need = famqp_writer_len(&w);
    if (rc == 0 && need <= avail) {
        if (untouched) {
            e->cur = p + need;
            e->left = avail - need;
        }
    } else {
        if (untouched) {
            e->cur = start;
            e->left = (size_t)(end - start);
        }
        if (rc)
            return -1;
        p = famqp_py_alloc(e, need);
        if (!p)
            return -1;
        famqp_writer_init(&w, p, need);
        if (write_value(e, &w, o, depth))
            return -1;
    }
    if (famqp_writer_status(&w) != FAMQP_OK || famqp_writer_len(&w) != need) {
        PyErr_SetString(PyExc_ValueError, "value changed while it was encoded");
        return -1;
    }
    out->ptr = p;
    out->len = need;
    return 0;
}

/* A list or map field's value: encoded whole, then viewed (ok: o is of
 * the Python type the field takes). */
static int to_compound(famqp_py_enc *e, PyObject *o, bool ok, const char *want, famqp_value *v)
{
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "expected %s, got %.100s", want, Py_TYPE(o)->tp_name);
        return -1;
    }
    return famqp_py_to_value(e, o, v);
}

int famqp_py_to_list(famqp_py_enc *e, PyObject *o, famqp_list *out)
{
    famqp_value v;
    if (to_compound(e, o, PyList_Check(o) || PyTuple_Check(o), "list", &v))
        return -1;
    return famqp_list_of(v.ptr, v.len, out) ? 0 : (PyErr_SetString(PyExc_ValueError, "not a list"), -1);
}

bool famqp_py_fits_list(PyObject *o)
{
    return PyList_Check(o);
}

int famqp_py_to_map(famqp_py_enc *e, PyObject *o, famqp_map *out)
{
    famqp_value v;
    if (to_compound(e, o, PyDict_Check(o), "dict", &v))
        return -1;
    return famqp_map_of(v.ptr, v.len, out) ? 0 : (PyErr_SetString(PyExc_ValueError, "not a map"), -1);
}

bool famqp_py_fits_map(PyObject *o)
{
    return PyDict_Check(o);
}

int famqp_py_to_array(famqp_py_enc *e, PyObject *o, famqp_array *out)
{
    if (!famqp_py_is_v(o, FAMQP_PY_V_ARRAY) || PyTuple_GET_SIZE(o) != 2) {
        PyErr_Format(PyExc_TypeError, "expected flatamqp.types.Array, got %.100s", Py_TYPE(o)->tp_name);
        return -1;
    }
    famqp_value v;
    if (famqp_py_encode_array(e, PyTuple_GET_ITEM(o, 0), PyTuple_GET_ITEM(o, 1), &v))
        return -1;
    return famqp_value_get_array(v, out) ? 0 : (PyErr_SetString(PyExc_ValueError, "not an array"), -1);
}

bool famqp_py_fits_array(PyObject *o)
{
    return famqp_py_is_v(o, FAMQP_PY_V_ARRAY);
}

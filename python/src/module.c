/* flatamqp._flatamqp: the module.  encode, encode_into, decode,
 * decode_prefix, decode_message; the classes made from the generated table
 * (famqp_py_types); EncodeError and DecodeError.
 *
 * Threads: any Python thread (the GIL is held except around big codec
 * calls, FAMQP_PY_NOGIL).  Single-phase init: one module per process. */
#include <string.h>

#include "famqp_py.h"
#include "famqp_py_client.h"

PyObject *famqp_py_encode_error;
PyObject *famqp_py_decode_error;
static PyObject *class_index; /* {class: index} */
static PyObject *namedtuple_fn;

/* ---- helpers for the generated code ----------------------------------------- */

int famqp_py_check(PyObject *o, int idx, Py_ssize_t n, const char *amqp)
{
    if (!famqp_py_is(o, idx)) {
        PyErr_Format(PyExc_TypeError, "expected %s (AMQP %s), got %.100s", famqp_py_types[idx].cls, amqp,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    if (PyTuple_GET_SIZE(o) != n) {
        PyErr_Format(PyExc_TypeError, "%s has %zd fields, not %zd", famqp_py_types[idx].cls, n,
                     PyTuple_GET_SIZE(o));
        return -1;
    }
    return 0;
}

static int raise_encode(const char *type, const char *field, PyObject *msg, PyObject *cause)
{
    PyObject *exc = PyObject_CallOneArg(famqp_py_encode_error, msg);
    Py_DECREF(msg);
    if (!exc) {
        Py_XDECREF(cause);
        return -1;
    }
    PyObject *t = PyUnicode_FromString(type), *f = field ? PyUnicode_FromString(field) : famqp_py_none();
    if (!t || !f || PyObject_SetAttrString(exc, "type", t) < 0 || PyObject_SetAttrString(exc, "field", f) < 0) {
        Py_XDECREF(t);
        Py_XDECREF(f);
        Py_DECREF(exc);
        Py_XDECREF(cause);
        return -1;
    }
    Py_DECREF(t);
    Py_DECREF(f);
    if (cause)
        PyException_SetCause(exc, cause); /* steals cause */
    PyErr_SetObject(famqp_py_encode_error, exc);
    Py_DECREF(exc);
    return -1;
}

int famqp_py_field_error(const char *type, const char *field)
{
    if (!PyErr_Occurred() || PyErr_ExceptionMatches(famqp_py_encode_error))
        return -1; /* a nested value's error names its own place */
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyErr_NormalizeException(&et, &ev, &tb);
    if (tb && ev)
        PyException_SetTraceback(ev, tb);
    Py_XDECREF(et);
    Py_XDECREF(tb);
    PyObject *msg = PyUnicode_FromFormat("%s.%s: %S", type, field, ev ? ev : Py_None);
    if (!msg) {
        Py_XDECREF(ev);
        return -1;
    }
    return raise_encode(type, field, msg, ev);
}

int famqp_py_missing(const char *type, const char *field)
{
    PyObject *msg = PyUnicode_FromFormat("%s.%s: mandatory field is None", type, field);
    return msg ? raise_encode(type, field, msg, NULL) : -1;
}

/* ---- class lookups -------------------------------------------------------------- */

int famqp_py_index_of(PyObject *o)
{
    PyObject *i = PyDict_GetItemWithError(class_index, (PyObject *)Py_TYPE(o));
    return i ? (int)PyLong_AsLong(i) : -1;
}

int famqp_py_index_of_code(uint64_t code)
{
    for (size_t i = 0; i < famqp_py_type_count; i++)
        if (famqp_py_types[i].code == code)
            return (int)i;
    return -1;
}

static int index_of_name(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < famqp_py_type_count; i++) {
        const char *name = famqp_py_types[i].desc_name;
        if (name && strlen(name) == n && memcmp(name, p, n) == 0)
            return (int)i;
    }
    return -1;
}

int famqp_py_peek_index(const uint8_t *p, size_t n, famqp_error *err)
{
    *err = (famqp_error){FAMQP_OK, "described", "descriptor", 0, NULL};
    if (n == 0 || (p[0] == 0x00 && n < 2)) {
        err->status = FAMQP_ERR_TRUNCATED;
        err->detail = n ? "descriptor missing" : "no bytes";
        return -1;
    }
    if (p[0] != 0x00)
        return -1;
    size_t need;
    switch (p[1]) {
    case 0x44: return famqp_py_index_of_code(0);
    case 0x53: need = 3; break;
    case 0x80: need = 10; break;
    case 0xa3: need = n > 2 ? 3 + (size_t)p[2] : 3; break;
    case 0xb3:
        need = 6;
        if (n >= 6)
            need += (size_t)p[2] << 24 | (size_t)p[3] << 16 | (size_t)p[4] << 8 | p[5];
        break;
    default: return -1;
    }
    if (n < need) {
        err->status = FAMQP_ERR_TRUNCATED;
        err->offset = 1;
        err->detail = "descriptor cut short";
        return -1;
    }
    if (p[1] == 0x53)
        return famqp_py_index_of_code(p[2]);
    if (p[1] == 0x80) {
        uint64_t c = 0;
        for (int i = 0; i < 8; i++)
            c = c << 8 | p[2 + i];
        return famqp_py_index_of_code(c);
    }
    return p[1] == 0xa3 ? index_of_name(p + 3, p[2]) : index_of_name(p + 6, need - 6);
}

/* ---- errors ------------------------------------------------------------------------ */

PyObject *famqp_py_raise_decode(const famqp_error *err, famqp_py_dec *d, const uint8_t *at)
{
    famqp_error e = *err;
    if (at && d->base && at >= d->base)
        e.offset += (size_t)(at - d->base);
    char text[512];
    famqp_error_format(&e, text, sizeof text);
    PyObject *payload = PyBytes_CheckExact(d->input) ? (Py_INCREF(d->input), d->input)
                                                     : PyBytes_FromStringAndSize((const char *)d->base, (Py_ssize_t)d->len);
    if (!payload)
        return NULL;
    PyObject *exc = PyObject_CallFunction(famqp_py_decode_error, "s", text);
    if (!exc) {
        Py_DECREF(payload);
        return NULL;
    }
    PyObject *attrs = Py_BuildValue("{s:s,s:s,s:z,s:n,s:z,s:N}", "status", famqp_status_name(e.status), "type",
                                    e.type ? e.type : "value", "field", e.field, "offset", (Py_ssize_t)e.offset,
                                    "detail", e.detail, "payload", payload);
    if (!attrs) {
        Py_DECREF(exc);
        return NULL;
    }
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(attrs, &pos, &k, &v))
        if (PyObject_SetAttr(exc, k, v) < 0) {
            Py_DECREF(attrs);
            Py_DECREF(exc);
            return NULL;
        }
    Py_DECREF(attrs);
    PyErr_SetObject(famqp_py_decode_error, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ---- writing ------------------------------------------------------------------------- */

int famqp_py_write(famqp_py_enc *e, famqp_py_out *out, size_t (*put)(uint8_t *, size_t, const void *),
                   const void *v)
{
    (void)e;
    size_t n = put(NULL, 0, v);
    if (n > (size_t)(PY_SSIZE_T_MAX - out->offset)) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t end = out->offset + (Py_ssize_t)n;
    uint8_t *dst;
    Py_buffer b = {0};
    if (!out->target) {
        /* a message's sections are written one after the other: room for
         * more than this one, so most of them need no new allocation */
        if (!out->bytes || end > out->cap) {
            Py_ssize_t cap = out->bytes ? 2 * out->cap : 256;
            if (cap < end)
                cap = end;
            if (!out->bytes) {
                if (!(out->bytes = PyBytes_FromStringAndSize(NULL, cap)))
                    return -1;
            } else if (_PyBytes_Resize(&out->bytes, cap) < 0) {
                return -1;
            }
            out->cap = cap;
        }
        dst = (uint8_t *)PyBytes_AS_STRING(out->bytes);
    } else if (PyByteArray_Check(out->target)) {
        if (PyByteArray_GET_SIZE(out->target) < end && PyByteArray_Resize(out->target, end) < 0)
            return -1;
        dst = (uint8_t *)PyByteArray_AS_STRING(out->target);
    } else {
        if (PyObject_GetBuffer(out->target, &b, PyBUF_WRITABLE) < 0)
            return -1;
        if (b.len < end) {
            PyErr_Format(PyExc_ValueError, "buffer too small: %zd bytes needed from offset %zd, %zd there",
                         (Py_ssize_t)n, out->offset, b.len - out->offset);
            PyBuffer_Release(&b);
            return -1;
        }
        dst = b.buf;
    }
    size_t w;
    FAMQP_PY_NOGIL(n, w = put(dst + out->offset, n, v));
    if (b.obj)
        PyBuffer_Release(&b);
    if (w != n) {
        PyErr_SetString(PyExc_SystemError, "flatamqp: encoder wrote a size other than it counted");
        return -1;
    }
    out->offset = end;
    return 0;
}

/* ---- module functions ------------------------------------------------------------------ */

PyObject *famqp_py_out_bytes(famqp_py_out *out)
{
    if (!out->bytes)
        return PyBytes_FromStringAndSize(NULL, 0);
    PyObject *b = out->bytes;
    out->bytes = NULL;
    if (PyBytes_GET_SIZE(b) != out->offset && _PyBytes_Resize(&b, out->offset) < 0)
        return NULL;
    return b;
}

static int encode_any(PyObject *obj, famqp_py_out *out)
{
    famqp_py_enc e;
    famqp_py_enc_init(&e);
    int r;
    if (PyObject_TypeCheck(obj, (PyTypeObject *)famqp_py_message_class)) {
        r = famqp_py_encode_message(&e, obj, out);
    } else {
        int idx = famqp_py_index_of(obj);
        if (idx < 0) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError,
                             "encode takes a Message or an instance of a flatamqp AMQP class, not %.100s",
                             Py_TYPE(obj)->tp_name);
            r = -1;
        } else {
            r = famqp_py_types[idx].encode(&e, obj, out);
        }
    }
    famqp_py_enc_done(&e);
    return r;
}

static PyObject *py_encode(PyObject *self, PyObject *obj)
{
    (void)self;
    famqp_py_out out = {0};
    if (encode_any(obj, &out) < 0) {
        Py_XDECREF(out.bytes);
        return NULL;
    }
    return famqp_py_out_bytes(&out);
}

static PyObject *py_encode_value(PyObject *self, PyObject *obj)
{
    (void)self;
    famqp_py_enc e;
    famqp_py_enc_init(&e);
    famqp_value v;
    PyObject *r = NULL;
    if (famqp_py_to_value(&e, obj, &v) == 0)
        r = PyBytes_FromStringAndSize((const char *)v.ptr, (Py_ssize_t)v.len);
    famqp_py_enc_done(&e);
    return r;
}

static PyObject *py_encode_into(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"obj", "buffer", "offset", NULL};
    PyObject *obj, *buf;
    Py_ssize_t offset = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|n:encode_into", names, &obj, &buf, &offset))
        return NULL;
    if (offset < 0) {
        PyErr_SetString(PyExc_ValueError, "offset must be >= 0");
        return NULL;
    }
    if (!PyByteArray_Check(buf)) {
        Py_buffer b;
        if (PyObject_GetBuffer(buf, &b, PyBUF_WRITABLE) < 0)
            return NULL;
        Py_ssize_t len = b.len;
        PyBuffer_Release(&b);
        if (offset > len) {
            PyErr_Format(PyExc_ValueError, "offset %zd is past the buffer's %zd bytes", offset, len);
            return NULL;
        }
    } else if (offset > PyByteArray_GET_SIZE(buf) && PyByteArray_Resize(buf, offset) < 0) {
        return NULL;
    }
    famqp_py_out out = {NULL, buf, offset, 0};
    if (encode_any(obj, &out) < 0)
        return NULL;
    return PyLong_FromSsize_t(out.offset - offset);
}

/* Decodes one value at p[0..n) into *used bytes: a class instance for the
 * spec's described types, else the value's Python form. */
static PyObject *decode_one(famqp_py_dec *d, const uint8_t *p, size_t n, size_t *used)
{
    famqp_error err = {0};
    int idx = famqp_py_peek_index(p, n, &err);
    if (idx >= 0) {
        PyObject *r = famqp_py_types[idx].decode(d, p, n, used, &err);
        if (!r && err.status != FAMQP_OK)
            return famqp_py_raise_decode(&err, d, p);
        return r;
    }
    if (err.status != FAMQP_OK)
        return famqp_py_raise_decode(&err, d, p);
    famqp_status st;
    FAMQP_PY_NOGIL(n, st = famqp_value_validate(p, n, d->lim, used, &err));
    if (st != FAMQP_OK)
        return famqp_py_raise_decode(&err, d, p);
    famqp_value v = {p, *used};
    return famqp_py_from_value(d, &v);
}

enum decode_mode { WHOLE, PREFIX, MESSAGE };

/* (buffer, offset=0) of the decode functions, by the vectorcall
 * convention (no argument tuple or dict is built per call). */
static int buffer_offset_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *fn,
                              PyObject **buf, Py_ssize_t *offset)
{
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    PyObject *off = nargs > 1 ? args[1] : NULL;
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError, "%s(buffer, offset=0) takes 1 or 2 positional arguments", fn);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        if (off || PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, i), "offset") != 0) {
            PyErr_Format(PyExc_TypeError, "%s(buffer, offset=0): unexpected keyword argument %R", fn,
                         PyTuple_GET_ITEM(kwnames, i));
            return -1;
        }
        off = args[nargs + i];
    }
    *buf = args[0];
    *offset = 0;
    if (off && (*offset = PyLong_AsSsize_t(off)) == -1 && PyErr_Occurred())
        return -1;
    return 0;
}

static PyObject *decode_with(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *fn,
                             enum decode_mode mode)
{
    PyObject *buf;
    Py_ssize_t offset;
    if (buffer_offset_args(args, nargs, kwnames, fn, &buf, &offset) < 0)
        return NULL;
    Py_buffer b = {0};
    if (PyBytes_CheckExact(buf)) { /* immutable and alive for the call: no export needed */
        b.buf = PyBytes_AS_STRING(buf);
        b.len = PyBytes_GET_SIZE(buf);
    } else if (PyObject_GetBuffer(buf, &b, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    PyObject *r = NULL;
    famqp_py_dec d = {buf, NULL, b.buf, (size_t)b.len, NULL, false};
    if (offset < 0 || offset > b.len) {
        PyErr_Format(PyExc_ValueError, "offset %zd outside the buffer's %zd bytes", offset, b.len);
        goto done;
    }
    const uint8_t *p = (const uint8_t *)b.buf + offset;
    size_t n = (size_t)(b.len - offset), used = 0;
    if (mode == MESSAGE) {
        r = famqp_py_decode_message(&d, p, n);
        goto done;
    }
    r = decode_one(&d, p, n, &used);
    if (!r)
        goto done;
    if (mode == PREFIX) {
        PyObject *t = Py_BuildValue("(Nn)", r, offset + (Py_ssize_t)used);
        r = t;
    } else if (used != n) {
        Py_DECREF(r);
        famqp_error err = {FAMQP_ERR_INVALID_VALUE, "value", NULL, used,
                           "bytes after the value (decode_prefix reads one value)"};
        r = famqp_py_raise_decode(&err, &d, p);
    }
done:
    Py_XDECREF(d.view);
    if (b.obj)
        PyBuffer_Release(&b);
    return r;
}

static PyObject *py_decode(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self;
    return decode_with(args, nargs, kwnames, "decode", WHOLE);
}

static PyObject *py_decode_prefix(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self;
    return decode_with(args, nargs, kwnames, "decode_prefix", PREFIX);
}

static PyObject *py_decode_message(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self;
    return decode_with(args, nargs, kwnames, "decode_message", MESSAGE);
}

PyObject *famqp_py_pyamqp_sections(PyObject *self, PyObject *buf)
{
    (void)self;
    Py_buffer b = {0};
    if (PyBytes_CheckExact(buf)) {
        b.buf = PyBytes_AS_STRING(buf);
        b.len = PyBytes_GET_SIZE(buf);
    } else if (PyObject_GetBuffer(buf, &b, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    famqp_py_dec d = {buf, NULL, b.buf, (size_t)b.len, NULL, true};
    const uint8_t *p = b.buf;
    size_t n = (size_t)b.len, pos = 0;
    PyObject *list = PyList_New(0);
    while (list && pos < n) {
        famqp_error err = {0};
        int idx = famqp_py_peek_index(p + pos, n - pos, &err);
        const famqp_py_type *t = idx >= 0 ? &famqp_py_types[idx] : NULL;
        size_t used = 0;
        PyObject *x = NULL;
        if (t && (x = (t->decode_value ? t->decode_value : t->decode)(&d, p + pos, n - pos, &used, &err))) {
            PyObject *pair = Py_BuildValue("(sN)", t->amqp, x);
            if (!pair || PyList_Append(list, pair) < 0)
                Py_CLEAR(list);
            Py_XDECREF(pair);
            pos += used;
            continue;
        }
        if (!t && err.status == FAMQP_OK)
            err = (famqp_error){FAMQP_ERR_TYPE_MISMATCH, "message", NULL, 0, "not a message section"};
        if (err.status != FAMQP_OK)
            famqp_py_raise_decode(&err, &d, p + pos);
        Py_CLEAR(list);
    }
    if (b.obj)
        PyBuffer_Release(&b);
    return list;
}

/* encode_frame(performative, payload=None, channel=0): the 8-byte frame
 * header (size, doff 2, type 0 AMQP or 1 SASL, channel), the performative
 * and the payload (bytes-like, or a Message encoded in place). */
static PyObject *py_encode_frame(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"performative", "payload", "channel", NULL};
    PyObject *perf, *payload = Py_None;
    unsigned int channel = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OI:encode_frame", names, &perf, &payload, &channel))
        return NULL;
    if (channel > 0xffff) {
        PyErr_SetString(PyExc_ValueError, "channel above 65535");
        return NULL;
    }
    int idx = famqp_py_index_of(perf);
    if (idx < 0) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "encode_frame takes a performative, not %.100s", Py_TYPE(perf)->tp_name);
        return NULL;
    }
    famqp_py_out out = {PyBytes_FromStringAndSize(NULL, 256), NULL, 8, 256};
    if (!out.bytes || encode_any(perf, &out) < 0)
        goto fail;
    if (payload != Py_None) {
        if (PyObject_TypeCheck(payload, (PyTypeObject *)famqp_py_message_class)) {
            if (encode_any(payload, &out) < 0)
                goto fail;
        } else {
            Py_buffer b;
            if (PyObject_GetBuffer(payload, &b, PyBUF_SIMPLE) < 0)
                goto fail;
            int r = out.offset + b.len > out.cap ? _PyBytes_Resize(&out.bytes, out.offset + b.len) : 0;
            if (r == 0) {
                out.cap = out.offset + b.len > out.cap ? out.offset + b.len : out.cap;
                memcpy(PyBytes_AS_STRING(out.bytes) + out.offset, b.buf, (size_t)b.len);
            }
            out.offset += b.len;
            PyBuffer_Release(&b);
            if (r < 0)
                goto fail;
        }
    }
    if (out.offset > (Py_ssize_t)UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "frame larger than 4 GiB");
        goto fail;
    }
    uint8_t *h = (uint8_t *)PyBytes_AS_STRING(out.bytes);
    uint32_t size = (uint32_t)out.offset;
    const char *amqp = famqp_py_types[idx].amqp;
    h[0] = (uint8_t)(size >> 24), h[1] = (uint8_t)(size >> 16), h[2] = (uint8_t)(size >> 8), h[3] = (uint8_t)size;
    h[4] = 2;
    h[5] = strncmp(amqp, "sasl-", 5) == 0 ? 1 : 0;
    h[6] = (uint8_t)(channel >> 8), h[7] = (uint8_t)channel;
    return famqp_py_out_bytes(&out);
fail:
    Py_XDECREF(out.bytes);
    return NULL;
}

/* decode_frame(buffer) -> (channel, performative or None, payload): one
 * whole frame; the payload is a memoryview of what follows the
 * performative (a transfer's message bytes). */
static PyObject *py_decode_frame(PyObject *self, PyObject *buf)
{
    (void)self;
    Py_buffer b;
    if (PyObject_GetBuffer(buf, &b, PyBUF_SIMPLE) < 0)
        return NULL;
    famqp_py_dec d = {buf, NULL, b.buf, (size_t)b.len, NULL, false};
    const uint8_t *p = b.buf;
    size_t n = (size_t)b.len, used = 0;
    PyObject *r = NULL, *perf = NULL;
    famqp_error err = {FAMQP_OK, "frame", "header", 0, NULL};
    if (n < 8) {
        err.status = FAMQP_ERR_TRUNCATED;
        err.detail = "a frame header is 8 bytes";
    } else if (((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]) != n) {
        err.status = FAMQP_ERR_INVALID_VALUE;
        err.detail = "frame size is not the buffer's length";
    } else if (p[4] < 2 || (size_t)p[4] * 4 > n) {
        err.status = FAMQP_ERR_INVALID_VALUE;
        err.offset = 4;
        err.detail = "data offset below 2 or past the frame";
    }
    if (err.status != FAMQP_OK) {
        famqp_py_raise_decode(&err, &d, p);
        goto done;
    }
    size_t at = (size_t)p[4] * 4;
    if (at < n) {
        perf = decode_one(&d, p + at, n - at, &used);
        if (!perf)
            goto done;
    } else {
        perf = famqp_py_none();
    }
    if (!d.view && !(d.view = PyMemoryView_FromObject(buf)))
        goto done;
    PyObject *payload = PySequence_GetSlice(d.view, (Py_ssize_t)(at + used), (Py_ssize_t)n);
    if (payload)
        r = Py_BuildValue("(iNN)", (int)(p[6] << 8 | p[7]), perf, payload);
    perf = NULL;
done:
    Py_XDECREF(perf);
    Py_XDECREF(d.view);
    PyBuffer_Release(&b);
    return r;
}

static PyObject *py_register_value_types(PyObject *self, PyObject *classes)
{
    (void)self;
    if (!PyDict_Check(classes)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict of classes");
        return NULL;
    }
    for (int k = 0; k < FAMQP_PY_V_COUNT; k++) {
        PyObject *c = PyDict_GetItemString(classes, famqp_py_vclass_names[k]);
        if (!c || !PyType_Check(c)) {
            PyErr_Format(PyExc_KeyError, "value class %s missing", famqp_py_vclass_names[k]);
            return NULL;
        }
        Py_INCREF(c);
        Py_XSETREF(famqp_py_vclasses[k], c);
    }
    Py_RETURN_NONE;
}

PyObject *famqp_py_namedtuple(const char *name, const char *fields, Py_ssize_t n)
{
    PyObject *defaults = PyTuple_New(n);
    if (!defaults)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(defaults, i, famqp_py_none());
    PyObject *args = Py_BuildValue("(ss)", name, fields);
    PyObject *kw = args ? Py_BuildValue("{sNss}", "defaults", defaults, "module", "flatamqp") : NULL;
    if (!kw)
        Py_DECREF(defaults);
    PyObject *cls = kw ? PyObject_Call(namedtuple_fn, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    return cls;
}

static PyMethodDef methods[] = {
    {"encode", py_encode, METH_O,
     "encode(obj) -> bytes\n\nEncodes a Message or an instance of an AMQP class (Transfer, Data, ...)."},
    {"encode_value", py_encode_value, METH_O,
     "encode_value(obj) -> bytes\n\nEncodes any Python value as one AMQP value (docs/python.md has the types)."},
    {"encode_into", (PyCFunction)(void (*)(void))py_encode_into, METH_VARARGS | METH_KEYWORDS,
     "encode_into(obj, buffer, offset=0) -> int\n\nEncodes obj into buffer at offset (a bytearray grows to "
     "fit; another writable buffer must have room) and returns the bytes written."},
    {"decode", (PyCFunction)(void (*)(void))py_decode, METH_FASTCALL | METH_KEYWORDS,
     "decode(buffer, offset=0) -> object\n\nDecodes the one value that buffer[offset:] holds: a performative, "
     "section or other described type of the spec as its class, any other value as its Python form."},
    {"decode_prefix", (PyCFunction)(void (*)(void))py_decode_prefix, METH_FASTCALL | METH_KEYWORDS,
     "decode_prefix(buffer, offset=0) -> (object, end)\n\nDecodes one value at offset; end is the offset "
     "after it (a transfer's payload starts there)."},
    {"decode_message", (PyCFunction)(void (*)(void))py_decode_message, METH_FASTCALL | METH_KEYWORDS,
     "decode_message(buffer, offset=0) -> Message\n\nDecodes the sections of a message."},
    {"encode_frame", (PyCFunction)(void (*)(void))py_encode_frame, METH_VARARGS | METH_KEYWORDS,
     "encode_frame(performative, payload=None, channel=0) -> bytes\n\nA whole AMQP (or SASL) frame: header, "
     "performative, payload (bytes-like or a Message)."},
    {"decode_frame", py_decode_frame, METH_O,
     "decode_frame(buffer) -> (channel, performative, payload)\n\nOne whole frame; payload is a memoryview of "
     "the bytes after the performative; an empty frame's performative is None."},
    {"_pyamqp_sections", famqp_py_pyamqp_sections, METH_O, "internal: flatamqp.pyamqp.decode_payload"},
    {"_pyamqp_encode_payload", famqp_py_pyamqp_encode_payload, METH_VARARGS,
     "internal: flatamqp.pyamqp.encode_payload"},
    {"_register_value_types", py_register_value_types, METH_O, "internal: the classes of flatamqp.types"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "flatamqp._flatamqp",
    "AMQP 1.0 codecs generated from the standard's XML (famqp-gen --emit python).", -1, methods,
    NULL, NULL, NULL, NULL,
};

static int add_error(PyObject *m, const char *name, PyObject **slot, const char *doc)
{
    char full[64];
    snprintf(full, sizeof full, "flatamqp.%s", name);
    *slot = PyErr_NewExceptionWithDoc(full, doc, PyExc_ValueError, NULL);
    if (!*slot)
        return -1;
    Py_INCREF(*slot);
    if (PyModule_AddObject(m, name, *slot) < 0) {
        Py_DECREF(*slot);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__flatamqp(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    PyObject *collections = PyImport_ImportModule("collections");
    if (!collections)
        goto fail;
    namedtuple_fn = PyObject_GetAttrString(collections, "namedtuple");
    Py_DECREF(collections);
    if (!namedtuple_fn)
        goto fail;
    class_index = PyDict_New();
    if (!class_index)
        goto fail;
    for (size_t i = 0; i < famqp_py_type_count; i++) {
        const famqp_py_type *t = &famqp_py_types[i];
        PyObject *cls = famqp_py_namedtuple(t->cls, t->fields, (Py_ssize_t)t->nfields);
        if (!cls)
            goto fail;
        PyObject *code = PyLong_FromUnsignedLongLong(t->code);
        PyObject *idx = PyLong_FromSize_t(i);
        PyObject *name = PyUnicode_FromString(t->amqp);
        int bad = !code || !idx || !name || PyObject_SetAttrString(cls, "amqp_name", name) < 0 ||
                  PyObject_SetAttrString(cls, "descriptor", code) < 0 || PyDict_SetItem(class_index, cls, idx) < 0;
        Py_XDECREF(code);
        Py_XDECREF(idx);
        Py_XDECREF(name);
        if (bad) {
            Py_DECREF(cls);
            goto fail;
        }
        famqp_py_classes[i] = cls; /* the module and this table each hold it */
        Py_INCREF(cls);
        if (PyModule_AddObject(m, t->cls, cls) < 0) {
            Py_DECREF(cls);
            goto fail;
        }
    }
    if (add_error(m, "DecodeError", &famqp_py_decode_error,
                  "Input that is not valid AMQP: attributes status, type, field, offset, detail, payload.") < 0 ||
        add_error(m, "EncodeError", &famqp_py_encode_error,
                  "A value that cannot be encoded: attributes type and field name where.") < 0 ||
        famqp_py_message_init(m) < 0 || famqp_py_client_init(m) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}

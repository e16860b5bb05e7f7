/* flatamqp.Message: a bare message's sections as one namedtuple, encoded
 * section by section with the generated encoders and decoded in the order
 * the standard gives (header, delivery-annotations, message-annotations,
 * properties, application-properties, body, footer). */
#include <string.h>

#include "famqp_py.h"

PyObject *famqp_py_message_class;

enum { S_HEADER, S_DANN, S_MANN, S_PROPS, S_APROPS, S_DATA, S_SEQ, S_VALUE, S_FOOTER, S_COUNT };
static const char *const section_names[S_COUNT] = {
    "header", "delivery-annotations", "message-annotations", "properties", "application-properties",
    "data", "amqp-sequence", "amqp-value", "footer",
};
/* class index of each section */
static int sidx[S_COUNT];
/* Message field of each section (the three body sections share one) */
static const int field_of[S_COUNT] = {0, 1, 2, 3, 4, 5, 5, 5, 6};

int famqp_py_message_init(PyObject *module)
{
    for (int s = 0; s < S_COUNT; s++) {
        sidx[s] = -1;
        for (size_t i = 0; i < famqp_py_type_count; i++)
            if (strcmp(famqp_py_types[i].amqp, section_names[s]) == 0)
                sidx[s] = (int)i;
        if (sidx[s] < 0) {
            PyErr_Format(PyExc_ImportError, "flatamqp: the spec has no %s section", section_names[s]);
            return -1;
        }
    }
    famqp_py_message_class = famqp_py_namedtuple(
        "Message", "header delivery_annotations message_annotations properties application_properties body footer",
        7);
    if (!famqp_py_message_class)
        return -1;
    Py_INCREF(famqp_py_message_class);
    return PyModule_AddObject(module, "Message", famqp_py_message_class) < 0 ? (Py_DECREF(famqp_py_message_class), -1) : 0;
}

/* Encodes section s from x: an instance of its class, or the section's
 * value (a dict for the annotations, bytes for data, ...) wrapped in one. */
static int encode_section(famqp_py_enc *e, famqp_py_out *out, int s, PyObject *x)
{
    int idx = sidx[s];
    if (famqp_py_is(x, idx))
        return famqp_py_types[idx].encode(e, x, out);
    PyObject *w = famqp_py_new(idx, 1);
    if (!w)
        return -1;
    Py_INCREF(x);
    PyTuple_SET_ITEM(w, 0, x);
    int r = famqp_py_types[idx].encode(e, w, out);
    Py_DECREF(w);
    return r;
}

static bool is_body_section(PyObject *x)
{
    return famqp_py_is(x, sidx[S_DATA]) || famqp_py_is(x, sidx[S_SEQ]) || famqp_py_is(x, sidx[S_VALUE]);
}

static int encode_body(famqp_py_enc *e, famqp_py_out *out, PyObject *body)
{
    if (is_body_section(body))
        return famqp_py_types[famqp_py_index_of(body)].encode(e, body, out);
    if (PyBytes_Check(body) || PyByteArray_Check(body) || PyMemoryView_Check(body))
        return encode_section(e, out, S_DATA, body);
    if (PyList_Check(body) && PyList_GET_SIZE(body) > 0) {
        /* a list of data or amqp-sequence sections is that many sections */
        bool sections = true;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body) && sections; i++) {
            PyObject *x = PyList_GET_ITEM(body, i);
            sections = famqp_py_is(x, sidx[S_DATA]) || famqp_py_is(x, sidx[S_SEQ]);
        }
        if (sections) {
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
                PyObject *x = PyList_GET_ITEM(body, i);
                if (famqp_py_types[famqp_py_index_of(x)].encode(e, x, out) < 0)
                    return -1;
            }
            return 0;
        }
    }
    return encode_section(e, out, S_VALUE, body);
}

int famqp_py_encode_message(famqp_py_enc *e, PyObject *m, famqp_py_out *out)
{
    if (PyTuple_GET_SIZE(m) != 7) {
        PyErr_SetString(PyExc_TypeError, "a Message has 7 fields");
        return -1;
    }
    static const int order[] = {S_HEADER, S_DANN, S_MANN, S_PROPS, S_APROPS, -1, S_FOOTER};
    for (int f = 0; f < 7; f++) {
        PyObject *x = PyTuple_GET_ITEM(m, f);
        if (x == Py_None)
            continue;
        int r = order[f] < 0 ? encode_body(e, out, x) : encode_section(e, out, order[f], x);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Raises a DecodeError about the message itself (order of sections). */
static PyObject *message_error(famqp_py_dec *d, const uint8_t *at, famqp_status st, const char *detail)
{
    famqp_error err = {st, "message", NULL, 0, detail};
    return famqp_py_raise_decode(&err, d, at);
}

PyObject *famqp_py_decode_message(famqp_py_dec *d, const uint8_t *p, size_t n)
{
    PyObject *fields[7] = {NULL};
    PyObject *bodies = NULL;
    int last = -1, body_kind = -1;
    size_t pos = 0;
    while (pos < n) {
        famqp_error err = {0};
        int idx = famqp_py_peek_index(p + pos, n - pos, &err);
        if (idx < 0 && err.status != FAMQP_OK) {
            famqp_py_raise_decode(&err, d, p + pos);
            goto fail;
        }
        int s = -1;
        for (int k = 0; k < S_COUNT && idx >= 0; k++)
            if (sidx[k] == idx)
                s = k;
        if (s < 0) {
            message_error(d, p + pos, FAMQP_ERR_TYPE_MISMATCH, "not a message section");
            goto fail;
        }
        int f = field_of[s];
        if (f < last || (f == last && f != 5)) {
            message_error(d, p + pos, FAMQP_ERR_INVALID_VALUE,
                          f == last ? "section repeated" : "section out of order");
            goto fail;
        }
        if (f == 5 && body_kind >= 0 && (body_kind != s || s == S_VALUE)) {
            message_error(d, p + pos, FAMQP_ERR_INVALID_VALUE,
                          "a body is one amqp-value, or data sections, or amqp-sequence sections");
            goto fail;
        }
        size_t used = 0;
        PyObject *x = famqp_py_types[idx].decode(d, p + pos, n - pos, &used, &err);
        if (!x) {
            if (err.status != FAMQP_OK)
                famqp_py_raise_decode(&err, d, p + pos);
            goto fail;
        }
        pos += used;
        last = f;
        if (f == 5) {
            body_kind = s;
            if (!bodies && !(bodies = PyList_New(0))) {
                Py_DECREF(x);
                goto fail;
            }
            int r = PyList_Append(bodies, x);
            Py_DECREF(x);
            if (r < 0)
                goto fail;
            continue;
        }
        if (s == S_HEADER || s == S_PROPS) {
            fields[f] = x;
        } else { /* annotations, application-properties, footer: their map */
            fields[f] = PyTuple_GET_ITEM(x, 0);
            Py_INCREF(fields[f]);
            Py_DECREF(x);
        }
    }
    if (bodies) { /* one body section as itself, several as a list */
        if (PyList_GET_SIZE(bodies) == 1) {
            fields[5] = PyList_GET_ITEM(bodies, 0);
            Py_INCREF(fields[5]);
            Py_DECREF(bodies);
        } else {
            fields[5] = bodies;
        }
        bodies = NULL;
    }
    PyTypeObject *t = (PyTypeObject *)famqp_py_message_class;
    PyObject *m = t->tp_alloc(t, 7);
    if (!m)
        goto fail;
    for (int f = 0; f < 7; f++)
        PyTuple_SET_ITEM(m, f, fields[f] ? fields[f] : famqp_py_none());
    return m;
fail:
    for (int f = 0; f < 7; f++)
        Py_XDECREF(fields[f]);
    Py_XDECREF(bodies);
    return NULL;
}

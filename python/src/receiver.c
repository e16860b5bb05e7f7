/* flatamqp.Receiver and flatamqp.Delivery: a receiving link of a Client
 * and the messages it hands out.  famqp_receive waits with the GIL
 * released, in slices of at most 200 ms so that a signal (Ctrl-C) is seen;
 * a delivery's bytes are copied into a bytes object (the copy of a big one
 * without the GIL) and decoded, on first use of Delivery.message, by the
 * module's decoder (which decodes big values without the GIL).  Settling
 * sends the outcome with famqp_receiver_settle. */
#include <string.h>

#include "famqp_py_client.h"

#include <structmember.h>

typedef struct famqp_py_delivery {
    PyObject_HEAD
    famqp_py_receiver *receiver; /* strong */
    famqp_delivery *d;           /* NULL once settled */
    PyObject *raw;               /* the message's bytes */
    PyObject *message;           /* decoded on first use */
    PyObject *tag;               /* delivery-tag bytes */
    uint32_t format;
    bool presettled;             /* the sender settled it already */
} famqp_py_delivery;

static famqp_client_status close_receiver(void *link, int timeout_ms)
{
    return famqp_receiver_close(link, timeout_ms);
}

PyObject *famqp_py_receiver_open(famqp_py_client *c, PyObject *args, PyObject *kw)
{
    static char *names[] = {"address", "credit", "settle_mode", "name", "selector", "timeout", "settle_timeout",
                            NULL};
    PyObject *address = Py_None, *timeout = NULL, *settle_timeout = NULL;
    const char *name = NULL, *selector = NULL, *mode = "first";
    unsigned int credit = 100;
    famqp_receiver_options o;
    famqp_receiver_options_init(&o);
    int settle_ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$IszzOO:receiver", names, &address, &credit, &mode, &name,
                                     &selector, &timeout, &settle_timeout) ||
        !famqp_py_timeout_ms(timeout, &o.attach_timeout_ms) || !famqp_py_timeout_ms(settle_timeout, &settle_ms))
        return NULL;
    if (!timeout)
        o.attach_timeout_ms = 0;
    if (!settle_timeout)
        settle_ms = 10000;
    if (strcmp(mode, "first") == 0) {
        o.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_FIRST;
    } else if (strcmp(mode, "second") == 0) {
        o.rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    } else {
        PyErr_Format(PyExc_ValueError, "receiver: settle_mode must be 'first' or 'second', not '%s'", mode);
        return NULL;
    }
    const char *addr = famqp_py_link_address(c, &address, "receiver");
    if (!addr)
        return NULL;
    o.credit_window = credit;
    o.name = name;
    o.selector = selector;
    famqp_py_receiver *self = (famqp_py_receiver *)famqp_py_link_new(&famqp_py_receiver_type, c, address,
                                                                      close_receiver);
    if (!self)
        return NULL;
    self->settle_timeout_ms = settle_ms;
    if (famqp_py_client_enter(c) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    famqp_client_status st;
    Py_BEGIN_ALLOW_THREADS st = famqp_receiver_open(c->c, addr, &o, &self->r);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(c);
    if (st != FAMQP_CLIENT_OK) {
        famqp_py_client_raise(st, c->c, NULL);
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* A Delivery for d (taken over: released again if this fails). */
static PyObject *new_delivery(famqp_py_receiver *r, famqp_delivery *d)
{
    famqp_binary body = famqp_delivery_message(d);
    famqp_binary tag = famqp_delivery_tag(d);
    famqp_py_delivery *self = PyObject_New(famqp_py_delivery, &famqp_py_delivery_type);
    if (!self) {
        famqp_delivery_release(d);
        return NULL;
    }
    Py_INCREF(r);
    self->receiver = r;
    self->d = d;
    self->message = NULL;
    self->format = famqp_delivery_message_format(d);
    self->presettled = famqp_delivery_remote_settled(d);
    self->tag = PyBytes_FromStringAndSize((const char *)tag.ptr, (Py_ssize_t)tag.len);
    self->raw = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)body.len);
    if (!self->tag || !self->raw) {
        Py_DECREF(self); /* releases d */
        return NULL;
    }
    char *dst = PyBytes_AS_STRING(self->raw);
    FAMQP_PY_NOGIL(body.len, memcpy(dst, body.ptr, body.len));
    return (PyObject *)self;
}

/* Waits at most ms (-1: no limit) for a delivery, the GIL released, in
 * slices so that signals are handled: OK with *d, ERR_TIMEOUT, an error,
 * or -1 with a Python exception (a signal handler raised). */
static int receive_one(famqp_py_receiver *self, int ms, famqp_delivery **d, famqp_client_status *st)
{
    enum { SLICE_MS = 200 };
    int64_t deadline = ms < 0 ? -1 : famqp_py_now_ms() + ms;
    for (;;) {
        int slice = SLICE_MS;
        if (deadline >= 0) {
            int64_t left = deadline - famqp_py_now_ms();
            slice = left < 0 ? 0 : left < SLICE_MS ? (int)left : SLICE_MS;
        }
        famqp_receiver *r = self->r;
        famqp_client_status s;
        if (slice == 0 || famqp_receiver_queued(r) > 0) { /* nothing to wait for: keep the GIL */
            s = famqp_receive(r, slice, d);
        } else {
            Py_BEGIN_ALLOW_THREADS s = famqp_receive(r, slice, d);
            Py_END_ALLOW_THREADS
        }
        if (s != FAMQP_CLIENT_ERR_TIMEOUT || slice == 0 || (deadline >= 0 && famqp_py_now_ms() >= deadline)) {
            *st = s;
            return 0;
        }
        if (PyErr_CheckSignals() < 0)
            return -1;
    }
}

static PyObject *raise_receive(famqp_py_receiver *self, famqp_client_status st)
{
    return famqp_py_client_raise(st, self->client->c,
                                 st == FAMQP_CLIENT_ERR_CREDIT
                                     ? "no credit granted (a receiver made with credit=0): call set_credit() or drain()"
                                     : NULL);
}

static PyObject *receiver_receive(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_receiver *self = (famqp_py_receiver *)op;
    static char *names[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:receive", names, &timeout) || !famqp_py_timeout_ms(timeout, &ms) ||
        famqp_py_link_enter((famqp_py_link *)self) < 0)
        return NULL;
    famqp_delivery *d = NULL;
    famqp_client_status st;
    int r = receive_one(self, ms, &d, &st);
    famqp_py_client_leave(self->client);
    if (r < 0)
        return NULL;
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        Py_RETURN_NONE;
    if (st != FAMQP_CLIENT_OK)
        return raise_receive(self, st);
    return new_delivery(self, d);
}

static PyObject *receiver_receive_many(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_receiver *self = (famqp_py_receiver *)op;
    static char *names[] = {"max_count", "timeout", NULL};
    Py_ssize_t max = 0;
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "n|O:receive_many", names, &max, &timeout) ||
        !famqp_py_timeout_ms(timeout, &ms))
        return NULL;
    if (max < 1) {
        PyErr_SetString(PyExc_ValueError, "receive_many: max_count must be >= 1");
        return NULL;
    }
    PyObject *list = PyList_New(0);
    if (!list || famqp_py_link_enter((famqp_py_link *)self) < 0) {
        Py_XDECREF(list);
        return NULL;
    }
    famqp_client_status st = FAMQP_CLIENT_OK;
    int failed = 0;
    for (Py_ssize_t i = 0; i < max; i++) {
        famqp_delivery *d = NULL;
        /* the first waits up to timeout; the rest take what has arrived */
        if (receive_one(self, i == 0 ? ms : 0, &d, &st) < 0) {
            failed = 1;
            break;
        }
        if (st != FAMQP_CLIENT_OK)
            break;
        PyObject *x = new_delivery(self, d);
        if (!x || PyList_Append(list, x) < 0) {
            Py_XDECREF(x);
            failed = 1;
            break;
        }
        Py_DECREF(x);
    }
    famqp_py_client_leave(self->client);
    if (failed) {
        Py_DECREF(list);
        return NULL;
    }
    if (st != FAMQP_CLIENT_OK && st != FAMQP_CLIENT_ERR_TIMEOUT && PyList_GET_SIZE(list) == 0) {
        Py_DECREF(list);
        return raise_receive(self, st);
    }
    return list;
}

static PyObject *receiver_set_credit(PyObject *op, PyObject *arg)
{
    famqp_py_receiver *self = (famqp_py_receiver *)op;
    unsigned long credit = PyLong_AsUnsignedLong(arg);
    if (credit == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    if (credit > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "set_credit: credit must fit in 32 bits");
        return NULL;
    }
    if (famqp_py_link_enter((famqp_py_link *)self) < 0)
        return NULL;
    famqp_client_status st;
    Py_BEGIN_ALLOW_THREADS st = famqp_receiver_set_credit(self->r, (uint32_t)credit);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(self->client);
    if (st != FAMQP_CLIENT_OK)
        return famqp_py_client_raise(st, self->client->c, NULL);
    Py_RETURN_NONE;
}

static PyObject *receiver_drain(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_receiver *self = (famqp_py_receiver *)op;
    static char *names[] = {"credit", "timeout", NULL};
    unsigned int credit = 0;
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|IO:drain", names, &credit, &timeout) ||
        !famqp_py_timeout_ms(timeout, &ms) || famqp_py_link_enter((famqp_py_link *)self) < 0)
        return NULL;
    famqp_client_status st;
    size_t arrived = 0;
    Py_BEGIN_ALLOW_THREADS st = famqp_receiver_drain(self->r, credit, ms, &arrived);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(self->client);
    if (st != FAMQP_CLIENT_OK)
        return famqp_py_client_raise(st, self->client->c, NULL);
    return PyLong_FromSize_t(arrived);
}

static PyObject *receiver_get_queued(PyObject *op, void *unused)
{
    (void)unused;
    famqp_py_receiver *self = (famqp_py_receiver *)op;
    return PyLong_FromSize_t(self->r && self->client->c ? famqp_receiver_queued(self->r) : 0);
}

static PyMethodDef receiver_methods[] = {
    {"receive", (PyCFunction)(void (*)(void))receiver_receive, METH_VARARGS | METH_KEYWORDS,
     "receive(timeout=None) -> Delivery | None\n\nWaits at most timeout seconds (None: no limit) for a message; "
     "None when none came.  The GIL is released while it waits; a signal handler's exception (Ctrl-C) "
     "ends the wait within 200 ms."},
    {"receive_many", (PyCFunction)(void (*)(void))receiver_receive_many, METH_VARARGS | METH_KEYWORDS,
     "receive_many(max_count, timeout=None) -> list[Delivery]\n\nWaits at most timeout seconds for the first "
     "message, then takes those that have arrived too, up to max_count; [] when none came."},
    {"set_credit", receiver_set_credit, METH_O,
     "set_credit(credit)\n\nManual credit (a receiver made with credit=0): the link-credit becomes credit."},
    {"drain", (PyCFunction)(void (*)(void))receiver_drain, METH_VARARGS | METH_KEYWORDS,
     "drain(credit=0, timeout=None) -> int\n\nAsks the sender to use the credit (credit, or 0: what is granted "
     "now) or give it back, and waits until it has; returns how many messages arrived meanwhile (receive() "
     "hands them out)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef receiver_getset[] = {
    {"queued", receiver_get_queued, NULL, "Messages that arrived and receive() has not handed out yet.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject famqp_py_receiver_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flatamqp.Receiver",
    .tp_basicsize = sizeof(famqp_py_receiver),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A receiving link, made by Client.receiver(); a context manager that closes it.\n\n"
              "Threads: used by the thread that uses its client, one call at a time.",
    .tp_base = &famqp_py_link_type,
    .tp_methods = receiver_methods,
    .tp_getset = receiver_getset,
};

/* ---- Delivery ------------------------------------------------------------ */

/* True when the delivery can still be settled: not settled, its receiver
 * and client open. */
static bool live(famqp_py_delivery *self)
{
    return self->d && self->receiver->r && self->receiver->client->c;
}

static void delivery_dealloc(PyObject *op)
{
    famqp_py_delivery *self = (famqp_py_delivery *)op;
    /* dropped unsettled: released (the peer may deliver it again); the
     * settlement leaves with the client's next I/O.  Left alone while the
     * client is busy in another thread (its close frees it). */
    if (live(self) && !self->receiver->client->busy)
        famqp_delivery_release(self->d);
    Py_XDECREF(self->receiver);
    Py_XDECREF(self->raw);
    Py_XDECREF(self->message);
    Py_XDECREF(self->tag);
    PyObject_Free(op);
}

/* Settles with *o; None or an exception. */
static PyObject *settle(famqp_py_delivery *self, const famqp_outcome *o)
{
    if (!self->d) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp.Delivery: settled already");
        return NULL;
    }
    if (!live(self)) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp.Delivery: its receiver (or client) is closed");
        return NULL;
    }
    famqp_py_receiver *r = self->receiver;
    if (famqp_py_client_enter(r->client) < 0)
        return NULL;
    famqp_client_status st;
    famqp_outcome remote;
    famqp_delivery *d = self->d;
    Py_BEGIN_ALLOW_THREADS st = famqp_receiver_settle(r->r, d, o, r->settle_timeout_ms, &remote);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(r->client);
    if (st != FAMQP_CLIENT_ERR_ARG)
        self->d = NULL;
    if (st != FAMQP_CLIENT_OK)
        return famqp_py_client_raise(st, r->client->c, NULL);
    Py_RETURN_NONE;
}

static PyObject *delivery_accept(PyObject *op, PyObject *unused)
{
    (void)unused;
    famqp_outcome o = {.kind = FAMQP_OUTCOME_ACCEPTED};
    return settle((famqp_py_delivery *)op, &o);
}

static PyObject *delivery_release(PyObject *op, PyObject *unused)
{
    (void)unused;
    famqp_outcome o = {.kind = FAMQP_OUTCOME_RELEASED};
    return settle((famqp_py_delivery *)op, &o);
}

static PyObject *delivery_reject(PyObject *op, PyObject *args, PyObject *kw)
{
    static char *names[] = {"condition", "description", NULL};
    famqp_outcome o = {.kind = FAMQP_OUTCOME_REJECTED};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zz:reject", names, &o.error.name, &o.error.description))
        return NULL;
    if (!o.error.name && o.error.description) {
        PyErr_SetString(PyExc_ValueError, "reject: a description needs a condition");
        return NULL;
    }
    return settle((famqp_py_delivery *)op, &o);
}

static PyObject *delivery_modify(PyObject *op, PyObject *args, PyObject *kw)
{
    static char *names[] = {"delivery_failed", "undeliverable_here", NULL};
    int failed = 1, undeliverable = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|pp:modify", names, &failed, &undeliverable))
        return NULL;
    famqp_outcome o = {.kind = FAMQP_OUTCOME_MODIFIED, .delivery_failed = failed,
                       .undeliverable_here = undeliverable};
    return settle((famqp_py_delivery *)op, &o);
}

static PyObject *delivery_get_message(PyObject *op, void *unused)
{
    (void)unused;
    famqp_py_delivery *self = (famqp_py_delivery *)op;
    if (!self->message) {
        famqp_py_dec d = {self->raw, NULL, (const uint8_t *)PyBytes_AS_STRING(self->raw),
                          (size_t)PyBytes_GET_SIZE(self->raw), NULL, false};
        self->message = famqp_py_decode_message(&d, d.base, d.len);
        Py_XDECREF(d.view);
        if (!self->message)
            return NULL;
    }
    Py_INCREF(self->message);
    return self->message;
}

static PyObject *delivery_get_settled(PyObject *op, void *unused)
{
    (void)unused;
    return PyBool_FromLong(((famqp_py_delivery *)op)->d == NULL);
}

static PyObject *delivery_get_format(PyObject *op, void *unused)
{
    (void)unused;
    return PyLong_FromUnsignedLong(((famqp_py_delivery *)op)->format);
}

static PyObject *delivery_get_presettled(PyObject *op, void *unused)
{
    (void)unused;
    return PyBool_FromLong(((famqp_py_delivery *)op)->presettled);
}

static PyMethodDef delivery_methods[] = {
    {"accept", delivery_accept, METH_NOARGS, "accept()\n\nSettles with accepted."},
    {"reject", (PyCFunction)(void (*)(void))delivery_reject, METH_VARARGS | METH_KEYWORDS,
     "reject(condition=None, description=None)\n\nSettles with rejected, carrying the error condition (e.g. "
     "'amqp:precondition-failed') and description."},
    {"release", delivery_release, METH_NOARGS,
     "release()\n\nSettles with released: the peer may deliver the message again."},
    {"modify", (PyCFunction)(void (*)(void))delivery_modify, METH_VARARGS | METH_KEYWORDS,
     "modify(delivery_failed=True, undeliverable_here=False)\n\nSettles with modified."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef delivery_members[] = {
    {"raw", T_OBJECT, offsetof(famqp_py_delivery, raw), READONLY, "The message's encoded sections (bytes)."},
    {"tag", T_OBJECT, offsetof(famqp_py_delivery, tag), READONLY, "The delivery-tag (bytes)."},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef delivery_getset[] = {
    {"message", delivery_get_message, NULL,
     "The decoded flatamqp.Message (decoded at first use; DecodeError if the bytes are not a message).", NULL},
    {"settled", delivery_get_settled, NULL, "True once accept/reject/release/modify ran.", NULL},
    {"message_format", delivery_get_format, NULL, "The transfer's message-format (0: AMQP 1.0 message).", NULL},
    {"presettled", delivery_get_presettled, NULL,
     "True when the sender settled it already (at-most-once); settling it then only frees it.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject famqp_py_delivery_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flatamqp.Delivery",
    .tp_basicsize = sizeof(famqp_py_delivery),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A received message, from Receiver.receive(): settle it once with accept(), reject(), release() "
              "or modify().  One dropped unsettled is released.\n\n"
              "Threads: used by the thread that uses its client.",
    .tp_dealloc = delivery_dealloc,
    .tp_methods = delivery_methods,
    .tp_members = delivery_members,
    .tp_getset = delivery_getset,
};

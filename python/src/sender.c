/* flatamqp.Sender: a sending link of a Client.  A message is encoded by
 * the module's own encoder (the GIL held: it reads Python objects; the
 * byte writing of a big one runs without it) and handed to famqp_send_bytes
 * with the GIL released while the client waits for credit and the outcome. */
#include <string.h>

#include "famqp_py_client.h"


PyObject *famqp_py_encode_for_send(PyObject *msg)
{
    PyObject *m = msg;
    if (PyObject_TypeCheck(msg, (PyTypeObject *)famqp_py_message_class)) {
        Py_INCREF(m);
    } else { /* a body alone: Message(body=msg) */
        PyObject *kw = Py_BuildValue("{sO}", "body", msg);
        PyObject *empty = PyTuple_New(0);
        m = kw && empty ? PyObject_Call(famqp_py_message_class, empty, kw) : NULL;
        Py_XDECREF(kw);
        Py_XDECREF(empty);
        if (!m)
            return NULL;
    }
    famqp_py_enc e;
    famqp_py_enc_init(&e);
    famqp_py_out out = {0};
    int r = famqp_py_encode_message(&e, m, &out);
    famqp_py_enc_done(&e);
    Py_DECREF(m);
    if (r < 0) {
        Py_XDECREF(out.bytes);
        return NULL;
    }
    return famqp_py_out_bytes(&out);
}

static famqp_client_status close_sender(void *link, int timeout_ms)
{
    return famqp_sender_close(link, timeout_ms);
}

PyObject *famqp_py_sender_open(famqp_py_client *c, PyObject *args, PyObject *kw)
{
    static char *names[] = {"address", "name", "presettled", "window", "timeout", NULL};
    PyObject *address = Py_None, *timeout = NULL;
    const char *name = NULL;
    int presettled = 0;
    unsigned int window = 0;
    famqp_sender_options o;
    famqp_sender_options_init(&o);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$zpIO:sender", names, &address, &name, &presettled, &window,
                                     &timeout) ||
        !famqp_py_timeout_ms(timeout, &o.attach_timeout_ms))
        return NULL;
    if (!timeout)
        o.attach_timeout_ms = 0;
    const char *addr = famqp_py_link_address(c, &address, "sender");
    if (!addr)
        return NULL;
    o.name = name;
    o.window = window;
    if (presettled)
        o.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_py_sender *self = (famqp_py_sender *)famqp_py_link_new(&famqp_py_sender_type, c, address,
                                                                  close_sender);
    if (!self)
        return NULL;
    if (famqp_py_client_enter(c) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    famqp_client_status st;
    Py_BEGIN_ALLOW_THREADS st = famqp_sender_open(c->c, addr, &o, &self->s);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(c);
    if (st != FAMQP_CLIENT_OK) {
        famqp_py_client_raise(st, c->c, NULL);
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static PyObject *sender_send(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_sender *self = (famqp_py_sender *)op;
    static char *names[] = {"message", "timeout", NULL};
    PyObject *msg, *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:send", names, &msg, &timeout) ||
        !famqp_py_timeout_ms(timeout, &ms))
        return NULL;
    PyObject *bytes = famqp_py_encode_for_send(msg);
    if (!bytes)
        return NULL;
    if (famqp_py_link_enter((famqp_py_link *)self) < 0) {
        Py_DECREF(bytes);
        return NULL;
    }
    famqp_outcome o;
    memset(&o, 0, sizeof o);
    famqp_client_status st;
    const void *p = PyBytes_AS_STRING(bytes);
    size_t n = (size_t)PyBytes_GET_SIZE(bytes);
    Py_BEGIN_ALLOW_THREADS st = famqp_send_bytes(self->s, p, n, ms, &o);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(self->client);
    Py_DECREF(bytes);
    if (st != FAMQP_CLIENT_OK)
        return famqp_py_client_raise(st, self->client->c, NULL);
    if (o.kind != FAMQP_OUTCOME_ACCEPTED && o.kind != FAMQP_OUTCOME_NONE)
        return famqp_py_raise_outcome(&o);
    return famqp_py_outcome_name(o.kind);
}

/* What is left of a timeout that started at t0 (-1: no limit). */
static int left_ms(int ms, int64_t t0)
{
    if (ms < 0)
        return -1;
    int64_t left = ms - (famqp_py_now_ms() - t0);
    return left > 0 ? (int)left : 0;
}

static PyObject *sender_send_many(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_sender *self = (famqp_py_sender *)op;
    static char *names[] = {"messages", "timeout", NULL};
    PyObject *msgs, *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:send_many", names, &msgs, &timeout) ||
        !famqp_py_timeout_ms(timeout, &ms))
        return NULL;
    /* every message encoded first (the GIL held), then sent without it */
    PyObject *seq = PySequence_Fast(msgs, "send_many: messages must be iterable");
    if (!seq)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *encoded = PyList_New(count);
    for (Py_ssize_t i = 0; encoded && i < count; i++) {
        PyObject *b = famqp_py_encode_for_send(PySequence_Fast_GET_ITEM(seq, i));
        if (!b)
            Py_CLEAR(encoded);
        else
            PyList_SET_ITEM(encoded, i, b);
    }
    Py_DECREF(seq);
    if (!encoded)
        return NULL;
    if (famqp_py_link_enter((famqp_py_link *)self) < 0) {
        Py_DECREF(encoded);
        return NULL;
    }
    famqp_send_summary before, after;
    famqp_sender_summary(self->s, &before);
    famqp_client_status st = FAMQP_CLIENT_OK;
    PyObject **items = PySequence_Fast_ITEMS(encoded); /* a list: its items do not move while we hold it */
    Py_BEGIN_ALLOW_THREADS
    int64_t t0 = famqp_py_now_ms();
    for (Py_ssize_t i = 0; st == FAMQP_CLIENT_OK && i < count; i++)
        st = famqp_send_bytes_async(self->s, PyBytes_AS_STRING(items[i]), (size_t)PyBytes_GET_SIZE(items[i]),
                                    left_ms(ms, t0));
    if (st == FAMQP_CLIENT_OK)
        st = famqp_sender_wait_all(self->s, left_ms(ms, t0), NULL);
    Py_END_ALLOW_THREADS
    famqp_sender_summary(self->s, &after);
    famqp_py_client_leave(self->client);
    Py_DECREF(encoded);
    if (st != FAMQP_CLIENT_OK)
        return famqp_py_client_raise(st, self->client->c, NULL);
    return Py_BuildValue("{sKsKsKsKsKsK}", "sent", (unsigned long long)(after.sent - before.sent), "accepted",
                         (unsigned long long)(after.accepted - before.accepted), "rejected",
                         (unsigned long long)(after.rejected - before.rejected), "released",
                         (unsigned long long)(after.released - before.released), "modified",
                         (unsigned long long)(after.modified - before.modified), "presettled",
                         (unsigned long long)(after.presettled - before.presettled));
}

static PyObject *sender_get_credit(PyObject *op, void *unused)
{
    (void)unused;
    famqp_py_sender *self = (famqp_py_sender *)op;
    return PyLong_FromUnsignedLong(self->s && self->client->c ? famqp_sender_credit(self->s) : 0);
}

static PyMethodDef sender_methods[] = {
    {"send", (PyCFunction)(void (*)(void))sender_send, METH_VARARGS | METH_KEYWORDS,
     "send(message, timeout=None) -> str\n\nSends a Message (anything else is sent as Message(body=it): bytes "
     "as one data section, other values as amqp-value) and waits for its outcome: returns 'accepted' ('settled' "
     "on a presettled sender, once written); raises MessageRejected (outcome 'rejected', 'released' or "
     "'modified', with a rejection's condition and description), OperationTimeout, LinkError, ConnectionClosed."},
    {"send_many", (PyCFunction)(void (*)(void))sender_send_many, METH_VARARGS | METH_KEYWORDS,
     "send_many(messages, timeout=None) -> dict\n\nSends every message pipelined (as many in flight as credit "
     "and the window allow) and waits until all are settled; returns the counts of this call's outcomes: "
     "{'sent', 'accepted', 'rejected', 'released', 'modified', 'presettled'}.  timeout covers the whole call."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef sender_getset[] = {
    {"credit", sender_get_credit, NULL, "The link credit the peer has granted now.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject famqp_py_sender_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flatamqp.Sender",
    .tp_basicsize = sizeof(famqp_py_sender),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A sending link, made by Client.sender(); a context manager that closes it.\n\n"
              "Threads: used by the thread that uses its client, one call at a time.",
    .tp_base = &famqp_py_link_type,
    .tp_methods = sender_methods,
    .tp_getset = sender_getset,
};

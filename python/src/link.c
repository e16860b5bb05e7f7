/* flatamqp.Link: what a Sender and a Receiver share (their base class):
 * the client they belong to, the address, close() and the context
 * manager.  A link that is dropped open is left to its client, whose close
 * frees it (detaching in a destructor could block, and the client may be
 * busy in another thread). */
#include "famqp_py_client.h"

#include <structmember.h>

famqp_py_link *famqp_py_link_new(PyTypeObject *t, famqp_py_client *c, PyObject *address, famqp_py_close_fn close)
{
    famqp_py_link *l = (famqp_py_link *)t->tp_alloc(t, 0);
    if (!l)
        return NULL;
    Py_INCREF(c);
    l->client = c;
    Py_INCREF(address);
    l->address = address;
    l->close = close;
    return l;
}

int famqp_py_link_enter(famqp_py_link *l)
{
    if (!l->link || !l->client->c) {
        PyErr_Format(PyExc_RuntimeError, "%s: closed", Py_TYPE(l)->tp_name);
        return -1;
    }
    return famqp_py_client_enter(l->client);
}

static void link_dealloc(PyObject *op)
{
    famqp_py_link *self = (famqp_py_link *)op;
    Py_XDECREF(self->client);
    Py_XDECREF(self->address);
    Py_TYPE(op)->tp_free(op);
}

static PyObject *link_close(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_link *self = (famqp_py_link *)op;
    static char *names[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:close", names, &timeout) || !famqp_py_timeout_ms(timeout, &ms))
        return NULL;
    if (!timeout)
        ms = 10000;
    if (!self->link || !self->client->c) { /* closed already, or with its client */
        self->link = NULL;
        Py_RETURN_NONE;
    }
    if (famqp_py_client_enter(self->client) < 0)
        return NULL;
    famqp_client_status st;
    void *l = self->link;
    famqp_py_close_fn close = self->close;
    Py_BEGIN_ALLOW_THREADS st = close(l, ms);
    Py_END_ALLOW_THREADS
    self->link = NULL;
    famqp_py_client_leave(self->client);
    /* the link is gone either way; a peer that did not answer in time, or
     * detached it first, is not an error of the close */
    if (st != FAMQP_CLIENT_OK && st != FAMQP_CLIENT_ERR_TIMEOUT && st != FAMQP_CLIENT_ERR_REFUSED)
        return famqp_py_client_raise(st, self->client->c, NULL);
    Py_RETURN_NONE;
}

static PyObject *link_exit(PyObject *op, PyObject *args)
{
    (void)args;
    return famqp_py_exit_by_closing(op, link_close);
}

static PyObject *link_get_closed(PyObject *op, void *unused)
{
    (void)unused;
    famqp_py_link *self = (famqp_py_link *)op;
    return PyBool_FromLong(!self->link || !self->client->c);
}

static PyMethodDef link_methods[] = {
    {"close", (PyCFunction)(void (*)(void))link_close, METH_VARARGS | METH_KEYWORDS,
     "close(timeout=10.0)\n\nDetaches the link (a receiver's unsettled deliveries can no longer be settled).  "
     "Closing twice, or after the client closed, does nothing."},
    {"__enter__", famqp_py_return_self, METH_NOARGS, "Returns the link."},
    {"__exit__", link_exit, METH_VARARGS, "close()"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef link_members[] = {
    {"address", T_OBJECT, offsetof(famqp_py_link, address), READONLY, "The target (sender) or source address."},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef link_getset[] = {
    {"closed", link_get_closed, NULL, "True once closed (or its client closed).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject famqp_py_link_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flatamqp.Link",
    .tp_basicsize = sizeof(famqp_py_link),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "What Sender and Receiver share: address, closed, close() and the context manager.\n\n"
              "Threads: used by the thread that uses its client, one call at a time.",
    .tp_dealloc = link_dealloc,
    .tp_methods = link_methods,
    .tp_members = link_members,
    .tp_getset = link_getset,
};

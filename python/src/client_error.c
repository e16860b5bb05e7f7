/* The client's exceptions: flatamqp.AMQPError and one subclass per way a
 * client call fails, each carrying the AMQP condition and description the
 * peer sent (or None), and the client status's name. */
#include <string.h>

#include "famqp_py_client.h"

static PyObject *amqp_error, *connect_error, *auth_error, *timeout_error, *link_error, *connection_closed,
    *message_rejected, *interrupted;

static const struct {
    const char *name;
    PyObject **slot, **base;
    const char *doc;
} classes[] = {
    {"AMQPError", &amqp_error, NULL,
     "A client call failed.  Attributes: status (a word for the client status: 'connect', 'auth', 'timeout', 'refused', 'connection', 'state', 'credit', 'interrupted', 'arg'; a MessageRejected's outcome), condition "
     "(the AMQP condition, e.g. 'amqp:not-found', or None) and description (the peer's text, or None)."},
    {"ConnectError", &connect_error, &amqp_error, "The TCP or TLS connection could not be made."},
    {"AuthenticationError", &auth_error, &amqp_error,
     "SASL authentication failed, or a CBS put-token was refused."},
    {"OperationTimeout", &timeout_error, &amqp_error, "The call's timeout passed before it was done."},
    {"LinkError", &link_error, &amqp_error,
     "The peer refused or detached the link (condition and description say why)."},
    {"ConnectionClosed", &connection_closed, &amqp_error, "The connection or session closed or failed."},
    {"MessageRejected", &message_rejected, &amqp_error,
     "A sent message was not accepted: outcome is 'rejected', 'released' or 'modified'; a rejection's "
     "condition and description are set."},
    {"Interrupted", &interrupted, &amqp_error, "Client.interrupt() ended the wait."},
};

int famqp_py_client_errors_init(PyObject *module)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        char full[64];
        snprintf(full, sizeof full, "flatamqp.%s", classes[i].name);
        PyObject *base = classes[i].base ? *classes[i].base : PyExc_Exception;
        PyObject *cls = PyErr_NewExceptionWithDoc(full, classes[i].doc, base, NULL);
        if (!cls)
            return -1;
        if (!classes[i].base && (PyObject_SetAttrString(cls, "status", Py_None) < 0 ||
                                 PyObject_SetAttrString(cls, "condition", Py_None) < 0 ||
                                 PyObject_SetAttrString(cls, "description", Py_None) < 0 ||
                                 PyObject_SetAttrString(cls, "outcome", Py_None) < 0)) {
            Py_DECREF(cls);
            return -1;
        }
        *classes[i].slot = cls;
        Py_INCREF(cls);
        if (PyModule_AddObject(module, classes[i].name, cls) < 0) {
            Py_DECREF(cls);
            return -1;
        }
    }
    return 0;
}

static PyObject *class_for(famqp_client_status st)
{
    switch (st) {
    case FAMQP_CLIENT_ERR_CONNECT: return connect_error;
    case FAMQP_CLIENT_ERR_AUTH: return auth_error;
    case FAMQP_CLIENT_ERR_TIMEOUT: return timeout_error;
    case FAMQP_CLIENT_ERR_REFUSED: return link_error;
    case FAMQP_CLIENT_ERR_CONNECTION: return connection_closed;
    case FAMQP_CLIENT_ERR_INTERRUPTED: return interrupted;
    case FAMQP_CLIENT_ERR_NOMEM: return PyExc_MemoryError;
    default: return amqp_error;
    }
}

/* AMQPError.status: a short word per client status */
static const char *status_word(famqp_client_status st)
{
    switch (st) {
    case FAMQP_CLIENT_OK: return "ok";
    case FAMQP_CLIENT_ERR_ARG: return "arg";
    case FAMQP_CLIENT_ERR_CONNECT: return "connect";
    case FAMQP_CLIENT_ERR_AUTH: return "auth";
    case FAMQP_CLIENT_ERR_TIMEOUT: return "timeout";
    case FAMQP_CLIENT_ERR_REFUSED: return "refused";
    case FAMQP_CLIENT_ERR_CONNECTION: return "connection";
    case FAMQP_CLIENT_ERR_STATE: return "state";
    case FAMQP_CLIENT_ERR_NOMEM: return "nomem";
    case FAMQP_CLIENT_ERR_CREDIT: return "credit";
    case FAMQP_CLIENT_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}

/* A str, or None for NULL or "". */
static PyObject *str_or_none(const char *s)
{
    if (!s || !*s)
        return famqp_py_none();
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* Raises cls(msg) with the attributes set. */
static PyObject *raise_with(PyObject *cls, const char *msg, const char *status, const char *condition,
                            const char *description, const char *outcome)
{
    if (cls == PyExc_MemoryError)
        return PyErr_NoMemory();
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    PyObject *e = text ? PyObject_CallOneArg(cls, text) : NULL;
    Py_XDECREF(text);
    if (!e)
        return NULL;
    const char *names[] = {"status", "condition", "description", "outcome"};
    const char *values[] = {status, condition, description, outcome};
    for (int i = 0; i < 4; i++) {
        PyObject *v = str_or_none(values[i]);
        if (!v || PyObject_SetAttrString(e, names[i], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(e);
            return NULL;
        }
        Py_DECREF(v);
    }
    PyErr_SetObject(cls, e);
    Py_DECREF(e);
    return NULL;
}

PyObject *famqp_py_client_raise(famqp_client_status st, const famqp_client *c, const char *msg)
{
    return famqp_py_client_raise_error(st, c ? famqp_client_last_error(c) : NULL, msg);
}

PyObject *famqp_py_client_raise_error(famqp_client_status st, const famqp_client_error *err, const char *msg)
{
    const char *text = msg ? msg : err && err->message[0] ? err->message : famqp_client_status_name(st);
    return raise_with(class_for(st), text, status_word(st), err ? err->condition : NULL,
                      err ? err->description : NULL, NULL);
}

PyObject *famqp_py_outcome_name(famqp_outcome_kind k)
{
    return PyUnicode_FromString(k == FAMQP_OUTCOME_NONE ? "settled" : famqp_outcome_kind_name(k));
}

PyObject *famqp_py_raise_outcome(const famqp_outcome *o)
{
    char msg[800];
    const char *kind = famqp_outcome_kind_name(o->kind);
    if (o->kind == FAMQP_OUTCOME_REJECTED && o->error.name)
        snprintf(msg, sizeof msg, "message %s: %s%s%s", kind, o->error.name, o->error.description ? ": " : "",
                 o->error.description ? o->error.description : "");
    else
        snprintf(msg, sizeof msg, "message %s", kind);
    return raise_with(message_rejected, msg, kind, o->kind == FAMQP_OUTCOME_REJECTED ? o->error.name : NULL,
                      o->kind == FAMQP_OUTCOME_REJECTED ? o->error.description : NULL, kind);
}

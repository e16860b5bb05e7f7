/* flatamqp.Client: one AMQP connection with one session, the blocking
 * client of famqp/client.h under Python.  Connects to a URL or an Azure
 * connection string (famqp/auth.h: the URL, and CBS with its SAS key or
 * token), with SASL PLAIN or ANONYMOUS and TLS options; opens senders and
 * receivers (sender.c, receiver.c).  The GIL is released around every
 * call that waits (connect, open, send, receive, settle, drain, close). */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "famqp_py_client.h"

#include <structmember.h>

#include "famqp/auth.h"

int famqp_py_client_enter(famqp_py_client *c)
{
    if (!c->c) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp.Client: the client is closed");
        return -1;
    }
    if (c->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "flatamqp.Client: in use by another call (a client, its senders, receivers and deliveries "
                        "are used by one thread at a time; use one client per thread)");
        return -1;
    }
    c->busy = true;
    return 0;
}

void famqp_py_client_leave(famqp_py_client *c) { c->busy = false; }

bool famqp_py_timeout_ms(PyObject *o, int *ms)
{
    if (!o || o == Py_None) {
        *ms = -1;
        return true;
    }
    double s = PyFloat_AsDouble(o);
    if (s == -1.0 && PyErr_Occurred())
        return false;
    if (!(s >= 0)) { /* negative or NaN */
        PyErr_Format(PyExc_ValueError, "timeout must be None or seconds >= 0, not %R", o);
        return false;
    }
    double v = ceil(s * 1000.0);
    *ms = v >= (double)INT_MAX ? -1 : (int)v;
    return true;
}

/* The text of a str argument, or NULL for None (-1 with TypeError). */
static int opt_str(PyObject *o, const char *name, const char **out)
{
    *out = NULL;
    if (!o || o == Py_None)
        return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str or None, not %.100s", name, Py_TYPE(o)->tp_name);
        return -1;
    }
    return (*out = PyUnicode_AsUTF8(o)) ? 0 : -1;
}

/* A string view as a new NUL-terminated PyMem copy (NULL: MemoryError). */
static char *copy_view(famqp_string s)
{
    char *p = PyMem_Malloc(s.len + 1);
    if (!p)
        return (char *)PyErr_NoMemory();
    memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

/* What a connection string gives the connect: the URL, CBS credentials
 * and the audience prefix (all PyMem, freed by cs_free). */
typedef struct cs_parts {
    char url[600];
    char *key_name, *key, *token, *prefix;
} cs_parts;

static void cs_free(cs_parts *p)
{
    if (p->key) /* a secret: wiped before it is freed */
        memset(p->key, 0, strlen(p->key));
    PyMem_Free(p->key_name);
    PyMem_Free(p->key);
    PyMem_Free(p->token);
    PyMem_Free(p->prefix);
}

static int parse_connection_string(famqp_py_client *self, const char *text, cs_parts *p)
{
    famqp_connection_string cs;
    famqp_auth_error aerr = {0};
    size_t len;
    if (famqp_connection_string_parse(text, &cs, &aerr) != FAMQP_AUTH_OK ||
        famqp_connection_string_amqp_url(&cs, p->url, sizeof p->url, &len, &aerr) != FAMQP_AUTH_OK) {
        PyErr_Format(PyExc_ValueError, "flatamqp.Client: %s", aerr.message);
        return -1;
    }
    /* the audience of a link to ENTITY is the Endpoint as written, '/', ENTITY */
    bool slash = cs.endpoint.len && cs.endpoint.ptr[cs.endpoint.len - 1] == '/';
    if (!(p->prefix = PyMem_Malloc(cs.endpoint.len + 2)))
        return PyErr_NoMemory(), -1;
    memcpy(p->prefix, cs.endpoint.ptr, cs.endpoint.len);
    strcpy(p->prefix + cs.endpoint.len, slash ? "" : "/");
    if (cs.shared_access_key.len) {
        if (!(p->key_name = copy_view(cs.shared_access_key_name)) || !(p->key = copy_view(cs.shared_access_key)))
            return -1;
    } else if (!(p->token = copy_view(cs.shared_access_signature))) {
        return -1;
    }
    if (cs.entity_path.len) {
        PyObject *e = PyUnicode_DecodeUTF8((const char *)cs.entity_path.ptr, (Py_ssize_t)cs.entity_path.len, NULL);
        if (!e)
            return -1;
        Py_SETREF(self->entity_path, e);
    }
    return 0;
}

static int sasl_mechanism(PyObject *o, unsigned *out)
{
    const char *s;
    if (opt_str(o, "sasl", &s) < 0)
        return -1;
    if (!s)
        *out = 0;
    else if (strcmp(s, "plain") == 0 || strcmp(s, "PLAIN") == 0)
        *out = FAMQP_SASL_PLAIN;
    else if (strcmp(s, "anonymous") == 0 || strcmp(s, "ANONYMOUS") == 0)
        *out = FAMQP_SASL_ANONYMOUS;
    else if (strcmp(s, "external") == 0 || strcmp(s, "EXTERNAL") == 0)
        *out = FAMQP_SASL_EXTERNAL;
    else if (strcmp(s, "none") == 0)
        *out = FAMQP_CLIENT_NO_SASL;
    else {
        PyErr_Format(PyExc_ValueError, "sasl must be 'plain', 'anonymous', 'external', 'none' or None, not %R", o);
        return -1;
    }
    return 0;
}

static int client_init(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_client *self = (famqp_py_client *)op;
    static char *names[] = {"address", "user", "password", "sasl", "allow_plain_insecure", "tls_ca_file",
                            "tls_server_name", "tls_insecure", "tls_cert_file", "tls_key_file", "connect_timeout",
                            "idle_timeout", "container_id", "max_frame_size", "sas_key_name", "sas_key",
                            "sas_token", "audience_prefix", NULL};
    const char *address;
    PyObject *user = NULL, *password = NULL, *sasl = NULL, *ca = NULL, *sni = NULL, *cert = NULL, *key = NULL,
             *ctimeout = NULL, *idle = NULL, *cid = NULL, *skn = NULL, *sk = NULL, *stoken = NULL, *aprefix = NULL;
    int allow_plain = 0, insecure = 0;
    unsigned int max_frame = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$OOOpOOpOOOOOIOOOO:Client", names, &address, &user, &password,
                                     &sasl, &allow_plain, &ca, &sni, &insecure, &cert, &key, &ctimeout, &idle, &cid,
                                     &max_frame, &skn, &sk, &stoken, &aprefix))
        return -1;
    if (self->c) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp.Client: already connected");
        return -1;
    }
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.allow_plain_insecure = allow_plain;
    o.io.tls_insecure = insecure;
    o.max_frame_size = max_frame;
    int idle_ms = -1;
    if (opt_str(user, "user", &o.user) < 0 || opt_str(password, "password", &o.password) < 0 ||
        sasl_mechanism(sasl, &o.sasl_mechanisms) < 0 || opt_str(ca, "tls_ca_file", &o.io.tls_ca_file) < 0 ||
        opt_str(sni, "tls_server_name", &o.io.tls_server_name) < 0 ||
        opt_str(cert, "tls_cert_file", &o.io.tls_cert_file) < 0 ||
        opt_str(key, "tls_key_file", &o.io.tls_key_file) < 0 || opt_str(cid, "container_id", &o.container_id) < 0 ||
        opt_str(skn, "sas_key_name", &o.cbs.sas_key_name) < 0 || opt_str(sk, "sas_key", &o.cbs.sas_key) < 0 ||
        opt_str(stoken, "sas_token", &o.cbs.sas_token) < 0 ||
        opt_str(aprefix, "audience_prefix", &o.cbs.audience_prefix) < 0 ||
        !famqp_py_timeout_ms(ctimeout, &o.connect_timeout_ms) || !famqp_py_timeout_ms(idle, &idle_ms))
        return -1;
    if (!ctimeout)
        o.connect_timeout_ms = 0; /* the default */
    o.idle_timeout_ms = idle_ms < 0 ? 0 : (uint32_t)idle_ms;
    o.trace = 0;
    if ((o.cbs.sas_key_name != NULL) != (o.cbs.sas_key != NULL)) {
        PyErr_SetString(PyExc_ValueError, "flatamqp.Client: sas_key_name and sas_key go together");
        return -1;
    }
    cs_parts cs = {0};
    const char *url = address;
    /* a connection string, Endpoint=sb://...;...: a '=' before any "://" */
    const char *scheme_end = strstr(address, "://"), *eq = strchr(address, '=');
    if (eq && (!scheme_end || eq < scheme_end)) {
        if (parse_connection_string(self, address, &cs) < 0) {
            cs_free(&cs);
            return -1;
        }
        url = cs.url;
        if (!o.cbs.sas_key && !o.cbs.sas_token) {
            o.cbs.sas_key_name = cs.key_name;
            o.cbs.sas_key = cs.key;
            o.cbs.sas_token = cs.token;
        }
        if (!o.cbs.audience_prefix)
            o.cbs.audience_prefix = cs.prefix;
    }
    famqp_client *c = NULL;
    famqp_client_status st;
    famqp_client_error err;
    memset(&err, 0, sizeof err);
    Py_BEGIN_ALLOW_THREADS st = famqp_client_connect(url, &o, &c, &err);
    Py_END_ALLOW_THREADS
    cs_free(&cs);
    if (st != FAMQP_CLIENT_OK) {
        famqp_py_client_raise_error(st, &err, NULL);
        return -1;
    }
    self->c = c;
    PyObject *u = PyUnicode_FromString(famqp_client_url(c));
    if (!u)
        return -1;
    Py_SETREF(self->url, u);
    return 0;
}

PyObject *famqp_py_return_self(PyObject *op, PyObject *unused)
{
    (void)unused;
    Py_INCREF(op);
    return op;
}

PyObject *famqp_py_exit_by_closing(PyObject *op, PyObject *(*close)(PyObject *, PyObject *, PyObject *))
{
    PyObject *empty = PyTuple_New(0);
    PyObject *r = empty ? close(op, empty, NULL) : NULL;
    Py_XDECREF(empty);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

const char *famqp_py_link_address(famqp_py_client *c, PyObject **address, const char *what)
{
    if (*address == Py_None)
        *address = c->entity_path;
    if (!PyUnicode_Check(*address)) {
        PyErr_Format(PyExc_TypeError, "%s: address must be a str (None only with a connection string naming an "
                     "EntityPath)", what);
        return NULL;
    }
    return PyUnicode_AsUTF8(*address);
}

int64_t famqp_py_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static PyObject *client_new(PyTypeObject *t, PyObject *args, PyObject *kw)
{
    (void)args;
    (void)kw;
    famqp_py_client *self = (famqp_py_client *)t->tp_alloc(t, 0);
    if (self) {
        self->entity_path = famqp_py_none();
        self->url = famqp_py_none();
    }
    return (PyObject *)self;
}

/* Closes the connection (the GIL released): every sender, receiver and
 * delivery of the client is gone after it. */
static famqp_client_status close_client(famqp_py_client *self, int timeout_ms)
{
    famqp_client *c = self->c;
    famqp_client_status st;
    self->busy = self->closing = true;
    Py_BEGIN_ALLOW_THREADS st = famqp_client_close(c, timeout_ms);
    Py_END_ALLOW_THREADS
    self->c = NULL;
    self->busy = self->closing = false;
    return st;
}

static void client_dealloc(PyObject *op)
{
    famqp_py_client *self = (famqp_py_client *)op;
    if (self->c)
        close_client(self, 1000);
    Py_CLEAR(self->entity_path);
    Py_CLEAR(self->url);
    Py_TYPE(op)->tp_free(op);
}

static PyObject *client_close(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_client *self = (famqp_py_client *)op;
    static char *names[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:close", names, &timeout))
        return NULL;
    if (!famqp_py_timeout_ms(timeout, &ms))
        return NULL;
    if (!timeout)
        ms = 10000;
    if (!self->c)
        Py_RETURN_NONE;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "flatamqp.Client.close: the client is in use by another thread "
                                            "(interrupt() it first)");
        return NULL;
    }
    famqp_client_status st = close_client(self, ms);
    /* the connection is gone whatever the peer answered: a failed close
     * handshake is reported, the client is closed either way */
    if (st != FAMQP_CLIENT_OK && st != FAMQP_CLIENT_ERR_TIMEOUT)
        return famqp_py_client_raise(st, NULL, "flatamqp.Client.close: the connection did not close cleanly");
    Py_RETURN_NONE;
}

static PyObject *client_interrupt(PyObject *op, PyObject *unused)
{
    (void)unused;
    famqp_py_client *self = (famqp_py_client *)op;
    if (self->c && !self->closing)
        famqp_client_interrupt(self->c);
    Py_RETURN_NONE;
}

static PyObject *client_pump(PyObject *op, PyObject *args, PyObject *kw)
{
    famqp_py_client *self = (famqp_py_client *)op;
    static char *names[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    int ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:pump", names, &timeout) ||
        !famqp_py_timeout_ms(timeout, &ms) || famqp_py_client_enter(self) < 0)
        return NULL;
    if (!timeout)
        ms = 0;
    famqp_client_status st;
    Py_BEGIN_ALLOW_THREADS st = famqp_client_pump(self->c, ms);
    Py_END_ALLOW_THREADS
    famqp_py_client_leave(self);
    if (st != FAMQP_CLIENT_OK && st != FAMQP_CLIENT_ERR_TIMEOUT)
        return famqp_py_client_raise(st, self->c, NULL);
    Py_RETURN_NONE;
}

static PyObject *client_exit(PyObject *op, PyObject *args)
{
    (void)args;
    return famqp_py_exit_by_closing(op, client_close);
}

static PyObject *client_sender(PyObject *op, PyObject *args, PyObject *kw)
{
    return famqp_py_sender_open((famqp_py_client *)op, args, kw);
}

static PyObject *client_receiver(PyObject *op, PyObject *args, PyObject *kw)
{
    return famqp_py_receiver_open((famqp_py_client *)op, args, kw);
}

static PyObject *client_get_closed(PyObject *op, void *unused)
{
    (void)unused;
    return PyBool_FromLong(((famqp_py_client *)op)->c == NULL);
}

static PyObject *client_get_reconnects(PyObject *op, void *unused)
{
    (void)unused;
    famqp_py_client *self = (famqp_py_client *)op;
    return PyLong_FromUnsignedLongLong(self->c ? famqp_client_reconnects(self->c) : 0);
}

static PyMethodDef client_methods[] = {
    {"sender", (PyCFunction)(void (*)(void))client_sender, METH_VARARGS | METH_KEYWORDS,
     "sender(address=None, *, name=None, presettled=False, window=0, timeout=None) -> Sender\n\n"
     "Attaches a sending link to address (None: the connection string's EntityPath) and waits for the "
     "peer's attach; LinkError (with the peer's condition) when it refuses."},
    {"receiver", (PyCFunction)(void (*)(void))client_receiver, METH_VARARGS | METH_KEYWORDS,
     "receiver(address=None, *, credit=100, settle_mode='first', name=None, timeout=None, settle_timeout=10.0)"
     " -> Receiver\n\nAttaches a receiving link.  credit > 0 keeps that much credit granted automatically; 0 "
     "is manual credit (Receiver.set_credit, Receiver.drain).  settle_mode 'second' waits, at each settle, "
     "for the peer to settle too (at most settle_timeout seconds)."},
    {"close", (PyCFunction)(void (*)(void))client_close, METH_VARARGS | METH_KEYWORDS,
     "close(timeout=10.0)\n\nCloses the connection (waiting at most timeout seconds for the peer) and frees "
     "every sender, receiver and delivery of the client.  Closing twice does nothing."},
    {"interrupt", client_interrupt, METH_NOARGS,
     "interrupt()\n\nMakes the client's current (or next) wait raise Interrupted within about 100 ms.  The one "
     "call any thread may make on a client that another thread is using."},
    {"pump", (PyCFunction)(void (*)(void))client_pump, METH_VARARGS | METH_KEYWORDS,
     "pump(timeout=0)\n\nDoes the I/O that is due (writes pipelined sends and settlements, reads what "
     "arrived, refreshes CBS tokens), waiting at most timeout seconds for something to arrive."},
    {"__enter__", famqp_py_return_self, METH_NOARGS, "Returns the client."},
    {"__exit__", client_exit, METH_VARARGS, "close()"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef client_members[] = {
    {"url", T_OBJECT, offsetof(famqp_py_client, url), READONLY,
     "The URL connected to, without its password (None before the connect)."},
    {"entity_path", T_OBJECT, offsetof(famqp_py_client, entity_path), READONLY,
     "A connection string's EntityPath (the default address of sender() and receiver()), or None."},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef client_getset[] = {
    {"closed", client_get_closed, NULL, "True once close() ran (or the connect failed).", NULL},
    {"reconnects", client_get_reconnects, NULL, "Successful reconnects so far.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject famqp_py_client_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flatamqp.Client",
    .tp_basicsize = sizeof(famqp_py_client),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Client(address, *, user=None, password=None, sasl=None, allow_plain_insecure=False,\n"
              "       tls_ca_file=None, tls_server_name=None, tls_insecure=False, tls_cert_file=None,\n"
              "       tls_key_file=None, connect_timeout=10.0, idle_timeout=None, container_id=None,\n"
              "       max_frame_size=0, sas_key_name=None, sas_key=None, sas_token=None, audience_prefix=None)\n\n"
              "An AMQP 1.0 connection with one session, connected when made (the GIL released while it "
              "connects).  address is a URL, amqp[s]://[user:password@]host[:port], or an Azure connection "
              "string, Endpoint=sb://HOST/;SharedAccessKeyName=...;SharedAccessKey=...[;EntityPath=...] "
              "(CBS with SAS tokens; UseDevelopmentEmulator=true: plain AMQP).  sasl: 'plain' (the default "
              "with a user), 'anonymous' (the default without), 'external', 'none'.  PLAIN over amqp:// "
              "needs allow_plain_insecure=True.  sas_key_name and sas_key (or sas_token) turn on CBS for a "
              "URL too.  Timeouts are in seconds, None for no limit.\n\n"
              "Threads: a client, its senders, receivers and deliveries are used by one thread at a time "
              "(a second thread's call meanwhile raises RuntimeError); separate clients are independent.  "
              "Every wait releases the GIL, so other Python threads run meanwhile.  interrupt() may be "
              "called from any thread.",
    .tp_new = client_new,
    .tp_init = client_init,
    .tp_dealloc = client_dealloc,
    .tp_methods = client_methods,
    .tp_members = client_members,
    .tp_getset = client_getset,
};

int famqp_py_client_init(PyObject *module)
{
    PyTypeObject *types[] = {&famqp_py_client_type, &famqp_py_link_type, &famqp_py_sender_type,
                             &famqp_py_receiver_type, &famqp_py_delivery_type};
    const char *names[] = {"Client", "Link", "Sender", "Receiver", "Delivery"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (PyType_Ready(types[i]) < 0)
            return -1;
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, names[i], (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            return -1;
        }
    }
    return famqp_py_client_errors_init(module);
}

/* The flatamqp Python client's internal API: what client.c (Client and the
 * connection), client_error.c (the exceptions), sender.c (Sender) and
 * receiver.c (Receiver, Delivery) share.  The client is the blocking
 * client of famqp/client.h: every wait runs with the GIL released.
 *
 * Threads: every function here runs with the GIL held.  One call at a time
 * uses a client: famqp_py_client_enter marks the client busy before the
 * GIL is released and famqp_py_client_leave clears it after it is taken
 * back, so a second thread calling into the same client (or its senders,
 * receivers and deliveries) meanwhile gets a RuntimeError instead of
 * racing inside the C client; Client.interrupt is the one call any thread
 * may make at any time.
 *
 * Conventions: functions returning int return 0, or -1 with a Python
 * exception set; those returning PyObject * a new reference or NULL. */
#ifndef FAMQP_PY_CLIENT_H
#define FAMQP_PY_CLIENT_H

#include "famqp_py.h"

#include "famqp/client.h"

/* flatamqp.Client */
typedef struct famqp_py_client {
    PyObject_HEAD
    famqp_client *c;        /* NULL before the connect and after close */
    bool busy;              /* a call on this client is running (its GIL maybe released) */
    bool closing;           /* close is running: interrupt leaves c alone */
    PyObject *entity_path;  /* a connection string's EntityPath, or None */
    PyObject *url;          /* the URL connected to (no password), or None */
} famqp_py_client;

/* Closes a sender or receiver (famqp_sender_close, famqp_receiver_close). */
typedef famqp_client_status (*famqp_py_close_fn)(void *link, int timeout_ms);

/* The start of flatamqp.Sender and flatamqp.Receiver: their base class
 * flatamqp.Link (link.c: close, context manager, address, closed). */
#define FAMQP_PY_LINK_HEAD(member, ctype)                                                                    \
    PyObject_HEAD famqp_py_client *client; /* strong */                                                      \
    union {                                                                                                  \
        void *link;                                                                                          \
        ctype *member; /* NULL once closed */                                                                \
    };                                                                                                       \
    PyObject *address;                                                                                       \
    famqp_py_close_fn close;
typedef struct famqp_py_link {
    FAMQP_PY_LINK_HEAD(any, void)
} famqp_py_link;
typedef struct famqp_py_sender {
    FAMQP_PY_LINK_HEAD(s, famqp_sender)
} famqp_py_sender;
typedef struct famqp_py_receiver {
    FAMQP_PY_LINK_HEAD(r, famqp_receiver)
    int settle_timeout_ms; /* for a settle in rcv-settle-mode second */
} famqp_py_receiver;

extern PyTypeObject famqp_py_link_type;
extern PyTypeObject famqp_py_client_type;
extern PyTypeObject famqp_py_sender_type;
extern PyTypeObject famqp_py_receiver_type;
extern PyTypeObject famqp_py_delivery_type;

/* Adds Client, Sender, Receiver, Delivery and the exceptions to the module. */
int famqp_py_client_init(PyObject *module);
int famqp_py_client_errors_init(PyObject *module);

/* Marks the client busy (0), or -1: closed (AMQPError) or in use by
 * another thread (RuntimeError). */
int famqp_py_client_enter(famqp_py_client *c);
void famqp_py_client_leave(famqp_py_client *c);

/* A timeout argument in seconds (None: no limit) as milliseconds for
 * famqp/client.h (-1: no limit); -1 with ValueError/TypeError set returns
 * false. */
bool famqp_py_timeout_ms(PyObject *o, int *ms);

/* Raises the exception for a failed client call: its class by status
 * (AMQPError and subclasses), with .status, .condition, .description from
 * the client's last error (c may be NULL: msg alone).  Returns NULL. */
PyObject *famqp_py_client_raise(famqp_client_status st, const famqp_client *c, const char *msg);
/* The same from an error a connect filled in (err may be NULL). */
PyObject *famqp_py_client_raise_error(famqp_client_status st, const famqp_client_error *err, const char *msg);
/* flatamqp.MessageRejected for a send whose outcome was not accepted. */
PyObject *famqp_py_raise_outcome(const famqp_outcome *o);
/* The outcome kind's name as a str ("accepted", ...). */
PyObject *famqp_py_outcome_name(famqp_outcome_kind k);

/* Client.sender(...) and Client.receiver(...) */
PyObject *famqp_py_sender_open(famqp_py_client *c, PyObject *args, PyObject *kw);
PyObject *famqp_py_receiver_open(famqp_py_client *c, PyObject *args, PyObject *kw);

/* __enter__ of the client, senders and receivers: the object itself. */
PyObject *famqp_py_return_self(PyObject *op, PyObject *unused);
/* __exit__: close(op) with no arguments; False (exceptions go on). */
PyObject *famqp_py_exit_by_closing(PyObject *op, PyObject *(*close)(PyObject *, PyObject *, PyObject *));

/* A new Sender or Receiver (type t) of c on address, not yet open. */
famqp_py_link *famqp_py_link_new(PyTypeObject *t, famqp_py_client *c, PyObject *address, famqp_py_close_fn close);
/* Marks the link's client busy (0), or -1: the link or client is closed,
 * or the client is in use by another thread. */
int famqp_py_link_enter(famqp_py_link *l);
/* The address a sender or receiver opens: *address, or for None the
 * client's EntityPath; its UTF-8 (NULL with TypeError). */
const char *famqp_py_link_address(famqp_py_client *c, PyObject **address, const char *what);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t famqp_py_now_ms(void);

/* Encodes a Message (or a body alone, as Message(body=x)) into bytes. */
PyObject *famqp_py_encode_for_send(PyObject *msg);

#endif

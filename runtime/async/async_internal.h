/* The asynchronous client's shared state (famqp/async.h): a connection
 * with its URL list and links, private to runtime/async/. */
#ifndef FAMQP_ASYNC_INTERNAL_H
#define FAMQP_ASYNC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/async.h"

/* Where a connection is; the one timer's meaning depends on it. */
typedef enum async_state {
    AS_START,   /* an attempt runs from the timer (at once, or after the backoff) */
    AS_OPENING, /* socket and AMQP open under way; timer: the open deadline */
    AS_OPEN,    /* open; timer idle */
    AS_FAILED,  /* failed for good (CLOSED sent); waits for famqp_async_close */
    AS_CLOSING, /* our close sent; timer: the close deadline */
    AS_DONE     /* closed: the timer frees it */
} async_state;

typedef struct async_target {
    famqp_url url;
    char *user, *password;
    unsigned sasl_mechanisms;
    char shown[320]; /* amqp[s]://[user@]host:port */
} async_target;

enum { ASYNC_SENDER, ASYNC_RECEIVER };

/* What senders and receivers share: the conn's list, the engine link of
 * the current connection (NULL while there is none). */
typedef struct async_link {
    int kind;
    famqp_async_conn *conn;
    char *name, *address;   /* address NULL: a dynamic node */
    famqp_link_options lo;  /* the application's link options (famqp_link_options_copy) */
    void *lo_block;         /* what lo points at */
    famqp_link *link;
    /* Called by links_lost after every link let go of the connection (a
     * requester's sender: its requests in flight are lost). */
    void (*lost_hook)(void *owner);
    void *owner;
    bool closed;  /* closed by the application: freed when the conn is idle */
    bool refused; /* the peer detached it */
    struct async_link *prev, *next;
} async_link;

typedef struct send_entry {
    struct send_entry *next;
    famqp_delivery *d; /* while sent and unsettled on the current connection */
    bool sent;
    famqp_async_outcome_fn *fn;
    void *arg;
    size_t len, cap;
    uint8_t *bytes;
    uint64_t tag;
} send_entry;

struct famqp_async_sender {
    async_link base; /* first: a link's context is either kind */
    bool presettled;
    int64_t max_messages, max_bytes;
    send_entry *head, *tail, *next_unsent; /* held, in send order */
    send_entry *free_list;
    size_t pending, pending_bytes;
    uint64_t next_tag, resent;
    char cond[128];
};

struct famqp_async_delivery {
    famqp_async_receiver *r;
    famqp_delivery *d; /* NULL once its connection was lost */
    bool in_callback;  /* auto-accept: settled after on_message unless done */
    struct famqp_async_delivery *prev, *next; /* the receiver's held or free list */
};

struct famqp_async_receiver {
    async_link base;
    famqp_async_message_fn *fn;
    void *arg;
    uint32_t window;
    bool auto_accept;
    uint32_t credit_left; /* manual credit granted and not used: regranted on reattach */
    uint64_t received;
    famqp_async_delivery *held, *free_list;
};

typedef struct async_cbs async_cbs;

struct famqp_async_conn {
    famqp_loop *loop;
    async_cbs *cbs; /* claims-based security (async_cbs.c); NULL: off */
    uint64_t gen;   /* the connect attempt's number, from 1: what a token was put on */
    famqp_loop_conn *lc; /* the current socket + engine, or NULL */
    famqp_connection *engine;
    famqp_session *session;
    famqp_connection_options copts;
    famqp_io_options iopts;
    char *ca_file, *server_name, *cert_file, *key_file;
    void *copts_block; /* what copts points at (famqp_connection_options_copy) */
    char container_id[128];
    async_target *targets;
    size_t ntargets, cur, lost_from;
    famqp_async_reconnect policy;
    famqp_async_event_fn *on_event;
    void *on_event_arg;
    famqp_loop_timer *timer;
    famqp_loop_timer *kick; /* pre-settled sends: handed over (and reported) from the loop */
    async_state state;
    bool ever_open, remote_open, remote_begin, authenticated, auth_failed;
    uint32_t attempt, backoff;
    uint64_t reconnects;
    unsigned link_counter; /* generated link names: unique with the container id */
    int connect_timeout_ms;
    char cond[128], desc[512], msg[1024]; /* the last failure */
    async_link *links;
    bool close_called; /* famqp_async_close ran: no new links or sends */
    famqp_async_closed_fn *on_closed;
    void *closed_arg;
    struct famqp_async_requester *requesters; /* open requesters (async_request.c) */
    int busy;      /* callbacks running: closed links are freed after */
    bool closed_links; /* some link waits to be freed */
};

/* async_conn.c */
void async_conn_free(famqp_async_conn *c);
void async_conn_enter(famqp_async_conn *c);
void async_conn_leave(famqp_async_conn *c);
void async_conn_flush(famqp_async_conn *c);
void async_conn_kick(famqp_async_conn *c);
void async_link_add(famqp_async_conn *c, async_link *l);
bool async_dup(char **dst, const char *src);
famqp_async_status async_link_open(famqp_async_conn *c, async_link *l, const char *role, const char *name,
                                   const char *address, const famqp_link_options *lo);
famqp_async_status async_link_attach(async_link *l);
void async_link_unlink_free(async_link *l);
void async_link_free_fields(async_link *l);

/* async_targets.c */
famqp_async_status async_refuse(famqp_async_conn *c, famqp_async_status st, const char *fmt, ...);
famqp_async_status async_targets_init(famqp_async_conn *c, const char *url, const famqp_async_options *o);
void async_target_use(famqp_async_conn *c, size_t i);
void async_targets_free(famqp_async_conn *c);

/* async_reconnect.c */
void async_timer_start(famqp_async_conn *c, int ms);
void async_drop_connection(famqp_async_conn *c);
void async_on_timer(famqp_loop_timer *t, void *arg);

/* async_sender.c */
void async_sender_event(famqp_async_sender *s, const famqp_event *e);
void async_sender_pump(famqp_async_sender *s);
void async_sender_lost(famqp_async_sender *s);
void async_sender_fail_all(famqp_async_sender *s, famqp_async_status st);
void async_sender_free(famqp_async_sender *s);

/* Removes the sends the lost connection had transferred (the requester's:
 * they are not sent again), calling their callbacks with st. */
void async_sender_drop_sent(famqp_async_sender *s, famqp_async_status st);

/* async_receiver.c */
famqp_async_status async_receiver_make(famqp_async_conn *c, const char *address, const char *target,
                                       const famqp_async_receiver_options *opts, famqp_async_message_fn *on_message,
                                       void *arg, famqp_async_receiver **out);
void async_receiver_event(famqp_async_receiver *r, const famqp_event *e);
void async_receiver_attached(famqp_async_receiver *r);
void async_receiver_lost(famqp_async_receiver *r);
void async_receiver_free(famqp_async_receiver *r);

/* async_cbs.c */
/* Checks and copies the CBS options (nothing when off); c->targets set.
 * On failure c->msg says why. */
famqp_async_status async_cbs_init(famqp_async_conn *c, const famqp_async_options *opts);
/* Opens the $cbs requester (famqp_async_connect). */
famqp_async_status async_cbs_open(famqp_async_conn *c);
void async_cbs_free(famqp_async_conn *c);
/* May l attach now?  False: its audience's token is being put on this
 * connection (started here when it was not); the put attaches it. */
bool async_cbs_allows(async_link *l);

/* async_request.c */
/* famqp_async_close: every requester of c ends its requests and is freed. */
void async_requesters_close(famqp_async_conn *c);
/* Frees requesters left on a connection being freed (their links are
 * freed with the connection's). */
void async_requesters_free(famqp_async_conn *c);

#endif

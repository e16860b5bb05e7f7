/* Private state of the blocking client (famqp/client.h), shared by the
 * runtime/client/ files. */
#ifndef FAMQP_CLIENT_INTERNAL_H
#define FAMQP_CLIENT_INTERNAL_H

#include "famqp_spec.h"

#include "famqp/client.h"

/* What a link handle is, so engine events can find it (link context). */
typedef enum client_link_kind { CLIENT_SENDER = 1, CLIENT_RECEIVER = 2 } client_link_kind;

typedef struct client_link {
    client_link_kind kind;
    famqp_client *client;
    famqp_link *link;
    bool remote_attached;
    bool remote_detached;
    bool local_closed;
    bool finished;   /* closed both ways: the engine may free the link */
    bool reattaching; /* attached again by the reconnect under way */
    char cond[128];  /* the peer's detach condition */
    char desc[512];
    struct client_link *next; /* the client's list of handles */
    /* How the link was attached, kept (with owned copies of its strings)
     * so a reconnect can attach it again under the same name. */
    char *name;
    famqp_link_options lo;
    char *source, *target;
    uint8_t *filter;
    size_t filter_len;
} client_link;

/* A copy of an unsettled delivery's message, kept while reconnecting is
 * enabled until the peer settles it, so it can be sent again on a new
 * connection. */
typedef struct client_kept {
    famqp_delivery *delivery; /* on the current connection; NULL: not sent there */
    size_t off, len;          /* its bytes in the sender's kept buffer */
    bool done;                /* settled by the peer: dropped at the front */
    bool waited;              /* the delivery a blocking famqp_send waits for */
} client_kept;

struct famqp_sender {
    client_link base;
    uint32_t window;
    bool presettled;
    uint64_t next_tag;
    uint8_t *buf; /* encode scratch, grown as needed (then reused) */
    size_t buf_cap;
    famqp_send_summary sum;
    /* the delivery a blocking famqp_send waits for */
    famqp_delivery *waiting;
    bool waiting_done;
    famqp_outcome waiting_outcome;
    char out_cond[128];
    char out_desc[512];
    /* deliveries we settled after the peer's unsettled outcome (receiver
     * settle mode second), until the peer settles them too */
    famqp_delivery **ours;
    size_t nours, ours_cap;
    /* Reconnect: unsettled deliveries in send order (a ring), their bytes
     * back to back in kbuf[kbuf_head..kbuf_len), and how many of them (from
     * the front) were sent on the current connection. */
    client_kept *kept;
    size_t kept_cap, kept_head, kept_count, resend_pos;
    uint8_t *kbuf;
    size_t kbuf_head, kbuf_len, kbuf_cap;
};

struct famqp_receiver {
    client_link base;
    /* ring of received deliveries not yet handed out */
    famqp_delivery **ring;
    size_t ring_cap, head, count;
    char *address; /* asked for, or the dynamic node's */
    uint32_t credit_window;
    uint32_t regrant; /* manual credit left when the connection was lost */
    uint64_t received; /* deliveries queued so far (counts arrivals during a drain) */
    bool draining;     /* inside famqp_receiver_drain: no automatic credit */
};

struct famqp_client {
    famqp_connection *conn;
    famqp_io *io;
    famqp_session *session;
    bool remote_open;
    bool remote_begin;
    bool remote_closed;
    bool closing;
    bool failed;      /* connection or session gone: every call fails */
    bool authenticated;
    famqp_client_status fail_status;
    famqp_client_error err;
    famqp_client_error fail_err; /* why the connection failed */
    client_link *links;
    uint64_t link_counter;
    char container_id[96];
    /* What connecting needs, kept for reconnects (strings owned). */
    famqp_url url;
    famqp_connection_options copts;
    famqp_io_options iopts;
    char *user, *password, *ca_file, *server_name, *cert_file, *key_file;
    famqp_reconnect_policy policy;
    bool established;  /* the first connect succeeded */
    bool reconnecting; /* inside a reconnect: failures are not retried */
    uint64_t reconnects, resent;
    /* Connections replaced by a reconnect while the application still
     * held received deliveries from them (client_retired.c). */
    famqp_connection **retired;
    size_t nretired, retired_cap;
    /* Output linger (client_output_linger): pending output may wait at
     * most linger_us after the last write.  The clock is read only every
     * linger_countdown calls, a count chosen from the call rate measured
     * between reads, so a flood reads it rarely and a slow sender on
     * every call. */
    uint32_t linger_us;        /* 0: write at every call */
    uint32_t linger_countdown; /* calls left before the next clock read */
    uint32_t linger_countdown_set; /* what it was set to at that read */
    uint32_t linger_calls;     /* calls since the last clock read */
    uint64_t linger_check_us;  /* time of the last clock read */
    uint64_t last_write_us;    /* time of the last write the linger made */
};

/* Records a failure in c->err and returns its status. */
famqp_client_status client_set_error(famqp_client *c, famqp_client_status st, const char *cond,
                                     const char *desc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Handles every pending engine event. */
void client_dispatch(famqp_client *c);
/* Pumps until done(arg) or the deadline (absolute ms; 0 = none).  Returns
 * OK, TIMEOUT, or the connection's failure. */
famqp_client_status client_wait(famqp_client *c, uint64_t deadline, bool (*done)(void *arg), void *arg);
uint64_t client_deadline(int timeout_ms);
/* Pending output this large is written at once, linger or not. */
#define CLIENT_WRITE_BATCH (256u * 1024u)
/* Called by a call that returns to the application after adding output
 * (famqp_send_async, famqp_receive from its queue): writes pending output
 * when the linger expired, when it is large, or (fresh: nothing was
 * pending before this call) when the last write was a linger ago or more,
 * i.e. the socket was idle, so a lone message leaves at once. */
void client_output_linger(famqp_client *c, bool fresh);
/* A pipelined send waited for window or credit (its wait wrote everything
 * pending): a flood resumes, so the linger counts from now and the time
 * spent waiting is not taken for the application's call rate.  Other
 * pumps leave the linger alone, so a lone send after them still counts
 * as one on an idle connection and is written at once. */
void client_output_written(famqp_client *c);
/* The connection failure as the current error (and its status). */
famqp_client_status client_failed(famqp_client *c);
/* Opens a link with the session, registers the handle and waits for the
 * peer's attach; on refusal returns REFUSED (the handle stays registered). */
famqp_client_status client_link_open(famqp_client *c, client_link *h, const char *name, famqp_link_role role,
                                     const famqp_link_options *lo, int timeout_ms);
famqp_client_status client_link_close(client_link *h, int timeout_ms);
void client_link_unregister(client_link *h);
/* Events routed to handles. */
void client_sender_event(famqp_sender *s, const famqp_event *e);
void client_receiver_event(famqp_receiver *r, const famqp_event *e);
void client_receiver_forget(famqp_receiver *r);
/* Automatic credit: grants more once the application took half the window. */
void client_receiver_credit(famqp_receiver *r);
void client_sender_forget(famqp_sender *s);
void client_copy(char *dst, size_t cap, const char *src);
/* A failed connection: reconnects when the policy allows (true: usable
 * again).  Otherwise false and c->failed stays set. */
bool client_recover(famqp_client *c);
/* Reconnect support in client_sender.c: */
bool client_sender_retaining(const famqp_sender *s);
/* The connection is gone: every kept delivery is to be sent again. */
void client_sender_lost(famqp_sender *s);
/* Sends kept deliveries again as credit allows. */
void client_sender_resend(famqp_sender *s);
void client_sender_free(famqp_sender *s);
void client_link_free_options(client_link *h);
/* The session or connection is gone: handles drop their engine links. */
void client_links_lost(famqp_client *c);
/* A connection a reconnect replaced: freed now when the application holds
 * none of its received deliveries, else kept until it settled them. */
void client_retire(famqp_client *c, famqp_connection *conn);
/* Frees the retired connections whose deliveries are all settled. */
void client_retired_sweep(famqp_client *c);

#endif

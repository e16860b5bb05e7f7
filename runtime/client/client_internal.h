/* Private state of the blocking client (famqp/client.h), shared by the
 * runtime/client/ files. */
#ifndef FAMQP_CLIENT_INTERNAL_H
#define FAMQP_CLIENT_INTERNAL_H

#include <stdatomic.h>

#include "famqp_spec.h"

#include "famqp/client.h"
#include "famqp/management.h"

typedef struct client_link client_link;

/* What the connection and the link code ask of a handle of one kind
 * (sender or receiver), so they run every handle alike and only
 * client_sender.c and client_receiver.c know what a kind keeps. */
typedef struct client_link_ops {
    famqp_link_role role;
    /* A delivery or credit event on the handle's link. */
    void (*event)(client_link *h, const famqp_event *e);
    /* The session or connection is gone, h->link still set (NULL when
     * already lost): note what a reconnect is to restore.  Called again by
     * the reconnect. */
    void (*lost)(client_link *h);
    /* The peer detached the link: the engine frees its deliveries with it. */
    void (*forget)(client_link *h);
    /* Attached again by a reconnect (NULL: nothing to restore). */
    void (*reattach)(client_link *h);
    /* Sends again what a reconnect left unsent; called after each dispatch
     * on a working connection (NULL: the kind keeps nothing to send). */
    void (*resend)(client_link *h);
    /* Frees the handle and all it owns (famqp_client_close). */
    void (*free)(client_link *h);
} client_link_ops;

/* A sender's or receiver's link handle: the first member of both, found
 * again from engine events through the link context. */
struct client_link {
    const client_link_ops *ops;
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
    void *lo_block; /* what lo points at (famqp_link_options_copy) */
};

/* One URL of the client's list (position 0: the URL given to connect,
 * then reconnect.failover_urls) with what connecting to it needs
 * (client_failover.c). */
typedef struct client_target {
    famqp_url url;             /* its password is wiped when freed */
    char *user, *password;     /* credentials used with it (owned; NULL: none) */
    unsigned sasl_mechanisms;  /* the connection's sasl_mechanisms with it */
    char shown[1100];          /* the URL without password (famqp_client_url) */
} client_target;

typedef struct client_cbs client_cbs;

struct famqp_client {
    famqp_connection *conn;
    client_cbs *cbs; /* claims-based security (client_cbs.c); NULL: off */
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
    client_target *targets; /* the URLs, in failover order */
    size_t ntargets;
    size_t cur;             /* the one connected to (or being tried) */
    famqp_connection_options copts;
    famqp_io_options iopts;
    char *ca_file, *server_name, *cert_file, *key_file;
    void *copts_block; /* what copts points at (famqp_connection_options_copy) */
    famqp_reconnect_policy policy;
    bool established;  /* the first connect succeeded */
    bool reconnecting; /* inside a reconnect: failures are not retried */
    /* famqp_client_interrupt (any thread, signal handlers): consumed by the
     * wait that reports it (client_interrupted). */
    atomic_int interrupt;
    uint64_t reconnects, resent;
    /* Connections replaced by a reconnect while the application still
     * held received deliveries from them (client_reconnect.c). */
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

/* ---- client_dispatch.c: events, waiting, failures ---- */

/* Records a failure in c->err and returns its status. */
famqp_client_status client_set_error(famqp_client *c, famqp_client_status st, const char *cond,
                                     const char *desc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* The client's status for a failed engine or io call (OOM stays NOMEM,
 * a bad argument ARG). */
famqp_client_status client_engine_status(famqp_engine_status es);
famqp_client_status client_io_status(famqp_io_status is);
/* The connection failure as the current error (and its status). */
famqp_client_status client_failed(famqp_client *c);
void client_copy(char *dst, size_t cap, const char *src);
/* Pumps until done(arg) or the deadline (absolute ms; 0 = none).  Returns
 * OK, TIMEOUT, or the connection's failure. */
famqp_client_status client_wait(famqp_client *c, uint64_t deadline, bool (*done)(void *arg), void *arg);
uint64_t client_deadline(int timeout_ms);

/* ---- client_setup.c: connecting ---- */

/* *dst = a copy of src (NULL stays NULL); false when out of memory. */
bool client_dup(char **dst, const char *src);
/* Creates the engine, connects the socket (TLS), opens the connection and
 * the session and waits for the peer's open and begin (first connect and
 * every reconnect attempt). */
famqp_client_status client_open_connection(famqp_client *c);

/* ---- client_failover.c: the list of URLs ---- */

/* Parses url and opts->reconnect.failover_urls into c->targets with their
 * credentials and SASL mechanisms, checking every one (count, length,
 * syntax, PLAIN without TLS); on failure c->err says which and why. */
famqp_client_status client_targets_init(famqp_client *c, const char *url, const famqp_client_options *opts);
/* Frees the list, wiping its passwords. */
void client_targets_free(famqp_client *c);
/* Makes target i the one the next client_open_connection uses (the
 * connection's hostname and credentials follow it). */
void client_target_use(famqp_client *c, size_t i);
/* Tells the policy's on_reconnect (when set) about a reconnect. */
void client_failover_notify(famqp_client *c, bool reconnected, size_t old_index, const famqp_client_error *lost,
                            uint32_t attempts);

/* ---- client_linger.c: when pipelined output is written ---- */

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

/* ---- client_reconnect.c ---- */

/* A failed connection: reconnects when the policy allows (true: usable
 * again).  Otherwise false and c->failed stays set. */
bool client_recover(famqp_client *c);
/* An interrupt is pending (famqp_client_interrupt): it is consumed and
 * becomes the client's error (ERR_INTERRUPTED).  Never while closing. */
bool client_interrupted(famqp_client *c);
/* Frees the retired connections whose deliveries are all settled. */
void client_retired_sweep(famqp_client *c);

/* ---- client_cbs.c: claims-based security ---- */

/* The options turn CBS on. */
bool client_cbs_wanted(const famqp_client_options *o);
/* Copies the CBS options into c->cbs (nothing when off); c->targets set. */
famqp_client_status client_cbs_init(famqp_client *c, const famqp_client_options *opts);
void client_cbs_free(famqp_client *c);
/* Opens the $cbs requester (after the first connect). */
famqp_client_status client_cbs_open(famqp_client *c);
/* address is the $cbs node (its links are reattached before any other). */
bool client_cbs_address(const char *address);
/* Before a link to address is attached: puts a token for its audience
 * unless one was put; ERR_AUTH when refused. */
famqp_client_status client_cbs_authorize(famqp_client *c, const char *address);
/* Puts new tokens for the audiences due (called by every wait). */
void client_cbs_refresh(famqp_client *c);
/* After a reconnect, the $cbs links reattached: puts every token again. */
famqp_client_status client_cbs_reput(famqp_client *c);

/* ---- client_receiver.c ---- */

/* famqp_receiver_close; release false sends nothing for the deliveries
 * that wait unseen (the detach ends them: a peek-lock broker's locks end
 * with the link, as Microsoft's SDKs leave them). */
famqp_client_status client_receiver_close(famqp_receiver *r, int timeout_ms, bool release);

/* ---- client_request.c ---- */

struct famqp_requester;
/* Frees a requester whose links client_links_free freed already (the
 * client's own $cbs requester, at famqp_client_close). */
void client_requester_drop(struct famqp_requester *r);

/* ---- client_links.c: link handles ---- */

/* A zeroed handle of size bytes (a famqp_sender or famqp_receiver) of the
 * kind ops; NULL (c->err set) when out of memory. */
void *client_link_alloc(famqp_client *c, size_t size, const client_link_ops *ops);
/* Link options naming both termini address (NULL: dynamic), with the
 * application's settle modes and terminus durability. */
void client_link_options(famqp_link_options *lo, const char *address, uint8_t snd_settle_mode,
                         uint8_t rcv_settle_mode, uint32_t durable, const famqp_client_link_options *extra);
/* Opens a link with the session, registers the handle and waits for the
 * peer's attach; on refusal returns REFUSED (the handle stays registered). */
famqp_client_status client_link_open(famqp_client *c, client_link *h, const char *name,
                                     const famqp_link_options *lo, int timeout_ms);
/* Creates h's engine link on the current session and sends its attach. */
famqp_client_status client_link_attach(famqp_client *c, client_link *h, const char *name,
                                       const famqp_link_options *lo);
/* The peer answered h's attach (accepting or refusing it). */
bool client_link_answered(const client_link *h);
/* The peer detached h's link (a refused reattach keeps h's state). */
void client_link_remote_detach(client_link *h, const famqp_event *e);
famqp_client_status client_link_close(client_link *h, int timeout_ms);
/* A timeout from an options struct: 0 is the documented default (10 s),
 * -1 no limit, > 0 milliseconds. */
static inline int attach_timeout(int ms) { return ms ? ms : 10000; }
/* A failed open: detaches without waiting, leaves the client's last error
 * as it is, and frees the handle (so the open can set *out to NULL). */
void client_link_abandon(client_link *h);
void client_link_free_options(client_link *h);
/* The session or connection is gone: handles drop their engine links. */
void client_links_lost(famqp_client *c);
/* Frees every handle (famqp_client_close). */
void client_links_free(famqp_client *c);

#endif

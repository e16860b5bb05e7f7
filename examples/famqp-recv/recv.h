/* famqp-recv: what its two modes share.  famqp-recv.c parses the command
 * line and connects (client API); recv_listen.c listens and answers a
 * connecting sender in the engine's server role; recv_check.c counts and
 * checks the messages of both the same way. */
#ifndef FAMQP_RECV_H
#define FAMQP_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/servicebus.h"

/* Counting and --check-sequence: famqp-send puts each message's sequence
 * number 0..N-1 in the first 8 bytes of its data body (big-endian). */
typedef struct recv_check {
    uint64_t count;    /* N: messages wanted */
    bool check;        /* --check-sequence */
    uint8_t *seen;     /* at-least-once check: one bit per number; NULL: in order, once each */
    uint64_t received; /* messages handed to recv_check_message */
    uint64_t expected; /* in-order check: the next number */
    uint64_t lost, duplicates, malformed, distinct;
} recv_check;

/* at_least_once (with check): duplicates are counted, not errors, and all
 * of 0..N-1 must arrive at least once.  False when out of memory. */
bool recv_check_init(recv_check *k, uint64_t count, bool check, bool at_least_once);
/* One message: the encoded sections of a delivery. */
void recv_check_message(recv_check *k, const uint8_t *msg, size_t len);
/* True once enough arrived: N messages, or (at-least-once) N distinct. */
bool recv_check_done(const recv_check *k);
/* Prints what the check found wrong to stderr; returns rc, or 1 when the
 * check failed.  rc != 0 means the run was already cut short. */
int recv_check_finish(recv_check *k, int rc);
void recv_check_free(recv_check *k);
/* The final line: "received N messages in S s: R msg/s" (us: the time
 * from the first message to the last; the rate is never 0 for a fast run). */
void recv_print_rate(uint64_t received, uint64_t us);

/* The listen mode's options (--listen HOST:PORT ADDRESS ...). */
typedef struct recv_listen_options {
    const char *listen_at; /* HOST:PORT; port 0 picks a free one */
    const char *address;   /* the only target accepted */
    uint64_t count;
    uint32_t credit;
    bool check;
    int timeout_ms;        /* give up when nothing happens for this long */
} recv_listen_options;

/* Runs the listen mode to the end; returns the exit status. */
int recv_listen(const recv_listen_options *o);

/* Service Bus receiving (recv_servicebus.c): --peek-lock, --settle,
 * --session, --next-session. */
typedef struct recv_sb {
    bool on;           /* any of them given: the receiver is a famqp_sb_receiver */
    bool peek_lock;
    bool settle_given;
    famqp_sb_settlement settle; /* default complete */
    const char *session_id;
    bool next_session;
    famqp_sb_receiver *r;
} recv_sb;

#define RECV_SB_HELP \
    "  --peek-lock      Service Bus peek-lock: each message stays locked until settled\n" \
    "                   as --settle says (without it, with --session/--next-session:\n" \
    "                   receive-and-delete)\n" \
    "  --settle complete|abandon|dead-letter|defer\n" \
    "                   how --peek-lock settles each message (default complete), waiting\n" \
    "                   for the broker to confirm\n" \
    "  --session ID     receive from Service Bus session ID (com.microsoft:session-filter)\n" \
    "  --next-session   receive from whichever session the broker grants (printed on\n" \
    "                   stderr)\n"

/* One of the options above in a: 1 taken, 2 taken with its value v, 0 not
 * one of them, -1 a usage error (printed). */
int recv_sb_arg(recv_sb *s, const char *a, const char *v);
/* The options agree with each other (else prints why). */
bool recv_sb_check(const recv_sb *s);
/* Opens the Service Bus receiver; *out its client receiver. */
famqp_client_status recv_sb_open(recv_sb *s, famqp_client *c, const char *address, uint32_t credit,
                                 int timeout_ms, famqp_receiver **out);
/* Settles d as --settle says: 0, or 1 after printing why not. */
int recv_sb_settle(recv_sb *s, famqp_client *c, famqp_delivery *d, int timeout_ms);
/* Closes r (the Service Bus receiver when s->on). */
famqp_client_status recv_sb_close(recv_sb *s, famqp_receiver *r, int timeout_ms);

#endif

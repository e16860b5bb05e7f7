/* famqp-recv: what its two modes share.  famqp-recv.c parses the command
 * line and connects (client API); recv_listen.c listens and answers a
 * connecting sender in the engine's server role; recv_check.c counts and
 * checks the messages of both the same way. */
#ifndef FAMQP_RECV_H
#define FAMQP_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif

/* What the reconnect and failover suites share: famqp-broker processes
 * (FAMQP_BROKER) started and killed by PID, numbered messages, and a
 * receiver thread that counts what arrived. */
#ifndef FAMQP_TEST_RECONNECT_SUPPORT_H
#define FAMQP_TEST_RECONNECT_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "famqp/client.h"

typedef struct broker_proc {
    pid_t pid; /* 0 once killed */
    unsigned port;
} broker_proc;

/* Starts famqp-broker on 127.0.0.1:port (0: a free one) with up to four
 * extra arguments (the first NULL ends them), and reads the port from its
 * "listening on" line.  The broker dies with the test process. */
void broker_start(broker_proc *b, unsigned port, const char *a1, const char *a2, const char *a3, const char *a4);
/* SIGKILL and reap (nothing when already killed). */
void broker_kill(broker_proc *b);
void sleep_ms(long ms);

/* A message whose data body is n in 8 big-endian bytes: sent with
 * famqp_send (blocking: its outcome must be accepted) or famqp_send_async. */
famqp_client_status send_seq(famqp_sender *s, uint64_t n, bool blocking);

/* The number in a send_seq message; UINT64_MAX for anything else. */
uint64_t seq_or_max(const famqp_delivery *d);

enum { RECV_JOB_MAX = 3000 };

/* A receiver thread's job (receive_all): takes messages 0..want-1 and
 * accepts each; counts the distinct ones, all, and any outside the range. */
typedef struct recv_job {
    famqp_client *c;
    famqp_receiver *r;
    uint64_t want; /* at most RECV_JOB_MAX */
    uint8_t seen[RECV_JOB_MAX];
    uint64_t distinct, received, bad;
    famqp_client_status status;
    char why[1024];
} recv_job;

/* pthread start routine: runs a recv_job until want distinct messages
 * arrived or a receive failed (status and why say how). */
void *receive_all(void *job);

#endif

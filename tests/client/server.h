/* A small AMQP server for client tests: the engine's server role over a
 * loopback listener (io.h), run in a thread.  Behaviour is chosen by the
 * address a client attaches to:
 *   "missing"  attach refused: no terminus, then detach amqp:not-found
 *   "silent"   attach never answered
 *   "reject"   deliveries rejected (amqp:precondition-failed)
 *   "release"  deliveries released
 *   "kill"     the first delivery makes the server close the connection
 *              with amqp:connection:forced
 *   "src"      (client receiver) SERVER_SOURCE_COUNT numbered messages
 *   "stall"    attach and credit are answered, then the server reads
 *              nothing more until it is stopped (a peer that applies TCP
 *              back-pressure for ever)
 *   anything else: deliveries accepted and counted
 * PLAIN is offered with user "user" / password "secret", and ANONYMOUS. */
#ifndef FAMQP_TEST_CLIENT_SERVER_H
#define FAMQP_TEST_CLIENT_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "famqp/io.h"

#define SERVER_SOURCE_COUNT 5

typedef struct test_server {
    famqp_listener *listener;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    atomic_ulong accepted; /* deliveries the server accepted */
    atomic_ulong connections;
    atomic_bool stall_requested; /* a link attached to "stall" */
    atomic_bool stalled;         /* ... and the server stopped reading */
    bool stopped;                /* test_server_stop ran (it may run twice) */
} test_server;

/* Starts listening on 127.0.0.1 (a free port) and the thread. */
void test_server_start(test_server *s);
/* Stops the thread (bounded: it polls the stop flag every 50 ms). */
void test_server_stop(test_server *s);

#endif

/* A small AMQP server on the socket driver, run in a thread by the io
 * tests: answers opens/begins/attaches, grants credit, accepts messages
 * and checks that their first 4 bytes count 0, 1, 2, ... per link. */
#ifndef FAMQP_TEST_IO_SERVER_H
#define FAMQP_TEST_IO_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "famqp/io.h"

typedef struct io_test_server {
    famqp_listener *listener;
    pthread_t thread;
    atomic_int stop;
    /* results (read after io_test_server_stop) */
    atomic_long received;
    atomic_long out_of_order;
    atomic_long bytes;
    atomic_int accepted_connections;
    atomic_int closed_connections;
    char last_error[512]; /* last io or engine error seen by the server */
} io_test_server;

/* Starts listening on 127.0.0.1:0 (TLS when cert/key given) and runs the
 * loop in a thread; false (with the reason in last_error) on failure. */
bool io_test_server_start(io_test_server *s, const char *cert, const char *key);
void io_test_server_stop(io_test_server *s);

/* Message body whose first 4 bytes are seq (big-endian), padded to len. */
size_t io_test_body(uint8_t *buf, size_t len, uint32_t seq);

#endif

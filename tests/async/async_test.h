/* Shared helpers of the async client suites: famqp-broker started on
 * 127.0.0.1 (port 0, or a given one) and stopped by PID, a loop run until
 * a condition holds or a deadline passes, and numbered messages. */
#ifndef ASYNC_TEST_H
#define ASYNC_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <famqp/async.h>

#include "famqp_test_assert.h"

typedef struct test_broker {
    pid_t pid;
    uint16_t port;
    char out[256]; /* its stdout, where "listening on" appears */
} test_broker;

/* Starts $FAMQP_BROKER --listen 127.0.0.1:PORT ARGS... (NULL-terminated
 * extra arguments); fails the test when it does not listen within 10 s.
 * The broker dies with the test process (PR_SET_PDEATHSIG). */
void broker_start(test_broker *b, uint16_t port, const char *const *args);
/* SIGKILL (hard) or SIGTERM, then waits for it. */
void broker_stop(test_broker *b, bool hard);

/* Runs the loop until done(arg) or timeout_ms; true when done. */
bool run_until(famqp_loop *loop, bool (*done)(void *), void *arg, int timeout_ms);
/* Runs the loop for about ms. */
void run_for(famqp_loop *loop, int ms);

/* A message whose body is one data section holding seq (4 bytes). */
void numbered(famqp_message *m, uint32_t *storage, uint32_t seq);
/* The number of a delivery made by numbered(), or UINT32_MAX. */
uint32_t number_of(famqp_async_delivery *d);

/* The URL of a broker (amqp://127.0.0.1:PORT). */
void broker_url(char *out, size_t cap, const test_broker *b);

Suite *async_basic_suite(void);
Suite *async_errors_suite(void);
Suite *async_reconnect_suite(void);
Suite *async_threads_suite(void);
Suite *async_request_suite(void);

#endif

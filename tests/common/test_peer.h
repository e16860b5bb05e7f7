/* The AMQP side of the small peers the event-loop tests run (tests/loop,
 * tests/uv): what a server answers to each engine event, and how a client
 * builds its sender and sends numbered messages.  Independent of the
 * driver (famqp_loop, libuv), which each suite supplies. */
#ifndef FAMQP_TEST_PEER_H
#define FAMQP_TEST_PEER_H

#include <stdbool.h>
#include <stddef.h>

#include "famqp/engine.h"

/* Server: opens what the client opens, answers every attach (credit window
 * 200), accepts every message (counted in *received), closes what the
 * client closes. */
void test_peer_serve(const famqp_event *e, size_t *received);

/* Server connection options: SASL ANONYMOUS offered, idle timeout. */
void test_peer_server_options(famqp_connection_options *o, uint32_t idle_timeout_ms);

/* Client: a connection (SASL ANONYMOUS, idle timeout), opened, with a
 * session and a sender to target_address, opened; returns the sender. */
famqp_link *test_peer_client(const char *target_address, uint32_t idle_timeout_ms, famqp_connection **out);

/* Sends on sender while it has credit and *sent < allowed: message i is
 * "message i", or body_size bytes of one letter when body_size > 0. */
void test_peer_send(famqp_link *sender, size_t *sent, size_t allowed, size_t body_size);

/* A delivery-updated event for one of the client's messages: counts an
 * accepted outcome in *accepted and settles. */
void test_peer_outcome(const famqp_event *e, size_t *accepted);

#endif

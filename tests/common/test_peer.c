/* See test_peer.h. */
#include "test_peer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/message.h"

void test_peer_serve(const famqp_event *e, size_t *received)
{
    switch (e->type) {
    case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(e->connection); break;
    case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE: famqp_connection_close(e->connection, NULL, NULL); break;
    case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
    case FAMQP_EVENT_SESSION_REMOTE_END: famqp_session_close(e->session, NULL, NULL); break;
    case FAMQP_EVENT_LINK_REMOTE_ATTACH: {
        famqp_link_options o;
        famqp_link_options_init(&o);
        o.target_address = famqp_link_remote_target_address(e->link);
        o.credit_window = 200;
        famqp_link_set_options(e->link, &o);
        famqp_link_open(e->link);
        break;
    }
    case FAMQP_EVENT_LINK_REMOTE_DETACH: famqp_link_close(e->link, NULL, NULL); break;
    case FAMQP_EVENT_DELIVERY:
        (*received)++;
        famqp_delivery_accept(e->delivery);
        break;
    default: break;
    }
}

void test_peer_server_options(famqp_connection_options *o, uint32_t idle_timeout_ms)
{
    famqp_connection_options_init(o);
    o->role = FAMQP_CONNECTION_SERVER;
    o->sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    o->idle_timeout_ms = idle_timeout_ms;
}

famqp_link *test_peer_client(const char *target_address, uint32_t idle_timeout_ms, famqp_connection **out)
{
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    o.idle_timeout_ms = idle_timeout_ms;
    famqp_connection *conn;
    ck_assert_int_eq(famqp_connection_new(&o, &conn), FAMQP_ENGINE_OK);
    famqp_connection_open(conn);
    famqp_session *s;
    ck_assert_int_eq(famqp_session_new(conn, &s), FAMQP_ENGINE_OK);
    famqp_session_open(s);
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.target_address = target_address;
    famqp_link *sender;
    ck_assert_int_eq(famqp_link_new(s, "test-sender", FAMQP_LINK_SENDER, &lo, &sender), FAMQP_ENGINE_OK);
    famqp_link_open(sender);
    *out = conn;
    return sender;
}

void test_peer_send(famqp_link *sender, size_t *sent, size_t allowed, size_t body_size)
{
    while (*sent < allowed && famqp_link_credit(sender) > 0) {
        char small[64];
        char *body = body_size ? malloc(body_size) : small;
        ck_assert_ptr_nonnull(body);
        size_t n = body_size ? body_size : (size_t)snprintf(small, sizeof small, "message %zu", *sent);
        if (body_size)
            memset(body, 'a' + (int)(*sent % 26), n);
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, body, n);
        size_t cap = n + 64;
        uint8_t *bytes = malloc(cap);
        ck_assert_ptr_nonnull(bytes);
        size_t len = famqp_message_encode(bytes, cap, &m);
        ck_assert_int_eq(famqp_link_send(sender, famqp_binary_of(sent, sizeof *sent), bytes, len, false, NULL),
                         FAMQP_ENGINE_OK);
        free(bytes);
        if (body != small)
            free(body);
        (*sent)++;
    }
}

void test_peer_outcome(const famqp_event *e, size_t *accepted)
{
    if (famqp_delivery_remote_state(e->delivery).kind == FAMQP_OUTCOME_ACCEPTED)
        (*accepted)++;
    famqp_delivery_settle(e->delivery);
}

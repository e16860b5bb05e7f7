/* The io tests' threaded server (see io_test_server.h). */
#include "io_test_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNS 16

typedef struct conn_slot {
    famqp_io *io;
    famqp_connection *conn;
    uint32_t next_seq; /* the tests' clients use one sender per connection */
} conn_slot;

size_t io_test_body(uint8_t *buf, size_t len, uint32_t seq)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7u + seq);
    if (len >= 4) {
        buf[0] = (uint8_t)(seq >> 24);
        buf[1] = (uint8_t)(seq >> 16);
        buf[2] = (uint8_t)(seq >> 8);
        buf[3] = (uint8_t)seq;
    }
    return len;
}

static void handle_events(io_test_server *s, conn_slot *sl)
{
    famqp_connection *c = sl->conn;
    const famqp_event *e;
    while ((e = famqp_connection_next_event(c))) {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(c); break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE: famqp_connection_close(c, NULL, NULL); break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
        case FAMQP_EVENT_SESSION_REMOTE_END: famqp_session_close(e->session, NULL, NULL); break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: {
            famqp_link_options o;
            famqp_link_options_init(&o);
            o.credit_window = 200;
            famqp_link_set_options(e->link, &o);
            famqp_link_open(e->link);
            break;
        }
        case FAMQP_EVENT_LINK_REMOTE_DETACH: famqp_link_close(e->link, NULL, NULL); break;
        case FAMQP_EVENT_DELIVERY: {
            famqp_binary m = famqp_delivery_message(e->delivery);
            uint32_t seq = m.len >= 4 ? (uint32_t)m.ptr[0] << 24 | (uint32_t)m.ptr[1] << 16 |
                                            (uint32_t)m.ptr[2] << 8 | m.ptr[3]
                                      : UINT32_MAX;
            if (seq != sl->next_seq)
                s->out_of_order++;
            else
                sl->next_seq++;
            s->received++;
            s->bytes += (long)m.len;
            famqp_delivery_accept(e->delivery);
            break;
        }
        case FAMQP_EVENT_CONNECTION_ERROR:
            snprintf(s->last_error, sizeof s->last_error, "%s: %s", e->condition.name ? e->condition.name : "?",
                     e->condition.description ? e->condition.description : "");
            break;
        default: break;
        }
    }
}

static void *server_main(void *arg)
{
    io_test_server *s = arg;
    conn_slot slots[MAX_CONNS];
    famqp_io *ios[MAX_CONNS];
    size_t n = 0;
    while (!s->stop) {
        for (size_t i = 0; i < n; i++)
            ios[i] = slots[i].io;
        famqp_io_wait(ios, n, &s->listener, 1, 20);
        if (famqp_listener_ready(s->listener) && n < MAX_CONNS) {
            famqp_io *io;
            famqp_io_error err;
            famqp_io_status st = famqp_listener_accept(s->listener, &io, &err);
            if (st == FAMQP_IO_OK) {
                slots[n].io = io;
                slots[n].conn = NULL;
                slots[n].next_seq = 0;
                n++;
                s->accepted_connections++;
            } else if (st == FAMQP_IO_ERR_FAILED) {
                snprintf(s->last_error, sizeof s->last_error, "%s", err.message);
            }
        }
        for (size_t i = 0; i < n;) {
            conn_slot *sl = &slots[i];
            uint8_t hdr[8];
            if (!sl->conn && famqp_io_peek_header(sl->io, hdr)) {
                famqp_connection_options o;
                famqp_connection_options_init(&o);
                o.role = FAMQP_CONNECTION_SERVER;
                o.container_id = "io-test-server";
                /* Offer SASL only when the client asked for it. */
                o.sasl_mechanisms = memcmp(hdr, "AMQP\3", 5) == 0 ? FAMQP_SASL_ANONYMOUS : 0;
                famqp_connection_new(&o, &sl->conn);
                famqp_io_set_connection(sl->io, sl->conn);
            }
            if (sl->conn)
                handle_events(s, sl);
            if (famqp_io_state(sl->io) == FAMQP_IO_ERR_FAILED)
                snprintf(s->last_error, sizeof s->last_error, "%s", famqp_io_error_message(sl->io));
            if (famqp_io_done(sl->io)) {
                famqp_io_free(sl->io);
                famqp_connection_free(sl->conn);
                s->closed_connections++;
                slots[i] = slots[--n];
                continue;
            }
            i++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        famqp_io_free(slots[i].io);
        famqp_connection_free(slots[i].conn);
    }
    return NULL;
}

bool io_test_server_start(io_test_server *s, const char *cert, const char *key)
{
    memset(s, 0, sizeof *s);
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    lo.tls_cert_file = cert;
    lo.tls_key_file = key;
    famqp_io_error err;
    s->listener = famqp_listener_open("127.0.0.1", 0, &lo, &err);
    if (!s->listener) {
        snprintf(s->last_error, sizeof s->last_error, "%s", err.message);
        return false;
    }
    if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
        famqp_listener_close(s->listener);
        snprintf(s->last_error, sizeof s->last_error, "pthread_create failed");
        return false;
    }
    return true;
}

void io_test_server_stop(io_test_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    famqp_listener_close(s->listener);
    s->listener = NULL;
}

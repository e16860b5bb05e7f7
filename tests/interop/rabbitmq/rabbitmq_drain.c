/* The drain cell: with 3 messages queued, a receiver grants 10 credits
 * with drain=true; RabbitMQ must send the 3 messages and then a flow that
 * uses up the other 7 (credit 0, delivery-count advanced by 10).  The
 * blocking client has no drain call, so this cell drives the engine
 * (engine.h) and the socket driver (io.h) directly. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "famqp/client.h"
#include "rabbitmq_cells.h"

static int fill_queue(const char *url, const char *queue, unsigned n)
{
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_sender *s;
    if (famqp_sender_open(c, queue, NULL, &s) != FAMQP_CLIENT_OK)
        return failf("attach sender: %s", last(c));
    uint8_t buf[512];
    for (unsigned i = 0; i < n; i++) {
        famqp_outcome o;
        size_t len = encode_numbered(i, buf, sizeof buf);
        if (famqp_send_bytes(s, buf, len, CELL_TIMEOUT_MS, &o) != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED)
            return failf("send %u: %s", i, last(c));
    }
    famqp_client_close(c, CELL_TIMEOUT_MS);
    return 0;
}

int cell_drain(const char *url, const char *queue)
{
    enum { QUEUED = 3, CREDIT = 10 };
    if (fill_queue(url, queue, QUEUED))
        return 1;
    famqp_url u;
    famqp_io_error ierr;
    if (!famqp_url_parse(url, &u, &ierr))
        return failf("%s", ierr.message);
    famqp_connection_options co;
    famqp_connection_options_init(&co);
    co.hostname = u.host;
    co.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    famqp_connection *conn = famqp_connection_new(&co);
    if (!conn)
        return failf("famqp_connection_new");
    famqp_io *io = famqp_io_connect(&u, NULL, conn, &ierr);
    if (!io)
        return failf("connect: %s", ierr.message);
    famqp_connection_open(conn);
    famqp_session *ss = famqp_session_new(conn);
    famqp_session_open(ss);
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.source_address = queue;
    lo.credit_window = 0;
    famqp_link *l = famqp_link_new(ss, "famqp-drain-test", FAMQP_LINK_RECEIVER, &lo);
    if (!l || famqp_link_open(l) != FAMQP_ENGINE_OK)
        return failf("link");

    bool attached = false, drain_sent = false, drained = false;
    uint32_t count_at_drain = 0, received = 0;
    int rc = 0;
    uint64_t deadline = famqp_io_now_ms() + CELL_TIMEOUT_MS;
    while (rc == 0 && !drained) {
        const famqp_event *e;
        while ((e = famqp_connection_next_event(conn)) != NULL) {
            if (e->type == FAMQP_EVENT_CONNECTION_ERROR || e->type == FAMQP_EVENT_CONNECTION_REMOTE_CLOSE ||
                e->type == FAMQP_EVENT_SESSION_REMOTE_END || e->type == FAMQP_EVENT_LINK_REMOTE_DETACH) {
                rc = failf("%s: %s %s", famqp_event_type_name(e->type), e->condition.name ? e->condition.name : "",
                           e->condition.description ? e->condition.description : "");
            } else if (e->type == FAMQP_EVENT_LINK_REMOTE_ATTACH) {
                attached = true;
            } else if (e->type == FAMQP_EVENT_DELIVERY) {
                received++;
                famqp_delivery_accept(e->delivery);
            }
        }
        /* Drained: no credit left and delivery-count advanced by all of it.
         * Checked after every batch rather than on the flow event because
         * RabbitMQ (quorum queue) sends the drain-ending flow BEFORE the
         * transfers that used the credit (see README.md). */
        if (drain_sent && famqp_link_credit(l) == 0 && famqp_link_delivery_count(l) - count_at_drain == CREDIT)
            drained = true;
        if (attached && !drain_sent) {
            count_at_drain = famqp_link_delivery_count(l);
            if (famqp_link_drain(l, CREDIT) != FAMQP_ENGINE_OK)
                rc = failf("famqp_link_drain");
            drain_sent = true;
        }
        if (rc || drained)
            break;
        int left = famqp_io_ms_until(deadline);
        if (left == 0) {
            rc = failf("drain did not complete within %d ms (received %" PRIu32 ", credit %" PRIu32 ")",
                       CELL_TIMEOUT_MS, received, famqp_link_credit(l));
            break;
        }
        if (famqp_io_pump(io, left) != FAMQP_IO_OK)
            rc = failf("socket: %s", famqp_io_error_message(io));
    }
    /* Anything arriving after the drain completed would be a flow-control
     * violation: listen a little longer. */
    uint64_t quiet = famqp_io_now_ms() + 300;
    while (rc == 0 && famqp_io_ms_until(quiet) > 0) {
        if (famqp_io_pump(io, famqp_io_ms_until(quiet)) != FAMQP_IO_OK)
            rc = failf("socket: %s", famqp_io_error_message(io));
        const famqp_event *e;
        while ((e = famqp_connection_next_event(conn)) != NULL)
            if (e->type == FAMQP_EVENT_DELIVERY) {
                received++;
                famqp_delivery_accept(e->delivery);
            }
    }
    uint32_t advanced = famqp_link_delivery_count(l) - count_at_drain;
    if (rc == 0 && received != QUEUED)
        rc = failf("drain delivered %" PRIu32 " messages, %d were queued", received, QUEUED);
    if (rc == 0 && advanced != CREDIT)
        rc = failf("delivery-count advanced by %" PRIu32 " after the drain, expected %d", advanced, CREDIT);
    if (rc == 0)
        printf("drain with credit %d and %d messages queued: %" PRIu32 " delivered, then credit 0 and "
               "delivery-count +%" PRIu32 " (the rest given back)\n",
               CREDIT, QUEUED, received, advanced);
    famqp_connection_close(conn, NULL, NULL);
    uint64_t close_deadline = famqp_io_now_ms() + 2000;
    while (!famqp_connection_finished(conn) && famqp_io_ms_until(close_deadline) > 0) {
        while (famqp_connection_next_event(conn) != NULL) {
        }
        if (famqp_io_pump(io, famqp_io_ms_until(close_deadline)) != FAMQP_IO_OK)
            break;
    }
    famqp_io_free(io);
    famqp_connection_free(conn);
    return rc;
}

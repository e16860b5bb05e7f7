/* The drain cell: with 3 messages queued, a receiver grants 10 credits
 * with drain=true (famqp_receiver_drain); RabbitMQ must send the 3
 * messages and then a flow that uses up the other 7 (credit 0,
 * delivery-count advanced by 10).  RabbitMQ's quorum queues send that flow
 * BEFORE the transfers (README.md, quirk 3): the client counts the drain
 * complete only when the engine's credit reaches 0, i.e. after them. */
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
    famqp_client *c = connect_or_null(url, 0);
    if (!c)
        return 1;
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 0; /* manual credit: nothing flows before the drain */
    ro.name = "famqp-drain-test";
    famqp_receiver *r;
    int rc = 0;
    size_t arrived = 0;
    if (famqp_receiver_open(c, queue, &ro, &r) != FAMQP_CLIENT_OK)
        rc = failf("attach receiver: %s", last(c));
    else if (famqp_receiver_drain(r, CREDIT, CELL_TIMEOUT_MS, &arrived) != FAMQP_CLIENT_OK)
        rc = failf("drain (credit %d, %zu arrived): %s", CREDIT, arrived, last(c));
    famqp_link *link = NULL;
    size_t received = 0;
    for (famqp_delivery *d; rc == 0 && famqp_receiver_queued(r) > 0; received++) {
        if (famqp_receive(r, 0, &d) != FAMQP_CLIENT_OK) {
            rc = failf("receive %zu: %s", received, last(c));
            break;
        }
        link = famqp_delivery_link(d);
        famqp_delivery_accept(d);
    }
    /* Anything arriving after the drain completed would be a flow-control
     * violation: listen a little longer (this also lets the broker settle
     * the accepted messages before the connection closes). */
    for (uint64_t quiet = famqp_io_now_ms() + 300; rc == 0 && famqp_io_ms_until(quiet) > 0;)
        if (famqp_client_pump(c, famqp_io_ms_until(quiet)) != FAMQP_CLIENT_OK)
            rc = failf("after the drain: %s", last(c));
    if (rc == 0)
        received += famqp_receiver_queued(r);
    /* delivery-count started at 0 (new link): it must have moved by all the credit. */
    uint32_t advanced = link ? famqp_link_delivery_count(link) : 0;
    if (rc == 0 && (arrived != QUEUED || received != QUEUED))
        rc = failf("drain delivered %zu messages (%zu by the end of the drain), %d were queued", received, arrived,
                   QUEUED);
    if (rc == 0 && advanced != CREDIT)
        rc = failf("delivery-count advanced by %" PRIu32 " after the drain, expected %d", advanced, CREDIT);
    if (rc == 0 && famqp_link_credit(link) != 0)
        rc = failf("credit %" PRIu32 " left after the drain", famqp_link_credit(link));
    if (rc == 0)
        printf("drain with credit %d and %d messages queued: %zu delivered, then credit 0 and "
               "delivery-count +%" PRIu32 " (the rest given back)\n",
               CREDIT, QUEUED, received, advanced);
    famqp_client_close(c, 2000);
    return rc;
}

/* famqp-broker: consumers that have link credit but cannot take a message
 * now (the engine's max_unsettled_per_link reached: famqp_link_send says
 * FAMQP_ENGINE_ERR_LIMIT; one refused because its connection's output is
 * over the engine's max_output_bytes is not stalled here: it waits for the
 * engine's LINK_CREDIT once its output drained).  Such a consumer reports no credit, so
 * queue_dispatch passes over it and its round-robin turn goes to the
 * others; an outcome from it makes it try again.  With
 * --detach-stalled-after MS, one stalled that long is detached with
 * amqp:resource-limit-exceeded (its messages go back to the queue).  All
 * on the consumer's own worker. */
#include <inttypes.h>
#include <stdio.h>

#include "broker.h"

void stall_note(worker *w, consumer *c, size_t sent, famqp_engine_status st)
{
    /* Its connection's output over max_output_bytes (a peer not reading):
     * not stalled here; the engine's LINK_CREDIT once it drained has
     * consumer_flush report its credit again. */
    if (st == FAMQP_ENGINE_ERR_LIMIT && famqp_connection_output_blocked(c->client->conn))
        st = FAMQP_ENGINE_OK;
    if (st == FAMQP_ENGINE_ERR_LIMIT) {
        if (!c->stalled || sent) { /* it took some: stalled from now */
            c->stalled = true;
            c->stalled_since_ms = famqp_loop_now_ms(w->loop);
        }
    } else if (sent) {
        c->stalled = false;
    }
    /* Nothing sent and nothing refused (e.g. a flow with an empty outbox):
     * as it was. */
}

void stall_on_outcome(worker *w, consumer *c)
{
    if (!c->stalled)
        return;
    /* Room for one more, at least: consumer_flush reports its credit
     * (stalled again if the next send still fails). */
    c->stalled = false;
    consumer_flush(w, c);
    worker_process(w, false);
}

/* Detaches w's consumers stalled for --detach-stalled-after or longer. */
static void check_stalled(worker *w)
{
    uint64_t limit = w->b->cfg.detach_stalled_ms;
    uint64_t now = famqp_loop_now_ms(w->loop);
    for (size_t i = w->nclients; i-- > 0;) {
        client *cl = w->clients[i];
        /* Backwards: a detached consumer's place takes the last one's. */
        for (size_t j = cl->nconsumers; j-- > 0;) {
            consumer *c = cl->consumers[j];
            if (!c->stalled || now - c->stalled_since_ms < limit)
                continue;
            char desc[200];
            snprintf(desc, sizeof desc,
                     "consumer stalled for %" PRIu64 " ms at its unsettled limit without settling "
                     "(famqp-broker --detach-stalled-after %" PRIu64 ")",
                     now - c->stalled_since_ms, limit);
            fprintf(stderr, "famqp-broker: %s: detached a %s\n", famqp_io_peer(cl->io), desc);
            client_close_link(cl, c->link, "amqp:resource-limit-exceeded", desc);
        }
    }
}

/* Checks four times per --detach-stalled-after, 10 ms to 1 s apart. */
static uint64_t check_every(const worker *w)
{
    uint64_t every = w->b->cfg.detach_stalled_ms / 4;
    return every < 10 ? 10 : every > 1000 ? 1000 : every;
}

static void on_stall_tick(famqp_loop_timer *t, void *arg)
{
    worker *w = arg;
    check_stalled(w);
    famqp_loop_timer_start(t, check_every(w)); /* on failure: no more detaches */
}

famqp_loop_status stall_init(worker *w)
{
    if (!w->b->cfg.detach_stalled_ms)
        return FAMQP_LOOP_OK;
    famqp_loop_status st = famqp_loop_timer_new(w->loop, on_stall_tick, w, &w->stall_timer);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_start(w->stall_timer, check_every(w));
    return st;
}

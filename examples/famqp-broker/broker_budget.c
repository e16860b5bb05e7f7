/* famqp-broker: credit to producers by bytes.  Messages held (from
 * pool_get to pool_put: queued, in outboxes, in flight) count against
 * --max-memory; those queued count against their queue's
 * --max-queue-bytes.  A producer gets credit for as many messages of the
 * largest size it has sent as fit in what is left, shared among the
 * producers (the broker's, and the queue's), so their outstanding credit
 * together stays within it; until its first message its size is unknown
 * and it gets one.  Nothing accepted is dropped: at the budget producers
 * get no credit (back-pressure) until consumers take messages.  A
 * producer may exceed the budget only by sending messages larger than
 * its earlier ones (at most its credit of them). */
#define _POSIX_C_SOURCE 200809L

#include <unistd.h>

#include "broker.h"

uint32_t budget_credit(broker *b, producer *p, uint32_t want, bool *global)
{
    const broker_config *cfg = &b->cfg;
    size_t held = atomic_load(&b->held_bytes);
    size_t queued = p->queue->messages.bytes;
    size_t mem_room = held < cfg->max_memory ? cfg->max_memory - held : 0;
    size_t q_room = queued < cfg->max_queue_bytes ? cfg->max_queue_bytes - queued : 0;
    *global = mem_room <= q_room;
    if (!mem_room || !q_room)
        return 0;
    if (!p->largest)
        return want ? 1 : 0; /* its size is unknown until its first message */
    size_t each = p->largest + sizeof(message);
    size_t nb = b->nproducers ? b->nproducers : 1, nq = p->queue->nproducers ? p->queue->nproducers : 1;
    size_t by_mem = mem_room / each / nb, by_queue = q_room / each / nq;
    size_t n = by_mem < by_queue ? by_mem : by_queue;
    if (n == 0 && mem_room >= each && q_room >= each)
        n = 1; /* shared too thin: one at a time, as long as one fits */
    return n < want ? (uint32_t)n : want;
}

static void on_budget_retry(famqp_loop_timer *t, void *arg)
{
    (void)t;
    worker *w = arg;
    /* Every producer of this worker: most are not blocked and
     * producer_top_up leaves them as they are. */
    for (size_t i = 0; i < w->nclients; i++) {
        client *cl = w->clients[i];
        for (size_t j = 0; j < cl->nproducers; j++)
            if (cl->producers[j]->queue)
                producer_top_up(w, cl->producers[j]);
    }
}

void budget_wait(worker *w)
{
    if (!famqp_loop_timer_active(w->budget_timer))
        famqp_loop_timer_start(w->budget_timer, 20); /* on failure: the next message retries */
}

famqp_loop_status budget_init(worker *w)
{
    return famqp_loop_timer_new(w->loop, on_budget_retry, w, &w->budget_timer);
}

size_t budget_default_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    size_t half = pages > 0 && size > 0 ? (size_t)pages / 2 * (size_t)size : 0;
    size_t floor = (size_t)64 << 20;
    return half > floor ? half : floor;
}

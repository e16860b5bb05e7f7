/* famqp-broker queues: message lists, consumers and round-robin dispatch,
 * producers and their credit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

void list_push_back(msg_list *l, message *m)
{
    m->next = NULL;
    m->prev = l->tail;
    if (l->tail)
        l->tail->next = m;
    else
        l->head = m;
    l->tail = m;
    l->count++;
}

void list_push_front(msg_list *l, message *m)
{
    m->prev = NULL;
    m->next = l->head;
    if (l->head)
        l->head->prev = m;
    else
        l->tail = m;
    l->head = m;
    l->count++;
}

void list_remove(msg_list *l, message *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        l->head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        l->tail = m->prev;
    m->prev = m->next = NULL;
    l->count--;
}

queue *queue_get(broker *b, const char *name)
{
    for (queue *q = b->queues; q; q = q->next)
        if (strcmp(q->name, name) == 0)
            return q;
    queue *q = calloc(1, sizeof *q);
    size_t n = strlen(name);
    char *copy = malloc(n + 1);
    if (!q || !copy) {
        free(q);
        free(copy);
        return NULL;
    }
    memcpy(copy, name, n + 1);
    q->name = copy;
    q->next = b->queues;
    b->queues = q;
    return q;
}

bool queue_add_consumer(queue *q, consumer *c)
{
    if (q->nconsumers == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4;
        consumer **nc = realloc(q->consumers, cap * sizeof *nc);
        if (!nc)
            return false;
        q->consumers = nc;
        q->cap = cap;
    }
    q->consumers[q->nconsumers++] = c;
    return true;
}

void queue_remove_consumer(queue *q, consumer *c)
{
    for (size_t i = 0; i < q->nconsumers; i++) {
        if (q->consumers[i] == c) {
            memmove(&q->consumers[i], &q->consumers[i + 1], (q->nconsumers - i - 1) * sizeof *q->consumers);
            q->nconsumers--;
            if (q->rr > i)
                q->rr--;
            if (q->rr >= q->nconsumers)
                q->rr = 0;
            return;
        }
    }
}

bool queue_add_producer(queue *q, producer *p)
{
    if (q->nproducers == q->pcap) {
        size_t cap = q->pcap ? q->pcap * 2 : 4;
        producer **np = realloc(q->producers, cap * sizeof *np);
        if (!np)
            return false;
        q->producers = np;
        q->pcap = cap;
    }
    q->producers[q->nproducers++] = p;
    return true;
}

void queue_remove_producer(queue *q, producer *p)
{
    for (size_t i = 0; i < q->nproducers; i++)
        if (q->producers[i] == p) {
            q->producers[i] = q->producers[--q->nproducers];
            return;
        }
}

static void put_tag(uint8_t tag[8], uint64_t id)
{
    for (int i = 7; i >= 0; i--) {
        tag[i] = (uint8_t)id;
        id >>= 8;
    }
}

static void queue_dispatch(queue *q)
{
    while (q->messages.head && q->nconsumers) {
        /* The next consumer (from rr on) that has credit. */
        consumer *c = NULL;
        size_t i;
        for (size_t k = 0; k < q->nconsumers; k++) {
            i = (q->rr + k) % q->nconsumers;
            if (famqp_link_credit(q->consumers[i]->link) > 0) {
                c = q->consumers[i];
                break;
            }
        }
        if (!c)
            return;
        message *m = q->messages.head;
        uint8_t tag[8];
        put_tag(tag, m->id);
        famqp_engine_status st =
            famqp_link_send(c->link, famqp_binary_of(tag, sizeof tag), m->data, m->len, c->presettled, NULL);
        if (st != FAMQP_ENGINE_OK)
            return; /* e.g. the connection failed: its cleanup requeues */
        client_flush(c->client);
        list_remove(&q->messages, m);
        if (c->presettled) {
            famqp_outcome sent = {.kind = FAMQP_OUTCOME_ACCEPTED};
            message_done(m, &sent); /* at-most-once: gone once sent */
        }
        else
            list_push_back(&c->inflight, m);
        q->rr = (i + 1) % q->nconsumers;
    }
}

/* Grants the queue's producers credit again when they used half (and the
 * queue has room). */
static void queue_top_up_credit(queue *q)
{
    if (!q->nproducers)
        return;
    const broker_config *cfg = &q->producers[0]->client->b->cfg;
    uint32_t window = cfg->credit;
    bool full = q->messages.count >= cfg->max_depth;
    /* Once per filling (again only after it drained to half), so a
     * stalled sender's cause is in the log without flooding it. */
    if (full && !q->full_logged)
        fprintf(stderr,
                "famqp-broker: queue '%s' holds %zu messages (--max-depth %zu): no new credit to its senders "
                "until consumers take messages\n",
                q->name, q->messages.count, cfg->max_depth);
    if (full) {
        q->full_logged = true;
        return;
    }
    if (q->messages.count < cfg->max_depth / 2)
        q->full_logged = false;
    for (size_t i = 0; i < q->nproducers; i++) {
        producer *p = q->producers[i];
        if (famqp_link_credit(p->link) <= window / 2) {
            famqp_link_set_credit(p->link, window);
            client_flush(p->client);
        }
    }
}

void queue_service(queue *q)
{
    queue_dispatch(q);
    /* Credit waits until the connection's events of this wake-up are all
     * handled: the engine counted transfers it read that are not queued
     * yet, and a grant now would let the queue pass --max-depth. */
    if (q->nproducers && !q->topup_pending) {
        broker *b = q->producers[0]->client->b;
        q->topup_pending = true;
        q->topup_next = b->topups;
        b->topups = q;
        if (!famqp_loop_timer_active(b->topup_timer))
            famqp_loop_timer_start(b->topup_timer, 0); /* on failure the next event retries */
    }
}

void broker_top_up(famqp_loop_timer *t, void *arg)
{
    (void)t;
    broker *b = arg;
    while (b->topups) {
        queue *q = b->topups;
        b->topups = q->topup_next;
        q->topup_pending = false;
        queue_top_up_credit(q);
    }
}

void consumer_requeue_all(consumer *c)
{
    /* Back to the head, in their original order. */
    while (c->inflight.tail) {
        message *m = c->inflight.tail;
        list_remove(&c->inflight, m);
        list_push_front(&c->queue->messages, m);
    }
}

void broker_free_queues(broker *b)
{
    while (b->queues) {
        queue *q = b->queues;
        b->queues = q->next;
        while (q->messages.head) {
            message *m = q->messages.head;
            list_remove(&q->messages, m);
            free(m);
        }
        free(q->consumers);
        free(q->producers);
        free(q->name);
        free(q);
    }
}

void message_done(message *m, const famqp_outcome *o)
{
    if (m->origin) {
        if (o->kind == FAMQP_OUTCOME_REJECTED)
            famqp_delivery_reject(m->origin, o->error.name, o->error.description);
        else if (o->kind == FAMQP_OUTCOME_ACCEPTED)
            famqp_delivery_accept(m->origin);
        else
            famqp_delivery_settle(m->origin);
        client_flush(m->origin_client);
    }
    free(m);
}

static void forget_in(msg_list *l, client *cl, famqp_link *link)
{
    for (message *m = l->head; m; m = m->next)
        if (m->origin && m->origin_client == cl && (!link || m->origin_link == link))
            m->origin = NULL;
}

void broker_forget_origins(broker *b, client *cl, famqp_link *link)
{
    if (!b->cfg.accept_when_consumed)
        return;
    for (queue *q = b->queues; q; q = q->next) {
        forget_in(&q->messages, cl, link);
        for (size_t i = 0; i < q->nconsumers; i++)
            forget_in(&q->consumers[i]->inflight, cl, link);
    }
}

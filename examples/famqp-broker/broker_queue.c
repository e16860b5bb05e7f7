/* famqp-broker queues: message lists, consumers and round-robin dispatch
 * into their outboxes, producers and their credit.  Queues are shared by
 * all workers (broker.mu); engine calls here are on the caller's own
 * links only. */
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
    l->bytes += m->len;
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
    l->bytes += m->len;
}

void list_prepend_all(msg_list *to, msg_list *from)
{
    while (from->tail) {
        message *m = from->tail;
        list_remove(from, m);
        list_push_front(to, m);
    }
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
    l->bytes -= m->len;
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
    p->client->w->b->nproducers++;
    return true;
}

void queue_remove_producer(queue *q, producer *p)
{
    for (size_t i = 0; i < q->nproducers; i++)
        if (q->producers[i] == p) {
            q->producers[i] = q->producers[--q->nproducers];
            p->client->w->b->nproducers--;
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

/* mu held: p is to be checked for credit by its worker. */
static void mark_topup(worker *self, producer *p)
{
    if (p->topup)
        return;
    worker *pw = p->client->w;
    p->topup = true;
    p->topup_next = pw->topups;
    pw->topups = p;
    if (pw == self) {
        if (!famqp_loop_timer_active(self->topup_timer))
            famqp_loop_timer_start(self->topup_timer, 0); /* on failure the next message retries */
    } else {
        worker_wake(self, pw);
    }
}

void consumer_mark_ready(worker *w, consumer *c)
{
    if (c->ready)
        return;
    worker *cw = c->client->w;
    c->ready = true;
    c->ready_next = cw->ready;
    cw->ready = c;
    worker_wake(w, cw);
}

void queue_dispatch(worker *w, queue *q)
{
    while (q->messages.head && q->nconsumers) {
        /* The next consumer (from rr on) that has credit. */
        consumer *c = NULL;
        size_t i;
        for (size_t k = 0; k < q->nconsumers; k++) {
            i = (q->rr + k) % q->nconsumers;
            if (q->consumers[i]->credit > 0) {
                c = q->consumers[i];
                break;
            }
        }
        if (!c)
            break;
        message *m = q->messages.head;
        list_remove(&q->messages, m);
        list_push_back(&c->outbox, m);
        c->credit--;
        consumer_mark_ready(w, c);
        q->rr = (i + 1) % q->nconsumers;
    }
    if (q->blocked && q->messages.count < w->b->cfg.max_depth && q->messages.bytes < w->b->cfg.max_queue_bytes) {
        q->blocked = false;
        for (size_t i = 0; i < q->nproducers; i++)
            mark_topup(w, q->producers[i]);
    }
}

void queue_service(worker *w, queue *q)
{
    pthread_mutex_lock(&w->b->mu);
    queue_dispatch(w, q);
    pthread_mutex_unlock(&w->b->mu);
    worker_post_wakes(w);
    worker_process(w, false);
}

void producer_top_up(worker *w, producer *p)
{
    const broker_config *cfg = &w->b->cfg;
    uint32_t window = cfg->credit;
    queue *q = p->queue;
    pthread_mutex_lock(&w->b->mu);
    size_t count = q->messages.count;
    /* Never more credit than the queue has room for: a sender alone on
     * its queue fills it to --max-depth exactly, whatever the timing of
     * its transfers and our top-ups; and no more bytes than --max-memory
     * and --max-queue-bytes leave (broker_budget.c). */
    size_t room = count >= cfg->max_depth ? 0 : cfg->max_depth - count;
    bool global = false;
    uint32_t target = budget_credit(w->b, p, room < window ? (uint32_t)room : window, &global);
    bool full = target == 0;
    /* Once per filling (again only after it drained to half), so a
     * stalled sender's cause is in the log without flooding it. */
    if (full && !q->full_logged) {
        if (room == 0)
            fprintf(stderr,
                    "famqp-broker: queue '%s' holds %zu messages (--max-depth %zu): no new credit to its senders "
                    "until consumers take messages\n",
                    q->name, count, cfg->max_depth);
        else
            fprintf(stderr,
                    "famqp-broker: queue '%s' holds %zu bytes, the broker %zu (%s %zu): no new credit to its "
                    "senders until consumers take messages\n",
                    q->name, q->messages.bytes, (size_t)atomic_load(&w->b->held_bytes),
                    global ? "--max-memory" : "--max-queue-bytes", global ? cfg->max_memory : cfg->max_queue_bytes);
    }
    if (full) {
        q->full_logged = true;
        q->blocked = true; /* queue_dispatch tops us up once there is room */
    } else if (count < cfg->max_depth / 2 && q->messages.bytes < cfg->max_queue_bytes / 2) {
        q->full_logged = false;
    }
    pthread_mutex_unlock(&w->b->mu);
    if (full && global)
        budget_wait(w); /* room may come from another queue */
    uint32_t credit = famqp_link_credit(p->link);
    if (!full && credit <= window / 2 && target > credit) {
        famqp_link_set_credit(p->link, target);
        client_flush(p->client);
    }
}

/* mu held: the credit queue_dispatch may use for c. */
static void report_credit(consumer *c)
{
    uint32_t cr = famqp_link_credit(c->link);
    c->credit = cr > c->outbox.count ? (uint32_t)(cr - c->outbox.count) : 0;
}

void consumer_flush(worker *w, consumer *c)
{
    if (c->eh) {
        eh_reader_flush(w, c);
        return;
    }
    if (c->sb) {
        sb_receiver_flush(w, c);
        return;
    }
    broker *b = w->b;
    pthread_mutex_lock(&b->mu);
    msg_list out = c->outbox;
    c->outbox = (msg_list){0};
    pthread_mutex_unlock(&b->mu);
    bool failed = false;
    famqp_engine_status why = FAMQP_ENGINE_OK;
    size_t sent = 0;
    while (out.head && famqp_link_credit(c->link) > 0) {
        message *m = out.head;
        uint8_t tag[8];
        put_tag(tag, m->id);
        famqp_engine_status st =
            famqp_link_send_format(c->link, famqp_binary_of(tag, sizeof tag), m->format, m->data, m->len,
                                   c->presettled, NULL);
        if (st != FAMQP_ENGINE_OK) {
            /* e.g. the connection failed: no more until its next flow; at
             * its unsettled limit: no more until an outcome (stall_note) */
            failed = true;
            why = st;
            break;
        }
        client_flush(c->client);
        sent++;
        list_remove(&out, m);
        if (c->presettled) {
            famqp_outcome sent = {.kind = FAMQP_OUTCOME_ACCEPTED};
            message_done(w, m, &sent); /* at-most-once: gone once sent */
        } else {
            list_push_back(&c->inflight, m);
        }
    }
    stall_note(w, c, sent, why);
    pthread_mutex_lock(&b->mu);
    /* Unsent (the peer took credit back, e.g. a drain, or the link
     * failed): back to the head of the queue for any consumer, rather
     * than waiting for this one.  Outbox messages are older than the
     * queue's, so the order holds. */
    list_prepend_all(&c->outbox, &out);
    if (c->attached) {
        list_prepend_all(&c->queue->messages, &c->outbox);
        report_credit(c);
        if (failed || c->stalled)
            c->credit = 0;
        queue_dispatch(w, c->queue);
    }
    pthread_mutex_unlock(&b->mu);
    worker_post_wakes(w);
}

void consumer_detach(consumer *c)
{
    if (c->eh)
        eh_reader_detach(c);
    if (c->sb)
        sb_receiver_detach(c);
    if (c->attached) {
        queue_remove_consumer(c->queue, c);
        c->attached = false;
    }
    if (c->ready) {
        worker *cw = c->client->w;
        for (consumer **pp = &cw->ready; *pp; pp = &(*pp)->ready_next)
            if (*pp == c) {
                *pp = c->ready_next;
                break;
            }
        c->ready = false;
    }
}

void consumer_requeue_all(consumer *c)
{
    if (!c->queue)
        return; /* a partition reader: the log keeps its events */
    /* Back to the head, in their original order: sent ones first. */
    list_prepend_all(&c->queue->messages, &c->outbox);
    list_prepend_all(&c->queue->messages, &c->inflight);
}

static char *copy_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

void message_done(worker *w, message *m, const famqp_outcome *o)
{
    if (m->origin_gen) {
        famqp_outcome_kind kind = o->kind == FAMQP_OUTCOME_REJECTED   ? FAMQP_OUTCOME_REJECTED
                                  : o->kind == FAMQP_OUTCOME_ACCEPTED ? FAMQP_OUTCOME_ACCEPTED
                                                                      : FAMQP_OUTCOME_NONE;
        if (m->origin_worker == w->index) {
            client_settle_origin(w, m->origin_slot, m->origin_gen, m->origin, kind, o->error.name,
                                 o->error.description);
        } else {
            settle *s = calloc(1, sizeof *s);
            if (s) {
                s->delivery = m->origin;
                s->slot = m->origin_slot;
                s->gen = m->origin_gen;
                s->kind = kind;
                if (kind == FAMQP_OUTCOME_REJECTED) {
                    s->name = copy_str(o->error.name);
                    s->description = copy_str(o->error.description);
                }
                worker *pw = &w->b->workers[m->origin_worker];
                pthread_mutex_lock(&w->b->mu);
                s->next = pw->settles;
                pw->settles = s;
                worker_wake(w, pw);
                pthread_mutex_unlock(&w->b->mu);
                worker_post_wakes(w);
            } else {
                /* Out of memory: the producer's delivery stays unsettled
                 * (its sender sees no outcome) rather than a wrong one. */
                fprintf(stderr, "famqp-broker: out of memory: a sender's delivery stays unsettled\n");
            }
        }
    }
    pool_put(w, m);
}

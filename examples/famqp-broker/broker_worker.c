/* famqp-broker workers: one loop per thread, and the hand-over between
 * them.  Work for another worker goes on its lists under broker.mu; one
 * post (wake_posted) makes it run them.  A post refused because the
 * target's post queue is full is retried from a timer: nothing handed over
 * is dropped, and what waits on the lists is bounded by the consumers'
 * credit (outboxes), the unsettled deliveries (settlements) and the
 * connections (sockets). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "broker.h"

void worker_wake(worker *self, worker *target)
{
    if (target == self || target->wake_posted)
        return;
    target->wake_posted = true; /* we post it, until it is queued */
    self->need_wake[target->index] = true;
}

static void on_wake(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)loop;
    worker *w = arg;
    if (status != FAMQP_LOOP_OK)
        return; /* the loop is being freed: main frees the lists */
    pthread_mutex_lock(&w->b->mu);
    w->wake_posted = false; /* work added from now on gets a new post */
    pthread_mutex_unlock(&w->b->mu);
    worker_process(w, true);
}

void worker_post_wakes(worker *self)
{
    unsigned n = self->b->cfg.threads;
    bool retry = false;
    for (unsigned i = 0; i < n; i++) {
        if (!self->need_wake[i])
            continue;
        famqp_loop_status st = famqp_loop_post(self->b->workers[i].loop, on_wake, &self->b->workers[i]);
        if (st == FAMQP_LOOP_OK || st == FAMQP_LOOP_ERR_CLOSED)
            self->need_wake[i] = false;
        else
            retry = true;
    }
    if (retry && !famqp_loop_timer_active(self->retry_timer))
        famqp_loop_timer_start(self->retry_timer, 1);
}

static void on_retry(famqp_loop_timer *t, void *arg)
{
    (void)t;
    worker_post_wakes(arg);
}

/* mu held: the next consumer or producer off w's lists (one at a time:
 * once off, another thread may link it again, rewriting its next). */
static consumer *pop_ready(worker *w)
{
    consumer *c = w->ready;
    if (c) {
        w->ready = c->ready_next;
        c->ready = false;
    }
    return c;
}

static producer *pop_topup(worker *w)
{
    producer *p = w->topups;
    if (p) {
        w->topups = p->topup_next;
        p->topup = false;
    }
    return p;
}

static void on_topup(famqp_loop_timer *t, void *arg)
{
    (void)t;
    worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->b->mu);
        producer *p = pop_topup(w);
        pthread_mutex_unlock(&w->b->mu);
        if (!p)
            return;
        producer_top_up(w, p);
    }
}

void worker_process(worker *w, bool all)
{
    broker *b = w->b;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        consumer *c = pop_ready(w);
        settle *settles = w->settles;
        incoming *in = all ? w->incoming : NULL;
        bool topups = all && w->topups;
        bool sweep = w->index == 0 && b->sweep_request; /* broker_queues.c */
        if (sweep)
            b->sweep_request = false;
        w->settles = NULL;
        if (all)
            w->incoming = NULL;
        pthread_mutex_unlock(&b->mu);
        if (!c && !settles && !in && !topups && !sweep)
            return;
        if (sweep)
            queues_arm(w);
        while (settles) {
            settle *s = settles;
            settles = s->next;
            client_settle_origin(w, s->slot, s->gen, s->delivery, s->kind, s->name, s->description);
            free(s->name);
            free(s->description);
            free(s);
        }
        /* Off the list: consumer_detach no longer finds it, and this
         * thread alone frees consumers. */
        if (c)
            consumer_flush(w, c);
        while (in) {
            incoming *x = in;
            in = x->next;
            client_start(w, x->io);
            free(x);
        }
        if (topups)
            on_topup(w->topup_timer, w);
    }
}

bool worker_slot_new(worker *w, producer *p)
{
    for (uint32_t i = 0; i < w->nslots; i++)
        if (!w->slots[i]) {
            w->slots[i] = p;
            p->slot = i;
            return true;
        }
    uint32_t n = w->nslots ? w->nslots * 2 : 16;
    producer **s = realloc(w->slots, n * sizeof *s);
    if (!s)
        return false;
    w->slots = s;
    uint32_t *g = realloc(w->gens, n * sizeof *g);
    if (!g)
        return false;
    w->gens = g;
    for (uint32_t i = w->nslots; i < n; i++) {
        w->slots[i] = NULL;
        w->gens[i] = 1; /* 0 means "no origin" */
    }
    p->slot = w->nslots;
    w->slots[p->slot] = p;
    w->nslots = n;
    return true;
}

void worker_slot_free(worker *w, producer *p)
{
    w->slots[p->slot] = NULL;
    if (++w->gens[p->slot] == 0)
        w->gens[p->slot] = 1;
}

producer *worker_slot_get(worker *w, uint32_t slot, uint32_t gen)
{
    return slot < w->nslots && w->gens[slot] == gen ? w->slots[slot] : NULL;
}

static void on_cbs_tick(famqp_loop_timer *t, void *arg)
{
    cbs_check_expiry(arg);
    famqp_loop_timer_start(t, 1000); /* on failure no more checks: the links stay, as without a check */
}

famqp_loop_status worker_init(broker *b, unsigned i)
{
    worker *w = &b->workers[i];
    w->b = b;
    w->index = i;
    w->need_wake = calloc(b->cfg.threads, sizeof *w->need_wake);
    if (!w->need_wake || !pool_init(w, b->cfg.threads))
        return FAMQP_LOOP_ERR_NOMEM;
    famqp_loop_status st = famqp_loop_new(NULL, &w->loop);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_new(w->loop, on_topup, w, &w->topup_timer);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_new(w->loop, on_retry, w, &w->retry_timer);
    if (st == FAMQP_LOOP_OK && cbs_enabled(b))
        st = famqp_loop_timer_new(w->loop, on_cbs_tick, w, &w->cbs_timer);
    if (st == FAMQP_LOOP_OK && w->cbs_timer)
        st = famqp_loop_timer_start(w->cbs_timer, 1000);
    if (st == FAMQP_LOOP_OK)
        st = stall_init(w);
    if (st == FAMQP_LOOP_OK)
        st = queues_init(w);
    if (st == FAMQP_LOOP_OK)
        st = budget_init(w);
    return st;
}

void worker_destroy(worker *w)
{
    famqp_loop_timer_free(w->topup_timer);
    famqp_loop_timer_free(w->retry_timer);
    famqp_loop_timer_free(w->cbs_timer);
    famqp_loop_timer_free(w->stall_timer);
    famqp_loop_timer_free(w->queue_timer);
    famqp_loop_timer_free(w->budget_timer);
    famqp_loop_free(w->loop); /* queued wakes are told CLOSED */
    while (w->settles) {
        settle *s = w->settles;
        w->settles = s->next;
        free(s->name);
        free(s->description);
        free(s);
    }
    while (w->incoming) {
        incoming *x = w->incoming;
        w->incoming = x->next;
        famqp_io_free(x->io);
        free(x);
    }
    pool_free_all(w, w->b->cfg.threads);
    free(w->need_wake);
    free(w->slots);
    free(w->gens);
    free(w->clients);
}

void *worker_thread(void *arg)
{
    worker *w = arg;
    /* Named, so tools (and the tests) tell the loops from helper threads. */
    char name[16];
    snprintf(name, sizeof name, "famqp-broker/%u", w->index);
    prctl(PR_SET_NAME, name);
    if (famqp_loop_run(w->loop) != FAMQP_LOOP_OK) {
        perror("famqp-broker: epoll");
        w->run_failed = true;
    }
    worker_close_clients(w);
    return NULL;
}

static void on_stop(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)arg;
    if (status == FAMQP_LOOP_OK)
        famqp_loop_stop(loop);
}

void worker_stop(worker *w)
{
    /* Full: the loop is draining its queue; try again shortly. */
    for (;;) {
        famqp_loop_status st = famqp_loop_post(w->loop, on_stop, NULL);
        if (st == FAMQP_LOOP_OK || st == FAMQP_LOOP_ERR_CLOSED)
            return;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
}

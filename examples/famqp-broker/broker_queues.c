/* famqp-broker: the queues by name, in a hash table (FNV-1a, chained
 * through queue.next, doubled when it holds more queues than buckets), at
 * most --max-queues of them; a queue that is empty and has no link is put
 * on the idle list, and worker 0 deletes it once it stayed so for
 * --auto-delete-after (grace) milliseconds (its timer set for the oldest
 * idle queue's end of grace, and not set while none is idle).  All under broker.mu but the
 * timer itself. */
#define _POSIX_C_SOURCE 200809L

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker.h"

static uint64_t hash_name(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211u;
    }
    return h;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Doubles the buckets (false: out of memory, the table stays as it was). */
static bool grow(broker *b)
{
    size_t n = b->nbuckets ? b->nbuckets * 2 : 1024;
    queue **nb = calloc(n, sizeof *nb);
    if (!nb)
        return false;
    for (size_t i = 0; i < b->nbuckets; i++)
        while (b->buckets[i]) {
            queue *q = b->buckets[i];
            b->buckets[i] = q->next;
            q->next = nb[q->hash & (n - 1)];
            nb[q->hash & (n - 1)] = q;
        }
    free(b->buckets);
    b->buckets = nb;
    b->nbuckets = n;
    return true;
}

static void idle_remove(broker *b, queue *q)
{
    if (!q->idle)
        return;
    if (q->idle_prev)
        q->idle_prev->idle_next = q->idle_next;
    else
        b->idle_head = q->idle_next;
    if (q->idle_next)
        q->idle_next->idle_prev = q->idle_prev;
    else
        b->idle_tail = q->idle_prev;
    q->idle_prev = q->idle_next = NULL;
    q->idle = false;
}

queue *queue_open(broker *b, const char *name, const char **why)
{
    uint64_t h = hash_name(name);
    b->queue_lookups++;
    if (b->nbuckets) {
        for (queue *q = b->buckets[h & (b->nbuckets - 1)]; q; q = q->next) {
            b->queue_compares++;
            if (q->hash == h && strcmp(q->name, name) == 0) {
                idle_remove(b, q); /* in use again */
                return q;
            }
        }
    }
    if (b->nqueues >= b->cfg.max_queues) {
        *why = "famqp-broker holds its maximum number of queues (--max-queues): no new queue until unused "
               "ones are deleted (--auto-delete-after)";
        return NULL;
    }
    *why = "out of memory";
    if (b->nqueues >= b->nbuckets && !grow(b) && !b->nbuckets)
        return NULL; /* a full table still works, with longer chains */
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
    q->hash = h;
    queue **bucket = &b->buckets[h & (b->nbuckets - 1)];
    q->next = *bucket;
    *bucket = q;
    b->nqueues++;
    return q;
}

queue *queue_get(broker *b, const char *name)
{
    const char *why;
    return queue_open(b, name, &why);
}

void queue_note_unused(worker *w, queue *q)
{
    broker *b = w->b;
    if (!b->cfg.auto_delete_ms || q->idle || q->nconsumers || q->nproducers || q->txn_refs || q->messages.count)
        return;
    q->idle = true;
    q->idle_since_ms = mono_ms();
    q->idle_prev = b->idle_tail;
    q->idle_next = NULL;
    if (b->idle_tail)
        b->idle_tail->idle_next = q;
    else
        b->idle_head = q;
    b->idle_tail = q;
    if (b->sweep_armed)
        return;
    /* Worker 0's timer runs only while queues are idle (an idle broker
     * sleeps). */
    b->sweep_armed = true;
    if (w->index == 0) {
        famqp_loop_timer_start(w->queue_timer, b->cfg.auto_delete_ms); /* on failure: kept */
    } else {
        b->sweep_request = true;
        worker_wake(w, &b->workers[0]);
    }
}

void queues_arm(worker *w)
{
    famqp_loop_timer_start(w->queue_timer, w->b->cfg.auto_delete_ms); /* on failure: kept */
}

static void queue_free(queue *q)
{
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

/* Out of the table (mu held). */
static void unlink_queue(broker *b, queue *q)
{
    for (queue **pp = &b->buckets[q->hash & (b->nbuckets - 1)]; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            b->nqueues--;
            return;
        }
}

/* mu held: deletes the queues idle for the grace or longer; how many. */
static size_t sweep(broker *b, uint64_t now)
{
    size_t deleted = 0;
    while (b->idle_head && now - b->idle_head->idle_since_ms >= b->cfg.auto_delete_ms) {
        queue *q = b->idle_head;
        idle_remove(b, q);
        if (q->nconsumers || q->nproducers || q->messages.count)
            continue; /* used again: it comes back when unused */
        unlink_queue(b, q);
        queue_free(q);
        deleted++;
    }
    return deleted;
}

static void on_sweep(famqp_loop_timer *t, void *arg)
{
    worker *w = arg;
    broker *b = w->b;
    pthread_mutex_lock(&b->mu);
    uint64_t now = mono_ms();
    size_t deleted = sweep(b, now);
    size_t left = b->nqueues;
    /* Again when the oldest idle queue's grace ends (never 0: sweep took
     * every one whose grace had ended). */
    uint64_t next = b->idle_head ? b->idle_head->idle_since_ms + b->cfg.auto_delete_ms - now : 0;
    b->sweep_armed = next != 0;
    pthread_mutex_unlock(&b->mu);
    if (deleted) {
        /* Many small blocks freed: give what malloc can back to the system. */
        malloc_trim(0);
        if (b->cfg.verbose)
            fprintf(stderr, "famqp-broker: deleted %zu unused queues (%zu left)\n", deleted, left);
    }
    if (next)
        famqp_loop_timer_start(t, next); /* on failure: no more deletes */
}

famqp_loop_status queues_init(worker *w)
{
    if (w->index != 0 || !w->b->cfg.auto_delete_ms)
        return FAMQP_LOOP_OK;
    return famqp_loop_timer_new(w->loop, on_sweep, w, &w->queue_timer);
}

void broker_free_queues(broker *b)
{
    if (b->cfg.verbose)
        fprintf(stderr,
                "famqp-broker: queue table: %zu queues left, %llu lookups compared %llu names, %zu buckets\n",
                b->nqueues, (unsigned long long)b->queue_lookups, (unsigned long long)b->queue_compares,
                b->nbuckets);
    for (size_t i = 0; i < b->nbuckets; i++)
        while (b->buckets[i]) {
            queue *q = b->buckets[i];
            b->buckets[i] = q->next;
            queue_free(q);
        }
    free(b->buckets);
    b->buckets = NULL;
    b->nbuckets = b->nqueues = 0;
}

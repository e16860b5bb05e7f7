/* famqp-broker's message blocks: each worker caches free blocks in three
 * size classes, so once the broker is warm a message costs no malloc.  A
 * block is made by the producer's worker (its home) and done with by the
 * consumer's; one done with by another worker goes back home, POOL_BATCH
 * at a time under broker.mu, so caches stay where the producers are and no
 * message crosses glibc's per-thread arenas.  Each cache is bounded
 * (POOL_CACHE_BYTES per class and worker); blocks beyond it are freed, and
 * bodies above the largest class are malloc'd alone. */
#include <stdlib.h>

#include "broker.h"

static const size_t class_bytes[POOL_CLASSES] = {256, 1024, 4096};

enum {
    POOL_CACHE_BYTES = 1 << 20, /* per class and worker */
    POOL_BATCH = 64             /* blocks given back home at once */
};

static unsigned class_of(size_t len)
{
    unsigned k = 0;
    while (k < POOL_CLASSES && len > class_bytes[k])
        k++;
    return k;
}

static bool cache_full(const worker *w, unsigned k)
{
    return (w->pool.cached[k] + 1) * (sizeof(message) + class_bytes[k]) > POOL_CACHE_BYTES;
}

static void cache_push(worker *w, message *m)
{
    unsigned k = m->pool_class;
    if (cache_full(w, k)) {
        free(m);
        return;
    }
    m->next = w->pool.cache[k];
    w->pool.cache[k] = m;
    w->pool.cached[k]++;
}

bool pool_init(worker *w, unsigned threads)
{
    w->pool.giveback = calloc(threads, sizeof *w->pool.giveback);
    w->pool.giveback_count = calloc(threads, sizeof *w->pool.giveback_count);
    return w->pool.giveback && w->pool.giveback_count;
}

static message *pool_take(worker *w, size_t len)
{
    unsigned k = class_of(len);
    if (k == POOL_CLASSES) {
        message *m = malloc(sizeof *m + len);
        if (m) {
            m->pool_class = POOL_CLASSES;
            m->home = (uint16_t)w->index;
        }
        return m;
    }
    if (!w->pool.cache[k] && w->b->cfg.threads > 1) {
        /* What consumers on other workers gave back. */
        pthread_mutex_lock(&w->b->mu);
        message *r = w->pool.returned;
        w->pool.returned = NULL;
        pthread_mutex_unlock(&w->b->mu);
        while (r) {
            message *next = r->next;
            cache_push(w, r);
            r = next;
        }
    }
    message *m = w->pool.cache[k];
    if (m) {
        w->pool.cache[k] = m->next;
        w->pool.cached[k]--;
        return m;
    }
    m = malloc(sizeof *m + class_bytes[k]);
    if (m) {
        m->pool_class = (uint8_t)k;
        m->home = (uint16_t)w->index;
    }
    return m;
}

static void pool_give(worker *w, message *m)
{
    if (m->pool_class == POOL_CLASSES) {
        free(m);
        return;
    }
    if (m->home == w->index) {
        cache_push(w, m);
        return;
    }
    unsigned h = m->home;
    m->next = w->pool.giveback[h];
    w->pool.giveback[h] = m;
    if (++w->pool.giveback_count[h] < POOL_BATCH)
        return;
    message *tail = m;
    while (tail->next)
        tail = tail->next;
    worker *home = &w->b->workers[h];
    pthread_mutex_lock(&w->b->mu);
    tail->next = home->pool.returned;
    home->pool.returned = w->pool.giveback[h];
    pthread_mutex_unlock(&w->b->mu);
    w->pool.giveback[h] = NULL;
    w->pool.giveback_count[h] = 0;
}

static void free_list(message *m)
{
    while (m) {
        message *next = m->next;
        free(m);
        m = next;
    }
}

void pool_free_all(worker *w, unsigned threads)
{
    for (unsigned k = 0; k < POOL_CLASSES; k++) {
        free_list(w->pool.cache[k]);
        w->pool.cache[k] = NULL;
        w->pool.cached[k] = 0;
    }
    for (unsigned i = 0; w->pool.giveback && i < threads; i++)
        free_list(w->pool.giveback[i]);
    free_list(w->pool.returned);
    w->pool.returned = NULL;
    free(w->pool.giveback);
    free(w->pool.giveback_count);
    w->pool.giveback = NULL;
    w->pool.giveback_count = NULL;
}

/* Blocks held count against --max-memory (broker_budget.c), from here to
 * pool_put (m->len is still the len asked for then). */
message *pool_get(worker *w, size_t len)
{
    message *m = pool_take(w, len);
    if (m)
        atomic_fetch_add(&w->b->held_bytes, sizeof *m + len);
    return m;
}

void pool_put(worker *w, message *m)
{
    atomic_fetch_sub(&w->b->held_bytes, sizeof *m + m->len);
    pool_give(w, m);
}

/* Timers: a binary min-heap on (deadline, start order), each timer knowing
 * its heap index so stopping one is O(log n); one record per timer, made by
 * famqp_loop_timer_new, so starting and firing allocate only when the heap
 * array grows. */
#include <string.h>

#include "loop_internal.h"

static bool earlier(const famqp_loop_timer *a, const famqp_loop_timer *b)
{
    return a->deadline_ms < b->deadline_ms || (a->deadline_ms == b->deadline_ms && a->seq < b->seq);
}

static void place(famqp_loop *loop, size_t i, famqp_loop_timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void sift_up(famqp_loop *loop, size_t i)
{
    famqp_loop_timer *t = loop->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(t, loop->heap[parent]))
            break;
        place(loop, i, loop->heap[parent]);
        i = parent;
    }
    place(loop, i, t);
}

static void sift_down(famqp_loop *loop, size_t i)
{
    famqp_loop_timer *t = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len && earlier(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!earlier(loop->heap[child], t))
            break;
        place(loop, i, loop->heap[child]);
        i = child;
    }
    place(loop, i, t);
}

static void heap_remove(famqp_loop *loop, famqp_loop_timer *t)
{
    size_t i = t->heap_index;
    t->heap_index = SIZE_MAX;
    famqp_loop_timer *last = loop->heap[--loop->heap_len];
    if (i == loop->heap_len)
        return;
    place(loop, i, last);
    if (i > 0 && earlier(last, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

famqp_loop_status famqp_loop_timer_new(famqp_loop *loop, famqp_loop_timer_fn *fn, void *arg,
                                       famqp_loop_timer **out)
{
    if (!out)
        return FAMQP_LOOP_ERR_ARG;
    *out = NULL;
    if (!loop || !fn)
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop_timer *t = famqp__loop_alloc(loop, sizeof *t);
    if (!t)
        return FAMQP_LOOP_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->loop = loop;
    t->fn = fn;
    t->arg = arg;
    t->heap_index = SIZE_MAX;
    t->next = loop->timers;
    if (loop->timers)
        loop->timers->prev = t;
    loop->timers = t;
    *out = t;
    return FAMQP_LOOP_OK;
}

famqp_loop_status famqp_loop_timer_start(famqp_loop_timer *t, uint64_t delay_ms)
{
    if (!t)
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop *loop = t->loop;
    famqp_loop_timer_stop(t);
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        famqp_loop_timer **heap = famqp__loop_realloc(loop, loop->heap, cap * sizeof *heap);
        if (!heap)
            return FAMQP_LOOP_ERR_NOMEM;
        loop->heap = heap;
        loop->heap_cap = cap;
    }
    uint64_t now = famqp_loop_now_ms(loop);
    t->deadline_ms = delay_ms > UINT64_MAX - now ? UINT64_MAX - 1 : now + delay_ms;
    t->seq = loop->next_seq++;
    place(loop, loop->heap_len++, t);
    sift_up(loop, t->heap_index);
    return FAMQP_LOOP_OK;
}

void famqp_loop_timer_stop(famqp_loop_timer *t)
{
    if (t && t->heap_index != SIZE_MAX)
        heap_remove(t->loop, t);
}

bool famqp_loop_timer_active(const famqp_loop_timer *t)
{
    return t && t->heap_index != SIZE_MAX;
}

famqp_loop *famqp_loop_timer_loop(const famqp_loop_timer *t)
{
    return t->loop;
}

static void unlink_timer(famqp_loop_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        t->loop->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

void famqp_loop_timer_free(famqp_loop_timer *t)
{
    if (!t)
        return;
    famqp_loop_timer_stop(t);
    unlink_timer(t);
    famqp__loop_free_mem(t->loop, t);
}

uint64_t famqp__loop_timers_next(const famqp_loop *loop)
{
    return loop->heap_len ? loop->heap[0]->deadline_ms : UINT64_MAX;
}

size_t famqp__loop_timers_run(famqp_loop *loop)
{
    /* Timers started during this phase (seq >= first_new) wait for the next
     * wake-up, so a timer restarted with delay 0 cannot spin here. */
    uint64_t first_new = loop->next_seq;
    size_t ran = 0;
    while (loop->heap_len) {
        famqp_loop_timer *t = loop->heap[0];
        if (t->deadline_ms > loop->now_ms || t->seq >= first_new)
            break;
        heap_remove(loop, t);
        t->fn(t, t->arg); /* may restart or free t */
        ran++;
    }
    return ran;
}

void famqp__loop_timers_free_all(famqp_loop *loop)
{
    while (loop->timers)
        famqp_loop_timer_free(loop->timers);
}

/* famqp_loop_post, the loop's one thread-safe entry point: a ring of
 * (fn, arg) guarded by a mutex, growing by doubling up to max_posts, and an
 * eventfd written once per batch of posts to wake the loop. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "loop_internal.h"

#define INITIAL_POSTS 64u

void famqp__loop_posts_init(famqp_loop *loop, size_t max_posts)
{
    pthread_mutex_init(&loop->post_lock, NULL);
    loop->max_posts = max_posts;
}

/* Doubles the ring (post_lock held), keeping the queued entries in order
 * from index 0. */
static bool grow(famqp_loop *loop)
{
    size_t cap = loop->cap ? loop->cap * 2 : INITIAL_POSTS;
    if (cap > loop->max_posts)
        cap = loop->max_posts;
    loop_post *ring = famqp__loop_alloc(loop, cap * sizeof *ring);
    if (!ring)
        return false;
    for (size_t i = 0; i < loop->count; i++)
        ring[i] = loop->posts[(loop->head + i) % loop->cap];
    famqp__loop_free_mem(loop, loop->posts);
    loop->posts = ring;
    loop->cap = cap;
    loop->head = 0;
    return true;
}

famqp_loop_status famqp_loop_post(famqp_loop *loop, famqp_loop_post_fn *fn, void *arg)
{
    if (!loop || !fn)
        return FAMQP_LOOP_ERR_ARG;
    pthread_mutex_lock(&loop->post_lock);
    famqp_loop_status st = FAMQP_LOOP_OK;
    if (loop->closing)
        st = FAMQP_LOOP_ERR_CLOSED;
    else if (loop->count == loop->max_posts)
        st = FAMQP_LOOP_ERR_FULL;
    else if (loop->count == loop->cap && !grow(loop))
        st = FAMQP_LOOP_ERR_NOMEM;
    bool wake = false;
    if (st == FAMQP_LOOP_OK) {
        loop->posts[(loop->head + loop->count) % loop->cap] = (loop_post){fn, arg};
        loop->count++;
        wake = !loop->wake_pending;
        loop->wake_pending = true;
    }
    pthread_mutex_unlock(&loop->post_lock);
    if (wake) {
        /* Cannot fail short of a full counter (2^64 - 1 wakes unanswered). */
        uint64_t one = 1;
        if (write(loop->wake_fd, &one, sizeof one) < 0) {
        }
    }
    return st;
}

size_t famqp__loop_posts_pending(famqp_loop *loop)
{
    pthread_mutex_lock(&loop->post_lock);
    size_t n = loop->count;
    pthread_mutex_unlock(&loop->post_lock);
    return n;
}

/* Pops the first post; false when the queue is empty. */
static bool pop(famqp_loop *loop, loop_post *out)
{
    pthread_mutex_lock(&loop->post_lock);
    bool any = loop->count > 0;
    if (any) {
        *out = loop->posts[loop->head];
        loop->head = (loop->head + 1) % loop->cap;
        loop->count--;
    }
    pthread_mutex_unlock(&loop->post_lock);
    return any;
}

size_t famqp__loop_posts_run(famqp_loop *loop)
{
    /* Only what is queued now: a post that posts again runs next wake-up. */
    pthread_mutex_lock(&loop->post_lock);
    size_t n = loop->count;
    loop->wake_pending = false; /* later posts must write the eventfd again */
    pthread_mutex_unlock(&loop->post_lock);
    size_t ran = 0;
    loop_post p;
    while (ran < n && pop(loop, &p)) {
        p.fn(loop, p.arg, FAMQP_LOOP_OK);
        ran++;
    }
    return ran;
}

void famqp__loop_posts_close(famqp_loop *loop)
{
    pthread_mutex_lock(&loop->post_lock);
    loop->closing = true;
    pthread_mutex_unlock(&loop->post_lock);
    loop_post p;
    while (pop(loop, &p))
        p.fn(loop, p.arg, FAMQP_LOOP_ERR_CLOSED);
}

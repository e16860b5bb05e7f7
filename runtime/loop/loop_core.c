/* The loop: making and freeing it, and the wake-up that runs ready
 * watches, then due timers, then queued posts. */
#define _GNU_SOURCE /* eventfd flags, epoll_create1 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "loop_internal.h"

#define DEFAULT_MAX_POSTS 65536u

const char *famqp_loop_status_name(famqp_loop_status s)
{
    switch (s) {
    case FAMQP_LOOP_OK: return "FAMQP_LOOP_OK";
    case FAMQP_LOOP_ERR_ARG: return "FAMQP_LOOP_ERR_ARG";
    case FAMQP_LOOP_ERR_NOMEM: return "FAMQP_LOOP_ERR_NOMEM";
    case FAMQP_LOOP_ERR_FULL: return "FAMQP_LOOP_ERR_FULL";
    case FAMQP_LOOP_ERR_CLOSED: return "FAMQP_LOOP_ERR_CLOSED";
    case FAMQP_LOOP_ERR_SYSTEM: return "FAMQP_LOOP_ERR_SYSTEM";
    }
    return "FAMQP_LOOP_(unknown)";
}

void famqp_loop_options_init(famqp_loop_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_posts = DEFAULT_MAX_POSTS;
}

uint64_t famqp__loop_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void *famqp__loop_alloc(const famqp_loop *loop, size_t size)
{
    return loop->alloc.malloc_fn ? loop->alloc.malloc_fn(loop->alloc.ctx, size) : malloc(size);
}

void *famqp__loop_realloc(const famqp_loop *loop, void *ptr, size_t size)
{
    return loop->alloc.realloc_fn ? loop->alloc.realloc_fn(loop->alloc.ctx, ptr, size) : realloc(ptr, size);
}

void famqp__loop_free_mem(const famqp_loop *loop, void *ptr)
{
    if (loop->alloc.free_fn)
        loop->alloc.free_fn(loop->alloc.ctx, ptr);
    else
        free(ptr);
}

famqp_loop_status famqp_loop_new(const famqp_loop_options *opts, famqp_loop **out)
{
    if (!out)
        return FAMQP_LOOP_ERR_ARG;
    *out = NULL;
    famqp_loop_options defaults;
    if (!opts) {
        famqp_loop_options_init(&defaults);
        opts = &defaults;
    }
    bool custom = opts->alloc.malloc_fn || opts->alloc.realloc_fn || opts->alloc.free_fn;
    if (opts->max_posts == 0 || (custom && !(opts->alloc.malloc_fn && opts->alloc.realloc_fn && opts->alloc.free_fn)))
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop probe = {.alloc = opts->alloc};
    famqp_loop *loop = famqp__loop_alloc(&probe, sizeof *loop);
    if (!loop)
        return FAMQP_LOOP_ERR_NOMEM;
    memset(loop, 0, sizeof *loop);
    loop->alloc = opts->alloc;
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = loop};
    if (loop->epoll_fd < 0 || loop->wake_fd < 0 || epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &ev) < 0) {
        int saved = errno;
        if (loop->epoll_fd >= 0)
            close(loop->epoll_fd);
        if (loop->wake_fd >= 0)
            close(loop->wake_fd);
        famqp__loop_free_mem(loop, loop);
        errno = saved;
        return FAMQP_LOOP_ERR_SYSTEM;
    }
    famqp__loop_posts_init(loop, opts->max_posts);
    loop->now_ms = famqp__loop_clock_ms();
    *out = loop;
    return FAMQP_LOOP_OK;
}

void famqp_loop_free(famqp_loop *loop)
{
    if (!loop)
        return;
    famqp__loop_posts_close(loop); /* runs the queued posts with CLOSED */
    famqp__loop_conns_free_all(loop);
    famqp__loop_listeners_free_all(loop);
    famqp__loop_timers_free_all(loop);
    famqp__loop_watches_free_all(loop);
    close(loop->wake_fd);
    close(loop->epoll_fd);
    pthread_mutex_destroy(&loop->post_lock);
    famqp__loop_free_mem(loop, loop->posts);
    famqp__loop_free_mem(loop, loop->heap);
    famqp__loop_free_mem(loop, loop);
}

void famqp_loop_stop(famqp_loop *loop)
{
    loop->stop_requested = true;
}

uint64_t famqp_loop_now_ms(const famqp_loop *loop)
{
    return loop->in_wake ? loop->now_ms : famqp__loop_clock_ms();
}

/* How long the wake-up may wait: the caller's limit, shortened to the next
 * timer, 0 while posts are queued. */
static int wait_ms(famqp_loop *loop, int timeout_ms)
{
    if (famqp__loop_posts_pending(loop))
        return 0;
    uint64_t next = famqp__loop_timers_next(loop);
    if (next == UINT64_MAX)
        return timeout_ms;
    uint64_t now = famqp__loop_clock_ms();
    uint64_t until = next > now ? next - now : 0;
    if (until > INT_MAX)
        until = INT_MAX;
    return timeout_ms < 0 || (uint64_t)timeout_ms > until ? (int)until : timeout_ms;
}

famqp_loop_status famqp_loop_run_once(famqp_loop *loop, int timeout_ms, size_t *ran)
{
    if (ran)
        *ran = 0;
    if (!loop || loop->in_wake)
        return FAMQP_LOOP_ERR_ARG; /* no nested runs from a callback */
    struct epoll_event events[LOOP_EVENTS_PER_WAKE];
    int n = epoll_wait(loop->epoll_fd, events, LOOP_EVENTS_PER_WAKE, wait_ms(loop, timeout_ms));
    if (n < 0) {
        if (errno != EINTR)
            return FAMQP_LOOP_ERR_SYSTEM;
        n = 0;
    }
    loop->in_wake = true;
    loop->now_ms = famqp__loop_clock_ms();
    size_t count = 0;
    loop->dispatching = true;
    for (int i = 0; i < n; i++) {
        if (events[i].data.ptr == loop) { /* posts woke us: the post phase runs them */
            uint64_t drained;
            if (read(loop->wake_fd, &drained, sizeof drained) < 0) {
                /* EAGAIN: drained already; nothing else can fail here */
            }
            continue;
        }
        famqp_loop_watch *w = events[i].data.ptr;
        if (!w->dead) {
            famqp__loop_watch_dispatch(w, events[i].events);
            count++;
        }
    }
    loop->dispatching = false;
    famqp__loop_watches_release_dead(loop);
    count += famqp__loop_timers_run(loop);
    count += famqp__loop_posts_run(loop);
    loop->in_wake = false;
    if (ran)
        *ran = count;
    return FAMQP_LOOP_OK;
}

famqp_loop_status famqp_loop_run(famqp_loop *loop)
{
    if (!loop || loop->in_wake)
        return FAMQP_LOOP_ERR_ARG;
    while (!loop->stop_requested) {
        famqp_loop_status st = famqp_loop_run_once(loop, -1, NULL);
        if (st != FAMQP_LOOP_OK)
            return st;
    }
    loop->stop_requested = false;
    return FAMQP_LOOP_OK;
}

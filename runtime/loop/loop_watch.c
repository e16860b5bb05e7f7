/* Watches: a descriptor in the loop's epoll set (level triggered), its
 * record in epoll's data pointer.  A watch freed while a wake-up is still
 * dispatching the events it collected is only marked dead then, and
 * released after the dispatch, so no event can reach freed memory. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "loop_internal.h"

#define KNOWN_EVENTS (FAMQP_LOOP_READABLE | FAMQP_LOOP_WRITABLE)

static uint32_t to_epoll(unsigned events)
{
    return (events & FAMQP_LOOP_READABLE ? EPOLLIN : 0u) | (events & FAMQP_LOOP_WRITABLE ? EPOLLOUT : 0u);
}

static void push(famqp_loop_watch **list, famqp_loop_watch *w)
{
    w->prev = NULL;
    w->next = *list;
    if (*list)
        (*list)->prev = w;
    *list = w;
}

static void unlink_watch(famqp_loop_watch **list, famqp_loop_watch *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        *list = w->next;
    if (w->next)
        w->next->prev = w->prev;
}

famqp_loop_status famqp_loop_watch_new(famqp_loop *loop, int fd, unsigned events, famqp_loop_watch_fn *fn,
                                       void *arg, famqp_loop_watch **out)
{
    if (!out)
        return FAMQP_LOOP_ERR_ARG;
    *out = NULL;
    if (!loop || fd < 0 || !fn || (events & ~KNOWN_EVENTS))
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop_watch *w = famqp__loop_alloc(loop, sizeof *w);
    if (!w)
        return FAMQP_LOOP_ERR_NOMEM;
    memset(w, 0, sizeof *w);
    w->loop = loop;
    w->fn = fn;
    w->arg = arg;
    w->fd = fd;
    w->events = events;
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = w};
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int saved = errno;
        famqp__loop_free_mem(loop, w);
        errno = saved;
        return FAMQP_LOOP_ERR_SYSTEM;
    }
    push(&loop->watches, w);
    *out = w;
    return FAMQP_LOOP_OK;
}

famqp_loop_status famqp_loop_watch_set(famqp_loop_watch *w, unsigned events)
{
    if (!w || w->dead || (events & ~KNOWN_EVENTS))
        return FAMQP_LOOP_ERR_ARG;
    if (events == w->events)
        return FAMQP_LOOP_OK;
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = w};
    if (epoll_ctl(w->loop->epoll_fd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
        return FAMQP_LOOP_ERR_SYSTEM;
    w->events = events;
    return FAMQP_LOOP_OK;
}

famqp_loop *famqp_loop_watch_loop(const famqp_loop_watch *w)
{
    return w->loop;
}

void famqp_loop_watch_free(famqp_loop_watch *w)
{
    if (!w || w->dead)
        return;
    famqp_loop *loop = w->loop;
    /* Fails only when the caller closed fd first; the watch goes anyway. */
    epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    unlink_watch(&loop->watches, w);
    if (loop->dispatching) {
        w->dead = true;
        push(&loop->dead_watches, w);
    } else {
        famqp__loop_free_mem(loop, w);
    }
}

void famqp__loop_watch_dispatch(famqp_loop_watch *w, uint32_t epoll_events)
{
    unsigned events = (epoll_events & EPOLLIN ? FAMQP_LOOP_READABLE : 0u) |
                      (epoll_events & EPOLLOUT ? FAMQP_LOOP_WRITABLE : 0u);
    if (epoll_events & (EPOLLERR | EPOLLHUP))
        events |= FAMQP_LOOP_ERROR | (w->events & FAMQP_LOOP_READABLE); /* reading shows the EOF or error */
    w->fn(w, events, w->arg);
}

void famqp__loop_watches_release_dead(famqp_loop *loop)
{
    while (loop->dead_watches) {
        famqp_loop_watch *w = loop->dead_watches;
        loop->dead_watches = w->next;
        famqp__loop_free_mem(loop, w);
    }
}

void famqp__loop_watches_free_all(famqp_loop *loop)
{
    while (loop->watches)
        famqp_loop_watch_free(loop->watches);
    famqp__loop_watches_release_dead(loop);
}

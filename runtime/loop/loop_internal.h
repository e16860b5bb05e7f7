/* The loop's objects, shared by its files: the loop itself (epoll, the
 * eventfd that wakes it, the post queue, the timer heap) and the timer and
 * watch records. */
#ifndef FAMQP_LOOP_INTERNAL_H
#define FAMQP_LOOP_INTERNAL_H

#include <pthread.h>

#include "famqp/loop.h"

/* Events collected per epoll_wait; more wait for the next wake-up. */
#define LOOP_EVENTS_PER_WAKE 64

typedef struct loop_post {
    famqp_loop_post_fn *fn;
    void *arg;
} loop_post;

struct famqp_loop_timer {
    famqp_loop *loop;
    famqp_loop_timer_fn *fn;
    void *arg;
    uint64_t deadline_ms;
    uint64_t seq;      /* start order: ties of deadline run in it */
    size_t heap_index; /* SIZE_MAX: stopped */
    famqp_loop_timer *prev, *next; /* all timers of the loop */
};

struct famqp_loop_watch {
    famqp_loop *loop;
    famqp_loop_watch_fn *fn;
    void *arg;
    int fd;
    unsigned events;
    bool dead;                     /* freed during a dispatch: skip, release after */
    famqp_loop_watch *prev, *next; /* all live watches, or the dead list */
};

struct famqp_loop {
    famqp_allocator alloc;
    int epoll_fd;
    int wake_fd; /* eventfd: posts write it, the loop drains it */
    bool in_wake, stop_requested;
    uint64_t now_ms;

    /* Posts: a ring of `cap` entries from `head`, `count` used; guarded by
     * post_lock, the only state other threads touch. */
    pthread_mutex_t post_lock;
    loop_post *posts;
    size_t head, count, cap, max_posts;
    bool wake_pending; /* wake_fd written and not yet answered by a post phase */
    bool closing;

    /* Timers: a binary min-heap on (deadline, seq). */
    famqp_loop_timer **heap;
    size_t heap_len, heap_cap;
    uint64_t next_seq;
    famqp_loop_timer *timers;

    famqp_loop_watch *watches;
    famqp_loop_watch *dead_watches;
    bool dispatching;

    famqp_loop_conn *conns;         /* all connections on the loop */
    famqp_loop_listener *listeners; /* all listeners on the loop */
};

void *famqp__loop_alloc(const famqp_loop *loop, size_t size);
void *famqp__loop_realloc(const famqp_loop *loop, void *ptr, size_t size);
void famqp__loop_free_mem(const famqp_loop *loop, void *ptr);
uint64_t famqp__loop_clock_ms(void);

/* Posts: init/teardown of the queue, the number queued, and running the
 * first n (each once, status OK) or all (status CLOSED). */
void famqp__loop_posts_init(famqp_loop *loop, size_t max_posts);
size_t famqp__loop_posts_pending(famqp_loop *loop);
size_t famqp__loop_posts_run(famqp_loop *loop);
void famqp__loop_posts_close(famqp_loop *loop);

/* Timers: the earliest deadline (UINT64_MAX: none), running the due ones,
 * freeing all. */
uint64_t famqp__loop_timers_next(const famqp_loop *loop);
size_t famqp__loop_timers_run(famqp_loop *loop);
void famqp__loop_timers_free_all(famqp_loop *loop);

/* Watches: one epoll event, releasing the dead ones, freeing all. */
void famqp__loop_watch_dispatch(famqp_loop_watch *w, uint32_t epoll_events);
void famqp__loop_watches_release_dead(famqp_loop *loop);
void famqp__loop_watches_free_all(famqp_loop *loop);

/* Connections and listeners left at famqp_loop_free: freed without
 * callbacks (before the timers and watches they hold). */
void famqp__loop_conns_free_all(famqp_loop *loop);
void famqp__loop_listeners_free_all(famqp_loop *loop);

#endif /* FAMQP_LOOP_INTERNAL_H */

/* A listening socket on a loop: accepts while connections are pending (a
 * bounded number per wake-up, so a connection storm cannot starve the
 * loop's other work) and pauses when accepting fails (EMFILE keeps the
 * socket readable: without the pause the loop would spin): 100 ms, doubled
 * while failures go on, at most 1 s; the first accept that works resets
 * it.  The application hears of each pause (famqp_loop_listener_on_error). */
#include <string.h>

#include "loop_internal.h"

#define ACCEPTS_PER_WAKE 64
#define ACCEPT_PAUSE_MS 100
#define ACCEPT_PAUSE_MAX_MS 1000

struct famqp_loop_listener {
    famqp_loop *loop;
    famqp_listener *socket;
    famqp_loop_accept_fn *on_accept;
    void *arg;
    famqp_loop_watch *watch;
    famqp_loop_timer *resume;
    uint64_t pause_ms; /* the next pause; ACCEPT_PAUSE_MS after an accept that worked */
    famqp_loop_accept_error_fn *on_error;
    void *error_arg;
    famqp_loop_listener *prev, *next; /* the loop's listeners */
};

static void on_readable(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)w;
    (void)events;
    famqp_loop_listener *ll = arg;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        famqp_io *io;
        famqp_io_error err;
        famqp_io_status st = famqp_listener_accept(ll->socket, &io, &err);
        if (st == FAMQP_IO_ERR_AGAIN)
            return;
        if (st != FAMQP_IO_OK) {
            /* Out of descriptors or memory: stop watching for a while. */
            uint64_t pause = ll->pause_ms;
            if (famqp_loop_timer_start(ll->resume, pause) == FAMQP_LOOP_OK) {
                famqp_loop_watch_set(ll->watch, 0);
                ll->pause_ms = pause * 2 > ACCEPT_PAUSE_MAX_MS ? ACCEPT_PAUSE_MAX_MS : pause * 2;
            }
            if (ll->on_error)
                ll->on_error(ll, err.message, pause, ll->error_arg);
            return;
        }
        ll->pause_ms = ACCEPT_PAUSE_MS;
        ll->on_accept(ll, io, ll->arg);
    }
}

static void on_resume(famqp_loop_timer *t, void *arg)
{
    (void)t;
    famqp_loop_listener *ll = arg;
    famqp_loop_watch_set(ll->watch, FAMQP_LOOP_READABLE);
}

famqp_loop_status famqp_loop_listener_new(famqp_loop *loop, famqp_listener *listener,
                                          famqp_loop_accept_fn *on_accept, void *arg, famqp_loop_listener **out)
{
    if (!out)
        return FAMQP_LOOP_ERR_ARG;
    *out = NULL;
    if (!loop || !listener || !on_accept)
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop_listener *ll = famqp__loop_alloc(loop, sizeof *ll);
    if (!ll)
        return FAMQP_LOOP_ERR_NOMEM;
    memset(ll, 0, sizeof *ll);
    ll->loop = loop;
    ll->on_accept = on_accept;
    ll->arg = arg;
    ll->pause_ms = ACCEPT_PAUSE_MS;
    famqp_loop_status st =
        famqp_loop_watch_new(loop, famqp_listener_fd(listener), FAMQP_LOOP_READABLE, on_readable, ll, &ll->watch);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_new(loop, on_resume, ll, &ll->resume);
    if (st != FAMQP_LOOP_OK) {
        famqp_loop_watch_free(ll->watch);
        famqp__loop_free_mem(loop, ll);
        return st;
    }
    ll->socket = listener;
    ll->next = loop->listeners;
    if (loop->listeners)
        loop->listeners->prev = ll;
    loop->listeners = ll;
    *out = ll;
    return FAMQP_LOOP_OK;
}

void famqp_loop_listener_on_error(famqp_loop_listener *ll, famqp_loop_accept_error_fn *fn, void *arg)
{
    ll->on_error = fn;
    ll->error_arg = arg;
}

famqp_listener *famqp_loop_listener_socket(const famqp_loop_listener *ll)
{
    return ll->socket;
}

void famqp_loop_listener_free(famqp_loop_listener *ll)
{
    if (!ll)
        return;
    if (ll->prev)
        ll->prev->next = ll->next;
    else
        ll->loop->listeners = ll->next;
    if (ll->next)
        ll->next->prev = ll->prev;
    famqp_loop_watch_free(ll->watch);
    famqp_loop_timer_free(ll->resume);
    famqp_listener_close(ll->socket);
    famqp__loop_free_mem(ll->loop, ll);
}

void famqp__loop_listeners_free_all(famqp_loop *loop)
{
    while (loop->listeners)
        famqp_loop_listener_free(loop->listeners);
}

/* A listening socket on a libuv loop: accepts while connections are
 * pending (a bounded number per callback, so a connection storm cannot
 * starve the loop's other work) and pauses briefly when accepting fails
 * (EMFILE keeps the socket readable: without the pause the loop would
 * spin).  The same steps as runtime/loop/loop_listener.c. */
#include <stdlib.h>
#include <uv.h>

#include "famqp/uv.h"

#define ACCEPTS_PER_CALLBACK 64
#define ACCEPT_PAUSE_MS 100

struct famqp_uv_listener {
    famqp_listener *socket;
    famqp_uv_accept_fn *on_accept;
    void *arg;
    uv_poll_t poll;
    uv_timer_t resume;
    int open_handles; /* initialised and not yet closed by libuv */
    bool freed;       /* handles closing: accept no more */
};

static void on_closed(uv_handle_t *h)
{
    famqp_uv_listener *l = h->data;
    if (--l->open_handles == 0)
        free(l);
}

static void on_readable(uv_poll_t *p, int status, int events);

static void on_resume(uv_timer_t *t)
{
    famqp_uv_listener *l = t->data;
    uv_poll_start(&l->poll, UV_READABLE, on_readable);
}

static void pause_accepting(famqp_uv_listener *l)
{
    uv_poll_stop(&l->poll);
    uv_timer_start(&l->resume, on_resume, ACCEPT_PAUSE_MS, 0);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
    (void)events;
    famqp_uv_listener *l = p->data;
    if (status < 0) { /* libuv stopped the poll: try again after a pause */
        pause_accepting(l);
        return;
    }
    for (int i = 0; i < ACCEPTS_PER_CALLBACK && !l->freed; i++) {
        famqp_io *io;
        famqp_io_error err;
        famqp_io_status st = famqp_listener_accept(l->socket, &io, &err);
        if (st == FAMQP_IO_ERR_AGAIN)
            return;
        if (st != FAMQP_IO_OK) {
            /* Out of descriptors or memory: stop watching for a while. */
            pause_accepting(l);
            return;
        }
        l->on_accept(l, io, l->arg);
    }
}

famqp_uv_status famqp_uv_listener_new(uv_loop_t *loop, famqp_listener *listener, famqp_uv_accept_fn *on_accept,
                                      void *arg, famqp_uv_listener **out)
{
    if (!out)
        return FAMQP_UV_ERR_ARG;
    *out = NULL;
    if (!loop || !listener || !on_accept || famqp_listener_fd(listener) < 0)
        return FAMQP_UV_ERR_ARG;
    famqp_uv_listener *l = calloc(1, sizeof *l);
    if (!l)
        return FAMQP_UV_ERR_NOMEM;
    if (uv_poll_init(loop, &l->poll, famqp_listener_fd(listener)) != 0) {
        free(l); /* no handle was made: nothing for libuv to close */
        return FAMQP_UV_ERR_SYSTEM;
    }
    uv_timer_init(loop, &l->resume);
    l->open_handles = 2;
    l->poll.data = l;
    l->resume.data = l;
    l->socket = listener;
    l->on_accept = on_accept;
    l->arg = arg;
    uv_poll_start(&l->poll, UV_READABLE, on_readable);
    *out = l;
    return FAMQP_UV_OK;
}

famqp_listener *famqp_uv_listener_socket(const famqp_uv_listener *l)
{
    return l->socket;
}

void famqp_uv_listener_free(famqp_uv_listener *l)
{
    if (!l || l->freed)
        return;
    l->freed = true;
    /* closing the poll takes the descriptor out of libuv's epoll set at
     * once, so the socket can be closed now; the memory goes later */
    uv_close((uv_handle_t *)&l->poll, on_closed);
    uv_close((uv_handle_t *)&l->resume, on_closed);
    famqp_listener_close(l->socket);
    l->socket = NULL;
}

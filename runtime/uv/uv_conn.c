/* A socket and its engine connection on a libuv loop: a uv_poll_t on the
 * socket (readable while the io can read, writable while output is
 * pending), a uv_timer_t for the engine's tick deadline and a zero-delay
 * uv_timer_t for output queued outside the connection's own callbacks.
 * One service round per callback: socket I/O, every engine event to the
 * handler, the output the handler produced, then poll and timer rearmed.
 * The same steps as runtime/loop/loop_conn.c, on libuv's handles. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "famqp/uv.h"

/* Service rounds per callback: handlers whose output makes new events get
 * this many turns, then the rest waits for the next iteration (no spin). */
#define CONN_ROUNDS_PER_CALLBACK 16

struct famqp_uv_conn {
    uv_loop_t *loop;
    famqp_io *io;
    famqp_connection *connection;
    famqp_uv_conn_handler handler;
    uv_poll_t *poll;   /* its own allocation: replaced when the socket is; NULL if none */
    uv_timer_t tick;
    uv_timer_t flush;
    int open_handles;  /* initialised and not yet closed by libuv */
    int depth;         /* service rounds running (callbacks may free us) */
    bool free_pending; /* famqp_uv_conn_free called inside a round */
    bool freed;        /* handles closing: no callback any more */
    bool done;
    bool poll_stale; /* the io was connecting: its socket may be another now */
};

/* One handle of c is closed; the last one frees c. */
static void release(famqp_uv_conn *c)
{
    if (--c->open_handles == 0)
        free(c);
}

static void on_closed(uv_handle_t *h)
{
    release(h->data);
}

static void close_handle(famqp_uv_conn *c, uv_handle_t *h)
{
    h->data = c;
    uv_close(h, on_closed);
}

static void on_poll_closed(uv_handle_t *h)
{
    famqp_uv_conn *c = h->data;
    free(h);
    release(c);
}

/* Stops watching the socket for good (uv_close stops the poll, which takes
 * the descriptor out of libuv's epoll set at once). */
static void drop_poll(famqp_uv_conn *c)
{
    if (!c->poll)
        return;
    c->poll->data = c;
    uv_close((uv_handle_t *)c->poll, on_poll_closed);
    c->poll = NULL;
}

static void on_socket(uv_poll_t *p, int status, int events);

/* A poll on the io's current socket (none on failure). */
static famqp_uv_status new_poll(famqp_uv_conn *c)
{
    uv_poll_t *p = malloc(sizeof *p);
    if (!p)
        return FAMQP_UV_ERR_NOMEM;
    if (famqp_io_fd(c->io) < 0 || uv_poll_init(c->loop, p, famqp_io_fd(c->io)) != 0) {
        free(p); /* not a handle yet: nothing for libuv to close */
        return FAMQP_UV_ERR_SYSTEM;
    }
    p->data = c;
    c->poll = p;
    c->open_handles++;
    return FAMQP_UV_OK;
}

/* Closes the handles (stopping the poll takes the descriptor out of
 * libuv's epoll set at once, so the socket may be closed right after);
 * the memory goes in the last close callback. */
static void destroy(famqp_uv_conn *c)
{
    c->freed = true;
    drop_poll(c);
    close_handle(c, (uv_handle_t *)&c->tick);
    close_handle(c, (uv_handle_t *)&c->flush);
    famqp_io_free(c->io);
    famqp_connection_free(c->connection);
    c->io = NULL;
    c->connection = NULL;
}

static void on_timer(uv_timer_t *t);

static void rearm(famqp_uv_conn *c)
{
    int events = (famqp_io_wants_read(c->io) ? UV_READABLE : 0) | (famqp_io_wants_write(c->io) ? UV_WRITABLE : 0);
    if (c->poll_stale) {
        /* A connect in progress may have moved to a new socket (the next
         * address), perhaps under the same descriptor number: a poll is
         * bound to its descriptor, so make a new one. */
        c->poll_stale = false;
        drop_poll(c);
        new_poll(c); /* on failure the tick timer runs on: the connect deadline fails it */
    }
    /* events 0 stops the poll; a failure (a closed descriptor) leaves it
     * stopped, and the io sees the error on its next round */
    if (c->poll)
        uv_poll_start(c->poll, events, on_socket);
    uint64_t deadline = famqp_io_deadline(c->io);
    if (!deadline) {
        uv_timer_stop(&c->tick);
        return;
    }
    /* libuv's timers count from the loop's cached time: refresh it so the
     * delay is measured from now, like the deadline */
    uv_update_time(c->loop);
    uint64_t now = famqp_io_now_ms();
    uv_timer_start(&c->tick, on_timer, deadline > now ? deadline - now : 0, 0);
}

static void finish(famqp_uv_conn *c)
{
    /* Nothing more can happen on the socket: stop watching it (a hung-up
     * socket stays ready and would spin the loop). */
    c->done = true;
    if (c->poll)
        uv_poll_stop(c->poll);
    uv_timer_stop(&c->tick);
    uv_timer_stop(&c->flush);
    if (c->handler.on_done)
        c->handler.on_done(c, famqp_io_state(c->io), c->handler.arg);
}

static bool on_event(void *arg, const famqp_event *e)
{
    famqp_uv_conn *c = arg;
    c->handler.on_event(c, e, c->handler.arg);
    return !c->free_pending;
}

static void service(famqp_uv_conn *c, bool readable)
{
    if (c->freed || c->done)
        return;
    c->depth++;
    if (famqp_io_connecting(c->io))
        c->poll_stale = true;
    switch (famqp_io_serve(c->io, readable, CONN_ROUNDS_PER_CALLBACK, on_event, c)) {
    case FAMQP_IO_SERVED_IDLE:
        rearm(c);
        break;
    case FAMQP_IO_SERVED_MORE:
        rearm(c);
        famqp_uv_conn_flush(c); /* more next iteration */
        break;
    case FAMQP_IO_SERVED_DONE:
        finish(c);
        break;
    case FAMQP_IO_SERVED_STOPPED:
        break;
    }
    c->depth--;
    if (c->free_pending && c->depth == 0)
        destroy(c);
}

static void on_socket(uv_poll_t *p, int status, int events)
{
    /* status < 0: libuv saw an error on the descriptor (and stopped the
     * poll); reading lets the io find out what it was */
    service(p->data, status < 0 || (events & (UV_READABLE | UV_DISCONNECT)) != 0);
}

static void on_timer(uv_timer_t *t)
{
    service(t->data, false);
}

famqp_uv_status famqp_uv_conn_new(uv_loop_t *loop, famqp_io *io, famqp_connection *connection,
                                  const famqp_uv_conn_handler *handler, famqp_uv_conn **out)
{
    if (!out)
        return FAMQP_UV_ERR_ARG;
    *out = NULL;
    if (!loop || !io || !connection || !handler || !handler->on_event || famqp_io_fd(io) < 0)
        return FAMQP_UV_ERR_ARG;
    famqp_uv_conn *c = calloc(1, sizeof *c);
    if (!c)
        return FAMQP_UV_ERR_NOMEM;
    c->loop = loop;
    c->handler = *handler;
    c->io = io;
    famqp_uv_status st = new_poll(c);
    if (st != FAMQP_UV_OK) {
        free(c); /* no handle was made: nothing for libuv to close */
        return st;
    }
    /* timers cannot fail to initialise */
    uv_timer_init(loop, &c->tick);
    uv_timer_init(loop, &c->flush);
    c->open_handles += 2;
    c->tick.data = c;
    c->flush.data = c;
    c->connection = connection;
    if (famqp_io_connection(io) != connection)
        famqp_io_set_connection(io, connection);
    /* The first round runs from the loop, not from inside this call. */
    uv_timer_start(&c->flush, on_timer, 0, 0);
    *out = c;
    return FAMQP_UV_OK;
}

void famqp_uv_conn_flush(famqp_uv_conn *c)
{
    if (c && !c->done && !c->freed && !uv_is_active((uv_handle_t *)&c->flush))
        uv_timer_start(&c->flush, on_timer, 0, 0);
}

famqp_connection *famqp_uv_conn_connection(const famqp_uv_conn *c)
{
    return c->connection;
}

famqp_io *famqp_uv_conn_io(const famqp_uv_conn *c)
{
    return c->io;
}

uv_loop_t *famqp_uv_conn_loop(const famqp_uv_conn *c)
{
    return c->loop;
}

void famqp_uv_conn_free(famqp_uv_conn *c)
{
    if (!c || c->freed || c->free_pending)
        return;
    if (c->depth > 0) {
        c->free_pending = true;
        return;
    }
    destroy(c);
}

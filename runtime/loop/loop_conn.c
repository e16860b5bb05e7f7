/* A socket and its engine connection on a loop: a watch on the socket
 * (readable while the io can read, writable while output is pending), a
 * timer for the engine's tick deadline and a zero-delay timer for output
 * queued outside the connection's own callbacks.  One service round per
 * wake-up: socket I/O, every engine event to the handler, the output the
 * handler produced, then the watch and timer rearmed. */
#include <string.h>

#include "loop_internal.h"

/* Service rounds per wake-up: handlers whose output makes new events get
 * this many turns, then the rest waits for the next wake-up (no spin). */
#define CONN_ROUNDS_PER_WAKE 16

struct famqp_loop_conn {
    famqp_loop *loop;
    famqp_io *io;
    famqp_connection *connection;
    famqp_loop_conn_handler handler;
    famqp_loop_watch *watch; /* NULL once done */
    famqp_loop_timer *tick;
    famqp_loop_timer *flush;
    int depth;          /* service rounds running (callbacks may free us) */
    bool free_pending;
    bool done;
    bool watch_stale; /* the io was connecting: its socket may be another now */
    famqp_loop_conn *prev, *next; /* the loop's connections */
};

static void destroy(famqp_loop_conn *lc)
{
    if (lc->prev)
        lc->prev->next = lc->next;
    else
        lc->loop->conns = lc->next;
    if (lc->next)
        lc->next->prev = lc->prev;
    famqp_loop_watch_free(lc->watch);
    famqp_loop_timer_free(lc->tick);
    famqp_loop_timer_free(lc->flush);
    famqp_io_free(lc->io);
    famqp_connection_free(lc->connection);
    famqp__loop_free_mem(lc->loop, lc);
}

static void on_socket(famqp_loop_watch *w, unsigned events, void *arg);

static void rearm(famqp_loop_conn *lc)
{
    unsigned events = (famqp_io_wants_read(lc->io) ? FAMQP_LOOP_READABLE : 0u) |
                      (famqp_io_wants_write(lc->io) ? FAMQP_LOOP_WRITABLE : 0u);
    if (lc->watch_stale) {
        /* A connect in progress may have moved to a new socket (the next
         * address) under the same or another descriptor number: watch the
         * current one afresh. */
        lc->watch_stale = false;
        famqp_loop_watch_free(lc->watch);
        lc->watch = NULL;
        if (famqp_io_fd(lc->io) >= 0 &&
            famqp_loop_watch_new(lc->loop, famqp_io_fd(lc->io), events, on_socket, lc, &lc->watch) != FAMQP_LOOP_OK)
            lc->watch = NULL; /* the tick timer still runs: the connect deadline fails it */
    } else {
        famqp_loop_watch_set(lc->watch, events);
    }
    uint64_t deadline = famqp_io_deadline(lc->io);
    if (!deadline) {
        famqp_loop_timer_stop(lc->tick);
        return;
    }
    uint64_t now = famqp_io_now_ms();
    /* On failure (no memory for the heap) the next socket event ticks. */
    famqp_loop_timer_start(lc->tick, deadline > now ? deadline - now : 0);
}

static bool on_event(void *arg, const famqp_event *e)
{
    famqp_loop_conn *lc = arg;
    lc->handler.on_event(lc, e, lc->handler.arg);
    return !lc->free_pending;
}

static void service(famqp_loop_conn *lc, bool readable)
{
    if (lc->done || lc->free_pending)
        return;
    lc->depth++;
    if (famqp_io_connecting(lc->io))
        lc->watch_stale = true;
    switch (famqp_io_serve(lc->io, readable, CONN_ROUNDS_PER_WAKE, on_event, lc)) {
    case FAMQP_IO_SERVED_IDLE:
        rearm(lc);
        break;
    case FAMQP_IO_SERVED_MORE:
        rearm(lc);
        famqp_loop_conn_flush(lc); /* more next wake-up */
        break;
    case FAMQP_IO_SERVED_DONE:
        /* Nothing more can happen on the socket: stop watching it (a
         * hung-up socket stays ready and would spin the loop). */
        lc->done = true;
        famqp_loop_watch_free(lc->watch);
        lc->watch = NULL;
        famqp_loop_timer_stop(lc->tick);
        famqp_loop_timer_stop(lc->flush);
        if (lc->handler.on_done)
            lc->handler.on_done(lc, famqp_io_state(lc->io), lc->handler.arg);
        break;
    case FAMQP_IO_SERVED_STOPPED:
        break;
    }
    lc->depth--;
    if (lc->free_pending && lc->depth == 0)
        destroy(lc);
}

static void on_socket(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)w;
    service(arg, (events & (FAMQP_LOOP_READABLE | FAMQP_LOOP_ERROR)) != 0);
}

static void on_timer(famqp_loop_timer *t, void *arg)
{
    (void)t;
    service(arg, false);
}

famqp_loop_status famqp_loop_conn_new(famqp_loop *loop, famqp_io *io, famqp_connection *connection,
                                      const famqp_loop_conn_handler *handler, famqp_loop_conn **out)
{
    if (!out)
        return FAMQP_LOOP_ERR_ARG;
    *out = NULL;
    if (!loop || !io || !connection || !handler || !handler->on_event || famqp_io_fd(io) < 0)
        return FAMQP_LOOP_ERR_ARG;
    famqp_loop_conn *lc = famqp__loop_alloc(loop, sizeof *lc);
    if (!lc)
        return FAMQP_LOOP_ERR_NOMEM;
    memset(lc, 0, sizeof *lc);
    lc->loop = loop;
    lc->handler = *handler;
    famqp_loop_status st = famqp_loop_watch_new(loop, famqp_io_fd(io), 0, on_socket, lc, &lc->watch);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_new(loop, on_timer, lc, &lc->tick);
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_new(loop, on_timer, lc, &lc->flush);
    /* The first round runs from the loop, not from inside this call. */
    if (st == FAMQP_LOOP_OK)
        st = famqp_loop_timer_start(lc->flush, 0);
    if (st != FAMQP_LOOP_OK) {
        famqp_loop_watch_free(lc->watch);
        famqp_loop_timer_free(lc->tick);
        famqp_loop_timer_free(lc->flush);
        famqp__loop_free_mem(loop, lc);
        return st;
    }
    lc->io = io;
    lc->connection = connection;
    lc->next = loop->conns;
    if (loop->conns)
        loop->conns->prev = lc;
    loop->conns = lc;
    if (famqp_io_connection(io) != connection)
        famqp_io_set_connection(io, connection);
    *out = lc;
    return FAMQP_LOOP_OK;
}

void famqp_loop_conn_flush(famqp_loop_conn *lc)
{
    if (lc && !lc->done && !famqp_loop_timer_active(lc->flush))
        famqp_loop_timer_start(lc->flush, 0); /* on failure the next event writes it */
}

famqp_connection *famqp_loop_conn_connection(const famqp_loop_conn *lc)
{
    return lc->connection;
}

famqp_io *famqp_loop_conn_io(const famqp_loop_conn *lc)
{
    return lc->io;
}

famqp_loop *famqp_loop_conn_loop(const famqp_loop_conn *lc)
{
    return lc->loop;
}

void famqp_loop_conn_free(famqp_loop_conn *lc)
{
    if (!lc)
        return;
    if (lc->depth > 0) {
        lc->free_pending = true;
        return;
    }
    destroy(lc);
}

void famqp__loop_conns_free_all(famqp_loop *loop)
{
    while (loop->conns)
        destroy(loop->conns);
}

/* hold_connections: many idle AMQP 1.0 connections to one broker, from one
 * thread (a famqp_loop), to see how a broker holds them; or the rate at
 * which a broker sets connections up and tears them down.  Works against
 * any AMQP 1.0 broker (SASL ANONYMOUS, one receiver link per connection
 * with no credit, so the broker never sends it a message).
 *
 *   hold_connections URL --count N [--concurrency C] [--hold-ms MS]
 *                    [--idle-timeout MS] [--timeout S]
 *     Opens N connections (open + begin + attach a receiver from URL's
 *     address, default "hold"), at most C connecting at a time (default
 *     100: a broker's accept backlog may be small), prints
 *     "opened N of N connections in T s" once every one is attached (or
 *     failed), holds them for MS milliseconds or, without --hold-ms, until
 *     SIGTERM or SIGINT (at once when one failed to open), then closes
 *     them all (C at a time) and prints "closed M of N
 *     connections cleanly".  A connection the broker drops while held is
 *     reported ("lost ...").  Heartbeats: the engine answers the broker's
 *     idle timeout; --idle-timeout asks the broker for ours.
 *   hold_connections URL --setup-rate K --count N [--timeout S]
 *     Sets up N connections, K at a time (open + begin + attach, then a
 *     clean close), and prints "set up and closed N connections ... : R
 *     connections/s".
 *
 * Exit 0 when every connection opened and closed cleanly (and none was
 * lost); 1 otherwise, or when --timeout S (default 120) passed in a phase
 * (opening, closing; the hold itself is not bounded by it); 2 on bad usage.
 * Its own descriptor limit is raised (up to the hard limit) when N needs it.
 *
 * Threads: one; every connection belongs to the one loop. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <famqp/engine.h>
#include <famqp/io.h>
#include <famqp/loop.h>

enum cstate { C_IDLE, C_OPENING, C_OPEN, C_CLOSING, C_DONE };

typedef struct holder holder;

typedef struct hconn {
    holder *h;
    famqp_loop_conn *lc; /* NULL before the start and once done */
    famqp_link *link;
    enum cstate state;
    bool error;   /* an error condition or a failed socket: not a clean end */
    bool batched; /* closed by close_some: counted in closes_pending */
} hconn;

struct holder {
    famqp_loop *loop;
    famqp_url url;
    const char *address;
    hconn *conns;
    size_t n, next, pending, concurrency;
    size_t close_next, closes_pending; /* the close, `concurrency` at a time */
    size_t opened, failed, lost, closed_clean, done;
    uint32_t idle_timeout_ms;
    bool setup_mode, closing, timed_out, finished;
    long long hold_ms; /* -1: until a signal */
    uint64_t timeout_ms, t0, t_close;
    unsigned reported; /* error lines printed (bounded) */
    famqp_loop_timer *hold_timer, *give_up;
    int sigfd;
};

static void start_some(holder *h);
static void close_all(holder *h);
static void close_some(holder *h);

/* At most 10 error lines: 10,000 failing connections must not flood. */
static void report(holder *h, size_t i, const char *what, const char *name, const char *desc)
{
    if (h->reported++ < 10)
        fprintf(stderr, "hold_connections: connection %zu: %s%s%s%s%s\n", i, what, name ? ": " : "", name ? name : "",
                desc ? ": " : "", desc ? desc : "");
    else if (h->reported == 11)
        fprintf(stderr, "hold_connections: (more errors not shown)\n");
}

static double secs_since(uint64_t t)
{
    return (double)(famqp_io_now_ms() - t) / 1000.0;
}

static void finish_if_done(holder *h)
{
    if (h->closing && h->done == h->next && !h->finished) {
        h->finished = true;
        if (h->setup_mode) {
            double s = secs_since(h->t0);
            printf("set up and closed %zu connections (open + attach + close, %zu at a time) in %.2f s: %.0f "
                   "connections/s; %zu failed\n",
                   h->closed_clean, h->concurrency, s, s > 0 ? (double)h->closed_clean / s : 0.0,
                   h->n - h->closed_clean);
        } else {
            printf("closed %zu of %zu connections cleanly in %.2f s\n", h->closed_clean, h->n,
                   secs_since(h->t_close));
        }
        fflush(stdout);
        famqp_loop_stop(h->loop);
    }
}

/* Every connection attached (or failed): report, then hold. */
static void check_all_open(holder *h)
{
    if (h->setup_mode || h->closing || h->opened + h->failed < h->n)
        return;
    famqp_loop_timer_stop(h->give_up);
    printf("opened %zu of %zu connections in %.2f s\n", h->opened, h->n, secs_since(h->t0));
    fflush(stdout);
    if (h->failed)
        close_all(h); /* nothing to hold for: the run failed */
    else if (h->hold_ms >= 0)
        famqp_loop_timer_start(h->hold_timer, (uint64_t)h->hold_ms);
}

static void on_event(famqp_loop_conn *lc, const famqp_event *e, void *arg)
{
    hconn *c = arg;
    holder *h = c->h;
    size_t i = (size_t)(c - h->conns);
    famqp_connection *conn = famqp_loop_conn_connection(lc);
    switch (e->type) {
    case FAMQP_EVENT_LINK_REMOTE_ATTACH:
        if (e->link != c->link || c->state != C_OPENING)
            break;
        /* A refused link is attached with no source, then detached. */
        if (!famqp_link_remote_source_address(e->link))
            break;
        if (h->setup_mode) {
            c->state = C_CLOSING;
            famqp_connection_close(conn, NULL, NULL);
            break;
        }
        c->state = C_OPEN;
        h->opened++;
        h->pending--;
        start_some(h);
        check_all_open(h);
        break;
    case FAMQP_EVENT_LINK_REMOTE_DETACH:
        if (c->state == C_CLOSING)
            break;
        report(h, i, "the broker detached the link", e->condition.name, e->condition.description);
        c->error = true;
        famqp_connection_close(conn, NULL, NULL);
        break;
    case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
        if (e->condition.name || c->state != C_CLOSING) {
            report(h, i, c->state == C_CLOSING ? "closed by the broker with an error" : "closed by the broker",
                   e->condition.name, e->condition.description);
            c->error = true;
        }
        if (c->state != C_CLOSING)
            famqp_connection_close(conn, NULL, NULL); /* ours answers theirs */
        break;
    case FAMQP_EVENT_CONNECTION_ERROR:
        report(h, i, "failed", e->condition.name, e->condition.description);
        c->error = true;
        break;
    default: break;
    }
}

static void on_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    hconn *c = arg;
    holder *h = c->h;
    size_t i = (size_t)(c - h->conns);
    if (state != FAMQP_IO_OK) { /* the root cause ("connection refused"), after the engine's view */
        report(h, i, c->state == C_CLOSING ? "socket failed while closing" : "socket failed",
               famqp_io_error_message(famqp_loop_conn_io(lc)), NULL);
        c->error = true;
    }
    enum cstate was = c->state;
    c->state = C_DONE;
    if (c->batched)
        h->closes_pending--;
    c->lc = NULL;
    famqp_loop_conn_free(lc);
    h->done++;
    if (was == C_OPENING) {
        h->failed++;
        h->pending--;
    } else if (was == C_OPEN) {
        h->lost++; /* dropped while held: never closed by us */
        report(h, i, "lost while held", NULL, NULL);
    } else if (was == C_CLOSING) {
        if (!c->error)
            h->closed_clean++;
        if (h->setup_mode)
            h->pending--;
    }
    if (h->setup_mode && !h->closing && h->next == h->n && h->pending == 0)
        h->closing = true; /* nothing left to start */
    start_some(h);
    close_some(h);
    check_all_open(h);
    finish_if_done(h);
}

/* Connection i: open, begin, attach, and a non-blocking connect. */
static bool start_conn(holder *h, hconn *c)
{
    size_t i = (size_t)(c - h->conns);
    c->h = h;
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    o.hostname = h->url.host;
    o.idle_timeout_ms = h->idle_timeout_ms;
    o.container_id = "hold_connections";
    famqp_connection *conn = NULL;
    famqp_session *s = NULL;
    char name[32];
    snprintf(name, sizeof name, "hold-%zu", i);
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.source_address = h->address;
    lo.credit_window = 0; /* idle: no credit, no message */
    if (famqp_connection_new(&o, &conn) != FAMQP_ENGINE_OK || famqp_session_new(conn, &s) != FAMQP_ENGINE_OK ||
        famqp_link_new(s, name, FAMQP_LINK_RECEIVER, &lo, &c->link) != FAMQP_ENGINE_OK) {
        report(h, i, "out of memory", NULL, NULL);
        famqp_connection_free(conn);
        return false;
    }
    famqp_connection_open(conn);
    famqp_session_open(s);
    famqp_link_open(c->link);
    famqp_io_error err;
    famqp_io *io = famqp_io_connect_start(&h->url, NULL, conn, &err);
    if (!io) {
        report(h, i, "connect", err.message, NULL);
        famqp_connection_free(conn);
        return false;
    }
    famqp_loop_conn_handler handler = {on_event, on_done, c};
    famqp_loop_status ls = famqp_loop_conn_new(h->loop, io, conn, &handler, &c->lc);
    if (ls != FAMQP_LOOP_OK) {
        report(h, i, "event loop", famqp_loop_status_name(ls), NULL);
        famqp_io_free(io);
        famqp_connection_free(conn);
        return false;
    }
    c->state = C_OPENING;
    return true;
}

/* Keeps at most `concurrency` connections in set-up. */
static void start_some(holder *h)
{
    while (!h->closing && h->pending < h->concurrency && h->next < h->n) {
        hconn *c = &h->conns[h->next++];
        if (start_conn(h, c)) {
            h->pending++;
        } else {
            c->state = C_DONE;
            h->done++;
            h->failed++;
        }
    }
}

static void close_one(holder *h, hconn *c)
{
    c->state = C_CLOSING;
    c->batched = true;
    h->closes_pending++;
    famqp_connection_close(famqp_loop_conn_connection(c->lc), NULL, NULL);
    famqp_loop_conn_flush(c->lc);
}

/* Held connections close `concurrency` at a time, as they opened: 10,000
 * closes at once would keep a broker's loop busy past the idle timeout of
 * the connections still waiting for their turn. */
static void close_some(holder *h)
{
    if (!h->closing || h->setup_mode)
        return;
    while (h->closes_pending < h->concurrency && h->close_next < h->next) {
        hconn *c = &h->conns[h->close_next++];
        if (c->state == C_OPEN)
            close_one(h, c);
    }
}

static void close_all(holder *h)
{
    if (h->closing)
        return;
    h->closing = true;
    h->t_close = famqp_io_now_ms();
    famqp_loop_timer_stop(h->hold_timer);
    famqp_loop_timer_start(h->give_up, h->timeout_ms);
    for (size_t i = 0; i < h->next; i++) {
        hconn *c = &h->conns[i];
        if (c->state == C_OPENING) { /* at most `concurrency` of them */
            h->pending--;
            close_one(h, c);
        }
    }
    if (h->setup_mode) {
        h->close_next = h->next; /* none is held */
    } else {
        close_some(h);
    }
    finish_if_done(h);
}

static void on_hold_over(famqp_loop_timer *t, void *arg)
{
    (void)t;
    close_all(arg);
}

static void on_give_up(famqp_loop_timer *t, void *arg)
{
    (void)t;
    holder *h = arg;
    fprintf(stderr,
            "hold_connections: timed out %s: %zu of %zu opened, %zu failed, %zu lost, %zu closed cleanly, %zu done\n",
            h->closing ? "closing" : "opening", h->opened, h->n, h->failed, h->lost, h->closed_clean, h->done);
    h->timed_out = true;
    famqp_loop_stop(h->loop);
}

static void on_signal(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)w;
    (void)events;
    holder *h = arg;
    struct signalfd_siginfo si;
    /* A signal while closing changes nothing (timeout(1) passes one on
     * twice: to its child and to its process group); --timeout bounds the
     * close. */
    if (read(h->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
        close_all(h);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: hold_connections URL --count N [--concurrency C] [--hold-ms MS] [--idle-timeout MS]\n"
               "                        [--timeout S]\n"
               "       hold_connections URL --setup-rate K --count N [--timeout S]\n"
               "URL: amqp://HOST:PORT[/ADDRESS] (address default \"hold\")\n");
}

static bool number(const char *opt, const char *v, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long n = v && *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
    if (!v || *v < '0' || *v > '9' || *end || errno || n < lo || n > hi) {
        fprintf(stderr, "hold_connections: %s needs a number from %llu to %llu\n", opt, lo, hi);
        return false;
    }
    *out = n;
    return true;
}

/* N connections need N descriptors and some to spare. */
static void raise_fd_limit(size_t n)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= n + 64)
        return;
    r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max > n + 64 ? (rlim_t)(n + 64) : r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur < n + 64)
        fprintf(stderr, "hold_connections: descriptor limit %llu is below %zu: connections will fail\n",
                (unsigned long long)r.rlim_cur, n + 64);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return 2;
    }
    holder h;
    memset(&h, 0, sizeof h);
    h.concurrency = 100;
    h.hold_ms = -1;
    h.timeout_ms = 120000;
    h.sigfd = -1;
    unsigned long long n = 0, v;
    for (int i = 2; i < argc; i += 2) { /* every option takes a value */
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--count")) {
            if (!number(a, val, 1, 1000000, &n))
                return 2;
        } else if (!strcmp(a, "--concurrency") || !strcmp(a, "--setup-rate")) {
            if (!number(a, val, 1, 100000, &v))
                return 2;
            h.concurrency = (size_t)v;
            h.setup_mode |= !strcmp(a, "--setup-rate");
        } else if (!strcmp(a, "--hold-ms")) {
            if (!number(a, val, 0, 86400000, &v))
                return 2;
            h.hold_ms = (long long)v;
        } else if (!strcmp(a, "--idle-timeout")) {
            if (!number(a, val, 0, UINT32_MAX, &v))
                return 2;
            h.idle_timeout_ms = (uint32_t)v;
        } else if (!strcmp(a, "--timeout")) {
            if (!number(a, val, 1, 86400, &v))
                return 2;
            h.timeout_ms = v * 1000;
        } else {
            fprintf(stderr, "hold_connections: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!n) {
        usage(stderr);
        return 2;
    }
    famqp_io_error err;
    if (!famqp_url_parse(argv[1], &h.url, &err)) {
        fprintf(stderr, "hold_connections: %s\n", err.message);
        return 2;
    }
    h.address = h.url.address[0] ? h.url.address : "hold";
    h.n = (size_t)n;
    raise_fd_limit(h.setup_mode ? h.concurrency : h.n); /* what is open at once */
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    h.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    h.conns = calloc(h.n, sizeof *h.conns);
    famqp_loop_options lopts;
    famqp_loop_options_init(&lopts);
    famqp_loop_watch *sw = NULL;
    if (!h.conns || h.sigfd < 0 || famqp_loop_new(&lopts, &h.loop) != FAMQP_LOOP_OK ||
        famqp_loop_timer_new(h.loop, on_hold_over, &h, &h.hold_timer) != FAMQP_LOOP_OK ||
        famqp_loop_timer_new(h.loop, on_give_up, &h, &h.give_up) != FAMQP_LOOP_OK ||
        famqp_loop_watch_new(h.loop, h.sigfd, FAMQP_LOOP_READABLE, on_signal, &h, &sw) != FAMQP_LOOP_OK ||
        famqp_loop_timer_start(h.give_up, h.timeout_ms) != FAMQP_LOOP_OK) {
        fprintf(stderr, "hold_connections: cannot set up the event loop (out of memory or descriptors)\n");
        return 1;
    }
    h.t0 = famqp_io_now_ms();
    start_some(&h);
    check_all_open(&h);
    if (h.setup_mode && h.pending == 0)
        h.closing = true; /* every start failed */
    finish_if_done(&h);
    famqp_loop_status rs = FAMQP_LOOP_OK;
    if (!h.finished)
        rs = famqp_loop_run(h.loop);
    if (rs != FAMQP_LOOP_OK)
        fprintf(stderr, "hold_connections: event loop: %s\n", famqp_loop_status_name(rs));
    if (h.lost)
        fprintf(stderr, "hold_connections: %zu connection(s) lost while held\n", h.lost);
    famqp_loop_free(h.loop); /* what a timeout left open goes with it */
    close(h.sigfd);
    free(h.conns);
    bool ok = rs == FAMQP_LOOP_OK && !h.timed_out && h.closed_clean == h.n;
    return ok ? 0 : 1;
}

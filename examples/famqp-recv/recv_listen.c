/* famqp-recv --listen: the receiver listens and senders connect to it.
 *
 * One poll loop (famqp_io_wait) over the listener and the accepted
 * connections, each driven by an engine in the server role: open, begin
 * and an attach whose target is ADDRESS are answered; any other attach is
 * refused (amqp:not-found).  Credit is granted by hand so that at most N
 * messages are ever asked for.  Unsettled deliveries are accepted (the
 * engine sends consecutive ones as one disposition range), pre-settled
 * ones are settled.  Once N arrived, the run waits for the senders to
 * close (they wait for the last outcomes first), at most --timeout. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "famqp/engine.h"
#include "famqp/io.h"
#include "recv.h"

/* Connections served at once; more are turned away at accept. */
#define MAX_PEERS 16

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

/* The clock of famqp_io_now_ms (CLOCK_MONOTONIC) in microseconds, so a
 * short run still gets a rate. */
static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

typedef struct peer {
    famqp_io *io;
    famqp_connection *conn; /* NULL until the protocol header arrived */
} peer;

typedef struct listen_run {
    const recv_listen_options *o;
    recv_check k;
    peer peers[MAX_PEERS];
    size_t npeers;
    uint64_t round_us;         /* when the current round's input arrived (one clock read per round) */
    uint64_t start_us, end_us; /* first and N-th message */
    uint64_t last_progress_ms;
    uint64_t extra;            /* arrived after N (should not: credit stops at N) */
} listen_run;

/* Our receiving links carry this as context; refused links carry none. */
static char accepted_link;

/* Binds an engine once the peer's protocol header is known. */
static bool bind_engine(peer *p, const uint8_t hdr[8])
{
    famqp_connection_options co;
    famqp_connection_options_init(&co);
    co.role = FAMQP_CONNECTION_SERVER;
    co.container_id = "famqp-recv";
    /* A SASL header gets ANONYMOUS, a bare AMQP header no SASL layer. */
    co.sasl_mechanisms = memcmp(hdr, "AMQP\3", 5) == 0 ? FAMQP_SASL_ANONYMOUS : 0;
    famqp_connection_new(&co, &p->conn);
    if (!p->conn)
        return false;
    famqp_io_set_connection(p->io, p->conn);
    return true;
}

static void on_attach(listen_run *r, famqp_link *l)
{
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    const char *target = famqp_link_remote_target_address(l);
    bool ours = famqp_link_get_role(l) == FAMQP_LINK_RECEIVER && target && strcmp(target, r->o->address) == 0;
    if (!ours) {
        /* Refusal (spec 2.6.3): attach with no terminus, then detach with the reason. */
        char why[512];
        if (famqp_link_get_role(l) == FAMQP_LINK_SENDER)
            snprintf(why, sizeof why, "famqp-recv only receives (at '%s'): nothing to consume from '%s'",
                     r->o->address, famqp_link_remote_source_address(l) ? famqp_link_remote_source_address(l) : "");
        else
            snprintf(why, sizeof why, "famqp-recv receives only at '%s', not at '%s'", r->o->address,
                     target ? target : "(no target)");
        famqp_link_set_options(l, &lo);
        famqp_link_open(l);
        famqp_link_close(l, "amqp:not-found", why);
        return;
    }
    lo.target_address = r->o->address;
    lo.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    lo.rcv_settle_mode = 0;  /* first: we settle as soon as we accept */
    lo.credit_window = 0;    /* granted by grant_credit, never beyond N */
    famqp_link_set_options(l, &lo);
    famqp_link_set_context(l, &accepted_link);
    famqp_link_open(l);
}

static void on_delivery(listen_run *r, famqp_delivery *d)
{
    if (famqp_link_context(famqp_delivery_link(d)) != &accepted_link || recv_check_done(&r->k)) {
        r->extra++;
        if (famqp_delivery_remote_settled(d))
            famqp_delivery_settle(d);
        else
            famqp_delivery_release(d);
        return;
    }
    if (r->k.received == 0)
        r->start_us = r->round_us; /* time the flow, not the wait for the first one */
    r->last_progress_ms = r->round_us / 1000;
    famqp_binary msg = famqp_delivery_message(d);
    recv_check_message(&r->k, msg.ptr, msg.len);
    if (recv_check_done(&r->k))
        r->end_us = r->round_us;
    if (famqp_delivery_remote_settled(d))
        famqp_delivery_settle(d);
    else
        famqp_delivery_accept(d);
}

/* Tops the link's credit up to --credit when half is used, never asking
 * for more than the messages still missing. */
static void grant_credit(listen_run *r, famqp_link *l)
{
    uint64_t missing = r->k.count > r->k.received ? r->k.count - r->k.received : 0;
    uint32_t want = missing < r->o->credit ? (uint32_t)missing : r->o->credit;
    uint32_t have = famqp_link_credit(l);
    if (want > have && have <= r->o->credit / 2)
        famqp_link_set_credit(l, want);
}

static void handle_events(listen_run *r, peer *p)
{
    const famqp_event *e;
    famqp_link *fed = NULL; /* the last link that received: its credit is checked once per batch */
    while ((e = famqp_connection_next_event(p->conn))) {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(p->conn); break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
            if (e->condition.name)
                fprintf(stderr, "famqp-recv: %s closed with %s%s%s\n", famqp_io_peer(p->io), e->condition.name,
                        e->condition.description ? ": " : "",
                        e->condition.description ? e->condition.description : "");
            famqp_connection_close(p->conn, NULL, NULL);
            break;
        case FAMQP_EVENT_CONNECTION_ERROR:
            fprintf(stderr, "famqp-recv: connection from %s failed: %s%s%s\n", famqp_io_peer(p->io),
                    e->condition.name ? e->condition.name : "error", e->condition.description ? ": " : "",
                    e->condition.description ? e->condition.description : "");
            break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
        case FAMQP_EVENT_SESSION_REMOTE_END: famqp_session_close(e->session, NULL, NULL); break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH:
            on_attach(r, e->link);
            if (famqp_link_context(e->link) == &accepted_link)
                grant_credit(r, e->link);
            break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            famqp_link_set_context(e->link, NULL);
            if (fed == e->link)
                fed = NULL;
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_DELIVERY:
            on_delivery(r, e->delivery);
            fed = famqp_delivery_link(e->delivery);
            break;
        case FAMQP_EVENT_DELIVERY_ABORTED: famqp_delivery_settle(e->delivery); break;
        default: break;
        }
    }
    if (fed && famqp_link_context(fed) == &accepted_link)
        grant_credit(r, fed);
}

static void accept_all(listen_run *r, famqp_listener *l)
{
    for (;;) {
        famqp_io *io;
        famqp_io_error err;
        famqp_io_status st = famqp_listener_accept(l, &io, &err);
        if (st == FAMQP_IO_ERR_AGAIN)
            return;
        if (st != FAMQP_IO_OK) {
            fprintf(stderr, "famqp-recv: %s\n", err.message);
            return;
        }
        if (r->npeers == MAX_PEERS) {
            fprintf(stderr, "famqp-recv: %d connections already: turning %s away\n", MAX_PEERS,
                    famqp_io_peer(io));
            famqp_io_free(io);
            continue;
        }
        r->peers[r->npeers++] = (peer){.io = io};
        r->last_progress_ms = famqp_io_now_ms();
    }
}

static void drop_peer(listen_run *r, size_t i)
{
    peer *p = &r->peers[i];
    if (famqp_io_state(p->io) == FAMQP_IO_ERR_FAILED)
        fprintf(stderr, "famqp-recv: %s\n", famqp_io_error_message(p->io));
    famqp_io_free(p->io);
    famqp_connection_free(p->conn);
    r->peers[i] = r->peers[--r->npeers];
}

/* One round: wait for sockets (at most timeout_ms), accept, feed events,
 * drop finished connections. */
static bool round_trip(listen_run *r, famqp_listener *l, int timeout_ms)
{
    famqp_io *ios[MAX_PEERS];
    for (size_t i = 0; i < r->npeers; i++)
        ios[i] = r->peers[i].io;
    if (famqp_io_wait(ios, r->npeers, &l, l ? 1 : 0, timeout_ms) < 0) {
        perror("famqp-recv: poll");
        return false;
    }
    r->round_us = now_us();
    if (l && famqp_listener_ready(l))
        accept_all(r, l);
    for (size_t i = 0; i < r->npeers;) {
        peer *p = &r->peers[i];
        uint8_t hdr[8];
        if (!p->conn && famqp_io_peek_header(p->io, hdr) && !bind_engine(p, hdr)) {
            fprintf(stderr, "famqp-recv: out of memory: dropping %s\n", famqp_io_peer(p->io));
            drop_peer(r, i);
            continue;
        }
        if (p->conn)
            handle_events(r, p);
        if (famqp_io_done(p->io)) {
            drop_peer(r, i);
            continue;
        }
        i++;
    }
    return true;
}

static void print_listening(const char *listen_at, uint16_t port)
{
    char host[256];
    snprintf(host, sizeof host, "%s", listen_at);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("listening on %s:%u\n", host[0] ? host : "0.0.0.0", (unsigned)port);
    fflush(stdout);
}

int recv_listen(const recv_listen_options *o)
{
    listen_run *r = calloc(1, sizeof *r);
    if (!r || !recv_check_init(&r->k, o->count, o->check, false)) {
        fprintf(stderr, "famqp-recv: out of memory\n");
        free(r);
        return 1;
    }
    r->o = o;
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open_hostport(o->listen_at, NULL, &err);
    if (!l) {
        fprintf(stderr, "famqp-recv: %s\n", err.message);
        recv_check_free(&r->k);
        free(r);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    print_listening(o->listen_at, famqp_listener_port(l));

    int rc = 0;
    r->last_progress_ms = famqp_io_now_ms();
    while (!recv_check_done(&r->k)) {
        if (stop_signal) {
            fprintf(stderr, "famqp-recv: %s after %" PRIu64 " of %" PRIu64 " messages\n",
                    stop_signal == SIGINT ? "SIGINT" : "SIGTERM", r->k.received, o->count);
            rc = 1;
            break;
        }
        int left = famqp_io_ms_until(r->last_progress_ms + (uint64_t)o->timeout_ms);
        if (left == 0) {
            fprintf(stderr, "famqp-recv: after %" PRIu64 " of %" PRIu64 " messages: %s for %d s\n", r->k.received,
                    o->count, r->npeers ? "no message" : "no sender connected", o->timeout_ms / 1000);
            rc = 1;
            break;
        }
        if (!round_trip(r, l, left < 1000 ? left : 1000)) {
            rc = 1;
            break;
        }
    }
    /* No new senders; the connected ones get their last outcomes and close
     * (famqp-send detaches and closes once every outcome arrived). */
    famqp_listener_close(l);
    uint64_t grace = famqp_io_now_ms() + (uint64_t)(rc == 0 ? o->timeout_ms : 0);
    while (r->npeers && !stop_signal && famqp_io_ms_until(grace) > 0)
        if (!round_trip(r, NULL, famqp_io_ms_until(grace) < 1000 ? famqp_io_ms_until(grace) : 1000))
            break;
    if (r->npeers && rc == 0)
        fprintf(stderr, "famqp-recv: %zu sender(s) still connected after all messages: closing\n", r->npeers);
    for (size_t i = 0; i < r->npeers; i++)
        if (r->peers[i].conn)
            famqp_connection_close(r->peers[i].conn, NULL, NULL);
    for (size_t i = 0; i < r->npeers; i++)
        famqp_io_flush(r->peers[i].io, 200);
    while (r->npeers)
        drop_peer(r, r->npeers - 1);

    if (r->extra)
        fprintf(stderr, "famqp-recv: %" PRIu64 " message(s) beyond the %" PRIu64 " wanted were released\n", r->extra,
                o->count);
    rc = recv_check_finish(&r->k, rc);
    uint64_t end = r->end_us ? r->end_us : now_us();
    recv_print_rate(r->k.received, r->k.received ? end - r->start_us : 0);
    recv_check_free(&r->k);
    free(r);
    return rc;
}

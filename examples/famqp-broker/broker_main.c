/* famqp-broker: command line, the poll loop over the listener and all
 * client connections, and shutdown on SIGINT/SIGTERM. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "tool.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-broker [--listen HOST:PORT] [--user U --password P]\n"
            "                    [--tls-cert FILE --tls-key FILE] [--credit N] [--max-depth N] [--verbose]\n"
            "\n"
            "An in-memory AMQP 1.0 queue broker.  A queue is created when a link attaches\n"
            "to an address (the target of a sender, the source of a receiver).  Messages\n"
            "are accepted once queued and removed when a consumer accepts them; released\n"
            "or modified messages and those in flight to a consumer that detaches are\n"
            "queued again; rejected ones are dropped.  Consumers of a queue are served\n"
            "round-robin within their credit.\n"
            "\n"
            "  --listen HOST:PORT   where to listen (default 127.0.0.1:5672; port 0 picks\n"
            "                       a free one); prints 'listening on HOST:PORT' when ready\n"
            "  --user U --password P  require SASL PLAIN with these credentials: ANONYMOUS\n"
            "                       and connections without SASL are refused (otherwise\n"
            "                       ANONYMOUS, or no SASL at all); the password is never printed\n"
            "  --tls-cert FILE --tls-key FILE  serve amqps (PEM certificate chain and key)\n"
            "  --credit N           credit window granted to each sender, 1 to 4294967295\n"
            "                       (default 1000)\n"
            "  --max-depth N        no new credit to senders of a queue holding N messages,\n"
            "                       1 to 4294967295 (default 1000000); logged when reached\n"
            "  --accept-when-consumed  accept a sender's message only when a consumer\n"
            "                       accepted it (its rejection is passed back too): the\n"
            "                       broker then never acknowledges a message it could\n"
            "                       still lose by dying (end-to-end at-least-once)\n"
            "  --verbose            log connections and links to stderr\n"
            "  --help               this text\n");
}


static bool add_client(broker *b, client *cl)
{
    if (b->nclients == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        client **a = realloc(b->clients, cap * sizeof *a);
        if (!a)
            return false;
        b->clients = a;
        b->cap = cap;
    }
    b->clients[b->nclients++] = cl;
    return true;
}

static void accept_all(broker *b, famqp_listener *l)
{
    for (;;) {
        famqp_io *io;
        famqp_io_error err;
        famqp_io_status st = famqp_listener_accept(l, &io, &err);
        if (st == FAMQP_IO_ERR_AGAIN)
            return;
        if (st != FAMQP_IO_OK) {
            fprintf(stderr, "famqp-broker: %s\n", err.message);
            return;
        }
        client *cl = client_new(b, io);
        if (!cl || !add_client(b, cl)) {
            fprintf(stderr, "famqp-broker: out of memory: dropping connection from %s\n", famqp_io_peer(io));
            free(cl);
            famqp_io_free(io);
        }
    }
}

int main(int argc, char **argv)
{
    const char *listen_at = "127.0.0.1:5672";
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    broker b;
    memset(&b, 0, sizeof b);
    b.cfg.credit = 1000;
    b.cfg.max_depth = 1000000;
    b.next_id = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            b.cfg.verbose = true;
            continue;
        } else if (strcmp(a, "--accept-when-consumed") == 0) {
            b.cfg.accept_when_consumed = true;
            continue;
        }
        if (strcmp(a, "--credit") == 0 || strcmp(a, "--max-depth") == 0) {
            if (!tool_arg_u64("famqp-broker", a, v, 1, UINT32_MAX, &n))
                return 2;
            if (strcmp(a, "--credit") == 0)
                b.cfg.credit = (uint32_t)n;
            else
                b.cfg.max_depth = (size_t)n;
            i++;
            continue;
        }
        bool known = !strcmp(a, "--listen") || !strcmp(a, "--user") || !strcmp(a, "--password") ||
                     !strcmp(a, "--tls-cert") || !strcmp(a, "--tls-key");
        if (!known) {
            fprintf(stderr, "famqp-broker: unknown option %s (see --help)\n", a);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "famqp-broker: %s needs a value (see --help)\n", a);
            return 2;
        }
        if (strcmp(a, "--listen") == 0)
            listen_at = v;
        else if (strcmp(a, "--user") == 0)
            b.cfg.user = v;
        else if (strcmp(a, "--password") == 0)
            b.cfg.password = v;
        else if (strcmp(a, "--tls-cert") == 0)
            lo.tls_cert_file = v;
        else
            lo.tls_key_file = v;
        i++;
    }
    if (!b.cfg.user != !b.cfg.password) {
        fprintf(stderr, "famqp-broker: --user and --password go together\n");
        return 2;
    }
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open_hostport(listen_at, &lo, &err);
    if (!l) {
        fprintf(stderr, "famqp-broker: %s\n", err.message);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char host[256];
    snprintf(host, sizeof host, "%s", listen_at);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("listening on %s:%u%s\n", host[0] ? host : "0.0.0.0", (unsigned)famqp_listener_port(l),
           lo.tls_cert_file ? " (amqps)" : "");
    fflush(stdout);

    famqp_io **ios = NULL;
    size_t ios_cap = 0;
    int rc = 0;
    while (!stop_signal) {
        if (ios_cap < b.nclients) {
            famqp_io **a = realloc(ios, b.cap * sizeof *a);
            if (!a) {
                fprintf(stderr, "famqp-broker: out of memory\n");
                rc = 1;
                break;
            }
            ios = a;
            ios_cap = b.cap;
        }
        for (size_t i = 0; i < b.nclients; i++)
            ios[i] = b.clients[i]->io;
        if (famqp_io_wait(ios, b.nclients, &l, 1, 1000) < 0) {
            perror("famqp-broker: poll");
            rc = 1;
            break;
        }
        if (famqp_listener_ready(l))
            accept_all(&b, l);
        for (size_t i = 0; i < b.nclients;) {
            client *cl = b.clients[i];
            if (!cl->conn)
                client_bind(cl);
            client_handle_events(cl);
            if (famqp_io_done(cl->io)) {
                if (famqp_io_state(cl->io) == FAMQP_IO_ERR_FAILED) {
                    const char *why = famqp_io_error_message(cl->io);
                    /* OpenSSL's words for "the first bytes were no TLS record":
                     * the only sign of a plain client we get, as the TLS layer
                     * reads the raw bytes, not us. */
                    bool plain = lo.tls_cert_file && strstr(why, "TLS handshake") &&
                                 (strstr(why, "wrong version number") || strstr(why, "http request") ||
                                  strstr(why, "packet length too long"));
                    fprintf(stderr, "famqp-broker: %s%s\n", why,
                            plain ? " (the client did not speak TLS: plain amqp:// to this amqps port?)" : "");
                }
                else if (b.cfg.verbose)
                    fprintf(stderr, "famqp-broker: connection from %s ended\n", famqp_io_peer(cl->io));
                client_free(cl);
                b.clients[i] = b.clients[--b.nclients];
                continue;
            }
            i++;
        }
        for (queue *q = b.queues; q; q = q->next)
            queue_dispatch(q);
        for (size_t i = 0; i < b.nclients; i++)
            client_top_up_credit(b.clients[i]);
    }
    if (stop_signal)
        fprintf(stderr, "famqp-broker: %s: shutting down\n", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    /* Tell connected clients, give the close frames a moment to leave. */
    for (size_t i = 0; i < b.nclients; i++)
        if (b.clients[i]->conn)
            famqp_connection_close(b.clients[i]->conn, "amqp:connection:forced", "famqp-broker is shutting down");
    for (size_t i = 0; i < b.nclients; i++)
        famqp_io_flush(b.clients[i]->io, 200);
    for (size_t i = 0; i < b.nclients; i++)
        client_free(b.clients[i]);
    free(b.clients);
    free(ios);
    broker_free_queues(&b);
    famqp_listener_close(l);
    return rc;
}

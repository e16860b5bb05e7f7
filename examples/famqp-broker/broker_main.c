/* famqp-broker: command line, the worker threads (worker 0 on the main
 * thread, with the listener and the signals), and shutdown on
 * SIGINT/SIGTERM. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "broker.h"
#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-broker [--listen HOST:PORT] [--user U --password P]\n"
            "                    [--tls-cert FILE --tls-key FILE] [--credit N] [--max-depth N]\n"
            "                    [--threads N] [--verbose]\n"
            "\n"
            "An in-memory AMQP 1.0 queue broker.  A queue is created when a link attaches\n"
            "to an address (the target of a sender, the source of a receiver).  Messages\n"
            "are accepted once queued and removed when a consumer accepts them; released\n"
            "or modified messages and those in flight to a consumer that detaches are\n"
            "queued again; rejected ones are dropped.  Consumers of a queue are served\n"
            "round-robin within their credit.  A message is passed on byte for byte with\n"
            "the message-format it came with (e.g. Event Hubs batches, 0x80013700).\n"
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
            "                       1 to 4294967295 (default 1000000); logged when reached;\n"
            "                       never more credit than the room left (a queue with one\n"
            "                       sender holds at most N)\n"
            "  --accept-when-consumed  accept a sender's message only when a consumer\n"
            "                       accepted it (its rejection is passed back too): the\n"
            "                       broker then never acknowledges a message it could\n"
            "                       still lose by dying (end-to-end at-least-once)\n"
            "  --threads N          run N event loops on N threads, 1 to 64 (default 1):\n"
            "                       connections are spread over them in turn; queues are\n"
            "                       shared (order per sender, credit and --max-depth hold)\n"
            "  --verbose            log connections and links (and the peer's properties) to stderr\n"
            "  --help               this text\n");
}


/* SIGINT/SIGTERM arrive as a signalfd the loop watches (they are blocked
 * for every thread), so the loop sleeps until there is work. */
typedef struct signals {
    int fd;
    int which; /* the signal that ended the loop, or 0 */
} signals;

static void on_signal(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)events;
    signals *s = arg;
    struct signalfd_siginfo si;
    if (read(s->fd, &si, sizeof si) == (ssize_t)sizeof si) {
        s->which = (int)si.ssi_signo;
        famqp_loop_stop(famqp_loop_watch_loop(w));
    }
}

int main(int argc, char **argv)
{
    const char *listen_at = "127.0.0.1:5672";
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    broker b;
    memset(&b, 0, sizeof b);
    b.cfg.threads = 1;
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
        if (strcmp(a, "--threads") == 0) {
            if (!tool_arg_u64("famqp-broker", a, v, 1, 64, &n))
                return 2;
            b.cfg.threads = (unsigned)n;
            i++;
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
    b.cfg.tls = lo.tls_cert_file != NULL;
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open_hostport(listen_at, &lo, &err);
    if (!l) {
        fprintf(stderr, "famqp-broker: %s\n", err.message);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    signals sig = {.fd = -1};
    famqp_loop_watch *sig_watch = NULL;
    famqp_loop_listener *ll = NULL;
    unsigned made = 0; /* workers initialised (to destroy) */
    famqp_loop_status ls = FAMQP_LOOP_ERR_NOMEM;
    b.workers = calloc(b.cfg.threads, sizeof *b.workers);
    if (b.workers && pthread_mutex_init(&b.mu, NULL) == 0) {
        ls = FAMQP_LOOP_OK;
        for (; made < b.cfg.threads && ls == FAMQP_LOOP_OK; made++)
            ls = worker_init(&b, made);
    }
    worker *w0 = b.workers ? &b.workers[0] : NULL;
    if (ls == FAMQP_LOOP_OK) {
        /* Blocked before the threads start, so every thread inherits it. */
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (sig.fd < 0)
            ls = FAMQP_LOOP_ERR_SYSTEM;
    }
    if (ls == FAMQP_LOOP_OK)
        ls = famqp_loop_watch_new(w0->loop, sig.fd, FAMQP_LOOP_READABLE, on_signal, &sig, &sig_watch);
    if (ls == FAMQP_LOOP_OK)
        ls = famqp_loop_listener_new(w0->loop, l, client_accept, w0, &ll);
    unsigned started = 1; /* threads running: worker 0 is this one */
    while (ls == FAMQP_LOOP_OK && started < b.cfg.threads) {
        if (pthread_create(&b.workers[started].thread, NULL, worker_thread, &b.workers[started]) != 0)
            ls = FAMQP_LOOP_ERR_SYSTEM;
        else
            started++;
    }
    if (ls != FAMQP_LOOP_OK) {
        fprintf(stderr, "famqp-broker: event loop: %s\n", famqp_loop_status_name(ls));
        for (unsigned i = 1; i < started; i++) {
            worker_stop(&b.workers[i]);
            pthread_join(b.workers[i].thread, NULL);
        }
        if (!ll)
            famqp_listener_close(l);
        famqp_loop_listener_free(ll);
        famqp_loop_watch_free(sig_watch);
        for (unsigned i = 0; i < made; i++)
            worker_destroy(&b.workers[i]);
        free(b.workers);
        if (sig.fd >= 0)
            close(sig.fd);
        return 1;
    }

    char host[256];
    snprintf(host, sizeof host, "%s", listen_at);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("listening on %s:%u%s\n", host[0] ? host : "0.0.0.0", (unsigned)famqp_listener_port(l),
           lo.tls_cert_file ? " (amqps)" : "");
    fflush(stdout);

    int rc = 0;
    if (famqp_loop_run(w0->loop) != FAMQP_LOOP_OK) {
        perror("famqp-broker: epoll");
        rc = 1;
    }
    if (sig.which)
        fprintf(stderr, "famqp-broker: %s: shutting down\n", sig.which == SIGINT ? "SIGINT" : "SIGTERM");
    /* No new connections; every worker tells its clients and frees them
     * (in parallel), then the shared queues go. */
    famqp_loop_listener_free(ll);
    for (unsigned i = 1; i < b.cfg.threads; i++)
        worker_stop(&b.workers[i]);
    worker_close_clients(w0);
    for (unsigned i = 1; i < b.cfg.threads; i++) {
        pthread_join(b.workers[i].thread, NULL);
        if (b.workers[i].run_failed)
            rc = 1;
    }
    broker_free_queues(&b);
    famqp_loop_watch_free(sig_watch);
    close(sig.fd);
    for (unsigned i = 0; i < b.cfg.threads; i++)
        worker_destroy(&b.workers[i]);
    free(b.workers);
    pthread_mutex_destroy(&b.mu);
    return rc;
}

/* Fuzz target: famqp-broker's connection handling (issue 18), not only the
 * engine: the broker's own sources (all but broker_main.c) are built in,
 * two brokers are set up once as famqp-broker's main would (one worker
 * each, its loop run here), and every input is one client connection to
 * one of them over loopback TCP: the protocol header check and TLS sniff,
 * SASL PLAIN (constant-time check, authzid), the handshake deadline,
 * attaches to queues, $cbs, $management and event hubs, transfers,
 * outcomes, credit, detaches and the connection's end.
 *
 * Byte 0 configures the run:
 *   bit 0    the broker: 0 anonymous (no SASL needed, plain queues);
 *            1 --user guest --password guest, --sas-key, event hub "hub"
 *   bits 1-3 chunk size the rest is written in: whole, 1, 2, 3, 8, 64,
 *            512, 4096 bytes (the loop runs between chunks)
 * The rest is what the client sends.  The broker's output is read and
 * dropped.  After the input the client shuts its side; the loop runs until
 * the broker freed the connection (bounded; then it is freed by force, as
 * at shutdown), and the queues are emptied so inputs do not add up. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker.h"
#include "fuzz_target.h"

typedef struct fuzz_broker {
    broker b;
    emu_config entities;
    famqp_sas_key key;
    famqp_loop_listener *ll;
    uint16_t port;
} fuzz_broker;

static fuzz_broker brokers[2];

static void setup(fuzz_broker *fb, bool secure)
{
    broker *b = &fb->b;
    b->cfg.threads = 1;
    b->cfg.credit = 100;
    b->cfg.max_depth = 1000;
    b->cfg.eh_max_events = 1000;
    b->cfg.eh_max_bytes = 65536;
    b->cfg.handshake_ms = 10000;
    b->cfg.idle_timeout_ms = 60000;
    b->cfg.max_auth_rate = 1000000;
    b->next_id = 1;
    emu_config_init(&fb->entities);
    b->cfg.entities = &fb->entities;
    if (secure) {
        char why[600];
        b->cfg.user = "guest";
        b->cfg.password = "guest";
        fb->key = (famqp_sas_key){"RootManageSharedAccessKey", "SAS_KEY_VALUE"};
        b->cfg.sas_keys = &fb->key;
        b->cfg.nsas_keys = 1;
        FUZZ_CHECK(emu_config_add_event_hub(&fb->entities, "hub:2", why, sizeof why), "%s", why);
        FUZZ_CHECK(auth_guard_init(b), "auth guard");
    }
    FUZZ_CHECK(eh_setup(b), "eh_setup");
    b->workers = calloc(1, sizeof *b->workers);
    FUZZ_CHECK(b->workers && pthread_mutex_init(&b->mu, NULL) == 0, "workers");
    FUZZ_CHECK(worker_init(b, 0) == FAMQP_LOOP_OK, "worker_init");
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open_hostport("127.0.0.1:0", NULL, &err);
    FUZZ_CHECK(l, "listen: %s", err.message);
    fb->port = famqp_listener_port(l);
    FUZZ_CHECK(famqp_loop_listener_new(b->workers[0].loop, l, client_accept, &b->workers[0], &fb->ll) ==
                   FAMQP_LOOP_OK,
               "loop listener");
}

/* Wake-ups until one finds nothing to do (at most rounds), then one that
 * may wait a millisecond (without it a grant of credit made while
 * handling one chunk was not always in place when the next arrived). */
static void run(worker *w, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        size_t ran = 0;
        famqp_loop_run_once(w->loop, 0, &ran);
        if (!ran)
            break;
    }
    famqp_loop_run_once(w->loop, 1, NULL);
}

/* Reads and drops what the broker wrote (false: the socket ended). */
static bool drain(int fd)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        signal(SIGPIPE, SIG_IGN);
        setup(&brokers[0], false);
        setup(&brokers[1], true);
        ready = true;
    }
    if (size < 1)
        return 0;
    static const size_t chunks[] = {0, 1, 2, 3, 8, 64, 512, 4096};
    fuzz_broker *fb = &brokers[data[0] & 1];
    size_t chunk = chunks[(data[0] >> 1) & 7];
    data++;
    size--;
    if (!chunk)
        chunk = size ? size : 1;
    broker *b = &fb->b;
    worker *w = &b->workers[0];
    if (b->auth) { /* every input starts with no failed logins remembered */
        auth_guard_free(b);
        FUZZ_CHECK(auth_guard_init(b), "auth guard");
    }

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    FUZZ_CHECK(fd >= 0, "socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(fb->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    FUZZ_CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s", strerror(errno));
    for (int i = 0; i < 100 && w->nclients == 0; i++)
        famqp_loop_run_once(w->loop, 10, NULL);
    FUZZ_CHECK(w->nclients == 1, "the broker did not accept");

    bool open = true;
    for (size_t off = 0; off < size && open; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        size_t sent = 0;
        for (int tries = 0; sent < n && tries < 1000; tries++) {
            ssize_t k = send(fd, data + off + sent, n - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (k > 0)
                sent += (size_t)k;
            else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                break;
            run(w, 8);
            open = drain(fd);
        }
        if (sent < n)
            break; /* the broker closed or stopped reading */
        run(w, 8);
        open = drain(fd) && w->nclients;
    }
    shutdown(fd, SHUT_WR);
    for (int i = 0; i < 200 && w->nclients; i++) {
        famqp_loop_run_once(w->loop, 1, NULL);
        drain(fd);
    }
    while (w->nclients) /* e.g. waiting out a deadline: freed as at shutdown */
        client_free(w->clients[w->nclients - 1]);
    close(fd);
    run(w, 8);
    broker_free_queues(b);
    return 0;
}

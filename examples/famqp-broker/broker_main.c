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
#include "broker_ws.h"
#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-broker [--listen HOST:PORT] [--ws-listen HOST:PORT [--ws-max-frame N]]\n"
            "                    [--user U --password P]\n"
            "                    [--tls-cert FILE --tls-key FILE] [--credit N] [--max-depth N]\n"
            "                    [--detach-stalled-after MS] [--max-queues N]\n"
            "                    [--auto-delete-after MS] [--max-memory BYTES]\n"
            "                    [--max-queue-bytes BYTES]\n"
            "                    [--threads N] [--sas-key NAME=KEY]... [--verbose]\n"
            "                    [--config FILE]... [--event-hub NAME[:PARTITIONS]]...\n"
            "                    [--sb-queue NAME]... [--sb-topic NAME:SUB[,SUB...]]... [--check-config]\n"
            "                    [--eh-max-events N] [--eh-max-bytes B]\n"
            "                    [--handshake-timeout MS] [--idle-timeout MS] [--max-auth-rate N]\n"
            "                    [--allow-authzid]\n"
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
            "  --ws-listen HOST:PORT  also listen for AMQP over WebSockets (ws://, or wss://\n"
            "                       with --tls-cert/--tls-key) at path /$servicebus/websocket,\n"
            "                       subprotocols AMQPWSB10 and amqp; prints 'ws listening on\n"
            "                       HOST:PORT' when ready\n"
            "  --ws-max-frame N     the largest WebSocket frame payload the broker sends,\n"
            "                       16 to 16777216 (default 65536)\n"
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
            "  --detach-stalled-after MS  detach a consumer that has been stalled for MS\n"
            "                       milliseconds (it holds max_unsettled_per_link, 65536,\n"
            "                       unsettled deliveries) with amqp:resource-limit-exceeded;\n"
            "                       its messages go to the other consumers; 0 to 4294967295\n"
            "                       (default 0: never; stalled consumers are skipped anyway)\n"
            "  --max-memory BYTES   bytes of messages the broker holds (queued, being\n"
            "                       sent, awaiting outcomes), 1 MiB to 2^48 (default half\n"
            "                       the machine's memory, at least 64 MiB): senders get\n"
            "                       credit for what fits, none at the budget (nothing\n"
            "                       accepted is dropped)\n"
            "  --max-queue-bytes BYTES  bytes of messages one queue holds, 1 MiB to 2^48\n"
            "                       (default: --max-memory); its senders get no credit beyond\n"
            "  --max-queues N       at most N queues, 1 to 4294967295 (default 100000): an\n"
            "                       attach to a new address beyond it is refused with\n"
            "                       amqp:resource-limit-exceeded\n"
            "  --auto-delete-after MS  delete a queue once it has been empty and without\n"
            "                       links for MS milliseconds, 0 to 4294967295 (default\n"
            "                       30000; 0: never)\n"
            "  --accept-when-consumed  accept a sender's message only when a consumer\n"
            "                       accepted it (its rejection is passed back too): the\n"
            "                       broker then never acknowledges a message it could\n"
            "                       still lose by dying (end-to-end at-least-once)\n"
            "  --threads N          run N event loops on N threads, 1 to 64 (default 1):\n"
            "                       connections are spread over them in turn; queues are\n"
            "                       shared (order per sender, credit and --max-depth hold)\n"
            "  --sas-key NAME=KEY   claims-based security, as Azure Event Hubs and Service Bus:\n"
            "                       a link to an address needs a SAS token covering it, put\n"
            "                       to the $cbs node first (signed with a key given here;\n"
            "                       repeatable, at most 16); refused with\n"
            "                       amqp:unauthorized-access without one, detached when it\n"
            "                       expires\n"
            "  --config FILE        Azure emulator entities: an Event Hubs or a Service Bus\n"
            "                       emulator Config.json (one of each at most; // comments\n"
            "                       allowed); checked against the emulators' schemas, a\n"
            "                       problem names the file and the path in it and the broker\n"
            "                       does not start\n"
            "  --event-hub NAME[:PARTITIONS]  an event hub (default 2 partitions, consumer\n"
            "                       group $default)\n"
            "  --sb-queue NAME      a Service Bus queue (the emulator's default properties)\n"
            "  --sb-topic NAME:SUB[,SUB...]  a Service Bus topic and its subscriptions\n"
            "  --check-config       print the entities the options above give and exit (0, or\n"
            "                       1 with the problem)\n"
            "                       With entities and no --sas-key, CBS is on with the\n"
            "                       emulators' key RootManageSharedAccessKey=SAS_KEY_VALUE.\n"
            "                       Event hubs are emulated: <hub> and <hub>/Partitions/<n>\n"
            "                       take events (batches split), each partition a log read\n"
            "                       from <hub>/ConsumerGroups/<group>/Partitions/<n> at the\n"
            "                       selector filter's position, epochs, $management READ.\n"
            "                       Service Bus queues, topics and subscriptions are\n"
            "                       emulated: peek-lock with lock tokens and LockDuration,\n"
            "                       complete/abandon/dead-letter/defer, MaxDeliveryCount,\n"
            "                       <entity>/$deadletterqueue, sessions, time to live,\n"
            "                       scheduled messages and <entity>/$management\n"
            "  --eh-max-events N    events an event hub partition retains, 1 to 100000000\n"
            "                       (default 1000000); the oldest are dropped past it\n"
            "  --eh-max-bytes B     bytes of events a partition retains, 65536 to 2^40\n"
            "                       (default 268435456, 256 MiB); the oldest dropped past it\n"
            "  --handshake-timeout MS  a connection must send its protocol header, finish\n"
            "                       SASL and send open within MS ms of connecting, 100 to\n"
            "                       3600000 (default 10000): closed otherwise (before SASL\n"
            "                       is done the socket is just closed; after it with\n"
            "                       amqp:resource-limit-exceeded)\n"
            "  --idle-timeout MS    close a connection that sent nothing for MS ms (with\n"
            "                       amqp:resource-limit-exceeded); half of it is advertised\n"
            "                       in open for the peer's heartbeats; 0 to 86400000, 0 for\n"
            "                       none (default 60000)\n"
            "  --max-auth-rate N    with --user: at most N PLAIN logins checked a second,\n"
            "                       from all clients together (more are refused unchecked),\n"
            "                       1 to 1000000 (default 100); an address's connections\n"
            "                       also wait 100 ms after a failed login, doubled per\n"
            "                       failure up to 10 s, before their handshake is read\n"
            "  --allow-authzid      with --user: accept a PLAIN authzid naming another\n"
            "                       identity than the user (ignored; by default refused)\n"
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
    const char *ws_listen_at = NULL;
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    broker b;
    memset(&b, 0, sizeof b);
    b.cfg.threads = 1;
    b.cfg.credit = 1000;
    b.cfg.max_depth = 1000000;
    b.cfg.auto_delete_ms = 30000;
    b.cfg.max_queues = 100000;
    b.cfg.max_memory = budget_default_memory();
    bool queue_bytes_set = false;
    b.cfg.eh_max_events = 1000000;
    b.cfg.eh_max_bytes = (size_t)256 << 20;
    b.cfg.handshake_ms = 10000;
    b.cfg.idle_timeout_ms = 60000;
    b.cfg.max_auth_rate = 100;
    b.next_id = 1;
    enum { MAX_SAS_KEYS = 16 };
    static char key_names[MAX_SAS_KEYS][256];
    static famqp_sas_key sas_keys[MAX_SAS_KEYS];
    size_t nkeys = 0;
    b.cfg.sas_keys = sas_keys;
    static emu_config entities; /* the broker's for its lifetime */
    emu_config_init(&entities);
    bool check_config = false;
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
        } else if (strcmp(a, "--allow-authzid") == 0) {
            b.cfg.allow_authzid = true;
            continue;
        } else if (strcmp(a, "--check-config") == 0) {
            check_config = true;
            continue;
        }
        if (!strcmp(a, "--config") || !strcmp(a, "--event-hub") || !strcmp(a, "--sb-queue") ||
            !strcmp(a, "--sb-topic")) {
            char why[600];
            if (!v) {
                fprintf(stderr, "famqp-broker: %s needs a value (see --help)\n", a);
                return 2;
            }
            bool ok = !strcmp(a, "--config")      ? emu_config_load_file(&entities, v, why, sizeof why)
                      : !strcmp(a, "--event-hub") ? emu_config_add_event_hub(&entities, v, why, sizeof why)
                      : !strcmp(a, "--sb-queue")  ? emu_config_add_sb_queue(&entities, v, why, sizeof why)
                                                  : emu_config_add_sb_topic(&entities, v, why, sizeof why);
            if (!ok) {
                fprintf(stderr, "famqp-broker: %s\n", why);
                emu_config_free(&entities);
                return strcmp(a, "--config") ? 2 : 1;
            }
            i++;
            continue;
        }
        if (!strcmp(a, "--handshake-timeout") || !strcmp(a, "--idle-timeout") || !strcmp(a, "--max-auth-rate")) {
            bool hs = !strcmp(a, "--handshake-timeout"), idle = !strcmp(a, "--idle-timeout");
            if (!tool_arg_u64("famqp-broker", a, v, hs ? 100 : idle ? 0 : 1, hs ? 3600000 : idle ? 86400000 : 1000000,
                              &n))
                return 2;
            *(hs ? &b.cfg.handshake_ms : idle ? &b.cfg.idle_timeout_ms : &b.cfg.max_auth_rate) = (uint32_t)n;
            i++;
            continue;
        }
        if (strcmp(a, "--threads") == 0) {
            if (!tool_arg_u64("famqp-broker", a, v, 1, 64, &n))
                return 2;
            b.cfg.threads = (unsigned)n;
            i++;
            continue;
        }
        if (strcmp(a, "--eh-max-events") == 0 || strcmp(a, "--eh-max-bytes") == 0) {
            bool events = strcmp(a, "--eh-max-events") == 0;
            if (!tool_arg_u64("famqp-broker", a, v, events ? 1 : 65536, events ? 100000000 : (uint64_t)1 << 40, &n))
                return 2;
            if (events)
                b.cfg.eh_max_events = (size_t)n;
            else
                b.cfg.eh_max_bytes = (size_t)n;
            i++;
            continue;
        }
        if (!strcmp(a, "--detach-stalled-after") || !strcmp(a, "--auto-delete-after") || !strcmp(a, "--max-queues")) {
            bool queues = !strcmp(a, "--max-queues");
            if (!tool_arg_u64("famqp-broker", a, v, queues ? 1 : 0, UINT32_MAX, &n))
                return 2;
            if (queues)
                b.cfg.max_queues = (size_t)n;
            else if (!strcmp(a, "--auto-delete-after"))
                b.cfg.auto_delete_ms = n;
            else
                b.cfg.detach_stalled_ms = n;
            i++;
            continue;
        }
        if (strcmp(a, "--max-memory") == 0 || strcmp(a, "--max-queue-bytes") == 0) {
            if (!tool_arg_u64("famqp-broker", a, v, (uint64_t)1 << 20, (uint64_t)1 << 48, &n))
                return 2;
            if (strcmp(a, "--max-memory") == 0) {
                b.cfg.max_memory = (size_t)n;
            } else {
                b.cfg.max_queue_bytes = (size_t)n;
                queue_bytes_set = true;
            }
            i++;
            continue;
        }
        if (strcmp(a, "--ws-max-frame") == 0) {
            if (!tool_arg_u64("famqp-broker", a, v, 16, 16u << 20, &n))
                return 2;
            lo.ws_max_frame = (size_t)n;
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
        if (strcmp(a, "--sas-key") == 0) {
            const char *eq = v ? strchr(v, '=') : NULL;
            if (!eq || eq == v || !eq[1]) {
                fprintf(stderr, "famqp-broker: --sas-key takes NAME=KEY (the key may itself hold '=')\n");
                return 2;
            }
            if (nkeys == MAX_SAS_KEYS) {
                fprintf(stderr, "famqp-broker: at most %d --sas-key options\n", MAX_SAS_KEYS);
                return 2;
            }
            size_t n = (size_t)(eq - v);
            if (n >= sizeof key_names[0]) {
                fprintf(stderr, "famqp-broker: --sas-key: the key name is longer than %zu bytes\n",
                        sizeof key_names[0] - 1);
                return 2;
            }
            memcpy(key_names[nkeys], v, n);
            key_names[nkeys][n] = '\0';
            sas_keys[nkeys] = (famqp_sas_key){key_names[nkeys], eq + 1};
            nkeys++;
            i++;
            continue;
        }
        bool known = !strcmp(a, "--listen") || !strcmp(a, "--ws-listen") || !strcmp(a, "--user") || !strcmp(a, "--password") ||
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
        else if (strcmp(a, "--ws-listen") == 0)
            ws_listen_at = v;
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
    if (!queue_bytes_set || b.cfg.max_queue_bytes > b.cfg.max_memory)
        b.cfg.max_queue_bytes = b.cfg.max_memory;
    if (!b.cfg.user != !b.cfg.password) {
        fprintf(stderr, "famqp-broker: --user and --password go together\n");
        return 2;
    }
    b.cfg.tls = lo.tls_cert_file != NULL;
    if (check_config) {
        if (!emu_config_any(&entities))
            printf("no entities (give --config, --event-hub, --sb-queue or --sb-topic)\n");
        emu_config_print(stdout, &entities);
        emu_config_free(&entities);
        return 0;
    }
    if (emu_config_any(&entities) && nkeys == 0) {
        /* As the emulators: CBS with their published key. */
        sas_keys[0] = (famqp_sas_key){"RootManageSharedAccessKey", "SAS_KEY_VALUE"};
        nkeys = 1;
    }
    if (emu_config_any(&entities))
        emu_config_print(stderr, &entities);
    b.cfg.entities = &entities;
    b.cfg.nsas_keys = nkeys;
    if (!eh_setup(&b) || !sb_setup(&b)) {
        fprintf(stderr, "famqp-broker: out of memory setting up the event hubs and Service Bus entities\n");
        eh_free(&b);
        sb_free(&b);
        emu_config_free(&entities);
        return 1;
    }
    if (b.cfg.user && !auth_guard_init(&b)) {
        fprintf(stderr, "famqp-broker: out of memory\n");
        eh_free(&b);
        emu_config_free(&entities);
        return 1;
    }
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
    famqp_loop_listener *ll = NULL, *wsl = NULL;
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
    if (ls == FAMQP_LOOP_OK)
        famqp_loop_listener_on_error(ll, broker_accept_failed, NULL);
    if (ls == FAMQP_LOOP_OK && ws_listen_at && !(wsl = broker_ws_listen(w0, ws_listen_at, &lo)))
        ls = FAMQP_LOOP_ERR_ARG;
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
        famqp_loop_listener_free(wsl);
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
    famqp_loop_listener_free(wsl);
    for (unsigned i = 1; i < b.cfg.threads; i++)
        worker_stop(&b.workers[i]);
    worker_close_clients(w0);
    for (unsigned i = 1; i < b.cfg.threads; i++) {
        pthread_join(b.workers[i].thread, NULL);
        if (b.workers[i].run_failed)
            rc = 1;
    }
    broker_free_queues(&b);
    eh_free(&b);
    auth_guard_free(&b);
    sb_free(&b);
    famqp_loop_watch_free(sig_watch);
    close(sig.fd);
    for (unsigned i = 0; i < b.cfg.threads; i++)
        worker_destroy(&b.workers[i]);
    free(b.workers);
    pthread_mutex_destroy(&b.mu);
    emu_config_free(&entities);
    return rc;
}

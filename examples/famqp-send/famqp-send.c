/* famqp-send URL [ADDRESS] --count N --size BYTES [--settled] [--window W]
 *            [--ca FILE] [--allow-plain-insecure] [--reconnect] [--rate R] [--durable]
 *            [--batch N]
 *
 * Sends N messages, each with a message-id and a data body whose first 8
 * bytes are its sequence number (big-endian, 0..N-1) padded to BYTES, and
 * waits until every one is settled.  Ends with one line
 *   sent N messages in S s: R msg/s
 * and exits 0 only when all N were sent and (unless --settled) accepted.
 * With --batch B the messages go as Event Hubs batches (famqp/batch.h):
 * B messages a transfer, message-format 0x80013700.
 *
 * It explains itself (common/tool.h): progress on a terminal, a summary
 * and a clean close on SIGINT/SIGTERM (exit 130), a line when credit or
 * the window stalls, and argument errors that name the allowed range. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure_args.h"
#include "famqp/batch.h"
#include "famqp/client.h"
#include "failover.h"
#include "io_args.h"
#include "tool.h"

#define PROG "famqp-send"
/* Ranges: the help text prints these same constants. */
#define MAX_COUNT 1000000000000ull /* 10^12 */
#define MIN_SIZE 8ull              /* the sequence number */
#define MAX_SIZE 1073741824ull     /* 1 GiB */
#define MAX_WINDOW 65536ull        /* the engine's max_unsettled_per_link default */
#define MAX_TIMEOUT 86400ull       /* a day */
#define MAX_RATE 1000000000ull
#define MAX_BATCH 100000ull
/* A send or wait that has not progressed for this long is reported once
 * (the run goes on until --timeout). */
#define STALL_REPORT_US 2000000u
/* Blocking calls wait in slices this long so that signals, progress and
 * stalls are looked at. */
#define SLICE_MS 200

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-send URL [ADDRESS] [--count N] [--size BYTES] [--settled] [--window W]\n"
            "                  [--timeout S] [--rate R] [--durable] [--reconnect] [--failover URL]...\n"
            "                  [--ca FILE] [--allow-plain-insecure] [--proxy URL] [--ws-max-frame N]\n"
            "                  [--sas-key-name N --sas-key K] [--batch B] [--partition N | --partition-key KEY]\n"
            "       famqp-send --connection-string STR [--websocket] [ADDRESS] [options]\n"
            "  URL        amqp[s]://[user:pass@]host[:port][/ADDRESS]\n"
            "  ADDRESS    node (queue) to send to; may be given as the URL path instead\n"
            "             (not both, unless they agree)\n"
            "  --count N  messages to send, 1 to %llu (default 1)\n"
            "  --size B   body bytes per message, %llu to %llu (default 100)\n"
            "  --settled  send pre-settled (at-most-once); default: wait for each outcome\n"
            "  --window W most unsettled messages in flight, 1 to %llu (default 1000)\n"
            "  --timeout S give up when nothing progresses for S seconds, 1 to %llu (default 30);\n"
            "              a send waiting %u s for credit (e.g. a full queue: famqp-broker\n"
            "              --max-depth) or for outcomes is reported on stderr\n"
            "  --rate R    send at most R messages per second, 1 to %llu (default: no limit)\n"
            "  --durable   mark messages durable (header), so a broker keeps them on disk\n"
            "  --batch B   send B messages a transfer as one Event Hubs batch (message-format\n"
            "              0x80013700: each message a data section of one outer message), 1 to\n"
            "              %llu; outcomes, --window and --rate then count batches\n"
            "  --reconnect reconnect when the connection is lost and resend every message\n"
            "              not yet settled (at-least-once); prints a second line\n"
            "              'reconnects R, resent M, urls used K: URL...'\n"
            "  --failover URL\n"
            "              another node to reconnect to when the connection is lost\n"
            "              (repeatable, 1 to %d URLs; implies --reconnect): each attempt\n"
            "              goes to the next URL of URL, --failover... (wrapping); a URL without\n"
            "              user:pass uses URL's credentials; every reconnect is reported on\n"
            "              stderr\n"
            TOOL_IO_ARGS_HELP
            TOOL_AZURE_HELP TOOL_AZURE_SEND_HELP
            "  --ca FILE   amqps: trust the CAs in this PEM file (default: the system store);\n"
            "              the server certificate and host name are always verified\n"
            "  --allow-plain-insecure  allow user:password (SASL PLAIN) over amqp:// without\n"
            "              TLS (the password crosses the network in clear text)\n"
            "  --sas-key-name N --sas-key K\n"
            "              claims-based security (Azure Event Hubs / Service Bus): put a SAS\n"
            "              token made with this key to $cbs before attaching (SASL ANONYMOUS;\n"
            "              audience sb://HOST/ADDRESS; refreshed before expiry)\n"
            "  --help      this text\n"
            "Prints 'sent N messages in S s: R msg/s' and exits 0 when all N were sent\n"
            "and settled (accepted); 1 when not, 2 for a usage error.  On a terminal,\n"
            "stderr shows progress (count, rate, time left).  SIGINT or SIGTERM stops the\n"
            "run: it prints 'interrupted: sent X of N, Y settled', closes the connection\n"
            "cleanly and exits 130.\n",
            MAX_COUNT, MIN_SIZE, MAX_SIZE, MAX_WINDOW, MAX_TIMEOUT, STALL_REPORT_US / 1000000u, MAX_RATE,
            MAX_BATCH, TOOL_MAX_FAILOVER);
}

static int fail(const char *what, const famqp_client_error *e)
{
    fprintf(stderr, PROG ": %s: %s\n", what, e->message);
    return 1;
}

typedef struct run {
    famqp_client *c;
    famqp_sender *s;
    uint64_t count;
    int timeout_ms;
    tool_progress progress;
    bool stall_reported;
} run;

static uint64_t settled_of(const famqp_send_summary *sum) { return sum->sent - sum->in_flight; }

static void show_progress(run *r)
{
    if (!r->progress.on)
        return; /* not a terminal: nothing to count or format */
    famqp_send_summary sum;
    famqp_sender_summary(r->s, &sum);
    char extra[48];
    snprintf(extra, sizeof extra, "%" PRIu64 " settled", settled_of(&sum));
    tool_progress_update(&r->progress, sum.sent, extra);
}

/* Says once per stall why nothing moves: what the peer granted (credit) or
 * did not settle (outcomes). */
static void report_stall(run *r, uint64_t since_us, bool waiting_all)
{
    uint64_t waited = tool_now_us() - since_us;
    if (r->stall_reported || waited < STALL_REPORT_US)
        return;
    r->stall_reported = true;
    famqp_send_summary sum;
    famqp_sender_summary(r->s, &sum);
    tool_progress_end(&r->progress);
    if (!waiting_all && famqp_sender_credit(r->s) == 0)
        fprintf(stderr,
                PROG ": no credit for %.0f s: the peer has granted no credit for more messages (sent %" PRIu64
                " of %" PRIu64 ", %" PRIu64 " settled); a broker grants none while the queue is full "
                "(famqp-broker --max-depth) until consumers take messages\n",
                (double)waited / 1e6, sum.sent, r->count, settled_of(&sum));
    else
        fprintf(stderr,
                PROG ": no outcomes for %.0f s: %" PRIu64 " messages wait for the peer to settle them (sent %" PRIu64
                " of %" PRIu64 ", %" PRIu64 " settled)\n",
                (double)waited / 1e6, sum.in_flight, sum.sent, r->count, settled_of(&sum));
}

/* Sends one message, waiting (in slices) for credit and window room until
 * --timeout passed without progress.  ERR_TIMEOUT's message then says
 * what was missing; interrupted: a signal came first. */
static famqp_client_status send_one(run *r, uint32_t format, const uint8_t *enc, size_t len, bool *interrupted)
{
    uint64_t since = 0;
    for (;;) {
        famqp_client_status st = famqp_send_bytes_format_async(r->s, format, enc, len, since ? SLICE_MS : 0);
        if (st == FAMQP_CLIENT_ERR_INTERRUPTED) {
            *interrupted = true;
            return st;
        }
        if (st != FAMQP_CLIENT_ERR_TIMEOUT) {
            if (since)
                r->stall_reported = false;
            return st;
        }
        uint64_t now = tool_now_us();
        if (!since)
            since = now;
        if (tool_signal) {
            *interrupted = true;
            return st;
        }
        show_progress(r);
        report_stall(r, since, false);
        if (now - since >= (uint64_t)r->timeout_ms * 1000u)
            return st;
    }
}

/* Waits for every outcome; --timeout counts from the last one that came. */
static famqp_client_status wait_all(run *r, bool *interrupted)
{
    uint64_t since = tool_now_us(), settled = UINT64_MAX;
    for (;;) {
        famqp_send_summary sum;
        famqp_client_status st = famqp_sender_wait_all(r->s, SLICE_MS, &sum);
        if (st == FAMQP_CLIENT_ERR_INTERRUPTED) {
            *interrupted = true;
            return st;
        }
        if (st != FAMQP_CLIENT_ERR_TIMEOUT)
            return st;
        if (tool_signal) {
            *interrupted = true;
            return st;
        }
        uint64_t now = tool_now_us();
        if (settled_of(&sum) != settled) {
            settled = settled_of(&sum);
            since = now;
            r->stall_reported = false;
        }
        show_progress(r);
        report_stall(r, since, true);
        if (now - since >= (uint64_t)r->timeout_ms * 1000u)
            return st;
    }
}

int main(int argc, char **argv)
{
    const char *url = NULL, *address = NULL;
    uint64_t count = 1, size = 100, window = 1000, timeout_s = 30, rate = 0, batch = 0;
    bool settled = false, allow_plain = false, reconnect = false, durable = false;
    const char *ca = NULL;
    const char *sas_key_name = NULL, *sas_key = NULL;
    famqp_io_options io_opts;
    famqp_io_options_init(&io_opts);
    int io_arg;
    tool_failover fo;
    tool_failover_init(&fo, PROG);
    static tool_azure az; /* connection string buffers: kept off the stack */
    tool_azure_init(&az, PROG, false);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--settled")) {
            settled = true;
        } else if (!strcmp(a, "--allow-plain-insecure")) {
            allow_plain = true;
        } else if (!strcmp(a, "--sas-key-name") || !strcmp(a, "--sas-key")) {
            if (!v || !*v) {
                fprintf(stderr, PROG ": %s needs a value\n", a);
                return 2;
            }
            *(a[9] ? &sas_key_name : &sas_key) = v;
            i++;
        } else if (!strcmp(a, "--reconnect")) {
            reconnect = true;
        } else if (!strcmp(a, "--failover")) {
            if (!tool_failover_add(&fo, v))
                return 2;
            reconnect = true; /* failing over is reconnecting elsewhere */
            i++;
        } else if (!strcmp(a, "--durable")) {
            durable = true;
        } else if ((io_arg = tool_io_arg(PROG, a, v, &io_opts)) != 0) {
            if (io_arg < 0)
                return 2;
            i++;
        } else if ((io_arg = tool_azure_arg(&az, a, v)) != 0) {
            if (io_arg < 0)
                return 2;
            i += io_arg - 1;
        } else if (!strcmp(a, "--ca")) {
            if (!v) {
                fprintf(stderr, PROG ": --ca needs a file (PEM CA certificates)\n");
                return 2;
            }
            ca = argv[++i];
        } else if (!strcmp(a, "--count") || !strcmp(a, "--size") || !strcmp(a, "--window") ||
                   !strcmp(a, "--timeout") || !strcmp(a, "--rate") || !strcmp(a, "--batch")) {
            bool ok = !strcmp(a, "--count")    ? tool_arg_u64(PROG, a, v, 1, MAX_COUNT, &count)
                      : !strcmp(a, "--size")   ? tool_arg_u64(PROG, a, v, MIN_SIZE, MAX_SIZE, &size)
                      : !strcmp(a, "--window") ? tool_arg_u64(PROG, a, v, 1, MAX_WINDOW, &window)
                      : !strcmp(a, "--rate")   ? tool_arg_u64(PROG, a, v, 1, MAX_RATE, &rate)
                      : !strcmp(a, "--batch")  ? tool_arg_u64(PROG, a, v, 1, MAX_BATCH, &batch)
                                               : tool_arg_u64(PROG, a, v, 1, MAX_TIMEOUT, &timeout_s);
            if (!ok)
                return 2;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, PROG ": unknown option %s (see --help)\n", a);
            return 2;
        } else if (!url) {
            url = a;
        } else if (!address) {
            address = a;
        } else {
            fprintf(stderr, PROG ": unexpected argument %s (see --help)\n", a);
            return 2;
        }
    }
    if (!tool_azure_resolve(&az, &url, &address))
        return 2;
    if (!url) {
        usage(stderr);
        return 2;
    }
    char base[1024], path[512];
    if (!tool_url_address(PROG, url, base, sizeof base, path, sizeof path, &address) ||
        !tool_failover_finish(&fo, address) || !tool_azure_finish(&az, &address)) {
        tool_failover_free(&fo);
        return 2;
    }
    if (!sas_key_name != !sas_key) {
        fprintf(stderr, PROG ": --sas-key-name and --sas-key go together\n");
        tool_failover_free(&fo);
        return 2;
    }
    int timeout_ms = (int)(timeout_s * 1000);

    famqp_client_options co;
    famqp_client_options_init(&co);
    co.connect_timeout_ms = timeout_ms;
    co.allow_plain_insecure = allow_plain;
    if (sas_key_name)
        famqp_cbs_use_sas(&co, sas_key_name, sas_key, 0);
    if (!tool_azure_apply(&az, &co)) {
        tool_failover_free(&fo);
        return 2;
    }
    co.io.tls_ca_file = ca;
    co.io.proxy = io_opts.proxy;
    co.io.ws_max_frame = io_opts.ws_max_frame;
    if (reconnect) {
        /* Enough attempts to ride out a broker restart of tens of seconds. */
        co.reconnect.max_attempts = 60;
        co.reconnect.initial_backoff_ms = 100;
        co.reconnect.max_backoff_ms = 1000;
        tool_failover_apply(&fo, &co);
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(base, &co, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, PROG ": cannot connect: %s%s\n", err.message, tool_tls_hint(base, err.message));
        tool_failover_free(&fo);
        return 1;
    }
    tool_failover_connected(&fo, c);
    /* Caught only now: before, there is nothing to close or report. */
    tool_catch_signals();
    tool_interrupt_client(c);

    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = settled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    so.window = (uint32_t)window;
    so.attach_timeout_ms = timeout_ms;
    famqp_sender *s;
    if (famqp_sender_open(c, address, &so, &s) != FAMQP_CLIENT_OK) {
        int rc = fail("cannot attach sender", famqp_client_last_error(c));
        famqp_client_close(c, 2000);
        tool_failover_free(&fo);
        return rc;
    }

    uint8_t *body = calloc(1, (size_t)size);
    /* a batch: its events' data section headers on top of the encodings */
    size_t msg_cap = (size_t)size + 256 + TOOL_AZURE_ANNOTATION_ROOM; /* room for --partition-key */
    size_t enc_cap = batch ? (size_t)batch * famqp_batch_event_cost(msg_cap) + TOOL_AZURE_ANNOTATION_ROOM : msg_cap;
    uint8_t *enc = malloc(enc_cap);
    famqp_batch bt;
    if (enc && batch)
        famqp_batch_init(&bt, enc, enc_cap, -1, az.partition_key); /* sized for B events: never full before */
    uint64_t batches = 0;
    if (!body || !enc) {
        fprintf(stderr, PROG ": out of memory\n");
        tool_failover_free(&fo);
        return 1;
    }
    /* Every message is the same but for its message-id and the sequence
     * number in its body: set up once, updated per message. */
    famqp_message m;
    famqp_message_init(&m);
    if (durable) {
        m.present |= FAMQP_MESSAGE_HAS_HEADER;
        m.header.present = FAMQP_HEADER_HAS_DURABLE;
        m.header.durable = true;
    }
    m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    m.properties.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID;
    m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG;
    famqp_message_set_data(&m, body, (size_t)size);
    tool_azure_message(&az, &m);
    run r = {.c = c, .s = s, .count = count, .timeout_ms = timeout_ms};
    uint64_t start_us = tool_now_us();
    uint64_t start = famqp_io_now_ms();
    tool_progress_init(&r.progress, "sent", count, start_us);
    int rc = 0;
    bool interrupted = false;
    for (uint64_t n = 0; n < count && !interrupted; n++) {
        if (rate) {
            /* Message n leaves no earlier than n/rate seconds after start. */
            uint64_t due = start + n * 1000 / rate;
            while (!tool_signal && famqp_io_now_ms() < due) {
                int left = famqp_io_ms_until(due);
                if (famqp_client_pump(c, left < SLICE_MS ? left : SLICE_MS) != FAMQP_CLIENT_OK)
                    break;
                show_progress(&r);
            }
        }
        if (tool_signal) {
            interrupted = true;
            break;
        }
        for (int b = 0; b < 8; b++)
            body[b] = (uint8_t)(n >> (56 - 8 * b)); /* the body view points here */
        m.properties.message_id.u.message_id_ulong = n;
        size_t len;
        uint32_t format = 0;
        if (batch) {
            famqp_batch_add(&bt, &m);
            if (famqp_batch_count(&bt) < batch && n + 1 < count)
                continue; /* the batch is not complete yet */
            len = famqp_batch_payload(&bt).len;
            format = FAMQP_BATCH_MESSAGE_FORMAT;
            famqp_batch_clear(&bt); /* the bytes stay until the next add: sent by then */
            batches++;
        } else {
            len = famqp_message_encode(enc, enc_cap, &m);
        }
        if (send_one(&r, format, enc, len, &interrupted) != FAMQP_CLIENT_OK) {
            if (interrupted)
                break;
            const char *why = famqp_client_last_error(c)->message;
            tool_progress_end(&r.progress);
            fprintf(stderr, PROG ": sending message %" PRIu64 " failed: %s", n, why);
            if (strstr(why, "limit exceeded"))
                fprintf(stderr, " (the message is %zu bytes encoded: more than the peer's max-message-size allows, "
                                "or more unsettled messages than it holds; try a smaller --size or --window)", len);
            else if (strstr(why, "credit"))
                fprintf(stderr, " after %" PRIu64 " s: the peer granted no credit (a broker grants none while the "
                                "queue is full: famqp-broker --max-depth)", timeout_s);
            fputc('\n', stderr);
            rc = 1;
            break;
        }
        if ((n & 1023) == 0)
            show_progress(&r); /* the clock is read here, not per message */
    }
    famqp_send_summary sum;
    if (rc == 0 && !interrupted && wait_all(&r, &interrupted) != FAMQP_CLIENT_OK && !interrupted) {
        tool_progress_end(&r.progress);
        fprintf(stderr, PROG ": waiting for outcomes failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    tool_progress_end(&r.progress);
    famqp_sender_summary(s, &sum);
    uint64_t elapsed_us = tool_now_us() - start_us;
    if (interrupted) {
        /* Say how far it got, then close cleanly (detach, AMQP close). */
        fprintf(stderr, "interrupted: sent %" PRIu64 " of %" PRIu64 ", %" PRIu64 " settled (%s)\n", sum.sent, count,
                settled_of(&sum), tool_signal_name(tool_signal));
        famqp_sender_close(s, 2000);
        famqp_client_status cst = famqp_client_close(c, 2000);
        if (cst != FAMQP_CLIENT_OK)
            fprintf(stderr, PROG ": close failed: %s\n", famqp_client_status_name(cst));
        free(body);
        free(enc);
        tool_failover_free(&fo);
        return TOOL_EXIT_INTERRUPTED;
    }
    uint64_t settled_ok = settled ? sum.presettled : sum.accepted;
    uint64_t transfers = batch ? batches : count;
    if (batch) /* outcomes count batches: every batch is every message */
        settled_ok = settled_ok == transfers ? count : settled_ok * batch;
    if (rc == 0 && settled_ok != count) {
        fprintf(stderr,
                PROG ": only %" PRIu64 " of %" PRIu64 " messages accepted (rejected %" PRIu64 ", released %" PRIu64
                     ", modified %" PRIu64 ")%s%s%s%s\n",
                settled_ok, count, sum.rejected, sum.released, sum.modified, sum.first_condition[0] ? ": " : "",
                sum.first_condition, sum.first_description[0] ? ": " : "", sum.first_description);
        rc = 1;
    }
    if (famqp_sender_close(s, timeout_ms) != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, PROG ": detach failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    uint64_t reconnects = famqp_client_reconnects(c);
    famqp_client_status cst = famqp_client_close(c, timeout_ms);
    if (cst != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, PROG ": close failed: %s\n", famqp_client_status_name(cst));
        rc = 1;
    }
    tool_print_done(stdout, "sent", rc == 0 ? count : settled_ok, elapsed_us);
    if (reconnect) {
        printf("reconnects %" PRIu64 ", resent %" PRIu64, reconnects, sum.resent);
        tool_failover_print_used(&fo, stdout);
        putchar('\n');
    }
    tool_failover_free(&fo);
    free(body);
    free(enc);
    return rc;
}

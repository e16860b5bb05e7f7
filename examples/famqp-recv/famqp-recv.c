/* famqp-recv URL ADDRESS --count N [--credit C] [--check-sequence] [--timeout S]
 * famqp-recv --listen HOST:PORT ADDRESS --count N [--credit C] [--check-sequence] [--timeout S]
 *
 * Receives and accepts N messages.  With --check-sequence, reads the
 * sequence number famqp-send puts in the first 8 body bytes (big-endian)
 * and checks that 0..N-1 arrive each exactly once, in order.  Ends with
 *   received N messages in S s: R msg/s
 * and exits 0 only when all N were received (and the sequence was right).
 *
 * With --reconnect the connection is re-established when lost and the peer
 * may deliver some messages again (at-least-once): --check-sequence then
 * waits until every number 0..N-1 arrived at least once, counts the
 * duplicates, and prints a second line
 *   distinct D, duplicates U, lost L, reconnects R
 *
 * With --listen it connects to nobody: it listens and a sender connects to
 * it (recv_listen.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure_args.h"
#include "famqp/client.h"
#include "failover.h"
#include "recv.h"
#include "io_args.h"
#include "tool.h"

#define PROG "famqp-recv"
/* Ranges: the help text prints these same constants. */
#define MAX_COUNT 1000000000000ull /* 10^12 */
#define MAX_CREDIT 65536ull        /* the engine's max_unsettled_per_link default */
#define MAX_TIMEOUT 86400ull
#define MAX_RATE 1000000000ull
/* famqp_receive waits in slices this long so that signals and progress are
 * looked at. */
#define SLICE_MS 200

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-recv URL [ADDRESS] [--count N] [--credit C] [--check-sequence] [--timeout S]\n"
            "                  [--reconnect] [--failover URL]... [--rate R] [--ca FILE] [--proxy URL] [--ws-max-frame N]\n"
            "                  [--allow-plain-insecure] [--sas-key-name N --sas-key K]\n"
            "                  [--partition N [--consumer-group G]] [--from-offset X | --from-sequence N\n"
            "                  | --from-time MS [--inclusive]] [--print-annotations]\n"
            "                  [--peek-lock [--settle HOW]] [--session ID | --next-session]\n"
            "       famqp-recv --connection-string STR [--websocket] [ADDRESS] [options]\n"
            "       famqp-recv --listen HOST:PORT ADDRESS [--count N] [--credit C] [--check-sequence]\n"
            "                  [--timeout S]\n"
            "  URL              amqp[s]://[user:pass@]host[:port][/ADDRESS]\n"
            "  ADDRESS          node (queue) to receive from (or the URL path; not both unless\n"
            "                   they agree); with --listen, the only target address a sender\n"
            "                   may attach to (others: amqp:not-found)\n"
            "  --listen HOST:PORT  connect to nobody: listen (port 0 picks a free one), print\n"
            "                   'listening on HOST:PORT' when ready, and receive from the\n"
            "                   senders that connect (plain AMQP, ANONYMOUS or no SASL)\n"
            "  --count N        messages to receive, 1 to %llu (default 1)\n"
            "  --credit C       credit window, 1 to %llu (default 1000)\n"
            "  --check-sequence check that sequence numbers 0..N-1 arrive once each, in order\n"
            "  --timeout S      give up when no message arrives for S seconds, 1 to %llu\n"
            "                   (default 30;\n"
            "                   with --listen: when no sender connects or sends for S seconds)\n"
            TOOL_IO_ARGS_HELP
            TOOL_AZURE_HELP TOOL_AZURE_RECV_HELP
            "  --ca FILE        amqps: trust the CAs in this PEM file (default: the system\n"
            "                   store); the server certificate and host name are always verified\n"
            "  --allow-plain-insecure  allow user:password (SASL PLAIN) over amqp:// without\n"
            "                   TLS (the password crosses the network in clear text)\n"
            "  --sas-key-name N --sas-key K\n"
            "                   claims-based security (Azure Event Hubs / Service Bus): put a\n"
            "                   SAS token made with this key to $cbs before attaching (SASL\n"
            "                   ANONYMOUS; audience sb://HOST/ADDRESS; refreshed before expiry)\n"
            "  --reconnect      reconnect when the connection is lost (at-least-once: with\n"
            "                   --check-sequence, duplicates are counted, not errors); prints\n"
            "                   'reconnects R, urls used K: URL...' (with --check-sequence:\n"
            "                   'distinct D, duplicates U, lost L, reconnects R, urls used ...')\n"
            "  --failover URL   another node to reconnect to when the connection is lost\n"
            "                   (repeatable, 1 to %d URLs; implies --reconnect): each attempt\n"
            "                   goes to the next URL of URL, --failover... (wrapping); a URL\n"
            "                   without user:pass uses URL's credentials; every reconnect is\n"
            "                   reported on stderr\n"
            RECV_SB_HELP
            "  --rate R         take at most R messages per second, 1 to %llu (a slow consumer;\n"
            "                   default: no limit)\n"
            "  --help           this text\n"
            "Prints 'received N messages in S s: R msg/s' and exits 0 when all N arrived;\n"
            "1 when not, 2 for a usage error.  On a terminal, stderr shows progress (count,\n"
            "rate, time left).  SIGINT or SIGTERM stops the run: it prints\n"
            "'interrupted: received X of N', closes the connection cleanly and exits 130.\n",
            MAX_COUNT, MAX_CREDIT, MAX_TIMEOUT, TOOL_MAX_FAILOVER, MAX_RATE);
}

int main(int argc, char **argv)
{
    const char *url = NULL, *address = NULL, *listen_at = NULL;
    uint64_t count = 1, credit = 1000, timeout_s = 30, rate = 0;
    bool check = false, allow_plain = false, reconnect = false;
    const char *ca = NULL;
    const char *sas_key_name = NULL, *sas_key = NULL;
    famqp_io_options io_opts;
    famqp_io_options_init(&io_opts);
    int io_arg, sb_arg;
    recv_sb sb = {0};
    tool_failover fo;
    tool_failover_init(&fo, PROG);
    static tool_azure az; /* connection string buffers: kept off the stack */
    tool_azure_init(&az, PROG, true);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--check-sequence")) {
            check = true;
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
        } else if (!strcmp(a, "--listen")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "famqp-recv: --listen needs HOST:PORT\n");
                return 2;
            }
            listen_at = argv[++i];
        } else if ((sb_arg = recv_sb_arg(&sb, a, v)) != 0) {
            if (sb_arg < 0)
                return 2;
            i += sb_arg - 1;
        } else if ((io_arg = tool_io_arg(PROG, a, v, &io_opts)) != 0) {
            if (io_arg < 0)
                return 2;
            i++;
        } else if ((io_arg = tool_azure_arg(&az, a, v)) != 0) {
            if (io_arg < 0)
                return 2;
            i += io_arg - 1;
        } else if (!strcmp(a, "--ca")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "famqp-recv: --ca needs a file\n");
                return 2;
            }
            ca = argv[++i];
        } else if (!strcmp(a, "--count") || !strcmp(a, "--credit") || !strcmp(a, "--timeout") ||
                   !strcmp(a, "--rate")) {
            bool ok = !strcmp(a, "--count")    ? tool_arg_u64(PROG, a, v, 1, MAX_COUNT, &count)
                      : !strcmp(a, "--credit") ? tool_arg_u64(PROG, a, v, 1, MAX_CREDIT, &credit)
                      : !strcmp(a, "--rate")   ? tool_arg_u64(PROG, a, v, 1, MAX_RATE, &rate)
                                               : tool_arg_u64(PROG, a, v, 1, MAX_TIMEOUT, &timeout_s);
            if (!ok)
                return 2;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "famqp-recv: unknown option %s (see --help)\n", a);
            return 2;
        } else if (!url && !listen_at) {
            url = a;
        } else if (!address) {
            address = a;
        } else {
            fprintf(stderr, "famqp-recv: unexpected argument %s (see --help)\n", a);
            return 2;
        }
    }
    if (!listen_at && !tool_azure_resolve(&az, &url, &address))
        return 2;
    if (listen_at && !address && url) {
        address = url; /* --listen after the address: the one positional was the address */
        url = NULL;
    }
    if ((!url && !listen_at) || (listen_at && !address)) {
        usage(stderr);
        return 2;
    }
    if (listen_at && url) {
        fprintf(stderr, "famqp-recv: --listen takes ADDRESS only, no URL (see --help)\n");
        return 2;
    }
    if (!recv_sb_check(&sb))
        return 2;
    if (listen_at && (ca || allow_plain || reconnect || rate || fo.count || tool_azure_given(&az) || sb.on)) {
        fprintf(stderr, "famqp-recv: with --listen only --count, --credit, --check-sequence and --timeout apply\n");
        return 2;
    }
    char base[1024], path[512];
    if (url && (!tool_url_address(PROG, url, base, sizeof base, path, sizeof path, &address) ||
                !tool_failover_finish(&fo, address) || !tool_azure_finish(&az, &address))) {
        tool_failover_free(&fo);
        return 2;
    }
    /* Never ask for more than we will take: the rest would be taken from
     * other consumers of the queue and released at close. */
    if (count && credit > count)
        credit = count;
    if (!sas_key_name != !sas_key) {
        fprintf(stderr, PROG ": --sas-key-name and --sas-key go together\n");
        tool_failover_free(&fo);
        return 2;
    }
    int timeout_ms = (int)(timeout_s * 1000);
    if (listen_at) {
        recv_listen_options lo = {.listen_at = listen_at,
                                  .address = address,
                                  .count = count,
                                  .credit = (uint32_t)credit,
                                  .check = check,
                                  .timeout_ms = timeout_ms};
        return recv_listen(&lo);
    }

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
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = (uint32_t)credit;
    ro.attach_timeout_ms = timeout_ms;
    tool_azure_receiver(&az, &ro);
    famqp_receiver *r;
    if ((sb.on ? recv_sb_open(&sb, c, address, (uint32_t)credit, timeout_ms, &r)
               : famqp_receiver_open(c, address, &ro, &r)) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "famqp-recv: cannot attach receiver: %s\n", famqp_client_last_error(c)->message);
        famqp_client_close(c, 2000);
        tool_failover_free(&fo);
        return 1;
    }

    /* At-least-once check (duplicates counted) when reconnecting. */
    bool at_least_once = reconnect && check;
    recv_check k;
    if (!recv_check_init(&k, count, check, at_least_once)) {
        fprintf(stderr, "famqp-recv: out of memory\n");
        tool_failover_free(&fo);
        return 1;
    }
    uint64_t start = 0, start_us = 0;
    int rc = 0;
    tool_progress progress;
    tool_progress_init(&progress, "received", count, tool_now_us());
    while (!recv_check_done(&k) && !tool_signal) {
        if (rate && k.received) {
            /* Message k is taken no earlier than k/rate seconds after the first. */
            uint64_t due = start + k.received * 1000 / rate;
            while (!tool_signal && famqp_io_now_ms() < due) {
                int left = famqp_io_ms_until(due);
                if (famqp_client_pump(c, left < SLICE_MS ? left : SLICE_MS) != FAMQP_CLIENT_OK)
                    break;
                tool_progress_update(&progress, k.received, NULL);
            }
        }
        famqp_delivery *d;
        /* Waits in slices: --timeout counts from the last message. */
        famqp_client_status st;
        uint64_t since = 0;
        while ((st = famqp_receive(r, since ? SLICE_MS : 0, &d)) == FAMQP_CLIENT_ERR_TIMEOUT && !tool_signal) {
            uint64_t now = tool_now_us();
            if (!since)
                since = now;
            tool_progress_update(&progress, k.received, NULL);
            if (now - since >= (uint64_t)timeout_ms * 1000u)
                break;
        }
        if (tool_signal)
            break;
        if (st != FAMQP_CLIENT_OK) {
            tool_progress_end(&progress);
            fprintf(stderr, "famqp-recv: after %" PRIu64 " of %" PRIu64 " messages: %s\n", k.received, count,
                    famqp_client_last_error(c)->message);
            rc = 1;
            break;
        }
        if (k.received == 0) {
            /* Time the flow, not the wait for the first one. */
            start = famqp_io_now_ms();
            start_us = tool_now_us();
            progress.start_us = start_us;
        }
        if ((k.received & 1023) == 0)
            tool_progress_update(&progress, k.received, NULL); /* the clock is read here, not per message */
        famqp_binary msg = famqp_delivery_message(d);
        if (az.print)
            tool_azure_print(&az, stdout, k.received, msg.ptr, msg.len);
        recv_check_message(&k, msg.ptr, msg.len);
        if (!sb.on)
            famqp_delivery_accept(d);
        else if (recv_sb_settle(&sb, c, d, timeout_ms)) {
            rc = 1;
            break;
        }
    }
    famqp_client_pump(c, 0); /* send the last settlements */
    uint64_t elapsed_us = start_us ? tool_now_us() - start_us : 0;
    tool_progress_end(&progress);
    if (tool_signal) {
        /* Say how far it got, then close cleanly (detach, AMQP close). */
        fprintf(stderr, "interrupted: received %" PRIu64 " of %" PRIu64 " (%s)\n", k.received, count,
                tool_signal_name(tool_signal));
        recv_sb_close(&sb, r, 2000);
        famqp_client_status cst = famqp_client_close(c, 2000);
        if (cst != FAMQP_CLIENT_OK)
            fprintf(stderr, PROG ": close failed: %s\n", famqp_client_status_name(cst));
        recv_check_free(&k);
        tool_failover_free(&fo);
        return TOOL_EXIT_INTERRUPTED;
    }
    rc = recv_check_finish(&k, rc);
    if (recv_sb_close(&sb, r, timeout_ms) != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-recv: detach failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    uint64_t reconnects = famqp_client_reconnects(c);
    famqp_client_status cst = famqp_client_close(c, timeout_ms);
    if (cst != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-recv: close failed: %s\n", famqp_client_status_name(cst));
        rc = 1;
    }
    recv_print_rate(k.received, elapsed_us);
    if (at_least_once)
        printf("distinct %" PRIu64 ", duplicates %" PRIu64 ", lost %" PRIu64 ", reconnects %" PRIu64, k.distinct,
               k.duplicates, k.lost, reconnects);
    else if (reconnect)
        printf("reconnects %" PRIu64, reconnects);
    if (reconnect) {
        tool_failover_print_used(&fo, stdout);
        putchar('\n');
    }
    tool_failover_free(&fo);
    recv_check_free(&k);
    return rc;
}

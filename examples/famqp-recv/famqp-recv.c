/* famqp-recv URL ADDRESS --count N [--credit C] [--check-sequence] [--timeout S]
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
 *   distinct D, duplicates U, lost L, reconnects R */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-recv URL ADDRESS [--count N] [--credit C] [--check-sequence] [--timeout S]\n"
            "  URL              amqp[s]://[user:pass@]host[:port]\n"
            "  ADDRESS          node (queue) to receive from\n"
            "  --count N        messages to receive (default 1)\n"
            "  --credit C       credit window (default 1000)\n"
            "  --check-sequence check that sequence numbers 0..N-1 arrive once each, in order\n"
            "  --timeout S      give up when no message arrives for S seconds (default 30)\n"
            "  --ca FILE        amqps: trust the CAs in this PEM file (default: the system\n"
            "                   store); the server certificate and host name are always verified\n"
            "  --allow-plain-insecure  allow user:password (SASL PLAIN) over amqp:// without\n"
            "                   TLS (the password crosses the network in clear text)\n"
            "  --reconnect      reconnect when the connection is lost (at-least-once: with\n"
            "                   --check-sequence, duplicates are counted, not errors)\n"
            "  --rate R         take at most R messages per second (a slow consumer)\n"
            "Prints 'received N messages in S s: R msg/s' and exits 0 when all N arrived.\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || s[0] == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* The sequence number in the first data section, false when there is none. */
static bool sequence_of(const famqp_delivery *d, uint64_t *seq)
{
    famqp_message m;
    if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
        m.body.data.len < 8)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | m.body.data.ptr[i];
    *seq = v;
    return true;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *address = NULL;
    uint64_t count = 1, credit = 1000, timeout_s = 30, rate = 0;
    bool check = false, allow_plain = false, reconnect = false;
    const char *ca = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--check-sequence")) {
            check = true;
        } else if (!strcmp(a, "--allow-plain-insecure")) {
            allow_plain = true;
        } else if (!strcmp(a, "--reconnect")) {
            reconnect = true;
        } else if (!strcmp(a, "--ca")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "famqp-recv: --ca needs a file\n");
                return 2;
            }
            ca = argv[++i];
        } else if (!strcmp(a, "--count") || !strcmp(a, "--credit") || !strcmp(a, "--timeout") ||
                   !strcmp(a, "--rate")) {
            uint64_t *dst = !strcmp(a, "--count")    ? &count
                            : !strcmp(a, "--credit") ? &credit
                            : !strcmp(a, "--rate")   ? &rate
                                                     : &timeout_s;
            if (i + 1 >= argc || !parse_u64(argv[i + 1], dst)) {
                fprintf(stderr, "famqp-recv: %s needs a non-negative number\n", a);
                return 2;
            }
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "famqp-recv: unknown option %s (see --help)\n", a);
            return 2;
        } else if (!url) {
            url = a;
        } else if (!address) {
            address = a;
        } else {
            fprintf(stderr, "famqp-recv: unexpected argument %s (see --help)\n", a);
            return 2;
        }
    }
    if (!url || !address) {
        usage(stderr);
        return 2;
    }
    if (credit == 0 || credit > UINT32_MAX || timeout_s > 86400) {
        fprintf(stderr, "famqp-recv: --credit must be 1..%u and --timeout at most 86400\n", UINT32_MAX);
        return 2;
    }
    /* Never ask for more than we will take: the rest would be taken from
     * other consumers of the queue and released at close. */
    if (count && credit > count)
        credit = count;
    int timeout_ms = (int)(timeout_s * 1000);

    famqp_client_options co;
    famqp_client_options_init(&co);
    co.connect_timeout_ms = timeout_ms;
    co.allow_plain_insecure = allow_plain;
    co.io.tls_ca_file = ca;
    if (reconnect) {
        co.reconnect.max_attempts = 60;
        co.reconnect.initial_backoff_ms = 100;
        co.reconnect.max_backoff_ms = 1000;
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &co, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "famqp-recv: cannot connect: %s\n", err.message);
        return 1;
    }
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = (uint32_t)credit;
    ro.attach_timeout_ms = timeout_ms;
    famqp_receiver *r;
    if (famqp_receiver_open(c, address, &ro, &r) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "famqp-recv: cannot attach receiver: %s\n", famqp_client_last_error(c)->message);
        famqp_client_close(c, 2000);
        return 1;
    }

    uint64_t start = 0, received = 0, expected = 0, lost = 0, duplicates = 0, malformed = 0, distinct = 0;
    /* At-least-once check: which numbers arrived (one bit each). */
    bool at_least_once = reconnect && check;
    uint8_t *seen = at_least_once ? calloc((size_t)(count / 8 + 1), 1) : NULL;
    if (at_least_once && !seen) {
        fprintf(stderr, "famqp-recv: out of memory\n");
        return 1;
    }
    int rc = 0;
    while (at_least_once ? distinct < count : received < count) {
        if (rate && received) {
            /* Message k is taken no earlier than k/rate seconds after the first. */
            uint64_t due = start + received * 1000 / rate;
            while (famqp_io_now_ms() < due && famqp_client_pump(c, famqp_io_ms_until(due)) == FAMQP_CLIENT_OK) {
            }
        }
        famqp_delivery *d;
        if (famqp_receive(r, timeout_ms, &d) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "famqp-recv: after %" PRIu64 " of %" PRIu64 " messages: %s\n", received, count,
                    famqp_client_last_error(c)->message);
            rc = 1;
            break;
        }
        if (received == 0)
            start = famqp_io_now_ms(); /* time the flow, not the wait for the first one */
        received++;
        if (at_least_once) {
            uint64_t seq;
            if (!sequence_of(d, &seq) || seq >= count) {
                malformed++;
            } else if (seen[seq / 8] & (1u << (seq % 8))) {
                duplicates++;
            } else {
                seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
                distinct++;
            }
        } else if (check) {
            uint64_t seq;
            if (!sequence_of(d, &seq)) {
                malformed++;
            } else if (seq == expected) {
                expected++;
            } else if (seq > expected) {
                lost += seq - expected; /* a gap: missing unless they turn up later */
                expected = seq + 1;
            } else {
                duplicates++; /* seen (or skipped as lost) before */
            }
        }
        famqp_delivery_accept(d);
    }
    famqp_client_pump(c, 0); /* send the last settlements */
    double secs = start ? (double)(famqp_io_now_ms() - start) / 1000.0 : 0.0;
    if (at_least_once) {
        lost = count - distinct;
        if (lost || malformed) {
            fprintf(stderr,
                    "famqp-recv: at-least-once check failed: %" PRIu64 " of %" PRIu64 " never arrived, %" PRIu64
                    " without a valid sequence number\n",
                    lost, count, malformed);
            rc = 1;
        }
    } else if (check && (lost || duplicates || malformed || (rc == 0 && expected != count))) {
        fprintf(stderr,
                "famqp-recv: sequence check failed: %" PRIu64 " lost, %" PRIu64 " duplicate or out of order, %" PRIu64
                " without a sequence number; next expected %" PRIu64 " of %" PRIu64 "\n",
                lost, duplicates, malformed, expected, count);
        rc = 1;
    }
    if (famqp_receiver_close(r, timeout_ms) != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-recv: detach failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    uint64_t reconnects = famqp_client_reconnects(c);
    famqp_client_status cst = famqp_client_close(c, timeout_ms);
    if (cst != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-recv: close failed: %s\n", famqp_client_status_name(cst));
        rc = 1;
    }
    printf("received %" PRIu64 " messages in %.3f s: %.0f msg/s\n", received, secs,
           secs > 0 ? (double)received / secs : 0.0);
    if (at_least_once)
        printf("distinct %" PRIu64 ", duplicates %" PRIu64 ", lost %" PRIu64 ", reconnects %" PRIu64 "\n", distinct,
               duplicates, lost, reconnects);
    else if (reconnect)
        printf("reconnects %" PRIu64 "\n", reconnects);
    free(seen);
    return rc;
}

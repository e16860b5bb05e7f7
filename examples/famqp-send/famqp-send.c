/* famqp-send URL ADDRESS --count N --size BYTES [--settled] [--window W]
 *            [--ca FILE] [--allow-plain-insecure] [--reconnect] [--rate R] [--durable]
 *
 * Sends N messages, each with a message-id and a data body whose first 8
 * bytes are its sequence number (big-endian, 0..N-1) padded to BYTES, and
 * waits until every one is settled.  Ends with one line
 *   sent N messages in S s: R msg/s
 * and exits 0 only when all N were sent and (unless --settled) accepted. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-send URL ADDRESS [--count N] [--size BYTES] [--settled] [--window W]\n"
            "                  [--timeout S]\n"
            "  URL        amqp[s]://[user:pass@]host[:port]\n"
            "  ADDRESS    node (queue) to send to\n"
            "  --count N  messages to send (default 1)\n"
            "  --size B   body bytes per message, at least 8 (default 100)\n"
            "  --settled  send pre-settled (at-most-once); default: wait for each outcome\n"
            "  --window W most unsettled messages in flight (default 1000)\n"
            "  --timeout S give up when nothing progresses for S seconds (default 30)\n"
            "  --ca FILE   amqps: trust the CAs in this PEM file (default: the system store);\n"
            "              the server certificate and host name are always verified\n"
            "  --allow-plain-insecure  allow user:password (SASL PLAIN) over amqp:// without\n"
            "              TLS (the password crosses the network in clear text)\n"
            "  --reconnect reconnect when the connection is lost and resend every message\n"
            "              not yet settled (at-least-once); prints a second line\n"
            "              'reconnects R, resent M'\n"
            "  --rate R    send at most R messages per second (default: as fast as possible)\n"
            "  --durable   mark messages durable (header), so a broker keeps them on disk\n"
            "Prints 'sent N messages in S s: R msg/s' and exits 0 when all N were sent\n"
            "and settled (accepted).\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static int fail(const char *what, const famqp_client_error *e)
{
    fprintf(stderr, "famqp-send: %s: %s\n", what, e->message);
    return 1;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *address = NULL;
    uint64_t count = 1, size = 100, window = 1000, timeout_s = 30, rate = 0;
    bool settled = false, allow_plain = false, reconnect = false, durable = false;
    const char *ca = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--settled")) {
            settled = true;
        } else if (!strcmp(a, "--allow-plain-insecure")) {
            allow_plain = true;
        } else if (!strcmp(a, "--reconnect")) {
            reconnect = true;
        } else if (!strcmp(a, "--durable")) {
            durable = true;
        } else if (!strcmp(a, "--ca")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "famqp-send: --ca needs a file\n");
                return 2;
            }
            ca = argv[++i];
        } else if (!strcmp(a, "--count") || !strcmp(a, "--size") || !strcmp(a, "--window") ||
                   !strcmp(a, "--timeout") || !strcmp(a, "--rate")) {
            uint64_t *dst = !strcmp(a, "--count")    ? &count
                            : !strcmp(a, "--size")   ? &size
                            : !strcmp(a, "--window") ? &window
                            : !strcmp(a, "--rate")   ? &rate
                                                     : &timeout_s;
            if (i + 1 >= argc || !parse_u64(argv[i + 1], dst)) {
                fprintf(stderr, "famqp-send: %s needs a non-negative number\n", a);
                return 2;
            }
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "famqp-send: unknown option %s (see --help)\n", a);
            return 2;
        } else if (!url) {
            url = a;
        } else if (!address) {
            address = a;
        } else {
            fprintf(stderr, "famqp-send: unexpected argument %s (see --help)\n", a);
            return 2;
        }
    }
    if (!url || !address) {
        usage(stderr);
        return 2;
    }
    if (size < 8)
        size = 8;
    if (window == 0 || window > UINT32_MAX || timeout_s > 86400 || size > (1u << 30)) {
        fprintf(stderr, "famqp-send: --window must be 1..%u, --timeout at most 86400, --size at most 1 GiB\n",
                UINT32_MAX);
        return 2;
    }
    int timeout_ms = (int)(timeout_s * 1000);

    famqp_client_options co;
    famqp_client_options_init(&co);
    co.connect_timeout_ms = timeout_ms;
    co.allow_plain_insecure = allow_plain;
    co.io.tls_ca_file = ca;
    if (reconnect) {
        /* Enough attempts to ride out a broker restart of tens of seconds. */
        co.reconnect.max_attempts = 60;
        co.reconnect.initial_backoff_ms = 100;
        co.reconnect.max_backoff_ms = 1000;
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &co, &c, &err) != FAMQP_CLIENT_OK)
        return fail("cannot connect", &err);

    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = settled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    so.window = (uint32_t)window;
    so.attach_timeout_ms = timeout_ms;
    famqp_sender *s;
    if (famqp_sender_open(c, address, &so, &s) != FAMQP_CLIENT_OK) {
        int rc = fail("cannot attach sender", famqp_client_last_error(c));
        famqp_client_close(c, 2000);
        return rc;
    }

    uint8_t *body = calloc(1, (size_t)size);
    size_t enc_cap = (size_t)size + 256;
    uint8_t *enc = malloc(enc_cap);
    if (!body || !enc) {
        fprintf(stderr, "famqp-send: out of memory\n");
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
    uint64_t start = famqp_io_now_ms();
    int rc = 0;
    for (uint64_t n = 0; n < count; n++) {
        if (rate) {
            /* Message n leaves no earlier than n/rate seconds after start. */
            uint64_t due = start + n * 1000 / rate;
            while (famqp_io_now_ms() < due && famqp_client_pump(c, famqp_io_ms_until(due)) == FAMQP_CLIENT_OK) {
            }
        }
        for (int b = 0; b < 8; b++)
            body[b] = (uint8_t)(n >> (56 - 8 * b)); /* the body view points here */
        m.properties.message_id.u.message_id_ulong = n;
        size_t len = famqp_message_encode(enc, enc_cap, &m);
        if (famqp_send_bytes_async(s, enc, len, timeout_ms) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "famqp-send: sending message %" PRIu64 " failed: %s\n", n,
                    famqp_client_last_error(c)->message);
            rc = 1;
            break;
        }
    }
    famqp_send_summary sum;
    if (rc == 0 && famqp_sender_wait_all(s, timeout_ms, &sum) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "famqp-send: waiting for outcomes failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    famqp_sender_summary(s, &sum);
    double secs = (double)(famqp_io_now_ms() - start) / 1000.0;
    uint64_t settled_ok = settled ? sum.presettled : sum.accepted;
    if (rc == 0 && settled_ok != count) {
        fprintf(stderr,
                "famqp-send: only %" PRIu64 " of %" PRIu64 " messages accepted (rejected %" PRIu64
                ", released %" PRIu64 ", modified %" PRIu64 ")%s%s%s%s\n",
                settled_ok, count, sum.rejected, sum.released, sum.modified, sum.first_condition[0] ? ": " : "",
                sum.first_condition, sum.first_description[0] ? ": " : "", sum.first_description);
        rc = 1;
    }
    if (famqp_sender_close(s, timeout_ms) != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-send: detach failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    uint64_t reconnects = famqp_client_reconnects(c);
    famqp_client_status cst = famqp_client_close(c, timeout_ms);
    if (cst != FAMQP_CLIENT_OK && rc == 0) {
        fprintf(stderr, "famqp-send: close failed: %s\n", famqp_client_status_name(cst));
        rc = 1;
    }
    uint64_t done = rc == 0 ? count : settled_ok;
    printf("sent %" PRIu64 " messages in %.3f s: %.0f msg/s\n", done, secs, secs > 0 ? (double)done / secs : 0.0);
    if (reconnect)
        printf("reconnects %" PRIu64 ", resent %" PRIu64 "\n", reconnects, sum.resent);
    free(body);
    free(enc);
    return rc;
}

/* artemis-routing URL: ActiveMQ Artemis' address model driven by link
 * capabilities (issue 15).  Artemis reads a sender's target capabilities
 * and a receiver's source capabilities: "queue" asks for an anycast
 * address (a message goes to one consumer), "topic" for a multicast one
 * (every subscriber gets every message); the address is auto-created with
 * that routing type.  Checks, on plain addresses (no /queue/ or /topic/
 * prefix, whose routing the acceptor fixes):
 *   anycast    two receivers with capability queue, 40 messages from a
 *              sender with capability queue: each message exactly once
 *              across the two, both got some (round robin)
 *   multicast  two receivers with capability topic, 40 messages from a
 *              sender with capability topic: each receiver gets all 40
 *   mismatch   a receiver with capability queue on the multicast address:
 *              what Artemis does (prints it; refused with a condition, or
 *              attached: then it must not get the topic's messages)
 *   echoed     the capability Artemis puts in its attach's source/target
 * Exits 0 when every check passed, 1 otherwise (reason on stderr). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "famqp/client.h"

enum { N = 40, TIMEOUT_MS = 10000 };

static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("artemis-routing: FAILED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static const char *last(const famqp_client *c) { return famqp_client_last_error(c)->message; }

static bool has_symbol(famqp_symbols s, const char *want)
{
    for (uint32_t i = 0; i < s.count; i++)
        if (!strcmp(s.items[i], want))
            return true;
    return false;
}

static famqp_client_status open_receiver(famqp_client *c, const char *address, const char *cap, famqp_receiver **r)
{
    const char *caps[1] = {cap};
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 100;
    ro.attach_timeout_ms = 5000;
    ro.link.source_capabilities = (famqp_symbols){caps, 1};
    return famqp_receiver_open(c, address, &ro, r);
}

/* Sends N messages (body "message i") with target capability cap. */
static int send_n(famqp_client *c, const char *address, const char *cap)
{
    const char *caps[1] = {cap};
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.link.target_capabilities = (famqp_symbols){caps, 1};
    famqp_sender *s;
    if (famqp_sender_open(c, address, &so, &s) != FAMQP_CLIENT_OK)
        return failf("attach sender to %s (capability %s): %s", address, cap, last(c));
    famqp_symbols echoed = famqp_link_remote_target_capabilities(famqp_sender_link(s));
    printf("  sender to %s, target capability %s: Artemis' attach target capabilities [%s%s]\n", address, cap,
           echoed.count ? echoed.items[0] : "", echoed.count > 1 ? ", ..." : "");
    for (int i = 0; i < N; i++) {
        char text[32];
        uint8_t buf[128];
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, text, (size_t)snprintf(text, sizeof text, "message %d", i));
        size_t len = famqp_message_encode(buf, sizeof buf, &m);
        famqp_outcome o;
        if (famqp_send_bytes(s, buf, len, TIMEOUT_MS, &o) != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED)
            return failf("send %d to %s: %s (outcome %s)", i, address, last(c), famqp_outcome_kind_name(o.kind));
    }
    return famqp_sender_close(s, TIMEOUT_MS) == FAMQP_CLIENT_OK ? 0 : failf("detach sender: %s", last(c));
}

/* Takes what r holds within quiet_ms of silence; marks seen[i] per "message i". */
static int drain_into(famqp_client *c, famqp_receiver *r, int seen[N], int *got, int quiet_ms)
{
    famqp_delivery *d;
    famqp_client_status st;
    while ((st = famqp_receive(r, quiet_ms, &d)) == FAMQP_CLIENT_OK) {
        famqp_message m;
        char text[32] = "";
        int i = -1;
        if (famqp_delivery_read_message(d, &m, NULL) == FAMQP_OK && m.body.kind == FAMQP_BODY_DATA &&
            m.body.data.len < sizeof text)
            memcpy(text, m.body.data.ptr, m.body.data.len);
        if (sscanf(text, "message %d", &i) != 1 || i < 0 || i >= N)
            return failf("an unexpected message arrived: \"%s\"", text);
        seen[i]++;
        (*got)++;
        famqp_delivery_accept(d);
    }
    return st == FAMQP_CLIENT_ERR_TIMEOUT ? 0 : failf("receive: %s", last(c));
}

static int check_routing(famqp_client *c, const char *address, const char *cap, bool multicast)
{
    famqp_receiver *r[2];
    for (int k = 0; k < 2; k++) {
        if (open_receiver(c, address, cap, &r[k]) != FAMQP_CLIENT_OK)
            return failf("attach receiver %d to %s (capability %s): %s", k, address, cap, last(c));
    }
    famqp_symbols echoed = famqp_link_remote_source_capabilities(famqp_receiver_link(r[0]));
    printf("  receivers on %s, source capability %s: Artemis' attach source capabilities [%s%s]\n", address, cap,
           echoed.count ? echoed.items[0] : "", echoed.count > 1 ? ", ..." : "");
    if (!has_symbol(echoed, cap))
        return failf("Artemis' attach does not echo the source capability %s", cap);
    if (send_n(c, address, cap))
        return 1;
    int seen[2][N] = {{0}}, got[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        if (drain_into(c, r[k], seen[k], &got[k], 700))
            return 1;
    for (int i = 0; i < N; i++) {
        int total = seen[0][i] + seen[1][i];
        if (multicast ? (seen[0][i] != 1 || seen[1][i] != 1) : total != 1)
            return failf("%s: message %d arrived %d + %d times", address, i, seen[0][i], seen[1][i]);
    }
    if (!multicast && (got[0] == 0 || got[1] == 0))
        return failf("%s: one consumer got everything (%d / %d): no round robin", address, got[0], got[1]);
    printf("%s (%s): %d messages, receiver 1 got %d, receiver 2 got %d, each message %s\n", address,
           multicast ? "multicast" : "anycast", N, got[0], got[1],
           multicast ? "once per receiver" : "exactly once in all");
    for (int k = 0; k < 2; k++)
        famqp_receiver_close(r[k], TIMEOUT_MS);
    return 0;
}

/* A receiver asking for an anycast queue on a multicast-only address. */
static int check_mismatch(const char *url, const famqp_client_options *co, const char *address)
{
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, co, &c, &err) != FAMQP_CLIENT_OK)
        return failf("connect: %s", err.message);
    famqp_receiver *r;
    famqp_client_status st = open_receiver(c, address, "queue", &r);
    if (st == FAMQP_CLIENT_OK) {
        /* Attached: it must not see the topic's traffic as a queue would. */
        famqp_client *p;
        if (famqp_client_connect(url, co, &p, &err) != FAMQP_CLIENT_OK)
            return failf("connect: %s", err.message);
        if (send_n(p, address, "topic"))
            return 1;
        famqp_client_close(p, TIMEOUT_MS);
        int seen[N] = {0}, got = 0;
        if (drain_into(c, r, seen, &got, 700))
            return 1;
        printf("mismatch: a receiver with capability queue on the multicast address %s was attached and got %d "
               "of the %d messages sent to the topic\n",
               address, got, N);
    } else {
        const famqp_client_error *e = famqp_client_last_error(c);
        if (st == FAMQP_CLIENT_ERR_TIMEOUT || !e->condition[0])
            return failf("receiver with capability queue on %s: %s, without the broker's condition", address,
                         e->message);
        printf("mismatch: a receiver with capability queue on the multicast address %s is refused: %s \"%s\"\n",
               address, e->condition, e->description);
    }
    famqp_client_close(c, 2000);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: artemis-routing URL SUFFIX (addresses get SUFFIX: run once per fresh name)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.allow_plain_insecure = true; /* loopback test broker */
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], &co, &c, &err) != FAMQP_CLIENT_OK)
        return failf("connect %s: %s", argv[1], err.message);
    char any[128], multi[128];
    snprintf(any, sizeof any, "caps-anycast-%s", argv[2]);
    snprintf(multi, sizeof multi, "caps-multicast-%s", argv[2]);
    int rc = check_routing(c, any, "queue", false) || check_routing(c, multi, "topic", true) ||
             check_mismatch(argv[1], &co, multi);
    famqp_client_close(c, TIMEOUT_MS);
    return rc;
}

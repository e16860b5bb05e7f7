/* e2e-latency: end-to-end throughput and latency through an AMQP peer with
 * flatamqp's client API.
 *
 *   e2e-latency URL ADDRESS [--count N] [--size B] [--settled] [--window W]
 *               [--credit C] [--rate R] [--flush] [--max-send-delay US] [--timeout S]
 *
 * A receiver (its own thread and connection) attaches to ADDRESS at URL;
 * then the main thread connects a sender and sends N messages of B body
 * bytes as famqp-send does (pipelined, at most W unsettled; --settled:
 * pre-settled, at-most-once).  Each body carries its sequence number (bytes
 * 0..7, like famqp-send) and the CLOCK_MONOTONIC time in ns just before the
 * message was encoded and handed to the client (bytes 8..15).  The receiver
 * subtracts that from the time famqp_receive handed it the message: the
 * latency is encode + send queue + network + peer (broker queue) + receive
 * decode.  By default the sender sends as fast as it can (a flood: the
 * latency is then mostly time spent queued); --rate R paces it to R
 * messages/s, which shows the latency of the path itself.  famqp_send_async
 * writes at once when the connection was idle, else lets output wait at
 * most the client's max_send_delay_us (client.h; default
 * FAMQP_CLIENT_DEFAULT_SEND_DELAY_US, --max-send-delay sets it for the
 * sender) so that a flood shares writes; --flush calls
 * famqp_client_pump(client, 0) after every send, as an application that
 * wants each message on the wire at once does.  Prints one line:
 *
 *   e2e-latency: received R of N in S s: T msg/s p50 X us p99 Y us max Z us
 *
 * (T = R / time from the first send to the last receive), exit 0 when all N
 * arrived in order, exactly once. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "famqp/client.h"
#include "famqp/message.h"

typedef struct run {
    const char *url, *address;
    uint64_t count, size, window, credit, rate, timeout_s;
    bool settled, flush;
    int64_t max_send_delay_us; /* -1: the client's default */
    /* receiver -> main: attached (or failed) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int recv_state; /* 0 attaching, 1 attached, -1 failed */
    /* receiver results */
    uint64_t *lat_ns;
    uint64_t received, out_of_order, last_ns;
    int recv_rc;
} run;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void set_recv_state(run *r, int state)
{
    pthread_mutex_lock(&r->mu);
    r->recv_state = state;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void *receiver_main(void *arg)
{
    run *r = arg;
    int timeout_ms = (int)(r->timeout_s * 1000);
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.connect_timeout_ms = timeout_ms;
    famqp_client *c;
    famqp_client_error err;
    r->recv_rc = 1;
    if (famqp_client_connect(r->url, &co, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "e2e-latency: receiver cannot connect: %s\n", err.message);
        set_recv_state(r, -1);
        return NULL;
    }
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = (uint32_t)r->credit;
    ro.attach_timeout_ms = timeout_ms;
    famqp_receiver *rc;
    if (famqp_receiver_open(c, r->address, &ro, &rc) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "e2e-latency: cannot attach receiver: %s\n", famqp_client_last_error(c)->message);
        famqp_client_close(c, 2000);
        set_recv_state(r, -1);
        return NULL;
    }
    set_recv_state(r, 1);
    uint64_t expected = 0;
    while (r->received < r->count) {
        famqp_delivery *d;
        if (famqp_receive(rc, timeout_ms, &d) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "e2e-latency: after %" PRIu64 " of %" PRIu64 " messages: %s\n", r->received, r->count,
                    famqp_client_last_error(c)->message);
            break;
        }
        uint64_t t = now_ns();
        famqp_message m;
        if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
            m.body.data.len < 16) {
            fprintf(stderr, "e2e-latency: message %" PRIu64 " has no timestamped data body\n", r->received);
            famqp_delivery_accept(d);
            break;
        }
        uint64_t seq = get_be64(m.body.data.ptr), sent = get_be64(m.body.data.ptr + 8);
        if (seq != expected) r->out_of_order++;
        expected = seq + 1;
        r->lat_ns[r->received++] = t >= sent ? t - sent : 0;
        r->last_ns = t;
        famqp_delivery_accept(d);
    }
    famqp_client_pump(c, 0); /* the last settlements */
    famqp_receiver_close(rc, timeout_ms);
    famqp_client_close(c, timeout_ms);
    r->recv_rc = r->received == r->count && r->out_of_order == 0 ? 0 : 1;
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The sender: what famqp-send does, with a timestamp in every body. */
static int send_all(run *r, uint64_t *first_send_ns)
{
    int timeout_ms = (int)(r->timeout_s * 1000);
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.connect_timeout_ms = timeout_ms;
    if (r->max_send_delay_us >= 0)
        co.max_send_delay_us = (uint32_t)r->max_send_delay_us;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(r->url, &co, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "e2e-latency: sender cannot connect: %s\n", err.message);
        return 1;
    }
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = r->settled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    so.window = (uint32_t)r->window;
    so.attach_timeout_ms = timeout_ms;
    famqp_sender *s;
    if (famqp_sender_open(c, r->address, &so, &s) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "e2e-latency: cannot attach sender: %s\n", famqp_client_last_error(c)->message);
        famqp_client_close(c, 2000);
        return 1;
    }
    uint8_t *body = calloc(1, (size_t)r->size);
    size_t enc_cap = (size_t)r->size + 256;
    uint8_t *enc = malloc(enc_cap);
    int rc = body && enc ? 0 : 1;
    *first_send_ns = now_ns();
    for (uint64_t n = 0; rc == 0 && n < r->count; n++) {
        if (r->rate) {
            /* Paced: message n leaves at first + n / rate, not earlier. */
            uint64_t due = *first_send_ns + (uint64_t)((double)n * 1e9 / (double)r->rate), t;
            while ((t = now_ns()) < due) {
                struct timespec ts = {0, (long)(due - t)};
                nanosleep(&ts, NULL);
            }
        }
        put_be64(body, n);
        put_be64(body + 8, now_ns());
        famqp_message m;
        famqp_message_init(&m);
        m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
        m.properties.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID;
        m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG;
        m.properties.message_id.u.message_id_ulong = n;
        famqp_message_set_data(&m, body, (size_t)r->size);
        size_t len = famqp_message_encode(enc, enc_cap, &m);
        if (len == 0 || len > enc_cap || famqp_send_bytes_async(s, enc, len, timeout_ms) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "e2e-latency: sending message %" PRIu64 " failed: %s\n", n,
                    famqp_client_last_error(c)->message);
            rc = 1;
        } else if (r->flush && famqp_client_pump(c, 0) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "e2e-latency: flushing after message %" PRIu64 " failed: %s\n", n,
                    famqp_client_last_error(c)->message);
            rc = 1;
        }
    }
    famqp_send_summary sum;
    if (rc == 0 && famqp_sender_wait_all(s, timeout_ms, &sum) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "e2e-latency: waiting for outcomes failed: %s\n", famqp_client_last_error(c)->message);
        rc = 1;
    }
    famqp_sender_summary(s, &sum);
    if (rc == 0 && (r->settled ? sum.presettled : sum.accepted) != r->count) {
        fprintf(stderr, "e2e-latency: only %" PRIu64 " of %" PRIu64 " messages %s\n",
                r->settled ? sum.presettled : sum.accepted, r->count, r->settled ? "sent" : "accepted");
        rc = 1;
    }
    famqp_sender_close(s, timeout_ms);
    famqp_client_close(c, timeout_ms);
    free(body);
    free(enc);
    return rc;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || s[0] == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    run r = {.count = 1000000, .size = 100, .window = 1000, .credit = 1000, .timeout_s = 30,
             .max_send_delay_us = -1};
    uint64_t delay = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t *dst = !strcmp(a, "--count")     ? &r.count
                        : !strcmp(a, "--size")    ? &r.size
                        : !strcmp(a, "--window")  ? &r.window
                        : !strcmp(a, "--credit")  ? &r.credit
                        : !strcmp(a, "--rate")    ? &r.rate
                        : !strcmp(a, "--timeout") ? &r.timeout_s
                        : !strcmp(a, "--max-send-delay") ? &delay
                                                  : NULL;
        if (dst) {
            if (i + 1 >= argc || !parse_u64(argv[++i], dst)) {
                fprintf(stderr, "e2e-latency: %s needs a non-negative number\n", a);
                return 2;
            }
            if (dst == &delay)
                r.max_send_delay_us = delay > UINT32_MAX ? -2 : (int64_t)delay;
        } else if (!strcmp(a, "--settled")) {
            r.settled = true;
        } else if (!strcmp(a, "--flush")) {
            r.flush = true;
        } else if (a[0] == '-') {
            fprintf(stderr, "e2e-latency: unknown option %s\n", a);
            return 2;
        } else if (!r.url) {
            r.url = a;
        } else if (!r.address) {
            r.address = a;
        } else {
            fprintf(stderr, "e2e-latency: unexpected argument %s\n", a);
            return 2;
        }
    }
    if (!r.url || !r.address || r.count == 0 || r.size < 16 || r.size > (1u << 30) || r.window == 0 ||
        r.window > UINT32_MAX || r.credit == 0 || r.credit > UINT32_MAX || r.timeout_s == 0 || r.timeout_s > 86400 ||
        r.max_send_delay_us < -1) {
        fprintf(stderr, "usage: e2e-latency URL ADDRESS [--count N>0] [--size B>=16] [--settled] [--window W>0]\n"
                        "                   [--credit C>0] [--rate R (msg/s, 0: flood)] [--flush] [--max-send-delay US]\n"
                        "                   [--timeout S (1..86400)]\n");
        return 2;
    }
    r.lat_ns = malloc(r.count * sizeof *r.lat_ns);
    if (!r.lat_ns) {
        fprintf(stderr, "e2e-latency: out of memory\n");
        return 1;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, receiver_main, &r) != 0) {
        fprintf(stderr, "e2e-latency: cannot start the receiver thread\n");
        return 1;
    }
    pthread_mutex_lock(&r.mu);
    while (r.recv_state == 0) pthread_cond_wait(&r.cv, &r.mu);
    int state = r.recv_state;
    pthread_mutex_unlock(&r.mu);

    uint64_t first = now_ns();
    int send_rc = state == 1 ? send_all(&r, &first) : 1;
    pthread_join(th, NULL);

    double secs = r.received && r.last_ns > first ? (double)(r.last_ns - first) / 1e9 : 0.0;
    uint64_t p50 = 0, p99 = 0, max = 0;
    if (r.received) {
        qsort(r.lat_ns, r.received, sizeof *r.lat_ns, cmp_u64);
        p50 = r.lat_ns[(r.received - 1) / 2];
        p99 = r.lat_ns[(r.received - 1) * 99 / 100];
        max = r.lat_ns[r.received - 1];
    }
    printf("e2e-latency: received %" PRIu64 " of %" PRIu64 " in %.3f s: %.0f msg/s p50 %.1f us p99 %.1f us max %.1f us"
           "%s\n",
           r.received, r.count, secs, secs > 0 ? (double)r.received / secs : 0.0, (double)p50 / 1e3,
           (double)p99 / 1e3, (double)max / 1e3, r.out_of_order ? " (OUT OF ORDER)" : "");
    free(r.lat_ns);
    return send_rc || r.recv_rc ? 1 : 0;
}

/* Shared by the example programs: see tool.h. */
#define _POSIX_C_SOURCE 200809L

#include "tool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <famqp/client.h>

volatile sig_atomic_t tool_signal;

bool tool_arg_u64(const char *prog, const char *opt, const char *val, uint64_t min, uint64_t max,
                  uint64_t *out)
{
    if (!val) {
        fprintf(stderr, "%s: %s needs a value: a whole number from %" PRIu64 " to %" PRIu64 "\n", prog, opt, min,
                max);
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 10);
    /* strtoull accepts "-1" (as a huge number) and leading blanks: refuse both. */
    if (!*val || *end || errno || val[0] < '0' || val[0] > '9' || v < min || v > max) {
        fprintf(stderr, "%s: %s %s: must be a whole number from %" PRIu64 " to %" PRIu64 "\n", prog, opt, val, min,
                max);
        return false;
    }
    *out = v;
    return true;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool tool_url_address(const char *prog, const char *url, char *base, size_t base_cap, char *path,
                      size_t path_cap, const char **address)
{
    const char *auth = strstr(url, "://");
    const char *slash = auth ? strchr(auth + 3, '/') : NULL;
    /* ws[s]://: the path is the WebSocket upgrade's, so the whole URL is
     * what the client connects to and ADDRESS names the address. */
    if (!strncmp(url, "ws://", 5) || !strncmp(url, "wss://", 6))
        slash = NULL;
    size_t blen = slash ? (size_t)(slash - url) : strlen(url);
    if (blen >= base_cap) {
        fprintf(stderr, "%s: URL too long\n", prog);
        return false;
    }
    memcpy(base, url, blen);
    base[blen] = '\0';
    path[0] = '\0';
    if (slash) {
        /* The path, percent-decoded ("my%20queue"), is the address. */
        size_t n = 0;
        for (const char *s = slash + 1; *s; s++) {
            int c = (unsigned char)*s;
            if (c == '%') {
                int h = hex(s[1]), l = h < 0 ? -1 : hex(s[2]);
                if (l < 0) {
                    /* Not the URL: it may hold a password. */
                    fprintf(stderr, "%s: bad percent escape in the URL's address '%s'\n", prog, slash + 1);
                    return false;
                }
                c = h * 16 + l;
                s += 2;
            }
            if (n + 1 >= path_cap) {
                fprintf(stderr, "%s: the URL's address is too long\n", prog);
                return false;
            }
            path[n++] = (char)c;
        }
        path[n] = '\0';
    }
    if (path[0] && *address && strcmp(path, *address) != 0) {
        fprintf(stderr,
                "%s: the URL names address '%s' and ADDRESS is '%s': give the address once, in the URL path or as "
                "ADDRESS\n",
                prog, path, *address);
        return false;
    }
    if (path[0])
        *address = path;
    if (!*address) {
        fprintf(stderr, "%s: no address: give ADDRESS or put it in the URL (amqp://host:port/ADDRESS)\n", prog);
        return false;
    }
    return true;
}

static volatile sig_atomic_t hits;
static famqp_client *volatile interrupted_client;

void tool_interrupt_client(famqp_client *c) { interrupted_client = c; }

static void on_signal(int sig)
{
    /* The first signal asks for a clean stop.  One more can come at once
     * (timeout(1) signals the child and its process group): only a third
     * one gives up on the clean close. */
    if (++hits >= 3)
        _exit(TOOL_EXIT_INTERRUPTED);
    if (!tool_signal)
        tool_signal = sig;
    if (interrupted_client)
        famqp_client_interrupt(interrupted_client); /* async-signal-safe (client.h) */
}

void tool_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* No SA_RESTART: a wait in poll returns at once. */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

const char *tool_signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal"; }

uint64_t tool_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

double tool_rate(uint64_t n, uint64_t us) { return (double)n * 1e6 / (double)(us ? us : 1); }

void tool_print_done(FILE *f, const char *verb, uint64_t n, uint64_t us)
{
    double secs = (double)us / 1e6;
    fprintf(f, "%s %" PRIu64 " messages in %.*f s: %.0f msg/s\n", verb, n, us < 1000 ? 6 : 3, secs,
            n ? tool_rate(n, us) : 0.0);
}

void tool_progress_init(tool_progress *p, const char *verb, uint64_t total, uint64_t start_us)
{
    *p = (tool_progress){.on = isatty(STDERR_FILENO) == 1, .verb = verb, .total = total, .start_us = start_us,
                         .last_us = start_us};
}

void tool_progress_update(tool_progress *p, uint64_t done, const char *extra)
{
    if (!p->on)
        return;
    uint64_t now = tool_now_us();
    if (now - p->last_us < 250000)
        return;
    p->last_us = now;
    double rate = tool_rate(done, now - p->start_us);
    char eta[48] = "";
    if (p->total && done && done < p->total)
        snprintf(eta, sizeof eta, ", ETA %.0f s", (double)(p->total - done) / rate + 0.5);
    char of[40] = "";
    if (p->total)
        snprintf(of, sizeof of, " of %" PRIu64 " (%.0f%%)", p->total, 100.0 * (double)done / (double)p->total);
    /* \r and erase-to-end: the line is redrawn in place. */
    fprintf(stderr, "\r%s %" PRIu64 "%s%s%s, %.0f msg/s%s\033[K", p->verb, done, of, extra ? ", " : "",
            extra ? extra : "", rate, eta);
    fflush(stderr);
    p->drawn = true;
}

void tool_progress_end(tool_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}

const char *tool_tls_hint(const char *url, const char *message)
{
    bool tls = strncmp(url, "amqps://", 8) == 0;
    if (tls && strstr(message, "TLS") &&
        (strstr(message, "wrong version number") || strstr(message, "packet length too long") ||
         strstr(message, "unexpected eof")))
        return " (the server did not answer in TLS: it looks like a plain AMQP port; use amqp://, or give the "
               "server TLS)";
    if (!tls && (strstr(message, "\\x15\\x03") || strstr(message, "\\x16\\x03")))
        return " (the server answered in TLS: it is an amqps port; use amqps://)";
    if (!tls && strstr(message, "without an AMQP close"))
        return " (the server hung up on the AMQP protocol header: if it serves TLS (amqps), use amqps://)";
    return "";
}

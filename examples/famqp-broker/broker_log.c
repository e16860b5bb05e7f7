/* famqp-broker: the log of what a peer can make happen (a failed
 * connection, a refused login, a dropped socket), rate-limited so that no
 * client, however many connections it opens, can fill the disk or keep
 * the broker busy writing: at most LOG_LINES_PER_S lines a second, the
 * lines dropped counted and said with the next line that goes out. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "broker.h"

enum { LOG_LINES_PER_S = 20 };

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t log_second;   /* the second the count is for */
static unsigned log_lines;    /* lines written in it */
static unsigned long log_dropped; /* lines dropped since the last one written */

void peer_log(const char *fmt, ...)
{
    uint64_t s = famqp_io_now_ms() / 1000;
    pthread_mutex_lock(&log_mu);
    if (s != log_second) {
        log_second = s;
        log_lines = 0;
    }
    if (log_lines == LOG_LINES_PER_S) {
        log_dropped++;
        pthread_mutex_unlock(&log_mu);
        return;
    }
    log_lines++;
    if (log_dropped) {
        fprintf(stderr, "famqp-broker: (%lu similar lines not logged: at most %d a second)\n", log_dropped,
                LOG_LINES_PER_S);
        log_dropped = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("famqp-broker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    pthread_mutex_unlock(&log_mu);
}

void broker_accept_failed(famqp_loop_listener *l, const char *message, uint64_t pause_ms, void *arg)
{
    (void)l;
    (void)arg;
    /* Said when a run of failures starts (the first pause); the listener
     * then backs off to one try a second, and peer_log bounds the rest. */
    if (pause_ms <= 100)
        peer_log("cannot accept connections (%s): pausing the listener, retrying every %s", message,
                 "100 ms to 1 s until it works");
}

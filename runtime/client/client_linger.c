/* The output linger (client.h, max_send_delay_us): when the output of
 * calls that return without waiting (pipelined sends, receives from the
 * queue) is written, so a flood leaves in batches and a lone message at
 * once, without a clock read per call. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "client_internal.h"

/* Monotonic microseconds: the linger is shorter than famqp_io_now_ms's
 * resolution. */
static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void client_output_written(famqp_client *c)
{
    if (!c->linger_us)
        return;
    uint64_t now = mono_us();
    c->last_write_us = now;
    c->linger_check_us = now;
    c->linger_calls = 0;
}

/* Pending output this large is written at once, linger or not. */
#define CLIENT_WRITE_BATCH (256u * 1024u)
/* Most calls between two clock reads: in a flood (~0.5 us a call) the
 * clock (~40 ns) is read every few microseconds; after a flood turns slow,
 * at most this many calls pass before the clock is read again. */
#define LINGER_MAX_CALLS 16u
/* Calls this far apart (fewer than 20,000 a second) are slow enough to be
 * written one by one: a write per call costs little at that rate, and
 * waiting would only add delay. */
#define LINGER_SLOW_CALL_US 50u

void client_output_linger(famqp_client *c, bool fresh)
{
    if (c->failed || !c->conn)
        return; /* the next call that does I/O reports it */
    size_t pending = 0;
    famqp_connection_output(c->conn, &pending);
    if (!pending)
        return;
    if (!c->linger_us) {
        famqp_client_pump(c, 0);
        return;
    }
    c->linger_calls++;
    bool big = pending >= CLIENT_WRITE_BATCH;
    if (!fresh && !big && c->linger_countdown > 1) {
        c->linger_countdown--;
        return;
    }
    uint64_t now = mono_us();
    /* Next read after about a quarter of the linger at the rate seen since
     * the last one, so the linger is overshot by little. */
    uint64_t per_call = (now - c->linger_check_us) / c->linger_calls;
    uint64_t calls = per_call ? c->linger_us / 4u / per_call : LINGER_MAX_CALLS;
    /* The gap grows by doubling from the first call after a write, so two
     * calls that happen to come back to back do not leave held output
     * unchecked for many slow calls. */
    uint64_t most = fresh ? 1 : 2u * c->linger_countdown_set;
    if (calls > most)
        calls = most;
    c->linger_countdown = calls < 1 ? 1 : calls > LINGER_MAX_CALLS ? LINGER_MAX_CALLS : (uint32_t)calls;
    c->linger_countdown_set = c->linger_countdown;
    c->linger_check_us = now;
    c->linger_calls = 0;
    /* A slow application: waiting for more would only delay this output. */
    uint32_t slow_us = c->linger_us / 4u < LINGER_SLOW_CALL_US ? c->linger_us / 4u : LINGER_SLOW_CALL_US;
    bool slow = per_call >= slow_us;
    if (big || slow || now - c->last_write_us >= c->linger_us) {
        c->last_write_us = now;
        famqp_client_pump(c, 0);
    }
}

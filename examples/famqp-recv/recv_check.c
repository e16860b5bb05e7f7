/* famqp-recv: counts messages and checks famqp-send's sequence numbers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "famqp/message.h"
#include "recv.h"
#include "tool.h"

bool recv_check_init(recv_check *k, uint64_t count, bool check, bool at_least_once)
{
    *k = (recv_check){.count = count, .check = check};
    if (check && at_least_once) {
        k->seen = calloc((size_t)(count / 8 + 1), 1);
        if (!k->seen)
            return false;
    }
    return true;
}

/* The sequence number in the first data section, false when there is none. */
static bool sequence_of(const uint8_t *msg, size_t len, uint64_t *seq)
{
    famqp_message m;
    if (famqp_message_decode(msg, len, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
        m.body.data.len < 8)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | m.body.data.ptr[i];
    *seq = v;
    return true;
}

void recv_check_message(recv_check *k, const uint8_t *msg, size_t len)
{
    k->received++;
    if (!k->check)
        return;
    uint64_t seq;
    bool ok = sequence_of(msg, len, &seq);
    if (k->seen) {
        if (!ok || seq >= k->count) {
            k->malformed++;
        } else if (k->seen[seq / 8] & (1u << (seq % 8))) {
            k->duplicates++;
        } else {
            k->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
            k->distinct++;
        }
    } else if (!ok) {
        k->malformed++;
    } else if (seq == k->expected) {
        k->expected++;
    } else if (seq > k->expected) {
        k->lost += seq - k->expected; /* a gap: missing unless they turn up later */
        k->expected = seq + 1;
    } else {
        k->duplicates++; /* seen (or skipped as lost) before */
    }
}

bool recv_check_done(const recv_check *k)
{
    return k->seen ? k->distinct >= k->count : k->received >= k->count;
}

int recv_check_finish(recv_check *k, int rc)
{
    if (k->seen) {
        k->lost = k->count - k->distinct;
        if (k->lost || k->malformed) {
            fprintf(stderr,
                    "famqp-recv: at-least-once check failed: %" PRIu64 " of %" PRIu64 " never arrived, %" PRIu64
                    " without a valid sequence number\n",
                    k->lost, k->count, k->malformed);
            rc = 1;
        }
    } else if (k->check &&
               (k->lost || k->duplicates || k->malformed || (rc == 0 && k->expected != k->count))) {
        fprintf(stderr,
                "famqp-recv: sequence check failed: %" PRIu64 " lost, %" PRIu64 " duplicate or out of order, %" PRIu64
                " without a sequence number; next expected %" PRIu64 " of %" PRIu64 "\n",
                k->lost, k->duplicates, k->malformed, k->expected, k->count);
        rc = 1;
    }
    return rc;
}

void recv_check_free(recv_check *k)
{
    free(k->seen);
    k->seen = NULL;
}

void recv_print_rate(uint64_t received, uint64_t us) { tool_print_done(stdout, "received", received, us); }

/* Fuzz target: the batch reader (famqp/batch.h).  Byte 0 picks a size
 * limit for rebuilding; the rest is a received batch payload.  Every event
 * the reader returns lies inside the payload and is printed; a failure
 * names a status and stops the reader for good.  The events are then added
 * again (encoded, as received) to a new batch under that limit, which must
 * stay within it and read back to the same events, in order. */
#include <string.h>

#include "famqp/batch.h"
#include "fuzz_target.h"

#define MAX_EVENTS 4096

static uint8_t rebuilt[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t limit = 16 + (size_t)data[0] * 64;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    famqp_batch_reader r;
    famqp_error err;
    if (famqp_batch_reader_init(&r, p, n, &err) != FAMQP_OK) {
        FUZZ_CHECK(err.status != FAMQP_OK, "init failed with status ok");
        famqp_message e;
        FUZZ_CHECK(!famqp_batch_next(&r, &e), "an event from a batch that failed to decode");
        return 0;
    }
    famqp_batch b;
    FUZZ_CHECK(famqp_batch_init(&b, rebuilt, sizeof rebuilt, (int64_t)limit, NULL) == FAMQP_OK, "init");
    famqp_binary events[MAX_EVENTS];
    uint32_t count = 0;
    famqp_message e;
    while (famqp_batch_next(&r, &e)) {
        FUZZ_CHECK(r.current.ptr >= p && r.current.ptr + r.current.len <= p + n, "an event outside the payload");
        famqp_message_print(fuzz_sink(), &e);
        if (count < MAX_EVENTS && famqp_batch_add_encoded(&b, r.current.ptr, r.current.len) == FAMQP_OK)
            events[count++] = r.current;
        FUZZ_CHECK(famqp_batch_payload(&b).len <= limit, "a rebuilt batch above its limit");
    }
    famqp_status st = famqp_batch_reader_status(&r, &err);
    if (st != FAMQP_OK) {
        FUZZ_CHECK(err.status == st, "the error's status differs");
        FUZZ_CHECK(!famqp_batch_next(&r, &e), "the reader went on after a failure");
    }
    famqp_binary out = famqp_batch_payload(&b);
    famqp_batch_reader again;
    if (!count)
        return 0;
    FUZZ_CHECK(famqp_batch_reader_init(&again, out.ptr, out.len, &err) == FAMQP_OK, "a rebuilt batch does not decode");
    for (uint32_t i = 0; i < count; i++) {
        FUZZ_CHECK(famqp_batch_next(&again, &e), "rebuilt event %u missing", (unsigned)i);
        FUZZ_CHECK(again.current.len == events[i].len &&
                       memcmp(again.current.ptr, events[i].ptr, events[i].len) == 0,
                   "rebuilt event %u differs", (unsigned)i);
    }
    FUZZ_CHECK(!famqp_batch_next(&again, &e), "a rebuilt batch has more events");
    return 0;
}

/* Fuzz target: the reply to our WebSocket upgrade request, as io_ws.c
 * reads it: the input arrives in chunks (byte 0 picks the chunk size)
 * through the bounded HTTP head parser, then the upgrade checks run
 * against a fixed key.  The parser must never read past what it was
 * given, must say how long a complete head is (within the input and the
 * limit), and must refuse heads over IO_HTTP_HEAD_MAX. */
#include <string.h>

#include "fuzz_target.h"
#include "io_http.h"
#include "io_ws_handshake.h"

static int step(const uint8_t *buf, size_t len, void *ctx)
{
    (void)ctx;
    char why[300];
    io_http_head h;
    long r = io_http_reply_parse(buf, len, &h, why, sizeof why);
    if (r < 0) {
        FUZZ_CHECK(why[0], "an error without a reason");
        return 1;
    }
    if (r > 0) {
        FUZZ_CHECK((size_t)r <= len && r <= (long)IO_HTTP_HEAD_MAX, "head length %ld of %zu", r, len);
        FUZZ_CHECK(h.status >= 100 && h.status <= 599, "status %d", h.status);
        bool ok = io_ws_check_reply(&h, "dGhlIHNhbXBsZSBub25jZQ==", why, sizeof why);
        FUZZ_CHECK(ok || !strncmp(why, "WebSocket handshake: ", 21), "reason '%s'", why);
        fprintf(fuzz_sink(), "%d %s\n", ok, why);
        return 1;
    }
    FUZZ_CHECK(len < IO_HTTP_HEAD_MAX, "incomplete at the limit");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[IO_HTTP_HEAD_MAX];
    if (size >= 1)
        fuzz_chunks(data[0], data + 1, size - 1, buf, sizeof buf, step, NULL);
    return 0;
}

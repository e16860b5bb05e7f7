/* Fuzz target: a proxy's reply to our CONNECT, as io_proxy.c reads it
 * (chunked by byte 0, bit 3: whether we sent credentials), then the
 * reply check, which must name the proxy in every refusal. */
#include <string.h>

#include "fuzz_target.h"
#include "io_http.h"
#include "io_proxy.h"

static int step(const uint8_t *buf, size_t len, void *ctx)
{
    bool authed = *(const bool *)ctx;
    char why[300];
    io_http_head h;
    long r = io_http_reply_parse(buf, len, &h, why, sizeof why);
    if (r < 0) {
        FUZZ_CHECK(why[0], "an error without a reason");
        return 1;
    }
    if (r > 0) {
        FUZZ_CHECK((size_t)r <= len, "head length %ld of %zu", r, len);
        bool ok = io_proxy_check_reply(&h, "proxy.test:3128", authed, why, sizeof why);
        FUZZ_CHECK(ok == (h.status >= 200 && h.status < 300), "status %d ok %d", h.status, ok);
        FUZZ_CHECK(ok || strstr(why, "proxy proxy.test:3128 "), "reason '%s'", why);
        return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[IO_HTTP_HEAD_MAX];
    if (size < 1)
        return 0;
    bool authed = (data[0] & 8) != 0;
    fuzz_chunks(data[0], data + 1, size - 1, buf, sizeof buf, step, &authed);
    return 0;
}

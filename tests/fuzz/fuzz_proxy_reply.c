/* Fuzz target: a proxy's reply to our CONNECT, as io_proxy.c reads it
 * (chunked by byte 0, bit 3: whether we sent credentials), then the
 * reply check, which must name the proxy in every refusal. */
#include <string.h>

#include "fuzz_target.h"
#include "io_http.h"
#include "io_proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const size_t chunks[8] = {1, 2, 3, 7, 64, 512, 4096, 65536};
    size_t chunk = chunks[data[0] & 7];
    bool authed = (data[0] & 8) != 0;
    data++;
    size--;
    static uint8_t buf[IO_HTTP_HEAD_MAX];
    size_t len = 0, off = 0;
    char why[300];
    io_http_head h;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (n > sizeof buf - len)
            n = sizeof buf - len;
        memcpy(buf + len, data + off, n);
        len += n;
        off += n;
        long r = io_http_reply_parse(buf, len, &h, why, sizeof why);
        if (r < 0) {
            FUZZ_CHECK(why[0], "an error without a reason");
            return 0;
        }
        if (r > 0) {
            FUZZ_CHECK((size_t)r <= len, "head length %ld of %zu", r, len);
            bool ok = io_proxy_check_reply(&h, "proxy.test:3128", authed, why, sizeof why);
            FUZZ_CHECK(ok == (h.status >= 200 && h.status < 300), "status %d ok %d", h.status, ok);
            FUZZ_CHECK(ok || strstr(why, "proxy proxy.test:3128 "), "reason '%s'", why);
            return 0;
        }
        if (len == sizeof buf)
            return 0;
    }
    return 0;
}

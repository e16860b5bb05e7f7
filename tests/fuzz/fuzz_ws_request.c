/* Fuzz target: a client's WebSocket upgrade request, as a WebSocket
 * listener reads it (io_ws_server.c): the input arrives in chunks (byte 0
 * picks the chunk size) through the bounded HTTP request parser, and a
 * complete head is answered for the default path.  The parser must never
 * read past what it was given, must say how long a complete head is
 * (within the input and the limit), must refuse heads over
 * IO_HTTP_HEAD_MAX; the answer is 101 (with the accept value for the key
 * and a subprotocol the client offered) or 400/404/426 with the reason in
 * its body, and always a complete HTTP/1.1 head within IO_WS_ANSWER_MAX. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "fuzz_target.h"
#include "io_http.h"
#include "io_ws_handshake.h"

static void check_answer(const io_http_request *r)
{
    char out[IO_WS_ANSWER_MAX];
    size_t len = 0;
    char why[400];
    int status = io_ws_answer(r, "/$servicebus/websocket", out, &len, why, sizeof why);
    FUZZ_CHECK(status == 101 || status == 400 || status == 404 || status == 426, "status %d", status);
    FUZZ_CHECK(len > 12 && len < IO_WS_ANSWER_MAX, "answer length %zu", len);
    FUZZ_CHECK(!memcmp(out, "HTTP/1.1 ", 9) && atoi(out + 9) == status, "status line '%.40s'", out);
    FUZZ_CHECK(memmem(out, len, "\r\n\r\n", 4) != NULL, "no end of head");
    if (status == 101) {
        char accept[29];
        io_ws_accept(r->ws_key, accept);
        FUZZ_CHECK(strstr(out, accept) && why[0] == '\0', "101 without the accept value");
        FUZZ_CHECK(strstr(out, "Sec-WebSocket-Protocol: AMQPWSB10\r\n") ? io_http_list_has_exact(r->ws_protocol, "AMQPWSB10")
                                                                      : io_http_list_has_exact(r->ws_protocol, "amqp"),
                   "a subprotocol not offered: '%s'", r->ws_protocol);
    } else {
        FUZZ_CHECK(why[0] && strstr(out, why), "a refusal without its reason");
    }
    fprintf(fuzz_sink(), "%d %s\n", status, why);
}

static int step(const uint8_t *buf, size_t len, void *ctx)
{
    (void)ctx;
    char why[300];
    io_http_request r;
    long got = io_http_request_parse(buf, len, &r, why, sizeof why);
    if (got < 0) {
        FUZZ_CHECK(why[0], "an error without a reason");
        char out[IO_WS_ANSWER_MAX];
        size_t alen = io_ws_refusal(400, why, out);
        FUZZ_CHECK(alen > 0 && alen < IO_WS_ANSWER_MAX && !memcmp(out, "HTTP/1.1 400 ", 13), "refusal");
        return 1;
    }
    if (got > 0) {
        FUZZ_CHECK((size_t)got <= len && got <= (long)IO_HTTP_HEAD_MAX, "head length %ld of %zu", got, len);
        FUZZ_CHECK(r.method[0] && r.target[0], "a head without method or target");
        check_answer(&r);
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

/* The WebSocket opening handshake (io_ws_handshake.h): the random key and
 * its accept value with OpenSSL, the client's upgrade request, the strict
 * check of the server's reply, and a server's answer to a request. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "io_ws_handshake.h"

/* RFC 6455: the GUID the accept value is computed with. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool io_ws_key(char key[25])
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return false;
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw);
    return true;
}

void io_ws_accept(const char *key, char accept[29])
{
    char both[128];
    int n = snprintf(both, sizeof both, "%s%s", key, ws_guid);
    if (n < 0 || (size_t)n >= sizeof both)
        n = (int)sizeof both - 1; /* keys are 24 characters; a longer one cannot match anyway */
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)both, (size_t)n, digest);
    EVP_EncodeBlock((unsigned char *)accept, digest, sizeof digest);
}

size_t io_ws_request(char *buf, size_t cap, const char *host, uint16_t port, bool tls, const char *path,
                     const char *key)
{
    /* Host names the port only when it is not the scheme's default; an
     * IPv6 literal goes in brackets. */
    bool v6 = strchr(host, ':') != NULL;
    char hostport[300];
    if (port == (tls ? 443 : 80))
        snprintf(hostport, sizeof hostport, v6 ? "[%s]" : "%s", host);
    else
        snprintf(hostport, sizeof hostport, v6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
    int n = snprintf(buf, cap,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: " IO_WS_PROTOCOLS "\r\n"
                     "\r\n",
                     path, hostport, key);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

bool io_ws_check_reply(const io_http_head *h, const char *key, char *why, size_t cap)
{
    if (h->status != 101) {
        snprintf(why, cap, "WebSocket handshake: the server answered %d %s, not 101 Switching Protocols", h->status,
                 h->reason);
        return false;
    }
    if (strcasecmp(h->upgrade, "websocket") != 0) {
        snprintf(why, cap, "WebSocket handshake: Upgrade is '%s', not websocket", h->upgrade);
        return false;
    }
    if (!io_http_list_has(h->connection, "upgrade")) {
        snprintf(why, cap, "WebSocket handshake: Connection '%s' does not hold upgrade", h->connection);
        return false;
    }
    char want[29];
    io_ws_accept(key, want);
    if (strcmp(h->ws_accept, want) != 0) {
        snprintf(why, cap, "WebSocket handshake: Sec-WebSocket-Accept '%s' does not match our key", h->ws_accept);
        return false;
    }
    if (strcmp(h->ws_protocol, "AMQPWSB10") != 0 && strcmp(h->ws_protocol, "amqp") != 0) {
        snprintf(why, cap, "WebSocket handshake: the server chose subprotocol '%s', not AMQPWSB10 or amqp",
                 h->ws_protocol);
        return false;
    }
    if (h->ws_extensions) {
        snprintf(why, cap, "WebSocket handshake: the server chose extensions we did not offer");
        return false;
    }
    return true;
}

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 426: return "Upgrade Required";
    }
    return "Error";
}

size_t io_ws_refusal(int status, const char *why, char *out)
{
    /* The reason is ours (printable, bounded by the callers' buffers). */
    char body[600];
    int b = snprintf(body, sizeof body, "%s\n", why);
    if (b < 0 || (size_t)b >= sizeof body)
        b = (int)sizeof body - 1;
    int n = snprintf(out, IO_WS_ANSWER_MAX,
                     "HTTP/1.1 %d %s\r\n"
                     "%s"
                     "Content-Type: text/plain\r\n"
                     "Content-Length: %d\r\n"
                     "Connection: close\r\n"
                     "\r\n"
                     "%.*s",
                     status, status_text(status),
                     status == 426 ? "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" : "", b, b, body);
    return n < 0 ? 0 : (size_t)n >= IO_WS_ANSWER_MAX ? IO_WS_ANSWER_MAX - 1 : (size_t)n;
}

/* A Sec-WebSocket-Key: 16 bytes in base64 (RFC 6455 4.2.1). */
static bool good_key(const char *k)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (strlen(k) != 24 || strcmp(k + 22, "==") != 0)
        return false;
    for (int i = 0; i < 22; i++)
        if (!strchr(b64, k[i]) || !k[i])
            return false;
    /* the last character carries 2 bits: its low 4 bits are zero */
    return ((strchr(b64, k[21]) - b64) & 0xf) == 0;
}

static int refuse(int status, char *out, size_t *out_len, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int refuse(int status, char *out, size_t *out_len, char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    *out_len = io_ws_refusal(status, why, out);
    return status;
}

int io_ws_answer(const io_http_request *r, const char *path, char *out, size_t *out_len, char *why, size_t cap)
{
    size_t plen = strcspn(r->target, "?");
    if (strcmp(r->method, "GET") != 0)
        return refuse(400, out, out_len, why, cap, "method %s, not GET: a WebSocket upgrade is a GET", r->method);
    if (plen != strlen(path) || strncmp(r->target, path, plen) != 0)
        return refuse(404, out, out_len, why, cap, "path '%.200s' is not this listener's '%.200s'", r->target, path);
    if (!r->host[0])
        return refuse(400, out, out_len, why, cap, "no Host header");
    if (strcasecmp(r->upgrade, "websocket") != 0 || !io_http_list_has(r->connection, "upgrade"))
        return refuse(426, out, out_len, why, cap,
                      "not a WebSocket upgrade (Upgrade '%.60s', Connection '%.100s'): this is an AMQP over "
                      "WebSockets endpoint",
                      r->upgrade, r->connection);
    if (strcmp(r->ws_version, "13") != 0)
        return refuse(426, out, out_len, why, cap, "Sec-WebSocket-Version '%.15s', not 13", r->ws_version);
    if (!good_key(r->ws_key))
        return refuse(400, out, out_len, why, cap, "Sec-WebSocket-Key '%.63s' is not 16 bytes in base64", r->ws_key);
    const char *proto = io_http_list_has_exact(r->ws_protocol, "AMQPWSB10") ? "AMQPWSB10"
                        : io_http_list_has_exact(r->ws_protocol, "amqp")    ? "amqp"
                                                                            : NULL;
    if (!proto)
        return refuse(400, out, out_len, why, cap,
                      "no AMQP subprotocol offered (Sec-WebSocket-Protocol '%.200s'): offer AMQPWSB10 or amqp",
                      r->ws_protocol);
    char accept[29];
    io_ws_accept(r->ws_key, accept);
    int n = snprintf(out, IO_WS_ANSWER_MAX,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n"
                     "Sec-WebSocket-Protocol: %s\r\n"
                     "\r\n",
                     accept, proto);
    *out_len = (size_t)n;
    if (cap)
        why[0] = '\0';
    return 101;
}

/* The WebSocket opening handshake (io_ws_handshake.h): the random key and
 * its accept value with OpenSSL, the client's upgrade request, and the
 * strict check of the server's reply. */
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

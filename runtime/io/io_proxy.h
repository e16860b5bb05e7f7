/* The HTTP CONNECT request a client sends its proxy and the check of the
 * proxy's reply: pure functions, for io_proxy.c and the fuzz target. */
#ifndef FAMQP_IO_PROXY_H
#define FAMQP_IO_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io_http.h"

/* Writes "CONNECT host:port HTTP/1.1" with Host and, when user is not
 * empty, Proxy-Authorization: Basic base64(user:password); its length, or
 * 0 when it does not fit. */
size_t io_proxy_request(char *buf, size_t cap, const char *host, uint16_t port, const char *user,
                        const char *password);

/* Checks the proxy's reply head: any 2xx opens the tunnel.  False with why
 * naming the proxy (label "host:port"): 407 says the proxy wants
 * credentials or refused ours (authed), anything else says what it
 * answered. */
bool io_proxy_check_reply(const io_http_head *h, const char *label, bool authed, char *why, size_t cap);

#endif

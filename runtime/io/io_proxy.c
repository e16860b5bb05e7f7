/* Tunnelling through an HTTP CONNECT proxy (famqp_io_options.proxy): on
 * the raw socket, before TLS and the WebSocket upgrade, the request goes
 * out and the reply head comes in; once a 2xx arrived the socket is the
 * target's and the bytes after the head go on to TLS or the engine. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io_internal.h"
#include "io_proxy.h"

struct io_proxy {
    struct io_http_exchange x;
    char label[300]; /* the proxy's host:port, for errors */
    bool authed;     /* we sent credentials */
};

long io_http_exchange_input(struct io_http_exchange *x, const uint8_t *p, size_t n, io_http_head *head, char *why,
                            size_t cap)
{
    size_t take = sizeof x->reply - x->reply_len;
    if (take > n)
        take = n;
    memcpy(x->reply + x->reply_len, p, take);
    x->reply_len += take;
    return io_http_reply_parse(x->reply, x->reply_len, head, why, cap);
}

bool io_proxy_setup(famqp_io *io, const famqp_url *proxy, const famqp_url *target, famqp_io_error *err)
{
    struct io_proxy *px = calloc(1, sizeof *px);
    if (!px) {
        io_nomem(err, "out of memory");
        return false;
    }
    snprintf(px->label, sizeof px->label, strchr(proxy->host, ':') ? "[%s]:%u" : "%s:%u", proxy->host,
             (unsigned)proxy->port);
    px->authed = proxy->user[0] != '\0';
    px->x.req_len = io_proxy_request(px->x.req, sizeof px->x.req, target->host, target->port, proxy->user,
                                     proxy->password);
    if (!px->x.req_len) {
        free(px);
        io_errf(err, "proxy %s: the CONNECT request does not fit", proxy->host);
        return false;
    }
    io->proxy = px;
    snprintf(io->peer, sizeof io->peer, strchr(target->host, ':') ? "[%s]:%u" : "%s:%u", target->host,
             (unsigned)target->port);
    return true;
}

void io_proxy_free(famqp_io *io)
{
    free(io->proxy);
    io->proxy = NULL;
}

bool io_proxy_wants_write(const famqp_io *io)
{
    return io->proxy && io->proxy->x.req_off < io->proxy->x.req_len;
}

void io_proxy_write(famqp_io *io)
{
    struct io_http_exchange *x = &io->proxy->x;
    while (x->req_off < x->req_len) {
        ssize_t n = send(io->fd, x->req + x->req_off, x->req_len - x->req_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                io_fail(io, "send to proxy %s: %s", io->proxy->label, strerror(errno));
            return;
        }
        x->req_off += (size_t)n;
    }
}

void io_proxy_input(famqp_io *io, const uint8_t *p, size_t n)
{
    struct io_proxy *px = io->proxy;
    size_t before = px->x.reply_len;
    io_http_head head;
    char why[300];
    long r = io_http_exchange_input(&px->x, p, n, &head, why, sizeof why);
    if (r < 0) {
        io_fail(io, "proxy %s: bad reply to CONNECT: %s", px->label, why);
        return;
    }
    if (r == 0)
        return;
    if (!io_proxy_check_reply(&head, px->label, px->authed, why, sizeof why)) {
        io_fail(io, "%s", why);
        return;
    }
    /* The tunnel stands: what came after the head is the target's. */
    size_t used = (size_t)r - before;
    io_proxy_free(io);
    if (used < n)
        io_raw_input(io, p + used, n - used);
}

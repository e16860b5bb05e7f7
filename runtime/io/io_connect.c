/* Connecting without blocking (famqp_io_connect_start): the socket is made
 * and its connect started at once; each later pump or process checks it
 * (a zero-timeout poll), tries the resolved addresses in turn, and fails
 * the io at the deadline.  TLS is set up at the start and its handshake
 * runs in the pumps once TCP is connected. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io_internal.h"

void io_connect_free(famqp_io *io)
{
    if (!io->connecting)
        return;
    freeaddrinfo(io->connecting->addrs);
    free(io->connecting);
    io->connecting = NULL;
}

famqp_io *famqp_io_connect_start(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                                 famqp_io_error *err)
{
    famqp_io_options defaults;
    if (!opts) {
        famqp_io_options_init(&defaults);
        opts = &defaults;
    }
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    int timeout = opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000; /* < 0: no limit */
    uint64_t deadline = timeout < 0 ? 0 : famqp_io_now_ms() + (uint64_t)timeout;
    /* Through a proxy we dial the proxy; TLS and the upgrade still name
     * the URL's host. */
    famqp_url proxy;
    const famqp_url *dial = url;
    if (opts->proxy && opts->proxy[0]) {
        if (!io_proxy_url_parse(opts->proxy, &proxy, err))
            return NULL;
        dial = &proxy;
    }
    struct addrinfo *res;
    if (io_resolve(dial, &res, err) < 0)
        return NULL;
    struct io_connecting *cg = calloc(1, sizeof *cg);
    if (!cg) {
        freeaddrinfo(res);
        io_nomem(err, "out of memory");
        return NULL;
    }
    cg->addrs = res;
    cg->deadline = deadline;
    snprintf(cg->host, sizeof cg->host, "%s", dial->host);
    int fd = -1;
    bool pending = false;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        io_addr_label(cg->host, ai, cg->what, sizeof cg->what);
        fd = io_connect_begin(ai, cg->what, &pending, err);
        cg->next = ai->ai_next;
    }
    if (fd < 0) {
        freeaddrinfo(res);
        free(cg);
        return NULL;
    }
    famqp_io *io = io_new(fd, false, err); /* closes fd on failure */
    if (!io) {
        freeaddrinfo(res);
        free(cg);
        return NULL;
    }
    io->connecting = cg;
    io->hs_deadline = deadline;
    if ((dial != url && !io_proxy_setup(io, dial, url, err)) || (url->tls && !io_tls_client_setup(io, url, opts, err)) ||
        (url->websocket && !io_ws_setup(io, url, opts, err))) {
        famqp_io_free(io);
        return NULL;
    }
    if (conn)
        famqp_io_set_connection(io, conn);
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK}; /* earlier addresses' failures are history */
    return io;
}

bool famqp_io_connecting(const famqp_io *io)
{
    return io->connecting != NULL;
}

const char *io_handshake_stage(const famqp_io *io)
{
    if (io->connecting)
        return "connecting";
    if (io->proxy)
        return "waiting for the proxy's reply to CONNECT";
    if (io->ssl && !io->handshake_done)
        return "in the TLS handshake";
    if (io_ws_upgrading(io))
        return "waiting for the WebSocket upgrade's reply";
    return "in the handshake";
}

void io_handshake_check(famqp_io *io)
{
    if (!io->hs_deadline || io->connecting || io->state == FAMQP_IO_ERR_FAILED)
        return; /* a connect in progress has its own check (below) */
    if (!famqp_io_handshaking(io))
        io->hs_deadline = 0; /* all done: AMQP's own timeouts take over */
    else if (famqp_io_now_ms() >= io->hs_deadline)
        io_fail(io, "connect to %s: timed out %s", io->peer, io_handshake_stage(io));
}

bool io_connect_progress(famqp_io *io)
{
    struct io_connecting *cg = io->connecting;
    if (!cg) {
        io_handshake_check(io);
        return io->state != FAMQP_IO_ERR_FAILED;
    }
    for (;;) {
        struct pollfd p = {.fd = io->fd, .events = POLLOUT};
        int n = poll(&p, 1, 0);
        if (n < 0)
            return false; /* EINTR: the next call looks again */
        if (n == 0) {
            if (cg->deadline && famqp_io_now_ms() >= cg->deadline) {
                io_fail(io, "connect to %s: timed out", cg->what);
                io_connect_free(io);
            }
            return false;
        }
        famqp_io_error e;
        if (io_connect_finish(io->fd, cg->what, &e)) {
            if (!io->ssl && !io->proxy) /* TLS and proxies name the peer by its URL host */
                io_describe_peer(io);
            io_connect_free(io);
            return true;
        }
        /* Refused or unreachable: the next address, if any. */
        close(io->fd);
        io->fd = -1;
        while (io->fd < 0 && cg->next) {
            const struct addrinfo *ai = cg->next;
            cg->next = ai->ai_next;
            bool pending;
            io_addr_label(cg->host, ai, cg->what, sizeof cg->what);
            io->fd = io_connect_begin(ai, cg->what, &pending, &e);
        }
        if (io->fd < 0) {
            io_fail(io, "%s", e.message);
            io_connect_free(io);
            return false;
        }
    }
}

famqp_io *io_connect_staged(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                            famqp_io_error *err)
{
    int timeout = opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
    uint64_t deadline = timeout < 0 ? 0 : famqp_io_now_ms() + (uint64_t)timeout;
    famqp_io *io = famqp_io_connect_start(url, opts, NULL, err);
    if (!io)
        return NULL;
    bool readable = false;
    while (famqp_io_process(io, readable) == FAMQP_IO_OK && famqp_io_handshaking(io)) {
        int left = deadline ? famqp_io_ms_until(deadline) : -1;
        if (left == 0) {
            io_fail(io, "connect to %s:%u: timed out %s", url->host, (unsigned)url->port, io_handshake_stage(io));
            break;
        }
        struct pollfd p = {.fd = io->fd,
                           .events = (short)((famqp_io_wants_read(io) ? POLLIN : 0) |
                                             (famqp_io_wants_write(io) ? POLLOUT : 0))};
        int n = poll(&p, 1, left);
        if (n < 0 && errno != EINTR) {
            io_fail(io, "poll: %s", strerror(errno));
            break;
        }
        readable = n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
    }
    if (io->state != FAMQP_IO_OK) {
        if (io->state == FAMQP_IO_ERR_CLOSED)
            io_errf(err, "%s closed the connection during the %s", io->peer,
                    io->proxy ? "proxy's CONNECT" : io->ws ? "WebSocket handshake" : "handshake");
        else
            io_errf(err, "%s", io->error);
        famqp_io_free(io);
        return NULL;
    }
    if (conn)
        famqp_io_set_connection(io, conn);
    return io;
}

/* The pump of the socket driver (io.h): ticks engines, writes their output
 * coalesced, polls many sockets at once and feeds what arrives. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io_internal.h"

/* pollfd arrays up to this size live on the stack (no allocation). */
#define IO_POLL_STACK 64

size_t io_plain_room(const famqp_io *io)
{
    size_t room;
    if (io_ws_room(io, &room))
        return room;
    if (io->conn || io_ws_upgrading(io))
        return SIZE_MAX;
    return sizeof io->hdr - io->hdr_len; /* unbound: only the header */
}

void io_raw_input(famqp_io *io, const uint8_t *p, size_t n)
{
    if (io->proxy)
        io_proxy_input(io, p, n);
    else if (io->ssl)
        io_tls_input(io, p, n);
    else
        io_deliver(io, p, n);
}

void io_deliver(famqp_io *io, const uint8_t *p, size_t n)
{
    if (io->ws)
        io_ws_input(io, p, n);
    else
        io_deliver_amqp(io, p, n);
}

const uint8_t *io_out(famqp_io *io, size_t *len)
{
    if (io->ws)
        return io_ws_output(io, len);
    if (!io->conn) {
        *len = 0;
        return NULL;
    }
    return famqp_connection_output(io->conn, len);
}

void io_out_consume(famqp_io *io, size_t n)
{
    if (io->ws)
        io_ws_consume(io, n);
    else
        famqp_connection_output_consume(io->conn, n);
}

/* Whether io_out has bytes (without framing anything). */
static bool out_pending(const famqp_io *io)
{
    if (io->ws && io_ws_wants_write(io))
        return true;
    if (!io->conn || io_ws_upgrading(io))
        return false;
    size_t len;
    famqp_connection_output(io->conn, &len);
    return len > 0;
}

void io_deliver_amqp(famqp_io *io, const uint8_t *p, size_t n)
{
    if (!io->conn) {
        size_t take = n < sizeof io->hdr - io->hdr_len ? n : sizeof io->hdr - io->hdr_len;
        memcpy(io->hdr + io->hdr_len, p, take);
        io->hdr_len += take;
        return; /* io_plain_room keeps n <= room */
    }
    famqp_connection_input(io->conn, p, n);
}

void io_set_eof(famqp_io *io)
{
    if (io->eof)
        return;
    io->eof = true;
    if (io->state == FAMQP_IO_OK)
        io->state = FAMQP_IO_ERR_CLOSED;
    if (io->conn)
        famqp_connection_input_closed(io->conn);
}

void famqp_io_set_connection(famqp_io *io, famqp_connection *conn)
{
    io->conn = conn;
    if (!conn)
        return;
    if (io->hdr_len)
        famqp_connection_input(conn, io->hdr, io->hdr_len);
    io_ws_drain(io); /* frames a WebSocket client sent behind its upgrade */
    if (io->eof || io->state == FAMQP_IO_ERR_FAILED)
        famqp_connection_input_closed(conn);
    if (io->ssl)
        io_tls_read_plain(io); /* plaintext OpenSSL buffered past the header */
}

static bool usable(const famqp_io *io) { return io && io->state != FAMQP_IO_ERR_FAILED && io->fd >= 0; }

static void tick(famqp_io *io)
{
    if (io->conn)
        io->deadline = famqp_connection_tick(io->conn, famqp_io_now_ms());
}

/* Writes all engine output the socket takes now: the engine's buffer holds
 * every pending frame back to back, so one send carries many frames. */
static void write_out(famqp_io *io)
{
    if (!usable(io))
        return;
    if (io->proxy) {
        io_proxy_write(io); /* the tunnel first: TLS and the rest go through it */
        return;
    }
    if (io->ssl) {
        if (!io->handshake_done && io_tls_handshake(io) < 0)
            return;
        io_tls_write(io);
        return;
    }
    for (;;) {
        size_t len;
        const uint8_t *out = io_out(io, &len);
        if (!len)
            return;
        ssize_t n = send(io->fd, out, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                io_fail(io, "send to %s: %s", io->peer, strerror(errno));
            return;
        }
        io_out_consume(io, (size_t)n);
        if ((size_t)n < len)
            return; /* socket buffer full: wait for POLLOUT */
    }
}

static void read_in(famqp_io *io)
{
    for (int i = 0; i < IO_READS_PER_ROUND && usable(io) && !io->eof; i++) {
        size_t want = io->ssl || io->proxy ? IO_READ_BUF : io_plain_room(io);
        if (want == 0)
            return;
        if (want > IO_READ_BUF)
            want = IO_READ_BUF;
        ssize_t n = recv(io->fd, io->rbuf, want, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                io_fail(io, "receive from %s: %s", io->peer, strerror(errno));
            return;
        }
        if (n == 0) {
            io_set_eof(io);
            return;
        }
        io_raw_input(io, io->rbuf, (size_t)n);
        if ((size_t)n < want)
            return; /* drained the socket */
    }
}

bool famqp_io_wants_write(const famqp_io *io)
{
    if (!usable(io))
        return false;
    if (io->connecting)
        return true; /* writable: the connect finished, one way or the other */
    if (io->proxy)
        return io_proxy_wants_write(io);
    if (io->ssl) {
        if (io_tls_wants_write(io))
            return true;
        if (!io->handshake_done)
            return false;
    }
    return out_pending(io);
}

bool famqp_io_handshaking(const famqp_io *io)
{
    return io->connecting || io->proxy || (io->ssl && !io->handshake_done) || io_ws_upgrading(io);
}

static bool wants_read(const famqp_io *io)
{
    return usable(io) && !io->connecting && !io->eof && (io->ssl || io->proxy || io_plain_room(io) > 0);
}

bool famqp_io_wants_read(const famqp_io *io)
{
    return wants_read(io);
}

famqp_io_status famqp_io_process(famqp_io *io, bool readable)
{
    if (!usable(io) || !io_connect_progress(io))
        return io->state;
    if (io->ssl && io->conn)
        io_tls_read_plain(io);
    if (readable)
        read_in(io);
    tick(io);
    write_out(io);
    return io->state;
}

/* The earlier of two deadlines (0: none). */
static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a && (!b || a < b) ? a : b;
}

uint64_t famqp_io_deadline(const famqp_io *io)
{
    uint64_t d = io->deadline;
    if (io->connecting)
        d = earlier(d, io->connecting->deadline);
    if (io->hs_deadline && famqp_io_handshaking(io))
        d = earlier(d, io->hs_deadline);
    return d;
}

bool famqp_io_done(const famqp_io *io)
{
    if (io->state != FAMQP_IO_OK)
        return true;
    if (io->connecting)
        return false;
    return io->conn && famqp_connection_finished(io->conn) && !famqp_io_wants_write(io);
}

/* Shortens *timeout to an engine deadline. */
static void limit_timeout(int *timeout, uint64_t deadline)
{
    if (!deadline)
        return;
    int left = famqp_io_ms_until(deadline);
    if (*timeout < 0 || left < *timeout)
        *timeout = left;
}

int famqp_io_wait(famqp_io *const *ios, size_t n_ios, famqp_listener *const *listeners, size_t n_listeners,
                  int timeout_ms)
{
    struct pollfd stack[IO_POLL_STACK];
    size_t total = n_ios + n_listeners;
    struct pollfd *pfds = stack;
    if (total > IO_POLL_STACK) {
        pfds = malloc(total * sizeof *pfds);
        if (!pfds)
            return -1;
    }
    /* Before waiting: time passes for every engine, pending output goes out
     * (and TLS plaintext already buffered is consumed). */
    for (size_t i = 0; i < n_ios; i++) {
        famqp_io *io = ios[i];
        pfds[i].fd = -1;
        pfds[i].events = 0;
        pfds[i].revents = 0;
        if (!usable(io))
            continue;
        io->revents = 0;
        if (io->connecting && !io_connect_progress(io)) {
            limit_timeout(&timeout_ms, famqp_io_deadline(io));
            if (!usable(io)) {
                timeout_ms = 0; /* report the failure now */
                continue;
            }
            pfds[i].fd = io->fd;
            pfds[i].events = POLLOUT;
            continue;
        }
        if (io->ssl && io->conn)
            io_tls_read_plain(io);
        tick(io);
        write_out(io);
        io_handshake_check(io);
        limit_timeout(&timeout_ms, famqp_io_deadline(io));
        if (!usable(io)) {
            timeout_ms = 0; /* report the failure now */
            continue;
        }
        pfds[i].events = (short)((wants_read(io) ? POLLIN : 0) | (famqp_io_wants_write(io) ? POLLOUT : 0));
        if (pfds[i].events)
            pfds[i].fd = io->fd; /* else left out: POLLHUP would spin */
    }
    for (size_t j = 0; j < n_listeners; j++) {
        struct pollfd *p = &pfds[n_ios + j];
        p->fd = listeners[j] ? listeners[j]->fd : -1;
        p->events = POLLIN;
        p->revents = 0;
    }
    int n;
    n = poll(pfds, (nfds_t)total, timeout_ms);
    if (n < 0 && errno == EINTR)
        n = 0; /* a signal: let the caller look at its flags */
    if (n < 0) {
        if (pfds != stack)
            free(pfds);
        return -1;
    }
    int active = 0;
    for (size_t i = 0; i < n_ios; i++) {
        famqp_io *io = ios[i];
        if (!usable(io))
            continue;
        io->revents = pfds[i].revents;
        if (io->revents)
            active++;
        if (io->connecting && !io_connect_progress(io))
            continue;
        if (io->revents & (POLLIN | POLLHUP | POLLERR))
            read_in(io);
        tick(io);
        write_out(io);
    }
    for (size_t j = 0; j < n_listeners; j++) {
        if (!listeners[j])
            continue;
        listeners[j]->ready = (pfds[n_ios + j].revents & POLLIN) != 0;
        if (listeners[j]->ready)
            active++;
    }
    if (pfds != stack)
        free(pfds);
    return active;
}

famqp_io_status famqp_io_pump(famqp_io *io, int timeout_ms)
{
    if (io->state != FAMQP_IO_OK)
        return io->state;
    if (famqp_io_wait(&io, 1, NULL, 0, timeout_ms) < 0 && io->state == FAMQP_IO_OK)
        io_fail(io, "poll: %s", strerror(errno));
    return io->state;
}

famqp_io_status famqp_io_flush(famqp_io *io, int timeout_ms)
{
    /* negative: no limit (deadline 0) */
    uint64_t deadline = timeout_ms < 0 ? 0 : famqp_io_now_ms() + (uint64_t)timeout_ms;
    while (io->state == FAMQP_IO_OK && famqp_io_wants_write(io)) {
        int left = deadline ? famqp_io_ms_until(deadline) : -1;
        famqp_io_pump(io, left); /* left 0: one try without waiting */
        if (left == 0 && io->state == FAMQP_IO_OK && famqp_io_wants_write(io))
            return FAMQP_IO_ERR_AGAIN;
    }
    return io->state == FAMQP_IO_OK || !famqp_io_wants_write(io) ? FAMQP_IO_OK : io->state;
}

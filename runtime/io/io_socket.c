/* Sockets for the driver (io.h): client connect with a timeout, listeners,
 * accept, accessors and the clock.  Pumping is in io_pump.c, TLS in
 * io_tls.c. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io_internal.h"

void io_errf(famqp_io_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    err->status = FAMQP_IO_ERR_FAILED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void io_fail(famqp_io *io, const char *fmt, ...)
{
    if (io->state == FAMQP_IO_ERR_FAILED)
        return; /* keep the first reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(io->error, sizeof io->error, fmt, ap);
    va_end(ap);
    io->state = FAMQP_IO_ERR_FAILED;
    if (io->conn)
        famqp_connection_input_closed(io->conn);
}

const char *famqp_io_status_name(famqp_io_status s)
{
    switch (s) {
    case FAMQP_IO_OK: return "ok";
    case FAMQP_IO_ERR_AGAIN: return "again";
    case FAMQP_IO_ERR_CLOSED: return "closed";
    case FAMQP_IO_ERR_FAILED: return "failed";
    case FAMQP_IO_ERR_NOMEM: return "out of memory";
    case FAMQP_IO_ERR_ARG: return "invalid argument";
    }
    return "unknown";
}

uint64_t famqp_io_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int famqp_io_ms_until(uint64_t deadline_ms)
{
    uint64_t now = famqp_io_now_ms();
    if (deadline_ms <= now)
        return 0;
    uint64_t d = deadline_ms - now;
    return d > INT_MAX ? INT_MAX : (int)d;
}

static bool set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

/* "HOST:PORT" of a socket address, IPv6 bracketed. */
static void format_addr(const struct sockaddr *sa, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(buf, cap, "%s:%u", host, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(buf, cap, "[%s]:%u", host, port);
    } else {
        snprintf(buf, cap, "(unknown address family %d)", sa->sa_family);
    }
}

void io_describe_peer(famqp_io *io)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(io->fd, (struct sockaddr *)&ss, &len) == 0)
        format_addr((struct sockaddr *)&ss, io->peer, sizeof io->peer);
}

void io_nomem(famqp_io_error *err, const char *what)
{
    io_errf(err, "%s", what);
    if (err)
        err->status = FAMQP_IO_ERR_NOMEM;
}

void io_argerr(famqp_io_error *err)
{
    if (err)
        err->status = FAMQP_IO_ERR_ARG;
}

famqp_io *io_new(int fd, bool server, famqp_io_error *err)
{
    famqp_io *io = calloc(1, sizeof *io);
    uint8_t *buf = malloc(IO_READ_BUF);
    if (!io || !buf) {
        free(io);
        free(buf);
        close(fd);
        io_nomem(err, "out of memory");
        return NULL;
    }
    io->fd = fd;
    io->server = server;
    io->rbuf = buf;
    io->state = FAMQP_IO_OK;
    snprintf(io->peer, sizeof io->peer, "?");
    io_describe_peer(io);
    return io;
}

void famqp_io_options_init(famqp_io_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
}

/* Connects one resolved address within the deadline; fd or -1 with err. */
int io_connect_begin(const struct addrinfo *ai, const char *what, bool *pending, famqp_io_error *err)
{
    *pending = false;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        io_errf(err, "connect to %s: socket: %s", what, strerror(errno));
        return -1;
    }
    if (!set_nonblocking(fd)) {
        io_errf(err, "connect to %s: fcntl: %s", what, strerror(errno));
        close(fd);
        return -1;
    }
    int rc;
    do
        rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EINPROGRESS) {
        io_errf(err, "connect to %s: %s", what, strerror(errno));
        close(fd);
        return -1;
    }
    *pending = rc < 0;
    return fd;
}

bool io_connect_finish(int fd, const char *what, famqp_io_error *err)
{
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr) {
        io_errf(err, "connect to %s: %s", what, strerror(soerr));
        return false;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

int io_resolve(const famqp_url *url, struct addrinfo **res, famqp_io_error *err)
{
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)url->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
    *res = NULL;
    int g = getaddrinfo(url->host, port, &hints, res);
    if (g != 0) {
        io_errf(err, "cannot resolve host '%s': %s", url->host, g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        return -1;
    }
    return 0;
}

void io_addr_label(const char *host, const struct addrinfo *ai, char *what, size_t cap)
{
    char addr[96];
    format_addr(ai->ai_addr, addr, sizeof addr);
    if (strcmp(host, addr) == 0 || strncmp(addr, host, strlen(host)) == 0)
        snprintf(what, cap, "%s", addr);
    else
        snprintf(what, cap, "%s (%s)", host, addr);
}

/* A blocking connect to ai within the deadline (0: none). */
static int connect_one(const struct addrinfo *ai, const char *what, uint64_t deadline, famqp_io_error *err)
{
    bool pending;
    int fd = io_connect_begin(ai, what, &pending, err);
    if (fd < 0)
        return -1;
    while (pending) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int left = deadline ? famqp_io_ms_until(deadline) : -1;
        if (left == 0) {
            io_errf(err, "connect to %s: timed out", what);
            close(fd);
            return -1;
        }
        int n = poll(&pfd, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            io_errf(err, "connect to %s: poll: %s", what, strerror(errno));
            close(fd);
            return -1;
        }
        pending = n == 0;
    }
    if (!io_connect_finish(fd, what, err)) {
        close(fd);
        return -1;
    }
    return fd;
}

famqp_io *famqp_io_connect(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                           famqp_io_error *err)
{
    famqp_io_options defaults;
    if (!opts) {
        famqp_io_options_init(&defaults);
        opts = &defaults;
    }
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    /* 0: the default; negative: no limit (deadline 0). */
    if (url->websocket || (opts->proxy && opts->proxy[0]))
        return io_connect_staged(url, opts, conn, err);
    int timeout = opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
    uint64_t deadline = timeout < 0 ? 0 : famqp_io_now_ms() + (uint64_t)timeout;

    struct addrinfo *res;
    if (io_resolve(url, &res, err) < 0)
        return NULL;
    int fd = -1;
    char what[400];
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        io_addr_label(url->host, ai, what, sizeof what);
        fd = connect_one(ai, what, deadline, err);
    }
    freeaddrinfo(res);
    if (fd < 0)
        return NULL;
    famqp_io *io = io_new(fd, false, err);
    if (!io)
        return NULL;
    if (url->tls) {
        if (!io_tls_client_setup(io, url, opts, err)) {
            famqp_io_free(io);
            return NULL;
        }
        /* Complete the handshake here so certificate problems surface as
         * a connect error. */
        for (;;) {
            int r = io_tls_handshake(io);
            if (r < 0 || !io_tls_send_pending(io)) {
                io_errf(err, "%s", io->error);
                famqp_io_free(io);
                return NULL;
            }
            if (r == 1 && io->tlen == io->toff)
                break;
            int left = deadline ? famqp_io_ms_until(deadline) : -1;
            if (left == 0) {
                io_errf(err, "TLS handshake with %s:%u timed out", url->host, (unsigned)url->port);
                famqp_io_free(io);
                return NULL;
            }
            struct pollfd pfd = {.fd = io->fd, .events = (short)(io->tlen > io->toff ? POLLOUT : POLLIN)};
            int n = poll(&pfd, 1, left);
            if (n < 0 && errno != EINTR) {
                io_errf(err, "TLS handshake: poll: %s", strerror(errno));
                famqp_io_free(io);
                return NULL;
            }
            if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t got = recv(io->fd, io->rbuf, IO_READ_BUF, 0);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    io_errf(err, "TLS handshake with %s:%u: connection %s by the server", url->host,
                            (unsigned)url->port, got == 0 ? "closed" : strerror(errno));
                    famqp_io_free(io);
                    return NULL;
                }
                if (got > 0)
                    io_tls_input(io, io->rbuf, (size_t)got);
            }
        }
    }
    if (conn)
        famqp_io_set_connection(io, conn);
    return io;
}

void famqp_io_free(famqp_io *io)
{
    if (!io)
        return;
    io_connect_free(io);
    io_proxy_free(io);
    io_ws_free(io);
    io_tls_free(io);
    if (io->fd >= 0)
        close(io->fd);
    free(io->rbuf);
    free(io->tbuf);
    free(io);
}

famqp_connection *famqp_io_connection(const famqp_io *io) { return io->conn; }
famqp_io_status famqp_io_state(const famqp_io *io) { return io->state; }
const char *famqp_io_error_message(const famqp_io *io) { return io->error; }
int famqp_io_fd(const famqp_io *io) { return io->fd; }
const char *famqp_io_peer(const famqp_io *io) { return io->peer; }
bool famqp_io_is_tls(const famqp_io *io) { return io->ssl != NULL; }
void famqp_io_set_context(famqp_io *io, void *ctx) { io->ctx = ctx; }
void *famqp_io_context(const famqp_io *io) { return io->ctx; }

bool famqp_io_peek_header(const famqp_io *io, uint8_t header[8])
{
    if (io->hdr_len < 8)
        return false;
    memcpy(header, io->hdr, 8);
    return true;
}

/* ---- listeners ---------------------------------------------------------- */

void famqp_listener_options_init(famqp_listener_options *o)
{
    memset(o, 0, sizeof *o);
    o->backlog = 128;
}

famqp_listener *famqp_listener_open(const char *host, uint16_t port, const famqp_listener_options *opts,
                                    famqp_io_error *err)
{
    famqp_listener_options defaults;
    if (!opts) {
        famqp_listener_options_init(&defaults);
        opts = &defaults;
    }
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    if (host && !*host)
        host = NULL;
    const char *shown = host ? host : "*";
    SSL_CTX *tls = NULL;
    if (opts->tls_cert_file || opts->tls_key_file) {
        if (!opts->tls_cert_file || !opts->tls_key_file) {
            io_errf(err, "listen on %s:%u: TLS needs both a certificate and a key file", shown, (unsigned)port);
            return NULL;
        }
        tls = io_tls_server_ctx(opts->tls_cert_file, opts->tls_key_file, err);
        if (!tls)
            return NULL;
    }
    if (opts->websocket && opts->ws_path && (opts->ws_path[0] != '/' || strlen(opts->ws_path) >= 1024 ||
                                             strpbrk(opts->ws_path, " ?#\r\n\t"))) {
        io_errf(err, "listen on %s:%u: WebSocket path '%.200s' must start with '/', hold no space, '?' or '#', and "
                     "be shorter than 1024 bytes", shown, (unsigned)port, opts->ws_path);
        io_argerr(err);
        SSL_CTX_free(tls);
        return NULL;
    }
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(host, portstr, &hints, &res);
    if (g != 0) {
        io_errf(err, "listen on %s:%u: cannot resolve '%s': %s", shown, (unsigned)port, shown,
                g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        SSL_CTX_free(tls);
        return NULL;
    }
    int fd = -1;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            io_errf(err, "listen on %s:%u: socket: %s", shown, (unsigned)port, strerror(errno));
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, opts->backlog > 0 ? opts->backlog : 128) == 0 &&
            set_nonblocking(fd))
            break;
        io_errf(err, "listen on %s:%u: %s", shown, (unsigned)port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        SSL_CTX_free(tls);
        return NULL;
    }
    famqp_listener *l = calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        SSL_CTX_free(tls);
        io_nomem(err, "out of memory");
        return NULL;
    }
    l->fd = fd;
    l->tls = tls;
    l->websocket = opts->websocket;
    snprintf(l->ws_path, sizeof l->ws_path, "%s", opts->ws_path ? opts->ws_path : FAMQP_URL_WS_PATH);
    l->ws_max_frame = opts->ws_max_frame;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET)
            l->port = ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            l->port = ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
    }
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    return l;
}

famqp_listener *famqp_listener_open_hostport(const char *hostport, const famqp_listener_options *opts,
                                             famqp_io_error *err)
{
    char host[256];
    const char *colon = hostport ? strrchr(hostport, ':') : NULL;
    if (!colon) {
        io_errf(err, "listen address '%s': expected HOST:PORT", hostport ? hostport : "(null)");
        io_argerr(err);
        return NULL;
    }
    const char *h = hostport;
    size_t hlen = (size_t)(colon - hostport);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        io_errf(err, "listen address '%s': host too long", hostport);
        io_argerr(err);
        return NULL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port > 65535) {
        io_errf(err, "listen address '%s': port must be a number from 0 to 65535", hostport);
        io_argerr(err);
        return NULL;
    }
    return famqp_listener_open(host, (uint16_t)port, opts, err);
}

uint16_t famqp_listener_port(const famqp_listener *l) { return l->port; }
int famqp_listener_fd(const famqp_listener *l) { return l->fd; }
bool famqp_listener_ready(const famqp_listener *l) { return l->ready; }

famqp_io_status famqp_listener_accept(famqp_listener *l, famqp_io **out, famqp_io_error *err)
{
    *out = NULL;
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    int fd;
    do
        fd = accept(l->fd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) {
            l->ready = false;
            return FAMQP_IO_ERR_AGAIN;
        }
        io_errf(err, "accept: %s", strerror(errno));
        return FAMQP_IO_ERR_FAILED;
    }
    if (!set_nonblocking(fd)) {
        io_errf(err, "accept: fcntl: %s", strerror(errno));
        close(fd);
        return FAMQP_IO_ERR_FAILED;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    famqp_io *io = io_new(fd, true, err);
    if (!io)
        return FAMQP_IO_ERR_NOMEM;
    if ((l->tls && !io_tls_server_setup(io, l->tls, err)) ||
        (l->websocket && !io_ws_server_setup(io, l->ws_path, l->ws_max_frame, err))) {
        famqp_io_free(io);
        return err && err->status == FAMQP_IO_ERR_NOMEM ? FAMQP_IO_ERR_NOMEM : FAMQP_IO_ERR_FAILED;
    }
    *out = io;
    return FAMQP_IO_OK;
}

void famqp_listener_close(famqp_listener *l)
{
    if (!l)
        return;
    close(l->fd);
    SSL_CTX_free(l->tls);
    free(l);
}

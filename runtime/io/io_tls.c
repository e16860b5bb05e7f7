/* TLS for the socket driver (io.h) with OpenSSL over memory BIOs: OpenSSL
 * never touches the socket, so all socket I/O stays non-blocking and uses
 * MSG_NOSIGNAL, and one code path serves clients and servers. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "io_internal.h"

void io_tls_reason(SSL *ssl, char *buf, size_t cap)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (vr != X509_V_OK)
        snprintf(buf, cap, "%s: %s", reason ? reason : "certificate verify failed",
                 X509_verify_cert_error_string(vr));
    else if (reason)
        snprintf(buf, cap, "%s", reason);
    else
        snprintf(buf, cap, "%s", e ? "unknown OpenSSL error" : "peer closed the connection during the handshake");
    ERR_clear_error();
}

/* The last OpenSSL error as text (for configuration errors). */
static void ssl_errstr(char *buf, size_t cap)
{
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        snprintf(buf, cap, "unknown error");
    ERR_clear_error();
}

static bool attach_ssl(famqp_io *io, SSL_CTX *ctx, famqp_io_error *err)
{
    io->ssl = SSL_new(ctx);
    io->rbio = BIO_new(BIO_s_mem());
    io->wbio = BIO_new(BIO_s_mem());
    io->tcap = IO_TLS_OUT_HIGH + IO_TLS_WRITE_CHUNK;
    io->tbuf = malloc(io->tcap);
    if (!io->ssl || !io->rbio || !io->wbio || !io->tbuf) {
        BIO_free(io->rbio);
        BIO_free(io->wbio);
        io->rbio = io->wbio = NULL;
        io_nomem(err, "TLS setup: out of memory");
        return false;
    }
    /* An empty read BIO means "no data yet", not EOF. */
    BIO_set_mem_eof_return(io->rbio, -1);
    SSL_set_bio(io->ssl, io->rbio, io->wbio);
    SSL_set_mode(io->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return true;
}

static bool is_ip_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool io_tls_client_setup(famqp_io *io, const famqp_url *url, const famqp_io_options *o, famqp_io_error *err)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ssl_errstr(why, sizeof why);
        io_errf(err, "TLS setup: %s", why);
        return false;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (!o->tls_insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int ok = o->tls_ca_file ? SSL_CTX_load_verify_locations(ctx, o->tls_ca_file, NULL)
                                : SSL_CTX_set_default_verify_paths(ctx);
        if (!ok) {
            ssl_errstr(why, sizeof why);
            io_errf(err, "TLS: cannot load CA file '%s': %s", o->tls_ca_file ? o->tls_ca_file : "(system)", why);
            SSL_CTX_free(ctx);
            return false;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (o->tls_cert_file || o->tls_key_file) {
        if (!o->tls_cert_file || !o->tls_key_file ||
            SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert_file) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, o->tls_key_file, SSL_FILETYPE_PEM) != 1) {
            ssl_errstr(why, sizeof why);
            io_errf(err, "TLS: cannot load client certificate/key: %s", why);
            SSL_CTX_free(ctx);
            return false;
        }
    }
    bool ok = attach_ssl(io, ctx, err);
    SSL_CTX_free(ctx); /* the SSL keeps its own reference */
    if (!ok)
        return false;
    const char *name = o->tls_server_name ? o->tls_server_name : url->host;
    bool ip = is_ip_literal(name);
    if (!ip)
        SSL_set_tlsext_host_name(io->ssl, name);
    if (!o->tls_insecure) {
        X509_VERIFY_PARAM *param = SSL_get0_param(io->ssl);
        int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name) : X509_VERIFY_PARAM_set1_host(param, name, 0);
        if (set != 1) {
            io_errf(err, "TLS: cannot verify against name '%s'", name);
            return false;
        }
    }
    SSL_set_connect_state(io->ssl);
    snprintf(io->peer, sizeof io->peer, "%s:%u", url->host, (unsigned)url->port);
    return true;
}

SSL_CTX *io_tls_server_ctx(const char *cert, const char *key, famqp_io_error *err)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_errstr(why, sizeof why);
        io_errf(err, "TLS setup: %s", why);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        ssl_errstr(why, sizeof why);
        io_errf(err, "TLS: cannot load certificate '%s': %s", cert, why);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ssl_errstr(why, sizeof why);
        io_errf(err, "TLS: cannot load private key '%s': %s", key, why);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ssl_errstr(why, sizeof why);
        io_errf(err, "TLS: key '%s' does not match certificate '%s': %s", key, cert, why);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

bool io_tls_server_setup(famqp_io *io, SSL_CTX *ctx, famqp_io_error *err)
{
    if (!attach_ssl(io, ctx, err))
        return false;
    SSL_set_accept_state(io->ssl);
    return true;
}

/* Moves ciphertext OpenSSL produced into tbuf. */
static void take_ciphertext(famqp_io *io)
{
    for (;;) {
        if (io->toff == io->tlen)
            io->toff = io->tlen = 0;
        else if (io->toff > 0 && io->tcap - io->tlen < 4096) {
            memmove(io->tbuf, io->tbuf + io->toff, io->tlen - io->toff);
            io->tlen -= io->toff;
            io->toff = 0;
        }
        size_t room = io->tcap - io->tlen;
        if (room == 0 || BIO_ctrl_pending(io->wbio) == 0)
            return;
        int n = BIO_read(io->wbio, io->tbuf + io->tlen, room > INT32_MAX ? INT32_MAX : (int)room);
        if (n <= 0)
            return;
        io->tlen += (size_t)n;
        if (io->tlen == io->tcap) {
            /* Full: grow rather than lose bytes (rare: only when the
             * socket is stuck while OpenSSL keeps producing). */
            if (BIO_ctrl_pending(io->wbio) == 0)
                return;
            uint8_t *nb = realloc(io->tbuf, io->tcap * 2);
            if (!nb) {
                io_fail(io, "TLS: out of memory");
                return;
            }
            io->tbuf = nb;
            io->tcap *= 2;
        }
    }
}

bool io_tls_send_pending(famqp_io *io)
{
    take_ciphertext(io);
    while (io->toff < io->tlen) {
        ssize_t n = send(io->fd, io->tbuf + io->toff, io->tlen - io->toff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            io_fail(io, "send to %s: %s", io->peer, strerror(errno));
            return false;
        }
        io->toff += (size_t)n;
        if (io->toff == io->tlen)
            take_ciphertext(io);
    }
    return io->state != FAMQP_IO_ERR_FAILED;
}

int io_tls_handshake(famqp_io *io)
{
    if (io->handshake_done)
        return 1;
    ERR_clear_error();
    int r = SSL_do_handshake(io->ssl);
    take_ciphertext(io);
    if (r == 1) {
        io->handshake_done = true;
        return 1;
    }
    int e = SSL_get_error(io->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    char why[300];
    io_tls_reason(io->ssl, why, sizeof why);
    io_fail(io, "TLS handshake with %s failed: %s", io->peer, why);
    return -1;
}

void io_tls_input(famqp_io *io, const uint8_t *p, size_t n)
{
    if (BIO_write(io->rbio, p, (int)n) != (int)n) {
        io_fail(io, "TLS: out of memory");
        return;
    }
    if (io_tls_handshake(io) == 1)
        io_tls_read_plain(io);
}

void io_tls_read_plain(famqp_io *io)
{
    if (!io->handshake_done || io->state == FAMQP_IO_ERR_FAILED || io->eof)
        return;
    for (;;) {
        size_t room = io_plain_room(io);
        if (room == 0)
            return;
        if (room > IO_READ_BUF)
            room = IO_READ_BUF;
        ERR_clear_error();
        int n = SSL_read(io->ssl, io->rbuf, (int)room);
        if (n > 0) {
            io_deliver(io, io->rbuf, (size_t)n);
            continue;
        }
        int e = SSL_get_error(io->ssl, n);
        take_ciphertext(io); /* e.g. post-handshake messages */
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return;
        if (e == SSL_ERROR_ZERO_RETURN) {
            io_set_eof(io);
            return;
        }
        char why[300];
        io_tls_reason(io->ssl, why, sizeof why);
        io_fail(io, "TLS error from %s: %s", io->peer, why);
        return;
    }
}

void io_tls_write(famqp_io *io)
{
    if (!io_tls_send_pending(io))
        return;
    if (!io->handshake_done)
        return;
    while (io->tlen - io->toff < IO_TLS_OUT_HIGH) {
        size_t len;
        const uint8_t *out = io_out(io, &len);
        if (!len)
            break;
        if (len > IO_TLS_WRITE_CHUNK)
            len = IO_TLS_WRITE_CHUNK;
        ERR_clear_error();
        int n = SSL_write(io->ssl, out, (int)len);
        if (n <= 0) {
            char why[300];
            io_tls_reason(io->ssl, why, sizeof why);
            io_fail(io, "TLS write to %s: %s", io->peer, why);
            return;
        }
        io_out_consume(io, (size_t)n);
        if (!io_tls_send_pending(io))
            return;
    }
}

bool io_tls_wants_write(const famqp_io *io)
{
    return io->tlen > io->toff || (io->wbio && BIO_ctrl_pending(io->wbio) > 0);
}

void io_tls_free(famqp_io *io)
{
    if (!io->ssl)
        return;
    if (io->handshake_done && io->state == FAMQP_IO_OK) {
        /* Best effort close_notify; never wait for the peer's. */
        ERR_clear_error();
        SSL_shutdown(io->ssl);
        take_ciphertext(io);
        while (io->toff < io->tlen) {
            ssize_t n = send(io->fd, io->tbuf + io->toff, io->tlen - io->toff, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n <= 0)
                break;
            io->toff += (size_t)n;
        }
    }
    SSL_free(io->ssl); /* frees both BIOs */
    io->ssl = NULL;
    io->rbio = io->wbio = NULL;
    ERR_clear_error();
}

/* AMQP over WebSockets (the OASIS AMQP WebSocket Binding) for the socket
 * driver: sits between the plaintext (socket or TLS) and the engine, on
 * either side.  A client first sends the upgrade (io_ws_handshake.c) and
 * checks its reply; a server first answers the client's (io_ws_server.c).
 * Then engine output leaves as binary frames (masked by a client, not by
 * a server) of at most ws_max_frame payload bytes, and the payload of the
 * peer's binary and continuation frames goes to the engine as it arrives
 * (message boundaries mean nothing in the binding); a server refuses
 * unmasked frames and a client masked ones.  Pings are answered.  The close handshake
 * (RFC 6455 5.5.1): once the engine is finished our close frame (1000, or
 * 1002 after an AMQP failure) goes out before the socket is let go; a
 * peer's close is answered with ours and ends the input (1000 or no code:
 * a clean end, any other code: a failure naming it); a bad frame from the
 * peer sends 1002 or 1003 before the io fails.  A frame's payload is
 * streamed, whatever length its header claims: nothing is sized from it
 * (AMQP frames are bounded by the engine's max-frame-size).  Framing is
 * libwslay's sans-I/O frame API: our
 * callbacks hand it bytes and take its frames into our buffer, so nothing
 * is allocated per frame. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <wslay/wslay.h>

#include "io_internal.h"
#include "io_ws_handshake.h"
#include "io_ws_state.h"

static ssize_t ws_send_cb(const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    struct io_ws *ws = user;
    if (ws->ocap - ws->olen < len)
        return -1; /* cannot happen: callers keep room for a whole frame */
    memcpy(ws->obuf + ws->olen, data, len);
    ws->olen += len;
    return (ssize_t)len;
}

static ssize_t ws_recv_cb(uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct io_ws *ws = user;
    if (ws->in_len == 0)
        return -1; /* no more now: wslay says WANT_READ */
    size_t n = len < ws->in_len ? len : ws->in_len;
    memcpy(buf, ws->in, n);
    ws->in += n;
    ws->in_len -= n;
    return (ssize_t)n;
}

/* Masking keys come from OpenSSL's generator, drawn WS_MASK_POOL bytes at
 * a time: one RAND_bytes call costs thousands of instructions, as much as
 * framing a small message, and a client may send a frame per message. */
static int ws_mask_cb(uint8_t *buf, size_t len, void *user)
{
    struct io_ws *ws = user;
    if (len > sizeof ws->mask_pool)
        return -1;
    if (sizeof ws->mask_pool - ws->mask_used < len) {
        if (RAND_bytes(ws->mask_pool, (int)sizeof ws->mask_pool) != 1)
            return -1;
        ws->mask_used = 0;
    }
    memcpy(buf, ws->mask_pool + ws->mask_used, len);
    ws->mask_used += len;
    return 0;
}

bool io_ws_new(famqp_io *io, size_t max_frame, bool server, famqp_io_error *err)
{
    struct io_ws *ws = calloc(1, sizeof *ws);
    if (!ws) {
        io_nomem(err, "out of memory");
        return false;
    }
    ws->server = server;
    ws->mask_used = sizeof ws->mask_pool; /* drawn at the first frame */
    ws->max_frame = max_frame ? max_frame : 65536;
    /* Several small frames per socket write, or one large one, and room
     * for control frames: about 64 KiB per io by default (a server has one
     * per connection). */
    ws->ocap = (ws->max_frame <= 16384 ? 4 : 1) * (ws->max_frame + WS_HEADER_MAX) + WS_CONTROL_ROOM;
    if (ws->ocap < 65536)
        ws->ocap = 65536;
    ws->obuf = malloc(ws->ocap);
    struct wslay_frame_callbacks cb = {ws_send_cb, ws_recv_cb, ws_mask_cb};
    if (!ws->obuf || wslay_frame_context_init(&ws->fr, &cb, ws) != 0) {
        free(ws->obuf);
        free(ws);
        io_nomem(err, "out of memory");
        return false;
    }
    io->ws = ws;
    return true;
}

bool io_ws_setup(famqp_io *io, const famqp_url *url, const famqp_io_options *o, famqp_io_error *err)
{
    if (!io_ws_new(io, o->ws_max_frame, false, err))
        return false;
    struct io_ws *ws = io->ws;
    ws->hs = calloc(1, sizeof *ws->hs);
    if (!ws->hs) {
        io_nomem(err, "out of memory");
        return false; /* the caller frees the io and ws with it */
    }
    if (!io_ws_key(ws->key)) {
        io_errf(err, "WebSocket handshake: no random bytes for the key");
        return false;
    }
    ws->hs->req_len =
        io_ws_request(ws->hs->req, sizeof ws->hs->req, url->host, url->port, url->tls, url->ws_path, ws->key);
    if (!ws->hs->req_len) {
        io_errf(err, "WebSocket handshake: the upgrade request does not fit");
        return false;
    }
    return true;
}

void io_ws_free(famqp_io *io)
{
    struct io_ws *ws = io->ws;
    if (!ws)
        return;
    if (ws->fr)
        wslay_frame_context_free(ws->fr);
    free(ws->hs);
    free(ws->up);
    free(ws->obuf);
    free(ws);
    io->ws = NULL;
}

bool io_ws_upgrading(const famqp_io *io)
{
    return io->ws && (io->ws->hs || (io->ws->up && !io->ws->up->answered));
}

/* The engine is finished (closed both ways or failed, its output all
 * framed): our close frame is next. */
static bool ws_close_due(const famqp_io *io, const struct io_ws *ws)
{
    return !ws->hs && !ws->close_sent && io->conn && famqp_connection_finished(io->conn);
}

bool io_ws_wants_write(const famqp_io *io)
{
    const struct io_ws *ws = io->ws;
    if (ws->hs)
        return ws->hs->req_off < ws->hs->req_len;
    return ws->ooff < ws->olen || ws_close_due(io, ws) || ws->fail[0];
}

/* Appends one whole frame (a control frame, or a data frame the room was
 * checked for). */
static bool ws_frame(struct io_ws *ws, uint8_t opcode, const uint8_t *p, size_t n)
{
    if (ws->ocap - ws->olen < n + WS_HEADER_MAX)
        return false;
    struct wslay_frame_iocb f = {.fin = 1, .opcode = opcode, .mask = !ws->server, .payload_length = n, .data = p,
                                 .data_length = n};
    ssize_t r = wslay_frame_send(ws->fr, &f);
    return r == (ssize_t)n;
}

/* Frames our close (code 0: none) once; WS_CONTROL_ROOM keeps room for it. */
static void ws_close(struct io_ws *ws, unsigned code, const char *reason)
{
    if (ws->close_sent)
        return;
    ws->close_sent = true;
    uint8_t p[125];
    size_t n = 0;
    if (code) {
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        n = 2;
        size_t r = reason ? strlen(reason) : 0;
        if (r > sizeof p - n)
            r = sizeof p - n;
        if (r)
            memcpy(p + n, reason, r);
        n += r;
    }
    ws_frame(ws, WSLAY_CONNECTION_CLOSE, p, n);
}

/* The input ends in a failure: our close with code goes out first (the
 * next write; the failure waits in ws->fail until then). */
static void ws_refuse(famqp_io *io, struct io_ws *ws, unsigned code, const char *what)
{
    ws->input_done = true;
    snprintf(ws->fail, sizeof ws->fail, "WebSocket: %s from %s", what, io->peer);
    ws_close(ws, code, code == 1003 ? "binary frames only" : "protocol error");
}

const uint8_t *io_ws_output(famqp_io *io, size_t *len)
{
    struct io_ws *ws = io->ws;
    if (ws->hs) {
        *len = ws->hs->req_len - ws->hs->req_off;
        return (const uint8_t *)ws->hs->req + ws->hs->req_off;
    }
    if (io_ws_upgrading(io)) { /* a server still reading the request */
        *len = 0;
        return ws->obuf;
    }
    if (ws->ooff == ws->olen) {
        ws->ooff = ws->olen = 0;
        if (ws->fail[0]) { /* our close for a bad frame is out */
            io_fail(io, "%s", ws->fail);
            *len = 0;
            return ws->obuf;
        }
        /* Frame what the engine has, as long as whole frames fit. */
        while (io->conn && !ws->close_sent &&
               ws->olen + ws->max_frame + WS_HEADER_MAX + WS_CONTROL_ROOM <= ws->ocap) {
            size_t n;
            const uint8_t *out = famqp_connection_output(io->conn, &n);
            if (!n)
                break;
            if (n > ws->max_frame)
                n = ws->max_frame;
            if (!ws_frame(ws, WSLAY_BINARY_FRAME, out, n)) {
                io_fail(io, "WebSocket: framing to %s failed", io->peer);
                break;
            }
            famqp_connection_output_consume(io->conn, n);
        }
        if (ws_close_due(io, ws))
            ws_close(ws, famqp_connection_failed(io->conn) ? 1002 : 1000, NULL);
    }
    *len = ws->olen - ws->ooff;
    return ws->obuf + ws->ooff;
}

void io_ws_consume(famqp_io *io, size_t n)
{
    struct io_ws *ws = io->ws;
    if (ws->hs)
        ws->hs->req_off += n;
    else
        ws->ooff += n;
}

/* A whole control frame arrived (its payload in ws->ctrl). */
static void ws_control(famqp_io *io, struct io_ws *ws)
{
    if (ws->opcode == WSLAY_PING) {
        /* RFC 6455 5.5.3: a pong may answer only the latest ping, so one
         * that finds no room is dropped. */
        ws_frame(ws, WSLAY_PONG, ws->ctrl, ws->ctrl_len);
    } else if (ws->opcode == WSLAY_CONNECTION_CLOSE) {
        /* Answer with ours (the same code; 1000 for none, as 1005 may not
         * be sent), then no more input; it goes out in this round's
         * write, before the io reports the end. */
        unsigned code = ws->ctrl_len >= 2 ? (unsigned)ws->ctrl[0] << 8 | ws->ctrl[1] : 0;
        ws_close(ws, code ? code : 1000, NULL);
        ws->input_done = true;
        if (code == 0 || code == 1000) {
            io_set_eof(io);
            return;
        }
        char reason[124] = "";
        size_t r = ws->ctrl_len - 2;
        for (size_t i = 0; i < r; i++) /* printable only: it goes into a message */
            reason[i] = ws->ctrl[2 + i] >= 0x20 && ws->ctrl[2 + i] < 0x7f ? (char)ws->ctrl[2 + i] : '?';
        reason[r] = '\0';
        /* Reported once our answer is out (io_ws_output). */
        snprintf(ws->fail, sizeof ws->fail, "WebSocket: %s closed the connection with %u%s%s", io->peer, code,
                 r ? " " : "", reason);
    }
}

void io_ws_frames(famqp_io *io, const uint8_t *p, size_t n)
{
    struct io_ws *ws = io->ws;
    ws->in = p;
    ws->in_len = n;
    while (io->state != FAMQP_IO_ERR_FAILED && !ws->input_done) {
        struct wslay_frame_iocb f;
        ssize_t r = wslay_frame_recv(ws->fr, &f);
        if (r == WSLAY_ERR_WANT_READ)
            break;
        if (r < 0) {
            ws_refuse(io, ws, 1002, "bad frame");
            break;
        }
        if (ws->frame_left == 0) { /* a new frame */
            ws->frame_left = f.payload_length;
            ws->opcode = f.opcode;
            ws->ctrl_len = 0;
            if (f.mask != ws->server || f.rsv) {
                ws_refuse(io, ws, 1002,
                          f.rsv ? "reserved bits in a frame" : ws->server ? "unmasked frame" : "masked frame");
                break;
            }
            if (f.opcode == WSLAY_TEXT_FRAME) {
                ws_refuse(io, ws, 1003, "text frame (AMQP goes in binary frames)");
                break;
            }
        }
        ws->frame_left -= f.data_length;
        if (f.opcode & 0x8) {
            /* wslay refuses control frames over 125 bytes */
            memcpy(ws->ctrl + ws->ctrl_len, f.data, f.data_length);
            ws->ctrl_len += f.data_length;
            if (ws->frame_left == 0)
                ws_control(io, ws);
        } else if (f.data_length) {
            io_deliver_amqp(io, f.data, f.data_length);
        }
    }
    ws->in = NULL;
    ws->in_len = 0;
}

void io_ws_input(famqp_io *io, const uint8_t *p, size_t n)
{
    struct io_ws *ws = io->ws;
    if (ws->input_done)
        return;
    if (ws->up) {
        io_ws_server_input(io, p, n);
        return;
    }
    if (!ws->hs) {
        io_ws_frames(io, p, n);
        return;
    }
    size_t before = ws->hs->reply_len;
    io_http_head head;
    char why[300];
    long r = io_http_exchange_input(ws->hs, p, n, &head, why, sizeof why);
    if (r < 0) {
        io_fail(io, "WebSocket handshake with %s: %s", io->peer, why);
        return;
    }
    if (r == 0)
        return;
    if (!io_ws_check_reply(&head, ws->key, why, sizeof why)) {
        io_fail(io, "%s (%s)", why, io->peer);
        return;
    }
    size_t used = (size_t)r - before;
    free(ws->hs);
    ws->hs = NULL;
    if (used < n)
        io_ws_frames(io, p + used, n - used);
}

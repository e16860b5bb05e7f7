/* The server side of the WebSocket upgrade (io.h's listener option
 * websocket): the client's request head is gathered (at most
 * IO_HTTP_HEAD_MAX bytes) and parsed strictly (io_http.c), then answered
 * (io_ws_handshake.c): 101, after which the io frames AMQP (io_ws.c), or
 * a refusal the io sends before it fails with the same reason.  Frames a
 * client sent right behind its request stay in the request buffer and go
 * to the framing only as fast as the io takes AMQP bytes (an unbound io
 * takes the 8-byte protocol header only, famqp_io_peek_header), so none
 * is lost before a connection is bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_ws_handshake.h"
#include "io_ws_state.h"

bool io_ws_server_setup(famqp_io *io, const char *path, size_t max_frame, famqp_io_error *err)
{
    if (!io_ws_new(io, max_frame, true, err))
        return false;
    io->ws->up = calloc(1, sizeof *io->ws->up);
    if (!io->ws->up) {
        io_nomem(err, "out of memory");
        return false; /* the caller frees the io and ws with it */
    }
    snprintf(io->ws->up->path, sizeof io->ws->up->path, "%s", path && *path ? path : FAMQP_URL_WS_PATH);
    return true;
}

bool io_ws_room(const famqp_io *io, size_t *room)
{
    const struct io_ws_upgrade *up = io->ws ? io->ws->up : NULL;
    if (!up)
        return false;
    /* Reading the request: what the buffer has left; answered: nothing
     * new from the socket until the early frames are through. */
    *room = up->answered ? 0 : sizeof up->req - up->len;
    return true;
}

void io_ws_drain(famqp_io *io)
{
    struct io_ws *ws = io->ws;
    struct io_ws_upgrade *up = ws ? ws->up : NULL;
    if (!up || !up->answered)
        return;
    while (up->off < up->len && io->state != FAMQP_IO_ERR_FAILED && !ws->input_done) {
        /* Frame bytes are at least their payload: n raw bytes never make
         * more than n AMQP bytes, so the unbound header buffer holds them. */
        size_t room = io->conn ? SIZE_MAX : sizeof io->hdr - io->hdr_len;
        if (room == 0)
            return;
        size_t n = up->len - up->off < room ? up->len - up->off : room;
        up->off += n;
        io_ws_frames(io, up->req + up->off - n, n);
    }
    if (up->off == up->len || io->state == FAMQP_IO_ERR_FAILED || ws->input_done) {
        free(ws->up);
        ws->up = NULL;
    }
}

void io_ws_server_input(famqp_io *io, const uint8_t *p, size_t n)
{
    struct io_ws *ws = io->ws;
    struct io_ws_upgrade *up = ws->up;
    if (up->answered || n > sizeof up->req - up->len)
        return; /* io_ws_room keeps both from happening */
    memcpy(up->req + up->len, p, n);
    up->len += n;
    io_http_request req;
    char why[400];
    long r = io_http_request_parse(up->req, up->len, &req, why, sizeof why);
    if (r == 0)
        return;
    int status = 400;
    size_t len;
    char answer[IO_WS_ANSWER_MAX];
    if (r < 0)
        len = io_ws_refusal(status, why, answer);
    else
        status = io_ws_answer(&req, up->path, answer, &len, why, sizeof why);
    memcpy(ws->obuf, answer, len); /* the output buffer is empty until now, and larger */
    ws->olen = len;
    ws->ooff = 0;
    if (status != 101) {
        /* The answer goes out, then the io fails with the reason. */
        ws->input_done = true;
        ws->close_sent = true;
        snprintf(ws->fail, sizeof ws->fail, "WebSocket upgrade from %.60s refused with %d: %.400s", io->peer, status,
                 why);
        free(ws->up);
        ws->up = NULL;
        return;
    }
    up->answered = true;
    up->off = (size_t)r;
    io_ws_drain(io);
}

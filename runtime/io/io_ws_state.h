/* The WebSocket layer's state (io_ws.c, io_ws_server.c): one per ws[s]
 * io, client or server. */
#ifndef FAMQP_IO_WS_STATE_H
#define FAMQP_IO_WS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wslay/wslay.h>

#include "io_http.h"
#include "io_internal.h"

/* Frame header bytes at most (2 + 8 length + 4 mask). */
#define WS_HEADER_MAX 14u
/* Random bytes drawn at once for masking keys (4 a frame). */
#define WS_MASK_POOL 1024u
/* Room kept free in the output buffer for a pong and a close frame. */
#define WS_CONTROL_ROOM 512u

/* A server's upgrade: the client's request head as it arrives, then
 * (answered) the bytes that came after it, fed to the framing as the
 * unbound io takes them (io_ws_server.c). */
struct io_ws_upgrade {
    char path[1024]; /* the listener's path */
    uint8_t req[IO_HTTP_HEAD_MAX];
    size_t len;
    bool answered; /* 101 sent: req[off..len) are early frames */
    size_t off;
};

struct io_ws {
    struct io_http_exchange *hs; /* a client's upgrade; NULL once done */
    struct io_ws_upgrade *up;    /* a server's upgrade; NULL once done */
    bool server;                 /* frames: we send unmasked, the peer masked */
    char key[25];
    wslay_frame_context_ptr fr;
    size_t max_frame;
    uint8_t *obuf; /* framed output */
    size_t olen, ooff, ocap;
    const uint8_t *in; /* input wslay's recv callback reads */
    size_t in_len;
    uint64_t frame_left; /* payload bytes of the current frame still to come */
    uint8_t opcode;      /* of the current frame */
    uint8_t ctrl[125];   /* a control frame's payload */
    size_t ctrl_len;
    bool close_sent;     /* our close frame is framed: no more data frames */
    bool input_done;     /* the peer's close came, or its input failed */
    char fail[512];      /* a failure reported once our close frame is out */
    uint8_t mask_pool[WS_MASK_POOL]; /* random masking keys not yet used */
    size_t mask_used;
};

/* io_ws.c: allocates io->ws (false with err; the caller frees the io). */
bool io_ws_new(famqp_io *io, size_t max_frame, bool server, famqp_io_error *err);
/* io_ws.c: frames from the peer, their payload to the engine. */
void io_ws_frames(famqp_io *io, const uint8_t *p, size_t n);
/* io_ws_server.c: input while ws->up is set. */
void io_ws_server_input(famqp_io *io, const uint8_t *p, size_t n);

#endif

/* The tools' connection-layer options, shared by famqp-send and
 * famqp-recv: --proxy URL (an HTTP CONNECT proxy) and --ws-max-frame N
 * (ws:// and wss://: the largest WebSocket frame payload sent). */
#ifndef FAMQP_TOOL_IO_ARGS_H
#define FAMQP_TOOL_IO_ARGS_H

#include <famqp/io.h>

/* The --help lines of these options. */
#define TOOL_IO_ARGS_HELP                                                                            \
    "  --proxy URL connect through an HTTP CONNECT proxy, http://[user:password@]host:port\n"       \
    "              (Basic authentication when a user is given), for every URL scheme\n"           \
    "  --ws-max-frame N  ws:// and wss://: send WebSocket frames of at most N payload bytes,\n"   \
    "              16 to 16777216 (default 65536)\n"

/* Looks at argv option a with value v (the next argument, NULL when none):
 * 0 when a is not one of ours, 1 when it was taken with its value (skip
 * it), -1 when its value is bad (printed). */
int tool_io_arg(const char *prog, const char *a, const char *v, famqp_io_options *io);

#endif

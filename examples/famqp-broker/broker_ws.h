/* famqp-broker --ws-listen (broker_ws.c). */
#ifndef FAMQP_BROKER_WS_H
#define FAMQP_BROKER_WS_H

#include "broker.h"

/* Listens for AMQP over WebSockets at hostport on worker 0's loop (wss
 * with amqp's TLS files, if any), path /$servicebus/websocket; prints
 * "ws listening on HOST:PORT[ (wss)]".  NULL after printing why. */
famqp_loop_listener *broker_ws_listen(worker *w0, const char *hostport, const famqp_listener_options *amqp);

#endif

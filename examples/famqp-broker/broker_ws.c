/* famqp-broker --ws-listen: a second listener for AMQP over WebSockets
 * (the runtime's listener option, famqp/io.h), TLS (wss://) with the
 * same certificate as --tls-cert/--tls-key when they are given, its
 * connections served exactly as the AMQP listener's. */
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "broker_ws.h"

famqp_loop_listener *broker_ws_listen(worker *w0, const char *hostport, const famqp_listener_options *amqp)
{
    famqp_listener_options lo = *amqp;
    lo.websocket = true;
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open_hostport(hostport, &lo, &err);
    if (!l) {
        fprintf(stderr, "famqp-broker: --ws-listen: %s\n", err.message);
        return NULL;
    }
    famqp_loop_listener *ll = NULL;
    famqp_loop_status st = famqp_loop_listener_new(w0->loop, l, client_accept, w0, &ll);
    if (st != FAMQP_LOOP_OK) {
        fprintf(stderr, "famqp-broker: --ws-listen: event loop: %s\n", famqp_loop_status_name(st));
        famqp_listener_close(l);
        return NULL;
    }
    char host[256];
    snprintf(host, sizeof host, "%s", hostport);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("ws listening on %s:%u%s\n", host[0] ? host : "0.0.0.0", (unsigned)famqp_listener_port(l),
           lo.tls_cert_file ? " (wss)" : "");
    return ll;
}

/* famqp-broker: a connection's handshake deadline.  From accept, the
 * protocol header, SASL and the peer's open must come within
 * --handshake-timeout (a connection that trickles a byte a second is
 * closed all the same): before SASL is done the socket is just closed (no
 * AMQP frame may be sent yet), after it the connection is closed with
 * amqp:resource-limit-exceeded.  A source address with failed logins
 * first waits its turn (auth_wait_ms) before its header is read.  Once
 * open, the engine's idle timeout (--idle-timeout) takes over. */
#include <stdint.h>
#include <stdio.h>

#include "broker.h"

enum { CLOSE_GRACE_MS = 1000 }; /* for our close to leave before the socket is dropped */

static void on_deadline(famqp_loop_timer *t, void *arg)
{
    client *cl = arg;
    const broker_config *cfg = &cl->w->b->cfg;
    switch (cl->phase) {
    case CLIENT_AUTH_WAIT:
        cl->phase = CLIENT_HANDSHAKE;
        if (!client_watch_hello(cl)) {
            peer_log("out of memory: dropping connection from %s", famqp_io_peer(cl->io));
            client_free(cl);
            return;
        }
        famqp_loop_timer_start(t, cfg->handshake_ms); /* on failure: no deadline, as before */
        return;
    case CLIENT_HANDSHAKE:
        peer_log("%s: handshake not finished within %u ms (--handshake-timeout): closed", famqp_io_peer(cl->io),
                 (unsigned)cfg->handshake_ms);
        if (cl->conn && (!cl->sasl || famqp_connection_sasl_user(cl->conn))) {
            char desc[128];
            snprintf(desc, sizeof desc, "famqp-broker: open not received within %u ms of connecting",
                     (unsigned)cfg->handshake_ms);
            famqp_connection_close(cl->conn, "amqp:resource-limit-exceeded", desc);
            famqp_loop_conn_flush(cl->lc);
            cl->phase = CLIENT_CLOSING;
            famqp_loop_timer_start(t, CLOSE_GRACE_MS);
            return;
        }
        client_free(cl);
        return;
    case CLIENT_CLOSING: client_free(cl); return;
    case CLIENT_OPEN: return;
    }
}

bool deadline_start(client *cl)
{
    broker *b = cl->w->b;
    uint64_t wait = b->cfg.user ? auth_wait_ms(b, famqp_io_peer(cl->io)) : 0;
    if (wait == UINT64_MAX) {
        peer_log("%s: too many failed logins queued from this address: connection closed", famqp_io_peer(cl->io));
        return false;
    }
    if (famqp_loop_timer_new(cl->w->loop, on_deadline, cl, &cl->deadline) != FAMQP_LOOP_OK)
        return false;
    cl->phase = wait ? CLIENT_AUTH_WAIT : CLIENT_HANDSHAKE;
    if (!wait && !client_watch_hello(cl))
        return false;
    return famqp_loop_timer_start(cl->deadline, wait ? wait : b->cfg.handshake_ms) == FAMQP_LOOP_OK;
}

void deadline_opened(client *cl)
{
    cl->phase = CLIENT_OPEN;
    famqp_loop_timer_stop(cl->deadline);
}

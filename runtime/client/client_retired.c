/* Connections a reconnect replaced.  A received delivery the application
 * still holds points into its connection (delivery -> link -> session ->
 * connection), so a lost connection is freed at the reconnect when the
 * application holds none of its deliveries, and otherwise as soon as it
 * has settled the last one (checked by famqp_receive, famqp_client_pump
 * and every reconnect): only held deliveries pin memory.
 *
 * On a lost connection the engine sends nothing, but settling a delivery
 * still settles it locally and releases it: that is what lets go of the
 * connection. */
#include <stdlib.h>

#include "client_internal.h"

static bool holds_deliveries(const famqp_connection *conn)
{
    return famqp_connection_unsettled_received(conn) != 0;
}

void client_retire(famqp_client *c, famqp_connection *conn)
{
    /* Deliveries whose events nobody will read: nobody holds them. */
    const famqp_event *e;
    while ((e = famqp_connection_next_event(conn)) != NULL)
        if ((e->type == FAMQP_EVENT_DELIVERY || e->type == FAMQP_EVENT_DELIVERY_ABORTED) && e->delivery &&
            !famqp_delivery_settled(e->delivery))
            famqp_delivery_settle(e->delivery);
    if (!holds_deliveries(conn)) {
        famqp_connection_free(conn);
        return;
    }
    if (c->nretired == c->retired_cap) {
        size_t cap = c->retired_cap ? c->retired_cap * 2 : 4;
        famqp_connection **a = realloc(c->retired, cap * sizeof *a);
        if (!a)
            return; /* leaked rather than leaving the application's deliveries dangling */
        c->retired = a;
        c->retired_cap = cap;
    }
    c->retired[c->nretired++] = conn;
}

void client_retired_sweep(famqp_client *c)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->nretired; i++) {
        if (holds_deliveries(c->retired[i]))
            c->retired[kept++] = c->retired[i];
        else
            famqp_connection_free(c->retired[i]);
    }
    c->nretired = kept;
}

size_t famqp_client_retired(const famqp_client *c) { return c->nretired; }

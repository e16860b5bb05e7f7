/* Reconnecting (client.h, famqp_reconnect_policy): a lost connection is
 * replaced within the call that noticed, with backoff between attempts,
 * each attempt going to the next URL of the failover list;
 * every open handle is attached again under its link name and senders
 * send again what the peer had not settled.
 *
 * A replaced connection is retired rather than freed while the
 * application holds received deliveries from it: a delivery points into
 * its connection (delivery -> link -> session -> connection), so a lost
 * connection is freed at the reconnect when the application holds none of
 * its deliveries, and otherwise as soon as it has settled the last one
 * (checked by famqp_receive, famqp_client_pump and every reconnect): only
 * held deliveries pin memory.
 *
 * On a lost connection the engine sends nothing, but settling a delivery
 * still settles it locally and releases it: that is what lets go of the
 * connection. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "client_internal.h"

uint64_t famqp_client_reconnects(const famqp_client *c) { return c->reconnects; }
uint64_t famqp_client_resent(const famqp_client *c) { return c->resent; }

/* ---- retired connections ---- */

static bool holds_deliveries(const famqp_connection *conn)
{
    return famqp_connection_unsettled_received(conn) != 0;
}

/* A connection a reconnect replaced: freed now when the application holds
 * none of its received deliveries, else kept until it settled them. */
static void retire_or_free(famqp_client *c, famqp_connection *conn)
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

/* ---- reconnecting ---- */

/* Sleeps ms in short slices; false as soon as an interrupt is pending. */
static bool sleep_ms(famqp_client *c, uint32_t ms)
{
    while (!atomic_load(&c->interrupt)) {
        uint32_t slice = ms < 20 ? ms : 20;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !atomic_load(&c->interrupt)) {
        }
        ms -= slice;
        if (!ms)
            return !atomic_load(&c->interrupt);
    }
    return false;
}

/* Lets go of the current connection: links lose their engine objects,
 * senders mark what they kept for resending.  keep: received deliveries
 * may point into it: it stays allocated while the application holds any
 * (retire_or_free). */
static void retire_connection(famqp_client *c, bool keep)
{
    client_links_lost(c);
    famqp_io_free(c->io);
    c->io = NULL;
    c->session = NULL;
    if (!c->conn)
        return;
    if (keep)
        retire_or_free(c, c->conn);
    else
        famqp_connection_free(c->conn);
    c->conn = NULL;
    client_retired_sweep(c);
}

static bool all_answered(void *arg)
{
    famqp_client *c = arg;
    for (client_link *h = c->links; h; h = h->next)
        if (h->link && !client_link_answered(h))
            return false;
    return true;
}

/* Ends an attempt: a handle the peer refused to reattach (e.g. its node
 * is not back yet) is tried again by the next attempt. */
static void reattach_done(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next) {
        if (h->reattaching && h->remote_detached)
            h->remote_detached = h->finished = h->local_closed = false;
        h->reattaching = false;
    }
}

/* The handle's link goes to the $cbs node. */
static bool cbs_link(const client_link *h)
{
    return client_cbs_address(h->ops->role == FAMQP_LINK_SENDER ? h->lo.target_address : h->lo.source_address);
}

/* Attaches the live handles of one group (cbs: the $cbs links, else the
 * others) again on the new connection and waits for the peer's answers. */
static famqp_client_status reattach_group(famqp_client *c, bool cbs)
{
    for (client_link *h = c->links; h; h = h->next) {
        if (h->remote_detached || h->local_closed || h->finished || !h->name || cbs_link(h) != cbs)
            continue;
        h->reattaching = true;
        famqp_client_status st = client_link_attach(c, h, h->name, &h->lo);
        if (st != FAMQP_CLIENT_OK)
            return st;
    }
    famqp_client_status st = client_wait(c, client_deadline(c->iopts.connect_timeout_ms), all_answered, c);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out reattaching links");
    if (st != FAMQP_CLIENT_OK)
        return st;
    for (client_link *h = c->links; h; h = h->next) {
        if (cbs_link(h) != cbs)
            continue;
        if (h->reattaching && h->remote_detached)
            return client_set_error(c, FAMQP_CLIENT_ERR_CONNECTION, h->cond, h->desc,
                                    "reattaching link '%s' refused", h->name);
        if (h->link && h->ops->reattach)
            h->ops->reattach(h);
    }
    return FAMQP_CLIENT_OK;
}

/* Attaches every live handle again: with CBS the $cbs links first, then
 * every token is put again, then the links that need them. */
static famqp_client_status reattach_all(famqp_client *c)
{
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (c->cbs) {
        st = reattach_group(c, true);
        if (st == FAMQP_CLIENT_OK)
            st = client_cbs_reput(c);
        if (st != FAMQP_CLIENT_OK)
            return st;
    }
    return reattach_group(c, false);
}

bool client_recover(famqp_client *c)
{
    if (!c->failed || !c->policy.max_attempts || !c->established || c->closing || c->reconnecting ||
        c->fail_status != FAMQP_CLIENT_ERR_CONNECTION)
        return false;
    c->reconnecting = true;
    famqp_client_error lost = c->fail_err;
    famqp_client_error last = lost;
    retire_connection(c, true);
    /* Failover: attempt k goes to the k-th URL after the lost one
     * (wrapping), so the first goes to another node; the backoff doubles
     * after each full round over the list (with one URL: each attempt). */
    size_t from = c->cur, n = c->ntargets;
    uint32_t backoff = c->policy.initial_backoff_ms;
    uint32_t attempt;
    bool interrupted = false;
    uint32_t made = 0; /* attempts made (an interrupt may come before one) */
    for (attempt = 1; attempt <= c->policy.max_attempts; attempt++) {
        if (!sleep_ms(c, backoff)) {
            interrupted = true;
            break;
        }
        if (attempt % n == 0)
            backoff = backoff > c->policy.max_backoff_ms / 2 ? c->policy.max_backoff_ms : backoff * 2;
        client_target_use(c, (from + attempt) % n);
        made++;
        famqp_client_status st = client_open_connection(c);
        if (st == FAMQP_CLIENT_OK)
            st = reattach_all(c);
        reattach_done(c);
        if (st == FAMQP_CLIENT_OK && !c->failed) {
            c->reconnecting = false;
            c->reconnects++;
            client_failover_notify(c, true, from, &lost, attempt);
            return true;
        }
        last = c->failed ? c->fail_err : c->err;
        /* Once the session was up, deliveries may have arrived: keep it. */
        retire_connection(c, c->remote_begin);
        if (st == FAMQP_CLIENT_ERR_AUTH)
            break; /* the credentials were refused: retrying will not help */
        if (atomic_load(&c->interrupt)) {
            interrupted = true;
            break;
        }
    }
    if (interrupted)
        atomic_store(&c->interrupt, 0); /* consumed: the client's failure says it from now on */
    c->reconnecting = false;
    client_target_use(c, from); /* famqp_client_url: the last one connected to */
    c->failed = true;
    c->fail_status = interrupted ? FAMQP_CLIENT_ERR_INTERRUPTED : FAMQP_CLIENT_ERR_CONNECTION;
    client_copy(c->fail_err.condition, sizeof c->fail_err.condition, last.condition);
    client_copy(c->fail_err.description, sizeof c->fail_err.description, last.description);
    c->fail_err.status = c->fail_status;
    if (interrupted)
        snprintf(c->fail_err.message, sizeof c->fail_err.message,
                 "connection lost (%.300s); reconnecting interrupted after %u attempt%s (famqp_client_interrupt)",
                 lost.message, made, made == 1 ? "" : "s");
    else
        snprintf(c->fail_err.message, sizeof c->fail_err.message,
                 "connection lost (%.300s); reconnecting failed after %u attempt%s: %.300s", lost.message,
                 attempt > c->policy.max_attempts ? c->policy.max_attempts : attempt, attempt == 1 ? "" : "s",
                 last.message);
    client_failover_notify(c, false, from, &lost, attempt > c->policy.max_attempts ? c->policy.max_attempts : attempt);
    return false;
}


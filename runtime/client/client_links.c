/* Link handles, what senders and receivers share: the client's list of
 * them, opening a link (keeping what a reattach needs), the peer's answer
 * and detach, closing, and what happens to every handle when the
 * connection is lost or the client freed, through each kind's operations
 * (client_link_ops). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

void *client_link_alloc(famqp_client *c, size_t size, const client_link_ops *ops)
{
    client_link *h = calloc(1, size);
    if (!h) {
        client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        return NULL;
    }
    h->ops = ops;
    return h;
}

void client_link_options(famqp_link_options *lo, const char *address, uint8_t snd_settle_mode,
                         uint8_t rcv_settle_mode, uint32_t durable, const famqp_client_link_options *extra)
{
    famqp_link_options_init(lo);
    /* Our terminus is named like the peer's, as other clients do. */
    lo->source_address = address;
    lo->target_address = address;
    lo->snd_settle_mode = snd_settle_mode;
    lo->rcv_settle_mode = rcv_settle_mode;
    lo->durable = durable;
    lo->properties = extra->properties;
    lo->offered_capabilities = extra->offered_capabilities;
    lo->desired_capabilities = extra->desired_capabilities;
    lo->source_capabilities = extra->source_capabilities;
    lo->target_capabilities = extra->target_capabilities;
    lo->expiry_policy = extra->expiry_policy;
    lo->timeout = extra->timeout;
    lo->dynamic_node_properties = extra->dynamic_node_properties;
}

bool client_link_answered(const client_link *h)
{
    if (h->remote_detached)
        return true;
    if (!h->remote_attached)
        return false;
    /* A refusing peer attaches with no terminus and detaches right after. */
    const char *addr = famqp_link_get_role(h->link) == FAMQP_LINK_SENDER
                           ? famqp_link_remote_target_address(h->link)
                           : famqp_link_remote_source_address(h->link);
    return addr != NULL;
}

static bool link_answered(void *arg) { return client_link_answered(arg); }

famqp_client_status client_link_attach(famqp_client *c, client_link *h, const char *name,
                                       const famqp_link_options *lo)
{
    famqp_engine_status es = famqp_link_new(c->session, name, h->ops->role, lo, &h->link);
    if (es != FAMQP_ENGINE_OK)
        return client_set_error(c, client_engine_status(es), NULL, NULL, "could not create link '%s': %s", name,
                                famqp_engine_status_name(es));
    famqp_link_set_context(h->link, h);
    if (famqp_link_open(h->link) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "could not attach link '%s'", name);
    return FAMQP_CLIENT_OK;
}

famqp_client_status client_link_open(famqp_client *c, client_link *h, const char *name,
                                     const famqp_link_options *lo, int timeout_ms)
{
    famqp_link_role role = h->ops->role;
    h->client = c;
    h->next = c->links;
    c->links = h;
    if (c->failed)
        return client_failed(c);
    char generated[160];
    if (!name) {
        snprintf(generated, sizeof generated, "%s-%s-%llu", c->container_id,
                 role == FAMQP_LINK_SENDER ? "sender" : "receiver", (unsigned long long)++c->link_counter);
        name = generated;
    }
    char why[256];
    famqp_engine_status est = famqp_link_options_check(lo, why, sizeof why);
    if (est != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "link '%s': %s", name, why);
    /* Kept for reattaching after a reconnect. */
    if (!client_dup(&h->name, name) || famqp_link_options_copy(&h->lo, lo, &h->lo_block) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    famqp_client_status st = client_link_attach(c, h, name, lo);
    if (st != FAMQP_CLIENT_OK)
        return st;
    const char *address = role == FAMQP_LINK_SENDER ? lo->target_address : lo->source_address;
    st = client_wait(c, client_deadline(timeout_ms), link_answered, h);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT && h->remote_attached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, NULL, NULL,
                                "attach to '%s' refused: the peer answered without a %s",
                                address ? address : "(dynamic)", role == FAMQP_LINK_SENDER ? "target" : "source");
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out attaching to '%s'", address ? address : "(dynamic)");
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (h->remote_detached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, h->cond, h->desc, "attach to '%s' refused",
                                address ? address : "(dynamic)");
    return FAMQP_CLIENT_OK;
}

void client_link_free_options(client_link *h)
{
    free(h->name);
    famqp_options_copy_free(h->lo_block);
    h->name = NULL;
    h->lo_block = NULL;
}

static bool link_closed(void *arg)
{
    client_link *h = arg;
    return h->remote_detached;
}

static void unregister(client_link *h)
{
    famqp_client *c = h->client;
    for (client_link **p = &c->links; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            break;
        }
    }
    if (h->link)
        famqp_link_set_context(h->link, NULL);
    h->link = NULL;
}

famqp_client_status client_link_close(client_link *h, int timeout_ms)
{
    famqp_client *c = h->client;
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (!c->failed && h->link && !h->remote_detached) {
        if (!h->local_closed) {
            h->local_closed = true;
            famqp_link_close(h->link, NULL, NULL);
        }
        st = client_wait(c, client_deadline(timeout_ms), link_closed, h);
    }
    if (st == FAMQP_CLIENT_OK && h->remote_detached && h->cond[0])
        st = client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, h->cond, h->desc, "the peer detached the link");
    unregister(h);
    return st;
}

void client_link_abandon(client_link *h)
{
    famqp_client *c = h->client;
    if (c && !c->failed && h->link && !h->remote_detached && !h->local_closed) {
        h->local_closed = true;
        famqp_link_close(h->link, NULL, NULL); /* sent with the next I/O; the answer is ignored */
    }
    if (c)
        unregister(h);
    h->ops->free(h);
}

void client_link_remote_detach(client_link *h, const famqp_event *e)
{
    h->remote_detached = true;
    client_copy(h->cond, sizeof h->cond, e->condition.name);
    client_copy(h->desc, sizeof h->desc, e->condition.description);
    /* A reattach refused during a reconnect keeps what the handle holds
     * for the next attempt. */
    if (!h->reattaching)
        h->ops->forget(h);
    if (!h->local_closed) {
        h->local_closed = true;
        famqp_link_close(e->link, NULL, NULL);
    }
    /* closed both ways: the engine frees the link after this event */
    h->finished = true;
    famqp_link_set_context(e->link, NULL);
    h->link = NULL;
}

/* The session or connection is gone: handles let go of their engine links
 * (closing the session frees them) after their kind noted what to restore
 * (senders mark what they kept for resending, receivers their credit).
 * Called again by a reconnect: does nothing more then. */
void client_links_lost(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next) {
        h->ops->lost(h);
        if (h->link)
            famqp_link_set_context(h->link, NULL);
        h->link = NULL;
        h->remote_attached = false;
        if (h->local_closed)
            h->remote_detached = true; /* a detach under way ends with the connection */
    }
}

void client_links_free(famqp_client *c)
{
    client_link *h = c->links;
    while (h) {
        client_link *next = h->next;
        h->ops->free(h);
        h = next;
    }
    c->links = NULL;
}

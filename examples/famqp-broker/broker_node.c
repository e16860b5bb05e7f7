/* famqp-broker's request/response nodes ($cbs, $management): the links of
 * one node on one connection (requests come in on our receivers, responses
 * go out on our senders), and the response: correlation-id = the request's
 * message-id, status-code and status-description, pre-settled on the
 * sending link whose target (or, for clients that set none, link name) is
 * the request's reply-to, or the connection's only one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

char *dup_or_empty(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void node_links_free(node_links *n)
{
    for (size_t i = 0; i < n->nreplies; i++) {
        free(n->replies[i].name);
        free(n->replies[i].target);
    }
    n->nreplies = n->nrequests = 0;
}

bool node_attach(node_links *n, famqp_link *l, bool sender, const char *node, uint32_t credit)
{
    famqp_link_options o;
    famqp_link_options_init(&o);
    const char *why = NULL;
    if (sender ? n->nreplies == NODE_MAX_LINKS : n->nrequests == NODE_MAX_LINKS)
        why = "too many links to this node on one connection";
    if (!why && sender) {
        node_reply *r = &n->replies[n->nreplies];
        r->link = l;
        r->name = dup_or_empty(famqp_link_name(l));
        r->target = dup_or_empty(famqp_link_remote_target_address(l));
        if (!r->name || !r->target) {
            free(r->name);
            free(r->target);
            why = "out of memory";
        } else {
            n->nreplies++;
            o.source_address = node;
            o.target_address = r->target[0] ? r->target : NULL;
        }
    } else if (!why) {
        n->requests[n->nrequests++] = l;
        o.target_address = node;
        o.credit_window = credit; /* the engine keeps it granted */
    }
    if (why) {
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", why);
        return false;
    }
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    return true;
}

bool node_forget(node_links *n, famqp_link *l)
{
    for (size_t i = 0; i < n->nrequests; i++)
        if (n->requests[i] == l) {
            n->requests[i] = n->requests[--n->nrequests];
            return true;
        }
    for (size_t i = 0; i < n->nreplies; i++)
        if (n->replies[i].link == l) {
            free(n->replies[i].name);
            free(n->replies[i].target);
            n->replies[i] = n->replies[--n->nreplies];
            return true;
        }
    return false;
}

bool node_is_request_link(const node_links *n, const famqp_link *l)
{
    for (size_t i = 0; i < n->nrequests; i++)
        if (n->requests[i] == l)
            return true;
    return false;
}

static famqp_link *reply_link(node_links *n, famqp_string reply_to)
{
    for (size_t i = 0; i < n->nreplies; i++)
        if (famqp_string_eq(reply_to, n->replies[i].target) ||
            (!n->replies[i].target[0] && famqp_string_eq(reply_to, n->replies[i].name)))
            return n->replies[i].link;
    return n->nreplies == 1 ? n->replies[0].link : NULL;
}

bool node_respond(client *cl, node_links *n, const famqp_message *req, int status, const char *desc,
                  famqp_value body, const char **why)
{
    famqp_string reply_to = {0};
    if (req->properties.reply_to.kind == FAMQP_ANY_ADDRESS_ADDRESS_STRING)
        reply_to = req->properties.reply_to.u.address_string;
    famqp_link *l = reply_link(n, reply_to);
    if (!l) {
        *why = "no receiving link for the request's reply-to on this connection";
        return false;
    }
    if (famqp_link_credit(l) == 0) {
        *why = "the reply link has no credit";
        return false;
    }
    famqp_message m;
    famqp_message_init(&m);
    m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    if (req->properties.present & FAMQP_PROPERTIES_HAS_MESSAGE_ID) {
        m.properties.correlation_id = req->properties.message_id;
        m.properties.present |= FAMQP_PROPERTIES_HAS_CORRELATION_ID;
    }
    if (reply_to.len) {
        m.properties.to = req->properties.reply_to;
        m.properties.present |= FAMQP_PROPERTIES_HAS_TO;
    }
    uint8_t props[512];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, props, sizeof props);
    famqp_map_builder_put_int(&b, "status-code", status);
    famqp_map_builder_put_string(&b, "status-description", desc);
    if (body.len)
        famqp_message_set_value(&m, body);
    else
        famqp_message_set_string(&m, "");
    uint8_t stack[NODE_MAX_RESPONSE];
    size_t need = famqp_message_set_map(&m, &b) == FAMQP_OK ? famqp_message_encode(NULL, 0, &m) : 0;
    uint8_t *buf = need <= sizeof stack ? stack : need <= NODE_MAX_LARGE_RESPONSE ? malloc(need) : NULL;
    size_t len = need && buf ? famqp_message_encode(buf, need, &m) : 0;
    uint8_t tag[8];
    uint64_t t = ++n->tag;
    memcpy(tag, &t, sizeof tag);
    bool sent = len && len <= need &&
                famqp_link_send(l, famqp_binary_of(tag, sizeof tag), buf, len, true, NULL) == FAMQP_ENGINE_OK;
    if (buf != stack)
        free(buf);
    if (!sent) {
        *why = !len || len > need ? "the response does not fit" : "the response could not be sent";
        return false;
    }
    client_flush(cl);
    return true;
}

int node_take_request(const node_links *n, famqp_delivery *d, const char *what, famqp_message *m)
{
    if (!n || !node_is_request_link(n, famqp_delivery_link(d)))
        return -1;
    famqp_error e;
    famqp_binary raw = famqp_delivery_message(d);
    if (famqp_message_decode(raw.ptr, raw.len, m, &e) != FAMQP_OK) {
        char desc[200];
        snprintf(desc, sizeof desc, "the %s request does not decode", what);
        famqp_delivery_reject(d, "amqp:decode-error", desc);
        return 0;
    }
    return 1;
}

void node_answer(client *cl, node_links *n, famqp_delivery *d, const famqp_message *req, int status,
                 const char *desc, famqp_value body)
{
    const char *why = NULL;
    if (node_respond(cl, n, req, status, desc, body, &why))
        famqp_delivery_accept(d);
    else
        famqp_delivery_reject(d, "amqp:precondition-failed", why);
}

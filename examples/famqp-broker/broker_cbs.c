/* famqp-broker's claims-based security (--sas-key): a `$cbs` node per
 * connection that takes put-token requests, verifies each SAS token
 * (famqp_sas_token_verify) and answers with status-code 200 or 401/400
 * and a status-description; links to any other address need a token whose
 * audience covers it, and are detached when it expires (checked every
 * second on each worker).  What a connection may hold is bounded: its
 * tokens (CBS_MAX_TOKENS audiences) and its $cbs links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "broker.h"

enum {
    CBS_MAX_TOKENS = 256, /* audiences a connection may hold tokens for */
    CBS_MAX_LINKS = 16    /* $cbs links of each direction on a connection */
};

typedef struct cbs_token {
    char *path; /* the audience's path (no leading '/'); "" covers the namespace */
    uint64_t expiry_s;
} cbs_token;

typedef struct cbs_reply {
    famqp_link *link; /* our sender, source $cbs */
    char *name;       /* its link name */
    char *target;     /* the peer's target address ("" when none) */
} cbs_reply;

struct client_cbs {
    cbs_token tokens[CBS_MAX_TOKENS];
    size_t ntokens;
    famqp_link *requests[CBS_MAX_LINKS]; /* our receivers, target $cbs */
    size_t nrequests;
    cbs_reply replies[CBS_MAX_LINKS];
    size_t nreplies;
    uint64_t tag;
};

static uint64_t now_s(void) { return (uint64_t)time(NULL); }

bool cbs_enabled(const broker *b) { return b->cfg.nsas_keys > 0; }

bool cbs_node_address(const char *addr) { return strcmp(addr, "$cbs") == 0; }

void cbs_client_free(client *cl)
{
    client_cbs *s = cl->cbs;
    if (!s)
        return;
    for (size_t i = 0; i < s->ntokens; i++)
        free(s->tokens[i].path);
    for (size_t i = 0; i < s->nreplies; i++) {
        free(s->replies[i].name);
        free(s->replies[i].target);
    }
    free(s);
    cl->cbs = NULL;
}

static client_cbs *state(client *cl)
{
    if (!cl->cbs)
        cl->cbs = calloc(1, sizeof *cl->cbs);
    return cl->cbs;
}

const char *cbs_entity_path(const char *addr)
{
    const char *scheme = strstr(addr, "://");
    if (scheme) {
        const char *slash = strchr(scheme + 3, '/');
        addr = slash ? slash + 1 : "";
    }
    while (*addr == '/')
        addr++;
    return addr;
}

/* Entity names are case-insensitive (as the service's); a token for "hub"
 * covers "hub" and "hub/Partitions/0", not "hubby". */
static bool covers(const char *path, const char *entity)
{
    size_t n = strlen(path);
    while (n && path[n - 1] == '/')
        n--;
    return n == 0 || (strncasecmp(entity, path, n) == 0 && (entity[n] == '\0' || entity[n] == '/'));
}

uint64_t cbs_expiry_for(client *cl, const char *addr)
{
    client_cbs *s = cl->cbs;
    uint64_t best = 0, now = now_s();
    const char *entity = cbs_entity_path(addr);
    for (size_t i = 0; s && i < s->ntokens; i++)
        if (s->tokens[i].expiry_s > now && s->tokens[i].expiry_s > best && covers(s->tokens[i].path, entity))
            best = s->tokens[i].expiry_s;
    return best;
}

static char *dup_or_empty(const char *s)
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

bool cbs_attach(client *cl, famqp_link *l, bool sender)
{
    client_cbs *s = state(cl);
    famqp_link_options o;
    famqp_link_options_init(&o);
    const char *why = NULL;
    if (!s)
        why = "out of memory";
    else if (sender ? s->nreplies == CBS_MAX_LINKS : s->nrequests == CBS_MAX_LINKS)
        why = "too many $cbs links on one connection";
    if (!why && sender) {
        cbs_reply *r = &s->replies[s->nreplies];
        r->link = l;
        r->name = dup_or_empty(famqp_link_name(l));
        r->target = dup_or_empty(famqp_link_remote_target_address(l));
        if (!r->name || !r->target) {
            free(r->name);
            free(r->target);
            why = "out of memory";
        } else {
            s->nreplies++;
            o.source_address = "$cbs";
            o.target_address = r->target[0] ? r->target : NULL;
        }
    } else if (!why) {
        s->requests[s->nrequests++] = l;
        o.target_address = "$cbs";
        o.credit_window = CBS_MAX_TOKENS; /* the engine keeps it granted */
    }
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (why) {
        famqp_link_close(l, "amqp:resource-limit-exceeded", why);
        return false;
    }
    return true;
}

bool cbs_forget_link(client *cl, famqp_link *l)
{
    client_cbs *s = cl->cbs;
    for (size_t i = 0; s && i < s->nrequests; i++)
        if (s->requests[i] == l) {
            s->requests[i] = s->requests[--s->nrequests];
            return true;
        }
    for (size_t i = 0; s && i < s->nreplies; i++)
        if (s->replies[i].link == l) {
            free(s->replies[i].name);
            free(s->replies[i].target);
            s->replies[i] = s->replies[--s->nreplies];
            return true;
        }
    return false;
}

/* The link a response to reply_to goes out on: the $cbs receiver whose
 * target (or, for clients that set none, link name) is reply_to; with one
 * $cbs receiver on the connection, that one. */
static famqp_link *reply_link(client_cbs *s, famqp_string reply_to)
{
    for (size_t i = 0; i < s->nreplies; i++)
        if (famqp_string_eq(reply_to, s->replies[i].target) ||
            (!s->replies[i].target[0] && famqp_string_eq(reply_to, s->replies[i].name)))
            return s->replies[i].link;
    return s->nreplies == 1 ? s->replies[0].link : NULL;
}

static bool string_property(const famqp_message *m, const char *name, famqp_string *out)
{
    famqp_value v;
    return famqp_message_property(m, name, &v) && famqp_value_get_string(v, out);
}

/* Checks and keeps the token of a put-token; returns the status code and
 * writes the description. */
static int put_token(client *cl, const famqp_message *m, char *desc, size_t cap)
{
    const broker_config *cfg = &cl->w->b->cfg;
    famqp_string op, type, token;
    if (!string_property(m, "operation", &op) || !famqp_string_eq(op, "put-token")) {
        snprintf(desc, cap, "the $cbs node takes operation 'put-token' (application property 'operation')");
        return 400;
    }
    if (!string_property(m, "type", &type)) {
        snprintf(desc, cap, "put-token needs a 'type' application property");
        return 400;
    }
    if (!famqp_string_eq(type, "servicebus.windows.net:sastoken")) {
        snprintf(desc, cap, "token type '%.*s' is not accepted: only servicebus.windows.net:sastoken (SAS)",
                 (int)(type.len > 100 ? 100 : type.len), type.ptr);
        return 401;
    }
    if (!famqp_message_get_string(m, &token)) {
        snprintf(desc, cap, "put-token needs the token as an amqp-value string body");
        return 400;
    }
    famqp_sas_claims claims;
    famqp_auth_error err;
    if (famqp_sas_token_verify(token.ptr, token.len, cfg->sas_keys, cfg->nsas_keys, now_s(), &claims, &err) !=
        FAMQP_AUTH_OK) {
        snprintf(desc, cap, "%s", err.message);
        return 401;
    }
    client_cbs *s = cl->cbs;
    const char *path = cbs_entity_path(claims.audience);
    for (size_t i = 0; i < s->ntokens; i++)
        if (strcasecmp(s->tokens[i].path, path) == 0) {
            s->tokens[i].expiry_s = claims.expiry_epoch_s; /* a refresh */
            snprintf(desc, cap, "OK");
            return 200;
        }
    if (s->ntokens == CBS_MAX_TOKENS) {
        snprintf(desc, cap, "this connection holds tokens for %d audiences already", CBS_MAX_TOKENS);
        return 403;
    }
    char *copy = dup_or_empty(path);
    if (!copy) {
        snprintf(desc, cap, "out of memory");
        return 500;
    }
    s->tokens[s->ntokens++] = (cbs_token){copy, claims.expiry_epoch_s};
    if (cfg->verbose)
        fprintf(stderr, "famqp-broker: %s put a token for '%s' (key '%s', expires in %llu s)\n",
                famqp_io_peer(cl->io), claims.audience, claims.key_name,
                (unsigned long long)(claims.expiry_epoch_s - now_s()));
    snprintf(desc, cap, "OK");
    return 200;
}

/* The response: correlation-id the request's message-id, status-code and
 * status-description, pre-settled on the reply link.  False when it cannot
 * be sent (no reply link, no credit): the request is then rejected. */
static bool respond(client *cl, const famqp_message *req, int status, const char *desc, const char **why)
{
    client_cbs *s = cl->cbs;
    famqp_string reply_to = {0};
    if (req->properties.reply_to.kind == FAMQP_ANY_ADDRESS_ADDRESS_STRING)
        reply_to = req->properties.reply_to.u.address_string;
    famqp_link *l = reply_link(s, reply_to);
    if (!l) {
        *why = "no $cbs receiving link for the request's reply-to on this connection";
        return false;
    }
    if (famqp_link_credit(l) == 0) {
        *why = "the $cbs reply link has no credit";
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
    famqp_message_set_string(&m, "");
    uint8_t buf[1024];
    size_t n = famqp_message_set_map(&m, &b) == FAMQP_OK ? famqp_message_encode(buf, sizeof buf, &m) : 0;
    if (n == 0 || n > sizeof buf) {
        *why = "the response does not fit";
        return false;
    }
    uint8_t tag[8];
    uint64_t t = ++s->tag;
    memcpy(tag, &t, sizeof tag);
    if (famqp_link_send(l, famqp_binary_of(tag, sizeof tag), buf, n, true, NULL) != FAMQP_ENGINE_OK) {
        *why = "the response could not be sent";
        return false;
    }
    client_flush(cl);
    return true;
}

bool cbs_on_message(client *cl, famqp_delivery *d)
{
    client_cbs *s = cl->cbs;
    famqp_link *l = famqp_delivery_link(d);
    size_t i = 0;
    while (s && i < s->nrequests && s->requests[i] != l)
        i++;
    if (!s || i == s->nrequests)
        return false;
    famqp_message m;
    famqp_error e;
    famqp_binary raw = famqp_delivery_message(d);
    if (famqp_message_decode(raw.ptr, raw.len, &m, &e) != FAMQP_OK) {
        famqp_delivery_reject(d, "amqp:decode-error", "the put-token request does not decode");
        return true;
    }
    char desc[300];
    int status = put_token(cl, &m, desc, sizeof desc);
    const char *why = NULL;
    if (respond(cl, &m, status, desc, &why))
        famqp_delivery_accept(d);
    else
        famqp_delivery_reject(d, "amqp:precondition-failed", why);
    return true;
}

/* Detaches the client's links whose tokens ran out (and no fresher one
 * covers them). */
static void check_client(client *cl, uint64_t now)
{
    for (size_t i = 0; i < cl->nconsumers + cl->nproducers;) {
        bool is_consumer = i < cl->nconsumers;
        uint64_t *expiry = is_consumer ? &cl->consumers[i]->auth_expiry_s
                                       : &cl->producers[i - cl->nconsumers]->auth_expiry_s;
        famqp_link *l = is_consumer ? cl->consumers[i]->link : cl->producers[i - cl->nconsumers]->link;
        if (*expiry == 0 || *expiry > now) {
            i++;
            continue;
        }
        const char *addr = is_consumer ? famqp_link_remote_source_address(l) : famqp_link_remote_target_address(l);
        *expiry = cbs_expiry_for(cl, addr ? addr : "");
        if (*expiry) {
            i++;
            continue;
        }
        char desc[300];
        snprintf(desc, sizeof desc, "the token for '%.200s' expired", addr ? addr : "");
        client_close_link(cl, l, "amqp:unauthorized-access", desc); /* removes it from the arrays */
    }
}

void cbs_check_expiry(worker *w)
{
    uint64_t now = now_s();
    for (size_t i = 0; i < w->nclients; i++)
        if (w->clients[i] && w->clients[i]->cbs)
            check_client(w->clients[i], now);
}

/* famqp-broker's claims-based security (--sas-key): a `$cbs` node per
 * connection that takes put-token requests, verifies each SAS token
 * (famqp_sas_token_verify) and answers with status-code 200 or 401/400
 * and a status-description; links to any other address need a token whose
 * audience covers it, and are detached when it expires (checked every
 * second on each worker).  What a connection may hold is bounded: its
 * tokens (CBS_MAX_TOKENS audiences) and its $cbs links (broker_node.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "broker.h"

enum {
    CBS_MAX_TOKENS = 256 /* audiences a connection may hold tokens for */
};

typedef struct cbs_token {
    char *path; /* the audience's path (no leading '/'); "" covers the namespace */
    uint64_t expiry_s;
} cbs_token;

struct client_cbs {
    cbs_token tokens[CBS_MAX_TOKENS];
    size_t ntokens;
    node_links links; /* its $cbs links */
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
    node_links_free(&s->links);
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

bool cbs_attach(client *cl, famqp_link *l, bool sender)
{
    client_cbs *s = state(cl);
    if (!s) {
        famqp_link_options o;
        famqp_link_options_init(&o);
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return false;
    }
    return node_attach(&s->links, l, sender, "$cbs", CBS_MAX_TOKENS);
}

bool cbs_forget_link(client *cl, famqp_link *l)
{
    return cl->cbs && node_forget(&cl->cbs->links, l);
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
    if (!famqp_message_get_string(m, &token)) {
        snprintf(desc, cap, "put-token needs the token as an amqp-value string body");
        return 400;
    }
    /* Microsoft's Python SDKs (pyamqp) put their SAS tokens with type
     * 'jwt'; the service and its emulators take them, so a 'jwt' whose
     * token is a SharedAccessSignature is checked as one. */
    static const char sas_prefix[] = "SharedAccessSignature ";
    bool sas_as_jwt = famqp_string_eq(type, "jwt") && token.len >= sizeof sas_prefix - 1 &&
                      memcmp(token.ptr, sas_prefix, sizeof sas_prefix - 1) == 0;
    if (!famqp_string_eq(type, "servicebus.windows.net:sastoken") && !sas_as_jwt) {
        snprintf(desc, cap,
                 "token type '%.*s' is not accepted: only servicebus.windows.net:sastoken (SAS), or a SAS token as jwt",
                 (int)(type.len > 100 ? 100 : type.len), type.ptr);
        return 401;
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

bool cbs_on_message(client *cl, famqp_delivery *d)
{
    famqp_message m;
    int taken = node_take_request(cl->cbs ? &cl->cbs->links : NULL, d, "put-token", &m);
    if (taken == 1) {
        char desc[300];
        int status = put_token(cl, &m, desc, sizeof desc);
        node_answer(cl, &cl->cbs->links, d, &m, status, desc, (famqp_value){0});
    }
    return taken >= 0;
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

bool cbs_has_token(client *cl)
{
    uint64_t now = now_s();
    for (size_t i = 0; cl->cbs && i < cl->cbs->ntokens; i++)
        if (cl->cbs->tokens[i].expiry_s > now)
            return true;
    return false;
}

bool cbs_token_covers(const broker *b, famqp_string token, const char *entity)
{
    famqp_sas_claims claims;
    famqp_auth_error err;
    return famqp_sas_token_verify(token.ptr, token.len, b->cfg.sas_keys, b->cfg.nsas_keys, now_s(), &claims, &err) ==
               FAMQP_AUTH_OK &&
           covers(cbs_entity_path(claims.audience), entity);
}

/* Claims-based security (famqp_cbs_options, client.h): the `$cbs`
 * requester, one token per audience put before the first link to it,
 * refreshed before expiry from the calls that wait, put again after a
 * reconnect.  The token comes from the application's provider or the
 * built-in SAS provider (famqp/cbs.h: a key or a fixed SAS token); the
 * request is famqp/management.h's put-token. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_internal.h"
#include "famqp/request.h"

enum { CBS_DEFAULT_MARGIN_S = 300, CBS_DEFAULT_PUT_MS = 10000 };

typedef struct cbs_audience {
    char *name;
    uint64_t expiry_epoch_s; /* of the token last put */
} cbs_audience;

struct client_cbs {
    famqp_cbs_token_provider provider;
    void *context;
    char *prefix; /* audience prefix */
    uint32_t margin_s;
    int put_ms;
    famqp_requester *req;
    cbs_audience *aud;
    size_t naud, capaud;
    uint64_t next_due_s; /* the earliest refresh; UINT64_MAX: none */
    uint64_t puts;             /* put-tokens answered 200/202 */
    uint64_t refresh_failures; /* refreshes refused or failed */
    bool refreshing;     /* a refresh is under way: client_wait must not start another */
    famqp_cbs_token tok; /* the provider's output (8 KiB: kept off the stack) */
    famqp_cbs_sas_provider *sas; /* the built-in provider, when used */
};

void famqp_cbs_use_sas(famqp_client_options *o, const char *key_name, const char *key, uint32_t lifetime_s)
{
    o->cbs.provider = NULL;
    o->cbs.sas_key_name = key_name;
    o->cbs.sas_key = key;
    o->cbs.sas_lifetime_s = lifetime_s;
}

static uint64_t now_s(void) { return (uint64_t)time(NULL); }

bool client_cbs_wanted(const famqp_client_options *o) { return famqp_cbs_options_wanted(&o->cbs); }

famqp_client_status client_cbs_init(famqp_client *c, const famqp_client_options *opts)
{
    if (!client_cbs_wanted(opts))
        return FAMQP_CLIENT_OK;
    const famqp_cbs_options *o = &opts->cbs;
    client_cbs *b = calloc(1, sizeof *b);
    if (!b)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    c->cbs = b;
    b->margin_s = o->refresh_margin_s ? o->refresh_margin_s : CBS_DEFAULT_MARGIN_S;
    b->put_ms = o->put_timeout_ms ? o->put_timeout_ms : CBS_DEFAULT_PUT_MS;
    b->next_due_s = UINT64_MAX;
    if (o->audience_prefix) {
        if (!client_dup(&b->prefix, o->audience_prefix))
            return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    } else {
        const famqp_url *u = &c->targets[0].url;
        size_t n = strlen(u->host) + 8;
        b->prefix = malloc(n);
        if (!b->prefix)
            return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        snprintf(b->prefix, n, "sb://%s/", u->host);
    }
    bool fixed;
    famqp_auth_error e;
    famqp_auth_status as = famqp_cbs_options_provider(o, &b->provider, &b->context, &b->sas, &fixed, &e);
    if (as != FAMQP_AUTH_OK)
        return client_set_error(c, as == FAMQP_AUTH_ERR_NOMEM ? FAMQP_CLIENT_ERR_NOMEM : FAMQP_CLIENT_ERR_ARG, NULL,
                                NULL, "CBS: %s", e.message);
    return FAMQP_CLIENT_OK;
}

void client_cbs_free(famqp_client *c)
{
    client_cbs *b = c->cbs;
    if (!b)
        return;
    for (size_t i = 0; i < b->naud; i++)
        free(b->aud[i].name);
    free(b->aud);
    free(b->prefix);
    client_requester_drop(b->req);
    famqp_cbs_sas_provider_free(b->sas);
    memset(&b->tok, 0, sizeof b->tok); /* a token is a credential */
    free(b);
    c->cbs = NULL;
}

famqp_client_status client_cbs_open(famqp_client *c)
{
    if (!c->cbs)
        return FAMQP_CLIENT_OK;
    famqp_requester_options ro;
    famqp_requester_options_init(&ro);
    ro.max_in_flight = 16;
    ro.attach_timeout_ms = c->iopts.connect_timeout_ms;
    famqp_client_status st = famqp_requester_open(c, FAMQP_CBS_NODE, &ro, &c->cbs->req);
    if (st != FAMQP_CLIENT_OK) {
        famqp_client_error e = c->err;
        return client_set_error(c, st, e.condition, e.description, "CBS: could not open the " FAMQP_CBS_NODE
                                " node: %s", e.message);
    }
    return FAMQP_CLIENT_OK;
}

bool client_cbs_address(const char *address)
{
    return address && strcmp(address, FAMQP_CBS_NODE) == 0;
}

static void recompute_due(client_cbs *b)
{
    b->next_due_s = UINT64_MAX;
    for (size_t i = 0; i < b->naud; i++) {
        uint64_t e = b->aud[i].expiry_epoch_s;
        uint64_t due = e > b->margin_s ? e - b->margin_s : 0;
        if (due < b->next_due_s)
            b->next_due_s = due;
    }
}

/* Asks the provider for audience's token and puts it; ERR_AUTH with the
 * provider's reason or the node's status description on refusal. */
static famqp_client_status put_token(famqp_client *c, cbs_audience *a)
{
    client_cbs *b = c->cbs;
    memset(&b->tok, 0, sizeof b->tok);
    if (!b->provider(b->context, a->name, &b->tok)) {
        b->tok.error[sizeof b->tok.error - 1] = '\0';
        return client_set_error(c, FAMQP_CLIENT_ERR_AUTH, NULL, b->tok.error,
                                "CBS: no token for '%s': %s", a->name, b->tok.error[0] ? b->tok.error : "the token provider failed");
    }
    b->tok.type[sizeof b->tok.type - 1] = '\0';
    b->tok.text[sizeof b->tok.text - 1] = '\0';
    const char *type = b->tok.type[0] ? b->tok.type : FAMQP_CBS_TYPE_SAS;
    uint8_t props[1024];
    famqp_message m;
    famqp_message_init(&m);
    famqp_status ms = famqp_cbs_put_token_request(&m, props, sizeof props, type, a->name, b->tok.expiry_epoch_s,
                                                  b->tok.text);
    if (ms != FAMQP_OK)
        return client_set_error(c, ms == FAMQP_ERR_LIMIT ? FAMQP_CLIENT_ERR_ARG : FAMQP_CLIENT_ERR_AUTH, NULL, NULL,
                                ms == FAMQP_ERR_LIMIT ? "CBS: audience '%.200s' too long"
                                                      : "CBS: the token provider gave an empty token for '%.200s'",
                                a->name);
    famqp_response r;
    famqp_client_status st = famqp_request(b->req, &m, b->put_ms, &r);
    memset(b->tok.text, 0, sizeof b->tok.text);
    if (st != FAMQP_CLIENT_OK) {
        famqp_client_error e = c->err;
        return client_set_error(c, st, e.condition, e.description, "CBS: put-token for '%s': %s", a->name,
                                e.message);
    }
    int32_t code = r.status_code;
    char desc[512];
    snprintf(desc, sizeof desc, "%.*s", (int)(r.status_description.len < 500 ? r.status_description.len : 500),
             r.status_description.ptr ? r.status_description.ptr : "");
    famqp_response_release(&r);
    if (code != 200 && code != 202)
        return client_set_error(c, FAMQP_CLIENT_ERR_AUTH, NULL, desc, "CBS: put-token for '%s' refused: status %" PRId32 " %s",
                                a->name, code, desc);
    a->expiry_epoch_s = b->tok.expiry_epoch_s;
    b->puts++;
    recompute_due(b);
    return FAMQP_CLIENT_OK;
}

famqp_client_status client_cbs_authorize(famqp_client *c, const char *address)
{
    client_cbs *b = c->cbs;
    if (!b || !address || client_cbs_address(address))
        return FAMQP_CLIENT_OK;
    if (!b->req)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "CBS: the " FAMQP_CBS_NODE " node is not open");
    size_t n = strlen(b->prefix) + strlen(address) + 1;
    char *name = malloc(n);
    if (!name)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    snprintf(name, n, "%s%s", b->prefix, address);
    for (size_t i = 0; i < b->naud; i++) {
        if (strcmp(b->aud[i].name, name) == 0) {
            free(name);
            return FAMQP_CLIENT_OK; /* put already; refreshes keep it valid */
        }
    }
    if (b->naud == b->capaud) {
        size_t cap = b->capaud ? b->capaud * 2 : 4;
        cbs_audience *grown = realloc(b->aud, cap * sizeof *grown);
        if (!grown) {
            free(name);
            return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        b->aud = grown;
        b->capaud = cap;
    }
    cbs_audience a = {.name = name};
    famqp_client_status st = put_token(c, &a);
    if (st != FAMQP_CLIENT_OK) {
        free(name);
        return st;
    }
    b->aud[b->naud++] = a;
    recompute_due(b);
    return FAMQP_CLIENT_OK;
}

void client_cbs_refresh(famqp_client *c)
{
    client_cbs *b = c->cbs;
    if (!b || !b->req || b->refreshing || c->reconnecting || c->closing || c->failed)
        return;
    uint64_t now = now_s();
    if (now < b->next_due_s)
        return;
    b->refreshing = true;
    for (size_t i = 0; i < b->naud; i++) {
        cbs_audience *a = &b->aud[i];
        if (a->expiry_epoch_s > b->margin_s && now < a->expiry_epoch_s - b->margin_s)
            continue;
        /* A failed refresh is not the waiting call's failure: the token
         * still holds until it expires, and the next call tries again in a
         * second rather than on every pump. */
        famqp_client_error keep = c->err;
        if (put_token(c, a) != FAMQP_CLIENT_OK) {
            b->refresh_failures++;
            c->err = keep;
            b->refreshing = false;
            b->next_due_s = now + 1;
            return;
        }
        c->err = keep;
    }
    b->refreshing = false;
    recompute_due(b);
}

famqp_client_status client_cbs_reput(famqp_client *c)
{
    client_cbs *b = c->cbs;
    if (!b || !b->req)
        return FAMQP_CLIENT_OK;
    for (size_t i = 0; i < b->naud; i++) {
        famqp_client_status st = put_token(c, &b->aud[i]);
        if (st != FAMQP_CLIENT_OK)
            return st;
    }
    return FAMQP_CLIENT_OK;
}

uint64_t famqp_client_cbs_puts(const famqp_client *c) { return c->cbs ? c->cbs->puts : 0; }

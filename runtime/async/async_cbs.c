/* Claims-based security on the asynchronous client (famqp_async_options.cbs):
 * a requester to `$cbs`, one token per audience put on each connection
 * before the links that need it attach (async_link_attach asks
 * async_cbs_allows), refreshed by a timer, put again after a reconnect
 * (the connection's generation changes, so every audience is "not put"
 * on the new one).  Put results and provider failures are reported from
 * the loop (the timer), never from inside the call that opened a link. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "async_internal.h"
#include "famqp/management.h"

enum { CBS_DEFAULT_MARGIN_S = 300, CBS_DEFAULT_PUT_MS = 10000, CBS_RETRY_MS = 1000 };

typedef struct cbs_audience {
    char *name;
    uint64_t expiry_s; /* of the token last put */
    uint64_t put_gen;  /* the connection it was put on (0: none) */
    uint64_t pending_gen;  /* a put in flight on that connection (0: none) */
    uint64_t due_ms;       /* refresh (or retry) at this wall-clock time; 0: none */
    bool failed;           /* a failure to report from the timer */
    int32_t fail_code;
    char fail_desc[256];
} cbs_audience;

struct async_cbs {
    famqp_async_conn *c;
    famqp_cbs_token_provider provider;
    void *context;
    famqp_cbs_sas_provider *sas; /* the built-in provider, when used */
    bool fixed;                  /* a fixed token: no refresh */
    char *prefix;
    uint32_t margin_s;
    int put_ms;
    famqp_async_cbs_fn *on_event;
    void *on_event_arg;
    famqp_async_requester *req;
    famqp_loop_timer *timer;
    cbs_audience *aud;
    size_t naud, capaud;
    uint64_t puts;
    famqp_cbs_token tok; /* the provider's output (8 KiB: kept off the stack) */
};

/* What a put's callback needs: which audience, on which connection. */
typedef struct put_ctx {
    async_cbs *b;
    size_t aud;
    uint64_t gen;
    uint64_t expiry_s;
    bool refresh;
} put_ctx;

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t famqp_async_cbs_puts(const famqp_async_conn *c) { return c->cbs ? c->cbs->puts : 0; }

void async_cbs_free(famqp_async_conn *c)
{
    async_cbs *b = c->cbs;
    if (!b)
        return;
    for (size_t i = 0; i < b->naud; i++)
        free(b->aud[i].name);
    free(b->aud);
    free(b->prefix);
    famqp_loop_timer_free(b->timer);
    famqp_cbs_sas_provider_free(b->sas);
    memset(&b->tok, 0, sizeof b->tok); /* a token is a credential */
    free(b);
    c->cbs = NULL;
}

static void on_timer(famqp_loop_timer *t, void *arg);

famqp_async_status async_cbs_init(famqp_async_conn *c, const famqp_async_options *opts)
{
    const famqp_cbs_options *o = &opts->cbs;
    if (!famqp_cbs_options_wanted(o))
        return FAMQP_ASYNC_OK;
    if (o->put_timeout_ms < -1)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "CBS: put_timeout_ms %d: must be -1, 0 or more",
                            o->put_timeout_ms);
    async_cbs *b = calloc(1, sizeof *b);
    if (!b)
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    c->cbs = b;
    b->c = c;
    b->margin_s = o->refresh_margin_s ? o->refresh_margin_s : CBS_DEFAULT_MARGIN_S;
    b->put_ms = o->put_timeout_ms ? o->put_timeout_ms : CBS_DEFAULT_PUT_MS;
    b->on_event = opts->on_cbs_event;
    b->on_event_arg = opts->on_cbs_event_arg;
    const char *host = c->targets[0].url.host;
    size_t n = o->audience_prefix ? strlen(o->audience_prefix) + 1 : strlen(host) + 8;
    b->prefix = malloc(n);
    if (!b->prefix)
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (o->audience_prefix)
        memcpy(b->prefix, o->audience_prefix, n);
    else
        snprintf(b->prefix, n, "sb://%s/", host);
    if (c->loop && famqp_loop_timer_new(c->loop, on_timer, b, &b->timer) != FAMQP_LOOP_OK)
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    famqp_auth_error e;
    famqp_auth_status as = famqp_cbs_options_provider(o, &b->provider, &b->context, &b->sas, &b->fixed, &e);
    if (as != FAMQP_AUTH_OK)
        return async_refuse(c, as == FAMQP_AUTH_ERR_NOMEM ? FAMQP_ASYNC_ERR_NOMEM : FAMQP_ASYNC_ERR_ARG, "CBS: %s",
                            e.message);
    return FAMQP_ASYNC_OK;
}

famqp_async_status async_cbs_open(famqp_async_conn *c)
{
    async_cbs *b = c->cbs;
    if (!b)
        return FAMQP_ASYNC_OK;
    famqp_async_requester_options ro;
    famqp_async_requester_options_init(&ro);
    ro.max_in_flight = 256;
    ro.timeout_ms = b->put_ms;
    /* In the connection's list: famqp_async_close closes it with the rest. */
    return famqp_async_requester_open(c, FAMQP_CBS_NODE, &ro, &b->req);
}

static void emit(async_cbs *b, famqp_async_cbs_event_type type, const cbs_audience *a, bool refresh, int32_t code,
                 const char *desc)
{
    if (!b->on_event)
        return;
    famqp_async_cbs_event ev = {
        .type = type,
        .audience = a->name,
        .refresh = refresh,
        .status_code = code,
        .description = desc ? desc : "",
        .expiry_epoch_s = type == FAMQP_ASYNC_CBS_PUT ? a->expiry_s : 0,
    };
    b->on_event(b->c, &ev, b->on_event_arg);
}

/* The audience of a link to address (made when new); NULL: out of memory. */
static cbs_audience *audience_of(async_cbs *b, const char *address, size_t *index)
{
    size_t plen = strlen(b->prefix), alen = strlen(address);
    for (size_t i = 0; i < b->naud; i++) {
        const char *n = b->aud[i].name;
        if (strncmp(n, b->prefix, plen) == 0 && strcmp(n + plen, address) == 0) {
            *index = i;
            return &b->aud[i];
        }
    }
    if (b->naud == b->capaud) {
        size_t cap = b->capaud ? b->capaud * 2 : 4;
        cbs_audience *grown = realloc(b->aud, cap * sizeof *grown);
        if (!grown)
            return NULL;
        b->aud = grown;
        b->capaud = cap;
    }
    char *name = malloc(plen + alen + 1);
    if (!name)
        return NULL;
    memcpy(name, b->prefix, plen);
    memcpy(name + plen, address, alen + 1);
    *index = b->naud;
    cbs_audience *a = &b->aud[b->naud++];
    memset(a, 0, sizeof *a);
    a->name = name;
    return a;
}

/* Earliest refresh or retry, or a failure to report: the timer. */
static void schedule(async_cbs *b)
{
    famqp_async_conn *c = b->c;
    uint64_t due = UINT64_MAX;
    for (size_t i = 0; i < b->naud; i++) {
        const cbs_audience *a = &b->aud[i];
        if (a->failed)
            due = 0;
        else if (a->due_ms && a->due_ms < due && a->put_gen == c->gen && c->state == AS_OPEN)
            due = a->due_ms; /* refreshes only while the connection they were put on is open */
    }
    if (due == UINT64_MAX) {
        famqp_loop_timer_stop(b->timer);
        return;
    }
    uint64_t now = wall_ms();
    famqp_loop_timer_start(b->timer, due > now ? due - now : 0);
}

static void on_put(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg);

/* Failure of audience i's put, reported (and its links refused) from the timer. */
static void put_failed_later(async_cbs *b, cbs_audience *a, int32_t code, const char *fmt, const char *what)
{
    a->failed = true;
    a->fail_code = code;
    snprintf(a->fail_desc, sizeof a->fail_desc, fmt, what);
    schedule(b);
}

/* Asks the provider for a's token and puts it on the current connection. */
static void put_token(async_cbs *b, size_t index, bool refresh)
{
    famqp_async_conn *c = b->c;
    cbs_audience *a = &b->aud[index];
    a->pending_gen = c->gen;
    a->due_ms = 0;
    memset(&b->tok, 0, sizeof b->tok);
    if (!b->provider(b->context, a->name, &b->tok)) {
        b->tok.error[sizeof b->tok.error - 1] = '\0';
        a->pending_gen = 0;
        put_failed_later(b, a, -1, "%s", b->tok.error[0] ? b->tok.error : "the token provider failed");
        return;
    }
    b->tok.type[sizeof b->tok.type - 1] = '\0';
    b->tok.text[sizeof b->tok.text - 1] = '\0';
    const char *type = b->tok.type[0] ? b->tok.type : FAMQP_CBS_TYPE_SAS;
    size_t cap = FAMQP_CBS_PUT_TOKEN_PROPERTIES_BYTES(strlen(a->name), strlen(type));
    uint8_t *props = malloc(cap);
    put_ctx *ctx = malloc(sizeof *ctx);
    famqp_message m;
    famqp_message_init(&m);
    famqp_async_status st = FAMQP_ASYNC_ERR_NOMEM;
    if (props && ctx) {
        *ctx = (put_ctx){.b = b, .aud = index, .gen = c->gen, .expiry_s = b->tok.expiry_epoch_s, .refresh = refresh};
        if (famqp_cbs_put_token_request(&m, props, cap, type, a->name, b->tok.expiry_epoch_s, b->tok.text) !=
            FAMQP_OK)
            st = FAMQP_ASYNC_ERR_ARG; /* an empty token */
        else
            st = famqp_async_request(b->req, &m, 0, on_put, ctx, NULL);
    }
    memset(b->tok.text, 0, sizeof b->tok.text);
    free(props);
    if (st == FAMQP_ASYNC_OK)
        return;
    free(ctx);
    a->pending_gen = 0;
    put_failed_later(b, a, -1, "%s",
                     st == FAMQP_ASYNC_ERR_ARG ? "the token provider gave an empty token"
                                               : famqp_async_status_name(st));
}

/* The links to audience index that wait for its token: attach or refuse.
 * The audience is looked up again for each link: a callback (a refused
 * send's) may open links to new audiences, growing the array. */
static void links_of(async_cbs *b, size_t index, bool attach)
{
    famqp_async_conn *c = b->c;
    size_t plen = strlen(b->prefix);
    async_conn_enter(c);
    for (async_link *l = c->links; l && !c->close_called; l = l->next) {
        const char *name = b->aud[index].name;
        if (l->closed || l->refused || l->link || strcmp(name + plen, l->address) != 0)
            continue;
        if (attach) {
            async_link_attach(l);
        } else if (l->kind == ASYNC_SENDER) {
            famqp_async_sender *s = (famqp_async_sender *)l;
            l->refused = true;
            snprintf(s->cond, sizeof s->cond, "amqp:unauthorized-access");
            async_sender_fail_all(s, FAMQP_ASYNC_ERR_REFUSED);
        } else {
            l->refused = true;
        }
    }
    async_conn_leave(c);
}

/* When a's token (valid from now) is to be refreshed. */
static void set_refresh(async_cbs *b, cbs_audience *a)
{
    if (b->fixed)
        return;
    uint64_t now = wall_ms(), exp_ms = a->expiry_s * 1000;
    uint64_t life = exp_ms > now ? exp_ms - now : 0;
    uint64_t margin = (uint64_t)b->margin_s * 1000;
    if (margin > life / 2)
        margin = life / 2;
    a->due_ms = exp_ms > margin ? exp_ms - margin : now;
    if (a->due_ms < now + 500)
        a->due_ms = now + 500; /* never a put storm, whatever the token's life */
}

static void on_put(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    put_ctx ctx = *(put_ctx *)arg;
    free(arg);
    async_cbs *b = ctx.b;
    famqp_async_conn *c = b->c;
    /* A put of a lost connection, or the connection closing: the reconnect
     * puts again; a close needs nothing. */
    if (c->close_called || ctx.gen != c->gen || st == FAMQP_ASYNC_ERR_LOST || st == FAMQP_ASYNC_ERR_CLOSED)
        return;
    cbs_audience *a = &b->aud[ctx.aud];
    a->pending_gen = 0;
    if (st == FAMQP_ASYNC_OK && (resp->status_code == 200 || resp->status_code == 202)) {
        a->put_gen = c->gen;
        a->expiry_s = ctx.expiry_s;
        b->puts++;
        set_refresh(b, a);
        schedule(b);
        emit(b, FAMQP_ASYNC_CBS_PUT, a, ctx.refresh, resp->status_code, NULL);
        links_of(b, ctx.aud, true);
        return;
    }
    char desc[256];
    if (st == FAMQP_ASYNC_OK)
        snprintf(desc, sizeof desc, "%.*s", (int)(resp->status_description.len < 250 ? resp->status_description.len : 250),
                 resp->status_description.ptr ? resp->status_description.ptr : "");
    else if (st == FAMQP_ASYNC_ERR_TIMEOUT)
        snprintf(desc, sizeof desc, "no response within %d ms", b->put_ms);
    else
        snprintf(desc, sizeof desc, "the put-token failed: %s", famqp_async_status_name(st));
    int32_t code = st == FAMQP_ASYNC_OK ? resp->status_code : -1;
    if (ctx.refresh && a->put_gen == c->gen) {
        a->due_ms = wall_ms() + CBS_RETRY_MS; /* the old token holds meanwhile */
        schedule(b);
        emit(b, FAMQP_ASYNC_CBS_REFUSED, a, true, code, desc);
        return;
    }
    /* The links first: the event sees them refused. */
    links_of(b, ctx.aud, false);
    emit(b, FAMQP_ASYNC_CBS_REFUSED, &b->aud[ctx.aud], false, code, desc);
}

static void on_timer(famqp_loop_timer *t, void *arg)
{
    (void)t;
    async_cbs *b = arg;
    famqp_async_conn *c = b->c;
    async_conn_enter(c);
    uint64_t now = wall_ms();
    for (size_t i = 0; i < b->naud && !c->close_called; i++) {
        cbs_audience *a = &b->aud[i];
        if (a->failed) {
            a->failed = false;
            bool refresh = a->put_gen == c->gen;
            if (refresh)
                a->due_ms = now + CBS_RETRY_MS;
            if (!refresh)
                links_of(b, i, false);
            emit(b, FAMQP_ASYNC_CBS_REFUSED, &b->aud[i], refresh, a->fail_code, a->fail_desc);
        } else if (a->due_ms && a->due_ms <= now && a->put_gen == c->gen && c->gen && a->pending_gen != c->gen &&
                   c->state == AS_OPEN) {
            put_token(b, i, true);
        }
    }
    if (!c->close_called)
        schedule(b);
    async_conn_leave(c);
}

bool async_cbs_allows(async_link *l)
{
    famqp_async_conn *c = l->conn;
    async_cbs *b = c->cbs;
    if (!b || strcmp(l->address, FAMQP_CBS_NODE) == 0)
        return true;
    size_t i;
    cbs_audience *a = audience_of(b, l->address, &i);
    if (!a)
        return true; /* out of memory: the peer refuses the link without a token */
    if (a->put_gen == c->gen)
        return true;
    if (a->pending_gen != c->gen)
        put_token(b, i, false);
    return false;
}

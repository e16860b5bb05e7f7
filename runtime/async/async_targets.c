/* The URLs a connection may use (famqp/async.h, famqp_async_reconnect):
 * checked and copied at connect, each with the credentials and SASL
 * mechanisms it is used with and shown without its password; and the
 * reasons famqp_async_options_check gives. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_internal.h"

static void show_url(char *out, size_t cap, const famqp_url *u)
{
    snprintf(out, cap, strchr(u->host, ':') ? "%s://%s%s[%s]:%u" : "%s://%s%s%s:%u", u->tls ? "amqps" : "amqp",
             u->user, u->user[0] ? "@" : "", u->host, (unsigned)u->port);
}

/* Why a connect was refused (famqp_async_options_check says it). */
famqp_async_status async_refuse(famqp_async_conn *c, famqp_async_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return st;
}

static famqp_async_status target_setup(famqp_async_conn *c, size_t i, const char *user, const char *password,
                                       const famqp_async_options *o)
{
    async_target *t = &c->targets[i];
    if (!async_dup(&t->user, user) || !async_dup(&t->password, password))
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (o->sasl_mechanisms == FAMQP_ASYNC_NO_SASL)
        t->sasl_mechanisms = 0;
    else if (o->sasl_mechanisms)
        t->sasl_mechanisms = o->sasl_mechanisms;
    else
        t->sasl_mechanisms = user ? FAMQP_SASL_PLAIN : FAMQP_SASL_ANONYMOUS;
    show_url(t->shown, sizeof t->shown, &t->url);
    /* PLAIN puts the password on the wire as it is: only inside TLS, or
     * when the application says so (as the blocking client). */
    if ((t->sasl_mechanisms & FAMQP_SASL_PLAIN) && !t->url.tls && !o->allow_plain_insecure)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG,
                      "%s: refusing SASL PLAIN over unencrypted amqp://: the password would cross the network in "
                      "clear text; use amqps://, or set allow_plain_insecure",
                      i ? "a failover URL" : "the URL");
    return FAMQP_ASYNC_OK;
}

famqp_async_status async_targets_init(famqp_async_conn *c, const char *url, const famqp_async_options *o)
{
    const famqp_async_reconnect *p = &o->reconnect;
    size_t extra = p->failover_url_count;
    if (extra && !p->failover_urls)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_url_count is %zu but failover_urls is NULL",
                            extra);
    if (extra > FAMQP_ASYNC_MAX_FAILOVER_URLS)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls: %zu given, at most %d", extra,
                      FAMQP_ASYNC_MAX_FAILOVER_URLS);
    if (extra && !p->max_attempts)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG,
                      "reconnect.failover_urls given but reconnect.max_attempts is 0: failover happens when "
                      "reconnecting");
    c->targets = calloc(1 + extra, sizeof *c->targets);
    if (!c->targets)
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    c->ntargets = 1 + extra;
    famqp_io_error err;
    async_target *first = &c->targets[0];
    if (!famqp_url_parse(url, &first->url, &err))
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "%s", err.message);
    const char *user = o->user ? o->user : (first->url.user[0] ? first->url.user : NULL);
    const char *password = o->password ? o->password : first->url.password;
    famqp_async_status st = target_setup(c, 0, user, password, o);
    for (size_t i = 1; i <= extra && st == FAMQP_ASYNC_OK; i++) {
        async_target *t = &c->targets[i];
        if (!p->failover_urls[i - 1])
            return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls[%zu] is NULL", i - 1);
        if (!famqp_url_parse(p->failover_urls[i - 1], &t->url, &err))
            return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls[%zu]: %s", i - 1, err.message);
        st = t->url.user[0] ? target_setup(c, i, t->url.user, t->url.password, o)
                            : target_setup(c, i, user, password, o);
    }
    return st;
}

void async_target_use(famqp_async_conn *c, size_t i)
{
    async_target *t = &c->targets[i];
    c->cur = i;
    c->copts.hostname = t->url.host;
    c->copts.sasl_username = t->user;
    c->copts.sasl_password = t->password;
    c->copts.sasl_mechanisms = t->sasl_mechanisms;
}

static void wipe(char *s)
{
    for (volatile char *q = s; q && *q; q++)
        *q = 0;
}

void async_targets_free(famqp_async_conn *c)
{
    for (size_t i = 0; c->targets && i < c->ntargets; i++) {
        free(c->targets[i].user);
        wipe(c->targets[i].password);
        free(c->targets[i].password);
        wipe(c->targets[i].url.password);
    }
    free(c->targets);
    c->targets = NULL;
    c->ntargets = 0;
}

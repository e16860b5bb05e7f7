/* The URLs a client may connect to (client.h, famqp_reconnect_policy):
 * checked and copied at connect, so a bad one fails the connect rather
 * than a failover; each kept with the credentials and SASL mechanisms it
 * is used with, and shown without its password. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

const char *famqp_client_url(const famqp_client *c) { return c->targets[c->cur].shown; }
size_t famqp_client_url_index(const famqp_client *c) { return c->cur; }

static bool unreserved(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '.' || ch == '_' || ch == '~';
}

/* amqp[s]://[user@]host:port, the user percent-encoded again so that the
 * text parses back to the same URL (without the password). */
static void show_url(char *out, size_t cap, const famqp_url *u)
{
    size_t n = (size_t)snprintf(out, cap, "%s://", u->tls ? "amqps" : "amqp");
    if (u->user[0]) {
        for (const char *p = u->user; *p && n + 4 < cap; p++) {
            unsigned char ch = (unsigned char)*p;
            if (unreserved(ch))
                out[n++] = (char)ch;
            else
                n += (size_t)snprintf(out + n, cap - n, "%%%02X", ch);
        }
        if (n + 1 < cap)
            out[n++] = '@';
    }
    if (n < cap)
        snprintf(out + n, cap - n, strchr(u->host, ':') ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
}

/* Credentials, mechanisms and the PLAIN-without-TLS refusal of target i. */
static famqp_client_status target_setup(famqp_client *c, size_t i, const char *user, const char *password,
                                        const famqp_client_options *opts)
{
    client_target *t = &c->targets[i];
    if (!client_dup(&t->user, user) || !client_dup(&t->password, password))
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    if (opts->sasl_mechanisms == FAMQP_CLIENT_NO_SASL)
        t->sasl_mechanisms = 0;
    else if (opts->sasl_mechanisms)
        t->sasl_mechanisms = opts->sasl_mechanisms;
    else
        t->sasl_mechanisms = user && !client_cbs_wanted(opts) ? FAMQP_SASL_PLAIN : FAMQP_SASL_ANONYMOUS;
    show_url(t->shown, sizeof t->shown, &t->url);
    /* PLAIN puts the password on the wire as it is: only inside TLS, or
     * when the application says so. */
    if ((t->sasl_mechanisms & FAMQP_SASL_PLAIN) && !t->url.tls && !opts->allow_plain_insecure) {
        char which[64] = "";
        if (i)
            snprintf(which, sizeof which, "reconnect.failover_urls[%zu]: ", i - 1);
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "%srefusing SASL PLAIN over unencrypted amqp:// to %s:%u: the password would cross "
                                "the network in clear text; use amqps://, or allow it explicitly "
                                "(allow_plain_insecure; --allow-plain-insecure)",
                                which, t->url.host, (unsigned)t->url.port);
    }
    return FAMQP_CLIENT_OK;
}

famqp_client_status client_targets_init(famqp_client *c, const char *url, const famqp_client_options *opts)
{
    const famqp_reconnect_policy *p = &opts->reconnect;
    size_t extra = p->failover_url_count;
    if (extra && !p->failover_urls)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "reconnect.failover_url_count is %zu but reconnect.failover_urls is NULL", extra);
    if (extra > FAMQP_CLIENT_MAX_FAILOVER_URLS)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "reconnect.failover_urls: %zu URLs given, at most %d are allowed", extra,
                                FAMQP_CLIENT_MAX_FAILOVER_URLS);
    if (extra && !p->max_attempts)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "reconnect.failover_urls given but reconnect.max_attempts is 0: failover happens "
                                "when reconnecting, so set max_attempts");
    c->targets = calloc(1 + extra, sizeof *c->targets);
    if (!c->targets)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    c->ntargets = 1 + extra;

    famqp_io_error ioerr = {0};
    client_target *first = &c->targets[0];
    if (!url || !famqp_url_parse(url, &first->url, &ioerr))
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "%s", url ? ioerr.message : "no URL given");
    const char *user = opts->user ? opts->user : (first->url.user[0] ? first->url.user : NULL);
    const char *password = opts->password ? opts->password : first->url.password;
    famqp_client_status st = target_setup(c, 0, user, password, opts);
    for (size_t i = 1; i <= extra && st == FAMQP_CLIENT_OK; i++) {
        client_target *t = &c->targets[i];
        const char *text = p->failover_urls[i - 1];
        if (!text)
            return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "reconnect.failover_urls[%zu] is NULL",
                                    i - 1);
        if (strnlen(text, FAMQP_CLIENT_MAX_URL_BYTES + 1) > FAMQP_CLIENT_MAX_URL_BYTES)
            return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                    "reconnect.failover_urls[%zu] is longer than %d bytes", i - 1,
                                    FAMQP_CLIENT_MAX_URL_BYTES);
        if (!famqp_url_parse(text, &t->url, &ioerr))
            return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "reconnect.failover_urls[%zu]: %s", i - 1,
                                    ioerr.message);
        /* Its own credentials when it names a user, else the first URL's. */
        st = t->url.user[0] ? target_setup(c, i, t->url.user, t->url.password, opts)
                            : target_setup(c, i, user, password, opts);
    }
    return st;
}

void client_targets_free(famqp_client *c)
{
    for (size_t i = 0; i < c->ntargets; i++) {
        client_target *t = &c->targets[i];
        free(t->user);
        /* Overwritten before freeing (volatile: not optimised away). */
        for (volatile char *q = t->password; q && *q; q++)
            *q = 0;
        free(t->password);
        for (volatile char *q = t->url.password; *q; q++)
            *q = 0;
    }
    free(c->targets);
    c->targets = NULL;
    c->ntargets = 0;
}

void client_target_use(famqp_client *c, size_t i)
{
    client_target *t = &c->targets[i];
    c->cur = i;
    c->copts.hostname = t->url.host;
    c->copts.sasl_username = t->user;
    c->copts.sasl_password = t->password;
    c->copts.sasl_mechanisms = t->sasl_mechanisms;
}

void client_failover_notify(famqp_client *c, bool reconnected, size_t old_index, const famqp_client_error *lost,
                            uint32_t attempts)
{
    if (!c->policy.on_reconnect)
        return;
    famqp_reconnect_info info = {
        .reconnected = reconnected,
        .old_url = c->targets[old_index].shown,
        .new_url = reconnected ? c->targets[c->cur].shown : "",
        .old_index = old_index,
        .new_index = reconnected ? c->cur : old_index,
        .reason = lost->message,
        .condition = lost->condition,
        .attempts = attempts,
        .reconnects = c->reconnects,
    };
    c->policy.on_reconnect(c->policy.on_reconnect_context, &info);
}

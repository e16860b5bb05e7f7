/* Connecting: client options (the URLs and their credentials are
 * client_failover.c's), opening the connection and
 * session (the first time and on every reconnect attempt), closing and
 * freeing the client. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_internal.h"

void famqp_client_options_init(famqp_client_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->trace = -1;
    famqp_io_options_init(&o->io);
    o->reconnect.max_attempts = 0;
    o->reconnect.initial_backoff_ms = 100;
    o->reconnect.max_backoff_ms = 5000;
    o->max_send_delay_us = FAMQP_CLIENT_DEFAULT_SEND_DELAY_US;
}

famqp_connection *famqp_client_connection(const famqp_client *c) { return c->conn; }

static bool ready(void *arg)
{
    famqp_client *c = arg;
    return c->remote_open && c->remote_begin;
}

static void client_free(famqp_client *c)
{
    client_links_free(c);
    client_cbs_free(c);
    famqp_io_free(c->io);
    if (c->conn)
        famqp_connection_free(c->conn);
    for (size_t i = 0; i < c->nretired; i++)
        famqp_connection_free(c->retired[i]);
    free(c->retired);
    client_targets_free(c);
    free(c->ca_file);
    free(c->server_name);
    free(c->cert_file);
    free(c->key_file);
    famqp_options_copy_free(c->copts_block);
    free(c);
}

static famqp_client_status connect_fail(famqp_client *c, famqp_client_status st, famqp_client_error *err)
{
    if (err)
        *err = c->err;
    client_free(c);
    return st;
}

bool client_dup(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

famqp_client_status client_open_connection(famqp_client *c)
{
    famqp_io_error ioerr = {0};
    c->remote_open = c->remote_begin = c->remote_closed = c->authenticated = false;
    c->failed = false;
    famqp_engine_status es = famqp_connection_new(&c->copts, &c->conn);
    if (es != FAMQP_ENGINE_OK)
        return client_set_error(c, client_engine_status(es), NULL, NULL,
                                es == FAMQP_ENGINE_ERR_NOMEM ? "out of memory creating the connection"
                                                             : "invalid connection options");
    const famqp_url *url = &c->targets[c->cur].url;
    c->io = famqp_io_connect(url, &c->iopts, c->conn, &ioerr);
    if (!c->io)
        return client_set_error(c, client_io_status(ioerr.status), NULL, NULL, "%s", ioerr.message);
    es = famqp_session_new(c->conn, &c->session);
    if (es == FAMQP_ENGINE_OK)
        es = famqp_connection_open(c->conn);
    if (es == FAMQP_ENGINE_OK)
        es = famqp_session_open(c->session);
    if (es != FAMQP_ENGINE_OK)
        return client_set_error(c, client_engine_status(es), NULL, NULL, "could not open the connection: %s",
                                famqp_engine_status_name(es));
    famqp_client_status st = client_wait(c, client_deadline(c->iopts.connect_timeout_ms), ready, c);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        client_set_error(c, st, NULL, NULL, "timed out opening the AMQP connection to %s:%u", url->host,
                         (unsigned)url->port);
    return st;
}

famqp_client_status famqp_client_connect(const char *url_text, const famqp_client_options *opts,
                                         famqp_client **out, famqp_client_error *err)
{
    /* Atomic: separate clients may connect on separate threads at once. */
    static atomic_uint counter;
    *out = NULL;
    famqp_client_options defaults;
    if (!opts) {
        famqp_client_options_init(&defaults);
        opts = &defaults;
    }
    famqp_client *c = calloc(1, sizeof *c);
    if (!c) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->status = FAMQP_CLIENT_ERR_NOMEM;
            client_copy(err->message, sizeof err->message, "out of memory");
        }
        return FAMQP_CLIENT_ERR_NOMEM;
    }
    famqp_client_status st = client_targets_init(c, url_text, opts);
    if (st != FAMQP_CLIENT_OK)
        return connect_fail(c, st, err);
    if (opts->container_id)
        client_copy(c->container_id, sizeof c->container_id, opts->container_id);
    else
        snprintf(c->container_id, sizeof c->container_id, "famqp-%ld-%u", (long)getpid(),
                 atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1);

    famqp_connection_options *co = &c->copts;
    famqp_connection_options_init(co);
    co->role = FAMQP_CONNECTION_CLIENT;
    co->container_id = c->container_id;
    co->trace = opts->trace;
    if (opts->idle_timeout_ms)
        co->idle_timeout_ms = opts->idle_timeout_ms;
    if (opts->max_frame_size)
        co->max_frame_size = opts->max_frame_size;
    client_target_use(c, 0); /* hostname and credentials: the first URL's */
    c->iopts = opts->io;
    c->iopts.connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000; /* -1: no limit */
    if (!client_dup(&c->ca_file, opts->io.tls_ca_file) || !client_dup(&c->server_name, opts->io.tls_server_name) ||
        !client_dup(&c->cert_file, opts->io.tls_cert_file) || !client_dup(&c->key_file, opts->io.tls_key_file)) {
        client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        return connect_fail(c, FAMQP_CLIENT_ERR_NOMEM, err);
    }
    char why[256];
    co->properties = opts->properties;
    co->offered_capabilities = opts->offered_capabilities;
    co->desired_capabilities = opts->desired_capabilities;
    if (famqp_connection_options_check(co, why, sizeof why) != FAMQP_ENGINE_OK) {
        client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "%s", why);
        return connect_fail(c, FAMQP_CLIENT_ERR_ARG, err);
    }
    if (famqp_connection_options_copy(co, co, &c->copts_block) != FAMQP_ENGINE_OK) {
        client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        return connect_fail(c, FAMQP_CLIENT_ERR_NOMEM, err);
    }
    c->iopts.tls_ca_file = c->ca_file;
    c->iopts.tls_server_name = c->server_name;
    c->iopts.tls_cert_file = c->cert_file;
    c->iopts.tls_key_file = c->key_file;
    c->linger_us = opts->max_send_delay_us;
    c->policy = opts->reconnect;
    c->policy.failover_urls = NULL; /* the caller's: copied into c->targets */
    c->policy.failover_url_count = 0;
    if (!c->policy.initial_backoff_ms)
        c->policy.initial_backoff_ms = 1;
    if (c->policy.max_backoff_ms < c->policy.initial_backoff_ms)
        c->policy.max_backoff_ms = c->policy.initial_backoff_ms;

    st = client_cbs_init(c, opts);
    if (st != FAMQP_CLIENT_OK)
        return connect_fail(c, st, err);
    st = client_open_connection(c);
    if (st == FAMQP_CLIENT_OK)
        st = client_cbs_open(c);
    if (st != FAMQP_CLIENT_OK)
        return connect_fail(c, st, err);
    c->established = true;
    if (err)
        memset(err, 0, sizeof *err);
    *out = c;
    return FAMQP_CLIENT_OK;
}

static bool finished(void *arg)
{
    famqp_client *c = arg;
    return famqp_connection_finished(c->conn);
}

famqp_client_status famqp_client_close(famqp_client *c, int timeout_ms)
{
    if (!c)
        return FAMQP_CLIENT_OK;
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (!c->failed) {
        c->closing = true;
        famqp_connection_close(c->conn, NULL, NULL);
        st = client_wait(c, client_deadline(timeout_ms), finished, c);
        if (st == FAMQP_CLIENT_OK && c->failed && c->fail_status != FAMQP_CLIENT_OK)
            st = c->fail_status;
    } else if (c->io) {
        famqp_io_flush(c->io, 0);
    }
    client_free(c);
    return st;
}

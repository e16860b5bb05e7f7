/* The socket driver over real sockets on 127.0.0.1: an engine client sends
 * to the threaded test server (plain TCP and TLS), and connection errors
 * read as what happened.  The client tests run twice (Check loop tests):
 * _i 0 connects with famqp_io_connect (blocking), _i 1 with
 * famqp_io_connect_start (the connect and TLS handshake in the pumps). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/io.h"
#include "io_test_server.h"

/* How run_client connects (set by each test from its loop index). */
static bool use_connect_start;

/* Sends n messages of size bytes (unsettled) through url; returns how many
 * were accepted, or -1 with the reason in why. */
static long run_client(const char *url_text, const famqp_io_options *io_opts, long n, size_t size, bool sasl,
                       char *why, size_t why_cap)
{
    famqp_url url;
    famqp_io_error err;
    why[0] = '\0';
    if (!famqp_url_parse(url_text, &url, &err)) {
        snprintf(why, why_cap, "%s", err.message);
        return -1;
    }
    famqp_connection_options co;
    famqp_connection_options_init(&co);
    co.hostname = url.host;
    co.sasl_mechanisms = sasl ? FAMQP_SASL_ANONYMOUS : 0;
    famqp_connection *c;
    famqp_connection_new(&co, &c);
    famqp_io *io = use_connect_start ? famqp_io_connect_start(&url, io_opts, c, &err)
                                     : famqp_io_connect(&url, io_opts, c, &err);
    if (!io) {
        snprintf(why, why_cap, "%s", err.message);
        famqp_connection_free(c);
        return -1;
    }
    famqp_connection_open(c);
    famqp_session *s;
    famqp_session_new(c, &s);
    famqp_session_open(s);
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    lo.target_address = url.address[0] ? url.address : "q";
    famqp_link *l;
    famqp_link_new(s, "sender", FAMQP_LINK_SENDER, &lo, &l);
    famqp_link_open(l);

    uint8_t *body = malloc(size);
    long sent = 0, accepted = 0;
    bool closing = false;
    uint64_t deadline = famqp_io_now_ms() + 30000;
    while (!famqp_io_done(io)) {
        const famqp_event *e;
        while ((e = famqp_connection_next_event(c))) {
            if (e->type == FAMQP_EVENT_DELIVERY_UPDATED &&
                famqp_delivery_remote_state(e->delivery).kind == FAMQP_OUTCOME_ACCEPTED)
                accepted++;
            if (e->type == FAMQP_EVENT_CONNECTION_ERROR)
                snprintf(why, why_cap, "%s: %s", e->condition.name,
                         e->condition.description ? e->condition.description : "");
        }
        while (sent < n && famqp_link_credit(l) > 0) {
            uint32_t seq = (uint32_t)sent;
            uint8_t tag[4] = {(uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq};
            io_test_body(body, size, seq);
            if (famqp_link_send(l, famqp_binary_of(tag, 4), body, size, false, NULL) != FAMQP_ENGINE_OK)
                break;
            sent++;
        }
        if (accepted == n && !closing) {
            famqp_connection_close(c, NULL, NULL);
            closing = true;
        }
        int left = famqp_io_ms_until(deadline);
        if (left == 0) {
            snprintf(why, why_cap, "timeout: sent %ld accepted %ld", sent, accepted);
            break;
        }
        if (famqp_io_pump(io, left > 100 ? 100 : left) == FAMQP_IO_ERR_FAILED) {
            snprintf(why, why_cap, "%s", famqp_io_error_message(io));
            break;
        }
    }
    const famqp_event *e;
    while ((e = famqp_connection_next_event(c)))
        if (e->type == FAMQP_EVENT_CONNECTION_ERROR && !why[0])
            snprintf(why, why_cap, "%s: %s", e->condition.name,
                     e->condition.description ? e->condition.description : "");
    if (!why[0] && accepted < n)
        snprintf(why, why_cap, "connection ended (%s) after %ld of %ld accepted",
                 famqp_io_status_name(famqp_io_state(io)), accepted, n);
    free(body);
    famqp_io_free(io);
    famqp_connection_free(c);
    return why[0] ? -1 : accepted;
}

static void url_of(char *buf, size_t cap, const char *scheme, const char *host, io_test_server *srv)
{
    snprintf(buf, cap, "%s://%s:%u/q", scheme, host, (unsigned)famqp_listener_port(srv->listener));
}

START_TEST(loopback_plain)
{
    use_connect_start = _i == 1;
    io_test_server srv;
    ck_assert_msg(io_test_server_start(&srv, NULL, NULL), "%s", srv.last_error);
    ck_assert_uint_ne(famqp_listener_port(srv.listener), 0);
    char url[128], why[512];
    url_of(url, sizeof url, "amqp", "127.0.0.1", &srv);
    long got = run_client(url, NULL, 3000, 700, false, why, sizeof why);
    ck_assert_msg(got == 3000, "plain: %ld accepted: %s", got, why);
    /* SASL ANONYMOUS and messages larger than a frame (multi-frame). */
    got = run_client(url, NULL, 20, 300000, true, why, sizeof why);
    ck_assert_msg(got == 20, "sasl/large: %ld accepted: %s", got, why);
    io_test_server_stop(&srv);
    ck_assert_int_eq(srv.received, 3020);
    ck_assert_int_eq(srv.out_of_order, 0);
    ck_assert_int_eq(srv.bytes, 3000 * 700 + 20 * 300000);
    ck_assert_int_eq(srv.accepted_connections, 2);
    ck_assert_int_eq(srv.closed_connections, 2);
}
END_TEST

START_TEST(connect_refused)
{
    use_connect_start = _i == 1;
    /* A port that was just free: open and close a listener on it. */
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert_msg(l != NULL, "%s", err.message);
    unsigned port = famqp_listener_port(l);
    famqp_listener_close(l);
    char url[64], why[512];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", port);
    ck_assert_int_eq(run_client(url, NULL, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "connect to 127.0.0.1:") && strstr(why, "Connection refused"), "got '%s'", why);
}
END_TEST

START_TEST(resolve_failure)
{
    use_connect_start = _i == 1;
    char why[512];
    ck_assert_int_eq(run_client("amqp://no-such-host.invalid:5672", NULL, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "cannot resolve host 'no-such-host.invalid'"), "got '%s'", why);
}
END_TEST

START_TEST(listener_errors)
{
    famqp_io_error err;
    famqp_listener *a = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert(a != NULL);
    char hp[64];
    snprintf(hp, sizeof hp, "127.0.0.1:%u", (unsigned)famqp_listener_port(a));
    /* SO_REUSEADDR does not allow two listeners on one port. */
    famqp_listener *b = famqp_listener_open_hostport(hp, NULL, &err);
    ck_assert(b == NULL);
    ck_assert_msg(strstr(err.message, "Address already in use"), "got '%s'", err.message);
    famqp_listener_close(a);
    ck_assert(famqp_listener_open_hostport("127.0.0.1", NULL, &err) == NULL);
    ck_assert_msg(strstr(err.message, "expected HOST:PORT"), "got '%s'", err.message);
    ck_assert(famqp_listener_open_hostport("127.0.0.1:x", NULL, &err) == NULL);
    ck_assert_msg(strstr(err.message, "port must be a number"), "got '%s'", err.message);
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    lo.tls_cert_file = "/nonexistent/cert.pem";
    lo.tls_key_file = "/nonexistent/key.pem";
    ck_assert(famqp_listener_open("127.0.0.1", 0, &lo, &err) == NULL);
    ck_assert_msg(strstr(err.message, "cannot load certificate '/nonexistent/cert.pem'"), "got '%s'", err.message);
}
END_TEST

/* ---- TLS (certificates made by tests/io/make_certs.sh) ------------------- */

static char certs[512];
static char ca_file[600], other_ca[600], srv_cert[600], srv_key[600];

static void tls_setup(void)
{
    snprintf(certs, sizeof certs, "%s", FAMQP_IO_CERT_DIR);
    snprintf(ca_file, sizeof ca_file, "%s/ca.pem", certs);
    snprintf(other_ca, sizeof other_ca, "%s/other-ca.pem", certs);
    snprintf(srv_cert, sizeof srv_cert, "%s/server.pem", certs);
    snprintf(srv_key, sizeof srv_key, "%s/server.key", certs);
}

START_TEST(tls_verified)
{
    use_connect_start = _i == 1;
    tls_setup();
    io_test_server srv;
    ck_assert_msg(io_test_server_start(&srv, srv_cert, srv_key), "%s", srv.last_error);
    famqp_io_options o;
    famqp_io_options_init(&o);
    o.tls_ca_file = ca_file;
    char url[128], why[512];
    url_of(url, sizeof url, "amqps", "localhost", &srv);
    long got = run_client(url, &o, 2000, 500, true, why, sizeof why);
    ck_assert_msg(got == 2000, "amqps localhost: %ld: %s", got, why);
    /* The certificate also names 127.0.0.1 (an IP SAN). */
    url_of(url, sizeof url, "amqps", "127.0.0.1", &srv);
    got = run_client(url, &o, 5, 200000, false, why, sizeof why);
    ck_assert_msg(got == 5, "amqps 127.0.0.1: %ld: %s", got, why);
    io_test_server_stop(&srv);
    ck_assert_int_eq(srv.received, 2005);
    ck_assert_int_eq(srv.out_of_order, 0);
}
END_TEST

START_TEST(tls_refused_by_default)
{
    use_connect_start = _i == 1;
    tls_setup();
    io_test_server srv;
    ck_assert_msg(io_test_server_start(&srv, srv_cert, srv_key), "%s", srv.last_error);
    char url[128], why[512];
    url_of(url, sizeof url, "amqps", "localhost", &srv);
    famqp_io_options o;

    /* Wrong host name. */
    famqp_io_options_init(&o);
    o.tls_ca_file = ca_file;
    o.tls_server_name = "wrong.example";
    ck_assert_int_eq(run_client(url, &o, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "TLS handshake with localhost:") && strstr(why, "certificate verify failed") &&
                      strstr(why, "hostname mismatch"),
                  "wrong host: '%s'", why);

    /* A CA that did not sign the server certificate. */
    famqp_io_options_init(&o);
    o.tls_ca_file = other_ca;
    ck_assert_int_eq(run_client(url, &o, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "certificate verify failed") && strstr(why, "local issuer"), "unknown CA: '%s'", why);

    /* The system store does not know the test CA either. */
    ck_assert_int_eq(run_client(url, NULL, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "certificate verify failed"), "system store: '%s'", why);

    /* Plain AMQP to a TLS listener fails instead of hanging. */
    url_of(url, sizeof url, "amqp", "127.0.0.1", &srv);
    famqp_io_options_init(&o);
    o.connect_timeout_ms = 5000;
    ck_assert_int_eq(run_client(url, &o, 1, 10, false, why, sizeof why), -1);
    ck_assert_msg(why[0] != '\0', "no reason given");

    /* The explicit opt-out accepts anything. */
    url_of(url, sizeof url, "amqps", "localhost", &srv);
    famqp_io_options_init(&o);
    o.tls_ca_file = other_ca;
    o.tls_server_name = "wrong.example";
    o.tls_insecure = true;
    long got = run_client(url, &o, 10, 100, false, why, sizeof why);
    ck_assert_msg(got == 10, "insecure: %ld: %s", got, why);
    io_test_server_stop(&srv);
    ck_assert_int_eq(srv.received, 10);
}
END_TEST

TCase *io_socket_tcase(void)
{
    TCase *tc = tcase_create("socket");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, loopback_plain, 0, 2);
    tcase_add_loop_test(tc, connect_refused, 0, 2);
    tcase_add_loop_test(tc, resolve_failure, 0, 2);
    tcase_add_test(tc, listener_errors);
    tcase_add_loop_test(tc, tls_verified, 0, 2);
    tcase_add_loop_test(tc, tls_refused_by_default, 0, 2);
    return tc;
}

/* famqp-broker --sas-key (claims-based security), from flatamqp's client:
 *   1. a token from the SAS provider: send and receive through "hub"
 *   2. a wrong key: the put-token is answered 401 with the reason
 *   3. no token: the attach is refused with amqp:unauthorized-access
 *   4. a token for another entity does not cover "hub"; a namespace token
 *      ("sb://HOST/") covers "hub/Partitions/0"
 *   5. a fixed token that expires in 2 s: the receiver is detached with
 *      amqp:unauthorized-access once it has
 *   6. requests the $cbs node refuses: another operation (400), a JWT (401)
 * Each prints "ok N"; the first failure ends the run with exit 1.
 *   usage: broker-cbs-check URL KEY_NAME KEY */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/auth.h>
#include <famqp/client.h>
#include <famqp/management.h>
#include <famqp/request.h>

#include "broker_check.h"

static const char *url, *key_name, *key;


static famqp_client *connect_with(const famqp_client_options *o)
{
    famqp_client *c;
    famqp_client_error err;
    famqp_client_status st = famqp_client_connect(url, o, &c, &err);
    CHECK(st == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

static void send_receive(void)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    famqp_cbs_use_sas(&o, key_name, key, 0);
    famqp_client *c = connect_with(&o);
    famqp_sender *s;
    famqp_receiver *r;
    CHECK(famqp_sender_open(c, "hub", NULL, &s) == FAMQP_CLIENT_OK, "%s", famqp_client_last_error(c)->message);
    CHECK(famqp_receiver_open(c, "hub", NULL, &r) == FAMQP_CLIENT_OK, "%s", famqp_client_last_error(c)->message);
    for (int i = 0; i < 10; i++) {
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_string(&m, "event");
        famqp_outcome out;
        CHECK(famqp_send(s, &m, 10000, &out) == FAMQP_CLIENT_OK && out.kind == FAMQP_OUTCOME_ACCEPTED, "send %d", i);
    }
    for (int i = 0; i < 10; i++) {
        famqp_delivery *d;
        CHECK(famqp_receive(r, 10000, &d) == FAMQP_CLIENT_OK, "receive %d", i);
        famqp_delivery_accept(d);
    }
    famqp_client_close(c, 5000);
    printf("ok 1: a SAS token put to $cbs, 10 messages through 'hub'\n");
}

static void wrong_key(void)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    famqp_cbs_use_sas(&o, key_name, "not-the-key", 0);
    famqp_client *c = connect_with(&o);
    famqp_sender *s;
    famqp_client_status st = famqp_sender_open(c, "hub", NULL, &s);
    const char *msg = famqp_client_last_error(c)->message;
    CHECK(st == FAMQP_CLIENT_ERR_AUTH, "status %s", famqp_client_status_name(st));
    CHECK(strstr(msg, "401") && strstr(msg, "the signature does not match"), "message: %s", msg);
    printf("ok 2: a wrong key: %s\n", msg);
    famqp_client_close(c, 5000);
}

static void expect_refused(famqp_client *c, const char *addr, bool sender)
{
    famqp_client_status st;
    if (sender) {
        famqp_sender *s;
        st = famqp_sender_open(c, addr, NULL, &s);
    } else {
        famqp_receiver *r;
        st = famqp_receiver_open(c, addr, NULL, &r);
    }
    const famqp_client_error *e = famqp_client_last_error(c);
    CHECK(st == FAMQP_CLIENT_ERR_REFUSED && !strcmp(e->condition, "amqp:unauthorized-access"),
          "%s: status %s, condition '%s'", addr, famqp_client_status_name(st), e->condition);
}

static void no_token(void)
{
    famqp_client *c = connect_with(NULL);
    expect_refused(c, "hub", true);
    expect_refused(c, "hub", false);
    printf("ok 3: no token: %s\n", famqp_client_last_error(c)->message);
    famqp_client_close(c, 5000);
}

/* A client with one fixed token for audience, expiring at expiry. */
static famqp_client *with_token(const char *audience, uint64_t expiry, char *buf, size_t cap)
{
    CHECK(famqp_sas_token(audience, key_name, key, expiry, buf, cap, NULL, NULL) == FAMQP_AUTH_OK, "token");
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.cbs.sas_token = buf;
    return connect_with(&o);
}

static void coverage(void)
{
    char tok[1024];
    uint64_t later = (uint64_t)time(NULL) + 3600;
    famqp_client *c = with_token("sb://127.0.0.1/other", later, tok, sizeof tok);
    expect_refused(c, "hub", true);
    famqp_client_close(c, 5000);
    c = with_token("sb://127.0.0.1/hu", later, tok, sizeof tok);
    expect_refused(c, "hub", true); /* a prefix of the name is not the entity */
    famqp_client_close(c, 5000);
    c = with_token("sb://127.0.0.1/", later, tok, sizeof tok);
    famqp_sender *s;
    CHECK(famqp_sender_open(c, "hub/Partitions/0", NULL, &s) == FAMQP_CLIENT_OK, "%s",
          famqp_client_last_error(c)->message);
    famqp_client_close(c, 5000);
    printf("ok 4: tokens cover their entity and what is below it, nothing else\n");
}

static void expiry(void)
{
    char tok[1024];
    famqp_client *c = with_token("sb://127.0.0.1/hub", (uint64_t)time(NULL) + 2, tok, sizeof tok);
    famqp_receiver *r;
    CHECK(famqp_receiver_open(c, "hub", NULL, &r) == FAMQP_CLIENT_OK, "%s", famqp_client_last_error(c)->message);
    famqp_delivery *d = NULL;
    famqp_client_status st = FAMQP_CLIENT_ERR_TIMEOUT;
    for (int i = 0; i < 10 && st == FAMQP_CLIENT_ERR_TIMEOUT; i++)
        st = famqp_receive(r, 1000, &d);
    const famqp_client_error *e = famqp_client_last_error(c);
    CHECK(st == FAMQP_CLIENT_ERR_REFUSED && !strcmp(e->condition, "amqp:unauthorized-access") &&
              strstr(e->description, "expired"),
          "status %s, %s", famqp_client_status_name(st), e->message);
    printf("ok 5: detached when its token expired: %s\n", e->message);
    famqp_client_close(c, 5000);
}

static int32_t put(famqp_requester *q, const char *operation, const char *type, const char *token, char *desc,
                   size_t cap)
{
    uint8_t buf[512];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, sizeof buf);
    famqp_map_builder_put_string(&b, "operation", operation);
    famqp_map_builder_put_string(&b, "type", type);
    famqp_map_builder_put_string(&b, "name", "sb://127.0.0.1/hub");
    famqp_message m;
    famqp_message_init(&m);
    CHECK(famqp_message_set_map(&m, &b) == FAMQP_OK, "map");
    famqp_message_set_string(&m, token);
    famqp_response resp;
    CHECK(famqp_request(q, &m, 10000, &resp) == FAMQP_CLIENT_OK, "request");
    int32_t code = resp.status_code;
    snprintf(desc, cap, "%.*s", (int)resp.status_description.len, resp.status_description.ptr);
    famqp_response_release(&resp);
    return code;
}

static void refusals(void)
{
    famqp_client *c = connect_with(NULL);
    famqp_requester *q;
    CHECK(famqp_requester_open(c, "$cbs", NULL, &q) == FAMQP_CLIENT_OK, "%s", famqp_client_last_error(c)->message);
    char desc[300];
    int32_t code = put(q, "delete-token", "servicebus.windows.net:sastoken", "x", desc, sizeof desc);
    CHECK(code == 400 && strstr(desc, "put-token"), "%d %s", code, desc);
    code = put(q, "put-token", "jwt", "eyJ", desc, sizeof desc);
    CHECK(code == 401 && strstr(desc, "'jwt' is not accepted"), "%d %s", code, desc);
    /* Microsoft's Python SDKs put SAS tokens as type jwt: taken as SAS. */
    char sas[512];
    CHECK(famqp_sas_token("sb://127.0.0.1/hub", key_name, key, (uint64_t)time(NULL) + 600, sas, sizeof sas, NULL,
                          NULL) == FAMQP_AUTH_OK,
          "token");
    code = put(q, "put-token", "jwt", sas, desc, sizeof desc);
    CHECK(code == 200, "a SAS token put with type jwt: %d %s", code, desc);
    code = put(q, "put-token", "servicebus.windows.net:sastoken", "SharedAccessSignature sr=x", desc, sizeof desc);
    CHECK(code == 401 && strstr(desc, "no 'sig' field"), "%d %s", code, desc);
    famqp_requester_close(q, 5000);
    famqp_client_close(c, 5000);
    printf("ok 6: requests the $cbs node refuses: 400, 401 with reasons; a SAS token as jwt taken\n");
}

/* max_in_flight requests kept in flight (the oldest waited for, a new one
 * started): the node must always have credit to answer all of them. */
static void pipelined(void)
{
    enum { IN_FLIGHT = 50, TOTAL = 500 };
    famqp_client *c = connect_with(NULL);
    famqp_requester_options o;
    famqp_requester_options_init(&o);
    o.max_in_flight = IN_FLIGHT;
    famqp_requester *q;
    CHECK(famqp_requester_open(c, "$cbs", &o, &q) == FAMQP_CLIENT_OK, "%s", famqp_client_last_error(c)->message);
    uint64_t ids[IN_FLIGHT];
    for (int k = 0; k < TOTAL + IN_FLIGHT; k++) {
        if (k >= IN_FLIGHT) {
            famqp_response r;
            famqp_client_status st = famqp_request_wait(q, ids[k % IN_FLIGHT], 5000, &r);
            CHECK(st == FAMQP_CLIENT_OK && r.status_code == 200, "request %d: %s, status %d", k - IN_FLIGHT,
                  famqp_client_last_error(c)->message, st == FAMQP_CLIENT_OK ? (int)r.status_code : -1);
            famqp_response_release(&r);
        }
        if (k >= TOTAL)
            continue;
        char token[512];
        uint64_t se = (uint64_t)time(NULL) + 600;
        CHECK(famqp_sas_token("sb://127.0.0.1/hub", key_name, key, se, token, sizeof token, NULL, NULL) ==
                  FAMQP_AUTH_OK,
              "token");
        famqp_message m;
        famqp_message_init(&m);
        uint8_t props[256];
        CHECK(famqp_cbs_put_token_request(&m, props, sizeof props, FAMQP_CBS_TYPE_SAS, "sb://127.0.0.1/hub", se,
                                          token) == FAMQP_OK,
              "put-token request");
        CHECK(famqp_request_start(q, &m, 5000, &ids[k % IN_FLIGHT]) == FAMQP_CLIENT_OK, "%s",
              famqp_client_last_error(c)->message);
    }
    famqp_requester_close(q, 5000);
    famqp_client_close(c, 5000);
    printf("ok 7: %d put-tokens with %d always in flight, every one answered\n", TOTAL, IN_FLIGHT);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL KEY_NAME KEY\n", argv[0]);
        return 2;
    }
    url = argv[1];
    key_name = argv[2];
    key = argv[3];
    send_receive();
    wrong_key();
    no_token();
    coverage();
    expiry();
    refusals();
    pipelined();
    return 0;
}

/* famqp-props-check URL: our client against a peer that checks what we
 * send and answers with its own values (tests/interop/props_peer.py, a
 * Qpid Proton peer).  Sets connection properties and capabilities, a
 * dynamic receiver with a selector and a session filter, expiry policy,
 * timeout, durability, node properties, link properties and terminus
 * capabilities, and a sender with its own; then reads back every value the
 * peer set on its open and attaches.  Prints one line per mismatch; exits
 * 0 when all matched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("famqp-props-check: FAILED: " __VA_ARGS__);                                                        \
            putchar('\n');                                                                                             \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static void check_syms(const char *what, famqp_symbols got, const char *const *want, uint32_t n)
{
    CHECK(got.count == n, "%s: %u symbols, want %u", what, (unsigned)got.count, (unsigned)n);
    for (uint32_t i = 0; i < n && i < got.count; i++)
        CHECK(strcmp(got.items[i], want[i]) == 0, "%s[%u]: \"%s\", want \"%s\"", what, (unsigned)i, got.items[i],
              want[i]);
}

static void check_str(const char *what, famqp_map m, const char *key, const char *want)
{
    famqp_value v;
    famqp_string s = {0};
    bool ok = famqp_map_get_symbol_key(&m, key, &v) && famqp_value_get_string(v, &s);
    CHECK(ok && famqp_string_eq(s, want), "%s: %s is \"%.*s\", want \"%s\"", what, key, (int)s.len,
          s.ptr ? s.ptr : "", want);
}

static famqp_map fields(uint8_t *buf, size_t cap, const char *key, const char *value)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_cstring(famqp_fields_key(&b, key), value);
    famqp_map m = {0};
    if (famqp_fields_finish(&b, &m) != FAMQP_OK)
        CHECK(false, "fields map for %s does not fit", key);
    return m;
}

static void check_link(const char *what, famqp_link *l, const char *answer)
{
    CHECK(l != NULL, "%s: no link", what);
    if (!l)
        return;
    check_str(what, famqp_link_remote_properties(l), "peer-link", answer);
    static const char *const src[] = {"peer-src-cap"};
    static const char *const tgt[] = {"peer-tgt-cap-1", "peer-tgt-cap-2"};
    check_syms("remote source capabilities", famqp_link_remote_source_capabilities(l), src, 1);
    check_syms("remote target capabilities", famqp_link_remote_target_capabilities(l), tgt, 2);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-props-check URL\n");
        return 2;
    }
    static const char *const offered[] = {"famqp-offered-1", "famqp-offered-2"};
    static const char *const desired[] = {"famqp-desired"};
    uint8_t cbuf[128];
    famqp_fields_builder cb;
    famqp_fields_init(&cb, cbuf, sizeof cbuf);
    famqp_write_cstring(famqp_fields_key(&cb, "product"), "famqp-props-check");
    famqp_write_int(famqp_fields_key(&cb, "famqp-n"), 7);
    famqp_client_options co;
    famqp_client_options_init(&co);
    if (famqp_fields_finish(&cb, &co.properties) != FAMQP_OK)
        return 2;
    co.offered_capabilities = (famqp_symbols){offered, 2};
    co.desired_capabilities = (famqp_symbols){desired, 1};
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], &co, &c, &err) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: connect: %s\n", err.message);
        return 1;
    }
    /* The peer's connection fields. */
    famqp_connection *conn = famqp_client_connection(c);
    famqp_map props = famqp_connection_remote_properties(conn);
    check_str("connection properties", props, "product", "proton-peer");
    famqp_value v;
    int64_t n = 0;
    CHECK(famqp_map_get_symbol_key(&props, "peer-n", &v) && famqp_value_get_long(v, &n) && n == 42,
          "connection properties: peer-n is %lld, want 42", (long long)n);
    static const char *const peer_offered[] = {"peer-offered"};
    static const char *const peer_desired[] = {"peer-desired-1", "peer-desired-2"};
    check_syms("remote offered-capabilities", famqp_connection_remote_offered_capabilities(conn), peer_offered, 1);
    check_syms("remote desired-capabilities", famqp_connection_remote_desired_capabilities(conn), peer_desired, 2);

    /* A dynamic receiver with every terminus option and two filters. */
    static const char *const queue_cap[] = {"queue"};
    uint8_t rprops[64], node[64], filter[256];
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.dynamic = true;
    ro.durable = 2;
    ro.link.expiry_policy = "never";
    ro.link.timeout = 30;
    ro.link.properties = fields(rprops, sizeof rprops, "role", "receiver");
    ro.link.source_capabilities = (famqp_symbols){queue_cap, 1};
    famqp_fields_builder nb;
    famqp_fields_init(&nb, node, sizeof node);
    famqp_write_csymbol(famqp_fields_key(&nb, "lifetime-policy"), "delete-on-close");
    CHECK(famqp_fields_finish(&nb, &ro.link.dynamic_node_properties) == FAMQP_OK, "node properties do not fit");
    famqp_filter_set_builder fb;
    famqp_filter_set_init(&fb, filter, sizeof filter);
    famqp_filter_set_put_selector(&fb, "color = 'red'");
    famqp_filter_set_put_session(&fb, "order-17");
    CHECK(famqp_filter_set_finish(&fb, &ro.filter) == FAMQP_OK, "filter does not fit");
    famqp_receiver *r;
    if (famqp_receiver_open(c, NULL, &ro, &r) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: receiver: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    CHECK(famqp_receiver_address(r) && strcmp(famqp_receiver_address(r), "dyn-peer-1") == 0,
          "dynamic address \"%s\", want dyn-peer-1", famqp_receiver_address(r) ? famqp_receiver_address(r) : "");
    famqp_link *rl = famqp_receiver_link(r);
    check_link("receiver", rl, "answer-receiver");
    if (rl) {
        famqp_value sel;
        famqp_map f = famqp_link_remote_filter(rl);
        CHECK(famqp_map_get_symbol_key(&f, "selector", &sel), "the peer's source has no selector filter");
    }

    /* A sender with target capabilities, durability and expiry. */
    static const char *const topic_caps[] = {"topic", "shared"};
    uint8_t sprops[64];
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.durable = 1;
    so.link.expiry_policy = "link-detach";
    so.link.properties = fields(sprops, sizeof sprops, "role", "sender");
    so.link.target_capabilities = (famqp_symbols){topic_caps, 2};
    famqp_sender *s;
    if (famqp_sender_open(c, "props-q", &so, &s) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: sender: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    check_link("sender", famqp_sender_link(s), "answer-sender");
    famqp_client_close(c, 5000);
    if (failures)
        return 1;
    printf("famqp-props-check: the peer's connection and 2 links read, ok\n");
    return 0;
}

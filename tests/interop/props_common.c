/* Shared values and checks of the properties interop checks. */
#include "props_common.h"

#include <string.h>

int props_failures;
const char *props_program = "props-check";
const char *const props_offered[2] = {"famqp-offered-1", "famqp-offered-2"};
const char *const props_desired[1] = {"famqp-desired"};

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

famqp_map props_connection_properties(uint8_t *buf, size_t cap)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_cstring(famqp_fields_key(&b, "product"), "famqp-props-check");
    famqp_write_int(famqp_fields_key(&b, "famqp-n"), 7);
    famqp_map m = {0};
    CHECK(famqp_fields_finish(&b, &m) == FAMQP_OK, "connection properties do not fit");
    return m;
}

famqp_map props_fields(uint8_t *buf, size_t cap, const char *key, const char *value)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_cstring(famqp_fields_key(&b, key), value);
    famqp_map m = {0};
    CHECK(famqp_fields_finish(&b, &m) == FAMQP_OK, "fields map for %s does not fit", key);
    return m;
}

famqp_map props_node_properties(uint8_t *buf, size_t cap)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_csymbol(famqp_fields_key(&b, "lifetime-policy"), "delete-on-close");
    famqp_map m = {0};
    CHECK(famqp_fields_finish(&b, &m) == FAMQP_OK, "node properties do not fit");
    return m;
}

famqp_map props_filter(uint8_t *buf, size_t cap)
{
    famqp_filter_set_builder b;
    famqp_filter_set_init(&b, buf, cap);
    famqp_filter_set_put_selector(&b, "color = 'red'");
    famqp_filter_set_put_session(&b, "order-17");
    famqp_map m = {0};
    CHECK(famqp_filter_set_finish(&b, &m) == FAMQP_OK, "filter does not fit");
    return m;
}

void props_check_connection(famqp_connection *conn)
{
    CHECK(conn != NULL, "no connection");
    if (!conn)
        return;
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
}

void props_check_link(const char *what, famqp_link *l, const char *answer)
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

void props_check_receiver(famqp_link *l, const char *address)
{
    CHECK(address && strcmp(address, "dyn-peer-1") == 0, "dynamic address \"%s\", want dyn-peer-1",
          address ? address : "");
    props_check_link("receiver", l, "answer-receiver");
    if (l) {
        famqp_value sel;
        famqp_map f = famqp_link_remote_filter(l);
        CHECK(famqp_map_get_symbol_key(&f, "selector", &sel), "the peer's source has no selector filter");
    }
}

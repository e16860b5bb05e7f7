/* famqp_connection_string_*: parsing into views, the derived AMQP URL,
 * audience and token, every error with its message, and mutated strings. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "famqp/auth.h"
#include "famqp_test_assert.h"

#define KEY "gYBAavmsqJ0vmsBh8JAUPyHfh9FkYvRzU3XzjSfS6B4="

static void view_eq(famqp_string v, const char *expect)
{
    ck_assert_msg(v.len == strlen(expect) && memcmp(v.ptr ? v.ptr : "", expect, v.len) == 0,
                  "view '%.*s' is not '%s'", (int)v.len, v.ptr ? v.ptr : "", expect);
}

static void url_eq(const famqp_connection_string *cs, const char *expect)
{
    char out[256];
    size_t len = 0;
    ck_assert_int_eq(famqp_connection_string_amqp_url(cs, out, sizeof out, &len, NULL), FAMQP_AUTH_OK);
    ck_assert_str_eq(out, expect);
    ck_assert_uint_eq(len, strlen(expect));
}

static void audience_eq(const famqp_connection_string *cs, const char *expect)
{
    char out[256];
    ck_assert_int_eq(famqp_connection_string_audience(cs, out, sizeof out, NULL, NULL), FAMQP_AUTH_OK);
    ck_assert_str_eq(out, expect);
}

START_TEST(full)
{
    const char *text = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
                       "SharedAccessKey=" KEY ";EntityPath=hub";
    famqp_connection_string cs;
    famqp_auth_error err;
    ck_assert_int_eq(famqp_connection_string_parse(text, &cs, &err), FAMQP_AUTH_OK);
    ck_assert_int_eq(err.status, FAMQP_AUTH_OK);
    ck_assert_str_eq(err.message, "");
    view_eq(cs.endpoint, "sb://ns.servicebus.windows.net/");
    view_eq(cs.host, "ns.servicebus.windows.net");
    ck_assert_uint_eq(cs.port, 5671);
    ck_assert(!cs.port_given);
    view_eq(cs.shared_access_key_name, "RootManageSharedAccessKey");
    view_eq(cs.shared_access_key, KEY); /* the trailing '=' kept */
    view_eq(cs.shared_access_signature, "");
    view_eq(cs.entity_path, "hub");
    ck_assert(!cs.use_development_emulator);
    /* views into the text, not copies */
    ck_assert(cs.endpoint.ptr > text && cs.endpoint.ptr < text + strlen(text));
    url_eq(&cs, "amqps://ns.servicebus.windows.net:5671");
    audience_eq(&cs, "sb://ns.servicebus.windows.net/hub");
    /* the token: famqp_sas_token over the audience, made by core-amqp too */
    char token[512], direct[512];
    ck_assert_int_eq(famqp_connection_string_token(&cs, 1700000000, token, sizeof token, NULL, NULL), FAMQP_AUTH_OK);
    ck_assert_str_eq(token, "SharedAccessSignature sr=sb%3A%2F%2Fns.servicebus.windows.net%2Fhub"
                            "&sig=y0mRKbXS6vgau4RVYtEhB%2BrS4MwB%2BqdJwV1ivic%2FEG0%3D&se=1700000000"
                            "&skn=RootManageSharedAccessKey");
    ck_assert_int_eq(famqp_sas_token("sb://ns.servicebus.windows.net/hub", "RootManageSharedAccessKey", KEY,
                                     1700000000, direct, sizeof direct, NULL, NULL),
                     FAMQP_AUTH_OK);
    ck_assert_str_eq(token, direct);
}
END_TEST

START_TEST(layout_tolerance)
{
    /* whitespace around entries, keys and values; '=' in values; empty
     * entries; any key case; unknown keys ignored */
    const char *text = " \tendpoint = sb://NS.example:1234 ;; SHAREDACCESSKEYNAME=  a name ;"
                       "sharedaccesskey=k==;=;entitypath=q/Subscriptions/s;TransportType=Amqp;Foo=;";
    famqp_connection_string cs;
    ck_assert_int_eq(famqp_connection_string_parse(text, &cs, NULL), FAMQP_AUTH_ERR_ARG); /* "=;" has no key */
    text = " \tendpoint = sb://NS.example:1234 ;; SHAREDACCESSKEYNAME=  a name ;"
           "sharedaccesskey=k==;entitypath=q/Subscriptions/s;TransportType=Amqp;Foo=;\n";
    famqp_auth_error err;
    ck_assert_int_eq(famqp_connection_string_parse(text, &cs, &err), FAMQP_AUTH_OK);
    view_eq(cs.endpoint, "sb://NS.example:1234");
    view_eq(cs.host, "NS.example");
    ck_assert_uint_eq(cs.port, 1234);
    ck_assert(cs.port_given);
    view_eq(cs.shared_access_key_name, "a name");
    view_eq(cs.shared_access_key, "k==");
    view_eq(cs.entity_path, "q/Subscriptions/s");
    url_eq(&cs, "amqps://NS.example:1234");
    audience_eq(&cs, "sb://NS.example:1234/q/Subscriptions/s"); /* a '/' added, case kept */
}
END_TEST

START_TEST(emulator)
{
    famqp_connection_string cs;
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;"
                                                   "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
                                                   &cs, NULL),
                     FAMQP_AUTH_OK);
    ck_assert(cs.use_development_emulator);
    ck_assert_uint_eq(cs.port, 5672);
    url_eq(&cs, "amqp://localhost:5672");
    audience_eq(&cs, "sb://localhost/");
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://127.0.0.1:6765/;SharedAccessKeyName=n;"
                                                   "SharedAccessKey=k;UseDevelopmentEmulator=TRUE;EntityPath=eh",
                                                   &cs, NULL),
                     FAMQP_AUTH_OK);
    url_eq(&cs, "amqp://127.0.0.1:6765");
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://[::1]:5673/;SharedAccessKeyName=n;"
                                                   "SharedAccessKey=k;UseDevelopmentEmulator=true",
                                                   &cs, NULL),
                     FAMQP_AUTH_OK);
    view_eq(cs.host, "::1");
    url_eq(&cs, "amqp://[::1]:5673");
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://[fe80::1];SharedAccessKeyName=n;"
                                                   "SharedAccessKey=k;UseDevelopmentEmulator=False",
                                                   &cs, NULL),
                     FAMQP_AUTH_OK);
    ck_assert(!cs.use_development_emulator);
    url_eq(&cs, "amqps://[fe80::1]:5671");
}
END_TEST

START_TEST(shared_access_signature)
{
    const char *text = "Endpoint=sb://ns/;SharedAccessSignature=SharedAccessSignature sr=a&sig=b%3D&se=1&skn=c;"
                       "EntityPath=hub";
    famqp_connection_string cs;
    ck_assert_int_eq(famqp_connection_string_parse(text, &cs, NULL), FAMQP_AUTH_OK);
    view_eq(cs.shared_access_signature, "SharedAccessSignature sr=a&sig=b%3D&se=1&skn=c");
    view_eq(cs.shared_access_key, "");
    char token[256];
    size_t len;
    ck_assert_int_eq(famqp_connection_string_token(&cs, 99, token, sizeof token, &len, NULL), FAMQP_AUTH_OK);
    ck_assert_str_eq(token, "SharedAccessSignature sr=a&sig=b%3D&se=1&skn=c");
    ck_assert_uint_eq(len, strlen(token));
}
END_TEST

typedef struct bad_case {
    const char *text;
    const char *message;
} bad_case;

static const bad_case bad_cases[] = {
    {"", "connection string is empty"},
    {" ; ;\t;", "connection string is empty"},
    {"SharedAccessKeyName=n;SharedAccessKey=k", "connection string: key 'Endpoint' is missing"},
    {"Endpoint=sb://ns/;Garbage", "connection string: entry 'Garbage' is not Key=Value"},
    {"Endpoint=sb://ns/; =v", "connection string: entry '=v' has no key"},
    {"Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=k;endpoint=sb://other/",
     "connection string: key 'Endpoint' is given twice"},
    {"Endpoint=sb://ns/;SharedAccessKeyName= ;SharedAccessKey=k",
     "connection string: key 'SharedAccessKeyName' has an empty value"},
    {"Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=k;EntityPath=",
     "connection string: key 'EntityPath' has an empty value"},
    {"Endpoint=;SharedAccessKeyName=n;SharedAccessKey=k", "connection string: key 'Endpoint' has an empty value"},
    {"Endpoint=sb://ns/;SharedAccessKeyName=n",
     "connection string: key 'SharedAccessKeyName' is given without 'SharedAccessKey'"},
    {"Endpoint=sb://ns/;SharedAccessKey=k",
     "connection string: key 'SharedAccessKey' is given without 'SharedAccessKeyName'"},
    {"Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=k;SharedAccessSignature=SharedAccessSignature sr=a",
     "connection string: keys 'SharedAccessKey' and 'SharedAccessSignature' exclude each other"},
    {"Endpoint=sb://ns/;EntityPath=hub",
     "connection string: no credentials: give 'SharedAccessKeyName' and 'SharedAccessKey', or "
     "'SharedAccessSignature'"},
    {"Endpoint=sb://ns/;SharedAccessSignature=sr=a&sig=b",
     "connection string: key 'SharedAccessSignature' must hold a whole token, 'SharedAccessSignature sr=...'"},
    {"Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=k;UseDevelopmentEmulator=yes",
     "connection string: key 'UseDevelopmentEmulator' must be true or false, not 'yes'"},
    {"Endpoint=https://ns/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': unknown scheme 'https' (use sb://HOST/)"},
    {"Endpoint=ns.servicebus.windows.net;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': 'ns.servicebus.windows.net' is not sb://HOST/"},
    {"Endpoint=sb:/ns/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': 'sb:/ns/' is not sb://HOST/"},
    {"Endpoint=sb:///;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': no host in 'sb:///'"},
    {"Endpoint=sb://:5671/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': no host in 'sb://:5671/'"},
    {"Endpoint=sb://ns:0/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': port '0' is not a number from 1 to 65535"},
    {"Endpoint=sb://ns:65536/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': port '65536' is not a number from 1 to 65535"},
    {"Endpoint=sb://ns:99999999999999999999/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': port '99999999999999999999' is not a number from 1 to 65535"},
    {"Endpoint=sb://ns:/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': port '' is not a number from 1 to 65535"},
    {"Endpoint=sb://ns/hub;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': unexpected 'hub' after the host (the entity goes in EntityPath)"},
    {"Endpoint=sb://user@ns/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': unexpected '@ns/' after the host (the entity goes in EntityPath)"},
    {"Endpoint=sb://[::1/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': '[' without ']' in 'sb://[::1/'"},
    {"Endpoint=sb://[nope]/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': 'nope' is not an IPv6 address"},
    {"Endpoint=sb://[]/;SharedAccessKeyName=n;SharedAccessKey=k",
     "connection string: key 'Endpoint': no host in 'sb://[]/'"},
    /* long values are cut in messages */
    {"Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=k;UseDevelopmentEmulator="
     "0123456789012345678901234567890123456789012345678901234567890123456789",
     "connection string: key 'UseDevelopmentEmulator' must be true or false, not "
     "'012345678901234567890123456789012345678901234567890123456789...'"},
};

START_TEST(errors)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        famqp_connection_string cs;
        memset(&cs, 0x5a, sizeof cs);
        famqp_auth_error err;
        famqp_auth_status st = famqp_connection_string_parse(bad_cases[i].text, &cs, &err);
        ck_assert_msg(st == FAMQP_AUTH_ERR_ARG, "'%s' parsed (status %d)", bad_cases[i].text, (int)st);
        ck_assert_int_eq(err.status, FAMQP_AUTH_ERR_ARG);
        ck_assert_str_eq(err.message, bad_cases[i].message);
        /* nothing half-filled */
        static const famqp_connection_string zero;
        ck_assert_int_eq(memcmp(&cs, &zero, sizeof cs), 0);
        /* the derived calls refuse a failed parse */
        char out[16] = "x";
        ck_assert_int_eq(famqp_connection_string_amqp_url(&cs, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
        ck_assert_int_eq(famqp_connection_string_audience(&cs, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
        ck_assert_int_eq(famqp_connection_string_token(&cs, 1, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
        ck_assert_str_eq(out, "");
    }
}
END_TEST

START_TEST(null_arguments)
{
    famqp_connection_string cs;
    famqp_auth_error err;
    ck_assert_int_eq(famqp_connection_string_parse(NULL, &cs, &err), FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(err.message, "connection string is NULL");
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://a/", NULL, &err), FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(err.message, "connection string: out is NULL");
    char out[8];
    ck_assert_int_eq(famqp_connection_string_amqp_url(NULL, out, sizeof out, NULL, &err), FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(err.message, "connection string: no parsed connection string");
    ck_assert_int_eq(famqp_connection_string_audience(NULL, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
    ck_assert_int_eq(famqp_connection_string_token(NULL, 1, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
}
END_TEST

START_TEST(buffers_too_small)
{
    famqp_connection_string cs;
    ck_assert_int_eq(famqp_connection_string_parse("Endpoint=sb://ns.example/;SharedAccessKeyName=n;"
                                                   "SharedAccessKey=k;EntityPath=hub",
                                                   &cs, NULL),
                     FAMQP_AUTH_OK);
    const char *url = "amqps://ns.example:5671", *aud = "sb://ns.example/hub";
    char out[64];
    size_t len = 0;
    famqp_auth_error err;
    ck_assert_int_eq(famqp_connection_string_amqp_url(&cs, NULL, 0, &len, &err), FAMQP_AUTH_ERR_SPACE);
    ck_assert_uint_eq(len, strlen(url));
    ck_assert_str_eq(err.message, "AMQP URL needs 24 bytes (with the NUL), the buffer has 0");
    memset(out, 'x', sizeof out);
    ck_assert_int_eq(famqp_connection_string_amqp_url(&cs, out, strlen(url), &len, NULL), FAMQP_AUTH_ERR_SPACE);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(out[strlen(url)], 'x');
    ck_assert_int_eq(famqp_connection_string_audience(&cs, out, strlen(aud), &len, &err), FAMQP_AUTH_ERR_SPACE);
    ck_assert_uint_eq(len, strlen(aud));
    ck_assert_str_eq(err.message, "SAS audience needs 20 bytes (with the NUL), the buffer has 19");
    ck_assert_int_eq(famqp_connection_string_token(&cs, 1, out, sizeof out, &len, NULL), FAMQP_AUTH_ERR_SPACE);
    char token[256];
    size_t need = len;
    ck_assert_int_eq(famqp_connection_string_token(&cs, 1, token, sizeof token, &len, NULL), FAMQP_AUTH_OK);
    ck_assert_uint_eq(len, need);
}
END_TEST

/* Mutated strings (a fixed-seed generator: bytes replaced, inserted,
 * removed, cut): nothing crashes, every answer is OK or ERR_ARG with a
 * message, and a success holds views inside the text with a host and a
 * usable URL and audience. */
START_TEST(mutations)
{
    static const char *const seeds[] = {
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=" KEY ";EntityPath=hub",
        "Endpoint=sb://[::1]:5672/;SharedAccessKeyName=n;SharedAccessKey=k;UseDevelopmentEmulator=true",
        "Endpoint=sb://ns/;SharedAccessSignature=SharedAccessSignature sr=a&sig=b&se=1&skn=c",
    };
    static const char alphabet[] = "=;: /[]@\t\xc3\xa9\x80sbSB0123456789aZ";
    uint32_t rng = 2463534242u;
    unsigned ok = 0, refused = 0;
    for (int round = 0; round < 30000; round++) {
        char text[256];
        const char *seed = seeds[round % 3];
        size_t n = strlen(seed);
        memcpy(text, seed, n + 1);
        int edits = 1 + (int)(rng % 4);
        for (int e = 0; e < edits; e++) {
            rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
            size_t at = rng % (n + 1);
            char c = alphabet[(rng >> 8) % (sizeof alphabet - 1)];
            switch ((rng >> 16) % 4) {
            case 0: if (at < n) text[at] = c; break;
            case 1: if (n + 1 < sizeof text) { memmove(text + at + 1, text + at, n - at + 1); text[at] = c; n++; } break;
            case 2: if (at < n) { memmove(text + at, text + at + 1, n - at); n--; } break;
            default: text[at] = '\0'; n = at; break;
            }
        }
        famqp_connection_string cs;
        famqp_auth_error err;
        famqp_auth_status st = famqp_connection_string_parse(text, &cs, &err);
        if (st == FAMQP_AUTH_ERR_ARG) {
            REQUIRE(err.message[0] != '\0', "no message for '%s'", text);
            refused++;
            continue;
        }
        REQUIRE(st == FAMQP_AUTH_OK, "status %d for '%s'", (int)st, text);
        ok++;
        REQUIRE(cs.host.len > 0 && cs.host.ptr >= text && cs.host.ptr + cs.host.len <= text + n, "host of '%s'", text);
        REQUIRE(cs.endpoint.ptr >= text && cs.endpoint.ptr + cs.endpoint.len <= text + n, "endpoint of '%s'", text);
        REQUIRE(cs.port > 0, "port of '%s'", text);
        char url[512], aud[512], token[2048];
        REQUIRE(famqp_connection_string_amqp_url(&cs, url, sizeof url, NULL, NULL) == FAMQP_AUTH_OK, "url of '%s'", text);
        REQUIRE(famqp_connection_string_audience(&cs, aud, sizeof aud, NULL, NULL) == FAMQP_AUTH_OK, "aud of '%s'", text);
        famqp_auth_status ts = famqp_connection_string_token(&cs, 1, token, sizeof token, NULL, &err);
        /* a mutated key or name may be no longer UTF-8 */
        REQUIRE(ts == FAMQP_AUTH_OK || (ts == FAMQP_AUTH_ERR_ARG && strstr(err.message, "not valid UTF-8")),
                "token of '%s': %s", text, err.message);
    }
    ck_assert_uint_gt(ok, 1000);
    ck_assert_uint_gt(refused, 1000);
}
END_TEST

TCase *connection_string_tcase(void)
{
    TCase *tc = tcase_create("connection_string");
    tcase_add_test(tc, full);
    tcase_add_test(tc, layout_tolerance);
    tcase_add_test(tc, emulator);
    tcase_add_test(tc, shared_access_signature);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, buffers_too_small);
    tcase_add_test(tc, mutations);
    return tc;
}

/* famqp_sas_token: vectors made by Microsoft's @azure/core-amqp 4.5.1
 * (createSasTokenProvider(...).getToken with the clock fixed), the first
 * also by `openssl dgst -sha256 -hmac`; buffer sizes; every error. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "famqp/auth.h"

typedef struct vector {
    const char *uri, *key_name, *key;
    uint64_t expiry;
    const char *token;
} vector;

static const vector vectors[] = {
    {"sb://a/b", "name", "key", 1700000000,
     "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=jyOyRWMIxD22QWwsstFKNaWpgGO044TafSD%2FXx3dRCQ%3D&se=1700000000"
     "&skn=name"},
    /* non-ASCII key name, key and URI; a space and '+' in the URI */
    {"sb://ns/\xc3\xa9v\xc3\xa9nements/a b+c", "cl\xc3\xa9", "\xe9\x8d\xb5\xf0\x9f\x94\x91", 4102444800u,
     "SharedAccessSignature sr=sb%3A%2F%2Fns%2F%C3%A9v%C3%A9nements%2Fa%20b%2Bc"
     "&sig=guoc9es05k%2Bm9uUHYVfPv9ovcnlMHIDA5Ge%2FEDUePj0%3D&se=4102444800&skn=cl%C3%A9"},
    /* a base64-looking key is used as text, not decoded */
    {"sb://ns.servicebus.windows.net/hub", "RootManageSharedAccessKey", "gYBAavmsqJ0vmsBh8JAUPyHfh9FkYvRzU3XzjSfS6B4=",
     1700000000,
     "SharedAccessSignature sr=sb%3A%2F%2Fns.servicebus.windows.net%2Fhub"
     "&sig=y0mRKbXS6vgau4RVYtEhB%2BrS4MwB%2BqdJwV1ivic%2FEG0%3D&se=1700000000&skn=RootManageSharedAccessKey"},
    /* reserved characters everywhere, expiry 0 */
    {"sb://ns/x?y=1&z=2#frag", "p+q/r=s", "+/=", 0,
     "SharedAccessSignature sr=sb%3A%2F%2Fns%2Fx%3Fy%3D1%26z%3D2%23frag"
     "&sig=Lh5Rf14IkJh3hZSA9KDHD8haeQWNXUBR9Wp9y%2B2IDEE%3D&se=0&skn=p%2Bq%2Fr%3Ds"},
};

START_TEST(known_vectors)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        char out[512];
        size_t len = 0;
        famqp_auth_error err;
        ck_assert_int_eq(famqp_sas_token(v->uri, v->key_name, v->key, v->expiry, out, sizeof out, &len, &err),
                         FAMQP_AUTH_OK);
        ck_assert_str_eq(out, v->token);
        ck_assert_uint_eq(len, strlen(v->token));
        ck_assert_int_eq(err.status, FAMQP_AUTH_OK);
        ck_assert_str_eq(err.message, "");
    }
}
END_TEST

/* encodeURIComponent keeps exactly A-Z a-z 0-9 - _ . ! ~ * ' ( ), and
 * percent-encodes every other byte with upper-case hex. */
START_TEST(uri_encoding)
{
    char uri[200], expect[800];
    size_t u = 0, e = 0;
    for (int c = 1; c < 128; c++)
        uri[u++] = (char)c;
    uri[u] = '\0';
    for (int c = 1; c < 128; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.!~*'()", c))
            expect[e++] = (char)c;
        else
            e += (size_t)sprintf(expect + e, "%%%02X", c);
    }
    expect[e] = '\0';
    char out[2048];
    ck_assert_int_eq(famqp_sas_token(uri, "n", "k", 1, out, sizeof out, NULL, NULL), FAMQP_AUTH_OK);
    const char *sr = out + strlen("SharedAccessSignature sr=");
    ck_assert_int_eq(strncmp(sr, expect, e), 0);
    ck_assert_int_eq(strncmp(sr + e, "&sig=", 5), 0);
}
END_TEST

START_TEST(key_name_encoded)
{
    char out[512];
    ck_assert_int_eq(famqp_sas_token("sb://x/", "a b/c\xc3\xa9", "k", 1, out, sizeof out, NULL, NULL), FAMQP_AUTH_OK);
    const char *skn = strstr(out, "&skn=");
    ck_assert_ptr_nonnull(skn);
    ck_assert_str_eq(skn, "&skn=a%20b%2Fc%C3%A9");
}
END_TEST

START_TEST(expiry_extremes)
{
    char out[512];
    ck_assert_int_eq(famqp_sas_token("sb://x/", "n", "k", UINT64_MAX, out, sizeof out, NULL, NULL), FAMQP_AUTH_OK);
    ck_assert_ptr_nonnull(strstr(out, "&se=18446744073709551615&skn=n"));
    /* the expiry is signed: another expiry, another signature */
    char other[512];
    ck_assert_int_eq(famqp_sas_token("sb://x/", "n", "k", UINT64_MAX - 1, other, sizeof other, NULL, NULL),
                     FAMQP_AUTH_OK);
    ck_assert_int_ne(strncmp(out, other, (size_t)(strstr(out, "&se=") - out)), 0);
}
END_TEST

START_TEST(buffer_sizes)
{
    const vector *v = &vectors[1];
    size_t need = strlen(v->token);
    size_t len = 12345;
    famqp_auth_error err;
    /* a size query: no buffer at all */
    ck_assert_int_eq(famqp_sas_token(v->uri, v->key_name, v->key, v->expiry, NULL, 0, &len, &err),
                     FAMQP_AUTH_ERR_SPACE);
    ck_assert_uint_eq(len, need);
    ck_assert_int_eq(err.status, FAMQP_AUTH_ERR_SPACE);
    char expect_msg[128];
    snprintf(expect_msg, sizeof expect_msg, "SAS token needs %zu bytes (with the NUL), the buffer has 0", need + 1);
    ck_assert_str_eq(err.message, expect_msg);
    /* one byte short (no room for the NUL): the buffer is left empty */
    char out[512];
    memset(out, 'x', sizeof out);
    len = 0;
    ck_assert_int_eq(famqp_sas_token(v->uri, v->key_name, v->key, v->expiry, out, need, &len, NULL),
                     FAMQP_AUTH_ERR_SPACE);
    ck_assert_uint_eq(len, need);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(out[need], 'x'); /* nothing written past cap */
    /* exactly enough */
    ck_assert_int_eq(famqp_sas_token(v->uri, v->key_name, v->key, v->expiry, out, need + 1, &len, NULL),
                     FAMQP_AUTH_OK);
    ck_assert_str_eq(out, v->token);
    ck_assert_int_eq(out[need + 1], 'x');
}
END_TEST

static void expect_arg_error(const char *uri, const char *name, const char *key, const char *message)
{
    char out[64] = "untouched";
    size_t len = 99;
    famqp_auth_error err;
    ck_assert_int_eq(famqp_sas_token(uri, name, key, 1, out, sizeof out, &len, &err), FAMQP_AUTH_ERR_ARG);
    ck_assert_int_eq(err.status, FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(err.message, message);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(len, 0);
    /* err may be NULL */
    ck_assert_int_eq(famqp_sas_token(uri, name, key, 1, out, sizeof out, NULL, NULL), FAMQP_AUTH_ERR_ARG);
}

START_TEST(argument_errors)
{
    expect_arg_error(NULL, "n", "k", "SAS token: uri is NULL");
    expect_arg_error("sb://x/", NULL, "k", "SAS token: key name is NULL");
    expect_arg_error("sb://x/", "n", NULL, "SAS token: key is NULL");
    expect_arg_error("", "n", "k", "SAS token: uri is empty");
    expect_arg_error("sb://x/", "", "k", "SAS token: key name is empty");
    expect_arg_error("sb://x/", "n", "", "SAS token: key is empty");
    /* not UTF-8: a stray continuation byte, an overlong '/', a surrogate,
     * a cut sequence, a byte never used, a code point above U+10FFFF */
    static const char *const bad[] = {"\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf5\x80\x80\x80",
                                      "\xf4\x90\x80\x80", "ok\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_arg_error(bad[i], "n", "k", "SAS token: uri is not valid UTF-8");
        expect_arg_error("sb://x/", bad[i], "k", "SAS token: key name is not valid UTF-8");
        expect_arg_error("sb://x/", "n", bad[i], "SAS token: key is not valid UTF-8");
    }
    /* the largest code point and the last before the surrogates are fine */
    char out[256];
    ck_assert_int_eq(famqp_sas_token("\xf4\x8f\xbf\xbf\xed\x9f\xbf", "n", "k", 1, out, sizeof out, NULL, NULL),
                     FAMQP_AUTH_OK);
    ck_assert_ptr_nonnull(strstr(out, "sr=%F4%8F%BF%BF%ED%9F%BF&"));
}
END_TEST

START_TEST(status_names)
{
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_OK), "ok");
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_ERR_ARG), "invalid argument");
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_ERR_SPACE), "space");
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_ERR_CRYPTO), "crypto");
    ck_assert_str_eq(famqp_auth_status_name((famqp_auth_status)99), "unknown");
}
END_TEST

/* Long inputs: a URI of 100,000 bytes all escaped (300,000 in the token)
 * and a key far longer than SHA-256's block; the size query and the token
 * agree. */
START_TEST(long_inputs)
{
    static char uri[100001], key[5001], out[400200];
    memset(uri, ' ', sizeof uri - 1);
    memset(key, 'k', sizeof key - 1);
    size_t len = 0;
    ck_assert_int_eq(famqp_sas_token(uri, "n", key, 7, NULL, 0, &len, NULL), FAMQP_AUTH_ERR_SPACE);
    size_t need = len;
    ck_assert_int_eq(famqp_sas_token(uri, "n", key, 7, out, sizeof out, &len, NULL), FAMQP_AUTH_OK);
    ck_assert_uint_eq(len, need);
    ck_assert_uint_eq(strlen(out), need);
    /* sr: 300,000 bytes; sig: 44 base64 characters, '+' and '/' escaped
     * to 3, the one '=' always */
    const char *sig = out + strlen("SharedAccessSignature sr=") + 300000;
    ck_assert_int_eq(strncmp(sig, "&sig=", 5), 0);
    const char *se = strstr(sig, "&se=");
    ck_assert_ptr_nonnull(se);
    ck_assert_uint_ge((size_t)(se - sig - 5), 46);
    ck_assert_uint_le((size_t)(se - sig - 5), 44 + 2 * 43);
    ck_assert_str_eq(se, "&se=7&skn=n");
    ck_assert_int_eq(strncmp(out + strlen("SharedAccessSignature sr="), "%20%20%20", 9), 0);
}
END_TEST

TCase *sas_tcase(void)
{
    TCase *tc = tcase_create("sas");
    tcase_add_test(tc, known_vectors);
    tcase_add_test(tc, uri_encoding);
    tcase_add_test(tc, key_name_encoded);
    tcase_add_test(tc, expiry_extremes);
    tcase_add_test(tc, buffer_sizes);
    tcase_add_test(tc, argument_errors);
    tcase_add_test(tc, status_names);
    tcase_add_test(tc, long_inputs);
    return tc;
}

/* famqp_sas_token_verify: tokens made by famqp_sas_token verify with their
 * claims, and every way a token can be wrong is refused with its reason. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <famqp/auth.h>

static const famqp_sas_key keys[] = {{"RootManageSharedAccessKey", "SAS_KEY_VALUE"}, {"send-only", "s3cr3t/+="}};

static void make(const char *uri, const char *name, const char *key, uint64_t se, char *out, size_t cap)
{
    ck_assert_int_eq(famqp_sas_token(uri, name, key, se, out, cap, NULL, NULL), FAMQP_AUTH_OK);
}

static famqp_auth_status verify(const char *token, uint64_t now, famqp_sas_claims *c, famqp_auth_error *e)
{
    return famqp_sas_token_verify(token, strlen(token), keys, 2, now, c, e);
}

static void expect(const char *token, uint64_t now, famqp_auth_status st, const char *message)
{
    famqp_sas_claims c;
    famqp_auth_error e;
    ck_assert_int_eq(verify(token, now, &c, &e), st);
    ck_assert_str_eq(e.message, message);
    ck_assert_str_eq(c.audience, "");
    ck_assert_uint_eq(c.expiry_epoch_s, 0);
}

START_TEST(round_trips)
{
    static const char *const uris[] = {"sb://localhost/", "sb://ns.servicebus.windows.net/hub/Partitions/0",
                                       "amqp://127.0.0.1:5672/q with space+plus&amp=?", "sb://x/\xc3\xa9\xe2\x82\xac"};
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        for (size_t k = 0; k < 2; k++) {
            char tok[2048];
            make(uris[i], keys[k].name, keys[k].key, 2000000000u, tok, sizeof tok);
            famqp_sas_claims c;
            famqp_auth_error e;
            ck_assert_int_eq(verify(tok, 1999999999u, &c, &e), FAMQP_AUTH_OK);
            ck_assert_str_eq(e.message, "");
            ck_assert_str_eq(c.audience, uris[i]);
            ck_assert_str_eq(c.key_name, keys[k].name);
            ck_assert_uint_eq(c.expiry_epoch_s, 2000000000u);
        }
    }
}
END_TEST

START_TEST(denied)
{
    char tok[512];
    make("sb://localhost/hub", "RootManageSharedAccessKey", "wrong", 2000, tok, sizeof tok);
    expect(tok, 1000, FAMQP_AUTH_ERR_DENIED, "SAS token: the signature does not match key 'RootManageSharedAccessKey'");
    make("sb://localhost/hub", "nobody", "SAS_KEY_VALUE", 2000, tok, sizeof tok);
    expect(tok, 1000, FAMQP_AUTH_ERR_DENIED, "SAS token: no key named 'nobody'");
    make("sb://localhost/hub", "RootManageSharedAccessKey", "SAS_KEY_VALUE", 2000, tok, sizeof tok);
    expect(tok, 2000, FAMQP_AUTH_ERR_DENIED, "SAS token: expired 0 s ago");
    expect(tok, 2012, FAMQP_AUTH_ERR_DENIED, "SAS token: expired 12 s ago");
    /* the audience or the expiry changed after signing */
    char t2[512];
    snprintf(t2, sizeof t2, "%s", tok);
    char *hub = strstr(t2, "hub");
    hub[0] = 'H';
    expect(t2, 1000, FAMQP_AUTH_ERR_DENIED, "SAS token: the signature does not match key 'RootManageSharedAccessKey'");
    snprintf(t2, sizeof t2, "%s", tok);
    strstr(t2, "&se=2000")[4] = '9';
    expect(t2, 1000, FAMQP_AUTH_ERR_DENIED, "SAS token: the signature does not match key 'RootManageSharedAccessKey'");
}
END_TEST

/* Other signers: fields in another order, fields we do not know, and a
 * signature whose base64 is not percent-encoded. */
START_TEST(other_layouts)
{
    char tok[512];
    make("sb://localhost/hub", "send-only", "s3cr3t/+=", 2000, tok, sizeof tok);
    const char *sr = strstr(tok, "sr="), *sig = strstr(tok, "&sig="), *se = strstr(tok, "&se="),
               *skn = strstr(tok, "&skn=");
    char shuffled[600];
    snprintf(shuffled, sizeof shuffled, "SharedAccessSignature skn=%s&foo=bar&%.*s&se=%.*s&sig=%.*s", skn + 5,
             (int)(sig - sr), sr, (int)(skn - se - 4), se + 4, (int)(se - sig - 5), sig + 5);
    famqp_sas_claims c;
    ck_assert_int_eq(verify(shuffled, 1000, &c, NULL), FAMQP_AUTH_OK);
    ck_assert_str_eq(c.key_name, "send-only");
    /* the signature's base64 as it is ('+', '/' and '=' not escaped) */
    char sigtext[128], raw[128];
    snprintf(sigtext, sizeof sigtext, "%.*s", (int)(se - sig - 5), sig + 5);
    size_t n = 0;
    for (const char *p = sigtext; *p; p++) {
        if (*p == '%') {
            unsigned v;
            sscanf(p + 1, "%2x", &v);
            raw[n++] = (char)v;
            p += 2;
        } else {
            raw[n++] = *p;
        }
    }
    raw[n] = '\0';
    char plain[600];
    snprintf(plain, sizeof plain, "SharedAccessSignature %.*s&sig=%s%s", (int)(sig - sr), sr, raw, se);
    ck_assert_int_eq(verify(plain, 1000, &c, NULL), FAMQP_AUTH_OK);
}
END_TEST

START_TEST(malformed)
{
    expect("", 0, FAMQP_AUTH_ERR_ARG, "SAS token: does not start with 'SharedAccessSignature '");
    expect("Bearer x", 0, FAMQP_AUTH_ERR_ARG, "SAS token: does not start with 'SharedAccessSignature '");
    expect("SharedAccessSignature sr=a&sig=b&se=1", 0, FAMQP_AUTH_ERR_ARG, "SAS token: no 'skn' field");
    expect("SharedAccessSignature sig=b&se=1&skn=k", 0, FAMQP_AUTH_ERR_ARG, "SAS token: no 'sr' field");
    expect("SharedAccessSignature sr=a&sr=a&sig=b&se=1&skn=k", 0, FAMQP_AUTH_ERR_ARG,
           "SAS token: field 'sr' given twice");
    expect("SharedAccessSignature sr=&sig=b&se=1&skn=k", 0, FAMQP_AUTH_ERR_ARG, "SAS token: field 'sr' is empty");
    expect("SharedAccessSignature sr=a&sig", 0, FAMQP_AUTH_ERR_ARG, "SAS token: a field without '=': 'sig'");
    static const char *const badly[] = {
        "SharedAccessSignature sr=a%G1&sig=b&se=1&skn=RootManageSharedAccessKey",
        "SharedAccessSignature sr=a%4&sig=b&se=1&skn=RootManageSharedAccessKey",
        "SharedAccessSignature sr=a%00b&sig=b&se=1&skn=RootManageSharedAccessKey",
        "SharedAccessSignature sr=%FF&sig=b&se=1&skn=RootManageSharedAccessKey",
        "SharedAccessSignature sr=a&sig=b&se=1x&skn=RootManageSharedAccessKey",
        "SharedAccessSignature sr=a&sig=b&se=99999999999999999999&skn=RootManageSharedAccessKey",
    };
    for (size_t i = 0; i < sizeof badly / sizeof badly[0]; i++)
        expect(badly[i], 0, FAMQP_AUTH_ERR_ARG, "SAS token: a field is badly encoded or too long");
    /* an audience longer than the claims hold, and a token over the limit */
    static char big[FAMQP_SAS_MAX_TOKEN + 2];
    int n = snprintf(big, sizeof big, "SharedAccessSignature sig=b&se=1&skn=k&sr=");
    memset(big + n, 'a', FAMQP_SAS_MAX_AUDIENCE + 10);
    expect(big, 0, FAMQP_AUTH_ERR_ARG, "SAS token: a field is badly encoded or too long");
    memset(big + n, 'a', sizeof big - 1 - (size_t)n);
    famqp_auth_error e;
    ck_assert_int_eq(famqp_sas_token_verify(big, strlen(big), keys, 2, 0, NULL, &e), FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(e.message, "SAS token: 8193 bytes, more than the 8192 accepted");
    ck_assert_int_eq(famqp_sas_token_verify(NULL, 0, keys, 2, 0, NULL, &e), FAMQP_AUTH_ERR_ARG);
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_ERR_DENIED), "denied");
}
END_TEST

TCase *sas_verify_tcase(void)
{
    TCase *tc = tcase_create("sas_verify");
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, denied);
    tcase_add_test(tc, other_layouts);
    tcase_add_test(tc, malformed);
    return tc;
}

/* The built-in CBS token provider (famqp/cbs.h): key-based tokens verify
 * for the audience asked for with the lifetime given, a fixed token is
 * handed out with its se= expiry, and bad arguments are refused with
 * their reason. */
#include <check.h>
#include <string.h>
#include <time.h>

#include <famqp/cbs.h>

START_TEST(key_tokens_verify)
{
    famqp_cbs_sas_provider *p;
    famqp_auth_error e;
    ck_assert_int_eq(famqp_cbs_sas_provider_new("policy", "k3y/+=", 120, NULL, &p, &e), FAMQP_AUTH_OK);
    static famqp_cbs_token tok;
    memset(&tok, 0, sizeof tok);
    uint64_t before = (uint64_t)time(NULL);
    ck_assert(famqp_cbs_sas_provide(p, "sb://ns.example/queue a", &tok));
    ck_assert_str_eq(tok.type, FAMQP_CBS_TYPE_SAS);
    ck_assert_uint_ge(tok.expiry_epoch_s, before + 120);
    ck_assert_uint_le(tok.expiry_epoch_s, (uint64_t)time(NULL) + 120);
    famqp_sas_key key = {"policy", "k3y/+="};
    famqp_sas_claims c;
    ck_assert_int_eq(famqp_sas_token_verify(tok.text, strlen(tok.text), &key, 1, before, &c, &e), FAMQP_AUTH_OK);
    ck_assert_str_eq(c.audience, "sb://ns.example/queue a");
    ck_assert_uint_eq(c.expiry_epoch_s, tok.expiry_epoch_s);
    famqp_cbs_sas_provider_free(p);
    /* 0: the default lifetime */
    ck_assert_int_eq(famqp_cbs_sas_provider_new("policy", "k", 0, NULL, &p, NULL), FAMQP_AUTH_OK);
    memset(&tok, 0, sizeof tok);
    ck_assert(famqp_cbs_sas_provide(p, "sb://a/b", &tok));
    ck_assert_uint_ge(tok.expiry_epoch_s, before + FAMQP_CBS_SAS_DEFAULT_LIFETIME_S);
    famqp_cbs_sas_provider_free(p);
    famqp_cbs_sas_provider_free(NULL);
}
END_TEST

START_TEST(fixed_token)
{
    static const char token[] = "SharedAccessSignature sr=sb%3A%2F%2Fa&sig=x%2Bse%3D1&se=1999999999&skn=n";
    famqp_cbs_sas_provider *p;
    ck_assert_int_eq(famqp_cbs_sas_provider_new(NULL, NULL, 0, token, &p, NULL), FAMQP_AUTH_OK);
    static famqp_cbs_token tok;
    memset(&tok, 0, sizeof tok);
    ck_assert(famqp_cbs_sas_provide(p, "sb://any/thing", &tok));
    ck_assert_str_eq(tok.text, token);
    ck_assert_uint_eq(tok.expiry_epoch_s, 1999999999u); /* not the "se%3D1" inside sig */
    famqp_cbs_sas_provider_free(p);
}
END_TEST

static void refused(const char *name, const char *key, const char *token, famqp_auth_status st, const char *why)
{
    famqp_cbs_sas_provider *p = (famqp_cbs_sas_provider *)1;
    famqp_auth_error e;
    ck_assert_int_eq(famqp_cbs_sas_provider_new(name, key, 0, token, &p, &e), st);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(e.message, why);
}

START_TEST(bad_arguments)
{
    refused("", "k", NULL, FAMQP_AUTH_ERR_ARG, "the SAS key name and key must not be empty");
    refused("n", NULL, NULL, FAMQP_AUTH_ERR_ARG, "the SAS key name and key must not be empty");
    refused(NULL, NULL, NULL, FAMQP_AUTH_ERR_ARG, "a SAS provider needs a key name and key, or a token");
    refused(NULL, NULL, "SharedAccessSignature sr=a&sig=b&skn=c", FAMQP_AUTH_ERR_ARG,
            "the SAS token has no se= expiry");
    static char big[FAMQP_CBS_MAX_TOKEN_BYTES + 1];
    memset(big, 'a', sizeof big - 1);
    refused(NULL, NULL, big, FAMQP_AUTH_ERR_ARG, "the SAS token is longer than 8191 bytes");
    ck_assert_str_eq(famqp_auth_status_name(FAMQP_AUTH_ERR_NOMEM), "out of memory");
}
END_TEST

TCase *cbs_sas_tcase(void)
{
    TCase *tc = tcase_create("cbs_sas");
    tcase_add_test(tc, key_tokens_verify);
    tcase_add_test(tc, fixed_token);
    tcase_add_test(tc, bad_arguments);
    return tc;
}

/* The built-in CBS token provider (famqp/cbs.h): SAS tokens made with
 * famqp_sas_token from a key, or one fixed SAS token handed out as is;
 * and the provider a famqp_cbs_options names. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_internal.h"
#include "famqp/cbs.h"

struct famqp_cbs_sas_provider {
    char *key_name, *key; /* key-based (owned), else NULL */
    uint32_t lifetime_s;
    char *fixed;           /* a fixed token (owned), else NULL */
    uint64_t fixed_expiry; /* its se= */
};

/* The se= of a fixed token: its expiry (0 when it has none). */
static uint64_t fixed_expiry(const char *token)
{
    const char *p = strstr(token, "se=");
    while (p && p != token && p[-1] != '&' && p[-1] != ' ')
        p = strstr(p + 3, "se=");
    if (!p)
        return 0;
    return strtoull(p + 3, NULL, 10);
}

static void wipe_free(char *p)
{
    if (p) {
        memset(p, 0, strlen(p));
        free(p);
    }
}

void famqp_cbs_sas_provider_free(famqp_cbs_sas_provider *p)
{
    if (!p)
        return;
    free(p->key_name);
    wipe_free(p->key);
    wipe_free(p->fixed);
    free(p);
}

famqp_auth_status famqp_cbs_sas_provider_new(const char *key_name, const char *key, uint32_t lifetime_s,
                                             const char *token, famqp_cbs_sas_provider **out, famqp_auth_error *err)
{
    *out = NULL;
    auth_ok(err);
    if (key_name || key) {
        if (!key_name || !key || !*key_name || !*key)
            return auth_fail(err, FAMQP_AUTH_ERR_ARG, "the SAS key name and key must not be empty");
    } else if (!token) {
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "a SAS provider needs a key name and key, or a token");
    } else if (strlen(token) >= FAMQP_CBS_MAX_TOKEN_BYTES) {
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "the SAS token is longer than %d bytes",
                         FAMQP_CBS_MAX_TOKEN_BYTES - 1);
    } else if (!fixed_expiry(token)) {
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "the SAS token has no se= expiry");
    }
    famqp_cbs_sas_provider *p = calloc(1, sizeof *p);
    if (!p)
        return auth_fail(err, FAMQP_AUTH_ERR_NOMEM, "out of memory");
    p->lifetime_s = lifetime_s ? lifetime_s : FAMQP_CBS_SAS_DEFAULT_LIFETIME_S;
    bool ok;
    if (key_name) {
        p->key_name = strdup(key_name);
        p->key = strdup(key);
        ok = p->key_name && p->key;
    } else {
        p->fixed = strdup(token);
        p->fixed_expiry = fixed_expiry(token);
        ok = p->fixed != NULL;
    }
    if (!ok) {
        famqp_cbs_sas_provider_free(p);
        return auth_fail(err, FAMQP_AUTH_ERR_NOMEM, "out of memory");
    }
    *out = p;
    return FAMQP_AUTH_OK;
}

bool famqp_cbs_sas_provide(void *context, const char *audience, famqp_cbs_token *out)
{
    const famqp_cbs_sas_provider *p = context;
    snprintf(out->type, sizeof out->type, "%s", FAMQP_CBS_TYPE_SAS);
    if (p->fixed) {
        snprintf(out->text, sizeof out->text, "%s", p->fixed);
        out->expiry_epoch_s = p->fixed_expiry;
        return true;
    }
    out->expiry_epoch_s = (uint64_t)time(NULL) + p->lifetime_s;
    famqp_auth_error e;
    size_t len;
    if (famqp_sas_token(audience, p->key_name, p->key, out->expiry_epoch_s, out->text, sizeof out->text, &len, &e) !=
        FAMQP_AUTH_OK) {
        snprintf(out->error, sizeof out->error, "SAS token: %.200s", e.message);
        return false;
    }
    return true;
}

bool famqp_cbs_options_wanted(const famqp_cbs_options *o)
{
    return o->provider || (o->sas_key_name && o->sas_key) || o->sas_token;
}

famqp_auth_status famqp_cbs_options_provider(const famqp_cbs_options *o, famqp_cbs_token_provider *provider,
                                             void **context, famqp_cbs_sas_provider **owned, bool *fixed,
                                             famqp_auth_error *err)
{
    *owned = NULL;
    *fixed = false;
    auth_ok(err);
    if (o->provider) {
        *provider = o->provider;
        *context = o->provider_context;
        return FAMQP_AUTH_OK;
    }
    /* A key when both its fields are set, else the fixed token. */
    bool key = o->sas_key_name && o->sas_key;
    famqp_auth_status st = famqp_cbs_sas_provider_new(key ? o->sas_key_name : NULL, key ? o->sas_key : NULL,
                                                      o->sas_lifetime_s, key ? NULL : o->sas_token, owned, err);
    if (st != FAMQP_AUTH_OK)
        return st;
    *fixed = !key;
    *provider = famqp_cbs_sas_provide;
    *context = *owned;
    return FAMQP_AUTH_OK;
}

/* The built-in CBS token providers (famqp_cbs_options): SAS tokens made
 * with famqp_sas_token from a key, or one fixed SAS token put as is. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_internal.h"
#include "famqp/auth.h"

enum { SAS_DEFAULT_LIFETIME_S = 3600 };

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

famqp_client_status client_cbs_sas_init(client_cbs_sas *s, const famqp_cbs_options *o, char *why, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->lifetime_s = o->sas_lifetime_s ? o->sas_lifetime_s : SAS_DEFAULT_LIFETIME_S;
    if (o->sas_key_name && o->sas_key) {
        if (!*o->sas_key_name || !*o->sas_key) {
            snprintf(why, cap, "the SAS key name and key must not be empty");
            return FAMQP_CLIENT_ERR_ARG;
        }
        if (!client_dup(&s->key_name, o->sas_key_name) || !client_dup(&s->key, o->sas_key)) {
            snprintf(why, cap, "out of memory");
            return FAMQP_CLIENT_ERR_NOMEM;
        }
        return FAMQP_CLIENT_OK;
    }
    if (strlen(o->sas_token) >= FAMQP_CBS_MAX_TOKEN_BYTES) {
        snprintf(why, cap, "the SAS token is longer than %d bytes", FAMQP_CBS_MAX_TOKEN_BYTES - 1);
        return FAMQP_CLIENT_ERR_ARG;
    }
    s->fixed_expiry = fixed_expiry(o->sas_token);
    if (!s->fixed_expiry) {
        snprintf(why, cap, "the SAS token has no se= expiry");
        return FAMQP_CLIENT_ERR_ARG;
    }
    if (!client_dup(&s->fixed, o->sas_token)) {
        snprintf(why, cap, "out of memory");
        return FAMQP_CLIENT_ERR_NOMEM;
    }
    return FAMQP_CLIENT_OK;
}

static void wipe_free(char *p)
{
    if (p) {
        memset(p, 0, strlen(p));
        free(p);
    }
}

void client_cbs_sas_free(client_cbs_sas *s)
{
    free(s->key_name);
    wipe_free(s->key);
    wipe_free(s->fixed);
    memset(s, 0, sizeof *s);
}

bool client_cbs_sas_provide(void *context, const char *audience, famqp_cbs_token *out)
{
    client_cbs_sas *s = context;
    snprintf(out->type, sizeof out->type, "%s", FAMQP_CBS_TYPE_SAS);
    if (s->fixed) {
        snprintf(out->text, sizeof out->text, "%s", s->fixed);
        out->expiry_epoch_s = s->fixed_expiry;
        return true;
    }
    out->expiry_epoch_s = (uint64_t)time(NULL) + s->lifetime_s;
    famqp_auth_error e;
    size_t len;
    if (famqp_sas_token(audience, s->key_name, s->key, out->expiry_epoch_s, out->text, sizeof out->text, &len, &e) !=
        FAMQP_AUTH_OK) {
        snprintf(out->error, sizeof out->error, "SAS token: %.200s", e.message);
        return false;
    }
    return true;
}

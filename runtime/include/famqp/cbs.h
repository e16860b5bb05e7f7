/** @file famqp/cbs.h
 * @brief flatamqp: claims-based-security (CBS) tokens: the token-provider
 * callback both clients call, and the built-in SAS provider.
 *
 * A CBS client (the blocking client's famqp_cbs_options in famqp/client.h,
 * the asynchronous client's famqp_async_cbs_options in famqp/async.h) asks
 * a famqp_cbs_token_provider for a token whenever it must put one for an
 * audience: before the first link to it, before the token expires, after
 * every reconnect.  Applications plug in Azure AD (JWT) or any other
 * scheme with their own provider; famqp_cbs_sas_provider makes SAS tokens
 * from a key (famqp_sas_token, famqp/auth.h) or hands out one fixed SAS
 * token.
 *
 * Threads: a provider is called on the thread of the client that uses it.
 * A famqp_cbs_sas_provider is not changed by famqp_cbs_sas_provide, so one
 * may serve clients on several threads; make and free it on one.
 */
#ifndef FAMQP_CBS_H
#define FAMQP_CBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/auth.h"
#include "famqp/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest token text a CBS token provider may return, in bytes. */
#define FAMQP_CBS_MAX_TOKEN_BYTES 8192
/** famqp_cbs_token.type of a SAS token. */
#define FAMQP_CBS_TYPE_SAS "servicebus.windows.net:sastoken"
/** famqp_cbs_token.type of an Azure AD (JWT) token. */
#define FAMQP_CBS_TYPE_JWT "jwt"

/** What a CBS token provider fills in (famqp_cbs_token_provider). */
typedef struct famqp_cbs_token {
    char type[64];        /**< token type; "" means FAMQP_CBS_TYPE_SAS */
    char text[FAMQP_CBS_MAX_TOKEN_BYTES]; /**< the token, NUL-terminated */
    uint64_t expiry_epoch_s; /**< when it expires, seconds since 1970 UTC */
    char error[256];      /**< on failure: why (becomes the link open's error) */
} famqp_cbs_token;

/** Makes a token for audience (e.g. "sb://NS.servicebus.windows.net/queue").
 *  Called on the client's thread, from inside the call that needs the
 *  token (a link open, a refresh, a reconnect); it must not call the
 *  client.  *out is zeroed before the call.  Returns true with type, text
 *  and expiry set, or false with error set: the link open that needed it
 *  fails with FAMQP_CLIENT_ERR_AUTH saying so (the asynchronous client
 *  reports FAMQP_ASYNC_CBS_REFUSED). */
typedef bool (*famqp_cbs_token_provider)(void *context, const char *audience, famqp_cbs_token *out);

/** The built-in SAS token provider: its context for famqp_cbs_sas_provide. */
typedef struct famqp_cbs_sas_provider famqp_cbs_sas_provider;

/** Default lifetime of the tokens a key-based SAS provider makes, seconds. */
#define FAMQP_CBS_SAS_DEFAULT_LIFETIME_S 3600u

/** Makes a SAS provider.  With key_name and key (both non-empty, copied):
 *  each call makes a token with famqp_sas_token for the audience, expiring
 *  lifetime_s (0: FAMQP_CBS_SAS_DEFAULT_LIFETIME_S) from now.  Else, with
 *  token ("SharedAccessSignature sr=...&se=...", e.g. a connection
 *  string's SharedAccessSignature; copied): that token for every audience,
 *  its se= as the expiry.  @return FAMQP_AUTH_OK with *out set;
 *  FAMQP_AUTH_ERR_ARG (err says why: empty key, a token without se= or
 *  longer than FAMQP_CBS_MAX_TOKEN_BYTES - 1, nothing given) or
 *  FAMQP_AUTH_ERR_NOMEM, *out NULL then. */
FAMQP_API famqp_auth_status famqp_cbs_sas_provider_new(const char *key_name, const char *key, uint32_t lifetime_s,
                                                       const char *token, famqp_cbs_sas_provider **out,
                                                       famqp_auth_error *err);

/** Wipes the key (or token) and frees the provider.  NULL: nothing. */
FAMQP_API void famqp_cbs_sas_provider_free(famqp_cbs_sas_provider *p);

/** A famqp_cbs_token_provider: context is a famqp_cbs_sas_provider.
 *  Fills *out with a SAS token for audience (type FAMQP_CBS_TYPE_SAS). */
FAMQP_API bool famqp_cbs_sas_provide(void *context, const char *audience, famqp_cbs_token *out);

#ifdef __cplusplus
}
#endif

#endif

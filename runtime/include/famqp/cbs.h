/** @file famqp/cbs.h
 * @brief flatamqp: claims-based-security (CBS) tokens: the token-provider
 * callback both clients call, the options naming it, and the built-in SAS
 * provider.
 *
 * A CBS client (the blocking client's famqp_client_options.cbs in famqp/client.h,
 * the asynchronous client's famqp_async_options.cbs in famqp/async.h) asks
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

/** A client's claims-based-security settings (AMQP CBS 1.0, as Azure
 *  Event Hubs and Service Bus use it; docs/azure.md): the blocking
 *  client's famqp_client_options.cbs and the asynchronous client's
 *  famqp_async_options.cbs, each header saying when its client puts,
 *  refreshes and puts again.  Off unless a provider, a SAS key or a fixed
 *  SAS token is set (famqp_cbs_options_wanted).  A link to address A
 *  needs a token for the audience audience_prefix + A (Azure's SDKs:
 *  "sb://HOST/" + the entity path, for senders and receivers alike, e.g.
 *  "sb://ns.servicebus.windows.net/hub/ConsumerGroups/$default/Partitions/0");
 *  one token per audience serves every link to it.  The strings are
 *  copied when the client is made. */
typedef struct famqp_cbs_options {
    famqp_cbs_token_provider provider; /**< NULL: the SAS fields below */
    void *provider_context;            /**< passed to provider */
    /** The built-in SAS provider (used when provider is NULL and both are
     *  set): tokens from famqp_sas_token (famqp/auth.h) with this key. */
    const char *sas_key_name;
    const char *sas_key;        /**< the shared access key, as given */
    uint32_t sas_lifetime_s;    /**< each SAS token's lifetime; 0: 3600 */
    /** A fixed SAS token ("SharedAccessSignature sr=...&se=..."), e.g. a
     *  connection string's SharedAccessSignature: put as is for every
     *  audience, its se= as expiry, never refreshed.  Used when provider
     *  and sas_key are not set. */
    const char *sas_token;
    /** Prepended to a link's address to form its audience; NULL:
     *  "sb://HOST/" with the URL's host. */
    const char *audience_prefix;
    uint32_t refresh_margin_s; /**< put a new token this long before expiry; 0: 300 */
    int put_timeout_ms;        /**< for each put-token; 0: 10000, -1: no limit */
} famqp_cbs_options;

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

/** True when o turns CBS on: a provider, a SAS key name and key, or a
 *  fixed SAS token. */
FAMQP_API bool famqp_cbs_options_wanted(const famqp_cbs_options *o);

/** The token provider o names: o->provider with its context, else a new
 *  famqp_cbs_sas_provider (famqp_cbs_sas_provider_new with o's key, or
 *  else its fixed token) as *owned, with famqp_cbs_sas_provide and *owned
 *  as context; *fixed tells a fixed token (not to be refreshed).  owned
 *  NULL for the application's provider.  @return FAMQP_AUTH_OK, or
 *  famqp_cbs_sas_provider_new's refusal (err says why). */
FAMQP_API famqp_auth_status famqp_cbs_options_provider(const famqp_cbs_options *o, famqp_cbs_token_provider *provider,
                                                       void **context, famqp_cbs_sas_provider **owned, bool *fixed,
                                                       famqp_auth_error *err);

#ifdef __cplusplus
}
#endif

#endif

/** @file famqp/auth.h
 * @brief flatamqp: shared access signature (SAS) tokens and Azure-style
 * connection strings.
 *
 * The pure-computation pieces of the claims-based-security (CBS) profile
 * that Azure Event Hubs and Service Bus use (docs/azure.md):
 *
 * - famqp_sas_token() makes the token a CBS put-token carries,
 *   `SharedAccessSignature sr=<URI>&sig=<signature>&se=<expiry>&skn=<key name>`,
 *   byte for byte as Microsoft's JavaScript SDK (\@azure/core-amqp) makes it.
 * - famqp_connection_string_parse() reads
 *   `Endpoint=sb://NAMESPACE/;SharedAccessKeyName=...;SharedAccessKey=...;EntityPath=...`
 *   (or `SharedAccessSignature=...`, `UseDevelopmentEmulator=true`) into
 *   views of the string, and the famqp_connection_string_* functions
 *   derive the AMQP URL, the SAS audience and a token from it.
 *
 * Conventions (docs/api-conventions.md): calls return famqp_auth_status,
 * FAMQP_AUTH_OK or `FAMQP_AUTH_ERR_<WHAT>`, and fill a famqp_auth_error
 * (may be NULL) with a message naming what was wrong.  Text results go
 * into a caller's buffer (out, cap) as a NUL-terminated string; *len
 * receives the length without the NUL, also when the buffer was too small
 * (FAMQP_AUTH_ERR_SPACE), so a call with cap 0 (out may then be NULL) asks
 * for the size.  Nothing here allocates apart from OpenSSL's HMAC context.
 *
 * Threads: pure functions of their arguments; any thread may call them at
 * any time.
 */
#ifndef FAMQP_AUTH_H
#define FAMQP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/codec.h"
#include "famqp/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/** Outcome of an auth call, and the status in a famqp_auth_error. */
typedef enum famqp_auth_status {
    FAMQP_AUTH_OK = 0,     /**< done */
    FAMQP_AUTH_ERR_ARG,    /**< bad input: a NULL or empty argument, text that is not UTF-8, a malformed connection string */
    FAMQP_AUTH_ERR_SPACE,  /**< the output buffer is too small; *len holds the length needed (without the NUL) */
    FAMQP_AUTH_ERR_CRYPTO, /**< OpenSSL failed to compute the HMAC */
    FAMQP_AUTH_ERR_DENIED, /**< a token that does not verify: wrong signature, unknown key name, expired */
    FAMQP_AUTH_ERR_NOMEM   /**< an allocation failed (famqp_cbs_sas_provider_new, famqp/cbs.h) */
} famqp_auth_status;

/** Why an auth call failed: its status and a human-readable reason. */
typedef struct famqp_auth_error {
    famqp_auth_status status; /**< why it failed; FAMQP_AUTH_OK when nothing failed */
    /** A human-readable reason naming the argument or connection-string
     *  key, e.g. "connection string: key 'SharedAccessKeyName' is given
     *  without 'SharedAccessKey'".  Empty string when there is none. */
    char message[256];
} famqp_auth_error;

/** Short name of an auth status, e.g. "space". */
FAMQP_API const char *famqp_auth_status_name(famqp_auth_status s);

/* ---- SAS tokens ---------------------------------------------------------- */

/** Makes a shared access signature token:
 *
 *     SharedAccessSignature sr=E(uri)&sig=E(base64(HMAC-SHA256(key, E(uri) "\n" expiry)))&se=expiry&skn=E(key_name)
 *
 *  where E is JavaScript's encodeURIComponent (every byte of the UTF-8 text
 *  percent-encoded with upper-case hex except `A-Z a-z 0-9 - _ . ! ~ * ' ( )`),
 *  expiry is decimal epoch seconds, and the HMAC key is the key's UTF-8
 *  bytes as given (not base64-decoded).  The URI is used as given (not
 *  lower-cased), e.g. "sb://NAMESPACE.servicebus.windows.net/ENTITY".  This
 *  is what Microsoft's \@azure/core-amqp makes, byte for byte.
 *
 *  @param uri the audience (resource URI), NUL-terminated UTF-8, not empty
 *  @param key_name the policy name (skn), NUL-terminated UTF-8, not empty
 *  @param key the shared access key, NUL-terminated UTF-8, not empty
 *  @param expiry_epoch_s when the token expires, seconds since 1970 UTC
 *  @param out where the token is written, NUL-terminated ("" on failure
 *         when cap > 0); may be NULL when cap is 0
 *  @param cap bytes at out
 *  @param len receives the token's length without the NUL (may be NULL),
 *         also on FAMQP_AUTH_ERR_SPACE
 *  @param err the reason on failure (may be NULL)
 *  @return FAMQP_AUTH_OK; ERR_ARG for a NULL or empty argument or text
 *          that is not UTF-8; ERR_SPACE when cap < *len + 1; ERR_CRYPTO. */
FAMQP_API famqp_auth_status famqp_sas_token(const char *uri, const char *key_name, const char *key,
                                            uint64_t expiry_epoch_s, char *out, size_t cap, size_t *len,
                                            famqp_auth_error *err);

/** A key a SAS token may be signed with (famqp_sas_token_verify). */
typedef struct famqp_sas_key {
    const char *name; /**< the policy name (skn), e.g. "RootManageSharedAccessKey" */
    const char *key;  /**< the shared access key, as given (its UTF-8 bytes are the HMAC key) */
} famqp_sas_key;

/** Longest audience (decoded sr) famqp_sas_token_verify hands back, in bytes. */
#define FAMQP_SAS_MAX_AUDIENCE 1024
/** Longest token famqp_sas_token_verify reads, in bytes. */
#define FAMQP_SAS_MAX_TOKEN 8192

/** What a verified token says (famqp_sas_token_verify). */
typedef struct famqp_sas_claims {
    /** The resource URI the token is for (sr, percent-decoded),
     *  NUL-terminated, e.g. "sb://localhost/hub". */
    char audience[FAMQP_SAS_MAX_AUDIENCE];
    char key_name[256];      /**< the key it was signed with (skn, decoded) */
    uint64_t expiry_epoch_s; /**< when it expires (se), seconds since 1970 UTC */
} famqp_sas_claims;

/** Verifies a SAS token, as a CBS server does with each put-token: the
 *  text must be `SharedAccessSignature ` and `&`-separated fields with sr,
 *  sig, se and skn once each (any order; others are ignored), skn must
 *  name one of keys, and sig must be the base64 HMAC-SHA256, under that
 *  key, of the sr field as it appears in the token (still percent-encoded)
 *  "
" the se field, compared in constant time.  A token expires when se
 *  <= now_epoch_s.  Tokens made by famqp_sas_token verify, and so do those
 *  of any signer that encodes sr the same way on both sides of the HMAC.
 *
 *  @param token the token's bytes (need not be NUL-terminated)
 *  @param len its length, at most FAMQP_SAS_MAX_TOKEN
 *  @param keys the keys tokens may be signed with
 *  @param nkeys entries in keys
 *  @param now_epoch_s the time now, seconds since 1970 UTC
 *  @param claims receives the audience, key name and expiry on success
 *         (may be NULL); zeroed on failure
 *  @param err the reason on failure (may be NULL), e.g. "SAS token:
 *         expired 12 s ago"
 *  @return FAMQP_AUTH_OK; ERR_ARG when the text is not a SAS token (a
 *          field missing, repeated or badly encoded, too long); ERR_DENIED
 *          for an unknown key name, a wrong signature or an expired token;
 *          ERR_CRYPTO. */
FAMQP_API famqp_auth_status famqp_sas_token_verify(const char *token, size_t len, const famqp_sas_key *keys,
                                                   size_t nkeys, uint64_t now_epoch_s, famqp_sas_claims *claims,
                                                   famqp_auth_error *err);

/* ---- connection strings -------------------------------------------------- */

/** Port of the emulator's plain AMQP when its Endpoint names none. */
#define FAMQP_CONNECTION_STRING_EMULATOR_PORT 5672u
/** Port of AMQP over TLS when the Endpoint names none. */
#define FAMQP_CONNECTION_STRING_TLS_PORT 5671u

/** A parsed connection string.  Every famqp_string is a view into the text
 *  given to famqp_connection_string_parse (not NUL-terminated): the text
 *  must outlive the struct.  Absent values are empty views (len 0). */
typedef struct famqp_connection_string {
    famqp_string endpoint;                /**< Endpoint as written, e.g. "sb://ns.servicebus.windows.net/" */
    famqp_string host;                    /**< its host (an IPv6 literal without brackets) */
    uint16_t port;                        /**< its port, or 5671 (5672 with the emulator) when it names none */
    bool port_given;                      /**< the Endpoint names a port */
    famqp_string shared_access_key_name;  /**< SharedAccessKeyName */
    famqp_string shared_access_key;       /**< SharedAccessKey (used as given, not base64-decoded) */
    famqp_string shared_access_signature; /**< SharedAccessSignature: a whole "SharedAccessSignature sr=..." token */
    famqp_string entity_path;             /**< EntityPath: the event hub, queue or topic */
    bool use_development_emulator;        /**< UseDevelopmentEmulator=true: plain AMQP (amqp://, port 5672 by default) */
} famqp_connection_string;

/** Parses a connection string: `;`-separated `Key=Value` entries (the
 *  value runs to the next `;`, so it may contain `=`), ASCII whitespace
 *  around entries, keys and values ignored, empty entries (a trailing `;`)
 *  skipped.  Keys are case-insensitive, as Microsoft's Python SDK treats
 *  them; keys other than Endpoint, SharedAccessKeyName,
 *  SharedAccessKey, SharedAccessSignature, EntityPath and
 *  UseDevelopmentEmulator are ignored, as their JavaScript and Python
 *  SDKs do.
 *
 *  Errors (ERR_ARG, the message naming the key): an entry without `=` or
 *  without a key; a known key given twice or with an empty value; no
 *  Endpoint; an Endpoint that is not sb://HOST[:PORT][/] (unknown scheme,
 *  empty host, bad port, a path); SharedAccessKeyName without
 *  SharedAccessKey or the reverse; both SharedAccessKey and
 *  SharedAccessSignature; neither; a SharedAccessSignature that does not
 *  start with "SharedAccessSignature "; UseDevelopmentEmulator other than
 *  true or false (any case).
 *
 *  @param text NUL-terminated; the views in *out point into it
 *  @param out filled on success, all zero on failure
 *  @param err the reason on failure (may be NULL)
 *  @return FAMQP_AUTH_OK or FAMQP_AUTH_ERR_ARG. */
FAMQP_API famqp_auth_status famqp_connection_string_parse(const char *text, famqp_connection_string *out,
                                                          famqp_auth_error *err);

/** Writes the AMQP URL to connect to (for famqp_url_parse):
 *  "amqps://HOST:PORT" (port 5671 unless the Endpoint names one), or with
 *  UseDevelopmentEmulator "amqp://HOST:PORT" (port 5672 unless named), as
 *  Microsoft's SDKs connect.  An IPv6 host is written in brackets.
 *  out, cap, len and err as for famqp_sas_token.
 *  @return FAMQP_AUTH_OK, ERR_ARG (cs NULL) or ERR_SPACE. */
FAMQP_API famqp_auth_status famqp_connection_string_amqp_url(const famqp_connection_string *cs, char *out,
                                                             size_t cap, size_t *len, famqp_auth_error *err);

/** Writes the SAS audience of the connection string's entity: the
 *  Endpoint as written, a `/` added when it does not end in one, then the
 *  EntityPath (none: the namespace itself), as \@azure/core-amqp builds it:
 *  e.g. "sb://ns.servicebus.windows.net/myhub".
 *  out, cap, len and err as for famqp_sas_token.
 *  @return FAMQP_AUTH_OK, ERR_ARG (cs NULL) or ERR_SPACE. */
FAMQP_API famqp_auth_status famqp_connection_string_audience(const famqp_connection_string *cs, char *out,
                                                             size_t cap, size_t *len, famqp_auth_error *err);

/** Writes the token to put to $cbs for the connection string's audience
 *  (famqp_connection_string_audience): with SharedAccessKeyName and
 *  SharedAccessKey, a new SAS token expiring at expiry_epoch_s
 *  (famqp_sas_token); with SharedAccessSignature, that token as given
 *  (expiry_epoch_s is not used).
 *  out, cap, len and err as for famqp_sas_token.
 *  @return FAMQP_AUTH_OK, ERR_ARG (cs NULL or holding no credentials),
 *          ERR_SPACE or ERR_CRYPTO. */
FAMQP_API famqp_auth_status famqp_connection_string_token(const famqp_connection_string *cs,
                                                          uint64_t expiry_epoch_s, char *out, size_t cap,
                                                          size_t *len, famqp_auth_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FAMQP_AUTH_H */

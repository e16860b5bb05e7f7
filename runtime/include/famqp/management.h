/** @file famqp/management.h
 * @brief flatamqp: the message side of request/response over AMQP (the
 * AMQP management pattern) and of the CBS put-token request.
 *
 * What every requester needs, whatever runs its links (the blocking
 * client's famqp/request.h, the asynchronous client's requester in
 * famqp/async.h, an application driving the engine itself):
 *
 * - a reply-to address of its own (famqp_management_fresh_reply_to);
 * - a request numbered by a ulong message-id and carrying that reply-to
 *   (famqp_management_set_request);
 * - the response matched by its correlation-id
 *   (famqp_management_correlation_id);
 * - the response's status read from its application properties: the
 *   management draft's "status-code" / "status-description", or the
 *   "statusCode" / "statusDescription" that Azure's $management nodes use
 *   (famqp_management_status);
 * - the claims-based-security put-token request (AMQP CBS 1.0): the
 *   operation, type, name and expiration application properties and the
 *   token as an amqp-value string (famqp_cbs_put_token_request).
 *
 * Threads: pure functions of their arguments (famqp_management_fresh_reply_to
 * reads the kernel's random numbers); any thread.  Nothing here allocates.
 */
#ifndef FAMQP_MANAGEMENT_H
#define FAMQP_MANAGEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/codec.h"
#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The claims-based-security node's address. */
#define FAMQP_CBS_NODE "$cbs"

/** Bytes of a buffer for famqp_management_fresh_reply_to (with the NUL). */
#define FAMQP_MANAGEMENT_REPLY_TO_SIZE 32

/** Most bytes famqp_cbs_put_token_request writes into its buffer for an
 *  audience of audience_len bytes and a type of type_len bytes. */
#define FAMQP_CBS_PUT_TOKEN_PROPERTIES_BYTES(audience_len, type_len) (96u + (audience_len) + (type_len))

/** Writes a fresh reply-to address, "famqp-reply-" and 16 random hex
 *  digits (from getrandom), into out: unique enough that two requesters in
 *  any number of processes never share one.  @return false (out "") when
 *  the kernel gave no random bytes. */
FAMQP_API bool famqp_management_fresh_reply_to(char out[FAMQP_MANAGEMENT_REPLY_TO_SIZE]);

/** Makes *m a request: its message-id the ulong id and its reply-to
 *  reply_to (a view, kept until m is encoded); any message-id or reply-to
 *  it had are replaced, the rest is left as it is. */
FAMQP_API void famqp_management_set_request(famqp_message *m, uint64_t id, const char *reply_to);

/** The ulong correlation-id of a response, matched against the
 *  message-id famqp_management_set_request gave its request.  @return
 *  false when m has no correlation-id or one of another type. */
FAMQP_API bool famqp_management_correlation_id(const famqp_message *m, uint64_t *id);

/** Reads a response's status: *code from "status-code", else
 *  "statusCode" (any integer type whose value fits an int32; -1 when
 *  neither is there), *description from "status-description", else
 *  "statusDescription" (a view into m; len 0 when absent).  description may
 *  be NULL.  @return true when a status code was found. */
FAMQP_API bool famqp_management_status(const famqp_message *m, int32_t *code, famqp_string *description);

/** Builds the CBS put-token request in *m (famqp_message_init first): the
 *  application properties operation "put-token", type, name (the
 *  audience) and expiration (epoch seconds: an int, a long past 2038, as
 *  Microsoft's SDKs send it), written into buf[0..cap), and the token as an
 *  amqp-value string body.  m keeps views of buf and token.  cap
 *  FAMQP_CBS_PUT_TOKEN_PROPERTIES_BYTES(strlen(audience), strlen(type)) is
 *  always enough.  Not a request yet: famqp_management_set_request (or the
 *  requester) numbers it.  @return FAMQP_OK; FAMQP_ERR_LIMIT when buf is
 *  too small; FAMQP_ERR_INVALID_VALUE for a NULL or empty type, audience
 *  or token. */
FAMQP_API famqp_status famqp_cbs_put_token_request(famqp_message *m, uint8_t *buf, size_t cap, const char *type,
                                                   const char *audience, uint64_t expiry_epoch_s, const char *token);

#ifdef __cplusplus
}
#endif

#endif

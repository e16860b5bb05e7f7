/** @file famqp/request.h
 * @brief flatamqp: request/response over AMQP links (the AMQP management
 * pattern) on the blocking client.
 *
 * A requester is a pair of links to one node (e.g. "$management", "$cbs"):
 * a sender whose requests go to the node, and a receiver from the node
 * whose target is the requester's reply-to address.  Each request leaves
 * with a message-id (a ulong the requester numbers) and that reply-to; the
 * node answers with a message whose correlation-id is the request's
 * message-id, and the requester hands it to whoever waits for that id.
 * Many requests may be in flight (famqp_request_start, then
 * famqp_request_wait in any order); famqp_request does both.
 *
 * A response's status is read from its application properties: the
 * management draft's "status-code" / "status-description", or the
 * "statusCode" / "statusDescription" that Azure's $management nodes use.
 *
 * Lost responses: a request whose response does not come within its
 * timeout is given up (a later response to it is accepted and counted by
 * famqp_requester_unmatched).  The client's reconnect reattaches both
 * links, but a response lost with the old connection does not come again:
 * such a request times out, and the application repeats it if that is
 * safe.
 *
 * Threads: a requester belongs to its client's thread, like every client
 * object (famqp/client.h).
 *
 * Results: famqp_client_status; on failure famqp_client_last_error says
 * why.  Timeouts in milliseconds, -1 without limit.
 */
#ifndef FAMQP_REQUEST_H
#define FAMQP_REQUEST_H

#include <stdint.h>

#include "famqp/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Two links to a node that carry requests and their responses. */
typedef struct famqp_requester famqp_requester;

/** A requester's settings; famqp_requester_options_init sets the defaults. */
typedef struct famqp_requester_options {
    /** The address responses are sent to (the receiver's target, the
     *  requests' reply-to, and the receiver's link name); NULL: a fresh
     *  "famqp-reply-" followed by 16 random hex digits. */
    const char *reply_to;
    /** Requests started and not yet waited for, at most; default 64, 1 to
     *  65536.  The receiver's credit window is twice this (credit is
     *  topped up when half is used), so no response waits for credit. */
    uint32_t max_in_flight;
    /** For attaching both links; default (and 0) 10000, -1: no limit. */
    int attach_timeout_ms;
} famqp_requester_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_requester_options_init(famqp_requester_options *o);

/** Attaches the sender to node and the receiver from it (target: the
 *  reply-to address) and waits for both.  opts NULL: defaults.  On failure
 *  *out is NULL, nothing is left attached and the client's error says why
 *  (ERR_REFUSED with the node's condition when it refused a link). */
FAMQP_API famqp_client_status famqp_requester_open(famqp_client *c, const char *node,
                                                   const famqp_requester_options *opts, famqp_requester **out);

/** The reply-to address the requester's requests carry. */
FAMQP_API const char *famqp_requester_reply_to(const famqp_requester *r);

/** Responses that matched no waiting request (given up after a timeout,
 *  or an id never used); each was accepted and dropped. */
FAMQP_API uint64_t famqp_requester_unmatched(const famqp_requester *r);

/** Detaches both links (waiting at most timeout_ms) and frees the
 *  requester.  Responses not yet released are accepted first; requests
 *  still waiting are given up.  NULL: nothing. */
FAMQP_API famqp_client_status famqp_requester_close(famqp_requester *r, int timeout_ms);

/** A response, valid until famqp_response_release. */
typedef struct famqp_response {
    /** The response message: views into the received delivery's bytes. */
    famqp_message message;
    /** "status-code" or "statusCode" (any integer type that fits);
     *  -1 when the response has neither. */
    int32_t status_code;
    /** "status-description" or "statusDescription"; len 0 when absent. */
    famqp_string status_description;
    /** The delivery that carried it (settled by famqp_response_release). */
    famqp_delivery *delivery;
} famqp_response;

/** Sends a request without waiting for its response: a copy of *request
 *  with message-id (a fresh ulong, written to *id) and reply-to set (any
 *  the application set are replaced).  Waits at most timeout_ms for the
 *  sender's window.  ERR_STATE when max_in_flight requests are waiting. */
FAMQP_API famqp_client_status famqp_request_start(famqp_requester *r, const famqp_message *request, int timeout_ms,
                                                  uint64_t *id);

/** Waits at most timeout_ms for the response to request id (responses to
 *  other requests that arrive meanwhile are kept for their waiters).  On
 *  success *out holds it until famqp_response_release.  ERR_TIMEOUT gives
 *  the request up; ERR_ARG: no request id is waiting. */
FAMQP_API famqp_client_status famqp_request_wait(famqp_requester *r, uint64_t id, int timeout_ms,
                                                 famqp_response *out);

/** famqp_request_start, then famqp_request_wait for it, both within
 *  timeout_ms. */
FAMQP_API famqp_client_status famqp_request(famqp_requester *r, const famqp_message *request, int timeout_ms,
                                            famqp_response *out);

/** Accepts the response's delivery (sent with the next I/O) and clears
 *  *response; its message views are invalid from now on.  A cleared
 *  response: nothing. */
FAMQP_API void famqp_response_release(famqp_response *response);

#ifdef __cplusplus
}
#endif

#endif

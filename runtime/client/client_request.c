/* Request/response over a sender/receiver pair (famqp/request.h): requests
 * numbered by message-id, responses matched by correlation-id and held,
 * unsettled, in the slot of the request they answer until released. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "famqp/request.h"

enum { REQUEST_MAX_IN_FLIGHT = 65536 };

typedef struct request_slot {
    uint64_t id;
    bool waiting;            /* started, not yet waited for to the end */
    famqp_delivery *answer;  /* its response, once here */
    famqp_message message;   /* answer's message, decoded when it came */
} request_slot;

struct famqp_requester {
    famqp_client *client;
    famqp_sender *sender;
    famqp_receiver *receiver;
    char *reply_to;
    uint64_t next_id;
    uint64_t unmatched;
    uint32_t cap;
    request_slot *slots;
};

void famqp_requester_options_init(famqp_requester_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_in_flight = 64;
    o->attach_timeout_ms = 10000;
}

static char *fresh_reply_to(void)
{
    char buf[FAMQP_MANAGEMENT_REPLY_TO_SIZE];
    return famqp_management_fresh_reply_to(buf) ? strdup(buf) : NULL;
}

static void requester_free(famqp_requester *r)
{
    free(r->slots);
    free(r->reply_to);
    free(r);
}

void client_requester_drop(famqp_requester *r)
{
    if (r)
        requester_free(r);
}

famqp_client_status famqp_requester_open(famqp_client *c, const char *node, const famqp_requester_options *opts,
                                         famqp_requester **out)
{
    *out = NULL;
    famqp_requester_options defaults;
    if (!opts) {
        famqp_requester_options_init(&defaults);
        opts = &defaults;
    }
    if (!node || !*node)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "a requester needs a node address");
    if (opts->max_in_flight < 1 || opts->max_in_flight > REQUEST_MAX_IN_FLIGHT)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "requester max_in_flight %" PRIu32 ": must be from 1 to %d", opts->max_in_flight,
                                REQUEST_MAX_IN_FLIGHT);
    famqp_requester *r = calloc(1, sizeof *r);
    if (!r)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory for a requester");
    r->client = c;
    r->cap = opts->max_in_flight;
    r->slots = calloc(r->cap, sizeof *r->slots);
    r->reply_to = opts->reply_to ? strdup(opts->reply_to) : fresh_reply_to();
    r->next_id = 1;
    if (!r->slots || !r->reply_to) {
        requester_free(r);
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory for a requester");
    }
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.attach_timeout_ms = opts->attach_timeout_ms;
    famqp_client_status st = famqp_sender_open(c, node, &so, &r->sender);
    if (st != FAMQP_CLIENT_OK) {
        requester_free(r);
        return st;
    }
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.attach_timeout_ms = opts->attach_timeout_ms;
    /* Every waiting request's response can come: credit is topped up when
     * half of the window is used, so the window is twice the requests. */
    ro.credit_window = 2 * r->cap;
    ro.target_address = r->reply_to;
    ro.name = r->reply_to;
    st = famqp_receiver_open(c, node, &ro, &r->receiver);
    if (st != FAMQP_CLIENT_OK) {
        famqp_client_error keep = *famqp_client_last_error(c);
        famqp_sender_close(r->sender, 0);
        requester_free(r);
        return client_set_error(c, keep.status, keep.condition, keep.description, "%s", keep.message);
    }
    *out = r;
    return FAMQP_CLIENT_OK;
}

const char *famqp_requester_reply_to(const famqp_requester *r) { return r->reply_to; }
uint64_t famqp_requester_unmatched(const famqp_requester *r) { return r->unmatched; }

famqp_client_status famqp_requester_close(famqp_requester *r, int timeout_ms)
{
    if (!r)
        return FAMQP_CLIENT_OK;
    for (uint32_t i = 0; i < r->cap; i++)
        if (r->slots[i].answer)
            famqp_delivery_accept(r->slots[i].answer);
    uint64_t deadline = client_deadline(timeout_ms);
    famqp_client_status st = famqp_sender_close(r->sender, timeout_ms);
    int left = deadline ? famqp_io_ms_until(deadline) : -1;
    famqp_client_status st2 = famqp_receiver_close(r->receiver, left);
    requester_free(r);
    return st != FAMQP_CLIENT_OK ? st : st2;
}

static request_slot *find(famqp_requester *r, uint64_t id)
{
    for (uint32_t i = 0; i < r->cap; i++)
        if (r->slots[i].waiting && r->slots[i].id == id)
            return &r->slots[i];
    return NULL;
}

famqp_client_status famqp_request_start(famqp_requester *r, const famqp_message *request, int timeout_ms,
                                        uint64_t *id)
{
    *id = 0;
    request_slot *slot = NULL;
    for (uint32_t i = 0; i < r->cap && !slot; i++)
        if (!r->slots[i].waiting)
            slot = &r->slots[i];
    if (!slot)
        return client_set_error(r->client, FAMQP_CLIENT_ERR_STATE, NULL, NULL,
                                "%" PRIu32 " requests wait for responses (max_in_flight): wait for one first",
                                r->cap);
    famqp_message m = *request;
    famqp_management_set_request(&m, r->next_id, r->reply_to);
    famqp_client_status st = famqp_send_async(r->sender, &m, timeout_ms);
    if (st != FAMQP_CLIENT_OK)
        return st;
    slot->id = r->next_id++;
    slot->waiting = true;
    slot->answer = NULL;
    *id = slot->id;
    return FAMQP_CLIENT_OK;
}

/* Hands the slot's response to *out (decoded once, when it arrived). */
static void answer(request_slot *slot, famqp_response *out)
{
    memset(out, 0, sizeof *out);
    out->delivery = slot->answer;
    out->message = slot->message;
    slot->waiting = false;
    slot->answer = NULL;
    famqp_management_status(&out->message, &out->status_code, &out->status_description);
}

famqp_client_status famqp_request_wait(famqp_requester *r, uint64_t id, int timeout_ms, famqp_response *out)
{
    memset(out, 0, sizeof *out);
    request_slot *slot = find(r, id);
    if (!slot)
        return client_set_error(r->client, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "no request %" PRIu64 " is waiting",
                                id);
    uint64_t deadline = client_deadline(timeout_ms);
    while (!slot->answer) {
        famqp_delivery *d;
        famqp_client_status st = famqp_receive(r->receiver, deadline ? famqp_io_ms_until(deadline) : -1, &d);
        if (st != FAMQP_CLIENT_OK) {
            slot->waiting = false; /* given up: a late response is unmatched */
            if (st == FAMQP_CLIENT_ERR_TIMEOUT)
                client_set_error(r->client, st, NULL, NULL, "no response to request %" PRIu64 " within %d ms", id,
                                 timeout_ms);
            return st;
        }
        famqp_message m;
        uint64_t cid;
        request_slot *to = NULL;
        if (famqp_delivery_read_message(d, &m, NULL) == FAMQP_OK && famqp_management_correlation_id(&m, &cid))
            to = find(r, cid);
        if (to && !to->answer) {
            to->answer = d;
            to->message = m;
        } else {
            r->unmatched++;
            famqp_delivery_accept(d);
        }
    }
    answer(slot, out);
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_request(famqp_requester *r, const famqp_message *request, int timeout_ms,
                                  famqp_response *out)
{
    memset(out, 0, sizeof *out);
    uint64_t deadline = client_deadline(timeout_ms);
    uint64_t id;
    famqp_client_status st = famqp_request_start(r, request, timeout_ms, &id);
    if (st != FAMQP_CLIENT_OK)
        return st;
    return famqp_request_wait(r, id, deadline ? famqp_io_ms_until(deadline) : -1, out);
}

void famqp_response_release(famqp_response *response)
{
    if (response->delivery)
        famqp_delivery_accept(response->delivery);
    memset(response, 0, sizeof *response);
}

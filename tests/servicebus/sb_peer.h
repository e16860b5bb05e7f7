/* A Service Bus stand-in for the famqp/servicebus.h tests: the engine's
 * server role over a loopback listener, in a thread.  It serves
 *   "q"              a queue of SB_PEER_MESSAGES peek-lock messages (or
 *                    pre-settled ones when the receiver asks for
 *                    snd-settle-mode settled), each with a 16-byte delivery
 *                    tag and the x-opt-* annotations Service Bus sets;
 *   "sq"             the same as a session queue: the attach's
 *                    com.microsoft:session-filter is answered with the
 *                    session asked for, or grant_session for null (no
 *                    filter entry when grant_session is NULL), and the
 *                    property com.microsoft:locked-until-utc;
 *   "q/$management"  renew-lock requests, answered as renew_reply says
 *                    ("sq/$management" the same, and renew-session-lock:
 *                    {"expiration": SB_PEER_RENEWED});
 * message 3 also carries the annotation x-opt-lock-token
 * abcdef01-2345-6789-abcd-ef0123456789.  It records what the client sent:
 * the receiver's attach, every disposition (its state with the maps'
 * bytes) and every request. */
#ifndef FAMQP_TEST_SB_PEER_H
#define FAMQP_TEST_SB_PEER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "famqp/engine.h"
#include "famqp/io.h"

#define SB_PEER_MESSAGES 4
/* Locked-until of message i: SB_PEER_LOCKED_UNTIL + i (ms). */
#define SB_PEER_LOCKED_UNTIL INT64_C(1700000000000)
/* Session lock end granted: 2024-01-02T03:04:05.678Z. */
#define SB_PEER_SESSION_LOCKED_UNTIL INT64_C(1704164645678)
/* What renew-lock answers with: expiration of token i = SB_PEER_RENEWED + i. */
#define SB_PEER_RENEWED INT64_C(1800000000000)

enum sb_renew_reply {
    SB_RENEW_OK = 0,       /* statusCode 200, {"expirations": [...]} */
    SB_RENEW_GONE,         /* statusCode 410, statusDescription, no condition */
    SB_RENEW_CONDITION,    /* statusCode 400 with errorCondition com.microsoft:argument-error */
    SB_RENEW_NO_EXPIRATIONS /* statusCode 200, body {"something": 1} */
};

typedef struct sb_disposition {
    uint8_t tag0;  /* first byte of the delivery's tag: the message's number */
    famqp_outcome_kind kind;
    bool settled;
    bool delivery_failed, delivery_failed_absent, undeliverable_here;
    char condition[128];
    bool has_description;
    uint8_t info[1024];
    size_t info_len;
    uint32_t info_count;
    uint8_t annotations[1024];
    size_t annotations_len;
    uint32_t annotations_count;
} sb_disposition;

typedef struct sb_request {
    uint8_t bytes[2048]; /* the request message as received */
    size_t len;
} sb_request;

typedef struct sb_peer {
    famqp_listener *listener;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    /* set before the client connects */
    int renew_reply;           /* enum sb_renew_reply */
    bool lock_lost;            /* settlements answered with rejected message-lock-lost */
    bool never_settle;         /* settlements never answered */
    const char *grant_session; /* "sq" with a null filter: this session */
    FILE *log;                 /* when set: one line per attach and disposition (sb_peer_main) */
    /* recorded (read under mu) */
    pthread_mutex_t mu;
    bool attached;
    uint8_t snd_settle_mode, rcv_settle_mode;
    uint8_t attach_properties[512];
    size_t attach_properties_len;
    uint32_t attach_properties_count;
    uint8_t filter[512];
    size_t filter_len;
    uint32_t filter_count;
    sb_disposition disps[16];
    size_t ndisps;
    sb_request reqs[8];
    size_t nreqs;
} sb_peer;

void sb_peer_start(sb_peer *p);
void sb_peer_stop(sb_peer *p);
/* The tag of message i: i, then 0x11 0x22 0x33 ... 0xff. */
void sb_peer_tag(uint8_t i, uint8_t tag[16]);

#endif

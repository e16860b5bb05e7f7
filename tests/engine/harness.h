/* Test harness for the protocol engine: two engines wired in memory, with
 * chunked byte transport, an event log per side, and simple automatic
 * behaviour (answering opens, settling deliveries) configurable per test. */
#ifndef FAMQP_TEST_ENGINE_HARNESS_H
#define FAMQP_TEST_ENGINE_HARNESS_H

#include <check.h>
#include <stdint.h>

#include "famqp/engine.h"
#include "famqp/frame.h"
#include "famqp_spec.h"
#include "famqp_test_assert.h"

enum chunking { CHUNK_WHOLE = 0, CHUNK_BYTE, CHUNK_RANDOM };

/* What a side does with received deliveries. */
enum on_delivery {
    DELIV_HOLD = 0,  /* keep them in held[] for the test */
    DELIV_ACCEPT,
    DELIV_REJECT,
    DELIV_RELEASE,
    DELIV_MODIFY,
    DELIV_SETTLE
};

#define MAX_LOG 8192
#define MAX_HELD 4096

typedef struct side {
    famqp_connection *c;
    const char *name;
    famqp_event_type log[MAX_LOG];
    size_t nlog;
    size_t count[FAMQP_EVENT_COUNT];
    char cond[128];       /* last event condition name ("" when none) */
    char desc[512];
    /* behaviour */
    bool answer;          /* answer remote open/begin/attach */
    famqp_link_options answer_opts;
    enum on_delivery on_delivery;
    /* received */
    famqp_delivery *held[MAX_HELD];
    size_t nheld;
    size_t nrecv;
    uint64_t recv_bytes;
    uint64_t recv_sum;    /* sum of all message bytes, for content checks */
    size_t last_len;
    uint8_t last_tag[32];
    size_t last_tag_len;
    bool last_remote_settled;
    famqp_link *last_link;
    famqp_session *last_session;
    /* sender-side outcomes seen */
    size_t outcome[FAMQP_OUTCOME_DECLARED + 1];
    size_t remote_settled;
    char outcome_cond[128];
    char outcome_desc[256];
    bool last_modified_failed, last_modified_undeliverable;
    /* frames counted by kind (AMQP performatives this side sent) */
    size_t sent_kind[FAMQP_ANY_FRAME_OTHER + 1];
    /* of those, the ones whose list holds fewer entries than the
     * performative has fields (trailing absent fields dropped) */
    size_t short_kind[FAMQP_ANY_FRAME_OTHER + 1];
    bool count_frames;
} side;

typedef struct pair {
    side a, b; /* a: client, b: server */
    enum chunking chunking;
    uint64_t rng;
    size_t bytes_moved;
} pair;

/* Options for a client / server with no SASL and small defaults. */
void harness_client_options(famqp_connection_options *o);
void harness_server_options(famqp_connection_options *o);

void pair_init(pair *p, const famqp_connection_options *client, const famqp_connection_options *server,
               enum chunking mode);
void pair_free(pair *p);
/* Moves bytes both ways and handles events until nothing changes. */
void pair_pump(pair *p);
/* Connection open on both sides, one session each (client initiated). */
void pair_connect(pair *p, famqp_session **cs, famqp_session **ss);
/* pair_init with the harness' client and server options (random
 * chunking), then pair_connect. */
void pair_connected(pair *p, famqp_session **cs, famqp_session **ss);
/* Fails the test when either side's connection failed, naming why. */
void pair_assert_no_failure(const pair *p);
/* Attaches a client link and runs until the server answered.  Returns the
 * client link; *server_link gets the server's. */
famqp_link *pair_attach(pair *p, famqp_session *cs, const char *name, famqp_link_role role,
                        const famqp_link_options *opts, famqp_link **server_link);
/* Handles pending events of one side. */
void side_drain_events(side *s);
/* Feeds raw bytes to a side (as if from its peer). */
void side_feed(pair *p, side *s, const uint8_t *data, size_t n);
/* Writes a complete AMQP frame for a performative into buf; returns size. */
size_t build_frame(uint8_t *buf, size_t cap, uint16_t channel, const famqp_any_frame *f, const uint8_t *payload,
                   size_t payload_len);

uint64_t harness_rand(uint64_t *state);

/* An allocator hook that counts live blocks and calls, and can fail the
 * n-th call (1-based; 0 = never). */
typedef struct counting {
    long live;
    long calls;
    long fail_at;
} counting;
famqp_allocator counting_allocator(counting *c);

#endif

/* famqp-broker's Event Hubs partitions (broker_eventhub.c): each an
 * append-only log of stamped events (sequence numbers from 0, byte
 * offsets, enqueued times) bounded by --eh-max-events and --eh-max-bytes
 * (the oldest dropped), and the readers (partition receivers, each a
 * consumer with a cursor) on it.  Also read by broker_management.c.
 *
 * Threads: everything here is shared (broker.mu), except what is marked
 * own (the reader's worker). */
#ifndef FAMQP_BROKER_EVENTHUB_H
#define FAMQP_BROKER_EVENTHUB_H

#include "broker.h"

/* One stored event: its message, annotations stamped in. */
typedef struct eh_event {
    int64_t seq;
    uint64_t offset;
    int64_t enqueued_ms;
    size_t len;
    uint8_t data[];
} eh_event;

typedef struct eh_partition {
    eh_event **ring;     /* retained events, oldest at start */
    size_t cap, start, count;
    size_t bytes;        /* their len summed */
    int64_t first_seq;   /* the oldest retained event's (next_seq when empty) */
    int64_t next_seq;    /* the next event's */
    uint64_t next_offset;
    int64_t last_ms;     /* the newest event's enqueued time (0: none ever) */
    consumer **readers;  /* every reader of it, any consumer group */
    size_t nreaders, rcap;
} eh_partition;

typedef struct eh_hub {
    const emu_hub *cfg;
    eh_partition *parts; /* [cfg->partitions] */
    uint32_t rr;         /* the partition the next keyless send to the hub goes to */
    int64_t created_ms;
} eh_hub;

typedef struct eh_reader {
    eh_hub *hub;
    uint32_t part;
    size_t group;       /* index into hub->cfg->groups */
    bool has_epoch;
    int64_t epoch;      /* com.microsoft:epoch */
    bool listed;        /* mu: in its partition's readers */
    int64_t next_seq;   /* mu: the next event to send */
    bool stolen;        /* mu: a higher epoch took the partition: its worker detaches it */
    char stolen_by[160];/* mu: the description it gets */
    bool runtime_metric; /* asked for com.microsoft:enable-receiver-runtime-metric */
    uint8_t *scratch;    /* own: an event with its runtime info (grown, never shrunk) */
    size_t scratch_cap;
} eh_reader;

/* The hub of that name (without case), or NULL. */
eh_hub *eh_find_hub(broker *b, famqp_string name);

#endif

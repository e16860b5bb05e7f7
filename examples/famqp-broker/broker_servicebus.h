/* famqp-broker's Service Bus entities (broker_servicebus.c): queues,
 * topics (a send is copied to every subscription) and subscriptions, each
 * with a dead-letter queue; their messages with sequence numbers, lock
 * tokens, delivery counts, deferral, schedules and expiry times; sessions;
 * and the receivers on them.  Also used by broker_servicebus_mgmt.c.
 *
 * Threads: everything here is shared (broker.mu), except what is marked
 * own (the receiver's worker). */
#ifndef FAMQP_BROKER_SERVICEBUS_H
#define FAMQP_BROKER_SERVICEBUS_H

#include "broker.h"

/* A stored message's state. */
enum sb_state_kind {
    SB_AVAILABLE = 0, /* waiting for a receiver */
    SB_LOCKED,        /* peek-locked until locked_until */
    SB_DEFERRED,      /* deferred: only received by sequence number */
    SB_SCHEDULED      /* not visible until visible_ms */
};

typedef struct sb_msg {
    struct sb_msg *prev, *next; /* its entity's messages, by sequence number */
    int64_t seq;
    int64_t enqueued_ms;
    int64_t expires_ms;         /* INT64_MAX: never */
    int64_t visible_ms;         /* SB_SCHEDULED: when it becomes available */
    uint32_t delivery_count;    /* failed deliveries so far (abandons, lock expiries) */
    uint8_t state;              /* enum sb_state_kind */
    bool deferred;              /* deferred once: an abandon or lock expiry defers it again */
    uint8_t lock[16];           /* SB_LOCKED: the lock token (uuid bytes as the SDKs send them) */
    int64_t locked_until;
    consumer *holder;           /* SB_LOCKED through a link: its receiver (NULL once it left) */
    char *session;              /* its session id (properties.group-id), NULL: none */
    size_t len;
    uint8_t data[];             /* the message as the sender sent it (or as dead-lettered) */
} sb_msg;

typedef struct sb_session {
    char *id;
    consumer *owner;      /* the receiver holding it, NULL: free */
    int64_t locked_until;
    uint8_t *state;       /* get/set-session-state; NULL: none */
    size_t state_len;
} sb_session;

typedef struct sb_entity {
    char *path;                 /* "q", "t/Subscriptions/s", "q/$deadletterqueue", ... */
    const emu_sb_props *props;
    bool topic;                 /* a topic: stores nothing, copies to subs */
    struct sb_entity **subs;    /* topic: its subscriptions */
    size_t nsubs;
    struct sb_entity *dlq;      /* its dead-letter queue; NULL: this is one (or a topic) */
    bool is_dlq;
    sb_msg *head, *tail;
    size_t count;
    int64_t next_seq;           /* queues and topics: the next sequence number */
    consumer **receivers;
    size_t nreceivers, rcap;
    sb_session *sessions;
    size_t nsessions, scap;
    struct sb_rules *rules;     /* a subscription's compiled rules; NULL: every message */
    struct sb_entity *fwd;      /* ForwardTo: where its messages go instead (a queue or topic); NULL: none */
    struct sb_entity *fwd_dlq;  /* ForwardDeadLetteredMessagesTo: where its dead letters go; NULL: its DLQ */
    struct sb_dup *dups;        /* RequiresDuplicateDetection: message ids seen in the window, oldest first */
    size_t ndups, dcap;
} sb_entity;

/* A message id a queue or topic saw (duplicate detection). */
typedef struct sb_dup {
    char *id;
    int64_t at_ms;
} sb_dup;

/* Message ids remembered per entity for duplicate detection, at most (the
 * oldest forgotten first, as if its window had passed); forwarding hops a
 * message takes at most (the service's limit), then it stays where it is. */
enum { SB_MAX_DUPLICATE_IDS = 100000, SB_MAX_FORWARD_HOPS = 4 };

typedef struct sb_receiver {
    sb_entity *ent;
    bool peek_lock;
    char *session;       /* a session receiver's session, NULL: none */
    bool listed;         /* mu: in ent->receivers */
    bool lost;           /* mu: its session's lock ended: its worker detaches it */
    uint8_t *scratch;    /* own: the message being sent (grown, never shrunk) */
    size_t scratch_cap;
    uint8_t *ann;        /* own: its message-annotations */
    size_t ann_cap;
} sb_receiver;

struct sb_state {
    sb_entity **ents; /* every queue, topic, subscription and dead-letter queue */
    size_t nents;
    famqp_loop_timer *tick; /* lock expiry, schedules, time to live (on tick_worker) */
    unsigned tick_worker;
    uint64_t lock_counter;  /* mu */
};

/* .NET ticks (100 ns since 0001-01-01) at the Unix epoch. */
#define SB_TICKS_AT_EPOCH INT64_C(621355968000000000)

int64_t sb_now_ms(void);
/* The entity an entity path names (without case), or NULL. */
sb_entity *sb_find(broker *b, const char *path, size_t len);
/* mu held: a new lock token into lock (unique for the broker's life). */
void sb_new_lock(broker *b, int64_t seq, uint8_t lock[16]);
/* mu held: the locked message with that token in e, or NULL. */
sb_msg *sb_find_locked(sb_entity *e, const uint8_t lock[16]);
/* mu held: the message with that sequence number in e, or NULL. */
sb_msg *sb_find_seq(sb_entity *e, int64_t seq);
/* mu held, on worker w: how a settlement changes m (locked in e).  kind:
 * 'c' complete (m freed), 'a' abandon, 'd' defer, 'x' dead-letter (reason,
 * description: NULL for none); props (count 0: none): application
 * properties to set.  False: out of memory (m unchanged). */
bool sb_settle(worker *w, sb_entity *e, sb_msg *m, char kind, const char *reason, const char *description,
               famqp_map props);
/* mu held: stores the message ev[0..n) in e (a topic: in each
 * subscription) as a send does; *seq its sequence number.  False with why
 * ("quota exceeded: ..." when an entity holds --max-depth messages). */
bool sb_store(worker *w, sb_entity *e, const uint8_t *ev, size_t n, int64_t *seq, char *why, size_t cap);
/* mu held: removes the scheduled message seq from e (a topic: from its
 * subscriptions); false when there is none. */
bool sb_cancel_scheduled(sb_entity *e, int64_t seq);
/* mu held: the message as delivered (header delivery-count,
 * x-opt-sequence-number, x-opt-enqueued-time, and when locked
 * x-opt-locked-until and x-opt-lock-token) into *buf (grown); its length,
 * 0 when out of memory or it does not decode. */
size_t sb_render(const sb_msg *m, bool locked, uint8_t **buf, size_t *cap, uint8_t **ann, size_t *ann_cap);
/* mu held: the session of that id in e, created when create (NULL: none,
 * or out of memory). */
sb_session *sb_session_get(sb_entity *e, const char *id, size_t len, bool create);
/* broker_servicebus_rules.c: a subscription's rules (path: its name in
 * messages), compiled once (*out NULL: no rules, every message goes to
 * it); false: out of memory or a property value that is not a string,
 * number or boolean.  Unevaluated SQL filters and actions are said on
 * stderr. */
bool sb_rules_compile(const char *path, const emu_subscription *sub, struct sb_rules **out);
void sb_rules_free(struct sb_rules *r);
/* m (decoded) matches one of the rules (r NULL: yes). */
bool sb_rules_match(const struct sb_rules *r, const famqp_message *m);

/* broker_servicebus_mgmt.c: opens l as one of cl's <entity>/$management
 * links (addr that node). */
void sb_mgmt_attach(client *cl, famqp_link *l, bool sender, const char *addr);
/* mu held: receivers of e with credit are woken. */
void sb_wake(worker *w, sb_entity *e);

#endif

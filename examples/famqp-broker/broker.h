/* famqp-broker: an in-memory queue broker on the engine's server role, run
 * by N famqp_loops on N threads (--threads).  Shared types of
 * broker_main.c (options, threads, signals), broker_worker.c (one loop's
 * thread and the hand-over between threads), broker_conn.c (accepting,
 * and the engine events of one client connection), broker_queue.c
 * (queues), broker_pool.c (message blocks), broker_cbs.c (the $cbs node
 * and token checks of --sas-key), broker_node.c (the links of request/
 * response nodes), broker_eventhub.c (Event Hubs partitions, publishers,
 * readers), broker_management.c (the Event Hubs $management node) and
 * broker_servicebus*.c (Service Bus entities, their $management node and
 * subscription rules) and broker_txn.c (the transaction coordinator).
 *
 * Threads: a connection, its engine objects, its consumers' in-flight
 * lists and everything marked "own" belong to the worker (loop and thread)
 * that runs it.  Queues, and every field marked "mu", are shared: touched
 * only with broker.mu held, never while calling the engine of another
 * worker.  A worker hands work to another by putting it on the target's
 * mu lists and waking it with one famqp_loop_post (worker_wake). */
#ifndef FAMQP_BROKER_H
#define FAMQP_BROKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/auth.h"
#include "famqp/engine.h"
#include "famqp/io.h"
#include "famqp/loop.h"

#include "emulator_config.h"

/* A stored message: the bytes of its sections as the producer sent them.
 * Linked into its queue, a consumer's outbox, or the in-flight list of the
 * consumer it was sent to (until that consumer's outcome). */
typedef struct message {
    struct message *prev, *next;
    uint64_t id; /* also the delivery tag (8 bytes, big-endian) */
    /* --accept-when-consumed: the producer's delivery, still unsettled,
     * settled with the consumer's outcome by the producer's worker, when
     * its producer slot still has generation origin_gen (0: no origin). */
    famqp_delivery *origin;
    unsigned origin_worker;
    uint32_t origin_slot, origin_gen;
    size_t len;
    uint32_t format;    /* the transfer's message-format, passed on as it came */
    uint16_t home;      /* the worker whose pool made the block */
    uint8_t pool_class; /* its size class; POOL_CLASSES: malloc'd alone */
    uint8_t data[];
} message;

/* broker_pool.c: message blocks in three size classes, cached per worker. */
enum { POOL_CLASSES = 3 };
typedef struct msg_pool {
    message *cache[POOL_CLASSES]; /* own: free blocks (linked by next) */
    size_t cached[POOL_CLASSES];  /* own: how many */
    message **giveback;           /* own: [threads] blocks of other homes, to return */
    uint32_t *giveback_count;     /* own: [threads] */
    message *returned;            /* mu: this worker's blocks other workers gave back */
} msg_pool;

typedef struct msg_list {
    message *head, *tail;
    size_t count;
    size_t bytes; /* their len together */
} msg_list;

struct client;
struct worker;

/* Our sender link: a consumer of a queue. */
typedef struct consumer {
    famqp_link *link;
    struct queue *queue;
    struct client *client;
    bool presettled;   /* the receiver asked for settled deliveries */
    msg_list inflight; /* own: sent, outcome not yet known (send order) */
    /* mu: */
    bool attached;              /* in its queue's consumer list */
    msg_list outbox;            /* given to it by queue_dispatch, not sent yet */
    uint32_t credit;            /* its link credit less its outbox, as last reported */
    bool ready;                 /* in its worker's ready list */
    struct consumer *ready_next;
    uint64_t auth_expiry_s; /* own: --sas-key: when the token that allows it expires; 0: none needed */
    struct eh_reader *eh;   /* an Event Hubs partition reader (broker_eventhub.c), queue NULL; else NULL */
    /* own (broker_stall.c): it has credit but cannot take a message now
     * (max_unsettled_per_link reached, or its connection's output over
     * budget), since stalled_since_ms (its worker loop's clock) */
    bool stalled;
    uint64_t stalled_since_ms;
    struct sb_receiver *sb; /* a Service Bus receiver (broker_servicebus.c), queue NULL; else NULL */
} consumer;

/* Our receiver link: a producer into a queue. */
typedef struct producer {
    famqp_link *link;
    struct queue *queue;
    struct client *client;
    uint32_t slot;   /* own: in its worker's producer slots */
    bool topup;      /* mu: in its worker's top-up list */
    struct producer *topup_next;
    uint64_t auth_expiry_s; /* own: as consumer's */
    struct eh_hub *hub;     /* an Event Hubs publisher (broker_eventhub.c), queue NULL; else NULL */
    int32_t partition;      /* with hub: the partition it sends to, -1: spread by key or in turn */
    size_t largest;         /* own: its largest message so far (credit by bytes, broker_budget.c) */
    struct sb_entity *sbe;  /* a Service Bus sender (broker_servicebus.c), queue NULL; else NULL */
} producer;

/* mu, all of it. */
typedef struct queue {
    struct queue *next; /* in its hash bucket (broker_queues.c) */
    char *name;
    uint64_t hash;
    bool idle;                           /* on the idle list: empty, no link */
    struct queue *idle_prev, *idle_next; /* the idle list, oldest first */
    uint64_t idle_since_ms;              /* CLOCK_MONOTONIC */
    msg_list messages;
    consumer **consumers;
    size_t nconsumers, cap;
    size_t rr; /* next consumer to serve (round-robin) */
    producer **producers;
    size_t nproducers, pcap;
    size_t txn_refs;  /* mu: sends and acknowledgements open transactions hold for it (broker_txn.c) */
    bool full_logged; /* reaching --max-depth was logged */
    bool blocked;     /* a producer was refused credit: top them up when there is room */
} queue;

typedef struct broker_config {
    const char *user, *password; /* PLAIN required when set */
    uint32_t credit;             /* credit window granted to producers */
    size_t max_depth;            /* stop granting producers credit above this */
    bool verbose;
    bool accept_when_consumed;   /* settle producers' messages with the consumer's outcome */
    bool tls;                    /* serving amqps (names plain clients as such) */
    unsigned threads;            /* --threads: workers */
    famqp_sas_key *sas_keys;     /* --sas-key: CBS required when nsas_keys > 0 */
    size_t nsas_keys;
    const emu_config *entities;  /* --config, --event-hub, ...: read-only once running */
    size_t eh_max_events;        /* --eh-max-events: events an Event Hubs partition retains */
    size_t eh_max_bytes;         /* --eh-max-bytes: their bytes */
    uint64_t detach_stalled_ms;  /* --detach-stalled-after: 0 = never */
    uint64_t auto_delete_ms;     /* --auto-delete-after: 0 = never */
    size_t max_queues;           /* --max-queues */
    size_t max_memory;           /* --max-memory: bytes of messages held, all queues */
    size_t max_queue_bytes;      /* --max-queue-bytes: bytes of messages queued, per queue */
    uint32_t handshake_ms;       /* --handshake-timeout: header, SASL and open within it */
    uint32_t idle_timeout_ms;    /* --idle-timeout: the engine's (advertised half); 0: none */
    uint32_t max_auth_rate;      /* --max-auth-rate: PLAIN checks a second, all clients */
    bool allow_authzid;          /* --allow-authzid: a PLAIN authzid may name another identity */
} broker_config;

/* A producer's outcome on its way to the producer's worker. */
typedef struct settle {
    struct settle *next;
    famqp_delivery *delivery;
    uint32_t slot, gen;
    famqp_outcome_kind kind;
    char *name, *description; /* a rejection's error (copies) */
} settle;

/* A socket accepted by worker 0 for another worker. */
typedef struct incoming {
    struct incoming *next;
    famqp_io *io;
} incoming;

typedef struct worker {
    struct broker *b;
    unsigned index;
    famqp_loop *loop;
    pthread_t thread;
    bool run_failed; /* famqp_loop_run failed */
    /* own: */
    struct client **clients;
    size_t nclients, cap;
    struct client *current; /* whose events are being handled (its output goes out anyway) */
    bool stopping;          /* shutting down: no more dispatching */
    famqp_loop_timer *topup_timer; /* producer credit, after this wake-up's events */
    famqp_loop_timer *retry_timer; /* wake posts that failed (queue full) */
    famqp_loop_timer *cbs_timer;   /* --sas-key: links whose tokens expired, every second */
    famqp_loop_timer *stall_timer; /* --detach-stalled-after: stalled consumers (broker_stall.c) */
    famqp_loop_timer *budget_timer; /* producers waiting for --max-memory room (broker_budget.c) */
    famqp_loop_timer *queue_timer; /* worker 0, --auto-delete-after: unused queues (broker_queues.c) */
    bool *need_wake;               /* [threads]: a wake post to retry */
    producer **slots;              /* producers by slot; NULL: free */
    uint32_t *gens;                /* each slot's generation (bumped when freed) */
    uint32_t nslots;
    unsigned next_accept;          /* worker 0: the next worker to get a socket */
    msg_pool pool;                 /* message blocks (returned: under mu) */
    /* mu: */
    bool wake_posted; /* a wake is queued (or being retried) */
    consumer *ready;  /* consumers with an outbox to send */
    producer *topups; /* producers that may need credit */
    settle *settles;
    incoming *incoming;
} worker;

typedef struct broker {
    broker_config cfg;
    pthread_mutex_t mu;
    queue **buckets;  /* mu: the queues by name (broker_queues.c) */
    size_t nbuckets, nqueues;
    queue *idle_head, *idle_tail;           /* mu: empty queues without links, oldest first */
    uint64_t queue_lookups, queue_compares; /* mu: names looked up, names compared (--verbose at exit) */
    bool sweep_armed, sweep_request; /* mu: worker 0's queue timer runs / is to be started */
    atomic_size_t held_bytes;        /* message blocks held (pool_get to pool_put), header included */
    size_t nproducers;               /* mu: producers of all queues */
    uint64_t next_id; /* mu */
    worker *workers;  /* [cfg.threads] */
    struct auth_guard *auth; /* --user: failed logins per address (broker_auth.c) */
    struct eh_hub *hubs; /* the configured event hubs (contents: mu) */
    size_t nhubs;
    struct sb_state *sb; /* the configured Service Bus entities (broker_servicebus.c); NULL: none */
} broker;

/* broker_node.c: the links of a request/response node ($cbs,
 * $management) on one connection. */
/* NODE_MAX_LARGE_RESPONSE: a response past NODE_MAX_RESPONSE (Service Bus
 * messages in a peek or deferred receive) is encoded on the heap, up to it. */
enum { NODE_MAX_LINKS = 16, NODE_MAX_RESPONSE = 4096, NODE_MAX_LARGE_RESPONSE = 1 << 20 };
typedef struct node_reply {
    famqp_link *link; /* our sender, source the node */
    char *name;       /* its link name */
    char *target;     /* the peer's target address ("" when none) */
} node_reply;
typedef struct node_links {
    famqp_link *requests[NODE_MAX_LINKS]; /* our receivers, target the node */
    size_t nrequests;
    node_reply replies[NODE_MAX_LINKS];
    size_t nreplies;
    uint64_t tag;
} node_links;

typedef struct client {
    worker *w;
    size_t index;              /* in w->clients */
    famqp_io *io;              /* owned by lc once bound (or by us before) */
    famqp_connection *conn;    /* owned by lc */
    famqp_loop_watch *hello;   /* before binding: waits for the protocol header */
    famqp_loop_conn *lc;       /* after binding: drives io and conn */
    consumer **consumers;
    size_t nconsumers, ccap;
    producer **producers;
    size_t nproducers, pcap;
    bool tls_hello; /* sent a TLS ClientHello to our plain port */
    struct client_cbs *cbs; /* --sas-key: its $cbs links and tokens (broker_cbs.c); NULL until used */
    node_links *mgmt;       /* its $management links (broker_management.c); NULL until used */
    famqp_loop_timer *deadline; /* broker_deadline.c: the handshake's */
    enum { CLIENT_AUTH_WAIT, CLIENT_HANDSHAKE, CLIENT_CLOSING, CLIENT_OPEN } phase;
    bool sasl; /* its header asked for SASL */
    node_links *sbmgmt;     /* its <entity>/$management links (broker_servicebus_mgmt.c); NULL until used */
    struct client_txn *txn; /* its coordinator links and transactions (broker_txn.c); NULL until used */
} client;
typedef struct client_cbs client_cbs;
typedef struct client_txn client_txn;

/* broker_node.c, on the client's own worker */
/* A copy of s ("" for NULL); NULL: out of memory. */
char *dup_or_empty(const char *s);
/* Opens l as a link of node (our sender: responses go out on it, source
 * node; receiver: requests come in, target node, credit kept granted);
 * false when refused (closed: too many, out of memory). */
bool node_attach(node_links *n, famqp_link *l, bool sender, const char *node, uint32_t credit);
/* l was one of n's links: forgotten (true). */
bool node_forget(node_links *n, famqp_link *l);
bool node_is_request_link(const node_links *n, const famqp_link *l);
void node_links_free(node_links *n);
/* Sends the response to req: status-code, status-description, body (an
 * encoded value; len 0: an empty string), at most NODE_MAX_LARGE_RESPONSE
 * bytes (past NODE_MAX_RESPONSE on the heap).
 * False with why when it cannot (no reply link, no credit). */
bool node_respond(client *cl, node_links *n, const famqp_message *req, int status, const char *desc,
                  famqp_value body, const char **why);

/* A delivery on one of n's request links (n may be NULL): -1 when it is
 * not; 0 when it did not decode (rejected, naming what); 1 with the
 * request in *m (views into the delivery). */
int node_take_request(const node_links *n, famqp_delivery *d, const char *what, famqp_message *m);
/* node_respond, then d accepted, or rejected with why. */
void node_answer(client *cl, node_links *n, famqp_delivery *d, const famqp_message *req, int status,
                 const char *desc, famqp_value body);

/* broker_management.c (event hubs configured), on the client's own worker */
/* The address is the $management node. */
bool mgmt_node_address(const char *addr);
/* Opens l as one of cl's $management links, or refuses it (no token). */
void mgmt_attach(client *cl, famqp_link *l, bool sender);
bool mgmt_forget_link(client *cl, famqp_link *l);
/* A request on one of cl's $management links is answered (true). */
bool mgmt_on_message(client *cl, famqp_delivery *d);
void mgmt_client_free(client *cl);

/* broker_pool.c */
bool pool_init(struct worker *w, unsigned threads);
/* A block for a message of len bytes (NULL: out of memory). */
message *pool_get(struct worker *w, size_t len);
/* A message's block back to its pool (the worker done with it). */
void pool_put(struct worker *w, message *m);
/* Frees every block the worker's pool holds (shutdown, all threads joined). */
void pool_free_all(struct worker *w, unsigned threads);

/* broker_queue.c */
void list_push_back(msg_list *l, message *m);
void list_push_front(msg_list *l, message *m);
void list_remove(msg_list *l, message *m);
/* Puts all of from at the head of to, in their order. */
void list_prepend_all(msg_list *to, msg_list *from);
/* broker_queues.c, mu held */
/* The queue named name, created on first use; NULL with why (--max-queues
 * reached, out of memory). */
queue *queue_open(broker *b, const char *name, const char **why);
queue *queue_get(broker *b, const char *name); /* queue_open without why */
/* On worker w: q may have become unused (no link, no message): deleted
 * after the grace (worker 0 woken to time it). */
void queue_note_unused(worker *w, queue *q);
/* On worker_init: worker 0's --auto-delete-after timer (not started). */
famqp_loop_status queues_init(worker *w);
/* Worker 0, mu not held: starts its timer (sweep_request was set). */
void queues_arm(worker *w);

/* broker_queue.c */
bool queue_add_consumer(queue *q, consumer *c); /* mu held */
void queue_remove_consumer(queue *q, consumer *c);
bool queue_add_producer(queue *q, producer *p);
void queue_remove_producer(queue *q, producer *p);
/* mu held, on worker w: gives queued messages to consumers with credit,
 * round-robin, into their outboxes (their workers woken to send them);
 * when a refused producer may have room again, marks the producers for a
 * top-up. */
void queue_dispatch(worker *w, queue *q);
/* Own thread, mu not held: queue_dispatch, then the wakes and this
 * worker's own ready consumers. */
void queue_service(worker *w, queue *q);
/* Own thread, mu not held: credit for producer p when it used half and its
 * queue has room (logging a queue that reached --max-depth once per
 * filling; a refusal marks the queue blocked). */
void producer_top_up(worker *w, producer *p);
/* Own thread, mu not held: sends c's outbox within its link credit and
 * reports the credit left. */
void consumer_flush(worker *w, consumer *c);
/* mu held, on worker w: c goes on its worker's ready list (that worker
 * woken) unless it is there. */
void consumer_mark_ready(worker *w, consumer *c);
/* mu held: c leaves its queue and its worker's ready list. */
void consumer_detach(consumer *c);
/* mu held: c's outbox and in-flight messages back at the head of its
 * queue, in their order. */
void consumer_requeue_all(consumer *c);
/* Own thread, mu not held: a message leaves the broker with this outcome
 * (kind ACCEPTED, REJECTED or NONE): its producer's delivery, when still
 * waiting, gets it too (on the producer's worker). */
void message_done(worker *w, message *m, const famqp_outcome *o);

/* broker_redeliver.c */
/* Own thread, mu not held: m (out of every list) with its header's
 * delivery-count one higher, for a delivery that failed (modified,
 * delivery-failed); may return another block (m then freed), or m as it
 * was when out of memory. */
message *message_count_failed_delivery(worker *w, message *m);
void broker_free_queues(broker *b);

/* broker_budget.c: credit to producers by bytes (--max-memory,
 * --max-queue-bytes) */
/* mu held: credit for p (at most want) that keeps its queue and the broker
 * within their byte budgets, sharing what is left among the producers; 0
 * when there is none, *global set when --max-memory is the reason. */
uint32_t budget_credit(broker *b, producer *p, uint32_t want, bool *global);
/* Own thread: p's worker retries its producers' credit shortly (room
 * under --max-memory comes from any queue). */
void budget_wait(worker *w);
/* On worker_init: its retry timer. */
famqp_loop_status budget_init(worker *w);
/* --max-memory's default: half the machine's memory, at least 64 MiB. */
size_t budget_default_memory(void);

/* broker_stall.c: consumers that have credit but cannot take a message */
/* Own thread, after consumer_flush's sends: sent went out, st is the
 * status of the send that stopped it (FAMQP_ENGINE_OK: none failed).  A
 * stalled consumer reports no credit to queue_dispatch. */
void stall_note(worker *w, consumer *c, size_t sent, famqp_engine_status st);
/* Own thread, mu not held: an outcome for c arrived; a stalled c may take
 * messages again (its credit is reported anew). */
void stall_on_outcome(worker *w, consumer *c);
/* On worker_init: the --detach-stalled-after timer (none when off). */
famqp_loop_status stall_init(worker *w);

/* broker_worker.c */
/* mu held: target needs to run its lists (from worker self: a post, sent
 * by worker_post_wakes once mu is released; none to itself). */
void worker_wake(worker *self, worker *target);
/* Own thread, mu not held: posts the wakes worker_wake marked (a full post
 * queue is retried from a timer, never dropped). */
void worker_post_wakes(worker *self);
/* Own thread, mu not held: runs the ready consumers and settlements handed
 * to w (all: also new sockets and producer top-ups, which must wait until
 * the events of the current wake-up are handled). */
void worker_process(worker *w, bool all);
/* Own thread: a producer slot for p (false: out of memory), and its end. */
bool worker_slot_new(worker *w, producer *p);
void worker_slot_free(worker *w, producer *p);
/* Own thread: the producer in slot with generation gen, or NULL. */
producer *worker_slot_get(worker *w, uint32_t slot, uint32_t gen);
/* Sets up worker i's loop and timers (before any thread runs). */
famqp_loop_status worker_init(broker *b, unsigned i);
/* Frees what is left on w's mu lists and its loop (after every thread
 * ended). */
void worker_destroy(worker *w);
/* A worker thread's body: runs its loop, then closes its clients. */
void *worker_thread(void *arg);
/* Makes worker's loop return (from any thread: a post, retried while the
 * post queue is full). */
void worker_stop(worker *w);

/* broker_conn.c */
/* The listener's accept callback (arg: worker 0): the socket goes to the
 * next worker in turn. */
void client_accept(famqp_loop_listener *l, famqp_io *io, void *arg);
/* On w: the socket waits for its protocol header, then gets an engine and a
 * famqp_loop_conn. */
void client_start(worker *w, famqp_io *io);
/* Output queued on cl's connection from another client's events goes out
 * (at the end of this wake-up, or the next). */
void client_flush(client *cl);
/* Requeues in-flight messages and frees everything of the client. */
void client_free(client *cl);
/* Settles a producer's delivery with a consumer's outcome. */
void client_settle_origin(worker *w, uint32_t slot, uint32_t gen, famqp_delivery *d, famqp_outcome_kind kind,
                          const char *name, const char *description);
/* Detaches l (ours to close) with condition and description: it leaves
 * its queue first, as a peer's detach does. */
void client_close_link(client *cl, famqp_link *l, const char *condition, const char *description);
/* Adds c / p to cl's links (false: out of memory). */
bool client_add_consumer(client *cl, consumer *c);
bool client_add_producer(client *cl, producer *p);
/* Own thread, mu not held: p gets credit once this wake-up's events are
 * handled (a message it sent was taken). */
void producer_want_credit(worker *w, producer *p);
/* Opens l with o and closes it at once with condition and description (a
 * refused attach). */
void client_refuse_link(famqp_link *l, famqp_link_options *o, const char *condition, const char *description);
/* Shutdown: closes every connection of w with amqp:connection:forced,
 * gives the close frames a moment to leave and frees all its clients. */
void worker_close_clients(worker *w);

/* On cl's worker: the hello watch (waiting for the protocol header) is
 * made (false: out of memory). */
bool client_watch_hello(client *cl);

/* broker_log.c: stderr lines a peer can cause, at most 20 a second (those
 * dropped are counted in the next); "famqp-broker: " and the newline are
 * added.  Any thread. */
void peer_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The listener's famqp_loop_accept_error_fn: a run of failed accepts
 * (EMFILE) logged once as it starts. */
void broker_accept_failed(famqp_loop_listener *l, const char *message, uint64_t pause_ms, void *arg);

/* broker_auth.c (--user): any thread */
bool auth_guard_init(broker *b);
void auth_guard_free(broker *b);
/* How long a new connection from peer ("HOST:PORT") waits before its
 * handshake is read (its address's failed logins; reserved, so the next
 * one waits longer); UINT64_MAX: too long, close it. */
uint64_t auth_wait_ms(broker *b, const char *peer);
/* The engine's sasl_check (ctx: the client). */
bool auth_check_plain(void *ctx, famqp_string authzid, famqp_string user, famqp_string password);

/* broker_deadline.c, on the client's worker */
/* Starts cl's handshake deadline (after its address's wait, if any) and
 * its hello watch; false: close it. */
bool deadline_start(client *cl);
/* The peer's open came: no deadline any more. */
void deadline_opened(client *cl);

/* broker_shutdown.c: writes every client's pending output (their closes)
 * in parallel for at most timeout_ms in all. */
enum { SHUTDOWN_FLUSH_MS = 1000 }; /* the closes' deadline at shutdown, all clients together */
void clients_flush_all(worker *w, int timeout_ms);

/* broker_cbs.c (--sas-key), all on the client's own worker */
/* CBS is on: links other than $cbs need a token. */
bool cbs_enabled(const broker *b);
/* The entity an address names, by its path: "hub" of "hub" and of
 * "amqps://host/hub" (leading '/' skipped). */
const char *cbs_entity_path(const char *addr);
/* The address is the $cbs node. */
bool cbs_node_address(const char *addr);
/* Opens l as one of cl's $cbs links (sender: responses go out on it;
 * receiver: put-token requests come in); false when refused (closed). */
bool cbs_attach(client *cl, famqp_link *l, bool sender);
/* l was one of cl's $cbs links: it is forgotten (true). */
bool cbs_forget_link(client *cl, famqp_link *l);
/* A delivery on one of cl's $cbs request links is handled (true). */
bool cbs_on_message(client *cl, famqp_delivery *d);
/* When the latest token of cl covering addr expires; 0: none valid. */
uint64_t cbs_expiry_for(client *cl, const char *addr);
/* cl holds a token that has not expired. */
bool cbs_has_token(client *cl);
/* token (a SAS token) is valid, signed with one of the keys, and its
 * audience covers entity. */
bool cbs_token_covers(const broker *b, famqp_string token, const char *entity);
/* Detaches w's links whose tokens expired (amqp:unauthorized-access). */
void cbs_check_expiry(worker *w);
void cbs_client_free(client *cl);

/* broker_txn.c: local transactions (docs/transactions.md), all on the
 * client's own worker */
/* Answers a coordinator link's attach (or refuses distributed/promotable). */
void txn_attach(client *cl, famqp_link *l);
/* A declare or discharge on one of cl's coordinator links is handled (true). */
bool txn_on_message(client *cl, famqp_delivery *d);
/* A transfer with transactional-state from producer p is held in its
 * transaction (or rejected) (true); false: not transactional. */
bool txn_on_send(client *cl, producer *p, famqp_delivery *d);
/* Consumer c's outcome o for m (out of its in-flight list) is
 * transactional: m is the transaction's until discharge (true). */
bool txn_on_ack(client *cl, consumer *c, message *m, const famqp_outcome *o);
/* l was one of cl's coordinator links: its transactions rolled back (true). */
bool txn_forget_link(client *cl, famqp_link *l);
/* The coordinator links of session s go (their transactions rolled back). */
void txn_session_end(client *cl, famqp_session *s);
/* Rolls back cl's open transactions and frees its state. */
void txn_client_free(client *cl);

/* broker_eventhub.c: Event Hubs partitions (see broker_eventhub.h) */
/* Before the workers start: a partition log for every configured hub. */
bool eh_setup(broker *b);
void eh_free(broker *b);
/* On attach: when addr is an Event Hubs address of a configured hub, the
 * link is attached as a publisher or partition reader, or refused (true);
 * false: not one of the hubs' addresses. */
bool eh_attach(client *cl, famqp_link *l, const char *addr, bool sender, uint64_t auth_expiry_s);
/* A transfer from an Event Hubs publisher (a batch split into its events):
 * stored, readers woken, settled. */
void eh_publish(client *cl, producer *p, famqp_delivery *d);
/* Own thread, mu not held: sends a partition reader what it has credit
 * for (or detaches it when a higher epoch took its place). */
void eh_reader_flush(worker *w, consumer *c);
/* mu held: the reader leaves its partition. */
void eh_reader_detach(consumer *c);
/* Frees a reader (detached; NULL: nothing). */
void eh_reader_free(struct eh_reader *r);

/* broker_servicebus.c: Service Bus queues, topics and subscriptions (see
 * broker_servicebus.h) */
/* Before the workers start: the configured entities (false: out of memory). */
bool sb_setup(broker *b);
/* After every worker thread ended, before their loops are freed. */
void sb_free(broker *b);
/* On attach: when addr names a configured entity (or its $management or
 * dead-letter queue), the link is attached or refused (true); false: not a
 * Service Bus address. */
bool sb_attach(client *cl, famqp_link *l, const char *addr, bool sender, uint64_t auth_expiry_s);
/* A transfer from a Service Bus sender: stored, receivers woken, settled. */
void sb_publish(client *cl, producer *p, famqp_delivery *d);
/* Own thread, mu not held: sends a receiver what its credit allows. */
void sb_receiver_flush(worker *w, consumer *c);
/* Own thread: a receiver's outcome (complete, abandon, dead-letter, defer). */
void sb_on_outcome(worker *w, consumer *c, famqp_delivery *d);
/* mu held: the receiver leaves its entity (its locks stay until they end). */
void sb_receiver_detach(consumer *c);
void sb_receiver_free(struct sb_receiver *r);
/* broker_servicebus_mgmt.c: a request on one of cl's <entity>/$management
 * links is answered (true); its link forgotten; everything freed. */
bool sb_mgmt_on_message(client *cl, famqp_delivery *d);
bool sb_mgmt_forget_link(client *cl, famqp_link *l);
void sb_mgmt_client_free(client *cl);

#endif

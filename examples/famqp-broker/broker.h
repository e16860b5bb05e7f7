/* famqp-broker: an in-memory queue broker on the engine's server role, run
 * by a famqp_loop.  Shared types of broker_main.c (options, the loop,
 * signals), broker_conn.c (accepting, and the engine events of one client
 * connection) and broker_queue.c (queues).  Everything here belongs to the
 * loop's thread. */
#ifndef FAMQP_BROKER_H
#define FAMQP_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/engine.h"
#include "famqp/io.h"
#include "famqp/loop.h"

/* A stored message: the bytes of its sections as the producer sent them.
 * Linked into its queue, or into the in-flight list of the consumer it was
 * sent to (until that consumer's outcome). */
typedef struct message {
    struct message *prev, *next;
    uint64_t id; /* also the delivery tag (8 bytes, big-endian) */
    /* --accept-when-consumed: the producer's delivery, still unsettled,
     * settled with the consumer's outcome (NULL: already settled, or its
     * connection or link is gone). */
    famqp_delivery *origin;
    famqp_link *origin_link;
    struct client *origin_client;
    size_t len;
    uint8_t data[];
} message;

typedef struct msg_list {
    message *head, *tail;
    size_t count;
} msg_list;

struct client;

/* Our sender link: a consumer of a queue. */
typedef struct consumer {
    famqp_link *link;
    struct queue *queue;
    struct client *client;
    bool presettled;   /* the receiver asked for settled deliveries */
    msg_list inflight; /* sent, outcome not yet known (send order) */
} consumer;

/* Our receiver link: a producer into a queue. */
typedef struct producer {
    famqp_link *link;
    struct queue *queue;
    struct client *client;
} producer;

typedef struct queue {
    struct queue *next;
    char *name;
    msg_list messages;
    consumer **consumers;
    size_t nconsumers, cap;
    size_t rr; /* next consumer to serve (round-robin) */
    struct producer **producers; /* its senders: granted credit by queue_service */
    size_t nproducers, pcap;
    bool full_logged; /* reaching --max-depth was logged */
    bool topup_pending; /* in the broker's top-up list */
    struct queue *topup_next;
} queue;

typedef struct broker_config {
    const char *user, *password; /* PLAIN required when set */
    uint32_t credit;             /* credit window granted to producers */
    size_t max_depth;            /* stop granting producers credit above this */
    bool verbose;
    bool accept_when_consumed;   /* settle producers' messages with the consumer's outcome */
    bool tls;                    /* serving amqps (names plain clients as such) */
} broker_config;

typedef struct broker {
    broker_config cfg;
    queue *queues;
    struct client **clients;
    size_t nclients, cap;
    uint64_t next_id;
    famqp_loop *loop;
    struct client *current; /* whose events are being handled (its output goes out anyway) */
    bool stopping;          /* shutting down: no more dispatching */
    famqp_loop_timer *topup_timer; /* runs broker_top_up */
    struct queue *topups;          /* queues whose producers may need credit */
} broker;

typedef struct client {
    broker *b;
    size_t index;              /* in b->clients */
    famqp_io *io;              /* owned by lc once bound (or by us before) */
    famqp_connection *conn;    /* owned by lc */
    famqp_loop_watch *hello;   /* before binding: waits for the protocol header */
    famqp_loop_conn *lc;       /* after binding: drives io and conn */
    consumer **consumers;
    size_t nconsumers, ccap;
    producer **producers;
    size_t nproducers, pcap;
    bool tls_hello; /* sent a TLS ClientHello to our plain port */
} client;

/* broker_queue.c */
void list_push_back(msg_list *l, message *m);
void list_push_front(msg_list *l, message *m);
void list_remove(msg_list *l, message *m);
queue *queue_get(broker *b, const char *name); /* creates on first use */
bool queue_add_consumer(queue *q, consumer *c);
void queue_remove_consumer(queue *q, consumer *c);
bool queue_add_producer(queue *q, producer *p);
void queue_remove_producer(queue *q, producer *p);
/* After anything that may let messages move (a message queued or
 * requeued, a consumer's credit, a consumer or producer attached): sends
 * queued messages to consumers with credit, round-robin, then marks the
 * queue for broker_top_up: its producers get credit again when they used
 * half and the queue has room (logging a queue that reached --max-depth
 * once per filling). */
void queue_service(queue *q);
/* The top-up timer's callback (arg: the broker): credit for the producers
 * of the queues queue_service marked. */
void broker_top_up(famqp_loop_timer *t, void *arg);
/* Puts a consumer's in-flight messages back at the head of its queue. */
void consumer_requeue_all(consumer *c);
/* A message leaves the broker with this outcome (kind ACCEPTED, REJECTED
 * or NONE): its producer's delivery, when still waiting, gets it too. */
void message_done(message *m, const famqp_outcome *o);
/* The producer deliveries of a client (link NULL: of all its links) are
 * about to be freed: messages stop pointing to them. */
void broker_forget_origins(broker *b, struct client *cl, famqp_link *link);
void broker_free_queues(broker *b);

/* broker_conn.c */
/* The listener's accept callback (arg: the broker): the socket waits on the
 * loop for its protocol header, then gets an engine and a famqp_loop_conn. */
void client_accept(famqp_loop_listener *l, famqp_io *io, void *arg);
/* Output queued on cl's connection from another client's events goes out
 * (at the end of this wake-up, or the next). */
void client_flush(client *cl);
/* Requeues in-flight messages and frees everything of the client. */
void client_free(client *cl);
/* Shutdown: closes every connection with amqp:connection:forced, gives
 * the close frames a moment to leave and frees all clients. */
void broker_close_clients(broker *b);

#endif

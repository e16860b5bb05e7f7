/* famqp-broker: an in-memory queue broker on the engine's server role.
 * Shared types of broker_main.c (options, loop), broker_conn.c (engine
 * events of one client connection) and broker_queue.c (queues). */
#ifndef FAMQP_BROKER_H
#define FAMQP_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/engine.h"
#include "famqp/io.h"

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
    bool full_logged; /* reaching --max-depth was logged */
} queue;

typedef struct broker_config {
    const char *user, *password; /* PLAIN required when set */
    uint32_t credit;             /* credit window granted to producers */
    size_t max_depth;            /* stop granting producers credit above this */
    bool verbose;
    bool accept_when_consumed;   /* settle producers' messages with the consumer's outcome */
} broker_config;

typedef struct broker {
    broker_config cfg;
    queue *queues;
    struct client **clients;
    size_t nclients, cap;
    uint64_t next_id;
} broker;

typedef struct client {
    broker *b;
    famqp_io *io;
    famqp_connection *conn;
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
/* Sends queued messages to consumers with credit, round-robin. */
void queue_dispatch(queue *q);
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
client *client_new(broker *b, famqp_io *io);
/* Binds an engine once the protocol header is known; false on failure. */
bool client_bind(client *cl);
void client_handle_events(client *cl);
/* Grants producers credit again when they used half (and queues have room). */
void client_top_up_credit(client *cl);
/* Requeues in-flight messages and frees everything of the client. */
void client_free(client *cl);

#endif

/* famqp-broker: engine events of one client connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

client *client_new(broker *b, famqp_io *io)
{
    client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->b = b;
    cl->io = io;
    famqp_io_set_context(io, cl);
    return cl;
}

static bool check_plain(void *ctx, famqp_string authzid, famqp_string user, famqp_string password)
{
    const broker_config *cfg = ctx;
    (void)authzid;
    return famqp_string_eq(user, cfg->user) && famqp_string_eq(password, cfg->password);
}

bool client_bind(client *cl)
{
    uint8_t hdr[8];
    if (!famqp_io_peek_header(cl->io, hdr))
        return false;
    const broker_config *cfg = &cl->b->cfg;
    /* A TLS record (handshake 0x16, version 3.x): a ClientHello from an
     * amqps:// client on our plain port.  Named here; the engine then
     * answers with the AMQP header and closes (the client's TLS layer
     * reports that as not TLS). */
    if (hdr[0] == 0x16 && hdr[1] == 0x03) {
        cl->tls_hello = true;
        fprintf(stderr,
                "famqp-broker: connection from %s sent a TLS ClientHello to this plain AMQP port: the client "
                "uses amqps://; use amqp://, or serve TLS with --tls-cert and --tls-key\n",
                famqp_io_peer(cl->io));
    }
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.role = FAMQP_CONNECTION_SERVER;
    o.container_id = "famqp-broker";
    /* A SASL header gets SASL; a bare AMQP header is served without it,
     * unless credentials are configured: then the engine refuses it
     * ("client skipped SASL authentication"). */
    bool sasl_header = memcmp(hdr, "AMQP\3", 5) == 0;
    if (cfg->user) {
        o.sasl_mechanisms = FAMQP_SASL_PLAIN;
        o.sasl_check = check_plain;
        o.sasl_check_ctx = (void *)cfg;
    } else {
        o.sasl_mechanisms = sasl_header ? FAMQP_SASL_ANONYMOUS : 0;
    }
    famqp_connection_new(&o, &cl->conn);
    if (!cl->conn)
        return false;
    famqp_io_set_connection(cl->io, cl->conn);
    if (cfg->verbose)
        fprintf(stderr, "famqp-broker: connection from %s\n", famqp_io_peer(cl->io));
    return true;
}

static bool grow_consumers(client *cl)
{
    if (cl->nconsumers < cl->ccap)
        return true;
    size_t cap = cl->ccap ? cl->ccap * 2 : 4;
    consumer **a = realloc(cl->consumers, cap * sizeof *a);
    if (!a)
        return false;
    cl->consumers = a;
    cl->ccap = cap;
    return true;
}

static bool grow_producers(client *cl)
{
    if (cl->nproducers < cl->pcap)
        return true;
    size_t cap = cl->pcap ? cl->pcap * 2 : 4;
    producer **a = realloc(cl->producers, cap * sizeof *a);
    if (!a)
        return false;
    cl->producers = a;
    cl->pcap = cap;
    return true;
}

static void drop_consumer(client *cl, consumer *c)
{
    consumer_requeue_all(c);
    queue_remove_consumer(c->queue, c);
    famqp_link_set_context(c->link, NULL);
    for (size_t i = 0; i < cl->nconsumers; i++)
        if (cl->consumers[i] == c) {
            cl->consumers[i] = cl->consumers[--cl->nconsumers];
            break;
        }
    free(c);
}

static void drop_producer(client *cl, producer *p)
{
    broker_forget_origins(cl->b, cl, p->link);
    famqp_link_set_context(p->link, NULL);
    for (size_t i = 0; i < cl->nproducers; i++)
        if (cl->producers[i] == p) {
            cl->producers[i] = cl->producers[--cl->nproducers];
            break;
        }
    free(p);
}

/* Drops what hangs off a link that is going away. */
static void forget_link(client *cl, famqp_link *l)
{
    void *ctx = famqp_link_context(l);
    if (!ctx)
        return;
    if (famqp_link_get_role(l) == FAMQP_LINK_SENDER)
        drop_consumer(cl, ctx);
    else
        drop_producer(cl, ctx);
}

static void on_attach(client *cl, famqp_link *l)
{
    broker *b = cl->b;
    bool sender = famqp_link_get_role(l) == FAMQP_LINK_SENDER;
    const char *addr = sender ? famqp_link_remote_source_address(l) : famqp_link_remote_target_address(l);
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (!addr || !*addr) {
        famqp_link_set_options(l, &o);
        famqp_link_open(l);
        famqp_link_close(l, "amqp:invalid-field",
                         sender ? "famqp-broker needs a source address (the queue to consume from)"
                                : "famqp-broker needs a target address (the queue to send to)");
        return;
    }
    queue *q = queue_get(b, addr);
    if (sender) {
        consumer *c = calloc(1, sizeof *c);
        if (!q || !c || !grow_consumers(cl) ||
            !queue_add_consumer(q, c)) {
            free(c);
            famqp_link_close(l, "amqp:resource-limit-exceeded", "out of memory");
            return;
        }
        c->link = l;
        c->queue = q;
        c->client = cl;
        c->presettled = famqp_link_remote_snd_settle_mode(l) == 1; /* settled */
        cl->consumers[cl->nconsumers++] = c;
        o.source_address = addr;
        o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
        o.rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
        famqp_link_set_context(l, c);
    } else {
        producer *p = calloc(1, sizeof *p);
        if (!q || !p || !grow_producers(cl)) {
            free(p);
            famqp_link_close(l, "amqp:resource-limit-exceeded", "out of memory");
            return;
        }
        p->link = l;
        p->queue = q;
        p->client = cl;
        cl->producers[cl->nproducers++] = p;
        o.target_address = addr;
        o.credit_window = 0; /* we grant credit ourselves (client_top_up_credit) */
        famqp_link_set_context(l, p);
    }
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (!sender)
        famqp_link_set_credit(l, b->cfg.credit);
    if (b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached %s '%s'\n", famqp_io_peer(cl->io),
                sender ? "consumer of" : "producer to", addr);
}

static void on_message(client *cl, famqp_delivery *d)
{
    producer *p = famqp_link_context(famqp_delivery_link(d));
    if (!p) {
        famqp_delivery_release(d);
        return;
    }
    famqp_binary body = famqp_delivery_message(d);
    message *m = malloc(sizeof *m + body.len);
    if (!m) {
        famqp_delivery_release(d);
        return;
    }
    m->id = cl->b->next_id++;
    m->len = body.len;
    m->origin = NULL;
    memcpy(m->data, body.ptr, body.len);
    list_push_back(&p->queue->messages, m);
    /* At-least-once: accepted only now that it is queued, or with
     * --accept-when-consumed once a consumer accepted it (then a broker
     * that dies loses nothing it acknowledged). */
    if (famqp_delivery_remote_settled(d)) {
        famqp_delivery_settle(d);
    } else if (cl->b->cfg.accept_when_consumed) {
        m->origin = d;
        m->origin_link = p->link;
        m->origin_client = cl;
    } else {
        famqp_delivery_accept(d);
    }
}

static uint64_t tag_id(famqp_binary tag)
{
    uint64_t id = 0;
    for (size_t i = 0; i < tag.len && i < 8; i++)
        id = id << 8 | tag.ptr[i];
    return id;
}

static void on_outcome(famqp_delivery *d)
{
    consumer *c = famqp_link_context(famqp_delivery_link(d));
    if (!c)
        return;
    famqp_outcome o = famqp_delivery_remote_state(d);
    bool settled = famqp_delivery_remote_settled(d);
    bool terminal = o.kind == FAMQP_OUTCOME_ACCEPTED || o.kind == FAMQP_OUTCOME_REJECTED ||
                    o.kind == FAMQP_OUTCOME_RELEASED || o.kind == FAMQP_OUTCOME_MODIFIED;
    if (!terminal && !settled)
        return; /* e.g. received: not an outcome yet */
    uint64_t id = tag_id(famqp_delivery_tag(d));
    message *m = c->inflight.head; /* outcomes mostly arrive in send order */
    while (m && m->id != id)
        m = m->next;
    if (m) {
        list_remove(&c->inflight, m);
        if (o.kind == FAMQP_OUTCOME_RELEASED || o.kind == FAMQP_OUTCOME_MODIFIED)
            list_push_front(&c->queue->messages, m); /* delivered again */
        else
            message_done(m, &o); /* accepted, rejected (dropped), or settled without outcome */
    }
    if (!famqp_delivery_settled(d))
        famqp_delivery_settle(d);
}

void client_handle_events(client *cl)
{
    if (!cl->conn)
        return;
    const famqp_event *e;
    while ((e = famqp_connection_next_event(cl->conn))) {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(cl->conn); break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
            if (cl->b->cfg.verbose && e->condition.name)
                fprintf(stderr, "famqp-broker: %s closed with %s: %s\n", famqp_io_peer(cl->io), e->condition.name,
                        e->condition.description ? e->condition.description : "");
            famqp_connection_close(cl->conn, NULL, NULL);
            break;
        case FAMQP_EVENT_CONNECTION_ERROR:
            if (cl->tls_hello)
                break; /* said in client_bind */
            fprintf(stderr, "famqp-broker: connection from %s failed: %s%s%s\n", famqp_io_peer(cl->io),
                    e->condition.name ? e->condition.name : "error", e->condition.description ? ": " : "",
                    e->condition.description ? e->condition.description : "");
            break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
        case FAMQP_EVENT_SESSION_REMOTE_END:
            /* Links the peer did not detach end with their session. */
            for (size_t i = cl->nconsumers; i-- > 0;)
                if (famqp_link_session(cl->consumers[i]->link) == e->session)
                    drop_consumer(cl, cl->consumers[i]);
            for (size_t i = cl->nproducers; i-- > 0;)
                if (famqp_link_session(cl->producers[i]->link) == e->session)
                    drop_producer(cl, cl->producers[i]);
            famqp_session_close(e->session, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: on_attach(cl, e->link); break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            forget_link(cl, e->link);
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_DELIVERY: on_message(cl, e->delivery); break;
        case FAMQP_EVENT_DELIVERY_ABORTED: famqp_delivery_settle(e->delivery); break;
        case FAMQP_EVENT_DELIVERY_UPDATED: on_outcome(e->delivery); break;
        default: break;
        }
    }
}

void client_top_up_credit(client *cl)
{
    uint32_t window = cl->b->cfg.credit;
    for (size_t i = 0; i < cl->nproducers; i++) {
        producer *p = cl->producers[i];
        queue *q = p->queue;
        bool full = q->messages.count >= cl->b->cfg.max_depth;
        /* Once per filling (again only after it drained to half), so a
         * stalled sender's cause is in the log without flooding it. */
        if (full && !q->full_logged)
            fprintf(stderr,
                    "famqp-broker: queue '%s' holds %zu messages (--max-depth %zu): no new credit to its senders "
                    "until consumers take messages\n",
                    q->name, q->messages.count, cl->b->cfg.max_depth);
        if (full)
            q->full_logged = true;
        else if (q->messages.count < cl->b->cfg.max_depth / 2)
            q->full_logged = false;
        if (famqp_link_credit(p->link) <= window / 2 && !full)
            famqp_link_set_credit(p->link, window);
    }
}

void client_free(client *cl)
{
    broker_forget_origins(cl->b, cl, NULL);
    while (cl->nconsumers)
        drop_consumer(cl, cl->consumers[cl->nconsumers - 1]);
    while (cl->nproducers)
        drop_producer(cl, cl->producers[cl->nproducers - 1]);
    free(cl->consumers);
    free(cl->producers);
    famqp_io_free(cl->io);
    famqp_connection_free(cl->conn);
    free(cl);
}

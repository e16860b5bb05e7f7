/* famqp-broker: accepting a connection (handed to the next worker in turn,
 * its protocol header awaited on that worker's loop, then an engine bound
 * to it) and the engine events of one client connection, each handled as
 * it comes on its worker (queue_service moves messages at once; other
 * connections' output goes out with client_flush). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"


static void client_event(famqp_loop_conn *lc, const famqp_event *e, void *arg);
static void client_done(famqp_loop_conn *lc, famqp_io_status state, void *arg);

static bool client_bind(client *cl)
{
    uint8_t hdr[8];
    if (!famqp_io_peek_header(cl->io, hdr))
        return false;
    const broker_config *cfg = &cl->w->b->cfg;
    /* A TLS record (handshake 0x16, version 3.x): a ClientHello from an
     * amqps:// client on our plain port.  Named here; the engine then
     * answers with the AMQP header and closes (the client's TLS layer
     * reports that as not TLS). */
    if (hdr[0] == 0x16 && hdr[1] == 0x03) {
        cl->tls_hello = true;
        peer_log("connection from %s sent a TLS ClientHello to this plain AMQP port: the client "
                 "uses amqps://; use amqp://, or serve TLS with --tls-cert and --tls-key",
                 famqp_io_peer(cl->io));
    }
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.role = FAMQP_CONNECTION_SERVER;
    o.container_id = "famqp-broker";
    o.idle_timeout_ms = cfg->idle_timeout_ms;
    /* Every field of every performative (null where absent): pyamqp, the
     * stack of Microsoft's Python SDKs, reads them by position (docs/engine.md). */
    o.full_performatives = true;
    /* Who we are, as brokers announce it in open.properties (the engine
     * copies the map, so the buffer may live on the stack). */
    uint8_t props_buf[128];
    famqp_fields_builder props;
    famqp_fields_init(&props, props_buf, sizeof props_buf);
    famqp_write_cstring(famqp_fields_key(&props, "product"), "famqp-broker");
    famqp_write_cstring(famqp_fields_key(&props, "version"), famqp_version());
    if (famqp_fields_finish(&props, &o.properties) != FAMQP_OK)
        return false;
    /* A SASL header gets SASL; a bare AMQP header is served without it,
     * unless credentials are configured: then the engine refuses it
     * ("client skipped SASL authentication"). */
    bool sasl_header = memcmp(hdr, "AMQP\3", 5) == 0;
    cl->sasl = sasl_header;
    if (cfg->user) {
        o.sasl_mechanisms = FAMQP_SASL_PLAIN;
        o.sasl_check = auth_check_plain;
        o.sasl_check_ctx = cl;
    } else {
        o.sasl_mechanisms = sasl_header ? FAMQP_SASL_ANONYMOUS : 0;
    }
    famqp_connection_new(&o, &cl->conn);
    if (!cl->conn)
        return false;
    famqp_loop_conn_handler h = {client_event, client_done, cl};
    if (famqp_loop_conn_new(cl->w->loop, cl->io, cl->conn, &h, &cl->lc) != FAMQP_LOOP_OK) {
        famqp_connection_free(cl->conn);
        cl->conn = NULL;
        return false;
    }
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

bool client_add_consumer(client *cl, consumer *c)
{
    if (!grow_consumers(cl))
        return false;
    cl->consumers[cl->nconsumers++] = c;
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

bool client_add_producer(client *cl, producer *p)
{
    if (!grow_producers(cl))
        return false;
    cl->producers[cl->nproducers++] = p;
    return true;
}

void client_refuse_link(famqp_link *l, famqp_link_options *o, const char *condition, const char *description)
{
    famqp_link_set_options(l, o);
    famqp_link_open(l);
    famqp_link_close(l, condition, description);
}

static void drop_consumer(client *cl, consumer *c)
{
    worker *w = cl->w;
    pthread_mutex_lock(&w->b->mu);
    consumer_detach(c);
    consumer_requeue_all(c);
    if (!w->stopping && c->queue)
        queue_dispatch(w, c->queue); /* its messages to the other consumers */
    if (c->queue)
        queue_note_unused(w, c->queue);
    pthread_mutex_unlock(&w->b->mu);
    worker_post_wakes(w);
    famqp_link_set_context(c->link, NULL);
    for (size_t i = 0; i < cl->nconsumers; i++)
        if (cl->consumers[i] == c) {
            cl->consumers[i] = cl->consumers[--cl->nconsumers];
            break;
        }
    eh_reader_free(c->eh);
    sb_receiver_free(c->sb);
    free(c);
    if (!w->stopping)
        worker_process(w, false);
}

static void drop_producer(client *cl, producer *p)
{
    /* Messages naming it as their origin find its slot empty from now on. */
    worker_slot_free(cl->w, p);
    pthread_mutex_lock(&cl->w->b->mu);
    if (p->queue) {
        queue_remove_producer(p->queue, p);
        queue_note_unused(cl->w, p->queue);
    }
    if (p->topup) {
        for (producer **pp = &cl->w->topups; *pp; pp = &(*pp)->topup_next)
            if (*pp == p) {
                *pp = p->topup_next;
                break;
            }
    }
    pthread_mutex_unlock(&cl->w->b->mu);
    worker_post_wakes(cl->w);
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
    if (!ctx) {
        if (!txn_forget_link(cl, l) && !cbs_forget_link(cl, l) && !mgmt_forget_link(cl, l))
            sb_mgmt_forget_link(cl, l);
        return;
    }
    if (famqp_link_get_role(l) == FAMQP_LINK_SENDER)
        drop_consumer(cl, ctx);
    else
        drop_producer(cl, ctx);
}

/* --verbose: the properties and capabilities a peer announced. */
static void log_remote(client *cl, const char *what, famqp_map properties, famqp_symbols capabilities)
{
    fprintf(stderr, "famqp-broker: %s %s properties ", famqp_io_peer(cl->io), what);
    famqp_print_map(stderr, &properties);
    fprintf(stderr, " capabilities [");
    for (uint32_t i = 0; i < capabilities.count; i++)
        fprintf(stderr, "%s%s", i ? " " : "", capabilities.items[i]);
    fprintf(stderr, "]\n");
}

/* Our node is a queue: say so in the terminus capabilities, as brokers
 * whose clients choose behaviour by node type (JMS queue vs topic) do. */
static const char *const queue_capability[] = {"queue"};

static void on_attach(client *cl, famqp_link *l)
{
    worker *w = cl->w;
    broker *b = w->b;
    bool sender = famqp_link_get_role(l) == FAMQP_LINK_SENDER;
    const char *addr = sender ? famqp_link_remote_source_address(l) : famqp_link_remote_target_address(l);
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (!sender && famqp_link_remote_target_is_coordinator(l)) {
        txn_attach(cl, l);
        return;
    }
    if (!addr || !*addr) {
        famqp_link_set_options(l, &o);
        famqp_link_open(l);
        famqp_link_close(l, "amqp:invalid-field",
                         sender ? "famqp-broker needs a source address (the queue to consume from)"
                                : "famqp-broker needs a target address (the queue to send to)");
        return;
    }
    if (b->nhubs && mgmt_node_address(addr)) {
        mgmt_attach(cl, l, sender);
        return;
    }
    uint64_t auth_expiry_s = 0;
    if (cbs_enabled(b)) {
        if (cbs_node_address(addr)) {
            cbs_attach(cl, l, sender);
            return;
        }
        auth_expiry_s = cbs_expiry_for(cl, addr);
        if (!auth_expiry_s) {
            char desc[300];
            snprintf(desc, sizeof desc, "no valid token for '%.200s': put one to $cbs first (put-token)", addr);
            client_refuse_link(l, &o, "amqp:unauthorized-access", desc);
            if (b->cfg.verbose)
                fprintf(stderr, "famqp-broker: %s refused a link to '%s': no valid token\n", famqp_io_peer(cl->io),
                        addr);
            return;
        }
    }
    if (b->nhubs && eh_attach(cl, l, addr, sender, auth_expiry_s))
        return;
    if (b->sb && sb_attach(cl, l, addr, sender, auth_expiry_s))
        return;
    if (sender) {
        consumer *c = calloc(1, sizeof *c);
        bool ok = c && grow_consumers(cl);
        queue *q = NULL;
        const char *why = "out of memory";
        if (ok) {
            c->link = l;
            c->client = cl;
            pthread_mutex_lock(&b->mu);
            q = queue_open(b, addr, &why);
            ok = q && queue_add_consumer(q, c);
            c->queue = q;
            c->attached = ok; /* credit 0 until its flow */
            pthread_mutex_unlock(&b->mu);
        }
        if (!ok) {
            free(c);
            client_refuse_link(l, &o, "amqp:resource-limit-exceeded", why);
            return;
        }
        c->presettled = famqp_link_remote_snd_settle_mode(l) == 1; /* settled */
        c->auth_expiry_s = auth_expiry_s;
        cl->consumers[cl->nconsumers++] = c;
        o.source_address = addr;
        o.source_capabilities = (famqp_symbols){queue_capability, 1};
        o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
        o.rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
        famqp_link_set_context(l, c);
    } else {
        producer *p = calloc(1, sizeof *p);
        bool ok = p && grow_producers(cl) && worker_slot_new(w, p);
        bool slotted = ok;
        const char *why = "out of memory";
        if (ok) {
            p->link = l;
            p->client = cl;
            pthread_mutex_lock(&b->mu);
            queue *q = queue_open(b, addr, &why);
            ok = q && queue_add_producer(q, p);
            p->queue = q;
            pthread_mutex_unlock(&b->mu);
        }
        if (!ok) {
            if (slotted)
                worker_slot_free(w, p);
            free(p);
            client_refuse_link(l, &o, "amqp:resource-limit-exceeded", why);
            return;
        }
        cl->producers[cl->nproducers++] = p;
        p->auth_expiry_s = auth_expiry_s;
        o.target_address = addr;
        o.target_capabilities = (famqp_symbols){queue_capability, 1};
        o.credit_window = 0; /* we grant credit ourselves (producer_top_up) */
        o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l); /* echoed: go-amqp checks it */
        famqp_link_set_context(l, p);
    }
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (!sender)
        producer_top_up(w, famqp_link_context(l)); /* what --max-depth and the byte budgets allow */
    else
        consumer_flush(w, famqp_link_context(l)); /* reports its credit, gets messages */
    worker_process(w, false);
    if (b->cfg.verbose) {
        fprintf(stderr, "famqp-broker: %s attached %s '%s'\n", famqp_io_peer(cl->io),
                sender ? "consumer of" : "producer to", addr);
        log_remote(cl, "link", famqp_link_remote_properties(l), famqp_link_remote_offered_capabilities(l));
    }
}

static void on_message(client *cl, famqp_delivery *d)
{
    producer *p = famqp_link_context(famqp_delivery_link(d));
    if (!p) {
        if (!txn_on_message(cl, d) && !cbs_on_message(cl, d) && !mgmt_on_message(cl, d) && !sb_mgmt_on_message(cl, d))
            famqp_delivery_release(d);
        return;
    }
    famqp_binary body = famqp_delivery_message(d);
    if (body.len > p->largest)
        p->largest = body.len; /* its credit by bytes (broker_budget.c), held transactional sends too */
    if (txn_on_send(cl, p, d)) {
        worker_process(cl->w, false);
        return;
    }
    if (p->hub) {
        eh_publish(cl, p, d);
        return;
    }
    if (p->sbe) {
        sb_publish(cl, p, d);
        return;
    }
    worker *w = cl->w;
    message *m = pool_get(w, body.len);
    if (!m) {
        famqp_delivery_release(d);
        return;
    }
    m->len = body.len;
    m->format = famqp_delivery_message_format(d);
    m->origin = NULL;
    m->origin_gen = 0;
    if (body.len) /* an empty body's ptr may be NULL */
        memcpy(m->data, body.ptr, body.len);
    /* At-least-once: accepted only now that it is queued, or with
     * --accept-when-consumed once a consumer accepted it (then a broker
     * that dies loses nothing it acknowledged). */
    if (famqp_delivery_remote_settled(d)) {
        famqp_delivery_settle(d);
    } else if (w->b->cfg.accept_when_consumed) {
        m->origin = d;
        m->origin_worker = w->index;
        m->origin_slot = p->slot;
        m->origin_gen = w->gens[p->slot];
    } else {
        famqp_delivery_accept(d);
    }
    pthread_mutex_lock(&w->b->mu);
    m->id = w->b->next_id++;
    list_push_back(&p->queue->messages, m);
    queue_dispatch(w, p->queue);
    pthread_mutex_unlock(&w->b->mu);
    producer_want_credit(w, p);
    worker_post_wakes(w);
    worker_process(w, false);
}

void producer_want_credit(worker *w, producer *p)
{
    /* Credit once this wake-up's events are handled: the engine counted
     * transfers it read that are not queued yet, and a grant now would let
     * the queue pass --max-depth. */
    pthread_mutex_lock(&w->b->mu);
    if (!p->topup) {
        p->topup = true;
        p->topup_next = w->topups;
        w->topups = p;
    }
    pthread_mutex_unlock(&w->b->mu);
    if (!famqp_loop_timer_active(w->topup_timer))
        famqp_loop_timer_start(w->topup_timer, 0); /* on failure the next message retries */
}

static uint64_t tag_id(famqp_binary tag)
{
    uint64_t id = 0;
    for (size_t i = 0; i < tag.len && i < 8; i++)
        id = id << 8 | tag.ptr[i];
    return id;
}

static void on_outcome(worker *w, famqp_delivery *d)
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
    if (c->sb) {
        sb_on_outcome(w, c, d);
        return;
    }
    if (c->eh) { /* a partition reader: nothing to consume, maybe room to send */
        if (!famqp_delivery_settled(d))
            famqp_delivery_settle(d);
        consumer_flush(w, c);
        return;
    }
    uint64_t id = tag_id(famqp_delivery_tag(d));
    message *m = c->inflight.head; /* outcomes mostly arrive in send order */
    while (m && m->id != id)
        m = m->next;
    if (m) {
        list_remove(&c->inflight, m);
        if (txn_on_ack(c->client, c, m, &o)) {
            /* the transaction's until discharge */
        } else if (o.kind == FAMQP_OUTCOME_RELEASED || o.kind == FAMQP_OUTCOME_MODIFIED) {
            if (o.kind == FAMQP_OUTCOME_MODIFIED && o.delivery_failed)
                m = message_count_failed_delivery(w, m); /* 3.4.5: delivery-count + 1 */
            pthread_mutex_lock(&w->b->mu);
            list_push_front(&c->queue->messages, m); /* delivered again */
            pthread_mutex_unlock(&w->b->mu);
            queue_service(w, c->queue);
        } else {
            message_done(w, m, &o); /* accepted, rejected (dropped), or settled without outcome */
        }
    }
    if (!famqp_delivery_settled(d))
        famqp_delivery_settle(d);
    stall_on_outcome(w, c);
}

static void handle_event(client *cl, const famqp_event *e)
{
    {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN:
            deadline_opened(cl);
            if (cl->w->b->cfg.verbose)
                log_remote(cl, "connection", famqp_connection_remote_properties(cl->conn),
                           famqp_connection_remote_offered_capabilities(cl->conn));
            famqp_connection_open(cl->conn);
            break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
            if (cl->w->b->cfg.verbose && e->condition.name)
                fprintf(stderr, "famqp-broker: %s closed with %s: %s\n", famqp_io_peer(cl->io), e->condition.name,
                        e->condition.description ? e->condition.description : "");
            famqp_connection_close(cl->conn, NULL, NULL);
            break;
        case FAMQP_EVENT_CONNECTION_ERROR:
            if (cl->tls_hello)
                break; /* said in client_bind */
            peer_log("connection from %s failed: %s%s%s", famqp_io_peer(cl->io),
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
            txn_session_end(cl, e->session);
            famqp_session_close(e->session, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: on_attach(cl, e->link); break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            forget_link(cl, e->link);
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_DELIVERY: on_message(cl, e->delivery); break;
        case FAMQP_EVENT_DELIVERY_ABORTED: famqp_delivery_settle(e->delivery); break;
        case FAMQP_EVENT_DELIVERY_UPDATED: on_outcome(cl->w, e->delivery); break;
        case FAMQP_EVENT_LINK_CREDIT: {
            void *ctx = famqp_link_context(e->link);
            if (ctx && famqp_link_get_role(e->link) == FAMQP_LINK_SENDER) {
                consumer_flush(cl->w, ctx); /* sends its outbox, reports the new credit */
                worker_process(cl->w, false);
            }
            break;
        }
        default: break;
        }
    }
}

static void client_event(famqp_loop_conn *lc, const famqp_event *e, void *arg)
{
    (void)lc;
    client *cl = arg;
    cl->w->current = cl;
    handle_event(cl, e);
    cl->w->current = NULL;
}

void client_flush(client *cl)
{
    if (cl && cl->lc && cl != cl->w->current)
        famqp_loop_conn_flush(cl->lc);
}

/* The socket is finished with: a failure is logged (a plain client on our
 * TLS port named as such), a clean end only with --verbose. */
static void report_end(client *cl, famqp_io_status state)
{
    const broker_config *cfg = &cl->w->b->cfg;
    if (state == FAMQP_IO_ERR_FAILED) {
        const char *why = famqp_io_error_message(cl->io);
        /* OpenSSL's words for "the first bytes were no TLS record": the
         * only sign of a plain client we get, as the TLS layer reads the
         * raw bytes, not us. */
        bool plain = cfg->tls && strstr(why, "TLS handshake") &&
                     (strstr(why, "wrong version number") || strstr(why, "http request") ||
                      strstr(why, "packet length too long"));
        peer_log("%s%s", why, plain ? " (the client did not speak TLS: plain amqp:// to this amqps port?)" : "");
    } else if (cfg->verbose) {
        fprintf(stderr, "famqp-broker: connection from %s ended\n", famqp_io_peer(cl->io));
    }
}

static void client_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    (void)lc;
    client *cl = arg;
    report_end(cl, state);
    client_free(cl);
}

/* Before binding: reads (and, for TLS, handshakes) until the peer's
 * protocol header is there, which chooses the engine's options. */
static void on_hello(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)w;
    client *cl = arg;
    famqp_io_process(cl->io, (events & (FAMQP_LOOP_READABLE | FAMQP_LOOP_ERROR)) != 0);
    uint8_t hdr[8];
    if (famqp_io_peek_header(cl->io, hdr)) {
        famqp_loop_watch_free(cl->hello);
        cl->hello = NULL;
        if (!client_bind(cl)) {
            peer_log("out of memory: dropping connection from %s", famqp_io_peer(cl->io));
            client_free(cl);
        }
        return;
    }
    if (famqp_io_done(cl->io)) {
        report_end(cl, famqp_io_state(cl->io));
        client_free(cl);
        return;
    }
    famqp_loop_watch_set(cl->hello, (famqp_io_wants_read(cl->io) ? FAMQP_LOOP_READABLE : 0u) |
                                        (famqp_io_wants_write(cl->io) ? FAMQP_LOOP_WRITABLE : 0u));
}

static bool add_client(worker *w, client *cl)
{
    if (w->nclients == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        client **a = realloc(w->clients, cap * sizeof *a);
        if (!a)
            return false;
        w->clients = a;
        w->cap = cap;
    }
    cl->index = w->nclients;
    w->clients[w->nclients++] = cl;
    return true;
}

void client_start(worker *w, famqp_io *io)
{
    client *cl = calloc(1, sizeof *cl);
    if (cl) {
        cl->w = w;
        cl->io = io;
        famqp_io_set_context(io, cl);
    }
    if (!cl || !add_client(w, cl)) {
        peer_log("out of memory: dropping connection from %s", famqp_io_peer(io));
        free(cl);
        famqp_io_free(io);
        return;
    }
    if (!deadline_start(cl))
        client_free(cl);
}

bool client_watch_hello(client *cl)
{
    return famqp_loop_watch_new(cl->w->loop, famqp_io_fd(cl->io), FAMQP_LOOP_READABLE, on_hello, cl, &cl->hello) ==
           FAMQP_LOOP_OK;
}

void client_accept(famqp_loop_listener *l, famqp_io *io, void *arg)
{
    (void)l;
    worker *w0 = arg;
    broker *b = w0->b;
    worker *w = &b->workers[w0->next_accept];
    w0->next_accept = (w0->next_accept + 1) % b->cfg.threads;
    if (w == w0) {
        client_start(w, io);
        return;
    }
    incoming *x = malloc(sizeof *x);
    if (!x) {
        peer_log("out of memory: dropping connection from %s", famqp_io_peer(io));
        famqp_io_free(io);
        return;
    }
    x->io = io;
    pthread_mutex_lock(&b->mu);
    /* Order does not matter between connections: a stack will do. */
    x->next = w->incoming;
    w->incoming = x;
    worker_wake(w0, w);
    pthread_mutex_unlock(&b->mu);
    worker_post_wakes(w0);
}

void client_settle_origin(worker *w, uint32_t slot, uint32_t gen, famqp_delivery *d, famqp_outcome_kind kind,
                          const char *name, const char *description)
{
    producer *p = worker_slot_get(w, slot, gen);
    if (!p)
        return; /* its link or connection is gone, and the delivery with it */
    if (kind == FAMQP_OUTCOME_REJECTED)
        famqp_delivery_reject(d, name, description);
    else if (kind == FAMQP_OUTCOME_ACCEPTED)
        famqp_delivery_accept(d);
    else
        famqp_delivery_settle(d);
    client_flush(p->client);
}

void client_close_link(client *cl, famqp_link *l, const char *condition, const char *description)
{
    forget_link(cl, l);
    famqp_link_close(l, condition, description);
    client_flush(cl);
}

void client_free(client *cl)
{
    worker *w = cl->w;
    /* No message goes to this client's other consumers while the first
     * one's are requeued. */
    pthread_mutex_lock(&w->b->mu);
    for (size_t i = 0; i < cl->nconsumers; i++)
        consumer_detach(cl->consumers[i]);
    pthread_mutex_unlock(&w->b->mu);
    while (cl->nconsumers)
        drop_consumer(cl, cl->consumers[cl->nconsumers - 1]);
    while (cl->nproducers)
        drop_producer(cl, cl->producers[cl->nproducers - 1]);
    txn_client_free(cl);
    free(cl->consumers);
    free(cl->producers);
    cbs_client_free(cl);
    mgmt_client_free(cl);
    sb_mgmt_client_free(cl);
    w->clients[cl->index] = w->clients[--w->nclients];
    w->clients[cl->index]->index = cl->index;
    if (w->current == cl)
        w->current = NULL;
    famqp_loop_watch_free(cl->hello); /* before the socket closes */
    famqp_loop_timer_free(cl->deadline);
    if (cl->lc)
        famqp_loop_conn_free(cl->lc); /* frees io and connection (at once, or after its callback) */
    else
        famqp_io_free(cl->io);
    free(cl);
}

void worker_close_clients(worker *w)
{
    w->stopping = true;
    for (size_t i = 0; i < w->nclients; i++)
        if (w->clients[i]->conn)
            famqp_connection_close(w->clients[i]->conn, "amqp:connection:forced", "famqp-broker is shutting down");
    clients_flush_all(w, SHUTDOWN_FLUSH_MS); /* all at once: a client that does not read delays none */
    while (w->nclients)
        client_free(w->clients[w->nclients - 1]);
    free(w->clients);
    w->clients = NULL;
    w->cap = 0;
}

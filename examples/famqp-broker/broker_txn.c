/* famqp-broker: the transaction coordinator (AMQP 1.0 part 4), local
 * transactions only, per connection.
 *
 * A client attaches a sender whose target is a coordinator; declare
 * (amqp:declare:list in an amqp-value body) is answered with
 * declared{txn-id}; a transfer carrying transactional-state{txn-id} is
 * held (accepted in the transaction, invisible to consumers); a consumer's
 * disposition with transactional-state{txn-id, outcome} takes the message
 * out of the consumer's in-flight list into the transaction.  discharge
 * (fail false) commits: every held message goes to its queue and every
 * acknowledgement takes effect, under one hold of broker.mu, so across
 * queues no consumer sees part of it; discharge with fail true, the
 * coordinator link detaching, its session ending or the connection going
 * away roll back: held messages are dropped, acquired ones go back to the
 * head of their queue as released (delivery-count unchanged).
 *
 * Not offered: distributed or promotable transactions (a coordinator
 * asking for them is refused with amqp:not-implemented), declare with a
 * global-id.  Everything runs on the client's own worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

enum {
    TXN_MAX_PER_CLIENT = 256,   /* open transactions of one connection */
    TXN_MAX_WORK = 100000,      /* held sends and acknowledgements in one transaction */
    TXN_MAX_COORDINATORS = 16,  /* coordinator links of one connection */
};

/* A held send (queue, message) or an acknowledgement (queue, message, outcome). */
typedef struct txn_work {
    queue *q;
    message *m;
    bool ack;
    famqp_outcome_kind kind; /* ack: what commit does with the message */
} txn_work;

typedef struct txn {
    uint64_t id;
    famqp_link *coordinator; /* the link that declared it */
    txn_work *work;
    size_t nwork, cap;
} txn;

struct client_txn {
    famqp_link *coordinators[TXN_MAX_COORDINATORS];
    size_t ncoordinators;
    txn *txns[TXN_MAX_PER_CLIENT];
    size_t ntxns;
    uint64_t next_id;
};

static const char *const local_only[] = {FAMQP_TXN_CAPABILITY_LOCAL_TRANSACTIONS_SYMBOL};

static client_txn *txn_state(client *cl)
{
    if (!cl->txn)
        cl->txn = calloc(1, sizeof *cl->txn);
    return cl->txn;
}

static bool is_coordinator_link(const client *cl, const famqp_link *l)
{
    if (!cl->txn)
        return false;
    for (size_t i = 0; i < cl->txn->ncoordinators; i++)
        if (cl->txn->coordinators[i] == l)
            return true;
    return false;
}

void txn_attach(client *cl, famqp_link *l)
{
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.coordinator = true; /* our attach names the coordinator as its target too */
    o.target_capabilities = (famqp_symbols){local_only, 1};
    famqp_symbols caps = famqp_link_remote_target_capabilities(l);
    for (uint32_t i = 0; i < caps.count; i++) {
        if (!strcmp(caps.items[i], FAMQP_TXN_CAPABILITY_DISTRIBUTED_TRANSACTIONS_SYMBOL) ||
            !strcmp(caps.items[i], FAMQP_TXN_CAPABILITY_PROMOTABLE_TRANSACTIONS_SYMBOL)) {
            char desc[200];
            snprintf(desc, sizeof desc,
                     "famqp-broker's coordinator offers local transactions only, not %s", caps.items[i]);
            client_refuse_link(l, &o, "amqp:not-implemented", desc);
            return;
        }
    }
    client_txn *t = txn_state(cl);
    if (!t || t->ncoordinators == TXN_MAX_COORDINATORS) {
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded",
                           t ? "famqp-broker allows 16 coordinator links per connection" : "out of memory");
        return;
    }
    t->coordinators[t->ncoordinators++] = l;
    o.credit_window = 100;
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (cl->w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached a transaction coordinator\n", famqp_io_peer(cl->io));
}

static txn *txn_find(client *cl, famqp_binary id, size_t *index)
{
    if (!cl->txn || id.len != 8)
        return NULL;
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | id.ptr[i];
    for (size_t i = 0; i < cl->txn->ntxns; i++)
        if (cl->txn->txns[i]->id == v) {
            if (index)
                *index = i;
            return cl->txn->txns[i];
        }
    return NULL;
}

static void put_id(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

/* The entry keeps q from auto-delete (queue_note_unused) until the
 * transaction ends, though its links may detach before. */
static bool txn_add(worker *w, txn *x, queue *q, message *m, bool ack, famqp_outcome_kind kind)
{
    if (x->nwork == x->cap) {
        if (x->cap >= TXN_MAX_WORK)
            return false;
        size_t cap = x->cap ? x->cap * 2 : 16;
        txn_work *a = realloc(x->work, cap * sizeof *a);
        if (!a)
            return false;
        x->work = a;
        x->cap = cap;
    }
    x->work[x->nwork++] = (txn_work){q, m, ack, kind};
    pthread_mutex_lock(&w->b->mu);
    q->txn_refs++;
    pthread_mutex_unlock(&w->b->mu);
    return true;
}

/* A transactional outcome that, committed, takes the message out of the
 * broker (released and modified put it back, as outside a transaction). */
static bool consumed(famqp_outcome_kind kind)
{
    return kind == FAMQP_OUTCOME_ACCEPTED || kind == FAMQP_OUTCOME_REJECTED;
}

/* Commit (true) or roll back: the transaction ends and is freed.  Queues
 * change under one hold of mu, so a consumer sees all of it or none. */
static void txn_end(client *cl, size_t index, bool commit)
{
    worker *w = cl->w;
    client_txn *t = cl->txn;
    txn *x = t->txns[index];
    t->txns[index] = t->txns[--t->ntxns];
    pthread_mutex_lock(&w->b->mu);
    for (size_t i = 0; i < x->nwork; i++) {
        txn_work *k = &x->work[i];
        if (!k->ack && commit) {
            k->m->id = w->b->next_id++;
            list_push_back(&k->q->messages, k->m);
        }
    }
    /* Acquired messages that come back: released, delivery-count as it
     * was, at the head of their queue in the order they were taken. */
    for (size_t i = x->nwork; i-- > 0;) {
        txn_work *k = &x->work[i];
        if (k->ack && !(commit && consumed(k->kind)))
            list_push_front(&k->q->messages, k->m);
    }
    for (size_t i = 0; i < x->nwork; i++) {
        queue *q = x->work[i].q;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = x->work[j].q == q;
        if (!seen && !w->stopping)
            queue_dispatch(w, q);
    }
    for (size_t i = 0; i < x->nwork; i++)
        x->work[i].q->txn_refs--;
    for (size_t i = 0; i < x->nwork && !w->stopping; i++)
        queue_note_unused(w, x->work[i].q); /* once each: it returns at once when idle already */
    pthread_mutex_unlock(&w->b->mu);
    for (size_t i = 0; i < x->nwork; i++) {
        txn_work *k = &x->work[i];
        if (!k->ack && !commit) {
            pool_put(w, k->m);
        } else if (k->ack && commit && consumed(k->kind)) {
            famqp_outcome o = {.kind = k->kind};
            message_done(w, k->m, &o);
        }
    }
    if (w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s %s transaction %llu (%zu sends and acknowledgements)\n",
                famqp_io_peer(cl->io), commit ? "committed" : "rolled back", (unsigned long long)x->id, x->nwork);
    free(x->work);
    free(x);
    if (!w->stopping) {
        worker_post_wakes(w);
        worker_process(w, false);
    }
}

static void reject(famqp_delivery *d, const char *condition, const char *description)
{
    famqp_delivery_reject(d, condition, description);
}

static void on_declare(client *cl, famqp_delivery *d, famqp_link *coordinator, const famqp_declare *dec)
{
    if ((dec->present & FAMQP_DECLARE_HAS_GLOBAL_ID) && dec->global_id.kind != FAMQP_ANY_GLOBAL_TX_ID_NONE) {
        reject(d, "amqp:not-implemented", "famqp-broker supports local transactions only (declare with a global-id)");
        return;
    }
    client_txn *t = cl->txn;
    txn *x = t->ntxns < TXN_MAX_PER_CLIENT ? calloc(1, sizeof *x) : NULL;
    if (!x) {
        reject(d, "amqp:resource-limit-exceeded",
               t->ntxns < TXN_MAX_PER_CLIENT ? "out of memory" : "256 transactions are open on this connection");
        return;
    }
    x->id = ++t->next_id;
    x->coordinator = coordinator;
    t->txns[t->ntxns++] = x;
    uint8_t id[8];
    put_id(id, x->id);
    famqp_outcome o = {.kind = FAMQP_OUTCOME_DECLARED, .txn_id = famqp_binary_of(id, sizeof id)};
    famqp_delivery_update(d, &o, true);
}

static void on_discharge(client *cl, famqp_delivery *d, const famqp_discharge *dis)
{
    size_t index;
    famqp_binary id = dis->txn_id.kind == FAMQP_ANY_TXN_ID_TRANSACTION_ID ? dis->txn_id.u.transaction_id
                                                                          : (famqp_binary){0};
    if (!txn_find(cl, id, &index)) {
        reject(d, "amqp:transaction:unknown-id", "no transaction with this txn-id is open on this connection");
        return;
    }
    txn_end(cl, index, !dis->fail);
    famqp_delivery_accept(d);
}

bool txn_on_message(client *cl, famqp_delivery *d)
{
    famqp_link *l = famqp_delivery_link(d);
    if (!is_coordinator_link(cl, l))
        return false;
    famqp_binary raw = famqp_delivery_message(d);
    famqp_message m;
    famqp_error e;
    if (famqp_message_decode(raw.ptr, raw.len, &m, &e) != FAMQP_OK || m.body.kind != FAMQP_BODY_VALUE) {
        reject(d, "amqp:decode-error", "a coordinator message is declare or discharge in an amqp-value body");
        return true;
    }
    famqp_declare dec;
    famqp_discharge dis;
    famqp_value v = m.body.value;
    if (famqp_declare_decode(v.ptr, v.len, &dec, &e) == v.len)
        on_declare(cl, d, l, &dec);
    else if (famqp_discharge_decode(v.ptr, v.len, &dis, &e) == v.len)
        on_discharge(cl, d, &dis);
    else
        reject(d, "amqp:decode-error", "a coordinator message is amqp:declare:list or amqp:discharge:list");
    return true;
}

bool txn_on_send(client *cl, producer *p, famqp_delivery *d)
{
    famqp_outcome ts = famqp_delivery_transfer_state(d);
    if (!ts.txn_id.len)
        return false;
    txn *x = txn_find(cl, ts.txn_id, NULL);
    if (!x) {
        reject(d, "amqp:transaction:unknown-id", "the transfer names a transaction not open on this connection");
        return true;
    }
    if (!p->queue) {
        reject(d, "amqp:not-implemented", "famqp-broker takes transactional sends to queues only");
        return true;
    }
    famqp_binary body = famqp_delivery_message(d);
    message *m = pool_get(cl->w, body.len);
    if (!m || !txn_add(cl->w, x, p->queue, m, false, FAMQP_OUTCOME_NONE)) {
        if (m)
            pool_put(cl->w, m);
        reject(d, "amqp:resource-limit-exceeded", "the transaction holds too much (or out of memory)");
        return true;
    }
    m->len = body.len;
    m->format = famqp_delivery_message_format(d);
    m->origin = NULL;
    m->origin_gen = 0;
    memcpy(m->data, body.ptr, body.len);
    if (famqp_delivery_remote_settled(d)) {
        famqp_delivery_settle(d);
    } else {
        famqp_outcome o = {.kind = FAMQP_OUTCOME_ACCEPTED, .txn_id = ts.txn_id};
        famqp_delivery_update(d, &o, true);
    }
    producer_want_credit(cl->w, p);
    return true;
}

bool txn_on_ack(client *cl, consumer *c, message *m, const famqp_outcome *o)
{
    if (!o->txn_id.len)
        return false;
    txn *x = txn_find(cl, o->txn_id, NULL);
    if (!x || !c->queue || !txn_add(cl->w, x, c->queue, m, true, o->kind)) {
        /* Returned to the queue now, as a release: the acknowledgement
         * cannot be part of a transaction. */
        pthread_mutex_lock(&cl->w->b->mu);
        if (c->queue)
            list_push_front(&c->queue->messages, m);
        pthread_mutex_unlock(&cl->w->b->mu);
        if (c->queue)
            queue_service(cl->w, c->queue);
        else
            pool_put(cl->w, m);
        fprintf(stderr, "famqp-broker: %s acknowledged in %s: the message is released\n", famqp_io_peer(cl->io),
                x ? "a transaction that holds too much" : "an unknown transaction");
    }
    return true;
}

/* Rolls back every transaction declared on coordinator link l (NULL: all). */
static void rollback_of(client *cl, const famqp_link *l)
{
    client_txn *t = cl->txn;
    for (size_t i = t->ntxns; i-- > 0;)
        if (!l || t->txns[i]->coordinator == l)
            txn_end(cl, i, false);
}

bool txn_forget_link(client *cl, famqp_link *l)
{
    if (!is_coordinator_link(cl, l))
        return false;
    rollback_of(cl, l);
    client_txn *t = cl->txn;
    for (size_t i = 0; i < t->ncoordinators; i++)
        if (t->coordinators[i] == l) {
            t->coordinators[i] = t->coordinators[--t->ncoordinators];
            break;
        }
    return true;
}

void txn_session_end(client *cl, famqp_session *s)
{
    if (!cl->txn)
        return;
    for (size_t i = cl->txn->ncoordinators; i-- > 0;)
        if (famqp_link_session(cl->txn->coordinators[i]) == s)
            txn_forget_link(cl, cl->txn->coordinators[i]);
}

void txn_client_free(client *cl)
{
    if (!cl->txn)
        return;
    rollback_of(cl, NULL);
    free(cl->txn);
    cl->txn = NULL;
}

/* Deliveries: sending (split into frames within the session window),
 * receiving (multi-frame reassembly, abort), settlement and outcomes, and
 * dispositions coalesced into first..last ranges. */
#include <string.h>

#include "engine_internal.h"

const char *famqp_outcome_kind_name(famqp_outcome_kind k)
{
    switch (k) {
    case FAMQP_OUTCOME_NONE: return "none";
    case FAMQP_OUTCOME_ACCEPTED: return "accepted";
    case FAMQP_OUTCOME_REJECTED: return "rejected";
    case FAMQP_OUTCOME_RELEASED: return "released";
    case FAMQP_OUTCOME_MODIFIED: return "modified";
    case FAMQP_OUTCOME_RECEIVED: return "received";
    case FAMQP_OUTCOME_OTHER: return "other";
    case FAMQP_OUTCOME_DECLARED: return "declared";
    }
    return "unknown";
}

/* ---- lists ---------------------------------------------------------------- */

static void list_push(famqp_delivery *d)
{
    famqp_session *s = d->link->session;
    famqp_delivery **head = d->outgoing ? &s->out_head : &s->in_head;
    famqp_delivery **tail = d->outgoing ? &s->out_tail : &s->in_tail;
    d->next = NULL;
    d->prev = *tail;
    if (*tail)
        (*tail)->next = d;
    else
        *head = d;
    *tail = d;
    d->in_list = true;
    d->link->nunsettled++;
}

void eng_delivery_unlink(famqp_delivery *d)
{
    if (!d->in_list)
        return;
    famqp_session *s = d->link->session;
    famqp_delivery **head = d->outgoing ? &s->out_head : &s->in_head;
    famqp_delivery **tail = d->outgoing ? &s->out_tail : &s->in_tail;
    if (d->prev)
        d->prev->next = d->next;
    else
        *head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        *tail = d->prev;
    d->prev = d->next = NULL;
    d->in_list = false;
    d->link->nunsettled--;
}

void eng_delivery_kill(famqp_delivery *d)
{
    if (d->queued) {
        /* Settled (by the peer or the application) while still being
         * framed: it stops being tracked now and ends once
         * eng_link_send_queued has sent it (the stream must stay whole). */
        eng_delivery_unlink(d);
        d->local_settled = true;
        return;
    }
    eng_delivery_unlink(d);
    if (d->link->incoming == d)
        d->link->incoming = NULL;
    d->dead = true;
    d->refs++;
    eng_delivery_unref(d);
}

/* Makes sure d->data holds at least `need` bytes (contents kept). */
static bool data_reserve(famqp_connection *c, famqp_delivery *d, size_t need)
{
    if (need <= d->cap)
        return true;
    size_t cap = d->cap ? d->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = eng_realloc(c, d->data, cap);
    if (!p)
        return false;
    d->data = p;
    d->cap = cap;
    return true;
}

/* A delivery from the pool when there is one (keeping its buffer). */
static famqp_delivery *delivery_new(famqp_link *l, bool outgoing, size_t need)
{
    famqp_connection *c = l->session->conn;
    famqp_delivery *d = c->pool;
    if (d) {
        c->pool = d->pool_next;
        c->pool_bytes -= sizeof *d + d->cap;
        uint8_t *data = d->data;
        size_t cap = d->cap;
        memset(d, 0, sizeof *d);
        d->data = data;
        d->cap = cap;
    } else {
        d = eng_alloc(c, sizeof *d);
        if (!d)
            return NULL;
    }
    d->link = l;
    d->outgoing = outgoing;
    l->refs++; /* the delivery keeps its link */
    if (need && !data_reserve(c, d, need)) {
        d->dead = true;
        d->refs++;
        eng_delivery_unref(d);
        return NULL;
    }
    return d;
}

/* ---- sending ---------------------------------------------------------------- */

static void state_from_outcome(const famqp_outcome *o, famqp_any_delivery_state *st);

/* Writes frames of d from data[0..len) (the bytes not yet framed) while
 * the peer's session window allows.  Returns the bytes framed. */
static size_t send_frames(famqp_delivery *d, const uint8_t *data, size_t len)
{
    famqp_link *l = d->link;
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    size_t done = 0;
    while ((done < len || !d->first_sent) && s->remote_incoming_window > 0 && !c->failed) {
        famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
        famqp_transfer *t = &f.u.transfer;
        *t = famqp_transfer_defaults;
        t->handle = l->handle;
        t->present = FAMQP_TRANSFER_HAS_HANDLE;
        if (!d->first_sent) {
            t->delivery_id = d->id;
            t->delivery_tag = famqp_binary_of(d->tag, d->tag_len);
            t->message_format = d->format;
            t->settled = d->local_settled;
            t->present |= FAMQP_TRANSFER_HAS_DELIVERY_ID | FAMQP_TRANSFER_HAS_DELIVERY_TAG |
                          FAMQP_TRANSFER_HAS_MESSAGE_FORMAT | FAMQP_TRANSFER_HAS_SETTLED;
            if (d->xfer_state.kind != FAMQP_OUTCOME_NONE || d->xfer_state.txn_id.len) {
                d->xfer_state.txn_id.ptr = d->xfer_txn;
                state_from_outcome(&d->xfer_state, &t->state);
                t->present |= FAMQP_TRANSFER_HAS_STATE;
            }
        }
        t->more = true;
        t->present |= FAMQP_TRANSFER_HAS_MORE;
        size_t overhead = FAMQP_FRAME_HEADER_SIZE + eng_frame_encode(c, NULL, 0, &f);
        size_t room = eng_out_frame_max(c) - overhead;
        size_t chunk = len - done;
        if (chunk > room)
            chunk = room;
        else {
            t->more = false;
            t->present &= ~FAMQP_TRANSFER_HAS_MORE;
        }
        if (!eng_session_write(s, &f, data + done, chunk))
            break;
        d->first_sent = true;
        done += chunk;
        s->next_outgoing_id++;
        s->remote_incoming_window--;
    }
    return done;
}

static void sendq_push(famqp_link *l, famqp_delivery *d)
{
    d->qnext = NULL;
    d->queued = true;
    if (l->sendq_tail)
        l->sendq_tail->qnext = d;
    else
        l->sendq_head = d;
    l->sendq_tail = d;
}

static void sendq_pop(famqp_link *l)
{
    famqp_delivery *d = l->sendq_head;
    l->sendq_head = d->qnext;
    if (!l->sendq_head)
        l->sendq_tail = NULL;
    d->qnext = NULL;
    d->queued = false;
}

/* An aborted transfer ends the delivery (and settles it). */
static bool send_abort(famqp_delivery *d)
{
    famqp_session *s = d->link->session;
    if (s->remote_incoming_window == 0)
        return false;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_TRANSFER};
    f.u.transfer = famqp_transfer_defaults;
    f.u.transfer.handle = d->link->handle;
    f.u.transfer.aborted = true;
    f.u.transfer.settled = true;
    f.u.transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_ABORTED | FAMQP_TRANSFER_HAS_SETTLED;
    eng_session_write(s, &f, NULL, 0);
    s->next_outgoing_id++;
    s->remote_incoming_window--;
    return true;
}

void eng_link_send_queued(famqp_link *l)
{
    famqp_session *s = l->session;
    while (l->sendq_head && s->remote_incoming_window > 0) {
        famqp_delivery *d = l->sendq_head;
        if (d->abort_pending) {
            if (!send_abort(d))
                break;
        } else {
            d->sent += send_frames(d, d->data + d->sent, d->len - d->sent);
            if (d->sent < d->len || !d->first_sent)
                break;
        }
        sendq_pop(l);
        d->len = d->sent = 0; /* the buffer stays for reuse */
        if (d->abort_pending || d->local_settled) {
            eng_delivery_kill(d); /* pre-settled or aborted: nothing more to track */
        }
    }
}

famqp_engine_status famqp_link_send(famqp_link *l, famqp_binary tag, const void *msg, size_t len, bool settled,
                                    famqp_delivery **out)
{
    return famqp_link_send_format(l, tag, 0, msg, len, settled, out);
}

famqp_engine_status famqp_link_send_format(famqp_link *l, famqp_binary tag, uint32_t format, const void *msg,
                                           size_t len, bool settled, famqp_delivery **out)
{
    return famqp_link_send_state(l, tag, format, msg, len, settled, NULL, out);
}

famqp_engine_status famqp_link_send_state(famqp_link *l, famqp_binary tag, uint32_t format, const void *msg,
                                          size_t len, bool settled, const famqp_outcome *state,
                                          famqp_delivery **out)
{
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    if (out)
        *out = NULL;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (l->role != FAMQP_LINK_SENDER || tag.len > ENG_TAG_MAX || (len && !msg) || (tag.len && !tag.ptr) ||
        (state && !eng_txn_outcome_ok(state, true)))
        return FAMQP_ENGINE_ERR_ARG;
    if (l->local != ENG_ACTIVE || l->remote != ENG_ACTIVE || s->local != ENG_ACTIVE || !eng_usable(c))
        return FAMQP_ENGINE_ERR_STATE;
    if (l->credit == 0)
        return FAMQP_ENGINE_ERR_CREDIT;
    if (l->remote_max_message_size && len > l->remote_max_message_size)
        return FAMQP_ENGINE_ERR_LIMIT;
    if (l->opts.snd_settle_mode == FAMQP_SENDER_SETTLE_MODE_SETTLED)
        settled = true;
    else if (l->opts.snd_settle_mode == FAMQP_SENDER_SETTLE_MODE_UNSETTLED && settled)
        return FAMQP_ENGINE_ERR_ARG;
    if (!settled && l->nunsettled >= c->opts.max_unsettled_per_link)
        return FAMQP_ENGINE_ERR_LIMIT; /* wait for outcomes first */
    if (eng_output_over(c)) {
        l->output_refused = true; /* LINK_CREDIT once it drained */
        return FAMQP_ENGINE_ERR_LIMIT;
    }
    famqp_delivery *d = delivery_new(l, true, 0);
    if (!d)
        return FAMQP_ENGINE_ERR_NOMEM;
    d->id = s->next_delivery_id++;
    memcpy(d->tag, tag.ptr ? tag.ptr : (const uint8_t *)"", tag.len);
    d->tag_len = tag.len;
    d->format = format;
    d->local_settled = settled;
    if (state) {
        d->xfer_state = (famqp_outcome){.kind = state->kind,
                                        .delivery_failed = state->delivery_failed,
                                        .undeliverable_here = state->undeliverable_here,
                                        .delivery_failed_absent = state->delivery_failed_absent,
                                        .txn_id = {.len = state->txn_id.len}};
        if (state->txn_id.len)
            memcpy(d->xfer_txn, state->txn_id.ptr, state->txn_id.len);
    }
    l->credit--;
    l->delivery_count++;
    if (!settled)
        list_push(d);
    size_t sent = 0;
    if (!l->sendq_head)
        sent = send_frames(d, msg, len);
    if (c->failed) {
        if (!d->in_list) /* unreachable otherwise: free it now */
            eng_delivery_kill(d);
        return FAMQP_ENGINE_ERR_FAILED;
    }
    if (sent < len || !d->first_sent) {
        /* The window is shut: keep the rest until the peer opens it. */
        if (!data_reserve(c, d, len - sent)) {
            if (!d->in_list)
                eng_delivery_kill(d);
            return FAMQP_ENGINE_ERR_NOMEM;
        }
        if (len - sent)
            memcpy(d->data, (const uint8_t *)msg + sent, len - sent);
        d->len = len - sent;
        sendq_push(l, d);
    } else if (settled) {
        eng_delivery_kill(d);
        return FAMQP_ENGINE_OK;
    }
    if (out && !settled)
        *out = d;
    return FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_delivery_abort(famqp_delivery *d)
{
    famqp_link *l = d->link;
    famqp_connection *c = l->session->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (!d->outgoing || d->dead)
        return FAMQP_ENGINE_ERR_ARG;
    /* Only the delivery being framed can be aborted: the others either
     * went out whole or have not started (their ids are already taken). */
    if (l->sendq_head != d || !d->first_sent || d->abort_pending)
        return FAMQP_ENGINE_ERR_STATE;
    d->abort_pending = true;
    d->local_settled = true;
    eng_delivery_unlink(d);
    eng_session_pump(l->session);
    return FAMQP_ENGINE_OK;
}

/* ---- receiving -------------------------------------------------------------- */

void eng_receiver_credit_topup(famqp_link *l)
{
    uint32_t w = l->opts.credit_window;
    if (!w || l->local != ENG_ACTIVE || l->drain || eng_output_over(l->session->conn))
        return;
    if (l->credit <= w / 2) {
        eng_link_grant(l, w);
        eng_session_flow_write(l->session, l, false);
    }
}

/* The state a transfer carried: kept as its kind, flags and txn-id. */
static bool transfer_state_read(famqp_delivery *d, const famqp_any_delivery_state *st)
{
    famqp_connection *c = d->link->session->conn;
    eng_cond tmp = {0};
    famqp_outcome o;
    bool ok = eng_outcome_from_state(c, st, &o, &tmp, d->xfer_txn);
    eng_cond_free(c, &tmp);
    if (ok)
        d->xfer_state = (famqp_outcome){.kind = o.kind,
                                        .delivery_failed = o.delivery_failed,
                                        .undeliverable_here = o.undeliverable_here,
                                        .delivery_failed_absent = o.delivery_failed_absent,
                                        .txn_id = {.len = o.txn_id.len}};
    return ok;
}

void eng_on_transfer(famqp_session *s, const famqp_transfer *t, const uint8_t *payload, size_t n)
{
    famqp_connection *c = s->conn;
    if (s->incoming_window == 0) {
        eng_fail(c, FAMQP_SESSION_ERROR_WINDOW_VIOLATION_SYMBOL,
                 "transfer on channel %u beyond our incoming-window (next-incoming-id %" PRIu32 ")", s->remote_channel,
                 s->next_incoming_id);
        return;
    }
    s->incoming_window--;
    s->next_incoming_id++;
    if (s->local == ENG_CLOSED)
        return; /* we ended the session: frames in flight are dropped */
    famqp_link *l = eng_link_by_remote(s, t->handle, "transfer");
    if (!l || l->local == ENG_CLOSED)
        return; /* unknown (failed already), or we detached it */
    if (l->role != FAMQP_LINK_RECEIVER) {
        eng_fail(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL, "transfer on handle %" PRIu32 ", which is our sender link",
                 t->handle);
        return;
    }
    famqp_delivery *d = l->incoming;
    if (!d) {
        if (!(t->present & FAMQP_TRANSFER_HAS_DELIVERY_ID) || !(t->present & FAMQP_TRANSFER_HAS_DELIVERY_TAG)) {
            eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL,
                     "first transfer of a delivery on link \"%s\" lacks %s", l->name,
                     (t->present & FAMQP_TRANSFER_HAS_DELIVERY_ID) ? "delivery-tag" : "delivery-id");
            return;
        }
        if (t->delivery_tag.len > ENG_TAG_MAX) {
            eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL, "delivery-tag of %zu bytes (at most %u)",
                     t->delivery_tag.len, ENG_TAG_MAX);
            return;
        }
        if (l->local != ENG_ACTIVE || (l->credit == 0 && l->overrun >= l->overrun_allowed)) {
            eng_fail(c, FAMQP_LINK_ERROR_TRANSFER_LIMIT_EXCEEDED_SYMBOL,
                     "transfer on link \"%s\" without link credit (delivery-count %" PRIu32
                     ", %" PRIu32 " beyond credit already; allowed: twice the largest grant plus max_credit_overrun = %" PRIu32 ")",
                     l->name, l->delivery_count, l->overrun, c->opts.max_credit_overrun);
            return;
        }
        if (l->nunsettled >= c->opts.max_unsettled_per_link) {
            eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
                     "link \"%s\" already holds %" PRIu32 " unsettled deliveries (limit max_unsettled_per_link = %" PRIu32
                     ")",
                     l->name, l->nunsettled, c->opts.max_unsettled_per_link);
            return;
        }
        if (l->credit)
            l->credit--;
        else
            l->overrun++; /* tolerated, bounded: see max_credit_overrun */
        l->delivery_count++;
        d = delivery_new(l, false, n);
        if (!d)
            return;
        d->id = t->delivery_id;
        memcpy(d->tag, t->delivery_tag.ptr, t->delivery_tag.len);
        d->tag_len = t->delivery_tag.len;
        d->format = (t->present & FAMQP_TRANSFER_HAS_MESSAGE_FORMAT) ? t->message_format : 0;
        l->incoming = d;
    } else if ((t->present & FAMQP_TRANSFER_HAS_DELIVERY_ID) && t->delivery_id != d->id) {
        eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL,
                 "continuation transfer names delivery-id %" PRIu32 " while delivery %" PRIu32 " is incomplete",
                 t->delivery_id, d->id);
        return;
    }
    if (t->settled)
        d->remote_settled = true;
    if ((t->present & FAMQP_TRANSFER_HAS_STATE) && !transfer_state_read(d, &t->state))
        return;
    if (t->aborted) {
        l->incoming = NULL;
        d->remote_settled = true;
        eng_event(c, FAMQP_EVENT_DELIVERY_ABORTED, s, l, d, (famqp_condition){0});
        eng_delivery_kill(d); /* freed once the event is consumed */
        eng_receiver_credit_topup(l);
        return;
    }
    uint64_t limit = l->opts.max_message_size ? l->opts.max_message_size : c->opts.max_message_size;
    if ((uint64_t)d->len + n > limit) {
        eng_fail(c, FAMQP_LINK_ERROR_MESSAGE_SIZE_EXCEEDED_SYMBOL,
                 "message on link \"%s\" exceeds max-message-size %" PRIu64 " bytes (limit max_message_size)", l->name,
                 limit);
        return;
    }
    uint64_t budget = c->opts.max_incoming_bytes;
    if (t->more && budget && c->incoming_bytes + n > budget) {
        eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
                 "incomplete incoming messages would hold more than %" PRIu64
                 " bytes on this connection (limit max_incoming_bytes)",
                 budget);
        return;
    }
    if (!data_reserve(c, d, d->len + n))
        return;
    if (n)
        memcpy(d->data + d->len, payload, n);
    d->len += n;
    if (t->more) {
        d->partial += n;
        c->incoming_bytes += n;
    } else {
        eng_delivery_complete(d);
        l->incoming = NULL;
        list_push(d); /* reachable until the application settles it */
        eng_event(c, FAMQP_EVENT_DELIVERY, s, l, d, (famqp_condition){0});
        eng_receiver_credit_topup(l);
    }
}

/* ---- outcomes ---------------------------------------------------------------- */

famqp_outcome famqp_delivery_transfer_state(const famqp_delivery *d)
{
    famqp_outcome o = d->xfer_state;
    o.txn_id.ptr = o.txn_id.len ? d->xfer_txn : NULL;
    return o;
}

bool eng_outcome_from_state(famqp_connection *c, const famqp_any_delivery_state *st, famqp_outcome *o, eng_cond *err,
                            uint8_t *txn)
{
    famqp_any_delivery_state inner;
    size_t txn_len = 0;
    int wrapped = eng_txn_state_get(c, st, &inner, txn, &txn_len);
    if (wrapped < 0)
        return false;
    if (wrapped) {
        bool declared = st->kind == FAMQP_ANY_DELIVERY_STATE_DECLARED;
        eng_outcome_from_state(c, &inner, o, err, txn); /* inner is never transactional */
        if (declared)
            o->kind = FAMQP_OUTCOME_DECLARED;
        o->txn_id = famqp_binary_of(txn, txn_len);
        return true;
    }
    memset(o, 0, sizeof *o);
    eng_cond_free(c, err); /* the state it held before */
    switch (st->kind) {
    case FAMQP_ANY_DELIVERY_STATE_NONE: o->kind = FAMQP_OUTCOME_NONE; break;
    case FAMQP_ANY_DELIVERY_STATE_ACCEPTED: o->kind = FAMQP_OUTCOME_ACCEPTED; break;
    case FAMQP_ANY_DELIVERY_STATE_RELEASED: o->kind = FAMQP_OUTCOME_RELEASED; break;
    case FAMQP_ANY_DELIVERY_STATE_REJECTED:
        o->kind = FAMQP_OUTCOME_REJECTED;
        if (st->u.rejected.present & FAMQP_REJECTED_HAS_ERROR) {
            eng_cond_set(c, err, &st->u.rejected.error);
            o->error = eng_cond_view(err);
            if (st->u.rejected.error.present & FAMQP_ERROR_HAS_INFO && eng_map_copy(c, &err->map, st->u.rejected.error.info))
                o->error_info = err->map;
        }
        break;
    case FAMQP_ANY_DELIVERY_STATE_MODIFIED:
        o->kind = FAMQP_OUTCOME_MODIFIED;
        o->delivery_failed = st->u.modified.delivery_failed;
        o->undeliverable_here = st->u.modified.undeliverable_here;
        o->delivery_failed_absent = !(st->u.modified.present & FAMQP_MODIFIED_HAS_DELIVERY_FAILED);
        if (st->u.modified.present & FAMQP_MODIFIED_HAS_MESSAGE_ANNOTATIONS &&
            eng_map_copy(c, &err->map, st->u.modified.message_annotations))
            o->message_annotations = err->map;
        break;
    case FAMQP_ANY_DELIVERY_STATE_RECEIVED:
        o->kind = FAMQP_OUTCOME_RECEIVED;
        o->section_number = st->u.received.section_number;
        o->section_offset = st->u.received.section_offset;
        break;
    default: o->kind = FAMQP_OUTCOME_OTHER; break;
    }
    return true;
}

static void state_from_outcome(const famqp_outcome *o, famqp_any_delivery_state *st)
{
    memset(st, 0, sizeof *st);
    switch (o->kind) {
    case FAMQP_OUTCOME_ACCEPTED:
        st->kind = FAMQP_ANY_DELIVERY_STATE_ACCEPTED;
        st->u.accepted = famqp_accepted_defaults;
        break;
    case FAMQP_OUTCOME_RELEASED:
        st->kind = FAMQP_ANY_DELIVERY_STATE_RELEASED;
        st->u.released = famqp_released_defaults;
        break;
    case FAMQP_OUTCOME_REJECTED:
        st->kind = FAMQP_ANY_DELIVERY_STATE_REJECTED;
        st->u.rejected = famqp_rejected_defaults;
        if (eng_error_put(&st->u.rejected.error, o->error.name, o->error.description)) {
            st->u.rejected.present = FAMQP_REJECTED_HAS_ERROR;
            if (o->error_info.count) {
                st->u.rejected.error.info = o->error_info;
                st->u.rejected.error.present |= FAMQP_ERROR_HAS_INFO;
            }
        }
        break;
    case FAMQP_OUTCOME_MODIFIED:
        st->kind = FAMQP_ANY_DELIVERY_STATE_MODIFIED;
        st->u.modified = famqp_modified_defaults;
        st->u.modified.delivery_failed = o->delivery_failed;
        st->u.modified.undeliverable_here = o->undeliverable_here;
        st->u.modified.present = FAMQP_MODIFIED_HAS_UNDELIVERABLE_HERE;
        if (!o->delivery_failed_absent)
            st->u.modified.present |= FAMQP_MODIFIED_HAS_DELIVERY_FAILED;
        if (o->message_annotations.count) {
            st->u.modified.message_annotations = o->message_annotations;
            st->u.modified.present |= FAMQP_MODIFIED_HAS_MESSAGE_ANNOTATIONS;
        }
        break;
    case FAMQP_OUTCOME_RECEIVED:
        st->kind = FAMQP_ANY_DELIVERY_STATE_RECEIVED;
        st->u.received = famqp_received_defaults;
        st->u.received.section_number = o->section_number;
        st->u.received.section_offset = o->section_offset;
        st->u.received.present = FAMQP_RECEIVED_HAS_SECTION_NUMBER | FAMQP_RECEIVED_HAS_SECTION_OFFSET;
        break;
    default: st->kind = FAMQP_ANY_DELIVERY_STATE_NONE; break;
    }
    eng_txn_state_put(o, st);
}

/* ---- dispositions ------------------------------------------------------------- */

static bool outcome_mergeable(const eng_disp *last, const famqp_outcome *b)
{
    const famqp_outcome *a = &last->state;
    if (a->txn_id.len != b->txn_id.len || (b->txn_id.len && memcmp(last->txn, b->txn_id.ptr, b->txn_id.len)))
        return false;
    return a->kind == b->kind && !a->error.name && !b->error.name && a->delivery_failed == b->delivery_failed &&
           a->delivery_failed_absent == b->delivery_failed_absent && !a->message_annotations.count &&
           !b->message_annotations.count &&
           a->undeliverable_here == b->undeliverable_here && a->kind != FAMQP_OUTCOME_RECEIVED &&
           a->kind != FAMQP_OUTCOME_OTHER && a->kind != FAMQP_OUTCOME_DECLARED;
}

static void disp_clear(famqp_connection *c, eng_disp *e)
{
    eng_free(c, (char *)e->state.error.name);
    eng_free(c, (char *)e->state.error.description);
    eng_map_free(c, &e->state.error_info);
    eng_map_free(c, &e->state.message_annotations);
    eng_session_unref(e->session);
}

/* Queues a disposition for d; a run of consecutive ids with the same
 * state and settlement becomes one frame. */
static bool queue_disposition(famqp_delivery *d, const famqp_outcome *o, bool settled)
{
    famqp_session *s = d->link->session;
    famqp_connection *c = s->conn;
    bool role_receiver = !d->outgoing;
    if (c->ndisps) {
        eng_disp *last = &c->disps[c->ndisps - 1];
        if (last->session == s && last->role_receiver == role_receiver && last->settled == settled &&
            last->last + 1 == d->id && outcome_mergeable(last, o)) {
            last->last = d->id;
            return true;
        }
    }
    if (c->ndisps == c->disps_cap) {
        size_t cap = c->disps_cap ? c->disps_cap * 2 : 16;
        eng_disp *p = eng_realloc(c, c->disps, cap * sizeof *p);
        if (!p)
            return false;
        c->disps = p;
        c->disps_cap = cap;
    }
    eng_disp *e = &c->disps[c->ndisps];
    memset(e, 0, sizeof *e);
    e->session = s;
    e->role_receiver = role_receiver;
    e->first = e->last = d->id;
    e->settled = settled;
    e->state = *o;
    if (o->txn_id.len)
        memcpy(e->txn, o->txn_id.ptr, o->txn_id.len);
    e->state.txn_id.ptr = NULL; /* e->txn, pointed at when written: disps moves */
    bool ok = true;
    e->state.error.name = eng_strdup(c, o->error.name, &ok);
    e->state.error.description = eng_strdup(c, o->error.description, &ok);
    /* Only the kind's own map goes out (state_from_outcome). */
    famqp_map info = o->kind == FAMQP_OUTCOME_REJECTED && o->error.name ? o->error_info : (famqp_map){0};
    famqp_map annotations = o->kind == FAMQP_OUTCOME_MODIFIED ? o->message_annotations : (famqp_map){0};
    ok = eng_map_copy(c, &e->state.error_info, info) && ok;
    ok = eng_map_copy(c, &e->state.message_annotations, annotations) && ok;
    s->refs++;
    c->ndisps++;
    return ok;
}

void eng_flush_dispositions(famqp_connection *c)
{
    size_t n = c->ndisps;
    c->ndisps = 0;
    for (size_t i = 0; i < n; i++) {
        eng_disp *e = &c->disps[i];
        famqp_session *s = e->session;
        if (!c->failed && s->local == ENG_ACTIVE && c->local == ENG_ACTIVE) {
            famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_DISPOSITION};
            famqp_disposition *dp = &f.u.disposition;
            *dp = famqp_disposition_defaults;
            dp->role = e->role_receiver;
            dp->first = e->first;
            dp->present = FAMQP_DISPOSITION_HAS_ROLE | FAMQP_DISPOSITION_HAS_FIRST | FAMQP_DISPOSITION_HAS_SETTLED;
            if (e->last != e->first) {
                dp->last = e->last;
                dp->present |= FAMQP_DISPOSITION_HAS_LAST;
            }
            dp->settled = e->settled;
            e->state.txn_id.ptr = e->txn;
            state_from_outcome(&e->state, &dp->state);
            if (dp->state.kind != FAMQP_ANY_DELIVERY_STATE_NONE)
                dp->present |= FAMQP_DISPOSITION_HAS_STATE;
            eng_emit_frame(c, s->channel, &f, NULL, 0);
        }
        disp_clear(c, e);
    }
}

void eng_disps_free(famqp_connection *c)
{
    for (size_t i = 0; i < c->ndisps; i++)
        disp_clear(c, &c->disps[i]);
    c->ndisps = 0;
    eng_free(c, c->disps);
    c->disps = NULL;
    c->disps_cap = 0;
}

void eng_on_disposition(famqp_session *s, const famqp_disposition *dp)
{
    famqp_connection *c = s->conn;
    uint32_t first = dp->first;
    uint32_t last = (dp->present & FAMQP_DISPOSITION_HAS_LAST) ? dp->last : first;
    uint32_t span = last - first;
    if ((int32_t)span < 0) {
        eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL,
                 "disposition range first %" PRIu32 " .. last %" PRIu32 " runs backwards", first, last);
        return;
    }
    /* role receiver: the peer settles deliveries we sent. */
    famqp_delivery *d = dp->role ? s->out_head : s->in_head;
    while (d) {
        famqp_delivery *next = d->next;
        if (dp->role && (int32_t)(d->id - last) > 0)
            break; /* ids of our sends were assigned in list order */
        if (d->id - first <= span && !d->remote_settled) {
            if (!eng_outcome_from_state(c, &dp->state, &d->remote_state, &d->remote_err, d->remote_txn))
                return;
            if (dp->settled)
                d->remote_settled = true;
            eng_event(c, FAMQP_EVENT_DELIVERY_UPDATED, s, d->link, d, (famqp_condition){0});
            if (d->remote_settled && (d->outgoing || d->local_settled)) {
                /* Sender: the receiver settling ends it.  Receiver in
                 * mode second: our state went out, now both settled. */
                d->local_settled = true;
                eng_delivery_kill(d);
            }
        }
        d = next;
    }
}

/* ---- application settlement ------------------------------------------------------ */

famqp_engine_status famqp_delivery_update(famqp_delivery *d, const famqp_outcome *o, bool settle)
{
    famqp_link *l = d->link;
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    if (c->failed) {
        /* Nothing reaches the peer any more, but settling still lets go of
         * the delivery, so an application holding deliveries of a lost
         * connection can release them before the connection is freed. */
        if (settle && !d->local_settled && !d->dead && (d->outgoing || l->incoming != d)) {
            d->local_settled = true;
            eng_delivery_kill(d);
            return FAMQP_ENGINE_OK;
        }
        return FAMQP_ENGINE_ERR_FAILED;
    }
    if (d->local_settled || d->dead)
        return FAMQP_ENGINE_ERR_STATE;
    if (!d->outgoing && l->incoming == d)
        return FAMQP_ENGINE_ERR_STATE; /* not complete yet */
    famqp_outcome none = {0};
    if (!o)
        o = &none;
    if (!eng_txn_outcome_ok(o, false) ||
        (o->kind == FAMQP_OUTCOME_REJECTED && eng_check_any_map(o->error_info, "error info", NULL, 0)) ||
        (o->kind == FAMQP_OUTCOME_MODIFIED && eng_check_any_map(o->message_annotations, "message-annotations", NULL, 0)))
        return FAMQP_ENGINE_ERR_ARG;
    /* Nothing to tell a peer that settled already (pre-settled sends). */
    bool tell = !d->remote_settled && s->local == ENG_ACTIVE && l->local != ENG_UNINIT;
    if (tell && !queue_disposition(d, o, settle))
        return FAMQP_ENGINE_ERR_NOMEM;
    if (settle || d->remote_settled) {
        d->local_settled = true;
        eng_delivery_kill(d);
    }
    return FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_delivery_accept(famqp_delivery *d)
{
    famqp_outcome o = {.kind = FAMQP_OUTCOME_ACCEPTED};
    bool second = !d->outgoing && d->link->opts.rcv_settle_mode == FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    return famqp_delivery_update(d, &o, !second);
}

famqp_engine_status famqp_delivery_release(famqp_delivery *d)
{
    famqp_outcome o = {.kind = FAMQP_OUTCOME_RELEASED};
    bool second = !d->outgoing && d->link->opts.rcv_settle_mode == FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    return famqp_delivery_update(d, &o, !second);
}

famqp_engine_status famqp_delivery_reject(famqp_delivery *d, const char *condition, const char *description)
{
    famqp_outcome o = {.kind = FAMQP_OUTCOME_REJECTED};
    o.error.name = condition;
    o.error.description = condition ? description : NULL;
    bool second = !d->outgoing && d->link->opts.rcv_settle_mode == FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    return famqp_delivery_update(d, &o, !second);
}

famqp_engine_status famqp_delivery_modify(famqp_delivery *d, bool delivery_failed, bool undeliverable_here)
{
    famqp_outcome o = {.kind = FAMQP_OUTCOME_MODIFIED};
    o.delivery_failed = delivery_failed;
    o.undeliverable_here = undeliverable_here;
    bool second = !d->outgoing && d->link->opts.rcv_settle_mode == FAMQP_RECEIVER_SETTLE_MODE_SECOND;
    return famqp_delivery_update(d, &o, !second);
}

famqp_engine_status famqp_delivery_settle(famqp_delivery *d)
{
    return famqp_delivery_update(d, NULL, true);
}

famqp_link *famqp_delivery_link(const famqp_delivery *d) { return d->link; }
uint32_t famqp_delivery_id(const famqp_delivery *d) { return d->id; }
famqp_binary famqp_delivery_tag(const famqp_delivery *d) { return famqp_binary_of(d->tag, d->tag_len); }
uint32_t famqp_delivery_message_format(const famqp_delivery *d) { return d->format; }
famqp_binary famqp_delivery_message(const famqp_delivery *d)
{
    return d->outgoing ? famqp_binary_of(NULL, 0) : famqp_binary_of(d->data, d->len);
}
bool famqp_delivery_remote_settled(const famqp_delivery *d) { return d->remote_settled; }
famqp_outcome famqp_delivery_remote_state(const famqp_delivery *d) { return d->remote_state; }
bool famqp_delivery_settled(const famqp_delivery *d) { return d->local_settled; }

size_t famqp_connection_unsettled_received(const famqp_connection *c)
{
    size_t n = 0;
    for (const famqp_session *s = c->sessions_head; s; s = s->next)
        for (const famqp_delivery *d = s->in_head; d; d = d->next)
            n++;
    return n;
}

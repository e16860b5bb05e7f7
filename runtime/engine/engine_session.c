/* Sessions: channels, begin/end, and the session windows (transfer ids,
 * incoming/outgoing windows) carried by flow frames. */
#include <string.h>

#include "engine_internal.h"

famqp_session *eng_session_new(famqp_connection *c)
{
    uint32_t max = c->opts.channel_max;
    if (c->remote != ENG_UNINIT && c->remote_channel_max < max)
        max = c->remote_channel_max;
    uint32_t ch = 0;
    while (ch < c->nlocal && c->local_sessions[ch])
        ch++;
    if (ch > max)
        return NULL;
    if (!eng_table_fit(c, &c->local_sessions, &c->nlocal, ch))
        return NULL;
    famqp_session *s = eng_alloc(c, sizeof *s);
    if (!s)
        return NULL;
    s->conn = c;
    s->channel = (uint16_t)ch;
    s->incoming_window = c->opts.incoming_window;
    s->remote_handle_max = UINT32_MAX;
    c->local_sessions[ch] = s;
    s->prev = c->sessions_tail;
    if (c->sessions_tail)
        c->sessions_tail->next = s;
    else
        c->sessions_head = s;
    c->sessions_tail = s;
    return s;
}

famqp_engine_status famqp_session_new(famqp_connection *c, famqp_session **out)
{
    *out = NULL;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (c->local == ENG_CLOSED)
        return FAMQP_ENGINE_ERR_STATE;
    *out = eng_session_new(c);
    if (*out)
        return FAMQP_ENGINE_OK;
    /* A failed allocation fails the connection; otherwise no channel was free. */
    return c->failed ? FAMQP_ENGINE_ERR_NOMEM : FAMQP_ENGINE_ERR_LIMIT;
}

bool eng_session_write(famqp_session *s, const famqp_any_frame *f, const uint8_t *payload, size_t n)
{
    return eng_write_frame(s->conn, s->channel, f, payload, n);
}

famqp_engine_status famqp_session_open(famqp_session *s)
{
    famqp_connection *c = s->conn;
    if (!eng_usable(c))
        return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_ERR_STATE;
    if (s->local != ENG_UNINIT || s->dead)
        return FAMQP_ENGINE_ERR_STATE;
    if (c->remote != ENG_UNINIT && s->channel > c->remote_channel_max)
        return FAMQP_ENGINE_ERR_LIMIT;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_BEGIN};
    famqp_begin *b = &f.u.begin;
    *b = famqp_begin_defaults;
    b->present = FAMQP_BEGIN_HAS_NEXT_OUTGOING_ID | FAMQP_BEGIN_HAS_INCOMING_WINDOW |
                 FAMQP_BEGIN_HAS_OUTGOING_WINDOW | FAMQP_BEGIN_HAS_HANDLE_MAX;
    if (s->peer_began) { /* even when the peer ended it meanwhile */
        b->remote_channel = s->remote_channel;
        b->present |= FAMQP_BEGIN_HAS_REMOTE_CHANNEL;
    }
    b->next_outgoing_id = s->next_outgoing_id;
    b->incoming_window = s->incoming_window;
    b->outgoing_window = c->opts.outgoing_window;
    b->handle_max = c->opts.max_links_per_session - 1;
    s->local = ENG_ACTIVE;
    if (!eng_session_write(s, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    eng_event(c, FAMQP_EVENT_SESSION_LOCAL_BEGIN, s, NULL, NULL, (famqp_condition){0});
    return FAMQP_ENGINE_OK;
}

/* Both sides ended: the session's links go, then the session itself once
 * no event names it. */
void eng_session_finish_if_done(famqp_session *s)
{
    if (s->dead || s->local != ENG_CLOSED || s->remote != ENG_CLOSED)
        return;
    famqp_connection *c = s->conn;
    s->dead = true;
    s->refs++; /* freeing the last link must not free s under us */
    for (famqp_link *l = s->links_head, *n; l; l = n) {
        n = l->next;
        eng_link_finish(l);
    }
    /* Unsettled deliveries die with the session. */
    while (s->out_head)
        eng_delivery_kill(s->out_head);
    while (s->in_head)
        eng_delivery_kill(s->in_head);
    if (s->channel < c->nlocal && c->local_sessions[s->channel] == s)
        c->local_sessions[s->channel] = NULL; /* the channel may be reused */
    eng_session_unref(s);
}

famqp_engine_status famqp_session_close(famqp_session *s, const char *condition, const char *description)
{
    famqp_connection *c = s->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (s->local != ENG_ACTIVE || c->local != ENG_ACTIVE)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_END};
    f.u.end = famqp_end_defaults;
    if (eng_error_put(&f.u.end.error, condition, description))
        f.u.end.present = FAMQP_END_HAS_ERROR;
    /* Ending a session detaches its links implicitly. */
    for (famqp_link *l = s->links_head; l; l = l->next)
        if (l->local == ENG_ACTIVE)
            l->local = ENG_CLOSED;
    if (!eng_session_write(s, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    s->local = ENG_CLOSED;
    eng_event(c, FAMQP_EVENT_SESSION_LOCAL_END, s, NULL, NULL, (famqp_condition){0});
    eng_session_finish_if_done(s);
    return FAMQP_ENGINE_OK;
}

famqp_session *eng_session_by_remote(famqp_connection *c, uint16_t channel)
{
    famqp_session *s = channel < c->nremote ? c->remote_sessions[channel] : NULL;
    if (!s)
        eng_fail(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL, "frame on channel %u, which has no session (no begin)",
                 channel);
    return s;
}

void eng_on_begin(famqp_connection *c, uint16_t channel, const famqp_begin *b)
{
    if (channel > c->opts.channel_max) {
        eng_fail(c, FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL, "begin on channel %u above our channel-max %u (limit channel_max)", channel, c->opts.channel_max);
        return;
    }
    if (channel < c->nremote && c->remote_sessions[channel]) {
        eng_fail(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL, "begin on channel %u, which is already in use", channel);
        return;
    }
    famqp_session *s;
    if (b->present & FAMQP_BEGIN_HAS_REMOTE_CHANNEL) {
        uint16_t mine = b->remote_channel;
        s = mine < c->nlocal ? c->local_sessions[mine] : NULL;
        if (!s || s->local == ENG_UNINIT || s->remote != ENG_UNINIT) {
            eng_fail(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL,
                     "begin answers channel %u, where we have no session waiting for an answer", mine);
            return;
        }
    } else {
        s = eng_session_new(c);
        if (s)
            s->peer_began = true;
        if (!s) {
            if (!c->failed)
                eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
                         "no free channel for the peer's session (limit channel_max: channel-max %u)",
                         c->opts.channel_max);
            return;
        }
    }
    if (!eng_table_fit(c, &c->remote_sessions, &c->nremote, channel))
        return;
    c->remote_sessions[channel] = s;
    if (c->ended_channel_plus1 == (uint32_t)channel + 1u)
        c->ended_channel_plus1 = 0; /* in use again: its frames count */
    s->remote_channel = channel;
    s->has_remote_channel = true;
    s->remote = ENG_ACTIVE;
    s->next_incoming_id = b->next_outgoing_id;
    s->remote_incoming_window = b->incoming_window;
    s->remote_outgoing_window = b->outgoing_window;
    s->remote_handle_max = b->handle_max;
    eng_event(c, FAMQP_EVENT_SESSION_REMOTE_BEGIN, s, NULL, NULL, (famqp_condition){0});
}

void eng_on_end(famqp_connection *c, famqp_session *s, const famqp_end *e)
{
    if (e->present & FAMQP_END_HAS_ERROR)
        eng_cond_set(c, &s->remote_cond, &e->error);
    if (s->has_remote_channel && s->remote_channel < c->nremote) {
        c->remote_sessions[s->remote_channel] = NULL;
        c->ended_channel_plus1 = (uint32_t)s->remote_channel + 1u;
    }
    s->has_remote_channel = false;
    s->remote = ENG_CLOSED;
    for (famqp_link *l = s->links_head; l; l = l->next) {
        if (l->remote == ENG_ACTIVE)
            l->remote = ENG_CLOSED;
        if (l->has_remote_handle && l->remote_handle < s->nremote)
            s->remote_links[l->remote_handle] = NULL;
        l->has_remote_handle = false;
    }
    eng_event(c, FAMQP_EVENT_SESSION_REMOTE_END, s, NULL, NULL, eng_cond_view(&s->remote_cond));
    eng_session_finish_if_done(s);
}

/* Session flow, optionally carrying link l's state. */
void eng_session_flow_write(famqp_session *s, famqp_link *l, bool echo)
{
    famqp_connection *c = s->conn;
    if (c->failed || s->local != ENG_ACTIVE || c->local != ENG_ACTIVE)
        return;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_FLOW};
    famqp_flow *fl = &f.u.flow;
    *fl = famqp_flow_defaults;
    fl->present = FAMQP_FLOW_HAS_INCOMING_WINDOW | FAMQP_FLOW_HAS_NEXT_OUTGOING_ID | FAMQP_FLOW_HAS_OUTGOING_WINDOW;
    if (s->remote == ENG_ACTIVE) {
        fl->next_incoming_id = s->next_incoming_id;
        fl->present |= FAMQP_FLOW_HAS_NEXT_INCOMING_ID;
    }
    fl->incoming_window = s->incoming_window;
    fl->next_outgoing_id = s->next_outgoing_id;
    fl->outgoing_window = c->opts.outgoing_window;
    if (l) {
        fl->handle = l->handle;
        fl->delivery_count = l->delivery_count;
        fl->link_credit = l->credit;
        fl->present |= FAMQP_FLOW_HAS_HANDLE | FAMQP_FLOW_HAS_DELIVERY_COUNT | FAMQP_FLOW_HAS_LINK_CREDIT;
        if (l->role == FAMQP_LINK_RECEIVER && l->drain) {
            fl->drain = true;
            fl->present |= FAMQP_FLOW_HAS_DRAIN;
        }
        if (l->role == FAMQP_LINK_SENDER) {
            uint32_t avail = 0;
            for (famqp_delivery *d = l->sendq_head; d; d = d->qnext)
                avail++;
            fl->available = avail;
            fl->present |= FAMQP_FLOW_HAS_AVAILABLE;
        }
    }
    if (echo) {
        fl->echo = true;
        fl->present |= FAMQP_FLOW_HAS_ECHO;
    }
    eng_session_write(s, &f, NULL, 0);
}

/* Continues queued sends of every link of s (after the window opened). */
void eng_session_pump(famqp_session *s)
{
    for (famqp_link *l = s->links_head; l && !s->conn->failed; l = l->next)
        eng_link_send_queued(l);
}

/* Reopens our incoming window once half of it is used, so a fast sender
 * is never stalled by a window we could grant.  Called after a whole input
 * chunk was processed: a peer that sends past the window it was given is
 * caught (window-violation) instead of being rescued by a flow it has not
 * seen yet. */
void eng_session_incoming_replenish(famqp_session *s)
{
    uint32_t full = s->conn->opts.incoming_window;
    if (s->incoming_window > full / 2 || s->remote != ENG_ACTIVE || eng_output_over(s->conn))
        return;
    s->incoming_window = full;
    eng_session_flow_write(s, NULL, false);
}

famqp_connection *famqp_session_connection(const famqp_session *s) { return s->conn; }
famqp_condition famqp_session_remote_condition(const famqp_session *s) { return eng_cond_view(&s->remote_cond); }
uint16_t famqp_session_channel(const famqp_session *s) { return s->channel; }
void famqp_session_set_context(famqp_session *s, void *ctx) { s->ctx = ctx; }
void *famqp_session_context(const famqp_session *s) { return s->ctx; }

/* Links: attach/detach, handles, and link credit (flow, drain, echo,
 * delivery-count, the receiver's automatic credit window). */
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

void famqp_link_options_init(famqp_link_options *o)
{
    memset(o, 0, sizeof *o);
    o->snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_MIXED;
    o->rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_FIRST;
}

static famqp_link *link_new(famqp_session *s, const char *name, size_t name_len, famqp_link_role role)
{
    famqp_connection *c = s->conn;
    uint32_t h = 0;
    while (h < s->nlocal && s->local_links[h])
        h++;
    if (h >= c->opts.max_links_per_session || (s->remote != ENG_UNINIT && h > s->remote_handle_max))
        return NULL;
    if (!eng_table_fit(c, &s->local_links, &s->nlocal, h))
        return NULL;
    famqp_link *l = eng_alloc(c, sizeof *l);
    if (!l)
        return NULL;
    bool ok = true;
    l->name = eng_strndup(c, name, name_len, &ok);
    if (!ok) {
        eng_free(c, l);
        return NULL;
    }
    l->session = s;
    l->role = role;
    l->handle = h;
    famqp_link_options_init(&l->opts);
    s->local_links[h] = l;
    s->refs++; /* the link keeps its session */
    l->prev = s->links_tail;
    if (s->links_tail)
        s->links_tail->next = l;
    else
        s->links_head = l;
    s->links_tail = l;
    return l;
}

static const char *const expiry_policies[] = {"link-detach", "session-end", "connection-close", "never"};

famqp_engine_status famqp_link_options_check(const famqp_link_options *o, char *why, size_t cap)
{
    if (why && cap)
        why[0] = '\0';
    if (!o)
        return FAMQP_ENGINE_OK;
    if (o->durable > 2) {
        if (why && cap)
            snprintf(why, cap, "durable %" PRIu32 " is not a terminus-durability (0, 1 or 2)", o->durable);
        return FAMQP_ENGINE_ERR_ARG;
    }
    if (o->expiry_policy) {
        bool known = false;
        for (size_t i = 0; i < sizeof expiry_policies / sizeof expiry_policies[0]; i++)
            known = known || strcmp(o->expiry_policy, expiry_policies[i]) == 0;
        if (!known) {
            if (why && cap)
                snprintf(why, cap, "expiry_policy \"%.64s\" is not one of link-detach, session-end, "
                         "connection-close, never", o->expiry_policy);
            return FAMQP_ENGINE_ERR_ARG;
        }
    }
    famqp_engine_status st = eng_check_map(o->source_filter, "source filter", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_map(o->dynamic_node_properties, "dynamic-node-properties", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_map(o->properties, "link properties", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->source_capabilities, "source capabilities", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->target_capabilities, "target capabilities", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->offered_capabilities, "link offered-capabilities", why, cap);
    if (st == FAMQP_ENGINE_OK)
        st = eng_check_syms(o->desired_capabilities, "link desired-capabilities", why, cap);
    return st;
}

/* What a link owns of its options (everything opts points at). */
typedef struct link_owned {
    char *src, *tgt, *expiry;
    famqp_map filter, node_props, props;
    eng_syms src_caps, tgt_caps, offered, desired;
} link_owned;

static void owned_free(famqp_connection *c, link_owned *w)
{
    eng_free(c, w->src);
    eng_free(c, w->tgt);
    eng_free(c, w->expiry);
    eng_map_free(c, &w->filter);
    eng_map_free(c, &w->node_props);
    eng_map_free(c, &w->props);
    eng_syms_free(c, &w->src_caps);
    eng_syms_free(c, &w->tgt_caps);
    eng_syms_free(c, &w->offered);
    eng_syms_free(c, &w->desired);
}

/* The link's copies, moved out so they can be replaced or freed. */
static link_owned link_take(famqp_link *l)
{
    link_owned w = {.src = l->src_addr, .tgt = l->tgt_addr, .expiry = l->expiry_policy,
                    .filter = l->opts.source_filter, .node_props = l->node_props, .props = l->props,
                    .src_caps = l->src_caps, .tgt_caps = l->tgt_caps, .offered = l->offered,
                    .desired = l->desired};
    return w;
}

void eng_link_options_free(famqp_link *l)
{
    link_owned w = link_take(l);
    owned_free(l->session->conn, &w);
}

famqp_engine_status famqp_link_set_options(famqp_link *l, const famqp_link_options *o)
{
    famqp_connection *c = l->session->conn;
    if (l->local != ENG_UNINIT)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_engine_status st = famqp_link_options_check(o, NULL, 0);
    if (st != FAMQP_ENGINE_OK)
        return st;
    /* Everything is copied so the caller's buffers may go away. */
    link_owned w = {0};
    bool ok = true;
    w.src = eng_strdup(c, o->source_address, &ok);
    w.tgt = eng_strdup(c, o->target_address, &ok);
    w.expiry = eng_strdup(c, o->expiry_policy, &ok);
    ok = ok && eng_map_copy(c, &w.filter, o->source_filter) &&
         eng_map_copy(c, &w.node_props, o->dynamic_node_properties) && eng_map_copy(c, &w.props, o->properties) &&
         eng_syms_copy(c, &w.src_caps, o->source_capabilities) &&
         eng_syms_copy(c, &w.tgt_caps, o->target_capabilities) &&
         eng_syms_copy(c, &w.offered, o->offered_capabilities) &&
         eng_syms_copy(c, &w.desired, o->desired_capabilities);
    if (!ok) {
        owned_free(c, &w);
        return FAMQP_ENGINE_ERR_NOMEM;
    }
    eng_link_options_free(l);
    l->src_addr = w.src;
    l->tgt_addr = w.tgt;
    l->expiry_policy = w.expiry;
    l->node_props = w.node_props;
    l->props = w.props;
    l->src_caps = w.src_caps;
    l->tgt_caps = w.tgt_caps;
    l->offered = w.offered;
    l->desired = w.desired;
    l->opts = *o;
    l->opts.source_address = w.src;
    l->opts.target_address = w.tgt;
    l->opts.expiry_policy = w.expiry;
    l->opts.source_filter = w.filter;
    l->opts.dynamic_node_properties = w.node_props;
    l->opts.properties = w.props;
    l->opts.source_capabilities = w.src_caps.view;
    l->opts.target_capabilities = w.tgt_caps.view;
    l->opts.offered_capabilities = w.offered.view;
    l->opts.desired_capabilities = w.desired.view;
    return FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_link_new(famqp_session *s, const char *name, famqp_link_role role,
                                   const famqp_link_options *o, famqp_link **out)
{
    *out = NULL;
    famqp_connection *c = s->conn;
    if (!name || (o && o->coordinator && role != FAMQP_LINK_SENDER))
        return FAMQP_ENGINE_ERR_ARG; /* only a sender's target can be a coordinator */
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (s->local == ENG_CLOSED || s->dead)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_link *l = link_new(s, name, strlen(name), role);
    if (!l) /* a failed allocation fails the connection; otherwise no handle was free */
        return c->failed ? FAMQP_ENGINE_ERR_NOMEM : FAMQP_ENGINE_ERR_LIMIT;
    famqp_engine_status st = o ? famqp_link_set_options(l, o) : FAMQP_ENGINE_OK;
    if (st != FAMQP_ENGINE_OK) {
        l->dead = true;
        l->refs++;
        eng_link_unref(l);
        return st;
    }
    *out = l;
    return FAMQP_ENGINE_OK;
}

static void put_terminus_address(famqp_any_address *a, const char *addr, uint32_t *present, uint32_t bit)
{
    if (!addr)
        return;
    a->kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    a->u.address_string = famqp_string_of(addr);
    *present |= bit;
}

/* Writes a terminus field when it is set; the same for source and target
 * (their structs share these fields but not a type). */
#define PUT_TERMINUS_FIELDS(t, HAS, o)                                                                                 \
    do {                                                                                                               \
        if ((o)->durable) {                                                                                            \
            (t)->durable = (o)->durable;                                                                               \
            (t)->present |= HAS##_DURABLE;                                                                             \
        }                                                                                                              \
        if ((o)->expiry_policy) {                                                                                      \
            (t)->expiry_policy = famqp_symbol_of((o)->expiry_policy);                                                  \
            (t)->present |= HAS##_EXPIRY_POLICY;                                                                       \
        }                                                                                                              \
        if ((o)->timeout) {                                                                                            \
            (t)->timeout = (o)->timeout;                                                                               \
            (t)->present |= HAS##_TIMEOUT;                                                                             \
        }                                                                                                              \
        if ((o)->dynamic) {                                                                                            \
            (t)->dynamic = true;                                                                                       \
            (t)->present |= HAS##_DYNAMIC;                                                                             \
        }                                                                                                              \
        if ((o)->dynamic_node_properties.count) {                                                                      \
            (t)->dynamic_node_properties = (o)->dynamic_node_properties;                                               \
            (t)->present |= HAS##_DYNAMIC_NODE_PROPERTIES;                                                             \
        }                                                                                                              \
    } while (0)

/* The terminus options go to the peer's node: the target of a sender, the
 * source of a receiver; capabilities and the filter to their own terminus
 * (the source filter whatever the role). */
static void put_terminus_options(const famqp_link *l, famqp_attach *a)
{
    famqp_source *src = &a->source.u.source;
    famqp_target *tgt = &a->target.u.target;
    if (l->role == FAMQP_LINK_SENDER)
        PUT_TERMINUS_FIELDS(tgt, FAMQP_TARGET_HAS, &l->opts);
    else
        PUT_TERMINUS_FIELDS(src, FAMQP_SOURCE_HAS, &l->opts);
    /* A receiver asks for filters; a sender's attach names those it
     * applies (AMQP 1.0 3.5.3), e.g. the session a Service Bus broker
     * granted. */
    if (l->opts.source_filter.count) {
        src->filter = l->opts.source_filter;
        src->present |= FAMQP_SOURCE_HAS_FILTER;
    }
    if (l->src_caps.view.count) {
        src->capabilities = eng_syms_multiple(&l->src_caps);
        src->present |= FAMQP_SOURCE_HAS_CAPABILITIES;
    }
    if (l->tgt_caps.view.count) {
        tgt->capabilities = eng_syms_multiple(&l->tgt_caps);
        tgt->present |= FAMQP_TARGET_HAS_CAPABILITIES;
    }
    if (l->offered.view.count) {
        a->offered_capabilities = eng_syms_multiple(&l->offered);
        a->present |= FAMQP_ATTACH_HAS_OFFERED_CAPABILITIES;
    }
    if (l->desired.view.count) {
        a->desired_capabilities = eng_syms_multiple(&l->desired);
        a->present |= FAMQP_ATTACH_HAS_DESIRED_CAPABILITIES;
    }
    if (l->props.count) {
        a->properties = l->props;
        a->present |= FAMQP_ATTACH_HAS_PROPERTIES;
    }
}

famqp_engine_status famqp_link_open(famqp_link *l)
{
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    if (!eng_usable(c))
        return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_ERR_STATE;
    if (l->local != ENG_UNINIT || s->local != ENG_ACTIVE || l->dead)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_ATTACH};
    famqp_attach *a = &f.u.attach;
    *a = famqp_attach_defaults;
    a->name = famqp_string_of(l->name);
    a->handle = l->handle;
    a->role = l->role == FAMQP_LINK_RECEIVER;
    a->snd_settle_mode = l->opts.snd_settle_mode;
    a->rcv_settle_mode = l->opts.rcv_settle_mode;
    a->present = FAMQP_ATTACH_HAS_NAME | FAMQP_ATTACH_HAS_HANDLE | FAMQP_ATTACH_HAS_ROLE |
                 FAMQP_ATTACH_HAS_SND_SETTLE_MODE | FAMQP_ATTACH_HAS_RCV_SETTLE_MODE | FAMQP_ATTACH_HAS_SOURCE |
                 FAMQP_ATTACH_HAS_TARGET;
    const char *src = l->src_addr, *tgt = l->tgt_addr;
    if (c->opts.full_performatives && l->remote == ENG_ACTIVE) {
        /* answering: echo the peer's address where we name none, so that
         * neither terminus is an empty list (pyamqp takes one for none) */
        src = src ? src : l->remote_source;
        tgt = tgt ? tgt : l->remote_target;
    }
    a->source.kind = FAMQP_ANY_SOURCE_SOURCE;
    a->source.u.source = famqp_source_defaults;
    put_terminus_address(&a->source.u.source.address, src, &a->source.u.source.present, FAMQP_SOURCE_HAS_ADDRESS);
    a->target.kind = FAMQP_ANY_TARGET_TARGET;
    a->target.u.target = famqp_target_defaults;
    put_terminus_address(&a->target.u.target.address, tgt, &a->target.u.target.present, FAMQP_TARGET_HAS_ADDRESS);
    put_terminus_options(l, a);
    if (l->opts.coordinator) {
        /* A transaction coordinator instead of a node (AMQP 1.0 4.5.1). */
        a->target.kind = FAMQP_ANY_TARGET_COORDINATOR;
        a->target.u.coordinator = famqp_coordinator_defaults;
        if (l->tgt_caps.view.count) {
            a->target.u.coordinator.capabilities = eng_syms_multiple(&l->tgt_caps);
            a->target.u.coordinator.present |= FAMQP_COORDINATOR_HAS_CAPABILITIES;
        }
    }
    if (l->role == FAMQP_LINK_SENDER) {
        a->initial_delivery_count = l->delivery_count;
        a->present |= FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT;
    }
    uint64_t mms = l->opts.max_message_size ? l->opts.max_message_size : c->opts.max_message_size;
    if (l->role == FAMQP_LINK_RECEIVER || l->opts.max_message_size) {
        a->max_message_size = mms;
        a->present |= FAMQP_ATTACH_HAS_MAX_MESSAGE_SIZE;
    }
    l->local = ENG_ACTIVE;
    if (!eng_session_write(s, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    eng_event(c, FAMQP_EVENT_LINK_LOCAL_ATTACH, s, l, NULL, (famqp_condition){0});
    if (l->role == FAMQP_LINK_RECEIVER && l->opts.credit_window) {
        eng_link_grant(l, l->opts.credit_window);
        eng_session_flow_write(s, l, false);
    }
    return FAMQP_ENGINE_OK;
}

/* Closed both ways: unsettled deliveries and queued sends go with it. */
void eng_link_finish(famqp_link *l)
{
    if (l->dead)
        return;
    famqp_session *s = l->session;
    /* Hold the link: killing its last delivery would otherwise free it. */
    l->dead = true;
    l->refs++;
    famqp_delivery *q = l->sendq_head;
    l->sendq_head = l->sendq_tail = NULL;
    for (famqp_delivery *d = q, *n; d; d = n) {
        n = d->qnext;
        d->qnext = NULL;
        d->queued = false;
        if (!d->in_list) /* unsettled ones go with the session lists below */
            eng_delivery_kill(d);
    }
    for (famqp_delivery *d = s->out_head, *n; d; d = n) {
        n = d->next;
        if (d->link == l)
            eng_delivery_kill(d);
    }
    for (famqp_delivery *d = s->in_head, *n; d; d = n) {
        n = d->next;
        if (d->link == l)
            eng_delivery_kill(d);
    }
    if (l->incoming)
        eng_delivery_kill(l->incoming);
    if (l->handle < s->nlocal && s->local_links[l->handle] == l)
        s->local_links[l->handle] = NULL;
    if (l->has_remote_handle && l->remote_handle < s->nremote && s->remote_links[l->remote_handle] == l)
        s->remote_links[l->remote_handle] = NULL;
    l->has_remote_handle = false;
    eng_link_unref(l);
}

void eng_link_finish_if_done(famqp_link *l)
{
    if (l->local == ENG_CLOSED && l->remote == ENG_CLOSED)
        eng_link_finish(l);
}

famqp_engine_status famqp_link_close(famqp_link *l, const char *condition, const char *description)
{
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (l->local != ENG_ACTIVE || s->local != ENG_ACTIVE || c->local != ENG_ACTIVE)
        return FAMQP_ENGINE_ERR_STATE;
    famqp_any_frame f = {.kind = FAMQP_ANY_FRAME_DETACH};
    famqp_detach *d = &f.u.detach;
    *d = famqp_detach_defaults;
    d->handle = l->handle;
    d->closed = true;
    d->present = FAMQP_DETACH_HAS_HANDLE | FAMQP_DETACH_HAS_CLOSED;
    if (eng_error_put(&d->error, condition, description))
        d->present |= FAMQP_DETACH_HAS_ERROR;
    if (!eng_session_write(s, &f, NULL, 0))
        return FAMQP_ENGINE_ERR_NOMEM;
    l->local = ENG_CLOSED;
    eng_event(c, FAMQP_EVENT_LINK_LOCAL_DETACH, s, l, NULL, (famqp_condition){0});
    eng_link_finish_if_done(l);
    return FAMQP_ENGINE_OK;
}

famqp_link *eng_link_by_remote(famqp_session *s, uint32_t handle, const char *what)
{
    famqp_link *l = handle < s->nremote ? s->remote_links[handle] : NULL;
    if (!l)
        eng_fail(s->conn, FAMQP_SESSION_ERROR_UNATTACHED_HANDLE_SYMBOL,
                 "%s on channel %u names handle %" PRIu32 ", which is not attached", what, s->remote_channel, handle);
    return l;
}

static bool copy_address(famqp_connection *c, const famqp_any_address *a, char **out)
{
    if (a->kind != FAMQP_ANY_ADDRESS_ADDRESS_STRING)
        return true;
    bool ok = true;
    *out = eng_strndup(c, a->u.address_string.ptr, a->u.address_string.len, &ok);
    return ok;
}

void eng_on_attach(famqp_session *s, const famqp_attach *a)
{
    famqp_connection *c = s->conn;
    if (a->handle >= c->opts.max_links_per_session) {
        eng_fail(c, FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL,
                 "attach handle %" PRIu32 " above our handle-max %" PRIu32 " (limit max_links_per_session = %" PRIu32
                 ")",
                 a->handle, c->opts.max_links_per_session - 1, c->opts.max_links_per_session);
        return;
    }
    if (a->handle < s->nremote && s->remote_links[a->handle]) {
        eng_fail(c, FAMQP_SESSION_ERROR_HANDLE_IN_USE_SYMBOL, "attach handle %" PRIu32 " is already in use",
                 a->handle);
        return;
    }
    /* Our role is the opposite of the peer's; the name plus our role
     * identify the link (a sender and a receiver may share a name). */
    famqp_link_role mine = a->role ? FAMQP_LINK_SENDER : FAMQP_LINK_RECEIVER;
    famqp_link *l = NULL;
    for (famqp_link *x = s->links_head; x; x = x->next) {
        if (!x->dead && x->role == mine && x->remote == ENG_UNINIT && x->local != ENG_UNINIT &&
            strlen(x->name) == a->name.len && memcmp(x->name, a->name.ptr, a->name.len) == 0) {
            l = x;
            break;
        }
    }
    if (!l) {
        l = link_new(s, a->name.ptr, a->name.len, mine);
        if (!l) {
            if (!c->failed)
                eng_fail(c, FAMQP_AMQP_ERROR_RESOURCE_LIMIT_EXCEEDED_SYMBOL,
                         "too many links on session %u (limit max_links_per_session = %" PRIu32 ")", s->channel,
                         c->opts.max_links_per_session);
            return;
        }
    }
    if (!eng_table_fit(c, &s->remote_links, &s->nremote, a->handle))
        return;
    s->remote_links[a->handle] = l;
    l->remote_handle = a->handle;
    l->has_remote_handle = true;
    l->remote = ENG_ACTIVE;
    l->remote_snd_mode = a->snd_settle_mode;
    l->remote_coordinator = a->target.kind == FAMQP_ANY_TARGET_COORDINATOR;
    l->remote_rcv_mode = a->rcv_settle_mode;
    l->remote_max_message_size = (a->present & FAMQP_ATTACH_HAS_MAX_MESSAGE_SIZE) ? a->max_message_size : 0;
    if (a->source.kind == FAMQP_ANY_SOURCE_SOURCE && !copy_address(c, &a->source.u.source.address, &l->remote_source))
        return;
    if (a->target.kind == FAMQP_ANY_TARGET_TARGET && !copy_address(c, &a->target.u.target.address, &l->remote_target))
        return;
    if (a->source.kind == FAMQP_ANY_SOURCE_SOURCE && !eng_terminus_from_source(c, &l->remote_src, &a->source.u.source))
        return;
    if (a->target.kind == FAMQP_ANY_TARGET_TARGET && !eng_terminus_from_target(c, &l->remote_tgt, &a->target.u.target))
        return;
    if (a->target.kind == FAMQP_ANY_TARGET_COORDINATOR &&
        !eng_syms_from_wire(c, &l->remote_tgt.caps, &a->target.u.coordinator.capabilities))
        return;
    if (!eng_map_copy(c, &l->remote_props, a->properties) ||
        !eng_syms_from_wire(c, &l->remote_offered, &a->offered_capabilities) ||
        !eng_syms_from_wire(c, &l->remote_desired, &a->desired_capabilities))
        return;
    if (mine == FAMQP_LINK_RECEIVER) {
        if (!(a->present & FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT)) {
            eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL,
                     "attach of sender link \"%s\" lacks initial-delivery-count", l->name);
            return;
        }
        l->delivery_count = a->initial_delivery_count;
    }
    eng_event(c, FAMQP_EVENT_LINK_REMOTE_ATTACH, s, l, NULL, (famqp_condition){0});
}

void eng_on_detach(famqp_session *s, const famqp_detach *d)
{
    famqp_link *l = eng_link_by_remote(s, d->handle, "detach");
    if (!l)
        return;
    famqp_connection *c = s->conn;
    if (d->present & FAMQP_DETACH_HAS_ERROR)
        eng_cond_set(c, &l->remote_cond, &d->error);
    s->remote_links[d->handle] = NULL;
    l->has_remote_handle = false;
    l->remote = ENG_CLOSED;
    eng_event(c, FAMQP_EVENT_LINK_REMOTE_DETACH, s, l, NULL, eng_cond_view(&l->remote_cond));
    eng_link_finish_if_done(l);
}

/* A flow that changes nothing for us (possibly only asking for an echo)
 * counts against the flood limit. */
static bool flow_idle(famqp_connection *c)
{
    return eng_flood_count(c, &c->idle_flows, c->opts.max_idle_flows_per_s, "flow frames without progress",
                           "max_idle_flows_per_s");
}

void eng_on_flow(famqp_session *s, const famqp_flow *f)
{
    famqp_connection *c = s->conn;
    /* Session part: what the peer still accepts from us. */
    /* Without next-incoming-id the peer has seen none of our transfers:
     * the window counts from our initial next-outgoing-id, which is 0. */
    uint32_t base = (f->present & FAMQP_FLOW_HAS_NEXT_INCOMING_ID) ? f->next_incoming_id : 0;
    uint32_t old_window = s->remote_incoming_window, old_out = s->remote_outgoing_window;
    s->remote_incoming_window = base + f->incoming_window - s->next_outgoing_id;
    s->remote_outgoing_window = f->outgoing_window;
    bool progress = s->remote_incoming_window > old_window || s->remote_outgoing_window != old_out;
    if (!(f->present & FAMQP_FLOW_HAS_HANDLE)) {
        if (!progress && !flow_idle(c))
            return;
        eng_session_pump(s);
        if (f->echo)
            eng_session_flow_write(s, NULL, false);
        return;
    }
    famqp_link *l = eng_link_by_remote(s, f->handle, "flow");
    if (!l)
        return;
    if (l->role == FAMQP_LINK_SENDER) {
        /* The receiver's view: credit counts from its delivery-count (or
         * our initial one when it has not seen any). */
        uint32_t rdc = (f->present & FAMQP_FLOW_HAS_DELIVERY_COUNT) ? f->delivery_count : l->delivery_count;
        uint32_t lc = (f->present & FAMQP_FLOW_HAS_LINK_CREDIT) ? f->link_credit : 0;
        uint32_t limit = rdc + lc;
        uint32_t credit = (int32_t)(limit - l->delivery_count) > 0 ? limit - l->delivery_count : 0;
        progress = progress || credit > l->credit || (f->drain && !l->drain);
        if (!progress && !flow_idle(c))
            return;
        l->credit = credit;
        l->drain = f->drain;
        eng_session_pump(s);
        eng_event(c, FAMQP_EVENT_LINK_CREDIT, s, l, NULL, (famqp_condition){0});
        if (l->drain)
            c->drain_pending = true; /* completed when output is next taken */
    } else {
        /* The sender's view: it may have advanced delivery-count (drain). */
        bool was_drain = l->drain;
        uint32_t old_count = l->delivery_count, old_avail = l->available;
        if (f->present & FAMQP_FLOW_HAS_DELIVERY_COUNT) {
            uint32_t adv = f->delivery_count - l->delivery_count;
            if ((int32_t)adv > 0) {
                l->credit = adv >= l->credit ? 0 : l->credit - adv;
                l->delivery_count = f->delivery_count;
            }
        }
        if (f->present & FAMQP_FLOW_HAS_AVAILABLE)
            l->available = f->available;
        if (l->drain && l->credit == 0)
            l->drain = false; /* drain complete */
        progress = progress || l->delivery_count != old_count || l->available != old_avail || l->drain != was_drain;
        if (!progress && !flow_idle(c))
            return;
        eng_event(c, FAMQP_EVENT_LINK_FLOW, s, l, NULL, (famqp_condition){0});
    }
    if (f->echo)
        eng_session_flow_write(s, l, false);
}

/* The sender side of drain: once the application has seen the request
 * (its LINK_CREDIT events are released) and nothing is queued, the unused
 * credit is given back by advancing delivery-count, and a flow tells the
 * receiver. */
void eng_drain_complete(famqp_connection *c)
{
    bool waiting = false;
    for (famqp_session *s = c->sessions_head; s && !c->failed; s = s->next) {
        for (famqp_link *l = s->links_head; l && !c->failed; l = l->next) {
            if (l->role != FAMQP_LINK_SENDER || !l->drain || l->dead)
                continue;
            if (l->local != ENG_ACTIVE || l->remote != ENG_ACTIVE || s->local != ENG_ACTIVE) {
                l->drain = false; /* detached or ended: nothing to tell */
                continue;
            }
            if (l->credit_events || l->sendq_head) {
                waiting = true;
                continue;
            }
            l->delivery_count += l->credit;
            l->credit = 0;
            l->drain = false;
            eng_session_flow_write(s, l, false);
        }
    }
    c->drain_pending = waiting && !c->failed;
}

/* A receiver grants credit.  Transfers beyond it are tolerated, per grant,
 * up to twice the largest credit ever granted on the link plus
 * max_credit_overrun: RabbitMQ 3.x sends more transfers than granted
 * (rabbitmq-server issue 2597; seen here up to about one grant, and once,
 * on a loaded machine, 516 past a grant of 500), and a strict receiver
 * could not consume from it.  Anything more is a protocol violation.
 * Memory stays bounded by three times the largest grant. */
void eng_link_grant(famqp_link *l, uint32_t credit)
{
    famqp_connection *c = l->session->conn;
    l->credit = credit;
    l->overrun = 0;
    if (credit > l->max_granted)
        l->max_granted = credit;
    uint64_t allowed = c->opts.max_credit_overrun ? 2 * (uint64_t)l->max_granted + c->opts.max_credit_overrun : 0;
    l->overrun_allowed = allowed > UINT32_MAX ? UINT32_MAX : (uint32_t)allowed;
}

static famqp_engine_status receiver_flow(famqp_link *l, uint32_t credit, bool drain)
{
    famqp_connection *c = l->session->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (l->role != FAMQP_LINK_RECEIVER)
        return FAMQP_ENGINE_ERR_ARG;
    if (l->local != ENG_ACTIVE || !eng_usable(c))
        return FAMQP_ENGINE_ERR_STATE;
    eng_link_grant(l, credit);
    l->drain = drain;
    eng_session_flow_write(l->session, l, false);
    return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_link_set_credit(famqp_link *l, uint32_t credit) { return receiver_flow(l, credit, false); }
famqp_engine_status famqp_link_set_credit_and_drain(famqp_link *l, uint32_t credit) { return receiver_flow(l, credit, true); }

famqp_engine_status famqp_link_drained(famqp_link *l)
{
    famqp_connection *c = l->session->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (l->role != FAMQP_LINK_SENDER)
        return FAMQP_ENGINE_ERR_ARG;
    if (l->local != ENG_ACTIVE || !eng_usable(c))
        return FAMQP_ENGINE_ERR_STATE;
    if (!l->drain)
        return FAMQP_ENGINE_OK; /* completed already (automatically, or never asked) */
    /* Unused credit is consumed by advancing delivery-count. */
    l->delivery_count += l->credit;
    l->credit = 0;
    l->drain = false;
    eng_session_flow_write(l->session, l, false);
    return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_OK;
}

famqp_engine_status famqp_link_request_echo(famqp_link *l)
{
    famqp_connection *c = l->session->conn;
    if (c->failed)
        return FAMQP_ENGINE_ERR_FAILED;
    if (l->local != ENG_ACTIVE || !eng_usable(c))
        return FAMQP_ENGINE_ERR_STATE;
    eng_session_flow_write(l->session, l, true);
    return c->failed ? FAMQP_ENGINE_ERR_FAILED : FAMQP_ENGINE_OK;
}

famqp_session *famqp_link_session(const famqp_link *l) { return l->session; }
famqp_link_role famqp_link_get_role(const famqp_link *l) { return l->role; }
const char *famqp_link_name(const famqp_link *l) { return l->name; }
famqp_condition famqp_link_remote_condition(const famqp_link *l) { return eng_cond_view(&l->remote_cond); }
const char *famqp_link_remote_source_address(const famqp_link *l) { return l->remote_source; }
const char *famqp_link_remote_target_address(const famqp_link *l) { return l->remote_target; }
bool famqp_link_remote_target_is_coordinator(const famqp_link *l) { return l->remote_coordinator; }
uint8_t famqp_link_remote_snd_settle_mode(const famqp_link *l) { return l->remote_snd_mode; }
uint8_t famqp_link_remote_rcv_settle_mode(const famqp_link *l) { return l->remote_rcv_mode; }
famqp_map famqp_link_remote_properties(const famqp_link *l) { return l->remote_props; }
famqp_symbols famqp_link_remote_offered_capabilities(const famqp_link *l) { return l->remote_offered.view; }
famqp_symbols famqp_link_remote_desired_capabilities(const famqp_link *l) { return l->remote_desired.view; }
famqp_symbols famqp_link_remote_source_capabilities(const famqp_link *l) { return l->remote_src.caps.view; }
famqp_symbols famqp_link_remote_target_capabilities(const famqp_link *l) { return l->remote_tgt.caps.view; }
famqp_map famqp_link_remote_filter(const famqp_link *l) { return l->remote_src.filter; }

bool famqp_link_remote_source(const famqp_link *l, famqp_terminus_info *out)
{
    eng_terminus_view(&l->remote_src, out);
    return l->remote_src.present;
}

bool famqp_link_remote_target(const famqp_link *l, famqp_terminus_info *out)
{
    eng_terminus_view(&l->remote_tgt, out);
    return l->remote_tgt.present;
}

void famqp_link_set_context(famqp_link *l, void *ctx) { l->ctx = ctx; }
void *famqp_link_context(const famqp_link *l) { return l->ctx; }
uint32_t famqp_link_credit(const famqp_link *l) { return l->credit; }
uint32_t famqp_link_delivery_count(const famqp_link *l) { return l->delivery_count; }
bool famqp_link_drain_requested(const famqp_link *l) { return l->role == FAMQP_LINK_SENDER && l->drain; }

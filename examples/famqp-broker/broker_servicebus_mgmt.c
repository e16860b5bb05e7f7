/* famqp-broker's Service Bus `<entity>/$management` node: what
 * @azure/service-bus asks of it (servicebus_protocol.h parses the
 * requests): renew-lock, peek-message, receive-by-sequence-number (deferred
 * messages), update-disposition (settling those), schedule-message and
 * cancel-scheduled-message, and a session's lock and state.  Answers carry
 * status-code 200 and a map body; a peek or deferred receive returns the
 * messages that fit in NODE_MAX_LARGE_RESPONSE (1 MiB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_servicebus.h"
#include "servicebus_protocol.h"

void sb_mgmt_attach(client *cl, famqp_link *l, bool sender, const char *addr)
{
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (!cl->sbmgmt)
        cl->sbmgmt = calloc(1, sizeof *cl->sbmgmt);
    if (!cl->sbmgmt) {
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return;
    }
    node_attach(cl->sbmgmt, l, sender, addr, 64);
}

bool sb_mgmt_forget_link(client *cl, famqp_link *l) { return cl->sbmgmt && node_forget(cl->sbmgmt, l); }

void sb_mgmt_client_free(client *cl)
{
    if (!cl->sbmgmt)
        return;
    node_links_free(cl->sbmgmt);
    free(cl->sbmgmt);
    cl->sbmgmt = NULL;
}

/* An array of n longs or timestamps (code 0x81, 0x83), as the service
 * answers sequence numbers and expirations. */
static void write_array64(famqp_writer *w, uint8_t code, const int64_t *v, size_t n)
{
    uint8_t buf[10 + 8 * SB_MGMT_MAX_ITEMS];
    uint8_t *p = buf;
    uint32_t size = (uint32_t)(4 + 1 + 8 * n), count = (uint32_t)n;
    *p++ = 0xf0; /* array32 */
    for (int s = 24; s >= 0; s -= 8)
        *p++ = (uint8_t)(size >> s);
    for (int s = 24; s >= 0; s -= 8)
        *p++ = (uint8_t)(count >> s);
    *p++ = code;
    for (size_t i = 0; i < n; i++)
        for (int s = 56; s >= 0; s -= 8)
            *p++ = (uint8_t)((uint64_t)v[i] >> s);
    famqp_write_value(w, (famqp_value){buf, (size_t)(p - buf)});
}

typedef struct answer {
    famqp_writer *w;
    char *desc;
    size_t cap;
    size_t limit; /* bytes the body may take */
} answer;

static int fail(answer *a, int status, const char *fmt, const char *s)
{
    snprintf(a->desc, a->cap, fmt, s);
    return status;
}

static int renew_lock(broker *b, sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    int64_t until[SB_MGMT_MAX_ITEMS];
    for (size_t i = 0; i < r->nlocks; i++) {
        sb_msg *m = sb_find_locked(e, r->locks[i].bytes);
        if (!m)
            return fail(a, 410, "a lock token is not held (its lock expired, or the message was settled)%s: "
                        "com.microsoft:message-lock-lost", "");
        m->locked_until = sb_now_ms() + (int64_t)e->props->lock_duration_ms;
        until[i] = m->locked_until;
    }
    (void)b;
    famqp_write_map_begin(a->w);
    famqp_write_cstring(a->w, "expirations");
    write_array64(a->w, 0x83, until, r->nlocks);
    famqp_write_map_end(a->w);
    return 200;
}

/* The messages of list (of n), each rendered into a map {"message": binary}
 * (and "lock-token" when locked), as many as fit in the answer; the count
 * written. */
static size_t write_messages(answer *a, sb_msg **list, size_t n, bool locked)
{
    uint8_t *buf = NULL, *ann = NULL;
    size_t cap = 0, ann_cap = 0, done = 0;
    famqp_write_map_begin(a->w);
    famqp_write_cstring(a->w, "messages");
    famqp_write_list_begin(a->w);
    for (; done < n; done++) {
        size_t len = sb_render(list[done], locked, &buf, &cap, &ann, &ann_cap);
        size_t at = famqp_writer_len(a->w);
        if (!len || at + len + 64 > a->limit)
            break; /* the rest do not fit in one response */
        famqp_write_map_begin(a->w);
        if (locked) {
            famqp_uuid u;
            memcpy(u.bytes, list[done]->lock, 16);
            famqp_write_cstring(a->w, "lock-token");
            famqp_write_uuid(a->w, u);
        }
        famqp_write_cstring(a->w, "message");
        famqp_write_binary(a->w, famqp_binary_of(buf, len));
        famqp_write_map_end(a->w);
    }
    famqp_write_list_end(a->w);
    famqp_write_map_end(a->w);
    free(buf);
    free(ann);
    return done;
}

static bool session_matches(const sb_mgmt_request *r, const sb_msg *m)
{
    return !r->has_session ||
           (m->session && strlen(m->session) == r->session.len && memcmp(m->session, r->session.ptr, r->session.len) == 0);
}

static int peek(sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    sb_msg *list[SB_MGMT_MAX_ITEMS];
    size_t n = 0, want = r->count < SB_MGMT_MAX_ITEMS ? (size_t)r->count : SB_MGMT_MAX_ITEMS;
    for (sb_msg *m = e->head; m && n < want; m = m->next)
        if (m->seq >= r->from_seq && session_matches(r, m))
            list[n++] = m;
    write_messages(a, list, n, false);
    return 200;
}

static int receive_deferred(worker *w, sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    sb_msg *list[SB_MGMT_MAX_ITEMS];
    for (size_t i = 0; i < r->nseqs; i++) {
        sb_msg *m = sb_find_seq(e, r->seqs[i]);
        if (!m || m->state != SB_DEFERRED || !session_matches(r, m)) {
            char s[32];
            snprintf(s, sizeof s, "%lld", (long long)r->seqs[i]);
            return fail(a, 404, "no deferred message with sequence number %s: com.microsoft:message-not-found", s);
        }
        list[i] = m;
    }
    int64_t now = sb_now_ms();
    for (size_t i = 0; i < r->nseqs; i++) {
        list[i]->state = SB_LOCKED;
        list[i]->holder = NULL;
        list[i]->locked_until = now + (int64_t)e->props->lock_duration_ms;
        sb_new_lock(w->b, list[i]->seq, list[i]->lock);
    }
    size_t sent = write_messages(a, list, r->nseqs, !r->delete_mode);
    for (size_t i = 0; i < r->nseqs; i++) {
        if (i >= sent)
            list[i]->state = SB_DEFERRED; /* did not fit: still deferred */
        else if (r->delete_mode)
            sb_settle(w, e, list[i], 'c', NULL, NULL, (famqp_map){0});
    }
    return 200;
}

static int update_disposition(worker *w, sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    char reason[256], desc[512];
    if (r->has_reason)
        snprintf(reason, sizeof reason, "%.*s", (int)(r->reason.len < 255 ? r->reason.len : 255), r->reason.ptr);
    if (r->has_description)
        snprintf(desc, sizeof desc, "%.*s", (int)(r->description.len < 511 ? r->description.len : 511),
                 r->description.ptr);
    for (size_t i = 0; i < r->nlocks; i++) {
        sb_msg *m = sb_find_locked(e, r->locks[i].bytes);
        if (!m)
            return fail(a, 410, "a lock token is not held (its lock expired, or the message was settled)%s: "
                        "com.microsoft:message-lock-lost", "");
        if (!sb_settle(w, e, m, r->disposition, r->has_reason ? reason : NULL, r->has_description ? desc : NULL,
                       r->props))
            return fail(a, 500, "out of memory%s", "");
    }
    famqp_write_map_begin(a->w);
    famqp_write_map_end(a->w);
    return 200;
}

static int schedule(worker *w, sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    int64_t seqs[SB_MGMT_MAX_ITEMS];
    size_t n = 0;
    famqp_iter it;
    famqp_value item;
    famqp_binary msg;
    char why[300];
    famqp_list_iter(&r->messages, &it);
    while (famqp_list_next(&it, &item)) {
        if (n == SB_MGMT_MAX_ITEMS)
            return fail(a, 400, "at most 64 messages in one schedule-message request%s", "");
        if (!sb_mgmt_scheduled_message(r, item, &msg, why, sizeof why) ||
            !sb_store(w, e, msg.ptr, msg.len, &seqs[n], why, sizeof why))
            return fail(a, 400, "%s", why);
        n++;
    }
    famqp_write_map_begin(a->w);
    famqp_write_cstring(a->w, "sequence-numbers");
    write_array64(a->w, 0x81, seqs, n);
    famqp_write_map_end(a->w);
    return 200;
}

static int cancel_scheduled(sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    for (size_t i = 0; i < r->nseqs; i++)
        sb_cancel_scheduled(e, r->seqs[i]); /* one already gone is no error, as with the service */
    famqp_write_map_begin(a->w);
    famqp_write_map_end(a->w);
    return 200;
}

static int session_op(sb_entity *e, const sb_mgmt_request *r, answer *a)
{
    sb_session *s = sb_session_get(e, r->session.ptr, r->session.len, r->op == SB_OP_SET_SESSION_STATE);
    char id[120];
    snprintf(id, sizeof id, "%.*s", (int)(r->session.len < 100 ? r->session.len : 100), r->session.ptr);
    if (!s)
        return fail(a, 410, "session '%s' is not locked by a receiver: com.microsoft:session-lock-lost", id);
    famqp_write_map_begin(a->w);
    if (r->op == SB_OP_RENEW_SESSION_LOCK) {
        s->locked_until = sb_now_ms() + (int64_t)e->props->lock_duration_ms;
        famqp_write_cstring(a->w, "expiration");
        famqp_write_timestamp(a->w, s->locked_until);
    } else if (r->op == SB_OP_GET_SESSION_STATE) {
        famqp_write_cstring(a->w, "session-state");
        if (s->state)
            famqp_write_binary(a->w, famqp_binary_of(s->state, s->state_len));
        else
            famqp_write_null(a->w);
    } else {
        uint8_t *copy = NULL;
        if (r->has_state && r->state.len && !(copy = malloc(r->state.len)))
            return fail(a, 500, "out of memory%s", "");
        if (copy)
            memcpy(copy, r->state.ptr, r->state.len);
        free(s->state);
        s->state = r->has_state ? (copy ? copy : malloc(1)) : NULL;
        s->state_len = r->has_state ? r->state.len : 0;
    }
    famqp_write_map_end(a->w);
    return 200;
}

bool sb_mgmt_on_message(client *cl, famqp_delivery *d)
{
    famqp_message m;
    int taken = node_take_request(cl->sbmgmt, d, "$management", &m);
    if (taken != 1)
        return taken == 0;
    worker *w = cl->w;
    broker *b = w->b;
    const char *addr = famqp_link_remote_target_address(famqp_delivery_link(d));
    const char *path = cbs_entity_path(addr ? addr : "");
    size_t len = strlen(path);
    size_t ml = strlen("/$management");
    sb_mgmt_request r;
    char desc[300] = "OK";
    /* Messages (peek, deferred receive) may need up to
     * NODE_MAX_LARGE_RESPONSE: on the heap; every other answer is small. */
    uint8_t small[NODE_MAX_RESPONSE - 512], *big = NULL;
    famqp_writer bw;
    int status = sb_mgmt_parse(&m, &r, desc, sizeof desc);
    size_t limit = sizeof small - 100;
    if (status == 0 && (r.op == SB_OP_PEEK || r.op == SB_OP_RECEIVE_BY_SEQUENCE) &&
        (big = malloc(NODE_MAX_LARGE_RESPONSE - 1024)))
        limit = NODE_MAX_LARGE_RESPONSE - 1024 - 100;
    famqp_writer_init(&bw, big ? big : small, big ? NODE_MAX_LARGE_RESPONSE - 1024 : sizeof small);
    answer a = {&bw, desc, sizeof desc, limit};
    if (status == 0) {
        pthread_mutex_lock(&b->mu);
        sb_entity *e = len > ml ? sb_find(b, path, len - ml) : NULL;
        if (!e)
            status = fail(&a, 404, "'%s' is not a Service Bus entity's $management node", path);
        else if (e->topic && r.op != SB_OP_SCHEDULE && r.op != SB_OP_CANCEL_SCHEDULED)
            status = fail(&a, 400, "'%s' is a topic: it holds no messages (ask a subscription)", e->path);
        else {
            switch (r.op) {
            case SB_OP_RENEW_LOCK: status = renew_lock(b, e, &r, &a); break;
            case SB_OP_PEEK: status = peek(e, &r, &a); break;
            case SB_OP_RECEIVE_BY_SEQUENCE: status = receive_deferred(w, e, &r, &a); break;
            case SB_OP_UPDATE_DISPOSITION: status = update_disposition(w, e, &r, &a); break;
            case SB_OP_SCHEDULE: status = schedule(w, e, &r, &a); break;
            case SB_OP_CANCEL_SCHEDULED: status = cancel_scheduled(e, &r, &a); break;
            default: status = session_op(e, &r, &a); break;
            }
        }
        pthread_mutex_unlock(&b->mu);
        worker_post_wakes(w);
    }
    famqp_value v = status == 200 && famqp_writer_status(&bw) == FAMQP_OK ? famqp_writer_value(&bw) : (famqp_value){0};
    if (status == 200 && !v.len)
        status = fail(&a, 500, "the answer does not fit in %s", "one response");
    node_answer(cl, cl->sbmgmt, d, &m, status, desc, v);
    free(big);
    if (b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s %s request: %d %s\n", famqp_io_peer(cl->io), addr ? addr : "?", status, desc);
    worker_process(w, false);
    return true;
}

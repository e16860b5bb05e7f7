/* famqp-broker's Event Hubs $management node: READ of
 * com.microsoft:eventhub (name, created_at, partition_count,
 * partition_ids) and com.microsoft:partition (name, partition,
 * begin_sequence_number, last_enqueued_sequence_number,
 * last_enqueued_offset, last_enqueued_time_utc, is_partition_empty), as the
 * service answers them: status-code 200, 404 for an unknown hub or
 * partition, 401 without a token for the hub, 400/501 for other requests.
 *
 * Claims-based security: a link to $management needs a valid token (the
 * SDKs put one for sb://HOST/<hub>/$management first); each request is
 * answered only when a token of the connection covers <hub>/$management,
 * or its security_token application property is a valid token covering
 * the hub. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker_eventhub.h"
#include "eventhub_protocol.h"

bool mgmt_node_address(const char *addr) { return strcasecmp(addr, "$management") == 0; }

void mgmt_client_free(client *cl)
{
    if (!cl->mgmt)
        return;
    node_links_free(cl->mgmt);
    free(cl->mgmt);
    cl->mgmt = NULL;
}

void mgmt_attach(client *cl, famqp_link *l, bool sender)
{
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (cbs_enabled(cl->w->b) && !cbs_has_token(cl)) {
        client_refuse_link(l, &o, "amqp:unauthorized-access",
                           "no valid token: put one for sb://HOST/<hub>/$management to $cbs first (put-token)");
        return;
    }
    if (!cl->mgmt)
        cl->mgmt = calloc(1, sizeof *cl->mgmt);
    if (!cl->mgmt) {
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return;
    }
    node_attach(cl->mgmt, l, sender, "$management", 64);
}

bool mgmt_forget_link(client *cl, famqp_link *l)
{
    return cl->mgmt && node_forget(cl->mgmt, l);
}

static void put_string(famqp_writer *w, const char *key, const char *value)
{
    famqp_write_cstring(w, key);
    famqp_write_cstring(w, value);
}

/* An array of strings (as the service sends partition_ids). */
static void write_string_array(famqp_writer *w, char ids[][12], uint32_t count)
{
    uint8_t buf[1024];
    size_t n = 9 + 1; /* code, size, count; element constructor */
    for (uint32_t i = 0; i < count; i++)
        n += 4 + strlen(ids[i]);
    if (n > sizeof buf) {
        famqp_write_null(w); /* not reached: at most 32 ids of 2 digits */
        return;
    }
    uint8_t *p = buf;
    uint32_t size = (uint32_t)(n - 5), k = count;
    *p++ = 0xf0; /* array32 */
    for (int s = 24; s >= 0; s -= 8)
        *p++ = (uint8_t)(size >> s);
    for (int s = 24; s >= 0; s -= 8)
        *p++ = (uint8_t)(k >> s);
    *p++ = 0xb1; /* str32-utf8 */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = (uint32_t)strlen(ids[i]);
        for (int s = 24; s >= 0; s -= 8)
            *p++ = (uint8_t)(len >> s);
        memcpy(p, ids[i], len);
        p += len;
    }
    famqp_write_value(w, (famqp_value){buf, (size_t)(p - buf)});
}

/* mu held: the READ's answer into w; its status (200, 404) and desc. */
static int read_entity(broker *b, const eh_mgmt_request *r, int type, famqp_writer *w, char *desc, size_t cap)
{
    eh_hub *h = eh_find_hub(b, r->name);
    if (!h) {
        snprintf(desc, cap, "event hub '%.*s' does not exist", (int)(r->name.len > 100 ? 100 : r->name.len),
                 r->name.ptr);
        return 404;
    }
    uint32_t part = 0;
    if (type == EH_MGMT_PARTITION && !eh_partition_index(r->partition, h->cfg->partitions, &part)) {
        snprintf(desc, cap, "event hub '%s' has no partition '%.*s' (its partitions are 0 to %u)", h->cfg->name,
                 (int)(r->partition.len > 40 ? 40 : r->partition.len), r->partition.ptr, h->cfg->partitions - 1);
        return 404;
    }
    famqp_write_map_begin(w);
    put_string(w, "name", h->cfg->name);
    if (type == EH_MGMT_EVENTHUB) {
        put_string(w, "type", "com.microsoft:eventhub");
        famqp_write_cstring(w, "created_at");
        famqp_write_timestamp(w, h->created_ms);
        famqp_write_cstring(w, "partition_count");
        famqp_write_int(w, (int32_t)h->cfg->partitions);
        char ids[32][12];
        for (uint32_t i = 0; i < h->cfg->partitions && i < 32; i++)
            snprintf(ids[i], sizeof ids[i], "%u", i);
        famqp_write_cstring(w, "partition_ids");
        write_string_array(w, ids, h->cfg->partitions < 32 ? h->cfg->partitions : 32);
    } else {
        const eh_partition *pt = &h->parts[part];
        const eh_event *last = pt->count ? pt->ring[(pt->start + pt->count - 1) % pt->cap] : NULL;
        char id[12], offset[24];
        snprintf(id, sizeof id, "%u", part);
        if (last)
            snprintf(offset, sizeof offset, "%" PRIu64, last->offset);
        else
            snprintf(offset, sizeof offset, "-1");
        put_string(w, "type", "com.microsoft:partition");
        put_string(w, "partition", id);
        famqp_write_cstring(w, "begin_sequence_number");
        famqp_write_long(w, pt->first_seq);
        famqp_write_cstring(w, "last_enqueued_sequence_number");
        famqp_write_long(w, pt->next_seq - 1);
        put_string(w, "last_enqueued_offset", offset);
        famqp_write_cstring(w, "last_enqueued_time_utc");
        famqp_write_timestamp(w, pt->last_ms);
        famqp_write_cstring(w, "is_partition_empty");
        famqp_write_bool(w, pt->count == 0);
    }
    famqp_write_map_end(w);
    snprintf(desc, cap, "OK");
    return 200;
}

/* The request's hub is covered by a token of the connection (for
 * <hub>/$management or above) or by the request's security_token. */
static bool authorized(client *cl, const eh_mgmt_request *r)
{
    broker *b = cl->w->b;
    if (!cbs_enabled(b))
        return true;
    char entity[300];
    snprintf(entity, sizeof entity, "%.*s/$management", (int)(r->name.len > 200 ? 200 : r->name.len), r->name.ptr);
    if (cbs_expiry_for(cl, entity))
        return true;
    entity[strlen(entity) - strlen("/$management")] = '\0';
    return r->has_token && cbs_token_covers(b, r->security_token, entity);
}

bool mgmt_on_message(client *cl, famqp_delivery *d)
{
    famqp_message m;
    int taken = node_take_request(cl->mgmt, d, "$management", &m);
    if (taken != 1)
        return taken == 0;
    eh_mgmt_request r;
    int type;
    char desc[300];
    uint8_t body[NODE_MAX_RESPONSE - 512];
    famqp_writer w;
    famqp_writer_init(&w, body, sizeof body);
    int status = eh_mgmt_parse(&m, &r, &type, desc, sizeof desc);
    if (status == 0 && !authorized(cl, &r)) {
        status = 401;
        snprintf(desc, sizeof desc, "no valid token covers '%.*s/$management' (put one to $cbs, or send it as "
                 "security_token)", (int)(r.name.len > 100 ? 100 : r.name.len), r.name.ptr);
    }
    if (status == 0) {
        pthread_mutex_lock(&cl->w->b->mu);
        status = read_entity(cl->w->b, &r, type, &w, desc, sizeof desc);
        pthread_mutex_unlock(&cl->w->b->mu);
    }
    famqp_value v = status == 200 && famqp_writer_status(&w) == FAMQP_OK ? famqp_writer_value(&w) : (famqp_value){0};
    node_answer(cl, cl->mgmt, d, &m, status, desc, v);
    if (cl->w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s $management request: %d %s\n", famqp_io_peer(cl->io), status, desc);
    return true;
}

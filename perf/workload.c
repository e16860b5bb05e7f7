/* codec-bench: the workload values and the digests their decodes must give. */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const uint8_t wl_transfer_tag[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

const char *const workload_types[] = {
    "open", "begin", "attach", "flow", "transfer", "disposition", "message", "message-1mib", "message-50props",
};
const size_t workload_type_count = sizeof workload_types / sizeof workload_types[0];

static const wl_prop typical_props[] = {
    {"tenant", WL_STRING, "acme", 0, false},
    {"priority", WL_INT, NULL, 5, false},
    {"retry", WL_BOOL, NULL, 0, false},
};

enum { SMALL_BODY = 100, LARGE_BODY = 1 << 20, MANY_PROPS = 50 };

static uint8_t small_body[SMALL_BODY];
static uint8_t *large_body;
static char many_keys[MANY_PROPS][24]; /* room for any unsigned */
static char many_values[MANY_PROPS][24];
static wl_prop many_props[MANY_PROPS];

static wl_message msg_typical, msg_1mib, msg_50props;

void workload_init(void)
{
    for (size_t i = 0; i < SMALL_BODY; i++) small_body[i] = (uint8_t)(i * 7 + 1);
    large_body = malloc(LARGE_BODY);
    if (!large_body) {
        fprintf(stderr, "codec-bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < LARGE_BODY; i++) large_body[i] = (uint8_t)(i * 13 + 5);
    /* 50 properties cycling through the three value kinds, so a decode
     * dispatches on the value type as a real consumer would. */
    for (unsigned i = 0; i < MANY_PROPS; i++) {
        snprintf(many_keys[i], sizeof many_keys[i], "x-prop-%02u", i);
        snprintf(many_values[i], sizeof many_values[i], "value-%02u", i);
        wl_prop *p = &many_props[i];
        p->key = many_keys[i];
        p->kind = (wl_kind)(i % 3);
        p->s = p->kind == WL_STRING ? many_values[i] : NULL;
        p->i = p->kind == WL_INT ? (int32_t)i * 1000 : 0;
        p->b = p->kind == WL_BOOL && i % 2;
    }
    msg_typical = (wl_message){typical_props, 3, small_body, SMALL_BODY};
    msg_1mib = (wl_message){typical_props, 3, large_body, LARGE_BODY};
    msg_50props = (wl_message){many_props, MANY_PROPS, small_body, SMALL_BODY};
}

const wl_message *workload_message(const char *type)
{
    if (strcmp(type, "message") == 0) return &msg_typical;
    if (strcmp(type, "message-1mib") == 0) return &msg_1mib;
    if (strcmp(type, "message-50props") == 0) return &msg_50props;
    return NULL;
}

static uint64_t dg_cstr(uint64_t h, const char *s) { return dg_view(h, s, strlen(s)); }

static uint64_t message_digest(const wl_message *m)
{
    uint64_t h = 0;
    h = dg_cstr(h, WL_MSG_ID);
    h = dg_cstr(h, WL_MSG_TO);
    h = dg_cstr(h, WL_MSG_SUBJECT);
    h = dg_cstr(h, WL_MSG_CONTENT_TYPE);
    h = dg(h, (uint64_t)WL_MSG_CREATION_TIME);
    for (size_t i = 0; i < m->prop_count; i++) {
        const wl_prop *p = &m->props[i];
        h = dg_cstr(h, p->key);
        switch (p->kind) {
        case WL_STRING: h = dg_cstr(h, p->s); break;
        case WL_INT: h = dg(h, (uint64_t)(int64_t)p->i); break;
        case WL_BOOL: h = dg(h, p->b); break;
        }
    }
    return dg_view(h, m->body, m->body_len);
}

uint64_t workload_digest(const char *type)
{
    uint64_t h = 0;
    if (strcmp(type, "open") == 0) {
        h = dg_cstr(h, WL_OPEN_CONTAINER_ID);
        h = dg_cstr(h, WL_OPEN_HOSTNAME);
        h = dg(h, WL_OPEN_MAX_FRAME_SIZE);
        h = dg(h, WL_OPEN_CHANNEL_MAX);
        return dg(h, WL_OPEN_IDLE_TIME_OUT);
    }
    if (strcmp(type, "begin") == 0) {
        h = dg(h, WL_BEGIN_REMOTE_CHANNEL);
        h = dg(h, WL_BEGIN_NEXT_OUTGOING_ID);
        h = dg(h, WL_BEGIN_INCOMING_WINDOW);
        h = dg(h, WL_BEGIN_OUTGOING_WINDOW);
        return dg(h, WL_BEGIN_HANDLE_MAX);
    }
    if (strcmp(type, "attach") == 0) {
        h = dg_cstr(h, WL_ATTACH_NAME);
        h = dg(h, WL_ATTACH_HANDLE);
        h = dg(h, WL_ATTACH_ROLE);
        h = dg(h, WL_ATTACH_SND_SETTLE_MODE);
        h = dg(h, WL_ATTACH_RCV_SETTLE_MODE);
        h = dg_cstr(h, WL_ATTACH_SOURCE_ADDRESS);
        h = dg(h, WL_ATTACH_SOURCE_DURABLE);
        h = dg_cstr(h, WL_ATTACH_SOURCE_EXPIRY_POLICY);
        h = dg(h, WL_ATTACH_SOURCE_TIMEOUT);
        h = dg_cstr(h, WL_ATTACH_TARGET_ADDRESS);
        h = dg(h, WL_ATTACH_TARGET_DURABLE);
        h = dg(h, WL_ATTACH_INITIAL_DELIVERY_COUNT);
        return dg(h, WL_ATTACH_MAX_MESSAGE_SIZE);
    }
    if (strcmp(type, "flow") == 0) {
        h = dg(h, WL_FLOW_NEXT_INCOMING_ID);
        h = dg(h, WL_FLOW_INCOMING_WINDOW);
        h = dg(h, WL_FLOW_NEXT_OUTGOING_ID);
        h = dg(h, WL_FLOW_OUTGOING_WINDOW);
        h = dg(h, WL_FLOW_HANDLE);
        h = dg(h, WL_FLOW_DELIVERY_COUNT);
        h = dg(h, WL_FLOW_LINK_CREDIT);
        return dg(h, WL_FLOW_DRAIN);
    }
    if (strcmp(type, "transfer") == 0) {
        h = dg(h, WL_TRANSFER_HANDLE);
        h = dg(h, WL_TRANSFER_DELIVERY_ID);
        h = dg_view(h, wl_transfer_tag, sizeof wl_transfer_tag);
        h = dg(h, WL_TRANSFER_MESSAGE_FORMAT);
        return dg(h, WL_TRANSFER_SETTLED);
    }
    if (strcmp(type, "disposition") == 0) {
        h = dg(h, WL_DISPOSITION_ROLE);
        h = dg(h, WL_DISPOSITION_FIRST);
        h = dg(h, WL_DISPOSITION_LAST);
        h = dg(h, WL_DISPOSITION_SETTLED);
        return dg(h, 1); /* state: accepted */
    }
    const wl_message *m = workload_message(type);
    if (m) return message_digest(m);
    fprintf(stderr, "codec-bench: no digest for workload type %s\n", type);
    exit(1);
}

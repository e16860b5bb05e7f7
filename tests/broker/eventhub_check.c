/* famqp-broker's Event Hubs data plane, from flatamqp's client (CBS with
 * the emulators' key).  The broker serves tests/broker/emulator/eventhubs.json
 * (telemetry: 4 partitions, groups $default, analytics, archive) and
 * --event-hub rr:4.  Mode "main":
 *   1. 10 events to telemetry/Partitions/1 come back from
 *      telemetry/ConsumerGroups/$Default/Partitions/1 in order, bodies and
 *      properties intact, x-opt-sequence-number 0..9, x-opt-offset rising
 *      from "0" by each stored event's size, x-opt-enqueued-time now
 *   2. 2 batches (message-format 0x80013700) of 50 to partition 2: 100
 *      events, sequence numbers 0..99
 *   3. positions: sequence > 4, >= 4, offset > (event 3's), @latest (only
 *      an event sent afterwards), enqueued time > (the last one's)
 *   4. a batch with partition key "alpha" sent to telemetry: every event
 *      in one partition, each with x-opt-partition-key "alpha"
 *   5. 8 keyless events to rr: 2 in each of its 4 partitions
 *   6. refusals (amqp:not-found): an unknown consumer group, partition 9, a
 *      receiver on a publishing address; the analytics group reads
 *      partition 1 again from sequence number 0; a sixth receiver of one
 *      partition and group (amqp:resource-limit-exceeded), then one once
 *      another left
 *   7. epochs: a receiver with epoch 2 detaches the one with epoch 1
 *      (amqp:link:stolen); epoch 1 and no epoch are then refused
 *      (amqp:link:stolen); epoch 3 takes over again
 *   9. $management READ: com.microsoft:eventhub (partition_ids an array
 *      of strings "0".."3"), com.microsoft:partition of partition 2
 *      (sequence numbers 0..99, its last offset and time); 401 without a
 *      token covering telemetry/$management, 404 for an unknown hub or
 *      partition, 501 for another operation
 * Mode "retention" (broker with --eh-max-events 5 --event-hub small:1):
 *   8. 12 events sent: a reader from the start gets sequence numbers 7..11
 * Each prints "ok N"; the first failure ends the run with exit 1.
 *   usage: broker-eventhub-check URL main|retention */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/auth.h>
#include <famqp/batch.h>
#include <famqp/client.h>
#include <famqp/eventhubs.h>
#include <famqp/request.h>

#include "broker_check.h"


static famqp_client *c;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *last(void) { return famqp_client_last_error(c)->message; }

static famqp_sender *sender(const char *addr)
{
    famqp_sender *s;
    CHECK(famqp_sender_open(c, addr, NULL, &s) == FAMQP_CLIENT_OK, "sender %s: %s", addr, last());
    return s;
}

static void send_event(famqp_sender *s, int n)
{
    famqp_message m;
    famqp_message_init(&m);
    char body[32];
    snprintf(body, sizeof body, "event %d", n);
    famqp_message_set_string(&m, body);
    uint8_t pbuf[64];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, pbuf, sizeof pbuf);
    famqp_map_builder_put_int(&b, "n", n);
    CHECK(famqp_message_set_map(&m, &b) == FAMQP_OK, "map");
    famqp_outcome out;
    CHECK(famqp_send(s, &m, 10000, &out) == FAMQP_CLIENT_OK && out.kind == FAMQP_OUTCOME_ACCEPTED, "send %d: %s", n,
          last());
}

static void send_batch(famqp_sender *s, int first, int count, const char *key)
{
    static uint8_t buf[1 << 16];
    famqp_batch b;
    CHECK(famqp_batch_init(&b, buf, sizeof buf, -1, key) == FAMQP_OK, "batch init");
    for (int i = first; i < first + count; i++) {
        famqp_message m;
        famqp_message_init(&m);
        char body[32];
        snprintf(body, sizeof body, "event %d", i);
        famqp_message_set_string(&m, body);
        CHECK(famqp_batch_add(&b, &m) == FAMQP_OK, "batch add %d", i);
    }
    famqp_binary p = famqp_batch_payload(&b);
    famqp_outcome out;
    CHECK(famqp_send_bytes_format(s, FAMQP_BATCH_MESSAGE_FORMAT, p.ptr, p.len, 10000, &out) == FAMQP_CLIENT_OK &&
              out.kind == FAMQP_OUTCOME_ACCEPTED,
          "batch send: %s", last());
}

static famqp_client_status open_receiver(const char *addr, const char *selector, famqp_map props, famqp_receiver **r)
{
    famqp_receiver_options o;
    famqp_receiver_options_init(&o);
    o.selector = selector;
    o.link.properties = props;
    return famqp_receiver_open(c, addr, &o, r);
}

static famqp_receiver *receiver(const char *addr, const char *selector)
{
    famqp_receiver *r;
    CHECK(open_receiver(addr, selector, (famqp_map){0}, &r) == FAMQP_CLIENT_OK, "receiver %s: %s", addr, last());
    return r;
}

/* One received event's fields. */
typedef struct event {
    int64_t seq, time;
    uint64_t offset;
    char body[64], key[64];
    int32_t n;
    bool has_n;
    size_t size;
} event;

static bool receive(famqp_receiver *r, int timeout_ms, event *e)
{
    famqp_delivery *d;
    if (famqp_receive(r, timeout_ms, &d) != FAMQP_CLIENT_OK)
        return false;
    famqp_message m;
    famqp_error err;
    CHECK(famqp_delivery_read_message(d, &m, &err) == FAMQP_OK, "decode");
    memset(e, 0, sizeof *e);
    famqp_string off, body, key;
    CHECK(famqp_event_sequence_number(&m, &e->seq), "no x-opt-sequence-number (a long)");
    CHECK(famqp_event_enqueued_time(&m, &e->time), "no x-opt-enqueued-time (a timestamp)");
    CHECK(famqp_event_offset(&m, &off) && off.len < 24, "no x-opt-offset (a string)");
    char tmp[24];
    memcpy(tmp, off.ptr, off.len);
    tmp[off.len] = '\0';
    char *end;
    e->offset = strtoull(tmp, &end, 10);
    CHECK(*end == '\0' && off.len > 0, "x-opt-offset '%s' is not a number", tmp);
    CHECK(famqp_message_get_string(&m, &body) && body.len < sizeof e->body, "body");
    memcpy(e->body, body.ptr, body.len);
    if (famqp_event_partition_key(&m, &key) && key.len < sizeof e->key)
        memcpy(e->key, key.ptr, key.len);
    famqp_value v;
    e->has_n = famqp_message_property(&m, "n", &v) && famqp_value_get_int(v, &e->n);
    e->size = famqp_delivery_message(d).len;
    famqp_delivery_accept(d);
    return true;
}

static event got[200];
static event p2_last; /* partition 2's last event (step 2) */

static void read_events(famqp_receiver *r, int count, const char *what)
{
    for (int i = 0; i < count; i++)
        CHECK(receive(r, 10000, &got[i]), "%s: event %d of %d did not arrive: %s", what, i, count, last());
}

static void nothing_more(famqp_receiver *r, const char *what)
{
    event e;
    CHECK(!receive(r, 300, &e), "%s: an unexpected event, sequence number %" PRId64, what, e.seq);
}

static void step1(void)
{
    famqp_sender *s = sender("telemetry/Partitions/1");
    int64_t before = now_ms();
    for (int i = 0; i < 10; i++)
        send_event(s, i);
    int64_t after = now_ms();
    famqp_receiver *r = receiver("telemetry/ConsumerGroups/$Default/Partitions/1", NULL);
    read_events(r, 10, "partition 1");
    uint64_t offset = 0;
    for (int i = 0; i < 10; i++) {
        char want[32];
        snprintf(want, sizeof want, "event %d", i);
        CHECK(got[i].seq == i, "event %d has sequence number %" PRId64, i, got[i].seq);
        CHECK(strcmp(got[i].body, want) == 0 && got[i].has_n && got[i].n == i, "event %d: body '%s', n %d", i,
              got[i].body, got[i].n);
        CHECK(got[i].offset == offset, "event %d: offset %" PRIu64 ", expected %" PRIu64, i, got[i].offset, offset);
        CHECK(got[i].time >= before - 1 && got[i].time <= after + 1 && (i == 0 || got[i].time >= got[i - 1].time),
              "event %d: enqueued time %" PRId64 " not in [%" PRId64 ", %" PRId64 "]", i, got[i].time, before, after);
        offset += got[i].size;
    }
    nothing_more(r, "partition 1");
    famqp_receiver_close(r, 5000);
    famqp_sender_close(s, 5000);
    printf("ok 1: 10 events to partition 1 read back in order, sequence numbers 0..9, offsets 0..%" PRIu64 "\n",
           got[9].offset);
}

static void step2(void)
{
    famqp_sender *s = sender("telemetry/Partitions/2");
    send_batch(s, 0, 50, NULL);
    send_batch(s, 50, 50, NULL);
    famqp_receiver *r = receiver("telemetry/ConsumerGroups/$default/Partitions/2", NULL);
    read_events(r, 100, "partition 2");
    for (int i = 0; i < 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "event %d", i);
        CHECK(got[i].seq == i && strcmp(got[i].body, want) == 0, "event %d: sequence number %" PRId64 ", body '%s'", i,
              got[i].seq, got[i].body);
    }
    p2_last = got[99];
    nothing_more(r, "partition 2");
    famqp_receiver_close(r, 5000);
    famqp_sender_close(s, 5000);
    printf("ok 2: 2 batches of 50 to partition 2 split into 100 events, sequence numbers 0..99\n");
}

static void first_at(const char *selector, int64_t want_seq)
{
    famqp_receiver *r = receiver("telemetry/ConsumerGroups/$Default/Partitions/1", selector);
    event e;
    CHECK(receive(r, 10000, &e), "%s: nothing arrived: %s", selector, last());
    CHECK(e.seq == want_seq, "%s: first sequence number %" PRId64 ", expected %" PRId64, selector, e.seq, want_seq);
    famqp_receiver_close(r, 5000);
}

static void step3(void)
{
    /* Partition 1 holds events 0..9 (step 1); got[] holds partition 2's. */
    famqp_receiver *r = receiver("telemetry/ConsumerGroups/$Default/Partitions/1", NULL);
    read_events(r, 10, "partition 1 again");
    famqp_receiver_close(r, 5000);
    first_at("amqp.annotation.x-opt-sequence-number > '4'", 5);
    first_at("amqp.annotation.x-opt-sequence-number >= '4'", 4);
    first_at("amqp.annotation.x-opt-sequence-number > '-1'", 0);
    first_at("amqp.annotation.x-opt-offset > '-1'", 0);
    char sel[128];
    snprintf(sel, sizeof sel, "amqp.annotation.x-opt-offset > '%" PRIu64 "'", got[3].offset);
    first_at(sel, 4);
    snprintf(sel, sizeof sel, "amqp.annotation.x-opt-offset >= '%" PRIu64 "'", got[3].offset);
    first_at(sel, 3);
    int64_t last_time = got[9].time;
    famqp_receiver *latest = receiver("telemetry/ConsumerGroups/$Default/Partitions/1",
                                      "amqp.annotation.x-opt-offset > '@latest'");
    nothing_more(latest, "@latest");
    /* Past the newest (the largest long: no overflow): from the next one on. */
    famqp_receiver *beyond = receiver("telemetry/ConsumerGroups/$Default/Partitions/1",
                                      "amqp.annotation.x-opt-sequence-number > '9223372036854775807'");
    nothing_more(beyond, "sequence number > 2^63 - 1");
    struct timespec pause = {0, 20 * 1000000};
    nanosleep(&pause, NULL);
    famqp_sender *s = sender("telemetry/Partitions/1");
    send_event(s, 10);
    event e;
    CHECK(receive(latest, 10000, &e) && e.seq == 10, "@latest: the new event (sequence number 10) did not arrive");
    famqp_receiver_close(latest, 5000);
    CHECK(receive(beyond, 10000, &e) && e.seq == 10, "> 2^63 - 1: the new event did not arrive");
    famqp_receiver_close(beyond, 5000);
    snprintf(sel, sizeof sel, "amqp.annotation.x-opt-enqueued-time > '%" PRId64 "'", last_time);
    first_at(sel, 10);
    famqp_sender_close(s, 5000);
    printf("ok 3: positions by sequence number (also past the newest), offset (> and >=, -1), @latest, enqueued "
           "time\n");
}

static void step4(void)
{
    famqp_sender *s = sender("telemetry");
    send_batch(s, 0, 20, "alpha");
    famqp_sender_close(s, 5000);
    int found = -1;
    for (int p = 0; p < 4; p++) {
        char addr[80];
        snprintf(addr, sizeof addr, "telemetry/ConsumerGroups/archive/Partitions/%d", p);
        famqp_receiver *r = receiver(addr, NULL);
        event e;
        int n = 0;
        while (receive(r, 300, &e))
            if (strcmp(e.key, "alpha") == 0)
                n++;
        famqp_receiver_close(r, 5000);
        if (n) {
            CHECK(found < 0 && n == 20, "partition %d holds %d events with key alpha (and partition %d some)", p, n,
                  found);
            found = p;
        }
    }
    CHECK(found >= 0, "no events with x-opt-partition-key 'alpha'");
    printf("ok 4: 20 events with partition key 'alpha' all in partition %d, each with the key\n", found);
}

static void step5(void)
{
    famqp_sender *s = sender("rr");
    for (int i = 0; i < 8; i++)
        send_event(s, i);
    famqp_sender_close(s, 5000);
    for (int p = 0; p < 4; p++) {
        char addr[80];
        snprintf(addr, sizeof addr, "rr/ConsumerGroups/$Default/Partitions/%d", p);
        famqp_receiver *r = receiver(addr, NULL);
        read_events(r, 2, addr);
        nothing_more(r, addr);
        famqp_receiver_close(r, 5000);
    }
    printf("ok 5: 8 keyless events to 'rr' spread 2 to each of its 4 partitions\n");
}

static void refused(const char *addr, const char *condition, const char *text)
{
    famqp_receiver *r;
    famqp_client_status st = open_receiver(addr, NULL, (famqp_map){0}, &r);
    const famqp_client_error *e = famqp_client_last_error(c);
    CHECK(st != FAMQP_CLIENT_OK, "%s was attached", addr);
    CHECK(strcmp(e->condition, condition) == 0 && strstr(e->description, text), "%s: %s", addr, e->message);
}

static void step6(void)
{
    refused("telemetry/ConsumerGroups/nosuch/Partitions/0", "amqp:not-found",
            "consumer group 'nosuch' does not exist in event hub 'telemetry' (it has: $default analytics archive)");
    refused("telemetry/ConsumerGroups/$Default/Partitions/9", "amqp:not-found",
            "event hub 'telemetry' has no partition '9' (its partitions are 0 to 3)");
    refused("telemetry/Partitions/0", "amqp:not-found", "is an event hub publishing address");
    famqp_receiver *r = receiver("telemetry/ConsumerGroups/Analytics/Partitions/1", NULL);
    read_events(r, 11, "analytics");
    for (int i = 0; i < 11; i++)
        CHECK(got[i].seq == i, "analytics: event %d has sequence number %" PRId64, i, got[i].seq);
    famqp_receiver_close(r, 5000);
    /* At most 5 receivers per partition and consumer group, as the service. */
    const char *addr = "telemetry/ConsumerGroups/archive/Partitions/0";
    famqp_receiver *five[5];
    for (int i = 0; i < 5; i++)
        five[i] = receiver(addr, NULL);
    refused(addr, "amqp:resource-limit-exceeded", "has 5 receivers in this consumer group already");
    famqp_receiver_close(five[0], 5000);
    five[0] = receiver(addr, NULL);
    for (int i = 0; i < 5; i++)
        famqp_receiver_close(five[i], 5000);
    printf("ok 6: unknown group, partition and a publishing address refused (amqp:not-found); another group "
           "reads from 0; a sixth receiver refused (amqp:resource-limit-exceeded)\n");
}

static famqp_map epoch_props(uint8_t *buf, size_t cap, int64_t epoch)
{
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "com.microsoft:epoch");
    famqp_write_long(&w, epoch);
    famqp_write_map_end(&w);
    famqp_map m;
    CHECK(famqp_writer_status(&w) == FAMQP_OK && famqp_map_of(buf, famqp_writer_len(&w), &m), "epoch map");
    return m;
}

static void step7(void)
{
    const char *addr = "telemetry/ConsumerGroups/$Default/Partitions/3";
    uint8_t b1[64], b2[64], b3[64];
    famqp_receiver *r1, *r2, *r3, *rx;
    CHECK(open_receiver(addr, NULL, epoch_props(b1, sizeof b1, 1), &r1) == FAMQP_CLIENT_OK, "epoch 1: %s", last());
    CHECK(open_receiver(addr, NULL, epoch_props(b2, sizeof b2, 2), &r2) == FAMQP_CLIENT_OK, "epoch 2: %s", last());
    famqp_delivery *d;
    famqp_client_status st = famqp_receive(r1, 5000, &d);
    const famqp_client_error *e = famqp_client_last_error(c);
    CHECK(st != FAMQP_CLIENT_OK && strcmp(e->condition, "amqp:link:stolen") == 0 &&
              strstr(e->description, "a new receiver with epoch 2 took the partition"),
          "epoch 1 after epoch 2: %s (%s)", e->message, famqp_client_status_name(st));
    CHECK(open_receiver(addr, NULL, epoch_props(b1, sizeof b1, 1), &rx) != FAMQP_CLIENT_OK &&
              strcmp(famqp_client_last_error(c)->condition, "amqp:link:stolen") == 0,
          "epoch 1 again: %s", last());
    refused(addr, "amqp:link:stolen", "a receiver with epoch 2 holds");
    CHECK(open_receiver("telemetry/ConsumerGroups/archive/Partitions/3", NULL, (famqp_map){0}, &rx) ==
              FAMQP_CLIENT_OK,
          "another group is not affected: %s", last());
    CHECK(open_receiver(addr, NULL, epoch_props(b3, sizeof b3, 3), &r3) == FAMQP_CLIENT_OK, "epoch 3: %s", last());
    st = famqp_receive(r2, 5000, &d);
    CHECK(st != FAMQP_CLIENT_OK && strcmp(famqp_client_last_error(c)->condition, "amqp:link:stolen") == 0,
          "epoch 2 after epoch 3: %s", last());
    printf("ok 7: epoch 2 detached epoch 1 (amqp:link:stolen), lower and no epoch refused, epoch 3 took over\n");
}

static void step8(void)
{
    famqp_sender *s = sender("small");
    for (int i = 0; i < 12; i++)
        send_event(s, i);
    famqp_receiver *r = receiver("small/ConsumerGroups/$Default/Partitions/0", NULL);
    read_events(r, 5, "small");
    for (int i = 0; i < 5; i++)
        CHECK(got[i].seq == 7 + i && got[i].n == 7 + i, "retained event %d: sequence number %" PRId64, i, got[i].seq);
    nothing_more(r, "small");
    printf("ok 8: --eh-max-events 5: of 12 events the newest 5 (sequence numbers 7..11) retained\n");
}

/* A READ on $management; the response (status checked by the caller). */
static int32_t mgmt_read(famqp_requester *q, const char *op, const char *type, const char *name, const char *part,
                         const char *token, famqp_response *resp)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t buf[1024];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, sizeof buf);
    famqp_map_builder_put_string(&b, "operation", op);
    famqp_map_builder_put_string(&b, "type", type);
    famqp_map_builder_put_string(&b, "name", name);
    if (part)
        famqp_map_builder_put_string(&b, "partition", part);
    if (token)
        famqp_map_builder_put_string(&b, "security_token", token);
    CHECK(famqp_message_set_map(&m, &b) == FAMQP_OK, "request map");
    famqp_message_set_string(&m, "");
    CHECK(famqp_request(q, &m, 10000, resp) == FAMQP_CLIENT_OK, "request: %s", last());
    return resp->status_code;
}

static famqp_value field(const famqp_response *r, const char *key)
{
    famqp_value body, v = {0};
    famqp_map map;
    CHECK(famqp_message_get_value(&r->message, &body) && famqp_value_get_map(body, &map), "body is no map");
    CHECK(famqp_map_get_string_key(&map, key, &v), "no '%s' in the response", key);
    return v;
}

static famqp_client *connect_cbs(const char *url)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    famqp_cbs_use_sas(&o, "RootManageSharedAccessKey", "SAS_KEY_VALUE", 0);
    famqp_client_error err;
    famqp_client *cl;
    CHECK(famqp_client_connect(url, &o, &cl, &err) == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return cl;
}

static void step9(const char *url)
{
    /* A connection of its own: its only token is for $management (the
     * main one holds one for telemetry, which covers telemetry/$management). */
    famqp_client *main_client = c;
    c = connect_cbs(url);
    famqp_requester *q;
    CHECK(famqp_requester_open(c, "$management", NULL, &q) == FAMQP_CLIENT_OK, "$management: %s", last());
    famqp_response r;
    int32_t st = mgmt_read(q, "READ", "com.microsoft:eventhub", "telemetry", NULL, NULL, &r);
    CHECK(st == 401 && r.status_description.len, "no token for telemetry/$management: status %d", st);
    famqp_response_release(&r);
    /* The token as the SDKs send it, in the request. */
    char uri[256], token[1024];
    const char *host = strstr(url, "://") + 3;
    snprintf(uri, sizeof uri, "sb://%.*s/telemetry", (int)strcspn(host, ":/"), host);
    CHECK(famqp_sas_token(uri, "RootManageSharedAccessKey", "SAS_KEY_VALUE", (uint64_t)(now_ms() / 1000 + 600), token,
                          sizeof token, NULL, NULL) == FAMQP_AUTH_OK,
          "token");
    st = mgmt_read(q, "READ", "com.microsoft:eventhub", "telemetry", NULL, token, &r);
    CHECK(st == 200, "eventhub READ: %d %.*s", st, (int)r.status_description.len, r.status_description.ptr);
    famqp_string s;
    int32_t count;
    famqp_array ids;
    CHECK(famqp_value_get_string(field(&r, "name"), &s) && famqp_string_eq(s, "telemetry"), "name");
    CHECK(famqp_value_get_int(field(&r, "partition_count"), &count) && count == 4, "partition_count");
    CHECK(famqp_value_get_array(field(&r, "partition_ids"), &ids) && ids.count == 4, "partition_ids");
    famqp_iter it;
    famqp_array_iter(&ids, &it);
    for (int i = 0; i < 4; i++) {
        char want[4];
        snprintf(want, sizeof want, "%d", i);
        CHECK(famqp_array_next_string(&it, &s) && famqp_string_eq(s, want), "partition_ids[%d]", i);
    }
    int64_t created;
    CHECK(famqp_value_get_timestamp(field(&r, "created_at"), &created) && created <= now_ms(), "created_at");
    famqp_response_release(&r);
    st = mgmt_read(q, "READ", "com.microsoft:partition", "telemetry", "2", token, &r);
    CHECK(st == 200, "partition READ: %d", st);
    int64_t begin, lastseq, time;
    bool empty;
    CHECK(famqp_value_get_long(field(&r, "begin_sequence_number"), &begin) && begin == 0, "begin_sequence_number");
    CHECK(famqp_value_get_long(field(&r, "last_enqueued_sequence_number"), &lastseq) && lastseq == 99,
          "last_enqueued_sequence_number %" PRId64, lastseq);
    CHECK(famqp_value_get_bool(field(&r, "is_partition_empty"), &empty) && !empty, "is_partition_empty");
    CHECK(famqp_value_get_timestamp(field(&r, "last_enqueued_time_utc"), &time) && time == p2_last.time,
          "last_enqueued_time_utc %" PRId64 ", event 99's %" PRId64, time, p2_last.time);
    char offset[24];
    snprintf(offset, sizeof offset, "%" PRIu64, p2_last.offset);
    CHECK(famqp_value_get_string(field(&r, "last_enqueued_offset"), &s) && famqp_string_eq(s, offset),
          "last_enqueued_offset, expected %s", offset);
    CHECK(famqp_value_get_string(field(&r, "partition"), &s) && famqp_string_eq(s, "2"), "partition");
    famqp_response_release(&r);
    st = mgmt_read(q, "READ", "com.microsoft:eventhub", "nosuch", NULL, token, &r);
    CHECK(st == 401, "a token for telemetry does not cover nosuch: %d", st);
    famqp_response_release(&r);
    snprintf(uri, sizeof uri, "sb://%.*s/", (int)strcspn(host, ":/"), host);
    CHECK(famqp_sas_token(uri, "RootManageSharedAccessKey", "SAS_KEY_VALUE", (uint64_t)(now_ms() / 1000 + 600), token,
                          sizeof token, NULL, NULL) == FAMQP_AUTH_OK,
          "token");
    st = mgmt_read(q, "READ", "com.microsoft:eventhub", "nosuch", NULL, token, &r);
    CHECK(st == 404 && strstr((const char *)r.status_description.ptr, "event hub 'nosuch' does not exist"),
          "unknown hub: %d", st);
    famqp_response_release(&r);
    st = mgmt_read(q, "READ", "com.microsoft:partition", "telemetry", "4", token, &r);
    CHECK(st == 404, "unknown partition: %d", st);
    famqp_response_release(&r);
    st = mgmt_read(q, "DELETE", "com.microsoft:eventhub", "telemetry", NULL, token, &r);
    CHECK(st == 501, "another operation: %d", st);
    famqp_response_release(&r);
    famqp_requester_close(q, 5000);
    famqp_client_close(c, 5000);
    c = main_client;
    printf("ok 9: $management READ of the hub and partition 2 (sequence numbers 0..%" PRId64 "), 401, 404, 501\n",
           lastseq);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: broker-eventhub-check URL main|retention\n");
        return 2;
    }
    c = connect_cbs(argv[1]);
    if (strcmp(argv[2], "retention") == 0) {
        step8();
    } else {
        step1();
        step2();
        step3();
        step4();
        step5();
        step6();
        step7();
        step9(argv[1]);
    }
    famqp_client_close(c, 5000);
    return 0;
}

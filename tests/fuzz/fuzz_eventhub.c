/* Fuzz target: famqp-broker's Event Hubs parsers
 * (examples/famqp-broker/eventhub_protocol.c), whose input comes from any
 * client.  Byte 0 chooses what the rest is:
 *   0 (and anything else): a $management request message: decoded, then
 *     eh_mgmt_parse; a READ it takes has a type, a name and (partition
 *     READ) a partition, all views inside the input; a refusal is 400 or
 *     501 with a one-line description
 *   1: an event to stamp (eh_stamp_event): the count matches what is
 *     written, the stamped event decodes and carries the broker's
 *     x-opt-sequence-number, x-opt-offset, x-opt-enqueued-time and the
 *     partition key, its other sections unchanged in size, no
 *     delivery-annotations; with eh_with_runtime_info it decodes and
 *     carries them
 *   2: a selector filter's text (eh_position_parse) and the same text as a
 *     filter-set entry (eh_position_from_filter): both agree; a refusal
 *     says why on one line
 * All on the stack; nothing to free. */
#include <string.h>

#include "eventhub_protocol.h"
#include "famqp/eventhubs.h"
#include "fuzz_target.h"

static bool inside(famqp_string s, const uint8_t *p, size_t n)
{
    return s.len == 0 || ((const uint8_t *)s.ptr >= p && (const uint8_t *)s.ptr + s.len <= p + n);
}

static void management(const uint8_t *p, size_t n)
{
    famqp_message m;
    if (famqp_message_decode(p, n, &m, NULL) != FAMQP_OK)
        return;
    eh_mgmt_request r;
    int type = -1;
    char desc[300];
    desc[0] = '\0';
    int st = eh_mgmt_parse(&m, &r, &type, desc, sizeof desc);
    if (st == 0) {
        FUZZ_CHECK(type == EH_MGMT_EVENTHUB || type == EH_MGMT_PARTITION, "type %d", type);
        FUZZ_CHECK(famqp_string_eq(r.operation, "READ") && r.name.len > 0, "accepted without READ and a name");
        FUZZ_CHECK(type == EH_MGMT_EVENTHUB || r.has_partition, "a partition READ without a partition");
        FUZZ_CHECK(inside(r.name, p, n) && inside(r.partition, p, n) && inside(r.security_token, p, n) &&
                       inside(r.type, p, n),
                   "a view outside the input");
    } else {
        FUZZ_CHECK((st == 400 || st == 501) && desc[0] && !strchr(desc, '\n'), "status %d, '%s'", st, desc);
        FUZZ_CHECK(type == 0, "refused with a type");
    }
}

static void stamp(const uint8_t *p, size_t n)
{
    static uint8_t out[1 << 17];
    if (n > (1 << 16))
        return;
    const char *key = n && (p[0] & 1) ? "key-\xc3\xa9" : NULL;
    eh_stamp st = {(int64_t)n * 7 - 3, (uint64_t)n * 1000, 1700000000123, {key, key ? strlen(key) : 0}};
    famqp_error err;
    size_t need = eh_stamp_event(NULL, 0, p, n, &st, &err);
    famqp_message in;
    bool ok = famqp_message_decode(p, n, &in, NULL) == FAMQP_OK;
    FUZZ_CHECK((need > 0) == ok, "stamp %zu bytes, decode %d", need, ok);
    if (!ok)
        return;
    FUZZ_CHECK(need <= sizeof out, "%zu bytes", need);
    FUZZ_CHECK(eh_stamp_event(out, need - 1, p, n, &st, NULL) == need, "a short buffer changes the count");
    FUZZ_CHECK(eh_stamp_event(out, sizeof out, p, n, &st, NULL) == need, "written != counted");
    famqp_message m;
    FUZZ_CHECK(famqp_message_decode(out, need, &m, &err) == FAMQP_OK, "the stamped event does not decode");
    int64_t seq, t;
    famqp_string off, pk;
    FUZZ_CHECK(famqp_event_sequence_number(&m, &seq) && seq == st.sequence_number, "sequence number");
    FUZZ_CHECK(famqp_event_enqueued_time(&m, &t) && t == st.enqueued_ms, "enqueued time");
    char want[24];
    snprintf(want, sizeof want, "%llu", (unsigned long long)st.offset);
    FUZZ_CHECK(famqp_event_offset(&m, &off) && off.len == strlen(want) && !memcmp(off.ptr, want, off.len), "offset");
    if (key)
        FUZZ_CHECK(famqp_event_partition_key(&m, &pk) && famqp_string_eq(pk, key), "partition key");
    FUZZ_CHECK(m.body.wire.len == in.body.wire.len && !memcmp(m.body.wire.ptr, in.body.wire.ptr, in.body.wire.len),
               "the body changed");
    FUZZ_CHECK(m.application_properties.value.len == in.application_properties.value.len,
               "the application properties changed");
    FUZZ_CHECK(!(m.present & FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS), "delivery-annotations kept");
    /* As a receiver with the runtime metric gets it. */
    static uint8_t with[1 << 17];
    eh_runtime_info ri = {st.sequence_number + 5, st.offset + 77, st.enqueued_ms + 1, st.enqueued_ms + 2};
    size_t wn = eh_with_runtime_info(NULL, 0, out, need, &ri);
    FUZZ_CHECK(wn > need && wn <= sizeof with && eh_with_runtime_info(with, sizeof with, out, need, &ri) == wn,
               "runtime info: %zu bytes", wn);
    famqp_message mr;
    famqp_value v;
    int64_t last;
    FUZZ_CHECK(famqp_message_decode(with, wn, &mr, &err) == FAMQP_OK, "the event with runtime info does not decode");
    FUZZ_CHECK(famqp_event_sequence_number(&mr, &seq) && seq == st.sequence_number, "its sequence number");
    FUZZ_CHECK(famqp_map_get_symbol_key(&mr.delivery_annotations.value, "last_enqueued_sequence_number", &v) &&
                   famqp_value_get_long(v, &last) && last == ri.last_sequence_number,
               "last_enqueued_sequence_number");
    FUZZ_CHECK(mr.body.wire.len == in.body.wire.len, "the body changed with runtime info");
}

static void position(const uint8_t *p, size_t n)
{
    if (n > 4096)
        return;
    eh_position a, b;
    char why[300], why2[300];
    why[0] = why2[0] = '\0';
    bool ok = eh_position_parse((const char *)p, n, &a, why, sizeof why);
    if (!ok)
        FUZZ_CHECK(why[0] && !strchr(why, '\n'), "a refusal without a one-line reason: '%s'", why);
    else
        FUZZ_CHECK(a.kind <= EH_POS_TIME && (a.kind != EH_POS_START || a.value == 0), "kind %d", (int)a.kind);
    /* The same text in a filter-set, as a receiver's attach carries it;
     * only valid UTF-8 can be an AMQP string. */
    uint8_t buf[4200];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "apache.org:selector-filter:string");
    famqp_write_described(&w);
    famqp_write_ulong(&w, 0x0000468C00000004ull);
    famqp_write_string(&w, (famqp_string){(const char *)p, n});
    famqp_write_map_end(&w);
    famqp_map map;
    size_t len = famqp_writer_len(&w);
    if (famqp_writer_status(&w) != FAMQP_OK || famqp_value_validate(buf, len, NULL, &len, NULL) != FAMQP_OK ||
        !famqp_map_of(buf, len, &map))
        return;
    bool ok2 = eh_position_from_filter(map, &b, why2, sizeof why2);
    FUZZ_CHECK(ok == ok2, "text %d, filter %d", ok, ok2);
    FUZZ_CHECK(!ok || (a.kind == b.kind && a.inclusive == b.inclusive && a.value == b.value), "they differ");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0]) {
    case 1: stamp(data + 1, size - 1); break;
    case 2: position(data + 1, size - 1); break;
    default: management(data + 1, size - 1); break;
    }
    return 0;
}

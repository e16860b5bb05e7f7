/* famqp-broker's Event Hubs emulation: addresses, positions, the
 * partition-key hash, stamping stored events and reading $management
 * requests (eventhub_protocol.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eventhub_protocol.h"

static void say(char *why, size_t cap, const char *fmt, const char *a, size_t alen)
{
    if (cap)
        snprintf(why, cap, fmt, (int)(alen > 100 ? 100 : alen), a);
}

/* The next '/'-separated segment of *p (advanced past it). */
static famqp_string segment(const char **p)
{
    const char *s = *p, *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    *p = e ? e + 1 : s + n;
    return (famqp_string){s, n};
}

static bool word_is(famqp_string s, const char *w)
{
    return s.len == strlen(w) && strncasecmp(s.ptr, w, s.len) == 0;
}

eh_address_kind eh_address_parse(const char *addr, eh_address *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *p = addr;
    famqp_string seg[6];
    size_t n = 0;
    while (*p && n < 6)
        seg[n++] = segment(&p);
    if (*p || n == 0 || n == 6) {
        out->kind = EH_ADDRESS_OTHER;
        return out->kind;
    }
    out->hub = seg[0];
    if (n == 1) {
        out->kind = seg[0].len ? EH_ADDRESS_HUB : EH_ADDRESS_OTHER;
    } else if (word_is(seg[1], "Partitions")) {
        out->kind = n == 3 && seg[2].len ? EH_ADDRESS_PARTITION : EH_ADDRESS_BAD;
        out->partition = n == 3 ? seg[2] : (famqp_string){0};
        if (out->kind == EH_ADDRESS_BAD)
            say(why, cap, "address '%.*s': expected <hub>/Partitions/<partition>", addr, strlen(addr));
    } else if (word_is(seg[1], "ConsumerGroups")) {
        bool ok = n == 5 && seg[2].len && word_is(seg[3], "Partitions") && seg[4].len;
        out->kind = ok ? EH_ADDRESS_GROUP_PARTITION : EH_ADDRESS_BAD;
        if (ok) {
            out->group = seg[2];
            out->partition = seg[4];
        } else {
            say(why, cap, "address '%.*s': expected <hub>/ConsumerGroups/<group>/Partitions/<partition>", addr,
                strlen(addr));
        }
    } else {
        out->kind = EH_ADDRESS_OTHER; /* e.g. <entity>/$management */
    }
    return out->kind;
}

bool eh_partition_index(famqp_string id, uint32_t count, uint32_t *index)
{
    if (id.len == 0 || id.len > 10 || (id.len > 1 && id.ptr[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < id.len; i++) {
        if (id.ptr[i] < '0' || id.ptr[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(id.ptr[i] - '0');
    }
    if (v >= count)
        return false;
    *index = (uint32_t)v;
    return true;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A decimal in s[0..n): optional '-', 1 to 19 digits. */
static bool parse_i64(const char *s, size_t n, int64_t *out)
{
    bool neg = n && s[0] == '-';
    size_t i = neg ? 1 : 0;
    if (n == i || n - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

bool eh_position_parse(const char *s, size_t n, eh_position *out, char *why, size_t cap)
{
    static const struct {
        const char *name;
        eh_position_kind kind;
    } fields[] = {{"x-opt-offset", EH_POS_OFFSET},
                  {"x-opt-sequence-number", EH_POS_SEQUENCE},
                  {"x-opt-enqueued-time", EH_POS_TIME}};
    const char *end = s + n, *p = skip_space(s, end);
    const char *prefix = "amqp.annotation.";
    size_t plen = strlen(prefix);
    memset(out, 0, sizeof *out);
    if ((size_t)(end - p) < plen || strncasecmp(p, prefix, plen) != 0)
        goto bad;
    p += plen;
    size_t f = 0;
    for (; f < sizeof fields / sizeof fields[0]; f++) {
        size_t len = strlen(fields[f].name);
        if ((size_t)(end - p) >= len && strncasecmp(p, fields[f].name, len) == 0 &&
            (p + len == end || p[len] == ' ' || p[len] == '>' || p[len] == '\t')) {
            p += len;
            break;
        }
    }
    if (f == sizeof fields / sizeof fields[0])
        goto bad;
    p = skip_space(p, end);
    if (p == end || *p != '>')
        goto bad;
    p++;
    out->inclusive = p < end && *p == '=';
    if (out->inclusive)
        p++;
    p = skip_space(p, end);
    if (p == end || *p != '\'')
        goto bad;
    const char *v = ++p;
    while (p < end && *p != '\'')
        p++;
    if (p == end || skip_space(p + 1, end) != end)
        goto bad;
    size_t vlen = (size_t)(p - v);
    out->kind = fields[f].kind;
    if (out->kind == EH_POS_OFFSET && vlen == 7 && memcmp(v, "@latest", 7) == 0) {
        out->kind = EH_POS_END;
        return true;
    }
    if (!parse_i64(v, vlen, &out->value)) {
        say(why, cap, "selector filter: '%.*s' is not a number (nor '@latest' for an offset)", v, vlen);
        return false;
    }
    /* Before the first event: the start ("-1" as the SDKs send for earliest). */
    if (out->value < 0 && out->kind != EH_POS_TIME) {
        if (out->value != -1 || out->inclusive) {
            say(why, cap, "selector filter: '%.*s' is out of range (-1 is the start)", v, vlen);
            return false;
        }
        out->kind = EH_POS_START;
        out->value = 0;
    }
    return true;
bad:
    say(why, cap,
        "selector filter '%.*s' is not amqp.annotation.x-opt-offset / x-opt-sequence-number / "
        "x-opt-enqueued-time followed by > or >= and a quoted value",
        s, n);
    return false;
}

bool eh_position_from_filter(famqp_map filter, eh_position *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    famqp_iter it;
    famqp_value k, v;
    famqp_map_iter(&filter, &it);
    /* The filter is known by its descriptor, whatever its key (the SDKs
     * use the descriptor's name, others "selector"). */
    while (famqp_map_next(&it, &k, &v)) {
        famqp_value desc, inner;
        famqp_string text;
        uint64_t code = 0;
        famqp_symbol name;
        if (!famqp_value_get_described(v, &desc, &inner))
            continue;
        bool selector = (famqp_value_get_ulong(desc, &code) && code == 0x0000468C00000004ull) ||
                        (famqp_value_get_symbol(desc, &name) &&
                         famqp_symbol_eq(name, "apache.org:selector-filter:string"));
        if (!selector)
            continue;
        if (!famqp_value_get_string(inner, &text)) {
            if (cap)
                snprintf(why, cap, "the apache.org:selector-filter:string filter's value is not a string");
            return false;
        }
        return eh_position_parse(text.ptr, text.len, out, why, cap);
    }
    return true;
}

/* ---- lookup3 (Bob Jenkins, public domain), as the service hashes keys ---- */

#define ROT(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t eh_partition_for_key(const void *key, size_t len, uint32_t count)
{
    const uint8_t *k = key;
    uint32_t a, b, c;
    a = b = c = 0xdeadbeefu + (uint32_t)len;
    while (len > 12) {
        a += le32(k);
        b += le32(k + 4);
        c += le32(k + 8);
        a -= c; a ^= ROT(c, 4);  c += b;
        b -= a; b ^= ROT(a, 6);  a += c;
        c -= b; c ^= ROT(b, 8);  b += a;
        a -= c; a ^= ROT(c, 16); c += b;
        b -= a; b ^= ROT(a, 19); a += c;
        c -= b; c ^= ROT(b, 4);  b += a;
        len -= 12;
        k += 12;
    }
    if (len > 0) {
        /* The last 1 to 12 bytes, little-endian into a, b, c. */
        uint32_t w[3] = {0, 0, 0};
        for (size_t i = 0; i < len; i++)
            w[i / 4] |= (uint32_t)k[i] << (8 * (i % 4));
        a += w[0];
        b += w[1];
        c += w[2];
        c ^= b; c -= ROT(b, 14);
        a ^= c; a -= ROT(c, 11);
        b ^= a; b -= ROT(a, 25);
        c ^= b; c -= ROT(b, 16);
        a ^= c; a -= ROT(c, 4);
        b ^= a; b -= ROT(a, 14);
        c ^= b; c -= ROT(b, 24);
    }
    int32_t h = (int16_t)(uint16_t)((c ^ b) & 0xffffu);
    int32_t r = h % (int32_t)count;
    return (uint32_t)(r < 0 ? -r : r);
}

/* ---- stamping a stored event ------------------------------------------- */

static bool is_broker_key(famqp_value key, bool replace_partition_key)
{
    famqp_symbol s;
    if (!famqp_value_get_symbol(key, &s))
        return false;
    return famqp_symbol_eq(s, "x-opt-sequence-number") || famqp_symbol_eq(s, "x-opt-offset") ||
           famqp_symbol_eq(s, "x-opt-enqueued-time") ||
           (replace_partition_key && famqp_symbol_eq(s, "x-opt-partition-key"));
}

/* A section's descriptor as its code (a symbolic descriptor by its name;
 * UINT64_MAX for one not known, which sorts after message-annotations). */
static uint64_t section_code(famqp_value desc)
{
    static const char *const names[] = {"amqp:header:list", "amqp:delivery-annotations:map",
                                        "amqp:message-annotations:map"};
    uint64_t code;
    famqp_symbol name;
    if (famqp_value_get_ulong(desc, &code))
        return code;
    if (famqp_value_get_symbol(desc, &name))
        for (uint64_t i = 0; i < 3; i++)
            if (famqp_symbol_eq(name, names[i]))
                return 0x70 + i;
    return UINT64_MAX;
}

/* An event's place as map entries: its sequence number (long), offset
 * (decimal string) and enqueued time (timestamp), under these keys. */
static void write_position(famqp_writer *w, const char *seq_key, int64_t seq, const char *off_key, uint64_t offset,
                           const char *time_key, int64_t ms)
{
    char off[24];
    snprintf(off, sizeof off, "%" PRIu64, offset);
    famqp_write_csymbol(w, seq_key);
    famqp_write_long(w, seq);
    famqp_write_csymbol(w, off_key);
    famqp_write_cstring(w, off);
    famqp_write_csymbol(w, time_key);
    famqp_write_timestamp(w, ms);
}

size_t eh_stamp_event(uint8_t *out, size_t cap, const uint8_t *ev, size_t n, const eh_stamp *st, famqp_error *err)
{
    famqp_message m;
    if (famqp_message_decode(ev, n, &m, err) != FAMQP_OK)
        return 0;
    famqp_writer w;
    famqp_writer_init(&w, out, cap);
    /* Sections before message-annotations (header, delivery-annotations)
     * as they are, then ours, then the rest. */
    size_t pos = 0;
    bool written = false;
    while (pos <= n) {
        famqp_value sec = {0}, desc, body;
        uint64_t code = UINT64_MAX;
        size_t len = 0;
        if (pos < n && famqp_value_validate(ev + pos, n - pos, NULL, &len, NULL) == FAMQP_OK) {
            sec = (famqp_value){ev + pos, len};
            if (famqp_value_get_described(sec, &desc, &body))
                code = section_code(desc);
        }
        if (!written && (pos == n || code >= 0x72)) {
            famqp_write_described(&w);
            famqp_write_ulong(&w, 0x72);
            famqp_write_map_begin(&w);
            famqp_map own = {0};
            if (code == 0x72)
                famqp_value_get_map(body, &own);
            famqp_iter it;
            famqp_value k, v;
            famqp_map_iter(&own, &it);
            bool replace_key = st->partition_key.ptr != NULL;
            while (famqp_map_next(&it, &k, &v))
                if (!is_broker_key(k, replace_key)) {
                    famqp_write_value(&w, k);
                    famqp_write_value(&w, v);
                }
            write_position(&w, "x-opt-sequence-number", st->sequence_number, "x-opt-offset", st->offset,
                           "x-opt-enqueued-time", st->enqueued_ms);
            if (replace_key) {
                famqp_write_csymbol(&w, "x-opt-partition-key");
                famqp_write_string(&w, st->partition_key);
            }
            famqp_write_map_end(&w);
            written = true;
            if (code == 0x72) {
                pos += len;
                continue;
            }
        }
        if (pos == n)
            break;
        if (code != 0x71) /* delivery-annotations: for the hop to us */
            famqp_write_value(&w, sec); /* decoded above: every section validates */
        pos += len;
    }
    if (famqp_writer_status(&w) == FAMQP_ERR_INVALID_VALUE)
        return 0;
    return famqp_writer_len(&w);
}

size_t eh_with_runtime_info(uint8_t *out, size_t cap, const uint8_t *ev, size_t n, const eh_runtime_info *ri)
{
    famqp_writer w;
    famqp_writer_init(&w, out, cap);
    size_t head = 0;
    famqp_value desc, body;
    if (n && famqp_value_validate(ev, n, NULL, &head, NULL) != FAMQP_OK)
        return 0;
    if (!(head && famqp_value_get_described((famqp_value){ev, head}, &desc, &body) && section_code(desc) == 0x70))
        head = 0; /* no header: the annotations come first */
    if (head)
        famqp_write_value(&w, (famqp_value){ev, head});
    famqp_write_described(&w);
    famqp_write_ulong(&w, 0x71);
    famqp_write_map_begin(&w);
    write_position(&w, "last_enqueued_sequence_number", ri->last_sequence_number, "last_enqueued_offset",
                   ri->last_offset, "last_enqueued_time_utc", ri->last_enqueued_ms);
    famqp_write_csymbol(&w, "runtime_info_retrieval_time_utc");
    famqp_write_timestamp(&w, ri->retrieval_ms);
    famqp_write_map_end(&w);
    size_t da = famqp_writer_len(&w);
    if (famqp_writer_status(&w) == FAMQP_ERR_INVALID_VALUE)
        return 0;
    size_t total = da + (n - head);
    if (out && total <= cap)
        memcpy(out + da, ev + head, n - head);
    return total;
}

/* ---- $management requests ---------------------------------------------- */

static bool string_property(const famqp_message *m, const char *name, famqp_string *out)
{
    famqp_value v;
    return famqp_message_property(m, name, &v) && famqp_value_get_string(v, out);
}

int eh_mgmt_parse(const famqp_message *m, eh_mgmt_request *r, int *type, char *desc, size_t cap)
{
    memset(r, 0, sizeof *r);
    *type = 0;
    if (!string_property(m, "operation", &r->operation)) {
        snprintf(desc, cap, "the request has no 'operation' application property (a string)");
        return 400;
    }
    if (!famqp_string_eq(r->operation, "READ")) {
        say(desc, cap, "operation '%.*s' is not supported by this node (READ is)", r->operation.ptr,
            r->operation.len);
        return 501;
    }
    if (!string_property(m, "type", &r->type)) {
        snprintf(desc, cap, "the request has no 'type' application property (a string)");
        return 400;
    }
    if (!string_property(m, "name", &r->name) || r->name.len == 0) {
        snprintf(desc, cap, "the request has no 'name' application property (the event hub, a string)");
        return 400;
    }
    r->has_token = string_property(m, "security_token", &r->security_token);
    if (famqp_string_eq(r->type, "com.microsoft:eventhub")) {
        *type = EH_MGMT_EVENTHUB;
        return 0;
    }
    if (famqp_string_eq(r->type, "com.microsoft:partition")) {
        r->has_partition = string_property(m, "partition", &r->partition);
        if (!r->has_partition) {
            snprintf(desc, cap, "a com.microsoft:partition READ needs a 'partition' application property (a string)");
            return 400;
        }
        *type = EH_MGMT_PARTITION;
        return 0;
    }
    say(desc, cap, "type '%.*s' is not supported (com.microsoft:eventhub and com.microsoft:partition are)",
        r->type.ptr, r->type.len);
    return 501;
}

/* Recorded connections between real AMQP 1.0 peers (see data/ORIGIN.md),
 * run through framing and the generated codecs:
 *  - each stream splits into exactly the protocol headers and frames its
 *    .tsv index lists (offset, length, kind, channel, descriptor);
 *  - every performative decodes with a known descriptor, and decode ->
 *    encode -> decode gives an equal value (and stable bytes);
 *  - every complete message (transfer payloads, reassembled across frames
 *    with more=true) decodes as a sequence of known sections that also
 *    round-trip; the big recordings carry one 307,200-byte binary body
 *    equal to bytes(range(256)) * 1200, sent by servers as 19 frames;
 *  - feeding a stream one byte at a time and in random chunks through an
 *    accumulate-and-parse loop yields the same frames.
 * Plus direct tests of frame.h on hand-made headers and frames. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/frame.h"
#include "famqp_spec.h"
#include "famqp_spec_tests.h"
#include "famqp_test_assert.h"

#ifndef FAMQP_VECTORS_DIR
#error "FAMQP_VECTORS_DIR must name the directory holding the recorded streams"
#endif

/* Bytes not yet "received" are poisoned under ASan so that any parser read
 * past the bytes it was given is reported. */
#if defined(__SANITIZE_ADDRESS__)
#define VEC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VEC_ASAN 1
#endif
#endif
#ifdef VEC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define BIG_MESSAGE_SIZE (256u * 1200u)
#define BIG_SERVER_FRAMES 19u

/* ---- small helpers ------------------------------------------------------- */

static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    REQUIRE(f != NULL, "cannot open %s", path);
    REQUIRE_CMP_EQ(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    REQUIRE(size >= 0, "cannot size %s", path);
    REQUIRE_CMP_EQ(fseek(f, 0, SEEK_SET), 0);
    uint8_t *buf = malloc(size > 0 ? (size_t)size : 1);
    REQUIRE(buf != NULL, "out of memory");
    REQUIRE_CMP_EQ(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* A copy in its own exactly-sized allocation, so ASan catches over-reads. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    REQUIRE(c != NULL, "out of memory");
    if (n)
        memcpy(c, p, n);
    return c;
}

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: deterministic, seeded per stream */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ull;
}

/* ---- stream units (protocol headers and frames) -------------------------- */

typedef struct unit {
    size_t offset, length;
    char kind[8];  /* "header", "sasl", "amqp" */
    int channel;   /* -1 for a protocol header */
    char desc[24]; /* header: hex of bytes 4..7; frame: 0x<code>; heartbeat: - */
} unit;

typedef struct unit_list {
    unit *v;
    size_t n, cap;
} unit_list;

static void units_push(unit_list *l, const unit *u)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        REQUIRE(l->v != NULL, "out of memory");
    }
    l->v[l->n++] = *u;
}

/* The .tsv index: header row, then offset length kind channel descriptor. */
static unit_list load_index(const char *path)
{
    size_t len;
    uint8_t *text = load_file(path, &len);
    char *s = malloc(len + 1);
    REQUIRE(s != NULL, "out of memory");
    memcpy(s, text, len);
    s[len] = '\0';
    free(text);

    unit_list l = {0};
    char *save = NULL;
    int row = 0;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save), row++) {
        if (row == 0) {
            ck_assert_str_eq(line, "offset\tlength\tkind\tchannel\tdescriptor");
            continue;
        }
        unit u = {0};
        char channel[16];
        int got = sscanf(line, "%zu\t%zu\t%7s\t%15s\t%23s", &u.offset, &u.length, u.kind, channel,
                         u.desc);
        REQUIRE(got == 5, "%s row %d malformed: %s", path, row, line);
        u.channel = strcmp(channel, "-") == 0 ? -1 : atoi(channel);
        units_push(&l, &u);
    }
    free(s);
    REQUIRE(l.n > 0, "%s lists no frames", path);
    return l;
}

/* The descriptor code of the performative at the start of a frame body,
 * read with the generic value reader (independently of the generated
 * decoders, whose answer is checked against it). */
static bool body_descriptor(const uint8_t *body, size_t n, uint64_t *code)
{
    size_t len;
    famqp_error e;
    if (famqp_value_validate(body, n, NULL, &len, &e) != FAMQP_OK)
        return false;
    famqp_value whole = {body, len}, d, inner;
    return famqp_value_get_described(whole, &d, &inner) && famqp_value_get_ulong(d, code);
}

/* Splits a stream: a protocol header, then frames of that layer; a SASL
 * layer ends with sasl-outcome (server) or the client's AMQP header. */
typedef struct splitter {
    bool want_header;
    uint8_t layer; /* FAMQP_FRAME_TYPE_* of the frames that follow */
} splitter;

/* FAMQP_OK with *u filled (offset left to the caller) and *fr set for
 * frames, FAMQP_ERR_TRUNCATED when more bytes are needed. */
static famqp_status split_next(splitter *s, const uint8_t *p, size_t n, unit *u, famqp_frame *fr)
{
    memset(u, 0, sizeof *u);
    memset(fr, 0, sizeof *fr);
    /* A client need not wait for sasl-outcome: its AMQP header may follow
     * its last SASL frame directly.  No SASL frame starts with 'A' (that
     * would be a size above 1 GiB; SASL frames are at most 512 bytes). */
    if (!s->want_header && s->layer == FAMQP_FRAME_TYPE_SASL && n > 0 && p[0] == 'A')
        s->want_header = true;
    if (s->want_header) {
        uint8_t id = 0xff;
        famqp_status st = famqp_protocol_header_parse(p, n, &id);
        if (st != FAMQP_OK)
            return st;
        REQUIRE(id == FAMQP_PROTOCOL_AMQP || id == FAMQP_PROTOCOL_SASL, "protocol id %u", id);
        s->want_header = false;
        s->layer = id == FAMQP_PROTOCOL_SASL ? FAMQP_FRAME_TYPE_SASL : FAMQP_FRAME_TYPE_AMQP;
        u->length = FAMQP_PROTOCOL_HEADER_SIZE;
        strcpy(u->kind, "header");
        u->channel = -1;
        snprintf(u->desc, sizeof u->desc, "%02x%02x%02x%02x", p[4], p[5], p[6], p[7]);
        return FAMQP_OK;
    }
    size_t used = 0;
    famqp_error err;
    uint32_t max = s->layer == FAMQP_FRAME_TYPE_SASL ? FAMQP_MIN_MAX_FRAME_SIZE : UINT32_MAX;
    famqp_status st = famqp_frame_parse(p, n, max, fr, &used, &err);
    if (st != FAMQP_OK)
        return st;
    REQUIRE_CMP_EQ(used, fr->size);
    REQUIRE_CMP_EQ(fr->type, s->layer);
    u->length = used;
    strcpy(u->kind, fr->type == FAMQP_FRAME_TYPE_SASL ? "sasl" : "amqp");
    u->channel = fr->channel;
    uint64_t code = 0;
    if (fr->body.len == 0) {
        strcpy(u->desc, "-");
    } else {
        REQUIRE(body_descriptor(fr->body.ptr, fr->body.len, &code),
                "frame body does not start with a described value");
        snprintf(u->desc, sizeof u->desc, "0x%02llx", (unsigned long long)code);
    }
    if (fr->type == FAMQP_FRAME_TYPE_SASL && code == FAMQP_SASL_OUTCOME_CODE)
        s->want_header = true;
    return FAMQP_OK;
}

static void assert_same_units(const unit_list *got, const unit_list *want, const char *what)
{
    REQUIRE(got->n == want->n, "%s: %zu units, expected %zu", what, got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        const unit *g = &got->v[i], *w = &want->v[i];
        REQUIRE(g->offset == w->offset && g->length == w->length && strcmp(g->kind, w->kind) == 0 &&
                    g->channel == w->channel && strcmp(g->desc, w->desc) == 0,
                "%s unit %zu: got %zu %zu %s %d %s, expected %zu %zu %s %d %s", what, i, g->offset,
                g->length, g->kind, g->channel, g->desc, w->offset, w->length, w->kind, w->channel,
                w->desc);
    }
}

/* ---- the streams ----------------------------------------------------------- */

static char **stream_names; /* "<name>" without .bin */
static size_t stream_count;

static void find_streams(void)
{
    DIR *d = opendir(FAMQP_VECTORS_DIR);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", FAMQP_VECTORS_DIR);
        exit(1);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".bin") != 0)
            continue;
        char **grown = realloc(stream_names, (stream_count + 1) * sizeof *grown);
        if (!grown)
            exit(1);
        stream_names = grown;
        stream_names[stream_count] = malloc(len - 3);
        if (!stream_names[stream_count])
            exit(1);
        memcpy(stream_names[stream_count], e->d_name, len - 4);
        stream_names[stream_count][len - 4] = '\0';
        stream_count++;
    }
    closedir(d);
    /* Stable order, so loop indices in failure messages mean the same stream. */
    for (size_t i = 1; i < stream_count; i++)
        for (size_t j = i; j > 0 && strcmp(stream_names[j - 1], stream_names[j]) > 0; j--) {
            char *t = stream_names[j];
            stream_names[j] = stream_names[j - 1];
            stream_names[j - 1] = t;
        }
}

typedef struct stream {
    const char *name;
    uint8_t *bytes;
    size_t len;
    unit_list index;
} stream;

static stream open_stream(int i)
{
    stream s = {0};
    REQUIRE_CMP_LT(i, (int)stream_count);
    s.name = stream_names[i];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.bin", FAMQP_VECTORS_DIR, s.name);
    s.bytes = load_file(path, &s.len);
    snprintf(path, sizeof path, "%s/%s.tsv", FAMQP_VECTORS_DIR, s.name);
    s.index = load_index(path);
    return s;
}

static void close_stream(stream *s)
{
    free(s->bytes);
    free(s->index.v);
}

/* Splits the whole stream at once; calls on_frame for each frame. */
typedef void (*frame_fn)(void *ctx, const famqp_frame *fr, size_t offset);

static unit_list split_whole(const stream *s, frame_fn on_frame, void *ctx)
{
    unit_list l = {0};
    splitter sp = {.want_header = true};
    size_t pos = 0;
    while (pos < s->len) {
        unit u;
        famqp_frame fr;
        famqp_status st = split_next(&sp, s->bytes + pos, s->len - pos, &u, &fr);
        REQUIRE(st == FAMQP_OK, "%s: %s at offset %zu", s->name, famqp_status_name(st), pos);
        u.offset = pos;
        if (strcmp(u.kind, "header") != 0 && on_frame)
            on_frame(ctx, &fr, pos);
        units_push(&l, &u);
        pos += u.length;
    }
    return l;
}

/* Encodes with the size-then-write protocol into a fresh exactly-sized
 * buffer (caller frees). */
#define ENCODE_EXACT(encode_fn, value_ptr, buf_var, len_var)                                       \
    do {                                                                                           \
        size_t need_ = encode_fn(NULL, 0, (value_ptr));                                            \
        REQUIRE_CMP_GT(need_, 0);                                                                  \
        (buf_var) = malloc(need_);                                                                 \
        REQUIRE(buf_var != NULL, "out of memory");                                                 \
        REQUIRE_CMP_EQ(encode_fn((buf_var), need_, (value_ptr)), need_);                           \
        (len_var) = need_;                                                                         \
    } while (0)

/* ---- message reassembly and sections --------------------------------------- */

typedef struct delivery {
    bool active;
    int channel;
    uint32_t handle;
    uint8_t *bytes;
    size_t len, cap;
    unsigned frames;
} delivery;

typedef struct stream_check {
    const stream *s;
    delivery open[8];
    size_t performatives, transfers, messages, sections;
    size_t big_messages;
    unsigned big_frames;
} stream_check;

static void check_sections(stream_check *c, const uint8_t *msg, size_t len, unsigned frames)
{
    size_t pos = 0, body_sections = 0;
    bool is_big = false;
    while (pos < len) {
        uint8_t *in = exact_copy(msg + pos, len - pos);
        famqp_any_section sec;
        famqp_error err = {0};
        size_t used = famqp_any_section_decode(in, len - pos, &sec, &err);
        char why[256];
        famqp_error_format(&err, why, sizeof why);
        REQUIRE(used > 0 && used <= len - pos, "%s: message %zu section at %zu: %s", c->s->name,
                c->messages, pos, why);
        REQUIRE(sec.kind != FAMQP_ANY_SECTION_NONE && sec.kind != FAMQP_ANY_SECTION_OTHER,
                "%s: message %zu: unknown section at %zu", c->s->name, c->messages, pos);

        size_t enc_len;
        uint8_t *enc;
        ENCODE_EXACT(famqp_any_section_encode, &sec, enc, enc_len);
        famqp_any_section again;
        size_t used2 = famqp_any_section_decode(enc, enc_len, &again, &err);
        famqp_error_format(&err, why, sizeof why);
        REQUIRE(used2 == enc_len, "%s: re-encoded section does not decode: %s", c->s->name, why);
        REQUIRE(famqp_test_any_section_equal(&sec, &again),
                "%s: message %zu section at %zu changed in a "
                "round trip",
                c->s->name, c->messages, pos);

        /* The recorded big message (Python proton, body=bytes) carries its
         * bytes as an amqp-value holding a binary; a data section would be
         * the other way to send them. */
        famqp_binary body = {NULL, 0};
        bool has_body = false;
        if (sec.kind == FAMQP_ANY_SECTION_DATA) {
            body = sec.u.data.value;
            has_body = true;
        } else if (sec.kind == FAMQP_ANY_SECTION_AMQP_VALUE) {
            has_body = famqp_value_get_binary(sec.u.amqp_value.value, &body);
        }
        if (has_body) {
            body_sections++;
            if (body.len == BIG_MESSAGE_SIZE) {
                is_big = true;
                for (size_t i = 0; i < body.len; i++)
                    REQUIRE(body.ptr[i] == (uint8_t)(i % 256), "%s: big message byte %zu is %u",
                            c->s->name, i, body.ptr[i]);
            }
        }
        free(enc);
        free(in);
        pos += used;
        c->sections++;
    }
    if (is_big) {
        REQUIRE_CMP_EQ(body_sections, 1);
        c->big_messages++;
        c->big_frames = frames;
    }
}

static delivery *find_delivery(stream_check *c, int channel, uint32_t handle)
{
    delivery *free_slot = NULL;
    for (size_t i = 0; i < sizeof c->open / sizeof c->open[0]; i++) {
        delivery *d = &c->open[i];
        if (d->active && d->channel == channel && d->handle == handle)
            return d;
        if (!d->active && !free_slot)
            free_slot = d;
    }
    REQUIRE(free_slot != NULL, "too many concurrent deliveries");
    free_slot->active = true;
    free_slot->channel = channel;
    free_slot->handle = handle;
    free_slot->len = 0;
    free_slot->frames = 0;
    return free_slot;
}

static void on_transfer(stream_check *c, const famqp_frame *fr, const famqp_transfer *t,
                        const uint8_t *payload, size_t payload_len)
{
    c->transfers++;
    delivery *d = find_delivery(c, fr->channel, t->handle);
    if (d->len + payload_len > d->cap) {
        d->cap = (d->len + payload_len) * 2;
        d->bytes = realloc(d->bytes, d->cap);
        REQUIRE(d->bytes != NULL, "out of memory");
    }
    if (payload_len)
        memcpy(d->bytes + d->len, payload, payload_len);
    d->len += payload_len;
    d->frames++;
    if (t->aborted) {
        d->active = false;
        return;
    }
    if (!t->more) {
        check_sections(c, d->bytes, d->len, d->frames);
        c->messages++;
        d->active = false;
    }
}

/* The union member a decoder chose must be the type the wire named: its
 * re-encoding carries the same descriptor code as the recorded body. */
static void assert_same_descriptor(const stream_check *c, size_t offset, const uint8_t *body,
                                   size_t body_len, const uint8_t *enc, size_t enc_len)
{
    uint64_t want = 0, got = 0;
    REQUIRE(body_descriptor(body, body_len, &want) && body_descriptor(enc, enc_len, &got),
            "%s: frame at %zu: no descriptor", c->s->name, offset);
    REQUIRE(want == got, "%s: frame at %zu: descriptor 0x%llx re-encoded as 0x%llx", c->s->name,
            offset, (unsigned long long)want, (unsigned long long)got);
}

/* Decodes one frame's body, checks it round-trips, and follows transfers. */
static void check_frame(void *ctx, const famqp_frame *fr, size_t offset)
{
    stream_check *c = ctx;
    if (fr->body.len == 0)
        return; /* heartbeat */
    uint8_t *body = exact_copy(fr->body.ptr, fr->body.len);
    famqp_error err = {0};
    char why[256];
    c->performatives++;

    if (fr->type == FAMQP_FRAME_TYPE_SASL) {
        famqp_any_sasl_frame v, again;
        size_t used = famqp_any_sasl_frame_decode(body, fr->body.len, &v, &err);
        famqp_error_format(&err, why, sizeof why);
        REQUIRE(used == fr->body.len, "%s: SASL frame at %zu: used %zu of %zu: %s", c->s->name,
                offset, used, fr->body.len, why);
        REQUIRE(v.kind != FAMQP_ANY_SASL_FRAME_NONE && v.kind != FAMQP_ANY_SASL_FRAME_OTHER,
                "%s: SASL frame at %zu: unknown descriptor", c->s->name, offset);
        size_t enc_len;
        uint8_t *enc;
        ENCODE_EXACT(famqp_any_sasl_frame_encode, &v, enc, enc_len);
        assert_same_descriptor(c, offset, body, fr->body.len, enc, enc_len);
        REQUIRE_CMP_EQ(famqp_any_sasl_frame_decode(enc, enc_len, &again, &err), enc_len);
        REQUIRE(famqp_test_any_sasl_frame_equal(&v, &again),
                "%s: SASL frame at %zu changed in a round trip", c->s->name, offset);
        free(enc);
        free(body);
        return;
    }

    famqp_any_frame v, again;
    size_t used = famqp_any_frame_decode(body, fr->body.len, &v, &err);
    famqp_error_format(&err, why, sizeof why);
    REQUIRE(used > 0 && used <= fr->body.len, "%s: frame at %zu does not decode: %s", c->s->name,
            offset, why);
    REQUIRE(v.kind != FAMQP_ANY_FRAME_NONE && v.kind != FAMQP_ANY_FRAME_OTHER,
            "%s: frame at %zu: unknown descriptor", c->s->name, offset);
    /* Only a transfer carries bytes after its performative. */
    if (v.kind != FAMQP_ANY_FRAME_TRANSFER)
        REQUIRE(used == fr->body.len, "%s: frame at %zu: %zu bytes after the performative",
                c->s->name, offset, fr->body.len - used);

    size_t enc_len;
    uint8_t *enc;
    ENCODE_EXACT(famqp_any_frame_encode, &v, enc, enc_len);
    assert_same_descriptor(c, offset, body, used, enc, enc_len);
    size_t used2 = famqp_any_frame_decode(enc, enc_len, &again, &err);
    famqp_error_format(&err, why, sizeof why);
    REQUIRE(used2 == enc_len, "%s: frame at %zu: re-encoding does not decode: %s", c->s->name,
            offset, why);
    REQUIRE(famqp_test_any_frame_equal(&v, &again), "%s: frame at %zu changed in a round trip",
            c->s->name, offset);
    /* Encoding is a function of the value: the second encoding is identical. */
    size_t enc2_len;
    uint8_t *enc2;
    ENCODE_EXACT(famqp_any_frame_encode, &again, enc2, enc2_len);
    REQUIRE_CMP_EQ(enc2_len, enc_len);
    REQUIRE(memcmp(enc2, enc, enc_len) == 0, "%s: frame at %zu: re-encoding not stable", c->s->name,
            offset);

    /* Full length (famqp_any_frame_encode_full): every field of the
     * performative in the list, absent ones null; the same value. */
    static const uint32_t fields[] = {0, 10, 8, 14, 11, 11, 6, 3, 1, 1}; /* by kind (part 2.7) */
    size_t full_len;
    uint8_t *full;
    ENCODE_EXACT(famqp_any_frame_encode_full, &v, full, full_len);
    REQUIRE(full_len >= enc_len && full_len >= 6 && (full[3] == FAMQP_CODE_LIST8 || full[3] == FAMQP_CODE_LIST32),
            "%s: frame at %zu: full encoding of %zu bytes, list code 0x%02x", c->s->name, offset, full_len,
            full_len > 3 ? full[3] : 0);
    uint32_t count = full[3] == FAMQP_CODE_LIST8 ? full[5] : famqp_load32(full + 8);
    REQUIRE(count == fields[v.kind], "%s: frame at %zu: full encoding has %u fields, not %u", c->s->name, offset,
            (unsigned)count, (unsigned)fields[v.kind]);
    REQUIRE_CMP_EQ(famqp_any_frame_decode(full, full_len, &again, &err), full_len);
    REQUIRE(famqp_test_any_frame_equal(&v, &again), "%s: frame at %zu changed in a full-length round trip",
            c->s->name, offset);
    free(full);

    if (v.kind == FAMQP_ANY_FRAME_TRANSFER)
        on_transfer(c, fr, &v.u.transfer, body + used, fr->body.len - used);
    free(enc2);
    free(enc);
    free(body);
}

static bool is_big_stream(const char *name)
{
    return strstr(name, ".big.") != NULL;
}
static bool is_server_side(const char *name)
{
    return strstr(name, ".s2c") != NULL;
}

START_TEST(test_stream_matches_index_and_decodes)
{
    stream s = open_stream(_i);
    stream_check c = {.s = &s};
    unit_list got = split_whole(&s, check_frame, &c);
    assert_same_units(&got, &s.index, s.name);
    /* Every frame of the index with a performative was decoded. */
    size_t want_performatives = 0;
    for (size_t i = 0; i < s.index.n; i++)
        want_performatives += strcmp(s.index.v[i].kind, "header") != 0 &&
                              strcmp(s.index.v[i].desc, "-") != 0;
    REQUIRE_CMP_GT(c.performatives, 0);
    REQUIRE_CMP_EQ(c.performatives, want_performatives);

    for (size_t i = 0; i < sizeof c.open / sizeof c.open[0]; i++) {
        REQUIRE(!c.open[i].active, "%s: delivery on handle %u never completed", s.name,
                c.open[i].handle);
        free(c.open[i].bytes);
    }
    if (is_big_stream(s.name)) {
        REQUIRE(c.big_messages == 1, "%s: %zu messages of %u bytes", s.name, c.big_messages,
                BIG_MESSAGE_SIZE);
        /* Servers split it at max-frame-size 16384; a client may send one frame
         * when the broker allows that (RabbitMQ's does not). */
        if (is_server_side(s.name))
            REQUIRE_CMP_EQ(c.big_frames, BIG_SERVER_FRAMES);
        else
            REQUIRE(c.big_frames == 1 || c.big_frames == BIG_SERVER_FRAMES,
                    "%s: big message in %u frames", s.name, c.big_frames);
    } else {
        REQUIRE_CMP_EQ(c.big_messages, 0);
    }
    if (c.transfers > 0)
        REQUIRE_CMP_GT(c.messages, 0);
    free(got.v);
    close_stream(&s);
}
END_TEST

/* Feeds s->bytes in chunks chosen by next_chunk into a receive buffer and
 * parses whatever is complete after each chunk. */
typedef size_t (*chunk_fn)(uint64_t *rng);

static unit_list split_chunked(const stream *s, chunk_fn next_chunk, uint64_t seed)
{
    unit_list l = {0};
    splitter sp = {.want_header = true};
    /* The receive buffer mirrors stream offsets; bytes not yet received are
     * poisoned so reads past what was received fail under ASan. */
    uint8_t *rx = malloc(s->len ? s->len : 1);
    REQUIRE(rx != NULL, "out of memory");
    POISON(rx, s->len);
    size_t received = 0, consumed = 0;
    uint64_t rng = seed;
    while (received < s->len) {
        size_t c = next_chunk(&rng);
        if (c > s->len - received)
            c = s->len - received;
        UNPOISON(rx + received, c);
        memcpy(rx + received, s->bytes + received, c);
        received += c;
        for (;;) {
            unit u;
            famqp_frame fr;
            famqp_status st = split_next(&sp, rx + consumed, received - consumed, &u, &fr);
            if (st == FAMQP_ERR_TRUNCATED)
                break;
            REQUIRE(st == FAMQP_OK, "%s: %s at offset %zu after %zu bytes", s->name,
                    famqp_status_name(st), consumed, received);
            if (strcmp(u.kind, "header") != 0)
                REQUIRE(fr.body.ptr + fr.body.len == rx + consumed + u.length,
                        "%s: frame body "
                        "does not end with the frame",
                        s->name);
            u.offset = consumed;
            units_push(&l, &u);
            consumed += u.length;
        }
    }
    REQUIRE_CMP_EQ(consumed, s->len);
    UNPOISON(rx, s->len);
    free(rx);
    return l;
}

static size_t one_byte(uint64_t *rng)
{
    (void)rng;
    return 1;
}

static size_t random_chunk(uint64_t *rng)
{
    /* Mostly small chunks (splitting headers), some frame-sized, a few large. */
    static const size_t limits[] = {3, 9, 64, 700, 20000};
    uint64_t r = rng_next(rng);
    return 1 + (size_t)((r >> 8) % limits[r % 5]);
}

START_TEST(test_stream_byte_at_a_time)
{
    stream s = open_stream(_i);
    unit_list got = split_chunked(&s, one_byte, 0);
    assert_same_units(&got, &s.index, s.name);
    free(got.v);
    close_stream(&s);
}
END_TEST

START_TEST(test_stream_random_chunks)
{
    stream s = open_stream(_i);
    for (uint64_t round = 0; round < 8; round++) {
        unit_list got =
            split_chunked(&s, random_chunk, 0x9e3779b97f4a7c15ull * (round + 1) + (uint64_t)_i);
        assert_same_units(&got, &s.index, s.name);
        free(got.v);
    }
    close_stream(&s);
}
END_TEST

/* Every proper prefix of every frame of every stream (the header bytes and
 * a little of the body, in an exactly-sized buffer) is TRUNCATED. */
START_TEST(test_stream_frame_prefixes_truncated)
{
    stream s = open_stream(_i);
    for (size_t k = 0; k < s.index.n; k++) {
        const unit *u = &s.index.v[k];
        size_t limit = u->length < 64 ? u->length : 64;
        for (size_t n = 0; n < limit; n++) {
            uint8_t *p = exact_copy(s.bytes + u->offset, n);
            famqp_frame fr;
            size_t used = 12345;
            famqp_error err;
            famqp_status st;
            if (strcmp(u->kind, "header") == 0) {
                uint8_t id = 0xee;
                st = famqp_protocol_header_parse(p, n, &id);
                REQUIRE_CMP_EQ(id, 0xee);
            } else {
                st = famqp_frame_parse(p, n, UINT32_MAX, &fr, &used, &err);
                REQUIRE_CMP_EQ(used, 12345);
            }
            REQUIRE(st == FAMQP_ERR_TRUNCATED, "%s unit %zu prefix %zu: %s", s.name, k, n,
                    famqp_status_name(st));
            free(p);
        }
    }
    close_stream(&s);
}
END_TEST

START_TEST(test_streams_present)
{
    /* The suite would pass vacuously without its data. */
    REQUIRE_CMP_GT(stream_count, 0);
    size_t big = 0;
    for (size_t i = 0; i < stream_count; i++)
        big += is_big_stream(stream_names[i]);
    REQUIRE_CMP_GT(big, 0);
}
END_TEST

/* ---- frame.h on hand-made input ------------------------------------------ */

START_TEST(test_frame_header_put_and_parse)
{
    uint8_t buf[20];
    memset(buf, 0xaa, sizeof buf);
    uint8_t *end = famqp_frame_header_put(buf, 20, FAMQP_FRAME_TYPE_SASL, 0x1234);
    ck_assert_ptr_eq(end, buf + 8);
    static const uint8_t want[8] = {0, 0, 0, 20, 2, 1, 0x12, 0x34};
    ck_assert_mem_eq(buf, want, 8);

    uint8_t *p = exact_copy(buf, sizeof buf);
    famqp_frame fr;
    size_t used = 0;
    famqp_error err;
    REQUIRE_CMP_EQ(famqp_frame_parse(p, 20, 512, &fr, &used, &err), FAMQP_OK);
    REQUIRE_CMP_EQ(used, 20);
    REQUIRE_CMP_EQ(fr.size, 20);
    REQUIRE_CMP_EQ(fr.doff, 2);
    REQUIRE_CMP_EQ(fr.type, FAMQP_FRAME_TYPE_SASL);
    REQUIRE_CMP_EQ(fr.channel, 0x1234);
    REQUIRE_CMP_EQ(fr.ext.len, 0);
    ck_assert_ptr_eq(fr.body.ptr, p + 8);
    REQUIRE_CMP_EQ(fr.body.len, 12);
    free(p);
}
END_TEST

START_TEST(test_frame_heartbeat_and_extended_header)
{
    static const uint8_t heartbeat[8] = {0, 0, 0, 8, 2, 0, 0, 0};
    uint8_t *p = exact_copy(heartbeat, 8);
    famqp_frame fr;
    size_t used = 0;
    REQUIRE_CMP_EQ(famqp_frame_parse(p, 8, 512, &fr, &used, NULL), FAMQP_OK);
    REQUIRE_CMP_EQ(used, 8);
    REQUIRE_CMP_EQ(fr.body.len, 0);
    REQUIRE_CMP_EQ(fr.ext.len, 0);
    free(p);

    /* doff 3: four bytes of extended header, then a 2-byte body; trailing
     * bytes of the next frame are not part of this one. */
    static const uint8_t ext[16] = {0,    0,    0,    14,   3,    0,    0, 7,
                                    0xe1, 0xe2, 0xe3, 0xe4, 0xb1, 0xb2, 0, 0};
    p = exact_copy(ext, sizeof ext);
    REQUIRE_CMP_EQ(famqp_frame_parse(p, sizeof ext, 512, &fr, &used, NULL), FAMQP_OK);
    REQUIRE_CMP_EQ(used, 14);
    REQUIRE_CMP_EQ(fr.channel, 7);
    REQUIRE_CMP_EQ(fr.ext.len, 4);
    ck_assert_ptr_eq(fr.ext.ptr, p + 8);
    REQUIRE_CMP_EQ(fr.body.len, 2);
    ck_assert_ptr_eq(fr.body.ptr, p + 12);
    free(p);
}
END_TEST

START_TEST(test_frame_malformed_headers)
{
    static const struct {
        uint8_t h[8];
        famqp_status want;
    } cases[] = {
        {{0, 0, 0, 7, 2, 0, 0, 0}, FAMQP_ERR_INVALID_VALUE},  /* size < 8 */
        {{0, 0, 0, 0, 2, 0, 0, 0}, FAMQP_ERR_INVALID_VALUE},  /* size 0 */
        {{0, 0, 0, 16, 1, 0, 0, 0}, FAMQP_ERR_INVALID_VALUE}, /* doff < 2 */
        {{0, 0, 0, 16, 0, 0, 0, 0}, FAMQP_ERR_INVALID_VALUE}, /* doff 0 */
        {{0, 0, 0, 16, 5, 0, 0, 0}, FAMQP_ERR_INVALID_VALUE}, /* doff*4 = 20 > 16 */
        {{0, 0, 2, 1, 2, 0, 0, 0}, FAMQP_ERR_LIMIT},          /* 513 > 512 */
        {{0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0}, FAMQP_ERR_LIMIT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Only the header is available: a malformed or oversized header is
         * reported at once, not after waiting for the rest of the frame. */
        uint8_t *p = exact_copy(cases[i].h, 8);
        famqp_frame fr;
        size_t used = 999;
        famqp_error err;
        famqp_status st = famqp_frame_parse(p, 8, 512, &fr, &used, &err);
        REQUIRE(st == cases[i].want, "case %zu: %s", i, famqp_status_name(st));
        REQUIRE_CMP_EQ(err.status, cases[i].want);
        REQUIRE_CMP_EQ(used, 999);
        free(p);
    }
    /* doff * 4 == size: legal, empty body. */
    static const uint8_t edge[12] = {0, 0, 0, 12, 3, 0, 0, 0, 1, 2, 3, 4};
    famqp_frame fr;
    size_t used;
    REQUIRE_CMP_EQ(famqp_frame_parse(edge, 12, 512, &fr, &used, NULL), FAMQP_OK);
    REQUIRE_CMP_EQ(fr.body.len, 0);
    REQUIRE_CMP_EQ(fr.ext.len, 4);
    /* size == max_frame_size is allowed. */
    static const uint8_t at_max[8] = {0, 0, 0, 8, 2, 0, 0, 0};
    REQUIRE_CMP_EQ(famqp_frame_parse(at_max, 8, 8, &fr, &used, NULL), FAMQP_OK);
}
END_TEST

START_TEST(test_protocol_header)
{
    uint8_t id = 0xee;
    REQUIRE_CMP_EQ(famqp_protocol_header_parse(famqp_protocol_header_amqp, 8, &id), FAMQP_OK);
    REQUIRE_CMP_EQ(id, FAMQP_PROTOCOL_AMQP);
    REQUIRE_CMP_EQ(famqp_protocol_header_parse(famqp_protocol_header_sasl, 8, &id), FAMQP_OK);
    REQUIRE_CMP_EQ(id, FAMQP_PROTOCOL_SASL);
    REQUIRE_CMP_EQ(famqp_protocol_header_parse(famqp_protocol_header_tls, 8, &id), FAMQP_OK);
    REQUIRE_CMP_EQ(id, FAMQP_PROTOCOL_TLS);
    static const uint8_t amqp[8] = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    ck_assert_mem_eq(famqp_protocol_header_amqp, amqp, 8);

    /* Prefixes that match so far want more bytes. */
    for (size_t n = 0; n < 8; n++) {
        uint8_t *p = exact_copy(famqp_protocol_header_sasl, n);
        id = 0xee;
        REQUIRE_CMP_EQ(famqp_protocol_header_parse(p, n, &id), FAMQP_ERR_TRUNCATED);
        REQUIRE_CMP_EQ(id, 0xee);
        free(p);
    }
    /* Any wrong byte is rejected, even before the header is complete. */
    for (size_t i = 0; i < 8; i++) {
        uint8_t h[8];
        memcpy(h, famqp_protocol_header_amqp, 8);
        h[i] ^= 0x11; /* id 0 -> 0x11; version 1 -> 0x10; 'A' -> 'P' ... */
        for (size_t n = i + 1; n <= 8; n++) {
            uint8_t *p = exact_copy(h, n);
            REQUIRE(famqp_protocol_header_parse(p, n, &id) == FAMQP_ERR_INVALID_VALUE,
                    "byte %zu wrong, %zu bytes", i, n);
            free(p);
        }
    }
    /* An HTTP request or an AMQP 0-9-1 header is not AMQP 1.0. */
    static const uint8_t old[8] = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    REQUIRE_CMP_EQ(famqp_protocol_header_parse(old, 8, &id), FAMQP_ERR_INVALID_VALUE);
    REQUIRE_CMP_EQ(famqp_protocol_header_parse((const uint8_t *)"GET / HT", 8, &id),
                   FAMQP_ERR_INVALID_VALUE);
}
END_TEST

int main(void)
{
    find_streams();
    Suite *s = suite_create("vectors");

    TCase *frame = tcase_create("frame");
    tcase_add_test(frame, test_frame_header_put_and_parse);
    tcase_add_test(frame, test_frame_heartbeat_and_extended_header);
    tcase_add_test(frame, test_frame_malformed_headers);
    tcase_add_test(frame, test_protocol_header);
    suite_add_tcase(s, frame);

    TCase *streams = tcase_create("streams");
    tcase_set_timeout(streams, 600);
    tcase_add_test(streams, test_streams_present);
    tcase_add_loop_test(streams, test_stream_matches_index_and_decodes, 0, (int)stream_count);
    tcase_add_loop_test(streams, test_stream_frame_prefixes_truncated, 0, (int)stream_count);
    tcase_add_loop_test(streams, test_stream_byte_at_a_time, 0, (int)stream_count);
    tcase_add_loop_test(streams, test_stream_random_chunks, 0, (int)stream_count);
    suite_add_tcase(s, streams);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (size_t i = 0; i < stream_count; i++)
        free(stream_names[i]);
    free(stream_names);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
